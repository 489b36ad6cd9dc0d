//! Authorizing a provider: who is expected, which login pre-fills the sign-in page, and the
//! one decision whether a sign-in is stored. The CLI, the end-user screen and the wizard's
//! Authorize step all go through [`decide`] (and [`confirm`] after a user said yes).

use crate::auth::flow::FlowOptions;
use crate::auth::{
    self, AuthError, Authorized, Config, Expected, Identity, IdentityMismatch, Progress, Provider,
    TokenStore,
};
use std::path::Path;

/// What to do when the account that signed in is not the expected one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OnMismatch {
    /// Store nothing (the CLI's default, the wizard's impersonating account).
    Refuse,
    /// Hold the sign-in and let the person decide (the end-user screen asks y/n).
    Ask,
    /// Store it anyway, under the account that signed in (`--accept-mismatch`).
    Store,
}

/// The outcome of a finished sign-in.
#[derive(Debug)]
pub(crate) enum Decision {
    /// Kept in the keyring.
    Stored(Stored),
    /// Not stored yet: the person is asked; [`confirm`] stores it, dropping it stores nothing.
    NeedsConfirmation(Pending),
    /// Not stored: someone other than the expected account signed in.
    Rejected(IdentityMismatch),
}

/// A stored authorization.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Stored {
    /// Who it belongs to (the entry is keyed by this login).
    pub identity: Identity,
    /// Set when it was stored although it differs from the expected account.
    pub overridden: Option<IdentityMismatch>,
}

/// A mismatched sign-in waiting for the person's answer. Holds the tokens in memory only.
#[derive(Debug)]
pub(crate) struct Pending {
    authorized: Authorized,
    /// Who was expected and who signed in.
    pub mismatch: IdentityMismatch,
}

/// The one decision: checks `authorized` against `expected` (when there is one) and stores it
/// when it matches, or according to `on_mismatch` when it does not.
pub(crate) fn decide(
    store: &TokenStore,
    authorized: Authorized,
    expected: Option<&Expected>,
    on_mismatch: OnMismatch,
) -> Result<Decision, AuthError> {
    let mismatch = expected.and_then(|exp| {
        let differences = exp.check(&authorized.identity);
        (!differences.is_empty()).then(|| IdentityMismatch {
            expected: exp.clone(),
            signed_in: authorized.identity.clone(),
            differences,
        })
    });
    match (mismatch, on_mismatch) {
        (None, _) => save(store, authorized, None).map(Decision::Stored),
        (Some(m), OnMismatch::Store) => save(store, authorized, Some(m)).map(Decision::Stored),
        (Some(mismatch), OnMismatch::Ask) => Ok(Decision::NeedsConfirmation(Pending {
            authorized,
            mismatch,
        })),
        (Some(m), OnMismatch::Refuse) => Ok(Decision::Rejected(m)),
    }
}

/// The person confirmed a mismatched sign-in: store it under the account that signed in.
pub(crate) fn confirm(store: &TokenStore, pending: Pending) -> Result<Stored, AuthError> {
    save(store, pending.authorized, Some(pending.mismatch))
}

fn save(
    store: &TokenStore,
    authorized: Authorized,
    overridden: Option<IdentityMismatch>,
) -> Result<Stored, AuthError> {
    store.save(&authorized.credential)?;
    Ok(Stored {
        identity: authorized.identity,
        overridden,
    })
}

/// Runs the provider's flow (blocking) and then [`decide`]. `progress` gets the URL or
/// device code to show.
pub(crate) fn sign_in(
    config: &Config,
    store: &TokenStore,
    provider: Provider,
    options: &FlowOptions,
    expected: Option<&Expected>,
    on_mismatch: OnMismatch,
    progress: &mut dyn FnMut(Progress),
) -> Result<Decision, AuthError> {
    let authorized = auth::authorize(config, provider, options, progress)?;
    decide(store, authorized, expected, on_mismatch)
}

/// Who should sign in. With `roster`, the row whose Salesforce or Office 365 login is `login`
/// (the admin's check); otherwise the config's `[expect]` table (an invitation's config), when
/// it has one. A `login` that is neither of `[expect]`'s logins is refused: that config is
/// somebody else's invitation.
pub(crate) fn expectation(
    config: &Config,
    roster: Option<&Path>,
    login: Option<&str>,
) -> Result<Option<Expected>, AuthError> {
    if let Some(path) = roster {
        let login = login.ok_or_else(|| {
            AuthError::Config("--roster needs --login to pick the roster row".into())
        })?;
        return auth::identity::expected::from_roster(path, login)
            .map(Some)
            .map_err(AuthError::Config);
    }
    let Some(exp) = &config.expect else {
        return Ok(None);
    };
    if let Some(login) = login.map(str::trim).filter(|l| !l.is_empty()) {
        let known: Vec<&str> = Provider::ALL
            .iter()
            .filter_map(|p| exp.login_for(*p))
            .collect();
        if !known.is_empty() && !known.iter().any(|k| k.eq_ignore_ascii_case(login)) {
            let whose = exp
                .full_name
                .as_deref()
                .map(|n| format!(" ({n})"))
                .unwrap_or_default();
            return Err(AuthError::Config(format!(
                "--login {login} is not the user this config is for{whose}: its [expect] table names {}; \
                 use the config from your own invitation, or leave out --login",
                known.join(" and ")
            )));
        }
    }
    Ok(Some(exp.clone()))
}

/// The login that pre-fills `provider`'s sign-in page: the expected account's login there
/// (an end user's Salesforce username often differs from their mailbox), else `login`.
pub(crate) fn login_hint(
    provider: Provider,
    expected: Option<&Expected>,
    login: Option<&str>,
) -> Option<String> {
    expected
        .and_then(|e| e.login_for(provider))
        .or(login)
        .map(str::to_string)
}

/// The expectation when an existing authorization is signed in again (its refresh token died):
/// the same account.
pub(crate) fn same_account(provider: Provider, login: &str) -> Expected {
    match provider {
        Provider::Salesforce => Expected {
            salesforce_login: Some(login.to_string()),
            ..Expected::default()
        },
        Provider::Exchange => Expected {
            office365_login: Some(login.to_string()),
            ..Expected::default()
        },
    }
}

/// Opens the keyring the config names (its fallback notice, if any, is on the store).
pub(crate) fn open_store(config: &Config) -> Result<TokenStore, AuthError> {
    Ok(TokenStore::open(
        &config.flow.keyring,
        config.flow.keyring_timeout(),
    )?)
}

#[cfg(test)]
impl Pending {
    /// The provider signed in to.
    fn provider(&self) -> Provider {
        self.authorized.identity.provider
    }
}

#[cfg(test)]
mod tests;

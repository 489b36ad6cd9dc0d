//! What happens around a stored authorization: finding it, renewing it and revoking it.
//! (Whether a new sign-in is stored is decided once, in `usecase::authorize`.)

use super::config::Config;
use super::credential::StoredCredential;
use super::error::AuthError;
use super::flow::{
    client, provider_error, setup, to_authorized, token_error, Authorized, ErrorBody,
};
use super::http::Http;
use super::keyring::TokenStore;
use super::Provider;
use oauth2::Scope;

/// Picks the stored credential for `provider` (and `login`, when given).
pub fn select(
    store: &TokenStore,
    provider: Provider,
    login: Option<&str>,
) -> Result<StoredCredential, AuthError> {
    match login {
        Some(l) => store
            .load(provider, l)?
            .ok_or_else(|| AuthError::NotStored(provider.key(), format!(" for {l}"))),
        None => {
            let mut all = store.list_provider(provider)?;
            match all.len() {
                0 => Err(AuthError::NotStored(provider.key(), String::new())),
                1 => Ok(all.remove(0)),
                _ => Err(AuthError::Ambiguous(format!(
                    "several {} accounts are stored ({}); choose one with --login",
                    provider.key(),
                    all.iter()
                        .map(|c| c.login.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ))),
            }
        }
    }
}

/// The stored authorization for `provider` (and `login`), if any.
pub fn status(
    store: &TokenStore,
    provider: Provider,
    login: Option<&str>,
) -> Result<Option<StoredCredential>, AuthError> {
    match select(store, provider, login) {
        Ok(c) => Ok(Some(c)),
        Err(AuthError::NotStored(..)) => Ok(None),
        Err(e) => Err(e),
    }
}

/// Exchanges the stored refresh token for a new access token and stores what comes back
/// (Microsoft rotates refresh tokens: the new one replaces the old every time).
/// A dead refresh token (`invalid_grant`) comes back as [`AuthError::Expired`]: the caller
/// signs in again.
pub fn renew(
    config: &Config,
    store: &TokenStore,
    provider: Provider,
    login: Option<&str>,
) -> Result<Authorized, AuthError> {
    let stored = select(store, provider, login)?;
    renew_stored(config, store, stored)
}

/// The administrator's entry for `provider` (and `login`, when given).
pub(crate) fn select_admin(
    store: &TokenStore,
    provider: Provider,
    login: Option<&str>,
) -> Result<StoredCredential, AuthError> {
    let mut all = store.list_admin(provider)?;
    if let Some(l) = login {
        all.retain(|c| c.login.eq_ignore_ascii_case(l.trim()));
    }
    match all.len() {
        0 => Err(AuthError::NotStored(
            provider.key(),
            format!(
                " for an administrator{}",
                login.map(|l| format!(" ({l})")).unwrap_or_default()
            ),
        )),
        1 => Ok(all.remove(0)),
        _ => Err(AuthError::Ambiguous(format!(
            "several {} administrator sign-ins are stored ({}); choose one with --login",
            provider.key(),
            all.iter()
                .map(|c| c.login.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ))),
    }
}

/// [`renew`] for an administrator's entry (with the administrator's scopes,
/// [`Config::for_admin`]): a fresh access token for `roster pull` / `roster verify`.
pub(crate) fn renew_admin(
    config: &Config,
    store: &TokenStore,
    provider: Provider,
    login: Option<&str>,
) -> Result<Authorized, AuthError> {
    let stored = select_admin(store, provider, login)?;
    renew_stored(&config.for_admin(), store, stored)
}

fn renew_stored(
    config: &Config,
    store: &TokenStore,
    stored: StoredCredential,
) -> Result<Authorized, AuthError> {
    let provider = stored.provider;
    let s = setup(config, provider)?;
    let http = Http::default();
    let oauth = client(&s)?;
    let mut request = oauth.exchange_refresh_token(&stored.refresh_token);
    if provider == Provider::Exchange {
        // Microsoft wants the scopes again; offline_access is implied by the refresh token.
        request = request.add_scopes(
            s.scopes
                .iter()
                .filter(|sc| *sc != "offline_access")
                .cloned()
                .map(Scope::new),
        );
    }
    let tokens = request
        .request(&http)
        .map_err(token_error)
        .map_err(|e| match e {
            AuthError::Provider { error, description } if error == "invalid_grant" => {
                AuthError::Expired {
                    provider: provider.title(),
                    reason: description,
                }
            }
            e => e,
        })?;
    let authorized = to_authorized(config, provider, &http, &tokens, Some(&stored))?;
    if !authorized
        .identity
        .user_id
        .eq_ignore_ascii_case(&stored.user_id)
    {
        return Err(AuthError::Identity(format!(
            "the renewed token belongs to {} instead of {}",
            authorized.identity.login, stored.login
        )));
    }
    store.save(&authorized.credential)?;
    Ok(authorized)
}

/// What [`revoke`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Revoked {
    pub login: String,
    /// True when the provider itself revoked the token (Salesforce).
    pub at_provider: bool,
    /// What the user should know (e.g. how an admin revokes Microsoft sessions).
    pub note: Option<String>,
}

/// Revokes at the provider where it allows it (Salesforce), then deletes the entry.
/// Microsoft has no revocation endpoint: the entry is deleted and the note says how an
/// administrator revokes the sessions.
pub fn revoke(
    config: &Config,
    store: &TokenStore,
    provider: Provider,
    login: Option<&str>,
) -> Result<Revoked, AuthError> {
    let stored = select(store, provider, login)?;
    let (at_provider, note) = match provider {
        Provider::Salesforce => {
            let url = config
                .salesforce
                .endpoints()
                .revoke
                .expect("Salesforce has a revocation endpoint");
            let (status, body) = Http::default()
                .post_form(&url, &[("token", stored.refresh_token.secret())])
                .map_err(|e| AuthError::Network(e.0))?;
            match status {
                200 => (true, None),
                // Already invalid at Salesforce: nothing left to revoke there.
                400 if matches!(serde_json::from_slice::<ErrorBody>(&body), Ok(e) if e.error == "invalid_token") => (
                    false,
                    Some("Salesforce no longer knew this token; the local entry was deleted.".into()),
                ),
                _ => return Err(provider_error(status, &body)),
            }
        }
        Provider::Exchange => (
            false,
            Some(format!(
                "Microsoft has no way for an app to revoke its own tokens; the local copy was deleted. \
                 To end the sessions too, an administrator runs `Revoke-MgUserSignInSession -UserId {}` \
                 (Microsoft Graph PowerShell) or selects \"Revoke sessions\" on the user in the Entra admin center.",
                stored.login
            )),
        ),
    };
    store.delete(provider, &stored.login)?;
    Ok(Revoked {
        login: stored.login,
        at_provider,
        note,
    })
}

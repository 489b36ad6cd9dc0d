//! The Exchange plan's secret (app_only: the Entra app's client secret; impersonation: the
//! impersonating account's password): which keyring entry the plan keeps it under, and
//! storing it there. One writer for both faces: `exchange store-secret` (read from stdin) and
//! the wizard's masked field on the Exchange access step call [`store`], and `exchange check`
//! (CLI and wizard) finds it through the same [`entry`].
// Reachable from outside only through `tui` (public with the `testing` feature).
#![cfg_attr(not(feature = "testing"), allow(unreachable_pub))]

use super::exchange_check::CheckPlan;
use crate::auth::{Config, ExchangeSecret, StoreError, TokenStore};

/// A secret typed or piped in: kept in memory only until it is stored, never Debug-printed.
/// Not `Clone`, so there is exactly one copy to drop.
pub struct Secret(String);

impl Secret {
    /// Wraps what was typed or read.
    pub fn new(text: String) -> Secret {
        Secret(text)
    }

    /// Nothing but spaces: refused rather than stored.
    pub fn is_blank(&self) -> bool {
        self.0.trim().is_empty()
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret([redacted])")
    }
}

/// Why a secret was not stored.
#[derive(Debug, thiserror::Error)]
pub(crate) enum SecretError {
    /// Nothing (or only spaces) was given.
    #[error("no {0} was given")]
    Empty(String),
    /// The plan names no entry yet (its client ID or account is not set).
    #[error("{0}")]
    NoEntry(String),
    /// The keyring refused or could not be reached.
    #[error(transparent)]
    Keyring(#[from] StoreError),
}

/// The entry `plan`'s secret is kept under, without checking that its key is set:
/// `exchange-app-secret:{client ID}` (app_only) or
/// `exchange-impersonation-password:{account}` (impersonation); None for per_user.
pub(crate) fn entry_unchecked(plan: &CheckPlan, config: &Config) -> Option<ExchangeSecret> {
    match plan {
        CheckPlan::AppOnly { .. } => Some(ExchangeSecret::App(
            config.microsoft.client_id.trim().to_string(),
        )),
        CheckPlan::Impersonation { account, .. } => {
            Some(ExchangeSecret::Account(account.trim().to_string()))
        }
        CheckPlan::PerUser { .. } => None,
    }
}

/// The entry `plan`'s secret is kept under; the error names the setting to fill first.
pub(crate) fn entry(
    plan: &CheckPlan,
    config: &Config,
) -> Result<Option<ExchangeSecret>, SecretError> {
    match entry_unchecked(plan, config) {
        Some(ExchangeSecret::App(id)) if id.is_empty() => Err(SecretError::NoEntry(
            "set entra_client_id (the Entra app's client ID) first: its client secret is kept under it".into(),
        )),
        Some(ExchangeSecret::Account(a)) if a.is_empty() => Err(SecretError::NoEntry(
            "set impersonation_account first: its password is kept under it".into(),
        )),
        other => Ok(other),
    }
}

/// Stores (or replaces) `secret` as `which` in `store`, and drops it. A blank secret is
/// refused, so a stray Enter never wipes a good one.
pub(crate) fn store(
    store: &TokenStore,
    which: &ExchangeSecret,
    secret: Secret,
) -> Result<(), SecretError> {
    if secret.is_blank() {
        return Err(SecretError::Empty(which.describe()));
    }
    store.save_exchange_secret(which, secret.0)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blank_is_refused_and_the_value_never_prints() {
        let s = TokenStore::in_memory();
        let which = ExchangeSecret::App("app-1".into());
        assert!(matches!(
            store(&s, &which, Secret::new("  ".into())),
            Err(SecretError::Empty(_))
        ));
        assert_eq!(
            format!("{:?}", Secret::new("hunter2".into())),
            "Secret([redacted])"
        );
        store(&s, &which, Secret::new("hunter2".into())).unwrap();
        assert_eq!(
            s.app_secret("app-1").unwrap().map(|c| c.secret().clone()),
            Some("hunter2".to_string())
        );
    }

    #[test]
    fn the_entry_needs_its_key() {
        let mut config = Config::default();
        config.microsoft.client_id = String::new();
        let app = CheckPlan::AppOnly {
            api: crate::customize::Api::Graph,
            ews_url: String::new(),
        };
        assert!(matches!(entry(&app, &config), Err(SecretError::NoEntry(_))));
        config.microsoft.client_id = " id-1 ".into();
        assert_eq!(
            entry(&app, &config).unwrap(),
            Some(ExchangeSecret::App("id-1".into()))
        );
        let imp = CheckPlan::Impersonation {
            ews_url: String::new(),
            account: "svc@contoso.com".into(),
        };
        assert_eq!(
            entry(&imp, &config).unwrap(),
            Some(ExchangeSecret::Account("svc@contoso.com".into()))
        );
    }
}

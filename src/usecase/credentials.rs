//! The stored authorizations: which ones a renewal covers, and one renewal as a typed
//! outcome ([`Renewal`]: renewed, or expired with who must sign in again). Revoking and
//! status are `auth::revoke` / `auth::status`, re-exported here: their outcomes are already
//! typed (`Revoked`, the stored credential or none).

use crate::auth::{self, AuthError, Authorized, Config, Expected, Provider, TokenStore};
use crate::usecase::authorize::same_account;

pub(crate) use crate::auth::revoke;

/// What renewing one stored authorization came to.
#[derive(Debug)]
pub(crate) enum Renewal {
    /// A new access token; the rotated refresh token is stored.
    Renewed(Authorized),
    /// The refresh token is dead (expired, revoked, password changed): only a new sign-in
    /// helps, as the same account.
    Expired {
        /// Why, in the provider's words (`AuthError::Expired`).
        error: AuthError,
        /// Who signs in again (the browser's login hint), when known.
        login: Option<String>,
        /// What the new sign-in must match: the same account.
        expected: Option<Expected>,
    },
}

/// Renews `provider`'s stored authorization (`login`'s, when given). Any other failure
/// (nothing stored, keyring, network) is the error.
pub(crate) fn renew(
    config: &Config,
    store: &TokenStore,
    provider: Provider,
    login: Option<&str>,
) -> Result<Renewal, AuthError> {
    match auth::renew(config, store, provider, login) {
        Ok(a) => Ok(Renewal::Renewed(a)),
        Err(error @ AuthError::Expired { .. }) => {
            let login = login
                .map(str::to_string)
                .or_else(|| auth::select(store, provider, None).ok().map(|c| c.login));
            let expected = login.as_deref().map(|w| same_account(provider, w));
            Ok(Renewal::Expired {
                error,
                login,
                expected,
            })
        }
        Err(e) => Err(e),
    }
}

/// The authorizations `renew` works on: the one named (`provider`, and `login` when given),
/// or every stored one (only `login`'s when given). Empty means nothing is stored to renew.
pub(crate) fn renew_targets(
    store: &TokenStore,
    provider: Option<Provider>,
    login: Option<&str>,
) -> Result<Vec<(Provider, Option<String>)>, AuthError> {
    if let Some(p) = provider {
        return Ok(vec![(p, login.map(str::to_string))]);
    }
    Ok(store
        .list()?
        .into_iter()
        // Administrators' sign-ins are renewed when `roster pull` / `verify` use them.
        .filter(|c| !c.admin)
        .filter(|c| login.is_none_or(|l| l.trim().eq_ignore_ascii_case(&c.login)))
        .map(|c| (c.provider, Some(c.login)))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::StoredCredential;
    use oauth2::RefreshToken;

    fn save(store: &TokenStore, provider: Provider, login: &str) {
        store
            .save(&StoredCredential {
                provider,
                login: login.into(),
                user_id: "u".into(),
                org_id: "o".into(),
                instance_url: String::new(),
                issued_at: 1,
                refresh_token: RefreshToken::new("rt".into()),
                admin: false,
            })
            .unwrap();
    }

    #[test]
    fn renew_covers_the_named_one_or_every_stored_one() {
        let store = TokenStore::in_memory();
        assert!(renew_targets(&store, None, None).unwrap().is_empty());
        save(&store, Provider::Salesforce, "jane@example.com");
        save(&store, Provider::Exchange, "jane@contoso.example");
        let mut all = renew_targets(&store, None, None).unwrap();
        all.sort();
        assert_eq!(
            all,
            [
                (Provider::Salesforce, Some("jane@example.com".into())),
                (Provider::Exchange, Some("jane@contoso.example".into())),
            ]
        );
        assert_eq!(
            renew_targets(&store, None, Some("JANE@contoso.example")).unwrap(),
            [(Provider::Exchange, Some("jane@contoso.example".into()))]
        );
        assert_eq!(
            renew_targets(&store, Some(Provider::Salesforce), None).unwrap(),
            [(Provider::Salesforce, None)]
        );
    }
}

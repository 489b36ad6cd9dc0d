//! The stored authorizations: which ones a renewal covers. (Refreshing, revoking and status
//! are `auth::renew` / `auth::revoke` / `auth::status`, whose outcomes are already typed: a
//! dead refresh token is `AuthError::Expired`, and `usecase::authorize::same_account` is who
//! must sign in again.)

use crate::auth::{AuthError, Provider, TokenStore};

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

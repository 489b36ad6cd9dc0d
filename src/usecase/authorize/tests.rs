use super::*;
use crate::auth::StoredCredential;
use oauth2::{AccessToken, RefreshToken};

fn signed_in(provider: Provider, login: &str, user_id: &str) -> Authorized {
    let identity = Identity {
        provider,
        login: login.into(),
        user_id: user_id.into(),
        org_id: "00D5e000000AbCdEAK".into(),
    };
    Authorized {
        credential: StoredCredential {
            provider,
            login: login.into(),
            user_id: user_id.into(),
            org_id: identity.org_id.clone(),
            instance_url: String::new(),
            issued_at: 1,
            refresh_token: RefreshToken::new("rt".into()),
            admin: false,
        },
        identity,
        access_token: AccessToken::new("at".into()),
    }
}

fn jane() -> Expected {
    Expected {
        full_name: Some("Jane Doe".into()),
        salesforce_login: Some("jane.doe@acme.com.au".into()),
        salesforce_user_id: Some("0055e000001XyZa".into()),
        office365_login: Some("jane.doe@acme.com".into()),
        ..Expected::default()
    }
}

const JANE_ID: &str = "0055e000001XyZaAAK";
const JOHN_ID: &str = "0055e000002QrStAAK";

#[test]
fn the_expected_account_is_stored() {
    let store = TokenStore::in_memory();
    for on in [OnMismatch::Refuse, OnMismatch::Ask, OnMismatch::Store] {
        let a = signed_in(Provider::Salesforce, "jane.doe@acme.com.au", JANE_ID);
        match decide(&store, a, Some(&jane()), on).unwrap() {
            Decision::Stored(s) => {
                assert_eq!(s.identity.login, "jane.doe@acme.com.au");
                assert_eq!(s.overridden, None);
            }
            other => panic!("{on:?}: {other:?}"),
        }
    }
    assert!(store
        .load(Provider::Salesforce, "jane.doe@acme.com.au")
        .unwrap()
        .is_some());
}

#[test]
fn someone_else_is_refused_held_or_stored_as_asked() {
    let store = TokenStore::in_memory();
    let john = || signed_in(Provider::Salesforce, "john.smith@contoso.com", JOHN_ID);

    match decide(&store, john(), Some(&jane()), OnMismatch::Refuse).unwrap() {
        Decision::Rejected(m) => {
            assert_eq!(m.signed_in.login, "john.smith@contoso.com");
            let text = m.to_string();
            assert!(
                text.contains("expected jane.doe@acme.com.au (0055e000001XyZa), signed in as john.smith@contoso.com (0055e000002QrStAAK)"),
                "{text}"
            );
        }
        other => panic!("{other:?}"),
    }
    assert!(store.list().unwrap().is_empty(), "refused: nothing stored");

    let pending = match decide(&store, john(), Some(&jane()), OnMismatch::Ask).unwrap() {
        Decision::NeedsConfirmation(p) => p,
        other => panic!("{other:?}"),
    };
    assert_eq!(pending.provider(), Provider::Salesforce);
    assert_eq!(pending.mismatch.differences.len(), 2);
    assert!(
        store.list().unwrap().is_empty(),
        "asked: nothing stored yet"
    );
    let stored = confirm(&store, pending).unwrap();
    assert_eq!(stored.identity.login, "john.smith@contoso.com");
    assert!(stored.overridden.is_some());
    assert!(store
        .load(Provider::Salesforce, "john.smith@contoso.com")
        .unwrap()
        .is_some());

    let store = TokenStore::in_memory();
    match decide(&store, john(), Some(&jane()), OnMismatch::Store).unwrap() {
        Decision::Stored(s) => assert!(s.overridden.is_some()),
        other => panic!("{other:?}"),
    }
    assert_eq!(store.list().unwrap().len(), 1);
}

#[test]
fn without_an_expectation_anyone_is_stored() {
    let store = TokenStore::in_memory();
    let a = signed_in(Provider::Exchange, "whoever@contoso.com", "oid");
    assert!(matches!(
        decide(&store, a, None, OnMismatch::Refuse).unwrap(),
        Decision::Stored(_)
    ));
}

#[test]
fn the_hint_is_each_providers_own_login() {
    let e = jane();
    assert_eq!(
        login_hint(Provider::Salesforce, Some(&e), Some("jane.doe@acme.com")).as_deref(),
        Some("jane.doe@acme.com.au")
    );
    assert_eq!(
        login_hint(Provider::Exchange, Some(&e), None).as_deref(),
        Some("jane.doe@acme.com")
    );
    assert_eq!(
        login_hint(Provider::Exchange, None, Some("x@example.com")).as_deref(),
        Some("x@example.com")
    );
    assert_eq!(login_hint(Provider::Salesforce, None, None), None);
}

#[test]
fn expectation_comes_from_expect_and_refuses_a_foreign_login() {
    let mut config = Config::default();
    assert_eq!(expectation(&config, None, Some("a@b.c")).unwrap(), None);
    config.expect = Some(jane());
    assert_eq!(expectation(&config, None, None).unwrap(), Some(jane()));
    for ok in ["JANE.DOE@acme.com", "jane.doe@acme.com.au"] {
        assert_eq!(expectation(&config, None, Some(ok)).unwrap(), Some(jane()));
    }
    let err = expectation(&config, None, Some("john.smith@contoso.com")).unwrap_err();
    let text = err.to_string();
    assert!(
        matches!(err, AuthError::Config(_))
            && text.contains("john.smith@contoso.com")
            && text.contains("Jane Doe")
            && text.contains("jane.doe@acme.com.au"),
        "{text}"
    );
}

#[test]
fn a_roster_row_wins_over_expect() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("r.csv");
    std::fs::write(
        &p,
        "Full name,Salesforce login,Salesforce user ID,Office 365 login,Office 365 email\n\
         John Smith,john@example.com,0055e000002QrSt,john@contoso.example,john@contoso.example\n",
    )
    .unwrap();
    let config = Config {
        expect: Some(jane()),
        ..Config::default()
    };
    let e = expectation(&config, Some(&p), Some("john@contoso.example"))
        .unwrap()
        .unwrap();
    assert_eq!(e.salesforce_login.as_deref(), Some("john@example.com"));
    let err = expectation(&config, Some(&p), Some("nobody@example.com")).unwrap_err();
    assert!(matches!(err, AuthError::Config(_)), "{err}");
}

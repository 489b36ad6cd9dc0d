use super::*;

fn sf(id: &str, username: &str, email: &str) -> SalesforceUser {
    SalesforceUser {
        id: id.into(),
        name: format!("Name {id}"),
        username: username.into(),
        email: email.into(),
        active: true,
        user_type: Some("Standard".into()),
        federation_id: None,
        line: None,
    }
}

fn ms(upn: &str, mail: Option<&str>, proxies: &[&str]) -> MicrosoftUser {
    MicrosoftUser {
        id: format!("oid-{upn}"),
        upn: upn.into(),
        display_name: upn.into(),
        mail: mail.map(Into::into),
        proxy_addresses: Some(proxies.iter().map(|p| p.to_string()).collect()),
        enabled: true,
        user_type: Some("Member".into()),
        line: None,
    }
}

fn opts() -> JoinOptions {
    JoinOptions::default()
}

#[test]
fn one_candidate_each_side_is_a_match_recorded_by_the_strongest_key() {
    let mut alice = sf("005A", "alice@acme.com", "Alice@Acme.com");
    alice.federation_id = Some("alice@acme.com".into());
    let users = [alice, sf("005B", "bob@acme.com.sandbox", "bob@acme.com")];
    let accounts = [
        ms("bob.smith@acme.onmicrosoft.com", Some("Bob@acme.com"), &[]),
        ms(
            "ALICE@acme.com",
            Some("alice@acme.com"),
            &["SMTP:alice@acme.com"],
        ),
    ];
    let out = join(&users, &accounts, &opts());
    assert!(out.all_matched());
    assert_eq!(out.matched.len(), 2);
    let a = &out.matched[0];
    assert_eq!((a.salesforce, a.microsoft), (0, 1));
    assert_eq!(
        (a.by.salesforce, a.by.microsoft, a.by.value.as_str()),
        (SfKey::FederationId, MsKey::Upn, "alice@acme.com")
    );
    let b = &out.matched[1];
    assert_eq!((b.salesforce, b.microsoft), (1, 0));
    assert_eq!(
        (b.by.salesforce, b.by.microsoft),
        (SfKey::Email, MsKey::Mail)
    );
    assert_eq!(
        b.roster_row(&users, &accounts),
        [
            "Name 005B",
            "bob@acme.com.sandbox",
            "005B",
            "bob.smith@acme.onmicrosoft.com",
            "Bob@acme.com"
        ]
        .map(String::from)
    );
}

#[test]
fn aliases_count_only_as_smtp_entries() {
    let users = [
        sf("1", "jane@old.example", "jane@old.example"),
        sf("2", "sam@x.example", "sam.sip@x.example"),
    ];
    let accounts = [
        ms(
            "jane@new.example",
            Some("jane@new.example"),
            &["SMTP:jane@new.example", "smtp:Jane@Old.Example"],
        ),
        ms("sam2@x.example", None, &["SIP:sam.sip@x.example"]),
    ];
    let out = join(&users, &accounts, &opts());
    assert_eq!(out.matched.len(), 1);
    assert_eq!(out.matched[0].by.microsoft, MsKey::ProxyAddress);
    assert_eq!(out.matched[0].by.salesforce, SfKey::Email);
    assert_eq!(out.only_salesforce, vec![1], "a SIP address is no evidence");
    assert_eq!(out.only_microsoft, vec![1]);
    assert!(!out.all_matched());
}

#[test]
fn two_users_sharing_an_email_are_both_ambiguous() {
    let users = [
        sf("1", "a@sf.example", "shared@acme.com"),
        sf("2", "b@sf.example", "shared@acme.com"),
    ];
    let accounts = [ms("shared@acme.com", Some("shared@acme.com"), &[])];
    let out = join(&users, &accounts, &opts());
    assert!(out.matched.is_empty());
    assert_eq!(out.ambiguous.len(), 2);
    assert_eq!(out.ambiguous[0].candidates.len(), 1);
    assert_eq!(out.ambiguous[0].contested_by, vec![1]);
    assert_eq!(out.ambiguous[1].contested_by, vec![0]);
    assert!(out.only_microsoft.is_empty());
}

#[test]
fn keys_pointing_at_different_accounts_are_ambiguous_whatever_their_strength() {
    let users = [sf("1", "jo@acme.com", "jo.personal@acme.com")];
    let accounts = [
        ms("jo@acme.com", None, &[]),
        ms("other@acme.com", Some("jo.personal@acme.com"), &[]),
    ];
    let out = join(&users, &accounts, &opts());
    assert!(out.matched.is_empty());
    let a = &out.ambiguous[0];
    let got: Vec<(usize, SfKey, MsKey)> = a
        .candidates
        .iter()
        .map(|(m, b)| (*m, b.salesforce, b.microsoft))
        .collect();
    assert_eq!(
        got,
        vec![
            (0, SfKey::Username, MsKey::Upn),
            (1, SfKey::Email, MsKey::Mail)
        ],
        "strongest first"
    );
    assert!(a.contested_by.is_empty());
}

#[test]
fn one_address_on_two_accounts_is_ambiguous() {
    let users = [sf("1", "x@sf.example", "team@acme.com")];
    let accounts = [
        ms("a@acme.com", Some("team@acme.com"), &[]),
        ms("b@acme.com", None, &["smtp:team@acme.com"]),
    ];
    let out = join(&users, &accounts, &opts());
    assert_eq!(out.ambiguous.len(), 1);
    assert_eq!(out.ambiguous[0].candidates.len(), 2);
}

#[test]
fn names_are_never_evidence() {
    let mut u = sf("1", "pat@sf.example", "pat@home.example");
    u.name = "Pat Lee".into();
    let mut m = ms("pat.lee@acme.com", Some("pat.lee@acme.com"), &[]);
    m.display_name = "Pat Lee".into();
    let out = join(&[u], &[m], &opts());
    assert_eq!(out.only_salesforce, vec![0]);
    assert_eq!(out.only_microsoft, vec![0]);
}

#[test]
fn inactive_disabled_and_guests_are_skipped_unless_asked() {
    let mut gone = sf("1", "old@acme.com", "dup@acme.com");
    gone.active = false;
    let mut portal = sf("2", "portal@acme.com", "portal@acme.com");
    portal.user_type = Some("PowerPartner".into());
    let now = sf("3", "new@acme.com", "dup@acme.com");
    let mut guest = ms(
        "g_ext#EXT#@acme.onmicrosoft.com",
        Some("portal@acme.com"),
        &[],
    );
    guest.user_type = Some("Guest".into());
    let mut disabled = ms("old@acme.com", None, &[]);
    disabled.enabled = false;
    let live = ms("new@acme.com", Some("dup@acme.com"), &[]);
    let users = [gone, portal, now];
    let accounts = [guest, disabled, live];

    let out = join(&users, &accounts, &opts());
    assert_eq!(out.matched.len(), 1, "the inactive twin does not contest");
    assert_eq!(
        (out.matched[0].salesforce, out.matched[0].microsoft),
        (2, 2)
    );
    let skipped: Vec<(Side, usize, SkipReason)> = out
        .skipped
        .iter()
        .map(|s| (s.side, s.index, s.reason))
        .collect();
    assert_eq!(
        skipped,
        vec![
            (Side::Salesforce, 0, SkipReason::Inactive),
            (Side::Salesforce, 1, SkipReason::NotStandardUser),
            (Side::Microsoft, 0, SkipReason::Guest),
            (Side::Microsoft, 1, SkipReason::Disabled),
        ]
    );
    assert!(out.all_matched());

    let all = join(
        &users,
        &accounts,
        &JoinOptions {
            include_inactive: true,
        },
    );
    assert!(all.skipped.is_empty());
    // The old user now points at the disabled account (username) and the live one (e-mail).
    assert_eq!(
        all.ambiguous
            .iter()
            .map(|a| a.salesforce)
            .collect::<Vec<_>>(),
        vec![0, 2]
    );
    assert_eq!(all.matched.len(), 1);
    assert_eq!(
        (all.matched[0].salesforce, all.matched[0].microsoft),
        (1, 0)
    );
}

#[test]
fn case_and_spaces_do_not_matter_but_every_character_else_does() {
    let users = [
        sf("1", " MIXED.Case@Acme.COM ", ""),
        sf("2", "close@acme.com", "close@acme.co"),
        sf("3", "ünï@acme.com", ""),
    ];
    let accounts = [
        ms("mixed.case@acme.com", None, &[]),
        ms("close@acme.com.au", Some("close@acme.com.au"), &[]),
        ms("ÜNÏ@ACME.COM", None, &[]),
    ];
    let out = join(&users, &accounts, &opts());
    let pairs: Vec<(usize, usize)> = out
        .matched
        .iter()
        .map(|m| (m.salesforce, m.microsoft))
        .collect();
    assert_eq!(pairs, vec![(0, 0), (2, 2)]);
    assert_eq!(out.matched[0].by.value, "MIXED.Case@Acme.COM");
    assert_eq!(out.only_salesforce, vec![1]);
}

#[test]
fn email_falls_back_to_the_primary_smtp_and_is_never_invented() {
    let users = [sf("1", "a@acme.com", ""), sf("2", "b@acme.com", "")];
    let accounts = [
        ms(
            "a@acme.com",
            None,
            &["smtp:alias@acme.com", "SMTP:primary@acme.com"],
        ),
        ms("b@acme.com", None, &[]),
    ];
    let out = join(&users, &accounts, &opts());
    assert_eq!(
        out.matched[0].roster_row(&users, &accounts)[4],
        "primary@acme.com"
    );
    assert_eq!(out.matched[1].roster_row(&users, &accounts)[4], "");
}

#[test]
fn empty_inputs_and_empty_keys() {
    assert_eq!(join(&[], &[], &opts()), JoinOutcome::default());
    let out = join(&[sf("1", "", "")], &[ms("", None, &[])], &opts());
    assert_eq!(out.only_salesforce, vec![0]);
    assert_eq!(out.only_microsoft, vec![0]);
}

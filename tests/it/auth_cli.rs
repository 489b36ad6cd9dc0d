//! `authorize` and `credentials` end to end, without a terminal, against real parts: the npm
//! oidc-provider (Microsoft layout), a Salesforce-shaped server, the browser stand-in as
//! $BROWSER (through xdg-open), and the real Secret Service / kernel keyutils keyrings.
//! Run inside scripts/test-in-session.sh.
#![cfg(target_os = "linux")]

use crate::support;

use scc_onboard::auth::Provider;
use std::process::Stdio;
use std::time::{Duration, Instant};
use support::*;

#[test]
fn salesforce_authorize_list_renew_revoke_and_nothing_leaks() {
    let _k = keyring_lock();
    clear_keyring("secret-service");
    let port = free_port();
    let sf = salesforce(port);
    let sb = Sandbox::new(&config_toml(Some((&sf, port)), None, "secret-service", 60));

    let out = sb.run(&["authorize", "salesforce", "--login", "jane@example.com"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("/services/oauth2/authorize?"),
        "the URL is shown: {err}"
    );
    assert!(
        err.contains("Authorized Salesforce as jane@example.com"),
        "{err}"
    );
    assert!(stdout(&out).is_empty(), "nothing on stdout");

    // The entry is in the Secret Service, small, with the identity from the identity URL.
    let c = token_store("secret-service")
        .load(Provider::Salesforce, "jane@example.com")
        .unwrap()
        .expect("stored");
    assert_eq!(c.user_id, "0055e000001XyZaAAK");
    assert_eq!(c.org_id, "00D5e000000AbCdEAK");
    assert_eq!(c.instance_url, sf.base());
    assert!(c.to_secret().unwrap().len() < 2560);
    assert!(sf.secrets().contains(c.refresh_token.secret()));

    let out = sb.run(&["credentials", "list", "--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let list: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(list[0]["provider"], "salesforce");
    assert_eq!(list[0]["login"], "jane@example.com");
    assert_eq!(list[0]["fingerprint"], c.fingerprint());
    let table = sb.run(&["credentials", "list"]);
    assert!(stdout(&table).contains("jane@example.com"));

    let out = sb.run(&["credentials", "renew", "salesforce"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stderr(&out).contains("Renewed Salesforce for jane@example.com"));

    let out = sb.run(&["credentials", "revoke", "salesforce"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("Revoked Salesforce"),
        "{}",
        stderr(&out)
    );
    assert!(token_store("secret-service")
        .list_provider(Provider::Salesforce)
        .unwrap()
        .is_empty());
    // Revoked at the provider: the refresh token no longer works there.
    let dead = ureq::post(&format!("{}/services/oauth2/token", sf.base())).send_form(&[
        ("grant_type", "refresh_token"),
        ("client_id", SF_CLIENT),
        ("refresh_token", c.refresh_token.secret()),
    ]);
    assert!(matches!(dead, Err(ureq::Error::Status(400, _))));

    let out = sb.run(&["credentials", "renew", "salesforce"]);
    assert_eq!(out.status.code(), Some(1));

    let searched = sb.assert_no_leaks(&sf.secrets(), &xdg_data_home());
    assert!(searched > 0);
}

fn xdg_data_home() -> Vec<std::path::PathBuf> {
    std::env::var_os("XDG_DATA_HOME")
        .map(Into::into)
        .into_iter()
        .collect()
}

#[test]
fn exchange_authorize_renew_rotates_and_revoke_explains_admin_step() {
    let _k = keyring_lock();
    clear_keyring("secret-service");
    let ms = microsoft();
    let mut sb = Sandbox::new(&config_toml(None, Some(&ms), "secret-service", 60));
    sb.set("STANDIN_LOGIN", "adele@contoso.example");

    let out = sb.run(&["authorize", "exchange"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stderr(&out).contains("Authorized Exchange as adele@contoso.example"));
    let before = token_store("secret-service")
        .load(Provider::Exchange, "adele@contoso.example")
        .unwrap()
        .expect("stored");
    assert_eq!(before.org_id, "72f988bf-86f1-41af-91ab-2d7cd011db47");
    assert!(!before.user_id.is_empty());

    let out = sb.run(&[
        "credentials",
        "renew",
        "exchange",
        "--login",
        "ADELE@contoso.example",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let after = token_store("secret-service")
        .load(Provider::Exchange, "adele@contoso.example")
        .unwrap()
        .unwrap();
    assert_ne!(
        before.refresh_token.secret(),
        after.refresh_token.secret(),
        "the rotated refresh token replaced the old one"
    );

    let out = sb.run(&["credentials", "revoke", "exchange"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("Revoke-MgUserSignInSession"),
        "{}",
        stderr(&out)
    );
    assert!(token_store("secret-service").list().unwrap().is_empty());
    sb.assert_no_leaks(&ms.secrets(), &xdg_data_home());
}

#[test]
fn denied_consent_exits_1_and_stores_nothing() {
    let _k = keyring_lock();
    clear_keyring("secret-service");
    let port = free_port();
    let sf = salesforce(port);
    let ms = microsoft();
    let mut sb = Sandbox::new(&config_toml(
        Some((&sf, port)),
        Some(&ms),
        "secret-service",
        60,
    ));
    sb.set("STANDIN_MODE", "deny");
    for p in ["salesforce", "exchange"] {
        let out = sb.run(&["authorize", p]);
        assert_eq!(out.status.code(), Some(1), "{p}: {}", stderr(&out));
        assert!(stderr(&out).contains("denied"), "{p}: {}", stderr(&out));
    }
    assert!(token_store("secret-service").list().unwrap().is_empty());
}

#[test]
fn wrong_or_missing_state_is_refused() {
    let _k = keyring_lock();
    clear_keyring("secret-service");
    let port = free_port();
    let sf = salesforce(port);
    let mut sb = Sandbox::new(&config_toml(Some((&sf, port)), None, "secret-service", 60));
    for (mode, says) in [
        ("tamper-state", "does not match"),
        ("drop-state", "no state"),
    ] {
        sb.set("STANDIN_MODE", mode);
        let out = sb.run(&["authorize", "salesforce"]);
        assert_eq!(out.status.code(), Some(1), "{mode}: {}", stderr(&out));
        assert!(stderr(&out).contains(says), "{mode}: {}", stderr(&out));
    }
    assert!(token_store("secret-service").list().unwrap().is_empty());
}

#[test]
fn port_in_use_names_the_port_and_the_config_key() {
    let port = free_port();
    let _taken = std::net::TcpListener::bind(("127.0.0.1", port)).unwrap();
    let sf = salesforce(port);
    let sb = Sandbox::new(&config_toml(Some((&sf, port)), None, "secret-service", 60));
    let out = sb.run(&["authorize", "salesforce"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains(&format!("port {port}")) && err.contains("salesforce.redirect_uri"),
        "{err}"
    );
}

#[test]
fn no_answer_times_out_with_a_clear_message() {
    let ms = microsoft();
    let mut sb = Sandbox::new(&config_toml(None, Some(&ms), "secret-service", 1));
    sb.set("BROWSER", "true");
    let started = Instant::now();
    let out = sb.run(&["authorize", "exchange"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("no answer from the browser within 1 seconds"),
        "{}",
        stderr(&out)
    );
    assert!(started.elapsed() < Duration::from_secs(20));
}

#[test]
fn provider_error_json_is_reported() {
    let _k = keyring_lock();
    let port = free_port();
    let sf = salesforce(port);
    let sb = Sandbox::new(&config_toml(Some((&sf, port)), None, "secret-service", 60));
    sf.post(
        "/__test/fail-next-token",
        &[
            ("error", "inactive_org"),
            ("error_description", "the org is inactive"),
        ],
    );
    let out = sb.run(&["authorize", "salesforce"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("inactive_org") && err.contains("the org is inactive"),
        "{err}"
    );
}

#[test]
fn bad_configuration_exits_2() {
    let sb =
        Sandbox::new("[salesforce]\nlogin_url = \"https://login.salesforce.com\"\nbogus = 1\n");
    let out = sb.run(&["authorize", "salesforce"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("bogus"), "{}", stderr(&out));
    let sb = Sandbox::new("[flow]\nkeyring = \"secret-service\"\n");
    let out = sb.run(&["authorize", "exchange"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("microsoft.client_id"),
        "{}",
        stderr(&out)
    );
    let out = sb.run(&["authorize", "dropbox"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn authorize_screen_without_a_terminal_says_what_to_run() {
    let sb = Sandbox::new("[flow]\nkeyring = \"secret-service\"\n");
    let out = sb.run(&["authorize"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("scc-onboard authorize salesforce"),
        "{}",
        stderr(&out)
    );
}

/// Device flow: the code goes to stderr; "another device" (the stand-in) enters it.
fn device_flow(provider: &str, sb: &Sandbox, complete_url: impl Fn(&str, &str) -> String) {
    let mut child = sb
        .command(&["authorize", provider, "--device"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let lines = stderr_lines(&mut child);
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut seen = Vec::new();
    let (uri, code) = loop {
        let line = lines
            .recv_timeout(deadline.saturating_duration_since(Instant::now()))
            .unwrap_or_else(|_| panic!("no device code shown: {seen:?}"));
        seen.push(line.clone());
        if let Some(rest) = line.strip_prefix(&format!("To authorize {}, open ", cap(provider))) {
            let uri = rest.split(' ').next().unwrap().to_string();
            lines.recv_timeout(Duration::from_secs(5)).unwrap();
            let code = lines
                .recv_timeout(Duration::from_secs(5))
                .unwrap()
                .trim()
                .to_string();
            break (uri, code);
        }
    };
    let standin = std::process::Command::new(browser_standin())
        .arg(complete_url(&uri, &code))
        .envs(&sb.env)
        .status()
        .unwrap();
    assert!(standin.success());
    let status = wait_exit(&mut child, Duration::from_secs(60));
    // The reader thread may still be forwarding the last lines: read until it ends (EOF).
    let mut rest = Vec::new();
    while let Ok(line) = lines.recv_timeout(Duration::from_secs(10)) {
        rest.push(line);
    }
    sb.keep_text(format!("{}\n{}", seen.join("\n"), rest.join("\n")));
    assert_eq!(status.code(), Some(0), "{seen:?} {rest:?}");
    assert!(rest.iter().any(|l| l.contains("Authorized")), "{rest:?}");
}

fn cap(p: &str) -> &'static str {
    if p == "salesforce" {
        "Salesforce"
    } else {
        "Exchange"
    }
}

#[test]
fn device_flow_for_both_providers_on_keyutils() {
    let _k = keyring_lock();
    clear_keyring("keyutils");
    let port = free_port();
    let sf = salesforce(port);
    let ms = microsoft();
    let sb = Sandbox::new(&config_toml(Some((&sf, port)), Some(&ms), "keyutils", 60));
    device_flow("salesforce", &sb, |uri, code| {
        format!("{uri}?user_code={code}")
    });
    device_flow("exchange", &sb, |uri, code| {
        format!("{uri}?user_code={code}")
    });
    let all = token_store("keyutils").list().unwrap();
    assert_eq!(all.len(), 2, "{all:?}");
    let out = sb.run(&["credentials", "list", "--json"]);
    let list: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(list.as_array().unwrap().len(), 2);
    let mut secrets = sf.secrets();
    secrets.extend(ms.secrets());
    sb.assert_no_leaks(&secrets, &[]);
    clear_keyring("keyutils");
}

#[test]
fn renew_signs_in_again_when_the_refresh_token_is_dead() {
    let _k = keyring_lock();
    clear_keyring("secret-service");
    let port = free_port();
    let sf = salesforce(port);
    let sb = Sandbox::new(&config_toml(Some((&sf, port)), None, "secret-service", 60));
    assert_eq!(sb.run(&["authorize", "salesforce"]).status.code(), Some(0));
    let before = token_store("secret-service")
        .load(Provider::Salesforce, "jane@example.com")
        .unwrap()
        .unwrap();
    sf.post("/__test/forget-refresh-tokens", &[]);
    let out = sb.run(&["credentials", "renew"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stderr(&out).contains("no longer works"), "{}", stderr(&out));
    let after = token_store("secret-service")
        .load(Provider::Salesforce, "jane@example.com")
        .unwrap()
        .unwrap();
    assert_ne!(before.refresh_token.secret(), after.refresh_token.secret());
    sb.assert_no_leaks(&sf.secrets(), &[]);
    clear_keyring("secret-service");
}

const ROSTER: &str =
    "Full name,Salesforce login,Salesforce user ID,Office 365 login,Office 365 email\n\
Jane Doe,jane@example.com,0055e000001XyZa,jane@contoso.example,jane@contoso.example\n";

#[test]
fn mismatched_identity_is_caught_and_nothing_is_stored_unless_accepted() {
    let _k = keyring_lock();
    clear_keyring("secret-service");
    let port = free_port();
    let sf = salesforce(port);
    let ms = microsoft();
    let mut sb = Sandbox::new(&config_toml(
        Some((&sf, port)),
        Some(&ms),
        "secret-service",
        60,
    ));
    let roster = sb.dir.path().join("roster.csv");
    std::fs::write(&roster, ROSTER).unwrap();
    let roster = roster.display().to_string();

    // The roster's own account matches (the 15-character user ID equals the 18-character one).
    let out = sb.run(&[
        "authorize",
        "salesforce",
        "--login",
        "jane@example.com",
        "--roster",
        &roster,
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    clear_keyring("secret-service");

    // Someone else signs in: exit 1, both identities shown, nothing stored.
    sb.set("STANDIN_LOGIN", "john@example.com");
    let out = sb.run(&[
        "authorize",
        "salesforce",
        "--login",
        "jane@example.com",
        "--roster",
        &roster,
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("jane@example.com") && err.contains("john@example.com"),
        "{err}"
    );
    assert!(
        err.contains("Salesforce user ID") && err.contains("nothing was stored"),
        "{err}"
    );
    assert!(token_store("secret-service").list().unwrap().is_empty());

    sb.set("STANDIN_LOGIN", "mallory@contoso.example");
    let out = sb.run(&[
        "authorize",
        "exchange",
        "--login",
        "jane@contoso.example",
        "--roster",
        &roster,
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("Office 365 login"),
        "{}",
        stderr(&out)
    );
    assert!(token_store("secret-service").list().unwrap().is_empty());

    // Confirmed on purpose: stored under the account that actually signed in.
    sb.set("STANDIN_LOGIN", "john@example.com");
    let out = sb.run(&[
        "authorize",
        "salesforce",
        "--login",
        "jane@example.com",
        "--roster",
        &roster,
        "--accept-mismatch",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(token_store("secret-service")
        .load(Provider::Salesforce, "john@example.com")
        .unwrap()
        .is_some());

    // A login the roster does not have is a usage error.
    let out = sb.run(&[
        "authorize",
        "salesforce",
        "--login",
        "nobody@example.com",
        "--roster",
        &roster,
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));

    // The keyring's own files (gnome-keyring writes them encrypted) hold john's entry now.
    let mut secrets = sf.secrets();
    secrets.extend(ms.secrets());
    sb.assert_no_leaks(&secrets, &xdg_data_home());
    clear_keyring("secret-service");
}

/// An invitation's config: Jane's identity at both providers. Her Salesforce username is not
/// her Office 365 login, as is common.
const JANE_EXPECT: &str = "\n[expect]\nfull_name = \"Jane Doe\"\n\
salesforce_login = \"jane@example.com\"\nsalesforce_user_id = \"0055e000001XyZa\"\n\
office365_login = \"jane@contoso.example\"\nsalesforce_org_id = \"00D5e000000AbCdEAK\"\n\
microsoft_tenant_id = \"72f988bf-86f1-41af-91ab-2d7cd011db47\"\n";

#[test]
fn expect_in_the_config_is_checked_by_default() {
    let _k = keyring_lock();
    clear_keyring("secret-service");
    let port = free_port();
    let sf = salesforce(port);
    let ms = microsoft();
    let mut config = config_toml(Some((&sf, port)), Some(&ms), "secret-service", 60);
    config.push_str(JANE_EXPECT);
    let mut sb = Sandbox::new(&config);

    // The command we tell users to run (one --login, their Office 365 login), but the browser
    // is signed in as somebody else: nothing stored, both named, exit 1.
    sb.set("STANDIN_LOGIN", "john@example.com");
    let out = sb.run(&["authorize", "salesforce", "--login", "jane@contoso.example"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("this authorization is for Jane Doe")
            && err.contains(
                "expected jane@example.com (0055e000001XyZa, org 00D5e000000AbCdEAK), \
                 signed in as john@example.com (0055e000002QrStAAK)"
            )
            && err.contains("nothing was stored"),
        "{err}"
    );
    // The sign-in page was pre-filled with her Salesforce username, not her mailbox.
    assert!(err.contains("login_hint=jane%40example.com"), "{err}");
    assert!(!err.contains("login_hint=jane%40contoso"), "{err}");
    assert!(token_store("secret-service").list().unwrap().is_empty());

    sb.set("STANDIN_LOGIN", "mallory@contoso.example");
    let out = sb.run(&["authorize", "exchange"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("expected jane@contoso.example")
            && err.contains("signed in as mallory@contoso.example")
            && err.contains("Office 365 login"),
        "{err}"
    );
    assert!(err.contains("login_hint=jane%40contoso.example"), "{err}");
    assert!(token_store("secret-service").list().unwrap().is_empty());

    // The expected person, with and without --login: stored, exit 0.
    sb.set("STANDIN_LOGIN", "jane@example.com");
    let out = sb.run(&["authorize", "salesforce", "--login", "jane@contoso.example"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stderr(&out).contains("Authorized Salesforce as jane@example.com"));
    sb.set("STANDIN_LOGIN", "jane@contoso.example");
    let out = sb.run(&["authorize", "exchange"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let all = token_store("secret-service").list().unwrap();
    let mut logins: Vec<_> = all.iter().map(|c| c.login.as_str()).collect();
    logins.sort();
    assert_eq!(logins, ["jane@contoso.example", "jane@example.com"]);

    // Somebody else's invitation: a usage error before any browser opens.
    let out = sb.run(&["authorize", "salesforce", "--login", "john@example.com"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("Jane Doe") && !err.contains("/services/oauth2/authorize?"),
        "{err}"
    );

    let mut secrets = sf.secrets();
    secrets.extend(ms.secrets());
    sb.assert_no_leaks(&secrets, &xdg_data_home());
    clear_keyring("secret-service");
}

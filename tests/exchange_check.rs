//! `exchange check` (app-only, Microsoft Graph) against the local token + Graph stand-in in
//! tests/support/graph.rs: the use case directly (every classification, Retry-After, bounded
//! concurrency, token refusals) and the real binary (exit codes, text and JSON, no leaks).

#[path = "support/graph.rs"]
mod graph;
mod support;

use graph::{Behaviour, GraphServer, GraphSetup};
use oauth2::ClientSecret;
use scc_onboard::auth::config::MicrosoftConfig;
use scc_onboard::auth::Config;
use scc_onboard::usecase::exchange_check::{
    check, CheckError, CheckOptions, Mailbox, Progress, Resource, Status,
};
use std::collections::HashMap;
use std::io::Write;
use std::process::{Output, Stdio};
use std::time::Duration;
use support::{stderr, stdout, Sandbox};

const TENANT: &str = "contoso.onmicrosoft.com";
const CLIENT: &str = "11111111-2222-3333-4444-555555555555";
const SECRET: &str = "s3cr3t~Value.from-Entra_0123456789";

fn server(mailboxes: &[(&str, Behaviour)], delay: Duration) -> GraphServer {
    GraphServer::start(GraphSetup {
        tenant: TENANT.into(),
        client_id: CLIENT.into(),
        secret: SECRET.into(),
        mailboxes: mailboxes
            .iter()
            .map(|(u, b)| (u.to_lowercase(), b.clone()))
            .collect::<HashMap<_, _>>(),
        delay,
    })
}

fn microsoft(s: &GraphServer) -> MicrosoftConfig {
    Config::from_layers(&[
        ("defaults", scc_onboard::auth::config::DEFAULTS_TOML),
        ("test.toml", &s.config_toml("auto")),
    ])
    .unwrap()
    .microsoft
}

fn boxes(upns: &[&str]) -> Vec<Mailbox> {
    upns.iter()
        .enumerate()
        .map(|(i, u)| Mailbox {
            upn: u.to_string(),
            line: i as u64 + 2,
        })
        .collect()
}

fn secret(s: &str) -> ClientSecret {
    ClientSecret::new(s.into())
}

fn table() -> Vec<(&'static str, Behaviour)> {
    vec![
        ("ok@contoso.com", Behaviour::Allowed),
        ("nomail@contoso.com", Behaviour::Denied(vec!["mail"])),
        (
            "nocal@contoso.com",
            Behaviour::Denied(vec!["calendars", "contacts"]),
        ),
        ("shared@contoso.com", Behaviour::NoMailbox),
        ("gone@contoso.com", Behaviour::NotFound),
        ("busy@contoso.com", Behaviour::ThrottledOnce),
        ("jammed@contoso.com", Behaviour::AlwaysThrottled),
        ("broken@contoso.com", Behaviour::ServerError),
    ]
}

#[test]
fn every_classification_and_retry_after_honoured() {
    let s = server(&table(), Duration::ZERO);
    let mut upns: Vec<&str> = table().iter().map(|(u, _)| *u).collect();
    upns.push("nobody@contoso.com"); // not in the table: user not found
    let options = CheckOptions {
        max_retries: 1,
        ..CheckOptions::default()
    };
    let mut seen = Vec::new();
    let report = check(
        &microsoft(&s),
        &secret(SECRET),
        &boxes(&upns),
        &options,
        |p| seen.push(p),
    )
    .unwrap();
    let status: HashMap<&str, &Status> = report
        .results
        .iter()
        .map(|r| (r.mailbox.upn.as_str(), &r.status))
        .collect();
    assert_eq!(status["ok@contoso.com"], &Status::Ok);
    assert_eq!(
        status["nomail@contoso.com"],
        &Status::Denied {
            missing: vec![Resource::Mail]
        }
    );
    assert_eq!(
        status["nocal@contoso.com"],
        &Status::Denied {
            missing: vec![Resource::Calendars, Resource::Contacts]
        }
    );
    assert_eq!(status["shared@contoso.com"], &Status::NoMailbox);
    assert_eq!(status["gone@contoso.com"], &Status::NotFound);
    assert_eq!(status["nobody@contoso.com"], &Status::NotFound);
    assert_eq!(status["jammed@contoso.com"], &Status::Throttled);
    assert!(
        matches!(status["broken@contoso.com"], Status::Unreachable { reason } if reason.contains("500")),
        "{:?}",
        status["broken@contoso.com"]
    );
    // Retry-After: the 429 was waited out and the same read retried, then all three passed.
    assert_eq!(status["busy@contoso.com"], &Status::Ok);
    let busy = report
        .results
        .iter()
        .find(|r| r.mailbox.upn == "busy@contoso.com")
        .unwrap();
    assert_eq!(busy.retries, 1);
    assert_eq!(s.requests_for("busy@contoso.com"), 4);
    // Throttled for good after the one allowed retry (2 requests), not retried forever.
    assert_eq!(s.requests_for("jammed@contoso.com"), 2);
    // A missing user or mailbox stops after the first read.
    assert_eq!(s.requests_for("gone@contoso.com"), 1);
    assert_eq!(s.requests_for("shared@contoso.com"), 1);
    // One token for the whole check; results in input order; progress up to the total.
    assert_eq!(s.token_requests(), 1);
    let order: Vec<&str> = report
        .results
        .iter()
        .map(|r| r.mailbox.upn.as_str())
        .collect();
    assert_eq!(order, upns);
    assert_eq!(seen.first(), Some(&Progress { done: 0, total: 9 }));
    assert_eq!(seen.last(), Some(&Progress { done: 9, total: 9 }));
    assert_eq!(seen.len(), 10);
    assert!(!report.all_ok());
    assert!(report.checked_at.ends_with('Z'), "{}", report.checked_at);
}

#[test]
fn concurrency_is_bounded() {
    let upns: Vec<String> = (0..40).map(|i| format!("u{i}@contoso.com")).collect();
    let table: Vec<(&str, Behaviour)> = upns
        .iter()
        .map(|u| (u.as_str(), Behaviour::Allowed))
        .collect();
    let s = server(&table, Duration::from_millis(10));
    let refs: Vec<&str> = upns.iter().map(String::as_str).collect();
    let options = CheckOptions {
        concurrency: 3,
        ..CheckOptions::default()
    };
    let report = check(
        &microsoft(&s),
        &secret(SECRET),
        &boxes(&refs),
        &options,
        |_| {},
    )
    .unwrap();
    assert!(report.all_ok());
    assert_eq!(s.graph_requests(), 120);
    let max = s.max_in_flight();
    assert!(max <= 3, "{max} requests in flight with concurrency 3");
    assert!(max >= 2, "the check ran one request at a time ({max})");
}

#[test]
fn token_refusals_say_why() {
    let s = server(&table(), Duration::ZERO);
    let run = |config: &MicrosoftConfig, sec: &str| {
        check(
            config,
            &secret(sec),
            &boxes(&["ok@contoso.com"]),
            &CheckOptions::default(),
            |_| {},
        )
        .unwrap_err()
    };
    let e = run(&microsoft(&s), "wrong");
    assert!(
        matches!(&e, CheckError::TokenRefused { code: Some(c), .. } if c == "AADSTS7000215"),
        "{e:?}"
    );
    assert!(e.to_string().contains("invalid client secret"), "{e}");
    let mut c = microsoft(&s);
    c.client_id = "99999999-0000-0000-0000-000000000000".into();
    let e = run(&c, SECRET);
    assert!(
        e.to_string().contains("unknown app") && e.to_string().contains("AADSTS700016"),
        "{e}"
    );
    let mut c = microsoft(&s);
    c.tenant = "fabrikam.onmicrosoft.com".into();
    let e = run(&c, SECRET);
    assert!(e.to_string().contains("tenant not found"), "{e}");
    assert_eq!(s.graph_requests(), 0, "no mailbox is read without a token");
    // Nothing reachable at all.
    let mut c = microsoft(&s);
    c.authority = "http://127.0.0.1:1".into();
    assert!(matches!(run(&c, SECRET), CheckError::TokenUnreachable(_)));
}

// ---- the binary ----

fn roster(sb: &Sandbox, upns: &[&str]) -> String {
    let mut csv = String::from(
        "Full name,Salesforce login,Salesforce user ID,Office 365 login,Office 365 email address\n",
    );
    for (i, u) in upns.iter().enumerate() {
        csv.push_str(&format!(
            "User {i},sf{i}@acme.com,0055e000001XyZ{i:03}A,{u},{u}\n"
        ));
    }
    let path = sb.dir.path().join("roster.csv");
    std::fs::write(&path, csv).unwrap();
    path.display().to_string()
}

fn run_with_secret(sb: &Sandbox, args: &[&str], secret: &str) -> Output {
    let mut child = sb
        .command(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(format!("{secret}\n").as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    sb.keep(&out);
    out
}

#[test]
fn cli_reports_each_mailbox_and_exits_by_outcome_without_leaking() {
    let s = server(&table(), Duration::ZERO);
    let sb = Sandbox::new(&s.config_toml("auto"));
    let path = roster(
        &sb,
        &[
            "ok@contoso.com",
            "nomail@contoso.com",
            "shared@contoso.com",
            "gone@contoso.com",
            "busy@contoso.com",
        ],
    );

    // JSON: every mailbox (first: busy@ is throttled once per server, then answers).
    let out = run_with_secret(
        &sb,
        &[
            "exchange",
            "check",
            &path,
            "--secret-stdin",
            "--json",
            "--concurrency",
            "2",
        ],
        SECRET,
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let doc: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let m = doc["mailboxes"].as_array().unwrap();
    assert_eq!(m.len(), 5);
    assert_eq!(m[0]["status"], "ok");
    assert_eq!(m[1]["status"], "denied");
    assert_eq!(m[1]["missing"], serde_json::json!(["mail"]));
    assert_eq!(m[4]["status"], "ok");
    assert_eq!(m[4]["retries"], 1);
    assert_eq!(doc["counts"]["not-found"], 1);
    assert_eq!(doc["all_ok"], false);

    // Text: a progress line on stderr, one line per mailbox that is not ok, a summary.
    let out = run_with_secret(&sb, &["exchange", "check", &path, "--secret-stdin"], SECRET);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        stderr(&out).contains("Checking mailboxes: 5/5"),
        "{}",
        stderr(&out)
    );
    assert!(
        text.contains("nomail@contoso.com (line 3): denied: access denied to mail")
            && text.contains("Application Mail.ReadWrite"),
        "{text}"
    );
    assert!(
        text.contains("shared@contoso.com (line 4): no-mailbox"),
        "{text}"
    );
    assert!(
        text.contains("gone@contoso.com (line 5): not-found"),
        "{text}"
    );
    assert!(!text.contains("ok@contoso.com (line"), "{text}");
    assert!(!text.contains("busy@contoso.com"), "retried to ok: {text}");
    assert!(
        text.contains("5 mailboxes checked at")
            && text.contains("2 ok, 1 denied, 1 no-mailbox, 1 not-found"),
        "{text}"
    );

    // Every mailbox reachable: exit 0.
    let only_ok = roster(&sb, &["ok@contoso.com"]);
    let out = run_with_secret(
        &sb,
        &["exchange", "check", &only_ok, "--secret-stdin"],
        SECRET,
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).contains("The app reaches every mailbox."));

    // A wrong secret: exit 2 with Entra's reason, and no mailbox read.
    let before = s.graph_requests();
    let out = run_with_secret(
        &sb,
        &["exchange", "check", &only_ok, "--secret-stdin"],
        "not-the-secret",
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("AADSTS7000215") && err.contains("invalid client secret"),
        "{err}"
    );
    assert_eq!(s.graph_requests(), before);

    let mut secrets = s.secrets();
    secrets.push("not-the-secret".into());
    sb.assert_no_leaks(&secrets, &[]);
}

#[test]
fn cli_refuses_configurations_app_only_cannot_use() {
    let s = server(&table(), Duration::ZERO);
    let config = s.config_toml("auto").replace(
        &format!("tenant = \"{TENANT}\""),
        "tenant = \"organizations\"",
    );
    let sb = Sandbox::new(&config);
    let path = roster(&sb, &["ok@contoso.com"]);
    let out = run_with_secret(&sb, &["exchange", "check", &path, "--secret-stdin"], SECRET);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("set the tenant ID"),
        "{}",
        stderr(&out)
    );
    assert_eq!(s.token_requests(), 0);

    let sb = Sandbox::new(&s.config_toml("auto").replace(
        "graph_url = \"http://127.0.0.1",
        "graph_url = \"http://graph.example.com",
    ));
    let out = run_with_secret(&sb, &["exchange", "check", &path, "--secret-stdin"], SECRET);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("microsoft.graph_url"),
        "{}",
        stderr(&out)
    );

    // A secret is never an argument.
    let sb = Sandbox::new(&s.config_toml("auto"));
    let out = sb.run(&["exchange", "check", &path, "--secret", SECRET]);
    assert_eq!(out.status.code(), Some(2));
}

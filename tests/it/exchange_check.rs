//! `exchange check` for each plan against local stand-ins: the token + Graph server
//! (tests/support/graph.rs) and the EWS server (tests/support/ews.rs). The use case directly
//! (every classification, Retry-After, bounded concurrency, token and sign-in refusals) and
//! the real binary (exit codes, text and JSON, no secret or password in any output or file).

use crate::support;
use crate::support::ews;
use crate::support::graph;

use ews::{EwsBehaviour, EwsServer, EwsSetup, Offer};
use graph::{Behaviour, GraphServer, GraphSetup};
use oauth2::ClientSecret;
use scc_onboard::auth::config::MicrosoftConfig;
use scc_onboard::auth::Config;
use scc_onboard::customize::Api;
use scc_onboard::usecase::exchange_check::{
    CheckError, CheckOptions, CheckPlan, CheckReport, Credential, Mailbox, Password, Progress,
    Resource, Status,
};
use std::collections::HashMap;
use std::io::Write;
use std::process::{Output, Stdio};
use std::sync::Arc;
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
        .map(|(i, u)| Mailbox::new(*u, i as u64 + 2))
        .collect()
}

/// The app_only plan over Graph.
fn check(
    config: &MicrosoftConfig,
    secret: &ClientSecret,
    mailboxes: &[Mailbox],
    options: &CheckOptions,
    progress: impl FnMut(Progress),
) -> Result<CheckReport, CheckError> {
    let plan = CheckPlan::AppOnly {
        api: Api::Graph,
        ews_url: String::new(),
    };
    let credential = Credential::ClientSecret(secret.clone());
    scc_onboard::usecase::exchange_check::check(
        &plan,
        config,
        mailboxes,
        &credential,
        options,
        progress,
    )
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

const APP_ONLY_GRAPH: &str = "mailbox_access = \"app_only\"\n";

/// A customization file with these choices.
fn plan_file(sb: &Sandbox, toml: &str) -> String {
    let path = sb
        .dir
        .path()
        .join(format!("plan-{:x}.toml", graph::random()));
    std::fs::write(&path, toml).unwrap();
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
    let cust = plan_file(&sb, APP_ONLY_GRAPH);
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
            "--customization",
            &cust,
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
    let out = run_with_secret(
        &sb,
        &[
            "exchange",
            "check",
            &path,
            "--customization",
            &cust,
            "--secret-stdin",
        ],
        SECRET,
    );
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
        &[
            "exchange",
            "check",
            &only_ok,
            "--customization",
            &cust,
            "--secret-stdin",
        ],
        SECRET,
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).contains("The plan reaches every mailbox."));

    // A wrong secret: exit 2 with Entra's reason, and no mailbox read.
    let before = s.graph_requests();
    let out = run_with_secret(
        &sb,
        &[
            "exchange",
            "check",
            &only_ok,
            "--customization",
            &cust,
            "--secret-stdin",
        ],
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

/// `exchange check ROSTER --customization CUST --secret-stdin` exits 2 saying `says`.
fn refused_with_secret(sb: &Sandbox, path: &str, cust: &str, says: &str) {
    let out = run_with_secret(
        sb,
        &[
            "exchange",
            "check",
            path,
            "--customization",
            cust,
            "--secret-stdin",
        ],
        SECRET,
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains(says), "{}", stderr(&out));
}

#[test]
fn a_plan_that_checks_mailboxes_refuses_a_roster_without_any_before_reading_the_secret() {
    let s = server(&table(), Duration::ZERO);
    let sb = Sandbox::new(&s.config_toml("auto"));
    let cust = plan_file(&sb, APP_ONLY_GRAPH);
    let path = roster(&sb, &[]);
    refused_with_secret(
        &sb,
        &path,
        &cust,
        "no included row has an Office 365 login: nothing to check",
    );
    assert_eq!(s.token_requests(), 0);
}

#[test]
fn cli_refuses_configurations_app_only_cannot_use() {
    let s = server(&table(), Duration::ZERO);
    let config = s.config_toml("auto").replace(
        &format!("tenant = \"{TENANT}\""),
        "tenant = \"organizations\"",
    );
    let sb = Sandbox::new(&config);
    let cust = plan_file(&sb, APP_ONLY_GRAPH);
    let path = roster(&sb, &["ok@contoso.com"]);
    refused_with_secret(&sb, &path, &cust, "set the tenant ID");
    assert_eq!(s.token_requests(), 0);

    let sb = Sandbox::new(&s.config_toml("auto").replace(
        "graph_url = \"http://127.0.0.1",
        "graph_url = \"http://graph.example.com",
    ));
    refused_with_secret(&sb, &path, &cust, "microsoft.graph_url");

    // A secret is never an argument.
    let sb = Sandbox::new(&s.config_toml("auto"));
    let out = sb.run(&[
        "exchange",
        "check",
        &path,
        "--customization",
        &cust,
        "--secret",
        SECRET,
    ]);
    assert_eq!(out.status.code(), Some(2));
}

// ---- EWS: impersonation (Exchange Server) and app-only ----

const ACCOUNT: &str = "CONTOSO\\svc-scc";
const PASSWORD: &str = "Imp3rs0nate!-correct-horse";

fn ews_server(offers: &[Offer], table: &[(&str, EwsBehaviour)]) -> EwsServer {
    EwsServer::start(EwsSetup {
        offers: offers.to_vec(),
        user: "svc-scc".into(),
        domain: "CONTOSO".into(),
        password: PASSWORD.into(),
        bearer: None,
        mailboxes: table
            .iter()
            .map(|(u, b)| (u.to_lowercase(), b.clone()))
            .collect(),
    })
}

fn ews_table() -> Vec<(&'static str, EwsBehaviour)> {
    vec![
        ("ok@contoso.com", EwsBehaviour::Allowed),
        ("denied@contoso.com", EwsBehaviour::ImpersonateDenied),
        ("gone@contoso.com", EwsBehaviour::NonExistent),
        ("busy@contoso.com", EwsBehaviour::BusyOnce),
        ("jammed@contoso.com", EwsBehaviour::AlwaysBusy),
    ]
}

fn impersonation(url: &str, account: &str) -> CheckPlan {
    CheckPlan::Impersonation {
        ews_url: url.into(),
        account: account.into(),
    }
}

fn run_plan(
    plan: &CheckPlan,
    config: &MicrosoftConfig,
    upns: &[&str],
    credential: Credential,
    options: &CheckOptions,
) -> Result<CheckReport, CheckError> {
    scc_onboard::usecase::exchange_check::check(
        plan,
        config,
        &boxes(upns),
        &credential,
        options,
        |_| {},
    )
}

fn statuses(report: &CheckReport) -> HashMap<&str, &Status> {
    report
        .results
        .iter()
        .map(|r| (r.mailbox.upn.as_str(), &r.status))
        .collect()
}

#[test]
fn impersonation_over_ntlm_classifies_every_mailbox() {
    let e = ews_server(&[Offer::Negotiate, Offer::Ntlm], &ews_table());
    let mut upns: Vec<&str> = ews_table().iter().map(|(u, _)| *u).collect();
    upns.push("nobody@contoso.com");
    let options = CheckOptions {
        max_retries: 1,
        concurrency: 3,
        ..CheckOptions::default()
    };
    let config = Config::default().microsoft;
    let report = run_plan(
        &impersonation(&e.url(), ACCOUNT),
        &config,
        &upns,
        Credential::Password(Password::new(PASSWORD.into())),
        &options,
    )
    .unwrap();
    assert_eq!((report.mode, report.api), ("impersonation", "ews"));
    let status = statuses(&report);
    assert_eq!(status["ok@contoso.com"], &Status::Ok);
    assert_eq!(
        status["denied@contoso.com"],
        &Status::Denied {
            missing: vec![Resource::Impersonation]
        }
    );
    assert!(status["denied@contoso.com"]
        .explain()
        .contains("ApplicationImpersonation"));
    assert_eq!(status["gone@contoso.com"], &Status::NotFound);
    assert_eq!(status["nobody@contoso.com"], &Status::NotFound);
    assert_eq!(status["jammed@contoso.com"], &Status::Throttled);
    // 503 ErrorServerBusy + Retry-After: waited out, retried, then ok.
    assert_eq!(status["busy@contoso.com"], &Status::Ok);
    assert_eq!(e.requests_for("busy@contoso.com"), 2);
    assert_eq!(e.requests_for("jammed@contoso.com"), 2);
    // Every request named its mailbox in ExchangeImpersonation; NTLM was verified by the
    // server (a connection stays signed in, so at most one handshake per worker, plus the
    // first mailbox's).
    assert_eq!(e.missing_impersonation(), 0);
    assert_eq!(e.refused_sign_ins(), 0);
    let sign_ins = e.ntlm_sign_ins();
    assert!((1..=4).contains(&sign_ins), "{sign_ins} NTLM sign-ins");
    assert!(e.max_in_flight() <= 3);
    assert!(!report.all_ok());
}

#[test]
fn impersonation_over_basic_and_negotiate_alone() {
    let table = [("ok@contoso.com", EwsBehaviour::Allowed)];
    let config = Config::default().microsoft;
    for (offers, account) in [
        (vec![Offer::Basic], ACCOUNT),
        (vec![Offer::Negotiate], ACCOUNT),
    ] {
        let e = ews_server(&offers, &table);
        let report = run_plan(
            &impersonation(&e.url(), account),
            &config,
            &["ok@contoso.com"],
            Credential::Password(Password::new(PASSWORD.into())),
            &CheckOptions::default(),
        )
        .unwrap();
        assert!(report.all_ok(), "{offers:?}: {report:?}");
        assert_eq!(e.soap_requests(), 1);
    }
}

#[test]
fn a_wrong_password_is_tried_once_not_per_mailbox() {
    let e = ews_server(&[Offer::Ntlm], &ews_table());
    let upns: Vec<&str> = ews_table().iter().map(|(u, _)| *u).collect();
    let err = run_plan(
        &impersonation(&e.url(), ACCOUNT),
        &Config::default().microsoft,
        &upns,
        Credential::Password(Password::new("wrong-password".into())),
        &CheckOptions::default(),
    )
    .unwrap_err();
    assert!(matches!(err, CheckError::SignInRefused(_)), "{err:?}");
    assert!(
        err.to_string().contains("svc-scc") && err.to_string().contains("NTLM"),
        "{err}"
    );
    assert!(!err.to_string().contains("wrong-password"));
    // One refused handshake; no mailbox was read.
    assert_eq!(e.refused_sign_ins(), 1);
    assert_eq!(e.soap_requests(), 0);
}

#[test]
fn app_only_over_ews_sends_the_app_token_and_the_impersonation_header() {
    let g = server(&[], Duration::ZERO);
    let g = Arc::new(g);
    let issued = g.clone();
    let e = EwsServer::start(EwsSetup {
        offers: vec![Offer::Ntlm],
        user: "x".into(),
        domain: "X".into(),
        password: "unused".into(),
        bearer: Some(Arc::new(move |t: &str| issued.issued(t))),
        mailboxes: [
            ("ok@contoso.com".to_string(), EwsBehaviour::Allowed),
            ("noews@contoso.com".to_string(), EwsBehaviour::AccessDenied),
        ]
        .into_iter()
        .collect(),
    });
    g.allow_scope(&e.scope());
    let plan = CheckPlan::AppOnly {
        api: Api::Ews,
        ews_url: e.url(),
    };
    let report = run_plan(
        &plan,
        &microsoft(&g),
        &["ok@contoso.com", "noews@contoso.com", "gone@contoso.com"],
        Credential::ClientSecret(secret(SECRET)),
        &CheckOptions::default(),
    )
    .unwrap();
    assert_eq!((report.mode, report.api), ("app_only", "ews"));
    let status = statuses(&report);
    assert_eq!(status["ok@contoso.com"], &Status::Ok);
    assert_eq!(
        status["noews@contoso.com"],
        &Status::Denied {
            missing: vec![Resource::EwsAsApp]
        }
    );
    assert!(status["noews@contoso.com"]
        .explain()
        .contains("Application EWS.AccessAsApp"));
    assert_eq!(status["gone@contoso.com"], &Status::NotFound);
    assert_eq!(g.token_requests(), 1);
    assert_eq!(e.refused_sign_ins(), 0);
    assert_eq!(e.missing_impersonation(), 0);
    assert_eq!(g.graph_requests(), 0, "EWS, not Graph");
}

#[test]
fn per_user_checks_the_tenant_the_app_and_the_allow_list() {
    let g = server(&[], Duration::ZERO);
    let per_user = |api, allow_listed| CheckPlan::PerUser {
        api,
        online: true,
        ews_url: String::new(),
        allow_listed,
    };
    let run = |plan: &CheckPlan, config: &MicrosoftConfig| {
        run_plan(
            plan,
            config,
            &["a@contoso.com"],
            Credential::None,
            &CheckOptions::default(),
        )
        .unwrap()
    };
    let report = run(&per_user(Api::Graph, false), &microsoft(&g));
    assert!(report.all_ok(), "{report:?}");
    assert!(
        report.results.is_empty(),
        "no mailbox is read under per_user"
    );
    let keys: Vec<_> = report.prerequisites.iter().map(|p| p.key).collect();
    assert_eq!(keys, ["tenant", "app"]);
    assert!(report.note.unwrap().contains("sign-in"));
    assert_eq!(g.graph_requests(), 0);

    // EWS: the allow-list step must be ticked.
    let report = run(&per_user(Api::Ews, false), &microsoft(&g));
    let allow = report
        .prerequisites
        .iter()
        .find(|p| p.key == "ews-allow-list")
        .unwrap();
    assert!(
        !allow.ok && allow.detail.contains("EwsAllowedAppIDs"),
        "{allow:?}"
    );
    assert!(!report.all_ok());
    assert!(run(&per_user(Api::Ews, true), &microsoft(&g)).all_ok());

    // An app the tenant does not know: AADSTS700016.
    let mut c = microsoft(&g);
    c.client_id = "99999999-0000-0000-0000-000000000000".into();
    let report = run(&per_user(Api::Graph, false), &c);
    let app = report
        .prerequisites
        .iter()
        .find(|p| p.key == "app")
        .unwrap();
    assert!(!app.ok && app.detail.contains("AADSTS700016"), "{app:?}");

    // A tenant that does not exist: the app is not looked up in it.
    let mut c = microsoft(&g);
    c.tenant = "fabrikam.onmicrosoft.com".into();
    let report = run(&per_user(Api::Graph, false), &c);
    assert_eq!(report.prerequisites.len(), 1);
    assert!(report.prerequisites[0].detail.contains("not found"));

    // Exchange Server: the EWS URL must answer as EWS does.
    let e = ews_server(&[Offer::Ntlm], &[]);
    let plan = CheckPlan::PerUser {
        api: Api::Ews,
        online: false,
        ews_url: e.url(),
        allow_listed: false,
    };
    let report = run(&plan, &Config::default().microsoft);
    assert!(report.all_ok(), "{report:?}");
    assert_eq!(report.prerequisites[0].key, "ews-endpoint");
}

#[test]
fn cli_checks_impersonation_without_leaking_the_password() {
    let g = server(&[], Duration::ZERO);
    // The account signs in as a UPN (an empty NTLM domain).
    let e = EwsServer::start(EwsSetup {
        offers: vec![Offer::Negotiate, Offer::Ntlm, Offer::Basic],
        user: "svc-scc@contoso.com".into(),
        domain: String::new(),
        password: PASSWORD.into(),
        bearer: None,
        mailboxes: ews_table()
            .iter()
            .map(|(u, b)| (u.to_string(), b.clone()))
            .collect(),
    });
    let sb = Sandbox::new(&g.config_toml("auto"));
    let path = roster(
        &sb,
        &["ok@contoso.com", "denied@contoso.com", "gone@contoso.com"],
    );
    let cust = plan_file(
        &sb,
        &format!(
            "exchange_deployment = \"on_premises\"\nmailbox_access = \"impersonation\"\news_url = \"{}\"\nimpersonation_account = \"svc-scc@contoso.com\"\n",
            e.url()
        ),
    );
    let out = run_with_secret(
        &sb,
        &[
            "exchange",
            "check",
            &path,
            "--customization",
            &cust,
            "--secret-stdin",
            "--json",
        ],
        PASSWORD,
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let doc: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(doc["plan"], "impersonation");
    assert_eq!(doc["api"], "ews");
    let m = doc["mailboxes"].as_array().unwrap();
    assert_eq!(m[0]["status"], "ok");
    assert_eq!(m[1]["status"], "denied");
    assert_eq!(m[1]["missing"], serde_json::json!(["impersonation"]));
    assert_eq!(m[2]["status"], "not-found");

    let out = run_with_secret(
        &sb,
        &[
            "exchange",
            "check",
            &path,
            "--customization",
            &cust,
            "--secret-stdin",
        ],
        PASSWORD,
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("denied@contoso.com (line 3): denied: impersonation denied"),
        "{}",
        stdout(&out)
    );
    assert!(
        stderr(&out).contains("Checking mailboxes: 3/3"),
        "{}",
        stderr(&out)
    );

    // A wrong password: exit 2, one refused sign-in, nothing read.
    let before = e.soap_requests();
    let out = run_with_secret(
        &sb,
        &[
            "exchange",
            "check",
            &path,
            "--customization",
            &cust,
            "--secret-stdin",
        ],
        "Wrong-Passw0rd",
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("refused the impersonating account"),
        "{}",
        stderr(&out)
    );
    assert_eq!(e.soap_requests(), before);
    assert_eq!(e.refused_sign_ins(), 1);

    // No password at all: the keyring has none; the message says how to give it.
    let out = sb.run(&["exchange", "check", &path, "--customization", &cust]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("--secret-stdin"), "{}", stderr(&out));

    sb.assert_no_leaks(&[PASSWORD.to_string(), "Wrong-Passw0rd".to_string()], &[]);
}

#[test]
fn cli_refuses_impersonation_in_exchange_online_and_checks_per_user() {
    let g = server(&[], Duration::ZERO);
    let sb = Sandbox::new(&g.config_toml("auto"));
    let path = roster(&sb, &["ok@contoso.com"]);
    let cust = plan_file(
        &sb,
        "mailbox_access = \"impersonation\"\nimpersonation_account = \"svc@contoso.com\"\n",
    );
    let out = sb.run(&["exchange", "check", &path, "--customization", &cust]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("app_only"), "{}", stderr(&out));

    let cust = plan_file(&sb, "mailbox_access = \"per_user\"\n");
    let out = sb.run(&["exchange", "check", &path, "--customization", &cust]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    let text = stdout(&out);
    assert!(
        text.contains("tenant: ok") && text.contains("app: ok"),
        "{text}"
    );
    assert!(text.contains("sign-in proves"), "{text}");
}

/// `export` (which takes no --config), its output kept for the leak scan.
fn export(sb: &Sandbox, args: &[&str]) -> Output {
    let out = crate::support::cli::bin()
        .arg("export")
        .args(args)
        .env("HOME", sb.dir.path())
        .output()
        .unwrap();
    sb.keep(&out);
    out
}

#[test]
fn cli_export_records_the_check_in_report_and_customization() {
    let s = server(&table(), Duration::ZERO);
    let sb = Sandbox::new(&s.config_toml("auto"));
    // Valid Salesforce IDs (the export refuses rows with errors).
    let csv =
        "Full name,Salesforce login,Salesforce user ID,Office 365 login,Office 365 email address\n\
               Ok User,ok@acme.com,005Dn0y9Pf34qY6III,ok@contoso.com,ok@contoso.com\n\
               No Mail,nm@acme.com,005Dn0b3wWD25RQIQZ,nomail@contoso.com,nomail@contoso.com\n\
               Shared Box,sh@acme.com,005Hs0F5ZR3qa7yI0A,shared@contoso.com,shared@contoso.com\n";
    let path = sb.dir.path().join("valid.csv");
    std::fs::write(&path, csv).unwrap();
    let path = path.display().to_string();
    let cust = plan_file(
        &sb,
        &format!("mailbox_access = \"app_only\"\nm365_tenant = \"{TENANT}\"\nentra_client_id = \"{CLIENT}\"\n\
                  entra_object_id = \"0d5a4e4b-4c1c-4f4a-9a57-3a4f4b1d2c3e\"\n\
                  salesforce_client_id = \"3MVG9A2kN3Bn17hs8MIaQx1voVGy662rXlC37svtmLmt6wO_iik8Hnk3Dlc\"\n"),
    );
    let out = run_with_secret(
        &sb,
        &[
            "exchange",
            "check",
            &path,
            "--customization",
            &cust,
            "--secret-stdin",
            "--json",
        ],
        SECRET,
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let result = sb.dir.path().join("check.json");
    std::fs::write(&result, &out.stdout).unwrap();

    let bundle = sb.dir.path().join("bundle");
    let out = export(
        &sb,
        &[
            &path,
            "--customization",
            &cust,
            "--exchange-check",
            &result.display().to_string(),
            "-o",
            &bundle.display().to_string(),
        ],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    let report = std::fs::read_to_string(bundle.join("report.md")).unwrap();
    assert!(report.contains("## Exchange access check"), "{report}");
    assert!(report.contains("1 of 3 mailboxes reachable"), "{report}");
    assert!(
        report.contains("| nomail@contoso.com | 3 | denied | access denied to mail"),
        "{report}"
    );
    assert!(
        report.contains("| shared@contoso.com | 4 | no-mailbox |"),
        "{report}"
    );
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(bundle.join("customization.json")).unwrap()).unwrap();
    assert_eq!(json["exchange_check"]["plan"], "app_only");
    assert_eq!(json["exchange_check"]["api"], "graph");
    assert_eq!(json["exchange_check"]["not_reachable"], 2);
    assert!(json["exchange_check"]["checked_at"]
        .as_str()
        .unwrap()
        .ends_with('Z'));

    // Without a check: both say so.
    let bundle = sb.dir.path().join("bundle2");
    let out = export(
        &sb,
        &[
            &path,
            "--customization",
            &cust,
            "-o",
            &bundle.display().to_string(),
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let report = std::fs::read_to_string(bundle.join("report.md")).unwrap();
    assert!(
        report.contains("No check ran before this export"),
        "{report}"
    );
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(bundle.join("customization.json")).unwrap()).unwrap();
    assert!(json["exchange_check"].is_null());

    // Not a check's output: exit 2 naming the flag.
    let out = export(
        &sb,
        &[
            &path,
            "--exchange-check",
            &cust,
            "-o",
            &bundle.display().to_string(),
        ],
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("--exchange-check"),
        "{}",
        stderr(&out)
    );
    sb.assert_no_leaks(&s.secrets(), &[]);
}

/// `exchange store-secret` puts the app's client secret in the real keyring (run inside
/// scripts/test-in-session.sh); `credentials list` names it without the value; `exchange
/// check` then works with no `--secret-stdin`; `delete-secret` removes it. No file holds it.
#[cfg(target_os = "linux")]
#[test]
fn cli_stores_the_app_secret_in_the_keyring_and_check_reads_it() {
    let _k = support::keyring_lock();
    let s = server(&table(), Duration::ZERO);
    let sb = Sandbox::new(&s.config_toml("secret-service"));
    let cust = plan_file(&sb, APP_ONLY_GRAPH);
    let only_ok = roster(&sb, &["ok@contoso.com"]);
    let _ = sb.run(&["exchange", "delete-secret", "--app", CLIENT]);

    // Nothing stored yet: the check says how to give one.
    let out = sb.run(&["exchange", "check", &only_ok, "--customization", &cust]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));

    let out = run_with_secret(&sb, &["exchange", "store-secret", "--app", CLIENT], SECRET);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("Stored the client secret of app"),
        "{}",
        stderr(&out)
    );

    let out = sb.run(&["credentials", "list"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stdout(&out).contains(&format!("the client secret of app {CLIENT}")),
        "{}",
        stdout(&out)
    );

    let out = sb.run(&["exchange", "check", &only_ok, "--customization", &cust]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).contains("The plan reaches every mailbox."));

    let out = sb.run(&["exchange", "delete-secret", "--app", CLIENT]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let out = sb.run(&["credentials", "list"]);
    assert!(!stdout(&out).contains(CLIENT), "{}", stdout(&out));
    let out = sb.run(&["exchange", "check", &only_ok, "--customization", &cust]);
    assert_eq!(out.status.code(), Some(2), "gone again: {}", stderr(&out));

    sb.assert_no_leaks(&s.secrets(), &[]);
}

/// The wizard's masked field (`p` on Exchange access) stores the app's client secret in the
/// real keyring through the runtime, off the screen thread, under the entry `exchange check`
/// reads: the check then reaches the mailbox with no `--secret-stdin`. The value is in no
/// state, screen, file or output (run inside scripts/test-in-session.sh).
#[cfg(target_os = "linux")]
#[test]
fn the_wizards_masked_field_stores_the_secret_where_the_check_finds_it() {
    use crate::support::wizard;
    use crossterm::event::KeyCode;
    use scc_onboard::customize::Value;
    use scc_onboard::session::Step;
    use scc_onboard::tui::runtime::Runtime;
    use scc_onboard::tui::{update, Effect, Msg, SecretMsg};

    let _k = support::keyring_lock();
    let s = server(&table(), Duration::ZERO);
    let sb = Sandbox::new(&s.config_toml("secret-service"));
    let cust = plan_file(&sb, APP_ONLY_GRAPH);
    let only_ok = roster(&sb, &["ok@contoso.com"]);
    let _ = sb.run(&["exchange", "delete-secret", "--app", CLIENT]);

    let mut state = wizard::loaded(wizard::FIXTURE, (120, 40));
    state.step = Step::ExchangeAccess;
    let t = |v: &str| Value::Text(v.into());
    state.choices.set("mailbox_access", t("app_only"));
    state.choices.set("entra_client_id", t(CLIENT));
    wizard::press(&mut state, wizard::key(KeyCode::Char('p')));
    wizard::type_keys(&mut state, SECRET);
    let screen = wizard::text(&wizard::draw(&state, 120, 40));
    assert!(!screen.contains(SECRET) && screen.contains('•'), "{screen}");
    let fx = wizard::press(&mut state, wizard::key(KeyCode::Enter));
    let store = fx
        .into_iter()
        .find(|e| matches!(e, Effect::StoreExchangeSecret(_)))
        .expect("Enter asks the runtime to store it");
    assert!(state.popup.is_none());

    let (tx, rx) = std::sync::mpsc::channel();
    let mut rt = Runtime::new(tx);
    assert!(rt.run(&state, store).is_none(), "stored on a thread");
    let said = match rx.recv_timeout(Duration::from_secs(60)) {
        Ok(Msg::Secret(SecretMsg::Stored(Ok(said)))) => said,
        other => panic!("not stored: {other:?}"),
    };
    assert!(
        said.contains(&format!("the client secret of app {CLIENT}")) && said.contains("keyring"),
        "{said}"
    );
    update(&mut state, Msg::Secret(SecretMsg::Stored(Ok(said))));
    let screen = wizard::text(&wizard::draw(&state, 120, 40));
    assert!(screen.contains("Stored the client secret"), "{screen}");
    sb.keep_text(screen);

    let out = sb.run(&["exchange", "check", &only_ok, "--customization", &cust]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).contains("The plan reaches every mailbox."));

    let out = sb.run(&["exchange", "delete-secret", "--app", CLIENT]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let mut secrets = s.secrets();
    secrets.push(SECRET.to_string());
    sb.assert_no_leaks(&secrets, &[]);
}

//! An invitation, end to end: `export` writes the bundle, one user's `.eml` is read as their
//! mail client would, its `.toml` is saved to ~/Downloads (endpoints pointed at the local
//! test servers) and the Linux commands are run exactly as the message gives them, through
//! bash. Signing in as that user stores the authorization (exit 0); as anyone else, nothing
//! is stored (exit 1: the `[expect]` table is enforced by `authorize`).
//! Run inside scripts/test-in-session.sh.
#![cfg(target_os = "linux")]

use crate::support;

use mail_parser::{MessageParser, MimeHeaders};
use scc_onboard::auth::Provider;
use std::path::Path;
use std::process::{Command, Output};
use support::*;

const TENANT_ID: &str = "72f988bf-86f1-41af-91ab-2d7cd011db47";

/// Two users the test servers know (Salesforce: jane@ / john@example.com with these IDs).
const ROSTER: &str =
    "Full name,Salesforce login,Salesforce user ID,Office 365 login,Office 365 email address\n\
Jane Doe,jane@example.com,0055e000001XyZaAAK,jane.doe@contoso.example,jane.doe@contoso.example\n\
John Roe,john@example.com,0055e000002QrStAAK,john.roe@contoso.example,john.roe@contoso.example\n";

/// The commands under the message's "Linux (bash):" headings, in order.
fn linux_commands(body: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut linux = false;
    for line in body.lines() {
        if line.trim_end().ends_with(':') && !line.starts_with("     ") {
            linux = line.trim() == "Linux (bash):";
        } else if linux && line.starts_with("     scc-onboard ") {
            out.push(line.trim().to_string());
        } else if line.trim().is_empty() {
            linux = false;
        }
    }
    out
}

/// Points the invitation's provider settings at the local servers; `[expect]` stays as is.
fn point_at(toml_text: &str, sf: &NodeServer, port: u16, ms: &NodeServer) -> String {
    let mut doc: toml::Table = toml::from_str(toml_text).unwrap();
    let set = |doc: &mut toml::Table, table: &str, key: &str, v: toml::Value| {
        doc[table].as_table_mut().unwrap().insert(key.into(), v);
    };
    let s = |v: &str| toml::Value::String(v.into());
    set(&mut doc, "salesforce", "login_url", s(&sf.base()));
    set(&mut doc, "salesforce", "client_id", s(SF_CLIENT));
    set(
        &mut doc,
        "salesforce",
        "redirect_uri",
        s(&format!("http://localhost:{port}/callback")),
    );
    set(&mut doc, "microsoft", "authority", s(&ms.base()));
    set(&mut doc, "microsoft", "tenant", s("organizations"));
    set(&mut doc, "microsoft", "client_id", s(MS_CLIENT));
    set(&mut doc, "flow", "keyring", s("secret-service"));
    set(
        &mut doc,
        "flow",
        "timeout_seconds",
        toml::Value::Integer(60),
    );
    assert!(
        doc.contains_key("expect"),
        "the invitation says who to expect"
    );
    toml::to_string(&doc).unwrap()
}

/// Runs `line` with bash as the user would type it, the built binary first on PATH.
fn run_line(sb: &Sandbox, line: &str, standin_login: &str) -> Output {
    let bin_dir = Path::new(env!("CARGO_BIN_EXE_scc-onboard"))
        .parent()
        .unwrap();
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut cmd = Command::new("bash");
    cmd.args(["-c", line])
        .env_remove("SCC_ONBOARD_CONFIG")
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .stdin(std::process::Stdio::null());
    for (k, v) in &sb.env {
        cmd.env(k, v);
    }
    cmd.env("PATH", path).env("STANDIN_LOGIN", standin_login);
    let out = cmd.output().unwrap();
    sb.keep(&out);
    out
}

#[test]
fn an_invitations_linux_commands_store_only_the_invited_user() {
    let _k = keyring_lock();
    clear_keyring("secret-service");
    let port = free_port();
    let sf = salesforce(port);
    let ms = microsoft();
    let sb = Sandbox::new(&config_toml(None, None, "secret-service", 60));
    let work = sb.dir.path().join("admin");
    std::fs::create_dir_all(&work).unwrap();
    std::fs::write(work.join("roster.csv"), ROSTER).unwrap();
    std::fs::write(
        work.join("choices.toml"),
        // The org's app IDs are required (no vendor app); point_at swaps in the test servers'.
        format!(
            "m365_tenant = \"{TENANT_ID}\"\n{}",
            include_str!("../fixtures/app-ids.toml")
        ),
    )
    .unwrap();

    // The admin exports the bundle.
    let out = crate::support::cli::bin()
        .args([
            "export",
            "roster.csv",
            "--customization",
            "choices.toml",
            "-o",
            "bundle",
        ])
        .current_dir(&work)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));

    // Jane's mail client reads her message; she saves the attachment to ~/Downloads.
    let raw = std::fs::read(work.join("bundle/invitations/jane.doe@contoso.example.eml")).unwrap();
    let msg = MessageParser::default()
        .parse(&raw)
        .expect("the .eml parses");
    let body = msg.body_text(0).unwrap().replace("\r\n", "\n");
    let att = msg.attachment(0).expect("the .toml is attached");
    let file = att.attachment_name().unwrap().to_string();
    assert_eq!(file, "jane.doe@contoso.example.toml");
    let toml_text = std::str::from_utf8(att.contents()).unwrap();
    let downloads = sb.dir.path().join("home/Downloads");
    std::fs::create_dir_all(&downloads).unwrap();
    std::fs::write(downloads.join(&file), point_at(toml_text, &sf, port, &ms)).unwrap();

    let lines = linux_commands(&body);
    let line_for = |p: &str| {
        lines
            .iter()
            .find(|l| l.starts_with(&format!("scc-onboard authorize {p} ")))
            .unwrap_or_else(|| panic!("no Linux command for {p} in:\n{body}"))
            .clone()
    };
    assert_eq!(
        line_for("salesforce"),
        "scc-onboard authorize salesforce --config ~/Downloads/jane.doe@contoso.example.toml"
    );

    // Someone else signs in: nothing is stored, exit 1, both identities named.
    for (provider, other) in [
        ("salesforce", "john@example.com"),
        ("exchange", "adele@contoso.example"),
    ] {
        let out = run_line(&sb, &line_for(provider), other);
        assert_eq!(
            out.status.code(),
            Some(1),
            "{provider} as {other}: {}",
            stderr(&out)
        );
        assert!(stderr(&out).contains(other), "{}", stderr(&out));
        assert!(
            token_store("secret-service").list().unwrap().is_empty(),
            "nothing stored"
        );
    }

    // Jane signs in: stored, exit 0.
    for (provider, login, p) in [
        ("salesforce", "jane@example.com", Provider::Salesforce),
        ("exchange", "jane.doe@contoso.example", Provider::Exchange),
    ] {
        let out = run_line(&sb, &line_for(provider), login);
        assert_eq!(out.status.code(), Some(0), "{provider}: {}", stderr(&out));
        let c = token_store("secret-service")
            .load(p, login)
            .unwrap()
            .expect("stored");
        assert_eq!(c.login, login);
        if p == Provider::Exchange {
            assert_eq!(c.org_id, TENANT_ID);
        }
    }
    assert_eq!(token_store("secret-service").list().unwrap().len(), 2);

    let mut secrets = sf.secrets();
    secrets.extend(ms.secrets());
    sb.assert_no_leaks(&secrets, &[work]);
    clear_keyring("secret-service");
}

//! `scc-onboard customize` as a real process: the template round-trips, --check reports.

use crate::support::cli::run_in as run;
use crate::support::sample;

use sample::fixture;
use std::fs;

/// The org's app IDs every plan requires (there is no vendor app): a choices file for exports
/// that test something else.
const IDS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/app-ids.toml");

#[test]
fn the_template_checks_clean_and_exports_like_the_defaults() {
    let tmp = tempfile::tempdir().unwrap();
    let roster = fixture("bundle-roster.csv");
    let r = roster.to_str().unwrap();
    let out = run(&["customize", r, "-o", "choices.toml"], tmp.path());
    assert_eq!(out.status.code(), Some(0));
    let t = fs::read_to_string(tmp.path().join("choices.toml")).unwrap();
    assert!(
        t.contains("\ninternal_domains = [\"northwind-traders.com\"]\n"),
        "{t}"
    );
    assert!(t.contains("\nm365_tenant = \"northwind-traders.com\"\n"));
    assert!(t.contains("# Applies only when sync_contacts = true.\n"));
    // Untouched, the template names the two app IDs no plan can do without.
    let out = run(&["customize", r, "--check", "choices.toml"], tmp.path());
    assert_eq!(out.status.code(), Some(1));
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(said.contains("salesforce_client_id"), "{said}");
    assert!(said.contains("entra_client_id"), "{said}");
    let ids = fs::read_to_string(IDS).unwrap();
    let mut filled = t.clone();
    for line in ids.lines() {
        let key = line.split(" = ").next().unwrap();
        filled = filled.replace(&format!("\n{key} = \"\"\n"), &format!("\n{line}\n"));
    }
    assert_ne!(filled, t);
    fs::write(tmp.path().join("choices.toml"), filled).unwrap();
    let out = run(&["customize", r, "--check", "choices.toml"], tmp.path());
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        said.ends_with("\n✓ 0 errors, 0 warnings, 2 settings changed from defaults\n"),
        "{said}"
    );
    run(
        &["export", "--customization", IDS, r, "-o", "a"],
        tmp.path(),
    );
    run(
        &["export", r, "--customization", "choices.toml", "-o", "b"],
        tmp.path(),
    );
    assert_eq!(
        fs::read(tmp.path().join("a/customization.json")).unwrap(),
        fs::read(tmp.path().join("b/customization.json")).unwrap()
    );
}

#[test]
fn check_reports_errors_with_fixes_and_exit_1() {
    let tmp = tempfile::tempdir().unwrap();
    let roster = fixture("bundle-roster.csv");
    fs::write(
        tmp.path().join("c.toml"),
        "mailbox_access = \"impersonation\"\nexchange_deployment = \"on_premises\"\n\
         ews_url = \"https://mail.northwind-traders.com/EWS/Exchange.asmx\"\n\
         impersonation_account = \"svc@fabrikam.com\"\nsync_tasks = false\nsalesforce_client_id = \"3MVG9A2kN3Bn17hs8MIaQx1voVGy662rXlC37svtmLmt6wO_iik8Hnk3Dlc\"\nentra_client_id = \"6233fba6-0198-4277-892f-9275bf728bcc\"\n",
    )
    .unwrap();
    let out = run(
        &[
            "customize",
            roster.to_str().unwrap(),
            "--check",
            "c.toml",
            "--json",
        ],
        tmp.path(),
    );
    assert_eq!(out.status.code(), Some(1));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["errors"], 1);
    assert_eq!(doc["issues"][0]["setting"], "impersonation_account");
    assert_eq!(doc["issues"][0]["fix"], "svc@northwind-traders.com");
    let changed: Vec<&str> = doc["changed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["setting"].as_str().unwrap())
        .collect();
    assert_eq!(
        changed,
        [
            "sync_tasks",
            "salesforce_client_id",
            "mailbox_access",
            "impersonation_account",
            "exchange_deployment",
            "ews_url"
        ]
    );
}

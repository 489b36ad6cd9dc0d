//! `scc-onboard export` run as a real process: files written, exit codes, --json output.

use crate::support::cli::{run_in as run, text};
use crate::support::sample;

use sample::fixture;
use std::fs;
use std::path::Path;

/// The org's app IDs every plan requires (there is no vendor app): a choices file for exports
/// that test something else.
const IDS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/app-ids.toml");

#[test]
fn a_roster_alone_exports_with_default_choices() {
    let tmp = tempfile::tempdir().unwrap();
    let roster = fixture("bundle-roster.csv");
    let out = run(
        &[
            "export",
            "--customization",
            IDS,
            roster.to_str().unwrap(),
            "--json",
            "-o",
            "bundle",
        ],
        tmp.path(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["written"], true);
    assert_eq!(doc["rows_written"], 5);
    let names: Vec<&str> = doc["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap())
        // Two files per user; tests/it/bundle_invitations.rs looks at them.
        .filter(|n| !n.starts_with("invitations/"))
        .collect();
    assert_eq!(
        names,
        [
            "users.csv",
            "customization.json",
            "customization.schema.json",
            "customization.md",
            "report.md",
            "user-config.toml",
            "invitations.csv",
            "manifest.json"
        ]
    );
    let dir = tmp.path().join("bundle");
    // user-config.toml is the end users' provider config, loadable as --config.
    let cfg = scc_onboard::auth::Config::load(Some(&dir.join("user-config.toml"))).unwrap();
    assert_ne!(
        cfg.microsoft.tenant, "organizations",
        "tenant from the roster"
    );
    // Every file's hash in the manifest and in --json matches the file on disk.
    let manifest: serde_json::Value =
        serde_json::from_slice(&fs::read(dir.join("manifest.json")).unwrap()).unwrap();
    for f in manifest["files"].as_array().unwrap() {
        let name = f["name"].as_str().unwrap();
        let bytes = fs::read(dir.join(name)).unwrap();
        let hash = scc_onboard::bundle::manifest::sha256_hex(&bytes);
        assert_eq!(f["sha256"], hash.as_str(), "{name}");
        assert_eq!(f["bytes"], bytes.len());
    }
    let custom: serde_json::Value =
        serde_json::from_slice(&fs::read(dir.join("customization.json")).unwrap()).unwrap();
    assert_eq!(custom["settings"]["sync_contacts"], true);
    assert_eq!(custom["settings"]["m365_tenant"], "northwind-traders.com");
    assert_eq!(
        custom["settings"]["internal_domains"],
        serde_json::json!(["northwind-traders.com"])
    );
    let v = sample::schema_validator();
    assert!(v.is_valid(&custom));
}

#[test]
fn customization_from_toml_and_json_files() {
    let tmp = tempfile::tempdir().unwrap();
    let roster = fixture("bundle-roster.csv");
    fs::write(
        tmp.path().join("choices.toml"),
        "sync_tasks = false\nmailbox_access = \"impersonation\"\nimpersonation_account = \"scc@northwind-traders.com\"\nexchange_deployment = \"on_premises\"\news_url = \"https://mail.northwind-traders.com/EWS/Exchange.asmx\"\nsalesforce_client_id = \"3MVG9A2kN3Bn17hs8MIaQx1voVGy662rXlC37svtmLmt6wO_iik8Hnk3Dlc\"\nentra_client_id = \"6233fba6-0198-4277-892f-9275bf728bcc\"\n\n[checklist.impersonation]\nsave = true\n",
    )
    .unwrap();
    let out = run(
        &[
            "export",
            roster.to_str().unwrap(),
            "--customization",
            "choices.toml",
            "-o",
            "b1",
        ],
        tmp.path(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stdout).starts_with("Wrote b1:\n  users.csv (5 users)\n"));
    let md = fs::read_to_string(tmp.path().join("b1/report.md")).unwrap();
    assert!(md.contains("- [x] Save the role group."));
    assert!(md.contains("-Role ApplicationImpersonation -User \"scc@northwind-traders.com\""));
    // The customization.json just written is itself accepted as --customization.
    let out = run(
        &[
            "export",
            roster.to_str().unwrap(),
            "--customization",
            "b1/customization.json",
            "-o",
            "b2",
        ],
        tmp.path(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(
        fs::read(tmp.path().join("b1/customization.json")).unwrap(),
        fs::read(tmp.path().join("b2/customization.json")).unwrap()
    );
}

#[test]
fn rows_with_errors_refuse_the_export_with_exit_1() {
    let tmp = tempfile::tempdir().unwrap();
    let roster = fixture("bundle-roster-error.csv");
    let out = run(
        &[
            "export",
            "--customization",
            IDS,
            roster.to_str().unwrap(),
            "-o",
            "b",
        ],
        tmp.path(),
    );
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.contains("nothing written: 1 included row has errors (first at line 7)"),
        "{err}"
    );
    assert!(
        err.contains("bundle-roster-error.csv:7: Office 365 email address: not a valid address"),
        "{err}"
    );
    assert!(!tmp.path().join("b").exists());

    let out = run(
        &[
            "export",
            "--customization",
            IDS,
            roster.to_str().unwrap(),
            "--exclude-invalid",
            "--json",
            "-o",
            "b",
        ],
        tmp.path(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["rows_written"], 5);
    assert_eq!(doc["rows_excluded_invalid"][0]["line"], 7);
    let report = fs::read_to_string(tmp.path().join("b/report.md")).unwrap();
    assert!(report.contains("| 7 | Diego Ramos |"), "{report}");
}

#[test]
fn choice_errors_refuse_the_export_with_exit_1_and_json() {
    let tmp = tempfile::tempdir().unwrap();
    let roster = fixture("bundle-roster.csv");
    fs::write(
        tmp.path().join("c.json"),
        r#"{"mailbox_access": "impersonation", "impersonation_account": "svc@fabrikam.com",
            "salesforce_client_id": "3MVG9A2kN3Bn17hs8MIaQx1voVGy662rXlC37svtmLmt6wO_iik8Hnk3Dlc",
            "entra_client_id": "6233fba6-0198-4277-892f-9275bf728bcc"}"#,
    )
    .unwrap();
    let out = run(
        &[
            "export",
            roster.to_str().unwrap(),
            "--customization",
            "c.json",
            "--json",
            "-o",
            "b",
        ],
        tmp.path(),
    );
    assert_eq!(out.status.code(), Some(1));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["written"], false);
    // Impersonation in Exchange Online (the default deployment) is the error, with its
    // replacement as the fix; the account is not asked for there.
    assert_eq!(doc["problems"][0]["setting"], "mailbox_access");
    assert_eq!(doc["problems"][0]["fix"], "app_only");
    let settings: Vec<&str> = doc["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["setting"].as_str().unwrap())
        .collect();
    assert!(!settings.contains(&"impersonation_account"), "{doc}");
    assert!(!tmp.path().join("b").exists());
}

/// Required means required: each plan's missing setting refuses the export, named.
#[test]
fn export_is_refused_while_the_plan_lacks_a_required_setting() {
    let tmp = tempfile::tempdir().unwrap();
    let roster = fixture("bundle-roster.csv");
    let r = roster.to_str().unwrap();
    let ids = fs::read_to_string(IDS).unwrap();
    let cases = [
        ("", vec!["salesforce_client_id", "entra_client_id"]),
        ("mailbox_access = \"app_only\"\n", vec!["entra_object_id"]),
        (
            "mailbox_access = \"impersonation\"\nexchange_deployment = \"on_premises\"\n",
            vec!["impersonation_account", "ews_url"],
        ),
    ];
    for (n, (choices, missing)) in cases.into_iter().enumerate() {
        let file = format!("c{n}.toml");
        let body = if n == 0 {
            String::new()
        } else {
            format!("{choices}{ids}")
        };
        fs::write(tmp.path().join(&file), body).unwrap();
        let out = run(
            &["export", r, "--customization", &file, "-o", "b"],
            tmp.path(),
        );
        assert_eq!(out.status.code(), Some(1), "{choices}");
        let err = text(&out.stderr);
        for key in &missing {
            assert!(err.contains(&format!("{key}: ")), "{key} not named: {err}");
        }
        assert!(err.contains("is required"), "{err}");
        assert!(!tmp.path().join("b").exists());
    }
}

#[test]
fn unusable_input_exits_2_with_file_and_line() {
    let tmp = tempfile::tempdir().unwrap();
    let roster = fixture("bundle-roster.csv");
    fs::write(
        tmp.path().join("c.toml"),
        "sync_tasks = false\nsync_task = true\n",
    )
    .unwrap();
    let out = run(
        &[
            "export",
            roster.to_str().unwrap(),
            "--customization",
            "c.toml",
            "-o",
            "b",
        ],
        tmp.path(),
    );
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        text(&out.stderr),
        "scc-onboard: c.toml:2:1: unknown setting `sync_task` (did you mean `sync_tasks`?); the settings are listed in docs/customize.md\n"
    );
    let out = run(
        &["export", "--customization", IDS, "missing.csv", "-o", "b"],
        tmp.path(),
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("missing.csv"));
    // An existing folder that is not a bundle is never replaced.
    fs::create_dir(tmp.path().join("docs")).unwrap();
    fs::write(tmp.path().join("docs/keep.txt"), "mine").unwrap();
    let out = run(
        &[
            "export",
            "--customization",
            IDS,
            roster.to_str().unwrap(),
            "-o",
            "docs",
        ],
        tmp.path(),
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("is not a submission bundle"));
    assert_eq!(
        fs::read_to_string(tmp.path().join("docs/keep.txt")).unwrap(),
        "mine"
    );
    // Missing -o is a usage error.
    let out = run(
        &["export", "--customization", IDS, roster.to_str().unwrap()],
        tmp.path(),
    );
    assert_eq!(out.status.code(), Some(2));
}

mod session_export {
    use super::*;
    use scc_onboard::customize::{Catalogue, Choices, RosterFacts, Value};
    use scc_onboard::roster::Field;
    use scc_onboard::session::{CellEdit, ImportSettings, Op, Session, SourceInfo};

    /// A session over a copy of the roster with an error: the error fixed by an edit, the
    /// first row excluded, and one choice changed.
    fn write_session(dir: &Path) -> std::path::PathBuf {
        let roster = dir.join("roster.csv");
        fs::copy(fixture("bundle-roster-error.csv"), &roster).unwrap();
        let bytes = fs::read(&roster).unwrap();
        let mut s = Session::new(
            SourceInfo::of_bytes(&roster, &bytes),
            ImportSettings::default(),
        );
        s.history.push(Op::Cells {
            label: "edit".into(),
            changes: vec![CellEdit {
                row: 5,
                line: 7,
                field: Field::Office365Email,
                old: "diego.ramosnorthwind-traders.com".into(),
                new: "diego.ramos@northwind-traders.com".into(),
                anchor: None,
            }],
            id: 0,
        });
        s.history.push(Op::Exclude {
            row: 0,
            line: 2,
            excluded: true,
            anchor: None,
        });
        let cat = Catalogue::embedded();
        // As the wizard does: defaults computed from the imported roster.
        let facts =
            RosterFacts::from_values(["a@northwind-traders.com"], ["a@northwind-traders.com"]);
        let mut choices = Choices::defaults(&cat, &facts);
        choices.set("sync_tasks", Value::Bool(false));
        for line in fs::read_to_string(IDS).unwrap().lines() {
            let (key, value) = line.split_once(" = ").unwrap();
            choices.set(key, Value::Text(value.trim_matches('"').into()));
        }
        s.customization = serde_json::to_value(&choices).unwrap();
        let path = dir.join("session.json");
        fs::write(&path, s.to_json()).unwrap();
        path
    }

    #[test]
    fn a_session_exports_its_edited_roster_and_choices() {
        let tmp = tempfile::tempdir().unwrap();
        write_session(tmp.path());
        let out = run(
            &["export", "--session", "session.json", "--json", "-o", "b"],
            tmp.path(),
        );
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(doc["rows_written"], 5);
        let csv = fs::read_to_string(tmp.path().join("b/users.csv")).unwrap();
        assert!(csv.contains("diego.ramos@northwind-traders.com"));
        assert!(!csv.contains("Olivia Bennett"), "excluded row exported");
        let report = fs::read_to_string(tmp.path().join("b/report.md")).unwrap();
        assert!(report.contains("| 2 | Olivia Bennett |"), "{report}");
        let custom: serde_json::Value =
            serde_json::from_slice(&fs::read(tmp.path().join("b/customization.json")).unwrap())
                .unwrap();
        assert_eq!(custom["settings"]["sync_tasks"], false);
    }

    /// The wizard keeps its last Exchange access check in the session; the CLI's export of that
    /// session records it as the wizard's own export would.
    #[test]
    fn a_session_exports_the_exchange_check_it_kept() {
        let tmp = tempfile::tempdir().unwrap();
        let path = write_session(tmp.path());
        let mut doc: serde_json::Value = serde_json::from_slice(&fs::read(&path).unwrap()).unwrap();
        doc["exchange_check"] = serde_json::json!({
            "plan": "app_only", "api": "graph", "checked_at": "2026-12-02T03:00:00Z",
            "mailboxes": 5, "reachable": 4,
            "not_reachable": [{"upn": "diego.ramos@northwind-traders.com", "line": 4,
                               "status": "denied", "why": "access denied to mail"}],
            "prerequisites": [], "note": null
        });
        fs::write(&path, serde_json::to_vec(&doc).unwrap()).unwrap();
        let out = run(
            &["export", "--session", "session.json", "-o", "b"],
            tmp.path(),
        );
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        let report = fs::read_to_string(tmp.path().join("b/report.md")).unwrap();
        assert!(report.contains("4 of 5 mailboxes reachable"), "{report}");
        assert!(
            report.contains("| diego.ramos@northwind-traders.com | 4 | denied |"),
            "{report}"
        );
        let custom: serde_json::Value =
            serde_json::from_slice(&fs::read(tmp.path().join("b/customization.json")).unwrap())
                .unwrap();
        assert_eq!(custom["exchange_check"]["reachable"], 4, "{custom}");
    }

    #[test]
    fn a_changed_source_refuses_the_session_export() {
        let tmp = tempfile::tempdir().unwrap();
        write_session(tmp.path());
        let mut f = fs::OpenOptions::new()
            .append(true)
            .open(tmp.path().join("roster.csv"))
            .unwrap();
        std::io::Write::write_all(&mut f, b"X,x@y.com,,x@y.com,x@y.com\n").unwrap();
        let out = run(
            &["export", "--session", "session.json", "-o", "b"],
            tmp.path(),
        );
        assert_eq!(out.status.code(), Some(2));
        assert!(
            text(&out.stderr).contains("changed since the session"),
            "{}",
            text(&out.stderr)
        );
        assert!(!tmp.path().join("b").exists());
        // A roster and --session together is a usage error.
        let out = run(
            &[
                "export",
                "--customization",
                IDS,
                "roster.csv",
                "--session",
                "session.json",
                "-o",
                "b",
            ],
            tmp.path(),
        );
        assert_eq!(out.status.code(), Some(2));
    }
}

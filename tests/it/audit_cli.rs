//! The output can never be the input, and every change is accounted for: the real binary
//! run as a user runs it (issue 10: failures 3 and 6).

use crate::support::cli::{run_in as run, text};
use crate::support::sample;

use sample::fixture;
use serde_json::Value;
use std::fs;

const HEADER: &str =
    "Full name,Salesforce login,Salesforce user ID,Office 365 login,Office 365 email address";

/// The org's app IDs every plan requires (there is no vendor app): a choices file for exports
/// that test something else.
const IDS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/app-ids.toml");

/// Three users: one with two fixable cells (a mailto: login, a 15-character ID), one clean,
/// one with an address no fix can mend.
fn roster_text() -> String {
    format!(
        "{HEADER}\r\n\
         Jane Doe,mailto:jane@acme.com,005Hs00000AbCdE,jane@acme.onmicrosoft.com,jane.doe@acme.com\r\n\
         Sam Roe,sam@acme.com,005Hs00000AbCdFIAV,sam@acme.onmicrosoft.com,sam.roe@acme.com\r\n\
         Bad Row,bad@acme.com,005Hs00000AbCdGIAV,bad@acme.onmicrosoft.com,bad.rowacme.com\r\n"
    )
}

#[test]
fn validate_refuses_to_write_over_its_source_by_any_name() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let src = dir.join("R.csv");
    fs::write(&src, roster_text()).unwrap();
    fs::hard_link(&src, dir.join("hard.csv")).unwrap();
    let mut names = vec!["R.csv", "./R.csv", "sub/../R.csv", "hard.csv"];
    fs::create_dir(dir.join("sub")).unwrap();
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(&src, dir.join("link.csv")).unwrap();
        names.push("link.csv");
    }
    let abs = src.to_str().unwrap().to_string();
    names.push(&abs);
    for out in names {
        let res = run(&["validate", "R.csv", "--fix", "-o", out], dir);
        let err = text(&res.stderr);
        assert_eq!(res.status.code(), Some(2), "-o {out}: {err}");
        assert!(
            err.contains("is the roster being validated") && err.contains("write to another file"),
            "-o {out}: {err}"
        );
        assert_eq!(fs::read_to_string(&src).unwrap(), roster_text(), "-o {out}");
    }
    // Another file is written; the source stays as it was.
    let res = run(&["validate", "R.csv", "--fix", "-o", "out.csv"], dir);
    assert_eq!(res.status.code(), Some(1), "{}", text(&res.stderr));
    assert_eq!(fs::read_to_string(&src).unwrap(), roster_text());
    assert!(dir.join("out.csv").exists());
}

#[test]
fn customize_and_wizard_refuse_to_write_over_the_roster() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    fs::write(dir.join("R.csv"), roster_text()).unwrap();
    let res = run(&["customize", "R.csv", "-o", "./R.csv"], dir);
    assert_eq!(res.status.code(), Some(2), "{}", text(&res.stderr));
    assert!(text(&res.stderr).contains("is the roster"));
    // The wizard saves its session on every change: the roster cannot be the session file
    // (it used to be moved aside as a damaged session).
    let res = run(&["wizard", "R.csv", "--session", "R.csv"], dir);
    assert_eq!(res.status.code(), Some(2), "{}", text(&res.stderr));
    assert!(text(&res.stderr).contains("--session R.csv is the roster to open"));
    assert_eq!(
        fs::read_to_string(dir.join("R.csv")).unwrap(),
        roster_text()
    );
    assert!(!dir.join("R.json.damaged").exists() && !dir.join("R.csv.damaged").exists());
}

#[test]
fn validate_fix_lists_every_change_in_the_report_and_the_json() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    fs::write(dir.join("R.csv"), roster_text()).unwrap();
    let res = run(&["validate", "R.csv", "--fix", "-o", "out.csv"], dir);
    let human = text(&res.stdout);
    assert!(human.contains("fixed 2 cells (2 fixes):"), "{human}");
    assert!(
        human.contains(
            "  2:2       mailto-prefix          Salesforce login: \"mailto:jane@acme.com\" → \"jane@acme.com\""
        ),
        "{human}"
    );
    assert!(
        human.contains(
            "  2:3       sfid-15                Salesforce user ID: \"005Hs00000AbCdE\" → \"005Hs00000AbCdEIAV\""
        ),
        "{human}"
    );
    let res = run(
        &["validate", "R.csv", "--fix", "--json", "-o", "out.csv"],
        dir,
    );
    let doc: Value = serde_json::from_slice(&res.stdout).unwrap();
    let out = &doc["output"];
    assert_eq!(out["cells_fixed"], 2);
    assert_eq!(
        out["changes"],
        serde_json::json!([
            {"row": 1, "line": 2, "column": "salesforce_login", "code": "mailto-prefix",
             "how": "fixed by --fix",
             "old": "mailto:jane@acme.com", "new": "jane@acme.com"},
            {"row": 1, "line": 2, "column": "salesforce_user_id", "code": "sfid-15", "how": "fixed by --fix",
             "old": "005Hs00000AbCdE", "new": "005Hs00000AbCdEIAV"},
        ])
    );
    // Without --fix nothing changes, and the list says so.
    let res = run(&["validate", "R.csv", "--json", "-o", "out.csv"], dir);
    let doc: Value = serde_json::from_slice(&res.stdout).unwrap();
    assert_eq!(doc["output"]["changes"], serde_json::json!([]));
}

#[test]
fn export_records_changes_exclusions_and_the_source_in_report_and_manifest() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    fs::write(dir.join("R.csv"), roster_text()).unwrap();
    let res = run(
        &[
            "export",
            "--customization",
            IDS,
            "R.csv",
            "--fix",
            "--exclude-invalid",
            "-o",
            "b",
        ],
        dir,
    );
    assert_eq!(res.status.code(), Some(0), "{}", text(&res.stderr));
    let report = fs::read_to_string(dir.join("b/report.md")).unwrap();
    assert!(
        report.contains("## Changes made by scc-onboard"),
        "{report}"
    );
    assert!(
        report.contains(
            "| 2 | Salesforce login | automatic fix (--fix) | `mailto-prefix` | \"mailto:jane@acme.com\" | \"jane@acme.com\" |"
        ),
        "{report}"
    );
    assert!(report.contains(
        "| 2 | Salesforce user ID | automatic fix (--fix) | `sfid-15` | \"005Hs00000AbCdE\" | \"005Hs00000AbCdEIAV\" |"
    ));
    assert!(report.contains("| Left out: has errors (--exclude-invalid) | 1 |"));
    assert!(report.contains("| Excluded by the admin | 0 |"));
    let row = report
        .lines()
        .find(|l| l.starts_with("| 4 | Bad Row |"))
        .unwrap_or_else(|| panic!("{report}"));
    assert!(
        row.contains("left out: has errors (--exclude-invalid): ")
            && row.contains("address-invalid"),
        "{row}"
    );
    assert!(!report.contains("Excluded by the admin | 1"));

    let manifest: Value =
        serde_json::from_slice(&fs::read(dir.join("b/manifest.json")).unwrap()).unwrap();
    let src = fs::read(dir.join("R.csv")).unwrap();
    assert_eq!(manifest["source"]["name"], "R.csv");
    assert_eq!(manifest["source"]["bytes"], src.len());
    assert_eq!(
        manifest["source"]["sha256"],
        scc_onboard::bundle::manifest::sha256_hex(&src).as_str()
    );
    assert_eq!(manifest["users"], 2);
    assert_eq!(manifest["tool_version"], env!("CARGO_PKG_VERSION"));
    let created = manifest["created"].as_str().unwrap();
    assert!(created.len() == 20 && created.ends_with('Z'), "{created}");
}

#[test]
fn export_refuses_a_folder_that_is_or_holds_its_inputs() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    fs::copy(fixture("bundle-roster.csv"), dir.join("R.csv")).unwrap();
    let res = run(&["export", "--customization", IDS, "R.csv", "-o", "b"], dir);
    assert_eq!(res.status.code(), Some(0), "{}", text(&res.stderr));
    // The earlier bundle's users.csv as the roster: replacing b would delete it.
    let users = fs::read(dir.join("b/users.csv")).unwrap();
    for out in ["b", "./b", "b/../b"] {
        let res = run(
            &["export", "--customization", IDS, "b/users.csv", "-o", out],
            dir,
        );
        let err = text(&res.stderr);
        assert_eq!(res.status.code(), Some(2), "-o {out}: {err}");
        assert!(
            err.contains("holds the roster file") && err.contains("choose another output folder"),
            "-o {out}: {err}"
        );
        assert_eq!(fs::read(dir.join("b/users.csv")).unwrap(), users);
    }
    let res = run(
        &["export", "--customization", IDS, "R.csv", "-o", "R.csv"],
        dir,
    );
    assert_eq!(res.status.code(), Some(2));
    assert!(
        text(&res.stderr).contains("is the roster file"),
        "{}",
        text(&res.stderr)
    );
    // A session file kept inside the bundle folder.
    let bytes = fs::read(dir.join("R.csv")).unwrap();
    let s = scc_onboard::session::Session::new(
        scc_onboard::session::SourceInfo::of_bytes(&dir.join("R.csv"), &bytes),
        Default::default(),
    );
    fs::write(dir.join("b/session.json"), s.to_json()).unwrap();
    let res = run(
        &[
            "export",
            "--customization",
            IDS,
            "--session",
            "b/session.json",
            "-o",
            "b",
        ],
        dir,
    );
    assert_eq!(res.status.code(), Some(2), "{}", text(&res.stderr));
    assert!(text(&res.stderr).contains("holds the session file"));
    assert!(dir.join("b/session.json").exists());
}

/// Failure 7: `internal_domains` in another order than the roster's default is not a change.
#[test]
fn a_reordered_domain_list_is_not_reported_as_changed() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    // acme.com is the most common domain, so the default is [acme.com, acme.co.uk].
    fs::write(
        dir.join("R.csv"),
        format!(
            "{HEADER}\r\n\
             Jane Doe,jane@acme.com,005Hs00000AbCdEIAV,jane@acme.com,jane@acme.com\r\n\
             Sam Roe,sam@acme.com,005Hs00000AbCdFIAV,sam@acme.com,sam@acme.com\r\n\
             Kim Poe,kim@acme.com,005Hs00000AbCdGIAV,kim@acme.com,kim@acme.co.uk\r\n"
        ),
    )
    .unwrap();
    fs::write(
        dir.join("c.toml"),
        format!(
            "internal_domains = [\"acme.co.uk\", \"acme.com\"]\n{}",
            fs::read_to_string(IDS).unwrap()
        ),
    )
    .unwrap();
    let res = run(&["customize", "R.csv", "--check", "c.toml", "--json"], dir);
    assert_eq!(res.status.code(), Some(0), "{}", text(&res.stderr));
    let doc: Value = serde_json::from_slice(&res.stdout).unwrap();
    let changed: Vec<&str> = doc["changed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["setting"].as_str().unwrap())
        .collect();
    assert_eq!(
        changed,
        ["salesforce_client_id", "entra_client_id"],
        "not internal_domains: {doc}"
    );
    let res = run(
        &["export", "R.csv", "--customization", "c.toml", "-o", "b"],
        dir,
    );
    assert_eq!(res.status.code(), Some(0), "{}", text(&res.stderr));
    let md = fs::read_to_string(dir.join("b/customization.md")).unwrap();
    let line = md
        .lines()
        .find(|l| l.contains("`internal_domains`"))
        .unwrap();
    assert!(!line.contains("changed"), "{line}");
    let json: Value =
        serde_json::from_slice(&fs::read(dir.join("b/customization.json")).unwrap()).unwrap();
    let detail = json["details"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["key"] == "internal_domains")
        .unwrap();
    assert_eq!(detail["default"], true, "{detail}");
    // A real difference still is one.
    fs::write(
        dir.join("c.toml"),
        format!(
            "internal_domains = [\"acme.com\"]\n{}",
            fs::read_to_string(IDS).unwrap()
        ),
    )
    .unwrap();
    let res = run(&["customize", "R.csv", "--check", "c.toml", "--json"], dir);
    let doc: Value = serde_json::from_slice(&res.stdout).unwrap();
    assert_eq!(doc["changed"][0]["setting"], "internal_domains");
}

/// A choices file ticking an item by `true` ticks it as it reads with that file's choices;
/// report.md says which.
#[test]
fn a_true_tick_in_a_choices_file_stands_for_the_item_as_it_reads() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    fs::copy(fixture("bundle-roster.csv"), dir.join("R.csv")).unwrap();
    fs::write(
        dir.join("c.toml"),
        "mailbox_access = \"impersonation\"\nimpersonation_account = \"scc@northwind-traders.com\"\n\
         exchange_deployment = \"on_premises\"\news_url = \"https://mail.example.com/EWS/Exchange.asmx\"\nsalesforce_client_id = \"3MVG9A2kN3Bn17hs8MIaQx1voVGy662rXlC37svtmLmt6wO_iik8Hnk3Dlc\"\nentra_client_id = \"6233fba6-0198-4277-892f-9275bf728bcc\"\n\n\
         [checklist.impersonation]\nadd_member = true\n",
    )
    .unwrap();
    let res = run(
        &["export", "R.csv", "--customization", "c.toml", "-o", "b"],
        dir,
    );
    assert_eq!(res.status.code(), Some(0), "{}", text(&res.stderr));
    let md = fs::read_to_string(dir.join("b/report.md")).unwrap();
    assert!(
        md.contains("- [x] Under Members, add scc@northwind-traders.com."),
        "{md}"
    );
}

/// A session's hand edits, bulk fixes and exclusions reach report.md through `export --session`.
#[test]
fn a_session_export_lists_hand_edits_bulk_fixes_and_both_kinds_of_exclusion() {
    use scc_onboard::roster::Field;
    use scc_onboard::session::{CellEdit, Op, Session, SourceInfo};
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let roster = dir.join("roster.csv");
    fs::copy(fixture("bundle-roster-error.csv"), &roster).unwrap();
    let bytes = fs::read(&roster).unwrap();
    let mut s = Session::new(SourceInfo::of_bytes(&roster, &bytes), Default::default());
    let cell = |row: usize, field: Field, old: &str, new: &str| CellEdit {
        row,
        line: row as u64 + 2,
        field,
        old: old.into(),
        new: new.into(),
        anchor: None,
    };
    s.history.push(Op::cells(
        "edit office365_email",
        vec![cell(
            5,
            Field::Office365Email,
            "diego.ramosnorthwind-traders.com",
            "diego.ramos@northwind-traders.com",
        )],
    ));
    s.history.push(Op::cells(
        "bulk fix sfid-15",
        vec![cell(
            3,
            Field::SalesforceUserId,
            "0058c0eeby3abP3",
            "0058c0eeby3abP3AAI",
        )],
    ));
    s.history.push(Op::Exclude {
        row: 0,
        line: 2,
        excluded: true,
        anchor: None,
    });
    s.history.push(Op::ExcludeRows {
        rows: vec![1],
        excluded: true,
        anchors: None,
    });
    fs::write(dir.join("session.json"), s.to_json()).unwrap();
    let res = run(
        &[
            "export",
            "--customization",
            IDS,
            "--session",
            "session.json",
            "-o",
            "b",
        ],
        dir,
    );
    assert_eq!(res.status.code(), Some(0), "{}", text(&res.stderr));
    let md = fs::read_to_string(dir.join("b/report.md")).unwrap();
    assert!(md.contains(
        "| 7 | Office 365 email address | hand edit |  | \"diego.ramosnorthwind-traders.com\" | \"diego.ramos@northwind-traders.com\" |"
    ), "{md}");
    assert!(md.contains(
        "| 5 | Salesforce user ID | bulk fix | `sfid-15` | \"0058c0eeby3abP3\" | \"0058c0eeby3abP3AAI\" |"
    ), "{md}");
    assert!(
        md.contains("| Left out: has errors (--exclude-invalid) | 1 |"),
        "{md}"
    );
    assert!(md.contains("| Excluded by the admin | 1 |"), "{md}");
    let row = |line: &str| {
        md.lines()
            .find(|l| l.starts_with(line))
            .unwrap()
            .to_string()
    };
    assert!(row("| 2 | Olivia Bennett |").contains("excluded by the admin"));
    assert!(row("| 3 | Liam Carter |").contains("left out: has errors (--exclude-invalid)"));
}

// Issue 16: the CLI for scripting admins.

#[test]
fn validate_set_is_applied_before_fix_and_listed_as_a_change() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    fs::write(dir.join("R.csv"), roster_text()).unwrap();
    // A column title, any case, as FIELD; the value keeps everything after the first '='.
    let res = run(
        &[
            "validate",
            "R.csv",
            "--set",
            "4:office 365 EMAIL address=bad.row@acme.com",
            "--fix",
            "-o",
            "out.csv",
        ],
        dir,
    );
    let human = text(&res.stdout);
    assert_eq!(res.status.code(), Some(0), "{human}{}", text(&res.stderr));
    assert!(human.contains("set 1 cell (--set):"), "{human}");
    assert!(
        human.contains(
            "  4:5       --set                  Office 365 email address: \"bad.rowacme.com\" → \"bad.row@acme.com\""
        ),
        "{human}"
    );
    assert!(fs::read_to_string(dir.join("out.csv"))
        .unwrap()
        .contains("bad.row@acme.com"));
    let res = run(
        &[
            "validate",
            "R.csv",
            "--set",
            "4:office365_email=bad.row@acme.com",
            "--fix",
            "--json",
            "-o",
            "out.csv",
        ],
        dir,
    );
    let doc: Value = serde_json::from_slice(&res.stdout).unwrap();
    let changes = &doc["output"]["changes"];
    assert_eq!(
        changes[0],
        serde_json::json!({"row": 3, "line": 4, "column": "office365_email", "code": null,
            "how": "set by --set", "old": "bad.rowacme.com", "new": "bad.row@acme.com"})
    );
    assert_eq!(changes[1]["how"], "fixed by --fix");
    assert_eq!(changes.as_array().unwrap().len(), 3);
    assert_eq!(doc["summary"]["errors"], 0);
    // Without -o the roster is still revalidated after --set, and the change listed.
    let res = run(
        &[
            "validate",
            "R.csv",
            "--json",
            "--set",
            "2:salesforce_login=jane@acme.com",
        ],
        dir,
    );
    let doc: Value = serde_json::from_slice(&res.stdout).unwrap();
    assert_eq!(doc["summary"]["errors"], 1, "{doc}");
    assert_eq!(doc["changes"][0]["new"], "jane@acme.com");
    assert_eq!(
        fs::read_to_string(dir.join("R.csv")).unwrap(),
        roster_text()
    );
}

#[test]
fn bad_set_and_exclude_arguments_are_exit_2_naming_the_flag() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    fs::write(dir.join("R.csv"), roster_text()).unwrap();
    let cases: [(&[&str], &[&str]); 7] = [
        (
            &["validate", "R.csv", "--set", "9:full_name=X"],
            &[
                "R.csv: --set 9:full_name=…: line 9 starts no row",
                "rows start on lines 2 to 4",
            ],
        ),
        (
            &["validate", "R.csv", "--set", "2:mail=X"],
            &[
                "--set <LINE:FIELD=VALUE>",
                "unknown field 'mail'",
                "office365_email",
            ],
        ),
        (
            &["validate", "R.csv", "--set", "2:full_name"],
            &["--set", "is not LINE:FIELD=VALUE (no '=')"],
        ),
        (
            &[
                "export",
                "--customization",
                IDS,
                "R.csv",
                "--set",
                "1:full_name=X",
                "-o",
                "b",
            ],
            &["--set 1:full_name=…: line 1 starts no row"],
        ),
        (
            &[
                "export",
                "--customization",
                IDS,
                "R.csv",
                "--exclude",
                "3,7",
                "-o",
                "b",
            ],
            &["R.csv: --exclude 7: line 7 starts no row"],
        ),
        (
            &[
                "export",
                "--customization",
                IDS,
                "R.csv",
                "--exclude",
                "4-2",
                "-o",
                "b",
            ],
            &["--exclude", "runs backwards; write it as 2-4"],
        ),
        (
            &[
                "export",
                "--customization",
                IDS,
                "R.csv",
                "--exclude",
                "x",
                "-o",
                "b",
            ],
            &["--exclude", "'x' is not a line number"],
        ),
    ];
    for (args, wants) in cases {
        let res = run(args, dir);
        let err = text(&res.stderr);
        assert_eq!(res.status.code(), Some(2), "{args:?}: {err}");
        for want in wants {
            assert!(err.contains(want), "{args:?}: {err}");
        }
        assert!(!dir.join("b").exists() && !dir.join("out.csv").exists());
    }
}

#[test]
fn export_set_and_exclude_reach_report_md() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    fs::write(dir.join("R.csv"), roster_text()).unwrap();
    let res = run(
        &[
            "export",
            "--customization",
            IDS,
            "R.csv",
            "--set",
            "2:Salesforce login=jane@acme.com",
            "--exclude",
            "4",
            "--json",
            "-o",
            "b",
        ],
        dir,
    );
    assert_eq!(res.status.code(), Some(0), "{}", text(&res.stderr));
    let doc: Value = serde_json::from_slice(&res.stdout).unwrap();
    assert_eq!(doc["cells_set"], 1);
    assert_eq!(
        doc["rows_excluded"],
        serde_json::json!([{"row": 3, "line": 4}])
    );
    assert_eq!(doc["rows_written"], 2);
    let md = fs::read_to_string(dir.join("b/report.md")).unwrap();
    assert!(md.contains(
        "| 2 | Salesforce login | hand edit (--set) |  | \"mailto:jane@acme.com\" | \"jane@acme.com\" |"
    ), "{md}");
    assert!(md.contains("hand edits 1."), "{md}");
    assert!(md.contains("| Excluded by the admin | 1 |"), "{md}");
    assert!(
        md.contains("| Left out: has errors (--exclude-invalid) | 0 |"),
        "{md}"
    );
    let row = md
        .lines()
        .find(|l| l.starts_with("| 4 | Bad Row |"))
        .unwrap();
    assert!(row.contains("excluded by the admin (--exclude): "), "{row}");
    let users = fs::read_to_string(dir.join("b/users.csv")).unwrap();
    assert!(
        !users.contains("Bad Row") && users.contains(",jane@acme.com,"),
        "{users}"
    );
}

#[test]
fn the_export_refusal_names_every_way_forward() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    fs::write(dir.join("R.csv"), roster_text()).unwrap();
    let res = run(&["export", "--customization", IDS, "R.csv", "-o", "b"], dir);
    let err = text(&res.stderr);
    assert_eq!(res.status.code(), Some(1), "{err}");
    for flag in [
        "--fix",
        "--set LINE:FIELD=VALUE",
        "--exclude LINE[,LINE…]",
        "--exclude-invalid",
    ] {
        assert!(err.contains(flag), "{flag}: {err}");
    }
    // Taking one of them works.
    let res = run(
        &[
            "export",
            "--customization",
            IDS,
            "R.csv",
            "--exclude",
            "2,4",
            "-o",
            "b",
        ],
        dir,
    );
    assert_eq!(res.status.code(), Some(0), "{}", text(&res.stderr));
}

#[test]
fn validate_quiet_prints_errors_and_the_summary_only() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    fs::write(dir.join("R.csv"), roster_text()).unwrap();
    let res = run(&["validate", "R.csv", "--quiet"], dir);
    assert_eq!(res.status.code(), Some(1));
    assert_eq!(
        text(&res.stdout),
        "R.csv:2:2: error mailto-prefix: Salesforce login: starts with 'mailto:'; only the address belongs here\n\
         R.csv:4:5: error address-invalid: Office 365 email address: not a valid address: has no @\n\
         ✗ 2 errors, 1 warning in 3 rows (2 rows with errors)\n"
    );
    // -q with -o: no change listing or "wrote" line either; --json ignores it.
    let res = run(&["validate", "R.csv", "-q", "--fix", "-o", "out.csv"], dir);
    assert_eq!(
        text(&res.stdout),
        "R.csv:4:5: error address-invalid: Office 365 email address: not a valid address: has no @\n\
         ✗ 1 error, 0 warnings in 3 rows (1 row with errors)\n"
    );
    let quiet = run(&["validate", "R.csv", "-q", "--json"], dir);
    let loud = run(&["validate", "R.csv", "--json"], dir);
    assert_eq!(quiet.stdout, loud.stdout);
}

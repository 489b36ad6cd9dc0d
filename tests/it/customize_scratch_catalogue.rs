//! The catalogue drives the form and the bundle: a setting added to a scratch catalogue is
//! rendered, edited, exported, and accepted by the shipped schema, with no code change.

use crate::support::form::screen;
use crate::support::sample;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use sample::*;
use scc_onboard::customize::catalogue::EMBEDDED;
use scc_onboard::customize::{Catalogue, RosterFacts, Value};
use scc_onboard::tui::customize::CustomizeStep;
use std::sync::Arc;

const EXTRA: &str = r#"
[[setting]]
key = "sync_notes"
title = "Sync notes"
help = "Copy Salesforce notes to Outlook as well."
group = "Sync"
type = "bool"
default = false

[[setting]]
key = "archive_domains"
title = "Archive domains"
help = "Mail from these domains is archived, never shared."
group = "Privacy"
type = "domain_list"
default = ["archive.example"]
"#;

fn scratch() -> Arc<Catalogue> {
    Arc::new(Catalogue::parse(&format!("{EMBEDDED}{EXTRA}"), "scratch.toml").unwrap())
}

#[test]
fn an_added_setting_is_rendered_edited_and_exported() {
    let cat = scratch();
    let roster = roster();
    let facts = RosterFacts::from_roster(&roster);
    let mut choices = sample::exportable_defaults(&cat, &facts);
    let mut step = CustomizeStep::new(cat.clone(), facts);
    // Sync notes comes after the Sync settings of the embedded catalogue.
    while step.focused_key(&choices).as_deref() != Some("sync_notes") {
        assert!(step
            .handle_key(KeyEvent::new(KeyCode::Down, KeyModifiers::NONE), &choices)
            .is_none());
    }
    let e = step
        .handle_key(
            KeyEvent::new(KeyCode::Char(' '), KeyModifiers::NONE),
            &choices,
        )
        .unwrap();
    assert_eq!((e.key.as_str(), &e.new), ("sync_notes", &Value::Bool(true)));
    choices.apply(&e);
    let s80 = screen(&step, &choices, 80, 24);
    assert!(s80.contains("▶* Sync notes"), "{s80}");
    insta::assert_snapshot!("scratch_catalogue_80x24", s80);
    insta::assert_snapshot!("scratch_catalogue_120x40", screen(&step, &choices, 120, 40));

    let files = render(&cat, &roster, &choices);
    let doc: serde_json::Value = serde_json::from_slice(&files["customization.json"]).unwrap();
    assert_eq!(doc["settings"]["sync_notes"], true);
    assert_eq!(
        doc["settings"]["archive_domains"],
        serde_json::json!(["archive.example"])
    );
    assert_eq!(
        schema_errors(&schema_validator(), &doc),
        Vec::<String>::new()
    );
    let md = String::from_utf8(files["customization.md"].clone()).unwrap();
    assert!(
        md.contains("- **Sync notes:** on (**changed**; default: off) `sync_notes`"),
        "{md}"
    );
    assert!(
        md.contains("- **Archive domains:** archive.example `archive_domains`"),
        "{md}"
    );
}

#[test]
fn the_export_command_uses_a_catalogue_file() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("cat.toml"), format!("{EMBEDDED}{EXTRA}")).unwrap();
    let ids = std::fs::read_to_string(fixture("app-ids.toml")).unwrap();
    std::fs::write(
        tmp.path().join("c.toml"),
        format!("sync_notes = true\n{ids}"),
    )
    .unwrap();
    let out = crate::support::cli::bin()
        .args(["export", fixture("bundle-roster.csv").to_str().unwrap()])
        .args([
            "--catalogue",
            "cat.toml",
            "--customization",
            "c.toml",
            "-o",
            "b",
        ])
        .current_dir(tmp.path())
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: serde_json::Value =
        serde_json::from_slice(&std::fs::read(tmp.path().join("b/customization.json")).unwrap())
            .unwrap();
    assert_eq!(doc["settings"]["sync_notes"], true);
    // Without the catalogue the key is unknown: a usage error naming the file and line.
    let out = crate::support::cli::bin()
        .args(["export", fixture("bundle-roster.csv").to_str().unwrap()])
        .args(["--customization", "c.toml", "-o", "b"])
        .current_dir(tmp.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr)
        .starts_with("scc-onboard: c.toml:1:1: unknown setting `sync_notes`"));
}

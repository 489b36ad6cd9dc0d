//! Values damaged before the file reached us (issue 10, failures 2 and 8): a 15-character ID
//! a spreadsheet upper- or lower-cased is an error no fix turns into an 18-character ID, and
//! letters an encoding lost are found. `validate` as a user runs it, and the wizard's `f`/`F`.

use crate::support::cli::bin;
use crate::support::sample::fixture;
use crate::support::wizard;

use crossterm::event::KeyCode;
use scc_onboard::roster::{Code, Field};
use scc_onboard::tui::state::Popup;
use serde_json::Value;

use std::process::Output;
use wizard::*;

const DAMAGED_IDS: &str = include_str!("../fixtures/sfid15-case-damaged.csv");
const LOST_FFFD: &str = include_str!("../fixtures/lost-letters-fffd.csv");

/// `0055e000ZvwW8tT` upper-cased by a spreadsheet, and the valid-looking ID of nobody that
/// the 18-character "fix" used to make of it.
const UPPERCASED: &str = "0055E000ZVWW8TT";
const LAUNDERED: &str = "0055E000ZVWW8TTQY1";

fn validate(args: &[&str]) -> (i32, Output) {
    let out = bin().arg("validate").args(args).output().expect("runs");
    (out.status.code().expect("exit code"), out)
}

fn json(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)))
}

/// (line, column, code, fix) of every finding.
fn findings(doc: &Value) -> Vec<(u64, String, String, Option<String>)> {
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["line"].as_u64().unwrap(),
                f["column"].as_str().unwrap_or("").to_string(),
                f["code"].as_str().unwrap().to_string(),
                f["fix"].as_str().map(str::to_string),
            )
        })
        .collect()
}

#[test]
fn validate_reports_a_case_damaged_15_character_id_as_an_error_without_a_fix() {
    let path = fixture("sfid15-case-damaged.csv");
    let (code, out) = validate(&[path.to_str().unwrap(), "--json"]);
    assert_eq!(code, 1, "a damaged ID is an error");
    let doc = json(&out);
    let id = |s: &str| ("salesforce_user_id".to_string(), s.to_string());
    let got: Vec<_> = findings(&doc)
        .into_iter()
        .map(|(line, col, code, fix)| (line, (col, code), fix))
        .collect();
    assert_eq!(
        got,
        vec![
            (2, id("sfid-15"), Some("0055e000XyzAb3CAIS".to_string())),
            (3, id("sfid-15-case"), None),
            (4, id("sfid-15-case"), None),
            (5, id("sfid-15"), None),
            (6, id("sfid-15"), Some("0054W00000AbCdEQAV".to_string())),
        ]
    );
    let messages: Vec<&str> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["message"].as_str().unwrap())
        .collect();
    assert!(messages[1].contains("upper case"), "{}", messages[1]);
    assert!(messages[2].contains("lower case"), "{}", messages[2]);
    for m in &messages[1..4] {
        assert!(m.contains("Case Safe ID"), "the remedy: {m}");
    }
    assert_eq!(doc["summary"]["errors"], 2);

    // The human report says so too.
    let (code, out) = validate(&[path.to_str().unwrap()]);
    assert_eq!(code, 1);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("sfid-15-case"), "{text}");
    assert!(!text.contains(LAUNDERED), "{text}");
}

#[test]
fn validate_fix_never_makes_an_18_character_id_of_a_damaged_one() {
    let dir = tempfile::tempdir().unwrap();
    let out_csv = dir.path().join("users.csv");
    let path = fixture("sfid15-case-damaged.csv");
    let (code, out) = validate(&[
        path.to_str().unwrap(),
        "--fix",
        "-o",
        out_csv.to_str().unwrap(),
        "--json",
        "--no-bom",
    ]);
    assert_eq!(code, 1, "rows with damaged IDs are left out");
    let doc = json(&out);
    let left_out: Vec<u64> = doc["output"]["left_out"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["line"].as_u64().unwrap())
        .collect();
    assert_eq!(left_out, vec![3, 4]);
    let written = std::fs::read_to_string(&out_csv).unwrap();
    assert!(!written.contains(LAUNDERED), "{written}");
    assert!(
        !written.to_ascii_uppercase().contains(UPPERCASED),
        "{written}"
    );
    let ids: Vec<&str> = written
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(2).unwrap())
        .collect();
    // The mixed-case IDs get their exact 18-character form; the one with too few letters to
    // judge stays as it was, with its warning.
    assert_eq!(
        ids,
        vec![
            "0055e000XyzAb3CAIS",
            "0055E0000001BCD",
            "0054W00000AbCdEQAV"
        ]
    );
}

#[test]
fn wizard_f_and_bulk_f_leave_a_damaged_id_alone() {
    let mut s = loaded(DAMAGED_IDS, (120, 40));
    go_to_col(&mut s, Field::SalesforceUserId.index());

    // `f` on the upper-cased ID: nothing to apply.
    go_to_line(&mut s, 3);
    let row = s.selected_row().unwrap();
    assert!(s
        .roster
        .findings(row)
        .iter()
        .any(|f| f.code == Code::Sfid15Case && f.fix.is_none()));
    let fx = press(&mut s, key(KeyCode::Char('f')));
    assert!(!saves(&fx));
    assert_eq!(s.roster.cell(row, Field::SalesforceUserId), UPPERCASED);
    assert_eq!(
        s.status.as_ref().map(|st| st.text.as_str()),
        Some("No suggested fix on this row")
    );
    // `F` on it: no bulk fix is offered.
    press(&mut s, key(KeyCode::Char('F')));
    assert!(s.popup.is_none(), "{:?}", s.popup);

    // `F` on a genuine 15-character ID fixes the IDs whose case is trusted, and only those.
    go_to_line(&mut s, 2);
    press(&mut s, key(KeyCode::Char('F')));
    match &s.popup {
        Some(Popup::ConfirmBulk { code, changes }) => {
            assert_eq!(*code, Code::Sfid15);
            let lines: Vec<u64> = changes.iter().map(|c| c.line).collect();
            assert_eq!(lines, vec![2, 6]);
        }
        other => panic!("expected the confirmation, got {other:?}"),
    }
    let fx = press(&mut s, key(KeyCode::Char('y')));
    assert!(saves(&fx));
    let ids: Vec<String> = (0..s.roster.len())
        .map(|r| s.roster.cell(r, Field::SalesforceUserId).to_string())
        .collect();
    assert_eq!(
        ids,
        vec![
            "0055e000XyzAb3CAIS",
            UPPERCASED,
            "005hs000001kqrs",
            "0055E0000001BCD",
            "0054W00000AbCdEQAV",
        ]
    );
    assert_eq!(s.roster.counts().rows_with_errors, 2);
}

#[test]
fn validate_finds_letters_lost_to_a_windows_1252_save() {
    let path = fixture("lost-letters-cp1252.csv");
    let (code, out) = validate(&[path.to_str().unwrap(), "--json"]);
    assert_eq!(code, 1, "lost letters are an error");
    let doc = json(&out);
    assert_eq!(doc["encoding"], "windows-1252");
    assert_eq!(doc["delimiter"], ";");
    assert_eq!(doc["rows"], 12);
    let name = |line: u64| {
        (
            line,
            "full_name".to_string(),
            "lost-characters".to_string(),
            None,
        )
    };
    // `?ukasz ?ó??`, `Ji?í Dvo?ák`, `Ma?gorzata Wi?niewska`, `?tefan M?rg?rit`; the accented
    // names Windows-1252 holds (José Álvarez, Zoë Brontë, Jürgen Groß, ...) and `O'Brien, Pat`
    // are fine.
    assert_eq!(findings(&doc), vec![name(2), name(3), name(5), name(11)]);
    let message = doc["findings"][0]["message"].as_str().unwrap();
    assert!(message.contains("CSV UTF-8"), "the remedy: {message}");
    assert_eq!(doc["summary"]["by_code"]["lost-characters"], 4);

    // --fix changes nothing in them and leaves them out.
    let dir = tempfile::tempdir().unwrap();
    let out_csv = dir.path().join("users.csv");
    let (code, _) = validate(&[
        path.to_str().unwrap(),
        "--fix",
        "-o",
        out_csv.to_str().unwrap(),
    ]);
    assert_eq!(code, 1);
    let written = std::fs::read_to_string(&out_csv).unwrap();
    assert_eq!(written.lines().count(), 1 + 8, "{written}");
    assert!(!written.contains('?'), "{written}");
    assert!(written.contains("José Álvarez"), "{written}");
}

#[test]
fn validate_and_the_wizard_find_replacement_characters_in_a_utf8_file() {
    let path = fixture("lost-letters-fffd.csv");
    let (code, out) = validate(&[path.to_str().unwrap(), "--json"]);
    assert_eq!(code, 1);
    let doc = json(&out);
    assert_eq!(doc["encoding"], "utf-8");
    assert_eq!(
        findings(&doc),
        vec![(
            2,
            "full_name".to_string(),
            "lost-characters".to_string(),
            None
        )]
    );

    // The wizard's roster says the same, and offers nothing to apply.
    let mut s = loaded(LOST_FFFD, (120, 40));
    go_to_line(&mut s, 2);
    let row = s.selected_row().unwrap();
    let codes: Vec<Code> = s.roster.findings(row).iter().map(|f| f.code).collect();
    assert_eq!(codes, vec![Code::LostCharacters]);
    let before = s.roster.cell(row, Field::FullName).to_string();
    let fx = press(&mut s, key(KeyCode::Char('f')));
    assert!(!saves(&fx));
    assert_eq!(s.roster.cell(row, Field::FullName), before);
}

//! The session file: format, atomic saving, loading errors, replay, and the runtime saving each
//! change before it returns (so before the next frame is drawn).

mod common;

use common::*;
use crossterm::event::KeyCode;
use scc_onboard::roster::import::{import_bytes, ImportOptions};
use scc_onboard::roster::{Field, Roster};
use scc_onboard::session::{save_atomic, Session, SessionError, Step};
use scc_onboard::tui::runtime::{initial_state, Options, Runtime};
use scc_onboard::tui::state::Popup;
use scc_onboard::tui::theme::Theme;
use scc_onboard::tui::Msg;
use std::sync::mpsc::channel;
use std::time::{Duration, Instant};

/// A wizard state with an edit, a fix, a bulk fix and an exclusion applied through keys.
fn edited() -> scc_onboard::tui::State {
    let mut s = loaded(FIXTURE, (120, 40));
    go_to_line(&mut s, 3);
    press(&mut s, key(KeyCode::Enter));
    type_keys(&mut s, "Grace Hopper");
    press(&mut s, key(KeyCode::Enter));
    go_to_line(&mut s, 2);
    go_to_col(&mut s, Field::SalesforceUserId.index());
    press(&mut s, key(KeyCode::Char('F')));
    press(&mut s, key(KeyCode::Char('y')));
    go_to_line(&mut s, 9);
    press(&mut s, key(KeyCode::Char('f')));
    go_to_line(&mut s, 7);
    press(&mut s, key(KeyCode::Char('x')));
    s
}

fn same_roster(a: &Roster, b: &Roster) {
    assert_eq!(a.len(), b.len());
    for r in 0..a.len() {
        assert_eq!(a.record(r).cells, b.record(r).cells, "row {r}");
        assert_eq!(a.is_excluded(r), b.is_excluded(r), "row {r}");
    }
    assert_eq!(a.counts(), b.counts());
}

#[test]
fn saved_session_round_trips_and_replays_onto_the_untouched_source() {
    let s = edited();
    let session = s.session.clone().unwrap();
    assert_eq!(session.history.len(), 4);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nested/session.json");
    save_atomic(&session, &path).unwrap();
    let loaded = Session::load(&path).unwrap();
    assert_eq!(loaded, session);
    assert!(
        std::fs::read_dir(path.parent().unwrap()).unwrap().count() == 1,
        "no temporary file is left behind"
    );

    let mut fresh =
        Roster::from_imported(import_bytes(FIXTURE.as_bytes(), &ImportOptions::default()).unwrap());
    let report = loaded.replay(&mut fresh);
    assert_eq!(
        (report.applied, report.mismatched, report.skipped),
        (4, 0, 0)
    );
    same_roster(&fresh, &s.roster);
}

#[test]
fn leaving_out_every_error_row_at_once_is_saved_and_replayed() {
    let mut s = loaded(FIXTURE, (120, 40));
    for _ in 0..3 {
        press(&mut s, key(KeyCode::Char('>')));
    }
    press(&mut s, key(KeyCode::Char('x')));
    press(&mut s, key(KeyCode::Char('y')));
    assert_eq!(s.roster.counts().excluded, 2);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("session.json");
    save_atomic(s.session.as_ref().unwrap(), &path).unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains(r#""op": "exclude_rows""#), "{text}");
    let loaded = Session::load(&path).unwrap();
    let mut fresh =
        Roster::from_imported(import_bytes(FIXTURE.as_bytes(), &ImportOptions::default()).unwrap());
    let report = loaded.replay(&mut fresh);
    assert_eq!((report.applied, report.skipped), (1, 0));
    same_roster(&fresh, &s.roster);
}

#[test]
fn replay_reports_edits_that_do_not_fit_a_changed_source() {
    let session = edited().session.unwrap();
    let shorter: String = FIXTURE.lines().take(4).map(|l| format!("{l}\n")).collect();
    let mut roster =
        Roster::from_imported(import_bytes(shorter.as_bytes(), &ImportOptions::default()).unwrap());
    let report = session.replay(&mut roster);
    assert!(report.skipped >= 2, "{report:?}");
}

#[test]
fn undo_state_survives_a_save() {
    let mut s = edited();
    press(&mut s, key(KeyCode::Char('u')));
    let session = s.session.clone().unwrap();
    let json = String::from_utf8(session.to_json()).unwrap();
    let back = Session::from_json(json.as_bytes(), "s.json".as_ref()).unwrap();
    assert_eq!(back.history.len(), 3);
    assert_eq!(back.redo.len(), 1);
}

#[test]
fn a_damaged_session_file_names_file_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("session.json");
    std::fs::write(
        &path,
        "{\n  \"format\": \"scc-onboard-session\",\n  \"version\": 1,\n  oops\n}",
    )
    .unwrap();
    let err = Session::load(&path).unwrap_err();
    assert!(
        matches!(err, SessionError::Parse { line: 4, .. }),
        "{err:?}"
    );
    let msg = err.to_string();
    assert!(
        msg.contains("session.json") && msg.contains("line 4"),
        "{msg}"
    );

    std::fs::write(
        &path,
        r#"{"format":"something-else","version":1,"source":{"path":"a","sha256":"","size":0}}"#,
    )
    .unwrap();
    assert!(matches!(
        Session::load(&path),
        Err(SessionError::Format { .. })
    ));
}

#[test]
fn start_offers_to_resume_a_saved_session_and_moves_a_damaged_one_aside() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("session.json");
    let opts = Options {
        roster: None,
        session_path: path.clone(),
        mouse: false,
    };
    let (s, _) = initial_state(&opts, Theme::plain());
    assert!(s.popup.is_none(), "nothing to resume yet");

    save_atomic(&edited().session.unwrap(), &path).unwrap();
    let (s, fx) = initial_state(&opts, Theme::plain());
    match &s.popup {
        Some(Popup::Resume(offer)) => assert_eq!(offer.session.history.len(), 4),
        other => panic!("{other:?}"),
    }
    assert!(fx
        .iter()
        .any(|e| matches!(e, scc_onboard::tui::Effect::CheckSource { .. })));

    std::fs::write(&path, "not json").unwrap();
    let (s, _) = initial_state(&opts, Theme::plain());
    assert!(s.popup.is_none());
    assert!(s.banner.as_ref().unwrap().error);
    assert!(path.with_extension("json.damaged").exists());
    assert!(!path.exists());
}

/// Runs the real runtime (threads, files) without a terminal.
#[test]
fn runtime_loads_on_a_thread_and_saves_each_change_before_returning() {
    let dir = tempfile::tempdir().unwrap();
    let roster = dir.path().join("roster.csv");
    std::fs::write(&roster, FIXTURE).unwrap();
    let session_path = dir.path().join("session.json");
    let opts = Options {
        roster: Some(roster.clone()),
        session_path: session_path.clone(),
        mouse: false,
    };
    let (mut state, first) = initial_state(&opts, Theme::plain());
    let (tx, rx) = channel();
    let mut rt = Runtime::new(tx);
    for e in first {
        if let Some(m) = rt.run(&state, e) {
            rt.dispatch(&mut state, m);
        }
    }
    assert!(
        state.import.preview.is_some(),
        "the roster argument is previewed at start"
    );
    rt.dispatch(&mut state, Msg::StartLoad);
    let deadline = Instant::now() + Duration::from_secs(10);
    while state.load.is_some()
        || state
            .session
            .as_ref()
            .is_none_or(|s| s.source.sha256.is_empty())
    {
        let msg = rx
            .recv_timeout(deadline.saturating_duration_since(Instant::now()))
            .expect("the loader reports before the deadline");
        rt.dispatch(&mut state, msg);
    }
    assert_eq!(state.step, Step::Fix);
    assert_eq!(state.roster.len(), 8);

    go_to_line(&mut state, 3);
    rt.dispatch(&mut state, Msg::StartEdit);
    for c in "Grace".chars() {
        rt.dispatch(
            &mut state,
            Msg::Text(scc_onboard::tui::widgets::text_input::TextEdit::Insert(c)),
        );
    }
    rt.dispatch(&mut state, Msg::CommitInput);
    // On disk already: a kill right now loses nothing.
    let on_disk = Session::load(&session_path).unwrap();
    assert_eq!(on_disk.history.len(), 1);
    assert_eq!(
        std::fs::read_to_string(&roster).unwrap(),
        FIXTURE,
        "the source is never modified"
    );
}

#[test]
fn large_operations_get_their_own_file_so_later_saves_stay_small() {
    use scc_onboard::session::{ops_dir, CellEdit, Op, OWN_FILE_CELLS};
    let mut session = edited().session.unwrap();
    let n = OWN_FILE_CELLS + 500;
    let big = Op::cells(
        "bulk fix sfid-15",
        (0..n)
            .map(|row| CellEdit {
                row: row % 8,
                line: (row % 8) as u64 + 2,
                field: Field::SalesforceUserId,
                old: "x".into(),
                new: "y".into(),
                anchor: None,
            })
            .collect(),
    );
    session.history.push(big);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("session.json");
    save_atomic(&session, &path).unwrap();
    let files: Vec<_> = std::fs::read_dir(ops_dir(&path))
        .unwrap()
        .flatten()
        .collect();
    assert_eq!(files.len(), 1, "one file for the one large operation");
    let small = std::fs::metadata(&path).unwrap().len();
    assert!(small < 20_000, "session.json stays small: {small} bytes");
    assert_eq!(Session::load(&path).unwrap(), session);

    // Later saves do not rewrite it.
    let before = files[0].metadata().unwrap().modified().unwrap();
    session.step = Step::ReviewExport;
    save_atomic(&session, &path).unwrap();
    assert_eq!(files[0].metadata().unwrap().modified().unwrap(), before);

    // Undone, it is kept for redo; replaced by a new change, it goes.
    let op = session.history.pop().unwrap();
    session.redo.push(op);
    save_atomic(&session, &path).unwrap();
    assert_eq!(Session::load(&path).unwrap().redo.len(), 1);
    assert_eq!(Session::load(&path).unwrap(), session);
    // A file this session never referred to (say another wizard's) is left alone.
    let foreign = ops_dir(&path).join("op-42.json");
    std::fs::write(&foreign, "{}").unwrap();
    session.redo.clear();
    save_atomic(&session, &path).unwrap();
    let left: Vec<_> = std::fs::read_dir(ops_dir(&path))
        .unwrap()
        .flatten()
        .collect();
    assert_eq!(left.len(), 1, "only the dropped operation's file went");
    assert!(foreign.exists());
    assert_eq!(Session::load(&path).unwrap(), session);
}

#[test]
fn a_missing_operation_file_is_a_clear_error() {
    use scc_onboard::session::{ops_dir, CellEdit, Op, OWN_FILE_CELLS};
    let mut session = edited().session.unwrap();
    session.history.push(Op::cells(
        "bulk",
        vec![
            CellEdit {
                row: 0,
                line: 2,
                field: Field::FullName,
                old: "a".into(),
                new: "b".into(),
                anchor: None,
            };
            OWN_FILE_CELLS + 1
        ],
    ));
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("session.json");
    save_atomic(&session, &path).unwrap();
    std::fs::remove_dir_all(ops_dir(&path)).unwrap();
    let err = Session::load(&path).unwrap_err().to_string();
    assert!(
        err.contains("session.json.d") && err.contains("op-"),
        "{err}"
    );
}

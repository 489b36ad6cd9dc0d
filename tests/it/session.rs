//! The session file: format, atomic saving, loading errors, replay, and the runtime saving each
//! change before it returns (so before the next frame is drawn).

use crate::support::wizard;

use crossterm::event::KeyCode;
use scc_onboard::roster::import::{import_bytes, ImportOptions};
use scc_onboard::roster::{Field, Roster};
use scc_onboard::session::{save_atomic, Session, SessionError, Step};
use scc_onboard::tui::runtime::{initial_state, Options, Runtime};
use scc_onboard::tui::state::Popup;
use scc_onboard::tui::theme::Theme;
use scc_onboard::tui::{FixMsg, ImportMsg, Msg};
use std::sync::mpsc::channel;
use std::time::{Duration, Instant};
use wizard::*;

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
    rt.dispatch(&mut state, Msg::Import(ImportMsg::StartLoad));
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
    rt.dispatch(&mut state, Msg::Fix(FixMsg::StartEdit));
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

// Anchored replay: changes follow their users when the source changed (issue 10).

use scc_onboard::session::{
    Anchor, CellEdit, Op, Reason, RowKeys, SourceInfo, UnplacedChange, VERSION,
};

const PEOPLE: &str = "\
Full name,Salesforce login,Salesforce user ID,Office 365 login,Office 365 email address
Jordan Ferguson,jferguson@contoso.com,005Dn000011MnOpIAK,jferguson@contoso.com,jordan.ferguson@contoso.com
Joshua Patel,jpatel@contoso.com,005Dn000014MnOpIAK,jpatel@contoso.com,joshua.patel@contoso.com
Maria Lopez,mlopez@contoso.com,005Dn000016MnOpIAK,mlopez@contoso.com,maria.lopez@contoso.com
Diego Ramos,dramos@contoso.com,005Dn000017MnOpIAK,dramos@contoso.com,diego.ramos@contoso.com
";
const AARON: &str =
    "Aaron Young,ayoung@contoso.com,005Dn000015MnOpIAK,ayoung@contoso.com,aaron.young@contoso.com";

fn roster_of(csv: &str) -> Roster {
    Roster::from_imported(import_bytes(csv.as_bytes(), &ImportOptions::default()).unwrap())
}

/// `csv` with `line` inserted as the first data row.
fn with_row_on_top(csv: &str, line: &str) -> String {
    let mut lines: Vec<&str> = csv.lines().collect();
    lines.insert(1, line);
    lines.join("\n") + "\n"
}

/// The row whose Office 365 login is `login` (never edited in these tests).
fn row_with(roster: &Roster, login: &str) -> usize {
    (0..roster.len())
        .find(|&r| roster.cell(r, Field::Office365Login) == login)
        .unwrap()
}

/// A session on `csv` with these operations applied as the wizard records them.
fn session_with(csv: &str, ops: impl FnOnce(&Roster) -> Vec<Op>) -> (Session, Roster) {
    let mut roster = roster_of(csv);
    let mut s = Session::new(
        SourceInfo::of_bytes("roster.csv".as_ref(), csv.as_bytes()),
        Default::default(),
    );
    for op in ops(&roster) {
        op.apply(&mut roster).unwrap();
        s.history.push(op);
    }
    (s, roster)
}

fn edit(roster: &Roster, login: &str, field: Field, new: &str) -> Op {
    let row = row_with(roster, login);
    Op::cells(
        format!("edit {}", field.key()),
        vec![CellEdit::at(roster, row, field, new.into())],
    )
}

fn exclude(roster: &Roster, login: &str) -> Op {
    let row = row_with(roster, login);
    Op::Exclude {
        row,
        line: roster.record(row).line,
        excluded: true,
        anchor: Some(Anchor::of_row(roster, row)),
    }
}

/// Two edits and an exclusion on Joshua, Maria and Diego.
fn three_changes(r: &Roster) -> Vec<Op> {
    vec![
        edit(
            r,
            "jpatel@contoso.com",
            Field::SalesforceLogin,
            "joshua.patel@contoso.com",
        ),
        edit(r, "mlopez@contoso.com", Field::FullName, "María López"),
        exclude(r, "dramos@contoso.com"),
    ]
}

fn assert_three_changes_on_their_users(roster: &Roster) {
    let j = row_with(roster, "jpatel@contoso.com");
    assert_eq!(
        roster.cell(j, Field::SalesforceLogin),
        "joshua.patel@contoso.com"
    );
    let m = row_with(roster, "mlopez@contoso.com");
    assert_eq!(roster.cell(m, Field::FullName), "María López");
    assert!(roster.is_excluded(row_with(roster, "dramos@contoso.com")));
    let jordan = row_with(roster, "jferguson@contoso.com");
    assert_eq!(
        roster.cell(jordan, Field::SalesforceLogin),
        "jferguson@contoso.com",
        "nothing on anyone else"
    );
    assert_eq!(roster.counts().excluded, 1);
}

#[test]
fn changes_follow_their_users_when_a_row_is_inserted_above_them() {
    let (session, _) = session_with(PEOPLE, three_changes);
    let mut roster = roster_of(&with_row_on_top(PEOPLE, AARON));
    let report = session.replay(&mut roster);
    assert_eq!((report.applied, report.moved), (3, 3), "{report:?}");
    assert!(report.unplaced.is_empty(), "{report:?}");
    assert_three_changes_on_their_users(&roster);
    let aaron = row_with(&roster, "ayoung@contoso.com");
    assert_eq!(roster.record(aaron).cells[0], "Aaron Young");
    assert!(!roster.is_excluded(aaron));
}

#[test]
fn changes_follow_their_users_when_the_rows_are_re_sorted() {
    let (session, _) = session_with(PEOPLE, three_changes);
    let mut lines: Vec<&str> = PEOPLE.lines().collect();
    lines[1..].reverse();
    let mut roster = roster_of(&(lines.join("\n") + "\n"));
    let report = session.replay(&mut roster);
    assert!(report.unplaced.is_empty(), "{report:?}");
    assert_three_changes_on_their_users(&roster);
}

#[test]
fn an_unchanged_source_replays_in_place_and_resume_keeps_the_log_and_redo() {
    let (mut session, edited) = session_with(PEOPLE, three_changes);
    session.redo.push(edit(
        &edited,
        "jferguson@contoso.com",
        Field::FullName,
        "J. Ferguson",
    ));
    let before = session.clone();
    let mut roster = roster_of(PEOPLE);
    let report = session.resume(&mut roster);
    assert!(report.in_place(), "{report:?}");
    assert_eq!(session, before, "nothing rewritten");
    same_roster(&roster, &edited);
}

#[test]
fn a_change_whose_users_row_changed_is_never_applied_and_is_listed() {
    let (mut session, _) = session_with(PEOPLE, three_changes);
    let changed = with_row_on_top(PEOPLE, AARON)
        .replace("joshua.patel@contoso.com", "josh.patel@contoso.com");
    let mut roster = roster_of(&changed);
    let report = session.resume(&mut roster);
    assert_eq!((report.applied, report.skipped), (2, 1), "{report:?}");
    let [u] = report.unplaced.as_slice() else {
        panic!("{report:?}")
    };
    assert_eq!((u.line, u.user.as_str()), (3, "Joshua Patel"));
    assert_eq!(u.reason, Reason::NotFound);
    assert_eq!(
        u.change,
        UnplacedChange::Cell {
            field: Field::SalesforceLogin,
            old: "jpatel@contoso.com".into(),
            new: "joshua.patel@contoso.com".into()
        }
    );
    for r in 0..roster.len() {
        assert_ne!(
            roster.cell(r, Field::SalesforceLogin),
            "joshua.patel@contoso.com",
            "not applied anywhere"
        );
    }
    // The session now describes the new file: the unplaced change is listed, not in the log.
    assert_eq!(session.unplaced, report.unplaced);
    assert_eq!(session.history.len(), 2);
    let mut again = roster_of(&changed);
    let second = session.replay(&mut again);
    assert!(second.in_place(), "{second:?}");
    assert_eq!(second.unplaced.len(), 1, "still listed");
    same_roster(&again, &roster);
}

#[test]
fn identical_rows_are_certain_only_at_the_recorded_row() {
    let dup = "Sam Lee,slee@contoso.com,005Dn000015MnOpIAK,slee@contoso.com,sam.lee@contoso.com";
    let csv = with_row_on_top(&with_row_on_top(PEOPLE, dup), dup);
    let (session, _) = session_with(&csv, |r| {
        vec![Op::cells(
            "edit",
            vec![CellEdit::at(r, 0, Field::FullName, "Samuel Lee".into())],
        )]
    });
    // Same file: the recorded row still holds that content.
    let mut same = roster_of(&csv);
    let report = session.replay(&mut same);
    assert!(report.in_place(), "{report:?}");
    assert_eq!(same.cell(0, Field::FullName), "Samuel Lee");
    assert_eq!(same.cell(1, Field::FullName), "Sam Lee");
    // A row above them: neither copy is at the recorded row, and which one was meant is unknown.
    let mut moved = roster_of(&with_row_on_top(&csv, AARON));
    let report = session.replay(&mut moved);
    assert_eq!(report.unplaced.len(), 1, "{report:?}");
    assert_eq!(report.unplaced[0].reason, Reason::Ambiguous);
    assert_eq!(moved.cell(1, Field::FullName), "Sam Lee");
    assert_eq!(moved.cell(2, Field::FullName), "Sam Lee");
}

#[test]
fn an_edit_then_a_fix_of_the_same_cell_replays_on_a_moved_row() {
    let (session, _) = session_with(PEOPLE, |r| {
        let first = edit(r, "jpatel@contoso.com", Field::FullName, "joshua patel");
        let mut after = roster_of(PEOPLE);
        first.apply(&mut after).unwrap();
        let second = edit(
            &after,
            "jpatel@contoso.com",
            Field::FullName,
            "Joshua Patel Jr",
        );
        vec![first, second]
    });
    let mut roster = roster_of(&with_row_on_top(PEOPLE, AARON));
    let report = session.replay(&mut roster);
    assert!(report.unplaced.is_empty(), "{report:?}");
    assert_eq!(report.moved, 2);
    let j = row_with(&roster, "jpatel@contoso.com");
    assert_eq!(roster.cell(j, Field::FullName), "Joshua Patel Jr");
}

#[test]
fn leaving_out_rows_together_follows_the_users_too() {
    let (session, _) = session_with(PEOPLE, |r| {
        let rows = vec![
            row_with(r, "jpatel@contoso.com"),
            row_with(r, "dramos@contoso.com"),
        ];
        vec![Op::ExcludeRows {
            anchors: Some(RowKeys::of_rows(r, &rows)),
            rows,
            excluded: true,
        }]
    });
    let changed =
        with_row_on_top(PEOPLE, AARON).replace("dramos@contoso.com,diego", "dramos@contoso.com,d");
    let mut roster = roster_of(&changed);
    let report = session.replay(&mut roster);
    assert!(roster.is_excluded(row_with(&roster, "jpatel@contoso.com")));
    assert!(
        !roster.is_excluded(row_with(&roster, "dramos@contoso.com")),
        "row changed"
    );
    assert_eq!(roster.counts().excluded, 1, "nobody else excluded");
    assert_eq!(report.unplaced.len(), 1, "{report:?}");
    assert_eq!(
        report.unplaced[0].change,
        UnplacedChange::Exclude { excluded: true }
    );
}

#[test]
fn a_version_1_session_loads_and_its_edits_need_their_old_value() {
    let v1 = r#"{"format":"scc-onboard-session","version":1,
            "source":{"path":"roster.csv","sha256":"","size":0},
            "history":[{"op":"cells","label":"edit salesforce_login","changes":[
              {"row":1,"line":3,"field":"salesforce_login","old":"jpatel@contoso.com","new":"joshua.patel@contoso.com"}]},
              {"op":"exclude","row":3,"line":5,"excluded":true}]}"#;
    let mut session = Session::from_json(v1.as_bytes(), "s.json".as_ref()).unwrap();
    assert_eq!(session.version, VERSION, "saved as the current version");
    assert!(!session.fully_anchored());
    // Unchanged: by row, as before.
    let mut roster = roster_of(PEOPLE);
    assert!(session.replay(&mut roster).in_place());
    // A row on top: the edit's old value is not on row 1 any more, so it is not applied; the
    // exclusion has nothing to check (documented) and goes by row.
    let mut roster = roster_of(&with_row_on_top(PEOPLE, AARON));
    let report = session.resume(&mut roster);
    assert_eq!(report.mismatched, 1, "{report:?}");
    assert_eq!(report.unplaced[0].reason, Reason::OldValueDiffers);
    assert_eq!(report.unplaced[0].who(), "(user not recorded)");
    let jordan = row_with(&roster, "jferguson@contoso.com");
    assert_eq!(
        roster.cell(jordan, Field::SalesforceLogin),
        "jferguson@contoso.com"
    );
    let json = String::from_utf8(session.to_json()).unwrap();
    assert!(json.contains(&format!(r#""version": {VERSION}"#)), "{json}");
    assert!(json.contains(r#""unplaced""#), "{json}");
}

/// The wizard: reloading a changed file leaves an edit unplaced; `p` lists it, Enter re-applies
/// it to the selected row, `u` puts it back on the list, `d` drops it; all saved.
#[test]
fn unplaced_changes_are_re_applied_or_dropped_in_the_wizard_and_undone() {
    let mut s = loaded(PEOPLE, (120, 40));
    go_to_line(&mut s, 3);
    go_to_col(&mut s, Field::SalesforceLogin.index());
    press(&mut s, key(KeyCode::Enter));
    press(&mut s, ctrl('u'));
    type_keys(&mut s, "joshua.patel@contoso.com");
    press(&mut s, key(KeyCode::Enter));
    let changed = with_row_on_top(PEOPLE, AARON)
        .replace("joshua.patel@contoso.com", "josh.patel@contoso.com");
    load_into(&mut s, &changed);
    let banner = s.banner.clone().unwrap();
    assert!(banner.error, "{banner:?}");
    assert!(
        banner.text.contains("1 change(s) NOT applied"),
        "{banner:?}"
    );
    let screen = text(&draw(&s, 120, 40));
    assert!(screen.contains("p unplaced changes"), "hint bar:\n{screen}");

    // Export is refused while it is unplaced.
    for _ in 0..3 {
        press(&mut s, key(KeyCode::Char('>')));
    }
    let fx = press(&mut s, key(KeyCode::Enter));
    assert!(!fx
        .iter()
        .any(|e| matches!(e, scc_onboard::tui::Effect::Export { .. })));
    assert!(s
        .status
        .as_ref()
        .unwrap()
        .text
        .contains("Export refused: 1 unplaced change from the resume"));
    for _ in 0..3 {
        press(&mut s, key(KeyCode::Char('<')));
    }

    go_to_line(&mut s, 4);
    press(&mut s, key(KeyCode::Char('p')));
    assert!(matches!(s.popup, Some(Popup::Unplaced { selected: 0 })));
    let screen = text(&draw(&s, 120, 40));
    assert!(
        screen.contains("line 3  Joshua Patel  salesforce_login \"jpatel@contoso.com\" → \"joshua.patel@contoso.com\""),
        "{screen}"
    );
    assert!(screen.contains("to line 4 (Joshua Patel)"), "{screen}");
    let fx = press(&mut s, key(KeyCode::Enter));
    assert!(saves(&fx));
    let j = row_with(&s.roster, "jpatel@contoso.com");
    assert_eq!(
        s.roster.cell(j, Field::SalesforceLogin),
        "joshua.patel@contoso.com"
    );
    assert!(s.popup.is_none(), "the list closes once empty");
    assert!(s.session.as_ref().unwrap().unplaced.is_empty());
    assert!(!s.banner.as_ref().unwrap().error);

    // Undo puts it back on the list and takes the value off the row.
    press(&mut s, key(KeyCode::Char('u')));
    assert_eq!(s.session.as_ref().unwrap().unplaced.len(), 1);
    assert_eq!(
        s.roster.cell(j, Field::SalesforceLogin),
        "jpatel@contoso.com"
    );
    assert!(s
        .banner
        .as_ref()
        .unwrap()
        .text
        .contains("1 change(s) NOT applied"));

    // Dropped instead: recorded, and the saved session reads back with nothing unplaced.
    press(&mut s, key(KeyCode::Char('p')));
    let fx = press(&mut s, key(KeyCode::Char('d')));
    assert!(saves(&fx));
    assert_eq!(
        s.roster.cell(j, Field::SalesforceLogin),
        "jpatel@contoso.com"
    );
    let session = s.session.clone().unwrap();
    assert!(session.unplaced.is_empty());
    assert!(matches!(
        session.history.last(),
        Some(Op::Resolve { apply: None, .. })
    ));
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("session.json");
    save_atomic(&session, &path).unwrap();
    let back = Session::load(&path).unwrap();
    assert_eq!(back, session);
    let mut roster = roster_of(&changed);
    let report = back.replay(&mut roster);
    assert!(
        report.in_place() && report.unplaced.is_empty(),
        "{report:?}"
    );
    same_roster(&roster, &s.roster);
}

#[test]
fn after_a_resume_on_a_changed_source_undo_reverts_the_right_rows() {
    let (mut session, _) = session_with(PEOPLE, three_changes);
    let source = with_row_on_top(PEOPLE, AARON);
    let mut roster = roster_of(&source);
    let report = session.resume(&mut roster);
    assert_eq!(report.moved, 3, "{report:?}");
    assert!(session.fully_anchored());
    // Undo everything, newest first, as `u` does: back to the file as it is now.
    for op in session.history.iter().rev() {
        op.inverse().apply(&mut roster).unwrap();
    }
    same_roster(&roster, &roster_of(&source));
    // And the rebased log replays in place on that file (what the next resume does).
    let mut again = roster_of(&source);
    assert!(session.replay(&mut again).in_place());
}

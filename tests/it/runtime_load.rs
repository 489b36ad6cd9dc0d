//! Loading through the real runtime (loader thread, quick start of large files), checked
//! against a plain import of the same bytes.

use scc_onboard::roster::import::{import_bytes, ImportOptions};
use scc_onboard::roster::synth::{generate, SynthOptions};
use scc_onboard::roster::Roster;
use scc_onboard::session::Step;
use scc_onboard::tui::runtime::Runtime;
use scc_onboard::tui::theme::Theme;
use scc_onboard::tui::{ImportMsg, LoadMsg, Msg, State};
use std::path::Path;
use std::sync::mpsc::channel;
use std::time::{Duration, Instant};

/// Loads `path` as the wizard does; returns the state once the load and hashing are done,
/// whether the first rows were on screen before the whole file was read, and how many times the
/// load (re)started.
fn load(path: &Path) -> (State, bool, usize) {
    let (tx, rx) = channel();
    let mut rt = Runtime::new(tx);
    let mut state = State::new(path.with_extension("session.json"), Theme::plain());
    state.import.path.set(path.display().to_string());
    rt.dispatch(&mut state, Msg::Import(ImportMsg::StartLoad));
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut early = false;
    let mut starts = 0;
    while state.load.is_some()
        || state
            .session
            .as_ref()
            .is_none_or(|s| s.source.sha256.is_empty())
    {
        let msg = rx
            .recv_timeout(deadline.saturating_duration_since(Instant::now()))
            .expect("the loader reports before the deadline");
        match &msg {
            Msg::Load(LoadMsg::Batch { bytes_done: 0, .. }) => early = true,
            Msg::Load(LoadMsg::Started { .. }) => starts += 1,
            _ => {}
        }
        rt.dispatch(&mut state, msg);
        assert!(
            state.load.is_some() || state.session.is_some(),
            "{:?}",
            state.import.error
        );
    }
    (state, early, starts)
}

fn same(a: &Roster, b: &Roster) {
    assert_eq!(a.len(), b.len());
    for r in 0..a.len() {
        assert_eq!(a.record(r), b.record(r), "row {r}");
    }
    assert_eq!(a.counts(), b.counts());
}

#[test]
fn a_large_file_shows_its_first_rows_early_and_loads_every_row_once() {
    let csv = generate(&SynthOptions {
        rows: 12_000,
        ..SynthOptions::default()
    })
    .csv;
    assert!(csv.len() > 1 << 20, "bigger than the quick-start sample");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.csv");
    std::fs::write(&path, &csv).unwrap();
    let (state, early, starts) = load(&path);
    assert!(early, "the first rows come from the quick start");
    assert_eq!(starts, 1, "the full read confirmed the early rows");
    assert_eq!(state.step, Step::Fix);
    same(
        &state.roster,
        &Roster::from_imported(import_bytes(csv.as_bytes(), &ImportOptions::default()).unwrap()),
    );
}

#[test]
fn a_quick_start_that_guessed_wrong_is_replaced_by_the_full_read() {
    // UTF-8-clean for the first megabytes, then a Windows-1252 é: the full read decides the
    // encoding, and the early rows must not stay (or be doubled).
    let mut csv = generate(&SynthOptions {
        rows: 12_000,
        ..SynthOptions::default()
    })
    .csv
    .into_bytes();
    csv.extend_from_slice(b"Ren\xe9 Dupont,rene@acme.com,,rene@acme.com,rene@acme.com\r\n");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("mixed.csv");
    std::fs::write(&path, &csv).unwrap();
    let (state, _, starts) = load(&path);
    assert_eq!(
        starts, 2,
        "the load started over with the full read's encoding"
    );
    let full = Roster::from_imported(import_bytes(&csv, &ImportOptions::default()).unwrap());
    same(&state.roster, &full);
    let last = state.roster.record(state.roster.len() - 1);
    assert_eq!(last.cells[0], "René Dupont");
}

#[test]
fn a_small_file_loads_in_one_go() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("small.csv");
    let csv = include_str!("../fixtures/wizard-roster.csv");
    std::fs::write(&path, csv).unwrap();
    let (state, early, starts) = load(&path);
    assert!(!early);
    assert_eq!(starts, 1);
    same(
        &state.roster,
        &Roster::from_imported(import_bytes(csv.as_bytes(), &ImportOptions::default()).unwrap()),
    );
}

#[test]
fn tab_completes_paths_on_disk_and_lists_candidates() {
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    use scc_onboard::tui::{handle_key, update};
    let dir = tempfile::tempdir().unwrap();
    for name in ["users-2024.csv", "users-2025.csv", "other.txt"] {
        std::fs::write(dir.path().join(name), "x").unwrap();
    }
    std::fs::create_dir(dir.path().join("archive")).unwrap();
    let (tx, _rx) = channel();
    let mut rt = Runtime::new(tx);
    let mut state = State::new(dir.path().join("s.json"), Theme::plain());
    let base = dir.path().display().to_string();
    state.import.path.set(format!("{base}/us"));
    let tab = KeyEvent::new(KeyCode::Tab, KeyModifiers::NONE);
    let msg = handle_key(&state, tab).unwrap();
    rt.dispatch(&mut state, msg);
    assert_eq!(state.import.path.value(), format!("{base}/users-202"));
    assert_eq!(state.import.candidates.len(), 2);
    for c in "5".chars() {
        let m = handle_key(&state, KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)).unwrap();
        update(&mut state, m);
    }
    let msg = handle_key(&state, tab).unwrap();
    rt.dispatch(&mut state, msg);
    assert_eq!(state.import.path.value(), format!("{base}/users-2025.csv"));
    state.import.path.set(format!("{base}/ar"));
    let msg = handle_key(&state, tab).unwrap();
    rt.dispatch(&mut state, msg);
    assert_eq!(state.import.path.value(), format!("{base}/archive/"));
}

#[test]
fn the_file_list_shows_only_csv_and_txt_files() {
    let dir = tempfile::tempdir().unwrap();
    for name in ["b.CSV", "a.csv", "notes.txt", "image.png"] {
        std::fs::write(dir.path().join(name), "x").unwrap();
    }
    std::fs::create_dir(dir.path().join("dir.csv")).unwrap();
    assert_eq!(
        scc_onboard::tui::runtime::list_rosters(dir.path()),
        vec!["a.csv", "b.CSV", "notes.txt"]
    );
}

#[test]
fn a_bulk_fix_over_a_large_roster_survives_cancel_reload_edit_and_resume() {
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    use scc_onboard::session::{ops_dir, Session, OWN_FILE_CELLS};
    use scc_onboard::tui::handle_key;
    let mut csv = String::from(
        "Full name,Salesforce login,Salesforce user ID,Office 365 login,Office 365 email address\n",
    );
    let rows = 12_000;
    for i in 0..rows {
        csv.push_str(&format!(
            "User {i},user{i}@acme.com,005Dn{i:010},user{i}@acme.onmicrosoft.com,user{i}@acme.com\n"
        ));
    }
    assert!(csv.len() > 1 << 20 && rows > OWN_FILE_CELLS);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ids15.csv");
    std::fs::write(&path, &csv).unwrap();
    let session_path = dir.path().join("session.json");

    let (tx, rx) = channel();
    let mut rt = Runtime::new(tx);
    let mut state = State::new(session_path.clone(), Theme::plain());
    let press = |rt: &mut Runtime, state: &mut State, code: KeyCode| {
        if let Some(m) = handle_key(state, KeyEvent::new(code, KeyModifiers::NONE)) {
            rt.dispatch(state, m);
        }
    };
    let wait = |rt: &mut Runtime, state: &mut State, done: &dyn Fn(&State) -> bool| {
        let deadline = Instant::now() + Duration::from_secs(60);
        while !done(state) {
            let m = rx
                .recv_timeout(deadline.saturating_duration_since(Instant::now()))
                .expect("the loader reports");
            rt.dispatch(state, m);
        }
    };
    state.import.path.set(path.display().to_string());
    rt.dispatch(&mut state, Msg::Import(ImportMsg::StartLoad));
    wait(&mut rt, &mut state, &|s| !s.roster.is_empty());
    press(&mut rt, &mut state, KeyCode::Esc);
    assert!(state.load.is_none() && state.step == Step::Import);
    rt.dispatch(&mut state, Msg::Import(ImportMsg::StartLoad));
    wait(&mut rt, &mut state, &|s| {
        s.load.is_none()
            && s.session
                .as_ref()
                .is_some_and(|x| !x.source.sha256.is_empty())
    });
    assert_eq!(state.roster.len(), rows);

    state.fix.col = 2;
    press(&mut rt, &mut state, KeyCode::Char('F'));
    press(&mut rt, &mut state, KeyCode::Char('y'));
    assert_eq!(state.roster.counts().rows_with_warnings, 0);
    assert_eq!(
        std::fs::read_dir(ops_dir(&session_path)).unwrap().count(),
        1
    );
    state.fix.col = 0;
    press(&mut rt, &mut state, KeyCode::Enter);
    for c in "New".chars() {
        press(&mut rt, &mut state, KeyCode::Char(c));
    }
    press(&mut rt, &mut state, KeyCode::Enter);
    assert_eq!(
        std::fs::read_dir(ops_dir(&session_path)).unwrap().count(),
        1
    );

    // A second wizard resumes it all.
    drop(rt);
    let saved = Session::load(&session_path).unwrap();
    assert_eq!(saved.history.len(), 2);
    let mut roster =
        Roster::from_imported(import_bytes(csv.as_bytes(), &ImportOptions::default()).unwrap());
    let report = saved.replay(&mut roster);
    assert_eq!(
        (report.applied, report.mismatched, report.skipped),
        (2, 0, 0)
    );
    same(&roster, &state.roster);
}

/// The full counts are drawn before the customization forms' roster facts are derived: the
/// load's last message asks the event loop to draw before it reads the channel on, and the
/// facts come with the message after.
#[test]
fn the_counts_are_drawn_before_the_forms_facts_are_derived() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("roster.csv");
    let s = generate(&SynthOptions {
        rows: 500,
        ..SynthOptions::default()
    });
    std::fs::write(&path, &s.csv).unwrap();
    let (tx, rx) = channel();
    let mut rt = Runtime::new(tx);
    let mut state = State::new(dir.path().join("session.json"), Theme::plain());
    state.import.path.set(path.display().to_string());
    rt.dispatch(&mut state, Msg::Import(ImportMsg::StartLoad));
    let next = |rx: &std::sync::mpsc::Receiver<Msg>| {
        rx.recv_timeout(Duration::from_secs(20))
            .expect("the loader reports")
    };
    loop {
        let msg = next(&rx);
        let done = matches!(msg, Msg::Load(LoadMsg::Done { .. }));
        rt.dispatch(&mut state, msg);
        if done {
            break;
        }
    }
    assert!(
        state.load.is_none() && state.step == Step::Fix,
        "the counts are final"
    );
    assert_eq!(state.roster.len(), 500);
    assert!(
        rt.take_draw_first(),
        "a draw comes before the rest of the channel"
    );
    assert!(!rt.take_draw_first(), "asked once");
    assert!(state.customize.facts().users.is_empty(), "not derived yet");
    while state.customize.facts().users.is_empty() {
        let msg = next(&rx);
        rt.dispatch(&mut state, msg);
    }
    let login = state
        .roster
        .cell(0, scc_onboard::roster::Field::Office365Login);
    assert!(state.customize.facts().users.contains(login));
    assert!(state.customize.facts().upn_domain.is_some());
}

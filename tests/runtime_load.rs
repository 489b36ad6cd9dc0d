//! Loading through the real runtime (loader thread, quick start of large files), checked
//! against a plain import of the same bytes.

use scc_onboard::roster::import::{import_bytes, ImportOptions};
use scc_onboard::roster::synth::{generate, SynthOptions};
use scc_onboard::roster::Roster;
use scc_onboard::session::Step;
use scc_onboard::tui::runtime::Runtime;
use scc_onboard::tui::theme::Theme;
use scc_onboard::tui::{Msg, State};
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
    rt.dispatch(&mut state, Msg::StartLoad);
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
            Msg::LoadBatch { bytes_done: 0, .. } => early = true,
            Msg::LoadStarted { .. } => starts += 1,
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
    // encoding, and the early rows must not stay (or be doubled). (No injected defects: some
    // are non-ASCII, and read as Windows-1252 they trip a core panic reported to the lead.)
    let mut csv = generate(&SynthOptions {
        rows: 12_000,
        error_rate: 0.0,
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
    let csv = include_str!("fixtures/wizard-roster.csv");
    std::fs::write(&path, csv).unwrap();
    let (state, early, starts) = load(&path);
    assert!(!early);
    assert_eq!(starts, 1);
    same(
        &state.roster,
        &Roster::from_imported(import_bytes(csv.as_bytes(), &ImportOptions::default()).unwrap()),
    );
}

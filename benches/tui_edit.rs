//! Edit → revalidate: committing a cell edit through `update` (the roster revalidates the row
//! and its duplicates, counts update, the change is logged for undo and the session).
//! Goal: flat in roster size, < 1 ms at 1M rows. Also the first screen of a 1M-row file.

mod tui_common;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use ratatui::backend::TestBackend;
use ratatui::Terminal;
use scc_onboard::tui::runtime::Runtime;
use scc_onboard::tui::theme::Theme;
use scc_onboard::tui::widgets::text_input::TextInput;
use scc_onboard::tui::State;
use scc_onboard::tui::{update, view, ImportMsg, Msg};
use std::sync::mpsc::channel;
use std::time::{Duration, Instant};

fn edit(c: &mut Criterion) {
    let mut group = c.benchmark_group("tui_edit_revalidate");
    group
        .sample_size(30)
        .measurement_time(Duration::from_secs(3));
    for rows in tui_common::SIZES {
        let mut state = tui_common::fix_state(rows);
        // The Salesforce login column: edits touch the duplicate index too.
        state.fix.col = 1;
        let mut flip = false;
        group.bench_function(BenchmarkId::from_parameter(rows), |b| {
            b.iter(|| {
                flip = !flip;
                let value = if flip {
                    "someone.else@acme.com"
                } else {
                    "back.again@acme.com"
                };
                state.fix.edit = Some(TextInput::new(value));
                update(&mut state, Msg::CommitInput)
            })
        });
    }
    group.finish();
}

/// From Enter on the Import step to the first frame with rows: the real runtime reads the file
/// on its loader thread, which sends the first batch; the UI validates it and draws. The rest of
/// the load would continue behind the gauge (each iteration cancels it).
fn first_screen(c: &mut Criterion) {
    let dir = std::env::temp_dir().join(format!("scc-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("roster-1m.csv");
    std::fs::write(&path, tui_common::csv(1_000_000)).unwrap();
    let mut group = c.benchmark_group("tui_first_screen");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(10));
    group.bench_function("1000000", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                let (tx, rx) = channel();
                let mut rt = Runtime::new(tx);
                let mut state = State::new(dir.join("session.json"), Theme::plain());
                state.import.path.set(path.display().to_string());
                let start = Instant::now();
                rt.dispatch(&mut state, Msg::Import(ImportMsg::StartLoad));
                while state.roster.is_empty() {
                    let msg = rx
                        .recv_timeout(Duration::from_secs(30))
                        .expect("loader reports");
                    rt.dispatch(&mut state, msg);
                }
                let mut terminal = Terminal::new(TestBackend::new(120, 40)).unwrap();
                terminal.draw(|f| view(&state, f)).unwrap();
                total += start.elapsed();
                // Not timed: stop the load and wait for its thread to end (the channel closes
                // when the last sender, the loader's, is dropped), so no background work of
                // this iteration slows the next one.
                rt.dispatch(&mut state, Msg::Import(ImportMsg::CancelLoad));
                drop(rt);
                while rx.recv().is_ok() {}
            }
            total
        })
    });
    group.finish();
    let _ = std::fs::remove_dir_all(&dir);
}

/// Saving the session (atomic write + fsync) after a change, by the number of cell edits the
/// log holds: the whole file is rewritten each time, so this grows with the log.
fn save_session(c: &mut Criterion) {
    use scc_onboard::roster::Field;
    use scc_onboard::session::{save_atomic, CellEdit, ImportSettings, Op, Session, SourceInfo};
    let dir = std::env::temp_dir().join(format!("scc-bench-save-{}", std::process::id()));
    let mut group = c.benchmark_group("tui_session_save");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(5));
    for cells in [1usize, 10_000, 1_000_000] {
        let mut session = Session::new(
            SourceInfo::of_bytes("bench.csv".as_ref(), b""),
            ImportSettings::default(),
        );
        session.history.push(Op::cells(
            "bulk fix sfid-15",
            (0..cells)
                .map(|row| CellEdit {
                    row,
                    line: row as u64 + 2,
                    field: Field::SalesforceUserId,
                    old: "005Dn000001AbCd".into(),
                    new: "005Dn000001AbCdIAK".into(),
                    anchor: None,
                })
                .collect(),
        ));
        let path = dir.join("session.json");
        group.bench_function(BenchmarkId::from_parameter(cells), |b| {
            b.iter(|| save_atomic(&session, &path).unwrap())
        });
    }
    group.finish();
    let _ = std::fs::remove_dir_all(&dir);
}

/// Resuming: replaying a bulk fix that touched every row (one anchored change per row) onto the
/// untouched source (each change checked at its recorded row), and onto the source with one row
/// inserted at the top (every change found again through the row-key index).
fn replay_session(c: &mut Criterion) {
    use scc_onboard::roster::import::{import_bytes, ImportOptions};
    use scc_onboard::roster::{Field, Roster};
    use scc_onboard::session::{CellEdit, ImportSettings, Op, Session, SourceInfo};
    let mut group = c.benchmark_group("tui_session_replay");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(5));
    let roster_of = |csv: &str| {
        Roster::from_imported(import_bytes(csv.as_bytes(), &ImportOptions::default()).unwrap())
    };
    for rows in [100_000usize] {
        let csv = tui_common::csv(rows);
        let base = roster_of(&csv);
        let mut session = Session::new(
            SourceInfo::of_bytes("bench.csv".as_ref(), csv.as_bytes()),
            ImportSettings::default(),
        );
        session.history.push(Op::cells(
            "bulk edit",
            (0..rows)
                .map(|r| CellEdit::at(&base, r, Field::FullName, format!("Renamed {r}")))
                .collect(),
        ));
        let (header, body) = csv.split_once('\n').unwrap();
        let inserted = format!(
            "{header}\nNew Person,new@acme.com,005Hs0000000001AAA,new@acme.com,new@acme.com\r\n{body}"
        );
        for (name, source) in [("unchanged", &csv), ("row_inserted", &inserted)] {
            group.bench_function(BenchmarkId::new(name, rows), |b| {
                b.iter_batched(
                    || roster_of(source),
                    |mut roster| {
                        let report = session.replay(&mut roster);
                        assert!(report.unplaced.is_empty());
                        report.moved
                    },
                    criterion::BatchSize::LargeInput,
                )
            });
        }
    }
    group.finish();
}

criterion_group!(benches, edit, first_screen, save_session, replay_session);
criterion_main!(benches);

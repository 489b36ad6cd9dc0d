//! Edit → revalidate: committing a cell edit through `update` (the roster revalidates the row
//! and its duplicates, counts update, the change is logged for undo and the session).
//! Goal: flat in roster size, < 1 ms at 1M rows. Also the first screen of a 1M-row file.

mod tui_common;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use ratatui::backend::TestBackend;
use ratatui::Terminal;
use scc_onboard::roster::import::{ImportOptions, Importer};
use scc_onboard::roster::Roster;
use scc_onboard::tui::widgets::text_input::TextInput;
use scc_onboard::tui::{update, view, Msg};
use std::time::Duration;

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

/// From the file's bytes on disk to the first frame drawn: read, detect, first batch,
/// validate it, draw. The rest of the load continues on the loader thread in the wizard.
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
        b.iter(|| {
            let bytes = std::fs::read(&path).unwrap();
            let mut importer = Importer::new(bytes, &ImportOptions::default()).unwrap();
            let mut records = Vec::new();
            importer.read_batch(200, &mut records).unwrap();
            let mut state =
                scc_onboard::tui::State::new("/x".into(), scc_onboard::tui::theme::Theme::plain());
            state.roster = Roster::new();
            state.roster.extend(records);
            state.step = scc_onboard::session::Step::Fix;
            let mut terminal = Terminal::new(TestBackend::new(120, 40)).unwrap();
            terminal.draw(|f| view(&state, f)).unwrap();
        })
    });
    group.finish();
    let _ = std::fs::remove_dir_all(&dir);
}

criterion_group!(benches, edit, first_screen);
criterion_main!(benches);

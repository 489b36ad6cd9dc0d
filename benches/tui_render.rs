//! One frame of the Fix step at 1k, 100k and 1M rows. Goal: flat in roster size, < 2 ms.

mod tui_common;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use ratatui::backend::TestBackend;
use ratatui::Terminal;
use scc_onboard::tui::view;
use std::time::Duration;

fn render(c: &mut Criterion) {
    let mut group = c.benchmark_group("tui_render_fix_frame");
    group
        .sample_size(30)
        .measurement_time(Duration::from_secs(3));
    for rows in tui_common::SIZES {
        let state = tui_common::fix_state(rows);
        let mut terminal = Terminal::new(TestBackend::new(120, 40)).unwrap();
        group.bench_with_input(BenchmarkId::from_parameter(rows), &state, |b, state| {
            b.iter(|| {
                // Forces a full redraw each time, as after a resize or a scroll.
                terminal.clear().unwrap();
                terminal.draw(|f| view(state, f)).unwrap();
            })
        });
    }
    group.finish();
}

criterion_group!(benches, render);
criterion_main!(benches);

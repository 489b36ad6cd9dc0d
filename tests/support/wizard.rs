//! Helpers shared by the wizard's tests: a state loaded through the real messages, keys, and
//! screen text.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::Terminal;
use scc_onboard::roster::import::{ImportOptions, Importer};
use scc_onboard::session::SourceInfo;
use scc_onboard::tui::theme::Theme;
use scc_onboard::tui::{handle_key, update, view, Effect, Msg, State};
use std::path::PathBuf;

pub const FIXTURE: &str = include_str!("../fixtures/wizard-roster.csv");

/// A wizard that loaded `csv` the way the runtime does (StartLoad → LoadStarted → batches →
/// LoadDone), without touching the disk.
pub fn loaded(csv: &str, size: (u16, u16)) -> State {
    let mut state = State::new(PathBuf::from("/nonexistent/session.json"), Theme::plain());
    update(&mut state, Msg::Resize(size.0, size.1));
    state.import.path.set("roster.csv");
    load_into(&mut state, csv);
    state
}

/// Drives a load of `csv` through `update`, as the loader thread would report it.
pub fn load_into(state: &mut State, csv: &str) -> Vec<Effect> {
    let fx = update(state, Msg::StartLoad);
    let gen = fx
        .iter()
        .find_map(|e| match e {
            Effect::Load { gen, .. } => Some(*gen),
            _ => None,
        })
        .expect("StartLoad asks for a load");
    let mut importer = Importer::new(csv.as_bytes().to_vec(), &ImportOptions::default()).unwrap();
    let path = PathBuf::from("roster.csv");
    update(
        state,
        Msg::LoadStarted {
            gen,
            path: path.clone(),
            detected: importer.detected().clone(),
        },
    );
    loop {
        let mut records = Vec::new();
        let more = importer.read_batch(3, &mut records).unwrap();
        update(
            state,
            Msg::LoadBatch {
                gen,
                records,
                bytes_done: importer.bytes_done(),
                bytes_total: importer.bytes_total(),
            },
        );
        if !more {
            break;
        }
    }
    update(
        state,
        Msg::SourceHashed {
            gen,
            info: SourceInfo::of_bytes(&path, csv.as_bytes()),
        },
    );
    let mut fx = update(state, Msg::LoadDone { gen });
    // What the runtime does after drawing.
    while let Some(i) = fx.iter().position(|e| matches!(e, Effect::AfterDraw(_))) {
        let Effect::AfterDraw(msg) = fx.remove(i) else {
            unreachable!()
        };
        fx.extend(update(state, *msg));
    }
    fx
}

pub fn key(code: KeyCode) -> KeyEvent {
    KeyEvent::new(code, KeyModifiers::NONE)
}

pub fn ctrl(c: char) -> KeyEvent {
    KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)
}

/// Presses one key: handle_key then update. Returns the effects.
pub fn press(state: &mut State, k: KeyEvent) -> Vec<Effect> {
    match handle_key(state, k) {
        Some(msg) => update(state, msg),
        None => Vec::new(),
    }
}

/// Presses each character of `keys` as a key.
pub fn type_keys(state: &mut State, keys: &str) -> Vec<Effect> {
    let mut fx = Vec::new();
    for c in keys.chars() {
        fx.extend(press(state, key(KeyCode::Char(c))));
    }
    fx
}

pub fn saves(fx: &[Effect]) -> bool {
    fx.iter().any(|e| matches!(e, Effect::SaveSession))
}

/// Draws the state on a test terminal.
pub fn draw(state: &State, w: u16, h: u16) -> Buffer {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| view(state, f)).unwrap();
    t.backend().buffer().clone()
}

/// The screen as text, one line per row, trailing spaces trimmed.
pub fn text(buf: &Buffer) -> String {
    let area = buf.area;
    let mut out = String::new();
    for y in 0..area.height {
        let mut line = String::new();
        for x in 0..area.width {
            line.push_str(buf[(x, y)].symbol());
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// The 0-based roster row whose source line is `line`.
pub fn row_of_line(state: &State, line: u64) -> usize {
    (0..state.roster.len())
        .find(|&r| state.roster.record(r).line == line)
        .expect("line in roster")
}

/// Selects the row with source `line` by pressing Home then j.
pub fn go_to_line(state: &mut State, line: u64) {
    press(state, key(KeyCode::Home));
    let row = row_of_line(state, line);
    for _ in 0..row {
        press(state, key(KeyCode::Char('j')));
    }
}

/// Selects column `col` (Field index) with h/l.
pub fn go_to_col(state: &mut State, col: usize) {
    for _ in 0..5 {
        press(state, key(KeyCode::Char('h')));
    }
    for _ in 0..col {
        press(state, key(KeyCode::Char('l')));
    }
}

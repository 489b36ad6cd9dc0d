//! Keys into a form step and its screen out: one set of helpers over both forms
//! (Customize and Exchange access), which share `handle_key` and `render`.

use super::wizard::key;
use crossterm::event::{KeyCode, KeyEvent};
use ratatui::backend::TestBackend;
use ratatui::layout::Rect;
use ratatui::{Frame, Terminal};
use scc_onboard::customize::{ChoiceEdit, Choices};
use scc_onboard::tui::customize::CustomizeStep;
use scc_onboard::tui::exchange::ExchangeStep;

/// A form step as the wizard drives it: a key may yield an edit; it draws from the choices.
pub trait Form {
    fn key(&mut self, k: KeyEvent, choices: &Choices) -> Option<ChoiceEdit>;
    fn draw(&self, choices: &Choices, f: &mut Frame, area: Rect);
}

impl Form for CustomizeStep {
    fn key(&mut self, k: KeyEvent, choices: &Choices) -> Option<ChoiceEdit> {
        self.handle_key(k, choices)
    }
    fn draw(&self, choices: &Choices, f: &mut Frame, area: Rect) {
        self.render(choices, f, area)
    }
}

impl Form for ExchangeStep {
    fn key(&mut self, k: KeyEvent, choices: &Choices) -> Option<ChoiceEdit> {
        self.handle_key(k, choices)
    }
    fn draw(&self, choices: &Choices, f: &mut Frame, area: Rect) {
        self.render(choices, f, area)
    }
}

/// The form drawn on a `w`×`h` test terminal.
pub fn screen(step: &impl Form, choices: &Choices, w: u16, h: u16) -> String {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| step.draw(choices, f, f.area())).unwrap();
    t.backend().to_string()
}

/// Presses keys, applying every returned edit as the wizard would; returns the edits.
pub fn press(step: &mut impl Form, choices: &mut Choices, keys: &[KeyCode]) -> Vec<ChoiceEdit> {
    let mut edits = Vec::new();
    for &k in keys {
        if let Some(e) = step.key(key(k), choices) {
            choices.apply(&e);
            edits.push(e);
        }
    }
    edits
}

/// Types `text` into the focused field: typing edits nothing until the value is committed.
pub fn type_text(step: &mut impl Form, choices: &mut Choices, text: &str) {
    let keys: Vec<KeyCode> = text.chars().map(KeyCode::Char).collect();
    assert!(press(step, choices, &keys).is_empty());
}

//! Keys to messages (press events only; arrows and vim keys both work).

use super::state::Msg;
use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

/// The message a key press means on the authorize screen, if any.
pub(super) fn map_key(key: KeyEvent) -> Option<Msg> {
    if key.kind != KeyEventKind::Press {
        return None;
    }
    if key.modifiers.contains(KeyModifiers::CONTROL) {
        return matches!(key.code, KeyCode::Char('c')).then_some(Msg::Quit);
    }
    Some(match key.code {
        KeyCode::Left
        | KeyCode::Char('h')
        | KeyCode::BackTab
        | KeyCode::Up
        | KeyCode::Char('k') => Msg::Prev,
        KeyCode::Right | KeyCode::Char('l') | KeyCode::Tab | KeyCode::Down | KeyCode::Char('j') => {
            Msg::Next
        }
        KeyCode::Char('a') | KeyCode::Enter => Msg::Authorize,
        KeyCode::Char('r') => Msg::Renew,
        KeyCode::Char('d') => Msg::Disconnect,
        KeyCode::Char('c') => Msg::Copy,
        KeyCode::Char('y') => Msg::Yes,
        KeyCode::Char('n') => Msg::No,
        KeyCode::Esc => Msg::Cancel,
        KeyCode::Char('q') => Msg::Quit,
        _ => return None,
    })
}

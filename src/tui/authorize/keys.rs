//! The end-user screen's keymap (arrows and vim keys both work): key handling, the hint
//! line and the confirmation's keys all come from these rows (`tui::keymap`).

use super::state::{App, Msg};
use crate::tui::keymap::{always, ch, code, counts, ctrl, hint, Row, Scope};
use crossterm::event::{KeyCode, KeyEvent};

/// The screen's keys; the hint line is their hints.
pub(super) static KEYS: Scope<Msg, App> = Scope {
    group: "Authorize",
    rows: &[
        Row {
            keys: &[
                (code(KeyCode::Left), Msg::Prev),
                (ch('h'), Msg::Prev),
                (code(KeyCode::BackTab), Msg::Prev),
                (code(KeyCode::Up), Msg::Prev),
                (ch('k'), Msg::Prev),
                (code(KeyCode::Right), Msg::Next),
                (ch('l'), Msg::Next),
                (code(KeyCode::Tab), Msg::Next),
                (code(KeyCode::Down), Msg::Next),
                (ch('j'), Msg::Next),
            ],
            hint: hint(0, "←/→", "card"),
            help: None,
            shown: always,
        },
        Row {
            keys: &[
                (ch('a'), Msg::Authorize),
                (code(KeyCode::Enter), Msg::Authorize),
            ],
            hint: hint(1, "a", "authorize"),
            help: None,
            shown: always,
        },
        Row {
            keys: &[(ch('r'), Msg::Renew)],
            hint: hint(2, "r", "renew"),
            help: None,
            shown: always,
        },
        Row {
            keys: &[(ch('d'), Msg::Disconnect)],
            hint: hint(3, "d", "disconnect"),
            help: None,
            shown: always,
        },
        Row {
            keys: &[(ch('c'), Msg::Copy)],
            hint: hint(4, "c", "copy URL"),
            help: None,
            shown: always,
        },
        Row {
            keys: &[(code(KeyCode::Esc), Msg::Cancel)],
            hint: hint(5, "Esc", "cancel"),
            help: None,
            shown: always,
        },
        Row {
            keys: &[(ch('q'), Msg::Quit), (ctrl('c'), Msg::Quit)],
            hint: hint(6, "q", "quit"),
            help: None,
            shown: always,
        },
    ],
};

/// The confirmation's keys (disconnect, identity mismatch), shown in its window.
pub(super) static CONFIRM: Scope<Msg, App> = Scope {
    group: "Confirm",
    rows: &[
        Row {
            keys: &[(ch('y'), Msg::Yes)],
            hint: hint(0, "y", "yes"),
            help: None,
            shown: always,
        },
        Row {
            keys: &[(ch('n'), Msg::No)],
            hint: hint(1, "n", "no"),
            help: None,
            shown: always,
        },
    ],
};

/// The message a key means on the authorize screen, if any. `y`/`n` reach `update` at any
/// time, which ignores them without a question open.
pub(super) fn map_key(key: KeyEvent) -> Option<Msg> {
    if !counts(&key) {
        return None;
    }
    KEYS.lookup(&key).or_else(|| CONFIRM.lookup(&key))
}

/// `hints` as one line: `keys what`, separated by `gap`.
pub(super) fn hint_line(hints: &[(&str, &str)], gap: &str) -> String {
    hints
        .iter()
        .map(|(k, w)| format!("{k} {w}"))
        .collect::<Vec<_>>()
        .join(gap)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::keymap::check_scope;

    #[test]
    fn every_key_is_shown_and_every_shown_key_is_bound() {
        assert_eq!(check_scope(&KEYS, &[]), Vec::<String>::new());
        assert_eq!(check_scope(&CONFIRM, &[]), Vec::<String>::new());
    }

    #[test]
    fn releases_never_count_repeats_do() {
        use crossterm::event::{KeyEventKind, KeyModifiers};
        let mut k = KeyEvent::new(KeyCode::Char('a'), KeyModifiers::NONE);
        assert!(matches!(map_key(k), Some(Msg::Authorize)));
        k.kind = KeyEventKind::Release;
        assert!(map_key(k).is_none());
        k.kind = KeyEventKind::Repeat;
        assert!(map_key(k).is_some());
        let ctrl_x = KeyEvent::new(KeyCode::Char('x'), KeyModifiers::CONTROL);
        assert!(map_key(ctrl_x).is_none());
    }
}

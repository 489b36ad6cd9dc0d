//! Keymap tables: rows of (keys, the message each stands for, hint-bar label, help line),
//! grouped in scopes (a step, a popup, a focus, loading). Key handling, the hint bar and the
//! help popup are all read from the same rows, for the wizard (`tui::keys`) and the end-user
//! screen (`tui::authorize::keys`), so a key cannot be bound without being shown or shown
//! without being bound (the tests below check every scope).

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

/// A key pattern: a code, with Ctrl held or not. Shift is part of the character (`G`, `N`)
/// and Alt is ignored (AltGr arrives as Ctrl+Alt and is normalized first).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Key {
    pub code: KeyCode,
    pub ctrl: bool,
}

/// A character key without Ctrl.
pub(super) const fn ch(c: char) -> Key {
    Key {
        code: KeyCode::Char(c),
        ctrl: false,
    }
}

/// Ctrl and a character.
pub(super) const fn ctrl(c: char) -> Key {
    Key {
        code: KeyCode::Char(c),
        ctrl: true,
    }
}

/// A named key (Enter, Esc, arrows, …) without Ctrl.
pub(super) const fn code(code: KeyCode) -> Key {
    Key { code, ctrl: false }
}

impl Key {
    /// Whether `key` is this pattern.
    pub(super) fn matches(&self, key: &KeyEvent) -> bool {
        self.code == key.code && self.ctrl == key.modifiers.contains(KeyModifiers::CONTROL)
    }
}

/// The one Release/Press rule of both screens: presses and repeats count, releases (sent by
/// Windows terminals and by terminals with enhanced key reporting) never do.
pub(super) fn counts(key: &KeyEvent) -> bool {
    key.kind != KeyEventKind::Release
}

/// Where a row shows in the hint bar: its place (lower first), the keys as shown, what.
#[derive(Clone, Copy, Debug)]
pub(super) struct Hint {
    pub at: u8,
    pub keys: &'static str,
    pub what: &'static str,
}

/// One row: keys with their messages, and how they are shown. `shown` decides, from the
/// screen's state, whether the hint is in the bar now (a key that means nothing yet).
pub(super) struct Row<M: 'static, C: 'static> {
    pub keys: &'static [(Key, M)],
    pub hint: Option<Hint>,
    /// The help popup's line: keys as shown, what they do.
    pub help: Option<(&'static str, &'static str)>,
    pub shown: fn(&C) -> bool,
}

/// A row's `shown` when the hint is always in the bar.
pub(super) fn always<C>(_: &C) -> bool {
    true
}

/// A set of rows that apply together; `group` names the scope in the bound⇔shown check.
pub(super) struct Scope<M: 'static, C: 'static> {
    #[cfg_attr(not(test), allow(dead_code))]
    pub group: &'static str,
    pub rows: &'static [Row<M, C>],
}

impl<M: Clone, C> Scope<M, C> {
    /// The message `key` stands for in this scope.
    pub(super) fn lookup(&self, key: &KeyEvent) -> Option<M> {
        self.rows
            .iter()
            .flat_map(|r| r.keys.iter())
            .find(|(k, _)| k.matches(key))
            .map(|(_, m)| m.clone())
    }

    /// The hint bar's entries now, in their places.
    pub(super) fn hints(&self, ctx: &C) -> Vec<(&'static str, &'static str)> {
        let mut h: Vec<Hint> = self
            .rows
            .iter()
            .filter(|r| (r.shown)(ctx))
            .filter_map(|r| r.hint)
            .collect();
        h.sort_by_key(|h| h.at);
        h.into_iter().map(|h| (h.keys, h.what)).collect()
    }

    /// The help popup's lines for this scope, in row order.
    pub(super) fn help(&self) -> Vec<(&'static str, &'static str)> {
        self.rows.iter().filter_map(|r| r.help).collect()
    }
}

/// Shorthand for a row's hint.
pub(super) const fn hint(at: u8, keys: &'static str, what: &'static str) -> Option<Hint> {
    Some(Hint { at, keys, what })
}

/// Test support: the keys a label names (`"↑↓ j k"`, `"Enter/y"`, `"Ctrl-u"`), so a test can
/// check that what is shown is bound. Unknown words are returned as `Err`.
#[cfg(test)]
pub(crate) fn parse_label(label: &str) -> Vec<Result<Key, String>> {
    let mut out = Vec::new();
    for word in label.split([' ', '/']).filter(|w| !w.is_empty()) {
        let named = |w: &str| -> Option<Vec<Key>> {
            Some(match w {
                "Enter" => vec![code(KeyCode::Enter)],
                "Esc" => vec![code(KeyCode::Esc)],
                "Tab" => vec![code(KeyCode::Tab)],
                "Shift-Tab" => vec![code(KeyCode::BackTab)],
                "Space" => vec![ch(' ')],
                "PgUp" => vec![code(KeyCode::PageUp)],
                "PgDn" => vec![code(KeyCode::PageDown)],
                "Home" => vec![code(KeyCode::Home)],
                "End" => vec![code(KeyCode::End)],
                // "PgUp/Dn".
                "Dn" => vec![code(KeyCode::PageDown)],
                _ => return None,
            })
        };
        if let Some(keys) = named(word) {
            out.extend(keys.into_iter().map(Ok));
        } else if let Some(c) = word.strip_prefix("Ctrl-") {
            match c.chars().collect::<Vec<_>>()[..] {
                // Shown as Ctrl-C, sent as Ctrl with 'c'.
                [c] => out.push(Ok(ctrl(c.to_ascii_lowercase()))),
                _ => out.push(Err(word.to_string())),
            }
        } else if word.contains('-') && word.chars().count() == 3 {
            // A range: `1-9`.
            let v: Vec<char> = word.chars().collect();
            for c in v[0]..=v[2] {
                out.push(Ok(ch(c)));
            }
        } else {
            for c in word.chars() {
                out.push(Ok(match c {
                    '↑' => code(KeyCode::Up),
                    '↓' => code(KeyCode::Down),
                    '←' => code(KeyCode::Left),
                    '→' => code(KeyCode::Right),
                    c => ch(c),
                }));
            }
        }
    }
    out
}

/// Test support: checks one scope both ways. Every row is shown (hint or help); every key a
/// hint or help line names is bound in `scope` or in `also` (keys another scope of the same
/// screen handles first, e.g. `q` and `?` everywhere). Returns the problems found.
#[cfg(test)]
pub(crate) fn check_scope<M: Clone, C>(scope: &Scope<M, C>, also: &[&Scope<M, C>]) -> Vec<String> {
    let mut problems = Vec::new();
    let bound = |k: &Key| {
        std::iter::once(scope)
            .chain(also.iter().copied())
            .flat_map(|s| s.rows.iter())
            .flat_map(|r| r.keys.iter())
            .any(|(b, _)| b == k)
    };
    for (i, r) in scope.rows.iter().enumerate() {
        if r.hint.is_none() && r.help.is_none() {
            problems.push(format!(
                "{}: row {i} ({:?}) is bound but never shown",
                scope.group,
                r.keys.iter().map(|k| k.0).collect::<Vec<_>>()
            ));
        }
        let labels = r
            .hint
            .map(|h| h.keys)
            .into_iter()
            .chain(r.help.map(|h| h.0));
        for label in labels {
            for k in parse_label(label) {
                match k {
                    Ok(k) if bound(&k) => {}
                    Ok(k) => problems.push(format!(
                        "{}: {label:?} shows {k:?}, which is not bound",
                        scope.group
                    )),
                    Err(w) => {
                        problems.push(format!("{}: {label:?}: cannot read {w:?}", scope.group))
                    }
                }
            }
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_name_keys() {
        let keys: Vec<Key> = parse_label("↑↓ j k Enter/y Ctrl-u 1-3")
            .into_iter()
            .map(Result::unwrap)
            .collect();
        assert_eq!(
            keys,
            vec![
                code(KeyCode::Up),
                code(KeyCode::Down),
                ch('j'),
                ch('k'),
                code(KeyCode::Enter),
                ch('y'),
                ctrl('u'),
                ch('1'),
                ch('2'),
                ch('3')
            ]
        );
    }
}

//! A one-line text field: value plus cursor, edited by pure [`TextEdit`] operations.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// One editing operation on a [`TextInput`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TextEdit {
    Insert(char),
    Backspace,
    Delete,
    Left,
    Right,
    Home,
    End,
    /// Ctrl-U: delete everything before the cursor.
    ClearToStart,
    /// Ctrl-K: delete everything after the cursor.
    ClearToEnd,
}

impl TextEdit {
    /// The edit a key stands for in a text field, if any.
    /// Ctrl+Alt+character is AltGr and types the character ([`crate::tui::keys::normalize`]).
    pub fn from_key(key: KeyEvent) -> Option<TextEdit> {
        let key = crate::tui::keys::normalize(key);
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        Some(match key.code {
            KeyCode::Char('a') if ctrl => TextEdit::Home,
            KeyCode::Char('e') if ctrl => TextEdit::End,
            KeyCode::Char('u') if ctrl => TextEdit::ClearToStart,
            KeyCode::Char('k') if ctrl => TextEdit::ClearToEnd,
            KeyCode::Char(_) if ctrl => return None,
            KeyCode::Char(c) => TextEdit::Insert(c),
            KeyCode::Backspace => TextEdit::Backspace,
            KeyCode::Delete => TextEdit::Delete,
            KeyCode::Left => TextEdit::Left,
            KeyCode::Right => TextEdit::Right,
            KeyCode::Home => TextEdit::Home,
            KeyCode::End => TextEdit::End,
            _ => return None,
        })
    }
}

/// Text and a cursor, counted in characters.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TextInput {
    value: String,
    cursor: usize,
    /// The text is a default offered whole: the first character typed replaces it, any
    /// other edit (a cursor move, Backspace) keeps it for editing.
    offered: bool,
}

impl TextInput {
    /// A field holding `value` with the cursor at its end.
    pub fn new(value: impl Into<String>) -> Self {
        let value = value.into();
        let cursor = value.chars().count();
        TextInput {
            value,
            cursor,
            offered: false,
        }
    }

    /// A field offering `value` as a default: typing replaces it, editing keeps it.
    pub fn offering(value: impl Into<String>) -> Self {
        let mut input = TextInput::new(value);
        input.offered = !input.value.is_empty();
        input
    }

    /// Whether the text is still an untouched default (drawn as selected).
    pub fn is_offered(&self) -> bool {
        self.offered
    }

    pub fn value(&self) -> &str {
        &self.value
    }

    /// The text itself, moved out (no copy is left behind).
    pub fn into_value(self) -> String {
        self.value
    }

    /// Cursor position in characters.
    #[cfg_attr(not(feature = "testing"), allow(dead_code))] // only the tests use it
    pub fn cursor(&self) -> usize {
        self.cursor
    }

    /// Replaces the text and puts the cursor at its end.
    pub fn set(&mut self, value: impl Into<String>) {
        *self = TextInput::new(value);
    }

    fn byte_at(&self, char_idx: usize) -> usize {
        self.value
            .char_indices()
            .nth(char_idx)
            .map_or(self.value.len(), |(i, _)| i)
    }

    /// Applies one edit.
    pub fn apply(&mut self, edit: &TextEdit) {
        if std::mem::take(&mut self.offered) && matches!(edit, TextEdit::Insert(_)) {
            self.value.clear();
            self.cursor = 0;
        }
        let len = self.value.chars().count();
        match edit {
            TextEdit::Insert(c) => {
                let at = self.byte_at(self.cursor);
                self.value.insert(at, *c);
                self.cursor += 1;
            }
            TextEdit::Backspace if self.cursor > 0 => {
                let at = self.byte_at(self.cursor - 1);
                self.value.remove(at);
                self.cursor -= 1;
            }
            TextEdit::Delete if self.cursor < len => {
                let at = self.byte_at(self.cursor);
                self.value.remove(at);
            }
            TextEdit::Left => self.cursor = self.cursor.saturating_sub(1),
            TextEdit::Right => self.cursor = (self.cursor + 1).min(len),
            TextEdit::Home => self.cursor = 0,
            TextEdit::End => self.cursor = len,
            TextEdit::ClearToStart => {
                let at = self.byte_at(self.cursor);
                self.value.drain(..at);
                self.cursor = 0;
            }
            TextEdit::ClearToEnd => {
                let at = self.byte_at(self.cursor);
                self.value.truncate(at);
            }
            TextEdit::Backspace | TextEdit::Delete => {}
        }
    }

    /// The part of the text to show in `width` columns so the cursor stays visible, and the
    /// cursor's column within it.
    pub fn window(&self, width: usize) -> (String, usize) {
        let chars: Vec<char> = self.value.chars().collect();
        let width = width.max(1);
        let start = (self.cursor + 1).saturating_sub(width);
        let shown: String = chars.iter().skip(start).take(width).collect();
        (shown, self.cursor - start)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_offered_default_is_replaced_by_typing_and_kept_by_editing() {
        let mut t = TextInput::offering("William Miller");
        t.apply(&TextEdit::Insert('j'));
        assert_eq!(t.value(), "j");
        let mut t = TextInput::offering("William Miller");
        t.apply(&TextEdit::Backspace);
        t.apply(&TextEdit::Insert('s'));
        assert_eq!(t.value(), "William Milles");
    }

    #[test]
    fn edits_in_the_middle_of_multibyte_text() {
        let mut t = TextInput::new("Zoë");
        t.apply(&TextEdit::Left);
        t.apply(&TextEdit::Backspace);
        t.apply(&TextEdit::Insert('e'));
        assert_eq!(t.value(), "Zeë");
        t.apply(&TextEdit::ClearToEnd);
        assert_eq!(t.value(), "Ze");
        t.apply(&TextEdit::Home);
        t.apply(&TextEdit::Delete);
        assert_eq!((t.value(), t.cursor()), ("e", 0));
    }

    #[test]
    fn altgr_characters_are_typed_on_windows() {
        let altgr = KeyModifiers::CONTROL | KeyModifiers::ALT;
        let mut t = TextInput::new("jane");
        for c in ['@', 'x', '{', '\\'] {
            let edit = TextEdit::from_key(KeyEvent::new(KeyCode::Char(c), altgr));
            t.apply(&edit.expect("Ctrl+Alt+char types the char"));
        }
        assert_eq!(t.value(), "jane@x{\\");
        // Plain Ctrl shortcuts keep working, other Ctrl letters type nothing.
        let ctrl = |c| KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL);
        assert_eq!(TextEdit::from_key(ctrl('a')), Some(TextEdit::Home));
        assert_eq!(TextEdit::from_key(ctrl('x')), None);
    }

    #[test]
    fn window_keeps_cursor_visible() {
        let t = TextInput::new("abcdefghij");
        let (shown, col) = t.window(4);
        assert_eq!((shown.as_str(), col), ("hij", 3));
    }
}

//! What the Customize and Exchange access steps share: a list of catalogue settings with a
//! focus, in-place editing of text-like values, and the line each setting is drawn as.
//!
//! Everything is pure: keys in, an optional [`ChoiceEdit`] out; the wizard applies the edit to
//! its [`Choices`] (so it is undoable and autosaved) and redraws.

use super::widgets::text_input::TextEdit;
use crate::customize::syntax::Problem;
use crate::customize::validate::{check_value, display_value, input_text, parse_input};
use crate::customize::{Catalogue, ChoiceEdit, Choices, Issue, Kind, RosterFacts, Setting, Value};
use crate::roster::Severity;
use crossterm::event::{KeyCode, KeyEvent};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};

/// What a key means to a form (Customize, Exchange access): typed, so the forms never see
/// raw key events. Outside typing, the keymap table maps keys to them; while a value is typed,
/// [`FormMsg::typed`] does, and every printable key is text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FormMsg {
    Up,
    Down,
    PageUp,
    PageDown,
    Top,
    Bottom,
    /// Tab: next group (Customize) or next open checklist item (Exchange access).
    Next,
    /// Shift-Tab.
    Prev,
    /// ← / h: previous choice, or off.
    Left,
    /// → / l: next choice, or on.
    Right,
    /// Space: toggle, next choice, or tick.
    Space,
    /// Enter: toggle, next choice, edit text, tick, or save what is typed.
    Enter,
    /// `e`: edit a text value.
    Edit,
    /// `x`: tick a checklist item.
    Tick,
    /// `d`: back to the default.
    Default,
    /// `s`: add the suggested values.
    Suggest,
    /// Esc while typing: drop what was typed.
    Cancel,
    /// Typing into the value.
    Text(TextEdit),
}

impl FormMsg {
    /// The form message `key` stands for while a value is being typed: Enter saves, Esc
    /// drops, every other key edits the text. (Outside typing the keys are the keymap table's
    /// `keys::CUSTOMIZE` / `keys::EXCHANGE` rows.)
    pub fn typed(key: KeyEvent) -> Option<FormMsg> {
        if !super::keymap::counts(&key) {
            return None;
        }
        match key.code {
            KeyCode::Enter => Some(FormMsg::Enter),
            KeyCode::Esc => Some(FormMsg::Cancel),
            _ => TextEdit::from_key(key).map(FormMsg::Text),
        }
    }
}

/// The hint bar while a value is typed (both forms; the keys are [`FormMsg::typed`]'s).
pub(super) const TYPING_HINTS: &[(&str, &str)] =
    &[("Enter", "save"), ("Esc", "cancel"), ("Ctrl-u", "clear")];

/// Focus mark of the selected line.
pub(super) const FOCUS_MARK: &str = "▶";
/// Mark of a setting whose value has an error.
pub(super) const ERROR_MARK: &str = "✗";
/// Mark of a setting with a warning.
pub(super) const WARNING_MARK: &str = "!";
/// Mark of a setting changed from its default.
pub(super) const CHANGED_MARK: &str = "*";

/// A value being typed: text, cursor (in characters) and what is wrong with it so far.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Editor {
    pub key: String,
    pub text: String,
    pub cursor: usize,
    /// The problem with the text as typed; Enter is refused while there is one.
    pub problem: Option<Problem>,
}

impl Editor {
    /// Starts editing `s` with its current value `v`, cursor at the end.
    pub(super) fn new(s: &Setting, v: &Value) -> Self {
        let text = input_text(v);
        let mut e = Editor {
            key: s.key.clone(),
            cursor: text.chars().count(),
            text,
            problem: None,
        };
        e.recheck(s);
        e
    }

    fn byte(&self, idx: usize) -> usize {
        self.text
            .char_indices()
            .nth(idx)
            .map_or(self.text.len(), |(b, _)| b)
    }

    fn recheck(&mut self, s: &Setting) {
        self.problem = check_value(s, &parse_input(s, &self.text)).err();
    }

    /// Applies an editing key; returns false if the key is not an editing key.
    fn apply(&mut self, s: &Setting, edit: &TextEdit) {
        let len = self.text.chars().count();
        match edit {
            TextEdit::ClearToStart => {
                let b = self.byte(self.cursor);
                self.text.replace_range(..b, "");
                self.cursor = 0;
            }
            TextEdit::ClearToEnd => {
                let b = self.byte(self.cursor);
                self.text.truncate(b);
            }
            TextEdit::Insert(c) => {
                let b = self.byte(self.cursor);
                self.text.insert(b, *c);
                self.cursor += 1;
            }
            TextEdit::Backspace if self.cursor > 0 => {
                let b = self.byte(self.cursor - 1);
                self.text.remove(b);
                self.cursor -= 1;
            }
            TextEdit::Delete if self.cursor < len => {
                let b = self.byte(self.cursor);
                self.text.remove(b);
            }
            TextEdit::Left => self.cursor = self.cursor.saturating_sub(1),
            TextEdit::Right => self.cursor = (self.cursor + 1).min(len),
            TextEdit::Home => self.cursor = 0,
            TextEdit::End => self.cursor = len,
            TextEdit::Backspace | TextEdit::Delete => {}
        }
        self.recheck(s);
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Outcome {
    /// Nothing for this field (e.g. a movement key the list handles).
    Ignored,
    /// The key was used (editing, a refused commit) but no value changed.
    Consumed,
    /// A value changes.
    Edit(ChoiceEdit),
}

/// Handles a key for the focused setting `s`, with `editor` the edit in progress (if any).
pub(super) fn field_msg(
    cat: &Catalogue,
    facts: &RosterFacts,
    choices: &Choices,
    s: &Setting,
    editor: &mut Option<Editor>,
    msg: &FormMsg,
) -> Outcome {
    if let Some(ed) = editor.as_mut().filter(|e| e.key == s.key) {
        return match msg {
            FormMsg::Cancel => {
                *editor = None;
                Outcome::Consumed
            }
            FormMsg::Enter => {
                if ed.problem.is_some() {
                    return Outcome::Consumed;
                }
                let v = parse_input(s, &ed.text);
                *editor = None;
                edit(cat, choices, s, v)
            }
            FormMsg::Text(t) => {
                ed.apply(s, t);
                Outcome::Consumed
            }
            _ => Outcome::Consumed,
        };
    }
    let cur = choices.value_of(s).clone();
    match (s.kind, msg) {
        (Kind::Bool, FormMsg::Space | FormMsg::Enter) => edit(
            cat,
            choices,
            s,
            Value::Bool(!cur.as_bool().unwrap_or(false)),
        ),
        (Kind::Bool, FormMsg::Left) => edit(cat, choices, s, Value::Bool(false)),
        (Kind::Bool, FormMsg::Right) => edit(cat, choices, s, Value::Bool(true)),
        (Kind::Choice, FormMsg::Space | FormMsg::Enter | FormMsg::Right) => {
            edit(cat, choices, s, cycle(s, &cur, 1))
        }
        (Kind::Choice, FormMsg::Left) => edit(cat, choices, s, cycle(s, &cur, -1)),
        (
            Kind::Text | Kind::Url | Kind::Email | Kind::DomainList,
            FormMsg::Enter | FormMsg::Edit,
        ) => {
            *editor = Some(Editor::new(s, &cur));
            Outcome::Consumed
        }
        (Kind::DomainList, FormMsg::Suggest) if !s.suggestions.is_empty() => {
            let mut items = cur.as_list().map(<[String]>::to_vec).unwrap_or_default();
            for sug in &s.suggestions {
                if !items.contains(sug) {
                    items.push(sug.clone());
                }
            }
            edit(cat, choices, s, Value::List(items))
        }
        (_, FormMsg::Default) => edit(
            cat,
            choices,
            s,
            crate::customize::choices::default_value(cat, s, facts),
        ),
        _ => Outcome::Ignored,
    }
}

fn edit(cat: &Catalogue, choices: &Choices, s: &Setting, v: Value) -> Outcome {
    match choices.edit(cat, &s.key, v) {
        Some(e) => Outcome::Edit(e),
        None => Outcome::Consumed,
    }
}

fn cycle(s: &Setting, cur: &Value, step: isize) -> Value {
    let n = s.choices.len() as isize;
    let i = s
        .choices
        .iter()
        .position(|c| Some(c.value.as_str()) == cur.as_text())
        .unwrap_or(0) as isize;
    Value::Text(s.choices[((i + step).rem_euclid(n)) as usize].value.clone())
}

/// The status mark of a setting: error, warning, changed, or blank.
pub(super) fn status_mark(issues: &[Issue], changed: bool) -> &'static str {
    if issues.iter().any(|i| i.severity == Severity::Error) {
        ERROR_MARK
    } else if !issues.is_empty() {
        WARNING_MARK
    } else if changed {
        CHANGED_MARK
    } else {
        " "
    }
}

/// The value column of a setting as spans; `editor` shows the text being typed with its cursor.
pub(super) fn value_spans(
    s: &Setting,
    v: &Value,
    editor: Option<&Editor>,
    max_width: usize,
) -> Vec<Span<'static>> {
    if let Some(ed) = editor {
        let (before, rest) = ed.text.split_at(ed.byte(ed.cursor));
        let mut chars = rest.chars();
        let at = chars.next().map_or(" ".to_string(), |c| c.to_string());
        return vec![
            Span::raw("[".to_string()),
            Span::raw(before.to_string()),
            Span::styled(at, Style::new().add_modifier(Modifier::REVERSED)),
            Span::raw(chars.as_str().to_string()),
            Span::raw("]".to_string()),
        ];
    }
    let text = match (s.kind, v) {
        (Kind::Bool, Value::Bool(true)) => format!("[x] {}", s.bool_label(true)),
        (Kind::Bool, _) => format!("[ ] {}", s.bool_label(false)),
        (Kind::Choice, _) => format!("‹ {} ›", display_value(s, v)),
        _ => display_value(s, v),
    };
    vec![Span::raw(shorten(
        &text,
        v.as_list().map_or(0, |l| l.len()),
        max_width,
    ))]
}

/// Cuts `text` to `max` characters, saying how many list entries there are when cut.
pub(super) fn shorten(text: &str, entries: usize, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let tail = if entries > 1 {
        format!("… ({entries} entries)")
    } else {
        "…".to_string()
    };
    let keep = max.saturating_sub(tail.chars().count());
    let head: String = text.chars().take(keep).collect();
    format!("{head}{tail}")
}

/// One form line: focus mark, status mark, padded title, value.
pub(super) fn setting_line(
    s: &Setting,
    v: &Value,
    focused: bool,
    mark: &'static str,
    editor: Option<&Editor>,
    title_width: usize,
    width: usize,
) -> Line<'static> {
    let focus = if focused { FOCUS_MARK } else { " " };
    // A cut title ends in '…' (the help panel's heading shows it whole).
    let title = shorten(&s.title, 0, title_width);
    let pad = title_width.saturating_sub(title.chars().count());
    let mut spans = vec![
        Span::raw(format!("{focus}{mark} ")),
        Span::styled(
            title,
            if focused {
                Style::new().add_modifier(Modifier::BOLD)
            } else {
                Style::new()
            },
        ),
        Span::raw(format!("{} ", " ".repeat(pad))),
    ];
    spans.extend(value_spans(
        s,
        v,
        editor,
        width.saturating_sub(title_width + 4),
    ));
    Line::from(spans)
}

/// The lines a setting is drawn as: [`setting_line`], and when the setting is focused (or
/// being edited) and its value does not fit, the whole value wrapped under it at the value
/// column, so a long list or address can be read and checked without editing it.
pub(super) fn setting_lines(
    s: &Setting,
    v: &Value,
    focused: bool,
    mark: &'static str,
    editor: Option<&Editor>,
    title_width: usize,
    width: usize,
) -> Vec<Line<'static>> {
    let value_width = width.saturating_sub(title_width + 4);
    let full = value_spans(s, v, editor, usize::MAX);
    let len: usize = full.iter().map(|sp| sp.content.chars().count()).sum();
    if !(focused || editor.is_some()) || len <= value_width || value_width == 0 {
        return vec![setting_line(
            s,
            v,
            focused,
            mark,
            editor,
            title_width,
            width,
        )];
    }
    let mut first = setting_line(s, v, focused, mark, None, title_width, width);
    first.spans.pop();
    let indent = " ".repeat(title_width + 4);
    // Shown values wrap at word boundaries; typed text wraps anywhere, keeping the cursor.
    let mut rows = if editor.is_some() {
        split_spans(full, value_width)
    } else {
        let text: String = full.iter().map(|sp| sp.content.as_ref()).collect();
        super::exchange::wrap(&text, value_width)
            .into_iter()
            .map(|l| vec![Span::raw(l)])
            .collect()
    }
    .into_iter();
    first.spans.extend(rows.next().unwrap_or_default());
    let mut out = vec![first];
    for row in rows {
        let mut spans = vec![Span::raw(indent.clone())];
        spans.extend(row);
        out.push(Line::from(spans));
    }
    out
}

/// Splits styled spans into rows of at most `width` characters, keeping each piece's style.
fn split_spans(spans: Vec<Span<'static>>, width: usize) -> Vec<Vec<Span<'static>>> {
    let mut rows: Vec<Vec<Span<'static>>> = vec![Vec::new()];
    let mut used = 0;
    for sp in spans {
        let mut piece = String::new();
        for c in sp.content.chars() {
            if used == width {
                if !piece.is_empty() {
                    let last = rows.last_mut().expect("never empty");
                    last.push(Span::styled(std::mem::take(&mut piece), sp.style));
                }
                rows.push(Vec::new());
                used = 0;
            }
            piece.push(c);
            used += 1;
        }
        if !piece.is_empty() {
            let last = rows.last_mut().expect("never empty");
            last.push(Span::styled(piece, sp.style));
        }
    }
    rows
}

/// What kind of input a setting takes, in words (for the help panel).
pub(super) fn kind_hint(s: &Setting) -> &'static str {
    match s.kind {
        Kind::Bool => "On or off: Space toggles.",
        Kind::Choice => "Choose with ← → or Space.",
        Kind::Text => "Text: Enter edits, Enter again saves, Esc cancels.",
        Kind::Url => "A web address starting with https://. Enter edits.",
        Kind::Email => "An address like name@contoso.com. Enter edits.",
        Kind::DomainList => "Domains separated by commas or spaces. Enter edits.",
    }
}

#[cfg(test)]
mod form_msg_tests {
    use super::*;
    use crossterm::event::{KeyEventKind, KeyModifiers};

    #[test]
    fn typing_takes_every_letter_and_the_table_maps_the_rest() {
        let k = |c| KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE);
        let form = |k| super::super::keys::form_msg(&super::super::keys::CUSTOMIZE, &k);
        assert_eq!(form(k('j')), Some(FormMsg::Down));
        assert_eq!(form(k('x')), Some(FormMsg::Tick));
        assert_eq!(
            FormMsg::typed(k('j')),
            Some(FormMsg::Text(TextEdit::Insert('j')))
        );
        let esc = KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE);
        assert_eq!(FormMsg::typed(esc), Some(FormMsg::Cancel));
        let mut release = k('j');
        release.kind = KeyEventKind::Release;
        assert_eq!(form(release), None);
        assert_eq!(FormMsg::typed(release), None);
        let ctrl_u = KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL);
        assert_eq!(
            FormMsg::typed(ctrl_u),
            Some(FormMsg::Text(TextEdit::ClearToStart))
        );
    }
}

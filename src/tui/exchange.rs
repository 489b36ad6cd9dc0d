//! The Exchange access step: how SmartCloud Connect reaches mailboxes (per-user or one
//! impersonating account), which Exchange the org runs, and the set-up checklists with their
//! commands, shown ready to copy (unindented, unboxed, never cut short).
//!
//! The fields are the catalogue's `page = "exchange"` settings; the texts come from
//! `assets/exchange/guide.toml`. Ticking an item is a [`ChoiceEdit`] on its
//! `checklist.<list>.<item>` key, so it is undoable and saved like any choice.

use super::setting_form::{self as form, Editor, FormMsg, Outcome};
use crate::customize::choices::default_value;
use crate::customize::validate::validate_setting;
use crate::customize::{
    Catalogue, ChoiceEdit, Choices, ExchangePlan, Guide, Issue, Page, RosterFacts, Setting,
};
use crate::roster::Severity;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;
use std::sync::Arc;

/// One focusable line of the step.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Item {
    /// A catalogue setting, by key.
    Field(String),
    /// A checklist item, by its tick key.
    Tick(String),
}

/// State of the Exchange access step that is not a choice.
#[derive(Clone, Debug)]
pub struct ExchangeStep {
    catalogue: Arc<Catalogue>,
    guide: Arc<Guide>,
    facts: RosterFacts,
    focus: usize,
    focus_item: Option<Item>,
    editor: Option<Editor>,
    /// Why the last tick was refused, for the wizard's status line.
    refusal: Option<String>,
}

impl ExchangeStep {
    /// The step over `catalogue`'s Exchange settings and `guide`'s texts; `facts` give the
    /// roster users (warning, sample mailbox in commands).
    pub fn new(catalogue: Arc<Catalogue>, guide: Arc<Guide>, facts: RosterFacts) -> Self {
        ExchangeStep {
            catalogue,
            guide,
            facts,
            focus: 0,
            focus_item: None,
            editor: None,
            refusal: None,
        }
    }

    /// Updates the roster facts (for the "also a roster user" warning and sample commands).
    pub fn set_facts(&mut self, facts: RosterFacts) {
        self.facts = facts;
    }

    /// True while a value is being typed: the wizard should pass every key here.
    pub fn is_editing(&self) -> bool {
        self.editor.is_some()
    }

    /// The guide the plan is drawn from (Review builds its summary from it).
    pub fn guide(&self) -> &Guide {
        &self.guide
    }

    /// Focuses the checklist's first unticked item (Review's jump to the checklist).
    pub fn focus_first_unticked(&mut self, choices: &Choices) {
        if let Some(c) = self
            .plan(choices)
            .checklists
            .into_iter()
            .flat_map(|c| c.items)
            .find(|i| !i.ticked)
        {
            self.focus_item = Some(Item::Tick(c.tick_key));
        }
    }

    /// The plan as the choices stand.
    pub fn plan(&self, choices: &Choices) -> ExchangePlan {
        ExchangePlan::new(&self.guide, &self.catalogue, choices, &self.facts)
    }

    /// Problems with the Exchange access settings.
    pub fn issues(&self, choices: &Choices) -> Vec<Issue> {
        fields(&self.catalogue, choices)
            .into_iter()
            .flat_map(|s| validate_setting(&self.catalogue, choices, &self.facts, s))
            .collect()
    }

    /// Every focusable item, in screen order.
    pub fn items(&self, choices: &Choices) -> Vec<Item> {
        let mut items: Vec<Item> = fields(&self.catalogue, choices)
            .into_iter()
            .map(|s| Item::Field(s.key.clone()))
            .collect();
        for c in self.plan(choices).checklists {
            items.extend(c.items.into_iter().map(|i| Item::Tick(i.tick_key)));
        }
        items
    }

    fn focused(&self, items: &[Item]) -> usize {
        self.focus_item
            .as_ref()
            .and_then(|f| items.iter().position(|i| i == f))
            .unwrap_or(self.focus.min(items.len().saturating_sub(1)))
    }

    /// Why the last key did not tick an item (a placeholder still unfilled), once.
    pub fn take_refusal(&mut self) -> Option<String> {
        self.refusal.take()
    }

    /// Focuses the setting `key` (e.g. the first one with an error).
    pub fn focus_setting(&mut self, key: &str) {
        self.focus_item = Some(Item::Field(key.to_string()));
    }

    /// The focused item.
    pub fn focused_item(&self, choices: &Choices) -> Option<Item> {
        let items = self.items(choices);
        items.get(self.focused(&items)).cloned()
    }

    /// Handles a key press (through the keymap table, or [`FormMsg::typed`] while a value is
    /// typed); returns the change to apply to
    /// `choices`, if any. (The wizard sends `FormMsg`s; tests drive the form by keys.)
    #[cfg(any(test, feature = "testing"))]
    pub fn handle_key(
        &mut self,
        key: crossterm::event::KeyEvent,
        choices: &Choices,
    ) -> Option<ChoiceEdit> {
        let msg = super::keys::form_key(&super::keys::EXCHANGE, self.is_editing(), key)?;
        self.update(msg, choices)
    }

    /// Applies a form message; returns the change to apply to `choices`, if any.
    pub fn update(&mut self, msg: FormMsg, choices: &Choices) -> Option<ChoiceEdit> {
        let items = self.items(choices);
        if items.is_empty() {
            return None;
        }
        let idx = self.focused(&items);
        match &items[idx] {
            Item::Field(k) => {
                let cat = self.catalogue.clone();
                let s = cat.get(k)?;
                match form::field_msg(&cat, &self.facts, choices, s, &mut self.editor, &msg) {
                    Outcome::Edit(e) => return Some(e),
                    Outcome::Consumed => return None,
                    Outcome::Ignored => {}
                }
            }
            Item::Tick(t) => {
                if matches!(msg, FormMsg::Space | FormMsg::Enter | FormMsg::Tick) {
                    let item = self
                        .plan(choices)
                        .checklists
                        .into_iter()
                        .flat_map(|c| c.items)
                        .find(|i| &i.tick_key == t)?;
                    return match item.toggle(choices) {
                        Ok(edit) => Some(edit),
                        Err(why) => {
                            self.refusal = Some(why);
                            None
                        }
                    };
                }
            }
        }
        let n = items.len();
        let is_field = |i: &Item| matches!(i, Item::Field(_));
        let new = match msg {
            FormMsg::Up => idx.saturating_sub(1),
            FormMsg::Down => (idx + 1).min(n - 1),
            FormMsg::Top => 0,
            FormMsg::Bottom => n - 1,
            // Tab: to the next open checklist item (the first one from the fields); after the
            // last open item, back to the fields.
            FormMsg::Next | FormMsg::Prev => {
                let ticked: Vec<String> = self
                    .plan(choices)
                    .checklists
                    .into_iter()
                    .flat_map(|c| c.items)
                    .filter(|i| i.ticked)
                    .map(|i| i.tick_key)
                    .collect();
                let open = |i: &Item| matches!(i, Item::Tick(t) if !ticked.contains(t));
                if is_field(&items[idx]) {
                    items
                        .iter()
                        .position(open)
                        .or_else(|| items.iter().position(|i| !is_field(i)))
                        .unwrap_or(idx)
                } else {
                    items[idx + 1..]
                        .iter()
                        .position(open)
                        .map_or(0, |p| idx + 1 + p)
                }
            }
            _ => return None,
        };
        self.focus = new;
        self.focus_item = Some(items[new].clone());
        None
    }

    /// The command of the focused checklist item, whole, for the wizard to offer copying it
    /// (e.g. to the clipboard with OSC 52); None when the focus is elsewhere.
    pub fn focused_command(&self, choices: &Choices) -> Option<String> {
        let Some(Item::Tick(t)) = self.focused_item(choices) else {
            return None;
        };
        self.plan(choices)
            .checklists
            .into_iter()
            .flat_map(|c| c.items)
            .find(|i| i.tick_key == t)
            .and_then(|i| i.command)
    }

    /// Draws the step into `area`.
    pub fn render(&self, choices: &Choices, frame: &mut Frame, area: Rect) {
        let cat = &self.catalogue;
        let plan = self.plan(choices);
        let items = self.items(choices);
        let idx = self.focused(&items);
        let focus = items.get(idx);
        let width = area.width as usize;
        let bold = Style::new().add_modifier(Modifier::BOLD);

        let (done, total) = plan.progress();
        let mut title = vec![Span::styled("Exchange access", bold)];
        if total > 0 {
            title.push(Span::raw(format!(" · checklist {done} of {total} ticked")));
        }
        let issues = self.issues(choices);
        let errors = issues
            .iter()
            .filter(|i| i.severity == Severity::Error)
            .count();
        if errors > 0 {
            title.push(Span::raw(format!(" · {errors} to fix")));
        }

        // Fields and the focused field's problems.
        let fields = fields(cat, choices);
        let longest = fields
            .iter()
            .map(|s| s.title.chars().count())
            .max()
            .unwrap_or(10);
        let title_width = longest.min(width.saturating_sub(4 + 30)).max(12);
        let mut head: Vec<Line> = vec![Line::from(title)];
        for s in &fields {
            let v = choices.value_of(s);
            let own: Vec<Issue> = issues.iter().filter(|i| i.key == s.key).cloned().collect();
            let changed = !s.same_value(v, &default_value(cat, s, &self.facts));
            let focused = focus == Some(&Item::Field(s.key.clone()));
            let editor = self.editor.as_ref().filter(|e| e.key == s.key);
            head.extend(form::setting_lines(
                s,
                v,
                focused,
                form::status_mark(&own, changed),
                editor,
                title_width,
                width,
            ));
        }
        if let Some(Item::Field(k)) = focus {
            let typed = self.editor.as_ref().filter(|e| &e.key == k);
            let msgs: Vec<(&str, String)> = match typed {
                Some(ed) => ed
                    .problem
                    .iter()
                    .map(|p| (form::ERROR_MARK, p.message.clone()))
                    .collect(),
                None => issues
                    .iter()
                    .filter(|i| &i.key == k)
                    .map(|i| {
                        let m = if i.severity == Severity::Error {
                            form::ERROR_MARK
                        } else {
                            form::WARNING_MARK
                        };
                        let fix = i
                            .fix
                            .as_ref()
                            .map(|f| format!(" Fix: {f}"))
                            .unwrap_or_default();
                        (m, format!("{}{fix}", i.message))
                    })
                    .collect(),
            };
            let help = cat.get(k).map(|s| s.help.clone()).unwrap_or_default();
            for l in wrap(&help, width) {
                head.push(Line::raw(l));
            }
            for (m, msg) in msgs {
                for (n, l) in wrap(&format!("{m} {msg}"), width).into_iter().enumerate() {
                    head.push(if n == 0 {
                        Line::styled(l, bold)
                    } else {
                        Line::raw(l)
                    });
                }
            }
        }
        head.push(Line::raw(""));

        // The guide: notices, then checklists with their commands.
        let mut notes: Vec<Line> = Vec::new();
        for n in &plan.notices {
            notes.push(Line::styled(
                n.title.clone(),
                bold.add_modifier(Modifier::UNDERLINED),
            ));
            for para in n.body.split("\n\n") {
                for l in wrap(&para.replace('\n', " "), width) {
                    notes.push(Line::raw(l));
                }
            }
            push_sources(&mut notes, &self.guide, &n.sources, width);
            notes.push(Line::raw(""));
        }
        let mut doc: Vec<Line> = Vec::new();
        let mut focus_line = None;
        // Where each checklist's second item starts: the start a small screen must show.
        let mut first_items_end = None;
        for c in &plan.checklists {
            for l in wrap(&c.title, width) {
                doc.push(Line::styled(l, bold.add_modifier(Modifier::UNDERLINED)));
            }
            for (n, item) in c.items.iter().enumerate() {
                if n == 2 && first_items_end.is_none() {
                    first_items_end = Some(doc.len());
                }
                let focused = focus == Some(&Item::Tick(item.tick_key.clone()));
                if focused {
                    focus_line = Some(doc.len());
                }
                let mark = if item.ticked { "[x]" } else { "[ ]" };
                let cursor = if focused { form::FOCUS_MARK } else { " " };
                let style = if focused { bold } else { Style::new() };
                for (i, l) in wrap(&item.text, width.saturating_sub(6))
                    .into_iter()
                    .enumerate()
                {
                    let lead = if i == 0 {
                        format!("{cursor} {mark} ")
                    } else {
                        "      ".to_string()
                    };
                    doc.push(Line::from(vec![Span::raw(lead), Span::styled(l, style)]));
                }
                if let Some(note) = &item.note {
                    for l in wrap(
                        &format!("{} {note}", form::WARNING_MARK),
                        width.saturating_sub(6),
                    ) {
                        doc.push(Line::from(vec![Span::raw("      "), Span::styled(l, bold)]));
                    }
                } else if let (Some(why), true) = (&item.blocked, focused) {
                    for l in wrap(
                        &format!("Cannot be ticked yet: {why}"),
                        width.saturating_sub(6),
                    ) {
                        doc.push(Line::from(vec![Span::raw("      "), Span::raw(l)]));
                    }
                }
                if let Some(cmd) = &item.command {
                    // Commands start at column 0 and are split only where the screen ends, so
                    // selecting them copies the command itself.
                    for l in hard_wrap(cmd, width) {
                        doc.push(Line::raw(l));
                    }
                }
            }
            push_sources(&mut doc, &self.guide, &c.sources, width);
            doc.push(Line::raw(""));
        }

        // Notices come before the checklists, unless that would hide the checklist's title and
        // first items while a field has the focus (80×24): then the checklists come first and
        // the notices follow them, reached by moving down the checklist.
        let start = first_items_end.unwrap_or(doc.len());
        // Judged with the longest field help, so the order does not change with the focus.
        let help_max = fields
            .iter()
            .map(|s| wrap(&s.help, width).len())
            .max()
            .unwrap_or(0);
        let head_max = head.len().max(fields.len() + 2 + help_max);
        let room = (area.height as usize).saturating_sub(head_max);
        if start > 0 && notes.len() + start > room {
            doc.extend(notes);
        } else {
            focus_line = focus_line.map(|l| l + notes.len());
            notes.extend(doc);
            doc = notes;
        }

        let head_h = (head.len() as u16).min(area.height.saturating_sub(3));
        let [head_area, doc_area] =
            Layout::vertical([Constraint::Length(head_h), Constraint::Min(1)]).areas(area);
        frame.render_widget(Paragraph::new(head), head_area);
        let h = doc_area.height as usize;
        let max_off = doc.len().saturating_sub(h);
        let offset = focus_line.map_or(0, |l| l.saturating_sub(2).min(max_off));
        frame.render_widget(Paragraph::new(doc).scroll((offset as u16, 0)), doc_area);
    }
}

/// The Exchange-page settings that apply under `choices`.
pub fn fields<'a>(cat: &'a Catalogue, choices: &Choices) -> Vec<&'a Setting> {
    cat.page(Page::Exchange)
        .into_iter()
        .filter(|s| choices.is_active(cat, s))
        .collect()
}

fn push_sources(doc: &mut Vec<Line>, guide: &Guide, ids: &[String], width: usize) {
    for id in ids {
        if let Some(s) = guide.source(id) {
            for l in wrap(&format!("Source: {} {}", s.title, s.url), width) {
                doc.push(Line::styled(l, Style::new().add_modifier(Modifier::DIM)));
            }
        }
    }
}

/// Word-wraps `text` to `width` columns (words longer than a line are split).
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let width = width.max(8);
    let mut out = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let wlen = word.chars().count();
        let llen = line.chars().count();
        if llen > 0 && llen + 1 + wlen > width {
            out.push(std::mem::take(&mut line));
        }
        if wlen > width {
            for chunk in hard_wrap(word, width) {
                if line.is_empty() && chunk.chars().count() == width {
                    out.push(chunk);
                } else {
                    line = chunk;
                }
            }
            continue;
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        out.push(line);
    }
    out
}

/// Splits `text` into lines of exactly `width` characters (the last may be shorter).
pub fn hard_wrap(text: &str, width: usize) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    chars
        .chunks(width.max(1))
        .map(|c| c.iter().collect())
        .collect()
}

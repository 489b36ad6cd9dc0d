//! The Customize step: the settings form, rendered from the catalogue.
//!
//! Grouped as the catalogue's `groups`; settings whose `when` does not hold are hidden. The
//! focused setting's help, its problems and a summary of what differs from the defaults are
//! shown beside the form (below it in narrow terminals). Keys never change [`Choices`]
//! directly: [`CustomizeStep::handle_key`] returns a [`ChoiceEdit`] for the wizard to apply.

use super::setting_form::{self as form, Editor, FormMsg, Outcome};
use crate::customize::choices::default_value;
use crate::customize::{
    differences, validate, Catalogue, ChoiceEdit, Choices, Issue, Page, RosterFacts, Setting,
};
use crate::roster::Severity;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};
use ratatui::Frame;
use std::sync::Arc;

/// Terminals at least this wide get the help and summary beside the form.
pub const SIDE_PANEL_MIN_WIDTH: u16 = 100;

/// State of the Customize step that is not a choice: focus and the edit in progress.
#[derive(Clone, Debug)]
pub struct CustomizeStep {
    catalogue: Arc<Catalogue>,
    facts: RosterFacts,
    focus: usize,
    focus_key: Option<String>,
    editor: Option<Editor>,
}

impl CustomizeStep {
    /// A form over `catalogue`'s Customize settings; `facts` give roster-derived defaults.
    pub fn new(catalogue: Arc<Catalogue>, facts: RosterFacts) -> Self {
        CustomizeStep {
            catalogue,
            facts,
            focus: 0,
            focus_key: None,
            editor: None,
        }
    }

    /// Updates the roster facts (after roster edits) used for defaults and warnings.
    pub fn set_facts(&mut self, facts: RosterFacts) {
        self.facts = facts;
    }

    /// The catalogue the form is drawn from.
    pub fn catalogue(&self) -> &Arc<Catalogue> {
        &self.catalogue
    }

    /// The roster's facts the form was last given (Review builds its summary from them).
    pub fn facts(&self) -> &RosterFacts {
        &self.facts
    }

    /// True while a value is being typed: the wizard should pass every key here.
    pub fn is_editing(&self) -> bool {
        self.editor.is_some()
    }

    /// The settings shown, in form order.
    pub fn visible<'a>(&'a self, choices: &Choices) -> Vec<&'a Setting> {
        visible_in(&self.catalogue, choices)
    }

    /// Index into [`CustomizeStep::visible`] of the focused setting.
    pub fn focused_index(&self, visible: &[&Setting]) -> usize {
        self.focus_key
            .as_ref()
            .and_then(|k| visible.iter().position(|s| &s.key == k))
            .unwrap_or(self.focus.min(visible.len().saturating_sub(1)))
    }

    /// Focuses the setting `key` (e.g. the first one with an error).
    pub fn focus_setting(&mut self, key: &str) {
        self.focus_key = Some(key.to_string());
    }

    /// Key of the focused setting.
    #[cfg_attr(not(feature = "testing"), allow(dead_code))] // only the tests use it
    pub fn focused_key(&self, choices: &Choices) -> Option<String> {
        let vis = self.visible(choices);
        vis.get(self.focused_index(&vis)).map(|s| s.key.clone())
    }

    /// Every problem with the choices (the wizard can refuse to go on while one is an error).
    pub fn issues(&self, choices: &Choices) -> Vec<Issue> {
        validate(&self.catalogue, choices, &self.facts)
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
        let msg = super::keys::form_key(&super::keys::CUSTOMIZE, self.is_editing(), key)?;
        self.update(msg, choices)
    }

    /// Applies a form message; returns the change to apply to `choices`, if any.
    pub fn update(&mut self, msg: FormMsg, choices: &Choices) -> Option<ChoiceEdit> {
        let cat = self.catalogue.clone();
        let vis = visible_in(&cat, choices);
        if vis.is_empty() {
            return None;
        }
        let idx = self.focused_index(&vis);
        let s = vis[idx];
        match form::field_msg(&cat, &self.facts, choices, s, &mut self.editor, &msg) {
            Outcome::Edit(e) => return Some(e),
            Outcome::Consumed => return None,
            Outcome::Ignored => {}
        }
        let n = vis.len();
        let new = match msg {
            FormMsg::Up => idx.saturating_sub(1),
            FormMsg::Down => (idx + 1).min(n - 1),
            FormMsg::PageUp => idx.saturating_sub(8),
            FormMsg::PageDown => (idx + 8).min(n - 1),
            FormMsg::Top => 0,
            FormMsg::Bottom => n - 1,
            FormMsg::Next => vis
                .iter()
                .enumerate()
                .skip(idx + 1)
                .find(|(_, o)| o.group != s.group)
                .map_or(idx, |(i, _)| i),
            FormMsg::Prev => {
                // The first setting of the previous group (or of this one, if not on it).
                let start = vis.iter().position(|o| o.group == s.group).unwrap_or(0);
                let target = if start < idx {
                    start
                } else {
                    start.saturating_sub(1)
                };
                vis.iter()
                    .position(|o| o.group == vis[target].group)
                    .unwrap_or(0)
            }
            _ => return None,
        };
        self.focus = new;
        self.focus_key = Some(vis[new].key.clone());
        None
    }

    /// Draws the form into `area`.
    pub fn render(&self, choices: &Choices, frame: &mut Frame, area: Rect) {
        let cat = &self.catalogue;
        let vis = self.visible(choices);
        let idx = self.focused_index(&vis);
        let all_issues = self.issues(choices);
        let diffs = differences(cat, choices, &self.facts);
        let errors = all_issues
            .iter()
            .filter(|i| i.severity == Severity::Error)
            .count();
        let warnings = all_issues.len() - errors;

        let [title_area, body] =
            Layout::vertical([Constraint::Length(1), Constraint::Min(1)]).areas(area);
        let mut title = vec![Span::styled(
            "Customize SmartCloud Connect",
            Style::new().add_modifier(Modifier::BOLD),
        )];
        title.push(Span::raw(format!(
            " · {} changed from defaults · {}",
            diffs.len(),
            problems_text(errors, warnings)
        )));
        frame.render_widget(Paragraph::new(Line::from(title)), title_area);

        let wide = area.width >= SIDE_PANEL_MIN_WIDTH;
        let (form_area, help_area, summary_area) = if wide {
            let [f, side] =
                Layout::horizontal([Constraint::Percentage(65), Constraint::Percentage(35)])
                    .spacing(2)
                    .areas(body);
            let [h, s] = Layout::vertical([Constraint::Percentage(55), Constraint::Percentage(45)])
                .areas(side);
            (f, h, Some(s))
        } else {
            let [f, h, s] = Layout::vertical([
                Constraint::Min(4),
                Constraint::Length(7),
                Constraint::Length(1),
            ])
            .areas(body);
            (f, h, Some(s))
        };

        // The form: group headers and one line per setting.
        let longest = vis
            .iter()
            .map(|s| s.title.chars().count())
            .max()
            .unwrap_or(10);
        let title_width = longest
            .min((form_area.width as usize).saturating_sub(4 + 28))
            .max(16);
        let mut lines: Vec<Line> = Vec::new();
        let mut focus_line = 0;
        let mut focus_end = 0;
        for g in &cat.groups {
            let in_group: Vec<(usize, &&Setting)> = vis
                .iter()
                .enumerate()
                .filter(|(_, s)| &s.group == g)
                .collect();
            if in_group.is_empty() {
                continue;
            }
            lines.push(Line::from(Span::styled(
                g.clone(),
                Style::new().add_modifier(Modifier::BOLD | Modifier::UNDERLINED),
            )));
            for (i, s) in in_group {
                let v = choices.value_of(s);
                let issues: Vec<&Issue> = all_issues.iter().filter(|x| x.key == s.key).collect();
                let owned: Vec<Issue> = issues.into_iter().cloned().collect();
                let changed = !s.same_value(v, &default_value(cat, s, &self.facts));
                let editor = self.editor.as_ref().filter(|e| e.key == s.key);
                if i == idx {
                    focus_line = lines.len();
                }
                lines.extend(form::setting_lines(
                    s,
                    v,
                    i == idx,
                    form::status_mark(&owned, changed),
                    editor,
                    title_width,
                    form_area.width as usize,
                ));
                if i == idx {
                    focus_end = lines.len() - 1;
                }
            }
        }
        let height = form_area.height as usize;
        // The focused setting's last wrapped line is kept on screen, its first line too.
        let offset = focus_end
            .saturating_sub(height.saturating_sub(1))
            .min(focus_line);
        frame.render_widget(Paragraph::new(lines).scroll((offset as u16, 0)), form_area);

        // Help and problems of the focused setting.
        if let Some(s) = vis.get(idx) {
            let mut help: Vec<Line> = vec![Line::raw(s.help.clone())];
            help.push(Line::raw(form::kind_hint(s)));
            if let Some(ed) = self.editor.as_ref().filter(|e| e.key == s.key) {
                if let Some(p) = &ed.problem {
                    help.push(problem_line(form::ERROR_MARK, &p.message));
                    if let Some(fix) = &p.fix {
                        help.push(Line::raw(format!("  Fix: {fix}")));
                    }
                }
            } else {
                for i in all_issues.iter().filter(|i| i.key == s.key) {
                    let mark = if i.severity == Severity::Error {
                        form::ERROR_MARK
                    } else {
                        form::WARNING_MARK
                    };
                    help.push(problem_line(mark, &i.message));
                    if let Some(fix) = &i.fix {
                        help.push(Line::raw(format!("  Fix: {fix}")));
                    }
                }
            }
            if !s.suggestions.is_empty() {
                help.push(Line::raw(format!(
                    "Suggested (s adds): {}",
                    s.suggestions.join(", ")
                )));
            }
            frame.render_widget(
                Paragraph::new(help).wrap(Wrap { trim: false }).block(
                    Block::new()
                        .borders(Borders::TOP)
                        .title(format!(" {} ", s.title)),
                ),
                help_area,
            );
        }

        // What differs from the defaults.
        if let Some(sum) = summary_area {
            if wide {
                let mut lines: Vec<Line> = diffs
                    .iter()
                    .map(|d| {
                        Line::raw(format!(
                            "{}: {} (default: {})",
                            d.title,
                            form::shorten(&d.value, 0, 60),
                            form::shorten(&d.default, 0, 30)
                        ))
                    })
                    .collect();
                if lines.is_empty() {
                    lines.push(Line::raw("Nothing yet: every setting has its default."));
                }
                frame.render_widget(
                    Paragraph::new(lines).wrap(Wrap { trim: false }).block(
                        Block::new()
                            .borders(Borders::TOP)
                            .title(format!(" Changed from defaults ({}) ", diffs.len())),
                    ),
                    sum,
                );
            } else {
                let names: Vec<String> = diffs
                    .iter()
                    .map(|d| format!("{}: {}", d.title, form::shorten(&d.value, 0, 24)))
                    .collect();
                let text = if names.is_empty() {
                    "Changed: nothing (all defaults)".to_string()
                } else {
                    format!("Changed: {}", names.join("; "))
                };
                frame.render_widget(Paragraph::new(text), sum);
            }
        }
    }
}

/// The Customize-page settings that apply under `choices`, in form order.
pub fn visible_in<'a>(cat: &'a Catalogue, choices: &Choices) -> Vec<&'a Setting> {
    cat.page(Page::Customize)
        .into_iter()
        .filter(|s| choices.is_active(cat, s))
        .collect()
}

fn problems_text(errors: usize, warnings: usize) -> String {
    match (errors, warnings) {
        (0, 0) => "no problems".into(),
        (e, 0) => format!("{e} {}", plural(e, "error", "errors")),
        (0, w) => format!("{w} {}", plural(w, "warning", "warnings")),
        (e, w) => format!(
            "{e} {}, {w} {}",
            plural(e, "error", "errors"),
            plural(w, "warning", "warnings")
        ),
    }
}

fn plural<'a>(n: usize, one: &'a str, many: &'a str) -> &'a str {
    if n == 1 {
        one
    } else {
        many
    }
}

fn problem_line(mark: &'static str, msg: &str) -> Line<'static> {
    Line::from(vec![
        Span::styled(
            format!("{mark} "),
            Style::new().add_modifier(Modifier::BOLD),
        ),
        Span::raw(msg.to_string()),
    ])
}

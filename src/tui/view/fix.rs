//! The Fix step: the roster table and the selected row's findings.

use crate::roster::{Field, Severity};
use crate::tui::layout;
use crate::tui::state::State;
use crate::tui::theme::{ERROR_MARK, WARNING_MARK};
use crate::tui::update::fix_for_row;
use crate::tui::widgets::roster_table;
use crate::tui::widgets::text::{visible, wrap};
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Wrap};
use ratatui::Frame;

pub(super) fn render(state: &State, f: &mut Frame, area: Rect) {
    let (table, panel) = layout::fix(area);
    roster_table::render(state, f, table);
    detail(state, f, panel);
}

fn detail(state: &State, f: &mut Frame, area: Rect) {
    let t = state.theme;
    let Some(row) = state.selected_row() else {
        f.render_widget(Block::bordered().title(" Details "), area);
        return;
    };
    let rec = state.roster.record(row);
    let excluded = state.roster.is_excluded(row);
    let mut title = format!(" Line {} ", rec.line);
    if excluded {
        title.push_str("· excluded, not exported (x re-includes) ");
    }
    if state.fix.edit.is_some() {
        title.push_str(&format!("· Editing {} ", Field::ALL[state.fix.col].title()));
    }
    let mut lines = Vec::new();
    let live = state.live.findings(state, row);
    let findings: Vec<&crate::roster::Finding> =
        state.roster.findings(row).iter().chain(live).collect();
    let inner_w = area.width.saturating_sub(2) as usize;
    // The five values in full (wrapped), so nothing needs edit mode to be read.
    let label_w = Field::ALL
        .iter()
        .map(|f| f.title().len())
        .max()
        .unwrap_or(0);
    for f in Field::ALL {
        let sev = findings
            .iter()
            .filter(|x| x.field == Some(f))
            .map(|x| x.severity())
            .min();
        let (mark, style) = match sev {
            Some(Severity::Error) => (ERROR_MARK, t.error()),
            Some(Severity::Warning) => (WARNING_MARK, t.warning()),
            None => (" ", ratatui::style::Style::new()),
        };
        let label = format!("{mark} {:<label_w$} ", f.title());
        let label = if f.index() == state.fix.col {
            Span::styled(label, t.key())
        } else {
            Span::styled(label, t.dim())
        };
        // The cell being edited shows what is typed, whole.
        let (text, style) = match (&state.fix.edit, f.index() == state.fix.col) {
            (Some(input), true) => (format!("› {}", visible(input.value())), t.key()),
            _ => (visible(rec.cell(f)), style),
        };
        // Wrapped under itself, so the labels stay a column of their own.
        let indent = label_w + 3;
        let pieces = wrap(&text, inner_w.saturating_sub(indent).max(10));
        let mut pieces = pieces.into_iter();
        lines.push(Line::from(vec![
            label,
            Span::styled(pieces.next().unwrap_or_default(), style),
        ]));
        for p in pieces {
            lines.push(Line::from(vec![
                Span::raw(" ".repeat(indent)),
                Span::styled(p, style),
            ]));
        }
    }
    let applies = fix_for_row(state, row).map(|f| (f.code, f.field));
    if findings.is_empty() {
        lines.push(Line::styled("✓ No problems on this row", t.ok()));
    }
    for finding in findings {
        let (mark, style) = match finding.severity() {
            Severity::Error => (ERROR_MARK, t.error()),
            Severity::Warning => (WARNING_MARK, t.warning()),
        };
        let field = finding
            .field
            .map(|f| format!("{}: ", f.title()))
            .unwrap_or_default();
        let mut spans = vec![
            Span::styled(format!("{mark} {}", finding.code), style),
            Span::raw(format!("  {field}{}", finding.message)),
        ];
        if let Some(first) = finding.first_row {
            let first = first as usize;
            if first < state.roster.len() {
                spans.push(Span::raw(format!(
                    " (line {}: g goes there)",
                    state.roster.record(first).line
                )));
            }
        }
        lines.push(Line::from(spans));
        if let Some(fix) = &finding.fix {
            let is_next = applies == Some((finding.code, finding.field));
            lines.push(Line::from(vec![
                Span::raw("    fix → "),
                Span::styled(visible(fix), t.ok()),
                Span::styled(
                    if is_next {
                        "   (f or Enter applies, F applies to all)"
                    } else {
                        ""
                    },
                    t.dim(),
                ),
            ]));
        }
    }
    f.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(Block::bordered().title(title).title_style(t.title())),
        area,
    );
}

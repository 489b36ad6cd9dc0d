//! The parts of every screen: step header, counts, banner, status line and key hints.

use crate::session::Step;
use crate::tui::state::State;
use crate::tui::theme::{ERROR_MARK, WARNING_MARK};
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

pub(super) fn header(state: &State, f: &mut Frame, area: Rect) {
    let t = state.theme;
    let mut steps = Vec::new();
    let list = Step::steps(state.joined());
    // Seven steps (a joined roster) do not fit 80 columns with spaced separators.
    let wide: usize = list
        .iter()
        .map(|s| s.title().chars().count() + 3)
        .sum::<usize>()
        + 2;
    let sep = if wide > area.width as usize {
        "›"
    } else {
        " › "
    };
    for (i, step) in list.iter().enumerate() {
        if i > 0 {
            steps.push(Span::styled(sep, t.dim()));
        }
        if *step == state.step {
            steps.push(Span::styled(
                format!("[{}]", step.title()),
                t.current_step(),
            ));
        } else {
            steps.push(Span::raw(step.title()));
        }
    }
    let mut lines = vec![Line::from(steps)];

    let mut counts = Vec::new();
    if let Some(load) = state.load.as_ref() {
        counts.push(Span::raw(format!(
            "Loading {} · {} rows so far ",
            file_name(&load.path),
            load.rows.max(state.roster.len())
        )));
        counts.push(Span::styled(gauge(load.ratio(), 20), t.key()));
        counts.push(Span::raw(format!(
            " {:>3.0}% · Esc cancels",
            load.ratio() * 100.0
        )));
    } else if let (Some(m), true) = (&state.matching, state.roster.is_empty()) {
        // Match review before the joined roster exists: what was joined.
        let l = &m.lists.0;
        let mut text = match &l.files {
            Some((sf, ms)) => format!("{} + {} · ", file_name(&sf.path), file_name(&ms.path)),
            None => String::new(),
        };
        text.push_str(&format!(
            "{} Salesforce users, {} Microsoft 365 accounts · not a roster yet (> joins it)",
            l.salesforce.len(),
            l.microsoft.len()
        ));
        counts.push(Span::raw(text));
    } else if let Some(s) = &state.session {
        let c = state.roster.counts();
        let summary = format!(
            "{} rows: {} included, {} excluded · ",
            state.roster.len(),
            c.included,
            c.excluded
        );
        let errors = format!("{ERROR_MARK} {} with errors", c.rows_with_errors);
        let warnings = format!("{WARNING_MARK} {} with warnings", c.rows_with_warnings);
        let name = format!("{} · ", file_name(&s.source.path));
        let rest = errors.chars().count() + warnings.chars().count() + 3;
        let width = area.width as usize;
        // The file name always shows: the counts get shorter first, then the name is cut.
        let summary = if name.chars().count() + summary.chars().count() + rest <= width {
            summary
        } else {
            format!(
                "{} rows: {} in, {} out · ",
                state.roster.len(),
                c.included,
                c.excluded
            )
        };
        let room = width.saturating_sub(summary.chars().count() + rest);
        counts.push(Span::raw(crate::tui::widgets::text::fit(
            &name,
            room.max(8),
        )));
        counts.push(Span::raw(summary));
        counts.push(Span::styled(
            errors,
            if c.rows_with_errors > 0 {
                t.error()
            } else {
                t.ok()
            },
        ));
        counts.push(Span::raw(" · "));
        counts.push(Span::styled(
            warnings,
            if c.rows_with_warnings > 0 {
                t.warning()
            } else {
                t.ok()
            },
        ));
    } else {
        counts.push(Span::styled("No roster loaded yet", t.dim()));
    }
    lines.push(Line::from(counts));
    if let Some(b) = &state.banner {
        let style = if b.error { t.error() } else { t.ok() };
        lines.push(Line::styled(b.text.clone(), style));
    }
    f.render_widget(Paragraph::new(lines), area);
}

/// A text gauge; it shows progress without colour.
pub(super) fn gauge(ratio: f64, width: usize) -> String {
    let full = (ratio.clamp(0.0, 1.0) * width as f64).round() as usize;
    format!("[{}{}]", "█".repeat(full), "░".repeat(width - full))
}

fn file_name(p: &std::path::Path) -> String {
    p.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| p.display().to_string())
}

pub(super) fn status(state: &State, f: &mut Frame, area: Rect) {
    if let Some(s) = &state.status {
        let style = if s.error {
            state.theme.error()
        } else {
            ratatui::style::Style::new()
        };
        let prefix = if s.error { "✗ " } else { "" };
        f.render_widget(
            Paragraph::new(Line::styled(format!("{prefix}{}", s.text), style)),
            area,
        );
    }
}

/// Key hints for what the admin can do right now.
pub(super) fn hint_list(state: &State) -> Vec<(&'static str, &'static str)> {
    use crate::tui::keys;
    if let Some(popup) = &state.popup {
        return keys::popup_scope(popup).hints(state);
    }
    if state.load.is_some() {
        return keys::LOADING.hints(state);
    }
    match state.step {
        Step::MatchReview if state.typing() => {
            vec![("Enter", "pick"), ("↑↓", "account"), ("Esc", "cancel")]
        }
        // The path field types (`text_key`); the other areas are the table's.
        Step::Import if state.typing() => vec![
            ("Tab", "complete"),
            ("Enter", "open"),
            ("↓", "file list"),
            ("Ctrl-C", "quit"),
        ],
        Step::Fix if state.fix.edit.is_some() => {
            vec![
                ("Enter", "save cell"),
                ("Esc", "cancel"),
                ("←→", "move cursor"),
            ]
        }
        Step::Fix if state.fix.search.is_some() => {
            vec![("Enter", "search"), ("Esc", "cancel")]
        }
        Step::ReviewExport if state.review.dir_edit.is_some() => {
            vec![("Enter", "save folder"), ("Esc", "cancel")]
        }
        Step::Customize | Step::ExchangeAccess if state.typing() => {
            crate::tui::setting_form::TYPING_HINTS.to_vec()
        }
        Step::Import
        | Step::MatchReview
        | Step::Fix
        | Step::ReviewExport
        | Step::Authorize
        | Step::Customize
        | Step::ExchangeAccess => keys::step_scope(state)
            .map(|scope| scope.hints(state))
            .unwrap_or_default(),
    }
}

pub(super) fn hints(state: &State, f: &mut Frame, area: Rect) {
    let t = state.theme;
    let (list, gap) = fit_hints(hint_list(state), usize::from(area.width));
    let mut spans = Vec::new();
    for (i, (k, a)) in list.into_iter().enumerate() {
        if i > 0 {
            spans.push(Span::raw(gap));
        }
        spans.push(Span::styled(k, t.key()));
        spans.push(Span::raw(format!(" {a}")));
    }
    f.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// The hints that fit in `width` columns, and the gap between them: two spaces, else one,
/// else the last hints give way to "…" (help, `?`, is kept: it lists every key).
pub(super) fn fit_hints(
    mut list: Vec<(&'static str, &'static str)>,
    width: usize,
) -> (Vec<(&'static str, &'static str)>, &'static str) {
    use unicode_width::UnicodeWidthStr;
    let len = |list: &[(&str, &str)], gap: usize| -> usize {
        list.iter()
            .map(|(k, a)| k.width() + 1 + a.width())
            .sum::<usize>()
            + gap * list.len().saturating_sub(1)
    };
    if len(&list, 2) <= width {
        return (list, "  ");
    }
    if len(&list, 1) <= width {
        return (list, " ");
    }
    let help = list.iter().position(|h| h.0 == "?").map(|i| list.remove(i));
    loop {
        let fitted: Vec<_> = list
            .iter()
            .copied()
            .chain([("…", "")])
            .chain(help)
            .collect();
        if list.is_empty() || len(&fitted, 1) <= width {
            return (fitted, " ");
        }
        list.pop();
    }
}

#[cfg(test)]
mod tests {
    use super::fit_hints;

    const HINTS: [(&str, &str); 4] = [
        ("Enter", "edit"),
        ("x", "exclude"),
        ("u", "undo"),
        ("?", "help"),
    ];

    #[test]
    fn hints_fit_by_tightening_then_giving_way_but_help_stays() {
        // "Enter edit  x exclude  u undo  ? help" is 37 columns.
        assert_eq!(fit_hints(HINTS.to_vec(), 37), (HINTS.to_vec(), "  "));
        assert_eq!(fit_hints(HINTS.to_vec(), 34), (HINTS.to_vec(), " "));
        let (list, gap) = fit_hints(HINTS.to_vec(), 30);
        assert_eq!(gap, " ");
        assert_eq!(
            list,
            vec![
                ("Enter", "edit"),
                ("x", "exclude"),
                ("…", ""),
                ("?", "help")
            ]
        );
        let (list, _) = fit_hints(HINTS.to_vec(), 3);
        assert_eq!(list, vec![("…", ""), ("?", "help")]);
    }
}

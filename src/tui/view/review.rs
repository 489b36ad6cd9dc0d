//! The Review & export step.

use crate::tui::state::State;
use crate::tui::theme::{ERROR_MARK, WARNING_MARK};
use crate::tui::widgets::text::visible;
use ratatui::layout::{Constraint, Direction, Layout, Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Bar, BarChart, BarGroup, Block, Paragraph, Wrap};
use ratatui::Frame;

pub fn render(state: &State, f: &mut Frame, area: Rect) {
    let t = state.theme;
    let c = state.roster.counts();
    let [left, right] =
        Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(area);

    let mut lines = vec![
        Line::raw(format!("Included rows       {:>9}", c.included)),
        Line::raw(format!("Excluded rows       {:>9}", c.excluded)),
        Line::styled(
            format!(
                "{WARNING_MARK} With warnings     {:>9}",
                c.rows_with_warnings
            ),
            t.warning(),
        ),
        Line::styled(
            format!("{ERROR_MARK} With errors       {:>9}", c.rows_with_errors),
            if c.rows_with_errors > 0 {
                t.error()
            } else {
                t.ok()
            },
        ),
        Line::raw(""),
        Line::styled("Output folder (o changes it):", t.key()),
    ];
    let dir_line = lines.len();
    match &state.review.dir_edit {
        Some(input) => lines.push(Line::raw(format!("› {}", visible(input.value())))),
        None => lines.push(Line::raw(format!(
            "  {}",
            visible(&state.output_dir().display().to_string())
        ))),
    }
    lines.push(Line::raw(""));
    let choice_errors = state.choice_errors();
    if let Some(rows) = &state.review.refused {
        let list: Vec<String> = rows
            .iter()
            .map(|r| state.roster.record(*r).line.to_string())
            .collect();
        lines.push(Line::styled(
            format!("{ERROR_MARK} Export refused: {} row(s)", c.rows_with_errors),
            t.error(),
        ));
        lines.push(Line::styled("  still have errors, such as", t.error()));
        lines.push(Line::styled(
            format!("  line(s) {}.", list.join(", ")),
            t.error(),
        ));
        lines.push(Line::raw(""));
        lines.push(Line::from(vec![
            Span::styled("j", t.key()),
            Span::raw(" jumps there to fix them; "),
            Span::styled("x", t.key()),
            Span::raw(" leaves them all out."),
        ]));
    } else if !choice_errors.is_empty() {
        lines.push(Line::styled(
            format!(
                "{ERROR_MARK} {} customization setting(s) have errors",
                choice_errors.len()
            ),
            t.error(),
        ));
        for i in choice_errors.iter().take(3) {
            lines.push(Line::styled(
                format!("  {}: {}", i.key, i.message),
                t.error(),
            ));
        }
        lines.push(Line::from(vec![
            Span::styled("j", t.key()),
            Span::raw(" jumps to the step to fix them."),
        ]));
    } else if let Some(path) = &state.review.exported {
        lines.push(Line::styled(format!("✓ Exported to {path}"), t.ok()));
    } else if c.rows_with_errors > 0 {
        lines.push(Line::styled(
            format!("{ERROR_MARK} Rows with errors block the export."),
            t.error(),
        ));
        lines.push(Line::from(vec![
            Span::styled("j", t.key()),
            Span::raw(" jumps to them; "),
            Span::styled("x", t.key()),
            Span::raw(" leaves them all out."),
        ]));
    } else {
        lines.push(Line::from(vec![
            Span::styled("Enter", t.key()),
            Span::raw(" writes the bundle into the output folder: users.csv,"),
        ]));
        lines.push(Line::raw(
            "customization.json/.md, report.md, user-config.toml, manifest.json.",
        ));
    }
    let block = Block::bordered().title(" Review ").title_style(t.title());
    let inner = block.inner(left);
    f.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(block),
        left,
    );
    if let Some(input) = &state.review.dir_edit {
        let (_, col) = input.window(usize::MAX / 2);
        let x = (inner.x + 2 + col as u16).min(inner.right().saturating_sub(1));
        f.set_cursor_position(Position::new(x, inner.y + dir_line as u16));
    }

    // Findings by code.
    let block = Block::bordered()
        .title(" Findings by code (included rows) ")
        .title_style(t.title());
    if c.per_code.is_empty() {
        f.render_widget(
            Paragraph::new(Line::styled("✓ No findings", t.ok())).block(block),
            right,
        );
        return;
    }
    let bars: Vec<Bar> = c
        .per_code
        .iter()
        .map(|(code, n)| {
            let mark = match code.severity() {
                crate::roster::Severity::Error => ERROR_MARK,
                crate::roster::Severity::Warning => WARNING_MARK,
            };
            Bar::default()
                .label(Line::raw(format!("{mark} {code}")))
                .value(*n as u64)
                .text_value(n.to_string())
        })
        .collect();
    f.render_widget(
        BarChart::default()
            .block(block)
            .direction(Direction::Horizontal)
            .bar_width(1)
            .bar_gap(0)
            .data(BarGroup::default().bars(&bars)),
        right,
    );
}

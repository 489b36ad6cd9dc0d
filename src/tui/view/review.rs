//! The Review & export step: the whole submission (`usecase::submission`), what blocks it and
//! what to acknowledge, the output folder, and each finding code's share of the roster.

use crate::tui::state::State;
use crate::tui::theme::{ERROR_MARK, WARNING_MARK};
use crate::tui::widgets::text::{fit, visible};
use crate::usecase::submission::{plural, Submission};
use ratatui::layout::{Constraint, Layout, Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Wrap};
use ratatui::Frame;

/// The files a bundle holds, as the screen names them.
const BUNDLE_FILES: &str =
    "users.csv, customization.json/.md, report.md, user-config.toml, invitations, manifest.json";

pub(super) fn render(state: &State, f: &mut Frame, area: Rect) {
    let sub = state.submission();
    // The chart gets what the two panes leave, at most one line per code.
    let chart_h = (sub.findings.len().max(1) as u16 + 2)
        .min(area.height / 3)
        .max(3);
    let [top, chart] =
        Layout::vertical([Constraint::Min(8), Constraint::Length(chart_h)]).areas(area);
    let [left, right] =
        Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(top);
    submission(state, &sub, f, left);
    before_export(state, &sub, f, right);
    findings(state, &sub, f, chart);
}

/// What the vendor receives: users, changed choices, the Exchange plan.
fn submission(state: &State, sub: &Submission, f: &mut Frame, area: Rect) {
    let t = state.theme;
    let u = &sub.users;
    let mut lines = vec![Line::styled("Users", t.title())];
    lines.push(Line::raw(format!(
        "  {} in users.csv",
        plural(u.included, "user", "users")
    )));
    if u.left_out_invalid > 0 {
        lines.push(Line::raw(format!(
            "  {} left out: has errors",
            plural(u.left_out_invalid, "row", "rows")
        )));
    }
    if u.excluded_by_admin > 0 {
        lines.push(Line::raw(format!(
            "  {} excluded by you",
            plural(u.excluded_by_admin, "row", "rows")
        )));
    }
    if u.with_warnings > 0 {
        lines.push(Line::styled(
            format!(
                "  {WARNING_MARK} {} with warnings (sent as they are)",
                plural(u.with_warnings, "row", "rows")
            ),
            t.warning(),
        ));
    }
    if u.with_errors > 0 {
        lines.push(Line::styled(
            format!(
                "  {ERROR_MARK} {} with errors",
                plural(u.with_errors, "row", "rows")
            ),
            t.error(),
        ));
    }
    let p = &sub.plan;
    // The plan in the same words as Exchange access, Authorize and customization.md.
    lines.push(Line::styled(
        format!("Exchange: {}", p.summary()),
        t.title(),
    ));
    let (done, total) = sub.checklist;
    if total > 0 {
        lines.push(Line::styled(
            format!("  Checklist: {done} of {total} steps done"),
            if done < total { t.warning() } else { t.ok() },
        ));
    }
    lines.push(match &sub.check {
        None => Line::styled("  Exchange check: not run", t.dim()),
        Some(c) => Line::styled(
            format!(
                "  Exchange check: {} of {} mailboxes reached ({})",
                c.reachable, c.mailboxes, c.checked_at
            ),
            if !c.all_ok() { t.warning() } else { t.ok() },
        ),
    });
    if sub.changed.is_empty() {
        lines.push(Line::styled("Choices: all defaults", t.title()));
    } else {
        lines.push(Line::styled(
            format!("Choices changed from the defaults ({})", sub.changed.len()),
            t.title(),
        ));
        for d in &sub.changed {
            lines.push(Line::raw(format!("  {}: {}", d.title, visible(&d.value))));
        }
    }
    f.render_widget(
        Paragraph::new(lines).wrap(Wrap { trim: false }).block(
            Block::bordered()
                .title(" What the vendor receives ")
                .title_style(t.title()),
        ),
        area,
    );
}

/// What blocks, what to acknowledge, where the bundle goes, and the last export.
fn before_export(state: &State, sub: &Submission, f: &mut Frame, area: Rect) {
    let t = state.theme;
    let mut lines = Vec::new();
    let mut n = 0;
    let mut numbered = |what: &str| {
        n += 1;
        if n <= 9 {
            format!("{n} {what}")
        } else {
            format!("  {what}")
        }
    };
    if sub.blockers.is_empty() {
        lines.push(Line::styled("✓ Nothing blocks the export", t.ok()));
    } else {
        lines.push(Line::styled(
            format!("{ERROR_MARK} Blocks the export:"),
            t.error(),
        ));
        for b in &sub.blockers {
            lines.push(Line::styled(numbered(&b.what), t.error()));
        }
    }
    if !sub.warnings.is_empty() {
        let acked = sub
            .warnings
            .iter()
            .all(|w| state.review.acknowledged.contains(&w.what));
        lines.push(Line::styled(
            if acked {
                format!("{WARNING_MARK} Warnings (acknowledged):")
            } else {
                format!("{WARNING_MARK} Warnings (Enter asks once):")
            },
            t.warning(),
        ));
        for w in &sub.warnings {
            lines.push(Line::styled(numbered(&w.what), t.warning()));
        }
    }
    if !sub.blockers.is_empty() || !sub.warnings.is_empty() {
        lines.push(Line::from(vec![
            Span::styled("1-9", t.key()),
            Span::raw(" or "),
            Span::styled("j", t.key()),
            Span::raw(" go there"),
            Span::raw(if state.roster.has_errors() {
                "; x leaves rows with errors out"
            } else {
                ""
            }),
        ]));
    }
    lines.push(Line::styled("Output folder (o changes it):", t.key()));
    let dir_line = lines.len();
    match &state.review.dir_edit {
        Some(input) => lines.push(Line::raw(format!("› {}", visible(input.value())))),
        None => {
            let dir = state.output_dir();
            let abs = std::path::absolute(&dir).unwrap_or(dir);
            lines.push(Line::raw(format!(
                "  {}",
                visible(&abs.display().to_string())
            )));
        }
    }
    if let Some(path) = &state.review.exported {
        lines.push(Line::styled(
            format!(
                "✓ Exported {} to {path}",
                plural(state.review.exported_users, "user", "users")
            ),
            t.ok(),
        ));
    } else if sub.ready() {
        lines.push(Line::from(vec![
            Span::styled("Enter", t.key()),
            Span::raw(format!(" writes the bundle: {BUNDLE_FILES}")),
        ]));
    }
    let block = Block::bordered()
        .title(" Before export ")
        .title_style(t.title());
    let inner = block.inner(area);
    f.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(block),
        area,
    );
    if let Some(input) = &state.review.dir_edit {
        let (_, col) = input.window(usize::MAX / 2);
        let x = (inner.x + 2 + col as u16).min(inner.right().saturating_sub(1));
        // Wrapped lines above may push the field down; this is where it starts unwrapped.
        let y = (inner.y + dir_line as u16).min(inner.bottom().saturating_sub(1));
        f.set_cursor_position(Position::new(x, y));
    }
}

/// Each code's share of the included rows, with its count and what to do: at 40 rows and at
/// a million the bar means the same thing.
fn findings(state: &State, sub: &Submission, f: &mut Frame, area: Rect) {
    let t = state.theme;
    let block = Block::bordered()
        .title(format!(
            " Findings: share of the {} ",
            plural(sub.users.included, "included row", "included rows")
        ))
        .title_style(t.title());
    if sub.findings.is_empty() {
        f.render_widget(
            Paragraph::new(Line::styled("✓ No findings", t.ok())).block(block),
            area,
        );
        return;
    }
    let inner = block.inner(area).width as usize;
    let code_w = sub
        .findings
        .iter()
        .map(|c| c.code.as_str().len())
        .max()
        .unwrap_or(0);
    let count_w = sub
        .findings
        .iter()
        .map(|c| c.count.to_string().len())
        .max()
        .unwrap_or(1);
    // mark + code + count + percent, then the bar and the hint share what is left.
    let fixed = 2 + code_w + 1 + count_w + 6;
    let rest = inner.saturating_sub(fixed);
    let bar_w = (rest / 3).clamp(4, 30).min(rest);
    let hint_w = rest.saturating_sub(bar_w + 1);
    let shown = (area.height.saturating_sub(2) as usize).max(1);
    let mut lines = Vec::new();
    for (i, c) in sub.findings.iter().enumerate() {
        if i + 1 == shown && sub.findings.len() > shown {
            lines.push(Line::styled(
                format!("… and {} more codes", sub.findings.len() - i),
                t.dim(),
            ));
            break;
        }
        let (mark, style) = match c.code.severity() {
            crate::roster::Severity::Error => (ERROR_MARK, t.error()),
            crate::roster::Severity::Warning => (WARNING_MARK, t.warning()),
        };
        let pct = c.share * 100.0;
        let pct = if c.count > 0 && pct < 1.0 {
            "  <1%".to_string()
        } else {
            format!("{pct:>4.0}%")
        };
        lines.push(Line::from(vec![
            Span::styled(format!("{mark} {:<code_w$}", c.code.as_str()), style),
            Span::raw(format!(" {:>count_w$}{pct} ", c.count)),
            Span::styled(bar(c.share, bar_w), t.key()),
            Span::styled(format!(" {}", fit(c.hint, hint_w)), t.dim()),
        ]));
    }
    f.render_widget(Paragraph::new(lines).block(block), area);
}

/// A bar `share` long of `width` cells; any share above zero shows at least a sliver.
fn bar(share: f64, width: usize) -> String {
    let cells = share.clamp(0.0, 1.0) * width as f64;
    let full = cells.floor() as usize;
    let sliver = if full == 0 && share > 0.0 { "▏" } else { "" };
    let used = full + sliver.len().min(1);
    format!(
        "{}{sliver}{}",
        "█".repeat(full),
        "·".repeat(width.saturating_sub(used))
    )
}

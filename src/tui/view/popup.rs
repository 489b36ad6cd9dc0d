//! Windows over the step: help, bulk-fix and bulk-exclude confirmations, resume prompt.

use crate::tui::secret_field::SecretPrompt;
use crate::tui::state::{Popup, State};
use crate::tui::theme::WARNING_MARK;
use crate::tui::widgets::text::{fit, visible};
use ratatui::layout::{Constraint, Flex, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};
use ratatui::Frame;

fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let [h] = Layout::horizontal([Constraint::Length(width.min(area.width))])
        .flex(Flex::Center)
        .areas(area);
    let [v] = Layout::vertical([Constraint::Length(height.min(area.height))])
        .flex(Flex::Center)
        .areas(h);
    v
}

/// The first three of `items` as lines, then how many more there are.
fn first_three(items: impl ExactSizeIterator<Item = String>) -> Vec<Line<'static>> {
    let n = items.len();
    let mut lines = vec![Line::raw("")];
    lines.extend(items.take(3).map(Line::raw));
    if n > 3 {
        lines.push(Line::raw(format!("… and {} more", n - 3)));
    }
    lines
}

/// A yes/no window: `lines`, then the Enter/y (`verb`) and Esc/n keys.
fn confirm(
    f: &mut Frame,
    area: Rect,
    state: &State,
    title: &'static str,
    mut lines: Vec<Line<'static>>,
    verb: &'static str,
) {
    let t = state.theme;
    lines.insert(0, Line::raw(""));
    lines.push(Line::from(vec![
        Span::styled("Enter/y", t.key()),
        Span::raw(format!(" {verb}   ")),
        Span::styled("Esc/n", t.key()),
        Span::raw(" cancel"),
    ]));
    let r = centered(area, 70, lines.len() as u16 + 2);
    // One row per line, so the keys line is never pushed out: long values are cut with '…'.
    let inner = r.width.saturating_sub(2) as usize;
    for line in &mut lines {
        if let [span] = line.spans.as_mut_slice() {
            span.content = fit(&span.content, inner).into();
        }
    }
    f.render_widget(Clear, r);
    f.render_widget(
        Paragraph::new(lines).block(Block::bordered().title(title).title_style(t.title())),
        r,
    );
}

/// Match review's "everywhere": `>` joins the roster there.
const MATCH_EVERYWHERE: &[(&str, &str)] = &[
    ("> <", "next (joins the roster) / previous step"),
    ("?", "this help"),
    ("q Ctrl-C", "quit (session is saved)"),
];

/// The Import step's source line, from Match review.
const MATCH_IMPORT: &[(&str, &str)] = &[
    ("↑ from path", "the source line"),
    ("←→", "roster file / two exports / pull"),
];

/// One titled group of the help: keys as shown, what they do.
pub(crate) type HelpGroup = (&'static str, Vec<(&'static str, &'static str)>);

/// Every key, grouped, for the `?` screen of the current step: read from the keymap tables
/// (`tui::keys`) where the step's keys are in them. Ordered so that the two-column form (short
/// screens) splits evenly: both columns fit 80×24.
pub(crate) fn help_groups(state: &State) -> Vec<HelpGroup> {
    use crate::tui::keys;
    if state.step == crate::session::Step::MatchReview {
        return vec![
            ("Everywhere", MATCH_EVERYWHERE.to_vec()),
            ("Match review", keys::MATCH.help()),
            ("Import", MATCH_IMPORT.to_vec()),
        ];
    }
    vec![
        ("Everywhere", keys::EVERYWHERE.help()),
        ("Customize, Exchange access", form_help()),
        ("Review & export", keys::REVIEW.help()),
        ("Import", import_help()),
        ("Fix", keys::FIX.help()),
    ]
}

/// The help lines of `scopes`, in order, each once (scopes of one step share lines).
fn merged_help(scopes: &[&crate::tui::keys::WizardScope]) -> Vec<(&'static str, &'static str)> {
    let mut lines = Vec::new();
    for line in scopes.iter().flat_map(|s| s.help()) {
        if !lines.contains(&line) {
            lines.push(line);
        }
    }
    lines
}

/// The forms' help: Customize's lines, then what only Exchange access binds (`c v p`).
fn form_help() -> Vec<(&'static str, &'static str)> {
    use crate::tui::keys;
    merged_help(&[&keys::CUSTOMIZE, &keys::EXCHANGE])
}

/// Import's help: every focus's lines, and the pull source's.
fn import_help() -> Vec<(&'static str, &'static str)> {
    use crate::tui::keys;
    merged_help(&[
        &keys::IMPORT_SOURCE,
        &keys::IMPORT_FILES,
        &keys::IMPORT_SETTINGS,
        &keys::IMPORT_PULL,
    ])
}

/// Lines in the left column of the two-column help: whole groups, as close to half as can be.
fn column_split(groups: &[HelpGroup]) -> usize {
    let total: usize = groups.iter().map(|(_, k)| k.len() + 1).sum();
    let mut best = 0usize;
    let mut at = 0;
    for (_, keys) in groups {
        at += keys.len() + 1;
        if at.abs_diff(total / 2) < best.abs_diff(total / 2) {
            best = at;
        }
    }
    best
}

pub(super) fn render(state: &State, f: &mut Frame, area: Rect) {
    let t = state.theme;
    let Some(popup) = &state.popup else {
        return;
    };
    match popup {
        Popup::Help => {
            let mut lines = Vec::new();
            let groups = help_groups(state);
            for (group, keys) in &groups {
                lines.push(Line::styled(*group, t.title()));
                for (k, what) in keys {
                    lines.push(Line::from(vec![
                        Span::styled(format!("  {k:<14}"), t.key()),
                        Span::raw(*what),
                    ]));
                }
            }
            let needed = lines.len() as u16 + 2;
            let height = needed.min(area.height);
            let r = centered(area, 60, height);
            f.render_widget(Clear, r);
            let p = Paragraph::new(lines).block(
                Block::bordered()
                    .title(" Keys — Esc closes ")
                    .title_style(t.title()),
            );
            if needed > area.height {
                // Two columns when the screen is short, split between groups near the middle.
                let half = column_split(&groups);
                let all: Vec<Line> = groups
                    .iter()
                    .flat_map(|(g, keys)| {
                        std::iter::once(Line::styled(*g, t.title())).chain(keys.iter().map(
                            |(k, w)| {
                                Line::from(vec![
                                    Span::styled(format!(" {k:<10}"), t.key()),
                                    Span::raw(*w),
                                ])
                            },
                        ))
                    })
                    .collect();
                let wide = centered(area, area.width.min(110), r.height);
                f.render_widget(Clear, wide);
                let block = Block::bordered()
                    .title(" Keys — Esc closes ")
                    .title_style(t.title());
                let inner = block.inner(wide);
                f.render_widget(block, wide);
                let [a, b] = Layout::horizontal([Constraint::Ratio(1, 2); 2]).areas(inner);
                let (l, r2) = all.split_at(half.min(all.len()));
                f.render_widget(Paragraph::new(l.to_vec()), a);
                f.render_widget(Paragraph::new(r2.to_vec()), b);
            } else {
                f.render_widget(p, r);
            }
        }
        Popup::ConfirmBulk { code, changes } => {
            let mut lines = vec![Line::styled(
                format!(
                    "Apply the suggested fix for {code} to {}?",
                    crate::usecase::submission::plural(changes.len(), "row", "rows")
                ),
                t.title(),
            )];
            lines.extend(first_three(changes.iter().map(|c| {
                format!("line {}: {} → {}", c.line, visible(&c.old), visible(&c.new))
            })));
            lines.push(Line::raw(""));
            lines.push(Line::raw("One undo (u) reverts all of it."));
            confirm(f, area, state, " Bulk fix ", lines, "apply");
        }
        Popup::ConfirmExclude { rows } => {
            let mut lines = vec![Line::styled(
                format!(
                    "Leave out the {} with errors?",
                    crate::usecase::submission::plural(rows.len(), "row", "rows")
                ),
                t.title(),
            )];
            lines.extend(first_three(rows.iter().map(|&r| {
                let rec = state.roster.record(r);
                let name = rec.cell(crate::roster::Field::FullName).trim();
                let name = if name.is_empty() {
                    "(no name)".into()
                } else {
                    visible(name)
                };
                format!("line {}: {name}", rec.line)
            })));
            lines.push(Line::raw(""));
            lines.push(Line::raw(
                "They stay in the session, left out of users.csv.",
            ));
            lines.push(Line::raw(
                "On the Fix step, x re-includes one; u undoes all.",
            ));
            confirm(f, area, state, " Leave out rows ", lines, "exclude");
        }
        Popup::ConfirmWarnings { warnings } => {
            let mut lines = vec![Line::styled(
                "Export with these warnings? (asked once)",
                t.title(),
            )];
            for w in warnings.iter().take(6) {
                lines.push(Line::styled(format!("{WARNING_MARK} {w}"), t.warning()));
            }
            if warnings.len() > 6 {
                lines.push(Line::raw(format!("… and {} more", warnings.len() - 6)));
            }
            lines.push(Line::raw(""));
            lines.push(Line::raw("None blocks the export; Review lists them all."));
            confirm(f, area, state, " Warnings ", lines, "export anyway");
        }
        Popup::ConfirmReplace { path, written } => {
            let mut lines = vec![Line::styled(
                "Replace the bundle already in this folder?",
                t.title(),
            )];
            lines.push(Line::raw(path.clone()));
            lines.push(Line::raw(match written {
                Some(w) => format!("written {w}"),
                None => "(when it was written is unknown)".into(),
            }));
            lines.push(Line::raw(""));
            lines.push(Line::raw(
                "It is replaced as a whole; o picks another folder.",
            ));
            confirm(f, area, state, " Replace bundle ", lines, "replace");
        }
        Popup::Unplaced { selected } => unplaced(state, f, area, *selected),
        Popup::Secret(prompt) => secret(state, f, area, prompt),
        Popup::Resume(offer) => {
            let s = &offer.session;
            let check = if offer.source_missing {
                Line::styled(
                    if s.join.is_some() {
                        "✗ An export is gone: resuming will fail. Press n to start new."
                    } else {
                        "✗ The source file is gone: resuming will fail. Press n to start new."
                    },
                    t.error(),
                )
            } else {
                match offer.source_changed {
                    None => Line::styled("Checking whether the source file changed…", t.dim()),
                    Some(false) => Line::styled("✓ The source file is unchanged.", t.ok()),
                    Some(true) => Line::styled(
                        "✗ The source file CHANGED since then; edits follow their users' rows.",
                        t.error(),
                    ),
                }
            };
            let lines = vec![
                Line::raw(""),
                Line::styled("A saved session was found.", t.title()),
                Line::raw(""),
                Line::raw(match &s.join {
                    Some(j) => format!(
                        "Source: {} + {} (joined)",
                        visible(&j.salesforce.path.display().to_string()),
                        visible(&j.microsoft.path.display().to_string())
                    ),
                    None => format!("Source: {}", visible(&s.source.path.display().to_string())),
                }),
                Line::raw(format!(
                    "Step: {} · {} change(s) recorded",
                    s.step.title(),
                    s.history.len()
                )),
                check,
                Line::raw(""),
                Line::from(vec![
                    Span::styled("Enter/r", t.key()),
                    Span::raw(" resume   "),
                    Span::styled("n", t.key()),
                    Span::raw(" start new   "),
                    Span::styled("q", t.key()),
                    Span::raw(" quit"),
                ]),
            ];
            let r = centered(area, 76, lines.len() as u16 + 2);
            f.render_widget(Clear, r);
            f.render_widget(
                Paragraph::new(lines)
                    .wrap(Wrap { trim: false })
                    .block(Block::bordered().title(" Resume? ").title_style(t.title())),
                r,
            );
        }
    }
}

/// The "Unplaced changes" list: each change with its old line, user, field and values; the
/// selected one can be re-applied to the row selected in the Fix table, or dropped.
/// The masked field: what it asks for, one `•` per character typed, and its keys.
fn secret(state: &State, f: &mut Frame, area: Rect, prompt: &SecretPrompt) {
    let t = state.theme;
    let r = centered(area, 70, 9);
    let inner = r.width.saturating_sub(4) as usize;
    let (mask, cursor) = prompt.masked();
    // The end of a long secret stays in view, as in the other text fields.
    let skip = (cursor + 1).saturating_sub(inner);
    let shown: String = mask.chars().skip(skip).take(inner).collect();
    let lines = vec![
        Line::raw(""),
        Line::raw(fit(&format!("Type {}.", prompt.what), inner)),
        Line::raw("It goes to the OS keyring only, never to a file."),
        Line::raw(""),
        Line::styled(shown, t.key()),
        Line::raw(""),
        Line::from(vec![
            Span::styled("Enter", t.key()),
            Span::raw(" store in the keyring   "),
            Span::styled("Esc", t.key()),
            Span::raw(" cancel"),
        ]),
    ];
    f.render_widget(Clear, r);
    let block = Block::bordered()
        .title(" Exchange secret ")
        .title_style(t.title());
    let text_area = block.inner(r);
    f.render_widget(Paragraph::new(lines).block(block), r);
    f.set_cursor_position(ratatui::layout::Position::new(
        text_area.x + (cursor - skip) as u16,
        text_area.y + 4,
    ));
}

fn unplaced(state: &State, f: &mut Frame, area: Rect, selected: usize) {
    let t = state.theme;
    let items = state
        .session
        .as_ref()
        .map_or(&[][..], |s| s.unplaced.as_slice());
    let target = state.selected_row().map(|r| {
        let rec = state.roster.record(r);
        format!(
            "line {} ({})",
            rec.line,
            visible(&crate::session::user_of(&rec.cells))
        )
    });
    let width = area.width.min(100);
    let inner = width.saturating_sub(2) as usize;
    // Room for the list: the screen less the border, the four lines of text and keys.
    let room = (area.height.saturating_sub(8) as usize).max(1);
    let first = selected.saturating_sub(room.saturating_sub(1));
    let mut lines = vec![Line::raw(fit(
        "Not applied: the row each was made on could not be found with certainty.",
        inner,
    ))];
    for (i, u) in items.iter().enumerate().skip(first).take(room) {
        let line = if u.line == 0 {
            "line ?".to_string()
        } else {
            format!("line {}", u.line)
        };
        let text = format!(
            "{} {line}  {}  {}  ({})",
            if i == selected { "▶" } else { " " },
            visible(u.who()),
            visible(&u.what()),
            u.reason.message()
        );
        let style = if i == selected {
            t.selected_cell()
        } else {
            ratatui::style::Style::new()
        };
        lines.push(Line::styled(fit(&text, inner), style));
    }
    lines.push(Line::raw(""));
    lines.push(Line::raw(fit(
        &match target {
            Some(t) => format!(
                "Enter/r re-applies the selected change to {t}, the row selected in the Fix table."
            ),
            None => "Select the user's row in the Fix table first (Esc, move, p).".into(),
        },
        inner,
    )));
    lines.push(Line::from(vec![
        Span::styled("Enter/r", t.key()),
        Span::raw(" re-apply   "),
        Span::styled("d", t.key()),
        Span::raw(" drop   "),
        Span::styled("Esc", t.key()),
        Span::raw(" close (pick another row, then p)"),
    ]));
    let r = centered(area, width, lines.len() as u16 + 2);
    f.render_widget(Clear, r);
    f.render_widget(
        Paragraph::new(lines).block(
            Block::bordered()
                .title(format!(" Unplaced changes ({}) ", items.len()))
                .title_style(t.title()),
        ),
        r,
    );
}

#[cfg(test)]
mod tests {
    use super::{column_split, help_groups};
    use crate::session::Step;
    use crate::tui::state::State;

    /// The help does not scroll: at the smallest size the wizard runs in (80×24, 22 rows inside
    /// the border) both columns must fit. Reorder the groups if a new one breaks this.
    #[test]
    fn both_help_columns_fit_the_smallest_screen() {
        let mut state = State::new("s.json".into(), crate::tui::theme::Theme::plain());
        for step in [Step::Fix, Step::MatchReview] {
            state.step = step;
            let groups = help_groups(&state);
            let total: usize = groups.iter().map(|(_, k)| k.len() + 1).sum();
            let left = column_split(&groups);
            assert!(
                left <= 22 && total - left <= 22,
                "{left} + {}",
                total - left
            );
        }
    }
}

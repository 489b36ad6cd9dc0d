//! The Authorize step: who authorizes what, and the command to send each of them.

use crate::auth::end_user_command;
use crate::roster::Field;
use crate::tui::state::State;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};
use ratatui::Frame;

pub fn render(state: &State, f: &mut Frame, area: Rect) {
    let t = state.theme;
    let cat = state.customize.catalogue();
    let impersonation = state.choices.text(cat, "mailbox_access") == "impersonation";
    let block = Block::bordered()
        .title(" Authorize ")
        .title_style(t.title());
    let inner = block.inner(area);
    let mut lines = vec![
        Line::raw("Send each user the bundle's user-config.toml and their command:"),
        Line::raw("they authorize Salesforce and Exchange on their own machine."),
        Line::raw(""),
    ];
    if impersonation {
        let account = state.choices.text(cat, "impersonation_account");
        lines.insert(
            0,
            Line::styled(
                format!(
                    "Mailboxes: one impersonating account, {}",
                    if account.is_empty() {
                        "not named yet"
                    } else {
                        &account
                    }
                ),
                t.key(),
            ),
        );
        let command = end_user_command(if account.is_empty() {
            "<account>"
        } else {
            &account
        })
        .replacen("authorize", "authorize exchange", 1);
        let mut top = vec![Line::from(vec![
            Span::styled("a", t.key()),
            Span::raw(" authorizes it here (Exchange; "),
            Span::styled("d", t.key()),
            Span::raw(" to sign in on another device), or run:"),
        ])];
        if let Some(m) = &state.auth.message {
            top.insert(
                0,
                Line::styled(
                    format!("  {}", m.text),
                    if m.error { t.error() } else { t.ok() },
                ),
            );
        }
        if let Some(url) = &state.auth.url {
            top.insert(1, Line::raw(format!("  {url}")));
        }
        top.extend(command_lines(&command, 0));
        top.extend([
            Line::raw("Users then authorize Salesforce only, with their own command."),
            Line::raw(""),
        ]);
        top.extend(lines.drain(1..));
        lines.extend(top);
    }
    // Only the rows that fit are looked at: the roster may have a million.
    let width = usize::from(inner.width);
    let per_user = |login: &str| 1 + command_lines(&end_user_command(login), width).len();
    let mut left = (inner.height as usize).saturating_sub(lines.len() + 1);
    let included = state.roster.counts().included;
    let mut shown = 0;
    for row in (0..state.roster.len()).filter(|&r| !state.roster.is_excluded(r)) {
        let login = state.roster.cell(row, Field::Office365Login);
        let needed = per_user(login);
        if needed > left {
            break;
        }
        left -= needed;
        let name = state.roster.cell(row, Field::FullName);
        lines.push(Line::raw(format!("{name} <{login}>")));
        lines.extend(command_lines(&end_user_command(login), width));
        shown += 1;
    }
    if included > shown {
        lines.push(Line::styled(
            format!(
                "…and {} more (see the bundle's users.csv)",
                included - shown
            ),
            t.dim(),
        ));
    }
    f.render_widget(Paragraph::new(lines).block(block), area);
}

/// A command indented by two, whole on one line when it fits `width` (0: never), else split
/// before `--login` as a shell continuation, so what is on screen can be copied and run.
fn command_lines(command: &str, width: usize) -> Vec<Line<'static>> {
    if width > 0 && command.chars().count() + 2 <= width {
        return vec![Line::raw(format!("  {command}"))];
    }
    match command.find(" --login") {
        Some(at) => {
            let (head, tail) = command.split_at(at);
            vec![
                Line::raw(format!("  {head} \\")),
                Line::raw(format!("   {tail}")),
            ]
        }
        None => vec![Line::raw(format!("  {command}"))],
    }
}

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
        // Split before --login so it fits 80 columns, as a shell continuation.
        let (head, tail) = command.split_at(command.find(" --login").unwrap_or(command.len()));
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
        top.extend([
            Line::raw(format!("  {head} \\")),
            Line::raw(format!("   {tail}")),
            Line::raw("Users then authorize Salesforce only, with their own command."),
            Line::raw(""),
        ]);
        top.extend(lines.drain(1..));
        lines.extend(top);
    }
    // Only the rows that fit are looked at: the roster may have a million.
    let room = (inner.height as usize).saturating_sub(lines.len() + 1) / 2;
    let included = state.roster.counts().included;
    let mut shown = 0;
    for row in (0..state.roster.len()).filter(|&r| !state.roster.is_excluded(r)) {
        if shown == room {
            break;
        }
        let login = state.roster.cell(row, Field::Office365Login);
        let name = state.roster.cell(row, Field::FullName);
        lines.push(Line::raw(format!("{name} <{login}>")));
        lines.push(Line::raw(format!("  {}", end_user_command(login))));
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

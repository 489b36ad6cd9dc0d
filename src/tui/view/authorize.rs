//! The Authorize step: where the users' invitations are and how to send them, and in
//! impersonation mode the impersonating account's own sign-in.

use crate::auth::Provider;
use crate::bundle::invitations;
use crate::customize::{ExchangePlan, Guide, Mode, RosterFacts};
use crate::tui::state::State;
use crate::tui::widgets::text::visible;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Wrap};
use ratatui::Frame;
use std::path::Path;

pub fn render(state: &State, f: &mut Frame, area: Rect) {
    let t = state.theme;
    let cat = state.customize.catalogue();
    let plan = ExchangePlan::new(
        &Guide::embedded(),
        cat,
        &state.choices,
        &RosterFacts::default(),
    );
    let users = invitations::user_providers(&plan);
    let block = Block::bordered()
        .title(" Authorize ")
        .title_style(t.title());
    let mut lines = Vec::new();
    if plan.mode == Mode::Impersonation {
        let account = plan.impersonation_account.as_deref().unwrap_or_default();
        lines.push(Line::styled(
            format!(
                "Mailboxes: one impersonating account, {}",
                if account.is_empty() {
                    "not named yet"
                } else {
                    account
                }
            ),
            t.key(),
        ));
        if let Some(m) = &state.auth.message {
            lines.push(Line::styled(
                format!("  {}", m.text),
                if m.error { t.error() } else { t.ok() },
            ));
        }
        if let Some(url) = &state.auth.url {
            lines.push(Line::raw(format!("  {url}")));
        }
        lines.push(Line::from(vec![
            Span::styled("a", t.key()),
            Span::raw(" authorizes it here (Exchange; "),
            Span::styled("d", t.key()),
            Span::raw(" to sign in on another device), or run:"),
        ]));
        let command = crate::tui::update::authorize::account_command(state).unwrap_or_default();
        lines.push(Line::raw(format!("  {}", visible(&command))));
        lines.push(Line::raw(""));
    }
    let what = users
        .iter()
        .map(|p| match p {
            Provider::Salesforce => "Salesforce",
            Provider::Exchange => "Exchange (their mailbox)",
        })
        .collect::<Vec<_>>()
        .join(" and ");
    lines.push(Line::raw(format!("Each user authorizes {what}")));
    lines.push(Line::raw(
        "on their own computer, with the invitation the bundle has for them.",
    ));
    lines.push(Line::raw(""));
    match &state.review.exported {
        Some(dir) => {
            let folder = Path::new(dir).join(invitations::FOLDER);
            lines.push(Line::styled(
                format!("Invitations for {} users in:", state.review.exported_users),
                t.ok(),
            ));
            lines.push(Line::raw(format!(
                "  {}",
                visible(&folder.display().to_string())
            )));
            lines.push(Line::raw(""));
            lines.push(Line::raw("Send them either way:"));
            lines.push(Line::from(vec![
                Span::styled("  mail merge  ", t.key()),
                Span::raw(format!(
                    "{}: name, email, subject, body, file to attach",
                    invitations::CSV_NAME
                )),
            ]));
            lines.push(Line::from(vec![
                Span::styled("  one by one  ", t.key()),
                Span::raw("open <login>.eml: a draft to the user, their .toml attached"),
            ]));
            lines.push(Line::raw(""));
            lines.push(Line::styled(
                "Each message says what to run on Windows, macOS and Linux, one line each.",
                t.dim(),
            ));
        }
        None => {
            lines.push(Line::styled(
                "No invitations yet: export the bundle first (Review & export).",
                t.warning(),
            ));
            lines.push(Line::raw(format!(
                "It writes {}/ (a .eml and a .toml per user) and {}.",
                invitations::FOLDER,
                invitations::CSV_NAME
            )));
        }
    }
    f.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false }),
        area,
    );
}

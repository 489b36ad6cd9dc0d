//! The Authorize step: the plan in one line, what each user authorizes, and where the users'
//! invitations are and how to send them.

use crate::auth::Provider;
use crate::bundle::invitations;
use crate::customize::{Deployment, ExchangePlan, Guide, Mode, RosterFacts};
use crate::tui::state::State;
use crate::tui::widgets::text::visible;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Wrap};
use ratatui::Frame;
use std::path::Path;

pub(super) fn render(state: &State, f: &mut Frame, area: Rect) {
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
    // The plan in one line, as Review and customization.md say it. No account signs in here:
    // app-only access uses the app's own token and an impersonating account its password
    // (kept in the keyring), never a user-delegated Exchange sign-in.
    lines.push(Line::styled(format!("Plan: {}", plan.summary()), t.key()));
    lines.push(Line::raw(""));
    let what = users
        .iter()
        .map(|p| match p {
            Provider::Salesforce => "Salesforce".to_string(),
            Provider::Exchange => format!(
                "Exchange (their own mailbox; Microsoft 365 sign-in for {})",
                plan.user_exchange_scope()
                    .map(|s| s
                        .split(' ')
                        .filter(|p| p.contains('.'))
                        .map(|p| p.rsplit('/').next().unwrap_or(p))
                        .collect::<Vec<_>>()
                        .join(", "))
                    .unwrap_or_default()
            ),
        })
        .collect::<Vec<_>>()
        .join(" and ");
    lines.push(Line::raw(format!("Each user authorizes {what}")));
    if plan.mode == Mode::PerUser && plan.deployment == Deployment::OnPremises {
        lines.push(Line::raw(
            "here; their Exchange Server mailbox they connect in SmartCloud Connect itself,",
        ));
    }
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

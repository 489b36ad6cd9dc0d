//! The Import step's source line and the panels of its two other sources (two exports to
//! join, pull from both systems).

use crate::tui::state::{ImportFocus, ImportSource, ImportState, State};
use crate::tui::widgets::text::visible;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Wrap};
use ratatui::Frame;

/// `Source: [Roster file] · Two exports to join · Pull from …` (←→ when focused).
pub(super) fn source_bar(state: &State, f: &mut Frame, area: Rect) {
    let t = state.theme;
    let imp = &state.import;
    let focused = imp.focus == ImportFocus::Source;
    let mut spans = vec![Span::styled(
        if focused {
            "▶ Source: "
        } else {
            "  Source: "
        },
        if focused { t.focus() } else { t.dim() },
    )];
    for (i, s) in ImportSource::ALL.into_iter().enumerate() {
        if i > 0 {
            spans.push(Span::styled(" · ", t.dim()));
        }
        if s == imp.source {
            spans.push(Span::styled(
                format!("[{}]", s.title()),
                if focused {
                    t.selected_cell()
                } else {
                    t.current_step()
                },
            ));
        } else {
            spans.push(Span::raw(s.title()));
        }
    }
    if focused {
        spans.push(Span::styled("  ←→ change", t.dim()));
    }
    f.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// Title of the path field: which file it asks for.
pub(super) fn path_title(imp: &ImportState) -> &'static str {
    match (imp.source, &imp.join_salesforce) {
        (ImportSource::Exports, None) => "1/2 Salesforce users export",
        (ImportSource::Exports, Some(_)) => "2/2 Microsoft 365 users export",
        _ => "Roster file",
    }
}

/// Right side with the two-exports source: what to pick, what is picked, errors.
pub(super) fn exports(state: &State, f: &mut Frame, area: Rect) {
    let t = state.theme;
    let imp = &state.import;
    let mut lines = vec![
        Line::raw("Join a Salesforce users export with a Microsoft 365 users export."),
        Line::raw(""),
        Line::styled("1. Salesforce users (Data Loader or a report):", t.header()),
        Line::raw("   Id, Name, Username, Email, IsActive, UserType, FederationIdentifier"),
        Line::styled(
            "2. Microsoft 365 users (Entra \"Download users\" or Get-MgUser):",
            t.header(),
        ),
        Line::raw("   userPrincipalName, displayName, mail, accountEnabled, id, proxyAddresses"),
        Line::raw(""),
    ];
    match &imp.join_salesforce {
        Some(p) => lines.push(Line::raw(format!(
            "Salesforce export: {}",
            visible(&p.display().to_string())
        ))),
        None => lines.push(Line::styled("Salesforce export: (pick it first)", t.dim())),
    }
    lines.push(Line::raw(""));
    lines.push(Line::raw(
        "People are matched by e-mail, username or federation ID, never by name alone; \
         the Match review shows who matched, who is ambiguous and who is only in Salesforce.",
    ));
    if let Some(err) = &imp.error {
        lines.push(Line::raw(""));
        lines.push(Line::styled(format!("✗ {err}"), t.error()));
    }
    f.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(Block::bordered().title(" Two exports to join ")),
        area,
    );
}

/// The pull source: what happens on Enter.
pub(super) fn pull(state: &State, f: &mut Frame, area: Rect) {
    let t = state.theme;
    let mut lines = vec![
        Line::raw("Read both user lists live: sign in to Salesforce (API access) and to"),
        Line::raw("Microsoft 365 (User.Read.All, which needs an admin's consent)."),
        Line::raw(""),
        Line::from(vec![
            Span::styled("Enter", t.key()),
            Span::raw(" signs in with the browser; "),
            Span::styled("d", t.key()),
            Span::raw(" with device codes (over SSH)."),
        ]),
        Line::raw(""),
        Line::raw("The lists are joined as two exports would be; the Match review follows."),
    ];
    if let Some(err) = &state.import.error {
        lines.push(Line::raw(""));
        lines.push(Line::styled(format!("✗ {err}"), t.error()));
    }
    f.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(Block::bordered().title(" Pull from Salesforce and Microsoft 365 ")),
        area,
    );
}

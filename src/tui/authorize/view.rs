//! Drawing the authorize screen. Selection shows as a double border and a `▶` marker, so
//! it reads without colour.

use super::state::{App, Confirm, Level, Pending, Status};
use crate::timefmt::minutes as utc;
use ratatui::layout::{Constraint, Direction, Layout, Rect};
use ratatui::style::{Modifier, Style, Stylize};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders, Clear, Paragraph, Wrap};
use ratatui::Frame;

/// Draws the whole screen.
pub(super) fn view(app: &App, frame: &mut Frame) {
    let area = frame.area();
    let [title, cards, pending, message, keys] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(if area.width >= 70 { 7 } else { 14 }),
        Constraint::Min(3),
        Constraint::Length(2),
        Constraint::Length(1),
    ])
    .areas(area);
    frame.render_widget(
        Paragraph::new(Line::from(vec![
            Span::styled("scc-onboard", Style::new().add_modifier(Modifier::BOLD)),
            Span::raw(" — authorize SmartCloud Connect"),
            Span::raw(format!("   keyring: {}", app.store_name)).dim(),
        ])),
        title,
    );
    let direction = if area.width >= 70 {
        Direction::Horizontal
    } else {
        Direction::Vertical
    };
    let slots = Layout::default()
        .direction(direction)
        .constraints(vec![
            Constraint::Ratio(1, app.cards.len().max(1) as u32);
            app.cards.len().max(1)
        ])
        .split(cards);
    for (i, card) in app.cards.iter().enumerate() {
        draw_card(frame, slots[i], card, i == app.selected);
    }
    draw_pending(frame, pending, app);
    if let Some((level, text)) = &app.message {
        let style = match level {
            Level::Info => Style::new(),
            Level::Error => Style::new().add_modifier(Modifier::BOLD),
        };
        let prefix = match level {
            Level::Info => "",
            Level::Error => "Error: ",
        };
        frame.render_widget(
            Paragraph::new(format!("{prefix}{text}"))
                .style(style)
                .wrap(Wrap { trim: true }),
            message,
        );
    }
    frame.render_widget(
        Paragraph::new(super::keys::hint_line(&super::keys::KEYS.hints(app), "  ")).dim(),
        keys,
    );
    if let Some(confirm) = &app.confirm {
        draw_confirm(frame, area, confirm, app);
    }
}

fn draw_card(frame: &mut Frame, area: Rect, card: &super::state::Card, selected: bool) {
    let title = format!(
        "{}{} ",
        if selected { " ▶ " } else { " " },
        card.provider.title()
    );
    let block = Block::default()
        .borders(Borders::ALL)
        .border_type(if selected {
            BorderType::Double
        } else {
            BorderType::Plain
        })
        .title(title);
    let lines: Vec<Line> = match &card.status {
        Status::Loading => vec![Line::from("Reading the keyring…")],
        Status::NotAuthorized => vec![
            Line::from(Span::styled(
                "Not authorized",
                Style::new().add_modifier(Modifier::BOLD),
            )),
            Line::from(""),
            Line::from("a authorize").dim(),
        ],
        Status::Authorized { login, issued_at } => vec![
            Line::from(Span::styled(
                "✓ Authorized",
                Style::new().add_modifier(Modifier::BOLD),
            )),
            Line::from(format!("as {login}")),
            Line::from(format!("since {} UTC", utc(*issued_at))),
            Line::from("r renew  d disconnect").dim(),
        ],
        Status::Working(text) => vec![
            Line::from(Span::styled(
                "… Working",
                Style::new().add_modifier(Modifier::BOLD),
            )),
            Line::from(text.clone()),
            Line::from("Esc cancel").dim(),
        ],
    };
    frame.render_widget(
        Paragraph::new(lines).block(block).wrap(Wrap { trim: true }),
        area,
    );
}

fn draw_pending(frame: &mut Frame, area: Rect, app: &App) {
    let lines: Vec<Line> = match &app.pending {
        None => vec![Line::from(
            "Choose a card and press a. A browser opens; if it does not, the URL shows here.",
        )
        .dim()],
        Some(Pending::Url(p, url)) => vec![
            Line::from(format!(
                "Sign in to {p} in the browser. If it did not open, open this URL (c copies it):"
            )),
            Line::from(""),
            Line::from(url.clone()),
        ],
        Some(Pending::Device {
            provider,
            uri,
            code,
        }) => vec![
            Line::from(format!(
                "To authorize {provider}, open {uri} on any device and enter:"
            )),
            Line::from(""),
            Line::from(Span::styled(
                code.clone(),
                Style::new().add_modifier(Modifier::BOLD),
            )),
        ],
    };
    // No trimming: the URL must stay intact when wrapped so it can be copied by hand.
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), area);
}

fn draw_confirm(frame: &mut Frame, area: Rect, confirm: &Confirm, app: &App) {
    let expected_from = app.expected_from;
    let (title, mut lines) = match confirm {
        Confirm::Disconnect(p) => (
            format!(" Disconnect {p}? "),
            vec![Line::from(format!(
                "Revoke where {p} allows it and delete the stored authorization."
            ))],
        ),
        Confirm::Mismatch(p, m) => {
            let from = expected_from;
            let mut l = vec![Line::from(format!(
                "The {p} account that signed in is not the {from}'s:"
            ))];
            for x in m {
                l.push(Line::from(format!("  {}: {from} {}", x.what, x.expected)));
                l.push(Line::from(format!("  {}: signed in {}", x.what, x.actual)));
            }
            l.push(Line::from("Store it anyway?"));
            (" Identity mismatch ".to_string(), l)
        }
    };
    lines.push(Line::from(""));
    lines.push(
        Line::from(super::keys::hint_line(
            &super::keys::CONFIRM.hints(app),
            "   ",
        ))
        .dim(),
    );
    let width = area.width.saturating_sub(4).min(72);
    let height = (lines.len() as u16 + 2).min(area.height);
    let popup = Rect {
        x: area.x + (area.width.saturating_sub(width)) / 2,
        y: area.y + (area.height.saturating_sub(height)) / 2,
        width,
        height,
    };
    frame.render_widget(Clear, popup);
    frame.render_widget(
        Paragraph::new(lines)
            .block(
                Block::default()
                    .borders(Borders::ALL)
                    .border_type(BorderType::Thick)
                    .title(title),
            )
            .wrap(Wrap { trim: true }),
        popup,
    );
}

//! The Match review step: sections as tabs (matched, ambiguous, only in Salesforce), the
//! people of the section on the left, the selected person's accounts and choice on the right.

use crate::directory::{MatchedBy, MicrosoftUser, MsKey, SfKey};
use crate::tui::match_review::{tab_index, MatchState};
use crate::tui::state::State;
use crate::tui::widgets::text::{fit, visible};
use crate::usecase::match_review::{Decision, How, Person, Section};
use ratatui::layout::{Constraint, Layout, Position, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};
use ratatui::Frame;

pub fn render(state: &State, f: &mut Frame, area: Rect) {
    let Some(m) = &state.matching else {
        f.render_widget(
            Paragraph::new("Pick two exports on the Import step first."),
            area,
        );
        return;
    };
    let t = state.theme;
    let [tabs, summary, body] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Min(3),
    ])
    .areas(area);

    // Tabs with their counts and what is left to decide.
    let mut spans = Vec::new();
    for (i, s) in Section::ALL.into_iter().enumerate() {
        if i > 0 {
            spans.push(Span::styled(" │ ", t.dim()));
        }
        // Kept by the review: a frame does not walk 100,000 people.
        let open = m.review.to_decide(s);
        let mut label = format!("{} {}", s.title(), m.review.section(s).len());
        if open > 0 {
            label.push_str(&format!(" ({open} to decide)"));
        }
        if s == m.tab {
            spans.push(Span::styled(format!("[{label}]"), t.current_step()));
        } else {
            spans.push(Span::raw(label));
        }
    }
    f.render_widget(Paragraph::new(Line::from(spans)), tabs);

    let c = m.review.counts();
    let mut text = format!(
        "In the roster: {} · left out: {} · to decide: {} (not in the roster until decided)",
        c.joined, c.left_out, c.undecided
    );
    if !m.review.stale.is_empty() {
        text.push_str(&format!(
            " · {} saved choice(s) no longer fit",
            m.review.stale.len()
        ));
    }
    f.render_widget(
        Paragraph::new(Line::styled(fit(&text, summary.width as usize), t.dim())),
        summary,
    );

    let [list_area, detail_area] =
        Layout::horizontal([Constraint::Percentage(42), Constraint::Percentage(58)]).areas(body);
    people_list(state, m, f, list_area);
    detail(state, m, f, detail_area);
}

/// `✓` joined, `-` left out, `?` to decide.
fn mark(p: &Person) -> &'static str {
    match p.decision {
        Decision::Joined { .. } => "✓",
        Decision::LeftOut => "-",
        Decision::Undecided => "?",
    }
}

fn people_list(state: &State, m: &MatchState, f: &mut Frame, area: Rect) {
    let t = state.theme;
    let shown = m.shown();
    let block = Block::bordered().title(format!(" {} ", m.tab.title()));
    let inner = block.inner(area);
    f.render_widget(block, area);
    if shown.is_empty() {
        f.render_widget(Paragraph::new(Line::styled("(nobody)", t.dim())), inner);
        return;
    }
    let height = inner.height as usize;
    let cursor = m.cursor[tab_index(m.tab)];
    let offset = cursor.saturating_sub(height.saturating_sub(1));
    let width = inner.width as usize;
    let sf = &m.lists.0.salesforce;
    let lines: Vec<Line> = shown
        .iter()
        .enumerate()
        .skip(offset)
        .take(height)
        .map(|(i, &p)| {
            let person = &m.review.people[p];
            let u = &sf[person.salesforce];
            let sel = i == cursor;
            let text = format!(
                "{}{} {}  {}",
                if sel { "▶" } else { " " },
                mark(person),
                visible(&u.name),
                visible(&u.username)
            );
            let style = if sel {
                t.selected_cell()
            } else if person.decision == Decision::LeftOut {
                t.excluded()
            } else {
                Style::new()
            };
            Line::styled(fit(&text, width), style)
        })
        .collect();
    f.render_widget(Paragraph::new(lines), inner);
}

fn key_text(by: &MatchedBy) -> String {
    let sf = match by.salesforce {
        SfKey::Email => "Email",
        SfKey::Username => "Username",
        SfKey::FederationId => "FederationIdentifier",
    };
    let ms = match by.microsoft {
        MsKey::Mail => "mail",
        MsKey::Upn => "userPrincipalName",
        MsKey::ProxyAddress => "proxyAddresses",
    };
    format!("{sf} = {ms} ({})", visible(&by.value))
}

fn account(u: &MicrosoftUser) -> String {
    format!(
        "{} — {} — {}",
        visible(&u.display_name),
        visible(&u.upn),
        u.mail.as_deref().map_or("(no mail)".to_string(), visible)
    )
}

fn detail(state: &State, m: &MatchState, f: &mut Frame, area: Rect) {
    let t = state.theme;
    let block = Block::bordered().title(" Person ");
    let inner = block.inner(area);
    f.render_widget(block, area);
    let Some(p) = m.selected() else {
        return;
    };
    let l = &m.lists.0;
    let person = &m.review.people[p];
    let u = &l.salesforce[person.salesforce];
    let mut lines = vec![
        Line::styled(visible(&u.name), t.header()),
        Line::raw(format!("Salesforce Id   {}", visible(&u.id))),
        Line::raw(format!("Username        {}", visible(&u.username))),
        Line::raw(format!("Email           {}", visible(&u.email))),
    ];
    if let Some(fed) = &u.federation_id {
        lines.push(Line::raw(format!("Federation ID   {}", visible(fed))));
    }
    lines.push(Line::raw(""));
    match &person.decision {
        Decision::Joined { microsoft, how } => {
            let a = &l.microsoft[*microsoft];
            lines.push(Line::styled(
                format!("✓ In the roster: {}", visible(&a.display_name)),
                t.ok(),
            ));
            lines.push(Line::raw(format!(
                "    {} · {}",
                visible(&a.upn),
                a.mail.as_deref().map_or("(no mail)".to_string(), visible)
            )));
            lines.push(Line::raw(match how {
                How::Evidence(by) => format!("    matched by {}", key_text(by)),
                How::Chosen(by) => format!("    chosen by you ({})", key_text(by)),
                How::Picked => "    picked by you (no matching address)".into(),
            }));
        }
        Decision::LeftOut => lines.push(Line::styled(
            "- Left out of the roster (x: back)",
            t.excluded(),
        )),
        Decision::Undecided => lines.push(Line::styled(
            match person.section {
                Section::Ambiguous => "? Several fit: choose (←→ Enter) or x",
                _ => "? No account fits: search (/) or x",
            },
            t.warning(),
        )),
    }
    if person.section == Section::Ambiguous {
        lines.push(Line::raw(""));
        lines.push(Line::styled("Candidates", t.header()));
        for (i, (ms, by)) in person.candidates.iter().enumerate() {
            let sel = i == m.candidate;
            let chosen =
                matches!(&person.decision, Decision::Joined { microsoft, .. } if microsoft == ms);
            let u = &l.microsoft[*ms];
            lines.push(Line::styled(
                format!(
                    "{}{} {}",
                    if sel { "▶" } else { " " },
                    if chosen { "✓" } else { " " },
                    visible(&u.display_name)
                ),
                if sel { t.selected_cell() } else { Style::new() },
            ));
            lines.push(Line::raw(format!(
                "    {} · {}",
                visible(&u.upn),
                u.mail.as_deref().map_or("(no mail)".to_string(), visible)
            )));
            lines.push(Line::styled(format!("    by {}", key_text(by)), t.dim()));
        }
    }
    let mut cursor = None;
    if let Some(s) = &m.search {
        lines.push(Line::raw(""));
        let label = "Search accounts: ";
        let (shown, col) = s
            .input
            .window((inner.width as usize).saturating_sub(label.len() + 1));
        cursor = Some((label.chars().count() + col, lines.len()));
        lines.push(Line::from(vec![
            Span::styled(label, t.header()),
            Span::raw(visible(&shown)),
        ]));
        if s.results.is_empty() {
            lines.push(Line::styled(
                "  no free account has this in its name, UPN or mail",
                t.dim(),
            ));
        }
        for (i, &ms) in s.results.iter().enumerate() {
            let sel = i == s.cursor;
            lines.push(Line::styled(
                format!(
                    "{}{}",
                    if sel { "▶ " } else { "  " },
                    account(&l.microsoft[ms])
                ),
                if sel { t.selected_cell() } else { Style::new() },
            ));
        }
    }
    // Keep the search's selected result on screen.
    let height = inner.height as usize;
    let skip = match &m.search {
        Some(s) => (lines.len() - s.results.len() + s.cursor + 1).saturating_sub(height),
        None => 0,
    };
    let lines: Vec<Line> = lines.into_iter().skip(skip).collect();
    f.render_widget(Paragraph::new(lines), inner);
    if let Some((x, y)) = cursor {
        if y >= skip && y - skip < height && state.popup.is_none() {
            f.set_cursor_position(Position::new(
                inner.x + x as u16,
                inner.y + (y - skip) as u16,
            ));
        }
    }
}

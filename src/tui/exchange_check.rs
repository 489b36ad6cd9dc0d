//! The wizard's Exchange access check: `v` on the Exchange access step asks the runtime to run
//! `usecase::exchange_check` on a thread with the plan the choices describe and the secret the
//! wizard keeps in the OS keyring; a gauge shows its progress and the result is listed per
//! mailbox below the step. The last result stays in the state for Review and export (its
//! summary goes into report.md and customization.json).

use super::msg::{Effect, ExchangeCheckMsg, Msg};
use super::state::{State, Status as Line};
use crate::bundle::exchange_check::CheckSummary;
use crate::usecase::exchange_check::{CheckReport, Progress};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line as TextLine, Span};
use ratatui::widgets::{Block, Borders, Gauge, Paragraph, Wrap};
use ratatui::Frame;

/// The key that starts the check (hint bar and help say it).
pub(super) const KEY: char = 'v';

/// The check's state on the Exchange access step.
#[derive(Debug, Default)]
pub struct CheckPanel {
    /// While a check runs: how far it got.
    pub running: Option<Progress>,
    /// The last check's outcome: the report, or why it could not run.
    pub outcome: Option<Result<CheckReport, String>>,
    /// The last check's result as the session kept it (after a resume, until a new check).
    pub restored: Option<CheckSummary>,
}

impl CheckPanel {
    /// Shown below the step while a check runs and after one ran.
    pub fn visible(&self) -> bool {
        self.running.is_some() || self.outcome.is_some() || self.restored.is_some()
    }

    /// What the bundle records: the last check that ran, if any.
    pub fn summary(&self) -> Option<CheckSummary> {
        match &self.outcome {
            Some(Ok(r)) => Some(r.summary()),
            Some(Err(_)) => None,
            None => self.restored.clone(),
        }
    }

    /// Splits the step's area: the step above, the panel (at most 12 rows, half the area)
    /// below.
    pub fn split(&self, area: Rect) -> (Rect, Option<Rect>) {
        if !self.visible() || area.height < 10 {
            return (area, None);
        }
        let h = (area.height / 2).min(12);
        let [top, bottom] =
            Layout::vertical([Constraint::Min(1), Constraint::Length(h)]).areas(area);
        (top, Some(bottom))
    }

    /// Draws the gauge or the result into `area`.
    pub fn render(&self, frame: &mut Frame, area: Rect) {
        let block = Block::default()
            .borders(Borders::TOP)
            .title(" Exchange access check ");
        let inner = block.inner(area);
        frame.render_widget(block, area);
        if let Some(p) = self.running {
            let ratio = if p.total == 0 {
                0.0
            } else {
                p.done as f64 / p.total as f64
            };
            let [label, gauge] =
                Layout::vertical([Constraint::Length(1), Constraint::Length(1)]).areas(inner);
            frame.render_widget(Paragraph::new("Checking mailboxes…"), label);
            frame.render_widget(
                Gauge::default()
                    .ratio(ratio.clamp(0.0, 1.0))
                    .label(format!("{}/{}", p.done, p.total)),
                gauge,
            );
            return;
        }
        let lines = match &self.outcome {
            None => self
                .restored
                .as_ref()
                .map(restored_lines)
                .unwrap_or_default(),
            Some(Err(e)) => vec![TextLine::from(format!("The check could not run: {e}"))],
            Some(Ok(r)) => result_lines(r, inner.height as usize),
        };
        frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
    }
}

/// The result: a summary line, then per mailbox (not reachable first) or per prerequisite.
fn result_lines(r: &CheckReport, height: usize) -> Vec<TextLine<'static>> {
    let counts: Vec<String> = r
        .counts()
        .into_iter()
        .filter(|&(_, n)| n > 0)
        .map(|(k, n)| format!("{n} {k}"))
        .collect();
    let mut lines = vec![headline(
        r.all_ok(),
        format!(
            " · plan {} ({}) · {} · {}",
            r.mode,
            r.api,
            r.checked_at,
            if counts.is_empty() {
                "no mailbox read".to_string()
            } else {
                counts.join(", ")
            }
        ),
    )];
    for p in &r.prerequisites {
        let mark = if p.ok { "ok    " } else { "not ok" };
        lines.push(TextLine::from(format!("{mark} {}: {}", p.key, p.detail)));
    }
    if let Some(note) = r.note {
        lines.push(TextLine::from(format!("Note: {note}.")));
    }
    let room = height.saturating_sub(lines.len());
    let mut listed = r
        .not_ok()
        .chain(r.results.iter().filter(|x| x.status.is_ok()));
    let total = r.results.len();
    let shown = if total > room {
        room.saturating_sub(1)
    } else {
        total
    };
    for m in listed.by_ref().take(shown) {
        let why = if m.status.is_ok() {
            String::new()
        } else {
            format!(": {}", m.status.explain())
        };
        lines.push(TextLine::from(format!(
            "{:<11} {} (line {}){why}",
            m.status.key(),
            m.mailbox.upn,
            m.mailbox.line
        )));
    }
    if total > shown {
        lines.push(TextLine::from(format!(
            "… {} more: `scc-onboard exchange check --session …` lists all",
            total - shown
        )));
    }
    lines
}

/// A result's first line: whether everything was reached (bold), then `rest`.
fn headline(all_ok: bool, rest: String) -> TextLine<'static> {
    let bold = Style::new().add_modifier(Modifier::BOLD);
    TextLine::from(vec![
        Span::styled(
            if all_ok {
                "Reachable"
            } else {
                "Not all reachable"
            },
            bold,
        ),
        Span::raw(rest),
    ])
}

/// The result the session kept: when it ran, what it reached, and each mailbox not reached.
fn restored_lines(c: &CheckSummary) -> Vec<TextLine<'static>> {
    let reached = if c.mailboxes > 0 {
        format!("{} of {} mailboxes reached", c.reachable, c.mailboxes)
    } else {
        "no mailbox read".to_string()
    };
    let mut lines = vec![headline(
        c.all_ok(),
        format!(
            " · plan {} ({}) · {} · {reached} · saved in the session ({KEY} checks again)",
            c.plan, c.api, c.checked_at
        ),
    )];
    for p in &c.prerequisites {
        let mark = if p.ok { "ok    " } else { "not ok" };
        lines.push(TextLine::from(format!("{mark} {}: {}", p.check, p.detail)));
    }
    for u in &c.not_reachable {
        lines.push(TextLine::from(format!(
            "{:<11} {} (line {}): {}",
            u.status, u.upn, u.line, u.why
        )));
    }
    lines
}

/// After the roster loaded: the last check the session kept, shown until a new one runs.
pub(super) fn restore(state: &mut State) {
    state.exchange_check.restored = state
        .session
        .as_ref()
        .and_then(|s| s.exchange_check.clone())
        .and_then(|v| serde_json::from_value(v).ok());
}

/// The check's messages.
pub(super) fn update(state: &mut State, msg: Msg, fx: &mut Vec<Effect>) {
    match msg {
        Msg::ExchangeCheck(ExchangeCheckMsg::Start) => {
            if state.exchange_check.running.is_some() {
                state.status = Some(Line::info("A check is already running."));
                return;
            }
            state.exchange_check.running = Some(Progress { done: 0, total: 0 });
            state.exchange_check.outcome = None;
            state.exchange_check.restored = None;
            state.status = Some(Line::info("Checking the plan against the mailboxes…"));
            fx.push(Effect::ExchangeCheck);
        }
        Msg::ExchangeCheck(ExchangeCheckMsg::Progress(p))
            if state.exchange_check.running.is_some() =>
        {
            state.exchange_check.running = Some(p);
        }
        Msg::ExchangeCheck(ExchangeCheckMsg::Done(outcome)) => {
            state.exchange_check.running = None;
            state.status = Some(match &outcome {
                Ok(r) if r.all_ok() => Line::info("Exchange access check: everything reachable."),
                Ok(r) => Line::error(format!(
                    "Exchange access check: {} not reachable; see the list.",
                    r.not_ok().count() + r.prerequisites.iter().filter(|p| !p.ok).count()
                )),
                Err(e) => Line::error(format!("Exchange access check: {e}")),
            });
            // A result is kept in the session, so a resume shows it and export records it.
            if let (Ok(r), Some(s)) = (&outcome, &mut state.session) {
                s.exchange_check = serde_json::to_value(r.summary()).ok();
                fx.push(Effect::SaveSession);
            }
            state.exchange_check.outcome = Some(outcome);
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::msg::ExchangeCheckMsg;
    use crate::usecase::exchange_check::{Mailbox, MailboxResult, Resource, Status};
    use ratatui::backend::TestBackend;
    use ratatui::Terminal;

    fn report() -> CheckReport {
        let result = |upn: &str, line, status| MailboxResult {
            mailbox: Mailbox::new(upn, line),
            status,
            retries: 0,
        };
        CheckReport {
            checked_at: "2026-12-01T23:00:00Z".into(),
            mode: "app_only",
            api: "graph",
            results: vec![
                result("ok@contoso.com", 2, Status::Ok),
                result(
                    "nomail@contoso.com",
                    3,
                    Status::Denied {
                        missing: vec![Resource::Mail],
                    },
                ),
                result("gone@contoso.com", 4, Status::NotFound),
            ],
            prerequisites: Vec::new(),
            note: None,
        }
    }

    fn screen(panel: &CheckPanel) -> String {
        let mut t = Terminal::new(TestBackend::new(100, 10)).unwrap();
        t.draw(|f| panel.render(f, f.area())).unwrap();
        let buf = t.backend().buffer().clone();
        (0..buf.area.height)
            .map(|y| {
                (0..buf.area.width)
                    .map(|x| buf[(x, y)].symbol().to_string())
                    .collect::<String>()
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// A result goes into the session (and is saved); a resume restores and shows it until
    /// a new check starts.
    #[test]
    fn the_session_keeps_the_last_result_for_a_resume() {
        use crate::session::{ImportSettings, Session, SourceInfo};
        let mut state = State::new(
            std::path::PathBuf::from("s.json"),
            crate::tui::theme::Theme::plain(),
        );
        state.session = Some(Session::new(
            SourceInfo::of_bytes("r.csv".as_ref(), b""),
            ImportSettings::default(),
        ));
        let mut fx = Vec::new();
        update(
            &mut state,
            Msg::ExchangeCheck(ExchangeCheckMsg::Done(Ok(report()))),
            &mut fx,
        );
        assert!(fx.iter().any(|e| matches!(e, Effect::SaveSession)));
        let saved = Session::from_json(
            &state.session.as_ref().unwrap().to_json(),
            "s.json".as_ref(),
        )
        .unwrap();

        let mut resumed = State::new(
            std::path::PathBuf::from("s.json"),
            crate::tui::theme::Theme::plain(),
        );
        resumed.session = Some(saved);
        restore(&mut resumed);
        assert_eq!(resumed.exchange_check.summary(), Some(report().summary()));
        let text = screen(&resumed.exchange_check)
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        assert!(text.contains("1 of 3 mailboxes reached"), "{text}");
        assert!(text.contains("saved in the session"), "{text}");
        assert!(text.contains("gone@contoso.com (line 4)"), "{text}");
        update(
            &mut resumed,
            Msg::ExchangeCheck(ExchangeCheckMsg::Start),
            &mut fx,
        );
        assert!(resumed.exchange_check.summary().is_none());
    }

    #[test]
    fn a_gauge_while_it_runs_then_each_mailbox_not_reachable_first() {
        let mut state = State::new(
            std::path::PathBuf::from("s.json"),
            crate::tui::theme::Theme::plain(),
        );
        let mut fx = Vec::new();
        update(
            &mut state,
            Msg::ExchangeCheck(ExchangeCheckMsg::Start),
            &mut fx,
        );
        assert!(matches!(fx.as_slice(), [Effect::ExchangeCheck]));
        // A second press while it runs starts nothing.
        update(
            &mut state,
            Msg::ExchangeCheck(ExchangeCheckMsg::Start),
            &mut fx,
        );
        assert_eq!(fx.len(), 1);
        update(
            &mut state,
            Msg::ExchangeCheck(ExchangeCheckMsg::Progress(Progress { done: 1, total: 3 })),
            &mut fx,
        );
        let s = screen(&state.exchange_check);
        assert!(s.contains("Checking mailboxes") && s.contains("1/3"), "{s}");
        assert!(state.exchange_check.summary().is_none());

        update(
            &mut state,
            Msg::ExchangeCheck(ExchangeCheckMsg::Done(Ok(report()))),
            &mut fx,
        );
        let s = screen(&state.exchange_check);
        let lines: Vec<&str> = s.lines().collect();
        assert!(
            lines[1].contains("Not all reachable")
                && lines[1].contains("1 ok, 1 denied, 1 not-found"),
            "{s}"
        );
        assert!(
            lines[2].starts_with("denied      nomail@contoso.com (line 3): access denied to mail"),
            "{s}"
        );
        assert!(s.contains("not-found   gone@contoso.com (line 4)"), "{s}");
        assert!(s.contains("ok          ok@contoso.com (line 2)"), "{s}");
        let summary = state.exchange_check.summary().unwrap();
        assert_eq!((summary.mailboxes, summary.reachable), (3, 1));

        update(
            &mut state,
            Msg::ExchangeCheck(ExchangeCheckMsg::Done(Err("no client secret".into()))),
            &mut fx,
        );
        assert!(screen(&state.exchange_check).contains("could not run: no client secret"));
        assert!(state.exchange_check.summary().is_none());
    }
}

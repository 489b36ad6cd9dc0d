//! The Fix step's verify key (`v`): the roster checked against the live Salesforce and
//! Microsoft 365 directories (`usecase::roster_verify`) on a runtime thread, with the stored
//! administrator sign-ins (the wizard never opens a browser for them: `roster verify` or
//! `roster pull` on the command line signs the administrator in first). The findings show
//! with the row's own, under their codes, until the row's values change.

use super::msg::{Effect, Msg, VerifyMsg};
use super::state::{State, Status};
use crate::roster::{Field, Finding};
use crate::usecase::roster_verify::{self, VerifyReport, VerifyRow};
use std::collections::HashMap;

/// What the last verification found, per roster row.
#[derive(Clone, Debug, Default)]
pub struct LiveCheck {
    /// A verification runs.
    pub running: bool,
    /// Row → (its values when verified, the findings).
    pub rows: HashMap<usize, ([String; 5], Vec<Finding>)>,
}

fn cells(state: &State, row: usize) -> [String; 5] {
    Field::ALL.map(|f| state.roster.cell(row, f).to_string())
}

impl LiveCheck {
    /// The live findings of `row`, unless the row changed since it was verified.
    pub fn findings<'a>(&'a self, state: &State, row: usize) -> &'a [Finding] {
        match self.rows.get(&row) {
            Some((values, f)) if *values == cells(state, row) => f,
            _ => &[],
        }
    }
}

/// `v`, a progress line, and the result.
pub(super) fn update(state: &mut State, msg: Msg, fx: &mut Vec<Effect>) {
    match msg {
        Msg::Verify(VerifyMsg::Start) => {
            if state.live.running {
                state.status = Some(Status::info("A verification is already running"));
                return;
            }
            let rows: Vec<VerifyRow> = roster_verify::rows_of(&state.roster);
            if rows.is_empty() {
                state.status = Some(Status::info("No included rows to verify"));
                return;
            }
            state.live.running = true;
            state.status = Some(Status::info(format!(
                "Verifying {} rows against Salesforce and Microsoft 365 …",
                rows.len()
            )));
            fx.push(Effect::Verify { rows });
        }
        Msg::Verify(VerifyMsg::Progress(text)) if state.live.running => {
            state.status = Some(Status::info(text));
        }
        Msg::Verify(VerifyMsg::Done(result)) => {
            state.live.running = false;
            match result {
                Ok(report) => apply(state, &report),
                Err(e) => state.status = Some(Status::error(format!("Verify: {e}"))),
            }
        }
        _ => {}
    }
}

fn apply(state: &mut State, report: &VerifyReport) {
    let by_row = roster_verify::by_row(report);
    state.live.rows = by_row
        .into_iter()
        .filter(|(r, _)| *r < state.roster.len())
        .map(|(r, f)| (r, (cells(state, r), f)))
        .collect();
    let partial = if report.permissions.sees_everyone() {
        ""
    } else {
        " (the Salesforce administrator lacks View All Users: some users may be hidden)"
    };
    state.status = Some(if report.findings.is_empty() {
        Status::info(format!(
            "Verified {} rows: Salesforce and Microsoft 365 agree with every one{partial}",
            report.rows
        ))
    } else {
        Status::error(format!(
            "Verified {} rows: {} finding(s) on {} row(s), shown with each row's findings{partial}",
            report.rows,
            report.findings.len(),
            report.rows_with_findings()
        ))
    });
}

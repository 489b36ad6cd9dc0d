//! The Review & export step.

use crate::session::{Op, RowKeys};
use crate::tui::msg::{Effect, Msg};
use crate::tui::state::{Filter, Popup, State, Status};
use crate::tui::widgets::text_input::TextInput;
use std::path::PathBuf;

/// How many blocking rows the refusal lists.
pub const REFUSAL_LIST: usize = 5;

pub(super) fn update(state: &mut State, msg: Msg, fx: &mut Vec<Effect>) {
    match msg {
        Msg::EditOutputDir => {
            state.review.dir_edit = Some(TextInput::new(state.output_dir().display().to_string()))
        }
        Msg::Text(e) => {
            if let Some(input) = &mut state.review.dir_edit {
                input.apply(&e);
            }
        }
        Msg::CancelInput => state.review.dir_edit = None,
        Msg::CommitInput => {
            if let Some(input) = state.review.dir_edit.take() {
                let dir = input.value().trim();
                if let Some(s) = &mut state.session {
                    s.output_dir = (!dir.is_empty()).then(|| PathBuf::from(dir));
                    fx.push(Effect::SaveSession);
                }
            }
        }
        Msg::Export => {
            let unplaced = state.session.as_ref().map_or(0, |s| s.unplaced.len());
            if unplaced > 0 {
                // The admin's changes must neither leave on the wrong users nor be lost.
                state.status = Some(Status::error(format!(
                    "Export refused: {unplaced} unplaced change(s); p on the Fix step lists them \
                     (re-apply each to its user's row, or drop it)"
                )));
            } else if state.roster.has_errors() {
                let rows: Vec<usize> = state.roster.error_rows().take(REFUSAL_LIST).collect();
                state.review.refused = Some(rows);
                state.status = Some(Status::error(format!(
                    "Export refused: {} included row(s) still have errors",
                    state.roster.counts().rows_with_errors
                )));
            } else if !state.choice_errors().is_empty() {
                state.review.refused = None;
                state.review.choice_errors = state.choice_errors();
                state.status = Some(Status::error(format!(
                    "Export refused: {} customization setting(s) have errors",
                    state.review.choice_errors.len()
                )));
            } else {
                state.review.refused = None;
                state.review.choice_errors.clear();
                fx.push(Effect::Export {
                    dir: state.output_dir(),
                });
            }
        }
        Msg::AskExcludeErrors => {
            let rows: Vec<usize> = state.roster.error_rows().collect();
            if rows.is_empty() {
                state.status = Some(Status::info("No included row has errors"));
            } else {
                state.popup = Some(Popup::ConfirmExclude { rows });
            }
        }
        Msg::Exported(Ok((path, n))) => {
            state.status = Some(Status::info(format!("Wrote {n} row(s) to {path}")));
            state.review.exported = Some(path);
            state.review.exported_users = n;
        }
        Msg::Exported(Err(e)) => state.status = Some(Status::error(format!("Export failed: {e}"))),
        Msg::JumpToErrors if !state.roster.has_errors() => {
            if let Some((step, key)) = super::choices::step_of_first_error(state) {
                super::go_to(state, step, fx);
                match step {
                    crate::session::Step::ExchangeAccess => state.exchange.focus_setting(&key),
                    _ => state.customize.focus_setting(&key),
                }
            }
        }
        Msg::JumpToErrors => {
            let first = state
                .review
                .refused
                .as_ref()
                .and_then(|r| r.first().copied());
            super::go_to(state, crate::session::Step::Fix, fx);
            super::fix::update(state, Msg::SetFilter(Filter::Errors), fx);
            if let Some(r) = first {
                if let Some(p) = state
                    .fix
                    .rows
                    .as_ref()
                    .and_then(|rows| rows.iter().position(|x| *x == r))
                {
                    state.fix.selected = p;
                    super::fix::keep_selection_visible(state);
                }
            }
        }
        _ => {}
    }
}

/// Leaves out the confirmed rows, as one undoable operation (the CLI's `--exclude-invalid`).
pub(super) fn exclude(state: &mut State, rows: Vec<usize>, fx: &mut Vec<Effect>) {
    let n = rows.len();
    super::fix::perform(
        state,
        Op::ExcludeRows {
            anchors: Some(RowKeys::of_rows(&state.roster, &rows)),
            rows,
            excluded: true,
        },
        fx,
    );
    state.review.refused = None;
    state.status = Some(Status::info(format!(
        "Excluded {n} row(s) with errors; u on the Fix step undoes it"
    )));
}

//! The Review & export step.

use crate::customize::Page;
use crate::session::{Op, RowKeys, Step};
use crate::tui::msg::{Effect, FixMsg, Msg, ReviewMsg, UnplacedMsg};
use crate::tui::state::{Filter, Popup, State, Status};
use crate::tui::widgets::text_input::TextInput;
use crate::usecase::submission::{plural, Place};
use std::path::PathBuf;

/// How many blocking rows the refusal lists.
pub(super) const REFUSAL_LIST: usize = 5;

pub(super) fn update(state: &mut State, msg: Msg, fx: &mut Vec<Effect>) {
    match msg {
        Msg::Review(ReviewMsg::EditOutputDir) => {
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
        Msg::Review(ReviewMsg::Export) => {
            let sub = state.submission();
            state.review.refused = state
                .roster
                .has_errors()
                .then(|| state.roster.error_rows().take(REFUSAL_LIST).collect());
            state.review.choice_errors = state.choice_errors();
            if let Some(first) = sub.blockers.first() {
                // The panel lists them all, numbered; the status names the first.
                state.status = Some(Status::error(format!("Export refused: {}", first.what)));
                return;
            }
            let unseen: Vec<String> = sub
                .warnings
                .iter()
                .map(|w| w.what.clone())
                .filter(|w| !state.review.acknowledged.contains(w))
                .collect();
            if !unseen.is_empty() {
                state.popup = Some(Popup::ConfirmWarnings { warnings: unseen });
                return;
            }
            state.status = Some(Status::info("Writing the bundle…"));
            fx.push(Effect::Export {
                dir: state.output_dir(),
                replace: false,
            });
        }
        Msg::Review(ReviewMsg::AskReplace { path, written }) => {
            state.status = None;
            state.popup = Some(Popup::ConfirmReplace { path, written });
        }
        Msg::Review(ReviewMsg::AskExcludeErrors) => {
            let rows: Vec<usize> = state.roster.error_rows().collect();
            if rows.is_empty() {
                state.status = Some(Status::info("No included row has errors"));
            } else {
                state.popup = Some(Popup::ConfirmExclude { rows });
            }
        }
        Msg::Review(ReviewMsg::Exported(Ok((path, n)))) => {
            state.status = Some(Status::info(format!(
                "Wrote the bundle for {} to {path}",
                plural(n, "user", "users")
            )));
            state.review.exported = Some(path);
            state.review.exported_users = n;
        }
        Msg::Review(ReviewMsg::Exported(Err(e))) => {
            state.status = Some(Status::error(format!("Export failed: {e}")))
        }
        Msg::Review(ReviewMsg::JumpToErrors) => {
            let sub = state.submission();
            if let Some(item) = sub.blockers.into_iter().chain(sub.warnings).next() {
                jump(state, item.place, fx);
            } else {
                state.status = Some(Status::info("Nothing blocks the export; Enter writes it"));
            }
        }
        Msg::Review(ReviewMsg::JumpToItem(n)) => {
            let sub = state.submission();
            if let Some(item) = sub.blockers.into_iter().chain(sub.warnings).nth(n) {
                jump(state, item.place, fx);
            }
        }
        _ => {}
    }
}

/// Goes where a blocker or a warning can be dealt with.
fn jump(state: &mut State, place: Place, fx: &mut Vec<Effect>) {
    match place {
        Place::RowsWithErrors { first } => {
            super::go_to(state, Step::Fix, fx);
            super::fix::update(state, Msg::Fix(FixMsg::SetFilter(Filter::Errors)), fx);
            if let Some(p) = first.and_then(|r| {
                state
                    .fix
                    .rows
                    .as_ref()
                    .and_then(|rows| rows.iter().position(|x| *x == r))
            }) {
                state.fix.selected = p;
                super::fix::keep_selection_visible(state);
            }
        }
        Place::Unplaced => {
            super::go_to(state, Step::Fix, fx);
            super::unplaced::update(state, Msg::Unplaced(UnplacedMsg::Show), fx);
        }
        Place::Import => super::go_to(state, Step::Import, fx),
        Place::Setting { page, key } => {
            if page == Page::Exchange {
                super::go_to(state, Step::ExchangeAccess, fx);
                state.exchange.focus_setting(&key);
            } else {
                super::go_to(state, Step::Customize, fx);
                state.customize.focus_setting(&key);
            }
        }
        Place::Checklist => {
            super::go_to(state, Step::ExchangeAccess, fx);
            state.exchange.focus_first_unticked(&state.choices);
        }
        Place::ExchangeCheck => {
            super::go_to(state, Step::ExchangeAccess, fx);
            state.status = Some(Status::info(format!(
                "The Exchange check runs from a shell: scc-onboard exchange check --session {}",
                state.session_path.display()
            )));
        }
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
        "Left out {} with errors; u on the Fix step undoes it",
        plural(n, "row", "rows")
    )));
}

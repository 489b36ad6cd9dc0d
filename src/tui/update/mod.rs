//! `update(state, msg) -> effects`: every state change of the wizard, without side effects.

mod choices;
mod fix;
mod import;
mod match_review;
mod review;
mod unplaced;

use super::msg::{Effect, Msg, PopupMsg, ReviewMsg};
use super::state::{Popup, State, Status};
use crate::session::Step;

#[cfg(feature = "testing")]
pub use fix::bulk_changes;
pub use fix::fix_for_row;

/// Start of the banner shown while saving fails (cleared by the next good save).
const SAVE_FAILED: &str = "Session NOT saved";

/// Applies one message. The returned effects are run by the runtime, which feeds their results
/// back as messages. `SaveSession` is always run before the next frame is drawn, so nothing the
/// screen shows as applied can be lost.
pub fn update(state: &mut State, msg: Msg) -> Vec<Effect> {
    let mut fx = Vec::new();
    match msg {
        Msg::Quit => {
            state.quit = true;
            // Where the admin was looking comes back on resume.
            if state.session.is_some() && state.load.is_none() {
                state.record_view();
                fx.push(Effect::SaveSession);
            }
        }
        Msg::Resize(w, h) => {
            state.size = (w, h);
            fix::keep_selection_visible(state);
        }
        Msg::ShowHelp => state.popup = Some(Popup::Help),
        Msg::Popup(PopupMsg::Close) => state.popup = None,
        Msg::Popup(PopupMsg::Confirm) => match state.popup.take() {
            Some(Popup::ConfirmBulk { code, changes }) => {
                fix::apply_bulk(state, code, changes, &mut fx)
            }
            Some(Popup::ConfirmExclude { rows }) => review::exclude(state, rows, &mut fx),
            Some(Popup::ConfirmWarnings { warnings }) => {
                state.review.acknowledged.extend(warnings);
                review::update(state, Msg::Review(ReviewMsg::Export), &mut fx)
            }
            Some(Popup::ConfirmReplace { .. }) => fx.push(Effect::Export {
                dir: state.output_dir(),
                replace: true,
            }),
            other => state.popup = other,
        },
        Msg::NextStep => {
            if let Some(next) = state.step.next_in(state.joined()) {
                go_to(state, next, &mut fx);
            }
        }
        Msg::PrevStep => {
            if let Some(prev) = state.step.prev_in(state.joined()) {
                go_to(state, prev, &mut fx);
            }
        }
        Msg::Saved(Ok(())) => {
            // Only the save failure's own banner: others (unplaced changes) stay.
            if state
                .banner
                .as_ref()
                .is_some_and(|b| b.error && b.text.starts_with(SAVE_FAILED))
            {
                state.banner = None;
            }
        }
        Msg::Saved(Err(e)) => {
            state.banner = Some(Status::error(format!(
                "{SAVE_FAILED} ({e}); your latest changes would be lost on exit"
            )))
        }
        Msg::Text(_) | Msg::CommitInput | Msg::CancelInput
            if matches!(state.popup, Some(Popup::Secret(_))) =>
        {
            super::secret_field::update(state, msg, &mut fx)
        }
        Msg::Secret(_) => super::secret_field::update(state, msg, &mut fx),
        Msg::Text(_) | Msg::CommitInput | Msg::CancelInput => match state.step {
            Step::Import => import::update(state, msg, &mut fx),
            Step::Fix => fix::update(state, msg, &mut fx),
            Step::ReviewExport => review::update(state, msg, &mut fx),
            Step::MatchReview => match_review::update(state, msg, &mut fx),
            _ => {}
        },
        Msg::Import(_) | Msg::Load(_) => import::update(state, msg, &mut fx),
        Msg::Match(_) => match_review::update(state, msg, &mut fx),
        Msg::Fix(_) => fix::update(state, msg, &mut fx),
        Msg::Verify(_) => crate::tui::verify::update(state, msg, &mut fx),
        Msg::Unplaced(_) => unplaced::update(state, msg, &mut fx),
        Msg::Review(_) => review::update(state, msg, &mut fx),
        Msg::Form(_) | Msg::CopyCommand => choices::update(state, msg, &mut fx),
        Msg::ExchangeCheck(_) => super::exchange_check::update(state, msg, &mut fx),
    }
    fx
}

/// Copies `text` (OSC 52) and keeps it for the screen after the wizard exits; the status says
/// honestly what happened, since nothing reports whether the terminal took it.
pub(crate) fn copy(state: &mut State, what: &str, text: String, fx: &mut Vec<Effect>) {
    fx.push(Effect::Copy(text.clone()));
    if !state.copied.contains(&text) {
        state.copied.push(text);
    }
    let reach = if state.in_tmux {
        "tmux passes it on only with set-clipboard on"
    } else {
        "if the terminal allows it"
    };
    state.status = Some(Status::info(format!(
        "{what} sent to the clipboard ({reach}); it is also printed when you quit"
    )));
}

/// Moves to another step; steps after Import need a loaded roster.
fn go_to(state: &mut State, step: Step, fx: &mut Vec<Effect>) {
    if step != Step::Import && state.load.is_some() {
        state.status = Some(Status::error(
            "Wait for the roster to finish loading (Esc cancels)",
        ));
        return;
    }
    if step != Step::Import && state.session.is_none() {
        state.status = Some(Status::error(
            "Open a roster first: pick a file and press Enter on the settings",
        ));
        return;
    }
    if step == Step::MatchReview && state.matching.is_none() {
        state.status = Some(Status::error(
            "Pick the two exports first (source: two exports to join)",
        ));
        return;
    }
    if state.step == Step::MatchReview
        && step == Step::Fix
        && !match_review::continue_to_fix(state, fx)
    {
        return;
    }
    if step != Step::Import
        && step != Step::MatchReview
        && state.roster.is_empty()
        && state.joined()
    {
        state.status = Some(Status::error(
            "Continue from Match review (>) to build the roster first",
        ));
        return;
    }
    state.step = step;
    state.status = None;
    if let Some(s) = &mut state.session {
        s.step = step;
        fx.push(Effect::SaveSession);
    }
    if step == Step::Import {
        state.import.focus = if state.joined() {
            super::state::ImportFocus::Source
        } else {
            super::state::ImportFocus::Settings
        };
    }
    fix::keep_selection_visible(state);
}

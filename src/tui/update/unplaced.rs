//! The "Unplaced changes" list: recorded changes a resume could not put on a row with
//! certainty (the source changed). The admin re-applies each to the row selected in the Fix
//! table, or drops it; both are recorded operations (`Op::Resolve`), saved and undoable.

use crate::session::Op;
use crate::tui::msg::{Effect, Msg, UnplacedMsg};
use crate::tui::state::{Popup, State, Status};

pub(super) fn update(state: &mut State, msg: Msg, fx: &mut Vec<Effect>) {
    let count = state.session.as_ref().map_or(0, |s| s.unplaced.len());
    match msg {
        Msg::Unplaced(UnplacedMsg::Show) if count == 0 => {
            state.status = Some(Status::info("No unplaced changes"));
        }
        Msg::Unplaced(UnplacedMsg::Show) => state.popup = Some(Popup::Unplaced { selected: 0 }),
        Msg::Unplaced(UnplacedMsg::Move(d)) => {
            if let Some(Popup::Unplaced { selected }) = &mut state.popup {
                *selected =
                    (*selected as isize + d).clamp(0, count.saturating_sub(1) as isize) as usize;
            }
        }
        Msg::Unplaced(UnplacedMsg::Reapply) | Msg::Unplaced(UnplacedMsg::Drop) => {
            let Some(Popup::Unplaced { selected }) = state.popup else {
                return;
            };
            let Some(item) = state
                .session
                .as_ref()
                .and_then(|s| s.unplaced.get(selected).cloned())
            else {
                return;
            };
            let apply = if matches!(msg, Msg::Unplaced(UnplacedMsg::Reapply)) {
                let Some(row) = state.selected_row() else {
                    state.status =
                        Some(Status::info("Select the user's row in the Fix table first"));
                    return;
                };
                Some(Box::new(item.reapply_to(&state.roster, row)))
            } else {
                None
            };
            let text = match &apply {
                Some(_) => {
                    let row = state.selected_row().unwrap_or(0);
                    let rec = state.roster.record(row);
                    format!(
                        "Re-applied {} to line {} ({}); u undoes it",
                        item.what(),
                        rec.line,
                        crate::session::user_of(&rec.cells)
                    )
                }
                None => format!("Dropped {} (line {}); u undoes it", item.what(), item.line),
            };
            super::fix::perform(state, Op::Resolve { item, apply }, fx);
            state.status = Some(Status::info(text));
            refresh_banner(state);
        }
        _ => {}
    }
}

/// Keeps the banner's count (and the open list's selection) in step with the unplaced list.
pub(super) fn refresh_banner(state: &mut State) {
    let count = state.session.as_ref().map_or(0, |s| s.unplaced.len());
    if let Some(Popup::Unplaced { selected }) = &mut state.popup {
        if count == 0 {
            state.popup = None;
        } else {
            *selected = (*selected).min(count - 1);
        }
    }
    let was_unplaced = state
        .banner
        .as_ref()
        .is_some_and(|b| b.text.contains(BANNER_MARK));
    if count > 0 {
        state.banner = Some(Status::error(banner_text(count)));
    } else if was_unplaced {
        state.banner = Some(Status::info(
            "Every unplaced change is resolved (re-applied or dropped)",
        ));
    }
}

/// Words every unplaced-changes banner contains (so it can be told from other banners).
pub(super) const BANNER_MARK: &str = "NOT applied";

/// The banner for `count` unplaced changes.
pub(super) fn banner_text(count: usize) -> String {
    // What to do first: an 80-column screen cuts the rest.
    format!(
        "{count} change(s) {BANNER_MARK}: p on Fix lists them (their user's row was not found \
         with certainty)"
    )
}

//! The Customize and Exchange access steps: keys go to their components, every choice change
//! becomes a session operation (autosaved, undoable, restored on resume).

use crate::customize::file::from_json_value;
use crate::customize::{ChoiceEdit, RosterFacts};
use crate::session::{Op, Step};
use crate::tui::msg::{Effect, Msg};
use crate::tui::state::{State, Status};

pub(super) fn update(state: &mut State, msg: Msg, fx: &mut Vec<Effect>) {
    match msg {
        Msg::Form(form) => {
            let edit = match state.step {
                Step::Customize => state.customize.update(form, &state.choices),
                Step::ExchangeAccess => state.exchange.update(form, &state.choices),
                _ => None,
            };
            if let Some(edit) = edit {
                perform(state, edit, fx);
            } else if let Some(why) = state.exchange.take_refusal() {
                state.status = Some(Status::error(why));
            }
        }
        Msg::CopyCommand => match state.exchange.focused_command(&state.choices) {
            Some(cmd) => super::copy(state, "Command", cmd, fx),
            None => {
                state.status = Some(Status::info(
                    "Move to a checklist item with a command to copy it",
                ))
            }
        },
        _ => {}
    }
}

/// Applies a new choice change, records it (clearing redo) and asks for a save.
fn perform(state: &mut State, edit: ChoiceEdit, fx: &mut Vec<Effect>) {
    if state.session.is_none() {
        return;
    }
    state.choices.apply(&edit);
    let said = Op::Choice { edit: edit.clone() }.said(state.customize.catalogue());
    state.status = Some(Status::info(format!(
        "{}{}",
        said[..1].to_uppercase(),
        &said[1..]
    )));
    sync(state);
    if let Some(s) = &mut state.session {
        s.history.push(Op::Choice { edit });
        s.redo.clear();
    }
    fx.push(Effect::SaveSession);
}

/// Undoes (`undo`) or redoes a recorded choice change.
pub(super) fn undo_redo(state: &mut State, edit: &ChoiceEdit, undo: bool) {
    if undo {
        state.choices.revert(edit);
    } else {
        state.choices.apply(edit);
    }
    sync(state);
}

/// Mirrors the choices into the session, which is what is saved and resumed.
fn sync(state: &mut State) {
    if let Some(s) = &mut state.session {
        s.customization = serde_json::to_value(&state.choices).unwrap_or_default();
    }
}

/// Once the roster has loaded: the roster's facts for the forms, and the choices — the
/// session's, or the defaults derived from the roster (internal domains, tenant).
pub(super) fn roster_loaded(state: &mut State) {
    let facts = RosterFacts::from_roster(&state.roster);
    state.customize.set_facts(facts.clone());
    state.exchange.set_facts(facts.clone());
    let cat = state.customize.catalogue().clone();
    let saved = state
        .session
        .as_ref()
        .map(|s| s.customization.clone())
        .unwrap_or_default();
    state.choices = match from_json_value(saved, None, "the saved session", &cat, &facts) {
        Ok(c) => c,
        Err(e) => {
            state.banner = Some(Status::error(format!(
                "Saved choices could not be read ({e}); the defaults are shown"
            )));
            crate::customize::Choices::defaults(&cat, &facts)
        }
    };
    sync(state);
    crate::tui::exchange_check::restore(state);
}

//! The Authorize step: what the screen shows of a running flow. No plan signs an account in
//! to Exchange here: app-only access uses the app's own token, and an impersonating account
//! (Exchange Server) its password; a user-delegated sign-in of that account would grant
//! nothing over other mailboxes. So `a`/`d` start nothing.

use crate::tui::msg::{AuthorizeMsg, Effect, Msg};
use crate::tui::state::State;

pub(super) fn update(state: &mut State, msg: Msg, fx: &mut Vec<Effect>) {
    match msg {
        Msg::Authorize(AuthorizeMsg::Cancel) if state.auth.running => {
            fx.push(Effect::CancelAuthorize)
        }
        Msg::Authorize(AuthorizeMsg::CopyUrl) => {
            if let Some(url) = state.auth.url.clone() {
                super::copy(state, "URL", url, fx);
            }
        }
        _ => {}
    }
}

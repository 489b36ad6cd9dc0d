//! The Authorize step: what the screen shows of a running flow. No plan signs an account in
//! to Exchange here: app-only access uses the app's own token, and an impersonating account
//! (Exchange Server) its password; a user-delegated sign-in of that account would grant
//! nothing over other mailboxes. So `a`/`d` start nothing.

use crate::auth::Progress;
use crate::tui::msg::{Effect, Msg};
use crate::tui::state::{State, Status};

pub(super) fn update(state: &mut State, msg: Msg, fx: &mut Vec<Effect>) {
    match msg {
        Msg::CancelAuthorize if state.auth.running => fx.push(Effect::CancelAuthorize),
        Msg::CopyAuthUrl => {
            if let Some(url) = state.auth.url.clone() {
                super::copy(state, "URL", url, fx);
            }
        }
        Msg::AuthProgress(p) => {
            let text = match p {
                Progress::OpenUrl(url) => {
                    state.auth.url = Some(url);
                    "Sign in as the impersonating account in the browser (or open the URL)".into()
                }
                Progress::BrowserFailed(why) => {
                    format!("The browser did not start ({why}); open the URL below")
                }
                Progress::DeviceCode { uri, code, .. } => {
                    state.auth.url = Some(uri);
                    state.auth.device_code = Some(code);
                    device_text(&state.auth)
                }
                Progress::Waiting if state.auth.device_code.is_some() => device_text(&state.auth),
                Progress::Waiting => "Waiting for the browser…".into(),
                Progress::Exchanging => "Checking who signed in…".into(),
            };
            state.auth.message = Some(Status::info(text));
        }
        Msg::AuthStatusRead(result) if !state.auth.running => {
            state.auth.message = Some(match result {
                Ok(text) => Status::info(text),
                Err(text) => Status::error(text),
            });
        }
        Msg::AuthDone(result) => {
            state.auth.running = false;
            state.auth.url = None;
            state.auth.device_code = None;
            state.auth.message = Some(match result {
                Ok(text) => Status::info(text),
                Err(text) => Status::error(text),
            });
        }
        _ => {}
    }
}

fn device_text(auth: &crate::tui::state::AuthState) -> String {
    format!(
        "Waiting: on any device, open the address below and enter the code {}",
        auth.device_code.as_deref().unwrap_or_default()
    )
}

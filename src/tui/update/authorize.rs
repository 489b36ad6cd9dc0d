//! The Authorize step: in impersonation mode the impersonating account authorizes Exchange
//! here. The flow runs on the runtime's thread; this only keeps what the screen shows.

use crate::auth::Progress;
use crate::tui::msg::{Effect, Msg};
use crate::tui::state::{State, Status};

pub(super) fn update(state: &mut State, msg: Msg, fx: &mut Vec<Effect>) {
    let cat = state.customize.catalogue().clone();
    match msg {
        // No plan signs an account in to Exchange here any more: app-only access uses the
        // app's own token, and an impersonating account (Exchange Server) its password; a
        // user-delegated sign-in of that account would grant nothing over other mailboxes.
        Msg::AuthorizeAccount { .. } if !state.auth.running => {
            let _ = (&cat, &fx);
        }
        Msg::CancelAuthorize if state.auth.running => fx.push(Effect::CancelAuthorize),
        Msg::CopyAuthUrl => {
            if let Some(url) = state.auth.url.clone() {
                super::copy(state, "URL", url, fx);
            } else if let Some(command) = account_command(state) {
                // A long command wraps on screen; copied, it stays one line.
                super::copy(state, "Command", command, fx);
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

/// On entering the step in impersonation mode: ask the keyring whether the account is
/// already authorized (unless a flow is running; its result will say).
pub(super) fn read_status(state: &mut State, fx: &mut Vec<Effect>) {
    // Nothing to read: no account signs in on this step (see `update`).
    let _ = (state, fx);
}

/// In impersonation mode, the one-line command (this machine's shell) that authorizes the
/// impersonating account elsewhere: the last export's `user-config.toml` by its full path.
pub fn account_command(state: &State) -> Option<String> {
    // No account signs in on this step (see `update`), so there is no command to offer.
    if !state.auth.running {
        return None;
    }
    let cat = state.customize.catalogue();
    let account = state.choices.text(cat, "impersonation_account");
    let config = match &state.review.exported {
        Some(dir) => std::path::Path::new(dir)
            .join("user-config.toml")
            .display()
            .to_string(),
        None => "user-config.toml".into(),
    };
    Some(crate::bundle::invitations::Shell::native().command(&[
        "scc-onboard",
        "authorize",
        "exchange",
        "--config",
        &config,
        "--login",
        if account.trim().is_empty() {
            "<account>"
        } else {
            account.trim()
        },
    ]))
}

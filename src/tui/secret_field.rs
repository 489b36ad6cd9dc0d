//! The Exchange access step's masked field: `p` opens it when the plan needs a secret
//! (app_only: the Entra app's client secret; impersonation: the impersonating account's
//! password). Every character is drawn as `•`; Enter hands the value to the runtime, which
//! stores it off the screen thread with `usecase::exchange_secret::store` (the function
//! `exchange store-secret` uses), and the state keeps nothing of it; Esc drops it.

use super::msg::{Effect, Msg, SecretMsg};
use super::state::{Popup, State, Status};
use super::widgets::text_input::TextInput;
use crate::customize::Mode;
use crate::session::Step;
use crate::usecase::exchange_check::{CheckPlan, Needs};
use crate::usecase::exchange_secret::Secret;

/// The key that opens the field (hint bar and help say it).
pub(super) const KEY: char = 'p';

/// The mask drawn for each character typed.
pub(super) const MASK: char = '•';

/// The open field: what it asks for and what has been typed (never shown, never printed).
#[derive(Clone, PartialEq, Eq)]
pub struct SecretPrompt {
    /// "the Entra app's client secret" / "the password of svc@contoso.com".
    pub what: String,
    input: TextInput,
}

impl std::fmt::Debug for SecretPrompt {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SecretPrompt")
            .field("what", &self.what)
            .field("typed", &"[redacted]")
            .finish()
    }
}

impl SecretPrompt {
    /// The field as it is drawn: one mask per character, and the cursor's column.
    pub fn masked(&self) -> (String, usize) {
        let n = self.input.value().chars().count();
        (MASK.to_string().repeat(n), self.input.cursor())
    }
}

/// What the plan on the step needs stored, in words; None when it needs nothing (per_user),
/// or the reason the plan cannot have one (impersonation in Exchange Online).
fn needed(state: &State) -> Result<Option<String>, String> {
    let plan = state.exchange.plan(&state.choices);
    let check = CheckPlan::from_plan(&plan, &crate::auth::Config::default().microsoft)
        .map_err(|e| e.to_string())?;
    Ok(match check.needs() {
        Needs::Nothing => None,
        Needs::ClientSecret => Some("the Entra app's client secret".to_string()),
        Needs::Password => {
            let account = plan.impersonation_account.unwrap_or_default();
            if account.trim().is_empty() {
                return Err(
                    "Set impersonation_account first: its password is kept under it".into(),
                );
            }
            Some(format!("the password of {}", account.trim()))
        }
    })
}

/// Whether `p` means anything on the step as the choices stand (the hint bar shows it then).
pub(super) fn offered(state: &State) -> bool {
    state.step == Step::ExchangeAccess
        && matches!(
            state.exchange.plan(&state.choices).mode,
            Mode::AppOnly | Mode::Impersonation
        )
}

/// The field's messages: open, typing, Enter, Esc, and the keyring's answer.
pub(super) fn update(state: &mut State, msg: Msg, fx: &mut Vec<Effect>) {
    match msg {
        Msg::Secret(SecretMsg::Enter) => match needed(state) {
            Ok(Some(what)) => {
                state.popup = Some(Popup::Secret(SecretPrompt {
                    what,
                    input: TextInput::default(),
                }))
            }
            Ok(None) => {
                state.status = Some(Status::info(
                    "This plan keeps no secret: every user authorizes their own mailbox",
                ))
            }
            Err(why) => state.status = Some(Status::error(why)),
        },
        Msg::Text(edit) => {
            if let Some(Popup::Secret(p)) = &mut state.popup {
                p.input.apply(&edit);
            }
        }
        Msg::CancelInput => {
            // Dropped here: the typed value goes with the popup.
            state.popup = None;
            state.status = Some(Status::info("Nothing stored"));
        }
        Msg::CommitInput => {
            let Some(Popup::Secret(p)) = state.popup.take() else {
                return;
            };
            let SecretPrompt { what, input } = p;
            let secret = Secret::new(input.into_value());
            if secret.is_blank() {
                state.status = Some(Status::error(format!(
                    "Nothing typed: {what} was not stored"
                )));
                return;
            }
            state.status = Some(Status::info(format!("Storing {what} in the OS keyring…")));
            fx.push(Effect::StoreExchangeSecret(secret));
        }
        Msg::Secret(SecretMsg::Stored(outcome)) => {
            state.status = Some(match outcome {
                Ok(said) => Status::info(said),
                Err(e) => Status::error(format!("Not stored: {e}")),
            });
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::customize::Value;
    use crate::tui::update::update;
    use crate::tui::widgets::text_input::TextEdit;

    fn app_only_step() -> State {
        let mut state = State::new("s.json".into(), crate::tui::theme::Theme::plain());
        state.step = Step::ExchangeAccess;
        state
            .choices
            .set("mailbox_access", Value::Text("app_only".into()));
        state
    }

    fn type_text(state: &mut State, text: &str) {
        for c in text.chars() {
            update(state, Msg::Text(TextEdit::Insert(c)));
        }
    }

    #[test]
    fn enter_hands_the_value_to_the_runtime_and_keeps_none_of_it() {
        let mut state = app_only_step();
        assert!(offered(&state));
        update(&mut state, Msg::Secret(SecretMsg::Enter));
        type_text(&mut state, "hunter2");
        assert!(!format!("{:?}", state.popup).contains("hunter2"));
        let fx = update(&mut state, Msg::CommitInput);
        assert!(state.popup.is_none());
        let [Effect::StoreExchangeSecret(secret)] = fx.as_slice() else {
            panic!("Enter stores: {fx:?}");
        };
        assert!(!format!("{fx:?}").contains("hunter2"));
        assert!(!secret.is_blank());
        // Nothing of it in the state (what is saved, drawn or printed).
        let status = state.status.clone().unwrap().text;
        assert!(!status.contains("hunter2"), "{status}");
        assert!(!serde_json::to_string(&state.choices)
            .unwrap()
            .contains("hunter2"));

        update(
            &mut state,
            Msg::Secret(SecretMsg::Stored(Ok(
                "Stored the client secret of app x in the OS keyring".into(),
            ))),
        );
        assert!(state.status.unwrap().text.contains("OS keyring"));
    }

    #[test]
    fn esc_drops_it_and_per_user_has_nothing_to_store() {
        let mut state = app_only_step();
        update(&mut state, Msg::Secret(SecretMsg::Enter));
        type_text(&mut state, "hunter2");
        let fx = update(&mut state, Msg::CancelInput);
        assert!(fx.is_empty() && state.popup.is_none());
        // A blank Enter stores nothing.
        update(&mut state, Msg::Secret(SecretMsg::Enter));
        assert!(update(&mut state, Msg::CommitInput).is_empty());

        state
            .choices
            .set("mailbox_access", Value::Text("per_user".into()));
        assert!(!offered(&state));
        update(&mut state, Msg::Secret(SecretMsg::Enter));
        assert!(state.popup.is_none());
    }
}

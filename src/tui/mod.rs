//! The terminal user interface: a thin shell in the Elm shape. Keys map to messages
//! ([`keys::handle_key`]), [`update::update`] changes the [`state::State`] and returns
//! [`msg::Effect`]s, [`view::view`] draws, and [`runtime`] runs effects and feeds their results
//! back as messages. Everything but `runtime` and `terminal` is pure and tested without a terminal.
//!
//! Each wizard step has a slot in `view::view`, `keys::handle_key` and `update`, keyed by
//! [`crate::session::Step`].

// Without the `testing` feature the module is private to the crate: what it marks `pub` for the
// tests (State, update, view, the forms) is then unreachable, and that is expected.
#![cfg_attr(not(feature = "testing"), allow(unreachable_pub))]

pub(crate) mod authorize;
mod complete;
pub mod customize;
mod event_loop;
pub mod exchange;
mod exchange_check;
mod keymap;
mod keys;
pub mod layout;
pub mod match_review;
mod msg;
pub mod runtime;
mod secret_field;
pub mod secret_prompt;
mod setting_form;
pub mod state;
mod terminal;
pub mod theme;
pub mod update;
mod verify;
pub mod view;
pub mod widgets;

pub use keys::{handle_key, handle_mouse};
#[cfg(feature = "testing")]
pub use msg::{
    Effect, ExchangeCheckMsg, FixMsg, ImportMsg, LoadMsg, MatchMsg, Msg, PopupMsg, ReviewMsg,
    SecretMsg, UnplacedMsg, VerifyMsg,
};
#[cfg(feature = "testing")]
pub use state::State;
pub use update::update;
pub use view::view;

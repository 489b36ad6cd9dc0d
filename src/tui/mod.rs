//! The terminal user interface: a thin shell in the Elm shape. Keys map to messages
//! ([`keys::handle_key`]), [`update::update`] changes the [`state::State`] and returns
//! [`msg::Effect`]s, [`view::view`] draws, and [`runtime`] runs effects and feeds their results
//! back as messages. Everything but `runtime` and `terminal` is pure and tested without a terminal.
//!
//! Steps built elsewhere (Customize, Exchange access, Authorize) currently render
//! `view::placeholder`; each gets a slot in `view::view`, `keys::handle_key` and `update` keyed by
//! [`crate::session::Step`].

pub mod authorize;
pub mod complete;
pub mod customize;
pub mod event_loop;
pub mod exchange;
pub mod exchange_check;
pub mod keymap;
pub mod keys;
pub mod layout;
pub mod match_review;
pub mod msg;
pub mod runtime;
pub mod secret_field;
pub mod secret_prompt;
pub mod setting_form;
pub mod state;
pub mod terminal;
pub mod theme;
pub mod update;
pub mod verify;
pub mod view;
pub mod widgets;

pub use keys::{handle_key, handle_mouse};
pub use msg::{Effect, Msg};
pub use state::State;
pub use update::update;
pub use view::view;

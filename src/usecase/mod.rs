//! Use cases: what a person can do, each returning a typed outcome or a typed error, shared by
//! every face (the CLI renders text and exit codes, the TUIs turn outcomes into messages).
//! Nothing here prints or knows about exit codes or terminals, and nothing here imports
//! `cli` or `tui` (tests/it/architecture.rs holds that wall).
//!
//! (`session::ops` is a different thing: the wizard's undoable edit log.)

pub(crate) mod admin;
pub(crate) mod authorize;
pub(crate) mod credentials;
pub mod directory_api;
pub mod exchange_check;
pub(crate) mod exchange_secret;
pub(crate) mod export;
pub mod load;
pub mod match_review;
pub(crate) mod roster_join;
pub mod roster_pull;
pub(crate) mod roster_source;
pub mod roster_verify;
pub(crate) mod submission;
pub(crate) mod validate;

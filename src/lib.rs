//! scc-onboard: onboard an organization to SmartCloud Connect.
//!
//! The library holds the pure core (roster import, validation, fixes, session state,
//! OAuth logic) and `usecase` (what a person can do, as typed outcomes); `tui` and `cli` are
//! thin shells over them. See ARCHITECTURE.md.

pub mod auth;
pub mod bundle;
pub mod cli;
pub mod customize;
pub mod directory;
pub mod fsutil;
pub mod roster;
pub mod session;
pub mod timefmt;
pub mod tui;
pub mod usecase;

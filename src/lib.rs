//! scc-onboard: onboard an organization to SmartCloud Connect.
//!
//! The library holds the pure core (roster import, validation, fixes, session state,
//! OAuth logic); `tui` and `cli` are thin shells over it. See ARCHITECTURE.md.

pub mod auth;
pub mod bundle;
pub mod cli;
pub mod customize;
pub mod fsutil;
pub mod roster;
pub mod session;
pub mod timefmt;
pub mod tui;

//! scc-onboard: onboard an organization to SmartCloud Connect.
//!
//! The library holds the pure core (roster import, validation, fixes, session state,
//! OAuth logic) and `usecase` (what a person can do, as typed outcomes); `tui` and `cli` are
//! thin shells over them. See ARCHITECTURE.md.
//!
//! The public surface is the core's façades below; the binary calls [`run`]. The TUI's pure
//! parts (`State`, `update`, `view`, for TestBackend snapshots) and the test helpers are public
//! only with the `testing` feature, which the crate's own tests, benches and examples turn on.

#![warn(unreachable_pub)]

pub mod auth;
pub mod bundle;
mod cli;
pub mod customize;
pub mod directory;
mod fsutil;
pub mod memory;
pub mod roster;
pub mod session;
mod timefmt;
/// Public only for the tests' snapshots and key walks (`testing` feature); the binary reaches
/// it through [`run`].
#[cfg(feature = "testing")]
pub mod tui;
#[cfg(not(feature = "testing"))]
mod tui;
pub mod usecase;

/// Runs the command line (`scc-onboard …`, or the wizard with no subcommand) and returns the
/// process's exit code.
pub fn run() -> std::process::ExitCode {
    cli::main()
}

//! `scc-onboard roster …`: making a roster from its sources (the Salesforce and Microsoft 365
//! user lists). One file per subcommand; this file only lists them.

use super::roster_join;
use clap::{Args, Subcommand};
use std::process::ExitCode;

/// Arguments of `roster`.
#[derive(Args, Debug)]
pub struct RosterArgs {
    #[command(subcommand)]
    pub command: RosterCommand,
}

/// The `roster` subcommands.
#[derive(Subcommand, Debug)]
pub enum RosterCommand {
    /// Join a Salesforce users export and a Microsoft 365 users export into a roster, by
    /// e-mail, username and federation ID (never by name).
    Join(roster_join::JoinArgs),
}

pub fn run(args: RosterArgs) -> ExitCode {
    match args.command {
        RosterCommand::Join(a) => roster_join::run(a),
    }
}

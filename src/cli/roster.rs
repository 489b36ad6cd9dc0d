//! `scc-onboard roster …`: making a roster from its sources (the Salesforce and Microsoft 365
//! user lists). One file per subcommand; this file only lists them.

use super::Exit;
use super::{roster_join, roster_pull, roster_verify};
use clap::{Args, Subcommand};

/// Arguments of `roster`.
#[derive(Args, Debug)]
pub(crate) struct RosterArgs {
    #[command(subcommand)]
    pub command: RosterCommand,
}

/// The `roster` subcommands.
#[derive(Subcommand, Debug)]
pub(crate) enum RosterCommand {
    /// Join a Salesforce users export and a Microsoft 365 users export into a roster, by
    /// e-mail, username and federation ID (never by name).
    Join(roster_join::JoinArgs),
    /// Pull the users live from Salesforce and Microsoft 365 (an administrator signs in) and
    /// join them into a roster, as `roster join` does with two exports.
    Pull(roster_pull::PullArgs),
    /// Check every row of a roster against the live Salesforce and Microsoft 365 directories.
    Verify(roster_verify::VerifyArgs),
}

pub(super) fn run(args: RosterArgs) -> Exit {
    match args.command {
        RosterCommand::Join(a) => roster_join::run(a),
        RosterCommand::Pull(a) => roster_pull::run(a),
        RosterCommand::Verify(a) => roster_verify::run(a),
    }
}

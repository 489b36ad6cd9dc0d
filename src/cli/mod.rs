//! Command-line interface: argument parsing and the non-interactive commands.
//!
//! Every wizard step has a subcommand here built on the same core, so scripts can do what
//! the wizard does. Exit codes: 0 success, 1 problems found / not done, 2 bad input or usage.

pub mod authorize;
pub mod credentials;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// Exit code: the input or the command line cannot be used.
pub const EXIT_USAGE: u8 = 2;
/// Exit code: the command ran and found errors (or did not complete, e.g. authorization denied).
pub const EXIT_PROBLEMS: u8 = 1;

/// Top-level arguments.
#[derive(Parser, Debug)]
#[command(
    name = "scc-onboard",
    version,
    about = "Onboard an organization to SmartCloud Connect"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// The subcommands; with none, the wizard opens.
#[derive(Subcommand, Debug)]
pub enum Command {
    /// Write the blank roster template.
    Template {
        /// Output file (default: stdout).
        #[arg(short, long)]
        output: Option<std::path::PathBuf>,
    },
    /// Authorize Salesforce or Exchange (no provider: open the authorize screen).
    Authorize(authorize::AuthorizeArgs),
    /// List, renew or revoke stored authorizations.
    Credentials(credentials::CredentialsArgs),
}

/// Entry point of the binary.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        None => ExitCode::SUCCESS,
        Some(Command::Template { .. }) => ExitCode::SUCCESS,
        Some(Command::Authorize(args)) => authorize::run(args),
        Some(Command::Credentials(args)) => credentials::run(args),
    }
}

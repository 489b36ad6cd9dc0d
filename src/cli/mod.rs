//! Command-line interface: argument parsing and the non-interactive commands.
//!
//! Every wizard step has a subcommand here built on the same core, so scripts can do what
//! the wizard does. Exit codes: 0 success, 1 problems found / not done, 2 bad input or usage.

mod authorize;
mod credentials;
mod customize;
mod exchange;
mod export;
mod import_args;
mod roster;
mod roster_join;
mod roster_pull;
mod roster_verify;
mod validate;
mod validate_json;
mod wizard;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// How a command ended, once it has rendered its outcome. Each command returns one; [`main`]
/// alone turns it into the process's exit code (ripgrep's shape), so no command builds an
/// `ExitCode` itself. Ordered by severity: the worst of several is their `max`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Exit {
    /// Done (exit 0).
    Success,
    /// The command ran and found problems, or did not complete (e.g. authorization denied)
    /// (exit 1).
    Problems,
    /// The input or the command line cannot be used (exit 2).
    Usage,
}

impl Exit {
    /// The process exit code: the one mapping point.
    pub(crate) fn code(self) -> ExitCode {
        ExitCode::from(match self {
            Exit::Success => 0,
            Exit::Problems => 1,
            Exit::Usage => 2,
        })
    }
}

/// Top-level arguments.
#[derive(Parser, Debug)]
#[command(
    name = "scc-onboard",
    version,
    about = "Onboard an organization to SmartCloud Connect"
)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// The subcommands; with none, the wizard opens.
#[derive(Subcommand, Debug)]
pub(crate) enum Command {
    /// Check a roster: every problem with line, column and suggested fix.
    Validate(validate::ValidateArgs),
    /// Open the full-screen wizard (the default with no subcommand).
    Wizard(wizard::WizardArgs),
    /// Print a choices template (every setting, its default and help), or check a choices file.
    Customize(customize::CustomizeArgs),
    /// Write the submission bundle (users.csv, customization, report, manifest) to a folder.
    Export(export::ExportArgs),
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
    /// Exchange access: `exchange check` verifies the app reaches every included mailbox.
    Exchange(exchange::ExchangeArgs),
    /// Make a roster from its sources: `roster join` joins the two systems' user exports.
    Roster(roster::RosterArgs),
}

/// Entry point of the binary.
pub(crate) fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                Exit::Usage
            } else {
                Exit::Success
            }
            .code();
        }
    };
    let ended = match cli.command {
        None => wizard::run(wizard::WizardArgs::default()),
        Some(Command::Wizard(args)) => wizard::run(args),
        Some(Command::Validate(args)) => validate::run(args),
        Some(Command::Customize(args)) => customize::run(args),
        Some(Command::Export(args)) => export::run(args),
        Some(Command::Template { output }) => template(output),
        Some(Command::Authorize(args)) => authorize::run(args),
        Some(Command::Credentials(args)) => credentials::run(args),
        Some(Command::Exchange(args)) => exchange::run(args),
        Some(Command::Roster(args)) => roster::run(args),
    };
    ended.code()
}

fn template(output: Option<std::path::PathBuf>) -> Exit {
    let bytes = crate::roster::export::template();
    let res = match &output {
        Some(p) => crate::fsutil::write_atomic(p, |w| w.write_all(&bytes)),
        None => std::io::Write::write_all(&mut std::io::stdout(), &bytes),
    };
    match res {
        Ok(()) => Exit::Success,
        Err(e) => {
            let target = output.map_or("stdout".into(), |p| p.display().to_string());
            eprintln!("scc-onboard: cannot write {target}: {e}");
            Exit::Usage
        }
    }
}

//! Command-line interface: argument parsing and the non-interactive commands.

use clap::Parser;
use std::process::ExitCode;

/// Top-level arguments.
#[derive(Parser, Debug)]
#[command(name = "scc-onboard", version, about = "Onboard an organization to SmartCloud Connect")]
pub struct Cli {}

/// Entry point of the binary.
pub fn main() -> ExitCode {
    let _cli = Cli::parse();
    ExitCode::SUCCESS
}

//! `scc-onboard` / `scc-onboard wizard`: the full-screen wizard.

use super::Exit;
use crate::tui::runtime::{self, Options};
use clap::Args;
use std::io::IsTerminal;
use std::path::PathBuf;

/// Arguments of `scc-onboard wizard`.
#[derive(Args, Debug, Default, Clone)]
pub(crate) struct WizardArgs {
    /// Roster CSV to open.
    pub roster: Option<PathBuf>,
    /// Session file (default: session.json in the user's data folder).
    #[arg(long, value_name = "PATH")]
    pub session: Option<PathBuf>,
    /// Capture the mouse: click selects a cell, the wheel scrolls (text is then not selectable).
    #[arg(long)]
    pub mouse: bool,
}

/// Runs the wizard.
pub(super) fn run(args: WizardArgs) -> Exit {
    // The session file is rewritten on every change: it must never be the roster itself.
    if let (Some(roster), Some(session)) = (&args.roster, &args.session) {
        let inputs = [("the roster to open", roster.as_path())];
        if let Err(e) = crate::fsutil::check_output_is_not_input(session, &inputs) {
            eprintln!("scc-onboard: --session {e}");
            return Exit::Usage;
        }
    }
    if !std::io::stderr().is_terminal() || !std::io::stdin().is_terminal() {
        eprintln!(
            "scc-onboard: the wizard needs a terminal. Use the subcommands (scc-onboard --help) in scripts."
        );
        return Exit::Usage;
    }
    let Some(session_path) = args.session.or_else(crate::session::default_path) else {
        eprintln!("scc-onboard: no user data folder found; pass --session PATH");
        return Exit::Usage;
    };
    match runtime::run(Options {
        roster: args.roster,
        session_path,
        mouse: args.mouse,
    }) {
        Ok(()) => Exit::Success,
        Err(e) => {
            eprintln!("scc-onboard: {e:#}");
            Exit::Usage
        }
    }
}

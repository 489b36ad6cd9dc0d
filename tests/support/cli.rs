//! The real binary run as a user runs it: one runner for every CLI test module.

use std::path::Path;
use std::process::{Command, Output};

/// The binary with colour off, so output compares as plain text.
pub fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_scc-onboard"));
    c.env("NO_COLOR", "1");
    c
}

/// Runs the binary in the test's own working directory.
pub fn run(args: &[&str]) -> Output {
    bin().args(args).output().expect("runs")
}

/// Runs the binary in `cwd` (where relative paths in `args` and its outputs land).
pub fn run_in(args: &[&str], cwd: &Path) -> Output {
    bin().args(args).current_dir(cwd).output().expect("runs")
}

/// Bytes the binary printed, as text.
pub fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

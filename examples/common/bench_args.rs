//! What the whole-file benchmarks share: `--runs N`, the roster to measure (a file, or `--rows N`
//! rows generated) and the median of their runs.

use scc_onboard::roster::synth::{generate, SynthOptions};
use std::path::PathBuf;

/// `--runs N`, or `default`.
pub fn runs(args: &[String], default: usize) -> usize {
    args.iter()
        .position(|a| a == "--runs")
        .and_then(|i| args.get(i + 1)?.parse().ok())
        .unwrap_or(default)
}

/// The roster to measure: `--rows N` rows generated into a temporary folder (the returned
/// guard keeps it until dropped), else the first argument; `usage` when there is neither.
pub fn roster(args: &[String], usage: &str) -> (PathBuf, Option<tempfile::TempDir>) {
    match args.iter().position(|a| a == "--rows") {
        Some(i) => {
            let rows = args[i + 1].parse().expect("--rows N");
            let s = generate(&SynthOptions {
                rows,
                ..Default::default()
            });
            let dir = tempfile::tempdir().expect("temp dir");
            let p = dir.path().join("roster.csv");
            std::fs::write(&p, s.csv).expect("write roster");
            (p, Some(dir))
        }
        None => (PathBuf::from(args.first().expect(usage)), None),
    }
}

/// The median of paired runs' figures (the mean of the middle two for an even count).
pub fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    let n = xs.len();
    if n % 2 == 1 {
        xs[n / 2]
    } else {
        (xs[n / 2 - 1] + xs[n / 2]) / 2.0
    }
}

//! Join figures: reading a Salesforce users export and a Microsoft 365 users export and
//! joining them, on a generated pair (`directory::synth`) of the issue's size.
//!
//! ```text
//! cargo run --release --example join_bench -- [--salesforce 100000] [--microsoft 300000]
//!     [--seed 1] [--runs 3] [--keep DIR]
//! ```
//! Writes the pair (and its truth file) to a temporary folder (or DIR, kept), then runs a fresh
//! process per run that reads both files (at once, `directory::read_both`, as `roster join`
//! does) and joins them, and prints per phase the best and the median wall time (with the
//! load average: on a shared machine compare runs made alternately), and the peak memory
//! (VmHWM) of the whole process and of the join alone (the peak is reset after reading, so
//! the join's figure is what is resident while joining: both lists plus the join's index). Checks the outcome against the truth, so a fast wrong join
//! cannot pass.

use scc_onboard::directory::synth::{self, Expected, PairOptions};
use scc_onboard::directory::{self, JoinOptions};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Resets the peak to the current resident size (Linux 4.0+); false where not possible.
fn reset_peak() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

fn arg(args: &[String], name: &str) -> Option<String> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
}

/// One measured run in this process: prints `read_ms join_ms peak_kib join_peak_kib matched`.
fn once(sf_path: &Path, ms_path: &Path) {
    let t = Instant::now();
    let ((sf, _), (ms, _)) = directory::read_both(sf_path, ms_path).expect("both exports");
    let read = t.elapsed();
    let after_read = peak_rss_kib().unwrap_or(0);
    let reset = reset_peak();
    let t = Instant::now();
    let out = directory::join(&sf, &ms, &JoinOptions::default());
    let join = t.elapsed();
    let join_peak = if reset {
        peak_rss_kib().unwrap_or(0)
    } else {
        0
    };
    let peak = after_read.max(join_peak);
    println!(
        "{} {} {peak} {join_peak} {}",
        read.as_secs_f64() * 1e3,
        join.as_secs_f64() * 1e3,
        out.matched.len()
    );
    std::hint::black_box(out);
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("--once") {
        once(Path::new(&args[1]), Path::new(&args[2]));
        return;
    }
    let n_sf: usize = arg(&args, "--salesforce").map_or(100_000, |v| v.parse().expect("number"));
    let n_ms: usize = arg(&args, "--microsoft").map_or(300_000, |v| v.parse().expect("number"));
    let seed: u64 = arg(&args, "--seed").map_or(1, |v| v.parse().expect("number"));
    let runs: usize = arg(&args, "--runs").map_or(3, |v| v.parse().expect("number"));
    let tmp = tempfile::tempdir().expect("temp dir");
    let dir: PathBuf = arg(&args, "--keep").map_or_else(|| tmp.path().to_path_buf(), PathBuf::from);
    std::fs::create_dir_all(&dir).expect("folder");

    let pair = synth::generate(&PairOptions {
        salesforce: n_sf,
        microsoft: n_ms,
        seed,
    });
    let sf_path = dir.join("salesforce_users.csv");
    let ms_path = dir.join("microsoft_users.csv");
    std::fs::write(&sf_path, synth::salesforce_csv(&pair.salesforce)).expect("write");
    std::fs::write(&ms_path, synth::microsoft_csv(&pair.microsoft)).expect("write");
    std::fs::write(dir.join("truth.csv"), synth::truth_csv(&pair)).expect("write");
    let want = pair
        .expected
        .iter()
        .filter(|e| matches!(e, Expected::Match(_)))
        .count();
    let size = |p: &Path| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0) as f64 / 1e6;
    println!(
        "{n_sf} Salesforce users ({:.1} MB) × {n_ms} Microsoft accounts ({:.1} MB), seed {seed}, {runs} runs (fresh process each)",
        size(&sf_path),
        size(&ms_path)
    );

    let exe = std::env::current_exe().expect("own path");
    let mut best: Option<(f64, f64, u64, u64)> = None;
    let mut totals: Vec<(f64, f64)> = Vec::new();
    for _ in 0..runs {
        let out = Command::new(&exe)
            .arg("--once")
            .arg(&sf_path)
            .arg(&ms_path)
            .output()
            .expect("child");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = String::from_utf8_lossy(&out.stdout);
        let f: Vec<&str> = text.split_whitespace().collect();
        let (read, join): (f64, f64) = (f[0].parse().unwrap(), f[1].parse().unwrap());
        let (peak, join_peak): (u64, u64) = (f[2].parse().unwrap(), f[3].parse().unwrap());
        let matched: usize = f[4].parse().unwrap();
        assert_eq!(matched, want, "the join disagrees with the truth file");
        totals.push((read, join));
        best = Some(match best {
            None => (read, join, peak, join_peak),
            Some((r, j, p, jp)) => (r.min(read), j.min(join), p.max(peak), jp.max(join_peak)),
        });
    }
    let (read, join, peak, join_peak) = best.expect("a run");
    println!("matched {want} (as the truth file says)");
    println!("read both exports: {read:>8.0} ms (best)");
    println!("join:              {join:>8.0} ms (best)");
    println!("read + join:       {:>8.0} ms", read + join);
    let median = |f: fn(&(f64, f64)) -> f64| {
        let mut v: Vec<f64> = totals.iter().map(f).collect();
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    println!(
        "median of {runs}:      read {:.0} ms, join {:.0} ms, read + join {:.0} ms (load average {})",
        median(|t| t.0),
        median(|t| t.1),
        median(|t| t.0 + t.1),
        std::fs::read_to_string("/proc/loadavg").unwrap_or_default().trim()
    );
    println!(
        "peak memory:       {:>8.0} MB whole process; {:.0} MB while joining (both lists resident)",
        peak as f64 / 1024.0,
        join_peak as f64 / 1024.0
    );
}

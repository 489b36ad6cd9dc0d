//! The wizard's load against `validate`: wall time and memory, paired runs in fresh processes.
//!
//! ```text
//! cargo run --release --example wizard_load -- FILE [--runs N]
//! cargo run --release --example wizard_load -- --rows 1000000 [--runs N]   # generates its own roster
//! ```
//! Each run is a fresh process doing one thing: (a) `validate`'s engine (`scan_path`) or
//! (b) the wizard's load use case (`usecase::load`: first rows, then the whole roster built).
//! Runs alternate (a, b, a, b, …) so both see the same machine load; the medians are printed
//! with their ratio, the time to the first rows, the roster's resident memory after the load
//! (the process's RSS once the load has returned and the freed memory is given back, as the
//! wizard does) and the peak, against the file size.

#[path = "common/bench_args.rs"]
mod bench_args;

use scc_onboard::roster::import::ImportOptions;
use scc_onboard::roster::scan::scan_path;
use scc_onboard::usecase::load::{load, Event};
use std::path::Path;
use std::sync::atomic::AtomicBool;
use std::time::Instant;

/// A field of /proc/self/status in bytes (Linux; 0 elsewhere).
fn status_bytes(key: &str) -> u64 {
    let Ok(status) = std::fs::read_to_string("/proc/self/status") else {
        return 0;
    };
    status
        .lines()
        .find(|l| l.starts_with(key))
        .and_then(|l| l.split_whitespace().nth(1)?.parse::<u64>().ok())
        .map_or(0, |kb| kb * 1024)
}

/// One measurement in this process; prints `wall_ms first_ms rss peak rows`.
fn once(mode: &str, path: &Path) {
    let t = Instant::now();
    let (first, rows) = match mode {
        "--scan-once" => {
            let r = scan_path(path, &ImportOptions::default()).expect("scan");
            (0.0, r.rows)
        }
        _ => {
            let mut first = None;
            let loaded = load(
                path,
                &ImportOptions::default(),
                &AtomicBool::new(false),
                |e| {
                    if matches!(e, Event::FirstRows { .. }) && first.is_none() {
                        first = Some(t.elapsed().as_secs_f64() * 1e3);
                    }
                    true
                },
            )
            .expect("load");
            let rows = loaded.roster.len();
            let wall = t.elapsed().as_secs_f64() * 1e3;
            // Measured while the roster is alive, as the wizard holds it once loaded (it gives
            // the memory the load freed back, as here).
            scc_onboard::memory::release_free();
            println!(
                "{wall} {} {} {} {rows}",
                first.unwrap_or(0.0),
                status_bytes("VmRSS:"),
                status_bytes("VmHWM:")
            );
            drop(loaded);
            return;
        }
    };
    let wall = t.elapsed().as_secs_f64() * 1e3;
    println!(
        "{wall} {first} {} {} {rows}",
        status_bytes("VmRSS:"),
        status_bytes("VmHWM:")
    );
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let Some(mode @ ("--scan-once" | "--load-once")) = args.first().map(String::as_str) {
        once(mode, Path::new(&args[1]));
        return;
    }
    let runs = bench_args::runs(&args, 5);
    let (path, _tmp) = bench_args::roster(&args, "usage: wizard_load FILE | --rows N");
    let size = std::fs::metadata(&path).expect("stat").len();
    let child = |mode: &str| -> [f64; 5] {
        let exe = std::env::current_exe().expect("own path");
        let out = std::process::Command::new(exe)
            .arg(mode)
            .arg(&path)
            .output()
            .expect("child");
        assert!(
            out.status.success(),
            "{mode}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        let mut v = [0.0; 5];
        for (slot, f) in v.iter_mut().zip(text.split_whitespace()) {
            *slot = f.parse().expect("a figure");
        }
        v
    };
    let (mut scans, mut loads) = (Vec::new(), Vec::new());
    for _ in 0..runs {
        scans.push(child("--scan-once"));
        loads.push(child("--load-once"));
    }
    let col = |v: &[[f64; 5]], i: usize| bench_args::median(v.iter().map(|r| r[i]).collect());
    let mb = |b: f64| b / 1e6;
    let ratios: Vec<f64> = scans.iter().zip(&loads).map(|(s, l)| l[0] / s[0]).collect();
    println!(
        "file              {} ({:.1} MB, {} rows)",
        path.display(),
        mb(size as f64),
        loads[0][4]
    );
    println!(
        "validate engine   {:>8.0} ms   peak {:>6.1} MB   (median of {runs})",
        col(&scans, 0),
        mb(col(&scans, 3))
    );
    println!(
        "wizard load       {:>8.0} ms   peak {:>6.1} MB   first rows {:.0} ms",
        col(&loads, 0),
        mb(col(&loads, 3)),
        col(&loads, 1)
    );
    println!(
        "load / validate   {:>8.2}x  (median of the paired ratios)",
        bench_args::median(ratios)
    );
    println!(
        "resident after    {:>8.1} MB = {:.2}x the file",
        mb(col(&loads, 2)),
        col(&loads, 2) / size as f64
    );
}

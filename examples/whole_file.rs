//! Whole-file validation figures: `validate`'s engine against the `csv` crate alone.
//!
//! ```text
//! cargo run --release --example whole_file -- FILE [--runs N]
//! cargo run --release --example whole_file -- --rows 1000000 [--runs N]   # generates its own roster
//! ```
//! Prints the best of N runs of (a) reading every record as a `csv::ByteRecord` and (b) full
//! validation (every rule, duplicates included), their ratio, and the peak memory of a fresh
//! process doing (b), against the file size.

#[path = "common/bench_args.rs"]
mod bench_args;

use scc_onboard::roster::import::ImportOptions;
use scc_onboard::roster::scan::scan_path;
use std::path::Path;
use std::time::{Duration, Instant};

fn csv_only(path: &Path) -> usize {
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_path(path)
        .expect("open");
    let mut rec = csv::ByteRecord::new();
    let mut n = 0;
    while rdr.read_byte_record(&mut rec).expect("read") {
        n += 1;
    }
    n
}

fn best(runs: usize, mut f: impl FnMut()) -> Duration {
    (0..runs)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .min()
        .expect("at least one run")
}

/// CPU time (user + system) this process has used so far (Linux), in seconds.
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name (which may contain spaces) start after the last ')'.
    let rest = &stat[stat.rfind(')')? + 2..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks: f64 = f.get(11)?.parse::<f64>().ok()? + f.get(12)?.parse::<f64>().ok()?;
    Some(ticks / 100.0)
}

/// Peak resident memory of this process (Linux), in bytes.
fn peak_rss() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("--csv-once") {
        let n = csv_only(Path::new(&args[1]));
        println!(
            "{n} {} {}",
            peak_rss().unwrap_or(0),
            cpu_seconds().unwrap_or(0.0)
        );
        return;
    }
    if args.first().map(String::as_str) == Some("--scan-once") {
        let r = scan_path(Path::new(&args[1]), &ImportOptions::default()).expect("scan");
        let (peak, cpu) = (peak_rss().unwrap_or(0), cpu_seconds().unwrap_or(0.0));
        println!("{} {peak} {cpu}", r.findings.len());
        return;
    }
    let runs = bench_args::runs(&args, 3);
    let (path, _tmp) = bench_args::roster(&args, "usage: whole_file FILE | --rows N");
    let size = std::fs::metadata(&path).expect("stat").len();
    let records = csv_only(&path);
    let t_csv = best(runs, || {
        csv_only(&path);
    });
    let mut findings = 0;
    let t_val = best(runs, || {
        findings = scan_path(&path, &ImportOptions::default())
            .expect("scan")
            .findings
            .len();
    });
    // Fresh processes for peak memory and CPU time (CPU time is what a busy machine distorts least).
    let child = |mode: &str| -> (u64, f64) {
        let exe = std::env::current_exe().expect("own path");
        let out = std::process::Command::new(exe)
            .arg(mode)
            .arg(&path)
            .output()
            .expect("child");
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        let mut f = text.split_whitespace().skip(1);
        let peak = f.next().and_then(|s| s.parse().ok()).unwrap_or(0);
        let cpu = f.next().and_then(|s| s.parse().ok()).unwrap_or(0.0);
        (peak, cpu)
    };
    let (_, cpu_csv) = child("--csv-once");
    let (peak, cpu_val) = child("--scan-once");
    let mb = |b: u64| b as f64 / 1e6;
    println!(
        "file            {} ({:.1} MB, {} records incl. header)",
        path.display(),
        mb(size),
        records
    );
    println!(
        "csv ByteRecord  {:>8.1} ms (best of {runs})",
        t_csv.as_secs_f64() * 1e3
    );
    println!(
        "validate        {:>8.1} ms (best of {runs}), {findings} findings",
        t_val.as_secs_f64() * 1e3
    );
    println!(
        "ratio           {:>8.2}x  (goal <= 2x)",
        t_val.as_secs_f64() / t_csv.as_secs_f64()
    );
    println!(
        "peak memory     {:>8.1} MB = {:.2}x file size (goal <= 2x)",
        mb(peak),
        peak as f64 / size as f64
    );
    println!("cpu time        csv {cpu_csv:.2} s, validate {cpu_val:.2} s (one run each, both cores counted)");
}

//! Whole-file validation figures: `validate`'s engine, and the whole command, against the `csv`
//! crate alone.
//!
//! ```text
//! cargo run --release --example whole_file -- FILE [--runs N]
//! cargo run --release --example whole_file -- --rows 1000000 [--runs N]   # generates its own roster
//! cargo build --release --bin scc-onboard
//! cargo run --release --example whole_file -- FILE --command [--runs N] [--bin PATH]
//! ```
//! Prints the best of N runs of (a) reading every record as a `csv::ByteRecord` and (b) full
//! validation (every rule, duplicates included), their ratio, and the peak memory of a fresh
//! process doing (b), against the file size.
//!
//! `--command` measures issue 15's goal instead: the WHOLE command, a fresh
//! `scc-onboard validate FILE --json > /dev/null` process, against the floor in a fresh process
//! of its own (`--csv-once`), alternating the two N times (default 7) so both see the same
//! machine; it prints the medians (wall and CPU time) and the median of the paired ratios.
//! The binary is the `scc-onboard` next to this example's folder unless `--bin` names one.

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
    stat_seconds(11)
}

/// The two clock-tick fields of `/proc/self/stat` from `at` on (counted after the command
/// name, which may contain spaces), summed, in seconds.
fn stat_seconds(at: usize) -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let rest = &stat[stat.rfind(')')? + 2..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks: f64 = f.get(at)?.parse::<f64>().ok()? + f.get(at + 1)?.parse::<f64>().ok()?;
    Some(ticks / 100.0)
}

/// Peak resident memory of this process (Linux), in bytes.
fn peak_rss() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

/// CPU time (user + system) of this process's waited-for children so far (Linux), in seconds.
fn children_cpu_seconds() -> Option<f64> {
    stat_seconds(13)
}

/// Runs `cmd` to the end with its output thrown away; its wall and CPU time in seconds.
fn timed(cmd: &mut std::process::Command) -> (f64, f64) {
    let cpu = children_cpu_seconds();
    let t = Instant::now();
    let status = cmd
        .stdout(std::process::Stdio::null())
        .status()
        .expect("start the command");
    let wall = t.elapsed().as_secs_f64();
    // validate exits 1 when the roster has errors; only a crash or a usage error is a failure.
    assert!(
        matches!(status.code(), Some(0 | 1)),
        "{cmd:?} failed: {status}"
    );
    let cpu = match (cpu, children_cpu_seconds()) {
        (Some(a), Some(b)) => b - a,
        _ => f64::NAN,
    };
    (wall, cpu)
}

/// Peak resident memory of `cmd` in bytes, through GNU time when the machine has it.
fn peak_of(cmd: &std::process::Command) -> Option<u64> {
    let out = std::process::Command::new("/usr/bin/time")
        .args(["-f", "%M"])
        .arg(cmd.get_program())
        .args(cmd.get_args())
        .stdout(std::process::Stdio::null())
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&out.stderr);
    let kb: u64 = text.lines().last()?.trim().parse().ok()?;
    Some(kb * 1024)
}

/// `--command`: the whole `validate FILE --json` process against the floor's process, paired.
fn whole_command(args: &[String], path: &Path, size: u64) {
    let runs = bench_args::runs(args, 7);
    let exe = std::env::current_exe().expect("own path");
    let bin = match args.iter().position(|a| a == "--bin") {
        Some(i) => std::path::PathBuf::from(&args[i + 1]),
        // target/release/examples/whole_file -> target/release/scc-onboard
        None => exe
            .parent()
            .and_then(Path::parent)
            .expect("examples folder")
            .join(format!("scc-onboard{}", std::env::consts::EXE_SUFFIX)),
    };
    let mut validate = std::process::Command::new(&bin);
    validate.arg("validate").arg(path).arg("--json");
    let mut floor = std::process::Command::new(&exe);
    floor.arg("--csv-once").arg(path);
    // One of each first: both read the file from the page cache from then on.
    timed(&mut floor);
    timed(&mut validate);
    let (mut fw, mut fc, mut vw, mut vc, mut ratios) = (vec![], vec![], vec![], vec![], vec![]);
    for i in 0..runs {
        // Alternate which goes first, so neither always follows the other.
        let (f, v) = if i % 2 == 0 {
            let f = timed(&mut floor);
            (f, timed(&mut validate))
        } else {
            let v = timed(&mut validate);
            (timed(&mut floor), v)
        };
        fw.push(f.0);
        fc.push(f.1);
        vw.push(v.0);
        vc.push(v.1);
        ratios.push(v.0 / f.0);
    }
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let ms = |s: f64| s * 1e3;
    println!(
        "file            {} ({:.1} MB)",
        path.display(),
        size as f64 / 1e6
    );
    println!(
        "command         {} validate FILE --json > /dev/null",
        bin.display()
    );
    println!(
        "csv floor       {:>8.1} ms wall, {:>6.1} ms CPU (medians of {runs}, fresh processes)",
        ms(bench_args::median(fw.clone())),
        ms(bench_args::median(fc.clone()))
    );
    println!(
        "validate --json {:>8.1} ms wall, {:>6.1} ms CPU",
        ms(bench_args::median(vw.clone())),
        ms(bench_args::median(vc.clone()))
    );
    println!(
        "ratio           {:>8.2}x  median of the paired runs (goal <= 2x); runs {}",
        bench_args::median(ratios.clone()),
        ratios
            .iter()
            .map(|r| format!("{r:.2}"))
            .collect::<Vec<_>>()
            .join(" ")
    );
    println!(
        "cpu ratio       {:>8.2}x  (both cores counted)",
        bench_args::median(vc) / bench_args::median(fc)
    );
    match peak_of(&validate) {
        Some(p) => println!(
            "peak memory     {:>8.1} MB = {:.2}x file size (goal <= 1x)",
            p as f64 / 1e6,
            p as f64 / size as f64
        ),
        None => println!("peak memory     (needs /usr/bin/time)"),
    }
    println!("load average    {}", load.trim());
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
    if args.iter().any(|a| a == "--command") {
        return whole_command(&args, &path, size);
    }
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

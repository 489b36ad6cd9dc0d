//! Criterion benchmarks of the roster engine. Whole-file figures: `examples/whole_file.rs`.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use scc_onboard::roster::import::ImportOptions;
use scc_onboard::roster::scan::scan_path;
use scc_onboard::roster::synth::{generate, SynthOptions};
use scc_onboard::roster::{dup_key, rules, Field, Finding, Roster};
use std::hint::black_box;

fn synth(rows: usize) -> String {
    generate(&SynthOptions {
        rows,
        error_rate: 0.05,
        ..Default::default()
    })
    .csv
}

fn validate_file(c: &mut Criterion) {
    let mut g = c.benchmark_group("validate_file");
    g.sample_size(10);
    for rows in [10_000usize, 100_000] {
        let csv = synth(rows);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.csv");
        std::fs::write(&path, &csv).unwrap();
        g.throughput(Throughput::Bytes(csv.len() as u64));
        g.bench_with_input(BenchmarkId::new("scan", rows), &path, |b, p| {
            b.iter(|| {
                scan_path(p, &ImportOptions::default())
                    .unwrap()
                    .findings
                    .len()
            })
        });
        g.bench_with_input(BenchmarkId::new("csv_byte_records", rows), &path, |b, p| {
            b.iter(|| {
                let mut rdr = csv::ReaderBuilder::new()
                    .has_headers(false)
                    .from_path(p)
                    .unwrap();
                let mut rec = csv::ByteRecord::new();
                let mut n = 0;
                while rdr.read_byte_record(&mut rec).unwrap() {
                    n += 1;
                }
                n
            })
        });
    }
    g.finish();
}

fn rules_per_record(c: &mut Criterion) {
    let clean = [
        "Jane O'Brien",
        "jane.obrien@acme.com",
        "005Hs00000AbCdEIAV",
        "jane.obrien@acme.onmicrosoft.com",
        "jane.obrien@acme.com",
    ];
    let dirty = [
        " Jane\nO'Brien",
        "mailto:jane.obrien@acme.com;",
        "005hs00000abcdeiav",
        "Jane <jane.obrien@acme.onmicrosoft.com>",
        "jane.obrien@acme,com",
    ];
    let mut out: Vec<Finding> = Vec::new();
    // What the whole-file validator does with nearly every row: check and key it in one pass.
    c.bench_function("rules/clean_record_fast_path", |b| {
        b.iter(|| dup_key::clean_row_keys(black_box(clean).map(str::as_bytes)))
    });
    c.bench_function("rules/clean_record_full", |b| {
        b.iter(|| {
            out.clear();
            rules::check_record(black_box(clean), &mut out);
            out.len()
        })
    });
    c.bench_function("rules/dirty_record_full", |b| {
        b.iter(|| {
            out.clear();
            rules::check_record(black_box(dirty), &mut out);
            out.len()
        })
    });
}

fn edit_revalidate(c: &mut Criterion) {
    let mut g = c.benchmark_group("roster_edit");
    for rows in [1_000usize, 100_000] {
        let imported = scc_onboard::roster::import::import_bytes(
            synth(rows).as_bytes(),
            &ImportOptions::default(),
        )
        .unwrap();
        let mut roster = Roster::from_imported(imported);
        let row = rows / 2;
        let mut flip = false;
        g.bench_function(BenchmarkId::from_parameter(rows), |b| {
            b.iter(|| {
                flip = !flip;
                let v = if flip {
                    "someone@acme.com"
                } else {
                    "other@acme.com"
                };
                roster
                    .set_cell(row, Field::Office365Login, v.to_string())
                    .affected
                    .len()
            })
        });
    }
    g.finish();
}

criterion_group!(benches, validate_file, rules_per_record, edit_revalidate);
criterion_main!(benches);

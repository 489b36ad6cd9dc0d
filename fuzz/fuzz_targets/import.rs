//! Any bytes: the importer and the validators must answer with records or an error, never
//! panic, and agree with each other (the streaming whole-file validator reads its own copy
//! of the bytes from a file, as `validate` does).
#![no_main]

use libfuzzer_sys::fuzz_target;
use scc_onboard::roster::import::{import_bytes, ImportOptions};
use scc_onboard::roster::scan::{scan_path, scan_records};
use scc_onboard::roster::{fix, Roster};

fuzz_target!(|data: &[u8]| {
    let Ok(imported) = import_bytes(data, &ImportOptions::default()) else {
        return;
    };
    let report = scan_records(imported.detected.clone(), &imported.records);
    let file = std::env::temp_dir().join(format!("scc-fuzz-{}.csv", std::process::id()));
    std::fs::write(&file, data).expect("writing the input to a temporary file");
    let streamed = scan_path(&file, &ImportOptions::default()).expect("imported above");
    assert_eq!(streamed.rows, report.rows);
    assert_eq!(streamed.findings, report.findings);
    let mut roster = Roster::from_imported(imported);
    let from_roster: usize = (0..roster.len()).map(|r| roster.findings(r).len()).sum();
    assert_eq!(report.findings.len(), from_roster);
    fix::apply_all_fixes(&mut roster);
    let mut out = Vec::new();
    scc_onboard::roster::export::write_submission_csv(&roster, &mut out, &Default::default())
        .expect("writing to memory");
});

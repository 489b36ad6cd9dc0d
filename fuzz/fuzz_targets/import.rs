//! Any bytes: the importer and the validator must answer with records or an error, never
//! panic, and agree with each other.
#![no_main]

use libfuzzer_sys::fuzz_target;
use scc_onboard::roster::import::{import_bytes, ImportOptions};
use scc_onboard::roster::scan::scan_records;
use scc_onboard::roster::{fix, Roster};

fuzz_target!(|data: &[u8]| {
    let Ok(imported) = import_bytes(data, &ImportOptions::default()) else {
        return;
    };
    let report = scan_records(imported.detected.clone(), &imported.records);
    let mut roster = Roster::from_imported(imported);
    let from_roster: usize = (0..roster.len()).map(|r| roster.findings(r).len()).sum();
    assert_eq!(report.findings.len(), from_roster);
    fix::apply_all_fixes(&mut roster);
    let mut out = Vec::new();
    scc_onboard::roster::export::write_submission_csv(&roster, &mut out, &Default::default())
        .expect("writing to memory");
});

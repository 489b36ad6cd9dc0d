//! Inputs that once crashed the importer (found by `cargo fuzz run import`): they must now
//! import (or fail cleanly) and validate the same way in both engines, in memory and streamed from the file.

use scc_onboard::roster::import::{import_bytes, ImportOptions};
use scc_onboard::roster::scan::{scan_path, scan_records};
use scc_onboard::roster::{fix, Roster};

#[test]
fn past_crashes_stay_fixed() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/regressions");
    let mut seen = 0;
    for entry in std::fs::read_dir(&dir).expect("fuzz/regressions exists") {
        let path = entry.unwrap().path();
        let bytes = std::fs::read(&path).unwrap();
        seen += 1;
        let Ok(imported) = import_bytes(&bytes, &ImportOptions::default()) else {
            continue;
        };
        let report = scan_records(imported.detected.clone(), &imported.records);
        let streamed = scan_path(&path, &ImportOptions::default()).unwrap();
        assert_eq!(streamed.findings, report.findings);
        let mut roster = Roster::from_imported(imported);
        let total: usize = (0..roster.len()).map(|r| roster.findings(r).len()).sum();
        assert_eq!(report.findings.len(), total);
        fix::apply_all_fixes(&mut roster);
    }
    assert!(seen > 0);
}

//! Whatever the tool writes, it reads back exactly.

use proptest::prelude::*;
use scc_onboard::roster::export::{write_csv, CsvOptions};
use scc_onboard::roster::import::{import_bytes, ImportOptions};

fn cell() -> impl Strategy<Value = String> {
    prop_oneof![
        // Anything, including quotes, delimiters, line breaks and non-ASCII.
        "[ -~\t\r\n\"',;|éß中\u{a0}\u{200b}]{0,12}",
        // Values a spreadsheet would run, and our own neutralised forms.
        "['=+@\t-]{1,3}[a-z=(]{0,5}",
    ]
}

fn row() -> impl Strategy<Value = [String; 5]> {
    [cell(), cell(), cell(), cell(), cell()]
        .prop_filter("wholly empty rows are skipped by design", |r| {
            r.iter().any(|c| !c.trim().is_empty())
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn export_then_import_is_identity(rows in proptest::collection::vec(row(), 1..12), bom in any::<bool>()) {
        let mut bytes = Vec::new();
        write_csv(&mut bytes, &CsvOptions { bom }, rows.iter().map(|r| [0, 1, 2, 3, 4].map(|i| r[i].as_str())))
            .unwrap();
        let imported = import_bytes(&bytes, &ImportOptions::default()).unwrap();
        prop_assert_eq!(imported.detected.delimiter, b',');
        let back: Vec<[String; 5]> = imported.records.into_iter().map(|r| r.cells).collect();
        prop_assert_eq!(back, rows);
    }

    /// Nothing the tool writes starts like a formula.
    #[test]
    fn no_written_cell_is_a_formula(rows in proptest::collection::vec(row(), 1..6)) {
        let mut bytes = Vec::new();
        write_csv(&mut bytes, &CsvOptions { bom: false }, rows.iter().map(|r| [0, 1, 2, 3, 4].map(|i| r[i].as_str())))
            .unwrap();
        let mut rdr = csv::ReaderBuilder::new().has_headers(false).from_reader(bytes.as_slice());
        for rec in rdr.records() {
            for c in rec.unwrap().iter() {
                prop_assert!(!c.starts_with(['=', '+', '-', '@', '\t', '\r']), "{:?}", c);
            }
        }
    }
}

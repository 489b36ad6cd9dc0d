use super::*;
use crate::roster::rules::sfid::to_18;

fn rec(line: u64, name: &str, sfl: &str, id: &str, ol: &str, oe: &str) -> Record {
    Record::new(line, [name, sfl, id, ol, oe].map(String::from))
}

fn clean(i: u32) -> Record {
    let id = to_18(&format!("005Hs0000{:06}", i));
    rec(
        u64::from(i) + 2,
        &format!("User {i}"),
        &format!("u{i}@acme.com"),
        &id,
        &format!("u{i}@acme.onmicrosoft.com"),
        &format!("u{i}@acme.com"),
    )
}

impl Roster {
    /// Rows extended one at a time into a table that is never partitioned.
    fn from_imported_rows(rows: Vec<Record>) -> Roster {
        let mut r = Roster::new();
        r.set_header_len(5);
        for row in rows {
            r.extend(vec![row]);
        }
        r
    }
}

fn codes(r: &Roster, row: usize) -> Vec<Code> {
    r.findings(row).iter().map(|f| f.code).collect()
}

#[test]
fn clean_rows_have_no_findings() {
    let r = Roster::from_records((0..50).map(clean).collect());
    assert!((0..50).all(|i| r.findings(i).is_empty()));
    assert_eq!(r.counts().included, 50);
    assert!(!r.has_errors());
}

#[test]
fn later_duplicates_name_the_first_line() {
    let mut rows: Vec<Record> = (0..3).map(clean).collect();
    rows[2].cells[1] = "U0@ACME.com".into();
    let r = Roster::from_records(rows);
    assert!(
        r.findings(0).is_empty(),
        "the first occurrence is not flagged"
    );
    let f = &r.findings(2)[0];
    assert_eq!(f.code, Code::DupSfLogin);
    assert_eq!(f.first_row, Some(0));
    assert!(f.message.contains("line 2"), "{}", f.message);
}

#[test]
fn fifteen_and_eighteen_char_ids_are_the_same_id() {
    let mut rows: Vec<Record> = (0..2).map(clean).collect();
    rows[1].cells[2] = rows[0].cells[2][..15].to_string();
    let r = Roster::from_records(rows);
    assert_eq!(codes(&r, 1), vec![Code::Sfid15, Code::DupSfid]);
}

#[test]
fn editing_away_a_duplicate_updates_both_rows_and_counts() {
    let mut rows: Vec<Record> = (0..4).map(clean).collect();
    rows[3].cells[3] = rows[1].cells[3].clone();
    let mut r = Roster::from_records(rows);
    assert_eq!(codes(&r, 3), vec![Code::DupO365Login]);
    assert_eq!(r.counts().rows_with_errors, 1);
    let change = r.set_cell(3, Field::Office365Login, "new@acme.com".into());
    assert_eq!(change.old, r.cell(1, Field::Office365Login));
    assert!(change.affected.contains(&3) && change.affected.contains(&1));
    assert!(r.findings(3).is_empty());
    assert_eq!(r.counts().rows_with_errors, 0);
    assert!(r.counts().per_code.is_empty());
}

#[test]
fn editing_the_first_occurrence_moves_the_blame() {
    let mut rows: Vec<Record> = (0..4).map(clean).collect();
    for i in [2, 3] {
        rows[i].cells[1] = rows[0].cells[1].clone();
    }
    let mut r = Roster::from_records(rows);
    assert_eq!(r.findings(3)[0].first_row, Some(0));
    r.set_cell(0, Field::SalesforceLogin, "other@acme.com".into());
    assert!(r.findings(2).is_empty(), "row 2 is now the first");
    assert_eq!(r.findings(3)[0].first_row, Some(2));
    // and back again
    r.set_cell(0, Field::SalesforceLogin, "u0@acme.com".into());
    assert_eq!(r.findings(2)[0].first_row, Some(0));
    assert_eq!(r.counts().per_code[&Code::DupSfLogin], 2);
}

#[test]
fn excluded_rows_leave_counts_and_duplicate_detection() {
    let mut rows: Vec<Record> = (0..3).map(clean).collect();
    rows[1].cells[1] = rows[0].cells[1].clone();
    rows[2].cells[0] = String::new();
    let mut r = Roster::from_records(rows);
    assert_eq!(r.counts().rows_with_errors, 2);
    r.set_excluded(0, true);
    assert!(r.findings(1).is_empty(), "its twin is excluded");
    r.set_excluded(2, true);
    assert_eq!(r.counts().rows_with_errors, 0);
    assert_eq!((r.counts().included, r.counts().excluded), (1, 2));
    assert!(!r.has_errors());
    assert_eq!(codes(&r, 2), vec![Code::MissingValue], "still shown");
    r.set_excluded(0, false);
    assert_eq!(codes(&r, 1), vec![Code::DupSfLogin]);
    assert_eq!(r.counts().rows_with_errors, 1);
}

#[test]
fn an_excluded_duplicate_still_says_what_it_duplicates() {
    let mut rows: Vec<Record> = (0..3).map(clean).collect();
    rows[2].cells[1] = rows[0].cells[1].clone();
    let mut r = Roster::from_records(rows);
    r.set_excluded(2, true);
    assert!(r.findings(2).is_empty());
    let would: Vec<(Code, Option<u32>)> = r
        .duplicates_if_included(2)
        .iter()
        .map(|f| (f.code, f.first_row))
        .collect();
    assert_eq!(would, vec![(Code::DupSfLogin, Some(0))]);
    assert!(r.duplicates_if_included(1).is_empty());
    // Its twin excluded too: nothing included to duplicate.
    r.set_excluded(0, true);
    assert!(r.duplicates_if_included(2).is_empty());
}

#[test]
fn wrong_field_count_needs_the_header_length() {
    let mut short = clean(0);
    short.field_count = 4;
    let mut r = Roster::new();
    r.set_header_len(5);
    r.extend(vec![short, clean(1)]);
    assert_eq!(codes(&r, 0), vec![Code::WrongFieldCount]);
    assert!(r.findings(0)[0].field.is_none());
}

#[test]
fn navigation_finds_problems_and_wraps() {
    let mut rows: Vec<Record> = (0..10).map(clean).collect();
    rows[3].cells[0] = " padded".into();
    rows[7].cells[4] = "broken".into();
    let r = Roster::from_records(rows);
    assert_eq!(r.next_problem(0, true, None), Some(3));
    assert_eq!(r.next_problem(3, true, None), Some(7));
    assert_eq!(r.next_problem(7, true, None), Some(3));
    assert_eq!(r.next_problem(3, false, None), Some(7));
    assert_eq!(r.next_problem(0, true, Some(Severity::Error)), Some(7));
    assert_eq!(r.rows_with_code(Code::SurroundingWhitespace), vec![3]);
    assert_eq!(r.problem_rows().collect::<Vec<_>>(), vec![3, 7]);
}

/// Edits in any order leave the same findings as validating the final state from scratch.
#[test]
fn incremental_equals_from_scratch() {
    let mut rows: Vec<Record> = (0..30).map(clean).collect();
    let mut r = Roster::from_records(rows.clone());
    let values = ["u1@acme.com", "u2@acme.com", "U1@acme.com", "", "x"];
    for step in 0..200usize {
        let row = (step * 7) % 30;
        let field = Field::ALL[(step * 3) % 5];
        let v = values[step % values.len()].to_string();
        r.set_cell(row, field, v.clone());
        rows[row].cells[field.index()] = v;
        if step % 11 == 0 {
            let ex = !r.is_excluded(row);
            r.set_excluded(row, ex);
        }
    }
    let mut fresh = Roster::new();
    fresh.extend(rows);
    for row in 0..30 {
        if r.is_excluded(row) {
            fresh.set_excluded(row, true);
        }
    }
    for row in 0..30 {
        assert_eq!(r.findings(row), fresh.findings(row), "row {row}");
    }
    assert_eq!(r.counts(), fresh.counts());
}

mod props {
    use super::*;
    use proptest::prelude::*;

    /// Values that collide (case, 15/18-char IDs), go long (the overlay), or are empty.
    fn value() -> impl Strategy<Value = String> {
        let id = to_18("005Hs0000000001");
        prop_oneof![
            Just("u1@acme.com".to_string()),
            Just("U1@ACME.com".to_string()),
            Just("u2@acme.com".to_string()),
            Just(String::new()),
            Just(id[..15].to_string()),
            Just(id),
            Just(format!("{}@acme.com", "x".repeat(300))),
            Just("Ann Lee".to_string()),
        ]
    }

    proptest! {
        // Each case validates three rosters from scratch: fewer cases keep it quick.
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// Any edits and exclusions, in any order, leave the cells, findings and counts of
        /// validating the final state from scratch; undoing every edit gives the source back.
        #[test]
        fn incremental_equals_from_scratch_for_any_edits(
            ops in prop::collection::vec((0usize..24, 0usize..5, value(), any::<bool>()), 1..80)
        ) {
            let source: Vec<Record> = (0..24).map(clean).collect();
            let mut rows = source.clone();
            let mut r = Roster::from_records(source.clone());
            let mut undo = Vec::new();
            for (row, f, v, exclude) in ops {
                let field = Field::ALL[f];
                let change = r.set_cell(row, field, v.clone());
                prop_assert_eq!(&change.old, &rows[row].cells[f]);
                undo.push((row, field, change.old));
                rows[row].cells[f] = v;
                if exclude {
                    r.set_excluded(row, !r.is_excluded(row));
                }
            }
            let mut fresh = Roster::from_records(rows.clone());
            for row in 0..24 {
                if r.is_excluded(row) {
                    fresh.set_excluded(row, true);
                }
            }
            for row in 0..24 {
                prop_assert_eq!(r.record(row), fresh.record(row), "row {}", row);
                prop_assert_eq!(r.findings(row), fresh.findings(row), "row {}", row);
            }
            prop_assert_eq!(r.counts(), fresh.counts());
            for (row, field, old) in undo.into_iter().rev() {
                r.set_cell(row, field, old);
            }
            for row in 0..24 {
                r.set_excluded(row, false);
            }
            let original = Roster::from_records(source);
            for row in 0..24 {
                prop_assert_eq!(r.record(row), original.record(row));
                prop_assert_eq!(r.findings(row), original.findings(row));
            }
            prop_assert_eq!(r.counts(), original.counts());
        }
    }
}

#[test]
fn checked_batches_build_the_same_roster_as_extend() {
    let mut rows: Vec<Record> = (0..40).map(clean).collect();
    rows[30].cells[1] = rows[3].cells[1].to_uppercase();
    rows[12].cells[0] = " x".into();
    rows[20].field_count = 4;
    let mut a = Roster::new();
    a.set_header_len(5);
    a.extend(rows.clone());
    let mut b = Roster::new();
    b.set_header_len(5);
    for chunk in rows.chunks(7) {
        b.extend_checked(CheckedBatch::check(chunk.to_vec(), Some(5)));
    }
    b.shrink_to_fit();
    for row in 0..40 {
        assert_eq!(a.record(row), b.record(row));
        assert_eq!(a.findings(row), b.findings(row), "row {row}");
    }
    assert_eq!(a.counts(), b.counts());
    assert_eq!(codes(&b, 20), vec![Code::WrongFieldCount]);
    assert_eq!(codes(&b, 30), vec![Code::DupSfLogin]);
}

#[test]
fn truncating_leaves_the_roster_its_first_rows_would_build() {
    let mut rows: Vec<Record> = (0..40).map(clean).collect();
    rows[33].cells[1] = rows[3].cells[1].to_uppercase();
    rows[36].cells[3] = rows[35].cells[3].clone();
    rows[37].cells[0] = " x".into();
    rows[38].field_count = 4;
    rows[39].cells[4] = "x".repeat(300);
    let mut r = Roster::new();
    r.set_header_len(5);
    r.extend(rows.clone());
    r.set_excluded(34, true);
    r.set_cell(35, Field::FullName, "Edited".into());
    r.truncate(30);
    let want = Roster::from_records(rows[..30].to_vec());
    for row in 0..30 {
        assert_eq!(r.record(row), want.record(row));
        assert_eq!(r.findings(row), want.findings(row), "row {row}");
    }
    assert_eq!(r.counts(), want.counts());
    // The index forgot the dropped rows: their values are free again.
    r.extend(rows[30..].to_vec());
    r.shrink_to_fit();
    let whole = {
        let mut w = Roster::new();
        w.set_header_len(5);
        w.extend(rows);
        w
    };
    for row in 0..40 {
        assert_eq!(r.findings(row), whole.findings(row), "row {row}");
    }
    assert_eq!(r.counts(), whole.counts());
}

/// The load's builder (keys logged, the index built at the end in partitions on two threads)
/// makes the roster that extending one batch at a time makes: same findings, counts, and an
/// index that edits then use the same way.
#[test]
fn a_builder_makes_the_roster_extend_makes() {
    let n = 20_000u32;
    let mut rows: Vec<Record> = (0..n).map(clean).collect();
    // Repeats of every kind, some rows with several, one value seen four times, and rows
    // with findings of their own.
    for i in (100..n).step_by(97) {
        let (a, b) = (i as usize / 3, i as usize);
        rows[b].cells[1] = rows[a].cells[1].to_uppercase();
        if i % 3 == 0 {
            rows[b].cells[2] = rows[a / 2].cells[2].clone();
            rows[b].cells[4] = rows[a / 3].cells[4].clone();
        }
    }
    for i in [5000usize, 9000, 15_000] {
        rows[i].cells[3] = rows[42].cells[3].clone();
    }
    rows[77].cells[0] = " x".into();
    rows[78].field_count = 4;
    let whole = Roster::from_imported_rows(rows.clone());
    let mut b = RosterBuilder::new(Some(5), 1000, 0);
    for chunk in rows.chunks(2048) {
        b.extend_checked(CheckedBatch::check(chunk.to_vec(), Some(5)));
    }
    let mut built = b.finish();
    let mut dup_rows = 0;
    for row in 0..n as usize {
        assert_eq!(built.findings(row), whole.findings(row), "row {row}");
        dup_rows += usize::from(built.findings(row).iter().any(|f| f.first_row.is_some()));
    }
    assert!(dup_rows > 150, "{dup_rows}");
    assert_eq!(built.counts(), whole.counts());
    assert_eq!(built.findings(15_000)[0].first_row, Some(42));
    // Edits find the keys where the builder put them.
    let mut edited = whole.clone();
    for r in [&mut built, &mut edited] {
        r.set_cell(42, Field::Office365Login, "gone@acme.com".into());
        r.set_cell(7, Field::SalesforceLogin, rows[8].cells[1].clone());
    }
    assert_eq!(built.findings(9000)[0].first_row, Some(5000));
    assert_eq!(built.findings(8), edited.findings(8));
    assert_eq!(built.counts(), edited.counts());

    // A footer cut off before the index is built.
    let mut b = RosterBuilder::new(Some(5), n as usize, 0);
    b.extend_checked(CheckedBatch::check(rows.clone(), Some(5)));
    b.truncate(12_000);
    let cut = b.finish();
    let want = Roster::from_imported_rows(rows[..12_000].to_vec());
    for row in 0..12_000 {
        assert_eq!(cut.findings(row), want.findings(row), "row {row}");
    }
    assert_eq!(cut.counts(), want.counts());
}

/// A pass over every row gives what each row's own look-up gives: cells repeated within a
/// row, values too long for the buffer, edits and excluded rows included.
#[test]
fn all_cells_walks_the_rows_as_each_row_reads() {
    let long = "x".repeat(300);
    let mut rows: Vec<Record> = (0..40).map(clean).collect();
    rows[3].cells[0] = long.clone();
    rows[7].cells[3] = rows[7].cells[4].clone();
    let mut r = Roster::from_records(rows);
    r.set_cell(5, Field::FullName, "Edited Name".into());
    r.set_cell(7, Field::Office365Email, "other@acme.com".into());
    r.set_excluded(9, true);
    let each: Vec<[&str; 5]> = (0..r.len()).map(|row| r.record(row).cells).collect();
    assert_eq!(r.all_cells().collect::<Vec<_>>(), each);
    assert_eq!(each[3][0], long);
    assert_eq!(each[7][3], "u7@acme.com");
    assert_eq!(each[7][4], "other@acme.com");
    assert_eq!(each[5][0], "Edited Name");
}

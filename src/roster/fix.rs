//! Applying suggested fixes.

use super::{Code, Field, Roster};

/// One applicable fix: set `field` of `row` to `value`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FixEdit {
    pub row: usize,
    pub field: Field,
    pub value: String,
}

/// The fixes for every included row that has a finding of `code` with a suggested fix
/// (what a bulk fix of that kind would change).
pub fn fixes_for_code(roster: &Roster, code: Code) -> Vec<FixEdit> {
    roster
        .rows_with_code(code)
        .into_iter()
        .filter_map(|row| {
            let f = roster.findings(row).iter().find(|f| f.code == code)?;
            Some(FixEdit {
                row,
                field: f.field?,
                value: f.fix.clone()?,
            })
        })
        .collect()
}

/// One fix as applied: the cell, the finding it answered, and the value before and after,
/// so every automatic change can be listed (`validate --fix`, report.md).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AppliedFix {
    /// 0-based roster row.
    pub row: usize,
    /// Physical line of the row in the source file.
    pub line: u64,
    pub field: Field,
    /// The finding whose suggested fix this is.
    pub code: Code,
    pub old: String,
    pub new: String,
}

/// Applies every suggested fix until none is left (one fix can reveal the next, e.g. trimming
/// `  mailto:a@b.com`). Returns the number of fixes applied.
pub fn apply_all_fixes(roster: &mut Roster) -> usize {
    apply_all_fixes_logged(roster).len()
}

/// [`apply_all_fixes`], returning each fix applied, in order (a cell fixed in two rounds
/// appears twice, each time with its own code).
pub fn apply_all_fixes_logged(roster: &mut Roster) -> Vec<AppliedFix> {
    let mut applied = Vec::new();
    // Each round strictly shortens or settles a value; a handful of rounds always suffices.
    for _ in 0..8 {
        let edits: Vec<(FixEdit, Code)> = roster
            .problem_rows()
            .flat_map(|row| {
                let mut seen = [false; 5];
                roster
                    .findings(row)
                    .iter()
                    .filter_map(|f| Some((f.field?, f.fix.clone()?, f.code)))
                    .filter(|(field, _, _)| !std::mem::replace(&mut seen[field.index()], true))
                    .map(|(field, value, code)| (FixEdit { row, field, value }, code))
                    .collect::<Vec<_>>()
            })
            .collect();
        if edits.is_empty() {
            break;
        }
        for (e, code) in edits {
            let change = roster.set_cell(e.row, e.field, e.value.clone());
            applied.push(AppliedFix {
                row: e.row,
                line: roster.record(e.row).line,
                field: e.field,
                code,
                old: change.old,
                new: e.value,
            });
        }
    }
    applied
}

/// The number of distinct cells `fixes` changed.
pub fn cells_changed(fixes: &[AppliedFix]) -> usize {
    fixes
        .iter()
        .map(|f| (f.row, f.field))
        .collect::<std::collections::BTreeSet<_>>()
        .len()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::roster::{rules::sfid::to_18, Record};

    #[test]
    fn fixes_layered_debris_and_ids() {
        let id = to_18("005Hs00000AbCdE");
        let rows = vec![Record::new(
            2,
            [
                " Jane\nDoe ".into(),
                "mailto:jane@acme.com;".into(),
                id[..15].to_string(),
                "Jane <jane@acme.onmicrosoft.com>".into(),
                id.to_lowercase(),
            ],
        )];
        let mut r = Roster::from_records(rows);
        r.set_cell(0, Field::Office365Email, "\u{a0}jane.doe@acme.com".into());
        let before = r.record(0).as_strs().map(str::to_string);
        let fixes = apply_all_fixes_logged(&mut r);
        assert_eq!(cells_changed(&fixes), 5, "{fixes:?}");
        // Every fix names its code, and the first change of each cell starts from the original.
        for field in Field::ALL {
            let first = fixes.iter().find(|f| f.field == field).unwrap();
            assert_eq!(first.old, before[field.index()], "{field:?}");
            assert_eq!(first.line, 2);
        }
        let sf = fixes
            .iter()
            .find(|f| f.field == Field::SalesforceUserId)
            .unwrap();
        assert_eq!((sf.code, sf.new.as_str()), (Code::Sfid15, id.as_str()));
        assert_eq!(
            r.record(0).as_strs(),
            [
                "Jane Doe",
                "jane@acme.com",
                id.as_str(),
                "jane@acme.onmicrosoft.com",
                "jane.doe@acme.com"
            ]
        );
        assert!(r.findings(0).is_empty(), "{:?}", r.findings(0));
    }

    /// A cell repeating one address: both engines report `repeated-address` with the same
    /// fix, and applying it leaves the row clean.
    #[test]
    fn a_repeated_address_is_fixed_and_both_engines_agree() {
        use crate::roster::import::{import_bytes, ImportOptions};
        use crate::roster::scan::scan_records;
        let csv = "Full name,Salesforce login,Salesforce user ID,Office 365 login,Office 365 email address\n\
                   Ada Lovelace,ada@acme.com,005000000000001AAA,\"ada@acme.com; ADA@acme.com\",ada@acme.com\n";
        let imported = import_bytes(csv.as_bytes(), &ImportOptions::default()).unwrap();
        let report = scan_records(imported.detected.clone(), &imported.records);
        let mut r = Roster::from_imported(imported);
        let codes: Vec<Code> = r.findings(0).iter().map(|f| f.code).collect();
        assert_eq!(codes, vec![Code::RepeatedAddress]);
        assert_eq!(report.findings.len(), 1, "{:?}", report.findings);
        assert_eq!(report.findings[0].finding, r.findings(0)[0]);
        let fixes = apply_all_fixes_logged(&mut r);
        assert_eq!(fixes[0].new, "ada@acme.com");
        assert!(r.findings(0).is_empty(), "{:?}", r.findings(0));
    }
}

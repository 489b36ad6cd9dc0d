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

/// Applies every suggested fix until none is left (one fix can reveal the next, e.g. trimming
/// `  mailto:a@b.com`). Returns the number of cells changed.
pub fn apply_all_fixes(roster: &mut Roster) -> usize {
    let mut changed = 0;
    // Each round strictly shortens or settles a value; a handful of rounds always suffices.
    for _ in 0..8 {
        let edits: Vec<FixEdit> = roster
            .problem_rows()
            .flat_map(|row| {
                let mut seen = [false; 5];
                roster
                    .findings(row)
                    .iter()
                    .filter_map(|f| Some((f.field?, f.fix.clone()?)))
                    .filter(|(field, _)| !std::mem::replace(&mut seen[field.index()], true))
                    .map(|(field, value)| FixEdit { row, field, value })
                    .collect::<Vec<_>>()
            })
            .collect();
        if edits.is_empty() {
            break;
        }
        for e in edits {
            roster.set_cell(e.row, e.field, e.value);
            changed += 1;
        }
    }
    changed
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
        assert!(apply_all_fixes(&mut r) >= 4);
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
}

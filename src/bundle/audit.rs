//! What scc-onboard changed in the roster and why rows were left out, for report.md: every
//! automatic fix (`--fix`), suggested and bulk fix and hand edit (the session's operations),
//! each with line, field, old and new value; and which exclusions were "every row with
//! errors" (`--exclude-invalid`, the wizard's `x`) rather than the admin's one by one.

use crate::roster::by_line::SetApplied;
use crate::roster::fix::AppliedFix;
use crate::roster::Field;
use crate::session::Op;
use std::collections::BTreeSet;

/// How a change came about.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ChangeKind {
    /// `--fix`: every suggested fix applied automatically.
    AutomaticFix,
    /// The suggested fix of one finding, applied by the admin in the wizard.
    SuggestedFix,
    /// One kind of suggested fix applied to every row that had it (the wizard's `F`).
    BulkFix,
    /// A value typed by the admin.
    HandEdit,
    /// A value given on the command line (`--set LINE:FIELD=VALUE`): a hand edit too.
    SetFlag,
}

impl ChangeKind {
    /// The words report.md uses.
    pub fn describe(&self) -> &'static str {
        match self {
            ChangeKind::AutomaticFix => "automatic fix (--fix)",
            ChangeKind::SuggestedFix => "suggested fix",
            ChangeKind::BulkFix => "bulk fix",
            ChangeKind::HandEdit => "hand edit",
            ChangeKind::SetFlag => "hand edit (--set)",
        }
    }
}

/// One cell change.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    pub kind: ChangeKind,
    /// Physical line of the row in the source file.
    pub line: u64,
    pub field: Field,
    /// The finding code a fix answered (None for hand edits).
    pub code: Option<String>,
    pub old: String,
    pub new: String,
}

/// The changes and the kinds of exclusion that went into a bundle.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Audit {
    /// Every cell change, in the order it was made.
    pub changes: Vec<Change>,
    /// 0-based rows left out because they had errors (`--exclude-invalid` or the wizard's
    /// `x`); any other excluded row was excluded by the admin.
    pub left_out_invalid: BTreeSet<usize>,
    /// 0-based rows the admin named with `--exclude` (excluded by the admin, on the command
    /// line).
    pub excluded_by_flag: BTreeSet<usize>,
}

impl Audit {
    /// What a wizard session's applied operations (oldest first) changed and excluded.
    pub fn from_history(history: &[Op]) -> Audit {
        let mut audit = Audit::default();
        for op in history {
            audit.record(op);
        }
        audit
    }

    fn record(&mut self, op: &Op) {
        match op {
            Op::Cells { label, changes, .. } => {
                let (kind, code) = kind_of(label);
                self.changes.extend(changes.iter().map(|c| Change {
                    kind: kind.clone(),
                    line: c.line,
                    field: c.field,
                    code: code.clone(),
                    old: c.old.clone(),
                    new: c.new.clone(),
                }));
            }
            Op::ExcludeRows { .. } | Op::Exclude { .. } => {
                record_exclusion(&mut self.left_out_invalid, op)
            }
            // An unplaced change the admin re-applied counts as what it applies.
            Op::Resolve { apply, .. } => {
                if let Some(op) = apply {
                    self.record(op);
                }
            }
            Op::CellsFile { .. } | Op::Choice { .. } | Op::Match { .. } => {}
        }
    }

    /// Adds the cells `--set` changed.
    pub fn add_sets(&mut self, sets: &[SetApplied]) {
        self.changes.extend(sets.iter().map(|s| Change {
            kind: ChangeKind::SetFlag,
            line: s.line,
            field: s.field,
            code: None,
            old: s.old.clone(),
            new: s.new.clone(),
        }));
    }

    /// Adds the fixes `--fix` applied.
    pub fn add_fixes(&mut self, fixes: &[AppliedFix]) {
        self.changes.extend(fixes.iter().map(|f| Change {
            kind: ChangeKind::AutomaticFix,
            line: f.line,
            field: f.field,
            code: Some(f.code.as_str().to_string()),
            old: f.old.clone(),
            new: f.new.clone(),
        }));
    }
}

/// Follows one operation's effect on the rows left out for having errors: `ExcludeRows`
/// (every row with errors at once) adds or removes them; excluding a single row is the
/// admin's own decision, whatever the row held. The one rule for report.md and Review.
pub(crate) fn record_exclusion(left_out_invalid: &mut BTreeSet<usize>, op: &Op) {
    match op {
        Op::ExcludeRows { rows, excluded, .. } => {
            for &r in rows {
                if *excluded {
                    left_out_invalid.insert(r);
                } else {
                    left_out_invalid.remove(&r);
                }
            }
        }
        Op::Exclude { row, .. } => {
            left_out_invalid.remove(row);
        }
        Op::Resolve {
            apply: Some(op), ..
        } => record_exclusion(left_out_invalid, op),
        _ => {}
    }
}

/// The kind and code of a session operation from its label (`edit full_name`,
/// `fix sfid-15`, `bulk fix sfid-15`; see `tui::update::fix`).
fn kind_of(label: &str) -> (ChangeKind, Option<String>) {
    if let Some(code) = label.strip_prefix("bulk fix ") {
        (ChangeKind::BulkFix, Some(code.to_string()))
    } else if let Some(code) = label.strip_prefix("fix ") {
        (ChangeKind::SuggestedFix, Some(code.to_string()))
    } else {
        (ChangeKind::HandEdit, None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::CellEdit;

    fn edit(row: usize, old: &str, new: &str) -> CellEdit {
        CellEdit {
            row,
            line: row as u64 + 2,
            field: Field::SalesforceUserId,
            old: old.into(),
            new: new.into(),
            anchor: None,
        }
    }

    #[test]
    fn labels_become_kinds_and_exclusions_are_told_apart() {
        let history = vec![
            Op::cells("edit salesforce_user_id", vec![edit(0, "a", "b")]),
            Op::cells("fix sfid-15", vec![edit(1, "c", "d")]),
            Op::cells(
                "bulk fix sfid-15",
                vec![edit(2, "e", "f"), edit(3, "g", "h")],
            ),
            Op::ExcludeRows {
                rows: vec![4, 5, 6],
                excluded: true,
                anchors: None,
            },
            Op::Exclude {
                row: 5,
                line: 7,
                excluded: false,
                anchor: None,
            },
            Op::Exclude {
                row: 5,
                line: 7,
                excluded: true,
                anchor: None,
            },
        ];
        let a = Audit::from_history(&history);
        let kinds: Vec<(&ChangeKind, Option<&str>, u64)> = a
            .changes
            .iter()
            .map(|c| (&c.kind, c.code.as_deref(), c.line))
            .collect();
        assert_eq!(
            kinds,
            [
                (&ChangeKind::HandEdit, None, 2),
                (&ChangeKind::SuggestedFix, Some("sfid-15"), 3),
                (&ChangeKind::BulkFix, Some("sfid-15"), 4),
                (&ChangeKind::BulkFix, Some("sfid-15"), 5),
            ]
        );
        assert_eq!(a.left_out_invalid, BTreeSet::from([4, 6]));
    }
}

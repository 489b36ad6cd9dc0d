//! Operations: the units of the edit log, of undo and of redo.

use crate::roster::{Field, Roster};
use serde::{Deserialize, Serialize};

/// One cell change. `old` is kept so undo works after a resume.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CellEdit {
    /// 0-based roster row.
    pub row: usize,
    /// Physical line of the row in the source (for humans reading the file).
    pub line: u64,
    pub field: Field,
    pub old: String,
    pub new: String,
}

/// One undoable operation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Op {
    /// An edit, a fix or a bulk fix: cell changes applied together.
    Cells {
        /// What the admin did, e.g. `edit`, `fix sfid-15`, `bulk fix sfid-15`.
        label: String,
        changes: Vec<CellEdit>,
    },
    /// A row excluded from (or re-included in) the export.
    Exclude {
        row: usize,
        line: u64,
        excluded: bool,
    },
}

impl Op {
    /// Applies the operation. Returns how many cells did not hold the recorded old value, or
    /// None (nothing applied) when a row is out of range.
    pub fn apply(&self, roster: &mut Roster) -> Option<usize> {
        match self {
            Op::Cells { changes, .. } => {
                if changes.iter().any(|c| c.row >= roster.len()) {
                    return None;
                }
                let mut mismatched = 0;
                for c in changes {
                    let change = roster.set_cell(c.row, c.field, c.new.clone());
                    if change.old != c.old {
                        mismatched += 1;
                    }
                }
                Some(mismatched)
            }
            Op::Exclude { row, excluded, .. } => {
                if *row >= roster.len() {
                    return None;
                }
                roster.set_excluded(*row, *excluded);
                Some(0)
            }
        }
    }

    /// The operation that undoes this one.
    pub fn inverse(&self) -> Op {
        match self {
            Op::Cells { label, changes } => Op::Cells {
                label: format!("undo {label}"),
                changes: changes
                    .iter()
                    .rev()
                    .map(|c| CellEdit {
                        old: c.new.clone(),
                        new: c.old.clone(),
                        ..c.clone()
                    })
                    .collect(),
            },
            Op::Exclude {
                row,
                line,
                excluded,
            } => Op::Exclude {
                row: *row,
                line: *line,
                excluded: !excluded,
            },
        }
    }

    /// Rows the operation touches, for moving the selection there after undo/redo.
    pub fn first_row(&self) -> Option<usize> {
        match self {
            Op::Cells { changes, .. } => changes.first().map(|c| c.row),
            Op::Exclude { row, .. } => Some(*row),
        }
    }

    /// Short description for the status line.
    pub fn describe(&self) -> String {
        match self {
            Op::Cells { label, changes } if changes.len() == 1 => label.clone(),
            Op::Cells { label, changes } => format!("{label} ({} cells)", changes.len()),
            Op::Exclude { line, excluded, .. } => {
                if *excluded {
                    format!("exclude line {line}")
                } else {
                    format!("re-include line {line}")
                }
            }
        }
    }
}

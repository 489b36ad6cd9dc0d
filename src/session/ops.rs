//! Operations: the units of the edit log, of undo and of redo.

use super::join::MatchEdit;
use super::place::{Anchor, RowKeys, Unplaced};
use crate::customize::ChoiceEdit;
use crate::roster::{Field, Roster};
use serde::{Deserialize, Serialize};

/// One cell change. `old` is kept so undo works after a resume, and is checked on replay.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CellEdit {
    /// 0-based roster row.
    pub row: usize,
    /// Physical line of the row in the source (for humans reading the file).
    pub line: u64,
    pub field: Field,
    pub old: String,
    pub new: String,
    /// The row's content when the change was made, so replay finds that row again after the
    /// source changed (None in version-1 files: placed by row number and old value).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub anchor: Option<Anchor>,
}

impl CellEdit {
    /// Setting `field` of `row` to `new`, anchored to the row as it stands now.
    pub fn at(roster: &Roster, row: usize, field: Field, new: String) -> CellEdit {
        CellEdit {
            row,
            line: roster.record(row).line,
            field,
            old: roster.cell(row, field).to_string(),
            new,
            anchor: Some(Anchor::of_row(roster, row)),
        }
    }
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
        /// Unique id; names the operation's own file when it is large (see `store`).
        #[serde(default, skip_serializing_if = "is_zero")]
        id: u64,
    },
    /// On disk only: a large `Cells` operation kept in its own file next to the session,
    /// `<session file>.d/op-<id>.json`. [`super::Session::load`] replaces it by the operation.
    CellsFile {
        label: String,
        id: u64,
        cells: usize,
    },
    /// A row excluded from (or re-included in) the export.
    Exclude {
        row: usize,
        line: u64,
        excluded: bool,
        /// The row's content when it was excluded (None in version-1 files).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        anchor: Option<Anchor>,
    },
    /// Rows excluded (or re-included) together, e.g. every row with errors at once.
    ExcludeRows {
        /// 0-based rows, ascending; on disk as one string of ranges (`"2,6,9-14"`) so a large
        /// exclusion stays one line of `session.json`, which is rewritten on every change.
        #[serde(with = "row_ranges")]
        rows: Vec<usize>,
        excluded: bool,
        /// Each row's content key, in `rows` order (None in version-1 files).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        anchors: Option<RowKeys>,
    },
    /// A customization choice changed. The roster is untouched; the session's `customization`
    /// holds the choices after every recorded operation, so replay needs nothing from this
    /// entry, and undo/redo apply `edit` to the choices.
    Choice { edit: ChoiceEdit },
    /// (version 3) A Match review choice changed. Like `choice`: the roster is untouched (it
    /// is joined again when the admin continues), the session's `join.choices` holds the
    /// choices after every recorded operation, and undo/redo apply `edit` to them.
    Match { edit: MatchEdit },
    /// An unplaced change (see [`Unplaced`]) resolved by the admin: re-applied to the row they
    /// chose (`apply`, an ordinary `cells` or `exclude` operation) or dropped (`apply` absent).
    /// Applying it takes `item` off the session's unplaced list; undoing puts it back.
    Resolve {
        item: Unplaced,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        apply: Option<Box<Op>>,
    },
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// Ids unique across runs: nanoseconds at first use, then counting.
pub(super) fn next_id() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(1, |d| d.as_nanos() as u64);
    let _ = NEXT.compare_exchange(0, seed, Ordering::Relaxed, Ordering::Relaxed);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

impl Op {
    /// Cell changes applied together, with a fresh id.
    pub fn cells(label: impl Into<String>, changes: Vec<CellEdit>) -> Op {
        Op::Cells {
            label: label.into(),
            changes,
            id: next_id(),
        }
    }

    /// Applies the operation. Returns how many cells did not hold the recorded old value, or
    /// None (nothing applied) when a row is out of range.
    pub fn apply(&self, roster: &mut Roster) -> Option<usize> {
        match self {
            Op::CellsFile { .. } => None,
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
            Op::Resolve { apply, .. } => match apply {
                Some(op) => op.apply(roster),
                None => Some(0),
            },
            Op::ExcludeRows { rows, excluded, .. } => {
                if rows.iter().any(|&r| r >= roster.len()) {
                    return None;
                }
                for &r in rows {
                    roster.set_excluded(r, *excluded);
                }
                Some(0)
            }
            Op::Choice { .. } | Op::Match { .. } => Some(0),
        }
    }

    /// The operation that undoes this one.
    pub fn inverse(&self) -> Op {
        match self {
            Op::CellsFile { .. } => self.clone(),
            Op::Cells { label, changes, id } => Op::Cells {
                id: *id,
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
                anchor,
            } => Op::Exclude {
                row: *row,
                line: *line,
                excluded: !excluded,
                anchor: anchor.clone(),
            },
            Op::ExcludeRows {
                rows,
                excluded,
                anchors,
            } => Op::ExcludeRows {
                rows: rows.clone(),
                excluded: !excluded,
                anchors: anchors.clone(),
            },
            // Only the roster side: the session puts the item back (`Session::track_resolved`).
            Op::Resolve { item, apply } => Op::Resolve {
                item: item.clone(),
                apply: apply.as_ref().map(|op| Box::new(op.inverse())),
            },
            Op::Choice { edit } => Op::Choice {
                edit: ChoiceEdit {
                    key: edit.key.clone(),
                    old: edit.new.clone(),
                    new: edit.old.clone(),
                },
            },
            Op::Match { edit } => Op::Match {
                edit: edit.inverse(),
            },
        }
    }

    /// Rows the operation touches, for moving the selection there after undo/redo.
    pub fn first_row(&self) -> Option<usize> {
        match self {
            Op::Cells { changes, .. } => changes.first().map(|c| c.row),
            Op::CellsFile { .. } => None,
            Op::Exclude { row, .. } => Some(*row),
            Op::ExcludeRows { rows, .. } => rows.first().copied(),
            Op::Choice { .. } | Op::Match { .. } => None,
            Op::Resolve { apply, .. } => apply.as_ref().and_then(|op| op.first_row()),
        }
    }

    /// Number of cells the operation changes.
    pub fn cell_count(&self) -> usize {
        match self {
            Op::Cells { changes, .. } => changes.len(),
            Op::CellsFile { cells, .. } => *cells,
            Op::Resolve { apply, .. } => apply.as_ref().map_or(0, |op| op.cell_count()),
            Op::Exclude { .. } | Op::ExcludeRows { .. } | Op::Choice { .. } | Op::Match { .. } => 0,
        }
    }

    /// Short description for the status line.
    pub fn describe(&self) -> String {
        match self {
            Op::Cells { label, changes, .. } if changes.len() == 1 => label.clone(),
            Op::Cells { label, changes, .. } => format!("{label} ({} cells)", changes.len()),
            Op::CellsFile { label, cells, .. } => format!("{label} ({cells} cells)"),
            Op::Exclude { line, excluded, .. } => {
                if *excluded {
                    format!("exclude line {line}")
                } else {
                    format!("re-include line {line}")
                }
            }
            Op::ExcludeRows { rows, excluded, .. } => format!(
                "{} {} row(s)",
                if *excluded { "exclude" } else { "re-include" },
                rows.len()
            ),
            Op::Choice { edit } => format!("set {}", edit.key),
            Op::Match { edit } => format!("match: {}", edit.describe()),
            Op::Resolve { item, apply: None } => format!("drop unplaced change: {}", item.what()),
            Op::Resolve {
                item,
                apply: Some(op),
            } => format!("re-apply {} ({})", item.what(), op.describe()),
        }
    }
}

impl Op {
    /// What the operation did, in the admin's words: field and setting titles, not keys
    /// (`edited Full name`, `set Blocked addresses and domains`, `left out 2 rows`). The
    /// stored labels (`edit full_name`) stay as they are: report.md and old sessions read them.
    pub fn said(&self, cat: &crate::customize::Catalogue) -> String {
        let rows = |n: usize| format!("{n} {}", if n == 1 { "row" } else { "rows" });
        match self {
            Op::Cells { label, changes, .. } => {
                let fields: std::collections::BTreeSet<_> =
                    changes.iter().map(|c| c.field).collect();
                let what = match (fields.len(), changes.first()) {
                    (1, Some(c)) if changes.len() == 1 => c.field.title().to_string(),
                    (1, Some(c)) => format!("{} in {}", c.field.title(), rows(changes.len())),
                    _ => format!("{} cells", changes.len()),
                };
                if let Some(code) = label.strip_prefix("bulk fix ") {
                    format!("fixed {code}: {what}")
                } else if let Some(code) = label.strip_prefix("fix ") {
                    format!("applied the suggested fix ({code}) to {what}")
                } else if label.starts_with("edit ") {
                    format!("edited {what}")
                } else {
                    label.clone()
                }
            }
            Op::CellsFile { label, cells, .. } => format!("{label} ({cells} cells)"),
            Op::Exclude { excluded: true, .. } => "excluded (not exported; x re-includes)".into(),
            Op::Exclude { .. } => "re-included".into(),
            Op::ExcludeRows {
                rows: r, excluded, ..
            } => format!(
                "{} {}",
                if *excluded { "left out" } else { "re-included" },
                rows(r.len())
            ),
            Op::Choice { edit } => match cat.get(&edit.key) {
                Some(s) => format!("set {}", s.title),
                None if edit
                    .key
                    .starts_with(crate::customize::choices::CHECKLIST_PREFIX) =>
                {
                    if matches!(edit.new, crate::customize::Value::Bool(false)) {
                        "unticked a checklist step".into()
                    } else {
                        "ticked a checklist step".into()
                    }
                }
                None => format!("set {}", edit.key),
            },
            Op::Match { edit } => format!("Match review: {}", edit.describe()),
            Op::Resolve { .. } => self.describe(),
        }
    }
}

/// `Vec<usize>` as a string of ascending rows and ranges: `[2, 6, 9, 10, 11]` ⇄ `"2,6,9-11"`.
mod row_ranges {
    use serde::{de::Error, Deserialize, Deserializer, Serializer};
    use std::fmt::Write;

    pub(super) fn serialize<S: Serializer>(rows: &[usize], s: S) -> Result<S::Ok, S::Error> {
        let mut out = String::new();
        let mut i = 0;
        while i < rows.len() {
            let start = rows[i];
            while i + 1 < rows.len() && rows[i + 1] == rows[i] + 1 {
                i += 1;
            }
            if !out.is_empty() {
                out.push(',');
            }
            let _ = match rows[i] {
                end if end == start => write!(out, "{start}"),
                end => write!(out, "{start}-{end}"),
            };
            i += 1;
        }
        s.serialize_str(&out)
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<usize>, D::Error> {
        let text = String::deserialize(d)?;
        let mut rows = Vec::new();
        for part in text.split(',').filter(|p| !p.is_empty()) {
            let bad = || D::Error::custom(format!("bad row range {part:?}"));
            let (a, b) = part.split_once('-').unwrap_or((part, part));
            let (a, b): (usize, usize) =
                (a.parse().map_err(|_| bad())?, b.parse().map_err(|_| bad())?);
            if b < a || b - a > 100_000_000 {
                return Err(bad());
            }
            rows.extend(a..=b);
        }
        Ok(rows)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excluded_rows_are_saved_as_ranges_and_read_back() {
        let op = Op::ExcludeRows {
            rows: vec![2, 6, 9, 10, 11, 40],
            excluded: true,
            anchors: None,
        };
        let json = serde_json::to_string(&op).unwrap();
        assert_eq!(
            json,
            r#"{"op":"exclude_rows","rows":"2,6,9-11,40","excluded":true}"#
        );
        assert_eq!(serde_json::from_str::<Op>(&json).unwrap(), op);
        let err =
            serde_json::from_str::<Op>(r#"{"op":"exclude_rows","rows":"5-x","excluded":true}"#)
                .unwrap_err()
                .to_string();
        assert!(err.contains("bad row range"), "{err}");
    }
}

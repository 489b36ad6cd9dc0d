//! Anchoring recorded changes to the rows they were made on, and placing them again when the
//! session is replayed onto a source that may have changed since (rows inserted, removed or
//! re-sorted in Excel).
//!
//! The rule (docs/wizard.md, "Where replay puts a change"):
//!
//! * A change carries the [`RowKey`] of its row's five cells as they stood when it was made.
//! * Replay puts it on the recorded row when that row still has this key; otherwise on the one
//!   row that has it now. No row, or several (identical rows), means the change is *unplaced*.
//! * A cell change is applied only where the cell still holds the recorded old value;
//!   otherwise it is unplaced too.
//! * A change without an anchor (a version-1 file) goes to its recorded row when the cell there
//!   holds the recorded old value (exclusions: when the row exists).
//!
//! Unplaced changes are never applied: they go to [`super::Session::unplaced`] until the admin
//! re-applies each to a row of their choice or drops it ([`super::Op::Resolve`]).
//!
//! Changes are replayed in order, so a change made on top of an earlier one (edit, then fix of
//! the same cell) finds its row by the content the earlier change left there.

use super::ops::next_id;
use super::{CellEdit, Op};
use crate::roster::{Field, Roster};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::collections::HashMap;

/// A row's content key: xxh3-64 of its five cells (each length-prefixed, so no two different
/// rows share an encoding). A false match between two different rows of a million-row roster
/// has odds of about 1 in 10^13; the old-value check guards cell changes besides.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct RowKey(pub u64);

impl RowKey {
    /// The key of five cells.
    pub fn of<S: AsRef<str>>(cells: &[S; 5]) -> RowKey {
        let cells = cells.each_ref().map(AsRef::as_ref);
        let mut bytes = Vec::with_capacity(cells.iter().map(|c| c.len() + 8).sum());
        for c in cells {
            bytes.extend_from_slice(&(c.len() as u64).to_le_bytes());
            bytes.extend_from_slice(c.as_bytes());
        }
        RowKey(xxhash_rust::xxh3::xxh3_64(&bytes))
    }

    /// The key of a roster row as it stands now.
    pub fn of_row(roster: &Roster, row: usize) -> RowKey {
        RowKey::of(&roster.record(row).cells)
    }

    fn parse(s: &str) -> Option<RowKey> {
        (s.len() == 16)
            .then(|| u64::from_str_radix(s, 16).ok())
            .flatten()
            .map(RowKey)
    }
}

impl Serialize for RowKey {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format!("{:016x}", self.0))
    }
}

impl<'de> Deserialize<'de> for RowKey {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<RowKey, D::Error> {
        let s = String::deserialize(d)?;
        RowKey::parse(&s)
            .ok_or_else(|| serde::de::Error::custom(format!("bad row key {s:?} (16 hex digits)")))
    }
}

/// Row keys in a row list's order; on disk one comma-separated string so a large exclusion
/// stays one line of `session.json`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RowKeys(pub Vec<RowKey>);

impl RowKeys {
    /// The keys of `rows` as they stand now.
    pub fn of_rows(roster: &Roster, rows: &[usize]) -> RowKeys {
        RowKeys(rows.iter().map(|&r| RowKey::of_row(roster, r)).collect())
    }
}

impl Serialize for RowKeys {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let text: Vec<String> = self.0.iter().map(|k| format!("{:016x}", k.0)).collect();
        s.serialize_str(&text.join(","))
    }
}

impl<'de> Deserialize<'de> for RowKeys {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<RowKeys, D::Error> {
        let s = String::deserialize(d)?;
        s.split(',')
            .filter(|p| !p.is_empty())
            .map(|p| {
                RowKey::parse(p)
                    .ok_or_else(|| serde::de::Error::custom(format!("bad row key {p:?}")))
            })
            .collect::<Result<_, _>>()
            .map(RowKeys)
    }
}

/// Which row a change was made on: its content key, and who it is (for the admin).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Anchor {
    pub row_key: RowKey,
    /// The row's full name (or its first non-empty login or ID), shown when the change
    /// cannot be placed.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub user: String,
}

impl Anchor {
    /// The anchor of a roster row as it stands now.
    pub fn of_row(roster: &Roster, row: usize) -> Anchor {
        let cells = &roster.record(row).cells;
        Anchor {
            row_key: RowKey::of(cells),
            user: user_of(cells),
        }
    }
}

/// Who a row is, for humans: the full name, else the first non-empty login or ID.
pub fn user_of<S: AsRef<str>>(cells: &[S; 5]) -> String {
    [
        Field::FullName,
        Field::Office365Login,
        Field::SalesforceLogin,
        Field::Office365Email,
        Field::SalesforceUserId,
    ]
    .iter()
    .map(|f| cells[f.index()].as_ref().trim())
    .find(|v| !v.is_empty())
    .unwrap_or_default()
    .to_string()
}

/// Why a change could not be placed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    /// No row holds the content the change was made on.
    NotFound,
    /// Several rows hold it (identical rows) and the recorded row is not one of them.
    Ambiguous,
    /// The row was found but the cell no longer holds the recorded old value.
    OldValueDiffers,
}

impl Reason {
    /// Plain words for the admin.
    pub fn message(self) -> &'static str {
        match self {
            Reason::NotFound => "no row holds this user's recorded data now",
            Reason::Ambiguous => "several identical rows hold this user's recorded data",
            Reason::OldValueDiffers => "the cell no longer holds the recorded old value",
        }
    }
}

/// What an unplaced change would have done.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum UnplacedChange {
    /// Set `field` from `old` to `new`.
    Cell {
        field: Field,
        old: String,
        new: String,
    },
    /// Exclude (or re-include) the row.
    Exclude { excluded: bool },
}

/// A recorded change that replay could not put on a row with certainty, so did not apply.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unplaced {
    /// Unique; pairs the item with the operation that resolves it.
    pub id: u64,
    /// The operation it came from, e.g. `edit salesforce_login`.
    pub label: String,
    /// Physical line of its row in the source as last replayed (where the change was made, or
    /// where a resume last placed it); 0 when unknown.
    pub line: u64,
    /// Who the row was (empty when the change carried no anchor: version-1 files).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub user: String,
    #[serde(flatten)]
    pub change: UnplacedChange,
    pub reason: Reason,
}

impl Unplaced {
    /// The change in short: `salesforce_login "a" → "b"`, `exclude`, `re-include`.
    pub fn what(&self) -> String {
        match &self.change {
            UnplacedChange::Cell { field, old, new } => {
                format!("{} {old:?} → {new:?}", field.key())
            }
            UnplacedChange::Exclude { excluded: true } => "exclude the row".into(),
            UnplacedChange::Exclude { excluded: false } => "re-include the row".into(),
        }
    }

    /// Who, for the admin: the recorded user or a placeholder.
    pub fn who(&self) -> &str {
        if self.user.is_empty() {
            "(user not recorded)"
        } else {
            &self.user
        }
    }

    /// The operation that re-applies this change to `row` as an ordinary recorded change.
    pub fn reapply_to(&self, roster: &Roster, row: usize) -> Op {
        match &self.change {
            UnplacedChange::Cell { field, new, .. } => Op::cells(
                format!("re-apply {}", field.key()),
                vec![CellEdit::at(roster, row, *field, new.clone())],
            ),
            UnplacedChange::Exclude { excluded } => Op::Exclude {
                row,
                line: roster.record(row).line,
                excluded: *excluded,
                anchor: Some(Anchor::of_row(roster, row)),
            },
        }
    }
}

/// What replaying a session did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReplayReport {
    /// Operations applied (wholly or in part).
    pub applied: usize,
    /// Changes not applied because their cell no longer held the recorded old value.
    pub mismatched: usize,
    /// Changes not applied because no row, or several, held their recorded row's content.
    pub skipped: usize,
    /// Changes applied to another row than the recorded one (the rows moved in the source).
    pub moved: usize,
    /// Every unplaced change after the replay: those saved in the session plus new ones.
    pub unplaced: Vec<Unplaced>,
}

impl ReplayReport {
    /// Changes this replay could not place (also in `unplaced`).
    pub fn newly_unplaced(&self) -> usize {
        self.mismatched + self.skipped
    }

    /// Whether every change went exactly where it was recorded.
    pub fn in_place(&self) -> bool {
        self.moved == 0 && self.newly_unplaced() == 0
    }
}

/// Finds rows by content. The index of every row's key is built only when a change is not on
/// its recorded row (so an unchanged source costs one hash per change), then kept up to date.
#[derive(Default)]
struct Placer {
    index: Option<HashMap<u64, Vec<usize>>>,
}

impl Placer {
    /// The row a change anchored to `key` (None: no anchor) and recorded on `row` goes to.
    /// `before` holds the keys, before the current operation, of rows it already changed: an
    /// operation's anchors all describe its rows before it.
    fn locate(
        &mut self,
        roster: &Roster,
        row: usize,
        key: Option<RowKey>,
        before: &HashMap<usize, RowKey>,
    ) -> Result<usize, Reason> {
        let Some(key) = key else {
            return if row < roster.len() {
                Ok(row)
            } else {
                Err(Reason::NotFound)
            };
        };
        let key_of = |r: usize| {
            before
                .get(&r)
                .copied()
                .unwrap_or_else(|| RowKey::of_row(roster, r))
        };
        if row < roster.len() && key_of(row) == key {
            return Ok(row);
        }
        let index = self.index.get_or_insert_with(|| {
            let mut m: HashMap<u64, Vec<usize>> = HashMap::with_capacity(roster.len());
            for r in 0..roster.len() {
                m.entry(key_of(r).0).or_default().push(r);
            }
            m
        });
        match index.get(&key.0).map(Vec::as_slice) {
            Some([r]) => Ok(*r),
            Some([_, _, ..]) => Err(Reason::Ambiguous),
            _ => Err(Reason::NotFound),
        }
    }

    /// Once an operation is done: its changed rows move to their new keys in the index.
    fn rows_changed(&mut self, roster: &Roster, before: HashMap<usize, RowKey>) {
        let Some(index) = &mut self.index else {
            return;
        };
        for (row, old) in before {
            if let Some(rows) = index.get_mut(&old.0) {
                rows.retain(|&r| r != row);
            }
            index
                .entry(RowKey::of_row(roster, row).0)
                .or_default()
                .push(row);
        }
    }
}

/// Replays `history` onto `roster` with the rule of the module doc. Returns the report and the
/// history as it now applies to this roster: changes on the rows they were placed on (lines
/// updated), unplaced changes taken out (an operation left empty is dropped).
pub(super) fn replay(
    history: &[Op],
    saved_unplaced: &[Unplaced],
    roster: &mut Roster,
) -> (ReplayReport, Vec<Op>) {
    let mut r = Replayer {
        placer: Placer::default(),
        report: ReplayReport {
            unplaced: saved_unplaced.to_vec(),
            ..Default::default()
        },
    };
    let mut rebased = Vec::with_capacity(history.len());
    for op in history {
        if let Some(op) = r.op(op, roster) {
            r.report.applied += 1;
            rebased.push(op);
        }
    }
    (r.report, rebased)
}

struct Replayer {
    placer: Placer,
    report: ReplayReport,
}

impl Replayer {
    fn unplaced(
        &mut self,
        label: &str,
        line: u64,
        user: &str,
        change: UnplacedChange,
        why: Reason,
    ) {
        match why {
            Reason::OldValueDiffers => self.report.mismatched += 1,
            _ => self.report.skipped += 1,
        }
        self.report.unplaced.push(Unplaced {
            id: next_id(),
            label: label.to_string(),
            line,
            user: user.to_string(),
            change,
            reason: why,
        });
    }

    /// Replays one operation; the operation as it now applies, or None if nothing of it did.
    fn op(&mut self, op: &Op, roster: &mut Roster) -> Option<Op> {
        match op {
            Op::Cells { label, changes, id } => {
                // Applied one by one, as recorded (a change may follow another on the same
                // cell); rows are found by their keys before this operation.
                let mut before: HashMap<usize, RowKey> = HashMap::new();
                let mut placed = Vec::with_capacity(changes.len());
                for c in changes {
                    let key = c.anchor.as_ref().map(|a| a.row_key);
                    let at = self
                        .placer
                        .locate(roster, c.row, key, &before)
                        .and_then(|row| {
                            if roster.cell(row, c.field) == c.old {
                                Ok(row)
                            } else {
                                Err(Reason::OldValueDiffers)
                            }
                        });
                    match at {
                        Ok(row) => {
                            before
                                .entry(row)
                                .or_insert_with(|| RowKey::of_row(roster, row));
                            roster.set_cell(row, c.field, c.new.clone());
                            if row != c.row {
                                self.report.moved += 1;
                            }
                            placed.push(CellEdit {
                                row,
                                line: roster.record(row).line,
                                ..c.clone()
                            });
                        }
                        Err(why) => {
                            let user = c.anchor.as_ref().map_or("", |a| a.user.as_str());
                            let change = UnplacedChange::Cell {
                                field: c.field,
                                old: c.old.clone(),
                                new: c.new.clone(),
                            };
                            self.unplaced(label, c.line, user, change, why);
                        }
                    }
                }
                self.placer.rows_changed(roster, before);
                if placed.is_empty() {
                    return None;
                }
                // A changed operation gets a new id: a large one's file is written once per id.
                let id = if *id != 0 && placed != *changes {
                    next_id()
                } else {
                    *id
                };
                Some(Op::Cells {
                    label: label.clone(),
                    changes: placed,
                    id,
                })
            }
            Op::CellsFile { .. } => None,
            Op::Exclude {
                row,
                line,
                excluded,
                anchor,
            } => {
                let key = anchor.as_ref().map(|a| a.row_key);
                match self.placer.locate(roster, *row, key, &HashMap::new()) {
                    Ok(at) => {
                        if at != *row {
                            self.report.moved += 1;
                        }
                        roster.set_excluded(at, *excluded);
                        Some(Op::Exclude {
                            row: at,
                            line: roster.record(at).line,
                            excluded: *excluded,
                            anchor: anchor.clone(),
                        })
                    }
                    Err(why) => {
                        let user = anchor.as_ref().map_or("", |a| a.user.as_str());
                        let label = op.describe();
                        let change = UnplacedChange::Exclude {
                            excluded: *excluded,
                        };
                        self.unplaced(&label, *line, user, change, why);
                        None
                    }
                }
            }
            Op::ExcludeRows {
                rows,
                excluded,
                anchors,
            } => {
                let keys = anchors.as_ref().filter(|k| k.0.len() == rows.len());
                let label = op.describe();
                let mut placed: Vec<(usize, Option<RowKey>)> = Vec::with_capacity(rows.len());
                for (i, &row) in rows.iter().enumerate() {
                    let key = keys.map(|k| k.0[i]);
                    match self.placer.locate(roster, row, key, &HashMap::new()) {
                        Ok(at) => {
                            if at != row {
                                self.report.moved += 1;
                            }
                            placed.push((at, key));
                        }
                        // Only the rows' keys are recorded (a large exclusion stays small): no
                        // line or user to show (0 = unknown).
                        Err(why) => {
                            let change = UnplacedChange::Exclude {
                                excluded: *excluded,
                            };
                            self.unplaced(&label, 0, "", change, why);
                        }
                    }
                }
                if placed.is_empty() {
                    return None;
                }
                placed.sort_by_key(|p| p.0);
                placed.dedup_by_key(|p| p.0);
                for &(at, _) in &placed {
                    roster.set_excluded(at, *excluded);
                }
                Some(Op::ExcludeRows {
                    rows: placed.iter().map(|p| p.0).collect(),
                    excluded: *excluded,
                    anchors: keys.map(|_| RowKeys(placed.iter().filter_map(|p| p.1).collect())),
                })
            }
            Op::Choice { .. } | Op::Match { .. } => Some(op.clone()),
            Op::Resolve { item, apply } => Some(Op::Resolve {
                item: item.clone(),
                apply: apply
                    .as_ref()
                    .and_then(|inner| self.op(inner, roster))
                    .map(Box::new),
            }),
        }
    }
}

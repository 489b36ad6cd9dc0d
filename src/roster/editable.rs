//! The editable, incrementally validated roster the wizard works on.
//!
//! Every edit revalidates only the rows it can affect: the edited row and the rows sharing its
//! old or new duplicate keys. Cost per edit is independent of roster size (it grows only with
//! the number of rows that repeat the edited value).

use super::dupkey::{words, BuildKeyHasher, DupKind, KeyWords};
use super::{rules, Code, Field, Finding, Record, Severity};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// Totals over the included rows, kept up to date by every change.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    pub included: usize,
    pub excluded: usize,
    pub rows_with_errors: usize,
    pub rows_with_warnings: usize,
    /// Findings per code.
    pub per_code: BTreeMap<Code, usize>,
}

/// What [`Roster::set_cell`] changed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CellChange {
    /// The value the cell held before (for undo).
    pub old: String,
    /// Rows whose findings were recomputed, the edited row included.
    pub affected: Vec<usize>,
}

/// Rows sharing one duplicate key. A value with the top bit set indexes `Roster::groups`;
/// otherwise it is the only row holding the key (the common case needs no allocation).
type Slot = u32;
const MANY: u32 = 1 << 31;

/// An editable roster with findings for every row.
#[derive(Default)]
pub struct Roster {
    records: Vec<Record>,
    excluded: Vec<bool>,
    findings: Vec<Vec<Finding>>,
    header_len: Option<usize>,
    index: HashMap<KeyWords, Slot, BuildKeyHasher>,
    groups: Vec<Vec<u32>>,
    free_groups: Vec<u32>,
    error_rows: BTreeSet<u32>,
    warning_rows: BTreeSet<u32>,
    counts: Counts,
}

impl Roster {
    pub fn new() -> Self {
        Self::default()
    }

    /// A roster of `records`, validated.
    pub fn from_records(records: Vec<Record>) -> Self {
        let mut r = Self::new();
        r.extend(records);
        r
    }

    /// A roster from an import; rows whose field count differs from the header's are flagged.
    pub fn from_imported(imported: super::import::Imported) -> Self {
        let mut r = Self::new();
        r.set_header_len(imported.detected.headers.len());
        r.extend(imported.records);
        r
    }

    /// Rows with a different number of fields than `n` get a `wrong-field-count` error.
    /// Set it before adding records.
    pub fn set_header_len(&mut self, n: usize) {
        self.header_len = Some(n);
    }

    /// Appends and validates records (e.g. batch by batch while a file loads).
    pub fn extend(&mut self, records: Vec<Record>) {
        let start = self.records.len();
        self.records.reserve(records.len());
        self.findings.reserve(records.len());
        for rec in records {
            self.records.push(rec);
            self.excluded.push(false);
            self.findings.push(Vec::new());
        }
        self.counts.included += self.records.len() - start;
        for row in start..self.records.len() {
            for kind in DupKind::ALL {
                if let Some(k) = kind.key(self.records[row].cell(kind.field())) {
                    self.index_insert(words(k), row as u32);
                }
            }
            // Appended rows come last in every group, so earlier rows never change.
            self.refresh(row);
        }
    }

    pub fn len(&self) -> usize {
        self.records.len()
    }

    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    pub fn record(&self, row: usize) -> &Record {
        &self.records[row]
    }

    pub fn records(&self) -> &[Record] {
        &self.records
    }

    pub fn cell(&self, row: usize, field: Field) -> &str {
        self.records[row].cell(field)
    }

    pub fn findings(&self, row: usize) -> &[Finding] {
        &self.findings[row]
    }

    pub fn is_excluded(&self, row: usize) -> bool {
        self.excluded[row]
    }

    pub fn counts(&self) -> &Counts {
        &self.counts
    }

    /// Whether an included row has an error (export is refused then).
    pub fn has_errors(&self) -> bool {
        !self.error_rows.is_empty()
    }

    /// Included rows with at least one error, in order.
    pub fn error_rows(&self) -> impl Iterator<Item = usize> + '_ {
        self.error_rows.iter().map(|&r| r as usize)
    }

    /// Included rows with at least one finding, in order.
    pub fn problem_rows(&self) -> impl Iterator<Item = usize> + '_ {
        self.error_rows
            .union(&self.warning_rows)
            .map(|&r| r as usize)
    }

    /// Included rows with a finding of `code`.
    pub fn rows_with_code(&self, code: Code) -> Vec<usize> {
        let set = match code.severity() {
            Severity::Error => &self.error_rows,
            Severity::Warning => &self.warning_rows,
        };
        set.iter()
            .map(|&r| r as usize)
            .filter(|&r| self.findings[r].iter().any(|f| f.code == code))
            .collect()
    }

    /// The next (or previous) included row after `from` with a finding of `severity` (any
    /// severity when `None`), wrapping around.
    pub fn next_problem(
        &self,
        from: usize,
        forward: bool,
        severity: Option<Severity>,
    ) -> Option<usize> {
        let pick = |set: &BTreeSet<u32>| -> (Option<u32>, Option<u32>) {
            let f = from as u32;
            if forward {
                (
                    set.range(f + 1..).next().copied(),
                    set.iter().next().copied(),
                )
            } else {
                (
                    set.range(..f).next_back().copied(),
                    set.iter().next_back().copied(),
                )
            }
        };
        let sets: Vec<&BTreeSet<u32>> = match severity {
            Some(Severity::Error) => vec![&self.error_rows],
            Some(Severity::Warning) => vec![&self.warning_rows],
            None => vec![&self.error_rows, &self.warning_rows],
        };
        let best = |xs: Vec<Option<u32>>| {
            let xs = xs.into_iter().flatten();
            if forward {
                xs.min()
            } else {
                xs.max()
            }
        };
        let (near, wrap): (Vec<_>, Vec<_>) = sets.into_iter().map(pick).unzip();
        best(near).or_else(|| best(wrap)).map(|r| r as usize)
    }

    /// Replaces one cell and revalidates what it affects.
    pub fn set_cell(&mut self, row: usize, field: Field, value: String) -> CellChange {
        let old = std::mem::replace(&mut self.records[row].cells[field.index()], value);
        let mut affected = vec![row];
        if let (Some(kind), false) = (DupKind::for_field(field), self.excluded[row]) {
            let new_key = kind.key(self.records[row].cell(field));
            let old_key = kind.key(&old);
            if old_key != new_key {
                if let Some(k) = old_key {
                    affected.extend(self.index_remove(words(k), row as u32));
                }
                if let Some(k) = new_key {
                    affected.extend(self.index_insert(words(k), row as u32));
                }
            }
        }
        affected.sort_unstable();
        affected.dedup();
        for &r in &affected {
            self.refresh(r);
        }
        CellChange { old, affected }
    }

    /// Excludes a row from the export (or takes it back). Excluded rows take no part in
    /// duplicate detection. Returns the rows whose findings changed.
    pub fn set_excluded(&mut self, row: usize, excluded: bool) -> Vec<usize> {
        if self.excluded[row] == excluded {
            return Vec::new();
        }
        self.uncount(row);
        self.excluded[row] = excluded;
        if excluded {
            self.counts.included -= 1;
            self.counts.excluded += 1;
        } else {
            self.counts.included += 1;
            self.counts.excluded -= 1;
        }
        let mut affected = vec![row];
        for kind in DupKind::ALL {
            if let Some(k) = kind.key(self.records[row].cell(kind.field())) {
                affected.extend(if excluded {
                    self.index_remove(words(k), row as u32)
                } else {
                    self.index_insert(words(k), row as u32)
                });
            }
        }
        affected.sort_unstable();
        affected.dedup();
        for &r in &affected {
            if r == row {
                self.findings[r] = self.compute(r);
                self.count(r);
            } else {
                self.refresh(r);
            }
        }
        affected
    }

    /// Adds `row` under `key`; returns the other rows sharing it.
    fn index_insert(&mut self, key: KeyWords, row: u32) -> Vec<usize> {
        match self.index.get(&key).copied() {
            None => {
                self.index.insert(key, row);
                Vec::new()
            }
            Some(slot) if slot & MANY == 0 => {
                let group = if slot < row {
                    vec![slot, row]
                } else {
                    vec![row, slot]
                };
                let id = self.alloc_group(group);
                self.index.insert(key, id | MANY);
                vec![slot as usize]
            }
            Some(slot) => {
                let group = &mut self.groups[(slot & !MANY) as usize];
                let pos = group.partition_point(|&r| r < row);
                group.insert(pos, row);
                group
                    .iter()
                    .filter(|&&r| r != row)
                    .map(|&r| r as usize)
                    .collect()
            }
        }
    }

    /// Removes `row` from `key`; returns the rows still sharing it.
    fn index_remove(&mut self, key: KeyWords, row: u32) -> Vec<usize> {
        let Some(slot) = self.index.get(&key).copied() else {
            return Vec::new();
        };
        if slot & MANY == 0 {
            if slot == row {
                self.index.remove(&key);
            }
            return Vec::new();
        }
        let id = (slot & !MANY) as usize;
        let group = &mut self.groups[id];
        group.retain(|&r| r != row);
        let rest: Vec<usize> = group.iter().map(|&r| r as usize).collect();
        if group.len() == 1 {
            let only = group[0];
            self.groups[id] = Vec::new();
            self.free_groups.push(id as u32);
            self.index.insert(key, only);
        }
        rest
    }

    fn alloc_group(&mut self, group: Vec<u32>) -> u32 {
        match self.free_groups.pop() {
            Some(id) => {
                self.groups[id as usize] = group;
                id
            }
            None => {
                self.groups.push(group);
                (self.groups.len() - 1) as u32
            }
        }
    }

    /// For an excluded row: the duplicate findings it would have against the included rows
    /// (excluded rows take no part in duplicate checks, so their own findings lose these; a
    /// report still wants to say why the row was left out).
    pub fn duplicates_if_included(&self, row: usize) -> Vec<Finding> {
        let rec = &self.records[row];
        DupKind::ALL
            .into_iter()
            .filter_map(|kind| {
                let first = self.first_holder(words(kind.key(rec.cell(kind.field()))?))?;
                (first as usize != row)
                    .then(|| dup_finding(kind, first, self.records[first as usize].line))
            })
            .collect()
    }

    /// The first included row holding `key`.
    fn first_holder(&self, key: KeyWords) -> Option<u32> {
        let slot = *self.index.get(&key)?;
        Some(if slot & MANY == 0 {
            slot
        } else {
            self.groups[(slot & !MANY) as usize][0]
        })
    }

    /// The first row holding `key`, if it is before `row`.
    fn first_other(&self, key: KeyWords, row: u32) -> Option<u32> {
        self.first_holder(key).filter(|&first| first < row)
    }

    /// All findings of one row, from scratch.
    fn compute(&self, row: usize) -> Vec<Finding> {
        let rec = &self.records[row];
        let mut out = Vec::new();
        if let Some(n) = self.header_len {
            if rec.field_count != n {
                out.push(rules::wrong_field_count(
                    rec.field_count,
                    n,
                    rec.line,
                    rec.as_strs(),
                ));
            }
        }
        rules::check_record(rec.as_strs(), &mut out);
        if !self.excluded[row] {
            for kind in DupKind::ALL {
                let Some(k) = kind.key(rec.cell(kind.field())) else {
                    continue;
                };
                if let Some(first) = self.first_other(words(k), row as u32) {
                    out.push(dup_finding(kind, first, self.records[first as usize].line));
                }
            }
        }
        out
    }

    /// Recomputes one row's findings and its share of the counts.
    fn refresh(&mut self, row: usize) {
        self.uncount(row);
        self.findings[row] = self.compute(row);
        self.count(row);
    }

    fn count(&mut self, row: usize) {
        self.tally(row, true);
    }

    fn uncount(&mut self, row: usize) {
        self.tally(row, false);
    }

    fn tally(&mut self, row: usize, add: bool) {
        if self.excluded[row] {
            return;
        }
        let (mut errors, mut warnings) = (false, false);
        for f in &self.findings[row] {
            let n = self.counts.per_code.entry(f.code).or_default();
            if add {
                *n += 1;
            } else {
                *n -= 1;
                if *n == 0 {
                    self.counts.per_code.remove(&f.code);
                }
            }
            match f.severity() {
                Severity::Error => errors = true,
                Severity::Warning => warnings = true,
            }
        }
        let r = row as u32;
        for (has, set, total) in [
            (
                errors,
                &mut self.error_rows,
                &mut self.counts.rows_with_errors,
            ),
            (
                warnings,
                &mut self.warning_rows,
                &mut self.counts.rows_with_warnings,
            ),
        ] {
            if has {
                let changed = if add { set.insert(r) } else { set.remove(&r) };
                if changed {
                    if add {
                        *total += 1;
                    } else {
                        *total -= 1;
                    }
                }
            }
        }
    }
}

/// The finding for a later occurrence of a value first seen on `first_line`.
pub fn dup_finding(kind: DupKind, first_row: u32, first_line: u64) -> Finding {
    let what = match kind {
        DupKind::SfId => "Salesforce user ID",
        DupKind::SfLogin => "Salesforce login",
        DupKind::O365Login => "Office 365 login",
        DupKind::O365Email => "Office 365 email address",
    };
    Finding {
        field: Some(kind.field()),
        code: kind.code(),
        message: format!("same {what} as line {first_line}; each user appears once"),
        fix: None,
        first_row: Some(first_row),
    }
}

#[cfg(test)]
mod tests;

//! The editable, incrementally validated roster the wizard works on.
//!
//! Every edit revalidates only the rows it can affect: the edited row and the rows sharing its
//! old or new duplicate keys. Cost per edit is independent of roster size (it grows only with
//! the number of rows that repeat the edited value).
//!
//! Storage is compact (a million-row roster takes about 1.4 times its file): the source's
//! cells are held once in one buffer with edits as an overlay (`cells.rs`), the duplicate
//! index holds 8 bytes per key (`index.rs`), and only rows with findings hold any. A load
//! ([`RosterBuilder`]) builds the duplicate index once, at the end, partition by partition.

mod cells;
mod index;

pub(super) use cells::RecordRef;

use super::dup_key::{DupKey, DupKind};
use super::{rules, Code, Field, Finding, Record, Severity};
use index::{fingerprint, KeyLog, KeyTable};
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

/// An editable roster with findings for every row.
#[derive(Clone, Default)]
pub struct Roster {
    store: cells::Store,
    /// Findings of the rows that have any (most rows have none).
    findings: HashMap<u32, Box<[Finding]>>,
    header_len: Option<usize>,
    /// Included rows per duplicate key, one table per [`DupKind`] (in `DupKind::ALL` order).
    index: [KeyTable; 4],
    error_rows: BTreeSet<u32>,
    warning_rows: BTreeSet<u32>,
    counts: Counts,
}

impl std::fmt::Debug for Roster {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Roster")
            .field("rows", &self.len())
            .field("counts", &self.counts)
            .finish_non_exhaustive()
    }
}

/// Rows checked on their own: field count, rules and duplicate keys, all of validation that
/// needs no other row. A loader makes these on one thread while [`Roster::extend_checked`]
/// adds the previous batch on another. The cells are held back to back in one string, so a
/// batch costs a few allocations however many rows it has.
pub struct CheckedBatch {
    /// The rows' cells, back to back.
    text: String,
    rows: Vec<BatchRow>,
    /// (index in `rows`, its own findings), for the few rows that have any.
    own: Vec<(u32, Vec<Finding>)>,
    /// Keys in `DupKind::ALL` order.
    keys: Vec<[Option<DupKey>; 4]>,
    header_len: Option<usize>,
}

/// One row of a [`CheckedBatch`]: where it stands in the file and its cells' lengths.
struct BatchRow {
    line: u64,
    field_count: u32,
    lens: [u32; 5],
}

/// A cell that is not UTF-8 in a file read as UTF-8 (the load reads it again in another
/// encoding).
#[derive(Debug)]
pub(crate) struct NotUtf8;

impl CheckedBatch {
    /// An empty batch for a roster whose header has `header_len` fields (if known).
    pub(crate) fn with_capacity(header_len: Option<usize>, rows: usize, bytes: usize) -> Self {
        CheckedBatch {
            text: String::with_capacity(bytes),
            rows: Vec::with_capacity(rows),
            own: Vec::new(),
            keys: Vec::with_capacity(rows),
            header_len,
        }
    }

    /// Sets the field count rows are checked against.
    pub(crate) fn set_header_len(&mut self, header_len: Option<usize>) {
        self.header_len = header_len;
    }

    /// Empties the batch, keeping its room.
    pub(crate) fn clear(&mut self) {
        self.text.clear();
        self.rows.clear();
        self.own.clear();
        self.keys.clear();
    }

    /// Checks `records` for a roster whose header has `header_len` fields (if known).
    pub fn check(records: Vec<Record>, header_len: Option<usize>) -> Self {
        let bytes = records
            .iter()
            .map(|r| r.cells.iter().map(String::len).sum::<usize>())
            .sum();
        let mut batch = Self::with_capacity(header_len, records.len(), bytes);
        for rec in &records {
            batch.push_checked(rec.line, rec.field_count, rec.as_strs());
        }
        batch
    }

    /// Adds one row from its fields' bytes as the file holds them (cells in [`Field::ALL`]
    /// order, a field the row lacks empty). The whole-file validator's fast path first: a row
    /// whose cells are all clean is printable ASCII with nothing to find, so its bytes are
    /// appended and its keys kept without a string being made. Other rows are decoded (bad
    /// UTF-8 replaced when `lossy`, else [`NotUtf8`]), un-neutralised as the importer does,
    /// and checked by the full rules.
    pub(crate) fn push_raw(
        &mut self,
        line: u64,
        field_count: usize,
        raw: [&[u8]; 5],
        lossy: bool,
    ) -> Result<(), NotUtf8> {
        if self.header_len.is_none_or(|n| n == field_count) {
            if let Some(keys) = super::dup_key::clean_row_keys(raw) {
                // Clean cells are printable ASCII, so this never fails.
                let mut cells = [""; 5];
                for (cell, bytes) in cells.iter_mut().zip(raw) {
                    *cell = std::str::from_utf8(bytes).map_err(|_| NotUtf8)?;
                }
                self.push_clean(line, field_count, cells, keys);
                return Ok(());
            }
        }
        let mut owned: [Option<String>; 5] = Default::default();
        for (slot, bytes) in owned.iter_mut().zip(raw) {
            if std::str::from_utf8(bytes).is_err() {
                if !lossy {
                    return Err(NotUtf8);
                }
                *slot = Some(String::from_utf8_lossy(bytes).into_owned());
            }
        }
        let mut cells = [""; 5];
        for (i, cell) in cells.iter_mut().enumerate() {
            let s = match &owned[i] {
                Some(o) => o.as_str(),
                None => std::str::from_utf8(raw[i]).map_err(|_| NotUtf8)?,
            };
            *cell = super::export::unneutralize(s);
        }
        self.push_checked(line, field_count, cells);
        Ok(())
    }

    /// [`CheckedBatch::push_raw`] for cells already known to be text.
    pub(crate) fn push_text(&mut self, line: u64, field_count: usize, cells: [&str; 5]) {
        if self.header_len.is_none_or(|n| n == field_count) {
            if let Some(keys) = super::dup_key::clean_row_keys(cells.map(str::as_bytes)) {
                self.push_clean(line, field_count, cells, keys);
                return;
            }
        }
        self.push_checked(line, field_count, cells.map(super::export::unneutralize));
    }

    /// Adds a row whose cells are all clean, with their keys.
    fn push_clean(&mut self, line: u64, field_count: usize, cells: [&str; 5], keys: [DupKey; 4]) {
        self.keys.push(keys.map(Some));
        self.push_cells(line, field_count, cells);
    }

    /// Appends a row's cells (its keys and findings are the caller's).
    fn push_cells(&mut self, line: u64, field_count: usize, cells: [&str; 5]) {
        let mut lens = [0u32; 5];
        for (len, cell) in lens.iter_mut().zip(cells) {
            self.text.push_str(cell);
            *len = cell.len() as u32;
        }
        self.rows.push(BatchRow {
            line,
            field_count: field_count as u32,
            lens,
        });
    }

    /// Adds one row of decoded cells and checks it.
    fn push_checked(&mut self, line: u64, field_count: usize, cells: [&str; 5]) {
        let mut found = Vec::new();
        if let Some(n) = self.header_len.filter(|&n| n != field_count) {
            found.push(rules::wrong_field_count(field_count, n, line, cells));
        }
        // The whole-file validator's fast path: clean cells and their keys in one pass.
        match super::dup_key::clean_row_keys(cells.map(str::as_bytes)) {
            Some(k) => self.keys.push(k.map(Some)),
            None => {
                rules::check_record(cells, &mut found);
                self.keys
                    .push(DupKind::ALL.map(|kind| kind.key(cells[kind.field().index()])));
            }
        }
        if !found.is_empty() {
            self.own.push((self.rows.len() as u32, found));
        }
        self.push_cells(line, field_count, cells);
    }

    /// The rows with their cells, in order.
    fn records(&self) -> impl Iterator<Item = RecordRef<'_>> + '_ {
        let mut at = 0;
        self.rows.iter().map(move |row| {
            let mut cells = [""; 5];
            for (cell, &len) in cells.iter_mut().zip(&row.lens) {
                *cell = &self.text[at..at + len as usize];
                at += len as usize;
            }
            RecordRef {
                line: row.line,
                cells,
                field_count: row.field_count as usize,
            }
        })
    }

    /// The first `n` rows as owned records (the first screen shows them while the rest loads).
    pub fn first_records(&self, n: usize) -> Vec<Record> {
        self.records().take(n).map(|r| r.to_record()).collect()
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }
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
        r.shrink_to_fit();
        r
    }

    /// Rows with a different number of fields than `n` get a `wrong-field-count` error.
    /// Set it before adding records.
    pub fn set_header_len(&mut self, n: usize) {
        self.header_len = Some(n);
    }

    /// The header length set by [`Roster::set_header_len`].
    pub fn header_len(&self) -> Option<usize> {
        self.header_len
    }

    /// Reserves room for about `bytes` more bytes of cells (e.g. the file's size).
    pub fn reserve_bytes(&mut self, bytes: usize) {
        self.store.reserve_bytes(bytes);
    }

    /// Gives back the spare room growth left (call once a load is done).
    pub fn shrink_to_fit(&mut self) {
        self.store.shrink_to_fit();
        for t in &mut self.index {
            t.shrink_to_fit();
        }
        self.findings.shrink_to_fit();
    }

    /// Appends and validates records (e.g. batch by batch while a file loads).
    pub fn extend(&mut self, records: Vec<Record>) {
        self.extend_checked(CheckedBatch::check(records, self.header_len));
    }

    /// Appends records already checked on their own, adding their duplicate findings.
    pub fn extend_checked(&mut self, mut batch: CheckedBatch) {
        let mut logs = self.logs_for(batch.len());
        self.append(&mut batch, &mut logs);
        self.add_logs(logs);
    }

    /// Empty key logs for about `rows` rows, partitioned as the index is.
    fn logs_for(&self, rows: usize) -> [KeyLog; 4] {
        std::array::from_fn(|k| KeyLog::for_table(&self.index[k], rows))
    }

    /// Appends a batch's rows with their own findings (counted); their duplicate keys go to
    /// `logs` for [`Roster::add_logs`].
    /// The batch is left empty, its room kept (a loader hands it back to be filled again).
    fn append(&mut self, batch: &mut CheckedBatch, logs: &mut [KeyLog; 4]) {
        debug_assert_eq!(batch.header_len, self.header_len);
        let start = self.len();
        self.counts.included += batch.rows.len();
        let mut own = std::mem::take(&mut batch.own).into_iter().peekable();
        for (i, (rec, keys)) in batch.records().zip(&batch.keys).enumerate() {
            let row = start + i;
            self.store.push(rec.line, rec.field_count, rec.cells);
            for (log, key) in logs.iter_mut().zip(keys) {
                if let Some(key) = key {
                    log.push(fingerprint(*key), row as u32);
                }
            }
            if let Some((_, found)) = own.next_if(|(j, _)| *j as usize == i) {
                self.findings.insert(row as u32, found.into_boxed_slice());
                self.count(row);
            }
        }
        batch.clear();
    }

    /// Adds the logged keys (rows after every row already indexed) to the duplicate index,
    /// and the duplicate findings they make to their rows. Appended rows come last in every
    /// group, so earlier rows never change.
    fn add_logs(&mut self, logs: [KeyLog; 4]) {
        let store = &self.store;
        // A large load builds two kinds at a time, one per core: one kind alone leaves a core
        // idle while its log is sorted into partitions.
        let together = logs.iter().map(KeyLog::len).sum::<usize>() >= index::SHARE_FROM;
        let add = |kind: DupKind, table: &mut KeyTable, log: KeyLog| {
            let key_of = move |r: u32| kind.key(store.cell(r as usize, kind.field()));
            // Hashes `row`'s cell only when a fingerprint matches (almost only real repeats).
            let holder = |row: u32| {
                let mut mine = None;
                move |r: u32| *mine.get_or_insert_with(|| key_of(row)) == key_of(r)
            };
            let mut found = Vec::new();
            table.add_log(log, holder, &mut found, !together);
            found
        };
        let [t0, t1, t2, t3] = &mut self.index;
        let [l0, l1, l2, l3] = logs;
        let [k0, k1, k2, k3] = DupKind::ALL;
        let found = if together {
            std::thread::scope(|s| {
                let other = s.spawn(|| (add(k2, t2, l2), add(k3, t3, l3)));
                let (f0, f1) = (add(k0, t0, l0), add(k1, t1, l1));
                let (f2, f3) = other.join().expect("index build thread");
                [f0, f1, f2, f3]
            })
        } else {
            [
                add(k0, t0, l0),
                add(k1, t1, l1),
                add(k2, t2, l2),
                add(k3, t3, l3),
            ]
        };
        let mut dups: Vec<(u32, usize, u32)> = Vec::new();
        for (k, found) in found.into_iter().enumerate() {
            dups.extend(found.into_iter().map(|(row, first)| (row, k, first)));
        }
        dups.sort_unstable();
        let mut dups = dups.into_iter().peekable();
        while let Some(&(row, _, _)) = dups.peek() {
            let r = row as usize;
            self.uncount(r);
            let mut all = self
                .findings
                .remove(&row)
                .map(Vec::from)
                .unwrap_or_default();
            while let Some((_, k, first)) = dups.next_if(|d| d.0 == row) {
                all.push(dup_finding(
                    DupKind::ALL[k],
                    first,
                    self.store.line(first as usize),
                ));
            }
            self.findings.insert(row, all.into_boxed_slice());
            self.count(r);
        }
    }

    /// Drops the rows from `len` on (a report footer, known once the file has ended). Rows
    /// before them keep their findings: a duplicate finding always sits on the later row.
    pub fn truncate(&mut self, len: usize) {
        for row in (len..self.len()).rev() {
            self.uncount(row);
            if self.is_excluded(row) {
                self.counts.excluded -= 1;
            } else {
                self.counts.included -= 1;
                for kind in DupKind::ALL {
                    if let Some(k) = kind.key(self.store.cell(row, kind.field())) {
                        self.index[kind as usize].remove(fingerprint(k), row as u32);
                    }
                }
            }
            self.findings.remove(&(row as u32));
        }
        self.store.truncate(len);
    }

    pub fn len(&self) -> usize {
        self.store.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// One row: its cells, line and field count.
    pub fn record(&self, row: usize) -> RecordRef<'_> {
        self.store.record(row)
    }

    /// Every row's cells (in [`Field::ALL`] order), in order: cheaper than [`Roster::cell`]
    /// row by row for a pass over the whole roster.
    pub fn all_cells(&self) -> impl Iterator<Item = [&str; 5]> + '_ {
        self.store.all_cells()
    }

    pub fn cell(&self, row: usize, field: Field) -> &str {
        self.store.cell(row, field)
    }

    pub fn findings(&self, row: usize) -> &[Finding] {
        self.findings.get(&(row as u32)).map_or(&[], |f| f)
    }

    pub fn is_excluded(&self, row: usize) -> bool {
        self.store.is_excluded(row)
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
            .filter(|&r| self.findings(r).iter().any(|f| f.code == code))
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
        let mut affected = vec![row];
        let old = match (DupKind::for_field(field), self.is_excluded(row)) {
            (Some(kind), false) => {
                let old_key = kind.key(self.store.cell(row, field));
                let new_key = kind.key(&value);
                if old_key == new_key {
                    self.store.set(row, field, value)
                } else {
                    if let Some(k) = old_key {
                        affected.extend(self.index_remove(kind, k, row as u32));
                    }
                    let old = self.store.set(row, field, value);
                    if let Some(k) = new_key {
                        affected.extend(self.index_insert(kind, k, row as u32));
                    }
                    old
                }
            }
            _ => self.store.set(row, field, value),
        };
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
        if self.is_excluded(row) == excluded {
            return Vec::new();
        }
        self.uncount(row);
        self.store.set_excluded_flag(row, excluded);
        if excluded {
            self.counts.included -= 1;
            self.counts.excluded += 1;
        } else {
            self.counts.included += 1;
            self.counts.excluded -= 1;
        }
        let mut affected = vec![row];
        for kind in DupKind::ALL {
            if let Some(k) = kind.key(self.store.cell(row, kind.field())) {
                affected.extend(if excluded {
                    self.index_remove(kind, k, row as u32)
                } else {
                    self.index_insert(kind, k, row as u32)
                });
            }
        }
        affected.sort_unstable();
        affected.dedup();
        for &r in &affected {
            if r == row {
                let found = self.compute(r);
                self.put_findings(r, found);
                self.count(r);
            } else {
                self.refresh(r);
            }
        }
        affected
    }

    /// Adds `row` under `key`; returns the other rows sharing it.
    fn index_insert(&mut self, kind: DupKind, key: DupKey, row: u32) -> Vec<usize> {
        let fp = fingerprint(key);
        let store = &self.store;
        let table = &mut self.index[kind as usize];
        let others = table.rows(fp, |r| r != row && holds(store, kind, r, key));
        table.insert(fp, row);
        others.into_iter().map(|r| r as usize).collect()
    }

    /// Removes `row` from `key`; returns the rows still sharing it.
    fn index_remove(&mut self, kind: DupKind, key: DupKey, row: u32) -> Vec<usize> {
        let fp = fingerprint(key);
        let store = &self.store;
        let table = &mut self.index[kind as usize];
        let rest = table.rows(fp, |r| r != row && holds(store, kind, r, key));
        table.remove(fp, row);
        rest.into_iter().map(|r| r as usize).collect()
    }

    /// For an excluded row: the duplicate findings it would have against the included rows
    /// (excluded rows take no part in duplicate checks, so their own findings lose these; a
    /// report still wants to say why the row was left out).
    pub fn duplicates_if_included(&self, row: usize) -> Vec<Finding> {
        DupKind::ALL
            .into_iter()
            .filter_map(|kind| {
                let first = self.first_holder(kind, kind.key(self.cell(row, kind.field()))?)?;
                (first as usize != row)
                    .then(|| dup_finding(kind, first, self.store.line(first as usize)))
            })
            .collect()
    }

    /// The first included row holding `key`.
    fn first_holder(&self, kind: DupKind, key: DupKey) -> Option<u32> {
        let store = &self.store;
        self.index[kind as usize].first(fingerprint(key), |r| holds(store, kind, r, key))
    }

    /// All findings of one row, from scratch.
    fn compute(&self, row: usize) -> Vec<Finding> {
        let rec = self.store.record(row);
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
        if !self.is_excluded(row) {
            for kind in DupKind::ALL {
                let Some(k) = kind.key(rec.cell(kind.field())) else {
                    continue;
                };
                if let Some(first) = self.first_holder(kind, k).filter(|&f| (f as usize) < row) {
                    out.push(dup_finding(kind, first, self.store.line(first as usize)));
                }
            }
        }
        out
    }

    fn put_findings(&mut self, row: usize, found: Vec<Finding>) {
        if found.is_empty() {
            self.findings.remove(&(row as u32));
        } else {
            self.findings.insert(row as u32, found.into_boxed_slice());
        }
    }

    /// Recomputes one row's findings and its share of the counts.
    fn refresh(&mut self, row: usize) {
        self.uncount(row);
        let found = self.compute(row);
        self.put_findings(row, found);
        self.count(row);
    }

    fn count(&mut self, row: usize) {
        self.tally(row, true);
    }

    fn uncount(&mut self, row: usize) {
        self.tally(row, false);
    }

    fn tally(&mut self, row: usize, add: bool) {
        if self.is_excluded(row) {
            return;
        }
        let Some(found) = self.findings.get(&(row as u32)) else {
            return;
        };
        let (mut errors, mut warnings) = (false, false);
        for f in found.iter() {
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

/// A roster loaded batch by batch (the wizard's load): rows and their own findings go in as
/// the batches come, their duplicate keys are only logged (sequential writes), and
/// [`RosterBuilder::finish`] builds the duplicate index and findings at once, partition by
/// partition in the cache, on both cores. The finished roster is the one
/// [`Roster::extend_checked`] with the same batches makes.
pub struct RosterBuilder {
    roster: Roster,
    logs: [KeyLog; 4],
}

impl RosterBuilder {
    /// A builder for about `rows` rows and `bytes` bytes of cells (e.g. the file's size),
    /// whose header has `header_len` fields (if known).
    pub fn new(header_len: Option<usize>, rows: usize, bytes: usize) -> Self {
        let mut roster = Roster::new();
        roster.header_len = header_len;
        roster.reserve_bytes(bytes);
        let logs = roster.logs_for(rows);
        RosterBuilder { roster, logs }
    }

    /// Appends a checked batch (its duplicates are found by [`RosterBuilder::finish`]) and
    /// gives it back empty, so that its room can take the next batch
    /// ([`CheckedBatch::clear`] keeps it).
    pub fn extend_checked(&mut self, mut batch: CheckedBatch) -> CheckedBatch {
        self.roster.append(&mut batch, &mut self.logs);
        batch
    }

    pub fn len(&self) -> usize {
        self.roster.len()
    }

    pub fn is_empty(&self) -> bool {
        self.roster.is_empty()
    }

    /// Drops the rows from `len` on (a report footer, known once the file has ended).
    pub fn truncate(&mut self, len: usize) {
        for log in &mut self.logs {
            log.truncate(len as u32);
        }
        self.roster.truncate(len);
    }

    /// The roster with its duplicate index and findings, spare room given back.
    pub fn finish(self) -> Roster {
        let mut roster = self.roster;
        roster.add_logs(self.logs);
        roster.shrink_to_fit();
        roster
    }
}

/// Whether included row `r` holds `key` now (confirms a fingerprint match).
fn holds(store: &cells::Store, kind: DupKind, r: u32, key: DupKey) -> bool {
    kind.key(store.cell(r as usize, kind.field())) == Some(key)
}

/// The finding for a later occurrence of a value first seen on `first_line`.
pub(super) fn dup_finding(kind: DupKind, first_row: u32, first_line: u64) -> Finding {
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

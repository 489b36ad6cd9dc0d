//! The roster's cells, held once: the source's values back to back in one string, edits (and
//! the rare very long value) in an overlay. A cell equal to an earlier cell of its row (an
//! Office 365 login that is also the email address, say) is held once: its length byte says
//! which cell it repeats (a fifth of a generated roster's bytes).
//!
//! Per row this costs the cells' bytes plus 5 length bytes, 1 flag byte and an 8-byte offset
//! per [`BLOCK`] rows; a cell is found by adding up at most `BLOCK - 1` rows' lengths, so
//! reading one stays a matter of nanoseconds (the table draws from it every frame).

use crate::roster::Field;
use std::collections::HashMap;

/// Rows per stored offset: the cost of finding a cell against 8 bytes per `BLOCK` rows.
const BLOCK: usize = 16;
/// A length byte saying the value is not in the buffer (longer than 249 bytes): it is in the
/// overlay, and takes no bytes of the buffer.
const LONG: u8 = u8::MAX;
/// Length bytes from `SAME` on (up to `SAME + 3`) say the value is that of cell
/// `byte - SAME` of the same row (an earlier cell held in the buffer): no bytes of its own.
const SAME: u8 = 250;
/// Flag bit: the row is excluded (bits 0..5 say which cells the overlay holds).
pub(super) const EXCLUDED: u8 = 1 << 5;

/// One row's cells as five string slices, with where it stands in the file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RecordRef<'a> {
    /// Physical line the record starts on (the header is line 1).
    pub line: u64,
    /// Cells in [`Field::ALL`] order.
    pub cells: [&'a str; 5],
    /// How many fields the row had in the file.
    pub field_count: usize,
}

impl<'a> RecordRef<'a> {
    pub fn cell(&self, field: Field) -> &'a str {
        self.cells[field.index()]
    }

    /// The cells as string slices, for the rules.
    pub fn as_strs(&self) -> [&'a str; 5] {
        self.cells
    }

    /// An owned copy (e.g. to compare with an import).
    pub fn to_record(self) -> crate::roster::Record {
        crate::roster::Record {
            line: self.line,
            cells: self.cells.map(str::to_string),
            field_count: self.field_count,
        }
    }
}

/// Cells, lines, field counts and per-row flags of every row.
#[derive(Clone, Default)]
pub(super) struct Store {
    /// The source's values, back to back.
    buf: String,
    /// Byte length of each cell in `buf` (`LONG`: in the overlay instead; `SAME + j`: the
    /// value of cell `j`).
    lens: Vec<[u8; 5]>,
    /// Where row `BLOCK * i` starts in `buf`.
    block_start: Vec<u64>,
    /// Bits 0..5: the overlay holds that cell; `EXCLUDED`.
    pub(super) flags: Vec<u8>,
    /// Edited cells and values too long for a length byte.
    overlay: HashMap<(u32, u8), Box<str>>,
    /// Rows whose line is not the previous row's plus one, with their line (the first row
    /// always): lines are found by binary search, and a plain file needs one entry.
    line_jumps: Vec<(u32, u64)>,
    /// The field count most rows have (the first row's), and the rows that differ.
    common_count: usize,
    odd_counts: HashMap<u32, usize>,
}

impl Store {
    pub(super) fn len(&self) -> usize {
        self.lens.len()
    }

    /// Reserves room for about `bytes` more bytes of cells.
    pub(super) fn reserve_bytes(&mut self, bytes: usize) {
        self.buf.reserve(bytes);
    }

    /// Appends a row.
    pub(super) fn push(&mut self, line: u64, field_count: usize, cells: [&str; 5]) {
        let row = self.lens.len();
        if row.is_multiple_of(BLOCK) {
            self.block_start.push(self.buf.len() as u64);
        }
        let mut lens = [0u8; 5];
        let mut flags = 0u8;
        for (i, c) in cells.iter().enumerate() {
            if c.len() < usize::from(SAME) {
                let earlier = (0..i).find(|&j| lens[j] < SAME && !c.is_empty() && cells[j] == *c);
                if let Some(j) = earlier {
                    lens[i] = SAME + j as u8;
                } else {
                    self.buf.push_str(c);
                    lens[i] = c.len() as u8;
                }
            } else {
                lens[i] = LONG;
                flags |= 1 << i;
                self.overlay.insert((row as u32, i as u8), (*c).into());
            }
        }
        self.lens.push(lens);
        self.flags.push(flags);
        let follows = row > 0 && self.line(row - 1) + 1 == line;
        if !follows {
            self.line_jumps.push((row as u32, line));
        }
        if row == 0 {
            self.common_count = field_count;
        } else if field_count != self.common_count {
            self.odd_counts.insert(row as u32, field_count);
        }
    }

    /// Gives back spare capacity (after a load grew the buffers by doubling).
    pub(super) fn shrink_to_fit(&mut self) {
        self.buf.shrink_to_fit();
        self.lens.shrink_to_fit();
        self.block_start.shrink_to_fit();
        self.flags.shrink_to_fit();
        self.line_jumps.shrink_to_fit();
    }

    /// Drops the rows from `len` on.
    pub(super) fn truncate(&mut self, len: usize) {
        if len >= self.len() {
            return;
        }
        let end = self.row_start(len);
        self.buf.truncate(end);
        self.lens.truncate(len);
        self.flags.truncate(len);
        self.block_start.truncate(len.div_ceil(BLOCK));
        let keep = |r: u32| (r as usize) < len;
        self.overlay.retain(|&(r, _), _| keep(r));
        self.line_jumps.retain(|&(r, _)| keep(r));
        self.odd_counts.retain(|&r, _| keep(r));
    }

    pub(super) fn line(&self, row: usize) -> u64 {
        let i = self.line_jumps.partition_point(|&(r, _)| r as usize <= row) - 1;
        let (r, line) = self.line_jumps[i];
        line + (row - r as usize) as u64
    }

    pub(super) fn field_count(&self, row: usize) -> usize {
        self.odd_counts
            .get(&(row as u32))
            .copied()
            .unwrap_or(self.common_count)
    }

    /// Where row `row` starts in `buf`.
    fn row_start(&self, row: usize) -> usize {
        let block = row / BLOCK;
        let mut at = self.block_start[block] as usize;
        for lens in &self.lens[block * BLOCK..row] {
            at += lens.iter().map(|&l| buf_len(l)).sum::<usize>();
        }
        at
    }

    /// The value the source gave this cell, when the buffer holds it.
    fn original(&self, row: usize, field: usize) -> Option<&str> {
        let lens = &self.lens[row];
        if lens[field] == LONG {
            return None;
        }
        if let Some(j) = same_as(lens[field]) {
            return self.original(row, j);
        }
        let start = self.row_start(row) + lens[..field].iter().map(|&l| buf_len(l)).sum::<usize>();
        Some(&self.buf[start..start + usize::from(lens[field])])
    }

    pub(super) fn cell(&self, row: usize, field: Field) -> &str {
        let i = field.index();
        if self.flags[row] & (1 << i) != 0 {
            return &self.overlay[&(row as u32, i as u8)];
        }
        self.original(row, i).unwrap_or_default()
    }

    pub(super) fn cells(&self, row: usize) -> [&str; 5] {
        self.cells_at(row, self.row_start(row))
    }

    /// Every row's cells, in order: the buffer is walked once instead of each row's start
    /// being found again (which adds up to `BLOCK - 1` rows' lengths).
    pub(super) fn all_cells(&self) -> impl Iterator<Item = [&str; 5]> + '_ {
        let mut at = 0;
        (0..self.len()).map(move |row| {
            let cells = self.cells_at(row, at);
            at += self.lens[row].iter().map(|&l| buf_len(l)).sum::<usize>();
            cells
        })
    }

    /// Row `row`'s cells, the row starting at `at` in `buf`.
    fn cells_at(&self, row: usize, mut at: usize) -> [&str; 5] {
        let flags = self.flags[row];
        let lens = &self.lens[row];
        // The source's values first: a repeat names an earlier cell, which an edit may hide.
        let mut out = [""; 5];
        for (cell, &l) in out.iter_mut().zip(lens) {
            let n = buf_len(l);
            *cell = &self.buf[at..at + n];
            at += n;
        }
        for i in 0..5 {
            if let Some(j) = same_as(lens[i]) {
                out[i] = out[j];
            }
        }
        for (i, cell) in out.iter_mut().enumerate() {
            if flags & (1 << i) != 0 {
                *cell = &self.overlay[&(row as u32, i as u8)];
            }
        }
        out
    }

    pub(super) fn record(&self, row: usize) -> RecordRef<'_> {
        RecordRef {
            line: self.line(row),
            cells: self.cells(row),
            field_count: self.field_count(row),
        }
    }

    /// Replaces a cell; returns the value it held. A value equal to the source's drops its
    /// overlay entry, so undoing an edit gives its memory back.
    pub(super) fn set(&mut self, row: usize, field: Field, value: String) -> String {
        let i = field.index();
        let key = (row as u32, i as u8);
        let old = if self.flags[row] & (1 << i) != 0 {
            self.overlay
                .remove(&key)
                .map(String::from)
                .unwrap_or_default()
        } else {
            self.original(row, i).unwrap_or_default().to_string()
        };
        if self.original(row, i) == Some(value.as_str()) {
            self.flags[row] &= !(1 << i);
        } else {
            self.overlay.insert(key, value.into_boxed_str());
            self.flags[row] |= 1 << i;
        }
        old
    }

    pub(super) fn is_excluded(&self, row: usize) -> bool {
        self.flags[row] & EXCLUDED != 0
    }

    pub(super) fn set_excluded_flag(&mut self, row: usize, excluded: bool) {
        if excluded {
            self.flags[row] |= EXCLUDED;
        } else {
            self.flags[row] &= !EXCLUDED;
        }
    }
}

/// Bytes a cell takes in the buffer.
fn buf_len(l: u8) -> usize {
    if l >= SAME {
        0
    } else {
        usize::from(l)
    }
}

/// The earlier cell a length byte says this one repeats.
fn same_as(l: u8) -> Option<usize> {
    (SAME..LONG).contains(&l).then(|| usize::from(l - SAME))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_lines_and_counts_come_back_as_pushed() {
        let mut s = Store::default();
        let long = "x".repeat(300);
        let rows: Vec<(u64, usize, [String; 5])> = (0..40)
            .map(|i| {
                let line = if i < 20 { i + 2 } else { i + 5 };
                let count = if i == 7 { 4 } else { 5 };
                let name = if i == 33 {
                    long.clone()
                } else {
                    format!("Ü{i}")
                };
                (
                    line,
                    count,
                    [
                        name,
                        format!("{i}@a"),
                        String::new(),
                        "é".into(),
                        "z".into(),
                    ],
                )
            })
            .collect();
        for (line, count, cells) in &rows {
            s.push(*line, *count, cells.each_ref().map(String::as_str));
        }
        for (row, (line, count, cells)) in rows.iter().enumerate() {
            let r = s.record(row);
            assert_eq!((r.line, r.field_count), (*line, *count), "row {row}");
            assert_eq!(r.cells, cells.each_ref().map(String::as_str), "row {row}");
            for f in Field::ALL {
                assert_eq!(s.cell(row, f), cells[f.index()]);
            }
        }
    }

    #[test]
    fn an_edit_overlays_and_restoring_the_source_value_drops_it() {
        let mut s = Store::default();
        for i in 0..20 {
            s.push(i + 2, 5, [&format!("n{i}"), "a", "b", "c", "d"]);
        }
        assert_eq!(s.set(17, Field::SalesforceLogin, "new".into()), "a");
        assert_eq!(s.cell(17, Field::SalesforceLogin), "new");
        assert_eq!(s.cell(18, Field::FullName), "n18", "later rows unmoved");
        assert_eq!(s.set(17, Field::SalesforceLogin, "a".into()), "new");
        assert!(s.overlay.is_empty());
        assert_eq!(s.cells(17), ["n17", "a", "b", "c", "d"]);
    }

    #[test]
    fn a_repeated_cell_is_held_once_and_keeps_its_value_when_the_first_is_edited() {
        let mut s = Store::default();
        for i in 0..20 {
            let a = format!("a{i}@x.com");
            s.push(i + 2, 5, ["N", &a, "", &a, &a]);
        }
        assert_eq!(
            s.buf.len(),
            20 * (1 + "a0@x.com".len()) + 10,
            "each row's value once"
        );
        assert_eq!(
            s.cells(11),
            ["N", "a11@x.com", "", "a11@x.com", "a11@x.com"]
        );
        assert_eq!(s.set(11, Field::SalesforceLogin, "b".into()), "a11@x.com");
        assert_eq!(s.cells(11), ["N", "b", "", "a11@x.com", "a11@x.com"]);
        assert_eq!(s.cell(11, Field::Office365Email), "a11@x.com");
        assert_eq!(s.set(11, Field::Office365Login, "c".into()), "a11@x.com");
        assert_eq!(s.set(11, Field::Office365Login, "a11@x.com".into()), "c");
        assert_eq!(s.set(11, Field::SalesforceLogin, "a11@x.com".into()), "b");
        assert!(s.overlay.is_empty(), "back to the source: no overlay");
        assert_eq!(
            s.cells(12),
            ["N", "a12@x.com", "", "a12@x.com", "a12@x.com"]
        );
        s.truncate(15);
        assert_eq!(
            s.cells(14),
            ["N", "a14@x.com", "", "a14@x.com", "a14@x.com"]
        );
    }
}

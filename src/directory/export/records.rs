//! The records of an export, split in place: each cell is a range of the decoded text, not a
//! `String`, so reading 300,000 accounts allocates only what the kept columns become.
//!
//! Splitting follows the csv crate's reader exactly (RFC 4180 quoting with `""`, CR, LF or CRLF
//! ending a record, blank lines skipped): a record without a doubled quote or a stray one is
//! split by a plain scan, and any other record is handed to `csv_core` (the csv crate's own
//! parser) from the same offset, so both roads give the same cells.

use crate::roster::import::footer::{footer_like, FooterRun};
use crate::roster::import::{line_breaks, table, Footer};
use std::ops::Range;

/// One record: its cells as ranges of the text, or (for a record `csv_core` unescaped) of a
/// scratch buffer.
pub(super) struct Row<'r> {
    text: &'r str,
    spans: &'r [Range<usize>],
}

impl<'r> Row<'r> {
    /// Cell `i`, as read (not trimmed); `None` past the record's end.
    pub(super) fn get(&self, i: usize) -> Option<&'r str> {
        self.spans.get(i).map(|r| &self.text[r.clone()])
    }

    fn len(&self) -> usize {
        self.spans.len()
    }

    fn blank(&self) -> bool {
        self.spans
            .iter()
            .all(|r| self.text[r.clone()].trim().is_empty())
    }
}

/// The record splitter: reusable buffers for the records that need `csv_core`.
struct Splitter {
    delimiter: u8,
    core: csv_core::Reader,
    out: Vec<u8>,
    ends: Vec<usize>,
    /// The last `csv_core` record, decoded (its cells are `spans` of it).
    scratch: String,
}

impl Splitter {
    fn new(delimiter: u8) -> Splitter {
        Splitter {
            delimiter,
            core: csv_core::ReaderBuilder::new().delimiter(delimiter).build(),
            out: vec![0; 1024],
            ends: vec![0; 64],
            scratch: String::new(),
        }
    }

    /// Splits the record starting at `at` (not on a line break) into `spans` of `text`: the
    /// offset where it ends (at its terminator or the end of the text). `None` when the plain
    /// scan cannot say (a doubled or stray quote, an unclosed quoted cell).
    fn plain(&self, b: &[u8], mut at: usize, spans: &mut Vec<Range<usize>>) -> Option<usize> {
        spans.clear();
        let d = self.delimiter;
        loop {
            if b.get(at) == Some(&b'"') {
                let from = at + 1;
                let close = from + memchr::memchr(b'"', &b[from..])?;
                spans.push(from..close);
                match b.get(close + 1) {
                    Some(&c) if c == d => at = close + 2,
                    None | Some(b'\r' | b'\n') => return Some(close + 1),
                    // `""` inside the cell, or text after its closing quote.
                    Some(_) => return None,
                }
            } else {
                let mut i = at;
                while let Some(&c) = b.get(i) {
                    if c == d || c == b'\r' || c == b'\n' {
                        break;
                    }
                    if c == b'"' {
                        return None;
                    }
                    i += 1;
                }
                spans.push(at..i);
                if b.get(i) == Some(&d) {
                    at = i + 1;
                } else {
                    return Some(i);
                }
            }
        }
    }

    /// Splits the record starting at `at` with `csv_core` into `spans` of
    /// [`Splitter::scratch`]: the offset just past it.
    fn core(&mut self, b: &[u8], at: usize, spans: &mut Vec<Range<usize>>) -> usize {
        use csv_core::ReadRecordResult::*;
        let (mut pos, mut nout, mut nend) = (at, 0, 0);
        loop {
            let (res, nin, o, e) =
                self.core
                    .read_record(&b[pos..], &mut self.out[nout..], &mut self.ends[nend..]);
            pos += nin;
            nout += o;
            nend += e;
            match res {
                OutputFull => self.out.resize(self.out.len() * 2, 0),
                OutputEndsFull => self.ends.resize(self.ends.len() * 2, 0),
                InputEmpty if pos < b.len() => {}
                // The text's end ends the record: one more call with no input says so.
                InputEmpty => {
                    let (res, _, _, e) =
                        self.core
                            .read_record(&[], &mut self.out[nout..], &mut self.ends[nend..]);
                    nend += e;
                    if res == OutputEndsFull {
                        self.ends.resize(self.ends.len() + 1, 0);
                        continue;
                    }
                    break;
                }
                Record | End => break,
            }
        }
        // The input is UTF-8 and cells end at ASCII bytes, so each cell is UTF-8 too.
        self.scratch = String::from_utf8_lossy(&self.out[..nout]).into_owned();
        spans.clear();
        let mut from = 0;
        for &end in &self.ends[..nend] {
            spans.push(from..end);
            from = end;
        }
        pos
    }

    /// Splits the record at `at`: its spans, whether they are of [`Splitter::scratch`], and
    /// the offset after it.
    fn record(&mut self, b: &[u8], at: usize, spans: &mut Vec<Range<usize>>) -> (bool, usize) {
        match self.plain(b, at, spans) {
            Some(end) => (false, end),
            None => (true, self.core(b, at, spans)),
        }
    }
}

/// The first offset at or after `at` that is not a line break (blank lines are not records).
fn skip_breaks(b: &[u8], mut at: usize) -> usize {
    while matches!(b.get(at), Some(b'\r' | b'\n')) {
        at += 1;
    }
    at
}

/// Calls `each(line, row)` for every data record of `text` below the header, in order, as
/// `table::rows` does: wholly empty rows are skipped and a report footer at the end is left
/// out (returned, so the caller can say so). `header_len` is the header's field count.
pub(super) fn rows<H, E>(
    text: &str,
    start: &table::Start<H>,
    header_len: usize,
    mut each: impl FnMut(u64, &Row<'_>) -> Result<(), E>,
) -> Result<Option<Footer>, E> {
    let b = text.as_bytes();
    let mut split = Splitter::new(start.delimiter);
    let mut spans: Vec<Range<usize>> = Vec::with_capacity(header_len + 1);
    let mut at = 0;
    for _ in 0..1 + start.preamble {
        at = skip_breaks(b, at);
        if at >= b.len() {
            break;
        }
        at = split.record(b, at, &mut spans).1;
    }
    let (mut offset, mut line) = (0usize, 1u64);
    let mut run = FooterRun::default();
    // Footer-like records held back until a user row follows (they are rows) or the text
    // ends (they are its footer): rare, so each is a copy.
    let mut held: Vec<Held> = Vec::new();
    let mut row = 0;
    loop {
        at = skip_breaks(b, at);
        if at >= b.len() {
            break;
        }
        let (scratch, end) = split.record(b, at, &mut spans);
        let rec = Row {
            text: if scratch { &split.scratch } else { text },
            spans: &spans,
        };
        if !rec.blank() {
            // The physical line: count the breaks up to the record's first byte.
            let prev_cr = offset > 0 && b[offset - 1] == b'\r';
            line += line_breaks(&b[offset..at], prev_cr);
            offset = at;
            let first = rec.get(0).unwrap_or_default().as_bytes();
            let like = footer_like(rec.len(), header_len, first);
            run.push(row, line, like);
            row += 1;
            if like && !run.too_long() {
                held.push(Held::new(line, &rec));
            } else {
                for h in held.drain(..) {
                    each(h.line, &h.row())?;
                }
                each(line, &rec)?;
            }
        }
        at = end;
    }
    let footer = run.finish().map(|(_, f)| f);
    if footer.is_none() {
        for h in held.drain(..) {
            each(h.line, &h.row())?;
        }
    }
    Ok(footer)
}

/// A copy of a record held back: its cells joined into one text, and their spans in it.
struct Held {
    line: u64,
    text: String,
    spans: Vec<Range<usize>>,
}

impl Held {
    fn new(line: u64, rec: &Row<'_>) -> Held {
        let mut text = String::new();
        let mut spans = Vec::with_capacity(rec.len());
        for cell in (0..rec.len()).filter_map(|i| rec.get(i)) {
            spans.push(text.len()..text.len() + cell.len());
            text.push_str(cell);
        }
        Held { line, text, spans }
    }

    fn row(&self) -> Row<'_> {
        Row {
            text: &self.text,
            spans: &self.spans,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::roster::import::Encoding;

    fn start(delimiter: u8, preamble: usize) -> table::Start<()> {
        table::Start {
            encoding: Encoding::Utf8,
            sep_line: false,
            preamble,
            header_line: 1,
            delimiter,
            header: (),
        }
    }

    /// What the csv crate's reader makes of `text` below its first `1 + preamble` records:
    /// each non-blank record's physical line and cells (the splitter must agree).
    fn by_csv_crate(text: &str, delimiter: u8, preamble: usize) -> Vec<(u64, Vec<String>)> {
        let b = text.as_bytes();
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .has_headers(false)
            .flexible(true)
            .from_reader(b);
        let mut record = csv::StringRecord::new();
        for _ in 0..1 + preamble {
            reader.read_record(&mut record).unwrap();
        }
        let (mut offset, mut line, mut out) = (0usize, 1u64, Vec::new());
        while reader.read_record(&mut record).unwrap() {
            if record.iter().all(|c| c.trim().is_empty()) {
                continue;
            }
            let at = skip_breaks(b, (record.position().unwrap().byte() as usize).max(offset));
            line += line_breaks(&b[offset..at], offset > 0 && b[offset - 1] == b'\r');
            offset = at;
            out.push((line, record.iter().map(str::to_string).collect()));
        }
        out
    }

    fn by_splitter(text: &str, delimiter: u8, preamble: usize) -> Vec<(u64, Vec<String>)> {
        let mut out = Vec::new();
        // One header field: no record is footer-like, so every record comes through.
        rows(text, &start(delimiter, preamble), 1, |line, row| {
            let cells = (0..row.len())
                .filter_map(|i| row.get(i))
                .map(str::to_string);
            out.push((line, cells.collect()));
            Ok::<(), ()>(())
        })
        .unwrap();
        out
    }

    #[test]
    fn quoted_escaped_and_broken_records_split_as_the_csv_crate_does() {
        for text in [
            "h\r\n\"a\",\"b\"\r\n\"c,d\",\"e\"\"f\"\r\n",
            "h\n\"multi\nline\",x\n\n\ny,\"\"\n",
            "h\r\"a\"junk,b\rO\"Brien,c\r\n",
            "h\n  \"lead\",x\n\"unclosed,y\nz\n",
            "h\na,b,\n,\n,,,\nlast",
            "h\nRenée,Zoë\n\"Müller\",\"\"\"q\"\"\"",
        ] {
            assert_eq!(
                by_splitter(text, b',', 0),
                by_csv_crate(text, b',', 0),
                "{text:?}"
            );
        }
    }

    #[test]
    fn a_footer_is_returned_not_read() {
        let text = "a,b,c\n1,2,3\n\"Copyright (c) 2026\"\nGenerated by: Jane\n";
        let mut lines = Vec::new();
        let footer = rows(text, &start(b',', 0), 3, |line, _| {
            lines.push(line);
            Ok::<(), ()>(())
        })
        .unwrap();
        assert_eq!(lines, [2]);
        let footer = footer.unwrap();
        assert_eq!((footer.first_line, footer.last_line), (3, 4));
    }

    proptest::proptest! {
        /// Whatever the text, the splitter gives the csv crate's records on the same lines.
        #[test]
        fn splits_as_the_csv_crate(
            cells in proptest::collection::vec(
                proptest::sample::select(vec!["a", "bé", ",", ";", "\"", "\"\"", "\r", "\n", "\r\n", " ", ""]),
                0..60,
            ),
            semicolon in proptest::bool::ANY,
            preamble in 0usize..2,
        ) {
            let text: String = cells.concat();
            let d = if semicolon { b';' } else { b',' };
            proptest::prop_assert_eq!(by_splitter(&text, d, preamble), by_csv_crate(&text, d, preamble));
        }
    }
}

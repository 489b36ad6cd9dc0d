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

    /// Cell `i`, trimmed; empty past the record's end.
    pub(super) fn cell(&self, i: usize) -> &'r str {
        crate::directory::trimmed(self.get(i).unwrap_or_default())
    }

    /// Cell `i` of an optional column, when the column is there and the cell is not empty.
    pub(super) fn opt(&self, i: Option<usize>) -> Option<String> {
        i.map(|i| self.cell(i))
            .filter(|v| !v.is_empty())
            .map(str::to_string)
    }

    fn len(&self) -> usize {
        self.spans.len()
    }

    fn blank(&self) -> bool {
        self.spans
            .iter()
            .all(|r| crate::directory::trimmed(&self.text[r.clone()]).is_empty())
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

/// Where reading stands in a text: the record splitter, the physical line of the last record,
/// and the footer-like records seen last.
struct Cursor<'t> {
    text: &'t str,
    split: Splitter,
    spans: Vec<Range<usize>>,
    header_len: usize,
    /// Where the next record is looked for.
    at: usize,
    /// `line` is the physical line at byte `offset`.
    offset: usize,
    line: u64,
    run: FooterRun,
    /// Footer-like records held back until a user row follows (they are rows) or the text
    /// ends (they are its footer): rare, so each is a copy.
    held: Vec<Held>,
    row: usize,
    /// Whether the last record read was footer-like.
    last_like: bool,
}

impl<'t> Cursor<'t> {
    /// A cursor at byte `at` of `text`, a record boundary on physical line `line`.
    fn new(text: &'t str, delimiter: u8, header_len: usize, at: usize, line: u64) -> Self {
        Cursor {
            text,
            split: Splitter::new(delimiter),
            spans: Vec::with_capacity(header_len + 1),
            header_len,
            at,
            offset: at,
            line,
            run: FooterRun::default(),
            held: Vec::new(),
            row: 0,
            last_like: false,
        }
    }

    /// Skips `n` records (the header and the lines above it).
    fn skip(&mut self, n: usize) {
        let b = self.text.as_bytes();
        for _ in 0..n {
            self.at = skip_breaks(b, self.at);
            if self.at >= b.len() {
                break;
            }
            self.at = self.split.record(b, self.at, &mut self.spans).1;
        }
        self.at = skip_breaks(b, self.at);
    }

    /// Reads records until the text ends or the next one starts at or past `stop`.
    fn read_until<S, E>(
        &mut self,
        stop: usize,
        state: &mut S,
        each: &mut impl FnMut(&mut S, u64, &Row<'_>) -> Result<(), E>,
    ) -> Result<(), E> {
        let b = self.text.as_bytes();
        loop {
            self.at = skip_breaks(b, self.at);
            if self.at >= b.len() || self.at >= stop {
                return Ok(());
            }
            let at = self.at;
            let (scratch, end) = self.split.record(b, at, &mut self.spans);
            self.at = end;
            let rec = Row {
                text: if scratch {
                    &self.split.scratch
                } else {
                    self.text
                },
                spans: &self.spans,
            };
            if rec.blank() {
                continue;
            }
            // The physical line: count the breaks up to the record's first byte.
            let prev_cr = self.offset > 0 && b[self.offset - 1] == b'\r';
            self.line += line_breaks(&b[self.offset..at], prev_cr);
            self.offset = at;
            let first = rec.get(0).unwrap_or_default().as_bytes();
            let like = footer_like(rec.len(), self.header_len, first);
            self.last_like = like;
            self.run.push(self.row, self.line, like);
            self.row += 1;
            if like && !self.run.too_long() {
                self.held.push(Held::new(self.line, &rec));
            } else {
                for h in self.held.drain(..) {
                    each(state, h.line, &h.row())?;
                }
                each(state, self.line, &rec)?;
            }
        }
    }

    /// At the end of the text: the report footer, if the records held back are one (else they
    /// are rows, given to `each` now).
    fn finish<S, E>(
        mut self,
        state: &mut S,
        each: &mut impl FnMut(&mut S, u64, &Row<'_>) -> Result<(), E>,
    ) -> Result<Option<Footer>, E> {
        let footer = self.run.finish().map(|(_, f)| f);
        if footer.is_none() {
            for h in self.held.drain(..) {
                each(state, h.line, &h.row())?;
            }
        }
        Ok(footer)
    }
}

/// Calls `each(line, row)` for every data record of `text` below the header, in order:
/// wholly empty rows are skipped and a report footer at the end is left out (returned, so the
/// caller can say so). `header_len` is the header's field count.
#[cfg(test)]
fn rows<H, E>(
    text: &str,
    start: &table::Start<H>,
    header_len: usize,
    mut each: impl FnMut(u64, &Row<'_>) -> Result<(), E>,
) -> Result<Option<Footer>, E> {
    let mut each = |_: &mut (), line, row: &Row<'_>| each(line, row);
    let mut cursor = Cursor::new(text, start.delimiter, header_len, 0, 1);
    cursor.skip(1 + start.preamble);
    cursor.read_until(usize::MAX, &mut (), &mut each)?;
    cursor.finish(&mut (), &mut each)
}

/// Texts below this size are read in one part.
const PARTS_FROM: usize = 4 << 20;

/// Like `rows`, in two parts at once (two threads) when the text is large: `each` gets the
/// state of its part (made by `new`), and the states come back in file order, one or two.
/// The second part starts at a line break with an even number of quotes before it; reading
/// the first part confirms that a record starts there (else it reads on alone), so the parts
/// give exactly the records, lines and errors one reading would.
pub(super) fn rows_in_parts<H, S: Send, E: Send>(
    text: &str,
    start: &table::Start<H>,
    header_len: usize,
    new: impl Fn() -> S + Sync,
    each: impl Fn(&mut S, u64, &Row<'_>) -> Result<(), E> + Sync,
) -> Result<(Vec<S>, Option<Footer>), E> {
    let (b, delimiter) = (text.as_bytes(), start.delimiter);
    let mut head = Cursor::new(text, delimiter, header_len, 0, 1);
    head.skip(1 + start.preamble);
    let mut first = new();
    let mut each_a = |s: &mut S, line, row: &Row<'_>| each(s, line, row);
    let second = (b.len() - head.at >= PARTS_FROM)
        .then(|| boundary(b, head.at))
        .flatten();
    let Some(split) = second else {
        head.read_until(usize::MAX, &mut first, &mut each_a)?;
        let footer = head.finish(&mut first, &mut each_a)?;
        return Ok((vec![first], footer));
    };
    let (a, b_part) = std::thread::scope(|scope| {
        let tail = scope.spawn(|| {
            let mut each_b = |s: &mut S, line, row: &Row<'_>| each(s, line, row);
            let line = 1 + line_breaks(&b[..split], false);
            let mut cursor = Cursor::new(text, delimiter, header_len, split, line);
            let mut state = new();
            cursor.read_until(usize::MAX, &mut state, &mut each_b)?;
            let footer = cursor.finish(&mut state, &mut each_b)?;
            Ok((state, footer))
        });
        let a = head.read_until(split, &mut first, &mut each_a);
        (
            a,
            tail.join().unwrap_or_else(|p| std::panic::resume_unwind(p)),
        )
    });
    a?;
    if head.at == split && head.held.is_empty() && !head.last_like {
        let (second, footer) = b_part?;
        return Ok((vec![first, second], footer));
    }
    // No record starts at the split (a stray quote fooled the count): read on from here.
    head.read_until(usize::MAX, &mut first, &mut each_a)?;
    let footer = head.finish(&mut first, &mut each_a)?;
    Ok((vec![first], footer))
}

/// A likely record boundary near the middle of `b[from..]`: just past a line break with an
/// even number of quotes between `from` (a record boundary) and it; `None` if none is found
/// before the end.
fn boundary(b: &[u8], from: usize) -> Option<usize> {
    let mut at = from + (b.len() - from) / 2;
    let mut quotes = memchr::memchr_iter(b'"', &b[from..at]).count();
    loop {
        let brk = at + memchr::memchr2(b'\n', b'\r', &b[at..])?;
        quotes += memchr::memchr_iter(b'"', &b[at..brk]).count();
        at = skip_breaks(b, brk);
        if at >= b.len() {
            return None;
        }
        if quotes.is_multiple_of(2) {
            return Some(at);
        }
    }
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
    fn by_csv_crate(text: &str, delimiter: u8, preamble: usize) -> Read {
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

    /// Records read: each one's physical line and cells.
    type Read = Vec<(u64, Vec<String>)>;

    fn owned(row: &Row<'_>) -> Vec<String> {
        (0..row.len())
            .filter_map(|i| row.get(i))
            .map(str::to_string)
            .collect()
    }

    /// Every record as `rows` gives them (`header_len` decides what may be a footer).
    fn in_one(
        text: &str,
        delimiter: u8,
        preamble: usize,
        header_len: usize,
    ) -> (Read, Option<Footer>) {
        let mut out = Vec::new();
        let footer = rows(
            text,
            &start(delimiter, preamble),
            header_len,
            |line, row| {
                out.push((line, owned(row)));
                Ok::<(), ()>(())
            },
        )
        .unwrap();
        (out, footer)
    }

    fn by_splitter(text: &str, delimiter: u8, preamble: usize) -> Read {
        // One header field: no record is footer-like, so every record comes through.
        in_one(text, delimiter, preamble, 1).0
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
        let (read, footer) = in_one(text, b',', 0, 3);
        assert_eq!(read, [(2, vec!["1".to_string(), "2".into(), "3".into()])]);
        let footer = footer.unwrap();
        assert_eq!((footer.first_line, footer.last_line), (3, 4));
    }

    /// Every record of `text` as `rows_in_parts` gives them, and in how many parts.
    fn in_parts(text: &str) -> (usize, Read, Option<Footer>) {
        let (parts, footer) = rows_in_parts(text, &start(b',', 0), 3, Read::new, |p, line, row| {
            p.push((line, owned(row)));
            Ok::<(), ()>(())
        })
        .unwrap();
        (parts.len(), parts.concat(), footer)
    }

    #[test]
    fn a_large_text_is_read_in_two_parts_as_in_one() {
        let mut text = String::from("a,b,c\r\n");
        let mut i = 0;
        while text.len() < PARTS_FROM + (1 << 20) {
            text.push_str(&format!(
                "\"{i}\",\"two\r\nlines\",\"a \"\"q\"\"\"\r\n\r\nx{i},y,z\n"
            ));
            i += 1;
        }
        text.push_str("\"Copyright (c) 2026\"\r\n");
        let (parts, got, footer) = in_parts(&text);
        assert_eq!(parts, 2);
        let (want, want_footer) = in_one(&text, b',', 0, 3);
        assert_eq!(got.len(), want.len());
        assert!(got == want);
        assert_eq!(footer, want_footer);
        assert!(footer.is_some());
    }

    #[test]
    fn a_stray_quote_that_fools_the_split_means_one_part() {
        // One quote inside an unquoted cell near the start: every later line break has an odd
        // count before it, so the split lands inside no record the reader agrees on, or none.
        let mut text = String::from("a,b,c\nO\"Brien,x,y\n");
        let mut i = 0;
        while text.len() < PARTS_FROM + (1 << 20) {
            text.push_str(&format!("{i},\"p\nq\",z\n"));
            i += 1;
        }
        let (parts, got, footer) = in_parts(&text);
        let (want, want_footer) = in_one(&text, b',', 0, 3);
        assert_eq!(parts, 1);
        assert!(got == want);
        assert_eq!(footer, want_footer);
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

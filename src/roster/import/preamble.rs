//! Lines above the header: where the table may start.
//!
//! Exports often put something above the header row: PowerShell's `Export-Csv` writes a
//! `#TYPE …` line, reports a title (quoted or not) and a blank line. The importer tries the
//! header on the first line, then on each of the next few, and takes the first that names
//! every field.
//!
//! A line may hold quotes: a line above a candidate is stepped over only when, read as CSV with
//! the candidate's delimiter, a record ends exactly where the candidate starts — every quoted
//! field above it closes on its own line (a title like `"Users, all (Q4)"` does; a stray quote
//! that opens a field running into the next lines does not, and the candidates it swallows are
//! not headers). [`records_before`] checks that, so the readers skip whole records only.

/// How many lines above the header are looked past, at most.
pub(super) const MAX_LINES_ABOVE: usize = 10;

/// Where a header might start.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Candidate {
    /// Byte offset of the line in the decoded text.
    pub offset: usize,
    /// Its physical line (1-based, counting line breaks as the readers do).
    pub line: u64,
}

/// The header candidates of `text` from byte `start` (the first line, after a `sep=` line):
/// each non-blank line among the first [`MAX_LINES_ABOVE`] + 1, first line first.
pub(super) fn header_candidates(text: &str, start: usize) -> Vec<Candidate> {
    let first_line = 1 + super::line_breaks(&text.as_bytes()[..start], false);
    let mut out = Vec::new();
    let mut offset = start;
    let mut line = first_line;
    for (i, l) in split_lines(&text[start..]).enumerate() {
        if i > MAX_LINES_ABOVE {
            break;
        }
        if !l.trim_end_matches(['\r', '\n']).is_empty() {
            out.push(Candidate { offset, line });
        }
        line += super::line_breaks(l.as_bytes(), false);
        offset += l.len();
    }
    if out.is_empty() {
        out.push(Candidate {
            offset: start,
            line: first_line,
        });
    }
    out
}

/// Lines with their terminators: CRLF, LF or a lone CR each end one, as the readers count.
fn split_lines(text: &str) -> impl Iterator<Item = &str> {
    let bytes = text.as_bytes();
    let mut at = 0;
    std::iter::from_fn(move || {
        if at >= bytes.len() {
            return None;
        }
        let start = at;
        while at < bytes.len() && bytes[at] != b'\n' && bytes[at] != b'\r' {
            at += 1;
        }
        if at < bytes.len() {
            at += if bytes[at] == b'\r' && bytes.get(at + 1) == Some(&b'\n') {
                2
            } else {
                1
            };
        }
        Some(&text[start..at])
    })
}

/// The records a CSV reader with `delimiter` reads in `above` (the text between the first line
/// and a header candidate; blank lines are no records), or `None` when a quoted field is still
/// open at its end, i.e. the candidate is inside a record, not at the start of one.
pub(super) fn records_before(above: &[u8], delimiter: u8) -> Option<usize> {
    let mut core = csv_core::ReaderBuilder::new().delimiter(delimiter).build();
    let (mut out, mut ends) = ([0u8; 1024], [0usize; 64]);
    let mut input = above;
    let mut records = 0;
    loop {
        let (res, nin, _, _) = core.read_record(input, &mut out, &mut ends);
        input = &input[nin..];
        match res {
            // Field bytes are not needed: the same buffers take the rest.
            csv_core::ReadRecordResult::OutputFull | csv_core::ReadRecordResult::OutputEndsFull => {
            }
            csv_core::ReadRecordResult::Record if input.is_empty() && nin == 0 => {
                // Only the end of the input ended this record: it runs on past `above`.
                return None;
            }
            csv_core::ReadRecordResult::Record => records += 1,
            csv_core::ReadRecordResult::InputEmpty => {
                if !input.is_empty() {
                    continue;
                }
                // Tell csv-core the input ended: a pending record means one is still open.
                let (res, _, _, _) = core.read_record(&[], &mut out, &mut ends);
                return match res {
                    csv_core::ReadRecordResult::End => Some(records),
                    _ => None,
                };
            }
            csv_core::ReadRecordResult::End => return Some(records),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_non_blank_line_is_a_candidate() {
        let text = "#TYPE Foo\r\n\r\nTitle, 2026\nName,Email\n\"Doe, J\",j@x.com\nNext,x\n";
        let c = header_candidates(text, 0);
        let got: Vec<(usize, u64)> = c.iter().map(|c| (c.offset, c.line)).collect();
        assert_eq!(
            got,
            vec![(0, 1), (13, 3), (25, 4), (36, 5), (53, 6)],
            "quotes no longer stop the search"
        );
        assert_eq!(&text[25..35], "Name,Email");
    }

    #[test]
    fn starts_after_a_sep_line_and_stops_after_ten_lines() {
        let text = "sep=;\nA\nB\n";
        let c = header_candidates(text, 6);
        assert_eq!((c[0].offset, c[0].line), (6, 2));
        let many = "x\n".repeat(30);
        assert_eq!(header_candidates(&many, 0).len(), MAX_LINES_ABOVE + 1);
        assert_eq!(header_candidates("", 0).len(), 1);
        // A lone CR ends a line too.
        let mac = header_candidates("Title\rName,Email\r", 0);
        assert_eq!((mac[1].offset, mac[1].line), (6, 2));
    }

    #[test]
    fn whole_records_above_count_an_open_quote_does_not() {
        assert_eq!(records_before(b"", b','), Some(0));
        assert_eq!(records_before(b"#TYPE x\r\n\r\nTitle\n", b','), Some(2));
        // One complete quoted field, quotes doubled inside, a delimiter inside: one record.
        assert_eq!(
            records_before(b"\"Users, \"\"all\"\" (Q4)\"\r\n", b','),
            Some(1)
        );
        assert_eq!(records_before(b"\"Title\",,,\n\"x\"\r", b','), Some(2));
        // A quote inside an unquoted field is a plain character.
        assert_eq!(records_before(b"Bob's \"best\" report\n", b','), Some(1));
        // A field opened by a quote and not closed on its line runs into the candidate.
        assert_eq!(records_before(b"\"Title\nmore\n", b','), None);
        assert_eq!(records_before(b"a,\"b\n", b','), None);
        // Long lines need no bigger buffers.
        let long = format!("\"{}\"\n", "x".repeat(5000));
        assert_eq!(records_before(long.as_bytes(), b','), Some(1));
        let wide = format!("{}\n", ",".repeat(500));
        assert_eq!(records_before(wide.as_bytes(), b','), Some(1));
    }
}

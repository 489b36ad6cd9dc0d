//! Lines above the header: where the table may start.
//!
//! Exports often put something above the header row: PowerShell's `Export-Csv` writes a
//! `#TYPE …` line, reports a title and a blank line. The importer tries the header on the first
//! line, then on each of the next few, and takes the first that names every field.

/// How many lines above the header are looked past, at most.
pub const MAX_LINES_ABOVE: usize = 10;

/// Where a header might start.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Candidate {
    /// Byte offset of the line in the decoded text.
    pub offset: usize,
    /// Records before it from `start` on (non-empty lines: blank ones are no record to a CSV
    /// reader), for the readers to skip.
    pub records: usize,
    /// Its physical line (1-based, counting line breaks as the readers do).
    pub line: u64,
}

/// The header candidates of `text` from byte `start` (the first line, after a `sep=` line),
/// first line first. The search stops at a line with a quote: past it, where records begin
/// depends on the quoting, which only the CSV reader knows.
pub fn header_candidates(text: &str, start: usize) -> Vec<Candidate> {
    let first_line = 1 + super::line_breaks(&text.as_bytes()[..start], false);
    let mut out = Vec::new();
    let (mut offset, mut records) = (start, 0);
    for (i, line) in text[start..].split_inclusive('\n').enumerate() {
        if i > MAX_LINES_ABOVE {
            break;
        }
        let content = line.trim_end_matches(['\r', '\n']);
        if !content.is_empty() {
            out.push(Candidate {
                offset,
                records,
                line: first_line + i as u64,
            });
            if content.contains('"') {
                break;
            }
            records += 1;
        }
        offset += line.len();
    }
    if out.is_empty() {
        out.push(Candidate {
            offset: start,
            records: 0,
            line: first_line,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_non_blank_line_is_a_candidate_until_a_quote() {
        let text = "#TYPE Foo\r\n\r\nTitle, 2026\nName,Email\n\"Doe, J\",j@x.com\nNext,x\n";
        let c = header_candidates(text, 0);
        let got: Vec<(usize, usize, u64)> =
            c.iter().map(|c| (c.offset, c.records, c.line)).collect();
        assert_eq!(got, vec![(0, 0, 1), (13, 1, 3), (25, 2, 4), (36, 3, 5)]);
        assert_eq!(&text[25..35], "Name,Email");
    }

    #[test]
    fn starts_after_a_sep_line_and_stops_after_ten_lines() {
        let text = "sep=;\nA\nB\n";
        let c = header_candidates(text, 6);
        assert_eq!((c[0].offset, c[0].records, c[0].line), (6, 0, 2));
        let many = "x\n".repeat(30);
        assert_eq!(header_candidates(&many, 0).len(), MAX_LINES_ABOVE + 1);
        assert_eq!(header_candidates("", 0).len(), 1);
    }
}

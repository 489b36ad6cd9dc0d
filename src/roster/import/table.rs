//! Any delimited table the importer can read, with a header the caller recognises.
//!
//! The roster importer and the directory exports (`crate::directory`) share what is hard about
//! finding a spreadsheet export's table: the encoding, the delimiter (or Excel's `sep=` line)
//! and lines above the header (PowerShell's `#TYPE`, a report title). Only what the header must
//! name differs, so that is the caller's closure. Each reads the records below it its own way,
//! with the same footer rules (`footer`) and line counting (`line_breaks`).

use super::delimiter;
use super::{csv_error, csv_reader, encoding, preamble, Encoding, ImportError};

/// Where the table starts and what its header is.
#[derive(Clone, Debug)]
pub(crate) struct Start<H> {
    pub encoding: Encoding,
    pub sep_line: bool,
    /// Records above the header, skipped (a `sep=` line counts).
    pub preamble: usize,
    /// Physical line of the header row.
    pub header_line: u64,
    pub delimiter: u8,
    /// What the caller made of the header row.
    pub header: H,
}

/// Decodes `bytes` and finds the header: the first line (after a `sep=` line) that `read_header`
/// accepts, or one of the next few when only whole records stand above it. `read_header` gets
/// the text from the candidate line on and the `sep=` line's delimiter, and returns the
/// delimiter it used and its header; `rank` says how informative a refusal is (the most
/// informative one is returned when no line is a header).
pub(crate) fn locate<H, E: From<ImportError>>(
    bytes: Vec<u8>,
    forced_encoding: Option<Encoding>,
    read_header: impl Fn(&str, Option<u8>) -> Result<(u8, H), E>,
    rank: impl Fn(&E) -> usize,
) -> Result<(Start<H>, String), E> {
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(ImportError::Empty(None).into());
    }
    let encoding = forced_encoding.unwrap_or_else(|| encoding::detect(&bytes));
    let utf16 = matches!(encoding, Encoding::Utf16Le | Encoding::Utf16Be);
    let sample = &bytes[..bytes.len().min(8192)];
    if !utf16 && sample.contains(&0) {
        return Err(ImportError::Binary(None).into());
    }
    let text = encoding::decode_owned(bytes, encoding);
    if text
        .chars()
        .take(4096)
        .filter(|&c| c == '\u{FFFD}' || c == '\0')
        .count()
        > 16
    {
        return Err(ImportError::Binary(None).into());
    }
    let sep = delimiter::sep_line(&text);
    let start = sep.map_or(0, |(_, n)| n);
    let candidates = preamble::header_candidates(&text, start);
    let mut first_error: Option<E> = None;
    for candidate in &candidates {
        match read_header(&text[candidate.offset..], sep.map(|(d, _)| d)) {
            Ok((delimiter, header)) => {
                // Only whole records above it: not a line inside a quoted field.
                let above = text.as_bytes()[start..candidate.offset].as_ref();
                let Some(records) = preamble::records_before(above, delimiter) else {
                    continue;
                };
                let start = Start {
                    encoding,
                    sep_line: sep.is_some(),
                    preamble: usize::from(sep.is_some()) + records,
                    header_line: candidate.line,
                    delimiter,
                    header,
                };
                return Ok((start, text));
            }
            Err(e) => {
                // The first line's error, unless it is a title (one field, or none) and a
                // later line has the columns: then what that line lacks is the useful news.
                if first_error.as_ref().is_none_or(|f| rank(&e) > rank(f)) {
                    first_error = Some(e);
                }
            }
        }
    }
    Err(first_error.unwrap_or_else(|| ImportError::Empty(None).into()))
}

/// Reads the header row at the start of `body` with `delimiter` (forced, from the `sep=` line,
/// or detected): its cells, trimmed.
pub(crate) fn header_cells(
    body: &str,
    forced: Option<u8>,
    sep: Option<u8>,
) -> Result<(u8, Vec<String>), ImportError> {
    let delimiter = match (forced, sep) {
        (Some(d), _) | (None, Some(d)) => d,
        (None, None) => delimiter::detect(body).ok_or(ImportError::NotDelimited(None))?,
    };
    let mut reader = csv_reader(std::io::Cursor::new(body.as_bytes()), delimiter);
    let mut header = csv::StringRecord::new();
    if !reader.read_record(&mut header).map_err(csv_error)? {
        return Err(ImportError::Empty(None));
    }
    Ok((
        delimiter,
        header.iter().map(|h| h.trim().to_string()).collect(),
    ))
}

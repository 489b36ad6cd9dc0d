//! Importing whatever CSV the admin has: encoding, delimiter and header detection, then records.
//!
//! Detection runs once on the whole file's bytes; records are read in batches so a large file
//! can load behind a progress gauge ([`Importer::read_batch`]).

pub(crate) mod delimiter;
pub(crate) mod encoding;
pub(crate) mod footer;
pub(crate) mod headers;
mod preamble;
pub(crate) mod table;

pub use encoding::Encoding;
pub use footer::Footer;

use super::{Field, Record};
use std::io::Cursor;
use std::path::{Path, PathBuf};

/// What the admin may force instead of detection.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ImportOptions {
    pub encoding: Option<Encoding>,
    pub delimiter: Option<u8>,
    /// `(field, header)` overrides of the header mapping. One header may feed several fields
    /// (a Salesforce username that is also the UPN): an override never takes its header away
    /// from another field.
    pub columns: Vec<(Field, String)>,
}

/// What import found (or was told) about the file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Detected {
    pub encoding: Encoding,
    pub encoding_detected: bool,
    pub delimiter: u8,
    pub delimiter_detected: bool,
    /// The file starts with Excel's `sep=X` line (skipped; it names the delimiter).
    pub sep_line: bool,
    /// Records above the header, skipped: the `sep=` line, a `#TYPE` line, a title.
    pub preamble: usize,
    /// Physical line of the header row (1 unless lines above it were skipped).
    pub header_line: u64,
    /// The header row as read.
    pub headers: Vec<String>,
    /// For each field (by [`Field::index`]), the index of its header; several fields may share
    /// one.
    pub mapping: [Option<usize>; 5],
    /// The report footer below the last user (see [`footer`]); known once every record was
    /// read, `None` before.
    pub footer: Option<Footer>,
}

impl Detected {
    /// Whether lines other than a `sep=` line were skipped above the header (a `#TYPE` line,
    /// a title), so the admin should be told where the header was found.
    pub fn header_moved(&self) -> bool {
        self.preamble > usize::from(self.sep_line)
    }

    /// The header mapped to `field`.
    pub fn header_for(&self, field: Field) -> Option<&str> {
        self.mapping[field.index()].map(|i| self.headers[i].as_str())
    }

    /// What the admin should know about lines that were read but are not users: lines skipped
    /// above the header, a report footer left out below the last user.
    pub fn notices(&self) -> Vec<Notice> {
        let mut out = Vec::new();
        if self.header_moved() {
            out.push(Notice {
                code: "header-moved",
                first_line: 1 + u64::from(self.sep_line),
                last_line: self.header_line - 1,
                message: format!(
                    "header on line {}: the line(s) above it are not part of the table and were skipped",
                    self.header_line
                ),
            });
        }
        if let Some(f) = self.footer {
            out.push(Notice {
                code: "report-footer",
                first_line: f.first_line,
                last_line: f.last_line,
                message: f.to_string(),
            });
        }
        out
    }
}

/// Lines of the file that were read but are not users, and why: shown once, not per line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Notice {
    /// Stable: `header-moved` (lines above the header) or `report-footer`.
    pub code: &'static str,
    /// Physical lines the notice is about (the last one is where its last record starts).
    pub first_line: u64,
    pub last_line: u64,
    /// One line, naming the lines: `lines 43-47: report footer, not users`.
    pub message: String,
}

/// Why a file cannot be imported at all. Problems with single rows are findings instead.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("cannot read {}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}the file is empty; export the roster again from the spreadsheet", at(.0))]
    Empty(Option<PathBuf>),
    #[error("{}this is a binary file, not CSV text; in Excel use File › Save As › CSV UTF-8", at(.0))]
    Binary(Option<PathBuf>),
    #[error("{}line 1 has no comma, semicolon, tab or pipe, so this is not delimited text; save it as CSV or pass --delimiter", at(.0))]
    NotDelimited(Option<PathBuf>),
    #[error("{}no column for {}; headers found: {}. Rename a header or pass --column FIELD=HEADER (e.g. --column {}=\"{}\")",
        at(.path), list_fields(.missing), list_headers(.found), .missing[0].key(), .missing[0].title())]
    MissingFields {
        path: Option<PathBuf>,
        missing: Vec<Field>,
        found: Vec<String>,
    },
    #[error("{}--column {}: no header \"{header}\"; headers found: {}", at(.path), .field.key(), list_headers(.found))]
    UnknownHeader {
        path: Option<PathBuf>,
        field: Field,
        header: String,
        found: Vec<String>,
    },
    #[error("{}line {line}: {message}", at(.path))]
    Csv {
        path: Option<PathBuf>,
        line: u64,
        message: String,
    },
}

/// `"PATH: "` for an error that names its file, `""` when it has none (used in error messages
/// here and by the directory exports).
pub(crate) fn at(path: &Option<PathBuf>) -> String {
    path.as_ref()
        .map(|p| format!("{}: ", p.display()))
        .unwrap_or_default()
}

fn list_fields(fs: &[Field]) -> String {
    fs.iter().map(|f| f.title()).collect::<Vec<_>>().join(", ")
}

/// Headers listed in an error line, at most; a line listing thousands is unreadable.
const LISTED_HEADERS: usize = 12;
/// Characters of one header shown in an error line, at most.
const LISTED_HEADER_CHARS: usize = 40;

/// The headers, quoted, for an error line: the first [`LISTED_HEADERS`], each cut to
/// [`LISTED_HEADER_CHARS`], then how many more there are.
pub(crate) fn list_headers(hs: &[String]) -> String {
    if hs.is_empty() {
        return "(none)".into();
    }
    let mut out = hs
        .iter()
        .take(LISTED_HEADERS)
        .map(|h| {
            if h.chars().count() > LISTED_HEADER_CHARS {
                let cut: String = h.chars().take(LISTED_HEADER_CHARS - 1).collect();
                format!("\"{cut}…\"")
            } else {
                format!("\"{h}\"")
            }
        })
        .collect::<Vec<_>>()
        .join(", ");
    if hs.len() > LISTED_HEADERS {
        out.push_str(&format!(" … and {} more", hs.len() - LISTED_HEADERS));
    }
    out
}

impl ImportError {
    /// The same error, naming the file it came from.
    pub fn in_file(mut self, p: &Path) -> Self {
        let slot = match &mut self {
            ImportError::Empty(path)
            | ImportError::Binary(path)
            | ImportError::NotDelimited(path) => path,
            ImportError::MissingFields { path, .. }
            | ImportError::UnknownHeader { path, .. }
            | ImportError::Csv { path, .. } => path,
            ImportError::Io { .. } => return self,
        };
        *slot = Some(p.to_path_buf());
        self
    }
}

/// A whole file, imported.
#[derive(Clone, Debug)]
pub struct Imported {
    pub detected: Detected,
    pub records: Vec<Record>,
}

/// Reads records in batches from a file already in memory.
pub struct Importer {
    detected: Detected,
    reader: csv::Reader<Cursor<Vec<u8>>>,
    record: csv::StringRecord,
    total: u64,
    /// Line counting state: `line` is the line at byte offset `offset` of the text.
    /// (The csv crate's own line count lags a line after CRLF terminators.)
    offset: usize,
    line: u64,
    /// Footer-like records held back until a user row follows (they are rows) or the file
    /// ends (they are its footer).
    held: Vec<Record>,
    run: footer::FooterRun,
    rows: usize,
}

/// Sniffs encoding and delimiter, decodes, and splits off the header.
pub(crate) fn prepare(
    bytes: Vec<u8>,
    opts: &ImportOptions,
) -> Result<(Detected, String), ImportError> {
    // The header is the first line (after Excel's `sep=` line) unless a few lines above it
    // are not part of the table (PowerShell's `#TYPE` line, a report title): then the first
    // line that names every field.
    let (start, text) = table::locate(
        bytes,
        opts.encoding,
        |body, sep| read_header(body, opts, sep).map(|h| (h.delimiter, h)),
        rank,
    )?;
    let detected = Detected {
        encoding: start.encoding,
        encoding_detected: opts.encoding.is_none(),
        delimiter: start.delimiter,
        delimiter_detected: opts.delimiter.is_none(),
        sep_line: start.sep_line,
        preamble: start.preamble,
        header_line: start.header_line,
        headers: start.header.cells,
        mapping: start.header.mapping,
        footer: None,
    };
    Ok((detected, text))
}

/// How much a failed header candidate says: 2 for a line with columns, 1 for a single
/// field, 0 for no delimited text at all.
fn rank(e: &ImportError) -> usize {
    match e {
        ImportError::MissingFields { found, .. } | ImportError::UnknownHeader { found, .. } => {
            found.len().min(2)
        }
        _ => 0,
    }
}

/// A header row that names every field.
struct Header {
    delimiter: u8,
    cells: Vec<String>,
    mapping: [Option<usize>; 5],
}

/// Reads the header at the start of `body`: the delimiter (forced, from the `sep=` line, or
/// detected), the header cells and their mapping to the fields.
fn read_header(body: &str, opts: &ImportOptions, sep: Option<u8>) -> Result<Header, ImportError> {
    let (delimiter, headers) = table::header_cells(body, opts.delimiter, sep)?;
    let mut mapping = headers::map_headers(&headers);
    for (field, wanted) in &opts.columns {
        let idx =
            headers::find_header(&headers, wanted).ok_or_else(|| ImportError::UnknownHeader {
                path: None,
                field: *field,
                header: wanted.clone(),
                found: headers.clone(),
            })?;
        // Another field keeps the header too: one column may feed several fields.
        mapping[field.index()] = Some(idx);
    }
    let missing: Vec<Field> = Field::ALL
        .into_iter()
        .filter(|f| mapping[f.index()].is_none())
        .collect();
    if !missing.is_empty() {
        if headers.len() < 2 && opts.delimiter.is_none() {
            return Err(ImportError::NotDelimited(None));
        }
        return Err(ImportError::MissingFields {
            path: None,
            missing,
            found: headers,
        });
    }
    Ok(Header {
        delimiter,
        cells: headers,
        mapping,
    })
}

/// Line breaks in `bytes` as a CSV reader sees them: CRLF, LF or a lone CR (classic Mac
/// exports) each end one line. `prev_cr` says whether the byte before `bytes` was a CR, so a
/// CRLF split between two calls counts once.
pub(crate) fn line_breaks(bytes: &[u8], prev_cr: bool) -> u64 {
    let mut prev_cr = prev_cr;
    let mut n = 0;
    for &b in bytes {
        n += u64::from(b == b'\r' || (b == b'\n' && !prev_cr));
        prev_cr = b == b'\r';
    }
    n
}

fn csv_reader<R: std::io::Read>(r: R, delimiter: u8) -> csv::Reader<R> {
    csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(r)
}

fn csv_error(e: csv::Error) -> ImportError {
    let line = e.position().map(|p| p.line()).unwrap_or(0);
    ImportError::Csv {
        path: None,
        line,
        message: e.to_string(),
    }
}

impl Importer {
    /// Detects encoding, delimiter and headers; reads no records yet.
    pub fn new(bytes: Vec<u8>, opts: &ImportOptions) -> Result<Importer, ImportError> {
        let (detected, text) = prepare(bytes, opts)?;
        let total = text.len() as u64;
        let mut reader = csv_reader(Cursor::new(text.into_bytes()), detected.delimiter);
        // Skip the header (and a `sep=` line) again; `prepare` already read them. The text
        // stays whole so physical line numbers stay right.
        let mut record = csv::StringRecord::new();
        for _ in 0..1 + detected.preamble {
            reader.read_record(&mut record).map_err(csv_error)?;
        }
        Ok(Importer {
            detected,
            reader,
            record,
            total,
            offset: 0,
            line: 1,
            held: Vec::new(),
            run: footer::FooterRun::default(),
            rows: 0,
        })
    }

    pub fn detected(&self) -> &Detected {
        &self.detected
    }

    /// Bytes of decoded text consumed so far, for progress.
    pub fn bytes_done(&self) -> u64 {
        self.reader.position().byte()
    }

    pub fn bytes_total(&self) -> u64 {
        self.total
    }

    /// Appends up to `max` records to `out` (a few more when held-back footer-like records
    /// turn out to be rows); returns whether more may follow. Wholly empty rows (Excel's
    /// `,,,,` trailers) are skipped; a report footer at the end is left out and noted in
    /// [`Detected::footer`].
    pub fn read_batch(&mut self, max: usize, out: &mut Vec<Record>) -> Result<bool, ImportError> {
        let mut n = 0;
        while n < max {
            if !self
                .reader
                .read_record(&mut self.record)
                .map_err(csv_error)?
            {
                self.detected.footer = self.run.finish().map(|(_, f)| f);
                if self.detected.footer.is_none() {
                    out.append(&mut self.held);
                }
                self.held.clear();
                return Ok(false);
            }
            if self.record.iter().all(|c| c.trim().is_empty()) {
                continue;
            }
            let start = self.record.position().map_or(0, |p| p.byte() as usize);
            let line = self.line_at(start);
            let cells = self.detected.mapping.map(|m| {
                let raw = m.and_then(|i| self.record.get(i)).unwrap_or_default();
                // Reverse our own export's formula neutralisation so values round-trip.
                crate::roster::export::unneutralize(raw).to_string()
            });
            let record = Record {
                line,
                cells,
                field_count: self.record.len(),
            };
            let first = self.record.get(0).unwrap_or_default().as_bytes();
            let like = footer::footer_like(self.record.len(), self.detected.headers.len(), first);
            self.run.push(self.rows, line, like);
            self.rows += 1;
            if like && !self.run.too_long() {
                self.held.push(record);
                continue;
            }
            n += self.held.len() + 1;
            out.append(&mut self.held);
            out.push(record);
        }
        Ok(true)
    }

    /// The physical line of the record starting at byte `start` (which may point at the end of
    /// the previous terminator or at skipped blank lines).
    fn line_at(&mut self, start: usize) -> u64 {
        let text = self.reader.get_ref().get_ref();
        let mut start = start.max(self.offset);
        while matches!(text.get(start), Some(b'\r' | b'\n')) {
            start += 1;
        }
        let prev_cr = self.offset > 0 && text[self.offset - 1] == b'\r';
        self.line += line_breaks(&text[self.offset..start], prev_cr);
        self.offset = start;
        self.line
    }

    /// Reads every remaining record.
    pub fn read_all(mut self) -> Result<Imported, ImportError> {
        let mut records = Vec::new();
        while self.read_batch(usize::MAX, &mut records)? {}
        Ok(Imported {
            detected: self.detected,
            records,
        })
    }
}

/// Imports a whole file held in memory.
pub fn import_bytes(bytes: &[u8], opts: &ImportOptions) -> Result<Imported, ImportError> {
    Importer::new(bytes.to_vec(), opts)?.read_all()
}

/// Reads and imports a file.
pub fn import_path(path: &Path, opts: &ImportOptions) -> Result<Imported, ImportError> {
    let bytes = crate::fsutil::read_regular(path).map_err(|source| ImportError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    Importer::new(bytes, opts)
        .and_then(Importer::read_all)
        .map_err(|e| e.in_file(path))
}

#[cfg(test)]
mod tests;

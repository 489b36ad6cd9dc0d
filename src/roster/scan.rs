//! Whole-file validation for `validate`: every rule and duplicates, streamed, on two cores.
//!
//! One thread parses (csv-core straight from the file, counting physical lines exactly); the
//! other checks each record and looks its keys up in a [`FirstSeen`] table. Memory stays
//! small (no copy of the file, ~24 bytes per key) and the wall time is about that of parsing
//! alone. The rules and the duplicate semantics are the ones [`super::Roster`] uses, so the
//! wizard and the CLI always agree (a test checks it).

use super::dupkey::DupKind;
use super::editable::dup_finding;
use super::firstseen::FirstSeen;
use super::import::{self, Detected, Encoding, ImportError, ImportOptions, Importer};
use super::{export::unneutralize, rules, Code, Finding, Record};
use std::fs::File;
use std::io::{Cursor, Read};
use std::path::Path;
use std::sync::mpsc;

/// A finding with where it was found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RowFinding {
    /// 0-based data record.
    pub row: usize,
    /// Physical line the record starts on.
    pub line: u64,
    /// The cell's value as read (empty for row-level findings).
    pub value: String,
    pub finding: Finding,
}

/// The result of validating a whole file.
#[derive(Clone, Debug)]
pub struct ScanReport {
    pub detected: Detected,
    /// Data records read (wholly empty rows are not counted).
    pub rows: usize,
    pub findings: Vec<RowFinding>,
}

/// Checks records one by one; keeps only findings.
pub struct Validator {
    header_len: usize,
    seen: FirstSeen,
    lines: Vec<u64>,
    scratch: Vec<Finding>,
    findings: Vec<RowFinding>,
}

impl Validator {
    /// A validator for a file whose header has `header_len` fields and about `expected_rows` rows.
    pub fn new(header_len: usize, expected_rows: usize) -> Self {
        Validator {
            header_len,
            seen: FirstSeen::with_capacity(expected_rows * DupKind::ALL.len()),
            lines: Vec::with_capacity(expected_rows),
            scratch: Vec::new(),
            findings: Vec::new(),
        }
    }

    /// Rows checked so far.
    pub fn rows(&self) -> usize {
        self.lines.len()
    }

    /// Checks the next record.
    pub fn push(&mut self, line: u64, field_count: usize, cells: [&str; 5]) {
        let row = self.lines.len();
        self.lines.push(line);
        if field_count != self.header_len {
            self.scratch.push(Finding {
                field: None,
                code: Code::WrongFieldCount,
                message: format!(
                    "{field_count} fields where the header has {}: a stray delimiter or quote? Check the row in the file",
                    self.header_len
                ),
                fix: None,
                first_row: None,
            });
        }
        rules::check_record(cells, &mut self.scratch);
        for kind in DupKind::ALL {
            if let Some(k) = kind.key(cells[kind.field().index()]) {
                if let Some(first) = self.seen.first_or_insert(k, row as u32) {
                    self.scratch
                        .push(dup_finding(kind, first, self.lines[first as usize]));
                }
            }
        }
        for finding in self.scratch.drain(..) {
            let value = finding
                .field
                .map(|f| cells[f.index()].to_string())
                .unwrap_or_default();
            self.findings.push(RowFinding {
                row,
                line,
                value,
                finding,
            });
        }
    }

    fn push_record(&mut self, r: &Record) {
        self.push(r.line, r.field_count, r.as_strs());
    }

    pub fn finish(self, detected: Detected) -> ScanReport {
        ScanReport {
            detected,
            rows: self.lines.len(),
            findings: self.findings,
        }
    }
}

/// Validates a file. UTF-8 files stream; other encodings are decoded whole first.
pub fn scan_path(path: &Path, opts: &ImportOptions) -> Result<ScanReport, ImportError> {
    let io_err = |source| ImportError::Io {
        path: path.to_path_buf(),
        source,
    };
    let mut file = File::open(path).map_err(io_err)?;
    let size = file.metadata().map_err(io_err)?.len();
    let mut head = Vec::new();
    file.by_ref()
        .take(64 * 1024)
        .read_to_end(&mut head)
        .map_err(io_err)?;
    let complete = (head.len() as u64) >= size;
    let encoding = opts
        .encoding
        .unwrap_or_else(|| guess_from_head(&head, complete));
    if matches!(encoding, Encoding::Utf8 | Encoding::Utf8Bom) {
        let head_opts = ImportOptions {
            encoding: Some(encoding),
            ..opts.clone()
        };
        let (mut detected, _) =
            import::prepare(head.clone(), &head_opts).map_err(|e| e.in_file(path))?;
        detected.encoding_detected = opts.encoding.is_none();
        let rows = estimate_rows(&head, size);
        let stream = Cursor::new(head).chain(file);
        match stream_validate(stream, &detected, encoding, rows, opts.encoding.is_some()) {
            Ok(report) => return Ok(report.finish(detected)),
            Err(StreamError::Io(e)) => return Err(io_err(e)),
            // Not UTF-8 after all: a legacy file with its first non-ASCII byte past the head.
            Err(StreamError::NotUtf8) => {}
        }
    }
    let bytes = std::fs::read(path).map_err(io_err)?;
    let fallback = ImportOptions {
        encoding: opts.encoding.or(match encoding {
            Encoding::Utf8 | Encoding::Utf8Bom => Some(Encoding::Windows1252),
            _ => None,
        }),
        ..opts.clone()
    };
    let mut imp = Importer::new(bytes, &fallback).map_err(|e| e.in_file(path))?;
    let mut detected = imp.detected().clone();
    detected.encoding_detected = opts.encoding.is_none();
    let mut v = Validator::new(detected.headers.len(), (size / 100) as usize);
    let mut batch = Vec::with_capacity(4096);
    loop {
        batch.clear();
        let more = imp
            .read_batch(4096, &mut batch)
            .map_err(|e| e.in_file(path))?;
        batch.iter().for_each(|r| v.push_record(r));
        if !more {
            break;
        }
    }
    Ok(v.finish(detected))
}

/// Rows in the file, from the average line length of its head (pre-sizes the tables).
fn estimate_rows(head: &[u8], size: u64) -> usize {
    let lines = memchr::memchr_iter(b'\n', head).count().max(1) as u64;
    let avg = (head.len() as u64 / lines).max(16);
    (size / avg + 16) as usize
}

/// Encoding from the first bytes only: a BOM or UTF-16 zeros, else UTF-8 unless the head
/// already has bytes that are not (a multi-byte character cut at the end of the head is fine).
fn guess_from_head(head: &[u8], complete: bool) -> Encoding {
    match import::encoding::detect(head) {
        Encoding::Windows1252 if !complete => match std::str::from_utf8(head) {
            Err(e) if e.error_len().is_none() => Encoding::Utf8,
            _ => Encoding::Windows1252,
        },
        enc => enc,
    }
}

enum StreamError {
    Io(std::io::Error),
    NotUtf8,
}

/// Records parsed by the reader thread: field bytes back to back, field ends per record.
struct Batch {
    out: Vec<u8>,
    ends: Vec<usize>,
    /// (line, first field end index, field count, output start)
    recs: Vec<(u64, usize, usize, usize)>,
}

impl Batch {
    fn new() -> Self {
        Batch {
            out: vec![0; 1 << 20],
            ends: vec![0; 1 << 16],
            recs: Vec::with_capacity(BATCH_RECORDS),
        }
    }
}

const BATCH_RECORDS: usize = 4096;

fn stream_validate<R: Read + Send>(
    mut input: R,
    detected: &Detected,
    encoding: Encoding,
    expected_rows: usize,
    forced: bool,
) -> Result<Validator, StreamError> {
    std::thread::scope(|s| {
        let (full_tx, full_rx) = mpsc::sync_channel::<std::io::Result<Batch>>(4);
        let (empty_tx, empty_rx) = mpsc::channel::<Batch>();
        let delimiter = detected.delimiter;
        let skip_bom = encoding == Encoding::Utf8Bom;
        s.spawn(move || {
            if let Err(e) = parse(&mut input, delimiter, skip_bom, &full_tx, &empty_rx) {
                let _ = full_tx.send(Err(e));
            }
        });
        let mut v = Validator::new(detected.headers.len(), expected_rows);
        let mut header_skipped = false;
        for batch in full_rx {
            let batch = batch.map_err(StreamError::Io)?;
            for &(line, e0, n, start) in &batch.recs {
                if !header_skipped {
                    header_skipped = true;
                    continue;
                }
                let ends = &batch.ends[e0..e0 + n];
                let end = start + ends.last().copied().unwrap_or(0);
                let all = &batch.out[start..end];
                if all.iter().all(u8::is_ascii_whitespace)
                    || std::str::from_utf8(all).is_ok_and(|s| s.trim().is_empty())
                {
                    continue;
                }
                let field = |i: usize| -> &[u8] {
                    if i >= n {
                        return &[];
                    }
                    let a = if i == 0 { 0 } else { ends[i - 1] };
                    &batch.out[start + a..start + ends[i]]
                };
                let mut owned: [Option<String>; 5] = Default::default();
                let mut cells = [""; 5];
                for (slot, m) in detected.mapping.iter().enumerate() {
                    let bytes = m.map_or(&[][..], field);
                    match std::str::from_utf8(bytes) {
                        Ok(s) => cells[slot] = unneutralize(s),
                        Err(_) if !forced => return Err(StreamError::NotUtf8),
                        Err(_) => owned[slot] = Some(String::from_utf8_lossy(bytes).into_owned()),
                    }
                }
                for (slot, o) in owned.iter().enumerate() {
                    if let Some(o) = o {
                        cells[slot] = unneutralize(o);
                    }
                }
                v.push(line, n, cells);
            }
            let _ = empty_tx.send(batch);
        }
        Ok(v)
    })
}

/// The reader thread: csv-core over the raw bytes, exact physical line numbers.
fn parse(
    input: &mut impl Read,
    delimiter: u8,
    mut skip_bom: bool,
    full: &mpsc::SyncSender<std::io::Result<Batch>>,
    empty: &mpsc::Receiver<Batch>,
) -> std::io::Result<()> {
    let mut rdr = csv_core::ReaderBuilder::new().delimiter(delimiter).build();
    let mut buf = vec![0u8; 1 << 20];
    let (mut pos, mut len, mut eof) = (0usize, 0usize, false);
    let mut line = 1u64;
    let mut at_start = true;
    let mut batch = Batch::new();
    let (mut out_len, mut ends_len) = (0usize, 0usize);
    let (mut rec_out, mut rec_ends, mut rec_line) = (0usize, 0usize, 1u64);
    loop {
        if pos == len && !eof {
            len = input.read(&mut buf)?;
            pos = 0;
            eof = len == 0;
            if skip_bom && len > 0 {
                skip_bom = false;
                if buf[..len].starts_with(b"\xEF\xBB\xBF") {
                    pos = 3;
                }
            }
            continue;
        }
        if at_start {
            // Blank lines and the LF of a CRLF are ours to count, not csv-core's.
            let skip = buf[pos..len]
                .iter()
                .take_while(|&&b| b == b'\r' || b == b'\n')
                .count();
            line += memchr::memchr_iter(b'\n', &buf[pos..pos + skip]).count() as u64;
            pos += skip;
            if pos == len && !eof {
                continue;
            }
            at_start = false;
            rec_out = out_len;
            rec_ends = ends_len;
            rec_line = line;
        }
        let chunk = &buf[pos..len];
        let (res, nin, nout, nend) = rdr.read_record(
            chunk,
            &mut batch.out[out_len..],
            &mut batch.ends[ends_len..],
        );
        line += memchr::memchr_iter(b'\n', &chunk[..nin]).count() as u64;
        pos += nin;
        out_len += nout;
        ends_len += nend;
        match res {
            csv_core::ReadRecordResult::InputEmpty => {}
            csv_core::ReadRecordResult::OutputFull => {
                let n = batch.out.len() * 2;
                batch.out.resize(n, 0);
            }
            csv_core::ReadRecordResult::OutputEndsFull => {
                let n = batch.ends.len() * 2;
                batch.ends.resize(n, 0);
            }
            csv_core::ReadRecordResult::Record => {
                batch
                    .recs
                    .push((rec_line, rec_ends, ends_len - rec_ends, rec_out));
                at_start = true;
                if batch.recs.len() >= BATCH_RECORDS {
                    let next = empty.try_recv().unwrap_or_else(|_| Batch::new());
                    let done = std::mem::replace(&mut batch, next);
                    if full.send(Ok(done)).is_err() {
                        return Ok(());
                    }
                    batch.recs.clear();
                    out_len = 0;
                    ends_len = 0;
                }
            }
            csv_core::ReadRecordResult::End => break,
        }
    }
    let _ = full.send(Ok(batch));
    Ok(())
}

#[cfg(test)]
mod tests;

//! Whole-file validation for `validate`: every rule and duplicates, streamed, on two cores.
//!
//! The reader thread splits plain lines itself and leaves anything quoted or odd to csv-core
//! (counting physical lines exactly) into batches; a checker thread validates batches, and
//! whenever the checker is busy the reader validates the batch itself, so both cores stay
//! loaded. Duplicate keys go to per-thread [`KeyLog`]s, deduplicated together at the end; the
//! few duplicate cells are then read back from the file by offset. Files in a legacy encoding
//! (Windows-1252, UTF-16) go through a streaming decoder first, and their duplicates' cells are
//! read back from a second decoded pass. Memory stays small: no copy of the file, 16 bytes per
//! key. The rules and duplicate semantics are the ones
//! [`super::Roster`] uses, so the wizard and the CLI always agree (a test checks it).

use super::dup_key::{self, DupKind};
use super::editable::{dup_finding, CheckedBatch};
use super::import::{self, Detected, Encoding, ImportError, ImportOptions};
use super::key_log::{self, KeyLog};
use super::{export::unneutralize, rules, Field, Finding};
use std::fs::File;
use std::io::{BufRead, BufReader, Cursor, Read};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
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

/// Per-thread validation state: rule findings and duplicate keys.
struct Checker {
    header_len: usize,
    keys: KeyLog,
    scratch: Vec<Finding>,
    findings: Vec<RowFinding>,
}

impl Checker {
    fn new(header_len: usize, expected_rows: usize) -> Self {
        Checker {
            header_len,
            keys: KeyLog::with_capacity(expected_rows * DupKind::ALL.len()),
            scratch: Vec::new(),
            findings: Vec::new(),
        }
    }

    fn check(&mut self, row: usize, line: u64, field_count: usize, cells: [&str; 5]) {
        if field_count != self.header_len {
            self.scratch.push(rules::wrong_field_count(
                field_count,
                self.header_len,
                line,
                cells,
            ));
        }
        rules::check_record(cells, &mut self.scratch);
        for kind in DupKind::ALL {
            if let Some(k) = kind.key(cells[kind.field().index()]) {
                self.keys.push(k, row as u32);
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

    /// Merges the checkers, adds duplicate findings and sorts everything by row.
    /// `values_of` reads duplicates' cells back (only those rows are asked for), in order.
    /// Rows from `lines.len()` on (a report footer) were checked but are not users: their
    /// findings are dropped (a footer row can only ever be the later one of a duplicate).
    fn finish(
        parts: Vec<Checker>,
        lines: &[u64],
        values_of: impl FnOnce(&[(usize, Field)]) -> Vec<String>,
    ) -> Vec<RowFinding> {
        let rows = lines.len();
        let mut findings = Vec::new();
        let mut logs = Vec::with_capacity(parts.len());
        for p in parts {
            findings.extend(p.findings.into_iter().filter(|f| f.row < rows));
            logs.push(p.keys);
        }
        let mut dups = key_log::dups(logs);
        dups.retain(|d| (d.row as usize) < rows);
        let wanted: Vec<(usize, Field)> = dups
            .iter()
            .map(|d| (d.row as usize, d.kind.field()))
            .collect();
        let values = values_of(&wanted);
        for (d, value) in dups.iter().zip(values) {
            let row = d.row as usize;
            findings.push(RowFinding {
                row,
                line: lines[row],
                value,
                finding: dup_finding(d.kind, d.first, lines[d.first as usize]),
            });
        }
        // Stable: a row's own findings keep their order and its duplicates follow them.
        findings.sort_by_key(|f| f.row);
        findings
    }
}

/// A file's first bytes, what they say about it, and the file open after them.
struct Head {
    bytes: Vec<u8>,
    file: File,
    size: u64,
    /// The encoding forced, or guessed from the head alone.
    encoding: Encoding,
    /// Rows the file likely has (pre-sizes the tables).
    rows: usize,
}

impl Head {
    fn read(path: &Path, opts: &ImportOptions) -> Result<Head, ImportError> {
        let io_err = |source| io_error(path, source);
        let mut file = crate::fsutil::open_regular(path).map_err(io_err)?;
        let size = file.metadata().map_err(io_err)?.len();
        let mut bytes = Vec::new();
        file.by_ref()
            .take(64 * 1024)
            .read_to_end(&mut bytes)
            .map_err(io_err)?;
        let complete = (bytes.len() as u64) >= size;
        let encoding = opts
            .encoding
            .unwrap_or_else(|| guess_from_head(&bytes, complete));
        let rows = estimate_rows(&bytes, size);
        Ok(Head {
            bytes,
            file,
            size,
            encoding,
            rows,
        })
    }

    /// The layout (delimiter, header, mapping) found in the head read as `encoding`.
    fn detect(
        head: &[u8],
        path: &Path,
        opts: &ImportOptions,
        encoding: Encoding,
    ) -> Result<Detected, ImportError> {
        let head_opts = ImportOptions {
            encoding: Some(encoding),
            ..opts.clone()
        };
        let (mut detected, _) =
            import::prepare(head.to_vec(), &head_opts).map_err(|e| e.in_file(path))?;
        detected.encoding_detected = opts.encoding.is_none();
        Ok(detected)
    }

    /// A UTF-8 file: whether bad bytes are replaced (a BOM says UTF-8 as surely as
    /// `--encoding` does, as the importer reads it) rather than the file being read again as
    /// Windows-1252, and whether a BOM is to be skipped.
    fn utf8_reading(&self, opts: &ImportOptions) -> (bool, bool) {
        let bom = self.encoding == Encoding::Utf8Bom;
        (opts.encoding.is_some() || bom, bom)
    }
}

fn io_error(path: &Path, source: std::io::Error) -> ImportError {
    ImportError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Validates a file, streamed: UTF-8 as it is, other encodings through a streaming decoder.
pub fn scan_path(path: &Path, opts: &ImportOptions) -> Result<ScanReport, ImportError> {
    let io_err = |source| io_error(path, source);
    let head = Head::read(path, opts)?;
    let rows = head.rows;
    let report = |mut detected: Detected, mut done: Streamed, source: Source| {
        if let Some((first_row, footer)) = done.footer {
            done.lines.truncate(first_row);
            detected.footer = Some(footer);
        }
        let reread = Reread {
            source,
            delimiter: detected.delimiter,
            mapping: detected.mapping,
            offsets: done.offsets,
        };
        let findings = Checker::finish(done.checkers, &done.lines, |wanted| reread.values(wanted));
        ScanReport {
            detected,
            rows: done.lines.len(),
            findings,
        }
    };
    let legacy = match head.encoding {
        encoding @ (Encoding::Utf8 | Encoding::Utf8Bom) => {
            let detected = Head::detect(&head.bytes, path, opts, encoding)?;
            let (lossy, skip_bom) = head.utf8_reading(opts);
            let stream = Cursor::new(head.bytes.clone()).chain(head.file);
            match stream_validate(stream, &detected, skip_bom, rows, lossy) {
                Ok(done) => {
                    let source = crate::fsutil::open_regular(path).ok().map(Source::Raw);
                    return Ok(report(detected, done, source.unwrap_or(Source::Gone)));
                }
                Err(StreamError::Io(e)) => return Err(io_err(e)),
                // Not UTF-8 after all: a legacy file with its first non-ASCII byte past the head.
                Err(StreamError::NotUtf8) => Encoding::Windows1252,
            }
        }
        other => other,
    };
    let detected = Head::detect(&head.bytes, path, opts, legacy)?;
    let file = crate::fsutil::open_regular(path).map_err(io_err)?;
    let stream = import::encoding::decode_reader(file, legacy);
    // Decoded text is UTF-8 and read lossily, so the only failure left is reading the file.
    match stream_validate(stream, &detected, false, rows, true) {
        Ok(done) => Ok(report(detected, done, Source::Decoded(path.into(), legacy))),
        Err(StreamError::Io(e)) => Err(io_err(e)),
        Err(StreamError::NotUtf8) => Err(io_err(std::io::ErrorKind::InvalidData.into())),
    }
}

/// A file read as `validate` reads it (the same encodings, plain lines split directly,
/// csv-core for the rest, blank rows skipped, the report footer found at the end), into
/// [`CheckedBatch`]es for the wizard's [`super::Roster`]: clean rows go in as bytes, checked
/// and keyed in one pass, and only the others are decoded and checked by the full rules.
pub struct RosterStream {
    path: PathBuf,
    detected: Detected,
    reader: Reader<Box<dyn Read>>,
    /// Batches given back after their check, reused so the buffers are allocated once.
    spare: Vec<Batch>,
    lossy: bool,
    more: bool,
    /// Bytes of the file read so far (a decoder reads ahead of what it hands on).
    read: std::sync::Arc<std::sync::atomic::AtomicU64>,
    size: u64,
    rows: usize,
}

/// Why a [`RosterStream`] stopped.
#[derive(Debug)]
pub enum StreamStop {
    /// The file was read as UTF-8 (its head said so) and is not: read it again with
    /// [`RosterStream::open`]'s `not_utf8` set, as Windows-1252.
    NotUtf8,
    /// The file cannot be read.
    Import(ImportError),
}

impl RosterStream {
    /// Opens `path` and finds its layout from its first bytes. `not_utf8`: a first reading as
    /// UTF-8 stopped at a byte that is not, so the file is read as Windows-1252.
    pub fn open(path: &Path, opts: &ImportOptions, not_utf8: bool) -> Result<Self, ImportError> {
        let head = Head::read(path, opts)?;
        let read = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(head.bytes.len() as u64));
        let encoding = if not_utf8 {
            Encoding::Windows1252
        } else {
            head.encoding
        };
        let detected = Head::detect(&head.bytes, path, opts, encoding)?;
        let (input, lossy, skip_bom): (Box<dyn Read>, bool, bool) = match encoding {
            Encoding::Utf8 | Encoding::Utf8Bom => {
                let (lossy, skip_bom) = head.utf8_reading(opts);
                let file = Counted {
                    inner: head.file,
                    read: read.clone(),
                };
                (
                    Box::new(Cursor::new(head.bytes).chain(file)),
                    lossy,
                    skip_bom,
                )
            }
            legacy => {
                read.store(0, Ordering::Relaxed);
                let file = Counted {
                    inner: crate::fsutil::open_regular(path).map_err(|e| io_error(path, e))?,
                    read: read.clone(),
                };
                let decoded = import::encoding::decode_reader(file, legacy);
                (Box::new(decoded), true, false)
            }
        };
        let mut reader = Reader::new(
            input,
            detected.delimiter,
            detected.preamble,
            detected.headers.len(),
            skip_bom,
            0,
        );
        reader.keep_positions = false;
        Ok(RosterStream {
            path: path.to_path_buf(),
            detected,
            reader,
            spare: Vec::new(),
            lossy,
            more: true,
            read,
            size: head.size,
            rows: head.rows,
        })
    }

    /// What was found about the file (its footer once the stream has ended).
    pub fn detected(&self) -> &Detected {
        &self.detected
    }

    /// Rows the file likely has, from its head.
    pub fn estimated_rows(&self) -> usize {
        self.rows
    }

    /// Bytes of the file read so far, and its size.
    pub fn progress(&self) -> (u64, u64) {
        let done = self.read.load(Ordering::Relaxed).min(self.size);
        (done, self.size)
    }

    /// The next batch of rows; `None` once the file has ended (then a report footer's rows,
    /// which came last, are named by [`RosterStream::footer_start`]).
    pub fn next_batch(&mut self) -> Result<Option<CheckedBatch>, StreamStop> {
        let Some(split) = self.next_split()? else {
            return Ok(None);
        };
        let checked = split.check();
        self.give_back(split);
        checked.map(Some)
    }

    /// The next batch split into records but not yet checked, so that another thread can
    /// check it ([`SplitBatch::check`]) while this one splits the next; `None` once the file
    /// has ended. Give it back ([`RosterStream::give_back`]) once checked.
    pub fn next_split(&mut self) -> Result<Option<SplitBatch>, StreamStop> {
        if !self.more {
            return Ok(None);
        }
        let mut batch = self.spare.pop().unwrap_or_else(Batch::new);
        self.more = self
            .reader
            .fill(&mut batch)
            .map_err(|e| StreamStop::Import(io_error(&self.path, e)))?;
        if !self.more {
            self.detected.footer = self.reader.footer.finish().map(|(_, f)| f);
        }
        Ok(Some(SplitBatch {
            batch,
            header_len: self.detected.headers.len(),
            mapping: self.detected.mapping,
            lossy: self.lossy,
        }))
    }

    /// Takes a checked batch's buffers back for the next split.
    pub fn give_back(&mut self, split: SplitBatch) {
        self.spare.push(split.batch);
    }

    /// Once the stream has ended: the first row of the report footer, if the file has one.
    pub fn footer_start(&self) -> Option<usize> {
        (!self.more)
            .then(|| self.reader.footer.finish().map(|(row, _)| row))
            .flatten()
    }
}

/// A batch of records as the file holds them, split but not yet checked
/// ([`RosterStream::next_split`]).
pub struct SplitBatch {
    batch: Batch,
    header_len: usize,
    mapping: [Option<usize>; 5],
    lossy: bool,
}

impl SplitBatch {
    /// Checks the batch's rows: clean rows keep their bytes and keys, the others go through
    /// the full rules. [`StreamStop::NotUtf8`] when a byte says the file is not UTF-8.
    pub fn check(&self) -> Result<CheckedBatch, StreamStop> {
        let b = &self.batch;
        let out = CheckedBatch::with_capacity(Some(self.header_len), b.recs.len(), b.used());
        self.check_into(out)
    }

    /// [`SplitBatch::check`] into an emptied batch's room (see
    /// [`RosterBuilder::extend_checked`](crate::roster::RosterBuilder::extend_checked)).
    pub fn check_into(&self, mut out: CheckedBatch) -> Result<CheckedBatch, StreamStop> {
        let b = &self.batch;
        out.clear();
        out.set_header_len(Some(self.header_len));
        // The batch's text checked as UTF-8 once, not cell by cell (a quarter of this
        // thread's time went to that).
        let text = std::str::from_utf8(&b.out[..b.used()]).ok();
        for r in &b.recs {
            let [c0, c1, c2, c3, c4] = b.spans(r, &self.mapping);
            // A cell of valid text starts and ends on character boundaries, unless a field
            // ended inside a character that the next one completes: that row goes byte-wise.
            let cells = text
                .and_then(|t| Some([t.get(c0)?, t.get(c1)?, t.get(c2)?, t.get(c3)?, t.get(c4)?]));
            match cells {
                Some(cells) => out.push_text(r.line, r.fields, cells),
                None => out
                    .push_raw(r.line, r.fields, b.cells(r, &self.mapping), self.lossy)
                    .map_err(|_| StreamStop::NotUtf8)?,
            }
        }
        Ok(out)
    }
}

/// A reader that counts the bytes it hands on.
struct Counted<R> {
    inner: R,
    read: std::sync::Arc<std::sync::atomic::AtomicU64>,
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// Validates records already in memory (tests, benchmarks and fuzzing compare it with
/// `scan_path` and `Roster`).
#[cfg(any(test, feature = "testing"))]
pub fn scan_records(detected: Detected, records: &[super::Record]) -> ScanReport {
    let mut c = Checker::new(detected.headers.len(), records.len());
    for (row, r) in records.iter().enumerate() {
        c.check(row, r.line, r.field_count, r.as_strs());
    }
    let lines: Vec<u64> = records.iter().map(|r| r.line).collect();
    let findings = Checker::finish(vec![c], &lines, |wanted| {
        wanted
            .iter()
            .map(|&(row, field)| records[row].cell(field).to_string())
            .collect()
    });
    ScanReport {
        detected,
        rows: records.len(),
        findings,
    }
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

/// One parsed record inside a [`Batch`].
#[derive(Clone, Copy)]
struct Rec {
    row: usize,
    line: u64,
    /// Index of its first field end in `Batch::ends`, and its field count.
    ends_at: usize,
    fields: usize,
    /// Where its bytes start in `Batch::out`.
    start: usize,
    /// Bytes between one field's end and the next one's start: 1 for a plain line, copied
    /// whole with its delimiters (one copy, not one per field), 0 for csv-core's fields.
    gap: usize,
}

/// Records parsed by the reader thread: field bytes back to back, field ends per record.
struct Batch {
    out: Vec<u8>,
    ends: Vec<usize>,
    recs: Vec<Rec>,
}

const BATCH_RECORDS: usize = 2048;

/// Parsed batches waiting for the checker thread; the reader checks a batch itself only when
/// this many are waiting.
const QUEUED_BATCHES: usize = 3;

impl Batch {
    fn new() -> Self {
        Batch {
            out: vec![0; 1 << 19],
            ends: vec![0; 1 << 15],
            recs: Vec::with_capacity(BATCH_RECORDS),
        }
    }

    /// Where a record's cells lie in `out`, in `mapping`'s order (empty where the record has
    /// no such field). Always inlined: it runs for every row, and as a call it took 6% of
    /// `validate`'s time.
    #[inline(always)]
    fn spans(&self, r: &Rec, mapping: &[Option<usize>; 5]) -> [Range<usize>; 5] {
        let ends = &self.ends[r.ends_at..r.ends_at + r.fields];
        let span = |slot: usize| -> Range<usize> {
            match mapping[slot] {
                Some(i) if i < ends.len() => {
                    let a = if i == 0 { 0 } else { ends[i - 1] + r.gap };
                    r.start + a..r.start + ends[i]
                }
                _ => 0..0,
            }
        };
        // Spelled out rather than `map`ped: this runs for every row and inlines better.
        [span(0), span(1), span(2), span(3), span(4)]
    }

    /// A record's cells in `mapping`'s order (empty where the record has no such field).
    #[inline(always)]
    fn cells(&self, r: &Rec, mapping: &[Option<usize>; 5]) -> [&[u8]; 5] {
        let [a, b, c, d, e] = self.spans(r, mapping);
        [
            &self.out[a],
            &self.out[b],
            &self.out[c],
            &self.out[d],
            &self.out[e],
        ]
    }

    /// The bytes of `out` the records use.
    fn used(&self) -> usize {
        self.recs.last().map_or(0, |r| match r.fields {
            0 => r.start,
            n => r.start + self.ends[r.ends_at + n - 1],
        })
    }
}

/// What the streaming pass hands back.
struct Streamed {
    checkers: Vec<Checker>,
    lines: Vec<u64>,
    offsets: Vec<u64>,
    /// The report footer's first row, and the footer (its rows were checked like any other).
    footer: Option<(usize, import::Footer)>,
}

/// Checks every record of a batch.
fn check_batch(
    c: &mut Checker,
    b: &Batch,
    mapping: &[Option<usize>; 5],
    lossy: bool,
) -> Result<(), StreamError> {
    for r in &b.recs {
        let raw = b.cells(r, mapping);
        // Fast path: every cell clean means no findings, only keys to log.
        if r.fields == c.header_len {
            if let Some(keys) = dup_key::clean_row_keys(raw) {
                for k in keys {
                    c.keys.push(k, r.row as u32);
                }
                continue;
            }
        }
        let mut owned: [Option<String>; 5] = Default::default();
        let mut cells = [""; 5];
        for (slot, bytes) in raw.iter().enumerate() {
            let bytes = *bytes;
            match std::str::from_utf8(bytes) {
                Ok(s) => cells[slot] = unneutralize(s),
                Err(_) if !lossy => return Err(StreamError::NotUtf8),
                Err(_) => owned[slot] = Some(String::from_utf8_lossy(bytes).into_owned()),
            }
        }
        for (slot, o) in owned.iter().enumerate() {
            if let Some(o) = o {
                cells[slot] = unneutralize(o);
            }
        }
        c.check(r.row, r.line, r.fields, cells);
    }
    Ok(())
}

fn stream_validate<R: Read>(
    input: R,
    detected: &Detected,
    skip_bom: bool,
    expected_rows: usize,
    lossy: bool,
) -> Result<Streamed, StreamError> {
    let stop = AtomicBool::new(false);
    let mapping = detected.mapping;
    let header_len = detected.headers.len();
    std::thread::scope(|s| {
        // A few batches deep: with one, the checker starved whenever the reader had just
        // started checking a batch itself (the queue drained before it parsed the next).
        let (full_tx, full_rx) = mpsc::sync_channel::<Batch>(QUEUED_BATCHES);
        let (empty_tx, empty_rx) = mpsc::channel::<Batch>();
        let stop = &stop;
        let checker = s.spawn(move || {
            let mut c = Checker::new(header_len, expected_rows / 2);
            for batch in full_rx {
                if let Err(e) = check_batch(&mut c, &batch, &mapping, lossy) {
                    stop.store(true, Ordering::Relaxed);
                    return Err(e);
                }
                let _ = empty_tx.send(batch);
            }
            Ok(c)
        });
        let mut mine = Checker::new(header_len, expected_rows / 2);
        let mut reader = Reader::new(
            input,
            detected.delimiter,
            detected.preamble,
            header_len,
            skip_bom,
            expected_rows,
        );
        let result = (|| {
            let mut spare = None;
            loop {
                let mut batch = spare
                    .take()
                    .or_else(|| empty_rx.try_recv().ok())
                    .unwrap_or_else(Batch::new);
                let more = reader.fill(&mut batch).map_err(StreamError::Io)?;
                if stop.load(Ordering::Relaxed) {
                    return Ok(());
                }
                // Hand the batch over; if the checker is still busy, check it here.
                match full_tx.try_send(batch) {
                    Ok(()) => {}
                    Err(mpsc::TrySendError::Full(b)) => {
                        check_batch(&mut mine, &b, &mapping, lossy)?;
                        spare = Some(b);
                    }
                    Err(mpsc::TrySendError::Disconnected(_)) => return Ok(()),
                }
                if !more {
                    return Ok(());
                }
            }
        })();
        drop(full_tx);
        let theirs = checker.join().expect("checker thread");
        result?;
        let theirs = theirs?;
        Ok(Streamed {
            checkers: vec![mine, theirs],
            footer: reader.footer.finish(),
            lines: reader.lines,
            offsets: reader.offsets,
        })
    })
}

/// csv-core over the raw bytes, with exact physical line numbers and byte offsets.
struct Reader<R> {
    input: R,
    core: csv_core::Reader,
    delimiter: u8,
    buf: Vec<u8>,
    pos: usize,
    len: usize,
    eof: bool,
    skip_bom: bool,
    /// Bytes of the input before `buf[0]`.
    base: u64,
    line: u64,
    /// Whether the last byte consumed was a CR (a CRLF split across reads counts once).
    prev_cr: bool,
    /// Records before the data still to skip: the header, and Excel's `sep=` line if any.
    preamble: usize,
    /// The header's field count, and the trailing run of records that may be a report footer.
    header_len: usize,
    footer: import::footer::FooterRun,
    /// Data records read so far.
    rows: usize,
    /// Whether to keep each record's line and offset (`validate` reads duplicates back by
    /// them; the wizard's roster keeps its own lines).
    keep_positions: bool,
    lines: Vec<u64>,
    offsets: Vec<u64>,
}

impl<R: Read> Reader<R> {
    fn new(
        input: R,
        delimiter: u8,
        preamble: usize,
        header_len: usize,
        skip_bom: bool,
        expected_rows: usize,
    ) -> Self {
        Reader {
            input,
            core: csv_core::ReaderBuilder::new().delimiter(delimiter).build(),
            delimiter,
            buf: vec![0; 1 << 20],
            pos: 0,
            len: 0,
            eof: false,
            skip_bom,
            base: 0,
            line: 1,
            prev_cr: false,
            preamble: 1 + preamble,
            header_len,
            footer: Default::default(),
            rows: 0,
            keep_positions: true,
            lines: Vec::with_capacity(expected_rows),
            offsets: Vec::with_capacity(expected_rows),
        }
    }

    fn refill(&mut self) -> std::io::Result<()> {
        self.base += self.len as u64;
        self.len = self.input.read(&mut self.buf)?;
        self.pos = 0;
        self.eof = self.len == 0;
        if self.skip_bom && self.len > 0 {
            self.skip_bom = false;
            if self.buf[..self.len].starts_with(b"\xEF\xBB\xBF") {
                self.pos = 3;
            }
        }
        Ok(())
    }

    /// Parses records into `batch` until it is full; returns whether more input remains.
    fn fill(&mut self, batch: &mut Batch) -> std::io::Result<bool> {
        batch.recs.clear();
        let (mut out_len, mut ends_len) = (0usize, 0usize);
        loop {
            // Blank lines and the LF of a CRLF are ours to count, not csv-core's.
            loop {
                if self.pos == self.len && !self.eof {
                    self.refill()?;
                    continue;
                }
                let skip = self.buf[self.pos..self.len]
                    .iter()
                    .take_while(|&&b| b == b'\r' || b == b'\n')
                    .count();
                if skip > 0 {
                    let gap = &self.buf[self.pos..self.pos + skip];
                    self.line += import::line_breaks(gap, self.prev_cr);
                    self.prev_cr = gap[skip - 1] == b'\r';
                }
                self.pos += skip;
                if self.pos < self.len || self.eof {
                    break;
                }
            }
            let (rec_out, rec_ends, rec_line) = (out_len, ends_len, self.line);
            let rec_offset = self.base + self.pos as u64;
            let gap = if let Some(n) = self.split_plain_line(batch, &mut out_len, &mut ends_len) {
                // Ends in LF (or CRLF) with no CR before: one line.
                self.line += 1;
                self.pos += n;
                self.prev_cr = false;
                1
            } else if self.read_record(batch, &mut out_len, &mut ends_len)? {
                0
            } else {
                return Ok(false);
            };
            let fields = ends_len - rec_ends;
            let bytes = &batch.out[rec_out..out_len];
            let blank = if gap == 0 {
                is_blank(bytes)
            } else {
                is_blank_line(bytes, self.delimiter)
            };
            if self.preamble > 0 {
                self.preamble -= 1;
            } else if !blank {
                // A record with the header's field count (nearly all) is never footer-like.
                let like = fields != self.header_len && {
                    let first = &bytes[..batch.ends[rec_ends].min(bytes.len())];
                    import::footer::footer_like(fields, self.header_len, first)
                };
                self.footer.push(self.rows, rec_line, like);
                batch.recs.push(Rec {
                    row: self.rows,
                    line: rec_line,
                    ends_at: rec_ends,
                    fields,
                    start: rec_out,
                    gap,
                });
                self.rows += 1;
                if self.keep_positions {
                    self.lines.push(rec_line);
                    self.offsets.push(rec_offset);
                }
                if batch.recs.len() == BATCH_RECORDS {
                    return Ok(true);
                }
            }
        }
    }
}

impl<R: Read> Reader<R> {
    /// Splits the record at `pos` straight from the buffer when it is a plain line: ends in
    /// the buffer, no quote, no CR before its line end. That is nearly every roster line, and
    /// for those csv-core's answer is exactly a split on the delimiter, at a fraction of the
    /// cost. Returns the bytes consumed, or `None` to leave the record to csv-core.
    fn split_plain_line(
        &mut self,
        batch: &mut Batch,
        out_len: &mut usize,
        ends_len: &mut usize,
    ) -> Option<usize> {
        let rest = &self.buf[self.pos..self.len];
        let nl = memchr::memchr(b'\n', rest)?;
        let body = rest[..nl].strip_suffix(b"\r").unwrap_or(&rest[..nl]);
        if memchr::memchr2(b'"', b'\r', body).is_some() {
            return None;
        }
        if batch.out.len() - *out_len < body.len() {
            let n = (batch.out.len() * 2).max(*out_len + body.len());
            batch.out.resize(n, 0);
        }
        if batch.ends.len() - *ends_len <= body.len() {
            let n = (batch.ends.len() * 2).max(*ends_len + body.len() + 1);
            batch.ends.resize(n, 0);
        }
        // The line whole, delimiters and all (the record's `gap`): one copy, not five.
        batch.out[*out_len..*out_len + body.len()].copy_from_slice(body);
        let ends = &mut batch.ends[*ends_len..];
        let mut fields = 0;
        for end in memchr::memchr_iter(self.delimiter, body) {
            ends[fields] = end;
            fields += 1;
        }
        ends[fields] = body.len();
        *out_len += body.len();
        *ends_len += fields + 1;
        Some(nl + 1)
    }

    /// Reads one record with csv-core (quotes, a record split across buffers, a lone CR).
    /// Returns `false` at the end of the input.
    fn read_record(
        &mut self,
        batch: &mut Batch,
        out_len: &mut usize,
        ends_len: &mut usize,
    ) -> std::io::Result<bool> {
        loop {
            let chunk = &self.buf[self.pos..self.len];
            let (res, nin, nout, nend) = self.core.read_record(
                chunk,
                &mut batch.out[*out_len..],
                &mut batch.ends[*ends_len..],
            );
            self.line += import::line_breaks(&chunk[..nin], self.prev_cr);
            if nin > 0 {
                self.prev_cr = chunk[nin - 1] == b'\r';
            }
            self.pos += nin;
            *out_len += nout;
            *ends_len += nend;
            match res {
                csv_core::ReadRecordResult::InputEmpty => self.refill()?,
                csv_core::ReadRecordResult::OutputFull => {
                    let n = batch.out.len() * 2;
                    batch.out.resize(n, 0);
                }
                csv_core::ReadRecordResult::OutputEndsFull => {
                    let n = batch.ends.len() * 2;
                    batch.ends.resize(n, 0);
                }
                csv_core::ReadRecordResult::Record => return Ok(true),
                csv_core::ReadRecordResult::End => return Ok(false),
            }
        }
    }
}

/// Wholly empty rows (Excel's `,,,,` trailers) are skipped, as the importer does: every cell
/// empty once trimmed of Unicode white space (which, unlike `is_ascii_whitespace`, includes
/// the vertical tab — fuzzing found that difference).
fn is_blank(bytes: &[u8]) -> bool {
    match bytes.first() {
        Some(b) if b.is_ascii_graphic() => false,
        _ => std::str::from_utf8(bytes).is_ok_and(|s| s.trim().is_empty()),
    }
}

/// [`is_blank`] of a plain line's bytes, delimiters included: a first byte that is neither
/// blank nor the delimiter (nearly every line) settles it.
fn is_blank_line(line: &[u8], delimiter: u8) -> bool {
    match line.first() {
        Some(&b) if b.is_ascii_graphic() && b != delimiter => false,
        _ => {
            let cells: Vec<u8> = line.iter().copied().filter(|&b| b != delimiter).collect();
            is_blank(&cells)
        }
    }
}

/// Where the duplicates' cells are read back from.
enum Source {
    /// The file itself: offsets are file positions, read anywhere, on two threads.
    Raw(File),
    /// A file in a legacy encoding: offsets are positions in its decoded text, which is read
    /// again from the start, forward only (the rows asked for come in order).
    Decoded(PathBuf, Encoding),
    /// The file could not be opened again: values are left empty.
    Gone,
}

/// Reads single cells back by offset (for duplicates' values).
struct Reread {
    source: Source,
    delimiter: u8,
    mapping: [Option<usize>; 5],
    offsets: Vec<u64>,
}

impl Reread {
    fn core(&self) -> csv_core::Reader {
        csv_core::ReaderBuilder::new()
            .delimiter(self.delimiter)
            .build()
    }

    /// The cells, in order; `wanted` is sorted by row.
    fn values(&self, wanted: &[(usize, Field)]) -> Vec<String> {
        match &self.source {
            Source::Raw(file) => {
                let run = |part: &[(usize, Field)]| {
                    let mut core = self.core();
                    part.iter()
                        .map(|&(row, field)| {
                            let at = self.offsets.get(row).copied();
                            at.and_then(|at| {
                                let input = PositionedReader { file, at };
                                read_record(&mut core, &mut BufReader::with_capacity(512, input))
                            })
                            .map(|(rec, _)| self.cell(&rec, field))
                            .unwrap_or_default()
                        })
                        .collect::<Vec<String>>()
                };
                let (a, b) = wanted.split_at(wanted.len() / 2);
                std::thread::scope(|s| {
                    let second = s.spawn(|| run(b));
                    let mut all = run(a);
                    all.extend(second.join().expect("reread thread"));
                    all
                })
            }
            Source::Decoded(path, encoding) => self
                .values_in_order(path, *encoding, wanted)
                .unwrap_or_default(),
            Source::Gone => Vec::new(),
        }
        .into_iter()
        .chain(std::iter::repeat(String::new()))
        .take(wanted.len())
        .collect()
    }

    fn values_in_order(
        &self,
        path: &Path,
        encoding: Encoding,
        wanted: &[(usize, Field)],
    ) -> Option<Vec<String>> {
        let file = File::open(path).ok()?;
        let mut input =
            BufReader::with_capacity(1 << 16, import::encoding::decode_reader(file, encoding));
        let mut core = self.core();
        let (mut pos, mut last): (u64, Option<(usize, Parsed)>) = (0, None);
        let mut out = Vec::with_capacity(wanted.len());
        for &(row, field) in wanted {
            if last.as_ref().map(|l| l.0) != Some(row) {
                let at = *self.offsets.get(row)?;
                let skip = at.checked_sub(pos)?;
                std::io::copy(&mut (&mut input).take(skip), &mut std::io::sink()).ok()?;
                let (rec, used) = read_record(&mut core, &mut input)?;
                pos = at + used;
                last = Some((row, rec));
            }
            out.push(last.as_ref().map(|l| self.cell(&l.1, field))?);
        }
        Some(out)
    }

    fn cell(&self, (out, ends): &Parsed, field: Field) -> String {
        let Some(i) = self.mapping[field.index()].filter(|&i| i < ends.len()) else {
            return String::new();
        };
        let a = if i == 0 { 0 } else { ends[i - 1] };
        unneutralize(&String::from_utf8_lossy(&out[a..ends[i]])).to_string()
    }
}

/// One record's field bytes back to back, and where each field ends.
type Parsed = (Vec<u8>, Vec<usize>);

/// Parses the record that starts where `input` is; returns it and the bytes it took.
fn read_record(core: &mut csv_core::Reader, input: &mut impl BufRead) -> Option<(Parsed, u64)> {
    core.reset();
    let (mut out, mut ends) = (vec![0u8; 1024], vec![0usize; 16]);
    let (mut o, mut e, mut used) = (0, 0, 0u64);
    loop {
        let chunk = input.fill_buf().ok()?;
        let (res, nin, nout, nend) = core.read_record(chunk, &mut out[o..], &mut ends[e..]);
        input.consume(nin);
        used += nin as u64;
        o += nout;
        e += nend;
        match res {
            csv_core::ReadRecordResult::OutputFull => out.resize(out.len() * 2, 0),
            csv_core::ReadRecordResult::OutputEndsFull => ends.resize(ends.len() * 2, 0),
            // More input, or (given none) csv-core ends the record itself.
            csv_core::ReadRecordResult::InputEmpty => {}
            csv_core::ReadRecordResult::Record | csv_core::ReadRecordResult::End => {
                out.truncate(o);
                ends.truncate(e);
                return Some(((out, ends), used));
            }
        }
    }
}

/// Reads a shared file from a position of its own (positioned reads leave the file's cursor
/// alone, so threads can share it).
struct PositionedReader<'a> {
    file: &'a File,
    at: u64,
}

impl Read for PositionedReader<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = read_at(self.file, buf, self.at)?;
        self.at += n as u64;
        Ok(n)
    }
}

#[cfg(unix)]
fn read_at(file: &File, buf: &mut [u8], offset: u64) -> std::io::Result<usize> {
    std::os::unix::fs::FileExt::read_at(file, buf, offset)
}

#[cfg(windows)]
fn read_at(file: &File, buf: &mut [u8], offset: u64) -> std::io::Result<usize> {
    std::os::windows::fs::FileExt::seek_read(file, buf, offset)
}

#[cfg(test)]
mod tests;

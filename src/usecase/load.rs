//! Loading a roster file for the wizard: its first rows at once, the whole file on two
//! threads, progress as it goes, and a stop at any moment.
//!
//! A large file shows its first rows from a quick read of its start (the first screen needs
//! no more), then the full read confirms them (or starts over when, say, a byte past the
//! start says the file is not UTF-8). The full read is `validate`'s reader
//! ([`RosterStream`]: the same encodings, splitter and fast path) in three stages: this thread
//! splits each batch, a checker thread checks it ([`CheckedBatch`]: clean rows appended as
//! bytes with their keys, the rest through the full rules), and a builder thread appends it to
//! the compact [`Roster`] (cells, own findings; duplicate keys only logged). Once the file
//! is read, the duplicate index and findings are built on both cores ([`RosterBuilder`]).
//! Nothing here draws: the caller gets [`Event`]s and the finished roster, and says when to
//! stop.

use crate::roster::import::{Detected, Footer, ImportError, ImportOptions, Importer};
use crate::roster::scan::{RosterStream, SplitBatch, StreamStop};
use crate::roster::{CheckedBatch, Record, Roster, RosterBuilder};
use std::io::Read;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::sync_channel;
use std::time::{Duration, Instant};

/// Rows in the first batch: enough for the first screen, small enough to show it at once.
pub const FIRST_BATCH: usize = 200;
/// Batches read ahead of the builder (bounds the memory in flight).
const AHEAD: usize = 2;
/// At most one [`Event::Progress`] this often: each is a frame to draw, and a gauge moves
/// smoothly at 20 frames a second (a batch a millisecond would ask for a thousand).
const PROGRESS_EVERY: Duration = Duration::from_millis(50);
/// Files larger than this show their first rows from a quick read of this many bytes.
pub const QUICK_START_BYTES: u64 = 1 << 20;

/// What happened so far, in order.
#[derive(Clone, Debug)]
pub enum Event {
    /// The file's layout is known. Sent again when the full read disagrees with the quick
    /// start: the rows shown before are then to be forgotten.
    Started(Detected),
    /// The first rows, to show while the rest loads (`bytes_done` is 0 when they come from the
    /// quick read of the file's start).
    FirstRows {
        records: Vec<Record>,
        bytes_done: u64,
        bytes_total: u64,
    },
    /// Rows in the roster so far, and how far the read is.
    Progress {
        rows: usize,
        bytes_done: u64,
        bytes_total: u64,
    },
}

/// A loaded file.
pub struct Loaded {
    pub detected: Detected,
    /// Every row, validated.
    pub roster: Roster,
    /// The report footer left out at the end of the file, if any.
    pub footer: Option<Footer>,
}

/// How a load ended without a roster.
#[derive(Debug)]
pub enum LoadError {
    /// `cancel` was set, or `on_event` returned false.
    Stopped,
    /// The file cannot be read or is not a roster.
    Import(ImportError),
}

impl std::fmt::Display for LoadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LoadError::Stopped => f.write_str("loading stopped"),
            LoadError::Import(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for LoadError {}

/// Loads `path` with `options`. `on_event` hears every [`Event`] as it happens and returns
/// false to stop (as does setting `cancel`; both are looked at between batches).
pub fn load(
    path: &Path,
    options: &ImportOptions,
    cancel: &AtomicBool,
    mut on_event: impl FnMut(Event) -> bool,
) -> Result<Loaded, LoadError> {
    let mut emit = |ev: Event| {
        if on_event(ev) && !cancel.load(Ordering::Relaxed) {
            Ok(())
        } else {
            Err(LoadError::Stopped)
        }
    };
    let file_size = std::fs::metadata(path).map_or(0, |m| m.len());
    // What the screen shows: the layout and the first rows last sent.
    let mut shown = (file_size > QUICK_START_BYTES)
        .then(|| quick_start(path, options))
        .flatten();
    if let Some((detected, rows)) = &shown {
        emit(Event::Started(detected.clone()))?;
        emit(Event::FirstRows {
            records: rows.clone(),
            bytes_done: 0,
            bytes_total: file_size,
        })?;
    }
    match read_whole(path, options, cancel, &mut emit, &mut shown, false) {
        // The head looked like UTF-8 and a later byte is not: read it again as Windows-1252,
        // as `validate` does.
        Err(Stop::NotUtf8) => read_whole(path, options, cancel, &mut emit, &mut shown, true),
        other => other,
    }
    .map_err(|stop| match stop {
        Stop::Load(e) => e,
        // Read as Windows-1252, every byte is a character.
        Stop::NotUtf8 => LoadError::Import(ImportError::Io {
            path: path.to_path_buf(),
            source: std::io::ErrorKind::InvalidData.into(),
        }),
    })
}

/// Why [`read_whole`] stopped.
enum Stop {
    Load(LoadError),
    NotUtf8,
}

impl From<LoadError> for Stop {
    fn from(e: LoadError) -> Self {
        Stop::Load(e)
    }
}

impl From<StreamStop> for Stop {
    fn from(e: StreamStop) -> Self {
        match e {
            StreamStop::NotUtf8 => Stop::NotUtf8,
            StreamStop::Import(e) => Stop::Load(LoadError::Import(e)),
        }
    }
}

/// Reads the whole file into a roster: this thread reads and checks, a builder thread
/// appends. Sends `Started` and `FirstRows` again unless `shown` already has them.
fn read_whole(
    path: &Path,
    options: &ImportOptions,
    cancel: &AtomicBool,
    emit: &mut impl FnMut(Event) -> Result<(), LoadError>,
    shown: &mut Option<(Detected, Vec<Record>)>,
    not_utf8: bool,
) -> Result<Loaded, Stop> {
    let mut stream = RosterStream::open(path, options, not_utf8)
        .map_err(|e| LoadError::Import(e.in_file(path)))?;
    let detected = stream.detected().clone();
    let header_len = detected.headers.len();
    let batch = match stream.next_batch()? {
        Some(b) => b,
        None => CheckedBatch::with_capacity(Some(header_len), 0, 0),
    };
    // The first rows: the quick start's, confirmed, or the first of this read (a short
    // file's report footer left out).
    let shown_rows = shown.as_ref().map_or(FIRST_BATCH, |(_, rows)| rows.len());
    let first = batch.first_records(shown_rows.min(stream.footer_start().unwrap_or(usize::MAX)));
    let confirmed = shown
        .as_ref()
        .is_some_and(|(d, rows)| same_layout(d, &detected) && *rows == first);
    if !confirmed {
        let (bytes_done, bytes_total) = stream.progress();
        emit(Event::Started(detected.clone()))?;
        emit(Event::FirstRows {
            records: first.clone(),
            bytes_done,
            bytes_total,
        })?;
        *shown = Some((detected, first));
    }

    // The pipeline, three stages on two cores: this thread splits, a checker checks (the fast
    // path, the full rules for the rest), the builder appends; each hands the next its batch,
    // and the batch's room comes back to be filled again.
    let (split_tx, split_rx) = sync_channel::<(SplitBatch, u64)>(AHEAD);
    let (back_tx, back_rx) = std::sync::mpsc::channel::<SplitBatch>();
    let (tx, rx) = sync_channel::<(CheckedBatch, u64)>(AHEAD);
    let (spare_tx, spare_rx) = std::sync::mpsc::channel::<CheckedBatch>();
    let (progress_tx, progress_rx) = std::sync::mpsc::channel::<(usize, u64)>();
    let (reserve_rows, reserve_bytes) = (stream.estimated_rows(), stream.progress().1);
    let builder = std::thread::spawn(move || {
        let mut roster = RosterBuilder::new(Some(header_len), reserve_rows, reserve_bytes as usize);
        for (batch, bytes_done) in rx {
            let _ = spare_tx.send(roster.extend_checked(batch));
            // The reader stops listening once it has sent the last batch, while batches may
            // still wait in the channel: every one of them belongs in the roster. (A stopped
            // load closes the channel, which ends this loop.)
            let _ = progress_tx.send((roster.len(), bytes_done));
        }
        roster
    });
    // The first batch, checked above, goes first (the channel has room for it).
    let _ = tx.send((batch, stream.progress().0));
    let checker = std::thread::spawn(move || -> Result<(), StreamStop> {
        for (split, bytes_done) in split_rx {
            // An appended batch's room, when one is back: no allocating, no fresh pages.
            let checked = match spare_rx.try_recv() {
                Ok(spare) => split.check_into(spare),
                Err(_) => split.check(),
            };
            let _ = back_tx.send(split);
            if tx.send((checked?, bytes_done)).is_err() {
                break;
            }
        }
        Ok(())
    });
    let mut last_progress = Instant::now();
    let read = (|| -> Result<(), Stop> {
        loop {
            for spare in back_rx.try_iter() {
                stream.give_back(spare);
            }
            let Some(split) = stream.next_split()? else {
                return Ok(());
            };
            let (bytes_done, bytes_total) = stream.progress();
            if split_tx.send((split, bytes_done)).is_err() {
                // The checker stopped: its own error says why.
                return Err(LoadError::Stopped.into());
            }
            if let Some((rows, bytes_done)) = progress_rx.try_iter().last() {
                if last_progress.elapsed() >= PROGRESS_EVERY {
                    last_progress = Instant::now();
                    emit(Event::Progress {
                        rows,
                        bytes_done,
                        bytes_total,
                    })?;
                }
            }
            if cancel.load(Ordering::Relaxed) {
                return Err(LoadError::Stopped.into());
            }
        }
    })();
    // Closing the channels lets the checker and the builder finish (and free what they built
    // on their own threads when the load stopped).
    drop(split_tx);
    drop(progress_rx);
    let checked = checker.join().expect("the checker does not panic");
    let mut roster = builder.join().expect("the roster builder does not panic");
    checked?;
    read?;
    if let Some(first_row) = stream.footer_start() {
        roster.truncate(first_row);
    }
    // The duplicate index and findings, built now that both cores are free of the read.
    let roster = roster.finish();
    let detected = stream.detected().clone();
    Ok(Loaded {
        footer: detected.footer,
        detected,
        roster,
    })
}

/// Whether two readings of the file found the same layout (the footer is known only at the
/// end of a read).
fn same_layout(a: &Detected, b: &Detected) -> bool {
    Detected {
        footer: None,
        ..a.clone()
    } == Detected {
        footer: None,
        ..b.clone()
    }
}

/// Reads the first rows from the start of a large file, so the first screen need not wait for
/// the whole file to be read and decoded. None when the start alone cannot be read (it is then
/// simply not used).
fn quick_start(path: &Path, options: &ImportOptions) -> Option<(Detected, Vec<Record>)> {
    let mut head = Vec::new();
    crate::fsutil::open_regular(path)
        .and_then(|f| f.take(QUICK_START_BYTES).read_to_end(&mut head))
        .ok()?;
    // Whole lines only, and never for UTF-16 (a cut there could split a character).
    if head.contains(&0) {
        return None;
    }
    let end = head.iter().rposition(|&b| b == b'\n')? + 1;
    head.truncate(end);
    let mut importer = Importer::new(head, options).ok()?;
    let mut rows = Vec::new();
    // The last record of the sample may be cut short: keep only those followed by more.
    importer.read_batch(FIRST_BATCH + 1, &mut rows).ok()?;
    rows.truncate(FIRST_BATCH.min(rows.len().saturating_sub(1)));
    (!rows.is_empty()).then(|| (importer.detected().clone(), rows))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::roster::synth::{generate, SynthOptions};

    fn file(rows: usize) -> (tempfile::TempDir, std::path::PathBuf, String) {
        let csv = generate(&SynthOptions {
            rows,
            ..SynthOptions::default()
        })
        .csv;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.csv");
        std::fs::write(&path, &csv).unwrap();
        (dir, path, csv)
    }

    #[test]
    fn a_load_reports_first_rows_progress_and_the_whole_roster() {
        let (_dir, path, csv) = file(12_000);
        let mut events = Vec::new();
        let loaded = load(
            &path,
            &ImportOptions::default(),
            &AtomicBool::new(false),
            |e| {
                events.push(e);
                true
            },
        )
        .unwrap();
        let plain =
            crate::roster::import::import_bytes(csv.as_bytes(), &ImportOptions::default()).unwrap();
        assert_eq!(loaded.roster.len(), plain.records.len());
        let want = Roster::from_imported(plain);
        assert_eq!(loaded.roster.counts(), want.counts());
        assert!(matches!(events[0], Event::Started(_)));
        assert!(
            matches!(&events[1], Event::FirstRows { records, bytes_done: 0, .. } if records.len() == FIRST_BATCH),
            "a large file's first rows come from the quick start"
        );
        let rows: Vec<usize> = events
            .iter()
            .filter_map(|e| match e {
                Event::Progress { rows, .. } => Some(*rows),
                _ => None,
            })
            .collect();
        assert!(rows.windows(2).all(|w| w[0] < w[1]), "{rows:?}");
    }

    /// The reader is done before the builder: the batches still in the channel when it stops
    /// listening for progress were once dropped (2,501 rows loaded as 2,200).
    #[test]
    fn every_batch_reaches_the_roster_when_the_reader_finishes_first() {
        // Several of the reader's batches (2,048 rows each) and a short last one.
        let rows = FIRST_BATCH + 3 * 2048 + 301;
        let (_dir, path, _) = file(rows);
        for _ in 0..20 {
            let loaded = load(
                &path,
                &ImportOptions::default(),
                &AtomicBool::new(false),
                |_| true,
            )
            .unwrap();
            assert_eq!(loaded.roster.len(), rows);
        }
    }

    #[test]
    fn cancel_or_a_gone_listener_stops_the_load() {
        let (_dir, path, _) = file(12_000);
        let cancel = AtomicBool::new(false);
        let stopped = load(&path, &ImportOptions::default(), &cancel, |e| {
            if matches!(e, Event::FirstRows { .. }) {
                cancel.store(true, Ordering::Relaxed);
            }
            true
        });
        assert!(matches!(stopped, Err(LoadError::Stopped)));
        let gone = load(
            &path,
            &ImportOptions::default(),
            &AtomicBool::new(false),
            |_| false,
        );
        assert!(matches!(gone, Err(LoadError::Stopped)));
    }

    #[test]
    fn a_file_that_is_no_roster_is_an_error_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("notes.csv");
        std::fs::write(&path, "just,some\nwords,here\n").unwrap();
        let err = load(
            &path,
            &ImportOptions::default(),
            &AtomicBool::new(false),
            |_| true,
        )
        .err()
        .unwrap();
        assert!(matches!(err, LoadError::Import(_)));
        assert!(err.to_string().contains("notes.csv"), "{err}");
    }
}

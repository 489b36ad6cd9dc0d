//! Where sessions live and how they are written without ever leaving a half-written file.
//!
//! `session.json` holds everything but the bulk of large operations: a `Cells` operation of
//! more than [`OWN_FILE_CELLS`] changes (a bulk fix over a big roster) is written once, to
//! `<session file>.d/op-<id>.json`, and `session.json` refers to it. Operations never change
//! once made, so later saves rewrite only the small `session.json` — a save costs the same after
//! a million-row bulk fix as before it.

use super::{Op, Session, SessionError};
use serde::Serialize;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

/// Operations with more cell changes than this get their own file.
pub const OWN_FILE_CELLS: usize = 1000;

/// `session.json` in the user's data folder (e.g. `~/.local/share/scc-onboard/`), if one exists.
pub fn default_path() -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "scc-onboard").map(|d| d.data_dir().join("session.json"))
}

/// The folder holding a session's large operations.
pub fn ops_dir(session_path: &Path) -> PathBuf {
    let name = session_path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "session.json".into());
    parent_dir(session_path).join(format!("{name}.d"))
}

fn parent_dir(path: &Path) -> PathBuf {
    match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

fn op_file(session_path: &Path, id: u64) -> PathBuf {
    ops_dir(session_path).join(format!("op-{id}.json"))
}

/// How an operation is written into `session.json`.
enum DiskOp<'a> {
    Inline(&'a Op),
    Own(&'a Op),
}

/// `session.json`'s content: the session with large operations replaced by references.
#[derive(Serialize)]
struct DiskSession<'a> {
    format: &'a str,
    version: u32,
    source: &'a super::SourceInfo,
    import: &'a super::ImportSettings,
    step: super::Step,
    history: Vec<DiskOp<'a>>,
    redo: Vec<DiskOp<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    output_dir: &'a Option<PathBuf>,
    customization: &'a serde_json::Value,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    unplaced: &'a [super::Unplaced],
    #[serde(skip_serializing_if = "Option::is_none")]
    join: &'a Option<super::JoinSource>,
    view: &'a Option<super::View>,
    #[serde(skip_serializing_if = "Option::is_none")]
    exchange_check: &'a Option<serde_json::Value>,
}

impl Serialize for DiskOp<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            DiskOp::Inline(op) => op.serialize(s),
            DiskOp::Own(Op::Cells { label, changes, id }) => Op::CellsFile {
                label: label.clone(),
                id: *id,
                cells: changes.len(),
            }
            .serialize(s),
            DiskOp::Own(op) => op.serialize(s),
        }
    }
}

fn is_large(op: &Op) -> bool {
    matches!(op, Op::Cells { changes, id, .. } if changes.len() > OWN_FILE_CELLS && *id != 0)
}

/// Writes `bytes` to `path` atomically (see [`crate::fsutil::write_atomic`]), creating the
/// folder first.
fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    fs::create_dir_all(parent_dir(path))?;
    crate::fsutil::write_atomic(path, |w| w.write_all(bytes))
}

/// Saves the session atomically (see the module doc): first any large operation not yet on
/// disk, then `session.json`, then removes operation files no longer referenced.
pub fn save_atomic(session: &Session, path: &Path) -> io::Result<()> {
    let disk_op = |op: &Op| -> io::Result<()> {
        if let (true, Op::Cells { id, .. }) = (is_large(op), op) {
            let file = op_file(path, *id);
            if !file.exists() {
                let bytes = serde_json::to_vec(op).map_err(io::Error::other)?;
                write_atomic(&file, &bytes)?;
            }
        }
        Ok(())
    };
    for op in session.history.iter().chain(&session.redo) {
        disk_op(op)?;
    }
    fn wrap(op: &Op) -> DiskOp<'_> {
        if is_large(op) {
            DiskOp::Own(op)
        } else {
            DiskOp::Inline(op)
        }
    }
    let disk = DiskSession {
        format: &session.format,
        version: session.version,
        source: &session.source,
        import: &session.import,
        step: session.step,
        history: session.history.iter().map(wrap).collect(),
        redo: session.redo.iter().map(wrap).collect(),
        output_dir: &session.output_dir,
        customization: &session.customization,
        unplaced: &session.unplaced,
        join: &session.join,
        view: &session.view,
        exchange_check: &session.exchange_check,
    };
    let bytes = serde_json::to_vec_pretty(&disk).map_err(io::Error::other)?;
    let before = referenced_ids(path);
    write_atomic(path, &bytes)?;
    remove_dropped(&before, session, path);
    Ok(())
}

/// Ids of the operation files a saved `session.json` refers to (none if it cannot be read).
fn referenced_ids(path: &Path) -> std::collections::HashSet<u64> {
    let Ok(bytes) = fs::read(path) else {
        return Default::default();
    };
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(&bytes) else {
        return Default::default();
    };
    ["history", "redo"]
        .iter()
        .filter_map(|k| value.get(k).and_then(|v| v.as_array()))
        .flatten()
        .filter(|op| op.get("op").and_then(|o| o.as_str()) == Some("cells_file"))
        .filter_map(|op| op.get("id").and_then(|i| i.as_u64()))
        .collect()
}

/// Deletes the files of operations the previous save referred to and this one no longer does
/// (undone, then replaced by a new change). Files this session never referred to are left alone.
fn remove_dropped(before: &std::collections::HashSet<u64>, session: &Session, path: &Path) {
    let now: std::collections::HashSet<u64> = session
        .history
        .iter()
        .chain(&session.redo)
        .filter(|op| is_large(op))
        .filter_map(|op| match op {
            Op::Cells { id, .. } => Some(*id),
            _ => None,
        })
        .collect();
    for id in before.difference(&now) {
        let _ = fs::remove_file(op_file(path, *id));
    }
}

/// Replaces every `CellsFile` reference by the operation stored in its file.
pub(super) fn resolve(session: &mut Session, path: &Path) -> Result<(), SessionError> {
    for op in session.history.iter_mut().chain(session.redo.iter_mut()) {
        if let Op::CellsFile { id, .. } = op {
            let file = op_file(path, *id);
            let bytes = fs::read(&file).map_err(|source| SessionError::Io {
                path: file.clone(),
                source,
            })?;
            let loaded: Op = serde_json::from_slice(&bytes).map_err(|e| SessionError::Parse {
                path: file.clone(),
                line: e.line(),
                column: e.column(),
                message: e.to_string(),
            })?;
            *op = loaded;
        }
    }
    Ok(())
}

//! The wizard session: everything needed to rebuild the admin's work from the untouched source
//! CSV — where it came from, how it was read, every edit in order, and which step was open.
//!
//! The file format is documented in `docs/wizard.md`. Readers other than the wizard (for example
//! `export --session`) use [`Session::load`] and [`Session::replay`]; neither touches a terminal.

mod ops;
mod source;
mod store;

pub use ops::{CellEdit, Op};
pub use source::{hash_file, SourceInfo};
pub use store::{default_path, save_atomic};

use crate::roster::import::{Encoding, ImportOptions};
use crate::roster::{Field, Roster};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// Tag written into every session file so a stray JSON file is not mistaken for one.
pub const FORMAT: &str = "scc-onboard-session";
/// Version of the file format; bumped on incompatible changes.
pub const VERSION: u32 = 1;

/// The wizard's steps, in order. Persisted so a resumed session opens where the admin left.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    #[default]
    Import,
    Fix,
    Customize,
    ExchangeAccess,
    ReviewExport,
    Authorize,
}

impl Step {
    /// Every step in wizard order.
    pub const ALL: [Step; 6] = [
        Step::Import,
        Step::Fix,
        Step::Customize,
        Step::ExchangeAccess,
        Step::ReviewExport,
        Step::Authorize,
    ];

    /// Name shown in the step header.
    pub fn title(self) -> &'static str {
        match self {
            Step::Import => "Import",
            Step::Fix => "Fix",
            Step::Customize => "Customize",
            Step::ExchangeAccess => "Exchange access",
            Step::ReviewExport => "Review & export",
            Step::Authorize => "Authorize",
        }
    }

    /// Position in [`Step::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }

    /// The step after this one, if any.
    pub fn next(self) -> Option<Step> {
        Step::ALL.get(self.index() + 1).copied()
    }

    /// The step before this one, if any.
    pub fn prev(self) -> Option<Step> {
        self.index().checked_sub(1).map(|i| Step::ALL[i])
    }
}

/// How the source was read: the admin's overrides of detection (None = detect).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportSettings {
    /// `utf-8`, `utf-8-bom`, `utf-16le`, `utf-16be` or `windows-1252`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encoding: Option<String>,
    /// The delimiter as a one-character string (`","`, `";"`, `"\t"`, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delimiter: Option<String>,
    /// Field → source header overrides.
    #[serde(default)]
    pub columns: Vec<(Field, String)>,
}

impl ImportSettings {
    /// The core's import options these settings stand for.
    pub fn to_options(&self) -> ImportOptions {
        ImportOptions {
            encoding: self.encoding.as_deref().and_then(encoding_from_key),
            delimiter: self
                .delimiter
                .as_deref()
                .and_then(|d| d.bytes().next().filter(|_| d.len() == 1)),
            columns: self.columns.clone(),
        }
    }

    /// Settings that reproduce `opts`.
    pub fn from_options(opts: &ImportOptions) -> Self {
        ImportSettings {
            encoding: opts.encoding.map(|e| encoding_key(e).to_string()),
            delimiter: opts.delimiter.map(|d| (d as char).to_string()),
            columns: opts.columns.clone(),
        }
    }
}

/// Stable name of an encoding in the session file.
pub fn encoding_key(e: Encoding) -> &'static str {
    match e {
        Encoding::Utf8 => "utf-8",
        Encoding::Utf8Bom => "utf-8-bom",
        Encoding::Utf16Le => "utf-16le",
        Encoding::Utf16Be => "utf-16be",
        Encoding::Windows1252 => "windows-1252",
    }
}

/// Inverse of [`encoding_key`].
pub fn encoding_from_key(s: &str) -> Option<Encoding> {
    [
        Encoding::Utf8,
        Encoding::Utf8Bom,
        Encoding::Utf16Le,
        Encoding::Utf16Be,
        Encoding::Windows1252,
    ]
    .into_iter()
    .find(|e| encoding_key(*e) == s)
}

/// One wizard session as saved on disk.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Session {
    /// Always [`FORMAT`].
    pub format: String,
    /// Always [`VERSION`] for files this build writes.
    pub version: u32,
    /// The source CSV (never modified).
    pub source: SourceInfo,
    /// How the source is read.
    #[serde(default)]
    pub import: ImportSettings,
    /// The step the admin was on.
    #[serde(default)]
    pub step: Step,
    /// Applied operations, oldest first. Replaying them on the imported source rebuilds the roster.
    #[serde(default)]
    pub history: Vec<Op>,
    /// Undone operations that `redo` would re-apply, most recently undone last.
    #[serde(default)]
    pub redo: Vec<Op>,
    /// Folder the submission is exported to (None: the current folder).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output_dir: Option<PathBuf>,
    /// Choices of the Customize step; owned by that step, opaque here.
    #[serde(default)]
    pub customization: serde_json::Value,
}

/// What went wrong reading a session file.
#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    #[error("cannot read session file {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("session file {path} is damaged at line {line}, column {column}: {message}; delete it to start over")]
    Parse {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("{path} is not an scc-onboard session file (format {found:?}, version {version}); this build reads version {VERSION}")]
    Format {
        path: PathBuf,
        found: String,
        version: u32,
    },
}

/// What replaying a session did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReplayReport {
    /// Operations applied.
    pub applied: usize,
    /// Cell edits whose recorded old value differed from the cell (the source changed).
    pub mismatched: usize,
    /// Operations that named rows past the end of the roster and were skipped.
    pub skipped: usize,
}

impl Session {
    /// A fresh session for `source`, read with `import`.
    pub fn new(source: SourceInfo, import: ImportSettings) -> Self {
        Session {
            format: FORMAT.to_string(),
            version: VERSION,
            source,
            import,
            step: Step::Import,
            history: Vec::new(),
            redo: Vec::new(),
            output_dir: None,
            customization: serde_json::Value::Null,
        }
    }

    /// Reads a session file. Pure apart from reading the file.
    pub fn load(path: &Path) -> Result<Session, SessionError> {
        let bytes = std::fs::read(path).map_err(|source| SessionError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Self::from_json(&bytes, path)
    }

    /// Parses session JSON; `path` only names the file in errors.
    pub fn from_json(bytes: &[u8], path: &Path) -> Result<Session, SessionError> {
        let s: Session = serde_json::from_slice(bytes).map_err(|e| SessionError::Parse {
            path: path.to_path_buf(),
            line: e.line(),
            column: e.column(),
            message: e.to_string(),
        })?;
        if s.format != FORMAT || s.version != VERSION {
            return Err(SessionError::Format {
                path: path.to_path_buf(),
                found: s.format,
                version: s.version,
            });
        }
        Ok(s)
    }

    /// Serialized form, as [`save_atomic`] writes it.
    pub fn to_json(&self) -> Vec<u8> {
        // Serializing plain data into a Vec cannot fail.
        serde_json::to_vec_pretty(self).unwrap_or_default()
    }

    /// Applies every operation of [`Session::history`] to a roster freshly imported from the source.
    pub fn replay(&self, roster: &mut Roster) -> ReplayReport {
        let mut report = ReplayReport::default();
        for op in &self.history {
            match op.apply(roster) {
                Some(mismatched) => {
                    report.applied += 1;
                    report.mismatched += mismatched;
                }
                None => report.skipped += 1,
            }
        }
        report
    }
}

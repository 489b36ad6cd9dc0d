//! The wizard session: everything needed to rebuild the admin's work from the untouched source
//! CSV — where it came from, how it was read, every edit in order, and which step was open.
//!
//! The file format is documented in `docs/wizard.md`. Readers other than the wizard (for example
//! `export --session`) use [`Session::load`] and [`Session::replay`]; neither touches a terminal.

mod join;
mod ops;
mod place;
mod source;
mod store;

pub use join::{joined_path, JoinSource, MatchChoice, MatchEdit};
pub use ops::{CellEdit, Op};
pub use place::{user_of, Anchor, Reason, ReplayReport, RowKey, RowKeys, Unplaced, UnplacedChange};
pub use source::{hash_file, SourceInfo};
pub use store::{default_path, ops_dir, save_atomic, OWN_FILE_CELLS};

use crate::roster::import::{Encoding, ImportOptions};
use crate::roster::{Field, Roster};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// Tag written into every session file so a stray JSON file is not mistaken for one.
pub const FORMAT: &str = "scc-onboard-session";
/// Version of the file format this build writes; bumped on incompatible changes.
/// Version 2 anchors changes to their rows' content and keeps unplaced changes; version 3 adds
/// a roster joined from two exports (`join`, `match` operations). Older files read unchanged.
pub const VERSION: u32 = 3;
/// Oldest version still read (its changes carry no anchors; see `place`).
pub const OLDEST_VERSION: u32 = 1;

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
    /// Only in a session whose roster is joined from two exports: between Import and Fix.
    MatchReview,
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

    /// Every step of a session joined from two exports, in wizard order.
    pub const JOINED: [Step; 7] = [
        Step::Import,
        Step::MatchReview,
        Step::Fix,
        Step::Customize,
        Step::ExchangeAccess,
        Step::ReviewExport,
        Step::Authorize,
    ];

    /// The steps of a session: [`Step::JOINED`] when its roster is joined, else [`Step::ALL`].
    pub fn steps(joined: bool) -> &'static [Step] {
        if joined {
            &Step::JOINED
        } else {
            &Step::ALL
        }
    }

    /// The step after this one in [`Step::steps`]`(joined)`.
    pub fn next_in(self, joined: bool) -> Option<Step> {
        let steps = Step::steps(joined);
        let i = steps.iter().position(|s| *s == self)?;
        steps.get(i + 1).copied()
    }

    /// The step before this one in [`Step::steps`]`(joined)`.
    pub fn prev_in(self, joined: bool) -> Option<Step> {
        let steps = Step::steps(joined);
        let i = steps.iter().position(|s| *s == self)?;
        i.checked_sub(1).map(|i| steps[i])
    }

    /// Name shown in the step header.
    pub fn title(self) -> &'static str {
        match self {
            Step::Import => "Import",
            Step::MatchReview => "Match review",
            Step::Fix => "Fix",
            Step::Customize => "Customize",
            Step::ExchangeAccess => "Exchange access",
            Step::ReviewExport => "Review & export",
            Step::Authorize => "Authorize",
        }
    }

    /// Position in [`Step::ALL`] (Match review, not in it, counts as Import's).
    pub fn index(self) -> usize {
        Step::ALL.iter().position(|s| *s == self).unwrap_or(0)
    }

    /// The step after this one in [`Step::ALL`], if any.
    pub fn next(self) -> Option<Step> {
        self.next_in(false)
    }

    /// The step before this one in [`Step::ALL`], if any.
    pub fn prev(self) -> Option<Step> {
        self.prev_in(false)
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
    /// [`VERSION`] for files this build writes; older readable versions are upgraded on load.
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
    /// Recorded changes that could not be placed on a row with certainty after the source
    /// changed: not applied, waiting for the admin to re-apply or drop each (`Op::Resolve`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unplaced: Vec<Unplaced>,
    /// (version 3) The roster was joined from two exports: their identities and the Match
    /// review choices; `source` is then the joined roster written next to the session.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub join: Option<JoinSource>,
    /// Where the admin was looking on the Fix step (restored on resume).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub view: Option<View>,
    /// The last Exchange access check's result (the bundle's `CheckSummary`), so a resume
    /// shows it and exports it without checking again; owned by the Exchange access step,
    /// opaque here. Optional: sessions without it load as before.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exchange_check: Option<serde_json::Value>,
}

/// The Fix step's filter and selected cell, as saved.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct View {
    /// `all`, `errors`, `warnings`, `code:<code>` or `search:<text>`.
    pub filter: String,
    /// The selected roster row (0-based) and its file line, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub row: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
    /// The selected column (`Field::index()`).
    #[serde(default)]
    pub col: usize,
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
    #[error("{path} is not an scc-onboard session file (format {found:?}, version {version}); this build reads versions {OLDEST_VERSION} to {VERSION}")]
    Format {
        path: PathBuf,
        found: String,
        version: u32,
    },
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
            unplaced: Vec::new(),
            join: None,
            view: None,
            exchange_check: None,
        }
    }

    /// Reads a session file, and the files of its large operations. Pure apart from reading.
    pub fn load(path: &Path) -> Result<Session, SessionError> {
        let bytes = std::fs::read(path).map_err(|source| SessionError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        let mut s = Self::from_json(&bytes, path)?;
        store::resolve(&mut s, path)?;
        Ok(s)
    }

    /// Parses session JSON; `path` only names the file in errors. Large operations stay
    /// references (`Op::CellsFile`) — use [`Session::load`] to read them too.
    pub fn from_json(bytes: &[u8], path: &Path) -> Result<Session, SessionError> {
        let mut s: Session = serde_json::from_slice(bytes).map_err(|e| SessionError::Parse {
            path: path.to_path_buf(),
            line: e.line(),
            column: e.column(),
            message: e.to_string(),
        })?;
        if s.format != FORMAT || !(OLDEST_VERSION..=VERSION).contains(&s.version) {
            return Err(SessionError::Format {
                path: path.to_path_buf(),
                found: s.format,
                version: s.version,
            });
        }
        // Read as version 1 (its changes simply carry no anchors), saved as the current one.
        s.version = VERSION;
        Ok(s)
    }

    /// Serialized form with every operation inline (what `save_atomic` writes, less the
    /// splitting of large operations into their own files).
    pub fn to_json(&self) -> Vec<u8> {
        // Serializing plain data into a Vec cannot fail.
        serde_json::to_vec_pretty(self).unwrap_or_default()
    }

    /// Applies [`Session::history`] to a roster freshly imported from the source, each change
    /// on the row it was made on (found by content when rows moved; see docs/wizard.md).
    /// Changes that cannot be placed with certainty are not applied: they are listed in the
    /// report's `unplaced` (with those the session already held). The session is not changed;
    /// [`Session::resume`] also adopts the result.
    pub fn replay(&self, roster: &mut Roster) -> ReplayReport {
        place::replay(&self.history, &self.unplaced, roster).0
    }

    /// [`Session::replay`], then makes the session describe the roster it produced: the
    /// history on the rows its changes were placed on (unplaced changes taken out), the
    /// unplaced list updated. Undone operations (`redo`) are dropped unless every change went
    /// exactly where it was recorded: their rows may not be this roster's any more.
    pub fn resume(&mut self, roster: &mut Roster) -> ReplayReport {
        let (report, history) = place::replay(&self.history, &self.unplaced, roster);
        if !report.in_place() {
            self.history = history;
            self.redo.clear();
        }
        self.unplaced.clone_from(&report.unplaced);
        report
    }

    /// Whether every recorded roster change carries an anchor (false for changes read from a
    /// version-1 file), so replay can find its row in a changed source.
    pub fn fully_anchored(&self) -> bool {
        fn anchored(op: &Op) -> bool {
            match op {
                Op::Cells { changes, .. } => changes.iter().all(|c| c.anchor.is_some()),
                Op::Exclude { anchor, .. } => anchor.is_some(),
                Op::ExcludeRows { anchors, .. } => anchors.is_some(),
                Op::Resolve { apply, .. } => apply.as_deref().is_none_or(anchored),
                Op::CellsFile { .. } | Op::Choice { .. } | Op::Match { .. } => true,
            }
        }
        self.history.iter().all(anchored)
    }

    /// Keeps [`Session::unplaced`] in step with an [`Op::Resolve`] being done or undone (no-op
    /// for other operations): done takes its item off the list, undone puts it back.
    pub fn track_resolved(&mut self, op: &Op, undone: bool) {
        let Op::Resolve { item, .. } = op else {
            return;
        };
        if undone {
            if !self.unplaced.iter().any(|u| u.id == item.id) {
                self.unplaced.push(item.clone());
                self.unplaced.sort_by_key(|u| u.id);
            }
        } else {
            self.unplaced.retain(|u| u.id != item.id);
        }
    }
}

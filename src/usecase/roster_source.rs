//! The roster a command works on: a CSV file, or a wizard session (its source file re-read,
//! its changes replayed onto the rows of their users). One loader for `export`, `exchange
//! check` and any later command, so they all refuse the same sessions for the same reasons.

use crate::customize::file::{from_json_value, load_choices};
use crate::customize::{Catalogue, Choices, RosterFacts};
use crate::roster::import::{import_path, ImportOptions};
use crate::roster::Roster;
use crate::session::{hash_file, Op, Session, Unplaced};
use std::path::{Path, PathBuf};

/// Where the roster comes from.
#[derive(Debug, Clone, Copy)]
pub(crate) enum RosterSource<'a> {
    /// A roster file read with these options.
    File(&'a Path, &'a ImportOptions),
    /// A wizard session file.
    Session(&'a Path),
}

/// A roster with where it came from.
pub(crate) struct Loaded {
    pub roster: Roster,
    /// The roster file (for a session, the file it records).
    pub source: PathBuf,
    /// For a session: its operations as replayed (oldest first) and its customization.
    pub session: Option<FromSession>,
}

/// What a session brings besides its roster.
#[derive(Debug)]
pub(crate) struct FromSession {
    pub history: Vec<Op>,
    pub customization: serde_json::Value,
    /// Recorded changes found on their users' new rows because the file changed.
    pub moved: usize,
    /// The last Exchange access check the wizard kept (opaque: the bundle's summary).
    pub exchange_check: Option<serde_json::Value>,
}

/// Why a roster could not be had.
#[derive(Debug)]
pub(crate) enum LoadError {
    /// The file or session cannot be used; the message names it and says what to do.
    Unusable(String),
    /// The session's file changed and some recorded changes could not be placed with
    /// certainty: nothing may be exported on a guess.
    Unplaced {
        session: PathBuf,
        source: PathBuf,
        items: Vec<Unplaced>,
    },
}

impl std::fmt::Display for LoadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LoadError::Unusable(m) => f.write_str(m),
            LoadError::Unplaced {
                session,
                source,
                items,
            } => write!(
                f,
                "{} recorded change(s) of session {} could not be placed on their users' rows in {} \
                 (the file changed since they were made); open the wizard (scc-onboard wizard \
                 --session {}), press p on the Fix step, and re-apply or drop each",
                items.len(),
                session.display(),
                source.display(),
                session.display()
            ),
        }
    }
}

/// Reads the roster.
pub(crate) fn load(source: RosterSource<'_>) -> Result<Loaded, LoadError> {
    match source {
        RosterSource::File(path, opts) => import_path(path, opts)
            .map(|i| Loaded {
                roster: Roster::from_imported(i),
                source: path.to_path_buf(),
                session: None,
            })
            .map_err(|e| LoadError::Unusable(e.to_string())),
        RosterSource::Session(path) => from_session(path),
    }
}

/// The choices a command works with: the customization file when one is given, else the
/// session's (`session`: its path and its saved customization), else every default. The
/// error names the file and what is wrong.
pub(crate) fn choices(
    customization: Option<&Path>,
    session: Option<(&Path, serde_json::Value)>,
    catalogue: &Catalogue,
    facts: &RosterFacts,
) -> Result<Choices, String> {
    match (customization, session) {
        (Some(p), _) => load_choices(p, catalogue, facts),
        (None, Some((path, value))) => {
            let name = format!("{} (customization)", path.display());
            from_json_value(value, None, &name, catalogue, facts)
        }
        (None, None) => Ok(Choices::defaults(catalogue, facts)),
    }
    .map_err(|e| e.to_string())
}

fn from_session(path: &Path) -> Result<Loaded, LoadError> {
    let unusable = LoadError::Unusable;
    let mut session = Session::load(path).map_err(|e| unusable(e.to_string()))?;
    let source = session.source.path.clone();
    let hash = hash_file(&source).map_err(|e| {
        unusable(format!(
            "{}: cannot read the session's roster file {}: {e}",
            path.display(),
            source.display()
        ))
    })?;
    // Without anchors (a version-1 session) nothing tells where a change belongs in a changed
    // file: the wizard shows what fits and what does not.
    if hash != session.source.sha256 && !session.fully_anchored() {
        return Err(unusable(format!(
            "{} changed since the session {} was saved, and the session predates anchored \
             edits, so its edits may not fit any more; open the wizard to review them \
             (scc-onboard wizard --session {}), or export the file directly",
            source.display(),
            path.display(),
            path.display()
        )));
    }
    let imported =
        import_path(&source, &session.import.to_options()).map_err(|e| unusable(e.to_string()))?;
    let mut roster = Roster::from_imported(imported);
    let report = session.resume(&mut roster);
    if !report.unplaced.is_empty() {
        return Err(LoadError::Unplaced {
            session: path.to_path_buf(),
            source,
            items: report.unplaced,
        });
    }
    Ok(Loaded {
        roster,
        source,
        session: Some(FromSession {
            history: session.history,
            customization: session.customization,
            moved: report.moved,
            exchange_check: session.exchange_check,
        }),
    })
}

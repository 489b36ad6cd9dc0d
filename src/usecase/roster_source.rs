//! The roster a command works on: a CSV file, or a wizard session (its source file re-read,
//! its edits and exclusions replayed). Refuses a session whose file changed since it was saved.

use crate::roster::import::{import_path, ImportOptions};
use crate::roster::Roster;
use crate::session::{hash_file, Session};
use std::path::Path;

/// Where the roster comes from.
#[derive(Debug, Clone, Copy)]
pub enum RosterSource<'a> {
    /// A roster file read with these options.
    File(&'a Path, &'a ImportOptions),
    /// A wizard session file.
    Session(&'a Path),
}

/// Reads the roster; the error names the file and what to do.
pub fn load(source: RosterSource<'_>) -> Result<Roster, String> {
    match source {
        RosterSource::File(path, opts) => import_path(path, opts)
            .map(Roster::from_imported)
            .map_err(|e| e.to_string()),
        RosterSource::Session(path) => from_session(path),
    }
}

fn from_session(path: &Path) -> Result<Roster, String> {
    let session = Session::load(path).map_err(|e| e.to_string())?;
    let source = &session.source.path;
    let hash = hash_file(source).map_err(|e| {
        format!(
            "{}: cannot read the session's roster file {}: {e}",
            path.display(),
            source.display()
        )
    })?;
    if hash != session.source.sha256 {
        return Err(format!(
            "{} changed since the session {} was saved, so its edits may not fit any more; \
             open the wizard to review them, or give the file directly",
            source.display(),
            path.display()
        ));
    }
    let imported = import_path(source, &session.import.to_options()).map_err(|e| e.to_string())?;
    let mut roster = Roster::from_imported(imported);
    let report = session.replay(&mut roster);
    if report.mismatched > 0 || report.skipped > 0 {
        return Err(format!(
            "{}: {} edits did not fit the roster file ({} skipped); open the wizard to review them",
            path.display(),
            report.mismatched,
            report.skipped
        ));
    }
    Ok(roster)
}

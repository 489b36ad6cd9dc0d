//! Where sessions live and how they are written without ever leaving a half-written file.

use super::Session;
use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// `session.json` in the user's data folder (e.g. `~/.local/share/scc-onboard/`), if one exists.
pub fn default_path() -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "scc-onboard").map(|d| d.data_dir().join("session.json"))
}

/// Writes the session atomically: a temporary file in the same folder, fsync, rename over the
/// old file, fsync the folder. A crash leaves either the old or the new session, never a mix.
pub fn save_atomic(session: &Session, path: &Path) -> io::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    fs::create_dir_all(&dir)?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "session.json".into());
    let tmp = dir.join(format!(".{name}.tmp"));
    {
        let mut f = File::create(&tmp)?;
        f.write_all(&session.to_json())?;
        f.sync_all()?;
    }
    fs::rename(&tmp, path)?;
    #[cfg(unix)]
    {
        // Makes the rename itself durable.
        File::open(&dir)?.sync_all()?;
    }
    Ok(())
}

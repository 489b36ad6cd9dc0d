//! File writing that never leaves a half-written file behind.

use std::io::{self, BufWriter, Write};
use std::path::Path;

/// Writes `path` atomically: into a temporary file in the same folder, fsync, then rename over
/// the target. A crash at any moment leaves either the old file or the new one.
pub fn write_atomic<T>(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> io::Result<T>,
) -> io::Result<T> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(".scc-onboard-")
        .suffix(".tmp")
        .tempfile_in(dir)?;
    let value = {
        let mut w = BufWriter::new(tmp.as_file_mut());
        let value = write(&mut w)?;
        w.flush()?;
        value
    };
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    // Make the rename itself durable.
    sync_dir(dir)?;
    Ok(value)
}

/// Makes renames in `dir` durable (fsync of the folder), where the platform allows it.
///
/// Windows opens a folder only with `FILE_FLAG_BACKUP_SEMANTICS`, so `File::open` fails there
/// with "access denied" (and NTFS journals renames itself); a platform may also refuse to
/// fsync a folder. Both are tolerated, on every platform, by [`dir_sync_result`]; a folder
/// that is gone is not.
pub fn sync_dir(dir: &Path) -> io::Result<()> {
    // Opened but not syncable (some file systems): nothing more can be done.
    dir_sync_result(std::fs::File::open(dir).map(|d| {
        let _ = d.sync_all();
    }))
}

/// The outcome of a folder sync given the result of opening (and syncing) it: an open refused
/// the Windows way (permission denied) or an unsupported operation is no error.
pub fn dir_sync_result(opened: io::Result<()>) -> io::Result<()> {
    match opened {
        Ok(()) => Ok(()),
        Err(e)
            if matches!(
                e.kind(),
                io::ErrorKind::PermissionDenied | io::ErrorKind::Unsupported
            ) =>
        {
            Ok(())
        }
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_folder_that_cannot_be_opened_the_windows_way_is_no_error() {
        // What File::open on a folder gives on Windows: ERROR_ACCESS_DENIED.
        let denied = io::Error::from(io::ErrorKind::PermissionDenied);
        assert!(dir_sync_result(Err(denied)).is_ok());
        assert!(dir_sync_result(Err(io::ErrorKind::Unsupported.into())).is_ok());
        assert!(dir_sync_result(Ok(())).is_ok());
        let gone = dir_sync_result(Err(io::ErrorKind::NotFound.into()));
        assert_eq!(gone.unwrap_err().kind(), io::ErrorKind::NotFound);
        let dir = tempfile::tempdir().unwrap();
        sync_dir(dir.path()).unwrap();
        assert!(sync_dir(&dir.path().join("missing")).is_err());
    }

    #[test]
    fn replaces_whole_or_not_at_all() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("out.csv");
        write_atomic(&p, |w| w.write_all(b"first")).unwrap();
        let failed: io::Result<()> = write_atomic(&p, |w| {
            w.write_all(b"partial")?;
            Err(io::Error::other("disk full"))
        });
        assert!(failed.is_err());
        assert_eq!(std::fs::read(&p).unwrap(), b"first");
        let leftovers = std::fs::read_dir(dir.path()).unwrap().count();
        assert_eq!(leftovers, 1, "no temp file left behind");
    }
}

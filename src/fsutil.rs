//! File writing that never leaves a half-written file behind, and reading only files that end.

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
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(value)
}

/// Opens `path` for reading only if it is a regular file (symbolic links followed). A named
/// pipe, a device or a socket may never end (and opening a FIFO blocks until a writer comes),
/// so the type is checked from the metadata before anything is opened.
pub fn open_regular(path: &Path) -> io::Result<std::fs::File> {
    let kind = std::fs::metadata(path)?.file_type();
    if !kind.is_file() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!(
                "{}, not a regular file, so it may never end; save the roster as a file and give that file's path",
                special_kind(&kind)
            ),
        ));
    }
    std::fs::File::open(path)
}

/// Reads a whole file, refusing anything but a regular file (see [`open_regular`]).
pub fn read_regular(path: &Path) -> io::Result<Vec<u8>> {
    let mut f = open_regular(path)?;
    let mut bytes = Vec::new();
    io::Read::read_to_end(&mut f, &mut bytes)?;
    Ok(bytes)
}

/// What a file that is not a regular file is, in words.
fn special_kind(t: &std::fs::FileType) -> &'static str {
    if t.is_dir() {
        return "a folder";
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return "a named pipe (FIFO)";
        }
        if t.is_char_device() || t.is_block_device() {
            return "a device";
        }
        if t.is_socket() {
            return "a socket";
        }
    }
    "a special file"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_regular_files_are_opened() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("roster.csv");
        std::fs::write(&p, b"a,b\n").unwrap();
        assert_eq!(read_regular(&p).unwrap(), b"a,b\n");
        let err = read_regular(dir.path()).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
        assert!(
            err.to_string().starts_with("a folder, not a regular file"),
            "{err}"
        );
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

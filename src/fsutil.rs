//! File writing that never leaves a half-written file behind and never replaces its input,
//! and reading only files that end.

use std::io::{self, BufWriter, Write};
use std::path::Path;

/// Writes `path` atomically: into a temporary file in the same folder, fsync, then rename over
/// the target. A crash at any moment leaves either the old file or the new one.
pub(crate) fn write_atomic<T>(
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

/// True when `a` and `b` name the same file: the same path once `.`/`..` and symbolic links
/// are resolved, or the same file by identity (device and inode on Unix, volume and file
/// index on Windows), so a hard link counts too. A path that does not exist is nobody's twin.
pub(crate) fn same_file(a: &Path, b: &Path) -> bool {
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(ca), Ok(cb)) if ca == cb => true,
        (Ok(_), Ok(_)) => same_file::is_same_file(a, b).unwrap_or(false),
        _ => false,
    }
}

/// Refuses an output file that is one of the command's inputs (`what` names the input, e.g.
/// "the roster being validated"), so writing it can never destroy what it was made from.
/// The message names the file and says what to do.
pub(crate) fn check_output_is_not_input(
    output: &Path,
    inputs: &[(&str, &Path)],
) -> Result<(), String> {
    for (what, input) in inputs {
        if same_file(output, input) {
            let also = if output == *input {
                String::new()
            } else {
                format!(" ({})", input.display())
            };
            return Err(format!(
                "{} is {what}{also}; the output cannot replace its own input: write to another file",
                output.display(),
            ));
        }
    }
    Ok(())
}

/// True when replacing the folder `dir` as a whole would delete `path`: `dir` is `path`
/// itself or one of the folders it sits in (compared as resolved paths and by identity).
pub(crate) fn folder_holds(dir: &Path, path: &Path) -> bool {
    let (Ok(dir_c), Ok(path_c)) = (std::fs::canonicalize(dir), std::fs::canonicalize(path)) else {
        return false;
    };
    path_c
        .ancestors()
        .any(|a| a == dir_c || same_file::is_same_file(a, &dir_c).unwrap_or(false))
}

/// Makes renames in `dir` durable (fsync of the folder), where the platform allows it.
///
/// Windows opens a folder only with `FILE_FLAG_BACKUP_SEMANTICS`, so `File::open` fails there
/// with "access denied" (and NTFS journals renames itself); a platform may also refuse to
/// fsync a folder. Both are tolerated, on every platform, by [`dir_sync_result`]; a folder
/// that is gone is not.
pub(crate) fn sync_dir(dir: &Path) -> io::Result<()> {
    // Opened but not syncable (some file systems): nothing more can be done.
    dir_sync_result(std::fs::File::open(dir).map(|d| {
        let _ = d.sync_all();
    }))
}

/// The outcome of a folder sync given the result of opening (and syncing) it: an open refused
/// the Windows way (permission denied) or an unsupported operation is no error.
pub(crate) fn dir_sync_result(opened: io::Result<()>) -> io::Result<()> {
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

/// Opens `path` for reading only if it is a regular file (symbolic links followed). A named
/// pipe, a device or a socket may never end (and opening a FIFO blocks until a writer comes),
/// so the type is checked from the metadata before anything is opened.
pub(crate) fn open_regular(path: &Path) -> io::Result<std::fs::File> {
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
pub(crate) fn read_regular(path: &Path) -> io::Result<Vec<u8>> {
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
    #[test]
    fn same_file_sees_through_dot_forms_symlinks_and_hard_links() {
        let dir = tempfile::tempdir().unwrap();
        let src = dir.path().join("r.csv");
        std::fs::write(&src, b"x").unwrap();
        let other = dir.path().join("other.csv");
        std::fs::write(&other, b"x").unwrap();
        assert!(same_file(&src, &src));
        assert!(same_file(&src, &dir.path().join(".").join("r.csv")));
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        assert!(same_file(
            &src,
            &dir.path().join("sub").join("..").join("r.csv")
        ));
        let hard = dir.path().join("hard.csv");
        std::fs::hard_link(&src, &hard).unwrap();
        assert!(same_file(&src, &hard), "a hard link is the same file");
        #[cfg(unix)]
        {
            let link = dir.path().join("link.csv");
            std::os::unix::fs::symlink(&src, &link).unwrap();
            assert!(same_file(&link, &src));
        }
        assert!(
            !same_file(&src, &other),
            "equal contents are not the same file"
        );
        assert!(!same_file(&src, &dir.path().join("missing.csv")));
        let err = check_output_is_not_input(&hard, &[("the roster", &src)]).unwrap_err();
        assert!(err.contains("the roster"), "{err}");
        assert!(check_output_is_not_input(&other, &[("the roster", &src)]).is_ok());
    }

    #[test]
    fn a_folder_holds_what_is_inside_it_at_any_depth() {
        let dir = tempfile::tempdir().unwrap();
        let sub = dir.path().join("a").join("b");
        std::fs::create_dir_all(&sub).unwrap();
        let f = sub.join("r.csv");
        std::fs::write(&f, b"x").unwrap();
        assert!(folder_holds(&sub, &f));
        assert!(folder_holds(&dir.path().join("a"), &f));
        assert!(folder_holds(&dir.path().join("a").join(".").join("b"), &f));
        assert!(folder_holds(&f, &f), "the file itself");
        assert!(!folder_holds(&dir.path().join("c"), &f), "a missing folder");
        std::fs::create_dir(dir.path().join("c")).unwrap();
        assert!(!folder_holds(&dir.path().join("c"), &f));
        #[cfg(unix)]
        {
            let link = dir.path().join("alias");
            std::os::unix::fs::symlink(&sub, &link).unwrap();
            assert!(folder_holds(&link, &f), "a symlink to the folder");
        }
    }
}

//! Writing a folder of files so that readers see either the old folder or the new one.
//!
//! Files are written into a fresh temporary folder next to the target (same file system, so
//! renames are atomic): each file through a temporary file, fsynced, renamed to `name`; then the
//! folder is fsynced and renamed over the target. An existing target is first moved aside and
//! only removed once the new folder is in place, so a failure at any point leaves the old
//! bundle whole (or restores it). A crash between the two renames leaves the old bundle aside
//! (`.NAME.old-…`) and no target: the next write puts it back first, and a crash after the
//! second rename leaves an aside copy that the next write removes.

use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// One file of a folder to write.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutFile {
    /// A plain file name, or `folder/name` for a file one folder down.
    pub name: String,
    pub bytes: Vec<u8>,
}

/// Why a folder could not be written. The target is unchanged in every case.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("{}: {message}", path.display())]
    Refused { path: PathBuf, message: String },
    #[error("{}: {source}", path.display())]
    Io { path: PathBuf, source: io::Error },
}

fn io_err(path: &Path) -> impl FnOnce(io::Error) -> WriteError + '_ {
    move |source| WriteError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Replaces `target` with a folder holding exactly `files`. `may_replace` decides whether an
/// existing, non-empty folder may be replaced (e.g. only an earlier bundle).
pub(super) fn write_folder(
    target: &Path,
    files: &[OutFile],
    may_replace: impl Fn(&Path) -> bool,
) -> Result<(), WriteError> {
    let plain = |n: &str| {
        !(n.is_empty()
            || n.contains(['/', '\\'])
            || n == "."
            || n == ".."
            || n.ends_with(".partial"))
    };
    for f in files {
        // A plain name, or `folder/name` one level down (the invitations).
        let ok = match f.name.split_once('/') {
            Some((folder, name)) => plain(folder) && plain(name),
            None => plain(&f.name),
        };
        if !ok {
            return Err(WriteError::Refused {
                path: target.join(&f.name),
                message: "not a plain file name".into(),
            });
        }
    }
    let name = target
        .file_name()
        .ok_or_else(|| WriteError::Refused {
            path: target.to_path_buf(),
            message: "name a folder to write the bundle into".into(),
        })?
        .to_string_lossy()
        .into_owned();
    let parent = match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    recover_aside(&parent, &name, target);
    let existing = match fs::symlink_metadata(target) {
        Ok(m) if m.is_dir() => {
            let empty = fs::read_dir(target)
                .map_err(io_err(target))?
                .next()
                .is_none();
            if !empty && !may_replace(target) {
                return Err(WriteError::Refused {
                    path: target.to_path_buf(),
                    message: "the folder exists and is not a submission bundle; choose a new or empty folder".into(),
                });
            }
            true
        }
        Ok(_) => {
            return Err(WriteError::Refused {
                path: target.to_path_buf(),
                message: "exists and is not a folder; choose a folder name".into(),
            })
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => false,
        Err(e) => return Err(io_err(target)(e)),
    };
    fs::create_dir_all(&parent).map_err(io_err(&parent))?;

    let tmp = tempfile::Builder::new()
        .prefix(&format!(".{name}.new-"))
        .tempdir_in(&parent)
        .map_err(io_err(&parent))?;
    write_files(tmp.path(), files)?;
    sync_dir(tmp.path())?;
    // From here on the temporary folder is renamed, so TempDir must not delete it on drop.
    let tmp_path = tmp.keep();
    let cleanup = |p: &Path| {
        let _ = fs::remove_dir_all(p);
    };

    if existing {
        let aside = aside_name(&parent, &name);
        if let Err(e) = fs::rename(target, &aside) {
            cleanup(&tmp_path);
            return Err(io_err(target)(e));
        }
        if let Err(e) = fs::rename(&tmp_path, target) {
            // Put the old bundle back before reporting.
            let _ = fs::rename(&aside, target);
            cleanup(&tmp_path);
            return Err(io_err(target)(e));
        }
        let _ = sync_dir(&parent);
        cleanup(&aside);
    } else if let Err(e) = fs::rename(&tmp_path, target) {
        cleanup(&tmp_path);
        return Err(io_err(target)(e));
    }
    sync_dir(&parent)
}

/// Folders an interrupted replace of `name` left aside, newest first: only names exactly of
/// [`aside_name`]'s form holding one of our manifests, so nothing of the user's is touched.
fn leftovers(parent: &Path, name: &str) -> Vec<PathBuf> {
    let prefix = format!(".{name}.old-");
    let ours = |file: &str| {
        file.strip_prefix(&prefix)
            .and_then(|rest| rest.split_once('-'))
            .is_some_and(|(pid, n)| {
                [pid, n]
                    .iter()
                    .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
            })
    };
    let mut found: Vec<(std::time::SystemTime, PathBuf)> = fs::read_dir(parent)
        .into_iter()
        .flatten()
        .filter_map(Result::ok)
        .filter(|e| ours(&e.file_name().to_string_lossy()))
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .filter(|e| super::manifest::is_bundle(&e.path()))
        .map(|e| {
            let when = e.metadata().and_then(|m| m.modified());
            (when.unwrap_or(std::time::UNIX_EPOCH), e.path())
        })
        .collect();
    found.sort_by_key(|f| std::cmp::Reverse(f.0));
    found.into_iter().map(|(_, p)| p).collect()
}

/// Undoes what a crash mid-replace left: with no target, the newest aside bundle goes back in
/// its place (it was the target until the crash); asides next to a target are stale copies.
fn recover_aside(parent: &Path, name: &str, target: &Path) {
    let mut aside = leftovers(parent, name).into_iter();
    if fs::symlink_metadata(target).is_err() {
        if let Some(newest) = aside.next() {
            let _ = fs::rename(newest, target);
        }
    }
    for stale in aside {
        let _ = fs::remove_dir_all(stale);
    }
}

fn aside_name(parent: &Path, name: &str) -> PathBuf {
    let mut n = 0u32;
    loop {
        let p = parent.join(format!(".{name}.old-{}-{n}", std::process::id()));
        if fs::symlink_metadata(&p).is_err() {
            return p;
        }
        n += 1;
    }
}

/// How many fsyncs run at once: file systems commit concurrent ones together, so a bundle
/// with thousands of invitations does not pay one journal commit per file.
const SYNC_THREADS: usize = 16;

/// Writes every file into `dir` (`folder/name` one folder down) as `name.partial`, fsyncs them
/// [`SYNC_THREADS`] at a time, renames each to its name and fsyncs the folders.
fn write_files(dir: &Path, files: &[OutFile]) -> Result<(), WriteError> {
    let mut folders = std::collections::BTreeSet::new();
    let mut paths = Vec::with_capacity(files.len());
    for f in files {
        let (folder, name) = match f.name.split_once('/') {
            Some((sub, name)) => (dir.join(sub), name),
            None => (dir.to_path_buf(), f.name.as_str()),
        };
        if folder != dir && folders.insert(folder.clone()) {
            fs::create_dir(&folder).map_err(io_err(&folder))?;
        }
        let partial = folder.join(format!("{name}.partial"));
        let mut out = File::create(&partial).map_err(io_err(&partial))?;
        out.write_all(&f.bytes).map_err(io_err(&partial))?;
        paths.push((partial, folder.join(name)));
    }
    // Reopened for the fsync: keeping every file open could pass the open-file limit.
    let sync = |p: &Path| {
        fs::OpenOptions::new()
            .write(true)
            .open(p)
            .and_then(|f| f.sync_all())
            .map_err(io_err(p))
    };
    let per = paths.len().div_ceil(SYNC_THREADS).max(1);
    std::thread::scope(|scope| {
        let jobs: Vec<_> = paths
            .chunks(per)
            .map(|chunk| scope.spawn(move || chunk.iter().try_for_each(|(p, _)| sync(p))))
            .collect();
        jobs.into_iter().try_for_each(|j| {
            j.join().unwrap_or_else(|_| {
                Err(WriteError::Refused {
                    path: dir.to_path_buf(),
                    message: "writing the files to disk failed; try again".into(),
                })
            })
        })
    })?;
    for (partial, fin) in &paths {
        fs::rename(partial, fin).map_err(io_err(fin))?;
    }
    for folder in &folders {
        sync_dir(folder)?;
    }
    Ok(())
}

/// Folder fsync, the one implementation ([`crate::fsutil::sync_dir`]): tolerates Windows,
/// where a folder cannot be opened as a file.
fn sync_dir(dir: &Path) -> Result<(), WriteError> {
    crate::fsutil::sync_dir(dir).map_err(io_err(dir))
}

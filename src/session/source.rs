//! Identifying the source CSV so a resumed session can tell whether it changed.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::io::Read;
use std::path::{Path, PathBuf};

/// The source file a session was built from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceInfo {
    /// Absolute path when it could be resolved.
    pub path: PathBuf,
    /// Lower-case hex SHA-256 of the file's bytes.
    pub sha256: String,
    /// Size in bytes.
    pub size: u64,
}

impl SourceInfo {
    /// Describes `bytes` read from (or just written to) `path`: the wizard's joined roster,
    /// tests and benchmarks.
    pub fn of_bytes(path: &Path, bytes: &[u8]) -> Self {
        SourceInfo {
            path: std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf()),
            sha256: hex(&Sha256::digest(bytes)),
            size: bytes.len() as u64,
        }
    }
}

/// SHA-256 of a file, streamed. Only a regular file: a FIFO would never end.
pub fn hash_file(path: &Path) -> std::io::Result<String> {
    let mut f = crate::fsutil::open_regular(path)?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    Ok(hex(&h.finalize()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

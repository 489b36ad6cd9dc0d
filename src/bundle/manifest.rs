//! `manifest.json`: every file of the bundle with its size and SHA-256, and what the bundle
//! was made from (the source roster's name, size and SHA-256), how many users it submits,
//! the tool version and the time of export, so it can be audited later.

use serde::Serialize;
use sha2::{Digest, Sha256};

/// Format tag of the manifest; also how an existing folder is recognised as a bundle.
pub const MANIFEST_FORMAT: &str = "scc-onboard/bundle-manifest";
/// File name of the manifest in a bundle.
pub const MANIFEST_NAME: &str = "manifest.json";

/// One file in the manifest.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Entry {
    pub name: String,
    pub bytes: u64,
    pub sha256: String,
}

/// The roster file a bundle was made from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SourceFile {
    /// The file's name only: the admin's folders are not the vendor's business.
    pub name: String,
    pub bytes: u64,
    /// Lower-case hex SHA-256 of the file as read.
    pub sha256: String,
}

impl SourceFile {
    /// Name, size and SHA-256 of the file at `path` as it is now.
    pub fn of_path(path: &std::path::Path) -> std::io::Result<SourceFile> {
        let bytes = std::fs::metadata(path)?.len();
        Ok(SourceFile {
            name: file_name(path),
            bytes,
            sha256: crate::session::hash_file(path)?,
        })
    }
}

/// The last component of `path` (the whole path if it has none).
pub fn file_name(path: &std::path::Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

/// What the manifest records about the bundle besides its files.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct About {
    /// The roster file the bundle was made from.
    pub source: Option<SourceFile>,
    /// Users (data rows) in users.csv.
    pub users: Option<usize>,
}

/// The manifest document.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Manifest {
    pub format: &'static str,
    pub version: u32,
    pub generator: String,
    /// The version of scc-onboard that wrote the bundle.
    pub tool_version: &'static str,
    /// UTC time of the export, RFC 3339.
    pub created: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<SourceFile>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub users: Option<usize>,
    pub files: Vec<Entry>,
}

/// Lower-case hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

impl Manifest {
    /// A manifest of `(name, bytes)` files written at `created`.
    pub fn new<'a>(files: impl IntoIterator<Item = (&'a str, &'a [u8])>, created: String) -> Self {
        Manifest {
            format: MANIFEST_FORMAT,
            version: 1,
            generator: super::generator(),
            tool_version: env!("CARGO_PKG_VERSION"),
            created,
            source: None,
            users: None,
            files: files
                .into_iter()
                .map(|(name, bytes)| Entry {
                    name: name.to_string(),
                    bytes: bytes.len() as u64,
                    sha256: sha256_hex(bytes),
                })
                .collect(),
        }
    }

    /// The manifest as pretty JSON with a final newline.
    pub fn to_json(&self) -> Vec<u8> {
        let mut v = serde_json::to_vec_pretty(self).expect("manifest serialises");
        v.push(b'\n');
        v
    }
}

/// When the bundle in `dir` was written (its manifest's `created`), if readable.
pub fn created(dir: &std::path::Path) -> Option<String> {
    let text = std::fs::read(dir.join(MANIFEST_NAME)).ok()?;
    let v: serde_json::Value = serde_json::from_slice(&text).ok()?;
    v.get("created")?.as_str().map(str::to_string)
}

/// True if `dir/manifest.json` is a manifest this program wrote.
pub fn is_bundle(dir: &std::path::Path) -> bool {
    std::fs::read(dir.join(MANIFEST_NAME))
        .ok()
        .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok())
        .and_then(|v| {
            v.get("format")
                .and_then(|f| f.as_str())
                .map(|f| f == MANIFEST_FORMAT)
        })
        .unwrap_or(false)
}

pub use crate::timefmt::now_rfc3339;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}

//! The submission bundle: everything the vendor needs, written as one folder.
//!
//! `users.csv`, `customization.json` (+ schema in assets), `customization.md`, `report.md`,
//! the users' invitations ([`invitations`]) and `manifest.json` (SHA-256 of every other file). The folder is replaced as a whole:
//! see [`atomic`].

mod atomic;
pub(crate) mod audit;
mod build;
pub mod customization_json;
mod customization_md;
pub(crate) mod exchange_check;
pub(crate) mod invitations;
pub mod manifest;
pub mod markdown;
mod report;

pub use atomic::{OutFile, WriteError};
pub use audit::{Audit, Change, ChangeKind};
pub use build::{build_files, export, BundleInput, ExportError, Exported, Provenance};
pub use manifest::{About, Entry, Manifest, SourceFile};

use std::path::Path;

/// "scc-onboard X.Y.Z", recorded in every generated file.
pub fn generator() -> String {
    format!("scc-onboard {}", env!("CARGO_PKG_VERSION"))
}

/// Writes `files` plus a `manifest.json` listing them into `dir`, replacing an earlier bundle
/// there as a whole. Returns the manifest entries (manifest.json itself last, without a hash
/// of itself). Refuses to replace a non-empty folder that is not a bundle.
pub fn write_bundle(dir: &Path, files: Vec<OutFile>) -> Result<Vec<Entry>, WriteError> {
    write_bundle_about(dir, files, About::default())
}

/// [`write_bundle`] with a manifest that also records `about` (source file, users).
pub fn write_bundle_about(
    dir: &Path,
    mut files: Vec<OutFile>,
    about: About,
) -> Result<Vec<Entry>, WriteError> {
    files.retain(|f| f.name != manifest::MANIFEST_NAME);
    let mut seen = std::collections::BTreeSet::new();
    for f in &files {
        if !seen.insert(f.name.as_str()) {
            return Err(WriteError::Refused {
                path: dir.join(&f.name),
                message: "two bundle files have this name".into(),
            });
        }
    }
    let mut m = Manifest::new(
        files.iter().map(|f| (f.name.as_str(), f.bytes.as_slice())),
        manifest::now_rfc3339(),
    );
    m.source = about.source;
    m.users = about.users;
    let mut entries = m.files.clone();
    let bytes = m.to_json();
    entries.push(Entry {
        name: manifest::MANIFEST_NAME.into(),
        bytes: bytes.len() as u64,
        sha256: manifest::sha256_hex(&bytes),
    });
    files.push(OutFile {
        name: manifest::MANIFEST_NAME.into(),
        bytes,
    });
    atomic::write_folder(dir, &files, manifest::is_bundle)?;
    Ok(entries)
}

/// The bundle's `user-config.toml` for these choices: the provider configuration end users
/// run `authorize` with (the text comes from `auth`; the bundle only names the file).
pub fn user_config_file(
    cat: &crate::customize::Catalogue,
    choices: &crate::customize::Choices,
) -> OutFile {
    OutFile {
        name: "user-config.toml".into(),
        bytes: crate::auth::user_config_text(cat, choices).into_bytes(),
    }
}

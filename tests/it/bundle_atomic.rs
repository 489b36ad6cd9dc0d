//! The bundle folder is replaced as a whole or not at all.

use scc_onboard::bundle::{write_bundle, OutFile};
use std::fs;
use std::path::Path;

fn file(name: &str, body: &str) -> OutFile {
    OutFile {
        name: name.into(),
        bytes: body.as_bytes().to_vec(),
    }
}

fn listing(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut v: Vec<(String, Vec<u8>)> = fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (
                e.file_name().to_string_lossy().into_owned(),
                fs::read(e.path()).unwrap(),
            )
        })
        .collect();
    v.sort();
    v
}

#[test]
fn writes_files_and_a_manifest_with_their_hashes() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("nested/bundle");
    let entries = write_bundle(&out, vec![file("a.txt", "abc"), file("b.md", "# b\n")]).unwrap();
    let names: Vec<&str> = entries.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(names, ["a.txt", "b.md", "manifest.json"]);
    assert_eq!(
        entries[0].sha256,
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    );
    let manifest: serde_json::Value =
        serde_json::from_slice(&fs::read(out.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["files"][0]["sha256"], entries[0].sha256.as_str());
    assert_eq!(manifest["files"][1]["bytes"], 4);
    assert_eq!(fs::read_to_string(out.join("b.md")).unwrap(), "# b\n");
    // Nothing but the bundle is left next to it.
    let siblings: Vec<_> = fs::read_dir(out.parent().unwrap()).unwrap().collect();
    assert_eq!(siblings.len(), 1);
}

#[test]
fn a_failure_mid_write_leaves_the_previous_bundle_whole() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("bundle");
    write_bundle(&out, vec![file("a.txt", "old a"), file("b.txt", "old b")]).unwrap();
    let before = listing(&out);

    // The third file's name is longer than any file system allows, so writing fails after
    // two new files were already written.
    let too_long = "x".repeat(300);
    let err = write_bundle(
        &out,
        vec![
            file("a.txt", "new a"),
            file("b.txt", "new b"),
            file(&too_long, "boom"),
        ],
    )
    .unwrap_err();
    assert!(err.to_string().contains("xxxx"), "{err}");
    assert_eq!(listing(&out), before, "old bundle changed");
    let siblings: Vec<String> = fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(siblings, ["bundle"], "temporary folders left behind");
}

#[test]
fn replaces_an_earlier_bundle_completely() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("bundle");
    write_bundle(&out, vec![file("a.txt", "old"), file("gone.txt", "x")]).unwrap();
    write_bundle(&out, vec![file("a.txt", "new")]).unwrap();
    let names: Vec<String> = listing(&out).into_iter().map(|(n, _)| n).collect();
    assert_eq!(names, ["a.txt", "manifest.json"]);
    assert_eq!(fs::read_to_string(out.join("a.txt")).unwrap(), "new");
}

/// A crash between moving the old bundle aside and renaming the new one in leaves no bundle
/// and a hidden `.bundle.old-…`; the next export puts it back and replaces it (so the rule
/// "only an earlier bundle may be replaced" still applies to it), leaving nothing behind.
#[test]
fn a_bundle_left_aside_by_a_crash_is_recovered_then_replaced() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("bundle");
    write_bundle(&out, vec![file("a.txt", "old")]).unwrap();
    fs::rename(&out, tmp.path().join(".bundle.old-999999-0")).unwrap();
    write_bundle(&out, vec![file("a.txt", "new")]).unwrap();
    assert_eq!(fs::read_to_string(out.join("a.txt")).unwrap(), "new");
    let siblings: Vec<String> = fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(siblings, ["bundle"], "nothing left aside");

    // A crash after the new bundle was in place leaves only a stale aside copy.
    write_bundle(&out, vec![file("a.txt", "newer")]).unwrap();
    let stale = tmp.path().join(".bundle.old-999999-1");
    write_bundle(&stale, vec![file("a.txt", "older")]).unwrap();
    // Look-alikes that are not ours stay untouched.
    let mine = tmp.path().join(".bundle.old-notes");
    fs::create_dir(&mine).unwrap();
    let not_a_bundle = tmp.path().join(".bundle.old-1-2");
    fs::create_dir(&not_a_bundle).unwrap();
    write_bundle(&out, vec![file("a.txt", "newest")]).unwrap();
    assert_eq!(fs::read_to_string(out.join("a.txt")).unwrap(), "newest");
    assert!(!stale.exists());
    assert!(mine.exists() && not_a_bundle.exists());
}

#[test]
fn refuses_to_replace_a_folder_that_is_not_a_bundle() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("Documents");
    fs::create_dir(&out).unwrap();
    fs::write(out.join("thesis.docx"), "precious").unwrap();
    let err = write_bundle(&out, vec![file("a.txt", "x")]).unwrap_err();
    assert!(
        err.to_string().ends_with(
            "Documents: the folder exists and is not a submission bundle; choose a new or empty folder"
        ),
        "{err}"
    );
    assert_eq!(
        fs::read_to_string(out.join("thesis.docx")).unwrap(),
        "precious"
    );
    assert_eq!(listing(&out).len(), 1);
}

#[test]
fn an_empty_folder_is_used() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("empty");
    fs::create_dir(&out).unwrap();
    write_bundle(&out, vec![file("a.txt", "x")]).unwrap();
    assert_eq!(listing(&out).len(), 2);
}

#[test]
fn file_names_with_folders_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("b");
    assert!(write_bundle(&out, vec![file("../evil", "x")]).is_err());
    assert!(!out.exists());
}

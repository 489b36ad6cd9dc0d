//! `validate --json`: the report as one JSON document, serialized straight from the findings
//! into the writer (no intermediate `serde_json::Value` tree, which at a million rows cost a
//! third of the command's time and as much memory as the findings themselves). The findings,
//! nearly all of the document, are rendered on two threads, each half into a buffer of its own.
//!
//! The document's keys are in alphabetical order at every level, as the `Value` tree this
//! replaced wrote them: each struct below declares its fields in that order.
//! tests/it/cli_validate.rs compares the output byte for byte with documents written before.

use crate::roster::fix;
use crate::roster::import::{Detected, Notice};
use crate::roster::scan::RowFinding;
use crate::roster::Field;
use crate::usecase::validate::{Edited, Summary};
use serde::ser::{Serialize, Serializer};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

/// Writes the document and a newline to `out` (callers pass a buffered writer).
pub(super) fn write_report(
    out: &mut impl Write,
    file: &Path,
    d: &Detected,
    rows: usize,
    findings: &[RowFinding],
    edited: &Edited,
) -> std::io::Result<()> {
    let changes = Changes(edited);
    let notices = d.notices();
    let doc = Doc {
        changes: (edited.written.is_none() && !edited.sets.is_empty()).then_some(&changes),
        columns: Field::ALL
            .iter()
            .map(|f| (f.key(), d.header_for(*f)))
            .collect(),
        delimiter: delimiter_text(d.delimiter),
        encoding: d.encoding.name(),
        file: file.display().to_string(),
        findings: Findings(&[]),
        notices: Notices(&notices),
        output: edited.written.as_ref().map(|w| Output {
            cells_fixed: fix::cells_changed(&w.fixes),
            changes: &changes,
            left_out: LeftOut {
                rows: &w.summary.left_out,
                lines: &w.lines,
            },
            path: w.path.display().to_string(),
            rows_written: w.summary.written,
        }),
        rows,
        summary: Summary::of(findings),
    };
    // The document around an empty findings array is small: render it, then write the
    // findings (most of the document) into the array's place, rendered on two threads.
    let around = serde_json::to_vec(&doc)?;
    const EMPTY: &[u8] = b"\"findings\":[]";
    // The first occurrence is the key: a quote inside a string value is always escaped.
    let at = memchr::memmem::find(&around, EMPTY)
        .ok_or_else(|| std::io::Error::other("the report has no findings array"))?
        + EMPTY.len()
        - 1;
    out.write_all(&around[..at])?;
    let (a, b) = findings.split_at(findings.len() / 2);
    let (a, b) = std::thread::scope(|s| {
        let second = s.spawn(|| render_findings(b));
        (render_findings(a), second.join().expect("render thread"))
    });
    let (a, b) = (a?, b?);
    out.write_all(&a)?;
    if !a.is_empty() && !b.is_empty() {
        out.write_all(b",")?;
    }
    out.write_all(&b)?;
    out.write_all(&around[at..])?;
    out.write_all(b"\n")
}

/// Findings as the elements of a JSON array, comma-separated, without the brackets: what
/// `serde_json` writes for them inside the document, byte for byte.
fn render_findings(findings: &[RowFinding]) -> std::io::Result<Vec<u8>> {
    let mut buf = Vec::with_capacity(findings.len() * 256);
    for (i, f) in findings.iter().enumerate() {
        if i > 0 {
            buf.push(b',');
        }
        serde_json::to_writer(&mut buf, &finding_json(f))?;
    }
    Ok(buf)
}

fn delimiter_text(d: u8) -> String {
    if d == b'\t' {
        "\t".into()
    } else {
        (d as char).to_string()
    }
}

#[derive(serde::Serialize)]
struct Doc<'a> {
    /// Only without -o and with `--set`: the cells set (with -o they are in `output`).
    #[serde(skip_serializing_if = "Option::is_none")]
    changes: Option<&'a Changes<'a>>,
    columns: BTreeMap<&'static str, Option<&'a str>>,
    delimiter: String,
    encoding: &'static str,
    file: String,
    findings: Findings<'a>,
    notices: Notices<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    output: Option<Output<'a>>,
    rows: usize,
    summary: Summary,
}

/// Every finding, serialized as the sequence is walked.
struct Findings<'a>(&'a [RowFinding]);

impl Serialize for Findings<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.0.iter().map(finding_json))
    }
}

fn finding_json(f: &RowFinding) -> FindingJson<'_> {
    FindingJson {
        code: f.finding.code.as_str(),
        column: f.finding.field.map(Field::key),
        fix: f.finding.fix.as_deref(),
        line: f.line,
        message: &f.finding.message,
        row: f.row + 1,
        severity: f.finding.severity().as_str(),
        value: &f.value,
    }
}

#[derive(serde::Serialize)]
struct FindingJson<'a> {
    code: &'a str,
    column: Option<&'static str>,
    fix: Option<&'a str>,
    line: u64,
    message: &'a str,
    row: usize,
    severity: &'static str,
    value: &'a str,
}

struct Notices<'a>(&'a [Notice]);

impl Serialize for Notices<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.0.iter().map(|n| NoticeJson {
            code: n.code,
            first_line: n.first_line,
            last_line: n.last_line,
            message: &n.message,
        }))
    }
}

#[derive(serde::Serialize)]
struct NoticeJson<'a> {
    code: &'a str,
    first_line: u64,
    last_line: u64,
    message: &'a str,
}

#[derive(serde::Serialize)]
struct Output<'a> {
    cells_fixed: usize,
    changes: &'a Changes<'a>,
    left_out: LeftOut<'a>,
    path: String,
    rows_written: usize,
}

/// Every `--set`, then every fix, in the order applied.
struct Changes<'a>(&'a Edited);

impl Serialize for Changes<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let sets = self.0.sets.iter().map(|c| ChangeJson {
            code: None,
            column: c.field.key(),
            how: "set by --set",
            line: c.line,
            new: &c.new,
            old: &c.old,
            row: c.row + 1,
        });
        let fixes = self
            .0
            .written
            .iter()
            .flat_map(|w| &w.fixes)
            .map(|f| ChangeJson {
                code: Some(f.code.as_str()),
                column: f.field.key(),
                how: "fixed by --fix",
                line: f.line,
                new: &f.new,
                old: &f.old,
                row: f.row + 1,
            });
        s.collect_seq(sets.chain(fixes))
    }
}

#[derive(serde::Serialize)]
struct ChangeJson<'a> {
    code: Option<&'a str>,
    column: &'static str,
    how: &'static str,
    line: u64,
    new: &'a str,
    old: &'a str,
    row: usize,
}

/// The rows left out of the output (0-based `rows`, their source `lines`).
struct LeftOut<'a> {
    rows: &'a [usize],
    lines: &'a [u64],
}

impl Serialize for LeftOut<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(
            self.rows
                .iter()
                .zip(self.lines)
                .map(|(&r, &line)| RowLine { line, row: r + 1 }),
        )
    }
}

#[derive(serde::Serialize)]
struct RowLine {
    line: u64,
    row: usize,
}

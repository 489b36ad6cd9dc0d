//! Validate a roster: the whole-file streaming scan when nothing is changed or written, the
//! editable roster when cells are set, fixes applied or a submission CSV written. The CLI's
//! `validate` renders the [`Outcome`] (text or streamed JSON) and maps it to an exit code.

use crate::fsutil::{check_output_is_not_input, write_atomic};
use crate::roster::by_line::{self, SetApplied, SetCell};
use crate::roster::export::{write_submission_csv, CsvOptions, ExportSummary};
use crate::roster::import::{import_path, Detected, ImportOptions};
use crate::roster::scan::{scan_path, RowFinding};
use crate::roster::{fix, Code, Roster, Severity};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// What to validate, and what to change and write on the way.
#[derive(Debug, Clone)]
pub(crate) struct Request {
    /// The roster CSV to check.
    pub roster: PathBuf,
    /// How to read it (encoding, delimiter).
    pub import: ImportOptions,
    /// Cells to set first, in order (before the fixes).
    pub sets: Vec<SetCell>,
    /// Apply every suggested fix (only with an output: the fixed roster must go somewhere).
    pub fix: bool,
    /// Where to write the submission CSV (rows free of errors), if anywhere.
    pub output: Option<Output>,
}

/// The submission CSV to write.
#[derive(Debug, Clone)]
pub(crate) struct Output {
    pub path: PathBuf,
    /// Start with a UTF-8 byte-order mark (for Excel).
    pub bom: bool,
}

/// What the written output contains.
#[derive(Debug)]
pub(crate) struct Written {
    pub path: PathBuf,
    /// Every fix applied (`fix`), in order.
    pub fixes: Vec<fix::AppliedFix>,
    pub summary: ExportSummary,
    /// The source lines of `summary.left_out`.
    pub lines: Vec<u64>,
}

/// The roster after the sets and fixes: what changed, and what was written.
#[derive(Debug, Default)]
pub(crate) struct Edited {
    /// Every cell set, in order (applied before the fixes).
    pub sets: Vec<SetApplied>,
    pub written: Option<Written>,
}

/// The validation's result: what was read, the findings that remain, and any edits.
#[derive(Debug)]
pub(crate) struct Outcome {
    pub detected: Detected,
    /// Data rows read.
    pub rows: usize,
    /// The findings left after the edits, in row order.
    pub findings: Vec<RowFinding>,
    pub edited: Edited,
}

impl Outcome {
    /// Errors remaining (the roster is not ready while there are any).
    pub(crate) fn errors(&self) -> usize {
        self.findings
            .iter()
            .filter(|f| f.finding.severity() == Severity::Error)
            .count()
    }
}

/// Why validation could not run; each message names the file and what went wrong.
#[derive(Debug)]
pub(crate) enum Error {
    /// The output would overwrite an input.
    OutputIsInput(String),
    /// The roster could not be read.
    Read(String),
    /// A cell to set names no row or field (the message names the roster).
    Set(String),
    /// The output could not be written.
    Write {
        path: PathBuf,
        error: std::io::Error,
    },
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Error::OutputIsInput(m) | Error::Read(m) | Error::Set(m) => f.write_str(m),
            Error::Write { path, error } => write!(f, "cannot write {}: {error}", path.display()),
        }
    }
}

impl std::error::Error for Error {}

/// Validates `req.roster`, applying the sets and fixes and writing the output when asked.
pub(crate) fn run(req: &Request) -> Result<Outcome, Error> {
    if let Some(out) = &req.output {
        let inputs = [("the roster being validated", req.roster.as_path())];
        check_output_is_not_input(&out.path, &inputs).map_err(Error::OutputIsInput)?;
    }
    // The streaming scan is the fast way when nothing is changed or written; sets and an
    // output need the editable roster.
    if req.output.is_some() || !req.sets.is_empty() || req.fix {
        return edit_and_export(req);
    }
    let r = scan_path(&req.roster, &req.import).map_err(|e| Error::Read(e.to_string()))?;
    Ok(Outcome {
        detected: r.detected,
        rows: r.rows,
        findings: r.findings,
        edited: Edited::default(),
    })
}

/// Loads the roster for editing, applies the sets and then the fixes if asked, writes the
/// submission CSV (with an output) and reports the findings that remain.
fn edit_and_export(req: &Request) -> Result<Outcome, Error> {
    let imported = import_path(&req.roster, &req.import).map_err(|e| Error::Read(e.to_string()))?;
    let detected = imported.detected.clone();
    let mut roster = Roster::from_imported(imported);
    let sets = by_line::apply_sets(&mut roster, &req.sets)
        .map_err(|e| Error::Set(format!("{}: {e}", req.roster.display())))?;
    let fixes = if req.fix {
        fix::apply_all_fixes_logged(&mut roster)
    } else {
        Vec::new()
    };
    let findings = findings_of(&roster);
    let written = match &req.output {
        None => None,
        Some(out) => Some(write(&roster, out, fixes)?),
    };
    Ok(Outcome {
        detected,
        rows: roster.len(),
        findings,
        edited: Edited { sets, written },
    })
}

/// Every finding of the edited roster, in row order, with the cell's value.
fn findings_of(roster: &Roster) -> Vec<RowFinding> {
    let mut findings = Vec::new();
    for row in 0..roster.len() {
        let rec = roster.record(row);
        for f in roster.findings(row) {
            findings.push(RowFinding {
                row,
                line: rec.line,
                value: f
                    .field
                    .map(|fl| rec.cell(fl).to_string())
                    .unwrap_or_default(),
                finding: f.clone(),
            });
        }
    }
    findings
}

fn write(roster: &Roster, out: &Output, fixes: Vec<fix::AppliedFix>) -> Result<Written, Error> {
    let opts = CsvOptions { bom: out.bom };
    let summary =
        write_atomic(&out.path, |w| write_submission_csv(roster, w, &opts)).map_err(|error| {
            Error::Write {
                path: out.path.clone(),
                error,
            }
        })?;
    let lines = summary
        .left_out
        .iter()
        .map(|&r| roster.record(r).line)
        .collect();
    Ok(Written {
        path: out.path.clone(),
        fixes,
        summary,
        lines,
    })
}

/// The counts of the findings: the JSON report's `summary` and the human report's last line.
/// Fields in alphabetical order: the JSON document's keys are.
#[derive(Debug, serde::Serialize)]
pub(crate) struct Summary {
    pub by_code: BTreeMap<&'static str, usize>,
    pub errors: usize,
    pub rows_with_errors: usize,
    pub rows_with_warnings: usize,
    pub warnings: usize,
}

impl Summary {
    /// Counts `findings` (in row order, as an [`Outcome`] holds them) by code, severity and
    /// row.
    pub(crate) fn of(findings: &[RowFinding]) -> Summary {
        debug_assert!(
            findings.is_sorted_by_key(|f| f.row),
            "findings in row order"
        );
        // Counted by code in an array (a map insert per finding was a visible share of the
        // command's tail at 50,000 findings), rows by where they change: findings are in row order.
        let mut by_code = [0usize; Code::ALL.len()];
        let (mut errors, mut warnings) = (0, 0);
        let (mut rows_with_errors, mut rows_with_warnings) = (0, 0);
        let (mut last_error_row, mut last_warning_row) = (None, None);
        for f in findings {
            by_code[f.finding.code as usize] += 1;
            match f.finding.severity() {
                Severity::Error => {
                    errors += 1;
                    if last_error_row.replace(f.row) != Some(f.row) {
                        rows_with_errors += 1;
                    }
                }
                Severity::Warning => {
                    warnings += 1;
                    if last_warning_row.replace(f.row) != Some(f.row) {
                        rows_with_warnings += 1;
                    }
                }
            }
        }
        Summary {
            by_code: Code::ALL
                .iter()
                .zip(by_code)
                .filter(|&(_, n)| n > 0)
                .map(|(c, n)| (c.as_str(), n))
                .collect(),
            errors,
            rows_with_errors,
            rows_with_warnings,
            warnings,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn request(dir: &Path, csv: &str) -> Request {
        let roster = dir.join("roster.csv");
        std::fs::write(&roster, csv).unwrap();
        Request {
            roster,
            import: ImportOptions::default(),
            sets: Vec::new(),
            fix: false,
            output: None,
        }
    }

    const HEADER: &str =
        "Full name,Salesforce login,Salesforce user ID,Office 365 login,Office 365 email address\n";

    #[test]
    fn output_onto_the_roster_is_refused_before_reading() {
        let dir = tempfile::tempdir().unwrap();
        let mut req = request(dir.path(), HEADER);
        req.output = Some(Output {
            path: req.roster.clone(),
            bom: true,
        });
        assert!(matches!(run(&req), Err(Error::OutputIsInput(_))));
    }

    #[test]
    fn fixes_are_applied_and_written_and_the_scan_agrees_without_them() {
        let dir = tempfile::tempdir().unwrap();
        let csv = format!(
            "{HEADER}Ann Lee, ann@example.com ,005000000000001AAA,ann@example.com,ann@example.com\n"
        );
        let mut req = request(dir.path(), &csv);
        let scanned = run(&req).unwrap();
        assert!(scanned.edited.written.is_none());
        req.fix = true;
        req.output = Some(Output {
            path: dir.path().join("out.csv"),
            bom: false,
        });
        let fixed = run(&req).unwrap();
        let w = fixed.edited.written.as_ref().expect("written");
        assert_eq!(w.summary.written, 1);
        assert!(fixed.findings.len() <= scanned.findings.len());
        let text = std::fs::read_to_string(&w.path).unwrap();
        assert!(text.contains("ann@example.com"), "{text}");
    }
}

//! `scc-onboard validate`: report every problem in a roster; optionally fix and export it.

use super::import_args::ImportArgs;
use super::validate_json;
use super::Exit;
use crate::roster::by_line::SetCell;
use crate::roster::import::{delimiter, Detected};
use crate::roster::scan::RowFinding;
use crate::roster::{fix, Field, Severity};
use crate::usecase::submission::plural;
use crate::usecase::validate::{self, Edited, Outcome, Summary};
use clap::Args;
use std::io::{BufWriter, IsTerminal, Write};
use std::path::{Path, PathBuf};

/// Arguments of `validate`.
#[derive(Args, Debug)]
pub(crate) struct ValidateArgs {
    /// The roster CSV to check.
    pub roster: PathBuf,
    /// Print one JSON document instead of the human report.
    #[arg(long)]
    pub json: bool,
    /// Apply every suggested fix before writing the output (needs -o).
    #[arg(long, requires = "output")]
    pub fix: bool,
    /// Write the submission CSV (rows free of errors) to this file.
    #[arg(short, long)]
    pub output: Option<PathBuf>,
    /// Write the output without a UTF-8 byte-order mark (for tools rather than Excel).
    #[arg(long, requires = "output")]
    pub no_bom: bool,
    /// Set one cell before fixing and validating: LINE is the line the row starts on (as
    /// reported), FIELD a field key or column title, VALUE the rest after the first '='.
    /// Repeatable; each is listed with the changes.
    #[arg(long = "set", value_name = "LINE:FIELD=VALUE", value_parser = SetCell::parse)]
    pub sets: Vec<SetCell>,
    /// Print only the errors (one line each) and the summary line: no warnings, values,
    /// fix hints or change listing. --json ignores it.
    #[arg(long, short)]
    pub quiet: bool,
    #[command(flatten)]
    pub import: ImportArgs,
}

pub(super) fn run(args: ValidateArgs) -> Exit {
    let req = validate::Request {
        roster: args.roster.clone(),
        import: args.import.options(),
        sets: args.sets.clone(),
        fix: args.fix,
        output: args.output.clone().map(|path| validate::Output {
            path,
            bom: !args.no_bom,
        }),
    };
    let outcome = match validate::run(&req) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("scc-onboard: {e}");
            return Exit::Usage;
        }
    };
    let Outcome {
        detected,
        rows,
        findings,
        edited,
    } = &outcome;
    // Buffered: stdout is line-buffered, and a report can have tens of thousands of lines.
    let mut stdout = BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    let res = if args.json {
        validate_json::write_report(&mut stdout, &args.roster, detected, *rows, findings, edited)
    } else {
        let color = std::io::stdout().is_terminal()
            && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
        let report = Report {
            file: &args.roster,
            d: detected,
            rows: *rows,
            findings,
            edited,
            color,
        };
        if args.quiet {
            quiet_report(&mut stdout, &report)
        } else {
            human_report(&mut stdout, &report)
        }
    }
    .and_then(|()| stdout.flush());
    if let Err(e) = res {
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            eprintln!("scc-onboard: cannot write the report: {e}");
            return Exit::Usage;
        }
    }
    if outcome.errors() > 0 {
        Exit::Problems
    } else {
        Exit::Success
    }
}

fn paint(color: bool, code: &str, text: &str) -> String {
    if color {
        format!("\x1b[{code}m{text}\x1b[0m")
    } else {
        text.to_string()
    }
}

/// What the human reports show.
struct Report<'a> {
    file: &'a Path,
    d: &'a Detected,
    rows: usize,
    findings: &'a [RowFinding],
    edited: &'a Edited,
    color: bool,
}

/// The 1-based column of the finding's field in the file, when it has one.
fn column(f: &RowFinding, mapping: &[Option<usize>]) -> Option<usize> {
    f.finding
        .field
        .and_then(|fl| mapping[fl.index()])
        .map(|c| c + 1)
}

/// `"Field title: "` for a finding about one field, empty for a whole-row finding.
fn field_prefix(f: &RowFinding) -> String {
    f.finding
        .field
        .map(|fl| format!("{}: ", fl.title()))
        .unwrap_or_default()
}

/// `--quiet`: one line per error, `FILE:LINE:COLUMN: error CODE: Field: message` (no column
/// for a whole-row error), then the summary line; nothing else.
fn quiet_report(out: &mut impl Write, r: &Report) -> std::io::Result<()> {
    for f in r.findings {
        if f.finding.severity() != Severity::Error {
            continue;
        }
        let col = column(f, &r.d.mapping)
            .map(|c| format!(":{c}"))
            .unwrap_or_default();
        let what = field_prefix(f);
        writeln!(
            out,
            "{}:{}{col}: {} {}: {what}{}",
            r.file.display(),
            f.line,
            paint(r.color, "31;1", "error"),
            f.finding.code.as_str(),
            f.finding.message
        )?;
    }
    summary_line(out, r, false)
}

/// The last line of either report: the verdict and counts (with a hint unless `quiet`).
fn summary_line(out: &mut impl Write, r: &Report, hint: bool) -> std::io::Result<()> {
    let Summary {
        errors,
        warnings,
        rows_with_errors: rows_err,
        ..
    } = Summary::of(r.findings);
    let verdict = if errors > 0 {
        paint(r.color, "31;1", "✗")
    } else {
        paint(r.color, "32;1", "✓")
    };
    writeln!(
        out,
        "{verdict} {}, {} in {} ({} with errors){}",
        plural(errors, "error", "errors"),
        plural(warnings, "warning", "warnings"),
        plural(r.rows, "row", "rows"),
        plural(rows_err, "row", "rows"),
        if hint && errors > 0 && r.edited.written.is_none() {
            "; fix them, or run with --fix -o OUT.csv to apply the suggested fixes"
        } else {
            ""
        }
    )
}

fn human_report(out: &mut impl Write, r: &Report) -> std::io::Result<()> {
    let Report {
        file,
        d,
        rows,
        findings,
        edited,
        color,
    } = *r;
    let written = edited.written.as_ref();
    let how = |detected: bool| if detected { "detected" } else { "as told" };
    writeln!(
        out,
        "{}: {} ({}), {} ({}), {}",
        file.display(),
        d.encoding,
        how(d.encoding_detected),
        delimiter::name(d.delimiter),
        match (d.delimiter_detected, d.sep_line) {
            (true, true) => "the file's sep= line",
            (detected, _) => how(detected),
        },
        plural(rows, "row", "rows")
    )?;
    for n in d.notices() {
        writeln!(out, "  {}", n.message)?;
    }
    for f in Field::ALL {
        if let Some(h) = d.header_for(f) {
            if h != f.title() {
                writeln!(out, "  {} ← column \"{h}\"", f.title())?;
            }
        }
    }
    let mut last_line = None;
    for f in findings {
        if last_line != Some(f.line) {
            writeln!(out, "line {} (row {})", f.line, f.row + 1)?;
            last_line = Some(f.line);
        }
        let at = match column(f, &d.mapping) {
            Some(col) => format!("{}:{col}", f.line),
            None => f.line.to_string(),
        };
        let sev = match f.finding.severity() {
            Severity::Error => paint(color, "31;1", "error  "),
            Severity::Warning => paint(color, "33", "warning"),
        };
        let what = field_prefix(f);
        writeln!(
            out,
            "  {at:<9} {sev} {:<22} {what}{}",
            f.finding.code.as_str(),
            f.finding.message
        )?;
        if f.finding.field.is_some() {
            let shown = if f.value.chars().count() > 80 {
                format!("{}…", f.value.chars().take(80).collect::<String>())
            } else {
                f.value.clone()
            };
            let mut detail = format!("value {:?}", shown);
            if let Some(fix) = &f.finding.fix {
                detail.push_str(&format!("  → fix {fix:?}"));
            }
            writeln!(out, "  {:<9} {}", "", paint(color, "2", &detail))?;
        }
    }
    let at_cell = |line: u64, field: Field| match d.mapping[field.index()] {
        Some(col) => format!("{line}:{}", col + 1),
        None => line.to_string(),
    };
    if !edited.sets.is_empty() {
        writeln!(
            out,
            "set {} (--set):",
            plural(edited.sets.len(), "cell", "cells")
        )?;
        for s in &edited.sets {
            writeln!(
                out,
                "  {:<9} {:<22} {}: {:?} → {:?}",
                at_cell(s.line, s.field),
                "--set",
                s.field.title(),
                s.old,
                s.new
            )?;
        }
    }
    if let Some(w) = written {
        if !w.fixes.is_empty() {
            writeln!(
                out,
                "fixed {} ({}):",
                plural(fix::cells_changed(&w.fixes), "cell", "cells"),
                plural(w.fixes.len(), "fix", "fixes")
            )?;
            for f in &w.fixes {
                writeln!(
                    out,
                    "  {:<9} {:<22} {}: {:?} → {:?}",
                    at_cell(f.line, f.field),
                    f.code.as_str(),
                    f.field.title(),
                    f.old,
                    f.new
                )?;
            }
        }
        writeln!(
            out,
            "wrote {} to {}{}",
            plural(w.summary.written, "row", "rows"),
            w.path.display(),
            if w.fixes.is_empty() {
                String::new()
            } else {
                format!(
                    " after fixing {}",
                    plural(fix::cells_changed(&w.fixes), "cell", "cells")
                )
            }
        )?;
        if !w.lines.is_empty() {
            let lines: Vec<String> = w.lines.iter().map(u64::to_string).collect();
            writeln!(
                out,
                "left out {} with errors: lines {}",
                plural(lines.len(), "row", "rows"),
                lines.join(", ")
            )?;
        }
    }
    summary_line(out, r, true)
}

//! `scc-onboard export`: write the submission bundle from a roster (and optional choices).
//!
//! Exit codes: 0 the bundle was written; 1 nothing was written because included rows or the
//! choices have errors (fix them: `--fix`, `--set`, `--exclude`, `--exclude-invalid`, or the
//! wizard); 2 unusable input (unreadable roster or customization file, output folder that is
//! not a bundle, a `--set`/`--exclude` line that starts no row).

use super::import_args::{self, ImportArgs};
use super::Exit;
use crate::bundle::{self, ExportError};
use crate::roster::by_line::{LineList, SetCell};
use crate::usecase::export::{self, PrepareError, Request};
use crate::usecase::submission::plural;
use clap::Args;
use serde_json::json;
use std::io::Write;
use std::path::PathBuf;

/// Arguments of `export`.
#[derive(Args, Debug)]
pub(crate) struct ExportArgs {
    /// The roster CSV to submit.
    #[arg(required_unless_present = "session", conflicts_with = "session")]
    pub roster: Option<PathBuf>,
    /// A wizard session file: its roster (source file, import settings, every edit and
    /// exclusion) and its choices.
    #[arg(long, value_name = "FILE")]
    pub session: Option<PathBuf>,
    /// The choices: TOML or JSON keyed by setting key (or an earlier customization.json).
    /// Without it every setting takes its default (or the session's choices with --session).
    #[arg(long, value_name = "FILE")]
    pub customization: Option<PathBuf>,
    /// The result of `exchange check --json` (saved to a file) to record in report.md and
    /// customization.json; without it they say that no check ran.
    #[arg(long, value_name = "FILE")]
    pub exchange_check: Option<PathBuf>,
    /// Apply every suggested roster fix first (as `validate --fix` does).
    #[arg(long)]
    pub fix: bool,
    /// Exclude the rows that still have errors (after --fix) instead of refusing to export;
    /// report.md lists them with their errors.
    #[arg(long)]
    pub exclude_invalid: bool,
    /// Set one cell before anything else: LINE is the line the row starts on (as validate
    /// reports it), FIELD a field key or column title, VALUE the rest after the first '='.
    /// Repeatable; report.md lists each as a hand edit (--set).
    #[arg(long = "set", value_name = "LINE:FIELD=VALUE", value_parser = SetCell::parse)]
    pub sets: Vec<SetCell>,
    /// Leave out the rows starting on these lines (e.g. 7,10-14); repeatable. report.md says
    /// "excluded by the admin (--exclude)".
    #[arg(long = "exclude", value_name = "LINE[,LINE…]", value_parser = LineList::parse)]
    pub exclude: Vec<LineList>,
    /// Print what was written as one JSON document.
    #[arg(long)]
    pub json: bool,
    /// The bundle folder to write (created, or an earlier bundle replaced as a whole).
    #[arg(short, long, value_name = "DIR")]
    pub output: PathBuf,
    /// Write users.csv without a UTF-8 byte-order mark.
    #[arg(long)]
    pub no_bom: bool,
    /// Use this settings catalogue instead of the built-in one.
    #[arg(long, value_name = "FILE", hide = true)]
    pub catalogue: Option<PathBuf>,
    #[command(flatten)]
    pub import: ImportArgs,
}

/// Runs `export`; see the module docs for the exit codes. The decisions (what is loaded,
/// set, fixed, left out, whether the bundle is written) are `usecase::export`'s; this renders.
pub(super) fn run(args: ExportArgs) -> Exit {
    let usage = |msg: String| {
        eprintln!("scc-onboard: {msg}");
        Exit::Usage
    };
    if args.session.is_some() && args.import.given() {
        return usage(
            "--encoding, --delimiter and --column do not apply with --session: the session \
             records how its roster is read"
                .into(),
        );
    }
    let import_options = args.import.options();
    let source = match import_args::source(&args.roster, &args.session, &import_options) {
        Ok(s) => s,
        Err(m) => return usage(m),
    };
    let prepared = match export::prepare(&Request {
        source,
        customization: args.customization.as_deref(),
        catalogue: args.catalogue.as_deref(),
        exchange_check: args.exchange_check.as_deref(),
        sets: &args.sets,
        fix: args.fix,
        exclude: &args.exclude,
        exclude_invalid: args.exclude_invalid,
        bom: !args.no_bom,
    }) {
        Ok(p) => p,
        Err(PrepareError::Unplaced {
            session,
            source,
            items,
        }) => {
            let (text, doc) = unplaced_report(&session, &source, &items);
            if args.json {
                let _ = writeln!(std::io::stdout().lock(), "{doc}");
            }
            eprint!("{text}");
            return Exit::Problems;
        }
        Err(e) => return usage(e.to_string()),
    };
    let applied = &prepared.applied;
    if applied.moved > 0 {
        eprintln!(
            "note: {} changed since the session was saved; {} recorded change(s) were \
             found on their users' new rows",
            prepared.source_path.display(),
            applied.moved
        );
    }
    let roster = &prepared.roster;
    let roster_path = &prepared.source_path;
    let mut out = std::io::stdout().lock();
    // The command line replaces an earlier bundle as documented: there is no one to ask.
    match export::write(&prepared.job(), &args.output) {
        Ok(done) => {
            let res = if args.json {
                let rows = |rows: &[usize]| {
                    rows.iter()
                        .map(|&r| json!({ "row": r + 1, "line": roster.record(r).line }))
                        .collect::<Vec<_>>()
                };
                let doc = json!({
                    "written": true,
                    "output": args.output.display().to_string(),
                    "files": done.files.iter().map(|f| json!({
                        "name": f.name, "bytes": f.bytes, "sha256": f.sha256,
                    })).collect::<Vec<_>>(),
                    "rows_written": done.csv.written,
                    "rows_left_out": rows(&done.csv.left_out),
                    "cells_fixed": applied.cells_fixed,
                    "cells_set": applied.cells_set,
                    "rows_excluded": rows(&applied.excluded),
                    "rows_excluded_invalid": rows(&applied.excluded_invalid),
                    "warnings": done.choice_warnings.iter().map(|i| json!({
                        "setting": i.key, "message": i.message,
                    })).collect::<Vec<_>>(),
                });
                writeln!(out, "{doc}")
            } else {
                let mut s = format!("Wrote {}:\n", args.output.display());
                let folder = format!("{}/", bundle::invitations::FOLDER);
                for f in &done.files {
                    // One line for the invitations folder: it holds two files per user.
                    if f.name.starts_with(&folder) {
                        continue;
                    }
                    let extra = match f.name.as_str() {
                        "users.csv" => format!(" ({} users)", done.csv.written),
                        bundle::invitations::CSV_NAME => format!(
                            " (for mail merge)\n  {folder} ({} users: a .eml to send and the .toml it attaches)",
                            done.csv.written
                        ),
                        _ => String::new(),
                    };
                    s.push_str(&format!("  {}{extra}\n", f.name));
                }
                if applied.cells_fixed > 0 {
                    s.push_str(&format!(
                        "Applied suggested fixes to {} cells (each listed in \
                         report.md under \"Changes made by scc-onboard\").\n",
                        applied.cells_fixed
                    ));
                }
                if applied.cells_set > 0 {
                    s.push_str(&format!(
                        "Set {} (--set; listed in report.md as hand edits).\n",
                        plural(applied.cells_set, "cell", "cells")
                    ));
                }
                if !applied.excluded.is_empty() {
                    s.push_str(&format!(
                        "Excluded {} named by --exclude.\n",
                        plural(applied.excluded.len(), "row", "rows")
                    ));
                }
                if !applied.excluded_invalid.is_empty() {
                    s.push_str(&format!(
                        "Excluded {} with errors (--exclude-invalid).\n",
                        plural(applied.excluded_invalid.len(), "row", "rows")
                    ));
                }
                let excluded = roster.counts().excluded;
                if excluded > 0 {
                    s.push_str(&format!(
                        "{} left out (see report.md).\n",
                        plural(excluded, "excluded row", "excluded rows")
                    ));
                }
                for w in &done.choice_warnings {
                    s.push_str(&format!("warning: {}\n", w.message));
                }
                write!(out, "{s}")
            };
            // The bundle is written whatever happens to stdout (e.g. a closed pipe).
            let _ = res;
            Exit::Success
        }
        Err(ExportError::Write(e)) => usage(format!("nothing written: {e}")),
        Err(e) => {
            let mut problems: Vec<serde_json::Value> = Vec::new();
            let mut text = format!("scc-onboard: nothing written: {e}\n");
            match &e {
                ExportError::RosterErrors { rows } => {
                    for &(row, line) in rows {
                        for f in roster.findings(row) {
                            if f.severity() != crate::roster::Severity::Error {
                                continue;
                            }
                            let col = f.field.map_or("row", |fl| fl.title());
                            if problems.len() < 20 {
                                text.push_str(&format!(
                                    "  {}:{line}: {col}: {} [{}]\n",
                                    roster_path.display(),
                                    f.message,
                                    f.code.as_str()
                                ));
                            }
                            problems.push(json!({
                                "line": line, "row": row + 1, "column": f.field.map(|fl| fl.key()),
                                "code": f.code.as_str(), "message": f.message, "fix": f.fix,
                            }));
                        }
                    }
                    if problems.len() > 20 {
                        text.push_str(&format!("  …and {} more\n", problems.len() - 20));
                    }
                    text.push_str(&format!(
                        "Ways forward: --fix applies the suggested fixes; --set \
                         LINE:FIELD=VALUE corrects a cell; --exclude LINE[,LINE…] leaves given \
                         rows out; --exclude-invalid leaves out every row that still has errors \
                         (report.md lists them); or open the wizard: scc-onboard wizard {}\n",
                        roster_path.display()
                    ));
                }
                ExportError::ChoiceErrors { issues } => {
                    for i in issues {
                        let fix = i
                            .fix
                            .as_deref()
                            .map(|f| format!(" (use \"{f}\")"))
                            .unwrap_or_default();
                        text.push_str(&format!("  {}: {}{fix}\n", i.key, i.message));
                        problems
                            .push(json!({ "setting": i.key, "message": i.message, "fix": i.fix }));
                    }
                }
                _ => {}
            }
            if args.json {
                let doc = json!({ "written": false, "error": e.to_string(), "problems": problems });
                let _ = writeln!(out, "{doc}");
            }
            eprint!("{text}");
            Exit::Problems
        }
    }
}

/// The refusal listing every unplaced change (line, user, field, old → new, why).
fn unplaced_report(
    session: &std::path::Path,
    source: &std::path::Path,
    items: &[crate::session::Unplaced],
) -> (String, serde_json::Value) {
    use crate::session::UnplacedChange;
    let error = format!(
        "{} recorded change(s) of session {} could not be placed on their users' rows in {} \
         (the file changed since they were made)",
        items.len(),
        session.display(),
        source.display()
    );
    let mut text = format!("scc-onboard: nothing written: {error}:\n");
    let mut list = Vec::new();
    for u in items {
        let line = if u.line == 0 {
            "?".to_string()
        } else {
            u.line.to_string()
        };
        text.push_str(&format!(
            "  {}:{line}: {}: {} ({})\n",
            source.display(),
            u.who(),
            u.what(),
            u.reason.message()
        ));
        let mut item = json!({
            "line": (u.line != 0).then_some(u.line),
            "user": u.user,
            "operation": u.label,
            "reason": u.reason,
        });
        match &u.change {
            UnplacedChange::Cell { field, old, new } => {
                item["field"] = json!(field.key());
                item["old"] = json!(old);
                item["new"] = json!(new);
            }
            UnplacedChange::Exclude { excluded } => item["excluded"] = json!(excluded),
        }
        list.push(item);
    }
    text.push_str(&format!(
        "Nothing was applied on a guess. Open the wizard (scc-onboard wizard --session {}), \
         press p on the Fix step, and re-apply each change to its user's row or drop it; \
         then export again.\n",
        session.display()
    ));
    let doc = json!({ "written": false, "error": error, "unplaced": list });
    (text, doc)
}

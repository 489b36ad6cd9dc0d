//! `scc-onboard export`: write the submission bundle from a roster (and optional choices).
//!
//! Exit codes: 0 the bundle was written; 1 nothing was written because included rows or the
//! choices have errors (fix them: `--fix`, `--set`, `--exclude`, `--exclude-invalid`, or the
//! wizard); 2 unusable input (unreadable roster or customization file, output folder that is
//! not a bundle, a `--set`/`--exclude` line that starts no row).

use super::import_args::ImportArgs;
use super::{EXIT_PROBLEMS, EXIT_USAGE};
use crate::bundle::{self, Audit, BundleInput, ExportError, Provenance, SourceFile};
use crate::customize::file::{from_json_value, load_choices};
use crate::customize::{Catalogue, Choices, Guide, RosterFacts};
use crate::roster::by_line::{self, LineList, SetCell};
use crate::roster::export::CsvOptions;
use crate::roster::fix;
use crate::usecase::roster_source::{self, LoadError, RosterSource};
use crate::usecase::submission::plural;
use clap::Args;
use serde_json::json;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

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

/// Runs `export`; see the module docs for the exit codes.
pub(super) fn run(args: ExportArgs) -> ExitCode {
    let usage = |msg: String| {
        eprintln!("scc-onboard: {msg}");
        ExitCode::from(EXIT_USAGE)
    };
    let catalogue = match &args.catalogue {
        Some(p) => match Catalogue::load_path(p) {
            Ok(c) => std::sync::Arc::new(c),
            Err(e) => return usage(e.to_string()),
        },
        None => Catalogue::embedded(),
    };
    let guide = Guide::embedded();
    let import_given = args.import.encoding.is_some()
        || args.import.delimiter.is_some()
        || !args.import.columns.is_empty();
    if args.session.is_some() && import_given {
        return usage(
            "--encoding, --delimiter and --column do not apply with --session: the session \
             records how its roster is read"
                .into(),
        );
    }
    let import_options = args.import.options();
    let source = match &args.session {
        Some(path) => RosterSource::Session(path),
        None => RosterSource::File(
            args.roster.as_deref().unwrap_or(Path::new("")),
            &import_options,
        ),
    };
    let loaded = match roster_source::load(source) {
        Err(LoadError::Unplaced {
            session,
            source,
            items,
        }) => {
            let (text, doc) = unplaced_report(&session, &source, &items);
            if args.json {
                let _ = writeln!(std::io::stdout().lock(), "{doc}");
            }
            eprint!("{text}");
            return ExitCode::from(EXIT_PROBLEMS);
        }
        Err(e) => Err(e.to_string()),
        Ok(loaded) => {
            if let Some(s) = loaded.session.as_ref().filter(|s| s.moved > 0) {
                eprintln!(
                    "note: {} changed since the session was saved; {} recorded change(s) were \
                     found on their users' new rows",
                    loaded.source.display(),
                    s.moved
                );
            }
            let (choices, audit) = match (&args.session, loaded.session) {
                (Some(path), Some(s)) => (
                    Some((
                        format!("{} (customization)", path.display()),
                        s.customization,
                    )),
                    Audit::from_history(&s.history),
                ),
                _ => (None, Audit::default()),
            };
            Ok((loaded.roster, loaded.source, choices, audit))
        }
    };
    let (mut roster, roster_path, session_choices, mut audit) = match loaded {
        Ok(x) => x,
        Err(e) => return usage(e),
    };
    let source_file = match SourceFile::of_path(&roster_path) {
        Ok(f) => f,
        Err(e) => return usage(format!("cannot read {}: {e}", roster_path.display())),
    };
    let mut protect = vec![("the roster file".to_string(), roster_path.clone())];
    if let Some(s) = &args.session {
        protect.push(("the session file".into(), s.clone()));
        protect.push(("the session's edits".into(), crate::session::ops_dir(s)));
    }
    // --set first, so --fix and the checks below see the admin's values.
    let sets = match by_line::apply_sets(&mut roster, &args.sets) {
        Ok(s) => s,
        Err(e) => return usage(format!("{}: {e}", roster_path.display())),
    };
    audit.add_sets(&sets);
    let fixes = if args.fix {
        fix::apply_all_fixes_logged(&mut roster)
    } else {
        Vec::new()
    };
    audit.add_fixes(&fixes);
    let cells_fixed = fix::cells_changed(&fixes);
    let named = match by_line::rows_to_exclude(&roster, &args.exclude) {
        Ok(rows) => rows,
        Err(e) => return usage(format!("{}: {e}", roster_path.display())),
    };
    for &r in &named {
        roster.set_excluded(r, true);
        audit.excluded_by_flag.insert(r);
        audit.left_out_invalid.remove(&r);
    }
    let mut exclusion_reasons = std::collections::BTreeMap::new();
    let excluded_invalid: Vec<usize> = if args.exclude_invalid {
        let rows: Vec<usize> = roster.error_rows().collect();
        // Record why before excluding: an excluded row loses its duplicate findings.
        for &r in &rows {
            let why: Vec<String> = roster
                .findings(r)
                .iter()
                .filter(|f| f.severity() == crate::roster::Severity::Error)
                .map(|f| format!("{} ({})", f.message, f.code.as_str()))
                .collect();
            exclusion_reasons.insert(r, why.join("; "));
        }
        for &r in &rows {
            roster.set_excluded(r, true);
            audit.left_out_invalid.insert(r);
        }
        rows
    } else {
        Vec::new()
    };
    let exchange_check = match &args.exchange_check {
        None => None,
        Some(p) => match std::fs::read(p)
            .map_err(|e| e.to_string())
            .and_then(|b| crate::bundle::exchange_check::from_check_json(&b))
        {
            Ok(c) => Some(c),
            Err(e) => return usage(format!("--exchange-check {}: {e}", p.display())),
        },
    };
    let facts = RosterFacts::from_roster(&roster);
    let choices = match &args.customization {
        Some(p) => match load_choices(p, &catalogue, &facts) {
            Ok(c) => c,
            Err(e) => return usage(e.to_string()),
        },
        None => match session_choices {
            Some((name, value)) => match from_json_value(value, None, &name, &catalogue, &facts) {
                Ok(c) => c,
                Err(e) => return usage(e.to_string()),
            },
            None => Choices::defaults(&catalogue, &facts),
        },
    };
    // Only the file's name goes into the report: the admin's folders are not the vendor's business.
    let source = roster_path.file_name().map_or_else(
        || roster_path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    let input = BundleInput {
        roster: &roster,
        source: &source,
        catalogue: &catalogue,
        guide: &guide,
        choices: &choices,
        csv: CsvOptions { bom: !args.no_bom },
        exclusion_reasons,
        extra_files: vec![crate::bundle::user_config_file(&catalogue, &choices)],
        provenance: Provenance {
            source_file: Some(source_file),
            audit,
            protect,
        },
        exchange_check,
    };
    let mut out = std::io::stdout().lock();
    match bundle::export(&args.output, &input) {
        Ok(done) => {
            let res = if args.json {
                let doc = json!({
                    "written": true,
                    "output": args.output.display().to_string(),
                    "files": done.files.iter().map(|f| json!({
                        "name": f.name, "bytes": f.bytes, "sha256": f.sha256,
                    })).collect::<Vec<_>>(),
                    "rows_written": done.csv.written,
                    "rows_left_out": done.csv.left_out.iter().map(|&r| json!({
                        "row": r + 1, "line": roster.record(r).line,
                    })).collect::<Vec<_>>(),
                    "cells_fixed": cells_fixed,
                    "cells_set": sets.len(),
                    "rows_excluded": named.iter().map(|&r| json!({
                        "row": r + 1, "line": roster.record(r).line,
                    })).collect::<Vec<_>>(),
                    "rows_excluded_invalid": excluded_invalid.iter().map(|&r| json!({
                        "row": r + 1, "line": roster.record(r).line,
                    })).collect::<Vec<_>>(),
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
                if cells_fixed > 0 {
                    s.push_str(&format!(
                        "Applied suggested fixes to {cells_fixed} cells (each listed in \
                         report.md under \"Changes made by scc-onboard\").\n"
                    ));
                }
                if !sets.is_empty() {
                    s.push_str(&format!(
                        "Set {} (--set; listed in report.md as hand edits).\n",
                        plural(sets.len(), "cell", "cells")
                    ));
                }
                if !named.is_empty() {
                    s.push_str(&format!(
                        "Excluded {} named by --exclude.\n",
                        plural(named.len(), "row", "rows")
                    ));
                }
                if !excluded_invalid.is_empty() {
                    s.push_str(&format!(
                        "Excluded {} with errors (--exclude-invalid).\n",
                        plural(excluded_invalid.len(), "row", "rows")
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
            ExitCode::SUCCESS
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
            ExitCode::from(EXIT_PROBLEMS)
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

//! `scc-onboard customize`: the Customize and Exchange access steps without a terminal.
//! Prints a choices template (every setting with its default and help), or checks a
//! choices file against the catalogue and the roster.

use super::Exit;
use crate::customize::file::load_choices;
use crate::customize::{differences, validate, Catalogue, Choices, Kind, RosterFacts, Value};
use crate::roster::import::{import_path, ImportOptions};
use crate::roster::{Roster, Severity};
use clap::Args;
use serde_json::json;
use std::io::Write;
use std::path::PathBuf;

/// Arguments of `customize`.
#[derive(Args, Debug)]
pub(crate) struct CustomizeArgs {
    /// A roster whose domains fill the defaults (internal domains, tenant) and whose users
    /// are checked against the impersonating account.
    pub roster: Option<PathBuf>,
    /// Check this choices file (TOML or JSON) instead of printing the template.
    #[arg(long, value_name = "FILE")]
    pub check: Option<PathBuf>,
    /// With --check: print the result as one JSON document.
    #[arg(long, requires = "check")]
    pub json: bool,
    /// Write the template to this file instead of stdout.
    #[arg(short, long, value_name = "FILE", conflicts_with = "check")]
    pub output: Option<PathBuf>,
}

/// Runs `customize`: 0 clean, 1 the checked file has errors, 2 unusable input.
pub(super) fn run(args: CustomizeArgs) -> Exit {
    let usage = |msg: String| {
        eprintln!("scc-onboard: {msg}");
        Exit::Usage
    };
    if let (Some(out), Some(roster)) = (&args.output, &args.roster) {
        let inputs = [("the roster", roster.as_path())];
        if let Err(e) = crate::fsutil::check_output_is_not_input(out, &inputs) {
            return usage(e);
        }
    }
    let cat = Catalogue::embedded();
    let facts = match &args.roster {
        Some(p) => match import_path(p, &ImportOptions::default()) {
            Ok(i) => RosterFacts::from_roster(&Roster::from_imported(i)),
            Err(e) => return usage(e.to_string()),
        },
        None => RosterFacts::default(),
    };
    let Some(check) = &args.check else {
        let text = template(&cat, &Choices::defaults(&cat, &facts));
        let res = match &args.output {
            Some(p) => crate::fsutil::write_atomic(p, |w| w.write_all(text.as_bytes())),
            None => std::io::stdout().write_all(text.as_bytes()),
        };
        return match res {
            Ok(()) => Exit::Success,
            Err(e) => usage(format!("cannot write the template: {e}")),
        };
    };
    let choices = match load_choices(check, &cat, &facts) {
        Ok(c) => c,
        Err(e) => return usage(e.to_string()),
    };
    let issues = validate(&cat, &choices, &facts);
    let errors = issues
        .iter()
        .filter(|i| i.severity == Severity::Error)
        .count();
    let diffs = differences(&cat, &choices, &facts);
    let mut out = std::io::stdout().lock();
    let _ = if args.json {
        let doc = json!({
            "file": check.display().to_string(),
            "errors": errors,
            "warnings": issues.len() - errors,
            "issues": issues.iter().map(|i| json!({
                "setting": i.key, "severity": i.severity.as_str(),
                "message": i.message, "fix": i.fix,
            })).collect::<Vec<_>>(),
            "changed": diffs.iter().map(|d| json!({
                "setting": d.key, "value": d.value, "default": d.default,
            })).collect::<Vec<_>>(),
        });
        writeln!(out, "{doc}")
    } else {
        let mut s = String::new();
        for i in &issues {
            let fix = i
                .fix
                .as_deref()
                .map(|f| format!(" (use \"{f}\")"))
                .unwrap_or_default();
            s.push_str(&format!(
                "{}: {} {}: {}{fix}\n",
                check.display(),
                i.severity.as_str(),
                i.key,
                i.message
            ));
        }
        for d in &diffs {
            s.push_str(&format!(
                "changed: {}: {} (default: {})\n",
                d.title, d.value, d.default
            ));
        }
        s.push_str(&format!(
            "{} {} errors, {} warnings, {} settings changed from defaults\n",
            if errors == 0 { "✓" } else { "✗" },
            errors,
            issues.len() - errors,
            diffs.len()
        ));
        write!(out, "{s}")
    };
    if errors > 0 {
        Exit::Problems
    } else {
        Exit::Success
    }
}

/// A TOML choices file holding every setting at `choices`, with help as comments.
pub(super) fn template(cat: &Catalogue, choices: &Choices) -> String {
    let mut t = String::from(
        "# SmartCloud Connect choices for `scc-onboard export --customization FILE`.\n\
         # Every setting is listed with its default; delete the lines you keep as they are.\n",
    );
    for g in &cat.groups {
        t.push_str(&format!("\n# == {g} ==\n"));
        for s in cat.page_order().into_iter().filter(|s| &s.group == g) {
            t.push_str(&format!("\n# {}: {}\n", s.title, s.help));
            match s.kind {
                Kind::Choice => {
                    let opts: Vec<String> = s
                        .choices
                        .iter()
                        .map(|c| format!("\"{}\" ({})", c.value, c.label))
                        .collect();
                    t.push_str(&format!("# One of: {}\n", opts.join(", ")));
                }
                Kind::DomainList if !s.suggestions.is_empty() => {
                    t.push_str(&format!("# Suggested: {}\n", s.suggestions.join(", ")));
                }
                _ => {}
            }
            if !s.when.is_empty() {
                let conds: Vec<String> = s
                    .when
                    .iter()
                    .map(|w| match cat.get(&w.key).map(|d| d.kind) {
                        Some(Kind::Bool) => format!("{} = {}", w.key, w.equals),
                        _ => format!("{} = \"{}\"", w.key, w.equals),
                    })
                    .collect();
                t.push_str(&format!("# Applies only when {}.\n", conds.join(" and ")));
            }
            let v = choices.value_of(s);
            t.push_str(&format!("{} = {}\n", s.key, toml_value(v)));
        }
    }
    t
}

fn toml_value(v: &Value) -> String {
    // JSON string escapes are valid TOML basic-string escapes.
    let q = |s: &str| serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into());
    match v {
        Value::Bool(b) => b.to_string(),
        Value::Text(s) => q(s),
        Value::List(items) => format!(
            "[{}]",
            items.iter().map(|i| q(i)).collect::<Vec<_>>().join(", ")
        ),
    }
}

//! `report.md`: what was submitted and what the vendor should know — roster counts, every
//! change scc-onboard made to the roster, excluded rows and why, remaining warnings, and the
//! Exchange access plan with its checklists.

use super::customization_md::plan_summary;
use super::markdown::{code_block, escape};
use crate::customize::{ExchangePlan, Guide, Issue};
use crate::roster::{export::ExportSummary, Field, Roster, Severity};
use std::fmt::Write;

/// At most this many warnings are listed one by one; the rest are counted.
pub(super) const MAX_LISTED: usize = 500;

/// What the report is about.
pub(super) struct ReportInput<'a> {
    pub roster: &'a Roster,
    /// The roster file's name as the admin knows it.
    pub source: &'a str,
    pub csv: &'a ExportSummary,
    pub plan: &'a ExchangePlan,
    pub guide: &'a Guide,
    /// Warnings about the choices (errors block the export).
    pub choice_warnings: &'a [Issue],
    /// Why rows were excluded, when known (0-based row → reason).
    pub exclusion_reasons: &'a std::collections::BTreeMap<usize, String>,
    /// Every change made to the roster, and which rows were left out for their errors.
    pub audit: &'a super::Audit,
    /// The last Exchange access check, if one ran.
    pub check: Option<&'a super::exchange_check::CheckSummary>,
}

/// The reason given for a row left out by `--exclude-invalid` (or the wizard's `x`).
pub(super) const LEFT_OUT_INVALID: &str = "left out: has errors (--exclude-invalid)";
/// The reason given for a row the admin excluded.
pub(super) const EXCLUDED_BY_ADMIN: &str = "excluded by the admin";
/// The reason given for a row the admin named with `export --exclude`.
pub(super) const EXCLUDED_BY_FLAG: &str = "excluded by the admin (--exclude)";

/// Renders `report.md`.
pub(super) fn render(r: &ReportInput) -> String {
    let roster = r.roster;
    let counts = roster.counts();
    let mut md = String::new();
    let _ = writeln!(md, "# SmartCloud Connect onboarding report\n");
    let _ = writeln!(
        md,
        "Roster: {} · written by {}\n",
        escape(r.source),
        super::generator()
    );

    let _ = writeln!(md, "## Roster\n");
    let _ = writeln!(md, "| | Rows |\n|---|---:|");
    let _ = writeln!(md, "| In the roster file | {} |", roster.len());
    let _ = writeln!(md, "| Included | {} |", counts.included);
    let excluded: Vec<usize> = (0..roster.len())
        .filter(|&i| roster.is_excluded(i))
        .collect();
    let is_invalid = |row: &usize| r.audit.left_out_invalid.contains(row);
    let invalid = excluded.iter().filter(|row| is_invalid(row)).count();
    let _ = writeln!(
        md,
        "| Left out: has errors (--exclude-invalid) | {invalid} |"
    );
    let _ = writeln!(
        md,
        "| Excluded by the admin | {} |",
        excluded.len() - invalid
    );
    let _ = writeln!(md, "| Written to users.csv | {} |", r.csv.written);
    let _ = writeln!(
        md,
        "| Included with warnings | {} |",
        counts.rows_with_warnings
    );
    let _ = writeln!(
        md,
        "| Included with errors (not written) | {} |",
        counts.rows_with_errors
    );
    if !counts.per_code.is_empty() {
        let _ = writeln!(md, "\nFindings on included rows, by code:\n");
        let _ = writeln!(md, "| Code | Severity | Findings |\n|---|---|---:|");
        for (code, n) in &counts.per_code {
            let _ = writeln!(
                md,
                "| `{}` | {} | {n} |",
                code.as_str(),
                code.severity().as_str()
            );
        }
    }

    changes_section(&mut md, r);

    let _ = writeln!(md, "\n## Excluded rows\n");
    if excluded.is_empty() {
        let _ = writeln!(md, "None.");
    } else {
        let _ = writeln!(
            md,
            "These rows are not in users.csv: \"{LEFT_OUT_INVALID}\" rows were left out \
             together because they still had errors; \"{EXCLUDED_BY_ADMIN}\" rows were \
             excluded one by one. The findings are what validation found in the row when it \
             was excluded, or what it finds now.\n"
        );
        let _ = writeln!(
            md,
            "| Line | Full name | Office 365 login | Why |\n|---:|---|---|---|"
        );
        for &row in excluded.iter().take(MAX_LISTED) {
            let found: Vec<String> = roster
                .findings(row)
                .iter()
                .chain(&roster.duplicates_if_included(row))
                .map(|f| format!("{} (`{}`)", escape(&f.message), f.code.as_str()))
                .collect();
            let how = if is_invalid(&row) {
                LEFT_OUT_INVALID
            } else if r.audit.excluded_by_flag.contains(&row) {
                EXCLUDED_BY_FLAG
            } else {
                EXCLUDED_BY_ADMIN
            };
            let why = match (r.exclusion_reasons.get(&row), found.is_empty()) {
                (Some(reason), _) => format!("{how}: {}", escape(reason)),
                (None, false) => format!("{how}: {}", found.join("; ")),
                (None, true) if is_invalid(&row) => {
                    format!("{how} (no problem found in the row now)")
                }
                (None, true) => format!("{how} (no problem found in the row)"),
            };
            let _ = writeln!(
                md,
                "| {} | {} | {} | {} |",
                roster.record(row).line,
                escape(roster.cell(row, Field::FullName)),
                escape(roster.cell(row, Field::Office365Login)),
                why
            );
        }
        if excluded.len() > MAX_LISTED {
            let _ = writeln!(
                md,
                "\n…and {} more excluded rows.",
                excluded.len() - MAX_LISTED
            );
        }
    }

    let _ = writeln!(md, "\n## Remaining warnings\n");
    let mut listed = 0usize;
    let mut total = 0usize;
    for row in roster.problem_rows() {
        for f in roster.findings(row) {
            if f.severity() != Severity::Warning {
                continue;
            }
            total += 1;
            if listed < MAX_LISTED {
                listed += 1;
                let field = f
                    .field
                    .map_or("row".to_string(), |fl| fl.title().to_string());
                let _ = writeln!(
                    md,
                    "- Line {}, {}: {} (`{}`)",
                    roster.record(row).line,
                    field,
                    escape(&f.message),
                    f.code.as_str()
                );
            }
        }
    }
    for w in r.choice_warnings {
        total += 1;
        let _ = writeln!(md, "- Customization: {}", escape(&w.message));
    }
    if total == 0 {
        let _ = writeln!(md, "None.");
    } else if total > listed + r.choice_warnings.len() {
        let _ = writeln!(
            md,
            "\n…and {} more warnings.",
            total - listed - r.choice_warnings.len()
        );
    }

    let _ = writeln!(md, "\n## Exchange access plan\n");
    md.push_str(&plan_summary(r.plan));
    let mut cited: Vec<&str> = Vec::new();
    for n in &r.plan.notices {
        let body: Vec<String> = n
            .body
            .split("\n\n")
            .map(|p| escape(&p.replace('\n', " ")))
            .collect();
        let _ = writeln!(md, "\n### {}\n\n{}", escape(&n.title), body.join("\n\n"));
        cite(&mut md, r.guide, &n.sources, &mut cited);
    }
    for c in &r.plan.checklists {
        let _ = writeln!(md, "\n### {}\n", escape(&c.title));
        for item in &c.items {
            let mark = if item.ticked { "x" } else { " " };
            let note = item
                .note
                .as_deref()
                .map(|n| format!(" ({})", escape(n)))
                .unwrap_or_default();
            let _ = writeln!(md, "- [{mark}] {}{note}", escape(&item.text));
            if let Some(cmd) = &item.command {
                md.push('\n');
                for line in code_block("powershell", cmd).lines() {
                    let _ = writeln!(md, "  {line}");
                }
            }
        }
        cite(&mut md, r.guide, &c.sources, &mut cited);
    }
    let _ = writeln!(
        md,
        "\nTexts last compared with their sources on {}.",
        r.guide.checked
    );
    md.push_str(&super::exchange_check::section(
        r.check,
        r.plan.mode.as_str(),
        r.plan.api.as_str(),
    ));
    md
}

/// At most this many changes are listed one by one; the rest are counted.
pub(super) const MAX_CHANGES: usize = 5000;

/// "Changes made by scc-onboard": every cell changed, in order, with how and why.
fn changes_section(md: &mut String, r: &ReportInput) {
    let changes = &r.audit.changes;
    let _ = writeln!(md, "\n## Changes made by scc-onboard\n");
    if changes.is_empty() {
        let _ = writeln!(
            md,
            "None: users.csv holds the values of {} as they were read.",
            escape(r.source)
        );
        return;
    }
    let count = |k: super::ChangeKind| changes.iter().filter(|c| c.kind == k).count();
    let _ = writeln!(
        md,
        "Values of {1} changed: {0} in all; automatic fixes {2}, suggested fixes {3}, bulk \
         fixes {4}, hand edits {5}. A cell changed twice is listed twice, in order.\n",
        changes.len(),
        escape(r.source),
        count(super::ChangeKind::AutomaticFix),
        count(super::ChangeKind::SuggestedFix),
        count(super::ChangeKind::BulkFix),
        count(super::ChangeKind::HandEdit) + count(super::ChangeKind::SetFlag),
    );
    let _ = writeln!(
        md,
        "| Line | Field | How | Code | Old | New |\n|---:|---|---|---|---|---|"
    );
    for c in changes.iter().take(MAX_CHANGES) {
        let code = c
            .code
            .as_deref()
            .map_or(String::new(), |code| format!("`{code}`"));
        let _ = writeln!(
            md,
            "| {} | {} | {} | {code} | {} | {} |",
            c.line,
            c.field.title(),
            c.kind.describe(),
            shown(&c.old),
            shown(&c.new)
        );
    }
    if changes.len() > MAX_CHANGES {
        let _ = writeln!(md, "\n…and {} more changes.", changes.len() - MAX_CHANGES);
    }
}

/// A value in a table cell: quoted, with invisible and control characters spelled out
/// (`"\u{a0}jane@acme.com"`), so spaces, an empty value and what a fix removed all show.
fn shown(v: &str) -> String {
    escape(&format!("{v:?}"))
}

fn cite<'a>(md: &mut String, guide: &'a Guide, ids: &'a [String], cited: &mut Vec<&'a str>) {
    if ids.is_empty() {
        return;
    }
    let _ = writeln!(md, "\nSources:\n");
    for id in ids {
        if let Some(s) = guide.source(id) {
            let _ = writeln!(md, "- {} <{}>", escape(&s.title), s.url);
            cited.push(&s.id);
        }
    }
}

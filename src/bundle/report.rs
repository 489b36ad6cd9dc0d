//! `report.md`: what was submitted and what the vendor should know — roster counts, excluded
//! rows and why, remaining warnings, and the Exchange access plan with its checklists.

use super::customization_md::plan_summary;
use super::markdown::{code_block, escape};
use crate::customize::{ExchangePlan, Guide, Issue};
use crate::roster::{export::ExportSummary, Field, Roster, Severity};
use std::fmt::Write;

/// At most this many warnings are listed one by one; the rest are counted.
pub const MAX_LISTED: usize = 500;

/// What the report is about.
pub struct ReportInput<'a> {
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
}

/// Renders `report.md`.
pub fn render(r: &ReportInput) -> String {
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
    let _ = writeln!(md, "| Excluded by the admin | {} |", counts.excluded);
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

    let excluded: Vec<usize> = (0..roster.len())
        .filter(|&i| roster.is_excluded(i))
        .collect();
    let _ = writeln!(md, "\n## Excluded rows\n");
    if excluded.is_empty() {
        let _ = writeln!(md, "None.");
    } else {
        let _ = writeln!(
            md,
            "These rows are not in users.csv. The reason is what validation found in the row \
             when it was excluded, or what it finds now.\n"
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
            let why = match (r.exclusion_reasons.get(&row), found.is_empty()) {
                (Some(reason), _) => escape(reason),
                (None, false) => found.join("; "),
                (None, true) => "left out by the admin (no problem found in the row)".into(),
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
            let _ = writeln!(md, "- [{mark}] {}", escape(&item.text));
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
    md
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

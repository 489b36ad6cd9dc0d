//! Assembling the bundle from the roster and the choices, and refusing when it would be wrong.

use super::{
    customization_json, customization_md, invitations, report, write_bundle_about, About, Audit,
    Entry, OutFile, SourceFile, WriteError,
};
use crate::customize::{validate, Catalogue, Choices, ExchangePlan, Guide, Issue, RosterFacts};
use crate::roster::export::{write_submission_csv, CsvOptions, ExportSummary};
use crate::roster::{Roster, Severity};
use std::path::Path;

/// Everything a bundle is made from.
pub struct BundleInput<'a> {
    pub roster: &'a Roster,
    /// The roster file's name as the admin knows it (for the report).
    pub source: &'a str,
    pub catalogue: &'a Catalogue,
    pub guide: &'a Guide,
    pub choices: &'a Choices,
    pub csv: CsvOptions,
    /// Why rows were excluded, when known (0-based row → reason), for report.md.
    pub exclusion_reasons: std::collections::BTreeMap<usize, String>,
    /// More files to include as they are (e.g. the authorize step's `user-config.toml`).
    pub extra_files: Vec<OutFile>,
    /// Where the roster came from and what was done to it (report.md, manifest.json).
    pub provenance: Provenance,
    /// The last Exchange access check, if one ran (report.md, customization.json).
    pub exchange_check: Option<super::exchange_check::CheckSummary>,
}

/// What a bundle was made from and what was done on the way, for the vendor's audit.
#[derive(Clone, Debug, Default)]
pub struct Provenance {
    /// The source roster file (name, size, SHA-256) for manifest.json.
    pub source_file: Option<SourceFile>,
    /// Every change made to the roster, and which exclusions were `--exclude-invalid`.
    pub audit: Audit,
    /// Files the export must never delete (the source roster, the session file and its
    /// folder): the target folder may be neither one of them nor a folder holding one.
    pub protect: Vec<(String, std::path::PathBuf)>,
}

/// Why no bundle was written.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// Included rows have errors; 0-based rows with their file lines.
    #[error("{} (first at line {}); fix or exclude them first", match rows.len() { 1 => "1 included row has errors".to_string(), n => format!("{n} included rows have errors") }, rows.first().map_or(0, |r| r.1))]
    RosterErrors { rows: Vec<(usize, u64)> },
    #[error("the customization has {} errors: {}", issues.len(), issues.first().map_or("", |i| i.message.as_str()))]
    ChoiceErrors { issues: Vec<Issue> },
    #[error("the roster has no included rows to submit")]
    EmptyRoster,
    #[error(transparent)]
    Write(#[from] WriteError),
}

/// What was written.
#[derive(Debug)]
pub struct Exported {
    pub files: Vec<Entry>,
    pub csv: ExportSummary,
    /// Warnings about the choices (shown in report.md too).
    pub choice_warnings: Vec<Issue>,
}

/// Checks the input and renders every bundle file, without writing anything.
pub fn build_files(
    input: &BundleInput,
) -> Result<(Vec<OutFile>, ExportSummary, Vec<Issue>), ExportError> {
    let roster = input.roster;
    if roster.has_errors() {
        return Err(ExportError::RosterErrors {
            rows: roster
                .error_rows()
                .map(|r| (r, roster.record(r).line))
                .collect(),
        });
    }
    if roster.counts().included == 0 {
        return Err(ExportError::EmptyRoster);
    }
    let facts = RosterFacts::from_roster(roster);
    let issues = validate(input.catalogue, input.choices, &facts);
    let (errors, warnings): (Vec<Issue>, Vec<Issue>) = issues
        .into_iter()
        .partition(|i| i.severity == Severity::Error);
    if !errors.is_empty() {
        return Err(ExportError::ChoiceErrors { issues: errors });
    }
    let defaults = Choices::defaults(input.catalogue, &facts);
    let plan = ExchangePlan::new(input.guide, input.catalogue, input.choices, &facts);

    let mut csv = Vec::new();
    let summary =
        write_submission_csv(roster, &mut csv, &input.csv).map_err(|e| WriteError::Io {
            path: "users.csv".into(),
            source: e,
        })?;
    let check = input.exchange_check.as_ref();
    let json = customization_json::render(input.catalogue, input.choices, &defaults, &plan, check);
    let md = customization_md::render(input.catalogue, input.choices, &defaults, &plan);
    let report = report::render(&report::ReportInput {
        roster,
        source: input.source,
        csv: &summary,
        plan: &plan,
        guide: input.guide,
        choice_warnings: &warnings,
        exclusion_reasons: &input.exclusion_reasons,
        audit: &input.provenance.audit,
        check,
    });
    let mut files = vec![
        OutFile {
            name: "users.csv".into(),
            bytes: csv,
        },
        OutFile {
            name: "customization.json".into(),
            bytes: json,
        },
        OutFile {
            name: "customization.schema.json".into(),
            bytes: customization_json::SCHEMA.as_bytes().to_vec(),
        },
        OutFile {
            name: "customization.md".into(),
            bytes: md.into_bytes(),
        },
        OutFile {
            name: "report.md".into(),
            bytes: report.into_bytes(),
        },
    ];
    files.extend(input.extra_files.iter().cloned());
    files.extend(invitations::render(
        &invitations::Plan::new(input.catalogue, input.choices, &plan),
        (0..roster.len())
            .filter(|&r| !roster.is_excluded(r))
            .map(|r| roster.record(r).as_strs()),
        &input.csv,
    ));
    Ok((files, summary, warnings))
}

/// Builds the bundle and writes it to `dir`, replacing an earlier bundle there as a whole.
pub fn export(dir: &Path, input: &BundleInput) -> Result<Exported, ExportError> {
    // The folder is replaced as a whole: it must not be, or hold, one of the inputs.
    for (what, path) in &input.provenance.protect {
        if crate::fsutil::folder_holds(dir, path) {
            return Err(ExportError::Write(WriteError::Refused {
                path: dir.to_path_buf(),
                message: format!(
                    "{} {what} ({}), which replacing the folder would delete; \
                     choose another output folder",
                    if crate::fsutil::same_file(dir, path) {
                        "is"
                    } else {
                        "holds"
                    },
                    path.display()
                ),
            }));
        }
    }
    let (files, csv, choice_warnings) = build_files(input)?;
    let about = About {
        source: input.provenance.source_file.clone(),
        users: Some(csv.written),
    };
    let files = write_bundle_about(dir, files, about)?;
    Ok(Exported {
        files,
        csv,
        choice_warnings,
    })
}

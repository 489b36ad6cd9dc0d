//! Export: the submission bundle, planned then written, the same way for every face.
//!
//! A [`Job`] is everything the bundle is made from (roster, choices, provenance, the Exchange
//! check); it is built once, here — by [`prepare`] for a command line (a roster file or a
//! session, `--set`, `--fix`, `--exclude`, `--exclude-invalid`) or by [`Job::from_wizard`] for
//! the wizard — and turned into the bundle's input at one place ([`Job::bundle_input`]).
//! [`plan`] says what exporting would do (the [`Submission`] Review shows: blockers and
//! warnings; whether an earlier bundle would be replaced); [`export`] writes it or says why
//! not. Neither face decides whether to export.

use crate::bundle::{self, Audit, BundleInput, Entry, ExportError, Provenance, SourceFile};
use crate::customize::{Catalogue, Choices, Guide, Issue, RosterFacts};
use crate::roster::by_line::{self, LineList, SetCell};
use crate::roster::export::{CsvOptions, ExportSummary};
use crate::roster::{fix, Roster, Severity};
use crate::session::{self, Session, Unplaced};
use crate::usecase::roster_source::{self, LoadError, RosterSource};
use crate::usecase::submission::{CheckSummary, Submission, SubmissionInput};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Everything one bundle is made from.
pub(crate) struct Job<'a> {
    pub roster: &'a Roster,
    /// The roster file's name as the admin knows it (never its folders: they are not the
    /// vendor's business).
    pub source: String,
    pub catalogue: &'a Catalogue,
    pub guide: &'a Guide,
    pub choices: &'a Choices,
    /// users.csv starts with a UTF-8 byte-order mark (Excel reads it as UTF-8 then).
    pub bom: bool,
    /// Why rows were left out (0-based row → the errors it had), for report.md.
    pub exclusion_reasons: BTreeMap<usize, String>,
    pub provenance: Provenance,
    pub check: Option<CheckSummary>,
}

impl<'a> Job<'a> {
    /// The wizard's export: its roster and choices, its session (source file, history) and
    /// the files replacing the folder must not delete (the session, its edits, the source).
    pub(crate) fn from_wizard(
        roster: &'a Roster,
        session: Option<&Session>,
        session_path: &Path,
        catalogue: &'a Catalogue,
        guide: &'a Guide,
        choices: &'a Choices,
        check: Option<CheckSummary>,
    ) -> Job<'a> {
        let mut protect = vec![
            ("the session file".to_string(), session_path.to_path_buf()),
            (
                "the session's edits".to_string(),
                session::ops_dir(session_path),
            ),
        ];
        let provenance = match session {
            None => Provenance {
                protect,
                ..Default::default()
            },
            Some(s) => {
                protect.push(("the roster file".to_string(), s.source.path.clone()));
                Provenance {
                    source_file: Some(SourceFile {
                        name: bundle::manifest::file_name(&s.source.path),
                        bytes: s.source.size,
                        sha256: s.source.sha256.clone(),
                    }),
                    audit: Audit::from_history(&s.history),
                    protect,
                }
            }
        };
        Job {
            roster,
            source: session
                .and_then(|s| s.source.path.file_name())
                .map_or_else(String::new, |n| n.to_string_lossy().into_owned()),
            catalogue,
            guide,
            choices,
            bom: true,
            exclusion_reasons: BTreeMap::new(),
            provenance,
            check,
        }
    }

    /// The bundle's input: the one place a `BundleInput` is assembled.
    pub(crate) fn bundle_input(&self) -> BundleInput<'_> {
        BundleInput {
            roster: self.roster,
            source: &self.source,
            catalogue: self.catalogue,
            guide: self.guide,
            choices: self.choices,
            csv: CsvOptions { bom: self.bom },
            exclusion_reasons: self.exclusion_reasons.clone(),
            extra_files: vec![bundle::user_config_file(self.catalogue, self.choices)],
            provenance: self.provenance.clone(),
            exchange_check: self.check.clone(),
        }
    }
}

/// An earlier bundle in the output folder, which exporting replaces as a whole.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Replacing {
    /// When it was written (its manifest's `created`), if readable.
    pub written: Option<String>,
}

/// What exporting a job into a folder would do.
#[derive(Clone, Debug)]
pub(crate) struct Plan {
    /// The output folder, absolute where it can be resolved (the admin is told where).
    pub folder: PathBuf,
    /// An earlier bundle there that would be replaced (to confirm).
    pub replaces: Option<Replacing>,
    /// The users, the choices, and what blocks the export or deserves a look: the same
    /// summary the wizard's Review shows. (No face shows it with the replace question yet;
    /// the tests prove it blocks exactly when the export refuses.)
    #[cfg_attr(not(test), allow(dead_code))]
    pub submission: Submission,
}

impl Plan {
    /// Whether the bundle would be written (nothing blocks it).
    #[cfg(test)]
    pub(crate) fn ready(&self) -> bool {
        self.submission.ready()
    }
}

/// Plans exporting `job` into `dir`. Cost: one pass over the roster (its facts) and the
/// choices' validation; nothing is rendered or written.
pub(crate) fn plan(job: &Job, dir: &Path) -> Plan {
    let facts = RosterFacts::from_roster(job.roster);
    let submission = Submission::with_left_out(
        &SubmissionInput {
            roster: job.roster,
            catalogue: job.catalogue,
            guide: job.guide,
            choices: job.choices,
            facts: &facts,
            history: &[],
            // A source whose changes cannot be placed never becomes a job (see `prepare`;
            // the wizard blocks in Review).
            unplaced: 0,
            check: job.check.clone(),
        },
        &job.provenance.audit.left_out_invalid,
    );
    Plan {
        folder: std::path::absolute(dir).unwrap_or_else(|_| dir.to_path_buf()),
        replaces: bundle::manifest::is_bundle(dir).then(|| Replacing {
            written: bundle::manifest::created(dir),
        }),
        submission,
    }
}

/// Whether an earlier bundle in the folder may be replaced without asking.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Replace {
    /// Ask first ([`Outcome::ConfirmReplace`]).
    Ask,
    /// Replace it (the admin confirmed, or the command line's documented behaviour).
    Yes,
}

/// What exporting did.
#[derive(Debug)]
pub(crate) enum Outcome {
    Written(Written),
    /// Nothing written: the folder holds a bundle and replacing it needs a yes.
    ConfirmReplace(Box<Plan>),
}

/// A bundle written.
#[derive(Debug)]
pub(crate) struct Written {
    /// The output folder, absolute where it can be resolved.
    pub folder: PathBuf,
    /// The files, as the manifest lists them (manifest.json last).
    pub files: Vec<Entry>,
    /// users.csv: rows written and rows left out.
    pub csv: ExportSummary,
    /// Warnings about the choices (report.md lists them too).
    pub choice_warnings: Vec<Issue>,
}

/// Exports `job` into `dir`: asks first when `replace` says so and the folder holds an
/// earlier bundle; otherwise [`write`].
pub(crate) fn export(job: &Job, dir: &Path, replace: Replace) -> Result<Outcome, ExportError> {
    if replace == Replace::Ask && bundle::manifest::is_bundle(dir) {
        return Ok(Outcome::ConfirmReplace(Box::new(plan(job, dir))));
    }
    write(job, dir).map(Outcome::Written)
}

/// Writes the bundle of `job` into `dir`, replacing an earlier bundle there as a whole (never
/// half-written), or says why nothing was written.
pub(crate) fn write(job: &Job, dir: &Path) -> Result<Written, ExportError> {
    let done = bundle::export(dir, &job.bundle_input())?;
    Ok(Written {
        folder: std::path::absolute(dir).unwrap_or_else(|_| dir.to_path_buf()),
        files: done.files,
        csv: done.csv,
        choice_warnings: done.choice_warnings,
    })
}

/// A command line's export: where the roster comes from and what to do to it first.
pub(crate) struct Request<'a> {
    pub source: RosterSource<'a>,
    /// The choices file; without it the session's choices, or every default.
    pub customization: Option<&'a Path>,
    /// Another settings catalogue than the built-in one.
    pub catalogue: Option<&'a Path>,
    /// A saved `exchange check --json` result.
    pub exchange_check: Option<&'a Path>,
    /// Cells to set first (`--set`), before the fixes and the checks see them.
    pub sets: &'a [SetCell],
    /// Apply every suggested fix.
    pub fix: bool,
    /// Rows to leave out by line (`--exclude`).
    pub exclude: &'a [LineList],
    /// Leave out the rows that still have errors instead of refusing.
    pub exclude_invalid: bool,
    pub bom: bool,
}

/// What was done to the roster before the export, for the face to report.
#[derive(Clone, Debug, Default)]
pub(crate) struct Applied {
    /// A session's recorded changes found on their users' new rows (the file changed).
    pub moved: usize,
    pub cells_set: usize,
    pub cells_fixed: usize,
    /// 0-based rows left out by line (`--exclude`).
    pub excluded: Vec<usize>,
    /// 0-based rows left out because they had errors (`--exclude-invalid`).
    pub excluded_invalid: Vec<usize>,
}

/// A roster made ready for export, owning what its [`Job`] borrows.
pub(crate) struct Prepared {
    pub roster: Roster,
    /// The roster file (a session's: the file it records).
    pub source_path: PathBuf,
    pub catalogue: Arc<Catalogue>,
    pub guide: Arc<Guide>,
    pub choices: Choices,
    pub applied: Applied,
    bom: bool,
    exclusion_reasons: BTreeMap<usize, String>,
    provenance: Provenance,
    check: Option<CheckSummary>,
}

impl Prepared {
    /// The job to plan or export.
    pub(crate) fn job(&self) -> Job<'_> {
        Job {
            roster: &self.roster,
            source: bundle::manifest::file_name(&self.source_path),
            catalogue: &self.catalogue,
            guide: &self.guide,
            choices: &self.choices,
            bom: self.bom,
            exclusion_reasons: self.exclusion_reasons.clone(),
            provenance: self.provenance.clone(),
            check: self.check.clone(),
        }
    }
}

/// Why a roster could not be made ready.
#[derive(Debug)]
pub(crate) enum PrepareError {
    /// An input cannot be used; the message names it and says what to do.
    Unusable(String),
    /// The session's file changed and some recorded changes could not be placed with
    /// certainty: nothing is exported on a guess.
    Unplaced {
        session: PathBuf,
        source: PathBuf,
        items: Vec<Unplaced>,
    },
}

impl std::fmt::Display for PrepareError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PrepareError::Unusable(m) => f.write_str(m),
            PrepareError::Unplaced {
                session,
                source,
                items,
            } => write!(
                f,
                "{} recorded change(s) of session {} could not be placed on their users' rows \
                 in {} (the file changed since they were made)",
                items.len(),
                session.display(),
                source.display()
            ),
        }
    }
}

/// Loads the roster (file or session), sets the `--set` cells, applies the fixes, leaves
/// out the rows asked for, and reads the choices and the Exchange check: the job's inputs.
pub(crate) fn prepare(req: &Request) -> Result<Prepared, PrepareError> {
    let unusable = PrepareError::Unusable;
    let catalogue = match req.catalogue {
        Some(p) => Arc::new(Catalogue::load_path(p).map_err(|e| unusable(e.to_string()))?),
        None => Catalogue::embedded(),
    };
    let loaded = roster_source::load(req.source).map_err(|e| match e {
        LoadError::Unplaced {
            session,
            source,
            items,
        } => PrepareError::Unplaced {
            session,
            source,
            items,
        },
        LoadError::Unusable(m) => unusable(m),
    })?;
    let (mut roster, source_path) = (loaded.roster, loaded.source);
    let source_file = SourceFile::of_path(&source_path)
        .map_err(|e| unusable(format!("cannot read {}: {e}", source_path.display())))?;
    let mut protect = vec![("the roster file".to_string(), source_path.clone())];
    let (session_choices, mut audit, moved, session_check) = match (req.source, loaded.session) {
        (RosterSource::Session(path), Some(s)) => {
            protect.push(("the session file".into(), path.to_path_buf()));
            protect.push(("the session's edits".into(), session::ops_dir(path)));
            (
                Some((path, s.customization)),
                Audit::from_history(&s.history),
                s.moved,
                s.exchange_check,
            )
        }
        _ => (None, Audit::default(), 0, None),
    };
    let at_file = |e: by_line::NoRowAtLine| unusable(format!("{}: {e}", source_path.display()));
    // --set first, so the fixes and the checks below see the admin's values.
    let sets = by_line::apply_sets(&mut roster, req.sets).map_err(at_file)?;
    audit.add_sets(&sets);
    let fixes = if req.fix {
        fix::apply_all_fixes_logged(&mut roster)
    } else {
        Vec::new()
    };
    audit.add_fixes(&fixes);
    let excluded = by_line::rows_to_exclude(&roster, req.exclude).map_err(at_file)?;
    for &r in &excluded {
        roster.set_excluded(r, true);
        audit.excluded_by_flag.insert(r);
        audit.left_out_invalid.remove(&r);
    }
    let mut exclusion_reasons = BTreeMap::new();
    let excluded_invalid: Vec<usize> = if req.exclude_invalid {
        let rows: Vec<usize> = roster.error_rows().collect();
        // Record why before excluding: an excluded row loses its duplicate findings.
        for &r in &rows {
            let why: Vec<String> = roster
                .findings(r)
                .iter()
                .filter(|f| f.severity() == Severity::Error)
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
    let check = match req.exchange_check {
        // The wizard's last check, as its own export would record it; one the session cannot
        // read back (written by another version) is left out rather than refusing the export.
        None => session_check.and_then(|v| serde_json::from_value(v).ok()),
        Some(p) => Some(
            std::fs::read(p)
                .map_err(|e| e.to_string())
                .and_then(|b| bundle::exchange_check::from_check_json(&b))
                .map_err(|e| unusable(format!("--exchange-check {}: {e}", p.display())))?,
        ),
    };
    let facts = RosterFacts::from_roster(&roster);
    let choices = roster_source::choices(req.customization, session_choices, &catalogue, &facts)
        .map_err(unusable)?;
    Ok(Prepared {
        roster,
        source_path,
        catalogue,
        guide: Guide::embedded(),
        choices,
        applied: Applied {
            moved,
            cells_set: sets.len(),
            cells_fixed: fix::cells_changed(&fixes),
            excluded,
            excluded_invalid,
        },
        bom: req.bom,
        exclusion_reasons,
        provenance: Provenance {
            source_file: Some(source_file),
            audit,
            protect,
        },
        check,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::usecase::submission::tests::{defaults, roster, with_ids, GOOD};

    fn ready_choices(r: &Roster) -> Choices {
        with_ids(defaults(r))
    }

    fn job<'a>(r: &'a Roster, c: &'a Choices, cat: &'a Catalogue, g: &'a Guide) -> Job<'a> {
        Job::from_wizard(r, None, Path::new("/nowhere/s.json"), cat, g, c, None)
    }

    #[test]
    fn the_plan_blocks_exactly_when_the_export_refuses() {
        let (cat, guide) = (Catalogue::embedded(), Guide::embedded());
        let mut bad = GOOD;
        bad[2] = "xyz";
        let r = roster(&[GOOD, bad]);
        let c = ready_choices(&r);
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("bundle");
        let j = job(&r, &c, &cat, &guide);
        let p = plan(&j, &out);
        assert!(!p.ready());
        assert!(p.replaces.is_none());
        assert!(matches!(
            write(&j, &out),
            Err(ExportError::RosterErrors { ref rows }) if rows == &[(1, 3)]
        ));
        assert!(!out.exists(), "nothing written on a refusal");

        let r = roster(&[GOOD]);
        let c = ready_choices(&r);
        let j = job(&r, &c, &cat, &guide);
        assert!(
            plan(&j, &out).ready(),
            "{:?}",
            plan(&j, &out).submission.blockers
        );
        let w = write(&j, &out).unwrap();
        assert_eq!(w.csv.written, 1);
        assert!(w.folder.is_absolute());
        assert!(w.files.iter().any(|f| f.name == "users.csv"));
    }

    #[test]
    fn an_earlier_bundle_is_replaced_only_when_confirmed() {
        let (cat, guide) = (Catalogue::embedded(), Guide::embedded());
        let r = roster(&[GOOD]);
        let c = ready_choices(&r);
        let j = job(&r, &c, &cat, &guide);
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("bundle");
        assert!(matches!(
            export(&j, &out, Replace::Ask),
            Ok(Outcome::Written(_))
        ));
        let Ok(Outcome::ConfirmReplace(p)) = export(&j, &out, Replace::Ask) else {
            panic!("an earlier bundle needs a yes");
        };
        let replaced = p.replaces.expect("the plan names the bundle it replaces");
        assert!(replaced.written.is_some_and(|w| !w.is_empty()));
        assert!(matches!(
            export(&j, &out, Replace::Yes),
            Ok(Outcome::Written(_))
        ));
    }

    #[test]
    fn a_command_line_request_sets_fixes_and_leaves_out_before_the_job() {
        let dir = tempfile::tempdir().unwrap();
        let csv = dir.path().join("r.csv");
        std::fs::write(
            &csv,
            "Full name,Salesforce login,Salesforce user ID,Office 365 login,Office 365 email address\n\
             Ada Lovelace,ada@acme.com,005000000000001AAA,ada@acme.com,ada@acme.com\n\
             Bob,bob@acme.com,xyz,bob@acme.com,bob@acme.com\n\
             Cy,cy@acme.com,005000000000003AAA,cy@acme.com,cy@acme.com\n",
        )
        .unwrap();
        let opts = crate::roster::import::ImportOptions::default();
        let exclude = [LineList::parse("4").unwrap()];
        let p = prepare(&Request {
            source: RosterSource::File(&csv, &opts),
            customization: None,
            catalogue: None,
            exchange_check: None,
            sets: &[],
            fix: false,
            exclude: &exclude,
            exclude_invalid: true,
            bom: false,
        })
        .unwrap();
        assert_eq!(p.applied.excluded, [2]);
        assert_eq!(p.applied.excluded_invalid, [1]);
        let j = p.job();
        assert_eq!(j.source, "r.csv");
        assert!(
            j.exclusion_reasons[&1].contains("sfid"),
            "{:?}",
            j.exclusion_reasons
        );
        let s = plan(&j, dir.path()).submission;
        assert_eq!(s.users.included, 1);
        assert_eq!(s.users.left_out_invalid, 1);
        assert_eq!(s.users.excluded_by_admin, 1);
    }
}

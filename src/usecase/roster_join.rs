//! `roster join`: read the Salesforce and Microsoft 365 user exports, join them
//! (`directory::join` decides who matches) and write the roster of the matched people. The
//! same join and write serve `roster pull`, whose lists come from the two services instead.

use crate::directory::{self, JoinOptions, JoinOutcome, MicrosoftUser, Notice, SalesforceUser};
use crate::fsutil::{check_output_is_not_input, write_atomic};
use crate::roster::export::{write_csv, CsvOptions};
use std::path::{Path, PathBuf};

/// The two user lists read from their exports, with what each reader noticed.
#[derive(Debug)]
pub(crate) struct Exports {
    pub salesforce: Vec<SalesforceUser>,
    pub salesforce_notices: Vec<Notice>,
    pub microsoft: Vec<MicrosoftUser>,
    pub microsoft_notices: Vec<Notice>,
}

/// The join and what was written.
#[derive(Debug)]
pub(crate) struct Joined {
    pub outcome: JoinOutcome,
    /// The roster rows written, one per `outcome.matched`, in the five vendor columns.
    pub rows: Vec<[String; 5]>,
    /// Rows written to the output.
    pub written: usize,
}

/// Why the join could not be done or written; each message names the file.
#[derive(Debug, thiserror::Error)]
pub(crate) enum Error {
    /// The output would overwrite one of the exports.
    #[error("{0}")]
    OutputIsInput(String),
    /// An export could not be read.
    #[error("{0}")]
    Read(String),
    /// The roster could not be written.
    #[error("cannot write {}: {error}", path.display())]
    Write {
        path: PathBuf,
        error: std::io::Error,
    },
}

/// Reads both exports, after making sure `output` overwrites neither.
pub(crate) fn read_exports(
    salesforce_users: &Path,
    microsoft_users: &Path,
    output: &Path,
) -> Result<Exports, Error> {
    let inputs = [
        ("the Salesforce users export", salesforce_users),
        ("the Microsoft 365 users export", microsoft_users),
    ];
    check_output_is_not_input(output, &inputs).map_err(Error::OutputIsInput)?;
    let read = |e: directory::ImportError| Error::Read(e.to_string());
    let ((salesforce, salesforce_notices), (microsoft, microsoft_notices)) =
        directory::read_both(salesforce_users, microsoft_users).map_err(read)?;
    Ok(Exports {
        salesforce,
        salesforce_notices,
        microsoft,
        microsoft_notices,
    })
}

/// Joins the two lists and writes the matched people's roster to `output` (atomically).
pub(crate) fn join_and_write(
    sf: &[SalesforceUser],
    ms: &[MicrosoftUser],
    opts: &JoinOptions,
    output: &Path,
    bom: bool,
) -> Result<Joined, Error> {
    let outcome = directory::join(sf, ms, opts);
    let rows: Vec<[String; 5]> = outcome
        .matched
        .iter()
        .map(|m| m.roster_row(sf, ms))
        .collect();
    let csv = CsvOptions { bom };
    let written = write_atomic(output, |w| {
        write_csv(
            w,
            &csv,
            rows.iter().map(|r| r.each_ref().map(String::as_str)),
        )
    })
    .map_err(|error| Error::Write {
        path: output.to_path_buf(),
        error,
    })?;
    Ok(Joined {
        outcome,
        rows,
        written,
    })
}

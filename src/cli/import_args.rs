//! Import options shared by every command that reads a roster.

use crate::roster::import::{delimiter, Encoding, ImportOptions};
use crate::roster::Field;
use crate::usecase::roster_source::RosterSource;
use clap::Args;
use std::path::PathBuf;

/// `--encoding`, `--delimiter` and `--column` overrides.
#[derive(Args, Debug, Clone, Default)]
pub(crate) struct ImportArgs {
    /// Force the input encoding: utf-8, utf-8-bom, utf-16le, utf-16be, windows-1252
    /// (default: detected).
    #[arg(long, value_parser = parse_encoding)]
    pub encoding: Option<Encoding>,
    /// Force the delimiter: , ; | tab (default: detected).
    #[arg(long, value_parser = parse_delimiter)]
    pub delimiter: Option<u8>,
    /// Map a field to a header, e.g. --column salesforce_user_id="SF ID". Repeatable.
    #[arg(long = "column", value_name = "FIELD=HEADER", value_parser = parse_column)]
    pub columns: Vec<(Field, String)>,
}

impl ImportArgs {
    pub(crate) fn options(&self) -> ImportOptions {
        ImportOptions {
            encoding: self.encoding,
            delimiter: self.delimiter,
            columns: self.columns.clone(),
        }
    }

    /// Whether any option was given (a session records how its roster is read).
    pub(crate) fn given(&self) -> bool {
        self.encoding.is_some() || self.delimiter.is_some() || !self.columns.is_empty()
    }
}

/// The roster a command reads: the session when one is given, else the file read with
/// `options` (clap makes one of the two required).
pub(super) fn source<'a>(
    roster: &'a Option<PathBuf>,
    session: &'a Option<PathBuf>,
    options: &'a ImportOptions,
) -> Result<RosterSource<'a>, String> {
    match (session, roster) {
        (Some(s), _) => Ok(RosterSource::Session(s)),
        (None, Some(r)) => Ok(RosterSource::File(r, options)),
        (None, None) => Err("give a roster file or --session".into()),
    }
}

fn parse_encoding(s: &str) -> Result<Encoding, String> {
    Encoding::parse(s).ok_or_else(|| {
        format!("unknown encoding '{s}'; use utf-8, utf-8-bom, utf-16le, utf-16be or windows-1252")
    })
}

fn parse_delimiter(s: &str) -> Result<u8, String> {
    delimiter::parse(s).ok_or_else(|| format!("unknown delimiter '{s}'; use , ; | or tab"))
}

fn parse_column(s: &str) -> Result<(Field, String), String> {
    let (f, h) = s
        .split_once('=')
        .ok_or_else(|| format!("'{s}' is not FIELD=HEADER"))?;
    let field = Field::parse(f).ok_or_else(|| {
        let keys: Vec<&str> = Field::ALL.iter().map(|f| f.key()).collect();
        format!("unknown field '{f}'; fields: {}", keys.join(", "))
    })?;
    Ok((field, h.to_string()))
}

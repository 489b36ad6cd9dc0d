//! Writing the submission CSV.
//!
//! Format: UTF-8 (with a BOM unless asked not to, so Excel opens it right), comma, RFC 4180
//! quoting, CRLF, the vendor's five titles as header, only included rows free of errors.
//!
//! No cell can run as a spreadsheet formula (OWASP "CSV injection"): a value that starts with
//! `=`, `+`, `-`, `@`, tab or CR gets a leading `'`. So the mapping stays reversible, values
//! that already start with `'`s followed by such a character get one more, and the importer
//! ([`unneutralize`]) takes exactly one away.

use super::{Field, Roster};
use std::borrow::Cow;
use std::io::{self, Write};

/// Options for [`write_submission_csv`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CsvOptions {
    /// Start the file with a UTF-8 byte-order mark (default: yes, for Excel).
    pub bom: bool,
}

impl Default for CsvOptions {
    fn default() -> Self {
        CsvOptions { bom: true }
    }
}

/// What an export wrote and left out.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ExportSummary {
    /// Data rows written.
    pub written: usize,
    /// Included rows left out because they still have errors.
    pub left_out: Vec<usize>,
    /// Rows the admin excluded.
    pub excluded: Vec<usize>,
}

fn is_trigger(b: u8) -> bool {
    matches!(b, b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r')
}

/// The value as written to a CSV cell, made inert for spreadsheets.
pub fn neutralize(v: &str) -> Cow<'_, str> {
    let rest = v.trim_start_matches('\'');
    match rest.as_bytes().first() {
        Some(&b) if is_trigger(b) => Cow::Owned(format!("'{v}")),
        _ => Cow::Borrowed(v),
    }
}

/// Reverses [`neutralize`] on a value read back from a CSV cell.
pub fn unneutralize(v: &str) -> &str {
    match v.strip_prefix('\'') {
        Some(once)
            if once
                .trim_start_matches('\'')
                .bytes()
                .next()
                .is_some_and(is_trigger) =>
        {
            once
        }
        _ => v,
    }
}

/// Writes one CSV with the vendor header and the given rows' cells.
pub fn write_csv<'a, W: Write>(
    out: W,
    opts: &CsvOptions,
    rows: impl Iterator<Item = [&'a str; 5]>,
) -> io::Result<usize> {
    let mut out = io::BufWriter::new(out);
    if opts.bom {
        out.write_all(b"\xEF\xBB\xBF")?;
    }
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(out);
    w.write_record(Field::ALL.map(Field::title))?;
    let mut n = 0;
    for cells in rows {
        w.write_record(cells.iter().map(|c| neutralize(c).into_owned()))?;
        n += 1;
    }
    w.flush()?;
    Ok(n)
}

/// Writes the submission CSV of `roster`: included rows without errors.
pub fn write_submission_csv<W: Write>(
    roster: &Roster,
    out: W,
    opts: &CsvOptions,
) -> io::Result<ExportSummary> {
    let mut summary = ExportSummary::default();
    let mut keep = Vec::with_capacity(roster.len());
    for row in 0..roster.len() {
        if roster.is_excluded(row) {
            summary.excluded.push(row);
        } else if roster
            .findings(row)
            .iter()
            .any(|f| f.severity() == super::Severity::Error)
        {
            summary.left_out.push(row);
        } else {
            keep.push(row);
        }
    }
    summary.written = write_csv(out, opts, keep.iter().map(|&r| roster.record(r).as_strs()))?;
    Ok(summary)
}

/// The blank template: the header row only.
pub fn template() -> Vec<u8> {
    let mut buf = Vec::new();
    write_csv(&mut buf, &CsvOptions::default(), std::iter::empty()).expect("writing to memory");
    buf
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn neutralize_is_reversible_and_inert() {
        for v in [
            "=1+1", "+x", "-2", "@SUM(A1)", "\tx", "\rx", "'=x", "''+y", "'plain", "plain", "",
        ] {
            let n = neutralize(v);
            assert!(
                !n.as_bytes().first().is_some_and(|&b| is_trigger(b)),
                "{v:?}"
            );
            assert_eq!(unneutralize(&n), v);
        }
    }

    #[test]
    fn template_is_the_five_titles() {
        let t = String::from_utf8(template()).unwrap();
        assert_eq!(
            t,
            "\u{feff}Full name,Salesforce login,Salesforce user ID,Office 365 login,Office 365 email address\r\n"
        );
    }
}

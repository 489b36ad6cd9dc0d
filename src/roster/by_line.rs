//! The scripting admin's edits, addressed by the physical line a row starts on (the line
//! `validate` reports): set one cell (`--set LINE:FIELD=VALUE`) and leave rows out
//! (`--exclude LINE[,LINE…]`, ranges `10-14`). Parsing, checking the lines against the roster
//! and applying live here so `validate`, `export` and any later shell share one meaning.

use super::{Field, Roster};
use std::collections::HashMap;

/// One `--set LINE:FIELD=VALUE`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct SetCell {
    /// Physical line the row starts on.
    pub line: u64,
    pub field: Field,
    /// Everything after the first `=`, as given (may be empty, may hold `=` or `:`).
    pub value: String,
}

impl SetCell {
    /// Parses `LINE:FIELD=VALUE`; FIELD is a key (`office365_email`) or a column title
    /// (`Office 365 email address`), case and punctuation ignored.
    pub(crate) fn parse(s: &str) -> Result<SetCell, String> {
        let (target, value) = s
            .split_once('=')
            .ok_or_else(|| format!("'{s}' is not LINE:FIELD=VALUE (no '=')"))?;
        let (line, field) = target
            .split_once(':')
            .ok_or_else(|| format!("'{s}' is not LINE:FIELD=VALUE (no ':' after the line)"))?;
        let line = parse_line(line)?;
        let field = Field::parse(field).ok_or_else(|| {
            let keys: Vec<&str> = Field::ALL.iter().map(|f| f.key()).collect();
            format!(
                "unknown field '{}'; use one of {} (or a column title such as \"Office 365 \
                 login\")",
                field.trim(),
                keys.join(", ")
            )
        })?;
        Ok(SetCell {
            line,
            field,
            value: value.to_string(),
        })
    }
}

/// One `--exclude` argument: lines and ranges of lines (`7`, `10-14`, `7,10-14`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct LineList(pub Vec<(u64, u64)>);

impl LineList {
    /// Parses `LINE[,LINE…]` where a LINE may be a range `FIRST-LAST`.
    pub(crate) fn parse(s: &str) -> Result<LineList, String> {
        let mut out = Vec::new();
        for part in s.split(',') {
            let part = part.trim();
            if part.is_empty() {
                return Err(format!("'{s}' has an empty entry; give lines as 7,10-14"));
            }
            let (a, b) = match part.split_once('-') {
                Some((a, b)) => (parse_line(a)?, parse_line(b)?),
                None => {
                    let l = parse_line(part)?;
                    (l, l)
                }
            };
            if a > b {
                return Err(format!(
                    "range '{part}' runs backwards; write it as {b}-{a}"
                ));
            }
            out.push((a, b));
        }
        Ok(LineList(out))
    }
}

fn parse_line(s: &str) -> Result<u64, String> {
    match s.trim().parse::<u64>() {
        Ok(n) if n >= 1 => Ok(n),
        _ => Err(format!(
            "'{}' is not a line number (a whole number from 1, as validate reports it)",
            s.trim()
        )),
    }
}

/// A line that starts no row of the roster.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct NoRowAtLine {
    /// The flag and argument that named it (`--set 9:full_name=Jo`).
    pub flag: String,
    pub line: u64,
    /// The line of the row that holds `line` when it is a later line of a multi-line row.
    pub inside: Option<u64>,
    /// First and last line a row starts on (None for an empty roster).
    pub rows: Option<(u64, u64)>,
}

impl std::fmt::Display for NoRowAtLine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: line {} starts no row", self.flag, self.line)?;
        match (self.inside, self.rows) {
            (Some(start), _) => write!(
                f,
                " (it is inside the row that starts on line {start}: use {start})"
            ),
            (None, Some((first, last))) => write!(
                f,
                " (rows start on lines {first} to {last}; the header and blank lines are no \
                 rows): use the line numbers validate reports"
            ),
            (None, None) => write!(f, " (the roster has no rows)"),
        }
    }
}

impl std::error::Error for NoRowAtLine {}

/// A cell set by `--set`: where, and the value before and after.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SetApplied {
    /// 0-based roster row.
    pub row: usize,
    pub line: u64,
    pub field: Field,
    pub old: String,
    pub new: String,
}

/// Finds rows by the line they start on.
pub(crate) struct LineIndex {
    starts: HashMap<u64, usize>,
    /// (start line, row) in line order, to say which row a later line belongs to.
    sorted: Vec<(u64, usize)>,
}

impl LineIndex {
    pub(crate) fn new(roster: &Roster) -> LineIndex {
        let mut sorted: Vec<(u64, usize)> = (0..roster.len())
            .map(|r| (roster.record(r).line, r))
            .collect();
        sorted.sort_unstable();
        LineIndex {
            starts: sorted.iter().copied().collect(),
            sorted,
        }
    }

    /// The row starting on `line`, or why there is none (`flag` names the argument).
    pub(crate) fn row(&self, line: u64, flag: &str, roster: &Roster) -> Result<usize, NoRowAtLine> {
        if let Some(&r) = self.starts.get(&line) {
            return Ok(r);
        }
        // A later line of a row whose value runs over several lines: the row before it, if
        // that row's record reaches this far (its next row starts after `line`).
        let at = self.sorted.partition_point(|&(l, _)| l < line);
        let inside = at
            .checked_sub(1)
            .map(|i| self.sorted[i])
            .filter(|&(_, row)| spans_to(roster.record(row), line))
            .map(|(l, _)| l);
        Err(NoRowAtLine {
            flag: flag.to_string(),
            line,
            inside,
            rows: self
                .sorted
                .first()
                .zip(self.sorted.last())
                .map(|(a, b)| (a.0, b.0)),
        })
    }
}

/// Whether a record starting on its line runs on to `line` (its cells hold line breaks).
fn spans_to(rec: super::editable::RecordRef<'_>, line: u64) -> bool {
    let breaks: u64 = rec
        .cells
        .iter()
        .map(|c| c.matches('\n').count() as u64)
        .sum();
    rec.line + breaks >= line
}

/// Applies every `--set` in order (a later one for the same cell wins, and both are
/// recorded). Checks every line first: nothing changes when one starts no row.
pub(crate) fn apply_sets(
    roster: &mut Roster,
    sets: &[SetCell],
) -> Result<Vec<SetApplied>, NoRowAtLine> {
    let index = LineIndex::new(roster);
    let rows = sets
        .iter()
        .map(|s| {
            let flag = format!("--set {}:{}=…", s.line, s.field.key());
            index.row(s.line, &flag, roster)
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(sets
        .iter()
        .zip(rows)
        .map(|(s, row)| {
            let change = roster.set_cell(row, s.field, s.value.clone());
            SetApplied {
                row,
                line: s.line,
                field: s.field,
                old: change.old,
                new: s.value.clone(),
            }
        })
        .collect())
}

/// The rows `--exclude` names, in row order without repeats: each line, and every row that
/// starts within a range whose first and last lines start rows.
pub(crate) fn rows_to_exclude(
    roster: &Roster,
    lists: &[LineList],
) -> Result<Vec<usize>, NoRowAtLine> {
    let index = LineIndex::new(roster);
    let mut rows = std::collections::BTreeSet::new();
    for list in lists {
        for &(a, b) in &list.0 {
            let flag = if a == b {
                format!("--exclude {a}")
            } else {
                format!("--exclude {a}-{b}")
            };
            // Both ends must start a row (so a typo is caught); between them, every row
            // that starts there (a value running over lines leaves lines that start none).
            let first = index.row(a, &flag, roster)?;
            let last = index.row(b, &flag, roster)?;
            rows.extend([first, last]);
            let from = index.sorted.partition_point(|&(l, _)| l < a);
            let to = index.sorted.partition_point(|&(l, _)| l <= b);
            rows.extend(index.sorted[from..to].iter().map(|&(_, r)| r));
        }
    }
    Ok(rows.into_iter().collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::roster::{Code, Record};

    fn roster() -> Roster {
        let row = |line: u64, name: &str, login: &str| {
            Record::new(
                line,
                [
                    name.into(),
                    login.into(),
                    String::new(),
                    login.into(),
                    login.into(),
                ],
            )
        };
        Roster::from_records(vec![
            row(2, "Jane Doe", "jane@acme.com"),
            row(3, "Sam\nRoe", "sam@acme.com"),
            row(5, "Kim Poe", "kim@acme.com"),
        ])
    }

    #[test]
    fn parses_sets_with_keys_titles_and_values_holding_separators() {
        assert_eq!(
            SetCell::parse("7:Office 365 LOGIN=a=b:c").unwrap(),
            SetCell {
                line: 7,
                field: Field::Office365Login,
                value: "a=b:c".into()
            }
        );
        assert_eq!(SetCell::parse("2:full_name=").unwrap().value, "");
        let e = SetCell::parse("7:mail=x").unwrap_err();
        assert!(
            e.contains("unknown field 'mail'") && e.contains("office365_email"),
            "{e}"
        );
        assert!(SetCell::parse("x:full_name=y")
            .unwrap_err()
            .contains("'x' is not a line number"));
        assert!(SetCell::parse("0:full_name=y").is_err());
        assert!(SetCell::parse("7=y").unwrap_err().contains("no ':'"));
        assert!(SetCell::parse("7:full_name")
            .unwrap_err()
            .contains("no '='"));
    }

    #[test]
    fn parses_line_lists_and_ranges() {
        assert_eq!(
            LineList::parse("7, 10-14").unwrap(),
            LineList(vec![(7, 7), (10, 14)])
        );
        assert!(LineList::parse("14-10").unwrap_err().contains("10-14"));
        assert!(LineList::parse("7,,8").is_err());
        assert!(LineList::parse("a").is_err());
    }

    #[test]
    fn sets_revalidate_and_record_old_values() {
        let mut r = roster();
        assert!(r.findings(0).iter().any(|f| f.code == Code::MissingValue));
        let sets = [
            SetCell::parse("2:salesforce_user_id=005Hs00000AbCdEIAV").unwrap(),
            SetCell::parse("5:full_name=Kim Roe").unwrap(),
        ];
        let done = apply_sets(&mut r, &sets).unwrap();
        assert_eq!(done[0].row, 0);
        assert_eq!(
            (done[0].old.as_str(), done[0].new.as_str()),
            ("", "005Hs00000AbCdEIAV")
        );
        assert_eq!((done[1].row, done[1].old.as_str()), (2, "Kim Poe"));
        assert!(r.findings(0).is_empty(), "{:?}", r.findings(0));
        assert_eq!(r.cell(2, Field::FullName), "Kim Roe");
    }

    #[test]
    fn a_line_that_starts_no_row_changes_nothing_and_says_why() {
        let mut r = roster();
        let sets = [
            SetCell::parse("2:full_name=X").unwrap(),
            SetCell::parse("4:full_name=Y").unwrap(),
        ];
        let e = apply_sets(&mut r, &sets).unwrap_err();
        assert_eq!(e.inside, Some(3));
        assert_eq!(
            e.to_string(),
            "--set 4:full_name=…: line 4 starts no row (it is inside the row that starts on line 3: use 3)"
        );
        assert_eq!(r.cell(0, Field::FullName), "Jane Doe");
        let e = rows_to_exclude(&r, &[LineList::parse("1").unwrap()]).unwrap_err();
        assert!(e.to_string().contains("rows start on lines 2 to 5"), "{e}");
        let e = rows_to_exclude(&r, &[LineList::parse("5-6").unwrap()]).unwrap_err();
        assert!(
            e.to_string()
                .starts_with("--exclude 5-6: line 6 starts no row"),
            "{e}"
        );
        assert_eq!(
            rows_to_exclude(
                &r,
                &[
                    LineList::parse("5,2").unwrap(),
                    LineList::parse("2-3").unwrap()
                ]
            )
            .unwrap(),
            vec![0, 1, 2]
        );
        // Line 4 (inside row 2's name) starts no row, yet a range over it is fine.
        assert_eq!(
            rows_to_exclude(&r, &[LineList::parse("3-5").unwrap()]).unwrap(),
            vec![1, 2]
        );
    }
}

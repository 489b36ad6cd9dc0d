use super::*;
use crate::roster::import::import_bytes;
use crate::roster::synth::{generate, SynthOptions};
use crate::roster::{Code, Roster};
use std::io::Write;

fn write_temp(bytes: &[u8]) -> tempfile::NamedTempFile {
    let mut f = tempfile::NamedTempFile::new().unwrap();
    f.write_all(bytes).unwrap();
    f
}

/// The roster the wizard's load builds from a [`RosterStream`] (read again as Windows-1252
/// when it stops at a byte that is not UTF-8), with what it detected.
fn streamed_roster(path: &Path, opts: &ImportOptions) -> (Detected, Roster) {
    let mut stream = RosterStream::open(path, opts, false).unwrap();
    let mut roster = Roster::new();
    roster.set_header_len(stream.detected().headers.len());
    loop {
        match stream.next_batch() {
            Ok(Some(batch)) => roster.extend_checked(batch),
            Ok(None) => break,
            Err(StreamStop::NotUtf8) => {
                stream = RosterStream::open(path, opts, true).unwrap();
                roster = Roster::new();
                roster.set_header_len(stream.detected().headers.len());
            }
            Err(StreamStop::Import(e)) => panic!("{e}"),
        }
    }
    if let Some(first) = stream.footer_start() {
        roster.truncate(first);
    }
    roster.shrink_to_fit();
    (stream.detected().clone(), roster)
}

/// Two rosters hold the same rows, findings and counts.
fn assert_same_rosters(got: &Roster, want: &Roster) {
    assert_eq!(got.len(), want.len());
    for r in 0..want.len() {
        assert_eq!(got.record(r), want.record(r), "row {r}");
        assert_eq!(got.findings(r), want.findings(r), "row {r}");
    }
    assert_eq!(got.counts(), want.counts());
}

/// The streamed validator and the editable roster must report the same findings, and the
/// wizard's streamed load must build the roster an import builds.
fn assert_same_as_roster(bytes: &[u8]) -> ScanReport {
    let file = write_temp(bytes);
    let report = scan_path(file.path(), &ImportOptions::default()).unwrap();
    let imported = import_bytes(bytes, &ImportOptions::default()).unwrap();
    assert_eq!(report.detected, imported.detected);
    let (detected, streamed) = streamed_roster(file.path(), &ImportOptions::default());
    assert_eq!(detected, imported.detected);
    let roster = Roster::from_imported(imported);
    assert_same_rosters(&streamed, &roster);
    assert_eq!(report.rows, roster.len());
    let expected: Vec<(usize, u64, String, Finding)> = (0..roster.len())
        .flat_map(|r| roster.findings(r).iter().map(move |f| (r, f.clone())))
        .map(|(r, f)| {
            let rec = roster.record(r);
            let value = f
                .field
                .map(|fl| rec.cell(fl).to_string())
                .unwrap_or_default();
            (r, rec.line, value, f)
        })
        .collect();
    let got: Vec<(usize, u64, String, Finding)> = report
        .findings
        .iter()
        .map(|f| (f.row, f.line, f.value.clone(), f.finding.clone()))
        .collect();
    assert_eq!(got, expected);
    report
}

#[test]
fn agrees_with_the_roster_in_every_shape() {
    for (delimiter, crlf) in [(b',', true), (b';', false), (b'\t', true), (b'|', false)] {
        let s = generate(&SynthOptions {
            rows: 3000,
            error_rate: 0.2,
            delimiter,
            crlf,
            ..Default::default()
        });
        let report = assert_same_as_roster(s.csv.as_bytes());
        assert_eq!(report.rows, 3000);
        assert_eq!(report.detected.delimiter, delimiter);
    }
}

#[test]
fn finds_every_injected_defect() {
    let s = generate(&SynthOptions {
        rows: 5000,
        error_rate: 0.3,
        ..Default::default()
    });
    let file = write_temp(s.csv.as_bytes());
    let report = scan_path(file.path(), &ImportOptions::default()).unwrap();
    for (row, code) in &s.truth {
        assert!(
            report
                .findings
                .iter()
                .any(|f| f.row == *row && f.finding.code == *code),
            "row {row}: {code} not found"
        );
    }
    // Clean rows are never flagged.
    let dirty: std::collections::HashSet<usize> = s.truth.iter().map(|t| t.0).collect();
    assert!(report.findings.iter().all(|f| dirty.contains(&f.row)));
}

#[test]
fn utf16_and_bom_files_take_the_same_path_results() {
    let s = generate(&SynthOptions {
        rows: 500,
        error_rate: 0.2,
        delimiter: b'\t',
        ..Default::default()
    });
    let mut utf16 = vec![0xFF, 0xFE];
    utf16.extend(s.csv.encode_utf16().flat_map(u16::to_le_bytes));
    let r = assert_same_as_roster(&utf16);
    assert_eq!(r.detected.encoding, Encoding::Utf16Le);
    let bom = [b"\xEF\xBB\xBF".as_slice(), s.csv.as_bytes()].concat();
    let r = assert_same_as_roster(&bom);
    assert_eq!(r.detected.encoding, Encoding::Utf8Bom);
}

/// 2,000 clean rows (past the sniffed head), then `tail`: both engines and the wizard's load
/// must agree, and the file is read as Windows-1252.
fn read_as_windows_1252_for(tail: &[u8]) -> ScanReport {
    let s = generate(&SynthOptions {
        rows: 2000,
        error_rate: 0.0,
        ..Default::default()
    });
    let mut bytes = s.csv.into_bytes();
    assert!(
        bytes.len() > 64 * 1024,
        "the odd byte must be past the sniffed head"
    );
    bytes.extend_from_slice(tail);
    let report = assert_same_as_roster(&bytes);
    assert_eq!(report.detected.encoding, Encoding::Windows1252);
    assert_eq!(report.rows, 2001);
    report
}

#[test]
fn late_legacy_bytes_fall_back_to_windows_1252() {
    let report = read_as_windows_1252_for(
        b"Ren\xE9e M\xFCller,r@acme.com,005Hs00000AbCdE,r@acme.com,r@acme.com\r\n",
    );
    let last = report.findings.last().unwrap();
    assert_eq!((last.row, last.finding.code), (2000, Code::Sfid15));
}

/// Two quoted fields, each cut inside one character, that make a whole character once their
/// quotes and delimiter are gone: the batch's text is valid UTF-8, the cells are not. The load
/// must not take them as text (nor panic slicing them).
#[test]
fn a_character_split_across_two_fields_is_not_text() {
    read_as_windows_1252_for(
        b"\"Ren\xC3\",\"\xA9e@acme.com\",005Hs00000AbCdE,r@acme.com,r@acme.com\r\n",
    );
}

/// A BOM says UTF-8: a bad byte anywhere is replaced (as the importer does), and the file is
/// not re-read as Windows-1252 (which once turned the BOM into a header "ï»¿Full name").
#[test]
fn bad_bytes_after_a_bom_are_replaced_not_reread_as_windows_1252() {
    let s = generate(&SynthOptions {
        rows: 2000,
        error_rate: 0.0,
        ..Default::default()
    });
    for late in [false, true] {
        let mut bytes = b"\xEF\xBB\xBF".to_vec();
        let (head, rest) = s.csv.split_at(s.csv.find('\n').unwrap() + 1);
        bytes.extend_from_slice(head.as_bytes());
        let bad = b"Ren\xE9e,r@acme.com,005Hs00000AbCdE,r@acme.com,r@acme.com\r\n";
        if !late {
            bytes.extend_from_slice(bad);
        }
        bytes.extend_from_slice(rest.as_bytes());
        if late {
            bytes.extend_from_slice(bad);
        }
        let report = assert_same_as_roster(&bytes);
        assert_eq!(report.detected.encoding, Encoding::Utf8Bom);
        assert_eq!(report.rows, 2001);
    }
}

/// Each finding's line and code.
fn line_codes(report: &ScanReport) -> Vec<(u64, Code)> {
    report
        .findings
        .iter()
        .map(|f| (f.line, f.finding.code))
        .collect()
}

#[test]
fn lines_count_embedded_newlines_and_blank_lines() {
    let text = "Full name,Salesforce login,Salesforce user ID,Office 365 login,Office 365 email address\r\n\
                \"Jane\r\nDoe\",j@x.com,005Hs00000AbCdE,j@x.com,j@x.com\r\n\r\n,,,,\r\n\
                Bad,b@x.com,005Hs00000AbCdf,b@x.com,bx.com\r\n";
    let report = assert_same_as_roster(text.as_bytes());
    let lines = line_codes(&report);
    assert!(lines.contains(&(2, Code::NameLineBreak)));
    assert!(lines.contains(&(6, Code::AddressInvalid)), "{lines:?}");
}

/// Excel's `sep=` line and a stray quote, in each encoding: both engines agree on lines and
/// findings.
#[test]
fn a_sep_line_and_a_stray_quote_read_the_same_streamed() {
    let text = "sep=;\r\nFull name;Salesforce login;Salesforce user ID;Office 365 login;Office 365 email address\r\n\
                Ann;a@x.com;005Hs00000AbCdE;a@x.com;a@x.com\r\n\
                \"Bob;b@x.com;005Hs00000AbCdF;b@x.com;b@x.com\r\n\
                Cy;c@x.com;005Hs00000AbCdG;c@x.com;c@x.com\r\n\
                \"Di\";d@x.com;005Hs00000AbCdH;d@x.com;d@x.com\r\n";
    let cp1252 = text.replace("Ann", "Ren\u{e9}e");
    let cp1252: Vec<u8> = cp1252
        .chars()
        .map(|c| if c == '\u{e9}' { 0xE9 } else { c as u8 })
        .collect();
    let bom = [b"\xEF\xBB\xBF".as_slice(), text.as_bytes()].concat();
    for bytes in [text.as_bytes().to_vec(), bom, cp1252] {
        let report = assert_same_as_roster(&bytes);
        assert_eq!(report.detected.delimiter, b';');
        assert_eq!(report.rows, 2, "Ann, then Bob swallowing Cy");
        let codes = line_codes(&report);
        assert!(codes.contains(&(4, Code::StrayQuote)), "{codes:?}");
    }
}

/// PowerShell's `#TYPE` line, a report title and a blank line above the header: skipped by both
/// engines, with physical line numbers.
#[test]
fn lines_above_the_header_are_skipped_the_same_streamed() {
    let table =
        "Name,SF Username,SF User ID,UPN,Email\r\nAnn,a@x.com,005Hs00000AbCdE,a@x.com,ax.com\r\n";
    for (above, line) in [
        (
            "#TYPE Selected.Microsoft.ActiveDirectory.Management.ADUser\r\n",
            3,
        ),
        ("User report, 2026-11-25\r\n\r\n", 4),
        ("sep=,\r\n#TYPE System.Object\r\n", 4),
    ] {
        let text = format!("{above}{table}");
        let report = assert_same_as_roster(text.as_bytes());
        assert_eq!(report.detected.header_line, line - 1, "{above:?}");
        assert_eq!(report.rows, 1);
        let codes = line_codes(&report);
        assert!(codes.contains(&(line, Code::AddressInvalid)), "{codes:?}");
    }
}

/// Classic Mac exports end lines with a lone CR: lines are numbered as with CRLF, streamed too.
#[test]
fn lone_cr_line_ends_number_lines_the_same_streamed() {
    let text =
        "Full name,Salesforce login,Salesforce user ID,Office 365 login,Office 365 email address\r\
                \"Jane\rDoe\",j@x.com,005Hs00000AbCdE,j@x.com,j@x.com\r\r,,,,\r\
                Bad,b@x.com,005Hs00000AbCdf,b@x.com,bx.com\r";
    let report = assert_same_as_roster(text.as_bytes());
    let lines = line_codes(&report);
    assert!(lines.contains(&(2, Code::NameLineBreak)), "{lines:?}");
    assert!(lines.contains(&(6, Code::AddressInvalid)), "{lines:?}");
}

#[test]
fn unusable_files_are_errors_naming_the_file() {
    let file = write_temp(b"");
    let err = scan_path(file.path(), &ImportOptions::default())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains(&file.path().display().to_string()) && err.contains("empty"),
        "{err}"
    );
    let missing = scan_path(Path::new("/no/such/roster.csv"), &ImportOptions::default())
        .unwrap_err()
        .to_string();
    assert!(missing.contains("/no/such/roster.csv"), "{missing}");
}

/// Plain lines are split without csv-core; anything odd must still read exactly as csv-core
/// (through the csv crate) reads it: stray and doubled quotes, lone CRs, blank lines, short
/// and long rows, no final line end.
#[test]
fn odd_lines_read_exactly_as_the_importer_reads_them() {
    let header =
        "Full name,Salesforce login,Salesforce user ID,Office 365 login,Office 365 email address\n";
    let rows = [
        "a\"b,j@x.com,005Hs00000AbCdE,j@x.com,j@x.com\n",
        "Ann,j@x.com\r005Hs00000AbCdE,j@x.com,j@x.com\r\n",
        "\"Bo, \"\"B\"\"\",k@x.com,005Hs00000AbCdE,k@x.com,k@x.com\n",
        "Cy,c@x.com,005Hs00000AbCdE,c@x.com,c@x.com,extra\r\n",
        "\r\n\n\r",
        // White space only, vertical tab and form feed included: a blank row.
        "\u{b},\u{c}, ,\t\r\n",
        "Di,d@x.com\n",
        "Ed,e@x.com,005Hs00000AbCdE,e@x.com,\"e@x.com\"\"\"\n",
        "Fay,f@x.com,005Hs00000AbCdE,f@x.com,f@x.com",
    ];
    // Every row in every position, the last one without its line end.
    for start in 0..rows.len() {
        let mut text = header.to_string();
        for k in 0..rows.len() {
            text.push_str(rows[(start + k) % rows.len()]);
        }
        assert_same_as_roster(text.trim_end_matches(['\r', '\n']).as_bytes());
        assert_same_as_roster(text.as_bytes());
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(200))]
    #[test]
    fn any_mix_of_quotes_delimiters_and_line_ends_agrees(
        body in proptest::collection::vec(
            proptest::sample::select(vec!["a", "@", ".", "x@y.com", ",", ",", "\"", "\r", "\n", "\r\n", " ", "005Hs00000AbCdE"]),
            0..80,
        )
    ) {
        let text = format!(
            "Full name,Salesforce login,Salesforce user ID,Office 365 login,Office 365 email address\n{}",
            body.concat()
        );
        assert_same_as_roster(text.as_bytes());
    }
}

/// Legacy encodings stream through a decoder too; the duplicates' cells are then read back
/// from the decoded text, whose offsets differ from the file's once a character is not ASCII.
#[test]
fn legacy_encodings_stream_and_read_duplicates_back_exactly() {
    let s = generate(&SynthOptions {
        rows: 3000,
        error_rate: 0.3,
        delimiter: b';',
        ..Default::default()
    });
    // Non-ASCII early on, so decoded offsets drift from the file's.
    let text = s.csv.replacen(
        "\n",
        "\nRenée Müller;rm@acme.com;005Hs00000AbCdE;rm@acme.com;rm@acme.com\n",
        1,
    );
    // (Characters Windows-1252 lacks, e.g. zero-width spaces, become `&#…;`: still text.)
    let (cp1252, _, _) = encoding_rs::WINDOWS_1252.encode(&text);
    let mut utf16be = vec![0xFE, 0xFF];
    utf16be.extend(text.encode_utf16().flat_map(u16::to_be_bytes));
    for (bytes, encoding) in [
        (cp1252.into_owned(), Encoding::Windows1252),
        (utf16be, Encoding::Utf16Be),
    ] {
        assert!(bytes.len() > 64 * 1024);
        let report = assert_same_as_roster(&bytes);
        assert_eq!(report.detected.encoding, encoding);
        let dups = report
            .findings
            .iter()
            .filter(|f| f.finding.code.as_str().starts_with("dup-"))
            .count();
        assert!(dups > 50, "{dups} duplicates");
    }
}

/// A Salesforce report export (quoted title lines, a footer) in UTF-8, with a BOM and in
/// Windows-1252: both engines skip the same lines, find the same footer and the same findings; a
/// one-field line between users is still a row in both.
#[test]
fn report_exports_read_the_same_streamed() {
    let text = "\"Active users\"\r\n\"Users, \"\"active\"\" (Q4)\"\r\n\r\n\
        \"Full Name\",\"Username\",\"User ID\",\"UPN\",\"Email\"\r\n\
        \"Ren\u{e9}e Doe\",\"r@x.com\",\"005Hs00000AbCdEIAV\",\"r@x.com\",\"r@x.com\"\r\n\
        \"broken\"\r\n\
        \"Li Wei\",\"l@x.com\",\"005Hs00000AbCdFIAV\",\"l@x.com\",\"lx.com\"\r\n\
        \r\n\
        \"Active users\"\r\n\
        \"Copyright (c) 2000-2026 salesforce.com, inc. All rights reserved.\"\r\n\
        \"Confidential Information - Do Not Distribute\"\r\n\
        \"Generated By:  Jane Admin  11/30/2026 9:14 AM\"\r\n\
        \"Acme Inc.\"\r\n";
    let (cp1252, _, _) = encoding_rs::WINDOWS_1252.encode(text);
    let bom = [b"\xEF\xBB\xBF".as_slice(), text.as_bytes()].concat();
    for bytes in [text.as_bytes().to_vec(), bom, cp1252.into_owned()] {
        let report = assert_same_as_roster(&bytes);
        assert_eq!(report.rows, 3);
        assert_eq!(report.detected.header_line, 4);
        let footer = report.detected.footer.expect("a footer");
        assert_eq!((footer.first_line, footer.last_line), (9, 13));
        let codes = line_codes(&report);
        assert!(codes.contains(&(6, Code::WrongFieldCount)), "{codes:?}");
        assert!(codes.contains(&(7, Code::AddressInvalid)), "{codes:?}");
        assert!(codes.iter().all(|(line, _)| *line < 9), "{codes:?}");
    }
}

/// A footer line that repeats an earlier user's login is still no duplicate: it is not a user.
#[test]
fn footer_lines_are_no_duplicates() {
    let text =
        "Salesforce login,Full name,Salesforce user ID,Office 365 login,Office 365 email address\n\
                a@x.com,Ann,005Hs00000AbCdEIAV,a@x.com,a@x.com\n\
                \n\
                a@x.com\n";
    let report = assert_same_as_roster(text.as_bytes());
    assert_eq!(report.rows, 1);
    assert!(report.findings.is_empty(), "{:?}", report.findings);
    assert_eq!(report.detected.footer.map(|f| f.first_line), Some(4));
}

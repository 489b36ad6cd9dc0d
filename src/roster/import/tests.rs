use super::*;

const HEADER: &str =
    "Full name,Salesforce login,Salesforce user ID,Office 365 login,Office 365 email address";

fn rows(text: &str) -> Imported {
    import_bytes(text.as_bytes(), &ImportOptions::default()).expect("imports")
}

#[test]
fn reads_records_with_lines_and_skips_empty_trailers() {
    let text = format!(
        "{HEADER}\r\n\"Doe, Jane\",j@x.com,005,j@x.com,j@x.com\r\n\"Multi\nLine\",a,b,c,d\r\n,,,,\r\nLast,1,2,3,4\r\n"
    );
    let imp = rows(&text);
    assert_eq!(imp.records.len(), 3);
    assert_eq!(imp.records[0].line, 2);
    assert_eq!(imp.records[0].cells[0], "Doe, Jane");
    assert_eq!(imp.records[1].line, 3);
    assert_eq!(imp.records[1].cells[0], "Multi\nLine");
    assert_eq!(
        imp.records[2].line, 6,
        "the multi-line record and the trailer push it"
    );
}

#[test]
fn wrong_field_count_is_kept_not_fatal() {
    let imp = rows(&format!("{HEADER}\nA,b,c\nB,b,c,d,e,f\n"));
    assert_eq!(imp.records[0].field_count, 3);
    assert_eq!(imp.records[0].cells[3], "");
    assert_eq!(imp.records[1].field_count, 6);
}

#[test]
fn semicolon_windows_1252_excel_export() {
    let mut bytes = b"Name;Salesforce Username;SF User ID;UPN;E-mail\r\n".to_vec();
    bytes.extend_from_slice(b"Ren\xE9e M\xFCller;r@x.com;005;r@x.com;r@x.com\r\n");
    let imp = import_bytes(&bytes, &ImportOptions::default()).unwrap();
    assert_eq!(imp.detected.encoding, Encoding::Windows1252);
    assert_eq!(imp.detected.delimiter, b';');
    assert_eq!(imp.records[0].cells[0], "Renée Müller");
}

#[test]
fn utf16_tab_unicode_text() {
    let text = "Display Name\tSalesforce Login\tSalesforce ID\tOffice 365 Login\tMail\r\nZoë\ta\tb\tc\td\r\n";
    let mut bytes = vec![0xFF, 0xFE];
    bytes.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    let imp = import_bytes(&bytes, &ImportOptions::default()).unwrap();
    assert_eq!(imp.detected.encoding, Encoding::Utf16Le);
    assert_eq!(imp.detected.delimiter, b'\t');
    assert_eq!(imp.records[0].cells[0], "Zoë");
}

#[test]
fn bom_utf8_and_pipe() {
    let text = format!("\u{feff}{}\nA|b|c|d|e\n", HEADER.replace(',', "|"));
    let imp = rows(&text);
    assert_eq!(imp.detected.encoding, Encoding::Utf8Bom);
    assert_eq!(imp.detected.delimiter, b'|');
    assert_eq!(imp.detected.headers[0], "Full name");
}

#[test]
fn overrides_win() {
    let text = "Who,Login A,ID,Login B,Mail\nA,b,c,d,e\n";
    let opts = ImportOptions {
        columns: vec![
            (Field::FullName, "who".into()),
            (Field::SalesforceLogin, "Login A".into()),
            (Field::Office365Login, "Login B".into()),
        ],
        ..Default::default()
    };
    let imp = import_bytes(text.as_bytes(), &opts).unwrap();
    assert_eq!(
        imp.records[0].cells,
        ["A", "b", "c", "d", "e"].map(String::from)
    );
    let bad = ImportOptions {
        columns: vec![(Field::FullName, "Nobody".into())],
        ..Default::default()
    };
    let err = import_bytes(text.as_bytes(), &bad).unwrap_err().to_string();
    assert!(err.contains("no header \"Nobody\""), "{err}");
}

#[test]
fn missing_field_names_field_and_headers() {
    let err = import_bytes(b"Name,Email,Dept\nA,b,c\n", &ImportOptions::default())
        .unwrap_err()
        .in_file(Path::new("roster.csv"))
        .to_string();
    assert!(
        err.starts_with("roster.csv: no column for Salesforce login"),
        "{err}"
    );
    assert!(err.contains("\"Dept\""), "{err}");
    assert!(err.contains("--column"), "{err}");
}

#[test]
fn unusable_inputs_are_clear_errors() {
    let cases: [(&[u8], &str); 4] = [
        (b"", "empty"),
        (b"  \r\n\r\n", "empty"),
        (b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0", "binary"),
        (b"just some words\nand more\n", "not delimited"),
    ];
    for (bytes, want) in cases {
        let err = import_bytes(bytes, &ImportOptions::default())
            .unwrap_err()
            .to_string();
        assert!(err.contains(want), "{want}: {err}");
    }
}

#[test]
fn batches_report_progress() {
    let mut text = format!("{HEADER}\n");
    for i in 0..100 {
        text.push_str(&format!("N{i},a,b,c,d\n"));
    }
    let mut imp = Importer::new(text.into_bytes(), &ImportOptions::default()).unwrap();
    let mut out = Vec::new();
    assert!(imp.read_batch(10, &mut out).unwrap());
    assert_eq!(out.len(), 10);
    assert!(imp.bytes_done() > 0 && imp.bytes_done() < imp.bytes_total());
    while imp.read_batch(10, &mut out).unwrap() {}
    assert_eq!(out.len(), 100);
    assert_eq!(imp.bytes_done(), imp.bytes_total());
}

#[test]
fn excels_sep_line_names_the_delimiter_and_is_not_the_header() {
    // The data has more commas than pipes; the sep line wins over detection.
    let text = "\u{feff}sep=|\r\nFull name|Salesforce login|Salesforce user ID|Office 365 login|Office 365 email address\r\n\
                Doe, Jane, Dr.|j@x.com|005|j@x.com|j@x.com\r\n";
    let imp = rows(text);
    assert_eq!(imp.detected.delimiter, b'|');
    assert!(imp.detected.sep_line && imp.detected.delimiter_detected);
    assert_eq!(imp.detected.headers[0], "Full name");
    assert_eq!(imp.records.len(), 1);
    assert_eq!(imp.records[0].line, 3);
    assert_eq!(imp.records[0].cells[0], "Doe, Jane, Dr.");
    // A forced delimiter still skips the line.
    let forced = ImportOptions {
        delimiter: Some(b'|'),
        ..ImportOptions::default()
    };
    let imp = import_bytes(text.as_bytes(), &forced).unwrap();
    assert_eq!((imp.records.len(), imp.records[0].line), (1, 3));
}

#[test]
fn line_breaks_count_crlf_lf_and_a_lone_cr_once_each() {
    assert_eq!(line_breaks(b"a\r\nb\rc\nd", false), 3);
    assert_eq!(line_breaks(b"\r\r\n\n", false), 3);
    // A CRLF split between two reads: the CR was counted with the first part.
    assert_eq!(line_breaks(b"\nx", true), 0);
    assert_eq!(line_breaks(b"\nx", false), 1);
    assert_eq!(line_breaks(b"", true), 0);
}

#[test]
fn classic_mac_line_ends_number_the_lines() {
    let text = format!("{HEADER}\r\"Multi\rLine\",a,b,c,d\r\rLast,1,2,3,4\r");
    let imp = rows(&text);
    let lines: Vec<u64> = imp.records.iter().map(|r| r.line).collect();
    assert_eq!(lines, vec![2, 5]);
}

/// A Salesforce report export: quoted title lines above the header, every field quoted, a blank
/// line and one-field footer lines below the last user.
const REPORT: &str = "\"Active users\"\r\n\"Users, \"\"active\"\" (Q4)\"\r\n\r\n\
    \"Full Name\",\"Username\",\"User ID\",\"UPN\",\"Email\"\r\n\
    \"Jane Doe\",\"j@x.com\",\"005Hs00000AbCdEIAV\",\"j@x.com\",\"j@x.com\"\r\n\
    \"Li Wei\",\"l@x.com\",\"005Hs00000AbCdFIAV\",\"l@x.com\",\"l@x.com\"\r\n\
    \r\n\
    \"Active users\"\r\n\
    \"Copyright (c) 2000-2026 salesforce.com, inc. All rights reserved.\"\r\n\
    \"Confidential Information - Do Not Distribute\"\r\n\
    \"Generated By:  Jane Admin  11/30/2026 9:14 AM\"\r\n\
    \"Acme Inc.\"\r\n";

#[test]
fn a_report_export_imports_without_its_title_and_footer() {
    let imp = rows(REPORT);
    assert_eq!(imp.detected.header_line, 4);
    assert_eq!(
        imp.detected.preamble, 2,
        "two title records, the blank line is none"
    );
    let names: Vec<&str> = imp.records.iter().map(|r| r.cells[0].as_str()).collect();
    assert_eq!(names, ["Jane Doe", "Li Wei"]);
    assert_eq!(
        imp.detected.footer,
        Some(Footer {
            first_line: 8,
            last_line: 12,
            records: 5
        })
    );
    let notices: Vec<String> = imp
        .detected
        .notices()
        .into_iter()
        .map(|n| n.message)
        .collect();
    assert_eq!(
        notices,
        [
            "header on line 4: the line(s) above it are not part of the table and were skipped",
            "lines 8-12: report footer, not users"
        ]
    );
    // The same footer, unquoted: the copyright line's comma splits it, its text still counts.
    let plain = REPORT.replace(
        "\"Copyright (c) 2000-2026 salesforce.com, inc. All rights reserved.\"",
        "Copyright (c) 2000-2026 salesforce.com, inc. All rights reserved.",
    );
    assert_eq!(rows(&plain).detected.footer, imp.detected.footer);
}

#[test]
fn a_one_field_line_between_users_stays_a_row() {
    let text = format!("{HEADER}\nA,a,1,a,a\nbroken\nB,b,2,b,b\nlast one\n");
    let imp = rows(&text);
    let lines: Vec<(u64, usize)> = imp
        .records
        .iter()
        .map(|r| (r.line, r.field_count))
        .collect();
    assert_eq!(
        lines,
        [(2, 5), (3, 1), (4, 5)],
        "the trailing one-field line is the footer"
    );
    assert_eq!(
        imp.detected.footer.unwrap().to_string(),
        "line 5: report footer, not users"
    );
    // Too many one-field lines at the end are not a footer: every one stays a row.
    let many = format!(
        "{HEADER}\nA,a,1,a,a\n{}",
        "x\n".repeat(footer::MAX_FOOTER_RECORDS + 1)
    );
    let imp = rows(&many);
    assert_eq!(imp.records.len(), footer::MAX_FOOTER_RECORDS + 2);
    assert_eq!(imp.detected.footer, None);
    // Batches hand held-back lines on in order once a user row follows.
    let text = format!("{HEADER}\nA,a,1,a,a\nx\ny\nB,b,2,b,b\nC,c,3,c,c\n");
    let mut importer = Importer::new(text.into_bytes(), &ImportOptions::default()).unwrap();
    let mut out = Vec::new();
    while importer.read_batch(1, &mut out).unwrap() {}
    let lines: Vec<u64> = out.iter().map(|r| r.line).collect();
    assert_eq!(lines, [2, 3, 4, 5, 6]);
}

#[test]
fn a_stray_quote_above_the_header_is_not_stepped_over() {
    // The quote opens a field that runs into the next line: that line is no header.
    let text = format!("\"Report title\nstill the title\"\n{HEADER}\nA,a,1,a,a\n");
    let imp = rows(&text);
    assert_eq!(imp.detected.header_line, 3);
    let text = format!("\"Report title\n{HEADER}\nA,a,1,a,a\n");
    assert!(import_bytes(text.as_bytes(), &ImportOptions::default()).is_err());
}

#[test]
fn one_header_feeds_several_fields() {
    let text = "Full Name,Username,User ID,Email\nJane,j@x.com,005,j@x.com\n";
    for columns in [
        vec![
            (Field::SalesforceLogin, "Username".to_string()),
            (Field::Office365Login, "Username".to_string()),
        ],
        vec![(Field::Office365Login, "username".to_string())],
    ] {
        let opts = ImportOptions {
            columns,
            ..Default::default()
        };
        let imp = import_bytes(text.as_bytes(), &opts).unwrap();
        assert_eq!(
            imp.detected.header_for(Field::SalesforceLogin),
            Some("Username")
        );
        assert_eq!(
            imp.detected.header_for(Field::Office365Login),
            Some("Username")
        );
        assert_eq!(imp.records[0].cell(Field::Office365Login), "j@x.com");
        assert_eq!(imp.records[0].cell(Field::SalesforceLogin), "j@x.com");
    }
}

#[test]
fn an_error_listing_thousands_of_headers_is_cut() {
    let headers: Vec<String> = (0..3000).map(|i| format!("Column {i}")).collect();
    let mut text = headers.join(",");
    text.push_str(&format!(",{}\n", "y".repeat(200)));
    let err = import_bytes(text.as_bytes(), &ImportOptions::default())
        .unwrap_err()
        .to_string();
    assert!(err.len() < 600, "{} characters: {err}", err.len());
    assert!(err.contains("\"Column 0\", \"Column 1\""), "{err}");
    assert!(err.contains("… and 2989 more"), "{err}");
    let long = format!("Name,{}\nA,b\n", "z".repeat(300));
    let err = import_bytes(long.as_bytes(), &ImportOptions::default())
        .unwrap_err()
        .to_string();
    assert!(err.contains(&format!("\"{}…\"", "z".repeat(39))), "{err}");
}

#[test]
fn below_a_title_the_header_lines_error_is_the_one_reported() {
    let text = "\"Active users\"\r\n\r\nFull Name,Username,User ID,Email\r\nA,a,1,a\r\n";
    let err = import_bytes(text.as_bytes(), &ImportOptions::default())
        .unwrap_err()
        .to_string();
    assert!(err.starts_with("no column for Office 365 login"), "{err}");
    assert!(err.contains("\"Username\""), "{err}");
    // An override naming a header of the table line, not of the title.
    let opts = ImportOptions {
        columns: vec![(Field::FullName, "Nobody".into())],
        ..Default::default()
    };
    let err = import_bytes(text.as_bytes(), &opts)
        .unwrap_err()
        .to_string();
    assert!(err.contains("headers found: \"Full Name\""), "{err}");
}

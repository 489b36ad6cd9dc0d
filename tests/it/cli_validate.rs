//! `scc-onboard validate` and `template` as a user runs them: the real binary, real files.

use crate::support::cli::{bin, run};
use crate::support::sample::fixture;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const HEADER: &str =
    "Full name,Salesforce login,Salesforce user ID,Office 365 login,Office 365 email address";
/// A valid 18-character User ID and its 15-character form.
const ID18: &str = "005Hs00000AbCdEIAV";
const ID15: &str = "005Hs00000AbCdE";

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

fn json(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)))
}

fn validate_json(path: &Path) -> (i32, Value) {
    let out = run(&["validate", path.to_str().unwrap(), "--json"]);
    (out.status.code().unwrap(), json(&out))
}

fn clean_roster() -> String {
    format!(
        "{HEADER}\r\nJane Doe,jane@acme.com,{ID18},jane@acme.onmicrosoft.com,jane.doe@acme.com\r\n"
    )
}

#[test]
fn clean_roster_exits_zero() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "r.csv", clean_roster().as_bytes());
    let (code, doc) = validate_json(&p);
    assert_eq!(code, 0);
    assert_eq!(doc["rows"], 1);
    assert_eq!(doc["findings"].as_array().unwrap().len(), 0);
    assert_eq!(doc["encoding"], "utf-8");
    assert_eq!(doc["delimiter"], ",");
    assert_eq!(doc["columns"]["salesforce_user_id"], "Salesforce user ID");
}

#[test]
fn warnings_alone_exit_zero_and_errors_exit_one() {
    let dir = tempfile::tempdir().unwrap();
    let warn = format!("{HEADER}\nJane,jane@acme.com,{ID15},j@acme.com,j@acme.com\n");
    let (code, doc) = validate_json(&write(dir.path(), "w.csv", warn.as_bytes()));
    assert_eq!(code, 0);
    let f = &doc["findings"][0];
    assert_eq!(f["code"], "sfid-15");
    assert_eq!(f["severity"], "warning");
    assert_eq!(f["fix"], ID18);
    assert_eq!(f["line"], 2);
    assert_eq!(f["row"], 1);
    assert_eq!(f["column"], "salesforce_user_id");
    assert_eq!(f["value"], ID15);

    let err = format!("{HEADER}\nJane,jane@acme.com,{ID18},jane,j@acme.com\n");
    let (code, doc) = validate_json(&write(dir.path(), "e.csv", err.as_bytes()));
    assert_eq!(code, 1);
    assert_eq!(doc["summary"]["errors"], 1);
    assert_eq!(doc["summary"]["by_code"]["address-invalid"], 1);
    assert!(doc["findings"][0]["fix"].is_null());
}

/// Every export shape Excel and HR tools produce reads the same.
#[test]
fn every_input_shape_reads_the_same() {
    let dir = tempfile::tempdir().unwrap();
    let text = format!(
        "Display Name;SF Username;Salesforce ID;UPN;E-mail\r\nRenée Müller;r@acme.com;{ID15};r@acme.com;r@acme.com\r\n"
    );
    let cp1252: Vec<u8> = text
        .chars()
        .map(|c| match c {
            'é' => 0xE9,
            'ü' => 0xFC,
            c => c as u8,
        })
        .collect();
    let utf16le: Vec<u8> = [0xFF, 0xFE]
        .into_iter()
        .chain(
            text.replace(';', "\t")
                .encode_utf16()
                .flat_map(u16::to_le_bytes),
        )
        .collect();
    let utf16be: Vec<u8> = [0xFE, 0xFF]
        .into_iter()
        .chain(
            text.replace(';', "|")
                .encode_utf16()
                .flat_map(u16::to_be_bytes),
        )
        .collect();
    let bom = [
        b"\xEF\xBB\xBF".as_slice(),
        text.replace(';', ",").as_bytes(),
    ]
    .concat();
    // Excel's `sep=` line names the delimiter and is not data: the header is line 2.
    let sep = [b"sep=;\r\n".as_slice(), &cp1252].concat();
    let cases: [(&str, Vec<u8>, &str, &str, u64); 5] = [
        ("cp1252.csv", cp1252, "windows-1252", ";", 2),
        ("utf16le.txt", utf16le, "utf-16le", "\t", 2),
        ("utf16be.txt", utf16be, "utf-16be", "|", 2),
        ("bom.csv", bom, "utf-8-bom", ",", 2),
        ("sep.csv", sep, "windows-1252", ";", 3),
    ];
    for (name, bytes, enc, delim, line) in cases {
        let (code, doc) = validate_json(&write(dir.path(), name, &bytes));
        assert_eq!(code, 0, "{name}");
        assert_eq!(doc["encoding"], enc, "{name}");
        assert_eq!(doc["delimiter"], delim, "{name}");
        assert_eq!(doc["columns"]["full_name"], "Display Name", "{name}");
        assert_eq!(doc["findings"][0]["code"], "sfid-15", "{name}");
        assert_eq!(doc["findings"][0]["line"], line, "{name}");
    }
}

/// PowerShell's `Export-Csv` (Windows PowerShell 5.1) writes a `#TYPE` line above the header.
#[test]
fn a_powershell_export_reads_with_its_type_line_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let text = format!(
        "#TYPE Selected.Microsoft.ActiveDirectory.Management.ADUser\r\n\
         \"DisplayName\",\"SamAccountName\",\"UserPrincipalName\",\"mail\",\"SF Username\",\"SF User ID\"\r\n\
         \"Jane Doe\",\"jdoe\",\"jane@acme.com\",\"jane.doe@acme.com\",\"jane@acme.com.sf\",\"{ID15}\"\r\n"
    );
    let p = write(dir.path(), "ad.csv", text.as_bytes());
    let (code, doc) = validate_json(&p);
    assert_eq!(code, 0, "{doc:#}");
    assert_eq!(doc["rows"], 1);
    assert_eq!(doc["columns"]["office365_login"], "UserPrincipalName");
    assert_eq!(doc["findings"][0]["code"], "sfid-15");
    assert_eq!(doc["findings"][0]["line"], 3);
    let human = run(&["validate", p.to_str().unwrap()]);
    assert!(
        String::from_utf8_lossy(&human.stdout).contains("header on line 2"),
        "{}",
        String::from_utf8_lossy(&human.stdout)
    );
}

#[test]
fn overrides_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let text =
        format!("Who|Login A|ID|Login B|Mail\nJane|j@acme.com|{ID18}|j@acme.com|j@acme.com\n");
    let p = write(dir.path(), "o.csv", text.as_bytes());
    let out = run(&[
        "validate",
        p.to_str().unwrap(),
        "--json",
        "--delimiter",
        "|",
        "--column",
        "full_name=Who",
        "--column",
        "salesforce_login=Login A",
        "--column",
        "office365_login=Login B",
        "--encoding",
        "utf-8",
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc = json(&out);
    assert_eq!(doc["columns"]["salesforce_login"], "Login A");
    assert_eq!(doc["columns"]["office365_login"], "Login B");
}

/// Unusable input: exit 2 and one clear line naming the file.
#[test]
fn unusable_input_is_exit_two_with_a_reason() {
    let dir = tempfile::tempdir().unwrap();
    let cases: Vec<(PathBuf, &str)> = vec![
        (write(dir.path(), "empty.csv", b""), "empty"),
        (
            write(
                dir.path(),
                "bin.csv",
                b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0\x03\0>\0",
            ),
            "binary",
        ),
        (
            write(dir.path(), "words.txt", b"hello there\nthis is prose\n"),
            "not delimited",
        ),
        (
            write(
                dir.path(),
                "cols.csv",
                b"Name,Email,Department\nA,b@c.de,x\n",
            ),
            "no column for Salesforce login",
        ),
        (dir.path().join("missing.csv"), "cannot read"),
        (dir.path().to_path_buf(), "cannot read"),
    ];
    for (path, want) in cases {
        let out = run(&["validate", path.to_str().unwrap()]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{want}: {err}");
        assert!(err.contains(want), "{want}: {err}");
        assert!(
            err.contains(path.file_name().unwrap().to_str().unwrap()),
            "{err}"
        );
        assert_eq!(err.trim_end().lines().count(), 1, "one line: {err}");
        assert!(out.stdout.is_empty());
    }
    let out = run(&["validate", "x.csv", "--column", "nonsense=Foo"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown field 'nonsense'"));
}

#[test]
fn fix_writes_the_submission_csv() {
    let dir = tempfile::tempdir().unwrap();
    let text = format!(
        "{HEADER}\n\
         \" Jane Doe \",mailto:jane@acme.com,{},Jane <jane@acme.onmicrosoft.com>,jane@acme.com;\n\
         \"=HYPERLINK(\"\"http://x\"\")\",h@acme.com,005Hs00000AbCdFIAV,h@acme.com,h@acme.com\n\
         Broken,b@acme.com,{ID18},nope,b@acme.com\n",
        ID18.to_lowercase()
    );
    let src = write(dir.path(), "in.csv", text.as_bytes());
    let before = std::fs::read(&src).unwrap();
    let out_path = dir.path().join("users.csv");
    let out = run(&[
        "validate",
        src.to_str().unwrap(),
        "--fix",
        "-o",
        out_path.to_str().unwrap(),
        "--json",
    ]);
    assert_eq!(out.status.code(), Some(1), "a row still has an error");
    let doc = json(&out);
    assert_eq!(doc["output"]["rows_written"], 2);
    assert_eq!(doc["output"]["left_out"][0]["line"], 4);
    assert!(doc["output"]["cells_fixed"].as_u64().unwrap() >= 5);
    let written = std::fs::read(&out_path).unwrap();
    assert!(written.starts_with(b"\xEF\xBB\xBF"), "BOM for Excel");
    let text = String::from_utf8(written[3..].to_vec()).unwrap();
    let lines: Vec<&str> = text.split("\r\n").collect();
    assert_eq!(lines[0], HEADER);
    assert_eq!(
        lines[1],
        format!("Jane Doe,jane@acme.com,{ID18},jane@acme.onmicrosoft.com,jane@acme.com")
    );
    assert!(
        lines[2].starts_with("\"'=HYPERLINK("),
        "formula neutralised: {}",
        lines[2]
    );
    assert_eq!(lines[3], "", "CRLF after the last row and nothing else");
    assert_eq!(
        std::fs::read(&src).unwrap(),
        before,
        "the source is never modified"
    );

    let plain = dir.path().join("plain.csv");
    let out = run(&[
        "validate",
        src.to_str().unwrap(),
        "--fix",
        "-o",
        plain.to_str().unwrap(),
        "--no-bom",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(std::fs::read(&plain).unwrap().starts_with(b"Full name,"));
    let human = String::from_utf8_lossy(&out.stdout);
    assert!(
        human.contains("left out 1 row with errors: lines 4"),
        "{human}"
    );
}

/// A stray quote makes the following rows one cell: the finding says which lines, so the
/// missing users are not lost without a word (the streaming and in-memory paths agree).
#[test]
fn a_stray_quote_names_the_lines_it_swallowed() {
    let dir = tempfile::tempdir().unwrap();
    let row = |name: &str, user: &str| {
        format!("{name},{user}@acme.com,{ID18},{user}@acme.com,{user}@acme.com\r\n")
    };
    let text = format!(
        "{HEADER}\r\n{}\"{}{}{}\"Quoted\",{}",
        row("Ann", "ann"),
        row("Bob", "bob"),
        row("Cy", "cy"),
        row("Di", "di"),
        &row("x", "eve")[2..]
    );
    let p = write(dir.path(), "r.csv", text.as_bytes());
    let (code, doc) = validate_json(&p);
    assert_eq!(code, 1);
    let codes = |code: &str| -> Vec<Value> {
        doc["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["code"] == code)
            .cloned()
            .collect()
    };
    // The field count happens to match here, so only the cell tells: no "join the lines" fix.
    let stray = codes("stray-quote");
    assert_eq!(stray.len(), 1, "{doc:#}");
    assert_eq!(
        (&stray[0]["line"], &stray[0]["column"]),
        (&json!(3), &json!("full_name"))
    );
    assert!(stray[0]["message"]
        .as_str()
        .unwrap()
        .contains("3 of which look like rows"));
    assert!(codes("name-line-break").is_empty(), "{doc:#}");
    let human = run(&["validate", p.to_str().unwrap()]);
    let human = String::from_utf8_lossy(&human.stdout);
    assert!(
        human.contains("3:1 ") && human.contains("stray-quote"),
        "{human}"
    );

    // One field short as well: the row-level finding names the lines.
    let short = text.replacen("\"Quoted\",", "\"Quoted\"", 1);
    let p = write(dir.path(), "short.csv", short.as_bytes());
    let (_, doc) = validate_json(&p);
    let wrong: Vec<&Value> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "wrong-field-count")
        .collect();
    assert_eq!(wrong.len(), 1, "{doc:#}");
    let message = wrong[0]["message"].as_str().unwrap();
    assert!(
        message.contains("made lines 4-6 part of this row"),
        "{message}"
    );
}

#[test]
fn fix_needs_an_output() {
    let out = run(&["validate", "x.csv", "--fix"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn human_report_of_the_sample_roster() {
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/sample-roster.csv");
    let out = bin()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["validate", "assets/sample-roster.csv"])
        .output()
        .unwrap();
    assert!(sample.exists());
    assert_eq!(out.status.code(), Some(1));
    insta::assert_snapshot!(String::from_utf8_lossy(&out.stdout));
}

#[test]
fn template_has_the_vendor_headers() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("t.csv");
    let out = run(&["template", "-o", p.to_str().unwrap()]);
    assert!(out.status.success());
    let bytes = std::fs::read(&p).unwrap();
    let asset =
        std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/roster-template.csv"))
            .unwrap();
    assert_eq!(bytes, asset, "the shipped template matches the command's");
    assert_eq!(run(&["template"]).stdout, asset);
}

/// The README documents every finding code.
#[test]
fn readme_lists_every_code() {
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    for code in scc_onboard::roster::Code::ALL {
        assert!(
            readme.contains(&format!("`{}`", code.as_str())),
            "README lacks {code}"
        );
    }
}

/// A Salesforce report export ("Export details", CSV): quoted title lines above the header,
/// every field quoted, a blank line and the report footer below the last user. The footer is
/// one notice, not five rows of errors; the real finding (line 9) is still reported.
#[test]
fn a_salesforce_report_export_imports_with_its_footer_as_one_notice() {
    let path = fixture("salesforce-report.csv").display().to_string();
    for fix in [false, true] {
        let dir = tempfile::tempdir().unwrap();
        let out_csv = dir.path().join("users.csv");
        let mut args = vec!["validate", path.as_str(), "--json"];
        if fix {
            args.extend(["--fix", "-o", out_csv.to_str().unwrap()]);
        }
        let out = run(&args);
        let doc = json(&out);
        assert_eq!(out.status.code(), Some(1), "{doc:#}");
        assert_eq!(doc["rows"], 6, "{doc:#}");
        assert_eq!(doc["columns"]["office365_login"], "O365 UPN");
        assert_eq!(
            doc["notices"],
            json!([
                {"code": "header-moved", "first_line": 1, "last_line": 3,
                 "message": "header on line 4: the line(s) above it are not part of the table and were skipped"},
                {"code": "report-footer", "first_line": 12, "last_line": 16,
                 "message": "lines 12-16: report footer, not users"}
            ])
        );
        let lines: Vec<&Value> = doc["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| &f["line"])
            .collect();
        assert!(lines.iter().all(|l| **l == 9), "only Li Wei's row: {doc:#}");
        assert_eq!(doc["summary"]["by_code"]["wrong-field-count"], Value::Null);
        assert_eq!(doc["summary"]["by_code"]["missing-value"], Value::Null);
    }
    let human = run(&["validate", path.as_str()]);
    let text = String::from_utf8_lossy(&human.stdout);
    assert_eq!(human.status.code(), Some(1), "{text}");
    assert_eq!(
        text.matches("lines 12-16: report footer, not users")
            .count(),
        1,
        "{text}"
    );
    assert!(text.contains("header on line 4"), "{text}");
    assert!(!text.contains("line 12 (row"), "{text}");
}

/// The Windows-1252 variant has no Office 365 column: the Salesforce username is also the
/// UPN, so one `Username` column feeds both logins.
#[test]
fn one_column_feeds_two_fields_of_a_windows_1252_report() {
    let path = fixture("salesforce-report-1252.csv").display().to_string();
    let out = run(&["validate", path.as_str(), "--json"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no column for Office 365 login"), "{err}");
    for columns in [
        &[
            "--column",
            "salesforce_login=Username",
            "--column",
            "office365_login=Username",
        ][..],
        &["--column", "office365_login=Username"][..],
    ] {
        let mut args = vec!["validate", path.as_str(), "--json"];
        args.extend(columns);
        let out = run(&args);
        let doc = json(&out);
        assert_eq!(out.status.code(), Some(1), "{doc:#}");
        assert_eq!(doc["encoding"], "windows-1252");
        assert_eq!(doc["rows"], 6);
        assert_eq!(doc["columns"]["salesforce_login"], "Username");
        assert_eq!(doc["columns"]["office365_login"], "Username");
        assert_eq!(
            doc["notices"][1]["message"],
            "lines 11-15: report footer, not users"
        );
        let codes: Vec<(&Value, &Value)> = doc["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| (&f["line"], &f["column"]))
            .collect();
        // Li Wei's bad address, once per field that reads it.
        assert!(
            codes.contains(&(&json!(8), &json!("office365_login"))),
            "{doc:#}"
        );
        assert!(
            codes.contains(&(&json!(8), &json!("salesforce_login"))),
            "{doc:#}"
        );
        assert!(codes.iter().all(|(l, _)| **l == 8), "{doc:#}");
    }
    let human = run(&[
        "validate",
        path.as_str(),
        "--column",
        "office365_login=Username",
    ]);
    let text = String::from_utf8_lossy(&human.stdout);
    assert!(
        text.contains("Salesforce login ← column \"Username\""),
        "{text}"
    );
    assert!(
        text.contains("Office 365 login ← column \"Username\""),
        "{text}"
    );
    assert!(
        text.contains("Renée Müller") || !text.contains("Ren"),
        "{text}"
    );
}

/// Runs `scc-onboard ARGS` and waits at most 20 s: an input that never ends must not hang it.
#[cfg(unix)]
fn run_with_deadline(args: &[&str]) -> Output {
    use std::time::{Duration, Instant};
    let mut child = bin()
        .args(args)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("runs");
    let deadline = Instant::now() + Duration::from_secs(20);
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            child.kill().unwrap();
            panic!("scc-onboard {args:?} still waiting on its input after 20 s");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

/// A named pipe (or a device) may never end: refused at once, exit 2, naming the file.
#[cfg(unix)]
#[test]
fn a_fifo_or_a_device_is_refused_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("roster.csv");
    let made = Command::new("mkfifo").arg(&fifo).status().expect("mkfifo");
    assert!(made.success());
    let out_csv = dir.path().join("out.csv");
    let fifo_s = fifo.to_str().unwrap();
    for (args, kind) in [
        (vec!["validate", fifo_s], "a named pipe (FIFO)"),
        (vec!["validate", fifo_s, "--json"], "a named pipe (FIFO)"),
        (
            vec!["validate", fifo_s, "--fix", "-o", out_csv.to_str().unwrap()],
            "a named pipe (FIFO)",
        ),
        (vec!["validate", "/dev/zero"], "a device"),
    ] {
        let out = run_with_deadline(&args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains(args[1]), "{err}");
        assert!(
            err.contains(&format!("{kind}, not a regular file")),
            "{err}"
        );
        assert!(out.stdout.is_empty());
    }
    assert!(!out_csv.exists());
    // A wizard session whose roster file has since become a named pipe.
    let session = scc_onboard::session::Session::new(
        scc_onboard::session::SourceInfo {
            path: fifo.clone(),
            sha256: "0".repeat(64),
            size: 10,
        },
        scc_onboard::session::ImportSettings::default(),
    );
    let session_path = write(dir.path(), "session.json", &session.to_json());
    let bundle = dir.path().join("bundle");
    let out = run_with_deadline(&[
        "export",
        "--session",
        session_path.to_str().unwrap(),
        "-o",
        bundle.to_str().unwrap(),
    ]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("a named pipe (FIFO), not a regular file"),
        "{err}"
    );
    assert!(!bundle.exists());
}

/// `validate --json` writes the same document, byte for byte, as the `serde_json::Value` tree
/// it used to build: tests/fixtures/validate-json/NAME.json were written by that binary
/// (regenerate.sh there), for the inputs and options listed in cases.txt — notices, legacy
/// encodings, `--column`, `--set` with and without -o, `--fix`, control characters.
#[test]
fn the_json_document_is_byte_for_byte_the_one_written_before_streaming() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/validate-json");
    let cases = std::fs::read_to_string(dir.join("cases.txt")).unwrap();
    let mut checked = 0;
    for case in cases
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
    {
        let mut words = case.split(' ');
        let (name, input) = (words.next().unwrap(), words.next().unwrap());
        let args: Vec<String> = words.map(unescape_hex).collect();
        let scratch = tempfile::tempdir().unwrap();
        let from = match dir.join(input) {
            p if p.exists() => p,
            _ => fixture(input),
        };
        std::fs::copy(&from, scratch.path().join(input)).unwrap();
        let out = bin()
            .current_dir(scratch.path())
            .args(["validate", input, "--json"])
            .args(&args)
            .output()
            .unwrap();
        let want = std::fs::read(dir.join(format!("{name}.json"))).unwrap();
        assert!(
            out.stdout == want,
            "{name}: the document changed\n got: {}\nwant: {}\nstderr: {}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&want),
            String::from_utf8_lossy(&out.stderr)
        );
        checked += 1;
    }
    assert!(checked >= 16, "only {checked} cases in cases.txt");
}

/// `\xHH` escapes in a cases.txt argument (as `printf %b` reads them in regenerate.sh).
fn unescape_hex(word: &str) -> String {
    let mut out = String::new();
    let mut rest = word;
    while let Some(i) = rest.find("\\x") {
        out.push_str(&rest[..i]);
        let byte = u8::from_str_radix(&rest[i + 2..i + 4], 16).expect("two hex digits");
        out.push(char::from(byte));
        rest = &rest[i + 4..];
    }
    out.push_str(rest);
    out
}

//! The wizard's Import step on real exports: a Salesforce report (title lines, footer), one
//! column picked for two fields, and inputs that never end. State-level, through the real
//! runtime where files are read, plus snapshots of the preview.

use crate::support::sample::fixture;
use crate::support::wizard;

use scc_onboard::roster::import::ImportOptions;
use scc_onboard::roster::Field;
use scc_onboard::session::{ImportSettings, Session, SourceInfo, Step};
use scc_onboard::tui::runtime::{preview, Runtime};
use scc_onboard::tui::state::{Popup, ResumeOffer, State};
use scc_onboard::tui::theme::Theme;
use scc_onboard::tui::{update, Effect, ImportMsg, Msg};
use std::path::PathBuf;
use std::sync::mpsc::{channel, Receiver};
use std::time::{Duration, Instant};
use wizard::{draw, text};

fn fresh(size: (u16, u16)) -> State {
    let mut s = State::new(PathBuf::from("/nonexistent/session.json"), Theme::plain());
    update(&mut s, Msg::Resize(size.0, size.1));
    s
}

/// Feeds the runtime's messages back until `done` holds (or fails after 20 s: a read that never
/// ends must not hang the wizard).
fn pump(rt: &mut Runtime, rx: &Receiver<Msg>, s: &mut State, done: impl Fn(&State) -> bool) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while !done(s) {
        let msg = rx
            .recv_timeout(deadline.saturating_duration_since(Instant::now()))
            .expect("the runtime reports before the deadline");
        rt.dispatch(s, msg);
    }
}

/// The report's preview names its footer once; loading it gives only the users.
#[test]
fn a_report_export_previews_with_its_footer_and_loads_only_users() {
    let path = fixture("salesforce-report.csv");
    let p = preview(&path, &ImportOptions::default()).expect("previews");
    assert_eq!(p.detected.header_line, 4);
    assert_eq!(
        p.detected.footer.map(|f| f.to_string()).as_deref(),
        Some("lines 12-16: report footer, not users")
    );
    assert_eq!(p.rows.len(), 6);
    assert!(p.rows.iter().all(|r| r.field_count == 6));

    let (tx, rx) = channel();
    let mut rt = Runtime::new(tx);
    let dir = tempfile::tempdir().unwrap();
    let mut s = State::new(dir.path().join("session.json"), Theme::plain());
    s.import.path.set(path.display().to_string());
    rt.dispatch(&mut s, Msg::Import(ImportMsg::StartLoad));
    pump(&mut rt, &rx, &mut s, |s| {
        s.load.is_none() && s.session.is_some()
    });
    assert_eq!(s.step, Step::Fix, "{:?}", s.import.error);
    assert_eq!(s.roster.len(), 6);
    let lines: Vec<u64> = (0..s.roster.len())
        .map(|r| s.roster.record(r).line)
        .collect();
    assert_eq!(lines, [5, 6, 7, 8, 9, 10]);
    assert_eq!(s.roster.counts().rows_with_errors, 1, "Li Wei only");
    // Said again once loaded (a file too large for the preview's sample learns it here).
    let status = s.status.as_ref().map(|st| st.text.as_str()).unwrap_or("");
    assert!(
        status.ends_with("(lines 12-16: report footer, not users)"),
        "{status}"
    );
}

/// The Windows-1252 report has no Office 365 column: the admin picks `Username` for it, which
/// Salesforce login keeps too.
#[test]
fn a_column_picker_may_take_a_header_another_field_has() {
    let path = fixture("salesforce-report-1252.csv");
    let (tx, rx) = channel();
    let mut rt = Runtime::new(tx);
    let mut s = fresh((120, 40));
    s.import.path.set(path.display().to_string());
    rt.dispatch(&mut s, Msg::CommitInput);
    let err = s.import.error.clone().expect("no Office 365 column yet");
    assert!(err.contains("no column for Office 365 login"), "{err}");
    assert_eq!(
        s.import.headers,
        ["Full Name", "Username", "User ID", "Email"],
        "the header line's, not the title's"
    );
    // Settings: 0 encoding, 1 delimiter, then the fields; Office 365 login → next header.
    rt.dispatch(
        &mut s,
        Msg::Import(ImportMsg::MoveSetting(
            2 + Field::Office365Login.index() as isize,
        )),
    );
    rt.dispatch(&mut s, Msg::Import(ImportMsg::CycleSetting(1)));
    assert_eq!(
        s.import.options.columns,
        [(Field::Office365Login, "Username".to_string())]
    );
    assert_eq!(s.import.error, None);
    let p = s
        .import
        .preview
        .as_ref()
        .expect("previewed with the choice");
    assert_eq!(
        p.detected.header_for(Field::SalesforceLogin),
        Some("Username")
    );
    assert_eq!(
        p.detected.header_for(Field::Office365Login),
        Some("Username")
    );
    assert_eq!(s.import.mapping[Field::SalesforceLogin.index()], Some(1));
    assert_eq!(s.import.mapping[Field::Office365Login.index()], Some(1));
    assert_eq!(p.rows[1].cell(Field::FullName), "Renée Müller");
    assert_eq!(
        p.rows[1].cell(Field::Office365Login),
        "renee.mueller@acme.com"
    );
    // Picking Username for Salesforce login too keeps both.
    rt.dispatch(&mut s, Msg::Import(ImportMsg::MoveSetting(-2)));
    rt.dispatch(&mut s, Msg::Import(ImportMsg::CycleSetting(1)));
    rt.dispatch(&mut s, Msg::Import(ImportMsg::CycleSetting(-1)));
    assert_eq!(s.import.mapping[Field::SalesforceLogin.index()], Some(1));
    assert_eq!(s.import.mapping[Field::Office365Login.index()], Some(1));
    assert_eq!(s.import.error, None);

    rt.dispatch(&mut s, Msg::Import(ImportMsg::StartLoad));
    pump(&mut rt, &rx, &mut s, |s| {
        s.load.is_none() && s.session.is_some()
    });
    assert_eq!(s.roster.len(), 6);
    assert_eq!(
        s.roster.record(0).cell(Field::Office365Login),
        "jane.doe@acme.com"
    );
    let saved = &s.session.as_ref().unwrap().import;
    assert_eq!(saved.to_options().columns.len(), 2, "{saved:?}");
}

fn report_preview_state(size: (u16, u16)) -> State {
    let mut s = fresh(size);
    let opts = ImportOptions {
        columns: vec![(Field::Office365Login, "Username".into())],
        ..Default::default()
    };
    let mut p = preview(&fixture("salesforce-report-1252.csv"), &opts).unwrap();
    p.path = PathBuf::from("report.csv");
    s.import.path.set("report.csv");
    s.import.options = opts;
    update(&mut s, Msg::Import(ImportMsg::Previewed(Ok(p))));
    s
}

#[test]
fn report_preview_snapshots() {
    for size in [(80, 24), (120, 40)] {
        let screen = text(&draw(&report_preview_state(size), size.0, size.1));
        assert!(
            screen.contains("lines 11-15: report footer, not users"),
            "{screen}"
        );
        insta::assert_snapshot!(
            format!("import_report_preview_{}x{}", size.0, size.1),
            screen
        );
    }
}

/// A named pipe is refused at once: in the preview, when loading, and when a saved session's
/// source has become one (resume, and the check whether it changed).
#[cfg(unix)]
#[test]
fn a_fifo_is_refused_by_the_import_step_and_on_resume() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("roster.csv");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo");
    assert!(made.success());
    let started = Instant::now();
    let err = preview(&fifo, &ImportOptions::default()).unwrap_err();
    assert!(
        err.message
            .contains("a named pipe (FIFO), not a regular file"),
        "{}",
        err.message
    );
    assert!(err.message.contains(&fifo.display().to_string()));
    assert!(started.elapsed() < Duration::from_secs(5));

    let (tx, rx) = channel();
    let mut rt = Runtime::new(tx);
    let mut s = State::new(dir.path().join("session.json"), Theme::plain());
    let session = Session::new(
        SourceInfo {
            path: fifo.clone(),
            sha256: "0".repeat(64),
            size: 10,
        },
        ImportSettings::from_options(&ImportOptions::default()),
    );
    // The resume offer checks whether the source changed: an answer comes (missing).
    s.popup = Some(Popup::Resume(Box::new(ResumeOffer {
        session,
        source_changed: None,
        source_missing: false,
    })));
    assert!(rt
        .run(
            &s,
            Effect::CheckSource {
                path: fifo.clone(),
                sha256: "0".repeat(64)
            }
        )
        .is_none());
    pump(
        &mut rt,
        &rx,
        &mut s,
        |s| matches!(&s.popup, Some(Popup::Resume(o)) if o.source_missing),
    );
    // Resuming anyway: the load fails with the reason, back on Import.
    rt.dispatch(&mut s, Msg::Import(ImportMsg::Resume));
    pump(&mut rt, &rx, &mut s, |s| s.load.is_none());
    assert_eq!(s.step, Step::Import);
    let err = s.import.error.clone().expect("an error");
    assert!(
        err.contains("a named pipe (FIFO), not a regular file"),
        "{err}"
    );
    assert!(s.roster.is_empty());
}

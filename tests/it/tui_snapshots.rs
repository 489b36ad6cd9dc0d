//! Every wizard screen at 80×24 and 120×40 (insta snapshots of the TestBackend buffer), plus
//! style assertions: text snapshots cannot see how problem cells are marked.

use crate::support::wizard;

use crossterm::event::KeyCode;
use ratatui::buffer::Buffer;
use ratatui::style::{Color, Modifier};
use scc_onboard::customize::Value;
use scc_onboard::roster::import::{ImportOptions, Importer};
use scc_onboard::session::{ImportSettings, Session, SourceInfo, Step};
use scc_onboard::tui::state::{LoadProgress, Popup, Preview, PreviewError, ResumeOffer, State};
use scc_onboard::tui::theme::Theme;
use scc_onboard::tui::{update, ImportMsg, Msg, ReviewMsg};
use std::path::PathBuf;
use wizard::*;

const SIZES: [(u16, u16); 2] = [(80, 24), (120, 40)];

fn snap(name: &str, make: impl Fn((u16, u16)) -> State) {
    for size in SIZES {
        let state = make(size);
        let screen = text(&draw(&state, size.0, size.1));
        insta::assert_snapshot!(format!("{name}_{}x{}", size.0, size.1), screen);
    }
}

/// The sizes issue 16 names: the smallest usable, a common laptop, a wide screen.
const REVIEW_SIZES: [(u16, u16); 3] = [(80, 24), (120, 36), (200, 50)];

fn snap3(name: &str, make: impl Fn((u16, u16)) -> State) {
    for size in REVIEW_SIZES {
        let state = make(size);
        let screen = text(&draw(&state, size.0, size.1));
        insta::assert_snapshot!(format!("{name}_{}x{}", size.0, size.1), screen);
    }
}

fn fresh(size: (u16, u16)) -> State {
    let mut s = State::new(
        PathBuf::from("/home/admin/.local/share/scc-onboard/session.json"),
        Theme::plain(),
    );
    update(&mut s, Msg::Resize(size.0, size.1));
    update(
        &mut s,
        Msg::Import(ImportMsg::FilesListed(vec![
            "roster.csv".into(),
            "users-2025.csv".into(),
            "notes.txt".into(),
        ])),
    );
    s
}

fn fixture_preview() -> Preview {
    let mut importer =
        Importer::new(FIXTURE.as_bytes().to_vec(), &ImportOptions::default()).unwrap();
    let mut rows = Vec::new();
    importer.read_batch(8, &mut rows).unwrap();
    Preview {
        path: PathBuf::from("roster.csv"),
        detected: importer.detected().clone(),
        rows,
    }
}

/// The org's app IDs, which every plan requires, so a screen shows what it is about.
fn with_ids(mut s: State) -> State {
    s.choices.set(
        "salesforce_client_id",
        Value::Text("3MVG9A2kN3Bn17hs8MIaQx1voVGy662rXlC37svtmLmt6wO_iik8Hnk3Dlc".into()),
    );
    s.choices.set(
        "entra_client_id",
        Value::Text("6233fba6-0198-4277-892f-9275bf728bcc".into()),
    );
    s
}

/// An on-premises impersonation plan.
fn on_premises(s: &mut State) {
    let t = |v: &str| Value::Text(v.into());
    s.choices.set("mailbox_access", t("impersonation"));
    s.choices.set("exchange_deployment", t("on_premises"));
    s.choices
        .set("ews_url", t("https://mail.example.com/EWS/Exchange.asmx"));
    s.choices
        .set("impersonation_account", t("svc-scc@example.com"));
}

fn fix_state(size: (u16, u16)) -> State {
    let mut s = loaded(FIXTURE, size);
    s.status = None;
    go_to_line(&mut s, 3);
    s
}

#[test]
fn import_screens() {
    snap("import_empty", fresh);
    snap("import_preview", |size| {
        let mut s = fresh(size);
        s.import.path.set("roster.csv");
        update(
            &mut s,
            Msg::Import(ImportMsg::Previewed(Ok(fixture_preview()))),
        );
        s
    });
    snap("import_missing_column", |size| {
        let mut s = fresh(size);
        s.import.path.set("export.csv");
        update(
            &mut s,
            Msg::Import(ImportMsg::Previewed(Err(PreviewError {
                message: "export.csv: no column for Salesforce user ID; headers found: \"Name\", \"Login\", \"Id#\", \"UPN\", \"Mail\". Rename a header or pass --column".into(),
                headers: Some(vec!["Name".into(), "Login".into(), "Id#".into(), "UPN".into(), "Mail".into()]),
            }))),
        );
        s
    });
    snap("import_mapping_changed", |size| {
        let mut s = fresh(size);
        s.import.path.set("roster.csv");
        update(
            &mut s,
            Msg::Import(ImportMsg::Previewed(Ok(fixture_preview()))),
        );
        // Delimiter forced to semicolon, Full name read from the login column.
        update(&mut s, Msg::Import(ImportMsg::MoveSetting(1)));
        update(&mut s, Msg::Import(ImportMsg::CycleSetting(2)));
        update(&mut s, Msg::Import(ImportMsg::MoveSetting(1)));
        update(&mut s, Msg::Import(ImportMsg::CycleSetting(1)));
        s
    });
    snap("import_completion", |size| {
        let mut s = fresh(size);
        s.import.path.set("users");
        update(
            &mut s,
            Msg::Import(ImportMsg::Completed {
                base: "users-202".into(),
                candidates: vec!["users-2024.csv".into(), "users-2025.csv".into()],
            }),
        );
        s
    });
    snap("import_loading", |size| {
        let mut s = fresh(size);
        s.import.path.set("roster.csv");
        update(
            &mut s,
            Msg::Import(ImportMsg::Previewed(Ok(fixture_preview()))),
        );
        update(&mut s, Msg::Import(ImportMsg::StartLoad));
        s
    });
}

#[test]
fn fix_screens() {
    snap("fix", fix_state);
    snap("fix_editing", |size| {
        let mut s = fix_state(size);
        press(&mut s, key(KeyCode::Enter));
        type_keys(&mut s, "Grace Hop");
        s
    });
    snap("fix_errors_filter", |size| {
        let mut s = fix_state(size);
        press(&mut s, key(KeyCode::Char('e')));
        s
    });
    snap("fix_excluded_row", |size| {
        let mut s = fix_state(size);
        go_to_line(&mut s, 7);
        press(&mut s, key(KeyCode::Char('x')));
        s
    });
    snap("fix_help", |size| {
        let mut s = fix_state(size);
        press(&mut s, key(KeyCode::Char('?')));
        s
    });
    snap("fix_bulk_confirm", |size| {
        let mut s = fix_state(size);
        go_to_line(&mut s, 2);
        press(&mut s, key(KeyCode::Char('F')));
        s
    });
    // A value too long for the window is cut, so the keys line stays inside it.
    snap("fix_bulk_confirm_long_value", |size| {
        let mut s = fix_state(size);
        go_to_line(&mut s, 2);
        let row = s.selected_row().unwrap();
        let long = format!("0013{}", "x".repeat(120));
        s.popup = Some(Popup::ConfirmBulk {
            code: scc_onboard::roster::Code::Sfid15,
            changes: vec![scc_onboard::session::CellEdit {
                row,
                line: 2,
                field: scc_onboard::roster::Field::SalesforceUserId,
                old: long.clone(),
                new: long,
                anchor: None,
            }],
        });
        s
    });
    snap("fix_search", |size| {
        let mut s = fix_state(size);
        press(&mut s, key(KeyCode::Char('/')));
        type_keys(&mut s, "example");
        s
    });
    snap("fix_loading", |size| {
        let mut s = fix_state(size);
        s.load = Some(LoadProgress {
            path: PathBuf::from("roster.csv"),
            rows: 0,
            bytes_done: 420,
            bytes_total: 1000,
        });
        s
    });
}

/// An absolute output folder, so Review's screens do not depend on where the tests run.
fn review_folder(s: &mut State) {
    if let Some(session) = &mut s.session {
        session.output_dir = Some(PathBuf::from("/home/admin/onboarding/bundle"));
    }
}

#[test]
fn review_and_placeholder_screens() {
    let review = |size| {
        let mut s = with_ids(fix_state(size));
        review_folder(&mut s);
        for _ in 0..3 {
            press(&mut s, key(KeyCode::Char('>')));
        }
        s.status = None;
        s
    };
    snap3("review_blocked", review);
    snap3("review_refused", |size| {
        let mut s = review(size);
        press(&mut s, key(KeyCode::Enter));
        s
    });
    snap3("review_confirm_exclude", |size| {
        let mut s = review(size);
        press(&mut s, key(KeyCode::Char('x')));
        s
    });
    let ready = |size| {
        let mut s = with_ids(fix_state(size));
        press(&mut s, key(KeyCode::Enter));
        type_keys(&mut s, "Grace Hopper");
        press(&mut s, key(KeyCode::Enter));
        go_to_line(&mut s, 7);
        press(&mut s, key(KeyCode::Char('x')));
        review_folder(&mut s);
        for _ in 0..3 {
            press(&mut s, key(KeyCode::Char('>')));
        }
        s.status = None;
        s
    };
    snap3("review_ready", ready);
    snap3("review_warnings_asked", |size| {
        let mut s = ready(size);
        press(&mut s, key(KeyCode::Enter));
        s
    });
    snap3("review_replace_asked", |size| {
        let mut s = ready(size);
        update(
            &mut s,
            Msg::Review(ReviewMsg::AskReplace {
                path: "/home/admin/onboarding/bundle".into(),
                written: Some("2026-12-01T22:58:09Z".into()),
            }),
        );
        s
    });
    snap3("review_refused_choices", |size| {
        let mut s = fix_state(size);
        for line in [3, 7] {
            go_to_line(&mut s, line);
            press(&mut s, key(KeyCode::Char('x')));
        }
        s.choices
            .set("mailbox_access", Value::Text("impersonation".into()));
        s.choices.set(
            "impersonation_account",
            Value::Text("not an address".into()),
        );
        review_folder(&mut s);
        for _ in 0..3 {
            press(&mut s, key(KeyCode::Char('>')));
        }
        press(&mut s, key(KeyCode::Enter));
        s.status = None;
        s
    });
    snap3("customize", |size| {
        let mut s = fix_state(size);
        press(&mut s, key(KeyCode::Char('>')));
        press(&mut s, key(KeyCode::Char(' ')));
        s.status = None;
        s
    });
    snap3("exchange_impersonation", |size| {
        let mut s = fix_state(size);
        s.step = Step::ExchangeAccess;
        on_premises(&mut s);
        s
    });
    snap("exchange_app_only", |size| {
        let mut s = with_ids(fix_state(size));
        s.step = Step::ExchangeAccess;
        s.choices
            .set("mailbox_access", Value::Text("app_only".into()));
        s
    });
    snap("authorize_per_user", |size| {
        let mut s = fix_state(size);
        s.step = Step::Authorize;
        s
    });
    snap("authorize_app_only", |size| {
        let mut s = fix_state(size);
        s.step = Step::Authorize;
        s.choices
            .set("mailbox_access", Value::Text("app_only".into()));
        s
    });
    for size in [(80, 24), (120, 36)] {
        let mut s = fix_state(size);
        s.step = Step::Authorize;
        update(
            &mut s,
            Msg::Review(ReviewMsg::Exported(Ok((
                "/home/admin/onboarding/bundle".into(),
                6,
            )))),
        );
        s.status = None;
        let screen = text(&draw(&s, size.0, size.1));
        insta::assert_snapshot!(
            format!("authorize_invitations_exported_{}x{}", size.0, size.1),
            screen
        );
        on_premises(&mut s);
        let screen = text(&draw(&s, size.0, size.1));
        insta::assert_snapshot!(
            format!("authorize_impersonation_exported_{}x{}", size.0, size.1),
            screen
        );
    }
    snap("authorize_impersonation", |size| {
        let mut s = fix_state(size);
        s.step = Step::Authorize;
        on_premises(&mut s);
        s
    });
}

/// A resume onto a changed file (a row inserted on top, two users' rows altered): the banner
/// counts the unplaced changes, the hint bar offers `p`, and the list names line, user, change.
#[test]
fn unplaced_changes_banner_and_list() {
    let resumed = |size| {
        let mut s = fresh(size);
        s.import.path.set("roster.csv");
        load_into(&mut s, FIXTURE);
        go_to_line(&mut s, 3);
        press(&mut s, key(KeyCode::Enter));
        type_keys(&mut s, "Grace Hopper");
        press(&mut s, key(KeyCode::Enter));
        go_to_line(&mut s, 7);
        press(&mut s, key(KeyCode::Char('x')));
        let changed = FIXTURE
            .replacen(
                '\n',
                "\nNew Person,new@example.com,005Dn000015MnOpIAK,new@example.com,new@example.com\n",
                1,
            )
            .replace(
                ",grace@example.com,005Dn000011MnOpIAK",
                ",grace@example.org,005Dn000011MnOpIAK",
            )
            .replace("not-an-address", "test@example.com");
        load_into(&mut s, &changed);
        s.status = None;
        s
    };
    snap("unplaced_banner", resumed);
    snap("unplaced_list", |size| {
        let mut s = resumed(size);
        go_to_line(&mut s, 4);
        press(&mut s, key(KeyCode::Char('p')));
        s
    });
}

#[test]
fn resume_prompt_and_resumed_banner() {
    let session = || {
        let mut s = Session::new(
            SourceInfo {
                path: PathBuf::from("/home/admin/roster.csv"),
                sha256: "0".repeat(64),
                size: 10,
            },
            ImportSettings::default(),
        );
        s.step = Step::Fix;
        s
    };
    snap("resume_prompt", |size| {
        let mut s = fresh(size);
        s.popup = Some(Popup::Resume(Box::new(ResumeOffer {
            session: session(),
            source_changed: Some(true),
            source_missing: false,
        })));
        s
    });
    snap("resumed", |size| {
        let mut s = fresh(size);
        s.popup = Some(Popup::Resume(Box::new(ResumeOffer {
            session: session(),
            source_changed: Some(false),
            source_missing: false,
        })));
        update(&mut s, Msg::Import(ImportMsg::Resume));
        load_into(&mut s, FIXTURE);
        s.status = None;
        s
    });
}

#[test]
fn too_small_window_says_so() {
    let s = fix_state((60, 20));
    insta::assert_snapshot!("too_small_60x20", text(&draw(&s, 60, 20)));
}

/// The buffer cell showing `symbol` on the table row of source `line`, in the column whose
/// header starts at x.
fn cell_at(buf: &Buffer, line: u64, col_title: &str) -> (u16, u16) {
    let screen = text(buf);
    let rows: Vec<&str> = screen.lines().collect();
    let header_y = rows.iter().position(|r| r.starts_with("Line")).unwrap();
    let x = rows[header_y]
        .find(col_title)
        .map(|b| rows[header_y][..b].chars().count())
        .unwrap() as u16;
    let y = rows
        .iter()
        .position(|r| r.trim_start().starts_with(&format!("{line} ")))
        .unwrap() as u16;
    (x, y)
}

#[test]
fn problem_cells_are_marked_without_colour() {
    let mut s = fix_state((120, 40));
    go_to_line(&mut s, 8);
    let buf = draw(&s, 120, 40);

    let (x, y) = cell_at(&buf, 3, "Full name");
    let cell = &buf[(x, y)];
    assert_eq!(cell.symbol(), "✗", "error cells start with a cross");
    assert!(cell
        .modifier
        .contains(Modifier::BOLD | Modifier::UNDERLINED));
    assert_eq!(cell.fg, Color::Reset, "NO_COLOR: no colour at all");

    let (x, y) = cell_at(&buf, 2, "Salesforce user ID");
    assert_eq!(buf[(x, y)].symbol(), "!", "warning cells start with a bang");
    assert!(buf[(x, y)].modifier.contains(Modifier::UNDERLINED));

    let (x, y) = cell_at(&buf, 6, "Full name");
    assert_eq!(buf[(x, y)].symbol(), " ", "clean cells carry no mark");
    assert!(buf[(x, y)].modifier.is_empty());

    // The selected cell (line 8, first column) is in reverse video.
    let (x, y) = cell_at(&buf, 8, "Full name");
    assert!(buf[(x + 2, y)].modifier.contains(Modifier::REVERSED));
}

#[test]
fn excluded_rows_are_greyed_and_crossed_out() {
    let mut s = fix_state((120, 40));
    go_to_line(&mut s, 7);
    press(&mut s, key(KeyCode::Char('x')));
    go_to_line(&mut s, 2);
    let buf = draw(&s, 120, 40);
    let (x, y) = cell_at(&buf, 7, "Office 365 login");
    let m = buf[(x + 1, y)].modifier;
    assert!(m.contains(Modifier::DIM | Modifier::CROSSED_OUT), "{m:?}");
    assert_eq!(
        buf[(x, y)].symbol(),
        " ",
        "an excluded row's error is not flagged as blocking"
    );
}

#[test]
fn colour_is_added_when_allowed() {
    let mut s = fix_state((120, 40));
    s.theme = Theme { color: true };
    let buf = draw(&s, 120, 40);
    let (x, y) = cell_at(&buf, 3, "Full name");
    assert_eq!(buf[(x, y)].fg, Color::Red);
    assert!(buf[(x, y)]
        .modifier
        .contains(Modifier::BOLD | Modifier::UNDERLINED));
}

/// The Fix panel shows the selected row's five values whole (wrapped), above its findings.
#[test]
fn fix_panel_shows_long_values_whole() {
    let long_name = "Maximiliana Alexandrovna Konstantinopolskaya-Vanderbilt de la Cruz";
    let long_mail = "maximiliana.alexandrovna.konstantinopolskaya@subsidiary.example.com";
    snap3("fix_long_values", |size| {
        let mut s = fix_state(size);
        s.fix.col = 0;
        press(&mut s, key(KeyCode::Enter));
        type_keys(&mut s, long_name);
        press(&mut s, key(KeyCode::Enter));
        s.fix.col = 4;
        press(&mut s, key(KeyCode::Enter));
        for _ in 0..40 {
            press(&mut s, key(KeyCode::Backspace));
        }
        type_keys(&mut s, long_mail);
        press(&mut s, key(KeyCode::Enter));
        s.status = None;
        s
    });
    for size in REVIEW_SIZES {
        let mut s = fix_state(size);
        s.fix.col = 4;
        press(&mut s, key(KeyCode::Enter));
        for _ in 0..40 {
            press(&mut s, key(KeyCode::Backspace));
        }
        type_keys(&mut s, long_mail);
        press(&mut s, key(KeyCode::Enter));
        let screen = text(&draw(&s, size.0, size.1));
        let joined: String = screen.lines().map(|l| l.trim_matches('│').trim()).collect();
        assert!(
            joined.contains(long_mail),
            "the whole address is on screen at {size:?}:\n{screen}"
        );
    }
}

/// At 80×24 every step keeps what is required on screen: the file name in the header, and
/// each step's essentials.
#[test]
fn every_step_at_80x24_keeps_the_essentials_on_screen() {
    // A complete plan with a checklist (on-premises impersonation) and the app IDs: the only
    // blocker left is the roster's errors, as an admin nearly done would see it.
    let mut s = with_ids(fix_state((80, 24)));
    review_folder(&mut s);
    on_premises(&mut s);
    let steps = [
        (Step::Fix, vec!["Line 3", "Office 365 email address"]),
        (Step::Customize, vec![]),
        (
            Step::ExchangeAccess,
            vec!["checklist 0 of", "Impersonating account"],
        ),
        (
            Step::ReviewExport,
            vec![
                "Blocks the export:",
                "Output folder",
                "/home/admin/onboarding/bundle",
                "Findings",
            ],
        ),
        (Step::Authorize, vec![]),
    ];
    for (step, wanted) in steps {
        s.step = step;
        // Every plan's Exchange access is checked in
        // `exchange_step_at_80x24_shows_settings_and_checklist_start`.
        let screen = text(&draw(&s, 80, 24));
        let header = screen.lines().nth(1).unwrap_or_default();
        assert!(
            header.starts_with("roster.csv · "),
            "{step:?}: the file name is in the header:\n{screen}"
        );
        for w in wanted {
            assert!(
                screen.contains(w),
                "{step:?} shows {w:?} at 80×24:\n{screen}"
            );
        }
        assert!(
            screen.lines().last().is_some_and(|l| !l.trim().is_empty()),
            "{step:?}: the key hints show:\n{screen}"
        );
    }
}

/// Sets one Exchange plan's choices.
type PlanSetter = fn(&mut State);

/// The four Exchange plans a form can describe.
fn exchange_plans() -> [(&'static str, PlanSetter); 4] {
    [
        ("per_user_graph", |_s| {}),
        ("per_user_ews", |s| {
            s.choices.set("exchange_api", Value::Text("ews".into()))
        }),
        ("app_only", |s| {
            s.choices
                .set("mailbox_access", Value::Text("app_only".into()))
        }),
        ("impersonation", on_premises),
    ]
}

/// At 80×24 the Exchange access step shows, for every plan, its settings, the progress and the
/// checklist's title and first items, without Tab: the checklists come before the notices
/// when both do not fit.
#[test]
fn exchange_step_at_80x24_shows_settings_and_checklist_start() {
    for (name, plan) in exchange_plans() {
        for size in [(80, 24), (120, 36)] {
            let mut s = with_ids(fix_state(size));
            s.step = Step::ExchangeAccess;
            plan(&mut s);
            let screen = text(&draw(&s, size.0, size.1));
            let p = s.exchange.plan(&s.choices);
            let (done, total) = p.progress();
            if total == 0 {
                // Per-user Graph has nothing to set up in Exchange: its notices show.
                assert!(screen.contains(&p.notices[0].title), "{name}:\n{screen}");
                insta::assert_snapshot!(
                    format!("exchange_plan_{name}_{}x{}", size.0, size.1),
                    screen
                );
                continue;
            }
            assert!(
                screen.contains(&format!("checklist {done} of {total} ticked")),
                "{name} {size:?}: the progress shows:\n{screen}"
            );
            let c = &p.checklists[0];
            let joined = screen
                .lines()
                .map(str::trim_end)
                .collect::<Vec<_>>()
                .join(" ");
            assert!(
                joined.contains(&c.title),
                "{name} {size:?}: the checklist title shows:\n{screen}"
            );
            // At 80×24 a long first item (app_only's is six lines) can leave no room for the
            // second; at 120×36 both show.
            let first = if size == (80, 24) { 1 } else { 2 };
            for item in c.items.iter().take(first) {
                let start: String = item.text.chars().take(30).collect();
                assert!(
                    screen.contains(&start),
                    "{name} {size:?}: {start:?} shows:\n{screen}"
                );
            }
            assert!(
                screen.contains("Mailbox access"),
                "{name}: the settings show"
            );
            insta::assert_snapshot!(
                format!("exchange_plan_{name}_{}x{}", size.0, size.1),
                screen
            );
        }
    }
}

/// Customize with a long internal-domains list focused: the whole list shows, wrapped under
/// the field; unfocused it is cut with the number of entries.
#[test]
fn customize_long_list_focused_shows_whole() {
    let domains: Vec<String> = [
        "acme.com",
        "acme.co.uk",
        "eu.acme.com",
        "acme-subsidiary.example.org",
        "research.acme.com",
        "acme.de",
        "acme.fr",
        "mail.acme-holdings.example.net",
    ]
    .map(String::from)
    .to_vec();
    for size in REVIEW_SIZES {
        let mut s = fix_state(size);
        s.step = Step::Customize;
        s.choices
            .set("internal_domains", Value::List(domains.clone()));
        s.customize.focus_setting("internal_domains");
        let screen = text(&draw(&s, size.0, size.1));
        let joined: String = screen.lines().collect::<Vec<_>>().join(" ");
        for d in &domains {
            assert!(
                joined.contains(d.as_str()),
                "{d} shows whole at {size:?}:\n{screen}"
            );
        }
        insta::assert_snapshot!(format!("customize_long_list_{}x{}", size.0, size.1), screen);
    }
}

/// `p` on Exchange access opens the masked field: what was typed shows as `•` only, at both
/// sizes, for the app's client secret and the impersonating account's password.
#[test]
fn the_secret_field_shows_only_bullets() {
    const TYPED: &str = "s3cr3t-Value";
    let typed = |mut s: State| {
        press(&mut s, key(KeyCode::Char('p')));
        assert!(
            matches!(s.popup, Some(Popup::Secret(_))),
            "p opens the field"
        );
        type_keys(&mut s, TYPED);
        s
    };
    for (name, impersonation) in [("secret_app_only", false), ("secret_impersonation", true)] {
        for size in SIZES {
            let mut s = with_ids(fix_state(size));
            s.step = Step::ExchangeAccess;
            if impersonation {
                on_premises(&mut s);
            } else {
                s.choices
                    .set("mailbox_access", Value::Text("app_only".into()));
            }
            let s = typed(s);
            let screen = text(&draw(&s, size.0, size.1));
            assert!(!screen.contains("s3cr3t"), "{screen}");
            assert!(screen.contains(&"•".repeat(TYPED.len())), "{screen}");
            insta::assert_snapshot!(format!("{name}_{}x{}", size.0, size.1), screen);
        }
    }
}

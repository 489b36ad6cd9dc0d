//! The Customize and Exchange access steps inside the wizard: key sequences in, state out.
//! A choice change is a session operation: saved at once, undone and redone with the roster
//! edits, restored on resume, and choice errors block the export.

use crate::support::wizard;

use crossterm::event::KeyCode;
use scc_onboard::customize::{Choices, RosterFacts, Value};
use scc_onboard::session::{Op, Session, Step};
use scc_onboard::tui::exchange::Item;
use scc_onboard::tui::{update, Effect, Msg, PopupMsg, ReviewMsg, State};
use wizard::*;

fn at(step: Step) -> State {
    let mut s = loaded(FIXTURE, (120, 40));
    while s.step != step {
        press(&mut s, key(KeyCode::Char('>')));
    }
    s
}

/// The fixture loaded, its two rows with errors excluded: only choices can block the export.
fn without_error_rows() -> State {
    let mut s = loaded(FIXTURE, (120, 40));
    for line in [3, 7] {
        go_to_line(&mut s, line);
        press(&mut s, key(KeyCode::Char('x')));
    }
    s
}

fn defaults(s: &State) -> Choices {
    Choices::defaults(
        s.customize.catalogue(),
        &RosterFacts::from_roster(&s.roster),
    )
}

#[test]
fn defaults_come_from_the_roster_once_it_loads() {
    let s = at(Step::Customize);
    assert_eq!(s.choices, defaults(&s));
    let tenant = s.choices.text(s.customize.catalogue(), "m365_tenant");
    assert!(!tenant.is_empty(), "tenant pre-filled from the roster");
    let saved = &s.session.as_ref().unwrap().customization;
    assert_eq!(saved, &serde_json::to_value(&s.choices).unwrap());
}

#[test]
fn a_choice_edit_is_saved_undone_redone_and_resumed() {
    let mut s = at(Step::Customize);
    let before = s.choices.clone();
    let fx = press(&mut s, key(KeyCode::Char(' ')));
    assert!(saves(&fx), "autosaved before the next frame");
    assert_ne!(s.choices, before, "Space changed the focused setting");
    let changed = s.choices.clone();
    let session = s.session.as_ref().unwrap();
    assert!(matches!(session.history.last(), Some(Op::Choice { .. })));
    assert_eq!(
        session.customization,
        serde_json::to_value(&changed).unwrap()
    );

    let fx = press(&mut s, key(KeyCode::Char('u')));
    assert!(saves(&fx));
    assert_eq!(s.choices, before, "u undoes the choice");
    assert_eq!(
        s.session.as_ref().unwrap().customization,
        serde_json::to_value(&before).unwrap()
    );
    press(&mut s, ctrl('r'));
    assert_eq!(s.choices, changed, "Ctrl-r redoes it");

    // Resume: the saved file (through JSON) restores the choice and its undo.
    let bytes = s.session.as_ref().unwrap().to_json();
    let mut saved = Session::from_json(&bytes, std::path::Path::new("s.json")).unwrap();
    saved.source.path = "roster.csv".into();
    let mut r = State::new(
        "/nonexistent/s.json".into(),
        scc_onboard::tui::theme::Theme::plain(),
    );
    r.import.path.set("roster.csv");
    r.pending_resume = Some(saved);
    load_into(&mut r, FIXTURE);
    assert_eq!(r.step, Step::Customize, "resumes where it was");
    assert_eq!(r.choices, changed);
    press(&mut r, key(KeyCode::Char('u')));
    assert_eq!(r.choices, before, "undo works after a resume");
}

#[test]
fn typing_in_a_field_takes_every_key() {
    let mut s = at(Step::ExchangeAccess);
    // Switch to impersonation (first field), then edit the account (next field).
    s.choices
        .set("exchange_deployment", Value::Text("on_premises".into()));
    press(&mut s, key(KeyCode::Char(' ')));
    press(&mut s, key(KeyCode::Char(' ')));
    let cat = s.customize.catalogue().clone();
    assert_eq!(s.choices.text(&cat, "mailbox_access"), "impersonation");
    press(&mut s, key(KeyCode::Char('j')));
    press(&mut s, key(KeyCode::Enter));
    assert!(s.exchange.is_editing());
    // q, < and > are typed, not obeyed.
    type_keys(&mut s, "q<>");
    assert!(!s.quit);
    assert_eq!(s.step, Step::ExchangeAccess);
    press(&mut s, key(KeyCode::Esc));
    assert!(!s.exchange.is_editing());
    assert_eq!(s.choices.text(&cat, "impersonation_account"), "");
}

#[test]
fn choice_errors_block_export_and_j_jumps_to_the_step() {
    let mut s = without_error_rows();
    assert!(!s.roster.has_errors());
    s.choices
        .set("mailbox_access", Value::Text("impersonation".into()));
    s.choices
        .set("exchange_deployment", Value::Text("on_premises".into()));
    s.choices.set(
        "ews_url",
        Value::Text("https://mail.example.com/EWS/Exchange.asmx".into()),
    );
    s.choices.set(
        "salesforce_client_id",
        Value::Text("3MVG9A2kN3Bn17hs8MIaQx1voVGy662rXlC37svtmLmt6wO_iik8Hnk3Dlc".into()),
    );
    s.choices.set(
        "impersonation_account",
        Value::Text("not an address".into()),
    );
    while s.step != Step::ReviewExport {
        press(&mut s, key(KeyCode::Char('>')));
    }
    let fx = press(&mut s, key(KeyCode::Enter));
    assert!(
        !fx.iter().any(|e| matches!(e, Effect::Export { .. })),
        "refused: {fx:?}"
    );
    assert!(s
        .review
        .choice_errors
        .iter()
        .any(|i| i.key == "impersonation_account"));
    let screen = text(&draw(&s, 120, 40));
    assert!(
        screen.contains("Blocks the export:") && screen.contains("1 Impersonating account: "),
        "{screen}"
    );
    press(&mut s, key(KeyCode::Char('j')));
    assert_eq!(s.step, Step::ExchangeAccess);
    assert_eq!(
        s.exchange.focused_item(&s.choices),
        Some(Item::Field("impersonation_account".into())),
        "j focuses the setting with the error"
    );

    // Fixed: the export goes ahead.
    s.choices
        .set("mailbox_access", Value::Text("per_user".into()));
    while s.step != Step::ReviewExport {
        press(&mut s, key(KeyCode::Char('>')));
    }
    update(&mut s, Msg::Review(ReviewMsg::Export));
    assert!(
        matches!(
            s.popup,
            Some(scc_onboard::tui::state::Popup::ConfirmWarnings { .. })
        ),
        "warnings are acknowledged once: {:?}",
        s.popup
    );
    let fx = update(&mut s, Msg::Popup(PopupMsg::Confirm));
    assert!(fx.iter().any(|e| matches!(e, Effect::Export { .. })));
}

#[test]
fn j_focuses_a_customize_setting_with_an_error() {
    let mut s = without_error_rows();
    s.choices
        .set("salesforce_environment", Value::Text("my_domain".into()));
    s.choices.set(
        "salesforce_my_domain_url",
        Value::Text("http://acme.example.com".into()),
    );
    while s.step != Step::ReviewExport {
        press(&mut s, key(KeyCode::Char('>')));
    }
    press(&mut s, key(KeyCode::Enter));
    press(&mut s, key(KeyCode::Char('j')));
    assert_eq!(s.step, Step::Customize);
    assert_eq!(
        s.customize.focused_key(&s.choices).as_deref(),
        Some("salesforce_my_domain_url")
    );
}

#[test]
fn c_copies_the_focused_command() {
    let mut s = at(Step::ExchangeAccess);
    s.choices
        .set("mailbox_access", Value::Text("impersonation".into()));
    s.choices
        .set("exchange_deployment", Value::Text("on_premises".into()));
    let cmd = loop {
        if let Some(c) = s.exchange.focused_command(&s.choices) {
            break c;
        }
        let before = s.exchange.focused_item(&s.choices);
        press(&mut s, key(KeyCode::Char('j')));
        assert_ne!(
            before,
            s.exchange.focused_item(&s.choices),
            "no command found"
        );
    };
    let fx = press(&mut s, key(KeyCode::Char('c')));
    assert!(
        fx.iter().any(|e| matches!(e, Effect::Copy(t) if *t == cmd)),
        "{fx:?}"
    );
}

/// No plan signs an account in to Exchange on the Authorize step: app-only uses the app's token,
/// impersonation (Exchange Server) the account's password. The step names the plan instead.
#[test]
fn no_account_signs_in_on_the_authorize_step_under_any_plan() {
    let mut s = at(Step::Authorize);
    let t = |v: &str| Value::Text(v.into());
    for (mode, deployment, says) in [
        (
            "per_user",
            "exchange_online",
            "Plan: Each user authorizes their own mailbox",
        ),
        (
            "app_only",
            "exchange_online",
            "Plan: An Entra app with app-only access",
        ),
        (
            "impersonation",
            "on_premises",
            "Plan: One impersonating account, svc@example.com",
        ),
    ] {
        s.choices.set("mailbox_access", t(mode));
        s.choices.set("exchange_deployment", t(deployment));
        s.choices.set("impersonation_account", t("svc@example.com"));
        for k in ['a', 'd', 'c'] {
            assert!(
                press(&mut s, key(KeyCode::Char(k))).is_empty(),
                "{mode} {k}"
            );
        }
        let screen = text(&draw(&s, 120, 40));
        assert!(screen.contains(says), "{screen}");
        assert!(!screen.contains("authorize exchange"), "{screen}");
    }
}

/// The step says where the last export put the invitations and how many; before an export it
/// says to export first. Every command is one line: no shell continuations.
#[test]
fn the_authorize_step_points_at_the_exported_invitations() {
    let mut s = at(Step::Authorize);
    let screen = text(&draw(&s, 80, 24));
    assert!(screen.contains("export the bundle first"), "{screen}");
    assert!(
        screen.contains("Each user authorizes Salesforce and Exchange (their own mailbox;"),
        "{screen}"
    );
    update(
        &mut s,
        Msg::Review(ReviewMsg::Exported(Ok((
            "/srv/onboarding/bundle".into(),
            283,
        )))),
    );
    let screen = text(&draw(&s, 120, 40));
    assert!(screen.contains("Invitations for 283 users in:"), "{screen}");
    assert!(
        screen.contains("/srv/onboarding/bundle/invitations"),
        "{screen}"
    );
    assert!(screen.contains("invitations.csv"), "{screen}");
    assert!(
        !screen.contains("users.csv"),
        "no truncated user list: {screen}"
    );

    s.choices
        .set("mailbox_access", Value::Text("app_only".into()));
    let screen = text(&draw(&s, 120, 40));
    assert!(
        screen.contains("Each user authorizes Salesforce\n")
            || screen.contains("Each user authorizes Salesforce "),
        "{screen}"
    );
    assert!(!screen.contains("Exchange (their own mailbox"), "{screen}");
    assert!(
        !screen
            .lines()
            .any(|l| l.trim_end_matches([' ', '│']).ends_with('\\')),
        "{screen}"
    );
}

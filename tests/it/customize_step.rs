//! The Customize step: keys in, edits out; the form rendered from the catalogue.

use crate::support::form::{press, screen, type_text};
use crate::support::sample;

use crossterm::event::KeyCode;
use scc_onboard::customize::{Catalogue, Choices, RosterFacts, Value};
use scc_onboard::tui::customize::CustomizeStep;

fn facts() -> RosterFacts {
    RosterFacts::from_roster(&sample::roster())
}

fn setup() -> (CustomizeStep, Choices) {
    let cat = Catalogue::embedded();
    let facts = facts();
    let choices = Choices::defaults(&cat, &facts);
    (CustomizeStep::new(cat, facts), choices)
}

#[test]
fn snapshot_defaults() {
    let (step, choices) = setup();
    insta::assert_snapshot!("customize_defaults_80x24", screen(&step, &choices, 80, 24));
    insta::assert_snapshot!(
        "customize_defaults_120x40",
        screen(&step, &choices, 120, 40)
    );
}

#[test]
fn space_toggles_and_undo_restores() {
    let (mut step, mut choices) = setup();
    let before = choices.clone();
    let edits = press(
        &mut step,
        &mut choices,
        &[KeyCode::Down, KeyCode::Down, KeyCode::Char(' ')],
    );
    assert_eq!(edits.len(), 1);
    assert_eq!(edits[0].key, "sync_tasks");
    assert_eq!(
        (edits[0].old.clone(), edits[0].new.clone()),
        (Value::Bool(true), Value::Bool(false))
    );
    assert_eq!(choices.get("sync_tasks"), Some(&Value::Bool(false)));
    choices.revert(&edits[0]);
    assert_eq!(choices, before);
}

#[test]
fn choosing_a_list_view_reveals_its_name_field_which_validates_as_typed() {
    let (mut step, mut choices) = setup();
    // Contacts scope is the 4th setting; Right twice: my contacts → all → list view.
    press(
        &mut step,
        &mut choices,
        &[KeyCode::Down, KeyCode::Down, KeyCode::Down],
    );
    assert_eq!(
        step.focused_key(&choices).as_deref(),
        Some("contacts_scope")
    );
    press(&mut step, &mut choices, &[KeyCode::Right, KeyCode::Right]);
    assert_eq!(
        choices.get("contacts_scope"),
        Some(&Value::Text("list_view".into()))
    );
    // The name field now shows, with its error.
    press(&mut step, &mut choices, &[KeyCode::Down]);
    assert_eq!(
        step.focused_key(&choices).as_deref(),
        Some("contacts_list_view")
    );
    let issues: Vec<_> = step
        .issues(&choices)
        .into_iter()
        .filter(|i| i.key == "contacts_list_view")
        .collect();
    assert_eq!(issues.len(), 1);
    assert!(issues[0]
        .message
        .starts_with("Contacts list view name is required"));
    insta::assert_snapshot!(
        "customize_list_view_required_80x24",
        screen(&step, &choices, 80, 24)
    );
    press(&mut step, &mut choices, &[KeyCode::Enter]);
    assert!(step.is_editing());
    type_text(&mut step, &mut choices, "Key accounts");
    let edits = press(&mut step, &mut choices, &[KeyCode::Enter]);
    assert_eq!(edits.len(), 1);
    assert_eq!(
        choices.get("contacts_list_view"),
        Some(&Value::Text("Key accounts".into()))
    );
    assert!(step
        .issues(&choices)
        .iter()
        .all(|i| i.key != "contacts_list_view"));
    assert!(!step.is_editing());
}

#[test]
fn an_invalid_domain_is_flagged_while_typing_and_enter_is_refused() {
    let (mut step, mut choices) = setup();
    while step.focused_key(&choices).as_deref() != Some("internal_domains") {
        press(&mut step, &mut choices, &[KeyCode::Down]);
    }
    press(&mut step, &mut choices, &[KeyCode::Enter, KeyCode::End]);
    type_text(&mut step, &mut choices, ", contoso");
    insta::assert_snapshot!(
        "customize_typing_bad_domain_80x24",
        screen(&step, &choices, 80, 24)
    );
    insta::assert_snapshot!(
        "customize_typing_bad_domain_120x40",
        screen(&step, &choices, 120, 40)
    );
    // Enter is refused while the text has a problem; the text is kept.
    assert!(press(&mut step, &mut choices, &[KeyCode::Enter]).is_empty());
    assert!(step.is_editing());
    type_text(&mut step, &mut choices, ".com");
    let edits = press(&mut step, &mut choices, &[KeyCode::Enter]);
    assert_eq!(
        edits[0].new,
        Value::List(vec!["northwind-traders.com".into(), "contoso.com".into()])
    );
    // Esc while editing cancels without an edit.
    press(&mut step, &mut choices, &[KeyCode::Enter]);
    type_text(&mut step, &mut choices, "zzz");
    assert!(press(&mut step, &mut choices, &[KeyCode::Esc]).is_empty());
    assert!(!step.is_editing());
}

#[test]
fn suggestions_and_reset_to_default() {
    let (mut step, mut choices) = setup();
    while step.focused_key(&choices).as_deref() != Some("blocked_addresses") {
        press(&mut step, &mut choices, &[KeyCode::Down]);
    }
    let edits = press(&mut step, &mut choices, &[KeyCode::Char('s')]);
    assert!(edits[0]
        .new
        .as_list()
        .unwrap()
        .contains(&"gmail.com".to_string()));
    insta::assert_snapshot!("customize_changed_120x40", screen(&step, &choices, 120, 40));
    let edits = press(&mut step, &mut choices, &[KeyCode::Char('d')]);
    assert_eq!(edits[0].new, Value::List(vec![]));
}

#[test]
fn tab_jumps_between_groups() {
    let (mut step, mut choices) = setup();
    press(&mut step, &mut choices, &[KeyCode::Tab]);
    assert_eq!(
        step.focused_key(&choices).as_deref(),
        Some("email_auto_sharing")
    );
    press(&mut step, &mut choices, &[KeyCode::Tab, KeyCode::Tab]);
    assert_eq!(
        step.focused_key(&choices).as_deref(),
        Some("allow_duplicate_emails")
    );
    press(&mut step, &mut choices, &[KeyCode::BackTab]);
    assert_eq!(
        step.focused_key(&choices).as_deref(),
        Some("blocked_addresses")
    );
}

#[test]
fn tiny_areas_render_without_panicking() {
    let (mut step, mut choices) = setup();
    while step.focused_key(&choices).as_deref() != Some("m365_tenant") {
        press(&mut step, &mut choices, &[KeyCode::Down]);
    }
    press(&mut step, &mut choices, &[KeyCode::Enter]);
    assert!(step.is_editing());
    for (w, h) in [(1, 1), (20, 5), (40, 8), (79, 23)] {
        let s = screen(&step, &choices, w, h);
        assert_eq!(s.lines().count(), h as usize);
    }
    let cat = Catalogue::embedded();
    let ex = scc_onboard::tui::exchange::ExchangeStep::new(
        cat,
        scc_onboard::customize::Guide::embedded(),
        facts(),
    );
    for (w, h) in [(1, 1), (20, 5), (40, 8)] {
        screen(&ex, &choices, w, h);
    }
}

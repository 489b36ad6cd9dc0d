//! Properties: checks never panic on any text, fixes lead to valid values, typing never panics, and a
//! list shown in an edit box reads back as the same list.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use proptest::prelude::*;
use scc_onboard::customize::syntax;
use scc_onboard::customize::validate::{check_value, input_text, parse_input};
use scc_onboard::customize::{Catalogue, Choices, RosterFacts, Value};
use scc_onboard::tui::customize::CustomizeStep;

fn key_strategy() -> impl Strategy<Value = KeyCode> {
    prop_oneof![
        any::<char>().prop_map(KeyCode::Char),
        Just(KeyCode::Backspace),
        Just(KeyCode::Delete),
        Just(KeyCode::Left),
        Just(KeyCode::Right),
        Just(KeyCode::Home),
        Just(KeyCode::End),
    ]
}

proptest! {
    #[test]
    fn checks_never_panic(s in ".{0,80}") {
        let _ = syntax::domain(&s);
        let _ = syntax::email(&s);
        let _ = syntax::url(&s, true, &[".my.salesforce.com".to_string()]);
        let _ = syntax::guid(&s);
        let _ = syntax::domain_or_tenant_id(&s);
        let _ = syntax::salesforce_consumer_key(&s);
    }

    #[test]
    fn a_suggested_fix_leads_to_a_valid_value(s in "[ @a-zA-Z0-9.:/<>_-]{0,40}") {
        type C = fn(&str) -> Result<(), syntax::Problem>;
        let url: C = |x| syntax::url(x, true, &[]);
        for (name, f) in [("domain", syntax::domain as C), ("email", syntax::email as C), ("url", url)] {
            // Following fixes (at most a few) always ends at a valid value or at no fix.
            let mut cur = s.clone();
            for _ in 0..5 {
                match f(&cur) {
                    Ok(()) => break,
                    Err(p) => match p.fix {
                        Some(fix) => {
                            prop_assert!(!fix.is_empty(), "{name}: {s:?} fixed to nothing");
                            prop_assert_ne!(&fix, &cur, "{}: fix of {:?} changes nothing", name, s);
                            cur = fix;
                        }
                        None => break,
                    },
                }
            }
        }
    }

    #[test]
    fn typing_any_keys_never_panics_and_esc_changes_nothing(keys in prop::collection::vec(key_strategy(), 0..40)) {
        let cat = Catalogue::embedded();
        let facts = RosterFacts::default();
        let choices = Choices::defaults(&cat, &facts);
        let mut step = CustomizeStep::new(cat, facts);
        while step.focused_key(&choices).as_deref() != Some("internal_domains") {
            step.handle_key(KeyEvent::new(KeyCode::Down, KeyModifiers::NONE), &choices);
        }
        step.handle_key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE), &choices);
        prop_assert!(step.is_editing());
        for k in keys {
            prop_assert!(step.handle_key(KeyEvent::new(k, KeyModifiers::NONE), &choices).is_none());
        }
        prop_assert!(step.handle_key(KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE), &choices).is_none());
        prop_assert!(!step.is_editing());
    }

    #[test]
    fn a_valid_list_reads_back_from_its_edit_text(labels in prop::collection::vec("[a-z][a-z0-9]{0,8}", 0..6)) {
        let cat = Catalogue::embedded();
        let s = cat.get("internal_domains").unwrap();
        let mut items: Vec<String> = Vec::new();
        for l in labels {
            let d = format!("{l}.example");
            if !items.contains(&d) {
                items.push(d);
            }
        }
        let v = Value::List(items);
        prop_assert!(check_value(s, &v).is_ok());
        prop_assert_eq!(parse_input(s, &input_text(&v)), v);
    }
}

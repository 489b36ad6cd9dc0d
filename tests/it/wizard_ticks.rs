//! Checklist ticks say only true things (issue 10, failure 7), driven through the wizard's
//! `update` as key presses: a tick records the exact text it was given for and lapses, with a
//! note, when that text changes; an item whose command still shows a placeholder cannot be
//! ticked until the setting behind it is filled; and report.md says the same.

use crate::support::wizard;

use crossterm::event::KeyCode;
use scc_onboard::bundle::{build_files, BundleInput};
use scc_onboard::customize::exchange::{PlanItem, STALE_TEXT};
use scc_onboard::customize::{Guide, Value};
use scc_onboard::roster::export::CsvOptions;
use scc_onboard::session::Step;
use scc_onboard::tui::exchange::Item;
use scc_onboard::tui::State;
use wizard::*;

/// The wizard on the Exchange access step, error rows excluded (so a bundle can be built),
/// impersonation on `deployment` with `account`.
fn exchange(deployment: &str, account: &str) -> State {
    let mut s = loaded(FIXTURE, (120, 40));
    for line in [3, 7] {
        go_to_line(&mut s, line);
        press(&mut s, key(KeyCode::Char('x')));
    }
    while s.step != Step::ExchangeAccess {
        press(&mut s, key(KeyCode::Char('>')));
    }
    let t = |v: &str| Value::Text(v.into());
    s.choices.set("mailbox_access", t("impersonation"));
    s.choices.set("exchange_deployment", t(deployment));
    s.choices.set("impersonation_account", t(account));
    s.choices
        .set("ews_url", t("https://mail.example.com/EWS/Exchange.asmx"));
    s.choices.set(
        "salesforce_client_id",
        t("3MVG9A2kN3Bn17hs8MIaQx1voVGy662rXlC37svtmLmt6wO_iik8Hnk3Dlc"),
    );
    s
}

/// Moves the focus to `item` with j/k presses.
fn focus(s: &mut State, item: Item) {
    press(s, key(KeyCode::Char('g')));
    for _ in 0..40 {
        if s.exchange.focused_item(&s.choices).as_ref() == Some(&item) {
            return;
        }
        press(s, key(KeyCode::Char('j')));
    }
    panic!("{item:?} not found");
}

fn item(s: &State, tick_key: &str) -> PlanItem {
    s.exchange
        .plan(&s.choices)
        .checklists
        .into_iter()
        .flat_map(|c| c.items)
        .find(|i| i.tick_key == tick_key)
        .unwrap()
}

fn report(s: &State) -> String {
    let input = BundleInput {
        roster: &s.roster,
        source: "roster.csv",
        catalogue: s.customize.catalogue(),
        guide: &Guide::embedded(),
        choices: &s.choices,
        csv: CsvOptions { bom: true },
        exclusion_reasons: Default::default(),
        extra_files: vec![],
        provenance: Default::default(),
        exchange_check: None,
    };
    let (files, _, _) = build_files(&input).unwrap();
    let f = files.into_iter().find(|f| f.name == "report.md").unwrap();
    String::from_utf8(f.bytes).unwrap()
}

const ADD_MEMBER: &str = "checklist.impersonation.add_member";

#[test]
fn a_tick_lapses_with_a_note_when_the_account_in_it_changes() {
    let mut s = exchange("on_premises", "scc-sync@example.com");
    focus(&mut s, Item::Tick(ADD_MEMBER.into()));
    let fx = press(&mut s, key(KeyCode::Char(' ')));
    assert!(saves(&fx));
    let ticked = item(&s, ADD_MEMBER);
    assert!(ticked.ticked);
    assert_eq!(ticked.text, "Under Members, add scc-sync@example.com.");
    // The tick holds the exact text it was given for, in the saved session too.
    assert_eq!(
        s.choices.get(ADD_MEMBER),
        Some(&Value::Text(
            "Under Members, add scc-sync@example.com.".into()
        ))
    );
    let saved = &s.session.as_ref().unwrap().customization;
    assert_eq!(
        saved[ADD_MEMBER],
        "Under Members, add scc-sync@example.com."
    );
    assert!(report(&s).contains("- [x] Under Members, add scc-sync@example.com."));

    // The account is changed in its field, as the admin would.
    focus(&mut s, Item::Field("impersonation_account".into()));
    press(&mut s, key(KeyCode::Enter));
    press(&mut s, ctrl('u'));
    type_keys(&mut s, "ada@example.com");
    press(&mut s, key(KeyCode::Enter));
    assert_eq!(
        s.choices
            .text(s.customize.catalogue(), "impersonation_account"),
        "ada@example.com"
    );
    let lapsed = item(&s, ADD_MEMBER);
    assert_eq!(lapsed.text, "Under Members, add ada@example.com.");
    assert!(!lapsed.ticked, "the tick was for another account");
    assert_eq!(lapsed.note.as_deref(), Some(STALE_TEXT));
    let md = report(&s);
    assert!(
        md.contains("- [ ] Under Members, add ada@example.com. (unticked: the text changed)"),
        "{md}"
    );
    assert!(!md.contains("[x] Under Members"), "{md}");
    let screen = text(&draw(&s, 120, 40));
    assert!(screen.contains("unticked: the text changed"), "{screen}");

    // Undo puts the account back, and with it the tick's text holds again.
    press(&mut s, key(KeyCode::Char('u')));
    assert!(item(&s, ADD_MEMBER).ticked);
}

#[test]
fn a_command_with_a_placeholder_cannot_be_ticked_until_its_setting_is_filled() {
    let mut s = exchange("exchange_online", "scc-sync@example.com");
    s.choices
        .set("mailbox_access", Value::Text("app_only".into()));
    // The client ID is set on the Customize step; the Object ID here is still empty.
    s.choices.set(
        "entra_client_id",
        Value::Text("6233fba6-0198-4277-892f-9275bf728bcc".into()),
    );
    s.choices.set("entra_object_id", Value::Text(String::new()));
    let key_sp = "checklist.rbac_apps.new_service_principal";
    let it = item(&s, key_sp);
    assert!(
        it.command
            .as_deref()
            .unwrap()
            .contains("<Enterprise application Object ID>"),
        "{it:?}"
    );
    focus(&mut s, Item::Tick(key_sp.into()));
    let history = s.session.as_ref().unwrap().history.len();
    let fx = press(&mut s, key(KeyCode::Char(' ')));
    assert!(!saves(&fx), "nothing changed");
    assert!(!item(&s, key_sp).ticked);
    assert_eq!(s.session.as_ref().unwrap().history.len(), history);
    let status = s
        .status
        .as_ref()
        .map(|st| st.text.clone())
        .unwrap_or_default();
    assert!(
        status.contains("Cannot tick this step yet")
            && status.contains("\"Enterprise application Object ID\""),
        "{status}"
    );
    // Once the Object ID is filled, the command is complete and can be ticked.
    let id = "0b9c2f1e-3a4d-4e5f-8a6b-7c8d9e0f1a2b";
    focus(&mut s, Item::Field("entra_object_id".into()));
    press(&mut s, key(KeyCode::Enter));
    type_keys(&mut s, id);
    press(&mut s, key(KeyCode::Enter));
    focus(&mut s, Item::Tick(key_sp.into()));
    press(&mut s, key(KeyCode::Char(' ')));
    let it = item(&s, key_sp);
    assert!(it.ticked, "{it:?}");
    assert!(it.command.unwrap().contains(id));
}

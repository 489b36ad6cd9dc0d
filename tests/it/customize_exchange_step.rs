//! The Exchange access step: mode, account, deployment, checklists with commands.

use crate::support::form::{press, screen, type_text};
use crate::support::sample;

use crossterm::event::KeyCode;
use scc_onboard::customize::{Catalogue, Choices, Guide, RosterFacts, Value};
use scc_onboard::roster::Severity;
use scc_onboard::tui::exchange::{ExchangeStep, Item};

/// The screen's rows joined without line breaks: a command split at the screen edge reads whole.
fn joined(screen: &str) -> String {
    screen
        .lines()
        .map(|l| l.trim_start_matches('"').trim_end_matches('"'))
        .collect()
}

fn setup() -> (ExchangeStep, Choices) {
    let cat = Catalogue::embedded();
    let facts = RosterFacts::from_roster(&sample::roster());
    let choices = Choices::defaults(&cat, &facts);
    (ExchangeStep::new(cat, Guide::embedded(), facts), choices)
}

#[test]
fn per_user_on_exchange_online_shows_the_ews_dates() {
    let (step, mut choices) = setup();
    choices.set(
        "entra_client_id",
        Value::Text("6233fba6-0198-4277-892f-9275bf728bcc".into()),
    );
    // Microsoft Graph by default: the delegated permissions, no EWS steps.
    let s = screen(&step, &choices, 80, 24);
    assert!(s.contains("Over Microsoft Graph"), "{s}");
    assert!(!s.contains("EwsAllowedAppIDs"), "{s}");
    insta::assert_snapshot!("exchange_per_user_80x24", s);
    insta::assert_snapshot!("exchange_per_user_120x40", screen(&step, &choices, 120, 40));
    // EWS: the allow-list checklist and the dates.
    choices.set("exchange_api", Value::Text("ews".into()));
    let s = screen(&step, &choices, 120, 40);
    let all = joined(&s);
    assert!(all.contains("1 October"), "{s}");
    assert!(
        all.contains("Set-OrganizationConfig -EwsEnabled $true"),
        "{s}"
    );
    insta::assert_snapshot!("exchange_per_user_ews_120x40", s);
}

#[test]
fn impersonation_on_premises_account_checklist_and_command() {
    let (mut step, mut choices) = setup();
    // Deployment first (the second field): on-premises.
    press(
        &mut step,
        &mut choices,
        &[KeyCode::Down, KeyCode::Right, KeyCode::Up],
    );
    assert_eq!(
        choices.get("exchange_deployment"),
        Some(&Value::Text("on_premises".into()))
    );
    // Mode: per-user → app-only → impersonation.
    let e = press(&mut step, &mut choices, &[KeyCode::Right, KeyCode::Right]);
    assert_eq!(e[1].key, "mailbox_access");
    assert_eq!(e[0].new, Value::Text("app_only".into()));
    assert_eq!(e[1].new, Value::Text("impersonation".into()));
    // The account field appears right after the mode and is required.
    press(&mut step, &mut choices, &[KeyCode::Down]);
    assert_eq!(
        step.focused_item(&choices),
        Some(Item::Field("impersonation_account".into()))
    );
    assert!(step
        .issues(&choices)
        .iter()
        .any(|i| i.message.starts_with("Impersonating account is required")));
    // A roster user's account in the wrong domain: error while typing is fine (syntax is OK),
    // the domain check shows once saved, with a fix.
    press(&mut step, &mut choices, &[KeyCode::Enter]);
    type_text(&mut step, &mut choices, "scc-sync@fabrikam.com");
    press(&mut step, &mut choices, &[KeyCode::Enter]);
    let issues = step.issues(&choices);
    assert_eq!(issues[0].severity, Severity::Error);
    assert_eq!(
        issues[0].fix.as_deref(),
        Some("scc-sync@northwind-traders.com")
    );
    press(&mut step, &mut choices, &[KeyCode::Enter, KeyCode::Home]);
    for _ in 0..30 {
        press(&mut step, &mut choices, &[KeyCode::Delete]);
    }
    type_text(&mut step, &mut choices, "obennett@northwind-traders.com");
    press(&mut step, &mut choices, &[KeyCode::Enter]);
    let issues: Vec<_> = step
        .issues(&choices)
        .into_iter()
        .filter(|i| i.key == "impersonation_account")
        .collect();
    assert_eq!(issues.len(), 1);
    assert_eq!(issues[0].severity, Severity::Warning);
    assert!(issues[0].message.contains("also a user in the roster"));
    // The EWS URL, required and https only.
    assert!(step
        .issues(&choices)
        .iter()
        .any(|i| i.key == "ews_url" && i.message.starts_with("EWS URL is required")));
    choices.set(
        "ews_url",
        Value::Text("https://mail.northwind-traders.com/EWS/Exchange.asmx".into()),
    );
    // Tab goes to the first checklist item; Space ticks it, and the edit reverts exactly.
    press(&mut step, &mut choices, &[KeyCode::Tab]);
    assert_eq!(
        step.focused_item(&choices),
        Some(Item::Tick(
            "checklist.impersonation.open_admin_roles".into()
        ))
    );
    let ticks = press(&mut step, &mut choices, &[KeyCode::Char(' ')]);
    assert!(choices.is_ticked("checklist.impersonation.open_admin_roles"));
    // Move to the Shell command item.
    press(
        &mut step,
        &mut choices,
        &[
            KeyCode::Down,
            KeyCode::Down,
            KeyCode::Down,
            KeyCode::Down,
            KeyCode::Down,
        ],
    );
    let s = screen(&step, &choices, 120, 40);
    assert!(joined(&s).contains(
        "New-ManagementRoleAssignment -Name \"SmartCloud Connect impersonation\" -Role ApplicationImpersonation -User \"obennett@northwind-traders.com\""
    ), "{s}");
    insta::assert_snapshot!("exchange_impersonation_on_prem_120x40", s);
    insta::assert_snapshot!(
        "exchange_impersonation_on_prem_80x24",
        screen(&step, &choices, 80, 24)
    );
    choices.revert(&ticks[0]);
    assert!(!choices.is_ticked("checklist.impersonation.open_admin_roles"));
}

#[test]
fn impersonation_on_exchange_online_is_an_error_and_app_only_lists_the_rbac_commands() {
    let (mut step, mut choices) = setup();
    choices.set("mailbox_access", Value::Text("impersonation".into()));
    let s = screen(&step, &choices, 120, 40);
    assert!(
        s.contains("ApplicationImpersonation no longer exists in Exchange Online"),
        "{s}"
    );
    let issues = step.issues(&choices);
    assert_eq!(issues[0].key, "mailbox_access");
    assert_eq!(issues[0].fix.as_deref(), Some("app_only"));
    assert!(
        !s.contains("Impersonating account"),
        "no account is asked for: {s}"
    );
    // The fix: app-only access, with the client ID set on Customize.
    choices.set("mailbox_access", Value::Text("app_only".into()));
    choices.set(
        "entra_client_id",
        Value::Text("6233fba6-0198-4277-892f-9275bf728bcc".into()),
    );
    let s = screen(&step, &choices, 120, 40);
    assert!(
        joined(&s).contains("RecipientRestrictionFilter \"UserPrincipalName -eq '"),
        "{s}"
    );
    insta::assert_snapshot!("exchange_app_only_120x40", s);
    // Jump to the mail role assignment command.
    press(&mut step, &mut choices, &[KeyCode::Tab]);
    while step.focused_item(&choices) != Some(Item::Tick("checklist.rbac_apps.role_mail".into())) {
        press(&mut step, &mut choices, &[KeyCode::Down]);
    }
    let s = screen(&step, &choices, 80, 24);
    let cmd = "New-ManagementRoleAssignment -App 6233fba6-0198-4277-892f-9275bf728bcc -Role \"Application Mail.ReadWrite\" -CustomResourceScope \"SmartCloud Connect mailboxes\"";
    assert!(joined(&s).contains(cmd), "{s}");
    insta::assert_snapshot!("exchange_app_only_command_80x24", s);
    assert_eq!(step.focused_command(&choices).as_deref(), Some(cmd));
}

/// Tab walks the open checklist items one by one, then returns to the fields.
#[test]
fn tab_walks_the_open_checklist_items() {
    let (mut step, mut choices) = setup();
    press(&mut step, &mut choices, &[KeyCode::Right]); // app-only: checklists appear
    press(&mut step, &mut choices, &[KeyCode::Tab]);
    let first = step.focused_item(&choices);
    assert!(matches!(first, Some(Item::Tick(_))), "{first:?}");
    press(&mut step, &mut choices, &[KeyCode::Char(' ')]); // tick it
    press(&mut step, &mut choices, &[KeyCode::Tab]);
    let second = step.focused_item(&choices);
    assert!(matches!(second, Some(Item::Tick(_))), "{second:?}");
    assert_ne!(second, first, "Tab moved on to the next open item");
    // Tabbing on reaches the fields again.
    for _ in 0..50 {
        if matches!(step.focused_item(&choices), Some(Item::Field(_))) {
            return;
        }
        press(&mut step, &mut choices, &[KeyCode::Tab]);
    }
    panic!("Tab never returned to the fields");
}

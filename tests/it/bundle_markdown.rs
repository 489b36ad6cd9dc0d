//! customization.md states every choice in plain words; report.md carries the roster counts,
//! warnings and the Exchange access plan.

use crate::support::sample;

use sample::*;
use scc_onboard::bundle::markdown::escape;
use scc_onboard::customize::validate::display_value;
use scc_onboard::customize::{Catalogue, Choices, RosterFacts};

fn line_of<'a>(md: &'a str, key: &str) -> &'a str {
    md.lines()
        .find(|l| l.ends_with(&format!("`{key}`")))
        .unwrap_or_else(|| panic!("no line for {key} in:\n{md}"))
}

#[test]
fn every_choice_is_stated_with_its_title_and_value() {
    let cat = Catalogue::embedded();
    let roster = roster();
    let facts = RosterFacts::from_roster(&roster);
    for choices in [
        exportable_defaults(&cat, &facts),
        everything_changed(&cat, &facts),
    ] {
        let files = render(&cat, &roster, &choices);
        let md = String::from_utf8(files["customization.md"].clone()).unwrap();
        let defaults = Choices::defaults(&cat, &facts);
        for s in &cat.settings {
            let line = line_of(&md, &s.key);
            let shown = escape(&display_value(s, choices.value_of(s)));
            assert!(
                line.starts_with(&format!("- **{}:** {shown}", escape(&s.title))),
                "{line}"
            );
            let changed = choices.value_of(s) != defaults.value_of(s);
            if !choices.is_active(&cat, s) {
                assert!(line.contains("(does not apply because "), "{line}");
            } else {
                assert_eq!(line.contains("(**changed**; default: "), changed, "{line}");
            }
        }
        for g in &cat.groups {
            assert!(md.contains(&format!("\n## {g}\n")), "group {g}");
        }
    }
}

#[test]
fn typed_text_is_shown_literally() {
    let cat = Catalogue::embedded();
    let roster = roster();
    let facts = RosterFacts::from_roster(&roster);
    let files = render(&cat, &roster, &everything_changed(&cat, &facts));
    let md = String::from_utf8(files["customization.md"].clone()).unwrap();
    assert!(md.contains(r"- **Contacts list view name:** Key \*accounts\* \| EMEA"));
    assert!(md.contains("- **Plan:** An Entra app with app-only access to the roster's mailboxes, scoped by RBAC for Applications (Exchange Online, EWS)"));
    assert!(md.contains("- **Mailbox access:** `app_only`; **API:** EWS"));
    assert!(md.contains("- **Set-up checklist:** 1 of 11 steps ticked by the admin"));
}

#[test]
fn report_has_counts_warnings_and_the_exchange_plan_with_commands() {
    let cat = Catalogue::embedded();
    let roster = roster();
    let facts = RosterFacts::from_roster(&roster);
    let files = render(&cat, &roster, &everything_changed(&cat, &facts));
    let report = String::from_utf8(files["report.md"].clone()).unwrap();
    assert!(report.contains("| In the roster file | 5 |"), "{report}");
    assert!(report.contains("| Written to users.csv | 5 |"));
    assert!(report.contains("| Included with warnings | 1 |"));
    assert!(report.contains("| `sfid-15` | warning | 1 |"));
    assert!(report.contains("- Line 5, Salesforce user ID: 15-character ID"));
    assert!(report.contains(
        "### An app reaches the roster's mailboxes; users sign in to nothing but Salesforce"
    ));
    assert!(report.contains("blocks EWS by default unless"));
    assert!(report.contains(
        "Set-OrganizationConfig -EwsAllowedAppIDs @{Add=\"6233fba6-0198-4277-892f-9275bf728bcc\"}"
    ));
    assert!(report.contains("1 April 2027"));
    assert!(report.contains("- [x] In the Microsoft Entra admin center register an app"));
    assert!(report.contains(
        "  New-ServicePrincipal -AppId 6233fba6-0198-4277-892f-9275bf728bcc -ObjectId 0b9c2f1e-3a4d-4e5f-8a6b-7c8d9e0f1a2b -DisplayName \"SmartCloud Connect\""
    ));
    assert!(report.contains(
        "Test-ServicePrincipalAuthorization -Identity 6233fba6-0198-4277-892f-9275bf728bcc -Resource aokafor@northwind-traders.com"
    ));
    assert!(report.contains("-Role \"Application EWS.AccessAsApp\" -CustomResourceScope"));
    assert!(report.contains(
        "-RecipientRestrictionFilter \"UserPrincipalName -eq 'aokafor@northwind-traders.com' -or "
    ));
    assert!(report
        .contains("<https://learn.microsoft.com/en-us/exchange/permissions-exo/application-rbac>"));
    // The extra file (the authorize step's user-config.toml) is carried as is.
    assert_eq!(files["user-config.toml"], b"# from the authorize step\n");
    // users.csv is the roster export: BOM, vendor header, one line per user.
    let csv = &files["users.csv"];
    assert!(csv.starts_with(b"\xEF\xBB\xBF"));
    assert_eq!(
        csv.split(|&b| b == b'\n').filter(|l| !l.is_empty()).count(),
        6
    );
}

/// A duplicate the admin left out loses its duplicate finding (excluded rows take no part in
/// duplicate checks); the report still says what it duplicated.
#[test]
fn an_excluded_duplicate_is_explained_in_the_report() {
    let cat = Catalogue::embedded();
    let mut roster = roster();
    let first_login = roster
        .cell(0, scc_onboard::roster::Field::SalesforceLogin)
        .to_string();
    roster.set_cell(1, scc_onboard::roster::Field::SalesforceLogin, first_login);
    roster.set_excluded(1, true);
    assert!(roster.findings(1).is_empty());
    let facts = RosterFacts::from_roster(&roster);
    let files = render(&cat, &roster, &exportable_defaults(&cat, &facts));
    let md = String::from_utf8(files["report.md"].clone()).unwrap();
    let row = md
        .lines()
        .find(|l| l.starts_with("| 3 | Liam Carter"))
        .unwrap_or_else(|| panic!("no excluded row for line 3:\n{md}"));
    assert!(
        row.contains("same Salesforce login as line 2") && row.contains("`dup-sf-login`"),
        "{row}"
    );
}

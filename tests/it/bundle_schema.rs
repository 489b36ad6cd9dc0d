//! customization.json validates against the shipped JSON Schema, and the schema is not vacuous.

use crate::support::sample;

use sample::*;
use scc_onboard::customize::{Catalogue, Kind, RosterFacts, Value};

#[test]
fn default_and_changed_choices_validate_against_the_schema() {
    let cat = Catalogue::embedded();
    let roster = roster();
    let facts = RosterFacts::from_roster(&roster);
    let v = schema_validator();
    let mut on_prem = everything_changed(&cat, &facts);
    on_prem.set("exchange_deployment", Value::Text("on_premises".into()));
    on_prem.set("mailbox_access", Value::Text("impersonation".into()));
    on_prem.set(
        "impersonation_account",
        Value::Text("scc-sync@northwind-traders.com".into()),
    );
    on_prem.set(
        "ews_url",
        Value::Text("https://mail.northwind-traders.com/EWS/Exchange.asmx".into()),
    );
    on_prem.set("checklist.impersonation.save", Value::Bool(true));
    for choices in [
        exportable_defaults(&cat, &facts),
        everything_changed(&cat, &facts),
        on_prem,
    ] {
        let files = render(&cat, &roster, &choices);
        let doc: serde_json::Value = serde_json::from_slice(&files["customization.json"]).unwrap();
        assert_eq!(schema_errors(&v, &doc), Vec::<String>::new());
        for s in &cat.settings {
            assert_eq!(
                doc["settings"][&s.key],
                serde_json::to_value(choices.value_of(s)).unwrap(),
                "{}",
                s.key
            );
        }
    }
}

#[test]
fn the_schema_rejects_wrong_documents() {
    let cat = Catalogue::embedded();
    let roster = roster();
    let facts = RosterFacts::from_roster(&roster);
    let files = render(&cat, &roster, &everything_changed(&cat, &facts));
    let good: serde_json::Value = serde_json::from_slice(&files["customization.json"]).unwrap();
    let v = schema_validator();
    let broken = |f: &dyn Fn(&mut serde_json::Value)| {
        let mut d = good.clone();
        f(&mut d);
        schema_errors(&v, &d)
    };
    assert!(!broken(&|d| d["settings"]["sync_tasks"] = "no".into()).is_empty());
    assert!(!broken(&|d| d["settings"]["contacts_scope"] = "everyone".into()).is_empty());
    assert!(!broken(&|d| {
        d["settings"].as_object_mut().unwrap().remove("m365_tenant");
    })
    .is_empty());
    // Impersonation names its account; app-only has none.
    assert_eq!(good["exchange_access"]["mode"], "app_only");
    assert!(!broken(&|d| d["exchange_access"]["mode"] = "impersonation".into()).is_empty());
    assert!(!broken(&|d| d["exchange_access"]["api"] = "soap".into()).is_empty());
    assert!(!broken(&|d| {
        d["exchange_access"]
            .as_object_mut()
            .unwrap()
            .remove("ews_url");
    })
    .is_empty());
    assert!(!broken(&|d| d["version"] = 2.into()).is_empty());
    assert!(!broken(&|d| d["settings"]["Bad Key"] = true.into()).is_empty());
}

#[test]
fn the_schema_describes_every_catalogue_setting_with_its_type() {
    let cat = Catalogue::embedded();
    let schema: serde_json::Value =
        serde_json::from_str(scc_onboard::bundle::customization_json::SCHEMA).unwrap();
    let props = &schema["properties"]["settings"]["properties"];
    let required: Vec<&str> = schema["properties"]["settings"]["required"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    for s in &cat.settings {
        let p = &props[&s.key];
        let ty = match s.kind {
            Kind::Bool => "boolean",
            Kind::DomainList => "array",
            _ => "string",
        };
        assert_eq!(p["type"], ty, "schema type of {}", s.key);
        if s.kind == Kind::Choice {
            let values: Vec<&str> = s.choices.iter().map(|c| c.value.as_str()).collect();
            assert_eq!(p["enum"], serde_json::json!(values), "choices of {}", s.key);
        }
        assert!(required.contains(&s.key.as_str()), "{} not required", s.key);
    }
    assert_eq!(
        required.len(),
        cat.settings.len(),
        "schema lists settings the catalogue lacks"
    );
}

//! Helpers shared by the bundle and customize tests.

use scc_onboard::bundle::{build_files, BundleInput, OutFile};
use scc_onboard::customize::{Catalogue, Choices, Guide, RosterFacts, Value};
use scc_onboard::roster::export::CsvOptions;
use scc_onboard::roster::import::{import_path, ImportOptions};
use scc_onboard::roster::Roster;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// Five valid users at northwind-traders.com, one with a warning (15-character ID).
pub fn roster() -> Roster {
    let imported = import_path(&fixture("bundle-roster.csv"), &ImportOptions::default()).unwrap();
    Roster::from_imported(imported)
}

/// The org's two app IDs, which every plan requires (there is no vendor app to fall back on).
pub fn with_ids(mut c: Choices) -> Choices {
    c.set(
        "salesforce_client_id",
        Value::Text("3MVG9A2kN3Bn17hs8MIaQx1voVGy662rXlC37svtmLmt6wO_iik8Hnk3Dlc".into()),
    );
    c.set(
        "entra_client_id",
        Value::Text("6233fba6-0198-4277-892f-9275bf728bcc".into()),
    );
    c
}

/// The defaults plus the app IDs: the least an export accepts.
pub fn exportable_defaults(cat: &Catalogue, facts: &RosterFacts) -> Choices {
    with_ids(Choices::defaults(cat, facts))
}

/// Choices that change every setting from its default (app-only access on Exchange Online,
/// over EWS).
pub fn everything_changed(cat: &Catalogue, facts: &RosterFacts) -> Choices {
    let mut c = Choices::defaults(cat, facts);
    let t = |s: &str| Value::Text(s.into());
    c.set("sync_events", Value::Bool(false));
    c.set("sync_tasks", Value::Bool(false));
    c.set("contacts_scope", t("list_view"));
    c.set("contacts_list_view", t("Key *accounts* | EMEA"));
    c.set("email_auto_sharing", Value::Bool(true));
    c.set("auto_save_thread", Value::Bool(true));
    c.set("link_emails_to_opportunities", Value::Bool(true));
    c.set(
        "blocked_addresses",
        Value::List(vec!["gmail.com".into(), "ceo@northwind-traders.com".into()]),
    );
    c.set(
        "internal_domains",
        Value::List(vec![
            "northwind-traders.com".into(),
            "northwind.example".into(),
        ]),
    );
    c.set("allow_duplicate_emails", Value::Bool(false));
    c.set("attachment_storage", t("attachments"));
    c.set("salesforce_environment", t("my_domain"));
    c.set(
        "salesforce_my_domain_url",
        t("https://northwind.my.salesforce.com"),
    );
    c.set(
        "salesforce_client_id",
        t("3MVG9A2kN3Bn17hs8MIaQx1voVGy662rXlC37svtmLmt6wO_iik8Hnk3Dlc"),
    );
    c.set("m365_tenant", t("northwind-traders.com"));
    c.set("entra_client_id", t("6233fba6-0198-4277-892f-9275bf728bcc"));
    c.set("entra_object_id", t("0b9c2f1e-3a4d-4e5f-8a6b-7c8d9e0f1a2b"));
    c.set("users_open_customization", Value::Bool(false));
    c.set("mailbox_access", t("app_only"));
    c.set("exchange_deployment", t("exchange_online"));
    c.set("exchange_api", t("ews"));
    c.set("checklist.rbac_apps.register_app", Value::Bool(true));
    c
}

/// Renders every bundle file for `choices` and returns them by name.
pub fn render(cat: &Catalogue, roster: &Roster, choices: &Choices) -> BTreeMap<String, Vec<u8>> {
    let guide = Guide::embedded();
    let input = BundleInput {
        roster,
        source: "bundle-roster.csv",
        catalogue: cat,
        guide: &guide,
        choices,
        csv: CsvOptions { bom: true },
        exclusion_reasons: BTreeMap::new(),
        extra_files: vec![OutFile {
            name: "user-config.toml".into(),
            bytes: b"# from the authorize step\n".to_vec(),
        }],
        provenance: Default::default(),
        exchange_check: None,
    };
    let (files, _, _) = build_files(&input).unwrap();
    files.into_iter().map(|f| (f.name, f.bytes)).collect()
}

pub fn schema_validator() -> jsonschema::Validator {
    let schema: serde_json::Value =
        serde_json::from_str(scc_onboard::bundle::customization_json::SCHEMA).unwrap();
    jsonschema::validator_for(&schema).unwrap()
}

pub fn schema_errors(v: &jsonschema::Validator, doc: &serde_json::Value) -> Vec<String> {
    v.iter_errors(doc)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

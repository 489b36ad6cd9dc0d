//! `customization.json`: the choices for a program, versioned, validated by
//! `assets/customization.schema.json`.

use crate::customize::{validate::display_value, Catalogue, Choices, ExchangePlan, Value};
use serde::Serialize;
use std::collections::BTreeMap;

/// Format tag and version of `customization.json`. Bump the version on any incompatible change
/// (and update the schema).
pub const FORMAT: &str = "scc-onboard/customization";
/// Version of `customization.json`.
pub const VERSION: u32 = 1;
/// The JSON Schema that describes the file.
pub const SCHEMA: &str = include_str!("../../assets/customization.schema.json");

#[derive(Serialize)]
struct Doc<'a> {
    format: &'static str,
    version: u32,
    generator: String,
    catalogue_version: u32,
    /// Every catalogue setting, keyed by catalogue key.
    settings: BTreeMap<&'a str, &'a Value>,
    /// The same settings with titles and plain-word values, in catalogue order.
    details: Vec<Detail<'a>>,
    exchange_access: Exchange<'a>,
    /// The last Exchange access check: its plan and time, or null when none ran.
    exchange_check: serde_json::Value,
}

#[derive(Serialize)]
struct Detail<'a> {
    key: &'a str,
    group: &'a str,
    title: &'a str,
    #[serde(rename = "type")]
    kind: &'static str,
    value: &'a Value,
    display: String,
    default: bool,
    /// False when the setting does not apply (its `when` condition does not hold).
    applies: bool,
}

#[derive(Serialize)]
struct Exchange<'a> {
    mode: &'static str,
    deployment: &'static str,
    /// `graph` or `ews`: the API the sync uses.
    api: &'static str,
    /// The Exchange Server's EWS endpoint (on-premises impersonation only).
    ews_url: Option<&'a str>,
    impersonation_account: Option<&'a str>,
    /// Ticked checklist items as `<checklist>.<item>`.
    checklist_ticked: Vec<String>,
    checklist_total: usize,
}

/// Renders `customization.json`. `defaults` are the choices the admin started from (with
/// roster-derived defaults), used to mark what was changed.
pub fn render(
    cat: &Catalogue,
    choices: &Choices,
    defaults: &Choices,
    plan: &ExchangePlan,
    check: Option<&super::exchange_check::CheckSummary>,
) -> Vec<u8> {
    let settings = cat
        .settings
        .iter()
        .map(|s| (s.key.as_str(), choices.value_of(s)))
        .collect();
    let details = cat
        .page_order()
        .into_iter()
        .map(|s| {
            let v = choices.value_of(s);
            Detail {
                key: &s.key,
                group: &s.group,
                title: &s.title,
                kind: s.kind.as_str(),
                value: v,
                display: display_value(s, v),
                default: s.same_value(v, defaults.value_of(s)),
                applies: choices.is_active(cat, s),
            }
        })
        .collect();
    let (_, total) = plan.progress();
    let doc = Doc {
        format: FORMAT,
        version: VERSION,
        generator: super::generator(),
        catalogue_version: cat.version,
        settings,
        details,
        exchange_access: Exchange {
            mode: plan.mode.as_str(),
            deployment: plan.deployment.as_str(),
            api: plan.api.as_str(),
            ews_url: plan.ews_url.as_deref(),
            impersonation_account: plan.impersonation_account.as_deref(),
            checklist_ticked: plan
                .checklists
                .iter()
                .flat_map(|c| c.items.iter())
                .filter(|i| i.ticked)
                .map(|i| {
                    i.tick_key
                        .trim_start_matches(crate::customize::choices::CHECKLIST_PREFIX)
                        .to_string()
                })
                .collect(),
            checklist_total: total,
        },
        exchange_check: super::exchange_check::json(check),
    };
    let mut out = serde_json::to_vec_pretty(&doc).expect("customization serialises");
    out.push(b'\n');
    out
}

//! `customization.md`: the choices in plain words for the vendor's support staff, who apply
//! them by hand. Same content as `customization.json`.

use super::markdown::escape;
use crate::customize::{validate::display_value, Api, Catalogue, Choices, ExchangePlan, Mode};

/// Renders `customization.md`; `defaults` mark what the admin changed.
pub(super) fn render(
    cat: &Catalogue,
    choices: &Choices,
    defaults: &Choices,
    plan: &ExchangePlan,
) -> String {
    let mut md = String::new();
    let tenant = choices.text(cat, "m365_tenant");
    md.push_str("# SmartCloud Connect customization");
    if !tenant.is_empty() {
        md.push_str(&format!(" for {}", escape(&tenant)));
    }
    md.push_str("\n\n");
    md.push_str(&format!(
        "Written by {} (settings catalogue version {}). The same choices, for programs, are in \
         `customization.json`. Settings marked **changed** differ from SmartCloud Connect's \
         default; \"does not apply\" means another choice makes the setting irrelevant.\n",
        super::generator(),
        cat.version
    ));
    for group in &cat.groups {
        let settings: Vec<_> = cat
            .page_order()
            .into_iter()
            .filter(|s| &s.group == group)
            .collect();
        if settings.is_empty() {
            continue;
        }
        md.push_str(&format!("\n## {}\n\n", escape(group)));
        for s in settings {
            let v = choices.value_of(s);
            let shown = escape(&display_value(s, v));
            let value = match v.as_list().map_or(0, <[String]>::len) {
                n if n > 1 => format!("{shown} ({n} entries)"),
                _ => shown,
            };
            let mut line = format!("- **{}:** {value}", escape(&s.title));
            if !choices.is_active(cat, s) {
                let why = s
                    .when
                    .iter()
                    .find(|w| {
                        cat.get(&w.key)
                            .is_some_and(|d| choices.value_of(d).condition_text() != w.equals)
                    })
                    .and_then(|w| cat.get(&w.key))
                    .map(|dep| {
                        format!(
                            " because {} is \"{}\"",
                            escape(&dep.title),
                            escape(&display_value(dep, choices.value_of(dep)))
                        )
                    })
                    .unwrap_or_default();
                line.push_str(&format!(" (does not apply{why})"));
            } else if !s.same_value(v, defaults.value_of(s)) {
                line.push_str(&format!(
                    " (**changed**; default: {})",
                    escape(&display_value(s, defaults.value_of(s)))
                ));
            }
            line.push_str(&format!(" `{}`\n", s.key));
            md.push_str(&line);
        }
    }
    md.push_str("\n## Exchange access plan\n\n");
    md.push_str(&plan_summary(plan));
    md
}

/// A few lines on how mailboxes are reached (also used by `report.md`).
pub(super) fn plan_summary(plan: &ExchangePlan) -> String {
    let mut md = String::new();
    md.push_str(&format!(
        "- **Deployment:** {}\n",
        match plan.deployment {
            crate::customize::Deployment::ExchangeOnline => "Exchange Online (Microsoft 365)",
            crate::customize::Deployment::OnPremises => "Exchange Server on-premises",
        }
    ));
    md.push_str(&format!("- **Plan:** {}\n", escape(&plan.summary())));
    md.push_str(&format!(
        "- **Mailbox access:** `{}`; **API:** {}\n",
        plan.mode.as_str(),
        match plan.api {
            Api::Graph => "Microsoft Graph",
            Api::Ews => "EWS",
        }
    ));
    if let Some(url) = &plan.ews_url {
        md.push_str(&format!("- **EWS URL:** {}\n", escape(url)));
    }
    match plan.mode {
        Mode::PerUser => {}
        Mode::AppOnly => md.push_str(
            "- **No impersonating account, no per-user Exchange sign-in:** users authorize Salesforce only\n",
        ),
        Mode::Impersonation => md.push_str(&format!(
            "- **Impersonating account:** {} (its password is kept in the admin's OS keyring, never in this bundle); users authorize Salesforce only\n",
            escape(plan.impersonation_account.as_deref().unwrap_or("(not named)"))
        )),
    }
    let (done, total) = plan.progress();
    if total > 0 {
        md.push_str(&format!(
            "- **Set-up checklist:** {done} of {total} steps ticked by the admin\n"
        ));
    }
    md
}

//! Checking choices against the catalogue: one field as it is typed, or all of them.

use super::catalogue::{Catalogue, Kind, Setting, TextFormat};
use super::choices::{default_value, Choices};
use super::facts::RosterFacts;
use super::syntax::{self, Problem};
use super::value::Value;
use crate::roster::Severity;

/// A problem with one setting's value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Issue {
    pub key: String,
    pub severity: Severity,
    pub message: String,
    /// The value the setting should hold instead, when it is certain (as typed text).
    pub fix: Option<String>,
}

/// Turns what the admin typed into a value for `s`. Lists are split on commas, semicolons,
/// spaces or new lines, lowercased, and de-duplicated; text is kept as typed.
pub fn parse_input(s: &Setting, text: &str) -> Value {
    match s.kind {
        Kind::DomainList => {
            let mut items: Vec<String> = Vec::new();
            for item in text.split([',', ';', ' ', '\n', '\t']) {
                let item = item.trim().to_ascii_lowercase();
                if !item.is_empty() && !items.contains(&item) {
                    items.push(item);
                }
            }
            Value::List(items)
        }
        Kind::Bool => Value::Bool(matches!(
            text.trim().to_ascii_lowercase().as_str(),
            "true" | "on" | "yes" | "1"
        )),
        _ => Value::Text(text.to_string()),
    }
}

/// The text an edit box starts with for a value.
pub fn input_text(v: &Value) -> String {
    match v {
        Value::Bool(b) => b.to_string(),
        Value::Text(t) => t.clone(),
        Value::List(items) => items.join(", "),
    }
}

/// Checks one value against its setting's type and constraints, ignoring other settings.
/// An empty value passes here; [`validate`] decides whether it is required.
pub fn check_value(s: &Setting, v: &Value) -> Result<(), Problem> {
    let wrong_type = || Problem {
        message: format!(
            "{} takes {}, not {}",
            s.title,
            expected_type(s.kind),
            v.type_name()
        ),
        fix: None,
    };
    match (s.kind, v) {
        (Kind::Bool, Value::Bool(_)) => Ok(()),
        (Kind::DomainList, Value::List(items)) => {
            for (i, item) in items.iter().enumerate() {
                let r = if s.allow_addresses && item.contains('@') {
                    syntax::email(item)
                } else {
                    syntax::domain(item)
                };
                r.map_err(|p| Problem {
                    message: format!("item {} of {}: {}", i + 1, items.len(), p.message),
                    fix: p.fix.map(|f| {
                        let mut fixed = items.clone();
                        fixed[i] = f;
                        fixed.join(", ")
                    }),
                })?;
            }
            Ok(())
        }
        (Kind::Choice, Value::Text(t)) => {
            if s.choices.iter().any(|c| &c.value == t) {
                Ok(())
            } else {
                Err(Problem {
                    message: format!(
                        "\"{t}\" is not one of: {}",
                        s.choices
                            .iter()
                            .map(|c| c.value.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                    fix: None,
                })
            }
        }
        (Kind::Text | Kind::Url | Kind::Email, Value::Text(t)) if t.is_empty() => Ok(()),
        (Kind::Text, Value::Text(t)) => {
            let n = t.chars().count();
            if let Some(min) = s.min_len.filter(|&m| n < m) {
                return Err(Problem {
                    message: format!("needs at least {min} characters"),
                    fix: None,
                });
            }
            if let Some(max) = s.max_len.filter(|&m| n > m) {
                return Err(Problem {
                    message: format!("is {n} characters long; at most {max} are allowed"),
                    fix: None,
                });
            }
            if let Some(c) = t.chars().find(|c| c.is_control()) {
                return Err(Problem {
                    message: format!("contains the control character U+{:04X}", c as u32),
                    fix: None,
                });
            }
            match s.format {
                Some(TextFormat::DomainOrTenantId) => syntax::domain_or_tenant_id(t),
                Some(TextFormat::Guid) => syntax::guid(t),
                Some(TextFormat::SalesforceConsumerKey) => syntax::salesforce_consumer_key(t),
                None => Ok(()),
            }
        }
        (Kind::Url, Value::Text(t)) => syntax::url(t, s.https_only, &s.host_suffixes),
        (Kind::Email, Value::Text(t)) => syntax::email(t),
        _ => Err(wrong_type()),
    }
}

fn expected_type(k: Kind) -> &'static str {
    match k {
        Kind::Bool => "true/false",
        Kind::DomainList => "a list of domains",
        _ => "text",
    }
}

/// Checks every setting that applies under the current choices, plus the rules that span
/// settings (impersonating account in the tenant's domain, internal vs blocked domains).
pub fn validate(cat: &Catalogue, choices: &Choices, ctx: &RosterFacts) -> Vec<Issue> {
    let mut out = Vec::new();
    for s in &cat.settings {
        if !choices.is_active(cat, s) {
            continue;
        }
        out.extend(validate_setting(cat, choices, ctx, s));
    }
    out
}

/// The issues of one setting (whether or not it applies).
pub fn validate_setting(
    cat: &Catalogue,
    choices: &Choices,
    ctx: &RosterFacts,
    s: &Setting,
) -> Vec<Issue> {
    let mut out = Vec::new();
    let v = choices.value_of(s);
    let issue = |severity, message: String, fix| Issue {
        key: s.key.clone(),
        severity,
        message,
        fix,
    };
    if let Err(p) = check_value(s, v) {
        out.push(issue(
            Severity::Error,
            format!("{}: {}", s.title, p.message),
            p.fix,
        ));
        return out;
    }
    if s.required && v.is_empty() {
        let why = s
            .when
            .first()
            .and_then(|w| {
                let dep = cat.get(&w.key)?;
                let shown = match dep.kind {
                    Kind::Choice => dep.choice_label(&w.equals).to_string(),
                    Kind::Bool => dep.bool_label(w.equals == "true").to_string(),
                    _ => w.equals.clone(),
                };
                Some(format!(" while {} is \"{}\"", dep.title, shown))
            })
            .unwrap_or_default();
        out.push(issue(
            Severity::Error,
            format!("{} is required{why}: enter a value", s.title),
            None,
        ));
        return out;
    }
    if s.key == "mailbox_access" {
        out.extend(
            mode_issue(cat, choices)
                .map(|(message, fix)| issue(Severity::Error, message, Some(fix.to_string()))),
        );
    }
    if let (Some(dom_key), Value::Text(addr)) = (&s.domain_from_setting, v) {
        let tenant = choices.text(cat, dom_key);
        let tenant_title = cat
            .get(dom_key)
            .map_or(dom_key.as_str(), |t| t.title.as_str());
        let addr_domain = addr.rsplit_once('@').map(|(_, d)| d).unwrap_or_default();
        // The roster's own domains count as the organization's: a tenant's users often log
        // in as @acme.onmicrosoft.com while their mail is @acme.com.
        let roster_domain = ctx
            .upn_domains
            .iter()
            .chain(&ctx.email_domains)
            .any(|d| d.eq_ignore_ascii_case(addr_domain));
        if roster_domain {
            // Accepted: a domain the organization uses.
        } else if tenant.is_empty() || syntax::is_guid(&tenant) {
            out.push(issue(
                Severity::Warning,
                format!(
                    "{}: cannot check that {addr} is in the tenant's domain because {tenant_title} is {}; give the tenant's domain to check it",
                    s.title,
                    if tenant.is_empty() { "empty".to_string() } else { "a tenant ID".to_string() }
                ),
                None,
            ));
        } else if !addr_domain.eq_ignore_ascii_case(&tenant) {
            let local = addr.rsplit_once('@').map(|(l, _)| l).unwrap_or(addr);
            out.push(issue(
                Severity::Error,
                format!(
                    "{}: {addr} is in neither the tenant's domain {tenant} nor a domain the roster uses; use an account @{tenant} or change {tenant_title}",
                    s.title
                ),
                Some(format!("{local}@{tenant}")),
            ));
        }
        if s.kind == Kind::Email && ctx.users.contains(addr) {
            out.push(issue(
                Severity::Warning,
                format!(
                    "{}: {addr} is also a user in the roster; a dedicated service account is safer, since this user's own sync will run with impersonation rights",
                    s.title
                ),
                None,
            ));
        }
    }
    if s.key == "internal_domains" {
        if let Value::List(items) = v {
            let free: Vec<&String> = cat
                .settings
                .iter()
                .flat_map(|o| o.suggestions.iter())
                .filter(|d| items.contains(d))
                .collect();
            if !free.is_empty() {
                out.push(issue(
                    Severity::Warning,
                    format!(
                        "{}: {} is a free-mail domain; listing it as internal treats every one of its users as a colleague",
                        s.title,
                        free.iter().map(|d| d.as_str()).collect::<Vec<_>>().join(", ")
                    ),
                    None,
                ));
            }
        }
    }
    out
}

/// The error of a mailbox access mode the deployment does not offer, and the mode to choose
/// instead: ApplicationImpersonation is gone from Exchange Online (its replacement is app-only
/// access scoped by RBAC for Applications), and RBAC for Applications exists only there.
pub fn mode_issue(cat: &Catalogue, choices: &Choices) -> Option<(String, &'static str)> {
    use super::exchange::{plan_kind, Deployment, Mode};
    match plan_kind(cat, choices) {
        (Mode::Impersonation, Deployment::ExchangeOnline, _) => Some((
            "Mailbox access: ApplicationImpersonation was removed from Exchange Online in February 2025; choose \"An Entra app, scoped to the roster\" (app_only), its replacement, or set Exchange deployment to on-premises".into(),
            "app_only",
        )),
        (Mode::AppOnly, Deployment::OnPremises, _) => Some((
            "Mailbox access: app-only access with RBAC for Applications exists only in Exchange Online; on Exchange Server choose \"One impersonating account\" (impersonation) or per-user access".into(),
            "impersonation",
        )),
        _ => None,
    }
}

/// A setting whose value differs from its default.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Difference {
    pub key: String,
    pub title: String,
    pub group: String,
    pub default: String,
    pub value: String,
}

/// The settings (that apply) whose value differs from the default, in catalogue order.
pub fn differences(cat: &Catalogue, choices: &Choices, facts: &RosterFacts) -> Vec<Difference> {
    cat.page_order()
        .into_iter()
        .filter(|s| choices.is_active(cat, s))
        .filter_map(|s| {
            let d = default_value(cat, s, facts);
            let v = choices.value_of(s);
            (!s.same_value(v, &d)).then(|| Difference {
                key: s.key.clone(),
                title: s.title.clone(),
                group: s.group.clone(),
                default: display_value(s, &d),
                value: display_value(s, v),
            })
        })
        .collect()
}

/// A value in plain words: on/off, a choice's label, a comma-separated list, "(none)".
pub fn display_value(s: &Setting, v: &Value) -> String {
    match v {
        Value::Bool(b) => s.bool_label(*b).to_string(),
        Value::Text(t) if s.kind == Kind::Choice => s.choice_label(t).to_string(),
        Value::Text(t) if t.is_empty() => "(not set)".into(),
        Value::Text(t) => t.clone(),
        Value::List(items) if items.is_empty() => "(none)".into(),
        Value::List(items) => items.join(", "),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    fn cat() -> std::sync::Arc<Catalogue> {
        Catalogue::embedded()
    }

    /// The two IDs every plan needs from the admin (there is no vendor app); the use cases'
    /// tests use it too.
    pub(crate) fn with_ids(mut c: Choices) -> Choices {
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

    fn error_keys(issues: &[Issue]) -> Vec<&str> {
        issues
            .iter()
            .filter(|i| i.severity == Severity::Error)
            .map(|i| i.key.as_str())
            .collect()
    }

    #[test]
    fn defaults_are_valid_once_the_tenant_and_the_app_ids_are_known() {
        let facts = RosterFacts::from_values(["a@contoso.com"], ["a@contoso.com"]);
        let c = Choices::defaults(&cat(), &facts);
        assert_eq!(
            error_keys(&validate(&cat(), &c, &facts)),
            ["salesforce_client_id", "entra_client_id"],
            "no vendor app: both IDs are required"
        );
        let c = with_ids(c);
        assert_eq!(validate(&cat(), &c, &facts), vec![]);
        assert_eq!(
            c.get("internal_domains"),
            Some(&Value::List(vec!["contoso.com".into()]))
        );
        assert_eq!(
            c.get("m365_tenant"),
            Some(&Value::Text("contoso.com".into()))
        );
    }

    #[test]
    fn list_view_name_is_required_only_for_that_scope() {
        let cat = cat();
        let facts = RosterFacts::from_values(["a@contoso.com"], ["a@contoso.com"]);
        let mut c = with_ids(Choices::defaults(&cat, &facts));
        c.set("contacts_scope", Value::Text("list_view".into()));
        let issues = validate(&cat, &c, &facts);
        assert_eq!(issues.len(), 1);
        assert_eq!(
            issues[0].message,
            "Contacts list view name is required while Contacts scope is \"A custom Salesforce list view\": enter a value"
        );
        c.set("sync_contacts", Value::Bool(false));
        assert_eq!(validate(&cat, &c, &facts), vec![]);
    }

    #[test]
    fn impersonating_account_must_be_in_tenant_and_warns_for_roster_user() {
        let cat = cat();
        let facts = RosterFacts::from_values(["a@contoso.com"], ["a@contoso.com"]);
        let mut c = with_ids(Choices::defaults(&cat, &facts));
        c.set("mailbox_access", Value::Text("impersonation".into()));
        c.set("exchange_deployment", Value::Text("on_premises".into()));
        c.set(
            "ews_url",
            Value::Text("https://mail.contoso.com/EWS/Exchange.asmx".into()),
        );
        c.set(
            "impersonation_account",
            Value::Text("svc@fabrikam.com".into()),
        );
        let issues = validate(&cat, &c, &facts);
        assert_eq!(issues[0].severity, Severity::Error);
        assert_eq!(issues[0].fix.as_deref(), Some("svc@contoso.com"));
        c.set("impersonation_account", Value::Text("a@Contoso.com".into()));
        let issues = validate(&cat, &c, &facts);
        assert_eq!(issues.len(), 1, "{issues:?}");
        assert_eq!(issues[0].fix.as_deref(), Some("a@contoso.com"));
        c.set("impersonation_account", Value::Text("a@contoso.com".into()));
        let issues = validate(&cat, &c, &facts);
        assert_eq!(issues.len(), 1);
        assert_eq!(issues[0].severity, Severity::Warning);
        assert!(issues[0].message.contains("also a user in the roster"));
    }

    #[test]
    fn the_account_may_be_in_any_domain_the_roster_uses() {
        let cat = cat();
        // Mail at acme.com, logins at acme.onmicrosoft.com; the tenant given as acme.com.
        let facts = RosterFacts::from_values(["a@acme.com"], ["a@acme.onmicrosoft.com"]);
        let mut c = with_ids(Choices::defaults(&cat, &facts));
        c.set("m365_tenant", Value::Text("acme.com".into()));
        c.set("mailbox_access", Value::Text("impersonation".into()));
        c.set("exchange_deployment", Value::Text("on_premises".into()));
        c.set(
            "ews_url",
            Value::Text("https://mail.acme.com/EWS/Exchange.asmx".into()),
        );
        for ok in ["svc@acme.onmicrosoft.com", "svc@acme.com"] {
            c.set("impersonation_account", Value::Text(ok.into()));
            assert_eq!(validate(&cat, &c, &facts), vec![], "{ok}");
        }
        c.set(
            "impersonation_account",
            Value::Text("svc@fabrikam.com".into()),
        );
        let issues = validate(&cat, &c, &facts);
        assert_eq!(error_keys(&issues), ["impersonation_account"]);
        assert_eq!(issues[0].fix.as_deref(), Some("svc@acme.com"));
    }

    #[test]
    fn impersonation_in_exchange_online_is_an_error_whose_fix_is_app_only() {
        let cat = cat();
        let facts = RosterFacts::from_values(["a@contoso.com"], ["a@contoso.com"]);
        let mut c = with_ids(Choices::defaults(&cat, &facts));
        c.set("mailbox_access", Value::Text("impersonation".into()));
        let issues = validate(&cat, &c, &facts);
        // No account is asked for: it could not be given the role there.
        assert_eq!(error_keys(&issues), ["mailbox_access"], "{issues:?}");
        assert_eq!(issues[0].fix.as_deref(), Some("app_only"));
        assert!(issues[0].message.contains("February 2025"));
        // And the reverse: app-only on-premises.
        c.set("mailbox_access", Value::Text("app_only".into()));
        c.set("exchange_deployment", Value::Text("on_premises".into()));
        let issues = validate(&cat, &c, &facts);
        assert_eq!(error_keys(&issues), ["mailbox_access"], "{issues:?}");
        assert_eq!(issues[0].fix.as_deref(), Some("impersonation"));
    }

    #[test]
    fn each_plan_requires_what_it_needs() {
        let cat = cat();
        let facts = RosterFacts::from_values(["a@contoso.com"], ["a@contoso.com"]);
        let base = Choices::defaults(&cat, &facts);
        let required = |sets: &[(&str, &str)]| {
            let mut c = base.clone();
            c.set(
                "salesforce_client_id",
                Value::Text("3MVG9A2kN3Bn17hs8MIaQx1voVGy662rXlC37svtmLmt6wO_iik8Hnk3Dlc".into()),
            );
            for (k, v) in sets {
                c.set(*k, Value::Text((*v).into()));
            }
            error_keys(&validate(&cat, &c, &facts))
                .into_iter()
                .map(String::from)
                .collect::<Vec<_>>()
        };
        assert_eq!(required(&[]), ["entra_client_id"]);
        assert_eq!(required(&[("exchange_api", "ews")]), ["entra_client_id"]);
        assert_eq!(
            required(&[("mailbox_access", "app_only")]),
            ["entra_client_id", "entra_object_id"]
        );
        assert_eq!(
            required(&[
                ("mailbox_access", "impersonation"),
                ("exchange_deployment", "on_premises")
            ]),
            ["impersonation_account", "ews_url"]
        );
        assert!(required(&[("exchange_deployment", "on_premises")]).is_empty());
        assert_eq!(
            required(&[
                ("mailbox_access", "impersonation"),
                ("exchange_deployment", "on_premises"),
                ("ews_url", "http://mail.contoso.com/EWS/Exchange.asmx"),
                ("impersonation_account", "svc@contoso.com"),
            ]),
            ["ews_url"],
            "https only"
        );
    }

    #[test]
    fn list_input_is_split_normalised_and_checked_per_item() {
        let cat = cat();
        let s = cat.get("blocked_addresses").unwrap();
        let v = parse_input(s, "Gmail.com, spam@evil.org;  gmail.com bad_domain");
        assert_eq!(
            v,
            Value::List(vec![
                "gmail.com".into(),
                "spam@evil.org".into(),
                "bad_domain".into()
            ])
        );
        let p = check_value(s, &v).unwrap_err();
        assert!(
            p.message.starts_with("item 3 of 3: \"bad_domain\""),
            "{}",
            p.message
        );
    }

    #[test]
    fn differences_list_changed_settings_in_words() {
        let cat = cat();
        let facts = RosterFacts::default();
        let mut c = Choices::defaults(&cat, &facts);
        assert!(differences(&cat, &c, &facts).is_empty());
        c.set("sync_tasks", Value::Bool(false));
        c.set("attachment_storage", Value::Text("attachments".into()));
        let d = differences(&cat, &c, &facts);
        assert_eq!(d.len(), 2);
        assert_eq!(
            (d[0].title.as_str(), d[0].value.as_str()),
            ("Sync tasks", "off")
        );
        assert_eq!(d[1].value, "Attachment records");
        assert_eq!(d[1].default, "Salesforce Files");
    }

    #[test]
    fn lists_compare_as_sets() {
        let cat = cat();
        let all = ["a@contoso.com", "b@contoso.com", "c@fabrikam.com"];
        let facts = RosterFacts::from_values(all, all);
        let mut c = Choices::defaults(&cat, &facts);
        let domains = |v: &[&str]| Value::List(v.iter().map(|s| s.to_string()).collect());
        assert_eq!(
            c.get("internal_domains"),
            Some(&domains(&["contoso.com", "fabrikam.com"]))
        );
        c.set(
            "internal_domains",
            domains(&["fabrikam.com", "contoso.com"]),
        );
        assert!(differences(&cat, &c, &facts).is_empty());
        assert_eq!(
            c.edit(
                &cat,
                "internal_domains",
                domains(&["contoso.com", "fabrikam.com"])
            ),
            None,
            "reordering is no edit"
        );
        c.set("internal_domains", domains(&["fabrikam.com"]));
        assert_eq!(differences(&cat, &c, &facts).len(), 1);
    }
}

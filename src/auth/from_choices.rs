//! The provider configuration that follows from the admin's customization choices: what the
//! bundle's `user-config.toml` carries to end users.

use super::config::{user_config_toml, Config};
use crate::customize::{Catalogue, Choices};

/// `base` (usually [`Config::default`]) with the wizard's Salesforce environment, consumer key,
/// Microsoft 365 tenant and Entra client ID applied. Empty choices leave `base` as it is.
pub fn config_from_choices(base: &Config, cat: &Catalogue, choices: &Choices) -> Config {
    let mut config = base.clone();
    let text = |k: &str| choices.text(cat, k).trim().to_string();
    match text("salesforce_environment").as_str() {
        "production" => config.salesforce.login_url = "https://login.salesforce.com".into(),
        "sandbox" => config.salesforce.login_url = "https://test.salesforce.com".into(),
        "my_domain" => {
            let url = text("salesforce_my_domain_url");
            if !url.is_empty() {
                config.salesforce.login_url = url.trim_end_matches('/').to_string();
            }
        }
        _ => {}
    }
    let plan = crate::customize::exchange::plan_kind(cat, choices);
    let (mode, deployment, api) = plan;
    config.plan = Some(super::config::PlanConfig {
        mailbox_access: mode.as_str().to_string(),
        exchange_deployment: deployment.as_str().to_string(),
        exchange_api: api.as_str().to_string(),
    });
    // A user's Microsoft sign-in asks for what the chosen API needs (only per-user plans in
    // Exchange Online sign users in to Exchange at all; see bundle::invitations).
    config.microsoft.scope = match api {
        crate::customize::Api::Graph => crate::customize::exchange::GRAPH_USER_SCOPE,
        crate::customize::Api::Ews => crate::customize::exchange::EWS_USER_SCOPE,
    }
    .to_string();
    for (key, slot) in [
        ("salesforce_client_id", &mut config.salesforce.client_id),
        ("m365_tenant", &mut config.microsoft.tenant),
        ("entra_client_id", &mut config.microsoft.client_id),
    ] {
        let v = text(key);
        if !v.is_empty() {
            *slot = v;
        }
    }
    config
}

/// The text of the bundle's `user-config.toml` for these choices (built-in defaults plus the
/// choices); the bundle wraps it in a file, so the CLI's `export` and the wizard write the same.
pub fn user_config_text(cat: &Catalogue, choices: &Choices) -> String {
    user_config_toml(&config_from_choices(&Config::default(), cat, choices))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::config::{user_config_toml, DEFAULTS_TOML};
    use crate::customize::Value;

    #[test]
    fn choices_become_the_user_config() {
        let cat = Catalogue::embedded();
        let mut choices = Choices::default();
        choices.set("salesforce_environment", Value::Text("my_domain".into()));
        choices.set(
            "salesforce_my_domain_url",
            Value::Text("https://acme.my.salesforce.com/".into()),
        );
        choices.set("salesforce_client_id", Value::Text("3MVG9abc".into()));
        choices.set("m365_tenant", Value::Text("contoso.com".into()));
        choices.set(
            "entra_client_id",
            Value::Text("11111111-2222-3333-4444-555555555555".into()),
        );
        let c = config_from_choices(&Config::default(), &cat, &choices);
        assert_eq!(
            c.salesforce.endpoints().authorize,
            "https://acme.my.salesforce.com/services/oauth2/authorize"
        );
        assert_eq!(c.salesforce.client_id, "3MVG9abc");
        assert_eq!(
            c.microsoft.endpoints().token,
            "https://login.microsoftonline.com/contoso.com/oauth2/v2.0/token"
        );
        // The bundle's file reads back as the same configuration.
        let text = user_config_toml(&c);
        let back = Config::from_layers(&[("defaults", DEFAULTS_TOML), ("user-config.toml", &text)])
            .unwrap();
        assert_eq!(back, c);

        choices.set("salesforce_environment", Value::Text("sandbox".into()));
        let c = config_from_choices(&Config::default(), &cat, &choices);
        assert_eq!(c.salesforce.login_url, "https://test.salesforce.com");
    }

    #[test]
    fn the_user_config_names_the_plan_and_the_scope_follows_the_api() {
        let cat = Catalogue::embedded();
        let mut choices = Choices::default();
        let c = config_from_choices(&Config::default(), &cat, &choices);
        let plan = c.plan.clone().unwrap();
        assert_eq!(
            (plan.mailbox_access.as_str(), plan.exchange_api.as_str()),
            ("per_user", "graph")
        );
        assert!(c
            .microsoft
            .scope
            .starts_with("https://graph.microsoft.com/Mail.ReadWrite "));
        assert!(user_config_toml(&c).contains("\n[plan]\nmailbox_access = \"per_user\"\n"));
        choices.set("exchange_api", Value::Text("ews".into()));
        let c = config_from_choices(&Config::default(), &cat, &choices);
        assert_eq!(
            c.microsoft.scope,
            "https://outlook.office365.com/EWS.AccessAsUser.All openid profile offline_access"
        );
        assert!(Config::from_layers(&[
            ("defaults", crate::auth::config::DEFAULTS_TOML),
            ("user-config.toml", &user_config_toml(&c))
        ])
        .is_ok());
        choices.set("mailbox_access", Value::Text("impersonation".into()));
        choices.set("exchange_deployment", Value::Text("on_premises".into()));
        let plan = config_from_choices(&Config::default(), &cat, &choices)
            .plan
            .unwrap();
        assert_eq!(
            (
                plan.mailbox_access.as_str(),
                plan.exchange_deployment.as_str(),
                plan.exchange_api.as_str()
            ),
            ("impersonation", "on_premises", "ews")
        );
    }
}

//! The `per_user` plan: every user authorizes their own mailbox, so no mailbox can be read
//! before they do. What can be checked without them is:
//! - Exchange Online: the tenant exists (its `/{tenant}/v2.0/.well-known/openid-configuration`
//!   answers), the app ID is known to it (a token request naming the app and no secret gets an
//!   `AADSTS` error that is not `700016`, unknown application), and with EWS that the
//!   allow-list step (EWS enabled, the app in `EwsAllowedAppIDs`) is ticked;
//! - Exchange Server: the EWS URL answers as EWS does, asking for a sign-in.
//!
//! Each user's own sign-in proves the rest ([`NOTE`]).

use super::{aadsts_code, Api, CheckOptions, CheckPlan, CheckReport, Prerequisite, Progress};
use crate::auth::config::MicrosoftConfig;
use crate::auth::http::Http;

/// What the report says about the mailboxes themselves under `per_user`.
pub(super) const NOTE: &str =
    "each user's own sign-in proves access to their mailbox: the mailboxes are not checked before";

/// Runs the checks that need no user.
pub(super) fn check(
    plan: &CheckPlan,
    config: &MicrosoftConfig,
    options: &CheckOptions,
    mut progress: impl FnMut(Progress),
) -> CheckReport {
    let checked_at = crate::timefmt::now_rfc3339();
    let http = Http::new(options.timeout);
    let CheckPlan::PerUser {
        api,
        online,
        ews_url,
        allow_listed,
    } = plan
    else {
        unreachable!("per_user::check is only called for the per_user plan");
    };
    let mut steps: Vec<Box<dyn Fn() -> Prerequisite + '_>> = Vec::new();
    if *online {
        steps.push(Box::new(|| tenant(config, &http)));
        steps.push(Box::new(|| app(config, &http)));
        if *api == Api::Ews {
            steps.push(Box::new(|| allow_list(*allow_listed, config)));
        }
    } else if !ews_url.trim().is_empty() {
        steps.push(Box::new(|| ews_endpoint(ews_url, &http)));
    }
    let total = steps.len();
    progress(Progress { done: 0, total });
    let mut prerequisites = Vec::with_capacity(total);
    for (i, step) in steps.iter().enumerate() {
        let p = step();
        let stop = !p.ok && p.key == "tenant";
        prerequisites.push(p);
        progress(Progress { done: i + 1, total });
        // Without a tenant the app cannot be looked up in it.
        if stop {
            break;
        }
    }
    CheckReport {
        checked_at,
        mode: "per_user",
        api: api.as_str(),
        results: Vec::new(),
        prerequisites,
        note: Some(NOTE),
    }
}

fn tenant(config: &MicrosoftConfig, http: &Http) -> Prerequisite {
    let t = config.tenant.trim().trim_matches('/');
    let fail = |detail: String| Prerequisite {
        key: "tenant",
        ok: false,
        detail,
    };
    if ["organizations", "common", "consumers", ""]
        .iter()
        .any(|x| t.eq_ignore_ascii_case(x))
    {
        return fail(format!(
            "config key microsoft.tenant = {:?} names no tenant, so neither it nor the app can be checked: set the tenant ID (or its domain, e.g. contoso.onmicrosoft.com)",
            config.tenant
        ));
    }
    let url = format!(
        "{}/{t}/v2.0/.well-known/openid-configuration",
        config.authority.trim_end_matches('/')
    );
    match http.get(&url) {
        Ok((200, _)) => Prerequisite {
            key: "tenant",
            ok: true,
            detail: format!("tenant {t} exists"),
        },
        Ok((status, body)) => {
            let code = aadsts_in(&body);
            fail(match code.as_deref() {
                Some("AADSTS90002") | Some("AADSTS900023") => format!(
                    "tenant {t} not found ({}): set microsoft.tenant to the organization's tenant ID or domain",
                    code.unwrap_or_default()
                ),
                _ => format!("the tenant's OpenID configuration answered HTTP {status}"),
            })
        }
        Err(e) => fail(format!("cannot reach the sign-in service: {}", e.0)),
    }
}

/// Entra names an unknown client before it asks for a secret: any other refusal means the
/// app is known. No secret is sent.
fn app(config: &MicrosoftConfig, http: &Http) -> Prerequisite {
    let id = config.client_id.trim();
    let form = [
        ("grant_type", "client_credentials"),
        ("client_id", id),
        ("scope", "https://graph.microsoft.com/.default"),
    ];
    let (ok, detail) = match http.post_form(&config.endpoints().token, &form) {
        Ok((_, body)) => match aadsts_in(&body).as_deref() {
            Some("AADSTS700016") => (
                false,
                format!(
                    "application {id} is not known in tenant {} (AADSTS700016): check microsoft.client_id, and that the app is registered in (or consented to by) this tenant",
                    config.tenant
                ),
            ),
            Some(code) => (
                true,
                format!("application {id} is known in the tenant (it answered {code} to a request without a secret)"),
            ),
            None => (
                false,
                "the token endpoint's answer named no AADSTS code: the app could not be looked up".into(),
            ),
        },
        Err(e) => (false, format!("cannot reach the token endpoint: {}", e.0)),
    };
    Prerequisite {
        key: "app",
        ok,
        detail,
    }
}

fn allow_list(ticked: bool, config: &MicrosoftConfig) -> Prerequisite {
    Prerequisite {
        key: "ews-allow-list",
        ok: ticked,
        detail: if ticked {
            "the EWS allow-list step is ticked".into()
        } else {
            format!(
                "the EWS allow-list step is not ticked: Exchange Online blocks EWS for apps not allow-listed since 1 October 2026; run Set-OrganizationConfig -EwsEnabled $true and add {} to -EwsAllowedAppIDs, then tick the step",
                config.client_id.trim()
            )
        },
    }
}

fn ews_endpoint(url: &str, http: &Http) -> Prerequisite {
    let (ok, detail) = match http.post_with(
        url,
        &[("Content-Type", "text/xml; charset=utf-8")],
        b"",
    ) {
        Ok(a) if a.status == 401 && !a.www_authenticate.is_empty() => {
            let offers: Vec<&str> = a
                .www_authenticate
                .iter()
                .filter_map(|h| h.split([' ', ',']).next())
                .collect();
            (
                true,
                format!("EWS answers at {url} and asks for a sign-in ({})", offers.join(", ")),
            )
        }
        Ok(a) => (
            false,
            format!(
                "{url} answered HTTP {} where EWS asks for a sign-in (401): check ews_url (…/EWS/Exchange.asmx)",
                a.status
            ),
        ),
        Err(e) => (false, format!("cannot reach {url}: {}", e.0)),
    };
    Prerequisite {
        key: "ews-endpoint",
        ok,
        detail,
    }
}

/// The AADSTS code in a JSON error's description.
fn aadsts_in(body: &[u8]) -> Option<String> {
    let v: serde_json::Value = serde_json::from_slice(body).ok()?;
    aadsts_code(v["error_description"].as_str()?)
}

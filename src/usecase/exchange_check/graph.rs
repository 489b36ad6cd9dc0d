//! The `app_only` plan over Microsoft Graph: an app-only token by client credentials
//! (`{authority}/{tenant}/oauth2/v2.0/token`, `scope={graph_url}/.default`), then for each
//! mailbox the three reads the RBAC for Applications roles allow: the inbox, one calendar, one
//! contact folder.

use super::{
    app_token, retry_wait, run_pool, CheckError, CheckOptions, CheckReport, Mailbox, Progress,
    Resource, Status,
};
use crate::auth::config::MicrosoftConfig;
use crate::auth::http::Http;
use oauth2::{AccessToken, ClientSecret};
use std::time::Duration;

/// Checks every mailbox over Graph; `progress` is called on this thread after each one.
pub(super) fn check(
    config: &MicrosoftConfig,
    secret: &ClientSecret,
    mailboxes: &[Mailbox],
    options: &CheckOptions,
    progress: impl FnMut(Progress),
) -> Result<CheckReport, CheckError> {
    super::check_config(config)?;
    let checked_at = crate::timefmt::now_rfc3339();
    let workers = options.concurrency.max(1).min(mailboxes.len().max(1));
    let http = Http::pooled(options.timeout, workers);
    let graph = config.graph_url.trim_end_matches('/');
    let token = app_token(config, secret, &format!("{graph}/.default"), &http)?;
    let results = run_pool(
        mailboxes,
        workers,
        || (),
        |_, mailbox| check_mailbox(&http, graph, &token, &mailbox.upn, options),
        progress,
    );
    Ok(CheckReport {
        checked_at,
        mode: "app_only",
        api: "graph",
        results,
        prerequisites: Vec::new(),
        note: None,
    })
}

/// One call's answer, classified.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Call {
    Ok,
    Denied,
    NoMailbox,
    NotFound,
    Throttled,
    Unreachable(String),
}

/// Reads, per resource, until an answer says the whole mailbox is out of reach.
fn check_mailbox(
    http: &Http,
    graph: &str,
    token: &AccessToken,
    upn: &str,
    options: &CheckOptions,
) -> (Status, u32) {
    let base = format!("{graph}/v1.0/users/{}/", encode_segment(upn));
    let mut calls = Vec::with_capacity(3);
    let (mut retries, mut waited) = (0u32, Duration::ZERO);
    for resource in Resource::ALL {
        let url = format!("{base}{}", resource.path());
        let call = loop {
            let (status, retry_after, body) = match http.get_bearer_retry(&url, token.secret()) {
                Ok(r) => r,
                Err(e) => break Call::Unreachable(e.0),
            };
            if status != 429 && status != 503 {
                break classify(status, &body);
            }
            let wait = retry_wait(retry_after.as_deref());
            if retries >= options.max_retries || waited + wait > options.max_wait {
                break Call::Throttled;
            }
            // Honouring the server's Retry-After is the point; this is not a timing guess.
            std::thread::sleep(wait);
            waited += wait;
            retries += 1;
        };
        // A missing user or mailbox ends the check of this mailbox; so does throttling (more
        // requests would only be throttled too).
        let whole_mailbox = matches!(call, Call::NotFound | Call::NoMailbox | Call::Throttled);
        calls.push((resource, call));
        if whole_mailbox {
            break;
        }
    }
    (combine(&calls), retries)
}

/// One Graph answer (not 429/503, which are retried first).
fn classify(status: u16, body: &[u8]) -> Call {
    let code = serde_json::from_slice::<serde_json::Value>(body)
        .ok()
        .and_then(|v| v["error"]["code"].as_str().map(str::to_string))
        .unwrap_or_default();
    match status {
        200..=299 => Call::Ok,
        403 => Call::Denied,
        404 if code == "MailboxNotEnabledForRESTAPI" => Call::NoMailbox,
        404 if matches!(
            code.as_str(),
            "Request_ResourceNotFound" | "ResourceNotFound" | "ErrorInvalidUser"
        ) =>
        {
            Call::NotFound
        }
        429 | 503 => Call::Throttled,
        401 => Call::Unreachable(format!(
            "Microsoft Graph did not accept the app's token (HTTP 401 {code})"
        )),
        _ if code.is_empty() => Call::Unreachable(format!("HTTP {status}")),
        _ => Call::Unreachable(format!("HTTP {status} {code}")),
    }
}

/// The mailbox's status from its calls: a missing user or mailbox first, then denials (they
/// name what to grant), then the answers that tell nothing.
fn combine(calls: &[(Resource, Call)]) -> Status {
    let any = |c: &Call| calls.iter().any(|(_, x)| x == c);
    if any(&Call::NotFound) {
        return Status::NotFound;
    }
    if any(&Call::NoMailbox) {
        return Status::NoMailbox;
    }
    let missing: Vec<Resource> = calls
        .iter()
        .filter(|(_, c)| *c == Call::Denied)
        .map(|(r, _)| *r)
        .collect();
    if !missing.is_empty() {
        return Status::Denied { missing };
    }
    if let Some(reason) = calls.iter().find_map(|(_, c)| match c {
        Call::Unreachable(r) => Some(r.clone()),
        _ => None,
    }) {
        return Status::Unreachable { reason };
    }
    if any(&Call::Throttled) {
        return Status::Throttled;
    }
    Status::Ok
}

/// Percent-encodes a UPN for one path segment (`@` and the unreserved characters stay).
fn encode_segment(s: &str) -> String {
    crate::usecase::directory_api::encode_keeping(s, b"@")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::usecase::exchange_check::{aadsts_code, check_config, refusal_reason};

    fn graph_error(code: &str) -> Vec<u8> {
        format!(r#"{{"error":{{"code":"{code}","message":"x"}}}}"#).into_bytes()
    }

    #[test]
    fn answers_are_classified() {
        assert_eq!(classify(200, b"{}"), Call::Ok);
        assert_eq!(
            classify(403, &graph_error("ErrorAccessDenied")),
            Call::Denied
        );
        assert_eq!(
            classify(404, &graph_error("MailboxNotEnabledForRESTAPI")),
            Call::NoMailbox
        );
        for code in ["Request_ResourceNotFound", "ResourceNotFound"] {
            assert_eq!(classify(404, &graph_error(code)), Call::NotFound);
        }
        assert_eq!(classify(500, b"oops"), Call::Unreachable("HTTP 500".into()));
        assert!(
            matches!(classify(401, &graph_error("InvalidAuthenticationToken")), Call::Unreachable(r) if r.contains("401"))
        );
    }

    #[test]
    fn a_missing_user_wins_then_denials_name_every_resource() {
        use Resource::*;
        assert_eq!(
            combine(&[
                (Mail, Call::Denied),
                (Calendars, Call::Ok),
                (Contacts, Call::Denied)
            ]),
            Status::Denied {
                missing: vec![Mail, Contacts]
            }
        );
        assert_eq!(combine(&[(Mail, Call::NotFound)]), Status::NotFound);
        assert_eq!(
            combine(&[
                (Mail, Call::Throttled),
                (Calendars, Call::Unreachable("x".into()))
            ]),
            Status::Unreachable { reason: "x".into() }
        );
        assert_eq!(
            combine(&[
                (Mail, Call::Ok),
                (Calendars, Call::Throttled),
                (Contacts, Call::Ok)
            ]),
            Status::Throttled
        );
        assert_eq!(
            combine(&[
                (Mail, Call::Ok),
                (Calendars, Call::Ok),
                (Contacts, Call::Ok)
            ]),
            Status::Ok
        );
    }

    #[test]
    fn aadsts_codes_are_read_and_explained() {
        let d = "AADSTS7000215: Invalid client secret provided. Trace ID: 1";
        assert_eq!(aadsts_code(d).as_deref(), Some("AADSTS7000215"));
        assert_eq!(aadsts_code("no code"), None);
        let c = crate::auth::Config::default().microsoft;
        let r = refusal_reason(
            Some("AADSTS700016"),
            "unauthorized_client",
            "AADSTS700016: x",
            &c,
        );
        assert!(
            r.contains("unknown app") && r.contains("microsoft.client_id"),
            "{r}"
        );
        let r = refusal_reason(None, "invalid_request", "something\nelse", &c);
        assert_eq!(r, "invalid_request: something");
    }

    #[test]
    fn app_only_needs_a_client_id_and_a_real_tenant() {
        let mut c = crate::auth::Config::default().microsoft;
        c.client_id = "abc".into();
        for t in ["organizations", "common", "Consumers", ""] {
            c.tenant = t.into();
            let e = check_config(&c).unwrap_err().to_string();
            assert!(
                e.contains("microsoft.tenant") && e.contains("tenant ID"),
                "{e}"
            );
        }
        c.tenant = "contoso.onmicrosoft.com".into();
        assert!(check_config(&c).is_ok());
        c.client_id = " ".into();
        assert!(check_config(&c)
            .unwrap_err()
            .to_string()
            .contains("microsoft.client_id"));
    }

    #[test]
    fn retry_after_and_upns_are_read_safely() {
        assert_eq!(retry_wait(Some("2")), Duration::from_secs(2));
        assert_eq!(
            retry_wait(Some("Wed, 21 Oct 2026 07:28:00 GMT")),
            Duration::from_secs(1)
        );
        assert_eq!(retry_wait(None), Duration::from_secs(1));
        assert_eq!(encode_segment("o'neil#1@x.com"), "o%27neil%231@x.com");
        assert_eq!(encode_segment("jane/../x@y"), "jane%2F..%2Fx@y");
    }

    #[test]
    fn a_secret_never_debug_prints() {
        let s = ClientSecret::new("hunter2-very-secret".into());
        assert!(!format!("{s:?}").contains("hunter2"));
    }
}

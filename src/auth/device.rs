//! The device flow, for machines with no browser. Salesforce's variant posts
//! `response_type=device_code` to the token endpoint and polls with `grant_type=device`;
//! Microsoft's is RFC 8628 at `…/devicecode`.

use super::config::Config;
use super::error::AuthError;
use super::flow::{provider_error, ErrorBody, FlowOptions, Progress, ProviderSetup, Tokens};
use super::http::Http;
use super::Provider;
use serde::Deserialize;
use std::time::{Duration, Instant};

#[derive(Deserialize)]
struct DeviceStart {
    device_code: String,
    user_code: String,
    #[serde(alias = "verification_url")]
    verification_uri: String,
    #[serde(default)]
    verification_uri_complete: Option<String>,
    #[serde(default)]
    interval: Option<u64>,
}

/// Runs the device flow; polling honours `interval` and `slow_down` and stops on cancel.
pub(super) fn device_flow(
    config: &Config,
    provider: Provider,
    s: &ProviderSetup,
    http: &Http,
    options: &FlowOptions,
    progress: &mut dyn FnMut(Progress),
) -> Result<Tokens, AuthError> {
    let scope = s.scopes.join(" ");
    let start_form: Vec<(&str, &str)> = match provider {
        Provider::Salesforce => vec![
            ("response_type", "device_code"),
            ("client_id", &s.client_id),
            ("scope", &scope),
        ],
        Provider::Exchange => vec![("client_id", &s.client_id), ("scope", &scope)],
    };
    let (status, body) = http
        .post_form(&s.endpoints.device, &start_form)
        .map_err(|e| AuthError::Network(e.0))?;
    if status != 200 {
        return Err(provider_error(status, &body));
    }
    let start: DeviceStart = serde_json::from_slice(&body).map_err(|e| AuthError::Provider {
        error: "unexpected device authorization response".into(),
        description: e.to_string(),
    })?;
    progress(Progress::DeviceCode {
        uri: start.verification_uri.clone(),
        code: start.user_code.clone(),
        complete: start.verification_uri_complete.clone(),
    });
    progress(Progress::Waiting);
    let mut interval = Duration::from_secs(start.interval.unwrap_or(5).max(1));
    let timeout = config.flow.timeout();
    let deadline = Instant::now() + timeout;
    let poll_form: Vec<(&str, &str)> = match provider {
        Provider::Salesforce => vec![
            ("grant_type", "device"),
            ("client_id", &s.client_id),
            ("code", &start.device_code),
        ],
        Provider::Exchange => vec![
            ("grant_type", "urn:ietf:params:oauth:grant-type:device_code"),
            ("client_id", &s.client_id),
            ("device_code", &start.device_code),
        ],
    };
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(AuthError::DeviceTimeout(timeout.as_secs()));
        }
        if options.cancel.wait(interval.min(left)) {
            return Err(AuthError::Cancelled);
        }
        let (status, body) = http
            .post_form(&s.endpoints.token, &poll_form)
            .map_err(|e| AuthError::Network(e.0))?;
        if status == 200 {
            return serde_json::from_slice(&body).map_err(|e| AuthError::Provider {
                error: "unexpected token response".into(),
                description: e.to_string(),
            });
        }
        match serde_json::from_slice::<ErrorBody>(&body) {
            Ok(e) if e.error == "authorization_pending" => {}
            Ok(e) if e.error == "slow_down" => interval += Duration::from_secs(5),
            Ok(e) if e.error == "access_denied" => {
                return Err(AuthError::Denied(e.error_description.unwrap_or_default()))
            }
            Ok(e) if e.error == "expired_token" => {
                return Err(AuthError::DeviceTimeout(timeout.as_secs()))
            }
            _ => return Err(provider_error(status, &body)),
        }
    }
}

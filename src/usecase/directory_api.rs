//! The two directories' read APIs as `roster pull` and `roster verify` use them, with an
//! administrator's access token: Salesforce's REST query (`nextRecordsUrl` paging, the
//! permission query) and Microsoft Graph's users (`@odata.nextLink` paging, `$batch`).
//!
//! Both refresh the token once on a 401 (an access token can expire mid-pull); Graph waits
//! for `Retry-After` on 429/503 (exponential back-off when the header is absent). Nothing here
//! prints; tokens never appear in an error.

use crate::auth::http::{Answer, Http};
use crate::auth::AuthError;
use serde_json::Value;
use std::time::Duration;

/// Largest page body read: a Salesforce batch of 2,000 users or a Graph page of 999 with
/// their addresses is well under 8 MiB.
const PAGE_CAP: u64 = 64 << 20;

/// Where an administrator's access token comes from.
pub trait AccessTokens: Send {
    /// The current access token (signing in or refreshing the first time).
    fn token(&mut self) -> Result<String, AuthError>;
    /// A new token after the API answered 401.
    fn refresh(&mut self) -> Result<String, AuthError>;
}

/// A token handed over as is (tests, benchmarks): a 401 cannot be recovered from.
pub struct FixedToken(pub String);

impl AccessTokens for FixedToken {
    fn token(&mut self) -> Result<String, AuthError> {
        Ok(self.0.clone())
    }
    fn refresh(&mut self) -> Result<String, AuthError> {
        Err(AuthError::Expired {
            provider: "directory",
            reason: "the access token was refused and cannot be refreshed".into(),
        })
    }
}

/// Which directory an error or a page comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Service {
    Salesforce,
    Microsoft,
}

impl Service {
    /// Human name.
    pub fn title(self) -> &'static str {
        match self {
            Service::Salesforce => "Salesforce",
            Service::Microsoft => "Microsoft Graph",
        }
    }
}

/// Why reading a directory failed.
#[derive(Debug)]
pub enum ApiError {
    /// Signing in or refreshing failed.
    Auth(Service, AuthError),
    /// No answer at all.
    Network(Service, String),
    /// Still 401 after a fresh token.
    Unauthorized(Service),
    /// 403: the signed-in administrator may not read users.
    Forbidden(Service, String),
    /// Still throttled after the allowed retries.
    Throttled(Service, u32),
    /// Any other unusable answer.
    Unexpected(Service, String),
}

impl ApiError {
    /// The directory it came from.
    pub fn service(&self) -> Service {
        match self {
            ApiError::Auth(s, _)
            | ApiError::Network(s, _)
            | ApiError::Unauthorized(s)
            | ApiError::Forbidden(s, _)
            | ApiError::Throttled(s, _)
            | ApiError::Unexpected(s, _) => *s,
        }
    }
}

impl std::error::Error for ApiError {}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: ", self.service().title())?;
        match self {
            ApiError::Auth(_, e) => write!(f, "{e}"),
            ApiError::Network(_, e) => f.write_str(e),
            ApiError::Unauthorized(_) => f.write_str("the administrator's token was refused twice (HTTP 401); sign in again (or check that the account may use the API)"),
            ApiError::Forbidden(s, text) => write!(
                f,
                "the administrator may not read users (HTTP 403{}){}",
                detail(text),
                hint(*s)
            ),
            ApiError::Throttled(_, n) => write!(
                f,
                "still throttled (HTTP 429/503) after {n} retries; try again later"
            ),
            ApiError::Unexpected(_, text) => write!(f, "unexpected answer ({text})"),
        }
    }
}

fn detail(s: &str) -> String {
    if s.is_empty() {
        String::new()
    } else {
        format!(": {s}")
    }
}

fn hint(s: Service) -> &'static str {
    match s {
        Service::Salesforce => {
            "; the user needs the API Enabled permission and View All Users or Manage Users"
        }
        Service::Microsoft => {
            "; the app needs the delegated User.Read.All permission with admin consent"
        }
    }
}

/// How long to keep trying a throttled request.
#[derive(Debug, Clone)]
pub struct RetryPolicy {
    /// Retries of one request answered 429/503.
    pub max_retries: u32,
    /// First back-off without `Retry-After`; doubled each time.
    pub backoff: Duration,
    /// Longest single wait (a `Retry-After` above it is cut to it).
    pub max_wait: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_retries: 6,
            backoff: Duration::from_secs(1),
            max_wait: Duration::from_secs(120),
        }
    }
}

impl RetryPolicy {
    /// The wait before retry number `attempt` (0-based), from `Retry-After` when present.
    pub fn wait(&self, attempt: u32, retry_after: Option<&str>) -> Duration {
        let from_header = retry_after
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map(Duration::from_secs);
        from_header
            .unwrap_or_else(|| self.backoff.saturating_mul(1u32 << attempt.min(16)))
            .min(self.max_wait)
    }
}

/// One directory's HTTP side: the client, the token and the request count.
struct Client {
    service: Service,
    http: Http,
    tokens: Box<dyn AccessTokens>,
    token: Option<String>,
    retry: RetryPolicy,
    requests: usize,
    /// Time spent parsing answers (the client's own share of a pull).
    parse_time: Duration,
}

impl Client {
    fn new(service: Service, tokens: Box<dyn AccessTokens>, retry: RetryPolicy) -> Client {
        Client {
            service,
            http: Http::new(Duration::from_secs(120)),
            tokens,
            token: None,
            retry,
            requests: 0,
            parse_time: Duration::ZERO,
        }
    }

    fn token(&mut self) -> Result<String, ApiError> {
        if self.token.is_none() {
            self.token = Some(
                self.tokens
                    .token()
                    .map_err(|e| ApiError::Auth(self.service, e))?,
            );
        }
        Ok(self.token.clone().unwrap_or_default())
    }

    /// One call with the token: a 401 refreshes it once; 429/503 wait and retry.
    fn call(
        &mut self,
        send: &dyn Fn(&Http, &str) -> Result<Answer, String>,
    ) -> Result<Answer, ApiError> {
        let mut refreshed = false;
        let mut attempt = 0;
        loop {
            let token = self.token()?;
            self.requests += 1;
            let a = send(&self.http, &token).map_err(|e| ApiError::Network(self.service, e))?;
            match a.status {
                401 if !refreshed => {
                    refreshed = true;
                    self.token = Some(
                        self.tokens
                            .refresh()
                            .map_err(|e| ApiError::Auth(self.service, e))?,
                    );
                }
                401 => return Err(ApiError::Unauthorized(self.service)),
                429 | 503 if attempt < self.retry.max_retries => {
                    // Honouring the server's Retry-After is the point; not a timing guess.
                    std::thread::sleep(self.retry.wait(attempt, a.retry_after.as_deref()));
                    attempt += 1;
                }
                429 | 503 => return Err(ApiError::Throttled(self.service, attempt)),
                403 => return Err(ApiError::Forbidden(self.service, error_text(&a.body))),
                _ => return Ok(a),
            }
        }
    }

    fn get_json(&mut self, url: &str) -> Result<Value, ApiError> {
        let a = self.call(&|http, token| http.get_page(url, token, PAGE_CAP).map_err(|e| e.0))?;
        self.json(a)
    }

    fn json(&mut self, a: Answer) -> Result<Value, ApiError> {
        if a.status != 200 {
            return Err(ApiError::Unexpected(
                self.service,
                format!("HTTP {}{}", a.status, detail(&error_text(&a.body))),
            ));
        }
        let started = std::time::Instant::now();
        let v = serde_json::from_slice(&a.body)
            .map_err(|e| ApiError::Unexpected(self.service, format!("not JSON: {e}")));
        self.parse_time += started.elapsed();
        v
    }
}

/// The error text of a Salesforce (`[{"message", "errorCode"}]`) or Graph
/// (`{"error": {"code", "message"}}`) answer, cleaned for a terminal.
fn error_text(body: &[u8]) -> String {
    let v: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    let (code, message) = if let Some(first) = v.as_array().and_then(|a| a.first()) {
        (first["errorCode"].as_str(), first["message"].as_str())
    } else {
        (v["error"]["code"].as_str(), v["error"]["message"].as_str())
    };
    let text = match (code, message) {
        (Some(c), Some(m)) => format!("{c}: {m}"),
        (Some(c), None) => c.to_string(),
        (None, Some(m)) => m.to_string(),
        (None, None) => String::new(),
    };
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(300)
        .collect()
}

/// What the signed-in Salesforce administrator may see of the users.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct SalesforcePermissions {
    pub view_all_users: bool,
    pub manage_users: bool,
}

impl SalesforcePermissions {
    /// Either permission shows every user whatever the sharing settings.
    pub fn sees_everyone(&self) -> bool {
        self.view_all_users || self.manage_users
    }
}

/// Salesforce's REST API at the org's `instance_url`.
pub struct SalesforceApi {
    client: Client,
    instance_url: String,
    version: String,
}

impl SalesforceApi {
    /// `version` like `v68.0` (config key `salesforce.api_version`).
    pub fn new(instance_url: &str, version: &str, tokens: Box<dyn AccessTokens>) -> SalesforceApi {
        SalesforceApi {
            client: Client::new(Service::Salesforce, tokens, RetryPolicy::default()),
            instance_url: instance_url.trim_end_matches('/').to_string(),
            version: version.to_string(),
        }
    }

    /// Requests sent so far (retries included).
    pub fn requests(&self) -> usize {
        self.client.requests
    }

    /// Time spent parsing the answers' JSON so far.
    pub fn parse_time(&self) -> Duration {
        self.client.parse_time
    }

    /// The query URL for `soql`.
    pub fn query_url(&self, soql: &str) -> String {
        format!(
            "{}/services/data/{}/query?q={}",
            self.instance_url,
            self.version,
            encode(soql)
        )
    }

    /// Runs `soql`, following `nextRecordsUrl` until `done`; `on_page(records so far, total)`.
    pub fn query(
        &mut self,
        soql: &str,
        on_page: &mut dyn FnMut(usize, usize),
    ) -> Result<Vec<Value>, ApiError> {
        let mut url = self.query_url(soql);
        let mut out = Vec::new();
        loop {
            let mut page = self.client.get_json(&url)?;
            let total = page["totalSize"].as_u64().unwrap_or(0) as usize;
            match page["records"].take() {
                Value::Array(records) => out.extend(records),
                _ => {
                    return Err(ApiError::Unexpected(
                        Service::Salesforce,
                        "a query answer without records".into(),
                    ))
                }
            }
            on_page(out.len(), total);
            if page["done"].as_bool().unwrap_or(true) {
                return Ok(out);
            }
            let Some(next) = page["nextRecordsUrl"].as_str() else {
                return Err(ApiError::Unexpected(
                    Service::Salesforce,
                    "done is false but there is no nextRecordsUrl".into(),
                ));
            };
            url = format!("{}{next}", self.instance_url);
        }
    }

    /// The administrator's effective "View All Users" / "Manage Users" (`COUNT()` obeys the
    /// same sharing as the query, so it cannot tell a partial view; this can).
    pub fn permissions(&mut self) -> Result<SalesforcePermissions, ApiError> {
        let records = self.query(
            "SELECT PermissionsViewAllUsers, PermissionsManageUsers FROM UserPermissionAccess",
            &mut |_, _| {},
        )?;
        let r = records.first().cloned().unwrap_or(Value::Null);
        Ok(SalesforcePermissions {
            view_all_users: r["PermissionsViewAllUsers"].as_bool().unwrap_or(false),
            manage_users: r["PermissionsManageUsers"].as_bool().unwrap_or(false),
        })
    }
}

/// Microsoft Graph at `graph_url`.
pub struct GraphApi {
    client: Client,
    base: String,
}

/// Sub-requests in one `$batch` (Graph's limit).
pub const BATCH_SIZE: usize = 20;

impl GraphApi {
    pub fn new(graph_url: &str, tokens: Box<dyn AccessTokens>, retry: RetryPolicy) -> GraphApi {
        GraphApi {
            client: Client::new(Service::Microsoft, tokens, retry),
            base: graph_url.trim_end_matches('/').to_string(),
        }
    }

    /// Requests sent so far (retries included).
    pub fn requests(&self) -> usize {
        self.client.requests
    }

    /// Time spent parsing the answers' JSON so far.
    pub fn parse_time(&self) -> Duration {
        self.client.parse_time
    }

    /// `GET {graph_url}/v1.0/{path}`, following `@odata.nextLink`; `on_page(items so far)`.
    pub fn list(
        &mut self,
        path: &str,
        on_page: &mut dyn FnMut(usize),
    ) -> Result<Vec<Value>, ApiError> {
        let mut url = format!("{}/v1.0/{path}", self.base);
        let mut out = Vec::new();
        loop {
            let mut page = self.client.get_json(&url)?;
            match page["value"].take() {
                Value::Array(v) => out.extend(v),
                _ => {
                    return Err(ApiError::Unexpected(
                        Service::Microsoft,
                        "a page without value".into(),
                    ))
                }
            }
            on_page(out.len());
            match page["@odata.nextLink"].as_str() {
                Some(next) => url = next.to_string(),
                None => return Ok(out),
            }
        }
    }

    /// Runs GETs (relative URLs, `/users?…`) as `$batch` requests of 20; the answers' bodies in
    /// the same order. A throttled sub-request is sent again after its `Retry-After`.
    pub fn batch_get(&mut self, urls: &[String]) -> Result<Vec<Value>, ApiError> {
        let mut out: Vec<Option<Value>> = vec![None; urls.len()];
        let mut pending: Vec<usize> = (0..urls.len()).collect();
        let mut attempt = 0;
        while !pending.is_empty() {
            let mut throttled = Vec::new();
            let mut wait: Option<String> = None;
            for chunk in pending.chunks(BATCH_SIZE) {
                let requests: Vec<Value> = chunk
                    .iter()
                    .map(|&i| serde_json::json!({ "id": i.to_string(), "method": "GET", "url": urls[i] }))
                    .collect();
                let body = serde_json::json!({ "requests": requests }).to_string();
                let url = format!("{}/v1.0/$batch", self.base);
                let a = self.client.call(&|http, token| {
                    http.post_json(&url, token, body.as_bytes(), PAGE_CAP)
                        .map_err(|e| e.0)
                })?;
                let mut answer = self.client.json(a)?;
                let Value::Array(responses) = answer["responses"].take() else {
                    return Err(ApiError::Unexpected(
                        Service::Microsoft,
                        "a $batch answer without responses".into(),
                    ));
                };
                for mut r in responses {
                    let Some(i) = r["id"].as_str().and_then(|s| s.parse::<usize>().ok()) else {
                        continue;
                    };
                    if i >= urls.len() {
                        continue;
                    }
                    match r["status"].as_u64().unwrap_or(0) {
                        200 => out[i] = Some(r["body"].take()),
                        429 | 503 => {
                            wait = r["headers"]["Retry-After"].as_str().map(str::to_string);
                            throttled.push(i);
                        }
                        s => {
                            let text = error_text(r["body"].to_string().as_bytes());
                            return Err(ApiError::Unexpected(
                                Service::Microsoft,
                                format!("a $batch request answered HTTP {s}{}", detail(&text)),
                            ));
                        }
                    }
                }
            }
            if !throttled.is_empty() {
                if attempt >= self.client.retry.max_retries {
                    return Err(ApiError::Throttled(Service::Microsoft, attempt));
                }
                std::thread::sleep(self.client.retry.wait(attempt, wait.as_deref()));
                attempt += 1;
            }
            pending = throttled;
        }
        out.into_iter()
            .map(|v| {
                v.ok_or_else(|| {
                    ApiError::Unexpected(Service::Microsoft, "a $batch answer was missing".into())
                })
            })
            .collect()
    }
}

/// Percent-encoding for a query value (everything but unreserved characters).
pub fn encode(s: &str) -> String {
    encode_keeping(s, b"")
}

/// Percent-encoding of everything but the unreserved characters and `keep` (e.g. `@` in a
/// UPN path segment): the one encoder of the Graph and Salesforce calls.
pub fn encode_keeping(s: &str, keep: &[u8]) -> String {
    let mut out = String::with_capacity(s.len() * 3 / 2);
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) || keep.contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_wins_and_backoff_doubles_without_it() {
        let p = RetryPolicy {
            max_retries: 5,
            backoff: Duration::from_millis(100),
            max_wait: Duration::from_secs(10),
        };
        assert_eq!(p.wait(0, Some("3")), Duration::from_secs(3));
        assert_eq!(p.wait(0, None), Duration::from_millis(100));
        assert_eq!(p.wait(2, None), Duration::from_millis(400));
        // An HTTP-date (or garbage) is treated as absent.
        assert_eq!(
            p.wait(1, Some("Wed, 21 Oct 2026 07:28:00 GMT")),
            Duration::from_millis(200)
        );
        assert_eq!(p.wait(0, Some("3600")), Duration::from_secs(10));
    }

    #[test]
    fn error_texts_of_both_services() {
        assert_eq!(
            error_text(
                br#"[{"message":"Session expired or invalid","errorCode":"INVALID_SESSION_ID"}]"#
            ),
            "INVALID_SESSION_ID: Session expired or invalid"
        );
        assert_eq!(
            error_text(br#"{"error":{"code":"Authorization_RequestDenied","message":"Insufficient privileges.\u001b"}}"#),
            "Authorization_RequestDenied: Insufficient privileges. "
        );
        assert_eq!(error_text(b"<html>"), "");
    }

    #[test]
    fn encode_leaves_only_unreserved() {
        assert_eq!(
            encode("Id IN ('a','b')"),
            "Id%20IN%20%28%27a%27%2C%27b%27%29"
        );
    }
}

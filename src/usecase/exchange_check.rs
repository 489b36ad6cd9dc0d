//! `exchange check`, app-only plan over Microsoft Graph: before users are told to start, prove
//! that the organization's Entra app reaches every included mailbox.
//!
//! An app-only token by client credentials (`{authority}/{tenant}/oauth2/v2.0/token`,
//! `scope={graph_url}/.default`), then for each mailbox, with bounded concurrency, the three
//! reads the RBAC for Applications roles allow: the inbox, one calendar, one contact folder.
//! Each mailbox gets one [`Status`]; the shells render it (CLI text / JSON and exit code, the
//! wizard a gauge and a list). The client secret and the token stay in memory: `ClientSecret`
//! and `AccessToken` never Debug-print them, and no message here includes them.

use crate::auth::config::MicrosoftConfig;
use crate::auth::http::Http;
use crate::roster::{Field, Roster};
use oauth2::basic::BasicClient;
use oauth2::{
    AccessToken, AuthType, ClientId, ClientSecret, RequestTokenError, Scope, TokenResponse,
    TokenUrl,
};
use std::collections::HashSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::Duration;

/// How many mailboxes are checked at once unless told otherwise.
pub const DEFAULT_CONCURRENCY: usize = 8;

/// One mailbox to check: the roster's Office 365 login (the UPN) and the row's line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mailbox {
    pub upn: String,
    pub line: u64,
}

/// The included rows' Office 365 logins, each once (case-insensitively), in roster order.
/// Rows without a login are left out: validation already reports them.
pub fn mailboxes(roster: &Roster) -> Vec<Mailbox> {
    let mut seen = HashSet::new();
    (0..roster.len())
        .filter(|&r| !roster.is_excluded(r))
        .filter_map(|r| {
            let upn = roster.cell(r, Field::Office365Login).trim();
            (!upn.is_empty() && seen.insert(upn.to_lowercase())).then(|| Mailbox {
                upn: upn.to_string(),
                line: roster.record(r).line,
            })
        })
        .collect()
}

/// Limits of one check.
#[derive(Debug, Clone)]
pub struct CheckOptions {
    /// Mailboxes checked at once (at least 1).
    pub concurrency: usize,
    /// Retries of one call answered 429/503 before the mailbox counts as throttled.
    pub max_retries: u32,
    /// Longest total `Retry-After` wait for one mailbox; a longer request counts as throttled.
    pub max_wait: Duration,
    /// Per-request timeout.
    pub timeout: Duration,
}

impl Default for CheckOptions {
    fn default() -> Self {
        CheckOptions {
            concurrency: DEFAULT_CONCURRENCY,
            max_retries: 3,
            max_wait: Duration::from_secs(60),
            timeout: Duration::from_secs(30),
        }
    }
}

/// What the app must be able to read in each mailbox.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Resource {
    Mail,
    Calendars,
    Contacts,
}

impl Resource {
    /// In the order they are checked.
    pub const ALL: [Resource; 3] = [Resource::Mail, Resource::Calendars, Resource::Contacts];

    /// Stable key (JSON, text).
    pub fn key(self) -> &'static str {
        match self {
            Resource::Mail => "mail",
            Resource::Calendars => "calendars",
            Resource::Contacts => "contacts",
        }
    }

    /// The RBAC for Applications role that grants it.
    pub fn role(self) -> &'static str {
        match self {
            Resource::Mail => "Application Mail.ReadWrite",
            Resource::Calendars => "Application Calendars.ReadWrite",
            Resource::Contacts => "Application Contacts.ReadWrite",
        }
    }

    /// The Graph path under `/v1.0/users/{UPN}/`.
    fn path(self) -> &'static str {
        match self {
            Resource::Mail => "mailFolders/inbox",
            Resource::Calendars => "calendars?$top=1",
            Resource::Contacts => "contactFolders?$top=1",
        }
    }
}

/// Whether the app reaches one mailbox, and if not, why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    /// All three reads succeeded.
    Ok,
    /// 403 `ErrorAccessDenied` for these resources (the roles or the scope lack them).
    Denied { missing: Vec<Resource> },
    /// 404 `MailboxNotEnabledForRESTAPI`: the user exists but has no Exchange Online mailbox.
    NoMailbox,
    /// 404 user not found: no such user in the tenant.
    NotFound,
    /// Still 429/503 after the allowed retries and waits.
    Throttled,
    /// No usable answer: connection error, timeout, 5xx, or an unexpected status.
    Unreachable { reason: String },
}

impl Status {
    /// Stable key: `ok`, `denied`, `no-mailbox`, `not-found`, `throttled`, `unreachable`.
    pub fn key(&self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::Denied { .. } => "denied",
            Status::NoMailbox => "no-mailbox",
            Status::NotFound => "not-found",
            Status::Throttled => "throttled",
            Status::Unreachable { .. } => "unreachable",
        }
    }

    pub fn is_ok(&self) -> bool {
        matches!(self, Status::Ok)
    }

    /// One sentence: what is wrong and what to do.
    pub fn explain(&self) -> String {
        match self {
            Status::Ok => "the app reads mail, calendars and contacts".into(),
            Status::Denied { missing } => {
                let what: Vec<&str> = missing.iter().map(|r| r.key()).collect();
                let roles: Vec<&str> = missing.iter().map(|r| r.role()).collect();
                format!(
                    "access denied to {}: assign {} to the app with a management scope that includes this mailbox",
                    what.join(", "),
                    roles.join(", ")
                )
            }
            Status::NoMailbox => {
                "the user has no Exchange Online mailbox (MailboxNotEnabledForRESTAPI): give them a license with Exchange Online, or exclude the row".into()
            }
            Status::NotFound => {
                "no such user in the tenant: check the Office 365 login (it must be the user's UPN)".into()
            }
            Status::Throttled => {
                "Microsoft Graph kept throttling the requests: run the check again later".into()
            }
            Status::Unreachable { reason } => format!("no usable answer: {reason}"),
        }
    }
}

/// One mailbox's result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailboxResult {
    pub mailbox: Mailbox,
    pub status: Status,
    /// How many 429/503 answers were waited out (and retried).
    pub retries: u32,
}

/// The outcome of a check: every mailbox, in input order, and when it ran.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckReport {
    /// RFC 3339 UTC time the check started.
    pub checked_at: String,
    pub results: Vec<MailboxResult>,
}

impl CheckReport {
    /// Every mailbox is reachable.
    pub fn all_ok(&self) -> bool {
        self.results.iter().all(|r| r.status.is_ok())
    }

    /// The mailboxes that are not reachable.
    pub fn not_ok(&self) -> impl Iterator<Item = &MailboxResult> {
        self.results.iter().filter(|r| !r.status.is_ok())
    }

    /// How many mailboxes have each status key, in the order of [`Status::key`]'s list.
    pub fn counts(&self) -> Vec<(&'static str, usize)> {
        [
            "ok",
            "denied",
            "no-mailbox",
            "not-found",
            "throttled",
            "unreachable",
        ]
        .into_iter()
        .map(|k| {
            (
                k,
                self.results.iter().filter(|r| r.status.key() == k).count(),
            )
        })
        .collect()
    }
}

/// Why no mailbox could be checked.
#[derive(Debug, thiserror::Error)]
pub enum CheckError {
    /// The configuration cannot work (the message names the key and the fix).
    #[error("{0}")]
    Config(String),
    /// The token endpoint refused to issue an app-only token.
    #[error("the token endpoint refused an app-only token: {reason}")]
    TokenRefused {
        /// Entra's `AADSTS…` code, when it gave one.
        code: Option<String>,
        reason: String,
    },
    /// The token endpoint could not be reached.
    #[error("cannot reach the token endpoint: {0}")]
    TokenUnreachable(String),
}

/// Progress of a running check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    pub done: usize,
    pub total: usize,
}

/// Refuses configurations app-only access cannot use, before any secret is asked for.
pub fn check_config(config: &MicrosoftConfig) -> Result<(), CheckError> {
    if config.client_id.trim().is_empty() {
        return Err(CheckError::Config(
            "config key microsoft.client_id is empty: set it to the Application (client) ID of the organization's Entra app".into(),
        ));
    }
    let tenant = config.tenant.trim().trim_matches('/');
    if tenant.is_empty()
        || ["organizations", "common", "consumers"]
            .iter()
            .any(|t| tenant.eq_ignore_ascii_case(t))
    {
        return Err(CheckError::Config(format!(
            "config key microsoft.tenant = {:?} cannot be used for app-only access: set the tenant ID (or its domain, e.g. contoso.onmicrosoft.com)",
            config.tenant
        )));
    }
    Ok(())
}

/// Checks every mailbox; `progress` is called on this thread after each one.
pub fn check(
    config: &MicrosoftConfig,
    secret: &ClientSecret,
    mailboxes: &[Mailbox],
    options: &CheckOptions,
    mut progress: impl FnMut(Progress),
) -> Result<CheckReport, CheckError> {
    check_config(config)?;
    let checked_at = crate::timefmt::now_rfc3339();
    let workers = options.concurrency.max(1).min(mailboxes.len().max(1));
    let http = Http::pooled(options.timeout, workers);
    let token = app_token(config, secret, &http)?;
    let graph = config.graph_url.trim_end_matches('/');
    let total = mailboxes.len();
    progress(Progress { done: 0, total });

    let next = AtomicUsize::new(0);
    let mut results: Vec<Option<MailboxResult>> = vec![None; total];
    std::thread::scope(|scope| {
        let (tx, rx) = mpsc::channel();
        for _ in 0..workers {
            let tx = tx.clone();
            let (next, http, token) = (&next, &http, &token);
            scope.spawn(move || loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(mailbox) = mailboxes.get(i) else {
                    break;
                };
                let (status, retries) = check_mailbox(http, graph, token, &mailbox.upn, options);
                let result = MailboxResult {
                    mailbox: mailbox.clone(),
                    status,
                    retries,
                };
                if tx.send((i, result)).is_err() {
                    break;
                }
            });
        }
        drop(tx);
        for (done, (i, result)) in rx.into_iter().enumerate() {
            results[i] = Some(result);
            progress(Progress {
                done: done + 1,
                total,
            });
        }
    });
    Ok(CheckReport {
        checked_at,
        // Every index was handed to exactly one worker, which always sends its result.
        results: results.into_iter().flatten().collect(),
    })
}

/// Client credentials for `{graph_url}/.default`.
fn app_token(
    config: &MicrosoftConfig,
    secret: &ClientSecret,
    http: &Http,
) -> Result<AccessToken, CheckError> {
    let token_url = TokenUrl::new(config.endpoints().token)
        .map_err(|e| CheckError::Config(format!("config key microsoft.authority: {e}")))?;
    let client = BasicClient::new(ClientId::new(config.client_id.trim().to_string()))
        .set_client_secret(secret.clone())
        .set_auth_type(AuthType::RequestBody)
        .set_token_uri(token_url);
    let scope = format!("{}/.default", config.graph_url.trim_end_matches('/'));
    match client
        .exchange_client_credentials()
        .add_scope(Scope::new(scope))
        .request(http)
    {
        Ok(t) => Ok(t.access_token().clone()),
        Err(RequestTokenError::ServerResponse(r)) => {
            let description = r.error_description().cloned().unwrap_or_default();
            let code = aadsts_code(&description);
            Err(CheckError::TokenRefused {
                reason: refusal_reason(code.as_deref(), r.error().as_ref(), &description, config),
                code,
            })
        }
        Err(RequestTokenError::Request(e)) => Err(CheckError::TokenUnreachable(e.0)),
        Err(RequestTokenError::Parse(e, _)) => Err(CheckError::TokenUnreachable(format!(
            "the token endpoint answered something other than a token: {e}"
        ))),
        Err(RequestTokenError::Other(s)) => Err(CheckError::TokenUnreachable(s)),
    }
}

/// `AADSTS7000215` from "AADSTS7000215: Invalid client secret provided. …".
fn aadsts_code(description: &str) -> Option<String> {
    let at = description.find("AADSTS")?;
    let digits: String = description[at + 6..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    (!digits.is_empty()).then(|| format!("AADSTS{digits}"))
}

/// What the refusal means for the admin, for the codes an app-only sign-in meets.
fn refusal_reason(
    code: Option<&str>,
    error: &str,
    description: &str,
    config: &MicrosoftConfig,
) -> String {
    let first_line = description.lines().next().unwrap_or("").trim();
    let why = match code {
        Some("AADSTS7000215") => "invalid client secret: give the secret's Value (not its Secret ID) from the app's Certificates & secrets page".to_string(),
        Some("AADSTS7000222") => "the client secret has expired: create a new one on the app's Certificates & secrets page".to_string(),
        Some("AADSTS700016") => format!(
            "unknown app: application {} is not in tenant {}; check microsoft.client_id and microsoft.tenant, and that an admin consented to the app in that tenant",
            config.client_id, config.tenant
        ),
        Some("AADSTS90002") | Some("AADSTS900023") => format!(
            "tenant not found: {:?} is not a Microsoft Entra tenant; set microsoft.tenant to the tenant ID",
            config.tenant
        ),
        Some("AADSTS500011") => "Microsoft Graph is not known in this tenant: check microsoft.graph_url".to_string(),
        _ => return format!("{error}: {first_line}"),
    };
    format!("{} ({first_line})", why)
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

/// `Retry-After` in seconds; an absent or HTTP-date value waits one second.
fn retry_wait(header: Option<&str>) -> Duration {
    Duration::from_secs(
        header
            .and_then(|h| h.trim().parse::<u64>().ok())
            .unwrap_or(1),
    )
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
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~@".contains(&b) {
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

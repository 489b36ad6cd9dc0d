//! A local, in-process stand-in for Entra's token endpoint (client credentials only) and the
//! three Microsoft Graph reads `exchange check` makes, on 127.0.0.1 with std threads.
//! Shared by tests/it/exchange_check.rs and examples/exchange_check_bench.rs (`#[path]`).
//!
//! Token: `POST /{tenant}/oauth2/v2.0/token` checks grant type, tenant, client ID, secret and
//! scope and answers with Entra's AADSTS errors otherwise. Graph: `GET /v1.0/users/{UPN}/…`
//! checks the bearer token and answers from a table of [`Behaviour`]s (unknown users: not
//! found). It counts requests per mailbox and the most requests in flight at once.
#![allow(dead_code)]

use std::collections::HashMap;
use std::io::BufReader;
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// How the Graph stand-in answers for one mailbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Behaviour {
    /// Every read succeeds.
    Allowed,
    /// 403 `ErrorAccessDenied` for these resources (`mail`, `calendars`, `contacts`).
    Denied(Vec<&'static str>),
    /// 404 `MailboxNotEnabledForRESTAPI`.
    NoMailbox,
    /// 404 `Request_ResourceNotFound` (also what unknown users get).
    NotFound,
    /// The first request for this mailbox gets 429 `Retry-After: 1`, the rest succeed.
    ThrottledOnce,
    /// Always 429 `Retry-After: 1`.
    AlwaysThrottled,
    /// Always 500.
    ServerError,
}

/// What the server is configured with.
pub struct GraphSetup {
    pub tenant: String,
    pub client_id: String,
    pub secret: String,
    pub mailboxes: HashMap<String, Behaviour>,
    /// Time each Graph answer takes (to make concurrency observable).
    pub delay: Duration,
}

#[derive(Default)]
struct Shared {
    tokens: Mutex<Vec<String>>,
    requests: Mutex<HashMap<String, usize>>,
    in_flight: AtomicUsize,
    max_in_flight: AtomicUsize,
    token_requests: AtomicUsize,
    graph_requests: AtomicUsize,
    /// Token scopes granted besides `{this server}/.default` (an EWS stand-in's).
    scopes: Mutex<Vec<String>>,
    stop: AtomicBool,
}

/// The running server; stops accepting on drop.
pub struct GraphServer {
    pub port: u16,
    setup: Arc<GraphSetup>,
    shared: Arc<Shared>,
}

impl GraphServer {
    pub fn start(setup: GraphSetup) -> GraphServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        let port = listener.local_addr().unwrap().port();
        let setup = Arc::new(setup);
        let shared = Arc::new(Shared::default());
        let (s2, sh2) = (setup.clone(), shared.clone());
        let sh3 = sh2.clone();
        super::http_stub::accept_loop(
            listener,
            move || sh3.stop.load(Ordering::SeqCst),
            move |conn| serve(conn, &s2, &sh2),
        );
        GraphServer {
            port,
            setup,
            shared,
        }
    }

    /// `http://127.0.0.1:PORT`: both the authority and the Graph URL.
    pub fn base(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// A config with this server as authority and Graph.
    pub fn config_toml(&self, keyring: &str) -> String {
        format!(
            "[microsoft]\nauthority = \"{b}\"\ntenant = \"{t}\"\nclient_id = \"{c}\"\ngraph_url = \"{b}\"\n\n\
             [flow]\ntimeout_seconds = 30\nkeyring_timeout_seconds = 20\nkeyring = \"{keyring}\"\n",
            b = self.base(),
            t = self.setup.tenant,
            c = self.setup.client_id,
        )
    }

    /// Every access token issued, and the client secret: what must never leak.
    pub fn secrets(&self) -> Vec<String> {
        let mut s = self.shared.tokens.lock().unwrap().clone();
        s.push(self.setup.secret.clone());
        s
    }

    /// Graph requests seen for `upn` (all three resources, retries included).
    pub fn requests_for(&self, upn: &str) -> usize {
        let r = self.shared.requests.lock().unwrap();
        r.get(&upn.to_lowercase()).copied().unwrap_or(0)
    }

    /// Also grants tokens for `scope` (e.g. the EWS stand-in's `http://127.0.0.1:P/.default`).
    pub fn allow_scope(&self, scope: &str) {
        self.shared.scopes.lock().unwrap().push(scope.to_string());
    }

    /// Whether `token` is one this server issued (the EWS stand-in accepts them).
    pub fn issued(&self, token: &str) -> bool {
        self.shared
            .tokens
            .lock()
            .unwrap()
            .iter()
            .any(|t| t == token)
    }

    pub fn max_in_flight(&self) -> usize {
        self.shared.max_in_flight.load(Ordering::SeqCst)
    }

    pub fn token_requests(&self) -> usize {
        self.shared.token_requests.load(Ordering::SeqCst)
    }

    pub fn graph_requests(&self) -> usize {
        self.shared.graph_requests.load(Ordering::SeqCst)
    }
}

impl Drop for GraphServer {
    fn drop(&mut self) {
        super::http_stub::stop(&self.shared.stop, self.port);
    }
}

pub use super::http_stub::{random, read_request, Request};

fn serve(conn: TcpStream, setup: &GraphSetup, shared: &Shared) {
    let _ = conn.set_nodelay(true);
    let mut writer = match conn.try_clone() {
        Ok(w) => w,
        Err(_) => return,
    };
    let mut reader = BufReader::new(conn);
    while let Some(req) = read_request(&mut reader) {
        let (status, extra, body) =
            if req.method == "POST" && req.target.ends_with("/oauth2/v2.0/token") {
                shared.token_requests.fetch_add(1, Ordering::SeqCst);
                token(&req, setup, shared)
            } else if req.method == "GET"
                && req
                    .target
                    .ends_with("/v2.0/.well-known/openid-configuration")
            {
                openid_configuration(&req, setup)
            } else if req.method == "GET" && req.target.starts_with("/v1.0/users/") {
                shared.graph_requests.fetch_add(1, Ordering::SeqCst);
                let now = shared.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
                shared.max_in_flight.fetch_max(now, Ordering::SeqCst);
                if !setup.delay.is_zero() {
                    std::thread::sleep(setup.delay);
                }
                let answer = graph(&req, setup, shared);
                shared.in_flight.fetch_sub(1, Ordering::SeqCst);
                answer
            } else {
                (404, String::new(), "{}".to_string())
            };
        let sent = super::http_stub::write_answer(
            &mut writer,
            status,
            &format!("Content-Type: application/json\r\n{extra}"),
            body.as_bytes(),
        );
        if sent.is_err() {
            return;
        }
    }
}

fn form(body: &[u8]) -> HashMap<String, String> {
    String::from_utf8_lossy(body)
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| (decode(k), decode(v)))
        .collect()
}

/// Percent-decoding (`+` is a space), as in a form body.
pub fn decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < b.len() => {
                let hex = std::str::from_utf8(&b[i + 1..i + 3]).unwrap_or("zz");
                out.push(u8::from_str_radix(hex, 16).unwrap_or(b'?'));
                i += 2;
            }
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn aadsts(status: u16, error: &str, code: u32, text: &str) -> (u16, String, String) {
    let body = serde_json::json!({
        "error": error,
        "error_description": format!("AADSTS{code}: {text} Trace ID: 00000000-0000-0000-0000-000000000000"),
        "error_codes": [code],
    });
    (status, String::new(), body.to_string())
}

fn token(req: &Request, setup: &GraphSetup, shared: &Shared) -> (u16, String, String) {
    let tenant = req
        .target
        .trim_start_matches('/')
        .split('/')
        .next()
        .unwrap_or("");
    if tenant != setup.tenant {
        return aadsts(
            400,
            "invalid_request",
            90002,
            &format!("Tenant '{tenant}' not found."),
        );
    }
    let f = form(&req.body);
    let get = |k: &str| f.get(k).map(String::as_str).unwrap_or("");
    if get("grant_type") != "client_credentials" {
        return aadsts(
            400,
            "unsupported_grant_type",
            70003,
            "The app requested an unsupported grant type.",
        );
    }
    if get("client_id") != setup.client_id {
        return aadsts(
            400,
            "unauthorized_client",
            700016,
            &format!(
                "Application with identifier '{}' was not found in the directory.",
                get("client_id")
            ),
        );
    }
    if !f.contains_key("client_secret") {
        return aadsts(
            401,
            "invalid_client",
            7000218,
            "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
        );
    }
    if get("client_secret") != setup.secret {
        return aadsts(
            401,
            "invalid_client",
            7000215,
            "Invalid client secret provided.",
        );
    }
    let host = req.headers.get("host").cloned().unwrap_or_default();
    let scope = get("scope");
    if scope != format!("http://{host}/.default")
        && !shared.scopes.lock().unwrap().iter().any(|s| s == scope)
    {
        return aadsts(
            400,
            "invalid_scope",
            1002012,
            "The provided value for scope is not valid.",
        );
    }
    let n = shared.token_requests.load(Ordering::SeqCst);
    let token = format!("graph-app-token-{:016x}-{n}", random());
    shared.tokens.lock().unwrap().push(token.clone());
    let body = serde_json::json!({
        "token_type": "Bearer", "expires_in": 3599, "ext_expires_in": 3599, "access_token": token,
    });
    (200, String::new(), body.to_string())
}

/// The tenant's discovery document (only its existence matters), or AADSTS90002.
fn openid_configuration(req: &Request, setup: &GraphSetup) -> (u16, String, String) {
    let tenant = req
        .target
        .trim_start_matches('/')
        .split('/')
        .next()
        .unwrap_or("");
    if tenant != setup.tenant {
        return aadsts(
            400,
            "invalid_tenant",
            90002,
            &format!("Tenant '{tenant}' not found."),
        );
    }
    let body = serde_json::json!({ "issuer": format!("https://login.example/{tenant}/v2.0") });
    (200, String::new(), body.to_string())
}

fn graph_error(status: u16, code: &str, message: &str) -> (u16, String, String) {
    let body = serde_json::json!({ "error": { "code": code, "message": message } });
    (status, String::new(), body.to_string())
}

fn graph(req: &Request, setup: &GraphSetup, shared: &Shared) -> (u16, String, String) {
    let bearer = req
        .headers
        .get("authorization")
        .and_then(|a| a.strip_prefix("Bearer "))
        .unwrap_or("");
    if !shared.tokens.lock().unwrap().iter().any(|t| t == bearer) {
        return graph_error(
            401,
            "InvalidAuthenticationToken",
            "Access token is empty or invalid.",
        );
    }
    let rest = &req.target["/v1.0/users/".len()..];
    let (upn, resource) = rest.split_once('/').unwrap_or((rest, ""));
    let upn = decode(upn).to_lowercase();
    let resource = match resource {
        "mailFolders/inbox" => "mail",
        "calendars?$top=1" => "calendars",
        "contactFolders?$top=1" => "contacts",
        _ => return graph_error(400, "BadRequest", "Unsupported path."),
    };
    let seen = {
        let mut r = shared.requests.lock().unwrap();
        let n = r.entry(upn.clone()).or_insert(0);
        *n += 1;
        *n
    };
    let throttled = || {
        let body = serde_json::json!({ "error": { "code": "TooManyRequests", "message": "Too many requests." } });
        (429, "Retry-After: 1\r\n".to_string(), body.to_string())
    };
    match setup.mailboxes.get(&upn).cloned().unwrap_or(Behaviour::NotFound) {
        Behaviour::Allowed => (200, String::new(), r#"{"value":[]}"#.into()),
        Behaviour::Denied(which) if which.contains(&resource) => {
            graph_error(403, "ErrorAccessDenied", "Access is denied. Check credentials and try again.")
        }
        Behaviour::Denied(_) => (200, String::new(), r#"{"value":[]}"#.into()),
        Behaviour::NoMailbox => graph_error(
            404,
            "MailboxNotEnabledForRESTAPI",
            "The mailbox is either inactive, soft-deleted, or is hosted on-premise.",
        ),
        Behaviour::NotFound => graph_error(
            404,
            "Request_ResourceNotFound",
            &format!("Resource '{upn}' does not exist or one of its queried reference-property objects are not present."),
        ),
        Behaviour::ThrottledOnce if seen == 1 => throttled(),
        Behaviour::ThrottledOnce => (200, String::new(), r#"{"value":[]}"#.into()),
        Behaviour::AlwaysThrottled => throttled(),
        Behaviour::ServerError => graph_error(500, "InternalServerError", "Something went wrong."),
    }
}

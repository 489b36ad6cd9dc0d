//! A Microsoft Graph-shaped users directory for `roster pull` and `roster verify`:
//! `GET /v1.0/users` with `$select`, `$top` (at most 999), `$skiptoken` paging through
//! `@odata.nextLink`, `$filter=userPrincipalName in ('…', …)` (at most 15 values, as Graph),
//! and `POST /v1.0/$batch` (at most 20 requests, each answered like a GET here).
//!
//! The bearer check accepts tokens given with [`GraphDirectory::add_token`] and the access
//! tokens the node OIDC stand-in issued (asked at `/__test/secrets` on a miss);
//! [`GraphDirectory::expire_tokens`] turns every token known so far into a 401.
//! [`GraphDirectory::throttle_next`] answers the next requests 429 (or 503), with or without
//! `Retry-After`.
#![allow(dead_code)]

use super::http_stub::{self, quoted_values, Request, Response, Server};
use super::salesforce_api::copy_response;
use std::collections::{HashMap, HashSet};
use std::net::TcpListener;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

/// One Microsoft 365 account in the stand-in tenant.
#[derive(Debug, Clone)]
pub struct MsRecord {
    pub id: String,
    pub upn: String,
    pub display_name: String,
    pub mail: Option<String>,
    pub proxy_addresses: Vec<String>,
    pub enabled: bool,
    pub user_type: String,
}

impl MsRecord {
    /// An enabled member whose mail is its UPN (and its primary SMTP address).
    pub fn new(n: u64, upn: &str, display_name: &str) -> MsRecord {
        MsRecord {
            id: format!("00000000-0000-4000-8000-{n:012x}"),
            upn: upn.into(),
            display_name: display_name.into(),
            mail: Some(upn.into()),
            proxy_addresses: vec![format!("SMTP:{upn}")],
            enabled: true,
            user_type: "Member".into(),
        }
    }
}

/// How the next throttled answers look.
#[derive(Debug, Clone, Copy)]
pub struct Throttle {
    pub status: u16,
    /// `Retry-After` seconds; `None` leaves the header out (the client backs off itself).
    pub retry_after: Option<u32>,
}

#[derive(Default)]
struct State {
    users: Vec<MsRecord>,
    by_upn: HashMap<String, usize>,
    tokens: HashSet<String>,
    expired: HashSet<String>,
    throttles: Vec<Throttle>,
    page_sizes: Vec<usize>,
    /// Pre-rendered pages by request target ([`GraphDirectory::replay`]).
    replay: Option<HashMap<String, Response>>,
}

#[derive(Default)]
struct Counters {
    requests: AtomicUsize,
    pages: AtomicUsize,
    batches: AtomicUsize,
    filters: AtomicUsize,
    throttled: AtomicUsize,
    unauthorized: AtomicUsize,
}

/// The running server; stops on drop.
pub struct GraphDirectory {
    server: Server,
    state: Arc<Mutex<State>>,
    counters: Arc<Counters>,
}

impl GraphDirectory {
    /// Serves `users`; `token_source` is the node OIDC stand-in's base, whose issued access
    /// tokens are accepted too.
    pub fn start(users: Vec<MsRecord>, token_source: Option<String>) -> GraphDirectory {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        let port = listener.local_addr().unwrap().port();
        let by_upn = users
            .iter()
            .enumerate()
            .map(|(i, u)| (u.upn.to_lowercase(), i))
            .collect();
        let state = Arc::new(Mutex::new(State {
            users,
            by_upn,
            ..State::default()
        }));
        let counters = Arc::new(Counters::default());
        let base = format!("http://127.0.0.1:{port}");
        let (st, co) = (state.clone(), counters.clone());
        let handler: http_stub::Handler = Arc::new(move |req: &Request| {
            co.requests.fetch_add(1, Ordering::SeqCst);
            if !authorized(req.bearer(), &st, token_source.as_deref()) {
                co.unauthorized.fetch_add(1, Ordering::SeqCst);
                return graph_error(
                    401,
                    "InvalidAuthenticationToken",
                    "Access token has expired or is not yet valid.",
                );
            }
            let throttle = {
                let mut s = st.lock().unwrap();
                (!s.throttles.is_empty()).then(|| s.throttles.remove(0))
            };
            if let Some(t) = throttle {
                co.throttled.fetch_add(1, Ordering::SeqCst);
                let r = graph_error(t.status, "TooManyRequests", "Too many requests.");
                return match t.retry_after {
                    Some(s) => r.header("Retry-After", &s.to_string()),
                    None => r,
                };
            }
            let get = req.method == "GET";
            if let Some(kept) = get
                .then(|| {
                    st.lock()
                        .unwrap()
                        .replay
                        .as_ref()?
                        .get(&req.target)
                        .map(copy_response)
                })
                .flatten()
            {
                return kept;
            }
            let r = match (req.method.as_str(), req.path()) {
                ("GET", "/v1.0/users") => users_get(&req.target["/v1.0".len()..], &base, &st, &co),
                ("POST", "/v1.0/$batch") => batch(req, &base, &st, &co),
                _ => graph_error(400, "BadRequest", "Unsupported path."),
            };
            if let (true, 200, Some(m)) = (get, r.status, &mut st.lock().unwrap().replay) {
                m.insert(req.target.clone(), copy_response(&r));
            }
            r
        });
        GraphDirectory {
            server: Server::start(listener, handler),
            state,
            counters,
        }
    }

    /// `http://127.0.0.1:PORT`: the config's `microsoft.graph_url`.
    pub fn base(&self) -> String {
        self.server.base()
    }

    pub fn add_token(&self, token: &str) {
        self.state.lock().unwrap().tokens.insert(token.into());
    }

    /// Every token accepted so far now gets 401.
    pub fn expire_tokens(&self) {
        let mut s = self.state.lock().unwrap();
        let all: Vec<String> = s.tokens.iter().cloned().collect();
        s.expired.extend(all);
    }

    /// The next `n` requests are answered `throttle.status` (429 or 503).
    pub fn throttle_next(&self, n: usize, throttle: Throttle) {
        let mut s = self.state.lock().unwrap();
        s.throttles.extend(std::iter::repeat_n(throttle, n));
    }

    /// Pre-rendered pages from now on, as `SalesforceApi::replay` (`pull_bench`'s ceiling).
    pub fn replay(&self) {
        let mut s = self.state.lock().unwrap();
        s.replay.get_or_insert_with(HashMap::new);
    }

    /// Time the server spent answering (all connections).
    pub fn busy(&self) -> std::time::Duration {
        self.server.busy()
    }

    /// Every request, refused ones included.
    pub fn requests(&self) -> usize {
        self.counters.requests.load(Ordering::SeqCst)
    }
    /// `GET /v1.0/users` pages without `$filter` answered.
    pub fn pages(&self) -> usize {
        self.counters.pages.load(Ordering::SeqCst)
    }
    /// `$batch` requests answered.
    pub fn batches(&self) -> usize {
        self.counters.batches.load(Ordering::SeqCst)
    }
    /// `$filter` queries answered (inside batches or not).
    pub fn filters(&self) -> usize {
        self.counters.filters.load(Ordering::SeqCst)
    }
    pub fn throttled(&self) -> usize {
        self.counters.throttled.load(Ordering::SeqCst)
    }
    pub fn unauthorized(&self) -> usize {
        self.counters.unauthorized.load(Ordering::SeqCst)
    }
    /// The `$top` of each page asked for.
    pub fn page_sizes(&self) -> Vec<usize> {
        self.state.lock().unwrap().page_sizes.clone()
    }
}

fn authorized(bearer: &str, st: &Mutex<State>, source: Option<&str>) -> bool {
    {
        let s = st.lock().unwrap();
        if s.expired.contains(bearer) {
            return false;
        }
        if s.tokens.contains(bearer) {
            return true;
        }
    }
    let Some(source) = source else { return false };
    // A token the OIDC stand-in issued since we last asked.
    let Ok(resp) = ureq::get(&format!("{source}/__test/secrets")).call() else {
        return false;
    };
    let issued: Vec<String> = resp
        .into_string()
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_default();
    let mut s = st.lock().unwrap();
    let known = issued.iter().any(|t| t == bearer);
    s.tokens.extend(issued);
    known && !bearer.is_empty()
}

fn graph_error(status: u16, code: &str, message: &str) -> Response {
    Response::json(
        status,
        &serde_json::json!({ "error": { "code": code, "message": message } }),
    )
}

fn user_json(u: &MsRecord, select: &[String]) -> serde_json::Value {
    let full = serde_json::json!({
        "id": u.id, "displayName": u.display_name, "userPrincipalName": u.upn, "mail": u.mail,
        "proxyAddresses": u.proxy_addresses, "accountEnabled": u.enabled, "userType": u.user_type,
    });
    if select.is_empty() {
        // Graph's default set has neither proxyAddresses nor accountEnabled.
        let mut v = full;
        let o = v.as_object_mut().unwrap();
        o.remove("proxyAddresses");
        o.remove("accountEnabled");
        o.remove("userType");
        return v;
    }
    let mut out = serde_json::Map::new();
    for k in select {
        if let Some(v) = full.get(k.as_str()) {
            out.insert(k.clone(), v.clone());
        }
    }
    serde_json::Value::Object(out)
}

/// `GET /users?…` (the target below `/v1.0`): a page, or the users a `$filter` names.
fn users_get(target: &str, base: &str, st: &Mutex<State>, co: &Counters) -> Response {
    let q = http_stub::query_of(target);
    let select: Vec<String> = q
        .get("$select")
        .map(|s| {
            s.split(',')
                .map(|f| f.trim().to_string())
                .filter(|f| !f.is_empty())
                .collect()
        })
        .unwrap_or_default();
    let s = st.lock().unwrap();
    if let Some(filter) = q.get("$filter") {
        co.filters.fetch_add(1, Ordering::SeqCst);
        let Some(list) = filter
            .trim()
            .strip_prefix("userPrincipalName in (")
            .and_then(|l| l.strip_suffix(')'))
        else {
            return graph_error(400, "Request_UnsupportedQuery", "Unsupported or invalid query filter clause specified for property 'userPrincipalName' of resource 'User'.");
        };
        let upns = quoted_values(list);
        if upns.len() > 15 {
            return graph_error(400, "Request_UnsupportedQuery", "Too many child clauses specified in search filter expression containing 'OR' operators: 16. Max allowed: 15.");
        }
        let value: Vec<serde_json::Value> = upns
            .iter()
            .filter_map(|u| s.by_upn.get(&u.to_lowercase()))
            .map(|&i| user_json(&s.users[i], &select))
            .collect();
        return Response::json(200, &serde_json::json!({ "value": value }));
    }
    co.pages.fetch_add(1, Ordering::SeqCst);
    let top: usize = q.get("$top").and_then(|t| t.parse().ok()).unwrap_or(100);
    if !(1..=999).contains(&top) {
        return graph_error(
            400,
            "Request_BadRequest",
            "Invalid page size specified: '1000'. Must be between 1 and 999 inclusive.",
        );
    }
    drop(s);
    st.lock().unwrap().page_sizes.push(top);
    let s = st.lock().unwrap();
    let from: usize = match q.get("$skiptoken") {
        Some(t) => match t.strip_prefix("X2Rlc2").and_then(|n| n.parse().ok()) {
            Some(n) => n,
            None => return graph_error(400, "Directory_ExpiredPageToken", "The specified page token value has expired and can no longer be included in your request."),
        },
        None => 0,
    };
    let to = (from + top).min(s.users.len());
    let value: Vec<serde_json::Value> = s.users[from.min(to)..to]
        .iter()
        .map(|u| user_json(u, &select))
        .collect();
    let mut body = serde_json::json!({
        "@odata.context": format!("{base}/v1.0/$metadata#users"),
        "value": value,
    });
    if to < s.users.len() {
        let sel = q
            .get("$select")
            .map(|v| format!("$select={}&", http_stub::encode(v)))
            .unwrap_or_default();
        body["@odata.nextLink"] =
            format!("{base}/v1.0/users?{sel}$top={top}&$skiptoken=X2Rlc2{to}").into();
    }
    Response::json(200, &body)
}

fn batch(req: &Request, base: &str, st: &Mutex<State>, co: &Counters) -> Response {
    co.batches.fetch_add(1, Ordering::SeqCst);
    let Ok(body) = serde_json::from_slice::<serde_json::Value>(&req.body) else {
        return graph_error(400, "BadRequest", "Invalid batch payload format.");
    };
    let Some(requests) = body["requests"].as_array() else {
        return graph_error(400, "BadRequest", "Invalid batch payload format.");
    };
    if requests.len() > 20 {
        return graph_error(
            400,
            "BadRequest",
            "Too many requests in a batch: the limit is 20.",
        );
    }
    let responses: Vec<serde_json::Value> = requests
        .iter()
        .map(|r| {
            let id = r["id"].clone();
            let url = r["url"].as_str().unwrap_or("");
            let answer = if r["method"].as_str() == Some("GET") && url.starts_with("/users") {
                users_get(url, base, st, co)
            } else {
                graph_error(400, "BadRequest", "Unsupported request in a batch.")
            };
            let body: serde_json::Value = serde_json::from_slice(&answer.body).unwrap_or_default();
            serde_json::json!({ "id": id, "status": answer.status, "headers": { "Content-Type": "application/json" }, "body": body })
        })
        .collect();
    Response::json(200, &serde_json::json!({ "responses": responses }))
}

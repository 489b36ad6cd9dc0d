//! A Salesforce-shaped REST API on the **same origin as the Salesforce OAuth stand-in**
//! (`oidc/salesforce-server.mjs`), as at Salesforce, where `instance_url` in the token
//! response is where the REST API lives.
//!
//! How the origin is shared: this server owns the port clients see. It starts the node OAuth
//! server with `PUBLIC_BASE` set to that origin (so `instance_url`, the identity URL and the
//! device page name it), answers `/services/data/…` itself and forwards every other path to
//! node. It reads the access tokens out of the token responses it forwards, so the bearer
//! check knows exactly the tokens the OAuth server issued (and whose they are).
//!
//! REST: `GET /services/data/v{ver}/query?q=SOQL` for `… FROM User` (every user, or
//! `WHERE Id IN ('…', …)`), paged at 2,000 records with `nextRecordsUrl`
//! (`/services/data/v{ver}/query/01gCURSOR-2000`), and the permission query
//! `SELECT PermissionsViewAllUsers, PermissionsManageUsers FROM UserPermissionAccess`.
//! A request target over 16,384 characters gets 414, as Salesforce's does. Without "View All
//! Users" (see [`SalesforceApi::set_view_all`]) only the users marked visible are returned.
//! An unknown or expired token gets 401 `INVALID_SESSION_ID`.
#![allow(dead_code)]

use super::http_stub::{self, quoted_values, Request, Response, Server};
use std::collections::{HashMap, HashSet};
use std::net::TcpListener;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

/// Records per query batch, as Salesforce's default.
pub const BATCH: usize = 2000;
/// Longest request target Salesforce accepts.
pub const MAX_TARGET: usize = 16_384;

/// One Salesforce user in the stand-in org.
#[derive(Debug, Clone)]
pub struct SfRecord {
    pub id: String,
    pub name: String,
    pub username: String,
    pub email: String,
    pub active: bool,
    pub user_type: String,
    pub federation_id: Option<String>,
    /// Seen by an admin without "View All Users" (the sharing rules' share).
    pub visible_without_view_all: bool,
}

impl SfRecord {
    /// An active standard user, visible to everyone.
    pub fn new(id: &str, name: &str, username: &str, email: &str) -> SfRecord {
        SfRecord {
            id: id.into(),
            name: name.into(),
            username: username.into(),
            email: email.into(),
            active: true,
            user_type: "Standard".into(),
            federation_id: None,
            visible_without_view_all: true,
        }
    }
}

#[derive(Default)]
struct State {
    users: Vec<SfRecord>,
    /// 18-character ID, lower-cased → index.
    by_id: HashMap<String, usize>,
    /// access token → user ID of who it belongs to.
    tokens: HashMap<String, String>,
    expired: HashSet<String>,
    cursors: HashMap<String, (Vec<usize>, usize)>,
    view_all: bool,
    manage_users: bool,
    versions: Vec<String>,
    queries: Vec<String>,
    /// Pre-rendered answers by request target ([`SalesforceApi::replay`]).
    replay: Option<HashMap<String, Response>>,
}

/// A copy of an answer to replay (Response is not `Clone`).
pub fn copy_response(r: &Response) -> Response {
    Response {
        status: r.status,
        headers: r.headers.clone(),
        body: r.body.clone(),
    }
}

/// Counters of what the REST API was asked.
#[derive(Default)]
struct Counters {
    rest: AtomicUsize,
    query_pages: AtomicUsize,
    id_queries: AtomicUsize,
    permission_queries: AtomicUsize,
    unauthorized: AtomicUsize,
}

/// The running server (and the node OAuth server behind it); both stop on drop.
pub struct SalesforceApi {
    server: Server,
    /// The OAuth stand-in, when started with one.
    pub oauth: Option<super::NodeServer>,
    state: Arc<Mutex<State>>,
    counters: Arc<Counters>,
}

impl SalesforceApi {
    /// The REST API alone (tests that hand the client a token themselves: [`Self::add_token`]).
    pub fn start(users: Vec<SfRecord>) -> SalesforceApi {
        Self::start_inner(users, None)
    }

    /// The REST API in front of the node OAuth stand-in for callback port `callback_port`.
    pub fn with_oauth(users: Vec<SfRecord>, callback_port: u16) -> SalesforceApi {
        Self::start_inner(users, Some(callback_port))
    }

    fn start_inner(users: Vec<SfRecord>, callback_port: Option<u16>) -> SalesforceApi {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        let port = listener.local_addr().unwrap().port();
        let public = format!("http://127.0.0.1:{port}");
        let oauth = callback_port.map(|cb| {
            super::NodeServer::start(
                "salesforce-server.mjs",
                &[
                    ("CLIENT_ID", super::SF_CLIENT),
                    ("REDIRECT_URI", &format!("http://localhost:{cb}/callback")),
                    ("PUBLIC_BASE", &public),
                ],
            )
        });
        let by_id = users
            .iter()
            .enumerate()
            .map(|(i, u)| (u.id.to_lowercase(), i))
            .collect();
        let state = Arc::new(Mutex::new(State {
            users,
            by_id,
            view_all: true,
            manage_users: true,
            ..State::default()
        }));
        let counters = Arc::new(Counters::default());
        let upstream = oauth.as_ref().map(|n| n.base());
        let agent = ureq::AgentBuilder::new().redirects(0).build();
        let (st, co) = (state.clone(), counters.clone());
        let handler: http_stub::Handler = Arc::new(move |req: &Request| {
            if req.path().starts_with("/services/data/") {
                let r = rest(req, &st, &co);
                if let (200, Some(m)) = (r.status, &mut st.lock().unwrap().replay) {
                    m.insert(req.target.clone(), copy_response(&r));
                }
                r
            } else if let Some(up) = &upstream {
                forward(&agent, up, req, &st)
            } else {
                Response::json(404, &serde_json::json!([{"errorCode": "NOT_FOUND"}]))
            }
        });
        SalesforceApi {
            server: Server::start(listener, handler),
            oauth,
            state,
            counters,
        }
    }

    /// The origin: the OAuth server's `login_url` and the token response's `instance_url`.
    pub fn base(&self) -> String {
        self.server.base()
    }

    /// Accepts `token` as an access token of user `user_id`.
    pub fn add_token(&self, token: &str, user_id: &str) {
        let mut s = self.state.lock().unwrap();
        s.tokens.insert(token.into(), user_id.into());
    }

    /// Every access token issued so far now gets 401 (a session that timed out).
    pub fn expire_tokens(&self) {
        let mut s = self.state.lock().unwrap();
        let all: Vec<String> = s.tokens.keys().cloned().collect();
        s.expired.extend(all);
    }

    /// The signed-in admin's "View All Users" (and "Manage Users"): without them, only
    /// visible users are returned and the permission query says so.
    pub fn set_view_all(&self, view_all: bool, manage_users: bool) {
        let mut s = self.state.lock().unwrap();
        s.view_all = view_all;
        s.manage_users = manage_users;
    }

    /// From now on every successful answer is kept, and a request for the same target is
    /// answered with the kept bytes (the bearer still checked): the second pull costs the
    /// server next to nothing, so its wall time is the client's own ceiling (`pull_bench`).
    pub fn replay(&self) {
        let mut s = self.state.lock().unwrap();
        s.replay.get_or_insert_with(HashMap::new);
    }

    /// Time the server spent answering (all connections).
    pub fn busy(&self) -> std::time::Duration {
        self.server.busy()
    }

    /// Every REST request (all paths under `/services/data/`, 401s included).
    pub fn rest_requests(&self) -> usize {
        self.counters.rest.load(Ordering::SeqCst)
    }
    /// Query pages answered for `FROM User` without an ID list (first pages and cursors).
    pub fn query_pages(&self) -> usize {
        self.counters.query_pages.load(Ordering::SeqCst)
    }
    /// `FROM User WHERE Id IN (…)` queries answered.
    pub fn id_queries(&self) -> usize {
        self.counters.id_queries.load(Ordering::SeqCst)
    }
    pub fn permission_queries(&self) -> usize {
        self.counters.permission_queries.load(Ordering::SeqCst)
    }
    /// Requests refused with 401.
    pub fn unauthorized(&self) -> usize {
        self.counters.unauthorized.load(Ordering::SeqCst)
    }
    /// The API versions requested (`v68.0`), in order.
    pub fn versions(&self) -> Vec<String> {
        self.state.lock().unwrap().versions.clone()
    }
    /// Every SOQL query received, in order.
    pub fn queries(&self) -> Vec<String> {
        self.state.lock().unwrap().queries.clone()
    }
    /// Every token and code the OAuth server issued (what must never leak).
    pub fn secrets(&self) -> Vec<String> {
        self.oauth.as_ref().map(|o| o.secrets()).unwrap_or_default()
    }
}

fn forward(agent: &ureq::Agent, upstream: &str, req: &Request, st: &Mutex<State>) -> Response {
    let url = format!("{upstream}{}", req.target);
    let mut r = agent.request(&req.method, &url);
    for h in ["content-type", "authorization", "accept"] {
        if let Some(v) = req.headers.get(h) {
            r = r.set(h, v);
        }
    }
    let result = if req.method == "POST" {
        r.send_bytes(&req.body)
    } else {
        r.call()
    };
    let resp = match result {
        Ok(r) | Err(ureq::Error::Status(_, r)) => r,
        Err(e) => {
            return Response {
                status: 502,
                headers: vec![],
                body: e.to_string().into_bytes(),
            }
        }
    };
    let status = resp.status();
    let mut headers = Vec::new();
    for name in resp.headers_names() {
        if matches!(
            name.as_str(),
            "content-type" | "location" | "cache-control" | "set-cookie"
        ) {
            for v in resp.all(&name) {
                headers.push((name.clone(), v.to_string()));
            }
        }
    }
    let mut body = Vec::new();
    let _ = std::io::Read::read_to_end(&mut resp.into_reader(), &mut body);
    if req.path() == "/services/oauth2/token" && status == 200 {
        // Learn the access token (and whose it is, from the identity URL's last segment).
        if let Ok(v) = serde_json::from_slice::<serde_json::Value>(&body) {
            if let (Some(at), Some(id)) = (v["access_token"].as_str(), v["id"].as_str()) {
                let user = id.rsplit('/').next().unwrap_or("").to_string();
                st.lock().unwrap().tokens.insert(at.to_string(), user);
            }
        }
    }
    Response {
        status,
        headers,
        body,
    }
}

fn sf_error(status: u16, code: &str, message: &str) -> Response {
    Response::json(
        status,
        &serde_json::json!([{ "message": message, "errorCode": code }]),
    )
}

fn record(u: &SfRecord, ver: &str) -> serde_json::Value {
    serde_json::json!({
        "attributes": { "type": "User", "url": format!("/services/data/{ver}/sobjects/User/{}", u.id) },
        "Id": u.id, "Name": u.name, "Username": u.username, "Email": u.email,
        "IsActive": u.active, "UserType": u.user_type, "FederationIdentifier": u.federation_id,
    })
}

fn rest(req: &Request, st: &Mutex<State>, co: &Counters) -> Response {
    co.rest.fetch_add(1, Ordering::SeqCst);
    if req.target.len() > MAX_TARGET {
        return sf_error(414, "URI_TOO_LONG", "The request URI is too long.");
    }
    let mut s = st.lock().unwrap();
    let bearer = req.bearer();
    if !s.tokens.contains_key(bearer) || s.expired.contains(bearer) {
        co.unauthorized.fetch_add(1, Ordering::SeqCst);
        return sf_error(401, "INVALID_SESSION_ID", "Session expired or invalid");
    }
    if req.method != "GET" {
        return sf_error(405, "METHOD_NOT_ALLOWED", "GET only here");
    }
    if let Some(kept) = s.replay.as_ref().and_then(|m| m.get(&req.target)) {
        return copy_response(kept);
    }
    let parts: Vec<&str> = req.path().split('/').collect();
    // ["", "services", "data", "v68.0", "query", (cursor)]
    let ver = parts.get(3).copied().unwrap_or("").to_string();
    if !ver.starts_with('v') || parts.get(4) != Some(&"query") {
        return sf_error(404, "NOT_FOUND", "The requested resource does not exist");
    }
    s.versions.push(ver.clone());
    if let Some(cursor) = parts.get(5) {
        let Some((rest, total)) = s.cursors.get(*cursor).cloned() else {
            return sf_error(400, "INVALID_QUERY_LOCATOR", "invalid query locator");
        };
        co.query_pages.fetch_add(1, Ordering::SeqCst);
        return page(
            &mut s,
            &ver,
            rest,
            total,
            cursor.split('-').next().unwrap_or(""),
        );
    }
    let q = req.query().get("q").cloned().unwrap_or_default();
    s.queries.push(q.clone());
    let upper = q.to_ascii_uppercase();
    if upper.contains("FROM USERPERMISSIONACCESS") {
        co.permission_queries.fetch_add(1, Ordering::SeqCst);
        return Response::json(
            200,
            &serde_json::json!({ "totalSize": 1, "done": true, "records": [{
                "attributes": { "type": "UserPermissionAccess" },
                "PermissionsViewAllUsers": s.view_all, "PermissionsManageUsers": s.manage_users,
            }]}),
        );
    }
    if !upper.contains(" FROM USER") {
        return sf_error(400, "INVALID_TYPE", "sObject type is not supported here");
    }
    let see_all = s.view_all || s.manage_users;
    let wanted: Vec<usize> = match upper.find("WHERE ID IN (") {
        Some(at) => {
            co.id_queries.fetch_add(1, Ordering::SeqCst);
            let list_end = q[at..].find(')').map_or(q.len(), |e| at + e);
            let ids = quoted_values(&q[at..list_end]);
            for id in &ids {
                if id.len() != 15 && id.len() != 18 {
                    return sf_error(
                        400,
                        "INVALID_QUERY_FILTER_OPERATOR",
                        &format!("invalid ID field: {id}"),
                    );
                }
            }
            let mut found: Vec<usize> = ids
                .iter()
                .filter_map(|id| {
                    let key = if id.len() == 15 {
                        to_18(id).to_lowercase()
                    } else {
                        id.to_lowercase()
                    };
                    s.by_id.get(&key).copied()
                })
                .collect();
            found.sort_unstable();
            found.dedup();
            found
        }
        None => {
            co.query_pages.fetch_add(1, Ordering::SeqCst);
            (0..s.users.len()).collect()
        }
    };
    let visible: Vec<usize> = wanted
        .into_iter()
        .filter(|&i| see_all || s.users[i].visible_without_view_all)
        .collect();
    let cursor = format!("01g{:012x}", http_stub::random() & 0xffff_ffff_ffff);
    let total = visible.len();
    page(&mut s, &ver, visible, total, &cursor)
}

fn page(s: &mut State, ver: &str, rows: Vec<usize>, total: usize, cursor: &str) -> Response {
    let (now, later) = rows.split_at(rows.len().min(BATCH));
    let records: Vec<serde_json::Value> = now.iter().map(|&i| record(&s.users[i], ver)).collect();
    let mut body =
        serde_json::json!({ "totalSize": total, "done": later.is_empty(), "records": records });
    if !later.is_empty() {
        let next = format!("{cursor}-{}", total - later.len());
        s.cursors.insert(next.clone(), (later.to_vec(), total));
        body["nextRecordsUrl"] = format!("/services/data/{ver}/query/{next}").into();
    }
    Response::json(200, &body)
}

/// The 18-character form of a 15-character ID (the case-safe suffix).
pub fn to_18(id15: &str) -> String {
    const ALPHA: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ012345";
    let b = id15.as_bytes();
    let mut out = id15.to_string();
    for chunk in 0..3 {
        let mut n = 0;
        for j in 0..5 {
            if b[chunk * 5 + j].is_ascii_uppercase() {
                n |= 1 << j;
            }
        }
        out.push(ALPHA[n] as char);
    }
    out
}

/// A valid 18-character User ID from a number (deterministic).
pub fn user_id(n: u64) -> String {
    const DIGITS: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    let mut tail = String::new();
    let mut v = n;
    for _ in 0..9 {
        tail.insert(0, DIGITS[(v % 62) as usize] as char);
        v /= 62;
    }
    to_18(&format!("005Hs00000{}", &tail[4..]))
}

//! `roster verify` and `roster pull` against the local Salesforce REST and Graph directory
//! stand-ins (tests/support/salesforce_api.rs, graph_directory.rs): findings, request counts,
//! paging, throttling, an expired token refreshed once.

mod support;

use scc_onboard::auth::AuthError;
use scc_onboard::usecase::directory_api::{
    AccessTokens, ApiError, FixedToken, GraphApi, RetryPolicy, SalesforceApi,
};
use scc_onboard::usecase::roster_verify::{self, VerifyRow};
use std::sync::Arc;
use std::time::Duration;
use support::graph_directory::{GraphDirectory, MsRecord, Throttle};
use support::salesforce_api::{user_id, SalesforceApi as SfServer, SfRecord};

const ADMIN_ID: &str = "0055e000001XyZaAAK";

/// An org of `n` users and a tenant with the same people (UPN = username, mail an alias).
fn directories(n: u64) -> (Vec<SfRecord>, Vec<MsRecord>) {
    let mut sf = Vec::new();
    let mut ms = Vec::new();
    for i in 0..n {
        let login = format!("user{i}@acme.example");
        sf.push(SfRecord::new(&user_id(i), &format!("User {i}"), &login, &login));
        let mut m = MsRecord::new(i, &login, &format!("User {i}"));
        m.mail = Some(format!("u{i}@acme.example"));
        m.proxy_addresses = vec![format!("SMTP:u{i}@acme.example"), format!("smtp:{login}")];
        ms.push(m);
    }
    (sf, ms)
}

fn rows(n: u64) -> Vec<VerifyRow> {
    (0..n)
        .map(|i| VerifyRow {
            row: i as usize,
            line: i + 2,
            sf_login: format!("user{i}@acme.example"),
            sf_id: user_id(i),
            o365_login: format!("user{i}@acme.example"),
            o365_email: format!("u{i}@acme.example"),
        })
        .collect()
}

fn fast_retry() -> RetryPolicy {
    RetryPolicy {
        max_retries: 4,
        backoff: Duration::from_millis(50),
        max_wait: Duration::from_secs(5),
    }
}

fn apis(sf: &SfServer, ms: &GraphDirectory) -> (SalesforceApi, GraphApi) {
    sf.add_token("sf-admin-token", ADMIN_ID);
    ms.add_token("ms-admin-token");
    (
        SalesforceApi::new(&sf.base(), "v68.0", Box::new(FixedToken("sf-admin-token".into()))),
        GraphApi::new(&ms.base(), Box::new(FixedToken("ms-admin-token".into())), fast_retry()),
    )
}

#[test]
fn ten_thousand_rows_take_tens_of_requests_and_every_planted_problem_is_found() {
    let (mut sf_users, mut ms_users) = directories(10_000);
    sf_users[10].active = false;
    sf_users[20].username = "someone.else@acme.example".into();
    sf_users.remove(30); // row 30's ID no longer exists
    ms_users[40].enabled = false;
    ms_users.retain(|m| m.upn != "user50@acme.example");
    let sf = SfServer::start(sf_users);
    let ms = GraphDirectory::start(ms_users, None);
    let (mut sf_api, mut graph) = apis(&sf, &ms);
    let mut rows = rows(10_000);
    rows[60].o365_email = "not.hers@acme.example".into();
    // Another object's ID: said without asking Salesforce.
    rows[70].sf_id = "0035e000001XyZaAAK".into();
    // A 15-character ID of an existing user is the same user.
    rows[80].sf_id = user_id(80)[..15].to_string();
    // The alias in proxyAddresses is one of the account's addresses.
    rows[90].o365_email = "USER90@acme.example".into();
    let mut pages = 0;
    let report = roster_verify::verify(&rows, &mut sf_api, &mut graph, &mut |_| pages += 1).unwrap();
    let got: Vec<(usize, &str)> = report
        .findings
        .iter()
        .map(|f| (f.row, f.finding.code.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            (10, "sf-user-inactive"),
            (20, "sf-id-other-username"),
            (30, "sf-id-not-found"),
            (40, "o365-account-disabled"),
            (50, "o365-login-not-found"),
            (60, "o365-email-not-address"),
            (70, "sf-id-not-user"),
        ]
    );
    // Salesforce: one permission query + ID lists under the URL limit (about 580 a query).
    assert_eq!(sf.permission_queries(), 1);
    assert!(sf.id_queries() <= 20, "{} ID queries", sf.id_queries());
    assert_eq!(sf.rest_requests(), sf.id_queries() + 1);
    // Graph: 15 logins a filter, 20 filters a $batch: 10,000 logins in 34 requests.
    assert_eq!(ms.requests(), 34);
    assert_eq!(ms.batches(), 34);
    assert_eq!(report.salesforce_requests, sf.rest_requests());
    assert_eq!(report.graph_requests, ms.requests());
    assert!(pages >= 2);
}

#[test]
fn a_partial_salesforce_view_is_reported() {
    let (mut sf_users, ms_users) = directories(5);
    sf_users[3].visible_without_view_all = false;
    let sf = SfServer::start(sf_users);
    sf.set_view_all(false, false);
    let ms = GraphDirectory::start(ms_users, None);
    let (mut sf_api, mut graph) = apis(&sf, &ms);
    let report = roster_verify::verify(&rows(5), &mut sf_api, &mut graph, &mut |_| {}).unwrap();
    assert!(!report.permissions.sees_everyone());
    assert_eq!(report.findings.len(), 1);
    assert_eq!(report.findings[0].row, 3);
    assert!(report.findings[0].finding.message.contains("View All Users"));
}

#[test]
fn throttled_batches_wait_for_retry_after_and_finish() {
    let (sf_users, ms_users) = directories(400);
    let sf = SfServer::start(sf_users);
    let ms = GraphDirectory::start(ms_users, None);
    let (mut sf_api, mut graph) = apis(&sf, &ms);
    ms.throttle_next(1, Throttle { status: 429, retry_after: Some(1) });
    ms.throttle_next(1, Throttle { status: 503, retry_after: None });
    let report = roster_verify::verify(&rows(400), &mut sf_api, &mut graph, &mut |_| {}).unwrap();
    assert!(report.findings.is_empty(), "{:?}", report.findings);
    assert_eq!(ms.throttled(), 2);
    // Two batches of work, plus the two refused attempts.
    assert_eq!(ms.requests(), 4);
}

/// Tokens that the servers accept, and a refresh that mints a new one (as a renewal would).
struct Renewing {
    server: Arc<GraphDirectory>,
    n: usize,
}

impl AccessTokens for Renewing {
    fn token(&mut self) -> Result<String, AuthError> {
        Ok(format!("graph-{}", self.n))
    }
    fn refresh(&mut self) -> Result<String, AuthError> {
        self.n += 1;
        let t = format!("graph-{}", self.n);
        self.server.add_token(&t);
        Ok(t)
    }
}

#[test]
fn an_expired_token_is_refreshed_once_and_a_dead_one_is_an_error() {
    let (_, ms_users) = directories(2_500);
    let ms = Arc::new(GraphDirectory::start(ms_users, None));
    ms.add_token("graph-0");
    ms.expire_tokens();
    let mut graph = GraphApi::new(
        &ms.base(),
        Box::new(Renewing { server: ms.clone(), n: 0 }),
        fast_retry(),
    );
    let users = graph
        .list("users?$select=id,userPrincipalName&$top=999", &mut |_| {})
        .unwrap();
    assert_eq!(users.len(), 2_500);
    assert_eq!(ms.unauthorized(), 1);
    assert_eq!(ms.pages(), 3);
    assert_eq!(ms.page_sizes(), [999, 999, 999]);

    // A token that cannot be refreshed: one 401, then the error says so.
    let mut dead = GraphApi::new(&ms.base(), Box::new(FixedToken("graph-0".into())), fast_retry());
    let e = dead.list("users?$top=999", &mut |_| {}).unwrap_err();
    assert!(matches!(e, ApiError::Auth(..)), "{e}");
}

#[test]
fn salesforce_queries_page_at_two_thousand_with_next_records_url() {
    let (sf_users, _) = directories(4_500);
    let sf = SfServer::start(sf_users);
    sf.add_token("t", ADMIN_ID);
    let mut api = SalesforceApi::new(&sf.base(), "v68.0", Box::new(FixedToken("t".into())));
    let mut seen = Vec::new();
    let records = api
        .query(
            "SELECT Id, Name, Username, Email, IsActive, UserType, FederationIdentifier FROM User",
            &mut |n, total| seen.push((n, total)),
        )
        .unwrap();
    assert_eq!(records.len(), 4_500);
    assert_eq!(seen, [(2000, 4500), (4000, 4500), (4500, 4500)]);
    assert_eq!(sf.query_pages(), 3);
    assert_eq!(sf.versions(), ["v68.0", "v68.0", "v68.0"]);
    // An expired session: 401 INVALID_SESSION_ID, and a fixed token cannot recover.
    sf.expire_tokens();
    let e = api.permissions().unwrap_err();
    assert!(matches!(e, ApiError::Auth(..)), "{e}");
    assert_eq!(sf.unauthorized(), 1);
}

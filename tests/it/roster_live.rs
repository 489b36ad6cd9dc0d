//! `roster verify` and `roster pull` against the local Salesforce REST and Graph directory
//! stand-ins (tests/support/salesforce_api.rs, graph_directory.rs): findings, request counts,
//! paging, throttling, an expired token refreshed once.

use crate::support;
use crate::support::wizard;

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
        sf.push(SfRecord::new(
            &user_id(i),
            &format!("User {i}"),
            &login,
            &login,
        ));
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
        SalesforceApi::new(
            &sf.base(),
            "v68.0",
            Box::new(FixedToken("sf-admin-token".into())),
        ),
        GraphApi::new(
            &ms.base(),
            Box::new(FixedToken("ms-admin-token".into())),
            fast_retry(),
        ),
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
    let report =
        roster_verify::verify(&rows, &mut sf_api, &mut graph, &mut |_| pages += 1).unwrap();
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
    assert!(report.findings[0]
        .finding
        .message
        .contains("View All Users"));
}

#[test]
fn throttled_batches_wait_for_retry_after_and_finish() {
    let (sf_users, ms_users) = directories(400);
    let sf = SfServer::start(sf_users);
    let ms = GraphDirectory::start(ms_users, None);
    let (mut sf_api, mut graph) = apis(&sf, &ms);
    ms.throttle_next(
        1,
        Throttle {
            status: 429,
            retry_after: Some(1),
        },
    );
    ms.throttle_next(
        1,
        Throttle {
            status: 503,
            retry_after: None,
        },
    );
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
        Box::new(Renewing {
            server: ms.clone(),
            n: 0,
        }),
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
    let mut dead = GraphApi::new(
        &ms.base(),
        Box::new(FixedToken("graph-0".into())),
        fast_retry(),
    );
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

/// The wizard's `v` on Fix: the rows go to the runtime, the real verification runs against
/// the stand-ins, and the findings show in the row's details until the row is edited.
#[test]
fn wizard_v_shows_live_findings_with_the_rows_own() {
    use crossterm::event::KeyCode;
    use scc_onboard::tui::{update, Effect, Msg, VerifyMsg};
    use wizard::{draw, go_to_line, key, loaded, press, text};
    let (sf_users, mut ms_users) = directories(3);
    ms_users[1].enabled = false;
    let sf = SfServer::start(sf_users);
    let ms = GraphDirectory::start(ms_users, None);
    let (mut sf_api, mut graph) = apis(&sf, &ms);
    let mut csv = String::from(
        "Full name,Salesforce login,Salesforce user ID,Office 365 login,Office 365 email address\n",
    );
    for r in rows(3) {
        csv.push_str(&format!(
            "User {},{},{},{},{}\n",
            r.row, r.sf_login, r.sf_id, r.o365_login, r.o365_email
        ));
    }
    let mut state = loaded(&csv, (120, 36));
    assert_eq!(state.step, scc_onboard::session::Step::Fix);
    let fx = press(&mut state, key(KeyCode::Char('v')));
    let rows = fx
        .iter()
        .find_map(|e| match e {
            Effect::Verify { rows } => Some(rows.clone()),
            _ => None,
        })
        .expect("v asks the runtime to verify");
    assert_eq!(rows.len(), 3);
    assert!(
        press(&mut state, key(KeyCode::Char('v'))).is_empty(),
        "one at a time"
    );
    let report = roster_verify::verify(&rows, &mut sf_api, &mut graph, &mut |_| {}).unwrap();
    update(&mut state, Msg::Verify(VerifyMsg::Done(Ok(report))));
    go_to_line(&mut state, 3);
    let screen = text(&draw(&state, 120, 36));
    assert!(screen.contains("o365-account-disabled"), "{screen}");
    assert!(screen.contains("1 finding(s) on 1 row(s)"), "{screen}");
    // Line 2 verified clean: nothing from verify there.
    go_to_line(&mut state, 2);
    assert!(!text(&draw(&state, 120, 36)).contains("o365-account-disabled"));
    // Edit line 3's login: the verification no longer speaks for it.
    go_to_line(&mut state, 3);
    wizard::go_to_col(&mut state, 3);
    press(&mut state, key(KeyCode::Enter));
    wizard::type_keys(&mut state, "x");
    press(&mut state, key(KeyCode::Enter));
    assert!(!text(&draw(&state, 120, 36)).contains("o365-account-disabled"));
}

/// CPU time of the whole process, ended threads included (Linux `/proc/self/stat`: utime +
/// stime, in clock ticks of 10 ms); `None` elsewhere.
fn process_cpu() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let after = &stat[stat.rfind(')')? + 2..];
    let f: Vec<u64> = after
        .split_whitespace()
        .skip(11)
        .take(2)
        .filter_map(|v| v.parse().ok())
        .collect();
    Some(Duration::from_millis(10 * (f.first()? + f.get(1)?)))
}

/// Pulling 100,000 Salesforce users and 300,000 Microsoft 365 accounts from the local
/// servers, and where the time goes. Run it in release:
/// `cargo test --release --test it roster_live:: -- --ignored --nocapture pull_bench`
/// (`PULL_BENCH_SF` / `PULL_BENCH_MS` change the sizes).
///
/// **Method.** Two pulls of the same directories in one process:
/// 1. *live*: the stand-ins render every page as they are asked (serde_json values built and
///    serialised per page, as a server would);
/// 2. *replayed*: the stand-ins answer the same requests with the bytes they kept from pull 1
///    (`replay()`), so the servers cost next to nothing and the wall time is our own ceiling
///    (HTTP, JSON parsing, conversion).
///
/// For each it prints the wall time, the CPU time of our two reading threads
/// (`roster_pull::thread_cpu_time`, from `/proc/thread-self/schedstat`), and the process's CPU
/// time (`/proc/self/stat`) minus ours: the servers' share. A pull bound by the servers shows
/// our threads' CPU well under the wall time in pull 1, and pull 2 much faster than pull 1.
/// Debug build, load 6.8: live 56.5 s wall, our CPU 6.9 s, the servers' 17.0 s; replayed
/// 13.1 s wall, our CPU 7.3 s (more in `docs/performance.md`, issue 12's section).
#[test]
#[ignore = "benchmark; run in release with --ignored --nocapture"]
fn pull_bench() {
    use scc_onboard::directory::{join, JoinOptions};
    use scc_onboard::usecase::roster_pull;
    use std::time::Instant;
    let size = |k: &str, d: u64| {
        std::env::var(k)
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(d)
    };
    let (n_sf, n_ms) = (
        size("PULL_BENCH_SF", 100_000),
        size("PULL_BENCH_MS", 300_000),
    );
    let (sf_users, _) = directories(n_sf);
    let ms_users: Vec<MsRecord> = (0..n_ms)
        .map(|i| {
            let login = format!("user{i}@acme.example");
            let mut m = MsRecord::new(i, &login, &format!("User {i}"));
            m.mail = Some(format!("u{i}@acme.example"));
            m.proxy_addresses = vec![format!("SMTP:u{i}@acme.example"), format!("smtp:{login}")];
            m
        })
        .collect();
    let sf = SfServer::start(sf_users);
    let ms = GraphDirectory::start(ms_users, None);
    sf.replay();
    ms.replay();
    let secs = |d: Option<Duration>| d.map_or(f64::NAN, |d| d.as_secs_f64());
    for run in ["live", "replayed"] {
        let (busy_sf, busy_ms) = (sf.busy(), ms.busy());
        let (mut sf_api, mut graph) = apis(&sf, &ms);
        let cpu0 = process_cpu();
        let t = Instant::now();
        let pulled = roster_pull::pull(&mut sf_api, &mut graph, &|_| {}).unwrap();
        let wall = t.elapsed();
        let cpu = process_cpu().zip(cpu0).map(|(b, a)| b.saturating_sub(a));
        let ours = pulled
            .salesforce_cpu
            .zip(pulled.microsoft_cpu)
            .map(|(a, b)| a + b);
        let servers = cpu.zip(ours).map(|(c, o)| c.saturating_sub(o));
        let j = Instant::now();
        let outcome = join(
            &pulled.salesforce,
            &pulled.microsoft,
            &JoinOptions::default(),
        );
        let join_time = j.elapsed();
        assert_eq!(pulled.salesforce.len() as u64, n_sf);
        assert_eq!(pulled.microsoft.len() as u64, n_ms);
        assert_eq!(outcome.matched.len() as u64, n_sf.min(n_ms));
        println!(
            "{run} pull {n_sf} + {n_ms}: wall {:.2} s (Salesforce {:.2} s in {} requests, Graph {:.2} s in {} requests)\n\
             \x20 our threads' CPU: Salesforce {:.2} s, Graph {:.2} s (JSON parse {:.2} s + conversion {:.2} s of it)\n\
             \x20 servers: CPU {:.2} s (process minus ours); answering (wall) Salesforce {:.2} s, Graph {:.2} s\n\
             \x20 join {:.3} s; load average {}",
            wall.as_secs_f64(),
            pulled.salesforce_time.as_secs_f64(),
            pulled.salesforce_requests,
            pulled.microsoft_time.as_secs_f64(),
            pulled.graph_requests,
            secs(pulled.salesforce_cpu),
            secs(pulled.microsoft_cpu),
            pulled.parse_time.as_secs_f64(),
            pulled.convert_time.as_secs_f64(),
            secs(servers),
            (sf.busy() - busy_sf).as_secs_f64(),
            (ms.busy() - busy_ms).as_secs_f64(),
            join_time.as_secs_f64(),
            std::fs::read_to_string("/proc/loadavg")
                .unwrap_or_default()
                .split_whitespace()
                .next()
                .unwrap_or("?"),
        );
    }
}

/// The commands end to end as an admin runs them: real binary, browser stand-in, the OAuth
/// stand-ins, the real keyring (run inside scripts/test-in-session.sh).
#[cfg(target_os = "linux")]
mod e2e {
    use super::*;
    use scc_onboard::auth::Provider;
    use support::*;

    /// The people of both stand-ins: a few matched, one only in Salesforce, one disabled.
    fn people() -> (Vec<SfRecord>, Vec<MsRecord>) {
        let (mut sf, mut ms) = directories(30);
        // Jane, the admin who signs in, is a user too.
        sf.push(SfRecord::new(
            ADMIN_ID,
            "Jane Admin",
            "jane@example.com",
            "jane@example.com",
        ));
        ms.push(MsRecord::new(99, "jane@example.com", "Jane Admin"));
        sf.push(SfRecord::new(
            &user_id(500),
            "Only Salesforce",
            "only.sf@acme.example",
            "only.sf@acme.example",
        ));
        ms[3].enabled = false;
        (sf, ms)
    }

    #[test]
    fn pull_then_verify_with_admin_sign_ins_in_the_keyring() {
        let _k = keyring_lock();
        wizard::clear_admin_sign_ins();
        let (sf_people, ms_people) = people();
        let stand_ins = wizard::PullStandIns::start(sf_people, ms_people);
        let (sf, graph) = (&stand_ins.salesforce, &stand_ins.graph);
        let sb = Sandbox::new(&stand_ins.config);
        let roster = sb.dir.path().join("home/roster.csv");
        let out = sb.run(&["roster", "pull", "-o", roster.to_str().unwrap()]);
        let err = stderr(&out);
        assert_eq!(
            out.status.code(),
            Some(1),
            "people only in Salesforce: {err}"
        );
        assert!(err.contains("Administrator sign-in to Salesforce"), "{err}");
        assert!(
            err.contains("Salesforce: 32 of 32 users"),
            "a progress line per page: {err}"
        );
        assert!(err.contains("Microsoft Graph: 31 users"), "{err}");
        let text = stdout(&out);
        // User 3's account is disabled (skipped), so user 3 is only in Salesforce, with one more.
        assert!(
            text.contains(
                "30 matched, 0 ambiguous, 2 only in Salesforce, 0 only in Microsoft 365, 1 skipped"
            ),
            "the same report as roster join: {text}"
        );
        assert!(text.contains("Only in Salesforce"), "{text}");
        assert!(
            err.contains("Pulled 32 Salesforce users (2 requests"),
            "{err}"
        );
        let csv = std::fs::read_to_string(&roster).unwrap();
        assert_eq!(csv.lines().count(), 31, "header + 30 matched:\n{csv}");
        assert!(csv.contains(&user_id(7)), "{csv}");
        assert!(!csv.contains("only.sf@acme.example"));
        // The permission query and the query's pages went to the token's instance_url, which
        // is the OAuth server's own origin.
        assert_eq!(sf.permission_queries(), 1);
        assert_eq!(sf.versions()[0], "v68.0");

        // Both admin sign-ins are in the keyring, apart from end users'.
        let s = token_store("secret-service");
        assert_eq!(s.list_admin(Provider::Salesforce).unwrap().len(), 1);
        assert_eq!(s.list_admin(Provider::Exchange).unwrap().len(), 1);
        assert!(s.list_provider(Provider::Salesforce).unwrap().is_empty());
        let list = sb.run(&["credentials", "list"]);
        let table = stdout(&list);
        assert!(
            table.contains("Administrator sign-ins (roster pull, roster verify):"),
            "{table}"
        );
        assert!(table.contains("No end-user authorizations."), "{table}");

        // Verify the pulled roster with the stored admin sign-ins (renewed: no browser this
        // time; the pull's access tokens, now expired, are not used).
        graph.expire_tokens();
        sb.keep_text(csv.clone());
        let out = sb.run(&["roster", "verify", roster.to_str().unwrap(), "--json"]);
        let err = stderr(&out);
        assert!(!err.contains("open this URL"), "no new sign-in: {err}");
        let report: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
        // Row 3's account is disabled; the join skipped it, so it is not in the roster.
        assert_eq!(out.status.code(), Some(0), "{err}\n{report}");
        assert_eq!(report["rows"], 30);
        assert_eq!(report["findings"].as_array().unwrap().len(), 0);
        assert_eq!(graph.unauthorized(), 0);

        // A roster with a problem: exit 1 and the code in the text report.
        let bad = sb.dir.path().join("home/bad.csv");
        std::fs::write(&bad, csv.replace("u5@acme.example", "someone@acme.example")).unwrap();
        let out = sb.run(&["roster", "verify", bad.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
        let text = stdout(&out);
        assert!(text.contains("[o365-email-not-address]"), "{text}");
        assert!(text.contains("1 finding(s) on 1 row(s)"), "{text}");

        let secrets = stand_ins.secrets();
        let files = sb.assert_no_leaks(&secrets, &[]);
        assert!(files >= 2);
        wizard::clear_admin_sign_ins();
    }
}

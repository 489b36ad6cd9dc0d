//! Benchmark: `exchange check` over N mailboxes (default 1,000) at the default concurrency,
//! against local stand-ins started in this process: the token + Graph server
//! (tests/support/graph.rs) for `app_only` over Graph, or the EWS server (tests/support/ews.rs)
//! for `impersonation` over NTLM. Target: under 10 s wall on a 2-core machine.
//!
//! `cargo run --release --example exchange_check_bench [-- N [CONCURRENCY [graph|ews]]]`

#[path = "../tests/support/ews.rs"]
mod ews;
#[path = "../tests/support/graph.rs"]
mod graph;
#[path = "../tests/support/http_stub.rs"]
mod http_stub;

use ews::{EwsBehaviour, EwsServer, EwsSetup, Offer};
use graph::{Behaviour, GraphServer, GraphSetup};
use scc_onboard::auth::config::{Config, DEFAULTS_TOML};
use scc_onboard::customize::Api;
use scc_onboard::usecase::exchange_check::{
    check, CheckOptions, CheckPlan, Credential, Mailbox, Password, DEFAULT_CONCURRENCY,
};
use std::time::{Duration, Instant};

fn main() {
    let mut args = std::env::args().skip(1);
    let n: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(1000);
    let concurrency: usize = args
        .next()
        .and_then(|a| a.parse().ok())
        .unwrap_or(DEFAULT_CONCURRENCY);
    let ews = args.next().as_deref() == Some("ews");
    let mailboxes: Vec<Mailbox> = (0..n)
        .map(|i| Mailbox::new(format!("user{i}@contoso.com"), i as u64 + 2))
        .collect();
    let options = CheckOptions {
        concurrency,
        ..CheckOptions::default()
    };
    if ews {
        let server = EwsServer::start(EwsSetup {
            offers: vec![Offer::Ntlm],
            user: "svc-scc".into(),
            domain: "CONTOSO".into(),
            password: "bench-password".into(),
            bearer: None,
            mailboxes: mailboxes
                .iter()
                .map(|m| (m.address.clone(), EwsBehaviour::Allowed))
                .collect(),
        });
        let plan = CheckPlan::Impersonation {
            ews_url: server.url(),
            account: "CONTOSO\\svc-scc".into(),
        };
        let credential = Credential::Password(Password::new("bench-password".into()));
        let config = Config::default().microsoft;
        let started = Instant::now();
        let report =
            check(&plan, &config, &mailboxes, &credential, &options, |_| {}).expect("check ran");
        let wall = started.elapsed();
        assert!(report.all_ok(), "every mailbox is allowed by the stand-in");
        println!(
            "{n} mailboxes (impersonation, EWS GetFolder, {} NTLM sign-ins) at concurrency {concurrency}: {:.2} s wall ({:.0} mailboxes/s), max {} in flight",
            server.ntlm_sign_ins(),
            wall.as_secs_f64(),
            n as f64 / wall.as_secs_f64(),
            server.max_in_flight()
        );
        return;
    }
    let server = GraphServer::start(GraphSetup {
        tenant: "contoso.onmicrosoft.com".into(),
        client_id: "bench-client".into(),
        secret: "bench-secret".into(),
        mailboxes: mailboxes
            .iter()
            .map(|m| (m.upn.clone(), Behaviour::Allowed))
            .collect(),
        delay: Duration::ZERO,
    });
    let config = Config::from_layers(&[
        ("defaults", DEFAULTS_TOML),
        ("bench.toml", &server.config_toml("auto")),
    ])
    .expect("bench config");
    let plan = CheckPlan::AppOnly {
        api: Api::Graph,
        ews_url: String::new(),
    };
    let secret = Credential::ClientSecret(oauth2::ClientSecret::new("bench-secret".into()));
    let started = Instant::now();
    let report = check(
        &plan,
        &config.microsoft,
        &mailboxes,
        &secret,
        &options,
        |_| {},
    )
    .expect("check ran");
    let wall = started.elapsed();
    assert!(report.all_ok(), "every mailbox is allowed by the stand-in");
    println!(
        "{n} mailboxes ({} Graph requests) at concurrency {concurrency}: {:.2} s wall ({:.0} mailboxes/s), max {} in flight",
        server.graph_requests(),
        wall.as_secs_f64(),
        n as f64 / wall.as_secs_f64(),
        server.max_in_flight()
    );
}

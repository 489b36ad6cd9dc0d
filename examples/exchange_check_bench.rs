//! Benchmark: `exchange check` over N mailboxes (default 1,000) against the local token +
//! Graph stand-in (tests/support/graph.rs, started in this process), at the default
//! concurrency. Target: under 10 s wall on a 2-core machine.
//!
//! `cargo run --release --example exchange_check_bench [-- N [CONCURRENCY]]`

#[path = "../tests/support/graph.rs"]
mod graph;

use graph::{Behaviour, GraphServer, GraphSetup};
use scc_onboard::auth::config::{Config, DEFAULTS_TOML};
use scc_onboard::customize::Api;
use scc_onboard::usecase::exchange_check::{
    check, CheckOptions, CheckPlan, Credential, Mailbox, DEFAULT_CONCURRENCY,
};
use std::time::{Duration, Instant};

fn main() {
    let mut args = std::env::args().skip(1);
    let n: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(1000);
    let concurrency: usize = args
        .next()
        .and_then(|a| a.parse().ok())
        .unwrap_or(DEFAULT_CONCURRENCY);
    let mailboxes: Vec<Mailbox> = (0..n)
        .map(|i| Mailbox::new(format!("user{i}@contoso.com"), i as u64 + 2))
        .collect();
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
    let options = CheckOptions {
        concurrency,
        ..CheckOptions::default()
    };
    let started = Instant::now();
    let plan = CheckPlan::AppOnly {
        api: Api::Graph,
        ews_url: String::new(),
    };
    let secret = Credential::ClientSecret(oauth2::ClientSecret::new("bench-secret".into()));
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

//! Match review figures: what a keypress costs on the screen thread at the issue's size.
//!
//! ```text
//! cargo run --release --example match_review_bench -- [--salesforce 100000]
//!     [--microsoft 300000] [--seed 1] [--choices 2000]
//! ```
//! Generates a pair (`directory::synth`), joins it, and records choices one at a time as the
//! admin would on Match review (choose a candidate for an ambiguous person, pick an account for
//! someone only in Salesforce, leave a matched person out). Per choice it times the review's
//! refresh two ways: building the whole review again ([`MatchReview::new`], what every choice
//! cost before) and [`MatchReview::reapply`] (what the wizard does now), checks both give the
//! same review, and prints the median and worst of each, then what a frame asks of the review
//! (tab counts, the section's people) and one account search over every account.

use scc_onboard::directory::synth::{self, PairOptions};
use scc_onboard::directory::{join, JoinOptions};
use scc_onboard::session::MatchChoice;
use scc_onboard::usecase::match_review::{search_microsoft, MatchReview, Section};
use std::time::{Duration, Instant};

fn arg(args: &[String], name: &str, default: usize) -> usize {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .map_or(default, |v| v.parse().expect("a number"))
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// Median and worst, in milliseconds.
fn summary(mut v: Vec<Duration>) -> (f64, f64) {
    v.sort();
    (ms(v[v.len() / 2]), ms(*v.last().expect("a time")))
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let n_sf = arg(&args, "--salesforce", 100_000);
    let n_ms = arg(&args, "--microsoft", 300_000);
    let seed = arg(&args, "--seed", 1) as u64;
    let want_choices = arg(&args, "--choices", 2_000);
    let pair = synth::generate(&PairOptions {
        salesforce: n_sf,
        microsoft: n_ms,
        seed,
    });
    let (sf, msu) = (&pair.salesforce, &pair.microsoft);
    let outcome = join(sf, msu, &JoinOptions::default());
    println!(
        "{n_sf} Salesforce users × {n_ms} Microsoft accounts: {} matched, {} ambiguous, {} only in Salesforce",
        outcome.matched.len(),
        outcome.ambiguous.len(),
        outcome.only_salesforce.len()
    );

    // The admin's choices, interleaved over the three kinds, as they would come.
    let mut pool: Vec<MatchChoice> = Vec::new();
    let mut free = outcome.only_microsoft.iter();
    let (mut a, mut o, mut m) = (
        outcome.ambiguous.iter(),
        outcome.only_salesforce.iter(),
        outcome.matched.iter(),
    );
    while pool.len() < want_choices {
        let before = pool.len();
        if let Some(x) = a.next() {
            pool.push(MatchChoice::Choose {
                salesforce_id: sf[x.salesforce].id.clone(),
                microsoft_id: msu[x.candidates[0].0].id.clone(),
            });
        }
        if let (Some(&s), Some(&acc)) = (o.next(), free.next()) {
            pool.push(MatchChoice::Pick {
                salesforce_id: sf[s].id.clone(),
                microsoft_id: msu[acc].id.clone(),
            });
        }
        if let Some(x) = m.next() {
            pool.push(MatchChoice::LeaveOut {
                salesforce_id: sf[x.salesforce].id.clone(),
            });
        }
        if pool.len() == before {
            break;
        }
    }
    pool.truncate(want_choices);

    let t = Instant::now();
    let mut review = MatchReview::new(sf, msu, &outcome, &[]);
    println!(
        "review built once (entering Match review): {:.1} ms",
        ms(t.elapsed())
    );
    let (mut full, mut incremental) = (Vec::new(), Vec::new());
    // Every choice is timed incrementally; the full rebuild (slow) at up to 40 points.
    let every = (pool.len() / 40).max(1);
    for k in 1..=pool.len() {
        let choices = &pool[..k];
        let t = Instant::now();
        review.reapply(msu, choices);
        incremental.push(t.elapsed());
        if k % every == 0 || k == pool.len() {
            let t = Instant::now();
            let fresh = MatchReview::new(sf, msu, &outcome, choices);
            full.push(t.elapsed());
            assert_eq!(
                fresh.people, review.people,
                "reapply differs after {k} choices"
            );
            assert_eq!(fresh.stale, review.stale);
            assert_eq!(fresh.counts(), review.counts());
        }
    }
    let (fm, fw) = summary(full);
    let (im, iw) = summary(incremental);
    println!(
        "refresh after a choice, {} choices recorded one by one:",
        pool.len()
    );
    println!("  whole review again (before): median {fm:>8.2} ms, worst {fw:>8.2} ms");
    println!("  reapply (now):                median {im:>8.3} ms, worst {iw:>8.3} ms");

    let t = Instant::now();
    let mut n = 0;
    for s in Section::ALL {
        n += review.section(s).len() + review.to_decide(s);
    }
    n += review.counts().joined;
    println!(
        "a frame's questions (tab counts, section lists): {:.3} ms ({n})",
        ms(t.elapsed())
    );
    let t = Instant::now();
    let hits = search_microsoft(msu, |m| review.unavailable(m), "user 9", 50);
    println!(
        "one account search over {n_ms} accounts: {:.1} ms ({} shown)",
        ms(t.elapsed()),
        hits.len()
    );
}

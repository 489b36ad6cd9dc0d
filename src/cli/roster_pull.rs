//! `scc-onboard roster pull -o ROSTER.csv`: both directories read live with an administrator's
//! sign-in (`usecase::roster_pull`), joined by `directory::join`, the roster of the matched
//! people written as `roster join` writes it. Progress (one line per page) on stderr.
//!
//! Exit codes: 0 every Salesforce user taking part was matched, 1 some were not (the roster
//! is still written) or a directory could not be read or signed in to, 2 unusable
//! configuration or output path.

use super::roster_verify::{progress, when_missing};
use super::{EXIT_PROBLEMS, EXIT_USAGE};
use crate::auth::{self, Config};
use crate::directory::{self, JoinOptions, JoinOutcome};
use crate::roster::export::{write_csv, CsvOptions};
use crate::usecase::admin;
use crate::usecase::directory_api::{ApiError, RetryPolicy};
use crate::usecase::roster_pull::{self as usecase, PullProgress, Pulled};
use clap::Args;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `roster pull`.
#[derive(Args, Debug)]
pub struct PullArgs {
    /// The roster to write: the matched people, in the five vendor columns.
    #[arg(short, long)]
    pub output: PathBuf,
    /// Provider configuration file (salesforce.*, microsoft.*, microsoft.graph_url,
    /// salesforce.api_version).
    #[arg(long, value_name = "FILE", env = auth::config::CONFIG_ENV)]
    pub config: Option<PathBuf>,
    /// Print one JSON document instead of the text report.
    #[arg(long)]
    pub json: bool,
    /// If the administrator must sign in, use the device flow.
    #[arg(long)]
    pub device: bool,
    /// Also join inactive and non-standard Salesforce users and disabled or guest Microsoft
    /// 365 accounts (skipped by default).
    #[arg(long)]
    pub include_inactive: bool,
    /// The Salesforce administrator (when several admin sign-ins are stored).
    #[arg(long, value_name = "USERNAME")]
    pub salesforce_admin: Option<String>,
    /// The Microsoft 365 administrator (when several admin sign-ins are stored).
    #[arg(long, value_name = "UPN")]
    pub microsoft_admin: Option<String>,
}

fn usage(msg: impl std::fmt::Display) -> ExitCode {
    eprintln!("scc-onboard: {msg}");
    ExitCode::from(EXIT_USAGE)
}

/// The one place a failed pull becomes an exit code.
pub fn exit_code(e: &ApiError) -> u8 {
    match e {
        ApiError::Auth(_, a) => super::authorize::exit_code(a),
        _ => EXIT_PROBLEMS,
    }
}

/// Runs `roster pull`.
pub fn run(args: PullArgs) -> ExitCode {
    let config = match Config::load(args.config.as_deref()) {
        Ok(c) => c,
        Err(e) => return usage(e),
    };
    if let Some(dir) = args.output.parent().filter(|d| !d.as_os_str().is_empty()) {
        if !dir.is_dir() {
            return usage(format!(
                "cannot write {}: folder {} does not exist",
                args.output.display(),
                dir.display()
            ));
        }
    }
    let store = match crate::usecase::authorize::open_store(&config) {
        Ok(s) => s,
        Err(e) => return super::authorize::fail(None, &e),
    };
    if let Some(n) = store.notice() {
        eprintln!("scc-onboard: note: {n}");
    }
    let pulled = admin::connect(
        &config,
        &store,
        (args.salesforce_admin.as_deref(), args.microsoft_admin.as_deref()),
        &when_missing(args.device),
        &progress,
        RetryPolicy::default(),
    )
    .and_then(|mut apis| {
        eprintln!(
            "Pulling users as {} (Salesforce) and {} (Microsoft 365) …",
            apis.salesforce_admin, apis.microsoft_admin
        );
        let pulled = usecase::pull(&mut apis.salesforce, &mut apis.graph, &|p: PullProgress| {
            match p.total {
                Some(t) => eprintln!("{}: {} of {} users", p.service.title(), p.users, t),
                None => eprintln!("{}: {} users", p.service.title(), p.users),
            }
        })?;
        Ok((apis.salesforce_admin, pulled))
    });
    let (sf_admin, pulled) = match pulled {
        Ok(p) => p,
        Err(e) => {
            eprintln!("scc-onboard: {e}");
            return ExitCode::from(exit_code(&e));
        }
    };
    if !pulled.permissions.sees_everyone() {
        eprintln!(
            "scc-onboard: note: the Salesforce administrator {sf_admin} has neither View All Users nor Manage Users: the {} users pulled are only those their sharing shows, so people may be missing; sign in as an administrator with one of them for the whole org",
            pulled.salesforce.len()
        );
    }
    let opts = JoinOptions {
        include_inactive: args.include_inactive,
    };
    let outcome = directory::join(&pulled.salesforce, &pulled.microsoft, &opts);
    let rows: Vec<[String; 5]> = outcome
        .matched
        .iter()
        .map(|m| m.roster_row(&pulled.salesforce, &pulled.microsoft))
        .collect();
    let written = crate::fsutil::write_atomic(&args.output, |w| {
        write_csv(
            w,
            &CsvOptions::default(),
            rows.iter().map(|r| r.each_ref().map(String::as_str)),
        )
    });
    if let Err(e) = written {
        return usage(format!("cannot write {}: {e}", args.output.display()));
    }
    let mut out = std::io::stdout().lock();
    let _ = if args.json {
        writeln!(out, "{}", report_json(&pulled, &outcome))
    } else {
        writeln!(out, "{}", summary(&pulled, &outcome, &args.output))
    };
    if outcome.all_matched() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(EXIT_PROBLEMS)
    }
}

fn summary(p: &Pulled, o: &JoinOutcome, output: &std::path::Path) -> String {
    format!(
        "Pulled {} Salesforce users ({} requests) and {} Microsoft 365 accounts ({} requests).\n\
         Matched {}, ambiguous {}, only in Salesforce {}, only in Microsoft 365 {}, skipped {}.\n\
         Wrote {} rows to {}.",
        p.salesforce.len(),
        p.salesforce_requests,
        p.microsoft.len(),
        p.graph_requests,
        o.matched.len(),
        o.ambiguous.len(),
        o.only_salesforce.len(),
        o.only_microsoft.len(),
        o.skipped.len(),
        o.matched.len(),
        output.display()
    )
}

fn report_json(p: &Pulled, o: &JoinOutcome) -> serde_json::Value {
    let matched: Vec<serde_json::Value> = o
        .matched
        .iter()
        .map(|m| {
            let row = m.roster_row(&p.salesforce, &p.microsoft);
            serde_json::json!({
                "full_name": row[0], "salesforce_login": row[1], "salesforce_user_id": row[2],
                "office365_login": row[3], "office365_email": row[4], "matched_by": m.by,
            })
        })
        .collect();
    serde_json::json!({
        "matched": matched,
        "ambiguous": o.ambiguous,
        "only_salesforce": o.only_salesforce.iter().map(|&i| &p.salesforce[i]).collect::<Vec<_>>(),
        "only_microsoft": o.only_microsoft.iter().map(|&i| &p.microsoft[i]).collect::<Vec<_>>(),
        "skipped": o.skipped,
        "pull": {
            "salesforce_users": p.salesforce.len(),
            "microsoft_users": p.microsoft.len(),
            "salesforce_requests": p.salesforce_requests,
            "graph_requests": p.graph_requests,
            "view_all_users": p.permissions.view_all_users,
            "manage_users": p.permissions.manage_users,
            "partial_salesforce_view": !p.permissions.sees_everyone(),
        },
    })
}

//! `scc-onboard roster pull -o ROSTER.csv`: both directories read live with an administrator's
//! sign-in (`usecase::roster_pull`), joined by `directory::join`, the roster of the matched
//! people written as `roster join` writes it. Progress (one line per page) on stderr.
//!
//! Exit codes: 0 every Salesforce user taking part was matched, 1 some were not (the roster
//! is still written) or a directory could not be read or signed in to, 2 unusable
//! configuration or output path.

use super::roster_join;
use super::roster_verify;
use super::Exit;
use crate::auth::{self, Config};
use crate::directory::JoinOptions;
use crate::usecase::directory_api::ApiError;
use crate::usecase::roster_pull::{self as usecase, PullProgress};
use clap::Args;
use std::path::{Path, PathBuf};

/// Arguments of `roster pull`.
#[derive(Args, Debug)]
pub(crate) struct PullArgs {
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

fn usage(msg: impl std::fmt::Display) -> Exit {
    eprintln!("scc-onboard: {msg}");
    Exit::Usage
}

/// The one place a failed pull becomes an exit code.
pub(super) fn exit_code(e: &ApiError) -> Exit {
    match e {
        ApiError::Auth(_, a) => super::authorize::exit_code(a),
        _ => Exit::Problems,
    }
}

/// Runs `roster pull`.
pub(super) fn run(args: PullArgs) -> Exit {
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
    let pulled = roster_verify::connect(
        &config,
        &store,
        (
            args.salesforce_admin.as_deref(),
            args.microsoft_admin.as_deref(),
        ),
        args.device,
    )
    .and_then(|mut apis| {
        eprintln!(
            "Pulling users as {} (Salesforce) and {} (Microsoft 365) …",
            apis.salesforce_admin, apis.microsoft_admin
        );
        let pulled = usecase::pull(
            &mut apis.salesforce,
            &mut apis.graph,
            &|p: PullProgress| match p.total {
                Some(t) => eprintln!("{}: {} of {} users", p.service.title(), p.users, t),
                None => eprintln!("{}: {} users", p.service.title(), p.users),
            },
        )?;
        Ok((apis.salesforce_admin, apis.salesforce_instance, pulled))
    });
    let (sf_admin, instance, pulled) = match pulled {
        Ok(p) => p,
        Err(e) => {
            eprintln!("scc-onboard: {e}");
            return exit_code(&e);
        }
    };
    if !pulled.permissions.sees_everyone() {
        eprintln!(
            "scc-onboard: note: the Salesforce administrator {sf_admin} has neither View All Users nor Manage Users: the {} users pulled are only those their sharing shows, so people may be missing; sign in as an administrator with one of them for the whole org",
            pulled.salesforce.len()
        );
    }
    eprintln!(
        "Pulled {} Salesforce users ({} requests, {:.1} s) and {} Microsoft 365 accounts ({} requests, {:.1} s).",
        pulled.salesforce.len(),
        pulled.salesforce_requests,
        pulled.salesforce_time.as_secs_f64(),
        pulled.microsoft.len(),
        pulled.graph_requests,
        pulled.microsoft_time.as_secs_f64(),
    );
    let sf_label = format!("Salesforce {instance}");
    let ms_label = format!("Microsoft Graph {}", config.microsoft.graph_url);
    let sources = roster_join::Sources {
        salesforce_users: Path::new(&sf_label),
        microsoft_users: Path::new(&ms_label),
        output: &args.output,
    };
    roster_join::finish(
        &sources,
        (&pulled.salesforce, &[]),
        (&pulled.microsoft, &[]),
        &JoinOptions {
            include_inactive: args.include_inactive,
        },
        true,
        args.json,
    )
}

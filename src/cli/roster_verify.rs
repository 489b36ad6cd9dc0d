//! `scc-onboard roster verify ROSTER`: every included row checked against the live Salesforce
//! and Microsoft 365 directories with an administrator's sign-in. `usecase::roster_verify`
//! decides; this file signs in, prints progress on stderr and the findings on stdout.
//!
//! Exit codes ([`exit_code`]): 0 nothing found, 1 findings (or a directory could not be read,
//! or the sign-in failed), 2 unusable roster or configuration.

use super::import_args::{self, ImportArgs};
use super::Exit;
use crate::auth::flow::FlowOptions;
use crate::auth::{self, Config, FlowMode, Provider};
use crate::usecase::admin::{self, WhenMissing};
use crate::usecase::directory_api::{ApiError, RetryPolicy, Service};
use crate::usecase::roster_source;
use crate::usecase::roster_verify::{self as usecase, VerifyProgress, VerifyReport};
use clap::Args;
use serde_json::json;
use std::io::Write;
use std::path::PathBuf;

/// Arguments of `roster verify`.
#[derive(Args, Debug)]
pub(crate) struct VerifyArgs {
    /// The roster CSV to check.
    #[arg(required_unless_present = "session", conflicts_with = "session")]
    pub roster: Option<PathBuf>,
    /// A wizard session file: its roster, with its edits and exclusions.
    #[arg(long, value_name = "FILE")]
    pub session: Option<PathBuf>,
    /// Provider configuration file.
    #[arg(long, value_name = "FILE", env = auth::config::CONFIG_ENV)]
    pub config: Option<PathBuf>,
    /// Print the findings as one JSON document.
    #[arg(long)]
    pub json: bool,
    /// If the administrator must sign in, use the device flow.
    #[arg(long)]
    pub device: bool,
    /// The Salesforce administrator (when several admin sign-ins are stored).
    #[arg(long, value_name = "USERNAME")]
    pub salesforce_admin: Option<String>,
    /// The Microsoft 365 administrator (when several admin sign-ins are stored).
    #[arg(long, value_name = "UPN")]
    pub microsoft_admin: Option<String>,
    #[command(flatten)]
    pub import: ImportArgs,
}

/// Why a verification did not produce a report.
pub(super) enum Failure {
    Usage(String),
    Api(ApiError),
}

/// The one place the outcome becomes an exit code.
pub(super) fn exit_code(outcome: &Result<VerifyReport, Failure>) -> Exit {
    match outcome {
        Ok(r) if r.findings.is_empty() => Exit::Success,
        Ok(_) => Exit::Problems,
        Err(Failure::Usage(_)) => Exit::Usage,
        Err(Failure::Api(ApiError::Auth(_, e))) => super::authorize::exit_code(e),
        Err(Failure::Api(_)) => Exit::Problems,
    }
}

/// The sign-in a command-line run may start: browser or device flow.
pub(super) fn when_missing(device: bool) -> WhenMissing {
    WhenMissing::SignIn(FlowOptions {
        mode: if device {
            FlowMode::Device
        } else {
            FlowMode::Browser
        },
        ..FlowOptions::default()
    })
}

/// The administrators' API clients for `roster pull` and `roster verify`: the keyring's
/// notice on stderr, then `admin::connect` with the named administrators (either may be
/// none), signing in (browser or device flow) where nothing usable is stored.
pub(super) fn connect(
    config: &Config,
    store: &auth::TokenStore,
    admins: (Option<&str>, Option<&str>),
    device: bool,
) -> Result<admin::AdminApis, ApiError> {
    if let Some(n) = store.notice() {
        eprintln!("scc-onboard: note: {n}");
    }
    admin::connect(
        config,
        store,
        admins,
        &when_missing(device),
        &progress,
        RetryPolicy::default(),
    )
}

/// Each provider's sign-in progress on stderr, naming the administrator's sign-in.
pub(super) fn progress(p: Provider) -> Box<dyn FnMut(auth::Progress) + Send> {
    let mut inner = super::authorize::print_progress(p);
    let mut said = false;
    Box::new(move |ev| {
        if !said {
            said = true;
            eprintln!(
                "Administrator sign-in to {}: {}",
                p,
                match p {
                    Provider::Salesforce => "scope api (reads users)",
                    Provider::Exchange => "Microsoft Graph User.Read.All (needs admin consent)",
                }
            );
        }
        inner(ev)
    })
}

/// Runs `roster verify`.
pub(super) fn run(args: VerifyArgs) -> Exit {
    let outcome = verify(&args);
    let code = exit_code(&outcome);
    match &outcome {
        Ok(report) => {
            let mut out = std::io::stdout().lock();
            let _ = if args.json {
                writeln!(out, "{}", report_json(report))
            } else {
                write_text(&mut out, report)
            };
        }
        Err(Failure::Usage(m)) => eprintln!("scc-onboard: {m}"),
        Err(Failure::Api(e)) => eprintln!("scc-onboard: {e}"),
    }
    code
}

fn verify(args: &VerifyArgs) -> Result<VerifyReport, Failure> {
    let config = Config::load(args.config.as_deref()).map_err(|e| Failure::Usage(e.to_string()))?;
    let import_options = args.import.options();
    let source = import_args::source(&args.roster, &args.session, &import_options)
        .map_err(Failure::Usage)?;
    let roster = roster_source::load(source)
        .map_err(|e| Failure::Usage(e.to_string()))?
        .roster;
    let rows = usecase::rows_of(&roster);
    if rows.is_empty() {
        return Err(Failure::Usage(
            "the roster has no included rows: nothing to verify".into(),
        ));
    }
    let store = crate::usecase::authorize::open_store(&config)
        .map_err(|e| Failure::Api(ApiError::Auth(Service::Salesforce, e)))?;
    let mut apis = connect(
        &config,
        &store,
        (
            args.salesforce_admin.as_deref(),
            args.microsoft_admin.as_deref(),
        ),
        args.device,
    )
    .map_err(Failure::Api)?;
    eprintln!(
        "Verifying {} rows as {} (Salesforce) and {} (Microsoft 365) …",
        rows.len(),
        apis.salesforce_admin,
        apis.microsoft_admin
    );
    let report = usecase::verify(
        &rows,
        &mut apis.salesforce,
        &mut apis.graph,
        &mut |p: VerifyProgress| {
            eprintln!("{}: {}/{}", p.service.title(), p.done, p.total);
        },
    )
    .map_err(Failure::Api)?;
    if !report.permissions.sees_everyone() {
        eprintln!(
            "scc-onboard: note: the Salesforce administrator {} has neither View All Users nor Manage Users, so users outside their sharing look missing; sign in as an administrator with one of them for a full check",
            apis.salesforce_admin
        );
    }
    Ok(report)
}

fn write_text(out: &mut impl Write, r: &VerifyReport) -> std::io::Result<()> {
    for f in &r.findings {
        let field = f.finding.field.map_or("row", |f| f.title());
        writeln!(
            out,
            "line {}: {}: {} [{}]{}",
            f.line,
            field,
            f.finding.message,
            f.finding.code,
            f.finding
                .fix
                .as_deref()
                .map(|x| format!(" (fix: {x})"))
                .unwrap_or_default()
        )?;
    }
    writeln!(
        out,
        "Verified {} rows against Salesforce ({} IDs, {} requests) and Microsoft 365 ({} logins, {} requests): {} finding(s) on {} row(s).",
        r.rows,
        r.salesforce_ids,
        r.salesforce_requests,
        r.microsoft_logins,
        r.graph_requests,
        r.findings.len(),
        r.rows_with_findings()
    )
}

fn report_json(r: &VerifyReport) -> serde_json::Value {
    let findings: Vec<serde_json::Value> = r
        .findings
        .iter()
        .map(|f| {
            json!({
                "line": f.line,
                "row": f.row,
                "field": f.finding.field.map(|f| f.key()),
                "code": f.finding.code.as_str(),
                "severity": f.finding.severity().as_str(),
                "message": f.finding.message,
                "fix": f.finding.fix,
            })
        })
        .collect();
    json!({
        "rows": r.rows,
        "rows_with_findings": r.rows_with_findings(),
        "findings": findings,
        "salesforce": {
            "ids": r.salesforce_ids,
            "requests": r.salesforce_requests,
            "view_all_users": r.permissions.view_all_users,
            "manage_users": r.permissions.manage_users,
        },
        "microsoft": { "logins": r.microsoft_logins, "requests": r.graph_requests },
    })
}

//! `scc-onboard exchange check`: does the organization's Entra app reach every included
//! mailbox (app-only, Microsoft Graph)? `usecase::exchange_check` decides; this file reads the
//! secret, prints progress and results, and maps the outcome to an exit code in one place
//! ([`exit_code`]): 0 every mailbox reachable, 1 some are not (or the token endpoint could not
//! be reached), 2 bad configuration, input or secret.

use super::import_args::ImportArgs;
use super::{EXIT_PROBLEMS, EXIT_USAGE};
use crate::auth::{self, Config, TokenStore};
use crate::usecase::exchange_check::{
    self as usecase, CheckError, CheckOptions, CheckReport, Progress, Status,
};
use crate::usecase::roster_source::{self, RosterSource};
use clap::{Args, Subcommand};
use oauth2::ClientSecret;
use serde_json::json;
use std::io::{IsTerminal, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `exchange`.
#[derive(Args, Debug)]
pub struct ExchangeArgs {
    #[command(subcommand)]
    pub command: ExchangeCommand,
}

/// The `exchange` subcommands.
#[derive(Subcommand, Debug)]
pub enum ExchangeCommand {
    /// Check that the organization's Entra app reaches every included mailbox (app-only,
    /// Microsoft Graph): per mailbox ok, denied, no-mailbox, not-found, throttled or unreachable.
    Check(CheckArgs),
}

/// Arguments of `exchange check`.
#[derive(Args, Debug)]
pub struct CheckArgs {
    /// The roster CSV whose included users' mailboxes (Office 365 login) are checked.
    #[arg(required_unless_present = "session", conflicts_with = "session")]
    pub roster: Option<PathBuf>,
    /// A wizard session file: its roster, with its edits and exclusions.
    #[arg(long, value_name = "FILE")]
    pub session: Option<PathBuf>,
    /// Provider configuration file (microsoft.tenant, microsoft.client_id, microsoft.graph_url).
    #[arg(long, value_name = "FILE", env = auth::config::CONFIG_ENV)]
    pub config: Option<PathBuf>,
    /// Read the app's client secret from standard input (once; never give it as an argument).
    /// Without it, the keyring entry exchange-app-secret for the client ID is used.
    #[arg(long)]
    pub secret_stdin: bool,
    /// Print every mailbox's result as one JSON document.
    #[arg(long)]
    pub json: bool,
    /// How many mailboxes are checked at once.
    #[arg(long, value_name = "N", default_value_t = usecase::DEFAULT_CONCURRENCY as u16,
          value_parser = clap::value_parser!(u16).range(1..=64))]
    pub concurrency: u16,
    #[command(flatten)]
    pub import: ImportArgs,
}

/// Runs `exchange`.
pub fn run(args: ExchangeArgs) -> ExitCode {
    match args.command {
        ExchangeCommand::Check(a) => check(a),
    }
}

fn usage(msg: impl std::fmt::Display) -> ExitCode {
    eprintln!("scc-onboard: {msg}");
    ExitCode::from(EXIT_USAGE)
}

/// The one place a check's outcome becomes an exit code.
pub fn exit_code(outcome: &Result<CheckReport, CheckError>) -> u8 {
    match outcome {
        Ok(r) if r.all_ok() => 0,
        Ok(_) => EXIT_PROBLEMS,
        Err(
            CheckError::Config(_) | CheckError::TokenRefused { .. } | CheckError::SignInRefused(_),
        ) => EXIT_USAGE,
        Err(CheckError::TokenUnreachable(_) | CheckError::EwsUnreachable(_)) => EXIT_PROBLEMS,
    }
}

fn check(args: CheckArgs) -> ExitCode {
    let config = match Config::load(args.config.as_deref()) {
        Ok(c) => c,
        Err(e) => return usage(e),
    };
    // Before anything is read from stdin or the keyring: a config that cannot work.
    if let Err(e) = usecase::check_config(&config.microsoft) {
        return finish(&args, Err(e));
    }
    let import_options = args.import.options();
    let source = match (&args.session, &args.roster) {
        (Some(s), _) => RosterSource::Session(s),
        (None, Some(r)) => RosterSource::File(r, &import_options),
        (None, None) => return usage("give a roster file or --session"),
    };
    let roster = match roster_source::load(source) {
        Ok(loaded) => loaded.roster,
        Err(e) => return usage(e.to_string()),
    };
    let mailboxes = usecase::mailboxes(&roster);
    if mailboxes.is_empty() {
        return usage("no included row has an Office 365 login: nothing to check");
    }
    let secret = match read_secret(&args, &config) {
        Ok(s) => s,
        Err(msg) => return usage(msg),
    };
    let options = CheckOptions {
        concurrency: usize::from(args.concurrency),
        ..CheckOptions::default()
    };
    let plan = usecase::CheckPlan::AppOnly {
        api: usecase::Api::Graph,
        ews_url: String::new(),
    };
    let outcome = usecase::check(
        &plan,
        &config.microsoft,
        &mailboxes,
        &usecase::Credential::ClientSecret(secret.clone()),
        &options,
        progress_line(),
    );
    drop(secret);
    finish(&args, outcome)
}

/// The secret from stdin (`--secret-stdin`) or the keyring; the message says how to give one.
fn read_secret(args: &CheckArgs, config: &Config) -> Result<ClientSecret, String> {
    if args.secret_stdin {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .map_err(|e| format!("cannot read the client secret from standard input: {e}"))?;
        let secret = text.trim_end_matches(['\r', '\n']).to_string();
        if secret.trim().is_empty() {
            return Err("--secret-stdin: standard input held no client secret".into());
        }
        return Ok(ClientSecret::new(secret));
    }
    let client_id = config.microsoft.client_id.trim();
    let stored = TokenStore::open(&config.flow.keyring, config.flow.keyring_timeout())
        .and_then(|s| s.app_secret(client_id));
    match stored {
        Ok(Some(s)) => Ok(s),
        Ok(None) => Err(format!(
            "no client secret for app {client_id} in the keyring: pipe it in with --secret-stdin \
             (e.g. `scc-onboard exchange check ROSTER --secret-stdin < secret.txt` from a password manager's output)"
        )),
        Err(e) => Err(format!(
            "the client secret could not be read from the keyring ({e}); give it with --secret-stdin"
        )),
    }
}

/// A progress line on stderr: rewritten in place on a terminal, every tenth otherwise.
fn progress_line() -> impl FnMut(Progress) {
    let tty = std::io::stderr().is_terminal();
    let mut last_tenth = None;
    move |p: Progress| {
        let mut err = std::io::stderr();
        if tty {
            let _ = write!(err, "\rChecking mailboxes: {}/{}", p.done, p.total);
            if p.done == p.total {
                let _ = writeln!(err);
            }
        } else {
            let tenth = (p.done * 10).checked_div(p.total).unwrap_or(10);
            if last_tenth != Some(tenth) {
                last_tenth = Some(tenth);
                let _ = writeln!(err, "Checking mailboxes: {}/{}", p.done, p.total);
            }
        }
    }
}

fn finish(args: &CheckArgs, outcome: Result<CheckReport, CheckError>) -> ExitCode {
    let code = exit_code(&outcome);
    let mut out = std::io::stdout().lock();
    match &outcome {
        Ok(report) if args.json => {
            let _ = writeln!(out, "{}", report_json(report));
        }
        Ok(report) => {
            let _ = write!(out, "{}", report_text(report));
        }
        Err(e) => {
            if args.json {
                let refused = match e {
                    CheckError::TokenRefused { code, .. } => code.clone(),
                    _ => None,
                };
                let doc = json!({ "error": e.to_string(), "aadsts": refused });
                let _ = writeln!(out, "{doc}");
            }
            eprintln!("scc-onboard: {e}");
        }
    }
    ExitCode::from(code)
}

fn report_text(report: &CheckReport) -> String {
    let mut s = String::new();
    for r in report.not_ok() {
        s.push_str(&format!(
            "{} (line {}): {}: {}\n",
            r.mailbox.upn,
            r.mailbox.line,
            r.status.key(),
            r.status.explain()
        ));
    }
    let counts: Vec<String> = report
        .counts()
        .into_iter()
        .filter(|&(_, n)| n > 0)
        .map(|(k, n)| format!("{n} {k}"))
        .collect();
    s.push_str(&format!(
        "{} mailboxes checked at {}: {}.\n",
        report.results.len(),
        report.checked_at,
        counts.join(", ")
    ));
    if report.all_ok() {
        s.push_str("The app reaches every mailbox.\n");
    }
    s
}

fn report_json(report: &CheckReport) -> serde_json::Value {
    let mailboxes: Vec<serde_json::Value> = report
        .results
        .iter()
        .map(|r| {
            let mut m = json!({
                "upn": r.mailbox.upn,
                "line": r.mailbox.line,
                "status": r.status.key(),
                "retries": r.retries,
            });
            match &r.status {
                Status::Ok => {}
                Status::Denied { missing } => {
                    m["missing"] = json!(missing.iter().map(|x| x.key()).collect::<Vec<_>>());
                    m["roles"] = json!(missing.iter().map(|x| x.role()).collect::<Vec<_>>());
                }
                Status::Unreachable { reason } => m["reason"] = json!(reason),
                _ => {}
            }
            if !r.status.is_ok() {
                m["message"] = json!(r.status.explain());
            }
            m
        })
        .collect();
    let counts: serde_json::Map<String, serde_json::Value> = report
        .counts()
        .into_iter()
        .map(|(k, n)| (k.to_string(), json!(n)))
        .collect();
    json!({
        "plan": "app_only",
        "api": "graph",
        "checked_at": report.checked_at,
        "all_ok": report.all_ok(),
        "counts": counts,
        "mailboxes": mailboxes,
    })
}

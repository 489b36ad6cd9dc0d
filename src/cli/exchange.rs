//! `scc-onboard exchange check`: does the chosen Exchange plan (per_user, app_only over Graph
//! or EWS, impersonation over EWS) reach every included mailbox? `usecase::exchange_check`
//! decides; this file reads the plan and its secret, prints progress and results, and maps the
//! outcome to an exit code in one place
//! ([`exit_code`]): 0 every mailbox reachable, 1 some are not (or the token endpoint could not
//! be reached), 2 bad configuration, input or secret.

use super::import_args::{self, ImportArgs};
use super::Exit;
use crate::auth::{self, Config, ExchangeSecret};
use crate::usecase::exchange_check::{
    self as usecase, CheckError, CheckOptions, CheckReport, Credential, Needs, Password,
    PrepareError, Prepared, Progress, Status,
};
use crate::usecase::exchange_secret;

use clap::{Args, Subcommand};
use oauth2::ClientSecret;
use serde_json::json;
use std::io::{IsTerminal, Read, Write};
use std::path::PathBuf;

/// Arguments of `exchange`.
#[derive(Args, Debug)]
pub(crate) struct ExchangeArgs {
    #[command(subcommand)]
    pub command: ExchangeCommand,
}

/// The `exchange` subcommands.
#[derive(Subcommand, Debug)]
pub(crate) enum ExchangeCommand {
    /// Check that the chosen Exchange plan reaches every included mailbox: per mailbox ok,
    /// denied, no-mailbox, not-found, throttled or unreachable (per_user: the tenant, the app
    /// and the EWS allow-list step; each user's sign-in proves the rest).
    Check(CheckArgs),
    /// Store the plan's secret in the OS keyring, read from standard input (without echo on
    /// a terminal, or piped): the app's client secret (--app, app_only) or the impersonating
    /// account's password (--account, impersonation). `exchange check` and the wizard read
    /// it from there; it is never written to a file.
    StoreSecret(SecretArgs),
    /// Delete a secret stored with `exchange store-secret`.
    DeleteSecret(SecretArgs),
}

/// Which secret `store-secret` / `delete-secret` means.
#[derive(Args, Debug)]
#[command(group(clap::ArgGroup::new("which").required(true).args(["app", "account"])))]
pub(crate) struct SecretArgs {
    /// The app's client ID (app_only): keyring entry exchange-app-secret:{CLIENT_ID}.
    #[arg(long, value_name = "CLIENT_ID")]
    pub app: Option<String>,
    /// The impersonating account (impersonation): entry
    /// exchange-impersonation-password:{UPN}.
    #[arg(long, value_name = "UPN")]
    pub account: Option<String>,
    /// Provider configuration file (the keyring choice and timeout).
    #[arg(long, value_name = "FILE", env = auth::config::CONFIG_ENV)]
    pub config: Option<PathBuf>,
}

impl SecretArgs {
    fn which(&self) -> Option<ExchangeSecret> {
        match (&self.app, &self.account) {
            (Some(id), None) if !id.trim().is_empty() => {
                Some(ExchangeSecret::App(id.trim().into()))
            }
            (None, Some(upn)) if !upn.trim().is_empty() => {
                Some(ExchangeSecret::Account(upn.trim().into()))
            }
            _ => None,
        }
    }
}

/// Arguments of `exchange check`.
#[derive(Args, Debug)]
pub(crate) struct CheckArgs {
    /// The roster CSV whose included users' mailboxes (Office 365 login) are checked.
    #[arg(required_unless_present = "session", conflicts_with = "session")]
    pub roster: Option<PathBuf>,
    /// A wizard session file: its roster, with its edits and exclusions.
    #[arg(long, value_name = "FILE")]
    pub session: Option<PathBuf>,
    /// The choices (TOML or JSON, as for `export`): the Exchange plan to check. Without it, the
    /// session's choices (with --session) or the defaults.
    #[arg(long, value_name = "FILE")]
    pub customization: Option<PathBuf>,
    /// Provider configuration file (microsoft.tenant, microsoft.client_id, microsoft.graph_url,
    /// microsoft.ews_url).
    #[arg(long, value_name = "FILE", env = auth::config::CONFIG_ENV)]
    pub config: Option<PathBuf>,
    /// Read the plan's secret from standard input, once (never give it as an argument): the
    /// app's client secret (app_only) or the impersonating account's password
    /// (impersonation). Without it, the keyring entry exchange-app-secret:{client ID} or
    /// exchange-impersonation-password:{account} is used.
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
pub(super) fn run(args: ExchangeArgs) -> Exit {
    match args.command {
        ExchangeCommand::Check(a) => check(a),
        ExchangeCommand::StoreSecret(a) => store_secret(a),
        ExchangeCommand::DeleteSecret(a) => delete_secret(a),
    }
}

fn secret_store(args: &SecretArgs) -> Result<(ExchangeSecret, auth::TokenStore), Exit> {
    let which = args
        .which()
        .ok_or_else(|| usage("give exactly one of --app CLIENT_ID or --account UPN"))?;
    let config = Config::load(args.config.as_deref()).map_err(usage)?;
    let store = auth::TokenStore::open(&config.flow.keyring, config.flow.keyring_timeout())
        .map_err(usage)?;
    Ok((which, store))
}

fn store_secret(args: SecretArgs) -> Exit {
    let (which, store) = match secret_store(&args) {
        Ok(x) => x,
        Err(code) => return code,
    };
    let what = which.describe();
    let secret = match read_secret_line(&what) {
        Ok(s) => s,
        Err(msg) => return usage(msg),
    };
    match exchange_secret::store(&store, &which, exchange_secret::Secret::new(secret)) {
        Ok(()) => {
            eprintln!("Stored {what} in the keyring ({}).", store.name());
            Exit::Success
        }
        Err(exchange_secret::SecretError::Empty(_)) => {
            usage(format!("standard input held no {what}"))
        }
        Err(e) => usage(e),
    }
}

fn delete_secret(args: SecretArgs) -> Exit {
    let (which, store) = match secret_store(&args) {
        Ok(x) => x,
        Err(code) => return code,
    };
    match store.delete_exchange_secret(&which) {
        Ok(true) => {
            eprintln!("Deleted {} from the keyring.", which.describe());
            Exit::Success
        }
        Ok(false) => {
            eprintln!("scc-onboard: no {} in the keyring", which.describe());
            Exit::Problems
        }
        Err(e) => usage(e),
    }
}

/// One line of standard input: typed without echo on a terminal (raw mode, so nothing is
/// shown), or the first line of a pipe. Never an argument, so it is in no shell history.
fn read_secret_line(what: &str) -> Result<String, String> {
    if !std::io::stdin().is_terminal() {
        let mut line = String::new();
        std::io::stdin()
            .read_line(&mut line)
            .map_err(|e| format!("cannot read {what} from standard input: {e}"))?;
        return Ok(line.trim_end_matches(['\r', '\n']).to_string());
    }
    crate::tui::secret_prompt::read_hidden(what)
}

fn usage(msg: impl std::fmt::Display) -> Exit {
    eprintln!("scc-onboard: {msg}");
    Exit::Usage
}

/// The one place a check's outcome becomes an exit code.
pub(super) fn exit_code(outcome: &Result<CheckReport, CheckError>) -> Exit {
    match outcome {
        Ok(r) if r.all_ok() => Exit::Success,
        Ok(_) => Exit::Problems,
        Err(
            CheckError::Config(_) | CheckError::TokenRefused { .. } | CheckError::SignInRefused(_),
        ) => Exit::Usage,
        Err(CheckError::TokenUnreachable(_) | CheckError::EwsUnreachable(_)) => Exit::Problems,
    }
}

fn check(args: CheckArgs) -> Exit {
    let config = match Config::load(args.config.as_deref()) {
        Ok(c) => c,
        Err(e) => return usage(e),
    };
    let import_options = args.import.options();
    let source = match import_args::source(&args.roster, &args.session, &import_options) {
        Ok(s) => s,
        Err(m) => return usage(m),
    };
    // Before anything is read from stdin or the keyring: a plan or config that cannot work.
    let Prepared { plan, mailboxes } =
        match usecase::prepare(source, args.customization.as_deref(), &config.microsoft) {
            Ok(p) => p,
            Err(PrepareError::Check(e)) => return finish(&args, Err(e)),
            Err(e) => return usage(e),
        };
    let credential = match read_credential(&args, &config, &plan) {
        Ok(c) => c,
        Err(msg) => return usage(msg),
    };
    let options = CheckOptions {
        concurrency: usize::from(args.concurrency),
        ..CheckOptions::default()
    };
    let outcome = usecase::check(
        &plan,
        &config.microsoft,
        &mailboxes,
        &credential,
        &options,
        progress_line(),
    );
    drop(credential);
    finish(&args, outcome)
}

/// The secret the plan needs, from stdin (`--secret-stdin`) or the keyring; the message says
/// how to give one.
fn read_credential(
    args: &CheckArgs,
    config: &Config,
    plan: &usecase::CheckPlan,
) -> Result<Credential, String> {
    let what = match plan.needs() {
        Needs::Nothing => return Ok(Credential::None),
        Needs::ClientSecret => "the app's client secret",
        Needs::Password => "the impersonating account's password",
    };
    let secret = if args.secret_stdin {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .map_err(|e| format!("cannot read {what} from standard input: {e}"))?;
        let secret = text.trim_end_matches(['\r', '\n']).to_string();
        if secret.trim().is_empty() {
            return Err(format!("--secret-stdin: standard input held no {what}"));
        }
        secret
    } else {
        return usecase::stored_credential(plan, config).map_err(|e| {
            format!(
                "{e}: pipe it in with --secret-stdin (e.g. `scc-onboard exchange check ROSTER --secret-stdin < secret.txt` from a password manager's output)"
            )
        });
    };
    Ok(match plan.needs() {
        Needs::Password => Credential::Password(Password::new(secret)),
        _ => Credential::ClientSecret(ClientSecret::new(secret)),
    })
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

fn finish(args: &CheckArgs, outcome: Result<CheckReport, CheckError>) -> Exit {
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
    code
}

fn report_text(report: &CheckReport) -> String {
    let mut s = String::new();
    for p in &report.prerequisites {
        let mark = if p.ok { "ok" } else { "not ok" };
        s.push_str(&format!("{}: {mark}: {}\n", p.key, p.detail));
    }
    if report.results.is_empty() {
        if let Some(note) = report.note {
            s.push_str(&format!("Plan {} ({}): {note}.\n", report.mode, report.api));
        }
        if report.all_ok() {
            s.push_str("Everything that can be checked before the users sign in holds.\n");
        }
        return s;
    }
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
        "{} mailboxes checked at {} (plan {}, {}): {}.\n",
        report.results.len(),
        report.checked_at,
        report.mode,
        report.api,
        counts.join(", ")
    ));
    if report.all_ok() {
        s.push_str("The plan reaches every mailbox.\n");
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
        "plan": report.mode,
        "api": report.api,
        "prerequisites": report.prerequisites.iter().map(|p| json!({
            "check": p.key, "ok": p.ok, "detail": p.detail,
        })).collect::<Vec<_>>(),
        "note": report.note,
        "checked_at": report.checked_at,
        "all_ok": report.all_ok(),
        "counts": counts,
        "mailboxes": mailboxes,
    })
}

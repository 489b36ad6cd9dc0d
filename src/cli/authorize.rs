//! `scc-onboard authorize [salesforce|exchange]`: run one provider's flow without a terminal
//! UI (URL or device code on stderr), check the identity, store the refresh token.
//! Without a provider, the end-user TUI opens.

use crate::auth::flow::{self, FlowOptions};
use crate::auth::{self, AuthError, Config, Expected, FlowMode, Progress, Provider, TokenStore};
use clap::Args;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `authorize`.
#[derive(Args, Debug)]
pub struct AuthorizeArgs {
    /// `salesforce` or `exchange`; without one, the authorize screen opens.
    #[arg(value_parser = parse_provider)]
    pub provider: Option<Provider>,
    /// Use the device flow: show a code to enter on any device.
    #[arg(long)]
    pub device: bool,
    /// Do not start a browser; same as --device.
    #[arg(long)]
    pub no_browser: bool,
    /// The account to sign in as (pre-fills the sign-in page; selects the roster row).
    #[arg(long, value_name = "ADDRESS")]
    pub login: Option<String>,
    /// Check the signed-in identity against this roster's row for --login.
    #[arg(long, value_name = "FILE", requires = "login")]
    pub roster: Option<PathBuf>,
    /// Store the authorization even if the identity differs from the roster.
    #[arg(long)]
    pub accept_mismatch: bool,
    /// Provider configuration file (overrides the built-in defaults).
    #[arg(long, value_name = "FILE", env = auth::config::CONFIG_ENV)]
    pub config: Option<PathBuf>,
}

/// Parses `salesforce` / `exchange` for clap.
pub fn parse_provider(s: &str) -> Result<Provider, String> {
    Provider::parse(s).ok_or_else(|| format!("unknown provider {s:?}: use salesforce or exchange"))
}

/// Loads the config or explains why not (exit 2).
pub fn load_config(path: Option<&std::path::Path>) -> Result<Config, ExitCode> {
    Config::load(path).map_err(|e| {
        eprintln!("scc-onboard: {e}");
        ExitCode::from(super::EXIT_USAGE)
    })
}

/// Opens the configured keyring or explains why not (exit 1), showing any fallback notice.
pub fn open_store(config: &Config) -> Result<TokenStore, ExitCode> {
    match TokenStore::open(&config.flow.keyring, config.flow.keyring_timeout()) {
        Ok(s) => {
            if let Some(n) = s.notice() {
                eprintln!("scc-onboard: note: {n}");
            }
            Ok(s)
        }
        Err(e) => {
            eprintln!("scc-onboard: {e}");
            Err(ExitCode::from(super::EXIT_PROBLEMS))
        }
    }
}

/// Prints a flow's progress on stderr (the only place a URL or code goes).
pub fn print_progress(provider: Provider) -> impl FnMut(Progress) {
    move |p| {
        let mut err = std::io::stderr();
        let _ = match p {
            Progress::OpenUrl(url) => writeln!(
                err,
                "To authorize {provider}, open this URL in a browser (it was opened if one could start):\n\n  {url}\n"
            ),
            Progress::BrowserFailed(why) => writeln!(err, "scc-onboard: {why}"),
            Progress::DeviceCode { uri, code, complete } => {
                let extra = complete
                    .map(|c| format!("\n  (or open {c} directly)"))
                    .unwrap_or_default();
                writeln!(
                    err,
                    "To authorize {provider}, open {uri} on any device and enter the code:\n\n  {code}\n{extra}"
                )
            }
            Progress::Waiting => writeln!(err, "Waiting for {provider} …"),
            Progress::Exchanging => Ok(()),
        };
    }
}

/// Runs `authorize`.
pub fn run(args: AuthorizeArgs) -> ExitCode {
    let config = match load_config(args.config.as_deref()) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let expected = match &args.roster {
        Some(path) => match auth::expect::from_roster(path, args.login.as_deref().unwrap_or("")) {
            Ok(e) => Some(e),
            Err(msg) => {
                eprintln!("scc-onboard: {msg}");
                return ExitCode::from(super::EXIT_USAGE);
            }
        },
        None => None,
    };
    let mode = if args.device || args.no_browser {
        FlowMode::Device
    } else {
        FlowMode::Browser
    };
    let Some(provider) = args.provider else {
        return crate::tui::authorize::run(config, args.login, expected, mode);
    };
    if let Err(e) = flow::check_config(&config, provider) {
        eprintln!("scc-onboard: {provider}: {e}");
        return ExitCode::from(e.exit_code());
    }
    let store = match open_store(&config) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let options = FlowOptions {
        mode,
        open_browser: true,
        login_hint: args.login.clone(),
        ..FlowOptions::default()
    };
    match authorize_and_store(
        &config,
        &store,
        provider,
        &options,
        expected.as_ref(),
        args.accept_mismatch,
    ) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("scc-onboard: {provider}: {e}");
            ExitCode::from(e.exit_code())
        }
    }
}

/// The flow, the identity check and the store, reporting on stderr.
pub fn authorize_and_store(
    config: &Config,
    store: &TokenStore,
    provider: Provider,
    options: &FlowOptions,
    expected: Option<&Expected>,
    accept_mismatch: bool,
) -> Result<(), AuthError> {
    let authorized = auth::authorize(config, provider, options, &mut print_progress(provider))?;
    if let Some(exp) = expected.filter(|_| accept_mismatch) {
        for m in exp.check(&authorized.identity) {
            eprintln!("scc-onboard: {provider}: storing despite an identity mismatch: {m}");
        }
    }
    let done = auth::finish(store, authorized, expected, accept_mismatch)?;
    eprintln!(
        "Authorized {provider} as {} (user {}, {} {}); stored in {}.",
        done.identity.login,
        done.identity.user_id,
        match provider {
            Provider::Salesforce => "org",
            Provider::Exchange => "tenant",
        },
        done.identity.org_id,
        store.name()
    );
    Ok(())
}

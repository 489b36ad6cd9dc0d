//! `scc-onboard authorize [salesforce|exchange]`: run one provider's flow without a terminal
//! UI (URL or device code on stderr); `usecase::authorize` decides whether it is stored, and
//! this file only renders that outcome (text on stderr, exit code). Without a provider, the
//! end-user TUI opens.

use super::Exit;
use crate::auth::flow::{self, FlowOptions};
use crate::auth::{self, AuthError, Config, FlowMode, Progress, Provider, TokenStore};
use crate::usecase::authorize::{self as usecase, Decision, OnMismatch};
use clap::Args;
use std::io::Write;
use std::path::PathBuf;

/// Arguments of `authorize`.
#[derive(Args, Debug)]
pub(crate) struct AuthorizeArgs {
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
    /// Optional when the config has an [expect] table.
    #[arg(long, value_name = "ADDRESS")]
    pub login: Option<String>,
    /// Check the signed-in identity against this roster's row for --login.
    #[arg(long, value_name = "FILE", requires = "login")]
    pub roster: Option<PathBuf>,
    /// Store the authorization even if the identity differs from the roster or [expect].
    #[arg(long)]
    pub accept_mismatch: bool,
    /// Provider configuration file (overrides the built-in defaults).
    #[arg(long, value_name = "FILE", env = auth::config::CONFIG_ENV)]
    pub config: Option<PathBuf>,
}

/// Parses `salesforce` / `exchange` for clap.
pub(crate) fn parse_provider(s: &str) -> Result<Provider, String> {
    Provider::parse(s).ok_or_else(|| format!("unknown provider {s:?}: use salesforce or exchange"))
}

/// Loads the config or explains why not (exit 2).
pub(super) fn load_config(path: Option<&std::path::Path>) -> Result<Config, Exit> {
    Config::load(path).map_err(|e| {
        eprintln!("scc-onboard: {e}");
        Exit::Usage
    })
}

/// Opens the configured keyring or explains why not (exit 1), showing any fallback notice.
pub(super) fn open_store(config: &Config) -> Result<TokenStore, Exit> {
    match usecase::open_store(config) {
        Ok(s) => {
            if let Some(n) = s.notice() {
                eprintln!("scc-onboard: note: {n}");
            }
            Ok(s)
        }
        Err(e) => Err(fail(None, &e)),
    }
}

/// The one place an authorization error becomes an exit code: 2 for configuration and
/// usage problems, 1 for everything else.
pub(super) fn exit_code(e: &AuthError) -> Exit {
    match e {
        AuthError::Config(_) | AuthError::Ambiguous(_) => Exit::Usage,
        _ => Exit::Problems,
    }
}

/// Prints `e` (naming the provider, when there is one) and returns its exit code.
pub(super) fn fail(provider: Option<Provider>, e: &AuthError) -> Exit {
    match provider {
        Some(p) => eprintln!("scc-onboard: {p}: {e}"),
        None => eprintln!("scc-onboard: {e}"),
    }
    exit_code(e)
}

/// Prints a flow's progress on stderr (the only place a URL or code goes).
pub(crate) fn print_progress(provider: Provider) -> impl FnMut(Progress) {
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
pub(super) fn run(args: AuthorizeArgs) -> Exit {
    let config = match load_config(args.config.as_deref()) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let expected =
        match usecase::expectation(&config, args.roster.as_deref(), args.login.as_deref()) {
            Ok(e) => e,
            Err(e) => return fail(None, &e),
        };
    let mode = if args.device || args.no_browser {
        FlowMode::Device
    } else {
        FlowMode::Browser
    };
    let Some(provider) = args.provider else {
        return match crate::tui::authorize::run(config, args.login, expected, mode) {
            Ok(()) => Exit::Success,
            Err(crate::tui::authorize::ScreenError::Auth(e)) => fail(None, &e),
            Err(e) => {
                eprintln!("scc-onboard: {e}");
                Exit::Usage
            }
        };
    };
    if let Err(e) = flow::check_config(&config, provider) {
        return fail(Some(provider), &e);
    }
    let store = match open_store(&config) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let options = FlowOptions {
        mode,
        open_browser: true,
        login_hint: usecase::login_hint(provider, expected.as_ref(), args.login.as_deref()),
        ..FlowOptions::default()
    };
    let on_mismatch = if args.accept_mismatch {
        OnMismatch::Store
    } else {
        OnMismatch::Refuse
    };
    sign_in_and_report(
        &config,
        &store,
        provider,
        &options,
        expected.as_ref(),
        on_mismatch,
    )
}

/// Signs in, lets the core decide, and renders the decision on stderr; returns the exit code.
pub(crate) fn sign_in_and_report(
    config: &Config,
    store: &TokenStore,
    provider: Provider,
    options: &FlowOptions,
    expected: Option<&auth::Expected>,
    on_mismatch: OnMismatch,
) -> Exit {
    let decision = usecase::sign_in(
        config,
        store,
        provider,
        options,
        expected,
        on_mismatch,
        &mut print_progress(provider),
    );
    match decision {
        Ok(Decision::Stored(done)) => {
            if let Some(m) = &done.overridden {
                for d in &m.differences {
                    eprintln!("scc-onboard: {provider}: storing despite an identity mismatch: {d}");
                }
            }
            let who = &done.identity;
            eprintln!(
                "Authorized {provider} as {} (user {}, {} {}); stored in {}.",
                who.login,
                who.user_id,
                match provider {
                    Provider::Salesforce => "org",
                    Provider::Exchange => "tenant",
                },
                who.org_id,
                store.name()
            );
            Exit::Success
        }
        // The CLI never asks (it reads no stdin): a held sign-in is dropped like a refused one.
        Ok(Decision::Rejected(m))
        | Ok(Decision::NeedsConfirmation(usecase::Pending { mismatch: m, .. })) => {
            let again = m
                .expected
                .login_for(provider)
                .map(|l| format!(" as {l}"))
                .unwrap_or_default();
            eprintln!(
                "scc-onboard: {provider}: {m}; nothing was stored. Sign out of {provider} in the browser \
                 (or use a private window) and run this again, signing in{again}."
            );
            Exit::Problems
        }
        Err(e) => {
            let _ = fail(Some(provider), &e);
            exit_code(&e)
        }
    }
}

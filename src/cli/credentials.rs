//! `scc-onboard credentials list|renew|revoke`: the stored authorizations, scriptable.

use super::authorize::{
    exit_code, fail, load_config, open_store, parse_provider, sign_in_and_report,
};
use super::Exit;
use crate::auth::flow::FlowOptions;
use crate::auth::{self, FlowMode, Provider, StoredCredential};
use crate::usecase::authorize::OnMismatch;
use crate::usecase::credentials::{self, renew_targets, Renewal};
use clap::{Args, Subcommand};
use std::path::PathBuf;

/// Arguments of `credentials`.
#[derive(Args, Debug)]
pub(crate) struct CredentialsArgs {
    #[command(subcommand)]
    pub action: CredentialsAction,
    /// Provider configuration file (overrides the built-in defaults).
    #[arg(long, global = true, value_name = "FILE", env = auth::config::CONFIG_ENV)]
    pub config: Option<PathBuf>,
}

/// What to do with the stored authorizations.
#[derive(Subcommand, Debug)]
pub(crate) enum CredentialsAction {
    /// List stored authorizations (never the tokens; a short fingerprint at most).
    List {
        /// Machine-readable output.
        #[arg(long)]
        json: bool,
    },
    /// Get fresh tokens; re-runs the sign-in when the refresh token has expired.
    Renew {
        /// `salesforce` or `exchange` (default: every stored authorization).
        #[arg(value_parser = parse_provider)]
        provider: Option<Provider>,
        #[arg(long, value_name = "ADDRESS")]
        login: Option<String>,
        /// If a sign-in is needed, use the device flow.
        #[arg(long)]
        device: bool,
    },
    /// Revoke at the provider where possible, then delete the stored authorization.
    Revoke {
        #[arg(value_parser = parse_provider)]
        provider: Provider,
        #[arg(long, value_name = "ADDRESS")]
        login: Option<String>,
    },
}

/// Runs `credentials`.
pub(super) fn run(args: CredentialsArgs) -> Exit {
    let config = match load_config(args.config.as_deref()) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let store = match open_store(&config) {
        Ok(s) => s,
        Err(code) => return code,
    };
    match args.action {
        CredentialsAction::List { json } => match store.list() {
            Ok(list) => {
                let secrets = match store.exchange_secrets() {
                    Ok(s) => s,
                    Err(e) => return fail(None, &e.into()),
                };
                if json {
                    print!("{}", list_json(&list));
                } else {
                    print!("{}", list_table(&list, store.name()));
                    print!("{}", secrets_table(&secrets));
                }
                Exit::Success
            }
            Err(e) => fail(None, &e.into()),
        },
        CredentialsAction::Renew {
            provider,
            login,
            device,
        } => {
            let targets = match renew_targets(&store, provider, login.as_deref()) {
                Ok(t) => t,
                Err(e) => return fail(None, &e),
            };
            if targets.is_empty() {
                eprintln!("scc-onboard: nothing stored to renew; run `scc-onboard authorize salesforce|exchange` first");
                return Exit::Problems;
            }
            let mut worst = Exit::Success;
            for (p, l) in targets {
                match credentials::renew(&config, &store, p, l.as_deref()) {
                    Ok(Renewal::Renewed(a)) => eprintln!("Renewed {p} for {}.", a.identity.login),
                    Ok(Renewal::Expired {
                        error,
                        login,
                        expected,
                    }) => {
                        eprintln!("scc-onboard: {p}: {error}; signing in again");
                        let options = FlowOptions {
                            mode: if device {
                                FlowMode::Device
                            } else {
                                FlowMode::Browser
                            },
                            login_hint: login,
                            ..FlowOptions::default()
                        };
                        worst = worst.max(sign_in_and_report(
                            &config,
                            &store,
                            p,
                            &options,
                            expected.as_ref(),
                            OnMismatch::Refuse,
                        ));
                    }
                    Err(e) => {
                        let _ = fail(Some(p), &e);
                        worst = worst.max(exit_code(&e));
                    }
                }
            }
            worst
        }
        CredentialsAction::Revoke { provider, login } => {
            match credentials::revoke(&config, &store, provider, login.as_deref()) {
                Ok(r) => {
                    if r.at_provider {
                        eprintln!(
                            "Revoked {provider} for {} at {provider} and deleted it locally.",
                            r.login
                        );
                    } else {
                        eprintln!(
                            "Deleted the stored {provider} authorization for {}.",
                            r.login
                        );
                    }
                    if let Some(n) = r.note {
                        eprintln!("{n}");
                    }
                    Exit::Success
                }
                Err(e) => fail(Some(provider), &e),
            }
        }
    }
}

/// One JSON object per stored authorization.
pub(super) fn list_json(list: &[StoredCredential]) -> String {
    let items: Vec<serde_json::Value> = list
        .iter()
        .map(|c| {
            serde_json::json!({
                "provider": c.provider.key(),
                "login": c.login,
                "user_id": c.user_id,
                "org_id": c.org_id,
                "instance_url": c.instance_url,
                "issued_at": c.issued_at,
                "fingerprint": c.fingerprint(),
                "admin": c.admin,
            })
        })
        .collect();
    format!("{}\n", serde_json::Value::Array(items))
}

/// A plain table for humans.
pub(super) fn list_table(list: &[StoredCredential], store: &str) -> String {
    if list.is_empty() {
        return format!("No stored authorizations (keyring: {store}).\n");
    }
    let (admins, users): (Vec<&StoredCredential>, Vec<&StoredCredential>) =
        list.iter().partition(|c| c.admin);
    let mut out = if users.is_empty() {
        "No end-user authorizations.\n".to_string()
    } else {
        table(&users)
    };
    if !admins.is_empty() {
        out.push_str("\nAdministrator sign-ins (roster pull, roster verify):\n");
        out.push_str(&table(&admins));
    }
    out
}

/// The Exchange check secrets that exist (which one, never the value); empty if none.
pub(super) fn secrets_table(secrets: &[auth::ExchangeSecret]) -> String {
    if secrets.is_empty() {
        return String::new();
    }
    let mut out = "\nExchange check secrets (values never shown; `scc-onboard exchange delete-secret` removes one):\n".to_string();
    for s in secrets {
        out.push_str(&format!("  {} (entry {})\n", s.describe(), s.entry()));
    }
    out
}

fn table(list: &[&StoredCredential]) -> String {
    let mut out = format!(
        "{:<11} {:<32} {:<18} {:<18} {:<17} {}\n",
        "PROVIDER", "LOGIN", "USER", "ORG/TENANT", "ISSUED (UTC)", "FINGERPRINT"
    );
    for c in list {
        out.push_str(&format!(
            "{:<11} {:<32} {:<18} {:<18} {:<17} {}\n",
            c.provider.key(),
            c.login,
            c.user_id,
            c.org_id,
            utc(c.issued_at),
            c.fingerprint()
        ));
    }
    out
}

use crate::timefmt::minutes as utc;

#[cfg(test)]
mod tests {
    #[test]
    fn utc_formats_known_instants() {
        assert_eq!(super::utc(0), "1970-01-01 00:00");
        assert_eq!(super::utc(1_700_000_000), "2023-11-14 22:13");
        assert_eq!(super::utc(951_782_400), "2000-02-29 00:00");
    }
}

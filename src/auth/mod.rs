//! Authorization: OAuth 2 (auth code + PKCE on a loopback redirect, or the device flow) for
//! Salesforce and Microsoft (Exchange), identity checks, and tokens kept in the OS keyring.
//!
//! Plain Rust with no terminal. Whether a sign-in is stored is decided in
//! `crate::usecase::authorize`, which the CLI (`authorize`, `credentials`), the end-user TUI
//! and the wizard's Authorize step all call; they use [`status`], [`renew`], [`revoke`] and
//! [`TokenStore`] from here. See docs/auth.md.

pub(crate) mod browser;
pub mod config;
mod credential;
mod device;
mod error;
pub(crate) mod flow;
mod from_choices;
pub(crate) mod http;
pub(crate) mod identity;
mod keyring;
pub(crate) mod lifecycle;
mod loopback;

pub use self::keyring::{ExchangeSecret, StoreError, TokenStore};
pub use config::{user_config_toml, Config};
pub use credential::StoredCredential;
pub use error::AuthError;
pub use flow::{
    authorize, spawn_authorize, Authorized, Cancel, FlowEvent, FlowMode, FlowOptions, Progress,
};
pub use from_choices::{config_from_choices, user_config_text};
pub use identity::{Expected, Identity, IdentityMismatch, Mismatch};
pub use lifecycle::{renew, revoke, select, status, Revoked};

use std::fmt;

/// The two services a user authorizes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Provider {
    /// Salesforce (the user's CRM data).
    Salesforce,
    /// Microsoft identity platform, for the Exchange mailbox.
    Exchange,
}

impl Provider {
    /// Both, in display order.
    pub const ALL: [Provider; 2] = [Provider::Salesforce, Provider::Exchange];

    /// Stable key used on the command line and in keyring entries.
    pub fn key(self) -> &'static str {
        match self {
            Provider::Salesforce => "salesforce",
            Provider::Exchange => "exchange",
        }
    }

    /// Human name.
    pub fn title(self) -> &'static str {
        match self {
            Provider::Salesforce => "Salesforce",
            Provider::Exchange => "Exchange",
        }
    }

    /// Parses a command-line name (`salesforce`, `exchange`; `microsoft` is accepted too).
    pub fn parse(s: &str) -> Option<Provider> {
        match s.to_ascii_lowercase().as_str() {
            "salesforce" | "sf" => Some(Provider::Salesforce),
            "exchange" | "microsoft" | "office365" | "o365" => Some(Provider::Exchange),
            _ => None,
        }
    }
}

impl fmt::Display for Provider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.title())
    }
}

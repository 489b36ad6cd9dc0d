//! The two user directories a roster is made from: Salesforce's users and Microsoft 365's
//! accounts, read from their exports ([`export`]) or pulled live, and joined by evidence
//! ([`join`]) into roster rows. Pure: no terminal, no network.

mod export;
pub mod join;
#[cfg(any(test, feature = "testing"))]
pub mod synth;

pub use export::{read_both, read_microsoft, read_salesforce, BothExports, ImportError, Notice};
pub use join::{
    join, Ambiguous, JoinOptions, JoinOutcome, Match, MatchedBy, MsKey, SfKey, Side, SkipReason,
    Skipped,
};

use serde::Serialize;

/// One Salesforce user as exported (Data Loader, a report) or pulled.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct SalesforceUser {
    /// The record ID as exported (18 characters from Data Loader and the API; a report may
    /// give 15).
    pub id: String,
    /// Full name (`Name`, or `FirstName` + `LastName`).
    pub name: String,
    pub username: String,
    pub email: String,
    pub active: bool,
    /// `Standard` for licensed users; portal, Chatter and automated users say otherwise.
    pub user_type: Option<String>,
    pub federation_id: Option<String>,
    /// Physical line in the export file; `None` when pulled live.
    pub line: Option<u64>,
}

/// One Microsoft 365 (Entra ID) account as exported or pulled.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct MicrosoftUser {
    /// The object ID (may be empty when the export has no such column).
    pub id: String,
    pub upn: String,
    pub display_name: String,
    /// The primary SMTP address (`mail`), when the account has one.
    pub mail: Option<String>,
    /// Every address of the account as `SMTP:primary` / `smtp:alias` (other types such as
    /// `SIP:` kept as read); `None` when the export has no usable column.
    pub proxy_addresses: Option<Vec<String>>,
    pub enabled: bool,
    /// `Member` or `Guest`.
    pub user_type: Option<String>,
    /// Physical line in the export file; `None` when pulled live.
    pub line: Option<u64>,
}

impl MicrosoftUser {
    /// The SMTP addresses among [`MicrosoftUser::proxy_addresses`] (primary and aliases),
    /// without their prefix.
    pub fn smtp_addresses(&self) -> impl Iterator<Item = &str> {
        self.proxy_addresses
            .iter()
            .flatten()
            .filter_map(|a| smtp_address(a))
    }

    /// The primary SMTP address (`SMTP:` in upper case) among the proxy addresses.
    pub fn primary_smtp(&self) -> Option<&str> {
        self.proxy_addresses
            .iter()
            .flatten()
            .find_map(|a| a.strip_prefix("SMTP:"))
    }

    /// Whether the account is a guest (B2B) account.
    pub fn is_guest(&self) -> bool {
        self.user_type
            .as_deref()
            .is_some_and(|t| trimmed(t).eq_ignore_ascii_case("guest"))
    }
}

impl SalesforceUser {
    /// Whether the user holds a standard (internal) licence: a portal, Chatter-only or
    /// automated user is not someone who connects a mailbox. An export without the column
    /// says nothing, so every user counts as standard.
    pub fn is_standard(&self) -> bool {
        self.user_type
            .as_deref()
            .is_none_or(|t| trimmed(t).is_empty() || trimmed(t).eq_ignore_ascii_case("standard"))
    }
}

/// `s` without leading and trailing whitespace, as `str::trim`: a cell that starts and ends
/// with a visible ASCII character (nearly all of them) is returned as is without the
/// Unicode-aware scan, which reading and joining 400,000 users spent a tenth of their time in.
#[inline]
pub(crate) fn trimmed(s: &str) -> &str {
    match s.as_bytes() {
        [] => s,
        [first, .., last] | [first @ last]
            if first.is_ascii_graphic() && last.is_ascii_graphic() =>
        {
            s
        }
        _ => s.trim(),
    }
}

/// The address of one proxy-address entry when it is an SMTP one (`SMTP:` or `smtp:`, or a
/// bare address), else `None` (`SIP:`, `X500:`, …).
pub fn smtp_address(entry: &str) -> Option<&str> {
    let entry = trimmed(entry);
    match entry.split_once(':') {
        Some((kind, rest)) if kind.eq_ignore_ascii_case("smtp") => Some(trimmed(rest)),
        Some(_) => None,
        None if entry.contains('@') => Some(entry),
        None => None,
    }
}

//! What the roster tells the catalogue: email domains, the login domain, who the users are.

use crate::roster::dup_key::DupKind;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

/// Facts taken from the roster's included rows, used for computed defaults and warnings.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RosterFacts {
    /// Distinct domains of the Office 365 email addresses, most common first (ties by name).
    pub email_domains: Vec<String>,
    /// The most common domain of the Office 365 logins (UPNs).
    pub upn_domain: Option<String>,
    /// Distinct domains of the Office 365 logins, most common first (ties by name).
    pub upn_domains: Vec<String>,
    /// The Office 365 logins. Shared: every form keeps the facts.
    pub users: Arc<RosterUsers>,
}

impl RosterFacts {
    /// Computes the facts from the roster's email addresses and logins. Values that are not
    /// addresses are skipped; domains are compared without regard to case.
    pub fn from_values<'a, E, U>(emails: E, upns: U) -> Self
    where
        E: IntoIterator<Item = &'a str>,
        U: IntoIterator<Item = &'a str>,
        U::IntoIter: Clone,
    {
        let upns = upns.into_iter();
        let upn_domains = ranked(upns.clone());
        RosterFacts {
            email_domains: ranked(emails.into_iter()),
            upn_domain: upn_domains.first().cloned(),
            upn_domains,
            users: Arc::new(RosterUsers::from_logins(upns)),
        }
    }

    /// Facts from a roster's included rows.
    pub fn from_roster(roster: &crate::roster::Roster) -> Self {
        use crate::roster::Field;
        let rows = || (0..roster.len()).filter(|&r| !roster.is_excluded(r));
        RosterFacts::from_values(
            rows().map(|r| roster.cell(r, Field::Office365Email)),
            rows().map(|r| roster.cell(r, Field::Office365Login)),
        )
    }
}

/// The roster's distinct Office 365 logins, as the Exchange steps use them: how many, the
/// first (for sample commands), every one when few enough to name in a scope filter, and
/// whether an address is one of them. Logins are compared as the roster's duplicate check
/// compares them (trimmed, case folded).
///
/// Held as 64-bit hashes, not strings: a million logins take 8 MB (a set of strings took
/// 60 MB and a second to build). Two distinct logins of a million-user roster share a hash
/// with a probability near 10^-8 (the count would be one short), and a look-up of an address
/// that is not a login finds one with a probability near 10^-13 (a needless warning that a
/// service account is also a user).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RosterUsers {
    /// Sorted, distinct.
    hashes: Box<[u64]>,
    first: Option<String>,
    /// Every login, folded and sorted, when there are at most [`RosterUsers::NAMED_MAX`].
    named: Vec<String>,
}

impl RosterUsers {
    /// Up to this many users are kept by name (the scope filter names each one).
    pub const NAMED_MAX: usize = super::exchange::SCOPE_FILTER_MAX_USERS;

    /// The distinct logins among `logins` (empty values skipped).
    pub fn from_logins<'a, I>(logins: I) -> Self
    where
        I: Iterator<Item = &'a str> + Clone,
    {
        let mut hashes = Vec::new();
        let mut first: Option<&str> = None;
        for login in logins.clone() {
            let Some(h) = hash(login) else { continue };
            hashes.push(h);
            let login = crate::roster::rules::trim(login);
            if first.is_none_or(|f| folded_cmp(login, f).is_lt()) {
                first = Some(login);
            }
        }
        hashes.sort_unstable();
        hashes.dedup();
        let mut named = Vec::new();
        if hashes.len() <= Self::NAMED_MAX {
            named = logins.filter(|l| hash(l).is_some()).map(fold).collect();
            named.sort_unstable();
            named.dedup();
        }
        RosterUsers {
            hashes: hashes.into_boxed_slice(),
            first: first.map(fold),
            named,
        }
    }

    /// How many distinct logins.
    pub fn len(&self) -> usize {
        self.hashes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.hashes.is_empty()
    }

    /// Whether `address` is one of the logins.
    pub fn contains(&self, address: &str) -> bool {
        hash(address).is_some_and(|h| self.hashes.binary_search(&h).is_ok())
    }

    /// The first login in order (case folded).
    pub fn first(&self) -> Option<&str> {
        self.first.as_deref()
    }

    /// Every login (case folded, sorted), or `None` when there are more than
    /// [`RosterUsers::NAMED_MAX`].
    pub fn named(&self) -> Option<&[String]> {
        (self.len() <= Self::NAMED_MAX).then_some(self.named.as_slice())
    }
}

/// A login's hash as the duplicate check folds it; `None` for an empty value.
fn hash(login: &str) -> Option<u64> {
    DupKind::O365Login.key(login).map(|k| k as u64)
}

fn fold(login: &str) -> String {
    crate::roster::rules::trim(login).to_lowercase()
}

/// `a` and `b` compared case folded, without making strings (it runs once per row).
fn folded_cmp(a: &str, b: &str) -> std::cmp::Ordering {
    if a.is_ascii() && b.is_ascii() {
        let low = |c: &u8| c.to_ascii_lowercase();
        a.as_bytes()
            .iter()
            .map(low)
            .cmp(b.as_bytes().iter().map(low))
    } else {
        let low = char::to_lowercase;
        a.chars().flat_map(low).cmp(b.chars().flat_map(low))
    }
}

/// The valid domains of `addrs`, most common first (ties by name). Counted by the domain as
/// written first: a roster has many rows and few domains, so each spelling is lowercased and
/// checked once, not once per row.
fn ranked<'a>(addrs: impl Iterator<Item = &'a str>) -> Vec<String> {
    let mut written: HashMap<&str, usize> = HashMap::new();
    for addr in addrs {
        if let Some((_, d)) = addr.trim().rsplit_once('@') {
            *written.entry(d).or_default() += 1;
        }
    }
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for (d, n) in written {
        let d = d.to_ascii_lowercase();
        if super::syntax::domain(&d).is_ok() {
            *counts.entry(d).or_default() += n;
        }
    }
    let mut v: Vec<(String, usize)> = counts.into_iter().collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    v.into_iter().map(|(d, _)| d).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn facts_rank_domains_and_skip_junk() {
        let f = RosterFacts::from_values(
            [
                "a@Contoso.com",
                "b@contoso.com",
                "c@fabrikam.com",
                "junk",
                "",
            ],
            ["A@contoso.com", "b@contoso.com", "x@other.org"],
        );
        assert_eq!(f.email_domains, vec!["contoso.com", "fabrikam.com"]);
        assert_eq!(f.upn_domain.as_deref(), Some("contoso.com"));
        assert_eq!(f.upn_domains, vec!["contoso.com", "other.org"]);
        assert!(f.users.contains("a@contoso.com"));
    }

    #[test]
    fn users_are_counted_named_and_found_as_the_duplicate_check_folds_them() {
        let u = RosterUsers::from_logins(
            [
                " B@Contoso.com",
                "b@contoso.com",
                "a@contoso.com",
                "",
                "Ä@contoso.com",
            ]
            .into_iter(),
        );
        assert_eq!(u.len(), 3);
        assert_eq!(u.first(), Some("a@contoso.com"));
        assert_eq!(
            u.named(),
            Some(
                &[
                    "a@contoso.com".to_string(),
                    "b@contoso.com".into(),
                    "ä@contoso.com".into()
                ][..]
            )
        );
        assert!(u.contains("A@CONTOSO.COM "));
        assert!(u.contains("ä@contoso.com"));
        assert!(!u.contains("c@contoso.com"));
        assert!(!u.contains(""));

        let many: Vec<String> = (0..=RosterUsers::NAMED_MAX)
            .map(|i| format!("u{i:03}@x.com"))
            .collect();
        let u = RosterUsers::from_logins(many.iter().map(String::as_str).rev());
        assert_eq!(u.len(), RosterUsers::NAMED_MAX + 1);
        assert_eq!(u.named(), None);
        assert_eq!(u.first(), Some("u000@x.com"));
        assert!(many.iter().all(|l| u.contains(l)));
    }
}

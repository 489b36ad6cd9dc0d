//! What the roster tells the catalogue: email domains, the login domain, who the users are.

use std::collections::{BTreeMap, BTreeSet, HashMap};
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
    /// Every Office 365 login, lowercased. Shared: every form keeps the facts, and a large
    /// roster has a million logins, which a clone per form would copy.
    pub upns: Arc<BTreeSet<String>>,
}

impl RosterFacts {
    /// Computes the facts from the roster's email addresses and logins. Values that are not
    /// addresses are skipped; domains are compared without regard to case.
    pub fn from_values<'a>(
        emails: impl IntoIterator<Item = &'a str>,
        upns: impl IntoIterator<Item = &'a str>,
    ) -> Self {
        let email_domains = ranked(emails.into_iter());
        let mut upns: Vec<String> = upns
            .into_iter()
            .map(|u| u.trim().to_ascii_lowercase())
            .filter(|u| !u.is_empty())
            .collect();
        let upn_domains = ranked(upns.iter().map(String::as_str));
        upns.sort_unstable();
        upns.dedup();
        RosterFacts {
            email_domains,
            upn_domain: upn_domains.first().cloned(),
            upn_domains,
            upns: Arc::new(upns.into_iter().collect()),
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
        assert!(f.upns.contains("a@contoso.com"));
    }
}

//! What the roster tells the catalogue: email domains, the login domain, who the users are.

use std::collections::{BTreeMap, BTreeSet};

/// Facts taken from the roster's included rows, used for computed defaults and warnings.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RosterFacts {
    /// Distinct domains of the Office 365 email addresses, most common first (ties by name).
    pub email_domains: Vec<String>,
    /// The most common domain of the Office 365 logins (UPNs).
    pub upn_domain: Option<String>,
    /// Every Office 365 login, lowercased.
    pub upns: BTreeSet<String>,
}

impl RosterFacts {
    /// Computes the facts from the roster's email addresses and logins. Values that are not
    /// addresses are skipped; domains are compared without regard to case.
    pub fn from_values<'a>(
        emails: impl IntoIterator<Item = &'a str>,
        upns: impl IntoIterator<Item = &'a str>,
    ) -> Self {
        let email_domains = ranked(emails.into_iter().filter_map(domain_of));
        let upns: Vec<String> = upns
            .into_iter()
            .map(|u| u.trim().to_ascii_lowercase())
            .filter(|u| !u.is_empty())
            .collect();
        let upn_domain = ranked(upns.iter().map(String::as_str).filter_map(domain_of))
            .into_iter()
            .next();
        RosterFacts {
            email_domains,
            upn_domain,
            upns: upns.into_iter().collect(),
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

fn domain_of(addr: &str) -> Option<String> {
    let (_, d) = addr.trim().rsplit_once('@')?;
    let d = d.to_ascii_lowercase();
    super::syntax::domain(&d).ok().map(|_| d)
}

fn ranked(domains: impl Iterator<Item = String>) -> Vec<String> {
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for d in domains {
        *counts.entry(d).or_default() += 1;
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
        assert!(f.upns.contains("a@contoso.com"));
    }
}

//! What the roster tells the catalogue: email domains, the login domain, who the users are.

use crate::roster::dup_key::DupKind;
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
    /// The Office 365 logins. Shared: every form keeps the facts.
    pub users: Arc<RosterUsers>,
}

impl RosterFacts {
    /// Computes the facts from the roster's email addresses and logins. Values that are not
    /// addresses are skipped; domains are compared without regard to case.
    pub fn from_values<'a>(
        emails: impl IntoIterator<Item = &'a str>,
        upns: impl IntoIterator<Item = &'a str>,
    ) -> Self {
        let mut email = Spellings::default();
        emails.into_iter().for_each(|e| email.add(e));
        let mut upn = Spellings::default();
        let users = RosterUsers::from_logins(upns.into_iter().inspect(|l| upn.add(l)));
        RosterFacts::new(email, upn, users)
    }

    /// Facts from a roster's included rows, in one pass over them.
    pub fn from_roster(roster: &crate::roster::Roster) -> Self {
        use crate::roster::Field;
        let (mut email, mut upn) = (Spellings::default(), Spellings::default());
        let included = (roster.all_cells().enumerate()).filter(|(r, _)| !roster.is_excluded(*r));
        let users = RosterUsers::from_logins(included.map(|(_, cells)| {
            email.add(cells[Field::Office365Email.index()]);
            let login = cells[Field::Office365Login.index()];
            upn.add(login);
            login
        }));
        RosterFacts::new(email, upn, users)
    }

    fn new(email: Spellings, upn: Spellings, users: RosterUsers) -> Self {
        let upn_domains = upn.ranked();
        RosterFacts {
            email_domains: email.ranked(),
            upn_domain: upn_domains.first().cloned(),
            upn_domains,
            users: Arc::new(users),
        }
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
    named: Option<Vec<String>>,
}

impl RosterUsers {
    /// Up to this many users are kept by name (the scope filter names each one).
    pub const NAMED_MAX: usize = super::exchange::SCOPE_FILTER_MAX_USERS;

    /// The distinct logins among `logins` (empty values skipped), in one pass.
    pub fn from_logins<'a>(logins: impl Iterator<Item = &'a str>) -> Self {
        let mut hashes = Vec::with_capacity(logins.size_hint().0);
        let mut first: Option<&str> = None;
        // Named while few: a large roster stops collecting after its first hundred or so.
        let mut named = Some(BTreeSet::new());
        for login in logins {
            let Some(h) = hash(login) else { continue };
            hashes.push(h);
            let login = crate::roster::rules::trim(login);
            if first.is_none_or(|f| folded_cmp(login, f).is_lt()) {
                first = Some(login);
            }
            if let Some(set) = &mut named {
                set.insert(fold(login));
                if set.len() > Self::NAMED_MAX {
                    named = None;
                }
            }
        }
        hashes.sort_unstable();
        hashes.dedup();
        RosterUsers {
            hashes: hashes.into_boxed_slice(),
            first: first.map(fold),
            named: named.map(|set| set.into_iter().collect()),
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
        self.named.as_deref()
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

/// The domains of addresses as written, counted as the addresses come, then ranked.
#[derive(Default)]
struct Spellings<'a> {
    /// A roster has a handful of domains: a short list searched front to back costs less
    /// than hashing each row's; spellings past it are counted in the map.
    few: Vec<(&'a str, usize)>,
    more: HashMap<&'a str, usize>,
}

impl<'a> Spellings<'a> {
    const FEW: usize = 16;

    fn add(&mut self, addr: &'a str) {
        let addr = crate::roster::rules::trim(addr);
        let Some(at) = memchr::memrchr(b'@', addr.as_bytes()) else {
            return;
        };
        let domain = &addr[at + 1..];
        if let Some(seen) = self.few.iter_mut().find(|(d, _)| *d == domain) {
            seen.1 += 1;
        } else if self.few.len() < Self::FEW {
            self.few.push((domain, 1));
        } else {
            *self.more.entry(domain).or_default() += 1;
        }
    }

    /// The valid domains, most common first (ties by name): each spelling is lowercased and
    /// checked once, not once per row.
    fn ranked(self) -> Vec<String> {
        let mut counts: BTreeMap<String, usize> = BTreeMap::new();
        for (d, n) in self.few.into_iter().chain(self.more) {
            let d = d.to_ascii_lowercase();
            if super::syntax::domain(&d).is_ok() {
                *counts.entry(d).or_default() += n;
            }
        }
        let mut v: Vec<(String, usize)> = counts.into_iter().collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        v.into_iter().map(|(d, _)| d).collect()
    }
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
    fn domains_past_the_short_list_are_counted_and_merged_by_case() {
        let emails: Vec<String> = (0..40)
            .map(|i| format!("u{i}@d{:02}.example.com", i % 20))
            .chain(["x@D19.example.com".into(), "y@d19.example.com ".into()])
            .collect();
        let f = RosterFacts::from_values(emails.iter().map(String::as_str), std::iter::empty());
        assert_eq!(f.email_domains.len(), 20);
        // d19 comes twentieth, past the short list, in two spellings: 4 in all.
        assert_eq!(f.email_domains[0], "d19.example.com");
        // The others twice each: by name.
        assert_eq!(f.email_domains[1], "d00.example.com");
        assert!(f.users.is_empty() && f.upn_domain.is_none());
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

//! The wizard's Match review, pure: what the join of two user lists found, with the admin's
//! choices applied, and the roster rows that result.
//!
//! Choices ([`MatchChoice`]) name users by their stable IDs (Salesforce user Id, Microsoft
//! account id), so the same choices give the same roster after the exports were re-sorted or
//! re-downloaded. A choice that no longer fits (its user is gone, the candidate is no longer
//! one, the account went to someone else) is not applied: [`MatchReview::stale`] lists it with
//! the reason, and the person shows as the join found them.

use crate::directory::join::{JoinOutcome, Match, MatchedBy};
use crate::directory::{MicrosoftUser, SalesforceUser};
use crate::session::MatchChoice;
use std::collections::{HashMap, HashSet};

/// Which part of the review a person is in (what the join found, before any choice).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Section {
    /// One candidate on each side.
    Matched,
    /// Several Microsoft accounts fit the evidence: the admin chooses one or leaves them out.
    Ambiguous,
    /// No Microsoft account fits: the admin picks one by search or leaves them out.
    OnlySalesforce,
}

impl Section {
    /// Every section in review order.
    pub const ALL: [Section; 3] = [
        Section::Matched,
        Section::Ambiguous,
        Section::OnlySalesforce,
    ];

    /// Title shown on the tab.
    pub fn title(self) -> &'static str {
        match self {
            Section::Matched => "Matched",
            Section::Ambiguous => "Ambiguous",
            Section::OnlySalesforce => "Only in Salesforce",
        }
    }
}

/// Where a person stands now.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Decision {
    /// In the roster with this Microsoft account (index into the Microsoft list).
    Joined { microsoft: usize, how: How },
    /// Left out by the admin.
    LeftOut,
    /// Ambiguous or only in Salesforce and not decided yet: not in the roster.
    Undecided,
}

/// Why a person is joined to their account.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum How {
    /// The join's own match, by this key.
    Evidence(MatchedBy),
    /// The admin chose this candidate of an ambiguous person (its key).
    Chosen(MatchedBy),
    /// The admin picked the account by search (no evidence).
    Picked,
}

/// One Salesforce user in the review.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Person {
    /// Index into the Salesforce list.
    pub salesforce: usize,
    pub section: Section,
    /// Ambiguous: the Microsoft accounts that fit, with their keys.
    pub candidates: Vec<(usize, MatchedBy)>,
    pub decision: Decision,
}

/// A recorded choice that does not fit the current join (not applied).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stale {
    pub choice: MatchChoice,
    pub reason: StaleReason,
}

/// Why a choice is not applied.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StaleReason {
    /// No Salesforce user with that Id is matched, ambiguous or only in Salesforce now.
    UnknownSalesforce,
    /// The Microsoft account is not in the export (or, for a choice, not a candidate now).
    UnknownMicrosoft,
    /// The choice is of another kind than the person's section needs now (e.g. a pick for
    /// someone the join now matches).
    WrongSection,
    /// The account is already the Microsoft account of another person in the roster.
    Taken,
}

impl StaleReason {
    /// What the admin reads.
    pub fn message(self) -> &'static str {
        match self {
            StaleReason::UnknownSalesforce => "the Salesforce user is not in the export now",
            StaleReason::UnknownMicrosoft => "the Microsoft account is not a candidate now",
            StaleReason::WrongSection => "the join now finds this person differently",
            StaleReason::Taken => "the account belongs to another person of the roster",
        }
    }
}

/// The join with the admin's choices applied.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MatchReview {
    /// Matched, ambiguous and only-in-Salesforce people, in Salesforce list order.
    pub people: Vec<Person>,
    /// Choices not applied, with why.
    pub stale: Vec<Stale>,
}

/// Counts for the screen's tabs and the status line.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ReviewCounts {
    pub matched: usize,
    pub ambiguous: usize,
    pub only_salesforce: usize,
    /// People in the roster (joined by evidence, choice or pick).
    pub joined: usize,
    pub left_out: usize,
    pub undecided: usize,
}

fn ms_key(id: &str) -> String {
    id.to_ascii_lowercase()
}

impl MatchReview {
    /// Applies `choices` (at most one per Salesforce user counts: the last) to `outcome`.
    pub fn new(
        sf: &[SalesforceUser],
        ms: &[MicrosoftUser],
        outcome: &JoinOutcome,
        choices: &[MatchChoice],
    ) -> MatchReview {
        let mut people: Vec<Person> = Vec::with_capacity(
            outcome.matched.len() + outcome.ambiguous.len() + outcome.only_salesforce.len(),
        );
        for m in &outcome.matched {
            people.push(Person {
                salesforce: m.salesforce,
                section: Section::Matched,
                candidates: Vec::new(),
                decision: Decision::Joined {
                    microsoft: m.microsoft,
                    how: How::Evidence(m.by.clone()),
                },
            });
        }
        for a in &outcome.ambiguous {
            people.push(Person {
                salesforce: a.salesforce,
                section: Section::Ambiguous,
                candidates: a.candidates.clone(),
                decision: Decision::Undecided,
            });
        }
        for &s in &outcome.only_salesforce {
            people.push(Person {
                salesforce: s,
                section: Section::OnlySalesforce,
                candidates: Vec::new(),
                decision: Decision::Undecided,
            });
        }
        people.sort_by_key(|p| p.salesforce);
        let by_sf: HashMap<&str, usize> = people
            .iter()
            .enumerate()
            .map(|(i, p)| (sf[p.salesforce].id.as_str(), i))
            .collect();
        // Only the accounts picked by search need finding by id: one pass, no map of every
        // account (this runs on every choice, over 300,000 accounts in a large tenant).
        let mut ms_by_id: HashMap<String, usize> = choices
            .iter()
            .filter_map(|c| match c {
                MatchChoice::Pick { microsoft_id, .. } => Some((ms_key(microsoft_id), usize::MAX)),
                _ => None,
            })
            .collect();
        if !ms_by_id.is_empty() {
            let mut key = String::new();
            for (i, u) in ms.iter().enumerate() {
                key.clear();
                key.push_str(&u.id);
                key.make_ascii_lowercase();
                if let Some(at) = ms_by_id.get_mut(&key) {
                    if *at == usize::MAX {
                        *at = i;
                    }
                }
            }
            ms_by_id.retain(|_, at| *at != usize::MAX);
        }
        // The last choice per person counts (the session keeps one anyway).
        let mut last: HashMap<&str, usize> = HashMap::new();
        for (i, c) in choices.iter().enumerate() {
            last.insert(c.salesforce_id(), i);
        }
        let mut order: Vec<usize> = last.into_values().collect();
        order.sort_unstable();
        // Accounts the join itself gave away are taken before any choice is applied.
        let mut taken: HashMap<usize, usize> = people
            .iter()
            .enumerate()
            .filter_map(|(i, p)| match p.decision {
                Decision::Joined { microsoft, .. } => Some((microsoft, i)),
                _ => None,
            })
            .collect();
        let mut stale = Vec::new();
        for c in order.into_iter().map(|i| &choices[i]) {
            let bad = |reason| Stale {
                choice: c.clone(),
                reason,
            };
            let Some(&p) = by_sf.get(c.salesforce_id()) else {
                stale.push(bad(StaleReason::UnknownSalesforce));
                continue;
            };
            let person = &people[p];
            let decision = match c {
                MatchChoice::LeaveOut { .. } => Decision::LeftOut,
                MatchChoice::Choose { microsoft_id, .. } => {
                    if person.section != Section::Ambiguous {
                        stale.push(bad(StaleReason::WrongSection));
                        continue;
                    }
                    let Some((m, by)) = person
                        .candidates
                        .iter()
                        .find(|(m, _)| ms_key(&ms[*m].id) == ms_key(microsoft_id))
                    else {
                        stale.push(bad(StaleReason::UnknownMicrosoft));
                        continue;
                    };
                    Decision::Joined {
                        microsoft: *m,
                        how: How::Chosen(by.clone()),
                    }
                }
                MatchChoice::Pick { microsoft_id, .. } => {
                    if person.section != Section::OnlySalesforce {
                        stale.push(bad(StaleReason::WrongSection));
                        continue;
                    }
                    let Some(&m) = ms_by_id.get(&ms_key(microsoft_id)) else {
                        stale.push(bad(StaleReason::UnknownMicrosoft));
                        continue;
                    };
                    Decision::Joined {
                        microsoft: m,
                        how: How::Picked,
                    }
                }
            };
            if let Decision::Joined { microsoft, .. } = decision {
                if taken.get(&microsoft).is_some_and(|&other| other != p) {
                    stale.push(bad(StaleReason::Taken));
                    continue;
                }
                taken.insert(microsoft, p);
            }
            // A person left out frees their account for a pick made later.
            if let Decision::Joined { microsoft, .. } = people[p].decision {
                if taken.get(&microsoft) == Some(&p) && decision == Decision::LeftOut {
                    taken.remove(&microsoft);
                }
            }
            people[p].decision = decision;
        }
        MatchReview { people, stale }
    }

    /// The people of one section, in Salesforce list order (indexes into `people`).
    pub fn section(&self, section: Section) -> Vec<usize> {
        (0..self.people.len())
            .filter(|&i| self.people[i].section == section)
            .collect()
    }

    /// Counts per section and decision.
    pub fn counts(&self) -> ReviewCounts {
        let mut c = ReviewCounts::default();
        for p in &self.people {
            match p.section {
                Section::Matched => c.matched += 1,
                Section::Ambiguous => c.ambiguous += 1,
                Section::OnlySalesforce => c.only_salesforce += 1,
            }
            match p.decision {
                Decision::Joined { .. } => c.joined += 1,
                Decision::LeftOut => c.left_out += 1,
                Decision::Undecided => c.undecided += 1,
            }
        }
        c
    }

    /// Microsoft accounts in the roster now (by index), each with its person.
    pub fn taken(&self) -> HashSet<usize> {
        self.people
            .iter()
            .filter_map(|p| match p.decision {
                Decision::Joined { microsoft, .. } => Some(microsoft),
                _ => None,
            })
            .collect()
    }

    /// The roster: one row per joined person, in Salesforce list order, in field order
    /// (the join's own [`Match::roster_row`], so `roster join` and the wizard agree).
    pub fn rows(&self, sf: &[SalesforceUser], ms: &[MicrosoftUser]) -> Vec<[String; 5]> {
        self.people
            .iter()
            .filter_map(|p| match &p.decision {
                Decision::Joined { microsoft, how } => {
                    let by = match how {
                        How::Evidence(by) | How::Chosen(by) => by.clone(),
                        How::Picked => picked_by(&sf[p.salesforce], &ms[*microsoft]),
                    };
                    let m = Match {
                        salesforce: p.salesforce,
                        microsoft: *microsoft,
                        by,
                    };
                    Some(m.roster_row(sf, ms))
                }
                _ => None,
            })
            .collect()
    }
}

/// A picked account has no evidence; the row needs a `MatchedBy` only to be a `Match`.
fn picked_by(sf: &SalesforceUser, ms: &MicrosoftUser) -> MatchedBy {
    let _ = sf;
    MatchedBy {
        salesforce: crate::directory::join::SfKey::Email,
        microsoft: crate::directory::join::MsKey::Upn,
        value: ms.upn.clone(),
    }
}

/// Microsoft accounts whose display name, UPN or mail contains `query` (case-insensitive),
/// not in `exclude` (accounts already in the roster, skipped ones), at most `limit`, in list
/// order. An empty query lists the first `limit`.
pub fn search_microsoft(
    ms: &[MicrosoftUser],
    exclude: &HashSet<usize>,
    query: &str,
    limit: usize,
) -> Vec<usize> {
    let q = query.trim();
    let hit = |u: &MicrosoftUser| {
        q.is_empty()
            || contains_folded(&u.display_name, q)
            || contains_folded(&u.upn, q)
            || u.mail.as_deref().is_some_and(|m| contains_folded(m, q))
    };
    ms.iter()
        .enumerate()
        .filter(|(i, u)| !exclude.contains(i) && hit(u))
        .map(|(i, _)| i)
        .take(limit)
        .collect()
}

/// Whether `hay` contains `needle` ignoring case; without allocating for ASCII (a search runs
/// over every account, 300,000 in a large tenant, on each key typed).
fn contains_folded(hay: &str, needle: &str) -> bool {
    if hay.is_ascii() && needle.is_ascii() {
        let (h, n) = (hay.as_bytes(), needle.as_bytes());
        return n.len() <= h.len() && h.windows(n.len()).any(|w| w.eq_ignore_ascii_case(n));
    }
    hay.to_lowercase().contains(&needle.to_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn account(name: &str, upn: &str, mail: Option<&str>) -> MicrosoftUser {
        MicrosoftUser {
            id: upn.into(),
            upn: upn.into(),
            display_name: name.into(),
            mail: mail.map(Into::into),
            enabled: true,
            ..Default::default()
        }
    }

    #[test]
    fn search_finds_name_upn_or_mail_ignoring_case_and_skips_excluded() {
        let ms = vec![
            account("Alan Turing", "aturing@contoso.com", None),
            account("Ada Lovelace", "ada@contoso.com", Some("Ada.L@Contoso.com")),
            account("Zoë Ärger", "zoe@contoso.com", None),
        ];
        let none = HashSet::new();
        assert_eq!(search_microsoft(&ms, &none, "TURING", 10), vec![0]);
        assert_eq!(search_microsoft(&ms, &none, "ada.l@", 10), vec![1]);
        assert_eq!(search_microsoft(&ms, &none, "zoë ä", 10), vec![2]);
        assert_eq!(search_microsoft(&ms, &none, "", 2), vec![0, 1]);
        assert_eq!(
            search_microsoft(&ms, &HashSet::from([0]), "contoso", 10),
            vec![1, 2]
        );
    }
}

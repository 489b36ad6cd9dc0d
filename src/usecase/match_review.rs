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
///
/// Built once per join ([`MatchReview::new`]); a changed choice is applied with
/// [`MatchReview::reapply`], which costs what the choices touch, not what the join holds: the
/// people the previous choices had changed go back to the join's decision and the choices are
/// applied again in order (so the outcome is exactly that of a fresh `new`). At 100,000
/// Salesforce users a keypress on Match review then never rebuilds the whole review on the
/// screen thread (`examples/match_review_bench.rs` has the figures).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MatchReview {
    /// Matched, ambiguous and only-in-Salesforce people, in Salesforce list order.
    pub people: Vec<Person>,
    /// Choices not applied, with why.
    pub stale: Vec<Stale>,
    index: Index,
}

/// What a review keeps between choices: the join's side, computed once.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct Index {
    /// Person by Salesforce user Id.
    by_sf: HashMap<String, usize>,
    /// People per section (indexes into `people`), in [`Section::ALL`] order.
    sections: [Vec<usize>; 3],
    /// Accounts the join itself gave away: account → person.
    join_taken: HashMap<usize, usize>,
    /// Microsoft accounts the join skipped (disabled, guest): never offered by a search.
    ms_skipped: HashSet<usize>,
    /// Microsoft account ids (folded) already looked up for picks: one pass over the accounts
    /// per new id, not per recompute.
    ms_by_id: HashMap<String, Option<usize>>,
    /// Counts with no choice applied.
    join_counts: ReviewCounts,
    /// What the choices changed: person → the join's decision, to restore before reapplying.
    touched: Vec<(usize, Decision)>,
    /// Accounts now taken by a choice (account → person), and join accounts freed by one.
    chosen_taken: HashMap<usize, usize>,
    freed: HashSet<usize>,
    counts: ReviewCounts,
    /// Undecided people per section.
    to_decide: [usize; 3],
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
        let mut index = Index {
            by_sf: people
                .iter()
                .enumerate()
                .map(|(i, p)| (sf[p.salesforce].id.clone(), i))
                .collect(),
            ..Index::default()
        };
        for (i, p) in people.iter().enumerate() {
            index.sections[section_index(p.section)].push(i);
            if let Decision::Joined { microsoft, .. } = p.decision {
                index.join_taken.insert(microsoft, i);
            }
        }
        index.ms_skipped = outcome
            .skipped
            .iter()
            .filter(|s| s.side == crate::directory::Side::Microsoft)
            .map(|s| s.index)
            .collect();
        let mut c = ReviewCounts::default();
        for p in &people {
            c.add(p.section, &p.decision, 1);
        }
        index.join_counts = c;
        index.to_decide = [0, c.ambiguous, c.only_salesforce];
        let mut review = MatchReview {
            people,
            stale: Vec::new(),
            index,
        };
        review.reapply(ms, choices);
        review
    }

    /// Applies `choices` again (the session's choices after one changed): the same outcome as
    /// [`MatchReview::new`] with them, in time proportional to the choices.
    pub fn reapply(&mut self, ms: &[MicrosoftUser], choices: &[MatchChoice]) {
        let ix = &mut self.index;
        for (p, was) in ix.touched.drain(..) {
            self.people[p].decision = was;
        }
        ix.chosen_taken.clear();
        ix.freed.clear();
        self.stale.clear();
        // Only the accounts picked by search need finding by id; ids seen before are known.
        let new_ids: HashSet<String> = choices
            .iter()
            .filter_map(|c| match c {
                MatchChoice::Pick { microsoft_id, .. } => Some(ms_key(microsoft_id)),
                _ => None,
            })
            .filter(|k| !ix.ms_by_id.contains_key(k))
            .collect();
        if !new_ids.is_empty() {
            let mut found: HashMap<String, Option<usize>> =
                new_ids.into_iter().map(|k| (k, None)).collect();
            let mut key = String::new();
            for (i, u) in ms.iter().enumerate() {
                key.clear();
                key.push_str(&u.id);
                key.make_ascii_lowercase();
                if let Some(at @ None) = found.get_mut(&key) {
                    *at = Some(i);
                }
            }
            ix.ms_by_id.extend(found);
        }
        // The last choice per person counts (the session keeps one anyway).
        let mut last: HashMap<&str, usize> = HashMap::new();
        for (i, c) in choices.iter().enumerate() {
            last.insert(c.salesforce_id(), i);
        }
        let mut order: Vec<usize> = last.into_values().collect();
        order.sort_unstable();
        for c in order.into_iter().map(|i| &choices[i]) {
            let bad = |reason| Stale {
                choice: c.clone(),
                reason,
            };
            let Some(&p) = ix.by_sf.get(c.salesforce_id()) else {
                self.stale.push(bad(StaleReason::UnknownSalesforce));
                continue;
            };
            let person = &self.people[p];
            let decision = match c {
                MatchChoice::LeaveOut { .. } => Decision::LeftOut,
                MatchChoice::Choose { microsoft_id, .. } => {
                    if person.section != Section::Ambiguous {
                        self.stale.push(bad(StaleReason::WrongSection));
                        continue;
                    }
                    let Some((m, by)) = person
                        .candidates
                        .iter()
                        .find(|(m, _)| ms_key(&ms[*m].id) == ms_key(microsoft_id))
                    else {
                        self.stale.push(bad(StaleReason::UnknownMicrosoft));
                        continue;
                    };
                    Decision::Joined {
                        microsoft: *m,
                        how: How::Chosen(by.clone()),
                    }
                }
                MatchChoice::Pick { microsoft_id, .. } => {
                    if person.section != Section::OnlySalesforce {
                        self.stale.push(bad(StaleReason::WrongSection));
                        continue;
                    }
                    let Some(&Some(m)) = ix.ms_by_id.get(&ms_key(microsoft_id)) else {
                        self.stale.push(bad(StaleReason::UnknownMicrosoft));
                        continue;
                    };
                    Decision::Joined {
                        microsoft: m,
                        how: How::Picked,
                    }
                }
            };
            if let Decision::Joined { microsoft, .. } = decision {
                if ix.taken_by(microsoft).is_some_and(|other| other != p) {
                    self.stale.push(bad(StaleReason::Taken));
                    continue;
                }
                ix.chosen_taken.insert(microsoft, p);
            }
            // A person left out frees their account for a pick made later.
            if let Decision::Joined { microsoft, .. } = self.people[p].decision {
                if ix.taken_by(microsoft) == Some(p) && decision == Decision::LeftOut {
                    ix.chosen_taken.remove(&microsoft);
                    ix.freed.insert(microsoft);
                }
            }
            let was = std::mem::replace(&mut self.people[p].decision, decision);
            ix.touched.push((p, was));
        }
        // Counts: the join's, corrected for the people the choices changed.
        let mut c = ix.join_counts;
        let mut to_decide = [0, c.ambiguous, c.only_salesforce];
        for (p, was) in &ix.touched {
            let person = &self.people[*p];
            c.add(person.section, was, -1);
            c.add(person.section, &person.decision, 1);
            let s = section_index(person.section);
            to_decide[s] -= usize::from(*was == Decision::Undecided);
            to_decide[s] += usize::from(person.decision == Decision::Undecided);
        }
        ix.counts = c;
        ix.to_decide = to_decide;
    }

    /// The people of one section, in Salesforce list order (indexes into `people`).
    pub fn section(&self, section: Section) -> &[usize] {
        &self.index.sections[section_index(section)]
    }

    /// People of `section` not decided yet.
    pub fn to_decide(&self, section: Section) -> usize {
        self.index.to_decide[section_index(section)]
    }

    /// Counts per section and decision.
    pub fn counts(&self) -> ReviewCounts {
        self.index.counts
    }

    /// The person whose Salesforce user Id is `id`, if the review has them.
    pub fn person_by_id(&self, id: &str) -> Option<usize> {
        self.index.by_sf.get(id).copied()
    }

    /// Microsoft accounts in the roster now (by index).
    pub fn taken(&self) -> HashSet<usize> {
        self.people
            .iter()
            .filter_map(|p| match p.decision {
                Decision::Joined { microsoft, .. } => Some(microsoft),
                _ => None,
            })
            .collect()
    }

    /// Whether a search may not offer account `m`: it is in the roster already, or the join
    /// skipped it (disabled, guest).
    pub fn unavailable(&self, m: usize) -> bool {
        self.index.taken_by(m).is_some() || self.index.ms_skipped.contains(&m)
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

impl Index {
    /// The person account `m` belongs to now (the join's, unless a choice freed or took it).
    fn taken_by(&self, m: usize) -> Option<usize> {
        self.chosen_taken.get(&m).copied().or_else(|| {
            self.join_taken
                .get(&m)
                .copied()
                .filter(|_| !self.freed.contains(&m))
        })
    }
}

impl ReviewCounts {
    /// Adds (`by` = 1) or takes away (`by` = -1) one person.
    fn add(&mut self, section: Section, decision: &Decision, by: isize) {
        let f = |n: &mut usize| *n = n.wrapping_add_signed(by);
        match section {
            Section::Matched => f(&mut self.matched),
            Section::Ambiguous => f(&mut self.ambiguous),
            Section::OnlySalesforce => f(&mut self.only_salesforce),
        }
        match decision {
            Decision::Joined { .. } => f(&mut self.joined),
            Decision::LeftOut => f(&mut self.left_out),
            Decision::Undecided => f(&mut self.undecided),
        }
    }
}

fn section_index(s: Section) -> usize {
    match s {
        Section::Matched => 0,
        Section::Ambiguous => 1,
        Section::OnlySalesforce => 2,
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
/// not `excluded` (accounts already in the roster, skipped ones: see
/// [`MatchReview::unavailable`]), at most `limit`, in list order. An empty query lists the
/// first `limit`.
pub fn search_microsoft(
    ms: &[MicrosoftUser],
    excluded: impl Fn(usize) -> bool,
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
        .filter(|(i, u)| !excluded(*i) && hit(u))
        .map(|(i, _)| i)
        .take(limit)
        .collect()
}

/// Whether `hay` contains `needle` ignoring case; without allocating for ASCII (a search runs
/// over every account, 300,000 in a large tenant, on each key typed).
fn contains_folded(hay: &str, needle: &str) -> bool {
    if hay.is_ascii() && needle.is_ascii() {
        let (h, n) = (hay.as_bytes(), needle.as_bytes());
        let Some(&first) = n.first() else {
            return true;
        };
        if n.len() > h.len() {
            return false;
        }
        // Only where the first byte (either case) occurs can the needle start: memchr finds
        // those positions far faster than comparing every window.
        let last_start = h.len() - n.len();
        let (lo, up) = (first.to_ascii_lowercase(), first.to_ascii_uppercase());
        return memchr::memchr2_iter(lo, up, &h[..=last_start])
            .any(|i| h[i..i + n.len()].eq_ignore_ascii_case(n));
    }
    hay.to_lowercase().contains(&needle.to_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::directory::synth::{self, PairOptions};
    use crate::directory::{join, JoinOptions};
    use proptest::prelude::*;

    #[test]
    fn contains_folded_ignores_case_and_finds_every_position() {
        assert!(contains_folded("Ada.Lovelace@Example.com", "lovelace@ex"));
        assert!(contains_folded("aab", "ab"), "a start after a failed one");
        assert!(contains_folded("abc", "C"), "the last byte");
        assert!(contains_folded("abc", ""));
        assert!(!contains_folded("abc", "abcd"));
        assert!(!contains_folded("abc", "bd"));
        assert!(
            contains_folded("1-800@x", "800@X"),
            "a first byte that has no case"
        );
        assert!(contains_folded("Zoë Ådal", "ÅDAL"), "non-ASCII folds too");
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(24))]
        /// Reapplying after each change gives exactly the review a fresh build gives: choices
        /// of every kind, stale ones (wrong section, account taken, unknown people), taken
        /// back and changed, as the session records them (one per person).
        #[test]
        fn reapply_equals_a_fresh_review(
            seed in 0u64..1000,
            ops in prop::collection::vec((0u8..5, any::<prop::sample::Index>(), any::<prop::sample::Index>()), 1..40),
        ) {
            let pair = synth::generate(&PairOptions { salesforce: 120, microsoft: 300, seed });
            let (sf, ms) = (&pair.salesforce, &pair.microsoft);
            let outcome = join(sf, ms, &JoinOptions::default());
            let mut review = MatchReview::new(sf, ms, &outcome, &[]);
            let mut choices: Vec<MatchChoice> = Vec::new();
            for (kind, who, what) in ops {
                let sf_id = sf[who.index(sf.len())].id.clone();
                let ms_id = ms[what.index(ms.len())].id.clone();
                let new = match kind {
                    0 => Some(MatchChoice::LeaveOut { salesforce_id: sf_id.clone() }),
                    1 => Some(MatchChoice::Pick { salesforce_id: sf_id.clone(), microsoft_id: ms_id }),
                    2 => {
                        // A real candidate when the person has some.
                        let cand = outcome.ambiguous.iter().find(|a| sf[a.salesforce].id == sf_id)
                            .map(|a| ms[a.candidates[what.index(a.candidates.len())].0].id.clone());
                        Some(MatchChoice::Choose { salesforce_id: sf_id.clone(), microsoft_id: cand.unwrap_or(ms_id) })
                    }
                    3 => Some(MatchChoice::LeaveOut { salesforce_id: format!("{sf_id}x") }),
                    _ => None,
                };
                choices.retain(|c| c.salesforce_id() != sf_id);
                choices.extend(new);
                review.reapply(ms, &choices);
                let fresh = MatchReview::new(sf, ms, &outcome, &choices);
                prop_assert_eq!(&review.people, &fresh.people);
                prop_assert_eq!(&review.stale, &fresh.stale);
                prop_assert_eq!(review.counts(), fresh.counts());
                let mut brute = ReviewCounts::default();
                for p in &fresh.people {
                    brute.add(p.section, &p.decision, 1);
                }
                prop_assert_eq!(review.counts(), brute);
                for s in Section::ALL {
                    let open = fresh.people.iter()
                        .filter(|p| p.section == s && p.decision == Decision::Undecided).count();
                    prop_assert_eq!(review.to_decide(s), open);
                }
                let taken = fresh.taken();
                for m in 0..ms.len() {
                    let skipped = outcome.skipped.iter()
                        .any(|k| k.side == crate::directory::Side::Microsoft && k.index == m);
                    prop_assert_eq!(review.unavailable(m), taken.contains(&m) || skipped);
                }
            }
        }
    }

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
        let none = |_| false;
        assert_eq!(search_microsoft(&ms, none, "TURING", 10), vec![0]);
        assert_eq!(search_microsoft(&ms, none, "ada.l@", 10), vec![1]);
        assert_eq!(search_microsoft(&ms, none, "zoë ä", 10), vec![2]);
        assert_eq!(search_microsoft(&ms, none, "", 2), vec![0, 1]);
        assert_eq!(search_microsoft(&ms, |i| i == 0, "contoso", 10), vec![1, 2]);
    }
}

//! Joining Salesforce users to Microsoft 365 accounts by evidence, never by name.
//!
//! **Evidence.** A Salesforce user's `FederationIdentifier`, `Username` and `Email` are
//! compared, case-insensitively and trimmed, with each Microsoft account's
//! `userPrincipalName`, `mail` and SMTP `proxyAddresses` (primary and aliases). Any equal pair
//! makes that account a *candidate* for that user. Display names are never compared: two
//! people may share one, and one person's name is spelt differently in the two systems.
//!
//! **Decision.** A user whose candidates are exactly one account, which no other user's
//! evidence points at, is *matched*. When a user's keys point at two or more accounts (the
//! e-mail is one account's alias, the username another's UPN), or two users point at the same
//! account (two Salesforce users sharing an e-mail), every user involved is *ambiguous*: listed
//! with the candidates and the rival users, never guessed. Strength does not break ties: a
//! stronger key pointing elsewhere is exactly the case where one of the two is stale.
//!
//! **Strength** only says which key a match is recorded by, strongest first (see
//! [`MatchedBy::strength`]): `FederationIdentifier` = UPN (what single sign-on already
//! trusts), `Username` = UPN, `Email` = `mail`, `Email` = UPN, `Username` = `mail`,
//! `FederationIdentifier` = `mail`, then anything = an address in `proxyAddresses`.
//!
//! **Skipped.** Inactive Salesforce users, users whose `UserType` is not `Standard` (portal,
//! Chatter, automated users), disabled and guest Microsoft accounts take no part unless
//! [`JoinOptions::include_inactive`]: they are listed with the reason, and an active user whose
//! only evidence pointed at a disabled account is "only in Salesforce".

use super::{MicrosoftUser, SalesforceUser};
use serde::Serialize;

/// What the join may take part.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct JoinOptions {
    /// Take inactive / non-standard Salesforce users and disabled / guest Microsoft accounts
    /// into the join instead of skipping them.
    pub include_inactive: bool,
}

/// The Salesforce value that matched.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SfKey {
    FederationId,
    Username,
    Email,
}

/// The Microsoft value that matched.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MsKey {
    Upn,
    Mail,
    ProxyAddress,
}

/// Which pair of keys made a match, and the value they share (as Salesforce spells it).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MatchedBy {
    pub salesforce: SfKey,
    pub microsoft: MsKey,
    pub value: String,
}

impl MatchedBy {
    /// 0 is the strongest evidence; see the module documentation for the order.
    pub fn strength(&self) -> u8 {
        strength(self.salesforce, self.microsoft)
    }
}

fn strength(sf: SfKey, ms: MsKey) -> u8 {
    use MsKey::*;
    use SfKey::*;
    match (sf, ms) {
        (FederationId, Upn) => 0,
        (Username, Upn) => 1,
        (Email, Mail) => 2,
        (Email, Upn) => 3,
        (Username, Mail) => 4,
        (FederationId, Mail) => 5,
        (Email, ProxyAddress) => 6,
        (Username, ProxyAddress) => 7,
        (FederationId, ProxyAddress) => 8,
    }
}

/// One Salesforce user joined to one Microsoft account (indexes into the joined slices).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Match {
    pub salesforce: usize,
    pub microsoft: usize,
    pub by: MatchedBy,
}

impl Match {
    /// The roster row for this person, in `Field` order: full name (Salesforce's), Salesforce
    /// login, Salesforce user ID (as exported), Office 365 login (the UPN), Office 365 e-mail
    /// address (`mail`, else the primary SMTP proxy address, else empty: no address is
    /// invented, the roster's validation then asks for one).
    pub fn roster_row(&self, sf: &[SalesforceUser], ms: &[MicrosoftUser]) -> [String; 5] {
        let (s, m) = (&sf[self.salesforce], &ms[self.microsoft]);
        let email = m
            .mail
            .as_deref()
            .or_else(|| m.primary_smtp())
            .unwrap_or_default();
        [
            s.name.clone(),
            s.username.clone(),
            s.id.clone(),
            m.upn.clone(),
            email.to_string(),
        ]
    }
}

/// A Salesforce user the evidence does not settle.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Ambiguous {
    pub salesforce: usize,
    /// Every account the user's keys point at, strongest evidence first.
    pub candidates: Vec<(usize, MatchedBy)>,
    /// Other Salesforce users whose evidence points at one of these candidates too.
    pub contested_by: Vec<usize>,
}

/// Which export a skipped entry is in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    Salesforce,
    Microsoft,
}

/// Why an entry took no part in the join.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SkipReason {
    /// Salesforce `IsActive` is false.
    Inactive,
    /// Salesforce `UserType` is not `Standard`.
    NotStandardUser,
    /// Microsoft `accountEnabled` is false.
    Disabled,
    /// Microsoft `userType` is `Guest`.
    Guest,
}

impl SkipReason {
    /// The reason for a person.
    pub fn text(self) -> &'static str {
        match self {
            SkipReason::Inactive => "inactive in Salesforce",
            SkipReason::NotStandardUser => "not a standard Salesforce user",
            SkipReason::Disabled => "disabled in Microsoft 365",
            SkipReason::Guest => "a guest account in Microsoft 365",
        }
    }
}

/// An entry left out of the join.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Skipped {
    pub side: Side,
    pub index: usize,
    pub reason: SkipReason,
}

/// Everyone, sorted into what the evidence says (indexes into the joined slices, ascending).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct JoinOutcome {
    pub matched: Vec<Match>,
    pub ambiguous: Vec<Ambiguous>,
    pub only_salesforce: Vec<usize>,
    pub only_microsoft: Vec<usize>,
    pub skipped: Vec<Skipped>,
}

impl JoinOutcome {
    /// Whether every Salesforce user taking part was matched (nothing ambiguous, nobody only
    /// in Salesforce): the `roster join` success condition.
    pub fn all_matched(&self) -> bool {
        self.ambiguous.is_empty() && self.only_salesforce.is_empty()
    }
}

/// Why a Salesforce user takes no part, if it does not.
fn sf_skip(u: &SalesforceUser, opts: &JoinOptions) -> Option<SkipReason> {
    if opts.include_inactive {
        None
    } else if !u.active {
        Some(SkipReason::Inactive)
    } else if !u.is_standard() {
        Some(SkipReason::NotStandardUser)
    } else {
        None
    }
}

/// Why a Microsoft account takes no part, if it does not.
fn ms_skip(u: &MicrosoftUser, opts: &JoinOptions) -> Option<SkipReason> {
    if opts.include_inactive {
        None
    } else if !u.enabled {
        Some(SkipReason::Disabled)
    } else if u.is_guest() {
        Some(SkipReason::Guest)
    } else {
        None
    }
}

/// Trimmed and lower-cased into `buf` (addresses and logins compare without case).
fn fold<'b>(s: &str, buf: &'b mut String) -> &'b str {
    buf.clear();
    let s = super::trimmed(s);
    // Nearly every login and address is ASCII: one copy and an in-place fold, no per-char
    // Unicode case mapping.
    if s.is_ascii() {
        buf.push_str(s);
        buf.make_ascii_lowercase();
        return buf;
    }
    for c in s.chars() {
        if c.is_ascii() {
            buf.push(c.to_ascii_lowercase());
        } else {
            buf.extend(c.to_lowercase());
        }
    }
    buf
}

fn hash(folded: &str) -> u64 {
    xxhash_rust::xxh3::xxh3_64(folded.as_bytes())
}

/// One Microsoft key in the index: two machine words per key instead of a string each.
#[derive(Clone, Copy)]
struct Posting {
    hash: u64,
    ms: u32,
    key: MsKey,
}

/// The Microsoft keys grouped by the hash's top bits, with a directory of the groups: a
/// look-up reads the directory and then the few postings of one bucket (two cache misses),
/// where a binary search over 900,000 postings took twenty.
struct Index {
    postings: Vec<Posting>,
    /// `dir[b]..dir[b + 1]`: the postings whose hash's top `64 - shift` bits are `b`.
    dir: Vec<u32>,
    shift: u32,
}

impl Index {
    fn new(parts: [Vec<Posting>; 2]) -> Index {
        let len = parts.iter().map(Vec::len).sum::<usize>();
        // About one posting per bucket.
        let bits = usize::BITS - len.max(2).leading_zeros();
        let bits = bits.clamp(1, 24);
        let shift = 64 - bits;
        // A counting sort on the bucket (two passes and a scatter): within a bucket the
        // postings stay in account order, and nothing needs them sorted further, where a
        // comparison sort of 900,000 postings took most of the index's time.
        let bucket = |p: &Posting| (p.hash >> shift) as usize;
        let mut dir = vec![0u32; (1 << bits) + 1];
        for p in parts.iter().flatten() {
            dir[bucket(p) + 1] += 1;
        }
        for b in 1..dir.len() {
            dir[b] += dir[b - 1];
        }
        let mut next = dir.clone();
        let mut sorted = vec![
            Posting {
                hash: 0,
                ms: 0,
                key: MsKey::Upn
            };
            len
        ];
        for p in parts.into_iter().flatten() {
            let slot = &mut next[bucket(&p)];
            sorted[*slot as usize] = p;
            *slot += 1;
        }
        Index {
            postings: sorted,
            dir,
            shift,
        }
    }

    /// The postings whose hash is `h`.
    fn get(&self, h: u64) -> impl Iterator<Item = &Posting> {
        let b = (h >> self.shift) as usize;
        let (from, to) = (self.dir[b] as usize, self.dir[b + 1] as usize);
        self.postings[from..to].iter().filter(move |p| p.hash == h)
    }
}

/// The keys of accounts `ms` (numbered from `from`) that take part.
fn postings(ms: &[MicrosoftUser], skip: &[bool], from: usize) -> Vec<Posting> {
    let mut out = Vec::with_capacity(ms.len() * 3);
    let mut buf = String::new();
    for (i, u) in ms.iter().enumerate() {
        if skip[i] {
            continue;
        }
        let mut push = |v: &str, key| {
            let f = fold(v, &mut buf);
            if !f.is_empty() {
                out.push(Posting {
                    hash: hash(f),
                    ms: (from + i) as u32,
                    key,
                });
            }
        };
        push(&u.upn, MsKey::Upn);
        if let Some(m) = &u.mail {
            push(m, MsKey::Mail);
        }
        for a in u.smtp_addresses() {
            push(a, MsKey::ProxyAddress);
        }
    }
    out
}

/// Below this many entries a list is joined on one thread: a second one costs more than it
/// saves.
const SPLIT_FROM: usize = 8192;

/// Runs `a` here and `b` on a second thread when `split`, else one after the other: the join's
/// two halves on a machine's two cores.
fn both<A: Send, B: Send>(
    split: bool,
    a: impl FnOnce() -> A + Send,
    b: impl FnOnce() -> B + Send,
) -> (A, B) {
    if !split {
        return (a(), b());
    }
    std::thread::scope(|scope| {
        let b = scope.spawn(b);
        let a = a();
        (a, b.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
    })
}

/// The Microsoft keys of the accounts taking part (each half of the list on its own core).
fn index(ms: &[MicrosoftUser], skip: &[bool]) -> Index {
    let mid = ms.len() / 2;
    let (a, b) = both(
        ms.len() >= SPLIT_FROM,
        || postings(&ms[..mid], &skip[..mid], 0),
        || postings(&ms[mid..], &skip[mid..], mid),
    );
    Index::new([a, b])
}

/// Whether account `u`'s `key` really is `folded` (a hash is never taken as proof).
fn holds(u: &MicrosoftUser, key: MsKey, folded: &str, buf: &mut String) -> bool {
    match key {
        MsKey::Upn => fold(&u.upn, buf) == folded,
        MsKey::Mail => u.mail.as_deref().is_some_and(|m| fold(m, buf) == folded),
        MsKey::ProxyAddress => u.smtp_addresses().any(|a| fold(a, buf) == folded),
    }
}

/// A candidate while joining: the account and the strongest key pair pointing at it.
#[derive(Clone, Copy)]
struct Cand {
    ms: u32,
    sf: SfKey,
    key: MsKey,
}

/// The candidates of users `sf`, flattened, and where each user's start (`starts[s]`; the
/// caller closes the last).
fn candidates(
    sf: &[SalesforceUser],
    skips: &[Option<SkipReason>],
    ms: &[MicrosoftUser],
    postings: &Index,
) -> (Vec<Cand>, Vec<u32>) {
    let mut cands: Vec<Cand> = Vec::with_capacity(sf.len());
    let mut starts: Vec<u32> = Vec::with_capacity(sf.len() + 1);
    let (mut buf, mut check) = (String::new(), String::new());
    for (s, u) in sf.iter().enumerate() {
        starts.push(cands.len() as u32);
        if skips[s].is_some() {
            continue;
        }
        let from = cands.len();
        let keys = [
            (
                SfKey::FederationId,
                u.federation_id.as_deref().unwrap_or(""),
            ),
            (SfKey::Username, u.username.as_str()),
            (SfKey::Email, u.email.as_str()),
        ];
        for (sf_key, value) in keys {
            let f = fold(value, &mut buf);
            if f.is_empty() {
                continue;
            }
            for p in postings.get(hash(f)) {
                if !holds(&ms[p.ms as usize], p.key, f, &mut check) {
                    continue;
                }
                match cands[from..].iter_mut().find(|c| c.ms == p.ms) {
                    Some(c) if strength(sf_key, p.key) < strength(c.sf, c.key) => {
                        (c.sf, c.key) = (sf_key, p.key);
                    }
                    Some(_) => {}
                    None => cands.push(Cand {
                        ms: p.ms,
                        sf: sf_key,
                        key: p.key,
                    }),
                }
            }
        }
    }
    (cands, starts)
}

/// Joins Salesforce users to Microsoft accounts by evidence; see the module documentation.
pub fn join(sf: &[SalesforceUser], ms: &[MicrosoftUser], opts: &JoinOptions) -> JoinOutcome {
    let mut out = JoinOutcome::default();
    let sf_skips: Vec<Option<SkipReason>> = sf.iter().map(|u| sf_skip(u, opts)).collect();
    let ms_skips: Vec<Option<SkipReason>> = ms.iter().map(|u| ms_skip(u, opts)).collect();
    let ms_skip_flags: Vec<bool> = ms_skips.iter().map(Option::is_some).collect();
    let postings = index(ms, &ms_skip_flags);

    // Each user's candidates, flattened: `cands[starts[s]..starts[s + 1]]`; each half of the
    // Salesforce list looked up on its own core.
    let mid = sf.len() / 2;
    let ((mut cands, mut starts), (more, more_starts)) = both(
        sf.len() >= SPLIT_FROM,
        || candidates(&sf[..mid], &sf_skips[..mid], ms, &postings),
        || candidates(&sf[mid..], &sf_skips[mid..], ms, &postings),
    );
    let base = cands.len() as u32;
    starts.extend(more_starts.iter().map(|s| s + base));
    cands.extend(more);
    starts.push(cands.len() as u32);
    let mut claims = vec![0u32; ms.len()];
    for c in &cands {
        claims[c.ms as usize] += 1;
    }

    // Rival claimants, only for accounts more than one user points at.
    let mut rivals: std::collections::HashMap<u32, Vec<usize>> = Default::default();
    for s in 0..sf.len() {
        for c in &cands[starts[s] as usize..starts[s + 1] as usize] {
            if claims[c.ms as usize] > 1 {
                rivals.entry(c.ms).or_default().push(s);
            }
        }
    }

    let by = |s: usize, c: &Cand| MatchedBy {
        salesforce: c.sf,
        microsoft: c.key,
        value: match c.sf {
            SfKey::FederationId => sf[s].federation_id.as_deref().unwrap_or_default(),
            SfKey::Username => sf[s].username.as_str(),
            SfKey::Email => sf[s].email.as_str(),
        }
        .trim()
        .to_string(),
    };
    for (s, reason) in sf_skips.iter().enumerate() {
        if let Some(reason) = *reason {
            out.skipped.push(Skipped {
                side: Side::Salesforce,
                index: s,
                reason,
            });
            continue;
        }
        let mine = &cands[starts[s] as usize..starts[s + 1] as usize];
        match mine {
            [] => out.only_salesforce.push(s),
            [c] if claims[c.ms as usize] == 1 => out.matched.push(Match {
                salesforce: s,
                microsoft: c.ms as usize,
                by: by(s, c),
            }),
            _ => {
                let mut candidates: Vec<(usize, MatchedBy)> =
                    mine.iter().map(|c| (c.ms as usize, by(s, c))).collect();
                candidates.sort_by_key(|(m, b)| (b.strength(), *m));
                let mut contested_by: Vec<usize> = mine
                    .iter()
                    .filter_map(|c| rivals.get(&c.ms))
                    .flatten()
                    .copied()
                    .filter(|&r| r != s)
                    .collect();
                contested_by.sort_unstable();
                contested_by.dedup();
                out.ambiguous.push(Ambiguous {
                    salesforce: s,
                    candidates,
                    contested_by,
                });
            }
        }
    }
    for (m, reason) in ms_skips.iter().enumerate() {
        match reason {
            Some(reason) => out.skipped.push(Skipped {
                side: Side::Microsoft,
                index: m,
                reason: *reason,
            }),
            None if claims[m] == 0 => out.only_microsoft.push(m),
            None => {}
        }
    }
    out
}

#[cfg(test)]
mod tests;

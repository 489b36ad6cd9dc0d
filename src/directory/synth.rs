//! Deterministic, realistic pairs of user exports with a truth file, for tests and
//! benchmarks (nothing outside the repository is needed).
//!
//! Each Salesforce user is one person in one scenario admins meet: UPN ≠ mail, an old address
//! kept only as a `proxyAddresses` alias, sandbox and country suffixes on usernames, a
//! federation ID as the only link, inactive users, disabled accounts, two users sharing an
//! e-mail, keys that point at two different accounts, portal users, guests, namesakes who
//! are different people, case changes; plus many more Microsoft accounts than Salesforce
//! users. The truth says, per Salesforce user, which account really is theirs and what the
//! evidence supports ([`Expected`]), decided by the scenario, not by running the join.

use super::{MicrosoftUser, SalesforceUser};
use crate::roster::synth::{user_id, Rng, LAST};
use std::fmt::Write;

/// How big a pair to make.
#[derive(Clone, Copy, Debug)]
pub struct PairOptions {
    /// Salesforce users.
    pub salesforce: usize,
    /// Microsoft accounts in all, at least those the Salesforce users' scenarios create;
    /// the rest are people and mailboxes Salesforce does not know.
    pub microsoft: usize,
    pub seed: u64,
}

impl Default for PairOptions {
    fn default() -> Self {
        PairOptions {
            salesforce: 1000,
            microsoft: 3000,
            seed: 1,
        }
    }
}

/// What the join must say about one Salesforce user.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Expected {
    /// Matched to this account (index into [`Pair::microsoft`]).
    Match(usize),
    /// More than one candidate on either side.
    Ambiguous,
    /// No account the join may use points at them.
    OnlySalesforce,
    /// Inactive or not a standard user.
    Skipped,
}

impl Expected {
    /// The truth file's word for it.
    pub fn word(self) -> &'static str {
        match self {
            Expected::Match(_) => "matched",
            Expected::Ambiguous => "ambiguous",
            Expected::OnlySalesforce => "only_salesforce",
            Expected::Skipped => "skipped",
        }
    }
}

/// A generated pair and its truth.
#[derive(Clone, Debug, Default)]
pub struct Pair {
    pub salesforce: Vec<SalesforceUser>,
    pub microsoft: Vec<MicrosoftUser>,
    /// Per Salesforce user: what the join must say.
    pub expected: Vec<Expected>,
    /// Per Salesforce user: the account that really is theirs, if they have one (the evidence
    /// may not show it: then no match is the right answer, and any other match is wrong).
    pub person: Vec<Option<usize>>,
    /// Per Salesforce user: its scenario's name, for failure messages and the truth file.
    pub scenario: Vec<&'static str>,
}

const FIRST: &[&str] = &[
    "James", "Mary", "Robert", "Patricia", "Priya", "Wei", "Olga", "Kwame", "Lucia", "Sven",
    "Aisha", "Hiroshi", "Camille", "Mateo", "Ngozi", "Dmitri", "Zoë", "José",
];
/// Someone's name and an address token unique to them (names repeat; tokens never do).
fn person(rng: &mut Rng, i: usize, tag: char) -> (String, String) {
    let (f, l) = (FIRST[rng.below(FIRST.len())], LAST[rng.below(LAST.len())]);
    let token: String = format!("{f}.{l}")
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '.')
        .collect::<String>()
        .to_ascii_lowercase();
    (format!("{f} {l}"), format!("{token}.{tag}{i}"))
}

/// The same text with its case changed the way people and systems do.
fn recase(rng: &mut Rng, s: &str) -> String {
    match rng.below(4) {
        0 => s.to_uppercase(),
        1 => s
            .split('.')
            .map(|p| {
                let mut c = p.chars();
                c.next()
                    .map(|h| h.to_uppercase().chain(c).collect())
                    .unwrap_or_default()
            })
            .collect::<Vec<String>>()
            .join("."),
        _ => s.to_string(),
    }
}

fn account(name: &str, upn: String, mail: Option<String>, proxies: Vec<String>) -> MicrosoftUser {
    MicrosoftUser {
        id: String::new(),
        upn,
        display_name: name.to_string(),
        mail,
        proxy_addresses: Some(proxies),
        enabled: true,
        user_type: Some("Member".into()),
        line: None,
    }
}

struct Builder {
    rng: Rng,
    seed: u64,
    pair: Pair,
}

impl Builder {
    fn ms(&mut self, a: MicrosoftUser) -> usize {
        self.pair.microsoft.push(a);
        self.pair.microsoft.len() - 1
    }

    fn sf(&mut self, name: &str, username: String, email: String) -> usize {
        let i = self.pair.salesforce.len();
        self.pair.salesforce.push(SalesforceUser {
            id: user_id(i, self.seed),
            name: name.to_string(),
            username,
            email,
            active: true,
            user_type: Some("Standard".into()),
            federation_id: None,
            line: None,
        });
        self.pair.expected.push(Expected::OnlySalesforce);
        self.pair.person.push(None);
        self.pair.scenario.push("");
        i
    }

    fn truth(&mut self, s: usize, scenario: &'static str, person: Option<usize>, e: Expected) {
        self.pair.scenario[s] = scenario;
        self.pair.person[s] = person;
        self.pair.expected[s] = e;
    }

    /// One person of the organization in a random scenario (two for the sharing ones, when
    /// `room` allows).
    fn one(&mut self, room: usize) {
        let i = self.pair.salesforce.len();
        let (name, tok) = person(&mut self.rng, i, 'p');
        let mut r = self.rng.below(100);
        if room < 2 && (78..=84).contains(&r) {
            r = 0;
        }
        // A sandbox, a country or a dev-org suffix, or none.
        let username = [
            format!("{tok}@acme.com.sandbox"),
            format!("{tok}@acme.com.au"),
            format!("{tok}@acme.com.dev"),
            format!("{tok}@acme.com"),
        ][self.rng.below(4)]
        .clone();
        let main = format!("{tok}@acme.com");
        match r {
            // Username = UPN = mail, maybe in another case.
            0..=29 => {
                let m = self.ms(account(
                    &name,
                    main.clone(),
                    Some(main.clone()),
                    vec![format!("SMTP:{main}")],
                ));
                let u = recase(&mut self.rng, &main);
                let e = recase(&mut self.rng, &main);
                let s = self.sf(&name, u, e);
                self.truth(s, "plain", Some(m), Expected::Match(m));
            }
            // UPN ≠ mail; the Salesforce username has a suffix.
            30..=49 => {
                let upn = format!("{tok}@acme.onmicrosoft.com");
                let m = self.ms(account(
                    &name,
                    upn.clone(),
                    Some(main.clone()),
                    vec![format!("SMTP:{main}"), format!("smtp:{upn}")],
                ));
                let e = recase(&mut self.rng, &main);
                let s = self.sf(&name, username, e);
                self.truth(s, "upn-not-mail", Some(m), Expected::Match(m));
            }
            // Salesforce still has the old address, kept only as an alias.
            50..=59 => {
                let old = format!("{tok}@acme-old.com");
                let m = self.ms(account(
                    &name,
                    main.clone(),
                    Some(main.clone()),
                    vec![format!("SMTP:{main}"), format!("smtp:{old}")],
                ));
                let e = recase(&mut self.rng, &old);
                let s = self.sf(&name, format!("{old}.sandbox"), e);
                self.truth(s, "alias-only", Some(m), Expected::Match(m));
            }
            // Only the federation ID links them; the e-mail is a private one.
            60..=67 => {
                let upn = format!("{tok}@acme.onmicrosoft.com");
                let m = self.ms(account(
                    &name,
                    upn.clone(),
                    Some(main.clone()),
                    vec![format!("SMTP:{main}")],
                ));
                let s = self.sf(
                    &name,
                    format!("{tok}@acme.force"),
                    format!("{tok}@home.example"),
                );
                self.pair.salesforce[s].federation_id = Some(recase(&mut self.rng, &upn));
                self.truth(s, "federation-id", Some(m), Expected::Match(m));
            }
            // Inactive in Salesforce; the account may still be enabled.
            68..=73 => {
                let mut a = account(&name, main.clone(), Some(main.clone()), vec![]);
                a.enabled = self.rng.percent(50);
                let m = self.ms(a);
                let s = self.sf(&name, main.clone(), main.clone());
                self.pair.salesforce[s].active = false;
                self.truth(s, "inactive", Some(m), Expected::Skipped);
            }
            // Active in Salesforce, but the only account it points at is disabled.
            74..=77 => {
                let mut a = account(&name, main.clone(), Some(main.clone()), vec![]);
                a.enabled = false;
                let m = self.ms(a);
                let s = self.sf(&name, username, main.clone());
                self.truth(s, "disabled-account", Some(m), Expected::OnlySalesforce);
            }
            // Two users share an e-mail (a team address that is also a mailbox).
            78..=81 => {
                let shared = format!("team.{tok}@acme.com");
                self.ms(account(
                    "Team mailbox",
                    shared.clone(),
                    Some(shared.clone()),
                    vec![],
                ));
                for k in 0..2 {
                    let (n2, t2) = person(&mut self.rng, i + k, 'q');
                    let upn = format!("{t2}@acme.onmicrosoft.com");
                    let m = self.ms(account(&n2, upn, Some(format!("{t2}@acme.com")), vec![]));
                    let e = recase(&mut self.rng, &shared);
                    let s = self.sf(&n2, format!("{t2}@acme.com.sandbox"), e);
                    self.truth(s, "shared-email", Some(m), Expected::Ambiguous);
                }
            }
            // An assistant has the manager's e-mail: the manager's account is contested.
            82..=84 => {
                let boss = self.ms(account(&name, main.clone(), Some(main.clone()), vec![]));
                let b = self.sf(&name, format!("{main}.sandbox"), main.clone());
                let (n2, t2) = person(&mut self.rng, i + 1, 'a');
                let own = format!("{t2}@acme.com");
                let m = self.ms(account(&n2, own.clone(), Some(own.clone()), vec![]));
                let e = recase(&mut self.rng, &main);
                let a = self.sf(&n2, own, e);
                self.truth(b, "contested", Some(boss), Expected::Ambiguous);
                self.truth(a, "keys-disagree", Some(m), Expected::Ambiguous);
            }
            // A namesake in Microsoft 365 who is someone else; this one has no account.
            85..=89 => {
                let other = format!("{tok}.namesake@acme.com");
                self.ms(account(&name, other.clone(), Some(other), vec![]));
                let s = self.sf(
                    &name,
                    format!("{tok}@contractor.example"),
                    format!("{tok}@contractor.example"),
                );
                self.truth(s, "namesake", None, Expected::OnlySalesforce);
            }
            // An external person: a guest account carries their address.
            90..=92 => {
                let ext = format!("{tok}@partner.example");
                let mut g = account(
                    &name,
                    format!("{}_partner.example#EXT#@acme.onmicrosoft.com", tok),
                    Some(ext.clone()),
                    vec![],
                );
                g.user_type = Some("Guest".into());
                let m = self.ms(g);
                let s = self.sf(&name, ext.clone(), ext);
                self.truth(s, "guest", Some(m), Expected::OnlySalesforce);
            }
            // A portal user: not a standard licence.
            93..=95 => {
                let ext = format!("{tok}@customer.example");
                let s = self.sf(&name, format!("{ext}.portal"), ext);
                self.pair.salesforce[s].user_type = Some("PowerPartner".into());
                self.truth(s, "portal", None, Expected::Skipped);
            }
            // No account at all.
            _ => {
                let s = self.sf(
                    &name,
                    format!("{tok}@contractor.example"),
                    format!("{tok}@contractor.example"),
                );
                self.truth(s, "no-account", None, Expected::OnlySalesforce);
            }
        }
    }

    /// Someone only Microsoft 365 knows (or a room, or a disabled leaver, or a guest).
    fn other(&mut self, j: usize) {
        let (name, tok) = person(&mut self.rng, j, 'm');
        let main = format!("{tok}@acme.com");
        let mut a = match self.rng.below(20) {
            0 => account("Room", format!("room.{tok}@acme.com"), None, vec![]),
            1..=3 => account(
                &name,
                format!("{tok}@acme.onmicrosoft.com"),
                Some(main.clone()),
                vec![format!("SMTP:{main}"), format!("smtp:{tok}@acme-old.com")],
            ),
            _ => account(&name, main.clone(), Some(main), vec![]),
        };
        a.enabled = !self.rng.percent(5);
        if self.rng.percent(5) {
            a.user_type = Some("Guest".into());
        }
        self.ms(a);
    }
}

/// Generates a pair of exports and their truth.
pub fn generate(opts: &PairOptions) -> Pair {
    let mut b = Builder {
        rng: Rng(opts.seed),
        seed: opts.seed,
        pair: Pair::default(),
    };
    while b.pair.salesforce.len() < opts.salesforce {
        let room = opts.salesforce - b.pair.salesforce.len();
        b.one(room);
    }
    let mut j = 0;
    while b.pair.microsoft.len() < opts.microsoft {
        b.other(j);
        j += 1;
    }
    // Shuffle the accounts (Fisher–Yates) so no order gives anything away.
    let n = b.pair.microsoft.len();
    let mut perm: Vec<usize> = (0..n).collect();
    for k in (1..n).rev() {
        perm.swap(k, b.rng.below(k + 1));
    }
    // perm[new] = old; where[old] = new.
    let mut where_ = vec![0; n];
    for (new, &old) in perm.iter().enumerate() {
        where_[old] = new;
    }
    let mut old: Vec<Option<MicrosoftUser>> = std::mem::take(&mut b.pair.microsoft)
        .into_iter()
        .map(Some)
        .collect();
    b.pair.microsoft = perm
        .iter()
        .map(|&o| old[o].take().expect("a permutation"))
        .collect();
    for (k, a) in b.pair.microsoft.iter_mut().enumerate() {
        a.id = format!("{:08x}-0000-4000-8000-{:012x}", opts.seed as u32, k);
    }
    for e in &mut b.pair.expected {
        if let Expected::Match(m) = e {
            *m = where_[*m];
        }
    }
    for p in b.pair.person.iter_mut().flatten() {
        *p = where_[*p];
    }
    b.pair
}

fn quote(out: &mut String, v: &str) {
    out.push('"');
    out.push_str(&v.replace('"', "\"\""));
    out.push('"');
}

fn row(out: &mut String, cells: &[&str]) {
    for (k, c) in cells.iter().enumerate() {
        if k > 0 {
            out.push(',');
        }
        quote(out, c);
    }
    out.push_str("\r\n");
}

/// The Salesforce users as a Data Loader export.
pub fn salesforce_csv(users: &[SalesforceUser]) -> String {
    let mut out = String::with_capacity(users.len() * 160);
    out.push_str("\"ID\",\"NAME\",\"USERNAME\",\"EMAIL\",\"ISACTIVE\",\"USERTYPE\",\"FEDERATIONIDENTIFIER\"\r\n");
    for u in users {
        row(
            &mut out,
            &[
                &u.id,
                &u.name,
                &u.username,
                &u.email,
                if u.active { "true" } else { "false" },
                u.user_type.as_deref().unwrap_or(""),
                u.federation_id.as_deref().unwrap_or(""),
            ],
        );
    }
    out
}

/// The Microsoft accounts as `Get-MgUser … | Select … | Export-Csv` writes them: the `#TYPE`
/// line, and `proxyAddresses` joined with `;`.
pub fn microsoft_csv(users: &[MicrosoftUser]) -> String {
    let mut out = String::with_capacity(users.len() * 200);
    out.push_str("#TYPE Selected.Microsoft.Graph.PowerShell.Models.MicrosoftGraphUser\r\n");
    out.push_str("\"Id\",\"DisplayName\",\"UserPrincipalName\",\"Mail\",\"AccountEnabled\",\"UserType\",\"ProxyAddresses\"\r\n");
    for u in users {
        let proxies = u.proxy_addresses.as_deref().unwrap_or_default().join(";");
        row(
            &mut out,
            &[
                &u.id,
                &u.display_name,
                &u.upn,
                u.mail.as_deref().unwrap_or(""),
                if u.enabled { "True" } else { "False" },
                u.user_type.as_deref().unwrap_or(""),
                &proxies,
            ],
        );
    }
    out
}

/// The truth file: per Salesforce user, its ID, scenario, what the join must say, the
/// account it must be matched to (by UPN) and the account that really is theirs.
pub fn truth_csv(pair: &Pair) -> String {
    let mut out = String::from("salesforce_id,scenario,expected,matched_upn,person_upn\r\n");
    for (s, u) in pair.salesforce.iter().enumerate() {
        let upn = |m: Option<usize>| m.map_or("", |m| pair.microsoft[m].upn.as_str());
        let matched = match pair.expected[s] {
            Expected::Match(m) => Some(m),
            _ => None,
        };
        let _ = writeln!(
            out,
            "{},{},{},{},{}\r",
            u.id,
            pair.scenario[s],
            pair.expected[s].word(),
            upn(matched),
            upn(pair.person[s])
        );
    }
    out
}

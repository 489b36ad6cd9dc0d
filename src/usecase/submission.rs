//! What the vendor will receive, as one summary: the users (included, left out and why), the
//! choices that differ from the defaults, the Exchange plan with its checklist progress and the
//! Exchange check result, what blocks the export and what only deserves a look.
//!
//! Built from the same inputs as the bundle (`bundle::build_files`), so Review shows exactly
//! what Export would write or why it would refuse. The wizard's Review step renders it; a new
//! fact of the plan belongs here once and every face shows it.

// Reached from outside only through `tui` (Review's state), which is public with the `testing`
// feature alone.
#![cfg_attr(not(feature = "testing"), allow(unreachable_pub))]

use crate::customize::{
    differences, validate, validate::Difference, Catalogue, Choices, ExchangePlan, Guide, Page,
    RosterFacts,
};
use crate::roster::{Code, Roster, Severity};
use crate::session::Op;
use std::collections::BTreeSet;

/// Everything a submission summary is made from.
pub struct SubmissionInput<'a> {
    pub roster: &'a Roster,
    pub catalogue: &'a Catalogue,
    pub guide: &'a Guide,
    pub choices: &'a Choices,
    /// The roster's facts (kept by the caller: computing them is a pass over the roster).
    pub facts: &'a RosterFacts,
    /// The session's applied operations, oldest first (why rows were left out).
    pub history: &'a [Op],
    /// Changes a resume could not place (they block the export).
    pub unplaced: usize,
    /// The last Exchange check, if one was run.
    pub check: Option<CheckSummary>,
}

pub(crate) use crate::bundle::exchange_check::CheckSummary;

/// Who is in the submission.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Users {
    /// Rows users.csv will hold.
    pub included: usize,
    /// Rows left out because they had errors (`--exclude-invalid`, the wizard's `x`).
    pub left_out_invalid: usize,
    /// Rows the admin excluded one by one.
    pub excluded_by_admin: usize,
    pub with_warnings: usize,
    pub with_errors: usize,
}

/// Where the admin goes to deal with a blocker or a warning.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Place {
    /// The Fix table, filtered to rows with errors, at this 0-based row.
    RowsWithErrors { first: Option<usize> },
    /// The list of changes a resume could not place.
    Unplaced,
    /// The Import step (nothing included to submit).
    Import,
    /// A setting, on the page that shows it.
    Setting { page: Page, key: String },
    /// The Exchange access checklist.
    Checklist,
    /// The Exchange access step, where the check is run.
    ExchangeCheck,
}

/// One thing Review lists: what it is and where to fix it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Item {
    pub what: String,
    pub place: Place,
}

/// One finding code's weight in the roster.
#[derive(Clone, Debug, PartialEq)]
pub struct CodeShare {
    pub code: Code,
    pub count: usize,
    /// `count` over the included rows, 0.0–1.0 (a code fires at most once per cell, so a
    /// code on several fields of a row can pass 1.0 and is capped).
    pub share: f64,
    pub hint: &'static str,
}

/// The submission, whole.
#[derive(Clone, Debug)]
pub struct Submission {
    pub users: Users,
    /// Settings that apply and differ from SmartCloud Connect's defaults, in catalogue order.
    pub changed: Vec<Difference>,
    pub plan: ExchangePlan,
    /// Checklist items (ticked, total).
    pub checklist: (usize, usize),
    pub check: Option<CheckSummary>,
    /// Findings per code in the included rows, most frequent first.
    pub findings: Vec<CodeShare>,
    /// What stops the export, in the order to deal with it.
    pub blockers: Vec<Item>,
    /// What does not stop it but the admin must have seen (acknowledged once).
    pub warnings: Vec<Item>,
}

impl Submission {
    /// Builds the summary. Cost: the choices' validation plus one pass over the exclusion
    /// operations of the history; never a pass over the roster's rows.
    pub fn new(input: &SubmissionInput) -> Submission {
        Submission::with_left_out(input, &left_out_invalid(input.history))
    }

    /// [`Submission::new`] with the rows left out as "has errors" given (a command line's
    /// `--exclude-invalid`) instead of read from the history.
    pub fn with_left_out(input: &SubmissionInput, left_out: &BTreeSet<usize>) -> Submission {
        let roster = input.roster;
        let counts = roster.counts();
        let invalid = left_out
            .iter()
            .copied()
            .filter(|&r| r < roster.len() && roster.is_excluded(r))
            .count();
        let users = Users {
            included: counts.included,
            left_out_invalid: invalid,
            excluded_by_admin: counts.excluded.saturating_sub(invalid),
            with_warnings: counts.rows_with_warnings,
            with_errors: counts.rows_with_errors,
        };
        let mut blockers = Vec::new();
        let mut warnings = Vec::new();
        if input.unplaced > 0 {
            blockers.push(Item {
                what: format!(
                    "{} from the resume: re-apply or drop",
                    plural(input.unplaced, "unplaced change", "unplaced changes")
                ),
                place: Place::Unplaced,
            });
        }
        if counts.rows_with_errors > 0 {
            blockers.push(Item {
                what: format!(
                    "{} still {} errors: fix or leave out",
                    plural(counts.rows_with_errors, "included row", "included rows"),
                    if counts.rows_with_errors == 1 {
                        "has"
                    } else {
                        "have"
                    }
                ),
                place: Place::RowsWithErrors {
                    first: roster.error_rows().next(),
                },
            });
        } else if counts.included == 0 {
            blockers.push(Item {
                what: "No included rows to submit".into(),
                place: Place::Import,
            });
        }
        let cat = input.catalogue;
        for issue in validate(cat, input.choices, input.facts) {
            let Some(s) = cat.get(&issue.key) else {
                continue;
            };
            // Messages usually name their setting already; never twice.
            let what = if issue.message.contains(&s.title) {
                issue.message.clone()
            } else {
                format!("{}: {}", s.title, issue.message)
            };
            let item = Item {
                what,
                place: Place::Setting {
                    page: s.page,
                    key: issue.key.clone(),
                },
            };
            match issue.severity {
                Severity::Error => blockers.push(item),
                Severity::Warning => warnings.push(item),
            }
        }
        let plan = ExchangePlan::new(input.guide, cat, input.choices, input.facts);
        let checklist = plan.progress();
        if checklist.0 < checklist.1 {
            warnings.push(Item {
                what: format!(
                    "Exchange checklist: {} of {} steps done",
                    checklist.0, checklist.1
                ),
                place: Place::Checklist,
            });
        }
        // Every plan has a check (`v` on Exchange access, or `exchange check`).
        match &input.check {
            None => warnings.push(Item {
                what: "Exchange check not run".into(),
                place: Place::ExchangeCheck,
            }),
            Some(c) if c.plan != plan.mode.as_str() => warnings.push(Item {
                what: format!(
                    "Exchange check ran for another plan ({}); run it again",
                    c.plan
                ),
                place: Place::ExchangeCheck,
            }),
            Some(c) if !c.not_reachable.is_empty() => warnings.push(Item {
                what: format!(
                    "Exchange check: {} of {} mailboxes not reached",
                    c.not_reachable.len(),
                    c.mailboxes
                ),
                place: Place::ExchangeCheck,
            }),
            Some(c) if !c.all_ok() => warnings.push(Item {
                what: "Exchange check: a prerequisite failed".into(),
                place: Place::ExchangeCheck,
            }),
            Some(_) => {}
        }
        let rows = counts.included.max(1) as f64;
        let mut findings: Vec<CodeShare> = counts
            .per_code
            .iter()
            .map(|(&code, &count)| CodeShare {
                code,
                count,
                share: (count as f64 / rows).min(1.0),
                hint: fix_hint(code),
            })
            .collect();
        findings.sort_by(|a, b| b.count.cmp(&a.count).then(a.code.cmp(&b.code)));
        Submission {
            users,
            changed: differences(cat, input.choices, input.facts),
            plan,
            checklist,
            check: input.check.clone(),
            findings,
            blockers,
            warnings,
        }
    }

    /// Whether Export would write the bundle.
    pub fn ready(&self) -> bool {
        self.blockers.is_empty()
    }
}

/// 0-based rows the history leaves out as "has errors" (the same rule as report.md's
/// `bundle::Audit`, without copying the cell changes).
pub(crate) fn left_out_invalid(history: &[Op]) -> BTreeSet<usize> {
    let mut set = BTreeSet::new();
    for op in history {
        crate::bundle::audit::record_exclusion(&mut set, op);
    }
    set
}

/// "1 row", "2 rows": a count with the right form of its noun.
pub(crate) fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// What to do about a finding code, in a few words.
pub(crate) fn fix_hint(code: Code) -> &'static str {
    match code {
        Code::MissingValue => "fill in the value",
        Code::WrongFieldCount => "fix the row in the file",
        Code::StrayQuote => "fix the quote in the file",
        Code::TooLong => "replace the value",
        Code::ControlChar | Code::InvisibleChar => "f removes them",
        Code::LostCharacters => "save as CSV UTF-8, import again",
        Code::DisplayNameForm | Code::MailtoPrefix | Code::TrailingPunctuation => {
            "f keeps the address"
        }
        Code::MultipleAddresses => "keep one address",
        Code::RepeatedAddress => "f keeps one",
        Code::AddressInvalid => "correct the address",
        Code::SfLoginTooLong => "use the real username",
        Code::SfidFormat | Code::SfidPrefix | Code::SfidChecksum | Code::Sfid15Case => {
            "copy the User ID again"
        }
        Code::SfidCase => "f restores the case",
        Code::Sfid15 => "f gives the 18-character ID",
        Code::DupSfid | Code::DupSfLogin | Code::DupO365Login => "g shows the first; keep one",
        Code::DupO365Email => "a shared mailbox? check",
        Code::SurroundingWhitespace => "f trims",
        Code::NameLineBreak => "f joins the lines",
        Code::FormulaLike => "check the value",
        Code::SfIdNotFound | Code::SfIdNotUser | Code::SfIdOtherUsername => {
            "copy the User ID from Salesforce again"
        }
        Code::SfUserInactive => "activate the user, or leave the row out",
        Code::O365LoginNotFound => "correct the login",
        Code::O365AccountDisabled => "enable the account, or leave the row out",
        Code::O365EmailNotAddress => "use one of the account's addresses",
    }
}

/// Rows and choices the use cases' unit tests share (`export`'s too).
#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::customize::Value;
    use crate::roster::Record;

    pub(crate) fn roster(rows: &[[&str; 5]]) -> Roster {
        Roster::from_records(
            rows.iter()
                .enumerate()
                .map(|(i, r)| Record::new(i as u64 + 2, r.map(str::to_string)))
                .collect(),
        )
    }

    pub(crate) const GOOD: [&str; 5] = [
        "Ada Lovelace",
        "ada@acme.com",
        "005000000000001AAA",
        "ada@acme.com",
        "ada@acme.com",
    ];

    fn summary(r: &Roster, choices: &Choices, history: &[Op], unplaced: usize) -> Submission {
        let cat = Catalogue::embedded();
        let facts = RosterFacts::from_roster(r);
        Submission::new(&SubmissionInput {
            roster: r,
            catalogue: &cat,
            guide: &Guide::embedded(),
            choices,
            facts: &facts,
            history,
            unplaced,
            check: None,
        })
    }

    pub(crate) fn defaults(r: &Roster) -> Choices {
        Choices::defaults(&Catalogue::embedded(), &RosterFacts::from_roster(r))
    }

    pub(crate) use crate::customize::validate::tests::with_ids;

    #[test]
    fn errors_unplaced_and_choice_errors_block_in_order_with_places() {
        let mut bad = GOOD;
        bad[2] = "xyz";
        let r = roster(&[GOOD, bad]);
        let mut c = defaults(&r);
        c.set("mailbox_access", Value::Text("impersonation".into()));
        c.set("exchange_deployment", Value::Text("on_premises".into()));
        c.set(
            "impersonation_account",
            Value::Text("not an address".into()),
        );
        let s = summary(&r, &c, &[], 2);
        assert!(!s.ready());
        assert_eq!(s.blockers[0].place, Place::Unplaced);
        assert!(s.blockers[0].what.starts_with("2 unplaced changes"));
        assert_eq!(
            s.blockers[1].place,
            Place::RowsWithErrors { first: Some(1) }
        );
        assert_eq!(
            s.blockers[1].what,
            "1 included row still has errors: fix or leave out"
        );
        assert!(s.blockers.iter().any(|b| b.place
            == Place::Setting {
                page: Page::Exchange,
                key: "impersonation_account".into()
            }
            && b.what.starts_with("Impersonating account")
            && b.what.matches("Impersonating account").count() == 1));
        // The changed choices name their titles, not their keys.
        assert!(s.changed.iter().any(|d| d.key == "mailbox_access"));
    }

    #[test]
    fn a_clean_roster_with_defaults_is_ready_with_warnings_to_acknowledge() {
        let r = roster(&[GOOD]);
        // The defaults leave the two app IDs empty: required, so they block, by title.
        let bare = summary(&r, &defaults(&r), &[], 0);
        assert!(!bare.ready());
        let keys: Vec<_> = bare
            .blockers
            .iter()
            .filter_map(|b| match &b.place {
                Place::Setting { key, .. } => Some(key.as_str()),
                _ => None,
            })
            .collect();
        assert_eq!(keys, ["salesforce_client_id", "entra_client_id"]);
        assert!(bare.blockers[0].what.starts_with("Salesforce consumer key"));
        let s = summary(&r, &with_ids(defaults(&r)), &[], 0);
        assert!(s.ready(), "{:?}", s.blockers);
        assert_eq!(s.changed.len(), 2, "the two IDs differ from the defaults");
        assert_eq!(s.users.included, 1);
        assert!(s.warnings.iter().any(|w| w.place == Place::ExchangeCheck));
        if s.checklist.1 > 0 {
            assert!(s.warnings.iter().any(|w| w.place == Place::Checklist));
        }
        let reached = Submission::new(&SubmissionInput {
            check: Some(CheckSummary {
                plan: "per_user".into(),
                api: "graph".into(),
                checked_at: "2026-12-01T23:00:00Z".into(),
                mailboxes: 1,
                reachable: 1,
                not_reachable: Vec::new(),
                prerequisites: Vec::new(),
                note: None,
            }),
            roster: &r,
            catalogue: &Catalogue::embedded(),
            guide: &Guide::embedded(),
            choices: &defaults(&r),
            facts: &RosterFacts::from_roster(&r),
            history: &[],
            unplaced: 0,
        });
        assert!(!reached
            .warnings
            .iter()
            .any(|w| w.place == Place::ExchangeCheck));
    }

    #[test]
    fn left_out_rows_are_told_apart_by_why() {
        let mut bad = GOOD;
        bad[2] = "xyz";
        let mut r = roster(&[GOOD, bad, GOOD]);
        r.set_excluded(1, true);
        r.set_excluded(2, true);
        let history = [Op::ExcludeRows {
            rows: vec![1],
            excluded: true,
            anchors: None,
        }];
        let s = summary(&r, &defaults(&r), &history, 0);
        assert_eq!(s.users.included, 1);
        assert_eq!(s.users.left_out_invalid, 1);
        assert_eq!(s.users.excluded_by_admin, 1);
    }

    #[test]
    fn shares_are_of_the_included_rows_and_sorted_by_count() {
        let mut ws = GOOD;
        ws[0] = " Ada Lovelace";
        let mut ws2 = GOOD;
        ws2[0] = " Bob";
        ws2[1] = "bob@acme.com";
        ws2[2] = "005000000000002AAA";
        ws2[3] = "bob@acme.com";
        ws2[4] = "bob@acme.com";
        let r = roster(&[ws, ws2, GOOD, GOOD]);
        let s = summary(&r, &defaults(&r), &[], 0);
        let w = s
            .findings
            .iter()
            .find(|f| f.code == Code::SurroundingWhitespace)
            .unwrap();
        assert_eq!(w.count, 2);
        assert!((w.share - 0.5).abs() < 1e-9, "{}", w.share);
        assert!(s.findings.windows(2).all(|p| p[0].count >= p[1].count));
    }

    #[test]
    fn plurals() {
        assert_eq!(plural(1, "row", "rows"), "1 row");
        assert_eq!(plural(0, "row", "rows"), "0 rows");
        assert_eq!(plural(2, "row", "rows"), "2 rows");
    }
}

//! The Match review step's state: the two user lists, their join, the admin's choices
//! applied (`usecase::match_review`), and where the cursor is. Plain data.

use super::widgets::text_input::TextInput;
use crate::directory::{JoinOutcome, MicrosoftUser, SalesforceUser};
use crate::session::{MatchChoice, SourceInfo};
use crate::usecase::match_review::{search_microsoft, MatchReview, Section};
use std::sync::Arc;

/// Results shown by the account search.
pub const SEARCH_RESULTS: usize = 50;

/// Both user lists and their join, as read on the runtime's thread.
pub struct JoinedLists {
    pub salesforce: Vec<SalesforceUser>,
    pub microsoft: Vec<MicrosoftUser>,
    pub outcome: JoinOutcome,
    /// The exports' identities (None when pulled live).
    pub files: Option<(SourceInfo, SourceInfo)>,
    /// What the readers noticed (lines skipped, columns unusable), one line each.
    pub notices: Vec<String>,
}

/// Shared, so the message carrying it stays cheap to clone.
#[derive(Clone)]
pub struct Joined(pub Arc<JoinedLists>);

impl std::fmt::Debug for Joined {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Joined({} Salesforce users, {} Microsoft accounts)",
            self.0.salesforce.len(),
            self.0.microsoft.len()
        )
    }
}

/// The account search of an only-in-Salesforce person.
#[derive(Clone, Debug, Default)]
pub struct Search {
    pub input: TextInput,
    /// Indexes into the Microsoft list.
    pub results: Vec<usize>,
    pub cursor: usize,
}

/// The Match review step.
pub struct MatchState {
    pub lists: Joined,
    /// The join with the session's choices applied (reapplied on every choice: what the
    /// choices touch, not the whole join, so a keypress stays cheap at 100,000 users).
    pub review: MatchReview,
    pub tab: Section,
    /// Selected person per section (position in that section's list).
    pub cursor: [usize; 3],
    /// Highlighted candidate of the selected ambiguous person.
    pub candidate: usize,
    pub search: Option<Search>,
    /// The choices the loaded roster was joined with (None: not joined yet), so continuing
    /// without a change keeps the Fix step as it is.
    pub built_with: Option<Vec<MatchChoice>>,
}

impl MatchState {
    /// The review of `lists` with `choices`, cursor on the first section with someone to
    /// decide.
    pub fn new(lists: Joined, choices: &[MatchChoice]) -> MatchState {
        let review = {
            let l = &lists.0;
            MatchReview::new(&l.salesforce, &l.microsoft, &l.outcome, choices)
        };
        let tab = Section::ALL
            .into_iter()
            .find(|s| *s != Section::Matched && review.to_decide(*s) > 0)
            .unwrap_or(Section::Matched);
        MatchState {
            lists,
            review,
            tab,
            cursor: [0; 3],
            candidate: 0,
            search: None,
            built_with: None,
        }
    }

    /// Applies the current choices again.
    pub fn refresh(&mut self, choices: &[MatchChoice]) {
        self.review.reapply(&self.lists.0.microsoft, choices);
        let n = self.shown().len();
        let c = &mut self.cursor[tab_index(self.tab)];
        *c = (*c).min(n.saturating_sub(1));
    }

    /// People of the current section (indexes into `review.people`).
    pub fn shown(&self) -> &[usize] {
        self.review.section(self.tab)
    }

    /// The selected person (index into `review.people`).
    pub fn selected(&self) -> Option<usize> {
        self.shown().get(self.cursor[tab_index(self.tab)]).copied()
    }

    /// Runs the search with its current text.
    pub fn run_search(&mut self) {
        if let Some(s) = &mut self.search {
            s.results = search_microsoft(
                &self.lists.0.microsoft,
                |m| self.review.unavailable(m),
                s.input.value(),
                SEARCH_RESULTS,
            );
            s.cursor = s.cursor.min(s.results.len().saturating_sub(1));
        }
    }
}

/// Position of a section in [`Section::ALL`].
pub fn tab_index(s: Section) -> usize {
    Section::ALL.iter().position(|x| *x == s).unwrap_or(0)
}

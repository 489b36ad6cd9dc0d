//! A session whose roster was joined from two user exports: where the exports are, and the
//! admin's Match review choices.
//!
//! Choices are keyed by the users' stable IDs (the Salesforce user Id, the Microsoft account
//! id), never by row or position, so they replay onto a fresh join of the same exports even
//! when the files were re-sorted or grew in the meantime.

use super::SourceInfo;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// One decision of the Match review, about one Salesforce user.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "choice", rename_all = "snake_case")]
pub enum MatchChoice {
    /// An ambiguous person: this candidate is their Microsoft account.
    Choose {
        salesforce_id: String,
        microsoft_id: String,
    },
    /// Someone only in Salesforce: this Microsoft account (found by search) is theirs.
    Pick {
        salesforce_id: String,
        microsoft_id: String,
    },
    /// Not in the roster (any person: matched, ambiguous or only in Salesforce).
    LeaveOut { salesforce_id: String },
}

impl MatchChoice {
    /// The Salesforce user the choice is about.
    pub fn salesforce_id(&self) -> &str {
        match self {
            MatchChoice::Choose { salesforce_id, .. }
            | MatchChoice::Pick { salesforce_id, .. }
            | MatchChoice::LeaveOut { salesforce_id } => salesforce_id,
        }
    }

    /// The Microsoft account the person is joined to, if any.
    pub fn microsoft_id(&self) -> Option<&str> {
        match self {
            MatchChoice::Choose { microsoft_id, .. } | MatchChoice::Pick { microsoft_id, .. } => {
                Some(microsoft_id)
            }
            MatchChoice::LeaveOut { .. } => None,
        }
    }

    /// Short text for the status line.
    pub fn describe(&self) -> String {
        match self {
            MatchChoice::Choose {
                salesforce_id,
                microsoft_id,
            } => format!("{salesforce_id} is {microsoft_id}"),
            MatchChoice::Pick {
                salesforce_id,
                microsoft_id,
            } => format!("{salesforce_id} picked {microsoft_id}"),
            MatchChoice::LeaveOut { salesforce_id } => format!("{salesforce_id} left out"),
        }
    }
}

/// One change of the Match review choices (an undoable operation): the person's choice
/// before and after (None: no choice, the join's own result stands).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MatchEdit {
    pub salesforce_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub old: Option<MatchChoice>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new: Option<MatchChoice>,
}

impl MatchEdit {
    /// The edit that undoes this one.
    pub fn inverse(&self) -> MatchEdit {
        MatchEdit {
            salesforce_id: self.salesforce_id.clone(),
            old: self.new.clone(),
            new: self.old.clone(),
        }
    }

    /// Short text for the status line.
    pub fn describe(&self) -> String {
        match &self.new {
            Some(c) => c.describe(),
            None => format!("{}: choice cleared", self.salesforce_id),
        }
    }
}

/// Where a joined roster comes from: the two exports, how they were joined, the choices.
/// The session's `source` is then the joined roster the wizard wrote (see [`joined_path`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct JoinSource {
    /// The Salesforce users export (never modified).
    pub salesforce: SourceInfo,
    /// The Microsoft 365 users export (never modified).
    pub microsoft: SourceInfo,
    /// Inactive Salesforce users and disabled or guest accounts were kept.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub include_inactive: bool,
    /// The current choices, at most one per Salesforce user, in the order first made.
    #[serde(default)]
    pub choices: Vec<MatchChoice>,
}

impl JoinSource {
    /// The choice about Salesforce user `salesforce_id`, if any.
    pub fn choice(&self, salesforce_id: &str) -> Option<&MatchChoice> {
        self.choices
            .iter()
            .find(|c| c.salesforce_id() == salesforce_id)
    }

    /// Applies one edit: the person's choice becomes `edit.new`.
    pub fn apply(&mut self, edit: &MatchEdit) {
        let at = self
            .choices
            .iter()
            .position(|c| c.salesforce_id() == edit.salesforce_id);
        match (at, &edit.new) {
            (Some(i), Some(c)) => self.choices[i] = c.clone(),
            (Some(i), None) => {
                self.choices.remove(i);
            }
            (None, Some(c)) => self.choices.push(c.clone()),
            (None, None) => {}
        }
    }

    /// The edit that sets the person's choice to `new`, from what it is now.
    pub fn edit_to(&self, salesforce_id: &str, new: Option<MatchChoice>) -> MatchEdit {
        MatchEdit {
            salesforce_id: salesforce_id.to_string(),
            old: self.choice(salesforce_id).cloned(),
            new,
        }
    }
}

/// Where the wizard writes the roster joined for the session at `session_path`: next to the
/// session, `<session file stem>-joined.csv` (so `session.json` → `session-joined.csv`).
pub fn joined_path(session_path: &Path) -> PathBuf {
    let stem = session_path
        .file_stem()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "session".into());
    let dir = match session_path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    dir.join(format!("{stem}-joined.csv"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn choose(sf: &str, ms: &str) -> MatchChoice {
        MatchChoice::Choose {
            salesforce_id: sf.into(),
            microsoft_id: ms.into(),
        }
    }

    #[test]
    fn one_choice_per_person_and_edits_undo() {
        let mut j = JoinSource {
            salesforce: SourceInfo {
                path: "sf.csv".into(),
                sha256: String::new(),
                size: 0,
            },
            microsoft: SourceInfo {
                path: "ms.csv".into(),
                sha256: String::new(),
                size: 0,
            },
            include_inactive: false,
            choices: vec![],
        };
        let first = j.edit_to("005A", Some(choose("005A", "m1")));
        j.apply(&first);
        let second = j.edit_to(
            "005A",
            Some(MatchChoice::LeaveOut {
                salesforce_id: "005A".into(),
            }),
        );
        j.apply(&second);
        assert_eq!(j.choices.len(), 1);
        assert_eq!(j.choice("005A").unwrap().microsoft_id(), None);
        j.apply(&second.inverse());
        assert_eq!(j.choice("005A"), Some(&choose("005A", "m1")));
        j.apply(&first.inverse());
        assert!(j.choices.is_empty());
    }

    #[test]
    fn choices_are_tagged_json() {
        let json = serde_json::to_string(&choose("005A", "m1")).unwrap();
        assert_eq!(
            json,
            r#"{"choice":"choose","salesforce_id":"005A","microsoft_id":"m1"}"#
        );
    }

    #[test]
    fn joined_roster_sits_next_to_the_session() {
        assert_eq!(
            joined_path(Path::new("/d/session.json")),
            Path::new("/d/session-joined.csv")
        );
        assert_eq!(
            joined_path(Path::new("s.json")),
            Path::new("./s-joined.csv")
        );
    }
}

//! The admin's choices: one value per catalogue key, plus the Exchange checklist ticks.
//!
//! Choices are plain data kept in the session. Every change is a [`ChoiceEdit`] holding the
//! old and new value, so the wizard can undo, redo and autosave it like a roster edit.

use super::catalogue::{Catalogue, DefaultFrom, Kind, Setting};
use super::facts::RosterFacts;
use super::value::Value;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Keys starting with this prefix hold checklist ticks (`checklist.<list>.<item>`), not
/// settings; catalogue keys never contain a dot, so the two cannot clash.
pub(crate) const CHECKLIST_PREFIX: &str = "checklist.";

/// Every choice, keyed by catalogue key. Serialises as a flat map.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Choices {
    values: BTreeMap<String, Value>,
}

/// One change to one choice; apply and revert are exact inverses.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChoiceEdit {
    pub key: String,
    pub old: Value,
    pub new: Value,
}

impl Choices {
    /// Every setting at its default, with roster-derived defaults filled in.
    pub fn defaults(cat: &Catalogue, facts: &RosterFacts) -> Choices {
        let values = cat
            .settings
            .iter()
            .map(|s| (s.key.clone(), default_value(cat, s, facts)))
            .collect();
        Choices { values }
    }

    /// The stored value, if any.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.values.get(key)
    }

    /// The setting's value: the stored one, else its catalogue default (without roster facts).
    pub fn value_of<'a>(&'a self, s: &'a Setting) -> &'a Value {
        self.values.get(&s.key).unwrap_or(&s.default)
    }

    /// The text of a text-like setting ("" when unset).
    pub fn text(&self, cat: &Catalogue, key: &str) -> String {
        match (self.values.get(key), cat.get(key)) {
            (Some(Value::Text(t)), _) => t.clone(),
            (None, Some(s)) => s.default.as_text().unwrap_or_default().to_string(),
            _ => String::new(),
        }
    }

    /// Sets a value directly (loading files, tests). Prefer [`Choices::edit`] in the UI.
    pub fn set(&mut self, key: impl Into<String>, value: Value) {
        self.values.insert(key.into(), value);
    }

    /// The edit that would set `key` to `new`, or `None` if it already has that value.
    pub fn edit(&self, cat: &Catalogue, key: &str, new: Value) -> Option<ChoiceEdit> {
        let old = self.current(cat, key);
        let same = match cat.get(key) {
            Some(s) => s.same_value(&old, &new),
            None => old == new,
        };
        (!same).then(|| ChoiceEdit {
            key: key.to_string(),
            old,
            new,
        })
    }

    /// The current value of a setting or checklist tick (ticks default to unticked).
    pub fn current(&self, cat: &Catalogue, key: &str) -> Value {
        if let Some(v) = self.values.get(key) {
            return v.clone();
        }
        match cat.get(key) {
            Some(s) => s.default.clone(),
            None => Value::Bool(false),
        }
    }

    /// Applies an edit (sets its new value).
    pub fn apply(&mut self, edit: &ChoiceEdit) {
        self.values.insert(edit.key.clone(), edit.new.clone());
    }

    /// Undoes an edit (restores its old value).
    pub fn revert(&mut self, edit: &ChoiceEdit) {
        self.values.insert(edit.key.clone(), edit.old.clone());
    }

    /// True if a tick is stored for the checklist item `checklist.<list>.<item>`: `true`, or
    /// the text it was given for. Whether it still holds is the plan's decision
    /// ([`super::exchange::PlanItem`]): the text may have changed since.
    pub fn is_ticked(&self, tick_key: &str) -> bool {
        matches!(
            self.values.get(tick_key),
            Some(Value::Bool(true)) | Some(Value::Text(_))
        )
    }

    /// True if the setting applies under the current choices: each of its `when` conditions
    /// holds, and so do the conditions of the settings they depend on.
    pub fn is_active(&self, cat: &Catalogue, s: &Setting) -> bool {
        self.active_within(cat, s, cat.settings.len())
    }

    // `depth` bounds the recursion so a cycle in a bad catalogue cannot hang.
    fn active_within(&self, cat: &Catalogue, s: &Setting, depth: usize) -> bool {
        if depth == 0 {
            return false;
        }
        s.when.iter().all(|w| match cat.get(&w.key) {
            Some(dep) => {
                self.current(cat, &dep.key).condition_text() == w.equals
                    && self.active_within(cat, dep, depth - 1)
            }
            None => false,
        })
    }

    /// Values for settings missing from the map are filled with their defaults (a catalogue
    /// may have gained settings since the choices were saved).
    pub fn fill_defaults(&mut self, cat: &Catalogue, facts: &RosterFacts) {
        for s in &cat.settings {
            if !self.values.contains_key(&s.key) {
                self.values
                    .insert(s.key.clone(), default_value(cat, s, facts));
            }
        }
    }
}

/// A setting's default, with `default_from` computed from the roster.
pub(crate) fn default_value(cat: &Catalogue, s: &Setting, facts: &RosterFacts) -> Value {
    match s.default_from {
        Some(DefaultFrom::RosterEmailDomains) => {
            // Free-mail domains a list suggests blocking are never pre-filled as internal.
            let suggested: Vec<&String> = cat
                .settings
                .iter()
                .flat_map(|o| o.suggestions.iter())
                .collect();
            let domains: Vec<String> = facts
                .email_domains
                .iter()
                .filter(|d| !suggested.contains(d))
                .cloned()
                .collect();
            if domains.is_empty() {
                s.default.clone()
            } else {
                Value::List(domains)
            }
        }
        Some(DefaultFrom::RosterUpnDomain) => match &facts.upn_domain {
            Some(d) if s.kind != Kind::DomainList => Value::Text(d.clone()),
            Some(d) => Value::List(vec![d.clone()]),
            None => s.default.clone(),
        },
        None => s.default.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edits_apply_and_revert_exactly_and_no_op_edits_are_none() {
        let cat = Catalogue::embedded();
        let mut c = Choices::defaults(&cat, &RosterFacts::default());
        assert_eq!(c.edit(&cat, "sync_tasks", Value::Bool(true)), None);
        let e = c.edit(&cat, "sync_tasks", Value::Bool(false)).unwrap();
        let before = c.clone();
        c.apply(&e);
        assert_eq!(c.get("sync_tasks"), Some(&Value::Bool(false)));
        c.revert(&e);
        assert_eq!(c, before);
        // A tick that was never set starts unticked.
        let t = c
            .edit(&cat, "checklist.impersonation.save", Value::Bool(true))
            .unwrap();
        assert_eq!(t.old, Value::Bool(false));
    }

    #[test]
    fn choices_saved_before_a_setting_existed_gain_its_default() {
        let cat = Catalogue::embedded();
        let facts = RosterFacts::from_values(["a@contoso.com"], ["a@contoso.com"]);
        let mut c: Choices = serde_json::from_str(r#"{"sync_tasks": false}"#).unwrap();
        c.fill_defaults(&cat, &facts);
        assert_eq!(c.get("sync_tasks"), Some(&Value::Bool(false)));
        assert_eq!(
            c.get("m365_tenant"),
            Some(&Value::Text("contoso.com".into()))
        );
        assert_eq!(serde_json::to_value(&c).unwrap()["sync_tasks"], false);
    }
}

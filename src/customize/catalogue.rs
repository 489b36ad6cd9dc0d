//! The settings catalogue: `assets/customizations.toml` parsed and checked.
//!
//! The embedded copy is what the program uses; [`Catalogue::load_path`] reads another file
//! (tests use a scratch catalogue to prove the form and the bundle follow the data).

use super::value::Value;
use serde::Deserialize;
use std::path::Path;
use std::sync::{Arc, OnceLock};

/// The catalogue shipped with the program.
pub const EMBEDDED: &str = include_str!("../../assets/customizations.toml");

/// What kind of value a setting holds and how it is edited.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Bool,
    Choice,
    Text,
    DomainList,
    Url,
    Email,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Bool => "bool",
            Kind::Choice => "choice",
            Kind::Text => "text",
            Kind::DomainList => "domain_list",
            Kind::Url => "url",
            Kind::Email => "email",
        }
    }
}

/// Which wizard step edits a setting.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Page {
    #[default]
    Customize,
    Exchange,
}

/// A default computed from the roster rather than written in the catalogue.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DefaultFrom {
    /// Distinct domains of the roster's Office 365 email addresses (free-mail domains left out).
    RosterEmailDomains,
    /// The most common domain of the roster's Office 365 logins.
    RosterUpnDomain,
}

/// Extra syntax a text setting must follow.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TextFormat {
    DomainOrTenantId,
    Guid,
    SalesforceConsumerKey,
}

/// A setting applies only while another setting has a given value.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct When {
    pub key: String,
    pub equals: String,
}

fn one_or_many<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<When>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        One(When),
        Many(Vec<When>),
    }
    Ok(match OneOrMany::deserialize(d)? {
        OneOrMany::One(w) => vec![w],
        OneOrMany::Many(v) => v,
    })
}

/// One option of a `choice` setting.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChoiceOption {
    pub value: String,
    pub label: String,
}

/// One setting as the catalogue describes it.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Setting {
    pub key: String,
    pub title: String,
    pub help: String,
    pub group: String,
    #[serde(rename = "type")]
    pub kind: Kind,
    #[serde(default)]
    pub page: Page,
    pub default: Value,
    #[serde(default)]
    pub default_from: Option<DefaultFrom>,
    /// Conditions that must all hold for the setting to apply (one table or a list).
    #[serde(default, deserialize_with = "one_or_many")]
    pub when: Vec<When>,
    #[serde(default)]
    pub required: bool,
    #[serde(default)]
    pub choices: Vec<ChoiceOption>,
    /// For `bool`: the words for off and on in the form and in customization.md
    /// (default "off", "on").
    #[serde(default)]
    pub bool_labels: Option<[String; 2]>,
    #[serde(default)]
    pub suggestions: Vec<String>,
    #[serde(default)]
    pub min_len: Option<usize>,
    #[serde(default)]
    pub max_len: Option<usize>,
    #[serde(default)]
    pub format: Option<TextFormat>,
    #[serde(default)]
    pub allow_addresses: bool,
    #[serde(default)]
    pub https_only: bool,
    #[serde(default)]
    pub host_suffixes: Vec<String>,
    #[serde(default)]
    pub domain_from_setting: Option<String>,
}

impl Setting {
    /// True when `a` and `b` mean the same value of this setting. Lists are sets (domains,
    /// addresses): order and repeats carry no meaning, so a reordered list is not a change.
    pub fn same_value(&self, a: &Value, b: &Value) -> bool {
        match (a, b) {
            (Value::List(x), Value::List(y)) => {
                let set =
                    |l: &[String]| l.iter().cloned().collect::<std::collections::BTreeSet<_>>();
                set(x) == set(y)
            }
            _ => a == b,
        }
    }

    /// The word for a bool value ("on"/"off" unless the catalogue names others).
    pub fn bool_label(&self, b: bool) -> &str {
        match &self.bool_labels {
            Some([off, on]) => {
                if b {
                    on
                } else {
                    off
                }
            }
            None => {
                if b {
                    "on"
                } else {
                    "off"
                }
            }
        }
    }

    /// The label of a choice value, or the value itself if it is not one of the options.
    pub fn choice_label<'a>(&'a self, value: &'a str) -> &'a str {
        self.choices
            .iter()
            .find(|c| c.value == value)
            .map_or(value, |c| c.label.as_str())
    }
}

/// The whole catalogue, checked for consistency.
#[derive(Clone, Debug, PartialEq)]
pub struct Catalogue {
    pub version: u32,
    pub groups: Vec<String>,
    pub settings: Vec<Setting>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCatalogue {
    version: u32,
    groups: Vec<String>,
    #[serde(rename = "setting", default)]
    settings: Vec<Setting>,
}

/// Why a catalogue cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum CatalogueError {
    #[error("{origin}: cannot read the settings catalogue: {source}")]
    Io {
        origin: String,
        source: std::io::Error,
    },
    #[error("{origin}: {message}")]
    Syntax { origin: String, message: String },
    #[error("{origin}: setting `{key}`: {message}")]
    Setting {
        origin: String,
        key: String,
        message: String,
    },
}

impl Catalogue {
    /// The catalogue shipped in the binary (parsed once).
    pub fn embedded() -> Arc<Catalogue> {
        static CELL: OnceLock<Arc<Catalogue>> = OnceLock::new();
        CELL.get_or_init(|| {
            Arc::new(
                Catalogue::parse(EMBEDDED, "assets/customizations.toml")
                    .expect("the embedded catalogue is checked by the test suite"),
            )
        })
        .clone()
    }

    /// Reads and checks a catalogue file.
    pub fn load_path(path: &Path) -> Result<Catalogue, CatalogueError> {
        let origin = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| CatalogueError::Io {
            origin: origin.clone(),
            source,
        })?;
        Catalogue::parse(&text, &origin)
    }

    /// Parses and checks catalogue text; `origin` names it in errors.
    pub fn parse(text: &str, origin: &str) -> Result<Catalogue, CatalogueError> {
        let raw: RawCatalogue = toml::from_str(text).map_err(|e| CatalogueError::Syntax {
            origin: origin.to_string(),
            message: e.to_string().trim_end().replace('\n', " "),
        })?;
        let cat = Catalogue {
            version: raw.version,
            groups: raw.groups,
            settings: raw.settings,
        };
        cat.check(origin)?;
        Ok(cat)
    }

    /// The setting with this key.
    pub fn get(&self, key: &str) -> Option<&Setting> {
        self.settings.iter().find(|s| s.key == key)
    }

    /// Settings of one page, in group order then catalogue order.
    pub fn page(&self, page: Page) -> Vec<&Setting> {
        let mut out = Vec::new();
        for g in &self.groups {
            out.extend(
                self.settings
                    .iter()
                    .filter(|s| s.page == page && &s.group == g),
            );
        }
        out
    }

    /// Every setting, in group order then catalogue order.
    pub fn page_order(&self) -> Vec<&Setting> {
        let mut out = Vec::new();
        for g in &self.groups {
            out.extend(self.settings.iter().filter(|s| &s.group == g));
        }
        out
    }

    fn check(&self, origin: &str) -> Result<(), CatalogueError> {
        let err = |key: &str, message: String| CatalogueError::Setting {
            origin: origin.to_string(),
            key: key.to_string(),
            message,
        };
        for (i, s) in self.settings.iter().enumerate() {
            let key_ok = !s.key.is_empty()
                && s.key
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
            if !key_ok {
                return Err(err(
                    &s.key,
                    "keys use only lowercase letters, digits and `_`".into(),
                ));
            }
            if self.settings[..i].iter().any(|o| o.key == s.key) {
                return Err(err(&s.key, "the key is used twice".into()));
            }
            if !self.groups.contains(&s.group) {
                return Err(err(
                    &s.key,
                    format!(
                        "group \"{}\" is not one of `groups` ({})",
                        s.group,
                        self.groups.join(", ")
                    ),
                ));
            }
            let default_ok = matches!(
                (s.kind, &s.default),
                (Kind::Bool, Value::Bool(_))
                    | (Kind::DomainList, Value::List(_))
                    | (
                        Kind::Choice | Kind::Text | Kind::Url | Kind::Email,
                        Value::Text(_)
                    )
            );
            if !default_ok {
                return Err(err(
                    &s.key,
                    format!(
                        "a {} setting cannot have a {} default",
                        s.kind.as_str(),
                        s.default.type_name()
                    ),
                ));
            }
            if s.kind == Kind::Choice {
                if s.choices.len() < 2 {
                    return Err(err(&s.key, "a choice needs at least two `choices`".into()));
                }
                let d = s.default.as_text().unwrap_or_default();
                if !s.choices.iter().any(|c| c.value == d) {
                    return Err(err(
                        &s.key,
                        format!("default \"{d}\" is not one of its choices"),
                    ));
                }
            } else if !s.choices.is_empty() {
                return Err(err(&s.key, "only a choice setting has `choices`".into()));
            }
            for w in &s.when {
                if w.key == s.key || self.get(&w.key).is_none() {
                    return Err(err(
                        &s.key,
                        format!("`when` refers to unknown setting `{}`", w.key),
                    ));
                }
            }
            if let Some(k) = &s.domain_from_setting {
                if self.get(k).is_none() {
                    return Err(err(
                        &s.key,
                        format!("`domain_from_setting` refers to unknown setting `{k}`"),
                    ));
                }
            }
            if s.bool_labels.is_some() && s.kind != Kind::Bool {
                return Err(err(&s.key, "only a bool setting has `bool_labels`".into()));
            }
            if !s.suggestions.is_empty() && s.kind != Kind::DomainList {
                return Err(err(&s.key, "only a domain_list has `suggestions`".into()));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_catalogue_parses_and_covers_every_group() {
        let cat = Catalogue::embedded();
        for g in &cat.groups {
            assert!(
                cat.settings.iter().any(|s| &s.group == g),
                "group {g} is empty"
            );
        }
        assert!(cat.get("internal_domains").is_some());
    }

    #[test]
    fn bad_default_names_the_setting() {
        let text = r#"version = 1
groups = ["Sync"]
[[setting]]
key = "x"
title = "X"
help = "h"
group = "Sync"
type = "bool"
default = "yes"
"#;
        let e = Catalogue::parse(text, "scratch.toml")
            .unwrap_err()
            .to_string();
        assert_eq!(
            e,
            "scratch.toml: setting `x`: a bool setting cannot have a text default"
        );
    }

    #[test]
    fn toml_syntax_error_names_line() {
        let e = Catalogue::parse("version = \n", "scratch.toml")
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("scratch.toml: "), "{e}");
        assert!(e.contains("line 1"), "{e}");
    }
}

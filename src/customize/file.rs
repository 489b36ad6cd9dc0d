//! Reading choices from a file (`export --customization FILE`): TOML or JSON keyed by
//! catalogue key, or a `customization.json` written by an earlier export.

use super::catalogue::{Catalogue, Kind};
use super::choices::{Choices, CHECKLIST_PREFIX};
use super::facts::RosterFacts;
use super::validate::check_value;
use super::value::Value;
use std::path::Path;

/// Why a customization file cannot be used. Display names the file, the line and column
/// when known, and what to do.
#[derive(Debug, thiserror::Error)]
#[error("{}", self.render())]
pub(crate) struct FileError {
    pub path: String,
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub message: String,
}

impl FileError {
    /// A constructor of errors in the file called `name`, from line, column and message.
    fn maker(name: &str) -> impl Fn(Option<usize>, Option<usize>, String) -> FileError + '_ {
        move |line, column, message| FileError {
            path: name.to_string(),
            line,
            column,
            message,
        }
    }

    fn render(&self) -> String {
        match (self.line, self.column) {
            (Some(l), Some(c)) => format!("{}:{l}:{c}: {}", self.path, self.message),
            (Some(l), None) => format!("{}:{l}: {}", self.path, self.message),
            _ => format!("{}: {}", self.path, self.message),
        }
    }
}

/// Reads choices from `path` (`.toml` or `.json`, by extension; anything else is tried as
/// JSON then TOML). Keys missing from the file take their defaults.
pub(crate) fn load_choices(
    path: &Path,
    cat: &Catalogue,
    facts: &RosterFacts,
) -> Result<Choices, FileError> {
    let name = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| FileError {
        path: name.clone(),
        line: None,
        column: None,
        message: format!("cannot read the customization file: {e}"),
    })?;
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    parse_choices(&text, &name, ext.as_deref(), cat, facts)
}

/// Parses choices from text; `format` is `Some("toml")`, `Some("json")` or unknown.
pub(crate) fn parse_choices(
    text: &str,
    name: &str,
    format: Option<&str>,
    cat: &Catalogue,
    facts: &RosterFacts,
) -> Result<Choices, FileError> {
    let err = FileError::maker(name);
    let json: serde_json::Value = match format {
        Some("toml") => parse_toml(text).map_err(|(l, c, m)| err(l, c, m))?,
        Some("json") => serde_json::from_str(text)
            .map_err(|e| err(Some(e.line()), Some(e.column()), json_message(&e)))?,
        _ => match serde_json::from_str(text) {
            Ok(v) => v,
            Err(_) => parse_toml(text).map_err(|(l, c, m)| err(l, c, m))?,
        },
    };
    from_json_value(json, Some(text), name, cat, facts)
}

/// Reads choices from an already parsed JSON value (e.g. the `customization` member of a
/// wizard session). `text`, when given, is the source used to find line numbers for errors.
pub(crate) fn from_json_value(
    json: serde_json::Value,
    text: Option<&str>,
    name: &str,
    cat: &Catalogue,
    facts: &RosterFacts,
) -> Result<Choices, FileError> {
    let err = FileError::maker(name);
    if json.is_null() {
        return Ok(Choices::defaults(cat, facts));
    }
    let serde_json::Value::Object(mut map) = json else {
        return Err(err(
            None,
            None,
            "expected a table of settings keyed by catalogue key".into(),
        ));
    };
    // A customization.json from an earlier export: take its settings and checklist ticks.
    if let Some(serde_json::Value::Object(settings)) = map.get("settings").cloned() {
        let ticks = map
            .get("exchange_access")
            .and_then(|e| e.get("checklist_ticked"))
            .and_then(|t| t.as_array())
            .cloned()
            .unwrap_or_default();
        map = settings;
        for t in ticks {
            if let Some(k) = t.as_str() {
                map.insert(
                    format!("{CHECKLIST_PREFIX}{k}"),
                    serde_json::Value::Bool(true),
                );
            }
        }
    }
    let mut choices = Choices::defaults(cat, facts);
    for (key, raw) in map {
        let (line, column) = text.map_or((None, None), |t| locate(t, &key));
        if let Some(rest) = key.strip_prefix(CHECKLIST_PREFIX) {
            match raw {
                serde_json::Value::Bool(b) if !rest.is_empty() => {
                    choices.set(key, Value::Bool(b));
                    continue;
                }
                // The exact text the tick was given for (what the wizard saves).
                serde_json::Value::String(t) if !rest.is_empty() => {
                    choices.set(key, Value::Text(t));
                    continue;
                }
                _ => {
                    return Err(err(
                        line,
                        column,
                        format!(
                            "checklist tick `{key}` takes true, false or the text it was ticked for"
                        ),
                    ))
                }
            }
        }
        let Some(s) = cat.get(&key) else {
            let hint = closest(cat, &key)
                .map(|k| format!(" (did you mean `{k}`?)"))
                .unwrap_or_default();
            return Err(err(
                line,
                column,
                format!(
                    "unknown setting `{key}`{hint}; the settings are listed in docs/customize.md"
                ),
            ));
        };
        let value: Value = match (&raw, s.kind) {
            (serde_json::Value::Bool(b), _) => Value::Bool(*b),
            (serde_json::Value::String(t), Kind::DomainList) => super::validate::parse_input(s, t),
            (serde_json::Value::String(t), _) => Value::Text(t.clone()),
            (serde_json::Value::Array(items), _) if items.iter().all(|i| i.is_string()) => {
                Value::List(
                    items
                        .iter()
                        .filter_map(|i| i.as_str().map(str::to_string))
                        .collect(),
                )
            }
            _ => {
                return Err(err(
                    line,
                    column,
                    format!("`{key}` has a value of the wrong type ({raw})"),
                ))
            }
        };
        check_value(s, &value).map_err(|p| {
            let fix = p.fix.map(|f| format!("; use \"{f}\"")).unwrap_or_default();
            err(line, column, format!("`{key}`: {}{fix}", p.message))
        })?;
        choices.set(key, value);
    }
    // `true` ticks stand for the items as they read with these choices: pin them to that text.
    super::exchange::pin_ticks(&super::Guide::embedded(), cat, &mut choices, facts);
    Ok(choices)
}

type Located = (Option<usize>, Option<usize>, String);

fn parse_toml(text: &str) -> Result<serde_json::Value, Located> {
    let table: toml::Table = toml::from_str(text).map_err(|e| {
        let (l, c) = e
            .span()
            .map(|sp| line_col(text, sp.start))
            .map_or((None, None), |(l, c)| (Some(l), Some(c)));
        (l, c, e.message().to_string())
    })?;
    let mut out = serde_json::Map::new();
    flatten("", toml::Value::Table(table), &mut out);
    Ok(serde_json::Value::Object(out))
}

// Dotted TOML keys (`checklist.x.y = true`) arrive as nested tables; flatten them back.
fn flatten(prefix: &str, v: toml::Value, out: &mut serde_json::Map<String, serde_json::Value>) {
    match v {
        toml::Value::Table(t) if prefix.is_empty() || prefix.starts_with("checklist") => {
            for (k, v) in t {
                let key = if prefix.is_empty() {
                    k
                } else {
                    format!("{prefix}.{k}")
                };
                flatten(&key, v, out);
            }
        }
        other => {
            let json = serde_json::to_value(&other).unwrap_or(serde_json::Value::Null);
            out.insert(prefix.to_string(), json);
        }
    }
}

fn json_message(e: &serde_json::Error) -> String {
    let full = e.to_string();
    // serde_json appends " at line L column C"; the location is shown in front instead.
    match full.rfind(" at line ") {
        Some(i) => full[..i].to_string(),
        None => full,
    }
}

fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

/// The first line that sets `key` (as `key =` or `"key":`), for error messages.
fn locate(text: &str, key: &str) -> (Option<usize>, Option<usize>) {
    let last = key.rsplit('.').next().unwrap_or(key);
    for (i, line) in text.lines().enumerate() {
        for pat in [format!("\"{key}\""), key.to_string(), last.to_string()] {
            if let Some(col) = line.find(&pat) {
                let after = line[col + pat.len()..].trim_start();
                if after.starts_with('=') || after.starts_with(':') {
                    return (Some(i + 1), Some(line[..col].chars().count() + 1));
                }
            }
        }
    }
    (None, None)
}

fn closest<'a>(cat: &'a Catalogue, key: &str) -> Option<&'a str> {
    cat.settings
        .iter()
        .map(|s| (edit_distance(&s.key, key), s.key.as_str()))
        .filter(|(d, _)| *d <= 3)
        .min()
        .map(|(_, k)| k)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            cur.push(sub.min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str, fmt: &str) -> Result<Choices, FileError> {
        let cat = Catalogue::embedded();
        parse_choices(text, "c.toml", Some(fmt), &cat, &RosterFacts::default())
    }

    #[test]
    fn toml_choices_override_defaults() {
        let c = parse(
            "sync_tasks = false\nblocked_addresses = [\"gmail.com\"]\ncontacts_scope = \"all_contacts\"\n",
            "toml",
        )
        .unwrap();
        assert_eq!(c.get("sync_tasks"), Some(&Value::Bool(false)));
        assert_eq!(c.get("sync_events"), Some(&Value::Bool(true)));
        assert_eq!(
            c.get("blocked_addresses"),
            Some(&Value::List(vec!["gmail.com".into()]))
        );
    }

    #[test]
    fn unknown_key_names_line_and_suggests() {
        let e = parse("sync_tasks = false\nsync_task = true\n", "toml").unwrap_err();
        assert_eq!(
            e.to_string(),
            "c.toml:2:1: unknown setting `sync_task` (did you mean `sync_tasks`?); the settings are listed in docs/customize.md"
        );
    }

    #[test]
    fn bad_value_names_line_and_fix() {
        let e = parse("{\n  \"internal_domains\": [\"@contoso.com\"]\n}", "json").unwrap_err();
        assert_eq!(
            e.to_string(),
            "c.toml:2:3: `internal_domains`: item 1 of 1: \"@contoso.com\" starts with @: give the domain alone; use \"contoso.com\""
        );
    }

    #[test]
    fn syntax_errors_name_position() {
        let e = parse("{\n \"a\": ,\n}", "json").unwrap_err();
        assert!(e.to_string().starts_with("c.toml:2:"), "{e}");
        let e = parse("sync_tasks = \n", "toml").unwrap_err();
        assert!(e.to_string().starts_with("c.toml:1:"), "{e}");
    }

    #[test]
    fn checklist_ticks_round_trip_through_toml() {
        let c = parse("[checklist.rbac]\nregister_app = true\n", "toml").unwrap();
        assert!(c.is_ticked("checklist.rbac.register_app"));
    }
}

//! The value of one setting.

use serde::{Deserialize, Serialize};

/// A setting's value: `bool` settings hold `Bool`, list settings `List`, all others `Text`
/// (a choice holds its option's `value`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Value {
    Bool(bool),
    Text(String),
    List(Vec<String>),
}

impl Value {
    /// The form compared against a `when = { equals = ... }` condition.
    pub fn condition_text(&self) -> String {
        match self {
            Value::Bool(b) => b.to_string(),
            Value::Text(s) => s.clone(),
            Value::List(items) => items.join(","),
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    pub fn as_text(&self) -> Option<&str> {
        match self {
            Value::Text(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_list(&self) -> Option<&[String]> {
        match self {
            Value::List(items) => Some(items),
            _ => None,
        }
    }

    /// True for an empty text or list (a required setting needs more).
    pub fn is_empty(&self) -> bool {
        match self {
            Value::Bool(_) => false,
            Value::Text(s) => s.is_empty(),
            Value::List(items) => items.is_empty(),
        }
    }

    /// The JSON type name, for error messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Bool(_) => "true/false",
            Value::Text(_) => "text",
            Value::List(_) => "list",
        }
    }
}

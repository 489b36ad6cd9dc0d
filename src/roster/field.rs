//! The five roster fields the vendor asks for.

use serde::{Deserialize, Serialize};

/// One of the five columns of the submission CSV, in the vendor's order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    FullName,
    SalesforceLogin,
    SalesforceUserId,
    Office365Login,
    Office365Email,
}

impl Field {
    /// All fields in submission order.
    pub const ALL: [Field; 5] = [
        Field::FullName,
        Field::SalesforceLogin,
        Field::SalesforceUserId,
        Field::Office365Login,
        Field::Office365Email,
    ];

    /// Position in [`Field::ALL`] and in a record's cells.
    pub fn index(self) -> usize {
        self as usize
    }

    /// The column title exactly as the vendor names it.
    pub fn title(self) -> &'static str {
        match self {
            Field::FullName => "Full name",
            Field::SalesforceLogin => "Salesforce login",
            Field::SalesforceUserId => "Salesforce user ID",
            Field::Office365Login => "Office 365 login",
            Field::Office365Email => "Office 365 email address",
        }
    }

    /// Stable machine name, used in JSON output and `--column FIELD=HEADER`.
    pub fn key(self) -> &'static str {
        match self {
            Field::FullName => "full_name",
            Field::SalesforceLogin => "salesforce_login",
            Field::SalesforceUserId => "salesforce_user_id",
            Field::Office365Login => "office365_login",
            Field::Office365Email => "office365_email",
        }
    }

    /// Parses a machine name (`full_name`) or a title (`Full name`), ignoring case and punctuation.
    pub fn parse(s: &str) -> Option<Field> {
        let norm: String = s
            .chars()
            .filter(|c| c.is_alphanumeric())
            .flat_map(char::to_lowercase)
            .collect();
        Field::ALL.into_iter().find(|f| {
            let k: String = f.key().chars().filter(|c| c.is_alphanumeric()).collect();
            let t: String = f
                .title()
                .chars()
                .filter(|c| c.is_alphanumeric())
                .flat_map(char::to_lowercase)
                .collect();
            norm == k || norm == t
        })
    }
}

impl std::fmt::Display for Field {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.title())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_accepts_keys_and_titles() {
        assert_eq!(Field::parse("office365_email"), Some(Field::Office365Email));
        assert_eq!(
            Field::parse("Salesforce user ID"),
            Some(Field::SalesforceUserId)
        );
        assert_eq!(Field::parse("FULL-NAME"), Some(Field::FullName));
        assert_eq!(Field::parse("nope"), None);
    }
}

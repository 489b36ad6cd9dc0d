//! Who actually signed in, and the comparison with who should have (the roster row).

use super::Provider;

/// The account a token belongs to, as the provider reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    pub provider: Provider,
    /// Salesforce username / Microsoft `preferred_username`.
    pub login: String,
    /// Salesforce user ID (18 characters) / Microsoft `oid`.
    pub user_id: String,
    /// Salesforce org ID / Microsoft tenant ID.
    pub org_id: String,
}

/// What the roster says the account should be. Empty fields are not checked.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Expected {
    pub salesforce_login: Option<String>,
    pub salesforce_user_id: Option<String>,
    pub office365_login: Option<String>,
}

/// One difference between the expected and the actual identity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mismatch {
    /// What differs, e.g. "Salesforce login".
    pub what: &'static str,
    pub expected: String,
    pub actual: String,
}

impl std::fmt::Display for Mismatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}: the roster says {:?} but {:?} signed in",
            self.what, self.expected, self.actual
        )
    }
}

impl Expected {
    /// Differences between `identity` and this expectation (empty when it matches).
    pub fn check(&self, identity: &Identity) -> Vec<Mismatch> {
        let mut out = Vec::new();
        let mut login = |what, expected: &Option<String>| {
            if let Some(exp) = expected.as_deref().filter(|s| !s.trim().is_empty()) {
                if !exp.trim().eq_ignore_ascii_case(identity.login.trim()) {
                    out.push(Mismatch {
                        what,
                        expected: exp.trim().to_string(),
                        actual: identity.login.clone(),
                    });
                }
            }
        };
        match identity.provider {
            Provider::Salesforce => {
                login("Salesforce login", &self.salesforce_login);
                if let Some(exp) = self
                    .salesforce_user_id
                    .as_deref()
                    .filter(|s| !s.trim().is_empty())
                {
                    let same = match (
                        salesforce_id18(exp.trim()),
                        salesforce_id18(&identity.user_id),
                    ) {
                        (Some(a), Some(b)) => a == b,
                        _ => false,
                    };
                    if !same {
                        out.push(Mismatch {
                            what: "Salesforce user ID",
                            expected: exp.trim().to_string(),
                            actual: identity.user_id.clone(),
                        });
                    }
                }
            }
            Provider::Exchange => login("Office 365 login", &self.office365_login),
        }
        out
    }
}

/// The 18-character, case-insensitive-safe form of a Salesforce ID (given 15 or 18 characters).
/// An 18-character input's suffix is recomputed, so only the case-sensitive part counts.
pub fn salesforce_id18(id: &str) -> Option<String> {
    const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ012345";
    if !(id.len() == 15 || id.len() == 18) || !id.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return None;
    }
    let base = &id[..15];
    let mut out = base.to_string();
    for chunk in base.as_bytes().chunks(5) {
        let mut bits = 0usize;
        for (i, b) in chunk.iter().enumerate() {
            if b.is_ascii_uppercase() {
                bits |= 1 << i;
            }
        }
        out.push(ALPHABET[bits] as char);
    }
    if id.len() == 18 && !id[15..].eq_ignore_ascii_case(&out[15..]) {
        return None;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id18_matches_known_examples() {
        assert_eq!(
            salesforce_id18("001A0000006Vm9r").as_deref(),
            Some("001A0000006Vm9rIAC")
        );
        assert_eq!(
            salesforce_id18("001a0000006vm9rIAC").as_deref(),
            None,
            "wrong suffix for that case pattern"
        );
        assert_eq!(
            salesforce_id18("001A0000006Vm9riac").as_deref(),
            Some("001A0000006Vm9rIAC")
        );
        assert_eq!(salesforce_id18("short"), None);
    }

    #[test]
    fn check_compares_logins_case_insensitively_and_ids_in_18_char_form() {
        let who = Identity {
            provider: Provider::Salesforce,
            login: "Jane@Example.com".into(),
            user_id: "001A0000006Vm9rIAC".into(),
            org_id: "00D".into(),
        };
        let ok = Expected {
            salesforce_login: Some("jane@example.COM".into()),
            salesforce_user_id: Some("001A0000006Vm9r".into()),
            office365_login: Some("someone-else@example.com".into()),
        };
        assert!(ok.check(&who).is_empty());
        let bad = Expected {
            salesforce_login: Some("john@example.com".into()),
            salesforce_user_id: Some("001A0000006VM9R".into()),
            office365_login: None,
        };
        let m = bad.check(&who);
        assert_eq!(m.len(), 2, "{m:?}");
        assert_eq!(m[0].what, "Salesforce login");
        assert_eq!(m[1].what, "Salesforce user ID");
    }
}

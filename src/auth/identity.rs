//! Who actually signed in, and the comparison with who should have (a roster row or the
//! config's `[expect]` table).

pub(crate) mod expected;
pub(crate) mod fetch;

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

/// Who should sign in: a roster row (`--roster`) or the `[expect]` table of a user's config
/// (their invitation). Empty or absent fields are not checked; the keys are the `[expect]`
/// table's, so this type is that table.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expected {
    /// For messages only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub full_name: Option<String>,
    /// Salesforce username.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub salesforce_login: Option<String>,
    /// 15 or 18 characters; compared in 18-character form.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub salesforce_user_id: Option<String>,
    /// Microsoft UPN (`preferred_username`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub office365_login: Option<String>,
    /// When known; compared in 18-character form.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub salesforce_org_id: Option<String>,
    /// When known (a GUID); compared case-insensitively.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub microsoft_tenant_id: Option<String>,
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
            "{}: expected {:?}, signed in {:?}",
            self.what, self.expected, self.actual
        )
    }
}

/// A field of [`Expected`], trimmed, when it says something.
fn given(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// Two Salesforce IDs name the same record (15/18 characters, as the roster compares them).
fn same_salesforce_id(a: &str, b: &str) -> bool {
    matches!((salesforce_id18(a), salesforce_id18(b.trim())), (Some(x), Some(y)) if x == y)
}

impl Expected {
    /// The login this account signs in with at `provider` (the sign-in page's hint).
    pub fn login_for(&self, provider: Provider) -> Option<&str> {
        match provider {
            Provider::Salesforce => given(&self.salesforce_login),
            Provider::Exchange => given(&self.office365_login),
        }
    }

    /// True when nothing would be checked for `provider`.
    pub fn is_empty_for(&self, provider: Provider) -> bool {
        match provider {
            Provider::Salesforce => {
                given(&self.salesforce_login).is_none()
                    && given(&self.salesforce_user_id).is_none()
                    && given(&self.salesforce_org_id).is_none()
            }
            Provider::Exchange => {
                given(&self.office365_login).is_none() && given(&self.microsoft_tenant_id).is_none()
            }
        }
    }

    /// "jane@acme.com.au (005…, org 00D…)": who is expected at `provider`, for messages.
    pub fn describe(&self, provider: Provider) -> String {
        let (login, ids) = match provider {
            Provider::Salesforce => (
                given(&self.salesforce_login),
                [
                    given(&self.salesforce_user_id).map(str::to_string),
                    given(&self.salesforce_org_id).map(|o| format!("org {o}")),
                ],
            ),
            Provider::Exchange => (
                given(&self.office365_login),
                [
                    None,
                    given(&self.microsoft_tenant_id).map(|t| format!("tenant {t}")),
                ],
            ),
        };
        let ids: Vec<String> = ids.into_iter().flatten().collect();
        let mut out = login.unwrap_or("the expected account").to_string();
        if !ids.is_empty() {
            out.push_str(&format!(" ({})", ids.join(", ")));
        }
        out
    }

    /// Differences between `identity` and this expectation (empty when it matches).
    pub fn check(&self, identity: &Identity) -> Vec<Mismatch> {
        let mut out = Vec::new();
        let mut differs = |what, expected: &str, actual: &str| {
            out.push(Mismatch {
                what,
                expected: expected.to_string(),
                actual: actual.to_string(),
            })
        };
        let login = identity.login.trim();
        match identity.provider {
            Provider::Salesforce => {
                if let Some(exp) = given(&self.salesforce_login) {
                    if !exp.eq_ignore_ascii_case(login) {
                        differs("Salesforce login", exp, &identity.login);
                    }
                }
                if let Some(exp) = given(&self.salesforce_user_id) {
                    if !same_salesforce_id(exp, &identity.user_id) {
                        differs("Salesforce user ID", exp, &identity.user_id);
                    }
                }
                if let Some(exp) = given(&self.salesforce_org_id) {
                    if !same_salesforce_id(exp, &identity.org_id) {
                        differs("Salesforce org ID", exp, &identity.org_id);
                    }
                }
            }
            Provider::Exchange => {
                if let Some(exp) = given(&self.office365_login) {
                    if !exp.eq_ignore_ascii_case(login) {
                        differs("Office 365 login", exp, &identity.login);
                    }
                }
                if let Some(exp) = given(&self.microsoft_tenant_id) {
                    if !exp.eq_ignore_ascii_case(identity.org_id.trim()) {
                        differs("Microsoft tenant ID", exp, &identity.org_id);
                    }
                }
            }
        }
        out
    }
}

impl Identity {
    /// "john@contoso.com (005…)": who signed in, for messages (Salesforce: with the user ID).
    pub fn describe(&self) -> String {
        match self.provider {
            Provider::Salesforce => format!("{} ({})", self.login, self.user_id),
            Provider::Exchange => format!("{} (tenant {})", self.login, self.org_id),
        }
    }
}

/// The account that signed in is not the expected one: what was expected, who came, and
/// every field that differs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdentityMismatch {
    pub expected: Expected,
    pub signed_in: Identity,
    pub differences: Vec<Mismatch>,
}

impl std::fmt::Display for IdentityMismatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let p = self.signed_in.provider;
        let diffs: Vec<String> = self.differences.iter().map(|m| m.to_string()).collect();
        let whose = given(&self.expected.full_name)
            .map(|n| format!(" (this authorization is for {n})"))
            .unwrap_or_default();
        write!(
            f,
            "the wrong account signed in{whose}: expected {}, signed in as {} ({})",
            self.expected.describe(p),
            self.signed_in.describe(),
            diffs.join("; ")
        )
    }
}

/// The 18-character, case-insensitive-safe form of a Salesforce ID (given 15 or 18 characters).
/// An 18-character input's suffix is recomputed, so only the case-sensitive part counts.
pub(crate) fn salesforce_id18(id: &str) -> Option<String> {
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
            ..Expected::default()
        };
        assert!(ok.check(&who).is_empty());
        let bad = Expected {
            salesforce_login: Some("john@example.com".into()),
            salesforce_user_id: Some("001A0000006VM9R".into()),
            ..Expected::default()
        };
        let m = bad.check(&who);
        assert_eq!(m.len(), 2, "{m:?}");
        assert_eq!(m[0].what, "Salesforce login");
        assert_eq!(m[1].what, "Salesforce user ID");
    }

    #[test]
    fn org_and_tenant_are_checked_when_known() {
        let sf = Identity {
            provider: Provider::Salesforce,
            login: "jane@example.com".into(),
            user_id: "0055e000001XyZaAAK".into(),
            org_id: "00D5e000000AbCdEAK".into(),
        };
        let mut exp = Expected {
            salesforce_login: Some("jane@example.com".into()),
            salesforce_org_id: Some("00D5e000000AbCd".into()),
            microsoft_tenant_id: Some("not-checked-for-salesforce".into()),
            ..Expected::default()
        };
        assert!(exp.check(&sf).is_empty());
        exp.salesforce_org_id = Some("00D5e000000ZZZZ".into());
        let m = exp.check(&sf);
        assert_eq!(m.len(), 1);
        assert_eq!(m[0].what, "Salesforce org ID");

        let ms = Identity {
            provider: Provider::Exchange,
            login: "Jane@Contoso.example".into(),
            user_id: "oid".into(),
            org_id: "72F988BF-86F1-41AF-91AB-2D7CD011DB47".into(),
        };
        let mut exp = Expected {
            office365_login: Some("jane@contoso.example".into()),
            microsoft_tenant_id: Some("72f988bf-86f1-41af-91ab-2d7cd011db47".into()),
            salesforce_user_id: Some("not-checked-for-exchange".into()),
            ..Expected::default()
        };
        assert!(exp.check(&ms).is_empty());
        exp.microsoft_tenant_id = Some("00000000-0000-0000-0000-000000000000".into());
        assert_eq!(exp.check(&ms)[0].what, "Microsoft tenant ID");
    }

    #[test]
    fn mismatch_message_names_who_was_expected_and_who_came() {
        let exp = Expected {
            full_name: Some("Jane Doe".into()),
            salesforce_login: Some("jane.doe@acme.com.au".into()),
            salesforce_user_id: Some("0055e000001XyZaAAK".into()),
            ..Expected::default()
        };
        let who = Identity {
            provider: Provider::Salesforce,
            login: "john.smith@contoso.com".into(),
            user_id: "0055e000002QrStAAK".into(),
            org_id: "00D".into(),
        };
        let m = IdentityMismatch {
            differences: exp.check(&who),
            expected: exp,
            signed_in: who,
        };
        let text = m.to_string();
        assert!(
            text.contains(
                "for Jane Doe): expected jane.doe@acme.com.au (0055e000001XyZaAAK), signed in as john.smith@contoso.com (0055e000002QrStAAK)"
            ),
            "{text}"
        );
        assert_eq!(m.differences.len(), 2);
    }
}

//! Matching whatever headers the admin typed to the five fields.

use crate::roster::Field;

/// Lower-cases and drops everything but letters and digits: `Office 365 E-mail` → `office365email`.
pub(crate) fn normalize(h: &str) -> String {
    h.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

#[derive(Clone, Copy, PartialEq)]
enum Vendor {
    Salesforce,
    Microsoft,
    None,
}

#[derive(Clone, Copy, PartialEq)]
enum Role {
    Name,
    Login,
    Id,
    Email,
}

// Longest first so `salesforcecom` is not read as `salesforce` + `com`.
const SALESFORCE: &[&str] = &["salesforcecom", "salesforce", "sfdc", "sf"];
const MICROSOFT: &[&str] = &[
    "microsoftoffice365",
    "msoffice365",
    "microsoft365",
    "office365",
    "exchangeonline",
    "azuread",
    "entraid",
    "microsoft",
    "exchange",
    "outlook",
    "office",
    "ms365",
    "azure",
    "entra",
    "m365",
    "o365",
    "aad",
];

fn role(rest: &str) -> Option<Role> {
    Some(match rest {
        "fullname" | "name" | "displayname" | "employeename" | "employee" | "usersname"
        | "personname" => Role::Name,
        "login" | "loginname" | "username" | "user" | "signin" | "signinname" | "account"
        | "upn" | "userprincipalname" | "loginid" | "logon" | "logonname" => Role::Login,
        "userid" | "id" | "useridentifier" | "recordid" | "id18" | "userid18" | "18charid"
        | "userid15" | "id15" => Role::Id,
        "email" | "emailaddress" | "mail" | "smtp" | "primarysmtpaddress" | "mailaddress"
        | "emailaddr" | "emails" => Role::Email,
        _ => return None,
    })
}

fn split_vendor(norm: &str) -> (Vendor, &str) {
    for (vendor, names) in [
        (Vendor::Salesforce, SALESFORCE),
        (Vendor::Microsoft, MICROSOFT),
    ] {
        for n in names {
            if let Some(rest) = norm.strip_prefix(n) {
                if role(rest).is_some() {
                    return (vendor, rest);
                }
            }
        }
    }
    (Vendor::None, norm)
}

/// The field a header names, if it is one we recognise.
pub(crate) fn classify(header: &str) -> Option<Field> {
    let norm = normalize(header);
    let (vendor, rest) = split_vendor(&norm);
    let r = role(rest)?;
    Some(match (vendor, r) {
        (Vendor::None, Role::Name) => Field::FullName,
        (Vendor::Salesforce, Role::Login) => Field::SalesforceLogin,
        (Vendor::Salesforce, Role::Id) => Field::SalesforceUserId,
        (Vendor::Microsoft, Role::Login) => Field::Office365Login,
        (Vendor::Microsoft | Vendor::None, Role::Email) => Field::Office365Email,
        // Bare "UPN" is Microsoft's word; bare "Username"/"Id" is how Salesforce exports them.
        (Vendor::None, Role::Login) if matches!(rest, "upn" | "userprincipalname") => {
            Field::Office365Login
        }
        (Vendor::None, Role::Login) => Field::SalesforceLogin,
        (Vendor::None, Role::Id) => Field::SalesforceUserId,
        _ => return None,
    })
}

/// Maps each field to the first header that names it.
pub(crate) fn map_headers(headers: &[String]) -> [Option<usize>; 5] {
    let mut mapping = [None; 5];
    for (i, h) in headers.iter().enumerate() {
        if let Some(f) = classify(h) {
            mapping[f.index()].get_or_insert(i);
        }
    }
    mapping
}

/// Finds the header an override names: exact first, then ignoring case and punctuation.
pub(crate) fn find_header(headers: &[String], wanted: &str) -> Option<usize> {
    headers
        .iter()
        .position(|h| h.trim() == wanted.trim())
        .or_else(|| {
            let w = normalize(wanted);
            headers.iter().position(|h| normalize(h) == w)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vendor_titles_and_aliases() {
        let cases = [
            ("Full name", Field::FullName),
            ("Display Name", Field::FullName),
            ("NAME", Field::FullName),
            ("Salesforce login", Field::SalesforceLogin),
            ("Salesforce Username", Field::SalesforceLogin),
            ("SF user name", Field::SalesforceLogin),
            ("Username", Field::SalesforceLogin),
            ("Salesforce user ID", Field::SalesforceUserId),
            ("SF User Id", Field::SalesforceUserId),
            ("Salesforce.com ID (18)", Field::SalesforceUserId),
            ("Office 365 login", Field::Office365Login),
            ("User Principal Name", Field::Office365Login),
            ("UPN", Field::Office365Login),
            ("M365 UPN", Field::Office365Login),
            ("Microsoft 365 Username", Field::Office365Login),
            ("o365-login", Field::Office365Login),
            ("Office 365 email address", Field::Office365Email),
            ("E-mail", Field::Office365Email),
            ("Mail", Field::Office365Email),
            ("O365 Email", Field::Office365Email),
        ];
        for (h, f) in cases {
            assert_eq!(classify(h), Some(f), "{h}");
        }
        assert_eq!(classify("Department"), None);
        assert_eq!(classify("Salesforce Email"), None);
        assert_eq!(classify("Azure Object ID"), None);
    }

    #[test]
    fn first_header_wins_and_extras_are_ignored() {
        let hs: Vec<String> = ["Name", "Dept", "Email", "Mail"].map(String::from).to_vec();
        let m = map_headers(&hs);
        assert_eq!(m[Field::FullName.index()], Some(0));
        assert_eq!(m[Field::Office365Email.index()], Some(2));
        assert_eq!(m[Field::SalesforceLogin.index()], None);
    }
}

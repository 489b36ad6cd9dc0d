//! The expected identity, from the roster row of a login.

use super::Expected;
use crate::roster::import::{import_path, ImportOptions};
use crate::roster::Field;
use std::path::Path;

/// Reads the roster at `path` and returns what the row whose Salesforce or Office 365 login
/// equals `login` (case-insensitively) expects. Errors name the file and what to do.
pub(crate) fn from_roster(path: &Path, login: &str) -> Result<Expected, String> {
    let imported = import_path(path, &ImportOptions::default()).map_err(|e| e.to_string())?;
    let login = login.trim();
    let matches =
        |r: &crate::roster::Record, f: Field| r.cells[f.index()].trim().eq_ignore_ascii_case(login);
    let rows: Vec<_> = imported
        .records
        .iter()
        .filter(|r| matches(r, Field::SalesforceLogin) || matches(r, Field::Office365Login))
        .collect();
    let row = match rows.as_slice() {
        [] => {
            return Err(format!(
                "{}: no row has {login:?} as its Salesforce login or Office 365 login; check --login",
                path.display()
            ))
        }
        [one] => *one,
        [first, second, ..] => {
            return Err(format!(
                "{}: lines {} and {} both have the login {login:?}; fix the roster first (scc-onboard validate)",
                path.display(),
                first.line,
                second.line
            ))
        }
    };
    let cell = |f: Field| Some(row.cells[f.index()].trim().to_string()).filter(|s| !s.is_empty());
    Ok(Expected {
        salesforce_login: cell(Field::SalesforceLogin),
        salesforce_user_id: cell(Field::SalesforceUserId),
        office365_login: cell(Field::Office365Login),
        full_name: cell(Field::FullName),
        ..Expected::default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_row_by_either_login_case_insensitively() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("r.csv");
        std::fs::write(
            &p,
            "Full name,Salesforce login,Salesforce user ID,Office 365 login,Office 365 email\n\
             Jane Doe,jane@example.com,0055e000001XyZa,Jane.Doe@contoso.example,jane@contoso.example\n\
             John Roe,john@example.com,,john@contoso.example,john@contoso.example\n",
        )
        .unwrap();
        let e = from_roster(&p, "JANE.DOE@contoso.example").unwrap();
        assert_eq!(e.salesforce_login.as_deref(), Some("jane@example.com"));
        assert_eq!(e.salesforce_user_id.as_deref(), Some("0055e000001XyZa"));
        let e = from_roster(&p, "john@example.com").unwrap();
        assert_eq!(e.salesforce_user_id, None);
        let err = from_roster(&p, "nobody@example.com").unwrap_err();
        assert!(
            err.contains("r.csv") && err.contains("nobody@example.com"),
            "{err}"
        );
        let err = from_roster(&dir.path().join("missing.csv"), "x").unwrap_err();
        assert!(err.contains("missing.csv"), "{err}");
    }
}

//! `roster verify` (and the wizard's verify key on Fix): every included row checked against
//! the live directories, with findings under their own stable codes (`sf-id-not-found`,
//! `o365-account-disabled`, … in `roster::Code`).
//!
//! Batched, so 10,000 rows take tens of requests: Salesforce `SELECT … FROM User WHERE Id IN
//! (…)` with as many IDs as fit under the URL limit (about 580), Microsoft Graph
//! `$filter=userPrincipalName in (…)` with 15 logins (Graph's limit for `in`) inside `$batch`
//! requests of 20, so 300 logins a request. Deciding the findings ([`findings`]) is pure.

use super::directory_api::{ApiError, GraphApi, SalesforceApi, SalesforcePermissions, Service};
use crate::roster::rules::sfid;
use crate::roster::{Code, Field, Finding, Roster};
use std::collections::{HashMap, HashSet};

/// Longest request target sent to Salesforce (its limit is 16,384; room for the host part).
pub const MAX_URL: usize = 16_000;
/// Logins in one Graph `in (…)` filter (Graph's limit).
pub const LOGINS_PER_FILTER: usize = 15;

/// What verify reads of one row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyRow {
    /// 0-based row in the roster.
    pub row: usize,
    /// Physical line in the file.
    pub line: u64,
    pub sf_login: String,
    pub sf_id: String,
    pub o365_login: String,
    pub o365_email: String,
}

/// The included rows of `roster`, trimmed.
pub fn rows_of(roster: &Roster) -> Vec<VerifyRow> {
    (0..roster.len())
        .filter(|&r| !roster.is_excluded(r))
        .map(|r| VerifyRow {
            row: r,
            line: roster.record(r).line,
            sf_login: roster.cell(r, Field::SalesforceLogin).trim().to_string(),
            sf_id: roster.cell(r, Field::SalesforceUserId).trim().to_string(),
            o365_login: roster.cell(r, Field::Office365Login).trim().to_string(),
            o365_email: roster.cell(r, Field::Office365Email).trim().to_string(),
        })
        .collect()
}

/// A Salesforce user as verify sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SfSeen {
    pub id: String,
    pub username: String,
    pub active: bool,
}

/// A Microsoft 365 account as verify sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MsSeen {
    pub upn: String,
    pub enabled: bool,
    pub mail: Option<String>,
    /// SMTP addresses from `proxyAddresses`, without their `SMTP:`/`smtp:` prefix.
    pub smtp: Vec<String>,
}

/// One finding on one row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowFinding {
    pub row: usize,
    pub line: u64,
    pub finding: Finding,
}

/// What a verification found.
#[derive(Debug, Clone)]
pub struct VerifyReport {
    /// Rows checked (the included ones).
    pub rows: usize,
    /// Distinct Salesforce IDs asked for.
    pub salesforce_ids: usize,
    /// Distinct Office 365 logins asked for.
    pub microsoft_logins: usize,
    /// In row order.
    pub findings: Vec<RowFinding>,
    /// The administrator's view of Salesforce users: without either permission, users
    /// outside their sharing are "not found" too (said in the report and in each message).
    pub permissions: SalesforcePermissions,
    pub salesforce_requests: usize,
    pub graph_requests: usize,
}

impl VerifyReport {
    /// Rows with at least one finding.
    pub fn rows_with_findings(&self) -> usize {
        let rows: HashSet<usize> = self.findings.iter().map(|f| f.row).collect();
        rows.len()
    }
}

/// Where a verification is, for a progress line or gauge.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VerifyProgress {
    pub service: Service,
    /// IDs or logins answered so far, of `total`.
    pub done: usize,
    pub total: usize,
}

/// The key an ID is compared by: its 18-character form, lower-cased (18-character IDs are
/// unique case-insensitively; a 15-character ID gets its suffix from its exact case).
/// `None` for a value that is not a Salesforce ID (validation reports it).
pub fn id_key(id: &str) -> Option<String> {
    if !id.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return None;
    }
    match id.len() {
        15 => Some(sfid::to_18(id).to_ascii_lowercase()),
        18 => Some(id.to_ascii_lowercase()),
        _ => None,
    }
}

fn is_user_id(id: &str) -> bool {
    id.starts_with("005")
}

/// The IDs to ask Salesforce about (User IDs only, each once), and the logins to ask Graph.
pub fn wanted(rows: &[VerifyRow]) -> (Vec<String>, Vec<String>) {
    let mut ids = Vec::new();
    let mut seen = HashSet::new();
    let mut logins = Vec::new();
    let mut seen_logins = HashSet::new();
    for r in rows {
        if let Some(k) = id_key(&r.sf_id) {
            if is_user_id(&r.sf_id) && seen.insert(k) {
                ids.push(r.sf_id.clone());
            }
        }
        if !r.o365_login.is_empty() && seen_logins.insert(r.o365_login.to_lowercase()) {
            logins.push(r.o365_login.clone());
        }
    }
    (ids, logins)
}

/// SOQL `IN` lists that keep each query URL under [`MAX_URL`] (`base_len`: the URL without
/// the ID list).
pub fn id_batches(ids: &[String], base_len: usize) -> Vec<Vec<String>> {
    // Each ID costs itself plus an encoded quote pair and comma (`%27…%27%2C`).
    let mut out: Vec<Vec<String>> = Vec::new();
    let mut len = base_len;
    for id in ids {
        let cost = id.len() + 9;
        if out.is_empty() || len + cost > MAX_URL {
            out.push(Vec::new());
            len = base_len;
        }
        out.last_mut()
            .unwrap_or_else(|| unreachable!())
            .push(id.clone());
        len += cost;
    }
    out
}

fn soql_ids(ids: &[String]) -> String {
    let list: Vec<String> = ids
        .iter()
        .map(|i| format!("'{}'", i.replace('\\', "\\\\").replace('\'', "\\'")))
        .collect();
    format!(
        "SELECT Id, Username, IsActive FROM User WHERE Id IN ({})",
        list.join(",")
    )
}

/// The Graph URL (relative, for `$batch`) of one `in (…)` filter.
pub fn filter_url(logins: &[String]) -> String {
    let list: Vec<String> = logins
        .iter()
        .map(|l| format!("'{}'", l.replace('\'', "''")))
        .collect();
    format!(
        "/users?$filter={}&$select=id,userPrincipalName,mail,proxyAddresses,accountEnabled",
        super::directory_api::encode(&format!("userPrincipalName in ({})", list.join(",")))
    )
}

/// Checks `rows` against both directories.
pub fn verify(
    rows: &[VerifyRow],
    sf: &mut SalesforceApi,
    graph: &mut GraphApi,
    progress: &mut dyn FnMut(VerifyProgress),
) -> Result<VerifyReport, ApiError> {
    let (ids, logins) = wanted(rows);
    let permissions = sf.permissions()?;
    let mut sf_seen: HashMap<String, SfSeen> = HashMap::new();
    let base_len = sf.query_url(&soql_ids(&[])).len();
    let mut done = 0;
    progress(VerifyProgress {
        service: Service::Salesforce,
        done,
        total: ids.len(),
    });
    for batch in id_batches(&ids, base_len) {
        for r in sf.query(&soql_ids(&batch), &mut |_, _| {})? {
            let seen = SfSeen {
                id: r["Id"].as_str().unwrap_or("").to_string(),
                username: r["Username"].as_str().unwrap_or("").to_string(),
                active: r["IsActive"].as_bool().unwrap_or(false),
            };
            if let Some(k) = id_key(&seen.id) {
                sf_seen.insert(k, seen);
            }
        }
        done += batch.len();
        progress(VerifyProgress {
            service: Service::Salesforce,
            done,
            total: ids.len(),
        });
    }
    let mut ms_seen: HashMap<String, MsSeen> = HashMap::new();
    let chunks: Vec<&[String]> = logins.chunks(LOGINS_PER_FILTER).collect();
    // Progress per $batch request: 20 filters of 15 logins.
    let mut done = 0;
    progress(VerifyProgress {
        service: Service::Microsoft,
        done,
        total: logins.len(),
    });
    for group in chunks.chunks(super::directory_api::BATCH_SIZE) {
        let urls: Vec<String> = group.iter().map(|c| filter_url(c)).collect();
        for body in graph.batch_get(&urls)? {
            for u in body["value"].as_array().into_iter().flatten() {
                let seen = ms_of(u);
                ms_seen.insert(seen.upn.to_lowercase(), seen);
            }
        }
        done += group.iter().map(|c| c.len()).sum::<usize>();
        progress(VerifyProgress {
            service: Service::Microsoft,
            done,
            total: logins.len(),
        });
    }
    Ok(VerifyReport {
        rows: rows.len(),
        salesforce_ids: ids.len(),
        microsoft_logins: logins.len(),
        findings: findings(rows, &sf_seen, &ms_seen, permissions),
        permissions,
        salesforce_requests: sf.requests(),
        graph_requests: graph.requests(),
    })
}

fn ms_of(u: &serde_json::Value) -> MsSeen {
    MsSeen {
        upn: u["userPrincipalName"].as_str().unwrap_or("").to_string(),
        enabled: u["accountEnabled"].as_bool().unwrap_or(true),
        mail: u["mail"].as_str().map(str::to_string),
        smtp: u["proxyAddresses"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|p| p.as_str())
            .filter_map(|p| {
                p.get(..5)
                    .filter(|pre| pre.eq_ignore_ascii_case("smtp:"))
                    .map(|_| p[5..].to_string())
            })
            .collect(),
    }
}

/// The findings for `rows` given what the directories answered (keys: [`id_key`] and the
/// lower-cased UPN). Pure.
pub fn findings(
    rows: &[VerifyRow],
    sf: &HashMap<String, SfSeen>,
    ms: &HashMap<String, MsSeen>,
    permissions: SalesforcePermissions,
) -> Vec<RowFinding> {
    let mut out = Vec::new();
    let mut push = |r: &VerifyRow, f: Finding| {
        out.push(RowFinding {
            row: r.row,
            line: r.line,
            finding: f,
        })
    };
    for r in rows {
        if let Some(key) = id_key(&r.sf_id) {
            if !is_user_id(&r.sf_id) {
                let what = sfid::object_name(&r.sf_id[..3]).unwrap_or("another kind of record");
                push(
                    r,
                    Finding::new(
                        Field::SalesforceUserId,
                        Code::SfIdNotUser,
                        format!(
                            "{} is not a User ID: its prefix {} belongs to {what}; copy the user's ID from Setup → Users",
                            r.sf_id,
                            &r.sf_id[..3]
                        ),
                    ),
                );
            } else {
                match sf.get(&key) {
                    None => push(
                        r,
                        Finding::new(
                            Field::SalesforceUserId,
                            Code::SfIdNotFound,
                            if permissions.sees_everyone() {
                                format!("no Salesforce user has ID {} (deleted, from another org, or a typo)", r.sf_id)
                            } else {
                                format!("no Salesforce user with ID {} is visible to the signed-in administrator, who lacks View All Users and Manage Users: it may not exist, or sharing hides it", r.sf_id)
                            },
                        ),
                    ),
                    Some(u) => {
                        if !u.active {
                            push(
                                r,
                                Finding::new(
                                    Field::SalesforceUserId,
                                    Code::SfUserInactive,
                                    format!("Salesforce user {} ({}) is inactive; activate them or leave the row out", u.id, u.username),
                                ),
                            );
                        }
                        if !r.sf_login.is_empty() && !u.username.eq_ignore_ascii_case(&r.sf_login) {
                            push(
                                r,
                                Finding::new(
                                    Field::SalesforceLogin,
                                    Code::SfIdOtherUsername,
                                    format!(
                                        "Salesforce ID {} belongs to username {}, not {}: the ID or the login is another person's",
                                        r.sf_id, u.username, r.sf_login
                                    ),
                                ),
                            );
                        }
                    }
                }
            }
        }
        if r.o365_login.is_empty() {
            continue;
        }
        match ms.get(&r.o365_login.to_lowercase()) {
            None => push(
                r,
                Finding::new(
                    Field::Office365Login,
                    Code::O365LoginNotFound,
                    format!(
                        "no Microsoft 365 account has the login (UPN) {}",
                        r.o365_login
                    ),
                ),
            ),
            Some(a) => {
                if !a.enabled {
                    push(
                        r,
                        Finding::new(
                            Field::Office365Login,
                            Code::O365AccountDisabled,
                            format!(
                                "the Microsoft 365 account {} is disabled (sign-in blocked)",
                                a.upn
                            ),
                        ),
                    );
                }
                let email = r.o365_email.to_lowercase();
                let mut addresses: Vec<String> = a.mail.iter().cloned().collect();
                for s in &a.smtp {
                    if !addresses.iter().any(|x| x.eq_ignore_ascii_case(s)) {
                        addresses.push(s.clone());
                    }
                }
                if !email.is_empty() && !addresses.iter().any(|x| x.to_lowercase() == email) {
                    let message = if addresses.is_empty() {
                        format!(
                            "{} is not an address of {}, which has no mail addresses (no mailbox?)",
                            r.o365_email, a.upn
                        )
                    } else {
                        format!(
                            "{} is not one of the addresses of {} ({})",
                            r.o365_email,
                            a.upn,
                            addresses.join(", ")
                        )
                    };
                    let mut f =
                        Finding::new(Field::Office365Email, Code::O365EmailNotAddress, message);
                    // The primary address is the one mail goes to: the certain replacement
                    // only when the account has exactly one.
                    if addresses.len() == 1 {
                        f = f.with_fix(addresses[0].clone());
                    }
                    push(r, f);
                }
            }
        }
    }
    out
}

/// The included rows of `roster` with the findings of `report` attached: the wizard's and the
/// CLI's one place to turn a report into per-row findings.
pub fn by_row(report: &VerifyReport) -> HashMap<usize, Vec<Finding>> {
    let mut out: HashMap<usize, Vec<Finding>> = HashMap::new();
    for f in &report.findings {
        out.entry(f.row).or_default().push(f.finding.clone());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(n: usize, sf_login: &str, sf_id: &str, upn: &str, email: &str) -> VerifyRow {
        VerifyRow {
            row: n,
            line: n as u64 + 2,
            sf_login: sf_login.into(),
            sf_id: sf_id.into(),
            o365_login: upn.into(),
            o365_email: email.into(),
        }
    }

    const ALL: SalesforcePermissions = SalesforcePermissions {
        view_all_users: true,
        manage_users: false,
    };

    #[test]
    fn each_code_fires_for_its_case_only() {
        let id_ok = "005000000000001AAA";
        let id_inactive = "005000000000002AAA";
        let id_missing = "005000000000003AAA";
        let sf: HashMap<String, SfSeen> = [
            (id_ok, "jane@acme.com", true),
            (id_inactive, "old@acme.com", false),
        ]
        .into_iter()
        .map(|(id, u, a)| {
            (
                id_key(id).unwrap(),
                SfSeen {
                    id: id.into(),
                    username: u.into(),
                    active: a,
                },
            )
        })
        .collect();
        let ms: HashMap<String, MsSeen> = [
            MsSeen {
                upn: "jane@acme.com".into(),
                enabled: true,
                mail: Some("Jane.Doe@acme.com".into()),
                smtp: vec!["jane.doe@acme.com".into(), "jd@acme.com".into()],
            },
            MsSeen {
                upn: "off@acme.com".into(),
                enabled: false,
                mail: Some("off@acme.com".into()),
                smtp: vec![],
            },
        ]
        .into_iter()
        .map(|m| (m.upn.clone(), m))
        .collect();
        let rows = vec![
            // Everything right (alias, other case).
            row(0, "JANE@acme.com", id_ok, "Jane@acme.com", "JD@acme.com"),
            row(
                1,
                "old@acme.com",
                id_inactive,
                "off@acme.com",
                "off@acme.com",
            ),
            row(2, "x@acme.com", id_missing, "nobody@acme.com", "x@acme.com"),
            row(3, "bob@acme.com", id_ok, "jane@acme.com", "bob@acme.com"),
            row(4, "c@acme.com", "0035e000001XyZaAAK", "", ""),
        ];
        let f = findings(&rows, &sf, &ms, ALL);
        let got: Vec<(usize, &str)> = f.iter().map(|f| (f.row, f.finding.code.as_str())).collect();
        assert_eq!(
            got,
            [
                (1, "sf-user-inactive"),
                (1, "o365-account-disabled"),
                (2, "sf-id-not-found"),
                (2, "o365-login-not-found"),
                (3, "sf-id-other-username"),
                (3, "o365-email-not-address"),
                (4, "sf-id-not-user"),
            ]
        );
        assert!(f[6].finding.message.contains("a Contact"));
        assert!(
            f[5].finding.message.contains("jd@acme.com"),
            "{}",
            f[5].finding.message
        );
        assert_eq!(f[5].finding.fix, None, "three addresses: no certain fix");
    }

    #[test]
    fn a_partial_view_is_said_in_not_found() {
        let rows = vec![row(0, "a@x.com", "005000000000003AAA", "", "")];
        let none = SalesforcePermissions {
            view_all_users: false,
            manage_users: false,
        };
        let f = findings(&rows, &HashMap::new(), &HashMap::new(), none);
        assert!(
            f[0].finding.message.contains("View All Users"),
            "{}",
            f[0].finding.message
        );
    }

    #[test]
    fn ids_compare_in_18_character_form() {
        // A 15-character ID and its 18-character form are one key; a mangled case is another.
        let id18 = sfid::to_18("0055e000001XyZa");
        assert_eq!(id_key("0055e000001XyZa"), id_key(&id18));
        assert_eq!(id_key(&id18.to_uppercase()), id_key(&id18));
        assert_ne!(id_key("0055E000001XYZA"), id_key(&id18));
        assert_eq!(id_key("not an id"), None);
    }

    #[test]
    fn batches_stay_under_the_url_limit_and_lose_nothing() {
        use super::super::directory_api::FixedToken;
        let sf = SalesforceApi::new(
            "https://acme.my.salesforce.com",
            "v68.0",
            Box::new(FixedToken("t".into())),
        );
        let ids: Vec<String> = (0..10_000).map(|n| format!("005{n:015}")).collect();
        let batches = id_batches(&ids, sf.query_url(&soql_ids(&[])).len());
        assert_eq!(batches.len(), 18, "10,000 IDs in 18 queries");
        let all: Vec<String> = batches.iter().flatten().cloned().collect();
        assert_eq!(all, ids);
        for b in &batches {
            let len = sf.query_url(&soql_ids(b)).len();
            assert!(len <= MAX_URL, "{len}");
        }
    }

    #[test]
    fn wanted_skips_non_user_ids_and_repeats() {
        let rows = vec![
            row(0, "a", "005000000000001AAA", "A@x.com", ""),
            row(1, "b", "005000000000001aaa", "a@x.com", ""),
            row(2, "c", "0035e000001XyZaAAK", "", ""),
            row(3, "d", "bad", "b@x.com", ""),
        ];
        let (ids, logins) = wanted(&rows);
        assert_eq!(ids, ["005000000000001AAA"]);
        assert_eq!(logins, ["A@x.com", "b@x.com"]);
    }

    #[test]
    fn filter_urls_quote_and_encode() {
        let u = filter_url(&["o'neil@x.com".to_string(), "b@x.com".to_string()]);
        assert!(
            u.starts_with(
                "/users?$filter=userPrincipalName%20in%20%28%27o%27%27neil%40x.com%27%2C"
            ),
            "{u}"
        );
    }
}

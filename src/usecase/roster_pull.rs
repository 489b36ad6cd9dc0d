//! `roster pull`: both user directories read live with an administrator's sign-in, then the
//! same join as `roster join` (`directory::join`).
//!
//! Salesforce: `SELECT Id, Name, Username, Email, IsActive, UserType, FederationIdentifier
//! FROM User`, following `nextRecordsUrl` (2,000 a batch), after the permission query: an
//! administrator without "View All Users" or "Manage Users" sees only the users sharing shows
//! them, and `COUNT()` obeys the same sharing, so the permissions are what tells a partial
//! view. Microsoft Graph: `/v1.0/users?$select=…&$top=999`, following `@odata.nextLink`.
//! The two run at once (one thread each); progress is reported per page.

use super::directory_api::{ApiError, GraphApi, SalesforceApi, SalesforcePermissions, Service};
use crate::directory::{MicrosoftUser, SalesforceUser};
use serde_json::Value;
use std::time::{Duration, Instant};

/// The SOQL of a pull.
pub const USERS_SOQL: &str =
    "SELECT Id, Name, Username, Email, IsActive, UserType, FederationIdentifier FROM User";
/// The Graph path of a pull (999 is Graph's largest page).
pub const USERS_PATH: &str = "users?$select=id,displayName,userPrincipalName,mail,proxyAddresses,accountEnabled,userType&$top=999";

/// One page arrived.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PullProgress {
    pub service: Service,
    /// Users read so far.
    pub users: usize,
    /// Salesforce's `totalSize` (what the administrator can see); Graph gives none.
    pub total: Option<usize>,
}

/// Both directories as read.
#[derive(Debug, Clone)]
pub struct Pulled {
    pub salesforce: Vec<SalesforceUser>,
    pub microsoft: Vec<MicrosoftUser>,
    /// The Salesforce administrator's view: not [`SalesforcePermissions::sees_everyone`]
    /// means some users may be missing from `salesforce`.
    pub permissions: SalesforcePermissions,
    pub salesforce_requests: usize,
    pub graph_requests: usize,
    /// Wall time of each side (they overlap).
    pub salesforce_time: Duration,
    pub microsoft_time: Duration,
    /// Time spent turning JSON records into users.
    pub convert_time: Duration,
    /// Time spent parsing the answers' JSON (with `convert_time`, the client's share; the
    /// rest of the wall time is the servers and the wire).
    pub parse_time: Duration,
    /// CPU time each side's reading thread used (HTTP, JSON, conversion), where the system
    /// tells it ([`thread_cpu_time`]): against the side's wall time, it says whether the pull
    /// waited on the server or on itself.
    pub salesforce_cpu: Option<Duration>,
    pub microsoft_cpu: Option<Duration>,
}

/// CPU time the calling thread has used so far: Linux's `/proc/thread-self/schedstat` (time on
/// a CPU, in nanoseconds); `None` where the system has no such file (Windows, macOS).
pub fn thread_cpu_time() -> Option<Duration> {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns: u64 = text.split_whitespace().next()?.parse().ok()?;
    Some(Duration::from_nanos(ns))
}

/// CPU time used by this thread since `from` (a [`thread_cpu_time`] reading).
fn cpu_since(from: Option<Duration>) -> Option<Duration> {
    Some(thread_cpu_time()?.saturating_sub(from?))
}

/// Reads both directories at once. `progress` is called from both threads.
pub fn pull(
    sf: &mut SalesforceApi,
    graph: &mut GraphApi,
    progress: &(dyn Fn(PullProgress) + Sync),
) -> Result<Pulled, ApiError> {
    let (sf_result, ms_result) = std::thread::scope(|s| {
        let sf_side = s.spawn(|| {
            let (t, cpu) = (Instant::now(), thread_cpu_time());
            let permissions = sf.permissions()?;
            let records = sf.query(USERS_SOQL, &mut |users, total| {
                progress(PullProgress {
                    service: Service::Salesforce,
                    users,
                    total: Some(total),
                })
            })?;
            let c = Instant::now();
            let users: Vec<SalesforceUser> = records.iter().map(salesforce_user).collect();
            let convert = c.elapsed();
            Ok::<_, ApiError>((permissions, users, t.elapsed(), convert, cpu_since(cpu)))
        });
        let ms_side = s.spawn(|| {
            let (t, cpu) = (Instant::now(), thread_cpu_time());
            let records = graph.list(USERS_PATH, &mut |users| {
                progress(PullProgress {
                    service: Service::Microsoft,
                    users,
                    total: None,
                })
            })?;
            let c = Instant::now();
            let users: Vec<MicrosoftUser> = records.iter().map(microsoft_user).collect();
            let convert = c.elapsed();
            Ok::<_, ApiError>((users, t.elapsed(), convert, cpu_since(cpu)))
        });
        (
            sf_side.join().unwrap_or_else(|_| {
                Err(ApiError::Unexpected(
                    Service::Salesforce,
                    "the reader stopped".into(),
                ))
            }),
            ms_side.join().unwrap_or_else(|_| {
                Err(ApiError::Unexpected(
                    Service::Microsoft,
                    "the reader stopped".into(),
                ))
            }),
        )
    });
    let (permissions, salesforce, salesforce_time, sf_convert, salesforce_cpu) = sf_result?;
    let (microsoft, microsoft_time, ms_convert, microsoft_cpu) = ms_result?;
    Ok(Pulled {
        salesforce,
        microsoft,
        permissions,
        salesforce_requests: sf.requests(),
        graph_requests: graph.requests(),
        salesforce_time,
        microsoft_time,
        convert_time: sf_convert + ms_convert,
        parse_time: sf.parse_time() + graph.parse_time(),
        salesforce_cpu,
        microsoft_cpu,
    })
}

fn text(v: &Value) -> String {
    v.as_str().unwrap_or("").to_string()
}

fn opt_text(v: &Value) -> Option<String> {
    v.as_str()
        .filter(|s| !s.trim().is_empty())
        .map(str::to_string)
}

/// A Salesforce `User` record as the join takes it (no line: pulled live).
pub fn salesforce_user(r: &Value) -> SalesforceUser {
    SalesforceUser {
        id: text(&r["Id"]),
        name: text(&r["Name"]),
        username: text(&r["Username"]),
        email: text(&r["Email"]),
        active: r["IsActive"].as_bool().unwrap_or(false),
        user_type: opt_text(&r["UserType"]),
        federation_id: opt_text(&r["FederationIdentifier"]),
        line: None,
    }
}

/// A Graph `user` as the join takes it. `accountEnabled` absent (not selected, or no right to
/// read it) counts as enabled: the join must not skip people on a guess.
pub fn microsoft_user(u: &Value) -> MicrosoftUser {
    MicrosoftUser {
        id: text(&u["id"]),
        upn: text(&u["userPrincipalName"]),
        display_name: text(&u["displayName"]),
        mail: opt_text(&u["mail"]),
        proxy_addresses: u["proxyAddresses"].as_array().map(|a| {
            a.iter()
                .filter_map(|p| p.as_str().map(str::to_string))
                .collect()
        }),
        enabled: u["accountEnabled"].as_bool().unwrap_or(true),
        user_type: opt_text(&u["userType"]),
        line: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_become_directory_users() {
        let sf = salesforce_user(&serde_json::json!({
            "attributes": {"type": "User"}, "Id": "0055e000001XyZaAAK", "Name": "Jane Doe",
            "Username": "jane@acme.com.prod", "Email": "jane@acme.com", "IsActive": true,
            "UserType": "Standard", "FederationIdentifier": null,
        }));
        assert_eq!(sf.id, "0055e000001XyZaAAK");
        assert!(sf.active);
        assert_eq!(sf.federation_id, None);
        assert_eq!(sf.line, None);
        let ms = microsoft_user(&serde_json::json!({
            "id": "x", "userPrincipalName": "jane@acme.onmicrosoft.com", "displayName": "Jane",
            "mail": "jane@acme.com", "proxyAddresses": ["SMTP:jane@acme.com", "smtp:jd@acme.com"],
            "accountEnabled": false, "userType": "Member",
        }));
        assert_eq!(
            ms.smtp_addresses().collect::<Vec<_>>(),
            ["jane@acme.com", "jd@acme.com"]
        );
        assert!(!ms.enabled);
        let bare = microsoft_user(&serde_json::json!({ "id": "y", "userPrincipalName": "b@x" }));
        assert!(bare.enabled);
        assert_eq!(bare.proxy_addresses, None);
    }
}

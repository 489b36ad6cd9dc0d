//! Reading the two exports: a Salesforce users export (Data Loader or a report) and a
//! Microsoft 365 users export (the Entra admin center's "Download users", the Microsoft 365
//! admin center's active users, or `Get-MgUser | Export-Csv`).
//!
//! Encoding, delimiter, lines above the header and a report footer are handled as for a
//! roster (`roster::import::table`); the headers are matched with the same normalisation
//! (case, spaces and punctuation ignored) against each export's own column names.

use super::{trimmed, MicrosoftUser, SalesforceUser};
use crate::roster::import::headers::normalize;
use crate::roster::import::{self, at, table};
use serde::Serialize;
use std::path::{Path, PathBuf};

/// Why an export cannot be read. Row-level oddities are [`Notice`]s instead.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// Unreadable, empty, binary, not delimited, broken CSV: as for a roster.
    #[error(transparent)]
    File(#[from] import::ImportError),
    #[error("{}no column for {}; headers found: {}. {hint}", at(.path), .missing.join(", "), import::list_headers(.found))]
    MissingColumns {
        path: Option<PathBuf>,
        /// The columns it needs, as the export names them (`Username`, `userPrincipalName`).
        missing: Vec<&'static str>,
        found: Vec<String>,
        /// What to do: which export this should be, or that the files are swapped.
        hint: &'static str,
    },
    #[error("{}line {line}, column {column} ({header}): {message}", at(.path))]
    BadValue {
        path: Option<PathBuf>,
        line: u64,
        /// 1-based column number.
        column: usize,
        header: String,
        message: String,
    },
}

impl ImportError {
    /// The same error, naming the file it came from.
    pub fn in_file(self, p: &Path) -> Self {
        match self {
            ImportError::File(e) => ImportError::File(e.in_file(p)),
            ImportError::MissingColumns {
                missing,
                found,
                hint,
                ..
            } => ImportError::MissingColumns {
                path: Some(p.to_path_buf()),
                missing,
                found,
                hint,
            },
            ImportError::BadValue {
                line,
                column,
                header,
                message,
                ..
            } => ImportError::BadValue {
                path: Some(p.to_path_buf()),
                line,
                column,
                header,
                message,
            },
        }
    }
}

/// Something the admin should know about an export that was read: shown once, not per line.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Notice {
    /// Stable: `header-moved`, `report-footer`, `rows-left-out`, `no-active-column`,
    /// `no-enabled-column`, `proxy-addresses-unusable`.
    pub code: &'static str,
    /// Physical lines it is about (0 when about the whole file).
    pub first_line: u64,
    pub last_line: u64,
    /// One line for a person.
    pub message: String,
}

impl From<import::Notice> for Notice {
    fn from(n: import::Notice) -> Self {
        Notice {
            code: n.code,
            first_line: n.first_line,
            last_line: n.last_line,
            message: n.message,
        }
    }
}

/// Reads a Salesforce users export.
pub fn read_salesforce(path: &Path) -> Result<(Vec<SalesforceUser>, Vec<Notice>), ImportError> {
    let bytes = read(path)?;
    salesforce_from_bytes(bytes).map_err(|e| e.in_file(path))
}

/// Reads a Microsoft 365 users export.
pub fn read_microsoft(path: &Path) -> Result<(Vec<MicrosoftUser>, Vec<Notice>), ImportError> {
    let bytes = read(path)?;
    microsoft_from_bytes(bytes).map_err(|e| e.in_file(path))
}

/// The Salesforce users export and the Microsoft 365 users export, read at once (one thread
/// each: on two cores the pair takes as long as the larger file). The Salesforce export's
/// error comes first when both fail.
pub type BothExports = (
    (Vec<SalesforceUser>, Vec<Notice>),
    (Vec<MicrosoftUser>, Vec<Notice>),
);

/// Reads both exports of a join in parallel; see [`BothExports`].
pub fn read_both(salesforce: &Path, microsoft: &Path) -> Result<BothExports, ImportError> {
    let (sf, ms) = std::thread::scope(|s| {
        let ms = s.spawn(|| read_microsoft(microsoft));
        let sf = read_salesforce(salesforce);
        (sf, ms.join())
    });
    let ms = ms.unwrap_or_else(|panic| std::panic::resume_unwind(panic));
    Ok((sf?, ms?))
}

fn read(path: &Path) -> Result<Vec<u8>, ImportError> {
    crate::fsutil::read_regular(path).map_err(|source| {
        ImportError::File(import::ImportError::Io {
            path: path.to_path_buf(),
            source,
        })
    })
}

/// Columns of a Salesforce export, by index.
#[derive(Clone, Debug, Default)]
struct SfColumns {
    id: usize,
    username: usize,
    email: usize,
    name: Option<usize>,
    first: Option<usize>,
    last: Option<usize>,
    active: Option<usize>,
    user_type: Option<usize>,
    federation: Option<usize>,
}

#[derive(Clone, Copy, PartialEq)]
enum SfRole {
    Id,
    Username,
    Email,
    Name,
    First,
    Last,
    Active,
    UserType,
    Federation,
}

fn sf_role(header: &str) -> Option<SfRole> {
    Some(match normalize(header).as_str() {
        "id" | "userid" | "recordid" | "id18" | "userid18" | "18charid" | "salesforceid"
        | "salesforceuserid" | "casesafeid" | "useridcasesafe" => SfRole::Id,
        "username" | "salesforceusername" | "salesforcelogin" | "login" | "loginname" => {
            SfRole::Username
        }
        "email" | "emailaddress" => SfRole::Email,
        "name" | "fullname" => SfRole::Name,
        "firstname" | "first" => SfRole::First,
        "lastname" | "last" | "surname" => SfRole::Last,
        "isactive" | "active" => SfRole::Active,
        "usertype" => SfRole::UserType,
        "federationidentifier" | "federationid" | "samlfederationid" => SfRole::Federation,
        _ => return None,
    })
}

const SF_HINT: &str = "SALESFORCE_USERS should be a Salesforce users export: Data Loader on User \
    (Id, Name, Username, Email, IsActive, UserType, FederationIdentifier) or a users report \
    (User ID, Full Name, Username, Email, Active)";
const SF_SWAPPED: &str = "this looks like the Microsoft 365 export: pass the Salesforce users \
    export first, then the Microsoft 365 one";

fn sf_header(body: &str, sep: Option<u8>) -> Result<(u8, (SfColumns, Vec<String>)), ImportError> {
    let (delimiter, headers) = table::header_cells(body, None, sep)?;
    let mut found: [Option<usize>; 9] = [None; 9];
    for (i, h) in headers.iter().enumerate() {
        if let Some(r) = sf_role(h) {
            found[r as usize].get_or_insert(i);
        }
    }
    let get = |r: SfRole| found[r as usize];
    let mut missing = Vec::new();
    for (role, name) in [
        (SfRole::Id, "Id"),
        (SfRole::Username, "Username"),
        (SfRole::Email, "Email"),
    ] {
        if get(role).is_none() {
            missing.push(name);
        }
    }
    if get(SfRole::Name).is_none() && (get(SfRole::First).is_none() && get(SfRole::Last).is_none())
    {
        missing.push("Name (or FirstName and LastName)");
    }
    if !missing.is_empty() {
        if headers.len() < 2 {
            return Err(import::ImportError::NotDelimited(None).into());
        }
        let swapped = headers.iter().any(|h| normalize(h) == "userprincipalname");
        return Err(ImportError::MissingColumns {
            path: None,
            missing,
            found: headers,
            hint: if swapped { SF_SWAPPED } else { SF_HINT },
        });
    }
    let cols = SfColumns {
        id: get(SfRole::Id).unwrap_or_default(),
        username: get(SfRole::Username).unwrap_or_default(),
        email: get(SfRole::Email).unwrap_or_default(),
        name: get(SfRole::Name),
        first: get(SfRole::First),
        last: get(SfRole::Last),
        active: get(SfRole::Active),
        user_type: get(SfRole::UserType),
        federation: get(SfRole::Federation),
    };
    Ok((delimiter, (cols, headers)))
}

/// How informative a refused header line is (see `table::locate`).
fn rank(e: &ImportError) -> usize {
    match e {
        ImportError::MissingColumns { found, .. } => found.len().min(2),
        _ => 0,
    }
}

/// Lines left out of an export, for one notice.
#[derive(Default)]
struct LeftOut {
    lines: Vec<u64>,
}

impl LeftOut {
    fn notice(&self, why: &str) -> Option<Notice> {
        let (first, last) = (*self.lines.first()?, *self.lines.last()?);
        let shown: Vec<String> = self.lines.iter().take(10).map(u64::to_string).collect();
        let more = match self.lines.len() {
            n if n > 10 => format!(" and {} more", n - 10),
            _ => String::new(),
        };
        let noun = if self.lines.len() == 1 {
            "line"
        } else {
            "lines"
        };
        Some(Notice {
            code: "rows-left-out",
            first_line: first,
            last_line: last,
            message: format!("{noun} {}{more}: {why}; left out", shown.join(", ")),
        })
    }
}

/// What one part of an export (see `records::rows_in_parts`) read.
struct Part<U> {
    users: Vec<U>,
    /// Lines left out.
    left_out: Vec<u64>,
    /// The first line with a cell the caller flags (an unusable proxyAddresses cell).
    flagged: Option<u64>,
}

impl<U> Default for Part<U> {
    fn default() -> Self {
        Part {
            users: Vec::new(),
            left_out: Vec::new(),
            flagged: None,
        }
    }
}

impl<U> Part<U> {
    /// The parts, in file order, as one reading.
    fn merge(parts: Vec<Part<U>>) -> (Vec<U>, LeftOut, Option<u64>) {
        let mut parts = parts.into_iter();
        let mut all = parts.next().unwrap_or_default();
        for p in parts {
            all.users.extend(p.users);
            all.left_out.extend(p.left_out);
            all.flagged = all.flagged.or(p.flagged);
        }
        (
            all.users,
            LeftOut {
                lines: all.left_out,
            },
            all.flagged,
        )
    }
}

/// Reads a Salesforce users export held in memory.
pub(super) fn salesforce_from_bytes(
    bytes: Vec<u8>,
) -> Result<(Vec<SalesforceUser>, Vec<Notice>), ImportError> {
    let (start, text) = table::locate(bytes, None, sf_header, rank)?;
    let (cols, headers) = start.header.clone();
    let width = headers.len();
    let (parts, footer) = records::rows_in_parts(
        &text,
        &start,
        width,
        Part::default,
        |part: &mut Part<SalesforceUser>, line, rec| {
            let cell = |i: usize| rec.cell(i);
            let (id, username) = (cell(cols.id), cell(cols.username));
            if id.is_empty() || username.is_empty() {
                part.left_out.push(line);
                return Ok(());
            }
            let name = match cols.name.map(cell).filter(|n| !n.is_empty()) {
                Some(n) => n.to_string(),
                None => [cols.first, cols.last]
                    .into_iter()
                    .flatten()
                    .map(cell)
                    .filter(|p| !p.is_empty())
                    .collect::<Vec<_>>()
                    .join(" "),
            };
            let active = match cols.active {
                Some(i) => flag(rec, line, i, &headers)?,
                None => true,
            };
            part.users.push(SalesforceUser {
                id: id.to_string(),
                name,
                username: username.to_string(),
                email: cell(cols.email).to_string(),
                active,
                user_type: rec.opt(cols.user_type),
                federation_id: rec.opt(cols.federation),
                line: Some(line),
            });
            Ok::<(), ImportError>(())
        },
    )?;
    let (users, left_out, _) = Part::merge(parts);
    let mut notices = common_notices(&start, footer);
    notices.extend(left_out.notice("no Id or no Username"));
    if cols.active.is_none() {
        notices.push(Notice {
            code: "no-active-column",
            first_line: start.header_line,
            last_line: start.header_line,
            message: "no IsActive column: every user is taken as active; add IsActive to the \
                export to leave out inactive users"
                .into(),
        });
    }
    Ok((users, notices))
}

/// Columns of a Microsoft 365 export, by index.
#[derive(Clone, Debug, Default)]
struct MsColumns {
    upn: usize,
    id: Option<usize>,
    display_name: Option<usize>,
    mail: Option<usize>,
    proxy: Option<usize>,
    enabled: Option<usize>,
    /// "Block credential" / "Block sign-in": enabled is its opposite.
    blocked: Option<usize>,
    user_type: Option<usize>,
}

#[derive(Clone, Copy)]
enum MsRole {
    Upn,
    Id,
    DisplayName,
    Mail,
    Proxy,
    Enabled,
    Blocked,
    UserType,
}

fn ms_role(header: &str) -> Option<MsRole> {
    Some(match normalize(header).as_str() {
        "userprincipalname" | "upn" => MsRole::Upn,
        "id" | "objectid" | "userid" => MsRole::Id,
        "displayname" | "name" | "fullname" => MsRole::DisplayName,
        "mail" | "email" | "emailaddress" | "primarysmtpaddress" => MsRole::Mail,
        "proxyaddresses" => MsRole::Proxy,
        "accountenabled" | "enabled" => MsRole::Enabled,
        "blockcredential" | "blocksignin" | "signinblocked" => MsRole::Blocked,
        "usertype" => MsRole::UserType,
        _ => return None,
    })
}

const MS_HINT: &str = "MICROSOFT_USERS should be a Microsoft 365 users export: the Entra admin \
    center's Download users (userPrincipalName, displayName, mail, accountEnabled, userType) or \
    Get-MgUser | Export-Csv";
const MS_SWAPPED: &str = "this looks like the Salesforce export: pass the Salesforce users \
    export first, then the Microsoft 365 one";

fn ms_header(body: &str, sep: Option<u8>) -> Result<(u8, (MsColumns, Vec<String>)), ImportError> {
    let (delimiter, headers) = table::header_cells(body, None, sep)?;
    let mut found: [Option<usize>; 8] = [None; 8];
    for (i, h) in headers.iter().enumerate() {
        if let Some(r) = ms_role(h) {
            found[r as usize].get_or_insert(i);
        }
    }
    let get = |r: MsRole| found[r as usize];
    let Some(upn) = get(MsRole::Upn) else {
        if headers.len() < 2 {
            return Err(import::ImportError::NotDelimited(None).into());
        }
        let swapped = headers.iter().any(|h| {
            let n = normalize(h);
            n == "username" || n == "federationidentifier" || n == "isactive"
        });
        return Err(ImportError::MissingColumns {
            path: None,
            missing: vec!["userPrincipalName"],
            found: headers,
            hint: if swapped { MS_SWAPPED } else { MS_HINT },
        });
    };
    let cols = MsColumns {
        upn,
        id: get(MsRole::Id),
        display_name: get(MsRole::DisplayName),
        mail: get(MsRole::Mail),
        proxy: get(MsRole::Proxy),
        enabled: get(MsRole::Enabled),
        blocked: get(MsRole::Blocked),
        user_type: get(MsRole::UserType),
    };
    Ok((delimiter, (cols, headers)))
}

/// Reads a Microsoft 365 users export held in memory.
pub(super) fn microsoft_from_bytes(
    bytes: Vec<u8>,
) -> Result<(Vec<MicrosoftUser>, Vec<Notice>), ImportError> {
    let (start, text) = table::locate(bytes, None, ms_header, rank)?;
    let (cols, headers) = start.header.clone();
    let width = headers.len();
    let (parts, footer) = records::rows_in_parts(
        &text,
        &start,
        width,
        Part::default,
        |part: &mut Part<MicrosoftUser>, line, rec| {
            let cell = |i: usize| rec.cell(i);
            let upn = cell(cols.upn);
            if upn.is_empty() {
                part.left_out.push(line);
                return Ok(());
            }
            let enabled = match (cols.enabled, cols.blocked) {
                (Some(i), _) => flag(rec, line, i, &headers)?,
                (None, Some(i)) => !flag(rec, line, i, &headers)?,
                (None, None) => true,
            };
            let proxy_addresses = match cols.proxy.map(cell) {
                None => None,
                Some(v) if is_type_name(v) => {
                    part.flagged.get_or_insert(line);
                    None
                }
                Some(v) => Some(split_proxy_addresses(v)),
            };
            part.users.push(MicrosoftUser {
                id: cols.id.map(cell).unwrap_or_default().to_string(),
                upn: upn.to_string(),
                display_name: cols.display_name.map(cell).unwrap_or_default().to_string(),
                mail: rec.opt(cols.mail),
                proxy_addresses,
                enabled,
                user_type: rec.opt(cols.user_type),
                line: Some(line),
            });
            Ok::<(), ImportError>(())
        },
    )?;
    // The first line whose proxyAddresses cell is PowerShell's type name, not addresses.
    let (mut users, left_out, unusable_proxy) = Part::merge(parts);
    let mut notices = common_notices(&start, footer);
    notices.extend(left_out.notice("no userPrincipalName"));
    if let (Some(first), Some(col)) = (unusable_proxy, cols.proxy) {
        // One unusable cell makes the column unusable: aliases are evidence only when every
        // account's are known, or a missing alias would look like "no such address".
        for u in &mut users {
            u.proxy_addresses = None;
        }
        notices.push(Notice {
            code: "proxy-addresses-unusable",
            first_line: first,
            last_line: first,
            message: format!(
                "column {} ({}) holds \"System.String[]\" from line {first}: PowerShell wrote the \
                 list's type, not the addresses, so aliases are not used for matching; export it \
                 with @{{n='proxyAddresses';e={{$_.ProxyAddresses -join ';'}}}}",
                col + 1,
                headers.get(col).map_or("proxyAddresses", String::as_str)
            ),
        });
    }
    if cols.enabled.is_none() && cols.blocked.is_none() {
        notices.push(Notice {
            code: "no-enabled-column",
            first_line: start.header_line,
            last_line: start.header_line,
            message: "no accountEnabled column: every account is taken as enabled; add \
                accountEnabled to the export to leave out disabled accounts"
                .into(),
        });
    }
    Ok((users, notices))
}

fn common_notices<H>(start: &table::Start<H>, footer: Option<import::Footer>) -> Vec<Notice> {
    let mut out = Vec::new();
    if start.preamble > usize::from(start.sep_line) {
        out.push(Notice {
            code: "header-moved",
            first_line: 1 + u64::from(start.sep_line),
            last_line: start.header_line - 1,
            message: format!(
                "header on line {}: the line(s) above it are not part of the table and were skipped",
                start.header_line
            ),
        });
    }
    if let Some(f) = footer {
        out.push(Notice {
            code: "report-footer",
            first_line: f.first_line,
            last_line: f.last_line,
            message: f.to_string(),
        });
    }
    out
}

/// A checkbox as exports write it: `true`/`false` (Data Loader, Graph), `TRUE`/`FALSE`
/// (Excel), `1`/`0` (reports), `yes`/`no`.
fn boolean(v: &str) -> Option<bool> {
    let v = trimmed(v);
    let is = |words: [&str; 4]| words.iter().any(|w| v.eq_ignore_ascii_case(w));
    if is(["true", "1", "yes", "y"]) {
        Some(true)
    } else if is(["false", "0", "no", "n"]) {
        Some(false)
    } else {
        None
    }
}

/// A TRUE/FALSE cell of a record, or the error naming its line and column.
fn flag(
    rec: &records::Row<'_>,
    line: u64,
    col: usize,
    headers: &[String],
) -> Result<bool, ImportError> {
    boolean(rec.cell(col)).ok_or_else(|| bad_bool(line, col, headers, rec.cell(col)))
}

fn bad_bool(line: u64, col: usize, headers: &[String], value: &str) -> ImportError {
    ImportError::BadValue {
        path: None,
        line,
        column: col + 1,
        header: headers.get(col).cloned().unwrap_or_default(),
        message: format!(
            "\"{value}\" is not TRUE or FALSE; fix the cell, or export the column again \
             unformatted"
        ),
    }
}

/// PowerShell's rendering of a list it could not flatten: `System.String[]`,
/// `System.Collections.Generic.List`1[System.String]`.
fn is_type_name(v: &str) -> bool {
    v.starts_with("System.") && !v.contains('@')
}

/// Splits a joined proxyAddresses cell: `SMTP:a@x;smtp:b@x`, space- or comma-separated, the
/// Microsoft 365 admin center's `SMTP:a@x+smtp:b@x`, or a JSON-like `["SMTP:a@x", …]`.
pub(super) fn split_proxy_addresses(v: &str) -> Vec<String> {
    let mut out = Vec::new();
    for token in v.split(|c: char| c == ';' || c == ',' || c.is_whitespace()) {
        let wrap = |c: &u8| matches!(c, b'[' | b']' | b'{' | b'}' | b'"' | b'\'');
        let (b, token) = (token.as_bytes(), token);
        let token = if b.first().is_some_and(wrap) || b.last().is_some_and(wrap) {
            token.trim_matches(|c| matches!(c, '[' | ']' | '{' | '}' | '"' | '\''))
        } else {
            token
        };
        if token.is_empty() {
            continue;
        }
        // `+` joins entries only where a `TYPE:` follows it; elsewhere it is part of an
        // address (`jane+news@x.com`).
        let mut rest = token;
        let mut from = 0;
        while let Some(p) = rest[from..].find('+') {
            let at = from + p;
            if typed_entry(&rest[at + 1..]) {
                out.push(rest[..at].to_string());
                rest = &rest[at + 1..];
                from = 0;
            } else {
                from = at + 1;
            }
        }
        if !rest.is_empty() {
            out.push(rest.to_string());
        }
    }
    out
}

/// Whether `s` starts like a proxy-address entry: a short alphanumeric type and a colon.
fn typed_entry(s: &str) -> bool {
    match s.find(':') {
        Some(n) => (1..=10).contains(&n) && s[..n].chars().all(|c| c.is_ascii_alphanumeric()),
        None => false,
    }
}

mod records;
#[cfg(test)]
mod tests;

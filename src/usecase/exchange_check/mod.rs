//! `exchange check`: before users are told to start, prove that the chosen Exchange plan
//! reaches every included mailbox, and say per mailbox why not.
//!
//! One entry, [`check`], chooses by plan ([`CheckPlan`]):
//! - `app_only` over Microsoft Graph ([`graph`]): a client-credentials token, then the inbox,
//!   one calendar and one contact folder of each mailbox;
//! - `app_only` over EWS ([`ews`]): the same token for EWS's resource, then one `GetFolder`
//!   (inbox, calendar, contacts) per mailbox with the `ExchangeImpersonation` header, as
//!   Microsoft documents for EWS app-only access;
//! - `impersonation` on Exchange Server ([`ews`]): the same `GetFolder`, authenticated as the
//!   impersonating account with NTLM/Negotiate ([`ntlm`]) or Basic over HTTPS;
//! - `per_user` ([`per_user`]): only what can be checked without the users (the tenant, the
//!   app ID, the EWS allow-list step); each user's sign-in proves the rest.
//!
//! Mailboxes are checked with bounded concurrency; 429/503 answers are retried after their
//! `Retry-After`. Each mailbox gets one [`Status`]; the shells render the [`CheckReport`]
//! (CLI text / JSON and exit code, the wizard a gauge and a list). Secrets (the client
//! secret, the password, tokens) stay in memory in types that never Debug-print them, and no
//! message here includes them.

mod ews;
mod graph;
mod ntlm;
mod per_user;
mod prepare;

pub(crate) use prepare::{prepare, PrepareError, Prepared};

use crate::auth::config::MicrosoftConfig;
use crate::auth::http::Http;
use crate::auth::ExchangeSecret;
use crate::roster::{Field, Roster};
use oauth2::basic::BasicClient;
use oauth2::{
    AccessToken, AuthType, ClientId, ClientSecret, RequestTokenError, Scope, TokenResponse,
    TokenUrl,
};
use std::collections::HashSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::Duration;

/// How many mailboxes are checked at once unless told otherwise.
pub const DEFAULT_CONCURRENCY: usize = 8;

/// One mailbox to check: the roster's Office 365 login (the UPN), its email address (what
/// EWS impersonation names) and the row's line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mailbox {
    pub upn: String,
    /// The Office 365 email address; the UPN when the row has none.
    pub address: String,
    pub line: u64,
}

impl Mailbox {
    /// A mailbox whose address is its UPN.
    pub fn new(upn: impl Into<String>, line: u64) -> Mailbox {
        let upn = upn.into();
        Mailbox {
            address: upn.clone(),
            upn,
            line,
        }
    }
}

/// The included rows' Office 365 logins, each once (case-insensitively), in roster order.
/// Rows without a login are left out: validation already reports them.
pub fn mailboxes(roster: &Roster) -> Vec<Mailbox> {
    let mut seen = HashSet::new();
    (0..roster.len())
        .filter(|&r| !roster.is_excluded(r))
        .filter_map(|r| {
            let upn = roster.cell(r, Field::Office365Login).trim();
            let address = roster.cell(r, Field::Office365Email).trim();
            (!upn.is_empty() && seen.insert(upn.to_lowercase())).then(|| Mailbox {
                upn: upn.to_string(),
                address: if address.is_empty() { upn } else { address }.to_string(),
                line: roster.record(r).line,
            })
        })
        .collect()
}

/// Limits of one check.
#[derive(Debug, Clone)]
pub struct CheckOptions {
    /// Mailboxes checked at once (at least 1).
    pub concurrency: usize,
    /// Retries of one call answered 429/503 before the mailbox counts as throttled.
    pub max_retries: u32,
    /// Longest total `Retry-After` wait for one mailbox; a longer request counts as throttled.
    pub max_wait: Duration,
    /// Per-request timeout.
    pub timeout: Duration,
}

impl Default for CheckOptions {
    fn default() -> Self {
        CheckOptions {
            concurrency: DEFAULT_CONCURRENCY,
            max_retries: 3,
            max_wait: Duration::from_secs(60),
            timeout: Duration::from_secs(30),
        }
    }
}

/// What must be granted to reach a mailbox: per Graph resource, or EWS as a whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Resource {
    Mail,
    Calendars,
    Contacts,
    /// EWS app-only access (`app_only` with EWS).
    EwsAsApp,
    /// Impersonating the mailbox's user over EWS (`impersonation`, Exchange Server).
    Impersonation,
}

impl Resource {
    /// The Graph reads, in the order they are checked.
    pub const ALL: [Resource; 3] = [Resource::Mail, Resource::Calendars, Resource::Contacts];

    /// Stable key (JSON, text).
    pub fn key(self) -> &'static str {
        match self {
            Resource::Mail => "mail",
            Resource::Calendars => "calendars",
            Resource::Contacts => "contacts",
            Resource::EwsAsApp => "ews",
            Resource::Impersonation => "impersonation",
        }
    }

    /// The role that grants it: RBAC for Applications in Exchange Online, the
    /// ApplicationImpersonation management role on Exchange Server.
    pub fn role(self) -> &'static str {
        match self {
            Resource::Mail => "Application Mail.ReadWrite",
            Resource::Calendars => "Application Calendars.ReadWrite",
            Resource::Contacts => "Application Contacts.ReadWrite",
            Resource::EwsAsApp => "Application EWS.AccessAsApp",
            Resource::Impersonation => "ApplicationImpersonation",
        }
    }

    /// The Graph path under `/v1.0/users/{UPN}/` (EWS has none: one GetFolder reads all).
    fn path(self) -> &'static str {
        match self {
            Resource::Mail => "mailFolders/inbox",
            Resource::Calendars => "calendars?$top=1",
            Resource::Contacts => "contactFolders?$top=1",
            Resource::EwsAsApp | Resource::Impersonation => "",
        }
    }
}

/// Whether the app reaches one mailbox, and if not, why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    /// Every read succeeded.
    Ok,
    /// Graph's 403 `ErrorAccessDenied` for these resources, or EWS's `ErrorAccessDenied` /
    /// `ErrorImpersonateUserDenied` (the roles or their scope lack this mailbox).
    Denied { missing: Vec<Resource> },
    /// Graph's 404 `MailboxNotEnabledForRESTAPI`: the user exists but has no Exchange Online
    /// mailbox.
    NoMailbox,
    /// Graph's 404 user not found, or EWS's `ErrorNonExistentMailbox`: no such user or address.
    NotFound,
    /// Still 429/503 (or EWS's `ErrorServerBusy`) after the allowed retries and waits.
    Throttled,
    /// No usable answer: connection error, timeout, 5xx, or an unexpected status.
    Unreachable { reason: String },
}

impl Status {
    /// Stable key: `ok`, `denied`, `no-mailbox`, `not-found`, `throttled`, `unreachable`.
    pub fn key(&self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::Denied { .. } => "denied",
            Status::NoMailbox => "no-mailbox",
            Status::NotFound => "not-found",
            Status::Throttled => "throttled",
            Status::Unreachable { .. } => "unreachable",
        }
    }

    pub fn is_ok(&self) -> bool {
        matches!(self, Status::Ok)
    }

    /// One sentence: what is wrong and what to do.
    pub fn explain(&self) -> String {
        match self {
            Status::Ok => "mail, calendars and contacts are reachable".into(),
            Status::Denied { missing } if missing.contains(&Resource::Impersonation) => {
                "impersonation denied (ErrorImpersonateUserDenied): give the impersonating account the ApplicationImpersonation role with a management scope that includes this mailbox".into()
            }
            Status::Denied { missing } => {
                let what: Vec<&str> = missing.iter().map(|r| r.key()).collect();
                let roles: Vec<&str> = missing.iter().map(|r| r.role()).collect();
                format!(
                    "access denied to {}: assign {} to the app with a management scope that includes this mailbox",
                    what.join(", "),
                    roles.join(", ")
                )
            }
            Status::NoMailbox => {
                "the user has no Exchange Online mailbox (MailboxNotEnabledForRESTAPI): give them a license with Exchange Online, or exclude the row".into()
            }
            Status::NotFound => {
                "no such user or mailbox: check the Office 365 login (the user's UPN) and email address".into()
            }
            Status::Throttled => {
                "the server kept throttling the requests: run the check again later".into()
            }
            Status::Unreachable { reason } => format!("no usable answer: {reason}"),
        }
    }
}

/// One mailbox's result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailboxResult {
    pub mailbox: Mailbox,
    pub status: Status,
    /// How many 429/503 answers were waited out (and retried).
    pub retries: u32,
}

/// One thing checked before (or instead of) the mailboxes: `per_user`'s tenant, app and
/// allow-list checks, `impersonation`'s EWS endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prerequisite {
    /// Stable key: `tenant`, `app`, `ews-allow-list`, `ews-endpoint`.
    pub key: &'static str,
    pub ok: bool,
    /// What was found, and when not ok what to do.
    pub detail: String,
}

/// The outcome of a check: every mailbox, in input order, and when it ran.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckReport {
    /// RFC 3339 UTC time the check started.
    pub checked_at: String,
    /// The plan checked: `per_user`, `app_only` or `impersonation`.
    pub mode: &'static str,
    /// The API used: `graph` or `ews`.
    pub api: &'static str,
    /// Per mailbox (empty for `per_user`: the users' own sign-ins check their mailboxes).
    pub results: Vec<MailboxResult>,
    pub prerequisites: Vec<Prerequisite>,
    /// What the check could not prove, said once (`per_user`: the users' sign-ins do).
    pub note: Option<&'static str>,
}

impl CheckReport {
    /// Every mailbox is reachable and every prerequisite holds.
    pub fn all_ok(&self) -> bool {
        self.results.iter().all(|r| r.status.is_ok()) && self.prerequisites.iter().all(|p| p.ok)
    }

    /// The mailboxes that are not reachable.
    pub fn not_ok(&self) -> impl Iterator<Item = &MailboxResult> {
        self.results.iter().filter(|r| !r.status.is_ok())
    }

    /// How many mailboxes have each status key, in the order of [`Status::key`]'s list.
    pub fn counts(&self) -> Vec<(&'static str, usize)> {
        [
            "ok",
            "denied",
            "no-mailbox",
            "not-found",
            "throttled",
            "unreachable",
        ]
        .into_iter()
        .map(|k| {
            (
                k,
                self.results.iter().filter(|r| r.status.key() == k).count(),
            )
        })
        .collect()
    }
}

impl CheckReport {
    /// What the bundle records of this check (report.md, customization.json).
    pub fn summary(&self) -> crate::bundle::exchange_check::CheckSummary {
        use crate::bundle::exchange_check::{CheckSummary, PrerequisiteLine, Unreachable};
        CheckSummary {
            plan: self.mode.to_string(),
            api: self.api.to_string(),
            checked_at: self.checked_at.clone(),
            mailboxes: self.results.len(),
            reachable: self.results.iter().filter(|r| r.status.is_ok()).count(),
            not_reachable: self
                .not_ok()
                .map(|r| Unreachable {
                    upn: r.mailbox.upn.clone(),
                    line: r.mailbox.line,
                    status: r.status.key().to_string(),
                    why: r.status.explain(),
                })
                .collect(),
            prerequisites: self
                .prerequisites
                .iter()
                .map(|p| PrerequisiteLine {
                    check: p.key.to_string(),
                    ok: p.ok,
                    detail: p.detail.clone(),
                })
                .collect(),
            note: self.note.map(str::to_string),
        }
    }
}

/// Why no mailbox could be checked.
#[derive(Debug, thiserror::Error)]
pub enum CheckError {
    /// The configuration cannot work (the message names the key and the fix).
    #[error("{0}")]
    Config(String),
    /// The token endpoint refused to issue an app-only token.
    #[error("the token endpoint refused an app-only token: {reason}")]
    TokenRefused {
        /// Entra's `AADSTS…` code, when it gave one.
        code: Option<String>,
        reason: String,
    },
    /// The token endpoint could not be reached.
    #[error("cannot reach the token endpoint: {0}")]
    TokenUnreachable(String),
    /// The EWS server refused the impersonating account's credentials (checked on the first
    /// mailbox alone, so a wrong password is tried once, not once per mailbox, which would
    /// lock the account).
    #[error("{0}")]
    SignInRefused(String),
    /// The EWS server could not be reached at all.
    #[error("cannot reach EWS: {0}")]
    EwsUnreachable(String),
}

/// Progress of a running check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    pub done: usize,
    pub total: usize,
}

/// Refuses configurations app-only access cannot use, before any secret is asked for.
pub fn check_config(config: &MicrosoftConfig) -> Result<(), CheckError> {
    if config.client_id.trim().is_empty() {
        return Err(CheckError::Config(
            "config key microsoft.client_id is empty: set it to the Application (client) ID of the organization's Entra app".into(),
        ));
    }
    let tenant = config.tenant.trim().trim_matches('/');
    if tenant.is_empty()
        || ["organizations", "common", "consumers"]
            .iter()
            .any(|t| tenant.eq_ignore_ascii_case(t))
    {
        return Err(CheckError::Config(format!(
            "config key microsoft.tenant = {:?} cannot be used for app-only access: set the tenant ID (or its domain, e.g. contoso.onmicrosoft.com)",
            config.tenant
        )));
    }
    Ok(())
}
/// Client credentials for `scope` (`{resource}/.default`).
fn app_token(
    config: &MicrosoftConfig,
    secret: &ClientSecret,
    scope: &str,
    http: &Http,
) -> Result<AccessToken, CheckError> {
    let token_url = TokenUrl::new(config.endpoints().token)
        .map_err(|e| CheckError::Config(format!("config key microsoft.authority: {e}")))?;
    let client = BasicClient::new(ClientId::new(config.client_id.trim().to_string()))
        .set_client_secret(secret.clone())
        .set_auth_type(AuthType::RequestBody)
        .set_token_uri(token_url);
    match client
        .exchange_client_credentials()
        .add_scope(Scope::new(scope.to_string()))
        .request(http)
    {
        Ok(t) => Ok(t.access_token().clone()),
        Err(RequestTokenError::ServerResponse(r)) => {
            let description = r.error_description().cloned().unwrap_or_default();
            let code = aadsts_code(&description);
            Err(CheckError::TokenRefused {
                reason: refusal_reason(code.as_deref(), r.error().as_ref(), &description, config),
                code,
            })
        }
        Err(RequestTokenError::Request(e)) => Err(CheckError::TokenUnreachable(e.0)),
        Err(RequestTokenError::Parse(e, _)) => Err(CheckError::TokenUnreachable(format!(
            "the token endpoint answered something other than a token: {e}"
        ))),
        Err(RequestTokenError::Other(s)) => Err(CheckError::TokenUnreachable(s)),
    }
}

/// `AADSTS7000215` from "AADSTS7000215: Invalid client secret provided. …".
fn aadsts_code(description: &str) -> Option<String> {
    let at = description.find("AADSTS")?;
    let digits: String = description[at + 6..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    (!digits.is_empty()).then(|| format!("AADSTS{digits}"))
}

/// What the refusal means for the admin, for the codes an app-only sign-in meets.
fn refusal_reason(
    code: Option<&str>,
    error: &str,
    description: &str,
    config: &MicrosoftConfig,
) -> String {
    let first_line = description.lines().next().unwrap_or("").trim();
    let why = match code {
        Some("AADSTS7000215") => "invalid client secret: give the secret's Value (not its Secret ID) from the app's Certificates & secrets page".to_string(),
        Some("AADSTS7000222") => "the client secret has expired: create a new one on the app's Certificates & secrets page".to_string(),
        Some("AADSTS700016") => format!(
            "unknown app: application {} is not in tenant {}; check microsoft.client_id and microsoft.tenant, and that an admin consented to the app in that tenant",
            config.client_id, config.tenant
        ),
        Some("AADSTS90002") | Some("AADSTS900023") => format!(
            "tenant not found: {:?} is not a Microsoft Entra tenant; set microsoft.tenant to the tenant ID",
            config.tenant
        ),
        Some("AADSTS500011") => "the API's resource is not known in this tenant: check microsoft.graph_url (Graph) or ews_url (EWS)".to_string(),
        _ => return format!("{error}: {first_line}"),
    };
    format!("{} ({first_line})", why)
}

/// `Retry-After` in seconds; an absent or HTTP-date value waits one second.
fn retry_wait(header: Option<&str>) -> Duration {
    Duration::from_secs(
        header
            .and_then(|h| h.trim().parse::<u64>().ok())
            .unwrap_or(1),
    )
}

pub use crate::customize::Api;
use crate::customize::{Deployment, ExchangePlan, Mode};

/// What to check, from the organization's Exchange plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CheckPlan {
    /// The Entra app reaches the mailboxes itself (Exchange Online); `ews_url` is used when
    /// `api` is EWS.
    AppOnly { api: Api, ews_url: String },
    /// An Exchange Server account impersonates each user over EWS.
    Impersonation { ews_url: String, account: String },
    /// Every user authorizes their own mailbox. `online` is Exchange Online (tenant and app
    /// checks) rather than Exchange Server (the EWS endpoint); `allow_listed` is whether the
    /// EWS allow-list checklist step is ticked (Exchange Online with EWS).
    PerUser {
        api: Api,
        online: bool,
        ews_url: String,
        allow_listed: bool,
    },
}

impl CheckPlan {
    /// What to check for the organization's plan. Refused: impersonation in Exchange Online
    /// (removed there; `app_only` replaces it) and app-only access to Exchange Server.
    pub fn from_plan(
        plan: &ExchangePlan,
        config: &MicrosoftConfig,
    ) -> Result<CheckPlan, CheckError> {
        let online = plan.deployment == Deployment::ExchangeOnline;
        match (plan.mode, online) {
            (Mode::Impersonation, true) => Err(CheckError::Config(
                "setting mailbox_access = \"impersonation\" cannot work with Exchange Online (ApplicationImpersonation was removed there in February 2025): set mailbox_access = \"app_only\"".into(),
            )),
            (Mode::AppOnly, false) => Err(CheckError::Config(
                "setting mailbox_access = \"app_only\" is for Exchange Online: on Exchange Server set mailbox_access = \"impersonation\"".into(),
            )),
            (Mode::AppOnly, true) => Ok(CheckPlan::AppOnly {
                api: plan.api,
                ews_url: config.ews_url.clone(),
            }),
            (Mode::Impersonation, false) => Ok(CheckPlan::Impersonation {
                ews_url: plan.ews_url.clone().unwrap_or_default(),
                account: plan.impersonation_account.clone().unwrap_or_default(),
            }),
            (Mode::PerUser, _) => Ok(CheckPlan::PerUser {
                api: plan.api,
                online,
                ews_url: plan.ews_url.clone().unwrap_or_default(),
                // The allow-list checklist (EWS in Exchange Online): every step ticked.
                allow_listed: plan
                    .checklists
                    .iter()
                    .filter(|c| c.id.contains("allow"))
                    .any(|c| c.items.iter().all(|i| i.ticked)),
            }),
        }
    }

    /// `per_user`, `app_only` or `impersonation`.
    pub fn mode(&self) -> &'static str {
        match self {
            CheckPlan::AppOnly { .. } => "app_only",
            CheckPlan::Impersonation { .. } => "impersonation",
            CheckPlan::PerUser { .. } => "per_user",
        }
    }

    pub fn api(&self) -> Api {
        match self {
            CheckPlan::AppOnly { api, .. } | CheckPlan::PerUser { api, .. } => *api,
            CheckPlan::Impersonation { .. } => Api::Ews,
        }
    }

    /// The secret this plan needs: none, the app's client secret, or the impersonating
    /// account's password.
    pub fn needs(&self) -> Needs {
        match self {
            CheckPlan::AppOnly { .. } => Needs::ClientSecret,
            CheckPlan::Impersonation { .. } => Needs::Password,
            CheckPlan::PerUser { .. } => Needs::Nothing,
        }
    }
}

/// Which secret a plan's check needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Needs {
    Nothing,
    ClientSecret,
    Password,
}

/// The impersonating account's password: in memory only, never Debug-printed.
#[derive(Clone)]
pub struct Password(String);

impl Password {
    pub fn new(p: String) -> Password {
        Password(p)
    }

    /// The password itself, for the sign-in only.
    pub fn secret(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password([redacted])")
    }
}

/// The secret given to [`check`].
#[derive(Debug, Clone)]
pub enum Credential {
    None,
    ClientSecret(ClientSecret),
    Password(Password),
}

/// Checks the plan against every mailbox; `progress` is called on this thread after each one.
pub fn check(
    plan: &CheckPlan,
    config: &MicrosoftConfig,
    mailboxes: &[Mailbox],
    credential: &Credential,
    options: &CheckOptions,
    progress: impl FnMut(Progress),
) -> Result<CheckReport, CheckError> {
    plan_config(plan, config)?;
    let missing =
        |what: &str| CheckError::Config(format!("the {} plan's check needs {what}", plan.mode()));
    match (plan, credential) {
        (
            CheckPlan::AppOnly {
                api: Api::Graph, ..
            },
            Credential::ClientSecret(s),
        ) => graph::check(config, s, mailboxes, options, progress),
        (
            CheckPlan::AppOnly {
                api: Api::Ews,
                ews_url,
            },
            Credential::ClientSecret(s),
        ) => ews::check_app_only(config, ews_url, s, mailboxes, options, progress),
        (CheckPlan::AppOnly { .. }, _) => Err(missing("the app's client secret")),
        (CheckPlan::Impersonation { ews_url, account }, Credential::Password(p)) => {
            ews::check_impersonation(ews_url, account, p, mailboxes, options, progress)
        }
        (CheckPlan::Impersonation { .. }, _) => {
            Err(missing("the impersonating account's password"))
        }
        (CheckPlan::PerUser { .. }, _) => Ok(per_user::check(plan, config, options, progress)),
    }
}

/// The plan the choices describe, with its settings checked (before any secret is read).
pub fn plan_from_choices(
    cat: &crate::customize::Catalogue,
    choices: &crate::customize::Choices,
    facts: &crate::customize::RosterFacts,
    config: &MicrosoftConfig,
) -> Result<CheckPlan, CheckError> {
    let plan = ExchangePlan::new(&crate::customize::Guide::embedded(), cat, choices, facts);
    let plan = CheckPlan::from_plan(&plan, config)?;
    plan_config(&plan, config)?;
    Ok(plan)
}

/// The plan's secret from the OS keyring, where the wizard keeps it (entry
/// `exchange-app-secret:{client ID}` or `exchange-impersonation-password:{account}`); the
/// error says how else to give it.
pub fn stored_credential(
    plan: &CheckPlan,
    config: &crate::auth::Config,
) -> Result<Credential, String> {
    let what = match plan.needs() {
        Needs::Nothing => return Ok(Credential::None),
        Needs::ClientSecret => "client secret",
        Needs::Password => "impersonating account's password",
    };
    let store = crate::auth::TokenStore::open(&config.flow.keyring, config.flow.keyring_timeout())
        .map_err(|e| format!("the {what} could not be read from the keyring ({e})"))?;
    // The same entry the wizard's masked field and `exchange store-secret` write.
    let which = super::exchange_secret::entry_unchecked(plan, config);
    let (stored, entry, flag) = match which {
        Some(ExchangeSecret::Account(account)) => (
            store
                .impersonation_password_for_check(&account)
                .map(|p| p.map(|p| Credential::Password(Password::new(p)))),
            format!("for the impersonating account {account}"),
            format!("--account {account}"),
        ),
        Some(ExchangeSecret::App(id)) => (
            store
                .app_secret(&id)
                .map(|s| s.map(Credential::ClientSecret)),
            format!("for app {id}"),
            format!("--app {id}"),
        ),
        None => return Ok(Credential::None),
    };
    match stored {
        Ok(Some(c)) => Ok(c),
        Ok(None) => Err(format!(
            "no {what} {entry} in the keyring: store it once with `p` on the wizard's Exchange access step or `scc-onboard exchange store-secret {flag}`, or give it to `scc-onboard exchange check --secret-stdin`"
        )),
        Err(e) => Err(format!(
            "the {what} could not be read from the keyring ({e})"
        )),
    }
}

/// Refuses a plan whose settings cannot work, before any secret is asked for.
pub fn plan_config(plan: &CheckPlan, config: &MicrosoftConfig) -> Result<(), CheckError> {
    let ews_url = |url: &str| ews::check_url(url).map_err(CheckError::Config);
    match plan {
        CheckPlan::AppOnly { api, ews_url: url } => {
            check_config(config)?;
            if *api == Api::Ews {
                ews_url(url)?;
            }
        }
        CheckPlan::Impersonation {
            ews_url: url,
            account,
        } => {
            ews_url(url)?;
            if account.trim().is_empty() {
                return Err(CheckError::Config(
                    "setting impersonation_account is empty: set the account that impersonates the users (DOMAIN\\user or user@domain)".into(),
                ));
            }
        }
        CheckPlan::PerUser {
            online: false,
            ews_url: url,
            ..
        } if !url.trim().is_empty() => ews_url(url)?,
        CheckPlan::PerUser { online: false, .. } => {}
        CheckPlan::PerUser { .. } => {
            if config.client_id.trim().is_empty() {
                return Err(CheckError::Config(
                    "config key microsoft.client_id is empty: set it to the Application (client) ID of the organization's Entra app".into(),
                ));
            }
        }
    }
    Ok(())
}

/// Runs `check_one` over `mailboxes` on `workers` threads (each with its own state from
/// `worker`), calling `progress` on this thread after each mailbox; results in input order.
fn run_pool<W>(
    mailboxes: &[Mailbox],
    workers: usize,
    worker: impl Fn() -> W + Sync,
    check_one: impl Fn(&mut W, &Mailbox) -> (Status, u32) + Sync,
    mut progress: impl FnMut(Progress),
) -> Vec<MailboxResult> {
    let total = mailboxes.len();
    progress(Progress { done: 0, total });
    let next = AtomicUsize::new(0);
    let mut results: Vec<Option<MailboxResult>> = vec![None; total];
    std::thread::scope(|scope| {
        let (tx, rx) = mpsc::channel();
        for _ in 0..workers.max(1) {
            let tx = tx.clone();
            let (next, worker, check_one) = (&next, &worker, &check_one);
            scope.spawn(move || {
                let mut state = worker();
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(mailbox) = mailboxes.get(i) else {
                        break;
                    };
                    let (status, retries) = check_one(&mut state, mailbox);
                    let result = MailboxResult {
                        mailbox: mailbox.clone(),
                        status,
                        retries,
                    };
                    if tx.send((i, result)).is_err() {
                        break;
                    }
                }
            });
        }
        drop(tx);
        for (done, (i, result)) in rx.into_iter().enumerate() {
            results[i] = Some(result);
            progress(Progress {
                done: done + 1,
                total,
            });
        }
    });
    // Every index was handed to exactly one worker, which always sends its result.
    results.into_iter().flatten().collect()
}

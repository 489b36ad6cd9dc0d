//! The EWS checks: one `GetFolder` (inbox, calendar, contacts) per mailbox, naming the
//! mailbox in the `ExchangeImpersonation` SOAP header (`ConnectingSID`/`PrimarySmtpAddress`).
//!
//! - `impersonation` (Exchange Server): signed in as the impersonating account with what the
//!   `/EWS` directory offers by default: NTLM or Negotiate (answered with an NTLMv2 token,
//!   which Negotiate accepts), else Basic, which is only sent over HTTPS (or to a loopback
//!   address). The first mailbox is checked alone: a refused sign-in stops the check there,
//!   so a wrong password is tried once and cannot lock the account out.
//! - `app_only` with EWS (Exchange Online): an app-only token for the EWS URL's resource
//!   (`https://outlook.office365.com/.default`) by client credentials, sent as a bearer token
//!   with the same impersonation header and `X-AnchorMailbox`, as Microsoft documents for
//!   EWS app-only access.

use super::ntlm;
use super::{
    app_token, retry_wait, run_pool, CheckError, CheckOptions, CheckReport, Mailbox, Password,
    Progress, Resource, Status,
};
use crate::auth::config::MicrosoftConfig;
use crate::auth::http::{Answer, Http};
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use oauth2::{AccessToken, ClientSecret};
use std::time::Duration;

/// Accepts an EWS URL that can carry credentials: https, or http to this machine.
pub(super) fn check_url(url: &str) -> Result<(), String> {
    let parsed = oauth2::url::Url::parse(url.trim()).map_err(|e| {
        format!(
            "setting ews_url = {url:?} is not a URL ({e}): set it to the server's EWS address, e.g. https://mail.example.com/EWS/Exchange.asmx"
        )
    })?;
    let loopback = matches!(
        parsed.host_str().unwrap_or(""),
        "localhost" | "127.0.0.1" | "[::1]"
    );
    if parsed.scheme() == "https" || (parsed.scheme() == "http" && loopback) {
        Ok(())
    } else {
        Err(format!(
            "setting ews_url = {url:?} must start with https:// (credentials cross it)"
        ))
    }
}

/// The `GetFolder` request for one mailbox: its inbox, calendar and contacts.
pub(super) fn get_folder_request(address: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="utf-8"?>
<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:t="http://schemas.microsoft.com/exchange/services/2006/types" xmlns:m="http://schemas.microsoft.com/exchange/services/2006/messages">
  <soap:Header>
    <t:RequestServerVersion Version="Exchange2013"/>
    <t:ExchangeImpersonation>
      <t:ConnectingSID>
        <t:PrimarySmtpAddress>{}</t:PrimarySmtpAddress>
      </t:ConnectingSID>
    </t:ExchangeImpersonation>
  </soap:Header>
  <soap:Body>
    <m:GetFolder>
      <m:FolderShape><t:BaseShape>IdOnly</t:BaseShape></m:FolderShape>
      <m:FolderIds>
        <t:DistinguishedFolderId Id="inbox"/>
        <t:DistinguishedFolderId Id="calendar"/>
        <t:DistinguishedFolderId Id="contacts"/>
      </m:FolderIds>
    </m:GetFolder>
  </soap:Body>
</soap:Envelope>
"#,
        xml_escape(address)
    )
}

/// `app_only` over EWS.
pub(super) fn check_app_only(
    config: &MicrosoftConfig,
    ews_url: &str,
    secret: &ClientSecret,
    mailboxes: &[Mailbox],
    options: &CheckOptions,
    progress: impl FnMut(Progress),
) -> Result<CheckReport, CheckError> {
    check_url(ews_url).map_err(CheckError::Config)?;
    let checked_at = crate::timefmt::now_rfc3339();
    let workers = options.concurrency.max(1).min(mailboxes.len().max(1));
    let http = Http::pooled(options.timeout, workers);
    let token = app_token(config, secret, &resource_scope(ews_url)?, &http)?;
    let results = run_pool(
        mailboxes,
        workers,
        || Session {
            http: http.clone(),
            auth: Auth::Bearer(token.clone()),
        },
        |s, m| check_mailbox(s, ews_url, m, Resource::EwsAsApp, options),
        progress,
    );
    Ok(CheckReport {
        checked_at,
        mode: "app_only",
        api: "ews",
        results,
        prerequisites: Vec::new(),
        note: None,
    })
}

/// `impersonation` on Exchange Server.
pub(super) fn check_impersonation(
    ews_url: &str,
    account: &str,
    password: &Password,
    mailboxes: &[Mailbox],
    options: &CheckOptions,
    mut progress: impl FnMut(Progress),
) -> Result<CheckReport, CheckError> {
    check_url(ews_url).map_err(CheckError::Config)?;
    let checked_at = crate::timefmt::now_rfc3339();
    let Some((first, rest)) = mailboxes.split_first() else {
        return Ok(CheckReport {
            checked_at,
            mode: "impersonation",
            api: "ews",
            results: Vec::new(),
            prerequisites: Vec::new(),
            note: None,
        });
    };
    let total = mailboxes.len();
    progress(Progress { done: 0, total });
    // Which mechanism: ask the server with the first request, unauthenticated.
    let probe = Http::pooled(options.timeout, 1);
    let offers = probe
        .post_with(ews_url, &soap_headers(&first.address), b"")
        .map_err(|e| CheckError::EwsUnreachable(e.0))?;
    let mechanism = choose_mechanism(ews_url, &offers)?;
    let new_session = || Session {
        http: Http::pooled(options.timeout, 1),
        auth: Auth::sign_in(mechanism, account, password),
    };
    // The first mailbox alone: a refused sign-in ends the check before any other attempt.
    let mut session = new_session();
    let (status, retries) = check_mailbox(
        &mut session,
        ews_url,
        first,
        Resource::Impersonation,
        options,
    );
    if let Status::Unreachable { reason } = &status {
        if reason.starts_with(SIGN_IN_REFUSED) {
            return Err(CheckError::SignInRefused(format!(
                "EWS refused the impersonating account {account:?} ({} sign-in, HTTP 401): check the account and its password",
                mechanism.name()
            )));
        }
    }
    progress(Progress { done: 1, total });
    let mut results = vec![super::MailboxResult {
        mailbox: first.clone(),
        status,
        retries,
    }];
    results.extend(run_pool(
        rest,
        options.concurrency.max(1).min(rest.len().max(1)),
        new_session,
        |s, m| check_mailbox(s, ews_url, m, Resource::Impersonation, options),
        |p| {
            if p.done > 0 {
                progress(Progress {
                    done: p.done + 1,
                    total,
                })
            }
        },
    ));
    Ok(CheckReport {
        checked_at,
        mode: "impersonation",
        api: "ews",
        results,
        prerequisites: Vec::new(),
        note: None,
    })
}

/// How an EWS server wants to be signed in to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Mechanism {
    Ntlm,
    /// Negotiate, answered with NTLM tokens (no Kerberos ticket is asked for).
    Negotiate,
    Basic,
}

impl Mechanism {
    fn name(self) -> &'static str {
        match self {
            Mechanism::Ntlm => "NTLM",
            Mechanism::Negotiate => "Negotiate",
            Mechanism::Basic => "Basic",
        }
    }
}

/// NTLM first, then Negotiate, then Basic (only over HTTPS or to this machine).
fn choose_mechanism(url: &str, answer: &Answer) -> Result<Mechanism, CheckError> {
    if answer.status != 401 {
        return Err(CheckError::EwsUnreachable(format!(
            "{url} answered HTTP {} to an unauthenticated request where EWS asks for a sign-in (401): is this the EWS URL (…/EWS/Exchange.asmx)?",
            answer.status
        )));
    }
    let offered = |scheme: &str| {
        answer.www_authenticate.iter().any(|h| {
            h.split([' ', ','])
                .next()
                .is_some_and(|s| s.eq_ignore_ascii_case(scheme))
        })
    };
    if offered("NTLM") {
        Ok(Mechanism::Ntlm)
    } else if offered("Negotiate") {
        Ok(Mechanism::Negotiate)
    } else if offered("Basic") {
        // check_url already refused plain http to another machine.
        Ok(Mechanism::Basic)
    } else {
        Err(CheckError::EwsUnreachable(format!(
            "{url} offers none of NTLM, Negotiate or Basic sign-in (it offers: {}): enable Windows or Basic authentication on the EWS virtual directory",
            answer.www_authenticate.join("; ")
        )))
    }
}

/// How one worker signs its requests.
enum Auth {
    Bearer(AccessToken),
    /// `Authorization: Basic …`, built once.
    Basic(String),
    Ntlm {
        scheme: &'static str,
        user: String,
        domain: String,
        password: Password,
        /// NTLM authenticates the connection: once done, requests on it need no header.
        authenticated: bool,
    },
}

impl Auth {
    fn sign_in(mechanism: Mechanism, account: &str, password: &Password) -> Auth {
        match mechanism {
            Mechanism::Basic => Auth::Basic(format!(
                "Basic {}",
                B64.encode(format!("{account}:{}", password.secret()))
            )),
            Mechanism::Ntlm | Mechanism::Negotiate => {
                let (user, domain) = ntlm::split_account(account);
                Auth::Ntlm {
                    scheme: mechanism.name(),
                    user: user.to_string(),
                    domain: domain.to_string(),
                    password: password.clone(),
                    authenticated: false,
                }
            }
        }
    }
}

/// One worker's connection and sign-in.
struct Session {
    http: Http,
    auth: Auth,
}

/// What an `Unreachable` reason starts with when the server refused the credentials.
const SIGN_IN_REFUSED: &str = "the server refused the sign-in";

impl Session {
    /// Sends one request, signing in as the mechanism needs.
    fn send(&mut self, url: &str, address: &str, body: &[u8]) -> Result<Answer, String> {
        let mut headers = soap_headers(address);
        let post = |http: &Http, headers: &[(&str, &str)]| {
            http.post_with(url, headers, body).map_err(|e| e.0)
        };
        match &mut self.auth {
            Auth::Bearer(token) => {
                let value = format!("Bearer {}", token.secret());
                headers.push(("Authorization", &value));
                post(&self.http, &headers)
            }
            Auth::Basic(value) => {
                headers.push(("Authorization", value));
                post(&self.http, &headers)
            }
            Auth::Ntlm {
                scheme,
                user,
                domain,
                password,
                authenticated,
            } => {
                if *authenticated {
                    let answer = post(&self.http, &headers)?;
                    if answer.status != 401 {
                        return Ok(answer);
                    }
                    // The connection was closed or re-keyed: sign in again.
                    *authenticated = false;
                }
                let negotiate = format!("{scheme} {}", B64.encode(ntlm::negotiate()));
                let mut first = headers.clone();
                first.push(("Authorization", &negotiate));
                let answer = post(&self.http, &first)?;
                let challenge = answer
                    .www_authenticate
                    .iter()
                    .find_map(|h| {
                        let (s, token) = h.split_once(' ')?;
                        s.eq_ignore_ascii_case(scheme)
                            .then(|| B64.decode(token.trim()).ok())
                            .flatten()
                    })
                    .and_then(|m| ntlm::parse_challenge(&m));
                let Some(challenge) = challenge else {
                    return if answer.status == 401 {
                        Err(format!(
                            "{SIGN_IN_REFUSED}: no NTLM challenge in its answer"
                        ))
                    } else {
                        Ok(answer)
                    };
                };
                let message = ntlm::authenticate(
                    &challenge,
                    user,
                    domain,
                    password.secret(),
                    ntlm::client_challenge()?,
                    ntlm::filetime_now(),
                );
                let value = format!("{scheme} {}", B64.encode(message));
                headers.push(("Authorization", &value));
                let answer = post(&self.http, &headers)?;
                *authenticated = answer.status != 401;
                Ok(answer)
            }
        }
    }
}

fn soap_headers(address: &str) -> Vec<(&'static str, &str)> {
    vec![
        ("Content-Type", "text/xml; charset=utf-8"),
        ("Accept", "text/xml"),
        // Routes the request to the mailbox's server (Exchange Online requires it app-only).
        ("X-AnchorMailbox", address),
    ]
}

/// The token scope for the EWS URL's resource: `https://outlook.office365.com/.default`.
fn resource_scope(ews_url: &str) -> Result<String, CheckError> {
    let url = oauth2::url::Url::parse(ews_url.trim())
        .map_err(|e| CheckError::Config(format!("setting ews_url: {e}")))?;
    Ok(format!("{}/.default", url.origin().ascii_serialization()))
}

/// One EWS answer, classified.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Call {
    Ok,
    Denied,
    NotFound,
    /// Throttled; wait this long (from `Retry-After` or `BackOffMilliseconds`).
    Busy(Duration),
    Unreachable(String),
}

/// One mailbox: the GetFolder, retried after throttling.
fn check_mailbox(
    session: &mut Session,
    url: &str,
    mailbox: &Mailbox,
    permission: Resource,
    options: &CheckOptions,
) -> (Status, u32) {
    let body = get_folder_request(&mailbox.address);
    let (mut retries, mut waited) = (0u32, Duration::ZERO);
    loop {
        let call = match session.send(url, &mailbox.address, body.as_bytes()) {
            Ok(answer) => classify(&answer),
            Err(reason) => Call::Unreachable(reason),
        };
        let status = match call {
            Call::Ok => Status::Ok,
            Call::Denied => Status::Denied {
                missing: vec![permission],
            },
            Call::NotFound => Status::NotFound,
            Call::Unreachable(reason) => Status::Unreachable { reason },
            Call::Busy(wait) => {
                if retries >= options.max_retries || waited + wait > options.max_wait {
                    Status::Throttled
                } else {
                    // Honouring the server's back-off is the point; not a timing guess.
                    std::thread::sleep(wait);
                    waited += wait;
                    retries += 1;
                    continue;
                }
            }
        };
        return (status, retries);
    }
}

/// Reads an EWS answer: HTTP status, then the response codes (SOAP fault or messages).
fn classify(answer: &Answer) -> Call {
    let body = String::from_utf8_lossy(&answer.body);
    if matches!(answer.status, 429 | 503) {
        return Call::Busy(retry_wait(answer.retry_after.as_deref()));
    }
    if answer.status == 401 {
        return Call::Unreachable(format!("{SIGN_IN_REFUSED} (HTTP 401)"));
    }
    let codes = response_codes(&body);
    let has = |c: &str| codes.iter().any(|x| x == c);
    if has("ErrorServerBusy") {
        let wait = named_value(&body, "BackOffMilliseconds")
            .and_then(|v| v.parse::<u64>().ok())
            .map(Duration::from_millis)
            .unwrap_or_else(|| retry_wait(answer.retry_after.as_deref()));
        return Call::Busy(wait);
    }
    if has("ErrorNonExistentMailbox") || has("ErrorInvalidSmtpAddress") {
        return Call::NotFound;
    }
    if has("ErrorImpersonateUserDenied")
        || has("ErrorAccessDenied")
        || has("ErrorImpersonationDenied")
    {
        return Call::Denied;
    }
    if answer.status == 403 {
        return Call::Denied;
    }
    if answer.status == 200 && !codes.is_empty() && codes.iter().all(|c| c == "NoError") {
        return Call::Ok;
    }
    match codes.iter().find(|c| *c != "NoError") {
        Some(code) => Call::Unreachable(format!("HTTP {} {code}", answer.status)),
        None => Call::Unreachable(format!(
            "HTTP {} without an EWS response code",
            answer.status
        )),
    }
}

/// Every `ResponseCode` element's text and a SOAP fault's `faultcode` (prefix dropped).
fn response_codes(body: &str) -> Vec<String> {
    let mut codes = elements(body, "ResponseCode");
    for fault in elements(body, "faultcode") {
        let code = fault.rsplit(':').next().unwrap_or(&fault).to_string();
        if !codes.contains(&code) {
            codes.push(code);
        }
    }
    codes
}

/// The text of every element whose local name is `name` (any prefix, any attributes).
fn elements(body: &str, name: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = body;
    while let Some(at) = rest.find('<') {
        rest = &rest[at + 1..];
        let end = rest
            .find(|c: char| c.is_whitespace() || c == '>' || c == '/')
            .unwrap_or(rest.len());
        let tag = &rest[..end];
        let local = tag.rsplit(':').next().unwrap_or(tag);
        if local == name {
            if let Some(close) = rest.find('>') {
                if !rest[..close].ends_with('/') {
                    let text = rest[close + 1..].split('<').next().unwrap_or("");
                    out.push(text.trim().to_string());
                }
            }
        }
    }
    out
}

/// The text of the first `<… Name="{name}">` value (EWS's MessageXml).
fn named_value(body: &str, name: &str) -> Option<String> {
    let marker = format!("Name=\"{name}\">");
    let at = body.find(&marker)? + marker.len();
    Some(body[at..].split('<').next()?.trim().to_string())
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&apos;")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(status: u16, body: &str) -> Answer {
        Answer {
            status,
            www_authenticate: Vec::new(),
            retry_after: None,
            body: body.as_bytes().to_vec(),
        }
    }

    fn messages(codes: &[&str]) -> String {
        let m: String = codes
            .iter()
            .map(|c| format!("<m:GetFolderResponseMessage ResponseClass=\"x\"><m:ResponseCode>{c}</m:ResponseCode></m:GetFolderResponseMessage>"))
            .collect();
        format!("<s:Envelope><s:Body><m:GetFolderResponse><m:ResponseMessages>{m}</m:ResponseMessages></m:GetFolderResponse></s:Body></s:Envelope>")
    }

    fn fault(code: &str) -> String {
        format!("<s:Envelope><s:Body><s:Fault><faultcode xmlns:a=\"x\">a:{code}</faultcode><faultstring>x</faultstring><detail><e:ResponseCode xmlns:e=\"y\">{code}</e:ResponseCode></detail></s:Fault></s:Body></s:Envelope>")
    }

    #[test]
    fn answers_are_classified_as_ews_documents_them() {
        assert_eq!(classify(&answer(200, &messages(&["NoError"; 3]))), Call::Ok);
        assert_eq!(
            classify(&answer(
                200,
                &messages(&["NoError", "ErrorAccessDenied", "NoError"])
            )),
            Call::Denied
        );
        assert_eq!(
            classify(&answer(500, &fault("ErrorImpersonateUserDenied"))),
            Call::Denied
        );
        assert_eq!(
            classify(&answer(500, &fault("ErrorNonExistentMailbox"))),
            Call::NotFound
        );
        let busy = fault("ErrorServerBusy").replace(
            "</detail>",
            "<t:MessageXml><t:Value Name=\"BackOffMilliseconds\">1500</t:Value></t:MessageXml></detail>",
        );
        assert_eq!(
            classify(&answer(500, &busy)),
            Call::Busy(Duration::from_millis(1500))
        );
        let mut a = answer(503, "");
        a.retry_after = Some("2".into());
        assert_eq!(classify(&a), Call::Busy(Duration::from_secs(2)));
        assert_eq!(
            classify(&answer(500, &fault("ErrorInternalServerError"))),
            Call::Unreachable("HTTP 500 ErrorInternalServerError".into())
        );
        assert!(
            matches!(classify(&answer(401, "")), Call::Unreachable(r) if r.starts_with(SIGN_IN_REFUSED))
        );
        assert!(matches!(
            classify(&answer(200, "<html/>")),
            Call::Unreachable(_)
        ));
    }

    #[test]
    fn the_request_names_the_mailbox_escaped() {
        let r = get_folder_request("o'neil&co@contoso.com");
        assert!(r.contains(
            "<t:PrimarySmtpAddress>o&apos;neil&amp;co@contoso.com</t:PrimarySmtpAddress>"
        ));
        assert!(r.contains("<t:ExchangeImpersonation>") && r.contains("Id=\"inbox\""));
    }

    #[test]
    fn mechanisms_prefer_ntlm_and_urls_must_protect_credentials() {
        let mut a = answer(401, "");
        a.www_authenticate = vec!["Basic realm=\"x\"".into(), "Negotiate".into()];
        assert_eq!(choose_mechanism("u", &a).unwrap(), Mechanism::Negotiate);
        a.www_authenticate.push("NTLM".into());
        assert_eq!(choose_mechanism("u", &a).unwrap(), Mechanism::Ntlm);
        a.www_authenticate = vec!["Basic realm=\"x\"".into()];
        assert_eq!(choose_mechanism("u", &a).unwrap(), Mechanism::Basic);
        a.www_authenticate = vec!["Bearer".into()];
        assert!(choose_mechanism("u", &a).is_err());
        assert!(choose_mechanism("u", &answer(200, "")).is_err());
        assert!(check_url("https://mail.example.com/EWS/Exchange.asmx").is_ok());
        assert!(check_url("http://127.0.0.1:8080/EWS/Exchange.asmx").is_ok());
        assert!(check_url("http://mail.example.com/EWS/Exchange.asmx")
            .unwrap_err()
            .contains("https://"));
        assert!(check_url("mail.example.com").is_err());
        assert_eq!(
            resource_scope("https://outlook.office365.com/EWS/Exchange.asmx").unwrap(),
            "https://outlook.office365.com/.default"
        );
    }
}

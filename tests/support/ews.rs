//! A local, in-process stand-in for an EWS endpoint (`POST /EWS/Exchange.asmx`) on
//! 127.0.0.1 with std threads, for `exchange check`'s `impersonation` and app-only EWS plans.
//! Needs `graph.rs` beside it as a sibling module (`#[path]`), for its request reader.
//!
//! Authentication as Exchange Server's `/EWS` directory does it: an unauthenticated request
//! gets 401 with one `WWW-Authenticate` per offered scheme (`NTLM`, `Negotiate`, `Basic`);
//! NTLM (also inside Negotiate) is a challenge/response on one connection, verified here with
//! its own NTLMv2 computation (MD4 / HMAC-MD5), after which the connection stays
//! authenticated; Basic is checked per request; a bearer token is accepted when `bearer`
//! says it was issued. Every SOAP request must carry `ExchangeImpersonation` with
//! `ConnectingSID/PrimarySmtpAddress`; the answer follows the mailbox's [`EwsBehaviour`]
//! (unknown addresses: `ErrorNonExistentMailbox`), as SOAP faults or response messages the
//! way EWS sends them.
#![allow(dead_code)]

use super::graph::{random, read_request, Request};
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use hmac::{Hmac, KeyInit, Mac};
use md4::{Digest, Md4};
use std::collections::HashMap;
use std::io::BufReader;
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

/// How the stand-in answers for one mailbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EwsBehaviour {
    /// GetFolder succeeds for inbox, calendar and contacts.
    Allowed,
    /// SOAP fault `ErrorImpersonateUserDenied` (no ApplicationImpersonation over this mailbox).
    ImpersonateDenied,
    /// Response messages with `ErrorAccessDenied` (app-only: no EWS.AccessAsApp in scope).
    AccessDenied,
    /// SOAP fault `ErrorNonExistentMailbox` (also what unknown addresses get).
    NonExistent,
    /// The first request is answered 503 `ErrorServerBusy` with `Retry-After: 1`.
    BusyOnce,
    /// Always 503 `ErrorServerBusy` with `Retry-After: 1`.
    AlwaysBusy,
}

/// A sign-in scheme the stand-in offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Offer {
    Ntlm,
    Negotiate,
    Basic,
}

/// Says whether a bearer token was issued (by the token stand-in).
pub type Bearer = Arc<dyn Fn(&str) -> bool + Send + Sync>;

/// What the server is configured with.
pub struct EwsSetup {
    pub offers: Vec<Offer>,
    /// The impersonating account: `user` in NetBIOS `domain`.
    pub user: String,
    pub domain: String,
    pub password: String,
    /// Accepts a bearer token (app-only); `None`: bearer tokens are refused.
    pub bearer: Option<Bearer>,
    /// By lower-case address.
    pub mailboxes: HashMap<String, EwsBehaviour>,
}

#[derive(Default)]
struct Shared {
    requests: Mutex<HashMap<String, usize>>,
    soap_requests: AtomicUsize,
    refused_sign_ins: AtomicUsize,
    ntlm_sign_ins: AtomicUsize,
    missing_impersonation: AtomicUsize,
    in_flight: AtomicUsize,
    max_in_flight: AtomicUsize,
    stop: AtomicBool,
}

/// The running server; stops accepting on drop.
pub struct EwsServer {
    pub port: u16,
    shared: Arc<Shared>,
}

impl EwsServer {
    pub fn start(setup: EwsSetup) -> EwsServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        let port = listener.local_addr().unwrap().port();
        let setup = Arc::new(setup);
        let shared = Arc::new(Shared::default());
        let (sh, sh2) = (shared.clone(), shared.clone());
        super::http_stub::accept_loop(
            listener,
            move || sh.stop.load(Ordering::SeqCst),
            move |conn| serve(conn, &setup, &sh2),
        );
        EwsServer { port, shared }
    }

    /// `http://127.0.0.1:PORT/EWS/Exchange.asmx`.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}/EWS/Exchange.asmx", self.port)
    }

    /// The resource's scope for an app-only token.
    pub fn scope(&self) -> String {
        format!("http://127.0.0.1:{}/.default", self.port)
    }

    /// Authenticated GetFolder requests seen for `address`.
    pub fn requests_for(&self, address: &str) -> usize {
        let r = self.shared.requests.lock().unwrap();
        r.get(&address.to_lowercase()).copied().unwrap_or(0)
    }

    /// Authenticated SOAP requests in all.
    pub fn soap_requests(&self) -> usize {
        self.shared.soap_requests.load(Ordering::SeqCst)
    }

    /// Sign-ins refused (wrong password, wrong account, bad token).
    pub fn refused_sign_ins(&self) -> usize {
        self.shared.refused_sign_ins.load(Ordering::SeqCst)
    }

    /// NTLM handshakes that verified.
    pub fn ntlm_sign_ins(&self) -> usize {
        self.shared.ntlm_sign_ins.load(Ordering::SeqCst)
    }

    /// Authenticated requests without the ExchangeImpersonation header.
    pub fn missing_impersonation(&self) -> usize {
        self.shared.missing_impersonation.load(Ordering::SeqCst)
    }

    pub fn max_in_flight(&self) -> usize {
        self.shared.max_in_flight.load(Ordering::SeqCst)
    }
}

impl Drop for EwsServer {
    fn drop(&mut self) {
        super::http_stub::stop(&self.shared.stop, self.port);
    }
}

/// One connection's NTLM state: NTLM authenticates the connection, not the request.
#[derive(Default)]
struct Connection {
    challenge: Option<([u8; 8], Vec<u8>)>,
    authenticated: bool,
}

type Reply = (u16, Vec<String>, String);

fn serve(conn: TcpStream, setup: &EwsSetup, shared: &Shared) {
    let _ = conn.set_nodelay(true);
    let Ok(mut writer) = conn.try_clone() else {
        return;
    };
    let mut reader = BufReader::new(conn);
    let mut state = Connection::default();
    while let Some(req) = read_request(&mut reader) {
        let (status, headers, body) = if req.method != "POST" || req.target != "/EWS/Exchange.asmx"
        {
            (404, Vec::new(), String::new())
        } else {
            match authenticate(&req, setup, shared, &mut state) {
                Err(reply) => reply,
                Ok(()) => {
                    let now = shared.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
                    shared.max_in_flight.fetch_max(now, Ordering::SeqCst);
                    let reply = soap(&req, setup, shared);
                    shared.in_flight.fetch_sub(1, Ordering::SeqCst);
                    reply
                }
            }
        };
        let head: String = std::iter::once("Content-Type: text/xml; charset=utf-8")
            .chain(headers.iter().map(String::as_str))
            .map(|h| format!("{h}\r\n"))
            .collect();
        let sent = super::http_stub::write_answer(&mut writer, status, &head, body.as_bytes());
        if sent.is_err() {
            return;
        }
    }
}

fn unauthorized(setup: &EwsSetup) -> Reply {
    let offers = setup
        .offers
        .iter()
        .map(|o| match o {
            Offer::Ntlm => "WWW-Authenticate: NTLM".to_string(),
            Offer::Negotiate => "WWW-Authenticate: Negotiate".to_string(),
            Offer::Basic => "WWW-Authenticate: Basic realm=\"mail.contoso.com\"".to_string(),
        })
        .collect();
    (401, offers, String::new())
}

fn refused(setup: &EwsSetup, shared: &Shared) -> Reply {
    shared.refused_sign_ins.fetch_add(1, Ordering::SeqCst);
    unauthorized(setup)
}

/// `Ok` when the request may be answered; `Err` with the 401 (or challenge) otherwise.
fn authenticate(
    req: &Request,
    setup: &EwsSetup,
    shared: &Shared,
    conn: &mut Connection,
) -> Result<(), Reply> {
    let Some(value) = req.headers.get("authorization") else {
        return if conn.authenticated {
            Ok(())
        } else {
            Err(unauthorized(setup))
        };
    };
    let (scheme, token) = value.split_once(' ').unwrap_or((value, ""));
    let offered = |o: Offer| setup.offers.contains(&o);
    match scheme {
        "Bearer" => match &setup.bearer {
            Some(accept) if accept(token) => Ok(()),
            _ => Err(refused(setup, shared)),
        },
        "Basic" if offered(Offer::Basic) => {
            let decoded = B64
                .decode(token)
                .ok()
                .and_then(|b| String::from_utf8(b).ok());
            let good = [
                format!("{}\\{}:{}", setup.domain, setup.user, setup.password),
                format!("{}:{}", setup.user, setup.password),
            ];
            if decoded.is_some_and(|d| good.contains(&d)) {
                Ok(())
            } else {
                Err(refused(setup, shared))
            }
        }
        "NTLM" | "Negotiate"
            if offered(if scheme == "NTLM" {
                Offer::Ntlm
            } else {
                Offer::Negotiate
            }) =>
        {
            let Ok(message) = B64.decode(token) else {
                return Err(refused(setup, shared));
            };
            match message.get(8) {
                Some(1) => {
                    let server_challenge = random().to_le_bytes();
                    let info = target_info(setup);
                    let challenge = challenge_message(server_challenge, &info);
                    conn.challenge = Some((server_challenge, info));
                    conn.authenticated = false;
                    Err((
                        401,
                        vec![format!(
                            "WWW-Authenticate: {scheme} {}",
                            B64.encode(challenge)
                        )],
                        String::new(),
                    ))
                }
                Some(3) => {
                    // Only on the connection that got the challenge.
                    let Some((server_challenge, info)) = conn.challenge.take() else {
                        return Err(refused(setup, shared));
                    };
                    if verify(&message, &server_challenge, &info, setup) {
                        conn.authenticated = true;
                        shared.ntlm_sign_ins.fetch_add(1, Ordering::SeqCst);
                        Ok(())
                    } else {
                        Err(refused(setup, shared))
                    }
                }
                _ => Err(refused(setup, shared)),
            }
        }
        _ => Err(refused(setup, shared)),
    }
}

fn utf16(s: &str) -> Vec<u8> {
    s.encode_utf16().flat_map(u16::to_le_bytes).collect()
}

fn target_info(setup: &EwsSetup) -> Vec<u8> {
    let mut t = Vec::new();
    for (id, value) in [(2u16, utf16(&setup.domain)), (1, utf16("EXCH01"))] {
        t.extend(id.to_le_bytes());
        t.extend((value.len() as u16).to_le_bytes());
        t.extend(value);
    }
    // MsvAvTimestamp: the client must then send a zero LMv2 response.
    t.extend(7u16.to_le_bytes());
    t.extend(8u16.to_le_bytes());
    t.extend(133_000_000_000_000_000u64.to_le_bytes());
    t.extend([0, 0, 0, 0]);
    t
}

fn challenge_message(server_challenge: [u8; 8], info: &[u8]) -> Vec<u8> {
    let mut m = b"NTLMSSP\0".to_vec();
    m.extend(2u32.to_le_bytes());
    m.extend([0, 0, 0, 0, 48, 0, 0, 0]);
    m.extend(0xA289_8205u32.to_le_bytes());
    m.extend(server_challenge);
    m.extend([0; 8]);
    m.extend((info.len() as u16).to_le_bytes());
    m.extend((info.len() as u16).to_le_bytes());
    m.extend(48u32.to_le_bytes());
    m.extend(info);
    m
}

fn field(m: &[u8], at: usize) -> Option<&[u8]> {
    let len = u16::from_le_bytes(m.get(at..at + 2)?.try_into().ok()?) as usize;
    let off = u32::from_le_bytes(m.get(at + 4..at + 8)?.try_into().ok()?) as usize;
    m.get(off..off + len)
}

fn hmac_md5(key: &[u8], parts: &[&[u8]]) -> Vec<u8> {
    let mut mac = <Hmac<md5::Md5> as KeyInit>::new_from_slice(key).unwrap();
    for p in parts {
        mac.update(p);
    }
    mac.finalize().into_bytes().to_vec()
}

/// An AUTHENTICATE_MESSAGE's NTLMv2 proof for the configured account and password, over this
/// connection's challenge and target info.
fn verify(m: &[u8], server_challenge: &[u8; 8], info: &[u8], setup: &EwsSetup) -> bool {
    let (Some(lm), Some(nt), Some(domain), Some(user)) =
        (field(m, 12), field(m, 20), field(m, 28), field(m, 36))
    else {
        return false;
    };
    let text = |b: &[u8]| {
        String::from_utf16_lossy(
            &b.chunks(2)
                .map(|c| u16::from_le_bytes([c[0], c.get(1).copied().unwrap_or(0)]))
                .collect::<Vec<_>>(),
        )
    };
    let (user, domain) = (text(user), text(domain));
    // A UPN login (setup.user "svc@contoso.com") comes with an empty domain.
    let known =
        user.eq_ignore_ascii_case(&setup.user) && domain.eq_ignore_ascii_case(&setup.domain);
    if !known || nt.len() < 48 || lm != [0u8; 24] {
        return false;
    }
    let blob = &nt[16..];
    // The blob must echo this connection's target info (a replay from elsewhere would not).
    if blob.len() < 28 + info.len() || &blob[28..28 + info.len()] != info {
        return false;
    }
    let key = hmac_md5(
        &Md4::digest(utf16(&setup.password)),
        &[&utf16(&(user.to_uppercase() + &domain))],
    );
    hmac_md5(&key, &[server_challenge, blob]) == nt[..16]
}

/// The text of the first element named `local` (any prefix).
fn element(body: &str, local: &str) -> Option<String> {
    let mut rest = body;
    while let Some(at) = rest.find('<') {
        rest = &rest[at + 1..];
        let end = rest.find(|c: char| c.is_whitespace() || c == '>' || c == '/')?;
        let tag = &rest[..end];
        if tag.rsplit(':').next() == Some(local) {
            let close = rest.find('>')?;
            return Some(rest[close + 1..].split('<').next()?.trim().to_string());
        }
    }
    None
}

fn fault(code: &str, text: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="utf-8"?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><s:Fault><faultcode xmlns:a="http://schemas.microsoft.com/exchange/services/2006/types">a:{code}</faultcode><faultstring xml:lang="en-US">{text}</faultstring><detail><e:ResponseCode xmlns:e="http://schemas.microsoft.com/exchange/services/2006/errors">{code}</e:ResponseCode><e:Message xmlns:e="http://schemas.microsoft.com/exchange/services/2006/errors">{text}</e:Message></detail></s:Fault></s:Body></s:Envelope>"#
    )
}

fn messages(code: &str) -> String {
    let class = if code == "NoError" {
        "Success"
    } else {
        "Error"
    };
    let one = format!(
        r#"<m:GetFolderResponseMessage ResponseClass="{class}"><m:ResponseCode>{code}</m:ResponseCode></m:GetFolderResponseMessage>"#
    );
    format!(
        r#"<?xml version="1.0" encoding="utf-8"?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><m:GetFolderResponse xmlns:m="http://schemas.microsoft.com/exchange/services/2006/messages" xmlns:t="http://schemas.microsoft.com/exchange/services/2006/types"><m:ResponseMessages>{one}{one}{one}</m:ResponseMessages></m:GetFolderResponse></s:Body></s:Envelope>"#
    )
}

fn soap(req: &Request, setup: &EwsSetup, shared: &Shared) -> Reply {
    let body = String::from_utf8_lossy(&req.body);
    if body.trim().is_empty() {
        // An authenticated probe with no request: EWS answers a fault.
        return (
            500,
            Vec::new(),
            fault("ErrorInvalidRequest", "The request is invalid."),
        );
    }
    shared.soap_requests.fetch_add(1, Ordering::SeqCst);
    let address = element(&body, "ExchangeImpersonation")
        .and(element(&body, "PrimarySmtpAddress"))
        .filter(|a| !a.is_empty());
    let Some(address) = address else {
        shared.missing_impersonation.fetch_add(1, Ordering::SeqCst);
        return (
            500,
            Vec::new(),
            fault("ErrorInvalidRequest", "ExchangeImpersonation is required."),
        );
    };
    let address = address
        .replace("&amp;", "&")
        .replace("&apos;", "'")
        .to_lowercase();
    let seen = {
        let mut r = shared.requests.lock().unwrap();
        let n = r.entry(address.clone()).or_insert(0);
        *n += 1;
        *n
    };
    let busy = || {
        (
            503,
            vec!["Retry-After: 1".to_string()],
            fault(
                "ErrorServerBusy",
                "The server cannot service this request right now. Try again later.",
            ),
        )
    };
    match setup
        .mailboxes
        .get(&address)
        .cloned()
        .unwrap_or(EwsBehaviour::NonExistent)
    {
        EwsBehaviour::Allowed => (200, Vec::new(), messages("NoError")),
        EwsBehaviour::AccessDenied => (200, Vec::new(), messages("ErrorAccessDenied")),
        EwsBehaviour::ImpersonateDenied => (
            500,
            Vec::new(),
            fault(
                "ErrorImpersonateUserDenied",
                "The account does not have permission to impersonate the requested user.",
            ),
        ),
        EwsBehaviour::NonExistent => (
            500,
            Vec::new(),
            fault(
                "ErrorNonExistentMailbox",
                "The SMTP address has no mailbox associated with it.",
            ),
        ),
        EwsBehaviour::BusyOnce if seen == 1 => busy(),
        EwsBehaviour::BusyOnce => (200, Vec::new(), messages("NoError")),
        EwsBehaviour::AlwaysBusy => busy(),
    }
}

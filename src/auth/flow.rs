//! The OAuth flows: auth code + PKCE on a loopback redirect, the device flow, refresh and
//! revocation — and finding out who signed in.
//!
//! [`authorize`] never stores anything: the caller checks the identity ([`Expected::check`])
//! and then calls [`TokenStore::save`] (or [`finish`], which does both the way the CLI does).

use super::browser;
use super::config::Config;
use super::credential::{now_secs, StoredCredential};
use super::error::AuthError;
use super::http::Http;
use super::identity::{salesforce_id18, Expected, Identity};
use super::loopback::Loopback;
use super::store::TokenStore;
use super::Provider;
use base64::Engine;
use oauth2::basic::{
    BasicErrorResponse, BasicRevocationErrorResponse, BasicTokenIntrospectionResponse,
    BasicTokenType,
};
use oauth2::{
    AccessToken, AuthType, AuthUrl, AuthorizationCode, ClientId, CsrfToken, EndpointNotSet,
    EndpointSet, ExtraTokenFields, PkceCodeChallenge, RedirectUrl, RequestTokenError, Scope,
    StandardRevocableToken, StandardTokenResponse, TokenResponse, TokenUrl,
};
use serde::{Deserialize, Serialize};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

/// Provider-specific fields of a token response (Salesforce's and Microsoft's).
#[derive(Clone, Default, Deserialize, Serialize)]
pub struct ExtraFields {
    /// Microsoft: who signed in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_token: Option<String>,
    /// Salesforce: the org's instance.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instance_url: Option<String>,
    /// Salesforce: the identity URL `…/id/ORG_ID/USER_ID`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
}

impl ExtraTokenFields for ExtraFields {}

impl std::fmt::Debug for ExtraFields {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ExtraFields")
            .field("id_token", &self.id_token.as_ref().map(|_| "[redacted]"))
            .field("instance_url", &self.instance_url)
            .field("id", &self.id)
            .finish()
    }
}

type Tokens = StandardTokenResponse<ExtraFields, BasicTokenType>;
type OAuthClient<A, T> = oauth2::Client<
    BasicErrorResponse,
    Tokens,
    BasicTokenIntrospectionResponse,
    StandardRevocableToken,
    BasicRevocationErrorResponse,
    A,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    T,
>;

/// Lets another thread (Esc in the TUI) stop a waiting flow.
#[derive(Clone, Default, Debug)]
pub struct Cancel(Arc<(Mutex<bool>, Condvar)>);

impl Cancel {
    /// A fresh, un-cancelled token.
    pub fn new() -> Cancel {
        Cancel::default()
    }
    /// Asks the flow to stop; it returns [`AuthError::Cancelled`] promptly.
    pub fn cancel(&self) {
        let (lock, cv) = &*self.0;
        *lock.lock().unwrap_or_else(|e| e.into_inner()) = true;
        cv.notify_all();
    }
    /// Whether [`Cancel::cancel`] was called.
    pub fn is_cancelled(&self) -> bool {
        *self.0 .0.lock().unwrap_or_else(|e| e.into_inner())
    }
    /// Waits up to `d` (a provider-mandated polling interval); true if cancelled meanwhile.
    fn wait(&self, d: Duration) -> bool {
        let (lock, cv) = &*self.0;
        let guard = lock.lock().unwrap_or_else(|e| e.into_inner());
        let (guard, _) = cv
            .wait_timeout_while(guard, d, |c| !*c)
            .unwrap_or_else(|e| e.into_inner());
        *guard
    }
}

/// How the user signs in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FlowMode {
    /// Auth code + PKCE: the browser comes back to a loopback listener.
    Browser,
    /// Device flow: the user types a code on another device.
    Device,
}

/// What a running flow reports, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Progress {
    /// The authorization URL: show it (with a copy key) whether or not a browser opens.
    OpenUrl(String),
    /// The browser could not be started; the URL above is the way forward.
    BrowserFailed(String),
    /// Device flow: visit `uri` and enter `code` (`complete` already carries the code).
    DeviceCode {
        uri: String,
        code: String,
        complete: Option<String>,
    },
    /// Waiting for the user.
    Waiting,
    /// Exchanging the code / checking who signed in.
    Exchanging,
}

/// The result of a successful flow: nothing stored yet.
#[derive(Debug)]
pub struct Authorized {
    pub identity: Identity,
    /// What [`TokenStore::save`] would keep.
    pub credential: StoredCredential,
    /// In memory only.
    pub access_token: AccessToken,
}

/// Options for [`authorize`].
#[derive(Debug, Clone)]
pub struct FlowOptions {
    pub mode: FlowMode,
    /// Try to open the browser (the URL is reported either way).
    pub open_browser: bool,
    /// Pre-fills the sign-in page.
    pub login_hint: Option<String>,
    pub cancel: Cancel,
}

impl Default for FlowOptions {
    fn default() -> Self {
        FlowOptions {
            mode: FlowMode::Browser,
            open_browser: true,
            login_hint: None,
            cancel: Cancel::new(),
        }
    }
}

struct ProviderSetup {
    client_id: String,
    endpoints: super::config::Endpoints,
    redirect_uri: String,
    redirect_key: &'static str,
    scopes: Vec<String>,
    client_key: &'static str,
}

fn setup(config: &Config, provider: Provider) -> Result<ProviderSetup, AuthError> {
    let s = match provider {
        Provider::Salesforce => ProviderSetup {
            client_id: config.salesforce.client_id.clone(),
            endpoints: config.salesforce.endpoints(),
            redirect_uri: config.salesforce.redirect_uri.clone(),
            redirect_key: "salesforce.redirect_uri",
            scopes: split_scopes(&config.salesforce.scope),
            client_key: "salesforce.client_id",
        },
        Provider::Exchange => ProviderSetup {
            client_id: config.microsoft.client_id.clone(),
            endpoints: config.microsoft.endpoints(),
            redirect_uri: config.microsoft.redirect_uri.clone(),
            redirect_key: "microsoft.redirect_uri",
            scopes: split_scopes(&config.microsoft.scope),
            client_key: "microsoft.client_id",
        },
    };
    if s.client_id.trim().is_empty() {
        return Err(AuthError::Config(format!(
            "config key {} is empty: put the app's client ID in the config file (--config FILE)",
            s.client_key
        )));
    }
    Ok(s)
}

/// Checks that `provider` is configured well enough to start a flow (e.g. a client ID is set).
pub fn check_config(config: &Config, provider: Provider) -> Result<(), AuthError> {
    setup(config, provider).map(|_| ())
}

fn split_scopes(s: &str) -> Vec<String> {
    s.split_whitespace().map(str::to_string).collect()
}

fn client(s: &ProviderSetup) -> Result<OAuthClient<EndpointSet, EndpointSet>, AuthError> {
    let bad = |e: oauth2::url::ParseError| AuthError::Config(format!("bad endpoint URL: {e}"));
    Ok(oauth2::Client::new(ClientId::new(s.client_id.clone()))
        .set_auth_type(AuthType::RequestBody)
        .set_auth_uri(AuthUrl::new(s.endpoints.authorize.clone()).map_err(bad)?)
        .set_token_uri(TokenUrl::new(s.endpoints.token.clone()).map_err(bad)?))
}

/// Runs one provider's flow to the point of knowing who signed in. Stores nothing.
/// `progress` is told the URL (or device code) to show; it may be called from this thread only.
pub fn authorize(
    config: &Config,
    provider: Provider,
    options: &FlowOptions,
    progress: &mut dyn FnMut(Progress),
) -> Result<Authorized, AuthError> {
    let s = setup(config, provider)?;
    let http = Http::default();
    let tokens = match options.mode {
        FlowMode::Browser => code_flow(config, &s, &http, options, progress)?,
        FlowMode::Device => device_flow(config, provider, &s, &http, options, progress)?,
    };
    progress(Progress::Exchanging);
    to_authorized(config, provider, &http, &tokens, None)
}

fn code_flow(
    config: &Config,
    s: &ProviderSetup,
    http: &Http,
    options: &FlowOptions,
    progress: &mut dyn FnMut(Progress),
) -> Result<Tokens, AuthError> {
    let listener = Loopback::bind(&s.redirect_uri, s.redirect_key)?;
    let redirect = RedirectUrl::new(listener.redirect_uri().to_string())
        .map_err(|e| AuthError::Config(format!("config key {}: {e}", s.redirect_key)))?;
    let client = client(s)?.set_redirect_uri(redirect);
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let mut request = client
        .authorize_url(CsrfToken::new_random)
        .set_pkce_challenge(challenge)
        .add_scopes(s.scopes.iter().cloned().map(Scope::new));
    if let Some(hint) = options.login_hint.as_deref().filter(|h| !h.is_empty()) {
        request = request.add_extra_param("login_hint", hint);
    }
    let (url, state) = request.url();
    progress(Progress::OpenUrl(url.to_string()));
    if options.open_browser {
        if let Err(e) = browser::open(url.as_str()) {
            progress(Progress::BrowserFailed(e));
        }
    }
    progress(Progress::Waiting);
    let code = listener.wait(state.secret(), config.flow.timeout(), &options.cancel)?;
    drop(listener);
    progress(Progress::Exchanging);
    client
        .exchange_code(AuthorizationCode::new(code))
        .set_pkce_verifier(verifier)
        .request(http)
        .map_err(token_error)
}

#[derive(Deserialize)]
struct DeviceStart {
    device_code: String,
    user_code: String,
    #[serde(alias = "verification_url")]
    verification_uri: String,
    #[serde(default)]
    verification_uri_complete: Option<String>,
    #[serde(default)]
    interval: Option<u64>,
}

#[derive(Deserialize)]
struct ErrorBody {
    error: String,
    #[serde(default)]
    error_description: Option<String>,
}

/// Device flow for both providers. Salesforce's variant posts `response_type=device_code`
/// to the token endpoint and polls with `grant_type=device`; Microsoft's is RFC 8628.
fn device_flow(
    config: &Config,
    provider: Provider,
    s: &ProviderSetup,
    http: &Http,
    options: &FlowOptions,
    progress: &mut dyn FnMut(Progress),
) -> Result<Tokens, AuthError> {
    let scope = s.scopes.join(" ");
    let start_form: Vec<(&str, &str)> = match provider {
        Provider::Salesforce => vec![
            ("response_type", "device_code"),
            ("client_id", &s.client_id),
            ("scope", &scope),
        ],
        Provider::Exchange => vec![("client_id", &s.client_id), ("scope", &scope)],
    };
    let (status, body) = http
        .post_form(&s.endpoints.device, &start_form)
        .map_err(|e| AuthError::Network(e.0))?;
    if status != 200 {
        return Err(provider_error(status, &body));
    }
    let start: DeviceStart = serde_json::from_slice(&body).map_err(|e| AuthError::Provider {
        error: "unexpected device authorization response".into(),
        description: e.to_string(),
    })?;
    progress(Progress::DeviceCode {
        uri: start.verification_uri.clone(),
        code: start.user_code.clone(),
        complete: start.verification_uri_complete.clone(),
    });
    progress(Progress::Waiting);
    let mut interval = Duration::from_secs(start.interval.unwrap_or(5).max(1));
    let timeout = config.flow.timeout();
    let deadline = Instant::now() + timeout;
    let poll_form: Vec<(&str, &str)> = match provider {
        Provider::Salesforce => vec![
            ("grant_type", "device"),
            ("client_id", &s.client_id),
            ("code", &start.device_code),
        ],
        Provider::Exchange => vec![
            ("grant_type", "urn:ietf:params:oauth:grant-type:device_code"),
            ("client_id", &s.client_id),
            ("device_code", &start.device_code),
        ],
    };
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(AuthError::Timeout(timeout.as_secs()));
        }
        if options.cancel.wait(interval.min(left)) {
            return Err(AuthError::Cancelled);
        }
        let (status, body) = http
            .post_form(&s.endpoints.token, &poll_form)
            .map_err(|e| AuthError::Network(e.0))?;
        if status == 200 {
            return serde_json::from_slice(&body).map_err(|e| AuthError::Provider {
                error: "unexpected token response".into(),
                description: e.to_string(),
            });
        }
        match serde_json::from_slice::<ErrorBody>(&body) {
            Ok(e) if e.error == "authorization_pending" => {}
            Ok(e) if e.error == "slow_down" => interval += Duration::from_secs(5),
            Ok(e) if e.error == "access_denied" => {
                return Err(AuthError::Denied(e.error_description.unwrap_or_default()))
            }
            Ok(e) if e.error == "expired_token" => {
                return Err(AuthError::Timeout(timeout.as_secs()))
            }
            _ => return Err(provider_error(status, &body)),
        }
    }
}

fn provider_error(status: u16, body: &[u8]) -> AuthError {
    match serde_json::from_slice::<ErrorBody>(body) {
        Ok(e) => AuthError::Provider {
            error: e.error,
            description: e.error_description.unwrap_or_default(),
        },
        Err(_) => AuthError::Provider {
            error: format!("HTTP {status}"),
            description: "the provider answered with something other than OAuth JSON".into(),
        },
    }
}

fn token_error(e: RequestTokenError<super::http::HttpError, BasicErrorResponse>) -> AuthError {
    match e {
        RequestTokenError::ServerResponse(r) => AuthError::Provider {
            error: r.error().to_string(),
            description: r.error_description().cloned().unwrap_or_default(),
        },
        RequestTokenError::Request(e) => AuthError::Network(e.0),
        RequestTokenError::Parse(e, _) => AuthError::Provider {
            error: "unexpected token response".into(),
            description: e.to_string(),
        },
        RequestTokenError::Other(s) => AuthError::Provider {
            error: "token request failed".into(),
            description: s,
        },
    }
}

/// Works out who signed in and what to keep. `previous` carries the refresh token forward
/// when the provider does not rotate it (Salesforce).
fn to_authorized(
    config: &Config,
    provider: Provider,
    http: &Http,
    tokens: &Tokens,
    previous: Option<&StoredCredential>,
) -> Result<Authorized, AuthError> {
    let identity = match provider {
        Provider::Salesforce => salesforce_identity(config, http, tokens)?,
        Provider::Exchange => match tokens.extra_fields().id_token.as_deref() {
            Some(t) => microsoft_identity(&config.microsoft.client_id, t)?,
            None => match previous {
                // A refresh may omit the id_token; the account is the one already stored.
                Some(p) => Identity {
                    provider,
                    login: p.login.clone(),
                    user_id: p.user_id.clone(),
                    org_id: p.org_id.clone(),
                },
                None => {
                    return Err(AuthError::Identity(
                        "the token response has no id_token; config key microsoft.scope must include openid and profile".into(),
                    ))
                }
            },
        },
    };
    let refresh_token = match (tokens.refresh_token(), previous) {
        (Some(rt), _) => rt.clone(),
        (None, Some(p)) => p.refresh_token.clone(),
        (None, None) => {
            return Err(AuthError::Provider {
                error: "no refresh token".into(),
                description: match provider {
                    Provider::Salesforce => "the connected app must allow the refresh_token scope (config key salesforce.scope)".into(),
                    Provider::Exchange => "config key microsoft.scope must include offline_access".into(),
                },
            })
        }
    };
    let issued_at = match (tokens.refresh_token(), previous) {
        (None, Some(p)) => p.issued_at,
        _ => now_secs(),
    };
    let credential = StoredCredential {
        provider,
        login: identity.login.clone(),
        user_id: identity.user_id.clone(),
        org_id: identity.org_id.clone(),
        instance_url: tokens
            .extra_fields()
            .instance_url
            .clone()
            .or_else(|| previous.map(|p| p.instance_url.clone()))
            .unwrap_or_default(),
        issued_at,
        refresh_token,
    };
    Ok(Authorized {
        identity,
        credential,
        access_token: tokens.access_token().clone(),
    })
}

#[derive(Deserialize)]
struct SalesforceIdentity {
    username: String,
    user_id: String,
    organization_id: String,
}

/// Reads Salesforce's identity URL (`…/id/ORG_ID/USER_ID`) with the new access token.
fn salesforce_identity(
    config: &Config,
    http: &Http,
    tokens: &Tokens,
) -> Result<Identity, AuthError> {
    let id_url =
        tokens.extra_fields().id.clone().ok_or_else(|| {
            AuthError::Identity("the token response has no identity URL (id)".into())
        })?;
    let parsed = oauth2::url::Url::parse(&id_url)
        .map_err(|e| AuthError::Identity(format!("bad identity URL: {e}")))?;
    let login_https = config.salesforce.login_url.starts_with("https://");
    if login_https && parsed.scheme() != "https" {
        return Err(AuthError::Identity("the identity URL is not https".into()));
    }
    let segments: Vec<&str> = parsed
        .path_segments()
        .map(|s| s.collect())
        .unwrap_or_default();
    let (org, user) = match segments.as_slice() {
        [.., "id", org, user] => (org.to_string(), user.to_string()),
        _ => {
            return Err(AuthError::Identity(format!(
                "the identity URL {id_url} is not …/id/ORG_ID/USER_ID"
            )))
        }
    };
    let (status, body) = http
        .get_bearer(&id_url, tokens.access_token().secret())
        .map_err(|e| AuthError::Network(e.0))?;
    if status != 200 {
        return Err(AuthError::Identity(format!(
            "the identity URL answered HTTP {status}"
        )));
    }
    let who: SalesforceIdentity = serde_json::from_slice(&body)
        .map_err(|e| AuthError::Identity(format!("unexpected identity response: {e}")))?;
    let same =
        |a: &str, b: &str| salesforce_id18(a).is_some() && salesforce_id18(a) == salesforce_id18(b);
    if !same(&who.user_id, &user) || !same(&who.organization_id, &org) {
        return Err(AuthError::Identity(
            "the identity response does not match the identity URL".into(),
        ));
    }
    Ok(Identity {
        provider: Provider::Salesforce,
        login: who.username,
        user_id: salesforce_id18(&who.user_id).unwrap_or(who.user_id),
        org_id: salesforce_id18(&who.organization_id).unwrap_or(who.organization_id),
    })
}

#[derive(Deserialize)]
struct IdClaims {
    #[serde(default)]
    preferred_username: Option<String>,
    #[serde(default)]
    oid: Option<String>,
    #[serde(default)]
    sub: Option<String>,
    #[serde(default)]
    tid: Option<String>,
    aud: serde_json::Value,
}

/// Reads the id_token's claims. It came straight from the token endpoint over TLS, which
/// OpenID Connect accepts in place of checking its signature; the audience is still checked.
pub fn microsoft_identity(client_id: &str, id_token: &str) -> Result<Identity, AuthError> {
    let payload = id_token
        .split('.')
        .nth(1)
        .ok_or_else(|| AuthError::Identity("the id_token is not a JWT".into()))?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .map_err(|_| AuthError::Identity("the id_token payload is not base64url".into()))?;
    let claims: IdClaims = serde_json::from_slice(&bytes)
        .map_err(|e| AuthError::Identity(format!("the id_token claims are unreadable: {e}")))?;
    let aud_ok = match &claims.aud {
        serde_json::Value::String(a) => a == client_id,
        serde_json::Value::Array(v) => v.iter().any(|a| a.as_str() == Some(client_id)),
        _ => false,
    };
    if !aud_ok {
        return Err(AuthError::Identity(
            "the id_token was issued to another application (aud)".into(),
        ));
    }
    let login = claims.preferred_username.ok_or_else(|| {
        AuthError::Identity("the id_token has no preferred_username; config key microsoft.scope must include profile".into())
    })?;
    Ok(Identity {
        provider: Provider::Exchange,
        login,
        user_id: claims.oid.or(claims.sub).unwrap_or_default(),
        org_id: claims.tid.unwrap_or_default(),
    })
}

/// Checks the identity against `expected` and stores the credential unless it mismatches
/// (or `accept_mismatch`). On a mismatch nothing is stored and the differences come back.
pub fn finish(
    store: &TokenStore,
    authorized: Authorized,
    expected: Option<&Expected>,
    accept_mismatch: bool,
) -> Result<Authorized, AuthError> {
    if let Some(exp) = expected {
        let m = exp.check(&authorized.identity);
        if !m.is_empty() && !accept_mismatch {
            return Err(AuthError::Mismatch(m));
        }
    }
    store.save(&authorized.credential)?;
    Ok(authorized)
}

/// Picks the stored credential for `provider` (and `login`, when given).
pub fn select(
    store: &TokenStore,
    provider: Provider,
    login: Option<&str>,
) -> Result<StoredCredential, AuthError> {
    match login {
        Some(l) => store
            .load(provider, l)?
            .ok_or_else(|| AuthError::NotStored(provider.key(), format!(" for {l}"))),
        None => {
            let mut all = store.list_provider(provider)?;
            match all.len() {
                0 => Err(AuthError::NotStored(provider.key(), String::new())),
                1 => Ok(all.remove(0)),
                _ => Err(AuthError::Ambiguous(format!(
                    "several {} accounts are stored ({}); choose one with --login",
                    provider.key(),
                    all.iter()
                        .map(|c| c.login.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ))),
            }
        }
    }
}

/// The stored authorization for `provider` (and `login`), if any.
pub fn status(
    store: &TokenStore,
    provider: Provider,
    login: Option<&str>,
) -> Result<Option<StoredCredential>, AuthError> {
    match select(store, provider, login) {
        Ok(c) => Ok(Some(c)),
        Err(AuthError::NotStored(..)) => Ok(None),
        Err(e) => Err(e),
    }
}

/// Exchanges the stored refresh token for a new access token and stores what comes back
/// (Microsoft rotates refresh tokens: the new one replaces the old every time).
/// A dead refresh token comes back as [`AuthError::Provider`] with `invalid_grant`:
/// the caller runs [`authorize`] again.
pub fn renew(
    config: &Config,
    store: &TokenStore,
    provider: Provider,
    login: Option<&str>,
) -> Result<Authorized, AuthError> {
    let s = setup(config, provider)?;
    let stored = select(store, provider, login)?;
    let http = Http::default();
    let oauth = client(&s)?;
    let mut request = oauth.exchange_refresh_token(&stored.refresh_token);
    if provider == Provider::Exchange {
        // Microsoft wants the scopes again; offline_access is implied by the refresh token.
        request = request.add_scopes(
            s.scopes
                .iter()
                .filter(|sc| *sc != "offline_access")
                .cloned()
                .map(Scope::new),
        );
    }
    let tokens = request.request(&http).map_err(token_error)?;
    let authorized = to_authorized(config, provider, &http, &tokens, Some(&stored))?;
    if !authorized
        .identity
        .user_id
        .eq_ignore_ascii_case(&stored.user_id)
    {
        return Err(AuthError::Identity(format!(
            "the renewed token belongs to {} instead of {}",
            authorized.identity.login, stored.login
        )));
    }
    store.save(&authorized.credential)?;
    Ok(authorized)
}

/// What [`revoke`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Revoked {
    pub login: String,
    /// True when the provider itself revoked the token (Salesforce).
    pub at_provider: bool,
    /// What the user should know (e.g. how an admin revokes Microsoft sessions).
    pub note: Option<String>,
}

/// Revokes at the provider where it allows it (Salesforce), then deletes the entry.
/// Microsoft has no revocation endpoint: the entry is deleted and the note says how an
/// administrator revokes the sessions.
pub fn revoke(
    config: &Config,
    store: &TokenStore,
    provider: Provider,
    login: Option<&str>,
) -> Result<Revoked, AuthError> {
    let stored = select(store, provider, login)?;
    let (at_provider, note) = match provider {
        Provider::Salesforce => {
            let url = config
                .salesforce
                .endpoints()
                .revoke
                .expect("Salesforce has a revocation endpoint");
            let (status, body) = Http::default()
                .post_form(&url, &[("token", stored.refresh_token.secret())])
                .map_err(|e| AuthError::Network(e.0))?;
            match status {
                200 => (true, None),
                // Already invalid at Salesforce: nothing left to revoke there.
                400 if matches!(serde_json::from_slice::<ErrorBody>(&body), Ok(e) if e.error == "invalid_token") => (
                    false,
                    Some("Salesforce no longer knew this token; the local entry was deleted.".into()),
                ),
                _ => return Err(provider_error(status, &body)),
            }
        }
        Provider::Exchange => (
            false,
            Some(format!(
                "Microsoft has no way for an app to revoke its own tokens; the local copy was deleted. \
                 To end the sessions too, an administrator runs `Revoke-MgUserSignInSession -UserId {}` \
                 (Microsoft Graph PowerShell) or selects \"Revoke sessions\" on the user in the Entra admin center.",
                stored.login
            )),
        ),
    };
    store.delete(provider, &stored.login)?;
    Ok(Revoked {
        login: stored.login,
        at_provider,
        note,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jwt(claims: &str) -> String {
        let b = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        format!(
            "{}.{}.sig",
            b.encode("{\"alg\":\"RS256\"}"),
            b.encode(claims)
        )
    }

    #[test]
    fn id_token_claims_give_identity_and_audience_is_checked() {
        let t = jwt(r#"{"aud":"app","preferred_username":"a@x.com","oid":"o1","tid":"t1"}"#);
        let id = microsoft_identity("app", &t).unwrap();
        assert_eq!(
            (id.login.as_str(), id.user_id.as_str(), id.org_id.as_str()),
            ("a@x.com", "o1", "t1")
        );
        assert!(matches!(
            microsoft_identity("other", &t),
            Err(AuthError::Identity(_))
        ));
        assert!(matches!(
            microsoft_identity("app", "garbage"),
            Err(AuthError::Identity(_))
        ));
    }

    #[test]
    fn cancel_wakes_a_waiting_poll() {
        let c = Cancel::new();
        let c2 = c.clone();
        let t = std::thread::spawn(move || c2.wait(Duration::from_secs(60)));
        c.cancel();
        assert!(t.join().unwrap());
    }
}

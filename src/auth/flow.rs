//! The OAuth flows up to "who signed in": auth code + PKCE on a loopback redirect (here) or
//! the device flow ([`super::device`]), then the identity ([`super::identity::fetch`]).
//!
//! [`authorize`] never stores anything: the caller checks the identity ([`super::Expected::check`])
//! and then calls [`super::TokenStore::save`] (or [`super::finish`], which does both the way
//! the CLI does).

use super::browser;
use super::config::Config;
use super::credential::{now_secs, StoredCredential};
use super::error::AuthError;
use super::http::Http;
use super::identity::fetch::{microsoft_identity, salesforce_identity};
use super::identity::Identity;
use super::keyring::TokenStore;
use super::loopback::Loopback;
use super::Provider;
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
use std::sync::{mpsc, Arc, Condvar, Mutex};
use std::time::Duration;

/// Provider-specific fields of a token response (Salesforce's and Microsoft's).
#[derive(Clone, Default, Deserialize, Serialize)]
pub(crate) struct ExtraFields {
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

pub(super) type Tokens = StandardTokenResponse<ExtraFields, BasicTokenType>;
pub(super) type OAuthClient<A, T> = oauth2::Client<
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
    pub(super) fn wait(&self, d: Duration) -> bool {
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

pub(super) struct ProviderSetup {
    pub(super) client_id: String,
    pub(super) endpoints: super::config::Endpoints,
    redirect_uri: String,
    redirect_key: &'static str,
    pub(super) scopes: Vec<String>,
    client_key: &'static str,
}

pub(super) fn setup(config: &Config, provider: Provider) -> Result<ProviderSetup, AuthError> {
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
pub(crate) fn check_config(config: &Config, provider: Provider) -> Result<(), AuthError> {
    setup(config, provider).map(|_| ())
}

fn split_scopes(s: &str) -> Vec<String> {
    s.split_whitespace().map(str::to_string).collect()
}

pub(super) fn client(
    s: &ProviderSetup,
) -> Result<OAuthClient<EndpointSet, EndpointSet>, AuthError> {
    let bad = |e: oauth2::url::ParseError| AuthError::Config(format!("bad endpoint URL: {e}"));
    Ok(oauth2::Client::new(ClientId::new(s.client_id.clone()))
        .set_auth_type(AuthType::RequestBody)
        .set_auth_uri(AuthUrl::new(s.endpoints.authorize.clone()).map_err(bad)?)
        .set_token_uri(TokenUrl::new(s.endpoints.token.clone()).map_err(bad)?))
}

/// Runs one provider's flow to the point of knowing who signed in. Stores nothing, but first
/// proves the configured keyring can store ([`TokenStore::probe`]), before any URL or code.
/// `progress` is told the URL (or device code) to show; it may be called from this thread only.
pub fn authorize(
    config: &Config,
    provider: Provider,
    options: &FlowOptions,
    progress: &mut dyn FnMut(Progress),
) -> Result<Authorized, AuthError> {
    let s = setup(config, provider)?;
    // Before anything is shown to the user: a keyring that cannot store would otherwise
    // fail only after they signed in and consented.
    TokenStore::open(&config.flow.keyring, config.flow.keyring_timeout())?.probe()?;
    let http = Http::default();
    let tokens = match options.mode {
        FlowMode::Browser => code_flow(config, &s, &http, options, progress)?,
        FlowMode::Device => {
            super::device::device_flow(config, provider, &s, &http, options, progress)?
        }
    };
    progress(Progress::Exchanging);
    to_authorized(config, provider, &http, &tokens, None)
}

/// What [`spawn_authorize`] reports; `Finished` comes last.
#[derive(Debug)]
pub enum FlowEvent {
    Progress(Progress),
    Finished(Result<Authorized, AuthError>),
}

/// Runs [`authorize`] on its own thread and reports on a channel, for UIs that must keep
/// drawing meanwhile. Stop it with `options.cancel`; dropping the receiver is also fine.
pub fn spawn_authorize(
    config: Arc<Config>,
    provider: Provider,
    options: FlowOptions,
) -> mpsc::Receiver<FlowEvent> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let progress_tx = tx.clone();
        let result = authorize(&config, provider, &options, &mut |p| {
            let _ = progress_tx.send(FlowEvent::Progress(p));
        });
        let _ = tx.send(FlowEvent::Finished(result));
    });
    rx
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

/// An OAuth error body (`{"error": …, "error_description": …}`).
#[derive(Deserialize)]
pub(super) struct ErrorBody {
    pub(super) error: String,
    #[serde(default)]
    pub(super) error_description: Option<String>,
}

/// An error from a non-200 provider answer.
pub(super) fn provider_error(status: u16, body: &[u8]) -> AuthError {
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

pub(super) fn token_error(
    e: RequestTokenError<super::http::HttpError, BasicErrorResponse>,
) -> AuthError {
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
pub(super) fn to_authorized(
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
        admin: previous.is_some_and(|p| p.admin),
    };
    Ok(Authorized {
        identity,
        credential,
        access_token: tokens.access_token().clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cancel_wakes_a_waiting_poll() {
        let c = Cancel::new();
        let c2 = c.clone();
        let t = std::thread::spawn(move || c2.wait(Duration::from_secs(60)));
        c.cancel();
        assert!(t.join().unwrap());
    }
}

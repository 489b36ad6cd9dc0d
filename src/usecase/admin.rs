//! The administrator's sign-in for reading the two directories (`roster pull`,
//! `roster verify`, the wizard's verify key): Salesforce with scope `api`, Microsoft Graph with
//! delegated `User.Read.All` (admin consent needed). The same browser / device flows as an end
//! user's, kept in the keyring under admin entries (`admin:salesforce:LOGIN`) that
//! `credentials list` shows apart and that no end-user command selects.

use super::directory_api::{AccessTokens, ApiError, GraphApi, RetryPolicy, SalesforceApi, Service};
use crate::auth::flow::FlowOptions;
use crate::auth::{self, AuthError, Config, Progress, Provider, StoredCredential, TokenStore};

/// Entra's codes for "this permission needs an administrator's consent" (and the user may
/// not give it): AADSTS65001 consent not granted, 90094/90099 admin approval required,
/// 900941 admin consent required.
const CONSENT_CODES: [&str; 4] = ["AADSTS65001", "AADSTS90094", "AADSTS90099", "AADSTS900941"];

/// When Microsoft refused for want of an administrator's consent, a message that says so
/// and how to grant it; other errors unchanged.
pub(crate) fn explain_consent(config: &Config, e: AuthError) -> AuthError {
    let text = match &e {
        AuthError::Provider { error, description } => format!("{error} {description}"),
        AuthError::Denied(d) => d.clone(),
        _ => return e,
    };
    let code = CONSENT_CODES.iter().find(|c| text.contains(*c));
    if code.is_none() && !text.contains("consent_required") {
        return e;
    }
    let scope = config
        .microsoft
        .admin_scope
        .split_whitespace()
        .find(|s| s.contains("User.Read"))
        .unwrap_or("User.Read.All");
    AuthError::AdminConsent(format!(
        "Microsoft refused: {scope} needs an administrator's consent for this app ({}); a Global Administrator or Privileged Role Administrator grants it once in the Entra admin center (Enterprise applications → the app with client ID {} → Permissions → Grant admin consent for the organization), or signs in here and accepts \"Consent on behalf of your organization\"; nothing was stored",
        code.copied().unwrap_or("consent_required"),
        config.microsoft.client_id
    ))
}

/// Signs the administrator in to `provider` (browser or device flow per `options`) and keeps
/// the refresh token as an admin entry. Whoever signs in is the administrator: nothing to
/// compare against, but the directory itself refuses a user without the rights.
pub(crate) fn sign_in(
    config: &Config,
    store: &TokenStore,
    provider: Provider,
    options: &FlowOptions,
    progress: &mut dyn FnMut(Progress),
) -> Result<auth::Authorized, AuthError> {
    let admin = config.for_admin();
    if provider == Provider::Salesforce
        && !admin
            .salesforce
            .scope
            .split_whitespace()
            .any(|s| s == "api" || s == "full")
    {
        return Err(AuthError::Config(format!(
            "config key salesforce.scope = {:?} must include api to read users",
            admin.salesforce.scope
        )));
    }
    let mut a = auth::authorize(&admin, provider, options, progress)
        .map_err(|e| explain_consent(config, e))?;
    a.credential.admin = true;
    store.save(&a.credential)?;
    Ok(a)
}

/// How [`AdminTokens`] gets its first token when no usable admin entry is stored.
#[derive(Clone)]
pub(crate) enum WhenMissing {
    /// Fail with the error (the wizard, scripts that must not open a browser).
    Fail,
    /// Sign in with these options, reporting progress through the callback.
    SignIn(FlowOptions),
}

/// An administrator's access tokens for one provider: the stored admin entry renewed (a
/// rotated refresh token is stored again), or a new sign-in when none is stored or it died.
pub(crate) struct AdminTokens {
    config: Config,
    store: TokenStore,
    provider: Provider,
    login: Option<String>,
    when_missing: WhenMissing,
    progress: Box<dyn FnMut(Progress) + Send>,
    /// Who it is, once known (and the Salesforce instance).
    pub credential: Option<StoredCredential>,
    /// The access token in hand (memory only).
    current: Option<String>,
}

impl AdminTokens {
    pub(crate) fn new(
        config: &Config,
        store: &TokenStore,
        provider: Provider,
        login: Option<&str>,
        when_missing: WhenMissing,
        progress: Box<dyn FnMut(Progress) + Send>,
    ) -> AdminTokens {
        AdminTokens {
            config: config.clone(),
            store: store.clone(),
            provider,
            login: login.map(str::to_string),
            when_missing,
            progress,
            credential: None,
            current: None,
        }
    }

    /// Gets a token now and returns who it belongs to (for `instance_url` before any call).
    pub(crate) fn start(&mut self) -> Result<StoredCredential, AuthError> {
        self.token()?;
        self.credential
            .clone()
            .ok_or_else(|| AuthError::Identity("no administrator credential".into()))
    }

    fn fresh(&mut self) -> Result<String, AuthError> {
        let renewed = auth::lifecycle::renew_admin(
            &self.config,
            &self.store,
            self.provider,
            self.login.as_deref(),
        );
        let a = match (renewed, &self.when_missing) {
            (Ok(a), _) => a,
            (Err(AuthError::NotStored(..) | AuthError::Expired { .. }), WhenMissing::SignIn(o)) => {
                let mut options = o.clone();
                if options.login_hint.is_none() {
                    options.login_hint = self.login.clone();
                }
                sign_in(
                    &self.config,
                    &self.store,
                    self.provider,
                    &options,
                    &mut *self.progress,
                )?
            }
            (Err(e @ AuthError::NotStored(..)), WhenMissing::Fail) => {
                return Err(AuthError::Config(format!(
                    "{e}; an administrator signs in with `scc-onboard roster pull` or `scc-onboard roster verify` on the command line"
                )))
            }
            (Err(e), _) => return Err(explain_consent(&self.config, e)),
        };
        self.credential = Some(a.credential.clone());
        self.current = Some(a.access_token.secret().clone());
        Ok(a.access_token.secret().clone())
    }
}

impl AccessTokens for AdminTokens {
    fn token(&mut self) -> Result<String, AuthError> {
        match &self.current {
            Some(t) => Ok(t.clone()),
            None => self.fresh(),
        }
    }
    fn refresh(&mut self) -> Result<String, AuthError> {
        self.fresh()
    }
}

/// Both directories' APIs with the administrator's tokens, and who signed in.
pub(crate) struct AdminApis {
    pub salesforce: SalesforceApi,
    pub graph: GraphApi,
    /// The Salesforce administrator's username.
    pub salesforce_admin: String,
    /// The Microsoft administrator's UPN.
    pub microsoft_admin: String,
    /// The Salesforce org's `instance_url`.
    pub salesforce_instance: String,
}

/// Gets both administrators' tokens (renewing stored admin entries, or signing in per
/// `when_missing`, Salesforce first) and opens both APIs. `progress` makes each provider's
/// sign-in progress reporter.
pub(crate) fn connect(
    config: &Config,
    store: &TokenStore,
    logins: (Option<&str>, Option<&str>),
    when_missing: &WhenMissing,
    progress: &dyn Fn(Provider) -> Box<dyn FnMut(Progress) + Send>,
    retry: RetryPolicy,
) -> Result<AdminApis, ApiError> {
    let mut sf = AdminTokens::new(
        config,
        store,
        Provider::Salesforce,
        logins.0,
        when_missing.clone(),
        progress(Provider::Salesforce),
    );
    let sf_who = sf
        .start()
        .map_err(|e| ApiError::Auth(Service::Salesforce, e))?;
    let mut ms = AdminTokens::new(
        config,
        store,
        Provider::Exchange,
        logins.1,
        when_missing.clone(),
        progress(Provider::Exchange),
    );
    let ms_who = ms
        .start()
        .map_err(|e| ApiError::Auth(Service::Microsoft, e))?;
    if sf_who.instance_url.is_empty() {
        return Err(ApiError::Unexpected(
            Service::Salesforce,
            "the stored administrator sign-in has no instance_url; sign in again".into(),
        ));
    }
    Ok(AdminApis {
        salesforce: SalesforceApi::new(
            &sf_who.instance_url,
            &config.salesforce.api_version,
            Box::new(sf),
        ),
        graph: GraphApi::new(&config.microsoft.graph_url, Box::new(ms), retry),
        salesforce_instance: sf_who.instance_url.clone(),
        salesforce_admin: sf_who.login,
        microsoft_admin: ms_who.login,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn consent_refusals_say_who_grants_it() {
        let c = Config::default();
        let e = explain_consent(
            &c,
            AuthError::Provider {
                error: "invalid_grant".into(),
                description: "AADSTS65001: The user or administrator has not consented to use the application".into(),
            },
        );
        let text = e.to_string();
        assert!(
            text.contains("User.Read.All needs an administrator's consent"),
            "{text}"
        );
        assert!(text.contains("AADSTS65001"), "{text}");
        assert!(text.contains("Grant admin consent"), "{text}");
        let e = explain_consent(
            &c,
            AuthError::Denied("AADSTS90094: admin approval required".into()),
        );
        assert!(e.to_string().contains("AADSTS90094"));
        // Anything else is left alone.
        let e = explain_consent(
            &c,
            AuthError::Denied("end-user denied authorization".into()),
        );
        assert!(matches!(e, AuthError::Denied(_)));
    }
}

//! Finding out who signed in: Salesforce's identity URL, Microsoft's id_token.

use super::{salesforce_id18, Identity};
use crate::auth::config::Config;
use crate::auth::error::AuthError;
use crate::auth::flow::Tokens;
use crate::auth::http::Http;
use crate::auth::Provider;
use base64::Engine;
use oauth2::TokenResponse;
use serde::Deserialize;

#[derive(Deserialize)]
struct SalesforceIdentity {
    username: String,
    user_id: String,
    organization_id: String,
}

/// Reads Salesforce's identity URL (`…/id/ORG_ID/USER_ID`) with the new access token.
pub(in crate::auth) fn salesforce_identity(
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
pub(crate) fn microsoft_identity(client_id: &str, id_token: &str) -> Result<Identity, AuthError> {
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
}

//! Why an authorization did not complete. Messages say what happened and what to do; none
//! of them ever carries a token, code or verifier.

use super::keyring::StoreError;

/// Why a flow, renewal or revocation failed.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("{0}")]
    Config(String),
    #[error("port {port} on localhost is already in use, so the browser cannot return to scc-onboard; close the program using it or register another port and set config key {key}")]
    PortInUse { port: u16, key: &'static str },
    #[error("cannot listen on {addr}: {reason}")]
    Listen { addr: String, reason: String },
    #[error("authorization was denied in the browser{}; nothing was stored", detail(&clean(.0)))]
    Denied(String),
    #[error("the browser came back with {0}; the response was ignored and nothing was stored — start again")]
    BadState(&'static str),
    #[error("no answer from the browser within {0} seconds; nothing was stored — start again (or use --device)")]
    Timeout(u64),
    #[error("the device code was not used within {0} seconds; nothing was stored — start again")]
    DeviceTimeout(u64),
    #[error("cancelled; nothing was stored")]
    Cancelled,
    #[error("the provider refused: {}{}", clean(.error), detail(&clean(.description)))]
    Provider { error: String, description: String },
    #[error("{0}")]
    Network(String),
    #[error("cannot tell who signed in: {0}")]
    Identity(String),
    /// The refresh token is dead (`invalid_grant`: expired, revoked, password changed):
    /// only a new sign-in helps.
    #[error("the stored {provider} authorization no longer works: it expired or was revoked{}; sign in again", detail(&clean(.reason)))]
    Expired {
        provider: &'static str,
        reason: String,
    },
    #[error("no stored {0} authorization{1}; run `scc-onboard authorize {0}` first")]
    NotStored(&'static str, String),
    #[error("{0}")]
    Ambiguous(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Microsoft wants an administrator's consent for the scope (AADSTS65001 and kin); the
    /// message says who grants it and where.
    #[error("{0}")]
    AdminConsent(String),
}

fn detail(s: &str) -> String {
    if s.is_empty() {
        String::new()
    } else {
        format!(" ({s})")
    }
}

/// Provider-supplied text reaches the terminal: no control characters, bounded length.
fn clean(s: &str) -> String {
    let mut out: String = s
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(300)
        .collect();
    if s.chars().count() > 300 {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn provider_text_cannot_drive_the_terminal() {
        let e = AuthError::Provider {
            error: "bad\x1b]52;c;AAAA\x07".into(),
            description: "x".repeat(400),
        };
        let text = e.to_string();
        assert!(!text.chars().any(|c| c.is_control()), "{text:?}");
        assert!(text.len() < 700);
    }
}

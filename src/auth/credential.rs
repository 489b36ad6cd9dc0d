//! What is kept in the keyring for one provider and account: the refresh token, who it
//! belongs to and when it was issued. Access tokens never leave memory.

use super::Provider;
use oauth2::RefreshToken;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::fmt;

/// How the OS keyring measures a secret against its size limit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum SecretLimit {
    /// Windows Credential Manager keeps a password as UTF-16: at most this many bytes of it
    /// (2560, so about 1280 ASCII characters).
    Utf16Bytes(usize),
    /// The other keyrings take far more; this many UTF-8 bytes is the cap kept there.
    Utf8Bytes(usize),
}

impl SecretLimit {
    /// Credential Manager's limit (`CRED_MAX_CREDENTIAL_BLOB_SIZE`).
    pub(super) const WINDOWS: SecretLimit = SecretLimit::Utf16Bytes(2560);
    /// Secret Service, keyutils, macOS Keychain.
    pub(super) const OTHERS: SecretLimit = SecretLimit::Utf8Bytes(2048);
    /// The limit of the platform this program was built for.
    pub(super) const NATIVE: SecretLimit = if cfg!(windows) {
        SecretLimit::WINDOWS
    } else {
        SecretLimit::OTHERS
    };

    /// `Err` (size, limit, unit) when `text` does not fit.
    pub(super) fn check(self, text: &str) -> Result<(), (usize, usize, &'static str)> {
        let (size, max, unit) = match self {
            SecretLimit::Utf16Bytes(max) => {
                (text.encode_utf16().count() * 2, max, "bytes of UTF-16")
            }
            SecretLimit::Utf8Bytes(max) => (text.len(), max, "bytes"),
        };
        if size > max {
            Err((size, max, unit))
        } else {
            Ok(())
        }
    }
}

/// One stored authorization. `Debug` never shows the refresh token.
#[derive(Clone)]
pub struct StoredCredential {
    pub provider: Provider,
    /// Salesforce username or Microsoft `preferred_username`.
    pub login: String,
    /// Salesforce user ID (18 characters) or Microsoft `oid`.
    pub user_id: String,
    /// Salesforce org ID or Microsoft tenant ID (`tid`).
    pub org_id: String,
    /// Salesforce `instance_url` (empty for Microsoft).
    pub instance_url: String,
    /// Seconds since the Unix epoch when the refresh token was issued (or last rotated).
    pub issued_at: u64,
    pub refresh_token: RefreshToken,
    /// An administrator's sign-in for reading the directories (`roster pull` / `verify`:
    /// Salesforce `api`, Graph `User.Read.All`), kept apart from the end-user entries.
    pub admin: bool,
}

#[derive(Serialize, Deserialize)]
struct Wire {
    v: u8,
    p: String,
    login: String,
    uid: String,
    org: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    inst: String,
    iat: u64,
    rt: String,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    adm: bool,
}

impl StoredCredential {
    /// Keyring account name: one entry per provider and account.
    pub fn account(&self) -> String {
        if self.admin {
            admin_account_name(self.provider, &self.login)
        } else {
            account_name(self.provider, &self.login)
        }
    }

    /// Compact JSON kept as the keyring secret.
    pub fn to_secret(&self) -> Result<String, String> {
        let wire = Wire {
            v: 1,
            p: self.provider.key().into(),
            login: self.login.clone(),
            uid: self.user_id.clone(),
            org: self.org_id.clone(),
            inst: self.instance_url.clone(),
            iat: self.issued_at,
            rt: self.refresh_token.secret().clone(),
            adm: self.admin,
        };
        let text = serde_json::to_string(&wire).map_err(|e| e.to_string())?;
        if let Err((size, max, unit)) = SecretLimit::NATIVE.check(&text) {
            return Err(format!(
                "the {} credential is {size} {unit}, above the OS keyring's limit of {max}; nothing was stored",
                self.provider
            ));
        }
        Ok(text)
    }

    /// Reads a keyring secret back; `None` if it is not ours.
    pub fn from_secret(text: &str) -> Option<StoredCredential> {
        let wire: Wire = serde_json::from_str(text).ok()?;
        if wire.v != 1 {
            return None;
        }
        Some(StoredCredential {
            provider: super::Provider::parse(&wire.p)?,
            login: wire.login,
            user_id: wire.uid,
            org_id: wire.org,
            instance_url: wire.inst,
            issued_at: wire.iat,
            refresh_token: RefreshToken::new(wire.rt),
            admin: wire.adm,
        })
    }

    /// A short, one-way fingerprint of the refresh token, for listings.
    pub fn fingerprint(&self) -> String {
        let digest = Sha256::digest(self.refresh_token.secret().as_bytes());
        digest[..4].iter().map(|b| format!("{b:02x}")).collect()
    }
}

/// `provider:login` (login lower-cased, since logins compare case-insensitively).
pub(super) fn account_name(provider: Provider, login: &str) -> String {
    format!("{}:{}", provider.key(), login.to_lowercase())
}

impl fmt::Debug for StoredCredential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StoredCredential")
            .field("provider", &self.provider)
            .field("login", &self.login)
            .field("user_id", &self.user_id)
            .field("org_id", &self.org_id)
            .field("instance_url", &self.instance_url)
            .field("issued_at", &self.issued_at)
            .field("refresh_token", &"[redacted]")
            .field("admin", &self.admin)
            .finish()
    }
}

/// `admin:provider:login`: an administrator's entry, never selected for an end user.
pub(super) fn admin_account_name(provider: Provider, login: &str) -> String {
    format!("admin:{}", account_name(provider, login))
}

/// Seconds since the Unix epoch.
pub(super) fn now_secs() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(rt: &str) -> StoredCredential {
        StoredCredential {
            provider: Provider::Salesforce,
            login: "Jane@Example.com".into(),
            user_id: "005000000000001AAA".into(),
            org_id: "00D000000000001EAA".into(),
            instance_url: "https://example.my.salesforce.com".into(),
            issued_at: 1_700_000_000,
            refresh_token: RefreshToken::new(rt.into()),
            admin: false,
        }
    }

    #[test]
    fn round_trip_and_debug_hides_token() {
        let c = sample("5Aep861secret");
        let back = StoredCredential::from_secret(&c.to_secret().unwrap()).unwrap();
        assert_eq!(back.refresh_token.secret(), "5Aep861secret");
        assert_eq!(back.account(), "salesforce:jane@example.com");
        assert!(!format!("{back:?}").contains("5Aep861secret"));
        assert_eq!(back.fingerprint().len(), 8);
        assert!(!back.admin);
        let admin = StoredCredential { admin: true, ..c };
        let back = StoredCredential::from_secret(&admin.to_secret().unwrap()).unwrap();
        assert!(back.admin);
        assert_eq!(back.account(), "admin:salesforce:jane@example.com");
    }

    #[test]
    fn oversized_secret_is_refused() {
        let c = sample(&"x".repeat(3000));
        assert!(c.to_secret().unwrap_err().contains("limit of"));
    }

    #[test]
    fn the_windows_limit_counts_utf16_bytes() {
        let w = SecretLimit::WINDOWS;
        // 1280 ASCII characters are 2560 bytes of UTF-16: the most that fits.
        assert!(w.check(&"a".repeat(1280)).is_ok());
        assert_eq!(
            w.check(&"a".repeat(1281)),
            Err((2562, 2560, "bytes of UTF-16"))
        );
        // 2000 UTF-8 bytes pass a byte count against 2048 but not Credential Manager.
        let token = "a".repeat(2000);
        assert!(SecretLimit::OTHERS.check(&token).is_ok());
        assert!(w.check(&token).is_err());
        // A character outside the BMP is two UTF-16 units, four bytes either way.
        assert_eq!(
            w.check(&"😀".repeat(641)),
            Err((2564, 2560, "bytes of UTF-16"))
        );
        assert_eq!(SecretLimit::OTHERS.check("é"), Ok(()));
    }
}

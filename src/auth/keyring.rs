//! Tokens in the OS keyring, nowhere else.
//!
//! Service `scc-onboard`, one entry per provider and account (`salesforce:jane@example.com`),
//! plus an `index` entry listing those accounts (keyutils cannot be searched). On Linux the
//! Secret Service is used, falling back to the kernel keyutils store with a notice; there is
//! no plaintext fallback. Every keyring call runs under a timeout, because a Secret Service
//! that waits on an unlock prompt nobody can see would otherwise hang forever.

use super::credential::{account_name, StoredCredential};
use super::Provider;
use keyring_core::{CredentialStore, Entry, Error as KError};
use std::collections::BTreeSet;
use std::sync::{mpsc, Arc};
use std::time::Duration;

/// Keyring service name for every entry.
pub(super) const SERVICE: &str = "scc-onboard";
const INDEX: &str = "index";
/// The value [`TokenStore::probe`] stores and expects back.
const PROBE: &str = "scc-onboard keyring probe";
/// Account prefix of the Exchange app's client secret (app-only access).
pub(super) const APP_SECRET: &str = "exchange-app-secret";
/// Account prefix of the impersonating account's password (impersonation).
pub(super) const IMPERSONATION_PASSWORD: &str = "exchange-impersonation-password";

/// Which Exchange check secret a keyring entry holds; the key, never the value.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum ExchangeSecret {
    /// The app's client secret, for app_only (key: the app's client ID).
    App(String),
    /// The impersonating account's password, for impersonation (key: its UPN).
    Account(String),
}

impl ExchangeSecret {
    /// The keyring account name: `exchange-app-secret:{id}` or
    /// `exchange-impersonation-password:{upn}`.
    pub fn entry(&self) -> String {
        match self {
            ExchangeSecret::App(id) => format!("{APP_SECRET}:{id}"),
            ExchangeSecret::Account(upn) => format!("{IMPERSONATION_PASSWORD}:{upn}"),
        }
    }

    /// The entry name read back into which secret it is; `None` for any other entry.
    pub fn from_entry(entry: &str) -> Option<ExchangeSecret> {
        let (prefix, key) = entry.split_once(':')?;
        match prefix {
            APP_SECRET => Some(ExchangeSecret::App(key.into())),
            IMPERSONATION_PASSWORD => Some(ExchangeSecret::Account(key.into())),
            _ => None,
        }
    }

    /// Human wording: "the client secret of app {id}" / "the password of {upn}".
    pub fn describe(&self) -> String {
        match self {
            ExchangeSecret::App(id) => format!("the client secret of app {id}"),
            ExchangeSecret::Account(upn) => format!("the password of {upn}"),
        }
    }
}

/// A keyring failure; the message says how to get a working keyring.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("no usable OS keyring: {0}. On Linux start a Secret Service (e.g. gnome-keyring-daemon, KeePassXC) in a D-Bus session, or make sure the kernel keyutils store is available (`keyctl show @s`); scc-onboard never stores tokens in a file")]
    Unavailable(String),
    #[error("the OS keyring did not answer within {0} seconds ({1}); unlock the keyring or set config key flow.keyring_timeout_seconds")]
    Timeout(u64, &'static str),
    #[error("the OS keyring failed to {0}: {1}")]
    Failed(&'static str, String),
    #[error("{0}")]
    TooLarge(String),
}

#[derive(Clone)]
enum Backend {
    Keyring(Arc<CredentialStore>),
    /// For fast unit tests only; never chosen at run time.
    #[cfg(any(test, feature = "testing"))]
    Memory(Arc<std::sync::Mutex<std::collections::HashMap<String, String>>>),
}

/// The place authorizations are kept.
#[derive(Clone)]
pub struct TokenStore {
    backend: Backend,
    name: &'static str,
    timeout: Duration,
    notice: Option<String>,
}

impl std::fmt::Debug for TokenStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenStore")
            .field("backend", &self.name)
            .finish()
    }
}

const KEYUTILS_NOTICE: &str = "No Secret Service is running, so tokens are kept in the kernel keyutils store: they do not survive a reboot (authorize again after one). Start a Secret Service such as gnome-keyring to keep them.";

impl TokenStore {
    /// Opens the keyring chosen by `choice` ("auto", "secret-service", "keyutils").
    pub fn open(choice: &str, timeout: Duration) -> Result<TokenStore, StoreError> {
        match choice {
            "secret-service" => open_platform(timeout),
            "keyutils" => open_keyutils(timeout, None),
            _ => match open_platform(timeout) {
                Ok(s) => Ok(s),
                Err(platform_err) if cfg!(target_os = "linux") => {
                    open_keyutils(timeout, Some(KEYUTILS_NOTICE.to_string())).map_err(|e| {
                        StoreError::Unavailable(format!("{platform_err}; keyutils: {e}"))
                    })
                }
                Err(e) => Err(e),
            },
        }
    }

    /// A process-local store for unit tests of the shells. Not persistent, not a keyring.
    #[cfg(any(test, feature = "testing"))]
    pub fn in_memory() -> TokenStore {
        TokenStore {
            backend: Backend::Memory(Arc::default()),
            name: "in-memory (tests only)",
            timeout: Duration::from_secs(1),
            notice: None,
        }
    }

    /// Which keyring is in use, for humans.
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// A notice to show once (e.g. the keyutils fallback does not survive a reboot).
    pub fn notice(&self) -> Option<&str> {
        self.notice.as_deref()
    }

    /// Stores (or replaces) the entry for the credential's provider and account.
    pub fn save(&self, cred: &StoredCredential) -> Result<(), StoreError> {
        let secret = cred.to_secret().map_err(StoreError::TooLarge)?;
        let account = cred.account();
        self.set(&account, secret)?;
        let mut index = self.index()?;
        if index.insert(account) {
            self.write_index(&index)?;
        }
        Ok(())
    }

    /// The entry for `provider` and `login`, if any.
    pub fn load(
        &self,
        provider: Provider,
        login: &str,
    ) -> Result<Option<StoredCredential>, StoreError> {
        Ok(self
            .get(&account_name(provider, login))?
            .and_then(|s| StoredCredential::from_secret(&s)))
    }

    /// Removes the entry; `Ok(false)` if there was none.
    pub fn delete(&self, provider: Provider, login: &str) -> Result<bool, StoreError> {
        let account = account_name(provider, login);
        let existed = self.remove(&account)?;
        let mut index = self.index()?;
        if index.remove(&account) {
            self.write_index(&index)?;
        }
        Ok(existed)
    }

    /// Every stored authorization (entries listed in the index that still exist).
    pub fn list(&self) -> Result<Vec<StoredCredential>, StoreError> {
        let mut out = Vec::new();
        for account in self.index()? {
            if ExchangeSecret::from_entry(&account).is_some() {
                continue;
            }
            if let Some(c) = self
                .get(&account)?
                .and_then(|s| StoredCredential::from_secret(&s))
            {
                out.push(c);
            }
        }
        Ok(out)
    }

    /// End users' stored authorizations for one provider (administrators' entries apart).
    pub fn list_provider(&self, provider: Provider) -> Result<Vec<StoredCredential>, StoreError> {
        Ok(self
            .list()?
            .into_iter()
            .filter(|c| c.provider == provider && !c.admin)
            .collect())
    }

    /// The administrators' sign-ins for one provider (`roster pull` / `roster verify`).
    pub fn list_admin(&self, provider: Provider) -> Result<Vec<StoredCredential>, StoreError> {
        Ok(self
            .list()?
            .into_iter()
            .filter(|c| c.provider == provider && c.admin)
            .collect())
    }

    /// Removes an administrator's entry; `Ok(false)` if there was none.
    pub fn delete_admin(&self, provider: Provider, login: &str) -> Result<bool, StoreError> {
        let account = super::credential::admin_account_name(provider, login);
        let existed = self.remove(&account)?;
        let mut index = self.index()?;
        if index.remove(&account) {
            self.write_index(&index)?;
        }
        Ok(existed)
    }

    /// Proves the keyring can keep a credential: writes, reads back and deletes a test entry,
    /// all three within one keyring timeout. A sign-in runs this before the browser opens
    /// (or the device code is shown), so a keyring that can read but not store (a locked
    /// collection, a session keyring without write permission) fails before the user signs
    /// in and consents, not after.
    pub fn probe(&self) -> Result<(), StoreError> {
        // Never an account name (those are `provider:login`); unique per call so two flows
        // running at once do not delete each other's entry.
        static N: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let account = format!(
            "probe-{}-{}",
            std::process::id(),
            N.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
        );
        let refused = |e: StoreError| match e {
            StoreError::Failed(_, why) => {
                StoreError::Unavailable(format!("{} cannot store an entry ({why})", self.name))
            }
            other => other,
        };
        let read_back = match &self.backend {
            #[cfg(any(test, feature = "testing"))]
            Backend::Memory(_) => {
                self.set(&account, PROBE.into())?;
                let back = self.get(&account)?;
                self.remove(&account)?;
                back
            }
            Backend::Keyring(store) => {
                let store = store.clone();
                self.timed("store a test entry", move || {
                    let entry = Entry::new_in_store(&store, SERVICE, &account)?;
                    entry.set_password(PROBE)?;
                    let back = entry.get_password();
                    let gone = entry.delete_credential();
                    let back = back?;
                    gone?;
                    Ok(Some(back))
                })
                .map_err(refused)?
            }
        };
        if read_back.as_deref() != Some(PROBE) {
            return Err(StoreError::Unavailable(format!(
                "{} did not give back a test entry it had just stored",
                self.name
            )));
        }
        Ok(())
    }

    /// Stores (or replaces) an Exchange check secret and lists it in the index, so
    /// `credentials list` can say it exists. The only writer of these entries: the CLI and
    /// the wizard both call it, and the value goes nowhere else.
    pub fn save_exchange_secret(
        &self,
        which: &ExchangeSecret,
        secret: String,
    ) -> Result<(), StoreError> {
        if secret.trim().is_empty() {
            return Err(StoreError::Failed("store", "the secret is empty".into()));
        }
        let account = which.entry();
        self.set(&account, secret)?;
        let mut index = self.index()?;
        if index.insert(account) {
            self.write_index(&index)?;
        }
        Ok(())
    }

    /// Removes an Exchange check secret; `Ok(false)` if there was none.
    pub fn delete_exchange_secret(&self, which: &ExchangeSecret) -> Result<bool, StoreError> {
        let account = which.entry();
        let existed = self.remove(&account)?;
        let mut index = self.index()?;
        if index.remove(&account) {
            self.write_index(&index)?;
        }
        Ok(existed)
    }

    /// The Exchange check secrets the index lists and the keyring still holds (names only).
    pub fn exchange_secrets(&self) -> Result<Vec<ExchangeSecret>, StoreError> {
        let mut out = Vec::new();
        for account in self.index()? {
            if let Some(which) = ExchangeSecret::from_entry(&account) {
                if self.get(&account)?.is_some() {
                    out.push(which);
                }
            }
        }
        Ok(out)
    }

    /// The Exchange app's client secret kept for `client_id`
    /// (entry `exchange-app-secret:{client_id}`), if any.
    pub fn app_secret(&self, client_id: &str) -> Result<Option<oauth2::ClientSecret>, StoreError> {
        Ok(self
            .get(&ExchangeSecret::App(client_id.into()).entry())?
            .map(oauth2::ClientSecret::new))
    }

    /// The impersonating account's password kept for `account` (entry
    /// `exchange-impersonation-password:{account}`), if any; read by `exchange check`.
    pub fn impersonation_password_for_check(
        &self,
        account: &str,
    ) -> Result<Option<String>, StoreError> {
        self.get(&ExchangeSecret::Account(account.into()).entry())
    }

    fn index(&self) -> Result<BTreeSet<String>, StoreError> {
        Ok(self
            .get(INDEX)?
            .map(|s| {
                s.lines()
                    .filter(|l| !l.is_empty())
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default())
    }

    fn write_index(&self, index: &BTreeSet<String>) -> Result<(), StoreError> {
        if index.is_empty() {
            self.remove(INDEX).map(|_| ())
        } else {
            self.set(INDEX, index.iter().cloned().collect::<Vec<_>>().join("\n"))
        }
    }

    fn get(&self, account: &str) -> Result<Option<String>, StoreError> {
        match &self.backend {
            #[cfg(any(test, feature = "testing"))]
            Backend::Memory(m) => Ok(m.lock().expect("memory store").get(account).cloned()),
            Backend::Keyring(store) => {
                let store = store.clone();
                let account = account.to_string();
                self.timed("read", move || {
                    match Entry::new_in_store(&store, SERVICE, &account)?.get_password() {
                        Ok(s) => Ok(Some(s)),
                        Err(KError::NoEntry) => Ok(None),
                        Err(e) => Err(e),
                    }
                })
            }
        }
    }

    fn set(&self, account: &str, secret: String) -> Result<(), StoreError> {
        match &self.backend {
            #[cfg(any(test, feature = "testing"))]
            Backend::Memory(m) => {
                m.lock()
                    .expect("memory store")
                    .insert(account.into(), secret);
                Ok(())
            }
            Backend::Keyring(store) => {
                let store = store.clone();
                let account = account.to_string();
                self.timed("write", move || {
                    Entry::new_in_store(&store, SERVICE, &account)?.set_password(&secret)
                })
            }
        }
    }

    fn remove(&self, account: &str) -> Result<bool, StoreError> {
        match &self.backend {
            #[cfg(any(test, feature = "testing"))]
            Backend::Memory(m) => Ok(m.lock().expect("memory store").remove(account).is_some()),
            Backend::Keyring(store) => {
                let store = store.clone();
                let account = account.to_string();
                self.timed("delete", move || {
                    match Entry::new_in_store(&store, SERVICE, &account)?.delete_credential() {
                        Ok(()) => Ok(true),
                        Err(KError::NoEntry) => Ok(false),
                        Err(e) => Err(e),
                    }
                })
            }
        }
    }

    fn timed<T: Send + 'static>(
        &self,
        what: &'static str,
        f: impl FnOnce() -> keyring_core::Result<T> + Send + 'static,
    ) -> Result<T, StoreError> {
        run_timed(self.timeout, what, f)?.map_err(|e| StoreError::Failed(what, describe(&e)))
    }
}

/// Runs `f` on a helper thread; a keyring that hangs is abandoned after `timeout`.
fn run_timed<T: Send + 'static>(
    timeout: Duration,
    what: &'static str,
    f: impl FnOnce() -> T + Send + 'static,
) -> Result<T, StoreError> {
    let (tx, rx) = mpsc::channel();
    std::thread::Builder::new()
        .name(format!("keyring-{what}"))
        .spawn(move || {
            let _ = tx.send(f());
        })
        .map_err(|e| StoreError::Failed(what, e.to_string()))?;
    rx.recv_timeout(timeout)
        .map_err(|_| StoreError::Timeout(timeout.as_secs(), what))
}

fn describe(e: &KError) -> String {
    // keyring errors name the store and the failure, never the secret.
    e.to_string()
}

/// The platform's native store (the Secret Service on Linux), proven usable by a read.
fn open_platform(timeout: Duration) -> Result<TokenStore, StoreError> {
    let store = run_timed(timeout, "open", || {
        ::keyring::Entry::store_status()
            .as_ref()
            .map_err(describe)
            .map(|_| keyring_core::get_default_store())
    })?
    .map_err(StoreError::Unavailable)?
    .ok_or_else(|| StoreError::Unavailable("the platform keyring did not initialise".into()))?;
    let name = if cfg!(target_os = "linux") {
        "Secret Service"
    } else if cfg!(target_os = "macos") {
        "macOS Keychain"
    } else if cfg!(windows) {
        "Windows Credential Manager"
    } else {
        "Secret Service"
    };
    let s = TokenStore {
        backend: Backend::Keyring(store),
        name,
        timeout,
        notice: None,
    };
    s.get(INDEX)
        .map_err(|e| StoreError::Unavailable(format!("{name}: {e}")))?;
    Ok(s)
}

#[cfg(target_os = "linux")]
fn open_keyutils(timeout: Duration, notice: Option<String>) -> Result<TokenStore, StoreError> {
    let store: Arc<CredentialStore> = linux_keyutils_keyring_store::Store::new()
        .map_err(|e| StoreError::Unavailable(format!("kernel keyutils: {}", describe(&e))))?;
    let s = TokenStore {
        backend: Backend::Keyring(store),
        name: "kernel keyutils (until reboot)",
        timeout,
        notice,
    };
    s.get(INDEX)
        .map_err(|e| StoreError::Unavailable(format!("kernel keyutils: {e}")))?;
    Ok(s)
}

#[cfg(not(target_os = "linux"))]
fn open_keyutils(_timeout: Duration, _notice: Option<String>) -> Result<TokenStore, StoreError> {
    Err(StoreError::Unavailable(
        "the keyutils store exists only on Linux (config key flow.keyring)".into(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use oauth2::RefreshToken;

    fn cred(p: Provider, login: &str, rt: &str) -> StoredCredential {
        StoredCredential {
            provider: p,
            login: login.into(),
            user_id: "u".into(),
            org_id: "o".into(),
            instance_url: String::new(),
            issued_at: 1,
            refresh_token: RefreshToken::new(rt.into()),
            admin: false,
        }
    }

    #[test]
    fn admin_entries_stay_apart_from_end_users() {
        let s = TokenStore::in_memory();
        s.save(&cred(Provider::Salesforce, "a@x.com", "user"))
            .unwrap();
        let admin = StoredCredential {
            admin: true,
            ..cred(Provider::Salesforce, "a@x.com", "admin")
        };
        s.save(&admin).unwrap();
        assert_eq!(s.list().unwrap().len(), 2);
        let users = s.list_provider(Provider::Salesforce).unwrap();
        assert_eq!(users.len(), 1);
        assert_eq!(users[0].refresh_token.secret(), "user");
        let admins = s.list_admin(Provider::Salesforce).unwrap();
        assert_eq!(admins.len(), 1);
        assert_eq!(admins[0].refresh_token.secret(), "admin");
        assert!(s.delete_admin(Provider::Salesforce, "A@X.com").unwrap());
        assert!(s.list_admin(Provider::Salesforce).unwrap().is_empty());
        assert_eq!(s.list_provider(Provider::Salesforce).unwrap().len(), 1);
    }

    #[test]
    fn memory_store_lists_replaces_and_deletes() {
        let s = TokenStore::in_memory();
        s.save(&cred(Provider::Salesforce, "A@x.com", "r1"))
            .unwrap();
        s.save(&cred(Provider::Exchange, "a@x.com", "r2")).unwrap();
        s.save(&cred(Provider::Salesforce, "a@x.com", "r3"))
            .unwrap();
        let all = s.list().unwrap();
        assert_eq!(all.len(), 2);
        let sf = s.load(Provider::Salesforce, "A@X.COM").unwrap().unwrap();
        assert_eq!(sf.refresh_token.secret(), "r3");
        assert!(s.delete(Provider::Salesforce, "a@x.com").unwrap());
        assert!(!s.delete(Provider::Salesforce, "a@x.com").unwrap());
        assert_eq!(s.list().unwrap().len(), 1);
    }

    #[test]
    fn exchange_secrets_are_listed_by_name_and_kept_apart_from_tokens() {
        let s = TokenStore::in_memory();
        s.save(&cred(Provider::Salesforce, "a@x.com", "rt"))
            .unwrap();
        let app = ExchangeSecret::App("cid".into());
        let acct = ExchangeSecret::Account("svc@x.com".into());
        s.save_exchange_secret(&app, "app-value".into()).unwrap();
        s.save_exchange_secret(&acct, "pw-value".into()).unwrap();
        assert!(s.save_exchange_secret(&app, "  ".into()).is_err());
        assert_eq!(s.list().unwrap().len(), 1, "secrets are not authorizations");
        assert_eq!(
            s.exchange_secrets().unwrap(),
            vec![app.clone(), acct.clone()]
        );
        assert_eq!(s.app_secret("cid").unwrap().unwrap().secret(), "app-value");
        assert_eq!(
            s.impersonation_password_for_check("svc@x.com")
                .unwrap()
                .as_deref(),
            Some("pw-value")
        );
        assert!(s.delete_exchange_secret(&app).unwrap());
        assert!(!s.delete_exchange_secret(&app).unwrap());
        assert_eq!(s.exchange_secrets().unwrap(), vec![acct]);
        assert!(s.app_secret("cid").unwrap().is_none());
    }

    #[test]
    fn probe_leaves_nothing_behind() {
        let s = TokenStore::in_memory();
        s.probe().unwrap();
        s.probe().unwrap();
        let Backend::Memory(m) = &s.backend else {
            unreachable!()
        };
        assert!(m.lock().unwrap().is_empty());
        assert!(s.list().unwrap().is_empty());
    }

    #[test]
    fn timeout_abandons_a_hanging_call() {
        let (_tx, rx) = mpsc::channel::<()>();
        let err = run_timed(Duration::from_millis(50), "read", move || rx.recv()).unwrap_err();
        assert!(matches!(err, StoreError::Timeout(0, "read")), "{err}");
    }
}

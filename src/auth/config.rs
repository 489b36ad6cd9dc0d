//! Provider configuration: built-in defaults (`assets/providers.toml`) overlaid by a config file.
//!
//! Endpoints are derived from one base per provider, the way each provider lays them out, so
//! pointing the base elsewhere (a test server, a private cloud) is all it takes.

use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The built-in defaults, compiled in.
pub const DEFAULTS_TOML: &str = include_str!("../../assets/providers.toml");

/// Environment variable naming a config file (same as `--config`).
pub const CONFIG_ENV: &str = "SCC_ONBOARD_CONFIG";

/// Everything the OAuth flows need.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub salesforce: SalesforceConfig,
    pub microsoft: MicrosoftConfig,
    pub flow: FlowConfig,
    /// `[expect]`: who this config's user is (an invitation's config); `authorize` checks
    /// the signed-in identity against it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expect: Option<super::identity::Expected>,
    /// `[plan]`: the organization's Exchange access plan, written by the admin's export so
    /// the end user's files say which plan they belong to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plan: Option<PlanConfig>,
}

/// `[plan]`: the values of the admin's `mailbox_access`, `exchange_deployment` and
/// `exchange_api` choices (see docs/customize.md).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanConfig {
    pub mailbox_access: String,
    pub exchange_deployment: String,
    pub exchange_api: String,
}

/// `[salesforce]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SalesforceConfig {
    pub login_url: String,
    pub client_id: String,
    pub redirect_uri: String,
    pub scope: String,
    /// REST API version `roster pull` / `roster verify` call (`v68.0`). Left out of a written
    /// config while it is the default.
    #[serde(
        default = "default_api_version",
        skip_serializing_if = "is_default_api_version"
    )]
    pub api_version: String,
}

/// The Salesforce REST API version used unless `salesforce.api_version` says otherwise.
pub const DEFAULT_API_VERSION: &str = "v68.0";

fn default_api_version() -> String {
    DEFAULT_API_VERSION.to_string()
}

fn is_default_api_version(v: &String) -> bool {
    v == DEFAULT_API_VERSION
}

/// The scopes of an administrator's Microsoft sign-in (`roster pull` / `roster verify`).
pub const DEFAULT_ADMIN_SCOPE: &str =
    "https://graph.microsoft.com/User.Read.All openid profile offline_access";

fn default_admin_scope() -> String {
    DEFAULT_ADMIN_SCOPE.to_string()
}

fn is_default_admin_scope(v: &String) -> bool {
    v == DEFAULT_ADMIN_SCOPE
}

/// `[microsoft]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MicrosoftConfig {
    pub authority: String,
    pub tenant: String,
    pub client_id: String,
    pub redirect_uri: String,
    pub scope: String,
    /// Microsoft Graph's base (`exchange check` calls `{graph_url}/v1.0/...`). Left out of a
    /// written config while it is the default, so end users' files do not change.
    #[serde(
        default = "default_graph_url",
        skip_serializing_if = "is_default_graph_url"
    )]
    pub graph_url: String,
    /// The administrator's sign-in for reading users (`roster pull` / `roster verify`):
    /// delegated Graph `User.Read.All`, which needs admin consent. Left out of a written
    /// config while it is the default.
    #[serde(
        default = "default_admin_scope",
        skip_serializing_if = "is_default_admin_scope"
    )]
    pub admin_scope: String,
    /// Exchange Online's EWS endpoint (`exchange check` for `app_only` with EWS). Left out of a
    /// written config while it is the default.
    #[serde(
        default = "default_ews_url",
        skip_serializing_if = "is_default_ews_url"
    )]
    pub ews_url: String,
}

/// Exchange Online's EWS endpoint.
pub const DEFAULT_EWS_URL: &str = "https://outlook.office365.com/EWS/Exchange.asmx";

fn default_ews_url() -> String {
    DEFAULT_EWS_URL.to_string()
}

fn is_default_ews_url(url: &String) -> bool {
    url == DEFAULT_EWS_URL
}

/// Microsoft Graph's public endpoint.
pub const DEFAULT_GRAPH_URL: &str = "https://graph.microsoft.com";

fn default_graph_url() -> String {
    DEFAULT_GRAPH_URL.to_string()
}

fn is_default_graph_url(url: &String) -> bool {
    url == DEFAULT_GRAPH_URL
}

/// `[flow]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FlowConfig {
    pub timeout_seconds: u64,
    pub keyring_timeout_seconds: u64,
    pub keyring: String,
}

/// A config that cannot be used; the message names the file and what to change.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct ConfigError(pub String);

/// The endpoints of one provider, derived from its base.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoints {
    pub authorize: String,
    pub token: String,
    /// Salesforce only (Microsoft has no revocation endpoint).
    pub revoke: Option<String>,
    /// Salesforce: the token endpoint itself (its device flow is `response_type=device_code`).
    pub device: String,
}

impl SalesforceConfig {
    /// `{login_url}/services/oauth2/...`.
    pub fn endpoints(&self) -> Endpoints {
        let base = format!("{}/services/oauth2", self.login_url.trim_end_matches('/'));
        Endpoints {
            authorize: format!("{base}/authorize"),
            token: format!("{base}/token"),
            revoke: Some(format!("{base}/revoke")),
            device: format!("{base}/token"),
        }
    }
}

impl MicrosoftConfig {
    /// `{authority}/{tenant}/oauth2/v2.0/...`.
    pub fn endpoints(&self) -> Endpoints {
        let base = format!(
            "{}/{}/oauth2/v2.0",
            self.authority.trim_end_matches('/'),
            self.tenant.trim_matches('/')
        );
        Endpoints {
            authorize: format!("{base}/authorize"),
            token: format!("{base}/token"),
            revoke: None,
            device: format!("{base}/devicecode"),
        }
    }
}

impl FlowConfig {
    /// How long to wait for the user.
    pub fn timeout(&self) -> Duration {
        Duration::from_secs(self.timeout_seconds)
    }
    /// How long one keyring call may take.
    pub fn keyring_timeout(&self) -> Duration {
        Duration::from_secs(self.keyring_timeout_seconds)
    }
}

impl Default for Config {
    fn default() -> Self {
        // The defaults are compiled in and covered by a test, so this cannot fail at run time.
        Config::from_layers(&[("built-in defaults", DEFAULTS_TOML)])
            .unwrap_or_else(|e| unreachable!("built-in provider defaults are invalid: {e}"))
    }
}

impl Config {
    /// This config as an administrator's sign-in uses it: Microsoft's scope is
    /// `microsoft.admin_scope` (Graph `User.Read.All`); Salesforce's stays (`api` is in it).
    pub fn for_admin(&self) -> Config {
        let mut c = self.clone();
        c.microsoft.scope = c.microsoft.admin_scope.clone();
        c
    }

    /// The defaults overlaid by `path` (if given) or else by the file named in
    /// `SCC_ONBOARD_CONFIG` (if set and non-empty).
    pub fn load(path: Option<&Path>) -> Result<Config, ConfigError> {
        let path: Option<PathBuf> = path.map(Path::to_path_buf).or_else(|| {
            std::env::var_os(CONFIG_ENV)
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
        });
        let Some(path) = path else {
            return Ok(Config::default());
        };
        let text = std::fs::read_to_string(&path).map_err(|e| {
            ConfigError(format!(
                "cannot read config file {}: {e}; check the path given with --config or {CONFIG_ENV}",
                path.display()
            ))
        })?;
        Config::from_layers(&[
            ("built-in defaults", DEFAULTS_TOML),
            (&path.display().to_string(), &text),
        ])
    }

    /// Merges TOML documents in order (later keys win) and checks the result.
    pub fn from_layers(layers: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let mut merged = toml::Table::new();
        for (name, text) in layers {
            let table: toml::Table = toml::from_str(text).map_err(|e| {
                ConfigError(format!(
                    "config file {name}: {}",
                    e.to_string().trim_end().replace('\n', " ")
                ))
            })?;
            merge(&mut merged, table);
        }
        let config: Config = toml::Value::Table(merged).try_into().map_err(|e| {
            ConfigError(format!(
                "config {}: {}; see docs/auth.md for the keys",
                layers.last().map(|l| l.0).unwrap_or("?"),
                e.to_string().trim_end().replace('\n', " ")
            ))
        })?;
        config.validate()?;
        Ok(config)
    }

    fn validate(&self) -> Result<(), ConfigError> {
        for (key, value) in [
            ("salesforce.login_url", &self.salesforce.login_url),
            ("salesforce.redirect_uri", &self.salesforce.redirect_uri),
            ("microsoft.authority", &self.microsoft.authority),
            ("microsoft.redirect_uri", &self.microsoft.redirect_uri),
            ("microsoft.graph_url", &self.microsoft.graph_url),
            ("microsoft.ews_url", &self.microsoft.ews_url),
        ] {
            let url = oauth2::url::Url::parse(value).map_err(|e| {
                ConfigError(format!("config key {key} = {value:?} is not a URL: {e}"))
            })?;
            // Codes, verifiers and tokens cross these: plain http only on this machine.
            let loopback = matches!(
                url.host_str().unwrap_or(""),
                "localhost" | "127.0.0.1" | "[::1]"
            );
            if !(url.scheme() == "https" || (url.scheme() == "http" && loopback)) {
                return Err(ConfigError(format!(
                    "config key {key} = {value:?} must start with https:// (or http:// for a loopback address)"
                )));
            }
        }
        for (key, value) in [
            ("salesforce.redirect_uri", &self.salesforce.redirect_uri),
            ("microsoft.redirect_uri", &self.microsoft.redirect_uri),
        ] {
            let url = oauth2::url::Url::parse(value).expect("checked above");
            let host = url.host_str().unwrap_or("");
            if url.scheme() != "http" || !matches!(host, "localhost" | "127.0.0.1" | "[::1]") {
                return Err(ConfigError(format!(
                    "config key {key} = {value:?} must be an http://localhost:PORT/PATH loopback address"
                )));
            }
        }
        // Salesforce matches the registered callback exactly and refuses 127.0.0.1.
        let sf = oauth2::url::Url::parse(&self.salesforce.redirect_uri).expect("checked above");
        if sf.host_str() != Some("localhost") || sf.port().is_none() {
            return Err(ConfigError(format!(
                "config key salesforce.redirect_uri = {:?} must be http://localhost:PORT/PATH with an explicit port, exactly as registered on the connected app (Salesforce rejects 127.0.0.1)",
                self.salesforce.redirect_uri
            )));
        }
        // A scope that yields no refresh token (or, at Microsoft, no id_token) would fail only
        // after the user signed in and consented: refuse it here.
        for (key, scope, needs) in [
            (
                "salesforce.scope",
                &self.salesforce.scope,
                &["refresh_token offline_access"][..],
            ),
            (
                "microsoft.scope",
                &self.microsoft.scope,
                &["offline_access", "openid"][..],
            ),
            (
                "microsoft.admin_scope",
                &self.microsoft.admin_scope,
                &["offline_access", "openid"][..],
            ),
        ] {
            if let Some(missing) = missing_scope(scope, needs) {
                return Err(ConfigError(format!(
                    "config key {key} = {scope:?} must include {missing}: without it the sign-in would fail after the user consented"
                )));
            }
        }
        let v = &self.salesforce.api_version;
        let digits = v.strip_prefix('v').unwrap_or("");
        if digits.split('.').count() != 2
            || !digits
                .split('.')
                .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
        {
            return Err(ConfigError(format!(
                "config key salesforce.api_version = {v:?} must look like \"{DEFAULT_API_VERSION}\" (v, major, dot, minor)"
            )));
        }
        if !matches!(
            self.flow.keyring.as_str(),
            "auto" | "secret-service" | "keyutils"
        ) {
            return Err(ConfigError(format!(
                "config key flow.keyring = {:?} must be \"auto\", \"secret-service\" or \"keyutils\"",
                self.flow.keyring
            )));
        }
        if self.flow.timeout_seconds == 0 || self.flow.keyring_timeout_seconds == 0 {
            return Err(ConfigError(
                "config keys flow.timeout_seconds and flow.keyring_timeout_seconds must be at least 1"
                    .into(),
            ));
        }
        if let Some(e) = &self.expect {
            check_expect(e)?;
        }
        Ok(())
    }
}

/// `[expect]`'s IDs must be Salesforce IDs, or every sign-in would be refused later.
fn check_expect(e: &super::identity::Expected) -> Result<(), ConfigError> {
    for (key, value) in [
        ("salesforce_user_id", &e.salesforce_user_id),
        ("salesforce_org_id", &e.salesforce_org_id),
    ] {
        if let Some(v) = value.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
            if super::identity::salesforce_id18(v).is_none() {
                return Err(ConfigError(format!(
                    "config key expect.{key} = {v:?} is not a 15- or 18-character Salesforce ID; copy it from the user's record in Salesforce"
                )));
            }
        }
    }
    Ok(())
}

/// The first requirement `scope` does not meet, as words for a message. Each requirement is
/// a space-separated list of alternatives (Salesforce accepts `refresh_token` or its synonym
/// `offline_access`).
fn missing_scope(scope: &str, needs: &[&str]) -> Option<String> {
    needs
        .iter()
        .find(|alternatives| {
            !alternatives
                .split(' ')
                .any(|a| scope.split_whitespace().any(|s| s == a))
        })
        .map(|alternatives| alternatives.replace(' ', " or "))
}

fn merge(into: &mut toml::Table, from: toml::Table) {
    for (key, value) in from {
        match (into.get_mut(&key), value) {
            (Some(toml::Value::Table(a)), toml::Value::Table(b)) => merge(a, b),
            (_, value) => {
                into.insert(key, value);
            }
        }
    }
}

/// The `user-config.toml` an end user's copy of the tool needs: the whole provider
/// configuration in the same format `--config` reads.
pub fn user_config_toml(config: &Config) -> String {
    let body = toml::to_string_pretty(config).unwrap_or_default();
    format!(
        "# scc-onboard user configuration, written by the admin wizard.\n\
         # Use it with: scc-onboard authorize --config user-config.toml\n\n{body}"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_admin_keys_default_check_and_stay_out_of_user_configs() {
        let load =
            |extra: &str| Config::from_layers(&[("defaults", DEFAULTS_TOML), ("x.toml", extra)]);
        let c = Config::default();
        assert_eq!(c.salesforce.api_version, "v68.0");
        assert!(c.microsoft.admin_scope.contains("User.Read.All"));
        assert_eq!(c.for_admin().microsoft.scope, c.microsoft.admin_scope);
        let text = user_config_toml(&c);
        assert!(
            !text.contains("api_version") && !text.contains("admin_scope"),
            "{text}"
        );
        let c = load("[salesforce]\napi_version = \"v61.0\"\n").unwrap();
        assert_eq!(c.salesforce.api_version, "v61.0");
        for bad in ["68.0", "v68", "v68.x", "v.0"] {
            let e = load(&format!("[salesforce]\napi_version = \"{bad}\"\n")).unwrap_err();
            assert!(e.to_string().contains("salesforce.api_version"), "{e}");
        }
        let e = load("[microsoft]\nadmin_scope = \"https://graph.microsoft.com/User.Read.All\"\n")
            .unwrap_err();
        assert!(e.to_string().contains("microsoft.admin_scope"), "{e}");
    }

    #[test]
    fn a_scope_without_a_refresh_token_is_refused_at_load() {
        let load =
            |extra: &str| Config::from_layers(&[("defaults", DEFAULTS_TOML), ("x.toml", extra)]);
        let e = load("[salesforce]\nscope = \"api\"\n")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("salesforce.scope") && e.contains("refresh_token or offline_access"),
            "{e}"
        );
        assert!(load("[salesforce]\nscope = \"api offline_access\"\n").is_ok());
        let e = load("[microsoft]\nscope = \"openid profile\"\n")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("microsoft.scope") && e.contains("offline_access"),
            "{e}"
        );
        let e = load("[microsoft]\nscope = \"offline_access\"\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("include openid"), "{e}");
        assert!(Config::default().validate().is_ok());
    }

    #[test]
    fn defaults_parse_and_derive_endpoints() {
        let c = Config::default();
        assert_eq!(
            c.salesforce.endpoints().token,
            "https://login.salesforce.com/services/oauth2/token"
        );
        assert_eq!(
            c.microsoft.endpoints().device,
            "https://login.microsoftonline.com/organizations/oauth2/v2.0/devicecode"
        );
        assert_eq!(c.microsoft.endpoints().revoke, None);
        assert_eq!(c.microsoft.graph_url, "https://graph.microsoft.com");
        // The default is not written into a user's config file.
        assert!(!user_config_toml(&c).contains("graph_url"));
    }

    #[test]
    fn override_changes_only_named_keys() {
        let c = Config::from_layers(&[
            ("defaults", DEFAULTS_TOML),
            (
                "x.toml",
                "[microsoft]\ntenant = \"contoso.onmicrosoft.com\"\nclient_id = \"abc\"\n",
            ),
        ])
        .unwrap();
        assert_eq!(c.microsoft.client_id, "abc");
        assert_eq!(
            c.microsoft.endpoints().authorize,
            "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/authorize"
        );
        assert_eq!(c.salesforce, Config::default().salesforce);
    }

    #[test]
    fn bad_override_names_file_and_key() {
        let e = Config::from_layers(&[
            ("defaults", DEFAULTS_TOML),
            ("my.toml", "[salesforce]\nlogin = 1\n"),
        ])
        .unwrap_err()
        .to_string();
        assert!(e.contains("my.toml") && e.contains("login"), "{e}");
        let e = Config::from_layers(&[("defaults", DEFAULTS_TOML), ("my.toml", "[salesforce\n")])
            .unwrap_err()
            .to_string();
        assert!(e.contains("my.toml") && e.contains("line 1"), "{e}");
        let e = Config::from_layers(&[
            ("defaults", DEFAULTS_TOML),
            (
                "my.toml",
                "[salesforce]\nredirect_uri = \"https://example.com/cb\"\n",
            ),
        ])
        .unwrap_err()
        .to_string();
        assert!(e.contains("salesforce.redirect_uri"), "{e}");
        for bad in [
            "http://127.0.0.1:1717/callback",
            "http://localhost/callback",
        ] {
            let e = Config::from_layers(&[
                ("defaults", DEFAULTS_TOML),
                (
                    "my.toml",
                    &format!("[salesforce]\nredirect_uri = \"{bad}\"\n"),
                ),
            ])
            .unwrap_err()
            .to_string();
            assert!(
                e.contains("explicit port") && e.contains("127.0.0.1"),
                "{e}"
            );
        }
    }

    #[test]
    fn provider_addresses_are_https_unless_on_this_machine() {
        let layer = |key: &str, url: &str| {
            let (table, k) = key.split_once('.').unwrap();
            Config::from_layers(&[
                ("defaults", DEFAULTS_TOML),
                ("my.toml", &format!("[{table}]\n{k} = \"{url}\"\n")),
            ])
        };
        for key in [
            "salesforce.login_url",
            "microsoft.authority",
            "microsoft.graph_url",
        ] {
            let e = layer(key, "http://login.example.com")
                .unwrap_err()
                .to_string();
            assert!(e.contains(key) && e.contains("https://"), "{e}");
            assert!(layer(key, "ftp://login.example.com").is_err());
            for ok in [
                "https://login.example.com",
                "http://127.0.0.1:8080",
                "http://localhost:9",
            ] {
                assert!(layer(key, ok).is_ok(), "{key} = {ok}");
            }
        }
    }

    #[test]
    fn user_config_round_trips() {
        let mut c = Config::default();
        c.salesforce.client_id = "3MVG9xyz".into();
        c.microsoft.tenant = "contoso.onmicrosoft.com".into();
        let text = user_config_toml(&c);
        let back = Config::from_layers(&[("defaults", DEFAULTS_TOML), ("user-config.toml", &text)])
            .unwrap();
        assert_eq!(back, c);
        let alone = Config::from_layers(&[("user-config.toml", &text)]).unwrap();
        assert_eq!(alone, c);
    }

    #[test]
    fn expect_table_parses_and_is_checked() {
        let c = Config::from_layers(&[
            ("defaults", DEFAULTS_TOML),
            (
                "jane.toml",
                "[expect]\nfull_name = \"Jane Doe\"\nsalesforce_login = \"jane.doe@acme.com.au\"\n\
                 salesforce_user_id = \"0055e000001XyZaAAK\"\noffice365_login = \"jane.doe@acme.com\"\n\
                 salesforce_org_id = \"00D5e000000AbCd\"\nmicrosoft_tenant_id = \"72f988bf-86f1-41af-91ab-2d7cd011db47\"\n",
            ),
        ])
        .unwrap();
        let e = c.expect.as_ref().expect("[expect] read");
        assert_eq!(e.full_name.as_deref(), Some("Jane Doe"));
        assert_eq!(e.salesforce_login.as_deref(), Some("jane.doe@acme.com.au"));
        assert_eq!(e.office365_login.as_deref(), Some("jane.doe@acme.com"));
        assert_eq!(e.salesforce_org_id.as_deref(), Some("00D5e000000AbCd"));
        // Written back by user_config_toml and read again unchanged.
        let back = Config::from_layers(&[("user-config.toml", &user_config_toml(&c))]).unwrap();
        assert_eq!(back, c);
        assert_eq!(Config::default().expect, None);
        assert!(!user_config_toml(&Config::default()).contains("[expect]"));

        let bad = |body: &str| {
            Config::from_layers(&[("defaults", DEFAULTS_TOML), ("jane.toml", body)])
                .unwrap_err()
                .to_string()
        };
        let e = bad("[expect]\nsalesforce_user_id = \"005-nope\"\n");
        assert!(
            e.contains("expect.salesforce_user_id") && e.contains("005-nope"),
            "{e}"
        );
        let e = bad("[expect]\nemail = \"x@example.com\"\n");
        assert!(e.contains("jane.toml") && e.contains("email"), "{e}");
    }
}

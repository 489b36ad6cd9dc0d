//! Syntax checks for the values a setting can hold: domains, addresses, URLs, IDs.
//!
//! Each check says what is wrong and, when it is certain, what the value should be,
//! in the same style as the roster's findings.

/// What is wrong with a value, and the corrected value when it is certain.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub message: String,
    pub fix: Option<String>,
}

impl Problem {
    fn new(message: impl Into<String>) -> Self {
        Problem {
            message: message.into(),
            fix: None,
        }
    }

    // An empty "fix" would only replace one problem with another; offer none then.
    fn with_fix(mut self, fix: impl Into<String>) -> Self {
        let fix = fix.into();
        if !fix.trim().is_empty() {
            self.fix = Some(fix);
        }
        self
    }
}

type Check = Result<(), Problem>;

/// A DNS domain such as `contoso.com` (ASCII; internationalised names in their `xn--` form).
pub fn domain(s: &str) -> Check {
    if s.trim().is_empty() {
        return Err(Problem::new("the domain is empty"));
    }
    if s.trim() != s {
        return Err(Problem::new(format!("\"{s}\" has spaces around it")).with_fix(s.trim()));
    }
    if let Some(rest) = s.strip_prefix('@') {
        return Err(
            Problem::new(format!("\"{s}\" starts with @: give the domain alone")).with_fix(rest),
        );
    }
    if let Some(host) = s
        .strip_prefix("https://")
        .or_else(|| s.strip_prefix("http://"))
    {
        let host = host.split(['/', '?', '#']).next().unwrap_or_default();
        return Err(
            Problem::new(format!("\"{s}\" is a web address: give the domain alone"))
                .with_fix(host.to_ascii_lowercase()),
        );
    }
    if !s.is_ascii() {
        return Err(Problem::new(format!(
            "\"{s}\" has non-ASCII letters: enter the domain in its punycode form (xn--…)"
        )));
    }
    if s.len() > 253 {
        return Err(Problem::new(format!(
            "\"{s}\" is longer than 253 characters, too long for a domain"
        )));
    }
    let s_trim = s.strip_suffix('.').unwrap_or(s);
    if s_trim != s {
        return Err(Problem::new(format!("\"{s}\" ends with a dot")).with_fix(s_trim));
    }
    let labels: Vec<&str> = s.split('.').collect();
    if labels.len() < 2 {
        return Err(Problem::new(format!(
            "\"{s}\" is not a domain: it needs a dot and a top-level part, e.g. {s}.com"
        )));
    }
    for label in &labels {
        if label.is_empty() {
            return Err(Problem::new(format!("\"{s}\" has two dots in a row")));
        }
        if label.len() > 63 {
            return Err(Problem::new(format!(
                "\"{s}\": the part \"{label}\" is longer than 63 characters"
            )));
        }
        if let Some(bad) = label
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || *c == '-'))
        {
            return Err(Problem::new(format!(
                "\"{s}\" contains \"{bad}\": a domain has only letters, digits, dots and hyphens"
            )));
        }
        if label.starts_with('-') || label.ends_with('-') {
            return Err(Problem::new(format!(
                "\"{s}\": the part \"{label}\" starts or ends with a hyphen"
            )));
        }
    }
    let tld = labels[labels.len() - 1];
    if tld.chars().all(|c| c.is_ascii_digit()) {
        return Err(Problem::new(format!(
            "\"{s}\" looks like an IP address: give a domain name"
        )));
    }
    if s.chars().any(|c| c.is_ascii_uppercase()) {
        return Err(
            Problem::new(format!("\"{s}\" has capital letters")).with_fix(s.to_ascii_lowercase())
        );
    }
    Ok(())
}

/// An e-mail-form address such as `admin@contoso.com` (also the form of a user principal name).
pub fn email(s: &str) -> Check {
    if s.trim().is_empty() {
        return Err(Problem::new("the address is empty"));
    }
    if s.trim() != s {
        return Err(Problem::new(format!("\"{s}\" has spaces around it")).with_fix(s.trim()));
    }
    if let Some(rest) = s.strip_prefix("mailto:") {
        return Err(Problem::new(format!("\"{s}\" starts with mailto:")).with_fix(rest));
    }
    if let (Some(open), true) = (s.rfind('<'), s.ends_with('>')) {
        let inner = &s[open + 1..s.len() - 1];
        return Err(Problem::new(format!(
            "\"{s}\" includes a display name: give the address alone"
        ))
        .with_fix(inner));
    }
    let Some((local, dom)) = s.rsplit_once('@') else {
        return Err(Problem::new(format!(
            "\"{s}\" is not an address: it needs an @, e.g. name@contoso.com"
        )));
    };
    if local.is_empty() {
        return Err(Problem::new(format!("\"{s}\" has nothing before the @")));
    }
    if local.contains('@') {
        return Err(Problem::new(format!("\"{s}\" has more than one @")));
    }
    if local.len() > 64 {
        return Err(Problem::new(format!(
            "\"{s}\": the part before the @ is longer than 64 characters"
        )));
    }
    if let Some(bad) = local
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || "!#$%&'*+/=?^_`{|}~.-".contains(*c)))
    {
        return Err(Problem::new(format!(
            "\"{s}\" contains \"{bad}\" before the @, which an address cannot hold"
        )));
    }
    if local.starts_with('.') || local.ends_with('.') || local.contains("..") {
        return Err(Problem::new(format!(
            "\"{s}\": the part before the @ cannot start or end with a dot or have two in a row"
        )));
    }
    if dom.chars().any(|c| c.is_ascii_uppercase()) && domain(&dom.to_ascii_lowercase()).is_ok() {
        // Domains are case-insensitive; store them the way Exchange shows them.
        return Err(
            Problem::new(format!("\"{s}\" has capital letters in its domain"))
                .with_fix(format!("{local}@{}", dom.to_ascii_lowercase())),
        );
    }
    domain(dom).map_err(|p| Problem {
        message: format!("\"{s}\": after the @, {}", p.message),
        fix: p.fix.map(|d| format!("{local}@{d}")),
    })
}

/// An `http(s)://host[/path]` address whose host is a domain; `https_only` rejects `http:`;
/// `host_suffixes`, when not empty, lists the endings the host must have.
pub fn url(s: &str, https_only: bool, host_suffixes: &[String]) -> Check {
    if s.trim().is_empty() {
        return Err(Problem::new("the address is empty"));
    }
    // This machine (a tunnel to the server, a local stand-in) may use http and a port, as the
    // provider config allows: nothing crosses the network.
    if is_loopback_url(s) {
        return Ok(());
    }
    if s.trim() != s {
        return Err(Problem::new(format!("\"{s}\" has spaces around it")).with_fix(s.trim()));
    }
    let rest = if let Some(r) = s.strip_prefix("https://") {
        r
    } else if let Some(r) = s.strip_prefix("http://") {
        if https_only {
            return Err(
                Problem::new(format!("\"{s}\" must use https://")).with_fix(format!("https://{r}"))
            );
        }
        r
    } else if !s.contains("://") && domain(s.split('/').next().unwrap_or_default()).is_ok() {
        return Err(Problem::new(format!("\"{s}\" needs https:// in front"))
            .with_fix(format!("https://{s}")));
    } else {
        return Err(Problem::new(format!(
            "\"{s}\" is not a web address: it should look like https://example.com"
        )));
    };
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let host = &rest[..end];
    if host.contains('@') {
        return Err(Problem::new(format!(
            "\"{s}\" contains a user name before the host; give the plain address"
        )));
    }
    if host.contains(':') {
        return Err(Problem::new(format!(
            "\"{s}\" has a port number; leave it out"
        )));
    }
    domain(host).map_err(|p| Problem {
        message: format!(
            "\"{s}\": the host {}",
            p.message.replacen(&format!("\"{host}\" "), "", 1)
        ),
        fix: p.fix.map(|h| format!("https://{h}{}", &rest[end..])),
    })?;
    if !host_suffixes.is_empty() && !host_suffixes.iter().any(|suf| host.ends_with(suf.as_str())) {
        return Err(Problem::new(format!(
            "\"{s}\": the host must end in {}",
            host_suffixes.join(" or ")
        )));
    }
    Ok(())
}

/// `http(s)://127.0.0.1[:port]/…`, `localhost` or `[::1]`.
fn is_loopback_url(s: &str) -> bool {
    let Some(rest) = s
        .strip_prefix("http://")
        .or_else(|| s.strip_prefix("https://"))
    else {
        return false;
    };
    let authority = &rest[..rest.find(['/', '?', '#']).unwrap_or(rest.len())];
    let host = match authority.rsplit_once(':') {
        Some((h, port)) if port.bytes().all(|b| b.is_ascii_digit()) => h,
        _ => authority,
    };
    matches!(host, "127.0.0.1" | "localhost" | "[::1]")
}

/// A GUID in its usual 8-4-4-4-12 hexadecimal form.
pub fn guid(s: &str) -> Check {
    if is_guid(s) {
        return Ok(());
    }
    let stripped = s.trim().trim_start_matches('{').trim_end_matches('}');
    if is_guid(stripped) {
        return Err(
            Problem::new(format!("\"{s}\" has extra characters around the ID")).with_fix(stripped),
        );
    }
    Err(Problem::new(format!(
        "\"{s}\" is not an ID of the form 00000000-0000-0000-0000-000000000000"
    )))
}

/// True if `s` is a GUID in 8-4-4-4-12 form.
pub fn is_guid(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    parts.len() == 5
        && parts
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(p, n)| p.len() == n && p.chars().all(|c| c.is_ascii_hexdigit()))
}

/// A Microsoft 365 tenant: a domain or a tenant ID (GUID).
pub fn domain_or_tenant_id(s: &str) -> Check {
    if is_guid(s) {
        return Ok(());
    }
    domain(s).map_err(|p| Problem {
        message: format!("{} (or give the tenant ID, a GUID)", p.message),
        fix: p.fix,
    })
}

/// A Salesforce connected app's consumer key: letters, digits, `.` and `_`.
pub fn salesforce_consumer_key(s: &str) -> Check {
    if s.trim() != s && !s.trim().is_empty() {
        return Err(Problem::new("the consumer key has spaces around it").with_fix(s.trim()));
    }
    if let Some(bad) = s
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || *c == '.' || *c == '_'))
    {
        return Err(Problem::new(format!(
            "the consumer key contains \"{bad}\"; copy it again from Setup › App Manager"
        )));
    }
    if s.len() < 20 {
        return Err(Problem::new(format!(
            "the consumer key is only {} characters; copy the whole key from Setup › App Manager",
            s.len()
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domains() {
        assert!(domain("contoso.com").is_ok());
        assert!(domain("xn--bcher-kva.example").is_ok());
        assert_eq!(
            domain("@contoso.com").unwrap_err().fix.as_deref(),
            Some("contoso.com")
        );
        assert_eq!(
            domain("Contoso.com").unwrap_err().fix.as_deref(),
            Some("contoso.com")
        );
        assert_eq!(
            domain("contoso").unwrap_err().message,
            "\"contoso\" is not a domain: it needs a dot and a top-level part, e.g. contoso.com"
        );
        assert!(domain("a..b").is_err());
        assert!(domain("-a.com").is_err());
        assert!(domain("10.0.0.1").is_err());
        assert!(domain("bücher.de")
            .unwrap_err()
            .message
            .contains("punycode"));
        assert_eq!(
            domain("https://contoso.com/x").unwrap_err().fix.as_deref(),
            Some("contoso.com")
        );
    }

    #[test]
    fn emails() {
        assert!(email("svc.scc@contoso.com").is_ok());
        assert_eq!(
            email("Svc <svc@contoso.com>").unwrap_err().fix.as_deref(),
            Some("svc@contoso.com")
        );
        assert_eq!(
            email("mailto:a@b.com").unwrap_err().fix.as_deref(),
            Some("a@b.com")
        );
        assert!(email("a@b").unwrap_err().message.contains("after the @"));
        assert!(email("a b@c.com").is_err());
        assert!(email("nope").unwrap_err().message.contains("needs an @"));
    }

    #[test]
    fn urls() {
        let suf = vec![".my.salesforce.com".to_string()];
        assert!(url("https://acme.my.salesforce.com", true, &suf).is_ok());
        // This machine (a tunnel, a local stand-in) may use http and a port; nothing else.
        assert!(url("http://127.0.0.1:8080/EWS/Exchange.asmx", true, &[]).is_ok());
        assert!(url("http://localhost/EWS/Exchange.asmx", true, &[]).is_ok());
        assert!(url("http://127.0.0.1.evil.com/EWS", true, &[]).is_err());
        assert!(url("http://mail.example.com:8080/EWS", true, &[]).is_err());
        assert_eq!(
            url("http://acme.my.salesforce.com", true, &suf)
                .unwrap_err()
                .fix
                .as_deref(),
            Some("https://acme.my.salesforce.com")
        );
        assert_eq!(
            url("acme.my.salesforce.com", true, &suf)
                .unwrap_err()
                .fix
                .as_deref(),
            Some("https://acme.my.salesforce.com")
        );
        assert!(url("https://login.salesforce.com", true, &suf)
            .unwrap_err()
            .message
            .contains("must end in .my.salesforce.com"));
        assert!(url("ftp://x", true, &[]).is_err());
    }

    #[test]
    fn ids() {
        assert!(guid("6233fba6-0198-4277-892f-9275bf728bcc").is_ok());
        assert_eq!(
            guid("{6233fba6-0198-4277-892f-9275bf728bcc}")
                .unwrap_err()
                .fix
                .as_deref(),
            Some("6233fba6-0198-4277-892f-9275bf728bcc")
        );
        assert!(guid("6233fba6").is_err());
        assert!(domain_or_tenant_id("contoso.onmicrosoft.com").is_ok());
        assert!(domain_or_tenant_id("6233fba6-0198-4277-892f-9275bf728bcc").is_ok());
        assert!(salesforce_consumer_key(
            "3MVG9A2kN3Bn17hs8MIaQx1voVGy662rXlC37svtmLmt6wO_iik8Hnk3DlcYjKRvzVNGWLFlGRH1ryHwS217h"
        )
        .is_ok());
        assert!(salesforce_consumer_key("short").is_err());
    }
}

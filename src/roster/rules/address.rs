//! E-mail-form addresses (Salesforce login, Office 365 login and e-mail).
//!
//! A documented subset of RFC 5321: `local@domain`, where the local part is a dot-atom of
//! ASCII letters, digits and ``!#$%&'*+-/=?^_`{|}~`` (no quoted local parts, at most 64
//! characters), and the domain has at least two dot-separated labels of ASCII letters, digits
//! and inner hyphens (1–63 characters each, at most 253 in all, top label not all digits).
//! Internationalized addresses must be given in their ASCII (punycode) form.

use crate::roster::{Code, Field, Finding};

#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
mod masks;

/// Salesforce usernames are at most 80 characters.
pub(crate) const SF_LOGIN_MAX: usize = 80;

// Byte classes for the one-pass check.
const BAD: u8 = 0;
/// Local-part punctuation (``!#$%&'*+/=?^_`{|}~``).
const PUNCT: u8 = 1;
const ALNUM: u8 = 2;
const HYPHEN: u8 = 3;
const DOT: u8 = 4;
const AT: u8 = 5;
/// `?`: local-part punctuation, but also what a lossy encoding puts for a letter it cannot
/// hold, so the fast path leaves it to the full rules (`lost-characters`).
const QMARK: u8 = 6;

static CLASS: [u8; 256] = {
    let mut t = [BAD; 256];
    let mut b = 0;
    while b < 128 {
        if (b as u8).is_ascii_alphanumeric() {
            t[b] = ALNUM;
        }
        b += 1;
    }
    let punct = b"!#$%&'*+/=?^_`{|}~";
    let mut i = 0;
    while i < punct.len() {
        t[punct[i] as usize] = PUNCT;
        i += 1;
    }
    t[b'-' as usize] = HYPHEN;
    t[b'.' as usize] = DOT;
    t[b'@' as usize] = AT;
    t[b'?' as usize] = QMARK;
    t
};

/// Whether `addr` is valid, in one pass and without saying why: the fast path for the great
/// majority of cells. Agrees exactly with [`validate`] (a property test checks it).
pub(crate) fn is_valid(addr: &[u8]) -> bool {
    valid_case(addr).is_some()
}

/// [`is_valid`], and for a valid address whether it has capitals (`Some(true)`): duplicate
/// keys fold case, and this loop meets every capital anyway, so the key needn't look again.
pub(crate) fn valid_case(addr: &[u8]) -> Option<bool> {
    valid_case_impl::<false>(addr)
}

/// [`valid_case`] for the fast path: also `None` for an address with a `?`, which may stand
/// for a letter an encoding lost, so that the full rules look at it.
pub(crate) fn clean_case(addr: &[u8]) -> Option<bool> {
    valid_case_impl::<true>(addr)
}

/// [`valid_case`], or with `NO_QMARK` [`clean_case`].
fn valid_case_impl<const NO_QMARK: bool>(addr: &[u8]) -> Option<bool> {
    #[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
    if addr.len() <= masks::MAX {
        // SAFETY: the only requirement is SSE2, which this build's target has (cfg above).
        return unsafe { masks::valid_case::<NO_QMARK>(addr) };
    }
    valid_case_bytes::<NO_QMARK>(addr)
}

/// [`valid_case_impl`] one byte at a time: any length, any target.
fn valid_case_bytes<const NO_QMARK: bool>(addr: &[u8]) -> Option<bool> {
    let n = addr.len();
    let mut capitals = false;
    // Local part: a dot-atom up to the first '@'. Clean cells are the common case, and the
    // branches below are almost never taken, so the predictor makes this loop cheap.
    let (mut i, mut prev) = (0usize, DOT);
    loop {
        if i == n {
            return None;
        }
        let b = addr[i];
        // Lower-case letters and digits are most bytes: settle them without the table.
        if b.wrapping_sub(b'a') < 26 || b.wrapping_sub(b'0') < 10 {
            prev = ALNUM;
            i += 1;
            continue;
        }
        let c = CLASS[b as usize];
        if c == AT {
            break;
        }
        capitals |= b.is_ascii_uppercase();
        if c == BAD || (NO_QMARK && c == QMARK) || (c == DOT && prev == DOT) {
            return None;
        }
        prev = c;
        i += 1;
    }
    if i == 0 || i > 64 || prev == DOT {
        return None;
    }
    let domain = &addr[i + 1..];
    if domain.len() < 3 || domain.len() > 253 {
        return None;
    }
    // Domain: labels of letters, digits and inner hyphens; no second '@'.
    let (mut label, mut dots, mut top_digits) = (0usize, 0usize, true);
    prev = DOT;
    for &b in domain {
        if b.wrapping_sub(b'a') < 26 && label < 63 {
            label += 1;
            top_digits = false;
            prev = ALNUM;
            continue;
        }
        let c = CLASS[b as usize];
        if c == DOT {
            if label == 0 || prev == HYPHEN {
                return None;
            }
            dots += 1;
            label = 0;
            top_digits = true;
        } else {
            if !(c == ALNUM || (c == HYPHEN && label > 0)) || label == 63 {
                return None;
            }
            label += 1;
            top_digits &= b.is_ascii_digit();
            capitals |= b.is_ascii_uppercase();
        }
        prev = c;
    }
    (label > 0 && prev != HYPHEN && dots > 0 && !top_digits).then_some(capitals)
}

/// Why an address is not valid, or `Ok` if it is.
pub(crate) fn validate(addr: &str) -> Result<(), String> {
    let Some(at) = addr.rfind('@') else {
        return Err("has no @".into());
    };
    if addr[..at].contains('@') {
        return Err("has more than one @".into());
    }
    let (local, domain) = (&addr[..at], &addr[at + 1..]);
    if local.is_empty() {
        return Err("has nothing before the @".into());
    }
    if domain.is_empty() {
        return Err("has nothing after the @".into());
    }
    if let Some(c) = addr.chars().find(|c| c.is_whitespace()) {
        return Err(if c == ' ' {
            "has a space inside".into()
        } else {
            format!("has a {} inside", describe(c))
        });
    }
    if local.len() > 64 {
        return Err(format!(
            "the part before the @ is {} characters (at most 64)",
            local.len()
        ));
    }
    if local.starts_with('.') || local.ends_with('.') {
        return Err(if local.ends_with('.') {
            "has a dot right before the @".into()
        } else {
            "starts with a dot".into()
        });
    }
    if local.contains("..") {
        return Err("has two dots in a row".into());
    }
    if let Some(c) = local.chars().find(|&c| !is_atext(c) && c != '.') {
        return Err(format!(
            "has '{c}' before the @, which addresses cannot contain"
        ));
    }
    check_domain(domain)
}

fn describe(c: char) -> String {
    match c {
        '\t' => "tab".into(),
        '\n' | '\r' => "line break".into(),
        _ => format!("U+{:04X} space", c as u32),
    }
}

fn is_atext(c: char) -> bool {
    c.is_ascii_alphanumeric() || "!#$%&'*+-/=?^_`{|}~".contains(c)
}

fn check_domain(domain: &str) -> Result<(), String> {
    if domain.len() > 253 {
        return Err("the domain is longer than 253 characters".into());
    }
    if domain.contains(',') {
        return Err("has a comma in the domain (a typo for '.'?)".into());
    }
    if domain.contains("..") {
        return Err("has two dots in a row".into());
    }
    if domain.starts_with('.') {
        return Err("has a dot right after the @".into());
    }
    if domain.ends_with('.') {
        return Err("ends with a dot".into());
    }
    if !domain.contains('.') {
        return Err(format!("domain '{domain}' has no dot"));
    }
    for label in domain.split('.') {
        if label.len() > 63 {
            return Err("has a domain label longer than 63 characters".into());
        }
        if let Some(c) = label
            .chars()
            .find(|&c| !(c.is_ascii_alphanumeric() || c == '-'))
        {
            return Err(format!(
                "has '{c}' in the domain, which domains cannot contain"
            ));
        }
        if label.starts_with('-') || label.ends_with('-') {
            return Err("has a domain label that starts or ends with '-'".into());
        }
    }
    let top = domain.rsplit('.').next().unwrap_or_default();
    if top.bytes().all(|b| b.is_ascii_digit()) {
        return Err("has an all-digit top-level domain".into());
    }
    Ok(())
}

/// Copy-paste debris around an address: returns the code and the cleaned candidate.
fn debris(v: &str) -> Option<(Code, String)> {
    // `get` rather than indexing: byte 7 may fall inside a character (found by fuzzing).
    if v.len() > 7
        && v.get(..7)
            .is_some_and(|p| p.eq_ignore_ascii_case("mailto:"))
    {
        return Some((Code::MailtoPrefix, v[7..].trim().to_string()));
    }
    if v.ends_with('>') {
        if let Some(open) = v.rfind('<') {
            let inner = v[open + 1..v.len() - 1].trim();
            if !inner.contains('<') {
                return Some((Code::DisplayNameForm, inner.to_string()));
            }
        }
    }
    let trimmed = v.trim_end_matches(['.', ';', ',']);
    if trimmed.len() != v.len() {
        return Some((Code::TrailingPunctuation, trimmed.trim_end().to_string()));
    }
    None
}

fn several_addresses(v: &str) -> bool {
    v.matches('@').count() > 1 && v.contains([';', ',', ' '])
}

/// The one address a cell repeats (`a@x.com; A@x.com`): every part, split at `;`, `,` and
/// spaces, is the same valid address but for letter case. The first spelling is kept.
fn repeated(v: &str) -> Option<String> {
    let mut parts = v
        .split([';', ',', ' ', '\t'])
        .map(str::trim)
        .filter(|p| !p.is_empty());
    let first = parts.next()?;
    let mut n = 1;
    for p in parts {
        if !p.eq_ignore_ascii_case(first) {
            return None;
        }
        n += 1;
    }
    (n > 1 && is_valid(first.as_bytes())).then(|| first.to_string())
}

/// Checks a trimmed, non-empty address in `field`, offering a fix only when the cleaned value
/// is itself valid.
pub(crate) fn check(field: Field, value: &str, out: &mut Vec<Finding>) {
    if is_valid(value.as_bytes()) {
        check_length(field, value, out);
        return;
    }
    if several_addresses(value) {
        if let Some(one) = repeated(value) {
            out.push(
                Finding::new(
                    field,
                    Code::RepeatedAddress,
                    "holds the same address more than once",
                )
                .with_fix(one),
            );
            return;
        }
        out.push(Finding::new(
            field,
            Code::MultipleAddresses,
            "holds more than one address; keep only this user's",
        ));
        return;
    }
    if let Some((code, cleaned)) = debris(value) {
        let what = match code {
            Code::MailtoPrefix => "starts with 'mailto:'",
            Code::DisplayNameForm => "is in 'Name <address>' form",
            _ => "ends with punctuation",
        };
        let mut finding = Finding::new(
            field,
            code,
            format!("{what}; only the address belongs here"),
        );
        // Several layers of debris (`mailto:a@b.com;`) peel one per fix.
        if validate(&cleaned).is_ok() || debris(&cleaned).is_some() {
            finding = finding.with_fix(cleaned);
        }
        out.push(finding);
        return;
    }
    if let Err(why) = validate(value) {
        out.push(Finding::new(
            field,
            Code::AddressInvalid,
            format!("not a valid address: {why}"),
        ));
        return;
    }
    check_length(field, value, out);
}

fn check_length(field: Field, value: &str, out: &mut Vec<Finding>) {
    if field == Field::SalesforceLogin
        && value.len() > SF_LOGIN_MAX
        && value.chars().count() > SF_LOGIN_MAX
    {
        out.push(Finding::new(
            field,
            Code::SfLoginTooLong,
            format!(
                "{} characters: Salesforce usernames are at most {SF_LOGIN_MAX}",
                value.chars().count()
            ),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_ordinary_addresses() {
        for a in [
            "jane.doe@acme.com",
            "j.o'brien+sf@eu.acme.co.uk",
            "jdoe3@acme.com.uat",
            "a@b.io",
        ] {
            assert_eq!(validate(a), Ok(()), "{a}");
        }
    }

    #[test]
    fn rejects_broken_addresses_with_reasons() {
        for (a, why) in [
            ("janeacme.com", "no @"),
            ("jane@@acme.com", "more than one @"),
            ("ja ne@acme.com", "space"),
            ("ja..ne@acme.com", "two dots"),
            ("jane.@acme.com", "dot right before"),
            ("jane@acme,com", "comma"),
            ("@acme.com", "nothing before"),
            ("jane@", "nothing after"),
            ("jane@localhost", "no dot"),
            ("jane@acme.123", "all-digit"),
            ("jane@-acme.com", "starts or ends"),
        ] {
            let err = validate(a).unwrap_err();
            assert!(err.contains(why), "{a}: {err}");
        }
    }

    fn one(field: Field, v: &str) -> (Code, Option<String>) {
        let mut out = Vec::new();
        check(field, v, &mut out);
        assert_eq!(out.len(), 1, "{v}: {out:?}");
        (out[0].code, out[0].fix.clone())
    }

    #[test]
    fn debris_is_an_error_with_an_exact_fix() {
        let f = Field::Office365Email;
        let fix = Some("jane.doe@acme.com".to_string());
        assert_eq!(
            one(f, "mailto:jane.doe@acme.com"),
            (Code::MailtoPrefix, fix.clone())
        );
        assert_eq!(
            one(f, "Jane Doe <jane.doe@acme.com>"),
            (Code::DisplayNameForm, fix.clone())
        );
        assert_eq!(
            one(f, "jane.doe@acme.com;"),
            (Code::TrailingPunctuation, fix.clone())
        );
        assert_eq!(
            one(f, "jane.doe@acme.com."),
            (Code::TrailingPunctuation, fix)
        );
        assert_eq!(one(f, "mailto:jane@@acme.com").1, None);
        assert_eq!(
            one(f, "jane.doe@acme.com; jd@acme.com"),
            (Code::MultipleAddresses, None)
        );
    }

    #[test]
    fn a_repeated_address_has_a_fix_and_two_different_ones_do_not() {
        let f = Field::Office365Login;
        let fix = Some("a@x.com".to_string());
        assert_eq!(
            one(f, "a@x.com; a@x.com"),
            (Code::RepeatedAddress, fix.clone())
        );
        assert_eq!(
            one(f, "a@x.com,A@X.com ; a@x.com"),
            (Code::RepeatedAddress, fix)
        );
        assert_eq!(one(f, "a@x.com; b@x.com").0, Code::MultipleAddresses);
        assert_eq!(one(f, "a@@x.com; a@@x.com").0, Code::MultipleAddresses);
    }

    proptest::proptest! {
        /// Both one-pass checks agree, byte by byte and as masks, on all kinds of near-misses.
        #[test]
        fn byte_loop_and_masks_agree(
            s in "[a-zA-Z0-9.@_+'?\\-]{0,70}|[a-z.?-]{1,20}@[a-zA-Z0-9.?-]{0,44}|[a-z]{1,8}@[a-z0-9-]{1,8}\\.[a-z0-9-]{1,5}|.{0,66}"
        ) {
            let b = s.as_bytes();
            proptest::prop_assert_eq!(valid_case(b), valid_case_bytes::<false>(b), "{:?}", s);
            proptest::prop_assert_eq!(clean_case(b), valid_case_bytes::<true>(b), "{:?}", s);
            // The fast path's test is the validity test minus any address with a '?'.
            let expected = if b.contains(&b'?') { None } else { valid_case(b) };
            proptest::prop_assert_eq!(clean_case(b), expected, "{:?}", s);
        }

        #[test]
        fn fast_check_agrees_with_reasons(s in "[a-z0-9.@,;<>:' \t-]{0,24}") {
            proptest::prop_assert_eq!(is_valid(s.as_bytes()), validate(&s).is_ok(), "{:?}", s);
        }

        #[test]
        fn fast_check_agrees_on_near_addresses(
            local in "[a-z.+-]{0,6}", dom in "[a-z0-9.-]{0,10}", tail in "(|\\.|\\.com|-|\\.1)"
        ) {
            let s = format!("{local}@{dom}{tail}");
            proptest::prop_assert_eq!(is_valid(s.as_bytes()), validate(&s).is_ok(), "{:?}", s);
        }
    }

    #[test]
    fn multibyte_text_near_the_front_is_not_a_crash() {
        let (code, _) = one(Field::SalesforceLogin, "juliÓÓÓe.garcia@acme.com");
        assert_eq!(code, Code::AddressInvalid);
    }

    #[test]
    fn salesforce_login_length() {
        let long = format!("{}@acme.com", "a".repeat(60)) + &".x".repeat(10);
        assert_eq!(one(Field::SalesforceLogin, &long).0, Code::SfLoginTooLong);
        let mut out = Vec::new();
        check(Field::Office365Login, &long, &mut out);
        assert!(out.is_empty());
    }
}

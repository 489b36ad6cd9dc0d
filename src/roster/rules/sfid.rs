//! Salesforce record IDs: format, key prefix and the 18-character case-safe suffix.
//!
//! An 18-character ID is the 15-character, case-sensitive ID plus three suffix characters;
//! each suffix character encodes, for five of the first fifteen characters, which are capitals.
//! That is what lets us restore an ID a spreadsheet upper- or lower-cased.

use crate::roster::{Code, Field, Finding};

const SUFFIX_ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ012345";

/// Key prefix of User records.
pub(crate) const USER_PREFIX: &str = "005";

/// The three-character case-safe suffix of a 15-character ID.
pub(crate) fn checksum(id15: &[u8]) -> [u8; 3] {
    debug_assert_eq!(id15.len(), 15);
    let mut out = [0u8; 3];
    for (chunk, slot) in id15.chunks(5).zip(out.iter_mut()) {
        let bits = chunk.iter().enumerate().fold(0usize, |bits, (i, c)| {
            bits | (usize::from(c.is_ascii_uppercase()) << i)
        });
        *slot = SUFFIX_ALPHABET[bits];
    }
    out
}

/// The 18-character form of a valid 15-character ID.
pub(crate) fn to_18(id15: &str) -> String {
    let sum = checksum(id15.as_bytes());
    let mut s = String::with_capacity(18);
    s.push_str(id15);
    s.extend(sum.iter().map(|&b| b as char));
    s
}

/// What kind of record a key prefix belongs to, for messages.
pub(crate) fn object_name(prefix: &str) -> Option<&'static str> {
    Some(match prefix {
        "001" => "an Account",
        "003" => "a Contact",
        "005" => "a User",
        "006" => "an Opportunity",
        "00D" => "an Organization",
        "00E" => "a User Role",
        "00G" => "a Group or Queue",
        "00Q" => "a Lead",
        "00T" => "a Task",
        "00U" => "an Event",
        "00e" => "a Profile",
        "00O" => "a Report",
        "01Z" => "a Dashboard",
        "500" => "a Case",
        "701" => "a Campaign",
        "800" => "a Contract",
        "0PS" => "a Permission Set",
        _ => return None,
    })
}

fn decode_suffix(suffix: &[u8]) -> Option<u16> {
    let mut mask = 0u16;
    for (k, c) in suffix.iter().enumerate() {
        let v = SUFFIX_ALPHABET.iter().position(|a| a == c)? as u16;
        mask |= v << (5 * k);
    }
    Some(mask)
}

/// Restores the exact case of an ID whose letters were all upper- or lower-cased.
///
/// Only returns a value when the evidence says the case was altered, never for what may be
/// a typo, so a typo never turns into a different, valid-looking ID:
/// - every letter is lower case and the suffix has a letter: real suffixes are upper case;
/// - every letter is upper case: only when the suffix differs from the body's own checksum in
///   two or more places (one typo cannot explain that) and its capital bits fall on letters.
fn restore_case(id: &[u8]) -> Option<String> {
    let letters = || id.iter().filter(|c| c.is_ascii_alphabetic());
    let all_upper = letters().all(|c| c.is_ascii_uppercase());
    let all_lower = letters().all(|c| c.is_ascii_lowercase());
    let suffix: Vec<u8> = id[15..].iter().map(u8::to_ascii_uppercase).collect();
    let lowered = all_lower && id[15..].iter().any(|c| c.is_ascii_alphabetic());
    let as_is = checksum(&id[..15]);
    let differing = as_is.iter().zip(&suffix).filter(|(a, b)| a != b).count();
    if !(lowered || ((all_upper || all_lower) && differing >= 2)) {
        return None;
    }
    let mask = decode_suffix(&suffix)?;
    let mut out = String::with_capacity(18);
    for (i, &c) in id[..15].iter().enumerate() {
        let upper = mask & (1 << i) != 0;
        if upper && !c.is_ascii_alphabetic() {
            return None;
        }
        out.push(if upper {
            c.to_ascii_uppercase() as char
        } else {
            c.to_ascii_lowercase() as char
        });
    }
    out.extend(suffix.iter().map(|&b| b as char));
    (out.as_bytes() != id).then_some(out)
}

/// Fewest letters from which a 15-character ID whose letters are all one case counts as
/// case-damaged (`sfid-15-case`). A genuine ID mixes cases at random, so one with `n` letters
/// is all one case with probability 2^(1-n): 1 in 16 at five letters, and five or more
/// letters cover 99.8% of the benchmark generator's genuine IDs (README, "When is a
/// 15-character ID judged case-damaged?").
pub(crate) const CASE_EVIDENCE_LETTERS: usize = 5;

/// What the letters of a 15-character ID say about its case.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Case15 {
    /// Both cases present, or no letter at all: the case is as Salesforce wrote it, so the
    /// 18-character form computed from it is the real one.
    Trusted,
    /// All `letters` letters (fewer than [`CASE_EVIDENCE_LETTERS`]) are one case: a genuine ID
    /// may look like that, so this is no evidence, but no suffix can be trusted either.
    Unknown { letters: usize, upper: bool },
    /// All `letters` letters (at least [`CASE_EVIDENCE_LETTERS`]) are one case: a spreadsheet
    /// upper- or lower-cased it.
    Damaged { letters: usize, upper: bool },
}

/// Judges the letter case of a 15-character ID (see [`Case15`]).
pub(crate) fn case_15(id15: &[u8]) -> Case15 {
    let upper = id15.iter().filter(|c| c.is_ascii_uppercase()).count();
    let lower = id15.iter().filter(|c| c.is_ascii_lowercase()).count();
    let letters = upper + lower;
    if letters == 0 || (upper > 0 && lower > 0) {
        Case15::Trusted
    } else if letters < CASE_EVIDENCE_LETTERS {
        Case15::Unknown {
            letters,
            upper: upper > 0,
        }
    } else {
        Case15::Damaged {
            letters,
            upper: upper > 0,
        }
    }
}

/// The finding for a valid 15-character User ID. Only an ID whose case is trusted gets the
/// 18-character form as a fix: the suffix records the case, so computing it from a damaged
/// case would make a valid-looking ID of somebody else (or of nobody).
fn check_15(value: &str) -> Finding {
    const REMEDY: &str = "export the users' 18-character \"Case Safe ID\" from Salesforce \
                          (a report column) and use it here";
    let f = Field::SalesforceUserId;
    let case = |upper: bool| if upper { "upper" } else { "lower" };
    match case_15(value.as_bytes()) {
        Case15::Trusted => Finding::new(
            f,
            Code::Sfid15,
            "15-character ID: case-sensitive, so spreadsheets can corrupt it; use the 18-character form",
        )
        .with_fix(to_18(value)),
        Case15::Unknown { letters, upper } => Finding::new(
            f,
            Code::Sfid15,
            format!(
                "15-character ID whose {} all {} case: too few to tell whether a spreadsheet \
                 changed them, so no 18-character form is offered; {REMEDY}",
                if letters == 1 {
                    "one letter is".to_string()
                } else {
                    format!("{letters} letters are")
                },
                case(upper)
            ),
        ),
        Case15::Damaged { letters, upper } => Finding::new(
            f,
            Code::Sfid15Case,
            format!(
                "all {letters} letters of this 15-character ID are {} case, where a real ID \
                 mixes cases: a spreadsheet probably changed them, so it may name another user \
                 and its case cannot be restored; {REMEDY}",
                case(upper)
            ),
        ),
    }
}

/// True for a valid 18-character User ID: the fast path, no findings possible.
pub(crate) fn is_clean(id: &[u8]) -> bool {
    pack_clean(id).is_some()
}

/// Base-62 digit values; 255 marks bytes that are not letters or digits.
static B62: [u8; 256] = {
    let mut t = [255u8; 256];
    let mut i = 0;
    while i < 10 {
        t[b'0' as usize + i] = i as u8;
        i += 1;
    }
    i = 0;
    while i < 26 {
        t[b'A' as usize + i] = 10 + i as u8;
        t[b'a' as usize + i] = 36 + i as u8;
        i += 1;
    }
    t
};

/// The 15 significant characters of a 15- or 18-character ID, 6 bits each: equal exactly
/// when the IDs name the same record. `None` if they are not all letters and digits.
pub(crate) fn pack(id: &[u8]) -> Option<u128> {
    if id.len() != 15 && id.len() != 18 {
        return None;
    }
    pack_15(&id[..15]).map(|(packed, _)| packed)
}

/// [`pack`] of an ID that [`is_clean`] accepts, checked in the same pass; `None` otherwise.
pub(crate) fn pack_clean(id: &[u8]) -> Option<u128> {
    if id.len() != 18 || !id.starts_with(USER_PREFIX.as_bytes()) {
        return None;
    }
    let (packed, capitals) = pack_15(&id[..15])?;
    let suffix = [0, 5, 10].map(|shift| SUFFIX_ALPHABET[(capitals >> shift) as usize & 31]);
    (suffix == id[15..]).then_some(packed)
}

/// Packs 15 characters and notes which are capitals (bit i for character i).
fn pack_15(id: &[u8]) -> Option<(u128, u16)> {
    let (mut packed, mut bad, mut capitals) = (0u128, 0u8, 0u16);
    for (i, &c) in id.iter().enumerate() {
        let v = B62[c as usize];
        bad |= v;
        capitals |= u16::from(v.wrapping_sub(10) < 26) << i;
        packed = (packed << 6) | u128::from(v & 0x3f);
    }
    (bad & 0x80 == 0).then_some((packed, capitals))
}

/// Checks a trimmed, non-empty Salesforce user ID.
pub(crate) fn check(value: &str, out: &mut Vec<Finding>) {
    let f = Field::SalesforceUserId;
    let bytes = value.as_bytes();
    if let Some(pos) = bytes.iter().position(|b| !b.is_ascii_alphanumeric()) {
        // Everything before `pos` is ASCII, so `pos` starts a character.
        let c = value[pos..].chars().next().unwrap_or_default();
        let col = pos + 1;
        out.push(Finding::new(
            f,
            Code::SfidFormat,
            format!("'{c}' at character {col}: a Salesforce ID has only letters and digits"),
        ));
        return;
    }
    if bytes.len() != 15 && bytes.len() != 18 {
        out.push(Finding::new(
            f,
            Code::SfidFormat,
            format!(
                "{} characters: a Salesforce ID has 15 or 18 letters and digits",
                bytes.len()
            ),
        ));
        return;
    }
    let prefix = &value[..3];
    if prefix != USER_PREFIX {
        let what = object_name(prefix)
            .map(|o| format!("key prefix {prefix} is {o} ID"))
            .or_else(|| {
                (prefix.eq_ignore_ascii_case("0o5"))
                    .then(|| format!("key prefix {prefix} has the letter O where 005 has a zero"))
            })
            .unwrap_or_else(|| format!("key prefix {prefix} is not a User ID"));
        out.push(Finding::new(
            f,
            Code::SfidPrefix,
            format!("{what}; User IDs start with 005. Copy the ID from the user's record"),
        ));
    }
    if bytes.len() == 15 {
        if prefix == USER_PREFIX {
            out.push(check_15(value));
        }
        return;
    }
    if checksum(&bytes[..15]) == bytes[15..] {
        return;
    }
    match restore_case(bytes) {
        Some(fixed) => out.push(
            Finding::new(
                f,
                Code::SfidCase,
                "the ID's letter case was changed (by a spreadsheet?); its suffix says the exact case",
            )
            .with_fix(fixed),
        ),
        None => out.push(Finding::new(
            f,
            Code::SfidChecksum,
            format!(
                "the suffix {} does not match the first 15 characters (expected {}): a typo; copy the ID again",
                &value[15..],
                String::from_utf8_lossy(&checksum(&bytes[..15]))
            ),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(v: &str) -> Vec<(Code, Option<String>)> {
        let mut out = Vec::new();
        check(v, &mut out);
        out.into_iter().map(|f| (f.code, f.fix)).collect()
    }

    // 005 + pod + body; suffix computed independently by hand-checking bit order.
    const ID15: &str = "005Hs00000AbCdE";

    #[test]
    fn checksum_bits_follow_capitals() {
        // chunk "005Hs": H is index 3 -> bit 3 -> 'I'; "00000": none -> 'A'; "AbCdE": 0,2,4 -> 21 -> 'V'
        assert_eq!(&checksum(ID15.as_bytes()), b"IAV");
        assert_eq!(to_18(ID15), "005Hs00000AbCdEIAV");
    }

    #[test]
    fn valid_18_has_no_findings() {
        assert!(codes("005Hs00000AbCdEIAV").is_empty());
    }

    #[test]
    fn fifteen_warns_with_18_fix() {
        assert_eq!(
            codes(ID15),
            vec![(Code::Sfid15, Some("005Hs00000AbCdEIAV".into()))]
        );
    }

    #[test]
    fn a_case_damaged_15_is_an_error_with_no_fix() {
        // The ID: `0055e000ZvwW8tT` upper-cased by a spreadsheet.
        assert_eq!(codes("0055E000ZVWW8TT"), vec![(Code::Sfid15Case, None)]);
        assert_eq!(codes("0055e000zvww8tt"), vec![(Code::Sfid15Case, None)]);
        let mut out = Vec::new();
        check("0055E000ZVWW8TT", &mut out);
        assert!(
            out[0].message.contains("all 7 letters"),
            "{}",
            out[0].message
        );
        assert!(
            out[0].message.contains("Case Safe ID"),
            "{}",
            out[0].message
        );
        // Exactly at the threshold, and one letter short of it.
        assert_eq!(codes("0055E000000ABCD"), vec![(Code::Sfid15Case, None)]);
        assert_eq!(codes("0055E0000001BCD"), vec![(Code::Sfid15, None)]);
    }

    #[test]
    fn too_few_letters_to_judge_warns_without_a_fix() {
        for id in ["005000000000001", "0055e0000001bcd", "005A00000000001"] {
            let found = codes(id);
            assert_eq!(found.len(), 1, "{id}");
            assert_eq!(found[0].0, Code::Sfid15, "{id}");
            // No letter at all: the case cannot be wrong, so the 18-character form is exact.
            assert_eq!(found[0].1.is_some(), id == "005000000000001", "{id}");
        }
        let mut out = Vec::new();
        check("005A00000000001", &mut out);
        assert!(
            out[0].message.contains("one letter is all upper case"),
            "{}",
            out[0].message
        );
    }

    proptest::proptest! {
        /// No 15-character ID whose letters are all one case ever gets an 18-character fix,
        /// and a mixed-case one always gets its exact 18-character form.
        #[test]
        fn a_fix_to_18_needs_mixed_case(body in "[a-zA-Z0-9]{12}") {
            let id = format!("005{body}");
            let mut out = Vec::new();
            check(&id, &mut out);
            proptest::prop_assert_eq!(out.len(), 1);
            let mixed = id.bytes().any(|c| c.is_ascii_uppercase())
                && id.bytes().any(|c| c.is_ascii_lowercase());
            let digits_only = !id.bytes().any(|c| c.is_ascii_alphabetic());
            let expected = (mixed || digits_only).then(|| to_18(&id));
            proptest::prop_assert_eq!(&out[0].fix, &expected, "{}", id);
            let letters = id.bytes().filter(u8::is_ascii_alphabetic).count();
            let damaged = !mixed && letters >= CASE_EVIDENCE_LETTERS;
            proptest::prop_assert_eq!(out[0].code == Code::Sfid15Case, damaged, "{}", id);
        }
    }

    #[test]
    fn whole_id_lowercased_is_restored() {
        assert_eq!(
            codes("005hs00000abcdeiav"),
            vec![(Code::SfidCase, Some("005Hs00000AbCdEIAV".into()))]
        );
        assert_eq!(
            codes("005HS00000ABCDEIAV"),
            vec![(Code::SfidCase, Some("005Hs00000AbCdEIAV".into()))]
        );
    }

    #[test]
    fn suffix_typo_is_never_fixed() {
        // mixed case body: no evidence of a case change
        assert_eq!(
            codes("005Hs00000AbCdEIAW"),
            vec![(Code::SfidChecksum, None)]
        );
        // one flipped letter in the body
        assert_eq!(
            codes("005Hs00000abCdEIAV"),
            vec![(Code::SfidChecksum, None)]
        );
        // all one case, but the suffix claims a capital on a digit
        assert_eq!(
            codes("005HS00000ABCDEIZV"),
            vec![(Code::SfidChecksum, None)]
        );
        // a genuinely all-capital ID with one suffix typo stays a typo
        let upper = to_18("005HS00000ABCDE");
        let typo = format!("{}B", &upper[..17]);
        assert_ne!(upper, typo);
        assert_eq!(codes(&typo), vec![(Code::SfidChecksum, None)]);
    }

    #[test]
    fn format_and_prefix() {
        assert_eq!(codes("005Hs00000AbCdEIA")[0].0, Code::SfidFormat);
        assert_eq!(codes("005Hs-0000AbCdEIAV")[0].0, Code::SfidFormat);
        let mut out = Vec::new();
        let contact = to_18("003Hs00000AbCdE");
        check(&contact, &mut out);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].code, Code::SfidPrefix);
        assert!(out[0].message.contains("a Contact"), "{}", out[0].message);
    }

    proptest::proptest! {
        /// The one-pass check means what it says: an 18-character User ID, letters and
        /// digits, whose suffix is its body's checksum.
        #[test]
        fn clean_is_a_valid_user_id_18(body in "(005|003|00[5])[a-zA-Z0-9_]{12}", sum in "[A-Z0-5a]{0,3}", good in proptest::bool::ANY) {
            let id = if good { to_18(&body) } else { format!("{body}{sum}") };
            let b = id.as_bytes();
            let expected = b.len() == 18
                && id.starts_with(USER_PREFIX)
                && b.iter().all(u8::is_ascii_alphanumeric)
                && checksum(&b[..15]) == b[15..];
            proptest::prop_assert_eq!(is_clean(b), expected, "{}", id);
            if expected {
                proptest::prop_assert_eq!(pack_clean(b), pack(b));
                proptest::prop_assert_eq!(pack(b), pack(&b[..15]));
            }
        }
    }
}

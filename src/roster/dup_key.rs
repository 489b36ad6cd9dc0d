//! Compact keys for duplicate detection.
//!
//! A key is a `u128` whose top two bits name the [`DupKind`]. Salesforce IDs pack their 15
//! significant characters exactly (6 bits each: no collisions, and 15- and 18-character forms
//! of one ID get the same key). Logins and e-mail addresses are compared case-insensitively
//! through a 126-bit xxh3 hash of the lower-cased value: a false match among a million rows has
//! a probability around 10^-26, far below any hardware error rate.

use crate::roster::rules::{self, sfid};
use crate::roster::{Code, Field};
use xxhash_rust::xxh3::xxh3_128_with_seed;

/// The values that must be unique within a roster.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DupKind {
    SfId,
    SfLogin,
    O365Login,
    O365Email,
}

/// A duplicate-detection key (kind in the top two bits).
pub type DupKey = u128;

impl DupKind {
    pub const ALL: [DupKind; 4] = [
        DupKind::SfId,
        DupKind::SfLogin,
        DupKind::O365Login,
        DupKind::O365Email,
    ];

    pub fn field(self) -> Field {
        match self {
            DupKind::SfId => Field::SalesforceUserId,
            DupKind::SfLogin => Field::SalesforceLogin,
            DupKind::O365Login => Field::Office365Login,
            DupKind::O365Email => Field::Office365Email,
        }
    }

    pub fn code(self) -> Code {
        match self {
            DupKind::SfId => Code::DupSfid,
            DupKind::SfLogin => Code::DupSfLogin,
            DupKind::O365Login => Code::DupO365Login,
            DupKind::O365Email => Code::DupO365Email,
        }
    }

    /// The kind checked on `field`, if any.
    pub fn for_field(field: Field) -> Option<DupKind> {
        DupKind::ALL.into_iter().find(|k| k.field() == field)
    }

    fn tag(self) -> u128 {
        (self as u128) << 126
    }

    /// The key of a raw cell value, or `None` when the value cannot take part (empty, or an
    /// ID that is not 15/18 letters and digits).
    pub fn key(self, raw: &str) -> Option<DupKey> {
        let v = rules::trim(raw);
        if v.is_empty() {
            return None;
        }
        match self {
            DupKind::SfId => sfid::pack(v.as_bytes()).map(|k| k | self.tag()),
            _ => Some(hash_folded(v, self as u64) | self.tag()),
        }
    }

    fn key_address(self, v: &[u8], capitals: bool) -> DupKey {
        hash_ascii(v, capitals, self as u64) | self.tag()
    }
}

/// The keys of a row (cells in [`Field::ALL`] order) when every cell passes
/// [`rules::is_clean`], found in the same pass as the checks; `None` when any cell needs a
/// closer look. The whole-file validator's fast path: nearly every row ends here.
pub fn clean_row_keys(cells: [&[u8]; 5]) -> Option<[DupKey; 4]> {
    use rules::{address::clean_case, plain_ends};
    let [name, sf_login, sf_id, o365_login, o365_email] = cells;
    if !(cells.iter().all(|c| plain_ends(c)) && rules::is_clean_name(name)) {
        return None;
    }
    Some([
        sfid::pack_clean(sf_id)? | DupKind::SfId.tag(),
        DupKind::SfLogin.key_address(sf_login, rules::is_clean_sf_login(sf_login)?),
        DupKind::O365Login.key_address(o365_login, clean_case(o365_login)?),
        DupKind::O365Email.key_address(o365_email, clean_case(o365_email)?),
    ])
}

const MASK: u128 = (1 << 126) - 1;

/// 126-bit hash of the value with letters folded to lower case.
fn hash_folded(v: &str, seed: u64) -> u128 {
    if v.is_ascii() {
        let capitals = v.bytes().any(|c| c.is_ascii_uppercase());
        hash_ascii(v.as_bytes(), capitals, seed)
    } else {
        xxh3_128_with_seed(v.to_lowercase().as_bytes(), seed) & MASK
    }
}

/// [`hash_folded`] of ASCII bytes, told whether they have capitals.
fn hash_ascii(b: &[u8], capitals: bool, seed: u64) -> u128 {
    // Most addresses are already lower case: hash them in place, no copy.
    let h = if capitals {
        let mut buf = [0u8; 96];
        match buf.get_mut(..b.len()) {
            Some(low) => {
                low.copy_from_slice(b);
                low.make_ascii_lowercase();
                xxh3_128_with_seed(low, seed)
            }
            None => xxh3_128_with_seed(&b.to_ascii_lowercase(), seed),
        }
    } else {
        xxh3_128_with_seed(b, seed)
    };
    h & MASK
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::roster::rules::sfid::to_18;

    #[test]
    fn ids_15_and_18_share_a_key_and_case_matters() {
        let k = DupKind::SfId;
        assert_eq!(k.key("005Hs00000AbCdE"), k.key(&to_18("005Hs00000AbCdE")));
        assert_ne!(k.key("005Hs00000AbCdE"), k.key("005Hs00000abCdE"));
        assert_eq!(k.key("005-s00000AbCdE"), None);
    }

    proptest::proptest! {
        /// The fused fast path takes exactly the rows whose cells are all clean, and keys
        /// them exactly as [`DupKind::key`] does.
        #[test]
        fn clean_row_keys_agree_with_the_rules_and_key(
            name in "[ a-zA-Z'.?-]{0,12}|Zoë",
            sf_login in "[a-zA-Z.]{1,8}@[a-zA-Z]{1,6}\\.(com|IO|1)|[a-z]{70,75}@x\\.com|@x\\.com",
            sf_id in "005[a-zA-Z0-9]{12}",
            o365 in "[a-zA-Z._?-]{0,8}@[a-zA-Z-]{1,6}\\.[a-zA-Z]{2,3}|a\\.@b\\.com|=a@b\\.com",
            suffix in proptest::bool::ANY,
        ) {
            let sf_id = if suffix { to_18(&sf_id) } else { sf_id };
            let cells = [name.as_str(), &sf_login, &sf_id, &o365, &o365];
            let all_clean = Field::ALL.iter().all(|f| rules::is_clean(*f, cells[f.index()].as_bytes()));
            let keys = clean_row_keys(cells.map(str::as_bytes));
            proptest::prop_assert_eq!(keys.is_some(), all_clean, "{:?}", cells);
            if let Some(keys) = keys {
                for (kind, key) in DupKind::ALL.into_iter().zip(keys) {
                    proptest::prop_assert_eq!(Some(key), kind.key(cells[kind.field().index()]));
                }
            }
        }
    }

    #[test]
    fn logins_fold_case_and_trim() {
        let k = DupKind::SfLogin;
        assert_eq!(k.key("Jane.Doe@ACME.com "), k.key("jane.doe@acme.com"));
        assert_ne!(
            k.key("jane@acme.com"),
            DupKind::O365Login.key("jane@acme.com")
        );
        assert_eq!(k.key("ÉLODIE@acme.com"), k.key("élodie@acme.com"));
        assert_eq!(k.key("  "), None);
    }
}

/// A key as two words: 8-byte alignment keeps hash-table entries small.
pub type KeyWords = [u64; 2];

/// Splits a key for storage in a table.
pub fn words(k: DupKey) -> KeyWords {
    [(k >> 64) as u64, k as u64]
}

/// Hasher for keys that are already hashes or packed IDs: one folded multiply, no SipHash.
#[derive(Default, Clone, Copy)]
pub struct KeyHasher(u64);

impl std::hash::Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut b = [0u8; 8];
            b[..chunk.len()].copy_from_slice(chunk);
            self.write_u64(u64::from_le_bytes(b));
        }
    }

    fn write_u64(&mut self, x: u64) {
        let m = u128::from(self.0.rotate_left(29) ^ x) * 0x9E37_79B9_7F4A_7C15u128;
        self.0 = (m as u64) ^ ((m >> 64) as u64);
    }

    fn write_usize(&mut self, x: usize) {
        self.write_u64(x as u64);
    }
}

/// `BuildHasher` for [`KeyHasher`].
pub type BuildKeyHasher = std::hash::BuildHasherDefault<KeyHasher>;

//! Compact keys for duplicate detection.
//!
//! A key is a `u128` whose top two bits name the [`DupKind`]. Salesforce IDs pack their 15
//! significant characters exactly (6 bits each: no collisions, and 15- and 18-character forms
//! of one ID get the same key). Logins and e-mail addresses are compared case-insensitively
//! through a 126-bit xxh3 hash of the lower-cased value: a false match among a million rows has
//! a probability around 10^-26, far below any hardware error rate.

use crate::roster::{rules, Code, Field};
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
            DupKind::SfId => pack_id(v.as_bytes()).map(|k| k | self.tag()),
            _ => Some(hash_folded(v, self as u64) | self.tag()),
        }
    }

    /// [`DupKind::key`] of a cell that passed [`rules::is_clean`] (non-empty, trimmed,
    /// printable ASCII), straight from its bytes.
    pub fn key_clean(self, v: &[u8]) -> Option<DupKey> {
        match self {
            DupKind::SfId => pack_id(v).map(|k| k | self.tag()),
            _ => Some(hash_ascii(v, self as u64) | self.tag()),
        }
    }
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

fn pack_id(id: &[u8]) -> Option<u128> {
    if id.len() != 15 && id.len() != 18 {
        return None;
    }
    let (mut acc, mut bad) = (0u128, 0u8);
    for &c in &id[..15] {
        let v = B62[c as usize];
        bad |= v & 0x80;
        acc = (acc << 6) | u128::from(v & 0x3f);
    }
    (bad == 0).then_some(acc)
}

const MASK: u128 = (1 << 126) - 1;

/// 126-bit hash of the value with letters folded to lower case.
fn hash_folded(v: &str, seed: u64) -> u128 {
    if v.is_ascii() {
        hash_ascii(v.as_bytes(), seed)
    } else {
        xxh3_128_with_seed(v.to_lowercase().as_bytes(), seed) & MASK
    }
}

/// [`hash_folded`] of ASCII bytes.
fn hash_ascii(b: &[u8], seed: u64) -> u128 {
    // Most addresses are already lower case: hash them in place, no copy.
    let h = if b.iter().any(u8::is_ascii_uppercase) {
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

    #[test]
    fn clean_keys_equal_general_keys() {
        for kind in DupKind::ALL {
            for v in ["Jane.Doe@Acme.COM", "x@y.io", "005Hs00000AbCdEIAV"] {
                assert_eq!(kind.key_clean(v.as_bytes()), kind.key(v), "{kind:?} {v}");
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

//! A compact "first row holding this key" table for whole-file validation.
//!
//! Open addressing with linear probing over two flat arrays (16-byte keys, 4-byte rows), sized
//! exactly rather than to a power of two: at most 25 bytes per key, a third of a
//! `HashMap<u128, u32>`, and about one cache miss per lookup. No deletions: validation only adds.

use super::dupkey::DupKey;

const EMPTY: u32 = u32::MAX;

/// Maps each key to the first row that held it.
pub struct FirstSeen {
    keys: Vec<DupKey>,
    rows: Vec<u32>,
    len: usize,
}

/// Maps a key onto `0..slots` (multiply-shift range reduction of a folded-multiply hash).
fn slot_of(k: DupKey, slots: usize) -> usize {
    let m = u128::from((k as u64) ^ ((k >> 64) as u64).rotate_left(23)) * 0x9E37_79B9_7F4A_7C15;
    let h = ((m >> 64) as u64) ^ (m as u64);
    ((u128::from(h) * slots as u128) >> 64) as usize
}

impl FirstSeen {
    /// A table that holds `expected` keys without growing.
    pub fn with_capacity(expected: usize) -> Self {
        let slots = (expected + expected / 4).max(16);
        FirstSeen {
            keys: vec![0; slots],
            rows: vec![EMPTY; slots],
            len: 0,
        }
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.len
    }

    /// Records `row` as holding `key`; returns the earlier row if the key was already seen.
    pub fn first_or_insert(&mut self, key: DupKey, row: u32) -> Option<u32> {
        debug_assert_ne!(row, EMPTY);
        if (self.len + 1) * 5 > self.keys.len() * 4 {
            self.grow();
        }
        let n = self.keys.len();
        let mut i = slot_of(key, n);
        loop {
            match self.rows[i] {
                EMPTY => {
                    self.keys[i] = key;
                    self.rows[i] = row;
                    self.len += 1;
                    return None;
                }
                r if self.keys[i] == key => return Some(r),
                _ => {
                    i += 1;
                    if i == n {
                        i = 0;
                    }
                }
            }
        }
    }

    fn grow(&mut self) {
        let mut bigger = FirstSeen::with_capacity(self.keys.len() * 2);
        for (k, r) in self.keys.iter().zip(&self.rows) {
            if *r != EMPTY {
                bigger.first_or_insert(*k, *r);
            }
        }
        *self = bigger;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remembers_the_first_row_and_grows() {
        let mut t = FirstSeen::with_capacity(4);
        for i in 0..10_000u32 {
            assert_eq!(t.first_or_insert(u128::from(i) * 7919, i), None);
        }
        for i in 0..10_000u32 {
            assert_eq!(t.first_or_insert(u128::from(i) * 7919, i + 20_000), Some(i));
        }
        assert_eq!(t.len(), 10_000);
    }
}

//! The duplicate index: which included rows hold a key, in 8 bytes per (row, key).
//!
//! An open-addressing table (linear probing) of `fingerprint << 32 | row + 1`, one per
//! [`DupKind`](crate::roster::dup_key::DupKind). The full key is not stored: a slot whose
//! 32-bit fingerprint matches is confirmed by recomputing the key from that row's cell (the
//! caller's `holds`), which happens almost only for real duplicates. A slot's home is derived
//! from its fingerprint, so the table grows and shrinks without touching the cells. Rows
//! sharing a key sit in one probe run: finding them all costs the run's length, like the
//! sorted groups this replaces.

use crate::roster::dup_key::DupKey;

/// Most filled share of slots before the table grows by half. Runs stay short enough at this
/// load: a miss reads about 50 slots, 400 contiguous bytes.
const MAX_LOAD: (usize, usize) = (9, 10);

#[derive(Clone, Default)]
pub(super) struct KeyTable {
    slots: Vec<u64>,
    len: usize,
}

/// A key's 32-bit fingerprint: mixes all 128 bits (packed IDs are not uniform on their own).
pub(super) fn fingerprint(key: DupKey) -> u32 {
    let x = (key as u64) ^ ((key >> 64) as u64).rotate_left(23);
    let m = u128::from(x) * 0x9E37_79B9_7F4A_7C15u128;
    ((m >> 64) as u64 ^ m as u64) as u32
}

fn row_of(slot: u64) -> u32 {
    (slot as u32) - 1
}

fn fp_of(slot: u64) -> u32 {
    (slot >> 32) as u32
}

impl KeyTable {
    fn home(&self, fp: u32) -> usize {
        ((u64::from(fp) * self.slots.len() as u64) >> 32) as usize
    }

    fn next(&self, i: usize) -> usize {
        if i + 1 == self.slots.len() {
            0
        } else {
            i + 1
        }
    }

    /// Rows holding `fp` that `holds` confirms, in table order (not sorted).
    pub(super) fn rows(&self, fp: u32, mut holds: impl FnMut(u32) -> bool) -> Vec<u32> {
        let mut out = Vec::new();
        self.each(fp, |row| {
            if holds(row) {
                out.push(row);
            }
        });
        out
    }

    /// Reads `fp`'s home slot so that it is in the cache when `first` and `insert` look:
    /// a hint, it changes nothing.
    pub(super) fn warm(&self, fp: u32) {
        if let Some(slot) = self.slots.get(self.home(fp)) {
            prefetch(slot);
        }
    }

    /// The lowest row holding `fp` that `holds` confirms.
    pub(super) fn first(&self, fp: u32, mut holds: impl FnMut(u32) -> bool) -> Option<u32> {
        let mut best: Option<u32> = None;
        self.each(fp, |row| {
            if best.is_none_or(|b| row < b) && holds(row) {
                best = Some(row);
            }
        });
        best
    }

    fn each(&self, fp: u32, mut f: impl FnMut(u32)) {
        if self.slots.is_empty() {
            return;
        }
        let mut i = self.home(fp);
        loop {
            let s = self.slots[i];
            if s == 0 {
                return;
            }
            if fp_of(s) == fp {
                f(row_of(s));
            }
            i = self.next(i);
        }
    }

    /// Adds `row` under `fp` (it must not be there yet).
    pub(super) fn insert(&mut self, fp: u32, row: u32) {
        if (self.len + 1) * MAX_LOAD.1 > self.slots.len() * MAX_LOAD.0 {
            self.resize((self.slots.len() * 3 / 2).max(16));
        }
        self.place(u64::from(fp) << 32 | (u64::from(row) + 1));
        self.len += 1;
    }

    fn place(&mut self, slot: u64) {
        let mut i = self.home(fp_of(slot));
        while self.slots[i] != 0 {
            i = self.next(i);
        }
        self.slots[i] = slot;
    }

    /// Removes `row` from under `fp`; false when it was not there.
    pub(super) fn remove(&mut self, fp: u32, row: u32) -> bool {
        if self.slots.is_empty() {
            return false;
        }
        let want = u64::from(fp) << 32 | (u64::from(row) + 1);
        let mut i = self.home(fp);
        loop {
            match self.slots[i] {
                0 => return false,
                s if s == want => break,
                _ => i = self.next(i),
            }
        }
        // Backward shift: pull later entries of the run into the hole when their home allows,
        // so every entry stays reachable from its home without crossing an empty slot.
        let n = self.slots.len();
        let dist = |from: usize, to: usize| (to + n - from) % n;
        let mut hole = i;
        let mut j = i;
        loop {
            j = self.next(j);
            let s = self.slots[j];
            if s == 0 {
                break;
            }
            if dist(self.home(fp_of(s)), j) >= dist(hole, j) {
                self.slots[hole] = s;
                hole = j;
            }
        }
        self.slots[hole] = 0;
        self.len -= 1;
        true
    }

    /// Makes room for `more` keys before the table next grows.
    pub(super) fn reserve(&mut self, more: usize) {
        let want = (self.len + more) * MAX_LOAD.1 / MAX_LOAD.0 + 1;
        if want > self.slots.len() {
            self.resize(want);
        }
    }

    /// Sizes the table to `len / 0.85` slots: after a load, up to a third fewer than growth
    /// by halves may have left, with room for 5% more keys (edits) before the next growth.
    pub(super) fn shrink_to_fit(&mut self) {
        let want = (self.len * 20 / 17).max(16);
        if want < self.slots.len() {
            self.resize(want);
        }
    }

    fn resize(&mut self, cap: usize) {
        let old = std::mem::replace(&mut self.slots, vec![0; cap]);
        for s in old.into_iter().filter(|&s| s != 0) {
            self.place(s);
        }
    }

    #[cfg(test)]
    fn check_reachable(&self) {
        for (i, &s) in self.slots.iter().enumerate() {
            if s == 0 {
                continue;
            }
            let mut j = self.home(fp_of(s));
            while j != i {
                assert_ne!(self.slots[j], 0, "slot {i} cut off from its home");
                j = self.next(j);
            }
        }
    }
}

/// Asks the CPU to start loading `slot`'s cache line without waiting for it. Only x86-64 has
/// a stable prefetch instruction in Rust; elsewhere this is nothing (the table is only slower).
#[inline(always)]
fn prefetch(slot: &u64) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: a prefetch is a hint: it reads nothing into the program and cannot fault, and
    // SSE (which has it) is part of the x86-64 baseline.
    unsafe {
        use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
        _mm_prefetch::<_MM_HINT_T0>((slot as *const u64).cast::<i8>());
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = slot;
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeSet;

    proptest! {
        /// Inserts and removals on few fingerprints (long runs, wrap-around) agree with a set.
        #[test]
        fn agrees_with_a_set(ops in prop::collection::vec((any::<bool>(), 0u32..6, 0u32..40), 1..400)) {
            let mut t = KeyTable::default();
            let mut model = BTreeSet::new();
            for (add, k, row) in ops {
                // Fingerprints at both ends of the range exercise the wrap-around.
                let fp = [0, 1, u32::MAX, u32::MAX - 1, 1 << 31, 12345][k as usize];
                if add {
                    if model.insert((fp, row)) {
                        t.insert(fp, row);
                    }
                } else {
                    prop_assert_eq!(t.remove(fp, row), model.remove(&(fp, row)));
                }
                t.check_reachable();
            }
            t.shrink_to_fit();
            t.check_reachable();
            for fp in [0, 1, u32::MAX, u32::MAX - 1, 1 << 31, 12345] {
                let mut got = t.rows(fp, |_| true);
                got.sort_unstable();
                let want: Vec<u32> = model.iter().filter(|e| e.0 == fp).map(|e| e.1).collect();
                prop_assert_eq!(&got, &want);
                prop_assert_eq!(t.first(fp, |_| true), want.first().copied());
            }
        }
    }
}

//! The duplicate index: which included rows hold a key, in 8 bytes per (row, key).
//!
//! An open-addressing table (linear probing) of `fingerprint << 32 | row + 1`, one per
//! [`DupKind`](crate::roster::dup_key::DupKind). The full key is not stored: a slot whose
//! 32-bit fingerprint matches is confirmed by recomputing the key from that row's cell (the
//! caller's `holds`), which happens almost only for real duplicates. A slot's home is derived
//! from its fingerprint, so the table grows and shrinks without touching the cells. Rows
//! sharing a key sit in one probe run: finding them all costs the run's length, like the
//! sorted groups this replaces.
//!
//! A large table is split into partitions by the fingerprint's top bits, each its own small
//! table. Rows added in bulk (a load) are first logged per partition ([`KeyLog`]: sequential
//! writes), and each partition is then built at once, sized exactly and small enough to stay
//! in the cache, on both cores, instead of a random probe into one large table per key.
//! One key's insert, removal or look-up (an edit) touches one partition.

use crate::roster::dup_key::DupKey;

/// Most filled share of slots before a partition grows by half. Runs stay short enough at
/// this load: a miss reads about 50 slots, 400 contiguous bytes.
const MAX_LOAD: (usize, usize) = (9, 10);

/// Keys from which a bulk build is worth sharing out between two threads.
pub(super) const SHARE_FROM: usize = 4 * PART_KEYS;
/// Keys per partition a bulk build aims at: its table (about 40 KB) stays in the L2 cache.
const PART_KEYS: usize = 4096;
/// At most 2^12 partitions (a fingerprint has 32 bits; a partition keeps the rest).
const MAX_BITS: u32 = 12;

/// Included rows per key of one kind, in `1 << bits` partitions.
#[derive(Clone, Default)]
pub(super) struct KeyTable {
    /// Empty until the first key; then `1 << bits` partitions.
    parts: Vec<Part>,
    bits: u32,
}

/// One partition: a linear-probing table.
#[derive(Clone, Default)]
struct Part {
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

fn slot_of(fp: u32, row: u32) -> u64 {
    u64::from(fp) << 32 | (u64::from(row) + 1)
}

/// Partition bits for about `keys` keys: [`PART_KEYS`] keys each.
pub(super) fn bits_for(keys: usize) -> u32 {
    (keys / PART_KEYS)
        .checked_ilog2()
        .unwrap_or(0)
        .min(MAX_BITS)
}

fn part_index(bits: u32, fp: u32) -> usize {
    fp.checked_shr(32 - bits).unwrap_or(0) as usize
}

/// Slots for `len` keys with room for 5% more (edits) before the next growth.
fn exact_cap(len: usize) -> usize {
    (len * 20 / 17).max(16)
}

impl KeyTable {
    fn part(&self, fp: u32) -> Option<&Part> {
        self.parts.get(part_index(self.bits, fp))
    }

    fn part_mut(&mut self, fp: u32) -> &mut Part {
        if self.parts.is_empty() {
            self.parts = vec![Part::default(); 1 << self.bits];
        }
        &mut self.parts[part_index(self.bits, fp)]
    }

    /// Whether no key was ever added (the partitioning may still be chosen).
    fn is_unused(&self) -> bool {
        self.parts.is_empty()
    }

    /// Rows holding `fp` that `holds` confirms, in table order (not sorted).
    pub(super) fn rows(&self, fp: u32, mut holds: impl FnMut(u32) -> bool) -> Vec<u32> {
        let mut out = Vec::new();
        if let Some(p) = self.part(fp) {
            p.each(self.bits, fp, |row| {
                if holds(row) {
                    out.push(row);
                }
            });
        }
        out
    }

    /// The lowest row holding `fp` that `holds` confirms.
    pub(super) fn first(&self, fp: u32, holds: impl FnMut(u32) -> bool) -> Option<u32> {
        self.part(fp)?.first(self.bits, fp, holds)
    }

    /// Adds `row` under `fp` (it must not be there yet).
    pub(super) fn insert(&mut self, fp: u32, row: u32) {
        let bits = self.bits;
        self.part_mut(fp).insert(bits, slot_of(fp, row));
    }

    /// Removes `row` from under `fp`; false when it was not there.
    pub(super) fn remove(&mut self, fp: u32, row: u32) -> bool {
        let bits = self.bits;
        match self.parts.get_mut(part_index(bits, fp)) {
            Some(p) => p.remove(bits, slot_of(fp, row)),
            None => false,
        }
    }

    /// Sizes every partition to `len / 0.85` slots: after growth by halves, up to a third
    /// fewer, with room for 5% more keys (edits) before the next growth.
    pub(super) fn shrink_to_fit(&mut self) {
        let bits = self.bits;
        for p in &mut self.parts {
            let want = exact_cap(p.len);
            if want < p.slots.len() {
                p.resize(bits, want);
            }
        }
    }

    /// Adds every logged key in row order (rows after those already in the table), pushing
    /// `(row, first)` to `found` for each row whose key an earlier row holds; `holder(row)`
    /// is a test of whether another row holds `row`'s key (asked only when their
    /// fingerprints match). Each partition
    /// is sized once for what it will hold, then filled while it is in the cache; a large log
    /// is shared out between two threads when `share`.
    pub(super) fn add_log<H: FnMut(u32) -> bool>(
        &mut self,
        log: KeyLog,
        holder: impl Fn(u32) -> H + Sync,
        found: &mut Vec<(u32, u32)>,
        share: bool,
    ) {
        if self.is_unused() {
            self.bits = log.bits;
        }
        let total = log.len();
        if total == 0 {
            return;
        }
        if self.bits != log.bits {
            // A log partitioned otherwise (a table already in use): one key at a time.
            for s in log.slots {
                let (fp, row) = (fp_of(s), row_of(s));
                let bits = self.bits;
                let part = self.part_mut(fp);
                if let Some(first) = part.first(bits, fp, holder(row)) {
                    found.push((row, first));
                }
                part.insert(bits, s);
            }
            return;
        }
        if self.parts.is_empty() {
            self.parts = vec![Part::default(); 1 << self.bits];
        }
        let bits = self.bits;
        let (sorted, starts) = log.by_part();
        let fill = |jobs: Vec<(&mut Part, &[u64])>| {
            let mut out = Vec::new();
            for (part, log) in jobs {
                part.add(bits, log, &holder, &mut out);
            }
            out
        };
        let mut jobs: Vec<(&mut Part, &[u64])> = (self.parts.iter_mut())
            .zip(starts.windows(2).map(|w| &sorted[w[0]..w[1]]))
            .collect();
        if !share || total < SHARE_FROM {
            found.extend(fill(jobs));
            return;
        }
        let theirs = jobs.split_off(jobs.len() / 2);
        let (mine, theirs) = std::thread::scope(|s| {
            let other = s.spawn(|| fill(theirs));
            let mine = fill(jobs);
            (mine, other.join().expect("index build thread"))
        });
        found.extend(mine);
        found.extend(theirs);
    }

    #[cfg(test)]
    fn check_reachable(&self) {
        for p in &self.parts {
            p.check_reachable(self.bits);
        }
    }
}

impl Part {
    /// `fp`'s home slot: its bits below the partition's, scaled to the table.
    fn home(&self, bits: u32, fp: u32) -> usize {
        ((u64::from(fp << bits) * self.slots.len() as u64) >> 32) as usize
    }

    fn next(&self, i: usize) -> usize {
        if i + 1 == self.slots.len() {
            0
        } else {
            i + 1
        }
    }

    fn first(&self, bits: u32, fp: u32, mut holds: impl FnMut(u32) -> bool) -> Option<u32> {
        let mut best: Option<u32> = None;
        self.each(bits, fp, |row| {
            if best.is_none_or(|b| row < b) && holds(row) {
                best = Some(row);
            }
        });
        best
    }

    fn each(&self, bits: u32, fp: u32, mut f: impl FnMut(u32)) {
        if self.slots.is_empty() {
            return;
        }
        let mut i = self.home(bits, fp);
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

    fn insert(&mut self, bits: u32, slot: u64) {
        if (self.len + 1) * MAX_LOAD.1 > self.slots.len() * MAX_LOAD.0 {
            self.resize(bits, (self.slots.len() * 3 / 2).max(16));
        }
        self.place(bits, slot);
        self.len += 1;
    }

    /// Adds `log`'s slots in order, sized once for all of them (see [`KeyTable::add_log`]).
    fn add<H: FnMut(u32) -> bool>(
        &mut self,
        bits: u32,
        log: &[u64],
        holder: &impl Fn(u32) -> H,
        found: &mut Vec<(u32, u32)>,
    ) {
        let len = self.len + log.len();
        // Sized once, when these keys would grow it: exactly when it was empty (a load),
        // else by at least half, as one insert grows it (a few keys at a time stay cheap).
        if len * MAX_LOAD.1 > self.slots.len() * MAX_LOAD.0 {
            self.resize(bits, exact_cap(len).max(self.slots.len() * 3 / 2));
        }
        // One walk per key: the run from its home to the first empty slot holds every row
        // with its fingerprint, and that empty slot is where it goes (sized above: one is
        // always left). A walk at this load is about 20 slots; two walks took a tenth of
        // the load.
        for &s in log {
            let (fp, row) = (fp_of(s), row_of(s));
            let mut holds = holder(row);
            let mut first: Option<u32> = None;
            let mut i = self.home(bits, fp);
            while self.slots[i] != 0 {
                let t = self.slots[i];
                if fp_of(t) == fp && first.is_none_or(|f| row_of(t) < f) && holds(row_of(t)) {
                    first = Some(row_of(t));
                }
                i = self.next(i);
            }
            self.slots[i] = s;
            self.len += 1;
            if let Some(first) = first {
                found.push((row, first));
            }
        }
    }

    fn place(&mut self, bits: u32, slot: u64) {
        let mut i = self.home(bits, fp_of(slot));
        while self.slots[i] != 0 {
            i = self.next(i);
        }
        self.slots[i] = slot;
    }

    fn remove(&mut self, bits: u32, want: u64) -> bool {
        if self.slots.is_empty() {
            return false;
        }
        let mut i = self.home(bits, fp_of(want));
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
            if dist(self.home(bits, fp_of(s)), j) >= dist(hole, j) {
                self.slots[hole] = s;
                hole = j;
            }
        }
        self.slots[hole] = 0;
        self.len -= 1;
        true
    }

    fn resize(&mut self, bits: u32, cap: usize) {
        let old = std::mem::replace(&mut self.slots, vec![0; cap]);
        for s in old.into_iter().filter(|&s| s != 0) {
            self.place(bits, s);
        }
    }

    #[cfg(test)]
    fn check_reachable(&self, bits: u32) {
        for (i, &s) in self.slots.iter().enumerate() {
            if s == 0 {
                continue;
            }
            let mut j = self.home(bits, fp_of(s));
            while j != i {
                assert_ne!(self.slots[j], 0, "slot {i} cut off from its home");
                j = self.next(j);
            }
        }
    }
}

/// Keys waiting to be added to a [`KeyTable`] in bulk: `(fingerprint, row)` slots in row
/// order (one sequential stream while a file loads; one allocation, given back whole).
pub(super) struct KeyLog {
    /// The partitioning of the table it is for.
    bits: u32,
    slots: Vec<u64>,
}

impl KeyLog {
    /// A log for about `keys` keys, partitioned as a table of that size is.
    pub(super) fn with_capacity(keys: usize) -> Self {
        KeyLog {
            bits: bits_for(keys),
            slots: Vec::with_capacity(keys),
        }
    }

    /// A log partitioned as `table` is (an empty table takes the log's).
    pub(super) fn for_table(table: &KeyTable, keys: usize) -> Self {
        if table.is_unused() {
            Self::with_capacity(keys)
        } else {
            KeyLog {
                bits: table.bits,
                slots: Vec::with_capacity(keys),
            }
        }
    }

    /// Notes that `row` holds `fp` (rows in ascending order).
    #[inline]
    pub(super) fn push(&mut self, fp: u32, row: u32) {
        self.slots.push(slot_of(fp, row));
    }

    /// Forgets the rows from `len` on.
    pub(super) fn truncate(&mut self, len: u32) {
        let keep = self.slots.partition_point(|&s| row_of(s) < len);
        self.slots.truncate(keep);
    }

    pub(super) fn len(&self) -> usize {
        self.slots.len()
    }

    /// The slots grouped by partition, each group still in row order (a counting sort), and
    /// where each group starts (one more entry: the end).
    fn by_part(self) -> (Vec<u64>, Vec<usize>) {
        let mut starts = vec![0usize; (1 << self.bits) + 1];
        for &s in &self.slots {
            starts[part_index(self.bits, fp_of(s)) + 1] += 1;
        }
        for i in 1..starts.len() {
            starts[i] += starts[i - 1];
        }
        let mut at = starts.clone();
        let mut sorted = vec![0u64; self.slots.len()];
        for s in self.slots {
            let p = part_index(self.bits, fp_of(s));
            sorted[at[p]] = s;
            at[p] += 1;
        }
        (sorted, starts)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeSet;

    proptest! {
        /// Inserts and removals on few fingerprints (long runs, wrap-around) agree with a set.
        #[test]
        fn agrees_with_a_set(
            ops in prop::collection::vec((any::<bool>(), 0u32..6, 0u32..40), 1..400),
            bits in 0u32..3,
        ) {
            let mut t = KeyTable { parts: Vec::new(), bits };
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

    /// Keys added in bulk (one log, partitioned or not, on one thread or two) land where
    /// inserting them one by one puts them, with the same earlier holder for every repeat.
    #[test]
    fn a_log_adds_what_inserts_add() {
        for n in [10usize, 3 * PART_KEYS, 40_000] {
            // Row r holds key r % (n / 3 * 2): the last third of the rows repeat one.
            let key = |r: u32| fingerprint(DupKey::from(r % (n as u32 / 3 * 2)) * 0x1234_5677);
            let same = |a: u32, b: u32| key(a) == key(b);
            let mut one = KeyTable::default();
            let mut want = Vec::new();
            for r in 0..n as u32 {
                if let Some(f) = one.first(key(r), |x| same(x, r)) {
                    want.push((r, f));
                }
                one.insert(key(r), r);
            }
            // Half of the rows in one log, the rest in a second one.
            let mut bulk = KeyTable::default();
            let mut got = Vec::new();
            for rows in [0..n as u32 / 2, n as u32 / 2..n as u32] {
                let mut log = KeyLog::for_table(&bulk, n);
                rows.for_each(|r| log.push(key(r), r));
                bulk.add_log(log, |r| move |x| same(x, r), &mut got, true);
            }
            bulk.check_reachable();
            got.sort_unstable();
            assert_eq!(got, want, "{n} rows");
            assert_eq!(want.len(), n - n / 3 * 2);
            for r in 0..n as u32 {
                let mut a = one.rows(key(r), |x| same(x, r));
                let mut b = bulk.rows(key(r), |x| same(x, r));
                a.sort_unstable();
                b.sort_unstable();
                assert_eq!(a, b);
            }
        }
    }
}

//! Finding every later occurrence of a key across a whole file, cache-friendly.
//!
//! A million-row roster has four million keys; a hash table that size misses the cache on
//! every insert. Instead keys are appended to 256 partitions chosen by hash bits (sequential
//! writes), and each partition — small enough for the L2 cache — is deduplicated at the end,
//! on both cores. The first occurrence is the smallest row holding a key, so logs filled by
//! several threads in any order are deduplicated together exactly, without merging them.

use super::dup_key::{DupKey, DupKind};

const PARTS: usize = 256;

/// A 96-bit key (kind in the top two bits, then the low 94 bits of the [`DupKey`]: all of a
/// packed ID, and a hash whose collision odds in a million rows are about 10^-17) and its
/// row: 16 bytes, so the log streams through memory at two thirds of the cost.
#[derive(Clone, Copy, PartialEq, Eq)]
struct Entry {
    hi: u64,
    lo: u32,
    row: u32,
}

impl Entry {
    fn new(k: DupKey, row: u32) -> Self {
        let tag = (k >> 126) as u64;
        Entry {
            hi: (tag << 62) | ((k >> 32) as u64 & ((1 << 62) - 1)),
            lo: k as u32,
            row,
        }
    }

    fn same_key(&self, other: &Entry) -> bool {
        self.hi == other.hi && self.lo == other.lo
    }

    fn kind(&self) -> DupKind {
        DupKind::ALL[(self.hi >> 62) as usize]
    }
}

/// A later occurrence: `row` repeats `first`'s value of `kind`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Dup {
    pub row: u32,
    pub kind: DupKind,
    pub first: u32,
}

/// Keys in row order, partitioned by hash.
pub(super) struct KeyLog {
    parts: Vec<Vec<Entry>>,
}

fn part_of(k: DupKey) -> usize {
    let m = u128::from((k as u64) ^ ((k >> 64) as u64).rotate_left(31)) * 0x9E37_79B9_7F4A_7C15;
    ((((m >> 64) as u64) ^ (m as u64)) >> (64 - PARTS.trailing_zeros())) as usize
}

impl KeyLog {
    /// A log pre-sized for about `expected` keys.
    pub(super) fn with_capacity(expected: usize) -> Self {
        let each = expected / PARTS + expected / PARTS / 8 + 16;
        KeyLog {
            parts: (0..PARTS).map(|_| Vec::with_capacity(each)).collect(),
        }
    }

    /// Records that `row` holds `key`.
    pub(super) fn push(&mut self, key: DupKey, row: u32) {
        self.parts[part_of(key)].push(Entry::new(key, row));
    }
}

/// Every later occurrence of a key across `logs` (e.g. one per thread, filled in any order),
/// sorted by row then kind. Partitions are shared out between two threads.
pub(super) fn dups(logs: Vec<KeyLog>) -> Vec<Dup> {
    let work = |parity: usize| {
        let mut out = Vec::new();
        let mut table = FirstRow::default();
        let mut later = Vec::new();
        for p in (parity..PARTS).step_by(2) {
            let parts = || logs.iter().map(move |log| &log.parts[p]);
            table.reset(parts().map(Vec::len).sum());
            // One probe per entry: an entry that is not (or stops being) the smallest row of
            // its key is set aside with its slot, and reads the final smallest row afterwards.
            for e in parts().flatten() {
                match table.note(e) {
                    Noted::First => {}
                    Noted::Later(slot) => later.push((e.row, e.kind(), slot)),
                    Noted::Earlier(slot, displaced) => later.push((displaced, e.kind(), slot)),
                }
            }
            out.extend(later.drain(..).map(|(row, kind, slot)| Dup {
                row,
                kind,
                first: table.slots[slot].row,
            }));
        }
        out
    };
    let mut all = std::thread::scope(|s| {
        let other = s.spawn(|| work(1));
        let mut mine = work(0);
        mine.extend(other.join().expect("dedupe thread"));
        mine
    });
    all.sort_unstable_by_key(|d| (d.row, d.kind));
    all
}

const EMPTY: u32 = u32::MAX;

/// Smallest row per key within one partition: open addressing, linear probing, reused
/// between partitions so it stays in cache.
#[derive(Default)]
struct FirstRow {
    slots: Vec<Entry>,
    shift: u32,
}

const VACANT: Entry = Entry {
    hi: 0,
    lo: 0,
    row: EMPTY,
};

impl FirstRow {
    fn reset(&mut self, n: usize) {
        let slots = (n * 2).max(16).next_power_of_two();
        self.slots.clear();
        self.slots.resize(slots, VACANT);
        self.shift = 64 - slots.trailing_zeros();
    }

    fn slot(&self, e: &Entry) -> usize {
        ((e.hi ^ u64::from(e.lo).rotate_left(29)).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> self.shift)
            as usize
    }

    /// Notes `e`'s row against the smallest seen for its key.
    fn note(&mut self, e: &Entry) -> Noted {
        let mask = self.slots.len() - 1;
        let mut i = self.slot(e);
        loop {
            let s = &mut self.slots[i];
            if s.row == EMPTY {
                *s = *e;
                return Noted::First;
            }
            if s.same_key(e) {
                if e.row > s.row {
                    return Noted::Later(i);
                }
                let displaced = std::mem::replace(&mut s.row, e.row);
                return Noted::Earlier(i, displaced);
            }
            i = (i + 1) & mask;
        }
    }
}

/// What [`FirstRow::note`] found: the key is new, or the entry is a later occurrence, or
/// it is earlier than the one held so far (whose row is returned).
enum Noted {
    First,
    Later(usize),
    Earlier(usize, u32),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_later_occurrences_with_their_first_row() {
        let mut log = KeyLog::with_capacity(10);
        let k = |kind: DupKind, s: &str| kind.key(s).unwrap();
        for row in 0..5000u32 {
            log.push(k(DupKind::SfLogin, &format!("u{row}@x.com")), row);
            log.push(
                k(DupKind::O365Email, &format!("u{}@x.com", row % 2500)),
                row,
            );
        }
        let dups = dups(vec![log]);
        assert_eq!(dups.len(), 2500);
        assert_eq!(
            dups[0],
            Dup {
                row: 2500,
                kind: DupKind::O365Email,
                first: 0
            }
        );
        assert!(dups.iter().all(|d| d.first + 2500 == d.row));
    }

    #[test]
    fn order_of_pushes_and_merges_does_not_matter() {
        let k = |s: &str| DupKind::SfLogin.key(s).unwrap();
        let mut a = KeyLog::with_capacity(4);
        let mut b = KeyLog::with_capacity(4);
        b.push(k("x@y.com"), 9);
        a.push(k("x@y.com"), 4);
        b.push(k("x@y.com"), 2);
        let rows: Vec<(u32, u32)> = dups(vec![a, b]).iter().map(|d| (d.row, d.first)).collect();
        assert_eq!(rows, vec![(4, 2), (9, 2)]);
    }

    #[test]
    fn every_arrival_order_finds_the_same_first_row() {
        let k = DupKind::O365Email.key("a@b.com").unwrap();
        let rows = [7u32, 3, 11, 5];
        // All 24 orders, each split between two logs at every point.
        let mut orders = vec![vec![]];
        for _ in 0..rows.len() {
            orders = orders
                .into_iter()
                .flat_map(|o: Vec<u32>| {
                    rows.iter()
                        .filter(|r| !o.contains(r))
                        .map(|r| [o.clone(), vec![*r]].concat())
                        .collect::<Vec<_>>()
                })
                .collect();
        }
        assert_eq!(orders.len(), 24);
        for order in orders {
            for split in 0..=order.len() {
                let (mut a, mut b) = (KeyLog::with_capacity(4), KeyLog::with_capacity(4));
                order[..split].iter().for_each(|&r| a.push(k, r));
                order[split..].iter().for_each(|&r| b.push(k, r));
                let got: Vec<(u32, u32)> =
                    dups(vec![a, b]).iter().map(|d| (d.row, d.first)).collect();
                assert_eq!(
                    got,
                    vec![(5, 3), (7, 3), (11, 3)],
                    "{order:?} split {split}"
                );
            }
        }
    }
}

//! The address check for addresses of up to 64 bytes as bit masks, without a branch per
//! byte: SSE2 classifies 16 bytes at a time into one bit per byte and class, and the
//! grammar becomes a few shifts and ands on those masks. On a roster every row has three
//! addresses, and the byte loop's branches (one per dot, `@` and capital) were a fifth of
//! the whole-file validation time. SSE2 is part of x86-64, so this needs no run-time check
//! (the module only exists when the target has it); other targets use the byte loop. Agrees exactly with it (property tests check both).

use super::{CLASS, PUNCT, QMARK};
use std::arch::x86_64::{
    __m128i, _mm_add_epi8, _mm_cmpeq_epi8, _mm_cmplt_epi8, _mm_movemask_epi8, _mm_set1_epi8,
    _mm_set_epi64x,
};

/// Longest address this path takes.
pub(super) const MAX: usize = 64;

/// One bit per byte of the address, per class.
#[derive(Default)]
struct Masks {
    lower: u64,
    upper: u64,
    digit: u64,
    dot: u64,
    at: u64,
    hyphen: u64,
}

/// Bytes in `lo..=hi`: shifted so the range starts at -128, then one signed compare.
#[target_feature(enable = "sse2")]
fn in_range(v: __m128i, lo: u8, hi: u8) -> u64 {
    let shifted = _mm_add_epi8(v, _mm_set1_epi8(0x80u8.wrapping_sub(lo) as i8));
    let limit = _mm_set1_epi8((0x80u8.wrapping_add(hi - lo + 1)) as i8);
    _mm_movemask_epi8(_mm_cmplt_epi8(shifted, limit)) as u16 as u64
}

#[target_feature(enable = "sse2")]
fn equal(v: __m128i, b: u8) -> u64 {
    _mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8(b as i8))) as u16 as u64
}

#[target_feature(enable = "sse2")]
fn classify(addr: &[u8]) -> Masks {
    let mut buf = [0u8; MAX];
    buf[..addr.len()].copy_from_slice(addr);
    let mut m = Masks::default();
    for (k, chunk) in buf.chunks_exact(16).enumerate() {
        if k * 16 >= addr.len() {
            break;
        }
        let word = |i: usize| {
            i64::from_le_bytes(
                chunk[i..i + 8]
                    .try_into()
                    .expect("8 bytes of a 16-byte chunk"),
            )
        };
        let v = _mm_set_epi64x(word(8), word(0));
        let shift = 16 * k;
        m.lower |= in_range(v, b'a', b'z') << shift;
        m.upper |= in_range(v, b'A', b'Z') << shift;
        m.digit |= in_range(v, b'0', b'9') << shift;
        m.dot |= equal(v, b'.') << shift;
        m.at |= equal(v, b'@') << shift;
        m.hyphen |= equal(v, b'-') << shift;
    }
    m
}

/// `Some(has capitals)` for a valid address of at most [`MAX`] bytes, `None` if invalid (or,
/// with `NO_QMARK`, if it has a `?`).
#[target_feature(enable = "sse2")]
pub(super) fn valid_case<const NO_QMARK: bool>(addr: &[u8]) -> Option<bool> {
    let n = addr.len();
    debug_assert!(n <= MAX);
    let m = classify(addr);
    let all = if n == 64 { u64::MAX } else { (1u64 << n) - 1 };
    let bit = |i: usize| 1u64 << i;
    // Exactly one '@', with 1..=63 bytes before it and 3..=253 after.
    if m.at.count_ones() != 1 {
        return None;
    }
    let at = m.at.trailing_zeros() as usize;
    if at == 0 || n - at - 1 < 3 {
        return None;
    }
    let local = bit(at) - 1;
    let domain = all & !(bit(at + 1) - 1);
    let alnum = m.lower | m.upper | m.digit;

    // Local part: a dot-atom; the rare punctuation bytes are looked up one by one.
    let dots = m.dot & local;
    if dots & (1 | bit(at - 1) | (dots >> 1)) != 0 {
        return None;
    }
    let mut other = local & !(alnum | m.dot | m.hyphen);
    while other != 0 {
        let class = CLASS[addr[other.trailing_zeros() as usize] as usize];
        if !(class == PUNCT || (class == QMARK && !NO_QMARK)) {
            return None;
        }
        other &= other - 1;
    }

    // Domain: dot-separated, non-empty labels of letters, digits and inner hyphens (each
    // under 63 bytes here, as the whole address is), at least two, the last not all digits.
    let dots = m.dot & domain;
    let hyphens = m.hyphen & domain;
    let (first, last) = (bit(at + 1), bit(n - 1));
    let label_starts = first | ((dots << 1) & domain);
    let label_ends = last | (dots >> 1);
    if domain & !(alnum | m.dot | m.hyphen) != 0
        || dots == 0
        || dots & (first | last | (dots >> 1)) != 0
        || hyphens & (label_starts | label_ends) != 0
    {
        return None;
    }
    let top = domain & !(bit(63 - dots.leading_zeros() as usize + 1) - 1);
    if top & !m.digit == 0 {
        return None;
    }
    Some(m.upper & all != 0)
}

//! Deterministic synthetic rosters with injected defects, for tests and benchmarks.
//!
//! The project's own data source (nothing outside the repository is needed to test or
//! benchmark). Each injected defect is reported with the code validation must find.

use super::rules::sfid::to_18;
use super::{Code, Field};
use std::fmt::Write;

/// How to generate a roster.
#[derive(Clone, Debug)]
pub struct SynthOptions {
    pub rows: usize,
    pub seed: u64,
    /// Fraction of rows given one defect.
    pub error_rate: f64,
    pub delimiter: u8,
    pub crlf: bool,
}

impl Default for SynthOptions {
    fn default() -> Self {
        SynthOptions {
            rows: 1000,
            seed: 1,
            error_rate: 0.05,
            delimiter: b',',
            crlf: true,
        }
    }
}

/// A generated roster and what was injected where.
pub struct Synth {
    /// The CSV text, header included.
    pub csv: String,
    /// `(0-based row, code)` for every injected defect.
    pub truth: Vec<(usize, Code)>,
}

const FIRST: &[&str] = &[
    "James", "Mary", "Robert", "Patricia", "Priya", "Wei", "Olga", "Kwame", "Lucia", "Sven",
    "Aisha", "Hiroshi", "Camille", "Mateo", "Ngozi", "Dmitri",
];
/// Family names, shared with `directory::synth` (whose given names add non-ASCII ones).
pub(crate) const LAST: &[&str] = &[
    "Smith",
    "Garcia",
    "O'Brien",
    "Nguyen",
    "Kowalski",
    "Van der Berg",
    "Okafor",
    "Tanaka",
    "Schneider",
    "Iyer",
    "Dubois",
    "Rossi",
    "Smith-Jones",
    "Khan",
    "Larsen",
    "Petrov",
];
const B62: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// The generators' random numbers (`directory::synth` uses them too): seeded, so every run
/// makes the same data.
pub(crate) struct Rng(pub(crate) u64);

impl Rng {
    pub(crate) fn next(&mut self) -> u64 {
        // SplitMix64: tiny, fast and well distributed.
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform enough in `0..n` for test data.
    pub(crate) fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    /// True with probability `p` (0.0–1.0).
    pub(crate) fn chance(&mut self, p: f64) -> bool {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64 <= p
    }

    /// True `percent` times in a hundred.
    pub(crate) fn percent(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

/// A distinct, valid 18-character User ID for row `i`.
pub fn user_id(i: usize, seed: u64) -> String {
    let mut x = (i as u64)
        .wrapping_add(seed.wrapping_mul(1_000_003))
        .wrapping_mul(0x2545_F491_4F6C_DD1D)
        & ((1 << 53) - 1);
    let mut body = [b'0'; 9];
    for slot in body.iter_mut().rev() {
        *slot = B62[(x % 62) as usize];
        x /= 62;
    }
    let id15 = format!("005Hs0{}", std::str::from_utf8(&body).expect("ascii"));
    to_18(&id15)
}

/// Generates a roster.
pub fn generate(opts: &SynthOptions) -> Synth {
    let mut rng = Rng(opts.seed);
    let d = opts.delimiter as char;
    let nl = if opts.crlf { "\r\n" } else { "\n" };
    let mut csv = String::with_capacity(opts.rows * 120);
    let header: Vec<&str> = Field::ALL.iter().map(|f| f.title()).collect();
    csv.push_str(&header.join(&d.to_string()));
    csv.push_str(nl);
    let mut truth = Vec::new();
    let mut earlier: Vec<[String; 5]> = Vec::new();
    for i in 0..opts.rows {
        let first = FIRST[rng.below(FIRST.len())];
        let last = LAST[rng.below(LAST.len())];
        let local = format!(
            "{}.{}{}",
            first.to_lowercase(),
            last.to_lowercase().replace([' ', '\''], ""),
            i
        );
        let mut cells = [
            format!("{first} {last}"),
            format!("{local}@acme.com"),
            user_id(i, opts.seed),
            format!("{local}@acme.onmicrosoft.com"),
            format!("{local}@acme.com"),
        ];
        if rng.chance(opts.error_rate) {
            let (col, code) = inject(&mut rng, &mut cells, &earlier);
            truth.push((i, code));
            let _ = col;
        } else if earlier.len() < 256 {
            earlier.push(cells.clone());
        }
        for (k, c) in cells.iter().enumerate() {
            if k > 0 {
                csv.push(d);
            }
            if c.contains([d, '"', '\n', '\r']) {
                let _ = write!(csv, "\"{}\"", c.replace('"', "\"\""));
            } else {
                csv.push_str(c);
            }
        }
        csv.push_str(nl);
    }
    Synth { csv, truth }
}

/// Breaks one cell of a clean row; returns the column and the code it must produce.
fn inject(rng: &mut Rng, cells: &mut [String; 5], earlier: &[[String; 5]]) -> (usize, Code) {
    let (n, sfl, id, ol, oe) = (0, 1, 2, 3, 4);
    let kind = rng.below(if earlier.is_empty() { 16 } else { 19 });
    match kind {
        0 => {
            cells[oe] = cells[oe].replace('@', "");
            (oe, Code::AddressInvalid)
        }
        1 => {
            cells[ol] = format!("mailto:{}", cells[ol]);
            (ol, Code::MailtoPrefix)
        }
        2 => {
            cells[oe] = format!("{} <{}>", cells[n], cells[oe]);
            (oe, Code::DisplayNameForm)
        }
        3 => {
            cells[sfl].push(';');
            (sfl, Code::TrailingPunctuation)
        }
        4 => {
            cells[ol] = String::new();
            (ol, Code::MissingValue)
        }
        5 => {
            cells[n] = "  ".into();
            (n, Code::MissingValue)
        }
        6 => {
            cells[id].truncate(15);
            (id, Code::Sfid15)
        }
        7 => {
            cells[id] = cells[id].to_lowercase();
            (id, Code::SfidCase)
        }
        8 => {
            let last = cells[id].pop().expect("18 chars");
            cells[id].push(if last == 'A' { 'B' } else { 'A' });
            (id, Code::SfidChecksum)
        }
        9 => {
            cells[id] = to_18(&format!("003{}", &cells[id][3..15]));
            (id, Code::SfidPrefix)
        }
        10 => {
            cells[id].insert(9, '-');
            cells[id].truncate(18);
            (id, Code::SfidFormat)
        }
        11 => {
            cells[sfl] = format!("{}@{}.example.com", "x".repeat(40), "y".repeat(40));
            (sfl, Code::SfLoginTooLong)
        }
        12 => {
            cells[oe] = format!(" {}", cells[oe]);
            (oe, Code::SurroundingWhitespace)
        }
        13 => {
            cells[n] = "=HYPERLINK(\"http://evil.example\",\"x\")".into();
            (n, Code::FormulaLike)
        }
        14 => {
            cells[n] = cells[n].replacen(' ', "\r\n", 1);
            (n, Code::NameLineBreak)
        }
        15 => {
            cells[ol] = cells[ol].replacen('.', "\u{200b}.", 1);
            (ol, Code::InvisibleChar)
        }
        16 => {
            cells[id] = earlier[rng.below(earlier.len())][id].clone();
            (id, Code::DupSfid)
        }
        17 => {
            cells[sfl] = earlier[rng.below(earlier.len())][sfl].to_uppercase();
            (sfl, Code::DupSfLogin)
        }
        _ => {
            cells[ol] = earlier[rng.below(earlier.len())][ol].clone();
            (ol, Code::DupO365Login)
        }
    }
}

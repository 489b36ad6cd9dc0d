//! Which of comma, semicolon, tab or pipe separates the fields.

/// The delimiters we look for, in order of preference on a tie.
pub(crate) const CANDIDATES: [u8; 4] = [b',', b';', b'\t', b'|'];

/// A human name for a delimiter byte.
pub(crate) fn name(d: u8) -> &'static str {
    match d {
        b',' => "comma",
        b';' => "semicolon",
        b'\t' => "tab",
        b'|' => "pipe",
        _ => "other",
    }
}

/// Parses `,` `;` `|` `tab` `\t` `comma` `semicolon` `pipe` from the command line.
pub(crate) fn parse(s: &str) -> Option<u8> {
    Some(match s {
        "," | "comma" => b',',
        ";" | "semicolon" => b';',
        "\t" | "\\t" | "tab" => b'\t',
        "|" | "pipe" => b'|',
        _ => return None,
    })
}

/// Counts each candidate per line, outside quotes, over the first lines of `text`.
fn counts_per_line(text: &str, max_lines: usize) -> Vec<[usize; 4]> {
    let mut lines = Vec::new();
    let mut current = [0usize; 4];
    let mut in_quotes = false;
    for b in text.bytes() {
        match b {
            b'"' => in_quotes = !in_quotes,
            b'\n' if !in_quotes => {
                lines.push(current);
                current = [0; 4];
                if lines.len() == max_lines {
                    return lines;
                }
            }
            _ if !in_quotes => {
                if let Some(i) = CANDIDATES.iter().position(|&c| c == b) {
                    current[i] += 1;
                }
            }
            _ => {}
        }
    }
    if current.iter().any(|&c| c > 0) {
        lines.push(current);
    }
    lines
}

/// Excel's delimiter hint: a first line `sep=X` (any case) naming the delimiter, which Excel
/// honours and hides. Returns the delimiter and the bytes of that line with its line break.
pub(crate) fn sep_line(text: &str) -> Option<(u8, usize)> {
    let rest = text.as_bytes();
    if rest.len() < 5 || !rest[..4].eq_ignore_ascii_case(b"sep=") {
        return None;
    }
    let d = match rest[4] {
        b'\t' => b'\t',
        b if b.is_ascii_graphic() || b == b' ' => b,
        _ => return None,
    };
    let ending = match &rest[5..] {
        [] => 0,
        [b'\r', b'\n', ..] => 2,
        [b'\n' | b'\r', ..] => 1,
        _ => return None,
    };
    Some((d, 5 + ending))
}

/// Picks the delimiter that splits the header into the most fields and the following lines
/// into the same number most consistently. `None` when no candidate appears in the header.
pub(crate) fn detect(text: &str) -> Option<u8> {
    let lines = counts_per_line(text, 50);
    let header = lines.first()?;
    let mut best: Option<(usize, usize, u8)> = None;
    for (i, &d) in CANDIDATES.iter().enumerate() {
        let n = header[i];
        if n == 0 {
            continue;
        }
        let agreeing = lines[1..].iter().filter(|l| l[i] == n).count();
        let score = (agreeing, n);
        if best.is_none_or(|(a, m, _)| score > (a, m)) {
            best = Some((score.0, score.1, d));
        }
    }
    best.map(|(_, _, d)| d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_excels_sep_line() {
        assert_eq!(sep_line("sep=;\r\nName;Email"), Some((b';', 7)));
        assert_eq!(sep_line("SEP=\t\nName"), Some((b'\t', 6)));
        assert_eq!(sep_line("sep=,"), Some((b',', 5)));
        assert_eq!(sep_line("sep=;x\nName"), None);
        assert_eq!(sep_line("separator,Name\n"), None);
        assert_eq!(sep_line("Name,Email\n"), None);
    }

    #[test]
    fn detects_each_delimiter() {
        assert_eq!(detect("a,b,c\n1,2,3\n"), Some(b','));
        assert_eq!(detect("a;b;c\r\n1,5;2;3\r\n"), Some(b';'));
        assert_eq!(detect("a\tb\tc\n1\t2\t3"), Some(b'\t'));
        assert_eq!(detect("a|b|c\n1|2|3"), Some(b'|'));
        assert_eq!(detect("just one column\nx\n"), None);
    }

    #[test]
    fn ignores_delimiters_inside_quotes() {
        let text = "Name;Login\n\"Doe, Jane\";j@x.com\n\"Roe, Ann\";a@x.com\n";
        assert_eq!(detect(text), Some(b';'));
    }
}

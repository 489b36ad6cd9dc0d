//! Making untrusted cell text safe and short enough to draw.

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// Replaces what a terminal would not show faithfully: line breaks become `⏎`, other control
/// characters and invisible ones (zero-width, non-breaking spaces) become `·`, so the admin can
/// see what a finding talks about.
pub(crate) fn visible(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '\n' | '\r' => '⏎',
            '\u{a0}' | '\u{2007}' | '\u{202f}' | '\u{feff}' => '·',
            c if c.is_control() => '·',
            c if c.width() == Some(0) => '·',
            c => c,
        })
        .collect()
}

/// `s` cut to at most `width` columns, ending in `…` when cut.
pub(crate) fn fit(s: &str, width: usize) -> String {
    if s.width() <= width {
        return s.to_string();
    }
    if width == 0 {
        return String::new();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in s.chars() {
        let w = c.width().unwrap_or(0);
        if used + w > width - 1 {
            break;
        }
        out.push(c);
        used += w;
    }
    out.push('…');
    out
}

/// `s` in pieces of at most `width` columns: at the last space when there is one in the
/// piece's last two thirds, else exactly at the width (addresses have no spaces).
pub(crate) fn wrap(s: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let mut out = Vec::new();
    let mut rest = s;
    while rest.width() > width {
        let mut end = 0;
        let mut used = 0;
        let mut space = None;
        for (i, c) in rest.char_indices() {
            let w = c.width().unwrap_or(0);
            if used + w > width {
                break;
            }
            used += w;
            end = i + c.len_utf8();
            if c == ' ' && used > width / 3 {
                space = Some(end);
            }
        }
        if end == 0 {
            // A character wider than the width: take it alone.
            end = rest.chars().next().map_or(rest.len(), char::len_utf8);
        }
        let cut = space.unwrap_or(end);
        out.push(rest[..cut].to_string());
        rest = &rest[cut..];
    }
    out.push(rest.to_string());
    out
}

/// Display width of `s`.
pub(crate) fn width(s: &str) -> usize {
    s.width()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fit_cuts_with_ellipsis() {
        assert_eq!(fit("abcdef", 4), "abc…");
        assert_eq!(fit("abc", 4), "abc");
    }

    #[test]
    fn wrap_breaks_at_spaces_in_the_second_half_or_at_the_width() {
        assert_eq!(wrap("abcdefghij", 4), ["abcd", "efgh", "ij"]);
        assert_eq!(wrap("Ada de la Cruz", 8), ["Ada de ", "la Cruz"]);
        assert_eq!(wrap("", 4), [""]);
        assert_eq!(wrap("ab", 4), ["ab"]);
    }

    #[test]
    fn visible_shows_hidden_characters() {
        assert_eq!(visible("a\u{200b}b\nc\u{a0}"), "a·b⏎c·");
    }
}

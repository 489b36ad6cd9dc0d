//! Making untrusted cell text safe and short enough to draw.

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// Replaces what a terminal would not show faithfully: line breaks become `⏎`, other control
/// characters and invisible ones (zero-width, non-breaking spaces) become `·`, so the admin can
/// see what a finding talks about.
pub fn visible(s: &str) -> String {
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
pub fn fit(s: &str, width: usize) -> String {
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

/// Display width of `s`.
pub fn width(s: &str) -> usize {
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
    fn visible_shows_hidden_characters() {
        assert_eq!(visible("a\u{200b}b\nc\u{a0}"), "a·b⏎c·");
    }
}

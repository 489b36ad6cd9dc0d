//! Small helpers for writing Markdown that shows admin-typed text literally.

/// Escapes characters that Markdown would read as formatting, so typed values show as typed.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if "\\`*_[]<>|#!~".contains(c) {
            out.push('\\');
        }
        match c {
            '\n' | '\r' => out.push(' '),
            _ => out.push(c),
        }
    }
    out
}

/// An inline code span showing `s` as it is: backslash escapes do not apply inside one, so
/// the fence is made longer than any run of backticks in `s` instead.
pub fn code_span(s: &str) -> String {
    let s = s.replace(['\n', '\r'], " ");
    let mut fence = "`".to_string();
    while s.contains(&fence) {
        fence.push('`');
    }
    let pad = if s.starts_with('`') || s.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{s}{pad}{fence}")
}

/// A fenced code block whose fence cannot be closed by the content.
pub fn code_block(lang: &str, body: &str) -> String {
    let mut fence = "```".to_string();
    while body.contains(&fence) {
        fence.push('`');
    }
    format!("{fence}{lang}\n{body}\n{fence}\n")
}

//! Tab completion of a path, as a pure function of the typed text, the folder's entries and
//! the platform's path rule (Windows also separates folders with `\` and has drive letters).

/// How a platform writes paths: which characters separate folders.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum PathRule {
    /// `/` only.
    Unix,
    /// `\` and `/`, and a drive prefix such as `C:`.
    Windows,
}

impl PathRule {
    /// The rule of the platform this program was built for.
    pub(super) const NATIVE: PathRule = if cfg!(windows) {
        PathRule::Windows
    } else {
        PathRule::Unix
    };

    fn is_separator(self, c: char) -> bool {
        c == '/' || (self == PathRule::Windows && c == '\\')
    }
}

/// Splits `typed` into its folder part (up to and including the last separator, or a bare
/// Windows drive such as `C:`) and the name being typed.
pub(super) fn split(typed: &str, rule: PathRule) -> (&str, &str) {
    let at = match typed.rfind(|c| rule.is_separator(c)) {
        Some(i) => i + 1,
        None => {
            let b = typed.as_bytes();
            let drive = rule == PathRule::Windows
                && b.len() >= 2
                && b[0].is_ascii_alphabetic()
                && b[1] == b':';
            if drive {
                2
            } else {
                0
            }
        }
    };
    typed.split_at(at)
}

/// The folder whose entries complete `typed`: its folder part, or `.` when it has none.
pub(super) fn folder_to_list(typed: &str, rule: PathRule) -> &str {
    match split(typed, rule).0 {
        "" => ".",
        dir => dir,
    }
}

/// What completing `typed` against `entries` (names in the folder `typed` points into, with
/// `is_dir`) gives: the new text and, when several match, the candidates. Folders get the
/// separator the user typed last (`/` when none, or `\` under Windows rules).
pub(super) fn complete(
    typed: &str,
    entries: &[(String, bool)],
    rule: PathRule,
) -> (String, Vec<String>) {
    let (dir, prefix) = split(typed, rule);
    let sep = match (dir.chars().last(), rule) {
        (Some(c), _) if rule.is_separator(c) => c,
        (_, PathRule::Windows) => '\\',
        (_, PathRule::Unix) => '/',
    };
    let mut matches: Vec<(String, bool)> = entries
        .iter()
        .filter(|(name, _)| name.starts_with(prefix))
        .filter(|(name, _)| !name.starts_with('.') || prefix.starts_with('.'))
        .cloned()
        .collect();
    matches.sort();
    let full = |(name, is_dir): &(String, bool)| {
        format!(
            "{dir}{name}{}",
            if *is_dir {
                sep.to_string()
            } else {
                String::new()
            }
        )
    };
    match matches.len() {
        0 => (typed.to_string(), Vec::new()),
        1 => (full(&matches[0]), vec![full(&matches[0])]),
        _ => {
            let first = &matches[0].0;
            let mut common = first.len();
            for (m, _) in &matches[1..] {
                common = common.min(
                    first
                        .char_indices()
                        .zip(m.chars())
                        .take_while(|((_, a), b)| a == b)
                        .last()
                        .map_or(0, |((i, a), _)| i + a.len_utf8()),
                );
            }
            (
                format!("{dir}{}", &first[..common]),
                matches.iter().map(full).collect(),
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn e(names: &[(&str, bool)]) -> Vec<(String, bool)> {
        names.iter().map(|(n, d)| (n.to_string(), *d)).collect()
    }

    #[test]
    fn single_match_completes_fully_and_dirs_get_a_slash() {
        let entries = e(&[("roster.csv", false), ("data", true)]);
        assert_eq!(complete("ro", &entries, PathRule::Unix).0, "roster.csv");
        assert_eq!(complete("d", &entries, PathRule::Unix).0, "data/");
    }

    #[test]
    fn several_matches_complete_the_common_prefix() {
        let entries = e(&[("users-2024.csv", false), ("users-2025.csv", false)]);
        let (text, cands) = complete("in/u", &entries, PathRule::Unix);
        assert_eq!(text, "in/users-202");
        assert_eq!(cands.len(), 2);
    }

    #[test]
    fn windows_paths_split_at_backslashes_and_drives() {
        let w = PathRule::Windows;
        assert_eq!(split(r"C:\Users\jane\ro", w), (r"C:\Users\jane\", "ro"));
        assert_eq!(split(r"C:\a/b\c", w), (r"C:\a/b\", "c"));
        assert_eq!(split("C:ro", w), ("C:", "ro"));
        assert_eq!(split(r"\\server\share\x", w), (r"\\server\share\", "x"));
        assert_eq!(folder_to_list(r"C:\a\b", w), r"C:\a\");
        assert_eq!(folder_to_list("ro", w), ".");
        // Under Unix rules a backslash is part of a name, and so is a colon.
        assert_eq!(split(r"C:\a\b", PathRule::Unix), ("", r"C:\a\b"));
        assert_eq!(
            split("/home/jane/ro", PathRule::Unix),
            ("/home/jane/", "ro")
        );
        assert_eq!(folder_to_list("/x", PathRule::Unix), "/");
    }

    #[test]
    fn windows_completion_keeps_the_folder_and_adds_a_backslash_to_folders() {
        let entries = e(&[("roster.csv", false), ("data", true)]);
        let w = PathRule::Windows;
        assert_eq!(
            complete(r"C:\Users\ro", &entries, w).0,
            r"C:\Users\roster.csv"
        );
        assert_eq!(complete(r"C:\Users\d", &entries, w).0, r"C:\Users\data\");
        assert_eq!(complete("C:/Users/d", &entries, w).0, "C:/Users/data/");
        assert_eq!(complete("d", &entries, w).0, r"data\");
    }
}

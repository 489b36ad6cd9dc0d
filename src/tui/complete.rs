//! Tab completion of a path, as a pure function of the typed text and the folder's entries.

/// What completing `typed` against `entries` (names in the folder `typed` points into, with
/// `is_dir`) gives: the new text and, when several match, the candidates.
pub fn complete(typed: &str, entries: &[(String, bool)]) -> (String, Vec<String>) {
    let (dir, prefix) = match typed.rfind('/') {
        Some(i) => (&typed[..=i], &typed[i + 1..]),
        None => ("", typed),
    };
    let mut matches: Vec<(String, bool)> = entries
        .iter()
        .filter(|(name, _)| name.starts_with(prefix))
        .filter(|(name, _)| !name.starts_with('.') || prefix.starts_with('.'))
        .cloned()
        .collect();
    matches.sort();
    let full =
        |(name, is_dir): &(String, bool)| format!("{dir}{name}{}", if *is_dir { "/" } else { "" });
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
        assert_eq!(complete("ro", &entries).0, "roster.csv");
        assert_eq!(complete("d", &entries).0, "data/");
    }

    #[test]
    fn several_matches_complete_the_common_prefix() {
        let entries = e(&[("users-2024.csv", false), ("users-2025.csv", false)]);
        let (text, cands) = complete("in/u", &entries);
        assert_eq!(text, "in/users-202");
        assert_eq!(cands.len(), 2);
    }
}

//! "Did you mean ...?" for misspelt config keys: the nearest known name by edit
//! distance (Levenshtein with adjacent transpositions, so `tua` is one edit from
//! `tau`).

/// Edit distance between `a` and `b` (optimal string alignment: insertions,
/// deletions, substitutions and swaps of two adjacent characters each cost 1),
/// compared case-insensitively.
pub(crate) fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().flat_map(char::to_lowercase).collect();
    let b: Vec<char> = b.chars().flat_map(char::to_lowercase).collect();
    // Three rolling rows: i-2, i-1, i.
    let mut prev2: Vec<usize> = vec![0; b.len() + 1];
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur: Vec<usize> = vec![0; b.len() + 1];
    for i in 1..=a.len() {
        cur[0] = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut d = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d = d.min(prev2[j - 2] + 1);
            }
            cur[j] = d;
        }
        std::mem::swap(&mut prev2, &mut prev);
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// The candidate nearest to `word`, if it is close enough to be a plausible
/// typo: at most one edit per three characters (and at least one), or one name
/// a prefix of the other of length >= 3. Ties go to the earlier candidate.
pub(crate) fn nearest<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    // Very long inputs (fuzzed or pasted text) are never typos of a short key,
    // and the distance is quadratic in length.
    if word.is_empty() || word.chars().count() > 64 {
        return None;
    }
    let lower = word.to_lowercase();
    let mut best: Option<(usize, &'a str)> = None;
    for cand in candidates {
        let d = edit_distance(word, cand);
        let longest = word.chars().count().max(cand.chars().count());
        let close = d <= (longest / 3).max(1);
        let cand_lower = cand.to_lowercase();
        let prefix = lower.len().min(cand_lower.len()) >= 3
            && (cand_lower.starts_with(&lower) || lower.starts_with(&cand_lower));
        if (close || prefix) && best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, cand));
        }
    }
    best.map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances() {
        assert_eq!(edit_distance("tau", "tau"), 0);
        assert_eq!(edit_distance("tua", "tau"), 1);
        assert_eq!(edit_distance("gird", "grid"), 1);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("TAU", "tau"), 0);
    }

    #[test]
    fn suggestions() {
        let keys = ["tau", "eta", "kernel", "interaction", "interaction_modes"];
        assert_eq!(nearest("tua", keys), Some("tau"));
        assert_eq!(nearest("kernal", keys), Some("kernel"));
        assert_eq!(nearest("interaction_mode", keys), Some("interaction_modes"));
        assert_eq!(nearest("zzzzzz", keys), None);
        assert_eq!(nearest(&"x".repeat(1000), keys), None);
        assert_eq!(nearest("", ["n"]), None);
    }
}

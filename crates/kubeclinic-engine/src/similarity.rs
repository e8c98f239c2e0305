//! How alike two names are, to tell a typo (`app-confg`, `postgress`) from another object.

/// Edits between two names, to tell a typo (`app-confg`) from another object.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitution = diagonal + usize::from(ca != *cb);
            diagonal = row[j + 1];
            row[j + 1] = substitution.min(row[j] + 1).min(row[j + 1] + 1);
        }
    }
    row[b.len()]
}

/// [`edit_distance`] when it is at most `limit`, else `None`; stops as soon as every path
/// through the table costs more, and compares bytes when both names are ASCII.
pub fn distance_within(a: &str, b: &str, limit: usize) -> Option<usize> {
    fn within<T: PartialEq>(a: &[T], b: &[T], limit: usize) -> Option<usize> {
        if a.len().abs_diff(b.len()) > limit {
            return None;
        }
        let mut row: Vec<usize> = (0..=b.len()).collect();
        for (i, ca) in a.iter().enumerate() {
            let mut diagonal = row[0];
            row[0] = i + 1;
            let mut best = row[0];
            for (j, cb) in b.iter().enumerate() {
                let substitution = diagonal + usize::from(ca != cb);
                diagonal = row[j + 1];
                row[j + 1] = substitution.min(row[j] + 1).min(row[j + 1] + 1);
                best = best.min(row[j + 1]);
            }
            if best > limit {
                return None;
            }
        }
        Some(row[b.len()]).filter(|d| *d <= limit)
    }
    if a.is_ascii() && b.is_ascii() {
        within(a.as_bytes(), b.as_bytes(), limit)
    } else {
        let a: Vec<char> = a.chars().collect();
        let b: Vec<char> = b.chars().collect();
        within(&a, &b, limit)
    }
}

/// The one candidate that looks like a misspelling of `wanted`: equal but for case, or at most
/// two edits away (one for short names). `None` when there is none or more than one.
pub fn nearest<'c>(wanted: &str, candidates: impl IntoIterator<Item = &'c str>) -> Option<&'c str> {
    let length = wanted.chars().count();
    let limit = if length <= 4 { 1 } else { 2 };
    let mut best: Vec<(usize, &str)> = candidates
        .into_iter()
        .filter(|c| *c != wanted)
        // More letters apart than the limit cannot be few enough edits.
        .filter(|c| {
            c.len().abs_diff(wanted.len()) <= limit * 4
                && c.chars().count().abs_diff(length) <= limit
        })
        .filter_map(|c| {
            let d = if c.eq_ignore_ascii_case(wanted) {
                0
            } else {
                distance_within(wanted, c, limit)?
            };
            Some((d, c))
        })
        .collect();
    best.sort();
    best.dedup_by(|a, b| a.1 == b.1);
    match best.as_slice() {
        [(_, only)] => Some(only),
        [(d1, first), (d2, _), ..] if d1 < d2 => Some(first),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn misspellings_are_near() {
        assert_eq!(edit_distance("postgress", "postgres"), 1);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(
            nearest("app-confg", ["app-config", "other"]),
            Some("app-config")
        );
        assert_eq!(nearest("db", ["web", "api"]), None);
        for (a, b) in [
            ("postgress", "postgres"),
            ("kitten", "sitting"),
            ("", "ab"),
            ("né", "ne"),
        ] {
            let d = edit_distance(a, b);
            assert_eq!(distance_within(a, b, d), Some(d));
            assert_eq!(
                distance_within(a, b, d.saturating_sub(1)),
                (d == 0).then_some(0)
            );
        }
    }
}

//! String similarities with rapidfuzz's definitions (the `rapidfuzz` crate does the work), plus the
//! token-based ratios of rapidfuzz.fuzz, which the crate does not provide.
//!
//! Strings are compared as sequences of Unicode scalar values, as Python's rapidfuzz does.

use rapidfuzz::distance::{damerau_levenshtein, indel, jaro, jaro_winkler, levenshtein, osa};

/// Calls a rapidfuzz metric on the scalar values of two strings. Two ASCII strings go in as bytes:
/// the same values, without UTF-8 decoding, which is most of the cost on short names.
macro_rules! on_scalars {
    ($f:path, $a:expr, $b:expr $(, $extra:expr)*) => {
        if $a.is_ascii() && $b.is_ascii() {
            $f($a.bytes(), $b.bytes() $(, $extra)*)
        } else {
            $f($a.chars(), $b.chars() $(, $extra)*)
        }
    };
}

pub fn levenshtein_distance(a: &str, b: &str) -> usize {
    on_scalars!(levenshtein::distance, a, b)
}

pub fn levenshtein_normalized_similarity(a: &str, b: &str) -> f64 {
    on_scalars!(levenshtein::normalized_similarity, a, b)
}

/// Optimal string alignment: transpositions of adjacent characters count one, no substring edited twice.
pub fn osa_distance(a: &str, b: &str) -> usize {
    on_scalars!(osa::distance, a, b)
}

/// Unrestricted Damerau-Levenshtein distance.
pub fn damerau_levenshtein_distance(a: &str, b: &str) -> usize {
    on_scalars!(damerau_levenshtein::distance, a, b)
}

pub fn damerau_levenshtein_normalized_similarity(a: &str, b: &str) -> f64 {
    on_scalars!(damerau_levenshtein::normalized_similarity, a, b)
}

/// Differing positions plus the difference in length (jellyfish's definition; rapidfuzz's with pad).
pub fn hamming_distance(a: &str, b: &str) -> usize {
    let (mut ia, mut ib) = (a.chars(), b.chars());
    let mut d = 0;
    loop {
        match (ia.next(), ib.next()) {
            (Some(x), Some(y)) => d += usize::from(x != y),
            (Some(_), None) | (None, Some(_)) => d += 1,
            (None, None) => return d,
        }
    }
}

pub fn jaro_similarity(a: &str, b: &str) -> f64 {
    on_scalars!(jaro::similarity, a, b)
}

pub fn jaro_winkler_similarity(a: &str, b: &str, prefix_weight: f64) -> f64 {
    let args = jaro_winkler::Args::default().prefix_weight(prefix_weight);
    on_scalars!(jaro_winkler::similarity_with_args, a, b, &args)
}

/// One text's Jaro-Winkler pattern (its characters' bit masks), built once for the many texts it is
/// compared with: the same similarity as [`jaro_winkler_similarity`], for about a third of the cost
/// per comparison on short names. ASCII texts only; others are compared the plain way.
pub struct JaroWinklerPattern {
    ascii: Option<jaro_winkler::BatchComparator<u8>>,
}

impl JaroWinklerPattern {
    pub fn new(a: &str) -> JaroWinklerPattern {
        JaroWinklerPattern { ascii: a.is_ascii().then(|| jaro_winkler::BatchComparator::new(a.bytes())) }
    }

    /// `jaro_winkler_similarity(a, b, prefix_weight)`, `a` being the text the pattern was made of.
    pub fn similarity(&self, a: &str, b: &str, prefix_weight: f64) -> f64 {
        match &self.ascii {
            Some(pattern) if b.is_ascii() => {
                pattern.similarity_with_args(b.bytes(), &jaro_winkler::Args::default().prefix_weight(prefix_weight))
            }
            _ => jaro_winkler_similarity(a, b, prefix_weight),
        }
    }
}

/// rapidfuzz.fuzz.ratio: normalised Indel similarity scaled to [0, 100].
pub fn ratio(a: &str, b: &str) -> f64 {
    100.0 * on_scalars!(indel::normalized_similarity, a, b)
}

/// Python's `str.split()` whitespace: Unicode White_Space plus the ASCII information separators.
fn is_py_space(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

/// The whitespace rapidfuzz splits on in a string whose code points all lie below U+0100 (a
/// one-byte string in CPython): only the ASCII ones. rapidfuzz's one-byte `is_space` does not know
/// U+0085 (NEL) and U+00A0 (NO-BREAK SPACE), so `"x\u{a0}y"` is one token there, while in a string
/// holding any wider character (`"x\u{a0}y \u{101}"`) the same NBSP separates. We follow it, string
/// by string, so that the token ratios equal rapidfuzz's on every input.
fn is_py_ascii_space(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\u{0b}' | '\u{0c}' | '\r' | '\u{1c}'..='\u{1f}' | ' ')
}

fn sorted_tokens(s: &str) -> Vec<&str> {
    let one_byte = s.chars().all(|c| u32::from(c) < 0x100);
    let sep: fn(char) -> bool = if one_byte { is_py_ascii_space } else { is_py_space };
    let mut tokens: Vec<&str> = s.split(sep).filter(|t| !t.is_empty()).collect();
    tokens.sort_unstable();
    tokens
}

/// rapidfuzz.fuzz.token_sort_ratio: word order ignored.
pub fn token_sort_ratio(a: &str, b: &str) -> f64 {
    ratio(&sorted_tokens(a).join(" "), &sorted_tokens(b).join(" "))
}

fn char_len(tokens: &[&str]) -> usize {
    let chars: usize = tokens.iter().map(|t| t.chars().count()).sum();
    chars + tokens.len().saturating_sub(1)
}

/// 100 * (1 - dist / lensum), or 100 for two empty strings.
fn norm_ratio(dist: usize, lensum: usize) -> f64 {
    if lensum == 0 {
        100.0
    } else {
        100.0 - 100.0 * dist as f64 / lensum as f64
    }
}

/// rapidfuzz.fuzz.token_set_ratio: 100 when one token set contains the other, otherwise the best
/// ratio among (intersection + rest) pairings.
pub fn token_set_ratio(a: &str, b: &str) -> f64 {
    let mut ta = sorted_tokens(a);
    let mut tb = sorted_tokens(b);
    ta.dedup();
    tb.dedup();
    if ta.is_empty() || tb.is_empty() {
        return 0.0;
    }
    let common: Vec<&str> = ta.iter().filter(|t| tb.binary_search(t).is_ok()).copied().collect();
    let diff_ab: Vec<&str> = ta.iter().filter(|t| tb.binary_search(t).is_err()).copied().collect();
    let diff_ba: Vec<&str> = tb.iter().filter(|t| ta.binary_search(t).is_err()).copied().collect();
    if !common.is_empty() && (diff_ab.is_empty() || diff_ba.is_empty()) {
        return 100.0;
    }
    let (ab, ba) = (diff_ab.join(" "), diff_ba.join(" "));
    let (ab_len, ba_len, sect_len) = (char_len(&diff_ab), char_len(&diff_ba), char_len(&common));
    let sep = usize::from(sect_len != 0);
    let sect_ab_len = sect_len + sep + ab_len;
    let sect_ba_len = sect_len + sep + ba_len;
    let dist = on_scalars!(indel::distance, ab, ba);
    let result = norm_ratio(dist, sect_ab_len + sect_ba_len);
    if sect_len == 0 {
        return result;
    }
    // Only the intersection is shared, so these distances follow from the lengths alone.
    let sect_ab_ratio = norm_ratio(sep + ab_len, sect_len + sect_ab_len);
    let sect_ba_ratio = norm_ratio(sep + ba_len, sect_len + sect_ba_len);
    result.max(sect_ab_ratio).max(sect_ba_ratio)
}

/// The metrics a batch call can name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Metric {
    Levenshtein,
    LevenshteinNormalized,
    Osa,
    DamerauLevenshtein,
    DamerauLevenshteinNormalized,
    Hamming,
    Jaro,
    JaroWinkler,
    Ratio,
    TokenSortRatio,
    TokenSetRatio,
}

impl Metric {
    pub const ALL: [(&'static str, Metric); 11] = [
        ("levenshtein", Metric::Levenshtein),
        ("levenshtein_normalized", Metric::LevenshteinNormalized),
        ("osa", Metric::Osa),
        ("damerau_levenshtein", Metric::DamerauLevenshtein),
        ("damerau_levenshtein_normalized", Metric::DamerauLevenshteinNormalized),
        ("hamming", Metric::Hamming),
        ("jaro", Metric::Jaro),
        ("jaro_winkler", Metric::JaroWinkler),
        ("ratio", Metric::Ratio),
        ("token_sort_ratio", Metric::TokenSortRatio),
        ("token_set_ratio", Metric::TokenSetRatio),
    ];

    pub fn parse(name: &str) -> Option<Metric> {
        Self::ALL.iter().find(|(n, _)| *n == name).map(|(_, m)| *m)
    }

    /// Distances come back as f64 so that one batch type serves every metric.
    pub fn compute(self, a: &str, b: &str) -> f64 {
        match self {
            Metric::Levenshtein => levenshtein_distance(a, b) as f64,
            Metric::LevenshteinNormalized => levenshtein_normalized_similarity(a, b),
            Metric::Osa => osa_distance(a, b) as f64,
            Metric::DamerauLevenshtein => damerau_levenshtein_distance(a, b) as f64,
            Metric::DamerauLevenshteinNormalized => damerau_levenshtein_normalized_similarity(a, b),
            Metric::Hamming => hamming_distance(a, b) as f64,
            Metric::Jaro => jaro_similarity(a, b),
            Metric::JaroWinkler => jaro_winkler_similarity(a, b, 0.1),
            Metric::Ratio => ratio(a, b),
            Metric::TokenSortRatio => token_sort_ratio(a, b),
            Metric::TokenSetRatio => token_set_ratio(a, b),
        }
    }
}

/// Every query against every choice, one row per query. For the edit metrics the query's bit
/// pattern is built once (rapidfuzz's BatchComparator) and the choices are decoded once.
pub fn cdist(metric: Metric, queries: &[&str], choices: &[&str]) -> Vec<Vec<f64>> {
    use rayon::prelude::*;
    let decoded: Vec<Vec<u32>> = choices.iter().map(|c| c.chars().map(u32::from).collect()).collect();
    let row = |q: &str| -> Vec<f64> {
        let q32 = q.chars().map(u32::from);
        macro_rules! cached {
            ($module:ident, $method:ident $(, $extra:expr)*) => {{
                let cmp = $module::BatchComparator::new(q32);
                decoded.iter().map(|c| cmp.$method(c.iter().copied() $(, $extra)*) as f64).collect()
            }};
        }
        match metric {
            Metric::Levenshtein => cached!(levenshtein, distance),
            Metric::LevenshteinNormalized => cached!(levenshtein, normalized_similarity),
            Metric::Osa => cached!(osa, distance),
            Metric::Jaro => cached!(jaro, similarity),
            Metric::JaroWinkler => cached!(jaro_winkler, similarity),
            Metric::Ratio => {
                let cmp = indel::BatchComparator::new(q32);
                decoded.iter().map(|c| 100.0 * cmp.normalized_similarity(c.iter().copied())).collect()
            }
            _ => choices.iter().map(|c| metric.compute(q, c)).collect(),
        }
    };
    queries.par_iter().map(|q| row(q)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    #[test]
    fn cdist_equals_pairwise() {
        let queries = ["Müller", "ab", "", "Jonathan Smith", "Иван"];
        let choices = ["Muller", "ba", "Jon Smyth", "", "Ivan", "Иванов"];
        for (_, metric) in Metric::ALL {
            let rows = cdist(metric, &queries, &choices);
            for (q, row) in queries.iter().zip(&rows) {
                for (c, got) in choices.iter().zip(row) {
                    assert!(close(*got, metric.compute(q, c)), "{metric:?} {q:?} {c:?}");
                }
            }
        }
    }

    #[test]
    fn edit_distances() {
        assert_eq!(levenshtein_distance("kitten", "sitting"), 3);
        assert_eq!(osa_distance("ca", "abc"), 3);
        assert_eq!(damerau_levenshtein_distance("ca", "abc"), 2);
        assert_eq!(hamming_distance("abc", "abd"), 1);
        assert_eq!(hamming_distance("abc", "abcde"), 2);
        assert_eq!(levenshtein_distance("Müller", "Muller"), 1);
    }

    #[test]
    fn jaro_family() {
        assert!(close((jaro_similarity("martha", "marhta") * 1000.0).round() / 1000.0, 0.944));
        assert!(close((jaro_winkler_similarity("martha", "marhta", 0.1) * 1000.0).round() / 1000.0, 0.961));
        assert!(close((jaro_winkler_similarity("dwayne", "duane", 0.1) * 1000.0).round() / 1000.0, 0.84));
    }

    #[test]
    fn token_ratios() {
        assert!(close(token_sort_ratio("fuzzy wuzzy was a bear", "wuzzy fuzzy was a bear"), 100.0));
        assert!(close(token_set_ratio("fuzzy was a bear", "fuzzy fuzzy was a bear"), 100.0));
        assert!(close(token_set_ratio("", "a"), 0.0));
        // rapidfuzz splits on NBSP / NEL only in strings with a character above U+00FF.
        assert!(close(token_sort_ratio("x\u{a0}y", "y x"), 200.0 / 3.0));
        assert!(close(token_sort_ratio("x\u{a0}y \u{101}", "y x \u{101}"), 100.0));
        assert!(close(token_set_ratio("\u{85}", "\u{85}"), 100.0));
        let r = token_set_ratio("osama bin laden", "usama bin ladin");
        assert!(r > 50.0 && r < 100.0);
    }

    #[test]
    fn metric_names_round_trip() {
        for (name, m) in Metric::ALL {
            assert_eq!(Metric::parse(name), Some(m));
        }
        assert_eq!(Metric::parse("nope"), None);
    }
}

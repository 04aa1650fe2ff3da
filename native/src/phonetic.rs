//! Phonetic keys.
//!
//! Soundex, NYSIIS, Metaphone and the Match Rating Approach follow the definitions of jellyfish
//! (MIT), the reference our differential tests hold these functions identical to, quirks included
//! (upper-casing with Unicode rules, NFKD for Soundex and Metaphone, grapheme clusters for NYSIIS and
//! Match Rating, byte-length tests in Match Rating). We cannot depend on the jellyfish crate
//! itself: it pins pyo3 0.18, and only one PyO3 may link Python. rphonetic's versions of these four
//! follow Apache commons-codec, whose codes differ (truncation, rules), so they are written here.
//! Double Metaphone and Beider-Morse, which jellyfish lacks, come from rphonetic.

use rphonetic::{BeiderMorse, BeiderMorseBuilder, ConfigFiles, DoubleMetaphone, NameType, RuleType};
use std::sync::OnceLock;
use unicode_normalization::UnicodeNormalization;
use unicode_segmentation::UnicodeSegmentation;

fn is_vowel(c: char) -> bool {
    matches!(c, 'A' | 'E' | 'I' | 'O' | 'U')
}

fn is_vowel_str(s: &str) -> bool {
    matches!(s, "A" | "E" | "I" | "O" | "U")
}

// --- Soundex -------------------------------------------------------------------------------

fn soundex_digit(c: char) -> Option<char> {
    Some(match c {
        'B' | 'F' | 'P' | 'V' => '1',
        'C' | 'G' | 'J' | 'K' | 'Q' | 'S' | 'X' | 'Z' => '2',
        'D' | 'T' => '3',
        'L' => '4',
        'M' | 'N' => '5',
        'R' => '6',
        _ => return None,
    })
}

/// American Soundex: the first character kept, then up to three digits, zero-padded to four.
/// H and W do not separate two letters of the same code; vowels (and anything else) do.
pub fn soundex(s: &str) -> String {
    let mut chars = s.to_uppercase().nfkd().collect::<Vec<char>>().into_iter();
    let Some(first) = chars.next() else {
        return String::new();
    };
    let mut code = String::with_capacity(4);
    code.push(first);
    let mut previous = soundex_digit(first);
    let mut digits = 0;
    for c in chars {
        match soundex_digit(c) {
            Some(d) => {
                if Some(d) != previous {
                    code.push(d);
                    digits += 1;
                    if digits == 3 {
                        break;
                    }
                }
                previous = Some(d);
            }
            None if c == 'H' || c == 'W' => {}
            None => previous = None,
        }
    }
    for _ in digits..3 {
        code.push('0');
    }
    code
}

// --- NYSIIS --------------------------------------------------------------------------------

/// New York State Identification and Intelligence System code (untruncated, as jellyfish).
pub fn nysiis(s: &str) -> String {
    if s.is_empty() {
        return String::new();
    }
    let upper = s.to_uppercase();
    let mut g: Vec<&str> = upper.graphemes(true).collect();

    // Prefixes: MAC -> MCC, KN -> N, K -> C, PH/PF -> FF, SCH -> SSS.
    if upper.starts_with("MAC") {
        g[1] = "C";
    } else if upper.starts_with("KN") {
        g.remove(0);
    } else if upper.starts_with('K') {
        g[0] = "C";
    } else if upper.starts_with("PH") || upper.starts_with("PF") {
        g[0] = "F";
        g[1] = "F";
    } else if upper.starts_with("SCH") {
        g[1] = "S";
        g[2] = "S";
    }
    // Suffixes: EE/IE -> Y; DT, RT, RD, NT, ND -> D.
    let suffix = if upper.ends_with("IE") || upper.ends_with("EE") {
        Some("Y")
    } else if ["DT", "RT", "RD", "NT", "ND"].iter().any(|x| upper.ends_with(x)) {
        Some("D")
    } else {
        None
    };
    if let Some(replacement) = suffix {
        g.truncate(g.len().saturating_sub(2));
        g.push(replacement);
    }

    let mut key: Vec<&str> = vec![g[0]];
    let mut i = 1;
    while i < g.len() {
        let next = g.get(i + 1).copied();
        let translated: Vec<&str> = match g[i] {
            "E" if next == Some("V") => {
                i += 1;
                vec!["A", "F"]
            }
            v if is_vowel_str(v) => vec!["A"],
            "Q" => vec!["G"],
            "Z" => vec!["S"],
            "M" => vec!["N"],
            "K" => vec![if next == Some("N") { "N" } else { "C" }],
            "S" if next == Some("C") && g.get(i + 2) == Some(&"H") => {
                i += 2;
                vec!["S", "S"]
            }
            "P" if next == Some("H") => {
                i += 1;
                vec!["F"]
            }
            "H" if !is_vowel_str(g[i - 1]) || next.is_none_or(|n| !is_vowel_str(n)) => {
                vec![if is_vowel_str(g[i - 1]) { "A" } else { g[i - 1] }]
            }
            "W" if is_vowel_str(g[i - 1]) => vec![g[i - 1]],
            other => vec![other],
        };
        // A translation is appended only if it does not repeat the key's last letter.
        if translated.last() != key.last() {
            key.extend(translated);
        }
        i += 1;
    }

    if key.len() > 1 && key.last() == Some(&"S") {
        key.pop();
    }
    if key.ends_with(&["A", "Y"]) {
        key.remove(key.len() - 2);
    }
    if key.len() > 1 && key.last() == Some(&"A") {
        key.pop();
    }
    key.concat()
}

// --- Metaphone -----------------------------------------------------------------------------

/// Lawrence Philips' original Metaphone (untruncated; spaces kept between words, as jellyfish).
pub fn metaphone(s: &str) -> String {
    if s.is_empty() {
        return String::new();
    }
    let upper = s.to_uppercase();
    let mut v: Vec<char> = upper.nfkd().collect();
    if ["KN", "GN", "PN", "WR", "AE"].iter().any(|p| upper.starts_with(p)) {
        v.remove(0);
    }
    let at = |i: usize| v.get(i).copied().unwrap_or('*');
    let front_vowel = |c: char| matches!(c, 'I' | 'E' | 'Y');
    let mut out = String::new();
    let mut i = 0;
    while i < v.len() {
        let (c, next, after) = (v[i], at(i + 1), at(i + 2));
        let previous = if i == 0 { None } else { Some(v[i - 1]) };
        if c == next && c != 'C' {
            i += 1; // a doubled letter sounds once (CC excepted: ACCEPT)
            continue;
        }
        match c {
            'A' | 'E' | 'I' | 'O' | 'U' if previous.is_none() || previous == Some(' ') => out.push(c),
            'B' if previous != Some('M') || next != '*' => out.push('B'), // silent in final MB
            'C' if next == 'H' || (next == 'I' && after == 'A') => {
                out.push('X');
                i += 1;
            }
            'C' if front_vowel(next) => {
                out.push('S');
                i += 1;
            }
            'C' => out.push('K'),
            'D' if next == 'G' && front_vowel(after) => {
                out.push('J');
                i += 2;
            }
            'D' => out.push('T'),
            'F' | 'J' | 'L' | 'M' | 'N' | 'R' => out.push(c),
            'G' if front_vowel(next) => out.push('J'),
            // GH before a consonant or at the end is silent (LAUGH, BOUGHT), as is a final GN (SIGN).
            'G' if (next == 'H' && !is_vowel(after)) || (next == 'N' && after == '*') => i += 1,
            'G' => out.push('K'),
            'H' if previous.is_none() || is_vowel(next) || !previous.is_some_and(is_vowel) => out.push('H'),
            'K' if previous != Some('C') => out.push('K'),
            'P' if next == 'H' => {
                out.push('F');
                i += 1;
            }
            'P' => out.push('P'),
            'Q' => out.push('K'),
            'S' if next == 'H' => {
                out.push('X');
                i += 1;
            }
            'S' if next == 'I' && (after == 'O' || after == 'A') => {
                out.push('X');
                i += 2;
            }
            'S' => out.push('S'),
            'T' if next == 'I' && (after == 'O' || after == 'A') => out.push('X'),
            'T' if next == 'H' => {
                out.push('0');
                i += 1;
            }
            'T' if !(next == 'C' && after == 'H') => out.push('T'),
            'V' => out.push('F'),
            'W' if previous.is_none() && next == 'H' => {
                out.push('W');
                i += 1;
            }
            'W' if is_vowel(next) => out.push('W'),
            'X' if previous.is_none() => {
                out.push(if next == 'H' || (next == 'I' && (after == 'O' || after == 'A')) { 'X' } else { 'S' })
            }
            'X' => out.push_str("KS"),
            'Y' if is_vowel(next) => out.push('Y'),
            'Z' => out.push('S'),
            ' ' if !out.is_empty() && !out.ends_with(' ') => out.push(' '),
            _ => {}
        }
        i += 1;
    }
    out
}

// --- Match Rating Approach -----------------------------------------------------------------

fn mra_codex(s: &str) -> String {
    let upper = s.to_uppercase();
    let mut codex = String::new();
    let mut previous = "";
    for (i, g) in upper.graphemes(true).enumerate() {
        let vowel = is_vowel_str(g);
        // A leading vowel is kept; later vowels are dropped; doubled consonants kept once.
        if (i == 0 && vowel && g != " ") || (!vowel && g != previous) {
            codex.push_str(g);
        }
        previous = g;
    }
    // Longer codices keep their first and last three characters (the test is on bytes, as jellyfish).
    if codex.len() > 6 {
        let chars: Vec<char> = codex.chars().collect();
        let head: String = chars.iter().take(3).collect();
        let tail: String = chars[chars.len().saturating_sub(3)..].iter().collect();
        return head + &tail;
    }
    codex
}

fn mra_alphabetic(s: &str) -> bool {
    s.to_uppercase().chars().all(|c| c.is_alphabetic() || c == ' ')
}

/// Match Rating Approach codex. jellyfish refuses strings with characters other than letters and
/// spaces (ValueError); we return the codex of such strings all the same.
pub fn match_rating_codex(s: &str) -> String {
    mra_codex(s)
}

/// Whether two names are alike by the Match Rating Approach; None where it does not apply (codices
/// differing in length by 3 or more, or a string with characters other than letters and spaces).
pub fn match_rating_comparison(a: &str, b: &str) -> Option<bool> {
    if !mra_alphabetic(a) || !mra_alphabetic(b) {
        return None;
    }
    let (ca, cb) = (mra_codex(a), mra_codex(b));
    let (longer, shorter) = if ca.len() > cb.len() { (ca, cb) } else { (cb, ca) };
    if longer.len() - shorter.len() >= 3 {
        return None;
    }
    let lensum = longer.len() + shorter.len();
    // Drop the positions where the codices agree reading forwards ...
    let (mut rest_long, mut rest_short) = (Vec::new(), Vec::new());
    let (mut l, mut s) = (longer.chars(), shorter.chars());
    loop {
        match (l.next(), s.next()) {
            (Some(x), Some(y)) if x == y => {}
            (x, y) if x.is_none() && y.is_none() => break,
            (x, y) => {
                rest_long.extend(x);
                rest_short.extend(y);
            }
        }
    }
    // ... then count what still disagrees reading backwards.
    let (mut unmatched_long, mut unmatched_short) = (0i32, 0i32);
    let (mut l, mut s) = (rest_long.iter().rev(), rest_short.iter().rev());
    loop {
        match (l.next(), s.next()) {
            (Some(x), Some(y)) => {
                if x != y {
                    unmatched_long += 1;
                    unmatched_short += 1;
                }
            }
            (Some(_), None) => unmatched_long += 1,
            (None, Some(_)) => unmatched_short += 1,
            (None, None) => break,
        }
    }
    let similarity = 6 - unmatched_long.max(unmatched_short);
    let minimum = match lensum {
        0..=4 => 5,
        5..=7 => 4,
        8..=11 => 3,
        _ => 2,
    };
    Some(similarity >= minimum)
}

// --- from rphonetic --------------------------------------------------------------------------

/// Long enough that no name is cut short (commons-codec's default of 4 would merge many).
const DOUBLE_METAPHONE_MAX_LEN: usize = 32;

fn double_metaphone_encoder() -> &'static DoubleMetaphone {
    static ENCODER: OnceLock<DoubleMetaphone> = OnceLock::new();
    ENCODER.get_or_init(|| DoubleMetaphone::new(Some(DOUBLE_METAPHONE_MAX_LEN)))
}

/// Double Metaphone primary and alternate keys (Apache commons-codec definition, via rphonetic), of
/// the ASCII transliteration of `s` ([`crate::text::normalize`]): rphonetic slices strings by byte
/// and panics inside multi-byte characters, and the engine only ever keys normalised tokens.
pub fn double_metaphone(s: &str) -> (String, String) {
    let ascii;
    let s = if s.is_ascii() {
        s
    } else {
        ascii = crate::text::normalize(s);
        &ascii
    };
    let r = double_metaphone_encoder().double_metaphone(s);
    (r.primary(), r.alternate())
}

fn beider_morse_encoder() -> &'static BeiderMorse<'static> {
    static RULES: OnceLock<ConfigFiles> = OnceLock::new();
    static ENCODER: OnceLock<BeiderMorse<'static>> = OnceLock::new();
    ENCODER.get_or_init(|| {
        // Loading the rules is costly: once per process.
        let rules = RULES.get_or_init(ConfigFiles::default);
        BeiderMorseBuilder::new(rules)
            .name_type(NameType::Generic)
            .rule_type(RuleType::Approx)
            .concat(true)
            .build()
    })
}

/// Beider-Morse phonetic keys (generic names, approximate rules), one per alternative spelling.
pub fn beider_morse(s: &str) -> Vec<String> {
    use rphonetic::Encoder;
    let encoded = beider_morse_encoder().encode(s);
    encoded.split('|').filter(|k| !k.is_empty()).map(str::to_owned).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn soundex_codes() {
        assert_eq!(soundex("Robert"), "R163");
        assert_eq!(soundex("Rupert"), "R163");
        assert_eq!(soundex("Ashcraft"), "A261"); // H does not separate S and C
        assert_eq!(soundex("Tymczak"), "T522");
        assert_eq!(soundex("Pfister"), "P236");
        assert_eq!(soundex("Lee"), "L000");
        assert_eq!(soundex(""), "");
        assert_eq!(soundex("Éric"), "E620");
    }

    #[test]
    fn nysiis_codes() {
        assert_eq!(nysiis("Worthy"), "WARTY");
        assert_eq!(nysiis("Ogata"), "OGAT");
        assert_eq!(nysiis("montgomery"), "MANTGANARY");
        assert_eq!(nysiis("Knight"), "NAGT");
        assert_eq!(nysiis("MacDonald"), "MCDANALD");
        assert_eq!(nysiis("KN"), "N");
        assert_eq!(nysiis("IE"), "Y");
        assert_eq!(nysiis(""), "");
    }

    #[test]
    fn metaphone_codes() {
        assert_eq!(metaphone("metaphone"), "MTFN");
        assert_eq!(metaphone("wHErE"), "WR");
        assert_eq!(metaphone("DGIB"), "JB");
        assert_eq!(metaphone("Thompson"), "0MPSN");
        assert_eq!(metaphone("knight rider"), "NT RTR");
        assert_eq!(metaphone("Straße"), "STRS");
        assert_eq!(metaphone("Ashleigh"), "AXL");
        assert_eq!(metaphone("AGHA"), "AKH");
    }

    #[test]
    fn match_rating() {
        assert_eq!(match_rating_codex("Byrne"), "BYRN");
        assert_eq!(match_rating_codex("Catherine"), "CTHRN");
        assert_eq!(match_rating_codex("Aleksandrov"), "ALKDRV");
        assert_eq!(match_rating_comparison("Byrne", "Boern"), Some(true));
        assert_eq!(match_rating_comparison("Catherine", "Kathryn"), Some(true));
        assert_eq!(match_rating_comparison("Michael", "Mike"), Some(false));
        assert_eq!(match_rating_comparison("Tim", "Timothy"), None);
        assert_eq!(match_rating_comparison("O'Brien", "Obrien"), None);
        assert_eq!(match_rating_comparison("", ""), Some(true));
    }

    #[test]
    fn double_metaphone_keys() {
        assert_eq!(double_metaphone("SMITH"), ("SM0".into(), "XMT".into()));
        assert_eq!(double_metaphone("SCHMIDT"), ("XMT".into(), "SMT".into()));
        assert_eq!(double_metaphone("Müller"), double_metaphone("MULLER"));
        assert_eq!(double_metaphone("ж日本"), double_metaphone("ZH RI BEN"));
        let (m1, _) = double_metaphone("MOHAMMED");
        let (m2, _) = double_metaphone("MUHAMMAD");
        assert_eq!(m1, m2);
    }

    #[test]
    fn beider_morse_keys() {
        let keys = beider_morse("Schwarzenegger");
        assert!(!keys.is_empty());
        assert!(beider_morse("").is_empty() || beider_morse("").iter().all(|k| k.is_empty()));
    }
}

//! One spelling for the romanisations of a syllabic name, so that `CHANG MYONG CHIN` (McCune-Reischauer,
//! as North Korea and most lists write Korean, aspiration marks dropped) and `JANG MYEONG JIN` (Revised
//! Romanisation, South Korea since 2000) are seen as the same name.
//!
//! The systems differ mostly in the consonant of an unaspirated initial (MR `K T P CH`, RR `G D B J`) and in
//! the vowels MR writes with a breve that lists drop (`Ŏ` -> `O`, RR `EO`; `Ŭ` -> `U`, RR `EU`). Double
//! Metaphone already equates K ~ G, T ~ D and P ~ B; CH ~ J and the vowels are what [`key`] adds. Wade-Giles
//! against pinyin (`CHIANG` ~ `JIANG`) shares the CH ~ J difference, and the customary English vowels `EE`
//! and `OO` are those of many transliterations (`SALEEM` ~ `SALIM`, `NOOR` ~ `NUR`).
//!
//! A token has a key only when it reads entirely as Korean syllables (initial, vowel, final), one to
//! [`MAX_SYLLABLES`] of them: `SMITH` and `JAMES` have none, so the equivalence stays among the short
//! syllabic names it is for. Its cost: two such names that differ only there meet too (`JAN` ~ `CHAN`).
//! Written by hand: no crate romanises Latin-to-Latin between these systems.

/// Syllable initials and finals, as [`key`] writes them (`CH`, `TCH`, `JJ` already `J`); `RK` only for the
/// customary `PARK`.
const INITIALS: &[&str] = &["KK", "TT", "PP", "SS", "SH", "G", "K", "N", "D", "T", "R", "L", "M", "B", "P", "S", "J", "H", ""];
const FINALS: &[&str] = &["NG", "RK", "K", "N", "T", "L", "M", "P", ""];
/// Vowels as [`key`] writes them (`EO` `O`, `EU` and `OO` `U`, `EE` `I`, `OI` `OE`), longest first.
const VOWELS: &[&str] = &["YAE", "WAE", "YA", "AE", "YO", "YE", "WA", "OE", "WO", "WE", "WI", "YU", "UI", "A", "E", "O", "U", "I"];
/// The spellings [`key`] writes as one, longest first where one begins another (`TCH` before `CH`, `YEO`
/// before `EO`).
const REWRITES: &[(&str, &str)] = &[
    ("TCH", "J"), ("CH", "J"), ("JJ", "J"), ("YEO", "YO"), ("WEO", "WO"), ("EO", "O"), ("EU", "U"), ("OO", "U"), ("EE", "I"),
    ("OI", "OE"), ("YI", "I"),
];
/// Korean given names and surnames are one or two syllables a token (three when a given name is glued).
const MAX_SYLLABLES: usize = 4;
/// Longer tokens are not tried (four syllables of the longest kind, `TCHWAENG`, are 32 letters; real ones far fewer).
const MAX_LEN: usize = 20;

/// The token's spelling with each syllable's initial and vowel in one form (`CHONG`, `JEONG`, `JONG` ->
/// `JONG`; `CHO`, `JO` -> `JO`; `CHOI`, `CHOE` -> `JOE`), or None when it does not read as Korean syllables.
pub fn key(token: &str) -> Option<String> {
    let b = token.as_bytes();
    if b.len() < 2 || b.len() > MAX_LEN || !b.iter().all(u8::is_ascii_uppercase) {
        return None;
    }
    let mut out = String::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let rest = &token[i..];
        let (from, to) = REWRITES.iter().copied().find(|(from, _)| rest.starts_with(from)).unwrap_or((&rest[..1], &rest[..1]));
        out.push_str(to);
        i += from.len();
    }
    reads_as_syllables(&out).then_some(out)
}

/// Whether a spelling in [`key`]'s forms is a run of one to [`MAX_SYLLABLES`] Korean syllables: consonant
/// runs that are an initial (first), a final (last) or a final and an initial (between), around vowels.
fn reads_as_syllables(s: &str) -> bool {
    let b = s.as_bytes();
    let vowel_letter = |c: u8| matches!(c, b'A' | b'E' | b'I' | b'O' | b'U');
    // W and Y before a vowel glide into it (`HWANG`, `MYONG`); elsewhere they are no Korean letter
    let in_vowel = |i: usize| vowel_letter(b[i]) || (matches!(b[i], b'W' | b'Y') && b.get(i + 1).is_some_and(|&c| vowel_letter(c)));
    let (mut i, mut syllables) = (0, 0);
    loop {
        let start = i;
        while i < b.len() && !in_vowel(i) {
            i += 1;
        }
        let consonants = &s[start..i];
        let fits = match (start == 0, i == b.len()) {
            (true, true) => false,
            (true, false) => INITIALS.contains(&consonants),
            (false, true) => FINALS.contains(&consonants),
            (false, false) => (0..=consonants.len()).any(|k| FINALS.contains(&&consonants[..k]) && INITIALS.contains(&&consonants[k..])),
        };
        if !fits {
            return false;
        }
        if i == b.len() {
            return true;
        }
        let start = i;
        while i < b.len() && in_vowel(i) {
            i += 1;
        }
        let mut vowels = &s[start..i];
        while !vowels.is_empty() {
            let Some(v) = VOWELS.iter().find(|v| vowels.starts_with(*v)) else { return false };
            vowels = &vowels[v.len()..];
            syllables += 1;
        }
        if syllables > MAX_SYLLABLES {
            return false;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::key;

    #[test]
    fn romanisations_of_one_syllable_share_a_key() {
        for group in [
            &["CHONG", "JONG", "JEONG"][..],
            &["CHO", "JO"],
            &["CHOI", "CHOE"],
            &["CHANG", "JANG"],
            &["MYONG", "MYEONG"],
            &["CHIN", "JIN"],
            &["CHUN", "JUN"],
            &["CHOL", "CHEOL", "JOL"],
            &["UN", "EUN"],
            &["MYONGCHIN", "MYEONGJIN"],
        ] {
            let keys: Vec<_> = group.iter().map(|t| key(t)).collect();
            assert!(keys[0].is_some() && keys.iter().all(|k| *k == keys[0]), "{group:?}: {keys:?}");
        }
    }

    #[test]
    fn other_words_have_no_key_or_another() {
        for t in ["SMITH", "JAMES", "JOHN", "NGUYEN", "ZHANG", "MUHAMMAD", "X", "KIMJONGUNSUNGMIN"] {
            assert_eq!(key(t), None, "{t}");
        }
        assert_ne!(key("CHUNG"), key("JONG")); // 중 and 정: another syllable
        assert_ne!(key("TAN"), key("CHAN"));
    }
}

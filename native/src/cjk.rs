//! Korean and Japanese readings of personal names written in Han characters (hanja, kanji).
//!
//! The transliteration ([`crate::text::normalize`]) reads every Han character in Mandarin: `金正恩` gives
//! `JIN ZHENG EN` and `山田太郎` `SHAN TIAN TAI LANG`, while lists spell these people `KIM JONG UN` and
//! `YAMADA TARO`. [`reading_forms`] gives the other readings as extra name forms:
//! - Korean: each character's Korean reading (Unihan kHangul), then the name spelt as lists spell one
//!   written in Hangul: `金正恩` -> `김정은` -> `KIM JUNG UN` ([`crate::text::korean_customary`]);
//! - Japanese: a character's reading depends on the word (山 is YAMA in 山田, SAN in 富士山), so each
//!   character has readings with how often they are used in surnames and given names, first or later in
//!   the name (aligned from IPAdic's 32,000 names: 田 is TA first in a surname, DA 57% / TA 42% later).
//!   A name without a space is tried at each split into surname and given name (2 + 2 characters the
//!   likeliest); the likeliest few readings of the whole name are kept, written as passports write them
//!   (long vowels unmarked: TAROU -> TARO; N before B, M, P as M).
//!
//! Table: engine/data/cjk_readings/cjk_readings.tsv, derived by make_table.py from Unihan (Unicode License)
//! and IPAdic (NAIST / ICOT licence); see its PROVENANCE.md.

use crate::text::{korean_customary, korean_surname};
use ahash::AHashMap;
use std::sync::OnceLock;
use unicode_normalization::UnicodeNormalization;

const READINGS_TSV: &str = include_str!("../../engine/data/cjk_readings/cjk_readings.tsv");

/// At most this many Japanese readings of one name become forms (with the Korean one, a name written in
/// Han characters has at most 1 + MAX_JAPANESE_FORMS forms beyond its own): each is an index row of a listed
/// name and an alignment of a query, so they are few, and only the likeliest.
pub const MAX_JAPANESE_FORMS: usize = 8;
/// Japanese readings less likely than the best by this factor are not kept.
const MIN_RELATIVE_LIKELIHOOD: f64 = 0.01;
/// Readings per character and per surname or given name considered.
const READINGS_PER_CHAR: usize = 4;
const READINGS_PER_PART: usize = 6;
/// Korean names have 2 to 4 characters (a two-character surname and given name at most); Japanese ones
/// up to 6 (3 + 3), each part up to 4.
const KOREAN_CHARS: std::ops::RangeInclusive<usize> = 2..=4;
const JAPANESE_CHARS: std::ops::RangeInclusive<usize> = 2..=6;
const MAX_PART_CHARS: usize = 4;
const MIN_PART_LETTERS: usize = 2;
/// How likely a surname / given name has 1, 2, 3, 4 characters: IPAdic's names have 2.6% / 85% / 12% /
/// 0.2% (surnames) and 3.7% / 78% / 18% / 0.5% (given names); one-character names are commoner among
/// people than among dictionary entries (林, 森; 誠, 浩), hence 10%.
const SURNAME_LENGTH: [f64; 4] = [0.1, 0.75, 0.15, 0.01];
const GIVEN_NAME_LENGTH: [f64; 4] = [0.1, 0.7, 0.2, 0.01];
/// A reading seen only in another slot of the character (a later character's in a first one is never
/// taken: it may be voiced, and rendaku never voices a name's first sound).
const OTHER_ROLE: f64 = 0.2;
const OTHER_POSITION: f64 = 0.3;
/// A character no IPAdic name uses: its Unihan readings, unranked.
const UNIHAN_ONLY: f64 = 0.05;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Role {
    Surname,
    Given,
}

/// Where a character stands: alone (a one-character name), first, or later in a surname or given name.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Position {
    Alone,
    First,
    Later,
}

fn slot(role: Role, position: Position) -> usize {
    (if role == Role::Surname { 0 } else { 3 })
        + match position {
            Position::Alone => 0,
            Position::First => 1,
            Position::Later => 2,
        }
}

struct Readings {
    /// Korean readings in Unihan's order, and whether each is a name reading (source N: 金 김).
    hangul: Vec<(&'static str, bool)>,
    /// Japanese readings with their share, per slot (S0 S1 S2 G0 G1 G2), most used first.
    japanese: [Vec<(&'static str, f64)>; 6],
    /// Unihan's Japanese readings of a Jōyō / Jinmeiyō character no IPAdic name uses.
    unihan: Vec<&'static str>,
}

fn table() -> &'static AHashMap<char, Readings> {
    static TABLE: OnceLock<AHashMap<char, Readings>> = OnceLock::new();
    TABLE.get_or_init(|| parse_table(READINGS_TSV))
}

fn parse_table(tsv: &'static str) -> AHashMap<char, Readings> {
    let mut out = AHashMap::with_capacity(9000);
    for line in tsv.lines().filter(|l| !l.starts_with('#') && !l.is_empty()) {
        let fields: Vec<&str> = line.split('\t').collect();
        assert_eq!(fields.len(), 9, "cjk_readings.tsv: {line:?} has {} fields, not 9", fields.len());
        let mut chars = fields[0].chars();
        let (Some(c), None) = (chars.next(), chars.next()) else { panic!("cjk_readings.tsv: {line:?} is not one character") };
        let hangul = fields[1].split(' ').filter(|r| !r.is_empty()).map(|r| (r.trim_end_matches('*'), r.ends_with('*'))).collect();
        let japanese = std::array::from_fn(|k| {
            fields[2 + k]
                .split(' ')
                .filter(|r| !r.is_empty())
                .map(|r| {
                    let (reading, percent) = r.rsplit_once(':').expect("cjk_readings.tsv: reading:percent");
                    (reading, percent.parse::<f64>().expect("cjk_readings.tsv: percent") / 100.0)
                })
                .collect()
        });
        let unihan = fields[8].split(' ').filter(|r| !r.is_empty()).collect();
        out.insert(c, Readings { hangul, japanese, unihan });
    }
    out
}

fn is_han(c: char) -> bool {
    matches!(c as u32, 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2FA1F)
}

/// The ideographic iteration mark: the previous character again (佐々木 SASAKI).
const ITERATION_MARK: char = '\u{3005}';

/// Characters that separate the parts of a name (space, comma, hyphen, dot, middle dots).
fn is_separator(c: char) -> bool {
    c.is_whitespace() || matches!(c, ',' | '-' | '.' | '\u{B7}' | '\u{30FB}')
}

/// The name's parts as characters, when it is written in Han characters only (and separators); an
/// iteration mark stands for the character before it.
fn han_parts(s: &str) -> Option<Vec<Vec<char>>> {
    let mut parts: Vec<Vec<char>> = vec![Vec::new()];
    for c in s.nfkc() {
        if is_separator(c) {
            if !parts.last().unwrap().is_empty() {
                parts.push(Vec::new());
            }
        } else if is_han(c) {
            parts.last_mut().unwrap().push(c);
        } else if c == ITERATION_MARK && parts.last().is_some_and(|p| !p.is_empty()) {
            let previous = *parts.last().unwrap().last().unwrap();
            parts.last_mut().unwrap().push(previous);
        } else {
            return None;
        }
    }
    if parts.last().is_some_and(|p| p.is_empty()) {
        parts.pop();
    }
    (!parts.is_empty()).then_some(parts)
}

/// Extra forms of a name written in Han characters: its Korean readings, then its likeliest Japanese
/// ones; none for anything else.
pub fn reading_forms(s: &str) -> Vec<String> {
    if !s.chars().any(is_han) {
        return Vec::new();
    }
    let Some(parts) = han_parts(s) else { return Vec::new() };
    // Korean: the customary spelling only (KIM JUNG UN); a Revised Romanisation (GIM JEONG EUN) would be one
    // more form for spellings the phonetic comparison mostly reaches anyway (SEONG ~ SUNG).
    let mut forms: Vec<String> = korean_reading(&parts).and_then(|hangul| korean_customary(&hangul)).into_iter().collect();
    forms.extend(japanese_readings(&parts));
    forms
}

/// The name in Hangul, each character read in Korean (`金正恩` -> `김정은`); parts stay apart.
fn korean_reading(parts: &[Vec<char>]) -> Option<String> {
    let n: usize = parts.iter().map(Vec::len).sum();
    if !KOREAN_CHARS.contains(&n) {
        return None;
    }
    let table = table();
    let mut out = String::with_capacity(n * 4);
    for (p, part) in parts.iter().enumerate() {
        if p > 0 {
            out.push(' ');
        }
        for (i, c) in part.iter().enumerate() {
            let readings = &table.get(c)?.hangul;
            let first = readings.first()?.0;
            // The surname: its name reading if that is a surname (金 is 금 gold, 김 Kim), else the first
            // reading that is one; given names take the character's usual reading.
            let reading = if p == 0 && i == 0 {
                let surname = |&&(r, _): &&(&str, bool)| r.chars().next().and_then(korean_surname).is_some();
                readings
                    .iter()
                    .filter(surname)
                    .find(|(_, name)| *name)
                    .or_else(|| readings.iter().find(surname))
                    .map_or(first, |(r, _)| *r)
            } else {
                first
            };
            out.push_str(reading);
        }
    }
    Some(out)
}

/// A character's likeliest Japanese readings at its place, with their likelihood.
fn char_readings(c: char, role: Role, position: Position) -> Vec<(&'static str, f64)> {
    let Some(entry) = table().get(&c) else { return Vec::new() };
    let other = if role == Role::Surname { Role::Given } else { Role::Surname };
    let mut slots = vec![(slot(role, position), 1.0), (slot(other, position), OTHER_ROLE)];
    if position != Position::First {
        slots.push((slot(role, Position::First), OTHER_POSITION));
        slots.push((slot(other, Position::First), OTHER_ROLE * OTHER_POSITION));
    }
    let mut out: Vec<(&'static str, f64)> = Vec::new();
    for (k, weight) in slots {
        for &(reading, share) in &entry.japanese[k] {
            match out.iter_mut().find(|(r, _)| *r == reading) {
                Some(seen) => seen.1 = seen.1.max(share * weight),
                None => out.push((reading, share * weight)),
            }
        }
    }
    if out.is_empty() {
        let each = UNIHAN_ONLY / entry.unihan.len().max(1) as f64;
        out = entry.unihan.iter().map(|&r| (r, each)).collect();
    }
    out.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(b.0)));
    out.truncate(READINGS_PER_CHAR);
    out
}

/// Appends one character's reading to a part's spelling; None when the two cannot meet (a gemination,
/// `Q`, is only written before K, S, T, P, CH: HAT-TORI, IS-SHIKI).
fn append_reading(spelling: &str, reading: &str) -> Option<String> {
    let mut out = String::with_capacity(spelling.len() + reading.len() + 1);
    out.push_str(spelling);
    if out.ends_with('Q') {
        out.pop();
        let next = reading.chars().next()?;
        if !matches!(next, 'K' | 'S' | 'T' | 'P' | 'C') {
            return None;
        }
        out.push(if next == 'C' { 'T' } else { next });
    }
    if out.ends_with('N') && matches!(reading.chars().next(), Some('B' | 'M' | 'P')) {
        out.pop();
        out.push('M'); // passport Hepburn: HOMMA, NAMBA
    }
    out.push_str(reading);
    Some(out)
}

/// The likeliest spellings of one surname or given name with their log-likelihood, best first.
fn part_readings(chars: &[char], role: Role) -> Vec<(String, f64)> {
    let mut beam: Vec<(String, f64)> = vec![(String::new(), 0.0)];
    for (i, &c) in chars.iter().enumerate() {
        let position = match (chars.len(), i) {
            (1, _) => Position::Alone,
            (_, 0) => Position::First,
            _ => Position::Later,
        };
        let readings = char_readings(c, role, position);
        let mut next: Vec<(String, f64)> = Vec::with_capacity(beam.len() * readings.len());
        for (spelling, lp) in &beam {
            for &(reading, p) in &readings {
                if let Some(s) = append_reading(spelling, reading) {
                    next.push((s, lp + p.ln()));
                }
            }
        }
        beam = best_distinct(next, READINGS_PER_PART * READINGS_PER_CHAR, |s| s.to_owned());
    }
    // A one-letter part (井 I, 雄 O) would align as an initial with any name of that letter.
    beam.retain(|(s, _)| !s.ends_with('Q') && s.len() >= MIN_PART_LETTERS);
    beam.truncate(READINGS_PER_PART);
    beam
}

/// The `k` likeliest of `scored`, one per key (the first, likeliest, of each), best first; ties by spelling.
fn best_distinct(mut scored: Vec<(String, f64)>, k: usize, key: impl Fn(&str) -> String) -> Vec<(String, f64)> {
    scored.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let mut seen = ahash::AHashSet::new();
    scored.retain(|(s, _)| seen.insert(key(s)));
    scored.truncate(k);
    scored
}

/// Voiced and voiceless consonants alike (YAMADA ~ YAMATA, a rendaku the name may or may not have): the
/// phonetic comparison equates them, so such readings are kept once.
fn devoiced(s: &str) -> String {
    s.chars().map(|c| match c {
        'D' => 'T',
        'G' => 'K',
        'Z' => 'S',
        _ => c,
    }).collect()
}

/// The likeliest Japanese readings of a name, surname first (`山田太郎` -> `YAMADA TARO`, ...).
fn japanese_readings(parts: &[Vec<char>]) -> Vec<String> {
    let n: usize = parts.iter().map(Vec::len).sum();
    if !JAPANESE_CHARS.contains(&n) || parts.len() > 2 {
        return Vec::new();
    }
    let table = table();
    let known = |c: &char| table.get(c).is_some_and(|e| e.japanese.iter().any(|s| !s.is_empty()) || !e.unihan.is_empty());
    if !parts.iter().flatten().all(known) {
        return Vec::new();
    }
    // (surname, given name, log prior of the split)
    let splits: Vec<(&[char], &[char], f64)> = if parts.len() == 2 {
        vec![(&parts[0][..], &parts[1][..], 0.0)]
    } else {
        let all = &parts[0][..];
        (1..n)
            .filter(|&k| k <= MAX_PART_CHARS && n - k <= MAX_PART_CHARS)
            .map(|k| (&all[..k], &all[k..], (SURNAME_LENGTH[k - 1] * GIVEN_NAME_LENGTH[n - k - 1]).ln()))
            .collect()
    };
    let mut scored: Vec<(String, f64)> = Vec::new();
    for (surname, given, prior) in splits {
        if surname.len() > MAX_PART_CHARS || given.len() > MAX_PART_CHARS {
            continue;
        }
        let surnames = part_readings(surname, Role::Surname);
        let givens = part_readings(given, Role::Given);
        for (s, ls) in &surnames {
            for (g, lg) in &givens {
                scored.push((format!("{s} {g}"), prior + ls + lg));
            }
        }
    }
    let best = best_distinct(scored, MAX_JAPANESE_FORMS, devoiced);
    let floor = best.first().map_or(0.0, |b| b.1 + MIN_RELATIVE_LIKELIHOOD.ln());
    best.into_iter().filter(|(_, lp)| *lp >= floor).map(|(s, _)| s).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_parses_and_has_the_name_characters() {
        let t = table();
        assert!(t.len() > 8000, "{}", t.len());
        assert_eq!(t[&'金'].hangul, vec![("금", false), ("김", true)]);
        assert!(t[&'田'].japanese[slot(Role::Surname, Position::Later)].iter().any(|(r, _)| *r == "DA"));
        assert!(!t.contains_key(&'伟'), "simplified Chinese characters have no Korean or Japanese reading");
    }

    #[test]
    fn korean_readings_spell_the_surname_as_lists_do() {
        let forms = reading_forms("金正恩");
        assert_eq!(forms[0], "KIM JUNG UN", "{forms:?}");
        assert!(reading_forms("朴智星").contains(&"PARK JI SUNG".to_owned()));
        assert!(reading_forms("李明博").contains(&"LEE MYUNG BAG".to_owned()));
        assert!(reading_forms("文 在寅").contains(&"MOON JAE IN".to_owned()));
    }

    #[test]
    fn japanese_names_are_split_and_read() {
        let forms = reading_forms("山田太郎");
        assert!(forms.contains(&"YAMADA TARO".to_owned()), "{forms:?}");
        assert!(reading_forms("田中花子").contains(&"TANAKA HANAKO".to_owned()));
        assert!(reading_forms("田中 花子").contains(&"TANAKA HANAKO".to_owned()));
        assert!(reading_forms("佐藤健一").contains(&"SATO KENICHI".to_owned()), "long vowel unmarked: SATOU -> SATO");
        // the iteration mark repeats 佐; a name without a given name is split too, and the alignment glues it back
        assert!(reading_forms("佐々木").iter().any(|f| f == "SASA KI" || f == "SA SAKI"), "{:?}", reading_forms("佐々木"));
        let forms = reading_forms("山田太郎");
        assert!(forms.len() <= 1 + MAX_JAPANESE_FORMS);
        assert!(forms.iter().flat_map(|f| f.split(' ')).all(|part| part.len() >= MIN_PART_LETTERS));
        assert_eq!(forms.len(), forms.iter().collect::<ahash::AHashSet<_>>().len());
    }

    #[test]
    fn han_names_match_their_listed_spellings_and_only_those() {
        use crate::names::compare;
        assert!(compare("金正恩", "Kim Jong Un").score > 0.9);
        assert!(compare("山田太郎", "YAMADA, Taro").score > 0.99);
        assert!(compare("Tanaka Hanako", "田中花子").score > 0.99);
        // negative controls: another Korean or Japanese name, read either way, stays well below a match
        for (han, latin) in [("鈴木一郎", "Kim Jong Un"), ("朴智星", "Kim Jong Un"), ("山田太郎", "Tanaka Hanako"), ("金正恩", "Yamada Taro")] {
            let score = compare(han, latin).score;
            assert!(score < 0.7, "{han} ~ {latin}: {score}");
        }
    }

    #[test]
    fn gemination_and_syllabic_n_are_spelt_like_passports() {
        assert_eq!(append_reading("HAQ", "TORI").as_deref(), Some("HATTORI"));
        assert_eq!(append_reading("IQ", "CHI").as_deref(), Some("ITCHI"));
        assert_eq!(append_reading("IQ", "RO"), None);
        assert_eq!(append_reading("HON", "MA").as_deref(), Some("HOMMA"));
        assert_eq!(append_reading("KEN", "ICHI").as_deref(), Some("KENICHI"));
    }

    #[test]
    fn other_names_get_no_reading() {
        assert!(reading_forms("Kim Jong Un").is_empty());
        assert!(reading_forms("김정은").is_empty());
        assert!(reading_forms("习近平").is_empty(), "simplified characters: Chinese, read in Mandarin only");
        assert!(reading_forms("Mr 金正恩").is_empty(), "mixed scripts are left to the other forms");
        assert!(reading_forms("金").is_empty());
        assert!(reading_forms("華信船務香港有限公司").is_empty(), "too long for a personal name");
        assert!(reading_forms("々田").is_empty());
    }
}

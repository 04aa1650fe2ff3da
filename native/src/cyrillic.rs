//! One spelling for the ways a name written in Cyrillic reaches the Latin alphabet, so that `GASANOV` (a
//! Russian passport) and `HASANOV` (an Azerbaijani one, or a list writing the name from Arabic) are seen as one
//! name, as are `DZHAMAL` and `JAMAL`, `HRYHORENKO` and `GRIGORENKO`.
//!
//! The systems differ in a few letters, each of which Double Metaphone and a fuzzy score miss where two meet
//! in one name (`GADZHIEV` ~ `HAJIYEV`):
//! - ДЖ is `DZH` in Russian and Ukrainian passports (ICAO 9303), `DJ` in French; English, Turkic and Arabic
//!   spellings write `J` (`DZHOKHAR` ~ `JOKHAR`, `DZHABRAIL` ~ `JABRAIL`);
//! - Ж is `ZH`, where French and a name's own language write `J` (`MERKHEZH` ~ `MERHEJ`);
//! - Х is `KH`, the H of Arabic and Turkic spellings (`KHASAN` ~ `HASAN`), and X in Uzbek's Latin alphabet, read so in a
//!   surname of the form below (`XOLMATOV` ~ `KHOLMATOV`; elsewhere X is KS: `MAXIM`);
//! - Г is `G` in Russian and `H` in Ukrainian and Belarusian (`HONCHARENKO` ~ `GONCHARENKO`), and Russian
//!   writes Г for the H of Arabic and Turkic names (`GASANOV` ~ `HASANOV`, `GUSEINOV` ~ `HUSEYNOV`). A G is read
//!   as H only in a surname of East Slavic or Caucasian form ([`SURNAME_ENDINGS`]): elsewhere G and H tell
//!   names apart (`GILL` ~ `HILL`); given names are related by table (engine/data/nicknames);
//! - Й and the soft vowels are `Y` or `I` (`HUSEYNOV` ~ `HUSEINOV`, `ALIYEV` ~ `ALIEV`), and a doubled letter
//!   may be written once (`HUSSEIN` ~ `GUSEIN`).
//!
//! The reading marks whether one of the Cyrillic rules changed the spelling: the Y and doubled-letter rules alone
//! relate nothing (`MARYAM` ~ `MARIAM` are spellings for the fuzzy and phonetic scores to judge). Written by hand:
//! transliteration crates go from Cyrillic to Latin, not between the Latin spellings of one Cyrillic name.

/// Endings of East Slavic and Caucasian surnames, as read (Y as I, doubled letters once): Russian `-OV`, `-EV`,
/// `-IN` and their feminines, Ukrainian `-ENKO`, `-UK`, `-CHUK`, `-SKI` (`-SKY`, `-SKIY`, `-SKYI`), Russian
/// and Ukrainian patronymics. The `G` of `GASANOV`, `GRIGORENKO`, `PURGIN` and the `X` of `XOLMATOV` are read as H;
/// of `GILL`, `GRANT`, `GALLAGHER`, `MAXIM` not.
const SURNAME_ENDINGS: [&str; 17] =
    ["OV", "EV", "OVA", "EVA", "IN", "INA", "ENKO", "UK", "SKI", "SKII", "SKA", "SKAIA", "OVICH", "EVICH", "OVNA", "EVNA", "IVNA"];

/// Shorter tokens are not read: `GIN`, `HIN` are no surnames of the form, and a two-letter name has no letters to spare.
const MIN_LEN: usize = 4;

/// The token's spelling with the Cyrillic letters written one way (`DZH`, `DJ`, `ZH` as J, `KH` as H, a
/// surname's `G` and Uzbek `X` as H, `Y` as I, a doubled letter once), and whether a Cyrillic rule (not only Y or a doubled
/// letter) changed it; None for a token that is not all ASCII capitals, or is too short.
pub fn reading(token: &str) -> Option<(String, bool)> {
    let b = token.as_bytes();
    if b.len() < MIN_LEN || !b.iter().all(u8::is_ascii_uppercase) {
        return None;
    }
    let mut out: Vec<u8> = Vec::with_capacity(b.len());
    let mut changed = false;
    let mut i = 0;
    while i < b.len() {
        let rest = &b[i..];
        let (letter, used) = if rest.starts_with(b"DZH") {
            (b'J', 3)
        } else if rest.starts_with(b"DJ") || rest.starts_with(b"ZH") {
            (b'J', 2)
        } else if rest.starts_with(b"KH") {
            (b'H', 2)
        } else if rest[0] == b'Y' {
            (b'I', 1)
        } else {
            (rest[0], 1)
        };
        changed |= used > 1;
        if out.last() != Some(&letter) {
            out.push(letter);
        }
        i += used;
    }
    if out.iter().any(|&c| matches!(c, b'G' | b'X')) && SURNAME_ENDINGS.iter().any(|e| out.ends_with(e.as_bytes()) && out.len() >= e.len() + 2) {
        changed = true;
        let mut read: Vec<u8> = Vec::with_capacity(out.len());
        for c in out {
            let c = if matches!(c, b'G' | b'X') { b'H' } else { c };
            if read.last() != Some(&c) {
                read.push(c);
            }
        }
        out = read;
    }
    Some((String::from_utf8(out).ok()?, changed)) // (ASCII letters rewritten as ASCII letters: still UTF-8)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(t: &str) -> String {
        reading(t).unwrap().0
    }

    #[test]
    fn spellings_of_one_cyrillic_name_read_alike() {
        for (a, b) in [
            ("GASANOV", "HASANOV"),
            ("GUSEINOV", "HUSEYNOV"),
            ("GADZHIEV", "HAJIYEV"),
            ("GADZHIEV", "GADJIEV"),
            ("DZHAMAL", "JAMAL"),
            ("DZHOKHAR", "JOKHAR"),
            ("GRIGORENKO", "HRYHORENKO"),
            ("GONCHARENKO", "HONCHARENKO"),
            ("MERKHEZH", "MERHEJ"),
            ("KHASAN", "HASAN"),
            ("ALIYEV", "ALIEV"),
            ("BAGHIROV", "BAGIROV"),
            ("PURGIN", "PURHIN"),
            ("BOGATYROVA", "BOHATYROVA"),
            ("XOLMATOV", "KHOLMATOV"),
            ("XUDOYBERDIYEV", "KHUDOYBERDIEV"),
        ] {
            assert_eq!(read(a), read(b), "{a} ~ {b}");
        }
    }

    #[test]
    fn other_names_stay_apart() {
        for (a, b) in
            [("GILL", "HILL"), ("GUNTER", "HUNTER"), ("GASAN", "HASAN"), ("GRANT", "HRANT"), ("MAGOMED", "MUHAMMAD"), ("MAXIM", "MAHIM")]
        {
            assert_ne!(read(a), read(b), "{a} ~ {b}");
        }
    }

    #[test]
    fn only_the_cyrillic_rules_mark_a_change() {
        assert_eq!(reading("MARYAM"), Some(("MARIAM".to_string(), false)));
        assert_eq!(reading("HUSSEIN"), Some(("HUSEIN".to_string(), false)));
        assert_eq!(reading("DZHAMAL"), Some(("JAMAL".to_string(), true)));
        assert_eq!(reading("GASANOV"), Some(("HASANOV".to_string(), true)));
        assert_eq!(reading("HASANOV"), Some(("HASANOV".to_string(), false)));
        assert_eq!(reading("ZHOU"), Some(("JOU".to_string(), true)));
        for none in ["ALI", "O'NEIL", "Müller", "LI"] {
            assert_eq!(reading(none), None, "{none}");
        }
    }
}

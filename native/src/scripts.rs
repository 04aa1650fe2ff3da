//! Names in scripts that ICAO Doc 9303 gives no table for, read as their passports and Latin spellings write
//! them, where any_ascii reads letter by letter: the passport form of a name ([`crate::text::icao_fold`]; the
//! Japanese kana in the plain form too, [`crate::text::normalize`]).
//! - Greek: ELOT 743, as Greek passports print it (`Ευάγγελος` -> `EVANGELOS`, not `EYAGGELOS`);
//! - Armenian: Armenia's national romanisation (`Ռուբեն` -> `RUBEN`, not `RROWBEN`);
//! - Hebrew: as Israeli spellings write the letters any_ascii reads one way only (`בנימין` -> `BNYMYN`);
//! - Japanese kana: Hepburn a word at a time (wana_kana), as Japan's passports write it (`さとう` -> `SATO`).
//!
//! Each takes NFKC text and returns it with those letters written in Latin (the others left for any_ascii).

use unicode_normalization::UnicodeNormalization;

pub(crate) fn is_greek(c: char) -> bool {
    matches!(c as u32, 0x0370..=0x03FF | 0x1F00..=0x1FFF)
}

/// A Greek letter's capital without its accents, and whether it carries a diaeresis (which splits a
/// diphthong: `Μαΐου` is MA-I-OU).
fn greek_base(c: char) -> (char, bool) {
    let mut marks = std::iter::once(c).nfd();
    let base = marks.next().map_or(c, |b| b.to_uppercase().next().unwrap_or(b));
    (base, marks.any(|m| m == '\u{0308}'))
}

/// Greek words with the letter pairs that Greek passports (ELOT 743, ISO 843) write otherwise than
/// letter by letter, as any_ascii reads them: `ΟΥ` is OU (`Πούτιν` -> POUTIN, not POYTIN); `ΑΥ`, `ΕΥ`, `ΗΥ`
/// are AV, EV, IV before a vowel or voiced consonant and AF, EF, IF elsewhere (`Ευάγγελος` -> EVANGELOS,
/// `Ευθύμιος` -> EFTHYMIOS); `Γ` before `Γ`, `Ξ`, `Χ` is N (ANGELIKI). `ΜΠ` and `ΝΤ` stay MP and NT, as the
/// passports write them (`Αντετοκούνμπο` -> ANTETOKOUNMPO). Written by hand: the transliteration crates
/// read Greek letter by letter.
///
/// `foreign`: read as Greek writes a foreign name, which it has no letters B, D, G and J for: `ΜΠ` is B, `ΝΤ` D,
/// `ΓΚ` G and `ΤΖ` J (`Βλαντίμιρ` -> VLADIMIR, `Μπιν Λάντεν` -> BIN LADEN, `Τζον` -> JON), as the EU's Greek
/// list entries write Arabic and other names.
pub(crate) fn greek_words(nfkc: &str, foreign: bool) -> std::borrow::Cow<'_, str> {
    if !nfkc.chars().any(is_greek) {
        return nfkc.into();
    }
    let chars: Vec<char> = nfkc.chars().collect();
    let base = |i: usize| chars.get(i).filter(|&&c| is_greek(c)).map(|&c| greek_base(c));
    let mut out = String::with_capacity(nfkc.len() + 8);
    let mut i = 0;
    while i < chars.len() {
        let (Some((letter, _)), next) = (base(i), base(i + 1)) else {
            out.push(chars[i]);
            i += 1;
            continue;
        };
        match (letter, next) {
            ('Ο', Some(('Υ', false))) => {
                out.push_str("OU");
                i += 2;
            }
            ('Α' | 'Ε' | 'Η', Some(('Υ', false))) => {
                out.push(match letter {
                    'Α' => 'A',
                    'Ε' => 'E',
                    _ => 'I',
                });
                let voiced = base(i + 2).is_some_and(|(after, _)| "ΑΕΗΙΟΥΩΒΓΔΖΛΜΝΡ".contains(after));
                out.push(if voiced { 'V' } else { 'F' });
                i += 2;
            }
            ('Μ', Some(('Π', false))) | ('Ν', Some(('Τ', false))) | ('Γ', Some(('Κ', false))) | ('Τ', Some(('Ζ', false))) if foreign => {
                out.push(match letter {
                    'Μ' => 'B',
                    'Ν' => 'D',
                    'Γ' => 'G',
                    _ => 'J',
                });
                i += 2;
            }
            ('Γ', Some(('Γ' | 'Ξ' | 'Χ', _))) => {
                out.push('N');
                i += 1;
            }
            _ => {
                out.push(chars[i]);
                i += 1;
            }
        }
    }
    out.into()
}

fn is_armenian(c: char) -> bool {
    matches!(c as u32, 0x0531..=0x0587 | 0xFB13..=0xFB17)
}

/// Armenian words with the letters that Armenia's passports (its national romanisation, as BGN/PCGN's)
/// write otherwise than any_ascii: `ՈՒ` is U (`Ռուբեն` -> RUBEN, not RROWBEN), `Ռ` is R, `և` is EV (YEV
/// at a word's start: `Երևան` -> YEREVAN), and a word's first `Ե` and `Ո` are YE and VO (`Երվանդ` -> YERVAND,
/// `Ոսկան` -> VOSKAN), as they are said. Written by hand, as [`greek_words`].
pub(crate) fn armenian_words(nfkc: &str) -> std::borrow::Cow<'_, str> {
    if !nfkc.chars().any(is_armenian) {
        return nfkc.into();
    }
    let written: Vec<char> = nfkc.chars().collect();
    let chars: Vec<char> = written.iter().map(|&c| c.to_lowercase().next().unwrap_or(c)).collect();
    let mut out = String::with_capacity(nfkc.len() + 8);
    let mut i = 0;
    while i < chars.len() {
        let word_start = i == 0 || !is_armenian(chars[i - 1]);
        // (the Latin, and how many letters it stands for), or None: any_ascii's
        let latin = match (chars[i], chars.get(i + 1)) {
            ('ո', Some('ւ')) => Some(("U", 2)),
            ('ո', _) if word_start => Some(("VO", 1)),
            ('ե', _) if word_start => Some(("YE", 1)),
            ('և', _) => Some((if word_start { "YEV" } else { "EV" }, 1)),
            ('ռ', _) => Some(("R", 1)),
            ('ւ', _) => Some(("V", 1)),
            _ => None,
        };
        match latin {
            Some((latin, letters)) => {
                out.push_str(latin);
                i += letters;
            }
            None => {
                out.push(written[i]);
                i += 1;
            }
        }
    }
    out.into()
}

fn is_hiragana(c: char) -> bool {
    matches!(c as u32, 0x3041..=0x309F)
}

/// A katakana letter (not the middle dot `・` or the long-vowel and iteration marks).
pub(crate) fn is_katakana(c: char) -> bool {
    matches!(c as u32, 0x30A1..=0x30FA)
}

/// Hiragana and katakana, with the long-vowel mark; not the middle dot `・`, which separates words.
fn is_kana(c: char) -> bool {
    is_hiragana(c) || is_katakana(c) || matches!(c as u32, 0x30FC..=0x30FF)
}

/// How [`kana_words`] reads a word written in kana.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum KanaReading {
    /// Hepburn, every vowel kept (`いのうえ` -> `INOUE`, whose U is no long vowel).
    Plain,
    /// As Japan's passports write Hepburn: long vowels unmarked (`OU`, `OO` as O, `UU` as U: `さとう` ->
    /// `SATO`, `ゆうき` -> `YUKI`) and N before B, M, P as M (`ほんま` -> `HOMMA`).
    Passport,
    /// A foreign name written in katakana read back (Japan's lists write foreigners' names so:
    /// `オサマ・ビン・ラディン`): [`KanaReading::Passport`] without the vowel katakana adds after a
    /// word's last consonant (`ムハンマド` -> `MUHAMMAD`, `オマル` -> `OMAR`), and with `l_for_r` the
    /// R row read as L, for katakana writes L and R alike (`ラディン` -> `LADIN`). Hiragana words, which
    /// write Japanese names, are read as passports write them.
    Foreign { l_for_r: bool },
}

/// Words written in kana romanised whole in Hepburn (wana_kana), where any_ascii reads each kana alone
/// (`きょうこ` -> `KI YO U KO`, its small `ょ` a syllable of its own, `まっすぐ` -> `MA T SU GU`): `KYOUKO`,
/// `MASSUGU`; as `reading` says ([`KanaReading`]).
pub(crate) fn kana_words(nfkc: &str, reading: KanaReading) -> std::borrow::Cow<'_, str> {
    use wana_kana::ConvertJapanese;
    if !nfkc.chars().any(is_kana) {
        return nfkc.into();
    }
    let mut out = String::with_capacity(nfkc.len() * 2);
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String| {
        if !word.is_empty() {
            let mut kana = std::mem::take(word);
            for (pair, latin) in EXTENDED_KATAKANA {
                if kana.contains(pair) {
                    kana = kana.replace(pair, latin);
                }
            }
            let katakana = !kana.chars().any(is_hiragana);
            if reading != KanaReading::Plain {
                kana.retain(|c| c != '\u{30FC}'); // the long-vowel mark: passports write no long vowel
            }
            let romaji = kana.as_str().to_romaji();
            out.push(' ');
            match reading {
                KanaReading::Plain => out.push_str(&romaji),
                KanaReading::Foreign { l_for_r } if katakana => out.push_str(&foreign_reading(&passport_hepburn(&romaji), l_for_r)),
                _ => out.push_str(&passport_hepburn(&romaji)),
            }
            out.push(' ');
        }
    };
    for c in nfkc.chars() {
        if is_kana(c) {
            word.push(c);
        } else {
            flush(&mut word, &mut out);
            out.push(if c == '\u{30FB}' { ' ' } else { c });
        }
    }
    flush(&mut word, &mut out);
    out.into()
}

/// The katakana that write foreign names' sounds (`ディ`, `ファ`, `ヴ`), in Hepburn, which wana_kana reads
/// kana by kana (`ディ` -> `dei`, `ヴィ` -> `voi`): `ラディン` is RADIN, `ヴィクトル` VIKUTORU. Pairs first.
const EXTENDED_KATAKANA: [(&str, &str); 29] = [
    ("ディ", "di"), ("ティ", "ti"), ("ドゥ", "du"), ("トゥ", "tu"), ("デュ", "dyu"), ("テュ", "tyu"),
    ("ファ", "fa"), ("フィ", "fi"), ("フェ", "fe"), ("フォ", "fo"), ("フュ", "fyu"),
    ("ウィ", "wi"), ("ウェ", "we"), ("ウォ", "wo"), ("ヴァ", "va"), ("ヴィ", "vi"), ("ヴェ", "ve"), ("ヴォ", "vo"),
    ("ヴュ", "vyu"), ("ツァ", "tsa"), ("ツィ", "tsi"), ("ツェ", "tse"), ("ツォ", "tso"), ("イェ", "ye"),
    ("クァ", "kwa"), ("グァ", "gwa"), ("シェ", "she"), ("ヴ", "vu"), ("ゔ", "vu"),
];

/// A foreign name's word in katakana's Hepburn read back ([`KanaReading::Foreign`]): the vowel written
/// after its last consonant dropped (U, or O after T and D, as katakana writes a final T, D: `ト`,
/// `ド`), unless no other vowel is left (`TSU`); R as L with `l_for_r`.
fn foreign_reading(romaji: &str, l_for_r: bool) -> String {
    let is_vowel = |c: &u8| b"aeiouAEIOU".contains(c);
    let b = romaji.as_bytes();
    let mut end = b.len();
    if let [rest @ .., consonant, vowel] = b {
        let consonant = consonant.to_ascii_lowercase();
        let added = match vowel.to_ascii_lowercase() {
            b'u' => consonant.is_ascii_alphabetic() && !is_vowel(&consonant) && consonant != b'n',
            b'o' => consonant == b't' || consonant == b'd',
            _ => false,
        };
        if added && rest.iter().any(is_vowel) {
            end -= 1;
        }
    }
    let read = |c: char| match c {
        'r' if l_for_r => 'l',
        'R' if l_for_r => 'L',
        _ => c,
    };
    romaji[..end].chars().map(read).collect()
}

/// Hepburn romaji as Japan's passports write it: long vowels unmarked, N before B, M, P as M.
fn passport_hepburn(romaji: &str) -> String {
    let b = romaji.as_bytes();
    let mut out = String::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let (c, next) = (b[i].to_ascii_lowercase(), b.get(i + 1).map(u8::to_ascii_lowercase));
        match (c, next) {
            (b'o', Some(b'u' | b'o')) | (b'u', Some(b'u')) => {
                out.push(c as char);
                i += 2;
                continue;
            }
            (b'n', Some(b'b' | b'm' | b'p')) => out.push('m'),
            _ => out.push(b[i] as char),
        }
        i += 1;
    }
    out
}

fn is_hebrew_letter(c: char) -> bool {
    matches!(c as u32, 0x05D0..=0x05EA)
}

/// A Hebrew letter, vowel point or other mark of the script: what a word is made of.
fn is_hebrew(c: char) -> bool {
    matches!(c as u32, 0x0591..=0x05F4)
}

/// Hebrew words as the Latin spellings of Hebrew names write the letters any_ascii reads one way only: `ו`,
/// mostly a vowel (O, U: `שמעון` Shimon, `נתניהו` Netanyahu), as W, which the consonant skeleton drops as it
/// drops Arabic's و, and reads as V where it is one (`דוד` David: [`crate::names::w_as_v_skeletons`]); a word's
/// first `ב` and `פ` as B and P, as they are said there (`בנימין` Binyamin, `פרס` Peres; elsewhere V and F:
/// `אברהם` Avraham, `יוסף` Yosef); `צ` as TZ, as Israeli spellings write it (`כץ` Katz, `יצחק` Yitzhak).
pub(crate) fn hebrew_words(nfkc: &str) -> std::borrow::Cow<'_, str> {
    if !nfkc.chars().any(is_hebrew_letter) {
        return nfkc.into();
    }
    let mut out = String::with_capacity(nfkc.len() + 8);
    let mut previous = ' ';
    for c in nfkc.chars() {
        let word_start = !is_hebrew(previous);
        match c {
            '\u{05D5}' => out.push('W'),                  // ו
            '\u{05D1}' if word_start => out.push('B'),    // ב
            '\u{05E4}' if word_start => out.push('P'),    // פ
            '\u{05E6}' | '\u{05E5}' => out.push_str("TZ"), // צ ץ
            _ => out.push(c),
        }
        previous = c;
    }
    out.into()
}

#[cfg(test)]
mod tests {
    use crate::text::{icao_fold, name_forms, normalize};

    #[test]
    fn greek_passport_form() {
        // as Greek passports print them (ELOT 743); the plain form stays letter by letter
        assert_eq!(icao_fold("Βλαντίμιρ Πούτιν"), "VLANTIMIR POUTIN");
        assert_eq!(normalize("Βλαντίμιρ Πούτιν"), "VLANTIMIR POYTIN");
        assert_eq!(icao_fold("Ευάγγελος Βενιζέλος"), "EVANGELOS VENIZELOS");
        assert_eq!(icao_fold("Ευθύμιος Σταύρος Παύλος Ελευθέριος"), "EFTHYMIOS STAVROS PAVLOS ELEFTHERIOS");
        assert_eq!(icao_fold("ΑΓΓΕΛΙΚΗ Φραγκίσκος"), "ANGELIKI FRAGKISKOS");
        assert_eq!(icao_fold("Γιάννης Αντετοκούνμπο"), "GIANNIS ANTETOKOUNMPO");
        assert_eq!(icao_fold("Ντόρα Μπακογιάννη"), "NTORA MPAKOGIANNI");
        // a diaeresis splits the pair; a pair at a word's end is voiceless; Latin letters beside are untouched
        assert_eq!(icao_fold("Μαΐου Ταΰγετος"), "MAIOU TAYGETOS");
        assert_eq!(icao_fold("Ζευ Αύγουστος OY"), "ZEF AVGOUSTOS OY");
        assert_eq!(name_forms("Πούτιν"), vec!["POYTIN", "POUTIN"]);
    }

    #[test]
    fn greek_foreign_name_form() {
        // a foreign name in Greek letters: B, D, G and J read back from the pairs Greek writes them with
        assert_eq!(name_forms("Βλαντίμιρ Πούτιν"), vec!["VLANTIMIR POYTIN", "VLANTIMIR POUTIN", "VLADIMIR POUTIN"]);
        assert_eq!(name_forms("Οσάμα Μπιν Λάντεν").last().unwrap(), "OSAMA BIN LADEN");
        assert_eq!(name_forms("Τζορτζ Μπους").last().unwrap(), "JORJ BOUS");
        assert_eq!(name_forms("Μπάμπαρ Χαλσά").last().unwrap(), "BABAR CHALSA");
        // nothing to read back: no third form
        assert_eq!(name_forms("Νικόλαος").len(), 1);
        assert_eq!(name_forms("Αλέξης Τσίπρας").len(), 1);
    }

    #[test]
    fn armenian_passport_form() {
        assert_eq!(icao_fold("Ռուբեն Գևորգյան"), "RUBEN GEVORGYAN");
        assert_eq!(normalize("Ռուբեն Գևորգյան"), "RROWBEN GEWORGYAN");
        assert_eq!(icao_fold("Երվանդ Ոսկանյան"), "YERVAND VOSKANYAN");
        assert_eq!(icao_fold("ԵՐԵՎԱՆ Երևան"), "YEREVAN YEREVAN");
        assert_eq!(icao_fold("Գագիկ Ծառուկյան"), "GAGIK TSARUKYAN");
        assert_eq!(icao_fold("Ուրիկ Էդուարդ"), "URIK EDUARD");
        assert_eq!(icao_fold("Նիկոլ Փաշինյան"), "NIKOL PASHINYAN");
        assert_eq!(icao_fold("Ոսկան Ivan"), "VOSKAN IVAN");
    }

    #[test]
    fn hebrew_passport_form() {
        assert_eq!(icao_fold("בנימין נתניהו"), "BNYMYN NTNYHW");
        assert_eq!(normalize("בנימין נתניהו"), "VNYMYN NTNYHV");
        assert_eq!(icao_fold("יוסף כץ"), "YWSF KHTZ");
        assert_eq!(icao_fold("שמעון פרס"), "SMWN PRS");
        assert_eq!(icao_fold("אברהם Levi"), "VRHM LEVI");
        // with vowel points (read as vowels), a letter after a pointed one is inside the word: ב stays V
        assert_eq!(icao_fold("אַבְרָהָם"), "AVERAHAM");
    }

    #[test]
    fn kana_words_are_romanised_whole() {
        assert_eq!(normalize("ヤマダ タロウ"), "YAMADA TAROU");
        assert_eq!(icao_fold("ヤマダ タロウ"), "YAMADA TARO");
        assert_eq!(normalize("きょうこ しゅんすけ まっすぐ"), "KYOUKO SHUNSUKE MASSUGU");
        assert_eq!(icao_fold("さとう ゆうき おおの ほんま なんば"), "SATO YUKI ONO HOMMA NAMBA");
        assert_eq!(icao_fold("スズキ・イチロー"), "SUZUKI ICHIRO");
        assert_eq!(normalize("しんいち"), "SHINICHI");
        assert_eq!(normalize("いのうえ"), "INOUE");
        // a kana word beside Han characters (read syllable by syllable) and Latin letters
        assert_eq!(normalize("山田たろう"), "SHAN TIAN TAROU");
        assert_eq!(icao_fold("Ken たろう"), "KEN TARO");
        // foreign names' sounds in katakana
        assert_eq!(normalize("オサマ・ビン・ラディン"), "OSAMA BIN RADIN");
        assert_eq!(icao_fold("ヴィクトル ファリド ウラジーミル"), "VIKUTORU FARIDO URAJIMIRU");
    }

    #[test]
    fn katakana_is_read_back_as_a_foreign_name() {
        use crate::text::{katakana_foreign_forms, name_forms};
        // the vowel katakana adds after a last consonant dropped; R kept, then read as L
        assert_eq!(katakana_foreign_forms("オサマ・ビン・ラディン").unwrap(), ["OSAMA BIN RADIN", "OSAMA BIN LADIN"].map(String::from));
        assert_eq!(katakana_foreign_forms("ムハンマド オマル").unwrap(), ["MUHAMMAD OMAR", "MUHAMMAD OMAL"].map(String::from));
        assert_eq!(katakana_foreign_forms("ヴィクトル ファリド").unwrap()[0], "VIKUTOR FARID");
        // a word of one syllable, or whose added vowel is its only one, keeps it
        assert_eq!(katakana_foreign_forms("ル ツ").unwrap()[0], "RU TSU");
        // hiragana write Japanese names: read as passports write them; no katakana, no foreign form
        assert_eq!(katakana_foreign_forms("ヤマダ さとう").unwrap()[1], "YAMADA SATO");
        assert!(katakana_foreign_forms("さとう ゆうき").is_none() && katakana_foreign_forms("Osama").is_none());
        // both are forms a name is indexed and compared under, after its plain and passport forms
        assert_eq!(name_forms("オサマ・ビン・ラディン"), ["OSAMA BIN RADIN", "OSAMA BIN LADIN"].map(String::from));
    }
}

//! Organisation and consignee names: legal forms, stopwords and abbreviations.
//!
//! `ACME TRADING CO LTD` and `Acme Trading Company` are one company: the legal form (`LTD`, `GMBH`,
//! `OOO`) says how it is registered, not who it is, so it is set aside before the names are aligned
//! (and compared on its own, as evidence, by the Python engine); stopwords (`THE`, `OF`, `AND`) carry
//! nothing; abbreviations stand for their words (`CO` ~ `COMPANY`, `INTL` ~ `INTERNATIONAL`); and
//! agreeing on the words of a trade (`BANK`, `SHIPPING`, `HOTEL`) or a place (`IRAN`, `SYRIAN`, `TEHRAN`) does not
//! say which organisation is meant. Tables: OpenSanctions rigour (MIT), derived by engine/data/org_names/make_tables.py
//! and make_places.py.

use crate::text::normalize;
use ahash::{AHashMap, AHashSet};
use std::sync::OnceLock;

const LEGAL_FORMS_TSV: &str = include_str!("../../engine/data/org_names/legal_forms.tsv");
/// Forms the sanctions lists write that rigour's table lacks (written for Interdict: Venezuela's `C.A.`, Mexico's
/// `A.C.`, Lebanon's `S.A.L.`), read as the same `key<TAB>alias` lines.
const LEGAL_FORMS_EXTRA_TSV: &str = include_str!("../../engine/data/org_names/legal_forms_extra.tsv");
const ORG_SYMBOLS_TSV: &str = include_str!("../../engine/data/org_names/org_symbols.tsv");
const ORG_DOMAINS_TSV: &str = include_str!("../../engine/data/org_names/org_domains.tsv");
const PLACES_TSV: &str = include_str!("../../engine/data/org_names/places.tsv");

/// Words that say nothing about which organisation is meant.
const STOPWORDS: &[&str] = &["THE", "OF", "AND", "FOR"];

/// Short legal-form aliases that are also common words or given names (`BO`, `YU`, `DA`, `IN`): never
/// taken for a legal form, since a person called `WANG BO` must keep their name.
const AMBIGUOUS_FORMS: &[&str] = &[
    "OF", "IN", "IS", "NO", "AT", "GO", "BO", "DA", "ED", "NA", "YU", "II", "ET", "EI", "AE", "AY", "KY", "OO", "LL",
    "LT", "SS", "PR", "PS", "RO", "RS", "RT", "RY", "SD", "SB", "TU", "UU", "VO", "UP", "JU", "GU", "GA", "KU", "OU",
    "SE", "EP", "PE", "IM", "IK", "IP", "MAU", "MOO", "PAT", "TOO", "KOR", "ANO", "HUF", "SAD", "SEM", "AD", "DP",
    "ZS", "XT", "YK", "AO", "OD", "AT", "EK", "KB", "KD", "KS", "KV", "NL", "NP", "OG", "PC", "PK", "PP", "RF", "RP",
    "SF", "UG", "VAT", "EV", "EG", "DF", "BT", "BF", "CA", "CV", "GK", "GP", "HF", "JP", "JV", "LC", "LP", "QK",
    // Surnames and given names (Ong, Dou, Gou, Mou, Nuo, Sia, Ege, ...).
    "ONG", "DOU", "GOU", "MOU", "POU", "NUO", "SIA", "SAK", "SAU", "ODO", "OBO", "EGE", "STI", "SCE", "TDA", "FIE", "GNU",
];
/// Two-letter aliases (`SA`, `AG`, `NV`) are taken for a legal form only at the end of a name of at
/// least two other tokens (`ACME TRADING SA`).
const SHORT_FORM_LEN: usize = 2;
/// The longest word of a legal form set aside beyond its shortest alias at a name's end (`PTY` of `PTY LTD`).
const FORM_FRAGMENT_LEN: usize = 3;
/// Longest legal-form alias, in tokens, looked for (`S DE R L DE C V`, Mexico's S. de R.L. de C.V., has 7).
const MAX_FORM_TOKENS: usize = 8;

pub struct OrgTables {
    /// Normalised alias (space separated) -> the form's key (its generic tag: LTD and LLC are both `LLC`).
    pub legal_forms: AHashMap<String, String>,
    /// Normalised single word -> its group id (`CO`, `COMPANY`, `CORP` share one).
    pub symbols: AHashMap<String, u32>,
    /// Every word of a legal-form alias: a name with none at either end has no legal form (a quick test).
    pub legal_words: AHashSet<String>,
    /// The symbol words that are weak evidence wherever they stand ([`is_generic_word`]).
    pub generic_words: AHashSet<String>,
    /// The words of a trade or a place ([`is_trade_word`]).
    pub trade_words: AHashSet<String>,
}

/// Short symbol words that are organisation abbreviations only. Others of three letters or fewer are
/// names too (`ONG`, a French NGO and a Chinese surname; `DEV`; `BO`, from Cyrillic `БО`).
const SHORT_GENERIC_WORDS: &[&str] = &["CO", "GRP", "NGO", "CSO", "SPV", "FDN", "GOV", "ORG", "FED"];
/// Symbol words that are also given names or surnames often enough to keep their weight
/// (FEBRL's name tables and the nickname table, checked when this list was made).
const NAMES_TOO: &[&str] = &["CHARITY", "KAISHA", "MUNDO", "BRANCH"];

pub fn tables() -> &'static OrgTables {
    static TABLES: OnceLock<OrgTables> = OnceLock::new();
    TABLES.get_or_init(|| parse_tables(&[LEGAL_FORMS_TSV, LEGAL_FORMS_EXTRA_TSV].concat(), ORG_SYMBOLS_TSV, ORG_DOMAINS_TSV, PLACES_TSV))
}

fn tsv_rows(tsv: &str) -> impl Iterator<Item = (&str, &str)> {
    tsv.lines().filter_map(|l| l.split_once('\t'))
}

/// Written in Latin letters, and long enough or a known abbreviation: a word transliterated from another
/// script may be a name's syllable (`XIA`, `SHANG`, `DANG` from Han characters for district, commerce, party).
fn may_be_generic(raw: &str, word: &str) -> bool {
    let latin = raw.chars().all(|c| c.is_alphabetic() && (c.is_ascii() || ('\u{00C0}'..='\u{024F}').contains(&c)));
    latin && (word.len() >= 4 || SHORT_GENERIC_WORDS.contains(&word)) && !NAMES_TOO.contains(&word)
}

fn parse_tables(legal_forms: &str, symbols: &str, domains: &str, places: &str) -> OrgTables {
    let mut t = OrgTables { legal_forms: AHashMap::new(), symbols: AHashMap::new(), legal_words: AHashSet::new(), generic_words: AHashSet::new(), trade_words: AHashSet::new() };
    for (key, alias) in tsv_rows(legal_forms) {
        let alias = normalize(alias);
        let tokens = alias.split(' ').count();
        if alias.is_empty() || tokens > MAX_FORM_TOKENS || (tokens == 1 && (alias.len() < 2 || AMBIGUOUS_FORMS.contains(&alias.as_str()))) {
            continue;
        }
        t.legal_words.extend(alias.split(' ').map(str::to_owned));
        t.legal_forms.entry(alias).or_insert_with(|| key.trim().to_ascii_uppercase());
    }
    let mut groups: AHashMap<&str, u32> = AHashMap::new();
    for (group, raw) in tsv_rows(symbols) {
        let word = normalize(raw);
        if word.len() < 2 || word.contains(' ') {
            continue;
        }
        if may_be_generic(raw, &word) {
            t.generic_words.insert(word.clone());
        }
        let next = groups.len() as u32;
        let id = *groups.entry(group).or_insert(next);
        t.symbols.entry(word).or_insert(id);
    }
    // A trade's words do not stand for one another: `STEEL` and `METAL` share a domain, yet are not
    // one word written short.
    for (_, raw) in tsv_rows(domains) {
        let word = normalize(raw);
        if !word.contains(' ') && may_be_generic(raw, &word) && !t.generic_words.contains(&word) {
            t.trade_words.insert(word);
        }
    }
    // A place says where an organisation is, as a trade says what it does: `IRAN TIRE MANUFACTURING` and `IRAN
    // AIRCRAFT MANUFACTURING` are two companies (the table holds no person's name: make_places.py).
    for (_, raw) in tsv_rows(places) {
        let word = normalize(raw);
        if !word.is_empty() && !word.contains(' ') && !t.generic_words.contains(&word) {
            t.trade_words.insert(word);
        }
    }
    t
}

/// Whether a word is one organisation names share (`CO`, `COMPANY`, `INTL`, `GROUP`, `FOUNDATION`): a
/// symbol word written in Latin letters that is no name as well. Agreeing on it says little of whose
/// name it is, and leaving it out costs little.
pub fn is_generic_word(token: &str) -> bool {
    tables().generic_words.contains(token)
}

/// Whether a word names a trade (`BANK`, `SHIPPING`, `HOTEL`, rigour's organisation domains) or a place (`IRAN`,
/// `SYRIAN`, `TEHRAN`, rigour's territories): many organisations share it, so agreeing on it does not say which one
/// is meant and it weighs less than a word that does; but, unlike `COMPANY`, it says what the organisation does or
/// where it is, so it is missed as any word when left over (`SARA PROPERTIES` is not `SARA`).
pub fn is_trade_word(token: &str) -> bool {
    tables().trade_words.contains(token)
}

/// Whether a word occurs in some legal-form alias.
pub fn is_legal_word(token: &str) -> bool {
    tables().legal_words.contains(token)
}

pub fn is_stopword(token: &str) -> bool {
    STOPWORDS.contains(&token)
}

/// The abbreviation group of a word (`INTL` and `INTERNATIONAL` share one).
pub fn symbol_group(token: &str) -> Option<u32> {
    tables().symbols.get(token).copied()
}

/// A legal form at the end (`... CO LTD`) or the start (`OOO ...`, `PT ...`) of a tokenised name:
/// (first token, one past the last, key). Something must be left of the name.
pub fn legal_form_span(tokens: &[&str]) -> Option<(usize, usize, &'static str)> {
    let t = tables();
    let n = tokens.len();
    let lookup = |from: usize, to: usize| -> Option<&'static str> {
        // `&` is no word of a normalised alias, and a name may spell it (`GMBH AND CO KG`)
        let mut phrase = String::new();
        for i in (from..to).filter(|&i| i == from || i + 1 == to || tokens[i] != "AND") {
            if !phrase.is_empty() {
                phrase.push(' ');
            }
            phrase.push_str(tokens[i]);
        }
        let short = to - from == 1 && phrase.len() <= SHORT_FORM_LEN;
        if short && (to != n || from < 2) {
            return None;
        }
        t.legal_forms.get(&phrase).map(String::as_str)
    };
    // The shortest form at the end, so that `CO LTD` sets aside LTD only and CO still pairs with COMPANY
    // (and `TICARET LIMITED SIRKETI` only `LIMITED SIRKETI`, TICARET pairing with TICARET); but a longer one
    // whose other words are short and no abbreviation's (`PTY LTD`, `SDN BHD`, and `S A S` for `S.A.S.`,
    // where `A S` is Danish `A/S`): they are fragments of the form, left to pair with nothing.
    let with_its_fragments = |span: &dyn Fn(usize) -> (usize, usize)| -> Option<(usize, usize, &'static str)> {
        let mut found = None;
        for k in 1..=MAX_FORM_TOKENS.min(n.saturating_sub(1)) {
            let (from, to) = span(k);
            let Some(key) = lookup(from, to) else { continue };
            match found {
                None => found = Some((from, to, key)),
                Some((first, last, _)) => {
                    let added: Vec<usize> = (from..to).filter(|i| !(first..last).contains(i)).collect();
                    let fragments = added.iter().all(|&i| tokens[i].len() <= FORM_FRAGMENT_LEN && symbol_group(tokens[i]).is_none());
                    // a form holding another whole form is one compound form (`GMBH CO KG`, a limited
                    // partnership whose partner is a GmbH): its words are set aside together
                    let compound = added.iter().any(|&i| tokens[i].len() > SHORT_FORM_LEN && t.legal_forms.contains_key(tokens[i]));
                    if fragments || compound {
                        found = Some((from, to, key));
                    }
                }
            }
        }
        found
    };
    with_its_fragments(&|k| (n - k, n)).or_else(|| with_its_fragments(&|k| (0, k)))
}

/// The legal form of a raw name, by its key (`Acme Trading Co. Ltd.` -> `LLC`).
pub fn legal_form(name: &str) -> Option<String> {
    let normalized = normalize(name);
    let tokens: Vec<&str> = normalized.split(' ').filter(|t| !t.is_empty()).collect();
    legal_form_span(&tokens).map(|(_, _, key)| key.to_owned())
}

/// Which tokens of a name the alignment compares: all but a legal form and stopwords, as long as
/// something is left (`THE COMPANY` stays as it is). Stopwords go only from a name that reads as an
/// organisation's (a legal form or an organisation word such as `COMPANY`, `TRADING`), or a leading
/// `THE`: `HASSAN THE OLD` is a person's name and keeps its words.
pub fn core_positions(tokens: &[&str]) -> Vec<usize> {
    let span = legal_form_span(tokens);
    let (from, to) = span.map_or((0, 0), |(a, b, _)| (a, b));
    let organisation = span.is_some() || tokens.iter().any(|t| symbol_group(t).is_some());
    let drop = |i: usize| (from..to).contains(&i) || (is_stopword(tokens[i]) && (organisation || (i == 0 && tokens[i] == "THE")));
    let kept: Vec<usize> = (0..tokens.len()).filter(|&i| !drop(i)).collect();
    if kept.is_empty() {
        (0..tokens.len()).collect()
    } else {
        kept
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn span(name: &str) -> Option<(usize, usize, &'static str)> {
        let n = normalize(name);
        let t: Vec<&str> = n.split(' ').collect();
        legal_form_span(&t)
    }

    #[test]
    fn forms_the_lists_write_beyond_rigour() {
        assert_eq!(legal_form("Banco Bicentenario Banco Universal C.A."), legal_form("Acme S.A."));
        assert_eq!(span("PDVSA Servicios, C.A.").map(|s| (s.0, s.1)), Some((2, 4)));
        assert!(legal_form("Fundacion Zorg, A.C.").is_some() && legal_form("Beirut Gem S.A.L.").is_some());
    }

    #[test]
    fn legal_forms_at_either_end() {
        assert_eq!(legal_form("Acme Trading Co. Ltd."), legal_form("ACME TRADING LIMITED"));
        assert!(legal_form("Acme Trading GmbH").is_some());
        assert_eq!(span("OOO Romashka").map(|s| (s.0, s.1)), Some((0, 1)));
        // Keys are generic types: a GmbH and an Inc are both limited companies, an AG is joint-stock.
        assert_eq!(legal_form("Acme GmbH"), legal_form("Acme Inc"));
        assert_ne!(legal_form("Acme Handels GmbH"), legal_form("Acme Handels AG"));
    }

    #[test]
    fn a_longer_form_is_set_aside_when_its_other_words_are_fragments() {
        assert_eq!(span("Global Energy Company S.A.S.").map(|s| (s.0, s.1)), Some((3, 6)));
        assert_eq!(span("Cosmo Resources Pte. Ltd.").map(|s| (s.0, s.1)), Some((2, 4)));
        assert_eq!(span("Acme Sdn Bhd").map(|s| (s.0, s.1)), Some((1, 3)));
        // CO stays, to pair with COMPANY; TICARET (`TICARET LIMITED SIRKETI` is a form too), to pair with TICARET
        assert_eq!(span("Acme Trading Co Ltd").map(|s| (s.0, s.1)), Some((3, 4)));
        assert_eq!(span("Turira Ticaret Limited Sirketi").map(|s| (s.0, s.1)), Some((2, 4)));
    }

    #[test]
    fn compound_and_long_forms_are_set_aside_whole() {
        // the GmbH partner's form and CO go with KG, spelt with `&` or `AND`
        assert_eq!(span("Ninth Ocean GmbH & Co. KG").map(|s| (s.0, s.1)), Some((2, 5)));
        assert_eq!(span("First Ocean GmbH and Co KG").map(|s| (s.0, s.1)), Some((2, 6)));
        assert_eq!(span("J & E S. de R.L. de C.V.").map(|s| (s.0, s.1)), Some((2, 9)));
        assert_eq!(legal_form("Acme Handels GmbH & Co. KG"), legal_form("Acme Handels KG"));
    }

    #[test]
    fn person_names_keep_their_tokens() {
        assert_eq!(span("Wang Bo"), None);
        assert_eq!(span("Li Xiao Yu"), None);
        assert_eq!(span("Ltd"), None); // nothing would be left
        assert_eq!(core_positions(&["THE", "COMPANY"]), vec![1]);
        assert_eq!(core_positions(&["THE", "ZORG", "TRADING", "COMPANY"]), vec![1, 2, 3]);
        assert_eq!(core_positions(&["ZORG", "AND", "FLIM", "TRADING"]), vec![0, 2, 3]);
        assert_eq!(core_positions(&["HASSAN", "THE", "OLD"]), vec![0, 1, 2]);
    }

    #[test]
    fn abbreviations_share_a_group() {
        assert!(symbol_group("INTL").is_some());
        assert_eq!(symbol_group("INTL"), symbol_group("INTERNATIONAL"));
        assert_eq!(symbol_group("CO"), symbol_group("COMPANY"));
        assert_ne!(symbol_group("CO"), symbol_group("INTERNATIONAL"));
    }

    #[test]
    fn the_tables_parse() {
        let t = parse_tables("LLC\tLtd.\nLLC\tLimited\nX\tBo\n", "co\tcompany\nco\tco\nintl\tintl\n", "bank\tbanco\nsteel\tmetal\nbank\tбанк\n", "ir\tIRAN\nir\tTEHRAN\n");
        assert_eq!(t.legal_forms.get("LTD").map(String::as_str), Some("LLC"));
        assert!(!t.legal_forms.contains_key("BO"));
        assert_eq!(t.symbols.get("CO"), t.symbols.get("COMPANY"));
        assert_ne!(t.symbols.get("CO"), t.symbols.get("INTL"));
        assert!(t.trade_words.contains("BANCO") && t.trade_words.contains("METAL"));
        assert!(!t.symbols.contains_key("BANCO"), "a trade's word stands for no other");
        assert!(!t.trade_words.contains("BANK"), "not from `банк`: a transliterated word may be a name's syllable");
        assert!(t.trade_words.contains("IRAN") && t.trade_words.contains("TEHRAN"), "a place's words");
    }
}

//! Order-free alignment of two names, token by token, that says how each token was matched.
//!
//! A passenger's name and a listed name rarely agree letter for letter: surname and given names swap,
//! middle names go missing, `ABDUL RAHMAN` is written `ABDULRAHMAN`, `MOHAMMED` is `MUHAMMAD`,
//! `J.` stands for `JOHN`. The alignment pairs each query token with at most one candidate token
//! (greedily, best pairs first, in any order), and the score weighs matched against unmatched tokens:
//! tokens missing from one side cost less once two real tokens agree (a missing middle name), and
//! particles and titles (`AL`, `BIN`, `VAN`, `MR`, `HAJI`) weigh little either way.

use crate::phonetic::double_metaphone;
use crate::similarity::jaro_winkler_similarity;
use crate::text::name_forms;
use ahash::RandomState;

/// Pairs below this similarity are not a match at all.
pub const MIN_PAIR_SIMILARITY: f64 = 0.6;
/// Fuzzy similarity = 1 - FUZZY_STRETCH * (1 - Jaro-Winkler).
pub const FUZZY_STRETCH: f64 = 2.0;
/// Two phonetically equal tokens are at least this similar ...
pub const PHONETIC_FLOOR: f64 = 0.9;
/// ... if their spellings are at least this alike (Jaro-Winkler): Double Metaphone ignores vowels,
/// so JOHN and JANE share a key.
pub const PHONETIC_MIN_JARO_WINKLER: f64 = 0.75;
/// An initial against the token it abbreviates.
pub const INITIAL_SIMILARITY: f64 = 0.8;
/// The share of an unmatched token's weight that counts once two real tokens matched strongly.
pub const MISSING_TOKEN_COST: f64 = 0.3;
/// A pair at least this similar counts as strong agreement (a loose pair earns no discount).
pub const STRONG_PAIR_SIMILARITY: f64 = 0.88;

const PARTICLES: &[&str] = &[
    "AL", "EL", "BIN", "BINT", "IBN", "BEN", "BENT", "VAN", "VON", "DER", "DEN", "DE", "DEL", "DELA", "DELLA",
    "LA", "LE", "DA", "DI", "DO", "DOS", "DAS", "DU", "Y", "MR", "MRS", "MS", "MISS", "DR", "PROF", "SIR", "HAJI",
    "HADJI", "HAJJI", "HAJI", "SHEIKH", "SHAIKH", "SHEIK", "MULLAH", "MAULANA", "MAULAWI", "MAWLAWI", "QARI",
];

/// How a pair of tokens was matched.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MatchKind {
    Exact,
    Phonetic,
    Fuzzy,
    Initial,
    Joined,
}

impl MatchKind {
    pub fn as_str(self) -> &'static str {
        match self {
            MatchKind::Exact => "exact",
            MatchKind::Phonetic => "phonetic",
            MatchKind::Fuzzy => "fuzzy",
            MatchKind::Initial => "initial",
            MatchKind::Joined => "joined",
        }
    }
}

/// One token with what the comparison needs precomputed.
#[derive(Clone, Debug)]
pub struct Token {
    pub text: String,
    /// Hashes of the Double Metaphone primary and alternate keys (0 when empty).
    pub phonetic: [u64; 2],
    pub weight: f64,
    pub particle: bool,
}

fn key_hash(s: &str) -> u64 {
    if s.is_empty() {
        0
    } else {
        // Fixed seeds: the same key hashes alike in every process (saved indexes, workers).
        RandomState::with_seeds(0x1d, 0x7e, 0x2a, 0x51).hash_one(s)
    }
}

impl Token {
    pub fn new(text: &str) -> Token {
        let particle = PARTICLES.contains(&text);
        let phonetic = if text.len() >= 2 && !text.bytes().all(|b| b.is_ascii_digit()) {
            let (p, a) = double_metaphone(text);
            [key_hash(&p), key_hash(&a)]
        } else {
            [0, 0]
        };
        // Longer tokens carry more evidence; a lone initial or a particle very little.
        let len = text.chars().count();
        let weight = if particle {
            0.15
        } else if len == 1 {
            0.3
        } else {
            (len.min(8) as f64 + 2.0) / 10.0
        };
        Token { text: text.to_owned(), phonetic, weight, particle }
    }

    fn phonetic_agrees(&self, other: &Token) -> bool {
        self.phonetic.iter().any(|&k| k != 0 && other.phonetic.contains(&k))
    }
}

/// Tokens of an already normalised name (space separated).
pub fn prepare(normalized: &str) -> Vec<Token> {
    normalized.split(' ').filter(|t| !t.is_empty()).map(Token::new).collect()
}

/// Similarity of two tokens and how it arose; None below [`MIN_PAIR_SIMILARITY`].
pub fn token_similarity(q: &Token, c: &Token) -> Option<(f64, MatchKind)> {
    if q.text == c.text {
        return Some((1.0, MatchKind::Exact));
    }
    let (ql, cl) = (q.text.len(), c.text.len());
    if (ql == 1) != (cl == 1) {
        let (initial, full) = if ql == 1 { (q, c) } else { (c, q) };
        return (full.text.as_bytes()[0] == initial.text.as_bytes()[0] && !full.particle)
            .then_some((INITIAL_SIMILARITY, MatchKind::Initial));
    }
    let jw = jaro_winkler_similarity(&q.text, &c.text, 0.1);
    // Jaro-Winkler is generous to short, different names (SAEED ~ SABET 0.79): stretch its top
    // range so one typo in a long name keeps most of its weight and a loose resemblance little.
    let fuzzy = 1.0 - FUZZY_STRETCH * (1.0 - jw);
    if fuzzy < PHONETIC_FLOOR && jw >= PHONETIC_MIN_JARO_WINKLER && q.phonetic_agrees(c) {
        return Some((PHONETIC_FLOOR, MatchKind::Phonetic));
    }
    (fuzzy >= MIN_PAIR_SIMILARITY).then_some((fuzzy, MatchKind::Fuzzy))
}

/// The outcome of aligning a query name with a candidate name.
#[derive(Clone, Debug, Default)]
pub struct Alignment {
    pub score: f64,
    /// (query token, candidate token, similarity, how).
    pub pairs: Vec<(String, String, f64, MatchKind)>,
    pub unmatched_query: Vec<String>,
    pub unmatched_candidate: Vec<String>,
}

/// Greedy order-free alignment of two token lists.
pub fn align(q: &[&Token], c: &[&Token]) -> Alignment {
    let mut scored: Vec<(f64, MatchKind, usize, usize)> = Vec::with_capacity(q.len() * c.len());
    for (i, qt) in q.iter().enumerate() {
        for (j, ct) in c.iter().enumerate() {
            if let Some((sim, kind)) = token_similarity(qt, ct) {
                scored.push((sim, kind, i, j));
            }
        }
    }
    // Best pairs first; ties broken by position so the result is deterministic.
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.2.cmp(&b.2)).then(a.3.cmp(&b.3)));
    let (mut q_used, mut c_used) = (vec![false; q.len()], vec![false; c.len()]);
    let mut out = Alignment::default();
    let (mut num, mut matched_weight, mut real_pairs) = (0.0, 0.0, 0);
    for (sim, kind, i, j) in scored {
        if q_used[i] || c_used[j] {
            continue;
        }
        q_used[i] = true;
        c_used[j] = true;
        let w = q[i].weight + c[j].weight;
        num += sim * w;
        matched_weight += w;
        if sim >= STRONG_PAIR_SIMILARITY && !(q[i].particle || c[j].particle || kind == MatchKind::Initial) {
            real_pairs += 1;
        }
        out.pairs.push((q[i].text.clone(), c[j].text.clone(), sim, kind));
    }
    let missing_cost = if real_pairs >= 2 { MISSING_TOKEN_COST } else { 1.0 };
    let mut unmatched_weight = 0.0;
    for (i, t) in q.iter().enumerate().filter(|(i, _)| !q_used[*i]) {
        unmatched_weight += t.weight * missing_cost;
        out.unmatched_query.push(q[i].text.clone());
    }
    for (j, t) in c.iter().enumerate().filter(|(j, _)| !c_used[*j]) {
        unmatched_weight += t.weight * missing_cost;
        out.unmatched_candidate.push(c[j].text.clone());
    }
    let total = matched_weight + unmatched_weight;
    out.score = if total > 0.0 { (num / total).clamp(0.0, 1.0) } else { 0.0 };
    out
}

/// Each way of gluing two neighbouring tokens into one (`ABDUL RAHMAN` -> `ABDULRAHMAN`).
fn joined_variants(tokens: &[&Token]) -> Vec<(Vec<Token>, String)> {
    (0..tokens.len().saturating_sub(1))
        .map(|i| {
            let glued = format!("{}{}", tokens[i].text, tokens[i + 1].text);
            let label = format!("{} {}", tokens[i].text, tokens[i + 1].text);
            let mut v: Vec<Token> = tokens.iter().map(|t| (*t).clone()).collect();
            v.splice(i..=i + 1, [Token::new(&glued)]);
            (v, label)
        })
        .collect()
}

/// A glued token must match about as well as the tokens it replaces would: closely and at a
/// similar length (`ABDUL RAHMAN` ~ `ABDULRAHMAN`, not `TRADING LLC` ~ `TRADING`, not `J` ~ `JOHN WILLIAM`).
const JOINED_MIN_SIMILARITY: f64 = 0.9;
const JOINED_MIN_LENGTH_RATIO: f64 = 0.8;

/// Keeps a variant alignment only if its glued token found a convincing partner; then marks that
/// pair, so the explanation reads `ABDUL RAHMAN ~ ABDULRAHMAN`.
fn accept_joined(mut a: Alignment, label: &str, query_side: bool) -> Option<Alignment> {
    let glued = label.replace(' ', "");
    let pair = a.pairs.iter_mut().find(|p| (if query_side { &p.0 } else { &p.1 }) == &glued)?;
    let other = if query_side { &pair.1 } else { &pair.0 };
    let ratio = other.len().min(glued.len()) as f64 / other.len().max(glued.len()) as f64;
    if pair.3 == MatchKind::Initial || pair.2 < JOINED_MIN_SIMILARITY || ratio < JOINED_MIN_LENGTH_RATIO {
        return None;
    }
    *(if query_side { &mut pair.0 } else { &mut pair.1 }) = label.to_owned();
    pair.3 = MatchKind::Joined;
    Some(a)
}

/// Alignment, also trying split/joined tokens when the plain alignment leaves tokens over.
pub fn align_best(q: &[&Token], c: &[&Token]) -> Alignment {
    let plain = align(q, c);
    let (q_left, c_left) = (!plain.unmatched_query.is_empty(), !plain.unmatched_candidate.is_empty());
    let mut best = plain;
    if q_left {
        for (v, label) in joined_variants(q) {
            let a = align(&v.iter().collect::<Vec<_>>(), c);
            if a.score > best.score + 1e-12 {
                if let Some(a) = accept_joined(a, &label, true) {
                    best = a;
                }
            }
        }
    }
    if c_left {
        for (v, label) in joined_variants(c) {
            let a = align(q, &v.iter().collect::<Vec<_>>());
            if a.score > best.score + 1e-12 {
                if let Some(a) = accept_joined(a, &label, false) {
                    best = a;
                }
            }
        }
    }
    best
}

/// Compares two raw names under every normalised form of each (plain and ICAO), keeping the best.
pub fn compare(query: &str, candidate: &str) -> Alignment {
    let cand_forms: Vec<Vec<Token>> = name_forms(candidate).iter().map(|f| prepare(f)).collect();
    let mut best = Alignment::default();
    for qf in name_forms(query) {
        let qt = prepare(&qf);
        let q_refs: Vec<&Token> = qt.iter().collect();
        for ct in &cand_forms {
            let c_refs: Vec<&Token> = ct.iter().collect();
            let a = align_best(&q_refs, &c_refs);
            if a.score > best.score || (best.pairs.is_empty() && !a.pairs.is_empty()) {
                best = a;
            }
        }
    }
    if best.pairs.is_empty() && best.unmatched_query.is_empty() {
        best.unmatched_query = crate::text::tokenize(query);
        best.unmatched_candidate = crate::text::tokenize(candidate);
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identical_and_reordered() {
        assert!((compare("Osama bin Laden", "LADEN, Osama bin").score - 1.0).abs() < 1e-12);
    }

    #[test]
    fn missing_middle_name_costs_little() {
        let s = compare("John Smith", "John William Smith").score;
        assert!(s > 0.85 && s < 1.0, "{s}");
    }

    #[test]
    fn a_loose_pair_earns_no_missing_name_discount() {
        // SAEED ~ SABET agree only loosely, so the missing HAFEZ costs in full.
        assert!(compare("Hafez Mohammad Saeed", "Mohammad Sabet").score < 0.75);
    }

    #[test]
    fn different_given_name_costs_a_lot() {
        assert!(compare("John Smith", "Jane Smith").score < 0.7);
    }

    #[test]
    fn joined_tokens() {
        let a = compare("Abdul Rahman Yasin", "Abdulrahman Yasin");
        assert!(a.score > 0.95, "{a:?}");
        assert!(a.pairs.iter().any(|p| p.3 == MatchKind::Joined && p.0 == "ABDUL RAHMAN"));
    }

    #[test]
    fn joined_tokens_need_a_close_partner() {
        let a = compare("J Smith", "John William Smith");
        assert!(!a.pairs.iter().any(|p| p.3 == MatchKind::Joined), "{a:?}");
        let b = compare("Trading", "Trading LLC");
        assert!(!b.pairs.iter().any(|p| p.3 == MatchKind::Joined), "{b:?}");
    }

    #[test]
    fn initials_and_transliteration() {
        let a = compare("J. Smith", "John Smith");
        assert!(a.pairs.iter().any(|p| p.3 == MatchKind::Initial));
        assert!(compare("Jürgen Müller", "JUERGEN MUELLER").score > 0.99);
        assert!(compare("Владимир Путин", "Vladimir Putin").score > 0.99);
    }

    #[test]
    fn phonetic_variants_match() {
        assert!(compare("Mohammed Qadhafi", "Muhammad Gaddafi").score > 0.85);
    }

    #[test]
    fn unrelated_names_score_zero() {
        let a = compare("Xavier Quint", "Bob Marley");
        assert_eq!(a.score, 0.0);
        assert!(a.pairs.is_empty());
        assert_eq!(a.unmatched_query.len(), 2);
    }
}

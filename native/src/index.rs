//! The blocking index: from a query name to a bounded set of watchlist names worth scoring.
//!
//! Keys live on a dictionary of distinct tokens (far fewer than names): each token is reachable by
//! its exact text, its Double Metaphone keys and its one-deletion neighbourhood (which catches one
//! substitution, insertion, deletion or adjacent transposition). A query token proposes dictionary
//! tokens through those keys; every name row holding a proposed token gains the token's
//! similarity times its rarity (inverse document frequency), so `MOHAMMED` or `ALI` add little and a
//! rare surname a lot. The best `max_candidates` rows are then aligned in full ([`crate::names`]).

use crate::names::{align_best, glued_spans, is_particle, token_similarity, Token};
use crate::text::name_forms;
use ahash::{AHashMap, RandomState};
use rayon::prelude::*;

/// Dictionary tokens in more rows than this are only followed when they match the query exactly:
/// a fuzzy hit on a very common token is no evidence worth the work.
const COMMON_TOKEN_ROWS: usize = 20_000;
/// Tokens shorter than this get no deletion keys (too many false neighbours).
const MIN_DELETION_LEN: usize = 4;

/// One indexed form of one name.
struct Row {
    owner: u32,
    name: u32,
    tokens: Box<[u32]>,
}

pub struct NameIndex {
    rows: Vec<Row>,
    tokens: Vec<Token>,
    token_ids: AHashMap<String, u32>,
    token_rows: Vec<Vec<u32>>,
    phonetic_keys: AHashMap<u64, Vec<u32>>,
    deletion_keys: AHashMap<u64, Vec<u32>>,
    /// Consonant skeletons of every token, and of the vowelless (abjad) tokens alone: a vowelless
    /// query token looks among all tokens, a vowelled one among the vowelless only.
    skeleton_keys: AHashMap<u64, Vec<u32>>,
    abjad_skeleton_keys: AHashMap<u64, Vec<u32>>,
    /// The first PREFIX_LEN letters of long tokens: endings vary more than a deletion neighbourhood
    /// reaches (ALEXANDROS ~ ALEXANDER, ABDELRAHMANE ~ ABDELRAHMAN).
    prefix_keys: AHashMap<u64, Vec<u32>>,
    names: usize,
    entries: usize,
}

fn hasher() -> RandomState {
    RandomState::with_seeds(0x5c, 0x13, 0x77, 0x0b)
}

/// The token itself and every string one character shorter (ASCII: tokens are normalised).
fn deletion_neighbourhood(token: &str, mut f: impl FnMut(u64)) {
    let h = hasher();
    f(h.hash_one(token));
    if token.len() < MIN_DELETION_LEN || !token.is_ascii() {
        return;
    }
    let bytes = token.as_bytes();
    let mut buf = Vec::with_capacity(bytes.len());
    for skip in 0..bytes.len() {
        if skip > 0 && bytes[skip] == bytes[skip - 1] {
            continue; // deleting either of a doubled letter gives the same string
        }
        buf.clear();
        buf.extend_from_slice(&bytes[..skip]);
        buf.extend_from_slice(&bytes[skip + 1..]);
        f(h.hash_one(&buf[..]));
    }
}

/// The key of a token's consonant skeleton, when it is long enough to compare ([`crate::names`]).
fn skeleton_key(t: &Token) -> Option<u64> {
    (t.skeleton.len() >= 2 && !t.particle).then(|| hasher().hash_one(&t.loose_skeleton))
}

const PREFIX_LEN: usize = 6;

/// The key of a long token's first letters (tokens are ASCII once normalised).
fn prefix_key(t: &Token) -> Option<u64> {
    (t.text.len() > PREFIX_LEN && t.text.is_ascii()).then(|| hasher().hash_one(&t.text.as_bytes()[..PREFIX_LEN]))
}

fn push_unique(map: &mut AHashMap<u64, Vec<u32>>, key: u64, id: u32) {
    let list = map.entry(key).or_default();
    if list.last() != Some(&id) {
        list.push(id);
    }
}

/// Per-row accumulation of evidence, one query token at a time (a row counts each query token once).
#[derive(Clone, Copy)]
struct Evidence {
    sum: f64,
    current: f64,
    token: u32,
}

impl NameIndex {
    /// `names[i]` is one name or alias of entry `owners[i]`.
    pub fn build(names: &[String], owners: &[u32]) -> NameIndex {
        assert_eq!(names.len(), owners.len(), "names and owners differ in length");
        let forms: Vec<Vec<String>> = names.par_iter().map(|n| name_forms(n)).collect();
        let mut index = NameIndex {
            rows: Vec::with_capacity(names.len()),
            tokens: Vec::new(),
            token_ids: AHashMap::new(),
            token_rows: Vec::new(),
            phonetic_keys: AHashMap::new(),
            deletion_keys: AHashMap::new(),
            skeleton_keys: AHashMap::new(),
            abjad_skeleton_keys: AHashMap::new(),
            prefix_keys: AHashMap::new(),
            names: names.len(),
            entries: 0,
        };
        let mut new_tokens: Vec<String> = Vec::new();
        for (name, name_forms) in forms.into_iter().enumerate() {
            for form in name_forms {
                let row_id = index.rows.len() as u32;
                let texts: Vec<&str> = form.split(' ').filter(|t| !t.is_empty()).collect();
                let ids: Vec<u32> = texts.iter().map(|t| index.register(t, row_id, &mut new_tokens)).collect();
                // Glued neighbours are keys only (not tokens of the row): they lead a query that
                // writes `ABDULRAHMAN` or `SHMSDYN` to the row that writes `ABDUL RAHMAN`, `SHAMS AL DIN`.
                for (_, _, glued) in glued_spans(&texts, is_particle) {
                    index.register(&glued, row_id, &mut new_tokens);
                }
                if !ids.is_empty() {
                    index.rows.push(Row { owner: owners[name], name: name as u32, tokens: ids.into() });
                }
            }
        }
        // Phonetic keys are the costly part: compute them for distinct tokens, in parallel.
        index.tokens = new_tokens.par_iter().map(|t| Token::new(t)).collect();
        for (id, tok) in index.tokens.iter().enumerate() {
            for &k in tok.phonetic.iter().filter(|&&k| k != 0) {
                push_unique(&mut index.phonetic_keys, k, id as u32);
            }
            deletion_neighbourhood(&tok.text, |k| push_unique(&mut index.deletion_keys, k, id as u32));
            if let Some(k) = prefix_key(tok) {
                push_unique(&mut index.prefix_keys, k, id as u32);
            }
            if let Some(k) = skeleton_key(tok) {
                push_unique(&mut index.skeleton_keys, k, id as u32);
                if tok.abjad {
                    push_unique(&mut index.abjad_skeleton_keys, k, id as u32);
                }
            }
        }
        let mut owners_sorted: Vec<u32> = owners.to_vec();
        owners_sorted.sort_unstable();
        owners_sorted.dedup();
        index.entries = owners_sorted.len();
        index
    }

    /// The dictionary id of a token, which `row` holds (a new id for a new token).
    fn register(&mut self, t: &str, row: u32, new_tokens: &mut Vec<String>) -> u32 {
        let id = match self.token_ids.get(t) {
            Some(&id) => id,
            None => {
                let id = self.token_ids.len() as u32;
                self.token_ids.insert(t.to_owned(), id);
                self.token_rows.push(Vec::new());
                new_tokens.push(t.to_owned());
                id
            }
        };
        let rows = &mut self.token_rows[id as usize];
        if rows.last() != Some(&row) {
            rows.push(row);
        }
        id
    }

    /// Number of names indexed (aliases included).
    pub fn len(&self) -> usize {
        self.names
    }

    pub fn is_empty(&self) -> bool {
        self.names == 0
    }

    /// Number of distinct owners (watchlist entries).
    pub fn entry_count(&self) -> usize {
        self.entries
    }

    fn idf(&self, token: u32) -> f64 {
        let df = self.token_rows[token as usize].len().max(1) as f64;
        (1.0 + self.rows.len() as f64 / df).ln()
    }

    /// Dictionary tokens a query token points at, with their similarity to it.
    fn proposals(&self, q: &Token) -> Vec<(u32, f64)> {
        let mut seen: Vec<u32> = Vec::new();
        if let Some(&id) = self.token_ids.get(&q.text) {
            seen.push(id);
        }
        for &k in q.phonetic.iter().filter(|&&k| k != 0) {
            if let Some(ids) = self.phonetic_keys.get(&k) {
                seen.extend_from_slice(ids);
            }
        }
        deletion_neighbourhood(&q.text, |k| {
            if let Some(ids) = self.deletion_keys.get(&k) {
                seen.extend_from_slice(ids);
            }
        });
        if let Some(ids) = prefix_key(q).and_then(|k| self.prefix_keys.get(&k)) {
            seen.extend_from_slice(ids);
        }
        if let Some(k) = skeleton_key(q) {
            let keys = if q.abjad { &self.skeleton_keys } else { &self.abjad_skeleton_keys };
            if let Some(ids) = keys.get(&k) {
                seen.extend_from_slice(ids);
            }
        }
        seen.sort_unstable();
        seen.dedup();
        seen.into_iter()
            .filter_map(|id| {
                let tok = &self.tokens[id as usize];
                let exact = tok.text == q.text;
                if !exact && self.token_rows[id as usize].len() > COMMON_TOKEN_ROWS {
                    return None;
                }
                token_similarity(q, tok).map(|(sim, _)| (id, sim))
            })
            .collect()
    }

    /// Row ids ranked by blocking evidence, at most `max_candidates`.
    fn candidate_rows(&self, query_tokens: &[Vec<Token>], max_candidates: usize) -> Vec<u32> {
        let mut acc: AHashMap<u32, Evidence> = AHashMap::new();
        let mut token_no: u32 = 0;
        for tokens in query_tokens {
            for q in tokens {
                token_no += 1;
                for (id, sim) in self.proposals(q) {
                    let w = sim * self.idf(id) * q.weight;
                    for &row in &self.token_rows[id as usize] {
                        let e = acc.entry(row).or_insert(Evidence { sum: 0.0, current: 0.0, token: token_no });
                        if e.token != token_no {
                            e.sum += e.current;
                            e.current = 0.0;
                            e.token = token_no;
                        }
                        e.current = e.current.max(w);
                    }
                }
            }
        }
        let mut ranked: Vec<(u32, f64)> = acc.into_iter().map(|(row, e)| (row, e.sum + e.current)).collect();
        let by_evidence = |a: &(u32, f64), b: &(u32, f64)| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0));
        if ranked.len() > max_candidates {
            ranked.select_nth_unstable_by(max_candidates, by_evidence);
            ranked.truncate(max_candidates);
        }
        ranked.sort_unstable_by(by_evidence);
        ranked.into_iter().map(|(row, _)| row).collect()
    }

    fn prepare_query(query: &str) -> Vec<Vec<Token>> {
        name_forms(query).iter().map(|f| crate::names::prepare(f)).collect()
    }

    /// The query's tokens for blocking: each form's tokens and its glued neighbours.
    fn blocking_tokens(query_forms: &[Vec<Token>]) -> Vec<Vec<Token>> {
        query_forms
            .iter()
            .map(|form| {
                let texts: Vec<&str> = form.iter().map(|t| t.text.as_str()).collect();
                let glued: Vec<Token> = glued_spans(&texts, is_particle).map(|(_, _, g)| Token::new(&g)).collect();
                form.iter().cloned().chain(glued).collect()
            })
            .collect()
    }

    /// Name indexes the blocking keys propose for a query, strongest evidence first, deduplicated.
    pub fn candidates(&self, query: &str, max_candidates: usize) -> Vec<u32> {
        let mut names: Vec<u32> = Vec::new();
        for row in self.candidate_rows(&Self::blocking_tokens(&Self::prepare_query(query)), max_candidates) {
            let name = self.rows[row as usize].name;
            if !names.contains(&name) {
                names.push(name);
            }
        }
        names
    }

    /// Up to `limit` (owner, name, score) for one query, one row per owner, best first.
    pub fn search(&self, query: &str, limit: usize, max_candidates: usize, min_score: f64) -> Vec<(u32, u32, f64)> {
        let query_forms = Self::prepare_query(query);
        let rows = self.candidate_rows(&Self::blocking_tokens(&query_forms), max_candidates);
        let mut best: AHashMap<u32, (u32, f64)> = AHashMap::new();
        for row_id in rows {
            let row = &self.rows[row_id as usize];
            let cand: Vec<&Token> = row.tokens.iter().map(|&t| &self.tokens[t as usize]).collect();
            let score = query_forms
                .iter()
                .map(|qf| align_best(&qf.iter().collect::<Vec<_>>(), &cand).score)
                .fold(0.0, f64::max);
            if score < min_score {
                continue;
            }
            let slot = best.entry(row.owner).or_insert((row.name, score));
            if score > slot.1 || (score == slot.1 && row.name < slot.0) {
                *slot = (row.name, score);
            }
        }
        let mut hits: Vec<(u32, u32, f64)> = best.into_iter().map(|(o, (n, s))| (o, n, s)).collect();
        hits.sort_unstable_by(|a, b| b.2.total_cmp(&a.2).then(a.0.cmp(&b.0)));
        hits.truncate(limit);
        hits
    }

    /// Many queries at once, in parallel.
    pub fn search_batch(
        &self,
        queries: &[String],
        limit: usize,
        max_candidates: usize,
        min_score: f64,
    ) -> Vec<Vec<(u32, u32, f64)>> {
        queries.par_iter().map(|q| self.search(q, limit, max_candidates, min_score)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn index() -> NameIndex {
        let names: Vec<String> = [
            "Osama bin Laden",
            "Usama bin Ladin",
            "Ayman al-Zawahiri",
            "John Smith",
            "Jane Smith",
            "Jürgen Müller",
            "Abdulrahman Yasin",
            "Muammar Gaddafi",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let owners = vec![0, 0, 1, 2, 3, 4, 5, 6];
        NameIndex::build(&names, &owners)
    }

    #[test]
    fn counts() {
        let idx = index();
        assert_eq!(idx.len(), 8);
        assert_eq!(idx.entry_count(), 7);
    }

    #[test]
    fn finds_misspelt_reordered_and_transliterated() {
        let idx = index();
        assert_eq!(idx.search("LADEN Osamma", 3, 50, 0.5)[0].0, 0);
        assert_eq!(idx.search("Aiman Zawahri", 3, 50, 0.5)[0].0, 1);
        assert_eq!(idx.search("MUELLER JUERGEN", 3, 50, 0.5)[0].0, 4);
        assert_eq!(idx.search("Abdul Rahman Yasin", 3, 50, 0.5)[0].0, 5);
        assert_eq!(idx.search("Moammar Qaddafi", 3, 50, 0.5)[0].0, 6);
        assert_eq!(idx.search("أيمن الظواهري", 3, 50, 0.5).first().map(|h| h.0), Some(1));
        assert_eq!(idx.search("عبدالرحمن ياسين", 3, 50, 0.5).first().map(|h| h.0), Some(5));
    }

    #[test]
    fn one_hit_per_owner_and_limit() {
        let idx = index();
        let hits = idx.search("Osama bin Laden", 10, 50, 0.0);
        assert_eq!(hits.iter().filter(|h| h.0 == 0).count(), 1);
        assert_eq!(hits[0], (0, 0, 1.0));
        assert!(idx.search("Smith", 1, 50, 0.0).len() == 1);
    }

    #[test]
    fn unrelated_query_finds_nothing_above_threshold() {
        assert!(index().search("Xavier Quintero", 10, 50, 0.5).is_empty());
    }

    #[test]
    fn batch_equals_single() {
        let idx = index();
        let qs: Vec<String> = vec!["John Smyth".into(), "Usama bin Laden".into()];
        let batch = idx.search_batch(&qs, 5, 50, 0.0);
        assert_eq!(batch[0], idx.search("John Smyth", 5, 50, 0.0));
        assert_eq!(batch[1], idx.search("Usama bin Laden", 5, 50, 0.0));
    }
}

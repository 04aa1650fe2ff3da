//! The blocking index: from a query name to a bounded set of watchlist names worth scoring.
//!
//! Keys live on a dictionary of distinct tokens (far fewer than names): each token is reachable by
//! its exact text, its Double Metaphone keys and its one-deletion neighbourhood (which catches one
//! substitution, insertion, deletion or adjacent transposition). A query token proposes dictionary
//! tokens through those keys; every name row holding a proposed token gains the token's
//! similarity times its rarity (inverse document frequency), so `MOHAMMED` or `ALI` add little and a
//! rare surname a lot. The best `max_candidates` rows are then aligned in full ([`crate::names`]).

use crate::names::{align_best_raw, core_tokens, glued_spans, is_particle, token_similarity, MatchKind, Token, Variant};
use crate::text::name_forms;
use ahash::{AHashMap, RandomState};
use rayon::prelude::*;

/// Dictionary tokens in more rows than this are only followed when they match the query exactly:
/// a fuzzy hit on a very common token is no evidence worth the work.
const COMMON_TOKEN_ROWS: usize = 20_000;
/// Tokens shorter than this get no deletion keys (too many false neighbours).
const MIN_DELETION_LEN: usize = 4;

/// Token ids under a 64-bit key, in flat sorted arrays (compressed sparse rows): one allocation for
/// millions of keys, where a map of vectors would hold one allocation (and 24 bytes of header) each.
#[derive(Default)]
struct KeyTable {
    keys: Vec<u64>,
    /// `ids[offsets[i]..offsets[i + 1]]` belong to `keys[i]`.
    offsets: Vec<u32>,
    ids: Vec<u32>,
    /// Keys are hashes, spread evenly: the keys whose top `shift`-complement bits are b start at
    /// `directory[b]` (and end where b + 1's start), about four of them, so a lookup scans a cache
    /// line instead of binary-searching millions of keys.
    directory: Vec<u32>,
    shift: u32,
}

impl KeyTable {
    /// From (key, id) pairs in any order; ids under a key come out ascending and distinct.
    fn from_pairs(mut pairs: Vec<(u64, u32)>) -> KeyTable {
        pairs.par_sort_unstable();
        pairs.dedup();
        let mut t = KeyTable { ids: Vec::with_capacity(pairs.len()), ..KeyTable::default() };
        for (k, id) in pairs {
            if t.keys.last() != Some(&k) {
                t.keys.push(k);
                t.offsets.push(t.ids.len() as u32);
            }
            t.ids.push(id);
        }
        t.offsets.push(t.ids.len() as u32);
        t.keys.shrink_to_fit();
        t.offsets.shrink_to_fit();
        t.build_directory();
        t
    }

    fn build_directory(&mut self) {
        let bits = (usize::BITS - (self.keys.len() / 4).max(1).leading_zeros()).min(32);
        self.shift = 64 - bits;
        let mut directory = vec![0u32; (1usize << bits) + 1];
        for &k in &self.keys {
            directory[(k >> self.shift) as usize + 1] += 1;
        }
        for b in 0..(1usize << bits) {
            directory[b + 1] += directory[b];
        }
        self.directory = directory;
    }

    fn get(&self, key: u64) -> Option<&[u32]> {
        if self.keys.is_empty() {
            return None;
        }
        let b = (key >> self.shift) as usize;
        let (lo, hi) = (self.directory[b] as usize, self.directory[b + 1] as usize);
        let i = lo + self.keys[lo..hi].iter().position(|&k| k == key)?;
        Some(&self.ids[self.offsets[i] as usize..self.offsets[i + 1] as usize])
    }

    fn bytes(&self) -> usize {
        self.keys.capacity() * 8 + (self.offsets.capacity() + self.ids.capacity() + self.directory.capacity()) * 4
    }
}

pub struct NameIndex {
    /// Row r (one indexed form of one name): its owner, its name, and its tokens
    /// `row_tokens[row_offsets[r]..row_offsets[r + 1]]`.
    row_owner: Vec<u32>,
    row_name: Vec<u32>,
    row_offsets: Vec<u32>,
    row_tokens: Vec<u32>,
    /// The row's glued spans (dictionary token, first, last position): the variants the alignment
    /// tries, `row_glued[row_glued_offsets[r]..row_glued_offsets[r + 1]]`.
    row_glued_offsets: Vec<u32>,
    row_glued: Vec<(u32, u16, u16)>,
    tokens: Vec<Token>,
    /// Token ids by the hash of their text (the text itself is in `tokens`): the dictionary's lookup
    /// without a second copy of every string.
    token_ids: KeyTable,
    /// Rows holding token t (ascending): `posting_rows[posting_offsets[t]..posting_offsets[t + 1]]`.
    posting_offsets: Vec<u32>,
    posting_rows: Vec<u32>,
    phonetic_keys: KeyTable,
    deletion_keys: KeyTable,
    /// Consonant skeletons of every token, and of the vowelless (abjad) tokens alone: a vowelless
    /// query token looks among all tokens, a vowelled one among the vowelless only.
    skeleton_keys: KeyTable,
    abjad_skeleton_keys: KeyTable,
    /// The first PREFIX_LEN letters of long tokens: endings vary more than a deletion neighbourhood
    /// reaches (ALEXANDROS ~ ALEXANDER, ABDELRAHMANE ~ ABDELRAHMAN).
    prefix_keys: KeyTable,
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

/// Per-row accumulation of evidence, one query token at a time (a row counts each query token once).
/// `token == 0`: the row has no evidence yet (query tokens are numbered from 1).
#[derive(Clone, Copy, Default)]
struct Evidence {
    sum: f64,
    current: f64,
    token: u32,
}

thread_local! {
    /// One dense accumulator per thread, as long as the largest index searched on it, reset after
    /// each query through the list of rows it touched (no hashing per posting).
    static SCRATCH: std::cell::RefCell<Vec<Evidence>> = const { std::cell::RefCell::new(Vec::new()) };
}

impl NameIndex {
    /// `names[i]` is one name or alias of entry `owners[i]`.
    pub fn build(names: &[String], owners: &[u32]) -> NameIndex {
        assert_eq!(names.len(), owners.len(), "names and owners differ in length");
        // Forms in parallel, in chunks, so the transient strings of 1M names are never all alive.
        let mut token_ids: AHashMap<String, u32> = AHashMap::new();
        let mut new_tokens: Vec<String> = Vec::new();
        let (mut row_owner, mut row_name) = (Vec::with_capacity(names.len()), Vec::with_capacity(names.len()));
        let mut row_offsets: Vec<u32> = vec![0];
        let mut row_tokens: Vec<u32> = Vec::with_capacity(names.len() * 3);
        let (mut row_glued_offsets, mut row_glued): (Vec<u32>, Vec<(u32, u16, u16)>) = (vec![0], Vec::with_capacity(names.len() * 2));
        // (token, row) for the postings: the row's tokens and its glued-neighbour keys.
        let mut pairs: Vec<(u32, u32)> = Vec::with_capacity(names.len() * 4);
        let mut register = |t: &str, new_tokens: &mut Vec<String>| -> u32 {
            if let Some(&id) = token_ids.get(t) {
                return id;
            }
            let id = token_ids.len() as u32;
            token_ids.insert(t.to_owned(), id);
            new_tokens.push(t.to_owned());
            id
        };
        const CHUNK: usize = 65_536;
        for start in (0..names.len()).step_by(CHUNK) {
            let end = (start + CHUNK).min(names.len());
            let forms: Vec<Vec<String>> = names[start..end].par_iter().map(|n| name_forms(n)).collect();
            for (k, name_forms) in forms.into_iter().enumerate() {
                let name = start + k;
                for form in name_forms {
                    let row_id = row_owner.len() as u32;
                    let texts: Vec<&str> = form.split(' ').filter(|t| !t.is_empty()).collect();
                    if texts.is_empty() {
                        continue;
                    }
                    for t in &texts {
                        let id = register(t, &mut new_tokens);
                        row_tokens.push(id);
                        pairs.push((id, row_id));
                    }
                    // Glued neighbours are keys only (not tokens of the row): they lead a query that
                    // writes `ABDULRAHMAN` or `SHMSDYN` to the row that writes `ABDUL RAHMAN`, `SHAMS AL DIN`.
                    for (first, last, glued) in glued_spans(&texts, is_particle) {
                        let id = register(&glued, &mut new_tokens);
                        pairs.push((id, row_id));
                        row_glued.push((id, first as u16, last as u16));
                    }
                    row_glued_offsets.push(row_glued.len() as u32);
                    row_owner.push(owners[name]);
                    row_name.push(name as u32);
                    row_offsets.push(row_tokens.len() as u32);
                }
            }
        }
        // Postings: a counting sort of (token, row) by token; rows stay ascending within a token.
        let n_tokens = new_tokens.len();
        let mut posting_offsets = vec![0u32; n_tokens + 1];
        {
            // a token twice in one row counts once: pairs of one row are contiguous
            let mut last_row = vec![u32::MAX; n_tokens];
            pairs.retain(|&(t, r)| std::mem::replace(&mut last_row[t as usize], r) != r);
        }
        for &(t, _) in &pairs {
            posting_offsets[t as usize + 1] += 1;
        }
        for t in 0..n_tokens {
            posting_offsets[t + 1] += posting_offsets[t];
        }
        let mut posting_rows = vec![0u32; pairs.len()];
        let mut fill = posting_offsets.clone();
        for &(t, r) in &pairs {
            posting_rows[fill[t as usize] as usize] = r;
            fill[t as usize] += 1;
        }
        drop(pairs);
        drop(fill);

        // Phonetic keys are the costly part: compute them for distinct tokens, in parallel.
        let tokens: Vec<Token> = new_tokens.par_iter().map(|t| Token::new(t)).collect();
        drop(new_tokens);
        drop(token_ids);
        let keyed = |f: &(dyn Fn(&Token, &mut Vec<u64>) + Sync)| -> KeyTable {
            let pairs: Vec<(u64, u32)> = tokens
                .par_iter()
                .enumerate()
                .flat_map_iter(|(id, tok)| {
                    let mut ks = Vec::new();
                    f(tok, &mut ks);
                    ks.into_iter().map(move |k| (k, id as u32))
                })
                .collect();
            KeyTable::from_pairs(pairs)
        };
        let phonetic_keys = keyed(&|t, ks| ks.extend(t.phonetic.iter().copied().filter(|&k| k != 0)));
        let deletion_keys = keyed(&|t, ks| deletion_neighbourhood(&t.text, |k| ks.push(k)));
        let prefix_keys = keyed(&|t, ks| ks.extend(prefix_key(t)));
        let skeleton_keys = keyed(&|t, ks| ks.extend(skeleton_key(t)));
        let abjad_skeleton_keys = keyed(&|t, ks| ks.extend(skeleton_key(t).filter(|_| t.abjad)));
        let token_ids = keyed(&|t, ks| ks.push(hasher().hash_one(t.text.as_str())));

        let mut owners_sorted: Vec<u32> = owners.to_vec();
        owners_sorted.par_sort_unstable();
        owners_sorted.dedup();
        row_owner.shrink_to_fit();
        row_name.shrink_to_fit();
        row_offsets.shrink_to_fit();
        row_tokens.shrink_to_fit();
        row_glued.shrink_to_fit();
        NameIndex {
            row_owner,
            row_name,
            row_offsets,
            row_tokens,
            row_glued_offsets,
            row_glued,
            tokens,
            token_ids,
            posting_offsets,
            posting_rows,
            phonetic_keys,
            deletion_keys,
            skeleton_keys,
            abjad_skeleton_keys,
            prefix_keys,
            names: names.len(),
            entries: owners_sorted.len(),
        }
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

    /// Sizes of the index's parts: rows, distinct tokens, keys, and approximate bytes of the flat
    /// arrays (the token dictionary's strings and phonetic data not included).
    pub fn stats(&self) -> Vec<(&'static str, usize)> {
        let tables = [&self.token_ids, &self.phonetic_keys, &self.deletion_keys, &self.skeleton_keys, &self.abjad_skeleton_keys, &self.prefix_keys];
        vec![
            ("rows", self.row_owner.len()),
            ("tokens", self.tokens.len()),
            ("postings", self.posting_rows.len()),
            ("keys", tables.iter().map(|t| t.keys.len()).sum()),
            ("key_bytes", tables.iter().map(|t| t.bytes()).sum()),
            (
                "row_bytes",
                (self.row_owner.capacity() + self.row_name.capacity() + self.row_offsets.capacity() + self.row_tokens.capacity()
                    + self.row_glued_offsets.capacity()) * 4 + self.row_glued.capacity() * 8,
            ),
            ("posting_bytes", (self.posting_offsets.capacity() + self.posting_rows.capacity()) * 4),
        ]
    }

    /// The dictionary id of a token text.
    fn token_id(&self, text: &str) -> Option<u32> {
        let ids = self.token_ids.get(hasher().hash_one(text))?;
        ids.iter().copied().find(|&id| self.tokens[id as usize].text == text)
    }

    fn rows_of(&self, token: u32) -> &[u32] {
        &self.posting_rows[self.posting_offsets[token as usize] as usize..self.posting_offsets[token as usize + 1] as usize]
    }

    fn glued_of(&self, row: u32) -> &[(u32, u16, u16)] {
        &self.row_glued[self.row_glued_offsets[row as usize] as usize..self.row_glued_offsets[row as usize + 1] as usize]
    }

    fn tokens_of(&self, row: u32) -> &[u32] {
        &self.row_tokens[self.row_offsets[row as usize] as usize..self.row_offsets[row as usize + 1] as usize]
    }

    fn row_count(&self) -> usize {
        self.row_owner.len()
    }

    fn idf(&self, token: u32) -> f64 {
        let df = self.rows_of(token).len().max(1) as f64;
        (1.0 + self.row_count() as f64 / df).ln()
    }

    /// Dictionary tokens a query token points at, with their similarity to it.
    fn proposals(&self, q: &Token) -> Vec<(u32, f64)> {
        let mut seen: Vec<u32> = Vec::new();
        if let Some(id) = self.token_id(&q.text) {
            seen.push(id);
        }
        for &k in q.phonetic.iter().filter(|&&k| k != 0) {
            if let Some(ids) = self.phonetic_keys.get(k) {
                seen.extend_from_slice(ids);
            }
        }
        deletion_neighbourhood(&q.text, |k| {
            if let Some(ids) = self.deletion_keys.get(k) {
                seen.extend_from_slice(ids);
            }
        });
        if let Some(ids) = prefix_key(q).and_then(|k| self.prefix_keys.get(k)) {
            seen.extend_from_slice(ids);
        }
        if let Some(k) = skeleton_key(q) {
            let keys = if q.abjad { &self.skeleton_keys } else { &self.abjad_skeleton_keys };
            if let Some(ids) = keys.get(k) {
                seen.extend_from_slice(ids);
            }
        }
        seen.sort_unstable();
        seen.dedup();
        seen.into_iter()
            .filter_map(|id| {
                let tok = &self.tokens[id as usize];
                let exact = tok.text == q.text;
                if !exact && self.rows_of(id).len() > COMMON_TOKEN_ROWS {
                    return None;
                }
                token_similarity(q, tok).map(|(sim, _)| (id, sim))
            })
            .collect()
    }

    /// Row ids ranked by blocking evidence, at most `max_candidates`.
    fn candidate_rows(&self, query_tokens: &[Vec<Token>], max_candidates: usize) -> Vec<u32> {
        SCRATCH.with(|scratch| {
            let mut acc = scratch.borrow_mut();
            if acc.len() < self.row_count() {
                acc.resize(self.row_count(), Evidence::default());
            }
            let mut touched: Vec<u32> = Vec::new();
            let mut token_no: u32 = 0;
            for tokens in query_tokens {
                for q in tokens {
                    token_no += 1;
                    for (id, sim) in self.proposals(q) {
                        let w = sim * self.idf(id) * q.weight;
                        for &row in self.rows_of(id) {
                            let e = &mut acc[row as usize];
                            if e.token == 0 {
                                touched.push(row);
                                *e = Evidence { sum: 0.0, current: 0.0, token: token_no };
                            } else if e.token != token_no {
                                e.sum += e.current;
                                e.current = 0.0;
                                e.token = token_no;
                            }
                            e.current = e.current.max(w);
                        }
                    }
                }
            }
            let mut ranked: Vec<(u32, f64)> = touched
                .iter()
                .map(|&row| {
                    let e = std::mem::take(&mut acc[row as usize]);
                    (row, e.sum + e.current)
                })
                .collect();
            let by_evidence = |a: &(u32, f64), b: &(u32, f64)| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0));
            if ranked.len() > max_candidates {
                ranked.select_nth_unstable_by(max_candidates, by_evidence);
                ranked.truncate(max_candidates);
            }
            ranked.sort_unstable_by(by_evidence);
            ranked.into_iter().map(|(row, _)| row).collect()
        })
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
            let name = self.row_name[row as usize];
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
        // Per query form: its core tokens and their glued variants, made once for all candidates.
        let forms: Vec<(Vec<&Token>, Vec<Variant>)> = query_forms
            .iter()
            .map(|qf| {
                let core = core_tokens(&qf.iter().collect::<Vec<_>>());
                let variants = Variant::all(&core, |_| None);
                (core, variants)
            })
            .collect();
        // Candidate rows share dictionary tokens: each (query token, dictionary token) pair is
        // compared once per query. Only dictionary tokens are memoised (their addresses are stable).
        let dictionary = self.tokens.as_ptr_range();
        let mut memo: AHashMap<(usize, usize), Option<(f64, MatchKind)>> = AHashMap::new();
        let mut sim = |q: &Token, c: &Token| {
            let cp = c as *const Token;
            if dictionary.contains(&cp) {
                *memo.entry((q as *const Token as usize, cp as usize)).or_insert_with(|| token_similarity(q, c))
            } else {
                token_similarity(q, c)
            }
        };
        let mut scored: Vec<(u32, u32, f64)> = Vec::with_capacity(rows.len());
        for &row_id in &rows {
            let all: Vec<&Token> = self.tokens_of(row_id).iter().map(|&t| &self.tokens[t as usize]).collect();
            let cand = core_tokens(&all);
            let whole = cand.len() == all.len(); // no legal form set aside: the row's own glued spans apply
            let mut score = 0.0f64;
            for (core, variants) in &forms {
                let glued = || {
                    if whole {
                        self.glued_of(row_id).iter().map(|&(id, first, last)| Variant {
                            first: first as usize,
                            last: last as usize,
                            glued: std::borrow::Cow::Borrowed(&self.tokens[id as usize]),
                        }).collect()
                    } else {
                        Variant::all(&cand, |text| self.token_id(text).map(|id| &self.tokens[id as usize]))
                    }
                };
                let (a, _, _) = align_best_raw(core, &cand, variants, glued, &mut sim);
                score = score.max(a.score);
            }
            if score >= min_score {
                scored.push((self.row_owner[row_id as usize], self.row_name[row_id as usize], score));
            }
        }
        let mut best: AHashMap<u32, (u32, f64)> = AHashMap::new();
        for (owner, name, score) in scored {
            let slot = best.entry(owner).or_insert((name, score));
            if score > slot.1 || (score == slot.1 && name < slot.0) {
                *slot = (name, score);
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
        min_scores: &[f64],
    ) -> Vec<Vec<(u32, u32, f64)>> {
        queries.par_iter().zip(min_scores).map(|(q, &floor)| self.search(q, limit, max_candidates, floor)).collect()
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
    fn key_table_groups_sorted_distinct_ids() {
        let t = KeyTable::from_pairs(vec![(7, 3), (2, 1), (7, 1), (7, 3), (9, 0)]);
        assert_eq!(t.get(7), Some(&[1u32, 3][..]));
        assert_eq!(t.get(2), Some(&[1u32][..]));
        assert_eq!(t.get(5), None);
        let idx = index();
        assert!(idx.token_id("SMITH").is_some() && idx.token_id("SMYTH").is_none());
        let stats: AHashMap<&str, usize> = idx.stats().into_iter().collect();
        assert_eq!(stats["rows"], idx.row_count());
        // every row is in the postings of each of its tokens
        for r in 0..idx.row_count() as u32 {
            for &t in idx.tokens_of(r) {
                assert!(idx.rows_of(t).contains(&r));
            }
        }
    }

    #[test]
    fn batch_equals_single() {
        let idx = index();
        let qs: Vec<String> = vec!["John Smyth".into(), "Usama bin Laden".into()];
        let batch = idx.search_batch(&qs, 5, 50, &[0.0, 0.0]);
        assert_eq!(batch[0], idx.search("John Smyth", 5, 50, 0.0));
        assert_eq!(batch[1], idx.search("Usama bin Laden", 5, 50, 0.0));
    }

    #[test]
    fn search_scores_are_the_explained_alignment_scores() {
        // The search's memoised, position-based alignment must score each hit exactly as the
        // explained comparison (names::compare) does: the two paths may not drift apart.
        let names: Vec<String> = [
            "Abdul Rahman Yasin", "Abdulrahman Yasin", "Shams al Din Mohammed", "Acme Trading Co Ltd",
            "John William Smith", "Jon Smith", "Nur al Din Ahmad", "Global Shipping International LLC",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let owners: Vec<u32> = (0..names.len() as u32).collect();
        let idx = NameIndex::build(&names, &owners);
        let queries = [
            "Abdulrahman Yasin", "Abdul Rahman Yaseen", "Shamsuddin Mohammed", "ACME TRADING COMPANY",
            "Smith John", "J W Smith", "Noureddine Ahmad", "Global Shipping Intl", "Yasin",
        ];
        for q in queries {
            for (owner, name, score) in idx.search(q, 20, 50, 0.0) {
                let explained = crate::names::compare(q, &names[name as usize]).score;
                assert!((score - explained).abs() < 1e-9, "{q} ~ {}: {score} vs {explained}", names[owner as usize]);
            }
        }
    }
}

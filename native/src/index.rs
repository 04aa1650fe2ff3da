//! The blocking index: from a query name to a bounded set of watchlist names worth scoring.
//!
//! Keys live on a dictionary of distinct tokens (far fewer than names): each token is reachable by
//! its exact text, its Double Metaphone keys (also of its spelling with W read as V: [`w_as_v_phonetic`])
//! and its one-deletion neighbourhood (which catches one substitution, insertion, deletion or adjacent
//! transposition). A query token proposes dictionary tokens through those keys; every name row holding a
//! proposed token gains the token's similarity times its rarity (inverse document frequency), so
//! `MOHAMMED` or `ALI` add little and a rare surname a lot; a rarer spelling of a common name
//! (`MOHAMMADI` for `MOHAMMAD`) no more than the name. The best `max_candidates` rows are then aligned in
//! full ([`crate::names`]), on the tokens the alignment compares (a legal form is no evidence of an
//! organisation's name).
//!
//! An index can be saved to one file ([`NameIndex::save`]) and memory-mapped back
//! ([`NameIndex::load`]): its flat arrays are then used in place ([`crate::flat::Array`]), and only
//! the token dictionary is rebuilt from its texts.

use crate::flat::{checksum, fnv1a, Array, Pod, FNV_OFFSET};
use crate::pages::{huge_vec, prefer_huge_pages};
use crate::names::{align_best_score_from, cyrillic_phonetic, loose_skeleton, w_as_v_phonetic, best_of_forms, compare, core_tokens, nickname_related, prepare_forms_with, s_as_z_skeletons, short_written_form, other_abjad_readings, Alignment, glued_spans, is_particle, lengths_could_join, whole_name_spellings, nickname_relatives, similar_enough_to_join, sketch_rules_out, token_similarity, token_similarity_by, MatchKind, QuerySketch, Sketch, Token, Variant, STRONG_PAIR_SIMILARITY};
use crate::similarity::JaroWinklerPattern;
use crate::text::name_forms;
use compact_str::CompactString;
use ahash::{AHashMap, AHashSet, RandomState};
use rayon::prelude::*;
use std::io::{self, Write};
use std::path::Path;
use std::sync::Arc;

/// Dictionary tokens in more rows than this are only followed when they match the query exactly:
/// a fuzzy hit on a very common token is no evidence worth the work.
const COMMON_TOKEN_ROWS: usize = 20_000;
/// The most candidates a query keeps when more rows than `max_candidates` agree with its whole name
/// ([`with_the_top_tie`]): people sharing one name on a national list, counted in hundreds.
const MAX_TIED_AT_TOP: usize = 1_000;
/// Tokens shorter than this get no deletion keys (too many false neighbours).
const MIN_DELETION_LEN: usize = 4;

/// Token ids under a 64-bit key, in flat sorted arrays (compressed sparse rows): one allocation for
/// millions of keys, where a map of vectors would hold one allocation (and 24 bytes of header) each.
#[derive(Default)]
struct KeyTable {
    keys: Array<u64>,
    /// `ids[offsets[i]..offsets[i + 1]]` belong to `keys[i]`.
    offsets: Array<u32>,
    ids: Array<u32>,
    /// Keys are hashes, spread evenly: the keys whose top `shift`-complement bits are b start at
    /// `directory[b]` (and end where b + 1's start), about four of them, so a lookup scans a cache
    /// line instead of binary-searching millions of keys.
    directory: Array<u32>,
    shift: u32,
}

/// One glued span of a row: the dictionary token of the glued text, and the first and last
/// positions of the row's tokens it spans.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq)]
struct Glued {
    token: u32,
    first: u16,
    last: u16,
}

// Safety: #[repr(C)] u32, u16, u16: 8 bytes, no padding, any bit pattern valid.
unsafe impl Pod for Glued {}

impl KeyTable {
    /// From (key, id) pairs in any order; ids under a key come out ascending and distinct.
    fn from_pairs(mut pairs: Vec<(u64, u32)>) -> KeyTable {
        pairs.par_sort_unstable();
        pairs.dedup();
        let (mut keys, mut offsets, mut ids) = (Vec::new(), Vec::new(), Vec::with_capacity(pairs.len()));
        for (k, id) in pairs {
            if keys.last() != Some(&k) {
                keys.push(k);
                offsets.push(ids.len() as u32);
            }
            ids.push(id);
        }
        offsets.push(ids.len() as u32);
        keys.shrink_to_fit();
        offsets.shrink_to_fit();
        let (directory, shift) = Self::directory(&keys);
        KeyTable { keys: keys.into(), offsets: offsets.into(), ids: ids.into(), directory: directory.into(), shift }
    }

    fn directory(keys: &[u64]) -> (Vec<u32>, u32) {
        let bits = (usize::BITS - (keys.len() / 4).max(1).leading_zeros()).min(32);
        let shift = 64 - bits;
        let mut directory = vec![0u32; (1usize << bits) + 1];
        for &k in keys {
            directory[(k >> shift) as usize + 1] += 1;
        }
        for b in 0..(1usize << bits) {
            directory[b + 1] += directory[b];
        }
        (directory, shift)
    }

    fn get(&self, key: u64) -> Option<&[u32]> {
        self.position(key).map(|i| self.ids_at(i))
    }

    /// The directory bucket of `key`, when the table has keys.
    fn bucket(&self, key: u64) -> Option<usize> {
        (!self.keys.is_empty()).then_some((key >> self.shift) as usize)
    }

    /// Where `key` is among the keys.
    fn position(&self, key: u64) -> Option<usize> {
        let b = self.bucket(key)?;
        let (lo, hi) = (self.directory[b] as usize, self.directory[b + 1] as usize);
        Some(lo + self.keys[lo..hi].iter().position(|&k| k == key)?)
    }

    fn ids_at(&self, i: usize) -> &[u32] {
        &self.ids[self.offsets[i] as usize..self.offsets[i + 1] as usize]
    }

    /// [`KeyTable::get`] of many (table, key) pairs, each found id list handed to `found`. A lookup
    /// reads three scattered places one after the other (directory, keys, offsets and ids): here
    /// each of them is asked for, for every pair, before any is read.
    fn get_all<'t>(wanted: &[(&'t KeyTable, u64)], mut found: impl FnMut(&'t [u32])) {
        for &(t, key) in wanted {
            if let Some(b) = t.bucket(key) {
                prefetch(&t.directory[b]);
            }
        }
        for &(t, key) in wanted {
            if let Some(first) = t.bucket(key).and_then(|b| t.keys.get(t.directory[b] as usize)) {
                prefetch(first);
            }
        }
        let at: Vec<Option<usize>> = wanted.iter().map(|&(t, key)| t.position(key)).collect();
        for (&(t, _), &i) in wanted.iter().zip(&at) {
            if let Some(i) = i {
                prefetch(&t.offsets[i]);
            }
        }
        for (&(t, _), &i) in wanted.iter().zip(&at) {
            if let Some(first) = i.and_then(|i| t.ids.get(t.offsets[i] as usize)) {
                prefetch(first);
            }
        }
        for (&(t, _), &i) in wanted.iter().zip(&at) {
            if let Some(i) = i {
                found(t.ids_at(i));
            }
        }
    }

    fn bytes(&self) -> usize {
        self.keys.byte_len() + self.offsets.byte_len() + self.ids.byte_len() + self.directory.byte_len()
    }
}

pub struct NameIndex {
    /// Plain query tokens' proposals, then glued neighbours' ([`NameIndex::proposal_cache`]).
    proposal_caches: [ProposalCache; 2],
    /// Row r (one indexed form of one name): its owner, its name, and its tokens
    /// `row_tokens[row_offsets[r]..row_offsets[r + 1]]`.
    row_owner: Array<u32>,
    row_name: Array<u32>,
    /// Name n's rows are `name_rows[n]..name_rows[n + 1]` (rows are numbered in name order): made
    /// from `row_name` when built or loaded, so that a name's rows are two reads, not two binary
    /// searches of scattered reads (the birth-date candidates' names: 4% of a 1M search).
    name_rows: Vec<u32>,
    row_offsets: Array<u32>,
    row_tokens: Array<u32>,
    /// The row's glued spans (dictionary token, first, last position): the variants the alignment
    /// tries, `row_glued[row_glued_offsets[r]..row_glued_offsets[r + 1]]`.
    row_glued_offsets: Array<u32>,
    row_glued: Array<Glued>,
    /// Rows spelling the same name (the same tokens, so the same glued keys): a spelling's rows,
    /// ascending, are `spelling_rows[spelling_offsets[s]..spelling_offsets[s + 1]]`; spellings are
    /// numbered in the order of their first row. A national list names the same person many times
    /// over (1,949,704 rows but 398,855 spellings on the gRPC benchmark's list): the postings and
    /// the search's evidence accumulator are per spelling, so a common name is gathered once.
    /// Both empty when the rows are not gathered ([`GATHERED_SPELLINGS_AT_MOST`]): spelling s is
    /// then row s.
    spelling_offsets: Array<u32>,
    spelling_rows: Array<u32>,
    tokens: Vec<Token>,
    /// The proposals of each token of some row, as a plain query token ([`NameIndex::listed_proposals`]):
    /// token t's are `token_proposals[token_proposal_offsets[t]..token_proposal_offsets[t + 1]]`.
    token_proposal_offsets: Array<u32>,
    token_proposals: Array<Proposal>,
    /// Per token, its [`Sketch`] and how many rows hold it: what ruling a proposed token out needs,
    /// side by side in one array.
    facts: Vec<TokenFacts>,
    /// Token ids by the hash of their text (the text itself is in `tokens`): the dictionary's lookup
    /// without a second copy of every string.
    token_ids: KeyTable,
    /// Spellings holding token t (ascending): `posting_spellings[posting_offsets[t]..posting_offsets[t + 1]]`.
    posting_offsets: Array<u32>,
    posting_spellings: Array<u32>,
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
    /// [`name_fingerprint`] of the names and owners it was built from.
    fingerprint: u64,
}

/// The first row of each of `names` names, and then the row count: `row_name` (each row's name) is
/// in name order, so name n's rows are `offsets[n]..offsets[n + 1]` (none for a name with no row).
fn name_row_offsets(row_name: &[u32], names: usize) -> Vec<u32> {
    let mut offsets = vec![0u32; names + 1];
    for &n in row_name {
        offsets[n as usize + 1] += 1;
    }
    for n in 0..names {
        offsets[n + 1] += offsets[n];
    }
    offsets
}

/// Rows are gathered into spellings only when there are at most this many spellings per row: where
/// nearly every row is spelt its own way (945,467 spellings of 1,000,046 rows on the screening
/// benchmark's list) gathering saves nothing and each candidate would cost two more reads.
const GATHERED_SPELLINGS_AT_MOST: f64 = 0.9;

/// (group, item) pairs (groups below `groups`) as offsets and items: a counting sort by group, the
/// items of a group in the order given.
fn grouped(groups: usize, pairs: impl Iterator<Item = (u32, u32)> + Clone) -> (Vec<u32>, Vec<u32>) {
    let mut offsets = vec![0u32; groups + 1];
    for (g, _) in pairs.clone() {
        offsets[g as usize + 1] += 1;
    }
    for g in 0..groups {
        offsets[g + 1] += offsets[g];
    }
    let mut items = vec![0u32; offsets[groups] as usize];
    let mut fill = offsets.clone();
    for (g, item) in pairs {
        items[fill[g as usize] as usize] = item;
        fill[g as usize] += 1;
    }
    (offsets, items)
}

fn hasher() -> RandomState {
    RandomState::with_seeds(0x5c, 0x13, 0x77, 0x0b)
}

/// The token itself and every string one character shorter (ASCII: tokens are normalised). All are
/// hashed as bytes: a `str` hashes differently from the same `[u8]`, and the token itself must meet
/// the other side's deletions (an inserted or dropped letter).
fn deletion_neighbourhood(token: &str, mut f: impl FnMut(u64)) {
    let h = hasher();
    f(h.hash_one(token.as_bytes()));
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

/// The keys of a vowelless token's other readings ([`other_abjad_readings`]: عثمان, `THMN`, is also Usman;
/// جواد, `JWD`, Javad; قاسم, `QSM`, Ghasem), which a Latin spelling's skeleton key meets.
fn other_reading_keys(t: &Token) -> impl Iterator<Item = u64> + '_ {
    other_abjad_readings(t).map(|(_, loose)| hasher().hash_one(loose.as_str()))
}

/// The key of a Latin spelling's skeleton with an S between vowels read as Z ([`s_as_z_skeletons`]:
/// Joseph, also `JWZYF` as جوزيف), which a vowelless token's skeleton key meets.
fn s_as_z_skeleton_key(t: &Token) -> Option<u64> {
    s_as_z_skeletons(t).map(|(_, loose)| hasher().hash_one(loose.as_str()))
}

/// The key of a short name as an abjad script writes it ([`short_written_form`]: `ALI` and `LY`, as علي),
/// marked apart from the skeleton keys that share its tables.
fn written_form_key(t: &Token) -> Option<u64> {
    short_written_form(t).map(|form| hasher().hash_one(("written", form.as_str())))
}

const PREFIX_LEN: usize = 6;

/// The key of a long token's first letters (tokens are ASCII once normalised).
fn prefix_key(t: &Token) -> Option<u64> {
    (t.text.len() > PREFIX_LEN && t.text.is_ascii()).then(|| hasher().hash_one(&t.text.as_bytes()[..PREFIX_LEN]))
}

#[derive(Clone, Copy)]
struct TokenFacts {
    sketch: Sketch,
    rows: u32,
    /// A token of some row, not only a glued-neighbour key.
    in_rows: bool,
}

/// Asks the CPU to start loading the cache lines of `*x` (a hint: nothing is read or waited for).
#[inline(always)]
fn prefetch<T>(x: &T) {
    #[cfg(target_arch = "x86_64")]
    {
        // every line `*x` touches: a record need not start on a line (a 120-byte token spans three)
        let start = x as *const T as usize;
        let (first, last) = (start & !63, start + std::mem::size_of::<T>().max(1) - 1);
        for line in (first..=last).step_by(64) {
            // SAFETY: prefetching has no architectural effect, whatever the address
            unsafe { std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>(line as *const i8) };
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = x;
}

/// Per token: its sketch, how many rows hold it (its spellings' rows) and whether a row holds it
/// as a token.
fn token_facts(tokens: &[Token], posting_offsets: &[u32], posting_spellings: &[u32], spelling_offsets: &[u32], row_tokens: &[u32]) -> Vec<TokenFacts> {
    let mut in_rows = vec![false; tokens.len()];
    for &t in row_tokens {
        in_rows[t as usize] = true;
    }
    tokens
        .par_iter()
        .enumerate()
        .map(|(t, tok)| {
            let spellings = &posting_spellings[posting_offsets[t] as usize..posting_offsets[t + 1] as usize];
            let rows = if spelling_offsets.is_empty() {
                spellings.len() as u32 // each spelling is one row
            } else {
                spellings.iter().map(|&s| spelling_offsets[s as usize + 1] - spelling_offsets[s as usize]).sum()
            };
            TokenFacts { sketch: Sketch::of(tok), rows, in_rows: in_rows[t] }
        })
        .collect()
}

/// Per-row accumulation of evidence, one query token at a time (a row counts each query token once,
/// at its best proposal). `token == 0`: the row has no evidence yet (query tokens are numbered from 1).
/// `f32` and `u16`s: 8 bytes a row, so that more of the accumulator stays in cache; a ranking needs
/// no more ([`MAX_QUERY_LISTS`]).
#[derive(Clone, Copy, Default)]
struct Evidence {
    sum: f32,
    token: u16,
    /// How many of the query's token lists it agrees with.
    agreed: u16,
}

/// The most token lists of one query the ranking follows (its strongest): [`Evidence`] numbers them
/// in 16 bits. The engine lets a name have 64 words.
const MAX_QUERY_LISTS: usize = u16::MAX as usize - 1;

/// A thread's accumulator (one [`Evidence`] per spelling) and a bit per spelling, set for those met
/// before the rest of a query's tokens only add to those already met ([`NameIndex::candidate_rows`]);
/// and the lists of the spellings a query touched and of one token's postings, kept (emptied) from
/// one query to the next rather than grown again for each.
struct Scratch {
    acc: Vec<Evidence>,
    met: Vec<u64>,
    touched: Vec<u32>,
    pending: Vec<(u32, f32)>,
}

/// Searches running now, in every index of the process.
static SEARCHES_IN_FLIGHT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// Counts a search out of [`SEARCHES_IN_FLIGHT`] when it ends, however it ends.
struct InFlight;

impl Drop for InFlight {
    fn drop(&mut self) {
        SEARCHES_IN_FLIGHT.fetch_sub(1, std::sync::atomic::Ordering::Relaxed);
    }
}

/// A lone query's candidates are scored in chunks of at least this many rows per thread.
const PARALLEL_MIN_ROWS: usize = 16;

/// Query token texts whose proposals an index keeps, per generation (at most two are kept): some
/// tens of MB at most.
const PROPOSAL_CACHE_TOKENS: usize = 24_576;
const PROPOSAL_CACHE_SHARDS: usize = 16;

/// A dictionary token a query token proposes, and the evidence a row holding it gets
/// ([`NameIndex::evidence`]). The evidence is summed as f32 ([`Evidence`]), so it is kept as one.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq)]
struct Proposal(u32, f32);

// Safety: #[repr(C)] u32, f32: 8 bytes, no padding, any bit pattern valid.
unsafe impl Pod for Proposal {}

/// A query token's proposals, strongest first ([`NameIndex::candidate_rows`] counts a row's first
/// posting of a query token as its best): a listed token's from the index, made when it was built
/// ([`NameIndex::listed_proposals`]); another's worked out, and cached ([`ProposalCache`]).
enum Proposals<'i> {
    Listed(&'i [Proposal]),
    WorkedOut(Arc<[Proposal]>),
}

impl std::ops::Deref for Proposals<'_> {
    type Target = [Proposal];

    fn deref(&self) -> &[Proposal] {
        match self {
            Proposals::Listed(found) => found,
            Proposals::WorkedOut(found) => found,
        }
    }
}

/// Proposals worked out for query tokens the index does not list (misspellings, names of nobody
/// listed, glued neighbours), shared by every thread that searches one index: they depend on a
/// token's text alone, and names repeat across the threads of a batch and across calls. Sharded
/// by text so that threads seldom wait on one another; a shard that fills starts a new generation
/// and keeps the last one, whose tokens return to the new one when met again, so that the tokens
/// in use survive and the rest go.
struct ProposalCache {
    shards: Box<[std::sync::Mutex<CacheShard>]>,
}

#[derive(Default)]
struct CacheShard {
    current: AHashMap<CompactString, Arc<[Proposal]>>,
    previous: AHashMap<CompactString, Arc<[Proposal]>>,
}

impl CacheShard {
    fn insert(&mut self, text: CompactString, found: Arc<[Proposal]>) {
        if self.current.len() >= PROPOSAL_CACHE_TOKENS / PROPOSAL_CACHE_SHARDS {
            self.previous = std::mem::take(&mut self.current);
        }
        self.current.insert(text, found);
    }
}

impl ProposalCache {
    fn new() -> ProposalCache {
        ProposalCache { shards: (0..PROPOSAL_CACHE_SHARDS).map(|_| Default::default()).collect() }
    }

    fn shard(&self, text: &str) -> std::sync::MutexGuard<'_, CacheShard> {
        let i = hasher().hash_one(text) as usize % PROPOSAL_CACHE_SHARDS;
        // a thread that panicked holding a shard left it whole: every change is one map operation
        self.shards[i].lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn get(&self, text: &str) -> Option<Arc<[Proposal]>> {
        let mut shard = self.shard(text);
        if let Some(found) = shard.current.get(text) {
            return Some(found.clone());
        }
        let (text, found) = shard.previous.remove_entry(text)?;
        shard.insert(text, found.clone());
        Some(found)
    }

    fn insert(&self, text: &CompactString, found: Arc<[Proposal]>) {
        self.shard(text).insert(text.clone(), found);
    }
}


thread_local! {
    /// The query [`NameIndex::with_prepared`] last prepared on this thread, and its forms.
    static EXPLAINED_QUERY: std::cell::RefCell<(String, Vec<Vec<Token>>)> = const { std::cell::RefCell::new((String::new(), Vec::new())) };
    /// One dense accumulator per thread, as long as the largest index searched on it (in spellings),
    /// reset after each query through the list of spellings it touched (no hashing per posting).
    static SCRATCH: std::cell::RefCell<Scratch> = const { std::cell::RefCell::new(Scratch { acc: Vec::new(), met: Vec::new(), touched: Vec::new(), pending: Vec::new() }) };
    static SIMILARITIES: std::cell::RefCell<SimilarityMemo> = std::cell::RefCell::new(SimilarityMemo::default());
}

/// Distinct dictionary tokens the similarity memo is sized for, per candidate row: a row holds two to
/// four tokens and a glued key or two, and rows share many (the memo grows when they do not).
const MEMO_IDS_PER_ROW: usize = 4;

/// Token similarities met while scoring one query's candidates: dictionary token id -> a slot of one
/// cell per query token. The ids are found in a small open-addressed table sized to the query's rows:
/// it stays in the core's cache, where a slot per dictionary token (10 MB for 1M names) cost one
/// more scattered cache line for every candidate token.
#[derive(Default)]
struct SimilarityMemo {
    /// (token id + 1, slot); 0: empty. A power of two long, at most half full.
    table: Vec<(u32, u32)>,
    slots: usize,
    width: usize,
    cells: Vec<Option<Option<(f64, MatchKind)>>>,
}

impl SimilarityMemo {
    /// Empties the memo for a query of `query_tokens` tokens whose candidates hold about
    /// `expected_ids` distinct dictionary tokens.
    fn start(&mut self, expected_ids: usize, query_tokens: usize) {
        let size = (2 * expected_ids).next_power_of_two().max(64);
        self.table.clear();
        self.table.resize(size, (0, 0));
        self.slots = 0;
        self.width = query_tokens;
        self.cells.clear();
    }

    fn position(&self, id: usize) -> usize {
        let mask = self.table.len() - 1;
        let mut at = (id as u32).wrapping_mul(0x9E37_79B9) as usize & mask;
        while self.table[at].0 != 0 && self.table[at].0 as usize != id + 1 {
            at = (at + 1) & mask;
        }
        at
    }

    fn get_or(&mut self, id: usize, qi: usize, compute: impl FnOnce() -> Option<(f64, MatchKind)>) -> Option<(f64, MatchKind)> {
        let mut at = self.position(id);
        if self.table[at].0 == 0 {
            if 2 * (self.slots + 1) > self.table.len() {
                self.grow();
                at = self.position(id);
            }
            self.table[at] = (id as u32 + 1, self.slots as u32);
            self.slots += 1;
            self.cells.resize(self.cells.len() + self.width, None);
        }
        let cell = &mut self.cells[self.table[at].1 as usize * self.width + qi];
        *cell.get_or_insert_with(compute)
    }

    fn grow(&mut self) {
        let size = 2 * self.table.len();
        let old = std::mem::replace(&mut self.table, vec![(0, 0); size]);
        for entry in old.into_iter().filter(|e| e.0 != 0) {
            let at = self.position(entry.0 as usize - 1);
            self.table[at] = entry;
        }
    }
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
        let (mut row_glued_offsets, mut row_glued): (Vec<u32>, Vec<Glued>) = (vec![0], Vec::with_capacity(names.len() * 2));
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
                        row_glued.push(Glued { token: id, first: first as u16, last: last as u16 });
                    }
                    row_glued_offsets.push(row_glued.len() as u32);
                    row_owner.push(owners[name]);
                    row_name.push(name as u32);
                    row_offsets.push(row_tokens.len() as u32);
                }
            }
        }
        // Phonetic keys are the costly part: compute them for distinct tokens, in parallel.
        let tokens: Vec<Token> = new_tokens.par_iter().map(|t| Token::new(t)).collect();
        drop(new_tokens);
        drop(token_ids);
        // Tokens are numbered in the order of their sound, then their text: the tokens a query token
        // proposes mostly share its sound, so their records (facts, postings, texts) sit close together
        // in memory, where numbering by first appearance scattered them over the whole dictionary.
        let (tokens, renumbered) = numbered_by_sound(tokens);
        for id in row_tokens.iter_mut().chain(pairs.iter_mut().map(|(t, _)| t)) {
            *id = renumbered[*id as usize];
        }
        for g in row_glued.iter_mut() {
            g.token = renumbered[g.token as usize];
        }
        drop(renumbered);
        // Spellings: rows with the same tokens, numbered by their first row. A row's postings are
        // its spelling's, so only the first row of each spelling keeps its (token, row) pairs, which
        // then name the spelling.
        let rows = row_owner.len();
        let mut row_spelling: Vec<u32> = Vec::with_capacity(rows);
        {
            let mut spelling_of: AHashMap<&[u32], u32> = AHashMap::with_capacity(rows);
            for r in 0..rows {
                let tokens_of_r = &row_tokens[row_offsets[r] as usize..row_offsets[r + 1] as usize];
                let next = spelling_of.len() as u32;
                row_spelling.push(*spelling_of.entry(tokens_of_r).or_insert(next));
            }
        }
        let n_spellings = row_spelling.iter().max().map_or(0, |&s| s as usize + 1);
        let (spelling_offsets, spelling_rows) = if n_spellings as f64 <= GATHERED_SPELLINGS_AT_MOST * rows as f64 {
            let (offsets, rows_by_spelling) = grouped(n_spellings, row_spelling.iter().enumerate().map(|(r, &s)| (s, r as u32)));
            pairs.retain(|&(_, r)| rows_by_spelling[offsets[row_spelling[r as usize] as usize] as usize] == r);
            for (_, r) in pairs.iter_mut() {
                *r = row_spelling[*r as usize];
            }
            (offsets, rows_by_spelling)
        } else {
            (Vec::new(), Vec::new()) // not gathered: spelling s is row s
        };
        drop(row_spelling);
        // Postings: (token, spelling) grouped by token; spellings stay ascending within a token.
        let n_tokens = tokens.len();
        {
            // a token twice in one spelling counts once: the pairs of one spelling (its first row) are contiguous
            let mut last = vec![u32::MAX; n_tokens];
            pairs.retain(|&(t, s)| std::mem::replace(&mut last[t as usize], s) != s);
        }
        let (posting_offsets, posting_spellings) = grouped(n_tokens, pairs.iter().copied());
        drop(pairs);

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
        // the Korean or Mandarin romanisation key too (`CHO` proposes `JO`, `HSU` `XU`): marked apart, it meets no
        // phonetic key; and the Double Metaphone of the spelling with W read as V (`FADWI` proposes `FADAVI`) and of
        // its Cyrillic reading (`GASANOV` proposes `HASANOV`)
        let phonetic_keys = keyed(&|t, ks| {
            ks.extend(t.phonetic.iter().copied().chain([t.romanised]).filter(|&k| k != 0).chain(w_as_v_phonetic(t)).chain(cyrillic_phonetic(t)))
        });
        let deletion_keys = keyed(&|t, ks| deletion_neighbourhood(&t.text, |k| ks.push(k)));
        let prefix_keys = keyed(&|t, ks| ks.extend(prefix_key(t)));
        // Latin spellings' keys, which a vowelless query token looks up, and vowelless tokens' keys, which a Latin one does
        // (each token's written form is made only for the table that keys it)
        let skeleton_keys = keyed(&|t, ks| {
            ks.extend(skeleton_key(t).into_iter().chain(s_as_z_skeleton_key(t)));
            if !t.abjad {
                ks.extend(written_form_key(t));
            }
        });
        let abjad_skeleton_keys = keyed(&|t, ks| {
            if t.abjad {
                ks.extend(skeleton_key(t).into_iter().chain(other_reading_keys(t)).chain(written_form_key(t)));
            }
        });
        let token_ids = keyed(&|t, ks| ks.push(hasher().hash_one(t.text.as_str())));

        let mut owners_sorted: Vec<u32> = owners.to_vec();
        owners_sorted.par_sort_unstable();
        owners_sorted.dedup();
        row_owner.shrink_to_fit();
        row_name.shrink_to_fit();
        row_offsets.shrink_to_fit();
        row_tokens.shrink_to_fit();
        row_glued.shrink_to_fit();
        let facts = token_facts(&tokens, &posting_offsets, &posting_spellings, &spelling_offsets, &row_tokens);
        let mut index = NameIndex {
            proposal_caches: [ProposalCache::new(), ProposalCache::new()],
            row_owner: row_owner.into(),
            name_rows: name_row_offsets(&row_name, names.len()),
            row_name: row_name.into(),
            row_offsets: row_offsets.into(),
            row_tokens: row_tokens.into(),
            row_glued_offsets: row_glued_offsets.into(),
            row_glued: row_glued.into(),
            spelling_offsets: spelling_offsets.into(),
            spelling_rows: spelling_rows.into(),
            tokens,
            token_proposal_offsets: Array::default(),
            token_proposals: Array::default(),
            facts,
            token_ids,
            posting_offsets: posting_offsets.into(),
            posting_spellings: posting_spellings.into(),
            phonetic_keys,
            deletion_keys,
            skeleton_keys,
            abjad_skeleton_keys,
            prefix_keys,
            names: names.len(),
            entries: owners_sorted.len(),
            fingerprint: name_fingerprint(names, owners),
        };
        let (offsets, proposals) = index.work_out_listed_proposals();
        (index.token_proposal_offsets, index.token_proposals) = (offsets.into(), proposals.into());
        index.prefer_huge_pages();
        index
    }

    /// [`prefer_huge_pages`] for each large array a search reads (a mapped one too: the kernel
    /// collapses a read-only file's pages where its filesystem allows).
    fn prefer_huge_pages(&self) {
        for t in self.key_tables() {
            prefer_huge_pages(&t.keys);
            prefer_huge_pages(&t.offsets);
            prefer_huge_pages(&t.ids);
            prefer_huge_pages(&t.directory);
        }
        for a in [&self.row_owner, &self.row_name, &self.row_offsets, &self.row_tokens, &self.row_glued_offsets, &self.spelling_offsets, &self.spelling_rows, &self.posting_offsets, &self.posting_spellings] {
            prefer_huge_pages(a);
        }
        prefer_huge_pages(&self.row_glued);
        prefer_huge_pages(&self.token_proposal_offsets);
        prefer_huge_pages(&self.token_proposals);
        prefer_huge_pages(&self.tokens);
        prefer_huge_pages(&self.facts);
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
            ("spellings", self.spelling_count()),
            ("postings", self.posting_spellings.len()),
            ("keys", tables.iter().map(|t| t.keys.len()).sum()),
            ("key_bytes", tables.iter().map(|t| t.bytes()).sum()),
            (
                "row_bytes",
                self.row_owner.byte_len() + self.row_name.byte_len() + self.name_rows.len() * 4 + self.row_offsets.byte_len() + self.row_tokens.byte_len()
                    + self.row_glued_offsets.byte_len() + self.row_glued.byte_len()
                    + self.spelling_offsets.byte_len() + self.spelling_rows.byte_len(),
            ),
            ("posting_bytes", self.posting_offsets.byte_len() + self.posting_spellings.byte_len()),
            ("proposals", self.token_proposals.len()),
            ("proposal_bytes", self.token_proposal_offsets.byte_len() + self.token_proposals.byte_len()),
            ("mapped", self.row_tokens.is_mapped() as usize),
        ]
    }

    /// The dictionary id of a token text.
    fn token_id(&self, text: &str) -> Option<u32> {
        let ids = self.token_ids.get(hasher().hash_one(text))?;
        ids.iter().copied().find(|&id| self.tokens[id as usize].text == text)
    }

    /// The dictionary's token of this text, if any.
    fn known_token(&self, text: &str) -> Option<&Token> {
        self.token_id(text).map(|id| &self.tokens[id as usize])
    }

    /// A query's forms, prepared ([`prepare_forms_with`]) with the listed tokens copied from the dictionary.
    fn prepare(&self, query: &str) -> Vec<Vec<Token>> {
        prepare_forms_with(query, |t| self.known_token(t))
    }

    /// `f` of the query's prepared forms ([`NameIndex::prepare`]). The last query prepared on this thread
    /// is kept: a query's hits are weighed and explained one after another. (Its tokens are the same
    /// whichever index prepared them: [`prepare_forms_with`].)
    fn with_prepared<T>(&self, query: &str, f: impl FnOnce(&[Vec<Token>]) -> T) -> T {
        EXPLAINED_QUERY.with(|last| {
            let mut last = last.borrow_mut();
            if last.0 != query {
                *last = (query.to_owned(), self.prepare(query));
            }
            f(&last.1)
        })
    }

    /// The spellings holding `token`, ascending.
    fn spellings_of(&self, token: u32) -> &[u32] {
        &self.posting_spellings[self.posting_offsets[token as usize] as usize..self.posting_offsets[token as usize + 1] as usize]
    }

    /// The rows of spelling `s`, ascending (at least one), when rows are gathered
    /// ([`NameIndex::spellings_gathered`]).
    fn rows_of_spelling(&self, s: u32) -> &[u32] {
        &self.spelling_rows[self.spelling_offsets[s as usize] as usize..self.spelling_offsets[s as usize + 1] as usize]
    }

    /// Whether rows are gathered into spellings; if not, spelling s is row s.
    fn spellings_gathered(&self) -> bool {
        !self.spelling_offsets.is_empty()
    }

    fn first_row_of_spelling(&self, s: u32) -> u32 {
        if self.spellings_gathered() {
            self.spelling_rows[self.spelling_offsets[s as usize] as usize]
        } else {
            s
        }
    }

    fn spelling_count(&self) -> usize {
        if self.spellings_gathered() {
            self.spelling_offsets.len() - 1
        } else {
            self.row_count()
        }
    }

    fn glued_of(&self, row: u32) -> &[Glued] {
        &self.row_glued[self.row_glued_offsets[row as usize] as usize..self.row_glued_offsets[row as usize + 1] as usize]
    }

    fn tokens_of(&self, row: u32) -> &[u32] {
        &self.row_tokens[self.row_offsets[row as usize] as usize..self.row_offsets[row as usize + 1] as usize]
    }

    fn row_count(&self) -> usize {
        self.row_owner.len()
    }

    fn idf(&self, token: u32) -> f64 {
        let df = self.facts[token as usize].rows.max(1) as f64;
        (1.0 + self.row_count() as f64 / df).ln()
    }

    /// Dictionary tokens a query token points at, with the evidence a row holding one gets
    /// ([`NameIndex::evidence`]): a listed token's as the index holds them, another's worked out
    /// (cached: [`ProposalCache`]).
    fn proposals(&self, q: &Token, glued: bool) -> Proposals<'_> {
        if let Some(found) = self.listed_proposals(q, glued) {
            return Proposals::Listed(found);
        }
        let cache = self.proposal_cache(glued);
        if let Some(found) = cache.get(&q.text) {
            return Proposals::WorkedOut(found);
        }
        let found: Arc<[Proposal]> = self.work_out_proposals(q, glued).into();
        cache.insert(&q.text, found.clone());
        Proposals::WorkedOut(found)
    }

    /// The proposals the index holds for plain query token `q`, when it is a token of some row: the
    /// same as [`NameIndex::work_out_proposals`] gives (they depend on the text alone), made for
    /// every such token when the index was built. A large batch meets tens of thousands of distinct
    /// names, too many for the cache to keep from one to the next; most are listed.
    fn listed_proposals(&self, q: &Token, glued: bool) -> Option<&[Proposal]> {
        if glued || self.token_proposal_offsets.is_empty() {
            return None;
        }
        let id = self.token_id(&q.text)? as usize;
        let (from, to) = (self.token_proposal_offsets[id] as usize, self.token_proposal_offsets[id + 1] as usize);
        // a token of some row proposes at least itself; a glued key alone holds none
        (to > from).then(|| &self.token_proposals[from..to])
    }

    /// [`NameIndex::listed_proposals`] of every token of some row, worked out (in parallel): per
    /// token the offset of its proposals (`token_count + 1` of them), and the proposals.
    fn work_out_listed_proposals(&self) -> (Vec<u32>, Vec<Proposal>) {
        const TOKENS_PER_TASK: usize = 4096;
        let n = self.tokens.len();
        let parts: Vec<(Vec<u32>, Vec<Proposal>)> = (0..n.div_ceil(TOKENS_PER_TASK))
            .into_par_iter()
            .map(|task| {
                let ids = task * TOKENS_PER_TASK..((task + 1) * TOKENS_PER_TASK).min(n);
                let (mut counts, mut found) = (Vec::with_capacity(ids.len()), Vec::new());
                for id in ids {
                    let before = found.len();
                    if self.facts[id].in_rows {
                        found.extend(self.work_out_proposals(&self.tokens[id], false));
                    }
                    counts.push((found.len() - before) as u32);
                }
                (counts, found)
            })
            .collect();
        let total: usize = parts.iter().map(|p| p.1.len()).sum();
        let (mut offsets, mut proposals) = (huge_vec(n + 1), huge_vec(total));
        offsets.push(0u32);
        for (counts, found) in parts {
            for c in counts {
                offsets.push(offsets.last().expect("starts at 0") + c);
            }
            proposals.extend(found);
        }
        (offsets, proposals)
    }

    /// Glued neighbours are cached apart: a glued text proposes only what it can join, and most are
    /// met once (every pair of a passenger's names), so they would crowd out the names that recur.
    fn proposal_cache(&self, glued: bool) -> &ProposalCache {
        &self.proposal_caches[glued as usize]
    }

    /// [`NameIndex::proposals`], worked out: the similar dictionary tokens, then their [`NameIndex::evidence`].
    fn work_out_proposals(&self, q: &Token, glued: bool) -> Vec<Proposal> {
        let exact = self.token_id(&q.text);
        let mut wanted: Vec<(&KeyTable, u64)> = Vec::with_capacity(24);
        wanted.extend(q.phonetic.iter().chain([&q.romanised]).filter(|&&k| k != 0).map(|&k| (&self.phonetic_keys, k)));
        wanted.extend(w_as_v_phonetic(q).chain(cyrillic_phonetic(q)).map(|k| (&self.phonetic_keys, k)));
        deletion_neighbourhood(&q.text, |k| wanted.push((&self.deletion_keys, k)));
        wanted.extend(prefix_key(q).map(|k| (&self.prefix_keys, k)));
        if let Some(k) = skeleton_key(q) {
            wanted.push((if q.abjad { &self.skeleton_keys } else { &self.abjad_skeleton_keys }, k));
        }
        wanted.extend(other_reading_keys(q).map(|k| (&self.skeleton_keys, k)));
        wanted.extend(s_as_z_skeleton_key(q).map(|k| (&self.abjad_skeleton_keys, k)));
        wanted.extend(written_form_key(q).map(|k| (if q.abjad { &self.skeleton_keys } else { &self.abjad_skeleton_keys }, k)));
        let mut seen: Vec<u32> = Vec::with_capacity(256);
        seen.extend(exact);
        KeyTable::get_all(&wanted, |ids| seen.extend_from_slice(ids));
        // a given name's nicknames and formal names share no spelling key (`BILL`, `WILLIAM`)
        if !glued {
            seen.extend(q.nickname.into_iter().flat_map(nickname_relatives).filter_map(|name| self.token_id(name)));
        }
        seen.sort_unstable();
        seen.dedup();
        // Most proposed tokens are unrelated (a Double Metaphone key is shared by hundreds): rule
        // them out on their sketches, and read in full only the tokens that may be similar. Each
        // step asks for all the scattered records it will read before reading the first, so that
        // their cache misses overlap instead of following one another.
        for &id in &seen {
            prefetch(&self.facts[id as usize]);
        }
        let q_sketch = QuerySketch::of(q);
        seen.retain(|&id| {
            let facts = &self.facts[id as usize];
            Some(id) == exact || !(facts.rows as usize > COMMON_TOKEN_ROWS || (glued && !facts.in_rows) || sketch_rules_out(q, &q_sketch, &facts.sketch))
        });
        for &id in &seen {
            prefetch(&self.tokens[id as usize]);
        }
        let pattern = JaroWinklerPattern::new(&q.text);
        let similar = seen
            .into_iter()
            .filter_map(|id| {
                let c = &self.tokens[id as usize];
                // A glued token on either side (the query's glued neighbours, a row's glued keys) is
                // evidence only where the alignment can accept it as a joined spelling.
                let joining = Some(id) != exact && (glued || !self.facts[id as usize].in_rows);
                if joining && !lengths_could_join(q, c) {
                    return None;
                }
                let (sim, kind) = token_similarity_by(q, &pattern, c)?;
                (!joining || similar_enough_to_join(sim, kind)).then_some((id, sim))
            })
            .collect();
        self.evidence(q, exact, similar)
    }

    /// (token, similarity) proposals of query token `q` (`exact`: its own dictionary id) -> (token,
    /// evidence for a row holding it): the similarity times the token's rarity, capped by the rarity of
    /// the name the query spells. That is the query token itself when listed; else its most common close spelling (at least
    /// [`STRONG_PAIR_SIMILARITY`]): a misspelt `MOHAMAD` is a spelling of `MOHAMMAD`, common. Without
    /// the cap, rows holding rare spellings of a common query name (`MUHAMMED`, `MOHAMMADI`) outrank
    /// the rows that spell it as the query does.
    fn evidence(&self, q: &Token, exact: Option<u32>, similar: Vec<(u32, f64)>) -> Vec<Proposal> {
        let name_rarity = match exact {
            Some(t) => self.idf(t),
            None => similar.iter().filter(|p| p.1 >= STRONG_PAIR_SIMILARITY).map(|p| self.idf(p.0)).fold(f64::INFINITY, f64::min),
        };
        let mut found: Vec<Proposal> =
            similar.into_iter().map(|(id, sim)| Proposal(id, (sim * self.idf(id).min(name_rarity) * q.weight) as f32)).collect();
        found.sort_unstable_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        found
    }

    /// Row ids ranked by blocking evidence, at most `max_candidates`.
    ///
    /// The query's tokens are taken strongest first. Once `max_candidates` rows already met hold more
    /// evidence than a row not met yet could gather from all the tokens left, the tokens left only add
    /// to the rows met: the ranking is the same, and the long posting lists of common names (which
    /// come last) are read without touching the accumulator of rows that could not enter it
    /// (MaxScore, Turtle and Flood 1995).
    fn candidate_rows(&self, query_tokens: &[Vec<(Token, bool)>], max_candidates: usize) -> Vec<u32> {
        self.rank_rows(query_tokens, max_candidates).0
    }

    /// The query's tokens' proposal lists, strongest first, each with whether it repeats an earlier
    /// token of its form; what a row can still gain after the i-th; and `full`, the evidence of a
    /// row that agrees with every token (infinite when a token proposes nothing).
    #[allow(clippy::type_complexity)]
    fn proposal_lists(&self, query_tokens: &[Vec<(Token, bool)>]) -> (Vec<(Proposals<'_>, bool)>, Vec<f64>, f64) {
        // (proposals, whether the token repeats an earlier one of its form: `ABDULLAH ABDULLAH`)
        let mut lists: Vec<(Proposals<'_>, bool)> = query_tokens
            .iter()
            .flat_map(|form| {
                form.iter().enumerate().map(|(k, (q, glued))| {
                    let repeated = !glued && form[..k].iter().any(|(earlier, g)| !g && earlier.text == q.text);
                    (self.proposals(q, *glued), repeated)
                })
            })
            .collect();
        let strongest = |p: &(Proposals, bool)| p.0.first().map_or(0.0, |p| p.1 as f64);
        // whether a row can agree with the whole name: no token of it (glued spellings aside) is unknown
        let whole_name_listed = query_tokens.iter().flatten().zip(&lists).all(|((_, glued), (found, _))| *glued || !found.is_empty());
        // stable: a repeated token comes after its first occurrence, whose rows it only adds to
        lists.sort_by(|a, b| strongest(b).total_cmp(&strongest(a)));
        lists.truncate(MAX_QUERY_LISTS);
        // what a row can still gain from the tokens after the i-th: the best proposal of each
        let mut gain_after: Vec<f64> = vec![0.0; lists.len() + 1];
        for i in (0..lists.len()).rev() {
            gain_after[i] = gain_after[i + 1] + strongest(&lists[i]);
        }
        let full = if whole_name_listed { gain_after[0] } else { f64::INFINITY };
        (lists, gain_after, full)
    }

    /// [`NameIndex::candidate_rows`], and whether the last tokens only added to the rows met.
    fn rank_rows(&self, query_tokens: &[Vec<(Token, bool)>], max_candidates: usize) -> (Vec<u32>, bool) {
        let (lists, gain_after, full) = self.proposal_lists(query_tokens);
        let several_words = has_several_words(query_tokens);
        SCRATCH.with(|scratch| {
            let mut scratch = scratch.borrow_mut();
            let Scratch { acc, met, touched, pending } = &mut *scratch;
            let spellings = self.spelling_count();
            if acc.len() < spellings {
                acc.resize(spellings, Evidence::default());
                met.resize(spellings.div_ceil(64), 0);
                prefer_huge_pages(acc);
                prefer_huge_pages(met);
            }
            let is_met = |met: &[u64], s: u32| met[s as usize >> 6] >> (s & 63) & 1 == 1;
            // the spellings met, each standing for its rows (all of which hold the same evidence)
            touched.clear();
            let mut only_met = false;
            // (spelling, weight) of one query token's postings: gathered first, each spelling's
            // accumulator asked for as it is met, then added. Most posting lists are short (a dozen
            // spellings), so asking ahead within one list would hide little of the cache misses.
            for (i, (found, repeated)) in lists.iter().enumerate() {
                let token_no = i as u16 + 1;
                if *repeated {
                    // a row holding the name once has its evidence from the first occurrence already;
                    // this one counts for the rows that hold it twice (two tokens it proposes)
                    let proposed: ahash::AHashSet<u32> = found.iter().map(|p| p.0).collect();
                    for &Proposal(id, w) in found.iter() {
                        for &sp in self.spellings_of(id) {
                            let e = &mut acc[sp as usize];
                            if e.token == 0 || e.token == token_no || (only_met && !is_met(met, sp)) {
                                continue; // not met by the first occurrence, or counted
                            }
                            let first_row = self.first_row_of_spelling(sp);
                            if self.tokens_of(first_row).iter().filter(|t| proposed.contains(t)).count() >= 2 {
                                e.token = token_no;
                                e.sum += w;
                                e.agreed += 1;
                            }
                        }
                    }
                    continue;
                }
                for &Proposal(id, _) in found.iter() {
                    prefetch(&self.posting_offsets[id as usize]);
                }
                for &Proposal(id, _) in found.iter() {
                    if let Some(first) = self.posting_spellings.get(self.posting_offsets[id as usize] as usize) {
                        prefetch(first);
                    }
                }
                pending.clear();
                for &Proposal(id, w) in found.iter() {
                    for &sp in self.spellings_of(id) {
                        if only_met && !is_met(met, sp) {
                            continue;
                        }
                        prefetch(&acc[sp as usize]);
                        pending.push((sp, w));
                    }
                }
                // proposals come strongest first: a spelling's first posting of this token is its best
                for &(sp, w) in pending.iter() {
                    let e = &mut acc[sp as usize];
                    if e.token == 0 {
                        touched.push(sp);
                    }
                    if e.token != token_no {
                        e.token = token_no;
                        e.sum += w;
                        e.agreed += 1;
                    }
                }
                let gain_left = gain_after[i + 1];
                if !only_met && max_candidates > 0 && touched.len() > max_candidates && gain_left > 0.0 {
                    // max_candidates spellings (so at least as many rows) beyond what any other can
                    // reach: strictly, and with a margin for the sums' rounding (a row not met that
                    // tied would still rank on its row id)
                    let out_of_reach = (gain_left + 1e-4) as f32;
                    if touched.iter().filter(|&&s| acc[s as usize].sum > out_of_reach).count() >= max_candidates {
                        only_met = true;
                        for &s in touched.iter() {
                            met[s as usize >> 6] |= 1 << (s & 63);
                        }
                    }
                }
            }
            if only_met {
                for &s in touched.iter() {
                    met[s as usize >> 6] = 0;
                }
            }
            let by_evidence = |a: &Ranked, b: &Ranked| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0));
            let mut spelt: Vec<Ranked> = touched
                .iter()
                .map(|&s| {
                    let e = std::mem::take(&mut acc[s as usize]);
                    (s, e.sum as f64, several_words && e.agreed < 2)
                })
                .collect();
            if max_candidates == 0 {
                return (Vec::new(), only_met);
            }
            // The spellings whose rows may be candidates: the best max_candidates (at least as many
            // rows), those tied with the last of them, and those that hold all the evidence
            // (with_the_top_tie keeps more of them).
            // `at_cut`: the spellings tied with the last, when they hold less than all the evidence.
            // They are often hundreds (one common token's), and come last: only the rows they add up
            // to max_candidates are kept, or none of them (candidates_kept), so they are not sorted
            // with the rest (the rows are, below).
            let mut at_cut: Vec<Ranked> = Vec::new();
            let more_than_wanted = spelt.len() > max_candidates;
            let ahead = max_candidates.saturating_mul(SELECT_AHEAD);
            if spelt.len() > ahead {
                // Many met (a common name's thousands of spellings): first set aside those below the
                // max_candidates-th best of the first few met (strongest first, so most of the best are
                // there), which is at most the cut: what is kept from here on is the same.
                let mut sample: Vec<f64> = spelt[..ahead].iter().map(|s| s.1).collect();
                let (_, &mut below_cut, _) = sample.select_nth_unstable_by(max_candidates - 1, |a, b| b.total_cmp(a));
                spelt.retain(|s| s.1 >= below_cut || holds_all(s.1, full));
            }
            if more_than_wanted {
                spelt.select_nth_unstable_by(max_candidates - 1, by_evidence);
                let cut = spelt[max_candidates - 1].1;
                if holds_all(cut, full) {
                    spelt.retain(|s| s.1 >= cut || holds_all(s.1, full));
                } else {
                    // (below a cut that holds less than all, no spelling holds all)
                    at_cut = spelt.iter().filter(|s| s.1 == cut).copied().collect();
                    spelt.retain(|s| s.1 > cut);
                }
            }
            spelt.sort_unstable_by(by_evidence);
            // their rows are read next: asked for in two waves (offsets, then rows), so that the
            // scattered reads overlap
            let gathered = self.spellings_gathered();
            if gathered {
                for &(s, ..) in spelt.iter().chain(&at_cut) {
                    prefetch(&self.spelling_offsets[s as usize]);
                }
                for &(s, ..) in spelt.iter().chain(&at_cut) {
                    prefetch(&self.spelling_rows[self.spelling_offsets[s as usize] as usize]);
                }
            }
            // Their rows, best evidence first (rows of equal evidence by row), each group of equal
            // evidence whole, until max_candidates rows are in and the next group holds less than
            // all the evidence (within the sums' rounding): the rows ranked are then the same as
            // when every row is ranked.
            let mut ranked: Vec<Ranked> = Vec::with_capacity(max_candidates.min(4096) + 16);
            let mut at = 0;
            while at < spelt.len() {
                let sum = spelt[at].1;
                if ranked.len() >= max_candidates && !holds_all(sum, full) {
                    break;
                }
                let (group_start, first_spelling) = (ranked.len(), at);
                while at < spelt.len() && spelt[at].1 == sum {
                    if gathered {
                        let weak = spelt[at].2;
                        ranked.extend(self.rows_of_spelling(spelt[at].0).iter().map(|&row| (row, sum, weak)));
                    } else {
                        ranked.push(spelt[at]);
                    }
                    at += 1;
                }
                if gathered && at - first_spelling > 1 {
                    ranked[group_start..].sort_unstable_by_key(|r| r.0);
                }
            }
            if ranked.len() < max_candidates && !at_cut.is_empty() {
                // the rows of the spellings at the cut, those with the lowest numbers first, or none
                // when they are a weak tie: as if all had been ranked, then cut by candidates_kept
                let sum = at_cut[0].1;
                let mut rows: Vec<(u32, bool)> = if gathered {
                    at_cut.iter().flat_map(|&(s, _, weak)| self.rows_of_spelling(s).iter().map(move |&row| (row, weak))).collect()
                } else {
                    at_cut.iter().map(|&(s, _, weak)| (s, weak)).collect()
                };
                let needed = max_candidates - ranked.len();
                if rows.len() > needed {
                    if rows.iter().all(|r| r.1) {
                        rows.clear();
                    } else {
                        rows.select_nth_unstable(needed - 1);
                        rows.truncate(needed);
                    }
                }
                rows.sort_unstable();
                ranked.extend(rows.into_iter().map(|(row, weak)| (row, sum, weak)));
            }
            ranked.truncate(candidates_kept(&ranked, max_candidates, full));
            (ranked.into_iter().map(|(row, ..)| row).collect(), only_met)
        })
    }

    /// [`compare`]`(query, text)`, where `text` is the listed name `name`: the same alignment, with
    /// the name's tokens read from the dictionary (its rows are its non-empty forms, in order)
    /// instead of prepared again. What explaining a hit takes.
    pub fn compare_with_name(&self, query: &str, name: u32, text: &str) -> Alignment {
        let forms: Vec<Vec<&Token>> =
            self.rows_of_name(name).map(|r| self.tokens_of(r).iter().map(|&t| &self.tokens[t as usize]).collect()).collect();
        let best = self.with_prepared(query, |query_forms| best_of_forms(query_forms, &forms));
        // Where no token agrees, an empty form (which has no row) may decide what is left unmatched.
        if best.pairs.is_empty() {
            return compare(query, text);
        }
        best
    }

    /// Whether [`compare`]`(query, name's text)` may pair a nickname with its name: some token of
    /// the query and some token of the name are so related. A pair of a glued token is of kind
    /// Joined, so only the plain tokens count. False means the alignment has no nickname pair.
    pub fn may_pair_nicknames(&self, query: &str, name: u32) -> bool {
        self.with_prepared(query, |query_forms| {
            let ids = || query_forms.iter().flatten().filter_map(|t| t.nickname);
            ids().next().is_some()
                && self.rows_of_name(name).any(|r| {
                    self.tokens_of(r).iter().filter_map(|&t| self.tokens[t as usize].nickname).any(|c| {
                        ids().any(|q| nickname_related(Some(q), Some(c)))
                    })
                })
        })
    }

    /// The rows of listed name `name` (ascending, as the rows are numbered in name order).
    fn rows_of_name(&self, name: u32) -> impl Iterator<Item = u32> {
        let n = name as usize;
        let (first, last) = if n < self.names { (self.name_rows[n], self.name_rows[n + 1]) } else { (0, 0) };
        first..last
    }

    /// The query's tokens for blocking: each form's core tokens (a legal form and stopwords set aside,
    /// as the alignment sets them aside) and their glued neighbours.
    #[cfg(test)]
    fn blocking_tokens(query_forms: &[Vec<Token>]) -> Vec<Vec<(Token, bool)>> {
        Self::blocking_tokens_with(query_forms, |_| None)
    }

    /// [`NameIndex::blocking_tokens`], a glued neighbour copied from `known` when it holds it.
    fn blocking_tokens_with<'k>(query_forms: &[Vec<Token>], known: impl Fn(&str) -> Option<&'k Token>) -> Vec<Vec<(Token, bool)>> {
        query_forms
            .iter()
            .map(|form| {
                let core = core_tokens(&form.iter().collect::<Vec<_>>());
                let texts: Vec<&str> = core.iter().map(|t| t.text.as_str()).collect();
                let glued = glued_spans(&texts, is_particle).map(|(_, _, g)| (known(&g).cloned().unwrap_or_else(|| Token::new(&g)), true));
                core.iter().map(|&t| (t.clone(), false)).chain(glued).collect()
            })
            .collect()
    }

    /// The rows written as one vowelless token (a name in Arabic script without spaces, as the EU list
    /// writes five) whose skeleton a query's whole name glued spells ([`whole_name_spellings`]): none
    /// of the query's tokens or glued neighbours leads to them.
    fn whole_name_rows(&self, query_forms: &[Vec<Token>]) -> Vec<u32> {
        let mut rows: Vec<u32> = Vec::new();
        for form in query_forms {
            let texts: Vec<&str> = core_tokens(&form.iter().collect::<Vec<_>>()).iter().map(|t| t.text.as_str()).collect();
            for glued in whole_name_spellings(&texts) {
                let key = hasher().hash_one(loose_skeleton(&glued).as_str());
                for &id in self.abjad_skeleton_keys.get(key).unwrap_or(&[]) {
                    if !(self.facts[id as usize].in_rows && self.tokens[id as usize].abjad) {
                        continue;
                    }
                    for &s in self.spellings_of(id) {
                        let spelled: &[u32] = if self.spellings_gathered() { self.rows_of_spelling(s) } else { std::slice::from_ref(&s) };
                        for &r in spelled {
                            // the token alone, not as one of a row's tokens or glued neighbours
                            if self.tokens_of(r) == [id] && !rows.contains(&r) {
                                rows.push(r);
                            }
                        }
                    }
                }
            }
        }
        rows
    }

    /// Name indexes the blocking keys propose for a query, strongest evidence first, deduplicated; then,
    /// beyond `max_candidates`, the names of [`NameIndex::whole_name_rows`].
    pub fn candidates(&self, query: &str, max_candidates: usize) -> Vec<u32> {
        let mut names: Vec<u32> = Vec::new();
        let forms = self.prepare(query);
        for row in self.candidate_rows(&Self::blocking_tokens_with(&forms, |t| self.known_token(t)), max_candidates).into_iter().chain(self.whole_name_rows(&forms)) {
            let name = self.row_name[row as usize];
            if !names.contains(&name) {
                names.push(name);
            }
        }
        names
    }

    /// Up to `limit` (owner, name, score) for one query, one row per owner, best first, and then any
    /// more whose name score ties with the last of them ([`through_ties`]).
    pub fn search(&self, query: &str, limit: usize, max_candidates: usize, min_score: f64) -> Vec<(u32, u32, f64)> {
        self.search_on(query, &[], limit, max_candidates, min_score, false)
    }

    /// [`NameIndex::search`], with the `extra` names (their rows) scored besides the index's candidates,
    /// and their owners kept past `limit` when they reach `min_score`: names another key proposes (those
    /// of the entries listing the passenger's birth date), which may share only a common token with the query.
    pub fn search_with(&self, query: &str, extra: &[u32], limit: usize, max_candidates: usize, min_score: f64) -> Vec<(u32, u32, f64)> {
        self.search_on(query, extra, limit, max_candidates, min_score, false)
    }

    /// [`NameIndex::search`] with the one query's work spread over the thread pool: its tokens'
    /// proposals worked out side by side, its candidates scored in one chunk per thread. The same
    /// result; for a lone query (a single-passenger call), where nothing else keeps the cores busy.
    pub fn search_parallel(&self, query: &str, limit: usize, max_candidates: usize, min_score: f64) -> Vec<(u32, u32, f64)> {
        self.search_on(query, &[], limit, max_candidates, min_score, true)
    }

    fn search_on(&self, query: &str, extra: &[u32], limit: usize, max_candidates: usize, min_score: f64, parallel: bool) -> Vec<(u32, u32, f64)> {
        let query_forms = self.prepare(query);
        let blocking = Self::blocking_tokens_with(&query_forms, |t| self.known_token(t));
        if parallel {
            self.prefetch_proposals(blocking.iter().flatten());
        }
        let mut rows = self.candidate_rows(&blocking, max_candidates);
        for row in self.whole_name_rows(&query_forms) {
            if !rows.contains(&row) {
                rows.push(row);
            }
        }
        // the extra names' owners, kept past `limit` (below)
        let mut extra_owners: AHashSet<u32> = AHashSet::new();
        if !extra.is_empty() {
            // all their rows: a filter keeping only those holding a token the query's tokens propose
            // halved what the extra names cost, but lost held-out aliases the alignment relates by
            // similar tokens the index does not propose (`Abdukahlil` ~ `Abu Khalil`, `YSMAIYLOV` ~
            // `ISMAILOVICH`): 4 of the EU list's and 7 of OFAC's (alias_recall.py)
            let ranked: AHashSet<u32> = rows.iter().copied().collect();
            for &name in extra {
                for row in self.rows_of_name(name) {
                    extra_owners.insert(self.row_owner[row as usize]);
                    if !ranked.contains(&row) {
                        rows.push(row);
                    }
                }
            }
        }
        // Per query form: its core tokens and their glued variants, made once for all candidates (the
        // glued tokens are the blocking's glued neighbours, made there).
        let glued_made = |text: &str| blocking.iter().flatten().find(|(t, glued)| *glued && t.text == text).map(|(t, _)| t);
        let forms: Vec<(Vec<&Token>, Vec<Variant>)> = query_forms
            .iter()
            .map(|qf| {
                let core = core_tokens(&qf.iter().collect::<Vec<_>>());
                let variants = Variant::all(&core, |t| glued_made(t).or_else(|| self.known_token(t)));
                (core, variants)
            })
            .collect();
        let threads = rayon::current_num_threads();
        let scored = if parallel && threads > 1 && rows.len() >= 2 * PARALLEL_MIN_ROWS {
            let chunk = rows.len().div_ceil(threads).max(PARALLEL_MIN_ROWS);
            rows.par_chunks(chunk).flat_map_iter(|part| self.score_rows(&forms, part, min_score)).collect()
        } else {
            self.score_rows(&forms, &rows, min_score)
        };
        let mut best: AHashMap<u32, (u32, f64)> = AHashMap::new();
        for (owner, name, score) in scored {
            let slot = best.entry(owner).or_insert((name, score));
            if score > slot.1 || (score == slot.1 && name < slot.0) {
                *slot = (name, score);
            }
        }
        let mut hits: Vec<(u32, u32, f64)> = best.into_iter().map(|(o, (n, s))| (o, n, s)).collect();
        hits.sort_unstable_by(|a, b| b.2.total_cmp(&a.2).then(a.0.cmp(&b.0)));
        if extra_owners.is_empty() {
            hits.truncate(through_ties(&hits, limit));
        } else {
            // the index's own hits, cut as without the extra names, and the extra names' owners besides,
            // each in its place in the order (the evidence weighed after may lift them)
            let others: Vec<(u32, u32, f64)> = hits.iter().filter(|h| !extra_owners.contains(&h.0)).copied().collect();
            let kept: AHashSet<u32> = others[..through_ties(&others, limit)].iter().map(|h| h.0).collect();
            hits.retain(|h| kept.contains(&h.0) || extra_owners.contains(&h.0));
        }
        hits
    }

    /// Works out, side by side, the proposals of the tokens not cached yet, and caches them
    /// ([`NameIndex::proposals`] then finds them).
    fn prefetch_proposals<'t>(&self, tokens: impl Iterator<Item = &'t (Token, bool)>) {
        let mut missing: Vec<(&Token, bool)> = Vec::new();
        for (t, glued) in tokens {
            let known = self.listed_proposals(t, *glued).is_some() || self.proposal_cache(*glued).get(&t.text).is_some();
            if !known && !missing.iter().any(|m| m.1 == *glued && m.0.text == t.text) {
                missing.push((t, *glued));
            }
        }
        if missing.len() < 2 {
            return;
        }
        missing.par_iter().for_each(|(q, glued)| self.proposal_cache(*glued).insert(&q.text, self.work_out_proposals(q, *glued).into()));
    }

    /// (owner, name, score) of each row among `rows` whose alignment with one of the query's forms
    /// reaches `min_score`.
    fn score_rows(&self, forms: &[(Vec<&Token>, Vec<Variant>)], rows: &[u32], min_score: f64) -> Vec<(u32, u32, f64)> {
        // (row, score) of the rows reaching the floor; their owners and names are read at the end, all
        // asked for first, so that their cache misses overlap (read as each row is scored, each missed
        // alone between two alignments)
        let mut scored: Vec<(u32, f64)> = Vec::with_capacity(rows.len());
        // Candidate rows share dictionary tokens: each (query token, dictionary token) pair is
        // compared once per query, in a dense per-thread memo (dictionary tokens by id, the query's
        // tokens by position among `query_tokens`; anything else is compared directly).
        let query_tokens: Vec<*const Token> = forms
            .iter()
            .flat_map(|(core, variants)| core.iter().map(|t| *t as *const Token).chain(variants.iter().map(|v| &*v.glued as *const Token)))
            .collect();
        // What comparing each query token with many needs of it, made once: its sketch and its
        // Jaro-Winkler pattern.
        let prepared: Vec<(QuerySketch, JaroWinklerPattern)> = query_tokens
            .iter()
            .map(|&p| {
                // SAFETY: the pointers are to `forms`' tokens, alive and unmoved for the whole call
                let t = unsafe { &*p };
                (QuerySketch::of(t), JaroWinklerPattern::new(&t.text))
            })
            .collect();
        let dictionary = self.tokens.as_ptr_range();
        let token_size = std::mem::size_of::<Token>();
        SIMILARITIES.with(|memo| {
            let mut memo = memo.borrow_mut();
            memo.start(MEMO_IDS_PER_ROW * rows.len(), query_tokens.len());
            self.prefetch_rows(rows);
            let mut sim = |q: &Token, c: &Token| {
                let cp = c as *const Token;
                match query_tokens.iter().position(|&p| std::ptr::eq(p, q)) {
                    Some(qi) if dictionary.contains(&cp) => {
                        let id = (cp as usize - dictionary.start as usize) / token_size;
                        memo.get_or(id, qi, || {
                            // most pairs are unrelated: decided on the sketch, the token's text unread
                            let (sketch, pattern) = &prepared[qi];
                            if sketch_rules_out(q, sketch, &self.facts[id].sketch) {
                                None
                            } else {
                                token_similarity_by(q, pattern, c)
                            }
                        })
                    }
                    _ => token_similarity(q, c),
                }
            };
            let mut all: Vec<&Token> = Vec::with_capacity(8);
            let mut glued_tokens: Vec<&Token> = Vec::with_capacity(4);
            // Each form's variants with its whole name glued too, made when a row of one vowelless
            // token is met (the only row they may meet: [`Variant::meets`]), which few queries do.
            let whole: Vec<std::cell::OnceCell<Vec<Variant>>> = forms.iter().map(|_| std::cell::OnceCell::new()).collect();
            // A row's score depends on its tokens alone (its glued keys are made from them): rows
            // spelling the same name, common in national lists, are aligned once per query.
            let mut by_tokens: AHashMap<&[u32], f64> = AHashMap::with_capacity(rows.len());
            for &row_id in rows {
                let row_tokens = self.tokens_of(row_id);
                if let Some(&score) = by_tokens.get(row_tokens) {
                    if score >= min_score {
                        scored.push((row_id, score));
                    }
                    continue;
                }
                all.clear();
                all.extend(row_tokens.iter().map(|&t| &self.tokens[t as usize]));
                let has_org_words = all.iter().any(|t| t.org_word);
                let core_owned = if has_org_words { core_tokens(&all) } else { Vec::new() };
                let cand: &[&Token] = if has_org_words { &core_owned } else { &all };
                // the row's glued keys are its variants' glued tokens, unless a legal form was set aside
                let row_glued = !has_org_words || cand.len() == all.len();
                glued_tokens.clear();
                if row_glued {
                    glued_tokens.extend(self.glued_of(row_id).iter().map(|g| &self.tokens[g.token as usize]));
                }
                let mut score = 0.0f64;
                for ((core, variants), whole) in forms.iter().zip(&whole) {
                    let variants = if cand.len() == 1 && cand[0].abjad { whole.get_or_init(|| Variant::of_query(core)) } else { variants };
                    let glued = || {
                        if row_glued {
                            self.glued_of(row_id).iter().map(|g| Variant {
                                first: g.first as usize,
                                last: g.last as usize,
                                glued: std::borrow::Cow::Borrowed(&self.tokens[g.token as usize]),
                                whole: false,
                            }).collect()
                        } else {
                            Variant::all(cand, |text| self.token_id(text).map(|id| &self.tokens[id as usize]))
                        }
                    };
                    score = score.max(align_best_score_from(core, cand, variants, glued, row_glued.then_some(&glued_tokens[..]), &mut sim, min_score.max(score)));
                }
                by_tokens.insert(row_tokens, score);
                if score >= min_score {
                    scored.push((row_id, score));
                }
            }
        });
        for &(row, _) in &scored {
            prefetch(&self.row_owner[row as usize]);
            prefetch(&self.row_name[row as usize]);
        }
        scored.into_iter().map(|(row, score)| (self.row_owner[row as usize], self.row_name[row as usize], score)).collect()
    }

    /// Asks for what scoring `rows` reads, in three waves (each wave's addresses are read from the
    /// lines the one before asked for): the rows' offsets, then their token lists, then their tokens,
    /// sketches. Scattered reads then overlap rather than wait one after another. A
    /// row's owner and name are not asked for: only the few rows that reach the floor read them, and
    /// asking for them for every row kept the wanted lines waiting (6% slower).
    fn prefetch_rows(&self, rows: &[u32]) {
        for &row in rows {
            let r = row as usize;
            prefetch(&self.row_offsets[r]);
            prefetch(&self.row_glued_offsets[r]);
        }
        for &row in rows {
            prefetch(&self.row_tokens[self.row_offsets[row as usize] as usize]);
            let glued = self.row_glued_offsets[row as usize] as usize;
            if glued < self.row_glued.len() {
                prefetch(&self.row_glued[glued]);
            }
        }
        for &row in rows {
            let tokens = self.tokens_of(row).iter().copied().chain(self.glued_of(row).iter().map(|g| g.token));
            for t in tokens {
                prefetch(&self.tokens[t as usize]);
                prefetch(&self.facts[t as usize]);
            }
        }
    }

    /// Many queries at once, in parallel, the caller waiting. The Python bindings spawn theirs
    /// instead ([`NameIndex::search_batch_spawned`], tested to give the same), so that no thread
    /// waits at another's join; a lone query comes here.
    pub fn search_batch(
        &self,
        queries: &[String],
        limit: usize,
        max_candidates: usize,
        min_scores: &[f64],
    ) -> Vec<Vec<(u32, u32, f64)>> {
        self.search_batch_with(queries, &[], limit, max_candidates, min_scores)
    }

    /// [`NameIndex::search_batch`] with each query's extra names ([`NameIndex::search_with`]): none, or
    /// one list per query.
    pub fn search_batch_with(
        &self,
        queries: &[String],
        extras: &[Vec<u32>],
        limit: usize,
        max_candidates: usize,
        min_scores: &[f64],
    ) -> Vec<Vec<(u32, u32, f64)>> {
        assert!(extras.is_empty() || extras.len() == queries.len(), "no extra names, or a list per query");
        // A lone query, with no other search in flight, spreads its own work over the pool: the cores
        // are idle otherwise. Under concurrent calls (a server's streams) splitting would only repeat
        // work (each thread compares the shared tokens again), so each query keeps to one thread.
        // Either way the work runs on a pool thread, whose scratch space (the evidence accumulator,
        // the similarity memo) every call shares (a server calls from many threads of its own).
        let in_flight = SEARCHES_IN_FLIGHT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let _leave = InFlight;
        let lone = queries.len() == 1 && in_flight == 0;
        queries
            .par_iter()
            .zip(min_scores)
            .enumerate()
            .map(|(i, (q, &floor))| self.search_on(q, extras.get(i).map_or(&[][..], Vec::as_slice), limit, max_candidates, floor, lone))
            .collect()
    }
}

/// The birth years each entry lists, by entry number: what a search needs to set aside the candidates
/// a passenger's birth date rules out before the evidence step reads them ([`OwnerYears::set_aside_far`]).
#[derive(Debug)]
pub struct OwnerYears {
    offsets: Vec<u32>,
    years: Vec<u16>,
    /// A birth year this many years or more from every listed one can only conflict: the evidence
    /// step's rule (`engine.scoring.FAR_BIRTH_YEARS`), given with the years.
    far: u16,
}

impl OwnerYears {
    /// `offsets[i]..offsets[i + 1]`: entry i's years; checked, so that no lookup reads past the end.
    pub fn new(offsets: Vec<u32>, years: Vec<u16>, far: u16) -> Result<Self, String> {
        if offsets.first() != Some(&0) || offsets.windows(2).any(|w| w[0] > w[1]) || *offsets.last().unwrap_or(&0) as usize != years.len() {
            return Err(format!("birth years: offsets must rise from 0 to the {} years", years.len()));
        }
        Ok(OwnerYears { offsets, years, far })
    }

    pub fn owners(&self) -> usize {
        self.offsets.len().saturating_sub(1)
    }

    /// Whether entry `owner` lists years and every one is `far` or more from `year` (an entry beyond
    /// those given lists none).
    pub fn all_far(&self, owner: u32, year: u16) -> bool {
        let o = owner as usize;
        if o >= self.owners() {
            return false;
        }
        let listed = &self.years[self.offsets[o] as usize..self.offsets[o + 1] as usize];
        !listed.is_empty() && listed.iter().all(|&y| y.abs_diff(year) >= self.far)
    }

    /// Drops the hits (owner, name, name score) of entries born far from `year` (0: no birth date)
    /// whose name score is below `floor`: the least a name needs to reach the report threshold
    /// with a conflicting birth date, which the evidence step would find and skip them for. Those
    /// left are in their order.
    pub fn set_aside_far(&self, hits: &mut Vec<(u32, u32, f64)>, year: u16, floor: f64) {
        if year != 0 && floor > 0.0 {
            hits.retain(|&(owner, _, score)| score >= floor || !self.all_far(owner, year));
        }
    }
}

/// Queries per job of [`NameIndex::search_batch_spawned`] at most: a few milliseconds of work, so
/// that the last job of a batch keeps one thread busy only briefly while the others move on. A small
/// batch (a request's) is cut finer, in about four jobs per thread, so that its threads end together.
const SPAWNED_PIECE: usize = 32;

/// Per query of a batch, its hits (owner, name, score): what [`NameIndex::search_batch`] gives.
pub type BatchHits = Vec<Vec<(u32, u32, f64)>>;

/// The pieces of one spawned batch, gathered as they end (any order); the last to end hands them on.
struct Gathered<F> {
    pieces: std::sync::Mutex<Vec<Option<BatchHits>>>,
    left: std::sync::atomic::AtomicUsize,
    failed: std::sync::atomic::AtomicBool,
    done: std::sync::Mutex<Option<F>>,
}

impl NameIndex {
    /// [`NameIndex::search_batch`] on the search pool ([`crate::pool`]), in the background: `done` is called (on a
    /// pool thread) with the result, or with None if a search panicked. The batch is spawned as
    /// independent jobs of at most [`SPAWNED_PIECE`] queries, taken first come first served: no thread waits
    /// on another's part of the batch. (One parallel iterator per batch made its threads wait on
    /// one another at its joins, where a waiting thread takes up the next batch's work and finishes
    /// its own batch only after it; then both batches end together, the pool runs dry, and each
    /// sleeping thread took milliseconds to be woken on this virtual machine: 6% of the cores idle.)
    #[allow(clippy::too_many_arguments)]
    pub fn search_batch_spawned<F>(
        self: &Arc<Self>, queries: Vec<String>, extras: Vec<Vec<u32>>, limit: usize, max_candidates: usize, floors: Vec<f64>, done: F,
    ) where
        F: FnOnce(Option<BatchHits>) + Send + 'static,
    {
        assert_eq!(queries.len(), floors.len(), "one floor per query");
        assert!(extras.is_empty() || extras.len() == queries.len(), "no extra names, or a list per query");
        let pool = crate::pool::search_pool();
        if queries.len() <= 1 {
            // a lone query spreads its own work over the pool (search_batch)
            let index = Arc::clone(self);
            pool.spawn(move || {
                let found = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| index.search_batch_with(&queries, &extras, limit, max_candidates, &floors)));
                done(found.ok());
            });
            return;
        }
        let size = (queries.len() / (4 * pool.current_num_threads())).clamp(1, SPAWNED_PIECE);
        let pieces = queries.len().div_ceil(size);
        let queries: Arc<[String]> = queries.into();
        let extras: Arc<[Vec<u32>]> = extras.into();
        let floors: Arc<[f64]> = floors.into();
        let gathered = Arc::new(Gathered {
            pieces: std::sync::Mutex::new(vec![None; pieces]),
            left: std::sync::atomic::AtomicUsize::new(pieces),
            failed: std::sync::atomic::AtomicBool::new(false),
            done: std::sync::Mutex::new(Some(done)),
        });
        // the whole batch is one search in flight (a lone query elsewhere then keeps to one thread)
        SEARCHES_IN_FLIGHT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        for piece in 0..pieces {
            let (index, queries, extras, floors, gathered) =
                (Arc::clone(self), Arc::clone(&queries), Arc::clone(&extras), Arc::clone(&floors), Arc::clone(&gathered));
            pool.spawn(move || {
                let span = piece * size..queries.len().min((piece + 1) * size);
                let found = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    span.map(|i| index.search_with(&queries[i], extras.get(i).map_or(&[][..], Vec::as_slice), limit, max_candidates, floors[i]))
                        .collect::<Vec<_>>()
                }));
                match found {
                    Ok(found) => gathered.pieces.lock().unwrap_or_else(std::sync::PoisonError::into_inner)[piece] = Some(found),
                    Err(_) => gathered.failed.store(true, std::sync::atomic::Ordering::Relaxed),
                }
                if gathered.left.fetch_sub(1, std::sync::atomic::Ordering::AcqRel) != 1 {
                    return;
                }
                let _leave = InFlight;
                let pieces = std::mem::take(&mut *gathered.pieces.lock().unwrap_or_else(std::sync::PoisonError::into_inner));
                let all = if gathered.failed.load(std::sync::atomic::Ordering::Relaxed) {
                    None
                } else {
                    Some(pieces.into_iter().flatten().flatten().collect())
                };
                if let Some(done) = gathered.done.lock().unwrap_or_else(std::sync::PoisonError::into_inner).take() {
                    done(all);
                }
            });
        }
    }
}

/// How many of the `ranked` rows (row, evidence) to keep: `max_candidates`, or more when more rows
/// than that hold all the evidence a row can (`full`: every query token's best proposal; infinite
/// when a token of the query proposes nothing), a name that many people on the list bear. Their
/// birth dates tell them apart, weighed after the search, so blocking keeps them all (up to
/// [`MAX_TIED_AT_TOP`]) rather than the first by row number. Rows that tie below `full` are cut as
/// before: they are many, and as far from the query as each other. `ranked` has its best
/// `max_candidates` first (in any order): the row after them tells whether more hold it all.
fn with_the_top_tie(ranked: &[Ranked], max_candidates: usize, full: f64) -> usize {
    if max_candidates == 0 || !ranked.get(max_candidates).is_some_and(|r| holds_all(r.1, full)) {
        return max_candidates;
    }
    let tied = max_candidates + ranked[max_candidates..].iter().filter(|r| holds_all(r.1, full)).count();
    tied.min(MAX_TIED_AT_TOP.max(max_candidates))
}

/// A row (or spelling) ranked: its number, its evidence, and whether it is weak: it agrees with one
/// token only of a query of several words.
type Ranked = (u32, f64, bool);

/// [`NameIndex::rank_rows`] sets aside most of many spellings met before it selects the best: below the
/// best of the first this many times `max_candidates` met.
const SELECT_AHEAD: usize = 2;

/// Whether a query form has two words or more (glued keys and particles aside): its rows agreeing
/// with one of them only are weak ([`candidates_kept`]). A particle is no word of its own here: `AL`
/// and `BEN` are also nicknames (of `ALAN`, `BENJAMIN`), which the index does not propose for them.
fn has_several_words(query_tokens: &[Vec<(Token, bool)>]) -> bool {
    query_tokens.iter().any(|form| form.iter().filter(|(t, glued)| !glued && !t.particle).count() >= 2)
}

/// How many of the `ranked` rows (best first) are candidates: the first `max_candidates`
/// ([`with_the_top_tie`] keeps more when more hold all the evidence), less the rows of a weak tie
/// the bound would split. Rows tied on evidence below all of it, each agreeing with one token only
/// of a query of several (one common given name's, often hundreds at 1M names), are as far from
/// the query as each other: the few the bound let in were the ones with the lowest numbers, a
/// choice with no reason in it, and a third of the rows scored in the 1M-name benchmark. A tie
/// agreeing with more (namesakes spelt a little apart from the query) is cut as before.
fn candidates_kept(ranked: &[Ranked], max_candidates: usize, full: f64) -> usize {
    let kept = with_the_top_tie(ranked, max_candidates, full).min(ranked.len());
    match (kept.checked_sub(1).map(|last| ranked[last].1), ranked.get(kept)) {
        (Some(last), Some(next)) if next.1 == last && !holds_all(last, full) => {
            let start = ranked[..kept].partition_point(|r| r.1 > last);
            let tie = ranked[start..].iter().take_while(|r| r.1 == last);
            if tie.clone().all(|r| r.2) { start } else { kept }
        }
        _ => kept,
    }
}

/// Whether evidence `sum` is all a row can hold (`full`, [`with_the_top_tie`]). The sums are f32
/// ([`Evidence`]), added in the order of the query's tokens.
fn holds_all(sum: f64, full: f64) -> bool {
    sum + 1e-4 >= full
}

/// How many of `hits` (best name score first) to keep: `limit`, and any after them whose name score
/// ties with the last kept. Equal names are told apart by the evidence weighed after the search (a
/// birth date): cutting among them would drop, say, the one `John Smith` of 40 born on the
/// passenger's birth date, for no better reason than its number.
fn through_ties(hits: &[(u32, u32, f64)], limit: usize) -> usize {
    match limit.checked_sub(1).and_then(|last| hits.get(last)) {
        Some(&(_, _, last)) => limit + hits[limit..].iter().take_while(|h| h.2 == last).count(),
        None => limit.min(hits.len()),
    }
}

/// `tokens` in the order of their primary Double Metaphone key, then their text, and each old
/// token id's new one.
fn numbered_by_sound(tokens: Vec<Token>) -> (Vec<Token>, Vec<u32>) {
    let mut numbered: Vec<(u32, Token)> = tokens.into_iter().enumerate().map(|(old, t)| (old as u32, t)).collect();
    numbered.par_sort_unstable_by(|(_, a), (_, b)| a.phonetic[0].cmp(&b.phonetic[0]).then_with(|| a.text.cmp(&b.text)));
    let mut renumbered = vec![0u32; numbered.len()];
    for (new, (old, _)) in numbered.iter().enumerate() {
        renumbered[*old as usize] = new as u32;
    }
    (numbered.into_iter().map(|(_, t)| t).collect(), renumbered)
}

/// A fingerprint of the names and owners an index is built from (FNV-1a 64 over each name's UTF-8
/// bytes, a 0xFF separator, and its owner as 4 little-endian bytes): a saved index is only attached
/// to the list whose names give the same fingerprint.
pub fn name_fingerprint<S: AsRef<str>>(names: &[S], owners: &[u32]) -> u64 {
    let mut h = fnv1a(FNV_OFFSET, &(names.len() as u64).to_le_bytes());
    for (name, owner) in names.iter().zip(owners) {
        h = fnv1a(h, name.as_ref().as_bytes());
        h = fnv1a(h, &[0xff]);
        h = fnv1a(h, &owner.to_le_bytes());
    }
    h
}

// --- the index file -------------------------------------------------------------------------
//
// One file, little-endian throughout:
//
//   0  magic "IDXNAME1"                 8 bytes
//   8  format version (u32): FORMAT_VERSION
//  12  byte-order mark (u32) 0x01020304  (reads back as such only on a little-endian reader)
//  16  names (u64), 24 entries (u64), 32 names fingerprint (u64)
//  40  section count (u32) = SECTIONS.len(), 44 reserved (u32) = 0
//  48  header checksum (u64): flat::checksum of bytes 0..48 followed by the section table
//  56  section table: per section (offset u64, length in bytes u64, flat::checksum of its bytes u64)
//      then the sections, each at an 8-byte-aligned offset (zero padding between them).
//
// Sections hold the flat arrays as they are in memory (u32 / u64 / Glued{u32,u16,u16}), the token
// dictionary as its texts (one UTF-8 blob plus u32 offsets), and each key table as keys, offsets,
// ids and directory (its shift follows from the directory's length).

const MAGIC: &[u8; 8] = b"IDXNAME1";
/// Also bumped when the rows built from the same names change (2: Han-script names read in Korean
/// and Japanese; 3: glued keys that write the Arabic article as spoken), so a file from an older
/// build is refused and rebuilt, not served stale. 4: postings per spelling. 5: the article glued as
/// written (`ABDALRAHMAN`), Korean romanisation keys. 6: skeleton keys read PH as F (`MUSTAPHA` ~ `MSTF`).
/// 7: `MR` is no particle (عمر), `BN`, `BNT`, `SHYKH` are. 8: vowelless tokens also keyed with `TH` read as S.
/// 9: a vowelless token with a bare `C` (`KCST`) is an acronym, with no skeleton key.
/// 10: the proposals of every token of some row (`token_proposal_offsets`, `token_proposals`).
/// 11: Latin spellings also keyed with an S between vowels read as Z (`JOSEPH` ~ `JWZYF`).
/// 12: `ABU X` also glued as `BUX`, `BOUX` (`BUKHATTALAH`).
/// 13: short names keyed as an abjad script writes them (`ALI` ~ `LY`, as علي; `TAHA` ~ `TH`, as طه).
/// 14: Latin spellings also keyed with W and a final Ў read as V (`FADWI` ~ `FADAVI`, `NAUMAU` ~ `NAUMOV`).
/// 15: given names propose their Russian, Ukrainian and Belarusian forms (`MYKOLA` ~ `NIKOLAI`), and Muhammad its
/// short forms (`MOHD`, `MD`).
/// 16: Mandarin names keyed in one spelling for pinyin and Wade-Giles (`XU` ~ `HSU`, `JIAN` ~ `CHIEN`).
/// 17: Russian given names also in the romanisations that write J for Й, Я, Ю, Е (`SERGEJ`, `JURIJ`, `JELENA`).
/// 18: Latin spellings also keyed in their Cyrillic reading (`GASANOV` ~ `HASANOV`, `DZHAMAL` ~ `JAMAL`).
/// 19: the reading takes a surname's Uzbek X as H (`XOLMATOV` ~ `KHOLMATOV`).
/// 20: a Greek name's passport form as Greek passports write it (`Πούτιν` -> `POUTIN`, ELOT 743).
/// 21: an Armenian name's passport form as Armenia's passports write it (`Ռուբեն` -> `RUBEN`).
/// 22: kana words romanised whole (`きょうこ` -> `KYOUKO`, passport form `KYOKO`), not kana by kana.
/// 23: vowelless tokens also keyed with W read as V (`JWD` ~ `JAVAD`, as Persian reads و); a Hebrew name's
/// passport form (`ו` as W, a word's first `ב`, `פ` as B, P, `צ` as TZ).
/// 24: vowelless tokens also keyed with Q read as G and ZH as J (`QSM` ~ `GHASEM`, `HMDYNZHD` ~ `AHMADINEJAD`).
/// 25: a name with katakana has two more forms, read back as a foreign name's (`OSAMA BIN LADIN`).
/// 26: vowelless tokens also keyed with V read as B (`RVYN` ~ `RABIN`, as Hebrew ב is often spelt).
/// 27: theophoric compounds compared by the parts that tell them apart (`ABDELKARIM` ~ `ABDELKADER` no longer
/// related), which the stored proposals hold.
/// 28: a name in Greek letters also indexed as a foreign name read back (`ΝΤ` as D: `Βλαντίμιρ` -> `VLADIMIR`).
/// 29: the sketches mark patronymics, compared in full with each other (`VOLODYMYROVYCH` ~ `VLADIMIROVICH`).
/// 30: Persian `MUHAMMAD` compounds told apart as the theophoric ones (`MOHAMMADALI` ~ `MOHAMMADREZA` no longer related).
/// 31: a `MUHAMMAD` compound no longer related to `MUHAMMAD` alone (`MOHAMMADHASSAN` ~ `MOHAMMAD`).
/// 32: Persian `ALI` compounds (`ALIREZA`) no longer related to `ALI` alone.
/// 33: two numbers never related (`FOURTH` ~ `FOURTEENTH`); compound and long legal forms set aside whole; place
///     words (`IRAN`, `TEHRAN`) weigh as trade words.
const FORMAT_VERSION: u32 = 33;
const BYTE_ORDER_MARK: u32 = 0x0102_0304;
const HEADER_LEN: usize = 56;
const TABLE_ENTRY: usize = 24;
const KEY_TABLES: [&str; 6] = ["token_ids", "phonetic_keys", "deletion_keys", "skeleton_keys", "abjad_skeleton_keys", "prefix_keys"];
const SECTIONS: [&str; 38] = [
    "row_owner", "row_name", "row_offsets", "row_tokens", "row_glued_offsets", "row_glued", "token_text_offsets", "token_text",
    "spelling_offsets", "spelling_rows", "posting_offsets", "posting_spellings",
    "token_ids.keys", "token_ids.offsets", "token_ids.ids", "token_ids.directory",
    "phonetic_keys.keys", "phonetic_keys.offsets", "phonetic_keys.ids", "phonetic_keys.directory",
    "deletion_keys.keys", "deletion_keys.offsets", "deletion_keys.ids", "deletion_keys.directory",
    "skeleton_keys.keys", "skeleton_keys.offsets", "skeleton_keys.ids", "skeleton_keys.directory",
    "abjad_skeleton_keys.keys", "abjad_skeleton_keys.offsets", "abjad_skeleton_keys.ids", "abjad_skeleton_keys.directory",
    "prefix_keys.keys", "prefix_keys.offsets", "prefix_keys.ids", "prefix_keys.directory",
    "token_proposal_offsets", "token_proposals",
];

fn align8(n: usize) -> usize {
    (n + 7) & !7
}

fn invalid(path: &Path, what: impl std::fmt::Display) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, format!("{}: not a valid name index file: {what}", path.display()))
}

fn big_endian_unsupported() -> io::Result<()> {
    if cfg!(target_endian = "big") {
        return Err(io::Error::new(io::ErrorKind::Unsupported, "name index files are little-endian; this host is big-endian"));
    }
    Ok(())
}

/// `offsets` has `count + 1` entries, from 0, never decreasing, up to `total`.
fn check_offsets(name: &str, offsets: &[u32], count: usize, total: usize) -> Result<(), String> {
    if offsets.len() != count + 1 {
        return Err(format!("section {name} has {} entries, expected {}", offsets.len(), count + 1));
    }
    if offsets[0] != 0 || offsets[count] as usize != total {
        return Err(format!("section {name} runs from {} to {}, expected 0 to {total}", offsets[0], offsets[count]));
    }
    if let Some(i) = offsets.par_windows(2).position_first(|w| w[0] > w[1]) {
        return Err(format!("section {name} decreases at entry {}", i + 1));
    }
    Ok(())
}

/// Every value of `ids` is below `bound`.
fn check_ids(name: &str, ids: &[u32], bound: usize) -> Result<(), String> {
    if let Some(i) = ids.par_iter().position_first(|&id| id as usize >= bound) {
        return Err(format!("section {name}: value {} at entry {i} is out of range (must be below {bound})", ids[i]));
    }
    Ok(())
}

impl KeyTable {
    fn sections(&self) -> [&[u8]; 4] {
        [self.keys.as_bytes(), self.offsets.as_bytes(), self.ids.as_bytes(), self.directory.as_bytes()]
    }

    /// Checks a mapped table against a dictionary of `tokens` tokens; derives its shift.
    fn validated(name: &str, keys: Array<u64>, offsets: Array<u32>, ids: Array<u32>, directory: Array<u32>, tokens: usize) -> Result<KeyTable, String> {
        check_offsets(&format!("{name}.offsets"), &offsets, keys.len(), ids.len())?;
        check_ids(&format!("{name}.ids"), &ids, tokens)?;
        let buckets = directory.len().saturating_sub(1);
        if !buckets.is_power_of_two() || !(2..=1usize << 32).contains(&buckets) {
            return Err(format!("section {name}.directory has {} entries, not a power of two plus one", directory.len()));
        }
        check_offsets(&format!("{name}.directory"), &directory, buckets, keys.len())?;
        let shift = 64 - buckets.trailing_zeros();
        // a key outside its bucket would only be missed by lookups, but is a sign of a bad file
        if let Some(i) = (0..buckets).into_par_iter().find_first(|&b| {
            keys[directory[b] as usize..directory[b + 1] as usize].iter().any(|&k| (k >> shift) as usize != b)
        }) {
            return Err(format!("section {name}.keys: a key of bucket {i} is misplaced"));
        }
        Ok(KeyTable { keys, offsets, ids, directory, shift })
    }
}

impl NameIndex {
    /// The [`name_fingerprint`] of the names and owners the index was built from.
    pub fn fingerprint(&self) -> u64 {
        self.fingerprint
    }

    /// Whether the big arrays are borrowed from a memory-mapped file ([`NameIndex::load`]).
    pub fn is_mapped(&self) -> bool {
        self.row_tokens.is_mapped()
    }

    /// Writes the index to `path` (format above): to a temporary file in the same directory,
    /// fsynced, then renamed over `path`, and the directory fsynced, so that `path` never holds a
    /// half-written index. The temporary file's name ends in `.tmp`.
    pub fn save(&self, path: impl AsRef<Path>) -> io::Result<()> {
        big_endian_unsupported()?;
        let path = path.as_ref();
        let (mut text_offsets, mut text): (Vec<u32>, Vec<u8>) = (Vec::with_capacity(self.tokens.len() + 1), Vec::new());
        text_offsets.push(0);
        for t in &self.tokens {
            text.extend_from_slice(t.text.as_bytes());
            text_offsets.push(u32::try_from(text.len()).map_err(|_| io::Error::other("token texts exceed 4 GiB"))?);
        }
        let text_offsets = Array::from(text_offsets);
        let mut sections: Vec<&[u8]> = vec![
            self.row_owner.as_bytes(),
            self.row_name.as_bytes(),
            self.row_offsets.as_bytes(),
            self.row_tokens.as_bytes(),
            self.row_glued_offsets.as_bytes(),
            self.row_glued.as_bytes(),
            text_offsets.as_bytes(),
            &text,
            self.spelling_offsets.as_bytes(),
            self.spelling_rows.as_bytes(),
            self.posting_offsets.as_bytes(),
            self.posting_spellings.as_bytes(),
        ];
        for t in self.key_tables() {
            sections.extend(t.sections());
        }
        sections.extend([self.token_proposal_offsets.as_bytes(), self.token_proposals.as_bytes()]);
        debug_assert_eq!(sections.len(), SECTIONS.len());
        let sums: Vec<u64> = sections.par_iter().map(|s| checksum(s)).collect();
        let mut table = Vec::with_capacity(sections.len() * TABLE_ENTRY);
        let mut at = align8(HEADER_LEN + sections.len() * TABLE_ENTRY);
        for (s, sum) in sections.iter().zip(&sums) {
            table.extend_from_slice(&(at as u64).to_le_bytes());
            table.extend_from_slice(&(s.len() as u64).to_le_bytes());
            table.extend_from_slice(&sum.to_le_bytes());
            at = align8(at + s.len());
        }
        let mut header = Vec::with_capacity(HEADER_LEN);
        header.extend_from_slice(MAGIC);
        header.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
        header.extend_from_slice(&BYTE_ORDER_MARK.to_le_bytes());
        header.extend_from_slice(&(self.names as u64).to_le_bytes());
        header.extend_from_slice(&(self.entries as u64).to_le_bytes());
        header.extend_from_slice(&self.fingerprint.to_le_bytes());
        header.extend_from_slice(&(sections.len() as u32).to_le_bytes());
        header.extend_from_slice(&0u32.to_le_bytes());
        let sum = checksum(&[&header[..], &table[..]].concat());
        header.extend_from_slice(&sum.to_le_bytes());

        let dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => std::path::PathBuf::from("."),
        };
        let file_name = path.file_name().ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, format!("{}: not a file path", path.display())))?;
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
        let tmp = dir.join(format!(".{}.{}.{nanos}.tmp", file_name.to_string_lossy(), std::process::id()));
        let write = || -> io::Result<()> {
            let file = std::fs::OpenOptions::new().write(true).create_new(true).open(&tmp)?;
            let mut w = io::BufWriter::with_capacity(1 << 20, file);
            w.write_all(&header)?;
            w.write_all(&table)?;
            let mut written = HEADER_LEN + table.len();
            for s in &sections {
                w.write_all(&[0u8; 8][..align8(written) - written])?;
                written = align8(written);
                w.write_all(s)?;
                written += s.len();
            }
            let file = w.into_inner().map_err(|e| e.into_error())?;
            file.sync_all()?;
            drop(file);
            std::fs::rename(&tmp, path)?;
            #[cfg(unix)]
            std::fs::File::open(&dir)?.sync_all()?;
            Ok(())
        };
        write().inspect_err(|_| {
            let _ = std::fs::remove_file(&tmp);
        })
    }

    fn key_tables(&self) -> [&KeyTable; 6] {
        [&self.token_ids, &self.phonetic_keys, &self.deletion_keys, &self.skeleton_keys, &self.abjad_skeleton_keys, &self.prefix_keys]
    }

    /// Maps an index file written by [`NameIndex::save`]. The arrays stay in the map (not copied);
    /// the token dictionary is rebuilt from its texts (in parallel). Everything is checked first:
    /// magic, version, byte order, header checksum, section bounds and alignment, every section's
    /// checksum, offsets (from 0, non-decreasing, ending at their array's length), ids (below their
    /// counts), glued spans (within their row), UTF-8 of the texts. A damaged file gives an
    /// `InvalidData` error that says what is wrong.
    ///
    /// The file must not be modified in place while the index lives (replace it by rename, as
    /// `save` does).
    pub fn load(path: impl AsRef<Path>) -> io::Result<NameIndex> {
        big_endian_unsupported()?;
        let path = path.as_ref();
        let file = std::fs::File::open(path)?;
        let size = file.metadata()?.len();
        if size < HEADER_LEN as u64 {
            return Err(invalid(path, format!("truncated: {size} bytes, the header alone takes {HEADER_LEN}")));
        }
        // Safety: read-only map of a file that index writers only ever replace by rename.
        let map = Arc::new(unsafe { memmap2::Mmap::map(&file)? });
        drop(file);
        Self::from_map(map).map_err(|e| invalid(path, e))
    }

    fn from_map(map: Arc<memmap2::Mmap>) -> Result<NameIndex, String> {
        let bytes: &[u8] = &map;
        let u32_at = |at: usize| u32::from_le_bytes(bytes[at..at + 4].try_into().expect("4 bytes"));
        let u64_at = |at: usize| u64::from_le_bytes(bytes[at..at + 8].try_into().expect("8 bytes"));
        if &bytes[..8] != MAGIC {
            return Err(format!("bad magic {:?} (expected {:?})", String::from_utf8_lossy(&bytes[..8]), "IDXNAME1"));
        }
        if u32_at(8) != FORMAT_VERSION {
            return Err(format!("format version {} (this build reads version {FORMAT_VERSION})", u32_at(8)));
        }
        if u32_at(12) != BYTE_ORDER_MARK {
            return Err(format!("byte-order mark {:#010x} (expected {BYTE_ORDER_MARK:#010x}: written with another byte order, or damaged)", u32_at(12)));
        }
        let count = u32_at(40) as usize;
        if count != SECTIONS.len() {
            return Err(format!("{count} sections (expected {})", SECTIONS.len()));
        }
        let table_end = HEADER_LEN + count * TABLE_ENTRY;
        if bytes.len() < table_end {
            return Err(format!("truncated: {} bytes, the header and section table take {table_end}", bytes.len()));
        }
        let sum = checksum(&[&bytes[..48], &bytes[HEADER_LEN..table_end]].concat());
        if sum != u64_at(48) {
            return Err(format!("header checksum mismatch (stored {:#018x}, computed {sum:#018x}): the header or section table is damaged", u64_at(48)));
        }
        let names = usize::try_from(u64_at(16)).map_err(|_| "name count out of range".to_string())?;
        let entries = usize::try_from(u64_at(24)).map_err(|_| "entry count out of range".to_string())?;
        let fingerprint = u64_at(32);
        if entries > names {
            return Err(format!("{entries} entries for {names} names"));
        }
        // sections: bounds, alignment, checksums
        let mut spans = Vec::with_capacity(count);
        let mut end_of_previous = table_end;
        for (i, name) in SECTIONS.iter().enumerate() {
            let at = HEADER_LEN + i * TABLE_ENTRY;
            let (offset, len, sum) = (u64_at(at), u64_at(at + 8), u64_at(at + 16));
            let (offset, len) = match (usize::try_from(offset), usize::try_from(len)) {
                (Ok(o), Ok(l)) => (o, l),
                _ => return Err(format!("section {name} is out of range")),
            };
            if offset % 8 != 0 || offset < end_of_previous {
                return Err(format!("section {name} at offset {offset}: not 8-byte aligned, or overlaps what precedes it"));
            }
            match offset.checked_add(len) {
                Some(end) if end <= bytes.len() => end_of_previous = end,
                _ => {
                    return Err(format!(
                        "truncated: section {name} needs bytes {offset}..{} but the file has {}",
                        offset as u128 + len as u128,
                        bytes.len()
                    ))
                }
            }
            spans.push((offset, len, sum));
        }
        if let Some(i) = spans.par_iter().position_first(|&(o, l, sum)| checksum(&bytes[o..o + l]) != sum) {
            return Err(format!("section {} is damaged (checksum mismatch)", SECTIONS[i]));
        }
        let mut next = 0usize;
        macro_rules! section {
            () => {{
                let (o, l, _) = spans[next];
                let name = SECTIONS[next];
                next += 1;
                Array::mapped(&map, o, l).map_err(|e| format!("section {name}: {e}"))?
            }};
        }
        let row_owner: Array<u32> = section!();
        let row_name: Array<u32> = section!();
        let row_offsets: Array<u32> = section!();
        let row_tokens: Array<u32> = section!();
        let row_glued_offsets: Array<u32> = section!();
        let row_glued: Array<Glued> = section!();
        let text_offsets: Array<u32> = section!();
        let text: Array<u8> = section!();
        let spelling_offsets: Array<u32> = section!();
        let spelling_rows: Array<u32> = section!();
        let posting_offsets: Array<u32> = section!();
        let posting_spellings: Array<u32> = section!();
        let mut raw_tables = Vec::with_capacity(KEY_TABLES.len());
        for _ in KEY_TABLES {
            let keys: Array<u64> = section!();
            let offsets: Array<u32> = section!();
            let ids: Array<u32> = section!();
            let directory: Array<u32> = section!();
            raw_tables.push((keys, offsets, ids, directory));
        }
        let token_proposal_offsets: Array<u32> = section!();
        let token_proposals: Array<Proposal> = section!();
        debug_assert_eq!(next, SECTIONS.len());

        // the token dictionary
        if text_offsets.is_empty() {
            return Err("section token_text_offsets is empty".into());
        }
        let n_tokens = text_offsets.len() - 1;
        check_offsets("token_text_offsets", &text_offsets, n_tokens, text.len())?;
        let text = std::str::from_utf8(&text).map_err(|e| format!("section token_text is not UTF-8: {e}"))?;
        if let Some(i) = text_offsets.par_iter().position_first(|&o| !text.is_char_boundary(o as usize)) {
            return Err(format!("section token_text_offsets: entry {i} splits a character"));
        }
        // rows
        let rows = row_owner.len();
        if row_name.len() != rows {
            return Err(format!("section row_name has {} entries for {rows} rows", row_name.len()));
        }
        check_ids("row_name", &row_name, names)?;
        if let Some(r) = row_name.par_windows(2).position_first(|w| w[0] > w[1]) {
            return Err(format!("section row_name: rows {r} and {} are not in name order", r + 1));
        }
        check_offsets("row_offsets", &row_offsets, rows, row_tokens.len())?;
        check_ids("row_tokens", &row_tokens, n_tokens)?;
        check_offsets("row_glued_offsets", &row_glued_offsets, rows, row_glued.len())?;
        if let Some(r) = (0..rows).into_par_iter().find_first(|&r| {
            let width = (row_offsets[r + 1] - row_offsets[r]) as usize;
            row_glued[row_glued_offsets[r] as usize..row_glued_offsets[r + 1] as usize]
                .iter()
                .any(|g| g.token as usize >= n_tokens || g.first > g.last || g.last as usize >= width)
        }) {
            return Err(format!("section row_glued: a span of row {r} is out of range"));
        }
        // spellings: none (not gathered: spelling s is row s), or each of one row or more, ascending,
        // all the rows between them
        let n_spellings = if spelling_offsets.is_empty() && spelling_rows.is_empty() {
            rows
        } else {
            if spelling_offsets.is_empty() {
                return Err("section spelling_offsets is empty but spelling_rows is not".into());
            }
            let n = spelling_offsets.len() - 1;
            if spelling_rows.len() != rows {
                return Err(format!("section spelling_rows has {} entries for {rows} rows", spelling_rows.len()));
            }
            check_offsets("spelling_offsets", &spelling_offsets, n, rows)?;
            if let Some(s) = (0..n).into_par_iter().find_first(|&s| {
                let p = &spelling_rows[spelling_offsets[s] as usize..spelling_offsets[s + 1] as usize];
                p.is_empty() || p.windows(2).any(|w| w[0] >= w[1]) || p.last().is_some_and(|&r| r as usize >= rows)
            }) {
                return Err(format!("section spelling_rows: the rows of spelling {s} are none, out of range or not ascending"));
            }
            n
        };
        // postings: spellings ascending within each token
        check_offsets("posting_offsets", &posting_offsets, n_tokens, posting_spellings.len())?;
        if let Some(t) = (0..n_tokens).into_par_iter().find_first(|&t| {
            let p = &posting_spellings[posting_offsets[t] as usize..posting_offsets[t + 1] as usize];
            p.windows(2).any(|w| w[0] >= w[1]) || p.last().is_some_and(|&s| s as usize >= n_spellings)
        }) {
            return Err(format!("section posting_spellings: the spellings of token {t} are out of range or not ascending"));
        }
        let mut tables = Vec::with_capacity(KEY_TABLES.len());
        for (name, (keys, offsets, ids, directory)) in KEY_TABLES.iter().zip(raw_tables) {
            tables.push(KeyTable::validated(name, keys, offsets, ids, directory, n_tokens)?);
        }
        let tokens: Vec<Token> = (0..n_tokens)
            .into_par_iter()
            .map(|t| Token::new(&text[text_offsets[t] as usize..text_offsets[t + 1] as usize]))
            .collect();
        let Ok([token_ids, phonetic_keys, deletion_keys, skeleton_keys, abjad_skeleton_keys, prefix_keys]) = <[KeyTable; 6]>::try_from(tables) else {
            unreachable!("six key tables")
        };
        let facts = token_facts(&tokens, &posting_offsets, &posting_spellings, &spelling_offsets, &row_tokens);
        // proposals: per token, of dictionary tokens (their evidence is only added up and ranked)
        check_offsets("token_proposal_offsets", &token_proposal_offsets, n_tokens, token_proposals.len())?;
        if let Some(i) = token_proposals.par_iter().position_first(|p| p.0 as usize >= n_tokens) {
            return Err(format!("section token_proposals: token {} at entry {i} is out of range (must be below {n_tokens})", token_proposals[i].0));
        }
        let index = NameIndex {
            proposal_caches: [ProposalCache::new(), ProposalCache::new()],
            row_owner,
            name_rows: name_row_offsets(&row_name, names),
            row_name,
            row_offsets,
            row_tokens,
            row_glued_offsets,
            row_glued,
            spelling_offsets,
            spelling_rows,
            tokens,
            token_proposal_offsets,
            token_proposals,
            facts,
            token_ids,
            posting_offsets,
            posting_spellings,
            phonetic_keys,
            deletion_keys,
            skeleton_keys,
            abjad_skeleton_keys,
            prefix_keys,
            names,
            entries,
            fingerprint,
        };
        index.prefer_huge_pages();
        Ok(index)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::names::prepare_forms;

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

    /// An index of `names`, each its own owner.
    fn index_of(names: &[String]) -> NameIndex {
        let owners: Vec<u32> = (0..names.len() as u32).collect();
        NameIndex::build(names, &owners)
    }

    /// `n` distinct names that look alike: `name` of four stems, each then with one X more
    /// (`ANA`, `LUIS`, ..., `ANAX`, ...), the crowd a test's one name must stand out from.
    fn crowd(n: usize, stems: [&str; 4], name: impl Fn(&str) -> String) -> Vec<String> {
        (0..n).map(|i| name(&(stems[i % 4].to_string() + &"X".repeat(i / 4)))).collect()
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
        assert_eq!(idx.search("John Smith", 1, 50, 0.0).len(), 1);
        // `Smith` is as far from John Smith as from Jane Smith: the tie is kept past the limit
        assert_eq!(idx.search("Smith", 1, 50, 0.0).iter().map(|h| h.0).collect::<Vec<_>>(), vec![2, 3]);
    }

    #[test]
    fn more_equal_names_than_candidates_are_all_candidates() {
        let mut names: Vec<String> = vec!["John Smith".into(); 150];
        names.extend(["John Smithson", "Johan Smith"].map(String::from));
        let idx = index_of(&names);
        let rows = idx.candidate_rows(&NameIndex::blocking_tokens(&prepare_forms("John Smith")), 100);
        assert_eq!(rows.len(), 150, "all the equal names, and only them");
        assert!(rows.iter().all(|&r| r < 150));
        assert_eq!(idx.search("John Smith", 3, 100, 0.0).len(), 150);
        // no row agrees with the whole name: the two agreeing with both words, and not the 150 that
        // tie on one (`JOHAN` ~ `JOHN`; `SMITHSON` does not propose `SMITH`), which the bound would split
        assert_eq!(idx.candidate_rows(&NameIndex::blocking_tokens(&prepare_forms("Johan Smithson")), 100), vec![150, 151]);
        assert_eq!(idx.candidate_rows(&NameIndex::blocking_tokens(&prepare_forms("Johan Smithson")), 200).len(), 152, "they fit");
        // a token met nowhere (`Xqzvw`): the rows holding the other one tie, below full agreement,
        // more of them than the bound, agreeing with one word only: none is chosen over the others
        let partial = idx.candidate_rows(&NameIndex::blocking_tokens(&prepare_forms("John Xqzvw")), 100);
        assert!(partial.is_empty(), "{} rows", partial.len());
        assert_eq!(with_the_top_tie(&[(0, 2.0, false), (1, 1.0, false), (2, 1.0, false)], 1, 2.0), 1);
        assert_eq!(with_the_top_tie(&[(0, 2.0, false), (1, 2.0, false), (2, 1.0, false)], 1, 2.0), 2);
        assert_eq!(with_the_top_tie(&[(0, 2.0, false), (1, 2.0, false), (2, 1.0, false)], 1, 3.0), 1, "not all the evidence");
        assert_eq!(with_the_top_tie(&vec![(0, 1.0, false); 5_000], 100, 1.0), MAX_TIED_AT_TOP);
    }

    #[test]
    fn a_weak_tie_at_the_bound_is_left_out_whole() {
        // three rows tied at 2.0, agreeing with one word of the query only
        let weak = [(7, 3.0, false), (2, 2.0, true), (5, 2.0, true), (9, 2.0, true), (1, 1.0, true)];
        assert_eq!(candidates_kept(&weak, 2, 5.0), 1, "the tie does not fit");
        assert_eq!(candidates_kept(&weak, 3, 5.0), 1);
        assert_eq!(candidates_kept(&weak, 4, 5.0), 4, "it fits");
        assert_eq!(candidates_kept(&weak, 10, 5.0), 5);
        assert_eq!(candidates_kept(&weak, 1, 5.0), 1);
        assert_eq!(candidates_kept(&weak[1..], 2, 5.0), 0, "nothing but the tie");
        assert_eq!(candidates_kept(&weak[1..], 2, 2.0), 3, "a tie holding all the evidence is kept");
        assert_eq!(candidates_kept(&[], 2, 2.0), 0);
        assert_eq!(candidates_kept(&weak, 0, 5.0), 0);
        // agreeing with more than one word (or one row of the tie does): cut as before
        let strong = weak.map(|(r, e, _)| (r, e, false));
        assert_eq!(candidates_kept(&strong, 2, 5.0), 2);
        let mixed = [(7, 3.0, false), (2, 2.0, true), (5, 2.0, false), (9, 2.0, true)];
        assert_eq!(candidates_kept(&mixed, 2, 5.0), 2);
    }

    #[test]
    fn names_tied_with_the_last_hit_are_kept_past_the_limit() {
        let mut names: Vec<String> = vec!["John Smith".into(); 40];
        names.push("Jon Smyth".into());
        let idx = index_of(&names);
        let hits = idx.search("John Smith", 3, 100, 0.0);
        assert_eq!(hits.len(), 40, "the 40 equal names, not the lesser one");
        assert!(hits.iter().all(|h| h.2 == 1.0) && hits.windows(2).all(|w| w[0].0 < w[1].0));
        assert_eq!(idx.search("Jon Smyth", 3, 100, 0.0)[0].0, 40);
        assert_eq!(through_ties(&[(0, 0, 0.9), (1, 1, 0.8), (2, 2, 0.8), (3, 3, 0.7)], 2), 3);
        assert_eq!(through_ties(&[(0, 0, 0.9), (1, 1, 0.8)], 5), 2);
        assert_eq!(through_ties(&[(0, 0, 0.9)], 0), 0);
    }

    #[test]
    fn the_proposal_cache_keeps_the_tokens_in_use_when_it_fills() {
        let cache = ProposalCache::new();
        let per_shard = PROPOSAL_CACHE_TOKENS / PROPOSAL_CACHE_SHARDS;
        let found = |i: u32| -> Arc<[Proposal]> { vec![Proposal(i, 1.0)].into() };
        cache.insert(&"KEPT".into(), found(7));
        // enough texts to fill every shard twice over: KEPT's shard starts two new generations
        for i in 0..(4 * PROPOSAL_CACHE_TOKENS) as u32 {
            cache.insert(&CompactString::from(format!("T{i}")), found(i));
            if i % (per_shard as u32 / 2) == 0 {
                assert_eq!(cache.get("KEPT").as_deref(), Some(&[Proposal(7, 1.0)][..]), "after {i}"); // met again: kept
            }
        }
        assert!(cache.get("T0").is_none(), "an old token not met again is dropped");
        let last = 4 * PROPOSAL_CACHE_TOKENS as u32 - 1;
        assert_eq!(cache.get(&format!("T{last}")).as_deref(), Some(&[Proposal(last, 1.0)][..]));
        for shard in cache.shards.iter() {
            let shard = shard.lock().unwrap();
            assert!(shard.current.len() <= per_shard && shard.previous.len() <= per_shard);
        }
    }

    #[test]
    fn a_listed_token_holds_the_proposals_it_would_have_worked_out() {
        let (names, owners) = synthetic(3000);
        let idx = NameIndex::build(&names, &owners);
        let mut listed = 0;
        for (id, t) in idx.tokens.iter().enumerate() {
            match idx.listed_proposals(t, false) {
                Some(found) => {
                    assert!(idx.facts[id].in_rows, "{}", t.text);
                    assert_eq!(found, &idx.work_out_proposals(t, false)[..], "{}", t.text);
                    listed += 1;
                }
                None => assert!(!idx.facts[id].in_rows, "{}: a token of some row has its proposals", t.text),
            }
            assert!(idx.listed_proposals(t, true).is_none(), "{}: a glued neighbour's are worked out", t.text);
        }
        // the glued keys alone (tokens of no row) hold none
        assert!(listed > 1000 && listed < idx.tokens.len(), "{listed} of {}", idx.tokens.len());
        // nor does a text not listed: worked out, then cached
        let unlisted = Token::new("QZXWVUT");
        assert!(idx.listed_proposals(&unlisted, false).is_none());
        assert!(matches!(idx.proposals(&unlisted, false), Proposals::WorkedOut(_)));
        assert!(idx.proposal_cache(false).get("QZXWVUT").is_some());
    }

    #[test]
    fn a_nickname_proposes_its_formal_name_among_many_sharing_the_surname() {
        // forty people named GARCIA, the formal name last: only the nickname relation sets it apart
        let mut names = crowd(40, ["ANA", "LUIS", "PEDRO", "ROSA"], |given| format!("{given} GARCIA"));
        names.push("WILLIAM GARCIA".to_string());
        let idx = index_of(&names);
        let q = &prepare_forms("BILL")[0][0];
        assert!(idx.proposals(q, false).iter().any(|p| idx.tokens[p.0 as usize].text == "WILLIAM"));
        let found = idx.candidates("Bill Garcia", 5);
        assert_eq!(names[found[0] as usize], "WILLIAM GARCIA", "{:?}", found.iter().map(|&i| &names[i as usize]).collect::<Vec<_>>());
    }

    #[test]
    fn usman_finds_the_row_written_in_arabic_script() {
        // forty people named GHANI: only ث read as S (عثمان, `THMN`, as USMAN) sets the one apart, from either side
        let mut names = crowd(40, ["ALI", "OMAR", "SAMI", "RAFI"], |given| format!("{given} GHANI"));
        names.push("عثمان غني".to_string());
        names.push("USMAN TARIQ".to_string());
        each_finds_its_row(&names, &[("USMAN GHANI", "عثمان غني"), ("عثمان طارق", "USMAN TARIQ")], 0.85);
    }

    /// Each (query, listed name): the listed name is among the query's first three candidates, and its best hit, above `min_score`.
    fn each_finds_its_row(names: &[String], pairs: &[(&str, &str)], min_score: f64) {
        let idx = index_of(names);
        for &(query, listed) in pairs {
            let found = idx.candidates(query, 3);
            assert!(found.iter().any(|&i| names[i as usize] == listed), "{query}: {:?}", found.iter().map(|&i| &names[i as usize]).collect::<Vec<_>>());
            let hits = idx.search(query, 1, 3, 0.0);
            assert!(names[hits[0].0 as usize] == listed && hits[0].2 > min_score, "{query}: {hits:?}");
        }
    }

    #[test]
    fn abu_glued_as_spoken_finds_the_row_that_writes_it_apart() {
        // forty people named AHMED: only ABU glued as BU (`BUKHATTALAH`) sets the one apart, from either side
        let mut names = crowd(40, ["KHALIL", "HATTAB", "TALAL", "KHATIB"], |surname| format!("AHMED {surname}"));
        names.push("AHMED ABU KHATTALAH".to_string());
        names.push("MOHAMED BOUZID".to_string());
        each_finds_its_row(&names, &[("AHMAD BUKHATTALAH", "AHMED ABU KHATTALAH"), ("MOHAMED ABOU ZID", "MOHAMED BOUZID")], 0.9);
    }

    #[test]
    fn w_read_as_v_finds_the_row_two_edits_away() {
        // forty people named ALI and VLADIMIR: only W and a final Ў read as V (`FADWI` ~ `FADAVI`,
        // Belarusian `NAUMAU` ~ Russian `NAUMOV`) set the one apart, from either side
        let mut names = crowd(40, ["HADI", "SAAD", "DAWI", "FAWAZ"], |surname| format!("ALI {surname}"));
        names.extend(crowd(40, ["NAUMKIN", "NAZAROV", "NAUMENKO", "NAUMAN"], |surname| format!("VLADIMIR {surname}")));
        names.push("ALI FADAVI".to_string());
        names.push("ULADZIMIR ULADZIMIRAVICH NAUMAU".to_string());
        names.push("ANDREI IPATOV".to_string());
        each_finds_its_row(
            &names,
            &[
                ("ALI FADWI", "ALI FADAVI"),
                ("VLADIMIR VLADIMIROVICH NAUMOV", "ULADZIMIR ULADZIMIRAVICH NAUMAU"),
                ("ANDREI IPATAU", "ANDREI IPATOV"),
            ],
            0.7,
        );
    }

    #[test]
    fn a_cyrillic_reading_finds_the_row_spelt_the_other_way() {
        // forty people named ALI and RASUL: only the Cyrillic reading (Russian Г for H, ДЖ as DZH, Ukrainian Г as
        // H) sets the one apart, from either side
        let mut names = crowd(40, ["ALIEV", "GAMZAEV", "HAMIDOV", "GASANOV"], |surname| format!("RASUL {surname}"));
        names.extend(crowd(40, ["HADI", "KHALIL", "JAMALI", "HAJI"], |surname| format!("ALI {surname}")));
        names.push("RASUL GADZHIEV".to_string());
        names.push("ALI DZHAMALOV".to_string());
        names.push("ANDRIY HRYHORENKO".to_string());
        each_finds_its_row(
            &names,
            &[("RASUL HAJIYEV", "RASUL GADZHIEV"), ("ALI JAMALOV", "ALI DZHAMALOV"), ("ANDRIY GRIGORENKO", "ANDRIY HRYHORENKO")],
            0.9,
        );
    }

    #[test]
    fn a_given_name_finds_the_row_of_its_form_in_another_language() {
        // forty PETRENKOs: only MYKOLA (Ukrainian) proposing NIKOLAI (Russian) sets the one apart
        let mut names = crowd(40, ["IVAN", "PAVEL", "ROMAN", "OLEG"], |given| format!("{given} PETRENKO"));
        names.push("NIKOLAI PETRENKO".to_string());
        names.push("SIARHEI KOVALENKO".to_string());
        names.extend(crowd(40, ["IVAN", "PAVEL", "ROMAN", "OLEG"], |given| format!("{given} KOVALENKO")));
        each_finds_its_row(&names, &[("MYKOLA PETRENKO", "NIKOLAI PETRENKO"), ("SERGEY KOVALENKO", "SIARHEI KOVALENKO")], 0.9);
    }

    #[test]
    fn a_short_name_finds_the_row_written_in_arabic_script() {
        // forty people named DURGHAM and TAHA: only the short names written as the script writes them
        // (`ALI` as علي, `LY`; `TAHA` as طه, `TH`), whose skeletons are too short to key, set the one apart
        let mut names = crowd(40, ["HASAN", "OMAR", "SAMI", "RAFI"], |middle| format!("MUHAMMAD {middle} DURGHAM"));
        names.extend(crowd(40, ["YASIN", "KAMAL", "NABIL", "ZIAD"], |surname| format!("TAHA {surname}")));
        names.push("MUHAMMAD ALI DURGHAM".to_string());
        names.push("طه طه".to_string());
        each_finds_its_row(&names, &[("محمد علي دورغام", "MUHAMMAD ALI DURGHAM"), ("TAHA TAHA", "طه طه")], 0.85);
    }

    #[test]
    fn a_whole_name_finds_the_row_written_in_arabic_script_without_spaces() {
        // forty people named MAHIR and a name written without spaces (as the EU list writes five):
        // only the query's tokens glued whole lead to it, with no birth date to propose it
        let mut names = crowd(40, ["BURHAN", "IMAM", "DIN", "ALI"], |surname| format!("MAHIR {surname}"));
        names.push("ماهربرهانالدينالإمام".to_string());
        each_finds_its_row(&names, &[("MAHIR BURHAN EDDINE AL IMAM", "ماهربرهانالدينالإمام")], 0.85);
        // a list whose rows are gathered into spellings (names borne by many), saved and loaded: every
        // bearer of the name found, and no row where the token is one of several
        let pattern = ["MAHIR BURHAN", "MAHIR IMAM", "ماهربرهانالدينالإمام", "ماهربرهانالدينالإمام ALI"];
        let names: Vec<String> = (0..400).map(|i| pattern[i % 4].to_string()).collect();
        let owners: Vec<u32> = (0..400).collect();
        let idx = NameIndex::build(&names, &owners);
        assert!(idx.spellings_gathered());
        let path = temp_path("whole-name");
        idx.save(&path).unwrap();
        let loaded = NameIndex::load(&path).unwrap();
        for index in [&idx, &loaded] {
            let hits = index.search("MAHIR BURHAN EDDINE AL IMAM", 400, 3, 0.85);
            // (`MAHIR BURHAN` rows score 0.87: half the name, a missing middle name costing little)
            let found: Vec<u32> = hits.iter().filter(|h| h.2 >= 0.9 - 1e-9).map(|h| h.0).collect();
            assert_eq!(found, (0..400).filter(|i| i % 4 == 2).collect::<Vec<u32>>(), "{hits:?}");
        }
        drop(loaded);
        let _ = std::fs::remove_dir_all(path.parent().unwrap());
    }

    #[test]
    fn joseph_finds_the_row_written_in_arabic_script() {
        // forty people named SUWAID: only the S read as Z (جوزيف, `JWZYF`, as JOSEPH) sets the one apart, from either side
        let mut names = crowd(40, ["JABIR", "JAFAR", "JAWAD", "JAMIL"], |given| format!("{given} SUWAID"));
        names.push("جوزيف سويد".to_string());
        names.push("ISABEL KHOURY".to_string());
        each_finds_its_row(&names, &[("JOSEPH SUWAID", "جوزيف سويد"), ("إيزابيل خوري", "ISABEL KHOURY")], 0.85);
    }

    #[test]
    fn a_name_that_glues_the_article_as_spoken_finds_the_row_that_writes_it_apart() {
        // sixty people named HASAN: only the glued article (JAMAL AL DIN ~ JAMALEDDINE) sets the one
        // apart, from either side
        let mut names = crowd(60, ["JAMALI", "KAMAL", "DINI", "SAFI"], |surname| format!("HASAN {surname}"));
        names.push("HASAN JAMAL AL DIN".to_string());
        names.push("ABDALLAH SAFIEDDINE".to_string());
        let idx = index_of(&names);
        for (query, listed) in [("HASSAN JAMALEDDINE", "HASAN JAMAL AL DIN"), ("ABDULLAH SAFI AL DIN", "ABDALLAH SAFIEDDINE")] {
            let found = idx.candidates(query, 3);
            assert_eq!(names[found[0] as usize], listed, "{query}: {:?}", found.iter().map(|&i| &names[i as usize]).collect::<Vec<_>>());
            let hits = idx.search(query, 1, 3, 0.0);
            assert!(hits[0].2 > 0.9, "{query}: {hits:?}");
        }
    }

    #[test]
    fn a_name_written_twice_ranks_the_row_that_holds_it_twice_first() {
        // forty rows hold ABDULLAH once (listed first, so a tie would rank them ahead): only the
        // second ABDULLAH of the query sets apart the row that holds it twice
        let mut names = crowd(40, ["KARIM", "YASIN", "OMAR", "HADI"], |surname| format!("ABDULLAH {surname}"));
        names.push("ABDULLAH ABDULLAH".to_string());
        let idx = index_of(&names);
        // (two spellings, `ABDALLAH ABDULLAH`, are two tokens proposing one: not told apart yet)
        for query in ["ABDULLAH ABDULLAH", "ABDALLAH ABDALLAH", "BDLLH BDLLH"] {
            let found = idx.candidates(query, 3);
            assert_eq!(names[found[0] as usize], "ABDULLAH ABDULLAH", "{query}: {:?}", found.iter().map(|&i| &names[i as usize]).collect::<Vec<_>>());
        }
    }

    #[test]
    fn an_inserted_or_dropped_letter_proposes_the_token() {
        // Only the deletion keys link these (no shared phonetic key or prefix): the token itself
        // must meet the other side's one-letter deletions.
        let names: Vec<String> = ["ZAHABIYA SHARIF", "JOHN SMITH"].iter().map(|s| s.to_string()).collect();
        let idx = NameIndex::build(&names, &[0, 1]);
        for query in ["ZKAHABIYA", "ZAHBIYA"] {
            let q = &prepare_forms(query)[0][0];
            assert!(idx.proposals(q, false).iter().any(|p| idx.tokens[p.0 as usize].text == "ZAHABIYA"), "{query}");
        }
    }

    #[test]
    fn glued_tokens_propose_only_what_the_alignment_can_join() {
        let names: Vec<String> = ["FARHAD MOHAMMADI", "MUHAMMAD IQBAL", "ABDUL RAHMAN", "ABDULRAHMAN YASIN"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let idx = NameIndex::build(&names, &[0, 1, 2, 3]);
        let proposed = |text: &str, glued: bool| -> Vec<String> {
            let mut found: Vec<String> = idx.proposals(&Token::new(text), glued).iter().map(|p| idx.tokens[p.0 as usize].text.to_string()).collect();
            found.sort();
            found
        };
        // a row's token written joined (the query glues ABDUL RAHMAN) ...
        assert!(proposed("ABDULRAHMAN", true).contains(&"ABDULRAHMAN".to_string()));
        // ... a row's glued key met by a query token (the query writes ABDULRAHMAN) ...
        assert!(proposed("ABDULRAHMAN", false).contains(&"ABDULRAHMAN".to_string()));
        // ... but not one glued text against another (the alignment never pairs them), nor a
        // token too short to be the two joined (MOHAMMAD IQBAL ~ MOHAMMADI)
        assert_eq!(proposed("MOHAMMADIQBAL", true), Vec::<String>::new());
        // and a query token meets a row's glued key only as its joined spelling
        assert!(!proposed("MOHAMMAD", false).contains(&"MUHAMMADIQBAL".to_string()));
        let first = idx.candidates("MOHAMMAD IQBAL", 10)[0];
        assert_eq!(first, 1, "MUHAMMAD IQBAL, not a row that only resembles the glued query");
    }

    #[test]
    fn skipping_candidates_that_cannot_reach_the_floor_changes_no_result() {
        let (names, owners) = synthetic(3_000);
        let idx = NameIndex::build(&names, &owners);
        let queries = ["Jon Smyth Rahman4", "Muhamad al Zawahiri", "Ayman Zawahri Smith", "Olga Petrov Ivanova", "Jurgen Muller Zhang7",
                       "Wei Zhang Zhng", "Acme Trading", "Marai Smit Petrova", "Osama Laden", "Abdulrahman Ivanov"];
        for q in queries {
            let all = idx.search(q, 1000, 200, 0.0);
            for floor in [0.5, 0.7, 0.8, 0.9] {
                let expected: Vec<_> = all.iter().copied().filter(|h| h.2 >= floor).collect();
                assert_eq!(idx.search(q, 1000, 200, floor), expected, "{q} at {floor}");
            }
        }
    }

    #[test]
    fn ranking_only_the_rows_met_once_no_other_can_enter_changes_no_ranking() {
        let (names, owners) = synthetic(3_000);
        let idx = NameIndex::build(&names, &owners);
        let queries = ["Jon Smyth Rahman4", "Muhamad al Zawahiri", "Ayman Zawahri Smith", "Olga Petrov Ivanova", "Jurgen Muller Zhang7",
                       "Wei Zhang Zhng", "Acme Trading", "Marai Smit Petrova", "Osama Laden", "Abdulrahman Ivanov", "John Smith",
                       "Maria Petrova", "Wei Zhang", "Mohammed Rahman", "Olga Ivanov 12", "Ivan Muller Smith"];
        let mut narrowed = 0;
        for q in queries {
            let tokens = NameIndex::blocking_tokens(&prepare_forms(q));
            let (all, _) = idx.rank_rows(&tokens, usize::MAX);
            for k in [1, 3, 10, 25, 50, 100, 200, 400] {
                let (top, narrow) = idx.rank_rows(&tokens, k);
                narrowed += narrow as usize;
                // in the same order (how many: candidates_kept, checked against ranking every row below)
                assert_eq!(top, all[..top.len()], "{q}, {k} candidates");
            }
        }
        assert!(narrowed >= 10, "the common surnames' rows were never left out: {narrowed}");
    }

    /// The ranking made the plain way, as before postings were per spelling: every row's evidence
    /// from its own tokens and glued keys, every row ranked (no spellings, nothing skipped).
    fn rank_every_row(idx: &NameIndex, query_tokens: &[Vec<(Token, bool)>], max_candidates: usize) -> Vec<u32> {
        let (lists, _, full) = idx.proposal_lists(query_tokens);
        let by_evidence = |a: &Ranked, b: &Ranked| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0));
        let several_words = has_several_words(query_tokens);
        let mut ranked: Vec<Ranked> = Vec::new();
        for row in 0..idx.row_count() as u32 {
            let keys: Vec<u32> = idx.tokens_of(row).iter().copied().chain(idx.glued_of(row).iter().map(|g| g.token)).collect();
            let (mut sum, mut met, mut agreed) = (0.0f32, false, 0);
            for (found, repeated) in &lists {
                let Some(&Proposal(_, w)) = found.iter().find(|p| keys.contains(&p.0)) else { continue };
                if *repeated {
                    let proposed: Vec<u32> = found.iter().map(|p| p.0).collect();
                    if !met || idx.tokens_of(row).iter().filter(|t| proposed.contains(t)).count() < 2 {
                        continue;
                    }
                }
                sum += w;
                met = true;
                agreed += 1;
            }
            if met {
                ranked.push((row, sum as f64, several_words && agreed < 2));
            }
        }
        ranked.sort_unstable_by(by_evidence);
        ranked.truncate(candidates_kept(&ranked, max_candidates, full));
        ranked.into_iter().map(|(row, ..)| row).collect()
    }

    #[test]
    fn ranking_by_spelling_ranks_the_rows_as_ranking_every_row_does() {
        // a national list: the same few names borne by many people (12 x 10 x 10 spellings for
        // 4,000 names), with some names written twice and some glued
        let (mut names, mut owners) = synthetic(3_000);
        for n in names.iter_mut() {
            n.truncate(n.trim_end_matches(|c: char| c.is_ascii_digit()).len());
        }
        let extra = ["Abdullah Abdullah", "Abdul Rahman Smith", "Abdulrahman Smith", "Jamal al Din Rahman", "John Smith"];
        for i in 0..1_000 {
            names.push(extra[i % extra.len()].to_string());
            owners.push(1_500 + i as u32);
        }
        let national = NameIndex::build(&names, &owners);
        assert!(national.spellings_gathered() && national.spelling_count() < 1_400, "{} spellings", national.spelling_count());
        // and a list whose names are nearly all spelt their own way: rows are not gathered
        let (names, owners) = synthetic(3_000);
        let distinct = NameIndex::build(&names, &owners);
        assert!(!distinct.spellings_gathered() && distinct.spelling_count() == distinct.row_count());
        let queries = ["John Smith", "Jon Smyth Rahman", "Muhamad al Zawahiri", "Ayman Zawahri Smith", "Olga Petrov Ivanova", "Wei Zhang",
                       "Abdullah Abdullah", "Abdulrahman Smith", "Jamaleddine Rahman", "Maria Xqzvw", "Acme Trading", "Ivan Muller Smith"];
        for idx in [&national, &distinct] {
            for q in queries {
                let tokens = NameIndex::blocking_tokens(&prepare_forms(q));
                for k in [1, 3, 10, 25, 100, 400, 5_000] {
                    assert_eq!(idx.candidate_rows(&tokens, k), rank_every_row(idx, &tokens, k), "{q}, {k} candidates");
                }
            }
        }
    }

    #[test]
    fn extra_names_are_scored_and_kept_past_the_limit() {
        // 400 people share the given name; the one born on the passenger's date is far down the ranking
        let mut names: Vec<String> = (0..400).map(|i| format!("Mohammad Karimi{}", to_letters(i))).collect();
        names.push("Mohammad Qasimi".into());
        names.push("Mohammad Qasimi Gul".into()); // another name of the same entry
        // and a few sharing the surname, whom the index ranks first
        names.extend((0..3).map(|i| format!("Zahidi Karimi{}", to_letters(i))));
        let owners: Vec<u32> = (0..400).chain([400, 400]).chain(401..404).collect();
        let idx = NameIndex::build(&names, &owners);
        let query = "Mohammad Zahidi";
        let plain = idx.search(query, 5, 10, 0.3);
        assert!(!plain.is_empty() && plain.iter().all(|h| h.0 != 400), "{plain:?}");
        let with = idx.search_with(query, &[400, 401], 5, 10, 0.3);
        let others: Vec<_> = with.iter().copied().filter(|h| h.0 != 400).collect();
        assert_eq!(others, plain, "the index's hits are kept as they were");
        let found: Vec<_> = with.iter().filter(|h| h.0 == 400).collect();
        assert_eq!(found.len(), 1, "one hit per owner: {with:?}");
        let best = [400u32, 401].map(|n| compare_rows(&idx, query, n));
        assert_eq!(found[0].2, best[0].max(best[1]), "scored as the alignment scores it");
        assert!(with.windows(2).all(|w| w[0].2 >= w[1].2), "best first");
        // below the floor, an extra name is not kept
        assert!(idx.search_with(query, &[400, 401], 5, 10, 0.99).iter().all(|h| h.0 != 400));
        // a batch with a list per query, spawned or not
        let queries = vec![query.to_string(), "Mohammad Karimiab".to_string()];
        let extras = vec![vec![400, 401], vec![]];
        let batch = idx.search_batch_with(&queries, &extras, 5, 10, &[0.3, 0.3]);
        assert_eq!(batch, vec![with.clone(), idx.search(&queries[1], 5, 10, 0.3)]);
        let (sender, receiver) = std::sync::mpsc::channel();
        Arc::new(idx).search_batch_spawned(queries, extras, 5, 10, vec![0.3, 0.3], move |found| sender.send(found).unwrap());
        assert_eq!(receiver.recv().unwrap(), Some(batch));
    }

    fn to_letters(mut i: usize) -> String {
        let mut out = String::new();
        loop {
            out.push((b'a' + (i % 26) as u8) as char);
            i /= 26;
            if i == 0 {
                return out;
            }
        }
    }

    fn compare_rows(idx: &NameIndex, query: &str, name: u32) -> f64 {
        idx.compare_with_name(query, name, "").score
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
                assert!(idx.spellings_of(t).iter().any(|&s| if idx.spellings_gathered() { idx.rows_of_spelling(s).contains(&r) } else { s == r }));
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
    fn a_spawned_batch_gives_what_the_batch_search_gives_once() {
        let (names, owners) = synthetic(3_000);
        let index = Arc::new(NameIndex::build(&names, &owners));
        // a batch cut into jobs with a short last one, a small batch cut finer, a lone query, none
        let queries: Vec<String> = names.iter().step_by(11).take(8 * SPAWNED_PIECE + 5).map(|n| format!("{n}x")).collect();
        let floors: Vec<f64> = (0..queries.len()).map(|i| [0.0, 0.5, 0.8][i % 3]).collect();
        for n in [queries.len(), 7, 1, 0] {
            let expected = index.search_batch(&queries[..n], 10, 100, &floors[..n]);
            assert!(n == 0 || expected.iter().any(|hits| !hits.is_empty()), "the batch finds something");
            let (sender, receiver) = std::sync::mpsc::channel();
            index.search_batch_spawned(queries[..n].to_vec(), Vec::new(), 10, 100, floors[..n].to_vec(), move |found| sender.send(found).unwrap());
            assert_eq!(receiver.recv().unwrap(), Some(expected), "{n} queries");
            assert!(receiver.recv().is_err(), "done is called once, then dropped");
        }
    }

    #[test]
    fn a_lone_query_spread_over_threads_finds_what_the_plain_search_finds() {
        let (names, owners) = synthetic(20_000);
        let idx = NameIndex::build(&names, &owners);
        let pool = rayon::ThreadPoolBuilder::new().num_threads(4).build().unwrap();
        let mut compared = 0;
        for (i, name) in names.iter().step_by(997).enumerate() {
            // the names themselves, a dropped letter, and a floor that keeps only close ones
            let query = if i % 2 == 0 { name.clone() } else { name.chars().skip(1).collect() };
            for floor in [0.0, 0.7] {
                let plain = idx.search(&query, 20, 200, floor);
                let spread = pool.install(|| idx.search_parallel(&query, 20, 200, floor));
                assert_eq!(spread, plain, "{query} at {floor}");
                let single = pool.install(|| idx.search_batch(std::slice::from_ref(&query), 20, 200, &[floor]));
                assert_eq!(single, vec![plain.clone()]);
                compared += plain.len();
            }
        }
        assert!(compared > 100, "{compared} hits compared");
    }

    #[test]
    fn search_scores_are_the_explained_alignment_scores() {
        // The search's memoised, position-based alignment must score each hit exactly as the
        // explained comparison (names::compare) does: the two paths may not drift apart.
        let names: Vec<String> = [
            "Abdul Rahman Yasin", "Abdulrahman Yasin", "Shams al Din Mohammed", "Acme Trading Co Ltd",
            "John William Smith", "Jon Smith", "Nur al Din Ahmad", "Global Shipping International LLC",
            "عزيز الرحمان عبد الاحد", "عبد الرحمن ياسين",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let idx = index_of(&names);
        let queries = [
            "Abdulrahman Yasin", "Abdul Rahman Yaseen", "Shamsuddin Mohammed", "ACME TRADING COMPANY",
            "Smith John", "J W Smith", "Noureddine Ahmad", "Global Shipping Intl", "Yasin",
            "AZIZIRAHMAN ABDUL AHAD", "Abd al-Rahman Yasin",
        ];
        // a glued token on each side, and ABD AL glued as written
        for (q, listed) in [("AZIZIRAHMAN ABDUL AHAD", 8), ("Abd al-Rahman Yasin", 9)] {
            assert!(idx.search(q, 3, 50, 0.0).iter().any(|&(_, name, score)| name == listed && score > 0.85), "{q}");
        }
        for q in queries {
            for (owner, name, score) in idx.search(q, 20, 50, 0.0) {
                let explained = crate::names::compare(q, &names[name as usize]).score;
                assert!((score - explained).abs() < 1e-9, "{q} ~ {}: {score} vs {explained}", names[owner as usize]);
            }
        }
    }

    #[test]
    fn rows_spelling_the_same_name_each_get_its_score() {
        // Rows with the same tokens are aligned once per query; every one of them is still a hit,
        // with the score the explained comparison gives, and a differently spelt row its own.
        let names: Vec<String> = ["John Smith", "Jon Smith", "John Smith", "Smith John", "John Smith", "Acme Trading Co Ltd", "Acme Trading Co Ltd"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let idx = index_of(&names);
        for q in ["John Smyth", "J Smith", "Acme Trading Company"] {
            let hits = idx.search(q, 20, 50, 0.0);
            for (owner, name, score) in &hits {
                let explained = crate::names::compare(q, &names[*name as usize]).score;
                assert!((score - explained).abs() < 1e-9, "{q} ~ {}: {score} vs {explained}", names[*owner as usize]);
            }
            let twins: Vec<u32> = names.iter().enumerate().filter(|(_, n)| **n == names[if q.starts_with("Acme") { 5 } else { 0 }]).map(|(i, _)| i as u32).collect();
            for t in twins {
                assert!(hits.iter().any(|h| h.0 == t), "{q}: row {t} ({}) missing from {hits:?}", names[t as usize]);
            }
        }
    }

    fn synthetic(n: usize) -> (Vec<String>, Vec<u32>) {
        const FIRST: [&str; 12] = ["John", "Jon", "Mohammed", "Muhammad", "Ayman", "Osama", "Maria", "Jürgen", "Abdul", "Olga", "Wei", "Иван"];
        const LAST: [&str; 10] = ["Smith", "Smyth", "bin Laden", "al-Zawahiri", "Müller", "Rahman", "Petrova", "Zhang", "Ivanov", "Acme Trading Ltd"];
        let mut s: u64 = 42;
        let mut next = |m: usize| {
            s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (s >> 33) as usize % m
        };
        let (mut names, mut owners) = (Vec::new(), Vec::new());
        for i in 0..n {
            let name = format!("{} {} {}{}", FIRST[next(12)], LAST[next(10)], LAST[next(10)], i % 97);
            names.push(name);
            owners.push((i / 2) as u32);
        }
        (names, owners)
    }

    fn temp_path(tag: &str) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("interdict-index-{tag}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        dir.join("names.nameidx")
    }

    #[test]
    fn owners_born_far_below_the_floor_are_set_aside() {
        let years = OwnerYears::new(vec![0, 1, 3, 3], vec![1970, 1960, 1980], 2).unwrap();
        assert_eq!(years.owners(), 3);
        assert!(years.all_far(0, 1990) && !years.all_far(0, 1971) && !years.all_far(0, 1969));
        assert!(years.all_far(1, 1970) && !years.all_far(1, 1979), "far only from every listed year");
        assert!(!years.all_far(2, 1990) && !years.all_far(7, 1990), "no year listed, or an entry beyond those given");
        let hits = vec![(0, 0, 0.9), (1, 1, 0.95), (2, 2, 0.5), (0, 3, 0.99)];
        let mut kept = hits.clone();
        years.set_aside_far(&mut kept, 1990, 0.96);
        assert_eq!(kept, vec![(2, 2, 0.5), (0, 3, 0.99)]);
        for (year, floor) in [(0, 0.96), (1990, 0.0)] {
            let mut all = hits.clone();
            years.set_aside_far(&mut all, year, floor);
            assert_eq!(all, hits, "no birth date, or no floor: nothing set aside");
        }
        assert!(OwnerYears::new(vec![0, 2], vec![1970], 2).is_err() && OwnerYears::new(vec![0, 1, 0], vec![1970], 2).is_err());
    }

    /// A query's listed tokens are copied from the dictionary (`NameIndex::prepare`): the same as making
    /// them, so the search scores a name exactly as `compare` does.
    #[test]
    fn dictionary_tokens_are_made_as_a_query_makes_them() {
        let (names, owners) = synthetic(500);
        let idx = NameIndex::build(&names, &owners);
        assert!(idx.tokens.len() > 500);
        for t in &idx.tokens {
            assert_eq!(format!("{t:?}"), format!("{:?}", Token::new(&t.text)));
        }
        for q in names.iter().step_by(13).chain(&["Usama bin Ladin".to_string(), "Abdul Rahman Xqzvw".to_string()]) {
            assert_eq!(format!("{:?}", idx.prepare(q)), format!("{:?}", prepare_forms(q)), "{q}");
        }
    }

    #[test]
    fn each_names_rows_are_the_rows_naming_it() {
        // names with no row (nothing left once folded) among names with one row or several
        let names: Vec<String> = ["John Smith", "", "Müller Jürgen", "  ", "Абдулла Ахмад", "!!", "Acme Trading Co Ltd"].map(String::from).to_vec();
        let owners: Vec<u32> = (0..names.len() as u32).collect();
        let idx = NameIndex::build(&names, &owners);
        let path = temp_path("name-rows");
        idx.save(&path).unwrap();
        let loaded = NameIndex::load(&path).unwrap();
        for index in [&idx, &loaded] {
            for name in 0..names.len() as u32 + 2 {
                let scanned: Vec<u32> = (0..index.row_count() as u32).filter(|&r| index.row_name[r as usize] == name).collect();
                assert_eq!(index.rows_of_name(name).collect::<Vec<_>>(), scanned, "name {name}");
            }
        }
        assert!(idx.rows_of_name(1).next().is_none() && idx.rows_of_name(0).count() >= 1);
        drop(loaded);
        let _ = std::fs::remove_dir_all(path.parent().unwrap());
    }

    #[test]
    fn save_load_round_trip_gives_equal_results() {
        let (names, owners) = synthetic(3000);
        let idx = NameIndex::build(&names, &owners);
        let path = temp_path("roundtrip");
        idx.save(&path).unwrap();
        let loaded = NameIndex::load(&path).unwrap();
        assert!(loaded.is_mapped() && !idx.is_mapped());
        assert_eq!((loaded.len(), loaded.entry_count(), loaded.fingerprint()), (idx.len(), idx.entry_count(), idx.fingerprint()));
        assert_eq!(loaded.fingerprint(), name_fingerprint(&names, &owners));
        let strip = |s: Vec<(&'static str, usize)>| s.into_iter().filter(|(k, _)| *k != "mapped").collect::<Vec<_>>();
        assert_eq!(strip(loaded.stats()), strip(idx.stats()));
        let mut queries: Vec<String> = names.iter().step_by(7).cloned().collect();
        queries.extend(["Usama bin Ladin", "Aiman Zawahri", "MUELLER JUERGEN", "Abdulrahman", "Smith", "Acme Trading Company", "Ivan Petrov", "Xavier Quintero"].map(String::from));
        let floors = vec![0.0; queries.len()];
        assert_eq!(idx.search_batch(&queries, 10, 100, &floors), loaded.search_batch(&queries, 10, 100, &floors));
        for q in queries.iter().take(50) {
            assert_eq!(idx.candidates(q, 100), loaded.candidates(q, 100));
        }
        // a loaded index saves to the same bytes
        let again = temp_path("roundtrip-again");
        loaded.save(&again).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), std::fs::read(&again).unwrap());
        // a list of recurring names, whose rows are gathered into spellings
        let recurring: Vec<String> = names.iter().map(|n| n.trim_end_matches(|c: char| c.is_ascii_digit()).to_string()).collect();
        let idx = NameIndex::build(&recurring, &owners);
        assert!(idx.spellings_gathered());
        idx.save(&again).unwrap();
        let gathered = NameIndex::load(&again).unwrap();
        assert!(gathered.spellings_gathered() && gathered.is_mapped());
        assert_eq!(strip(gathered.stats()), strip(idx.stats()));
        assert_eq!(idx.search_batch(&queries, 10, 100, &floors), gathered.search_batch(&queries, 10, 100, &floors));
        drop(gathered);
        // an empty index too
        let empty = NameIndex::build(&[], &[]);
        empty.save(&path).unwrap();
        let e = NameIndex::load(&path).unwrap();
        assert!(e.is_empty() && e.search("John Smith", 5, 50, 0.0).is_empty());
        // no temporary file is left behind
        let left: Vec<_> = std::fs::read_dir(path.parent().unwrap()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(left.len(), 1, "{left:?}");
        drop((e, loaded));
        let _ = std::fs::remove_dir_all(path.parent().unwrap());
        let _ = std::fs::remove_dir_all(again.parent().unwrap());
    }

    fn load_err(path: &std::path::Path, bytes: &[u8]) -> String {
        std::fs::write(path, bytes).unwrap();
        match NameIndex::load(path) {
            Ok(_) => panic!("a damaged file loaded"),
            Err(e) => {
                assert_eq!(e.kind(), io::ErrorKind::InvalidData, "{e}");
                e.to_string()
            }
        }
    }

    /// A saved index file with section `name`'s bytes changed by `change`, its checksums set right
    /// again: damage that only the load's checks of the content can find.
    fn with_section_rewritten(good: &[u8], name: &str, change: impl FnOnce(&mut [u8])) -> Vec<u8> {
        let entry = HEADER_LEN + SECTIONS.iter().position(|s| *s == name).expect("a section") * TABLE_ENTRY;
        let offset = u64::from_le_bytes(good[entry..entry + 8].try_into().unwrap()) as usize;
        let len = u64::from_le_bytes(good[entry + 8..entry + 16].try_into().unwrap()) as usize;
        let mut b = good.to_vec();
        change(&mut b[offset..offset + len]);
        let sum = checksum(&b[offset..offset + len]);
        b[entry + 16..entry + 24].copy_from_slice(&sum.to_le_bytes());
        let header_sum = checksum(&[&b[..48], &b[HEADER_LEN..HEADER_LEN + SECTIONS.len() * TABLE_ENTRY]].concat());
        b[48..56].copy_from_slice(&header_sum.to_le_bytes());
        b
    }

    #[test]
    fn damaged_files_are_refused_with_a_reason() {
        let (names, owners) = synthetic(500);
        let good_path = temp_path("damaged-good");
        NameIndex::build(&names, &owners).save(&good_path).unwrap();
        let good = std::fs::read(&good_path).unwrap();
        let path = temp_path("damaged");
        // truncations
        for cut in [0, 7, 40, HEADER_LEN, HEADER_LEN + 100, good.len() / 3, good.len() / 2, good.len() - 1] {
            let e = load_err(&path, &good[..cut]);
            assert!(e.contains("truncated"), "cut at {cut}: {e}");
        }
        // header: magic, version, byte order, a count, a section table entry
        let flip = |at: usize| {
            let mut b = good.clone();
            b[at] ^= 0x40;
            b
        };
        assert!(load_err(&path, &flip(0)).contains("magic"));
        assert!(load_err(&path, &flip(8)).contains("version"));
        assert!(load_err(&path, &flip(12)).contains("byte-order"));
        assert!(load_err(&path, &flip(17)).contains("header checksum"));
        assert!(load_err(&path, &flip(HEADER_LEN + 5 * TABLE_ENTRY + 8)).contains("header checksum"));
        // sections: a flipped byte anywhere in the data
        let data_start = align8(HEADER_LEN + SECTIONS.len() * TABLE_ENTRY);
        for at in [data_start, data_start + 3, good.len() / 2, good.len() - 3] {
            let e = load_err(&path, &flip(at));
            assert!(e.contains("damaged (checksum mismatch)"), "byte {at}: {e}");
        }
        // a well-formed file (checksums right) with an out-of-range id is still refused
        let e = load_err(&path, &with_section_rewritten(&good, "row_tokens", |b| b[..4].copy_from_slice(&u32::MAX.to_le_bytes())));
        assert!(e.contains("row_tokens") && e.contains("out of range"), "{e}");
        let e = load_err(&path, &with_section_rewritten(&good, "posting_spellings", |b| b[..4].copy_from_slice(&u32::MAX.to_le_bytes())));
        assert!(e.contains("posting_spellings") && e.contains("out of range"), "{e}");
        let e = load_err(&path, &with_section_rewritten(&good, "token_proposals", |b| b[..4].copy_from_slice(&u32::MAX.to_le_bytes())));
        assert!(e.contains("token_proposals") && e.contains("out of range"), "{e}");
        let e = load_err(&path, &with_section_rewritten(&good, "token_proposal_offsets", |b| b[4..8].copy_from_slice(&u32::MAX.to_le_bytes())));
        assert!(e.contains("token_proposal_offsets") && e.contains("decreases"), "{e}");
        // rows out of name order (each name's rows are read as one range)
        let e = load_err(&path, &with_section_rewritten(&good, "row_name", |b| {
            let last: [u8; 4] = b[b.len() - 4..].try_into().unwrap();
            b[..4].copy_from_slice(&last);
        }));
        assert!(e.contains("row_name") && e.contains("not in name order"), "{e}");
        // and so are a gathered index's spellings that are out of range, out of order or empty
        let recurring: Vec<String> = names.iter().map(|n| n.trim_end_matches(|c: char| c.is_ascii_digit()).to_string()).collect();
        let gathered = NameIndex::build(&recurring, &owners);
        assert!(gathered.spellings_gathered());
        gathered.save(&good_path).unwrap();
        let good = std::fs::read(&good_path).unwrap();
        let e = load_err(&path, &with_section_rewritten(&good, "spelling_rows", |b| b[..4].copy_from_slice(&u32::MAX.to_le_bytes())));
        assert!(e.contains("spelling_rows") && e.contains("out of range"), "{e}");
        let e = load_err(&path, &with_section_rewritten(&good, "spelling_offsets", |b| b[4..8].copy_from_slice(&0u32.to_le_bytes())));
        assert!(e.contains("spelling_rows") && e.contains("spelling 0 are none"), "{e}");
        let e = load_err(&path, &with_section_rewritten(&good, "posting_spellings", |b| b[..4].copy_from_slice(&(gathered.spelling_count() as u32).to_le_bytes())));
        assert!(e.contains("posting_spellings") && e.contains("out of range"), "{e}");
        // a missing file is an ordinary NotFound
        assert_eq!(NameIndex::load(path.with_extension("missing")).err().unwrap().kind(), io::ErrorKind::NotFound);
        let _ = std::fs::remove_dir_all(path.parent().unwrap());
        let _ = std::fs::remove_dir_all(good_path.parent().unwrap());
    }

    #[test]
    #[ignore]
    fn persist_timing() {
        // cargo test --release persist_timing -- --ignored --nocapture  (INTERDICT_NAMES=200000)
        let n: usize = std::env::var("INTERDICT_NAMES").ok().and_then(|v| v.parse().ok()).unwrap_or(200_000);
        // or the benchmark's names: INTERDICT_NAMES_FILE=<path> with <path>.names and <path>.owners
        let (names, owners) = match std::env::var("INTERDICT_NAMES_FILE") {
            Ok(p) => (
                std::fs::read_to_string(format!("{p}.names")).unwrap().split('\n').map(String::from).collect(),
                std::fs::read_to_string(format!("{p}.owners")).unwrap().split_whitespace().map(|o| o.parse().unwrap()).collect(),
            ),
            Err(_) => synthetic(n),
        };
        let n = names.len();
        let t = std::time::Instant::now();
        let idx = NameIndex::build(&names, &owners);
        let build = t.elapsed();
        let path = temp_path("timing");
        let t = std::time::Instant::now();
        idx.save(&path).unwrap();
        let save = t.elapsed();
        let t = std::time::Instant::now();
        let loaded = NameIndex::load(&path).unwrap();
        let load = t.elapsed();
        let t = std::time::Instant::now();
        let toks: Vec<Token> = loaded.tokens.par_iter().map(|t| Token::new(&t.text)).collect();
        let tokens = t.elapsed();
        eprintln!(
            "{n} names, {} tokens: build {build:?}, save {save:?}, file {} bytes, load {load:?} (of which Token::new {tokens:?})",
            toks.len(),
            std::fs::metadata(&path).unwrap().len()
        );
        drop(loaded);
        let _ = std::fs::remove_dir_all(path.parent().unwrap());
    }
}

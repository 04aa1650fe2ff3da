//! Listed (stolen, lost, revoked) travel documents: a compact index for exact and near lookups of
//! document numbers at SLTD scale (100M rows on one machine).
//!
//! Layout (all flat vectors, no per-record allocation):
//! - `numbers` + `offsets`: an arena of the cleaned numbers in row order (the explanation of a
//!   near match compares the query with the listed number itself);
//! - `types` (u8) and `countries` (u16): interned codes per row, 0 = not given;
//! - `entries`: one sorted `u64` per key, the key's 64-bit hash with its low `row_bits` replaced by
//!   the row id, so that one array holds both the key and its posting;
//! - `buckets`: offsets into `entries` by the top `bucket_bits` of the hash (about 16 entries per
//!   bucket), so a probe is one random read of `buckets` plus one or two cache lines of `entries`.
//!
//! Keys per row: the *loose* key (OCR confusions folded, see [`loose_fold`]) and every single-character
//! deletion of it (symmetric deletion, as in SymSpell). A query probes its own loose key and its
//! deletions, which finds every listed number within one substitution, insertion, deletion or
//! adjacent transposition of it *after* OCR folding; every candidate is then verified against the
//! arena, so hash collisions cost time, never a wrong answer.
//!
//! Why deletion keys rather than pigeonhole halves: real passport numbers are sequential within a
//! series, so half a 9-character number (4-5 characters, mostly digits) is shared by ~N/10^4.5 rows
//! (3,000 at 100M) and every fuzzy probe would verify thousands of candidates. Deletion keys are as
//! selective as the full number (about one candidate per probe) for ~L+1 entries of 8 bytes per row:
//! ~80 bytes per 9-character number, ~8 GB for 100M rows, which fits a 24 GiB machine with room for
//! the build's in-place sort. Exact lookups probe the same array once (the loose key), then check
//! the strict key in the arena.

use crate::pages::huge_vec;
use rayon::prelude::*;
use std::collections::HashMap;

/// Numbers longer than this get only their loose key (no deletion keys); none of the document
/// number formats in ICAO 9303 or national ID schemes comes near it.
pub const MAX_FUZZY_LEN: usize = 48;

/// Strict folding, as `engine.documents.document_key`: O and Q read as 0, I as 1.
#[inline]
pub fn strict_fold(c: u8) -> u8 {
    match c {
        b'O' | b'Q' => b'0',
        b'I' => b'1',
        _ => c,
    }
}

/// Loose folding, as `engine.documents.loose_document_key`: also S/5, B/8, Z/2, G/6, D/0, L/1.
#[inline]
pub fn loose_fold(c: u8) -> u8 {
    match strict_fold(c) {
        b'S' => b'5',
        b'B' => b'8',
        b'Z' => b'2',
        b'G' => b'6',
        b'D' => b'0',
        b'L' => b'1',
        c => c,
    }
}

/// Upper case, letters and digits only (as `engine.documents.clean_number`). Document numbers are
/// ASCII in practice; other alphanumeric characters are kept (upper-cased) as their UTF-8 bytes.
pub fn clean_number(s: &[u8]) -> Vec<u8> {
    if s.iter().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit()) {
        return s.to_vec();
    }
    let text = String::from_utf8_lossy(s);
    let mut out = String::with_capacity(s.len());
    for c in text.chars().flat_map(char::to_uppercase).filter(|c| c.is_alphanumeric()) {
        out.push(c);
    }
    out.into_bytes()
}

/// The unordered character pairs an OCR misreading explains; bit i of a confusion mask is pair i.
/// Written as an analyst reads them: the letter first, the digit last.
pub const CONFUSION_PAIRS: [(u8, u8); 13] = [
    (b'O', b'0'),
    (b'Q', b'0'),
    (b'D', b'0'),
    (b'O', b'Q'),
    (b'D', b'O'),
    (b'D', b'Q'),
    (b'I', b'1'),
    (b'L', b'1'),
    (b'I', b'L'),
    (b'S', b'5'),
    (b'B', b'8'),
    (b'Z', b'2'),
    (b'G', b'6'),
];

fn confusion_bit(a: u8, b: u8) -> u16 {
    for (i, &(x, y)) in CONFUSION_PAIRS.iter().enumerate() {
        if (a, b) == (x, y) || (a, b) == (y, x) {
            return 1 << i;
        }
    }
    0
}

/// How a listed number relates to the queried one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum How {
    /// Same strict key: equal, or equal up to O/Q/0 and I/1 (see the confusion mask).
    Exact,
    /// Same loose key only: equal up to the OCR confusions in the mask.
    Ocr,
    /// One character differs (beyond OCR confusions): `query` read where `listed` is listed.
    Substitution,
    /// The query has one character more: `query` at `pos`.
    Insertion,
    /// The query lacks one character: `listed` at `pos`.
    Deletion,
    /// Two adjacent characters swapped: query `pos` and `pos + 1`.
    Transposition,
}

impl How {
    pub fn as_str(self) -> &'static str {
        match self {
            How::Exact => "exact",
            How::Ocr => "ocr",
            How::Substitution => "substitution",
            How::Insertion => "insertion",
            How::Deletion => "deletion",
            How::Transposition => "transposition",
        }
    }
}

/// The issuing country of the query against the listed one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CountryCheck {
    Same,
    /// The query gives no country; the listed document has one.
    QueryMissing,
    /// The listed document has no country (the query may or may not give one).
    ListedMissing,
    Conflict,
}

impl CountryCheck {
    pub fn as_str(self) -> &'static str {
        match self {
            CountryCheck::Same => "same",
            CountryCheck::QueryMissing => "query_missing",
            CountryCheck::ListedMissing => "listed_missing",
            CountryCheck::Conflict => "conflict",
        }
    }
}

/// One or two characters of an edit, inline (no allocation per match).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Chars {
    len: u8,
    bytes: [u8; 2],
}

impl Chars {
    pub fn new(b: &[u8]) -> Self {
        let mut c = Chars { len: b.len().min(2) as u8, bytes: [0; 2] };
        c.bytes[..c.len as usize].copy_from_slice(&b[..c.len as usize]);
        c
    }
}

impl std::ops::Deref for Chars {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        &self.bytes[..self.len as usize]
    }
}

/// One listed row a query matches, and what explains it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DocMatch {
    pub row: u32,
    pub how: How,
    /// Position of the edit in the query (substitution, insertion, transposition) or where the
    /// missing character would be (deletion); 0 for exact and OCR matches.
    pub pos: u16,
    /// The query's character(s) at the edit: one, two for a transposition, none for a deletion.
    pub query_chars: Chars,
    /// The listed character(s) at the edit: one, two for a transposition, none for an insertion.
    pub listed_chars: Chars,
    /// OCR confusions elsewhere in the number: bits of [`CONFUSION_PAIRS`].
    pub confusions: u16,
    pub country: CountryCheck,
    /// Both types given and their first letters differ (P... vs passport agree).
    pub type_conflict: bool,
}

// ---- Arrow-style string columns ------------------------------------------------------------

/// The offsets buffer of an Arrow `string` (i32) or `large_string` (i64) array.
#[derive(Clone, Copy, Debug)]
pub enum Offsets<'a> {
    I32(&'a [u8]),
    I64(&'a [u8]),
}

/// One chunk of an Arrow string array, as its buffers: `len` rows starting at row `offset`,
/// an optional validity bitmap (LSB first), offsets and UTF-8 data.
#[derive(Clone, Copy, Debug)]
pub struct StrChunk<'a> {
    len: usize,
    offset: usize,
    validity: Option<&'a [u8]>,
    offsets: Offsets<'a>,
    data: &'a [u8],
}

impl<'a> StrChunk<'a> {
    /// Checks every buffer is long enough for `len` rows from `offset`, and that the offsets are
    /// monotone and within the data, so that reading rows can never go out of bounds.
    pub fn new(
        len: usize,
        offset: usize,
        validity: Option<&'a [u8]>,
        offsets: Offsets<'a>,
        data: &'a [u8],
    ) -> Result<Self, String> {
        let end = offset.checked_add(len).ok_or("offset + length overflows")?;
        if let Some(v) = validity {
            if v.len() * 8 < end {
                return Err(format!("validity bitmap has {} bytes, {} rows need {}", v.len(), end, end.div_ceil(8)));
            }
        }
        let (buf, width) = match offsets {
            Offsets::I32(b) => (b, 4),
            Offsets::I64(b) => (b, 8),
        };
        if len > 0 && buf.len() < (end + 1) * width {
            return Err(format!("offsets buffer has {} bytes, {} rows need {}", buf.len(), end, (end + 1) * width));
        }
        let chunk = StrChunk { len, offset, validity, offsets, data };
        let mut prev = if len > 0 { chunk.raw_offset(offset)? } else { 0 };
        for i in offset + 1..=end {
            let o = chunk.raw_offset(i)?;
            if o < prev || o > data.len() {
                return Err(format!("offset {o} at row {} is out of order or beyond the {} data bytes", i - 1, data.len()));
            }
            prev = o;
        }
        Ok(chunk)
    }

    fn raw_offset(&self, i: usize) -> Result<usize, String> {
        let v = match self.offsets {
            Offsets::I32(b) => i32::from_le_bytes(b[i * 4..i * 4 + 4].try_into().unwrap()) as i64,
            Offsets::I64(b) => i64::from_le_bytes(b[i * 8..i * 8 + 8].try_into().unwrap()),
        };
        usize::try_from(v).map_err(|_| format!("negative offset {v} at row {i}"))
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Row `i` of the chunk (0-based), None when null.
    #[inline]
    pub fn get(&self, i: usize) -> Option<&'a [u8]> {
        let j = self.offset + i;
        if let Some(v) = self.validity {
            if v[j / 8] >> (j % 8) & 1 == 0 {
                return None;
            }
        }
        // Bounds were checked in new().
        let (a, b) = (self.raw_offset(j).unwrap(), self.raw_offset(j + 1).unwrap());
        Some(&self.data[a..b])
    }
}

/// A column as the chunks of a chunked Arrow array, rows in order.
pub fn column_len(chunks: &[StrChunk<'_>]) -> usize {
    chunks.iter().map(|c| c.len).sum()
}

fn column_rows<'a, 'b>(chunks: &'b [StrChunk<'a>]) -> impl Iterator<Item = Option<&'a [u8]>> + 'b {
    chunks.iter().flat_map(|c| (0..c.len).map(move |i| c.get(i)))
}

// ---- hashing ---------------------------------------------------------------------------------

/// Polynomial hash base (odd): a deletion's hash is computed in O(1) from prefix and suffix hashes,
/// so the L+1 keys of a number cost O(L), and the result is the same as hashing the shorter string.
const BASE: u64 = 0x9E37_79B9_7F4A_7C15 | 1;

#[inline]
fn mix(h: u64, len: usize) -> u64 {
    // splitmix64's finaliser: a bijection that spreads the polynomial hash over all 64 bits, so the
    // top bits can pick a bucket and the low bits can be given up for the row id.
    let mut z = h ^ (len as u64).wrapping_mul(0xD6E8_FEB8_6659_FD93);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn powers() -> [u64; MAX_FUZZY_LEN + 1] {
    let mut p = [1u64; MAX_FUZZY_LEN + 1];
    for i in 1..p.len() {
        p[i] = p[i - 1].wrapping_mul(BASE);
    }
    p
}

/// The hash of the loose key of `number`, then (when `deletions`) the hash of each single-character
/// deletion of it, all passed to `out`.
fn key_hashes(number: &[u8], deletions: bool, pw: &[u64; MAX_FUZZY_LEN + 1], mut out: impl FnMut(u64)) {
    let n = number.len();
    let mut full = 0u64;
    for &c in number {
        full = full.wrapping_mul(BASE).wrapping_add(loose_fold(c) as u64 + 1);
    }
    out(mix(full, n));
    if !deletions || n == 0 || n > MAX_FUZZY_LEN {
        return;
    }
    // suffix[i] = hash of number[i..]
    let mut suffix = [0u64; MAX_FUZZY_LEN + 1];
    for i in (0..n).rev() {
        suffix[i] = (loose_fold(number[i]) as u64 + 1).wrapping_mul(pw[n - 1 - i]).wrapping_add(suffix[i + 1]);
    }
    let mut prefix = 0u64;
    for i in 0..n {
        // number without i: prefix (i chars) shifted past the n-1-i suffix chars.
        out(mix(prefix.wrapping_mul(pw[n - 1 - i]).wrapping_add(suffix[i + 1]), n - 1));
        prefix = prefix.wrapping_mul(BASE).wrapping_add(loose_fold(number[i]) as u64 + 1);
    }
}

// ---- interning of types and countries ----------------------------------------------------------

#[derive(Default)]
struct Interner {
    codes: HashMap<Vec<u8>, usize, ahash::RandomState>,
    names: Vec<String>,
}

impl Interner {
    /// 0 for none (null or empty), otherwise 1 + index into `names`.
    fn code(&mut self, s: Option<&[u8]>, max: usize, what: &str) -> Result<usize, String> {
        let s = match s {
            Some(s) if !s.is_empty() => s,
            _ => return Ok(0),
        };
        if let Some(&c) = self.codes.get(s) {
            return Ok(c);
        }
        if self.names.len() >= max {
            return Err(format!("more than {max} distinct {what} values"));
        }
        self.names.push(String::from_utf8_lossy(s).into_owned());
        self.codes.insert(s.to_vec(), self.names.len());
        Ok(self.names.len())
    }

    fn lookup(&self, s: &str) -> Option<usize> {
        self.codes.get(s.as_bytes()).copied()
    }
}

/// Interns a column into per-row codes; `last` short-cuts runs of the same value (lists are often
/// sorted or grouped by country and type).
fn intern_column<T: Copy + TryFrom<usize>>(
    chunks: Option<&[StrChunk<'_>]>,
    rows: usize,
    max: usize,
    what: &str,
    normalise: fn(&[u8]) -> Vec<u8>,
) -> Result<(Vec<T>, Interner), String> {
    let zero = T::try_from(0).ok().unwrap();
    let mut interner = Interner::default();
    let Some(chunks) = chunks else { return Ok((vec![zero; rows], interner)) };
    if column_len(chunks) != rows {
        return Err(format!("{what} column has {} rows, numbers has {rows}", column_len(chunks)));
    }
    let mut codes = huge_vec(rows);
    let mut last: Option<(&[u8], T)> = None;
    for v in column_rows(chunks) {
        let code = match (v, last) {
            (Some(s), Some((l, c))) if s == l => c,
            _ => {
                let c = interner.code(v.map(normalise).as_deref(), max, what)?;
                let c = T::try_from(c).ok().unwrap();
                if let Some(s) = v {
                    last = Some((s, c));
                }
                c
            }
        };
        codes.push(code);
    }
    Ok((codes, interner))
}

fn upper_trim(s: &[u8]) -> Vec<u8> {
    s.trim_ascii().to_ascii_uppercase()
}

fn lower_trim(s: &[u8]) -> Vec<u8> {
    s.trim_ascii().to_ascii_lowercase()
}

// ---- the index -------------------------------------------------------------------------------

/// Sizes of the parts of an index, in bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IndexStats {
    pub rows: usize,
    pub keys: usize,
    pub entries_bytes: usize,
    pub buckets_bytes: usize,
    pub arena_bytes: usize,
    pub codes_bytes: usize,
}

impl IndexStats {
    pub fn total_bytes(&self) -> usize {
        self.entries_bytes + self.buckets_bytes + self.arena_bytes + self.codes_bytes
    }
}

pub struct DocumentIndex {
    numbers: Vec<u8>,
    offsets: Vec<u32>,
    types: Vec<u8>,
    countries: Vec<u16>,
    type_names: Interner,
    country_names: Interner,
    entries: Vec<u64>,
    buckets: Vec<u32>,
    row_bits: u32,
    bucket_bits: u32,
    pw: [u64; MAX_FUZZY_LEN + 1],
}

/// A document to look up: number as given (it is cleaned here), optional type and country.
#[derive(Clone, Copy, Debug)]
pub struct Probe<'a> {
    pub number: &'a str,
    pub doc_type: Option<&'a str>,
    pub country: Option<&'a str>,
}

const ROWS_PER_TASK: usize = 1 << 16;

impl DocumentIndex {
    /// Builds the index from Arrow-style columns (chunk boundaries may differ between columns).
    /// Row ids are positions in the columns; null or empty numbers are kept as rows but not indexed.
    pub fn from_columns(
        numbers: &[StrChunk<'_>],
        types: Option<&[StrChunk<'_>]>,
        countries: Option<&[StrChunk<'_>]>,
    ) -> Result<Self, String> {
        let rows = column_len(numbers);
        if rows >= u32::MAX as usize {
            return Err(format!("{rows} rows: at most {} per index", u32::MAX - 1));
        }
        // Types and countries interned on another thread while the numbers are copied.
        let (codes, arena) = rayon::join(
            || -> Result<_, String> {
                let (types, tn) = intern_column::<u8>(types, rows, 255, "type", lower_trim)?;
                let (countries, cn) = intern_column::<u16>(countries, rows, 65_535, "country", upper_trim)?;
                Ok((types, tn, countries, cn))
            },
            || -> Result<_, String> {
                let mut data = huge_vec(numbers.iter().map(|c| c.data.len()).sum());
                let mut offsets = huge_vec(rows + 1);
                offsets.push(0u32);
                for v in column_rows(numbers) {
                    if let Some(s) = v {
                        if s.iter().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit()) {
                            data.extend_from_slice(s);
                        } else {
                            data.extend_from_slice(&clean_number(s));
                        }
                    }
                    offsets.push(u32::try_from(data.len()).map_err(|_| "more than 4 GiB of document numbers")?);
                }
                Ok((data, offsets))
            },
        );
        let (types, type_names, countries, country_names) = codes?;
        let (numbers, offsets) = arena?;
        Ok(Self::build(numbers, offsets, types, type_names, countries, country_names))
    }

    /// Builds the index from rows of (number, type, country), for tests and small lists.
    pub fn from_rows(rows: &[(&str, Option<&str>, Option<&str>)]) -> Self {
        type Row<'r> = (&'r str, Option<&'r str>, Option<&'r str>);
        let col = |f: &dyn Fn(&Row<'_>) -> Option<String>| {
            let mut data = Vec::new();
            let mut offs = vec![0i32];
            let mut valid = vec![0u8; rows.len().div_ceil(8).max(1)];
            for (i, r) in rows.iter().enumerate() {
                if let Some(s) = f(r) {
                    data.extend_from_slice(s.as_bytes());
                    valid[i / 8] |= 1 << (i % 8);
                }
                offs.push(data.len() as i32);
            }
            let offs: Vec<u8> = offs.iter().flat_map(|o| o.to_le_bytes()).collect();
            (valid, offs, data)
        };
        let n = col(&|r| Some(r.0.to_owned()));
        let t = col(&|r| r.1.map(str::to_owned));
        let c = col(&|r| r.2.map(str::to_owned));
        fn chunk(len: usize, (v, o, d): &(Vec<u8>, Vec<u8>, Vec<u8>)) -> StrChunk<'_> {
            StrChunk::new(len, 0, Some(v.as_slice()), Offsets::I32(o.as_slice()), d.as_slice()).unwrap()
        }
        let (nc, tc, cc) = ([chunk(rows.len(), &n)], [chunk(rows.len(), &t)], [chunk(rows.len(), &c)]);
        Self::from_columns(&nc, Some(&tc), Some(&cc)).unwrap()
    }

    fn build(
        numbers: Vec<u8>,
        offsets: Vec<u32>,
        types: Vec<u8>,
        type_names: Interner,
        countries: Vec<u16>,
        country_names: Interner,
    ) -> Self {
        let rows = offsets.len() - 1;
        let row_bits = (usize::BITS - rows.max(1).leading_zeros()).max(1);
        let pw = powers();
        let number = |r: usize| &numbers[offsets[r] as usize..offsets[r + 1] as usize];
        let keys_of = |r: usize| match number(r).len() {
            0 => 0,
            n if n > MAX_FUZZY_LEN => 1,
            n => n + 1,
        };
        // Where each task's keys start, so that tasks fill disjoint slices in parallel.
        let tasks: Vec<(usize, usize)> = (0..rows).step_by(ROWS_PER_TASK).map(|s| (s, (s + ROWS_PER_TASK).min(rows))).collect();
        let counts: Vec<usize> = tasks.par_iter().map(|&(s, e)| (s..e).map(keys_of).sum()).collect();
        let total: usize = counts.iter().sum();
        let mut entries: Vec<u64> = huge_vec(total);
        entries.resize(total, 0);
        let mut slices = Vec::with_capacity(tasks.len());
        let mut rest = entries.as_mut_slice();
        for &c in &counts {
            let (head, tail) = rest.split_at_mut(c);
            slices.push(head);
            rest = tail;
        }
        let row_mask = (1u64 << row_bits) - 1;
        tasks.par_iter().zip(slices.into_par_iter()).for_each(|(&(s, e), out)| {
            let mut k = 0;
            for r in s..e {
                let n = number(r);
                if n.is_empty() {
                    continue;
                }
                key_hashes(n, true, &pw, |h| {
                    out[k] = (h & !row_mask) | r as u64;
                    k += 1;
                });
            }
        });
        entries.par_sort_unstable();
        entries.dedup(); // a number with a repeated character has equal deletions
        entries.shrink_to_fit();
        // ~16 entries per bucket: buckets cost 4 bytes per 16 keys, a probe reads 1-2 cache lines.
        let hash_bits = 64 - row_bits;
        let bucket_bits = ((entries.len() / 16).max(1).ilog2()).clamp(4, 30).min(hash_bits);
        let mut buckets: Vec<u32> = huge_vec((1usize << bucket_bits) + 1);
        buckets.resize((1usize << bucket_bits) + 1, 0);
        for &e in &entries {
            buckets[(e >> (64 - bucket_bits)) as usize + 1] += 1;
        }
        for i in 1..buckets.len() {
            buckets[i] += buckets[i - 1];
        }
        DocumentIndex {
            numbers,
            offsets,
            types,
            countries,
            type_names,
            country_names,
            entries,
            buckets,
            row_bits,
            bucket_bits,
            pw,
        }
    }

    /// Rows (indexed or not).
    pub fn len(&self) -> usize {
        self.offsets.len() - 1
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn stats(&self) -> IndexStats {
        IndexStats {
            rows: self.len(),
            keys: self.entries.len(),
            entries_bytes: self.entries.len() * 8,
            buckets_bytes: self.buckets.len() * 4,
            arena_bytes: self.numbers.len() + self.offsets.len() * 4,
            codes_bytes: self.types.len() + self.countries.len() * 2,
        }
    }

    /// The cleaned number, type and country of a row.
    pub fn row(&self, r: u32) -> (&str, Option<&str>, Option<&str>) {
        let r = r as usize;
        let n = std::str::from_utf8(&self.numbers[self.offsets[r] as usize..self.offsets[r + 1] as usize]).unwrap_or("");
        let t = match self.types[r] {
            0 => None,
            c => Some(self.type_names.names[c as usize - 1].as_str()),
        };
        let c = match self.countries[r] {
            0 => None,
            c => Some(self.country_names.names[c as usize - 1].as_str()),
        };
        (n, t, c)
    }

    fn number(&self, r: u32) -> &[u8] {
        &self.numbers[self.offsets[r as usize] as usize..self.offsets[r as usize + 1] as usize]
    }

    /// Rows with a key whose hash matches `h` (possibly false positives), appended to `out`.
    #[inline]
    fn probe(&self, h: u64, out: &mut Vec<u32>) {
        let row_mask = (1u64 << self.row_bits) - 1;
        let target = h & !row_mask;
        let b = (h >> (64 - self.bucket_bits)) as usize;
        let bucket = &self.entries[self.buckets[b] as usize..self.buckets[b + 1] as usize];
        let start = bucket.partition_point(|&e| e < target);
        for &e in &bucket[start..] {
            if e & !row_mask != target {
                break;
            }
            out.push((e & row_mask) as u32);
        }
    }

    /// The listed rows matching one document, best explained first (exact, OCR, then edits).
    /// Without `fuzzy`, one probe: exact and OCR-confusion matches only.
    pub fn lookup(&self, q: &Probe<'_>, fuzzy: bool) -> Vec<DocMatch> {
        let mut out = Vec::new();
        self.lookup_into(q, fuzzy, &mut Scratch::default(), &mut out);
        out
    }

    /// `lookup`, appending to `out`, with buffers reused from one query to the next.
    pub fn lookup_into(&self, q: &Probe<'_>, fuzzy: bool, s: &mut Scratch, out: &mut Vec<DocMatch>) {
        let bytes = q.number.as_bytes();
        s.number.clear();
        if bytes.iter().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit()) {
            s.number.extend_from_slice(bytes);
        } else {
            s.number.extend_from_slice(&clean_number(bytes));
        }
        let number = &s.number;
        if number.is_empty() {
            return;
        }
        s.probes.clear();
        key_hashes(number, fuzzy, &self.pw, |h| s.probes.push(h));
        s.probes.sort_unstable();
        s.probes.dedup();
        s.rows.clear();
        for &h in &s.probes {
            self.probe(h, &mut s.rows);
        }
        if s.rows.len() > 1 {
            s.rows.sort_unstable();
            s.rows.dedup();
        }
        // A country not in the list conflicts with every listed country: code usize::MAX.
        let country = q.country.map(str::trim).filter(|c| !c.is_empty());
        let country = country.map(|c| self.country_names.lookup(&c.to_ascii_uppercase()).unwrap_or(usize::MAX));
        let type_letter = q.doc_type.and_then(|t| t.trim().bytes().next()).map(|b| b.to_ascii_lowercase());
        let start = out.len();
        for &r in &s.rows {
            let Some(mut m) = relate(number, self.number(r)) else { continue };
            if !fuzzy && !matches!(m.how, How::Exact | How::Ocr) {
                continue;
            }
            m.row = r;
            let listed_country = self.countries[r as usize] as usize;
            m.country = match (country, listed_country) {
                (_, 0) => CountryCheck::ListedMissing,
                (None, _) => CountryCheck::QueryMissing,
                (Some(c), l) if c == l => CountryCheck::Same,
                _ => CountryCheck::Conflict,
            };
            let listed_type = self.types[r as usize] as usize;
            if let (Some(t), true) = (type_letter, listed_type != 0) {
                let lt = self.type_names.names[listed_type - 1].as_bytes()[0].to_ascii_lowercase();
                m.type_conflict = t != lt;
            }
            out.push(m);
        }
        out[start..].sort_by_key(|m| (m.how as u8, m.country != CountryCheck::Same, m.type_conflict, m.row));
    }

    /// Many lookups in parallel (rayon): all matches flat, in query order, and per query the end of
    /// its matches in `matches` (offsets, so no allocation per query).
    pub fn lookup_batch(&self, queries: &[Probe<'_>], fuzzy: bool) -> BatchMatches {
        let parts: Vec<(Vec<u32>, Vec<DocMatch>)> = queries
            .par_chunks(1024)
            .map(|chunk| {
                let mut s = Scratch::default();
                let (mut ends, mut ms) = (Vec::with_capacity(chunk.len()), Vec::new());
                for q in chunk {
                    self.lookup_into(q, fuzzy, &mut s, &mut ms);
                    ends.push(ms.len() as u32);
                }
                (ends, ms)
            })
            .collect();
        let mut out = BatchMatches { offsets: Vec::with_capacity(queries.len() + 1), matches: Vec::new() };
        out.offsets.push(0);
        out.matches.reserve(parts.iter().map(|p| p.1.len()).sum());
        for (ends, ms) in parts {
            let base = out.matches.len();
            out.offsets.extend(ends.iter().map(|&e| base + e as usize));
            out.matches.extend(ms);
        }
        out
    }
}

/// Per-thread buffers of `lookup_into`.
#[derive(Default)]
pub struct Scratch {
    number: Vec<u8>,
    probes: Vec<u64>,
    rows: Vec<u32>,
}

/// The matches of a batch of queries: query i's are `matches[offsets[i]..offsets[i + 1]]`.
pub struct BatchMatches {
    pub offsets: Vec<usize>,
    pub matches: Vec<DocMatch>,
}

impl BatchMatches {
    pub fn len(&self) -> usize {
        self.offsets.len() - 1
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn get(&self, i: usize) -> &[DocMatch] {
        &self.matches[self.offsets[i]..self.offsets[i + 1]]
    }
}

/// How `listed` (a cleaned number) relates to the cleaned query: equal up to folding, or one edit
/// apart after loose folding; None when further apart (a hash collision or a distance-2 pair that
/// shares a deletion).
pub fn relate(query: &[u8], listed: &[u8]) -> Option<DocMatch> {
    let (q, l) = (query, listed);
    let lf = |s: &[u8], i: usize| loose_fold(s[i]);
    let mut m = DocMatch {
        row: 0,
        how: How::Exact,
        pos: 0,
        query_chars: Chars::default(),
        listed_chars: Chars::default(),
        confusions: 0,
        country: CountryCheck::Same,
        type_conflict: false,
    };
    // Confusions over aligned ranges: q[qa..qa+n] against l[la..la+n].
    let confusions = |qa: usize, la: usize, n: usize| -> u16 {
        (0..n).filter(|&i| q[qa + i] != l[la + i]).fold(0, |acc, i| acc | confusion_bit(q[qa + i], l[la + i]))
    };
    if q.len() == l.len() {
        let mut diffs = [0usize; 2];
        let mut nd = 0;
        for i in 0..q.len() {
            if lf(q, i) != lf(l, i) {
                if nd == 2 {
                    return None;
                }
                diffs[nd] = i;
                nd += 1;
            }
        }
        match nd {
            0 => {
                let strict = q.iter().zip(l).all(|(&a, &b)| strict_fold(a) == strict_fold(b));
                m.how = if strict { How::Exact } else { How::Ocr };
                m.confusions = confusions(0, 0, q.len());
            }
            1 => {
                let i = diffs[0];
                m.how = How::Substitution;
                m.pos = i as u16;
                m.query_chars = Chars::new(&[q[i]]);
                m.listed_chars = Chars::new(&[l[i]]);
                m.confusions = confusions(0, 0, i) | confusions(i + 1, i + 1, q.len() - i - 1);
            }
            _ => {
                let (i, j) = (diffs[0], diffs[1]);
                if j != i + 1 || lf(q, i) != lf(l, j) || lf(q, j) != lf(l, i) {
                    return None;
                }
                m.how = How::Transposition;
                m.pos = i as u16;
                m.query_chars = Chars::new(&[q[i], q[j]]);
                m.listed_chars = Chars::new(&[l[i], l[j]]);
                m.confusions = confusions(0, 0, i) | confusions(j + 1, j + 1, q.len() - j - 1);
            }
        }
        return Some(m);
    }
    // One character more on one side: the first mismatch is where it is, the rest must align.
    let (long, short, query_longer) = if q.len() == l.len() + 1 {
        (q, l, true)
    } else if l.len() == q.len() + 1 {
        (l, q, false)
    } else {
        return None;
    };
    let i = (0..short.len()).find(|&i| lf(long, i) != lf(short, i)).unwrap_or(short.len());
    if (i..short.len()).any(|k| lf(long, k + 1) != lf(short, k)) {
        return None;
    }
    m.pos = i as u16;
    if query_longer {
        m.how = How::Insertion;
        m.query_chars = Chars::new(&[q[i]]);
        m.confusions = confusions(0, 0, i) | confusions(i + 1, i, l.len() - i);
    } else {
        m.how = How::Deletion;
        m.listed_chars = Chars::new(&[l[i]]);
        m.confusions = confusions(0, 0, i) | confusions(i, i + 1, q.len() - i);
    }
    Some(m)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn idx() -> DocumentIndex {
        DocumentIndex::from_rows(&[
            ("X1234567", Some("passport"), Some("FR")),  // 0
            ("AB0001", Some("national_id"), Some("DE")), // 1
            ("P9999999", Some("passport"), None),        // 2
            ("C01X00T47", Some("passport"), Some("DE")), // 3: ICAO specimen
            ("L898902C3", Some("passport"), Some("UT")), // 4: ICAO specimen
            ("X1234567", Some("visa"), Some("US")),      // 5: same number, other issuer
            ("", None, None),                            // 6: empty, not indexed
        ])
    }

    fn look(ix: &DocumentIndex, n: &str, t: Option<&str>, c: Option<&str>, fuzzy: bool) -> Vec<DocMatch> {
        ix.lookup(&Probe { number: n, doc_type: t, country: c }, fuzzy)
    }

    #[test]
    fn folding_matches_python_keys() {
        let s = |f: fn(u8) -> u8, x: &str| String::from_utf8(x.bytes().map(f).collect()).unwrap();
        assert_eq!(s(strict_fold, "OQIL5SBZGD"), "001L5SBZGD");
        assert_eq!(s(loose_fold, "OQIL5SBZGD"), "0011558260");
        assert_eq!(clean_number(b"ab-12 3/c"), b"AB123C");
        assert_eq!(clean_number("é1".as_bytes()), "É1".as_bytes());
    }

    #[test]
    fn deletion_hash_equals_hash_of_the_shorter_string() {
        let pw = powers();
        let mut dels = Vec::new();
        key_hashes(b"AB12C", true, &pw, |h| dels.push(h));
        assert_eq!(dels.len(), 6);
        for (i, s) in ["B12C", "A12C", "AB2C", "AB1C", "AB12"].iter().enumerate() {
            let mut one = Vec::new();
            key_hashes(s.as_bytes(), false, &pw, |h| one.push(h));
            assert_eq!(one, vec![dels[i + 1]], "{s}");
        }
    }

    #[test]
    fn exact_with_country_and_type() {
        let ix = idx();
        let m = look(&ix, "x1234567", Some("passport"), Some("FR"), false);
        assert_eq!(m.len(), 2);
        assert_eq!((m[0].row, m[0].how, m[0].country, m[0].type_conflict), (0, How::Exact, CountryCheck::Same, false));
        assert_eq!((m[1].row, m[1].country, m[1].type_conflict), (5, CountryCheck::Conflict, true));
        let m = look(&ix, "X1234567", None, None, false);
        assert!(m.iter().all(|m| m.country == CountryCheck::QueryMissing));
        let m = look(&ix, "P9999999", Some("P"), Some("GB"), false);
        assert_eq!((m[0].row, m[0].country, m[0].type_conflict), (2, CountryCheck::ListedMissing, false));
        assert!(look(&ix, "X1234568", None, None, false).is_empty());
        assert!(look(&ix, "--", None, None, true).is_empty());
    }

    #[test]
    fn strict_folding_is_exact_with_confusions_named() {
        let ix = idx();
        let m = look(&ix, "CO1XOOT47", None, Some("DE"), false);
        assert_eq!((m[0].row, m[0].how), (3, How::Exact));
        assert_eq!(m[0].confusions, confusion_bit(b'O', b'0'));
    }

    #[test]
    fn ocr_confusions() {
        let ix = idx();
        let m = look(&ix, "A80OO1", None, Some("DE"), false); // B->8, 0->O
        assert_eq!((m[0].row, m[0].how), (1, How::Ocr));
        assert_eq!(m[0].confusions, confusion_bit(b'B', b'8') | confusion_bit(b'O', b'0'));
        let m = look(&ix, "X12345G7", None, None, false);
        assert!(m.iter().any(|m| m.row == 0 && m.how == How::Ocr));
    }

    #[test]
    fn edits_and_transpositions_only_when_fuzzy() {
        let ix = idx();
        assert!(look(&ix, "X1234576", None, None, false).is_empty());
        let m = look(&ix, "X1234576", None, Some("FR"), true);
        assert_eq!((m[0].row, m[0].how, m[0].pos), (0, How::Transposition, 6));
        assert_eq!((&m[0].query_chars[..], &m[0].listed_chars[..]), (&b"76"[..], &b"67"[..]));
        let m = look(&ix, "X1234967", None, Some("FR"), true);
        assert_eq!((m[0].how, m[0].pos, m[0].query_chars[0], m[0].listed_chars[0]), (How::Substitution, 5, b'9', b'5'));
        let m = look(&ix, "X12345677", None, Some("FR"), true);
        assert_eq!((m[0].row, m[0].how), (0, How::Insertion));
        let m = look(&ix, "X124567", None, Some("FR"), true);
        assert_eq!((m[0].row, m[0].how, m[0].pos, m[0].listed_chars[0]), (0, How::Deletion, 3, b'3'));
        // An edit plus OCR confusions elsewhere.
        let m = look(&ix, "L8989O2C4", None, None, true);
        assert_eq!((m[0].row, m[0].how), (4, How::Substitution));
        assert_eq!(m[0].confusions, confusion_bit(b'O', b'0'));
        // Two edits: no match.
        assert!(look(&ix, "X1234599", None, None, true).is_empty());
        assert!(look(&ix, "1234567", None, None, true).iter().all(|m| m.how == How::Deletion));
    }

    #[test]
    fn relate_rejects_distance_two_pairs_sharing_a_deletion() {
        // "XAB" and "ABY" share the deletion "AB" but are two edits apart.
        assert!(relate(b"XAB", b"ABY").is_none());
        assert!(relate(b"ABCD", b"BADC").is_none());
        assert_eq!(relate(b"AB", b"AB").unwrap().how, How::Exact);
    }

    #[test]
    fn chunks_offsets_and_nulls() {
        // Two chunks of a string column, the second sliced (offset 1), with a null.
        let data = b"AAA111BBB222";
        let offs: Vec<u8> = [0i32, 3, 6, 9, 12].iter().flat_map(|o| o.to_le_bytes()).collect();
        let valid = [0b1101u8]; // row 1 null
        let c1 = StrChunk::new(2, 0, None, Offsets::I32(&offs), data).unwrap(); // AAA, 111
        let c2 = StrChunk::new(3, 1, Some(&valid), Offsets::I32(&offs), data).unwrap(); // null, BBB, 222
        assert_eq!(c2.get(0), None);
        assert_eq!(c2.get(1), Some(&b"BBB"[..]));
        let ix = DocumentIndex::from_columns(&[c1, c2], None, None).unwrap();
        assert_eq!(ix.len(), 5);
        assert_eq!(look(&ix, "BBB", None, None, false)[0].row, 3);
        assert_eq!(look(&ix, "222", None, None, false)[0].row, 4);
        assert!(StrChunk::new(5, 0, None, Offsets::I32(&offs), data).is_err());
        assert!(StrChunk::new(4, 0, None, Offsets::I32(&offs), &data[..5]).is_err());
        let bad: Vec<u8> = [0i32, 5, 3].iter().flat_map(|o| o.to_le_bytes()).collect();
        assert!(StrChunk::new(2, 0, None, Offsets::I32(&bad), data).is_err());
    }

    #[test]
    fn many_rows_every_row_finds_itself_and_its_edits() {
        let mut nums = Vec::new();
        let mut state = 42u64;
        for _ in 0..20_000 {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            nums.push(format!("C{:08}", state >> 37 & 0x3FF_FFFF));
        }
        let rows: Vec<_> = nums.iter().map(|n| (n.as_str(), Some("passport"), Some("DE"))).collect();
        let ix = DocumentIndex::from_rows(&rows);
        let st = ix.stats();
        assert_eq!(st.rows, 20_000);
        assert!(st.keys > 9 * 20_000 && st.keys <= 10 * 20_000);
        for (r, n) in nums.iter().enumerate().step_by(97) {
            let m = look(&ix, n, None, Some("DE"), false);
            assert!(m.iter().any(|m| m.row == r as u32 && m.how == How::Exact), "{n}");
            let mut t = n.clone().into_bytes();
            t.swap(3, 4);
            if t[3] != t[4] {
                let t = String::from_utf8(t).unwrap();
                let m = look(&ix, &t, None, Some("DE"), true);
                assert!(m.iter().any(|m| m.row == r as u32 && m.how == How::Transposition), "{t}");
            }
        }
    }
}

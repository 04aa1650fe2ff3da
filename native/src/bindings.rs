//! The Python face of the native core (`engine._native`): the only file that knows about PyO3.
//!
//! Scalar functions serve tests and explanations; the `*_batch`, `cdist` and `NameIndex.search`
//! entry points take whole batches, release the GIL and spread the work over all cores.

use crate::{documents, index, names, orgs, phonetic, similarity, text};
use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use pyo3::pybacked::PyBackedStr;
use rayon::prelude::*;
use std::sync::{mpsc, Arc, Mutex};

fn parse_metric(name: &str) -> PyResult<similarity::Metric> {
    similarity::Metric::parse(name).ok_or_else(|| {
        let known: Vec<&str> = similarity::Metric::ALL.iter().map(|(n, _)| *n).collect();
        PyValueError::new_err(format!("unknown metric {name:?}; known: {}", known.join(", ")))
    })
}

// --- text ---------------------------------------------------------------------------------

#[pyfunction]
fn normalize(s: &str) -> String {
    text::normalize(s)
}

#[pyfunction]
fn icao_fold(s: &str) -> String {
    text::icao_fold(s)
}

#[pyfunction]
fn tokenize(s: &str) -> Vec<String> {
    text::tokenize(s)
}

#[pyfunction]
fn name_forms(s: &str) -> Vec<String> {
    text::name_forms(s)
}

#[pyfunction]
fn normalize_batch(py: Python<'_>, strings: Vec<PyBackedStr>) -> Vec<String> {
    py.detach(|| strings.par_iter().map(|s| text::normalize(s)).collect())
}

#[pyfunction]
fn icao_fold_batch(py: Python<'_>, strings: Vec<PyBackedStr>) -> Vec<String> {
    py.detach(|| strings.par_iter().map(|s| text::icao_fold(s)).collect())
}

// --- phonetic -----------------------------------------------------------------------------

#[pyfunction]
fn soundex(s: &str) -> String {
    phonetic::soundex(s)
}

#[pyfunction]
fn nysiis(s: &str) -> String {
    phonetic::nysiis(s)
}

#[pyfunction]
fn metaphone(s: &str) -> String {
    phonetic::metaphone(s)
}

#[pyfunction]
fn match_rating_codex(s: &str) -> String {
    phonetic::match_rating_codex(s)
}

#[pyfunction]
fn match_rating_comparison(a: &str, b: &str) -> Option<bool> {
    phonetic::match_rating_comparison(a, b)
}

#[pyfunction]
fn double_metaphone(s: &str) -> (String, String) {
    phonetic::double_metaphone(s)
}

#[pyfunction]
fn beider_morse(py: Python<'_>, s: &str) -> Vec<String> {
    let s = s.to_owned();
    py.detach(move || phonetic::beider_morse(&s))
}

#[pyfunction]
fn phonetic_batch(py: Python<'_>, algorithm: &str, strings: Vec<PyBackedStr>) -> PyResult<Vec<String>> {
    let f: fn(&str) -> String = match algorithm {
        "soundex" => phonetic::soundex,
        "nysiis" => phonetic::nysiis,
        "metaphone" => phonetic::metaphone,
        "match_rating_codex" => phonetic::match_rating_codex,
        "double_metaphone" => |s| phonetic::double_metaphone(s).0,
        _ => {
            return Err(PyValueError::new_err(format!(
                "unknown phonetic algorithm {algorithm:?}; known: soundex, nysiis, metaphone, \
                 match_rating_codex, double_metaphone"
            )))
        }
    };
    Ok(py.detach(|| strings.par_iter().map(|s| f(s)).collect()))
}

// --- similarity ---------------------------------------------------------------------------

#[pyfunction]
fn levenshtein_distance(a: &str, b: &str) -> usize {
    similarity::levenshtein_distance(a, b)
}

#[pyfunction]
fn levenshtein_normalized_similarity(a: &str, b: &str) -> f64 {
    similarity::levenshtein_normalized_similarity(a, b)
}

#[pyfunction]
fn osa_distance(a: &str, b: &str) -> usize {
    similarity::osa_distance(a, b)
}

#[pyfunction]
fn damerau_levenshtein_distance(a: &str, b: &str) -> usize {
    similarity::damerau_levenshtein_distance(a, b)
}

#[pyfunction]
fn damerau_levenshtein_normalized_similarity(a: &str, b: &str) -> f64 {
    similarity::damerau_levenshtein_normalized_similarity(a, b)
}

#[pyfunction]
fn hamming_distance(a: &str, b: &str) -> usize {
    similarity::hamming_distance(a, b)
}

#[pyfunction]
fn jaro_similarity(a: &str, b: &str) -> f64 {
    similarity::jaro_similarity(a, b)
}

#[pyfunction]
#[pyo3(signature = (a, b, prefix_weight = 0.1))]
fn jaro_winkler_similarity(a: &str, b: &str, prefix_weight: f64) -> PyResult<f64> {
    if !(0.0..=0.25).contains(&prefix_weight) {
        return Err(PyValueError::new_err("prefix_weight must lie in [0, 0.25]"));
    }
    Ok(similarity::jaro_winkler_similarity(a, b, prefix_weight))
}

#[pyfunction]
fn ratio(a: &str, b: &str) -> f64 {
    similarity::ratio(a, b)
}

#[pyfunction]
fn token_sort_ratio(a: &str, b: &str) -> f64 {
    similarity::token_sort_ratio(a, b)
}

#[pyfunction]
fn token_set_ratio(a: &str, b: &str) -> f64 {
    similarity::token_set_ratio(a, b)
}

#[pyfunction]
fn similarity_batch(py: Python<'_>, metric: &str, a: Vec<PyBackedStr>, b: Vec<PyBackedStr>) -> PyResult<Vec<f64>> {
    let m = parse_metric(metric)?;
    if a.len() != b.len() {
        return Err(PyValueError::new_err(format!("a has {} strings but b has {}", a.len(), b.len())));
    }
    Ok(py.detach(|| a.par_iter().zip(b.par_iter()).map(|(x, y)| m.compute(x, y)).collect()))
}

#[pyfunction]
fn cdist(py: Python<'_>, metric: &str, queries: Vec<PyBackedStr>, choices: Vec<PyBackedStr>) -> PyResult<Vec<Vec<f64>>> {
    let m = parse_metric(metric)?;
    let queries: Vec<&str> = queries.iter().map(|s| &**s).collect();
    let choices: Vec<&str> = choices.iter().map(|s| &**s).collect();
    Ok(py.detach(|| similarity::cdist(m, &queries, &choices)))
}

// --- names and the blocking index ---------------------------------------------------------

/// The explained outcome of `compare_names`.
#[pyclass(frozen, get_all, module = "engine._native")]
struct NameComparison {
    score: f64,
    pairs: Vec<(String, String, f64, String)>,
    unmatched_query: Vec<String>,
    unmatched_candidate: Vec<String>,
}

#[pymethods]
impl NameComparison {
    fn __repr__(&self) -> String {
        format!("NameComparison(score={:.4}, pairs={:?})", self.score, self.pairs)
    }
}

impl From<names::Alignment> for NameComparison {
    fn from(a: names::Alignment) -> Self {
        NameComparison {
            score: a.score,
            pairs: a.pairs.into_iter().map(|(q, c, s, k)| (q, c, s, k.as_str().to_owned())).collect(),
            unmatched_query: a.unmatched_query,
            unmatched_candidate: a.unmatched_candidate,
        }
    }
}

/// With the GIL held: one alignment takes microseconds, less than a busy server's threads take to
/// hand the GIL back (measured: releasing it here cost a streamed manifest 8-18% of its throughput).
#[pyfunction]
fn compare_names(query: &str, candidate: &str) -> NameComparison {
    names::compare(query, candidate).into()
}

/// The generic legal form of an organisation name (`Acme Co. Ltd.` -> `LLC`), if it has one.
#[pyfunction]
fn legal_form(name: &str) -> Option<String> {
    orgs::legal_form(name)
}

#[pyfunction]
fn compare_names_batch(py: Python<'_>, queries: Vec<PyBackedStr>, candidates: Vec<PyBackedStr>) -> PyResult<Vec<f64>> {
    if queries.len() != candidates.len() {
        return Err(PyValueError::new_err(format!(
            "queries has {} names but candidates has {}",
            queries.len(),
            candidates.len()
        )));
    }
    Ok(py.detach(|| queries.par_iter().zip(candidates.par_iter()).map(|(q, c)| names::compare(q, c).score).collect()))
}

/// Sets the threads of the search pool (0: one per core); searches under way finish on the old one.
#[pyfunction]
fn set_search_threads(threads: usize) -> PyResult<()> {
    crate::pool::set_search_threads(threads).map_err(|e| PyValueError::new_err(format!("the search pool could not start: {e}")))
}

/// Threads in the search pool.
#[pyfunction]
fn search_threads() -> usize {
    crate::pool::search_threads()
}

/// A name floor for every query, or one per query.
#[derive(FromPyObject)]
enum MinScore {
    All(f64),
    Each(Vec<f64>),
}

#[pyclass(frozen, module = "engine._native", name = "NameIndex")]
struct PyNameIndex {
    /// Shared with the searches running ahead ([`PendingSearch`]).
    inner: Arc<index::NameIndex>,
}

impl MinScore {
    /// One floor per query.
    fn per_query(self, queries: usize) -> PyResult<Vec<f64>> {
        match self {
            MinScore::All(f) => Ok(vec![f; queries]),
            MinScore::Each(v) if v.len() == queries => Ok(v),
            MinScore::Each(v) => Err(PyValueError::new_err(format!("min_score has {} floors for {queries} queries", v.len()))),
        }
    }
}

type Found = Vec<Vec<(u32, u32, f64)>>;

/// A batch search running on the thread pool (`NameIndex.search_ahead`); `wait` gives its result.
#[pyclass(frozen, module = "engine._native")]
struct PendingSearch {
    result: Mutex<Option<mpsc::Receiver<Option<Found>>>>,
}

#[pymethods]
impl PendingSearch {
    /// Blocks, the GIL released, until the search ends; its result can be taken once.
    fn wait(&self, py: Python<'_>) -> PyResult<Found> {
        let taken = self.result.lock().map_err(|_| PyRuntimeError::new_err("a search's result was lost"))?.take();
        let receiver = taken.ok_or_else(|| PyRuntimeError::new_err("this search's result was already taken"))?;
        match py.detach(move || receiver.recv()) {
            Ok(Some(found)) => Ok(found),
            _ => Err(PyRuntimeError::new_err("the search failed (a panic in the native core)")),
        }
    }
}

/// The birth years each entry of a list gives (`Screener`'s candidate facts), for a search to set aside
/// the candidates whose every listed year is `far` or more from the passenger's and whose name cannot
/// reach the report threshold with such a conflicting date (`far_floors`).
#[pyclass(frozen, module = "engine._native")]
struct BirthYears {
    inner: Arc<crate::index::OwnerYears>,
}

#[pymethods]
impl BirthYears {
    /// `offsets[i]..offsets[i + 1]`: entry i's years in `years` (an entry may list none); `far`: the years
    /// apart from which a birth date can only conflict (`engine.scoring.FAR_BIRTH_YEARS`).
    #[new]
    fn new(offsets: Vec<u32>, years: Vec<u16>, far: u16) -> PyResult<Self> {
        crate::index::OwnerYears::new(offsets, years, far).map(|inner| BirthYears { inner: Arc::new(inner) }).map_err(PyValueError::new_err)
    }

    fn __len__(&self) -> usize {
        self.inner.owners()
    }
}

#[pymethods]
impl PyNameIndex {
    #[new]
    fn new(py: Python<'_>, names: Vec<String>, owners: Vec<u32>) -> PyResult<Self> {
        if names.len() != owners.len() {
            return Err(PyValueError::new_err(format!(
                "names has {} entries but owners has {}",
                names.len(),
                owners.len()
            )));
        }
        Ok(PyNameIndex { inner: Arc::new(py.detach(|| index::NameIndex::build(&names, &owners))) })
    }

    fn __len__(&self) -> usize {
        self.inner.len()
    }

    #[getter]
    fn entry_count(&self) -> usize {
        self.inner.entry_count()
    }

    /// `min_score`: one floor for every query, or a list with one per query. `extra_names`: per query,
    /// names (their numbers) scored besides the index's candidates, kept past `limit` when they reach the floor.
    #[pyo3(signature = (queries, limit = 10, max_candidates = 100, min_score = MinScore::All(0.0), extra_names = None, birth_years = None, far_floors = None))]
    #[allow(clippy::too_many_arguments)]
    fn search(
        &self,
        py: Python<'_>,
        queries: Vec<String>,
        limit: usize,
        max_candidates: usize,
        min_score: MinScore,
        extra_names: Option<Vec<Vec<u32>>>,
        birth_years: Option<PyRef<'_, BirthYears>>,
        far_floors: Option<Vec<(u16, f64)>>,
    ) -> PyResult<Found> {
        self.search_ahead(queries, limit, max_candidates, min_score, extra_names, birth_years, far_floors)?.wait(py)
    }

    /// `search`, started on the thread pool and returned at once: the caller works on (weighs the
    /// last batch) while it runs, with no thread of its own waiting for the GIL to start it.
    #[pyo3(signature = (queries, limit = 10, max_candidates = 100, min_score = MinScore::All(0.0), extra_names = None, birth_years = None, far_floors = None))]
    #[allow(clippy::too_many_arguments)]
    fn search_ahead(
        &self,
        queries: Vec<String>,
        limit: usize,
        max_candidates: usize,
        min_score: MinScore,
        extra_names: Option<Vec<Vec<u32>>>,
        birth_years: Option<PyRef<'_, BirthYears>>,
        far_floors: Option<Vec<(u16, f64)>>,
    ) -> PyResult<PendingSearch> {
        let floors = min_score.per_query(queries.len())?;
        let extras = extra_names.unwrap_or_default();
        if !extras.is_empty() && extras.len() != queries.len() {
            return Err(PyValueError::new_err(format!("extra_names has {} lists but there are {} queries", extras.len(), queries.len())));
        }
        let names = self.inner.len();
        if let Some(bad) = extras.iter().flatten().find(|&&n| n as usize >= names) {
            return Err(PyValueError::new_err(format!("extra_names holds name {bad}; the index has {names}")));
        }
        let far = match (birth_years, far_floors) {
            (None, None) => None,
            (Some(years), Some(floors)) if floors.len() == queries.len() => Some((Arc::clone(&years.inner), floors)),
            (Some(_), Some(floors)) => {
                return Err(PyValueError::new_err(format!("far_floors has {} floors for {} queries", floors.len(), queries.len())))
            }
            _ => return Err(PyValueError::new_err("birth_years and far_floors go together")),
        };
        let (sender, receiver) = mpsc::sync_channel(1);
        self.inner.search_batch_spawned(queries, extras, limit, max_candidates, floors, move |mut found| {
            if let (Some(found), Some((years, floors))) = (found.as_mut(), far) {
                for (hits, &(year, floor)) in found.iter_mut().zip(&floors) {
                    years.set_aside_far(hits, year, floor);
                }
            }
            let _ = sender.send(found); // nobody waits if the PendingSearch was dropped
        });
        Ok(PendingSearch { result: Mutex::new(Some(receiver)) })
    }

    /// Sizes of the index's parts (rows, tokens, postings, keys, bytes of the flat arrays).
    fn stats(&self) -> std::collections::HashMap<&'static str, usize> {
        self.inner.stats().into_iter().collect()
    }

    /// `compare_names(query, text)` where `text` is the indexed name `name`: the same comparison, from
    /// the name's tokens as the index holds them (GIL held, as `compare_names`).
    fn compare_names(&self, query: &str, name: u32, text: &str) -> NameComparison {
        self.inner.compare_with_name(query, name, text).into()
    }

    /// Whether `compare_names(query, text)` may pair a nickname with its name (False: it does not).
    fn may_pair_nicknames(&self, query: &str, name: u32) -> bool {
        self.inner.may_pair_nicknames(query, name)
    }

    #[pyo3(signature = (query, max_candidates = 100))]
    fn candidates(&self, py: Python<'_>, query: &str, max_candidates: usize) -> Vec<u32> {
        let query = query.to_owned();
        py.detach(|| self.inner.candidates(&query, max_candidates))
    }

    /// The fingerprint of the names and owners the index was built from (`name_fingerprint`).
    #[getter]
    fn fingerprint(&self) -> u64 {
        self.inner.fingerprint()
    }

    /// Whether the index's arrays are memory-mapped from a file (`load`).
    #[getter]
    fn is_mapped(&self) -> bool {
        self.inner.is_mapped()
    }

    /// Writes the index to `path` (crash-safe: a temporary file, fsync, rename).
    fn save(&self, py: Python<'_>, path: std::path::PathBuf) -> PyResult<()> {
        py.detach(|| self.inner.save(&path)).map_err(index_file_error)
    }

    /// Maps an index file written by `save`; a damaged file raises ValueError saying what is wrong.
    #[staticmethod]
    fn load(py: Python<'_>, path: std::path::PathBuf) -> PyResult<Self> {
        let inner = py.detach(|| index::NameIndex::load(&path)).map_err(index_file_error)?;
        Ok(PyNameIndex { inner: Arc::new(inner) })
    }
}

/// A damaged index file is a ValueError; other I/O errors are the matching OSError.
fn index_file_error(e: std::io::Error) -> PyErr {
    if e.kind() == std::io::ErrorKind::InvalidData {
        PyValueError::new_err(e.to_string())
    } else {
        PyErr::from(e)
    }
}

/// The fingerprint a NameIndex built from these names and owners carries.
#[pyfunction]
fn name_fingerprint(py: Python<'_>, names: Vec<PyBackedStr>, owners: Vec<u32>) -> PyResult<u64> {
    if names.len() != owners.len() {
        return Err(PyValueError::new_err(format!("names has {} entries but owners has {}", names.len(), owners.len())));
    }
    Ok(py.detach(|| index::name_fingerprint(&names, &owners)))
}

// --- listed documents (native/src/documents.rs) ---------------------------------------------

/// The bytes of a buffer object: `bytes`, or anything with `address` and `size` (a pyarrow
/// `Buffer`, as `Array.buffers()` returns, memory-mapped or not). PyO3's buffer protocol needs
/// Python >= 3.11 under the abi3-py310 ABI, hence pyarrow's own address/size.
///
/// Safety of the pyarrow path: the slice borrows `obj`, which owns (or keeps alive) the memory
/// for as long as it lives; callers only use the slice while holding `obj`.
fn buffer_bytes<'a>(obj: &'a Bound<'_, PyAny>) -> PyResult<&'a [u8]> {
    if let Ok(b) = obj.cast::<pyo3::types::PyBytes>() {
        return Ok(b.as_bytes());
    }
    let address: usize = obj.getattr("address")?.extract()?;
    let size: usize = obj.getattr("size")?.extract()?;
    if let Ok(cpu) = obj.getattr("is_cpu") {
        if !cpu.extract::<bool>().unwrap_or(true) {
            return Err(PyValueError::new_err("buffer is not in CPU memory"));
        }
    }
    if size == 0 {
        return Ok(&[]);
    }
    if address == 0 {
        return Err(PyValueError::new_err("buffer has a null address"));
    }
    // SAFETY: see above; pyarrow guarantees `size` readable bytes at `address`.
    Ok(unsafe { std::slice::from_raw_parts(address as *const u8, size) })
}

/// One chunk as Python passes it: (length, offset, validity | None, offsets, data | None, large).
type ChunkSpec<'py> = (usize, usize, Option<Bound<'py, PyAny>>, Option<Bound<'py, PyAny>>, Option<Bound<'py, PyAny>>, bool);

fn str_chunks<'a>(specs: &'a [ChunkSpec<'_>], what: &str) -> PyResult<Vec<documents::StrChunk<'a>>> {
    let mut out = Vec::with_capacity(specs.len());
    for (i, (len, offset, validity, offsets, data, large)) in specs.iter().enumerate() {
        let err = |e: String| PyValueError::new_err(format!("{what} chunk {i}: {e}"));
        let validity = validity.as_ref().map(buffer_bytes).transpose()?;
        let offsets = offsets.as_ref().map(buffer_bytes).transpose()?.unwrap_or(&[]);
        let data = data.as_ref().map(buffer_bytes).transpose()?.unwrap_or(&[]);
        let offsets = if *large { documents::Offsets::I64(offsets) } else { documents::Offsets::I32(offsets) };
        out.push(documents::StrChunk::new(*len, *offset, validity, offsets, data).map_err(err)?);
    }
    Ok(out)
}

/// (row, how, pos, query chars, listed chars, confusion mask, country check, type conflict)
type DocMatchTuple = (u32, &'static str, u16, String, String, u16, &'static str, bool);

#[pyclass(frozen, module = "engine._native", name = "DocumentIndex")]
struct PyDocumentIndex {
    inner: documents::DocumentIndex,
}

#[pymethods]
impl PyDocumentIndex {
    #[staticmethod]
    #[pyo3(signature = (numbers, types = None, countries = None))]
    fn from_columns(
        py: Python<'_>,
        numbers: Vec<ChunkSpec<'_>>,
        types: Option<Vec<ChunkSpec<'_>>>,
        countries: Option<Vec<ChunkSpec<'_>>>,
    ) -> PyResult<Self> {
        let n = str_chunks(&numbers, "numbers")?;
        let t = types.as_deref().map(|t| str_chunks(t, "types")).transpose()?;
        let c = countries.as_deref().map(|c| str_chunks(c, "countries")).transpose()?;
        // The Bound buffer objects stay alive (owned by this frame) while the GIL is released.
        let inner = py
            .detach(|| documents::DocumentIndex::from_columns(&n, t.as_deref(), c.as_deref()))
            .map_err(PyValueError::new_err)?;
        Ok(PyDocumentIndex { inner })
    }

    fn __len__(&self) -> usize {
        self.inner.len()
    }

    fn row(&self, row: u32) -> PyResult<(String, Option<String>, Option<String>)> {
        if row as usize >= self.inner.len() {
            return Err(pyo3::exceptions::PyIndexError::new_err(format!("row {row} of {}", self.inner.len())));
        }
        let (n, t, c) = self.inner.row(row);
        Ok((n.to_owned(), t.map(str::to_owned), c.map(str::to_owned)))
    }

    fn stats(&self) -> std::collections::HashMap<&'static str, usize> {
        let s = self.inner.stats();
        let total = s.total_bytes();
        [
            ("rows", s.rows),
            ("keys", s.keys),
            ("entries_bytes", s.entries_bytes),
            ("buckets_bytes", s.buckets_bytes),
            ("arena_bytes", s.arena_bytes),
            ("codes_bytes", s.codes_bytes),
            ("total_bytes", total),
        ]
        .into_iter()
        .collect()
    }

    #[pyo3(signature = (numbers, types = None, countries = None, fuzzy = true))]
    fn lookup_batch(
        &self,
        py: Python<'_>,
        numbers: Vec<PyBackedStr>,
        types: Option<Vec<Option<PyBackedStr>>>,
        countries: Option<Vec<Option<PyBackedStr>>>,
        fuzzy: bool,
    ) -> PyResult<PyDocumentMatches> {
        for (name, len) in [("types", types.as_ref().map(Vec::len)), ("countries", countries.as_ref().map(Vec::len))] {
            if let Some(len) = len.filter(|&l| l != numbers.len()) {
                return Err(PyValueError::new_err(format!("{name} has {len} values, numbers has {}", numbers.len())));
            }
        }
        fn opt(v: &Option<Vec<Option<PyBackedStr>>>, i: usize) -> Option<&str> {
            v.as_ref().and_then(|v| v[i].as_deref())
        }
        let probes: Vec<documents::Probe<'_>> = (0..numbers.len())
            .map(|i| documents::Probe { number: &numbers[i], doc_type: opt(&types, i), country: opt(&countries, i) })
            .collect();
        let inner = py.detach(|| self.inner.lookup_batch(&probes, fuzzy));
        Ok(PyDocumentMatches { inner })
    }
}

fn match_tuple(m: &documents::DocMatch) -> DocMatchTuple {
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    (m.row, m.how.as_str(), m.pos, text(&m.query_chars), text(&m.listed_chars), m.confusions, m.country.as_str(), m.type_conflict)
}

/// The matches of a lookup batch, kept in Rust: Python objects are made only for the queries asked
/// for (most documents match nothing, and a million result lists would cost more than the lookups).
#[pyclass(frozen, module = "engine._native", name = "DocumentMatches")]
struct PyDocumentMatches {
    inner: documents::BatchMatches,
}

#[pymethods]
impl PyDocumentMatches {
    fn __len__(&self) -> usize {
        self.inner.len()
    }

    #[getter]
    fn total(&self) -> usize {
        self.inner.matches.len()
    }

    fn __getitem__(&self, i: isize) -> PyResult<Vec<DocMatchTuple>> {
        let n = self.inner.len() as isize;
        let j = if i < 0 { i + n } else { i };
        if !(0..n).contains(&j) {
            return Err(pyo3::exceptions::PyIndexError::new_err(format!("query {i} of {n}")));
        }
        Ok(self.inner.get(j as usize).iter().map(match_tuple).collect())
    }

    /// Indexes of the queries with at least one match.
    fn nonempty(&self) -> Vec<usize> {
        (0..self.inner.len()).filter(|&i| self.inner.offsets[i + 1] > self.inner.offsets[i]).collect()
    }

    /// Every query's matches as lists of tuples.
    fn to_lists(&self) -> Vec<Vec<DocMatchTuple>> {
        (0..self.inner.len()).map(|i| self.inner.get(i).iter().map(match_tuple).collect()).collect()
    }
}

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add(
        "SIMILARITY_METRICS",
        similarity::Metric::ALL.iter().map(|(n, _)| *n).collect::<Vec<_>>(),
    )?;
    m.add_function(wrap_pyfunction!(normalize, m)?)?;
    m.add_function(wrap_pyfunction!(icao_fold, m)?)?;
    m.add_function(wrap_pyfunction!(tokenize, m)?)?;
    m.add_function(wrap_pyfunction!(name_forms, m)?)?;
    m.add_function(wrap_pyfunction!(normalize_batch, m)?)?;
    m.add_function(wrap_pyfunction!(icao_fold_batch, m)?)?;
    m.add_function(wrap_pyfunction!(soundex, m)?)?;
    m.add_function(wrap_pyfunction!(nysiis, m)?)?;
    m.add_function(wrap_pyfunction!(metaphone, m)?)?;
    m.add_function(wrap_pyfunction!(match_rating_codex, m)?)?;
    m.add_function(wrap_pyfunction!(match_rating_comparison, m)?)?;
    m.add_function(wrap_pyfunction!(double_metaphone, m)?)?;
    m.add_function(wrap_pyfunction!(beider_morse, m)?)?;
    m.add_function(wrap_pyfunction!(phonetic_batch, m)?)?;
    m.add_function(wrap_pyfunction!(levenshtein_distance, m)?)?;
    m.add_function(wrap_pyfunction!(levenshtein_normalized_similarity, m)?)?;
    m.add_function(wrap_pyfunction!(osa_distance, m)?)?;
    m.add_function(wrap_pyfunction!(damerau_levenshtein_distance, m)?)?;
    m.add_function(wrap_pyfunction!(damerau_levenshtein_normalized_similarity, m)?)?;
    m.add_function(wrap_pyfunction!(hamming_distance, m)?)?;
    m.add_function(wrap_pyfunction!(jaro_similarity, m)?)?;
    m.add_function(wrap_pyfunction!(jaro_winkler_similarity, m)?)?;
    m.add_function(wrap_pyfunction!(ratio, m)?)?;
    m.add_function(wrap_pyfunction!(token_sort_ratio, m)?)?;
    m.add_function(wrap_pyfunction!(token_set_ratio, m)?)?;
    m.add_function(wrap_pyfunction!(similarity_batch, m)?)?;
    m.add_function(wrap_pyfunction!(cdist, m)?)?;
    m.add_function(wrap_pyfunction!(compare_names, m)?)?;
    m.add_function(wrap_pyfunction!(compare_names_batch, m)?)?;
    m.add_function(wrap_pyfunction!(legal_form, m)?)?;
    m.add_class::<NameComparison>()?;
    m.add_class::<PyNameIndex>()?;
    m.add_class::<PendingSearch>()?;
    m.add_class::<BirthYears>()?;
    m.add_function(wrap_pyfunction!(name_fingerprint, m)?)?;
    m.add_function(wrap_pyfunction!(set_search_threads, m)?)?;
    m.add_function(wrap_pyfunction!(search_threads, m)?)?;
    m.add_class::<PyDocumentIndex>()?;
    m.add_class::<PyDocumentMatches>()?;
    m.add(
        "DOCUMENT_CONFUSION_PAIRS",
        documents::CONFUSION_PAIRS.iter().map(|&(a, b)| format!("{}/{}", a as char, b as char)).collect::<Vec<_>>(),
    )?;
    Ok(())
}

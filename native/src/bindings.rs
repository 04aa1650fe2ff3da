//! The Python face of the native core (`engine._native`): the only file that knows about PyO3.
//!
//! Scalar functions serve tests and explanations; the `*_batch`, `cdist` and `NameIndex.search`
//! entry points take whole batches, release the GIL and spread the work over all cores.

use crate::{index, names, phonetic, similarity, text};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::pybacked::PyBackedStr;
use rayon::prelude::*;

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

#[pyfunction]
fn compare_names(query: &str, candidate: &str) -> NameComparison {
    names::compare(query, candidate).into()
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

#[pyclass(frozen, module = "engine._native", name = "NameIndex")]
struct PyNameIndex {
    inner: index::NameIndex,
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
        Ok(PyNameIndex { inner: py.detach(|| index::NameIndex::build(&names, &owners)) })
    }

    fn __len__(&self) -> usize {
        self.inner.len()
    }

    #[getter]
    fn entry_count(&self) -> usize {
        self.inner.entry_count()
    }

    #[pyo3(signature = (queries, limit = 10, max_candidates = 200, min_score = 0.0))]
    fn search(
        &self,
        py: Python<'_>,
        queries: Vec<String>,
        limit: usize,
        max_candidates: usize,
        min_score: f64,
    ) -> Vec<Vec<(u32, u32, f64)>> {
        py.detach(|| self.inner.search_batch(&queries, limit, max_candidates, min_score))
    }

    #[pyo3(signature = (query, max_candidates = 200))]
    fn candidates(&self, py: Python<'_>, query: &str, max_candidates: usize) -> Vec<u32> {
        let query = query.to_owned();
        py.detach(|| self.inner.candidates(&query, max_candidates))
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
    m.add_class::<NameComparison>()?;
    m.add_class::<PyNameIndex>()?;
    Ok(())
}

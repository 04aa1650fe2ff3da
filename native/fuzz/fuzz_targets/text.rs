//! Normalisation, transliteration, phonetic codes and similarities on any UTF-8: no panic, values in range.
#![no_main]
use _native::{phonetic, similarity as sim, text};
use libfuzzer_sys::fuzz_target;

fn unit(x: f64, top: f64, what: &str) {
    assert!(x.is_finite() && (-1e-9..=top + 1e-9).contains(&x), "{what} = {x}");
}

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else { return };
    let (a, b) = s.split_at(s.char_indices().nth(s.chars().count() / 2).map_or(s.len(), |(i, _)| i));
    for x in [a, b] {
        text::normalize(x);
        text::icao_fold(x);
        text::tokenize(x);
        text::name_forms(x);
        phonetic::soundex(x);
        phonetic::nysiis(x);
        phonetic::metaphone(x);
        phonetic::match_rating_codex(x);
        phonetic::double_metaphone(x);
        phonetic::beider_morse(x);
    }
    phonetic::match_rating_comparison(a, b);
    sim::levenshtein_distance(a, b);
    sim::osa_distance(a, b);
    sim::damerau_levenshtein_distance(a, b);
    sim::hamming_distance(a, b);
    unit(sim::levenshtein_normalized_similarity(a, b), 1.0, "levenshtein");
    unit(sim::damerau_levenshtein_normalized_similarity(a, b), 1.0, "damerau");
    unit(sim::jaro_similarity(a, b), 1.0, "jaro");
    unit(sim::jaro_winkler_similarity(a, b, 0.1), 1.0, "jaro_winkler");
    unit(sim::ratio(a, b), 100.0, "ratio");
    unit(sim::token_sort_ratio(a, b), 100.0, "token_sort_ratio");
    unit(sim::token_set_ratio(a, b), 100.0, "token_set_ratio");
});

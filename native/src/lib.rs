//! Interdict's native core: the hot work of watchlist screening.
//!
//! Pure Rust modules (usable and tested without Python):
//! - [`text`]: normalisation, transliteration, ICAO folding, tokenisation;
//! - [`scripts`]: Greek, Armenian, Hebrew and Japanese kana names as their passports write them;
//! - [`cjk`]: Korean and Japanese readings of names written in Han characters (extra name forms);
//! - [`phonetic`]: phonetic keys (jellyfish definitions, plus Double Metaphone / Beider-Morse);
//! - [`romanisation`]: one key for the McCune-Reischauer and Revised romanisations of a Korean syllable;
//! - [`mandarin`]: one key for the pinyin and Wade-Giles spellings of a Mandarin syllable;
//! - [`cyrillic`]: one reading for the Latin spellings of a name written in Cyrillic (Russian, Ukrainian, Caucasian);
//! - [`similarity`]: string similarities (rapidfuzz definitions) and token-based ratios;
//! - [`names`]: order-free token alignment of two person or organisation names;
//! - [`orgs`]: legal forms, stopwords and abbreviations of organisation names;
//! - [`index`]: the blocking index that proposes candidates for a query name (saved and memory-mapped);
//! - [`pool`]: the thread pool that name searches run on (sized apart from rayon's global pool);
//! - [`flat`]: flat arrays owned or borrowed from a memory-mapped file, and the file checksum;
//! - [`pages`]: huge pages for the large arrays a search reads at scattered places;
//! - [`documents`]: the listed-document index (exact, OCR-confusion and one-edit lookups).
//!
//! The Python bindings live in one file, `bindings.rs`, compiled only with the `python` feature.

pub mod cjk;
pub mod cyrillic;
pub mod documents;
pub mod flat;
pub mod index;
pub mod mandarin;
pub mod names;
pub mod orgs;
pub mod pages;
pub mod phonetic;
pub mod pool;
pub mod romanisation;
pub mod scripts;
pub mod similarity;
pub mod text;

#[cfg(feature = "python")]
mod bindings;

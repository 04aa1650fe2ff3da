//! The listed-document index from arbitrary rows, and lookups of arbitrary numbers: no panic, rows in range.
#![no_main]
use _native::documents::{DocumentIndex, Probe};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else { return };
    let (listed, queried) = s.split_once('\0').unwrap_or((s, ""));
    let fields: Vec<Vec<&str>> = listed.split('\n').take(64).map(|l| l.split('\t').collect()).collect();
    let rows: Vec<(&str, Option<&str>, Option<&str>)> =
        fields.iter().map(|f| (f[0], f.get(1).copied(), f.get(2).copied())).collect();
    let index = DocumentIndex::from_rows(&rows);
    let probes: Vec<Probe<'_>> = queried
        .split('\n')
        .take(8)
        .map(|q| {
            let mut f = q.split('\t');
            Probe { number: f.next().unwrap_or(""), doc_type: f.next(), country: f.next() }
        })
        .collect();
    for fuzzy in [false, true] {
        for p in &probes {
            for m in index.lookup(p, fuzzy) {
                assert!((m.row as usize) < rows.len(), "row {} of {}", m.row, rows.len());
            }
        }
        index.lookup_batch(&probes, fuzzy);
    }
});

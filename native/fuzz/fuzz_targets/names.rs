//! Name alignment and the blocking index built from arbitrary names: no panic, scores in [0, 1], hits that
//! name indexed rows of their owners, and a saved-then-loaded index answers as the built one.
#![no_main]
use _native::{index::NameIndex, names};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else { return };
    // "names\nnames\n...\x00queries\n..." ; queries are what the engine lets through (at most 64 words)
    let (listed, queried) = s.split_once('\0').unwrap_or((s, ""));
    let names: Vec<String> = listed.split('\n').take(32).map(|n| n.chars().take(200).collect()).collect();
    let owners: Vec<u32> = (0..names.len() as u32).map(|i| i / 2).collect();
    let queries: Vec<String> = queried
        .split('\n')
        .take(4)
        .map(|q| q.split_whitespace().take(64).collect::<Vec<_>>().join(" "))
        .filter(|q| _native::text::normalize(q).split_whitespace().count() <= 64)
        .collect();
    for q in &queries {
        for n in names.iter().take(4) {
            let a = names::compare(q, n);
            assert!(a.score.is_finite() && (0.0..=1.0 + 1e-9).contains(&a.score), "compare = {}", a.score);
        }
    }
    let index = NameIndex::build(&names, &owners);
    let path = std::env::temp_dir().join(format!("interdict-fuzz-names-{}.idx", std::process::id()));
    index.save(&path).expect("save");
    let back = NameIndex::load(&path).expect("load what was saved");
    assert_eq!(back.fingerprint(), index.fingerprint());
    for q in &queries {
        let hits = index.search(q, 5, 200, 0.0);
        assert!(hits.len() <= 5);
        for &(owner, row, score) in &hits {
            assert!((row as usize) < names.len() && owners[row as usize] == owner, "hit ({owner}, {row})");
            assert!(score.is_finite() && (0.0..=1.0 + 1e-9).contains(&score), "score {score}");
        }
        assert_eq!(back.search(q, 5, 200, 0.0), hits, "loaded index differs");
        for c in index.candidates(q, 300) {
            assert!((c as usize) < names.len());
        }
    }
});

//! NameIndex::load on any bytes (a damaged, truncated or forged index file): an error naming what is wrong,
//! or an index that answers searches without reading out of bounds (AddressSanitizer is watching).
#![no_main]
use _native::index::NameIndex;
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

/// A valid file to damage: most random bytes fail at the magic, so half the inputs are edits of this one.
fn valid() -> &'static [u8] {
    static VALID: OnceLock<Vec<u8>> = OnceLock::new();
    VALID.get_or_init(|| {
        let names: Vec<String> = ["Eric Badege", "Aiman al Zawahiri", "Jurgen Muller", "Abdul Rahman", "Tokyo Shoji"]
            .iter().map(|s| s.to_string()).collect();
        let path = std::env::temp_dir().join(format!("interdict-fuzz-valid-{}.idx", std::process::id()));
        NameIndex::build(&names, &[0, 1, 2, 3, 4]).save(&path).expect("save");
        std::fs::read(&path).expect("read")
    })
}

fuzz_target!(|data: &[u8]| {
    let bytes = match data.split_first() {
        Some((&op, edits)) if op & 1 == 0 => {
            let mut b = valid().to_vec();
            for e in edits.chunks(3) {
                if let [hi, lo, value] = *e {
                    let at = (usize::from(hi) << 8 | usize::from(lo)) % b.len();
                    b[at] = value;
                }
            }
            if op & 2 != 0 {
                b.truncate(usize::from(op) * b.len() / 256);
            }
            b
        }
        _ => data.to_vec(),
    };
    let path = std::env::temp_dir().join(format!("interdict-fuzz-file-{}.idx", std::process::id()));
    std::fs::write(&path, &bytes).expect("write");
    if let Ok(index) = NameIndex::load(&path) {
        for q in ["ERIC BADEGE", "ZAWAHIRI", "X"] {
            index.search(q, 5, 200, 0.0);
            index.candidates(q, 50);
        }
    }
});

//! Huge pages for the large arrays a search reads at scattered places.
//!
//! A search of a 1M-name index reads key tables, postings, rows and tokens (some 700 MB) at a few
//! thousand scattered places per query, and a document lookup probes 10M records at random. With
//! 4 KiB pages nearly every such read also misses the TLB and walks the page table (two levels of
//! it under a hypervisor), which costs more than the read itself; with 2 MiB pages the tables' page
//! entries fit the TLB. Linux backs ordinary allocations with huge pages only where asked
//! (`transparent_hugepage` set to `madvise`, as on many distributions), so the indexes ask for
//! their own arrays. A single-thread name search ran 5-7% faster with them
//! (benchmarks/test_bench_screening.py's queries, two processes side by side).

/// Asks the kernel to back the whole 2 MiB pages inside `s` with huge pages, now and from then on
/// (`MADV_HUGEPAGE`, then `MADV_COLLAPSE` for the pages already in memory). Advice only: where the
/// kernel cannot or will not (another OS, huge pages disabled, memory too fragmented, a mapped file
/// its filesystem cannot collapse), nothing changes, and the contents never do. Whether the kernel
/// collapsed them (false too when `s` holds no whole huge page).
pub fn prefer_huge_pages<T>(s: &[T]) -> bool {
    let (start, len) = (s.as_ptr() as *const u8, std::mem::size_of_val(s));
    advise(start, len, sys::MADV_HUGEPAGE);
    advise(start, len, sys::MADV_COLLAPSE)
}

/// An empty vector with room for `n` items, whose whole 2 MiB pages are asked to be huge before
/// any is touched (`MADV_HUGEPAGE`: the first write to each then takes a huge page, no collapse
/// needed). Fill it within its capacity, or it moves to memory that was never advised.
pub fn huge_vec<T>(n: usize) -> Vec<T> {
    let v = Vec::with_capacity(n);
    advise(v.as_ptr() as *const u8, n * std::mem::size_of::<T>(), sys::MADV_HUGEPAGE);
    v
}

/// `madvise(advice)` over the whole huge pages of `len` bytes at `start` (one allocation); whether
/// it was taken.
fn advise(start: *const u8, len: usize, advice: i32) -> bool {
    const HUGE: usize = 2 << 20;
    let start = start as usize;
    let (first, end) = (start.next_multiple_of(HUGE), (start + len) & !(HUGE - 1));
    // SAFETY: advice on whole pages within one allocation; neither advice changes its contents.
    end > first && unsafe { sys::madvise(first as *mut u8, end - first, advice) }
}

#[cfg(target_os = "linux")]
mod sys {
    pub const MADV_HUGEPAGE: i32 = libc::MADV_HUGEPAGE;
    /// Linux 6.1's; the libc crate names it for glibc targets only.
    pub const MADV_COLLAPSE: i32 = 25;

    pub unsafe fn madvise(at: *mut u8, len: usize, advice: i32) -> bool {
        libc::madvise(at as *mut libc::c_void, len, advice) == 0
    }
}

#[cfg(not(target_os = "linux"))]
mod sys {
    pub const MADV_HUGEPAGE: i32 = 0;
    pub const MADV_COLLAPSE: i32 = 0;

    pub unsafe fn madvise(_: *mut u8, _: usize, _: i32) -> bool {
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn value(i: usize) -> u64 {
        (i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15)
    }

    #[test]
    fn whole_huge_pages_are_collapsed_and_the_contents_kept() {
        let v: Vec<u64> = (0..3_000_000).map(value).collect(); // 24 MB: at least 10 whole huge pages
        let collapsed = prefer_huge_pages(&v);
        assert!(v.iter().enumerate().all(|(i, &x)| x == value(i)));
        // where the kernel offers them (transparent huge pages not `never`, Linux 6.1 or later for
        // MADV_COLLAPSE), it collapses them
        let offered = std::fs::read_to_string("/sys/kernel/mm/transparent_hugepage/enabled").is_ok_and(|s| !s.contains("[never]"));
        let release = std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap_or_default();
        let version: Vec<u32> = release.split(|c: char| !c.is_ascii_digit()).take(2).filter_map(|n| n.parse().ok()).collect();
        if offered && version.len() == 2 && (version[0], version[1]) >= (6, 1) {
            assert!(collapsed, "MADV_COLLAPSE refused: {}", std::io::Error::last_os_error());
        }
        // room asked for before it is touched
        let mut w: Vec<u64> = huge_vec(3_000_000);
        w.extend((0..3_000_000).map(value));
        assert!(w.iter().enumerate().all(|(i, &x)| x == value(i)));
        // less than a huge page, or nothing: nothing to ask
        assert!(!prefer_huge_pages(&v[..10]));
        assert!(!prefer_huge_pages::<u64>(&[]));
    }
}

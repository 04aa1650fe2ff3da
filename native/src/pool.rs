//! The thread pool that name searches run on, apart from rayon's global pool (index builds, document
//! lookups, batch similarities), so that a server can size it on its own.
//!
//! Why a server wants fewer search threads than cores: its Python part (the event loop, the
//! evidence weighed for each candidate, the response messages) runs under one lock, the GIL, and is
//! what the server's throughput waits on. A search thread for every core takes the core that Python
//! needs whenever both are busy; one core fewer leaves it free (measured on 2 cores: streamed
//! passengers +12%, passengers in chunks and in unary batches +15-20%).

use std::sync::{Arc, PoisonError, RwLock};

static SEARCH_POOL: RwLock<Option<Arc<rayon::ThreadPool>>> = RwLock::new(None);

fn build(threads: usize) -> Result<rayon::ThreadPool, rayon::ThreadPoolBuildError> {
    rayon::ThreadPoolBuilder::new().num_threads(threads).thread_name(|i| format!("interdict-search-{i}")).build()
}

/// The search pool: made on first use with rayon's default size (`RAYON_NUM_THREADS`, else one
/// thread per core), unless [`set_search_threads`] was called before.
pub fn search_pool() -> Arc<rayon::ThreadPool> {
    if let Some(pool) = SEARCH_POOL.read().unwrap_or_else(PoisonError::into_inner).as_ref() {
        return Arc::clone(pool);
    }
    let mut slot = SEARCH_POOL.write().unwrap_or_else(PoisonError::into_inner);
    Arc::clone(slot.get_or_insert_with(|| Arc::new(build(0).expect("the search thread pool could not start"))))
}

/// Replaces the search pool by one of `threads` threads (0: rayon's default). Searches under way
/// finish on the pool they started on, whose threads then end.
pub fn set_search_threads(threads: usize) -> Result<(), rayon::ThreadPoolBuildError> {
    let pool = Arc::new(build(threads)?);
    *SEARCH_POOL.write().unwrap_or_else(PoisonError::into_inner) = Some(pool);
    Ok(())
}

/// Threads in the search pool.
pub fn search_threads() -> usize {
    search_pool().current_num_threads()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pool_is_resized_and_runs_work_on_its_own_threads() {
        set_search_threads(3).unwrap();
        assert_eq!(search_threads(), 3);
        let pool = search_pool();
        let name = pool.install(|| std::thread::current().name().map(str::to_owned));
        assert_eq!(name.as_deref().map(|n| n.starts_with("interdict-search-")), Some(true));
        assert_eq!(pool.install(rayon::current_num_threads), 3);
        set_search_threads(1).unwrap();
        assert_eq!(search_threads(), 1);
        assert_eq!(pool.current_num_threads(), 3, "a pool in use is kept by its users");
    }
}

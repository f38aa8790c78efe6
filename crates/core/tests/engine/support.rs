//! Shared set-up of the engine's tests: where the bundled data is, one
//! engine over it (built once for the whole test binary), and the
//! third-party data beside the repository.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use yuesou_core::{Engine, EngineOptions, Hit, Resources, SearchRequest, SearchResponse};

/// The repository's root, which holds the bundled `data/`, `dictionaries/`
/// and the graded query sets `tests/*.tsv` (this crate is `crates/core`).
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The engine over the bundled catalogue (built once per test binary).
pub fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| {
        Engine::open(&EngineOptions::new(Resources::bundled(&root())))
            .expect("the bundled data loads")
    })
}

/// Searches the bundled catalogue with explanations on.
pub fn search(query: &str) -> SearchResponse {
    engine()
        .search(&SearchRequest::new(query).explain(true))
        .unwrap_or_else(|e| panic!("search {query:?} failed: {e}"))
}

/// Titles of the first `n` hits, for failure messages.
pub fn titles(hits: &[Hit], n: usize) -> Vec<String> {
    hits.iter()
        .take(n)
        .map(|h| format!("{} ({})", h.title, h.region_name))
        .collect()
}

/// Path of the third-party data shared beside the repository
/// (`../shared/data`), if present; when absent, says so and the caller
/// skips its test.
pub fn shared_data(relative: &str) -> Option<PathBuf> {
    let path = root().join("../shared/data").join(relative);
    if path.is_file() {
        Some(path)
    } else {
        eprintln!(
            "SKIPPED: {} is absent (third-party data is read at test time only)",
            path.display()
        );
        None
    }
}

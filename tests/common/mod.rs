//! Shared set-up of the integration tests: one engine over the bundled data
//! per test binary.

#![allow(dead_code)]

use std::sync::OnceLock;

use yuesou::{Engine, EngineOptions, Hit, Resources, SearchRequest, SearchResponse};

/// The engine over the bundled catalogue (built once per test binary).
pub fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| {
        Engine::open(&EngineOptions::new(Resources::bundled(
            &yuesou::bundled_root(),
        )))
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

/// Path of the third-party data shared beside the repository, if present.
pub fn shared_data(relative: &str) -> Option<std::path::PathBuf> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/data")
        .join(relative);
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

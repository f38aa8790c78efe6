//! # Yuesou (粤搜)
//!
//! A search engine and daemon for a provincial government-services app: Chinese
//! full-text search over service items with a government thesaurus, stop and
//! banned words, filters, facets and category grouping.
//!
//! This facade re-exports the engine ([`yuesou_core`]), the personal centre
//! ([`centre`]) and the HTTP daemon ([`server`]), and knows where the
//! bundled data lives.
//!
//! ```no_run
//! use yuesou::{Engine, EngineOptions, Resources, SearchRequest};
//!
//! let engine = Engine::open(&EngineOptions::new(Resources::bundled(&yuesou::bundled_root())))?;
//! for hit in engine.search(&SearchRequest::new("社保卡补换"))?.hits {
//!     println!("{} {} ({})", hit.id, hit.title, hit.region_name);
//! }
//! # Ok::<(), yuesou::Error>(())
//! ```

use std::path::{Path, PathBuf};

pub use yuesou_centre as centre;
pub use yuesou_core::*;
pub use yuesou_server as server;

/// Environment variable naming the directory that holds `data/` and
/// `dictionaries/`.
pub const HOME_ENV: &str = "YUESOU_HOME";

/// The directory holding the bundled `data/` and `dictionaries/`: `$YUESOU_HOME`
/// if set, else the current directory if it has them, else the source tree
/// this binary was built from.
pub fn bundled_root() -> PathBuf {
    if let Some(home) = std::env::var_os(HOME_ENV) {
        return PathBuf::from(home);
    }
    let has_data = |dir: &Path| dir.join("data/catalogue.jsonl").is_file();
    match std::env::current_dir() {
        Ok(cwd) if has_data(&cwd) => cwd,
        _ => PathBuf::from(env!("CARGO_MANIFEST_DIR")),
    }
}

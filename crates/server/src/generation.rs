//! The engine being served: one immutable [`Generation`] (engine, response
//! cache, filter vocabulary) behind an atomic pointer. A reload builds a new
//! generation aside and swaps it in; requests in flight keep the `Arc` of the
//! one they started on.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::SystemTime;

use arc_swap::ArcSwapOption;
use yuesou_core::Engine;

use crate::cache::ResponseCache;
use crate::features::reading::Reading;

/// One loaded engine and everything scoped to it.
#[derive(Debug)]
pub struct Generation {
    /// 1 for the engine loaded at start, +1 per successful reload.
    pub number: u64,
    /// The engine.
    pub engine: Arc<Engine>,
    /// Responses computed by this engine.
    pub cache: ResponseCache,
    /// Known filter values, to name the offending parameter in errors.
    pub vocabulary: Vocabulary,
    /// When it was swapped in.
    pub loaded_at: SystemTime,
    /// How recent queries read (for history and hot searches when their
    /// answer comes from the response cache), by query and `correct` flag.
    pub readings: quick_cache::sync::Cache<(String, bool), Option<Arc<Reading>>>,
}

/// Query readings remembered per generation.
const READINGS_REMEMBERED: usize = 20_000;

/// The category, theme and department values of a catalogue.
#[derive(Debug, Default)]
pub struct Vocabulary {
    /// 分类 values.
    pub categories: BTreeSet<String>,
    /// 主题 values.
    pub themes: BTreeSet<String>,
    /// 实施部门 values.
    pub departments: BTreeSet<String>,
}

impl Vocabulary {
    fn of(engine: &Engine) -> Self {
        let mut v = Vocabulary::default();
        for item in engine.catalogue().items() {
            v.categories.insert(item.category.clone());
            v.themes.insert(item.theme.clone());
            v.departments.insert(item.department.clone());
        }
        v
    }
}

/// The slot holding the current generation (empty until the first load).
#[derive(Debug)]
pub struct EngineSlot {
    current: ArcSwapOption<Generation>,
    last_number: AtomicU64,
    cache_bytes: u64,
}

impl EngineSlot {
    /// An empty slot; each generation gets a response cache of
    /// `cache_bytes` (0: none).
    pub fn new(cache_bytes: u64) -> Self {
        EngineSlot {
            current: ArcSwapOption::empty(),
            last_number: AtomicU64::new(0),
            cache_bytes,
        }
    }

    /// The generation serving now, if any.
    pub fn current(&self) -> Option<Arc<Generation>> {
        self.current.load_full()
    }

    /// Whether an engine is loaded.
    pub fn is_ready(&self) -> bool {
        self.current.load().is_some()
    }

    /// Swaps `engine` in as the next generation and returns it. The previous
    /// generation (and its cache) is dropped once its last request finishes.
    pub fn install(&self, engine: Arc<Engine>) -> Arc<Generation> {
        let number = self.last_number.fetch_add(1, Ordering::SeqCst) + 1;
        let generation = Arc::new(Generation {
            number,
            vocabulary: Vocabulary::of(&engine),
            engine,
            cache: ResponseCache::new(self.cache_bytes),
            loaded_at: SystemTime::now(),
            readings: quick_cache::sync::Cache::new(READINGS_REMEMBERED),
        });
        self.current.store(Some(generation.clone()));
        generation
    }
}

//! A bounded cache of serialised JSON responses, keyed by the canonical
//! request. One cache belongs to one engine generation (see
//! [`crate::generation`]), so a reload starts with an empty cache and a stale
//! answer can never be served.

use axum::body::Bytes;
use quick_cache::Weighter;
use quick_cache::sync::Cache;

/// Rough size of a cached search response, to size the cache's tables.
const TYPICAL_ENTRY_BYTES: u64 = 8 * 1024;
/// Book-keeping cost per entry on top of key and value.
const ENTRY_OVERHEAD: u64 = 64;

#[derive(Clone, Copy)]
struct ByteWeighter;

impl Weighter<String, Bytes> for ByteWeighter {
    fn weight(&self, key: &String, value: &Bytes) -> u64 {
        key.len() as u64 + value.len() as u64 + ENTRY_OVERHEAD
    }
}

/// Serialised responses by canonical request, bounded by bytes (S3-FIFO
/// eviction, from `quick_cache`). A budget of 0 disables it.
pub struct ResponseCache {
    inner: Option<Cache<String, Bytes, ByteWeighter>>,
}

impl std::fmt::Debug for ResponseCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ResponseCache")
            .field("enabled", &self.inner.is_some())
            .field("entries", &self.len())
            .finish()
    }
}

impl ResponseCache {
    /// A cache holding at most `budget_bytes` of keys and responses.
    pub fn new(budget_bytes: u64) -> Self {
        if budget_bytes == 0 {
            return ResponseCache { inner: None };
        }
        let items = (budget_bytes / TYPICAL_ENTRY_BYTES).clamp(16, 1 << 20) as usize;
        ResponseCache {
            inner: Some(Cache::with_weighter(items, budget_bytes, ByteWeighter)),
        }
    }

    /// Whether the cache is on.
    pub fn enabled(&self) -> bool {
        self.inner.is_some()
    }

    /// The cached response for `key`.
    pub fn get(&self, key: &str) -> Option<Bytes> {
        self.inner.as_ref()?.get(key)
    }

    /// Remembers a response.
    pub fn insert(&self, key: String, value: Bytes) {
        if let Some(cache) = &self.inner {
            cache.insert(key, value);
        }
    }

    /// Number of cached responses.
    pub fn len(&self) -> usize {
        self.inner.as_ref().map_or(0, |c| c.len())
    }

    /// Whether nothing is cached.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Bytes in use.
    pub fn weight(&self) -> u64 {
        self.inner.as_ref().map_or(0, |c| c.weight())
    }
}

/// Builds canonical cache keys: a route tag then `name=value` parts separated
/// by a control character (which no accepted value contains).
#[derive(Debug)]
pub struct KeyBuilder(String);

impl KeyBuilder {
    /// A key for this route.
    pub fn new(route: &str) -> Self {
        let mut key = String::with_capacity(64);
        key.push_str(route);
        KeyBuilder(key)
    }

    /// Adds a part (absent values are written as nothing but still separate
    /// fields, so `a=,b=x` and `a=x,b=` differ).
    pub fn part(mut self, value: impl std::fmt::Display) -> Self {
        use std::fmt::Write;
        self.0.push('\u{1f}');
        let _ = write!(self.0, "{value}");
        self
    }

    /// Adds an optional part.
    pub fn opt(self, value: Option<impl std::fmt::Display>) -> Self {
        match value {
            Some(v) => self.part(format_args!("+{v}")),
            None => self.part("-"),
        }
    }

    /// The key.
    pub fn build(self) -> String {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_zero_budget_disables_the_cache() {
        let cache = ResponseCache::new(0);
        cache.insert("k".into(), Bytes::from_static(b"v"));
        assert!(!cache.enabled());
        assert_eq!(cache.get("k"), None);
    }

    #[test]
    fn the_byte_budget_bounds_the_cache() {
        let cache = ResponseCache::new(64 * 1024);
        for n in 0..1000 {
            cache.insert(format!("key{n}"), Bytes::from(vec![b'x'; 1024]));
        }
        assert!(cache.weight() <= 64 * 1024, "{}", cache.weight());
        assert!(cache.len() < 1000 && !cache.is_empty());
        cache.insert("hot".into(), Bytes::from_static(b"{}"));
        assert_eq!(cache.get("hot").as_deref(), Some(&b"{}"[..]));
    }

    #[test]
    fn keys_keep_fields_apart() {
        let a = KeyBuilder::new("s")
            .opt(None::<&str>)
            .opt(Some("x"))
            .build();
        let b = KeyBuilder::new("s")
            .opt(Some("x"))
            .opt(None::<&str>)
            .build();
        let c = KeyBuilder::new("s").opt(Some("")).opt(Some("x")).build();
        assert_ne!(a, b);
        assert_ne!(a, c);
    }
}

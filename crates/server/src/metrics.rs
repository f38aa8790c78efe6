//! Prometheus metrics (`prometheus-client`, OpenMetrics text at `/metrics`).
//!
//! Request metrics are labelled by route *template* (`/api/v1/items/{id}`),
//! never by raw path, so label cardinality is bounded by the router.

use std::sync::Arc;
use std::time::Duration;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::{Registry, Unit};

use crate::generation::Generation;
use crate::reload::history::ReloadOutcome;

/// Label of requests that matched no route.
pub const UNMATCHED_ROUTE: &str = "unmatched";

/// Latency buckets, in seconds: 50 µs to 5 s.
const LATENCY_BUCKETS: [f64; 16] = [
    0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0,
    2.5, 5.0,
];

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    route: Arc<str>,
    method: &'static str,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    route: Arc<str>,
    method: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct OutcomeLabels {
    outcome: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct CacheLabels {
    route: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct EngineLabels {
    fingerprint: String,
}

type LatencyFamily = Family<RouteLabels, Histogram, fn() -> Histogram>;

struct Inner {
    registry: Registry,
    /// The router's route templates, registered when the router is built.
    routes: std::sync::OnceLock<Vec<Arc<str>>>,
    requests: Family<RequestLabels, Counter>,
    latency: LatencyFamily,
    in_flight: Gauge,
    ready: Gauge,
    index_items: Gauge,
    index_docs: Gauge,
    generation: Gauge,
    engine_info: Family<EngineLabels, Gauge>,
    reloads: Family<OutcomeLabels, Counter>,
    reload_failures: Counter,
    reload_duration: Histogram,
    last_reload: Gauge<f64, std::sync::atomic::AtomicU64>,
    cache_hits: Family<CacheLabels, Counter>,
    cache_misses: Family<CacheLabels, Counter>,
    cache_entries: Gauge,
    cache_bytes: Gauge,
}

/// The daemon's metrics. Cheap to clone (shared).
#[derive(Clone)]
pub struct Metrics(Arc<Inner>);

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Metrics").finish_non_exhaustive()
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}

impl Metrics {
    /// Metrics with no route templates known yet (every request counts as
    /// unmatched until [`Metrics::register_routes`]).
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix("yuesou");
        let requests = Family::<RequestLabels, Counter>::default();
        registry.register(
            "http_requests",
            "HTTP requests answered, by route template, method and status",
            requests.clone(),
        );
        let latency: LatencyFamily =
            Family::new_with_constructor(|| Histogram::new(LATENCY_BUCKETS));
        registry.register_with_unit(
            "http_request_duration",
            "Time to answer a request, by route template and method",
            Unit::Seconds,
            latency.clone(),
        );
        let in_flight = Gauge::default();
        registry.register(
            "http_requests_in_flight",
            "Requests being answered",
            in_flight.clone(),
        );
        let ready = Gauge::default();
        registry.register("ready", "1 when an engine is loaded", ready.clone());
        let index_items = Gauge::default();
        registry.register(
            "index_items",
            "Service items in the catalogue being served",
            index_items.clone(),
        );
        let index_docs = Gauge::default();
        registry.register(
            "index_docs",
            "Documents in the full-text index being served",
            index_docs.clone(),
        );
        let generation = Gauge::default();
        registry.register(
            "engine_generation",
            "Generation of the engine being served (1 at start, +1 per reload)",
            generation.clone(),
        );
        let engine_info = Family::<EngineLabels, Gauge>::default();
        registry.register(
            "engine",
            "Fingerprint of the inputs of the engine being served (value 1)",
            engine_info.clone(),
        );
        let reloads = Family::<OutcomeLabels, Counter>::default();
        registry.register(
            "reloads",
            "Reload attempts, by outcome (reloaded, unchanged, failed)",
            reloads.clone(),
        );
        let reload_failures = Counter::default();
        registry.register(
            "reload_failures",
            "Reloads that failed (the previous engine kept serving)",
            reload_failures.clone(),
        );
        let reload_duration = Histogram::new([0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0]);
        registry.register_with_unit(
            "reload_duration",
            "Time to build an engine",
            Unit::Seconds,
            reload_duration.clone(),
        );
        let last_reload = Gauge::<f64, std::sync::atomic::AtomicU64>::default();
        registry.register(
            "last_reload_timestamp_seconds",
            "Unix time the engine being served was swapped in",
            last_reload.clone(),
        );
        let cache_hits = Family::<CacheLabels, Counter>::default();
        registry.register(
            "cache_hits",
            "Responses served from the response cache",
            cache_hits.clone(),
        );
        let cache_misses = Family::<CacheLabels, Counter>::default();
        registry.register(
            "cache_misses",
            "Cacheable responses computed by the engine",
            cache_misses.clone(),
        );
        let cache_entries = Gauge::default();
        registry.register(
            "cache_entries",
            "Responses in the current generation's cache",
            cache_entries.clone(),
        );
        let cache_bytes = Gauge::default();
        registry.register_with_unit(
            "cache_size",
            "Bytes held by the current generation's cache",
            Unit::Bytes,
            cache_bytes.clone(),
        );
        Metrics(Arc::new(Inner {
            registry,
            routes: std::sync::OnceLock::new(),
            requests,
            latency,
            in_flight,
            ready,
            index_items,
            index_docs,
            generation,
            engine_info,
            reloads,
            reload_failures,
            reload_duration,
            last_reload,
            cache_hits,
            cache_misses,
            cache_entries,
            cache_bytes,
        }))
    }

    /// The route templates of the router (the first registration counts:
    /// one router per daemon).
    pub fn register_routes<'a>(&self, routes: impl IntoIterator<Item = &'a str>) {
        let _ = self
            .0
            .routes
            .set(routes.into_iter().map(Arc::from).collect());
    }

    /// The interned label of a route template (unknown ones count as
    /// unmatched, keeping cardinality bounded).
    fn route(&self, template: Option<&str>) -> Arc<str> {
        let inner = &self.0;
        template
            .and_then(|t| inner.routes.get()?.iter().find(|r| &***r == t))
            .cloned()
            .unwrap_or_else(|| Arc::from(UNMATCHED_ROUTE))
    }

    /// A request started.
    pub fn request_started(&self) {
        self.0.in_flight.inc();
    }

    /// A request was answered.
    pub fn request_finished(
        &self,
        template: Option<&str>,
        method: &'static str,
        status: u16,
        elapsed: Duration,
    ) {
        let route = self.route(template);
        self.0.in_flight.dec();
        self.0
            .latency
            .get_or_create(&RouteLabels {
                route: route.clone(),
                method,
            })
            .observe(elapsed.as_secs_f64());
        self.0
            .requests
            .get_or_create(&RequestLabels {
                route,
                method,
                status,
            })
            .inc();
    }

    /// A cache lookup on `route` hit or missed.
    pub fn cache_lookup(&self, route: &'static str, hit: bool) {
        let family = if hit {
            &self.0.cache_hits
        } else {
            &self.0.cache_misses
        };
        family.get_or_create(&CacheLabels { route }).inc();
    }

    /// A reload attempt ended.
    pub fn reload_finished(&self, outcome: ReloadOutcome, elapsed: Duration) {
        self.0
            .reloads
            .get_or_create(&OutcomeLabels {
                outcome: outcome.as_str(),
            })
            .inc();
        if outcome == ReloadOutcome::Failed {
            self.0.reload_failures.inc();
        }
        if outcome != ReloadOutcome::Unchanged {
            self.0.reload_duration.observe(elapsed.as_secs_f64());
        }
    }

    /// A new generation is being served.
    pub fn engine_installed(&self, generation: &Generation) {
        let engine = &generation.engine;
        self.0.ready.set(1);
        self.0.index_items.set(engine.catalogue().len() as i64);
        self.0.index_docs.set(engine.index_size() as i64);
        self.0.generation.set(generation.number as i64);
        self.0.engine_info.clear();
        self.0
            .engine_info
            .get_or_create(&EngineLabels {
                fingerprint: engine.fingerprint().to_string(),
            })
            .set(1);
        let since_epoch = generation
            .loaded_at
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default();
        self.0.last_reload.set(since_epoch.as_secs_f64());
    }

    /// The OpenMetrics text exposition, with the cache gauges of `current`.
    pub fn encode(&self, current: Option<&Generation>) -> String {
        let (entries, bytes) = current.map_or((0, 0), |g| (g.cache.len(), g.cache.weight()));
        self.0.cache_entries.set(entries as i64);
        self.0.cache_bytes.set(bytes as i64);
        let mut out = String::with_capacity(8 * 1024);
        // Writing into a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut out, &self.0.registry);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_are_counted_by_template_and_unknown_routes_collapse() {
        let metrics = Metrics::new();
        metrics.register_routes(["/api/v1/items/{id}"]);
        for template in [Some("/api/v1/items/{id}"), Some("/x/1"), Some("/x/2"), None] {
            metrics.request_started();
            metrics.request_finished(template, "GET", 200, Duration::from_micros(300));
        }
        let text = metrics.encode(None);
        assert!(
            text.contains(
                "yuesou_http_requests_total{route=\"/api/v1/items/{id}\",method=\"GET\",status=\"200\"} 1"
            ),
            "{text}"
        );
        assert!(
            text.contains(
                "yuesou_http_requests_total{route=\"unmatched\",method=\"GET\",status=\"200\"} 3"
            ),
            "{text}"
        );
        assert!(text.contains("yuesou_http_request_duration_seconds_bucket"));
        assert!(text.contains("yuesou_http_requests_in_flight 0"));
    }

    #[test]
    fn reload_failures_are_counted() {
        let metrics = Metrics::new();
        metrics.reload_finished(ReloadOutcome::Failed, Duration::from_millis(5));
        metrics.reload_finished(ReloadOutcome::Reloaded, Duration::from_millis(5));
        let text = metrics.encode(None);
        assert!(text.contains("yuesou_reload_failures_total 1"), "{text}");
        assert!(text.contains("yuesou_reloads_total{outcome=\"failed\"} 1"));
        assert!(text.contains("yuesou_reloads_total{outcome=\"reloaded\"} 1"));
    }
}

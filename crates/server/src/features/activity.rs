//! What people search, remembered: each person's search history (搜索历史)
//! and the hot searches (热门搜索) everyone shares.
//!
//! The search path only appends to an in-memory batch (a mutex, a hash and
//! a push: no I/O). A background task writes the batch to the personal
//! centre's database every couple of seconds and recomputes the hot list
//! from the shared hourly counts, so every replica on one database shows
//! the same list and counts each person once. Reads that must see the
//! caller's own writes (the history routes) flush first.

use std::collections::{BTreeMap, HashSet};
use std::hash::BuildHasher;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use arc_swap::ArcSwap;
use serde::Serialize;
use utoipa::ToSchema;
use yuesou_centre::identity::contains_personal_number;
use yuesou_centre::{
    Centre, CentreError, HOUR_MS, HotAction, HotRule, HotSighting, SearchRecord, Subject,
};
use yuesou_core::Engine;

pub use super::reading::{Reading, key_of};

/// The share of a hot candidate's words its best service must cover: a
/// reading with words the catalogue does not know (a person's name, an
/// address) is never shown to everyone, however many people searched it.
const HOT_MIN_COVERAGE: f32 = 0.9;

/// Entries the hot list keeps (the route shows the first `limit`).
pub const HOT_LIST_LEN: usize = 50;

/// Local once-per-day memory of (client, query) pairs; beyond this many the
/// set is cleared (the database still counts each pair once).
const LOCAL_SEEN_CAP: usize = 1_000_000;

/// A batch this large wakes the writer before its interval.
const EAGER_FLUSH: usize = 2_048;

/// How the hot list is computed.
#[derive(Debug, Clone, PartialEq)]
pub struct HotSettings {
    /// The sliding window, in hours.
    pub window_hours: i64,
    /// Half-life of a search's weight, in hours (time decay).
    pub half_life_hours: f64,
    /// Distinct people a query needs in the window to be listed.
    pub min_people: i64,
    /// How often the list is recomputed.
    pub refresh: Duration,
    /// How often the batch of searches is written.
    pub flush: Duration,
}

impl Default for HotSettings {
    fn default() -> Self {
        HotSettings {
            window_hours: 24,
            half_life_hours: 6.0,
            min_people: 3,
            refresh: Duration::from_secs(10),
            flush: Duration::from_secs(2),
        }
    }
}

/// Whether the catalogue covers (nearly) every word of `text`, searched as
/// typed: its best service's coverage is at least [`HOT_MIN_COVERAGE`].
fn covered_by_catalogue(engine: &Engine, text: &str) -> bool {
    let request = yuesou_core::SearchRequest::new(text)
        .as_typed()
        .explain(true)
        .page(1, 1);
    engine.search(&request).is_ok_and(|response| {
        response
            .hits
            .first()
            .and_then(|hit| hit.explain.as_ref())
            .is_some_and(|explain| explain.coverage >= HOT_MIN_COVERAGE)
    })
}

/// One entry of the hot list.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct HotEntry {
    /// The query to show and search.
    pub query: String,
    /// Weight in the window (distinct people, decayed by age).
    pub score: f64,
    /// Whether an operator pinned it.
    pub pinned: bool,
    /// Full pinyin of the query (for autocomplete).
    #[serde(skip)]
    pub pinyin: String,
    /// Pinyin initials of the query (for autocomplete).
    #[serde(skip)]
    pub initials: String,
}

/// Why an entry is (or is not) on the hot list: for operators.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct HotExplanation {
    /// The query.
    pub query: String,
    /// Its normalised key.
    pub key: String,
    /// Distinct people in the window (each once per day).
    pub people: i64,
    /// Weight after time decay.
    pub score: f64,
    /// Distinct people per hour, newest first.
    pub hours: Vec<HourCount>,
    /// `listed`, `pinned`, `blocked_by_operator`, `banned_word`,
    /// `personal_data` or `unknown_words` (words the catalogue does not
    /// know, such as a person's name, are never listed).
    pub status: String,
}

/// Distinct people in one hour.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct HourCount {
    /// The hour's start (RFC 3339).
    pub hour: String,
    /// Distinct people who searched the query then.
    pub people: i64,
}

/// The hot list at one moment, with its explanations.
#[derive(Debug, Default)]
pub struct HotList {
    /// Listed entries, pinned first, then by score.
    pub entries: Vec<HotEntry>,
    /// Every candidate with the reason of its place.
    pub explained: Vec<HotExplanation>,
    /// The operators' rules in force.
    pub rules: Vec<HotRule>,
    /// Increases with each recomputation (part of suggestion cache keys).
    pub version: u64,
}

#[derive(Debug, Default)]
struct Pending {
    history: Vec<SearchRecord>,
    sightings: Vec<HotSighting>,
    seen_day: i64,
    seen: HashSet<u64>,
}

/// The recorder and the hot list. Cheap to share (`Arc`).
#[derive(Debug)]
pub struct Activity {
    centre: Centre,
    settings: HotSettings,
    pending: Mutex<Pending>,
    hasher: std::collections::hash_map::RandomState,
    hot: ArcSwap<HotList>,
    computed: tokio::sync::Mutex<Option<Instant>>,
    write: tokio::sync::Mutex<()>,
    wake: tokio::sync::Notify,
}

impl Activity {
    /// A recorder writing to `centre`.
    pub fn new(centre: Centre, settings: HotSettings) -> Activity {
        Activity {
            centre,
            settings,
            pending: Mutex::default(),
            hasher: std::collections::hash_map::RandomState::new(),
            hot: ArcSwap::from_pointee(HotList::default()),
            computed: tokio::sync::Mutex::new(None),
            write: tokio::sync::Mutex::new(()),
            wake: tokio::sync::Notify::new(),
        }
    }

    /// Notes a search: into the person's history (when logged in) and,
    /// once per client and reading per day, into the hot counts. No I/O.
    pub fn observe(&self, person: Option<&Subject>, client: &str, reading: &Reading, at_ms: i64) {
        let who = person.map_or(client, |s| s.actor_id.as_str());
        let fingerprint = self.hasher.hash_one((who, &reading.key));
        let day = at_ms.div_euclid(yuesou_centre::DAY_MS);
        let wake = {
            let mut p = self.pending.lock().unwrap_or_else(|e| e.into_inner());
            if let Some(s) = person {
                p.history.push(SearchRecord {
                    person_id: s.actor_id.clone(),
                    key: reading.key.clone(),
                    query: reading.typed.clone(),
                    at_ms,
                });
            }
            if reading.countable {
                if p.seen_day != day || p.seen.len() >= LOCAL_SEEN_CAP {
                    p.seen_day = day;
                    p.seen.clear();
                }
                if p.seen.insert(fingerprint) {
                    p.sightings.push(HotSighting {
                        client: who.to_string(),
                        key: reading.key.clone(),
                        display: reading.display.clone(),
                        at_ms,
                    });
                }
            }
            p.history.len() + p.sightings.len() >= EAGER_FLUSH
        };
        if wake {
            self.wake.notify_one();
        }
    }

    /// Writes the pending batch. On a database error the batch is put back
    /// (searches are not lost while the database is briefly away).
    pub async fn flush(&self) -> Result<(), CentreError> {
        let _one_writer = self.write.lock().await;
        let (history, sightings) = {
            let mut p = self.pending.lock().unwrap_or_else(|e| e.into_inner());
            (
                std::mem::take(&mut p.history),
                std::mem::take(&mut p.sightings),
            )
        };
        if let Err(e) = self.centre.record_searches(&history).await {
            self.requeue(history, Vec::new());
            self.requeue(Vec::new(), sightings);
            return Err(e);
        }
        if let Err(e) = self.centre.record_hot(&sightings).await {
            self.requeue(Vec::new(), sightings);
            return Err(e);
        }
        Ok(())
    }

    fn requeue(&self, history: Vec<SearchRecord>, sightings: Vec<HotSighting>) {
        let mut p = self.pending.lock().unwrap_or_else(|e| e.into_inner());
        // Keep the batch bounded while the database is away.
        if p.history.len() < 100_000 {
            p.history.extend(history);
        }
        if p.sightings.len() < 100_000 {
            p.sightings.extend(sightings);
        }
    }

    /// The hot list, recomputed first when older than the refresh
    /// interval.
    pub async fn hot_list(&self, engine: Option<&Engine>) -> Arc<HotList> {
        let stale = {
            let computed = self.computed.lock().await;
            computed.is_none_or(|at| at.elapsed() >= self.settings.refresh)
        };
        if stale && let Err(e) = self.refresh(engine).await {
            tracing::warn!(error = %e, "cannot refresh the hot searches; serving the last list");
        }
        self.hot.load_full()
    }

    /// The hot list as last computed (no I/O: for the suggestion path).
    pub fn current_hot(&self) -> Arc<HotList> {
        self.hot.load_full()
    }

    /// Writes the pending batch and recomputes the hot list from the shared
    /// counts and rules.
    pub async fn refresh(&self, engine: Option<&Engine>) -> Result<(), CentreError> {
        let mut computed = self.computed.lock().await;
        self.flush().await?;
        let now = self.centre.now_ms();
        let now_hour = now.div_euclid(HOUR_MS);
        let since = now_hour - self.settings.window_hours + 1;
        let buckets = self
            .centre
            .hot_buckets(since, self.settings.min_people)
            .await?;
        let rules = self.centre.hot_rules().await?;
        let version = self.hot.load().version + 1;
        self.hot.store(Arc::new(
            self.assemble(buckets, rules, now_hour, engine, version),
        ));
        *computed = Some(Instant::now());
        Ok(())
    }

    fn assemble(
        &self,
        buckets: Vec<yuesou_centre::HotBucket>,
        rules: Vec<HotRule>,
        now_hour: i64,
        engine: Option<&Engine>,
        version: u64,
    ) -> HotList {
        struct Candidate {
            display: String,
            people: i64,
            score: f64,
            hours: Vec<(i64, i64)>,
        }
        let mut candidates: BTreeMap<String, Candidate> = BTreeMap::new();
        for b in buckets {
            let age = (now_hour - b.hour).max(0) as f64;
            let weight = 0.5f64.powf(age / self.settings.half_life_hours);
            let c = candidates.entry(b.key).or_insert_with(|| Candidate {
                display: b.display.clone(),
                people: 0,
                score: 0.0,
                hours: Vec::new(),
            });
            c.people += b.people;
            c.score += b.people as f64 * weight;
            c.hours.push((b.hour, b.people));
        }
        let banned = |text: &str| engine.is_some_and(|e| e.analyzer().guard().is_banned(text));
        let unknown_words = |text: &str| engine.is_some_and(|e| !covered_by_catalogue(e, text));
        let rule_of = |key: &str| rules.iter().find(|r| r.key == key).map(|r| r.action);
        let mut explained = Vec::new();
        let mut listed = Vec::new();
        for (key, mut c) in candidates {
            // The totals may still hold an hour that has left the window.
            if c.people < self.settings.min_people {
                continue;
            }
            c.hours.sort_by_key(|h| std::cmp::Reverse(h.0));
            let status = if rule_of(&key) == Some(HotAction::Block) {
                "blocked_by_operator"
            } else if banned(&c.display) {
                "banned_word"
            } else if contains_personal_number(&c.display) {
                "personal_data"
            } else if rule_of(&key) != Some(HotAction::Pin) && unknown_words(&c.display) {
                "unknown_words"
            } else if rule_of(&key) == Some(HotAction::Pin) {
                "pinned"
            } else {
                "listed"
            };
            if status == "listed" {
                listed.push((c.score, c.display.clone()));
            }
            explained.push(HotExplanation {
                query: c.display,
                key,
                people: c.people,
                score: c.score,
                hours: c
                    .hours
                    .into_iter()
                    .map(|(h, n)| HourCount {
                        hour: yuesou_centre::rfc3339(h * HOUR_MS),
                        people: n,
                    })
                    .collect(),
                status: status.to_string(),
            });
        }
        listed.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
        let score_of = |key: &str| {
            explained
                .iter()
                .find(|e| e.key == key)
                .map_or(0.0, |e| e.score)
        };
        let entry = |query: &str, score: f64, pinned: bool| HotEntry {
            query: query.to_string(),
            score,
            pinned,
            pinyin: engine.map_or(String::new(), |e| e.pinyin().full(query)),
            initials: engine.map_or(String::new(), |e| e.pinyin().initials(query)),
        };
        let mut entries: Vec<HotEntry> = rules
            .iter()
            .filter(|r| r.action == HotAction::Pin && !banned(&r.query))
            .map(|r| entry(&r.query, score_of(&r.key), true))
            .collect();
        entries.extend(
            listed
                .iter()
                .take(HOT_LIST_LEN.saturating_sub(entries.len()))
                .map(|(score, query)| entry(query, *score, false)),
        );
        explained.sort_by(|a, b| b.score.total_cmp(&a.score));
        HotList {
            entries,
            explained,
            rules,
            version,
        }
    }

    /// Writes the batch every flush interval (sooner when it grows large),
    /// recomputes the hot list every refresh interval and prunes old counts
    /// hourly, until `stop` is set; then writes what is left.
    pub async fn run(
        self: Arc<Self>,
        engine: impl Fn() -> Option<Arc<Engine>> + Send + 'static,
        mut stop: tokio::sync::watch::Receiver<bool>,
    ) {
        let mut last_prune: Option<Instant> = None;
        loop {
            tokio::select! {
                _ = tokio::time::sleep(self.settings.flush) => {}
                _ = self.wake.notified() => {}
                _ = stop.wait_for(|s| *s) => break,
            }
            if let Err(e) = self.flush().await {
                tracing::warn!(error = %e, "cannot write the search activity; will retry");
                continue;
            }
            // Recomputed when stale (a request may have done it meanwhile).
            self.hot_list(engine().as_deref()).await;
            if last_prune.is_none_or(|t| t.elapsed() >= Duration::from_secs(3600)) {
                last_prune = Some(Instant::now());
                let now = self.centre.now_ms();
                if let Err(e) = self
                    .centre
                    .prune_hot(now, self.settings.window_hours + 1)
                    .await
                {
                    tracing::warn!(error = %e, "cannot prune the hot-search counts");
                }
            }
        }
        if let Err(e) = self.flush().await {
            tracing::error!(error = %e, "search activity not written at shutdown");
        }
    }
}

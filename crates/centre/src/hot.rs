//! 热门搜索 — the shared counters behind hot searches. Each person (or
//! anonymous client) counts at most once per query reading and day; counts
//! are kept per hour, so the sliding window with time decay is computed
//! from one row per query and hour, whatever the number of searches. Who
//! searched is stored only as a salted hash that changes every day.
//!
//! The daemon batches sightings in memory and calls
//! [`Centre::record_hot`] every few seconds; every replica on one database
//! shares the counts, the once-per-day rule and the operators' rules.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::{CentreError, Result};
use crate::{Centre, rfc3339};

/// Rows of one multi-row insert into `hot_seen` (two parameters each,
/// under SQLite's oldest limit of 999).
const SEEN_ROWS_PER_STATEMENT: usize = 400;

/// Rows of one multi-row upsert of counts (four parameters each, under
/// SQLite's oldest limit of 999).
const UPSERT_ROWS_PER_STATEMENT: usize = 200;

/// Most candidates the hot list is computed from: the queries with the
/// most people in the window, found by an index, so the cost stays flat
/// however many queries were searched.
pub const HOT_CANDIDATES: i64 = 500;

/// Milliseconds in an hour.
pub const HOUR_MS: i64 = 3_600_000;

/// Milliseconds in a day.
pub const DAY_MS: i64 = 24 * HOUR_MS;

/// One search worth counting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HotSighting {
    /// Who searched: an account id, or a client address for anonymous
    /// searches. Only a salted daily hash of it is stored.
    pub client: String,
    /// The normalised reading the search counts under.
    pub key: String,
    /// How to show it.
    pub display: String,
    /// When, in Unix milliseconds.
    pub at_ms: i64,
}

/// Distinct people who searched one query in one hour.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HotBucket {
    /// The query's key.
    pub key: String,
    /// How to show it.
    pub display: String,
    /// The hour (Unix milliseconds / [`HOUR_MS`]).
    pub hour: i64,
    /// Distinct people (each counted once per day).
    pub people: i64,
}

/// What an operator rule does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum HotAction {
    /// 置顶 — always shown, first.
    Pin,
    /// 屏蔽 — never shown.
    Block,
}

impl HotAction {
    fn as_str(self) -> &'static str {
        match self {
            HotAction::Pin => "pin",
            HotAction::Block => "block",
        }
    }

    fn parse(text: &str) -> HotAction {
        if text == "pin" {
            HotAction::Pin
        } else {
            HotAction::Block
        }
    }
}

/// An operator's rule on one query.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HotRule {
    /// The query as the operator gave it.
    pub query: String,
    /// Its normalised key (what searches count under).
    pub key: String,
    /// Pin or block.
    pub action: HotAction,
    /// When it was set (RFC 3339).
    pub created_at: String,
}

impl Centre {
    /// The salt of today's fingerprints: a random secret shared through
    /// the database (created by the first replica), hashed with the day.
    async fn hot_salt(&self, day: i64) -> Result<String> {
        let secret = self
            .hot_secret
            .get_or_try_init(|| async {
                let fresh = crate::secret::new_id("salt")?;
                sqlx::query(
                    "INSERT INTO centre_secrets (name, value) VALUES ('hot_salt', $1) \
                     ON CONFLICT (name) DO NOTHING",
                )
                .bind(&fresh)
                .execute(self.db.pool())
                .await?;
                let (value,): (String,) =
                    sqlx::query_as("SELECT value FROM centre_secrets WHERE name = 'hot_salt'")
                        .fetch_one(self.db.pool())
                        .await?;
                Ok::<String, CentreError>(value)
            })
            .await?;
        Ok(format!("{secret}:{day}"))
    }

    /// Counts a batch of sightings: each (client, key) pair counts once per
    /// day across every replica. Returns how many counted (the rest had
    /// been seen that day). A few statements per batch, not per sighting.
    pub async fn record_hot(&self, sightings: &[HotSighting]) -> Result<usize> {
        if sightings.is_empty() {
            return Ok(0);
        }
        // The salts first: SQLite has one connection, which the
        // transaction below holds.
        let mut salts: Vec<(i64, String)> = Vec::new();
        for s in sightings {
            let day = s.at_ms.div_euclid(DAY_MS);
            if !salts.iter().any(|(d, _)| *d == day) {
                salts.push((day, self.hot_salt(day).await?));
            }
        }
        // Fingerprints, one per (day, client, key) of the batch.
        let mut by_fingerprint: BTreeMap<(i64, String), &HotSighting> = BTreeMap::new();
        for s in sightings {
            let day = s.at_ms.div_euclid(DAY_MS);
            let salt = salts
                .iter()
                .find(|(d, _)| *d == day)
                .map(|(_, text)| text.as_str())
                .unwrap_or_default();
            let mut hasher = Sha256::new();
            for part in [salt, &s.client, &s.key] {
                hasher.update(part.as_bytes());
                hasher.update([0]);
            }
            let fingerprint = hex::encode(&hasher.finalize()[..16]);
            by_fingerprint.entry((day, fingerprint)).or_insert(s);
        }
        let mut tx = self.db.begin().await?;
        // Which are new today, in multi-row statements.
        let entries: Vec<_> = by_fingerprint.into_iter().collect();
        let mut fresh: Vec<&HotSighting> = Vec::new();
        for chunk in entries.chunks(SEEN_ROWS_PER_STATEMENT) {
            let values: Vec<String> = (0..chunk.len())
                .map(|i| format!("(${}, ${})", 2 * i + 1, 2 * i + 2))
                .collect();
            let sql = format!(
                "INSERT INTO hot_seen (day, fingerprint) VALUES {} \
                 ON CONFLICT (day, fingerprint) DO NOTHING RETURNING day, fingerprint",
                values.join(", ")
            );
            let mut query = sqlx::query_as::<_, (i64, String)>(&sql);
            for ((day, fingerprint), _) in chunk {
                query = query.bind(*day).bind(fingerprint.as_str());
            }
            let inserted: std::collections::BTreeSet<(i64, String)> =
                query.fetch_all(&mut *tx).await?.into_iter().collect();
            fresh.extend(
                chunk
                    .iter()
                    .filter(|(k, _)| inserted.contains(k))
                    .map(|(_, s)| *s),
            );
        }
        // New people per (hour, key) and per key.
        let mut per_hour: BTreeMap<(i64, &str), (&str, i64)> = BTreeMap::new();
        let mut per_key: BTreeMap<&str, (&str, i64)> = BTreeMap::new();
        for s in &fresh {
            per_hour
                .entry((s.at_ms.div_euclid(HOUR_MS), &s.key))
                .or_insert((&s.display, 0))
                .1 += 1;
            per_key.entry(&s.key).or_insert((&s.display, 0)).1 += 1;
        }
        let per_hour: Vec<_> = per_hour.into_iter().collect();
        for chunk in per_hour.chunks(UPSERT_ROWS_PER_STATEMENT) {
            let values: Vec<String> = (0..chunk.len())
                .map(|i| {
                    let p = 4 * i;
                    format!("(${}, ${}, ${}, ${})", p + 1, p + 2, p + 3, p + 4)
                })
                .collect();
            let sql = format!(
                "INSERT INTO hot_counts (hour, query_key, display, people) VALUES {} \
                 ON CONFLICT (hour, query_key) DO UPDATE SET people = hot_counts.people + excluded.people",
                values.join(", ")
            );
            let mut query = sqlx::query(&sql);
            for ((hour, key), (display, n)) in chunk {
                query = query.bind(*hour).bind(*key).bind(*display).bind(*n);
            }
            query.execute(&mut *tx).await?;
        }
        let per_key: Vec<_> = per_key.into_iter().collect();
        for chunk in per_key.chunks(UPSERT_ROWS_PER_STATEMENT) {
            let values: Vec<String> = (0..chunk.len())
                .map(|i| {
                    let p = 3 * i;
                    format!("(${}, ${}, ${})", p + 1, p + 2, p + 3)
                })
                .collect();
            let sql = format!(
                "INSERT INTO hot_totals (query_key, display, people) VALUES {} \
                 ON CONFLICT (query_key) DO UPDATE SET people = hot_totals.people + excluded.people",
                values.join(", ")
            );
            let mut query = sqlx::query(&sql);
            for (key, (display, n)) in chunk {
                query = query.bind(*key).bind(*display).bind(*n);
            }
            query.execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(fresh.len())
    }

    /// The hourly buckets since `since_hour` of the (at most
    /// [`HOT_CANDIDATES`]) queries most people searched in the hours still
    /// kept, if at least `min_people` did (candidates are found by an index
    /// on the totals; the caller checks the window).
    pub async fn hot_buckets(&self, since_hour: i64, min_people: i64) -> Result<Vec<HotBucket>> {
        let rows: Vec<(String, String, i64, i64)> = sqlx::query_as(
            "SELECT c.query_key, c.display, c.hour, c.people FROM \
             (SELECT query_key FROM hot_totals WHERE people >= $2 \
              ORDER BY people DESC, query_key LIMIT $3) t \
             JOIN hot_counts c ON c.query_key = t.query_key \
             WHERE c.hour >= $1",
        )
        .bind(since_hour)
        .bind(min_people)
        .bind(HOT_CANDIDATES)
        .fetch_all(self.db.pool())
        .await?;
        Ok(rows
            .into_iter()
            .map(|(key, display, hour, people)| HotBucket {
                key,
                display,
                hour,
                people,
            })
            .collect())
    }

    /// Drops counts older than `keep_hours` before `now_ms` (taking them
    /// off the totals), and the once-per-day fingerprints of days before
    /// yesterday.
    pub async fn prune_hot(&self, now_ms: i64, keep_hours: i64) -> Result<()> {
        self.housekeeping(now_ms).await?;
        let cutoff = now_ms.div_euclid(HOUR_MS) - keep_hours;
        let mut tx = self.db.begin().await?;
        sqlx::query(
            "UPDATE hot_totals SET people = people - \
             (SELECT COALESCE(SUM(c.people), 0) FROM hot_counts c \
              WHERE c.query_key = hot_totals.query_key AND c.hour < $1) \
             WHERE query_key IN (SELECT query_key FROM hot_counts WHERE hour < $1)",
        )
        .bind(cutoff)
        .execute(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM hot_counts WHERE hour < $1")
            .bind(cutoff)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM hot_totals WHERE people <= 0")
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM hot_seen WHERE day < $1")
            .bind(now_ms.div_euclid(DAY_MS) - 1)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The operators' rules.
    pub async fn hot_rules(&self) -> Result<Vec<HotRule>> {
        let rows: Vec<(String, String, String, i64)> = sqlx::query_as(
            "SELECT display, query_key, action, created_at FROM hot_rules ORDER BY created_at",
        )
        .fetch_all(self.db.pool())
        .await?;
        Ok(rows
            .into_iter()
            .map(|(query, key, action, at)| HotRule {
                query,
                key,
                action: HotAction::parse(&action),
                created_at: rfc3339(at),
            })
            .collect())
    }

    /// Pins or blocks the query with `key` (replacing a rule on it).
    pub async fn set_hot_rule(&self, key: &str, query: &str, action: HotAction) -> Result<HotRule> {
        let now = self.now();
        sqlx::query(
            "INSERT INTO hot_rules (query_key, display, action, created_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (query_key) DO UPDATE SET display = excluded.display, \
             action = excluded.action, created_at = excluded.created_at",
        )
        .bind(key)
        .bind(query)
        .bind(action.as_str())
        .bind(now)
        .execute(self.db.pool())
        .await?;
        Ok(HotRule {
            query: query.to_string(),
            key: key.to_string(),
            action,
            created_at: rfc3339(now),
        })
    }

    /// Removes the rule on `key`.
    pub async fn delete_hot_rule(&self, key: &str) -> Result<()> {
        let done = sqlx::query("DELETE FROM hot_rules WHERE query_key = $1")
            .bind(key)
            .execute(self.db.pool())
            .await?;
        if done.rows_affected() == 0 {
            return Err(CentreError::NotFound("hot rule"));
        }
        Ok(())
    }

    /// The current time of the centre's clock, in Unix milliseconds.
    pub fn now_ms(&self) -> i64 {
        self.now()
    }
}

//! 搜索历史 — a person's searches, newest first, one entry per query
//! reading (searching it again moves it up), capped, deletable one by one or
//! all at once, and pausable. Queries holding personal numbers are never
//! stored, whoever asks.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::error::{CentreError, Result};
use crate::identity::contains_personal_number;
use crate::secret::new_id;
use crate::{Centre, Subject, rfc3339};

/// Entries kept per person; older ones are dropped.
pub const HISTORY_CAP: usize = 50;

/// Longest query kept, in characters (longer ones are not recorded).
pub const HISTORY_QUERY_CHARS: usize = 100;

/// One search to remember for a person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchRecord {
    /// The person (the actor of the session that searched).
    pub person_id: String,
    /// What makes two queries the same entry (the normalised reading).
    pub key: String,
    /// The query to show (and search again).
    pub query: String,
    /// When, in Unix milliseconds.
    pub at_ms: i64,
}

/// One history entry.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HistoryEntry {
    /// Opaque id (delete with it).
    pub id: String,
    /// The query.
    pub query: String,
    /// When it was last searched (RFC 3339).
    pub searched_at: String,
}

/// A person's search history.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct History {
    /// Newest first.
    pub entries: Vec<HistoryEntry>,
    /// Whether recording is paused (a setting).
    pub paused: bool,
}

impl Centre {
    /// Stores a batch of searches: one entry per person and key (the newest
    /// wins), skipping people who paused their history and queries that are
    /// empty, over-long or hold personal numbers, then trims each person's
    /// history to [`HISTORY_CAP`]. Returns how many entries were written.
    pub async fn record_searches(&self, records: &[SearchRecord]) -> Result<usize> {
        let mut latest: BTreeMap<(&str, &str), &SearchRecord> = BTreeMap::new();
        for r in records {
            let query = r.query.trim();
            if query.is_empty()
                || r.key.is_empty()
                || query.chars().count() > HISTORY_QUERY_CHARS
                || query.chars().any(char::is_control)
                || contains_personal_number(query)
            {
                continue;
            }
            let slot = latest.entry((&r.person_id, &r.key)).or_insert(r);
            if r.at_ms >= slot.at_ms {
                *slot = r;
            }
        }
        if latest.is_empty() {
            return Ok(0);
        }
        let mut people: Vec<&str> = latest.keys().map(|(p, _)| *p).collect();
        people.dedup();
        let mut tx = self.db.begin().await?;
        let mut paused = Vec::new();
        for person in &people {
            let row: Option<(i64,)> =
                sqlx::query_as("SELECT history_paused FROM accounts WHERE id = $1")
                    .bind(*person)
                    .fetch_optional(&mut *tx)
                    .await?;
            // A person deleted meanwhile has no history to add to.
            if !matches!(row, Some((0,))) {
                paused.push(*person);
            }
        }
        let mut written = 0;
        for ((person, key), r) in &latest {
            if paused.contains(person) {
                continue;
            }
            sqlx::query(
                "INSERT INTO search_history (id, account_id, query_key, query, searched_at) \
                 VALUES ($1, $2, $3, $4, $5) \
                 ON CONFLICT (account_id, query_key) DO UPDATE SET \
                 query = excluded.query, searched_at = excluded.searched_at \
                 WHERE search_history.searched_at <= excluded.searched_at",
            )
            .bind(new_id("h")?)
            .bind(*person)
            .bind(*key)
            .bind(r.query.trim())
            .bind(r.at_ms)
            .execute(&mut *tx)
            .await?;
            written += 1;
        }
        for person in people.iter().filter(|p| !paused.contains(p)) {
            sqlx::query(
                "DELETE FROM search_history WHERE account_id = $1 AND id NOT IN \
                 (SELECT id FROM search_history WHERE account_id = $1 \
                  ORDER BY searched_at DESC, id DESC LIMIT $2)",
            )
            .bind(*person)
            .bind(HISTORY_CAP as i64)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(written)
    }

    /// The person's history, newest first, at most `limit` entries.
    pub async fn history(&self, subject: &Subject, limit: usize) -> Result<History> {
        let rows: Vec<(String, String, i64)> = sqlx::query_as(
            "SELECT id, query, searched_at FROM search_history WHERE account_id = $1 \
             ORDER BY searched_at DESC, id DESC LIMIT $2",
        )
        .bind(&subject.actor_id)
        .bind(limit.min(HISTORY_CAP) as i64)
        .fetch_all(self.db.pool())
        .await?;
        Ok(History {
            entries: rows
                .into_iter()
                .map(|(id, query, at)| HistoryEntry {
                    id,
                    query,
                    searched_at: rfc3339(at),
                })
                .collect(),
            paused: self.history_paused(subject).await?,
        })
    }

    /// The queries of the person's most recent searches (for
    /// recommendations), newest first.
    pub async fn recent_queries(&self, subject: &Subject, limit: usize) -> Result<Vec<String>> {
        Ok(self
            .history(subject, limit)
            .await?
            .entries
            .into_iter()
            .map(|e| e.query)
            .collect())
    }

    /// Deletes one entry of the person's history.
    pub async fn delete_history_entry(&self, subject: &Subject, id: &str) -> Result<()> {
        let done = sqlx::query("DELETE FROM search_history WHERE id = $1 AND account_id = $2")
            .bind(id)
            .bind(&subject.actor_id)
            .execute(self.db.pool())
            .await?;
        if done.rows_affected() == 0 {
            return Err(CentreError::NotFound("history entry"));
        }
        Ok(())
    }

    /// Deletes the person's whole history; returns how many entries went.
    pub async fn clear_history(&self, subject: &Subject) -> Result<u64> {
        let done = sqlx::query("DELETE FROM search_history WHERE account_id = $1")
            .bind(&subject.actor_id)
            .execute(self.db.pool())
            .await?;
        Ok(done.rows_affected())
    }

    /// Whether the person paused their history.
    pub async fn history_paused(&self, subject: &Subject) -> Result<bool> {
        let (paused,): (i64,) = sqlx::query_as("SELECT history_paused FROM accounts WHERE id = $1")
            .bind(&subject.actor_id)
            .fetch_one(self.db.pool())
            .await?;
        Ok(paused != 0)
    }
}

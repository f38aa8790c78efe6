//! Sliding-window rate limits kept in the database, so that every replica
//! sharing it sees the same counts. A bucket names what is limited
//! (`login:acct:<hash>`, `login:addr:<address>` …); personal values are
//! hashed before they become a bucket name.

use crate::error::{CentreError, Result};
use crate::store::Db;

/// Fails with [`CentreError::RateLimited`] when `bucket` has `limit` or more
/// events in the window ending at `now`.
pub(crate) async fn check(
    db: &Db,
    bucket: &str,
    limit: usize,
    window_ms: i64,
    now: i64,
) -> Result<()> {
    let rows: Vec<(i64,)> =
        sqlx::query_as("SELECT at FROM rate_events WHERE bucket = $1 AND at > $2 ORDER BY at")
            .bind(bucket)
            .bind(now - window_ms)
            .fetch_all(db.pool())
            .await?;
    if rows.len() >= limit {
        // Allowed again when the oldest event that counts leaves the window.
        let oldest = rows[rows.len() - limit].0;
        let retry_ms = (oldest + window_ms - now).max(1000);
        return Err(CentreError::RateLimited {
            retry_after_secs: (retry_ms as u64).div_ceil(1000),
        });
    }
    Ok(())
}

/// Records an event in `bucket` and forgets events older than the window.
pub(crate) async fn record(db: &Db, bucket: &str, window_ms: i64, now: i64) -> Result<()> {
    let mut tx = db.begin().await?;
    sqlx::query("DELETE FROM rate_events WHERE bucket = $1 AND at <= $2")
        .bind(bucket)
        .bind(now - window_ms)
        .execute(&mut *tx)
        .await?;
    sqlx::query("INSERT INTO rate_events (bucket, at) VALUES ($1, $2)")
        .bind(bucket)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Forgets every event of `bucket` (after a successful login).
pub(crate) async fn clear(db: &Db, bucket: &str) -> Result<()> {
    sqlx::query("DELETE FROM rate_events WHERE bucket = $1")
        .bind(bucket)
        .execute(db.pool())
        .await?;
    Ok(())
}

//! Sliding-window rate limits kept in the database, so that every replica
//! sharing it sees the same counts. A bucket names what is limited
//! (`login:pair:<hash>:<address>`, `code:phone:<hash>` …); personal values
//! are hashed before they become a bucket name.
//!
//! Limits are **reserved before the act**: [`reserve`] counts the events of
//! each bucket and records a new one in the same transaction, with the
//! bucket's row locked (an upsert on `rate_buckets`), so a burst of
//! concurrent requests queues on the lock and exactly `limit` of them get
//! through — on SQLite (one writer) and on PostgreSQL, across replicas.
//! Checking first and recording afterwards let a whole burst pass.
//!
//! A reservation the act did not use up (a login that succeeded is not a
//! failure) is given back with [`release`].

use crate::error::{CentreError, Result};
use crate::secret::new_id;
use yuesou_store::{Db, Tx};

/// One limit: at most `limit` events in `bucket` per `window_ms`.
#[derive(Debug, Clone)]
pub(crate) struct Limit {
    /// The bucket's name.
    pub bucket: String,
    /// Events allowed in the window.
    pub limit: usize,
    /// The window, in milliseconds.
    pub window_ms: i64,
}

impl Limit {
    /// At most `limit` events in `bucket` per `window_ms`.
    pub fn new(bucket: impl Into<String>, limit: usize, window_ms: i64) -> Limit {
        Limit {
            bucket: bucket.into(),
            limit,
            window_ms,
        }
    }
}

/// Events recorded by a reservation, to give back with [`release`].
#[derive(Debug, Default)]
#[must_use = "a reservation is kept unless it is released"]
pub(crate) struct Reservation {
    ids: Vec<String>,
}

/// Reserves one event in every bucket of `limits`, all or none: fails with
/// [`CentreError::RateLimited`] (nothing recorded) when any bucket is full.
pub(crate) async fn reserve(db: &Db, limits: &[Limit], now: i64) -> Result<Reservation> {
    let mut tx = db.begin().await?;
    let reservation = reserve_in(&mut tx, limits, now).await?;
    tx.commit().await?;
    Ok(reservation)
}

/// [`reserve`] inside the caller's transaction (the reservation commits or
/// rolls back with it).
pub(crate) async fn reserve_in(tx: &mut Tx, limits: &[Limit], now: i64) -> Result<Reservation> {
    // Lock buckets in one order, so two reservations of the same buckets
    // cannot wait on each other.
    let mut ordered: Vec<&Limit> = limits.iter().collect();
    ordered.sort_by(|a, b| a.bucket.cmp(&b.bucket));
    ordered.dedup_by(|a, b| a.bucket == b.bucket);
    for limit in &ordered {
        lock(tx, &limit.bucket, now).await?;
    }
    let mut retry_after = None;
    for limit in &ordered {
        if let Some(secs) = full_for(tx, limit, now).await? {
            retry_after = Some(retry_after.map_or(secs, |r: u64| r.max(secs)));
        }
    }
    if let Some(retry_after_secs) = retry_after {
        return Err(CentreError::RateLimited { retry_after_secs });
    }
    let mut reservation = Reservation::default();
    for limit in &ordered {
        reservation
            .ids
            .push(insert_event(tx, &limit.bucket, limit.window_ms, now).await?);
    }
    Ok(reservation)
}

/// Gives back the events of a reservation that the act did not use.
pub(crate) async fn release(db: &Db, reservation: Reservation) -> Result<()> {
    for id in reservation.ids {
        sqlx::query("DELETE FROM rate_events WHERE id = $1")
            .bind(id)
            .execute(db.pool())
            .await?;
    }
    Ok(())
}

/// Records an event in `bucket` unconditionally (a failure counted after
/// the fact, e.g. towards an account under attack).
pub(crate) async fn record(db: &Db, bucket: &str, window_ms: i64, now: i64) -> Result<()> {
    let mut tx = db.begin().await?;
    lock(&mut tx, bucket, now).await?;
    insert_event(&mut tx, bucket, window_ms, now).await?;
    tx.commit().await?;
    Ok(())
}

/// Events of `bucket` in the window ending at `now`.
pub(crate) async fn count(db: &Db, bucket: &str, window_ms: i64, now: i64) -> Result<usize> {
    let (n,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM rate_events WHERE bucket = $1 AND at > $2")
            .bind(bucket)
            .bind(now - window_ms)
            .fetch_one(db.pool())
            .await?;
    Ok(usize::try_from(n).unwrap_or(0))
}

/// Forgets events and buckets untouched for a day (every window is
/// shorter).
pub(crate) async fn prune(db: &Db, now: i64) -> Result<()> {
    let cutoff = now - 24 * 3_600_000;
    sqlx::query("DELETE FROM rate_events WHERE at <= $1")
        .bind(cutoff)
        .execute(db.pool())
        .await?;
    sqlx::query("DELETE FROM rate_buckets WHERE touched_at <= $1")
        .bind(cutoff)
        .execute(db.pool())
        .await?;
    Ok(())
}

/// Takes the bucket's row lock until the transaction ends.
async fn lock(tx: &mut Tx, bucket: &str, now: i64) -> Result<()> {
    sqlx::query(
        "INSERT INTO rate_buckets (bucket, touched_at) VALUES ($1, $2) \
         ON CONFLICT (bucket) DO UPDATE SET touched_at = excluded.touched_at",
    )
    .bind(bucket)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Seconds until the bucket has room again, when it is full now.
async fn full_for(tx: &mut Tx, limit: &Limit, now: i64) -> Result<Option<u64>> {
    if limit.limit == 0 {
        return Ok(Some(limit.window_ms.div_euclid(1000).max(1) as u64));
    }
    let rows: Vec<(i64,)> =
        sqlx::query_as("SELECT at FROM rate_events WHERE bucket = $1 AND at > $2 ORDER BY at")
            .bind(&limit.bucket)
            .bind(now - limit.window_ms)
            .fetch_all(&mut **tx)
            .await?;
    if rows.len() < limit.limit {
        return Ok(None);
    }
    // Room again when the oldest event that counts leaves the window.
    let oldest = rows[rows.len() - limit.limit].0;
    let retry_ms = (oldest + limit.window_ms - now).max(1000);
    Ok(Some((retry_ms as u64).div_ceil(1000)))
}

/// Records an event and forgets the bucket's events older than the window.
async fn insert_event(tx: &mut Tx, bucket: &str, window_ms: i64, now: i64) -> Result<String> {
    sqlx::query("DELETE FROM rate_events WHERE bucket = $1 AND at <= $2")
        .bind(bucket)
        .bind(now - window_ms)
        .execute(&mut **tx)
        .await?;
    let id = new_id("rte")?;
    sqlx::query("INSERT INTO rate_events (bucket, at, id) VALUES ($1, $2, $3)")
        .bind(bucket)
        .bind(now)
        .bind(&id)
        .execute(&mut **tx)
        .await?;
    Ok(id)
}

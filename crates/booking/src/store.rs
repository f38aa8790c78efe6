//! The SQL shared by the calls: booking rows, and the places of a slot —
//! created on demand, taken by a conditional update inside the booking's
//! transaction, given back on cancellation. Portable SQL (`$n`
//! placeholders, BIGINT milliseconds) for SQLite and PostgreSQL.

use sqlx::{Any, Executor};

use crate::error::{BookingError, Result};

/// A row of `bookings`.
#[derive(Debug, Clone, sqlx::FromRow)]
pub(crate) struct BookingRow {
    pub id: String,
    pub account_id: String,
    pub actor_id: String,
    pub item_id: String,
    pub family: String,
    pub hall_id: String,
    pub start_at: i64,
    pub end_at: i64,
    pub day: String,
    pub status: String,
    pub code_salt: String,
    pub application_id: Option<String>,
    pub moved_from: Option<String>,
    pub moved_to: Option<String>,
    pub counts_as_no_show: i64,
    pub close_reason: Option<String>,
    pub created_at: i64,
    pub cancelled_at: Option<i64>,
    pub checked_in_at: Option<i64>,
    pub no_show_at: Option<i64>,
}

/// The columns of [`BookingRow`], for `SELECT`.
pub(crate) const BOOKING_COLUMNS: &str = "id, account_id, actor_id, item_id, family, hall_id, \
     start_at, end_at, day, status, code_salt, application_id, moved_from, moved_to, \
     counts_as_no_show, close_reason, created_at, cancelled_at, checked_in_at, no_show_at";

/// The booking `id`.
pub(crate) async fn booking_by_id<'c, E: Executor<'c, Database = Any>>(
    e: E,
    id: &str,
) -> Result<Option<BookingRow>> {
    Ok(sqlx::query_as(&format!(
        "SELECT {BOOKING_COLUMNS} FROM bookings WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(e)
    .await?)
}

/// The active booking of `account_id` for `family`, if any.
pub(crate) async fn active_booking<'c, E: Executor<'c, Database = Any>>(
    e: E,
    account_id: &str,
    family: &str,
) -> Result<Option<String>> {
    Ok(sqlx::query_scalar(
        "SELECT id FROM bookings WHERE account_id = $1 AND family = $2 AND status = 'booked'",
    )
    .bind(account_id)
    .bind(family)
    .fetch_optional(e)
    .await?)
}

/// The state of a slot row: places taken, closed.
pub(crate) async fn slot_state<'c, E: Executor<'c, Database = Any>>(
    e: E,
    hall_id: &str,
    family: &str,
    start_at: i64,
) -> Result<Option<(i64, bool)>> {
    let row: Option<(i64, i64)> = sqlx::query_as(
        "SELECT taken, closed FROM booking_slots \
         WHERE hall_id = $1 AND family = $2 AND start_at = $3",
    )
    .bind(hall_id)
    .bind(family)
    .bind(start_at)
    .fetch_optional(e)
    .await?;
    Ok(row.map(|(taken, closed)| (taken, closed != 0)))
}

/// Creates the slot row if missing (no places taken, open).
pub(crate) async fn ensure_slot<'c, E: Executor<'c, Database = Any>>(
    e: E,
    hall_id: &str,
    family: &str,
    start_at: i64,
    day: &str,
    capacity: u32,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO booking_slots (hall_id, family, start_at, day, capacity, taken, closed) \
         VALUES ($1, $2, $3, $4, $5, 0, 0) \
         ON CONFLICT (hall_id, family, start_at) DO NOTHING",
    )
    .bind(hall_id)
    .bind(family)
    .bind(start_at)
    .bind(day)
    .bind(i64::from(capacity))
    .execute(e)
    .await?;
    Ok(())
}

/// Takes one place of the slot if one is left and the slot is open: one
/// conditional update, so the row's lock decides between concurrent
/// bookings (no read-then-write). The calendar's capacity is the bound
/// (and is written down), so a reloaded capacity applies at once.
pub(crate) async fn take_place<'c, E: Executor<'c, Database = Any>>(
    e: E,
    hall_id: &str,
    family: &str,
    start_at: i64,
    capacity: u32,
) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE booking_slots SET taken = taken + 1, capacity = $4 \
         WHERE hall_id = $1 AND family = $2 AND start_at = $3 AND taken < $4 AND closed = 0",
    )
    .bind(hall_id)
    .bind(family)
    .bind(start_at)
    .bind(i64::from(capacity))
    .execute(e)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Gives one place of the slot back.
pub(crate) async fn release_place<'c, E: Executor<'c, Database = Any>>(
    e: E,
    hall_id: &str,
    family: &str,
    start_at: i64,
) -> Result<()> {
    sqlx::query(
        "UPDATE booking_slots SET taken = taken - 1 \
         WHERE hall_id = $1 AND family = $2 AND start_at = $3 AND taken > 0",
    )
    .bind(hall_id)
    .bind(family)
    .bind(start_at)
    .execute(e)
    .await?;
    Ok(())
}

/// Why a place could not be taken: the slot is closed, or full.
pub(crate) async fn refusal<'c, E: Executor<'c, Database = Any>>(
    e: E,
    hall_id: &str,
    family: &str,
    start_at: i64,
) -> BookingError {
    match slot_state(e, hall_id, family, start_at).await {
        Ok(Some((_, true))) => BookingError::SlotClosed,
        Ok(_) => BookingError::SlotFull,
        Err(e) => e,
    }
}

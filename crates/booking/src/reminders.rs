//! Reminders: an outbox table written in the same transaction as the event
//! (booked, rescheduled, the day before, a slot the hall closed, a
//! suspension), and [`Booking::dispatch`], which claims due reminders with
//! a lease and hands each to a [`Notifier`] — so that several replicas send
//! each reminder once.
//!
//! A claim is one `UPDATE … WHERE unclaimed or lease expired`: on
//! PostgreSQL a second dispatcher waiting on the same rows re-checks that
//! condition once the first commits and skips them; on SQLite writes are
//! serialised anyway. A reminder whose delivery outlives its lease may be
//! claimed again; the notifier makes that harmless by keying what it writes
//! on the reminder's id.

use serde::{Deserialize, Serialize};
use time::{Date, Duration, OffsetDateTime};

use crate::booking::Booking;
use crate::cst::{self, serde_cst};
use crate::error::{BookingError, Result};
use crate::store::BookingRow;

/// The hour the day-before reminder is due (18:00 the day before).
pub const DAY_BEFORE_AT: u16 = 18 * 60;

/// Deliveries of a reminder tried at most; then it is given up.
pub const MAX_ATTEMPTS: i64 = 8;

/// Why a reminder is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ReminderKind {
    /// A booking was made.
    Booked,
    /// A booking was moved to another time by its holder.
    Rescheduled,
    /// The booking is tomorrow.
    DayBefore,
    /// The hall closed the slot: the booking was cancelled, and the holder
    /// moved to another slot if one was free (`moved_to`).
    SlotClosed,
    /// Too many no-shows: booking is suspended until `until`.
    Suspended,
}

impl ReminderKind {
    fn as_str(self) -> &'static str {
        match self {
            ReminderKind::Booked => "booked",
            ReminderKind::Rescheduled => "rescheduled",
            ReminderKind::DayBefore => "day_before",
            ReminderKind::SlotClosed => "slot_closed",
            ReminderKind::Suspended => "suspended",
        }
    }

    fn parse(text: &str) -> Option<ReminderKind> {
        Some(match text {
            "booked" => ReminderKind::Booked,
            "rescheduled" => ReminderKind::Rescheduled,
            "day_before" => ReminderKind::DayBefore,
            "slot_closed" => ReminderKind::SlotClosed,
            "suspended" => ReminderKind::Suspended,
            _ => return None,
        })
    }
}

/// A reminder to deliver: who, why, and the facts its message needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reminder {
    /// Its id (`bkr_…`): use it as the id of the message written, so that
    /// delivering it twice writes one message.
    pub id: String,
    /// Why.
    pub kind: ReminderKind,
    /// The account to tell (a person, or an organisation).
    pub account_id: String,
    /// The person who booked (for an organisation's booking, the 经办人).
    pub actor_id: String,
    /// The booking concerned.
    pub booking_id: Option<String>,
    /// Its item.
    pub item_id: Option<String>,
    /// Its hall.
    pub hall_id: Option<String>,
    /// Its slot's start (for `rescheduled`, the new one).
    #[serde(serialize_with = "serde_cst::opt_time")]
    pub start: Option<OffsetDateTime>,
    /// Its slot's end.
    #[serde(serialize_with = "serde_cst::opt_time")]
    pub end: Option<OffsetDateTime>,
    /// `rescheduled`: the slot it left.
    #[serde(serialize_with = "serde_cst::opt_time")]
    pub previous_start: Option<OffsetDateTime>,
    /// `slot_closed`: the booking the holder was moved into, if any.
    pub moved_to: Option<String>,
    /// `slot_closed`: that booking's start.
    #[serde(serialize_with = "serde_cst::opt_time")]
    pub moved_to_start: Option<OffsetDateTime>,
    /// `slot_closed`: the hall's reason, in its words.
    pub reason: Option<String>,
    /// `suspended`: the last day of the suspension.
    #[serde(serialize_with = "serde_cst::opt_date")]
    pub until: Option<Date>,
    /// When it was due.
    #[serde(serialize_with = "serde_cst::time")]
    pub due_at: OffsetDateTime,
    /// This delivery's number (1 for the first).
    pub attempt: u32,
}

/// A delivery failed; it is tried again later.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{0}")]
pub struct NotifyError(pub String);

/// Delivers reminders (writes the inbox message, pushes it).
#[async_trait::async_trait]
pub trait Notifier: Send + Sync {
    /// Delivers `reminder`. Must be idempotent on `reminder.id`: a
    /// reminder whose delivery outlived its lease may come again.
    async fn deliver(&self, reminder: &Reminder) -> std::result::Result<(), NotifyError>;
}

/// What one dispatch call did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct DispatchReport {
    /// Reminders claimed.
    pub claimed: usize,
    /// Delivered and marked sent.
    pub delivered: usize,
    /// Failed (tried again later, or given up after the last attempt).
    pub failed: usize,
}

/// The stored facts of a reminder (times in milliseconds).
#[derive(Debug, Default, Serialize, Deserialize)]
pub(crate) struct Facts {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hall_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_start: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub moved_to: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub moved_to_start: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<String>,
}

impl Facts {
    /// The facts of a booking.
    pub fn of(row: &BookingRow) -> Facts {
        Facts {
            item_id: Some(row.item_id.clone()),
            hall_id: Some(row.hall_id.clone()),
            start: Some(row.start_at),
            end: Some(row.end_at),
            ..Facts::default()
        }
    }
}

/// A reminder to write.
pub(crate) struct NewReminder<'a> {
    pub kind: ReminderKind,
    pub account_id: &'a str,
    pub actor_id: &'a str,
    pub booking_id: Option<&'a str>,
    pub facts: Facts,
    pub due_at: OffsetDateTime,
    pub expires_at: OffsetDateTime,
}

/// Writes a reminder (in the caller's transaction).
pub(crate) async fn queue(
    conn: &mut sqlx::AnyConnection,
    reminder: NewReminder<'_>,
    now: OffsetDateTime,
) -> Result<()> {
    let facts = serde_json::to_string(&reminder.facts)
        .map_err(|e| BookingError::Internal(format!("reminder facts: {e}")))?;
    sqlx::query(
        "INSERT INTO booking_reminders \
         (id, kind, account_id, actor_id, booking_id, facts, due_at, expires_at, attempts, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 0, $9)",
    )
    .bind(crate::code::new_id("bkr")?)
    .bind(reminder.kind.as_str())
    .bind(reminder.account_id)
    .bind(reminder.actor_id)
    .bind(reminder.booking_id)
    .bind(facts)
    .bind(cst::to_ms(reminder.due_at))
    .bind(cst::to_ms(reminder.expires_at))
    .bind(cst::to_ms(now))
    .execute(conn)
    .await?;
    Ok(())
}

/// Writes the reminders of an active booking: `first` now (booked,
/// rescheduled) unless `None`, and the day-before reminder when it is
/// still ahead.
pub(crate) async fn queue_for_booking(
    conn: &mut sqlx::AnyConnection,
    row: &BookingRow,
    first: Option<(ReminderKind, Option<i64>)>,
    now: OffsetDateTime,
) -> Result<()> {
    let start = cst::from_ms(row.start_at);
    if let Some((kind, previous_start)) = first {
        let facts = Facts {
            previous_start,
            ..Facts::of(row)
        };
        queue(
            conn,
            NewReminder {
                kind,
                account_id: &row.account_id,
                actor_id: &row.actor_id,
                booking_id: Some(&row.id),
                facts,
                due_at: now,
                expires_at: start,
            },
            now,
        )
        .await?;
    }
    let day_before = cst::at(start.date() - Duration::days(1), DAY_BEFORE_AT);
    if day_before > now {
        queue(
            conn,
            NewReminder {
                kind: ReminderKind::DayBefore,
                account_id: &row.account_id,
                actor_id: &row.actor_id,
                booking_id: Some(&row.id),
                facts: Facts::of(row),
                due_at: day_before,
                expires_at: start,
            },
            now,
        )
        .await?;
    }
    Ok(())
}

/// Voids the reminders of a booking not sent yet (it was cancelled, moved
/// or closed): what they say no longer holds.
pub(crate) async fn void_for_booking(
    conn: &mut sqlx::AnyConnection,
    booking_id: &str,
    now: OffsetDateTime,
) -> Result<()> {
    sqlx::query(
        "UPDATE booking_reminders SET voided_at = $2 \
         WHERE booking_id = $1 AND sent_at IS NULL AND voided_at IS NULL \
         AND kind IN ('booked', 'rescheduled', 'day_before')",
    )
    .bind(booking_id)
    .bind(cst::to_ms(now))
    .execute(conn)
    .await?;
    Ok(())
}

#[derive(sqlx::FromRow)]
struct ClaimedRow {
    id: String,
    kind: String,
    account_id: String,
    actor_id: String,
    booking_id: Option<String>,
    facts: String,
    due_at: i64,
    attempts: i64,
}

impl ClaimedRow {
    fn reminder(self) -> Result<Reminder> {
        let kind = ReminderKind::parse(&self.kind)
            .ok_or_else(|| BookingError::Internal(format!("reminder kind `{}`", self.kind)))?;
        let facts: Facts = serde_json::from_str(&self.facts)
            .map_err(|e| BookingError::Internal(format!("reminder facts: {e}")))?;
        Ok(Reminder {
            id: self.id,
            kind,
            account_id: self.account_id,
            actor_id: self.actor_id,
            booking_id: self.booking_id,
            item_id: facts.item_id,
            hall_id: facts.hall_id,
            start: facts.start.map(cst::from_ms),
            end: facts.end.map(cst::from_ms),
            previous_start: facts.previous_start.map(cst::from_ms),
            moved_to: facts.moved_to,
            moved_to_start: facts.moved_to_start.map(cst::from_ms),
            reason: facts.reason,
            until: facts.until.as_deref().and_then(cst::parse_date),
            due_at: cst::from_ms(self.due_at),
            attempt: u32::try_from(self.attempts).unwrap_or(u32::MAX),
        })
    }
}

/// The pause before delivery `attempts` + 1: 1, 2, 4 … minutes, at most an
/// hour.
fn backoff(attempts: i64) -> Duration {
    let exponent = u32::try_from(attempts.clamp(1, 7) - 1).unwrap_or(0);
    Duration::minutes((1i64 << exponent).min(60))
}

impl Booking {
    /// Claims the reminders due at `now` (at most [`DISPATCH_BATCH`](crate::DISPATCH_BATCH), or as
    /// set) for
    /// `lease`, delivers each through `notifier`, and marks it sent — or,
    /// when delivery fails, leaves it for a later try (1, 2, 4 … minutes,
    /// given up after [`MAX_ATTEMPTS`]). A reminder whose slot has started
    /// is not sent any more. Call it in a loop (every few seconds) on every
    /// replica: each reminder is claimed by one dispatcher at a time.
    pub async fn dispatch(
        &self,
        notifier: &dyn Notifier,
        now: OffsetDateTime,
        worker_id: &str,
        lease: std::time::Duration,
    ) -> Result<DispatchReport> {
        let now_ms = cst::to_ms(now);
        let lease_ms = i64::try_from(lease.as_millis()).unwrap_or(i64::MAX / 2);
        // A claim names this call, so that only it can settle the rows.
        let claim = format!("{worker_id}:{}", crate::code::new_id("c")?);
        let claimed: Vec<ClaimedRow> = sqlx::query_as(
            "UPDATE booking_reminders SET claim = $1, lease_until = $2, attempts = attempts + 1 \
             WHERE id IN (SELECT id FROM booking_reminders \
                 WHERE sent_at IS NULL AND voided_at IS NULL AND due_at <= $3 AND expires_at > $3 \
                 AND (lease_until IS NULL OR lease_until <= $3) \
                 ORDER BY due_at LIMIT $4) \
             AND sent_at IS NULL AND voided_at IS NULL \
             AND (lease_until IS NULL OR lease_until <= $3) \
             RETURNING id, kind, account_id, actor_id, booking_id, facts, due_at, attempts",
        )
        .bind(&claim)
        .bind(now_ms.saturating_add(lease_ms))
        .bind(now_ms)
        .bind(self.dispatch_batch)
        .fetch_all(self.db.pool())
        .await?;
        let mut report = DispatchReport {
            claimed: claimed.len(),
            ..DispatchReport::default()
        };
        let mut claimed = claimed;
        claimed.sort_by_key(|r| r.due_at);
        for row in claimed {
            let attempts = row.attempts;
            let id = row.id.clone();
            let outcome = match row.reminder() {
                Ok(reminder) => notifier.deliver(&reminder).await.map_err(|e| e.0),
                Err(e) => Err(e.to_string()),
            };
            match outcome {
                Ok(()) => {
                    sqlx::query(
                        "UPDATE booking_reminders SET sent_at = $3, claim = NULL, last_error = NULL \
                         WHERE id = $1 AND claim = $2",
                    )
                    .bind(&id)
                    .bind(&claim)
                    .bind(now_ms)
                    .execute(self.db.pool())
                    .await?;
                    report.delivered += 1;
                }
                Err(error) => {
                    let error: String = error.chars().take(500).collect();
                    tracing::warn!(reminder = %id, attempts, error = %error, "reminder not delivered");
                    let give_up = attempts >= MAX_ATTEMPTS;
                    sqlx::query(
                        "UPDATE booking_reminders SET claim = NULL, lease_until = $3, last_error = $4, \
                         voided_at = COALESCE($5, voided_at) \
                         WHERE id = $1 AND claim = $2",
                    )
                    .bind(&id)
                    .bind(&claim)
                    .bind(cst::to_ms(now + backoff(attempts)))
                    .bind(error)
                    .bind(give_up.then_some(now_ms))
                    .execute(self.db.pool())
                    .await?;
                    report.failed += 1;
                }
            }
        }
        Ok(report)
    }

    /// Reminders not sent yet (due or not), oldest first: for operators and
    /// tests.
    pub async fn pending_reminders(&self) -> Result<Vec<Reminder>> {
        let rows: Vec<ClaimedRow> = sqlx::query_as(
            "SELECT id, kind, account_id, actor_id, booking_id, facts, due_at, attempts \
             FROM booking_reminders WHERE sent_at IS NULL AND voided_at IS NULL \
             ORDER BY due_at, created_at, id",
        )
        .fetch_all(self.db.pool())
        .await?;
        rows.into_iter().map(ClaimedRow::reminder).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_back_off_to_an_hour() {
        assert_eq!(backoff(1), Duration::minutes(1));
        assert_eq!(backoff(2), Duration::minutes(2));
        assert_eq!(backoff(4), Duration::minutes(8));
        assert_eq!(backoff(7), Duration::minutes(60));
        assert_eq!(backoff(70), Duration::minutes(60));
    }
}

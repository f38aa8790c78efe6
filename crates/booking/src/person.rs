//! The holder's side: the slots of an item at a hall, booking one, listing,
//! reading, cancelling and rescheduling one's bookings.
//!
//! A booking is one transaction: the idempotency key's row (if a key was
//! given), one place of the slot by a conditional update, the booking row
//! (whose partial unique index allows one active booking per subject and
//! service), and its reminders. Any refusal rolls all of it back.

use std::collections::HashMap;

use time::{Date, Duration, OffsetDateTime};

use crate::booking::{Booking, MAX_DAYS, REQUIRED_LEVEL, Resolved};
use crate::calendar::{Calendars, DayClosed};
use crate::code::{new_id, random_bytes};
use crate::cst;
use crate::error::{BookingError, Result, is_unique_violation};
use crate::model::{Appointment, DayState, Person, SlotDay, SlotInfo, SlotState, Status, Ticket};
use crate::reminders::{self, ReminderKind};
use crate::store::{self, BOOKING_COLUMNS, BookingRow};

/// Most bookings [`Booking::list`] returns.
pub const LIST_LIMIT: i64 = 200;

fn require_level(who: &Person) -> Result<()> {
    if who.level < REQUIRED_LEVEL {
        return Err(BookingError::RealNameRequired {
            required: REQUIRED_LEVEL,
        });
    }
    Ok(())
}

fn check_key(key: Option<&str>) -> Result<()> {
    match key {
        Some(k) if k.is_empty() || k.len() > 128 || !k.bytes().all(|b| b.is_ascii_graphic()) => {
            Err(BookingError::Invalid {
                field: "idempotency_key",
                reason: "1 to 128 visible ASCII characters",
            })
        }
        _ => Ok(()),
    }
}

fn check_application_id(id: Option<&str>) -> Result<()> {
    match id {
        Some(a)
            if a.is_empty()
                || a.len() > 64
                || !a
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"_-.:".contains(&b)) =>
        {
            Err(BookingError::Invalid {
                field: "application_id",
                reason: "1 to 64 letters, digits or _-.:",
            })
        }
        _ => Ok(()),
    }
}

fn new_salt() -> Result<String> {
    Ok(hex::encode(random_bytes::<8>()?))
}

/// Active bookings first (soonest first), then the others (latest first).
fn holder_order(a: &Appointment, b: &Appointment) -> std::cmp::Ordering {
    let active = |x: &Appointment| x.status != Status::Booked;
    active(a)
        .cmp(&active(b))
        .then_with(|| match a.status {
            Status::Booked => a.start.cmp(&b.start),
            _ => b.start.cmp(&a.start),
        })
        .then_with(|| a.id.cmp(&b.id))
}

impl Booking {
    /// The days from `from` for `days` days (1 to [`MAX_DAYS`]) with the
    /// slots of `item_id` at `hall_id` and their places left. A day that
    /// cannot be booked says why (too soon, not open yet and when it
    /// opens, holiday, hall closed, not offered); slots that have started
    /// are left out.
    pub async fn slots(
        &self,
        item_id: &str,
        hall_id: &str,
        from: Date,
        days: u32,
    ) -> Result<Vec<SlotDay>> {
        if days == 0 || days > MAX_DAYS {
            return Err(BookingError::DaysOutOfRange { max: MAX_DAYS });
        }
        let r = self.resolve(item_id, hall_id)?;
        let now = self.now();
        if from < now.date() {
            return Err(BookingError::InPast);
        }
        let to = from + Duration::days(i64::from(days));
        let rows: Vec<(i64, i64, i64)> = sqlx::query_as(
            "SELECT start_at, taken, closed FROM booking_slots \
             WHERE hall_id = $1 AND family = $2 AND start_at >= $3 AND start_at < $4",
        )
        .bind(&r.hall.id)
        .bind(r.family)
        .bind(cst::to_ms(cst::at(from, 0)))
        .bind(cst::to_ms(cst::at(to, 0)))
        .fetch_all(self.db.pool())
        .await?;
        let taken: HashMap<i64, (i64, bool)> = rows
            .into_iter()
            .map(|(start, taken, closed)| (start, (taken, closed != 0)))
            .collect();
        let window = Calendars::window(r.service, now);
        let mut out = Vec::with_capacity(days as usize);
        for offset in 0..i64::from(days) {
            let date = from + Duration::days(offset);
            let intervals = match self.calendars.open_intervals(r.hall, date) {
                Ok(intervals) => intervals,
                Err(closed) => {
                    let state = match closed {
                        DayClosed::Holiday(name) => DayState::Holiday { name },
                        DayClosed::NotCovered => DayState::NotOffered,
                        DayClosed::HallClosed => DayState::HallClosed,
                    };
                    out.push(SlotDay {
                        date,
                        state,
                        slots: Vec::new(),
                    });
                    continue;
                }
            };
            let state = if date < window.first_day {
                DayState::TooSoon
            } else if date > window.last_day {
                DayState::NotYetOpen {
                    opens_at: Calendars::opens_at(r.service, date),
                }
            } else {
                DayState::Open
            };
            let slots = if state == DayState::Open {
                Calendars::slot_minutes_in(r.service, intervals)
                    .into_iter()
                    .map(|m| cst::at(date, m))
                    .filter(|start| *start >= now)
                    .map(|start| {
                        let (used, closed) =
                            taken.get(&cst::to_ms(start)).copied().unwrap_or((0, false));
                        let used = u32::try_from(used.max(0)).unwrap_or(u32::MAX);
                        let left = r.capacity.saturating_sub(used);
                        SlotInfo {
                            start,
                            end: start + Duration::minutes(i64::from(r.service.slot_minutes)),
                            capacity: r.capacity,
                            left: if closed { 0 } else { left },
                            state: if closed {
                                SlotState::Closed
                            } else if left == 0 {
                                SlotState::Full
                            } else {
                                SlotState::Available
                            },
                        }
                    })
                    .collect()
            } else {
                Vec::new()
            };
            out.push(SlotDay { date, state, slots });
        }
        Ok(out)
    }

    /// Books the slot starting at `start` of `item_id` at `hall_id` for
    /// `who`, optionally for the 办件 `application_id`. With an
    /// `idempotency_key`, the same key and request answer the booking made
    /// the first time (a double tap books once); the same key with another
    /// request is refused.
    pub async fn book(
        &self,
        who: &Person,
        item_id: &str,
        hall_id: &str,
        start: OffsetDateTime,
        idempotency_key: Option<&str>,
        application_id: Option<&str>,
    ) -> Result<Ticket> {
        require_level(who)?;
        check_key(idempotency_key)?;
        check_application_id(application_id)?;
        let r = self.resolve(item_id, hall_id)?;
        let start = cst::local(start);
        let request_hash = self.key.request_hash(&[
            item_id,
            hall_id,
            &cst::to_ms(start).to_string(),
            application_id.unwrap_or(""),
        ]);
        if let Some(key) = idempotency_key
            && let Some(ticket) = self.replay(who, key, &request_hash).await?
        {
            return Ok(ticket);
        }
        let now = self.now();
        let end = self.check_start(&r, start, now)?;
        if let Some(until) = self.suspended_until(&who.actor_id, now.date()).await? {
            return Err(BookingError::Suspended { until });
        }
        let request = NewBooking {
            who,
            item_id,
            start,
            end,
            idempotency: idempotency_key.map(|k| (k, request_hash.as_str())),
            application_id,
        };
        match self.book_fresh(&r, &request).await {
            // A double tap: the same key's first request committed after
            // this one looked for it — answer that booking.
            Err(BookingError::AlreadyBooked { booking_id }) => match idempotency_key {
                Some(key) => match self.replay(who, key, &request_hash).await? {
                    Some(ticket) => Ok(ticket),
                    None => Err(BookingError::AlreadyBooked { booking_id }),
                },
                None => Err(BookingError::AlreadyBooked { booking_id }),
            },
            other => other,
        }
    }

    /// A booking whose idempotency key (if any) was not seen yet.
    async fn book_fresh(&self, r: &Resolved<'_>, request: &NewBooking<'_>) -> Result<Ticket> {
        if let Some(booking_id) =
            store::active_booking(self.db.pool(), &request.who.account_id, r.family).await?
        {
            return Err(BookingError::AlreadyBooked { booking_id });
        }
        self.prepare_slot(r, request.start).await?;
        self.retrying(|| self.insert_booking(r, request)).await
    }

    /// Makes sure the slot row exists; with the precheck on, turns people
    /// away from a slot that is closed or full without a transaction (the
    /// transaction still decides).
    async fn prepare_slot(&self, r: &Resolved<'_>, start: OffsetDateTime) -> Result<()> {
        let start_ms = cst::to_ms(start);
        match store::slot_state(self.db.pool(), &r.hall.id, r.family, start_ms).await? {
            Some((_, true)) if self.precheck => Err(BookingError::SlotClosed),
            Some((taken, _)) if self.precheck && taken >= i64::from(r.capacity) => {
                Err(BookingError::SlotFull)
            }
            Some(_) => Ok(()),
            None => {
                store::ensure_slot(
                    self.db.pool(),
                    &r.hall.id,
                    r.family,
                    start_ms,
                    &cst::date_text(start.date()),
                    r.capacity,
                )
                .await
            }
        }
    }

    /// The booking an idempotency key made, if the key was used; refused
    /// when it was used for another request.
    async fn replay(&self, who: &Person, key: &str, request_hash: &str) -> Result<Option<Ticket>> {
        let found: Option<(String, String)> = sqlx::query_as(
            "SELECT request_hash, booking_id FROM booking_requests \
             WHERE account_id = $1 AND idem_key = $2",
        )
        .bind(&who.account_id)
        .bind(key)
        .fetch_optional(self.db.pool())
        .await?;
        match found {
            None => Ok(None),
            Some((hash, _)) if hash != request_hash => Err(BookingError::IdempotencyKeyReused),
            Some((_, booking_id)) => {
                let row = self.own_row(&who.account_id, &booking_id).await?;
                Ok(Some(self.ticket(&row)?))
            }
        }
    }

    /// One try of the booking's transaction.
    async fn insert_booking(&self, r: &Resolved<'_>, q: &NewBooking<'_>) -> Result<Ticket> {
        let now = self.now();
        let start_ms = cst::to_ms(q.start);
        let id = new_id("bk")?;
        let salt = new_salt()?;
        let code_hash = self.key.code_hash(&self.key.code(&id, &salt));
        let mut tx = self.db.begin().await?;
        if let Some((key, hash)) = q.idempotency {
            let inserted = sqlx::query(
                "INSERT INTO booking_requests (account_id, idem_key, request_hash, booking_id, created_at) \
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(&q.who.account_id)
            .bind(key)
            .bind(hash)
            .bind(&id)
            .bind(cst::to_ms(now))
            .execute(&mut *tx)
            .await;
            match inserted {
                Ok(_) => {}
                Err(e) if is_unique_violation(&e) => {
                    // The same key's first request committed meanwhile.
                    tx.rollback().await?;
                    return self
                        .replay(q.who, key, hash)
                        .await?
                        .ok_or(BookingError::Busy);
                }
                Err(e) => return Err(e.into()),
            }
        }
        if !store::take_place(&mut *tx, &r.hall.id, r.family, start_ms, r.capacity).await? {
            tx.rollback().await?;
            return Err(store::refusal(self.db.pool(), &r.hall.id, r.family, start_ms).await);
        }
        let row = BookingRow {
            id,
            account_id: q.who.account_id.clone(),
            actor_id: q.who.actor_id.clone(),
            item_id: q.item_id.to_string(),
            family: r.family.to_string(),
            hall_id: r.hall.id.clone(),
            start_at: start_ms,
            end_at: cst::to_ms(q.end),
            day: cst::date_text(q.start.date()),
            status: Status::Booked.as_str().to_string(),
            code_salt: salt,
            application_id: q.application_id.map(str::to_string),
            moved_from: None,
            moved_to: None,
            counts_as_no_show: 1,
            close_reason: None,
            created_at: cst::to_ms(now),
            cancelled_at: None,
            checked_in_at: None,
            no_show_at: None,
        };
        if let Err(e) = insert_row(&mut tx, &row, &code_hash, now).await {
            tx.rollback().await?;
            return Err(self.classify_duplicate(e, &row).await);
        }
        reminders::queue_for_booking(&mut tx, &row, Some((ReminderKind::Booked, None)), now)
            .await?;
        tx.commit().await?;
        self.ticket(&row)
    }

    /// What a refused booking row means: the subject already holds an
    /// active booking of the service, or (very rarely) its check-in code
    /// collided with another of the hall's day — tried again.
    async fn classify_duplicate(&self, error: sqlx::Error, row: &BookingRow) -> BookingError {
        if !is_unique_violation(&error) {
            return error.into();
        }
        match store::active_booking(self.db.pool(), &row.account_id, &row.family).await {
            Ok(Some(booking_id)) => BookingError::AlreadyBooked { booking_id },
            Ok(None) => BookingError::Busy,
            Err(e) => e,
        }
    }

    /// `who`'s bookings (at most [`LIST_LIMIT`], the latest): active ones
    /// first, soonest first, then the others, latest first. Check-in codes
    /// are included for active bookings; QR codes are not (see
    /// [`Booking::get`]).
    pub async fn list(&self, who: &Person) -> Result<Vec<Appointment>> {
        let rows: Vec<BookingRow> = sqlx::query_as(&format!(
            "SELECT {BOOKING_COLUMNS} FROM bookings WHERE account_id = $1 \
             ORDER BY start_at DESC, id LIMIT {LIST_LIMIT}"
        ))
        .bind(&who.account_id)
        .fetch_all(self.db.pool())
        .await?;
        let mut out = rows
            .iter()
            .map(|row| self.appointment(row, true))
            .collect::<Result<Vec<_>>>()?;
        out.sort_by(holder_order);
        Ok(out)
    }

    /// `who`'s bookings made for the 办件 `application_id`, latest first.
    pub async fn for_application(
        &self,
        who: &Person,
        application_id: &str,
    ) -> Result<Vec<Appointment>> {
        let rows: Vec<BookingRow> = sqlx::query_as(&format!(
            "SELECT {BOOKING_COLUMNS} FROM bookings WHERE account_id = $1 AND application_id = $2 \
             ORDER BY created_at DESC, id"
        ))
        .bind(&who.account_id)
        .bind(application_id)
        .fetch_all(self.db.pool())
        .await?;
        rows.iter().map(|row| self.appointment(row, true)).collect()
    }

    /// `who`'s booking `id` with its check-in QR code; another subject's
    /// booking is [`BookingError::NotFound`].
    pub async fn get(&self, who: &Person, id: &str) -> Result<Ticket> {
        let row = self.own_row(&who.account_id, id).await?;
        self.ticket(&row)
    }

    /// Cancels `who`'s booking `id` until `cancel_before_minutes` before
    /// its slot, giving its place back. Cancelling a cancelled booking
    /// answers it again.
    pub async fn cancel(&self, who: &Person, id: &str) -> Result<Appointment> {
        self.retrying(|| self.try_cancel(&who.account_id, id, true))
            .await
    }

    /// One try of a cancellation (`deadline`: whether the holder's deadline
    /// applies).
    pub(crate) async fn try_cancel(
        &self,
        account_id: &str,
        id: &str,
        deadline: bool,
    ) -> Result<Appointment> {
        let row = self.own_row(account_id, id).await?;
        match Status::parse(&row.status) {
            Some(Status::Booked) => {}
            Some(Status::Cancelled) => return self.appointment(&row, true),
            Some(status) => return Err(BookingError::NotActive { status }),
            None => return Err(BookingError::Internal(format!("status `{}`", row.status))),
        }
        let now = self.now();
        let last = cst::from_ms(row.start_at) - self.cancel_before(&row.family);
        if deadline && now > last {
            return Err(BookingError::TooLateToChange { deadline: last });
        }
        let mut tx = self.db.begin().await?;
        let done = sqlx::query(
            "UPDATE bookings SET status = 'cancelled', cancelled_at = $3, updated_at = $3 \
             WHERE id = $1 AND status = 'booked' AND start_at = $2",
        )
        .bind(&row.id)
        .bind(row.start_at)
        .bind(cst::to_ms(now))
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() != 1 {
            // Changed meanwhile: read it again.
            tx.rollback().await?;
            return Err(BookingError::Busy);
        }
        store::release_place(&mut *tx, &row.hall_id, &row.family, row.start_at).await?;
        reminders::void_for_booking(&mut tx, &row.id, now).await?;
        tx.commit().await?;
        let row = self.own_row(account_id, id).await?;
        self.appointment(&row, true)
    }

    /// Moves `who`'s booking `id` to the slot starting at `new_start` (same
    /// item, same hall), until `cancel_before_minutes` before its current
    /// slot, under the rules of a new booking. The place moves in one
    /// transaction: it is never held twice nor lost. Moving it to where it
    /// is answers it again. The check-in code changes.
    pub async fn reschedule(
        &self,
        who: &Person,
        id: &str,
        new_start: OffsetDateTime,
    ) -> Result<Ticket> {
        require_level(who)?;
        self.retrying(|| self.try_reschedule(who, id, cst::local(new_start)))
            .await
    }

    async fn try_reschedule(
        &self,
        who: &Person,
        id: &str,
        new_start: OffsetDateTime,
    ) -> Result<Ticket> {
        let row = self.own_row(&who.account_id, id).await?;
        match Status::parse(&row.status) {
            Some(Status::Booked) => {}
            Some(status) => return Err(BookingError::NotActive { status }),
            None => return Err(BookingError::Internal(format!("status `{}`", row.status))),
        }
        let new_ms = cst::to_ms(new_start);
        if new_ms == row.start_at {
            return self.ticket(&row);
        }
        let now = self.now();
        let last = cst::from_ms(row.start_at) - self.cancel_before(&row.family);
        if now > last {
            return Err(BookingError::TooLateToChange { deadline: last });
        }
        let r = self.resolve(&row.item_id, &row.hall_id)?;
        let end = self.check_start(&r, new_start, now)?;
        if let Some(until) = self.suspended_until(&who.actor_id, now.date()).await? {
            return Err(BookingError::Suspended { until });
        }
        self.prepare_slot(&r, new_start).await?;
        let salt = new_salt()?;
        let code_hash = self.key.code_hash(&self.key.code(&row.id, &salt));
        let mut tx = self.db.begin().await?;
        let moved = sqlx::query(
            "UPDATE bookings SET start_at = $3, end_at = $4, day = $5, code_salt = $6, \
             code_hash = $7, updated_at = $8 \
             WHERE id = $1 AND status = 'booked' AND start_at = $2",
        )
        .bind(&row.id)
        .bind(row.start_at)
        .bind(new_ms)
        .bind(cst::to_ms(end))
        .bind(cst::date_text(new_start.date()))
        .bind(&salt)
        .bind(&code_hash)
        .bind(cst::to_ms(now))
        .execute(&mut *tx)
        .await;
        match moved {
            Ok(done) if done.rows_affected() == 1 => {}
            // Changed meanwhile, or the new code collided: try again.
            Ok(_) => {
                tx.rollback().await?;
                return Err(BookingError::Busy);
            }
            Err(e) if is_unique_violation(&e) => {
                tx.rollback().await?;
                return Err(BookingError::Busy);
            }
            Err(e) => return Err(e.into()),
        }
        // Slot rows are locked in the order of their start, so that two
        // reschedules crossing each other cannot deadlock.
        let (family, hall) = (r.family, r.hall.id.as_str());
        if row.start_at < new_ms {
            store::release_place(&mut *tx, hall, family, row.start_at).await?;
        }
        if !store::take_place(&mut *tx, hall, family, new_ms, r.capacity).await? {
            tx.rollback().await?;
            return Err(store::refusal(self.db.pool(), hall, family, new_ms).await);
        }
        if row.start_at > new_ms {
            store::release_place(&mut *tx, hall, family, row.start_at).await?;
        }
        let moved_row = BookingRow {
            start_at: new_ms,
            end_at: cst::to_ms(end),
            day: cst::date_text(new_start.date()),
            code_salt: salt,
            ..row.clone()
        };
        reminders::void_for_booking(&mut tx, &row.id, now).await?;
        reminders::queue_for_booking(
            &mut tx,
            &moved_row,
            Some((ReminderKind::Rescheduled, Some(row.start_at))),
            now,
        )
        .await?;
        tx.commit().await?;
        self.ticket(&moved_row)
    }

    /// Cancels every active booking of `account_id`, whatever the deadline,
    /// giving their places back: call it before deleting an account (its
    /// rows go with the account; this frees the places first). Returns how
    /// many were cancelled.
    pub async fn release_account(&self, account_id: &str) -> Result<usize> {
        let ids: Vec<String> = sqlx::query_scalar(
            "SELECT id FROM bookings WHERE account_id = $1 AND status = 'booked'",
        )
        .bind(account_id)
        .fetch_all(self.db.pool())
        .await?;
        for id in &ids {
            self.retrying(|| self.try_cancel(account_id, id, false))
                .await?;
        }
        Ok(ids.len())
    }
}

/// A booking request, checked.
struct NewBooking<'a> {
    who: &'a Person,
    item_id: &'a str,
    start: OffsetDateTime,
    end: OffsetDateTime,
    idempotency: Option<(&'a str, &'a str)>,
    application_id: Option<&'a str>,
}

/// Inserts a booking row.
pub(crate) async fn insert_row(
    conn: &mut sqlx::AnyConnection,
    row: &BookingRow,
    code_hash: &str,
    now: OffsetDateTime,
) -> std::result::Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO bookings (id, account_id, actor_id, item_id, family, hall_id, start_at, \
         end_at, day, status, code_salt, code_hash, application_id, moved_from, moved_to, \
         counts_as_no_show, close_reason, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, NULL, $15, NULL, $16, $16)",
    )
    .bind(&row.id)
    .bind(&row.account_id)
    .bind(&row.actor_id)
    .bind(&row.item_id)
    .bind(&row.family)
    .bind(&row.hall_id)
    .bind(row.start_at)
    .bind(row.end_at)
    .bind(&row.day)
    .bind(&row.status)
    .bind(&row.code_salt)
    .bind(code_hash)
    .bind(&row.application_id)
    .bind(&row.moved_from)
    .bind(row.counts_as_no_show)
    .bind(cst::to_ms(now))
    .execute(conn)
    .await?;
    Ok(())
}

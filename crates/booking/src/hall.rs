//! The hall's side: the day's list, check-in by code, marking a no-show
//! (and the suspension three of them start), closing a slot or a day —
//! whose holders are moved, before anyone else can take the places, to the
//! nearest free slot — and reopening. The daemon checks that the member of
//! staff belongs to the hall; these calls trust `hall_id`.

use std::collections::{BTreeMap, BTreeSet};

use time::{Date, Duration, OffsetDateTime};

use crate::booking::Booking;
use crate::calendar::Calendars;
use crate::code::{canonical_code, new_id, random_bytes};
use crate::cst;
use crate::error::{BookingError, Result};
use crate::model::{Appointment, CloseTarget, ClosureReport, Displaced, NoShow, Status};
use crate::person::insert_row;
use crate::reminders::{self, Facts, NewReminder, ReminderKind};
use crate::store::{self, BOOKING_COLUMNS, BookingRow};

/// The longest reason a hall may give for a closure, in characters.
pub const MAX_REASON_CHARS: usize = 200;

/// A slot of a family at the hall.
type SlotKey = (String, i64);

impl Booking {
    /// Every booking at `hall_id` on `date` (all services and statuses), by
    /// start, service and booking time. No check-in codes.
    pub async fn day_list(&self, hall_id: &str, date: Date) -> Result<Vec<Appointment>> {
        self.hall(hall_id)?;
        let rows: Vec<BookingRow> = sqlx::query_as(&format!(
            "SELECT {BOOKING_COLUMNS} FROM bookings WHERE hall_id = $1 AND day = $2 \
             ORDER BY start_at, family, created_at, id"
        ))
        .bind(hall_id)
        .bind(cst::date_text(date))
        .fetch_all(self.db.pool())
        .await?;
        rows.iter()
            .map(|row| self.appointment(row, false))
            .collect()
    }

    /// Checks in the holder of today's booking at `hall_id` with `code`
    /// (typed, or the QR code's text).
    pub async fn check_in(&self, hall_id: &str, code: &str) -> Result<Appointment> {
        self.hall(hall_id)?;
        let code = canonical_code(code).ok_or(BookingError::InvalidCode)?;
        let now = self.now();
        let hash = self.key.code_hash(&code);
        let find = || async {
            let row: Option<BookingRow> = sqlx::query_as(&format!(
                "SELECT {BOOKING_COLUMNS} FROM bookings WHERE hall_id = $1 AND day = $2 \
                 AND code_hash = $3 AND status IN ('booked', 'checked_in', 'no_show')"
            ))
            .bind(hall_id)
            .bind(cst::date_text(now.date()))
            .bind(&hash)
            .fetch_optional(self.db.pool())
            .await?;
            row.ok_or(BookingError::CodeNotFound)
        };
        let row = find().await?;
        if row.status != Status::Booked.as_str() {
            return self.state_refusal(&row);
        }
        let done = sqlx::query(
            "UPDATE bookings SET status = 'checked_in', checked_in_at = $2, updated_at = $2 \
             WHERE id = $1 AND status = 'booked'",
        )
        .bind(&row.id)
        .bind(cst::to_ms(now))
        .execute(self.db.pool())
        .await?;
        let after = find().await?;
        if done.rows_affected() == 1 {
            self.appointment(&after, false)
        } else {
            // A concurrent scan checked it in first.
            self.state_refusal(&after)
        }
    }

    fn state_refusal<T>(&self, row: &BookingRow) -> Result<T> {
        match Status::parse(&row.status) {
            Some(Status::CheckedIn) => Err(BookingError::AlreadyCheckedIn {
                at: cst::from_ms(row.checked_in_at.unwrap_or(row.start_at)),
            }),
            Some(status) => Err(BookingError::NotActive { status }),
            None => Err(BookingError::Internal(format!("status `{}`", row.status))),
        }
    }

    /// Marks `booking_id` at `hall_id` a no-show (once its slot has
    /// started). Counted no-shows (not those of bookings the hall moved)
    /// that reach `no_show_limit` within `no_show_days`, since any earlier
    /// suspension, suspend the person's booking for `suspend_days` days
    /// from today; the person is told the last day.
    pub async fn mark_no_show(&self, hall_id: &str, booking_id: &str) -> Result<NoShow> {
        self.hall(hall_id)?;
        self.retrying(|| self.try_no_show(hall_id, booking_id))
            .await
    }

    async fn try_no_show(&self, hall_id: &str, booking_id: &str) -> Result<NoShow> {
        let row = store::booking_by_id(self.db.pool(), booking_id)
            .await?
            .filter(|row| row.hall_id == hall_id)
            .ok_or(BookingError::NotFound)?;
        let counted = row.counts_as_no_show != 0;
        match Status::parse(&row.status) {
            Some(Status::Booked) => {}
            Some(Status::NoShow) => {
                return Ok(NoShow {
                    appointment: self.appointment(&row, false)?,
                    counted,
                    suspended_until: None,
                });
            }
            _ => return self.state_refusal(&row),
        }
        let now = self.now();
        let start = cst::from_ms(row.start_at);
        if now < start {
            return Err(BookingError::SlotNotStarted { start });
        }
        let rules = self.calendars.person_rules();
        let today = now.date();
        let mut tx = self.db.begin().await?;
        let done = sqlx::query(
            "UPDATE bookings SET status = 'no_show', no_show_at = $2, updated_at = $2 \
             WHERE id = $1 AND status = 'booked'",
        )
        .bind(&row.id)
        .bind(cst::to_ms(now))
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() != 1 {
            tx.rollback().await?;
            return Err(BookingError::Busy);
        }
        let mut suspended_until = None;
        if counted {
            let since = today - Duration::days(i64::from(rules.no_show_days) - 1);
            let last_suspension: Option<i64> = sqlx::query_scalar(
                "SELECT MAX(created_at) FROM booking_suspensions WHERE actor_id = $1",
            )
            .bind(&row.actor_id)
            .fetch_one(&mut *tx)
            .await?;
            let count: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM bookings WHERE actor_id = $1 AND status = 'no_show' \
                 AND counts_as_no_show = 1 AND day >= $2 AND no_show_at > $3",
            )
            .bind(&row.actor_id)
            .bind(cst::date_text(since))
            .bind(last_suspension.unwrap_or(i64::MIN))
            .fetch_one(&mut *tx)
            .await?;
            if count >= i64::from(rules.no_show_limit) {
                let until = today + Duration::days(i64::from(rules.suspend_days) - 1);
                sqlx::query(
                    "INSERT INTO booking_suspensions (id, actor_id, starts_on, until_day, booking_id, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(new_id("bks")?)
                .bind(&row.actor_id)
                .bind(cst::date_text(today))
                .bind(cst::date_text(until))
                .bind(&row.id)
                .bind(cst::to_ms(now))
                .execute(&mut *tx)
                .await?;
                reminders::queue(
                    &mut tx,
                    NewReminder {
                        kind: ReminderKind::Suspended,
                        account_id: &row.actor_id,
                        actor_id: &row.actor_id,
                        booking_id: Some(&row.id),
                        facts: Facts {
                            until: Some(cst::date_text(until)),
                            ..Facts::of(&row)
                        },
                        due_at: now,
                        expires_at: cst::at(until + Duration::days(1), 0),
                    },
                    now,
                )
                .await?;
                suspended_until = Some(until);
            }
        }
        tx.commit().await?;
        let row = store::booking_by_id(self.db.pool(), booking_id)
            .await?
            .ok_or(BookingError::NotFound)?;
        Ok(NoShow {
            appointment: self.appointment(&row, false)?,
            counted,
            suspended_until,
        })
    }

    /// The slots a closure targets: those of the calendars and those with a
    /// row in the database (a slot the calendars no longer have, after a
    /// reload, can be closed too).
    async fn close_targets(
        &self,
        hall_id: &str,
        family: Option<&str>,
        target: CloseTarget,
        now: OffsetDateTime,
    ) -> Result<BTreeSet<SlotKey>> {
        let hall = self.hall(hall_id)?;
        let families: Vec<&str> = match family {
            Some(f) if hall.bookings.contains_key(f) => vec![f],
            Some(f) => {
                // A family the hall stopped booking may still have rows.
                let rows: i64 = sqlx::query_scalar(
                    "SELECT COUNT(*) FROM booking_slots WHERE hall_id = $1 AND family = $2",
                )
                .bind(hall_id)
                .bind(f)
                .fetch_one(self.db.pool())
                .await?;
                if rows == 0 {
                    return Err(BookingError::HallDoesNotBook {
                        hall_id: hall_id.to_string(),
                        item_id: f.to_string(),
                    });
                }
                vec![f]
            }
            None => hall.bookings.keys().map(String::as_str).collect(),
        };
        let (date, only) = match target {
            CloseTarget::Slot(start) => {
                let start = cst::local(start);
                if start < now {
                    return Err(BookingError::InPast);
                }
                (start.date(), Some(cst::to_ms(start)))
            }
            CloseTarget::Day(date) => {
                if date < now.date() {
                    return Err(BookingError::InPast);
                }
                (date, None)
            }
        };
        let now_ms = cst::to_ms(now);
        let mut keys = BTreeSet::new();
        for f in &families {
            for start in self.calendars.slot_starts(hall_id, f, date) {
                let ms = cst::to_ms(start);
                if ms >= now_ms && only.is_none_or(|o| o == ms) {
                    keys.insert((f.to_string(), ms));
                }
            }
        }
        let rows: Vec<(String, i64)> = sqlx::query_as(
            "SELECT family, start_at FROM booking_slots WHERE hall_id = $1 AND day = $2 AND start_at >= $3",
        )
        .bind(hall_id)
        .bind(cst::date_text(date))
        .bind(now_ms)
        .fetch_all(self.db.pool())
        .await?;
        for (f, ms) in rows {
            if families.contains(&f.as_str()) && only.is_none_or(|o| o == ms) {
                keys.insert((f, ms));
            }
        }
        if keys.is_empty() && only.is_some() {
            return Err(BookingError::NotSlotStart);
        }
        Ok(keys)
    }

    /// Closes, at `hall_id`, the slot starting at a time or every slot of a
    /// day that has not started — of `family`, or of every service the
    /// hall books — giving `reason` (the hall's words, 1 to
    /// [`MAX_REASON_CHARS`] characters). In one transaction, each active
    /// booking there is cancelled and its holder, in the order they had
    /// booked, moved to the nearest open slot of the same service at the
    /// same hall with a place left — the first free one after the closed
    /// slot, or else the last free one before it — starting at least the
    /// change deadline from now, within the window open today; each is sent a
    /// `slot_closed` reminder saying where they were moved, or that no
    /// place was free. Closing a closed slot again changes nothing.
    pub async fn close(
        &self,
        hall_id: &str,
        family: Option<&str>,
        target: CloseTarget,
        reason: &str,
    ) -> Result<ClosureReport> {
        let reason = reason.trim();
        if reason.is_empty() || reason.chars().count() > MAX_REASON_CHARS {
            return Err(BookingError::Invalid {
                field: "reason",
                reason: "1 to 200 characters",
            });
        }
        self.retrying(|| self.try_close(hall_id, family, target, reason))
            .await
    }

    async fn try_close(
        &self,
        hall_id: &str,
        family: Option<&str>,
        target: CloseTarget,
        reason: &str,
    ) -> Result<ClosureReport> {
        let now = self.now();
        let keys = self.close_targets(hall_id, family, target, now).await?;
        let now_ms = cst::to_ms(now);
        let mut tx = self.db.begin().await?;
        // Close the slots (in key order, so concurrent closures and
        // bookings lock rows in one order).
        for (f, ms) in &keys {
            let capacity = self.calendars.capacity(hall_id, f).unwrap_or(0);
            sqlx::query(
                "INSERT INTO booking_slots (hall_id, family, start_at, day, capacity, taken, closed, closed_reason, closed_at) \
                 VALUES ($1, $2, $3, $4, $5, 0, 1, $6, $7) \
                 ON CONFLICT (hall_id, family, start_at) DO UPDATE \
                 SET closed = 1, taken = 0, closed_reason = $6, closed_at = $7",
            )
            .bind(hall_id)
            .bind(f)
            .bind(ms)
            .bind(cst::date_text(cst::from_ms(*ms).date()))
            .bind(i64::from(capacity))
            .bind(reason)
            .bind(now_ms)
            .execute(&mut *tx)
            .await?;
        }
        // The bookings in them, first booked first.
        let days: BTreeSet<String> = keys
            .iter()
            .map(|(_, ms)| cst::date_text(cst::from_ms(*ms).date()))
            .collect();
        let mut affected: Vec<BookingRow> = Vec::new();
        for day in &days {
            let rows: Vec<BookingRow> = sqlx::query_as(&format!(
                "SELECT {BOOKING_COLUMNS} FROM bookings \
                 WHERE hall_id = $1 AND day = $2 AND status = 'booked'"
            ))
            .bind(hall_id)
            .bind(day)
            .fetch_all(&mut *tx)
            .await?;
            affected.extend(
                rows.into_iter()
                    .filter(|row| keys.contains(&(row.family.clone(), row.start_at))),
            );
        }
        affected.sort_by(|a, b| (a.created_at, &a.id).cmp(&(b.created_at, &b.id)));
        let mut report = ClosureReport {
            slots_closed: u32::try_from(keys.len()).unwrap_or(u32::MAX),
            displaced: Vec::new(),
        };
        let mut free = FreePlaces::default();
        for row in affected {
            let done = sqlx::query(
                "UPDATE bookings SET status = 'closed', close_reason = $2, cancelled_at = $3, updated_at = $3 \
                 WHERE id = $1 AND status = 'booked'",
            )
            .bind(&row.id)
            .bind(reason)
            .bind(now_ms)
            .execute(&mut *tx)
            .await?;
            if done.rows_affected() != 1 {
                continue;
            }
            reminders::void_for_booking(&mut tx, &row.id, now).await?;
            let moved = self
                .move_holder(&mut tx, &row, &keys, &mut free, now)
                .await?;
            if let Some(new_row) = &moved {
                sqlx::query("UPDATE bookings SET moved_to = $2 WHERE id = $1")
                    .bind(&row.id)
                    .bind(&new_row.id)
                    .execute(&mut *tx)
                    .await?;
            }
            let start = cst::from_ms(row.start_at);
            reminders::queue(
                &mut tx,
                NewReminder {
                    kind: ReminderKind::SlotClosed,
                    account_id: &row.account_id,
                    actor_id: &row.actor_id,
                    booking_id: Some(&row.id),
                    facts: Facts {
                        moved_to: moved.as_ref().map(|m| m.id.clone()),
                        moved_to_start: moved.as_ref().map(|m| m.start_at),
                        reason: Some(reason.to_string()),
                        ..Facts::of(&row)
                    },
                    due_at: now,
                    expires_at: start + Duration::days(7),
                },
                now,
            )
            .await?;
            report.displaced.push(Displaced {
                booking_id: row.id.clone(),
                account_id: row.account_id.clone(),
                start,
                moved_to: moved.as_ref().map(|m| m.id.clone()),
                moved_to_start: moved.as_ref().map(|m| cst::from_ms(m.start_at)),
            });
        }
        tx.commit().await?;
        Ok(report)
    }

    /// Moves the holder of a closed booking to the nearest open slot of its
    /// service at its hall with a place left — after the closed slot if
    /// any is free in the window, else before it — a new booking
    /// (`moved_from` the closed one) that does not count as a no-show if
    /// missed.
    async fn move_holder(
        &self,
        tx: &mut yuesou_store::Tx,
        row: &BookingRow,
        closing: &BTreeSet<SlotKey>,
        free: &mut FreePlaces,
        now: OffsetDateTime,
    ) -> Result<Option<BookingRow>> {
        let (Some(service), Some(capacity)) = (
            self.calendars.service(&row.family),
            self.calendars.capacity(&row.hall_id, &row.family),
        ) else {
            return Ok(None);
        };
        let earliest = now + Duration::minutes(i64::from(service.cancel_before_minutes));
        let window = Calendars::window(service, now);
        let candidates = free
            .load(tx, &row.hall_id, &row.family, now.date(), window.last_day)
            .await?;
        // After the closed slot first, nearest first; then, if nothing is
        // free later in the window, before it, nearest first.
        let original = row.start_at;
        let mut later = Vec::new();
        let mut earlier = Vec::new();
        let mut date = now.date();
        while date <= window.last_day {
            for start in self.calendars.slot_starts(&row.hall_id, &row.family, date) {
                let ms = cst::to_ms(start);
                if start < earliest || closing.contains(&(row.family.clone(), ms)) {
                    continue;
                }
                if ms > original {
                    later.push(start);
                } else {
                    earlier.push(start);
                }
            }
            date += Duration::days(1);
        }
        earlier.reverse();
        for start in later.into_iter().chain(earlier) {
            let ms = cst::to_ms(start);
            let (taken, closed) = candidates.get(&ms).copied().unwrap_or((0, false));
            if closed || taken >= i64::from(capacity) {
                continue;
            }
            store::ensure_slot(
                &mut **tx,
                &row.hall_id,
                &row.family,
                ms,
                &cst::date_text(start.date()),
                capacity,
            )
            .await?;
            if !store::take_place(&mut **tx, &row.hall_id, &row.family, ms, capacity).await? {
                candidates.insert(ms, (i64::from(capacity), false));
                continue;
            }
            candidates.insert(ms, (taken + 1, false));
            let id = new_id("bk")?;
            let salt = hex::encode(random_bytes::<8>()?);
            let code_hash = self.key.code_hash(&self.key.code(&id, &salt));
            let new_row = BookingRow {
                id,
                start_at: ms,
                end_at: cst::to_ms(start + Duration::minutes(i64::from(service.slot_minutes))),
                day: cst::date_text(start.date()),
                status: Status::Booked.as_str().to_string(),
                code_salt: salt,
                moved_from: Some(row.id.clone()),
                moved_to: None,
                counts_as_no_show: 0,
                close_reason: None,
                created_at: cst::to_ms(now),
                cancelled_at: None,
                checked_in_at: None,
                no_show_at: None,
                ..row.clone()
            };
            if let Err(e) = insert_row(tx, &new_row, &code_hash, now).await {
                // A check-in code collision: the whole closure runs again.
                return Err(if crate::error::is_unique_violation(&e) {
                    BookingError::Busy
                } else {
                    e.into()
                });
            }
            reminders::queue_for_booking(tx, &new_row, None, now).await?;
            return Ok(Some(new_row));
        }
        Ok(None)
    }

    /// Reopens, at `hall_id`, a slot or a day that was closed (of `family`
    /// or of every service). Bookings cancelled by the closure stay
    /// cancelled. Returns how many slots were reopened.
    pub async fn reopen(
        &self,
        hall_id: &str,
        family: Option<&str>,
        target: CloseTarget,
    ) -> Result<u32> {
        self.hall(hall_id)?;
        let (compare, family_clause) = (
            match target {
                CloseTarget::Slot(_) => "start_at = $2",
                CloseTarget::Day(_) => "day = $2",
            },
            if family.is_some() {
                " AND family = $3"
            } else {
                ""
            },
        );
        let sql = format!(
            "UPDATE booking_slots SET closed = 0, closed_reason = NULL, closed_at = NULL \
             WHERE hall_id = $1 AND {compare} AND closed = 1{family_clause}"
        );
        let query = sqlx::query(&sql).bind(hall_id);
        let mut query = match target {
            CloseTarget::Slot(start) => query.bind(cst::to_ms(start)),
            CloseTarget::Day(date) => query.bind(cst::date_text(date)),
        };
        if let Some(f) = family {
            query = query.bind(f);
        }
        let done = query.execute(self.db.pool()).await?;
        Ok(u32::try_from(done.rows_affected()).unwrap_or(u32::MAX))
    }

    /// Active bookings from now on whose slot the current calendars no
    /// longer offer (a date that became a holiday, changed hours, a service
    /// the hall stopped booking): after a reload, close them with
    /// [`Booking::close_invalidated`].
    pub async fn invalidated(&self) -> Result<Vec<Appointment>> {
        let rows: Vec<BookingRow> = sqlx::query_as(&format!(
            "SELECT {BOOKING_COLUMNS} FROM bookings WHERE status = 'booked' AND start_at >= $1 \
             ORDER BY start_at, hall_id, family, id"
        ))
        .bind(cst::to_ms(self.now()))
        .fetch_all(self.db.pool())
        .await?;
        rows.iter()
            .filter(|row| !self.still_offered(row))
            .map(|row| self.appointment(row, false))
            .collect()
    }

    fn still_offered(&self, row: &BookingRow) -> bool {
        let (Some(hall), Some(service)) = (
            self.calendars.hall(&row.hall_id),
            self.calendars.service(&row.family),
        ) else {
            return false;
        };
        hall.bookings.contains_key(&row.family)
            && self
                .check_slot(hall, service, cst::from_ms(row.start_at))
                .is_ok()
    }

    /// Closes every slot holding an [`invalidated`](Booking::invalidated)
    /// booking, with `reason`: their holders are moved or told, as for any
    /// closure. Returns the closures' reports, merged.
    pub async fn close_invalidated(&self, reason: &str) -> Result<ClosureReport> {
        let mut slots: BTreeMap<(String, String, i64), ()> = BTreeMap::new();
        for a in self.invalidated().await? {
            slots.insert((a.hall_id, a.family, cst::to_ms(a.start)), ());
        }
        let mut report = ClosureReport::default();
        for (hall_id, family, ms) in slots.into_keys() {
            let one = self
                .close(
                    &hall_id,
                    Some(&family),
                    CloseTarget::Slot(cst::from_ms(ms)),
                    reason,
                )
                .await?;
            report.slots_closed += one.slots_closed;
            report.displaced.extend(one.displaced);
        }
        Ok(report)
    }
}

/// Places taken per slot start of one (hall, family), read once per
/// closure and kept up to date as holders are moved.
#[derive(Default)]
struct FreePlaces {
    loaded: BTreeMap<(String, String), BTreeMap<i64, (i64, bool)>>,
}

impl FreePlaces {
    async fn load<'a>(
        &'a mut self,
        tx: &mut yuesou_store::Tx,
        hall_id: &str,
        family: &str,
        from: Date,
        to: Date,
    ) -> Result<&'a mut BTreeMap<i64, (i64, bool)>> {
        let key = (hall_id.to_string(), family.to_string());
        if !self.loaded.contains_key(&key) {
            let rows: Vec<(i64, i64, i64)> = sqlx::query_as(
                "SELECT start_at, taken, closed FROM booking_slots \
                 WHERE hall_id = $1 AND family = $2 AND start_at >= $3 AND start_at < $4",
            )
            .bind(hall_id)
            .bind(family)
            .bind(cst::to_ms(cst::at(from, 0)))
            .bind(cst::to_ms(cst::at(to + Duration::days(1), 0)))
            .fetch_all(&mut **tx)
            .await?;
            let map = rows
                .into_iter()
                .map(|(ms, taken, closed)| (ms, (taken, closed != 0)))
                .collect();
            self.loaded.insert(key.clone(), map);
        }
        Ok(self.loaded.entry(key).or_default())
    }
}

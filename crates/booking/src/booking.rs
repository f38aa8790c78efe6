//! [`Booking`]: the handle the daemon keeps — the database, the calendars,
//! the clock and the check-in key — and what every call shares: resolving
//! an item at a hall, checking a start against the rules, reading rows and
//! turning them into [`Appointment`]s, retrying a transaction the database
//! asked to run again.

use std::future::Future;
use std::sync::Arc;

use time::{Date, Duration, OffsetDateTime};
use yuesou_store::Db;

use crate::calendar::{Calendars, DayClosed, Hall, Service, split_item_id};
use crate::clock::{Clock, SystemClock};
use crate::code::CheckInKey;
use crate::cst;
use crate::error::{BookingError, Result};
use crate::model::{Appointment, Status, Ticket};
use crate::store::{self, BookingRow};

/// Reminders one dispatch call claims at most, unless set with
/// [`Booking::with_dispatch_batch`].
pub const DISPATCH_BATCH: i64 = 100;

/// Most days one slot listing covers (the longest window, 30 days, plus
/// today).
pub const MAX_DAYS: u32 = 31;

/// The login level booking needs (real name).
pub const REQUIRED_LEVEL: u8 = 2;

/// How many times a transaction the database broke (deadlock,
/// serialization) or a check-in code collision is tried.
const ATTEMPTS: u32 = 5;

/// Bookings over a database: slots, booking, the holder's and the hall's
/// calls, and reminders. Cheap to clone (the clones share everything).
#[derive(Clone)]
pub struct Booking {
    pub(crate) db: Db,
    pub(crate) calendars: Arc<Calendars>,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) key: Arc<CheckInKey>,
    pub(crate) precheck: bool,
    pub(crate) dispatch_batch: i64,
}

impl std::fmt::Debug for Booking {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Booking")
            .field("backend", &self.db.backend())
            .field("clock", &self.clock)
            .finish_non_exhaustive()
    }
}

/// An item resolved at a hall.
pub(crate) struct Resolved<'a> {
    pub family: &'a str,
    pub service: &'a Service,
    pub hall: &'a Hall,
    pub capacity: u32,
}

impl Booking {
    /// Bookings over `db` (migrated by [`Db::connect`]) with these
    /// calendars and check-in key, on the system clock.
    pub fn new(db: Db, calendars: Arc<Calendars>, key: CheckInKey) -> Booking {
        Booking {
            db,
            calendars,
            clock: Arc::new(SystemClock),
            key: Arc::new(key),
            precheck: true,
            dispatch_batch: DISPATCH_BATCH,
        }
    }

    /// The same on another clock (tests).
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Booking {
        self.clock = clock;
        self
    }

    /// The same claiming at most `batch` reminders per
    /// [`dispatch`](Booking::dispatch) call (default
    /// [`DISPATCH_BATCH`](crate::DISPATCH_BATCH); at least 1).
    pub fn with_dispatch_batch(mut self, batch: usize) -> Booking {
        self.dispatch_batch = i64::try_from(batch.max(1)).unwrap_or(i64::MAX);
        self
    }

    /// A handle sharing everything but the calendars (after a reload).
    pub fn with_calendars(&self, calendars: Arc<Calendars>) -> Booking {
        Booking {
            calendars,
            ..self.clone()
        }
    }

    /// Without the read that turns people away from a full or closed slot
    /// before the transaction: every request then races in the database.
    /// For tests and the contention example, which prove that the
    /// transaction alone never oversells.
    #[doc(hidden)]
    pub fn without_precheck(mut self) -> Booking {
        self.precheck = false;
        self
    }

    /// The calendars in use.
    pub fn calendars(&self) -> &Arc<Calendars> {
        &self.calendars
    }

    /// The database.
    pub fn db(&self) -> &Db {
        &self.db
    }

    /// Now, by the clock.
    pub fn now(&self) -> OffsetDateTime {
        cst::local(self.clock.now())
    }

    /// The item `item_id` at `hall_id`: its service, the hall and the
    /// places per slot.
    pub(crate) fn resolve<'a>(&'a self, item_id: &str, hall_id: &str) -> Result<Resolved<'a>> {
        let not_bookable = || BookingError::NotBookable {
            item_id: item_id.to_string(),
        };
        let (family, region) = split_item_id(item_id).ok_or_else(not_bookable)?;
        let (family, service) = self
            .calendars
            .services
            .get_key_value(family)
            .filter(|(_, s)| s.at_hall)
            .ok_or_else(not_bookable)?;
        let hall = self.hall(hall_id)?;
        let capacity = hall
            .bookings
            .get(family)
            .copied()
            .filter(|_| hall.serves_region(region))
            .ok_or_else(|| BookingError::HallDoesNotBook {
                hall_id: hall_id.to_string(),
                item_id: item_id.to_string(),
            })?;
        Ok(Resolved {
            family,
            service,
            hall,
            capacity,
        })
    }

    /// The hall `hall_id`.
    pub(crate) fn hall(&self, hall_id: &str) -> Result<&Hall> {
        self.calendars
            .halls
            .get(hall_id)
            .ok_or_else(|| BookingError::HallNotFound {
                hall_id: hall_id.to_string(),
            })
    }

    /// Checks that `start` can be booked now: not past, inside the window,
    /// on a day the hall is open, at a slot's start. Returns the slot's
    /// end.
    pub(crate) fn check_start(
        &self,
        r: &Resolved<'_>,
        start: OffsetDateTime,
        now: OffsetDateTime,
    ) -> Result<OffsetDateTime> {
        let start = cst::local(start);
        if start < now {
            return Err(BookingError::InPast);
        }
        let date = start.date();
        let window = Calendars::window(r.service, now);
        if date < window.first_day {
            return Err(BookingError::TooSoon {
                earliest: window.first_day,
            });
        }
        if date > window.last_day {
            return Err(BookingError::WindowNotOpen {
                opens_at: Calendars::opens_at(r.service, date),
            });
        }
        self.check_slot(r.hall, r.service, start)
    }

    /// Checks that `start` is a slot of `service` at `hall` by the
    /// calendars (any time); returns the slot's end.
    pub(crate) fn check_slot(
        &self,
        hall: &Hall,
        service: &Service,
        start: OffsetDateTime,
    ) -> Result<OffsetDateTime> {
        let start = cst::local(start);
        let date = start.date();
        let intervals =
            self.calendars
                .open_intervals(hall, date)
                .map_err(|closed| match closed {
                    DayClosed::Holiday(name) => BookingError::Holiday { date, name },
                    DayClosed::NotCovered => BookingError::DateNotOffered { date },
                    DayClosed::HallClosed => BookingError::HallClosedDay { date },
                })?;
        let minute = cst::minute_of(start);
        if !cst::is_whole_minute(start)
            || !Calendars::slot_minutes_in(service, intervals).contains(&minute)
        {
            return Err(BookingError::NotSlotStart);
        }
        Ok(start + Duration::minutes(i64::from(service.slot_minutes)))
    }

    /// Minutes before a slot until which a booking of `family` can be
    /// changed.
    pub(crate) fn cancel_before(&self, family: &str) -> Duration {
        let minutes = self
            .calendars
            .service(family)
            .map_or(60, |s| s.cancel_before_minutes);
        Duration::minutes(i64::from(minutes))
    }

    /// A row as an appointment; the check-in code only for its holder and
    /// only while active.
    pub(crate) fn appointment(&self, row: &BookingRow, holder: bool) -> Result<Appointment> {
        let status = Status::parse(&row.status)
            .ok_or_else(|| BookingError::Internal(format!("booking status `{}`", row.status)))?;
        let start = cst::from_ms(row.start_at);
        Ok(Appointment {
            id: row.id.clone(),
            account_id: row.account_id.clone(),
            actor_id: row.actor_id.clone(),
            item_id: row.item_id.clone(),
            family: row.family.clone(),
            hall_id: row.hall_id.clone(),
            start,
            end: cst::from_ms(row.end_at),
            status,
            check_in_code: (holder && status == Status::Booked)
                .then(|| self.key.code(&row.id, &row.code_salt)),
            application_id: row.application_id.clone(),
            change_deadline: start - self.cancel_before(&row.family),
            moved_from: row.moved_from.clone(),
            moved_to: row.moved_to.clone(),
            close_reason: row.close_reason.clone(),
            created_at: cst::from_ms(row.created_at),
            cancelled_at: row.cancelled_at.map(cst::from_ms),
            checked_in_at: row.checked_in_at.map(cst::from_ms),
            no_show_at: row.no_show_at.map(cst::from_ms),
        })
    }

    /// A row as its holder's ticket (with the QR code while active).
    pub(crate) fn ticket(&self, row: &BookingRow) -> Result<Ticket> {
        let appointment = self.appointment(row, true)?;
        let check_in_qr_svg = match &appointment.check_in_code {
            Some(code) => Some(crate::code::qr_svg(code)?),
            None => None,
        };
        Ok(Ticket {
            appointment,
            check_in_qr_svg,
        })
    }

    /// The last day of `actor_id`'s suspension running on `today`, if any.
    pub(crate) async fn suspended_until(
        &self,
        actor_id: &str,
        today: Date,
    ) -> Result<Option<Date>> {
        let until: Option<String> = sqlx::query_scalar(
            "SELECT MAX(until_day) FROM booking_suspensions \
             WHERE actor_id = $1 AND starts_on <= $2 AND until_day >= $2",
        )
        .bind(actor_id)
        .bind(cst::date_text(today))
        .fetch_one(self.db.pool())
        .await?;
        Ok(until.as_deref().and_then(cst::parse_date))
    }

    /// Runs `attempt` again while it fails with [`BookingError::Busy`] (a
    /// transaction the database broke, or a check-in code collision), a
    /// few times, after a short random pause.
    pub(crate) async fn retrying<T, F, Fut>(&self, mut attempt: F) -> Result<T>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T>>,
    {
        let mut tries = 0;
        loop {
            tries += 1;
            match attempt().await {
                Err(BookingError::Busy) if tries < ATTEMPTS => {
                    let jitter = crate::code::random_bytes::<1>().map_or(0, |b| u64::from(b[0]));
                    tokio::time::sleep(std::time::Duration::from_millis(2 + jitter % 20)).await;
                }
                other => return other,
            }
        }
    }

    /// The booking `id` of `account_id`, or [`BookingError::NotFound`].
    pub(crate) async fn own_row(&self, account_id: &str, id: &str) -> Result<BookingRow> {
        store::booking_by_id(self.db.pool(), id)
            .await?
            .filter(|row| row.account_id == account_id)
            .ok_or(BookingError::NotFound)
    }
}

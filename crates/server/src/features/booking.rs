//! 预约 in the daemon: the booking desk (the `yuesou-booking` crate over
//! the halls' calendars, re-read when their files change), the reminder
//! dispatcher that turns reminders into inbox messages, and how a booking
//! refusal reaches the person (a problem in their language).
//!
//! The check-in key is derived from the centre's secret (label
//! `booking-check-in`), so every replica shows and checks the same codes
//! and nothing else needs keeping. After a calendar change, bookings whose
//! slot the new calendars no longer offer are closed and their holders
//! moved and told (`close_invalidated`), on the next dispatcher round.

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use time::OffsetDateTime;
use tokio::sync::watch;
use yuesou_booking::{
    Booking, BookingError, Calendars, CheckInKey, HALLS_FILE, HOLIDAYS_FILE, LoadError, Notifier,
    NotifyError, Person, Reminder, ReminderKind, SERVICES_FILE, cst,
};
use yuesou_centre::{Centre, Delivery, Level, Subject};

use crate::i18n::Text;
use crate::problem::{Problem, ProblemKind};
use crate::reload::data::DataFiles;

/// How often the dispatcher looks for due reminders.
pub const DISPATCH_EVERY: Duration = Duration::from_secs(5);

/// How long a claimed reminder is this replica's (longer than a delivery).
pub const DISPATCH_LEASE: Duration = Duration::from_secs(60);

/// Bookings at once per replica; beyond, `busy` with `Retry-After` (the
/// store's pool would otherwise time out under a quota-opening burst).
pub const BOOKINGS_AT_ONCE: usize = 512;

/// The reason given to holders whose slot a calendar change removed (a
/// message id: rendered in each reader's language).
pub const CALENDAR_CHANGED: &str = "booking-reason-calendar-changed";

/// The booking desk of the daemon.
pub struct BookingDesk {
    calendars: DataFiles<Calendars, LoadError>,
    booking: Mutex<Booking>,
    changed: AtomicBool,
    permits: tokio::sync::Semaphore,
}

impl std::fmt::Debug for BookingDesk {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BookingDesk").finish_non_exhaustive()
    }
}

impl BookingDesk {
    /// The desk over the centre's database, with the calendars under
    /// `data_root` (`halls.jsonl`, `booking/services.json`,
    /// `calendar/holidays.json`).
    pub fn open(centre: &Centre, data_root: &Path) -> Result<BookingDesk, LoadError> {
        let root = data_root.to_path_buf();
        let paths = vec![
            root.join(HALLS_FILE),
            root.join(SERVICES_FILE),
            root.join(HOLIDAYS_FILE),
        ];
        let calendars = DataFiles::load("hall calendars", paths, move || Calendars::load(&root))?;
        let key = CheckInKey::new(centre.derived_key("booking-check-in"));
        let booking = Booking::new(centre.db().clone(), calendars.current(), key);
        Ok(BookingDesk {
            calendars,
            booking: Mutex::new(booking),
            changed: AtomicBool::new(false),
            permits: tokio::sync::Semaphore::new(BOOKINGS_AT_ONCE),
        })
    }

    /// This desk with `booking` (a test clock …) in place of its own.
    pub fn with_booking(self, booking: Booking) -> BookingDesk {
        *self.booking.lock().unwrap_or_else(|e| e.into_inner()) = booking;
        self
    }

    /// The booking service over the current calendars.
    pub fn booking(&self) -> Booking {
        let calendars = self.calendars.current();
        let mut booking = self.booking.lock().unwrap_or_else(|e| e.into_inner());
        if !Arc::ptr_eq(booking.calendars(), &calendars) {
            *booking = booking.with_calendars(calendars);
            self.changed.store(true, Ordering::SeqCst);
        }
        booking.clone()
    }

    /// Runs `book` when a permit is free within two seconds; else `busy`.
    pub async fn limited<T>(
        &self,
        book: impl std::future::Future<Output = Result<T, BookingError>>,
    ) -> Result<T, Problem> {
        let permit = tokio::time::timeout(Duration::from_secs(2), self.permits.acquire()).await;
        match permit {
            Ok(Ok(_permit)) => book.await.map_err(problem),
            _ => Err(problem(BookingError::Busy)),
        }
    }

    /// One dispatcher round: closes bookings a calendar change invalidated,
    /// then delivers due reminders. Returns how many were claimed.
    pub async fn round(&self, notifier: &dyn Notifier, replica: &str) -> usize {
        let booking = self.booking();
        if self.changed.swap(false, Ordering::SeqCst) {
            match booking.close_invalidated(CALENDAR_CHANGED).await {
                Ok(report) if !report.displaced.is_empty() => tracing::info!(
                    slots = report.slots_closed,
                    bookings = report.displaced.len(),
                    "calendars changed: invalidated bookings closed and moved"
                ),
                Ok(_) => {}
                Err(e) => {
                    self.changed.store(true, Ordering::SeqCst);
                    tracing::warn!(error = %e, "closing invalidated bookings failed; retried");
                }
            }
        }
        match booking
            .dispatch(notifier, booking.now(), replica, DISPATCH_LEASE)
            .await
        {
            Ok(report) => report.claimed,
            Err(e) => {
                tracing::warn!(error = %e, "booking reminders: dispatch failed");
                0
            }
        }
    }

    /// Delivers reminders every [`DISPATCH_EVERY`] (at once again while
    /// rounds deliver a full batch) until `stop` turns true.
    pub async fn run(
        self: Arc<Self>,
        notifier: Arc<dyn Notifier>,
        replica: String,
        mut stop: watch::Receiver<bool>,
    ) {
        loop {
            let claimed = self.round(notifier.as_ref(), &replica).await;
            let pause = if claimed >= usize::try_from(yuesou_booking::DISPATCH_BATCH).unwrap_or(100)
            {
                Duration::ZERO
            } else {
                DISPATCH_EVERY
            };
            tokio::select! {
                _ = tokio::time::sleep(pause) => {}
                _ = stop.wait_for(|s| *s) => return,
            }
        }
    }
}

/// Who books: the session's account, the acting person and their level.
pub fn person_of(subject: &Subject) -> Person {
    Person {
        account_id: subject.account_id.clone(),
        actor_id: subject.actor_id.clone(),
        level: match subject.level {
            Level::L1 => 1,
            Level::L2 => 2,
            Level::L3 => 3,
        },
    }
}

/// A time as people read it: `2026-12-08 09:30` (China Standard Time).
pub fn clock_text(t: OffsetDateTime) -> String {
    let t = cst::local(t);
    format!(
        "{} {:02}:{:02}",
        cst::date_text(t.date()),
        t.hour(),
        t.minute()
    )
}

/// A booking refusal as the person reads it: a problem whose `code` is
/// `err-booking-<code>` with the refusal's facts as the message's
/// variables.
pub fn problem(error: BookingError) -> Problem {
    use BookingError as E;
    let id = format!("err-booking-{}", error.code());
    let text = match &error {
        E::TooSoon { earliest } => Text::new(id).arg("earliest", cst::date_text(*earliest)),
        E::WindowNotOpen { opens_at } => Text::new(id).arg("opens_at", clock_text(*opens_at)),
        E::DateNotOffered { date } | E::HallClosedDay { date } => {
            Text::new(id).arg("date", cst::date_text(*date))
        }
        E::Holiday { date, name } => Text::new(id)
            .arg("date", cst::date_text(*date))
            .arg("name", name.clone()),
        E::DaysOutOfRange { max } => Text::new(id).arg("max", *max),
        E::Suspended { until } => Text::new(id).arg("until", cst::date_text(*until)),
        E::TooLateToChange { deadline } => Text::new(id).arg("deadline", clock_text(*deadline)),
        E::NotActive { status } => Text::new(id).arg(
            "status",
            Text::new(format!(
                "booking-status-{}",
                status.as_str().replace('_', "-")
            )),
        ),
        E::AlreadyCheckedIn { at } => Text::new(id).arg("at", clock_text(*at)),
        E::SlotNotStarted { start } => Text::new(id).arg("start", clock_text(*start)),
        _ => Text::new(id),
    };
    let kind = match &error {
        E::RealNameRequired { .. } => {
            return Problem {
                level: Some("L2"),
                ..Problem::new(ProblemKind::StepUpRequired, text)
            };
        }
        E::SlotFull => ProblemKind::SlotFull,
        E::SlotClosed => ProblemKind::SlotClosed,
        E::AlreadyBooked { .. } => ProblemKind::AlreadyBooked,
        E::Suspended { .. } => ProblemKind::BookingSuspended,
        E::TooLateToChange { .. } => ProblemKind::TooLateToChange,
        E::NotFound | E::HallNotFound { .. } | E::CodeNotFound => ProblemKind::NotFound,
        E::IdempotencyKeyReused
        | E::NotActive { .. }
        | E::AlreadyCheckedIn { .. }
        | E::SlotNotStarted { .. } => ProblemKind::Conflict,
        E::Busy | E::Unavailable | E::StorageUnavailable(_) => {
            return Problem {
                retry_after: Some(2),
                ..Problem::new(ProblemKind::Unavailable, text)
            };
        }
        E::Internal(fault) => return Problem::internal(fault),
        E::Invalid { field, .. } => {
            return Problem::invalid_parameter(field, text);
        }
        E::DaysOutOfRange { .. } => return Problem::invalid_parameter("days", text),
        _ => ProblemKind::InvalidRequest,
    };
    Problem::new(kind, text)
}

/// Looks up an item's title and a hall's name with its address, by the
/// key [`names_key`] builds.
pub type Names = Arc<dyn Fn(&str) -> Option<(String, String)> + Send + Sync>;

/// Delivers reminders as inbox messages (the reminder's id is the
/// message's: a second delivery writes nothing) and pushes their
/// headline.
pub struct InboxNotifier {
    centre: Centre,
    titles: Names,
}

impl std::fmt::Debug for InboxNotifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InboxNotifier").finish_non_exhaustive()
    }
}

impl InboxNotifier {
    /// A notifier writing to `centre`'s inbox; `names` gives an item's
    /// title and a hall's name and address (`item_id`, `hall_id` joined by
    /// `\n` — see [`names_key`]).
    pub fn new(centre: Centre, names: Names) -> InboxNotifier {
        InboxNotifier {
            centre,
            titles: names,
        }
    }
}

/// The key [`InboxNotifier`]'s lookup is asked with.
pub fn names_key(item_id: &str, hall_id: &str) -> String {
    format!("{item_id}\n{hall_id}")
}

/// The message of a reminder: its headline and text.
pub fn reminder_texts(reminder: &Reminder, item: &str, hall: &str) -> (Text, Text) {
    let kind = match reminder.kind {
        ReminderKind::Booked => "booked",
        ReminderKind::Rescheduled => "rescheduled",
        ReminderKind::DayBefore => "day-before",
        ReminderKind::SlotClosed if reminder.moved_to.is_some() => "slot-closed-moved",
        ReminderKind::SlotClosed => "slot-closed",
        ReminderKind::Suspended => "suspended",
    };
    let title = Text::new(format!("booking-reminder-{kind}-title")).arg("item", item.to_owned());
    let mut body = Text::new(format!("booking-reminder-{kind}"))
        .arg("item", item.to_owned())
        .arg("hall", hall.to_owned());
    if let Some(start) = reminder.start {
        body = body.arg("start", clock_text(start));
    }
    if let Some(previous) = reminder.previous_start {
        body = body.arg("previous", clock_text(previous));
    }
    if let Some(moved) = reminder.moved_to_start {
        body = body.arg("moved_to", clock_text(moved));
    }
    if let Some(reason) = &reminder.reason {
        let reason = if reason.starts_with("booking-reason-") {
            crate::i18n::Arg::from(Text::new(reason.clone()))
        } else {
            crate::i18n::Arg::from(reason.clone())
        };
        body = body.arg("reason", reason);
    }
    if let Some(until) = reminder.until {
        body = body.arg("until", cst::date_text(until));
    }
    (title, body)
}

#[async_trait]
impl Notifier for InboxNotifier {
    async fn deliver(&self, reminder: &Reminder) -> Result<(), NotifyError> {
        let (item, hall) = match (&reminder.item_id, &reminder.hall_id) {
            (Some(item), Some(hall)) => (self.titles)(&names_key(item, hall))
                .unwrap_or_else(|| (item.clone(), hall.clone())),
            _ => (String::new(), String::new()),
        };
        let (title, body) = reminder_texts(reminder, &item, &hall);
        let link = match (&reminder.kind, &reminder.moved_to, &reminder.booking_id) {
            (ReminderKind::SlotClosed, Some(moved), _) => Some(format!("/me/appointments/{moved}")),
            (_, _, Some(id)) => Some(format!("/me/appointments/{id}")),
            _ => Some("/me/appointments".to_owned()),
        };
        let account = if reminder.kind == ReminderKind::Suspended {
            &reminder.actor_id
        } else {
            &reminder.account_id
        };
        self.centre
            .deliver_message(Delivery {
                id: &reminder.id,
                account_id: account,
                kind: "booking",
                title,
                body,
                link,
            })
            .await
            .map(|_| ())
            .map_err(|e| NotifyError(e.to_string()))
    }
}

//! What can go wrong, as typed errors with a stable [`BookingError::code`]
//! each and the facts a message needs. The daemon renders the Chinese text
//! from its message files; the `Display` texts here are for logs (no
//! personal data, no codes).

use time::{Date, OffsetDateTime};
use yuesou_store::{StorageFault, StoreError};

use crate::cst;
use crate::model::Status;

/// A booking error.
#[derive(Debug, thiserror::Error)]
pub enum BookingError {
    /// Booking needs a real-name login (L2 or above).
    #[error("booking needs login level L{required}")]
    RealNameRequired {
        /// The level needed.
        required: u8,
    },
    /// The item id is malformed, or its service is not booked at halls.
    #[error("{item_id} is not a service booked at a hall")]
    NotBookable {
        /// The item id given.
        item_id: String,
    },
    /// No hall has this id.
    #[error("no service hall {hall_id}")]
    HallNotFound {
        /// The hall id given.
        hall_id: String,
    },
    /// The hall does not take bookings for this item (not this service, or
    /// not this item's region).
    #[error("{hall_id} does not take bookings for {item_id}")]
    HallDoesNotBook {
        /// The hall.
        hall_id: String,
        /// The item (or family, for the hall's own calls).
        item_id: String,
    },
    /// The date or slot is in the past (or has started).
    #[error("the date or slot has passed")]
    InPast,
    /// Too soon: the service must be booked some days ahead.
    #[error("the earliest day that can be booked is {}", cst::date_text(*earliest))]
    TooSoon {
        /// The nearest bookable day now.
        earliest: Date,
    },
    /// Beyond the booking window: the day opens later.
    #[error("that day opens for booking at {}", cst::rfc3339(*opens_at))]
    WindowNotOpen {
        /// When the day opens (放号).
        opens_at: OffsetDateTime,
    },
    /// The holiday file does not cover the date's year yet: not offered.
    #[error("{} is not offered yet (its year's holidays are not published)", cst::date_text(*date))]
    DateNotOffered {
        /// The date.
        date: Date,
    },
    /// A public holiday: every hall is closed.
    #[error("{} is a public holiday ({name})", cst::date_text(*date))]
    Holiday {
        /// The date.
        date: Date,
        /// The festival (元旦, 春节 …).
        name: String,
    },
    /// The hall does not open on that day of the week.
    #[error("the hall is closed on {}", cst::date_text(*date))]
    HallClosedDay {
        /// The date.
        date: Date,
    },
    /// The time is not the start of one of the day's slots.
    #[error("not the start of a slot")]
    NotSlotStart,
    /// `days` is 0 or more than the limit.
    #[error("days must be 1 to {max}")]
    DaysOutOfRange {
        /// The most days one listing covers.
        max: u32,
    },
    /// No such booking — or not the caller's (indistinguishable).
    #[error("booking not found")]
    NotFound,
    /// Booking is suspended after no-shows, up to and including `until`.
    #[error("booking is suspended until {} (included)", cst::date_text(*until))]
    Suspended {
        /// The last day of the suspension.
        until: Date,
    },
    /// The hall closed this slot.
    #[error("the hall closed this slot")]
    SlotClosed,
    /// No place left in this slot.
    #[error("no place left in this slot")]
    SlotFull,
    /// The subject already has an active booking of this service.
    #[error("an active booking of this service exists ({booking_id})")]
    AlreadyBooked {
        /// That booking.
        booking_id: String,
    },
    /// The idempotency key was used for a different request.
    #[error("this idempotency key was used for a different request")]
    IdempotencyKeyReused,
    /// Too late to cancel or reschedule.
    #[error("the booking could be changed until {}", cst::rfc3339(*deadline))]
    TooLateToChange {
        /// The last moment it could be changed.
        deadline: OffsetDateTime,
    },
    /// The booking is not active (cancelled, closed, checked in, no-show).
    #[error("the booking is {}", status.as_str())]
    NotActive {
        /// Its status.
        status: Status,
    },
    /// The check-in code is not eight characters of the code alphabet.
    #[error("not a check-in code")]
    InvalidCode,
    /// No booking of today at this hall has this code.
    #[error("no booking of today at this hall has this code")]
    CodeNotFound,
    /// Checked in already.
    #[error("checked in already at {}", cst::rfc3339(*at))]
    AlreadyCheckedIn {
        /// When.
        at: OffsetDateTime,
    },
    /// A no-show can be marked only once the slot has started.
    #[error("the slot starts at {}", cst::rfc3339(*start))]
    SlotNotStarted {
        /// The slot's start.
        start: OffsetDateTime,
    },
    /// A field of the request is malformed.
    #[error("{field}: {reason}")]
    Invalid {
        /// The field.
        field: &'static str,
        /// What is wrong (fixed text).
        reason: &'static str,
    },
    /// Concurrent changes kept colliding (a database deadlock or a
    /// serialization failure, retried a few times already); retry shortly.
    #[error("too many concurrent changes; retry shortly")]
    Busy,
    /// The database is unreachable or overloaded; retry shortly.
    #[error("the booking database is unavailable; retry shortly")]
    Unavailable,
    /// The database cannot store anything now; nothing was saved.
    #[error("the server's storage is {0}: nothing was saved")]
    StorageUnavailable(StorageFault),
    /// An unexpected fault (a bug, corrupt data), never caused by input.
    #[error("internal error: {0}")]
    Internal(String),
}

impl BookingError {
    /// The stable code of this error (kebab-case, like the daemon's
    /// problem types).
    pub fn code(&self) -> &'static str {
        match self {
            BookingError::RealNameRequired { .. } => "real-name-required",
            BookingError::NotBookable { .. } => "not-bookable",
            BookingError::HallNotFound { .. } => "hall-not-found",
            BookingError::HallDoesNotBook { .. } => "hall-does-not-book",
            BookingError::InPast => "date-in-past",
            BookingError::TooSoon { .. } => "too-soon",
            BookingError::WindowNotOpen { .. } => "window-not-open",
            BookingError::DateNotOffered { .. } => "date-not-offered",
            BookingError::Holiday { .. } => "holiday",
            BookingError::HallClosedDay { .. } => "hall-closed-day",
            BookingError::NotSlotStart => "not-slot-start",
            BookingError::DaysOutOfRange { .. } => "days-out-of-range",
            BookingError::NotFound => "booking-not-found",
            BookingError::Suspended { .. } => "suspended",
            BookingError::SlotClosed => "slot-closed",
            BookingError::SlotFull => "slot-full",
            BookingError::AlreadyBooked { .. } => "already-booked",
            BookingError::IdempotencyKeyReused => "idempotency-key-reused",
            BookingError::TooLateToChange { .. } => "too-late-to-change",
            BookingError::NotActive { .. } => "booking-not-active",
            BookingError::InvalidCode => "invalid-check-in-code",
            BookingError::CodeNotFound => "check-in-code-not-found",
            BookingError::AlreadyCheckedIn { .. } => "already-checked-in",
            BookingError::SlotNotStarted { .. } => "slot-not-started",
            BookingError::Invalid { .. } => "invalid-input",
            BookingError::Busy => "busy",
            BookingError::Unavailable => "unavailable",
            BookingError::StorageUnavailable(_) => "storage-unavailable",
            BookingError::Internal(_) => "internal",
        }
    }

    /// Every code [`BookingError::code`] returns, in the order of the
    /// variants.
    pub const CODES: [&'static str; 29] = [
        "real-name-required",
        "not-bookable",
        "hall-not-found",
        "hall-does-not-book",
        "date-in-past",
        "too-soon",
        "window-not-open",
        "date-not-offered",
        "holiday",
        "hall-closed-day",
        "not-slot-start",
        "days-out-of-range",
        "booking-not-found",
        "suspended",
        "slot-closed",
        "slot-full",
        "already-booked",
        "idempotency-key-reused",
        "too-late-to-change",
        "booking-not-active",
        "invalid-check-in-code",
        "check-in-code-not-found",
        "already-checked-in",
        "slot-not-started",
        "invalid-input",
        "busy",
        "unavailable",
        "storage-unavailable",
        "internal",
    ];

    /// The HTTP status the daemon should answer with (a suggestion: 400 bad
    /// input, 403 not allowed for this person, 404 not found, 409 the state
    /// says no, 503 retry, 500 fault).
    pub fn http_status(&self) -> u16 {
        match self {
            BookingError::NotBookable { .. }
            | BookingError::HallDoesNotBook { .. }
            | BookingError::InPast
            | BookingError::TooSoon { .. }
            | BookingError::WindowNotOpen { .. }
            | BookingError::DateNotOffered { .. }
            | BookingError::Holiday { .. }
            | BookingError::HallClosedDay { .. }
            | BookingError::NotSlotStart
            | BookingError::DaysOutOfRange { .. }
            | BookingError::InvalidCode
            | BookingError::Invalid { .. } => 400,
            BookingError::RealNameRequired { .. } | BookingError::Suspended { .. } => 403,
            BookingError::HallNotFound { .. }
            | BookingError::NotFound
            | BookingError::CodeNotFound => 404,
            BookingError::SlotClosed
            | BookingError::SlotFull
            | BookingError::AlreadyBooked { .. }
            | BookingError::IdempotencyKeyReused
            | BookingError::TooLateToChange { .. }
            | BookingError::NotActive { .. }
            | BookingError::AlreadyCheckedIn { .. }
            | BookingError::SlotNotStarted { .. } => 409,
            BookingError::Busy
            | BookingError::Unavailable
            | BookingError::StorageUnavailable(_) => 503,
            BookingError::Internal(_) => 500,
        }
    }

    /// Whether trying again shortly may succeed.
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            BookingError::Busy | BookingError::Unavailable | BookingError::StorageUnavailable(_)
        )
    }
}

impl From<StoreError> for BookingError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::Unavailable => BookingError::Unavailable,
            StoreError::StorageUnavailable(fault) => BookingError::StorageUnavailable(fault),
            StoreError::Duplicate(constraint) => {
                BookingError::Internal(format!("unexpected duplicate ({constraint})"))
            }
            StoreError::BadUrl(reason) | StoreError::Internal(reason) => {
                BookingError::Internal(reason)
            }
        }
    }
}

impl From<sqlx::Error> for BookingError {
    fn from(error: sqlx::Error) -> Self {
        if let sqlx::Error::Database(db) = &error {
            // PostgreSQL broke a deadlock or a serialization conflict: the
            // transaction can simply run again.
            if matches!(db.code().as_deref(), Some("40P01" | "40001")) {
                return BookingError::Busy;
            }
        }
        StoreError::from(error).into()
    }
}

/// Whether `error` is a unique-constraint violation (on either backend).
pub(crate) fn is_unique_violation(error: &sqlx::Error) -> bool {
    matches!(error, sqlx::Error::Database(db) if db.is_unique_violation())
}

/// Shorthand for results of this crate.
pub type Result<T, E = BookingError> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, datetime};

    #[test]
    fn every_variant_has_its_own_listed_code() {
        let at = datetime!(2026-07-01 09:00 +8);
        let all = [
            BookingError::RealNameRequired { required: 2 },
            BookingError::NotBookable {
                item_id: "x".into(),
            },
            BookingError::HallNotFound {
                hall_id: "h".into(),
            },
            BookingError::HallDoesNotBook {
                hall_id: "h".into(),
                item_id: "x".into(),
            },
            BookingError::InPast,
            BookingError::TooSoon {
                earliest: date!(2026 - 07 - 02),
            },
            BookingError::WindowNotOpen { opens_at: at },
            BookingError::DateNotOffered {
                date: date!(2028 - 01 - 03),
            },
            BookingError::Holiday {
                date: date!(2026 - 10 - 01),
                name: "国庆节".into(),
            },
            BookingError::HallClosedDay {
                date: date!(2026 - 07 - 05),
            },
            BookingError::NotSlotStart,
            BookingError::DaysOutOfRange { max: 31 },
            BookingError::NotFound,
            BookingError::Suspended {
                until: date!(2026 - 07 - 30),
            },
            BookingError::SlotClosed,
            BookingError::SlotFull,
            BookingError::AlreadyBooked {
                booking_id: "bk".into(),
            },
            BookingError::IdempotencyKeyReused,
            BookingError::TooLateToChange { deadline: at },
            BookingError::NotActive {
                status: Status::Cancelled,
            },
            BookingError::InvalidCode,
            BookingError::CodeNotFound,
            BookingError::AlreadyCheckedIn { at },
            BookingError::SlotNotStarted { start: at },
            BookingError::Invalid {
                field: "f",
                reason: "r",
            },
            BookingError::Busy,
            BookingError::Unavailable,
            BookingError::StorageUnavailable(StorageFault::Full),
            BookingError::Internal("i".into()),
        ];
        let codes: Vec<&str> = all.iter().map(BookingError::code).collect();
        assert_eq!(codes, BookingError::CODES);
        let unique: std::collections::HashSet<_> = codes.iter().collect();
        assert_eq!(unique.len(), codes.len());
        assert!(all.iter().all(|e| (400..=503).contains(&e.http_status())));
        assert_eq!(
            BookingError::Suspended {
                until: date!(2026 - 07 - 30)
            }
            .to_string(),
            "booking is suspended until 2026-07-30 (included)"
        );
    }
}

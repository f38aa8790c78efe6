//! # yuesou-booking — 预约: a time at a service hall
//!
//! Booking works like a real booking office: the halls' calendars and the
//! public holidays decide which slots exist ([`Calendars`]); each service
//! has a booking window that opens day by day at a set time; a real-name
//! person holds one active booking per service, gets a short check-in code
//! and its QR code, and may cancel or move it until an hour before; three
//! no-shows in ninety days suspend booking for thirty. The hall lists its
//! day, checks people in by code, marks no-shows, and closes a slot or a
//! day — the people affected are moved to the nearest free slot before
//! anyone else can take it, and told. Reminders (booked, the day before,
//! a closed slot) are written in the same transaction as the event and
//! sent once, however many replicas dispatch them.
//!
//! No place is ever sold twice: a slot's places are a row in the database,
//! taken by a conditional update in the booking's own transaction, on
//! SQLite and PostgreSQL alike (see docs/BOOKING.md).
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use std::sync::Arc;
//! use yuesou_booking::{Booking, Calendars, CheckInKey, Person};
//! use yuesou_store::Db;
//!
//! let db = Db::open_sqlite(std::path::Path::new("yuesou-data")).await?;
//! let calendars = Arc::new(Calendars::load(std::path::Path::new("data"))?);
//! let booking = Booking::new(db, calendars, CheckInKey::random()?);
//! let me = Person::natural("acc_1", 2);
//! let today = booking.now().date();
//! let days = booking.slots("hy-jhyy-440100", "hall-440100", today, 7).await?;
//! let first = days.iter().flat_map(|d| &d.slots).find(|s| s.left > 0);
//! if let Some(slot) = first {
//!     let ticket = booking
//!         .book(&me, "hy-jhyy-440100", "hall-440100", slot.start, Some("tap-1"), None)
//!         .await?;
//!     println!("{:?}", ticket.appointment.check_in_code);
//! }
//! # Ok(()) }
//! ```
//!
//! Everything a person reads comes back as codes and data; the daemon
//! renders the Chinese text. Errors are [`BookingError`]s with a stable
//! [`BookingError::code`].

#![warn(missing_docs)]

mod booking;
mod calendar;
mod clock;
mod code;
pub mod cst;
mod error;
mod hall;
mod load;
mod model;
mod person;
mod reminders;
mod store;

pub use booking::{Booking, DISPATCH_BATCH, MAX_DAYS, REQUIRED_LEVEL};
pub use calendar::{
    Calendars, DayClosed, DayKind, Hall, Interval, PersonRules, Service, ServiceKind, Window,
    split_item_id,
};
pub use clock::{Clock, ManualClock, SystemClock};
pub use code::{CODE_LEN, CheckInKey, QR_PREFIX, canonical_code, qr_svg, qr_text};
pub use error::{BookingError, Result};
pub use hall::MAX_REASON_CHARS;
pub use load::{HALLS_FILE, HOLIDAYS_FILE, LoadError, SERVICES_FILE};
pub use model::{
    Appointment, CloseTarget, ClosureReport, DayState, Displaced, NoShow, Person, SlotDay,
    SlotInfo, SlotState, Status, Ticket,
};
pub use person::LIST_LIMIT;
pub use reminders::{
    DAY_BEFORE_AT, DispatchReport, MAX_ATTEMPTS, Notifier, NotifyError, Reminder, ReminderKind,
};

//! What the calls take and return: the person, bookings, a day's slots, a
//! hall's closure. Codes and data only — the daemon writes the sentences.

use serde::Serialize;
use time::{Date, OffsetDateTime};

use crate::cst::serde_cst;

/// Who is booking: the subject's account (a person, or the organisation a
/// 经办人 acts for), the person acting, and the person's login level
/// (1 registered, 2 real-name, 3 face-verified).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    /// The account the booking belongs to.
    pub account_id: String,
    /// The person who acts (the account itself for a natural person).
    pub actor_id: String,
    /// The acting person's login level.
    pub level: u8,
}

impl Person {
    /// A natural person acting for themselves.
    pub fn natural(account_id: impl Into<String>, level: u8) -> Person {
        let account_id = account_id.into();
        Person {
            actor_id: account_id.clone(),
            account_id,
            level,
        }
    }
}

/// Where a booking stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Active: holds a place.
    Booked,
    /// Cancelled by its holder.
    Cancelled,
    /// Cancelled because the hall closed the slot.
    Closed,
    /// The holder came and checked in.
    CheckedIn,
    /// The holder did not come.
    NoShow,
}

impl Status {
    /// The stored (and serialised) name.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Booked => "booked",
            Status::Cancelled => "cancelled",
            Status::Closed => "closed",
            Status::CheckedIn => "checked_in",
            Status::NoShow => "no_show",
        }
    }

    pub(crate) fn parse(text: &str) -> Option<Status> {
        Some(match text {
            "booked" => Status::Booked,
            "cancelled" => Status::Cancelled,
            "closed" => Status::Closed,
            "checked_in" => Status::CheckedIn,
            "no_show" => Status::NoShow,
            _ => return None,
        })
    }
}

/// A booking, as its holder or the hall sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Appointment {
    /// Its id (`bk_…`).
    pub id: String,
    /// The account it belongs to.
    pub account_id: String,
    /// The person who booked it.
    pub actor_id: String,
    /// The catalogue item (`hy-jhyy-440100`).
    pub item_id: String,
    /// The item's service family (`hy-jhyy`).
    pub family: String,
    /// The hall.
    pub hall_id: String,
    /// The slot's start.
    #[serde(serialize_with = "serde_cst::time")]
    pub start: OffsetDateTime,
    /// The slot's end.
    #[serde(serialize_with = "serde_cst::time")]
    pub end: OffsetDateTime,
    /// Where it stands.
    pub status: Status,
    /// The check-in code, shown to its holder while the booking is active
    /// (never in the hall's lists).
    pub check_in_code: Option<String>,
    /// The 办件 (application) it was booked for, if any.
    pub application_id: Option<String>,
    /// Until when its holder may cancel or reschedule it.
    #[serde(serialize_with = "serde_cst::time")]
    pub change_deadline: OffsetDateTime,
    /// The booking a hall's closure moved into this one.
    pub moved_from: Option<String>,
    /// The booking this one was moved into when the hall closed its slot.
    pub moved_to: Option<String>,
    /// Why the hall closed the slot (its own words), for `closed`.
    pub close_reason: Option<String>,
    /// When it was made.
    #[serde(serialize_with = "serde_cst::time")]
    pub created_at: OffsetDateTime,
    /// When it was cancelled or closed.
    #[serde(serialize_with = "serde_cst::opt_time")]
    pub cancelled_at: Option<OffsetDateTime>,
    /// When its holder checked in.
    #[serde(serialize_with = "serde_cst::opt_time")]
    pub checked_in_at: Option<OffsetDateTime>,
    /// When the hall marked it a no-show.
    #[serde(serialize_with = "serde_cst::opt_time")]
    pub no_show_at: Option<OffsetDateTime>,
}

/// A booking with its QR code, for its holder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Ticket {
    /// The booking.
    #[serde(flatten)]
    pub appointment: Appointment,
    /// The check-in QR code as an SVG image, while the booking is active.
    pub check_in_qr_svg: Option<String>,
}

/// Whether a day can be booked, and if not, why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum DayState {
    /// Bookable: see its slots.
    Open,
    /// Before the nearest bookable day (the service is booked ahead).
    TooSoon,
    /// Beyond the window: opens at `opens_at`.
    NotYetOpen {
        /// When the day opens (放号).
        #[serde(serialize_with = "serde_cst::time")]
        opens_at: OffsetDateTime,
    },
    /// A public holiday.
    Holiday {
        /// The festival.
        name: String,
    },
    /// The hall does not open on this day of the week.
    HallClosed,
    /// Its year's holidays are not published yet: not offered.
    NotOffered,
}

/// Whether a slot can be booked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SlotState {
    /// Places left.
    Available,
    /// No place left.
    Full,
    /// The hall closed it.
    Closed,
}

/// One slot of a day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SlotInfo {
    /// Its start.
    #[serde(serialize_with = "serde_cst::time")]
    pub start: OffsetDateTime,
    /// Its end.
    #[serde(serialize_with = "serde_cst::time")]
    pub end: OffsetDateTime,
    /// Places in all.
    pub capacity: u32,
    /// Places left.
    pub left: u32,
    /// Bookable or not.
    pub state: SlotState,
}

/// One day of a slot listing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SlotDay {
    /// The date.
    #[serde(serialize_with = "serde_cst::date")]
    pub date: Date,
    /// Bookable, or why not.
    #[serde(flatten)]
    pub state: DayState,
    /// Its slots that have not started (only for an open day).
    pub slots: Vec<SlotInfo>,
}

/// What a hall closes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CloseTarget {
    /// The slot starting then.
    Slot(OffsetDateTime),
    /// Every slot of the day that has not started.
    Day(Date),
}

/// A booking a closure cancelled, and where its holder was moved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Displaced {
    /// The cancelled booking.
    pub booking_id: String,
    /// Its account.
    pub account_id: String,
    /// Its slot.
    #[serde(serialize_with = "serde_cst::time")]
    pub start: OffsetDateTime,
    /// The booking the holder was moved into, if a place was found.
    pub moved_to: Option<String>,
    /// That booking's start.
    #[serde(serialize_with = "serde_cst::opt_time")]
    pub moved_to_start: Option<OffsetDateTime>,
}

/// What a closure did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct ClosureReport {
    /// Slots closed (per service family).
    pub slots_closed: u32,
    /// Active bookings cancelled, in the order they were booked.
    pub displaced: Vec<Displaced>,
}

/// What marking a no-show did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NoShow {
    /// The booking, now `no_show`.
    pub appointment: Appointment,
    /// Whether this no-show counts towards a suspension (not for a booking
    /// the hall moved).
    pub counted: bool,
    /// The last day of the suspension it started, if it started one.
    #[serde(serialize_with = "serde_cst::opt_date")]
    pub suspended_until: Option<Date>,
}

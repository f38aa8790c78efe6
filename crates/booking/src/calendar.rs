//! [`Calendars`]: which halls book which service and for how many people a
//! slot, when each hall is open on a given date, the slots of a day, and
//! the booking window of a service at a given moment.
//!
//! ```
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use time::macros::{date, datetime};
//! use yuesou_booking::Calendars;
//!
//! let data = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data");
//! let calendars = Calendars::load(&data)?;
//! // 广州市政务服务中心 takes 5 couples per 30-minute marriage slot.
//! assert_eq!(calendars.capacity("hall-440100", "hy-jhyy"), Some(5));
//! // National Day is a holiday: no slots.
//! assert!(calendars.slot_starts("hall-440100", "hy-jhyy", date!(2026 - 10 - 01)).is_empty());
//! // Saturday 10 October 2026 is a working day (调休): the weekday hours apply.
//! let slots = calendars.slot_starts("hall-440100", "hy-jhyy", date!(2026 - 10 - 10));
//! assert_eq!(slots.first(), Some(&datetime!(2026-10-10 09:00 +8)));
//! # Ok(()) }
//! ```
//!
//! A `Calendars` never changes: the daemon reloads by loading a new one.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use serde::Serialize;
use time::{Date, Duration, OffsetDateTime, Weekday};

use crate::cst;

/// Weekdays in the order of `hours` in `halls.jsonl`.
pub(crate) const WEEKDAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/// An open interval of a day: minutes after midnight, start included, end
/// not (the end may be 1440, midnight).
pub type Interval = (u16, u16);

/// A service hall as far as booking is concerned.
#[derive(Debug, Clone)]
pub struct Hall {
    /// Its id (`hall-440100`).
    pub id: String,
    /// The administrative division it stands in (`440100`).
    pub region_code: String,
    /// Opening hours per weekday, Monday first.
    pub week: [Vec<Interval>; 7],
    /// Places per slot, per service family it books.
    pub bookings: BTreeMap<String, u32>,
}

impl Hall {
    /// The hours of `weekday`.
    pub fn hours(&self, weekday: Weekday) -> &[Interval] {
        &self.week[usize::from(weekday.number_days_from_monday())]
    }

    /// Whether the hall offers items of `item_region` (a six-digit code):
    /// a province-wide item anywhere, a city's item at any hall in the
    /// city, a district's item at the district's or its city's halls (the
    /// engine's `ServiceHall::handles`, on division codes).
    pub fn serves_region(&self, item_region: &str) -> bool {
        let hall = self.region_code.as_str();
        if item_region.len() != 6 || hall.len() != 6 {
            return false;
        }
        if item_region.ends_with("0000") {
            return true;
        }
        if item_region.ends_with("00") {
            return hall[..4] == item_region[..4] && !hall.ends_with("0000");
        }
        hall == item_region || (hall[..4] == item_region[..4] && hall.ends_with("00"))
    }
}

/// What a service is: one of the catalogue's 预约 services, or a 办理
/// service with a step at a hall.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ServiceKind {
    /// A 预约 item.
    Appointment,
    /// A 办理 item whose steps include a visit to a hall.
    InPersonStep,
}

/// The booking rules of one service family (`data/booking/services.json`).
#[derive(Debug, Clone, Serialize)]
pub struct Service {
    /// The family (`hy-jhyy`).
    pub family: String,
    /// Its title (zh-CN).
    pub title: String,
    /// Appointment or in-person step.
    pub kind: ServiceKind,
    /// Whether a hall books it (`false`: the venue hands out the places).
    pub at_hall: bool,
    /// Length of a slot, in minutes.
    pub slot_minutes: u16,
    /// The farthest bookable day is today + this.
    pub window_days: u16,
    /// The nearest bookable day is today + this.
    pub lead_days: u16,
    /// Minute of the day at which the farthest day opens (放号).
    pub opens_at: u16,
    /// A booking can be cancelled or moved until this many minutes before
    /// its slot.
    pub cancel_before_minutes: u32,
    /// What to bring, who must come (zh-CN).
    pub notes: String,
}

/// Rules that apply to a person across services (`defaults` of
/// `services.json`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct PersonRules {
    /// No-shows that suspend booking …
    pub no_show_limit: u32,
    /// … within this many days …
    pub no_show_days: u32,
    /// … for this many days.
    pub suspend_days: u32,
    /// Places per slot when a hall's booking gives none.
    pub capacity: u32,
}

/// Public holidays and 调休 working days.
#[derive(Debug, Clone, Default)]
pub(crate) struct Holidays {
    /// Years the file covers.
    pub years: BTreeSet<i32>,
    /// Every day off, with its festival's name.
    pub holidays: HashMap<Date, String>,
    /// Saturdays and Sundays that are working days.
    pub workdays: HashSet<Date>,
}

/// What kind of day a date is, for every hall.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DayKind {
    /// A public holiday (its festival's name): every hall is closed.
    Holiday(String),
    /// A Saturday or Sunday made a working day (调休上班): halls open with
    /// their Monday–Friday hours.
    MakeUpWorkday,
    /// Any other day of a covered year: the hours of its weekday.
    Ordinary,
    /// The holiday file does not cover the year: not offered.
    NotCovered,
}

/// Why a hall has no hours on a date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DayClosed {
    /// A public holiday.
    Holiday(String),
    /// The year is not in the holiday file.
    NotCovered,
    /// The hall does not open on that weekday.
    HallClosed,
}

/// The dates a service can be booked for at a moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    /// The nearest bookable date (today + `lead_days`).
    pub first_day: Date,
    /// The farthest bookable date now (today + `window_days`, or one day
    /// less before `opens_at`).
    pub last_day: Date,
    /// Nothing that has started can be booked.
    pub not_before: OffsetDateTime,
}

/// Hall calendars, bookable services and holidays: everything booking
/// needs from `data/`. Immutable.
#[derive(Debug, Clone)]
pub struct Calendars {
    pub(crate) halls: HashMap<String, Hall>,
    pub(crate) services: BTreeMap<String, Service>,
    pub(crate) rules: PersonRules,
    pub(crate) holidays: Holidays,
}

impl Calendars {
    /// The hall `id`.
    pub fn hall(&self, id: &str) -> Option<&Hall> {
        self.halls.get(id)
    }

    /// Every hall, in id order.
    pub fn halls(&self) -> Vec<&Hall> {
        let mut halls: Vec<&Hall> = self.halls.values().collect();
        halls.sort_by(|a, b| a.id.cmp(&b.id));
        halls
    }

    /// The rules of a service family.
    pub fn service(&self, family: &str) -> Option<&Service> {
        self.services.get(family)
    }

    /// Every service family, in order.
    pub fn services(&self) -> impl Iterator<Item = &Service> {
        self.services.values()
    }

    /// The rules that apply to a person.
    pub fn person_rules(&self) -> PersonRules {
        self.rules
    }

    /// Places per slot of `family` at `hall_id`, if the hall books it.
    pub fn capacity(&self, hall_id: &str, family: &str) -> Option<u32> {
        self.halls.get(hall_id)?.bookings.get(family).copied()
    }

    /// The halls that book `family`, with their places per slot, in id
    /// order.
    pub fn halls_booking(&self, family: &str) -> Vec<(&Hall, u32)> {
        let mut found: Vec<(&Hall, u32)> = self
            .halls
            .values()
            .filter_map(|h| h.bookings.get(family).map(|c| (h, *c)))
            .collect();
        found.sort_by(|a, b| a.0.id.cmp(&b.0.id));
        found
    }

    /// (hall, service) pairs booked, and the places of one slot of each.
    pub fn totals(&self) -> (usize, u64) {
        self.halls
            .values()
            .flat_map(|h| h.bookings.values())
            .fold((0, 0), |(n, sum), c| (n + 1, sum + u64::from(*c)))
    }

    /// What kind of day `date` is.
    pub fn day_kind(&self, date: Date) -> DayKind {
        if let Some(name) = self.holidays.holidays.get(&date) {
            DayKind::Holiday(name.clone())
        } else if !self.holidays.years.contains(&date.year()) {
            DayKind::NotCovered
        } else if self.holidays.workdays.contains(&date) {
            DayKind::MakeUpWorkday
        } else {
            DayKind::Ordinary
        }
    }

    /// The hall's open intervals on `date`: none on a public holiday, the
    /// Monday–Friday hours (Monday's) on a 调休 working weekend day, the
    /// weekday's hours otherwise; a year the holiday file does not cover is
    /// not offered.
    pub fn open_intervals<'h>(
        &self,
        hall: &'h Hall,
        date: Date,
    ) -> Result<&'h [Interval], DayClosed> {
        let hours = match self.day_kind(date) {
            DayKind::Holiday(name) => return Err(DayClosed::Holiday(name)),
            DayKind::NotCovered => return Err(DayClosed::NotCovered),
            DayKind::MakeUpWorkday => hall.hours(Weekday::Monday),
            DayKind::Ordinary => hall.hours(date.weekday()),
        };
        if hours.is_empty() {
            Err(DayClosed::HallClosed)
        } else {
            Ok(hours)
        }
    }

    /// Minutes after midnight at which slots of `service` start in
    /// `intervals`: from each interval's start, every `slot_minutes`, as
    /// long as the slot ends by the interval's end.
    pub fn slot_minutes_in(service: &Service, intervals: &[Interval]) -> Vec<u16> {
        let step = service.slot_minutes.max(1);
        let mut starts = Vec::new();
        for &(from, to) in intervals {
            let mut t = from;
            while t + step <= to {
                starts.push(t);
                t += step;
            }
        }
        starts
    }

    /// The slot starts of `family` at `hall_id` on `date` (none when the
    /// hall does not book it or is closed that day).
    pub fn slot_starts(&self, hall_id: &str, family: &str, date: Date) -> Vec<OffsetDateTime> {
        let (Some(hall), Some(service)) = (self.halls.get(hall_id), self.services.get(family))
        else {
            return Vec::new();
        };
        if !hall.bookings.contains_key(family) {
            return Vec::new();
        }
        match self.open_intervals(hall, date) {
            Ok(intervals) => Self::slot_minutes_in(service, intervals)
                .into_iter()
                .map(|m| cst::at(date, m))
                .collect(),
            Err(_) => Vec::new(),
        }
    }

    /// The booking window of `service` at `now`: from today + `lead_days`
    /// (and not before `now`) to today + `window_days`, the farthest day
    /// opening only at `opens_at`.
    pub fn window(service: &Service, now: OffsetDateTime) -> Window {
        let today = cst::date_of(now);
        let before_opening = cst::minute_of(now) < service.opens_at;
        let far = i64::from(service.window_days) - i64::from(before_opening);
        Window {
            first_day: today + Duration::days(i64::from(service.lead_days)),
            last_day: today + Duration::days(far),
            not_before: now,
        }
    }

    /// When `date` opens for booking of `service` (放号): `opens_at` on the
    /// day `window_days` before it.
    pub fn opens_at(service: &Service, date: Date) -> OffsetDateTime {
        cst::at(
            date - Duration::days(i64::from(service.window_days)),
            service.opens_at,
        )
    }
}

/// Splits an item id (`hy-jhyy-440100`) into its family and six-digit
/// region code.
pub fn split_item_id(item_id: &str) -> Option<(&str, &str)> {
    let (family, region) = item_id.rsplit_once('-')?;
    (!family.is_empty() && region.len() == 6 && region.bytes().all(|b| b.is_ascii_digit()))
        .then_some((family, region))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hall(region: &str) -> Hall {
        Hall {
            id: "h".into(),
            region_code: region.into(),
            week: Default::default(),
            bookings: BTreeMap::new(),
        }
    }

    #[test]
    fn halls_serve_items_by_region_like_the_engine() {
        // A province-wide item anywhere.
        assert!(hall("440106").serves_region("440000"));
        assert!(hall("440000").serves_region("440000"));
        // A city's item at any hall of the city, not at the province's.
        assert!(hall("440100").serves_region("440100"));
        assert!(hall("440106").serves_region("440100"));
        assert!(!hall("440300").serves_region("440100"));
        assert!(!hall("440000").serves_region("440100"));
        // A district's item at the district's or the city's halls.
        assert!(hall("440106").serves_region("440106"));
        assert!(hall("440100").serves_region("440106"));
        assert!(!hall("440104").serves_region("440106"));
        assert!(!hall("440000").serves_region("440106"));
        assert!(!hall("440100").serves_region("4401"));
    }

    #[test]
    fn item_ids_split_at_the_last_hyphen() {
        assert_eq!(split_item_id("hy-jhyy-440100"), Some(("hy-jhyy", "440100")));
        assert_eq!(split_item_id("hy-jhyy"), None);
        assert_eq!(split_item_id("-440100"), None);
        assert_eq!(split_item_id("hy-jhyy-44010x"), None);
    }
}

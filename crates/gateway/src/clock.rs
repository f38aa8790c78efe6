//! The time, behind a trait so tests can fix "today" and skew the signing
//! clock. Dates of the contract are China dates (UTC+8).

use std::sync::Mutex;

use time::{Date, OffsetDateTime, UtcOffset};

/// China Standard Time, UTC+8 (no daylight saving).
pub const CHINA: UtcOffset = match UtcOffset::from_hms(8, 0, 0) {
    Ok(offset) => offset,
    Err(_) => UtcOffset::UTC,
};

/// Tells the time.
pub trait Clock: Send + Sync + std::fmt::Debug {
    /// Now.
    fn now(&self) -> OffsetDateTime;

    /// Today's date in China.
    fn today(&self) -> Date {
        self.now().to_offset(CHINA).date()
    }
}

/// The system clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc()
    }
}

/// A clock that shows what it is told (tests, demos with a fixed date).
#[derive(Debug)]
pub struct ManualClock(Mutex<OffsetDateTime>);

impl ManualClock {
    /// A clock showing `at`.
    pub fn new(at: OffsetDateTime) -> ManualClock {
        ManualClock(Mutex::new(at))
    }

    /// A clock showing noon (China time) of `date`.
    pub fn at_date(date: Date) -> ManualClock {
        ManualClock::new(
            date.with_hms(12, 0, 0)
                .map_or_else(|_| OffsetDateTime::UNIX_EPOCH, |dt| dt.assume_offset(CHINA)),
        )
    }

    /// Shows `at` from now on.
    pub fn set(&self, at: OffsetDateTime) {
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = at;
    }

    /// Moves the clock by `by` (may be negative).
    pub fn advance(&self, by: time::Duration) {
        let mut now = self.0.lock().unwrap_or_else(|e| e.into_inner());
        *now += by;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> OffsetDateTime {
        *self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// A clock that runs `offset` seconds off the system clock (tests of the
/// signature window).
#[derive(Debug, Clone, Copy)]
pub struct SkewedClock(pub i64);

impl Clock for SkewedClock {
    fn now(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc() + time::Duration::seconds(self.0)
    }
}

/// Serde of `YYYY-MM-DD` dates.
pub(crate) mod date_format {
    time::serde::format_description!(pub(crate) ymd, Date, "[year]-[month]-[day]");
}

pub(crate) fn format_date(date: Date) -> String {
    format!(
        "{:04}-{:02}-{:02}",
        date.year(),
        u8::from(date.month()),
        date.day()
    )
}

pub(crate) fn format_month(year: i32, month: u8) -> String {
    format!("{year:04}-{month:02}")
}

/// Parses `YYYY-MM-DD` strictly.
pub(crate) fn parse_date(text: &str) -> Option<Date> {
    let b = text.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let year: i32 = text.get(0..4)?.parse().ok()?;
    let month: u8 = text.get(5..7)?.parse().ok()?;
    let day: u8 = text.get(8..10)?.parse().ok()?;
    Date::from_calendar_date(year, time::Month::try_from(month).ok()?, day).ok()
}

/// Parses `YYYY-MM` strictly into a month number (year × 12 + month − 1).
pub(crate) fn parse_month(text: &str) -> Option<i32> {
    let b = text.as_bytes();
    if b.len() != 7 || b[4] != b'-' {
        return None;
    }
    let year: i32 = text.get(0..4)?.parse().ok()?;
    let month: i32 = text.get(5..7)?.parse().ok()?;
    if !(1..=12).contains(&month) || !text[0..4].bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    Some(year * 12 + month - 1)
}

/// The month number (year × 12 + month − 1) of a date.
pub(crate) fn month_index(date: Date) -> i32 {
    date.year() * 12 + i32::from(u8::from(date.month())) - 1
}

/// `YYYY-MM` of a month number.
pub(crate) fn month_text(index: i32) -> String {
    format_month(index.div_euclid(12), (index.rem_euclid(12) + 1) as u8)
}

/// The first day of a month number.
pub(crate) fn month_start(index: i32) -> Option<Date> {
    let month = time::Month::try_from((index.rem_euclid(12) + 1) as u8).ok()?;
    Date::from_calendar_date(index.div_euclid(12), month, 1).ok()
}

/// The same day `months` months later (clamped to the month's last day).
pub(crate) fn add_months(date: Date, months: i32) -> Date {
    let index = month_index(date) + months;
    let Some(first) = month_start(index) else {
        return date;
    };
    let last = first.month().length(first.year());
    first.replace_day(date.day().min(last)).unwrap_or(first)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, datetime};

    #[test]
    fn today_is_a_china_date() {
        let clock = ManualClock::new(datetime!(2026-03-31 17:30 UTC));
        assert_eq!(clock.today(), date!(2026 - 04 - 01));
    }

    #[test]
    fn month_arithmetic() {
        assert_eq!(
            month_text(month_index(date!(2026 - 01 - 15)) - 1),
            "2025-12"
        );
        assert_eq!(parse_month("2025-12"), Some(2025 * 12 + 11));
        assert_eq!(parse_month("2025-13"), None);
        assert_eq!(add_months(date!(2026 - 03 - 31), -1), date!(2026 - 02 - 28));
        assert_eq!(parse_date("2026-02-29"), None);
        assert_eq!(parse_date("2024-02-29"), Some(date!(2024 - 02 - 29)));
    }
}

//! China Standard Time (UTC+8, no daylight saving): the one clock every
//! hall in Guangdong keeps. Dates, minutes of the day, Unix milliseconds
//! (what the database stores) and the text forms of dates and times.

use time::format_description::well_known::Rfc3339;
use time::macros::offset;
use time::{Date, Duration, Month, OffsetDateTime, Time, UtcOffset};

/// UTC+8.
pub const CST: UtcOffset = offset!(+8);

/// `date` at `minute` minutes after midnight, China Standard Time
/// (`minute` may be 1440: the next midnight).
pub fn at(date: Date, minute: u16) -> OffsetDateTime {
    date.with_time(Time::MIDNIGHT).assume_offset(CST) + Duration::minutes(i64::from(minute))
}

/// The same instant, in China Standard Time.
pub fn local(t: OffsetDateTime) -> OffsetDateTime {
    t.to_offset(CST)
}

/// The date of `t` in China Standard Time.
pub fn date_of(t: OffsetDateTime) -> Date {
    local(t).date()
}

/// Minutes after midnight of `t` in China Standard Time (seconds dropped).
pub fn minute_of(t: OffsetDateTime) -> u16 {
    let t = local(t);
    u16::from(t.hour()) * 60 + u16::from(t.minute())
}

/// Whether `t` is a whole minute (no seconds, no fraction).
pub fn is_whole_minute(t: OffsetDateTime) -> bool {
    t.second() == 0 && t.nanosecond() == 0
}

/// `t` in Unix milliseconds.
pub fn to_ms(t: OffsetDateTime) -> i64 {
    (t.unix_timestamp_nanos() / 1_000_000) as i64
}

/// Unix milliseconds as a time in China Standard Time.
pub fn from_ms(ms: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH)
        .to_offset(CST)
}

/// `YYYY-MM-DD`.
pub fn date_text(date: Date) -> String {
    format!(
        "{:04}-{:02}-{:02}",
        date.year(),
        u8::from(date.month()),
        date.day()
    )
}

/// A date written `YYYY-MM-DD` (exactly), or `None`.
pub fn parse_date(text: &str) -> Option<Date> {
    let bytes = text.as_bytes();
    if bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
        return None;
    }
    let number = |range: std::ops::Range<usize>| -> Option<u32> {
        let part = text.get(range)?;
        part.bytes()
            .all(|b| b.is_ascii_digit())
            .then(|| part.parse().ok())?
    };
    let year = i32::try_from(number(0..4)?).ok()?;
    let month = Month::try_from(u8::try_from(number(5..7)?).ok()?).ok()?;
    let day = u8::try_from(number(8..10)?).ok()?;
    Date::from_calendar_date(year, month, day).ok()
}

/// `HH:MM` as minutes after midnight; `24:00` only when `allow_24` is set.
pub fn parse_minute(text: &str, allow_24: bool) -> Option<u16> {
    let (h, m) = text.split_once(':')?;
    if h.len() != 2 || m.len() != 2 || !(h.bytes().chain(m.bytes())).all(|b| b.is_ascii_digit()) {
        return None;
    }
    let (h, m): (u16, u16) = (h.parse().ok()?, m.parse().ok()?);
    match (h, m) {
        (24, 0) if allow_24 => Some(1440),
        (0..=23, 0..=59) => Some(h * 60 + m),
        _ => None,
    }
}

/// RFC 3339 in China Standard Time (`2026-07-01T09:30:00+08:00`).
pub fn rfc3339(t: OffsetDateTime) -> String {
    local(t)
        .format(&Rfc3339)
        .unwrap_or_else(|_| to_ms(t).to_string())
}

/// Serde helpers: times as RFC 3339 in China Standard Time, dates as
/// `YYYY-MM-DD`.
pub(crate) mod serde_cst {
    use serde::Serializer;
    use time::{Date, OffsetDateTime};

    /// A time.
    pub fn time<S: Serializer>(t: &OffsetDateTime, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&super::rfc3339(*t))
    }

    /// An optional time.
    pub fn opt_time<S: Serializer>(t: &Option<OffsetDateTime>, s: S) -> Result<S::Ok, S::Error> {
        match t {
            Some(t) => s.serialize_str(&super::rfc3339(*t)),
            None => s.serialize_none(),
        }
    }

    /// A date.
    pub fn date<S: Serializer>(d: &Date, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&super::date_text(*d))
    }

    /// An optional date.
    pub fn opt_date<S: Serializer>(d: &Option<Date>, s: S) -> Result<S::Ok, S::Error> {
        match d {
            Some(d) => s.serialize_str(&super::date_text(*d)),
            None => s.serialize_none(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, datetime};

    #[test]
    fn dates_and_minutes_round_trip() {
        assert_eq!(parse_date("2026-02-28"), Some(date!(2026 - 02 - 28)));
        assert_eq!(parse_date("2026-02-29"), None);
        assert_eq!(parse_date("2026-2-28"), None);
        assert_eq!(parse_date("+026-02-28"), None);
        assert_eq!(date_text(date!(2026 - 01 - 04)), "2026-01-04");
        assert_eq!(parse_minute("08:30", false), Some(510));
        assert_eq!(parse_minute("24:00", false), None);
        assert_eq!(parse_minute("24:00", true), Some(1440));
        assert_eq!(parse_minute("9:00", false), None);
        assert_eq!(parse_minute("12:60", false), None);
    }

    #[test]
    fn times_are_china_standard_time() {
        let t = at(date!(2026 - 07 - 01), 9 * 60 + 30);
        assert_eq!(rfc3339(t), "2026-07-01T09:30:00+08:00");
        assert_eq!(from_ms(to_ms(t)), t);
        // 23:30 UTC is already the next day in Guangdong.
        let late = datetime!(2026-06-30 23:30 UTC);
        assert_eq!(date_of(late), date!(2026 - 07 - 01));
        assert_eq!(minute_of(late), 7 * 60 + 30);
        assert_eq!(
            at(date!(2026 - 07 - 01), 1440),
            at(date!(2026 - 07 - 02), 0)
        );
    }
}

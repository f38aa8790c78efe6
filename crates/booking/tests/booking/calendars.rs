//! The bundled calendars: they load, their counts are those of
//! docs/CALENDARS.md, and holidays, 调休 working days, hours, slots and
//! windows come out as the rules say — from the real data files.

use crate::support;

use std::path::Path;

use time::macros::{date, datetime};
use yuesou_booking::{Calendars, DayClosed, DayKind, LoadError};

use support::{HALL, calendars, data_dir};

#[test]
fn the_bundled_data_loads_with_the_documented_counts() {
    let c = calendars();
    assert_eq!(c.halls().len(), 170);
    assert_eq!(c.services().count(), 49);
    assert_eq!(c.services().filter(|s| !s.at_hall).count(), 3);
    // "6,390 (hall, service) pairs in all; their capacities add up to 24,356"
    assert_eq!(c.totals(), (6390, 24356));
    assert_eq!(c.halls_booking("hy-swhy").len(), 21);
    assert!(c.halls_booking("dwq-kjhy").is_empty(), "booked nowhere");
    assert_eq!(c.capacity(HALL, "hy-jhyy"), Some(5));
    assert_eq!(c.capacity("hall-440000", "hy-jhyy"), None);
    let rules = c.person_rules();
    assert_eq!(
        (rules.no_show_limit, rules.no_show_days, rules.suspend_days),
        (3, 90, 30)
    );
    let marriage = c.service("hy-jhyy").unwrap();
    assert_eq!(
        (
            marriage.slot_minutes,
            marriage.window_days,
            marriage.lead_days,
            marriage.opens_at,
            marriage.cancel_before_minutes
        ),
        (30, 15, 1, 8 * 60 + 30, 60)
    );
}

#[test]
fn holidays_and_make_up_working_days_come_from_the_file() {
    let c = calendars();
    assert_eq!(
        c.day_kind(date!(2026 - 10 - 01)),
        DayKind::Holiday("国庆节".into())
    );
    // 2026-01-03 is a Saturday inside the 元旦 period.
    assert_eq!(
        c.day_kind(date!(2026 - 01 - 03)),
        DayKind::Holiday("元旦".into())
    );
    for workday in [
        "2026-01-04",
        "2026-02-14",
        "2026-02-28",
        "2026-05-09",
        "2026-09-20",
        "2026-10-10",
    ] {
        let d = yuesou_booking::cst::parse_date(workday).unwrap();
        assert_eq!(c.day_kind(d), DayKind::MakeUpWorkday, "{workday}");
    }
    assert_eq!(c.day_kind(date!(2026 - 07 - 01)), DayKind::Ordinary);
    // 2027 is statutory-only: 5 February (除夕) is off, no make-up days.
    assert_eq!(
        c.day_kind(date!(2027 - 02 - 05)),
        DayKind::Holiday("春节".into())
    );
    assert_eq!(c.day_kind(date!(2027 - 02 - 20)), DayKind::Ordinary);
    // 2028 is not in the file: not offered.
    assert_eq!(c.day_kind(date!(2028 - 03 - 01)), DayKind::NotCovered);
}

#[test]
fn a_hall_is_open_by_its_hours_the_holidays_and_the_make_up_days() {
    let c = calendars();
    let gz = c.hall(HALL).unwrap();
    // Wednesday: two intervals; Sunday: closed.
    assert_eq!(
        c.open_intervals(gz, date!(2026 - 07 - 01)).unwrap(),
        &[(540, 720), (780, 1020)]
    );
    assert_eq!(
        c.open_intervals(gz, date!(2026 - 07 - 05)),
        Err(DayClosed::HallClosed)
    );
    assert_eq!(
        c.open_intervals(gz, date!(2026 - 10 - 01)),
        Err(DayClosed::Holiday("国庆节".into()))
    );
    assert_eq!(
        c.open_intervals(gz, date!(2028 - 03 - 01)),
        Err(DayClosed::NotCovered)
    );
    // Saturday 10 October 2026 is a working day: the Monday–Friday hours,
    // not the hall's Saturday hours (09:00–17:00 in one piece).
    assert_eq!(
        c.open_intervals(gz, date!(2026 - 10 - 10)).unwrap(),
        &[(540, 720), (780, 1020)]
    );
    assert_eq!(
        c.open_intervals(gz, date!(2026 - 10 - 17)).unwrap(),
        &[(540, 1020)]
    );
    // A hall closed on Saturdays opens on a working Saturday.
    let closed_saturdays = c
        .halls()
        .into_iter()
        .find(|h| !h.bookings.is_empty() && h.week[5].is_empty())
        .unwrap();
    assert!(
        c.open_intervals(closed_saturdays, date!(2026 - 07 - 04))
            .is_err()
    );
    assert!(
        c.open_intervals(closed_saturdays, date!(2026 - 10 - 10))
            .is_ok()
    );
}

#[test]
fn slots_fit_inside_the_intervals() {
    let c = calendars();
    // 09:00–12:00 and 13:00–17:00 in 30-minute slots: 6 + 8.
    let day = c.slot_starts(HALL, "hy-jhyy", date!(2026 - 07 - 01));
    assert_eq!(day.len(), 14);
    assert_eq!(day[0], datetime!(2026-07-01 09:00 +8));
    assert_eq!(day[5], datetime!(2026-07-01 11:30 +8));
    assert_eq!(day[6], datetime!(2026-07-01 13:00 +8));
    assert_eq!(day[13], datetime!(2026-07-01 16:30 +8));
    // 60-minute driving-test sessions.
    let tests = c.slot_starts(HALL, "xsjs-ksyy", date!(2026 - 07 - 01));
    assert_eq!(tests.len(), 7);
    // 08:30–12:00 in 60-minute slots: 08:30, 09:30, 10:30 (11:30–12:00
    // stays unused).
    let hall = c
        .halls()
        .into_iter()
        .find(|h| h.week[0] == [(510, 720), (870, 1050)] && h.bookings.contains_key("xsjs-ksyy"))
        .unwrap();
    let sessions = c.slot_starts(&hall.id, "xsjs-ksyy", date!(2026 - 07 - 01));
    assert_eq!(
        &sessions[..3],
        &[
            datetime!(2026-07-01 08:30 +8),
            datetime!(2026-07-01 09:30 +8),
            datetime!(2026-07-01 10:30 +8)
        ]
    );
    assert_eq!(sessions[3], datetime!(2026-07-01 14:30 +8));
    assert!(
        c.slot_starts(HALL, "hy-jhyy", date!(2026 - 10 - 01))
            .is_empty()
    );
    assert!(
        c.slot_starts("hall-440000", "hy-jhyy", date!(2026 - 07 - 01))
            .is_empty()
    );
}

#[test]
fn the_window_opens_day_by_day_at_the_services_hour() {
    let c = calendars();
    let marriage = c.service("hy-jhyy").unwrap();
    // Before 08:30: tomorrow to today + 14.
    let w = Calendars::window(marriage, datetime!(2026-07-01 08:29 +8));
    assert_eq!(
        (w.first_day, w.last_day),
        (date!(2026 - 07 - 02), date!(2026 - 07 - 15))
    );
    // From 08:30: today + 15 opens.
    let w = Calendars::window(marriage, datetime!(2026-07-01 08:30 +8));
    assert_eq!(w.last_day, date!(2026 - 07 - 16));
    assert_eq!(
        Calendars::opens_at(marriage, date!(2026 - 07 - 16)),
        datetime!(2026-07-01 08:30 +8)
    );
    // Midnight in Guangdong is 16:00 UTC the day before.
    let w = Calendars::window(marriage, datetime!(2026-06-30 16:30 UTC));
    assert_eq!(w.first_day, date!(2026 - 07 - 02));
    let fund = c.service("gjj-tqyy").unwrap();
    let w = Calendars::window(fund, datetime!(2026-07-01 10:00 +8));
    assert_eq!(
        (w.first_day, w.last_day),
        (date!(2026 - 07 - 01), date!(2026 - 07 - 08))
    );
}

#[test]
fn a_missing_or_broken_file_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let e = Calendars::load(dir.path()).unwrap_err();
    assert!(matches!(e, LoadError::Io { .. }));
    assert!(e.to_string().contains("halls.jsonl"), "{e}");

    for name in [
        "halls.jsonl",
        "booking/services.json",
        "calendar/holidays.json",
    ] {
        let target = dir.path().join(name);
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        std::fs::copy(data_dir().join(name), &target).unwrap();
    }
    assert!(Calendars::load(dir.path()).is_ok());
    // Break line 3 of halls.jsonl.
    let halls = std::fs::read_to_string(dir.path().join("halls.jsonl")).unwrap();
    let mut lines: Vec<String> = halls.lines().map(str::to_string).collect();
    lines[2] = lines[2].replacen("\"09:00\"", "\"9:00\"", 1);
    std::fs::write(dir.path().join("halls.jsonl"), lines.join("\n")).unwrap();
    let e = Calendars::load(dir.path()).unwrap_err().to_string();
    assert!(
        e.contains(&format!(
            "{}:3:",
            Path::new(&dir.path().join("halls.jsonl")).display()
        )),
        "{e}"
    );
}

//! The hall's side on both backends: the day's list, check-in by code,
//! no-shows and the suspension they start, closing a slot or a day (its
//! holders moved first, and told), reopening, and bookings a reload
//! invalidated.

use crate::support;

use std::path::Path;
use std::sync::Arc;

use time::macros::{date, datetime};
use time::{Duration, OffsetDateTime};
use yuesou_booking::{
    BookingError, Calendars, CloseTarget, ReminderKind, SlotState, Status, qr_text,
};
use yuesou_store::testing::{TestDb, each_backend};

use support::{FUND, HALL, MARRIAGE, NOW, PERMIT, booking, code, count, data_dir, person, taken};

const NINE: OffsetDateTime = datetime!(2026-07-02 09:00 +8);

#[tokio::test]
async fn the_hall_lists_its_day_and_checks_people_in_by_code() {
    each_backend(async |t: TestDb| {
        let (b, clock) = booking(t.db.clone(), NOW);
        let me = person(&t.db, 1).await;
        let other = person(&t.db, 2).await;
        let mine = b
            .book(&me, MARRIAGE, HALL, NINE, None, None)
            .await
            .unwrap()
            .appointment;
        let theirs = b
            .book(
                &other,
                FUND,
                HALL,
                datetime!(2026-07-02 09:30 +8),
                None,
                None,
            )
            .await
            .unwrap()
            .appointment;
        let later = b
            .book(
                &other,
                MARRIAGE,
                HALL,
                datetime!(2026-07-03 09:00 +8),
                None,
                None,
            )
            .await
            .unwrap()
            .appointment;
        let list = b.day_list(HALL, date!(2026 - 07 - 02)).await.unwrap();
        assert_eq!(
            list.iter().map(|a| a.id.as_str()).collect::<Vec<_>>(),
            [mine.id.as_str(), theirs.id.as_str()]
        );
        assert!(
            list.iter().all(|a| a.check_in_code.is_none()),
            "the hall never sees codes"
        );
        assert_eq!(
            code(&b.day_list("hall-nowhere", NOW.date()).await),
            "hall-not-found"
        );

        let my_code = mine.check_in_code.clone().unwrap();
        // Not today yet.
        assert_eq!(
            code(&b.check_in(HALL, &my_code).await),
            "check-in-code-not-found"
        );
        clock.set(datetime!(2026-07-02 08:50 +8));
        assert_eq!(
            code(&b.check_in(HALL, "12345").await),
            "invalid-check-in-code"
        );
        assert_eq!(
            code(&b.check_in(HALL, "00000000").await),
            "check-in-code-not-found"
        );
        // Tomorrow's booking's code does not work today.
        assert_eq!(
            code(
                &b.check_in(HALL, later.check_in_code.as_deref().unwrap())
                    .await
            ),
            "check-in-code-not-found"
        );
        // At another hall, the code is unknown.
        assert_eq!(
            code(&b.check_in("hall-440300", &my_code).await),
            "check-in-code-not-found"
        );
        // Typed in lower case with a hyphen, or scanned.
        let typed = format!("{}-{}", &my_code[..4], &my_code[4..]).to_lowercase();
        let checked = b.check_in(HALL, &typed).await.unwrap();
        assert_eq!(checked.id, mine.id);
        assert_eq!(checked.status, Status::CheckedIn);
        assert_eq!(checked.checked_in_at, Some(datetime!(2026-07-02 08:50 +8)));
        match b.check_in(HALL, &qr_text(&my_code)).await {
            Err(BookingError::AlreadyCheckedIn { at }) => {
                assert_eq!(at, datetime!(2026-07-02 08:50 +8))
            }
            other => panic!("{other:?}"),
        }
        // A checked-in booking can no longer be cancelled.
        assert_eq!(code(&b.cancel(&me, &mine.id).await), "booking-not-active");
        // Two scans at once check in once.
        let their_code = theirs.check_in_code.clone().unwrap();
        let (x, y) = tokio::join!(b.check_in(HALL, &their_code), b.check_in(HALL, &their_code));
        let mut codes = [code(&x), code(&y)];
        codes.sort();
        assert_eq!(codes, ["already-checked-in", "ok"]);
    })
    .await;
}

#[tokio::test]
async fn three_no_shows_in_ninety_days_suspend_booking_for_thirty() {
    each_backend(async |t: TestDb| {
        let (b, clock) = booking(t.db.clone(), NOW);
        let me = person(&t.db, 1).await;
        let mut last = None;
        // Three missed bookings, on 2, 20 July and 10 August.
        for (n, day) in [
            date!(2026 - 07 - 02),
            date!(2026 - 07 - 20),
            date!(2026 - 08 - 10),
        ]
        .into_iter()
        .enumerate()
        {
            clock.set(yuesou_booking::cst::at(day - Duration::days(1), 10 * 60));
            let start = yuesou_booking::cst::at(day, 9 * 60);
            let a = b
                .book(&me, FUND, HALL, start, None, None)
                .await
                .unwrap()
                .appointment;
            match b.mark_no_show(HALL, &a.id).await {
                Err(BookingError::SlotNotStarted { start: s }) => assert_eq!(s, start),
                other => panic!("{other:?}"),
            }
            clock.set(start + Duration::minutes(40));
            assert_eq!(
                code(&b.mark_no_show("hall-440300", &a.id).await),
                "booking-not-found"
            );
            let marked = b.mark_no_show(HALL, &a.id).await.unwrap();
            assert_eq!(marked.appointment.status, Status::NoShow);
            assert!(marked.counted);
            if n < 2 {
                assert_eq!(marked.suspended_until, None);
            } else {
                // From 10 August, 30 days: the last is 8 September.
                assert_eq!(marked.suspended_until, Some(date!(2026 - 09 - 08)));
            }
            // Marking again answers the same, and starts nothing.
            let again = b.mark_no_show(HALL, &a.id).await.unwrap();
            assert_eq!(again.suspended_until, None);
            last = Some(a);
        }
        let last = last.unwrap();
        assert_eq!(code(&b.cancel(&me, &last.id).await), "booking-not-active");
        match b
            .book(
                &me,
                MARRIAGE,
                HALL,
                datetime!(2026-08-12 09:00 +8),
                None,
                None,
            )
            .await
        {
            Err(BookingError::Suspended { until }) => assert_eq!(until, date!(2026 - 09 - 08)),
            other => panic!("{other:?}"),
        }
        let told: Vec<_> = b
            .pending_reminders()
            .await
            .unwrap()
            .into_iter()
            .filter(|r| r.kind == ReminderKind::Suspended)
            .collect();
        assert_eq!(told.len(), 1);
        assert_eq!(told[0].until, Some(date!(2026 - 09 - 08)));
        assert_eq!(told[0].account_id, me.account_id);
        // The suspension ends after its last day; the slate is clean: one
        // more no-show does not suspend again.
        clock.set(datetime!(2026-09-08 16:00 +8));
        assert_eq!(
            code(
                &b.book(&me, FUND, HALL, datetime!(2026-09-09 09:00 +8), None, None)
                    .await
            ),
            "suspended"
        );
        clock.set(datetime!(2026-09-09 08:00 +8));
        let a = b
            .book(&me, FUND, HALL, datetime!(2026-09-09 09:00 +8), None, None)
            .await
            .unwrap()
            .appointment;
        clock.set(datetime!(2026-09-09 10:00 +8));
        assert_eq!(
            b.mark_no_show(HALL, &a.id).await.unwrap().suspended_until,
            None
        );
    })
    .await;
}

#[tokio::test]
async fn no_shows_older_than_ninety_days_do_not_count() {
    each_backend(async |t: TestDb| {
        let (b, clock) = booking(t.db.clone(), NOW);
        let me = person(&t.db, 1).await;
        for day in [
            date!(2026 - 07 - 02),
            date!(2026 - 09 - 01),
            date!(2026 - 10 - 09),
        ] {
            clock.set(yuesou_booking::cst::at(day - Duration::days(1), 10 * 60));
            let start = yuesou_booking::cst::at(day, 9 * 60);
            let a = b
                .book(&me, FUND, HALL, start, None, None)
                .await
                .unwrap()
                .appointment;
            clock.set(start + Duration::minutes(40));
            // 2 July is more than 90 days before 9 October.
            assert_eq!(
                b.mark_no_show(HALL, &a.id).await.unwrap().suspended_until,
                None
            );
        }
    })
    .await;
}

#[tokio::test]
async fn closing_a_slot_moves_its_holders_first_and_tells_them() {
    each_backend(async |t: TestDb| {
        let (b, clock) = booking(t.db.clone(), NOW);
        let ten = datetime!(2026-07-02 10:00 +8);
        let half_past = datetime!(2026-07-02 10:30 +8);
        // Five holders at 10:00; 10:30 has one place left.
        let mut holders = Vec::new();
        for n in 0..5 {
            let p = person(&t.db, n).await;
            clock.advance(Duration::seconds(1));
            let a = b
                .book(&p, MARRIAGE, HALL, ten, None, None)
                .await
                .unwrap()
                .appointment;
            holders.push((p, a));
        }
        for n in 10..14 {
            b.book(
                &person(&t.db, n).await,
                MARRIAGE,
                HALL,
                half_past,
                None,
                None,
            )
            .await
            .unwrap();
        }
        // The afternoon before: 09:00 and 09:30 are free but earlier.
        clock.set(datetime!(2026-07-01 16:00 +8));
        assert_eq!(
            code(
                &b.close(HALL, Some("hy-jhyy"), CloseTarget::Slot(ten), " ")
                    .await
            ),
            "invalid-input"
        );
        assert_eq!(
            code(
                &b.close(
                    HALL,
                    Some("hy-jhyy"),
                    CloseTarget::Slot(datetime!(2026-07-02 10:10 +8)),
                    "停电"
                )
                .await
            ),
            "not-slot-start"
        );
        assert_eq!(
            code(
                &b.close(
                    HALL,
                    Some("hy-jhyy"),
                    CloseTarget::Slot(datetime!(2026-07-01 10:00 +8)),
                    "停电"
                )
                .await
            ),
            "date-in-past"
        );
        assert_eq!(
            code(
                &b.close(HALL, Some("zz-none"), CloseTarget::Slot(ten), "停电")
                    .await
            ),
            "hall-does-not-book"
        );
        let report = b
            .close(HALL, Some("hy-jhyy"), CloseTarget::Slot(ten), "系统维护")
            .await
            .unwrap();
        assert_eq!(report.slots_closed, 1);
        assert_eq!(report.displaced.len(), 5);
        // In the order they booked: the first gets 10:30's last place, the
        // next four 11:00 (5 places); none is moved earlier while later
        // slots have places.
        let moved: Vec<_> = report.displaced.iter().map(|d| d.moved_to_start).collect();
        assert_eq!(moved[0], Some(half_past));
        assert!(
            moved[1..]
                .iter()
                .all(|m| *m == Some(datetime!(2026-07-02 11:00 +8)))
        );
        for ((_, old), d) in holders.iter().zip(&report.displaced) {
            assert_eq!(d.booking_id, old.id);
        }
        assert_eq!(taken(&t.db, "hy-jhyy", ten).await, 0);
        assert_eq!(taken(&t.db, "hy-jhyy", half_past).await, 5);
        assert_eq!(
            taken(&t.db, "hy-jhyy", datetime!(2026-07-02 11:00 +8)).await,
            4
        );
        // Each holder sees the old booking closed, pointing at the new one.
        let (p, old) = &holders[0];
        let list = b.list(p).await.unwrap();
        assert_eq!(list.len(), 2);
        assert_eq!(list[0].status, Status::Booked);
        assert_eq!(list[0].start, half_past);
        assert_eq!(list[0].moved_from.as_deref(), Some(old.id.as_str()));
        assert!(list[0].check_in_code.is_some());
        assert_eq!(list[1].status, Status::Closed);
        assert_eq!(list[1].close_reason.as_deref(), Some("系统维护"));
        assert_eq!(list[1].moved_to.as_deref(), Some(list[0].id.as_str()));
        // They are told (once each), and the old booking's reminders are void.
        let pending = b.pending_reminders().await.unwrap();
        let closed: Vec<_> = pending
            .iter()
            .filter(|r| r.kind == ReminderKind::SlotClosed)
            .collect();
        assert_eq!(closed.len(), 5);
        let first = closed
            .iter()
            .find(|r| r.booking_id.as_deref() == Some(old.id.as_str()))
            .unwrap();
        assert_eq!(first.start, Some(ten));
        assert_eq!(first.reason.as_deref(), Some("系统维护"));
        assert_eq!(first.moved_to_start, Some(half_past));
        assert_eq!(first.moved_to.as_deref(), Some(list[0].id.as_str()));
        assert!(pending.iter().all(|r| r.kind != ReminderKind::DayBefore
            || r.booking_id.as_deref() != Some(old.id.as_str())));
        // Nobody can book the closed slot; the listing says it is closed.
        let late = person(&t.db, 20).await;
        assert_eq!(
            code(&b.book(&late, MARRIAGE, HALL, ten, None, None).await),
            "slot-closed"
        );
        let day = &b
            .slots(MARRIAGE, HALL, date!(2026 - 07 - 02), 1)
            .await
            .unwrap()[0];
        let slot = day.slots.iter().find(|s| s.start == ten).unwrap();
        assert_eq!((slot.state, slot.left), (SlotState::Closed, 0));
        // Closing again changes nothing.
        let again = b
            .close(HALL, Some("hy-jhyy"), CloseTarget::Slot(ten), "系统维护")
            .await
            .unwrap();
        assert!(again.displaced.is_empty());
        // A moved holder may still cancel (the move left them an hour).
        let moved_id = list[0].id.clone();
        assert_eq!(
            b.cancel(p, &moved_id).await.unwrap().status,
            Status::Cancelled
        );
        // Reopened, the slot takes bookings again.
        assert_eq!(
            b.reopen(HALL, Some("hy-jhyy"), CloseTarget::Slot(ten))
                .await
                .unwrap(),
            1
        );
        assert_eq!(
            code(&b.book(&late, MARRIAGE, HALL, ten, None, None).await),
            "ok"
        );
    })
    .await;
}

#[tokio::test]
async fn a_moved_booking_missed_does_not_count_as_a_no_show() {
    each_backend(async |t: TestDb| {
        let (b, clock) = booking(t.db.clone(), NOW);
        let me = person(&t.db, 1).await;
        b.book(&me, FUND, HALL, NINE, None, None).await.unwrap();
        let report = b
            .close(HALL, None, CloseTarget::Slot(NINE), "设备故障")
            .await
            .unwrap();
        let new_id = report.displaced[0].moved_to.clone().unwrap();
        assert_eq!(
            report.displaced[0].moved_to_start,
            Some(datetime!(2026-07-02 09:30 +8))
        );
        clock.set(datetime!(2026-07-02 10:00 +8));
        let marked = b.mark_no_show(HALL, &new_id).await.unwrap();
        assert!(!marked.counted);
    })
    .await;
}

#[tokio::test]
async fn closing_a_day_moves_everyone_to_the_next_open_day() {
    each_backend(async |t: TestDb| {
        let (b, clock) = booking(t.db.clone(), datetime!(2026-07-03 10:00 +8));
        // Friday 3 July; the hall books 往来港澳通行证 30 days ahead.
        let monday = date!(2026 - 07 - 06);
        let a = person(&t.db, 1).await;
        let c = person(&t.db, 2).await;
        let one = b
            .book(&a, PERMIT, HALL, datetime!(2026-07-06 09:00 +8), None, None)
            .await
            .unwrap();
        clock.advance(Duration::seconds(1));
        let two = b
            .book(&c, FUND, HALL, datetime!(2026-07-06 16:30 +8), None, None)
            .await
            .unwrap();
        let report = b
            .close(HALL, None, CloseTarget::Day(monday), "台风停工")
            .await
            .unwrap();
        // Every family's 14 slots.
        let cal = support::calendars();
        let slots: usize = cal
            .hall(HALL)
            .unwrap()
            .bookings
            .keys()
            .map(|f| cal.slot_starts(HALL, f, monday).len())
            .sum();
        assert_eq!(
            slots,
            43 * 14 + 2 * 7,
            "two families have 60-minute sessions"
        );
        assert_eq!(report.slots_closed as usize, slots);
        assert_eq!(report.displaced.len(), 2);
        // Moved to Tuesday, first slot.
        let tuesday_nine = datetime!(2026-07-07 09:00 +8);
        assert!(
            report
                .displaced
                .iter()
                .all(|d| d.moved_to_start == Some(tuesday_nine))
        );
        assert_eq!(report.displaced[0].booking_id, one.appointment.id);
        assert_eq!(report.displaced[1].booking_id, two.appointment.id);
        let days = b.slots(PERMIT, HALL, monday, 1).await.unwrap();
        assert!(days[0].slots.iter().all(|s| s.state == SlotState::Closed));
        assert_eq!(
            b.reopen(HALL, None, CloseTarget::Day(monday))
                .await
                .unwrap() as usize,
            slots
        );
    })
    .await;
}

#[tokio::test]
async fn a_holder_with_nowhere_to_go_is_told_so() {
    each_backend(async |t: TestDb| {
        // Friday morning: the fund window runs to the next Friday.
        let (b, clock) = booking(t.db.clone(), datetime!(2026-07-03 08:00 +8));
        let me = person(&t.db, 1).await;
        let start = datetime!(2026-07-10 16:30 +8);
        b.book(&me, FUND, HALL, start, None, None).await.unwrap();
        // Close every other fund slot of the window.
        let mut date = date!(2026 - 07 - 03);
        while date <= date!(2026 - 07 - 10) {
            for s in support::calendars().slot_starts(HALL, "gjj-tqyy", date) {
                if s != start {
                    b.close(HALL, Some("gjj-tqyy"), CloseTarget::Slot(s), "培训")
                        .await
                        .unwrap();
                }
            }
            date += Duration::days(1);
        }
        clock.set(datetime!(2026-07-03 08:05 +8));
        let report = b
            .close(HALL, Some("gjj-tqyy"), CloseTarget::Slot(start), "培训")
            .await
            .unwrap();
        assert_eq!(report.displaced[0].moved_to, None);
        let told = b.pending_reminders().await.unwrap();
        let closed = told
            .iter()
            .find(|r| r.kind == ReminderKind::SlotClosed)
            .unwrap();
        assert_eq!(
            (closed.moved_to.as_deref(), closed.start),
            (None, Some(start))
        );
        // Not held: the person may book anew as soon as a place opens.
        assert_eq!(b.list(&me).await.unwrap()[0].status, Status::Closed);
    })
    .await;
}

#[tokio::test]
async fn bookings_a_reload_invalidated_are_found_and_closed() {
    each_backend(async |t: TestDb| {
        let (b, _) = booking(t.db.clone(), NOW);
        let me = person(&t.db, 1).await;
        let a = b
            .book(&me, MARRIAGE, HALL, NINE, None, None)
            .await
            .unwrap()
            .appointment;
        b.book(
            &person(&t.db, 2).await,
            MARRIAGE,
            HALL,
            datetime!(2026-07-03 09:00 +8),
            None,
            None,
        )
        .await
        .unwrap();
        assert!(b.invalidated().await.unwrap().is_empty());
        // The operator makes 2 July a holiday and reloads.
        let read = |name: &str| std::fs::read_to_string(data_dir().join(name)).unwrap();
        let holidays = read("calendar/holidays.json").replacen(
            "[\"2026-06-19\",",
            "[\"2026-07-02\", \"2026-06-19\",",
            1,
        );
        assert_ne!(holidays, read("calendar/holidays.json"));
        let reloaded = Calendars::from_texts(
            &read("halls.jsonl"),
            &read("booking/services.json"),
            &holidays,
            [
                Path::new("halls.jsonl"),
                Path::new("services.json"),
                Path::new("holidays.json"),
            ],
        )
        .unwrap();
        let b = b.with_calendars(Arc::new(reloaded));
        let stale = b.invalidated().await.unwrap();
        assert_eq!(
            stale.iter().map(|s| s.id.as_str()).collect::<Vec<_>>(),
            [a.id.as_str()]
        );
        let report = b.close_invalidated("节假日调整").await.unwrap();
        assert_eq!(report.displaced.len(), 1);
        assert_eq!(
            report.displaced[0].moved_to_start,
            Some(datetime!(2026-07-03 09:00 +8))
        );
        assert!(b.invalidated().await.unwrap().is_empty());
        assert_eq!(
            count(
                &t.db,
                "SELECT COUNT(*) FROM bookings WHERE status = 'booked'"
            )
            .await,
            2
        );
    })
    .await;
}

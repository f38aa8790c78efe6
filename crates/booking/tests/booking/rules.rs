//! The holder's rules and every bad input, on SQLite and PostgreSQL: each
//! refusal has its own code and writes nothing.

use crate::support;

use time::Duration;
use time::macros::{date, datetime};
use yuesou_booking::{
    BookingError, DayState, Person, ReminderKind, SlotState, Status, canonical_code,
};
use yuesou_store::testing::{TestDb, each_backend};

use support::{FUND, HALL, MARRIAGE, NOW, PERMIT, account, booking, code, count, person, taken};

/// Tomorrow 09:00, the first marriage slot that can be booked at NOW.
const TOMORROW_9: time::OffsetDateTime = datetime!(2026-07-02 09:00 +8);

#[tokio::test]
async fn a_booking_gets_a_code_a_qr_code_a_place_and_reminders() {
    each_backend(async |t: TestDb| {
        let (b, _clock) = booking(t.db.clone(), NOW);
        let me = person(&t.db, 1).await;
        let ticket = b
            .book(&me, MARRIAGE, HALL, TOMORROW_9, None, None)
            .await
            .unwrap();
        let a = &ticket.appointment;
        assert_eq!(a.status, Status::Booked);
        assert_eq!((a.item_id.as_str(), a.family.as_str()), (MARRIAGE, "hy-jhyy"));
        assert_eq!(a.start, TOMORROW_9);
        assert_eq!(a.end, datetime!(2026-07-02 09:30 +8));
        assert_eq!(a.change_deadline, datetime!(2026-07-02 08:00 +8));
        let code = a.check_in_code.clone().unwrap();
        assert_eq!(canonical_code(&code), Some(code.clone()));
        assert!(ticket.check_in_qr_svg.as_deref().unwrap().contains("<svg"));
        // The code is not in the database.
        let stored = count(
            &t.db,
            &format!("SELECT COUNT(*) FROM bookings WHERE code_hash LIKE '%{code}%' OR code_salt LIKE '%{code}%'"),
        )
        .await;
        assert_eq!(stored, 0, "{}", t.backend);
        // The same code comes back to its holder.
        let again = b.get(&me, &a.id).await.unwrap();
        assert_eq!(again.appointment.check_in_code, Some(code));
        assert_eq!(b.list(&me).await.unwrap().len(), 1);
        assert_eq!(taken(&t.db, "hy-jhyy", TOMORROW_9).await, 1);
        let days = b.slots(MARRIAGE, HALL, NOW.date(), 2).await.unwrap();
        assert_eq!(days[0].state, DayState::TooSoon);
        assert_eq!(days[1].state, DayState::Open);
        let first = &days[1].slots[0];
        assert_eq!((first.start, first.capacity, first.left), (TOMORROW_9, 5, 4));
        assert_eq!(first.state, SlotState::Available);
        // Booked now, and 18:00 today for tomorrow.
        let pending = b.pending_reminders().await.unwrap();
        let kinds: Vec<_> = pending.iter().map(|r| (r.kind, r.due_at)).collect();
        assert_eq!(
            kinds,
            [
                (ReminderKind::Booked, NOW),
                (ReminderKind::DayBefore, datetime!(2026-07-01 18:00 +8))
            ]
        );
        assert_eq!(pending[0].start, Some(TOMORROW_9));
        assert_eq!(pending[0].item_id.as_deref(), Some(MARRIAGE));
    })
    .await;
}

#[tokio::test]
async fn every_bad_input_has_its_own_code_and_writes_nothing() {
    each_backend(async |t: TestDb| {
        let (b, clock) = booking(t.db.clone(), NOW);
        let me = person(&t.db, 1).await;
        let at = |s| b.book(&me, MARRIAGE, HALL, s, None, None);
        assert_eq!(
            code(&at(datetime!(2026-06-30 09:00 +8)).await),
            "date-in-past"
        );
        assert_eq!(code(&at(datetime!(2026-07-01 14:00 +8)).await), "too-soon");
        match at(datetime!(2026-07-17 09:00 +8)).await {
            Err(BookingError::WindowNotOpen { opens_at }) => {
                assert_eq!(opens_at, datetime!(2026-07-02 08:30 +8));
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            code(&at(datetime!(2026-07-05 09:00 +8)).await),
            "hall-closed-day"
        );
        assert_eq!(
            code(&at(datetime!(2026-07-02 09:10 +8)).await),
            "not-slot-start"
        );
        assert_eq!(
            code(&at(datetime!(2026-07-02 12:00 +8)).await),
            "not-slot-start"
        );
        assert_eq!(
            code(&at(datetime!(2026-07-02 09:00:30 +8)).await),
            "not-slot-start"
        );
        assert_eq!(
            code(&at(datetime!(2026-07-02 07:00 +8)).await),
            "not-slot-start"
        );
        // The same instant in UTC is the same slot.
        let utc = datetime!(2026-07-02 01:00 UTC);
        let ok = b.book(&me, MARRIAGE, HALL, utc, None, None).await.unwrap();
        b.cancel(&me, &ok.appointment.id).await.unwrap();

        let l1 = Person::natural("acc_1", 1);
        assert_eq!(
            code(&b.book(&l1, MARRIAGE, HALL, TOMORROW_9, None, None).await),
            "real-name-required"
        );
        for item in [
            "hy-jhyy",
            "xx-yy-440100",
            "hy-jhyy-4401",
            "ggfw-bwgyy-440000",
        ] {
            assert_eq!(
                code(&b.book(&me, item, HALL, TOMORROW_9, None, None).await),
                "not-bookable",
                "{item}"
            );
        }
        assert_eq!(
            code(
                &b.book(&me, MARRIAGE, "hall-nowhere", TOMORROW_9, None, None)
                    .await
            ),
            "hall-not-found"
        );
        // The province's centre books no marriages; 深圳's item is not
        // offered in 广州.
        assert_eq!(
            code(
                &b.book(&me, MARRIAGE, "hall-440000", TOMORROW_9, None, None)
                    .await
            ),
            "hall-does-not-book"
        );
        assert_eq!(
            code(
                &b.book(&me, "hy-jhyy-440300", HALL, TOMORROW_9, None, None)
                    .await
            ),
            "hall-does-not-book"
        );
        assert_eq!(
            code(
                &b.book(&me, MARRIAGE, HALL, TOMORROW_9, Some(""), None)
                    .await
            ),
            "invalid-input"
        );
        assert_eq!(
            code(
                &b.book(&me, MARRIAGE, HALL, TOMORROW_9, None, Some("app 1"))
                    .await
            ),
            "invalid-input"
        );
        // Listing.
        assert_eq!(
            code(&b.slots(MARRIAGE, HALL, NOW.date(), 0).await),
            "days-out-of-range"
        );
        assert_eq!(
            code(&b.slots(MARRIAGE, HALL, NOW.date(), 32).await),
            "days-out-of-range"
        );
        assert_eq!(
            code(&b.slots(MARRIAGE, HALL, date!(2026 - 06 - 30), 3).await),
            "date-in-past"
        );
        assert_eq!(code(&b.slots(MARRIAGE, HALL, NOW.date(), 31).await), "ok");

        // Holidays (国庆节), from a clock near them.
        clock.set(datetime!(2026-09-28 10:00 +8));
        match b
            .book(
                &me,
                PERMIT,
                HALL,
                datetime!(2026-10-01 09:00 +8),
                None,
                None,
            )
            .await
        {
            Err(BookingError::Holiday { date, name }) => {
                assert_eq!((date, name.as_str()), (date!(2026 - 10 - 01), "国庆节"));
            }
            other => panic!("{other:?}"),
        }
        // A year the holiday file does not cover.
        clock.set(datetime!(2027-12-20 10:00 +8));
        assert_eq!(
            code(
                &b.book(
                    &me,
                    PERMIT,
                    HALL,
                    datetime!(2028-01-04 09:00 +8),
                    None,
                    None
                )
                .await
            ),
            "date-not-offered"
        );
        let days = b
            .slots(PERMIT, HALL, date!(2027 - 12 - 30), 7)
            .await
            .unwrap();
        assert_eq!(days[1].state, DayState::Open);
        assert_eq!(days[2].state, DayState::NotOffered);
        let days = b
            .slots(PERMIT, HALL, date!(2027 - 12 - 30), 1)
            .await
            .unwrap();
        assert_eq!(days[0].state, DayState::Open);
        clock.set(datetime!(2026-12-30 10:00 +8));
        let days = b
            .slots(PERMIT, HALL, date!(2026 - 12 - 31), 2)
            .await
            .unwrap();
        assert_eq!(
            days[1].state,
            DayState::Holiday {
                name: "元旦".into()
            }
        );

        // Nothing was written but the one booking made and cancelled.
        assert_eq!(count(&t.db, "SELECT COUNT(*) FROM bookings").await, 1);
        assert_eq!(
            count(
                &t.db,
                "SELECT CAST(COALESCE(SUM(taken), 0) AS BIGINT) FROM booking_slots"
            )
            .await,
            0
        );
        assert_eq!(
            count(&t.db, "SELECT COUNT(*) FROM booking_requests").await,
            0
        );
    })
    .await;
}

#[tokio::test]
async fn the_window_opens_at_the_services_hour() {
    each_backend(async |t: TestDb| {
        let (b, clock) = booking(t.db.clone(), datetime!(2026-07-01 08:29 +8));
        let me = person(&t.db, 1).await;
        let far = datetime!(2026-07-16 09:00 +8);
        match b.book(&me, MARRIAGE, HALL, far, None, None).await {
            Err(BookingError::WindowNotOpen { opens_at }) => {
                assert_eq!(opens_at, datetime!(2026-07-01 08:30 +8));
            }
            other => panic!("{other:?}"),
        }
        let days = b
            .slots(MARRIAGE, HALL, date!(2026 - 07 - 15), 2)
            .await
            .unwrap();
        assert_eq!(days[0].state, DayState::Open);
        assert_eq!(
            days[1].state,
            DayState::NotYetOpen {
                opens_at: datetime!(2026-07-01 08:30 +8)
            }
        );
        clock.set(datetime!(2026-07-01 08:30 +8));
        assert_eq!(
            code(&b.book(&me, MARRIAGE, HALL, far, None, None).await),
            "ok"
        );
    })
    .await;
}

#[tokio::test]
async fn a_make_up_working_saturday_has_the_weekday_slots() {
    each_backend(async |t: TestDb| {
        let (b, _) = booking(t.db.clone(), datetime!(2026-10-08 10:00 +8));
        let me = person(&t.db, 1).await;
        // Saturday 10 October 2026 (调休): 12:00 is lunch on a weekday.
        assert_eq!(
            code(
                &b.book(&me, FUND, HALL, datetime!(2026-10-10 12:00 +8), None, None)
                    .await
            ),
            "not-slot-start"
        );
        assert_eq!(
            code(
                &b.book(&me, FUND, HALL, datetime!(2026-10-10 13:00 +8), None, None)
                    .await
            ),
            "ok"
        );
        let days = b.slots(FUND, HALL, date!(2026 - 10 - 08), 4).await.unwrap();
        assert_eq!(days[2].date, date!(2026 - 10 - 10));
        assert_eq!(days[2].slots.len(), 14);
        assert_eq!(days[3].state, DayState::HallClosed);
    })
    .await;
}

#[tokio::test]
async fn one_active_booking_per_subject_and_service_and_organisations_book_through_agents() {
    each_backend(async |t: TestDb| {
        let (b, _) = booking(t.db.clone(), NOW);
        let me = person(&t.db, 1).await;
        let first = b
            .book(&me, MARRIAGE, HALL, TOMORROW_9, None, None)
            .await
            .unwrap();
        match b
            .book(
                &me,
                MARRIAGE,
                HALL,
                datetime!(2026-07-03 09:00 +8),
                None,
                None,
            )
            .await
        {
            Err(BookingError::AlreadyBooked { booking_id }) => {
                assert_eq!(booking_id, first.appointment.id);
            }
            other => panic!("{other:?}"),
        }
        // Another service is fine.
        assert_eq!(
            code(&b.book(&me, FUND, HALL, TOMORROW_9, None, None).await),
            "ok"
        );
        // After cancelling, the person may book the service again.
        b.cancel(&me, &first.appointment.id).await.unwrap();
        assert_eq!(
            code(
                &b.book(
                    &me,
                    MARRIAGE,
                    HALL,
                    datetime!(2026-07-03 09:00 +8),
                    None,
                    None
                )
                .await
            ),
            "ok"
        );

        // An organisation books through its 经办人: the booking is the
        // organisation's, made by the person; the person still has their
        // own.
        account(&t.db, "org_1", "org").await;
        let agent = Person {
            account_id: "org_1".into(),
            actor_id: me.account_id.clone(),
            level: 2,
        };
        let for_org = b
            .book(
                &agent,
                FUND,
                HALL,
                datetime!(2026-07-02 10:00 +8),
                None,
                None,
            )
            .await
            .unwrap();
        assert_eq!(for_org.appointment.account_id, "org_1");
        assert_eq!(for_org.appointment.actor_id, me.account_id);
        assert_eq!(
            code(
                &b.book(
                    &agent,
                    FUND,
                    HALL,
                    datetime!(2026-07-02 11:00 +8),
                    None,
                    None
                )
                .await
            ),
            "already-booked"
        );
        let org_list = b.list(&agent).await.unwrap();
        assert_eq!(org_list.len(), 1);
        let mine = b.list(&me).await.unwrap();
        assert_eq!(mine.len(), 3);
        assert!(mine.iter().all(|a| a.account_id == me.account_id));
        // Active first, soonest first; then the cancelled one.
        assert_eq!(mine[2].status, Status::Cancelled);
        assert!(mine[0].start <= mine[1].start);
    })
    .await;
}

#[tokio::test]
async fn another_persons_booking_is_not_found() {
    each_backend(async |t: TestDb| {
        let (b, _) = booking(t.db.clone(), NOW);
        let me = person(&t.db, 1).await;
        let other = person(&t.db, 2).await;
        let mine = b
            .book(&me, MARRIAGE, HALL, TOMORROW_9, None, None)
            .await
            .unwrap();
        let id = mine.appointment.id.as_str();
        assert_eq!(code(&b.get(&other, id).await), "booking-not-found");
        assert_eq!(code(&b.cancel(&other, id).await), "booking-not-found");
        assert_eq!(
            code(
                &b.reschedule(&other, id, datetime!(2026-07-02 10:00 +8))
                    .await
            ),
            "booking-not-found"
        );
        assert_eq!(code(&b.get(&me, "bk_nothing").await), "booking-not-found");
        assert!(b.list(&other).await.unwrap().is_empty());
        assert_eq!(
            b.get(&me, id).await.unwrap().appointment.status,
            Status::Booked
        );
    })
    .await;
}

#[tokio::test]
async fn idempotency_keys_answer_the_first_booking() {
    each_backend(async |t: TestDb| {
        let (b, _) = booking(t.db.clone(), NOW);
        let me = person(&t.db, 1).await;
        let first = b
            .book(&me, MARRIAGE, HALL, TOMORROW_9, Some("tap-1"), None)
            .await
            .unwrap();
        let again = b
            .book(&me, MARRIAGE, HALL, TOMORROW_9, Some("tap-1"), None)
            .await
            .unwrap();
        assert_eq!(first, again);
        assert_eq!(
            code(
                &b.book(
                    &me,
                    MARRIAGE,
                    HALL,
                    datetime!(2026-07-02 09:30 +8),
                    Some("tap-1"),
                    None
                )
                .await
            ),
            "idempotency-key-reused"
        );
        // Keys are per subject.
        let other = person(&t.db, 2).await;
        assert_eq!(
            code(
                &b.book(&other, MARRIAGE, HALL, TOMORROW_9, Some("tap-1"), None)
                    .await
            ),
            "ok"
        );
        assert_eq!(taken(&t.db, "hy-jhyy", TOMORROW_9).await, 2);

        // A double tap, both requests in flight at once: one booking.
        let third = person(&t.db, 3).await;
        let (x, y) = tokio::join!(
            b.book(&third, MARRIAGE, HALL, TOMORROW_9, Some("tap-3"), None),
            b.book(&third, MARRIAGE, HALL, TOMORROW_9, Some("tap-3"), None)
        );
        assert_eq!(x.unwrap().appointment.id, y.unwrap().appointment.id);
        assert_eq!(taken(&t.db, "hy-jhyy", TOMORROW_9).await, 3);
        assert_eq!(
            count(
                &t.db,
                "SELECT COUNT(*) FROM bookings WHERE account_id = 'acc_3'"
            )
            .await,
            1
        );
        // A double tap without a key: the second is "already booked".
        let fourth = person(&t.db, 4).await;
        let (x, y) = tokio::join!(
            b.book(&fourth, MARRIAGE, HALL, TOMORROW_9, None, None),
            b.book(&fourth, MARRIAGE, HALL, TOMORROW_9, None, None)
        );
        let mut codes = [code(&x), code(&y)];
        codes.sort();
        assert_eq!(codes, ["already-booked", "ok"], "{}", t.backend);
        assert_eq!(taken(&t.db, "hy-jhyy", TOMORROW_9).await, 4);
    })
    .await;
}

#[tokio::test]
async fn cancelling_gives_the_place_back_until_the_deadline() {
    each_backend(async |t: TestDb| {
        let (b, clock) = booking(t.db.clone(), NOW);
        let me = person(&t.db, 1).await;
        let a = b
            .book(&me, MARRIAGE, HALL, TOMORROW_9, None, None)
            .await
            .unwrap()
            .appointment;
        let other = b
            .book(
                &person(&t.db, 2).await,
                MARRIAGE,
                HALL,
                TOMORROW_9,
                None,
                None,
            )
            .await
            .unwrap();
        assert_eq!(taken(&t.db, "hy-jhyy", TOMORROW_9).await, 2);
        // One hour before is still in time; a minute later is not.
        clock.set(datetime!(2026-07-02 08:00 +8));
        let cancelled = b.cancel(&me, &a.id).await.unwrap();
        assert_eq!(cancelled.status, Status::Cancelled);
        assert_eq!(cancelled.check_in_code, None);
        assert_eq!(cancelled.cancelled_at, Some(datetime!(2026-07-02 08:00 +8)));
        assert_eq!(taken(&t.db, "hy-jhyy", TOMORROW_9).await, 1);
        // Cancelling twice answers the same.
        assert_eq!(
            b.cancel(&me, &a.id).await.unwrap().status,
            Status::Cancelled
        );
        assert_eq!(taken(&t.db, "hy-jhyy", TOMORROW_9).await, 1);
        clock.set(datetime!(2026-07-02 08:01 +8));
        let holder = Person::natural(other.appointment.account_id.clone(), 2);
        match b.cancel(&holder, &other.appointment.id).await {
            Err(BookingError::TooLateToChange { deadline }) => {
                assert_eq!(deadline, datetime!(2026-07-02 08:00 +8));
            }
            r => panic!("{r:?}"),
        }
        assert_eq!(
            code(
                &b.reschedule(
                    &holder,
                    &other.appointment.id,
                    datetime!(2026-07-03 09:00 +8)
                )
                .await
            ),
            "too-late-to-change"
        );
        // The cancelled booking's reminders are void; the other's stand.
        let pending = b.pending_reminders().await.unwrap();
        assert!(
            pending
                .iter()
                .all(|r| r.booking_id.as_deref() != Some(a.id.as_str()))
        );
        assert_eq!(pending.len(), 2);
        assert_eq!(
            code(
                &b.reschedule(&me, &a.id, datetime!(2026-07-03 09:00 +8))
                    .await
            ),
            "booking-not-active"
        );
    })
    .await;
}

#[tokio::test]
async fn rescheduling_moves_the_place_atomically() {
    each_backend(async |t: TestDb| {
        let (b, _) = booking(t.db.clone(), NOW);
        let me = person(&t.db, 1).await;
        let ticket = b.book(&me, MARRIAGE, HALL, TOMORROW_9, None, None).await.unwrap();
        let id = ticket.appointment.id.clone();
        let old_code = ticket.appointment.check_in_code.clone();
        let later = datetime!(2026-07-03 14:00 +8);
        // Fill the later slot (5 places) with others.
        for n in 10..15 {
            let p = person(&t.db, n).await;
            b.book(&p, MARRIAGE, HALL, later, None, None).await.unwrap();
        }
        assert_eq!(code(&b.reschedule(&me, &id, later).await), "slot-full");
        // Neither lost nor doubled.
        assert_eq!(taken(&t.db, "hy-jhyy", TOMORROW_9).await, 1);
        assert_eq!(taken(&t.db, "hy-jhyy", later).await, 5);
        assert_eq!(b.get(&me, &id).await.unwrap().appointment.start, TOMORROW_9);
        // Bad targets are refused like bookings.
        assert_eq!(code(&b.reschedule(&me, &id, datetime!(2026-07-05 09:00 +8)).await), "hall-closed-day");
        assert_eq!(code(&b.reschedule(&me, &id, datetime!(2026-07-01 15:00 +8)).await), "too-soon");
        // A free slot, earlier and later than the current one.
        for target in [datetime!(2026-07-03 09:00 +8), datetime!(2026-07-02 10:00 +8)] {
            let moved = b.reschedule(&me, &id, target).await.unwrap();
            assert_eq!(moved.appointment.id, id);
            assert_eq!(moved.appointment.start, target);
            assert_ne!(moved.appointment.check_in_code, old_code);
            assert_eq!(
                count(&t.db, "SELECT CAST(COALESCE(SUM(taken), 0) AS BIGINT) FROM booking_slots WHERE family = 'hy-jhyy'").await,
                6,
                "{}",
                t.backend
            );
            assert_eq!(taken(&t.db, "hy-jhyy", target).await, 1);
        }
        assert_eq!(taken(&t.db, "hy-jhyy", TOMORROW_9).await, 0);
        // Moving it where it is answers it again.
        let same = b.reschedule(&me, &id, datetime!(2026-07-02 10:00 +8)).await.unwrap();
        assert_eq!(same.appointment.start, datetime!(2026-07-02 10:00 +8));
        // The holder is told of the move; the day-before reminder follows it.
        let pending = b.pending_reminders().await.unwrap();
        let mine: Vec<_> = pending
            .iter()
            .filter(|r| r.booking_id.as_deref() == Some(id.as_str()))
            .map(|r| (r.kind, r.start, r.previous_start))
            .collect();
        assert_eq!(
            mine,
            [
                (
                    ReminderKind::Rescheduled,
                    Some(datetime!(2026-07-02 10:00 +8)),
                    Some(datetime!(2026-07-03 09:00 +8))
                ),
                (ReminderKind::DayBefore, Some(datetime!(2026-07-02 10:00 +8)), None)
            ]
        );
    })
    .await;
}

#[tokio::test]
async fn concurrent_reschedules_keep_every_count_exact() {
    each_backend(async |t: TestDb| {
        let (b, _) = booking(t.db.clone(), NOW);
        let slots = [
            datetime!(2026-07-02 09:00 +8),
            datetime!(2026-07-02 09:30 +8),
            datetime!(2026-07-02 10:00 +8),
        ];
        let mut people = Vec::new();
        for n in 0..12 {
            let p = person(&t.db, n).await;
            let id = b
                .book(&p, MARRIAGE, HALL, slots[n % 3], None, None)
                .await
                .unwrap()
                .appointment
                .id;
            people.push((p, id, n));
        }
        // Everyone moves to the next slot at once (crossing each other).
        let tasks: Vec<_> = people
            .into_iter()
            .map(|(p, id, n)| {
                let b = b.clone();
                tokio::spawn(async move { b.reschedule(&p, &id, slots[(n + 1) % 3]).await })
            })
            .collect();
        let mut ok = 0;
        for task in tasks {
            match task.await.unwrap() {
                Ok(_) => ok += 1,
                Err(e) => assert_eq!(e.code(), "slot-full", "{e}"),
            }
        }
        assert!(ok >= 1);
        let mut total = 0;
        for s in slots {
            let held = count(
                &t.db,
                &format!(
                    "SELECT COUNT(*) FROM bookings WHERE status = 'booked' AND start_at = {}",
                    yuesou_booking::cst::to_ms(s)
                ),
            )
            .await;
            assert_eq!(taken(&t.db, "hy-jhyy", s).await, held, "{}", t.backend);
            assert!(held <= 5);
            total += held;
        }
        assert_eq!(total, 12);
    })
    .await;
}

#[tokio::test]
async fn a_booking_may_belong_to_an_application() {
    each_backend(async |t: TestDb| {
        let (b, _) = booking(t.db.clone(), NOW);
        let me = person(&t.db, 1).await;
        let a = b
            .book(
                &me,
                "hz-sfzhl-440100",
                HALL,
                TOMORROW_9,
                None,
                Some("app_0123"),
            )
            .await
            .unwrap()
            .appointment;
        assert_eq!(a.application_id.as_deref(), Some("app_0123"));
        let found = b.for_application(&me, "app_0123").await.unwrap();
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].id, a.id);
        assert!(
            b.for_application(&person(&t.db, 2).await, "app_0123")
                .await
                .unwrap()
                .is_empty()
        );
        let _ = Duration::ZERO;
    })
    .await;
}

#[tokio::test]
async fn releasing_an_account_gives_its_places_back() {
    each_backend(async |t: TestDb| {
        let (b, clock) = booking(t.db.clone(), NOW);
        let me = person(&t.db, 1).await;
        b.book(&me, MARRIAGE, HALL, TOMORROW_9, None, None)
            .await
            .unwrap();
        b.book(&me, FUND, HALL, TOMORROW_9, None, None)
            .await
            .unwrap();
        // Even past the holder's deadline.
        clock.set(datetime!(2026-07-02 08:45 +8));
        assert_eq!(b.release_account(&me.account_id).await.unwrap(), 2);
        assert_eq!(
            count(
                &t.db,
                "SELECT CAST(COALESCE(SUM(taken), 0) AS BIGINT) FROM booking_slots"
            )
            .await,
            0
        );
        // Deleting the account takes its rows with it.
        sqlx::query("DELETE FROM accounts WHERE id = 'acc_1'")
            .execute(t.db.pool())
            .await
            .unwrap();
        assert_eq!(count(&t.db, "SELECT COUNT(*) FROM bookings").await, 0);
        assert_eq!(
            count(&t.db, "SELECT COUNT(*) FROM booking_reminders").await,
            0
        );
    })
    .await;
}

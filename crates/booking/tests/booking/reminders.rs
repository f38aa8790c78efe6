//! Reminders are sent exactly once: two dispatchers racing (two handles on
//! one database; two daemons on one PostgreSQL) deliver each once; a failed
//! delivery is tried again later; a dispatcher that dies mid-delivery
//! leaves its reminders to another once its lease ends; the day-before
//! reminder waits for its hour and dies with its booking.

use crate::support;

use std::sync::Arc;
use std::time::Duration as StdDuration;

use time::Duration;
use time::macros::datetime;
use yuesou_booking::{Booking, ReminderKind};
use yuesou_store::Db;
use yuesou_store::testing::{TestDb, each_backend, postgres_schema};

use support::{FUND, HALL, NOW, Recorder, booking, count, person};

const LEASE: StdDuration = StdDuration::from_secs(60);

/// Books `n` people into the fund slots of 2 July (8 places each):
/// `n` booked reminders due now, `n` day-before reminders due at 18:00.
async fn fill(db: &Db, b: &Booking, n: usize) {
    let starts = support::calendars().slot_starts(HALL, "gjj-tqyy", NOW.date() + Duration::days(1));
    for i in 0..n {
        let p = person(db, i).await;
        b.book(&p, FUND, HALL, starts[i / 8], None, None)
            .await
            .unwrap();
    }
}

/// Dispatches on `handles` at once, in rounds, until nothing is left due.
async fn drain(handles: &[Booking], recorder: &Arc<Recorder>, at: time::OffsetDateTime) {
    loop {
        let tasks: Vec<_> = handles
            .iter()
            .enumerate()
            .map(|(i, b)| {
                let (b, r) = (b.clone(), recorder.clone());
                tokio::spawn(async move {
                    b.dispatch(r.as_ref(), at, &format!("worker-{i}"), LEASE)
                        .await
                        .unwrap()
                })
            })
            .collect();
        let mut claimed = 0;
        for t in tasks {
            claimed += t.await.unwrap().claimed;
        }
        if claimed == 0 {
            return;
        }
    }
}

fn assert_once(recorder: &Recorder, expected: usize, backend: &str) {
    let mut ids = recorder.ids();
    assert_eq!(ids.len(), expected, "{backend}");
    ids.sort();
    ids.dedup();
    assert_eq!(
        ids.len(),
        expected,
        "{backend}: a reminder was delivered twice"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_racing_dispatchers_deliver_each_reminder_once() {
    each_backend(async |t: TestDb| {
        let (b, _) = booking(t.db.clone(), NOW);
        fill(&t.db, &b, 100).await;
        // Small batches, so that the dispatchers' claims interleave.
        let b = b.with_dispatch_batch(7);
        let recorder = Arc::new(Recorder {
            pause: Some(StdDuration::from_millis(1)),
            ..Recorder::default()
        });
        // Booked reminders are due now; the day-before ones not yet.
        drain(
            &[b.clone(), b.clone(), b.clone(), b.clone()],
            &recorder,
            NOW,
        )
        .await;
        assert_once(&recorder, 100, t.backend);
        assert!(recorder.kinds().iter().all(|k| k == "Booked"));
        drain(
            &[b.clone(), b.clone()],
            &recorder,
            datetime!(2026-07-01 18:00 +8),
        )
        .await;
        assert_once(&recorder, 200, t.backend);
        assert_eq!(
            count(
                &t.db,
                "SELECT COUNT(*) FROM booking_reminders WHERE sent_at IS NULL"
            )
            .await,
            0
        );
        // Nothing more, however often they run.
        drain(&[b.clone(), b], &recorder, datetime!(2026-07-01 19:00 +8)).await;
        assert_once(&recorder, 200, t.backend);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_daemons_on_one_postgresql_deliver_each_reminder_once() {
    let Some(url) = postgres_schema().await else {
        return;
    };
    let first = Db::connect(&url).await.unwrap();
    let second = Db::connect(&url).await.unwrap();
    let (one, _) = booking(first.clone(), NOW);
    let (two, _) = booking(second, NOW);
    fill(&first, &one, 100).await;
    let (one, two) = (one.with_dispatch_batch(7), two.with_dispatch_batch(7));
    let recorder = Arc::new(Recorder {
        pause: Some(StdDuration::from_millis(1)),
        ..Recorder::default()
    });
    drain(&[one.clone(), two.clone(), one, two], &recorder, NOW).await;
    assert_once(&recorder, 100, "postgres, two pools");
}

#[tokio::test]
async fn a_failed_delivery_is_tried_again_later() {
    each_backend(async |t: TestDb| {
        let (b, _) = booking(t.db.clone(), NOW);
        fill(&t.db, &b, 1).await;
        let recorder = Recorder::default();
        recorder
            .fail
            .store(true, std::sync::atomic::Ordering::SeqCst);
        let report = b.dispatch(&recorder, NOW, "w", LEASE).await.unwrap();
        assert_eq!((report.claimed, report.delivered, report.failed), (1, 0, 1));
        recorder
            .fail
            .store(false, std::sync::atomic::Ordering::SeqCst);
        // Not before a minute has passed.
        let soon = b
            .dispatch(&recorder, NOW + Duration::seconds(30), "w", LEASE)
            .await
            .unwrap();
        assert_eq!(soon.claimed, 0);
        let later = b
            .dispatch(&recorder, NOW + Duration::seconds(61), "w", LEASE)
            .await
            .unwrap();
        assert_eq!(later.delivered, 1);
        let delivered = recorder.delivered.lock().unwrap().clone();
        assert_eq!(delivered[0].attempt, 2);
        assert_eq!(delivered[0].kind, ReminderKind::Booked);
    })
    .await;
}

#[tokio::test]
async fn a_reminder_failing_every_time_is_given_up() {
    each_backend(async |t: TestDb| {
        // Booked after 18:00: no day-before reminder, one booked reminder.
        let evening = datetime!(2026-07-01 19:00 +8);
        let (b, _) = booking(t.db.clone(), evening);
        fill(&t.db, &b, 1).await;
        let recorder = Recorder::default();
        recorder
            .fail
            .store(true, std::sync::atomic::Ordering::SeqCst);
        let mut at = evening;
        for _ in 0..yuesou_booking::MAX_ATTEMPTS {
            assert_eq!(
                b.dispatch(&recorder, at, "w", LEASE).await.unwrap().failed,
                1
            );
            at += Duration::hours(1);
        }
        assert_eq!(
            b.dispatch(&recorder, at, "w", LEASE).await.unwrap().claimed,
            0
        );
        assert_eq!(
            count(
                &t.db,
                "SELECT COUNT(*) FROM booking_reminders WHERE voided_at IS NOT NULL"
            )
            .await,
            1
        );
    })
    .await;
}

#[tokio::test]
async fn a_dispatcher_that_dies_mid_delivery_leaves_its_reminders_after_the_lease() {
    each_backend(async |t: TestDb| {
        let (b, _) = booking(t.db.clone(), NOW);
        fill(&t.db, &b, 1).await;
        // A delivery that never ends, cut short: the reminder stays claimed.
        let stuck = Recorder {
            pause: Some(StdDuration::from_secs(3600)),
            ..Recorder::default()
        };
        let cut = tokio::time::timeout(
            StdDuration::from_millis(300),
            b.dispatch(&stuck, NOW, "dies", LEASE),
        )
        .await;
        assert!(cut.is_err());
        let other = Recorder::default();
        assert_eq!(
            b.dispatch(&other, NOW + Duration::seconds(59), "w", LEASE)
                .await
                .unwrap()
                .claimed,
            0
        );
        let after = b
            .dispatch(&other, NOW + Duration::seconds(61), "w", LEASE)
            .await
            .unwrap();
        assert_eq!(after.delivered, 1);
        assert_eq!(other.delivered.lock().unwrap()[0].attempt, 2);
    })
    .await;
}

#[tokio::test]
async fn the_day_before_reminder_waits_for_its_hour_and_dies_with_its_booking() {
    each_backend(async |t: TestDb| {
        let (b, clock) = booking(t.db.clone(), NOW);
        let me = person(&t.db, 1).await;
        let other = person(&t.db, 2).await;
        let kept = b
            .book(&me, FUND, HALL, datetime!(2026-07-03 09:00 +8), None, None)
            .await
            .unwrap()
            .appointment;
        let dropped = b
            .book(
                &other,
                FUND,
                HALL,
                datetime!(2026-07-03 09:30 +8),
                None,
                None,
            )
            .await
            .unwrap()
            .appointment;
        let recorder = Recorder::default();
        b.dispatch(&recorder, NOW, "w", LEASE).await.unwrap();
        assert_eq!(recorder.kinds(), ["Booked", "Booked"]);
        // Nothing at 17:59 the day before.
        let r = b
            .dispatch(&recorder, datetime!(2026-07-02 17:59 +8), "w", LEASE)
            .await
            .unwrap();
        assert_eq!(r.claimed, 0);
        clock.set(datetime!(2026-07-02 12:00 +8));
        b.cancel(&other, &dropped.id).await.unwrap();
        b.dispatch(&recorder, datetime!(2026-07-02 18:00 +8), "w", LEASE)
            .await
            .unwrap();
        let last = recorder.delivered.lock().unwrap().last().cloned().unwrap();
        assert_eq!(last.kind, ReminderKind::DayBefore);
        assert_eq!(last.booking_id.as_deref(), Some(kept.id.as_str()));
        assert_eq!(last.start, Some(datetime!(2026-07-03 09:00 +8)));
        assert_eq!(recorder.ids().len(), 3);
        // A booking made after 18:00 for tomorrow gets no day-before one.
        clock.set(datetime!(2026-07-02 19:00 +8));
        let third = person(&t.db, 3).await;
        b.book(
            &third,
            FUND,
            HALL,
            datetime!(2026-07-03 10:00 +8),
            None,
            None,
        )
        .await
        .unwrap();
        let pending = b.pending_reminders().await.unwrap();
        assert_eq!(
            pending.iter().map(|r| r.kind).collect::<Vec<_>>(),
            [ReminderKind::Booked]
        );
        // A reminder whose slot has started is not sent any more.
        let r = b
            .dispatch(&recorder, datetime!(2026-07-03 10:00 +8), "w", LEASE)
            .await
            .unwrap();
        assert_eq!(r.claimed, 0);
    })
    .await;
}

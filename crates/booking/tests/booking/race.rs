//! Never oversold: 200 people race for the last 5 places of a slot — on
//! SQLite and PostgreSQL, through one handle and through two daemons'
//! handles on one PostgreSQL — and exactly 5 get one; the 195 others are
//! told `slot-full`; nothing half-written is left behind.

use crate::support;

use std::sync::Arc;

use time::macros::datetime;
use tokio::sync::Barrier;
use yuesou_booking::Booking;
use yuesou_store::Db;
use yuesou_store::testing::{TestDb, each_backend, postgres_schema};

use support::{HALL, MARRIAGE, NOW, booking, count, person, taken};

const CLIENTS: usize = 200;
const SLOT: time::OffsetDateTime = datetime!(2026-07-02 09:00 +8);

/// Runs the race over `handles` (clients spread evenly), every client with
/// its own idempotency key; returns the codes of the answers.
async fn race(db: &Db, handles: &[Booking]) -> Vec<&'static str> {
    let mut people = Vec::new();
    for n in 0..CLIENTS {
        people.push(person(db, n).await);
    }
    let barrier = Arc::new(Barrier::new(CLIENTS));
    let tasks: Vec<_> = people
        .into_iter()
        .enumerate()
        .map(|(n, who)| {
            let b = handles[n % handles.len()].clone();
            let barrier = barrier.clone();
            tokio::spawn(async move {
                barrier.wait().await;
                let key = format!("tap-{n}");
                match b.book(&who, MARRIAGE, HALL, SLOT, Some(&key), None).await {
                    Ok(_) => "ok",
                    Err(e) => e.code(),
                }
            })
        })
        .collect();
    let mut codes = Vec::new();
    for task in tasks {
        codes.push(task.await.expect("a client"));
    }
    codes
}

/// Exactly 5 bookings, 195 `slot-full`, and the database says the same.
async fn check(db: &Db, codes: &[&str], backend: &str) {
    let ok = codes.iter().filter(|c| **c == "ok").count();
    let full = codes.iter().filter(|c| **c == "slot-full").count();
    assert_eq!(
        (ok, full),
        (5, CLIENTS - 5),
        "{backend}: {:?}",
        codes
            .iter()
            .filter(|c| !matches!(**c, "ok" | "slot-full"))
            .collect::<Vec<_>>()
    );
    assert_eq!(taken(db, "hy-jhyy", SLOT).await, 5, "{backend}");
    assert_eq!(
        count(db, "SELECT COUNT(*) FROM bookings").await,
        5,
        "{backend}"
    );
    assert_eq!(
        count(db, "SELECT COUNT(*) FROM booking_requests").await,
        5,
        "{backend}: keys of refused requests are not kept"
    );
    // Booked now, and the day before: two reminders per booking only.
    assert_eq!(
        count(db, "SELECT COUNT(*) FROM booking_reminders").await,
        10,
        "{backend}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_hundred_clients_race_for_five_places() {
    each_backend(async |t: TestDb| {
        let (b, _) = booking(t.db.clone(), NOW);
        let codes = race(&t.db, &[b]).await;
        check(&t.db, &codes, t.backend).await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_transaction_alone_never_oversells() {
    // Without the read that turns people away early, all 200 requests
    // reach the conditional update.
    each_backend(async |t: TestDb| {
        let (b, _) = booking(t.db.clone(), NOW);
        let codes = race(&t.db, &[b.without_precheck()]).await;
        check(&t.db, &codes, t.backend).await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_daemons_on_one_postgresql_never_oversell() {
    let Some(url) = postgres_schema().await else {
        return;
    };
    let first = Db::connect(&url).await.expect("the schema");
    let second = Db::connect(&url).await.expect("the schema again");
    let (one, _) = booking(first.clone(), NOW);
    let (two, _) = booking(second, NOW);
    let codes = race(&first, &[one.without_precheck(), two.without_precheck()]).await;
    check(&first, &codes, "postgres, two pools").await;
}

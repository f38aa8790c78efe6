//! Booking throughput on one contended slot: the morning a quota opens,
//! `--clients` people press the button at once for one slot of `--item` at
//! `--hall`; this prints how long every answer took, how many got a place
//! (the slot's capacity, never more) and how many were told `slot-full`.
//! Each round races for a new slot. With `--spread`, the clients are spread
//! over every slot of the booking window instead (client `n` asks for slot
//! `n` modulo their number), so most of them get a place: the throughput of
//! bookings that succeed; one round, since it fills the window.
//!
//! ```text
//! cargo run --release -p yuesou-booking --example contention -- \
//!     [--clients 500] [--rounds 5] [--item crj-gasl-440100] [--hall hall-440100] \
//!     [--postgres] [--handles 2] [--no-precheck] [--spread]
//! ```
//!
//! Without `--postgres` it runs on an SQLite file in a temporary directory;
//! with it, in a fresh schema of the test server (`YUESOU_TEST_POSTGRES`,
//! default `postgres://postgres@127.0.0.1:5432/test`).
//! `--handles` spreads the clients over several handles, each with its own
//! connection pool (like several daemons); `--no-precheck` sends every
//! request into the database's transaction.

use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use time::Duration;
use time::macros::datetime;
use tokio::sync::Barrier;
use yuesou_booking::{Booking, Calendars, CheckInKey, ManualClock, Person};
use yuesou_store::Db;

struct Options {
    clients: usize,
    rounds: usize,
    item: String,
    hall: String,
    postgres: bool,
    handles: usize,
    precheck: bool,
    spread: bool,
}

fn options() -> Result<Options, String> {
    let mut o = Options {
        clients: 500,
        rounds: 5,
        item: "crj-gasl-440100".into(),
        hall: "hall-440100".into(),
        postgres: false,
        handles: 1,
        precheck: true,
        spread: false,
    };
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let mut value = || args.next().ok_or(format!("{flag} needs a value"));
        match flag.as_str() {
            "--clients" => o.clients = value()?.parse().map_err(|e| format!("--clients: {e}"))?,
            "--rounds" => o.rounds = value()?.parse().map_err(|e| format!("--rounds: {e}"))?,
            "--handles" => o.handles = value()?.parse().map_err(|e| format!("--handles: {e}"))?,
            "--item" => o.item = value()?,
            "--hall" => o.hall = value()?,
            "--postgres" => o.postgres = true,
            "--no-precheck" => o.precheck = false,
            "--spread" => o.spread = true,
            other => return Err(format!("unknown argument {other}")),
        }
    }
    o.handles = o.handles.max(1);
    Ok(o)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let o = options()?;
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data");
    let calendars = Arc::new(Calendars::load(&data)?);
    let (family, _) = yuesou_booking::split_item_id(&o.item).ok_or("not an item id")?;
    let capacity = calendars
        .capacity(&o.hall, family)
        .ok_or("the hall does not book this item")?;
    // A Wednesday before any window opens: every round's slot is bookable.
    let now = datetime!(2026-07-01 08:00 +8);
    let clock = Arc::new(ManualClock::new(now));
    let dir = tempfile::tempdir()?;
    let schema = if o.postgres {
        Some(
            yuesou_store::testing::postgres_schema()
                .await
                .ok_or("the PostgreSQL test server is unreachable")?,
        )
    } else {
        None
    };
    let mut dbs = Vec::new();
    for _ in 0..o.handles {
        dbs.push(match &schema {
            Some(url) => Db::connect(url).await?,
            None => Db::open_sqlite(dir.path()).await?,
        });
    }
    let key = CheckInKey::random()?;
    let handles: Vec<Booking> = dbs
        .iter()
        .map(|db| {
            let b =
                Booking::new(db.clone(), calendars.clone(), key.clone()).with_clock(clock.clone());
            if o.precheck { b } else { b.without_precheck() }
        })
        .collect();
    let db = &dbs[0];
    let run = format!(
        "{:x}",
        Instant::now().elapsed().as_nanos() ^ u128::from(std::process::id())
    );
    let service = calendars.service(family).ok_or("unknown service")?;
    let mut date = now.date() + Duration::days(i64::from(service.lead_days).max(1));
    let mut slots = Vec::new();
    while (o.spread || slots.len() < o.rounds)
        && date <= now.date() + Duration::days(i64::from(service.window_days) - 1)
    {
        slots.extend(calendars.slot_starts(&o.hall, family, date));
        date += Duration::days(1);
    }
    // Spread: one round over every slot; else one slot a round.
    let rounds: Vec<Vec<_>> = if o.spread {
        vec![slots]
    } else {
        slots.into_iter().take(o.rounds).map(|s| vec![s]).collect()
    };
    println!(
        "{} clients x {} rounds over {} slot(s) each, {} places per slot, {} ({} handle(s), precheck {})",
        o.clients,
        rounds.len(),
        rounds.first().map_or(0, Vec::len),
        capacity,
        if o.postgres { "PostgreSQL" } else { "SQLite" },
        o.handles,
        o.precheck
    );
    for (round, starts) in rounds.into_iter().enumerate() {
        let mut people = Vec::new();
        for n in 0..o.clients {
            let id = format!("bench_{run}_{round}_{n}");
            sqlx::query(
                "INSERT INTO accounts (id, kind, level, login_validity_secs, allow_password, \
                 allow_sms, demo, created_at, updated_at) VALUES ($1, 'person', 2, 1, 1, 1, 0, 0, 0)",
            )
            .bind(&id)
            .execute(db.pool())
            .await?;
            people.push(Person::natural(id, 2));
        }
        let barrier = Arc::new(Barrier::new(o.clients + 1));
        let tasks: Vec<_> = people
            .into_iter()
            .enumerate()
            .map(|(n, who)| {
                let (b, barrier, item, hall, start) = (
                    handles[n % handles.len()].clone(),
                    barrier.clone(),
                    o.item.clone(),
                    o.hall.clone(),
                    starts[n % starts.len()],
                );
                tokio::spawn(async move {
                    barrier.wait().await;
                    let t = Instant::now();
                    let answer = b.book(&who, &item, &hall, start, Some("k"), None).await;
                    (answer.map(|_| ()).map_err(|e| e.code()), t.elapsed())
                })
            })
            .collect();
        barrier.wait().await;
        let began = Instant::now();
        let mut latencies = Vec::new();
        let (mut ok, mut full, mut other) = (0, 0, Vec::new());
        for task in tasks {
            let (answer, took) = task.await?;
            latencies.push(took);
            match answer {
                Ok(()) => ok += 1,
                Err("slot-full") => full += 1,
                Err(code) => other.push(code),
            }
        }
        let wall = began.elapsed();
        latencies.sort();
        let pick = |q: f64| latencies[((latencies.len() - 1) as f64 * q) as usize];
        println!(
            "round {}: {ok} booked, {full} slot-full, {} other {:?} — {:.0} answers/s, p50 {:?}, p99 {:?}, max {:?}",
            round + 1,
            other.len(),
            other.iter().take(3).collect::<Vec<_>>(),
            o.clients as f64 / wall.as_secs_f64(),
            pick(0.5),
            pick(0.99),
            pick(1.0),
        );
        let places = capacity as usize * starts.len();
        if ok > places {
            return Err(format!("oversold: {ok} bookings for {places} places").into());
        }
    }
    Ok(())
}

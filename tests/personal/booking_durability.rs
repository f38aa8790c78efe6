//! 预约 under SIGKILL, over HTTP: two dozen people race through the slots of
//! one service (a handful of places each) until each has a booking; the daemon is
//! killed with -9 while bookings are in flight, restarted on the same files
//! (or PostgreSQL), and then:
//! - every booking it acknowledged is there, at the slot it named;
//! - a request that had no answer, sent again with its idempotency key,
//!   answers the booking the person already holds, if any — so nothing was
//!   booked that its holder cannot learn of;
//! - nobody holds a booking without a request of theirs being in flight at
//!   the kill, and nobody holds two;
//! - every slot's places left agree with the bookings that hold it.
//!
//! Also: turning demo data off gives back the places the demo accounts'
//! bookings held.

use crate::centre_process;
use crate::centre_support::copy_home;

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;
use std::sync::{Arc, Mutex};

use centre_process::{Daemon, backends, request as call, workdir};
use reqwest::Method;
use serde_json::{Value, json};

/// A 预约 item booked at the halls (4–5 places a slot, 30 days ahead).
const ITEM: &str = "crj-gasl-440100";
const PEOPLE: usize = 24;

/// A valid GB 11643 ID number for test person `n`.
fn id_number(n: usize) -> String {
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let body = format!("44010419900101{:03}", 100 + n);
    let sum: u32 = body
        .chars()
        .zip(WEIGHTS)
        .map(|(c, w)| c.to_digit(10).unwrap() * w)
        .sum();
    let check = b"10X98765432"[(sum % 11) as usize] as char;
    format!("{body}{check}")
}

fn name(n: usize) -> String {
    let first: Vec<char> = "甲乙丙丁戊己庚辛壬癸".chars().collect();
    let second: Vec<char> = "子丑寅卯辰巳午未申酉".chars().collect();
    format!("李{}{}", first[n / 10], second[n % 10])
}

fn phone(n: usize) -> String {
    format!("1390000{n:04}")
}

/// A copy of the bundled data whose demo identity register also knows
/// the test people (real-name verification matches against it).
fn home_with_people() -> tempfile::TempDir {
    let home = copy_home();
    let mut file = std::fs::OpenOptions::new()
        .append(true)
        .open(home.path().join("data/demo/identities.jsonl"))
        .unwrap();
    for n in 0..PEOPLE {
        let line = json!({
            "id_number": id_number(n),
            "name": name(n),
            "household": format!("H-440104-9{n:03}"),
            "address": format!("广州市越秀区测试路 {n} 号"),
        });
        writeln!(file, "{line}").unwrap();
    }
    home
}

/// Registers test person `n` and verifies their real name (L2); the token.
async fn register(base: &str, outbox: &Path, n: usize) -> String {
    let phone = phone(n);
    // Each from an address of its own (the daemon trusts X-Forwarded-For
    // here): codes are limited per address and hour.
    let sent = reqwest::Client::new()
        .post(format!("{base}/api/v1/auth/sms-codes"))
        .header("X-Forwarded-For", format!("10.0.{n}.1"))
        .json(&json!({"phone": phone, "purpose": "register"}))
        .send()
        .await
        .unwrap();
    let status = sent.status().as_u16();
    let body: Value = sent.json().await.unwrap_or(Value::Null);
    assert_eq!(status, 202, "{body}");
    let code = yuesou::centre::Outbox::new(outbox)
        .last_code(&phone)
        .expect("the code in the outbox");
    let (status, body) = call(
        Method::POST,
        &format!("{base}/api/v1/auth/register"),
        None,
        None,
        Some(json!({"phone": phone, "sms_code": code, "password": "burst-pass-2026"})),
    )
    .await
    .unwrap();
    assert_eq!(status, 201, "{body}");
    let token = body["token"].as_str().unwrap().to_string();
    let (status, body) = call(
        Method::POST,
        &format!("{base}/api/v1/me/verification/real-name"),
        Some(&token),
        None,
        Some(json!({"name": name(n), "id_number": id_number(n)})),
    )
    .await
    .unwrap();
    assert_eq!((status, &body["level"]), (200, &json!("L2")), "{body}");
    token
}

/// The hall nearest the centre of 广州 that books the item, and its open
/// slots with places left, soonest first: `(hall, [(start, left)])`.
async fn open_slots(base: &str) -> (String, Vec<(String, u64)>) {
    let tomorrow = (time::OffsetDateTime::now_utc().to_offset(time::macros::offset!(+8))
        + time::Duration::days(1))
    .date();
    let (status, listing) = call(
        Method::GET,
        &format!("{base}/api/v1/items/{ITEM}/slots?from={tomorrow}&days=14&lat=23.13&lng=113.26"),
        None,
        None,
        None,
    )
    .await
    .unwrap();
    assert_eq!(status, 200, "{listing}");
    let hall = &listing["halls"][0];
    let slots = hall["days"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|day| day["state"] == "open")
        .flat_map(|day| day["slots"].as_array().unwrap().iter())
        .filter(|s| s["state"] != "closed")
        .map(|s| {
            (
                s["start"].as_str().unwrap().to_string(),
                s["left"].as_u64().unwrap(),
            )
        })
        .collect();
    (hall["hall_id"].as_str().unwrap().to_string(), slots)
}

/// The bookings a person holds (status `booked`): `(id, start)`.
async fn held(base: &str, token: &str) -> Vec<(String, String)> {
    let (status, list) = call(
        Method::GET,
        &format!("{base}/api/v1/me/appointments"),
        Some(token),
        None,
        None,
    )
    .await
    .unwrap();
    assert_eq!(status, 200, "{list}");
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["status"] == "booked")
        .map(|a| {
            (
                a["id"].as_str().unwrap().to_string(),
                a["start"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// What one person's requests came to when the daemon was killed.
#[derive(Clone, Debug, Default)]
struct Person {
    token: String,
    /// The booking acknowledged: `(id, start)`.
    acked: Option<(String, String)>,
    /// The request in flight at the kill: `(idempotency key, start)`.
    in_flight: Option<(String, String)>,
}

/// Books for everyone, each trying the slots in order until one takes
/// them; returns once `kill_after` bookings were acknowledged (the others'
/// requests still going).
async fn burst(
    base: &str,
    hall: &str,
    starts: &[String],
    people: Arc<Mutex<Vec<Person>>>,
    kill_after: usize,
) -> Vec<tokio::task::JoinHandle<()>> {
    let acked = Arc::new(tokio::sync::Semaphore::new(0));
    let mut tasks = Vec::new();
    let count = people.lock().unwrap().len();
    for n in 0..count {
        let (base, hall, starts) = (base.to_string(), hall.to_string(), starts.to_vec());
        let (people, acked) = (people.clone(), acked.clone());
        tasks.push(tokio::spawn(async move {
            let token = people.lock().unwrap()[n].token.clone();
            for start in &starts {
                let key = format!("p{n}-{start}");
                people.lock().unwrap()[n].in_flight = Some((key.clone(), start.clone()));
                let answer = call(
                    Method::POST,
                    &format!("{base}/api/v1/me/appointments"),
                    Some(&token),
                    Some(&key),
                    Some(json!({"item_id": ITEM, "hall_id": hall, "start": start})),
                )
                .await;
                // No answer: the daemon is gone, the request stays in flight.
                let Ok((status, body)) = answer else { return };
                let mut people = people.lock().unwrap();
                match status {
                    201 => {
                        people[n].acked =
                            Some((body["id"].as_str().unwrap().to_string(), start.clone()));
                        people[n].in_flight = None;
                        acked.add_permits(1);
                        return;
                    }
                    409 if body["type"].as_str().unwrap_or("").ends_with("/slot-full") => {
                        people[n].in_flight = None;
                    }
                    // A request in flight when the daemon began to die may
                    // be answered 5xx; it counts as in flight still.
                    _ if status >= 500 => return,
                    _ => panic!("person {n} at {start}: {status} {body}"),
                }
            }
        }));
    }
    let enough = tokio::time::timeout(
        std::time::Duration::from_secs(120),
        acked.acquire_many(kill_after as u32),
    )
    .await;
    assert!(enough.is_ok(), "{kill_after} bookings within two minutes");
    tasks
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_acknowledged_booking_is_lost_and_none_is_made_unseen_at_sigkill() {
    let home = home_with_people();
    for (backend, database) in backends().await {
        let (dir, log) = workdir();
        let data = dir.path().join("data");
        let config = dir.path().join("yuesou.toml");
        std::fs::write(&config, "trust_forwarded_for = true\n").unwrap();
        let extra = ["--config", config.to_str().unwrap()];
        let daemon = Daemon::start_in(home.path(), &data, database.as_deref(), &log, &extra).await;
        let base = daemon.base.clone();
        let mut people = Vec::new();
        for n in 0..PEOPLE {
            people.push(Person {
                token: register(&base, &data.join("outbox"), n).await,
                ..Person::default()
            });
        }
        let (hall, slots) = open_slots(&base).await;
        // Slots nobody holds yet (the hall's capacity left), enough to
        // seat everyone.
        let capacity = slots.iter().map(|(_, left)| *left).max().unwrap_or(0) as usize;
        assert!(capacity > 0, "{backend}: open slots: {slots:?}");
        let starts: Vec<String> = slots
            .iter()
            .filter(|(_, left)| *left as usize == capacity)
            .map(|(start, _)| start.clone())
            .take(PEOPLE / capacity + 1)
            .collect();
        assert_eq!(
            starts.len(),
            PEOPLE / capacity + 1,
            "{backend}: free slots {slots:?}"
        );
        let people = Arc::new(Mutex::new(people));
        let tasks = burst(&base, &hall, &starts, people.clone(), 6).await;
        daemon.kill();
        for task in tasks {
            task.await.unwrap();
        }
        let people = people.lock().unwrap().clone();
        let in_flight = people.iter().filter(|p| p.in_flight.is_some()).count();
        assert!(in_flight > 0, "{backend}: the kill came after the burst");

        let daemon = Daemon::start_in(home.path(), &data, database.as_deref(), &log, &extra).await;
        let base = daemon.base.clone();
        let mut holders: BTreeMap<String, usize> = BTreeMap::new();
        for (n, person) in people.iter().enumerate() {
            let held = held(&base, &person.token).await;
            assert!(held.len() <= 1, "{backend}: person {n} holds {held:?}");
            match (&person.acked, &person.in_flight) {
                (Some(acked), _) => {
                    assert_eq!(held.first(), Some(acked), "{backend}: person {n}'s booking");
                }
                (None, Some((key, start))) => {
                    // Sent again with its key: the booking the person holds
                    // (made before the kill, unanswered), else a fresh try.
                    let (status, body) = call(
                        Method::POST,
                        &format!("{base}/api/v1/me/appointments"),
                        Some(&person.token),
                        Some(key),
                        Some(json!({"item_id": ITEM, "hall_id": hall, "start": start})),
                    )
                    .await
                    .unwrap();
                    if let Some((id, held_start)) = held.first() {
                        assert_eq!(status, 201, "{backend}: person {n}: {body}");
                        assert_eq!(body["id"].as_str(), Some(id.as_str()), "{backend}");
                        assert_eq!(held_start, start, "{backend}: at the slot asked for");
                    } else {
                        assert!(
                            status == 201 || status == 409,
                            "{backend}: person {n}: {status} {body}"
                        );
                    }
                }
                (None, None) => {
                    assert!(
                        held.is_empty(),
                        "{backend}: person {n} holds {held:?} unasked"
                    );
                }
            }
        }
        // Every slot's places left agree with the bookings now held.
        for person in &people {
            for (_, start) in held(&base, &person.token).await {
                *holders.entry(start).or_default() += 1;
            }
        }
        let (_, after) = open_slots(&base).await;
        for start in &starts {
            let left = after
                .iter()
                .find(|(s, _)| s == start)
                .map_or(0, |(_, left)| *left);
            let held = holders.get(start).copied().unwrap_or(0);
            assert!(held <= capacity, "{backend}: {start} oversold: {held}");
            assert_eq!(
                left as usize,
                capacity - held,
                "{backend}: places left at {start}"
            );
        }
        let acked = people.iter().filter(|p| p.acked.is_some()).count();
        assert!(acked >= 6, "{backend}: {acked} acknowledged");
        eprintln!(
            "{backend}: {acked} bookings acknowledged before the kill, {in_flight} requests in \
             flight, {} bookings held after the restart and the retries",
            holders.values().sum::<usize>()
        );
        daemon.stop();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn turning_demo_data_off_gives_the_demo_bookings_places_back() {
    for (backend, database) in backends().await {
        let (dir, log) = workdir();
        let data = dir.path().join("data");
        let demo_on = ["--demo", "true"];
        let daemon = Daemon::start(&data, database.as_deref(), &log, &demo_on).await;
        let base = daemon.base.clone();
        let (status, login) = call(
            Method::POST,
            &format!("{base}/api/v1/auth/login"),
            None,
            None,
            Some(json!({"phone": "13800000001", "password": "yuesou-demo"})),
        )
        .await
        .unwrap();
        assert_eq!(status, 200, "{backend}: {login}");
        let token = login["token"].as_str().unwrap().to_string();
        let (hall, slots) = open_slots(&base).await;
        let (start, left) = slots
            .iter()
            .find(|(_, left)| *left > 0)
            .unwrap_or_else(|| panic!("{backend}: an open slot in {slots:?}"))
            .clone();
        let (status, booked) = call(
            Method::POST,
            &format!("{base}/api/v1/me/appointments"),
            Some(&token),
            None,
            Some(json!({"item_id": ITEM, "hall_id": hall, "start": start})),
        )
        .await
        .unwrap();
        assert_eq!(status, 201, "{backend}: {booked}");
        let (_, during) = open_slots(&base).await;
        assert!(during.contains(&(start.clone(), left - 1)), "{backend}");
        daemon.stop();

        let daemon = Daemon::start(&data, database.as_deref(), &log, &["--demo", "false"]).await;
        let (_, after) = open_slots(&daemon.base).await;
        assert!(
            after.contains(&(start.clone(), left)),
            "{backend}: the place is free again: {after:?}"
        );
        daemon.stop();
    }
}

//! What the booking tests share: the real calendars of `data/`, a booking
//! handle on a manual clock over a test database (SQLite, then PostgreSQL
//! when reachable: `yuesou_store::testing::each_backend`), accounts, and a
//! notifier that records what it delivers.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use time::OffsetDateTime;
use time::macros::datetime;
use yuesou_booking::{
    Booking, BookingError, Calendars, CheckInKey, ManualClock, Notifier, NotifyError, Person,
    Reminder,
};
use yuesou_store::Db;

/// Wednesday 1 July 2026, 10:00 in Guangdong.
pub const NOW: OffsetDateTime = datetime!(2026-07-01 10:00 +8);

/// 广州市政务服务中心: Monday–Friday 09:00–12:00 and 13:00–17:00, Saturday
/// 09:00–17:00; 5 places per marriage slot.
pub const HALL: &str = "hall-440100";
/// 结婚登记预约 in 广州: 30-minute slots, booked 1 to 15 days ahead, the
/// farthest day opening at 08:30.
pub const MARRIAGE: &str = "hy-jhyy-440100";
/// 住房公积金提取预约 in 广州: same day to 7 days ahead, 8 places.
pub const FUND: &str = "gjj-tqyy-440100";
/// 往来港澳通行证申领预约 in 广州: 30 days ahead, 11 places.
pub const PERMIT: &str = "crj-gasl-440100";

pub fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data")
}

/// The bundled calendars, loaded once.
pub fn calendars() -> Arc<Calendars> {
    static CALENDARS: OnceLock<Arc<Calendars>> = OnceLock::new();
    CALENDARS
        .get_or_init(|| Arc::new(Calendars::load(&data_dir()).expect("the bundled calendars")))
        .clone()
}

/// A booking handle over `db` on a manual clock showing `now`.
pub fn booking(db: Db, now: OffsetDateTime) -> (Booking, Arc<ManualClock>) {
    let clock = Arc::new(ManualClock::new(now));
    let booking =
        Booking::new(db, calendars(), CheckInKey::new([42; 32])).with_clock(clock.clone());
    (booking, clock)
}

/// Creates the account `id` (a person unless `kind` says `org`).
pub async fn account(db: &Db, id: &str, kind: &str) {
    sqlx::query(
        "INSERT INTO accounts (id, kind, level, login_validity_secs, allow_password, allow_sms, \
         demo, created_at, updated_at) VALUES ($1, $2, 2, 86400, 1, 1, 0, 0, 0)",
    )
    .bind(id)
    .bind(kind)
    .execute(db.pool())
    .await
    .expect("an account");
}

/// A real-name person with a fresh account `acc_<n>`.
pub async fn person(db: &Db, n: usize) -> Person {
    let id = format!("acc_{n}");
    account(db, &id, "person").await;
    Person::natural(id, 2)
}

/// The code of an error, or `ok`.
pub fn code<T>(result: &Result<T, BookingError>) -> &'static str {
    match result {
        Ok(_) => "ok",
        Err(e) => e.code(),
    }
}

/// One number from the database.
pub async fn count(db: &Db, sql: &str) -> i64 {
    sqlx::query_scalar(sql)
        .fetch_one(db.pool())
        .await
        .expect("a count")
}

/// Places taken in a slot (0 when it has no row).
pub async fn taken(db: &Db, family: &str, start: OffsetDateTime) -> i64 {
    sqlx::query_scalar(
        "SELECT taken FROM booking_slots WHERE hall_id = $1 AND family = $2 AND start_at = $3",
    )
    .bind(HALL)
    .bind(family)
    .bind(yuesou_booking::cst::to_ms(start))
    .fetch_optional(db.pool())
    .await
    .expect("a slot")
    .unwrap_or(0)
}

/// A notifier that records every delivery (and can be told to fail).
#[derive(Default)]
pub struct Recorder {
    pub delivered: Mutex<Vec<Reminder>>,
    pub fail: std::sync::atomic::AtomicBool,
    pub pause: Option<std::time::Duration>,
}

impl Recorder {
    pub fn ids(&self) -> Vec<String> {
        self.delivered
            .lock()
            .unwrap()
            .iter()
            .map(|r| r.id.clone())
            .collect()
    }

    pub fn kinds(&self) -> Vec<String> {
        self.delivered
            .lock()
            .unwrap()
            .iter()
            .map(|r| format!("{:?}", r.kind))
            .collect()
    }
}

#[async_trait::async_trait]
impl Notifier for Recorder {
    async fn deliver(&self, reminder: &Reminder) -> Result<(), NotifyError> {
        if let Some(pause) = self.pause {
            tokio::time::sleep(pause).await;
        }
        if self.fail.load(std::sync::atomic::Ordering::SeqCst) {
            return Err(NotifyError("the inbox is down".into()));
        }
        self.delivered.lock().unwrap().push(reminder.clone());
        Ok(())
    }
}

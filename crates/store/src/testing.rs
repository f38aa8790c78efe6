//! Helpers for test suites that run on PostgreSQL as well as SQLite (every
//! domain crate's and the daemon's).
//!
//! The test server is `YUESOU_TEST_POSTGRES` (default
//! `postgres://postgres@127.0.0.1:5432/test`). Each call to
//! [`postgres_schema`] makes a fresh schema there and returns a URL whose
//! connections use it, so tests never see each other's rows. Where the
//! server cannot be reached it prints `SKIPPED` with the reason and returns
//! `None` — unless `YUESOU_REQUIRE_POSTGRES=1` (as `.ci/run` sets), where it
//! panics, so that a CI run cannot pass by skipping.
//!
//! With the `testing` feature, [`each_backend`] runs a test on a fresh
//! SQLite database, then on a fresh PostgreSQL schema when reachable.

use std::time::Duration;

use sqlx::Connection;

/// The test server's URL.
pub fn postgres_url() -> String {
    std::env::var("YUESOU_TEST_POSTGRES")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_string())
}

/// A URL of a fresh schema on the test server, or `None` when it is
/// unreachable (and not required).
pub async fn postgres_schema() -> Option<String> {
    let base = postgres_url();
    let connect =
        tokio::time::timeout(Duration::from_secs(3), sqlx::PgConnection::connect(&base)).await;
    let mut conn = match connect {
        Ok(Ok(c)) => c,
        other => {
            let why = match other {
                Ok(Err(e)) => e.to_string(),
                _ => "timed out".into(),
            };
            if std::env::var("YUESOU_REQUIRE_POSTGRES").is_ok_and(|v| v == "1") {
                panic!("PostgreSQL is required here but unreachable at {base}: {why}");
            }
            println!("SKIPPED (PostgreSQL half): cannot reach {base}: {why}");
            return None;
        }
    };
    let mut random = [0u8; 12];
    getrandom::fill(&mut random).ok()?;
    let schema = format!("t_{}", hex::encode(random));
    sqlx::query(&format!("CREATE SCHEMA {schema}"))
        .execute(&mut conn)
        .await
        .ok()?;
    let sep = if base.contains('?') { '&' } else { '?' };
    Some(format!("{base}{sep}options=-c%20search_path%3D{schema}"))
}

/// A database for one test: its handle, the backend's name and the
/// temporary directory it lives in (SQLite) or that the test may use.
#[cfg(feature = "testing")]
pub struct TestDb {
    /// The database, migrated.
    pub db: crate::Db,
    /// `sqlite` or `postgres`.
    pub backend: &'static str,
    /// A temporary directory of the test's own.
    pub dir: tempfile::TempDir,
}

/// Runs `test` on a fresh SQLite database, then on a fresh PostgreSQL
/// schema when the test server is reachable.
#[cfg(feature = "testing")]
pub async fn each_backend(test: impl AsyncFn(TestDb)) {
    // Temporary directories are where the tests put their files.
    #[allow(clippy::expect_used)]
    let dir = tempfile::tempdir().expect("a temporary directory");
    #[allow(clippy::expect_used)]
    let db = crate::Db::open_sqlite(dir.path())
        .await
        .expect("an SQLite database");
    test(TestDb {
        db,
        backend: "sqlite",
        dir,
    })
    .await;
    if let Some(url) = postgres_schema().await {
        #[allow(clippy::expect_used)]
        let dir = tempfile::tempdir().expect("a temporary directory");
        #[allow(clippy::expect_used)]
        let db = crate::Db::connect(&url)
            .await
            .expect("the PostgreSQL schema");
        test(TestDb {
            db,
            backend: "postgres",
            dir,
        })
        .await;
    }
}

//! # yuesou-store — the database
//!
//! One handle ([`Db`]) over SQLite (embedded, the default) or PostgreSQL
//! (to scale out), the versioned migrations of every domain crate (the
//! personal centre, bookings, payments …) applied in one order on both, the
//! settings that make an acknowledged write a durable one, the
//! classification of database errors a caller can act on ([`StoreError`]),
//! private files for secrets, and [`testing`] helpers that run a suite on
//! both backends.
//!
//! SQL here is portable: `$n` placeholders (SQLite reads them as numbered
//! parameters), `BIGINT` times in Unix milliseconds, text identifiers made
//! by the application, `ON CONFLICT` upserts. Every multi-row change runs in
//! a transaction ([`Db::begin`]).

use std::borrow::Cow;
use std::path::Path;
use std::sync::Once;
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::error::BoxDynError;
use sqlx::migrate::{Migration, MigrationSource, MigrationType, Migrator};
use sqlx::{AnyPool, ConnectOptions, Connection, Executor};

mod error;
pub mod testing;

pub use error::{StorageFault, StoreError};

/// Shorthand for results of this crate.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Which database a [`Db`] talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// An SQLite file (WAL, foreign keys on, `synchronous = FULL`).
    Sqlite,
    /// A PostgreSQL server (or a Postgres-wire compatible engine).
    Postgres,
}

/// The migrations, in order. Released files are never edited: a change is a
/// new file.
const MIGRATIONS: &[(i64, &str, &str)] = &[
    (1, "centre", include_str!("../migrations/0001_centre.sql")),
    (2, "wallet", include_str!("../migrations/0002_wallet.sql")),
    (
        3,
        "activity",
        include_str!("../migrations/0003_activity.sql"),
    ),
    (
        4,
        "security",
        include_str!("../migrations/0004_security.sql"),
    ),
    (5, "texts", include_str!("../migrations/0005_texts.sql")),
    (
        6,
        "payments",
        include_str!("../migrations/0006_payments.sql"),
    ),
    (7, "booking", include_str!("../migrations/0007_booking.sql")),
    (
        8,
        "flow_answers",
        include_str!("../migrations/0008_flow_answers.sql"),
    ),
    (
        9,
        "materials",
        include_str!("../migrations/0009_materials.sql"),
    ),
];

/// Creates `dir` (and its parents) if needed and makes it private to its
/// owner (mode 0700): the data directory holds the database, the keys and
/// the development outbox.
pub fn private_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
    }
    Ok(())
}

/// Writes `bytes` to a new file of mode 0600 at `path` (failing if it
/// exists), flushed to disk.
pub fn write_private_file(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

/// Makes the SQLite database file and its journal files private (mode
/// 0600), creating the database file with that mode when it is missing.
/// SQLite gives the `-wal` and `-shm` files the database file's mode.
fn private_sqlite_files(path: &Path) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true).write(true).create(true).truncate(false);
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        options.mode(0o600);
        options.open(path)?;
        for suffix in ["", "-wal", "-shm", "-journal"] {
            let file = std::path::PathBuf::from(format!("{}{suffix}", path.display()));
            if file.exists() {
                std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600))?;
            }
        }
    }
    #[cfg(not(unix))]
    options.open(path)?;
    Ok(())
}

/// The migrations compiled into the binary, as a source for sqlx's
/// migrator (which records each version and checksum in
/// `_sqlx_migrations` and refuses a released file that changed).
#[derive(Debug)]
struct EmbeddedMigrations;

impl MigrationSource<'static> for EmbeddedMigrations {
    fn resolve(
        self,
    ) -> std::pin::Pin<
        Box<
            dyn std::future::Future<Output = std::result::Result<Vec<Migration>, BoxDynError>>
                + Send,
        >,
    > {
        Box::pin(async {
            Ok(MIGRATIONS
                .iter()
                .map(|(version, name, sql)| {
                    Migration::new(
                        *version,
                        Cow::Borrowed(*name),
                        MigrationType::Simple,
                        Cow::Borrowed(*sql),
                        false,
                    )
                })
                .collect())
        })
    }
}

/// A pool of connections to the personal-centre database.
#[derive(Debug, Clone)]
pub struct Db {
    pool: AnyPool,
    backend: Backend,
}

/// A transaction: commit it, or it rolls back when dropped.
pub type Tx = sqlx::Transaction<'static, sqlx::Any>;

/// Fails with the operating system's reason when the SQLite file of `url`
/// cannot be opened for writing (created when missing, as SQLite would).
fn check_sqlite_file(url: &str) -> Result<()> {
    let rest = url.trim_start_matches("sqlite:").trim_start_matches("//");
    let path = rest.split('?').next().unwrap_or_default();
    if path.is_empty() || path.starts_with(':') {
        return Ok(()); // in memory
    }
    std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(path)
        .map(|_| ())
        .map_err(|e| StoreError::Internal(format!("cannot open {path} for writing: {e}")))
}

fn install_drivers() {
    static ONCE: Once = Once::new();
    ONCE.call_once(sqlx::any::install_default_drivers);
}

impl Db {
    /// Opens (creating if needed) the SQLite database `centre.db` in `dir`.
    /// The directory is made private (0700) and the database files 0600.
    pub async fn open_sqlite(dir: &Path) -> Result<Db> {
        private_dir(dir)
            .map_err(|e| StoreError::Internal(format!("cannot create {}: {e}", dir.display())))?;
        let path = dir.join("centre.db");
        private_sqlite_files(&path).map_err(|e| {
            StoreError::Internal(format!("cannot open {} for writing: {e}", path.display()))
        })?;
        let url = format!("sqlite://{}?mode=rwc", path.display());
        Db::connect(&url).await
    }

    /// Connects to `url` (`sqlite://…` or `postgres://…`) and applies the
    /// migrations.
    pub async fn connect(url: &str) -> Result<Db> {
        install_drivers();
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Backend::Postgres
        } else {
            return Err(StoreError::BadUrl(
                "expected a sqlite:// or postgres:// URL".into(),
            ));
        };
        let options: AnyConnectOptions = url
            .parse::<AnyConnectOptions>()
            .map_err(|e| StoreError::BadUrl(e.to_string()))?
            // Statements carry personal data only as bound values, never
            // logged; still, keep statements out of the log entirely.
            .log_statements(tracing::log::LevelFilter::Off)
            .log_slow_statements(tracing::log::LevelFilter::Warn, Duration::from_secs(2));
        // The pool retries until its timeout and then says only that; a
        // first connection (or, for SQLite, opening the file for writing)
        // names the cause: refused, unknown host, read-only file system …
        match backend {
            Backend::Sqlite => check_sqlite_file(url)?,
            Backend::Postgres => {
                let probe = options
                    .connect()
                    .await
                    .map_err(|e| StoreError::Internal(format!("cannot open the database: {e}")))?;
                let _ = probe.close().await;
            }
        }
        let pool_options = match backend {
            // One writer at a time is SQLite's model; one connection keeps
            // transactions from failing on a busy lock.
            Backend::Sqlite => AnyPoolOptions::new().max_connections(1),
            Backend::Postgres => AnyPoolOptions::new().max_connections(8),
        };
        let pool = pool_options
            .acquire_timeout(Duration::from_secs(3))
            // A connection that comes back still "in a transaction" had a
            // COMMIT fail in a way the database rolled back by itself (SQLite
            // does so on a full disk or an I/O error); sqlx's count of open
            // transactions is then wrong, and every later "commit" on that
            // connection would only release a savepoint of a transaction
            // that never commits — acknowledged writes that vanish. Such a
            // connection is closed, never reused.
            .after_release(|conn, _| {
                Box::pin(async move {
                    let in_transaction = conn.is_in_transaction();
                    if in_transaction {
                        tracing::warn!(
                            "a database connection came back inside a failed transaction; closed"
                        );
                    }
                    Ok(!in_transaction)
                })
            })
            .after_connect(move |conn, _| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        conn.execute(
                            "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; \
                             PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;",
                        )
                        .await?;
                    }
                    Ok(())
                })
            })
            .connect_with(options)
            .await
            // At start the cause matters more than "retry": name it (sqlx's
            // errors carry no password).
            .map_err(|e| StoreError::Internal(format!("cannot open the database: {e}")))?;
        let db = Db { pool, backend };
        db.migrate().await?;
        Ok(db)
    }

    async fn migrate(&self) -> Result<()> {
        Migrator::new(EmbeddedMigrations)
            .await
            .map_err(|e| StoreError::Internal(format!("cannot read the migrations: {e}")))?
            .run(&self.pool)
            .await
            .map_err(|e| StoreError::Internal(format!("migration failed: {e}")))
    }

    /// The backend.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The pool, for single statements.
    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Starts a transaction.
    pub async fn begin(&self) -> Result<Tx> {
        Ok(self.pool.begin().await?)
    }

    /// Adds one to the counter `name` (created at 0) and returns its new
    /// value, atomically on both backends.
    pub async fn next_counter(&self, name: &str) -> Result<i64> {
        let (value,): (i64,) = sqlx::query_as(
            "INSERT INTO counters (name, value) VALUES ($1, 1) \
             ON CONFLICT (name) DO UPDATE SET value = counters.value + 1 RETURNING value",
        )
        .bind(name)
        .fetch_one(&self.pool)
        .await?;
        Ok(value)
    }

    /// Whether the database answers (for readiness).
    pub async fn ping(&self) -> bool {
        sqlx::query("SELECT 1").execute(&self.pool).await.is_ok()
    }

    /// Closes every connection (waits for those in use).
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

//! Database errors sorted by what a caller can do about them: retry shortly
//! ([`StoreError::Unavailable`]), tell people nothing can be saved now
//! ([`StoreError::StorageUnavailable`]), or treat as a fault. Messages never
//! carry bound values (personal data): safe to log.

/// A database error, classified.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database is unreachable or overloaded (connection lost, pool
    /// timeout, PostgreSQL shutting down or out of connections, SQLite
    /// busy); retry shortly.
    #[error("the database is unavailable; retry shortly")]
    Unavailable,
    /// The database cannot store anything now (its disk is full or
    /// read-only); nothing of the request was saved.
    #[error("the database's storage is {0}: nothing was saved")]
    StorageUnavailable(StorageFault),
    /// A unique constraint refused a row (the caller says what that means).
    #[error("a unique constraint refused the row ({0})")]
    Duplicate(String),
    /// The database URL is not one this store opens.
    #[error("bad database URL: {0}")]
    BadUrl(String),
    /// An unexpected fault (a bug, corrupt data, a failed migration).
    #[error("database error: {0}")]
    Internal(String),
}

/// Why the database cannot write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StorageFault {
    /// No space left (SQLite `SQLITE_FULL`, PostgreSQL `53100`).
    Full,
    /// The files or the server are read-only (SQLite `SQLITE_READONLY`, a
    /// PostgreSQL standby: `25006`).
    ReadOnly,
    /// Writing failed at the operating system (SQLite `SQLITE_IOERR`).
    Failing,
}

impl std::fmt::Display for StorageFault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            StorageFault::Full => "full",
            StorageFault::ReadOnly => "read-only",
            StorageFault::Failing => "failing to write",
        })
    }
}

/// The storage fault a database error code stands for, if any: SQLite's
/// (extended) result codes, PostgreSQL's SQLSTATE.
fn storage_fault(code: &str) -> Option<StorageFault> {
    // PostgreSQL's SQLSTATEs are five characters (often all digits);
    // SQLite's (extended) result codes are numbers below 10 000.
    if code.len() < 5
        && let Ok(sqlite) = code.parse::<i64>()
    {
        // The primary result code is the low byte of an extended one.
        return match sqlite & 0xff {
            13 => Some(StorageFault::Full),
            8 => Some(StorageFault::ReadOnly),
            10 | 14 => Some(StorageFault::Failing),
            _ => None,
        };
    }
    match code {
        "25006" => Some(StorageFault::ReadOnly),
        "53100" => Some(StorageFault::Full),
        "58030" => Some(StorageFault::Failing),
        _ => None,
    }
}

impl From<sqlx::Error> for StoreError {
    fn from(error: sqlx::Error) -> Self {
        match &error {
            sqlx::Error::Io(_)
            | sqlx::Error::PoolTimedOut
            | sqlx::Error::PoolClosed
            | sqlx::Error::Tls(_)
            | sqlx::Error::WorkerCrashed => {
                tracing::warn!(error = %error, "database unavailable");
                StoreError::Unavailable
            }
            sqlx::Error::Database(db) => {
                let code = db.code().map(|c| c.to_string()).unwrap_or_default();
                if let Some(fault) = storage_fault(&code) {
                    tracing::error!(code = %code, fault = %fault, "database storage fault: writes refused");
                    return StoreError::StorageUnavailable(fault);
                }
                if db.is_unique_violation() {
                    return StoreError::Duplicate(db.constraint().unwrap_or("").to_string());
                }
                // SQLite busy/locked and PostgreSQL's admin shutdown or
                // connection failures are transient.
                if matches!(
                    code.as_str(),
                    "5" | "6" | "517" | "57P01" | "57P02" | "57P03"
                ) || code.starts_with("08")
                    || code.starts_with("53")
                {
                    tracing::warn!(code = %code, "database unavailable");
                    StoreError::Unavailable
                } else {
                    // The message names the constraint or syntax, never
                    // bound values.
                    StoreError::Internal(format!("database error {code}: {}", db.message()))
                }
            }
            _ => StoreError::Internal(format!("database error: {error}")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn storage_faults_are_read_from_both_backends_codes() {
        assert_eq!(storage_fault("13"), Some(StorageFault::Full));
        assert_eq!(storage_fault("1288"), Some(StorageFault::ReadOnly)); // SQLITE_READONLY_DBMOVED
        assert_eq!(storage_fault("53100"), Some(StorageFault::Full));
        assert_eq!(storage_fault("25006"), Some(StorageFault::ReadOnly));
        assert_eq!(storage_fault("23505"), None);
    }
}

//! What can go wrong in the personal centre, in terms a caller can act on.
//! The messages never contain personal data (phone or ID numbers, codes,
//! passwords, tokens): they are safe to log and to show.

/// A personal-centre error.
#[derive(Debug, thiserror::Error)]
pub enum CentreError {
    /// No valid session: missing, unknown, expired or revoked token.
    #[error("not logged in or the session has expired")]
    Unauthenticated,
    /// Wrong credentials. One message for an unknown phone, a wrong password,
    /// a wrong code and a login method the account turned off, so that
    /// nobody can learn who is registered or how.
    #[error("the phone number, password or code is not correct, or this login method is off")]
    BadCredentials,
    /// The account is under attack (many failed logins from many
    /// addresses): a password login also needs a `login` SMS code (短信验证).
    /// Said for unknown phones too, so nobody learns who is registered.
    #[error("a password login to this account also needs an SMS code now")]
    SecondFactorRequired,
    /// The thing does not exist, or is not the caller's (indistinguishable).
    #[error("{0} not found")]
    NotFound(&'static str),
    /// A field of the request is invalid.
    #[error("{field}: {detail}")]
    Invalid {
        /// The request field.
        field: &'static str,
        /// Why it is invalid (no personal data).
        detail: String,
    },
    /// The request conflicts with the current state (e.g. submitting a
    /// draft twice, registering a phone twice).
    #[error("{0}")]
    Conflict(String),
    /// The action needs a higher real-name level (L2 or L3).
    #[error("this needs login level {required}; the session has {current}")]
    StepUpRequired {
        /// Level needed.
        required: Level,
        /// Level the session has.
        current: Level,
    },
    /// The caller may not do this (e.g. acting for an organisation it is
    /// not an agent of).
    #[error("{0}")]
    Forbidden(String),
    /// Text contains a banned word (违禁词) and was not stored.
    #[error("the text contains a banned word ({word}); it was not saved")]
    BannedWord {
        /// The banned word found.
        word: String,
    },
    /// Too many attempts; try again after this many seconds.
    #[error("too many attempts; try again in {retry_after_secs} s")]
    RateLimited {
        /// Seconds until the next attempt is allowed.
        retry_after_secs: u64,
    },
    /// The server is busy with other logins (password hashing is limited
    /// to a few at a time); retry after this many seconds.
    #[error("the server is busy; try again in {retry_after_secs} s")]
    Busy {
        /// Seconds to wait.
        retry_after_secs: u64,
    },
    /// The issuer revoked this licence (吊销): it cannot be added, presented
    /// or verified.
    #[error("the issuer revoked this licence")]
    LicenceRevoked,
    /// The daemon runs without the wallet.
    #[error("this daemon runs without the wallet")]
    WalletDisabled,
    /// The database is unreachable or overloaded; retry shortly.
    #[error("the personal-centre database is unavailable; retry shortly")]
    Unavailable,
    /// The database cannot store anything now (its disk is full or
    /// read-only); nothing of the request was saved.
    #[error("the server's storage is {0}: nothing was saved; retry later")]
    StorageUnavailable(StorageFault),
    /// A provider (SMS, identity, face) failed.
    #[error("{0}")]
    Provider(String),
    /// An unexpected fault (a bug or corrupt data), never caused by input.
    #[error("internal error: {0}")]
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
    if let Ok(sqlite) = code.parse::<i64>() {
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

/// Shorthand for results of this crate.
pub type Result<T, E = CentreError> = std::result::Result<T, E>;

use crate::Level;

impl CentreError {
    /// An invalid-field error.
    pub fn invalid(field: &'static str, detail: impl Into<String>) -> Self {
        CentreError::Invalid {
            field,
            detail: detail.into(),
        }
    }
}

impl From<sqlx::Error> for CentreError {
    fn from(error: sqlx::Error) -> Self {
        match &error {
            sqlx::Error::Io(_)
            | sqlx::Error::PoolTimedOut
            | sqlx::Error::PoolClosed
            | sqlx::Error::Tls(_)
            | sqlx::Error::WorkerCrashed => {
                tracing::warn!(error = %error, "database unavailable");
                CentreError::Unavailable
            }
            sqlx::Error::Database(db) => {
                // SQLite busy/locked and PostgreSQL's admin shutdown or
                // connection failures are transient.
                let code = db.code().map(|c| c.to_string()).unwrap_or_default();
                if let Some(fault) = storage_fault(&code) {
                    tracing::error!(code = %code, fault = %fault, "database storage fault: writes refused");
                    return CentreError::StorageUnavailable(fault);
                }
                if matches!(
                    code.as_str(),
                    "5" | "6" | "517" | "57P01" | "57P02" | "57P03"
                ) || code.starts_with("08")
                    || code.starts_with("53")
                {
                    tracing::warn!(code = %code, "database unavailable");
                    CentreError::Unavailable
                } else {
                    // The message names the constraint or syntax, never
                    // bound values.
                    CentreError::Internal(format!("database error {code}: {}", db.message()))
                }
            }
            _ => CentreError::Internal(format!("database error: {error}")),
        }
    }
}

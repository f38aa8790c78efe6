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

/// Shorthand for results of this crate.
pub type Result<T, E = CentreError> = std::result::Result<T, E>;

use crate::Level;
use yuesou_store::StorageFault;

impl CentreError {
    /// An invalid-field error.
    pub fn invalid(field: &'static str, detail: impl Into<String>) -> Self {
        CentreError::Invalid {
            field,
            detail: detail.into(),
        }
    }
}

impl From<yuesou_store::StoreError> for CentreError {
    fn from(error: yuesou_store::StoreError) -> Self {
        use yuesou_store::StoreError as S;
        match error {
            S::Unavailable => CentreError::Unavailable,
            S::StorageUnavailable(fault) => CentreError::StorageUnavailable(fault),
            S::Duplicate(constraint) => {
                CentreError::Internal(format!("unexpected duplicate ({constraint})"))
            }
            S::BadUrl(reason) => CentreError::invalid("database", reason),
            S::Internal(reason) => CentreError::Internal(reason),
        }
    }
}

impl From<sqlx::Error> for CentreError {
    fn from(error: sqlx::Error) -> Self {
        yuesou_store::StoreError::from(error).into()
    }
}

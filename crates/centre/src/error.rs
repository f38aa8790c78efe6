//! What can go wrong in the personal centre, in terms a caller can act on.
//! What a person reads of an error is a [`Text`] (a message id and its
//! arguments, [`CentreError::text`]) that the daemon renders in the reader's
//! language; `Display` prints ids and arguments, for logs. Neither ever
//! holds personal data (phone or ID numbers, codes, passwords, tokens).

use yuesou_messages::Text;

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
    #[error("{field}: {reason}")]
    Invalid {
        /// The request field.
        field: &'static str,
        /// Why it is invalid (no personal data).
        reason: Text,
    },
    /// The request conflicts with the current state (e.g. submitting a
    /// draft twice, registering a phone twice).
    #[error("conflict: {0}")]
    Conflict(Text),
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
    #[error("forbidden: {0}")]
    Forbidden(Text),
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
    pub fn invalid(field: &'static str, reason: impl Into<Text>) -> Self {
        CentreError::Invalid {
            field,
            reason: reason.into(),
        }
    }

    /// A conflict with the current state.
    pub fn conflict(reason: impl Into<Text>) -> Self {
        CentreError::Conflict(reason.into())
    }

    /// What a person reads of this error: a message id and its arguments.
    /// Faults (`Provider`, `Internal`) read as a fault, never their cause.
    pub fn text(&self) -> Text {
        match self {
            CentreError::Unauthenticated => Text::new("err-unauthenticated"),
            CentreError::BadCredentials => Text::new("err-bad-credentials"),
            CentreError::SecondFactorRequired => Text::new("err-second-factor-required"),
            CentreError::NotFound(what) => {
                Text::new(format!("err-not-found-{}", what.replace(' ', "-")))
            }
            CentreError::Invalid { reason, .. }
            | CentreError::Conflict(reason)
            | CentreError::Forbidden(reason) => reason.clone(),
            CentreError::StepUpRequired { required, current } => Text::new("err-step-up-required")
                .arg("required", required.to_string())
                .arg("current", current.to_string()),
            CentreError::BannedWord { word } => {
                Text::new("err-banned-word").arg("word", word.as_str())
            }
            CentreError::RateLimited { retry_after_secs } => {
                Text::new("err-rate-limited").arg("seconds", *retry_after_secs)
            }
            CentreError::Busy { retry_after_secs } => {
                Text::new("err-busy").arg("seconds", *retry_after_secs)
            }
            CentreError::LicenceRevoked => Text::new("err-licence-revoked"),
            CentreError::WalletDisabled => Text::new("err-wallet-disabled"),
            CentreError::Unavailable => Text::new("err-unavailable"),
            CentreError::StorageUnavailable(fault) => Text::new(match fault {
                StorageFault::Full => "err-storage-full",
                StorageFault::ReadOnly => "err-storage-read-only",
                StorageFault::Failing => "err-storage-failing",
            }),
            CentreError::Provider(_) | CentreError::Internal(_) => Text::new("err-internal"),
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
            S::BadUrl(reason) => CentreError::Internal(format!("bad database URL: {reason}")),
            S::Internal(reason) => CentreError::Internal(reason),
        }
    }
}

impl From<sqlx::Error> for CentreError {
    fn from(error: sqlx::Error) -> Self {
        yuesou_store::StoreError::from(error).into()
    }
}

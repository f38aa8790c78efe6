//! What can go wrong, as typed errors with a stable [`PaymentError::code`]
//! each and the facts a message needs. No sentences for people: the daemon
//! renders Chinese from its message files by code. Every message is safe to
//! log (no names, identity numbers or account numbers).

use time::Date;
use yuesou_gateway::GatewayError;
use yuesou_store::StoreError;

use crate::model::PaymentStatus;
use crate::provider::ProviderError;

/// Why an amount was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AmountProblem {
    /// Zero or negative.
    NotPositive,
    /// Not a whole number of fen (a decimal, a string, `1e3` …).
    NotWholeFen,
    /// Above the platform's limit for one payment.
    TooLarge {
        /// The limit in fen.
        max_fen: i64,
    },
}

impl std::fmt::Display for AmountProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AmountProblem::NotPositive => f.write_str("not positive"),
            AmountProblem::NotWholeFen => f.write_str("not a whole number of fen"),
            AmountProblem::TooLarge { max_fen } => write!(f, "over the limit of {max_fen} fen"),
        }
    }
}

/// A payment error. [`PaymentError::code`] is a stable token for problem
/// `code`s, message files and metrics; [`PaymentError::http_status`] the
/// status the daemon should answer with.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PaymentError {
    /// The `Idempotency-Key` is missing, empty, longer than 128 or not
    /// visible ASCII.
    #[error("the idempotency key is missing or malformed")]
    InvalidIdempotencyKey,
    /// The key was used before by this account for a different payment.
    #[error("the idempotency key was used for another payment ({payment_id})")]
    IdempotencyKeyReused {
        /// The payment the key belongs to.
        payment_id: String,
    },
    /// The payer has no identity the departments know (no ID number or
    /// USCC, or no name): bills are asked by identity (L2 实名).
    #[error("the payer has no identity to ask bills for")]
    IdentityRequired,
    /// An amount that is not a positive whole number of fen within the
    /// limit.
    #[error("invalid amount: {0}")]
    AmountInvalid(AmountProblem),
    /// A top-up amount outside the payee's limits or not a multiple of its
    /// step.
    #[error("amount outside {min_fen}..={max_fen} in steps of {step_fen}")]
    AmountOutOfRange {
        /// Smallest amount in fen.
        min_fen: i64,
        /// Largest amount in fen.
        max_fen: i64,
        /// Step in fen.
        step_fen: i64,
    },
    /// No such bill for this person (unknown, malformed, or another
    /// person's: the same answer for all three).
    #[error("bill not found")]
    BillNotFound,
    /// No such top-up account for this person.
    #[error("top-up not found")]
    TopUpNotFound,
    /// The bill is paid already.
    #[error("the bill is paid already")]
    BillPaid {
        /// The payment that paid it, when it is this account's.
        payment_id: Option<String>,
    },
    /// The bill's due date has passed: it can no longer be paid online.
    #[error("the bill was due on {due}")]
    BillExpired {
        /// The due date.
        due: Date,
    },
    /// The bill has a payment in progress (created or paying).
    #[error("the bill has a payment in progress")]
    PaymentInProgress {
        /// That payment, when it is this account's (a second device of the
        /// same person can continue it).
        payment_id: Option<String>,
    },
    /// No such payment for this account.
    #[error("payment not found")]
    PaymentNotFound,
    /// A refund of a payment that is not settled.
    #[error("a payment that is {status} cannot be refunded")]
    NotRefundable {
        /// Its status.
        status: PaymentStatus,
    },
    /// A refund was asked for already.
    #[error("the payment is refunded or being refunded")]
    AlreadyRefunded,
    /// A refund needs a reason (1–500 characters).
    #[error("a refund needs a reason of 1–500 characters")]
    RefundReasonRequired,
    /// The department cannot answer now.
    #[error("the department is unavailable")]
    DepartmentUnavailable {
        /// Seconds to wait, if known.
        retry_after_secs: Option<u64>,
    },
    /// The department has no online connection (不支持在线缴费).
    #[error("the department is not connected")]
    DepartmentNotConnected,
    /// The department refused (its own code, e.g. `subject_unknown`).
    #[error("the department refused ({code})")]
    DepartmentRefused {
        /// The department's code.
        code: String,
    },
    /// The department answered outside the contract or failed otherwise.
    #[error("department error ({code})")]
    DepartmentFailed {
        /// The gateway's error code.
        code: &'static str,
    },
    /// The payment provider cannot answer now; retry with the same key.
    #[error("the payment provider is unavailable")]
    ProviderUnavailable,
    /// The payment provider refused the order.
    #[error("the payment provider refused ({code})")]
    ProviderRefused {
        /// The provider's code.
        code: String,
    },
    /// A notification without a valid signature (missing headers, unknown
    /// key, bad signature). Nothing was changed.
    #[error("notification refused: {reason}")]
    BadSignature {
        /// Which check failed.
        reason: &'static str,
    },
    /// A notification signed too long ago or in the future.
    #[error("notification timestamp out of window")]
    NotificationStale,
    /// A signed notification whose body is not the provider's format.
    #[error("malformed notification: {reason}")]
    NotificationMalformed {
        /// What was wrong (field names, never values).
        reason: String,
    },
    /// A notification for an order the platform does not have.
    #[error("notification for an unknown order")]
    UnknownOrder,
    /// A notification whose amount or order differs from the payment's.
    #[error("notification amount {got_fen} differs from the payment's {expected_fen}")]
    NotificationMismatch {
        /// The payment's amount.
        expected_fen: i64,
        /// The notification's amount.
        got_fen: i64,
    },
    /// The database cannot store anything now (full, read-only).
    #[error("storage unavailable: {0}")]
    StorageUnavailable(String),
    /// The database is unreachable or busy; retry shortly.
    #[error("the database is unavailable")]
    DatabaseUnavailable,
    /// A fault on our side (a bug, corrupt data).
    #[error("internal error: {0}")]
    Internal(String),
}

impl PaymentError {
    /// A stable token for the variant.
    pub fn code(&self) -> &'static str {
        match self {
            PaymentError::InvalidIdempotencyKey => "invalid_idempotency_key",
            PaymentError::IdempotencyKeyReused { .. } => "idempotency_key_reused",
            PaymentError::IdentityRequired => "identity_required",
            PaymentError::AmountInvalid(_) => "amount_invalid",
            PaymentError::AmountOutOfRange { .. } => "amount_out_of_range",
            PaymentError::BillNotFound => "bill_not_found",
            PaymentError::TopUpNotFound => "top_up_not_found",
            PaymentError::BillPaid { .. } => "bill_paid",
            PaymentError::BillExpired { .. } => "bill_expired",
            PaymentError::PaymentInProgress { .. } => "payment_in_progress",
            PaymentError::PaymentNotFound => "payment_not_found",
            PaymentError::NotRefundable { .. } => "not_refundable",
            PaymentError::AlreadyRefunded => "already_refunded",
            PaymentError::RefundReasonRequired => "refund_reason_required",
            PaymentError::DepartmentUnavailable { .. } => "department_unavailable",
            PaymentError::DepartmentNotConnected => "department_not_connected",
            PaymentError::DepartmentRefused { .. } => "department_refused",
            PaymentError::DepartmentFailed { .. } => "department_failed",
            PaymentError::ProviderUnavailable => "provider_unavailable",
            PaymentError::ProviderRefused { .. } => "provider_refused",
            PaymentError::BadSignature { .. } => "bad_signature",
            PaymentError::NotificationStale => "notification_stale",
            PaymentError::NotificationMalformed { .. } => "notification_malformed",
            PaymentError::UnknownOrder => "unknown_order",
            PaymentError::NotificationMismatch { .. } => "notification_mismatch",
            PaymentError::StorageUnavailable(_) => "storage_unavailable",
            PaymentError::DatabaseUnavailable => "database_unavailable",
            PaymentError::Internal(_) => "internal",
        }
    }

    /// Every code [`PaymentError::code`] can return, in declaration order.
    pub const CODES: [&'static str; 28] = [
        "invalid_idempotency_key",
        "idempotency_key_reused",
        "identity_required",
        "amount_invalid",
        "amount_out_of_range",
        "bill_not_found",
        "top_up_not_found",
        "bill_paid",
        "bill_expired",
        "payment_in_progress",
        "payment_not_found",
        "not_refundable",
        "already_refunded",
        "refund_reason_required",
        "department_unavailable",
        "department_not_connected",
        "department_refused",
        "department_failed",
        "provider_unavailable",
        "provider_refused",
        "bad_signature",
        "notification_stale",
        "notification_malformed",
        "unknown_order",
        "notification_mismatch",
        "storage_unavailable",
        "database_unavailable",
        "internal",
    ];

    /// The HTTP status the daemon should answer with.
    pub fn http_status(&self) -> u16 {
        match self {
            PaymentError::InvalidIdempotencyKey
            | PaymentError::AmountInvalid(_)
            | PaymentError::RefundReasonRequired
            | PaymentError::NotificationMalformed { .. } => 400,
            PaymentError::BadSignature { .. } | PaymentError::NotificationStale => 401,
            PaymentError::IdentityRequired => 403,
            PaymentError::BillNotFound
            | PaymentError::TopUpNotFound
            | PaymentError::PaymentNotFound
            | PaymentError::UnknownOrder => 404,
            PaymentError::BillPaid { .. }
            | PaymentError::PaymentInProgress { .. }
            | PaymentError::NotRefundable { .. }
            | PaymentError::AlreadyRefunded
            | PaymentError::BillExpired { .. } => 409,
            PaymentError::IdempotencyKeyReused { .. }
            | PaymentError::AmountOutOfRange { .. }
            | PaymentError::DepartmentRefused { .. }
            | PaymentError::NotificationMismatch { .. } => 422,
            PaymentError::DepartmentNotConnected => 501,
            PaymentError::DepartmentFailed { .. } | PaymentError::ProviderRefused { .. } => 502,
            PaymentError::DepartmentUnavailable { .. }
            | PaymentError::ProviderUnavailable
            | PaymentError::StorageUnavailable(_)
            | PaymentError::DatabaseUnavailable => 503,
            PaymentError::Internal(_) => 500,
        }
    }

    /// Whether the same call may succeed later.
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            PaymentError::DepartmentUnavailable { .. }
                | PaymentError::ProviderUnavailable
                | PaymentError::DatabaseUnavailable
                | PaymentError::StorageUnavailable(_)
        )
    }
}

impl From<StoreError> for PaymentError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::Unavailable => PaymentError::DatabaseUnavailable,
            StoreError::StorageUnavailable(fault) => {
                PaymentError::StorageUnavailable(fault.to_string())
            }
            other => PaymentError::Internal(other.to_string()),
        }
    }
}

impl From<sqlx::Error> for PaymentError {
    fn from(error: sqlx::Error) -> Self {
        PaymentError::from(StoreError::from(error))
    }
}

impl From<GatewayError> for PaymentError {
    fn from(error: GatewayError) -> Self {
        match error {
            GatewayError::Unavailable {
                retry_after_secs, ..
            } => PaymentError::DepartmentUnavailable { retry_after_secs },
            GatewayError::Busy { .. } => PaymentError::DepartmentUnavailable {
                retry_after_secs: Some(1),
            },
            GatewayError::NotConnected { .. } => PaymentError::DepartmentNotConnected,
            GatewayError::Refused { code, .. } => PaymentError::DepartmentRefused { code },
            GatewayError::NotFound { .. } => PaymentError::BillNotFound,
            other => PaymentError::DepartmentFailed { code: other.code() },
        }
    }
}

impl From<ProviderError> for PaymentError {
    fn from(error: ProviderError) -> Self {
        match error {
            ProviderError::Unavailable(_) => PaymentError::ProviderUnavailable,
            ProviderError::Refused { code } => PaymentError::ProviderRefused { code },
            ProviderError::NotFound => PaymentError::ProviderRefused {
                code: "order_not_found".into(),
            },
            ProviderError::Signature(reason) => PaymentError::BadSignature { reason },
            ProviderError::Stale => PaymentError::NotificationStale,
            ProviderError::Malformed(reason) => PaymentError::NotificationMalformed { reason },
            ProviderError::Internal(reason) => PaymentError::Internal(reason),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_listed() {
        let mut codes = PaymentError::CODES.to_vec();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), PaymentError::CODES.len());
        for code in PaymentError::CODES {
            assert!(
                code.bytes().all(|c| c.is_ascii_lowercase() || c == b'_'),
                "{code}"
            );
        }
        let samples = [
            PaymentError::InvalidIdempotencyKey,
            PaymentError::AmountInvalid(AmountProblem::NotPositive),
            PaymentError::BillNotFound,
            PaymentError::PaymentInProgress { payment_id: None },
            PaymentError::Internal("x".into()),
        ];
        for error in samples {
            assert!(PaymentError::CODES.contains(&error.code()));
        }
    }

    #[test]
    fn gateway_errors_map_to_payment_errors() {
        let e = PaymentError::from(GatewayError::Refused {
            code: "subject_unknown".into(),
            reason: "r".into(),
        });
        assert_eq!(e.code(), "department_refused");
        assert_eq!(e.http_status(), 422);
        let e = PaymentError::from(GatewayError::NotConnected {
            department: "d".into(),
        });
        assert_eq!(e.code(), "department_not_connected");
    }
}

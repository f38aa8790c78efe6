//! Payment providers (WeChat Pay, Alipay, UnionPay …) behind one interface,
//! [`Provider`], and the development provider [`DevProvider`] that behaves
//! like them: orders, a confirmation page, signed asynchronous
//! notifications that come late, twice, out of order or never, queries,
//! refunds and daily statements.
//!
//! The platform's payment id is the provider's `out_trade_no` (商户订单号):
//! every call names the order by it, so a retried call never makes a second
//! order.

mod dev;
#[cfg(feature = "dev-provider")]
pub mod page;
pub(crate) mod rng;
pub mod wire;

use async_trait::async_trait;
use http::HeaderMap;
use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime};

pub use dev::{Chaos, Delivery, DevOrderView, DevProvider, DevProviderConfig, Outgoing};

/// What can go wrong with a provider.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProviderError {
    /// Unreachable, timed out, 5xx: retry later (the same call is safe).
    #[error("provider unavailable: {0}")]
    Unavailable(String),
    /// Understood and refused (`order_paid`, `order_closed`,
    /// `out_trade_no_reused`, `amount_invalid`, `refund_exceeds` …).
    #[error("provider refused ({code})")]
    Refused {
        /// The provider's code, mapped to these tokens by the adapter.
        code: String,
    },
    /// The provider has no such order.
    #[error("order not found at the provider")]
    NotFound,
    /// A notification's signature is missing, malformed, by an unknown key
    /// or wrong.
    #[error("notification signature refused: {0}")]
    Signature(&'static str),
    /// A notification signed outside the time window.
    #[error("notification timestamp out of window")]
    Stale,
    /// A signed notification that is not the provider's format.
    #[error("malformed notification: {0}")]
    Malformed(String),
    /// A fault in the adapter (configuration, keys).
    #[error("provider adapter error: {0}")]
    Internal(String),
}

impl ProviderError {
    /// Whether the same call may succeed later.
    pub fn is_transient(&self) -> bool {
        matches!(self, ProviderError::Unavailable(_))
    }

    /// A stable token for logs and metrics.
    pub fn code(&self) -> &str {
        match self {
            ProviderError::Unavailable(_) => "unavailable",
            ProviderError::Refused { code } => code,
            ProviderError::NotFound => "not_found",
            ProviderError::Signature(_) => "bad_signature",
            ProviderError::Stale => "stale",
            ProviderError::Malformed(_) => "malformed",
            ProviderError::Internal(_) => "internal",
        }
    }
}

/// An order to create (统一下单).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderRequest {
    /// The platform's payment id (商户订单号), the idempotency key: the same
    /// id with the same amount returns the same order.
    pub out_trade_no: String,
    /// Amount in fen.
    pub amount_fen: i64,
    /// What is paid, for the provider's page and statement (电费 2026年9月).
    pub description: String,
    /// Who is paid (shown on the page).
    pub payee: String,
    /// Where the provider sends notifications.
    pub notify_url: String,
    /// Where the provider sends the person back after paying.
    pub return_url: String,
    /// When the order closes unpaid.
    pub expires_at: OffsetDateTime,
}

/// A created order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Order {
    /// The provider's order id (交易单号).
    pub order_id: String,
    /// Where the person pays (a page, or a deep link the app opens).
    pub pay_url: String,
}

/// The state of an order at the provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum OrderStatus {
    /// Not paid yet (待支付).
    Pending,
    /// Paid.
    Paid {
        /// When.
        #[serde(with = "time::serde::rfc3339")]
        paid_at: OffsetDateTime,
    },
    /// Closed unpaid (cancelled or lapsed).
    Closed,
    /// Paid, then refunded in full.
    Refunded {
        /// When it was paid.
        #[serde(with = "time::serde::rfc3339")]
        paid_at: OffsetDateTime,
        /// When the refund completed.
        #[serde(with = "time::serde::rfc3339")]
        refunded_at: OffsetDateTime,
    },
}

/// An order as the provider reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderState {
    /// The platform's payment id.
    pub out_trade_no: String,
    /// The provider's order id.
    pub order_id: String,
    /// Amount in fen.
    pub amount_fen: i64,
    /// Where it stands.
    pub status: OrderStatus,
}

/// A full refund to make (退款申请), idempotent by `refund_id`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefundRequest {
    /// The payment id.
    pub out_trade_no: String,
    /// The platform's refund id (商户退款单号).
    pub refund_id: String,
    /// Amount in fen (the whole payment).
    pub amount_fen: i64,
    /// A short reason for the provider's records (no personal data).
    pub reason: String,
    /// Where the provider sends the refund's notification.
    pub notify_url: String,
}

/// Where a refund stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefundState {
    /// Accepted, not completed yet (a notification or a later call tells).
    Processing,
    /// The money went back.
    Succeeded {
        /// The provider's refund id.
        provider_refund_id: String,
        /// When.
        at: OffsetDateTime,
    },
}

/// What a notification says happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotificationEvent {
    /// The order was paid.
    Paid {
        /// When.
        paid_at: OffsetDateTime,
    },
    /// The order was closed unpaid (the person cancelled, or it lapsed).
    Closed,
    /// A refund completed.
    Refunded {
        /// The platform's refund id.
        refund_id: String,
        /// The provider's refund id.
        provider_refund_id: String,
        /// When.
        at: OffsetDateTime,
    },
}

impl NotificationEvent {
    /// A token for logs and the notifications table.
    pub fn name(&self) -> &'static str {
        match self {
            NotificationEvent::Paid { .. } => "paid",
            NotificationEvent::Closed => "closed",
            NotificationEvent::Refunded { .. } => "refunded",
        }
    }
}

/// A verified, parsed notification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notification {
    /// The provider's notification id (the same on every re-delivery).
    pub id: String,
    /// The payment id.
    pub out_trade_no: String,
    /// The provider's order id.
    pub order_id: String,
    /// Amount in fen (the order's, or the refund's).
    pub amount_fen: i64,
    /// What happened.
    pub event: NotificationEvent,
}

/// The answer the daemon gives the provider for a notification (each
/// provider wants its own: WeChat Pay a 200/204, Alipay the text
/// `success` …).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ack {
    /// HTTP status.
    pub status: u16,
    /// `Content-Type`.
    pub content_type: &'static str,
    /// Body.
    pub body: String,
}

/// One line of a provider's daily statement (对账单).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatementLine {
    /// The payment id the order was made with (`out_trade_no`).
    pub out_trade_no: String,
    /// The provider's order id.
    pub order_id: String,
    /// `payment` or `refund`.
    pub kind: LineKind,
    /// Amount in fen (positive for both kinds).
    pub amount_fen: i64,
    /// When it happened.
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
}

/// Payment or refund.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LineKind {
    /// Money in.
    Payment,
    /// Money back.
    Refund,
}

/// A provider's statement of one China day.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Statement {
    /// Every payment and refund of the day.
    pub lines: Vec<StatementLine>,
}

/// A payment provider. An adapter for a real provider maps its API onto
/// these calls (docs/PAYMENTS.md says what each must guarantee).
#[async_trait]
pub trait Provider: Send + Sync + std::fmt::Debug {
    /// A short stable name (`dev`, `wechat`, `alipay`, `unionpay`), stored
    /// with each payment.
    fn name(&self) -> &str;

    /// Creates an order, or returns the existing one for the same
    /// `out_trade_no` and amount (`Refused { code: "out_trade_no_reused" }`
    /// for another amount).
    async fn create_order(&self, req: &OrderRequest) -> Result<Order, ProviderError>;

    /// The order's state (主动查询).
    async fn query_order(&self, out_trade_no: &str) -> Result<OrderState, ProviderError>;

    /// Closes an unpaid order so it can no longer be paid, and returns its
    /// state after: `Closed`, or `Paid` when the person paid first.
    async fn close_order(&self, out_trade_no: &str) -> Result<OrderState, ProviderError>;

    /// Refunds a paid order in full, idempotent by `refund_id` (calling it
    /// again reports the refund's state).
    async fn refund(&self, req: &RefundRequest) -> Result<RefundState, ProviderError>;

    /// Checks a notification's signature (with the provider's public key
    /// configured, within a time window around `now`) and parses it.
    fn verify_notification(
        &self,
        body: &[u8],
        headers: &HeaderMap,
        now: OffsetDateTime,
    ) -> Result<Notification, ProviderError>;

    /// The answer to a notification: `accepted` when it was processed (or
    /// was a duplicate), so the provider stops re-sending it.
    fn acknowledgement(&self, accepted: bool) -> Ack;

    /// The statement of a China day (对账单下载).
    async fn statement(&self, day: Date) -> Result<Statement, ProviderError>;
}

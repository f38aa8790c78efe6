//! # yuesou-payments — 缴费: bills and payments, exactly once
//!
//! Bills come from the departments through [`yuesou_gateway`]'s
//! `DepartmentGateway` (bills, top-up offers, settlement idempotent by
//! payment id). Money moves through a payment [`Provider`] (WeChat Pay,
//! Alipay, UnionPay …; [`DevProvider`] behaves like them on one machine).
//! [`Payments`] ties the two together over the store's database:
//!
//! ```text
//! created ──► paying ──► paid ──► settled ──► refunding ──► refunded
//!    │           │         │                      ▲
//!    ▼           ▼         └── department refused ┘
//! expired      failed / expired   (a late payment of either is paid, or refunded)
//! ```
//!
//! Every change of status is a conditional update recorded with its cause
//! (docs/PAYMENTS.md has the guarantees and how each is enforced):
//!
//! - the same `Idempotency-Key` of an account is the same payment;
//! - a bill has at most one live or successful payment (a partial unique
//!   index): a second device paying at the same second gets
//!   [`PaymentError::PaymentInProgress`];
//! - a notification is verified (Ed25519 for the development provider)
//!   before anything is read from it; duplicates, late and out-of-order
//!   ones change nothing twice; lost ones are made up by
//!   [`Payments::recover`]'s query;
//! - a paid payment is settled with the department exactly once, even
//!   across a crash: settlement is idempotent by payment id and the
//!   `paid → settled` transition, the settlement and the receipt commit
//!   together.
//!
//! No HTTP routes here (but the development provider's page, feature
//! `dev-provider`): the daemon composes this crate.

#![warn(missing_docs)]

mod error;
mod ids;
mod items;
mod metrics;
mod model;
pub mod money;
mod notify;
pub mod provider;
mod receipts;
mod reconcile;
mod recover;
mod refund;
mod service;
mod settings;
mod settle;
mod store;
pub mod testdata;

use std::sync::Arc;

use yuesou_gateway::{Clock, DepartmentGateway};
use yuesou_store::Db;

pub use error::{AmountProblem, PaymentError};
pub use items::{BillFamilies, FamiliesError, ItemInfo, PayableItem, PayableItems};
pub use metrics::PaymentStats;
pub use model::{
    BillQuery, BillState, BillView, BillsView, Created, Operator, Payer, Payment, PaymentStatus,
    PaymentTarget, Receipt, TopUpView, Transition,
};
pub use notify::{Effect, NotificationOutcome};
pub use provider::{
    Ack, Chaos, Delivery, DevProvider, DevProviderConfig, Notification, NotificationEvent,
    Outgoing, Provider, ProviderError, Statement, StatementLine,
};
pub use reconcile::{Mismatch, MismatchKind, ReconciliationReport};
pub use recover::RecoveryReport;
pub use settings::Settings;

/// Shorthand for results of this crate.
pub type Result<T, E = PaymentError> = std::result::Result<T, E>;

/// Payments over a database, the department gateway and a provider. Cheap
/// to clone (one `Arc`); several instances (replicas) may share one
/// PostgreSQL database.
#[derive(Clone)]
pub struct Payments {
    inner: Arc<Inner>,
}

struct Inner {
    db: Db,
    gateway: Arc<dyn DepartmentGateway>,
    provider: Arc<dyn Provider>,
    clock: Arc<dyn Clock>,
    items: PayableItems,
    settings: Settings,
    metrics: metrics::Metrics,
}

impl std::fmt::Debug for Payments {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Payments")
            .field("provider", &self.inner.provider.name())
            .field("items", &self.inner.items.len())
            .finish()
    }
}

impl Payments {
    /// Payments over `db` (migrated by the store), asking `gateway` for
    /// bills and settlements, paying through `provider`, for the payable
    /// `items`, telling the time by `clock`.
    pub fn new(
        db: Db,
        gateway: Arc<dyn DepartmentGateway>,
        provider: Arc<dyn Provider>,
        items: PayableItems,
        settings: Settings,
        clock: Arc<dyn Clock>,
    ) -> Payments {
        Payments {
            inner: Arc::new(Inner {
                db,
                gateway,
                provider,
                clock,
                items,
                settings,
                metrics: metrics::Metrics::default(),
            }),
        }
    }

    /// The database.
    pub fn db(&self) -> &Db {
        &self.inner.db
    }

    /// The provider (the daemon answers notifications with its
    /// [`Provider::acknowledgement`]).
    pub fn provider(&self) -> &Arc<dyn Provider> {
        &self.inner.provider
    }

    /// The settings.
    pub fn settings(&self) -> &Settings {
        &self.inner.settings
    }

    /// The payable items.
    pub fn items(&self) -> &PayableItems {
        &self.inner.items
    }

    /// Counters since start, for the metrics endpoint.
    pub fn stats(&self) -> PaymentStats {
        self.inner.metrics.snapshot()
    }

    fn now(&self) -> time::OffsetDateTime {
        self.inner.clock.now()
    }
}

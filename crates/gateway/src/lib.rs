//! # yuesou-gateway — asking departments (查询, 证明, 缴费)
//!
//! The platform asks departments for a person's records (查询), the facts
//! of a certificate (证明) and bills (缴费), and tells them when a bill was
//! paid — all through one interface, [`DepartmentGateway`], with two
//! implementations:
//!
//! - [`HttpGateway`]: the signed JSON-over-HTTPS contract of
//!   docs/INTEGRATION.md, which a department (or the provincial data
//!   exchange) implements. One pooled client; per department a timeout,
//!   retries with backoff and jitter, a circuit breaker, a concurrency
//!   limit, a response size cap and strict parsing.
//! - [`DevGateway`]: deterministic, plausible data for any person from the
//!   record kinds and certificate families of `data/records/` (their format
//!   and the dev-hint language are defined by `data/records/README.md`;
//!   [`kinds`], [`hints`], [`certificates`] and [`services`] load them), so
//!   one machine runs the whole platform.
//!
//! Both ends of the request signature live in [`signing`]: the platform
//! signs, a department verifies with [`signing::Verifier`]. With the
//! `test-server` feature, [`testing::ReferenceServer`] is a department
//! speaking the contract, backed by any gateway (e.g. a [`DevGateway`]).
//!
//! No HTTP routes and no database here: the daemon composes this crate.

#![warn(missing_docs)]

pub mod certificates;
pub mod clock;
pub(crate) mod dev;
mod error;
mod gateway;
pub mod hints;
mod http;
pub mod kinds;
mod model;
pub mod services;
pub mod signing;
mod stats;
#[cfg(feature = "test-server")]
pub mod testing;
pub mod wire;

pub use certificates::{CertificateDef, Certificates};
pub use clock::{Clock, ManualClock, SkewedClock, SystemClock};
pub use dev::{
    DevBillKinds, DevGateway, DevKnobs, DevWords, LedgerEntry, MemoryLedger, Recorded,
    SettlementLedger,
};
pub use error::GatewayError;
pub use gateway::DepartmentGateway;
pub use http::{
    Algorithm, BreakerConfig, ClientConfig, ConfigError, DepartmentConfig, GatewayConfig,
    HttpGateway, Secret,
};
pub use kinds::{
    FilterError, FilterProblem, Level, LoadError, RecordKind, RecordKinds, check_filter_values,
};
pub use model::{
    Bill, BillStatus, Bills, BillsRequest, CertificateFacts, CertificateRequest, Column,
    ColumnType, MAX_PAGE_SIZE, RecordsPage, RecordsRequest, Revocation, Revocations, ServiceRef,
    SettleRequest, SettleTarget, Settlement, SubjectRef, TopUp,
};
pub use services::Services;
pub use stats::{
    BreakerState, DepartmentStats, GatewayStats, Histogram, LATENCY_BUCKETS_MS, Operation,
};

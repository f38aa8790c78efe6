//! Helpers for test suites that run on PostgreSQL as well as SQLite: the
//! store's (see [`yuesou_store::testing`]), re-exported for this crate's
//! and the daemon's tests.

pub use yuesou_store::testing::{postgres_schema, postgres_url};

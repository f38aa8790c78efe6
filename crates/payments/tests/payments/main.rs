//! The payments suite, on SQLite and (when reachable) PostgreSQL.

mod support;

mod create;
mod http;
mod notify;
mod recovery;
mod refunds;

//! The personal centre, the wallet and their security over HTTP, against
//! daemons started by the tests (in-process or as child processes), on SQLite
//! and PostgreSQL. One test binary: each former file is a module.

#[path = "../centre_process/mod.rs"]
mod centre_process;
#[path = "../centre_support/mod.rs"]
mod centre_support;

mod activity_http;
mod booking_durability;
mod centre_durability;
mod centre_faults;
mod centre_http;
mod centre_privacy;
mod materials_http;
mod payment_durability;
mod replicas;
mod security_matrix;
mod wallet_http;

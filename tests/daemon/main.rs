//! The daemon itself: the search API, the web app's assets, start-up,
//! shutdown, hot reload and the index command. One test binary: each former
//! file is a module.

#[path = "../daemon_support/mod.rs"]
mod daemon_support;

mod cli_index;
mod daemon_lifecycle;
mod daemon_reload;
mod search_api;
mod web_app;

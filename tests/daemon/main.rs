//! The daemon itself: the search API, the web app's assets, start-up,
//! shutdown, hot reload, the index command and the 办理 flows. One test
//! binary: each former file is a module.

#[path = "../daemon_support/mod.rs"]
mod daemon_support;

mod cli_index;
mod daemon_lifecycle;
mod daemon_reload;
mod flows;
mod search_api;
mod web_app;

//! What the daemon does besides answering HTTP, for the routes to use:
//! remembering what people search (history and hot searches),
//! recommending services, and asking departments (查询, 证明). None knows
//! HTTP.

pub(crate) mod activity;
pub(crate) mod booking;
pub(crate) mod departments;
pub(crate) mod payments;
pub(crate) mod platform_records;
pub(crate) mod reading;
pub(crate) mod recommend;

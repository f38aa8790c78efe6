//! What the daemon does besides answering HTTP, for the routes to use:
//! remembering what people search (history and hot searches) and
//! recommending services. Neither knows HTTP.

pub(crate) mod activity;
pub(crate) mod reading;
pub(crate) mod recommend;

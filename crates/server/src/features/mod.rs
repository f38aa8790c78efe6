//! What the daemon does besides answering HTTP, for the routes to use:
//! remembering what people search (history and hot searches),
//! recommending services, asking departments (查询, 证明), the booking desk
//! (预约, with its reminder loop), the payments desk (缴费, with its
//! loop of recovery, receipts and reconciliation) and the typed 办理 flows
//! with their field checks, and the materials of applications (uploads,
//! blobs and their sweep). None knows HTTP.

pub(crate) mod activity;
pub(crate) mod booking;
pub(crate) mod departments;
pub(crate) mod flows;
pub(crate) mod materials;
pub(crate) mod payments;
pub(crate) mod platform_records;
pub(crate) mod reading;
pub(crate) mod recommend;

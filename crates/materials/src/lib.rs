//! # yuesou-materials — 申请材料: the files of an application
//!
//! A person uploads photos and scans (JPEG, PNG, WebP) and PDFs for the
//! material slots of an application's flow. This crate does everything
//! but HTTP:
//!
//! - [`sniff`]: the kind is read from the bytes (magic numbers), never from
//!   the client's header or the file's name; HEIC is refused with its own
//!   error (no well-kept pure-Rust decoder), everything else as
//!   unsupported;
//! - [`Incoming`]: the upload streams to a temporary file while it is
//!   hashed and counted against the per-file limit and the application's
//!   quota — memory does not grow with the file;
//! - [`prepare()`]: images are decoded under a pixel limit and re-encoded
//!   (no EXIF, no GPS), PDFs are stored as sent, never rendered;
//! - [`Blobs`]: content-addressed storage through `object_store` (local
//!   files by default, S3-compatible to share between replicas), each blob
//!   synced before its row is written;
//! - [`Materials`]: the rows (SQLite and PostgreSQL, through
//!   `yuesou-store`), the quota and slot checks under the application's row
//!   lock, audited downloads, deletion, and the sweep of blobs no row
//!   names;
//! - [`display_name`]: the client's file name, checked, kept only to show.
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use yuesou_materials::{Blobs, Limits, Materials, Owner, Slot};
//! use yuesou_store::Db;
//!
//! let dir = std::path::Path::new("yuesou-data");
//! let db = Db::open_sqlite(dir).await?;
//! let materials = Materials::new(db, Blobs::open(None, dir)?, Limits::default(), &dir.join("uploads"));
//! let owner = Owner { account_id: "acc_1", actor_id: "acc_1" };
//! let room = materials.room(owner, "app_1").await?;
//! let mut incoming = materials.receive(room)?;
//! incoming.write(b"%PDF-1.7\n...").await?;
//! let slot = Slot { name: "property", max_files: 3, images: true, pdf: true };
//! let material = materials
//!     .store(owner, "app_1", slot, incoming.finish().await?, Some("房产证明.pdf".into()))
//!     .await?;
//! println!("{} {}", material.id, material.sha256);
//! # Ok(()) }
//! ```

#![warn(missing_docs)]

mod blobs;
mod error;
mod incoming;
mod materials;
mod name;
pub mod prepare;
mod sniff;

pub use blobs::{BlobInfo, Blobs};
pub use error::{MaterialError, Result};
pub use incoming::{Incoming, Received};
pub use materials::{
    DECODES_AT_ONCE, DEFAULT_GRACE, Limits, Material, Materials, Owner, Slot, SweepReport,
};
pub use name::{MAX_NAME_CHARS, display_name};
pub use prepare::{Prepared, prepare};
pub use sniff::{Kind, SNIFF_BYTES, sniff};

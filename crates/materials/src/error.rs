//! What can go wrong, as typed errors with a stable [`MaterialError::code`]
//! and HTTP status each. The daemon renders the Chinese text from its
//! message files; the `Display` texts here are for logs and carry no
//! personal data (no file names, no contents).

use yuesou_store::{StorageFault, StoreError};

/// A materials error.
#[derive(Debug, thiserror::Error)]
pub enum MaterialError {
    /// No such application or material of this account (another person's
    /// ids look exactly like ids that do not exist).
    #[error("no such application or material")]
    NotFound,
    /// The application is no longer a draft or 待补正: materials are fixed.
    #[error("the application is {status}: its materials cannot change")]
    NotEditable {
        /// Its status as stored (`submitted` …).
        status: String,
    },
    /// The file is larger than the per-file limit.
    #[error("the file is larger than {max} bytes")]
    TooLarge {
        /// The limit, in bytes.
        max: u64,
    },
    /// The application's materials would exceed the per-application quota.
    #[error("the application's materials would exceed {max} bytes")]
    QuotaExceeded {
        /// The quota, in bytes.
        max: u64,
    },
    /// The slot holds its most files already.
    #[error("the slot holds {max} files already")]
    SlotFull {
        /// The most files of the slot.
        max: u8,
    },
    /// The bytes are no JPEG, PNG, WebP or PDF (whatever the name says).
    #[error("unsupported content ({found})")]
    UnsupportedType {
        /// What the bytes are, as far as known (`application/x-executable`,
        /// `unknown` …).
        found: String,
    },
    /// A HEIC/HEIF photo: no well-kept pure-Rust decoder (docs/DECISIONS.md).
    #[error("HEIC/HEIF photos are not accepted")]
    Heic,
    /// The slot does not take this kind of file (an image where only a
    /// PDF is taken …).
    #[error("the slot does not take {kind}")]
    NotAccepted {
        /// `image` or `pdf`.
        kind: &'static str,
    },
    /// The image cannot be decoded: truncated, corrupt.
    #[error("the image cannot be decoded")]
    BadImage,
    /// The image has more pixels (or a longer side) than allowed.
    #[error("the image is {width}x{height}, more than {max_pixels} pixels allowed")]
    TooManyPixels {
        /// Its width.
        width: u32,
        /// Its height.
        height: u32,
        /// The most pixels allowed.
        max_pixels: u64,
    },
    /// A PDF that does not start with `%PDF-`.
    #[error("not a PDF document")]
    BadPdf,
    /// The display name has path separators or control characters, or is
    /// too long.
    #[error("bad file name: {reason}")]
    BadName {
        /// What is wrong (fixed text).
        reason: &'static str,
    },
    /// The blob store failed (a full disk, S3 unreachable …); nothing was
    /// stored.
    #[error("the blob store failed: {0}")]
    Blobs(String),
    /// The database is unreachable or overloaded; retry shortly.
    #[error("the database is unavailable; retry shortly")]
    Unavailable,
    /// The database cannot store anything now; nothing was saved.
    #[error("the server's storage is {0}: nothing was saved")]
    StorageUnavailable(StorageFault),
    /// An unexpected fault (a bug, corrupt data), never caused by input.
    #[error("internal error: {0}")]
    Internal(String),
}

impl MaterialError {
    /// The stable code (kebab-case, like the daemon's message ids without
    /// their `err-material-` prefix).
    pub fn code(&self) -> &'static str {
        match self {
            MaterialError::NotFound => "not-found",
            MaterialError::NotEditable { .. } => "not-editable",
            MaterialError::TooLarge { .. } => "too-large",
            MaterialError::QuotaExceeded { .. } => "quota-exceeded",
            MaterialError::SlotFull { .. } => "slot-full",
            MaterialError::UnsupportedType { .. } => "unsupported-type",
            MaterialError::Heic => "heic",
            MaterialError::NotAccepted { .. } => "not-accepted",
            MaterialError::BadImage => "bad-image",
            MaterialError::TooManyPixels { .. } => "too-many-pixels",
            MaterialError::BadPdf => "bad-pdf",
            MaterialError::BadName { .. } => "bad-name",
            MaterialError::Blobs(_) => "blobs",
            MaterialError::Unavailable => "unavailable",
            MaterialError::StorageUnavailable(_) => "storage-unavailable",
            MaterialError::Internal(_) => "internal",
        }
    }

    /// The HTTP status the daemon answers with.
    pub fn http_status(&self) -> u16 {
        match self {
            MaterialError::NotFound => 404,
            MaterialError::NotEditable { .. } | MaterialError::SlotFull { .. } => 409,
            MaterialError::TooLarge { .. } | MaterialError::QuotaExceeded { .. } => 413,
            MaterialError::UnsupportedType { .. }
            | MaterialError::Heic
            | MaterialError::NotAccepted { .. } => 415,
            MaterialError::BadImage
            | MaterialError::TooManyPixels { .. }
            | MaterialError::BadPdf
            | MaterialError::BadName { .. } => 422,
            MaterialError::Blobs(_)
            | MaterialError::Unavailable
            | MaterialError::StorageUnavailable(_) => 503,
            MaterialError::Internal(_) => 500,
        }
    }
}

impl From<StoreError> for MaterialError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::Unavailable => MaterialError::Unavailable,
            StoreError::StorageUnavailable(fault) => MaterialError::StorageUnavailable(fault),
            StoreError::Duplicate(constraint) => {
                MaterialError::Internal(format!("unexpected duplicate ({constraint})"))
            }
            StoreError::BadUrl(reason) | StoreError::Internal(reason) => {
                MaterialError::Internal(reason)
            }
        }
    }
}

impl From<sqlx::Error> for MaterialError {
    fn from(error: sqlx::Error) -> Self {
        StoreError::from(error).into()
    }
}

impl From<object_store::Error> for MaterialError {
    fn from(error: object_store::Error) -> Self {
        MaterialError::Blobs(error.to_string())
    }
}

impl From<std::io::Error> for MaterialError {
    fn from(error: std::io::Error) -> Self {
        MaterialError::Blobs(format!("temporary file: {error}"))
    }
}

/// Shorthand for results of this crate.
pub type Result<T, E = MaterialError> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_statuses_are_http_errors() {
        let all = [
            MaterialError::NotFound,
            MaterialError::NotEditable {
                status: "submitted".into(),
            },
            MaterialError::TooLarge { max: 1 },
            MaterialError::QuotaExceeded { max: 1 },
            MaterialError::SlotFull { max: 1 },
            MaterialError::UnsupportedType {
                found: "unknown".into(),
            },
            MaterialError::Heic,
            MaterialError::NotAccepted { kind: "pdf" },
            MaterialError::BadImage,
            MaterialError::TooManyPixels {
                width: 1,
                height: 1,
                max_pixels: 1,
            },
            MaterialError::BadPdf,
            MaterialError::BadName { reason: "x" },
            MaterialError::Blobs("x".into()),
            MaterialError::Unavailable,
            MaterialError::StorageUnavailable(StorageFault::Full),
            MaterialError::Internal("x".into()),
        ];
        let codes: std::collections::HashSet<_> = all.iter().map(MaterialError::code).collect();
        assert_eq!(codes.len(), all.len());
        assert!(all.iter().all(|e| (400..=503).contains(&e.http_status())));
        assert_eq!(MaterialError::Heic.http_status(), 415);
        assert_eq!(MaterialError::TooLarge { max: 1 }.http_status(), 413);
    }
}

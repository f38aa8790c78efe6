//! Error types of the engine.

use std::path::PathBuf;
use yuesou_messages::Text;

/// Everything that can go wrong while loading data or answering a query.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A data or dictionary file could not be read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The file that failed.
        path: PathBuf,
        /// The underlying I/O error.
        source: std::io::Error,
    },
    /// A row of a data or dictionary file is invalid. Loading stops at the
    /// first file with errors and reports every bad row of it.
    #[error("{}", format_rows(.0))]
    InvalidRows(Vec<RowError>),
    /// The full-text index failed.
    #[error("index error: {0}")]
    Index(#[from] tantivy::TantivyError),
    /// The persisted index directory could not be prepared.
    #[error("index directory {path}: {source}")]
    IndexDir {
        /// The directory that failed.
        path: PathBuf,
        /// The underlying I/O error.
        source: std::io::Error,
    },
    /// A search request is invalid (bad page, unknown filter value …): the
    /// reason as a message for the reader (see `yuesou-messages`).
    #[error("invalid request: {0}")]
    InvalidRequest(Text),
    /// A request names an item id the catalogue does not have.
    #[error("no service item with id {0:?}")]
    UnknownItem(String),
}

/// One bad row in a data or dictionary file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    /// The file the row is in.
    pub file: PathBuf,
    /// 1-based line number.
    pub line: usize,
    /// Why the row was rejected.
    pub reason: String,
}

impl std::fmt::Display for RowError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}: {}", self.file.display(), self.line, self.reason)
    }
}

fn format_rows(rows: &[RowError]) -> String {
    const SHOWN: usize = 20;
    let mut out = format!("{} invalid row(s):", rows.len());
    for row in rows.iter().take(SHOWN) {
        out.push_str("\n  ");
        out.push_str(&row.to_string());
    }
    if rows.len() > SHOWN {
        out.push_str(&format!("\n  … and {} more", rows.len() - SHOWN));
    }
    out
}

/// Result alias of the engine.
pub type Result<T, E = Error> = std::result::Result<T, E>;

pub(crate) fn read_to_string(path: &std::path::Path) -> Result<String> {
    std::fs::read_to_string(path).map_err(|source| Error::Io {
        path: path.to_path_buf(),
        source,
    })
}

//! Where the engine's input files are, and a fingerprint of their contents.

use std::path::{Path, PathBuf};

use crate::dictionaries;
use crate::index::SCHEMA_VERSION;

/// Paths of everything the engine loads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resources {
    /// Service catalogue (JSON Lines).
    pub catalogue: PathBuf,
    /// Division gazetteer (JSON Lines).
    pub divisions: PathBuf,
    /// Towns and streets (JSON Lines; optional).
    pub towns: PathBuf,
    /// Service halls (JSON Lines).
    pub halls: PathBuf,
    /// Reference points outside Guangdong for reverse geocoding (JSON Lines;
    /// optional).
    pub outside: PathBuf,
    /// Directory of dictionary files.
    pub dictionaries: PathBuf,
}

impl Resources {
    /// The bundled layout under a project root: `data/catalogue.jsonl`,
    /// `data/divisions.jsonl`, `data/towns.jsonl`, `data/halls.jsonl`,
    /// `data/outside.jsonl` and `dictionaries/`.
    pub fn bundled(root: &Path) -> Self {
        Resources {
            catalogue: root.join("data/catalogue.jsonl"),
            divisions: root.join("data/divisions.jsonl"),
            towns: root.join("data/towns.jsonl"),
            halls: root.join("data/halls.jsonl"),
            outside: root.join("data/outside.jsonl"),
            dictionaries: root.join("dictionaries"),
        }
    }

    /// The same resources with another catalogue (an operator's own).
    pub fn with_catalogue(mut self, catalogue: impl Into<PathBuf>) -> Self {
        self.catalogue = catalogue.into();
        self
    }

    /// Every file the engine reads, for change detection.
    pub fn files(&self) -> Vec<PathBuf> {
        let mut files = vec![
            self.catalogue.clone(),
            self.divisions.clone(),
            self.towns.clone(),
            self.halls.clone(),
            self.outside.clone(),
        ];
        files.extend(
            dictionaries::files::ALL
                .iter()
                .map(|f| self.dictionaries.join(f)),
        );
        files
    }

    /// A hex digest of the schema version and the contents of every input
    /// file: equal fingerprints mean an index built earlier can be reused.
    pub fn fingerprint(&self) -> String {
        let mut hasher = blake3::Hasher::new();
        hasher.update(&SCHEMA_VERSION.to_le_bytes());
        for path in self.files() {
            match std::fs::read(&path) {
                Ok(bytes) => {
                    hasher.update(&(bytes.len() as u64).to_le_bytes());
                    hasher.update(&bytes);
                }
                Err(_) => {
                    hasher.update(b"<missing>");
                }
            }
        }
        hasher.finalize().to_hex()[..20].to_string()
    }
}

//! Which record kind answers each 查询 family: `data/records/services.json`,
//! `{"format": 1, "services": {family: kind code}}`.
//!
//! A family is an item id without its last `-…` part (`gjj-jcmx-440100` →
//! `gjj-jcmx`); city variants of a service share family and kind, and the
//! item itself travels with each request ([`crate::ServiceRef`]).
//!
//! ```
//! use yuesou_gateway::{RecordKinds, Services};
//! # let kinds = RecordKinds::default();
//! let services = Services::parse("services.json", r#"{"format": 1, "services": {}}"#, &kinds)
//!     .map_err(|e| e.to_string())?;
//! assert!(services.kind_of("gjj-jcmx").is_none());
//! # Ok::<(), String>(())
//! ```

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use crate::kinds::{LoadError, RecordKinds};
use crate::model::is_family;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ServicesFile {
    format: u32,
    services: BTreeMap<String, String>,
}

/// The 查询 families and the kinds that answer them.
#[derive(Debug, Clone, Default)]
pub struct Services {
    families: BTreeMap<String, String>,
}

impl Services {
    /// Loads `data/records/services.json` and checks it against the kinds.
    pub fn load(path: &Path, kinds: &RecordKinds) -> Result<Services, LoadError> {
        let name = path.display().to_string();
        let text = std::fs::read_to_string(path)
            .map_err(|e| LoadError::new(&name, format!("cannot read: {e}")))?;
        Services::parse(&name, &text, kinds)
    }

    /// Parses a services file: every family maps to a loaded kind, and
    /// every kind's `dev_variants` names only families mapped to it.
    pub fn parse(file: &str, text: &str, kinds: &RecordKinds) -> Result<Services, LoadError> {
        let parsed: ServicesFile =
            serde_json::from_str(text).map_err(|e| LoadError::new(file, e.to_string()))?;
        if parsed.format != 1 {
            return Err(LoadError::new(
                file,
                format!("format {} is not 1", parsed.format),
            ));
        }
        for (family, code) in &parsed.services {
            if !is_family(family) {
                return Err(LoadError::new(file, format!("{family:?} is not a family")));
            }
            if kinds.get(code).is_none() {
                return Err(LoadError::new(
                    file,
                    format!("family {family} maps to unknown kind {code}"),
                ));
            }
        }
        for kind in kinds.iter() {
            for family in kind.dev_variants.keys() {
                if parsed.services.get(family) != Some(&kind.code) {
                    return Err(LoadError::new(
                        file,
                        format!(
                            "kind {} has dev_variants for {family}, which is not mapped to it",
                            kind.code
                        ),
                    ));
                }
            }
        }
        Ok(Services {
            families: parsed.services,
        })
    }

    /// The kind code answering a family.
    pub fn kind_of(&self, family: &str) -> Option<&str> {
        self.families.get(family).map(String::as_str)
    }

    /// The families a kind answers, in order.
    pub fn families_of<'a>(&'a self, kind: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.families
            .iter()
            .filter(move |(_, k)| k.as_str() == kind)
            .map(|(f, _)| f.as_str())
    }

    /// Every (family, kind code).
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.families.iter().map(|(f, k)| (f.as_str(), k.as_str()))
    }

    /// How many families.
    pub fn len(&self) -> usize {
        self.families.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.families.is_empty()
    }
}

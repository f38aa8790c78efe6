//! Certificate families (证明): what a department certifies, into which
//! licence type of 我的证照, for how long. Loaded from
//! `data/records/certificates.json` (format in `data/records/README.md`):
//!
//! ```
//! use yuesou_gateway::Certificates;
//! let certs = Certificates::parse("certificates.json", r#"{"format": 1, "certificates": {"hz-hjzm": {
//!   "licence_type": "household_certificate", "valid_days": 90, "level": "L3",
//!   "purpose_required": false, "purposes": [],
//!   "facts": ["number", "household_address"],
//!   "dev": {"number": {"gen": "text", "template": "{year}44{n4}{n4}{n2}"},
//!           "household_address": {"gen": "text", "template": "{city}{district}{road}{num}号"}}}}}"#)
//!     .map_err(|e| e.to_string())?;
//! assert_eq!(certs.get("hz-hjzm").and_then(|c| c.valid_days), Some(90));
//! # Ok::<(), String>(())
//! ```
//!
//! The platform fills `holder`, `holder_name`, `authority` (the item's
//! department), `issued_on`, `expires_on` and `purpose`; everything else,
//! the certificate `number` included, is a fact from the department.

use std::collections::{BTreeMap, HashSet};
use std::path::Path;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::hints::{self, Hint, Refs, Slot};
use crate::kinds::{Level, LoadError};
use crate::model::ColumnType;
use crate::model::is_family;

/// Fields of a certificate the platform fills, never a department's facts.
pub const PLATFORM_FIELDS: [&str; 6] = [
    "holder",
    "holder_name",
    "authority",
    "issued_on",
    "expires_on",
    "purpose",
];

/// A certificate family.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CertificateDef {
    /// The wallet licence type it is issued as (`data/wallet/licence_types.json`).
    pub licence_type: String,
    /// Days from issue to `expires_on`; `None` for types that do not expire.
    pub valid_days: Option<u32>,
    /// Real-name level needed (at least the item's).
    pub level: Level,
    /// Whether a purpose (用途) must be chosen.
    pub purpose_required: bool,
    /// The purposes to choose from (empty when none is required).
    pub purposes: Vec<String>,
    /// Field names the department supplies, `number` among them.
    pub facts: Vec<String>,
    /// One development hint per fact.
    pub dev: BTreeMap<String, Hint>,
}

impl CertificateDef {
    /// The facts in the order their values are made (a fact after the
    /// facts it reads).
    pub fn generation_order(&self) -> Result<Vec<&str>, String> {
        let reads: BTreeMap<&str, Vec<&str>> = self
            .dev
            .iter()
            .map(|(name, hint)| (name.as_str(), hint.generator.reads()))
            .collect();
        let names: Vec<&str> = self.facts.iter().map(String::as_str).collect();
        hints::dependency_order(&reads, &names)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CertificatesFile {
    format: u32,
    certificates: BTreeMap<String, Value>,
}

/// All certificate families, by family.
#[derive(Debug, Clone, Default)]
pub struct Certificates {
    families: BTreeMap<String, CertificateDef>,
}

impl Certificates {
    /// Loads and checks `data/records/certificates.json`.
    pub fn load(path: &Path) -> Result<Certificates, LoadError> {
        let name = path.display().to_string();
        let text = std::fs::read_to_string(path)
            .map_err(|e| LoadError::new(&name, format!("cannot read: {e}")))?;
        Certificates::parse(&name, &text)
    }

    /// Parses and checks the JSON text of a certificates file.
    pub fn parse(file: &str, text: &str) -> Result<Certificates, LoadError> {
        let parsed: CertificatesFile =
            serde_json::from_str(text).map_err(|e| LoadError::new(file, e.to_string()))?;
        if parsed.format != 1 {
            return Err(LoadError::new(
                file,
                format!("format {} is not 1", parsed.format),
            ));
        }
        let mut families = BTreeMap::new();
        for (family, value) in parsed.certificates {
            let fail =
                |reason: String| LoadError::new(file, format!("certificate {family}: {reason}"));
            let def: CertificateDef =
                serde_json::from_value(value).map_err(|e| fail(e.to_string()))?;
            if !is_family(&family) {
                return Err(fail("not a family (e.g. hz-hjzm)".into()));
            }
            check(&def).map_err(fail)?;
            families.insert(family, def);
        }
        Ok(Certificates { families })
    }

    /// A family by key.
    pub fn get(&self, family: &str) -> Option<&CertificateDef> {
        self.families.get(family)
    }

    /// All families.
    pub fn iter(&self) -> impl Iterator<Item = (&String, &CertificateDef)> {
        self.families.iter()
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

fn check(def: &CertificateDef) -> Result<(), String> {
    if def.licence_type.trim().is_empty() {
        return Err("`licence_type` must not be empty".into());
    }
    if def.valid_days == Some(0) {
        return Err("`valid_days` is positive, or null for types that do not expire".into());
    }
    if def.level == Level::L1 {
        return Err("`level` must be L2 or L3".into());
    }
    let distinct: HashSet<&String> = def.purposes.iter().collect();
    if def.purpose_required
        && (def.purposes.is_empty()
            || def.purposes.iter().any(|p| p.trim().is_empty())
            || distinct.len() != def.purposes.len())
    {
        return Err("`purposes` must list distinct choices when a purpose is required".into());
    }
    if !def.purpose_required && !def.purposes.is_empty() {
        return Err("`purposes` must be empty when no purpose is required".into());
    }
    let facts: HashSet<&String> = def.facts.iter().collect();
    if facts.len() != def.facts.len() || !facts.contains(&"number".to_owned()) {
        return Err("`facts` must list distinct field names including `number`".into());
    }
    if let Some(f) = def
        .facts
        .iter()
        .find(|f| PLATFORM_FIELDS.contains(&f.as_str()))
    {
        return Err(format!(
            "fact {f:?} is filled by the platform, not the department"
        ));
    }
    let hinted: HashSet<&String> = def.dev.keys().collect();
    if hinted != facts {
        return Err("`dev` must give one hint per fact, and no other".into());
    }
    let refs = Refs {
        columns: BTreeMap::new(),
        filters: BTreeMap::new(),
        facts: Some(&def.dev),
        first: None,
    };
    for (fact, hint) in &def.dev {
        if hint.steady.is_some() || hint.rows.is_some() {
            return Err(format!("dev {fact}: `steady` and `rows` are for columns"));
        }
        hints::check(hint, ColumnType::Text, Slot::Fact, &refs)
            .map_err(|e| format!("dev {fact}: {e}"))?;
    }
    def.generation_order()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const ONE: &str = r#"{"format":1,"certificates":{"bdc-ywfz":{"licence_type":"property_record_certificate",
      "valid_days":30,"level":"L3","purpose_required":true,"purposes":["购房资格审核"],
      "facts":["number","property_count","query_result"],
      "dev":{"number":{"gen":"text","template":"{year}{n4}{n4}"},
             "property_count":{"gen":"number","min":0,"max":3},
             "query_result":{"gen":"map","from":"property_count","bands":[[0,"未查询到"],[1,"查询到"]]}}}}}"#;

    #[test]
    fn loads_and_orders_facts() {
        let certs = Certificates::parse("t", ONE);
        let Ok(certs) = certs else {
            panic!("{certs:?}")
        };
        let def = certs.get("bdc-ywfz");
        assert_eq!(
            def.map(CertificateDef::generation_order),
            Some(Ok(vec!["number", "property_count", "query_result"]))
        );
    }

    #[test]
    fn rejects_bad_families() {
        for (text, expected) in [
            (
                ONE.replace("\"valid_days\":30", "\"valid_days\":0"),
                "valid_days",
            ),
            (
                ONE.replace("\"purposes\":[\"购房资格审核\"]", "\"purposes\":[]"),
                "purposes",
            ),
            (
                ONE.replace(
                    "\"facts\":[\"number\",",
                    "\"facts\":[\"holder\",\"number\",",
                ),
                "platform",
            ),
            (
                ONE.replace("\"facts\":[\"number\",", "\"facts\":["),
                "number",
            ),
            (
                ONE.replace("\"from\":\"property_count\"", "\"from\":\"nope\""),
                "unknown fact",
            ),
            (ONE.replace("\"level\":\"L3\"", "\"level\":\"L1\""), "level"),
            (
                ONE.replace("\"level\":\"L3\"", "\"level\":\"L3\",\"x\":1"),
                "unknown field",
            ),
            (
                ONE.replace(
                    "{\"gen\":\"number\",\"min\":0,\"max\":3}",
                    "{\"gen\":\"cycle\",\"values\":[1]}",
                ),
                "cycle",
            ),
        ] {
            match Certificates::parse("t", &text) {
                Ok(_) => panic!("accepted a bad {expected}"),
                Err(e) => {
                    let e = e.to_string();
                    assert!(
                        e.contains(expected) && e.contains("bdc-ywfz"),
                        "{e} lacks {expected}"
                    );
                }
            }
        }
    }
}

//! Certificate families (证明): what a department certifies and for how
//! long. Loaded from `data/records/certificates.json`:
//!
//! ```json
//! {"format": 1, "certificates": {"social_insurance_proof": {
//!   "licence_type": "social_insurance_certificate", "valid_days": 90, "level": "L2",
//!   "purpose_required": true, "purposes": ["购房", "落户"],
//!   "facts": ["holder_name", "holder", "months_paid"],
//!   "dev": {"months_paid": {"gen": "number", "min": 12, "max": 240}}}}}
//! ```

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::kinds::{Dev, Level, LoadError, check_value_dev};

/// A certificate family.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CertificateDef {
    /// The wallet licence type the certificate is issued as.
    pub licence_type: String,
    /// Days of validity from issue (0: does not expire).
    pub valid_days: u32,
    /// Real-name level needed (the daemon enforces it).
    #[serde(default)]
    pub level: Option<Level>,
    /// Whether a purpose (用途) must be given.
    pub purpose_required: bool,
    /// Allowed purposes (any when empty).
    #[serde(default)]
    pub purposes: Vec<String>,
    /// Field names of the certified facts.
    pub facts: Vec<String>,
    /// Development generators by fact name. Without one, `holder_name` and
    /// `holder` are the subject's name and identifier, others `null`.
    #[serde(default)]
    pub dev: BTreeMap<String, Dev>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CertificatesFile {
    format: u32,
    certificates: BTreeMap<String, CertificateDef>,
}

/// All certificate families by item family.
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
        for (family, def) in &parsed.certificates {
            let fail =
                |reason: String| LoadError::new(file, format!("certificate {family}: {reason}"));
            if def.facts.is_empty() {
                return Err(fail("no facts".into()));
            }
            if def.purpose_required && def.purposes.iter().any(|p| p.trim().is_empty()) {
                return Err(fail("empty purpose".into()));
            }
            for (field, dev) in &def.dev {
                if !def.facts.contains(field) {
                    return Err(fail(format!("dev for {field:?}, which is not a fact")));
                }
                if matches!(
                    dev,
                    Dev::SequenceMonth { .. }
                        | Dev::SequenceDate { .. }
                        | Dev::Copy { .. }
                        | Dev::Rows { .. }
                        | Dev::Sum { .. }
                        | Dev::Count
                        | Dev::Latest { .. }
                ) {
                    return Err(fail(format!("dev for {field:?}: only value generators")));
                }
                check_value_dev(dev, field, None).map_err(fail)?;
            }
        }
        Ok(Certificates {
            families: parsed.certificates,
        })
    }

    /// A family by key.
    pub fn get(&self, family: &str) -> Option<&CertificateDef> {
        self.families.get(family)
    }

    /// All families.
    pub fn iter(&self) -> impl Iterator<Item = (&String, &CertificateDef)> {
        self.families.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loads_and_checks() {
        let text = r#"{"format":1,"certificates":{"no_crime":{"licence_type":"no_crime_certificate","valid_days":90,
          "level":"L3","purpose_required":true,"purposes":["出国"],"facts":["holder_name","holder","result"],
          "dev":{"result":{"gen":"const","value":"无违法犯罪记录"}}}}}"#;
        let certs = Certificates::parse("t", text);
        assert!(
            certs.as_ref().is_ok_and(|c| c.get("no_crime").is_some()),
            "{certs:?}"
        );
        let bad = text.replace("\"dev\":{\"result\"", "\"dev\":{\"other\"");
        assert!(Certificates::parse("t", &bad).is_err());
    }
}

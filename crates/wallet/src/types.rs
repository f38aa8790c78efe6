//! Licence types (证照类型) loaded from `data/wallet/licence_types.json`.

use std::collections::{BTreeMap, HashSet};
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::WalletError;

/// Claim names filled from the [`crate::Licence`] record itself rather than
/// from its `fields` map: 证号, 持证人证件号码, 持证人姓名, 发证机关, 签发日期,
/// 有效期至.
pub const STANDARD_FIELDS: [&str; 6] = [
    "number",
    "holder",
    "holder_name",
    "authority",
    "issued_on",
    "expires_on",
];

/// Field names that would collide with claims of the presentation token.
const RESERVED_NAMES: [&str; 13] = [
    "iss",
    "sub",
    "aud",
    "iat",
    "exp",
    "nbf",
    "jti",
    "vct",
    "cnf",
    "status",
    "licence_ref",
    "licence_valid",
    "...",
];

/// Category of a licence type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LicenceKind {
    /// 卡证类: identity cards and permits (居民身份电子凭证, 驾驶证, 护照 …).
    Card,
    /// 证明类: certificates issued on request (户籍证明, 参保证明 …).
    Certificate,
    /// 法人证照: licences held by an organisation (营业执照 …).
    Organisation,
}

/// One field of a licence type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldDef {
    /// Stable ASCII name, also the claim name in presentations.
    pub name: String,
    /// Chinese label shown to people (e.g. 准驾车型).
    pub label: String,
    /// Sensitive (敏感) fields are masked in list views.
    pub sensitive: bool,
}

/// Validity rule (有效期规则) of a licence type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValidityRule {
    /// Whether licences of this type have an expiry date (有效期至).
    pub expires: bool,
    /// Days before expiry from which a licence counts as expiring (即将到期),
    /// for the renewal hint. Required when `expires` is true.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expiring_within_days: Option<u32>,
}

/// A licence type (证照类型): its fields, validity rule and related services.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LicenceType {
    /// Stable ASCII code, e.g. `driving_licence`; the `vct` of presentations.
    pub code: String,
    /// Chinese name, e.g. 驾驶证.
    pub name: String,
    /// Category.
    pub kind: LicenceKind,
    /// Fields in display order; all of them can be disclosed selectively.
    pub fields: Vec<FieldDef>,
    /// Validity rule.
    pub validity: ValidityRule,
    /// Related service items (相关服务): ids in `data/catalogue.jsonl`.
    #[serde(default)]
    pub related_services: Vec<String>,
    /// The service item for renewing the licence (换证/续期), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub renewal_service: Option<String>,
}

impl LicenceType {
    /// The field definition with this name.
    pub fn field(&self, name: &str) -> Option<&FieldDef> {
        self.fields.iter().find(|f| f.name == name)
    }

    /// Names of the fields that are not [`STANDARD_FIELDS`]: the ones a
    /// licence record carries in its `fields` map.
    pub fn custom_fields(&self) -> impl Iterator<Item = &FieldDef> {
        self.fields
            .iter()
            .filter(|f| !STANDARD_FIELDS.contains(&f.name.as_str()))
    }

    fn check(&self) -> Result<(), String> {
        if !is_ascii_name(&self.code) {
            return Err(format!(
                "type code `{}` must be lower-case ASCII letters, digits and `_`",
                self.code
            ));
        }
        if self.name.trim().is_empty() {
            return Err(format!("type `{}` has an empty name", self.code));
        }
        let mut seen = HashSet::new();
        for f in &self.fields {
            if !is_ascii_name(&f.name) || RESERVED_NAMES.contains(&f.name.as_str()) {
                return Err(format!(
                    "type `{}`: field name `{}` is not a lower-case ASCII name or is reserved",
                    self.code, f.name
                ));
            }
            if f.label.trim().is_empty() {
                return Err(format!(
                    "type `{}`: field `{}` has no label",
                    self.code, f.name
                ));
            }
            if !seen.insert(f.name.as_str()) {
                return Err(format!(
                    "type `{}`: field `{}` listed twice",
                    self.code, f.name
                ));
            }
        }
        for required in ["number", "holder", "holder_name", "issued_on"] {
            if !seen.contains(required) {
                return Err(format!(
                    "type `{}` lacks the standard field `{required}`",
                    self.code
                ));
            }
        }
        match (
            self.validity.expires,
            seen.contains("expires_on"),
            self.validity.expiring_within_days,
        ) {
            (true, true, Some(_)) | (false, false, None) => Ok(()),
            (true, _, _) => Err(format!(
                "type `{}` expires: it needs an `expires_on` field and `expiring_within_days`",
                self.code
            )),
            (false, _, _) => Err(format!(
                "type `{}` does not expire: it must have neither `expires_on` nor `expiring_within_days`",
                self.code
            )),
        }
    }
}

/// Lower-case ASCII letters, digits and `_`, starting with a letter.
pub(crate) fn is_ascii_name(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

#[derive(Deserialize)]
struct TypesFile {
    format: u32,
    types: Vec<LicenceType>,
}

/// All licence types, looked up by code.
#[derive(Debug, Clone, Default)]
pub struct LicenceTypes {
    types: BTreeMap<String, LicenceType>,
    order: Vec<String>,
}

impl LicenceTypes {
    /// Loads and checks `licence_types.json` (format 1): codes unique and
    /// ASCII, field names unique and not reserved, standard fields present,
    /// validity rule consistent with the `expires_on` field.
    pub fn load(path: impl AsRef<Path>) -> Result<Self, WalletError> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|source| WalletError::Io {
            path: path.to_owned(),
            source,
        })?;
        Self::from_json(&text).map_err(|e| match e {
            WalletError::Data { line, message, .. } => WalletError::Data {
                path: path.to_owned(),
                line,
                message,
            },
            other => other,
        })
    }

    /// Parses and checks the JSON text of a licence types file.
    pub fn from_json(text: &str) -> Result<Self, WalletError> {
        let data = |message: String| WalletError::Data {
            path: Default::default(),
            line: None,
            message,
        };
        let file: TypesFile = serde_json::from_str(text).map_err(|e| data(e.to_string()))?;
        if file.format != 1 {
            return Err(data(format!("unsupported format {}", file.format)));
        }
        let mut types = BTreeMap::new();
        let mut order = Vec::with_capacity(file.types.len());
        for t in file.types {
            t.check().map_err(data)?;
            if types.contains_key(&t.code) {
                return Err(data(format!("type code `{}` listed twice", t.code)));
            }
            order.push(t.code.clone());
            types.insert(t.code.clone(), t);
        }
        Ok(Self { types, order })
    }

    /// The licence type with this code.
    pub fn get(&self, code: &str) -> Option<&LicenceType> {
        self.types.get(code)
    }

    /// The licence type with this code, or [`WalletError::UnknownType`].
    pub fn require(&self, code: &str) -> Result<&LicenceType, WalletError> {
        self.get(code)
            .ok_or_else(|| WalletError::UnknownType(code.to_owned()))
    }

    /// All types, in file order.
    pub fn iter(&self) -> impl Iterator<Item = &LicenceType> {
        self.order.iter().filter_map(|c| self.types.get(c))
    }

    /// Number of types.
    pub fn len(&self) -> usize {
        self.types.len()
    }

    /// Whether there are no types.
    pub fn is_empty(&self) -> bool {
        self.types.is_empty()
    }
}

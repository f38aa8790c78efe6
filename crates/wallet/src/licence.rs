//! Licences (证照), their display (masked or full) and validity, and the
//! pluggable [`Issuer`] that supplies them.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

use serde::{Deserialize, Serialize};
use time::Date;

use crate::error::WalletError;
use crate::types::{LicenceType, LicenceTypes, STANDARD_FIELDS};

/// One licence (证照) held by a person (identity number) or an organisation
/// (统一社会信用代码).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Licence {
    /// Licence number (证号 / 证明编号).
    pub number: String,
    /// Licence type code, e.g. `driving_licence`.
    #[serde(rename = "type")]
    pub type_code: String,
    /// Holder: identity number (公民身份号码) or USCC (统一社会信用代码).
    pub holder: String,
    /// Holder's name (姓名 / 单位名称).
    pub holder_name: String,
    /// Issuing authority (发证机关).
    pub authority: String,
    /// Issue date (签发日期).
    #[serde(with = "iso_date")]
    pub issued_on: Date,
    /// Expiry date (有效期至); `None` for types that do not expire.
    #[serde(
        default,
        with = "iso_date_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub expires_on: Option<Date>,
    /// Type-specific fields (e.g. `vehicle_class` 准驾车型).
    #[serde(default)]
    pub fields: BTreeMap<String, String>,
}

/// A field of a licence ready for display.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldView {
    /// Field name (claim name).
    pub name: String,
    /// Chinese label.
    pub label: String,
    /// The value, masked when `masked` is true.
    pub value: String,
    /// Whether the field is sensitive (敏感).
    pub sensitive: bool,
    /// Whether `value` was masked.
    pub masked: bool,
}

/// Validity of a licence on a given day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum LicenceStatus {
    /// The type has no expiry date (长期有效).
    NoExpiry,
    /// Valid (有效) and not yet within the expiring window.
    Valid {
        /// Days until the expiry date.
        days_left: i64,
    },
    /// Valid but expiring soon (即将到期): show the renewal hint.
    Expiring {
        /// Days until the expiry date (0 on the expiry date itself).
        days_left: i64,
    },
    /// Expired (已过期).
    Expired {
        /// Days since the expiry date (at least 1).
        days_ago: i64,
    },
}

impl Licence {
    /// The value of a field: standard fields come from the record, others
    /// from `fields`. Dates are ISO 8601 (`2027-01-20`).
    pub fn value(&self, name: &str) -> Option<String> {
        match name {
            "number" => Some(self.number.clone()),
            "holder" => Some(self.holder.clone()),
            "holder_name" => Some(self.holder_name.clone()),
            "authority" => Some(self.authority.clone()),
            "issued_on" => Some(iso_date::format(self.issued_on)),
            "expires_on" => self.expires_on.map(iso_date::format),
            other => self.fields.get(other).cloned(),
        }
    }

    /// All fields of the type that the licence has a value for, in the
    /// type's order, unmasked (for the licence's own detail page).
    pub fn full_fields(&self, ty: &LicenceType) -> Vec<FieldView> {
        self.views(ty, false)
    }

    /// Like [`full_fields`](Self::full_fields) with sensitive fields masked
    /// by [`mask`] (e.g. `4401**********123X`, `陈*明`): for lists and cards.
    pub fn masked_fields(&self, ty: &LicenceType) -> Vec<FieldView> {
        self.views(ty, true)
    }

    fn views(&self, ty: &LicenceType, masking: bool) -> Vec<FieldView> {
        ty.fields
            .iter()
            .filter_map(|f| {
                let value = self.value(&f.name)?;
                let masked = masking && f.sensitive;
                Some(FieldView {
                    name: f.name.clone(),
                    label: f.label.clone(),
                    value: if masked { mask(&value) } else { value },
                    sensitive: f.sensitive,
                    masked,
                })
            })
            .collect()
    }

    /// Validity on `today` under the type's rule.
    pub fn status(&self, today: Date, ty: &LicenceType) -> LicenceStatus {
        let (Some(expires_on), true) = (self.expires_on, ty.validity.expires) else {
            return LicenceStatus::NoExpiry;
        };
        let days_left = (expires_on - today).whole_days();
        let window = i64::from(ty.validity.expiring_within_days.unwrap_or(0));
        if days_left < 0 {
            LicenceStatus::Expired {
                days_ago: -days_left,
            }
        } else if days_left <= window {
            LicenceStatus::Expiring { days_left }
        } else {
            LicenceStatus::Valid { days_left }
        }
    }

    /// Whether the licence is expiring (即将到期) on `today`: not expired yet
    /// and within the type's `expiring_within_days` of its expiry date.
    pub fn expiring(&self, today: Date, ty: &LicenceType) -> bool {
        matches!(self.status(today, ty), LicenceStatus::Expiring { .. })
    }

    /// The renewal service (换证服务, a catalogue item id) to suggest on
    /// `today`: the type's `renewal_service` when the licence is expiring or
    /// expired, else `None`.
    pub fn renewal_hint<'t>(&self, today: Date, ty: &'t LicenceType) -> Option<&'t str> {
        match self.status(today, ty) {
            LicenceStatus::Expiring { .. } | LicenceStatus::Expired { .. } => {
                ty.renewal_service.as_deref()
            }
            LicenceStatus::Valid { .. } | LicenceStatus::NoExpiry => None,
        }
    }

    /// Whether the licence has expired (已过期) on `today`.
    pub fn expired(&self, today: Date) -> bool {
        self.expires_on.is_some_and(|e| e < today)
    }

    /// Checks the licence against its type: every custom field present and
    /// non-empty, no field outside the type, an expiry date exactly when the
    /// type expires, and not before the issue date.
    pub fn check(&self, ty: &LicenceType) -> Result<(), String> {
        if self.type_code != ty.code {
            return Err(format!(
                "licence `{}` is of type `{}`, not `{}`",
                self.number, self.type_code, ty.code
            ));
        }
        for (name, value) in [
            ("number", &self.number),
            ("holder", &self.holder),
            ("holder_name", &self.holder_name),
            ("authority", &self.authority),
        ] {
            if value.trim().is_empty() {
                return Err(format!("licence `{}`: `{name}` is empty", self.number));
            }
        }
        for f in ty.custom_fields() {
            match self.fields.get(&f.name) {
                Some(v) if !v.trim().is_empty() => {}
                _ => {
                    return Err(format!(
                        "licence `{}` ({}) lacks field `{}`",
                        self.number, ty.code, f.name
                    ));
                }
            }
        }
        for name in self.fields.keys() {
            if STANDARD_FIELDS.contains(&name.as_str()) || ty.field(name).is_none() {
                return Err(format!(
                    "licence `{}`: field `{name}` is not a custom field of `{}`",
                    self.number, ty.code
                ));
            }
        }
        match (ty.validity.expires, self.expires_on) {
            (true, None) => Err(format!("licence `{}` needs `expires_on`", self.number)),
            (false, Some(_)) => Err(format!(
                "licence `{}`: type `{}` does not expire",
                self.number, ty.code
            )),
            (true, Some(e)) if e < self.issued_on => Err(format!(
                "licence `{}` expires before it was issued",
                self.number
            )),
            _ => Ok(()),
        }
    }
}

/// Masks a sensitive value, keeping a few characters at each end: a quarter
/// of the length (at least 1, at most 4) per side, e.g.
/// `44010419880520123X` → `4401**********123X`, `陈嘉明` → `陈*明`,
/// `欧阳娜娜` → `欧**娜`; two characters keep the first (`李*`), one is
/// fully masked.
pub fn mask(value: &str) -> String {
    let chars: Vec<char> = value.chars().collect();
    let n = chars.len();
    match n {
        0 => String::new(),
        1 => "*".to_owned(),
        2 => format!("{}*", chars[0]),
        _ => {
            let keep = (n / 4).clamp(1, 4);
            let mut out = String::with_capacity(value.len());
            out.extend(&chars[..keep]);
            out.extend(std::iter::repeat_n('*', n - 2 * keep));
            out.extend(&chars[n - keep..]);
            out
        }
    }
}

/// A source of licences (发证方): the real back ends (公安, 人社 …) and the
/// development issuer implement it.
pub trait Issuer: Send + Sync {
    /// The issuer's name, for logs and errors.
    fn name(&self) -> &str;

    /// Licences held by `holder` (identity number or USCC, compared
    /// case-insensitively: `…123x` is `…123X`); empty when the holder has
    /// none.
    fn licences_for(&self, holder: &str) -> Result<Vec<Licence>, WalletError>;
}

/// Development issuer: licences from a JSON Lines file
/// (`data/demo/licences.jsonl`), one [`Licence`] per line.
#[derive(Debug, Clone, Default)]
pub struct DevIssuer {
    by_holder: HashMap<String, Vec<Licence>>,
}

impl DevIssuer {
    /// Loads the file and checks every licence against its type (see
    /// [`Licence::check`]); licence numbers must be unique per type.
    pub fn load(path: impl AsRef<Path>, types: &LicenceTypes) -> Result<Self, WalletError> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|source| WalletError::Io {
            path: path.to_owned(),
            source,
        })?;
        let data = |line: usize, message: String| WalletError::Data {
            path: path.to_owned(),
            line: Some(line),
            message,
        };
        let mut by_holder: HashMap<String, Vec<Licence>> = HashMap::new();
        let mut numbers = HashSet::new();
        for (i, line) in text.lines().enumerate() {
            let line_no = i + 1;
            if line.trim().is_empty() {
                continue;
            }
            let mut licence: Licence =
                serde_json::from_str(line).map_err(|e| data(line_no, e.to_string()))?;
            licence.holder = normalise_holder(&licence.holder);
            let ty = types
                .get(&licence.type_code)
                .ok_or_else(|| data(line_no, format!("unknown type `{}`", licence.type_code)))?;
            licence.check(ty).map_err(|m| data(line_no, m))?;
            if !numbers.insert((licence.type_code.clone(), licence.number.clone())) {
                return Err(data(
                    line_no,
                    format!("licence number `{}` listed twice", licence.number),
                ));
            }
            by_holder
                .entry(licence.holder.clone())
                .or_default()
                .push(licence);
        }
        Ok(Self { by_holder })
    }

    /// Number of licences loaded.
    pub fn len(&self) -> usize {
        self.by_holder.values().map(Vec::len).sum()
    }

    /// Whether no licence was loaded.
    pub fn is_empty(&self) -> bool {
        self.by_holder.is_empty()
    }
}

impl Issuer for DevIssuer {
    fn name(&self) -> &str {
        "dev"
    }

    fn licences_for(&self, holder: &str) -> Result<Vec<Licence>, WalletError> {
        Ok(self
            .by_holder
            .get(&normalise_holder(holder))
            .cloned()
            .unwrap_or_default())
    }
}

/// Identity numbers end in an upper-case `X` check character and USCCs are
/// upper case: holders are compared trimmed and upper-cased.
fn normalise_holder(holder: &str) -> String {
    holder.trim().to_ascii_uppercase()
}

/// ISO 8601 calendar dates (`2027-01-20`) for serde.
pub(crate) mod iso_date {
    use serde::{Deserialize, Deserializer, Serializer};
    use time::Date;
    use time::format_description::BorrowedFormatItem;
    use time::macros::format_description;

    const FORMAT: &[BorrowedFormatItem<'static>] = format_description!("[year]-[month]-[day]");

    pub(crate) fn format(d: Date) -> String {
        // Formatting a Date with a date-only description cannot fail.
        d.format(FORMAT).unwrap_or_default()
    }

    pub(crate) fn parse(s: &str) -> Result<Date, time::error::Parse> {
        Date::parse(s, FORMAT)
    }

    pub(crate) fn serialize<S: Serializer>(d: &Date, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format(*d))
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Date, D::Error> {
        let s = String::deserialize(d)?;
        parse(&s).map_err(serde::de::Error::custom)
    }
}

/// Optional ISO 8601 dates for serde.
pub(crate) mod iso_date_opt {
    use serde::{Deserialize, Deserializer, Serializer};
    use time::Date;

    pub(crate) fn serialize<S: Serializer>(d: &Option<Date>, s: S) -> Result<S::Ok, S::Error> {
        match d {
            Some(d) => s.serialize_str(&super::iso_date::format(*d)),
            None => s.serialize_none(),
        }
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Date>, D::Error> {
        Option::<String>::deserialize(d)?
            .map(|s| super::iso_date::parse(&s).map_err(serde::de::Error::custom))
            .transpose()
    }
}

//! The requests and answers of the department interface. The answers are
//! also the JSON bodies of the HTTP contract (docs/INTEGRATION.md).
//!
//! Money is integer fen (`i64`), dates `YYYY-MM-DD`, months `YYYY-MM`,
//! instants RFC 3339. The `Debug` output of a subject masks its numbers.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use time::{Date, OffsetDateTime};

use crate::clock::date_format::ymd;

/// Whose data is asked for.
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum SubjectRef {
    /// A natural person, by resident ID number (公民身份号码) and name.
    Person {
        /// 18-character resident ID number.
        id_number: String,
        /// Name as registered.
        name: String,
    },
    /// An organisation, by unified social credit code (统一社会信用代码).
    Organisation {
        /// 18-character USCC.
        uscc: String,
        /// Registered name.
        name: String,
    },
    /// Nobody: a public query (公开查询), driven by its filters.
    None,
}

impl SubjectRef {
    /// A person.
    pub fn person(id_number: &str, name: &str) -> SubjectRef {
        SubjectRef::Person {
            id_number: id_number.to_owned(),
            name: name.to_owned(),
        }
    }

    /// An organisation.
    pub fn organisation(uscc: &str, name: &str) -> SubjectRef {
        SubjectRef::Organisation {
            uscc: uscc.to_owned(),
            name: name.to_owned(),
        }
    }

    /// Checks the identifiers' shapes (not their check digits): a reason
    /// without the values when they are wrong.
    pub fn validate(&self) -> Result<(), &'static str> {
        match self {
            SubjectRef::Person { id_number, name } => {
                let b = id_number.as_bytes();
                let ok = b.len() == 18
                    && b[..17].iter().all(u8::is_ascii_digit)
                    && (b[17].is_ascii_digit() || b[17] == b'X');
                if !ok {
                    return Err(
                        "subject.id_number must be 18 characters: 17 digits and a digit or X",
                    );
                }
                if name.trim().is_empty() || name.chars().count() > 64 {
                    return Err("subject.name must be 1–64 characters");
                }
            }
            SubjectRef::Organisation { uscc, name } => {
                let ok = uscc.len() == 18
                    && uscc.bytes().all(|c| {
                        c.is_ascii_digit() || (c.is_ascii_uppercase() && !b"IOSVZ".contains(&c))
                    });
                if !ok {
                    return Err("subject.uscc must be 18 characters of the USCC alphabet");
                }
                if name.trim().is_empty() || name.chars().count() > 128 {
                    return Err("subject.name must be 1–128 characters");
                }
            }
            SubjectRef::None => {}
        }
        Ok(())
    }

    /// A stable key of the subject (for seeding development data; it
    /// contains the identifier: never log it).
    pub(crate) fn seed_key(&self) -> String {
        match self {
            SubjectRef::Person { id_number, .. } => format!("person:{id_number}"),
            SubjectRef::Organisation { uscc, .. } => format!("organisation:{uscc}"),
            SubjectRef::None => "none".to_owned(),
        }
    }
}

impl fmt::Debug for SubjectRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SubjectRef::Person { .. } => f.write_str("Person(**)"),
            SubjectRef::Organisation { .. } => f.write_str("Organisation(**)"),
            SubjectRef::None => f.write_str("None"),
        }
    }
}

/// The catalogue item (事项) a request is made for. A department serving
/// several services under one record kind or certificate family (the 21
/// cities' 公积金, the exams of one 考试院) tells them apart by it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ServiceRef {
    /// The item id, e.g. `gjj-jcmx-440100`: its family and its region part.
    pub item: String,
    /// The item's region (division code): a city's (`440100`), or `440000`
    /// for province-wide items.
    pub region_code: String,
    /// The item's title, e.g. 住房公积金缴存明细查询.
    pub title: String,
    /// The item's theme, e.g. 公积金.
    pub theme: String,
}

impl ServiceRef {
    /// A service reference.
    pub fn new(item: &str, region_code: &str, title: &str, theme: &str) -> ServiceRef {
        ServiceRef {
            item: item.to_owned(),
            region_code: region_code.to_owned(),
            title: title.to_owned(),
            theme: theme.to_owned(),
        }
    }

    /// The item's family: its id without the last `-…` part
    /// (`gjj-jcmx-440100` → `gjj-jcmx`).
    pub fn family(&self) -> &str {
        self.item.rsplit_once('-').map_or(&self.item, |(f, _)| f)
    }

    /// Checks the shapes: an item id of a family and a region part, a
    /// six-digit region code, a title of 1–100 and a theme of 0–50 characters.
    pub fn validate(&self) -> Result<(), String> {
        if !is_family(&self.item) || !is_family(self.family()) {
            return Err("service.item must be an item id such as gjj-jcmx-440100".into());
        }
        if self.region_code.len() != 6 || !self.region_code.bytes().all(|c| c.is_ascii_digit()) {
            return Err("service.region_code must be six digits".into());
        }
        let title = self.title.chars().count();
        if !(1..=100).contains(&title) || self.theme.chars().count() > 50 {
            return Err("service.title must be 1–100 characters, service.theme at most 50".into());
        }
        Ok(())
    }
}

/// A query for records (查询).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordsRequest {
    /// The item's department, by configured code or one of its names.
    pub department: String,
    /// The record kind's code (data/records/kinds.json).
    pub kind: String,
    /// The item asked about (its family picks the development variant; its
    /// region and city place the rows). `None` for a request made for no
    /// particular item: then province-wide, with no variant.
    pub service: Option<ServiceRef>,
    /// Whose records.
    pub subject: SubjectRef,
    /// Filter values by filter name; ranges are `from/to` (either end may be
    /// empty), e.g. `2025-01/2025-12`.
    pub filters: BTreeMap<String, String>,
    /// 1-based page number.
    pub page: u32,
    /// Rows per page, 1–50.
    pub size: u32,
}

/// Largest page size anyone may ask for.
pub const MAX_PAGE_SIZE: u32 = 50;

impl RecordsRequest {
    /// Checks page, size, kind code and subject.
    pub fn validate(&self) -> Result<(), String> {
        if self.page == 0 {
            return Err("page starts at 1".into());
        }
        if self.size == 0 || self.size > MAX_PAGE_SIZE {
            return Err(format!("size must be 1–{MAX_PAGE_SIZE}"));
        }
        if !is_code(&self.kind) {
            return Err("kind must match ^[a-z][a-z0-9_]{1,39}$".into());
        }
        if self.filters.len() > 16
            || self
                .filters
                .iter()
                .any(|(k, v)| k.len() > 40 || v.chars().count() > 100)
        {
            return Err("at most 16 filters, names ≤ 40 bytes, values ≤ 100 characters".into());
        }
        if let Some(service) = &self.service {
            service.validate()?;
        }
        self.subject.validate().map_err(str::to_owned)
    }
}

/// The type of a record column: how its values are written in JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ColumnType {
    /// Free text (string).
    Text,
    /// `YYYY-MM-DD` (string).
    Date,
    /// `YYYY-MM` (string).
    Month,
    /// `YYYY` (string).
    Year,
    /// Integer fen.
    Money,
    /// A number (integer or decimal).
    Number,
    /// Integer points (e.g. 驾驶证记分).
    Points,
    /// A status word (string), e.g. 已缴费.
    Status,
    /// RFC 3339 with offset, e.g. `2026-01-05T09:30:00+08:00`.
    Datetime,
}

/// A column of a records page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Column {
    /// Key of the column in each row.
    pub name: String,
    /// Chinese heading (may be empty: the platform's kinds file has one).
    #[serde(default)]
    pub label: String,
    /// How the values are written.
    #[serde(rename = "type")]
    pub kind: ColumnType,
}

/// One page of records.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecordsPage {
    /// The columns, in display order.
    pub columns: Vec<Column>,
    /// The page's rows: column name → value (`null` when unknown).
    pub rows: Vec<BTreeMap<String, Value>>,
    /// Rows matching the filters over all pages.
    pub total: u64,
    /// Summary values over all matching rows (not just this page).
    #[serde(default)]
    pub summary: BTreeMap<String, Value>,
}

/// A request for the facts of a certificate (证明).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateRequest {
    /// The item's department.
    pub department: String,
    /// The certificate family (key of data/records/certificates.json).
    pub family: String,
    /// The item asked about (of that family): its region places the facts.
    pub service: Option<ServiceRef>,
    /// Whom the certificate is about.
    pub subject: SubjectRef,
    /// What it is for (用途), when the family asks for one.
    pub purpose: Option<String>,
    /// Idempotency key: the same id gives the same certificate.
    pub request_id: String,
}

impl CertificateRequest {
    /// Checks the family, the service (of that family), the request id and
    /// the subject (a person or an organisation).
    pub fn validate(&self) -> Result<(), String> {
        if !is_family(&self.family) {
            return Err("family must look like hz-hjzm".into());
        }
        if let Some(service) = &self.service {
            service.validate()?;
            if service.family() != self.family {
                return Err("service.item is not of the certificate's family".into());
            }
        }
        if !is_token(&self.request_id) {
            return Err("request_id must be 1–128 of [A-Za-z0-9._:-]".into());
        }
        if matches!(self.subject, SubjectRef::None) {
            return Err("a certificate needs a subject".into());
        }
        self.subject.validate().map_err(str::to_owned)
    }
}

/// The facts of an issued certificate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CertificateFacts {
    /// The department's certificate number (证明编号): the family's
    /// `number` fact.
    pub number: String,
    /// Date of issue.
    #[serde(with = "ymd")]
    pub issued_on: Date,
    /// When it expires (`expires_on` = `issued_on` + the family's
    /// `valid_days`); `None` for types that do not expire.
    #[serde(with = "ymd::option", default)]
    pub valid_until: Option<Date>,
    /// The family's other facts by field name (everything in its `facts`
    /// but `number`).
    pub fields: BTreeMap<String, Value>,
}

/// A request for a subject's bills.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BillsRequest {
    /// The item's department.
    pub department: String,
    /// Whose bills.
    pub subject: SubjectRef,
    /// Bill kind codes wanted (`electricity`, `traffic_fine` …); empty for
    /// all the department has.
    pub kinds: Vec<String>,
    /// A customer number or plate the person typed, when the kind needs one.
    pub account: Option<String>,
}

/// Whether a bill is still to be paid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BillStatus {
    /// 待缴费.
    Unpaid,
    /// 已缴费.
    Paid,
}

/// A bill (待缴账单).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bill {
    /// The department's bill identifier (ASCII letters, digits, `._:-`).
    pub bill_id: String,
    /// Kind code, e.g. `electricity`.
    pub kind: String,
    /// What it is for, e.g. 电费.
    pub title: String,
    /// Who is paid (收款单位).
    pub payee: String,
    /// Customer number or plate, masked where personal.
    pub account: String,
    /// Amount due in fen.
    pub amount_fen: i64,
    /// Last day to pay.
    #[serde(with = "ymd")]
    pub due: Date,
    /// Billing period, e.g. `2026-01` or `2026年度`.
    #[serde(default)]
    pub period: Option<String>,
    /// One line for the citizen.
    pub description: String,
    /// Paid or not.
    pub status: BillStatus,
}

/// A top-up offer (燃气, 粤通卡): the person chooses the amount.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TopUp {
    /// The department's identifier of the account to top up.
    pub top_up_id: String,
    /// Kind code, e.g. `gas`.
    pub kind: String,
    /// What it is for, e.g. 燃气充值.
    pub title: String,
    /// Who is paid.
    pub payee: String,
    /// Account or card number, masked.
    pub account: String,
    /// Smallest amount in fen.
    pub min_fen: i64,
    /// Largest amount in fen.
    pub max_fen: i64,
    /// Amounts are multiples of this, in fen.
    pub step_fen: i64,
    /// One line for the citizen.
    pub description: String,
}

/// What a department has to pay.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bills {
    /// Bills, unpaid and recently paid.
    pub bills: Vec<Bill>,
    /// Top-up offers.
    #[serde(default)]
    pub top_ups: Vec<TopUp>,
}

/// What a payment settles.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SettleTarget {
    /// A bill by its `bill_id`.
    Bill(String),
    /// A top-up by its `top_up_id`.
    TopUp(String),
}

impl SettleTarget {
    /// The bill or top-up identifier.
    pub fn id(&self) -> &str {
        match self {
            SettleTarget::Bill(id) | SettleTarget::TopUp(id) => id,
        }
    }
}

/// Tells a department that a bill was paid (or a top-up bought).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettleRequest {
    /// The department.
    pub department: String,
    /// The bill or top-up.
    pub target: SettleTarget,
    /// Idempotency key: the platform's payment id. The same id always gets
    /// the same settlement.
    pub payment_id: String,
    /// Amount paid in fen (a bill's exact amount; a top-up's chosen amount).
    pub amount_fen: i64,
    /// When the payment provider confirmed the payment.
    pub paid_at: OffsetDateTime,
}

/// The department's acknowledgement of a payment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settlement {
    /// The department's settlement id.
    pub settlement_id: String,
    /// Receipt number (票据号) for the citizen.
    pub receipt_number: String,
    /// When the department recorded it.
    #[serde(with = "time::serde::rfc3339")]
    pub settled_at: OffsetDateTime,
}

/// A certificate the department revoked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Revocation {
    /// The certificate number.
    pub number: String,
    /// When it was revoked.
    #[serde(with = "time::serde::rfc3339")]
    pub revoked_at: OffsetDateTime,
    /// Why, in a few words, if given.
    #[serde(default)]
    pub reason: Option<String>,
}

/// Revocations since a time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Revocations {
    /// Revoked certificates, oldest first.
    pub revoked: Vec<Revocation>,
    /// The department's watermark: pass it as `since` next time.
    pub as_of: OffsetDateTime,
}

/// The type of a filter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FilterType {
    /// `YYYY-MM/YYYY-MM` on a month column; either end may be empty.
    MonthRange,
    /// `YYYY-MM-DD/YYYY-MM-DD` on a date or datetime column; either end may be empty.
    DateRange,
    /// `YYYY` on a year, month, date or datetime column.
    Year,
    /// One of `options`.
    Choice,
    /// Free text matching `pattern`.
    Text,
    /// A plate registered to the person (vehicle kinds).
    Plate,
}

/// A family: an item id without its region part, `^[a-z][a-z0-9]*(-[a-z0-9]+)+$`, ≤ 40 bytes.
pub(crate) fn is_family(text: &str) -> bool {
    let mut parts = text.split('-');
    let first_ok = parts
        .next()
        .is_some_and(|p| p.bytes().next().is_some_and(|c| c.is_ascii_lowercase()));
    let mut rest = 0;
    let rest_ok = parts.all(|p| {
        rest += 1;
        !p.is_empty()
    });
    text.len() <= 40
        && first_ok
        && rest_ok
        && rest >= 1
        && text
            .bytes()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-')
}

/// `^[a-z][a-z0-9_]{1,39}$`.
pub(crate) fn is_code(text: &str) -> bool {
    let b = text.as_bytes();
    (2..=40).contains(&b.len())
        && b[0].is_ascii_lowercase()
        && b.iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'_')
}

/// Identifiers the platform passes around (bill ids, payment ids, request
/// ids): 1–128 of ASCII letters, digits and `._:-`.
pub(crate) fn is_token(text: &str) -> bool {
    (1..=128).contains(&text.len())
        && text
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || b"._:-".contains(&c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subject_debug_masks() {
        let s = SubjectRef::person("44010419880520123X", "陈嘉明");
        assert_eq!(format!("{s:?}"), "Person(**)");
        assert!(s.validate().is_ok());
        assert!(SubjectRef::person("4401", "陈").validate().is_err());
        assert!(
            SubjectRef::organisation("91440101MA5CXXXX1L", "某公司")
                .validate()
                .is_ok()
        );
    }

    #[test]
    fn subject_json_shape() {
        let s = SubjectRef::person("44010419880520123X", "陈嘉明");
        let json = serde_json::to_string(&s).unwrap_or_default();
        assert_eq!(
            json,
            r#"{"type":"person","id_number":"44010419880520123X","name":"陈嘉明"}"#
        );
        let none: SubjectRef =
            serde_json::from_str(r#"{"type":"none"}"#).unwrap_or(SubjectRef::person("", ""));
        assert_eq!(none, SubjectRef::None);
    }

    #[test]
    fn codes_and_tokens() {
        assert!(is_code("social_insurance"));
        assert!(!is_code("S1"));
        assert!(is_token("ELE-2026.01:ab"));
        assert!(!is_token("a/b"));
        assert!(!is_token(""));
    }
}

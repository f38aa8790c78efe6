//! The typed flow — steps, fields, materials and result — in the shape the API
//! serves (`GET /api/v1/items/{id}/flow`).
//!
//! Serialisation mirrors the flow files of `data/flows/services/` without
//! their `format` key: steps are tagged by `kind`, fields by `type`, and an
//! optional key that a file leaves out is left out of the JSON too (the
//! defaults are documented on the field and in `data/flows/README.md`).
//! Values of these types are only built by the loader and the derivation,
//! which check every rule of the format.

use std::fmt;

use regex::Regex;
use serde::{Serialize, Serializer};
use time::Date;

/// Text fields without `max_length` take at most this many characters.
pub const DEFAULT_MAX_LENGTH: u32 = 200;
/// Text fields without `min_length` need at least this many characters.
pub const DEFAULT_MIN_LENGTH: u32 = 1;
/// The most characters a text field may allow.
pub const MAX_TEXT_LENGTH: u32 = 2000;
/// Text fields allowing more than this many characters are multi-line: line
/// breaks and tabs are accepted in their answers.
pub const MULTILINE_ABOVE: u32 = 200;
/// The most characters of an address's detail (street, building, room).
pub const ADDRESS_DETAIL_MAX: u32 = 200;

/// A typed 办理 flow: what a person fills in, uploads and confirms, and what
/// the department does afterwards.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Flow {
    /// The service family (the item id without its last `-<region>` part).
    pub service: String,
    /// The catalogue title of the service.
    pub title: String,
    /// Who applies.
    pub audience: Audience,
    /// Citizen steps (form / materials), one confirm step, then department steps.
    pub steps: Vec<Step>,
    /// What the person gets at the end.
    pub result: FlowResult,
}

/// Who applies: a person, an organisation, or either.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Audience {
    /// 自然人 only.
    Person,
    /// 法人 only.
    Organisation,
    /// Both.
    Any,
}

impl Audience {
    /// The word used in the files (`person`, `organisation`, `any`).
    pub fn as_str(self) -> &'static str {
        match self {
            Audience::Person => "person",
            Audience::Organisation => "organisation",
            Audience::Any => "any",
        }
    }

    pub(crate) fn parse(s: &str) -> Option<Audience> {
        match s {
            "person" => Some(Audience::Person),
            "organisation" => Some(Audience::Organisation),
            "any" => Some(Audience::Any),
            _ => None,
        }
    }
}

/// One step of a flow, tagged by `kind`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Step {
    /// Typed fields the person fills in.
    Form {
        /// Step title (at most 30 characters).
        title: String,
        /// What the step is about (at most 120 characters).
        #[serde(skip_serializing_if = "Option::is_none")]
        description: Option<String>,
        /// 1–20 fields.
        fields: Vec<Field>,
    },
    /// Documents to upload, or to present from 我的证照 (免证办).
    Materials {
        /// Step title (at most 30 characters).
        title: String,
        /// What the step is about (at most 120 characters).
        #[serde(skip_serializing_if = "Option::is_none")]
        description: Option<String>,
        /// 1–12 materials.
        materials: Vec<Material>,
    },
    /// The person agrees to the declaration (承诺书) and submits.
    Confirm {
        /// Step title.
        title: String,
        /// The 承诺书 text (at most 200 characters).
        declaration: String,
    },
    /// Something the department does (审核, 制证, 到账 …), with its expected time.
    Department {
        /// Step title (at most 30 characters).
        title: String,
        /// Who does it, named generically (at most 40 characters).
        #[serde(skip_serializing_if = "Option::is_none")]
        actor: Option<String>,
        /// Expected duration, 0–60 (0 = immediate or as soon as the person acts).
        duration_days: u8,
        /// Whether the duration counts working days (else calendar days).
        working_days: bool,
        /// Whether the person must attend a hall or counter at this step.
        in_person: bool,
        /// What happens and what to expect (at most 120 characters).
        description: String,
    },
}

impl Step {
    /// The step's title.
    pub fn title(&self) -> &str {
        match self {
            Step::Form { title, .. }
            | Step::Materials { title, .. }
            | Step::Confirm { title, .. }
            | Step::Department { title, .. } => title,
        }
    }

    /// The step's kind as in the JSON (`form`, `materials`, `confirm`, `department`).
    pub fn kind(&self) -> &'static str {
        match self {
            Step::Form { .. } => "form",
            Step::Materials { .. } => "materials",
            Step::Confirm { .. } => "confirm",
            Step::Department { .. } => "department",
        }
    }

    /// The fields of a form step; empty for other steps.
    pub fn fields(&self) -> &[Field] {
        match self {
            Step::Form { fields, .. } => fields,
            _ => &[],
        }
    }

    /// The materials of a materials step; empty for other steps.
    pub fn materials(&self) -> &[Material] {
        match self {
            Step::Materials { materials, .. } => materials,
            _ => &[],
        }
    }
}

/// One typed field of a form step.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Field {
    /// `^[a-z][a-z0-9_]{0,39}$`, unique in the flow; the key of its answer.
    pub name: String,
    /// Chinese label, at most 20 characters.
    pub label: String,
    /// The type (`type` in the JSON) and its type-specific keys.
    #[serde(flatten)]
    pub kind: FieldKind,
    /// Whether an answer is needed (when the field applies).
    pub required: bool,
    /// A Chinese hint, at most 60 characters.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
    /// Which value of the person's identity fills the field in advance.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prefill: Option<Prefill>,
    /// The field applies only when an earlier field has this answer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub when: Option<When>,
}

/// A field's type, tagged by `type`, with its type-specific keys.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum FieldKind {
    /// Free text; the answer is a JSON string, trimmed.
    Text {
        /// Fewest characters (default 1).
        #[serde(skip_serializing_if = "Option::is_none")]
        min_length: Option<u32>,
        /// Most characters (default 200, at most 2000; above 200 the text may span lines).
        #[serde(skip_serializing_if = "Option::is_none")]
        max_length: Option<u32>,
        /// A regex anchored `^…$` the whole answer must match.
        #[serde(skip_serializing_if = "Option::is_none")]
        #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
        pattern: Option<Pattern>,
    },
    /// A number; the answer is a JSON number.
    Number {
        /// Smallest allowed value.
        #[cfg_attr(feature = "openapi", schema(value_type = f64))]
        min: serde_json::Number,
        /// Largest allowed value.
        #[cfg_attr(feature = "openapi", schema(value_type = f64))]
        max: serde_json::Number,
        /// Digits allowed after the decimal point: 0, 1 or 2 (default 0).
        #[serde(skip_serializing_if = "Option::is_none")]
        decimals: Option<u8>,
        /// Unit shown after the input (元, 平方米, 个月 …).
        #[serde(skip_serializing_if = "Option::is_none")]
        unit: Option<String>,
    },
    /// A calendar date; the answer is a `YYYY-MM-DD` string.
    Date {
        /// Earliest date: `today`, `today-<N>d`, `today+<N>d` or `YYYY-MM-DD`.
        #[serde(skip_serializing_if = "Option::is_none")]
        #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
        min_date: Option<DateBound>,
        /// Latest date, same forms as `min_date`.
        #[serde(skip_serializing_if = "Option::is_none")]
        #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
        max_date: Option<DateBound>,
    },
    /// One of 2–20 Chinese options; the answer is the option string.
    Choice {
        /// The options, in display order.
        options: Vec<String>,
    },
    /// 公民身份号码 (GB 11643); the answer is a string.
    IdNumber,
    /// 统一社会信用代码 (GB 32100); the answer is a string.
    Uscc,
    /// Mainland mobile number; the answer is a string.
    Phone,
    /// A Guangdong division plus detail: `{"code": "<6 or 9 digits>", "detail": "<text>"}`.
    Address,
    /// A yes/no question; the answer is a JSON boolean.
    YesNo,
}

impl FieldKind {
    /// The type's name as in the JSON (`text`, `number`, … `yes_no`).
    pub fn type_name(&self) -> &'static str {
        match self {
            FieldKind::Text { .. } => "text",
            FieldKind::Number { .. } => "number",
            FieldKind::Date { .. } => "date",
            FieldKind::Choice { .. } => "choice",
            FieldKind::IdNumber => "id_number",
            FieldKind::Uscc => "uscc",
            FieldKind::Phone => "phone",
            FieldKind::Address => "address",
            FieldKind::YesNo => "yes_no",
        }
    }
}

/// A compiled text pattern; serialised as its source.
#[derive(Debug, Clone)]
pub struct Pattern {
    source: String,
    regex: Regex,
}

impl Pattern {
    /// Compiles an anchored pattern; the error says why it is refused.
    pub(crate) fn new(source: &str) -> Result<Pattern, String> {
        if !source.starts_with('^') || !source.ends_with('$') || source.len() < 2 {
            return Err("pattern must be anchored with ^…$".to_owned());
        }
        let regex = Regex::new(source).map_err(|e| {
            // The regex crate's message spans lines; keep its last line (the reason).
            let msg = e.to_string();
            let reason = msg
                .lines()
                .rev()
                .find(|l| !l.trim().is_empty())
                .unwrap_or("")
                .trim()
                .to_owned();
            format!("pattern does not compile: {reason}")
        })?;
        Ok(Pattern {
            source: source.to_owned(),
            regex,
        })
    }

    /// The pattern as written.
    pub fn as_str(&self) -> &str {
        &self.source
    }

    /// Whether the whole text matches.
    pub fn is_match(&self, text: &str) -> bool {
        self.regex.is_match(text)
    }
}

impl PartialEq for Pattern {
    fn eq(&self, other: &Pattern) -> bool {
        self.source == other.source
    }
}

impl Serialize for Pattern {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.source)
    }
}

/// A date bound: relative to the day of the check, or a fixed date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateBound {
    /// `today` (0), `today+<N>d` (N) or `today-<N>d` (−N).
    Today(i32),
    /// `YYYY-MM-DD`.
    Fixed(Date),
}

impl DateBound {
    /// Parses `today`, `today±<N>d` (N of 1–4 digits) or `YYYY-MM-DD`.
    pub fn parse(s: &str) -> Option<DateBound> {
        if s == "today" {
            return Some(DateBound::Today(0));
        }
        if let Some(rest) = s.strip_prefix("today") {
            let sign = match rest.as_bytes().first() {
                Some(b'+') => 1,
                Some(b'-') => -1,
                _ => return None,
            };
            let digits = rest[1..].strip_suffix('d')?;
            if digits.is_empty() || digits.len() > 4 || !digits.bytes().all(|b| b.is_ascii_digit())
            {
                return None;
            }
            let n: i32 = digits.parse().ok()?;
            return Some(DateBound::Today(sign * n));
        }
        parse_iso_date(s).map(DateBound::Fixed)
    }

    /// The date this bound means on `today`.
    pub fn resolve(self, today: Date) -> Date {
        match self {
            DateBound::Fixed(d) => d,
            DateBound::Today(n) => {
                let shifted = today.to_julian_day().saturating_add(n);
                Date::from_julian_day(shifted).unwrap_or(if n < 0 { Date::MIN } else { Date::MAX })
            }
        }
    }
}

impl fmt::Display for DateBound {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            DateBound::Today(0) => f.write_str("today"),
            DateBound::Today(n) if n > 0 => write!(f, "today+{n}d"),
            DateBound::Today(n) => write!(f, "today-{}d", n.unsigned_abs()),
            DateBound::Fixed(d) => f.write_str(&format_iso_date(d)),
        }
    }
}

impl Serialize for DateBound {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// Parses a strict `YYYY-MM-DD` date (four-digit year, two-digit month and day).
pub fn parse_iso_date(s: &str) -> Option<Date> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let digits = |r: std::ops::Range<usize>| -> Option<u32> {
        let part = s.get(r)?;
        if part.bytes().all(|c| c.is_ascii_digit()) {
            part.parse().ok()
        } else {
            None
        }
    };
    let year = i32::try_from(digits(0..4)?).ok()?;
    let month = time::Month::try_from(u8::try_from(digits(5..7)?).ok()?).ok()?;
    let day = u8::try_from(digits(8..10)?).ok()?;
    Date::from_calendar_date(year, month, day).ok()
}

/// Formats a date as `YYYY-MM-DD`.
pub fn format_iso_date(d: Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

/// Which identity value fills a field in advance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Prefill {
    /// The person's real name (text field).
    Name,
    /// The person's 公民身份号码 (id_number field).
    IdNumber,
    /// The person's mobile number (phone field).
    Phone,
    /// The person's address from the profile (address field).
    Address,
    /// The organisation's name (text field; organisation flows).
    OrgName,
    /// The organisation's 统一社会信用代码 (uscc field; organisation flows).
    Uscc,
}

impl Prefill {
    pub(crate) fn parse(s: &str) -> Option<Prefill> {
        match s {
            "name" => Some(Prefill::Name),
            "id_number" => Some(Prefill::IdNumber),
            "phone" => Some(Prefill::Phone),
            "address" => Some(Prefill::Address),
            "org_name" => Some(Prefill::OrgName),
            "uscc" => Some(Prefill::Uscc),
            _ => None,
        }
    }

    /// The field type this prefill fits.
    pub(crate) fn fits(self) -> &'static str {
        match self {
            Prefill::Name | Prefill::OrgName => "text",
            Prefill::IdNumber => "id_number",
            Prefill::Phone => "phone",
            Prefill::Address => "address",
            Prefill::Uscc => "uscc",
        }
    }

    /// Whether this identity value is locked at real-name level L2 and above.
    pub fn is_identity(self) -> bool {
        matches!(
            self,
            Prefill::Name | Prefill::IdNumber | Prefill::OrgName | Prefill::Uscc
        )
    }
}

/// The condition under which a field applies.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct When {
    /// An earlier field of the flow (a `choice` or `yes_no` field).
    pub field: String,
    /// The answer that field must have.
    pub equals: WhenValue,
}

/// The answer a `when` condition asks for.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(untagged)]
pub enum WhenValue {
    /// An option of a `choice` field.
    Option(String),
    /// The answer of a `yes_no` field.
    Flag(bool),
}

impl WhenValue {
    /// Whether an answer (as cleaned by the check) is this value.
    pub fn matches(&self, answer: &serde_json::Value) -> bool {
        match (self, answer) {
            (WhenValue::Option(o), serde_json::Value::String(s)) => o == s,
            (WhenValue::Flag(b), serde_json::Value::Bool(a)) => a == b,
            _ => false,
        }
    }
}

/// A document of a materials step: uploaded, or presented from 我的证照.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Material {
    /// `^[a-z][a-z0-9_]{0,39}$`, unique in the flow.
    pub slot: String,
    /// The material's name (at most 60 characters).
    pub name: String,
    /// Whether the application needs it.
    pub required: bool,
    /// Licence types whose presentation replaces the upload (免证办); may be empty.
    pub wallet_types: Vec<String>,
    /// The licence fields the department needs from the presentation.
    pub disclose: Vec<String>,
    /// Accepted upload kinds.
    pub accept: Vec<Accept>,
    /// At most this many files, 1–10.
    pub max_files: u8,
    /// A Chinese hint (when it is needed, what it must show), at most 60 characters.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
}

/// An accepted upload kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Accept {
    /// A photo or scan.
    Image,
    /// A PDF document.
    Pdf,
}

impl Accept {
    pub(crate) fn parse(s: &str) -> Option<Accept> {
        match s {
            "image" => Some(Accept::Image),
            "pdf" => Some(Accept::Pdf),
            _ => None,
        }
    }
}

/// What the person gets at the end of a flow.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FlowResult {
    /// Its name (at most 40 characters).
    pub name: String,
    /// What kind of thing it is.
    pub kind: ResultKind,
    /// Set when the result is that licence of 我的证照.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub wallet_type: Option<String>,
    /// Years the result is valid, 1–100.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub valid_years: Option<u8>,
    /// How the person gets it (at most 40 characters).
    pub collect: String,
}

/// The kind of a flow's result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ResultKind {
    /// A licence (证照).
    Licence,
    /// A certificate (证书, 证明).
    Certificate,
    /// A document (凭证, 回执).
    Document,
    /// Money paid out.
    Funds,
    /// A registration or record (登记, 备案).
    Registration,
    /// A decision or reply.
    Decision,
}

impl ResultKind {
    pub(crate) fn parse(s: &str) -> Option<ResultKind> {
        match s {
            "licence" => Some(ResultKind::Licence),
            "certificate" => Some(ResultKind::Certificate),
            "document" => Some(ResultKind::Document),
            "funds" => Some(ResultKind::Funds),
            "registration" => Some(ResultKind::Registration),
            "decision" => Some(ResultKind::Decision),
            _ => None,
        }
    }
}

impl Flow {
    /// Every field of the flow, in order, across its form steps.
    pub fn fields(&self) -> impl Iterator<Item = &Field> {
        self.steps.iter().flat_map(|s| s.fields().iter())
    }

    /// The field named `name`, wherever it is.
    pub fn field(&self, name: &str) -> Option<&Field> {
        self.fields().find(|f| f.name == name)
    }
}

//! Checking a form step's answers field by field, on the server.
//!
//! [`Flow::check_step`] returns the cleaned answers (trimmed, normalised by
//! the [`FieldChecks`] validators, fields that do not apply removed) or every
//! field's first problem as a [`FieldError`]: a stable `code` and the `args`
//! a message needs. The crate never writes the message itself — the daemon
//! renders it (in Chinese first) from its message files, by code.

use serde::Serialize;
use serde_json::{Map, Value, json};
use time::Date;

use crate::decimal::Decimal;
use crate::identity::{Identity, Level};
use crate::model::{
    ADDRESS_DETAIL_MAX, DEFAULT_MAX_LENGTH, DEFAULT_MIN_LENGTH, Field, FieldKind, Flow,
    MULTILINE_ABOVE, Prefill, Step, format_iso_date, parse_iso_date,
};

/// Validators the daemon already has: GB 11643 公民身份号码, GB 32100 统一社会信用代码,
/// mainland mobile numbers, and the division gazetteer.
pub trait FieldChecks {
    /// Checks a 公民身份号码; `Ok` holds its normal form (upper-case `X`),
    /// `Err` a short reason code (`length`, `check_digit`, `birth_date` …)
    /// that becomes `args.reason` of a `bad_id_number` error.
    fn id_number(&self, s: &str) -> Result<String, String>;
    /// Checks a 统一社会信用代码 the same way (`bad_uscc`).
    fn uscc(&self, s: &str) -> Result<String, String>;
    /// Checks a mainland mobile number the same way (`bad_phone`).
    fn phone(&self, s: &str) -> Result<String, String>;
    /// The display name of a Guangdong division code (6-digit county level or
    /// 9-digit township level), `None` when the gazetteer does not know it.
    fn division(&self, code: &str) -> Option<String>;
}

/// The stable code of a field error.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// A required field that applies has no answer. No args.
    Required,
    /// An answer names no field of this step. No args.
    UnknownField,
    /// The answer has the wrong JSON type. `expected`: `string`, `number`, `boolean` or `object`.
    WrongType,
    /// Text shorter than `min_length`. `min`: the fewest characters.
    TooShort,
    /// Text (or an address's detail) longer than allowed. `max`: the most characters.
    TooLong,
    /// Text that does not match the field's pattern. No args.
    Pattern,
    /// A string given for a number field. No args.
    NotANumber,
    /// A number below `min`. `min`: the smallest value.
    TooSmall,
    /// A number above `max`. `max`: the largest value.
    TooLarge,
    /// More digits after the point than allowed. `decimals`: how many are allowed (0–2).
    TooManyDecimals,
    /// Not a `YYYY-MM-DD` calendar date. No args.
    NotADate,
    /// A date before the earliest allowed. `min`: that date, `YYYY-MM-DD`.
    TooEarly,
    /// A date after the latest allowed. `max`: that date, `YYYY-MM-DD`.
    TooLate,
    /// Not one of the field's options. No args (the client has the options).
    NotAnOption,
    /// Not a valid 公民身份号码. `reason`: the validator's reason code.
    BadIdNumber,
    /// Not a valid 统一社会信用代码. `reason`: the validator's reason code.
    BadUscc,
    /// Not a valid mainland mobile number. `reason`: the validator's reason code.
    BadPhone,
    /// An address whose `part` is wrong: `code` (not a known Guangdong
    /// division) or `detail` (missing).
    BadAddress,
    /// Control characters or Unicode direction controls in text. No args.
    ControlCharacters,
    /// A verified identity value (name, 公民身份号码, organisation name, USCC)
    /// changed at real-name level L2 or above. No args.
    ReadOnly,
}

impl ErrorCode {
    /// The code as in the JSON (`required`, `too_long` …).
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::Required => "required",
            ErrorCode::UnknownField => "unknown_field",
            ErrorCode::WrongType => "wrong_type",
            ErrorCode::TooShort => "too_short",
            ErrorCode::TooLong => "too_long",
            ErrorCode::Pattern => "pattern",
            ErrorCode::NotANumber => "not_a_number",
            ErrorCode::TooSmall => "too_small",
            ErrorCode::TooLarge => "too_large",
            ErrorCode::TooManyDecimals => "too_many_decimals",
            ErrorCode::NotADate => "not_a_date",
            ErrorCode::TooEarly => "too_early",
            ErrorCode::TooLate => "too_late",
            ErrorCode::NotAnOption => "not_an_option",
            ErrorCode::BadIdNumber => "bad_id_number",
            ErrorCode::BadUscc => "bad_uscc",
            ErrorCode::BadPhone => "bad_phone",
            ErrorCode::BadAddress => "bad_address",
            ErrorCode::ControlCharacters => "control_characters",
            ErrorCode::ReadOnly => "read_only",
        }
    }
}

/// One field's problem: which field, a stable code, and the message's arguments.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FieldError {
    /// The field's name (the answer's key).
    pub field: String,
    /// What is wrong.
    pub code: ErrorCode,
    /// What the message needs (see [`ErrorCode`] for each code's keys).
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub args: Map<String, Value>,
}

impl FieldError {
    fn new(field: &str, code: ErrorCode) -> FieldError {
        FieldError {
            field: field.to_owned(),
            code,
            args: Map::new(),
        }
    }

    fn with(mut self, key: &str, value: impl Into<Value>) -> FieldError {
        self.args.insert(key.to_owned(), value.into());
        self
    }
}

/// What a step check needs besides the answers.
pub struct CheckContext<'a> {
    /// The daemon's validators.
    pub checks: &'a dyn FieldChecks,
    /// The day of the check (China Standard Time), for relative date bounds.
    pub today: Date,
    /// The cleaned answers of the flow's earlier steps: `when` conditions may
    /// refer to a field of an earlier step. Only read for conditions.
    pub earlier: &'a Map<String, Value>,
    /// The applicant's identity and real-name level: at L2 and above, fields
    /// prefilled from the verified identity (name, id_number, org_name, uscc)
    /// must keep the identity's value. `None` skips that check.
    pub identity: Option<(&'a Identity, Level)>,
}

/// Unicode direction controls refused in text (they can make text display
/// differently from what it is).
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}')
}

fn has_forbidden(s: &str, multiline: bool) -> bool {
    s.chars()
        .any(|c| (c.is_control() && !(multiline && (c == '\n' || c == '\t'))) || is_bidi_control(c))
}

/// The outcome of reading one answer.
enum Read {
    Absent,
    Value(Value),
    Error(FieldError),
}

/// A string answer, trimmed; `""` and `null` are no answer.
fn read_string(field: &Field, v: &Value, multiline: bool) -> Result<Option<String>, FieldError> {
    let s = match v {
        Value::Null => return Ok(None),
        Value::String(s) => s,
        _ => {
            return Err(
                FieldError::new(&field.name, ErrorCode::WrongType).with("expected", "string")
            );
        }
    };
    let normalised;
    let s = if multiline && s.contains('\r') {
        normalised = s.replace("\r\n", "\n").replace('\r', "\n");
        normalised.as_str()
    } else {
        s.as_str()
    };
    let t = s.trim();
    if t.is_empty() {
        return Ok(None);
    }
    if has_forbidden(t, multiline) {
        return Err(FieldError::new(&field.name, ErrorCode::ControlCharacters));
    }
    Ok(Some(t.to_owned()))
}

fn validated(
    field: &Field,
    v: &Value,
    f: impl Fn(&str) -> Result<String, String>,
    code: ErrorCode,
) -> Read {
    match read_string(field, v, false) {
        Err(e) => Read::Error(e),
        Ok(None) => Read::Absent,
        Ok(Some(s)) => match f(&s) {
            Ok(norm) => Read::Value(Value::String(norm)),
            Err(reason) => Read::Error(FieldError::new(&field.name, code).with("reason", reason)),
        },
    }
}

fn check_text(
    field: &Field,
    v: &Value,
    min_length: Option<u32>,
    max_length: Option<u32>,
    pattern: Option<&crate::model::Pattern>,
) -> Read {
    let max = max_length.unwrap_or(DEFAULT_MAX_LENGTH);
    let min = min_length.unwrap_or(DEFAULT_MIN_LENGTH);
    let s = match read_string(field, v, max > MULTILINE_ABOVE) {
        Err(e) => return Read::Error(e),
        Ok(None) => return Read::Absent,
        Ok(Some(s)) => s,
    };
    let n = s.chars().count();
    if n < min as usize {
        return Read::Error(FieldError::new(&field.name, ErrorCode::TooShort).with("min", min));
    }
    if n > max as usize {
        return Read::Error(FieldError::new(&field.name, ErrorCode::TooLong).with("max", max));
    }
    if let Some(p) = pattern
        && !p.is_match(&s)
    {
        return Read::Error(FieldError::new(&field.name, ErrorCode::Pattern));
    }
    Read::Value(Value::String(s))
}

fn check_number(
    field: &Field,
    v: &Value,
    min: &serde_json::Number,
    max: &serde_json::Number,
    decimals: Option<u8>,
) -> Read {
    let n = match v {
        Value::Null => return Read::Absent,
        Value::String(s) if s.trim().is_empty() => return Read::Absent,
        Value::String(_) => {
            return Read::Error(FieldError::new(&field.name, ErrorCode::NotANumber));
        }
        Value::Number(n) => n,
        _ => {
            return Read::Error(
                FieldError::new(&field.name, ErrorCode::WrongType).with("expected", "number"),
            );
        }
    };
    let (Some(value), Some(lo), Some(hi)) = (
        Decimal::from_number(n),
        Decimal::from_number(min),
        Decimal::from_number(max),
    ) else {
        return Read::Error(FieldError::new(&field.name, ErrorCode::NotANumber));
    };
    let allowed = decimals.unwrap_or(0);
    if value.decimals() > u64::from(allowed) {
        return Read::Error(
            FieldError::new(&field.name, ErrorCode::TooManyDecimals).with("decimals", allowed),
        );
    }
    if value < lo {
        return Read::Error(
            FieldError::new(&field.name, ErrorCode::TooSmall).with("min", min.clone()),
        );
    }
    if value > hi {
        return Read::Error(
            FieldError::new(&field.name, ErrorCode::TooLarge).with("max", max.clone()),
        );
    }
    // Whole numbers are stored as integers (a `12.0` becomes `12`).
    let cleaned = value
        .to_i64()
        .map_or_else(|| n.clone(), serde_json::Number::from);
    Read::Value(Value::Number(cleaned))
}

fn check_date(
    field: &Field,
    v: &Value,
    min_date: Option<crate::model::DateBound>,
    max_date: Option<crate::model::DateBound>,
    today: Date,
) -> Read {
    let s = match read_string(field, v, false) {
        Err(e) => return Read::Error(e),
        Ok(None) => return Read::Absent,
        Ok(Some(s)) => s,
    };
    let Some(date) = parse_iso_date(&s) else {
        return Read::Error(FieldError::new(&field.name, ErrorCode::NotADate));
    };
    if let Some(lo) = min_date.map(|b| b.resolve(today))
        && date < lo
    {
        return Read::Error(
            FieldError::new(&field.name, ErrorCode::TooEarly).with("min", format_iso_date(lo)),
        );
    }
    if let Some(hi) = max_date.map(|b| b.resolve(today))
        && date > hi
    {
        return Read::Error(
            FieldError::new(&field.name, ErrorCode::TooLate).with("max", format_iso_date(hi)),
        );
    }
    Read::Value(Value::String(s))
}

fn check_address(field: &Field, v: &Value, checks: &dyn FieldChecks) -> Read {
    let obj = match v {
        Value::Null => return Read::Absent,
        Value::String(s) if s.trim().is_empty() => return Read::Absent,
        Value::Object(o) => o,
        _ => {
            return Read::Error(
                FieldError::new(&field.name, ErrorCode::WrongType).with("expected", "object"),
            );
        }
    };
    let wrong = || {
        Read::Error(FieldError::new(&field.name, ErrorCode::WrongType).with("expected", "object"))
    };
    if obj
        .keys()
        .any(|k| !matches!(k.as_str(), "code" | "detail" | "name"))
    {
        return wrong();
    }
    let part = |key: &str| match obj.get(key) {
        None | Some(Value::Null) => Ok(""),
        Some(Value::String(s)) => Ok(s.trim()),
        Some(_) => Err(()),
    };
    let (Ok(code), Ok(detail)) = (part("code"), part("detail")) else {
        return wrong();
    };
    if code.is_empty() && detail.is_empty() {
        return Read::Absent;
    }
    let code_ok = (code.len() == 6 || code.len() == 9)
        && code.bytes().all(|b| b.is_ascii_digit())
        && code.starts_with("44");
    let name = if code_ok { checks.division(code) } else { None };
    let Some(name) = name else {
        return Read::Error(
            FieldError::new(&field.name, ErrorCode::BadAddress).with("part", "code"),
        );
    };
    if detail.is_empty() {
        return Read::Error(
            FieldError::new(&field.name, ErrorCode::BadAddress).with("part", "detail"),
        );
    }
    if has_forbidden(detail, false) {
        return Read::Error(FieldError::new(&field.name, ErrorCode::ControlCharacters));
    }
    if detail.chars().count() > ADDRESS_DETAIL_MAX as usize {
        return Read::Error(
            FieldError::new(&field.name, ErrorCode::TooLong).with("max", ADDRESS_DETAIL_MAX),
        );
    }
    Read::Value(json!({"code": code, "detail": detail, "name": name}))
}

fn check_value(field: &Field, v: &Value, ctx: &CheckContext<'_>) -> Read {
    match &field.kind {
        FieldKind::Text {
            min_length,
            max_length,
            pattern,
        } => check_text(field, v, *min_length, *max_length, pattern.as_ref()),
        FieldKind::Number {
            min, max, decimals, ..
        } => check_number(field, v, min, max, *decimals),
        FieldKind::Date { min_date, max_date } => {
            check_date(field, v, *min_date, *max_date, ctx.today)
        }
        FieldKind::Choice { options } => match read_string(field, v, false) {
            Err(e) => Read::Error(e),
            Ok(None) => Read::Absent,
            Ok(Some(s)) if options.contains(&s) => Read::Value(Value::String(s)),
            Ok(Some(_)) => Read::Error(FieldError::new(&field.name, ErrorCode::NotAnOption)),
        },
        FieldKind::IdNumber => validated(
            field,
            v,
            |s| ctx.checks.id_number(s),
            ErrorCode::BadIdNumber,
        ),
        FieldKind::Uscc => validated(field, v, |s| ctx.checks.uscc(s), ErrorCode::BadUscc),
        FieldKind::Phone => validated(field, v, |s| ctx.checks.phone(s), ErrorCode::BadPhone),
        FieldKind::Address => check_address(field, v, ctx.checks),
        FieldKind::YesNo => match v {
            Value::Null => Read::Absent,
            Value::String(s) if s.trim().is_empty() => Read::Absent,
            Value::Bool(b) => Read::Value(Value::Bool(*b)),
            _ => Read::Error(
                FieldError::new(&field.name, ErrorCode::WrongType).with("expected", "boolean"),
            ),
        },
    }
}

/// The identity value a read-only field must keep, normalised like its answer.
fn locked_value(field: &Field, ctx: &CheckContext<'_>) -> Option<String> {
    let (identity, level) = ctx.identity?;
    if level < Level::L2 {
        return None;
    }
    let value = identity.value_of(field.prefill.filter(|p| p.is_identity())?)?;
    let value = value.trim();
    Some(match field.prefill? {
        Prefill::IdNumber => ctx
            .checks
            .id_number(value)
            .unwrap_or_else(|_| value.to_uppercase()),
        Prefill::Uscc => ctx
            .checks
            .uscc(value)
            .unwrap_or_else(|_| value.to_uppercase()),
        _ => value.to_owned(),
    })
}

impl Flow {
    /// Checks the answers of step `index` (0-based) field by field.
    ///
    /// Answer types: text, id_number, uscc, phone, date and choice take a
    /// JSON string; number a JSON number; yes_no a boolean; address
    /// `{"code": "<6 or 9 digits>", "detail": "<text>"}`. `null` and blank
    /// strings are no answer. Fields whose `when` does not hold are not
    /// checked and are removed from the cleaned answers. A step that is not a
    /// form step (or an index past the end) has no fields: any answer is an
    /// `unknown_field`.
    ///
    /// Returns the cleaned answers (text trimmed, validator-normalised
    /// numbers, whole numbers as integers, an address with the division's
    /// `name` added), or the first problem of every field in field order,
    /// followed by `unknown_field` errors in key order.
    pub fn check_step(
        &self,
        index: usize,
        answers: &Map<String, Value>,
        ctx: &CheckContext<'_>,
    ) -> Result<Map<String, Value>, Vec<FieldError>> {
        let fields: &[Field] = self.steps.get(index).map_or(&[], Step::fields);
        let mut cleaned = Map::new();
        let mut errors = Vec::new();
        for field in fields {
            if let Some(w) = &field.when {
                let answer = cleaned.get(&w.field).or_else(|| ctx.earlier.get(&w.field));
                if !answer.is_some_and(|a| w.equals.matches(a)) {
                    continue;
                }
            }
            let read = match answers.get(&field.name) {
                None => Read::Absent,
                Some(v) => check_value(field, v, ctx),
            };
            match read {
                Read::Absent if field.required => {
                    errors.push(FieldError::new(&field.name, ErrorCode::Required))
                }
                Read::Absent => {}
                Read::Error(e) => errors.push(e),
                Read::Value(v) => {
                    let changed = locked_value(field, ctx)
                        .is_some_and(|locked| v.as_str() != Some(locked.as_str()));
                    if changed {
                        errors.push(FieldError::new(&field.name, ErrorCode::ReadOnly));
                    } else {
                        cleaned.insert(field.name.clone(), v);
                    }
                }
            }
        }
        for key in answers.keys() {
            if !fields.iter().any(|f| &f.name == key) {
                errors.push(FieldError::new(key, ErrorCode::UnknownField));
            }
        }
        if errors.is_empty() {
            Ok(cleaned)
        } else {
            Err(errors)
        }
    }
}

//! A form step's answers as a JSON Schema (2020-12) — what JSON Schema can
//! state of the checks, for the OpenAPI document and for clients.
//!
//! What it cannot state is left to [`Flow::check_step`], which is the
//! authority: check digits of 公民身份号码 and 统一社会信用代码, that a division
//! code exists, relative date bounds (`today-30d`), conditions on fields of
//! earlier steps, trimming, control characters, and read-only identity
//! values. Conditions on a field of the same step are stated with `if`/`then`.

use serde_json::{Map, Value, json};

use crate::model::{
    ADDRESS_DETAIL_MAX, DEFAULT_MAX_LENGTH, DEFAULT_MIN_LENGTH, Field, FieldKind, Flow, Step,
    WhenValue,
};

/// The JSON Schema dialect of [`Flow::step_schema`].
pub const SCHEMA_DIALECT: &str = "https://json-schema.org/draft/2020-12/schema";

/// Shape of a 公民身份号码 (the check digit is checked by the server).
pub const ID_NUMBER_PATTERN: &str = "^[0-9]{17}[0-9Xx]$";
/// Shape of a 统一社会信用代码 (GB 32100 characters; the check character is checked by the server).
pub const USCC_PATTERN: &str = "^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$";
/// Shape of a mainland mobile number.
pub const PHONE_PATTERN: &str = "^1[3-9][0-9]{9}$";
/// Shape of a division code (6 or 9 digits, Guangdong).
pub const DIVISION_PATTERN: &str = "^44[0-9]{4}([0-9]{3})?$";

fn field_schema(field: &Field) -> Value {
    let mut s = Map::new();
    s.insert("title".into(), json!(field.label));
    if let Some(h) = &field.help {
        s.insert("description".into(), json!(h));
    }
    match &field.kind {
        FieldKind::Text {
            min_length,
            max_length,
            pattern,
        } => {
            s.insert("type".into(), json!("string"));
            s.insert(
                "minLength".into(),
                json!(min_length.unwrap_or(DEFAULT_MIN_LENGTH)),
            );
            s.insert(
                "maxLength".into(),
                json!(max_length.unwrap_or(DEFAULT_MAX_LENGTH)),
            );
            if let Some(p) = pattern {
                s.insert("pattern".into(), json!(p.as_str()));
            }
        }
        FieldKind::Number {
            min, max, decimals, ..
        } => {
            // Whole numbers are `integer`. Decimal places are not stated as
            // `multipleOf: 0.01`: validators divide in binary floating point
            // and refuse valid amounts (19.99 / 0.01 is not a whole number in
            // f64); the places go into the `x-decimals` annotation instead.
            match decimals.unwrap_or(0) {
                0 => {
                    s.insert("type".into(), json!("integer"));
                }
                d => {
                    s.insert("type".into(), json!("number"));
                    s.insert("x-decimals".into(), json!(d));
                }
            }
            s.insert("minimum".into(), Value::Number(min.clone()));
            s.insert("maximum".into(), Value::Number(max.clone()));
        }
        FieldKind::Date { min_date, max_date } => {
            s.insert("type".into(), json!("string"));
            s.insert("format".into(), json!("date"));
            // Bounds as annotations (JSON Schema has no date comparison).
            if let Some(b) = min_date {
                s.insert("x-min-date".into(), json!(b.to_string()));
            }
            if let Some(b) = max_date {
                s.insert("x-max-date".into(), json!(b.to_string()));
            }
        }
        FieldKind::Choice { options } => {
            s.insert("type".into(), json!("string"));
            s.insert("enum".into(), json!(options));
        }
        FieldKind::IdNumber => {
            s.insert("type".into(), json!("string"));
            s.insert("pattern".into(), json!(ID_NUMBER_PATTERN));
        }
        FieldKind::Uscc => {
            s.insert("type".into(), json!("string"));
            s.insert("pattern".into(), json!(USCC_PATTERN));
        }
        FieldKind::Phone => {
            s.insert("type".into(), json!("string"));
            s.insert("pattern".into(), json!(PHONE_PATTERN));
        }
        FieldKind::Address => {
            s.insert("type".into(), json!("object"));
            s.insert(
                "properties".into(),
                json!({
                    "code": {"type": "string", "pattern": DIVISION_PATTERN},
                    "detail": {"type": "string", "minLength": 1, "maxLength": ADDRESS_DETAIL_MAX},
                    "name": {"type": "string", "readOnly": true},
                }),
            );
            s.insert("required".into(), json!(["code", "detail"]));
            s.insert("additionalProperties".into(), json!(false));
        }
        FieldKind::YesNo => {
            s.insert("type".into(), json!("boolean"));
        }
    }
    Value::Object(s)
}

impl Flow {
    /// A JSON Schema (2020-12) for the answers of step `index`: one property
    /// per field (type, lengths, pattern, enum, range, `multipleOf` for
    /// decimals, `format: date`), `required` = the required fields without a
    /// `when`, `additionalProperties: false`, and an `if`/`then` for each
    /// required field conditional on a field of the same step. A step that
    /// is not a form step accepts only `{}`.
    pub fn step_schema(&self, index: usize) -> Value {
        let step = self.steps.get(index);
        let fields: &[Field] = step.map_or(&[], Step::fields);
        let mut properties = Map::new();
        let mut required = Vec::new();
        let mut conditional = Vec::new();
        for f in fields {
            properties.insert(f.name.clone(), field_schema(f));
            match &f.when {
                None if f.required => required.push(json!(f.name)),
                Some(w) if f.required && fields.iter().any(|g| g.name == w.field) => {
                    let equals = match &w.equals {
                        WhenValue::Option(s) => json!(s),
                        WhenValue::Flag(b) => json!(b),
                    };
                    conditional.push(json!({
                        "if": {"properties": {&w.field: {"const": equals}}, "required": [&w.field]},
                        "then": {"required": [&f.name]},
                    }));
                }
                _ => {}
            }
        }
        let mut schema = Map::new();
        schema.insert("$schema".into(), json!(SCHEMA_DIALECT));
        if let Some(s) = step {
            schema.insert("title".into(), json!(s.title()));
        }
        schema.insert("type".into(), json!("object"));
        schema.insert("properties".into(), Value::Object(properties));
        schema.insert("required".into(), Value::Array(required));
        schema.insert("additionalProperties".into(), json!(false));
        if !conditional.is_empty() {
            schema.insert("allOf".into(), Value::Array(conditional));
        }
        Value::Object(schema)
    }
}

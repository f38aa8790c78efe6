//! Reading one flow (a `services/<family>.json` document, or a flow in the
//! API shape) from JSON into the typed model, with every rule of the format
//! checked: keys, lengths, field types and their keys, `when` conditions,
//! the step order, unique names and slots.
//!
//! Problems are collected, not returned at the first one, each with where it
//! is (`step 2 field "monthly_rent": …`), so that one run tells an author
//! everything that is wrong in a file.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Display;

use serde_json::{Map, Value};

use crate::decimal::Decimal;
use crate::model::{
    Accept, Audience, DateBound, Field, FieldKind, Flow, FlowResult, MAX_TEXT_LENGTH, Material,
    Pattern, Prefill, ResultKind, Step, When, WhenValue,
};

/// Collects the problems found in one document, each as `where: reason`.
#[derive(Debug, Default)]
pub(crate) struct Report {
    pub(crate) reasons: Vec<String>,
}

impl Report {
    pub(crate) fn add(&mut self, at: &str, reason: impl Display) {
        if at.is_empty() {
            self.reasons.push(reason.to_string());
        } else {
            self.reasons.push(format!("{at}: {reason}"));
        }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.reasons.is_empty()
    }
}

/// Characters, as the format counts lengths.
pub(crate) fn chars(s: &str) -> usize {
    s.chars().count()
}

/// The first `n` characters.
pub(crate) fn prefix_chars(s: &str, n: usize) -> &str {
    match s.char_indices().nth(n) {
        Some((i, _)) => &s[..i],
        None => s,
    }
}

fn is_name(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b.len() <= 40
        && b[0].is_ascii_lowercase()
        && b.iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'_')
}

/// Whether the text holds a CJK ideograph (U+3400–U+9FFF), as labels and options must.
pub(crate) fn has_cjk(s: &str) -> bool {
    s.chars().any(|c| ('\u{3400}'..='\u{9fff}').contains(&c))
}

/// Checks that an object has the required keys and no others.
pub(crate) fn check_keys(
    r: &mut Report,
    at: &str,
    v: &Value,
    required: &[&str],
    optional: &[&str],
) -> Option<Map<String, Value>> {
    let Some(obj) = v.as_object() else {
        r.add(at, "is not an object");
        return None;
    };
    let mut ok = true;
    for k in required {
        if !obj.contains_key(*k) {
            r.add(at, format!("missing key `{k}`"));
            ok = false;
        }
    }
    for (k, val) in obj {
        if !required.contains(&k.as_str()) && !optional.contains(&k.as_str()) {
            r.add(at, format!("unknown key `{k}`"));
            ok = false;
        } else if val.is_null() {
            r.add(at, format!("`{k}` is null"));
            ok = false;
        }
    }
    ok.then(|| obj.clone())
}

/// A string that is not blank, of at most `max` characters.
pub(crate) fn text(
    r: &mut Report,
    at: &str,
    obj: &Map<String, Value>,
    key: &str,
    max: Option<usize>,
) -> Option<String> {
    let v = obj.get(key)?;
    match v.as_str() {
        Some(s) if !s.trim().is_empty() && max.is_none_or(|m| chars(s) <= m) => Some(s.to_owned()),
        _ => {
            match max {
                Some(m) => r.add(at, format!("`{key}` must be a string of 1–{m} characters")),
                None => r.add(at, format!("`{key}` must be a non-empty string")),
            }
            None
        }
    }
}

/// A boolean.
pub(crate) fn boolean(
    r: &mut Report,
    at: &str,
    obj: &Map<String, Value>,
    key: &str,
) -> Option<bool> {
    let v = obj.get(key)?;
    let b = v.as_bool();
    if b.is_none() {
        r.add(at, format!("`{key}` must be true or false"));
    }
    b
}

/// An integer in `lo..=hi`.
pub(crate) fn integer(
    r: &mut Report,
    at: &str,
    obj: &Map<String, Value>,
    key: &str,
    lo: u64,
    hi: u64,
) -> Option<u64> {
    let v = obj.get(key)?;
    match v.as_u64() {
        Some(n) if (lo..=hi).contains(&n) => Some(n),
        _ => {
            r.add(at, format!("`{key}` must be an integer {lo}–{hi}"));
            None
        }
    }
}

/// A list of distinct strings (each passing `ok`).
pub(crate) fn string_list(
    r: &mut Report,
    at: &str,
    obj: &Map<String, Value>,
    key: &str,
    non_empty: bool,
) -> Option<Vec<String>> {
    let v = obj.get(key)?;
    let list: Option<Vec<String>> = v
        .as_array()
        .and_then(|a| a.iter().map(|x| x.as_str().map(str::to_owned)).collect());
    match list {
        Some(l)
            if (!non_empty || !l.is_empty())
                && l.iter().collect::<BTreeSet<_>>().len() == l.len()
                && l.iter().all(|s| !s.trim().is_empty()) =>
        {
            Some(l)
        }
        _ => {
            let what = if non_empty {
                "a non-empty list"
            } else {
                "a list"
            };
            r.add(
                at,
                format!("`{key}` must be {what} of distinct non-empty strings"),
            );
            None
        }
    }
}

const FIELD_COMMON: &[&str] = &["name", "label", "type", "required"];
const FIELD_OPTIONAL: &[&str] = &["help", "prefill", "when"];

fn field_specific(ty: &str) -> Option<&'static [&'static str]> {
    Some(match ty {
        "text" => &["min_length", "max_length", "pattern"],
        "number" => &["min", "max", "decimals", "unit"],
        "date" => &["min_date", "max_date"],
        "choice" => &["options"],
        "id_number" | "uscc" | "phone" | "address" | "yes_no" => &[],
        _ => return None,
    })
}

/// Reads one field. `earlier` holds the fields before it in the flow (for `when`).
pub(crate) fn parse_field(
    r: &mut Report,
    at: &str,
    v: &Value,
    audience: Audience,
    earlier: &BTreeMap<String, Field>,
) -> Option<Field> {
    let before = r.reasons.len();
    let ty = v.get("type").and_then(Value::as_str).unwrap_or("");
    let Some(specific) = field_specific(ty) else {
        r.add(
            at,
            format!(
                "unknown field type {}",
                v.get("type").unwrap_or(&Value::Null)
            ),
        );
        return None;
    };
    let optional: Vec<&str> = FIELD_OPTIONAL.iter().chain(specific).copied().collect();
    if let Some(o) = v.as_object() {
        for k in o.keys() {
            let misplaced = !specific.contains(&k.as_str())
                && ["text", "number", "date", "choice"]
                    .iter()
                    .filter_map(|t| field_specific(t))
                    .any(|keys| keys.contains(&k.as_str()));
            if misplaced {
                r.add(at, format!("`{k}` does not belong to a {ty} field"));
            }
        }
    }
    let allowed: Vec<&str> = optional
        .iter()
        .copied()
        .chain([
            "min_length",
            "max_length",
            "pattern",
            "min",
            "max",
            "decimals",
            "unit",
            "min_date",
            "max_date",
            "options",
        ])
        .collect();
    let obj = check_keys(r, at, v, FIELD_COMMON, &allowed)?;
    if r.reasons.len() != before {
        return None;
    }
    let name = obj["name"].as_str().unwrap_or("");
    if !is_name(name) {
        r.add(
            at,
            format!("field name {} is not ^[a-z][a-z0-9_]{{0,39}}$", obj["name"]),
        );
    }
    let label = text(r, at, &obj, "label", Some(20));
    if let Some(l) = &label
        && !has_cjk(l)
    {
        r.add(at, "`label` must be Chinese");
    }
    let required = boolean(r, at, &obj, "required");
    let help = text(r, at, &obj, "help", Some(60));
    let prefill = match obj.get("prefill") {
        None => None,
        Some(p) => match p.as_str().and_then(Prefill::parse) {
            None => {
                r.add(at, format!("unknown prefill {p}"));
                None
            }
            Some(pf) => {
                if pf.fits() != ty {
                    r.add(
                        at,
                        format!(
                            "prefill {} does not fit a {ty} field",
                            p.as_str().unwrap_or("")
                        ),
                    );
                } else if matches!(pf, Prefill::OrgName | Prefill::Uscc)
                    && audience == Audience::Person
                {
                    r.add(
                        at,
                        format!("prefill {} in a flow for persons", p.as_str().unwrap_or("")),
                    );
                }
                Some(pf)
            }
        },
    };
    let kind = match ty {
        "text" => parse_text(r, at, &obj),
        "number" => parse_number(r, at, &obj),
        "date" => parse_date(r, at, &obj),
        "choice" => parse_choice(r, at, &obj),
        "id_number" => Some(FieldKind::IdNumber),
        "uscc" => Some(FieldKind::Uscc),
        "phone" => Some(FieldKind::Phone),
        "address" => Some(FieldKind::Address),
        _ => Some(FieldKind::YesNo),
    };
    let when = match obj.get("when") {
        None => None,
        Some(w) => parse_when(r, &format!("{at} when"), at, w, earlier),
    };
    if r.reasons.len() != before {
        return None;
    }
    Some(Field {
        name: name.to_owned(),
        label: label?,
        kind: kind?,
        required: required?,
        help,
        prefill,
        when,
    })
}

fn parse_text(r: &mut Report, at: &str, obj: &Map<String, Value>) -> Option<FieldKind> {
    let length = |key: &str| -> Result<Option<u32>, ()> {
        match obj.get(key) {
            None => Ok(None),
            Some(v) => v
                .as_u64()
                .and_then(|n| u32::try_from(n).ok())
                .map(Some)
                .ok_or(()),
        }
    };
    let (lo, hi) = (length("min_length"), length("max_length"));
    let (Ok(lo), Ok(hi)) = (lo, hi) else {
        r.add(
            at,
            "min_length / max_length must be integers with 0 ≤ min ≤ max ≤ 2000",
        );
        return None;
    };
    let (l, h) = (lo.unwrap_or(1), hi.unwrap_or(200));
    if h < 1 || l > h || h > MAX_TEXT_LENGTH {
        r.add(
            at,
            "min_length / max_length must be integers with 0 ≤ min ≤ max ≤ 2000",
        );
        return None;
    }
    let pattern = match obj.get("pattern") {
        None => None,
        Some(Value::String(p)) => match Pattern::new(p) {
            Ok(p) => Some(p),
            Err(e) => {
                r.add(at, e);
                return None;
            }
        },
        Some(_) => {
            r.add(at, "pattern must be a string anchored with ^…$");
            return None;
        }
    };
    Some(FieldKind::Text {
        min_length: lo,
        max_length: hi,
        pattern,
    })
}

fn parse_number(r: &mut Report, at: &str, obj: &Map<String, Value>) -> Option<FieldKind> {
    let num = |key: &str| match obj.get(key) {
        Some(Value::Number(n)) => Decimal::from_number(n).map(|d| (n.clone(), d)),
        _ => None,
    };
    let (min, max) = match (num("min"), num("max")) {
        (Some(lo), Some(hi)) if lo.1 < hi.1 => (lo.0, hi.0),
        _ => {
            r.add(at, "number needs numeric min < max");
            return None;
        }
    };
    let decimals = match obj.get("decimals") {
        None => None,
        Some(v) => match v.as_u64() {
            Some(d @ 0..=2) => u8::try_from(d).ok(),
            _ => {
                r.add(at, "decimals must be 0, 1 or 2");
                return None;
            }
        },
    };
    let unit = match obj.get("unit") {
        None => None,
        Some(_) => Some(text(r, at, obj, "unit", Some(8))?),
    };
    Some(FieldKind::Number {
        min,
        max,
        decimals,
        unit,
    })
}

fn parse_date(r: &mut Report, at: &str, obj: &Map<String, Value>) -> Option<FieldKind> {
    let mut bound = |key: &str| -> Result<Option<DateBound>, ()> {
        match obj.get(key) {
            None => Ok(None),
            Some(v) => match v.as_str().and_then(DateBound::parse) {
                Some(b) => Ok(Some(b)),
                None => {
                    r.add(
                        at,
                        format!("{key} {v} is not today, today±Nd or YYYY-MM-DD"),
                    );
                    Err(())
                }
            },
        }
    };
    let (Ok(min_date), Ok(max_date)) = (bound("min_date"), bound("max_date")) else {
        return None;
    };
    let inverted = match (min_date, max_date) {
        (Some(DateBound::Fixed(a)), Some(DateBound::Fixed(b))) => a > b,
        (Some(DateBound::Today(a)), Some(DateBound::Today(b))) => a > b,
        _ => false,
    };
    if inverted {
        r.add(at, "min_date is after max_date");
        return None;
    }
    Some(FieldKind::Date { min_date, max_date })
}

fn parse_choice(r: &mut Report, at: &str, obj: &Map<String, Value>) -> Option<FieldKind> {
    let opts: Option<Vec<String>> = obj
        .get("options")
        .and_then(Value::as_array)
        .and_then(|a| a.iter().map(|x| x.as_str().map(str::to_owned)).collect());
    let Some(opts) = opts.filter(|o| {
        (2..=20).contains(&o.len())
            && o.iter().all(|s| !s.trim().is_empty() && chars(s) <= 40)
            && o.iter().collect::<BTreeSet<_>>().len() == o.len()
    }) else {
        r.add(
            at,
            "options must be 2–20 distinct non-empty strings of at most 40 characters",
        );
        return None;
    };
    if !opts.iter().all(|o| has_cjk(o)) {
        r.add(at, "options must be Chinese");
        return None;
    }
    Some(FieldKind::Choice { options: opts })
}

fn parse_when(
    r: &mut Report,
    when_at: &str,
    at: &str,
    w: &Value,
    earlier: &BTreeMap<String, Field>,
) -> Option<When> {
    let obj = check_keys(r, when_at, w, &["field", "equals"], &[])?;
    let field = obj["field"].as_str().unwrap_or("");
    let Some(reference) = earlier.get(field) else {
        r.add(
            at,
            format!(
                "when refers to {}, which is not an earlier field",
                obj["field"]
            ),
        );
        return None;
    };
    let equals = match &obj["equals"] {
        Value::Bool(b) => {
            if !matches!(reference.kind, FieldKind::YesNo) {
                r.add(
                    at,
                    format!("when equals a boolean but {field} is not a yes_no field"),
                );
                return None;
            }
            WhenValue::Flag(*b)
        }
        Value::String(s) => {
            let is_option =
                matches!(&reference.kind, FieldKind::Choice { options } if options.contains(s));
            if !is_option {
                r.add(at, format!("when equals {s:?}, not an option of {field}"));
                return None;
            }
            WhenValue::Option(s.clone())
        }
        _ => {
            r.add(at, "when equals must be an option string or a boolean");
            return None;
        }
    };
    Some(When {
        field: field.to_owned(),
        equals,
    })
}

/// A form step whose every field is conditional must show at least one field
/// whatever the answer: all its conditions on one earlier field, covering all of its values.
fn check_step_applies(
    r: &mut Report,
    at: &str,
    fields: &[Field],
    earlier: &BTreeMap<String, Field>,
) {
    let conds: Vec<&When> = fields.iter().filter_map(|f| f.when.as_ref()).collect();
    if conds.is_empty() || conds.len() != fields.len() {
        return;
    }
    let refs: BTreeSet<&str> = conds.iter().map(|c| c.field.as_str()).collect();
    if refs.len() != 1 {
        r.add(
            at,
            "every field is conditional on different fields; the step could be empty",
        );
        return;
    }
    let Some(reference) = refs.first().and_then(|name| earlier.get(*name)) else {
        return;
    };
    let values: Vec<WhenValue> = match &reference.kind {
        FieldKind::Choice { options } => options.iter().cloned().map(WhenValue::Option).collect(),
        _ => vec![WhenValue::Flag(false), WhenValue::Flag(true)],
    };
    let missing: Vec<String> = values
        .iter()
        .filter(|v| !conds.iter().any(|c| &c.equals == *v))
        .map(|v| match v {
            WhenValue::Option(s) => s.clone(),
            WhenValue::Flag(b) => b.to_string(),
        })
        .collect();
    if !missing.is_empty() {
        r.add(
            at,
            format!(
                "no field applies when {} is {}",
                reference.name,
                missing.join(" / ")
            ),
        );
    }
}

/// Reads one material.
pub(crate) fn parse_material(r: &mut Report, at: &str, v: &Value) -> Option<Material> {
    let before = r.reasons.len();
    let obj = check_keys(
        r,
        at,
        v,
        &[
            "slot",
            "name",
            "required",
            "wallet_types",
            "disclose",
            "accept",
            "max_files",
        ],
        &["help"],
    )?;
    let slot = obj["slot"].as_str().unwrap_or("");
    if !is_name(slot) {
        r.add(
            at,
            format!("slot {} is not ^[a-z][a-z0-9_]{{0,39}}$", obj["slot"]),
        );
    }
    let name = text(r, at, &obj, "name", Some(60));
    let required = boolean(r, at, &obj, "required");
    let wallet_types = string_list(r, at, &obj, "wallet_types", false);
    let disclose = string_list(r, at, &obj, "disclose", false);
    if let (Some(w), Some(d)) = (&wallet_types, &disclose) {
        if !w.is_empty() && d.is_empty() {
            r.add(at, "disclose must not be empty when wallet_types is not");
        }
        if w.is_empty() && !d.is_empty() {
            r.add(at, "disclose must be empty when wallet_types is");
        }
    }
    let accept: Option<Vec<Accept>> = obj["accept"]
        .as_array()
        .and_then(|a| {
            a.iter()
                .map(|x| x.as_str().and_then(Accept::parse))
                .collect()
        })
        .filter(|a: &Vec<Accept>| !a.is_empty() && (a.len() == 1 || a[0] != a[1]) && a.len() <= 2);
    if accept.is_none() {
        r.add(at, "accept must be a non-empty subset of image, pdf");
    }
    let max_files = integer(r, at, &obj, "max_files", 1, 10);
    let help = text(r, at, &obj, "help", Some(60));
    if r.reasons.len() != before {
        return None;
    }
    Some(Material {
        slot: slot.to_owned(),
        name: name?,
        required: required?,
        wallet_types: wallet_types?,
        disclose: disclose?,
        accept: accept?,
        max_files: u8::try_from(max_files?).ok()?,
        help,
    })
}

/// Reads a result object (`result` of a flow).
fn parse_result(r: &mut Report, at: &str, v: &Value) -> Option<FlowResult> {
    let before = r.reasons.len();
    let obj = check_keys(
        r,
        at,
        v,
        &["name", "kind", "collect"],
        &["wallet_type", "valid_years"],
    )?;
    let name = text(r, at, &obj, "name", Some(40));
    let kind = obj["kind"].as_str().and_then(ResultKind::parse);
    if kind.is_none() {
        r.add(at, format!("result kind {} is unknown", obj["kind"]));
    }
    let wallet_type = text(r, at, &obj, "wallet_type", None);
    let valid_years = integer(r, at, &obj, "valid_years", 1, 100);
    let collect = text(r, at, &obj, "collect", Some(40));
    if r.reasons.len() != before {
        return None;
    }
    Some(FlowResult {
        name: name?,
        kind: kind?,
        wallet_type,
        valid_years: valid_years.and_then(|n| u8::try_from(n).ok()),
        collect: collect?,
    })
}

/// Reads a flow document. With `file_format`, the `format: 1` key of the
/// files is required; without, it is optional (the API shape leaves it out).
pub(crate) fn parse_flow(r: &mut Report, v: &Value, file_format: bool) -> Option<Flow> {
    let before = r.reasons.len();
    let keys = ["service", "title", "audience", "steps", "result", "format"];
    let (required, optional): (&[&str], &[&str]) = if file_format {
        (&keys, &[])
    } else {
        (&keys[..5], &keys[5..])
    };
    let obj = check_keys(r, "", v, required, optional)?;
    if let Some(f) = obj.get("format")
        && f.as_u64() != Some(1)
    {
        r.add("", "format must be 1");
    }
    let service = obj["service"].as_str().filter(|s| !s.is_empty());
    if service.is_none() {
        r.add("", "`service` must be a non-empty string");
    }
    let title = text(r, "", &obj, "title", None);
    let audience = obj["audience"].as_str().and_then(Audience::parse);
    if audience.is_none() {
        r.add(
            "",
            format!(
                "audience {} is not person, organisation or any",
                obj["audience"]
            ),
        );
    }
    let aud = audience.unwrap_or(Audience::Any);
    let Some(raw_steps) = obj["steps"]
        .as_array()
        .filter(|s| (3..=10).contains(&s.len()))
    else {
        r.add("", "steps must be a list of 3–10 steps");
        return None;
    };
    let mut steps = Vec::new();
    let mut earlier: BTreeMap<String, Field> = BTreeMap::new();
    let mut slots: BTreeSet<String> = BTreeSet::new();
    let mut order = String::new();
    for (n, raw) in raw_steps.iter().enumerate() {
        let sw = format!("step {}", n + 1);
        let kind = raw.get("kind").and_then(Value::as_str).unwrap_or("");
        order.push(match kind {
            "form" => 'f',
            "materials" => 'm',
            "confirm" => 'c',
            "department" => 'd',
            _ => '?',
        });
        if let Some(step) = parse_step(r, &sw, raw, kind, aud, &mut earlier, &mut slots) {
            steps.push(step);
        }
    }
    if !valid_order(&order) {
        r.add(
            "",
            format!("step order {order:?} is not (form|materials)+ confirm department+"),
        );
    }
    if !order.contains('f') {
        r.add("", "no form step");
    }
    let result = parse_result(r, "result", &obj["result"]);
    if r.reasons.len() != before {
        return None;
    }
    Some(Flow {
        service: service?.to_owned(),
        title: title?,
        audience: audience?,
        steps,
        result: result?,
    })
}

/// `[fm]+cd+`: citizen steps, exactly one confirm, then department steps.
fn valid_order(order: &str) -> bool {
    let citizen = order.len() - order.trim_start_matches(['f', 'm']).len();
    let rest = &order[citizen..];
    citizen > 0 && rest.starts_with('c') && rest.len() > 1 && rest[1..].bytes().all(|b| b == b'd')
}

fn parse_step(
    r: &mut Report,
    sw: &str,
    raw: &Value,
    kind: &str,
    audience: Audience,
    earlier: &mut BTreeMap<String, Field>,
    slots: &mut BTreeSet<String>,
) -> Option<Step> {
    let before = r.reasons.len();
    let (required, optional): (&[&str], &[&str]) = match kind {
        "form" => (&["kind", "title", "fields"], &["description"]),
        "materials" => (&["kind", "title", "materials"], &["description"]),
        "confirm" => (&["kind", "title", "declaration"], &[]),
        "department" => (
            &[
                "kind",
                "title",
                "duration_days",
                "working_days",
                "in_person",
                "description",
            ],
            &["actor"],
        ),
        _ => {
            r.add(
                sw,
                format!(
                    "unknown step kind {}",
                    raw.get("kind").unwrap_or(&Value::Null)
                ),
            );
            return None;
        }
    };
    let obj = check_keys(r, sw, raw, required, optional)?;
    let title = text(r, sw, &obj, "title", Some(30));
    let description = text(r, sw, &obj, "description", Some(120));
    let step = match kind {
        "form" => {
            let Some(list) = obj["fields"]
                .as_array()
                .filter(|f| (1..=20).contains(&f.len()))
            else {
                r.add(sw, "a form step has 1–20 fields");
                return None;
            };
            let mut fields = Vec::new();
            for v in list {
                let name = v.get("name").and_then(Value::as_str);
                let fw = match name {
                    Some(n) => format!("{sw} field {n:?}"),
                    None => format!("{sw} field {}", fields.len() + 1),
                };
                let field = parse_field(r, &fw, v, audience, earlier);
                if name.is_some_and(|n| earlier.contains_key(n)) {
                    r.add(&fw, "field name repeats an earlier field");
                }
                if let Some(f) = field {
                    earlier.insert(f.name.clone(), f.clone());
                    fields.push(f);
                }
            }
            check_step_applies(r, sw, &fields, earlier);
            Step::Form {
                title: title?,
                description,
                fields,
            }
        }
        "materials" => {
            let Some(list) = obj["materials"]
                .as_array()
                .filter(|m| (1..=12).contains(&m.len()))
            else {
                r.add(sw, "a materials step has 1–12 materials");
                return None;
            };
            let mut materials = Vec::new();
            for v in list {
                let slot = v.get("slot").and_then(Value::as_str);
                let mw = match slot {
                    Some(s) => format!("{sw} material {s:?}"),
                    None => format!("{sw} material {}", materials.len() + 1),
                };
                let material = parse_material(r, &mw, v);
                if let Some(s) = slot
                    && !slots.insert(s.to_owned())
                {
                    r.add(&mw, "slot repeats an earlier slot");
                }
                materials.extend(material);
            }
            Step::Materials {
                title: title?,
                description,
                materials,
            }
        }
        "confirm" => Step::Confirm {
            title: title?,
            declaration: text(r, sw, &obj, "declaration", Some(200))?,
        },
        _ => {
            let duration = integer(r, sw, &obj, "duration_days", 0, 60);
            let working_days = boolean(r, sw, &obj, "working_days");
            let in_person = boolean(r, sw, &obj, "in_person");
            let actor = text(r, sw, &obj, "actor", Some(40));
            Step::Department {
                title: title?,
                actor,
                duration_days: u8::try_from(duration?).ok()?,
                working_days: working_days?,
                in_person: in_person?,
                description: description?,
            }
        }
    };
    (r.reasons.len() == before).then_some(step)
}

/// Checks a flow's wallet references against the licence types the wallet
/// knows (code → field names): material `wallet_types` and `disclose`, and
/// the result's `wallet_type`.
pub(crate) fn check_wallet_refs(
    r: &mut Report,
    flow: &Flow,
    licences: &BTreeMap<String, BTreeSet<String>>,
) {
    for (n, step) in flow.steps.iter().enumerate() {
        for m in step.materials() {
            let mw = format!("step {} material {:?}", n + 1, m.slot);
            check_licence_fields(r, &mw, &m.wallet_types, &m.disclose, licences);
        }
    }
    if let Some(w) = &flow.result.wallet_type
        && !licences.contains_key(w)
    {
        r.add("result", format!("unknown wallet type {w:?}"));
    }
}

/// Every wallet type is known and every disclosed field is a field of each of them.
pub(crate) fn check_licence_fields(
    r: &mut Report,
    at: &str,
    wallet_types: &[String],
    disclose: &[String],
    licences: &BTreeMap<String, BTreeSet<String>>,
) {
    for code in wallet_types {
        match licences.get(code) {
            None => r.add(at, format!("unknown wallet type {code:?}")),
            Some(fields) => {
                for d in disclose {
                    if !fields.contains(d) {
                        r.add(at, format!("disclose field {d:?} is not a field of {code}"));
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::valid_order;

    #[test]
    fn step_order() {
        for ok in ["fcd", "fmcd", "mfcdd", "ffmcddd"] {
            assert!(valid_order(ok), "{ok}");
        }
        for bad in ["cd", "fc", "fcdc", "fccd", "fdcd", "fc?d", "f?cd", ""] {
            assert!(!valid_order(bad), "{bad}");
        }
    }
}

//! Development records: every row of a (subject, kind) is made up from the
//! kind's `dev` generators, deterministically, over the kind's history
//! window ending today; then filtered, sorted, summarised over all
//! matching rows, and paged. Pages of one query therefore always add up.

use std::cmp::Ordering;
use std::collections::BTreeMap;

use serde_json::{Number, Value};
use time::{Date, Duration};

use super::rng::Rng;
use super::words::{City, Words};
use crate::GatewayError;
use crate::clock::{
    add_months, format_date, month_index, month_start, month_text, parse_date, parse_month,
};
use crate::kinds::{Dev, FilterType, Order, RecordKind, Scope, SubjectKind, SummaryType};
use crate::model::{ColumnType, RecordsPage, RecordsRequest, SubjectRef};

/// The most rows one (subject, kind) gets.
const MAX_ROWS: usize = 1000;

type Row = BTreeMap<String, Value>;

/// A parsed filter, ready to apply.
#[derive(Debug)]
enum Applied {
    Months {
        column: Option<String>,
        from: Option<i32>,
        to: Option<i32>,
    },
    Dates {
        column: Option<String>,
        from: Option<Date>,
        to: Option<Date>,
    },
    Year {
        column: Option<String>,
        year: i32,
    },
    Equals {
        column: String,
        value: String,
    },
    Contains {
        column: String,
        needle: String,
    },
}

/// What a query needs besides the kind and the request.
pub(crate) struct Context<'a> {
    pub(crate) words: &'a Words,
    pub(crate) today: Date,
    /// The subject's vehicles (for `vehicle` kinds).
    pub(crate) plates: Vec<String>,
    pub(crate) home: &'a City,
}

/// Answers a records query from generated rows.
pub(crate) fn query(
    kind: &RecordKind,
    req: &RecordsRequest,
    ctx: &Context<'_>,
) -> Result<RecordsPage, GatewayError> {
    check_subject(kind, &req.subject)?;
    let (applied, keys) = parse_filters(kind, &req.filters)?;
    let seed_key = match kind.scope {
        Scope::Personal => req.subject.seed_key(),
        Scope::Public => {
            let mut key = String::from("public");
            for (name, value) in &keys {
                key.push_str(&format!("|{name}={value}"));
            }
            key
        }
    };
    let units = units(kind, ctx, &keys)?;
    let mut rows = Vec::new();
    for unit in &units {
        rows.extend(generate(kind, ctx, &seed_key, unit.as_deref(), &keys));
        if rows.len() >= MAX_ROWS {
            rows.truncate(MAX_ROWS);
            break;
        }
    }
    sort_rows(kind, &mut rows);
    let matching: Vec<Row> = rows
        .into_iter()
        .filter(|row| applied.iter().all(|f| keeps(kind, f, row)))
        .collect();
    let summary = summarise(kind, &matching, &seed_key, ctx);
    let total = matching.len() as u64;
    let start = (u64::from(req.page) - 1).saturating_mul(u64::from(req.size));
    let page = matching
        .into_iter()
        .skip(usize::try_from(start).unwrap_or(usize::MAX))
        .take(req.size as usize)
        .collect();
    Ok(RecordsPage {
        columns: kind.page_columns(),
        rows: page,
        total,
        summary,
    })
}

fn check_subject(kind: &RecordKind, subject: &SubjectRef) -> Result<(), GatewayError> {
    let ok = matches!(
        (kind.scope, kind.subject, subject),
        (Scope::Public, _, _)
            | (_, SubjectKind::Person, SubjectRef::Person { .. })
            | (
                _,
                SubjectKind::Organisation,
                SubjectRef::Organisation { .. }
            )
            | (
                _,
                SubjectKind::Vehicle,
                SubjectRef::Person { .. } | SubjectRef::Organisation { .. }
            )
            | (_, SubjectKind::None, _)
    );
    if ok {
        Ok(())
    } else {
        Err(GatewayError::BadRequest(format!(
            "kind {} is about a {:?} subject",
            kind.code, kind.subject
        )))
    }
}

/// Checks every filter value and turns it into a predicate. Also returns
/// the lookup keys (text and plate values) that choose public rows.
fn parse_filters(
    kind: &RecordKind,
    values: &BTreeMap<String, String>,
) -> Result<(Vec<Applied>, BTreeMap<String, String>), GatewayError> {
    let bad = |reason: String| GatewayError::BadRequest(reason);
    for name in values.keys() {
        if kind.filter(name).is_none() {
            return Err(bad(format!("kind {} has no filter {name}", kind.code)));
        }
    }
    let mut applied = Vec::new();
    let mut keys = BTreeMap::new();
    for filter in &kind.filters {
        let value = values
            .get(&filter.name)
            .map(|v| v.trim())
            .filter(|v| !v.is_empty());
        let Some(value) = value else {
            if filter.required {
                return Err(bad(format!("filter {} is required", filter.name)));
            }
            continue;
        };
        if !filter.matches_pattern(value) {
            return Err(bad(format!(
                "filter {} does not match its pattern",
                filter.name
            )));
        }
        let same_column = kind.column(&filter.name).map(|c| c.name.clone());
        match filter.kind {
            FilterType::MonthRange => {
                let (from, to) = split_range(value, parse_month)
                    .ok_or_else(|| bad(format!("filter {} takes YYYY-MM/YYYY-MM", filter.name)))?;
                let (from, to) = clamp_span(from, to, filter.max_span_months.map(|m| m as i32));
                if from.zip(to).is_some_and(|(a, b)| a > b) {
                    return Err(bad(format!(
                        "filter {}: the range ends before it starts",
                        filter.name
                    )));
                }
                if let (Some(a), Some(b), Some(max)) = (from, to, filter.max_span_months)
                    && b - a + 1 > max as i32
                {
                    return Err(bad(format!(
                        "filter {} spans more than {max} months",
                        filter.name
                    )));
                }
                applied.push(Applied::Months {
                    column: same_column,
                    from,
                    to,
                });
            }
            FilterType::DateRange => {
                let (mut from, mut to) = split_range(value, parse_date).ok_or_else(|| {
                    bad(format!(
                        "filter {} takes YYYY-MM-DD/YYYY-MM-DD",
                        filter.name
                    ))
                })?;
                if let Some(max) = filter.max_span_months {
                    let max = max as i32;
                    match (from, to) {
                        (Some(a), None) => to = Some(add_months(a, max) - Duration::days(1)),
                        (None, Some(b)) => from = Some(add_months(b, -max) + Duration::days(1)),
                        (Some(a), Some(b)) if b >= add_months(a, max) => {
                            return Err(bad(format!(
                                "filter {} spans more than {max} months",
                                filter.name
                            )));
                        }
                        _ => {}
                    }
                }
                if from.zip(to).is_some_and(|(a, b)| a > b) {
                    return Err(bad(format!(
                        "filter {}: the range ends before it starts",
                        filter.name
                    )));
                }
                applied.push(Applied::Dates {
                    column: same_column,
                    from,
                    to,
                });
            }
            FilterType::Year => {
                let year = (value.len() == 4)
                    .then(|| value.parse::<i32>().ok())
                    .flatten()
                    .ok_or_else(|| bad(format!("filter {} takes YYYY", filter.name)))?;
                applied.push(Applied::Year {
                    column: same_column,
                    year,
                });
            }
            FilterType::Choice => {
                if !filter.options.iter().any(|o| o == value) {
                    return Err(bad(format!(
                        "filter {} is not one of its options",
                        filter.name
                    )));
                }
                if value == "全部" {
                    continue;
                }
                let column = same_column.or_else(|| {
                    kind.columns
                        .iter()
                        .find(|c| c.kind == ColumnType::Status)
                        .map(|c| c.name.clone())
                });
                if let Some(column) = column {
                    applied.push(Applied::Equals {
                        column,
                        value: value.to_owned(),
                    });
                }
            }
            FilterType::Text => {
                keys.insert(filter.name.clone(), value.to_owned());
                if kind.scope == Scope::Personal
                    && let Some(column) = same_column
                {
                    applied.push(Applied::Contains {
                        column,
                        needle: value.to_owned(),
                    });
                }
            }
            FilterType::Plate => {
                if filter.compiled.is_none() && !looks_like_plate(value) {
                    return Err(bad(format!("filter {} is not a plate", filter.name)));
                }
                keys.insert(filter.name.clone(), value.to_owned());
            }
        }
    }
    Ok((applied, keys))
}

/// 粤A12345, 粤AD12345: a province character, a letter, 5–6 letters or digits.
pub(crate) fn looks_like_plate(text: &str) -> bool {
    let chars: Vec<char> = text.chars().collect();
    (7..=8).contains(&chars.len())
        && !chars[0].is_ascii()
        && chars[1].is_ascii_uppercase()
        && chars[2..]
            .iter()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
}

fn split_range<T: Copy>(
    value: &str,
    parse: fn(&str) -> Option<T>,
) -> Option<(Option<T>, Option<T>)> {
    let (a, b) = match value.split_once('/') {
        Some((a, b)) => (a.trim(), b.trim()),
        None => (value, value),
    };
    let side = |s: &str| {
        if s.is_empty() {
            Some(None)
        } else {
            parse(s).map(Some)
        }
    };
    Some((side(a)?, side(b)?))
}

/// An open end of a month range with a maximum span closes at the span.
fn clamp_span(from: Option<i32>, to: Option<i32>, max: Option<i32>) -> (Option<i32>, Option<i32>) {
    match (from, to, max) {
        (Some(a), None, Some(m)) => (Some(a), Some(a + m - 1)),
        (None, Some(b), Some(m)) => (Some(b - m + 1), Some(b)),
        other => (other.0, other.1),
    }
}

/// The units rows are generated for: the vehicles of a vehicle kind, or one.
fn units(
    kind: &RecordKind,
    ctx: &Context<'_>,
    keys: &BTreeMap<String, String>,
) -> Result<Vec<Option<String>>, GatewayError> {
    if kind.subject != SubjectKind::Vehicle {
        return Ok(vec![None]);
    }
    let asked = kind
        .filters
        .iter()
        .filter(|f| f.kind == FilterType::Plate)
        .find_map(|f| keys.get(&f.name));
    match (kind.scope, asked) {
        (Scope::Public, Some(plate)) => Ok(vec![Some(plate.clone())]),
        (Scope::Public, None) => Ok(Vec::new()),
        (Scope::Personal, Some(plate)) => {
            if ctx.plates.contains(plate) {
                Ok(vec![Some(plate.clone())])
            } else {
                Err(GatewayError::refused(
                    "vehicle_not_owned",
                    "该车辆不在查询人名下",
                ))
            }
        }
        (Scope::Personal, None) => Ok(ctx.plates.iter().cloned().map(Some).collect()),
    }
}

/// The first day of the history window.
fn window_start(kind: &RecordKind, today: Date) -> Date {
    add_months(today, -(kind.history_months as i32))
}

fn generate(
    kind: &RecordKind,
    ctx: &Context<'_>,
    seed_key: &str,
    unit: Option<&str>,
    keys: &BTreeMap<String, String>,
) -> Vec<Row> {
    let unit_key = unit.unwrap_or("");
    let base = ["records", seed_key, kind.code.as_str(), unit_key];
    let start = window_start(kind, ctx.today);
    let has_month_sequence = kind
        .columns
        .iter()
        .any(|c| matches!(c.dev, Some(Dev::SequenceMonth { .. })));
    let has_date_sequence = kind
        .columns
        .iter()
        .any(|c| matches!(c.dev, Some(Dev::SequenceDate { .. })));
    let count = match kind.columns.first().and_then(|c| c.dev.as_ref()) {
        Some(Dev::Rows { min, max }) => Rng::new(&[&base[..], &["rows"]].concat())
            .range(i64::from(*min), i64::from(*max))
            as usize,
        _ if has_month_sequence => kind.history_months as usize,
        _ if has_date_sequence => MAX_ROWS,
        _ => Rng::new(&[&base[..], &["rows"]].concat()).range(3, 12) as usize,
    }
    .min(MAX_ROWS);

    // Sequences first: they decide which rows fall inside the window.
    let mut sequences: BTreeMap<&str, Vec<Option<Value>>> = BTreeMap::new();
    for column in &kind.columns {
        let values = match &column.dev {
            Some(Dev::SequenceMonth { step }) => {
                let anchor = if *step < 0 {
                    month_index(ctx.today) - 1
                } else {
                    month_index(start)
                };
                (0..count)
                    .map(|i| {
                        let m = anchor + step * i as i32;
                        (m >= month_index(start) && m < month_index(ctx.today))
                            .then(|| month_value(column.kind, m))
                    })
                    .collect()
            }
            Some(Dev::SequenceDate { every_days: [a, b] }) => {
                let mut rng = Rng::new(&[&base[..], &["sequence", column.name.as_str()]].concat());
                let mut date = ctx.today - Duration::days(rng.range(0, i64::from(*b)));
                let mut values = Vec::with_capacity(count.min(64));
                for i in 0..count {
                    if i > 0 {
                        date -= Duration::days(rng.range(i64::from(*a), i64::from(*b)));
                    }
                    if date < start {
                        values.push(None);
                        break;
                    }
                    values.push(Some(date_value(column.kind, date, &mut rng)));
                }
                values
            }
            _ => continue,
        };
        sequences.insert(column.name.as_str(), values);
    }
    let alive = |i: usize| {
        sequences
            .values()
            .all(|v| v.get(i).is_some_and(Option::is_some))
    };

    let mut rows = Vec::new();
    for i in 0..count {
        if !alive(i) {
            // Outside the history window.
            continue;
        }
        let index = i.to_string();
        let mut row = Row::new();
        for column in &kind.columns {
            let value = if let Some(values) = sequences.get(column.name.as_str()) {
                values.get(i).cloned().flatten().unwrap_or(Value::Null)
            } else if let Some(fixed) = fixed_value(kind, column.name.as_str(), unit, keys) {
                Value::String(fixed)
            } else {
                let mut rng =
                    Rng::new(&[&base[..], &[index.as_str(), column.name.as_str()]].concat());
                match &column.dev {
                    Some(Dev::Rows { .. }) => Value::from(i as u64 + 1),
                    Some(Dev::Copy { .. }) | None => Value::Null,
                    Some(dev) => value_of(dev, &mut rng, ctx, unit),
                }
            };
            row.insert(column.name.clone(), value);
        }
        for column in &kind.columns {
            if let Some(Dev::Copy { from }) = &column.dev {
                let value = row.get(from).cloned().unwrap_or(Value::Null);
                row.insert(column.name.clone(), convert(value, column.kind));
            }
        }
        rows.push(row);
    }
    rows
}

/// A public query's lookup value fills the column of the same name, and a
/// vehicle's plate fills the `plate` column: rows are about what was asked.
fn fixed_value(
    kind: &RecordKind,
    column: &str,
    unit: Option<&str>,
    keys: &BTreeMap<String, String>,
) -> Option<String> {
    if let Some(plate) = unit {
        let plate_filter = kind
            .filters
            .iter()
            .any(|f| f.kind == FilterType::Plate && f.name == column);
        if column == "plate" || plate_filter {
            return Some(plate.to_owned());
        }
    }
    if kind.scope == Scope::Public {
        return keys.get(column).cloned();
    }
    None
}

/// A copied time value cut to the target column's precision (a date into
/// a year column gives `YYYY`).
fn convert(value: Value, kind: ColumnType) -> Value {
    let cut = match kind {
        ColumnType::Year => 4,
        ColumnType::Month => 7,
        ColumnType::Date => 10,
        _ => return value,
    };
    match value {
        Value::String(s) if s.len() > cut && s.is_char_boundary(cut) => {
            Value::String(s[..cut].to_owned())
        }
        other => other,
    }
}

fn month_value(kind: ColumnType, month: i32) -> Value {
    let text = month_text(month);
    Value::String(match kind {
        ColumnType::Year => text[..4].to_owned(),
        ColumnType::Date => format!("{text}-01"),
        _ => text,
    })
}

fn date_value(kind: ColumnType, date: Date, rng: &mut Rng) -> Value {
    let text = format_date(date);
    Value::String(match kind {
        ColumnType::Month => text[..7].to_owned(),
        ColumnType::Datetime => format!(
            "{text}T{:02}:{:02}:{:02}+08:00",
            rng.range(8, 21),
            rng.range(0, 59),
            rng.range(0, 59)
        ),
        _ => text,
    })
}

/// A value of a (non-sequence) generator.
pub(crate) fn value_of(dev: &Dev, rng: &mut Rng, ctx: &Context<'_>, plate: Option<&str>) -> Value {
    match dev {
        Dev::Money {
            min_fen,
            max_fen,
            round_fen,
        } => {
            let round = round_fen.unwrap_or(1).max(1);
            let lo = min_fen.div_euclid(round) + i64::from(min_fen.rem_euclid(round) != 0);
            let hi = max_fen.div_euclid(round);
            if lo > hi {
                Value::from(*min_fen)
            } else {
                Value::from(rng.range(lo, hi) * round)
            }
        }
        Dev::Number { min, max } => match (min.as_i64(), max.as_i64()) {
            (Some(a), Some(b)) => Value::from(rng.range(a, b)),
            _ => {
                let (a, b) = (min.as_f64().unwrap_or(0.0), max.as_f64().unwrap_or(0.0));
                let x = ((a + rng.unit() * (b - a)) * 100.0).round() / 100.0;
                Number::from_f64(x.clamp(a, b)).map_or(Value::Null, Value::Number)
            }
        },
        Dev::Pick { values, weights } => {
            let i = rng.weighted(values.len(), weights.as_deref());
            values.get(i).cloned().unwrap_or(Value::Null)
        }
        Dev::Text {
            template: Some(t), ..
        } => Value::String(ctx.words.render(t, rng, ctx.home, plate)),
        Dev::Text {
            values: Some(v), ..
        } => rng.pick(v).cloned().map_or(Value::Null, Value::String),
        Dev::Const { value } => value.clone(),
        _ => Value::Null,
    }
}

/// Orders two JSON values: numbers numerically, strings by code point,
/// `null` after everything.
fn compare(a: &Value, b: &Value) -> Ordering {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x
            .as_f64()
            .unwrap_or(0.0)
            .partial_cmp(&y.as_f64().unwrap_or(0.0))
            .unwrap_or(Ordering::Equal),
        (Value::String(x), Value::String(y)) => x.cmp(y),
        (Value::Null, Value::Null) => Ordering::Equal,
        (Value::Null, _) => Ordering::Greater,
        (_, Value::Null) => Ordering::Less,
        _ => a.to_string().cmp(&b.to_string()),
    }
}

fn sort_rows(kind: &RecordKind, rows: &mut [Row]) {
    let column = kind.sort.column.as_str();
    rows.sort_by(|a, b| {
        let (x, y) = (
            a.get(column).unwrap_or(&Value::Null),
            b.get(column).unwrap_or(&Value::Null),
        );
        match (x.is_null(), y.is_null(), kind.sort.order) {
            (false, false, Order::Desc) => compare(y, x),
            _ => compare(x, y),
        }
    });
}

fn text_of<'a>(row: &'a Row, column: &str) -> Option<&'a str> {
    row.get(column).and_then(Value::as_str)
}

fn keeps(kind: &RecordKind, filter: &Applied, row: &Row) -> bool {
    let time_column = |named: &Option<String>| -> Option<String> {
        named
            .clone()
            .or_else(|| kind.time_column().map(|c| c.name.clone()))
    };
    match filter {
        Applied::Months { column, from, to } => {
            let Some(column) = time_column(column) else {
                return true;
            };
            let Some(month) = text_of(row, &column)
                .and_then(|t| t.get(..7))
                .and_then(parse_month)
            else {
                return false;
            };
            from.is_none_or(|a| month >= a) && to.is_none_or(|b| month <= b)
        }
        Applied::Dates { column, from, to } => {
            let Some(column) = time_column(column) else {
                return true;
            };
            let Some(text) = text_of(row, &column) else {
                return false;
            };
            let date = parse_date(text.get(..10).unwrap_or("")).or_else(|| {
                // A month column under a date range: its first day.
                parse_month(text.get(..7).unwrap_or("")).and_then(month_start)
            });
            let Some(date) = date else { return false };
            from.is_none_or(|a| date >= a) && to.is_none_or(|b| date <= b)
        }
        Applied::Year { column, year } => {
            let Some(column) = time_column(column) else {
                return true;
            };
            text_of(row, &column)
                .and_then(|t| t.get(..4))
                .and_then(|t| t.parse::<i32>().ok())
                .is_some_and(|y| y == *year)
        }
        Applied::Equals { column, value } => match row.get(column) {
            Some(Value::String(s)) => s == value,
            Some(other) => serde_json::from_str::<Value>(value).is_ok_and(|v| v == *other),
            None => false,
        },
        Applied::Contains { column, needle } => text_of(row, column).is_some_and(|t| {
            t.contains(needle.as_str())
                || t.to_ascii_lowercase()
                    .contains(&needle.to_ascii_lowercase())
        }),
    }
}

/// The summary over all matching rows.
fn summarise(
    kind: &RecordKind,
    rows: &[Row],
    seed_key: &str,
    ctx: &Context<'_>,
) -> BTreeMap<String, Value> {
    let mut out = BTreeMap::new();
    for summary in &kind.summary {
        let value = match &summary.dev {
            None => Value::Null,
            Some(Dev::Count) => Value::from(rows.len() as u64),
            Some(Dev::Sum { of }) => sum(rows, of, summary.kind),
            Some(Dev::Latest { of }) => latest(kind, rows)
                .and_then(|row| row.get(of).cloned())
                .unwrap_or(Value::Null),
            Some(Dev::Const { value }) => value.clone(),
            Some(dev) => {
                let mut rng = Rng::new(&[
                    "summary",
                    seed_key,
                    kind.code.as_str(),
                    summary.name.as_str(),
                ]);
                value_of(dev, &mut rng, ctx, None)
            }
        };
        out.insert(summary.name.clone(), value);
    }
    out
}

fn sum(rows: &[Row], column: &str, kind: SummaryType) -> Value {
    let mut integer: i64 = 0;
    let mut real = 0.0;
    let mut any_real = false;
    for value in rows.iter().filter_map(|r| r.get(column)) {
        if let Some(i) = value.as_i64() {
            integer = integer.saturating_add(i);
        } else if let Some(f) = value.as_f64() {
            real += f;
            any_real = true;
        }
    }
    if any_real && kind != SummaryType::Money {
        let x = ((integer as f64 + real) * 100.0).round() / 100.0;
        Number::from_f64(x).map_or(Value::Null, Value::Number)
    } else {
        Value::from(integer)
    }
}

/// The most recent row by the kind's time column, else the first row.
fn latest<'a>(kind: &RecordKind, rows: &'a [Row]) -> Option<&'a Row> {
    match kind.time_column() {
        Some(column) => rows
            .iter()
            .filter(|r| r.get(&column.name).is_some_and(|v| !v.is_null()))
            .max_by(|a, b| compare(&a[&column.name], &b[&column.name])),
        None => rows.first(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_parse() {
        assert_eq!(
            split_range("2025-01/2025-03", parse_month),
            Some((parse_month("2025-01"), parse_month("2025-03")))
        );
        assert_eq!(
            split_range("2025-01/", parse_month),
            Some((parse_month("2025-01"), None))
        );
        assert_eq!(
            split_range("2025-01", parse_month),
            Some((parse_month("2025-01"), parse_month("2025-01")))
        );
        assert_eq!(split_range("2025-1/", parse_month), None);
        assert_eq!(clamp_span(Some(10), None, Some(12)), (Some(10), Some(21)));
    }

    #[test]
    fn plates() {
        assert!(looks_like_plate("粤A12345"));
        assert!(looks_like_plate("粤BD12345"));
        assert!(!looks_like_plate("A12345"));
        assert!(!looks_like_plate("粤a12345"));
    }
}

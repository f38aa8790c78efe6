//! Summary figures (`data/records/README.md` § Summary): they describe the
//! subject, not the query, so they are made over **all** the subject's
//! rows whatever the filters and the page — an aggregate over the rows
//! (`count`, `sum`, `avg`, `max`, `latest`, with `where`), or a value hint
//! drawn from the figure's own stream.

use std::collections::BTreeMap;

use serde_json::Value;

use super::values::{Env, Row, value};
use crate::hints::{Gen, Where};
use crate::kinds::RecordKind;
use crate::model::ColumnType;

fn matches(condition: Option<&Where>, row: &Row) -> bool {
    condition.is_none_or(|w| {
        row.get(&w.column)
            .is_some_and(|v| w.values.iter().any(|x| x == v))
    })
}

fn integers<'a>(
    rows: &'a [Row],
    of: &'a str,
    condition: Option<&'a Where>,
) -> impl Iterator<Item = i64> + 'a {
    rows.iter()
        .filter(move |r| matches(condition, r))
        .filter_map(move |r| r.get(of).and_then(Value::as_i64))
}

/// The newest row: the greatest value of the kind's first column, the
/// first such row on a tie.
fn newest<'a>(kind: &RecordKind, rows: &'a [Row]) -> Option<&'a Row> {
    let first = kind.columns.first()?.name.as_str();
    let mut best: Option<(&str, &Row)> = None;
    for row in rows {
        let Some(key) = row.get(first).and_then(Value::as_str) else {
            continue;
        };
        if best.is_none_or(|(b, _)| key > b) {
            best = Some((key, row));
        }
    }
    best.map(|(_, row)| row)
}

/// `latest` read into a figure's type: a datetime into a date keeps the
/// day; a year into a number is a number.
fn latest_as(value: Value, target: ColumnType) -> Value {
    match (target, &value) {
        (ColumnType::Date, Value::String(s)) => Value::String(s.chars().take(10).collect()),
        (ColumnType::Number, Value::String(s)) => s.parse::<i64>().map_or(Value::Null, Value::from),
        _ => value,
    }
}

/// The summary of a subject with these rows, under a family's hints.
pub(crate) fn summarise(
    kind: &RecordKind,
    family: Option<&str>,
    rows: &[Row],
    env: &Env<'_>,
) -> BTreeMap<String, Value> {
    let mut out = BTreeMap::new();
    for figure in &kind.summary {
        let Some(hint) = kind.summary_hint(&figure.name, family) else {
            out.insert(figure.name.clone(), Value::Null);
            continue;
        };
        let target = figure.kind.as_column_type();
        let figure_value = match &hint.generator {
            Gen::Count { condition } => Value::from(
                rows.iter()
                    .filter(|r| matches(condition.as_ref(), r))
                    .count() as u64,
            ),
            Gen::Sum { of, condition } => {
                Value::from(integers(rows, of, condition.as_ref()).fold(0i64, i64::saturating_add))
            }
            Gen::Avg { of } => {
                let values: Vec<i64> = integers(rows, of, None).collect();
                if values.is_empty() {
                    Value::Null
                } else {
                    let mean = values.iter().map(|v| *v as f64).sum::<f64>() / values.len() as f64;
                    Value::from(mean.round() as i64)
                }
            }
            Gen::Max { of } => integers(rows, of, None)
                .max()
                .map_or(Value::Null, Value::from),
            Gen::Latest { of } => newest(kind, rows)
                .and_then(|row| row.get(of).cloned())
                .map_or(Value::Null, |v| latest_as(v, target)),
            _ => {
                let name = figure.name.as_str();
                let city = env.city_for(&["summary", name]);
                let place = env.place(city);
                let mut rng = env.rng(&["summary", name]);
                value(hint, target, &mut rng, env, &place, &Row::new(), 0)
            }
        };
        out.insert(figure.name.clone(), figure_value);
    }
    out
}

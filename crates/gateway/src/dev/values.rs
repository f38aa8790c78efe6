//! One value of a dev hint (`data/records/README.md` § Value hints):
//! columns other than sequences, summary value hints and certificate facts
//! all come through [`value`]. Sequences are made per column in
//! `records.rs`; aggregates in `summary.rs`.

use std::collections::BTreeMap;

use serde_json::Value;
use time::{Date, Duration};

use super::rng::Rng;
use super::words::{City, DevWords, Place};
use crate::clock::{format_date, month_index, month_text};
use crate::hints::{Factor, Gen, Hint, PeriodUnit, map_key};
use crate::model::ColumnType;

/// A row (or a certificate's facts) by name.
pub(crate) type Row = BTreeMap<String, Value>;

/// Everything a request contributes to its values.
pub(crate) struct Env<'a> {
    pub(crate) words: &'a DevWords,
    pub(crate) today: Date,
    /// `{department}`.
    pub(crate) department: &'a str,
    /// `{theme}`.
    pub(crate) theme: &'a str,
    /// `{item}` (already without its ending).
    pub(crate) item: &'a str,
    /// The item's city; `None` for province-wide items (a city per value).
    pub(crate) city: Option<&'a City>,
    /// The filter values given (trimmed, non-empty).
    pub(crate) filters: &'a BTreeMap<String, String>,
    /// The seed's parts.
    pub(crate) seed: Vec<String>,
}

impl Env<'_> {
    /// The stream of the seed and `parts`.
    pub(crate) fn rng(&self, parts: &[&str]) -> Rng {
        let mut all: Vec<&str> = self.seed.iter().map(String::as_str).collect();
        all.extend_from_slice(parts);
        Rng::new(&all)
    }

    /// The city of a row or value (`parts` name it): the item's, or one
    /// drawn for it when the item is province-wide.
    pub(crate) fn city_for(&self, parts: &[&str]) -> &City {
        match self.city {
            Some(city) => city,
            None => {
                let mut all = vec!["city"];
                all.extend_from_slice(parts);
                self.words.any_city(&mut self.rng(&all))
            }
        }
    }

    /// The placeholders' sources in a city.
    pub(crate) fn place<'c>(&'c self, city: &'c City) -> Place<'c> {
        Place {
            city,
            department: self.department,
            theme: self.theme,
            item: self.item,
            year: self.today.year(),
        }
    }
}

/// `YYYY-MM-DDThh:mm:00+08:00` with a time of day uniform in 06:00–23:59.
pub(crate) fn datetime_text(date: Date, rng: &mut Rng) -> String {
    let minute = rng.range(6 * 60, 24 * 60 - 1);
    format!(
        "{}T{:02}:{:02}:00+08:00",
        format_date(date),
        minute / 60,
        minute % 60
    )
}

/// An integer into a year column is written as `YYYY`.
fn shaped(value: Value, target: ColumnType) -> Value {
    match (target, value.as_i64()) {
        (ColumnType::Year, Some(year)) => Value::String(format!("{year:04}")),
        _ => value,
    }
}

/// A literal of the files: strings get their placeholders filled.
fn literal(
    value: &Value,
    target: ColumnType,
    rng: &mut Rng,
    env: &Env<'_>,
    place: &Place<'_>,
) -> Value {
    match value {
        Value::String(s) => Value::String(env.words.render(s, rng, place)),
        other => shaped(other.clone(), target),
    }
}

/// A number read from a row (`null` and text count as nothing).
fn number_of(value: Option<&Value>) -> Option<f64> {
    value.and_then(Value::as_f64)
}

/// The value of a hint for a target type. `row` holds the values made so
/// far (the columns, or facts, it may read); `index` is the row number.
pub(crate) fn value(
    hint: &Hint,
    target: ColumnType,
    rng: &mut Rng,
    env: &Env<'_>,
    place: &Place<'_>,
    row: &Row,
    index: usize,
) -> Value {
    match &hint.generator {
        Gen::Date { days, shown_as } => {
            let date = env.today + Duration::days(rng.range(days[0], days[1]));
            let as_month =
                target == ColumnType::Month || *shown_as == Some(crate::hints::DateAs::Month);
            let text = match target {
                _ if as_month => month_text(month_index(date)),
                ColumnType::Datetime => datetime_text(date, rng),
                _ => format_date(date),
            };
            Value::String(text)
        }
        Gen::Period { unit, length, end } => {
            let back = rng.range(length[0], length[1]);
            let ahead = rng.range(end[0], end[1]);
            let text = match unit {
                PeriodUnit::Month => {
                    let last = month_index(env.today) + ahead as i32;
                    format!("{} 至 {}", month_text(last - back as i32), month_text(last))
                }
                PeriodUnit::Day => {
                    let last = env.today + Duration::days(ahead);
                    format!(
                        "{} 至 {}",
                        format_date(last - Duration::days(back)),
                        format_date(last)
                    )
                }
            };
            Value::String(text)
        }
        Gen::Money {
            min_fen,
            max_fen,
            round_fen,
        } => {
            let round = (*round_fen).max(1);
            let lo = min_fen.div_euclid(round) + i64::from(min_fen.rem_euclid(round) != 0);
            let hi = max_fen.div_euclid(round);
            Value::from(rng.range(lo, hi.max(lo)) * round)
        }
        Gen::Number { min, max } => shaped(Value::from(rng.range(*min, *max)), target),
        Gen::Pick { values, weights } => {
            let weights: Option<Vec<f64>> = weights
                .as_ref()
                .map(|w| w.iter().map(|x| f64::from(*x)).collect());
            let i = rng.weighted(values.len(), weights.as_deref());
            values
                .get(i)
                .map_or(Value::Null, |v| literal(v, target, rng, env, place))
        }
        Gen::Cycle { values } => match values.get(index % values.len().max(1)) {
            Some(v) => literal(v, target, rng, env, place),
            None => Value::Null,
        },
        Gen::Text { template, values } => {
            let chosen = match (template, values) {
                (Some(t), _) => Some(t.as_str()),
                (None, Some(v)) => rng.pick(v).map(String::as_str),
                (None, None) => None,
            };
            chosen.map_or(Value::Null, |t| {
                Value::String(env.words.render(t, rng, place))
            })
        }
        Gen::Const { value } => literal(value, target, rng, env, place),
        Gen::Copy { from } => row.get(from).cloned().unwrap_or(Value::Null),
        Gen::Add { of } => {
            let sum = of
                .iter()
                .filter_map(|c| row.get(c).and_then(Value::as_i64))
                .fold(0i64, i64::saturating_add);
            Value::from(sum)
        }
        Gen::Scale {
            of,
            factor,
            round_fen,
        } => {
            let Some(x) = number_of(row.get(of)) else {
                return Value::Null;
            };
            let f = match factor {
                Factor::Fixed(f) => *f,
                Factor::Range([a, b]) => a + rng.unit() * (b - a),
            };
            let round = if target == ColumnType::Money {
                round_fen.unwrap_or(1).max(1) as f64
            } else {
                1.0
            };
            Value::from(((x * f / round).round() * round) as i64)
        }
        Gen::Map {
            from,
            values,
            bands,
            default,
        } => {
            let source = row.get(from).unwrap_or(&Value::Null);
            let found = match (values, bands) {
                (Some(values), _) => values.get(&map_key(source)),
                (None, Some(bands)) => number_of(Some(source))
                    .and_then(|x| bands.iter().rev().find(|(min, _)| *min <= x))
                    .map(|(_, v)| v),
                (None, None) => None,
            };
            found
                .or(default.as_ref())
                .map_or(Value::Null, |v| literal(v, target, rng, env, place))
        }
        Gen::Filter { name, otherwise } => match (env.filters.get(name), otherwise) {
            (Some(given), _) => Value::String(given.clone()),
            (None, Some(other)) => value(other, target, rng, env, place, row, index),
            (None, None) => Value::Null,
        },
        Gen::SequenceMonth { .. }
        | Gen::SequenceDate { .. }
        | Gen::Count { .. }
        | Gen::Sum { .. }
        | Gen::Avg { .. }
        | Gen::Max { .. }
        | Gen::Latest { .. } => Value::Null,
    }
}

//! Development records (`data/records/README.md` § The dev-hint language):
//! all the rows of a (subject, kind, item, lookup keys) are made from the
//! hints, deterministically; rows older than the history window are
//! dropped; the summary is made over all of them; then the rows are
//! sorted, restricted by the filters and paged. Pages of one query
//! therefore always add up, and `total` and `summary` never depend on the
//! page.

use std::cmp::Ordering;
use std::collections::BTreeMap;

use serde_json::Value;
use time::Duration;

use super::filters::{self, Filters};
use super::summary::summarise;
use super::values::{Env, Row, datetime_text, value};
use crate::GatewayError;
use crate::clock::{add_months, format_date, month_index, month_text};
use crate::hints::Gen;
use crate::kinds::{Order, RecordKind, Scope, Source, SubjectKind};
use crate::model::{ColumnType, RecordsPage, RecordsRequest, SubjectRef};

/// What a request fixes besides the kind and the filters.
pub(crate) struct Request<'a> {
    /// The family when the kind has a variant for it.
    pub(crate) family: Option<&'a str>,
    /// The item's region code (`440000` for none).
    pub(crate) region_code: &'a str,
    /// The subject's seed key (empty for public kinds).
    pub(crate) subject_key: String,
}

/// The seed of a records request: kind, subject, region, the family when
/// it has a variant, and the lookup keys sorted by name.
pub(crate) fn seed(
    kind: &RecordKind,
    request: &Request<'_>,
    keys: &BTreeMap<String, String>,
) -> Vec<String> {
    let mut seed = vec![
        "records".to_owned(),
        kind.code.clone(),
        request.subject_key.clone(),
        request.region_code.to_owned(),
        request.family.unwrap_or("").to_owned(),
    ];
    seed.extend(keys.iter().map(|(name, value)| format!("{name}={value}")));
    seed
}

/// One column's sequence: a value and a sort key (month or day number) per row.
fn sequence(
    generator: &Gen,
    target: ColumnType,
    name: &str,
    count: usize,
    env: &Env<'_>,
) -> Option<Vec<(Value, i64)>> {
    match generator {
        Gen::SequenceMonth {
            step,
            start_months,
            repeat,
        } => {
            let current = month_index(env.today);
            let rows = (0..count)
                .map(|i| {
                    let m = current + start_months + step * (i as i32 / (*repeat).max(1) as i32);
                    let text = month_text(m);
                    let shown = match target {
                        ColumnType::Year => text[..4].to_owned(),
                        _ => text,
                    };
                    (Value::String(shown), i64::from(m))
                })
                .collect();
            Some(rows)
        }
        Gen::SequenceDate {
            every_days,
            start_days,
            forward,
            repeat,
        } => {
            let mut rng = env.rng(&["column", name]);
            let mut date = env.today + Duration::days(rng.range(start_days[0], start_days[1]));
            let repeat = (*repeat).max(1) as usize;
            let mut rows = Vec::with_capacity(count);
            for i in 0..count {
                if i > 0 && i % repeat == 0 {
                    let step = Duration::days(rng.range(every_days[0], every_days[1]));
                    date = if *forward { date + step } else { date - step };
                }
                let text = match target {
                    ColumnType::Datetime => {
                        let index = i.to_string();
                        datetime_text(date, &mut env.rng(&["column", name, "time", &index]))
                    }
                    _ => format_date(date),
                };
                rows.push((Value::String(text), i64::from(date.to_julian_day())));
            }
            Some(rows)
        }
        _ => None,
    }
}

/// All the rows of a kind for a family's hints, in generation order.
pub(crate) fn generate(
    kind: &RecordKind,
    family: Option<&str>,
    env: &Env<'_>,
) -> Result<Vec<Row>, GatewayError> {
    let internal = |e: String| GatewayError::Internal(format!("kind {}: {e}", kind.code));
    let Some(first) = kind.columns.first() else {
        return Ok(Vec::new());
    };
    let first_hint = kind
        .column_hint(&first.name, family)
        .ok_or_else(|| internal("the first column has no hint".into()))?;
    let mut count = match &first_hint.rows {
        Some(rows) => {
            let mut rng = env.rng(&["rows"]);
            if rng.chance(rows.empty) {
                0
            } else {
                rng.range(i64::from(rows.min), i64::from(rows.max)) as usize
            }
        }
        None => 0,
    };
    let order = kind.generation_order(family).map_err(internal)?;
    let mut sequences: BTreeMap<&str, Vec<(Value, i64)>> = BTreeMap::new();
    for column in &kind.columns {
        if let Some(hint) = kind.column_hint(&column.name, family)
            && let Some(values) = sequence(&hint.generator, column.kind, &column.name, count, env)
        {
            sequences.insert(column.name.as_str(), values);
        }
    }
    // The history window: rows of a backward first column older than
    // `history_months` are dropped (they are the tail of the sequence).
    if kind.history_months > 0 && first_hint.generator.is_backward_sequence() {
        let months = kind.history_months as i32;
        let cutoff = match first_hint.generator {
            Gen::SequenceMonth { .. } => i64::from(month_index(env.today) - months),
            _ => i64::from(add_months(env.today, -months).to_julian_day()),
        };
        if let Some(values) = sequences.get(first.name.as_str()) {
            count = values.iter().take_while(|(_, key)| *key >= cutoff).count();
        }
    }
    // A steady value is made once per block, at the block's first row.
    let mut steady: BTreeMap<&str, (usize, Value)> = BTreeMap::new();
    let mut rows = Vec::with_capacity(count);
    for i in 0..count {
        let index = i.to_string();
        let city = env.city_for(&["row", &index]);
        let place = env.place(city);
        let mut row = Row::new();
        for name in &order {
            let Some(column) = kind.column(name) else {
                continue;
            };
            let cell = if let Some(values) = sequences.get(name) {
                values.get(i).map_or(Value::Null, |(v, _)| v.clone())
            } else if let Some(hint) = kind.column_hint(name, family) {
                match hint.steady {
                    Some(n) => {
                        let block = i / n.max(1) as usize;
                        match steady.get(name) {
                            Some((b, v)) if *b == block => v.clone(),
                            _ => {
                                let key = block.to_string();
                                let mut rng = env.rng(&["column", name, "block", &key]);
                                let v = value(hint, column.kind, &mut rng, env, &place, &row, i);
                                steady.insert(name, (block, v.clone()));
                                v
                            }
                        }
                    }
                    None => {
                        let mut rng = env.rng(&["column", name, "row", &index]);
                        value(hint, column.kind, &mut rng, env, &place, &row, i)
                    }
                }
            } else {
                Value::Null
            };
            row.insert((*name).to_owned(), cell);
        }
        rows.push(row);
    }
    Ok(rows)
}

/// Whether the subject may be asked about with this kind.
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

/// Orders two JSON values: numbers numerically, strings by code point,
/// `null` after everything.
fn compare(a: &Value, b: &Value) -> Ordering {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x
            .as_f64()
            .unwrap_or(0.0)
            .total_cmp(&y.as_f64().unwrap_or(0.0)),
        (Value::String(x), Value::String(y)) => x.cmp(y),
        _ => a.to_string().cmp(&b.to_string()),
    }
}

/// Sorts rows by the kind's sort column, stably (ties keep generation
/// order), `null` last in either direction.
pub(crate) fn sort_rows(kind: &RecordKind, rows: &mut [Row]) {
    let column = kind.sort.column.as_str();
    rows.sort_by(|a, b| {
        let (x, y) = (
            a.get(column).unwrap_or(&Value::Null),
            b.get(column).unwrap_or(&Value::Null),
        );
        match (x.is_null(), y.is_null()) {
            (true, true) => Ordering::Equal,
            (true, false) => Ordering::Greater,
            (false, true) => Ordering::Less,
            (false, false) => match kind.sort.order {
                Order::Asc => compare(x, y),
                Order::Desc => compare(y, x),
            },
        }
    });
}

/// What a records query needs from the gateway.
pub(crate) struct Context<'a> {
    pub(crate) words: &'a super::words::DevWords,
    pub(crate) today: time::Date,
}

/// Answers a records query.
pub(crate) fn query(
    kind: &RecordKind,
    req: &RecordsRequest,
    ctx: &Context<'_>,
) -> Result<RecordsPage, GatewayError> {
    if kind.source == Source::Platform {
        return Err(GatewayError::not_found("record kind"));
    }
    check_subject(kind, &req.subject)?;
    let family = req
        .service
        .as_ref()
        .map(|s| s.family())
        .filter(|f| kind.has_variant(f));
    let Filters {
        restrictions,
        keys,
        given,
    } = filters::parse(kind, family, &req.filters)?;
    let request = Request {
        family,
        region_code: req
            .service
            .as_ref()
            .map_or("440000", |s| s.region_code.as_str()),
        subject_key: match kind.scope {
            Scope::Personal => req.subject.seed_key(),
            Scope::Public => String::new(),
        },
    };
    let item = req
        .service
        .as_ref()
        .map_or(kind.title.as_str(), |s| s.title.as_str());
    let env = Env {
        words: ctx.words,
        today: ctx.today,
        department: &req.department,
        theme: req
            .service
            .as_ref()
            .map_or(kind.title.as_str(), |s| s.theme.as_str()),
        item: super::words::item_name(item),
        city: ctx.words.city_of(request.region_code),
        filters: &given,
        seed: seed(kind, &request, &keys),
    };
    let mut rows = generate(kind, family, &env)?;
    let no_summary = rows.is_empty()
        && kind
            .columns
            .first()
            .and_then(|c| kind.column_hint(&c.name, family))
            .and_then(|h| h.rows.as_ref())
            .is_some_and(|r| !r.empty_summary);
    let summary = if no_summary {
        BTreeMap::new()
    } else {
        summarise(kind, family, &rows, &env)
    };
    sort_rows(kind, &mut rows);
    let matching: Vec<Row> = rows
        .into_iter()
        .filter(|row| restrictions.iter().all(|r| filters::keeps(r, row)))
        .collect();
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

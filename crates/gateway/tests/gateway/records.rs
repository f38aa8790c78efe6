//! Every record kind of data/records/kinds.json, answered by the
//! development gateway for every family with hints of its own, three
//! subjects each (persons; organisations for organisation kinds; vehicle
//! owners with their plates for vehicle kinds; three cities' items for
//! public kinds): the properties data/records/README.md promises, checked
//! against the README's definitions computed here, independently.

use crate::common;

use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet};

use common::*;
use serde_json::Value;
use time::format_description::well_known::Rfc3339;
use time::{Date, Duration, OffsetDateTime};
use yuesou_gateway::hints::{Gen, Hint};
use yuesou_gateway::kinds::{FilterDef, FilterType, Order, Scope, Source, SubjectKind};
use yuesou_gateway::{ColumnType, DevGateway, GatewayError, RecordKind, ServiceRef, SubjectRef};

type Row = BTreeMap<String, Value>;

/// A valid and an invalid value for each text filter pattern of the kinds;
/// `n` varies the valid one (a different lookup key).
fn text_sample(pattern: &str, n: u32) -> (String, String) {
    let (valid, invalid) = match pattern {
        r"^.{1,20}$" => (format!("中心{n}"), "字".repeat(21)),
        r"^.{1,30}$" => (format!("通知{n}"), "字".repeat(31)),
        r"^.{2,20}$" => (format!("广州南站{n}"), "广".to_owned()),
        r"^([0-9A-HJ-NPQRTUWXY]{18}|[^\s]{2,50})$" => (format!("恒通{n}"), "恒 通".to_owned()),
        r"^[^\s]{2,50}$" => (format!("陈嘉明{n}"), "陈 明".to_owned()),
        r"^[^\s]{1,30}$" => (format!("阿莫西林{n}"), "阿莫 西林".to_owned()),
        r"^[（(]\d{4}[）)]粤[一-龥]{2,16}第\d{1,8}号$" => (
            format!("（2024）粤广州南方第{:06}号", 12345 + n),
            "2024粤广州南方第1号".to_owned(),
        ),
        r"^[A-Z]\d{9}$" => (format!("P{:09}", 440123456 + n), "p440123456".to_owned()),
        r"^粤[（(]\d{4}[）)][一-龥]{2,10}不动产(权|证明)第\d{7}号$" => (
            format!("粤（2023）广州市不动产权第{:07}号", 123456 + n),
            "粤（2023）广州市不动产权第123号".to_owned(),
        ),
        r"^(\d{8}|\d{20})$" => (format!("{:08}", 12345678 + n), "1234567".to_owned()),
        r"^\d{4}-\d{2}-\d{2}$" => (
            format!("2026-09-{:02}", 1 + n % 28),
            "2026/09/30".to_owned(),
        ),
        r"^(\d{1,12}(\.\d{1,2})?|\d{6})$" => (format!("{}.50", 1280 + n), "12.345".to_owned()),
        r"^\d{1,9}(\.\d{1,2})?$" => (format!("{}.00", 86000 + n), "8.6万".to_owned()),
        other => panic!("no sample for the pattern {other}: add one to the test"),
    };
    (valid, invalid)
}

/// The values of the required filters (lookup keys), varied by `n`.
fn required_filters(kind: &RecordKind, plate: Option<&str>, n: u32) -> BTreeMap<String, String> {
    kind.filters
        .iter()
        .filter(|f| f.required)
        .map(|f| {
            let value = match f.kind {
                FilterType::Plate => plate.unwrap_or("粤A12345").to_owned(),
                FilterType::Choice => f.options()[n as usize % f.options().len()].clone(),
                FilterType::Text => text_sample(f.pattern.as_deref().unwrap_or(""), n).0,
                _ => panic!("{}: a required {:?} filter", kind.code, f.kind),
            };
            (f.name.clone(), value)
        })
        .collect()
}

/// One thing to ask: a kind, for an item, about a subject.
struct Case {
    kind: String,
    service: Option<ServiceRef>,
    subject: SubjectRef,
    filters: BTreeMap<String, String>,
}

impl Case {
    fn family(&self, kind: &RecordKind) -> Option<String> {
        self.service
            .as_ref()
            .map(|s| s.family().to_owned())
            .filter(|f| kind.has_variant(f))
    }

    fn label(&self) -> String {
        format!(
            "{} / {} / {:?}",
            self.kind,
            self.service.as_ref().map_or("-", |s| s.item.as_str()),
            self.filters
        )
    }
}

/// The items a kind is asked for: one of every family with a variant, one
/// of the first family without, and none (no particular item).
fn services_of(
    kind: &RecordKind,
    gw: &DevGateway,
    catalogue: &BTreeMap<String, Vec<Item>>,
) -> Vec<Option<ServiceRef>> {
    let services = services(gw);
    let families: Vec<&str> = services.families_of(&kind.code).collect();
    let mut out: Vec<Option<ServiceRef>> = Vec::new();
    let mut plain_seen = false;
    for family in families {
        let variant = kind.has_variant(family);
        if !variant && plain_seen {
            continue;
        }
        plain_seen |= !variant;
        let items = &catalogue[family];
        let item = items
            .iter()
            .find(|i| i.region_code == "440100")
            .unwrap_or(&items[0]);
        out.push(Some(item.service()));
    }
    out.push(None);
    out
}

/// Every case of every department kind.
fn cases(gw: &DevGateway) -> Vec<Case> {
    let catalogue = catalogue();
    let owners = vehicle_owners(gw);
    let mut out = Vec::new();
    for kind in gw.kinds().iter().filter(|k| k.source == Source::Department) {
        for service in services_of(kind, gw, &catalogue) {
            let subjects: Vec<(SubjectRef, Option<String>, Option<ServiceRef>)> = match kind.subject
            {
                SubjectKind::Person => PERSONS
                    .iter()
                    .map(|p| (person(*p), None, service.clone()))
                    .collect(),
                SubjectKind::Organisation => ORGANISATIONS
                    .iter()
                    .map(|o| (organisation(*o), None, service.clone()))
                    .collect(),
                SubjectKind::Vehicle => owners
                    .iter()
                    .map(|(s, plate)| (s.clone(), Some(plate.clone()), service.clone()))
                    .collect(),
                // Public kinds: three cities' items of the family.
                SubjectKind::None => {
                    let family = service.as_ref().map(|s| s.family().to_owned());
                    let items = family.map(|f| catalogue[&f].clone()).unwrap_or_default();
                    let mut three: Vec<Option<ServiceRef>> =
                        items.iter().take(3).map(|i| Some(i.service())).collect();
                    if three.is_empty() {
                        three.push(None);
                    }
                    three
                        .into_iter()
                        .map(|s| (SubjectRef::None, None, s))
                        .collect()
                }
            };
            for (n, (subject, plate, service)) in subjects.into_iter().enumerate() {
                out.push(Case {
                    kind: kind.code.clone(),
                    filters: required_filters(kind, plate.as_deref(), n as u32),
                    service,
                    subject,
                });
            }
        }
    }
    out
}

fn parse_date(text: &str) -> Option<Date> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    (text.len() == 10)
        .then(|| Date::parse(text, &format).ok())
        .flatten()
}

fn is_month(text: &str) -> bool {
    text.len() == 7 && parse_date(&format!("{text}-01")).is_some()
}

/// The README's types: money and points integer fen/points, numbers
/// integers, dates `YYYY-MM-DD`, months `YYYY-MM`, years `YYYY` strings,
/// datetimes RFC 3339 at +08:00, text filled (no placeholder left).
fn fits(kind: ColumnType, value: &Value) -> bool {
    match kind {
        ColumnType::Text | ColumnType::Status => value
            .as_str()
            .is_some_and(|s| (1..=500).contains(&s.chars().count()) && !s.contains('{')),
        ColumnType::Date => value.as_str().is_some_and(|s| parse_date(s).is_some()),
        ColumnType::Month => value.as_str().is_some_and(is_month),
        ColumnType::Year => value
            .as_str()
            .is_some_and(|s| s.len() == 4 && s.bytes().all(|c| c.is_ascii_digit())),
        ColumnType::Money | ColumnType::Points | ColumnType::Number => value.is_i64(),
        ColumnType::Datetime => value
            .as_str()
            .is_some_and(|s| s.ends_with("+08:00") && OffsetDateTime::parse(s, &Rfc3339).is_ok()),
    }
}

fn compare(a: &Value, b: &Value) -> Ordering {
    match (a.as_f64(), b.as_f64()) {
        (Some(x), Some(y)) => x.total_cmp(&y),
        _ => a.as_str().cmp(&b.as_str()),
    }
}

fn hint<'a>(kind: &'a RecordKind, name: &str, family: Option<&str>) -> &'a Hint {
    kind.column_hint(name, family)
        .unwrap_or_else(|| panic!("{}: no hint for column {name}", kind.code))
}

fn summary_hint<'a>(kind: &'a RecordKind, name: &str, family: Option<&str>) -> &'a Hint {
    kind.summary_hint(name, family)
        .unwrap_or_else(|| panic!("{}: no hint for summary {name}", kind.code))
}

/// The first day (or month) rows may have: `history_months` back from today.
fn history_cutoff(kind: &RecordKind, family: Option<&str>) -> Option<String> {
    let first = &kind.columns[0];
    if kind.history_months == 0
        || !hint(kind, &first.name, family)
            .generator
            .is_backward_sequence()
    {
        return None;
    }
    let months =
        TODAY.year() * 12 + i32::from(u8::from(TODAY.month())) - 1 - kind.history_months as i32;
    let (year, month) = (months.div_euclid(12), months.rem_euclid(12) + 1);
    Some(match first.kind {
        ColumnType::Month => format!("{year:04}-{month:02}"),
        ColumnType::Year => format!("{year:04}"),
        _ => {
            let last = time::Month::try_from(month as u8)
                .map(|m| m.length(year))
                .unwrap_or(28);
            format!("{year:04}-{month:02}-{:02}", TODAY.day().min(last))
        }
    })
}

fn in_where(row: &Row, condition: Option<&yuesou_gateway::hints::Where>) -> bool {
    condition.is_none_or(|w| row.get(&w.column).is_some_and(|v| w.values.contains(v)))
}

fn ints<'a>(rows: &'a [Row], of: &'a str) -> impl Iterator<Item = i64> + 'a {
    rows.iter().filter_map(move |r| r[of].as_i64())
}

/// Checks the summary against the README's definitions over all rows.
fn check_summary(
    kind: &RecordKind,
    family: Option<&str>,
    rows: &[Row],
    summary: &BTreeMap<String, Value>,
    label: &str,
) {
    let first = &kind.columns[0];
    let rows_hint = hint(kind, &first.name, family).rows.clone();
    if rows.is_empty() && rows_hint.as_ref().is_some_and(|r| !r.empty_summary) {
        assert!(
            summary.is_empty(),
            "{label}: no rows, no summary: {summary:?}"
        );
        return;
    }
    let names: BTreeSet<&String> = kind.summary.iter().map(|s| &s.name).collect();
    assert_eq!(
        summary.keys().collect::<BTreeSet<_>>(),
        names,
        "{label}: summary names"
    );
    for figure in &kind.summary {
        let got = &summary[&figure.name];
        let target = figure.kind.as_column_type();
        let here = format!("{label}: summary {}", figure.name);
        match &summary_hint(kind, &figure.name, family).generator {
            Gen::Count { condition } => {
                let n = rows
                    .iter()
                    .filter(|r| in_where(r, condition.as_ref()))
                    .count();
                assert_eq!(got, &Value::from(n as u64), "{here}");
            }
            Gen::Sum { of, condition } => {
                let sum: i64 = rows
                    .iter()
                    .filter(|r| in_where(r, condition.as_ref()))
                    .filter_map(|r| r[of].as_i64())
                    .sum();
                assert_eq!(got, &Value::from(sum), "{here}");
            }
            Gen::Avg { of } => {
                let values: Vec<i64> = ints(rows, of).collect();
                let want = if values.is_empty() {
                    Value::Null
                } else {
                    Value::from(
                        (values.iter().sum::<i64>() as f64 / values.len() as f64).round() as i64,
                    )
                };
                assert_eq!(got, &want, "{here}");
            }
            Gen::Max { of } => {
                assert_eq!(
                    got,
                    &ints(rows, of).max().map_or(Value::Null, Value::from),
                    "{here}"
                );
            }
            Gen::Latest { of } => {
                let newest = rows.iter().filter_map(|r| r[&first.name].as_str()).max();
                let Some(newest) = newest else {
                    assert_eq!(got, &Value::Null, "{here}: over no rows");
                    continue;
                };
                let candidates: Vec<Value> = rows
                    .iter()
                    .filter(|r| r[&first.name].as_str() == Some(newest))
                    .map(|r| match (target, &r[of]) {
                        (ColumnType::Date, Value::String(s)) => Value::String(s[..10].to_owned()),
                        (ColumnType::Number, Value::String(s)) => {
                            s.parse::<i64>().map_or(Value::Null, Value::from)
                        }
                        (_, v) => v.clone(),
                    })
                    .collect();
                assert!(
                    candidates.contains(got),
                    "{here}: {got} not in the newest rows' {candidates:?}"
                );
                if kind.sort.column == first.name {
                    assert_eq!(got, &candidates[0], "{here}: the first of the newest rows");
                }
            }
            _ => {
                assert!(fits(target, got), "{here}: {got} is not a {target:?}");
            }
        }
    }
}

/// The closed range of a range filter's value: an open end of a range
/// with a maximum span closes at the span (the gateway's choice where the
/// README is silent).
fn closed_range(filter: &FilterDef, value: &str) -> (String, String) {
    let (from, to) = value.split_once('/').unwrap_or((value, value));
    let span = filter.max_span_months.unwrap_or(0) as i32;
    let month_of = |s: &str| -> i32 {
        let y: i32 = s[..4].parse().unwrap_or(0);
        let m: i32 = s[5..7].parse().unwrap_or(1);
        y * 12 + m - 1
    };
    match (filter.kind, from.is_empty(), to.is_empty()) {
        (FilterType::MonthRange, false, true) => {
            (from.to_owned(), month_text(month_of(from) + span - 1))
        }
        (FilterType::MonthRange, true, false) => {
            (month_text(month_of(to) - span + 1), to.to_owned())
        }
        (FilterType::DateRange, false, true) => {
            let a = parse_date(from).unwrap_or(TODAY);
            let end = shift_months(a, span) - Duration::days(1);
            (from.to_owned(), end.to_string())
        }
        (FilterType::DateRange, true, false) => {
            let b = parse_date(to).unwrap_or(TODAY);
            let start = shift_months(b, -span) + Duration::days(1);
            (start.to_string(), to.to_owned())
        }
        _ => (from.to_owned(), to.to_owned()),
    }
}

/// The same day `months` later, clamped to the month's last day.
fn shift_months(date: Date, months: i32) -> Date {
    let index = date.year() * 12 + i32::from(u8::from(date.month())) - 1 + months;
    let (year, month) = (index.div_euclid(12), (index.rem_euclid(12) + 1) as u8);
    let month = time::Month::try_from(month).unwrap_or(time::Month::January);
    let day = date.day().min(month.length(year));
    Date::from_calendar_date(year, month, day).unwrap_or(date)
}

/// The rows a restricting filter keeps, by the README: ranges and years
/// by time, choices by equality, text by substring.
fn restricted(rows: &[Row], filter: &FilterDef, value: &str) -> Vec<Row> {
    let column = filter.name.as_str();
    let (from, to) = closed_range(filter, value);
    rows.iter()
        .filter(|r| {
            let cell = r[column].as_str().unwrap_or("");
            match filter.kind {
                FilterType::MonthRange | FilterType::DateRange => {
                    let width = if filter.kind == FilterType::MonthRange {
                        7
                    } else {
                        10
                    };
                    let cell = &cell[..width.min(cell.len())];
                    cell >= from.as_str() && cell <= to.as_str()
                }
                FilterType::Year => cell.starts_with(value),
                FilterType::Choice => cell == value,
                FilterType::Text => cell.contains(value),
                FilterType::Plate => true,
            }
        })
        .cloned()
        .collect()
}

/// A literal of the files as it appears in a row of `target` type; `None`
/// when it has placeholders (then any filling is right).
fn shown(value: &Value, target: ColumnType) -> Option<Value> {
    match value {
        Value::String(s) if s.contains('{') => None,
        Value::Number(n) if target == ColumnType::Year => {
            Some(Value::String(format!("{:04}", n.as_i64()?)))
        }
        other => Some(other.clone()),
    }
}

fn day_of(text: &str) -> Option<Date> {
    parse_date(text.get(..10)?)
}

/// Checks every row-local generator (value ranges, copies, sums, scales,
/// maps, echoes, dates) and, when the rows are in generation order,
/// sequences, cycles and steady blocks — against the README's definitions.
fn check_generators(
    kind: &RecordKind,
    family: Option<&str>,
    rows: &[Row],
    given: &BTreeMap<String, String>,
    label: &str,
) {
    let first = &kind.columns[0];
    let first_gen = &hint(kind, &first.name, family).generator;
    let in_order = kind.sort.column == first.name
        && match (first_gen, kind.sort.order) {
            (Gen::SequenceMonth { step, .. }, Order::Desc) => *step < 0,
            (Gen::SequenceMonth { step, .. }, Order::Asc) => *step > 0,
            (Gen::SequenceDate { forward, .. }, Order::Desc) => !forward,
            (Gen::SequenceDate { forward, .. }, Order::Asc) => *forward,
            _ => false,
        };
    let current = TODAY.year() * 12 + i32::from(u8::from(TODAY.month())) - 1;
    for column in &kind.columns {
        let h = hint(kind, &column.name, family);
        let here = |i: usize| {
            format!(
                "{label}: row {i} column {} ({})",
                column.name,
                h.generator.name()
            )
        };
        for (i, row) in rows.iter().enumerate() {
            let v = &row[&column.name];
            let int = |c: &str| row[c].as_i64().unwrap_or(i64::MIN);
            match &h.generator {
                Gen::Money {
                    min_fen,
                    max_fen,
                    round_fen,
                } => {
                    let x = v.as_i64().unwrap_or(-1);
                    assert!(
                        (*min_fen..=*max_fen).contains(&x) && x % round_fen == 0,
                        "{}: {x}",
                        here(i)
                    );
                }
                Gen::Number { min, max } => {
                    let x = v
                        .as_i64()
                        .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
                        .unwrap_or(i64::MIN);
                    assert!((*min..=*max).contains(&x), "{}: {x}", here(i));
                }
                Gen::Pick { values, .. } => {
                    let all: Option<Vec<Value>> =
                        values.iter().map(|x| shown(x, column.kind)).collect();
                    if let Some(all) = all {
                        assert!(all.contains(v), "{}: {v} not in {all:?}", here(i));
                    }
                }
                Gen::Const { value } => {
                    if let Some(want) = shown(value, column.kind) {
                        assert_eq!(v, &want, "{}", here(i));
                    }
                }
                Gen::Copy { from } => assert_eq!(v, &row[from], "{}", here(i)),
                Gen::Add { of } => {
                    let sum: i64 = of.iter().map(|c| int(c)).sum();
                    assert_eq!(v.as_i64(), Some(sum), "{}", here(i));
                }
                Gen::Scale {
                    of,
                    factor,
                    round_fen,
                } => {
                    let x = int(of) as f64;
                    let r = if column.kind == ColumnType::Money {
                        round_fen.unwrap_or(1)
                    } else {
                        1
                    };
                    let got = v.as_i64().unwrap_or(i64::MIN);
                    assert_eq!(got % r, 0, "{}: a multiple of {r}", here(i));
                    match factor {
                        yuesou_gateway::hints::Factor::Fixed(f) => {
                            let want = ((x * f / r as f64).round() as i64) * r;
                            assert_eq!(got, want, "{}", here(i));
                        }
                        yuesou_gateway::hints::Factor::Range([a, b]) => {
                            let (lo, hi) = (x * a - r as f64, x * b + r as f64);
                            assert!(
                                (lo..=hi).contains(&(got as f64)),
                                "{}: {got} not in {lo}..{hi}",
                                here(i)
                            );
                        }
                    }
                }
                Gen::Map {
                    from,
                    values,
                    bands,
                    default,
                } => {
                    let source = &row[from];
                    let found = match (values, bands) {
                        (Some(values), _) => values.get(source.as_str().unwrap_or("")),
                        (None, Some(bands)) => source
                            .as_f64()
                            .and_then(|x| bands.iter().rev().find(|(min, _)| *min <= x))
                            .map(|(_, v)| v),
                        _ => None,
                    };
                    let want = found
                        .or(default.as_ref())
                        .expect("the map covers its source");
                    if let Some(want) = shown(want, column.kind) {
                        assert_eq!(v, &want, "{}: map of {source}", here(i));
                    }
                }
                Gen::Filter { name, .. } => {
                    if let Some(g) = given.get(name) {
                        assert_eq!(
                            v.as_str(),
                            Some(g.as_str()),
                            "{}: the filter's value",
                            here(i)
                        );
                    }
                }
                Gen::Date { days, .. } => {
                    let text = v.as_str().unwrap_or("");
                    let (lo, hi) = (
                        TODAY + Duration::days(days[0]),
                        TODAY + Duration::days(days[1]),
                    );
                    if text.len() == 7 {
                        assert!(
                            text >= &lo.to_string()[..7] && text <= &hi.to_string()[..7],
                            "{}: {text}",
                            here(i)
                        );
                    } else {
                        let d = day_of(text);
                        assert!(d.is_some_and(|d| d >= lo && d <= hi), "{}: {text}", here(i));
                    }
                }
                Gen::SequenceMonth {
                    step,
                    start_months,
                    repeat,
                } if in_order => {
                    let m = current + start_months + step * (i as i32 / *repeat as i32);
                    let want = match column.kind {
                        ColumnType::Year => month_text(m)[..4].to_owned(),
                        _ => month_text(m),
                    };
                    assert_eq!(v.as_str(), Some(want.as_str()), "{}", here(i));
                }
                Gen::SequenceDate { start_days, .. } if in_order && i == 0 => {
                    let d = day_of(v.as_str().unwrap_or(""));
                    let (lo, hi) = (
                        TODAY + Duration::days(start_days[0]),
                        TODAY + Duration::days(start_days[1]),
                    );
                    assert!(
                        d.is_some_and(|d| d >= lo && d <= hi),
                        "{}: the first value",
                        here(i)
                    );
                }
                Gen::SequenceDate {
                    every_days,
                    repeat,
                    forward,
                    ..
                } if in_order => {
                    let (a, b) = (
                        day_of(rows[i - 1][&column.name].as_str().unwrap_or("")),
                        day_of(v.as_str().unwrap_or("")),
                    );
                    let (Some(a), Some(b)) = (a, b) else {
                        panic!("{}: dates", here(i))
                    };
                    let gap = if *forward {
                        (b - a).whole_days()
                    } else {
                        (a - b).whole_days()
                    };
                    if i % *repeat as usize == 0 {
                        assert!(
                            (every_days[0]..=every_days[1]).contains(&gap),
                            "{}: step {gap}",
                            here(i)
                        );
                    } else {
                        assert_eq!(gap, 0, "{}: same block", here(i));
                    }
                }
                Gen::Cycle { values } if in_order => {
                    if let Some(want) = shown(&values[i % values.len()], column.kind) {
                        assert_eq!(v, &want, "{}", here(i));
                    }
                }
                _ => {}
            }
            if let (Some(n), true) = (h.steady, in_order) {
                let start = i - i % n as usize;
                assert_eq!(v, &rows[start][&column.name], "{}: steady {n}", here(i));
            }
        }
    }
}

fn month_text(index: i32) -> String {
    format!(
        "{:04}-{:02}",
        index.div_euclid(12),
        index.rem_euclid(12) + 1
    )
}

/// Valid values of a filter (each accepted) and invalid ones (each a
/// `bad_request`).
fn filter_samples(
    filter: &FilterDef,
    rows: &[Row],
    plate: Option<&str>,
) -> (Vec<String>, Vec<String>) {
    let current = TODAY.year() * 12 + i32::from(u8::from(TODAY.month())) - 1;
    let span = filter.max_span_months.unwrap_or(12) as i32;
    let this_year = TODAY.year().to_string();
    match filter.kind {
        FilterType::MonthRange => {
            let within = span.min(12);
            (
                vec![
                    format!(
                        "{}/{}",
                        month_text(current - within),
                        month_text(current - 1)
                    ),
                    format!("{}/", month_text(current - 3)),
                    format!("/{}", month_text(current - 1)),
                ],
                vec![
                    "2026-13/2026-01".to_owned(),
                    format!(
                        "{}/{}",
                        month_text(current - span - 5),
                        month_text(current - 1)
                    ),
                    format!("{}/{}", month_text(current - 1), month_text(current - 3)),
                ],
            )
        }
        FilterType::DateRange => {
            let within = span.min(2);
            let from = format!("{}-01", month_text(current - within));
            (
                vec![
                    format!("{from}/{TODAY}"),
                    format!("{from}/"),
                    format!("/{TODAY}"),
                ],
                vec![
                    "2026-02-30/".to_owned(),
                    format!("{}-01/{TODAY}", month_text(current - span - 3)),
                    format!("{TODAY}/{from}"),
                ],
            )
        }
        FilterType::Year => {
            let mut valid = vec![this_year];
            if let Some(year) = rows
                .iter()
                .filter_map(|r| r[&filter.name].as_str())
                .map(|s| s[..4].to_owned())
                .last()
            {
                valid.push(year);
            }
            (valid, vec!["26".to_owned(), "二〇二六".to_owned()])
        }
        FilterType::Choice => (filter.options().to_vec(), vec!["不存在的选项".to_owned()]),
        FilterType::Text => {
            let (mut valid, invalid) = text_sample(filter.pattern.as_deref().unwrap_or(""), 0);
            if let Some(cell) = rows
                .iter()
                .find_map(|r| r.get(&filter.name).and_then(Value::as_str))
            {
                let needle: String = cell.chars().take(2).collect();
                if filter.matches_pattern(&needle) {
                    valid = needle;
                }
            }
            (vec![valid], vec![invalid])
        }
        FilterType::Plate => (
            vec![
                plate.unwrap_or("粤A12345").to_owned(),
                "粤B88888".to_owned(),
            ],
            vec!["A12345".to_owned(), "粤a12345".to_owned()],
        ),
    }
}

struct Tally {
    cases: usize,
    rows: usize,
    filter_values: usize,
    refusals: usize,
}

/// Runs every property over one case.
async fn check_case(
    gw: &DevGateway,
    other: &DevGateway,
    case: &Case,
    filters_too: bool,
    tally: &mut Tally,
) {
    let kind = gw
        .kinds()
        .get(&case.kind)
        .unwrap_or_else(|| panic!("{}", case.kind));
    let family = case.family(kind);
    let family = family.as_deref();
    let label = case.label();
    let base = request(
        &case.kind,
        case.service.clone(),
        case.subject.clone(),
        &case.filters,
        1,
        kind.page_size,
    );

    // Deterministic: twice, and on another gateway.
    let first = page(gw, &base).await;
    assert_eq!(
        first,
        page(gw, &base).await,
        "{label}: same request, same answer"
    );
    assert_eq!(
        first,
        page(other, &base).await,
        "{label}: another gateway instance"
    );

    // Paging: pages of 7 and of 50 concatenate to the same rows, `total` of them.
    let (rows, total, summary) = walk(gw, &base, 7).await;
    let (big, total50, _) = walk(gw, &base, 50).await;
    assert_eq!(rows, big, "{label}: pages of 7 and 50");
    assert_eq!(rows.len() as u64, total, "{label}: total");
    assert_eq!(total, total50);
    assert_eq!(first.columns, kind.page_columns(), "{label}: columns");

    // Types.
    let names: BTreeSet<&String> = kind.columns.iter().map(|c| &c.name).collect();
    for row in &rows {
        assert_eq!(
            row.keys().collect::<BTreeSet<_>>(),
            names,
            "{label}: row members"
        );
        for column in &kind.columns {
            let v = &row[&column.name];
            assert!(
                fits(column.kind, v),
                "{label}: {} = {v} is not a {:?}",
                column.name,
                column.kind
            );
        }
    }

    // Sort order.
    for pair in rows.windows(2) {
        let (a, b) = (&pair[0][&kind.sort.column], &pair[1][&kind.sort.column]);
        let order = compare(a, b);
        let ok = match kind.sort.order {
            Order::Asc => order != Ordering::Greater,
            Order::Desc => order != Ordering::Less,
        };
        assert!(ok, "{label}: {a} then {b} is not {:?}", kind.sort.order);
    }

    // History window.
    if let Some(cutoff) = history_cutoff(kind, family) {
        for row in &rows {
            let v = row[&kind.columns[0].name].as_str().unwrap_or("");
            assert!(v >= cutoff.as_str(), "{label}: {v} is older than {cutoff}");
        }
    }

    // Every generator as the README defines it.
    check_generators(kind, family, &rows, &case.filters, &label);

    // Summary over all rows.
    check_summary(kind, family, &rows, &summary, &label);
    tally.cases += 1;
    tally.rows += rows.len();

    if !filters_too {
        return;
    }
    let plate = case.filters.values().find(|v| v.starts_with('粤')).cloned();
    for filter in &kind.filters {
        let (valid, invalid) = filter_samples(filter, &rows, plate.as_deref());
        for value in valid {
            let mut filters = case.filters.clone();
            filters.insert(filter.name.clone(), value.clone());
            let req = request(
                &case.kind,
                case.service.clone(),
                case.subject.clone(),
                &filters,
                1,
                kind.page_size,
            );
            let (got, got_total, got_summary) = walk(gw, &req, 50).await;
            assert_eq!(got.len() as u64, got_total);
            let here = format!("{label}: filter {} = {value}", filter.name);
            if kind.is_restriction(&filter.name) {
                assert_eq!(
                    got,
                    restricted(&rows, filter, &value),
                    "{here}: the rows it keeps"
                );
                assert_eq!(
                    got_summary, summary,
                    "{here}: the summary describes the subject, not the query"
                );
            } else {
                assert_eq!(page(gw, &req).await, page(gw, &req).await, "{here}");
            }
            tally.filter_values += 1;
        }
        for value in invalid {
            let mut filters = case.filters.clone();
            filters.insert(filter.name.clone(), value.clone());
            let req = request(
                &case.kind,
                case.service.clone(),
                case.subject.clone(),
                &filters,
                1,
                kind.page_size,
            );
            let e = error(gw, &req).await;
            assert!(
                matches!(e, GatewayError::BadRequest(_)),
                "{label}: filter {} = {value}: {e:?}",
                filter.name
            );
            tally.refusals += 1;
        }
        if filter.required {
            let mut filters = case.filters.clone();
            filters.remove(&filter.name);
            let req = request(
                &case.kind,
                case.service.clone(),
                case.subject.clone(),
                &filters,
                1,
                kind.page_size,
            );
            assert!(
                matches!(error(gw, &req).await, GatewayError::BadRequest(_)),
                "{label}: {} is required",
                filter.name
            );
            tally.refusals += 1;
        }
    }
    let mut unknown = case.filters.clone();
    unknown.insert("no_such_filter".into(), "x".into());
    let req = request(
        &case.kind,
        case.service.clone(),
        case.subject.clone(),
        &unknown,
        1,
        kind.page_size,
    );
    assert!(
        matches!(error(gw, &req).await, GatewayError::BadRequest(_)),
        "{label}: unknown filter"
    );
    tally.refusals += 1;
}

#[tokio::test]
async fn every_kind_for_every_variant_and_three_subjects() {
    let gw = gateway();
    let other = gateway();
    let all = cases(&gw);
    let mut tally = Tally {
        cases: 0,
        rows: 0,
        filter_values: 0,
        refusals: 0,
    };
    let mut kinds_seen = BTreeSet::new();
    let mut first_of: BTreeSet<(String, Option<String>)> = BTreeSet::new();
    for case in &all {
        let key = (
            case.kind.clone(),
            case.service.as_ref().map(|s| s.family().to_owned()),
        );
        let filters_too = first_of.insert(key);
        check_case(&gw, &other, case, filters_too, &mut tally).await;
        kinds_seen.insert(case.kind.clone());
    }
    let department_kinds = gw
        .kinds()
        .iter()
        .filter(|k| k.source == Source::Department)
        .count();
    assert_eq!(
        kinds_seen.len(),
        department_kinds,
        "every department kind was asked"
    );
    assert_eq!(department_kinds, 52);
    println!(
        "{} cases over {} kinds, {} rows; {} filter values accepted, {} refused",
        tally.cases, department_kinds, tally.rows, tally.filter_values, tally.refusals
    );
    assert!(tally.rows > 4000, "{} rows", tally.rows);
}

#[tokio::test]
async fn persons_differ_and_platform_kinds_never_reach_a_gateway() {
    let gw = gateway();
    let catalogue = catalogue();
    let service = catalogue["gjj-jcmx"][0].service();
    let rows = |p| {
        request(
            "housing_fund_deposits",
            Some(service.clone()),
            person(p),
            &BTreeMap::new(),
            1,
            50,
        )
    };
    let a = page(&gw, &rows(PERSONS[0])).await;
    let b = page(&gw, &rows(PERSONS[1])).await;
    assert_ne!(a, b, "two persons, two histories");
    for code in ["applications", "e_licences", "platform_payments"] {
        let e = error(
            &gw,
            &request(code, None, person(PERSONS[0]), &BTreeMap::new(), 1, 10),
        )
        .await;
        assert_eq!(e.code(), "not_found", "{code}");
    }
    let e = error(
        &gw,
        &request(
            "tax_credit_rating",
            None,
            person(PERSONS[0]),
            &BTreeMap::new(),
            1,
            10,
        ),
    )
    .await;
    assert_eq!(
        e.code(),
        "bad_request",
        "an organisation kind asked about a person"
    );
    let e = error(
        &gw,
        &request(
            "no_such_kind",
            None,
            person(PERSONS[0]),
            &BTreeMap::new(),
            1,
            10,
        ),
    )
    .await;
    assert_eq!(e.code(), "not_found");
}

/// With probability `rows.empty` a subject has no rows: some subject (or
/// item and lookup key, for public kinds) gets none, and the answer is
/// still a table — columns, `total` 0, and the summary unless
/// `empty_summary` is false.
#[tokio::test]
async fn kinds_that_may_be_empty_are_empty_for_someone() {
    let gw = gateway();
    let catalogue = catalogue();
    let mut checked = 0;
    let services = services(&gw);
    for kind in gw.kinds().iter().filter(|k| k.source == Source::Department) {
        // One search per hint set: the defaults (any family without a
        // variant, or no item) and each variant; the items of those families
        // (their regions) are part of the seed.
        let families: Vec<&str> = services.families_of(&kind.code).collect();
        let mut sets: Vec<(Option<String>, Vec<Option<ServiceRef>>)> = vec![(None, vec![None])];
        for family in &families {
            let items = catalogue[*family].iter().map(|i| Some(i.service()));
            if kind.has_variant(family) {
                sets.push((Some((*family).to_owned()), items.collect()));
            } else {
                sets[0].1.extend(items);
            }
        }
        // A public kind without lookup keys varies by region alone: ask
        // each hint set in every region.
        if kind.scope == Scope::Public && kind.filters.iter().all(|f| !f.required) {
            let regions: BTreeSet<&str> = catalogue
                .values()
                .flatten()
                .map(|i| i.region_code.as_str())
                .collect();
            for (family, items) in &mut sets {
                let family = family
                    .as_deref()
                    .or_else(|| families.iter().copied().find(|f| !kind.has_variant(f)));
                let Some(item) = family.and_then(|f| catalogue[f].first()) else {
                    continue;
                };
                for region in &regions {
                    let id = format!("{}-{region}", item.family());
                    items.push(Some(ServiceRef::new(&id, region, &item.title, &item.theme)));
                }
            }
        }
        for (family, items) in sets {
            let rows = hint(kind, &kind.columns[0].name, family.as_deref())
                .rows
                .clone();
            let Some(rows) = rows.filter(|r| r.empty > 0.0) else {
                continue;
            };
            let mut found = None;
            'search: for n in 0..400u32 {
                for item in &items {
                    let (subject, plate) = match kind.subject {
                        SubjectKind::Person => (nth_person(n), None),
                        SubjectKind::Organisation => (
                            SubjectRef::organisation(&format!("914401{n:06}MA5CXL"), "测试单位"),
                            None,
                        ),
                        SubjectKind::Vehicle => (person(PERSONS[0]), Some(format!("粤A{n:05}"))),
                        SubjectKind::None => (SubjectRef::None, None),
                    };
                    let filters = required_filters(kind, plate.as_deref(), n);
                    let req = request(
                        &kind.code,
                        item.clone(),
                        subject,
                        &filters,
                        1,
                        kind.page_size,
                    );
                    let p = page(&gw, &req).await;
                    if p.total == 0 {
                        found = Some(p);
                        break 'search;
                    }
                }
                if kind.scope == Scope::Public && kind.filters.iter().all(|f| !f.required) {
                    // Nothing but the item varies the seed of such a public kind.
                    break;
                }
            }
            let label = format!("{} {:?}", kind.code, family);
            let Some(empty) = found else {
                panic!("{label}: nobody has no rows (rows.empty = {})", rows.empty)
            };
            assert!(empty.rows.is_empty());
            assert_eq!(empty.columns, kind.page_columns(), "{label}");
            if rows.empty_summary {
                assert_eq!(empty.summary.len(), kind.summary.len(), "{label}");
            } else {
                assert!(empty.summary.is_empty(), "{label}");
            }
            checked += 1;
        }
    }
    println!("{checked} kinds and variants found empty for someone");
    assert!(checked >= 40, "{checked}");
}

#[tokio::test]
async fn families_share_rows_unless_they_have_a_variant() {
    let gw = gateway();
    let catalogue = catalogue();
    let item = |id: &str| {
        catalogue
            .values()
            .flatten()
            .find(|i| i.id == id)
            .map(Item::service)
            .unwrap_or_else(|| panic!("no item {id}"))
    };
    let none = BTreeMap::new();
    let ask = |kind: &str, service: ServiceRef| {
        request(kind, Some(service), person(PERSONS[0]), &none, 1, 50)
    };
    // 养老 and 医疗 缴费查询 share a kind without variants: the same rows.
    let pension = page(
        &gw,
        &ask("social_insurance_contributions", item("sb-ylcx-440100")),
    )
    .await;
    let medical = page(
        &gw,
        &ask("social_insurance_contributions", item("sb-yilcx-440100")),
    )
    .await;
    assert_eq!(pension, medical);
    // An exam with a variant has rows of its own: its subjects, its name.
    let xk = page(&gw, &ask("exam_scores", item("ggfw-xkcj-440000"))).await;
    let gk = page(&gw, &ask("exam_scores", item("ggfw-gkcj-440000"))).await;
    assert_ne!(xk.rows, gk.rows);
    let subjects: BTreeSet<&str> = xk
        .rows
        .iter()
        .filter_map(|r| r["subject"].as_str())
        .collect();
    assert!(
        subjects.contains("信息技术") && subjects.contains("通用技术"),
        "{subjects:?}"
    );
    if let Some(year) = xk.rows.first().and_then(|r| r["year"].as_str()) {
        assert_eq!(
            xk.rows
                .iter()
                .filter(|r| r["year"].as_str() == Some(year))
                .count(),
            11
        );
    }
    assert!(
        xk.rows.iter().all(|r| r["exam"] == "普通高中学业水平考试"),
        "{{item}}"
    );
    // A verification kind is about the number asked for.
    let check = |n: &str| {
        let filters = [("certificate_no".to_owned(), n.to_owned())].into();
        request(
            "birth_certificate_check",
            None,
            SubjectRef::None,
            &filters,
            1,
            10,
        )
    };
    let mut answers = BTreeSet::new();
    for n in ["P440123456", "P440123457", "P440123458", "P440123459"] {
        let p = page(&gw, &check(n)).await;
        assert!(
            p.rows.iter().all(|r| r["number"] == n),
            "the number is echoed"
        );
        answers.insert(serde_json::to_string(&p.rows).unwrap_or_default());
    }
    assert!(answers.len() > 1, "different numbers, different answers");
    let bad_date = [
        ("invoice_no".to_owned(), "12345678".to_owned()),
        ("invoice_date".to_owned(), "2026-02-30".to_owned()),
        ("check".to_owned(), "123456".to_owned()),
    ]
    .into();
    let e = error(
        &gw,
        &request("invoice_check", None, SubjectRef::None, &bad_date, 1, 10),
    )
    .await;
    assert_eq!(
        e.code(),
        "bad_request",
        "an impossible date echoed into a date column"
    );
}

#[tokio::test]
async fn a_row_never_mixes_two_cities() {
    let gw = gateway();
    let services = services(&gw);
    let catalogue = catalogue();
    let family = services
        .families_of("residence_registration")
        .next()
        .unwrap_or_else(|| panic!("no family of residence_registration"));
    let shenzhen = catalogue[family]
        .iter()
        .find(|i| i.region_code == "440300")
        .map(Item::service);
    let none = BTreeMap::new();
    let mut province_cities = BTreeSet::new();
    for p in PERSONS
        .iter()
        .copied()
        .chain([("440106199001010011", "测试")])
    {
        // A city item: every row in that city.
        let city = page(
            &gw,
            &request(
                "residence_registration",
                shenzhen.clone(),
                person(p),
                &none,
                1,
                50,
            ),
        )
        .await;
        for row in &city.rows {
            for column in ["address", "station"] {
                assert!(
                    row[column]
                        .as_str()
                        .is_some_and(|s| s.starts_with("深圳市")),
                    "{row:?}"
                );
            }
        }
        // No item (province-wide): a city per row, the same in all its columns.
        let anywhere = page(
            &gw,
            &request("residence_registration", None, person(p), &none, 1, 50),
        )
        .await;
        for row in &anywhere.rows {
            let address = row["address"].as_str().unwrap_or("");
            let station = row["station"].as_str().unwrap_or("");
            let city: String = address.chars().take_while(|c| *c != '市').collect();
            assert!(
                !city.is_empty() && station.starts_with(&city),
                "{address} / {station}"
            );
            province_cities.insert(city);
        }
    }
    assert!(
        province_cities.len() > 1,
        "rows of province-wide items are in several cities"
    );
}

#[tokio::test]
async fn vehicles_are_the_vehicles_kind_s_plates_and_any_plate_is_answered() {
    let gw = gateway();
    let catalogue = catalogue();
    let item = catalogue["xsjs-jdczt"][0].service();
    let none = BTreeMap::new();
    for (subject, plate) in vehicle_owners(&gw) {
        let listed = page(
            &gw,
            &request(
                "vehicles",
                Some(item.clone()),
                subject.clone(),
                &none,
                1,
                50,
            ),
        )
        .await;
        let plates: BTreeSet<String> = listed
            .rows
            .iter()
            .filter_map(|r| r["plate"].as_str().map(str::to_owned))
            .collect();
        assert_eq!(
            plates,
            gw.vehicles(&subject).into_iter().collect(),
            "vehicles() = the kind's plates"
        );
        let filters = [("plate".to_owned(), plate.clone())].into();
        let violations = page(
            &gw,
            &request("traffic_violations", None, subject.clone(), &filters, 1, 50),
        )
        .await;
        assert!(
            violations.rows.iter().all(|r| r["plate"] == plate.as_str()),
            "the plate asked for"
        );
    }
    assert!(gw.vehicles(&SubjectRef::None).is_empty());
}

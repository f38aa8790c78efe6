//! A records request's filter values, checked against the kind: a filter
//! named after a column restricts rows by that column (ranges and years by
//! time, choices by equality, text by substring); any other filter, and
//! every `plate` filter, is a lookup key that goes into the seed
//! (`data/records/README.md` § Filters).

use std::collections::BTreeMap;

use serde_json::Value;
use time::{Date, Duration};

use super::values::Row;
use crate::clock::{add_months, parse_date, parse_month};
use crate::hints::Gen;
use crate::kinds::{FilterError, FilterProblem};
use crate::kinds::{FilterType, RecordKind};
use crate::model::ColumnType;

/// A restriction of rows by a column.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Restriction {
    /// A month column within `[from, to]` (month numbers).
    Months {
        column: String,
        from: Option<i32>,
        to: Option<i32>,
    },
    /// A date or datetime column whose day is within `[from, to]`.
    Dates {
        column: String,
        from: Option<Date>,
        to: Option<Date>,
    },
    /// A time column in a year.
    Year { column: String, year: i32 },
    /// A column equal to a choice.
    Equals { column: String, value: String },
    /// A text column containing a needle.
    Contains { column: String, needle: String },
}

/// The filters of a request, understood.
#[derive(Debug, Default)]
pub(crate) struct Filters {
    /// Row restrictions.
    pub(crate) restrictions: Vec<Restriction>,
    /// Lookup keys (seed parts), by name.
    pub(crate) keys: BTreeMap<String, String>,
    /// Every value given (trimmed, non-empty), for `filter` hints.
    pub(crate) given: BTreeMap<String, String>,
}

/// Checks every filter value of a request and sorts them into
/// restrictions and lookup keys.
pub(crate) fn parse(
    kind: &RecordKind,
    family: Option<&str>,
    values: &BTreeMap<String, String>,
) -> Result<Filters, FilterError> {
    if let Some(name) = values.keys().find(|n| kind.filter(n).is_none()) {
        return Err(FilterError::new(name, FilterProblem::Unknown));
    }
    let mut out = Filters::default();
    for filter in &kind.filters {
        let name = filter.name.as_str();
        let value = values.get(name).map(|v| v.trim()).filter(|v| !v.is_empty());
        let Some(value) = value else {
            if filter.required {
                return Err(FilterError::new(name, FilterProblem::Required));
            }
            continue;
        };
        if !filter.matches_pattern(value) {
            return Err(FilterError::new(name, FilterProblem::Pattern));
        }
        out.given.insert(name.to_owned(), value.to_owned());
        let column = kind.is_restriction(name).then(|| name.to_owned());
        let restriction = match filter.kind {
            FilterType::MonthRange => {
                let (from, to) = split_range(value, parse_month)
                    .ok_or_else(|| FilterError::new(name, FilterProblem::MonthRange))?;
                let span = filter.max_span_months.map(|m| m as i32);
                let (from, to) = match (from, to, span) {
                    (Some(a), None, Some(m)) => (Some(a), Some(a + m - 1)),
                    (None, Some(b), Some(m)) => (Some(b - m + 1), Some(b)),
                    other => (other.0, other.1),
                };
                if from.zip(to).is_some_and(|(a, b)| a > b) {
                    return Err(FilterError::new(name, FilterProblem::Order));
                }
                if let (Some(a), Some(b), Some(m)) = (from, to, span)
                    && b - a + 1 > m
                {
                    return Err(FilterError::new(
                        name,
                        FilterProblem::Span {
                            months: m.unsigned_abs(),
                        },
                    ));
                }
                column.map(|column| Restriction::Months { column, from, to })
            }
            FilterType::DateRange => {
                let (mut from, mut to) = split_range(value, parse_date)
                    .ok_or_else(|| FilterError::new(name, FilterProblem::DateRange))?;
                if let Some(m) = filter.max_span_months.map(|m| m as i32) {
                    match (from, to) {
                        (Some(a), None) => to = Some(add_months(a, m) - Duration::days(1)),
                        (None, Some(b)) => from = Some(add_months(b, -m) + Duration::days(1)),
                        (Some(a), Some(b)) if b >= add_months(a, m) => {
                            return Err(FilterError::new(
                                name,
                                FilterProblem::Span {
                                    months: m.unsigned_abs(),
                                },
                            ));
                        }
                        _ => {}
                    }
                }
                if from.zip(to).is_some_and(|(a, b)| a > b) {
                    return Err(FilterError::new(name, FilterProblem::Order));
                }
                column.map(|column| Restriction::Dates { column, from, to })
            }
            FilterType::Year => {
                let year = (value.len() == 4 && value.bytes().all(|c| c.is_ascii_digit()))
                    .then(|| value.parse::<i32>().ok())
                    .flatten()
                    .ok_or_else(|| FilterError::new(name, FilterProblem::Year))?;
                column.map(|column| Restriction::Year { column, year })
            }
            FilterType::Choice => {
                if !filter.options().iter().any(|o| o == value) {
                    return Err(FilterError::new(name, FilterProblem::Choice));
                }
                match column {
                    // 全部 (when a kind offers it) restricts nothing.
                    Some(_) if value == "全部" => None,
                    Some(column) => Some(Restriction::Equals {
                        column,
                        value: value.to_owned(),
                    }),
                    None => {
                        out.keys.insert(name.to_owned(), value.to_owned());
                        None
                    }
                }
            }
            FilterType::Text => match column {
                Some(column) => Some(Restriction::Contains {
                    column,
                    needle: value.to_owned(),
                }),
                None => {
                    out.keys.insert(name.to_owned(), value.to_owned());
                    None
                }
            },
            FilterType::Plate => {
                if !looks_like_plate(value) {
                    return Err(FilterError::new(name, FilterProblem::Plate));
                }
                out.keys.insert(name.to_owned(), value.to_owned());
                None
            }
        };
        out.restrictions.extend(restriction);
    }
    // A value echoed into a date column must be a date.
    for column in kind.columns.iter().filter(|c| c.kind == ColumnType::Date) {
        if let Some(Gen::Filter { name, .. }) =
            kind.column_hint(&column.name, family).map(|h| &h.generator)
            && out.given.get(name).is_some_and(|v| parse_date(v).is_none())
        {
            return Err(FilterError::new(name, FilterProblem::DateRange));
        }
    }
    Ok(out)
}

/// 粤A12345, 粤AD12345: a province character, a letter, then 5–6 upper-case
/// letters or digits.
pub(crate) fn looks_like_plate(text: &str) -> bool {
    let chars: Vec<char> = text.chars().collect();
    (7..=8).contains(&chars.len())
        && !chars[0].is_ascii()
        && chars[1].is_ascii_uppercase()
        && chars[2..]
            .iter()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
}

/// `from/to` with either end empty, or one value for both ends.
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

fn text_of<'a>(row: &'a Row, column: &str) -> Option<&'a str> {
    row.get(column).and_then(Value::as_str)
}

/// Whether a row passes a restriction.
pub(crate) fn keeps(restriction: &Restriction, row: &Row) -> bool {
    match restriction {
        Restriction::Months { column, from, to } => text_of(row, column)
            .and_then(|t| t.get(..7))
            .and_then(parse_month)
            .is_some_and(|m| from.is_none_or(|a| m >= a) && to.is_none_or(|b| m <= b)),
        Restriction::Dates { column, from, to } => text_of(row, column)
            .and_then(|t| t.get(..10))
            .and_then(parse_date)
            .is_some_and(|d| from.is_none_or(|a| d >= a) && to.is_none_or(|b| d <= b)),
        Restriction::Year { column, year } => text_of(row, column)
            .and_then(|t| t.get(..4))
            .and_then(|t| t.parse::<i32>().ok())
            .is_some_and(|y| y == *year),
        Restriction::Equals { column, value } => text_of(row, column) == Some(value.as_str()),
        Restriction::Contains { column, needle } => text_of(row, column).is_some_and(|t| {
            t.contains(needle.as_str())
                || t.to_ascii_lowercase()
                    .contains(&needle.to_ascii_lowercase())
        }),
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
    }

    #[test]
    fn plates() {
        assert!(looks_like_plate("粤A12345"));
        assert!(looks_like_plate("粤BD12345"));
        assert!(!looks_like_plate("A12345"));
        assert!(!looks_like_plate("粤a12345"));
    }
}

//! The dev-hint language of `data/records/README.md` (§ "The dev-hint
//! language"): how the development gateway makes up a column, a summary
//! figure or a certificate fact. That README is the definition; this
//! module is its typed reading and the checks a hint must pass before the
//! development gateway may use it.
//!
//! A hint is a JSON object with a `gen` and that generator's members, plus
//! two options: `steady` (a column value drawn once per block of rows) and
//! `rows` (on the first column only: how many rows a subject has).
//!
//! ```
//! use yuesou_gateway::hints::{Gen, Hint};
//! let hint: Hint = serde_json::from_str(
//!     r#"{"gen": "money", "min_fen": 11500, "max_fen": 430000, "round_fen": 100, "steady": 12}"#,
//! ).map_err(|e| e.to_string())?;
//! assert!(matches!(hint.generator, Gen::Money { round_fen: 100, .. }));
//! assert_eq!(hint.steady, Some(12));
//! # Ok::<(), String>(())
//! ```

use std::collections::{BTreeMap, BTreeSet};

use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

use crate::model::ColumnType;

/// A dev hint: a generator and its options.
#[derive(Debug, Clone, PartialEq)]
pub struct Hint {
    /// What makes the value (`gen` and its members).
    pub generator: Gen,
    /// Draw the value once per block of this many rows (columns of
    /// `money`, `number`, `pick`, `text`, `date` only).
    pub steady: Option<u32>,
    /// How many rows a subject has (the kind's first column only).
    pub rows: Option<RowsHint>,
}

/// The row count of a kind: `{"min": a, "max": b, "empty": p, "empty_summary": bool}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RowsHint {
    /// Fewest rows (when the subject has any).
    pub min: u32,
    /// Most rows.
    pub max: u32,
    /// Probability in [0, 1) that the subject has no rows at all.
    #[serde(default)]
    pub empty: f64,
    /// Whether a subject without rows still gets the summary (default
    /// true; false: no such account, no balance to show).
    #[serde(default = "yes")]
    pub empty_summary: bool,
}

fn yes() -> bool {
    true
}

fn one() -> u32 {
    1
}

fn one_fen() -> i64 {
    1
}

/// How a `date` value is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DateAs {
    /// `YYYY-MM-DD`.
    Date,
    /// `YYYY-MM`.
    Month,
}

/// The unit of a `period`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PeriodUnit {
    /// Months: `YYYY-MM 至 YYYY-MM`.
    Month,
    /// Days: `YYYY-MM-DD 至 YYYY-MM-DD`.
    Day,
}

/// A `scale` factor: fixed, or drawn per row in `[a, b]`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Factor {
    /// Always this factor.
    Fixed(f64),
    /// Uniform in `[a, b]`, per row.
    Range([f64; 2]),
}

/// `where` of `count` and `sum`: only rows whose `column` is one of `in`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Where {
    /// The column.
    pub column: String,
    /// The values it may have.
    #[serde(rename = "in")]
    pub values: Vec<Value>,
}

/// A generator (`gen`). See the tables of `data/records/README.md`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "gen", rename_all = "snake_case", deny_unknown_fields)]
pub enum Gen {
    /// Row *i* gets the month `current month + start_months + step × ⌊i / repeat⌋`.
    SequenceMonth {
        /// Months per step (non-zero; a multiple of 12 on a year column).
        step: i32,
        /// Offset of the first row from the current month.
        #[serde(default)]
        start_months: i32,
        /// Rows per step.
        #[serde(default = "one")]
        repeat: u32,
    },
    /// The first value is today + uniform `start_days`; each next block of
    /// `repeat` rows steps uniform `every_days` back (or forward).
    SequenceDate {
        /// Smallest and largest step in days.
        every_days: [i64; 2],
        /// Offset of the first value from today, in days.
        #[serde(default)]
        start_days: [i64; 2],
        /// Steps go forward in time.
        #[serde(default)]
        forward: bool,
        /// Rows per step.
        #[serde(default = "one")]
        repeat: u32,
    },
    /// Today + uniform `days`.
    Date {
        /// Smallest and largest offset in days (negative: past).
        days: [i64; 2],
        /// Shown as a date or a month.
        #[serde(rename = "as", default)]
        shown_as: Option<DateAs>,
    },
    /// `START 至 END`: END = today (this month) + uniform `end` units,
    /// START = END − uniform `length` units.
    Period {
        /// Months or days.
        unit: PeriodUnit,
        /// Smallest and largest length.
        length: [i64; 2],
        /// Smallest and largest offset of the end.
        end: [i64; 2],
    },
    /// Integer fen, uniform in `[min_fen, max_fen]`, a multiple of `round_fen`.
    Money {
        /// Smallest amount.
        min_fen: i64,
        /// Largest amount.
        max_fen: i64,
        /// Rounding step.
        #[serde(default = "one_fen")]
        round_fen: i64,
    },
    /// A uniform integer in `[min, max]`.
    Number {
        /// Smallest.
        min: i64,
        /// Largest.
        max: i64,
    },
    /// One of `values`, by `weights` (default equal).
    Pick {
        /// Candidates.
        values: Vec<Value>,
        /// Positive integer weights, one per value.
        #[serde(default)]
        weights: Option<Vec<u32>>,
    },
    /// Row *i* gets `values[i mod n]`.
    Cycle {
        /// The values in turn.
        values: Vec<Value>,
    },
    /// A template, or one of several templates chosen uniformly.
    Text {
        /// The template.
        #[serde(default)]
        template: Option<String>,
        /// Templates to choose from.
        #[serde(default)]
        values: Option<Vec<String>>,
    },
    /// Always `value`.
    Const {
        /// The value.
        value: Value,
    },
    /// The value of another column of the same row.
    Copy {
        /// The column.
        from: String,
    },
    /// The row sum of columns.
    Add {
        /// The columns (at least two).
        of: Vec<String>,
    },
    /// `of × factor`, rounded to an integer (money: to a multiple of `round_fen`).
    Scale {
        /// The column.
        of: String,
        /// The factor.
        factor: Factor,
        /// Rounding step of a money result.
        #[serde(default)]
        round_fen: Option<i64>,
    },
    /// Looks up another column's (a certificate: another fact's) value.
    Map {
        /// The column or fact read.
        from: String,
        /// Value → result.
        #[serde(default)]
        values: Option<BTreeMap<String, Value>>,
        /// `[min, result]` with rising mins: the last band whose min ≤ the value.
        #[serde(default)]
        bands: Option<Vec<(f64, Value)>>,
        /// Used when nothing matches.
        #[serde(default)]
        default: Option<Value>,
    },
    /// Echoes a filter's value; `else` when an optional filter is empty.
    Filter {
        /// The filter.
        name: String,
        /// The hint used when the filter is empty.
        #[serde(rename = "else", default)]
        otherwise: Option<Box<Hint>>,
    },
    /// Summary: the number of rows (optionally only rows matching `where`).
    Count {
        /// Row condition.
        #[serde(rename = "where", default)]
        condition: Option<Where>,
    },
    /// Summary: the sum of a numeric column.
    Sum {
        /// The column.
        of: String,
        /// Row condition.
        #[serde(rename = "where", default)]
        condition: Option<Where>,
    },
    /// Summary: the rounded mean of a numeric column.
    Avg {
        /// The column.
        of: String,
    },
    /// Summary: the maximum of a numeric column.
    Max {
        /// The column.
        of: String,
    },
    /// Summary: a column's value in the newest row (by the first column).
    Latest {
        /// The column.
        of: String,
    },
}

impl<'de> Deserialize<'de> for Hint {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Hint, D::Error> {
        let mut map = serde_json::Map::<String, Value>::deserialize(deserializer)?;
        let steady = map
            .remove("steady")
            .map(serde_json::from_value::<u32>)
            .transpose()
            .map_err(|e| D::Error::custom(format!("steady: {e}")))?;
        let rows = map
            .remove("rows")
            .map(serde_json::from_value::<RowsHint>)
            .transpose()
            .map_err(|e| D::Error::custom(format!("rows: {e}")))?;
        let generator =
            serde_json::from_value::<Gen>(Value::Object(map)).map_err(D::Error::custom)?;
        Ok(Hint {
            generator,
            steady,
            rows,
        })
    }
}

impl Serialize for Hint {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::Error as _;
        let mut value = serde_json::to_value(&self.generator).map_err(S::Error::custom)?;
        if let Value::Object(map) = &mut value {
            if let Some(steady) = self.steady {
                map.insert("steady".into(), Value::from(steady));
            }
            if let Some(rows) = &self.rows {
                map.insert(
                    "rows".into(),
                    serde_json::to_value(rows).map_err(S::Error::custom)?,
                );
            }
        }
        value.serialize(serializer)
    }
}

impl Gen {
    /// The `gen` name, as written in the files.
    pub fn name(&self) -> &'static str {
        match self {
            Gen::SequenceMonth { .. } => "sequence_month",
            Gen::SequenceDate { .. } => "sequence_date",
            Gen::Date { .. } => "date",
            Gen::Period { .. } => "period",
            Gen::Money { .. } => "money",
            Gen::Number { .. } => "number",
            Gen::Pick { .. } => "pick",
            Gen::Cycle { .. } => "cycle",
            Gen::Text { .. } => "text",
            Gen::Const { .. } => "const",
            Gen::Copy { .. } => "copy",
            Gen::Add { .. } => "add",
            Gen::Scale { .. } => "scale",
            Gen::Map { .. } => "map",
            Gen::Filter { .. } => "filter",
            Gen::Count { .. } => "count",
            Gen::Sum { .. } => "sum",
            Gen::Avg { .. } => "avg",
            Gen::Max { .. } => "max",
            Gen::Latest { .. } => "latest",
        }
    }

    /// Whether this is a summary aggregate (`count`, `sum`, `avg`, `max`, `latest`).
    pub fn is_aggregate(&self) -> bool {
        matches!(
            self,
            Gen::Count { .. }
                | Gen::Sum { .. }
                | Gen::Avg { .. }
                | Gen::Max { .. }
                | Gen::Latest { .. }
        )
    }

    /// Whether this is a backward sequence (a kind's history window
    /// applies to its rows when its first column is one).
    pub fn is_backward_sequence(&self) -> bool {
        match self {
            Gen::SequenceMonth { step, .. } => *step < 0,
            Gen::SequenceDate { forward, .. } => !forward,
            _ => false,
        }
    }

    /// The literal values the generator can produce, when they are a
    /// closed set (`pick`, `cycle`, `const`, `map`); `None` when open.
    pub fn possible_values(&self) -> Option<Vec<&Value>> {
        match self {
            Gen::Pick { values, .. } | Gen::Cycle { values } => Some(values.iter().collect()),
            Gen::Const { value } => Some(vec![value]),
            Gen::Map {
                values,
                bands,
                default,
                ..
            } => {
                let mut out: Vec<&Value> = match (values, bands) {
                    (Some(v), _) => v.values().collect(),
                    (None, Some(b)) => b.iter().map(|(_, v)| v).collect(),
                    (None, None) => Vec::new(),
                };
                out.extend(default);
                Some(out)
            }
            _ => None,
        }
    }

    /// The columns (or facts) whose values this hint reads in the same row.
    pub fn reads(&self) -> Vec<&str> {
        match self {
            Gen::Copy { from } | Gen::Map { from, .. } => vec![from.as_str()],
            Gen::Scale { of, .. } => vec![of.as_str()],
            Gen::Add { of } => of.iter().map(String::as_str).collect(),
            Gen::Filter {
                otherwise: Some(h), ..
            } => h.generator.reads(),
            _ => Vec::new(),
        }
    }
}

/// Placeholders a produced string may contain.
pub const PLACEHOLDERS: [&str; 16] = [
    "city",
    "district",
    "road",
    "num",
    "n2",
    "n4",
    "year",
    "plate",
    "name",
    "masked_name",
    "org",
    "brand",
    "phone",
    "department",
    "theme",
    "item",
];

/// Where a hint is used: it decides which generators are allowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Slot {
    /// A column; `first` for the kind's first column.
    Column {
        /// The kind's first column.
        first: bool,
    },
    /// A summary entry.
    Summary,
    /// A certificate fact (rendered as text).
    Fact,
}

/// What a hint may refer to.
pub(crate) struct Refs<'a> {
    /// Column name → (type, hint in force).
    pub(crate) columns: BTreeMap<&'a str, (ColumnType, Option<&'a Hint>)>,
    /// Filter name → (type, required).
    pub(crate) filters: BTreeMap<&'a str, (crate::model::FilterType, bool)>,
    /// A certificate's facts (name → hint), instead of columns.
    pub(crate) facts: Option<&'a BTreeMap<String, Hint>>,
    /// The type of the kind's first column.
    pub(crate) first: Option<ColumnType>,
}

/// Which column types a value generator may fill (README table).
fn fills(generator: &Gen, target: ColumnType) -> bool {
    use ColumnType as T;
    match generator {
        Gen::SequenceMonth { .. } => matches!(target, T::Month | T::Year),
        Gen::SequenceDate { .. } => matches!(target, T::Date | T::Datetime),
        Gen::Date { .. } => matches!(target, T::Date | T::Datetime | T::Month | T::Text),
        Gen::Period { .. } => target == T::Text,
        Gen::Money { .. } => target == T::Money,
        Gen::Number { .. } => matches!(target, T::Number | T::Points | T::Year),
        Gen::Pick { .. } => matches!(
            target,
            T::Text | T::Status | T::Number | T::Points | T::Year | T::Money
        ),
        Gen::Cycle { .. } | Gen::Text { .. } => matches!(target, T::Text | T::Status),
        Gen::Const { .. } | Gen::Copy { .. } => true,
        Gen::Add { .. } | Gen::Scale { .. } => matches!(target, T::Money | T::Number | T::Points),
        Gen::Map { .. } => matches!(
            target,
            T::Text | T::Status | T::Number | T::Points | T::Money
        ),
        Gen::Filter { .. } => matches!(target, T::Text | T::Status | T::Date),
        _ => false,
    }
}

fn is_numeric(t: ColumnType) -> bool {
    matches!(
        t,
        ColumnType::Money | ColumnType::Number | ColumnType::Points
    )
}

fn is_time(t: ColumnType) -> bool {
    matches!(
        t,
        ColumnType::Month | ColumnType::Date | ColumnType::Datetime | ColumnType::Year
    )
}

/// Whether a literal value fits a type: integers for numbers, money and
/// years, strings otherwise.
pub(crate) fn literal_fits(value: &Value, target: ColumnType) -> bool {
    match target {
        ColumnType::Number | ColumnType::Points | ColumnType::Year | ColumnType::Money => {
            value.is_i64()
        }
        _ => value.is_string(),
    }
}

/// The first unknown placeholder of a template, if any.
pub(crate) fn unknown_placeholder(template: &str) -> Option<String> {
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else {
            return Some(after.to_owned());
        };
        let name = &after[..close];
        if !PLACEHOLDERS.contains(&name) {
            return Some(name.to_owned());
        }
        rest = &after[close + 1..];
    }
    None
}

/// Every string the hint produces from its own text (templates, values,
/// mapped values), for the placeholder check.
fn produced_strings(generator: &Gen) -> Vec<&str> {
    let literals: Vec<&Value> = match generator {
        Gen::Pick { values, .. } | Gen::Cycle { values } => values.iter().collect(),
        Gen::Const { value } => vec![value],
        Gen::Map { .. } => generator.possible_values().unwrap_or_default(),
        _ => Vec::new(),
    };
    let mut out: Vec<&str> = literals.into_iter().filter_map(Value::as_str).collect();
    if let Gen::Text { template, values } = generator {
        out.extend(template.as_deref());
        out.extend(values.iter().flatten().map(String::as_str));
    }
    out
}

fn range_ok(r: [i64; 2]) -> bool {
    r[0] <= r[1]
}

/// Checks a hint for a slot and a target type; returns an error naming
/// the problem (the caller adds the kind and the column).
pub(crate) fn check(
    hint: &Hint,
    target: ColumnType,
    slot: Slot,
    refs: &Refs<'_>,
) -> Result<(), String> {
    let g = &hint.generator;
    let name = g.name();
    match slot {
        Slot::Fact
            if !matches!(
                g,
                Gen::Text { .. }
                    | Gen::Pick { .. }
                    | Gen::Money { .. }
                    | Gen::Number { .. }
                    | Gen::Date { .. }
                    | Gen::Period { .. }
                    | Gen::Const { .. }
                    | Gen::Map { .. }
            ) =>
        {
            return Err(format!("`{name}` is not usable for certificate facts"));
        }
        Slot::Summary
            if matches!(
                g,
                Gen::SequenceMonth { .. }
                    | Gen::SequenceDate { .. }
                    | Gen::Cycle { .. }
                    | Gen::Copy { .. }
                    | Gen::Add { .. }
                    | Gen::Scale { .. }
                    | Gen::Filter { .. }
                    | Gen::Map { .. }
            ) =>
        {
            return Err(format!(
                "`{name}` is a column generator, not usable in a summary"
            ));
        }
        Slot::Column { .. } | Slot::Fact if g.is_aggregate() => {
            return Err(format!("`{name}` is a summary aggregate"));
        }
        _ => {}
    }
    if let Some(steady) = hint.steady {
        let allowed = matches!(
            g,
            Gen::Money { .. }
                | Gen::Number { .. }
                | Gen::Pick { .. }
                | Gen::Text { .. }
                | Gen::Date { .. }
        );
        if !allowed || !matches!(slot, Slot::Column { .. }) {
            return Err(
                "`steady` is only for column generators money, number, pick, text, date".into(),
            );
        }
        if steady == 0 {
            return Err("`steady` must be a positive integer".into());
        }
    }
    match (&hint.rows, slot) {
        (Some(rows), Slot::Column { first: true }) => {
            if rows.min > rows.max || rows.max > 1000 {
                return Err("`rows` needs min ≤ max ≤ 1000".into());
            }
            if !(0.0..1.0).contains(&rows.empty) {
                return Err("`rows.empty` must be a share in [0, 1)".into());
            }
        }
        (Some(_), _) => return Err("`rows` is only allowed on the kind's first column".into()),
        (None, Slot::Column { first: true }) => {
            return Err(
                "the first column's hint needs `rows` (how many rows a subject has)".into(),
            );
        }
        (None, _) => {}
    }
    if let Some(p) = produced_strings(g)
        .into_iter()
        .find_map(unknown_placeholder)
    {
        return Err(format!("unknown template placeholder {{{p}}}"));
    }
    if g.is_aggregate() {
        return check_aggregate(g, target, refs);
    }
    let fits = match slot {
        Slot::Fact => true,
        Slot::Summary => {
            fills(g, target) || (matches!(g, Gen::Date { .. }) && target == ColumnType::Month)
        }
        Slot::Column { .. } => fills(g, target),
    };
    if !fits {
        return Err(format!("`{name}` cannot fill a `{}`", type_name(target)));
    }
    check_members(hint, target, slot, refs)
}

fn check_members(
    hint: &Hint,
    target: ColumnType,
    slot: Slot,
    refs: &Refs<'_>,
) -> Result<(), String> {
    let fact = slot == Slot::Fact;
    match &hint.generator {
        Gen::SequenceMonth { step, repeat, .. } => {
            if *step == 0 || *repeat == 0 {
                return Err("`step` must be non-zero and `repeat` positive".into());
            }
            if target == ColumnType::Year && step % 12 != 0 {
                return Err("on a year column `step` must be a multiple of 12".into());
            }
        }
        Gen::SequenceDate {
            every_days,
            start_days,
            repeat,
            ..
        } if every_days[0] < 0
            || !range_ok(*every_days)
            || !range_ok(*start_days)
            || *repeat == 0 =>
        {
            return Err(
                "`every_days` [a, b] with 0 ≤ a ≤ b, `start_days` [c, d] with c ≤ d, `repeat` ≥ 1"
                    .into(),
            );
        }
        Gen::Date { days, .. } if !range_ok(*days) => {
            return Err("`days` must be [a, b] with a ≤ b".into());
        }
        Gen::Period { length, end, .. }
            if length[0] < 0 || !range_ok(*length) || !range_ok(*end) =>
        {
            return Err("`length` [a, b] with 0 ≤ a ≤ b and `end` [c, d] with c ≤ d".into());
        }
        Gen::Money {
            min_fen,
            max_fen,
            round_fen,
        } => {
            if *min_fen < 0 || min_fen > max_fen || *round_fen < 1 {
                return Err("money needs 0 ≤ min_fen ≤ max_fen and round_fen ≥ 1".into());
            }
            let lo =
                min_fen.div_euclid(*round_fen) + i64::from(min_fen.rem_euclid(*round_fen) != 0);
            if lo * round_fen > *max_fen {
                return Err("no multiple of round_fen lies in [min_fen, max_fen]".into());
            }
        }
        Gen::Number { min, max } if min > max => {
            return Err("number needs min ≤ max".into());
        }
        Gen::Pick { values, weights } => {
            check_values(values, target, fact)?;
            if let Some(w) = weights
                && (w.len() != values.len() || w.contains(&0))
            {
                return Err("`weights` must be positive integers, one per value".into());
            }
        }
        Gen::Cycle { values } => check_values(values, target, fact)?,
        Gen::Text { template, values } => match (template, values) {
            (Some(t), None) if !t.is_empty() => {}
            (None, Some(v)) if !v.is_empty() && v.iter().all(|s| !s.is_empty()) => {}
            _ => {
                return Err(
                    "`text` takes exactly one of a non-empty `template` or `values`".into(),
                );
            }
        },
        Gen::Const { value } if !fact && !literal_fits(value, target) => {
            return Err(format!("`value` is not a `{}`", type_name(target)));
        }
        Gen::Copy { from } => match refs.columns.get(from.as_str()) {
            Some((t, _)) if *t == target => {}
            Some((t, _)) => {
                return Err(format!(
                    "`copy` from a `{}` column into a `{}` column",
                    type_name(*t),
                    type_name(target)
                ));
            }
            None => return Err(format!("`copy` from unknown column {from:?}")),
        },
        Gen::Add { of } => check_add(of, target, refs)?,
        Gen::Scale {
            of,
            factor,
            round_fen,
        } => check_scale(of, factor, *round_fen, target, refs)?,
        Gen::Map {
            from,
            values,
            bands,
            default,
        } => check_map(
            from,
            values.as_ref(),
            bands.as_deref(),
            default.as_ref(),
            target,
            fact,
            refs,
        )?,
        Gen::Filter { name, otherwise } => {
            check_filter_echo(name, otherwise.as_deref(), target, slot, refs)?;
        }
        _ => {}
    }
    Ok(())
}

/// A `pick` or `cycle` list: non-empty, distinct, each value fitting the
/// target (a fact also takes integers).
fn check_values(values: &[Value], target: ColumnType, fact: bool) -> Result<(), String> {
    if values.is_empty() {
        return Err("`values` must be a non-empty list".into());
    }
    if let Some(v) = values
        .iter()
        .find(|v| !(literal_fits(v, target) || (fact && v.is_i64())))
    {
        return Err(format!("value {v} does not fit a `{}`", type_name(target)));
    }
    let distinct: BTreeSet<String> = values.iter().map(Value::to_string).collect();
    if distinct.len() != values.len() {
        return Err("`values` has duplicates (use `weights` to favour a value)".into());
    }
    Ok(())
}

/// `add`: two or more known numeric columns, money only into money.
fn check_add(of: &[String], target: ColumnType, refs: &Refs<'_>) -> Result<(), String> {
    if of.len() < 2 {
        return Err("`add` needs at least two columns".into());
    }
    for source in of {
        match refs.columns.get(source.as_str()) {
            Some((t, _))
                if is_numeric(*t)
                    && ((*t == ColumnType::Money) == (target == ColumnType::Money)) => {}
            Some((t, _)) => {
                return Err(format!(
                    "`add` mixes a `{}` column into a `{}` column",
                    type_name(*t),
                    type_name(target)
                ));
            }
            None => return Err(format!("`add` of unknown column {source:?}")),
        }
    }
    Ok(())
}

/// `scale`: a known numeric column, a non-negative factor, rounding only
/// for money.
fn check_scale(
    of: &str,
    factor: &Factor,
    round_fen: Option<i64>,
    target: ColumnType,
    refs: &Refs<'_>,
) -> Result<(), String> {
    match refs.columns.get(of) {
        Some((t, _)) if is_numeric(*t) => {}
        Some(_) => return Err(format!("`scale` of a non-numeric column {of:?}")),
        None => return Err(format!("`scale` of unknown column {of:?}")),
    }
    let ok = match factor {
        Factor::Fixed(f) => f.is_finite() && *f >= 0.0,
        Factor::Range([a, b]) => a.is_finite() && b.is_finite() && 0.0 <= *a && a <= b,
    };
    if !ok {
        return Err("`factor` must be a number ≥ 0 or [a, b] with 0 ≤ a ≤ b".into());
    }
    if round_fen.is_some_and(|r| r < 1 || target != ColumnType::Money) {
        return Err("`round_fen` is a positive integer and only for money columns".into());
    }
    Ok(())
}

/// `filter`: echoes a known text, plate or choice filter; an optional
/// filter needs a plain `else` hint, checked like any other.
fn check_filter_echo(
    name: &str,
    otherwise: Option<&Hint>,
    target: ColumnType,
    slot: Slot,
    refs: &Refs<'_>,
) -> Result<(), String> {
    match refs.filters.get(name) {
        None => return Err(format!("`filter` names unknown filter {name:?}")),
        Some((kind, required)) => {
            use crate::model::FilterType as F;
            if !matches!(kind, F::Text | F::Plate | F::Choice) {
                return Err("`filter` can only echo a text, plate or choice filter".into());
            }
            if !required && otherwise.is_none() {
                return Err(format!(
                    "filter {name:?} is optional, so the hint needs an `else` hint"
                ));
            }
        }
    }
    if let Some(other) = otherwise {
        if other.steady.is_some() || other.rows.is_some() {
            return Err("`else` takes a plain value hint".into());
        }
        let inner = match slot {
            Slot::Column { .. } => Slot::Column { first: false },
            other => other,
        };
        check(other, target, inner, refs).map_err(|e| format!("else: {e}"))?;
    }
    Ok(())
}

fn check_map(
    from: &str,
    values: Option<&BTreeMap<String, Value>>,
    bands: Option<&[(f64, Value)]>,
    default: Option<&Value>,
    target: ColumnType,
    fact: bool,
    refs: &Refs<'_>,
) -> Result<(), String> {
    let (source_type, source_hint) = match &refs.facts {
        Some(facts) => match facts.get(from) {
            Some(h) => (None, Some(h)),
            None => return Err(format!("`map` from unknown fact {from:?}")),
        },
        None => match refs.columns.get(from) {
            Some((t, h)) => (Some(*t), *h),
            None => return Err(format!("`map` from unknown column {from:?}")),
        },
    };
    let fits = |v: &Value| fact || literal_fits(v, target);
    if let Some(d) = default
        && !fits(d)
    {
        return Err(format!(
            "`default` {d} does not fit a `{}`",
            type_name(target)
        ));
    }
    match (values, bands) {
        (Some(values), None) => {
            if values.is_empty() {
                return Err("`values` must be a non-empty object".into());
            }
            if let Some(v) = values.values().find(|v| !fits(v)) {
                return Err(format!(
                    "mapped value {v} does not fit a `{}`",
                    type_name(target)
                ));
            }
            if source_type.is_some_and(|t| !matches!(t, ColumnType::Text | ColumnType::Status)) {
                return Err(
                    "`map` with `values` needs a text or status source; use `bands` for numbers"
                        .into(),
                );
            }
            if default.is_none()
                && let Some(can) = source_hint.and_then(|h| h.generator.possible_values())
            {
                let missing: Vec<String> = can
                    .into_iter()
                    .map(map_key)
                    .filter(|k| !values.contains_key(k))
                    .collect();
                if !missing.is_empty() {
                    return Err(format!("`map` does not cover source values {missing:?}"));
                }
            }
        }
        (None, Some(bands)) => {
            if bands.is_empty() {
                return Err("`bands` must be a non-empty list of [min, value]".into());
            }
            if bands.windows(2).any(|w| w[0].0 >= w[1].0) || bands.iter().any(|b| !b.0.is_finite())
            {
                return Err("`bands` minimums must rise strictly".into());
            }
            if let Some((_, v)) = bands.iter().find(|(_, v)| !fits(v)) {
                return Err(format!(
                    "band value {v} does not fit a `{}`",
                    type_name(target)
                ));
            }
            if source_type.is_some_and(|t| !is_numeric(t)) {
                return Err(format!("`bands` needs a numeric source, {from:?} is not"));
            }
        }
        _ => return Err("`map` takes exactly one of `values` or `bands`".into()),
    }
    Ok(())
}

/// The key a value is looked up by in a `map` with `values`.
pub(crate) fn map_key(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn check_aggregate(g: &Gen, target: ColumnType, refs: &Refs<'_>) -> Result<(), String> {
    let name = g.name();
    let condition = match g {
        Gen::Count { condition } => {
            if target != ColumnType::Number {
                return Err("`count` fills a number summary".into());
            }
            condition.as_ref()
        }
        Gen::Sum { of, condition } => {
            check_numeric_aggregate(name, of, target, refs)?;
            condition.as_ref()
        }
        Gen::Avg { of } | Gen::Max { of } => {
            check_numeric_aggregate(name, of, target, refs)?;
            None
        }
        Gen::Latest { of } => {
            let Some((source, _)) = refs.columns.get(of.as_str()) else {
                return Err(format!("`latest` of unknown column {of:?}"));
            };
            use ColumnType as T;
            let ok = match source {
                T::Month => matches!(target, T::Month | T::Text),
                T::Date | T::Datetime => matches!(target, T::Date | T::Text),
                T::Year => matches!(target, T::Number | T::Text),
                T::Points => matches!(target, T::Points | T::Number),
                T::Text | T::Status => target == T::Text,
                other => *other == target,
            };
            if !ok {
                return Err(format!(
                    "`latest` of a `{}` column cannot fill a `{}` summary",
                    type_name(*source),
                    type_name(target)
                ));
            }
            if !refs.first.is_some_and(is_time) {
                return Err(
                    "`latest` needs a kind whose first column is a month, date, datetime or year"
                        .into(),
                );
            }
            None
        }
        _ => None,
    };
    if let Some(w) = condition {
        let Some((_, hint)) = refs.columns.get(w.column.as_str()) else {
            return Err(format!("`where` names unknown column {:?}", w.column));
        };
        if w.values.is_empty() {
            return Err("`where.in` must be a non-empty list".into());
        }
        if let Some(can) = hint.and_then(|h| h.generator.possible_values())
            && let Some(v) = w.values.iter().find(|v| !can.contains(v))
        {
            return Err(format!(
                "`where` value {v} never occurs in column {:?}",
                w.column
            ));
        }
    }
    Ok(())
}

fn check_numeric_aggregate(
    name: &str,
    of: &str,
    target: ColumnType,
    refs: &Refs<'_>,
) -> Result<(), String> {
    use ColumnType as T;
    let Some((source, _)) = refs.columns.get(of) else {
        return Err(format!("`{name}` of unknown column {of:?}"));
    };
    let ok = match source {
        T::Money => target == T::Money,
        T::Number => target == T::Number,
        T::Points => matches!(target, T::Points | T::Number),
        _ => false,
    };
    if ok {
        Ok(())
    } else {
        Err(format!(
            "`{name}` of a `{}` column cannot fill a `{}` summary",
            type_name(*source),
            type_name(target)
        ))
    }
}

/// A type's name as written in the files.
pub(crate) fn type_name(t: ColumnType) -> &'static str {
    match t {
        ColumnType::Text => "text",
        ColumnType::Date => "date",
        ColumnType::Month => "month",
        ColumnType::Year => "year",
        ColumnType::Money => "money",
        ColumnType::Number => "number",
        ColumnType::Points => "points",
        ColumnType::Status => "status",
        ColumnType::Datetime => "datetime",
    }
}

/// The names in dependency order (a name after everything it reads), or
/// the first name found on a cycle.
pub(crate) fn dependency_order<'a>(
    reads: &BTreeMap<&'a str, Vec<&'a str>>,
    order_hint: &[&'a str],
) -> Result<Vec<&'a str>, String> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        Visiting,
        Done,
    }
    fn visit<'a>(
        name: &'a str,
        reads: &BTreeMap<&'a str, Vec<&'a str>>,
        marks: &mut BTreeMap<&'a str, Mark>,
        out: &mut Vec<&'a str>,
    ) -> Result<(), String> {
        match marks.get(name) {
            Some(Mark::Done) => return Ok(()),
            Some(Mark::Visiting) => return Err(name.to_owned()),
            None => {}
        }
        marks.insert(name, Mark::Visiting);
        for dep in reads.get(name).into_iter().flatten() {
            if reads.contains_key(dep) {
                visit(dep, reads, marks, out)?;
            }
        }
        marks.insert(name, Mark::Done);
        out.push(name);
        Ok(())
    }
    let mut marks = BTreeMap::new();
    let mut out = Vec::with_capacity(order_hint.len());
    for name in order_hint {
        visit(name, reads, &mut marks, &mut out)
            .map_err(|n| format!("dev hints depend on each other in a circle through {n:?}"))?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Hint, String> {
        serde_json::from_str(text).map_err(|e| e.to_string())
    }

    #[test]
    fn options_are_taken_apart_from_the_generator() {
        let hint = parse(
            r#"{"gen": "sequence_month", "step": -1, "start_months": -1, "rows": {"min": 1, "max": 120, "empty": 0.1, "empty_summary": false}}"#,
        );
        let Ok(hint) = hint else { panic!("{hint:?}") };
        assert_eq!(
            hint.generator,
            Gen::SequenceMonth {
                step: -1,
                start_months: -1,
                repeat: 1
            }
        );
        let rows = hint.rows.clone();
        assert!(rows.is_some_and(|r| r.max == 120 && !r.empty_summary));
        let back: Result<Hint, _> = serde_json::to_value(&hint).and_then(serde_json::from_value);
        assert_eq!(back.ok(), Some(hint), "serialises back to the same hint");
    }

    #[test]
    fn unknown_members_and_generators_are_errors() {
        for (text, expected) in [
            (
                r#"{"gen": "money", "min_fen": 1, "max_fen": 2, "extra": 1}"#,
                "unknown field `extra`",
            ),
            (r#"{"gen": "moneys"}"#, "unknown variant `moneys`"),
            (r#"{"gen": "number", "min": 1.5, "max": 2}"#, "invalid type"),
            (
                r#"{"gen": "text", "template": "x", "steady": -1}"#,
                "steady",
            ),
            (
                r#"{"gen": "text", "template": "x", "rows": {"min": 1}}"#,
                "rows",
            ),
        ] {
            match parse(text) {
                Ok(h) => panic!("accepted {text}: {h:?}"),
                Err(e) => assert!(e.contains(expected), "{e} lacks {expected}"),
            }
        }
    }

    #[test]
    fn placeholders_are_known() {
        assert_eq!(unknown_placeholder("{city}{district}第{n4}号"), None);
        assert_eq!(unknown_placeholder("{town}"), Some("town".to_owned()));
        assert_eq!(unknown_placeholder("{city"), Some("city".to_owned()));
    }

    #[test]
    fn dependency_order_puts_sources_first_and_finds_circles() {
        let reads: BTreeMap<&str, Vec<&str>> =
            [("total", vec!["a", "b"]), ("a", vec![]), ("b", vec!["a"])].into();
        assert_eq!(
            dependency_order(&reads, &["total", "a", "b"]),
            Ok(vec!["a", "b", "total"])
        );
        let circle: BTreeMap<&str, Vec<&str>> = [("a", vec!["b"]), ("b", vec!["a"])].into();
        assert!(dependency_order(&circle, &["a", "b"]).is_err());
    }
}

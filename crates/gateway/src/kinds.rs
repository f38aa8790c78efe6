//! Record kinds (查询的记录种类): what a department's records look like —
//! columns, filters, summaries, sort, paging — and how the development
//! gateway makes them up. Loaded from `data/records/kinds.json`:
//!
//! ```json
//! {"format": 1, "kinds": [{"code": "social_insurance_payments", "title": "社保缴费记录",
//!   "scope": "personal", "level": "L2", "subject": "person",
//!   "columns": [{"name": "month", "label": "缴费月份", "type": "month",
//!                "dev": {"gen": "sequence_month", "step": -1}}],
//!   "filters": [], "summary": [], "sort": {"column": "month", "order": "desc"},
//!   "page_size": 12, "history_months": 24, "empty_text": "暂无缴费记录"}]}
//! ```
//!
//! Loading checks everything a generator or a filter relies on, so a bad
//! file fails at start-up with the kind and field named, never at a query.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::model::{ColumnType, is_code};

/// A data file could not be loaded.
#[derive(Debug, thiserror::Error)]
#[error("{file}: {reason}")]
pub struct LoadError {
    /// The file (or `<string>`).
    pub file: String,
    /// What is wrong, naming the kind and field.
    pub reason: String,
}

impl LoadError {
    pub(crate) fn new(file: &str, reason: impl Into<String>) -> LoadError {
        LoadError {
            file: file.to_owned(),
            reason: reason.into(),
        }
    }
}

/// Real-name level a kind needs (the daemon enforces it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Level {
    /// 实名.
    L2,
    /// 实人.
    L3,
}

/// Whose records a kind holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// The logged-in subject's own records.
    Personal,
    /// Public records, found by filters.
    Public,
}

/// What a kind's rows are about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SubjectKind {
    /// The person.
    Person,
    /// The organisation.
    Organisation,
    /// The person's vehicles (rows per plate; a `plate` filter picks one).
    Vehicle,
    /// Nobody (public kinds).
    None,
}

/// How a development value is made up. See docs/INTEGRATION.md § "Development gateway".
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "gen", rename_all = "snake_case", deny_unknown_fields)]
pub enum Dev {
    /// Row i is `step × i` months from the anchor: last month when `step`
    /// is negative, the history window's first month when positive.
    SequenceMonth {
        /// Months between rows (non-zero).
        step: i32,
    },
    /// Dates going back from today, `every_days[0]..=every_days[1]` days apart.
    SequenceDate {
        /// Smallest and largest gap in days.
        every_days: [u32; 2],
    },
    /// Integer fen in `min_fen..=max_fen`, a multiple of `round_fen`.
    Money {
        /// Smallest amount.
        min_fen: i64,
        /// Largest amount.
        max_fen: i64,
        /// Rounding step (default 1 fen).
        #[serde(default)]
        round_fen: Option<i64>,
    },
    /// A number in `min..=max`: integers when both bounds are, else two decimals.
    Number {
        /// Smallest.
        min: serde_json::Number,
        /// Largest.
        max: serde_json::Number,
    },
    /// One of `values`, by `weights` when given.
    Pick {
        /// Candidates.
        values: Vec<Value>,
        /// Relative weights, one per value.
        #[serde(default)]
        weights: Option<Vec<f64>>,
    },
    /// Text from a template (`{plate}`, `{n4}`, `{city}`, `{district}`,
    /// `{name}`, `{org}`) or one of `values`.
    Text {
        /// Template.
        #[serde(default)]
        template: Option<String>,
        /// Candidates.
        #[serde(default)]
        values: Option<Vec<String>>,
    },
    /// The value of another column of the same row.
    Copy {
        /// The column.
        from: String,
    },
    /// First column only: the number of rows, `min..=max`; the column's
    /// own value is the row's ordinal (1, 2, …) in generation order.
    Rows {
        /// Fewest rows.
        min: u32,
        /// Most rows.
        max: u32,
    },
    /// Summary only: the sum of a column over all matching rows.
    Sum {
        /// The column.
        of: String,
    },
    /// Summary only: the number of matching rows.
    Count,
    /// Summary only: a column's value in the latest matching row.
    Latest {
        /// The column.
        of: String,
    },
    /// Summary only: a fixed value.
    Const {
        /// The value.
        value: Value,
    },
}

/// Placeholders a text template may use.
pub const TEMPLATE_PLACEHOLDERS: [&str; 6] = ["plate", "n4", "city", "district", "name", "org"];

/// A column of a kind.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ColumnDef {
    /// Key in each row.
    pub name: String,
    /// Chinese heading.
    pub label: String,
    /// Value type.
    #[serde(rename = "type")]
    pub kind: ColumnType,
    /// Development generator (none: `null` values).
    #[serde(default)]
    pub dev: Option<Dev>,
}

/// The type of a filter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FilterType {
    /// `YYYY-MM/YYYY-MM`, either end may be empty.
    MonthRange,
    /// `YYYY-MM-DD/YYYY-MM-DD`, either end may be empty.
    DateRange,
    /// `YYYY`.
    Year,
    /// One of `options`.
    Choice,
    /// Free text (substring match).
    Text,
    /// A vehicle plate, e.g. 粤A12345.
    Plate,
}

/// A filter of a kind.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FilterDef {
    /// Filter name (key of [`crate::RecordsRequest::filters`]); a column of
    /// the same name is the one filtered, when there is one.
    pub name: String,
    /// Chinese label.
    pub label: String,
    /// Type.
    #[serde(rename = "type")]
    pub kind: FilterType,
    /// Choices (for `choice`).
    #[serde(default)]
    pub options: Vec<String>,
    /// Longest range allowed, in months.
    #[serde(default)]
    pub max_span_months: Option<u32>,
    /// Whether a query must give it.
    #[serde(default)]
    pub required: bool,
    /// A regular expression the whole value must match.
    #[serde(default)]
    pub pattern: Option<String>,
    #[serde(skip)]
    pub(crate) compiled: Option<regex_lite::Regex>,
}

impl PartialEq for FilterDef {
    fn eq(&self, other: &FilterDef) -> bool {
        self.name == other.name
            && self.label == other.label
            && self.kind == other.kind
            && self.options == other.options
            && self.max_span_months == other.max_span_months
            && self.required == other.required
            && self.pattern == other.pattern
    }
}

impl FilterDef {
    /// Whether `value` matches the filter's `pattern` (true without one).
    pub fn matches_pattern(&self, value: &str) -> bool {
        self.compiled.as_ref().is_none_or(|re| re.is_match(value))
    }
}

/// The type of a summary value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SummaryType {
    /// Integer fen.
    Money,
    /// A number.
    Number,
    /// Integer points.
    Points,
    /// Text.
    Text,
    /// `YYYY-MM-DD`.
    Date,
    /// `YYYY-MM`.
    Month,
}

/// A summary value of a kind (合计, 累计月数 …).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SummaryDef {
    /// Key in [`crate::RecordsPage::summary`].
    pub name: String,
    /// Chinese label.
    pub label: String,
    /// Value type.
    #[serde(rename = "type")]
    pub kind: SummaryType,
    /// How the development gateway computes it.
    #[serde(default)]
    pub dev: Option<Dev>,
}

/// Sort direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Order {
    /// Largest first.
    Desc,
    /// Smallest first.
    Asc,
}

/// How rows are sorted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SortDef {
    /// The column.
    pub column: String,
    /// The direction.
    pub order: Order,
}

/// Who answers a kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// The platform itself, not a department.
    Platform,
}

/// A record kind.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecordKind {
    /// `^[a-z][a-z0-9_]{1,39}$`.
    pub code: String,
    /// Chinese title.
    pub title: String,
    /// Personal or public.
    pub scope: Scope,
    /// Real-name level needed.
    #[serde(default)]
    pub level: Option<Level>,
    /// What rows are about.
    pub subject: SubjectKind,
    /// Columns in display order.
    pub columns: Vec<ColumnDef>,
    /// Filters.
    #[serde(default)]
    pub filters: Vec<FilterDef>,
    /// Summary values.
    #[serde(default)]
    pub summary: Vec<SummaryDef>,
    /// Sort.
    pub sort: SortDef,
    /// Default page size, 10–50.
    pub page_size: u32,
    /// How far back records go, in months.
    pub history_months: u32,
    /// What to show when there is nothing.
    pub empty_text: String,
    /// A note under the table.
    #[serde(default)]
    pub note: Option<String>,
    /// `platform` when the platform answers it itself.
    #[serde(default)]
    pub source: Option<Source>,
}

impl RecordKind {
    /// A column by name.
    pub fn column(&self, name: &str) -> Option<&ColumnDef> {
        self.columns.iter().find(|c| c.name == name)
    }

    /// A filter by name.
    pub fn filter(&self, name: &str) -> Option<&FilterDef> {
        self.filters.iter().find(|f| f.name == name)
    }

    /// The columns as a records page shows them.
    pub fn page_columns(&self) -> Vec<crate::Column> {
        self.columns
            .iter()
            .map(|c| crate::Column {
                name: c.name.clone(),
                label: c.label.clone(),
                kind: c.kind,
            })
            .collect()
    }

    /// The column that places a row in time: the first date, datetime,
    /// month or year column.
    pub fn time_column(&self) -> Option<&ColumnDef> {
        self.columns.iter().find(|c| {
            matches!(
                c.kind,
                ColumnType::Date | ColumnType::Datetime | ColumnType::Month | ColumnType::Year
            )
        })
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct KindsFile {
    format: u32,
    kinds: Vec<RecordKind>,
}

/// All record kinds, by code.
#[derive(Debug, Clone, Default)]
pub struct RecordKinds {
    kinds: Vec<RecordKind>,
    by_code: HashMap<String, usize>,
}

impl RecordKinds {
    /// Loads and checks `data/records/kinds.json`.
    pub fn load(path: &Path) -> Result<RecordKinds, LoadError> {
        let name = path.display().to_string();
        let text = std::fs::read_to_string(path)
            .map_err(|e| LoadError::new(&name, format!("cannot read: {e}")))?;
        RecordKinds::parse(&name, &text)
    }

    /// Parses and checks the JSON text of a kinds file (`file` names it in errors).
    pub fn parse(file: &str, text: &str) -> Result<RecordKinds, LoadError> {
        let parsed: KindsFile =
            serde_json::from_str(text).map_err(|e| LoadError::new(file, e.to_string()))?;
        if parsed.format != 1 {
            return Err(LoadError::new(
                file,
                format!("format {} is not 1", parsed.format),
            ));
        }
        let mut by_code = HashMap::new();
        let mut kinds = parsed.kinds;
        for (i, kind) in kinds.iter_mut().enumerate() {
            check_kind(kind)
                .map_err(|reason| LoadError::new(file, format!("kind {}: {reason}", kind.code)))?;
            if by_code.insert(kind.code.clone(), i).is_some() {
                return Err(LoadError::new(
                    file,
                    format!("kind {} appears twice", kind.code),
                ));
            }
        }
        Ok(RecordKinds { kinds, by_code })
    }

    /// A kind by code.
    pub fn get(&self, code: &str) -> Option<&RecordKind> {
        self.by_code.get(code).map(|&i| &self.kinds[i])
    }

    /// All kinds in file order.
    pub fn iter(&self) -> impl Iterator<Item = &RecordKind> {
        self.kinds.iter()
    }

    /// How many kinds.
    pub fn len(&self) -> usize {
        self.kinds.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.kinds.is_empty()
    }
}

fn is_name(text: &str) -> bool {
    let b = text.as_bytes();
    (1..=40).contains(&b.len())
        && b[0].is_ascii_lowercase()
        && b.iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'_')
}

fn check_kind(kind: &mut RecordKind) -> Result<(), String> {
    if !is_code(&kind.code) {
        return Err("code must match ^[a-z][a-z0-9_]{1,39}$".into());
    }
    if kind.title.trim().is_empty() || kind.empty_text.trim().is_empty() {
        return Err("title and empty_text must not be empty".into());
    }
    if !(10..=50).contains(&kind.page_size) {
        return Err("page_size must be 10–50".into());
    }
    if !(1..=600).contains(&kind.history_months) {
        return Err("history_months must be 1–600".into());
    }
    if kind.columns.is_empty() {
        return Err("no columns".into());
    }
    let mut names = HashSet::new();
    for column in &kind.columns {
        if !is_name(&column.name) || !names.insert(column.name.as_str()) {
            return Err(format!(
                "column name {:?} is not a unique lower-case name",
                column.name
            ));
        }
    }
    let types: BTreeMap<&str, ColumnType> = kind
        .columns
        .iter()
        .map(|c| (c.name.as_str(), c.kind))
        .collect();
    for (i, column) in kind.columns.iter().enumerate() {
        let Some(dev) = &column.dev else { continue };
        let here = format!("column {}", column.name);
        check_value_dev(dev, &here, Some(column.kind))?;
        match dev {
            Dev::Rows { .. } if i != 0 => {
                return Err(format!("{here}: rows only on the first column"));
            }
            Dev::Copy { from } => match kind.column(from) {
                Some(source)
                    if source.name != column.name
                        && !matches!(source.dev, Some(Dev::Copy { .. })) => {}
                _ => {
                    return Err(format!(
                        "{here}: copy from {from:?}: no such column (or a copy)"
                    ));
                }
            },
            Dev::SequenceMonth { .. }
                if !matches!(
                    column.kind,
                    ColumnType::Month | ColumnType::Year | ColumnType::Date
                ) =>
            {
                return Err(format!(
                    "{here}: sequence_month needs a month, year or date column"
                ));
            }
            Dev::SequenceDate { .. }
                if !matches!(
                    column.kind,
                    ColumnType::Date | ColumnType::Datetime | ColumnType::Month
                ) =>
            {
                return Err(format!(
                    "{here}: sequence_date needs a date, datetime or month column"
                ));
            }
            Dev::Sum { .. } | Dev::Count | Dev::Latest { .. } => {
                return Err(format!("{here}: sum, count and latest are for summaries"));
            }
            _ => {}
        }
    }
    for summary in &kind.summary {
        let here = format!("summary {}", summary.name);
        if !is_name(&summary.name) {
            return Err(format!("{here}: not a lower-case name"));
        }
        let Some(dev) = &summary.dev else { continue };
        match dev {
            Dev::Sum { of } => match types.get(of.as_str()) {
                Some(ColumnType::Money | ColumnType::Number | ColumnType::Points) => {}
                _ => {
                    return Err(format!(
                        "{here}: sum of {of:?} needs a money, number or points column"
                    ));
                }
            },
            Dev::Latest { of } if !types.contains_key(of.as_str()) => {
                return Err(format!("{here}: latest of {of:?}: no such column"));
            }
            Dev::SequenceMonth { .. }
            | Dev::SequenceDate { .. }
            | Dev::Copy { .. }
            | Dev::Rows { .. } => {
                return Err(format!("{here}: sequences, copy and rows are for columns"));
            }
            other => check_value_dev(other, &here, None)?,
        }
    }
    if !types.contains_key(kind.sort.column.as_str()) {
        return Err(format!(
            "sort column {:?} is not a column",
            kind.sort.column
        ));
    }
    let mut filter_names = HashSet::new();
    for filter in &mut kind.filters {
        let here = format!("filter {}", filter.name);
        if !is_name(&filter.name) || !filter_names.insert(filter.name.clone()) {
            return Err(format!("{here}: not a unique lower-case name"));
        }
        if filter.kind == FilterType::Choice && filter.options.is_empty() {
            return Err(format!("{here}: a choice needs options"));
        }
        if filter.max_span_months.is_some()
            && !matches!(filter.kind, FilterType::MonthRange | FilterType::DateRange)
        {
            return Err(format!("{here}: max_span_months is for ranges"));
        }
        if let Some(pattern) = &filter.pattern {
            let anchored = format!("^(?:{pattern})$");
            let re =
                regex_lite::Regex::new(&anchored).map_err(|e| format!("{here}: pattern: {e}"))?;
            filter.compiled = Some(re);
        }
    }
    Ok(())
}

/// Checks a value generator (columns, summaries, certificate facts).
pub(crate) fn check_value_dev(
    dev: &Dev,
    here: &str,
    column: Option<ColumnType>,
) -> Result<(), String> {
    match dev {
        Dev::SequenceMonth { step } if *step == 0 => Err(format!("{here}: step must not be 0")),
        Dev::SequenceDate { every_days: [a, b] } if *a == 0 || a > b => {
            Err(format!("{here}: every_days must be [a, b] with 1 ≤ a ≤ b"))
        }
        Dev::Money {
            min_fen,
            max_fen,
            round_fen,
        } => {
            if min_fen > max_fen || round_fen.is_some_and(|r| r < 1) {
                return Err(format!(
                    "{here}: money needs min_fen ≤ max_fen and round_fen ≥ 1"
                ));
            }
            if column.is_some_and(|c| c != ColumnType::Money) {
                return Err(format!("{here}: money generates money columns only"));
            }
            Ok(())
        }
        Dev::Number { min, max } => match (min.as_f64(), max.as_f64()) {
            (Some(a), Some(b)) if a <= b => Ok(()),
            _ => Err(format!("{here}: number needs min ≤ max")),
        },
        Dev::Pick { values, weights } => {
            if values.is_empty() {
                return Err(format!("{here}: pick needs values"));
            }
            if let Some(w) = weights
                && (w.len() != values.len()
                    || w.iter().any(|x| !x.is_finite() || *x < 0.0)
                    || w.iter().sum::<f64>() <= 0.0)
            {
                return Err(format!(
                    "{here}: weights must be one non-negative number per value"
                ));
            }
            if column == Some(ColumnType::Money) && values.iter().any(|v| v.as_i64().is_none()) {
                return Err(format!("{here}: money values must be integer fen"));
            }
            Ok(())
        }
        Dev::Text { template, values } => match (template, values) {
            (Some(t), None) => {
                check_template(t).map_err(|p| format!("{here}: unknown placeholder {{{p}}}"))
            }
            (None, Some(v)) if !v.is_empty() => Ok(()),
            _ => Err(format!(
                "{here}: text needs a template or values (one of them)"
            )),
        },
        Dev::Rows { min, max } if min > max || *max > 1000 => {
            Err(format!("{here}: rows needs min ≤ max ≤ 1000"))
        }
        _ if column == Some(ColumnType::Money)
            && !matches!(
                dev,
                Dev::Money { .. } | Dev::Copy { .. } | Dev::Const { .. } | Dev::Pick { .. }
            ) =>
        {
            Err(format!(
                "{here}: a money column takes money, pick, copy or const"
            ))
        }
        _ => Ok(()),
    }
}

/// The first unknown placeholder of a template, if any.
pub(crate) fn check_template(template: &str) -> Result<(), String> {
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else {
            return Err(after.to_owned());
        };
        let name = &after[..close];
        if !TEMPLATE_PLACEHOLDERS.contains(&name) {
            return Err(name.to_owned());
        }
        rest = &after[close + 1..];
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const ONE: &str = r#"{"format":1,"kinds":[{"code":"water_usage","title":"用水记录","scope":"personal","level":null,
      "subject":"person","columns":[
        {"name":"month","label":"月份","type":"month","dev":{"gen":"sequence_month","step":-1}},
        {"name":"amount","label":"金额","type":"money","dev":{"gen":"money","min_fen":100,"max_fen":9000,"round_fen":10}}],
      "filters":[{"name":"month","label":"月份","type":"month_range","max_span_months":12}],
      "summary":[{"name":"total","label":"合计","type":"money","dev":{"gen":"sum","of":"amount"}}],
      "sort":{"column":"month","order":"desc"},"page_size":12,"history_months":24,"empty_text":"暂无记录"}]}"#;

    #[test]
    fn loads_a_kind() {
        let kinds = RecordKinds::parse("t", ONE).unwrap_or_default();
        assert_eq!(kinds.len(), 1);
        let kind = kinds.get("water_usage");
        assert!(kind.is_some_and(|k| k.time_column().is_some_and(|c| c.name == "month")));
    }

    #[test]
    fn rejects_bad_files() {
        let bad = [
            (ONE.replace("\"step\":-1", "\"step\":0"), "step"),
            (
                ONE.replace("\"of\":\"amount\"", "\"of\":\"nope\""),
                "sum of",
            ),
            (
                ONE.replace("\"page_size\":12", "\"page_size\":5"),
                "page_size",
            ),
            (
                ONE.replace("\"gen\":\"sum\"", "\"gen\":\"summ\""),
                "unknown variant",
            ),
            (
                ONE.replace("\"round_fen\":10", "\"round_fen\":10,\"extra\":1"),
                "unknown field",
            ),
            (
                ONE.replace("\"type\":\"month_range\"", "\"type\":\"choice\""),
                "options",
            ),
            (
                ONE.replace("{\"column\":\"month\"", "{\"column\":\"when\""),
                "sort column",
            ),
            (ONE.replace("\"format\":1", "\"format\":2"), "format"),
        ];
        for (text, expected) in bad {
            match RecordKinds::parse("t", &text) {
                Ok(_) => panic!("accepted a file with a bad {expected}"),
                Err(e) => assert!(e.to_string().contains(expected), "{e} lacks {expected}"),
            }
        }
    }

    #[test]
    fn templates_know_their_placeholders() {
        assert!(check_template("{city}{district}第{n4}号").is_ok());
        assert_eq!(check_template("{town}"), Err("town".to_owned()));
    }
}

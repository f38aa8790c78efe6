//! Record kinds (查询的记录种类): what a department's records look like —
//! columns, filters, summaries, sort, paging — and the development
//! gateway's hints for making them up. Loaded from
//! `data/records/kinds.json`, whose format `data/records/README.md`
//! defines:
//!
//! ```
//! use yuesou_gateway::RecordKinds;
//! let kinds = RecordKinds::parse("kinds.json", r#"{"format": 1, "kinds": [{
//!   "code": "water_bills", "title": "水费账单", "scope": "personal", "level": "L2", "subject": "person",
//!   "columns": [
//!     {"name": "month", "label": "账期", "type": "month",
//!      "dev": {"gen": "sequence_month", "step": -1, "start_months": -1, "rows": {"min": 1, "max": 24}}},
//!     {"name": "amount", "label": "应缴金额（元）", "type": "money",
//!      "dev": {"gen": "money", "min_fen": 1500, "max_fen": 9000}}],
//!   "filters": [{"name": "month", "label": "账期", "type": "month_range", "max_span_months": 12, "required": false}],
//!   "summary": [{"name": "total", "label": "合计（元）", "type": "money", "dev": {"gen": "sum", "of": "amount"}}],
//!   "sort": {"column": "month", "order": "desc"}, "page_size": 12, "history_months": 24,
//!   "empty_text": "暂无水费账单"}]}"#).map_err(|e| e.to_string())?;
//! assert!(kinds.get("water_bills").is_some_and(|k| k.is_restriction("month")));
//! # Ok::<(), String>(())
//! ```
//!
//! Loading is strict: an unknown member anywhere, a hint that cannot fill
//! its column, a filter naming the wrong kind of column, hints that read
//! each other in a circle — each is an error naming the kind and the
//! field, at start-up, never at a query.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::hints::{self, Gen, Hint, Refs, Slot, type_name};
pub use crate::model::FilterType;
use crate::model::{ColumnType, is_code, is_family};

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

/// Real-name level (实名等级): what login a page needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Level {
    /// Registered (注册): catalogue items only; never a kind's or a certificate's level.
    L1,
    /// 实名.
    L2,
    /// 实人 (face verification).
    L3,
}

/// Whose records a kind holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// The signed-in subject's own records (login needed).
    Personal,
    /// Public records, found by their filters.
    Public,
}

/// What a kind's rows are about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SubjectKind {
    /// The signed-in person.
    Person,
    /// The organisation the person acts for.
    Organisation,
    /// One of the person's vehicles, chosen with the kind's `plate` filter.
    Vehicle,
    /// Nobody (public kinds).
    None,
}

/// Who answers a kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// A department, through a gateway (the default).
    #[default]
    Department,
    /// The platform's own database; never reaches a gateway.
    Platform,
}

/// A column of a kind.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ColumnDef {
    /// Key in each row (ASCII snake case).
    pub name: String,
    /// Chinese heading.
    pub label: String,
    /// Value type.
    #[serde(rename = "type")]
    pub kind: ColumnType,
    /// Development hint (every column of a department kind has one;
    /// platform kinds have none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dev: Option<Hint>,
}

/// A filter of a kind.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FilterDef {
    /// Filter name (key of [`crate::RecordsRequest::filters`]). Named after
    /// a column, it restricts rows by that column; otherwise it is a
    /// lookup key sent to the department.
    pub name: String,
    /// Chinese label.
    pub label: String,
    /// Type.
    #[serde(rename = "type")]
    pub kind: FilterType,
    /// Whether a query must give it.
    pub required: bool,
    /// Choices (`choice` only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub options: Option<Vec<String>>,
    /// Longest range allowed, in months (ranges only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_span_months: Option<u32>,
    /// An anchored regular expression the value must match (`text` only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pattern: Option<String>,
    #[serde(skip)]
    pub(crate) compiled: Option<regex_lite::Regex>,
}

impl PartialEq for FilterDef {
    fn eq(&self, other: &FilterDef) -> bool {
        self.name == other.name
            && self.label == other.label
            && self.kind == other.kind
            && self.required == other.required
            && self.options == other.options
            && self.max_span_months == other.max_span_months
            && self.pattern == other.pattern
    }
}

impl FilterDef {
    /// Whether `value` matches the filter's `pattern` (true without one).
    pub fn matches_pattern(&self, value: &str) -> bool {
        self.compiled.as_ref().is_none_or(|re| re.is_match(value))
    }

    /// The options of a choice (empty for other types).
    pub fn options(&self) -> &[String] {
        self.options.as_deref().unwrap_or_default()
    }
}

/// The type of a summary figure.
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

impl SummaryType {
    /// The column type whose JSON shape the figure has.
    pub fn as_column_type(self) -> ColumnType {
        match self {
            SummaryType::Money => ColumnType::Money,
            SummaryType::Number => ColumnType::Number,
            SummaryType::Points => ColumnType::Points,
            SummaryType::Text => ColumnType::Text,
            SummaryType::Date => ColumnType::Date,
            SummaryType::Month => ColumnType::Month,
        }
    }
}

/// A key figure of a kind (合计, 余额 …), shown above the table.
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
    /// Development hint: a value hint or an aggregate over the rows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dev: Option<Hint>,
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

/// How rows are sorted (ties keep the gateway's order).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SortDef {
    /// The column.
    pub column: String,
    /// The direction.
    pub order: Order,
}

/// A record kind.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecordKind {
    /// `^[a-z][a-z0-9_]{1,39}$`.
    pub code: String,
    /// Chinese title of the table.
    pub title: String,
    /// Who answers it.
    #[serde(default)]
    pub source: Source,
    /// Personal or public.
    pub scope: Scope,
    /// Real-name level of a personal kind (`L2`/`L3`); `None` for public kinds.
    pub level: Option<Level>,
    /// What rows are about.
    pub subject: SubjectKind,
    /// 2–8 columns in display order.
    pub columns: Vec<ColumnDef>,
    /// 0–4 filters.
    pub filters: Vec<FilterDef>,
    /// 0–6 summary figures.
    pub summary: Vec<SummaryDef>,
    /// Default order.
    pub sort: SortDef,
    /// Rows per page, 10–50.
    pub page_size: u32,
    /// How far back rows go, in months (0: no history).
    pub history_months: u32,
    /// What to show when there are no rows.
    pub empty_text: String,
    /// A note under the table.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Development only: family → column or summary name → hint, replacing
    /// the default hints for that family.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub dev_variants: BTreeMap<String, BTreeMap<String, Hint>>,
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

    /// Whether a filter restricts rows (it is named after a column and is
    /// not a plate) rather than being a lookup key.
    pub fn is_restriction(&self, filter: &str) -> bool {
        self.filter(filter)
            .is_some_and(|f| f.kind != FilterType::Plate && self.column(&f.name).is_some())
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

    /// The level a page of this kind needs: the higher of the item's login
    /// level and the kind's.
    pub fn page_level(&self, item: Level) -> Level {
        self.level.map_or(item, |own| own.max(item))
    }

    /// Whether the family has hints of its own (then it is part of the dev seed).
    pub fn has_variant(&self, family: &str) -> bool {
        self.dev_variants.contains_key(family)
    }

    /// The hint in force for a column: the family's variant when it names
    /// the column, else the column's own.
    pub fn column_hint(&self, name: &str, family: Option<&str>) -> Option<&Hint> {
        self.variant(name, family)
            .or_else(|| self.column(name).and_then(|c| c.dev.as_ref()))
    }

    /// The hint in force for a summary figure: the family's variant when
    /// it names the figure, else the figure's own.
    pub fn summary_hint(&self, name: &str, family: Option<&str>) -> Option<&Hint> {
        self.variant(name, family).or_else(|| {
            self.summary
                .iter()
                .find(|s| s.name == name)
                .and_then(|s| s.dev.as_ref())
        })
    }

    fn variant(&self, name: &str, family: Option<&str>) -> Option<&Hint> {
        family
            .and_then(|f| self.dev_variants.get(f))
            .and_then(|v| v.get(name))
    }

    /// The columns in the order their values are made (a column after the
    /// columns it reads), for a family's hints.
    pub fn generation_order(&self, family: Option<&str>) -> Result<Vec<&str>, String> {
        let reads: BTreeMap<&str, Vec<&str>> = self
            .columns
            .iter()
            .map(|c| {
                let reads = self
                    .column_hint(&c.name, family)
                    .map(|h| h.generator.reads())
                    .unwrap_or_default();
                (c.name.as_str(), reads)
            })
            .collect();
        let names: Vec<&str> = self.columns.iter().map(|c| c.name.as_str()).collect();
        hints::dependency_order(&reads, &names)
    }
}

/// The top level of kinds.json.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct KindsFile {
    format: u32,
    kinds: Vec<Value>,
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
        let mut kinds = Vec::with_capacity(parsed.kinds.len());
        let mut by_code = HashMap::new();
        for (i, value) in parsed.kinds.into_iter().enumerate() {
            let label = value
                .get("code")
                .and_then(Value::as_str)
                .map_or_else(|| format!("#{}", i + 1), str::to_owned);
            let fail = |reason: String| LoadError::new(file, format!("kind {label}: {reason}"));
            let mut kind: RecordKind =
                serde_json::from_value(value).map_err(|e| fail(e.to_string()))?;
            check_kind(&mut kind).map_err(fail)?;
            if by_code.insert(kind.code.clone(), i).is_some() {
                return Err(LoadError::new(
                    file,
                    format!("kind {} appears twice", kind.code),
                ));
            }
            kinds.push(kind);
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

/// `^[a-z][a-z0-9_]*$`, at most 40 bytes: column, filter and summary names.
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
    for (field, text) in [("title", &kind.title), ("empty_text", &kind.empty_text)] {
        if text.trim().is_empty() {
            return Err(format!("`{field}` must not be empty"));
        }
    }
    check_scope(kind)?;
    if !(2..=8).contains(&kind.columns.len()) {
        return Err("needs 2–8 columns".into());
    }
    if kind.filters.len() > 4 || kind.summary.len() > 6 {
        return Err("at most 4 filters and 6 summary figures".into());
    }
    if !(10..=50).contains(&kind.page_size) {
        return Err("`page_size` must be 10–50".into());
    }
    if kind.history_months > 600 {
        return Err("`history_months` must be 0–600".into());
    }
    let mut names = HashSet::new();
    for column in &kind.columns {
        if !is_name(&column.name) || !names.insert(column.name.as_str()) {
            return Err(format!(
                "column {:?}: the name must be unique ASCII snake case",
                column.name
            ));
        }
        if column.label.trim().is_empty() {
            return Err(format!("column {}: needs a label", column.name));
        }
    }
    let mut summary_names = HashSet::new();
    for summary in &kind.summary {
        if !is_name(&summary.name) || !summary_names.insert(summary.name.as_str()) {
            return Err(format!(
                "summary {:?}: the name must be unique ASCII snake case",
                summary.name
            ));
        }
        if summary.label.trim().is_empty() {
            return Err(format!("summary {}: needs a label", summary.name));
        }
    }
    if kind.column(&kind.sort.column).is_none() {
        return Err(format!(
            "sort column {:?} is not a column",
            kind.sort.column
        ));
    }
    check_filters(kind)?;
    if kind.source == Source::Platform {
        let hinted = kind.columns.iter().any(|c| c.dev.is_some())
            || kind.summary.iter().any(|s| s.dev.is_some())
            || !kind.dev_variants.is_empty();
        if hinted {
            return Err("platform kinds carry no dev hints".into());
        }
        return Ok(());
    }
    check_hints(kind, None)?;
    for (family, over) in &kind.dev_variants {
        let here = format!("dev_variants {family}");
        if !is_family(family) {
            return Err(format!("{here}: not a family (e.g. gjj-jcmx)"));
        }
        if over.is_empty() {
            return Err(format!("{here}: names no column or summary"));
        }
        for name in over.keys() {
            let column = kind.column(name).is_some();
            let summary = kind.summary.iter().any(|s| &s.name == name);
            if !column && !summary {
                return Err(format!("{here}: no column or summary named {name:?}"));
            }
            if column && summary {
                return Err(format!(
                    "{here}: {name:?} names both a column and a summary figure; a variant cannot tell which"
                ));
            }
        }
        check_hints(kind, Some(family)).map_err(|e| format!("{here}: {e}"))?;
    }
    Ok(())
}

fn check_scope(kind: &RecordKind) -> Result<(), String> {
    match kind.scope {
        Scope::Personal => {
            if !matches!(kind.level, Some(Level::L2 | Level::L3)) {
                return Err("a personal kind needs level L2 or L3".into());
            }
            if kind.subject == SubjectKind::None {
                return Err("a personal kind's subject is person, organisation or vehicle".into());
            }
        }
        Scope::Public => {
            if kind.level.is_some() || kind.subject != SubjectKind::None {
                return Err("a public kind has level null and subject none".into());
            }
            if kind.source == Source::Platform {
                return Err("platform kinds answer a signed-in person's own data".into());
            }
        }
    }
    Ok(())
}

fn check_filters(kind: &mut RecordKind) -> Result<(), String> {
    let columns: BTreeMap<String, (ColumnType, Option<Vec<Value>>)> = kind
        .columns
        .iter()
        .map(|c| {
            let can = c
                .dev
                .as_ref()
                .and_then(|h| h.generator.possible_values())
                .map(|v| v.into_iter().cloned().collect());
            (c.name.clone(), (c.kind, can))
        })
        .collect();
    let department = kind.source == Source::Department;
    let vehicle = kind.subject == SubjectKind::Vehicle;
    let mut names = HashSet::new();
    let mut plates = 0;
    for filter in &mut kind.filters {
        let here = format!("filter {}", filter.name);
        if !is_name(&filter.name) || !names.insert(filter.name.clone()) {
            return Err(format!("{here}: the name must be unique ASCII snake case"));
        }
        if filter.label.trim().is_empty() {
            return Err(format!("{here}: needs a label"));
        }
        let column = columns.get(&filter.name);
        let is_range = matches!(filter.kind, FilterType::MonthRange | FilterType::DateRange);
        if is_range != filter.max_span_months.is_some() || filter.max_span_months == Some(0) {
            return Err(format!(
                "{here}: range filters, and only they, need a positive max_span_months"
            ));
        }
        if (filter.kind == FilterType::Choice) != filter.options.is_some() {
            return Err(format!(
                "{here}: choice filters, and only they, have options"
            ));
        }
        if (filter.kind == FilterType::Text) != filter.pattern.is_some() {
            return Err(format!(
                "{here}: text filters, and only they, have a pattern"
            ));
        }
        use ColumnType as T;
        match filter.kind {
            FilterType::MonthRange if !column.is_some_and(|c| c.0 == T::Month) => {
                return Err(format!(
                    "{here}: a month_range filter must name a month column"
                ));
            }
            FilterType::DateRange
                if !column.is_some_and(|c| matches!(c.0, T::Date | T::Datetime)) =>
            {
                return Err(format!(
                    "{here}: a date_range filter must name a date or datetime column"
                ));
            }
            FilterType::Year
                if !column
                    .is_some_and(|c| matches!(c.0, T::Year | T::Month | T::Date | T::Datetime)) =>
            {
                return Err(format!(
                    "{here}: a year filter must name a year, month, date or datetime column"
                ));
            }
            FilterType::Choice => {
                let options = filter.options();
                let distinct: HashSet<&String> = options.iter().collect();
                if options.is_empty()
                    || options.iter().any(|o| o.trim().is_empty())
                    || distinct.len() != options.len()
                {
                    return Err(format!(
                        "{here}: a choice needs distinct, non-empty options"
                    ));
                }
                if let Some((t, can)) = column {
                    if !matches!(t, T::Text | T::Status) {
                        return Err(format!(
                            "{here}: a choice on a column needs a text or status column"
                        ));
                    }
                    if let (true, Some(can)) = (department, can)
                        && let Some(o) = options.iter().find(|o| {
                            o.as_str() != "全部" && !can.contains(&Value::from(o.as_str()))
                        })
                    {
                        return Err(format!("{here}: option {o:?} never occurs in the column"));
                    }
                }
            }
            FilterType::Text => {
                let pattern = filter.pattern.as_deref().unwrap_or_default();
                if !(pattern.starts_with('^') && pattern.ends_with('$')) {
                    return Err(format!("{here}: the pattern must be anchored (^…$)"));
                }
                let re =
                    regex_lite::Regex::new(pattern).map_err(|e| format!("{here}: pattern: {e}"))?;
                filter.compiled = Some(re);
                if column.is_some_and(|c| !matches!(c.0, T::Text | T::Status)) {
                    return Err(format!(
                        "{here}: a text filter on a column needs a text or status column"
                    ));
                }
            }
            FilterType::Plate => {
                plates += 1;
                if !vehicle || !filter.required {
                    return Err(format!(
                        "{here}: plate filters belong to vehicle kinds and are required"
                    ));
                }
            }
            _ => {}
        }
    }
    if vehicle && plates != 1 {
        return Err("a vehicle kind needs exactly one plate filter".into());
    }
    Ok(())
}

/// Checks every column and summary hint in force for a family (`None`:
/// the defaults), and that the columns' hints do not read each other in a
/// circle.
fn check_hints(kind: &RecordKind, family: Option<&str>) -> Result<(), String> {
    let refs = Refs {
        columns: kind
            .columns
            .iter()
            .map(|c| (c.name.as_str(), (c.kind, kind.column_hint(&c.name, family))))
            .collect(),
        filters: kind
            .filters
            .iter()
            .map(|f| (f.name.as_str(), (f.kind, f.required)))
            .collect(),
        facts: None,
        first: kind.columns.first().map(|c| c.kind),
    };
    for (i, column) in kind.columns.iter().enumerate() {
        let here = format!("column {}", column.name);
        let Some(hint) = kind.column_hint(&column.name, family) else {
            return Err(format!("{here}: needs a dev hint"));
        };
        hints::check(hint, column.kind, Slot::Column { first: i == 0 }, &refs)
            .map_err(|e| format!("{here}: {e}"))?;
        if let Gen::Copy { from } = &hint.generator
            && from == &column.name
        {
            return Err(format!("{here}: copies itself"));
        }
    }
    kind.generation_order(family)?;
    for summary in &kind.summary {
        let here = format!("summary {}", summary.name);
        let Some(hint) = kind.summary_hint(&summary.name, family) else {
            return Err(format!("{here}: needs a dev hint"));
        };
        hints::check(hint, summary.kind.as_column_type(), Slot::Summary, &refs)
            .map_err(|e| format!("{here} ({}): {e}", type_name(summary.kind.as_column_type())))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const ONE: &str = r#"{"format":1,"kinds":[{"code":"water_usage","title":"用水记录","scope":"personal","level":"L2",
      "subject":"person","columns":[
        {"name":"month","label":"月份","type":"month","dev":{"gen":"sequence_month","step":-1,"rows":{"min":1,"max":24}}},
        {"name":"usage","label":"用水量","type":"number","dev":{"gen":"number","min":4,"max":40}},
        {"name":"amount","label":"金额","type":"money","dev":{"gen":"scale","of":"usage","factor":[380,520],"round_fen":1}},
        {"name":"status","label":"状态","type":"status","dev":{"gen":"pick","values":["已缴费","未缴费"],"weights":[11,1]}}],
      "filters":[{"name":"month","label":"月份","type":"month_range","max_span_months":12,"required":false},
                 {"name":"status","label":"状态","type":"choice","options":["已缴费","未缴费"],"required":false}],
      "summary":[{"name":"arrears","label":"欠费","type":"money","dev":{"gen":"sum","of":"amount","where":{"column":"status","in":["未缴费"]}}}],
      "sort":{"column":"month","order":"desc"},"page_size":12,"history_months":24,"empty_text":"暂无记录",
      "dev_variants":{"sw-sfcx":{"usage":{"gen":"const","value":12}}}}]}"#;

    #[test]
    fn loads_a_kind_and_its_variant() {
        let kinds = RecordKinds::parse("t", ONE);
        let Ok(kinds) = kinds else {
            panic!("{kinds:?}")
        };
        let Some(kind) = kinds.get("water_usage") else {
            panic!("no kind")
        };
        assert!(kind.is_restriction("month") && kind.is_restriction("status"));
        assert!(kind.has_variant("sw-sfcx") && !kind.has_variant("sw-dfcx"));
        assert!(matches!(
            kind.column_hint("usage", Some("sw-sfcx"))
                .map(|h| &h.generator),
            Some(Gen::Const { .. })
        ));
        assert!(matches!(
            kind.column_hint("usage", Some("sw-dfcx"))
                .map(|h| &h.generator),
            Some(Gen::Number { .. })
        ));
        assert_eq!(
            kind.generation_order(None),
            Ok(vec!["month", "usage", "amount", "status"])
        );
        assert_eq!(kind.page_level(Level::L1), Level::L2);
        assert_eq!(kind.page_level(Level::L3), Level::L3);
    }

    #[test]
    fn rejects_bad_files_naming_the_kind() {
        let bad = [
            (ONE.replace("\"step\":-1", "\"step\":0"), "step"),
            (
                ONE.replace("\"of\":\"amount\"", "\"of\":\"nope\""),
                "unknown column",
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
                ONE.replace("\"weights\":[11,1]", "\"weights\":[11,1],\"extra\":1"),
                "unknown field",
            ),
            (
                ONE.replace("\"empty_text\"", "\"note2\":\"x\",\"empty_text\""),
                "unknown field `note2`",
            ),
            (
                ONE.replace("\"type\":\"month_range\"", "\"type\":\"choice\""),
                "max_span_months",
            ),
            (
                ONE.replace("{\"column\":\"month\"", "{\"column\":\"when\""),
                "sort column",
            ),
            (
                ONE.replace(",\"rows\":{\"min\":1,\"max\":24}", ""),
                "needs `rows`",
            ),
            (
                ONE.replace("\"in\":[\"未缴费\"]", "\"in\":[\"欠费\"]"),
                "never occurs",
            ),
            (
                ONE.replace(
                    "\"options\":[\"已缴费\",\"未缴费\"]",
                    "\"options\":[\"已缴费\",\"已作废\"]",
                ),
                "never occurs",
            ),
            (
                ONE.replace("\"of\":\"usage\"", "\"of\":\"amount\""),
                "circle",
            ),
            (
                ONE.replace("\"value\":12", "\"value\":\"12\""),
                "dev_variants sw-sfcx",
            ),
            (ONE.replace("\"level\":\"L2\"", "\"level\":null"), "level"),
            (ONE.replace("\"format\":1", "\"format\":2"), "format"),
        ];
        for (text, expected) in bad {
            match RecordKinds::parse("t", &text) {
                Ok(_) => panic!("accepted a file with a bad {expected}"),
                Err(e) => {
                    let e = e.to_string();
                    assert!(e.contains(expected), "{e} lacks {expected}");
                    assert!(
                        e.contains("water_usage") || expected == "format",
                        "{e} names the kind"
                    );
                }
            }
        }
    }

    #[test]
    fn families_look_like_families() {
        assert!(is_family("gjj-jcmx") && is_family("flfw-lscx2"));
        assert!(
            !is_family("gjj")
                && !is_family("gjj-")
                && !is_family("Gjj-x")
                && !is_family("gjj_jcmx")
        );
    }
}

/// Why a filter value was refused, for the person (the daemon says it in
/// their language) and for logs (`Display`, naming the filter, never the
/// value).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("filter {filter}: {problem:?}")]
pub struct FilterError {
    /// The filter's name.
    pub filter: String,
    /// What is wrong.
    pub problem: FilterProblem,
}

/// What is wrong with a filter value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FilterProblem {
    /// The kind has no filter of this name.
    Unknown,
    /// A required filter is missing.
    Required,
    /// The text does not match the filter's pattern.
    Pattern,
    /// Not `YYYY-MM/YYYY-MM`.
    MonthRange,
    /// Not `YYYY-MM-DD/YYYY-MM-DD` (or not a date).
    DateRange,
    /// Not `YYYY`.
    Year,
    /// Not one of the options.
    Choice,
    /// Not a plate such as 粤A12345.
    Plate,
    /// The range ends before it starts.
    Order,
    /// The range spans more than this many months.
    Span {
        /// The longest span allowed.
        months: u32,
    },
}

impl FilterError {
    pub(crate) fn new(filter: &str, problem: FilterProblem) -> FilterError {
        FilterError {
            filter: filter.to_owned(),
            problem,
        }
    }
}

impl From<FilterError> for crate::GatewayError {
    fn from(e: FilterError) -> crate::GatewayError {
        crate::GatewayError::BadRequest(e.to_string())
    }
}

/// Checks a request's filter values against `kind` exactly as the
/// development gateway reads them (the daemon checks before asking any
/// gateway, so a person learns what to fix in their own language).
pub fn check_filter_values(
    kind: &RecordKind,
    values: &BTreeMap<String, String>,
) -> Result<(), FilterError> {
    crate::dev::filters::parse(kind, None, values).map(|_| ())
}

//! `derive.json` (the keywords and texts of the derivation rule) and
//! `materials.json` (catalogue material names → the wallet licence types
//! that can stand in for them), read strictly and checked.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet};

use serde::Deserialize;
use serde_json::Value;

use crate::model::{Accept, Audience, Field, ResultKind};
use crate::parse::{Report, chars, check_licence_fields, parse_field};

/// One `department` keyword entry: a step text containing it is a department
/// step of this expected duration.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct DepartmentRule {
    pub(crate) keyword: String,
    pub(crate) duration_days: u8,
    pub(crate) working_days: bool,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct DefaultDepartment {
    pub(crate) title: String,
    pub(crate) duration_days: u8,
    pub(crate) working_days: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawApplicant {
    title: String,
    person: Vec<Value>,
    organisation: Vec<Value>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMaterialDefaults {
    title: String,
    accept: Vec<String>,
    max_files: u8,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ConfirmStep {
    pub(crate) title: String,
    pub(crate) declaration: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct DepartmentText {
    pub(crate) instant: String,
    pub(crate) timed: String,
    pub(crate) in_person: String,
    pub(crate) working_unit: String,
    pub(crate) calendar_unit: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawResultRule {
    contains: Option<String>,
    suffix: Option<String>,
    kind: String,
    name: String,
    wallet_type: Option<String>,
    valid_years: Option<u8>,
    collect: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDefaultResult {
    name: String,
    kind: String,
    collect: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRules {
    format: u8,
    #[allow(dead_code)]
    note: Option<String>,
    skip: Vec<String>,
    form: Vec<String>,
    materials: Vec<String>,
    review: Vec<String>,
    confirm: Vec<String>,
    department: Vec<DepartmentRule>,
    in_person: Vec<String>,
    remote: Vec<String>,
    strip: Vec<String>,
    strip_end: Vec<String>,
    department_strip: Vec<String>,
    default_department: DefaultDepartment,
    applicant: RawApplicant,
    data_materials: Vec<String>,
    material_defaults: RawMaterialDefaults,
    confirm_step: ConfirmStep,
    department_text: DepartmentText,
    results: Vec<RawResultRule>,
    title_trim: Vec<String>,
    default_result: RawDefaultResult,
}

/// How a `results` entry matches a title.
#[derive(Debug, Clone)]
pub(crate) enum ResultTest {
    /// Contained in the full title.
    Contains(String),
    /// A suffix of the trimmed title.
    Suffix(String),
    /// The default result (matches nothing by itself).
    Default,
}

/// A result template; `{title}` in its name is the trimmed title.
#[derive(Debug, Clone)]
pub(crate) struct ResultRule {
    pub(crate) test: ResultTest,
    pub(crate) name: String,
    pub(crate) kind: ResultKind,
    pub(crate) wallet_type: Option<String>,
    pub(crate) valid_years: Option<u8>,
    pub(crate) collect: String,
}

/// `material_defaults`: the derived materials step's title and upload settings.
#[derive(Debug, Clone)]
pub(crate) struct MaterialDefaults {
    pub(crate) title: String,
    pub(crate) accept: Vec<Accept>,
    pub(crate) max_files: u8,
}

/// The derivation rule's data (`derive.json`), checked; word lists used for
/// "longest first" prefix and suffix removal are kept in that order.
#[derive(Debug, Clone)]
pub(crate) struct Rules {
    pub(crate) skip: Vec<String>,
    pub(crate) form: Vec<String>,
    pub(crate) materials: Vec<String>,
    pub(crate) review: Vec<String>,
    pub(crate) confirm: Vec<String>,
    pub(crate) department: Vec<DepartmentRule>,
    pub(crate) in_person: Vec<String>,
    pub(crate) remote: Vec<String>,
    pub(crate) strip_longest_first: Vec<String>,
    pub(crate) strip_end_longest_first: Vec<String>,
    pub(crate) department_strip_longest_first: Vec<String>,
    pub(crate) title_trim_longest_first: Vec<String>,
    pub(crate) data_materials: Vec<String>,
    pub(crate) default_department: DefaultDepartment,
    pub(crate) applicant_title: String,
    pub(crate) applicant_person: Vec<Field>,
    pub(crate) applicant_organisation: Vec<Field>,
    pub(crate) material_defaults: MaterialDefaults,
    pub(crate) confirm_step: ConfirmStep,
    pub(crate) department_text: DepartmentText,
    pub(crate) results: Vec<ResultRule>,
    pub(crate) default_result: ResultRule,
}

/// Longest first, keeping the stored order among words of one length.
fn longest_first(words: &[String]) -> Vec<String> {
    let mut sorted = words.to_vec();
    sorted.sort_by_key(|w| Reverse(chars(w)));
    sorted
}

fn parse_kind(r: &mut Report, at: &str, kind: &str) -> Option<ResultKind> {
    let k = ResultKind::parse(kind);
    if k.is_none() {
        r.add(at, format!("unknown kind {kind:?}"));
    }
    k
}

fn check_title(r: &mut Report, at: &str, what: &str, s: &str, max: usize) {
    if s.trim().is_empty() || chars(s) > max {
        r.add(at, format!("{what} must be 1–{max} characters"));
    }
}

impl Rules {
    /// Parses and checks `derive.json`.
    pub(crate) fn parse(r: &mut Report, text: &str) -> Option<Rules> {
        let raw: RawRules = match serde_json::from_str(text) {
            Ok(raw) => raw,
            Err(e) => {
                r.add("", e);
                return None;
            }
        };
        if raw.format != 1 {
            r.add("", "format must be 1");
        }
        let lists: [(&str, &Vec<String>); 12] = [
            ("skip", &raw.skip),
            ("form", &raw.form),
            ("materials", &raw.materials),
            ("review", &raw.review),
            ("confirm", &raw.confirm),
            ("in_person", &raw.in_person),
            ("remote", &raw.remote),
            ("strip", &raw.strip),
            ("department_strip", &raw.department_strip),
            ("data_materials", &raw.data_materials),
            ("title_trim", &raw.title_trim),
            ("strip_end", &raw.strip_end),
        ];
        for (key, list) in lists {
            let distinct = list.iter().collect::<BTreeSet<_>>().len() == list.len();
            if list.is_empty() || !distinct || list.iter().any(|s| s.trim().is_empty()) {
                r.add(
                    "",
                    format!("`{key}` must be a non-empty list of distinct strings"),
                );
            }
        }
        for (n, e) in raw.department.iter().enumerate() {
            if e.keyword.trim().is_empty() || e.duration_days > 60 {
                r.add(
                    &format!("department {}", n + 1),
                    "keyword must be a string and duration_days 0–60",
                );
            }
        }
        let dd = &raw.default_department;
        check_title(r, "default_department", "title", &dd.title, 30);
        if dd.duration_days > 60 {
            r.add("default_department", "duration_days must be 0–60");
        }
        check_title(r, "applicant", "title", &raw.applicant.title, 30);
        let person = applicant_block(r, "person", Audience::Person, &raw.applicant.person);
        let organisation = applicant_block(
            r,
            "organisation",
            Audience::Organisation,
            &raw.applicant.organisation,
        );
        let cs = &raw.confirm_step;
        check_title(r, "confirm_step", "title", &cs.title, 30);
        check_title(r, "confirm_step", "declaration", &cs.declaration, 200);
        let md = &raw.material_defaults;
        check_title(r, "material_defaults", "title", &md.title, 30);
        let accept: Option<Vec<Accept>> = md.accept.iter().map(|a| Accept::parse(a)).collect();
        let accept =
            accept.filter(|a| !a.is_empty() && a.len() <= 2 && (a.len() == 1 || a[0] != a[1]));
        if accept.is_none() {
            r.add(
                "material_defaults",
                "accept must be a non-empty subset of image, pdf",
            );
        }
        if !(1..=10).contains(&md.max_files) {
            r.add("material_defaults", "max_files must be 1–10");
        }
        let dt = &raw.department_text;
        if !dt.timed.contains("{days}") || !dt.timed.contains("{unit}") {
            r.add("", "department_text timed must contain {days} and {unit}");
        }
        let mut results = Vec::new();
        for (n, e) in raw.results.iter().enumerate() {
            let at = format!("results {}", n + 1);
            let test = match (&e.contains, &e.suffix) {
                (Some(c), None) if !c.is_empty() => Some(ResultTest::Contains(c.clone())),
                (None, Some(s)) if !s.is_empty() => Some(ResultTest::Suffix(s.clone())),
                _ => {
                    r.add(&at, "give exactly one of suffix or contains");
                    None
                }
            };
            if e.name.trim().is_empty() || e.collect.trim().is_empty() {
                r.add(&at, "name and collect must be non-empty strings");
            }
            if chars(&e.collect) > 40 {
                r.add(&at, "collect must be at most 40 characters");
            }
            if e.valid_years.is_some_and(|y| !(1..=100).contains(&y)) {
                r.add(&at, "valid_years must be 1–100");
            }
            let kind = parse_kind(r, &at, &e.kind);
            if let (Some(test), Some(kind)) = (test, kind) {
                results.push(ResultRule {
                    test,
                    name: e.name.clone(),
                    kind,
                    wallet_type: e.wallet_type.clone(),
                    valid_years: e.valid_years,
                    collect: e.collect.clone(),
                });
            }
        }
        let dr = &raw.default_result;
        if dr.name.trim().is_empty() || dr.collect.trim().is_empty() || chars(&dr.collect) > 40 {
            r.add("default_result", "name and collect must be 1–40 characters");
        }
        let default_kind = parse_kind(r, "default_result", &dr.kind);
        if !r.is_empty() {
            return None;
        }
        Some(Rules {
            skip: raw.skip,
            form: raw.form,
            materials: raw.materials,
            review: raw.review,
            confirm: raw.confirm,
            department: raw.department,
            in_person: raw.in_person,
            remote: raw.remote,
            strip_longest_first: longest_first(&raw.strip),
            strip_end_longest_first: longest_first(&raw.strip_end),
            department_strip_longest_first: longest_first(&raw.department_strip),
            title_trim_longest_first: longest_first(&raw.title_trim),
            data_materials: raw.data_materials,
            default_department: raw.default_department,
            applicant_title: raw.applicant.title,
            applicant_person: person?,
            applicant_organisation: organisation?,
            material_defaults: MaterialDefaults {
                title: raw.material_defaults.title,
                accept: accept?,
                max_files: raw.material_defaults.max_files,
            },
            confirm_step: raw.confirm_step,
            department_text: raw.department_text,
            results,
            default_result: ResultRule {
                test: ResultTest::Default,
                name: raw.default_result.name,
                kind: default_kind?,
                wallet_type: None,
                valid_years: None,
                collect: raw.default_result.collect,
            },
        })
    }

    /// Wallet types named by result entries, for [`crate::Flows::check_wallet_types`].
    pub(crate) fn check_wallet_refs(
        &self,
        r: &mut Report,
        licences: &BTreeMap<String, BTreeSet<String>>,
    ) {
        for (n, e) in self.results.iter().enumerate() {
            if let Some(w) = &e.wallet_type
                && !licences.contains_key(w)
            {
                r.add(
                    &format!("results {}", n + 1),
                    format!("unknown wallet type {w:?}"),
                );
            }
        }
    }
}

fn applicant_block(
    r: &mut Report,
    key: &str,
    audience: Audience,
    raw: &[Value],
) -> Option<Vec<Field>> {
    let before = r.reasons.len();
    let mut earlier = BTreeMap::new();
    let mut fields = Vec::new();
    for v in raw {
        let name = v.get("name").and_then(Value::as_str).unwrap_or("");
        let at = format!("applicant {key} field {name:?}");
        if let Some(f) = parse_field(r, &at, v, audience, &earlier) {
            if f.name.starts_with("answer_") || f.name.starts_with("data_") {
                r.add(
                    &at,
                    "applicant field names must not start with answer_ or data_",
                );
            }
            if earlier.insert(f.name.clone(), f.clone()).is_some() {
                r.add(&at, "field name repeats an earlier field");
            }
            fields.push(f);
        }
    }
    if raw.is_empty() {
        r.add(&format!("applicant {key}"), "must list at least one field");
    }
    (r.reasons.len() == before).then_some(fields)
}

/// One `materials.json` entry: the licence types that can replace the named
/// materials, and what they disclose.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct MaterialEntry {
    pub(crate) names: Vec<String>,
    pub(crate) wallet_types: Vec<String>,
    pub(crate) disclose: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMaterials {
    format: u8,
    materials: Vec<MaterialEntry>,
}

/// `materials.json`: exact material name → its entry.
#[derive(Debug, Clone, Default)]
pub(crate) struct MaterialTable {
    entries: Vec<MaterialEntry>,
    by_name: BTreeMap<String, usize>,
}

impl MaterialTable {
    /// Parses and checks `materials.json`.
    pub(crate) fn parse(r: &mut Report, text: &str) -> Option<MaterialTable> {
        let raw: RawMaterials = match serde_json::from_str(text) {
            Ok(raw) => raw,
            Err(e) => {
                r.add("", e);
                return None;
            }
        };
        if raw.format != 1 {
            r.add("", "format must be 1");
        }
        let mut by_name = BTreeMap::new();
        for (n, e) in raw.materials.iter().enumerate() {
            let at = format!("entry {}", n + 1);
            if e.names.is_empty() || e.wallet_types.is_empty() || e.disclose.is_empty() {
                r.add(
                    &at,
                    "names, wallet_types and disclose must all be non-empty",
                );
            }
            for name in &e.names {
                if name.trim().is_empty() {
                    r.add(&at, "a material name is empty");
                }
                if by_name.insert(name.clone(), n).is_some() {
                    r.add(&at, format!("material name {name:?} is listed twice"));
                }
            }
        }
        if !r.is_empty() {
            return None;
        }
        Some(MaterialTable {
            entries: raw.materials,
            by_name,
        })
    }

    /// The entry for an exact material name.
    pub(crate) fn get(&self, name: &str) -> Option<&MaterialEntry> {
        self.by_name.get(name).and_then(|&i| self.entries.get(i))
    }

    /// Checks every entry's wallet types and disclosed fields.
    pub(crate) fn check_wallet_refs(
        &self,
        r: &mut Report,
        licences: &BTreeMap<String, BTreeSet<String>>,
    ) {
        for (n, e) in self.entries.iter().enumerate() {
            check_licence_fields(
                r,
                &format!("entry {}", n + 1),
                &e.wallet_types,
                &e.disclose,
                licences,
            );
        }
    }
}

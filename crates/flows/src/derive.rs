//! The derivation rule (`data/flows/README.md`, section 派生规则): a typed
//! flow for any 办理 item from its catalogue `steps` and `materials`.
//!
//! This is a port of `derive_flow` in `scripts/check_flows.py`, the reference
//! implementation; the test `derive_matches_python` compares the two on every
//! 办理 item of the catalogue. Lengths are counted in characters, as Python
//! slices strings.

use crate::model::{Audience, Field, FieldKind, Flow, FlowResult, Material, Step};
use crate::parse::prefix_chars;
use crate::rules::{DepartmentRule, MaterialTable, ResultTest, Rules};

/// The catalogue facts of an item that the flow depends on (the daemon fills
/// it from the catalogue row).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ItemFacts {
    /// Item id (`gjj-zftq-440100`).
    pub id: String,
    /// Catalogue title.
    pub title: String,
    /// The department that runs the item (the actor of derived department steps).
    pub department: String,
    /// Catalogue audience labels (`自然人`, `法人`).
    pub audience: Vec<String>,
    /// `service_type` (`办理`, `查询` …); only 办理 items have a flow.
    pub service_type: String,
    /// The catalogue's textual steps, in order.
    pub steps: Vec<String>,
    /// The catalogue's material names, in order.
    pub materials: Vec<String>,
    /// The item's login level (`L1`/`L2`/`L3`); not used by the derivation.
    pub login_level: String,
}

/// The family of an item id: the id without its last `-<region>` part
/// (`gjj-zftq-440100` → `gjj-zftq`; an id without `-` is its own family).
pub fn family_of(id: &str) -> &str {
    id.rsplit_once('-').map_or(id, |(family, _)| family)
}

/// The flow audience of catalogue audience labels: 自然人 only → person,
/// 法人 only → organisation, both → any (neither → person).
pub fn audience_of(labels: &[String]) -> Audience {
    let person = labels.iter().any(|l| l == "自然人");
    let org = labels.iter().any(|l| l == "法人");
    match (person, org) {
        (true, true) => Audience::Any,
        (false, true) => Audience::Organisation,
        _ => Audience::Person,
    }
}

/// The class of one catalogue step text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    Skip,
    Form,
    FormMaterials,
    Materials,
    Confirm,
    Department,
}

fn any_in(text: &str, words: &[String]) -> bool {
    words.iter().any(|w| text.contains(w.as_str()))
}

fn starts_any(text: &str, words: &[String]) -> bool {
    words.iter().any(|w| text.starts_with(w.as_str()))
}

fn first_department<'r>(text: &str, rules: &'r Rules) -> Option<&'r DepartmentRule> {
    rules
        .department
        .iter()
        .find(|e| text.contains(e.keyword.as_str()))
}

/// Classifies one step text; `late` tells whether a confirm or department
/// step came before (it decides texts that no keyword matches).
fn classify(text: &str, rules: &Rules, late: bool) -> Class {
    let form_class = || {
        if any_in(text, &rules.materials) {
            Class::FormMaterials
        } else {
            Class::Form
        }
    };
    if any_in(text, &rules.skip) {
        Class::Skip
    } else if starts_any(text, &rules.form) {
        form_class()
    } else if starts_any(text, &rules.materials) {
        Class::Materials
    } else if starts_any(text, &rules.review) {
        Class::Confirm
    } else if first_department(text, rules).is_some() {
        Class::Department
    } else if any_in(text, &rules.confirm) {
        Class::Confirm
    } else if any_in(text, &rules.form) {
        form_class()
    } else if any_in(text, &rules.materials) {
        Class::Materials
    } else if late {
        Class::Department
    } else {
        Class::Form
    }
}

/// Removes the longest of `words` (given longest first) that begins the text, once.
fn strip_prefix<'t>(text: &'t str, longest_first: &[String]) -> &'t str {
    longest_first
        .iter()
        .find_map(|w| text.strip_prefix(w.as_str()))
        .unwrap_or(text)
}

const LABEL_TRIM: &[char] = &['，', '、', ',', '；', ';', ' '];

/// A field or material label from a step text: the leading verb and a
/// 「并提交」-like tail removed, trimmed, at most 20 characters; the text
/// itself when nothing is left.
fn make_label(text: &str, rules: &Rules) -> String {
    let mut label = strip_prefix(text, &rules.strip_longest_first);
    if let Some(rest) = rules
        .strip_end_longest_first
        .iter()
        .find_map(|w| label.strip_suffix(w.as_str()))
    {
        label = rest;
    }
    let label = label.trim_matches(LABEL_TRIM);
    let chosen = if label.is_empty() { text } else { label };
    prefix_chars(chosen, 20).to_owned()
}

/// 「填写…并上传…」 → (form part, materials part), cut before the first materials word.
fn split_fill_upload<'t>(text: &'t str, rules: &Rules) -> (&'t str, &'t str) {
    let cut = rules
        .materials
        .iter()
        .filter_map(|w| text.find(w.as_str()))
        .min()
        .unwrap_or(text.len());
    let form_part = &text[..cut];
    (
        form_part.strip_suffix('并').unwrap_or(form_part),
        &text[cut..],
    )
}

/// The title without one trailing procedural word (生育津贴申领 → 生育津贴).
fn trim_title<'t>(title: &'t str, rules: &Rules) -> &'t str {
    rules
        .title_trim_longest_first
        .iter()
        .find_map(|w| {
            title
                .strip_suffix(w.as_str())
                .filter(|rest| !rest.is_empty())
        })
        .unwrap_or(title)
}

fn derive_result(title: &str, rules: &Rules) -> FlowResult {
    let short = trim_title(title, rules);
    let chosen = rules
        .results
        .iter()
        .find(|e| match &e.test {
            ResultTest::Contains(c) => title.contains(c.as_str()),
            ResultTest::Suffix(s) => short.ends_with(s.as_str()),
            ResultTest::Default => false,
        })
        .unwrap_or(&rules.default_result);
    FlowResult {
        name: prefix_chars(&chosen.name.replace("{title}", short), 40).to_owned(),
        kind: chosen.kind,
        wallet_type: chosen.wallet_type.clone(),
        valid_years: chosen.valid_years,
        collect: chosen.collect.clone(),
    }
}

fn department_description(
    duration_days: u8,
    working_days: bool,
    in_person: bool,
    rules: &Rules,
) -> String {
    let dt = &rules.department_text;
    let unit = if working_days {
        &dt.working_unit
    } else {
        &dt.calendar_unit
    };
    let text = if duration_days == 0 {
        if in_person {
            dt.in_person.clone()
        } else {
            dt.instant.clone()
        }
    } else {
        let mut t = dt
            .timed
            .replace("{days}", &duration_days.to_string())
            .replace("{unit}", unit);
        if in_person {
            t.push_str(&dt.in_person);
        }
        t
    };
    prefix_chars(&text, 120).to_owned()
}

/// The state of one derivation while the step texts are read.
struct Builder<'a> {
    rules: &'a Rules,
    table: &'a MaterialTable,
    documents: Vec<&'a str>,
    citizen: Vec<Step>,
    materials_done: bool,
    form_count: usize,
}

impl<'a> Builder<'a> {
    fn add_form(&mut self, text: &str) {
        self.form_count += 1;
        let field = Field {
            name: format!("answer_{}", self.form_count),
            label: make_label(text, self.rules),
            kind: FieldKind::Text {
                min_length: None,
                max_length: Some(500),
                pattern: None,
            },
            required: true,
            help: Some(prefix_chars(text, 60).to_owned()),
            prefill: None,
            when: None,
        };
        self.citizen.push(Step::Form {
            title: prefix_chars(text, 30).to_owned(),
            description: None,
            fields: vec![field],
        });
    }

    fn materials_step(&self, text: &str) -> Step {
        let md = &self.rules.material_defaults;
        let label;
        let names: Vec<&str> = if self.documents.is_empty() {
            label = make_label(text, self.rules);
            vec![label.as_str()]
        } else {
            self.documents.clone()
        };
        let materials = names
            .iter()
            .take(12)
            .enumerate()
            .map(|(n, name)| {
                let entry = self.table.get(name);
                Material {
                    slot: format!("material_{}", n + 1),
                    name: (*name).to_owned(),
                    required: !self.documents.is_empty(),
                    wallet_types: entry.map(|e| e.wallet_types.clone()).unwrap_or_default(),
                    disclose: entry.map(|e| e.disclose.clone()).unwrap_or_default(),
                    accept: md.accept.clone(),
                    max_files: md.max_files,
                    help: None,
                }
            })
            .collect();
        let title = if !self.documents.is_empty() || text.is_empty() {
            md.title.as_str()
        } else {
            text
        };
        Step::Materials {
            title: prefix_chars(title, 30).to_owned(),
            description: None,
            materials,
        }
    }

    fn add_materials(&mut self, text: &str) {
        if !self.materials_done {
            self.materials_done = true;
            let step = self.materials_step(text);
            self.citizen.push(step);
        }
    }
}

/// Python's `list[:k]` for a possibly negative `k`.
fn py_prefix<T: Clone>(list: &[T], k: isize) -> Vec<T> {
    let len = isize::try_from(list.len()).unwrap_or(isize::MAX);
    let end = if k < 0 { (len + k).max(0) } else { k.min(len) };
    list[..usize::try_from(end).unwrap_or(0)].to_vec()
}

/// Derives the flow of one 办理 item (README § 派生规则).
pub(crate) fn derive_flow(item: &ItemFacts, rules: &Rules, table: &MaterialTable) -> Flow {
    let audience = audience_of(&item.audience);
    // Materials that are data (用电户号, 准考证号 …) are asked as text fields.
    let is_data = |m: &str| rules.data_materials.iter().any(|x| m.ends_with(x.as_str()));
    let data_names: Vec<&str> = item
        .materials
        .iter()
        .map(String::as_str)
        .filter(|m| is_data(m))
        .collect();
    let documents: Vec<&str> = item
        .materials
        .iter()
        .map(String::as_str)
        .filter(|m| !is_data(m))
        .collect();
    let mut b = Builder {
        rules,
        table,
        documents,
        citizen: Vec::new(),
        materials_done: false,
        form_count: 0,
    };
    let mut departments: Vec<Step> = Vec::new();
    let mut seen_department = false;
    let mut seen_late = false;
    let actor = prefix_chars(&item.department, 40).to_owned();

    for text in &item.steps {
        let mut class = classify(text, rules, seen_late);
        if seen_department && matches!(class, Class::Form | Class::FormMaterials | Class::Materials)
        {
            class = Class::Department; // a citizen action listed after the department's work
        }
        match class {
            Class::Skip => {}
            Class::Confirm => seen_late = true,
            Class::Form => b.add_form(text),
            Class::FormMaterials => {
                let (form_part, mat_part) = split_fill_upload(text, rules);
                b.add_form(if form_part.is_empty() {
                    text
                } else {
                    form_part
                });
                b.add_materials(mat_part);
            }
            Class::Materials => b.add_materials(text),
            Class::Department => {
                seen_department = true;
                seen_late = true;
                let e = first_department(text, rules);
                let stripped = strip_prefix(text, &rules.department_strip_longest_first);
                let title = if stripped.is_empty() { text } else { stripped };
                let duration_days = e.map_or(0, |e| e.duration_days);
                let working_days = e.is_none_or(|e| e.working_days);
                let in_person = any_in(text, &rules.in_person) && !any_in(text, &rules.remote);
                departments.push(Step::Department {
                    title: prefix_chars(title, 30).to_owned(),
                    actor: Some(actor.clone()),
                    duration_days,
                    working_days,
                    in_person,
                    description: department_description(
                        duration_days,
                        working_days,
                        in_person,
                        rules,
                    ),
                });
            }
        }
    }

    // A materials step after the last form step when there are documents and no step uploads.
    if !b.documents.is_empty() && !b.materials_done {
        let at = b
            .citizen
            .iter()
            .rposition(|s| matches!(s, Step::Form { .. }))
            .map_or(0, |i| i + 1);
        let step = b.materials_step(&rules.material_defaults.title);
        b.citizen.insert(at, step);
    }

    // The applicant block, then the data materials, go first into the first form step.
    let mut block: Vec<Field> = match audience {
        Audience::Organisation => rules.applicant_organisation.clone(),
        _ => rules.applicant_person.clone(),
    };
    let labels: Vec<&str> = b
        .citizen
        .iter()
        .flat_map(|s| s.fields().iter().map(|f| f.label.as_str()))
        .collect();
    let mut data_fields = Vec::new();
    for (n, name) in data_names.iter().enumerate() {
        let label = prefix_chars(name, 20);
        if !labels.contains(&label) {
            data_fields.push(Field {
                name: format!("data_{}", n + 1),
                label: label.to_owned(),
                kind: FieldKind::Text {
                    min_length: None,
                    max_length: Some(50),
                    pattern: None,
                },
                required: true,
                help: None,
                prefill: None,
                when: None,
            });
        }
    }
    block.extend(data_fields);
    let mut citizen = b.citizen;
    match citizen.iter_mut().find(|s| matches!(s, Step::Form { .. })) {
        Some(Step::Form { fields, .. }) => {
            block.append(fields);
            *fields = block;
        }
        _ => citizen.insert(
            0,
            Step::Form {
                title: rules.applicant_title.clone(),
                description: None,
                fields: block,
            },
        ),
    }

    if departments.is_empty() {
        let dd = &rules.default_department;
        departments.push(Step::Department {
            title: dd.title.clone(),
            actor: Some(actor),
            duration_days: dd.duration_days,
            working_days: dd.working_days,
            in_person: false,
            description: department_description(dd.duration_days, dd.working_days, false, rules),
        });
    }

    let confirm = Step::Confirm {
        title: rules.confirm_step.title.clone(),
        declaration: rules.confirm_step.declaration.clone(),
    };
    let room = 10 - isize::try_from(citizen.len()).unwrap_or(isize::MAX) - 1;
    if isize::try_from(departments.len()).unwrap_or(isize::MAX) > room {
        // Never more than 10 steps: keep the first department steps and the last one.
        let mut kept = py_prefix(&departments, room - 1);
        kept.extend(departments.last().cloned());
        departments = kept;
    }
    let mut steps = citizen;
    steps.push(confirm);
    steps.extend(departments);
    Flow {
        service: family_of(&item.id).to_owned(),
        title: item.title.clone(),
        audience,
        steps,
        result: derive_result(&item.title, rules),
    }
}

#[cfg(test)]
mod tests {
    use super::{family_of, py_prefix};

    #[test]
    fn family_drops_the_region() {
        assert_eq!(family_of("gjj-zftq-440100"), "gjj-zftq");
        assert_eq!(family_of("sw-ndhs-440000"), "sw-ndhs");
        assert_eq!(family_of("plain"), "plain");
    }

    #[test]
    fn python_prefix_slices() {
        let v = [1, 2, 3, 4];
        assert_eq!(py_prefix(&v, 2), vec![1, 2]);
        assert_eq!(py_prefix(&v, 9), vec![1, 2, 3, 4]);
        assert_eq!(py_prefix(&v, -1), vec![1, 2, 3]);
        assert_eq!(py_prefix(&v, -9), Vec::<i32>::new());
    }
}

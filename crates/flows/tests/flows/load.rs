//! Loading data/flows: every hand-authored flow loads and serialises back to
//! its file; broken copies are refused with the file and the reason.

use crate::common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde_json::{Value, json};
use yuesou_flows::{Flows, Step};

fn flows() -> Flows {
    Flows::load(common::flows_dir()).unwrap_or_else(|e| panic!("flows load:\n{e}"))
}

fn licence_fields() -> BTreeMap<String, BTreeSet<String>> {
    let text = std::fs::read_to_string(common::root().join("data/wallet/licence_types.json"))
        .expect("licence types");
    let doc: Value = serde_json::from_str(&text).expect("json");
    doc["types"]
        .as_array()
        .expect("types")
        .iter()
        .map(|t| {
            let code = t["code"].as_str().expect("code").to_owned();
            let fields = t["fields"]
                .as_array()
                .expect("fields")
                .iter()
                .map(|f| f["name"].as_str().expect("name").to_owned())
                .collect();
            (code, fields)
        })
        .collect()
}

#[test]
fn every_hand_authored_flow_loads() {
    let flows = flows();
    let files: BTreeSet<String> = std::fs::read_dir(common::flows_dir().join("services"))
        .expect("services")
        .map(|e| {
            e.expect("entry")
                .file_name()
                .to_string_lossy()
                .trim_end_matches(".json")
                .to_owned()
        })
        .collect();
    let families: BTreeSet<String> = flows.families().map(str::to_owned).collect();
    assert_eq!(families, files);
    assert_eq!(families.len(), 67);
    let zftq = flows.authored("gjj-zftq").expect("gjj-zftq");
    assert_eq!(zftq.title, "住房公积金租房提取");
    assert!(matches!(zftq.steps[0], Step::Form { .. }));
    assert_eq!(zftq.steps.len(), 5);
}

#[test]
fn serialisation_is_the_file_without_its_format() {
    let flows = flows();
    for family in flows.families() {
        let path = common::flows_dir().join(format!("services/{family}.json"));
        let mut file: Value =
            serde_json::from_str(&std::fs::read_to_string(&path).expect("read")).expect("json");
        file.as_object_mut().expect("object").remove("format");
        let ours = serde_json::to_value(flows.authored(family).expect("flow")).expect("serialise");
        assert_eq!(ours, file, "{family}");
    }
}

#[test]
fn wallet_types_and_catalogue_agree() {
    let flows = flows();
    flows
        .check_wallet_types(&licence_fields())
        .unwrap_or_else(|e| panic!("{e}"));
    flows
        .check_catalogue(&common::catalogue())
        .unwrap_or_else(|e| panic!("{e}"));

    let mut fewer = licence_fields();
    fewer.remove("marriage_record");
    let err = flows
        .check_wallet_types(&fewer)
        .expect_err("marriage_record unknown");
    let text = err.to_string();
    assert!(text.contains("services/gjj-zftq.json: step 2 material \"marriage\": unknown wallet type \"marriage_record\""), "{text}");
    assert!(text.contains("materials.json: entry"), "{text}");

    let mut catalogue = common::catalogue();
    let item = catalogue
        .iter_mut()
        .find(|i| i.id.starts_with("gjj-zftq-"))
        .expect("item");
    item.title = "租房提取".into();
    // Every city variant shares the family; the first one is compared.
    let err = flows
        .check_catalogue(&catalogue)
        .expect_err("title differs");
    assert!(
        err.to_string().contains("services/gjj-zftq.json: title"),
        "{err}"
    );
}

/// A copy of data/flows in a temporary directory.
struct Copy {
    dir: tempfile::TempDir,
}

impl Copy {
    fn new() -> Copy {
        let dir = tempfile::tempdir().expect("tempdir");
        let src = common::flows_dir();
        std::fs::create_dir(dir.path().join("services")).expect("mkdir");
        for name in ["materials.json", "derive.json"] {
            std::fs::copy(src.join(name), dir.path().join(name)).expect("copy");
        }
        for e in std::fs::read_dir(src.join("services")).expect("services") {
            let e = e.expect("entry");
            std::fs::copy(e.path(), dir.path().join("services").join(e.file_name())).expect("copy");
        }
        Copy { dir }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn edit(&self, file: &str, change: impl FnOnce(&mut Value)) {
        let path = self.path().join(file);
        let mut v: Value =
            serde_json::from_str(&std::fs::read_to_string(&path).expect("read")).expect("json");
        change(&mut v);
        std::fs::write(&path, serde_json::to_string_pretty(&v).expect("json")).expect("write");
    }

    /// Loads the copy, expecting a refusal; returns the error text.
    fn refused(&self) -> String {
        match Flows::load(self.path()) {
            Ok(_) => panic!("the broken copy loaded"),
            Err(e) => e.to_string(),
        }
    }
}

/// Breaks `services/gjj-zftq.json` with `change` and returns the error text.
fn broken_zftq(change: impl FnOnce(&mut Value)) -> String {
    let copy = Copy::new();
    copy.edit("services/gjj-zftq.json", change);
    let text = copy.refused();
    assert!(
        text.lines().all(|l| l.contains("services/gjj-zftq.json: ")),
        "every problem names the file:\n{text}"
    );
    text
}

fn field<'v>(flow: &'v mut Value, name: &str) -> &'v mut Value {
    flow["steps"][0]["fields"]
        .as_array_mut()
        .expect("fields")
        .iter_mut()
        .find(|f| f["name"] == name)
        .expect("field")
}

fn assert_reason(text: &str, reason: &str) {
    assert!(text.contains(reason), "expected {reason:?} in:\n{text}");
}

#[test]
fn the_copy_itself_loads() {
    let copy = Copy::new();
    Flows::load(copy.path()).unwrap_or_else(|e| panic!("{e}"));
}

#[test]
fn unknown_keys_are_refused() {
    let text = broken_zftq(|f| f["colour"] = json!("red"));
    assert_reason(&text, "gjj-zftq.json: unknown key `colour`");
    let text = broken_zftq(|f| field(f, "monthly_rent")["maxx"] = json!(3));
    assert_reason(&text, "step 1 field \"monthly_rent\": unknown key `maxx`");
    let text = broken_zftq(|f| f["steps"][3]["colour"] = json!("red"));
    assert_reason(&text, "step 4: unknown key `colour`");
    let text = broken_zftq(|f| f["steps"][1]["materials"][0]["colour"] = json!("red"));
    assert_reason(&text, "step 2 material \"id_card\": unknown key `colour`");
    let text = broken_zftq(|f| f["result"]["colour"] = json!("red"));
    assert_reason(&text, "result: unknown key `colour`");
}

#[test]
fn keys_of_another_type_are_refused() {
    let text = broken_zftq(|f| field(f, "monthly_rent")["pattern"] = json!("^[0-9]+$"));
    assert_reason(
        &text,
        "step 1 field \"monthly_rent\": `pattern` does not belong to a number field",
    );
}

#[test]
fn step_order_is_enforced() {
    let text = broken_zftq(|f| {
        let steps = f["steps"].as_array_mut().expect("steps");
        let confirm = steps.remove(2);
        steps.insert(0, confirm);
    });
    assert_reason(
        &text,
        "step order \"cfmdd\" is not (form|materials)+ confirm department+",
    );
    let text = broken_zftq(|f| {
        let steps = f["steps"].as_array_mut().expect("steps");
        steps.remove(0);
    });
    assert_reason(&text, "no form step");
}

#[test]
fn names_and_slots_are_unique() {
    let text = broken_zftq(|f| field(f, "payee_card")["name"] = json!("payee_bank"));
    assert_reason(
        &text,
        "field \"payee_bank\": field name repeats an earlier field",
    );
    let text = broken_zftq(|f| f["steps"][1]["materials"][1]["slot"] = json!("id_card"));
    assert_reason(&text, "material \"id_card\": slot repeats an earlier slot");
    let text = broken_zftq(|f| field(f, "payee_card")["name"] = json!("Payee-Card"));
    assert_reason(&text, "is not ^[a-z][a-z0-9_]{0,39}$");
}

#[test]
fn when_must_name_an_earlier_field_and_a_valid_value() {
    let text = broken_zftq(|f| {
        field(f, "lease_record_no")["when"] = json!({"field": "payee_bank", "equals": "招商银行"})
    });
    assert_reason(
        &text,
        "when refers to \"payee_bank\", which is not an earlier field",
    );
    let text = broken_zftq(|f| field(f, "lease_record_no")["when"]["equals"] = json!("自建房"));
    assert_reason(&text, "when equals \"自建房\", not an option of rent_type");
    let text = broken_zftq(|f| field(f, "lease_record_no")["when"]["equals"] = json!(true));
    assert_reason(
        &text,
        "when equals a boolean but rent_type is not a yes_no field",
    );
    let text = broken_zftq(|f| field(f, "spouse_name")["when"]["equals"] = json!("是"));
    assert_reason(&text, "not an option of with_spouse");
}

#[test]
fn number_ranges_and_decimals_are_checked() {
    let text = broken_zftq(|f| field(f, "monthly_rent")["min"] = json!(100000));
    assert_reason(
        &text,
        "field \"monthly_rent\": number needs numeric min < max",
    );
    let text = broken_zftq(|f| field(f, "monthly_rent")["max"] = json!("100000"));
    assert_reason(&text, "number needs numeric min < max");
    let text = broken_zftq(|f| field(f, "monthly_rent")["decimals"] = json!(3));
    assert_reason(&text, "field \"monthly_rent\": decimals must be 0, 1 or 2");
}

#[test]
fn choice_options_are_checked() {
    let text = broken_zftq(|f| field(f, "frequency")["options"] = json!(["按年一次性提取"]));
    assert_reason(&text, "field \"frequency\": options must be 2–20 distinct");
    let text = broken_zftq(|f| field(f, "frequency")["options"] = json!(["按年", "按年"]));
    assert_reason(&text, "options must be 2–20 distinct");
    let text = broken_zftq(|f| field(f, "frequency")["options"] = json!(["yearly", "monthly"]));
    assert_reason(&text, "options must be Chinese");
}

#[test]
fn patterns_must_compile_in_rust() {
    let text = broken_zftq(|f| field(f, "payee_card")["pattern"] = json!("^[0-9{12,19}$"));
    assert_reason(&text, "field \"payee_card\": pattern does not compile");
    let text = broken_zftq(|f| field(f, "payee_card")["pattern"] = json!("^(?=1)[0-9]{12,19}$"));
    assert_reason(&text, "pattern does not compile");
    let text = broken_zftq(|f| field(f, "payee_card")["pattern"] = json!("[0-9]{12,19}"));
    assert_reason(&text, "pattern must be anchored with ^…$");
}

#[test]
fn date_bounds_must_parse() {
    let text = broken_zftq(|f| field(f, "lease_start")["max_date"] = json!("tomorrow"));
    assert_reason(
        &text,
        "field \"lease_start\": max_date \"tomorrow\" is not today, today±Nd or YYYY-MM-DD",
    );
    let text = broken_zftq(|f| field(f, "lease_start")["max_date"] = json!("2025-02-30"));
    assert_reason(&text, "is not today, today±Nd or YYYY-MM-DD");
    let text = broken_zftq(|f| {
        field(f, "lease_start")["min_date"] = json!("today+10d");
        field(f, "lease_start")["max_date"] = json!("today-10d");
    });
    assert_reason(&text, "min_date is after max_date");
}

#[test]
fn lengths_and_values_are_checked() {
    let text = broken_zftq(|f| {
        f["steps"][0]["title"] =
            json!("这是一个超过三十个字的步骤标题这是一个超过三十个字的步骤标题啊")
    });
    assert_reason(&text, "step 1: `title` must be a string of 1–30 characters");
    let text = broken_zftq(|f| f["steps"][3]["duration_days"] = json!(61));
    assert_reason(&text, "step 4: `duration_days` must be an integer 0–60");
    let text = broken_zftq(|f| field(f, "monthly_rent")["label"] = json!("Rent"));
    assert_reason(&text, "`label` must be Chinese");
    let text = broken_zftq(|f| field(f, "monthly_rent")["type"] = json!("money"));
    assert_reason(
        &text,
        "field \"monthly_rent\": unknown field type \"money\"",
    );
    let text = broken_zftq(|f| f["steps"][1]["materials"][0]["accept"] = json!(["doc"]));
    assert_reason(&text, "accept must be a non-empty subset of image, pdf");
    let text = broken_zftq(|f| f["steps"][1]["materials"][0]["disclose"] = json!([]));
    assert_reason(&text, "disclose must not be empty when wallet_types is not");
    let text = broken_zftq(|f| f["result"]["kind"] = json!("money"));
    assert_reason(&text, "result kind \"money\" is unknown");
    let text = broken_zftq(|f| field(f, "monthly_rent")["help"] = Value::Null);
    assert_reason(&text, "`help` is null");
}

#[test]
fn prefills_must_fit() {
    let text = broken_zftq(|f| field(f, "applicant_phone")["prefill"] = json!("name"));
    assert_reason(&text, "prefill name does not fit a phone field");
    let text = broken_zftq(|f| field(f, "applicant_name")["prefill"] = json!("org_name"));
    assert_reason(&text, "prefill org_name in a flow for persons");
}

#[test]
fn a_step_that_could_be_empty_is_refused() {
    let text = broken_zftq(|f| {
        let steps = f["steps"].as_array_mut().expect("steps");
        steps.insert(
            1,
            json!({"kind": "form", "title": "配偶信息", "fields": [
                {"name": "spouse_phone", "label": "配偶电话", "type": "phone", "required": true,
                 "when": {"field": "with_spouse", "equals": true}}
            ]}),
        );
    });
    assert_reason(&text, "step 2: no field applies when with_spouse is false");
}

#[test]
fn service_must_be_the_file_name() {
    let text = broken_zftq(|f| f["service"] = json!("gjj-zftq2"));
    assert_reason(&text, "service \"gjj-zftq2\" differs from the file name");
}

#[test]
fn mapped_materials_keep_their_wallet_types() {
    let text = broken_zftq(|f| {
        f["steps"][1]["materials"][0]["wallet_types"] = json!([]);
        f["steps"][1]["materials"][0]["disclose"] = json!([]);
    });
    assert_reason(
        &text,
        "material \"居民身份证\" has wallet types in materials.json but none here",
    );
}

#[test]
fn broken_files_are_named() {
    let copy = Copy::new();
    std::fs::write(
        copy.path().join("services/gjj-zftq.json"),
        "{\"format\": 1,",
    )
    .expect("write");
    std::fs::write(copy.path().join("services/notes.txt"), "x").expect("write");
    std::fs::write(copy.path().join("services/.gjj-zftq.json.swp"), "x").expect("write");
    let text = copy.refused();
    assert_reason(&text, "services/gjj-zftq.json: not JSON: EOF while parsing");
    assert_reason(&text, "services/notes.txt: not a .json file");
    assert!(!text.contains(".swp"), "hidden files are ignored:\n{text}");
}

#[test]
fn derive_json_is_strict() {
    let copy = Copy::new();
    copy.edit("derive.json", |d| d["skipp"] = json!(["登录"]));
    let text = copy.refused();
    assert_reason(&text, "derive.json: unknown field `skipp`");
    assert_reason(&text, "at line");

    let copy = Copy::new();
    copy.edit("derive.json", |d| {
        d["department_text"]["timed"] = json!("办理部门预计很快完成。");
        d["results"][0]["suffix"] = json!("执照");
        d["form"] = json!([]);
        d["applicant"]["person"][0]["name"] = json!("answer_1");
    });
    let text = copy.refused();
    assert_reason(
        &text,
        "derive.json: department_text timed must contain {days} and {unit}",
    );
    assert_reason(
        &text,
        "derive.json: results 1: give exactly one of suffix or contains",
    );
    assert_reason(
        &text,
        "derive.json: `form` must be a non-empty list of distinct strings",
    );
    assert_reason(
        &text,
        "applicant field names must not start with answer_ or data_",
    );
}

#[test]
fn materials_json_is_strict() {
    let copy = Copy::new();
    copy.edit("materials.json", |d| {
        let first = d["materials"][0]["names"][0].clone();
        d["materials"][1]["names"]
            .as_array_mut()
            .expect("names")
            .push(first);
    });
    assert_reason(
        &copy.refused(),
        "materials.json: entry 2: material name \"居民身份证\" is listed twice",
    );

    let copy = Copy::new();
    copy.edit("materials.json", |d| {
        d["materials"][0]["disclosed"] = json!([])
    });
    assert_reason(&copy.refused(), "materials.json: unknown field `disclosed`");
}

#[test]
fn a_missing_directory_is_an_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let text = Flows::load(dir.path()).expect_err("empty dir").to_string();
    assert_reason(&text, "materials.json: cannot read");
    assert_reason(&text, "derive.json: cannot read");
    assert_reason(&text, "services: cannot list");
}

#[test]
fn flows_can_be_shared_across_threads() {
    fn shared<T: Send + Sync + 'static>() {}
    shared::<Flows>();
    shared::<yuesou_flows::Flow>();
}

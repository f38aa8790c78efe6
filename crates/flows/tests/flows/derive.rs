//! The derivation against its reference implementation (`derive_flow` in
//! scripts/check_flows.py) on every 办理 item of the catalogue, and the
//! lookup rule of `Flows::for_item`.

use crate::common;

use std::collections::BTreeMap;
use std::process::Command;

use serde_json::Value;
use yuesou_flows::{Flow, Flows, family_of};

fn flows() -> Flows {
    Flows::load(common::flows_dir()).expect("flows load")
}

/// Runs the Python checker's dump; `None` (with the reason printed) when python3 is missing.
fn python_derived() -> Option<BTreeMap<String, Value>> {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("derived.jsonl");
    let run = Command::new("python3")
        .arg("scripts/check_flows.py")
        .arg("--dump-derived")
        .arg(&out)
        .current_dir(common::root())
        .output();
    let run = match run {
        Ok(r) => r,
        Err(e) => {
            println!("skipped: python3 is not available ({e})");
            return None;
        }
    };
    assert!(
        run.status.success(),
        "check_flows.py failed:\n{}{}",
        String::from_utf8_lossy(&run.stdout),
        String::from_utf8_lossy(&run.stderr)
    );
    let text = std::fs::read_to_string(&out).expect("dump");
    let mut by_id = BTreeMap::new();
    for line in text.lines() {
        let v: Value = serde_json::from_str(line).expect("dump line");
        let id = v["id"].as_str().expect("id").to_owned();
        let mut flow = v["flow"].clone();
        let format = flow.as_object_mut().and_then(|o| o.remove("format"));
        assert_eq!(format, Some(Value::from(1)), "{id}: format");
        by_id.insert(id, flow);
    }
    Some(by_id)
}

/// The first difference between two JSON values, as a path.
fn first_difference(a: &Value, b: &Value, path: &str) -> Option<String> {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            for k in x.keys().chain(y.keys()) {
                match (x.get(k), y.get(k)) {
                    (Some(p), Some(q)) => {
                        if let Some(d) = first_difference(p, q, &format!("{path}.{k}")) {
                            return Some(d);
                        }
                    }
                    (p, q) => return Some(format!("{path}.{k}: rust {p:?} python {q:?}")),
                }
            }
            None
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => x
            .iter()
            .zip(y)
            .enumerate()
            .find_map(|(i, (p, q))| first_difference(p, q, &format!("{path}[{i}]"))),
        _ if a == b => None,
        _ => Some(format!("{path}: rust {a} python {b}")),
    }
}

#[test]
fn derive_matches_python() {
    let Some(python) = python_derived() else {
        return;
    };
    let flows = flows();
    let items: Vec<_> = common::catalogue()
        .into_iter()
        .filter(|i| i.service_type == "办理")
        .collect();
    assert_eq!(items.len(), python.len(), "办理 items vs the Python dump");
    let mut differences = Vec::new();
    for item in &items {
        let rust = serde_json::to_value(flows.derive(item)).expect("serialise");
        let py = python
            .get(&item.id)
            .unwrap_or_else(|| panic!("{} missing from the dump", item.id));
        if let Some(d) = first_difference(&rust, py, "") {
            differences.push(format!("{}: {d}", item.id));
        }
    }
    assert!(
        differences.is_empty(),
        "{} of {} derived flows differ from Python, e.g.:\n{}",
        differences.len(),
        items.len(),
        differences[..differences.len().min(10)].join("\n")
    );
    println!("{} derived flows equal the Python reference", items.len());
    assert_eq!(items.len(), 2937);
}

#[test]
fn derived_flows_are_valid_flows() {
    let flows = flows();
    let mut lengths = BTreeMap::new();
    for item in common::catalogue()
        .iter()
        .filter(|i| i.service_type == "办理")
    {
        let flow = flows.derive(item);
        let json = serde_json::to_value(&flow).expect("serialise");
        let back =
            Flow::from_json(&json).unwrap_or_else(|e| panic!("{}: {}", item.id, e.join("; ")));
        assert_eq!(back, flow, "{}", item.id);
        *lengths.entry(flow.steps.len()).or_insert(0) += 1;
    }
    // README § What the derivation gives: steps per derived flow.
    let expected: BTreeMap<usize, i32> =
        [(3, 119), (4, 301), (5, 2111), (6, 363), (7, 22), (8, 21)].into();
    assert_eq!(lengths, expected);
}

#[test]
fn for_item_prefers_the_hand_authored_family() {
    let flows = flows();
    let catalogue = common::catalogue();
    let mut authored = 0;
    let mut derived = 0;
    for item in &catalogue {
        match flows.for_item(item) {
            None => assert_ne!(item.service_type, "办理", "{}", item.id),
            Some(flow) => {
                assert_eq!(item.service_type, "办理");
                match flows.authored(family_of(&item.id)) {
                    Some(a) => {
                        assert_eq!(&*flow, a);
                        authored += 1;
                    }
                    None => {
                        assert_eq!(*flow, flows.derive(item));
                        derived += 1;
                    }
                }
            }
        }
    }
    // README: 67 families cover 907 items; the other 2,030 办理 items derive.
    assert_eq!((authored, derived), (907, 2030));
    let zftq = catalogue
        .iter()
        .find(|i| i.id == "gjj-zftq-440300")
        .expect("深圳 租房提取");
    let flow = flows.for_item(zftq).expect("flow");
    assert_eq!(flow.title, "住房公积金租房提取");
    assert!(
        flow.field("monthly_rent").is_some(),
        "the hand-authored flow"
    );
}

//! The JSON Schema of a step: its shape, and — with an independent validator
//! (Python's `jsonschema`, Draft 2020-12 with format checks) — that it
//! accepts the answers the server accepts and refuses what it must.

use crate::common;

use std::io::Write;
use std::process::{Command, Stdio};

use serde_json::{Value, json};
use yuesou_flows::{Field, FieldKind, Flows};

/// Validates `instances` against `schema` with Python's jsonschema: one
/// verdict per instance, `None` (reason printed) when it is not available.
fn python_validate(schema: &Value, instances: &[Value]) -> Option<Vec<bool>> {
    let script = r#"
import json, sys
try:
    import jsonschema
except ImportError:
    print("NO-JSONSCHEMA"); sys.exit(0)
doc = json.load(sys.stdin)
cls = jsonschema.Draft202012Validator
cls.check_schema(doc["schema"])
v = cls(doc["schema"], format_checker=cls.FORMAT_CHECKER)
print(json.dumps([v.is_valid(i) for i in doc["instances"]]))
"#;
    let child = Command::new("python3")
        .arg("-c")
        .arg(script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn();
    let mut child = match child {
        Ok(c) => c,
        Err(e) => {
            println!("skipped: python3 is not available ({e})");
            return None;
        }
    };
    let input = json!({"schema": schema, "instances": instances}).to_string();
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input.as_bytes())
        .expect("write");
    let out = child.wait_with_output().expect("python");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "python failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    if stdout.trim() == "NO-JSONSCHEMA" {
        println!("skipped: the Python jsonschema package is not installed");
        return None;
    }
    Some(serde_json::from_str(stdout.trim()).expect("verdicts"))
}

use common::test_flow;

#[test]
fn schema_has_the_fields_their_constraints_and_required() {
    let s = test_flow().step_schema(0);
    assert_eq!(s["$schema"], "https://json-schema.org/draft/2020-12/schema");
    assert_eq!(s["type"], "object");
    assert_eq!(s["additionalProperties"], false);
    assert_eq!(
        s["required"],
        json!([
            "applicant_name",
            "applicant_id_number",
            "applicant_phone",
            "home",
            "kind",
            "start",
            "card",
            "married"
        ])
    );
    let p = &s["properties"];
    assert_eq!(
        p["applicant_name"],
        json!({"title": "申请人姓名", "type": "string", "minLength": 1, "maxLength": 50})
    );
    assert_eq!(p["rent"]["type"], "number");
    assert_eq!(p["rent"]["x-decimals"], 2);
    assert!(
        p["rent"].get("multipleOf").is_none(),
        "see schema.rs: multipleOf 0.01 refuses 19.99"
    );
    assert_eq!(
        (p["rent"]["minimum"].clone(), p["rent"]["maximum"].clone()),
        (json!(1), json!(100000))
    );
    assert_eq!(p["rooms"]["type"], "integer");
    assert_eq!(p["kind"]["enum"], json!(["租房", "购房"]));
    assert_eq!(p["start"]["format"], "date");
    assert_eq!(p["start"]["x-max-date"], "today");
    assert_eq!(p["card"]["pattern"], "^[0-9]{12,19}$");
    assert_eq!(p["married"]["type"], "boolean");
    assert_eq!(p["home"]["required"], json!(["code", "detail"]));
    // rent is required when kind is 租房 (a condition on the same step).
    assert_eq!(
        s["allOf"],
        json!([{"if": {"properties": {"kind": {"const": "租房"}}, "required": ["kind"]}, "then": {"required": ["rent"]}}])
    );
    // A condition on an earlier step cannot be stated: spouse_name is simply optional there.
    let s1 = test_flow().step_schema(1);
    assert_eq!(s1["required"], json!([]));
    assert!(s1.get("allOf").is_none());
    // A step that is not a form takes nothing.
    let s2 = test_flow().step_schema(2);
    assert_eq!(
        (s2["properties"].clone(), s2["additionalProperties"].clone()),
        (json!({}), json!(false))
    );
}

#[test]
fn an_independent_validator_agrees_on_examples() {
    let flow = test_flow();
    let schema = flow.step_schema(0);
    let good = json!({
        "applicant_name": "陈小明",
        "applicant_id_number": common::good_id(),
        "applicant_phone": "13800138000",
        "org_uscc": common::good_uscc(),
        "home": {"code": "440106", "detail": "天河路1号"},
        "kind": "租房",
        "rent": 2500.5,
        "rooms": 3,
        "start": "2024-03-01",
        "end": "2026-12-31",
        "card": "6222020200112233445",
        "note": "第一行\n第二行",
        "married": false
    });
    let mut bad = Vec::new();
    for (key, value) in [
        ("applicant_phone", Value::Null),
        ("kind", json!("自建房")),
        ("rent", json!(100000.5)),
        ("rooms", json!(2.5)),
        ("start", json!("2024-02-30")),
        ("card", json!("6222-0202")),
        ("married", json!("false")),
        ("colour", json!("red")),
        ("home", json!({"code": "110101", "detail": "北京"})),
    ] {
        let mut b = good.clone();
        if value.is_null() {
            b.as_object_mut().expect("o").remove(key);
        } else {
            b[key] = value;
        }
        bad.push(b);
    }
    // 租房 without rent.
    let mut no_rent = good.clone();
    no_rent.as_object_mut().expect("o").remove("rent");
    bad.push(no_rent.clone());
    // 购房 without rent is fine.
    let mut buy = no_rent;
    buy["kind"] = json!("购房");
    // Amounts a float `multipleOf: 0.01` would wrongly refuse.
    let cents: Vec<Value> = [19.99, 1.07, 1234.56, 1.29]
        .iter()
        .map(|r| {
            let mut g = good.clone();
            g["rent"] = json!(r);
            g
        })
        .collect();

    // The server agrees on every example.
    let empty = serde_json::Map::new();
    let ctx = yuesou_flows::CheckContext {
        checks: &common::TestChecks,
        today: time::Date::from_calendar_date(2026, time::Month::June, 15).expect("date"),
        earlier: &empty,
        identity: None,
    };
    assert!(
        flow.check_step(0, good.as_object().expect("o"), &ctx)
            .is_ok()
    );
    assert!(
        flow.check_step(0, buy.as_object().expect("o"), &ctx)
            .is_ok()
    );
    for c in &cents {
        assert!(
            flow.check_step(0, c.as_object().expect("o"), &ctx).is_ok(),
            "server refused {c}"
        );
    }
    for b in &bad {
        assert!(
            flow.check_step(0, b.as_object().expect("o"), &ctx).is_err(),
            "server accepted {b}"
        );
    }

    let good_count = 2 + cents.len();
    let mut instances = vec![good, buy];
    instances.extend(cents);
    instances.extend(bad.iter().cloned());
    let Some(verdicts) = python_validate(&schema, &instances) else {
        return;
    };
    assert!(
        verdicts[..good_count].iter().all(|ok| *ok),
        "the good examples: {verdicts:?}"
    );
    for (b, ok) in bad.iter().zip(&verdicts[good_count..]) {
        assert!(!ok, "the schema accepted {b}");
    }
}

/// A good sample for each pattern used by the hand-authored flows.
fn pattern_sample(pattern: &str) -> &'static str {
    match pattern {
        "^([01][0-9]|2[0-3]):[0-5][0-9]$" => "09:30",
        "^[0-9A-Z]{10,20}$" => "AB12345678",
        "^[0-9A-Za-z]{4,20}$" => "Ab123456",
        "^[0-9A-Za-z]{6,30}$" => "Ab123456",
        "^[0-9]{12,19}$" => "6222020200112233445",
        "^[A-HJ-NPR-Z0-9]{17}$" => "LSVAM4187C2184847",
        "^[A-Z0-9]{5,6}$" => "A12345",
        "^[A-Z][0-9]{9}$" => "K440123456",
        "^[一-龥][A-Z][A-Z0-9]{5,6}$" => "粤A12345",
        other => panic!("add a sample for the pattern {other}"),
    }
}

/// A good answer for a field; `variant` picks the first or the last option / false or true.
fn sample(field: &Field, variant: usize, today: time::Date) -> Value {
    match &field.kind {
        FieldKind::Text {
            min_length,
            max_length,
            pattern,
        } => match pattern {
            Some(p) => json!(pattern_sample(p.as_str())),
            None => {
                let n = min_length
                    .unwrap_or(1)
                    .max(4)
                    .min(max_length.unwrap_or(200));
                json!("测".repeat(n as usize))
            }
        },
        FieldKind::Number { min, .. } => Value::Number(min.clone()),
        FieldKind::Date { min_date, max_date } => {
            let d = min_date.or(*max_date).map_or(today, |b| b.resolve(today));
            json!(yuesou_flows::format_iso_date(d))
        }
        FieldKind::Choice { options } => json!(if variant == 0 {
            &options[0]
        } else {
            &options[options.len() - 1]
        }),
        FieldKind::IdNumber => json!(common::good_id()),
        FieldKind::Uscc => json!(common::good_uscc()),
        FieldKind::Phone => json!("13800138000"),
        FieldKind::Address => json!({"code": "440106", "detail": "天河路1号"}),
        FieldKind::YesNo => json!(variant == 1),
    }
}

#[test]
fn every_hand_authored_step_accepts_a_good_example_on_server_and_schema() {
    let flows = Flows::load(common::flows_dir()).expect("flows");
    let today = time::Date::from_calendar_date(2026, time::Month::June, 15).expect("date");
    let mut schemas = Vec::new();
    let mut instances = Vec::new();
    let mut fields_answered = 0;
    for family in flows.families() {
        let flow = flows.authored(family).expect("flow");
        for variant in 0..2 {
            let mut earlier = serde_json::Map::new();
            for (i, step) in flow.steps.iter().enumerate() {
                let mut answers = serde_json::Map::new();
                for f in step.fields() {
                    let applies = f.when.as_ref().is_none_or(|w| {
                        answers
                            .get(&w.field)
                            .or(earlier.get(&w.field))
                            .is_some_and(|a| w.equals.matches(a))
                    });
                    if applies {
                        answers.insert(f.name.clone(), sample(f, variant, today));
                    }
                }
                let ctx = yuesou_flows::CheckContext {
                    checks: &common::TestChecks,
                    today,
                    earlier: &earlier,
                    identity: None,
                };
                let cleaned = flow
                    .check_step(i, &answers, &ctx)
                    .unwrap_or_else(|e| panic!("{family} step {}: {e:?}", i + 1));
                fields_answered += cleaned.len();
                schemas.push(flow.step_schema(i));
                instances.push(Value::Object(answers));
                earlier.extend(cleaned);
            }
        }
    }
    assert!(fields_answered > 1000, "{fields_answered}");
    // One validator run: each step's schema (checked against the 2020-12
    // meta-schema) against its example.
    let all = json!({"$schema": "https://json-schema.org/draft/2020-12/schema", "prefixItems": schemas, "items": false});
    let Some(verdicts) = python_validate(&all, &[Value::Array(instances.clone())]) else {
        return;
    };
    if verdicts != [true] {
        // Find the first refused example for the message.
        for (s, i) in schemas.iter().zip(&instances) {
            if python_validate(s, std::slice::from_ref(i)) == Some(vec![false]) {
                panic!("the schema {s} refused {i}");
            }
        }
    }
    assert_eq!(verdicts, [true]);
}

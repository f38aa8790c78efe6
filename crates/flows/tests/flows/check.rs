//! Checking a step's answers: every type accepted with a good value, every
//! error code provoked, `when` honoured (same step and earlier steps),
//! read-only identity values, exact decimals; prefill.

use crate::common;

use std::collections::BTreeSet;

use serde_json::{Map, Value, json};
use time::{Date, Month};
use yuesou_flows::{Address, CheckContext, ErrorCode, FieldError, Flows, Identity, Level};

use common::{TestChecks, good_id, good_uscc, test_flow, with_id_check};

fn today() -> Date {
    Date::from_calendar_date(2026, Month::June, 15).expect("date")
}

fn good_step0() -> Map<String, Value> {
    json!({
        "applicant_name": "  陈小明 ",
        "applicant_id_number": good_id().to_lowercase(),
        "applicant_phone": "13800138000",
        "org_uscc": good_uscc(),
        "home": {"code": "440106", "detail": " 天河路1号 "},
        "kind": "租房",
        "rent": 2500.5,
        "rooms": 3.0,
        "start": "2024-03-01",
        "end": "2026-12-31",
        "card": "6222020200112233445",
        "note": "第一行\r\n第二行",
        "married": false
    })
    .as_object()
    .expect("object")
    .clone()
}

fn ctx<'a>(earlier: &'a Map<String, Value>) -> CheckContext<'a> {
    CheckContext {
        checks: &TestChecks,
        today: today(),
        earlier,
        identity: None,
    }
}

/// Checks step 0 with `changes` applied to the good answers.
fn step0(changes: Value) -> Result<Map<String, Value>, Vec<FieldError>> {
    let mut answers = good_step0();
    for (k, v) in changes.as_object().expect("object") {
        if v == "<absent>" {
            answers.remove(k);
        } else {
            answers.insert(k.clone(), v.clone());
        }
    }
    let empty = Map::new();
    test_flow().check_step(0, &answers, &ctx(&empty))
}

/// The single error `changes` provoke.
fn one_error(changes: Value) -> FieldError {
    match step0(changes.clone()) {
        Ok(_) => panic!("{changes} was accepted"),
        Err(mut e) => {
            assert_eq!(e.len(), 1, "{changes}: {e:?}");
            e.remove(0)
        }
    }
}

fn assert_error(changes: Value, field: &str, code: ErrorCode, args: Value) -> ErrorCode {
    let e = one_error(changes.clone());
    assert_eq!((e.field.as_str(), e.code), (field, code), "{changes}");
    assert_eq!(Value::Object(e.args), args, "{changes}");
    code
}

#[test]
fn good_answers_of_every_type_are_accepted_and_cleaned() {
    let cleaned = step0(json!({})).unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(
        Value::Object(cleaned),
        json!({
            "applicant_name": "陈小明",
            "applicant_id_number": good_id(),
            "applicant_phone": "13800138000",
            "org_uscc": good_uscc(),
            "home": {"code": "440106", "detail": "天河路1号", "name": "广州市天河区"},
            "kind": "租房",
            "rent": 2500.5,
            "rooms": 3,
            "start": "2024-03-01",
            "end": "2026-12-31",
            "card": "6222020200112233445",
            "note": "第一行\n第二行",
            "married": false
        })
    );
    // A 9-digit township code, an optional field left out, blank strings as no answer.
    let cleaned = step0(json!({
        "home": {"code": "440106001", "detail": "五山路"},
        "org_uscc": "<absent>",
        "rooms": null,
        "end": "  ",
        "note": ""
    }))
    .unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(cleaned["home"]["name"], "广州市天河区五山街道");
    for gone in ["org_uscc", "rooms", "end", "note"] {
        assert!(!cleaned.contains_key(gone), "{gone}");
    }
}

#[test]
fn every_error_code_is_provoked() {
    use ErrorCode::*;
    let mut seen = BTreeSet::new();
    let mut see = |c: ErrorCode| {
        seen.insert(c.as_str());
    };
    see(assert_error(
        json!({"applicant_phone": "<absent>"}),
        "applicant_phone",
        Required,
        json!({}),
    ));
    see(assert_error(
        json!({"applicant_name": "   "}),
        "applicant_name",
        Required,
        json!({}),
    ));
    see(assert_error(
        json!({"colour": "red"}),
        "colour",
        UnknownField,
        json!({}),
    ));
    see(assert_error(
        json!({"applicant_name": 12}),
        "applicant_name",
        WrongType,
        json!({"expected": "string"}),
    ));
    see(assert_error(
        json!({"married": "false"}),
        "married",
        WrongType,
        json!({"expected": "boolean"}),
    ));
    see(assert_error(
        json!({"home": "天河路1号"}),
        "home",
        WrongType,
        json!({"expected": "object"}),
    ));
    see(assert_error(
        json!({"rooms": true}),
        "rooms",
        WrongType,
        json!({"expected": "number"}),
    ));
    see(assert_error(
        json!({"note": "太短"}),
        "note",
        TooShort,
        json!({"min": 5}),
    ));
    see(assert_error(
        json!({"applicant_name": "长".repeat(51)}),
        "applicant_name",
        TooLong,
        json!({"max": 50}),
    ));
    see(assert_error(
        json!({"card": "6222-0202"}),
        "card",
        Pattern,
        json!({}),
    ));
    see(assert_error(
        json!({"rent": "2500"}),
        "rent",
        NotANumber,
        json!({}),
    ));
    see(assert_error(
        json!({"rent": 0.99}),
        "rent",
        TooSmall,
        json!({"min": 1}),
    ));
    see(assert_error(
        json!({"rent": 100000.01}),
        "rent",
        TooLarge,
        json!({"max": 100000}),
    ));
    see(assert_error(
        json!({"rent": 12.345}),
        "rent",
        TooManyDecimals,
        json!({"decimals": 2}),
    ));
    see(assert_error(
        json!({"rooms": 2.5}),
        "rooms",
        TooManyDecimals,
        json!({"decimals": 0}),
    ));
    see(assert_error(
        json!({"start": "2024/03/01"}),
        "start",
        NotADate,
        json!({}),
    ));
    see(assert_error(
        json!({"start": "2024-02-30"}),
        "start",
        NotADate,
        json!({}),
    ));
    see(assert_error(
        json!({"start": "1999-12-31"}),
        "start",
        TooEarly,
        json!({"min": "2000-01-01"}),
    ));
    see(assert_error(
        json!({"start": "2026-06-16"}),
        "start",
        TooLate,
        json!({"max": "2026-06-15"}),
    ));
    see(assert_error(
        json!({"end": "2026-06-14"}),
        "end",
        TooEarly,
        json!({"min": "2026-06-15"}),
    ));
    see(assert_error(
        json!({"end": "2027-06-16"}),
        "end",
        TooLate,
        json!({"max": "2027-06-15"}),
    ));
    see(assert_error(
        json!({"kind": "自建房"}),
        "kind",
        NotAnOption,
        json!({}),
    ));
    let bad_check = format!("{}0", &good_id()[..17]);
    let bad_check = if bad_check == good_id() {
        format!("{}1", &good_id()[..17])
    } else {
        bad_check
    };
    see(assert_error(
        json!({"applicant_id_number": bad_check}),
        "applicant_id_number",
        BadIdNumber,
        json!({"reason": "check_digit"}),
    ));
    see(assert_error(
        json!({"applicant_id_number": "4401"}),
        "applicant_id_number",
        BadIdNumber,
        json!({"reason": "length"}),
    ));
    let mut uscc = good_uscc();
    let last = if uscc.ends_with('0') { "1" } else { "0" };
    uscc.replace_range(17.., last);
    see(assert_error(
        json!({"org_uscc": uscc}),
        "org_uscc",
        BadUscc,
        json!({"reason": "check_character"}),
    ));
    see(assert_error(
        json!({"applicant_phone": "12800138000"}),
        "applicant_phone",
        BadPhone,
        json!({"reason": "not_mobile"}),
    ));
    see(assert_error(
        json!({"home": {"code": "110101", "detail": "北京"}}),
        "home",
        BadAddress,
        json!({"part": "code"}),
    ));
    see(assert_error(
        json!({"home": {"code": "440199", "detail": "不存在"}}),
        "home",
        BadAddress,
        json!({"part": "code"}),
    ));
    see(assert_error(
        json!({"home": {"code": "440106", "detail": " "}}),
        "home",
        BadAddress,
        json!({"part": "detail"}),
    ));
    see(assert_error(
        json!({"home": {"code": "440106", "detail": "x", "zip": "510000"}}),
        "home",
        WrongType,
        json!({"expected": "object"}),
    ));
    see(assert_error(
        json!({"home": {"code": "440106", "detail": "路".repeat(201)}}),
        "home",
        TooLong,
        json!({"max": 200}),
    ));
    see(assert_error(
        json!({"applicant_name": "陈\u{0007}小明"}),
        "applicant_name",
        ControlCharacters,
        json!({}),
    ));
    see(assert_error(
        json!({"applicant_name": "陈\n小明"}),
        "applicant_name",
        ControlCharacters,
        json!({}),
    ));
    see(assert_error(
        json!({"note": "情况\u{202E}说明正文"}),
        "note",
        ControlCharacters,
        json!({}),
    ));
    see(assert_error(
        json!({"note": "情况\u{2066}说明\u{2069}正文"}),
        "note",
        ControlCharacters,
        json!({}),
    ));
    see(assert_error(
        json!({"home": {"code": "440106", "detail": "天河\u{200F}路"}}),
        "home",
        ControlCharacters,
        json!({}),
    ));

    // read_only needs an identity at L2.
    let identity = Identity {
        name: Some("陈小明".into()),
        ..Identity::default()
    };
    let empty = Map::new();
    let mut answers = good_step0();
    answers.insert("applicant_name".into(), json!("李四"));
    let c = CheckContext {
        identity: Some((&identity, Level::L2)),
        ..ctx(&empty)
    };
    let errors = test_flow()
        .check_step(0, &answers, &c)
        .expect_err("read-only");
    assert_eq!(errors.len(), 1);
    assert_eq!(
        (errors[0].field.as_str(), errors[0].code),
        ("applicant_name", ErrorCode::ReadOnly)
    );
    see(errors[0].code);

    let all = [
        "required",
        "unknown_field",
        "wrong_type",
        "too_short",
        "too_long",
        "pattern",
        "not_a_number",
        "too_small",
        "too_large",
        "too_many_decimals",
        "not_a_date",
        "too_early",
        "too_late",
        "not_an_option",
        "bad_id_number",
        "bad_uscc",
        "bad_phone",
        "bad_address",
        "control_characters",
        "read_only",
    ];
    assert_eq!(seen, all.into_iter().collect::<BTreeSet<_>>());
}

#[test]
fn several_problems_are_reported_together_in_field_order() {
    let errors =
        step0(json!({"applicant_name": 1, "zzz": 1, "kind": "自建房", "married": "<absent>"}))
            .expect_err("bad");
    let got: Vec<(&str, &str)> = errors
        .iter()
        .map(|e| (e.field.as_str(), e.code.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            ("applicant_name", "wrong_type"),
            ("kind", "not_an_option"),
            ("married", "required"),
            ("zzz", "unknown_field")
        ]
    );
    // The API shape of an error.
    assert_eq!(
        serde_json::to_value(&errors[0]).expect("json"),
        json!({"field": "applicant_name", "code": "wrong_type", "args": {"expected": "string"}})
    );
}

#[test]
fn decimals_and_ranges_are_exact() {
    for ok in [
        json!(1),
        json!(1.0),
        json!(12.34),
        json!(12.340),
        json!(99999.99),
        json!(100000),
        json!(0.01e2),
    ] {
        assert!(step0(json!({"rent": ok})).is_ok(), "{ok}");
    }
    assert_eq!(
        one_error(json!({"rent": 12.345})).code,
        ErrorCode::TooManyDecimals
    );
    assert_eq!(
        one_error(json!({"rent": 0.001})).code,
        ErrorCode::TooManyDecimals
    );
    assert_eq!(
        one_error(json!({"rent": 100000.001})).code,
        ErrorCode::TooManyDecimals
    );
    assert_eq!(one_error(json!({"rent": 0.99})).code, ErrorCode::TooSmall);
    assert_eq!(one_error(json!({"rent": -5})).code, ErrorCode::TooSmall);
    assert_eq!(one_error(json!({"rent": 1e21})).code, ErrorCode::TooLarge);
    // Whole numbers are stored as integers.
    let cleaned = step0(json!({"rooms": 20.0, "rent": 100})).expect("ok");
    assert_eq!(cleaned["rooms"], json!(20));
    assert!(cleaned["rooms"].is_i64());
    assert_eq!(cleaned["rent"], json!(100));
}

#[test]
fn when_is_honoured_in_the_same_step() {
    // 购房: rent does not apply — not required, and an answer is ignored and dropped.
    let cleaned = step0(json!({"kind": "购房", "rent": "<absent>"})).expect("ok");
    assert!(!cleaned.contains_key("rent"));
    let cleaned = step0(json!({"kind": "购房", "rent": "not even a number"})).expect("ok");
    assert!(!cleaned.contains_key("rent"));
    // 租房: rent applies and is required.
    assert_error(
        json!({"kind": "租房", "rent": "<absent>"}),
        "rent",
        ErrorCode::Required,
        json!({}),
    );
    // A controlling answer that is itself wrong does not make the field apply.
    let errors = step0(json!({"kind": "自建房", "rent": "<absent>"})).expect_err("bad kind");
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].field, "kind");
}

#[test]
fn when_is_honoured_across_steps() {
    let flow = test_flow();
    let married = json!({"married": true}).as_object().expect("o").clone();
    let single = json!({"married": false}).as_object().expect("o").clone();
    let answers = json!({"spouse_name": "王芳"})
        .as_object()
        .expect("o")
        .clone();
    let cleaned = flow.check_step(1, &answers, &ctx(&married)).expect("ok");
    assert_eq!(cleaned["spouse_name"], "王芳");
    let cleaned = flow.check_step(1, &answers, &ctx(&single)).expect("ok");
    assert!(
        cleaned.is_empty(),
        "spouse_name does not apply: {cleaned:?}"
    );
    let errors = flow
        .check_step(1, &Map::new(), &ctx(&married))
        .expect_err("required");
    assert_eq!(
        (errors[0].field.as_str(), errors[0].code),
        ("spouse_name", ErrorCode::Required)
    );
    // Earlier answers are read for conditions only: they are not unknown here, nor copied.
    assert!(
        flow.check_step(1, &Map::new(), &ctx(&single))
            .expect("ok")
            .is_empty()
    );
}

#[test]
fn steps_without_fields_take_no_answers() {
    let flow = test_flow();
    let empty = Map::new();
    assert!(
        flow.check_step(2, &empty, &ctx(&empty))
            .expect("ok")
            .is_empty()
    );
    assert!(
        flow.check_step(9, &empty, &ctx(&empty))
            .expect("ok")
            .is_empty()
    );
    let answers = json!({"x": 1}).as_object().expect("o").clone();
    let errors = flow
        .check_step(3, &answers, &ctx(&empty))
        .expect_err("unknown");
    assert_eq!(errors[0].code, ErrorCode::UnknownField);
}

#[test]
fn multiline_text_only_in_long_fields() {
    let cleaned = step0(json!({"note": "  第一段\n\n第二段\t缩进  "})).expect("ok");
    assert_eq!(cleaned["note"], "第一段\n\n第二段\t缩进");
    assert_eq!(
        one_error(json!({"card": "622202\t0200112233"})).code,
        ErrorCode::ControlCharacters
    );
    // Characters, not bytes, are counted.
    assert!(step0(json!({"applicant_name": "长".repeat(50)})).is_ok());
}

#[test]
fn identity_values_are_read_only_from_l2() {
    let flow = test_flow();
    assert!(flow.read_only(Level::L1).is_empty());
    assert_eq!(
        flow.read_only(Level::L2),
        ["applicant_name", "applicant_id_number", "org_uscc"]
    );
    assert_eq!(flow.read_only(Level::L3), flow.read_only(Level::L2));

    let identity = Identity {
        name: Some("陈小明".into()),
        id_number: Some(good_id()),
        phone: Some("13900139000".into()),
        address: None,
        org_name: None,
        uscc: Some(good_uscc()),
    };
    let empty = Map::new();
    let at = |level| CheckContext {
        identity: Some((&identity, level)),
        ..ctx(&empty)
    };
    // The good answers carry the identity's values (the ID number in lower case, the name padded).
    assert!(flow.check_step(0, &good_step0(), &at(Level::L2)).is_ok());
    // A different ID number or USCC is refused at L2 and L3, allowed at L1.
    let other_id = with_id_check("44010619850505001");
    for (field, value) in [
        ("applicant_id_number", other_id.clone()),
        ("org_uscc", common::with_uscc_check("91440300MA5DXXXX1")),
    ] {
        let mut answers = good_step0();
        answers.insert(field.into(), json!(value));
        for level in [Level::L2, Level::L3] {
            let errors = flow
                .check_step(0, &answers, &at(level))
                .expect_err("read-only");
            assert_eq!(
                (errors[0].field.as_str(), errors[0].code),
                (field, ErrorCode::ReadOnly)
            );
        }
        assert!(flow.check_step(0, &answers, &at(Level::L1)).is_ok());
    }
    // The phone may differ from the profile.
    let mut answers = good_step0();
    answers.insert("applicant_phone".into(), json!("13700137000"));
    assert!(flow.check_step(0, &answers, &at(Level::L2)).is_ok());
}

#[test]
fn prefill_fills_identity_fields() {
    let flow = test_flow();
    let identity = Identity {
        name: Some("陈小明".into()),
        id_number: Some(good_id()),
        phone: Some("13800138000".into()),
        address: Some(Address {
            code: "440106".into(),
            detail: "天河路1号".into(),
        }),
        org_name: None,
        uscc: None,
    };
    assert_eq!(
        Value::Object(flow.prefill(&identity)),
        json!({
            "applicant_name": "陈小明",
            "applicant_id_number": good_id(),
            "applicant_phone": "13800138000",
            "home": {"code": "440106", "detail": "天河路1号"}
        })
    );
    assert!(flow.prefill(&Identity::default()).is_empty());
}

#[test]
fn a_hand_authored_step_checks() {
    let flows = Flows::load(common::flows_dir()).expect("flows");
    let flow = flows.authored("gjj-zftq").expect("gjj-zftq");
    let answers = json!({
        "applicant_name": "陈小明",
        "applicant_id_number": good_id(),
        "applicant_phone": "13800138000",
        "rent_type": "公共租赁住房",
        "rent_address": {"code": "440106", "detail": "天河路1号"},
        "monthly_rent": 1800,
        "lease_start": "2026-01-01",
        "lease_end": "2026-12-31",
        "own_house": false,
        "frequency": "按月委托提取",
        "with_spouse": true,
        "spouse_name": "王芳",
        "spouse_id_number": with_id_check("44010619920202002"),
        "payee_bank": "招商银行",
        "payee_card": "6225880112233445"
    });
    let empty = Map::new();
    let cleaned = flow
        .check_step(0, answers.as_object().expect("o"), &ctx(&empty))
        .unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(cleaned.len(), 15);
    // 已备案 → the 备案编号 is needed.
    let mut a = answers.as_object().expect("o").clone();
    a.insert("rent_type".into(), json!("已办理租赁登记备案的住房"));
    let errors = flow.check_step(0, &a, &ctx(&empty)).expect_err("required");
    assert_eq!(
        (errors[0].field.as_str(), errors[0].code),
        ("lease_record_no", ErrorCode::Required)
    );
    // The lease must not have ended.
    a.insert("lease_record_no".into(), json!("穗租备2026001"));
    a.insert("lease_end".into(), json!("2026-06-14"));
    let errors = flow.check_step(0, &a, &ctx(&empty)).expect_err("ended");
    assert_eq!(errors[0].code, ErrorCode::TooEarly);
}

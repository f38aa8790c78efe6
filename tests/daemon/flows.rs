//! 办理 flows over HTTP against a real daemon: the flow of a hand-authored
//! and of a derived item, the 404s and 400s, the field-by-field check with
//! its 422 and messages in three languages, prefill and read-only fields by
//! session, and the flows' hot reload (a broken edit keeps the last good
//! flows serving; a broken folder stops a start).

use crate::daemon_support;

use std::time::Duration;

use daemon_support::{Running, copy_home, eventually, start_daemon, wait_ready};
use reqwest::Method;
use serde_json::{Value, json};
use yuesou::server::ConfigLayer;

/// 住房公积金租房提取 in 广州: a hand-authored flow (`gjj-zftq`).
const AUTHORED: &str = "gjj-zftq-440100";
/// 不动产抵押权登记: no hand-authored flow, derived from the catalogue.
const DERIVED: &str = "bdc-dydj-440100";
/// 不动产登记信息查询: a 查询 item, no flow.
const QUERY_ITEM: &str = "bdc-djxx-440100";
/// 生育津贴申领: its first step asks the employer's credit code.
const WITH_USCC: &str = "sb-syjt-440100";
/// 单位住房公积金缴存登记: an organisation's derived flow.
const ORG_ITEM: &str = "gjj-dwdj-440100";
/// The demo people: 陈嘉明 (L2, agent of a company) and 林晓彤 (L1).
const ALICE: &str = "13800000001";
const BOB: &str = "13800000002";
const ALICE_ID: &str = "44010419880520123X";
const ALICE_ID_MASKED: &str = "4401**********123X";
/// Another valid 公民身份号码 (not Alice's).
const OTHER_ID: &str = "440305199208083329";

struct Daemon {
    base: String,
    _state: tempfile::TempDir,
    running: Running,
}

impl Drop for Daemon {
    fn drop(&mut self) {
        self.running.stop();
    }
}

/// A daemon over the bundled data (its own state directory).
async fn daemon() -> Daemon {
    let state = tempfile::tempdir().unwrap();
    let running = start_daemon(
        &yuesou::bundled_root(),
        ConfigLayer {
            data_dir: Some(state.path().to_path_buf()),
            watch: Some(false),
            cache_mb: Some(0),
            ..ConfigLayer::default()
        },
    )
    .await;
    wait_ready(&running.base).await;
    Daemon {
        base: running.base.clone(),
        _state: state,
        running,
    }
}

struct Answer {
    status: u16,
    content_type: String,
    body: Value,
}

async fn call(
    method: Method,
    url: &str,
    token: Option<&str>,
    lang: Option<&str>,
    body: Option<Value>,
) -> Answer {
    let mut request = reqwest::Client::new().request(method, url);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    if let Some(lang) = lang {
        request = request.header("accept-language", lang);
    }
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let text = response.text().await.unwrap_or_default();
    Answer {
        status,
        content_type,
        body: serde_json::from_str(&text).unwrap_or(Value::Null),
    }
}

async fn flow(base: &str, id: &str, token: Option<&str>) -> Answer {
    call(
        Method::GET,
        &format!("{base}/api/v1/items/{id}/flow"),
        token,
        None,
        None,
    )
    .await
}

async fn check(
    base: &str,
    id: &str,
    step: &str,
    token: Option<&str>,
    lang: Option<&str>,
    answers: Value,
) -> Answer {
    call(
        Method::POST,
        &format!("{base}/api/v1/items/{id}/flow/steps/{step}/check"),
        token,
        lang,
        Some(json!({ "answers": answers })),
    )
    .await
}

async fn login(base: &str, phone: &str) -> String {
    let a = call(
        Method::POST,
        &format!("{base}/api/v1/auth/login"),
        None,
        None,
        Some(json!({"phone": phone, "password": "yuesou-demo"})),
    )
    .await;
    assert_eq!(a.status, 200, "login {phone}: {}", a.body);
    a.body["token"].as_str().unwrap().to_owned()
}

fn han(text: &str) -> bool {
    text.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
}

/// Asserts a problem+json answer of `status`, type `slug` and code.
fn assert_problem(a: &Answer, status: u16, slug: &str, code: &str) {
    assert_eq!(a.status, status, "{}", a.body);
    assert_eq!(a.content_type, "application/problem+json", "{}", a.body);
    assert!(
        a.body["type"]
            .as_str()
            .unwrap_or("")
            .ends_with(&format!("/{slug}")),
        "{}",
        a.body
    );
    assert_eq!(a.body["code"], code, "{}", a.body);
    let detail = a.body["detail"].as_str().unwrap_or("");
    assert!(han(detail), "a Chinese detail: {}", a.body);
}

/// Valid answers of the first step of 住房公积金租房提取.
fn rent_answers() -> serde_json::Map<String, Value> {
    json!({
        "applicant_name": " 陈嘉明 ",
        "applicant_id_number": "44010419880520123x",
        "applicant_phone": "13800000001",
        "rent_type": "公共租赁住房",
        "rent_address": {"code": "440106", "detail": "天河路 1 号 301 房"},
        "monthly_rent": 2500.5,
        "lease_start": "2025-01-01",
        "lease_end": "2099-12-31",
        "own_house": false,
        "frequency": "按月委托提取",
        "with_spouse": false,
        "payee_bank": "招商银行",
        "payee_card": "6222020200112233445"
    })
    .as_object()
    .unwrap()
    .clone()
}

fn with(mut answers: serde_json::Map<String, Value>, changes: Value) -> Value {
    for (k, v) in changes.as_object().unwrap() {
        if v.is_null() {
            answers.remove(k);
        } else {
            answers.insert(k.clone(), v.clone());
        }
    }
    Value::Object(answers)
}

/// The (field, code, message) triples of a 422 answer, its problem (and
/// detail) checked Chinese.
fn field_errors(a: &Answer) -> Vec<(String, String, String)> {
    assert_problem(a, 422, "invalid-answers", "err-invalid-answers");
    errors_of(a)
}

/// The (field, code, message) triples of an answer's `errors` member, in
/// whatever language it was asked for.
fn errors_of(a: &Answer) -> Vec<(String, String, String)> {
    a.body["errors"]
        .as_array()
        .unwrap_or_else(|| panic!("errors: {}", a.body))
        .iter()
        .map(|e| {
            (
                e["field"].as_str().unwrap().to_owned(),
                e["code"].as_str().unwrap().to_owned(),
                e["message"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn error_of<'a>(errors: &'a [(String, String, String)], field: &str) -> (&'a str, &'a str) {
    errors
        .iter()
        .find(|(f, _, _)| f == field)
        .map(|(_, c, m)| (c.as_str(), m.as_str()))
        .unwrap_or_else(|| panic!("no error for {field}: {errors:?}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn flow_of_authored_and_derived_items_and_the_items_without_one() {
    let d = daemon().await;
    let base = &d.base;

    // A hand-authored flow: typed fields, materials, department steps.
    let a = flow(base, AUTHORED, None).await;
    assert_eq!(a.status, 200, "{}", a.body);
    assert_eq!(a.content_type, "application/json");
    let f = &a.body;
    assert_eq!(f["service"], "gjj-zftq");
    assert_eq!(f["title"], "住房公积金租房提取");
    let kinds: Vec<&str> = f["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        ["form", "materials", "confirm", "department", "department"]
    );
    for step in f["steps"].as_array().unwrap() {
        assert!(step["title"].as_str().is_some_and(han), "{step}");
        // Only form steps carry a schema.
        assert_eq!(
            step["kind"] == "form",
            step.get("schema").is_some(),
            "{step}"
        );
    }
    let form = &f["steps"][0];
    let fields = form["fields"].as_array().unwrap();
    for field in fields {
        assert!(
            field["name"].is_string() && field["type"].is_string(),
            "{field}"
        );
        assert!(field["required"].is_boolean(), "{field}");
        assert!(field["label"].as_str().is_some_and(han), "{field}");
    }
    let field = |name: &str| {
        fields
            .iter()
            .find(|f| f["name"] == name)
            .unwrap_or_else(|| panic!("no field {name}"))
            .clone()
    };
    let rent = field("monthly_rent");
    assert_eq!(
        (
            &rent["type"],
            &rent["min"],
            &rent["max"],
            &rent["decimals"],
            &rent["unit"]
        ),
        (
            &json!("number"),
            &json!(1),
            &json!(100000),
            &json!(2),
            &json!("元")
        )
    );
    assert_eq!(field("rent_type")["options"].as_array().unwrap().len(), 3);
    assert_eq!(field("payee_card")["pattern"], "^[0-9]{12,19}$");
    assert_eq!(field("applicant_id_number")["prefill"], "id_number");
    assert_eq!(field("spouse_name")["when"]["field"], "with_spouse");
    // The step's JSON Schema states what it can.
    let schema = &form["schema"];
    assert_eq!(
        schema["$schema"],
        "https://json-schema.org/draft/2020-12/schema"
    );
    assert_eq!(schema["additionalProperties"], false);
    assert_eq!(schema["properties"]["monthly_rent"]["type"], "number");
    assert_eq!(schema["properties"]["monthly_rent"]["maximum"], 100000);
    assert_eq!(schema["properties"]["lease_start"]["format"], "date");
    assert_eq!(schema["properties"]["own_house"]["type"], "boolean");
    let required: Vec<&str> = schema["required"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert!(required.contains(&"applicant_id_number"), "{required:?}");
    assert!(
        !required.contains(&"spouse_name"),
        "conditional: {required:?}"
    );
    // Materials, with the licences that stand in for an upload.
    let materials = f["steps"][1]["materials"].as_array().unwrap();
    assert!(!materials.is_empty());
    for m in materials {
        assert!(m["slot"].is_string() && m["name"].is_string(), "{m}");
        assert!(m["wallet_types"].is_array(), "{m}");
    }
    assert!(
        materials.iter().any(|m| m["wallet_types"]
            .as_array()
            .unwrap()
            .contains(&json!("resident_id_credential"))),
        "{materials:?}"
    );
    let department = &f["steps"][3];
    assert!(department["duration_days"].is_u64() && department["in_person"].is_boolean());
    assert_eq!(f["result"]["kind"], "funds");
    assert!(f["result"]["collect"].as_str().is_some_and(han));
    // No session: nothing personal.
    assert!(
        f.get("prefill").is_none() && f.get("read_only").is_none(),
        "{f}"
    );

    // A derived flow: the applicant block first, then materials, confirm,
    // the department's review.
    let a = flow(base, DERIVED, None).await;
    assert_eq!(a.status, 200, "{}", a.body);
    let f = &a.body;
    assert_eq!(
        (f["service"].as_str(), f["title"].as_str()),
        (Some("bdc-dydj"), Some("不动产抵押权登记"))
    );
    let kinds: Vec<&str> = f["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds.first(), Some(&"form"), "{kinds:?}");
    assert!(
        kinds.contains(&"materials") && kinds.contains(&"confirm"),
        "{kinds:?}"
    );
    assert_eq!(kinds.last(), Some(&"department"), "{kinds:?}");
    assert_eq!(f["steps"][0]["fields"][0]["name"], "applicant_name");
    assert_eq!(f["steps"][0]["fields"][0]["prefill"], "name");
    let names: Vec<&str> = f["steps"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["materials"].as_array().into_iter().flatten())
        .map(|m| m["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["不动产权证书", "主债权合同和抵押合同", "双方身份证明"]
    );
    assert!(f["steps"][0]["schema"]["properties"]["applicant_name"].is_object());

    // A 查询 item has no flow; an unknown id is not found; bad ids are 400.
    let a = flow(base, QUERY_ITEM, None).await;
    assert_problem(&a, 404, "not-found", "err-not-found-flow");
    assert_eq!(a.body["detail"], "这个事项不是在线办理事项，没有办理流程。");
    let a = call(
        Method::GET,
        &format!("{base}/api/v1/items/{QUERY_ITEM}/flow"),
        None,
        Some("en"),
        None,
    )
    .await;
    assert_eq!(a.status, 404);
    assert!(!han(a.body["detail"].as_str().unwrap()), "{}", a.body);
    let a = call(
        Method::GET,
        &format!("{base}/api/v1/items/{QUERY_ITEM}/flow"),
        None,
        Some("zh-HK"),
        None,
    )
    .await;
    assert_eq!(a.body["detail"], "這個事項不是網上辦理事項，沒有辦理流程。");
    let a = flow(base, "no-such-item-440100", None).await;
    assert_problem(&a, 404, "not-found", "err-not-found-item");
    let a = flow(base, &"x".repeat(200), None).await;
    assert_problem(&a, 400, "invalid-parameter", "err-too-long");
    assert_eq!(a.body["parameter"], "id");
    let a = flow(base, "gjj%01zftq", None).await;
    assert_problem(&a, 400, "invalid-parameter", "err-control-characters");
    // The check route refuses the same items.
    let a = check(base, QUERY_ITEM, "0", None, None, json!({})).await;
    assert_problem(&a, 404, "not-found", "err-not-found-flow");
    let a = check(base, "no-such-item-440100", "0", None, None, json!({})).await;
    assert_problem(&a, 404, "not-found", "err-not-found-item");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn flow_check_cleans_good_answers_and_refuses_each_field_type_in_chinese() {
    let d = daemon().await;
    let base = &d.base;

    // Good answers: cleaned, numbers masked, conditional fields dropped.
    let mut answers = rent_answers();
    answers.insert("lease_record_no".into(), json!("备案-001"));
    answers.insert("monthly_rent".into(), json!(3000.0));
    let a = check(base, AUTHORED, "0", None, None, Value::Object(answers)).await;
    assert_eq!(a.status, 200, "{}", a.body);
    let cleaned = &a.body["answers"];
    assert_eq!(cleaned["applicant_name"], "陈嘉明", "trimmed");
    assert_eq!(
        cleaned["applicant_id_number"], ALICE_ID_MASKED,
        "normalised, then masked"
    );
    assert_eq!(cleaned["applicant_phone"], "138****0001");
    assert_eq!(
        cleaned["monthly_rent"],
        json!(3000),
        "a whole number as an integer"
    );
    assert_eq!(cleaned["rent_address"]["code"], "440106");
    assert!(
        cleaned["rent_address"]["name"]
            .as_str()
            .is_some_and(|n| n.contains("天河区")),
        "{cleaned}"
    );
    assert!(
        cleaned.get("lease_record_no").is_none(),
        "its condition does not hold: {cleaned}"
    );
    assert!(!a.body.to_string().contains(ALICE_ID));

    // Every field type's refusal, each with its code and a Chinese message.
    let bad = with(
        rent_answers(),
        json!({
            "applicant_name": "陈".repeat(51),
            "applicant_id_number": "44010419880520124X",
            "applicant_phone": "12345",
            "rent_type": "别墅",
            "rent_address": {"code": "110101", "detail": "长安街 1 号"},
            "monthly_rent": 12.345,
            "lease_start": "2025-02-30",
            "own_house": "否",
            "frequency": null,
            "payee_card": "6222-0202",
            "nickname": "小陈",
            "13800000001": "x",
        }),
    );
    let a = check(base, AUTHORED, "0", None, None, bad.clone()).await;
    let errors = field_errors(&a);
    let expected = [
        ("applicant_name", "too_long", "最多填写 50 个字。"),
        (
            "applicant_id_number",
            "bad_id_number",
            "身份证号码的校验位不正确，请核对后重新填写。",
        ),
        (
            "applicant_phone",
            "bad_phone",
            "请填写 11 位中国大陆手机号码。",
        ),
        ("rent_type", "not_an_option", "请从选项中选择一项。"),
        (
            "rent_address",
            "bad_address",
            "请选择广东省内的区县或镇街。",
        ),
        ("monthly_rent", "too_many_decimals", "最多保留 2 位小数。"),
        ("lease_start", "not_a_date", "请选择日期（年-月-日）。"),
        ("own_house", "wrong_type", "请选择“是”或“否”。"),
        ("frequency", "required", "这一项必须填写。"),
        ("payee_card", "pattern", "填写的格式不正确，请按提示填写。"),
        ("nickname", "unknown_field", "这一步没有这一项。"),
    ];
    for (field, code, message) in expected {
        assert_eq!(error_of(&errors, field), (code, message), "{field}");
    }
    // A key that may be a phone number is not repeated.
    assert!(
        errors
            .iter()
            .any(|(f, c, _)| f == "?" && c == "unknown_field"),
        "{errors:?}"
    );
    assert!(!a.body.to_string().contains("13800000001"), "{}", a.body);
    assert_eq!(errors.len(), expected.len() + 1, "{errors:?}");
    assert_eq!(
        a.body["detail"],
        format!("有 {} 项填写有误，请按提示修改。", errors.len())
    );
    assert_eq!(a.body["title"], "填写内容有误");

    // Numbers: a string, too small, too large; dates out of range.
    let a = check(
        base,
        AUTHORED,
        "0",
        None,
        None,
        with(
            rent_answers(),
            json!({"monthly_rent": "3000", "lease_start": "2999-01-01", "lease_end": "2000-01-01"}),
        ),
    )
    .await;
    let errors = field_errors(&a);
    assert_eq!(error_of(&errors, "monthly_rent").0, "not_a_number");
    assert_eq!(error_of(&errors, "lease_start").0, "too_late");
    assert!(
        error_of(&errors, "lease_start")
            .1
            .starts_with("日期不能晚于 "),
        "{errors:?}"
    );
    assert_eq!(error_of(&errors, "lease_end").0, "too_early");
    for (value, code, message) in [
        (json!(0), "too_small", "不能小于 1。"),
        (json!(100001), "too_large", "不能大于 100000。"),
    ] {
        let a = check(
            base,
            AUTHORED,
            "0",
            None,
            None,
            with(rent_answers(), json!({"monthly_rent": value})),
        )
        .await;
        assert_eq!(error_of(&field_errors(&a), "monthly_rent"), (code, message));
    }
    // Control characters; an address without its detail.
    let a = check(
        base,
        AUTHORED,
        "0",
        None,
        None,
        with(
            rent_answers(),
            json!({"applicant_name": "陈\u{202E}嘉明", "rent_address": {"code": "440106"}}),
        ),
    )
    .await;
    let errors = field_errors(&a);
    assert_eq!(error_of(&errors, "applicant_name").0, "control_characters");
    assert_eq!(
        error_of(&errors, "rent_address"),
        ("bad_address", "请填写详细地址（街道、门牌号等）。")
    );
    // A 统一社会信用代码 with a wrong check character.
    let a = check(
        base,
        WITH_USCC,
        "0",
        None,
        None,
        json!({"employer_uscc": "91440101MA5D8Y2K36"}),
    )
    .await;
    let errors = field_errors(&a);
    assert_eq!(
        error_of(&errors, "employer_uscc"),
        (
            "bad_uscc",
            "统一社会信用代码的校验位不正确，请核对后重新填写。"
        )
    );
    assert_eq!(error_of(&errors, "claim_type").0, "required");

    // The reader's language: Traditional Chinese, English.
    let a = check(base, AUTHORED, "0", None, Some("zh-HK"), bad.clone()).await;
    assert_eq!(a.status, 422);
    let errors = field_errors(&a);
    assert_eq!(error_of(&errors, "frequency").1, "這一項必須填寫。");
    let a = check(base, AUTHORED, "0", None, Some("en"), bad).await;
    assert_eq!(a.status, 422);
    let errors = errors_of(&a);
    assert_eq!(error_of(&errors, "frequency").1, "This is required.");
    assert_eq!(
        error_of(&errors, "applicant_name").1,
        "Enter at most 50 characters."
    );

    // A condition on a field of the step: spouse fields apply when asked.
    let a = check(
        base,
        AUTHORED,
        "0",
        None,
        None,
        with(rent_answers(), json!({"with_spouse": true})),
    )
    .await;
    let errors = field_errors(&a);
    assert_eq!(error_of(&errors, "spouse_name").0, "required");
    assert_eq!(error_of(&errors, "spouse_id_number").0, "required");

    // Steps: a materials step takes no answers; no such step; bad index;
    // a body that is no `{"answers": {…}}`.
    let a = check(base, AUTHORED, "1", None, None, json!({})).await;
    assert_eq!((a.status, &a.body), (200, &json!({"answers": {}})));
    let a = check(base, AUTHORED, "1", None, None, json!({"x": 1})).await;
    assert_eq!(error_of(&field_errors(&a), "x").0, "unknown_field");
    let a = check(base, AUTHORED, "5", None, None, json!({})).await;
    assert_problem(&a, 404, "not-found", "err-not-found-flow-step");
    let a = check(base, AUTHORED, "-1", None, None, json!({})).await;
    assert_problem(&a, 400, "invalid-parameter", "err-step-index");
    let a = call(
        Method::POST,
        &format!("{base}/api/v1/items/{AUTHORED}/flow/steps/0/check"),
        None,
        None,
        Some(json!({"rent_type": "公共租赁住房"})),
    )
    .await;
    assert_eq!(a.status, 400, "{}", a.body);
    let many: serde_json::Map<String, Value> =
        (0..101).map(|i| (format!("k{i}"), json!(1))).collect();
    let a = check(base, AUTHORED, "0", None, None, Value::Object(many)).await;
    assert_problem(&a, 400, "invalid-request", "err-flow-too-many-answers");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn flow_prefill_and_read_only_fields_follow_the_session() {
    let d = daemon().await;
    let base = &d.base;
    let alice = login(base, ALICE).await;
    let bob = login(base, BOB).await;

    // Alice (L2): her verified identity, numbers masked; identity fields
    // read-only.
    let a = flow(base, AUTHORED, Some(&alice)).await;
    assert_eq!(a.status, 200, "{}", a.body);
    let prefill = &a.body["prefill"];
    assert_eq!(prefill["applicant_name"], "陈嘉明");
    assert_eq!(prefill["applicant_id_number"], ALICE_ID_MASKED);
    let phone = prefill["applicant_phone"].as_str().unwrap();
    assert!(
        phone.len() == 11 && phone[3..7] == *"****" && phone.starts_with("1"),
        "{phone}"
    );
    assert!(!a.body.to_string().contains(ALICE_ID));
    assert_eq!(
        a.body["read_only"],
        json!(["applicant_name", "applicant_id_number"])
    );
    // Bob (L1): not real-name verified: his phone only, nothing locked.
    let a = flow(base, AUTHORED, Some(&bob)).await;
    assert_eq!(a.status, 200);
    let prefill = a.body["prefill"].as_object().unwrap();
    assert!(prefill.contains_key("applicant_phone"), "{prefill:?}");
    assert!(!prefill.contains_key("applicant_name"), "{prefill:?}");
    assert_eq!(a.body["read_only"], json!([]));
    // A token that is no session: as without one.
    let a = flow(base, AUTHORED, Some("ys_not-a-session")).await;
    assert_eq!(a.status, 200);
    assert!(a.body.get("prefill").is_none() && a.body.get("read_only").is_none());

    // Checks with Alice's session: the masked prefill stands for the real
    // value, a read-only field left out takes it, another value is refused.
    let answers = with(
        rent_answers(),
        json!({"applicant_name": null, "applicant_id_number": ALICE_ID_MASKED}),
    );
    let a = check(base, AUTHORED, "0", Some(&alice), None, answers.clone()).await;
    assert_eq!(a.status, 200, "{}", a.body);
    assert_eq!(a.body["answers"]["applicant_name"], "陈嘉明");
    assert_eq!(a.body["answers"]["applicant_id_number"], ALICE_ID_MASKED);
    let changed = with(
        rent_answers(),
        json!({"applicant_id_number": OTHER_ID, "applicant_name": "陈嘉民"}),
    );
    let a = check(base, AUTHORED, "0", Some(&alice), None, changed.clone()).await;
    let errors = field_errors(&a);
    assert_eq!(
        error_of(&errors, "applicant_id_number"),
        ("read_only", "这一项来自您的实名信息，不能修改。")
    );
    assert_eq!(error_of(&errors, "applicant_name").0, "read_only");
    // Bob (L1) may fill in any valid identity; nobody's masked value is
    // taken for a number without a session.
    let a = check(base, AUTHORED, "0", Some(&bob), None, changed).await;
    assert_eq!(a.status, 200, "{}", a.body);
    let a = check(base, AUTHORED, "0", None, None, answers).await;
    let errors = field_errors(&a);
    assert_eq!(error_of(&errors, "applicant_id_number").0, "bad_id_number");
    assert_eq!(error_of(&errors, "applicant_name").0, "required");

    // Acting for her company: the organisation's name and credit code,
    // read-only.
    let orgs = call(
        Method::GET,
        &format!("{base}/api/v1/me/organisations"),
        Some(&alice),
        None,
        None,
    )
    .await;
    let org = &orgs.body[0];
    let acting = call(
        Method::POST,
        &format!(
            "{base}/api/v1/me/organisations/{}/act",
            org["id"].as_str().unwrap()
        ),
        Some(&alice),
        None,
        None,
    )
    .await;
    assert_eq!(acting.status, 200, "{}", acting.body);
    let org_token = acting.body["token"].as_str().unwrap();
    let a = flow(base, ORG_ITEM, Some(org_token)).await;
    assert_eq!(a.status, 200, "{}", a.body);
    assert_eq!(a.body["audience"], "organisation");
    assert_eq!(a.body["prefill"]["org_name"], org["name"]);
    assert_eq!(a.body["prefill"]["org_uscc"], org["uscc"]);
    assert!(a.body["prefill"].get("applicant_name").is_none());
    let read_only = a.body["read_only"].as_array().unwrap();
    assert!(
        read_only.contains(&json!("org_name")) && read_only.contains(&json!("org_uscc")),
        "{read_only:?}"
    );
    // A person's flow in the organisation's session: the person's identity
    // is not the organisation's to fill in, nor locked.
    let a = flow(base, AUTHORED, Some(org_token)).await;
    assert_eq!(a.status, 200, "{}", a.body);
    assert!(
        a.body["prefill"].get("applicant_name").is_none(),
        "{}",
        a.body
    );
    assert_eq!(a.body["read_only"], json!([]), "{}", a.body);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn flows_reload_on_change_and_a_broken_edit_keeps_the_last_good_ones() {
    let home = copy_home();
    let file = home.path().join("data/flows/services/gjj-zftq.json");
    let original = std::fs::read_to_string(&file).unwrap();
    let mut running = start_daemon(
        home.path(),
        ConfigLayer {
            watch: Some(false),
            cache_mb: Some(0),
            ..ConfigLayer::default()
        },
    )
    .await;
    let base = running.base.clone();
    wait_ready(&base).await;
    let title = |base: String| async move {
        let a = flow(&base, AUTHORED, None).await;
        assert_eq!(a.status, 200, "{}", a.body);
        a.body["steps"][0]["title"].as_str().unwrap().to_owned()
    };
    assert_eq!(title(base.clone()).await, "租房信息");

    // A changed flow is served within a few seconds.
    std::fs::write(
        &file,
        original.replace("\"租房信息\"", "\"租房信息（新）\""),
    )
    .unwrap();
    eventually(Duration::from_secs(20), "the changed flow", || {
        let base = base.clone();
        async move { title(base).await == "租房信息（新）" }
    })
    .await;

    // A broken edit (half-written JSON, then a step of an unknown kind):
    // the last good flows keep serving.
    std::fs::write(&file, &original[..original.len() / 2]).unwrap();
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert_eq!(title(base.clone()).await, "租房信息（新）");
    std::fs::write(
        &file,
        original.replace("\"kind\": \"confirm\"", "\"kind\": \"sign\""),
    )
    .unwrap();
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert_eq!(title(base.clone()).await, "租房信息（新）");
    let a = flow(&base, DERIVED, None).await;
    assert_eq!(a.status, 200, "derived flows still served: {}", a.body);
    running.stop();
    let _ = running.task.await;

    // A daemon does not start on a broken flows folder.
    let state = tempfile::tempdir().unwrap();
    let refused = start_daemon(
        home.path(),
        ConfigLayer {
            data_dir: Some(state.path().to_path_buf()),
            watch: Some(false),
            ..ConfigLayer::default()
        },
    )
    .await;
    let result = tokio::time::timeout(Duration::from_secs(60), refused.task)
        .await
        .expect("the start ends")
        .unwrap();
    let error = result
        .expect_err("a broken flow stops the start")
        .to_string();
    assert!(
        error.contains("flows") && error.contains("gjj-zftq.json"),
        "{error}"
    );
}

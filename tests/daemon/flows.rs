//! 办理 flows over HTTP against a real daemon: the flow of a hand-authored
//! and of a derived item, the 404s and 400s, prefill and read-only fields by
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
/// 单位住房公积金缴存登记: an organisation's derived flow.
const ORG_ITEM: &str = "gjj-dwdj-440100";
/// The demo people: 陈嘉明 (L2, agent of a company) and 林晓彤 (L1).
const ALICE: &str = "13800000001";
const BOB: &str = "13800000002";
const ALICE_ID: &str = "44010419880520123X";
const ALICE_ID_MASKED: &str = "4401**********123X";

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

//! The personal centre over HTTP, on SQLite and PostgreSQL: login, profile,
//! step-up, applications that pause and resume, department progress,
//! feedback, messages — and that every personal route answers only its
//! owner.

use crate::centre_support;

use centre_support::{
    ALICE, BOB, CentreDaemon, OPERATOR, PASSWORD, assert_problem, call, cst_day, each_backend,
    fill_step, login, start, valid_uscc,
};
use reqwest::Method;
use serde_json::{Value, json};

/// Every operation of the OpenAPI document: (method, path template).
async fn operations(d: &CentreDaemon) -> Vec<(Method, String)> {
    let (_, doc, _) = call(Method::GET, &d.url("/api/v1/openapi.json"), None, None).await;
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, _) in item.as_object().unwrap() {
            let method = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            out.push((method, path.clone()));
        }
    }
    out
}

fn body_for(method: &Method) -> Option<Value> {
    matches!(*method, Method::POST | Method::PUT | Method::PATCH).then(|| json!({}))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn personal_routes_need_a_session_and_operator_routes_the_operator() {
    each_backend(async |d: CentreDaemon| {
        let user = login(&d, ALICE).await;
        let ops = operations(&d).await;
        let personal: Vec<_> = ops
            .iter()
            // Public record kinds (天气, 公证书查询) answer without a session.
            .filter(|(_, p)| p.starts_with("/api/v1/me") && p != "/api/v1/me/records")
            .collect();
        assert!(personal.len() >= 20, "{}", personal.len());
        for (method, template) in &personal {
            let url = d.url(&template.replace("{id}", "app_0").replace("{step}", "0"));
            let what = format!("{} {method} {template}", d.backend);
            for token in [None, Some(OPERATOR), Some("ys_0000"), Some("not a token")] {
                let answer = call(method.clone(), &url, token, body_for(method)).await;
                assert_problem(
                    &format!("{what} with {token:?}"),
                    &answer,
                    401,
                    "unauthenticated",
                );
            }
        }
        let operator: Vec<_> = ops
            .iter()
            .filter(|(_, p)| p.starts_with("/api/v1/operator"))
            .collect();
        assert!(operator.len() >= 5);
        for (method, template) in &operator {
            let url = d.url(&template.replace("{id}", "app_0"));
            for token in [None, Some(user.as_str())] {
                let answer = call(method.clone(), &url, token, body_for(method)).await;
                assert_problem(
                    &format!("{} {method} {template}", d.backend),
                    &answer,
                    401,
                    "unauthenticated",
                );
            }
        }
        // A revoked session is refused everywhere at once.
        call(
            Method::POST,
            &d.url("/api/v1/auth/logout"),
            Some(&user),
            None,
        )
        .await;
        let answer = call(Method::GET, &d.url("/api/v1/me/profile"), Some(&user), None).await;
        assert_problem("after logout", &answer, 401, "unauthenticated");
    })
    .await;
}

/// Every id of Alice's that a route could take.
async fn ids_of(d: &CentreDaemon, token: &str) -> Vec<String> {
    let mut ids = Vec::new();
    let (_, apps, _) = call(
        Method::GET,
        &d.url("/api/v1/me/applications?size=50"),
        Some(token),
        None,
    )
    .await;
    ids.extend(
        apps["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["id"].as_str().unwrap().to_string()),
    );
    let (_, fb, _) = call(
        Method::GET,
        &d.url("/api/v1/me/feedback"),
        Some(token),
        None,
    )
    .await;
    ids.extend(
        fb.as_array()
            .unwrap()
            .iter()
            .map(|f| f["id"].as_str().unwrap().to_string()),
    );
    let (_, msgs, _) = call(
        Method::GET,
        &d.url("/api/v1/me/messages?size=50"),
        Some(token),
        None,
    )
    .await;
    ids.extend(
        msgs["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|m| m["kind"] != "broadcast")
            .map(|m| m["id"].as_str().unwrap().to_string()),
    );
    let (_, sessions, _) = call(
        Method::GET,
        &d.url("/api/v1/me/sessions"),
        Some(token),
        None,
    )
    .await;
    ids.extend(
        sessions
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["id"].as_str().unwrap().to_string()),
    );
    let (_, orgs, _) = call(
        Method::GET,
        &d.url("/api/v1/me/organisations"),
        Some(token),
        None,
    )
    .await;
    ids.extend(
        orgs.as_array()
            .unwrap()
            .iter()
            .map(|o| o["id"].as_str().unwrap().to_string()),
    );
    let (_, wallet, _) = call(Method::GET, &d.url("/api/v1/me/wallet"), Some(token), None).await;
    ids.extend(
        wallet["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["id"].as_str().unwrap().to_string()),
    );
    let (_, history, _) = call(Method::GET, &d.url("/api/v1/me/history"), Some(token), None).await;
    ids.extend(
        history["entries"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h["id"].as_str().unwrap().to_string()),
    );
    ids
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_person_can_neither_read_nor_change_anothers_data_by_any_id() {
    each_backend(async |d: CentreDaemon| {
        let alice = login(&d, ALICE).await;
        let bob = login(&d, BOB).await;
        // A search of Alice's puts an entry in her history.
        let searched = call(
            Method::GET,
            &d.url("/api/v1/search?q=%E5%85%AC%E7%A7%AF%E9%87%91%E6%8F%90%E5%8F%96"),
            Some(&alice),
            None,
        )
        .await;
        assert_eq!(searched.0, 200);
        let alice_ids = ids_of(&d, &alice).await;
        assert!(alice_ids.len() >= 11, "{}: {alice_ids:?}", d.backend);
        assert!(
            alice_ids.iter().any(|id| id.starts_with("h_")),
            "{alice_ids:?}"
        );
        let before = call(
            Method::GET,
            &d.url("/api/v1/me/applications?size=50"),
            Some(&alice),
            None,
        )
        .await
        .1;
        let ops = operations(&d).await;
        let with_ids: Vec<_> = ops
            .iter()
            .filter(|(_, p)| p.starts_with("/api/v1/me") && p.contains("{id}"))
            .collect();
        assert!(with_ids.len() >= 9);
        for (method, template) in &with_ids {
            for id in &alice_ids {
                let url = d.url(&template.replace("{id}", id).replace("{step}", "0"));
                let body = match template.as_str() {
                    t if t.ends_with("/steps/{step}") => Some(json!({"answers": {"x": "y"}})),
                    t if t.ends_with("/present") => Some(json!({"disclose": []})),
                    _ => body_for(method),
                };
                let answer = call(method.clone(), &url, Some(&bob), body.clone()).await;
                assert_problem(
                    &format!("{} bob {method} {template} {id}", d.backend),
                    &answer,
                    404,
                    "not-found",
                );
                // Exactly like an id that does not exist.
                let missing = call(
                    method.clone(),
                    &d.url(
                        &template
                            .replace("{id}", "app_ffffffffffffffffffffffff")
                            .replace("{step}", "0"),
                    ),
                    Some(&bob),
                    body.clone(),
                )
                .await;
                assert_eq!(answer.1["detail"], missing.1["detail"], "{template}");
            }
        }
        // Bob's lists hold nothing of Alice's; Alice's data is unchanged.
        let bob_ids = ids_of(&d, &bob).await;
        assert!(bob_ids.iter().all(|id| !alice_ids.contains(id)));
        let after = call(
            Method::GET,
            &d.url("/api/v1/me/applications?size=50"),
            Some(&alice),
            None,
        )
        .await
        .1;
        assert_eq!(before, after);
        let profile = call(Method::GET, &d.url("/api/v1/me/profile"), Some(&bob), None)
            .await
            .1;
        assert_eq!(profile["phone"], "138****0002");
        assert!(profile.get("id_number").is_none(), "Bob is L1: {profile}");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_person_applies_steps_up_resumes_and_follows_progress() {
    each_backend(async |d: CentreDaemon| {
        let b = d.backend;
        let token = login(&d, ALICE).await;
        let t = Some(token.as_str());
        let profile = call(Method::GET, &d.url("/api/v1/me/profile"), t, None).await.1;
        assert_eq!(profile["id_number"], "4401**********123X", "{b}");
        assert_eq!(profile["phone"], "138****0001");
        assert_eq!(profile["level"], "L2");
        assert_eq!(profile["gender"], "male");

        // Applications in every group from the demo data.
        for (group, at_least) in [("pending", 2), ("processing", 2), ("done", 2)] {
            let page = call(Method::GET, &d.url(&format!("/api/v1/me/applications?group={group}")), t, None).await.1;
            assert!(page["total"].as_u64().unwrap() >= at_least, "{b} {group}: {page}");
        }
        let bad = call(Method::GET, &d.url("/api/v1/me/applications?group=later"), t, None).await;
        assert_problem("bad group", &bad, 400, "invalid-parameter");

        // An L3 item: step-up first.
        let start = |item: &str| call(Method::POST, d.url("/api/v1/me/applications"), t, Some(json!({"item_id": item})));
        let refused = start("sb-sbkbh-440100").await;
        assert_problem("L3 item at L2", &refused, 403, "step-up-required");
        assert_eq!(refused.1["level"], "L3");
        let face = call(Method::POST, &d.url("/api/v1/me/verification/face"), t, Some(json!({"sample": "spoof"}))).await;
        assert_problem("spoofed face", &face, 400, "invalid-request");
        let face = call(Method::POST, &d.url("/api/v1/me/verification/face"), t, Some(json!({"sample": "live-demo"}))).await;
        assert_eq!(face.0, 200, "{}", face.1);
        assert_eq!(face.1["level"], "L3");
        let (status, draft, _) = start("sb-sbkbh-440100").await;
        assert_eq!(status, 201, "{draft}");
        let id = draft["id"].as_str().unwrap().to_string();
        let steps = draft["steps"].as_array().unwrap().len();
        assert!(steps >= 3);
        let step = |n: usize, tok: String| {
            let url = d.url(&format!("/api/v1/me/applications/{id}/steps/{n}"));
            let answers = fill_step(&draft, n, "补换社保卡");
            async move { call(Method::PUT, &url, Some(&tok), Some(json!({"answers": answers}))).await }
        };
        let saved = step(0, token.clone()).await;
        assert_eq!(saved.0, 200, "{b}: {}", saved.1);
        let ahead = step(2, token.clone()).await;
        assert_problem("skip ahead", &ahead, 409, "conflict");
        assert_eq!(ahead.1["code"], "err-step-ahead");
        assert_eq!(step(1, token.clone()).await.0, 200);
        let department = step(3, token.clone()).await;
        assert_problem("the department's step", &department, 409, "conflict");
        assert_eq!(department.1["code"], "err-step-department");
        assert_problem("no such step", &step(99, token.clone()).await, 400, "invalid-request");

        // Left at step 2; resumed from another login, which needs its own
        // face check for an L3 item.
        let other = login(&d, ALICE).await;
        let again = call(Method::POST, d.url("/api/v1/me/applications"), Some(&other), Some(json!({"item_id": "sb-sbkbh-440100"}))).await;
        assert_problem("resume at L2", &again, 403, "step-up-required");
        let face = call(Method::POST, d.url("/api/v1/me/verification/face"), Some(&other), Some(json!({"sample": "live-2"}))).await;
        assert_eq!(face.0, 200);
        let (status, resumed, _) = call(Method::POST, &d.url("/api/v1/me/applications"), Some(&other), Some(json!({"item_id": "sb-sbkbh-440100"}))).await;
        assert_eq!(status, 200, "{b}: resumed, not new: {resumed}");
        assert_eq!(resumed["id"], id.as_str());
        assert_eq!(resumed["current_step"], 2);
        assert_eq!(resumed["answers"]["0"]["applicant_id_number"], "4401**********123X", "{b}");
        assert_eq!(resumed["answers"]["1"], json!({}));
        for n in 2..steps {
            assert_eq!(step(n, other.clone()).await.0, 200);
        }
        let submitted = call(Method::POST, &d.url(&format!("/api/v1/me/applications/{id}/submit")), Some(&other), None).await;
        assert_eq!(submitted.0, 200, "{}", submitted.1);
        assert_eq!(submitted.1["status"], "submitted");

        // The department moves it on; the person sees timeline and message.
        let op = Some(OPERATOR);
        let queue = call(Method::GET, &d.url("/api/v1/operator/applications?status=submitted"), op, None).await.1;
        assert!(queue.as_array().unwrap().iter().any(|a| a["id"] == id.as_str()));
        let progress = |status: &str, note: &str| call(Method::POST, d.url(&format!("/api/v1/operator/applications/{id}/progress")), op, Some(json!({"status": status, "note": note})));
        assert_eq!(progress("processing", "已受理").await.0, 200);
        let done = call(Method::POST, &d.url(&format!("/api/v1/operator/applications/{id}/progress")), op,
            Some(json!({"status": "completed", "note": "已办结，卡片将邮寄", "result": {"结果": "准予补换", "领取方式": "邮寄"}}))).await;
        assert_eq!(done.0, 200, "{}", done.1);
        assert_problem("done is final", &progress("processing", "again").await, 409, "conflict");
        let detail = call(Method::GET, &d.url(&format!("/api/v1/me/applications/{id}")), t, None).await.1;
        let timeline: Vec<&str> = detail["timeline"].as_array().unwrap().iter().map(|e| e["status"].as_str().unwrap()).collect();
        assert_eq!(timeline, ["draft", "submitted", "processing", "completed"]);
        assert_eq!(detail["result"]["结果"], "准予补换");
        let inbox = call(Method::GET, &d.url("/api/v1/me/messages?unread=true&size=50"), t, None).await.1;
        assert!(inbox["items"].as_array().unwrap().iter().any(|m| m["title"].as_str().unwrap().contains("已办结")), "{inbox}");
    })
    .await;
}

/// Issue 24: a draft keeps the typed flow it started with; each step's
/// answers are checked field by field against it (masked prefill values
/// count as the real ones, identity fields are read-only at L2), stored
/// cleaned and shown masked; the department's steps are not the person's;
/// submitting checks every form step again with today's date; the
/// department sees the numbers whole; a draft from before keeps its text.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn typed_answers_are_checked_saved_masked_and_checked_again_on_submit() {
    each_backend(async |d: CentreDaemon| {
        let b = d.backend;
        let alice = login(&d, ALICE).await;
        let t = Some(alice.as_str());
        let (status, draft, _) = call(Method::POST, d.url("/api/v1/me/applications"), t,
            Some(json!({"item_id": "rcjy-jydj-440100"}))).await;
        assert_eq!(status, 201, "{b}: {draft}");
        let id = draft["id"].as_str().unwrap().to_string();
        assert_eq!(draft["flow"]["service"], "rcjy-jydj", "{b}");
        assert_eq!(draft["flow"]["steps"][0]["kind"], "form");
        // The person's steps only: form, materials, confirm.
        assert_eq!(draft["steps"], json!(["就业信息", "上传材料", "确认并提交"]));
        assert_eq!(draft["prefill"]["applicant_id_number"], "4401**********123X");
        assert_eq!(draft["prefill"]["applicant_phone"], "138****0001");
        assert_eq!(draft["read_only"], json!(["applicant_name", "applicant_id_number"]));
        let url = |n: usize| d.url(&format!("/api/v1/me/applications/{id}/steps/{n}"));
        let put = |n: usize, answers: Value| call(Method::PUT, url(n), t, Some(json!({"answers": answers})));

        // Field errors, in Chinese by default.
        let bad = put(0, json!({"applicant_phone": "138****0001", "kind": "单位就业",
            "start_date": cst_day(1), "post": " ", "work_address": {"code": "440106", "detail": "天河路 1 号"}})).await;
        assert_problem("field errors", &bad, 422, "invalid-answers");
        let errors: Vec<(&str, &str)> = bad.1["errors"].as_array().unwrap().iter()
            .map(|e| (e["field"].as_str().unwrap(), e["code"].as_str().unwrap())).collect();
        assert_eq!(errors, [("employer", "required"), ("employer_uscc", "required"),
            ("contract_term", "required"), ("start_date", "too_late"), ("post", "required")], "{b}");
        assert!(bad.1["errors"].as_array().unwrap().iter().all(|e| has_han(e["message"].as_str().unwrap())), "{}", bad.1);
        assert!(has_han(bad.1["detail"].as_str().unwrap()));
        // The verified name is read-only at L2.
        let mut answers = fill_step(&draft, 0, "外卖配送员");
        answers["applicant_name"] = json!("别人");
        let locked = put(0, answers).await;
        assert_problem("read-only name", &locked, 422, "invalid-answers");
        assert_eq!(locked.1["errors"][0]["field"], "applicant_name");
        assert_eq!(locked.1["errors"][0]["code"], "read_only");
        // Nothing was saved.
        let (_, unchanged, _) = call(Method::GET, d.url(&format!("/api/v1/me/applications/{id}")), t, None).await;
        assert_eq!(unchanged["current_step"], 0, "{b}");
        assert_eq!(unchanged["answers"], json!({}));

        // Saved: the masked phone stands for the real one; the read-only
        // name and ID number take the identity's; numbers shown masked.
        let good = fill_step(&draft, 0, "外卖配送员");
        assert!(good.get("applicant_id_number").is_none());
        assert_eq!(good["applicant_phone"], "138****0001");
        let (status, saved, _) = put(0, good).await;
        assert_eq!(status, 200, "{b}: {saved}");
        assert_eq!(saved["current_step"], 1);
        let step0 = &saved["answers"]["0"];
        assert_eq!(step0["applicant_name"], "陈嘉明");
        assert_eq!(step0["applicant_id_number"], "4401**********123X");
        assert_eq!(step0["applicant_phone"], "138****0001");
        assert_eq!(step0["employer_uscc"], valid_uscc("91440101MA5ABCDE1"));
        assert_eq!(step0["work_address"]["name"], "广州市天河区", "{step0}");
        // Stored whole.
        let db = d.db().await;
        let stored: String = sqlx::query_scalar("SELECT answers_json FROM applications WHERE id = $1")
            .bind(&id).fetch_one(db.pool()).await.unwrap();
        assert!(stored.contains("44010419880520123X") && stored.contains("13800000001"), "{b}");

        // Non-form steps take {} only; the department's steps are not the person's.
        let extra = put(1, json!({"note": "x"})).await;
        assert_problem("answers on a materials step", &extra, 422, "invalid-answers");
        assert_eq!(extra.1["errors"][0]["code"], "unknown_field");
        assert_eq!(put(1, json!({})).await.0, 200);
        let department = put(3, json!({})).await;
        assert_problem("department step", &department, 409, "conflict");
        assert!(department.1["detail"].as_str().unwrap().contains("审核登记"), "{}", department.1);
        // Another person's application is not there at all.
        let bob = login(&d, BOB).await;
        let theirs = call(Method::PUT, url(0), Some(&bob), Some(json!({"answers": fill_step(&draft, 0, "x")}))).await;
        assert_problem("Bob saves Alice's", &theirs, 404, "not-found");
        let theirs = call(Method::POST, d.url(&format!("/api/v1/me/applications/{id}/submit")), Some(&bob), None).await;
        assert_problem("Bob submits Alice's", &theirs, 404, "not-found");
        assert_eq!(put(2, json!({})).await.0, 200);
        let (status, submitted, _) = call(Method::POST, d.url(&format!("/api/v1/me/applications/{id}/submit")), t, None).await;
        assert_eq!(status, 200, "{b}: {submitted}");
        assert!(submitted.get("prefill").is_none(), "nothing left to fill: {submitted}");
        // The department sees the numbers whole.
        let (status, handled, _) = call(Method::POST, d.url(&format!("/api/v1/operator/applications/{id}/progress")),
            Some(OPERATOR), Some(json!({"status": "processing", "note": "已受理"}))).await;
        assert_eq!(status, 200, "{handled}");
        assert_eq!(handled["answers"]["0"]["applicant_id_number"], "44010419880520123X");
        assert_eq!(handled["answers"]["0"]["applicant_phone"], "13800000001");

        // Submitting checks again with today's date: a lease end saved
        // when it was still ahead, now in the past.
        let face = call(Method::POST, d.url("/api/v1/me/verification/face"), t, Some(json!({"sample": "live-demo"}))).await;
        assert_eq!(face.0, 200, "{}", face.1);
        let (status, lease, _) = call(Method::POST, d.url("/api/v1/me/applications"), t,
            Some(json!({"item_id": "gjj-zftq-440100"}))).await;
        assert_eq!(status, 201, "{b}: {lease}");
        let lease_id = lease["id"].as_str().unwrap().to_string();
        for n in 0..3 {
            let (status, body, _) = call(Method::PUT, d.url(&format!("/api/v1/me/applications/{lease_id}/steps/{n}")), t,
                Some(json!({"answers": fill_step(&lease, n, "租房")}))).await;
            assert_eq!(status, 200, "{b} step {n}: {body}");
        }
        let stored: String = sqlx::query_scalar("SELECT answers_json FROM applications WHERE id = $1")
            .bind(&lease_id).fetch_one(db.pool()).await.unwrap();
        let stale = stored.replace(&format!("\"lease_end\":\"{}\"", cst_day(0)), "\"lease_end\":\"2020-01-31\"");
        assert_ne!(stale, stored, "{b}: {stored}");
        sqlx::query("UPDATE applications SET answers_json = $1 WHERE id = $2")
            .bind(&stale).bind(&lease_id).execute(db.pool()).await.unwrap();
        let refused = call(Method::POST, d.url(&format!("/api/v1/me/applications/{lease_id}/submit")), t, None).await;
        assert_problem("stale date", &refused, 422, "invalid-answers");
        assert_eq!(refused.1["parameter"], "steps/0");
        assert!(refused.1["detail"].as_str().unwrap().contains("租房信息"), "{}", refused.1);
        let errors = refused.1["errors"].as_array().unwrap();
        assert_eq!(errors.len(), 1, "{b}: {}", refused.1);
        assert_eq!((&errors[0]["field"], &errors[0]["code"]), (&json!("lease_end"), &json!("too_early")));
        let message = errors[0]["message"].as_str().unwrap();
        assert!(message.contains("早于") && message.contains(&cst_day(0)), "{message}");
        let (_, still, _) = call(Method::GET, d.url(&format!("/api/v1/me/applications/{lease_id}")), t, None).await;
        assert_eq!(still["status"], "draft", "{b}");

        // A draft from before typed flows (the demo's) keeps its text.
        let (_, pending, _) = call(Method::GET, d.url("/api/v1/me/applications?group=pending&size=50"), t, None).await;
        let old = pending["items"].as_array().unwrap().iter()
            .find(|a| a["status"] == "draft" && a["id"] != lease_id.as_str())
            .unwrap_or_else(|| panic!("{b}: a demo draft: {pending}"));
        let old_id = old["id"].as_str().unwrap();
        let (_, detail, _) = call(Method::GET, d.url(&format!("/api/v1/me/applications/{old_id}")), t, None).await;
        assert!(detail.get("flow").is_none(), "{b}: {detail}");
        let n = detail["current_step"].as_u64().unwrap();
        let text_url = d.url(&format!("/api/v1/me/applications/{old_id}/steps/{n}"));
        let typed = call(Method::PUT, &text_url, t, Some(json!({"answers": {"备注": 5}}))).await;
        assert_problem("a number in a text draft", &typed, 400, "invalid-request");
        let (status, saved, _) = call(Method::PUT, &text_url, t, Some(json!({"answers": {"备注": " 已准备好材料 "}}))).await;
        assert_eq!(status, 200, "{b}: {saved}");
        assert_eq!(saved["answers"][n.to_string()]["备注"], "已准备好材料");
        db.close().await;
    })
    .await;
}

/// Issue 23: feedback refuses profanity and insults (variant spellings,
/// spacing, case, 繁體 and pinyin) from `dictionaries/feedback_banned_words.txt`,
/// while a complaint about staff is still taken.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn feedback_refuses_profanity_but_takes_complaints_about_staff() {
    each_backend(async |d: CentreDaemon| {
        let token = login(&d, ALICE).await;
        let t = Some(token.as_str());
        for content in ["窗口的人就是个傻逼", "傻 B 一样的流程", "煞笔系统", "什么破服务 sha bi", "操你媽", "WangBaDan"] {
            let answer = call(Method::POST, &d.url("/api/v1/me/feedback"), t,
                Some(json!({"kind": "complaint", "title": "投诉", "content": content}))).await;
            assert_problem(content, &answer, 422, "banned-word");
        }
        let (status, created, _) = call(Method::POST, &d.url("/api/v1/me/feedback"), t,
            Some(json!({"kind": "complaint", "title": "投诉窗口工作人员",
                "content": "天河区服务大厅 3 号窗口工作人员态度恶劣、不作为，办事拖拉，希望处理。"}))).await;
        assert_eq!(status, 201, "{created}");
        assert_eq!(created["kind"], "complaint");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn feedback_messages_notice_and_settings() {
    each_backend(async |d: CentreDaemon| {
        let token = login(&d, ALICE).await;
        let t = Some(token.as_str());
        // Demo feedback has replies.
        let list = call(Method::GET, &d.url("/api/v1/me/feedback"), t, None).await.1;
        assert!(list.as_array().unwrap().iter().any(|f| !f["replies"].as_array().unwrap().is_empty()));
        // A banned word: 422 naming the problem, nothing stored.
        let banned = std::fs::read_to_string(yuesou::bundled_root().join("dictionaries/banned_words.txt")).unwrap();
        let word = banned.lines().map(str::trim).find(|l| !l.is_empty() && !l.starts_with('#')).unwrap().to_string();
        let answer = call(Method::POST, &d.url("/api/v1/me/feedback"), t,
            Some(json!({"kind": "complaint", "title": "建议", "content": format!("网上有人{word}")}))).await;
        assert_problem("banned word", &answer, 422, "banned-word");
        assert_eq!(call(Method::GET, &d.url("/api/v1/me/feedback"), t, None).await.1, list, "not stored");
        let bad = call(Method::POST, &d.url("/api/v1/me/feedback"), t, Some(json!({"kind": "praise", "title": "x", "content": "y"}))).await;
        assert_problem("unknown kind", &bad, 400, "invalid-request");
        let (status, created, _) = call(Method::POST, &d.url("/api/v1/me/feedback"), t,
            Some(json!({"kind": "consultation", "title": "社保卡多久寄到", "content": "补换后多久能收到？"}))).await;
        assert_eq!(status, 201, "{created}");
        let fid = created["id"].as_str().unwrap();
        let reply = call(Method::POST, &d.url(&format!("/api/v1/operator/feedback/{fid}/replies")), Some(OPERATOR),
            Some(json!({"author": "广州市人社局", "content": "一般 7 个工作日内寄出。"}))).await;
        assert_eq!(reply.0, 201, "{}", reply.1);
        let one = call(Method::GET, &d.url(&format!("/api/v1/me/feedback/{fid}")), t, None).await.1;
        assert_eq!(one["replies"][0]["author"], "广州市人社局");
        assert_eq!(one["status"], "answered");

        // Inbox: unread counts, read one, read all.
        let inbox = call(Method::GET, &d.url("/api/v1/me/messages"), t, None).await.1;
        let unread = inbox["unread"].as_u64().unwrap();
        assert!(unread >= 3, "{inbox}");
        let first = inbox["items"][0]["id"].as_str().unwrap();
        assert_eq!(call(Method::POST, &d.url(&format!("/api/v1/me/messages/{first}/read")), t, None).await.0, 204);
        assert_eq!(call(Method::GET, &d.url("/api/v1/me/messages"), t, None).await.1["unread"], unread - 1);
        let all = call(Method::POST, &d.url("/api/v1/me/messages/read-all"), t, None).await.1;
        assert_eq!(all["marked"], unread - 1);

        // The pinned notice: dismissed for Alice only.
        let notice = call(Method::GET, &d.url("/api/v1/notice"), t, None).await.1;
        let nid = notice["notice"]["id"].as_str().expect("a demo notice").to_string();
        assert_eq!(call(Method::POST, &d.url(&format!("/api/v1/me/messages/{nid}/dismiss")), t, None).await.0, 204);
        assert!(call(Method::GET, &d.url("/api/v1/notice"), t, None).await.1["notice"].is_null());
        let bob = login(&d, BOB).await;
        assert_eq!(call(Method::GET, &d.url("/api/v1/notice"), Some(&bob), None).await.1["notice"]["id"], nid.as_str());
        assert_eq!(call(Method::GET, &d.url("/api/v1/notice"), None, None).await.1["notice"]["id"], nid.as_str());

        // Settings and contact details.
        let settings = call(Method::PUT, &d.url("/api/v1/me/settings"), t, Some(json!({"login_validity_hours": 0, "login_methods": ["password"]}))).await;
        assert_problem("validity 0", &settings, 400, "invalid-request");
        let settings = call(Method::PUT, &d.url("/api/v1/me/settings"), t, Some(json!({"login_validity_hours": 24, "login_methods": ["password"]}))).await;
        assert_eq!(settings.0, 200, "{}", settings.1);
        let code = call(Method::POST, &d.url("/api/v1/auth/sms-codes"), None, Some(json!({"phone": ALICE, "purpose": "login"}))).await;
        assert_eq!(code.0, 202);
        let sms = d.last_code(ALICE).expect("the outbox holds the code");
        let refused = call(Method::POST, &d.url("/api/v1/auth/login"), None, Some(json!({"phone": ALICE, "sms_code": sms}))).await;
        // A method turned off answers like wrong credentials: no oracle.
        assert_problem("sms login turned off", &refused, 401, "bad-credentials");
        let patch = call(Method::PATCH, &d.url("/api/v1/me/profile"), t, Some(json!({"contact_phone": "12345"}))).await;
        assert_problem("bad phone", &patch, 400, "invalid-request");
        assert_eq!(patch.1["parameter"], "contact_phone");
        let patch = call(Method::PATCH, &d.url("/api/v1/me/profile"), t, Some(json!({"contact_phone": "13612345678"}))).await;
        assert_eq!(patch.1["contact_phone"], "136****5678");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn registration_sms_login_rate_limits_and_organisations() {
    each_backend(async |d: CentreDaemon| {
        let phone = "13700001234";
        let sent = call(
            Method::POST,
            &d.url("/api/v1/auth/sms-codes"),
            None,
            Some(json!({"phone": phone, "purpose": "register"})),
        )
        .await;
        assert_eq!(sent.0, 202);
        let again = call(
            Method::POST,
            &d.url("/api/v1/auth/sms-codes"),
            None,
            Some(json!({"phone": phone, "purpose": "register"})),
        )
        .await;
        assert_problem("second code within a minute", &again, 429, "rate-limited");
        assert!(again.2.get("retry-after").is_some());
        let code = d.last_code(phone).unwrap();
        let weak = call(
            Method::POST,
            &d.url("/api/v1/auth/register"),
            None,
            Some(json!({"phone": phone, "sms_code": code, "password": "123"})),
        )
        .await;
        assert_problem("weak password", &weak, 400, "invalid-request");
        let (status, reg, _) = call(
            Method::POST,
            &d.url("/api/v1/auth/register"),
            None,
            Some(json!({"phone": phone, "sms_code": code, "password": "my-pass-2026"})),
        )
        .await;
        assert_eq!(status, 201, "{reg}");
        assert_eq!(reg["level"], "L1");
        let token = reg["token"].as_str().unwrap();
        // Real name: the ID number's check digit, then the identity record.
        let bad = call(
            Method::POST,
            &d.url("/api/v1/me/verification/real-name"),
            Some(token),
            Some(json!({"name": "黄志强", "id_number": "440606197001010012"})),
        )
        .await;
        assert_problem("bad check digit", &bad, 400, "invalid-request");
        assert!(
            !bad.1.to_string().contains("440606197001010012"),
            "never echoed"
        );
        let ok = call(
            Method::POST,
            &d.url("/api/v1/me/verification/real-name"),
            Some(token),
            Some(json!({"name": "黄志强", "id_number": "440606197001010011"})),
        )
        .await;
        assert_eq!(ok.0, 200, "{}", ok.1);
        assert_eq!(ok.1["level"], "L2");
        // Organisation with a GB 32100 code; act for it.
        let org = call(
            Method::POST,
            &d.url("/api/v1/me/organisations"),
            Some(token),
            Some(json!({"uscc": "91440101MA5D8Y2K36", "name": "错码公司"})),
        )
        .await;
        assert_problem("bad credit code", &org, 400, "invalid-request");
        let org = call(
            Method::POST,
            &d.url("/api/v1/me/organisations"),
            Some(token),
            Some(json!({"uscc": valid_uscc("91440606MA4UXY123"), "name": "佛山示范商行"})),
        )
        .await;
        assert_eq!(org.0, 201, "{}", org.1);
        let oid = org.1["id"].as_str().unwrap();
        let acting = call(
            Method::POST,
            &d.url(&format!("/api/v1/me/organisations/{oid}/act")),
            Some(token),
            None,
        )
        .await;
        assert_eq!(acting.0, 200, "{}", acting.1);
        let org_token = acting.1["token"].as_str().unwrap();
        let org_profile = call(
            Method::GET,
            &d.url("/api/v1/me/profile"),
            Some(org_token),
            None,
        )
        .await
        .1;
        assert_eq!(org_profile["kind"], "organisation");
        assert_eq!(org_profile["name"], "佛山示范商行");
        // Alice cannot act for it.
        let alice = login(&d, ALICE).await;
        let no = call(
            Method::POST,
            &d.url(&format!("/api/v1/me/organisations/{oid}/act")),
            Some(&alice),
            None,
        )
        .await;
        assert_problem("not an agent", &no, 404, "not-found");

        // Five wrong passwords lock the account for a while; the same
        // answer for a phone that is not registered.
        let wrong = json!({"phone": phone, "password": "wrong-pass-1"});
        let unknown = call(
            Method::POST,
            &d.url("/api/v1/auth/login"),
            None,
            Some(json!({"phone": "13799999999", "password": "wrong-pass-1"})),
        )
        .await;
        for _ in 0..5 {
            let answer = call(
                Method::POST,
                &d.url("/api/v1/auth/login"),
                None,
                Some(wrong.clone()),
            )
            .await;
            assert_problem("wrong password", &answer, 401, "bad-credentials");
            assert_eq!(answer.1["detail"], unknown.1["detail"]);
        }
        let locked = call(
            Method::POST,
            &d.url("/api/v1/auth/login"),
            None,
            Some(json!({"phone": phone, "password": "my-pass-2026"})),
        )
        .await;
        assert_problem("locked", &locked, 429, "rate-limited");
        let retry: u64 = locked.2["retry-after"].to_str().unwrap().parse().unwrap();
        assert!((1..=900).contains(&retry));
        let both = call(
            Method::POST,
            &d.url("/api/v1/auth/login"),
            None,
            Some(json!({"phone": ALICE, "password": PASSWORD, "sms_code": "123456"})),
        )
        .await;
        assert_eq!(both.0, 200, "the password is used when both are sent");
        let neither = call(
            Method::POST,
            &d.url("/api/v1/auth/login"),
            None,
            Some(json!({"phone": ALICE})),
        )
        .await;
        assert_problem("no credential", &neither, 401, "bad-credentials");
    })
    .await;
}

/// A request as a reader of `lang` sends it.
async fn call_in(
    lang: &str,
    method: Method,
    url: String,
    token: Option<&str>,
    body: Option<Value>,
) -> (u16, Value, reqwest::header::HeaderMap) {
    let mut request = reqwest::Client::new()
        .request(method, url)
        .header("accept-language", lang);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let body = response.json().await.unwrap_or(Value::Null);
    (status, body, headers)
}

fn has_han(text: &str) -> bool {
    text.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
}

/// Three Latin words in a row outside brackets: an English sentence.
fn english_sentence(text: &str) -> bool {
    let mut depth = 0usize;
    let mut outside = String::new();
    for c in text.chars() {
        match c {
            '（' | '(' | '“' | '「' => depth += 1,
            '）' | ')' | '”' | '」' => depth = depth.saturating_sub(1),
            _ if depth == 0 => outside.push(c),
            _ => {}
        }
    }
    outside
        .split(|c: char| !(c.is_ascii_alphabetic() || c == ' '))
        .any(|run| run.split(' ').filter(|w| w.len() >= 2).count() >= 3)
}

/// The walk of issue 23: the errors a citizen met in developer English —
/// a wrong password, a page after logging out, an L1 person adding a
/// licence, a bad ID number, a banned word, a failed face check, a body of
/// the wrong type — now read in the language they chose.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn problems_reach_people_in_their_language() {
    let d = start(None, "sqlite").await;
    let phone = "13700005678";
    call(
        Method::POST,
        d.url("/api/v1/auth/sms-codes"),
        None,
        Some(json!({"phone": phone, "purpose": "register"})),
    )
    .await;
    let code = d.last_code(phone).unwrap();
    let (status, reg, _) = call(
        Method::POST,
        d.url("/api/v1/auth/register"),
        None,
        Some(json!({"phone": phone, "sms_code": code, "password": "my-pass-2026"})),
    )
    .await;
    assert_eq!(status, 201, "{reg}");
    let token = reg["token"].as_str().unwrap().to_string();
    let t = Some(token.as_str());
    let banned =
        std::fs::read_to_string(yuesou::bundled_root().join("dictionaries/banned_words.txt"))
            .unwrap();
    let word = banned
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with('#'))
        .unwrap()
        .to_string();

    type Case = (
        &'static str,
        Method,
        &'static str,
        bool,
        Option<Value>,
        &'static str,
    );
    let cases: Vec<Case> = vec![
        (
            "wrong password",
            Method::POST,
            "/api/v1/auth/login",
            false,
            Some(json!({"phone": ALICE, "password": "not-the-password"})),
            "err-bad-credentials",
        ),
        (
            "after logging out",
            Method::GET,
            "/api/v1/me/applications/abc",
            false,
            None,
            "err-unauthenticated",
        ),
        (
            "L1 adds a licence",
            Method::POST,
            "/api/v1/me/wallet",
            true,
            Some(json!({})),
            "err-step-up-required",
        ),
        (
            "bad ID number",
            Method::POST,
            "/api/v1/me/verification/real-name",
            true,
            Some(json!({"name": "黄志强", "id_number": "440606197001010012"})),
            "err-id-number-check",
        ),
        (
            "banned word",
            Method::POST,
            "/api/v1/me/feedback",
            true,
            Some(
                json!({"kind": "complaint", "title": "建议", "content": format!("网上有人{word}")}),
            ),
            "err-banned-word",
        ),
        (
            "wrong type",
            Method::POST,
            "/api/v1/me/feedback",
            true,
            Some(json!({"kind": "complaint", "title": 12, "content": "x"})),
            "err-json-invalid-type",
        ),
        (
            "unknown parameter",
            Method::GET,
            "/api/v1/search?q=社保&colour=red",
            false,
            None,
            "err-param-unknown",
        ),
    ];
    for (what, method, path, authed, body, code) in &cases {
        let mut seen = Vec::new();
        for lang in ["zh-CN", "zh-HK", "en-GB,en;q=0.9"] {
            let (status, problem, headers) = call_in(
                lang,
                method.clone(),
                d.url(path),
                authed.then_some(token.as_str()),
                body.clone(),
            )
            .await;
            assert!(status >= 400, "{what}: {status} {problem}");
            assert_eq!(problem["code"], *code, "{what} in {lang}: {problem}");
            let (title, detail) = (
                problem["title"].as_str().unwrap(),
                problem["detail"].as_str().unwrap(),
            );
            let tag = headers
                .get("content-language")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("");
            if lang.starts_with("en") {
                assert_eq!(tag, "en");
                assert!(
                    !has_han(title) && !has_han(detail.replace(&word, "").as_str()),
                    "{what} in en: {problem}"
                );
            } else {
                assert_eq!(tag, lang);
                assert!(
                    has_han(title) && has_han(detail),
                    "{what} in {lang}: {problem}"
                );
                assert!(
                    !english_sentence(detail) && !english_sentence(title),
                    "{what} in {lang}: {problem}"
                );
            }
            seen.push(detail.to_string());
        }
        assert_ne!(seen[0], seen[1], "{what}: zh-HK is its own text");
    }

    // At L2 a failed face check reads as Chinese too.
    let ok = call(
        Method::POST,
        d.url("/api/v1/me/verification/real-name"),
        t,
        Some(json!({"name": "黄志强", "id_number": "440606197001010011"})),
    )
    .await;
    assert_eq!(ok.0, 200, "{}", ok.1);
    let face = call_in(
        "zh-CN",
        Method::POST,
        d.url("/api/v1/me/verification/face"),
        t,
        Some(json!({"sample": "spoof"})),
    )
    .await;
    assert_eq!(face.1["code"], "err-face-mismatch", "{}", face.1);
    assert!(has_han(face.1["detail"].as_str().unwrap()));

    // Labels and messages the platform writes follow the reader too.
    let alice = login(&d, ALICE).await;
    let zh = call_in(
        "zh-CN",
        Method::GET,
        d.url("/api/v1/me/applications"),
        Some(&alice),
        None,
    )
    .await
    .1;
    let en = call_in(
        "en",
        Method::GET,
        d.url("/api/v1/me/applications"),
        Some(&alice),
        None,
    )
    .await
    .1;
    let (zh_label, en_label) = (
        zh["items"][0]["status_label"].as_str().unwrap(),
        en["items"][0]["status_label"].as_str().unwrap(),
    );
    assert!(
        has_han(zh_label) && !has_han(en_label),
        "{zh_label} / {en_label}"
    );
    let en_wallet = call_in(
        "en",
        Method::GET,
        d.url("/api/v1/me/wallet"),
        Some(&alice),
        None,
    )
    .await
    .1;
    let licence = &en_wallet["items"][0];
    assert!(
        !has_han(licence["type_name"].as_str().unwrap()),
        "{licence}"
    );
    assert!(
        licence["fields"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| !has_han(f["label"].as_str().unwrap())),
        "{licence}"
    );
    // A search without hits explains itself in the reader's language.
    let search = call_in(
        "en",
        Method::GET,
        d.url("/api/v1/search?q=%E6%88%91%E6%83%B3"),
        None,
        None,
    )
    .await
    .1;
    let message = search["message"].as_str().unwrap_or("");
    assert!(!message.is_empty() && !has_han(message), "{search}");
    // The web app's texts: one language at a time, unknown ones refused.
    let (status, _, _) = call(Method::GET, d.url("/api/v1/i18n/fr"), None, None).await;
    assert_eq!(status, 404);
}

/// 查询 and 证明 through the development gateway: a person's own 公积金
/// records (L2), public weather (no login), a 户籍证明 into the wallet (L3)
/// that presents and verifies like any licence.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn records_and_certificates_through_the_departments() {
    each_backend(async |d: CentreDaemon| {
        let kind = call(
            Method::GET,
            d.url("/api/v1/items/gjj-jcmx-440100/record-kind"),
            None,
            None,
        )
        .await;
        assert_eq!(kind.0, 200, "{}", kind.1);
        assert_eq!(
            (kind.1["scope"].as_str(), kind.1["level"].as_str()),
            (Some("personal"), Some("L2"))
        );
        assert!(
            kind.1["filters"]
                .as_array()
                .unwrap()
                .iter()
                .any(|f| f["type"] == "month_range")
        );
        // Key figures say their type: money is integer fen, shown as yuan.
        assert!(
            kind.1["summary"]
                .as_array()
                .unwrap()
                .iter()
                .any(|s| s["name"] == "sum_total" && s["type"] == "money"),
            "{}",
            kind.1
        );
        let not_records = call(
            Method::GET,
            d.url("/api/v1/items/hz-hjzm-440100/record-kind"),
            None,
            None,
        )
        .await;
        assert_problem(
            "a 证明 item has no record kind",
            &not_records,
            404,
            "not-found",
        );
        // What a 证明 item issues, so the app asks for a purpose first.
        let plain = call(
            Method::GET,
            d.url("/api/v1/items/hz-hjzm-440100/certificate"),
            None,
            None,
        )
        .await;
        assert_eq!(plain.0, 200, "{}", plain.1);
        assert_eq!(plain.1["licence_type"], "household_certificate");
        assert_eq!(plain.1["level"], "L3");
        assert_eq!(plain.1["purpose_required"], false);
        let with_purpose = call(
            Method::GET,
            d.url("/api/v1/items/gjj-jczm-440100/certificate"),
            None,
            None,
        )
        .await
        .1;
        assert_eq!(with_purpose["purpose_required"], true, "{with_purpose}");
        assert!(
            with_purpose["purposes"]
                .as_array()
                .unwrap()
                .iter()
                .any(|p| p == "子女入学"),
            "{with_purpose}"
        );
        assert_problem(
            "a 查询 item issues no certificate",
            &call(
                Method::GET,
                d.url("/api/v1/items/gjj-jcmx-440100/certificate"),
                None,
                None,
            )
            .await,
            404,
            "not-found",
        );

        let url = |q: &str| d.url(&format!("/api/v1/me/records?item=gjj-jcmx-440100{q}"));
        assert_problem(
            "anonymous",
            &call(Method::GET, url(""), None, None).await,
            401,
            "unauthenticated",
        );
        let bob = login(&d, BOB).await;
        let low = call(Method::GET, url(""), Some(&bob), None).await;
        assert_problem("L1", &low, 403, "step-up-required");
        assert_eq!(low.1["level"], "L2");

        let alice = login(&d, ALICE).await;
        let (status, page, _) = call(Method::GET, url("&size=5"), Some(&alice), None).await;
        assert_eq!(status, 200, "{page}");
        assert_eq!(page["kind"], "housing_fund_deposits");
        assert!(page["rows"].as_array().unwrap().len() <= 5);
        assert!(page["total"].as_u64().unwrap() >= page["rows"].as_array().unwrap().len() as u64);
        assert!(
            !page["summary"].as_object().unwrap().is_empty(),
            "key figures: {page}"
        );
        let again = call(Method::GET, url("&size=5"), Some(&alice), None)
            .await
            .1;
        assert_eq!(
            again["rows"], page["rows"],
            "the same look-up, the same rows"
        );
        let bad = call(
            Method::GET,
            url("&month=2025-13/2025-01"),
            Some(&alice),
            None,
        )
        .await;
        assert_problem("bad month", &bad, 400, "invalid-parameter");
        assert_eq!(bad.1["parameter"], "month");
        let unknown = call(Method::GET, url("&colour=red"), Some(&alice), None).await;
        assert_problem("unknown filter", &unknown, 400, "invalid-parameter");
        let past_end = call(Method::GET, url("&page=1000"), Some(&alice), None).await;
        assert_eq!(past_end.0, 200);
        assert!(
            past_end.1["rows"].as_array().unwrap().is_empty(),
            "paging past the end is empty"
        );

        let weather = call(
            Method::GET,
            d.url("/api/v1/me/records?item=ggfw-tq-440100"),
            None,
            None,
        )
        .await;
        assert_eq!(weather.0, 200, "public kinds need no login: {}", weather.1);
        assert_eq!(weather.1["rows"].as_array().unwrap().len(), 7);

        // 证明: L3 (a fresh face check), into the wallet, presentable.
        let body = json!({"item_id": "hz-hjzm-440100"});
        let l2 = call(
            Method::POST,
            d.url("/api/v1/me/certificates"),
            Some(&alice),
            Some(body.clone()),
        )
        .await;
        assert_problem("证明 needs L3", &l2, 403, "step-up-required");
        let face = call(
            Method::POST,
            d.url("/api/v1/me/verification/face"),
            Some(&alice),
            Some(json!({"sample": "live-demo"})),
        )
        .await;
        assert_eq!(face.0, 200, "{}", face.1);
        let (status, cert, _) = call(
            Method::POST,
            d.url("/api/v1/me/certificates"),
            Some(&alice),
            Some(body.clone()),
        )
        .await;
        assert_eq!(status, 201, "{cert}");
        assert_eq!(cert["type"], "household_certificate");
        let twice = call(
            Method::POST,
            d.url("/api/v1/me/certificates"),
            Some(&alice),
            Some(body),
        )
        .await;
        assert_eq!(twice.1["id"], cert["id"], "a double tap is one certificate");
        let wallet = call(Method::GET, d.url("/api/v1/me/wallet"), Some(&alice), None)
            .await
            .1;
        assert!(
            wallet["items"]
                .as_array()
                .unwrap()
                .iter()
                .any(|i| i["id"] == cert["id"]),
            "{wallet}"
        );
        let id = cert["id"].as_str().unwrap();
        let presented = call(
            Method::POST,
            d.url(&format!("/api/v1/me/wallet/{id}/present")),
            Some(&alice),
            Some(json!({"disclose": ["number", "authority"]})),
        )
        .await;
        assert_eq!(presented.0, 200, "{}", presented.1);
        let verified = call(
            Method::POST,
            d.url("/api/v1/wallet/redeem"),
            None,
            Some(json!({"code": presented.1["code"]})),
        )
        .await;
        assert_eq!(verified.0, 200, "{}", verified.1);
        assert_eq!(verified.1["type"], "household_certificate");

        // The gateway's numbers are in /metrics, by department.
        let metrics = reqwest::get(d.url("/metrics"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            metrics.contains("yuesou_gateway_calls_total{department="),
            "{metrics}"
        );
        assert!(!metrics.contains(ALICE));
    })
    .await;
}

/// A department that fails or is slow makes its own services answer
/// `503 department-unavailable` — the others keep working — and recovers
/// by itself: the daemon's HTTP gateway against two reference departments
/// speaking the signed contract of docs/INTEGRATION.md.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_department_down_leaves_the_others_working() {
    use base64::Engine as _;
    use std::sync::Arc;
    use yuesou_gateway::signing::{SigningKey, Verifier};
    use yuesou_gateway::testing::ReferenceServer;

    let home = yuesou::bundled_root();
    let dev: Arc<dyn yuesou_gateway::DepartmentGateway> =
        Arc::new(yuesou_gateway::DevGateway::from_data_dir(&home.join("data")).unwrap());
    let seed = [7u8; 32];
    let verifier = Verifier::new();
    verifier.add_key(
        "platform-1",
        SigningKey::ed25519_from_seed(&seed).verifying_key(),
    );
    let verifier = Arc::new(verifier);
    let fund = ReferenceServer::start(
        dev.clone(),
        verifier.clone(),
        "广州住房公积金管理中心",
        "/gjj/",
    )
    .await
    .unwrap();
    let weather = ReferenceServer::start(dev, verifier, "广州市气象局", "/qx/")
        .await
        .unwrap();
    let key = base64::engine::general_purpose::STANDARD.encode(seed);
    let config = format!(
        r#"
[departments.gjj]
names = ["广州住房公积金管理中心"]
base_url = "{}"
key_id = "platform-1"
algorithm = "ed25519"
signing_key = "{key}"
timeout_ms = 1000
retries = 0
[departments.gjj.breaker]
consecutive_failures = 2
cooldown_ms = 300
[departments.qx]
names = ["广州市气象局"]
base_url = "{}"
key_id = "platform-1"
algorithm = "ed25519"
signing_key = "{key}"
"#,
        fund.base_url(),
        weather.base_url()
    );
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("gateway.toml");
    std::fs::write(&file, config).unwrap();
    let d = centre_support::start_with(
        None,
        "sqlite",
        yuesou::server::ConfigLayer {
            gateway: Some(file),
            ..Default::default()
        },
    )
    .await;
    let alice = login(&d, ALICE).await;
    let fund_url = d.url("/api/v1/me/records?item=gjj-jcmx-440100&size=3");
    let weather_url = d.url("/api/v1/me/records?item=ggfw-tq-440100");
    let ok = call(Method::GET, fund_url.clone(), Some(&alice), None).await;
    assert_eq!(ok.0, 200, "through the HTTP gateway: {}", ok.1);
    assert!(fund.request_count() >= 1, "the department was asked");
    // Audited: the look-ups that showed records, each once; the item, never
    // the records.
    let db = yuesou::centre::Db::open_sqlite(&d.home.path().join("state"))
        .await
        .unwrap();
    let lookups = async || -> Vec<String> {
        sqlx::query_scalar(
            "SELECT target FROM audit_log WHERE action = 'records.lookup' ORDER BY at",
        )
        .fetch_all(db.pool())
        .await
        .unwrap()
    };
    assert_eq!(lookups().await, ["gjj-jcmx-440100"]);

    // The fund centre fails: its look-ups are 503 with a wait; the weather
    // service is untouched.
    fund.knobs().fail_next(1000, 503);
    for _ in 0..4 {
        let down = call(Method::GET, fund_url.clone(), Some(&alice), None).await;
        assert_problem("department down", &down, 503, "department-unavailable");
        assert!(down.1["retry_after"].as_u64().is_some(), "{}", down.1);
        assert!(has_han(down.1["detail"].as_str().unwrap()));
        let fine = call(Method::GET, weather_url.clone(), None, None).await;
        assert_eq!(fine.0, 200, "another department keeps working: {}", fine.1);
    }
    let metrics = reqwest::get(d.url("/metrics"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics.contains("yuesou_gateway_breaker_state{department=\"gjj\"} 2"),
        "{metrics}"
    );
    assert!(
        metrics.contains("yuesou_gateway_breaker_state{department=\"qx\"} 0"),
        "{metrics}"
    );
    assert_eq!(
        lookups().await.len(),
        1,
        "a look-up that showed nothing wrote nothing (the weather needs no login)"
    );
    let ready = reqwest::get(d.url("/readyz"))
        .await
        .unwrap()
        .status()
        .as_u16();
    assert_eq!(
        ready, 200,
        "one department down does not make the daemon unready"
    );

    // It comes back: after the breaker's cooldown the next call probes and
    // succeeds.
    fund.knobs().reset();
    let mut recovered = false;
    for _ in 0..30 {
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        if call(Method::GET, fund_url.clone(), Some(&alice), None)
            .await
            .0
            == 200
        {
            recovered = true;
            break;
        }
    }
    assert!(recovered, "the department's services recover by themselves");
    assert_eq!(lookups().await.len(), 2, "the look-up after recovery");
}

/// Polls Alice's inbox until a message of `kind` whose title starts with
/// `title` arrives (the reminder dispatcher runs every few seconds).
async fn wait_for_message(d: &CentreDaemon, token: &str, title: &str) -> Value {
    for _ in 0..60 {
        let (_, inbox, _) = call(
            Method::GET,
            d.url("/api/v1/me/messages?size=50"),
            Some(token),
            None,
        )
        .await;
        if let Some(m) = inbox["items"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|m| m["title"].as_str().is_some_and(|t| t.starts_with(title)))
        {
            return m.clone();
        }
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
    }
    panic!("{}: no message titled {title}", d.backend);
}

/// A booking made for an application's in-person step goes on that
/// application's timeline, once; another person's application is not
/// found and nothing is booked.
#[tokio::test]
async fn a_booking_for_an_application_goes_on_its_timeline() {
    each_backend(async |d: CentreDaemon| {
        let item = "crj-gasl-440100";
        let alice = login(&d, ALICE).await;
        let (status, draft, _) = call(
            Method::POST,
            d.url("/api/v1/me/applications"),
            Some(&alice),
            Some(json!({"item_id": item})),
        )
        .await;
        assert_eq!(status, 201, "{draft}");
        let application = draft["id"].as_str().unwrap().to_owned();
        // From tomorrow, as `appointments_from_slots_to_reminders` lists: a
        // slot within the hour before its start can no longer be moved or
        // cancelled, and this test does both whatever the time it runs at.
        let tomorrow = (time::OffsetDateTime::now_utc().to_offset(time::macros::offset!(+8))
            + time::Duration::days(1))
        .date();
        let (status, listing, _) = call(
            Method::GET,
            d.url(&format!(
                "/api/v1/items/{item}/slots?from={tomorrow}&days=14"
            )),
            None,
            None,
        )
        .await;
        assert_eq!(status, 200, "{listing}");
        let hall = &listing["halls"][0];
        let open: Vec<String> = hall["days"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|day| day["state"] == "open")
            .flat_map(|day| day["slots"].as_array().unwrap().iter())
            .filter(|s| s["left"].as_u64().unwrap() > 0)
            .map(|s| s["start"].as_str().unwrap().to_owned())
            .take(2)
            .collect();
        assert_eq!(open.len(), 2, "two open slots: {listing}");
        let (start, later) = (&open[0], &open[1]);
        let body = json!({
            "item_id": item,
            "hall_id": hall["hall_id"],
            "start": start,
            "application_id": application,
        });
        let url = d.url("/api/v1/me/appointments");

        // Bob, at L2 too, cannot hang a booking on Alice's application.
        let bob = login(&d, BOB).await;
        let real_name = call(
            Method::POST,
            &d.url("/api/v1/me/verification/real-name"),
            Some(&bob),
            Some(json!({"name": "黄志强", "id_number": "440606197001010011"})),
        )
        .await;
        assert_eq!(real_name.1["level"], "L2", "{}", real_name.1);
        let foreign = call(Method::POST, &url, Some(&bob), Some(body.clone())).await;
        assert_problem("another's application", &foreign, 404, "not-found");
        let (_, bobs, _) = call(Method::GET, &url, Some(&bob), None).await;
        assert_eq!(
            bobs["items"].as_array().map_or(usize::MAX, Vec::len),
            0,
            "{bobs}"
        );

        // Alice books for it, twice with one key (a retried request).
        let send = || {
            reqwest::Client::new()
                .post(&url)
                .bearer_auth(&alice)
                .header("Idempotency-Key", "for-the-application")
                .json(&body)
                .send()
        };
        let first = send().await.unwrap();
        assert_eq!(first.status().as_u16(), 201);
        let first: Value = first.json().await.unwrap();
        let again: Value = send().await.unwrap().json().await.unwrap();
        assert_eq!(first["id"], again["id"]);
        assert_eq!(first["application_id"], application.as_str());

        let (status, read, _) = call(
            Method::GET,
            d.url(&format!("/api/v1/me/applications/{application}")),
            Some(&alice),
            None,
        )
        .await;
        assert_eq!(status, 200, "{read}");
        let booked: Vec<&Value> = read["timeline"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["note"].as_str().unwrap().starts_with("已预约"))
            .collect();
        assert_eq!(booked.len(), 1, "one timeline entry: {read}");
        let note = booked[0]["note"].as_str().unwrap();
        assert!(note.contains(&start[11..16]), "the time in {note:?}");
        assert!(note.contains("港澳通行证"), "the service in {note:?}");

        // Moving it and cancelling it (twice: a retried request) go on the
        // timeline too, once each.
        let (status, moved, _) = call(
            Method::POST,
            d.url(&format!(
                "/api/v1/me/appointments/{}/reschedule",
                first["id"].as_str().unwrap()
            )),
            Some(&alice),
            Some(json!({"start": later})),
        )
        .await;
        assert_eq!(status, 200, "{moved}");
        assert_eq!(moved["application_id"], application.as_str(), "{moved}");
        let moved_id = moved["id"].as_str().unwrap();
        for _ in 0..2 {
            let (status, cancelled, _) = call(
                Method::DELETE,
                d.url(&format!("/api/v1/me/appointments/{moved_id}")),
                Some(&alice),
                None,
            )
            .await;
            assert_eq!(status, 200, "{cancelled}");
        }
        let (_, read, _) = call(
            Method::GET,
            d.url(&format!("/api/v1/me/applications/{application}")),
            Some(&alice),
            None,
        )
        .await;
        let notes: Vec<&str> = read["timeline"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|e| e["note"].as_str())
            .collect();
        let moves: Vec<&&str> = notes.iter().filter(|n| n.contains("已从")).collect();
        assert_eq!(moves.len(), 1, "one move: {notes:?}");
        assert!(
            moves[0].contains(&start[11..16]) && moves[0].contains(&later[11..16]),
            "from and to in {:?}",
            moves[0]
        );
        let cancels: Vec<&&str> = notes.iter().filter(|n| n.starts_with("已取消")).collect();
        assert_eq!(cancels.len(), 1, "one cancellation: {notes:?}");
        assert!(cancels[0].contains(&later[11..16]), "{:?}", cancels[0]);
    })
    .await;
}

/// 预约 over HTTP: slots at the nearest halls, a booking with its code and
/// QR (a double tap books once), the rules' refusals in Chinese with stable
/// types, moving and cancelling, another person's booking not found, the
/// hall closing a day (the holder moved first and told), reminders in the
/// inbox once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn appointments_from_slots_to_reminders() {
    each_backend(async |d: CentreDaemon| {
        let item = "crj-gasl-440100";
        let tomorrow = (time::OffsetDateTime::now_utc().to_offset(time::macros::offset!(+8))
            + time::Duration::days(1))
        .date();
        let from = format!("{tomorrow}");
        let slots_url = |q: &str| d.url(&format!("/api/v1/items/{item}/slots?{q}"));
        // Nearest halls to a point in 天河 first, with distances.
        let (status, listing, _) = call(
            Method::GET,
            slots_url(&format!("from={from}&days=14&lat=23.13&lng=113.33")),
            None,
            None,
        )
        .await;
        assert_eq!(status, 200, "{listing}");
        let halls = listing["halls"].as_array().unwrap();
        assert!(!halls.is_empty() && halls.len() <= 3, "{listing}");
        let distances: Vec<f64> = halls
            .iter()
            .map(|h| h["distance_m"].as_f64().unwrap())
            .collect();
        assert!(
            distances.windows(2).all(|w| w[0] <= w[1]),
            "nearest first: {distances:?}"
        );
        let hall = halls[0]["hall_id"].as_str().unwrap().to_owned();
        let open_slots: Vec<String> = halls[0]["days"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|day| day["state"] == "open")
            .flat_map(|day| day["slots"].as_array().unwrap().iter())
            .filter(|s| s["left"].as_u64().unwrap() > 0)
            .map(|s| s["start"].as_str().unwrap().to_owned())
            .collect();
        assert!(open_slots.len() >= 3, "{listing}");
        assert!(
            halls[0]["days"]
                .as_array()
                .unwrap()
                .iter()
                .all(|day| !day["label"].as_str().unwrap().is_empty())
        );

        // Bad input: each a Chinese problem with a stable type, nothing written.
        let too_many = call(Method::GET, slots_url("days=40"), None, None).await;
        assert_problem("days over the limit", &too_many, 400, "invalid-parameter");
        let past = call(Method::GET, slots_url("from=2020-01-01"), None, None).await;
        assert_problem("a past date", &past, 400, "invalid-request");
        assert_eq!(past.1["code"], "err-booking-date-in-past");
        assert!(
            past.1["detail"].as_str().unwrap().contains("已过"),
            "{}",
            past.1
        );
        let not_bookable = call(
            Method::GET,
            d.url("/api/v1/items/gjj-jcmx-440100/slots"),
            None,
            None,
        )
        .await;
        assert_problem(
            "not a booked service",
            &not_bookable,
            400,
            "invalid-request",
        );
        let far_hall = call(Method::GET, slots_url("hall=hall-440300"), None, None).await;
        assert_problem("a hall of another city", &far_hall, 400, "invalid-request");
        assert_eq!(far_hall.1["code"], "err-booking-hall-does-not-book");

        let url = d.url("/api/v1/me/appointments");
        let body = json!({"item_id": item, "hall_id": hall, "start": open_slots[0]});
        let bob = login(&d, BOB).await;
        let l1 = call(Method::POST, &url, Some(&bob), Some(body.clone())).await;
        assert_problem("L1 cannot book", &l1, 403, "step-up-required");
        assert_eq!(l1.1["level"], "L2");
        let alice = login(&d, ALICE).await;
        let book = |body: Value, key: &'static str| {
            let url = url.clone();
            let alice = alice.clone();
            async move {
                let response = reqwest::Client::new()
                    .post(url)
                    .bearer_auth(alice)
                    .header("Idempotency-Key", key)
                    .json(&body)
                    .send()
                    .await
                    .unwrap();
                let status = response.status().as_u16();
                (status, response.json::<Value>().await.unwrap())
            }
        };
        // A double tap: two requests with one key at once book once.
        let (first, second) =
            tokio::join!(book(body.clone(), "tap-1"), book(body.clone(), "tap-1"));
        assert_eq!((first.0, second.0), (201, 201), "{} {}", first.1, second.1);
        assert_eq!(first.1["id"], second.1["id"], "a double tap books once");
        let booked = first.1;
        assert_eq!(booked["status"], "booked");
        assert_eq!(booked["status_label"], "已预约");
        let code = booked["check_in_code"].as_str().unwrap();
        assert_eq!(code.len(), 8);
        assert!(
            booked["check_in_qr_svg"]
                .as_str()
                .unwrap()
                .starts_with("<?xml")
        );
        assert!(!booked["notes"].as_str().unwrap().is_empty());
        let id = booked["id"].as_str().unwrap().to_owned();
        let again = call(
            Method::POST,
            &url,
            Some(&alice),
            Some(json!({"item_id": item, "hall_id": hall, "start": open_slots[1]})),
        )
        .await;
        assert_problem(
            "one active booking per service",
            &again,
            409,
            "already-booked",
        );
        let reused = book(
            json!({"item_id": item, "hall_id": hall, "start": open_slots[1]}),
            "tap-1",
        )
        .await;
        assert_eq!(
            reused.0, 409,
            "a key reused for another request: {}",
            reused.1
        );
        let odd = call(
            Method::POST,
            &url,
            Some(&alice),
            Some(json!({"item_id": item, "hall_id": hall, "start": "tomorrow 9am"})),
        )
        .await;
        assert_problem("not a time", &odd, 400, "invalid-parameter");
        assert_eq!(odd.1["parameter"], "start");

        // Listed with its code; another person cannot see, cancel or move it.
        let (_, list, _) = call(Method::GET, &url, Some(&alice), None).await;
        assert_eq!(list["items"][0]["id"], id.as_str());
        assert_eq!(list["items"][0]["check_in_code"], code);
        let one = d.url(&format!("/api/v1/me/appointments/{id}"));
        for method in [Method::GET, Method::DELETE] {
            let theirs = call(method.clone(), &one, Some(&bob), None).await;
            assert_problem(
                &format!("{method} by another person"),
                &theirs,
                404,
                "not-found",
            );
        }
        let moved_by_bob = call(
            Method::POST,
            format!("{one}/reschedule"),
            Some(&bob),
            Some(json!({"start": open_slots[1]})),
        )
        .await;
        assert!(matches!(moved_by_bob.0, 403 | 404), "{}", moved_by_bob.1);

        // Booked → a message, once.
        let message = wait_for_message(&d, &alice, "预约成功").await;
        assert!(
            message["body"].as_str().unwrap().contains("往来港澳通行证"),
            "{message}"
        );
        assert_eq!(message["link"], format!("/me/appointments/{id}"));

        // Moved: a new code.
        let (status, moved, _) = call(
            Method::POST,
            format!("{one}/reschedule"),
            Some(&alice),
            Some(json!({"start": open_slots[1]})),
        )
        .await;
        assert_eq!(status, 200, "{moved}");
        assert_eq!(moved["start"], open_slots[1].as_str());
        assert_ne!(moved["check_in_code"], code, "a move gives a new code");

        // The hall's side: its day lists the booking (without codes); a code
        // of another day is not found; closing the day moves Alice first.
        let day = &open_slots[1][..10];
        let (status, hall_day, _) = call(
            Method::GET,
            d.url(&format!(
                "/api/v1/operator/halls/{hall}/appointments?date={day}"
            )),
            Some(OPERATOR),
            None,
        )
        .await;
        assert_eq!(status, 200, "{hall_day}");
        assert!(
            hall_day["items"]
                .as_array()
                .unwrap()
                .iter()
                .any(|a| a["id"] == id.as_str())
        );
        assert!(
            !hall_day
                .to_string()
                .contains(moved["check_in_code"].as_str().unwrap())
        );
        let check_in = call(
            Method::POST,
            d.url(&format!("/api/v1/operator/halls/{hall}/check-in")),
            Some(OPERATOR),
            Some(json!({"code": moved["check_in_code"]})),
        )
        .await;
        assert_problem("not today", &check_in, 404, "not-found");
        let user_as_hall = call(
            Method::GET,
            d.url(&format!("/api/v1/operator/halls/{hall}/appointments")),
            Some(&alice),
            None,
        )
        .await;
        assert_eq!(user_as_hall.0, 401, "{}", user_as_hall.1);
        let (status, closed, _) = call(
            Method::POST,
            d.url(&format!("/api/v1/operator/halls/{hall}/closures")),
            Some(OPERATOR),
            Some(json!({"start": open_slots[1], "family": "crj-gasl", "reason": "系统升级"})),
        )
        .await;
        assert_eq!(status, 200, "{closed}");
        assert_eq!(
            (closed["displaced"].as_u64(), closed["moved"].as_u64()),
            (Some(1), Some(1)),
            "{closed}"
        );
        let told = wait_for_message(&d, &alice, "预约已为您调整").await;
        assert!(
            told["body"].as_str().unwrap().contains("系统升级"),
            "{told}"
        );
        let (_, list, _) = call(Method::GET, &url, Some(&alice), None).await;
        let active: Vec<&Value> = list["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|a| a["status"] == "booked")
            .collect();
        assert_eq!(active.len(), 1, "{list}");
        assert_eq!(active[0]["moved_from"], id.as_str());
        let new_id = active[0]["id"].as_str().unwrap();
        let closed_slot = call(
            Method::POST,
            &url,
            Some(&alice),
            Some(json!({"item_id": item, "hall_id": hall, "start": open_slots[1]})),
        )
        .await;
        assert!(matches!(closed_slot.0, 409), "{}", closed_slot.1);

        // Cancelled: the place is free again; cancelling twice answers the same.
        let cancel_url = d.url(&format!("/api/v1/me/appointments/{new_id}"));
        let (status, cancelled, _) = call(Method::DELETE, &cancel_url, Some(&alice), None).await;
        assert_eq!(status, 200, "{cancelled}");
        assert_eq!(cancelled["status"], "cancelled");
        assert_eq!(
            call(Method::DELETE, &cancel_url, Some(&alice), None)
                .await
                .1["status"],
            "cancelled"
        );

        // In English too.
        let english = reqwest::Client::new()
            .get(slots_url("from=2020-01-01"))
            .header("accept-language", "en")
            .send()
            .await
            .unwrap()
            .json::<Value>()
            .await
            .unwrap();
        assert!(
            english["detail"].as_str().unwrap().contains("passed"),
            "{english}"
        );
    })
    .await;
}

/// 缴费 over HTTP: Alice's bills from the development departments, a
/// payment made once however often it is asked (one key, one payment; a
/// second device paying the same bill is refused), confirmed on the
/// development provider's page, settled by its signed notification, its
/// receipt in the wallet; a forged notification changes nothing; Bob sees
/// none of it; an operator refunds it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bills_and_payments_exactly_once() {
    each_backend(async |d: CentreDaemon| {
        let bob = login(&d, BOB).await;
        let l1 = call(Method::GET, d.url("/api/v1/me/bills"), Some(&bob), None).await;
        assert_problem("bills need L2", &l1, 403, "step-up-required");
        let alice = login(&d, ALICE).await;
        let (status, bills, _) = call(Method::GET, d.url("/api/v1/me/bills"), Some(&alice), None).await;
        assert_eq!(status, 200, "{bills}");
        let bill = bills["bills"]
            .as_array()
            .unwrap()
            .iter()
            .find(|b| b["status"] == "unpaid")
            .unwrap_or_else(|| panic!("an unpaid bill: {bills}"))
            .clone();
        assert_eq!(bill["status_label"], "待缴费");
        assert!(bill["amount_fen"].as_i64().unwrap() > 0);
        let pay = |key: &'static str, token: String, body: Value| {
            let url = d.url("/api/v1/me/payments");
            async move {
                let mut request = reqwest::Client::new().post(url).bearer_auth(token).json(&body);
                if !key.is_empty() {
                    request = request.header("Idempotency-Key", key);
                }
                let response = request.send().await.unwrap();
                (response.status().as_u16(), response.json::<Value>().await.unwrap())
            }
        };
        let body = json!({"bill_id": bill["id"]});
        let no_key = pay("", alice.clone(), body.clone()).await;
        assert_eq!(no_key.0, 400, "{}", no_key.1);
        assert_eq!(no_key.1["parameter"], "Idempotency-Key");
        let (first, again) = tokio::join!(pay("pay-1", alice.clone(), body.clone()), pay("pay-1", alice.clone(), body.clone()));
        let mut answers = [first.0, again.0];
        answers.sort_unstable();
        assert_eq!(answers, [200, 201], "one key, one payment: {} {}", first.1, again.1);
        assert_eq!(first.1["id"], again.1["id"]);
        let payment = first.1;
        assert_eq!(payment["status"], "paying", "{payment}");
        let other_device = pay("pay-2", alice.clone(), body.clone()).await;
        assert_eq!(other_device.0, 409, "a second payment of the bill: {}", other_device.1);
        assert_eq!(other_device.1["code"], "err-payment-payment-in-progress");
        let id = payment["id"].as_str().unwrap().to_owned();
        let theirs = call(Method::GET, d.url(&format!("/api/v1/me/payments/{id}")), Some(&bob), None).await;
        assert_problem("another person's payment", &theirs, 404, "not-found");

        // A forged notification changes nothing.
        let forged = reqwest::Client::new()
            .post(d.url("/api/v1/payments/notify/dev"))
            .header("content-type", "application/json")
            .body(json!({"id": "n1", "event": "payment.succeeded", "out_trade_no": id, "order_id": "DEV1",
                "amount_fen": payment["amount_fen"], "at": "2026-12-07T10:00:00Z"}).to_string())
            .send()
            .await
            .unwrap();
        assert_eq!(forged.status().as_u16(), 403);
        let (_, still, _) = call(Method::GET, d.url(&format!("/api/v1/me/payments/{id}")), Some(&alice), None).await;
        assert_eq!(still["status"], "paying", "{still}");

        // Confirmed on the provider's page: settled, with a receipt in the wallet.
        let pay_url = payment["pay_url"].as_str().unwrap();
        let order = pay_url.rsplit('/').next().unwrap();
        let page = reqwest::get(d.url(&format!("/dev-pay/{order}"))).await.unwrap().text().await.unwrap();
        assert!(page.contains("确认支付"), "{page}");
        let confirm = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap()
            .post(d.url(&format!("/dev-pay/{order}/confirm")))
            .send()
            .await
            .unwrap();
        assert_eq!(confirm.status().as_u16(), 303);
        let mut settled = Value::Null;
        for _ in 0..80 {
            let (_, p, _) = call(Method::GET, d.url(&format!("/api/v1/me/payments/{id}")), Some(&alice), None).await;
            if p["status"] == "settled" && p["wallet_entry_id"].is_string() {
                settled = p;
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(250)).await;
        }
        assert_eq!(settled["status_label"], "缴费成功", "{settled}");
        assert!(settled["receipt_number"].is_string());
        let entry = settled["wallet_entry_id"].as_str().unwrap();
        let (_, receipt, _) = call(Method::GET, d.url(&format!("/api/v1/me/wallet/{entry}")), Some(&alice), None).await;
        assert_eq!(receipt["type"], "payment_receipt", "{receipt}");
        let paid_again = pay("pay-3", alice.clone(), body.clone()).await;
        assert_eq!(paid_again.0, 409, "{}", paid_again.1);
        let (_, list, _) = call(Method::GET, d.url("/api/v1/me/payments"), Some(&alice), None).await;
        assert_eq!(list["items"].as_array().unwrap().iter().filter(|p| p["status"] == "settled").count(), 1);
        let (_, bobs, _) = call(Method::GET, d.url("/api/v1/me/payments"), Some(&bob), None).await;
        assert!(bobs["items"].as_array().unwrap().is_empty(), "{bobs}");

        // The day reconciled on an operator's demand: the provider's
        // statement and the platform agree; the report is stored.
        let today = time::OffsetDateTime::now_utc()
            .to_offset(time::macros::offset!(+8))
            .date()
            .to_string();
        let recon_url = d.url(&format!("/api/v1/operator/payments/reconciliations/{today}"));
        let (status, report, _) = call(Method::POST, &recon_url, Some(OPERATOR), None).await;
        assert_eq!(status, 200, "{report}");
        assert_eq!(report["day"], today.as_str());
        assert!(report["platform_payments"].as_u64().unwrap() >= 1, "{report}");
        assert!(report["matched"].as_u64().unwrap() >= 1, "{report}");
        assert!(report["mismatches"].as_array().unwrap().iter().all(|m| m["payment_id"] != id.as_str()), "{report}");
        let (status, stored, _) = call(Method::GET, &recon_url, Some(OPERATOR), None).await;
        assert_eq!(status, 200, "{stored}");
        assert_eq!(stored["ran_at"], report["ran_at"]);
        let never = call(Method::GET, d.url("/api/v1/operator/payments/reconciliations/2020-01-01"), Some(OPERATOR), None).await;
        assert_problem("a day never reconciled", &never, 404, "not-found");
        let bad = call(Method::GET, d.url("/api/v1/operator/payments/reconciliations/2026-13-40"), Some(OPERATOR), None).await;
        assert_problem("not a day", &bad, 400, "invalid-parameter");
        let person = call(Method::POST, &recon_url, Some(&alice), None).await;
        assert_eq!(person.0, 401, "a person is no operator");

        // An operator refunds it; every change is in the audit trail.
        let refund = call(Method::POST, d.url(&format!("/api/v1/operator/payments/{id}/refund")), Some(OPERATOR),
            Some(json!({"reason": "重复缴费申请退款"}))).await;
        assert_eq!(refund.0, 200, "{}", refund.1);
        let (status, audit, _) = call(Method::GET, d.url(&format!("/api/v1/operator/payments/{id}/audit")), Some(OPERATOR), None).await;
        assert_eq!(status, 200, "{audit}");
        let steps: Vec<&str> = audit["transitions"].as_array().unwrap().iter().map(|t| t["to"].as_str().unwrap()).collect();
        assert!(steps.starts_with(&["created", "paying", "paid", "settled"]), "{steps:?}");
        let user_refund = call(Method::POST, d.url(&format!("/api/v1/operator/payments/{id}/refund")), Some(&alice),
            Some(json!({"reason": "x"}))).await;
        assert_eq!(user_refund.0, 401);

        // The payment counters are in /metrics by status, outcome and code,
        // before the end marker, and name nobody.
        let metrics = reqwest::get(d.url("/metrics")).await.unwrap().text().await.unwrap();
        let sample = |name: &str| {
            metrics
                .lines()
                .find_map(|l| l.strip_prefix(name)?.trim().parse::<u64>().ok())
                .unwrap_or_else(|| panic!("no {name} in the metrics"))
        };
        assert!(sample("yuesou_payments_created_total ") >= 1);
        assert!(sample("yuesou_payments_transitions_total{to=\"settled\"} ") >= 1);
        assert!(metrics.contains("# TYPE yuesou_payments_reconciliation_mismatches gauge"));
        assert!(metrics.trim_end().ends_with("# EOF"), "the end marker stays last");
        assert!(!metrics.contains(ALICE) && !metrics.contains(id.as_str()), "no personal data");
    })
    .await;
}

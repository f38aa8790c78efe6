//! The HTTP surface, route by route: every operation of the OpenAPI
//! document is called without credentials, with a person's session, with
//! another person's session, with the operator token, with the admin token
//! and with an expired session — on SQLite and on PostgreSQL — and each
//! answers what its security scheme says:
//!
//! - public routes answer the same whoever calls (a token is neither needed
//!   nor refused, an expired one is ignored);
//! - personal routes (`session`) refuse every credential but a live session
//!   with 401, and give another person's resources as 404, exactly like ids
//!   that do not exist;
//! - operator and admin routes refuse everything but their own token;
//! - a verifier's request result refuses everything but the request's own
//!   secret (401 without a bearer, 404 with any other).

use crate::centre_support;

use centre_support::{ALICE, BOB, CentreDaemon, OPERATOR, assert_problem, call, login};
use reqwest::Method;
use serde_json::{Value, json};
use yuesou::server::ConfigLayer;

const ADMIN: &str = "test-admin-token-abcdefghijklmnop";

/// Who calls.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Credential {
    Nobody,
    Person,
    OtherPerson,
    Operator,
    Admin,
    Expired,
}

const ALL: [Credential; 6] = [
    Credential::Nobody,
    Credential::Expired,
    Credential::Operator,
    Credential::Admin,
    Credential::OtherPerson,
    // Last: the owner may delete what the others were refused.
    Credential::Person,
];

/// What an operation's `security` requirement asks for.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Scheme {
    Public,
    Session,
    Operator,
    Admin,
    /// A verifier's request secret: no credential here is one.
    RequestSecret,
}

fn scheme_of(operation: &Value) -> Scheme {
    let Some(requirements) = operation["security"].as_array() else {
        return Scheme::Public;
    };
    let names: Vec<&str> = requirements
        .iter()
        .filter_map(|r| r.as_object())
        .flat_map(|r| r.keys().map(String::as_str))
        .collect();
    // An empty requirement ({}) among others means "optional".
    if requirements
        .iter()
        .any(|r| r.as_object().is_some_and(|o| o.is_empty()))
    {
        return Scheme::Public;
    }
    match names.as_slice() {
        ["session"] => Scheme::Session,
        ["operator_token"] => Scheme::Operator,
        ["admin_token"] => Scheme::Admin,
        ["request_secret"] => Scheme::RequestSecret,
        [] => Scheme::Public,
        other => panic!("unexpected security requirement {other:?}"),
    }
}

/// Ids of the owner's resources, by the path prefix that takes them.
#[derive(Default, Debug)]
struct Ids(Vec<(&'static str, String)>);

impl Ids {
    fn first(&self, prefix: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(p, _)| *p == prefix)
            .map(|(_, id)| id.as_str())
    }
}

fn ids_in(list: &Value, skip_broadcasts: bool) -> Vec<String> {
    let items = list
        .get("items")
        .or_else(|| list.get("entries"))
        .unwrap_or(list);
    items
        .as_array()
        .map(|a| {
            a.iter()
                .filter(|v| !skip_broadcasts || v["kind"] != "broadcast")
                .filter_map(|v| v["id"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// The hall the matrix books at and calls the hall's routes of.
const HALL: &str = "hall-440100";

/// Gives the owner one resource of every kind a route takes an id of.
async fn owners_resources(d: &CentreDaemon, token: &str) -> Ids {
    let mut ids = Ids::default();
    let (status, app, _) = call(
        Method::POST,
        d.url("/api/v1/me/applications"),
        Some(token),
        Some(json!({"item_id": "rcjy-jydj-440100"})),
    )
    .await;
    assert!(status == 201 || status == 200, "{}: {app}", d.backend);
    let (status, fb, _) = call(
        Method::POST,
        d.url("/api/v1/me/feedback"),
        Some(token),
        Some(json!({"kind": "consultation", "title": "矩阵", "content": "权限矩阵测试"})),
    )
    .await;
    assert_eq!(status, 201, "{}: {fb}", d.backend);
    let (status, _, _) = call(
        Method::GET,
        d.url("/api/v1/search?q=%E7%A4%BE%E4%BF%9D%E5%8D%A1"),
        Some(token),
        None,
    )
    .await;
    assert_eq!(status, 200);
    for (prefix, list, skip) in [
        (
            "/api/v1/me/applications/",
            "/api/v1/me/applications?size=50",
            false,
        ),
        ("/api/v1/me/feedback/", "/api/v1/me/feedback", false),
        ("/api/v1/me/history/", "/api/v1/me/history", false),
        ("/api/v1/me/messages/", "/api/v1/me/messages?size=50", true),
        (
            "/api/v1/me/organisations/",
            "/api/v1/me/organisations",
            false,
        ),
        ("/api/v1/me/sessions/", "/api/v1/me/sessions", false),
        ("/api/v1/me/wallet/", "/api/v1/me/wallet", false),
    ] {
        let (status, body, _) = call(Method::GET, d.url(list), Some(token), None).await;
        assert_eq!(status, 200, "{list}: {body}");
        let found = ids_in(&body, skip);
        assert!(!found.is_empty(), "{}: the owner has no {list}", d.backend);
        ids.0.extend(found.into_iter().map(|id| (prefix, id)));
    }
    // 预约: a booking of the first free slot from tomorrow on.
    let item = "crj-gasl-440100";
    let tomorrow = (time::OffsetDateTime::now_utc().to_offset(time::macros::offset!(+8))
        + time::Duration::days(1))
    .date();
    let (status, listing, _) = call(
        Method::GET,
        d.url(&format!(
            "/api/v1/items/{item}/slots?hall={HALL}&from={tomorrow}&days=14"
        )),
        None,
        None,
    )
    .await;
    assert_eq!(status, 200, "{listing}");
    let start = listing["halls"][0]["days"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|day| day["slots"].as_array().unwrap().iter())
        .find(|s| s["left"].as_u64().unwrap_or(0) > 0)
        .map(|s| s["start"].as_str().unwrap().to_owned())
        .unwrap_or_else(|| panic!("a free slot: {listing}"));
    let (status, booked, _) = call(
        Method::POST,
        d.url("/api/v1/me/appointments"),
        Some(token),
        Some(json!({"item_id": item, "hall_id": HALL, "start": start})),
    )
    .await;
    assert_eq!(status, 201, "{}: {booked}", d.backend);
    let booking_id = booked["id"].as_str().unwrap().to_owned();
    ids.0.push(("/api/v1/me/appointments/", booking_id.clone()));
    ids.0.push((
        "/api/v1/operator/halls/hall-440100/appointments/",
        booking_id,
    ));
    // 缴费: a payment of the first unpaid bill.
    let (status, bills, _) = call(Method::GET, d.url("/api/v1/me/bills"), Some(token), None).await;
    assert_eq!(status, 200, "{bills}");
    let bill = bills["bills"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["status"] == "unpaid")
        .unwrap_or_else(|| panic!("an unpaid bill: {bills}"));
    let paid = reqwest::Client::new()
        .post(d.url("/api/v1/me/payments"))
        .bearer_auth(token)
        .header("Idempotency-Key", "matrix-1")
        .json(&json!({"bill_id": bill["id"]}))
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap();
    let payment_id = paid["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{paid}"))
        .to_owned();
    ids.0.push(("/api/v1/me/payments/", payment_id.clone()));
    ids.0.push(("/api/v1/operator/payments/", payment_id));
    let app_id = ids.first("/api/v1/me/applications/").unwrap().to_string();
    // 办理 materials: a PDF in the application's first slot (rcjy-jydj's
    // flow has `id_card`).
    let (status, material, _) = crate::materials_http::post_form(
        &d.url(&format!("/api/v1/me/applications/{app_id}/materials")),
        token,
        crate::materials_http::form(
            Some("id_card"),
            Some((
                "矩阵.pdf",
                "application/pdf",
                &crate::materials_http::pdf("matrix", 10),
            )),
        ),
    )
    .await
    .unwrap();
    assert_eq!(status, 201, "{}: {material}", d.backend);
    ids.0
        .push(("material", material["id"].as_str().unwrap().to_owned()));
    let fb_id = ids.first("/api/v1/me/feedback/").unwrap().to_string();
    ids.0.push(("/api/v1/operator/applications/", app_id));
    ids.0.push(("/api/v1/operator/feedback/", fb_id));
    ids
}

/// The path with its parameters filled in with the owner's ids.
fn concrete(template: &str, ids: &Ids) -> String {
    let template = template.replace("{hall}", HALL);
    let template = template.as_str();
    let mut path = template.to_string();
    if let Some(at) = template.find("{id}") {
        let prefix = &template[..at];
        let id = match ids.first(prefix) {
            Some(id) => id.to_string(),
            None if prefix == "/api/v1/items/" => "sb-ylzy-440100".to_string(),
            None => panic!("no id for {template}"),
        };
        path = path.replace("{id}", &id);
    }
    if let Some(material) = ids.first("material") {
        path = path.replace("{material_id}", material);
    }
    path.replace("{step}", "0")
        .replace("{provider}", "dev")
        .replace("{day}", "2026-01-05")
        .replace("{query}", "%E5%85%AC%E7%A7%AF%E9%87%91")
}

/// Makes every session that exists now expired (by its expiry time in the
/// database, as if a week had passed).
async fn expire_all_sessions(d: &CentreDaemon, database: Option<&str>) {
    let url = match database {
        Some(url) => url.to_string(),
        None => format!(
            "sqlite://{}",
            d.home.path().join("state/centre.db").display()
        ),
    };
    let db = yuesou::centre::Db::connect(&url).await.unwrap();
    let done = sqlx::query("UPDATE sessions SET expires_at = 1")
        .execute(db.pool())
        .await
        .unwrap();
    assert!(done.rows_affected() >= 1);
    db.close().await;
}

/// A body the route accepts in form (so that what is checked is who may
/// call it, not the body): an empty object, or the least a route needs.
fn body_for(template: &str, method: &Method) -> Option<Value> {
    if !matches!(*method, Method::POST | Method::PUT | Method::PATCH) {
        return None;
    }
    Some(match template {
        // Step 0 of the owner's typed 就业登记 draft (rcjy-jydj), as Alice
        // (L2) fills it: her masked phone, her name and ID number left to
        // the verified identity.
        t if t.ends_with("/steps/{step}") => json!({"answers": {
            "applicant_phone": "138****0001",
            "kind": "灵活就业",
            "start_date": "2024-03-01",
            "post": "外卖配送员",
            "work_address": {"code": "440106", "detail": "天河路 1 号"},
        }}),
        t if t.ends_with("/present") => json!({"disclose": []}),
        t if t.ends_with("/check") => json!({"answers": {}}),
        _ => json!({}),
    })
}

async fn matrix(d: CentreDaemon, database: Option<String>) {
    // An expired session of Alice's: logged in, then a week passes.
    let expired = login(&d, ALICE).await;
    expire_all_sessions(&d, database.as_deref()).await;
    let alice = login(&d, ALICE).await;
    let ids = owners_resources(&d, &alice).await;

    let (_, doc, _) = call(Method::GET, d.url("/api/v1/openapi.json"), None, None).await;
    // Operations that remove what others use (deleting, dismissing) last,
    // so that the owner still finds her resources on every other route.
    let mut operations: Vec<(&String, Method, &Value)> = Vec::new();
    for (template, item) in doc["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            let method = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            operations.push((template, method, operation));
        }
    }
    operations.sort_by_key(|(template, method, _)| {
        match (*method == Method::DELETE, template.contains('{')) {
            (true, false) => 3, // clearing a whole list: very last
            // A material before the application that holds it.
            (true, true) if template.ends_with("{material_id}") => 1,
            (true, true) => 2,
            (false, _) if template.ends_with("/dismiss") => 2,
            _ => 0,
        }
    });
    let mut checked = [0usize; 5];
    for (template, method, operation) in operations {
        let scheme = scheme_of(operation);
        checked[scheme as usize] += 1;
        let url = d.url(&concrete(template, &ids));
        let takes_id = template.contains("{id}") && template.starts_with("/api/v1/me/");
        let mut public_status = None;
        for credential in ALL {
            // People log in afresh for every route: logout and session
            // deletion must not end the run.
            let person = match credential {
                Credential::Person => Some(login(&d, ALICE).await),
                Credential::OtherPerson => Some(login(&d, BOB).await),
                _ => None,
            };
            let token = match credential {
                Credential::Nobody => None,
                Credential::Person | Credential::OtherPerson => person.as_deref(),
                Credential::Operator => Some(OPERATOR),
                Credential::Admin => Some(ADMIN),
                Credential::Expired => Some(expired.as_str()),
            };
            let answer = call(method.clone(), &url, token, body_for(template, &method)).await;
            let what = format!("{} {method} {template} as {credential:?}", d.backend);
            let status = answer.0;
            assert!(status < 500, "{what}: {}", answer.1);
            let allowed = match scheme {
                Scheme::Public => true,
                Scheme::Session => {
                    matches!(credential, Credential::Person | Credential::OtherPerson)
                }
                Scheme::Operator => credential == Credential::Operator,
                Scheme::Admin => credential == Credential::Admin,
                Scheme::RequestSecret => false,
            };
            if scheme == Scheme::RequestSecret && credential != Credential::Nobody {
                // Any other bearer is simply not the request's secret.
                assert_problem(&what, &answer, 404, "not-found");
                continue;
            }
            if !allowed {
                // The admin routes keep their older problem type.
                let slug = match scheme {
                    Scheme::Admin => "unauthorized",
                    _ => "unauthenticated",
                };
                assert_problem(&what, &answer, 401, slug);
                continue;
            }
            assert_ne!(status, 401, "{what}: {}", answer.1);
            if status == 403 {
                // Allowed in, but the level or the organisation role is
                // not enough: said as such.
                let kind = answer.1["type"].as_str().unwrap_or("");
                assert!(
                    kind.ends_with("/step-up-required") || kind.ends_with("/forbidden"),
                    "{what}: {}",
                    answer.1
                );
            }
            match (scheme, credential) {
                (Scheme::Public, _) => {
                    // Whoever calls, the same answer.
                    let first = *public_status.get_or_insert(status);
                    assert_eq!(status, first, "{what}: {}", answer.1);
                }
                (Scheme::Session, Credential::OtherPerson) if takes_id => {
                    assert_problem(&what, &answer, 404, "not-found");
                }
                (Scheme::Session, Credential::Person) if takes_id => {
                    assert_ne!(status, 404, "{what}: the owner's own id: {}", answer.1);
                    if template.ends_with("/steps/{step}") {
                        // The typed answers are the owner's to save.
                        assert_eq!(status, 200, "{what}: {}", answer.1);
                    }
                }
                _ => {}
            }
        }
    }
    // The document has routes of every kind, and all were called.
    assert!(checked[Scheme::Public as usize] >= 15, "{checked:?}");
    assert!(checked[Scheme::Session as usize] >= 30, "{checked:?}");
    assert!(checked[Scheme::Operator as usize] >= 8, "{checked:?}");
    assert!(checked[Scheme::Admin as usize] >= 2, "{checked:?}");
}

fn settings() -> ConfigLayer {
    ConfigLayer {
        admin_token: Some(ADMIN.into()),
        ..ConfigLayer::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_route_answers_each_credential_as_its_security_scheme_says() {
    matrix(
        centre_support::start_with(None, "sqlite", settings()).await,
        None,
    )
    .await;
    if let Some(url) = yuesou::centre::testing::postgres_schema().await {
        matrix(
            centre_support::start_with(Some(url.clone()), "postgres", settings()).await,
            Some(url),
        )
        .await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn feedback_and_verification_are_rate_limited() {
    let limits = ConfigLayer {
        feedback_per_hour: Some(3),
        verify_per_minute: Some(5),
        ..ConfigLayer::default()
    };
    centre_support::each_backend_with(limits, async |d: CentreDaemon| {
        let alice = login(&d, ALICE).await;
        let bob = login(&d, BOB).await;
        let post = |token: String, n: usize| {
            let url = d.url("/api/v1/me/feedback");
            async move {
                call(
                    Method::POST,
                    url,
                    Some(&token),
                    Some(json!({"kind": "consultation", "title": "限流", "content": format!("第 {n} 条")})),
                )
                .await
            }
        };
        // The demo data was sent through the same route when the daemon
        // started (within the hour): it counts.
        let (_, seeded, _) = call(Method::GET, d.url("/api/v1/me/feedback"), Some(&alice), None).await;
        let seeded = seeded.as_array().unwrap().len();
        assert!(seeded < 3, "{seeded}");
        for n in seeded..3 {
            assert_eq!(post(alice.clone(), n).await.0, 201, "{}", d.backend);
        }
        let refused = post(alice.clone(), 3).await;
        assert_problem(&format!("{} 4th feedback", d.backend), &refused, 429, "rate-limited");
        let retry: u64 = refused.2["retry-after"].to_str().unwrap().parse().unwrap();
        assert!((1..=3600).contains(&retry), "{retry}");
        // The refused one was not stored; another person is not affected.
        let (_, list, _) = call(Method::GET, d.url("/api/v1/me/feedback"), Some(&alice), None).await;
        assert_eq!(list.as_array().unwrap().len(), 3);
        assert_eq!(post(bob.clone(), 0).await.0, 201);

        // Verification, per client address, whatever the presentation.
        let verify = || {
            call(
                Method::POST,
                d.url("/api/v1/wallet/verify"),
                None,
                Some(json!({"token": "not-a-presentation"})),
            )
        };
        for _ in 0..5 {
            assert_eq!(verify().await.0, 400, "{}", d.backend);
        }
        let refused = verify().await;
        assert_problem(&format!("{} 6th verify", d.backend), &refused, 429, "rate-limited");
        assert!(refused.2.contains_key("retry-after"));
    })
    .await;
}

/// The 办理 flow routes are public, and personal only with a session: the
/// prefill and the identity a check uses are the caller's own, never
/// another person's, and an expired session is nobody.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn flow_prefill_is_only_ever_the_callers_own() {
    centre_support::each_backend(async |d: CentreDaemon| {
        let expired = login(&d, ALICE).await;
        let alice = login(&d, ALICE).await;
        let bob = login(&d, BOB).await;
        let url = d.url("/api/v1/items/gjj-zftq-440100/flow");
        let (status, mine, _) = call(Method::GET, &url, Some(&alice), None).await;
        assert_eq!(status, 200, "{}: {mine}", d.backend);
        assert_eq!(mine["prefill"]["applicant_name"], "陈嘉明", "{}", d.backend);
        let (status, theirs, _) = call(Method::GET, &url, Some(&bob), None).await;
        assert_eq!(status, 200, "{}: {theirs}", d.backend);
        let text = theirs.to_string();
        assert!(
            !text.contains("陈嘉明") && !text.contains("123X"),
            "{}: {text}",
            d.backend
        );
        assert_ne!(
            mine["prefill"]["applicant_phone"], theirs["prefill"]["applicant_phone"],
            "{}",
            d.backend
        );
        // Logged out: the session is nobody's.
        let (status, _, _) = call(
            Method::POST,
            d.url("/api/v1/auth/logout"),
            Some(&expired),
            None,
        )
        .await;
        assert!(status < 300, "{}: logout {status}", d.backend);
        let (status, nobody, _) = call(Method::GET, &url, Some(&expired), None).await;
        assert_eq!(status, 200, "{}", d.backend);
        assert!(nobody.get("prefill").is_none(), "{}: {nobody}", d.backend);
        // A check with Bob's session does not take Alice's identity: her
        // masked number is no answer for him.
        let check = d.url("/api/v1/items/gjj-zftq-440100/flow/steps/0/check");
        let (status, refused, _) = call(
            Method::POST,
            &check,
            Some(&bob),
            Some(json!({"answers": {"applicant_id_number": "4401**********123X"}})),
        )
        .await;
        assert_eq!(status, 422, "{}: {refused}", d.backend);
        let errors = refused["errors"].as_array().unwrap();
        assert!(
            errors
                .iter()
                .any(|e| e["field"] == "applicant_id_number" && e["code"] == "bad_id_number"),
            "{}: {refused}",
            d.backend
        );
    })
    .await;
}

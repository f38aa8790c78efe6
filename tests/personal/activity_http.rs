//! Search history, hot searches and recommendations over HTTP, on SQLite
//! and PostgreSQL: history is each person's own and never holds blocked
//! queries or personal numbers; hot searches count people, not requests;
//! operators pin and block; recommendations follow the wallet and the
//! applications, each with a reason.

use crate::centre_support;

use centre_support::{
    ALICE, BOB, CentreDaemon, OPERATOR, assert_problem, call, each_backend_with, login,
};
use reqwest::Method;
use serde_json::{Value, json};
use yuesou::server::ConfigLayer;

fn settings() -> ConfigLayer {
    ConfigLayer {
        hot_min_people: Some(3),
        hot_refresh_ms: Some(1),
        activity_flush_ms: Some(50),
        trust_forwarded_for: Some(true),
        ..ConfigLayer::default()
    }
}

/// Searches `q` as the client `address`, with an optional session.
async fn search(d: &CentreDaemon, q: &str, token: Option<&str>, address: &str) -> Value {
    let mut request = reqwest::Client::new()
        .get(d.url("/api/v1/search"))
        .query(&[("q", q)])
        .header("x-forwarded-for", address);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.unwrap();
    assert_eq!(response.status(), 200, "{q}");
    response.json().await.unwrap()
}

async fn history(d: &CentreDaemon, token: &str) -> Value {
    let (status, body, _) = call(Method::GET, d.url("/api/v1/me/history"), Some(token), None).await;
    assert_eq!(status, 200, "{body}");
    body
}

fn queries(history: &Value) -> Vec<String> {
    history["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["query"].as_str().unwrap().to_string())
        .collect()
}

async fn hot(d: &CentreDaemon) -> Vec<String> {
    let (status, body, _) = call(Method::GET, d.url("/api/v1/hot?limit=50"), None, None).await;
    assert_eq!(status, 200, "{body}");
    body["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["query"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn history_is_each_persons_own() {
    each_backend_with(settings(), async |d: CentreDaemon| {
        let b = d.backend;
        let alice = login(&d, ALICE).await;
        let bob = login(&d, BOB).await;
        search(&d, "公积金提取", Some(&alice), "10.1.0.1").await;
        search(&d, "护照办理", Some(&alice), "10.1.0.1").await;
        // The same reading (traditional characters, spacing) moves the
        // entry up instead of adding one.
        search(&d, "公積金 提取", Some(&alice), "10.1.0.1").await;
        // Never recorded: personal numbers, blocked queries.
        search(&d, "13800000001 社保", Some(&alice), "10.1.0.1").await;
        search(&d, "44010419880520123X 户籍证明", Some(&alice), "10.1.0.1").await;
        search(&d, "赌博", Some(&alice), "10.1.0.1").await;
        // Anonymous searches and further pages are not anyone's history.
        search(&d, "社保卡补换", None, "10.1.0.1").await;
        search(&d, "驾驶证", Some(&bob), "10.1.0.2").await;

        let mine = history(&d, &alice).await;
        assert_eq!(queries(&mine), ["公積金 提取", "护照办理"], "{b}: {mine}");
        assert_eq!(mine["paused"], false);
        let text = mine.to_string();
        assert!(!text.contains("13800000001") && !text.contains("44010419880520123X"));
        assert_eq!(queries(&history(&d, &bob).await), ["驾驶证"], "{b}");

        // Bob cannot delete Alice's entry (404 as for a missing one).
        let id = mine["entries"][0]["id"].as_str().unwrap().to_string();
        let url = d.url(&format!("/api/v1/me/history/{id}"));
        assert_problem(
            "another's entry",
            &call(Method::DELETE, url.clone(), Some(&bob), None).await,
            404,
            "not-found",
        );
        assert_problem(
            "anonymous",
            &call(Method::GET, d.url("/api/v1/me/history"), None, None).await,
            401,
            "unauthenticated",
        );
        assert_eq!(
            call(Method::DELETE, url.clone(), Some(&alice), None)
                .await
                .0,
            204
        );
        assert_eq!(queries(&history(&d, &alice).await), ["护照办理"], "{b}");
        assert_problem(
            "deleted twice",
            &call(Method::DELETE, url, Some(&alice), None).await,
            404,
            "not-found",
        );

        // Paused: nothing new is recorded until resumed.
        let settings = call(
            Method::GET,
            d.url("/api/v1/me/settings"),
            Some(&alice),
            None,
        )
        .await
        .1;
        let mut paused = settings.clone();
        paused["history_paused"] = json!(true);
        let (status, body, _) = call(
            Method::PUT,
            d.url("/api/v1/me/settings"),
            Some(&alice),
            Some(paused),
        )
        .await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["history_paused"], true);
        search(&d, "出生登记", Some(&alice), "10.1.0.1").await;
        let now = history(&d, &alice).await;
        assert_eq!(queries(&now), ["护照办理"], "{b}: paused");
        assert_eq!(now["paused"], true);

        // Clear all: Alice's only.
        assert_eq!(
            call(
                Method::DELETE,
                d.url("/api/v1/me/history"),
                Some(&alice),
                None
            )
            .await
            .0,
            204
        );
        assert!(queries(&history(&d, &alice).await).is_empty());
        assert_eq!(queries(&history(&d, &bob).await), ["驾驶证"], "{b}");
    })
    .await;
}

/// Issue 23: a new platform (no live hot searches yet) can ask for the
/// curated list (`dictionaries/hot_queries.tsv`, in its order), marked
/// `curated`; without `curated=true` the live list stays empty.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_curated_hot_list_stands_in_until_live_entries_exist() {
    each_backend_with(settings(), async |d: CentreDaemon| {
        let b = d.backend;
        assert!(
            hot(&d).await.is_empty(),
            "{b}: a fresh daemon has no live entries"
        );
        let (status, body, _) = call(
            Method::GET,
            d.url("/api/v1/hot?limit=5&curated=true"),
            None,
            None,
        )
        .await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["curated"], true, "{b}: {body}");
        let file =
            std::fs::read_to_string(yuesou::bundled_root().join("dictionaries/hot_queries.tsv"))
                .unwrap();
        let expected: Vec<&str> = file
            .lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
            .filter_map(|l| l.split('\t').next())
            .take(5)
            .collect();
        let got: Vec<&str> = body["entries"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["query"].as_str().unwrap())
            .collect();
        assert_eq!(got, expected, "{b}");
        // An operator's pin is a live entry: the curated list steps aside.
        let pin = call(
            Method::POST,
            d.url("/api/v1/operator/hot/rules"),
            Some(OPERATOR),
            Some(json!({"query": "社保卡补换", "action": "pin"})),
        )
        .await;
        assert!((200..300).contains(&pin.0), "{}", pin.1);
        for _ in 0..50 {
            if !hot(&d).await.is_empty() {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        let (_, live, _) = call(Method::GET, d.url("/api/v1/hot?curated=true"), None, None).await;
        assert_eq!(live["curated"], false, "{b}: {live}");
        assert_eq!(live["entries"][0]["query"], "社保卡补换", "{b}");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hot_searches_count_people_not_requests() {
    each_backend_with(settings(), async |d: CentreDaemon| {
        let b = d.backend;
        // One client repeating a query 1,000 times does not make it hot.
        let mut tasks = Vec::new();
        for worker in 0..4 {
            let url = d.url("/api/v1/search");
            tasks.push(tokio::spawn(async move {
                let client = reqwest::Client::new();
                for _ in 0..250 {
                    let r = client
                        .get(&url)
                        .query(&[("q", "居住证申领")])
                        .header("x-forwarded-for", "10.2.0.1")
                        .send()
                        .await
                        .unwrap();
                    assert_eq!(r.status(), 200, "worker {worker}");
                }
            }));
        }
        for t in tasks {
            t.await.unwrap();
        }
        assert!(!hot(&d).await.contains(&"居住证申领".to_string()), "{b}");

        // Three people make it hot, whatever form each typed.
        for (address, q) in [
            ("10.2.0.2", "社保卡补换"),
            ("10.2.0.3", "社保卡 补换"),
            ("10.2.0.4", "社保卡补换"),
        ] {
            search(&d, q, None, address).await;
        }
        // Never hot, however many people: banned words, personal numbers
        // (however disguised), queries that find nothing, a person's name
        // with a service (words the catalogue does not know).
        for n in 0..5 {
            let address = format!("10.3.0.{n}");
            for q in [
                "赌博",
                "13800000001",
                "138.0000.0001",
                "zzqqxxjjkk",
                "陈嘉明社保",
                "林晓彤 社保查询",
            ] {
                search(&d, q, None, &address).await;
            }
        }
        let list = hot(&d).await;
        assert!(list.contains(&"社保卡补换".to_string()), "{b}: {list:?}");
        for never in [
            "赌博",
            "13800000001",
            "0000",
            "zzqqxxjjkk",
            "居住证申领",
            "陈嘉明",
            "林晓彤",
        ] {
            assert!(
                !list.iter().any(|q| q.contains(never)),
                "{b}: {never} in {list:?}"
            );
        }

        // Operators see why, block, and pin.
        let (status, report, _) = call(
            Method::GET,
            d.url("/api/v1/operator/hot"),
            Some(OPERATOR),
            None,
        )
        .await;
        assert_eq!(status, 200, "{report}");
        let candidate = report["candidates"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["query"] == "社保卡补换")
            .unwrap_or_else(|| panic!("{b}: {report}"))
            .clone();
        assert_eq!(candidate["people"], 3, "{candidate}");
        assert_eq!(candidate["status"], "listed");
        let named: Vec<&Value> = report["candidates"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| {
                let q = c["query"].as_str().unwrap_or("");
                q.contains("陈嘉明") || q.contains("林晓彤")
            })
            .collect();
        assert!(!named.is_empty(), "{b}: the names were counted: {report}");
        for c in named {
            assert_eq!(c["status"], "unknown_words", "{b}: {c}");
        }
        assert_problem(
            "not an operator",
            &call(Method::GET, d.url("/api/v1/operator/hot"), None, None).await,
            401,
            "unauthenticated",
        );
        let rule = |query: &str, action: &str| {
            call(
                Method::POST,
                d.url("/api/v1/operator/hot/rules"),
                Some(OPERATOR),
                Some(json!({"query": query, "action": action})),
            )
        };
        assert_eq!(rule("社保卡补换", "block").await.0, 200);
        assert!(
            !hot(&d).await.contains(&"社保卡补换".to_string()),
            "{b}: blocked"
        );
        let (status, body, _) = rule("公积金提取", "pin").await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(
            hot(&d).await.first().map(String::as_str),
            Some("公积金提取")
        );
        let report = call(
            Method::GET,
            d.url("/api/v1/operator/hot"),
            Some(OPERATOR),
            None,
        )
        .await
        .1;
        assert!(
            report["candidates"]
                .as_array()
                .unwrap()
                .iter()
                .any(|c| c["query"] == "社保卡补换" && c["status"] == "blocked_by_operator"),
            "{report}"
        );
        let unblock = call(
            Method::DELETE,
            d.url("/api/v1/operator/hot/rules/社保卡补换"),
            Some(OPERATOR),
            None,
        )
        .await;
        assert_eq!(unblock.0, 204, "{}", unblock.1);
        assert!(
            hot(&d).await.contains(&"社保卡补换".to_string()),
            "{b}: unblocked"
        );

        // Enough live hot searches feed autocomplete, by pinyin initials
        // too.
        for q in [
            "出生登记",
            "结婚登记预约",
            "公交线路查询",
            "医保个人账户查询",
        ] {
            for n in 0..3 {
                search(&d, q, None, &format!("10.4.{n}.1")).await;
            }
        }
        assert!(hot(&d).await.len() >= 5, "{b}");
        // Suggestions never offer what the hot list keeps out.
        for prefix in ["138000", "赌", "zzqq", "4401"] {
            let (_, body, _) = call(
                Method::GET,
                d.url(&format!("/api/v1/suggest?q={prefix}")),
                None,
                None,
            )
            .await;
            let text = body["suggestions"].to_string();
            for never in ["13800000001", "赌博", "zzqqxxjjkk"] {
                assert!(!text.contains(never), "{b}: {prefix} → {text}");
            }
        }
        let (_, suggest, _) = call(Method::GET, d.url("/api/v1/suggest?q=sbkbh"), None, None).await;
        assert!(
            suggest["suggestions"]
                .as_array()
                .unwrap()
                .iter()
                .any(|s| s["text"] == "社保卡补换" && s["kind"] == "query"),
            "{b}: {suggest}"
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn recommendations_follow_the_persons_state() {
    each_backend_with(settings(), async |d: CentreDaemon| {
        let b = d.backend;
        let alice = login(&d, ALICE).await;
        let t = Some(alice.as_str());
        let mine = async || {
            let (status, body, _) = call(
                Method::GET,
                d.url("/api/v1/me/recommendations?limit=20"),
                t,
                None,
            )
            .await;
            assert_eq!(status, 200, "{body}");
            for item in body["items"].as_array().unwrap() {
                assert!(!item["reason"].as_str().unwrap().is_empty(), "{item}");
                assert!(
                    item["id"].as_str().is_some_and(|id| !id.is_empty()),
                    "{item}"
                );
            }
            body
        };
        let kinds = |body: &Value| -> Vec<String> {
            body["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|i| i["reason_kind"].as_str().unwrap().to_string())
                .collect()
        };

        // Licences nearing expiry come first; the demo 驾驶证 is one, and
        // its renewal is recommended.
        let first = mine().await;
        assert_eq!(
            first["items"][0]["reason_kind"], "licence_expiring",
            "{b}: {first}"
        );
        let renewal = first["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| {
                i["reason_kind"] == "licence_expiring"
                    && i["reason"].as_str().unwrap().contains("驾驶证")
            })
            .unwrap_or_else(|| panic!("{b}: no 驾驶证 renewal in {first}"))
            .clone();
        assert!(
            renewal["title"].as_str().unwrap().contains("换证"),
            "{renewal}"
        );
        // Categories are ordered for the person: the strongest first.
        assert_eq!(
            first["categories"][0], first["items"][0]["category"],
            "{first}"
        );

        // A draft application shows up to resume.
        let item = "hy-jhyy-440100";
        let (status, app, _) = call(
            Method::POST,
            d.url("/api/v1/me/applications"),
            t,
            Some(json!({"item_id": item})),
        )
        .await;
        assert_eq!(status, 201, "{app}");
        let with_draft = mine().await;
        assert!(
            with_draft["items"]
                .as_array()
                .unwrap()
                .iter()
                .any(|i| i["reason_kind"] == "application_draft"
                    && i["application_id"] == app["id"]
                    && i["id"] == item),
            "{b}: {with_draft}"
        );

        // Without the licence, no renewal of it.
        let licence = renewal["licence_id"].as_str().unwrap();
        assert_eq!(
            call(
                Method::DELETE,
                d.url(&format!("/api/v1/me/wallet/{licence}")),
                t,
                None
            )
            .await
            .0,
            204
        );
        let after = mine().await;
        assert!(
            !after["items"]
                .as_array()
                .unwrap()
                .iter()
                .any(|i| i["licence_id"] == licence),
            "{b}: {after}"
        );

        // In another city than the household one: the services for people
        // living away, offered there.
        let away = call(
            Method::GET,
            d.url("/api/v1/me/recommendations?city=深圳&limit=20"),
            t,
            None,
        )
        .await
        .1;
        assert!(
            kinds(&away).contains(&"away_from_household".to_string()),
            "{b}: {away}"
        );
        assert_eq!(away["city"], "深圳市", "{away}");

        // Anyone: by place and popularity, with reasons; nothing personal.
        let (status, anyone, _) = call(
            Method::GET,
            d.url("/api/v1/recommendations?city=深圳"),
            None,
            None,
        )
        .await;
        assert_eq!(status, 200, "{anyone}");
        let items = anyone["items"].as_array().unwrap();
        assert!(!items.is_empty());
        for i in items {
            let region = i["region_code"].as_str().unwrap();
            match i["reason_kind"].as_str().unwrap() {
                "popular_nearby" => {
                    assert!(region == "440300" || region.ends_with("0000"), "{i}");
                    assert!(i["reason"].as_str().unwrap().contains("深圳"), "{i}");
                }
                "hot_search" => {}
                other => panic!("{b}: an anonymous recommendation of kind {other}: {i}"),
            }
        }
        // A place nobody knows is said, and the province's services come.
        let (status, nowhere, _) = call(
            Method::GET,
            d.url("/api/v1/recommendations?city=zzz"),
            None,
            None,
        )
        .await;
        assert_eq!(status, 200, "{nowhere}");
        assert!(
            nowhere["message"].as_str().unwrap().contains("zzz"),
            "{nowhere}"
        );
        assert!(!nowhere["items"].as_array().unwrap().is_empty());
        assert_problem(
            "lat without lng",
            &call(
                Method::GET,
                d.url("/api/v1/recommendations?lat=23.1"),
                None,
                None,
            )
            .await,
            400,
            "invalid-parameter",
        );
        assert_problem(
            "anonymous personal",
            &call(Method::GET, d.url("/api/v1/me/recommendations"), None, None).await,
            401,
            "unauthenticated",
        );
    })
    .await;
}

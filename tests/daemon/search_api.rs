//! The HTTP API, spoken to over a real socket: every endpoint and every
//! error class against the in-process server, the OpenAPI document against
//! the router, and the `yuesou serve` binary end to end.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use reqwest::Method;
use serde_json::Value;
use yuesou::server::{AppState, Config, ConfigLayer};

/// The engine over the bundled data, shared by the servers of this binary.
fn engine() -> Arc<yuesou::Engine> {
    static ENGINE: std::sync::OnceLock<Arc<yuesou::Engine>> = std::sync::OnceLock::new();
    ENGINE
        .get_or_init(|| {
            Arc::new(
                yuesou::Engine::open(&yuesou::EngineOptions::new(yuesou::Resources::bundled(
                    &yuesou::bundled_root(),
                )))
                .unwrap(),
            )
        })
        .clone()
}

/// Starts a server with `state` on a free port; returns its base URL.
async fn start_with(state: AppState) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(yuesou::server::serve(
        listener,
        state,
        std::future::pending(),
    ));
    format!("http://{addr}")
}

/// Starts a server over the bundled engine with default settings.
async fn start() -> String {
    start_with(AppState::new(engine())).await
}

struct Answer {
    status: u16,
    content_type: String,
    headers: reqwest::header::HeaderMap,
    body: Value,
}

async fn send(method: Method, url: &str) -> Answer {
    let response = reqwest::Client::new()
        .request(method, url)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let content_type = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let body = response.json::<Value>().await.unwrap_or(Value::Null);
    Answer {
        status,
        content_type,
        headers,
        body,
    }
}

async fn get(url: &str) -> Answer {
    send(Method::GET, url).await
}

/// Asserts a problem+json answer of this status and type slug.
fn assert_problem(answer: &Answer, status: u16, slug: &str, what: &str) {
    assert_eq!(answer.status, status, "{what}: {}", answer.body);
    assert_eq!(answer.content_type, "application/problem+json", "{what}");
    assert_eq!(
        answer.body["type"],
        format!("https://yuesou.dev/problems/{slug}"),
        "{what}: {}",
        answer.body
    );
    assert_eq!(answer.body["status"], status, "{what}");
    assert!(answer.body["title"].is_string() && answer.body["detail"].is_string());
}

#[tokio::test]
async fn search_answers_with_hits_groups_and_facets() {
    let base = start().await;
    let a = get(&format!(
        "{base}/api/v1/search?q=%E7%A4%BE%E4%BF%9D%E5%8D%A1%E8%A1%A5%E6%8D%A2&size=5"
    ))
    .await;
    assert_eq!(a.status, 200);
    assert_eq!(a.content_type, "application/json");
    let body = a.body;
    assert!(body["total"].as_u64().unwrap() > 0);
    let hit = &body["hits"][0];
    for field in [
        "id",
        "title",
        "category",
        "theme",
        "department",
        "region_code",
        "region_name",
        "score",
    ] {
        assert!(!hit[field].is_null(), "hit lacks {field}: {hit}");
    }
    assert_eq!(hit["title"], "社会保障卡补换");
    assert!(body["groups"].as_array().is_some_and(|g| !g.is_empty()));
    assert!(
        body["facets"]["theme"]
            .as_array()
            .is_some_and(|f| !f.is_empty())
    );
    let shown = body["hits"].as_array().unwrap().len() as u64;
    assert_eq!(shown, body["total"].as_u64().unwrap().min(5));

    let a = get(&format!(
        "{base}/api/v1/search?q=社保&region=440300&theme=社保&page=2&size=3"
    ))
    .await;
    assert_eq!(a.status, 200);
    assert_eq!(a.body["page"], 2);
    for hit in a.body["hits"].as_array().unwrap() {
        assert_eq!(hit["theme"], "社保");
    }

    // A position ranks for the person's district.
    let a = get(&format!(
        "{base}/api/v1/search?q=社保卡&lat=22.543&lng=114.058&explain=true"
    ))
    .await;
    assert_eq!(a.status, 200, "{}", a.body);
    assert!(
        a.body["location"]["name"]
            .as_str()
            .is_some_and(|n| n.contains("深圳")),
        "{}",
        a.body["location"]
    );
    assert!(a.body["hits"][0]["explain"].is_object());
}

#[tokio::test]
async fn values_naming_nothing_in_the_catalogue_are_answers_not_errors() {
    let base = start().await;
    for url in [
        "/api/v1/search?q=社保&category=不存在",
        "/api/v1/search?q=社保&theme=不存在",
        "/api/v1/search?q=社保&department=不存在",
        "/api/v1/search?q=社保&region=火星",
        "/api/v1/search?q=社保&city=火星",
    ] {
        let a = get(&format!("{base}{url}")).await;
        assert_eq!(a.status, 200, "{url}: {}", a.body);
        assert_eq!(a.body["total"], 0, "{url}");
        assert!(
            a.body["message"]
                .as_str()
                .is_some_and(|m| m.contains("不存在") || m.contains("火星")),
            "{url}: {}",
            a.body
        );
    }
    let a = get(&format!("{base}/api/v1/categories?region=火星")).await;
    assert_eq!(a.status, 200, "{}", a.body);
    assert_eq!(a.body["categories"].as_array().map(Vec::len), Some(0));
    assert!(a.body["message"].is_string());
    // A city and a position together: the city wins.
    let a = get(&format!(
        "{base}/api/v1/search?q=社保卡&lat=22.543&lng=114.058&city=广州"
    ))
    .await;
    assert_eq!(a.status, 200, "{}", a.body);
    assert_eq!(
        a.body["location"]["code"], "440100",
        "{}",
        a.body["location"]
    );
    // Pages are bounded on their own: 100 of up to 100 hits.
    let a = get(&format!("{base}/api/v1/search?q=社保&page=100&size=100")).await;
    assert_eq!(a.status, 200, "{}", a.body);
    let a = get(&format!("{base}/api/v1/search?q=社保&page=101&size=1")).await;
    assert_problem(&a, 400, "invalid-parameter", "page=101");
    // Lengths count what was sent, spaces included (the schema's maxLength).
    let a = get(&format!("{base}/api/v1/search?q={}", "%20".repeat(101))).await;
    assert_problem(&a, 400, "invalid-parameter", "101 spaces");
}

#[tokio::test]
async fn search_answers_one_hit_per_service_unless_told_not_to() {
    let base = start().await;
    let a = get(&format!(
        "{base}/api/v1/search?q=公积金提取&city=深圳&size=10"
    ))
    .await;
    assert_eq!(a.status, 200, "{}", a.body);
    let hits = a.body["hits"].as_array().unwrap();
    let titles: std::collections::BTreeSet<&str> =
        hits.iter().filter_map(|h| h["title"].as_str()).collect();
    assert_eq!(titles.len(), hits.len(), "one hit per service");
    let total = a.body["total"].as_u64().unwrap();
    let items = a.body["total_items"].as_u64().unwrap();
    assert!(items > total, "{total} services, {items} items");
    let shared = hits
        .iter()
        .find(|h| h["variant_count"].as_u64().is_some_and(|n| n > 1))
        .expect("a service offered in several cities");
    assert_eq!(shared["region_code"], "440300");
    let variants = shared["variants"].as_array().unwrap();
    assert_eq!(
        variants.len() as u64,
        shared["variant_count"].as_u64().unwrap()
    );
    for v in variants {
        for field in ["id", "region_code", "region_name"] {
            assert!(v[field].is_string(), "variant lacks {field}: {v}");
        }
    }

    let a = get(&format!(
        "{base}/api/v1/search?q=公积金提取&city=深圳&collapse=false&size=10"
    ))
    .await;
    assert_eq!(a.status, 200, "{}", a.body);
    assert_eq!(a.body["total"], items);
    assert_eq!(a.body["total_items"], items);
    assert!(a.body["hits"][0]["variants"].is_null());
    assert_eq!(a.body["hits"][0]["variant_count"], 1);
}

#[tokio::test]
async fn every_endpoint_answers() {
    let base = start().await;
    let a = get(&format!("{base}/healthz")).await;
    assert_eq!((a.status, a.body["status"].as_str()), (200, Some("ok")));
    let a = get(&format!("{base}/readyz")).await;
    assert_eq!(a.status, 200);
    assert_eq!(a.body["generation"], 1);
    assert!(a.body["items"].as_u64().unwrap() > 3000);

    let a = get(&format!("{base}/api/v1/suggest?q=shebao&size=5")).await;
    assert_eq!(a.status, 200, "{}", a.body);
    let suggestions = a.body["suggestions"].as_array().unwrap();
    assert!(!suggestions.is_empty() && suggestions.len() <= 5);
    assert!(
        suggestions[0]["text"]
            .as_str()
            .is_some_and(|t| t.contains("社保")),
        "{}",
        a.body
    );
    assert!(suggestions[0]["kind"].is_string());
    assert_eq!(a.body["query"], "shebao");

    let id = hit_id(&base, "结婚登记预约").await;
    let a = get(&format!("{base}/api/v1/items/{id}")).await;
    assert_eq!(a.status, 200);
    assert_eq!(a.body["id"], id.as_str());
    assert!(a.body["steps"].as_array().is_some_and(|s| !s.is_empty()));

    let a = get(&format!("{base}/api/v1/categories")).await;
    assert_eq!(a.status, 200);
    let categories = a.body["categories"].as_array().unwrap();
    assert!(categories.len() >= 3, "{}", categories.len());
    let theme = &categories[0]["themes"][0];
    assert!(theme["theme"].is_string());
    assert!(theme["services"][0]["id"].is_string());
    let a = get(&format!("{base}/api/v1/categories?region=深圳")).await;
    assert_eq!(a.status, 200);
    assert_eq!(a.body["region"]["code"], "440300");

    let a = get(&format!("{base}/api/v1/halls?lat=23.13&lng=113.26&size=3")).await;
    assert_eq!(a.status, 200, "{}", a.body);
    let halls = a.body["halls"].as_array().unwrap();
    assert_eq!(halls.len(), 3);
    let d: Vec<f64> = halls
        .iter()
        .map(|h| h["distance_m"].as_f64().unwrap())
        .collect();
    assert!(d.windows(2).all(|w| w[0] <= w[1]), "nearest first: {d:?}");
    let a = get(&format!(
        "{base}/api/v1/halls?lat=23.13&lng=113.26&item={id}"
    ))
    .await;
    assert_eq!(a.status, 200, "{}", a.body);

    let a = get(&format!("{base}/metrics")).await;
    assert_eq!(a.status, 200);
    assert!(a.content_type.starts_with("application/openmetrics-text"));
    let text = reqwest::get(format!("{base}/metrics"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        text.contains(
            "yuesou_http_requests_total{route=\"/api/v1/items/{id}\",method=\"GET\",status=\"200\"} 1"
        ),
        "route templates, not raw paths:\n{text}"
    );
    assert!(text.contains("yuesou_index_items "), "{text}");
    assert!(text.contains("yuesou_engine_generation 1"));
    assert!(text.contains("yuesou_reload_failures_total 0"));
    assert!(!text.contains(&id), "no raw ids in labels");

    let a = get(&format!("{base}/api/v1/openapi.json")).await;
    assert_eq!(a.status, 200);
    assert!(a.body["openapi"].as_str().unwrap().starts_with("3."));
}

async fn hit_id(base: &str, q: &str) -> String {
    let a = get(&format!("{base}/api/v1/search?q={q}")).await;
    a.body["hits"][0]["id"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn bad_input_is_a_problem_json_4xx_never_a_500() {
    let base = start().await;
    let long = "社".repeat(101);
    let cases: Vec<(String, u16, &str, Option<&str>)> = vec![
        (
            "/api/v1/search?q=社保&page=0".into(),
            400,
            "invalid-parameter",
            Some("page"),
        ),
        (
            "/api/v1/search?q=社保&page=1001&size=10".into(),
            400,
            "invalid-parameter",
            Some("page"),
        ),
        (
            "/api/v1/search?q=社保&size=1000".into(),
            400,
            "invalid-parameter",
            Some("size"),
        ),
        (
            "/api/v1/search?q=社保&size=abc".into(),
            400,
            "invalid-parameter",
            Some("size"),
        ),
        (
            "/api/v1/search?q=社保&size=-1".into(),
            400,
            "invalid-parameter",
            Some("size"),
        ),
        (
            "/api/v1/search?q=社保&colour=red".into(),
            400,
            "invalid-parameter",
            Some("colour"),
        ),
        (
            "/api/v1/search?q=%FF%FE".into(),
            400,
            "invalid-parameter",
            Some("q"),
        ),
        (
            "/api/v1/search?q=a%00b".into(),
            400,
            "invalid-parameter",
            Some("q"),
        ),
        (
            "/api/v1/search?q=a%1Bb".into(),
            400,
            "invalid-parameter",
            Some("q"),
        ),
        (
            "/api/v1/search?q=%E7%A4".into(),
            400,
            "invalid-parameter",
            Some("q"),
        ),
        (
            format!("/api/v1/search?q={long}"),
            400,
            "invalid-parameter",
            Some("q"),
        ),
        (
            "/api/v1/search?q=a&q=b".into(),
            400,
            "invalid-parameter",
            Some("q"),
        ),
        (
            "/api/v1/search?q=社保&online=maybe".into(),
            400,
            "invalid-parameter",
            Some("online"),
        ),
        (
            "/api/v1/search?q=社保&audience=robot".into(),
            400,
            "invalid-parameter",
            Some("audience"),
        ),
        (
            "/api/v1/search?q=社保&service_type=x".into(),
            400,
            "invalid-parameter",
            Some("service_type"),
        ),
        (
            "/api/v1/search?q=社保&lat=91&lng=113".into(),
            400,
            "invalid-parameter",
            Some("lat"),
        ),
        (
            "/api/v1/search?q=社保&lat=23&lng=181".into(),
            400,
            "invalid-parameter",
            Some("lng"),
        ),
        (
            "/api/v1/search?q=社保&lat=NaN&lng=113".into(),
            400,
            "invalid-parameter",
            Some("lat"),
        ),
        (
            "/api/v1/search?q=社保&lat=23".into(),
            400,
            "invalid-parameter",
            Some("lng"),
        ),
        (
            "/api/v1/suggest?q=shebao&size=0".into(),
            400,
            "invalid-parameter",
            Some("size"),
        ),
        (
            format!("/api/v1/suggest?q={}", "s".repeat(51)),
            400,
            "invalid-parameter",
            Some("q"),
        ),
        (
            "/api/v1/suggest?prefix=x".into(),
            400,
            "invalid-parameter",
            Some("prefix"),
        ),
        (
            "/api/v1/categories?x=1".into(),
            400,
            "invalid-parameter",
            Some("x"),
        ),
        (
            "/api/v1/halls".into(),
            400,
            "invalid-parameter",
            Some("lat"),
        ),
        (
            "/api/v1/halls?lat=23.1".into(),
            400,
            "invalid-parameter",
            Some("lng"),
        ),
        (
            "/api/v1/halls?lat=abc&lng=113".into(),
            400,
            "invalid-parameter",
            Some("lat"),
        ),
        (
            "/api/v1/halls?lat=23.1&lng=113&size=51".into(),
            400,
            "invalid-parameter",
            Some("size"),
        ),
        (
            "/api/v1/halls?lat=23.1&lng=113&item=no-such-item".into(),
            404,
            "not-found",
            None,
        ),
        ("/api/v1/items/no-such-item".into(), 404, "not-found", None),
        (
            "/api/v1/items/a%00b".into(),
            400,
            "invalid-parameter",
            Some("id"),
        ),
        (
            "/api/v1/items/%FF".into(),
            400,
            "invalid-parameter",
            Some("id"),
        ),
        (
            format!("/api/v1/items/{}", "x".repeat(129)),
            400,
            "invalid-parameter",
            Some("id"),
        ),
        ("/api/v1/nothing-here".into(), 404, "no-such-endpoint", None),
        // `/` is the web app (tests/daemon/web_app.rs); under `/api` nothing falls back to it.
        ("/api/".into(), 404, "no-such-endpoint", None),
        ("/api/v1/admin/status".into(), 403, "admin-disabled", None),
    ];
    for (path, status, slug, parameter) in &cases {
        let a = get(&format!("{base}{path}")).await;
        assert_problem(&a, *status, slug, path);
        assert_eq!(
            a.body["parameter"].as_str(),
            *parameter,
            "{path}: {}",
            a.body
        );
    }

    // Wrong methods: 405 with Allow.
    for (method, path) in [
        (Method::POST, "/api/v1/search"),
        (Method::DELETE, "/api/v1/items/x"),
        (Method::PUT, "/healthz"),
        (Method::GET, "/api/v1/admin/reload"),
    ] {
        let a = send(method.clone(), &format!("{base}{path}")).await;
        assert_problem(&a, 405, "method-not-allowed", path);
        assert!(
            a.headers.contains_key("allow"),
            "{method} {path}: {:?}",
            a.headers
        );
    }

    // Oversized bodies: 413 before anything reads them.
    let response = reqwest::Client::new()
        .post(format!("{base}/api/v1/admin/reload"))
        .body(vec![b'x'; 100 * 1024])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 413);
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json"
    );
    let body: Value = response.json().await.unwrap();
    assert_eq!(
        body["type"],
        "https://yuesou.dev/problems/payload-too-large"
    );

    // Nothing above was a 5xx.
    let text = reqwest::get(format!("{base}/metrics"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!text.contains("status=\"500\""), "{text}");
}

#[tokio::test]
async fn request_ids_head_options_and_caching() {
    let base = start().await;
    // A request id is generated, or the client's (if plain) echoed.
    let a = get(&format!("{base}/healthz")).await;
    let generated = a.headers["x-request-id"].to_str().unwrap().to_string();
    assert_eq!(generated.len(), 16);
    let echoed = reqwest::Client::new()
        .get(format!("{base}/healthz"))
        .header("x-request-id", "req-42")
        .send()
        .await
        .unwrap();
    assert_eq!(echoed.headers()["x-request-id"], "req-42");
    let replaced = reqwest::Client::new()
        .get(format!("{base}/healthz"))
        .header("x-request-id", "has spaces and more")
        .send()
        .await
        .unwrap();
    assert_ne!(replaced.headers()["x-request-id"], "has spaces and more");

    // HEAD answers like GET without a body; OPTIONS lists the methods.
    let head = reqwest::Client::new()
        .head(format!("{base}/api/v1/search?q=社保"))
        .send()
        .await
        .unwrap();
    assert_eq!(head.status().as_u16(), 200);
    assert_eq!(head.bytes().await.unwrap().len(), 0);
    let options = send(Method::OPTIONS, &format!("{base}/api/v1/search")).await;
    assert_eq!(options.status, 204);
    assert_eq!(options.headers["allow"], "GET,HEAD");
    assert!(!options.headers.contains_key("access-control-allow-origin"));

    // The second identical search is a cache hit with the same body.
    let url = format!("{base}/api/v1/search?q=公积金提取&size=3");
    let first = get(&url).await;
    let second = get(&url).await;
    assert_eq!(first.headers["x-cache"], "miss");
    assert_eq!(second.headers["x-cache"], "hit");
    assert_eq!(first.body, second.body);
    let reordered = get(&format!("{base}/api/v1/search?size=3&q=公积金提取")).await;
    assert_eq!(reordered.headers["x-cache"], "hit");
    // Searches from a phone position are never cached.
    let at = format!("{base}/api/v1/search?q=公积金提取&size=3&lat=22.54&lng=114.06");
    for _ in 0..2 {
        let answer = get(&at).await;
        assert_eq!(answer.status, 200);
        assert!(
            !answer.headers.contains_key("x-cache"),
            "{:?}",
            answer.headers
        );
    }
}

#[tokio::test]
async fn cors_is_off_by_default_and_configurable() {
    let config = Config::resolve(ConfigLayer {
        cors_origins: Some(vec!["https://app.example.org".into()]),
        cache_mb: Some(0),
        ..ConfigLayer::default()
    })
    .unwrap();
    let base = start_with(AppState::serving(&config, engine())).await;
    let preflight = reqwest::Client::new()
        .request(Method::OPTIONS, format!("{base}/api/v1/search"))
        .header("origin", "https://app.example.org")
        .header("access-control-request-method", "GET")
        .send()
        .await
        .unwrap();
    assert!(preflight.status().is_success());
    assert_eq!(
        preflight.headers()["access-control-allow-origin"],
        "https://app.example.org"
    );
    let other = reqwest::Client::new()
        .get(format!("{base}/api/v1/search?q=社保"))
        .header("origin", "https://evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(other.status().as_u16(), 200);
    assert!(!other.headers().contains_key("access-control-allow-origin"));
    assert!(
        !other.headers().contains_key("x-cache"),
        "cache_mb = 0 disables the cache"
    );
}

#[tokio::test]
async fn not_ready_until_an_engine_is_loaded() {
    let base = start_with(AppState::empty(&Config::default())).await;
    let a = get(&format!("{base}/healthz")).await;
    assert_eq!(a.status, 200);
    let a = get(&format!("{base}/readyz")).await;
    assert_problem(&a, 503, "not-ready", "/readyz");
    assert_eq!(a.headers["retry-after"], "1");
    for path in [
        "/api/v1/search?q=社保",
        "/api/v1/suggest?q=s",
        "/api/v1/items/x",
        "/api/v1/categories",
        "/api/v1/halls?lat=23&lng=113",
    ] {
        let a = get(&format!("{base}{path}")).await;
        assert_problem(&a, 503, "not-ready", path);
    }
    // Bad input is still reported as bad input.
    let a = get(&format!("{base}/api/v1/search?size=0")).await;
    assert_problem(&a, 400, "invalid-parameter", "size=0");
}

#[tokio::test]
async fn blocked_and_empty_queries_are_answers_not_errors() {
    let base = start().await;
    let a = get(&format!("{base}/api/v1/search?q=我想请问")).await;
    assert_eq!(a.status, 200);
    assert_eq!(a.body["total"], 0);
    assert!(a.body["message"].is_string());
    let a = get(&format!("{base}/api/v1/search")).await;
    assert_eq!(a.status, 200);
    assert!(a.body["message"].is_string());
}

/// The OpenAPI document describes exactly the routes the router serves,
/// every parameter each accepts, and every error status each can return.
#[tokio::test]
async fn the_openapi_document_covers_every_route_parameter_and_error() {
    let base = start().await;
    let doc = get(&format!("{base}/api/v1/openapi.json")).await.body;
    let paths = doc["paths"].as_object().unwrap();
    let documented: BTreeSet<(String, String)> = paths
        .iter()
        .flat_map(|(path, item)| {
            item.as_object()
                .unwrap()
                .keys()
                .map(move |m| (m.to_uppercase(), path.clone()))
        })
        .collect();
    let expected: BTreeSet<(String, String)> = [
        ("GET", "/api/v1/search"),
        ("GET", "/api/v1/suggest"),
        ("GET", "/api/v1/items/{id}"),
        ("GET", "/api/v1/categories"),
        ("GET", "/api/v1/halls"),
        ("GET", "/api/v1/admin/status"),
        ("POST", "/api/v1/admin/reload"),
        ("GET", "/api/v1/openapi.json"),
        ("GET", "/healthz"),
        ("GET", "/readyz"),
        ("GET", "/metrics"),
        // The personal centre.
        ("POST", "/api/v1/auth/sms-codes"),
        ("POST", "/api/v1/auth/register"),
        ("POST", "/api/v1/auth/login"),
        ("POST", "/api/v1/auth/logout"),
        ("GET", "/api/v1/me/profile"),
        ("PATCH", "/api/v1/me/profile"),
        ("GET", "/api/v1/me/sessions"),
        ("DELETE", "/api/v1/me/sessions/{id}"),
        ("GET", "/api/v1/me/settings"),
        ("PUT", "/api/v1/me/settings"),
        ("POST", "/api/v1/me/verification/real-name"),
        ("POST", "/api/v1/me/verification/face"),
        ("GET", "/api/v1/me/organisations"),
        ("POST", "/api/v1/me/organisations"),
        ("POST", "/api/v1/me/organisations/{id}/act"),
        ("GET", "/api/v1/me/applications"),
        ("POST", "/api/v1/me/applications"),
        ("GET", "/api/v1/me/applications/{id}"),
        ("DELETE", "/api/v1/me/applications/{id}"),
        ("PUT", "/api/v1/me/applications/{id}/steps/{step}"),
        ("POST", "/api/v1/me/applications/{id}/submit"),
        ("GET", "/api/v1/me/feedback"),
        ("POST", "/api/v1/me/feedback"),
        ("GET", "/api/v1/me/feedback/{id}"),
        ("GET", "/api/v1/me/messages"),
        ("POST", "/api/v1/me/messages/{id}/read"),
        ("POST", "/api/v1/me/messages/read-all"),
        ("POST", "/api/v1/me/messages/{id}/dismiss"),
        ("GET", "/api/v1/notice"),
        ("GET", "/api/v1/operator/applications"),
        ("POST", "/api/v1/operator/applications/{id}/progress"),
        ("GET", "/api/v1/operator/feedback"),
        ("POST", "/api/v1/operator/feedback/{id}/replies"),
        ("POST", "/api/v1/operator/broadcasts"),
        // The wallet.
        ("GET", "/api/v1/me/wallet"),
        ("POST", "/api/v1/me/wallet"),
        ("GET", "/api/v1/me/wallet/available"),
        ("GET", "/api/v1/me/wallet/{id}"),
        ("DELETE", "/api/v1/me/wallet/{id}"),
        ("POST", "/api/v1/me/wallet/{id}/present"),
        ("POST", "/api/v1/wallet/verify"),
        ("POST", "/api/v1/wallet/redeem"),
        ("POST", "/api/v1/wallet/requests"),
        ("GET", "/api/v1/wallet/requests/{code}"),
        ("GET", "/api/v1/wallet/requests/{code}/result"),
        ("GET", "/api/v1/wallet/status-list"),
        ("GET", "/api/v1/wallet/jwks.json"),
        ("GET", "/api/v1/wallet/types"),
        ("POST", "/api/v1/operator/licences/revoke"),
        ("GET", "/api/v1/items/{id}/licences"),
        ("POST", "/api/v1/operator/wallet/keys/rotate"),
        // History, hot searches, recommendations.
        ("GET", "/api/v1/me/history"),
        ("DELETE", "/api/v1/me/history"),
        ("DELETE", "/api/v1/me/history/{id}"),
        ("GET", "/api/v1/hot"),
        ("GET", "/api/v1/operator/hot"),
        ("POST", "/api/v1/operator/hot/rules"),
        ("DELETE", "/api/v1/operator/hot/rules/{query}"),
        ("GET", "/api/v1/recommendations"),
        ("GET", "/api/v1/me/recommendations"),
        // Languages and display preferences.
        ("GET", "/api/v1/i18n/{lang}"),
        ("GET", "/api/v1/me/preferences"),
        ("PUT", "/api/v1/me/preferences"),
        // 办理 flows.
        ("GET", "/api/v1/items/{id}/flow"),
        ("POST", "/api/v1/items/{id}/flow/steps/{step}/check"),
        // 办理 materials.
        ("GET", "/api/v1/me/applications/{id}/materials"),
        ("POST", "/api/v1/me/applications/{id}/materials"),
        (
            "GET",
            "/api/v1/me/applications/{id}/materials/{material_id}",
        ),
        (
            "DELETE",
            "/api/v1/me/applications/{id}/materials/{material_id}",
        ),
        // 查询 and 证明.
        ("GET", "/api/v1/items/{id}/record-kind"),
        ("GET", "/api/v1/me/records"),
        ("GET", "/api/v1/items/{id}/certificate"),
        ("POST", "/api/v1/me/certificates"),
        // 预约.
        ("GET", "/api/v1/items/{id}/slots"),
        ("GET", "/api/v1/me/appointments"),
        ("POST", "/api/v1/me/appointments"),
        ("GET", "/api/v1/me/appointments/{id}"),
        ("DELETE", "/api/v1/me/appointments/{id}"),
        ("POST", "/api/v1/me/appointments/{id}/reschedule"),
        ("GET", "/api/v1/operator/halls/{hall}/appointments"),
        ("POST", "/api/v1/operator/halls/{hall}/check-in"),
        (
            "POST",
            "/api/v1/operator/halls/{hall}/appointments/{id}/no-show",
        ),
        ("POST", "/api/v1/operator/halls/{hall}/closures"),
        ("POST", "/api/v1/operator/halls/{hall}/closures/reopen"),
        // 缴费.
        ("GET", "/api/v1/me/bills"),
        ("GET", "/api/v1/me/payments"),
        ("POST", "/api/v1/me/payments"),
        ("GET", "/api/v1/me/payments/{id}"),
        ("POST", "/api/v1/payments/notify/{provider}"),
        ("POST", "/api/v1/operator/payments/{id}/refund"),
        ("GET", "/api/v1/operator/payments/{id}/audit"),
        ("GET", "/api/v1/operator/payments/reconciliations/{day}"),
        ("POST", "/api/v1/operator/payments/reconciliations/{day}"),
    ]
    .iter()
    .map(|(m, p)| (m.to_string(), p.to_string()))
    .collect();
    assert_eq!(documented, expected);

    // Every documented route is served (not the no-such-endpoint fallback),
    // and the router serves nothing undocumented among likely paths.
    for (method, path) in &documented {
        let url = format!("{base}{}", path.replace("{id}", "x"));
        let a = send(Method::from_bytes(method.as_bytes()).unwrap(), &url).await;
        assert_ne!(
            a.body["type"], "https://yuesou.dev/problems/no-such-endpoint",
            "{method} {path}"
        );
    }
    for path in [
        "/api/v1",
        "/api/v1/items",
        "/api/v1/admin",
        "/api/v2/search",
        "/openapi.json",
    ] {
        let a = get(&format!("{base}{path}")).await;
        assert_problem(&a, 404, "no-such-endpoint", path);
    }

    // Parameters: documented names are exactly the accepted ones.
    let params = |path: &str| -> BTreeSet<String> {
        let op = paths[path].as_object().unwrap().values().next().unwrap();
        op["parameters"]
            .as_array()
            .map(|ps| {
                ps.iter()
                    .flat_map(|p| match p["schema"]["properties"].as_object() {
                        // An exploded object (a position) is sent as one
                        // parameter per property.
                        Some(properties) if p["style"] == "form" => {
                            properties.keys().cloned().collect::<Vec<_>>()
                        }
                        _ => vec![p["name"].as_str().unwrap().to_string()],
                    })
                    .collect()
            })
            .unwrap_or_default()
    };
    for (path, probe) in [
        ("/api/v1/search", "/api/v1/search?"),
        ("/api/v1/suggest", "/api/v1/suggest?"),
        ("/api/v1/categories", "/api/v1/categories?"),
        ("/api/v1/halls", "/api/v1/halls?lat=23&lng=113&"),
    ] {
        let names = params(path);
        assert!(!names.is_empty(), "{path}");
        for name in &names {
            if probe.contains(&format!("{name}=")) {
                continue;
            }
            // A schema-valid value: empty text, else a sample of its type.
            let sample = match name.as_str() {
                "page" | "size" => "1",
                "explain" | "correct" | "collapse" | "online" => "true",
                "audience" => "自然人",
                "service_type" => "查询",
                "lat" => "23&lng=113",
                "lng" => "113&lat=23",
                _ => "",
            };
            let a = get(&format!("{base}{probe}{name}={sample}")).await;
            assert_ne!(
                a.body["parameter"].as_str(),
                Some(name.as_str()),
                "{path}: documented parameter {name} rejected: {}",
                a.body
            );
        }
        let a = get(&format!("{base}{probe}undocumented=1")).await;
        assert_problem(&a, 400, "invalid-parameter", path);
    }
    assert!(params("/api/v1/search").contains("service_type"));
    let size = paths["/api/v1/search"]["get"]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "size")
        .unwrap();
    assert_eq!(size["schema"]["maximum"], 100);

    // Every error status a route can return is documented on it.
    let documented_statuses = |method: &str, path: &str| -> BTreeSet<String> {
        paths[path][method]["responses"]
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect()
    };
    let observed: [(&str, &str, &str, u16); 14] = [
        ("get", "/api/v1/search", "/api/v1/search?size=0", 400),
        ("get", "/api/v1/search", "/api/v1/search", 200),
        ("get", "/api/v1/suggest", "/api/v1/suggest?size=0", 400),
        ("get", "/api/v1/items/{id}", "/api/v1/items/nope", 404),
        ("get", "/api/v1/items/{id}", "/api/v1/items/%FF", 400),
        (
            "get",
            "/api/v1/categories",
            "/api/v1/categories?region=%FF",
            400,
        ),
        ("get", "/api/v1/halls", "/api/v1/halls", 400),
        (
            "get",
            "/api/v1/halls",
            "/api/v1/halls?lat=23&lng=113&item=x",
            404,
        ),
        ("get", "/api/v1/admin/status", "/api/v1/admin/status", 403),
        ("get", "/readyz", "/readyz", 200),
        ("get", "/healthz", "/healthz", 200),
        ("get", "/metrics", "/metrics", 200),
        ("get", "/api/v1/openapi.json", "/api/v1/openapi.json", 200),
        ("get", "/api/v1/search", "/api/v1/search?q=a", 200),
    ];
    for (method, path, url, status) in observed {
        let a = get(&format!("{base}{url}")).await;
        assert_eq!(a.status, status, "{url}");
        assert!(
            documented_statuses(method, path).contains(&status.to_string()),
            "{method} {path} returns {status} undocumented"
        );
    }
    for (method, path) in &documented {
        let statuses = documented_statuses(&method.to_lowercase(), path);
        for common in ["405", "413", "500", "503"] {
            assert!(statuses.contains(common), "{method} {path} lacks {common}");
        }
    }
    for (path, statuses) in [
        ("/api/v1/admin/status", ["401", "403"]),
        ("/api/v1/admin/reload", ["401", "403"]),
    ] {
        let method = if path.ends_with("reload") {
            "post"
        } else {
            "get"
        };
        for s in statuses {
            assert!(documented_statuses(method, path).contains(s), "{path} {s}");
        }
    }
    assert!(
        documented_statuses("post", "/api/v1/admin/reload").contains("500"),
        "reload-failed"
    );
    // Problem types are listed with their URIs.
    let description = doc["info"]["description"].as_str().unwrap();
    for slug in ["invalid-parameter", "not-found", "timeout", "reload-failed"] {
        assert!(description.contains(slug), "{slug}");
    }
}

/// `yuesou serve` from the binary: listens where told, persists its index in
/// --data-dir, becomes ready, answers searches, and stops on SIGTERM.
#[test]
fn the_binary_serves_the_bundled_catalogue() {
    let dir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_yuesou"))
        .args([
            "serve",
            "--addr",
            &format!("127.0.0.1:{port}"),
            "--watch=false",
            "--data-dir",
        ])
        .arg(dir.path())
        .env_remove("YUESOU_CONFIG")
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let body = runtime.block_on(async {
        let base = format!("http://127.0.0.1:{port}");
        for _ in 0..300 {
            if let Ok(r) = reqwest::get(format!("{base}/readyz")).await
                && r.status().is_success()
            {
                let r = reqwest::get(format!("{base}/api/v1/search?q=驾驶证记分"))
                    .await
                    .unwrap();
                return r.json::<Value>().await.unwrap();
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("the server did not become ready");
    });
    assert!(
        body["hits"][0]["title"]
            .as_str()
            .unwrap()
            .contains("驾驶证记分")
    );
    assert!(std::fs::read_dir(dir.path().join("index")).unwrap().count() == 1);
    #[cfg(unix)]
    {
        let _ = std::process::Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status();
        let status = child.wait().unwrap();
        assert!(status.success(), "exit status {status}");
    }
    #[cfg(not(unix))]
    child.kill().unwrap();
}

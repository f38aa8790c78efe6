//! The HTTP API, spoken to over a real socket: the in-process server for the
//! endpoints and errors, and the `yuesou serve` binary end to end.

mod common;

use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;

/// Starts the server on a free port; returns its base URL.
async fn start() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let engine = Arc::new(
        yuesou::Engine::open(&yuesou::EngineOptions::new(yuesou::Resources::bundled(
            &yuesou::bundled_root(),
        )))
        .unwrap(),
    );
    let state = yuesou::server::AppState::new(engine);
    tokio::spawn(yuesou::server::serve(
        listener,
        state,
        std::future::pending(),
    ));
    format!("http://{addr}")
}

async fn get(url: &str) -> (u16, String, Value) {
    let response = reqwest::get(url).await.unwrap();
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let body = response.json::<Value>().await.unwrap_or(Value::Null);
    (status, content_type, body)
}

#[tokio::test]
async fn search_answers_with_hits_groups_and_facets() {
    let base = start().await;
    let (status, content_type, body) = get(&format!(
        "{base}/api/v1/search?q=%E7%A4%BE%E4%BF%9D%E5%8D%A1%E8%A1%A5%E6%8D%A2&size=5"
    ))
    .await;
    assert_eq!(status, 200);
    assert_eq!(content_type, "application/json");
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
    assert_eq!(body["hits"].as_array().unwrap().len(), 5);

    let (status, _, body) = get(&format!(
        "{base}/api/v1/search?q=社保&region=440300&theme=社保&page=2&size=3"
    ))
    .await;
    assert_eq!(status, 200);
    assert_eq!(body["page"], 2);
    for hit in body["hits"].as_array().unwrap() {
        assert_eq!(hit["theme"], "社保");
    }

    let (status, _, body) = get(&format!("{base}/healthz")).await;
    assert_eq!((status, body["status"].as_str()), (200, Some("ok")));

    let id = hit_id(&base, "结婚登记预约").await;
    let (status, _, body) = get(&format!("{base}/api/v1/items/{id}")).await;
    assert_eq!(status, 200);
    assert_eq!(body["id"], id.as_str());
    assert!(body["steps"].as_array().is_some_and(|s| !s.is_empty()));
}

async fn hit_id(base: &str, q: &str) -> String {
    let (_, _, body) = get(&format!("{base}/api/v1/search?q={q}")).await;
    body["hits"][0]["id"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn bad_input_is_a_problem_json_4xx_never_a_panic() {
    let base = start().await;
    let cases = [
        ("/api/v1/search?q=社保&page=0", 400, Some("page")),
        ("/api/v1/search?q=社保&size=1000", 400, Some("size")),
        ("/api/v1/search?q=社保&size=abc", 400, Some("size")),
        ("/api/v1/search?q=社保&colour=red", 400, Some("colour")),
        ("/api/v1/search?q=%FF%FE", 400, Some("q")),
        ("/api/v1/search?q=a%00b", 400, Some("q")),
        ("/api/v1/search?q=社保&online=maybe", 400, Some("online")),
        ("/api/v1/search?q=社保&category=不存在", 400, None),
        ("/api/v1/search?q=社保&region=火星", 400, None),
        ("/api/v1/items/no-such-item", 404, None),
        ("/api/v1/nothing-here", 404, None),
    ];
    for (path, expected, parameter) in cases {
        let (status, content_type, body) = get(&format!("{base}{path}")).await;
        assert_eq!(status, expected, "{path}: {body}");
        assert_eq!(content_type, "application/problem+json", "{path}");
        assert!(
            body["type"]
                .as_str()
                .is_some_and(|t| t.starts_with("https://")),
            "{path}: {body}"
        );
        assert_eq!(body["status"], expected);
        if let Some(p) = parameter {
            assert_eq!(body["parameter"], p, "{path}: {body}");
        }
    }
    let long = "社".repeat(200);
    let (status, _, _) = get(&format!("{base}/api/v1/search?q={long}")).await;
    assert_eq!(status, 400);

    let response = reqwest::Client::new()
        .post(format!("{base}/api/v1/search"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 405);
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json"
    );
}

#[tokio::test]
async fn blocked_and_empty_queries_are_answers_not_errors() {
    let base = start().await;
    let (status, _, body) = get(&format!("{base}/api/v1/search?q=我想请问")).await;
    assert_eq!(status, 200);
    assert_eq!(body["total"], 0);
    assert!(body["message"].is_string());
    let (status, _, body) = get(&format!("{base}/api/v1/search")).await;
    assert_eq!(status, 200);
    assert!(body["message"].is_string());
}

/// `yuesou serve` from the binary: listens where told, persists its index in
/// --data-dir, answers searches, and stops on SIGTERM.
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
            "--data-dir",
        ])
        .arg(dir.path())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let body = runtime.block_on(async {
        let url = format!("http://127.0.0.1:{port}/api/v1/search?q=驾驶证记分");
        for _ in 0..200 {
            if let Ok(r) = reqwest::get(&url).await {
                return r.json::<Value>().await.unwrap();
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("the server did not come up");
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

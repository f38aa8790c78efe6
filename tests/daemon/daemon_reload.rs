//! Live reload against a real daemon on a private copy of the data: a
//! changed catalogue is picked up while requests run (none fails), a broken
//! one keeps the old engine serving and is reported, and the admin endpoint
//! forces reloads behind its token.

use crate::daemon_support;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use daemon_support::{TOKEN, admin, copy_home, eventually, get, metric, start_daemon, wait_ready};
use reqwest::Method;
use serde_json::Value;
use yuesou::server::ConfigLayer;

const NEW_ID: &str = "test-reload-1";
const NEW_TITLE: &str = "热更新测试专用事项";

/// The catalogue with one more item (a copy of the first with a new id and
/// title).
fn with_new_item(catalogue: &str) -> String {
    let first = catalogue.lines().next().unwrap();
    let mut item: Value = serde_json::from_str(first).unwrap();
    item["id"] = NEW_ID.into();
    item["title"] = NEW_TITLE.into();
    item["aliases"] = Value::Array(Vec::new());
    item["keywords"] = Value::Array(Vec::new());
    let mut text = catalogue.trim_end().to_string();
    text.push('\n');
    text.push_str(&serde_json::to_string(&item).unwrap());
    text.push('\n');
    text
}

/// Requests from `workers` tasks until stopped: (answered, failed).
struct Load {
    stop: Arc<AtomicBool>,
    answered: Arc<AtomicUsize>,
    failures: Arc<std::sync::Mutex<Vec<String>>>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl Load {
    fn start(base: &str, workers: usize) -> Load {
        let stop = Arc::new(AtomicBool::new(false));
        let answered = Arc::new(AtomicUsize::new(0));
        let failures = Arc::new(std::sync::Mutex::new(Vec::new()));
        let client = reqwest::Client::new();
        let paths = [
            "/api/v1/search?q=社保卡补换",
            "/api/v1/search?q=gongjijin&size=3",
            "/api/v1/suggest?q=shebao",
            "/api/v1/search?q=护照&city=深圳",
            "/api/v1/suggest?q=gjj",
            "/api/v1/categories",
        ];
        let tasks = (0..workers)
            .map(|w| {
                let (stop, answered, failures, client) = (
                    stop.clone(),
                    answered.clone(),
                    failures.clone(),
                    client.clone(),
                );
                let base = base.to_string();
                tokio::spawn(async move {
                    let mut n = w;
                    while !stop.load(Ordering::Relaxed) {
                        let url = format!("{base}{}", paths[n % paths.len()]);
                        n += 1;
                        match client.get(&url).send().await {
                            Ok(r) if r.status().is_success() => {
                                if r.bytes().await.is_ok() {
                                    answered.fetch_add(1, Ordering::Relaxed);
                                } else {
                                    failures.lock().unwrap().push(format!("{url}: body"));
                                }
                            }
                            Ok(r) => failures
                                .lock()
                                .unwrap()
                                .push(format!("{url}: {}", r.status())),
                            Err(e) => failures.lock().unwrap().push(format!("{url}: {e}")),
                        }
                    }
                })
            })
            .collect();
        Load {
            stop,
            answered,
            failures,
            tasks,
        }
    }

    async fn finish(self) -> (usize, Vec<String>) {
        self.stop.store(true, Ordering::Relaxed);
        for t in self.tasks {
            t.await.unwrap();
        }
        let failures = self.failures.lock().unwrap().clone();
        (self.answered.load(Ordering::Relaxed), failures)
    }
}

async fn top_hit_id(base: &str, q: &str) -> Option<String> {
    let (_, body) = get(&format!("{base}/api/v1/search?q={q}&correct=false")).await;
    body["hits"][0]["id"].as_str().map(str::to_string)
}

async fn status(base: &str) -> Value {
    let (code, body) = admin(Method::GET, &format!("{base}/api/v1/admin/status"), TOKEN).await;
    assert_eq!(code, 200, "{body}");
    body
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn changed_files_are_served_without_failing_a_request_and_broken_ones_are_reported() {
    let home = copy_home();
    let catalogue_path = home.path().join("data/catalogue.jsonl");
    let original = std::fs::read_to_string(&catalogue_path).unwrap();
    let mut daemon = start_daemon(
        home.path(),
        ConfigLayer {
            admin_token: Some(TOKEN.into()),
            reload_debounce_ms: Some(100),
            ..ConfigLayer::default()
        },
    )
    .await;
    let base = daemon.base.clone();
    wait_ready(&base).await;
    assert_ne!(top_hit_id(&base, NEW_TITLE).await.as_deref(), Some(NEW_ID));
    let (code, _) = get(&format!("{base}/api/v1/items/{NEW_ID}")).await;
    assert_eq!(code, 404);
    let s = status(&base).await;
    assert_eq!(
        (s["state"].as_str(), s["generation"].as_u64()),
        (Some("ok"), Some(1))
    );
    assert!(
        s["watching"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d.as_str().unwrap().ends_with("data")),
        "{s}"
    );

    // 1. A changed catalogue under load: the new item appears, nothing fails.
    let load = Load::start(&base, 4);
    tokio::time::sleep(Duration::from_millis(200)).await;
    std::fs::write(&catalogue_path, with_new_item(&original)).unwrap();
    eventually(
        Duration::from_secs(30),
        "the new item to be served",
        || async { top_hit_id(&base, NEW_TITLE).await.as_deref() == Some(NEW_ID) },
    )
    .await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    let (answered, failures) = load.finish().await;
    assert!(failures.is_empty(), "failed during reload: {failures:?}");
    assert!(
        answered > 20,
        "only {answered} requests ran during the reload"
    );
    let (code, item) = get(&format!("{base}/api/v1/items/{NEW_ID}")).await;
    assert_eq!((code, item["title"].as_str()), (200, Some(NEW_TITLE)));
    let s = status(&base).await;
    assert_eq!(s["generation"], 2, "one rebuild for one edit: {s}");
    assert_eq!(s["last_reload"]["trigger"], "files");
    // Editors' several events may add an `unchanged` attempt; never a build.
    assert_ne!(s["last_reload"]["outcome"], "failed");
    assert_eq!(metric(&base, "yuesou_engine_generation").await, 2.0);

    // 2. A broken catalogue: the old engine keeps serving; the error is
    // reported with file and line in the status, and counted.
    let broken = format!("{}{{\"id\": \"half-written\"\n", with_new_item(&original));
    let bad_line = broken.lines().count();
    std::fs::write(&catalogue_path, &broken).unwrap();
    eventually(
        Duration::from_secs(30),
        "the failure to be reported",
        || async { status(&base).await["state"] == "degraded" },
    )
    .await;
    let s = status(&base).await;
    let error = s["last_error"]["error"].as_str().unwrap();
    assert!(
        error.contains(&format!("catalogue.jsonl:{bad_line}")),
        "{error}"
    );
    assert_eq!(s["generation"], 2, "the old engine serves");
    assert_eq!(s["ready"], true);
    assert_eq!(top_hit_id(&base, NEW_TITLE).await.as_deref(), Some(NEW_ID));
    let (code, _) = get(&format!("{base}/readyz")).await;
    assert_eq!(code, 200);
    assert_eq!(metric(&base, "yuesou_reload_failures_total").await, 1.0);

    // 3. A forced reload of the broken file fails the same way.
    let (code, problem) = admin(Method::POST, &format!("{base}/api/v1/admin/reload"), TOKEN).await;
    assert_eq!(code, 500, "{problem}");
    assert_eq!(problem["type"], "https://yuesou.dev/problems/reload-failed");
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains(&format!("catalogue.jsonl:{bad_line}"))
    );

    // 4. Back to the good file: unchanged inputs need no rebuild; a forced
    // reload rebuilds anyway.
    std::fs::write(&catalogue_path, with_new_item(&original)).unwrap();
    eventually(Duration::from_secs(30), "the status to recover", || async {
        status(&base).await["state"] == "ok"
    })
    .await;
    let s = status(&base).await;
    assert_eq!(s["last_reload"]["outcome"], "unchanged", "{s}");
    assert_eq!(s["generation"], 2);
    let (code, report) = admin(Method::POST, &format!("{base}/api/v1/admin/reload"), TOKEN).await;
    assert_eq!(code, 200, "{report}");
    assert_eq!(
        (report["outcome"].as_str(), report["generation"].as_u64()),
        (Some("reloaded"), Some(3))
    );
    assert_eq!(report["trigger"], "admin");

    // 5. The admin endpoints want the token.
    for token in ["", "wrong-token-0123456789"] {
        let (code, problem) =
            admin(Method::POST, &format!("{base}/api/v1/admin/reload"), token).await;
        assert_eq!(code, 401, "{problem}");
        assert_eq!(problem["type"], "https://yuesou.dev/problems/unauthorized");
    }
    let (code, _) = get(&format!("{base}/api/v1/admin/status")).await;
    assert_eq!(code, 401);

    daemon.stop();
    daemon.task.await.unwrap().unwrap();
}

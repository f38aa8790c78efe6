//! Shared set-up of the daemon tests: a private copy of the bundled data, a
//! real `Daemon` on a free port, and HTTP helpers.

#![allow(dead_code)]

use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::Value;
use tokio::sync::oneshot;
use yuesou::server::{Config, ConfigLayer, Daemon, DaemonError};

/// The admin token of the test daemons.
pub const TOKEN: &str = "test-admin-token-0123456789";

/// A copy of the bundled `data/` and `dictionaries/` (every file, every
/// folder) in a temporary directory, to edit while a daemon serves it.
pub fn copy_home() -> tempfile::TempDir {
    fn copy(from: &std::path::Path, to: &std::path::Path) {
        std::fs::create_dir_all(to).unwrap();
        for entry in std::fs::read_dir(from).unwrap() {
            let entry = entry.unwrap();
            let target = to.join(entry.file_name());
            if entry.file_type().unwrap().is_dir() {
                copy(&entry.path(), &target);
            } else {
                std::fs::copy(entry.path(), target).unwrap();
            }
        }
    }
    let source = yuesou::bundled_root();
    let home = tempfile::tempdir().unwrap();
    for dir in ["data", "dictionaries"] {
        copy(&source.join(dir), &home.path().join(dir));
    }
    home
}

/// A daemon running in this process.
pub struct Running {
    pub base: String,
    stop: Option<oneshot::Sender<()>>,
    pub task: tokio::task::JoinHandle<Result<(), DaemonError>>,
}

impl Running {
    /// Asks the daemon to shut down (as SIGTERM does).
    pub fn stop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// Starts a daemon over `home` (in-memory index) with `layer`'s settings;
/// does not wait for it to be ready.
pub async fn start_daemon(home: &Path, layer: ConfigLayer) -> Running {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    // The personal centre's files (SQLite, outbox) stay inside the copy.
    let layer = ConfigLayer {
        data_dir: layer.data_dir.or_else(|| Some(home.join("state"))),
        ..layer
    };
    let config = Config::resolve(layer).unwrap();
    let options = yuesou::EngineOptions::new(yuesou::Resources::bundled(home));
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(Daemon::new(config, options).run(listener, async {
        let _ = stopped.await;
    }));
    Running {
        base: format!("http://{addr}"),
        stop: Some(stop),
        task,
    }
}

/// Waits until `/readyz` answers 200.
pub async fn wait_ready(base: &str) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        if let Ok(r) = reqwest::get(format!("{base}/readyz")).await
            && r.status().is_success()
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{base} did not become ready");
}

/// GET returning status and JSON body.
pub async fn get(url: &str) -> (u16, Value) {
    let r = reqwest::get(url).await.unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

/// An admin request with `token`.
pub async fn admin(method: reqwest::Method, url: &str, token: &str) -> (u16, Value) {
    let r = reqwest::Client::new()
        .request(method, url)
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

/// Polls `check` every 50 ms until it holds or `limit` passes.
pub async fn eventually<F, Fut>(limit: Duration, what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = Instant::now() + limit;
    while Instant::now() < deadline {
        if check().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("timed out waiting for {what}");
}

/// The value of an unlabelled metric in the `/metrics` text.
pub async fn metric(base: &str, name: &str) -> f64 {
    let text = reqwest::get(format!("{base}/metrics"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    text.lines()
        .find_map(|l| l.strip_prefix(name)?.strip_prefix(' ')?.parse().ok())
        .unwrap_or_else(|| panic!("no metric {name} in\n{text}"))
}

//! Shared set-up of the personal-centre HTTP tests: a daemon with the demo
//! accounts on each backend (SQLite, and PostgreSQL when reachable), and
//! JSON request helpers.

#![allow(dead_code)]

use reqwest::Method;
use serde_json::{Value, json};
use yuesou::server::ConfigLayer;

#[path = "../daemon_support/mod.rs"]
mod daemon_support;

#[allow(unused_imports)]
pub use daemon_support::{Running, copy_home, start_daemon, wait_ready};

/// The operator token of the test daemons (one for in-process daemons and
/// child processes alike).
pub use crate::centre_process::OPERATOR;
/// The demo people.
pub const ALICE: &str = "13800000001";
pub const BOB: &str = "13800000002";
pub const PASSWORD: &str = "yuesou-demo";

/// A daemon serving the centre, with its files.
pub struct CentreDaemon {
    pub base: String,
    pub backend: &'static str,
    pub home: tempfile::TempDir,
    daemon: daemon_support::Running,
}

impl CentreDaemon {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// The latest SMS code the development outbox holds for `phone`.
    pub fn last_code(&self, phone: &str) -> Option<String> {
        yuesou::centre::Outbox::new(self.home.path().join("state/outbox")).last_code(phone)
    }
}

impl Drop for CentreDaemon {
    fn drop(&mut self) {
        self.daemon.stop();
    }
}

/// Starts a daemon on `database` (SQLite under its data dir when `None`).
pub async fn start(database: Option<String>, backend: &'static str) -> CentreDaemon {
    start_with(database, backend, ConfigLayer::default()).await
}

/// Like [`start`], with the settings of `extra` over the test defaults.
pub async fn start_with(
    database: Option<String>,
    backend: &'static str,
    extra: ConfigLayer,
) -> CentreDaemon {
    let home = copy_home();
    let daemon = daemon_support::start_daemon(
        home.path(),
        extra.over(ConfigLayer {
            watch: Some(false),
            operator_token: Some(OPERATOR.into()),
            // Daemons sharing a database share the centre secret.
            centre_secret: Some(
                "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef".into(),
            ),
            database,
            cache_mb: Some(0),
            ..ConfigLayer::default()
        }),
    )
    .await;
    wait_ready(&daemon.base).await;
    CentreDaemon {
        base: daemon.base.clone(),
        backend,
        home,
        daemon,
    }
}

/// Runs `test` against a daemon on SQLite, then on PostgreSQL when
/// reachable.
pub async fn each_backend(test: impl AsyncFn(CentreDaemon)) {
    test(start(None, "sqlite").await).await;
    if let Some(url) = yuesou::centre::testing::postgres_schema().await {
        test(start(Some(url), "postgres").await).await;
    }
}

/// Like [`each_backend`], the daemons configured with `extra` too.
pub async fn each_backend_with(extra: ConfigLayer, test: impl AsyncFn(CentreDaemon)) {
    test(start_with(None, "sqlite", extra.clone()).await).await;
    if let Some(url) = yuesou::centre::testing::postgres_schema().await {
        test(start_with(Some(url), "postgres", extra).await).await;
    }
}

/// A request with an optional bearer token and JSON body: status, JSON
/// body (Null when empty) and headers.
pub async fn call(
    method: Method,
    url: impl Into<String>,
    token: Option<&str>,
    body: Option<Value>,
) -> (u16, Value, reqwest::header::HeaderMap) {
    let mut request = reqwest::Client::new().request(method, url.into());
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let text = response.text().await.unwrap_or_default();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::Null),
        headers,
    )
}

/// Logs in with a password; the token.
pub async fn login(d: &CentreDaemon, phone: &str) -> String {
    let (status, body, _) = call(
        Method::POST,
        &d.url("/api/v1/auth/login"),
        None,
        Some(json!({"phone": phone, "password": PASSWORD})),
    )
    .await;
    assert_eq!(status, 200, "{}: login {body}", d.backend);
    body["token"].as_str().unwrap().to_string()
}

/// Asserts a problem+json answer of `status` and `slug`.
pub fn assert_problem(
    what: &str,
    (status, body, headers): &(u16, Value, reqwest::header::HeaderMap),
    want: u16,
    slug: &str,
) {
    assert_eq!(*status, want, "{what}: {body}");
    assert_eq!(
        headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or(""),
        "application/problem+json",
        "{what}"
    );
    assert!(
        body["type"]
            .as_str()
            .unwrap_or("")
            .ends_with(&format!("/{slug}")),
        "{what}: expected {slug}, got {body}"
    );
}

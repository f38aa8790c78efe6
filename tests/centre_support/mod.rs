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
    /// The PostgreSQL URL; `None` for SQLite under `home`.
    pub database: Option<String>,
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
            database: database.clone(),
            cache_mb: Some(0),
            ..ConfigLayer::default()
        }),
    )
    .await;
    wait_ready(&daemon.base).await;
    CentreDaemon {
        base: daemon.base.clone(),
        backend,
        database,
        home,
        daemon,
    }
}

impl CentreDaemon {
    /// The centre's database, opened beside the daemon.
    pub async fn db(&self) -> yuesou::centre::Db {
        match &self.database {
            Some(url) => yuesou::centre::Db::connect(url).await.unwrap(),
            None => yuesou::centre::Db::open_sqlite(&self.home.path().join("state"))
                .await
                .unwrap(),
        }
    }
}

/// A 统一社会信用代码 with its GB 32100 check character.
pub fn valid_uscc(b17: &str) -> String {
    const CHARS: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";
    const W: [usize; 17] = [
        1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
    ];
    let sum: usize = b17
        .chars()
        .zip(W)
        .map(|(c, w)| CHARS.find(c).unwrap() * w)
        .sum();
    let check = (31 - sum % 31) % 31;
    format!("{b17}{}", CHARS.as_bytes()[check] as char)
}

/// Today in China Standard Time, `YYYY-MM-DD`, shifted by `days`.
pub fn cst_day(days: i64) -> String {
    let day = (time::OffsetDateTime::now_utc().to_offset(time::macros::offset!(+8))
        + time::Duration::days(days))
    .date();
    format!(
        "{:04}-{:02}-{:02}",
        day.year(),
        u8::from(day.month()),
        day.day()
    )
}

/// Answers the server takes for step `step` of `app` (an application as
/// the API shows it): its prefill (masked numbers as shown), read-only
/// fields left out, and for every other required field that applies a
/// valid value of its type (`text` in text fields). A draft without a
/// flow gets `{"第几步": text}`.
pub fn fill_step(app: &Value, step: usize, text: &str) -> Value {
    let Some(flow) = app.get("flow") else {
        return json!({ "第几步": text });
    };
    let empty = Vec::new();
    let fields = flow["steps"][step]["fields"].as_array().unwrap_or(&empty);
    let read_only: Vec<&str> = app["read_only"]
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let mut answers = serde_json::Map::new();
    for field in fields {
        let name = field["name"].as_str().unwrap();
        if read_only.contains(&name) {
            continue;
        }
        if let Some(when) = field.get("when") {
            let field = when["field"].as_str().unwrap();
            if answers.get(field) != Some(&when["equals"]) {
                continue;
            }
        }
        if let Some(value) = app["prefill"].get(name) {
            answers.insert(name.to_string(), value.clone());
            continue;
        }
        if field["required"] != true {
            continue;
        }
        let bound = |key: &str| -> Option<i64> {
            let b = field[key].as_str()?;
            let rest = b.strip_prefix("today")?;
            Some(if rest.is_empty() {
                0
            } else {
                rest.trim_end_matches('d').parse().unwrap()
            })
        };
        let value = match field["type"].as_str().unwrap() {
            "text" => match field["pattern"].as_str() {
                None => {
                    let max = field["max_length"].as_u64().unwrap_or(100) as usize;
                    let min = field["min_length"].as_u64().unwrap_or(1) as usize;
                    let mut t: String = text.chars().take(max).collect();
                    while t.chars().count() < min {
                        t.push('文');
                    }
                    json!(t)
                }
                Some("^[0-9]{12,19}$") => json!("6222020200112233"),
                Some("^([01][0-9]|2[0-3]):[0-5][0-9]$") => json!("09:30"),
                Some("^[0-9A-Z]{10,20}$") => json!("A123456789"),
                Some("^[0-9A-Za-z]{4,20}$") => json!("ab1234"),
                Some("^[0-9A-Za-z]{6,30}$") => json!("ab123456"),
                Some("^[A-HJ-NPR-Z0-9]{17}$") => json!("LSVAB12C3D4567890"),
                Some("^[A-Z0-9]{5,6}$") => json!("A1234"),
                Some("^[A-Z][0-9]{9}$") => json!("H123456789"),
                Some("^[一-龥][A-Z][A-Z0-9]{5,6}$") => json!("粤A12345"),
                Some(other) => panic!("no test value for the pattern {other}"),
            },
            "number" => field["min"].clone(),
            "date" => {
                let day = match (bound("min_date"), bound("max_date")) {
                    (Some(lo), _) if lo > 0 => lo,
                    (_, Some(hi)) if hi < 0 => hi,
                    _ => 0,
                };
                json!(cst_day(day))
            }
            "choice" => field["options"][0].clone(),
            "yes_no" => json!(false),
            "id_number" => json!("44010419880520123X"),
            "uscc" => json!(valid_uscc("91440101MA5ABCDE1")),
            "phone" => json!("13800000009"),
            "address" => json!({"code": "440106", "detail": "天河路 1 号"}),
            other => panic!("no test value for the type {other}"),
        };
        answers.insert(name.to_string(), value);
    }
    Value::Object(answers)
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

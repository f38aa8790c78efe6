//! Security round 2: every attack the outside test ran, re-run against the
//! real daemon binary (a child process, `$YUESOU_BIN` or the one built for
//! the tests; CI points it at a release build) on SQLite and on
//! PostgreSQL. Each test states the attack and what must hold.
//!
//! Client addresses are simulated with `X-Forwarded-For` (the daemons trust
//! it here, as behind a load balancer).

mod centre_process;

use std::time::{Duration, Instant};

use centre_process::{Daemon, OPERATOR, backends, workdir};
use serde_json::{Value, json};

const ALICE: &str = "13800000001";
const PASSWORD: &str = "yuesou-demo";

/// A daemon for one backend, with its working directory.
struct Target {
    daemon: Daemon,
    backend: &'static str,
    dir: tempfile::TempDir,
    http: reqwest::Client,
}

impl Target {
    async fn start(backend: &'static str, database: Option<String>) -> Target {
        let (dir, log) = workdir();
        let config = dir.path().join("yuesou.toml");
        std::fs::write(&config, "trust_forwarded_for = true\ncache_mb = 0\n").unwrap();
        let data = dir.path().join("data");
        let config = config.to_string_lossy().to_string();
        let daemon = Daemon::start(
            &data,
            database.as_deref(),
            &log,
            &["--demo", "true", "--config", &config],
        )
        .await;
        Target {
            daemon,
            backend,
            dir,
            http: reqwest::Client::builder()
                .pool_max_idle_per_host(256)
                .build()
                .unwrap(),
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.daemon.base)
    }

    /// A request from client address `from`: status, body, headers.
    async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        from: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (u16, Value, reqwest::header::HeaderMap) {
        let mut request = self
            .http
            .request(method, self.url(path))
            .header("x-forwarded-for", from);
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

    async fn post(&self, path: &str, from: &str, token: Option<&str>, body: Value) -> (u16, Value) {
        let (s, b, _) = self
            .call(reqwest::Method::POST, path, from, token, Some(body))
            .await;
        (s, b)
    }

    async fn get(&self, path: &str, from: &str, token: Option<&str>) -> (u16, Value) {
        let (s, b, _) = self
            .call(reqwest::Method::GET, path, from, token, None)
            .await;
        (s, b)
    }

    async fn login(&self, phone: &str, from: &str) -> String {
        let (status, body) = self
            .post(
                "/api/v1/auth/login",
                from,
                None,
                json!({"phone": phone, "password": PASSWORD}),
            )
            .await;
        assert_eq!(status, 200, "{}: login {body}", self.backend);
        body["token"].as_str().unwrap().to_string()
    }

    /// The demo outbox's last code for `phone`.
    fn last_code(&self, phone: &str) -> Option<String> {
        yuesou::centre::Outbox::new(self.dir.path().join("data/outbox")).last_code(phone)
    }

    fn codes_sent(&self, phone: &str) -> usize {
        yuesou::centre::Outbox::new(self.dir.path().join("data/outbox")).codes_sent(phone)
    }
}

fn slug(body: &Value) -> &str {
    body["type"]
        .as_str()
        .and_then(|t| t.rsplit('/').next())
        .unwrap_or("")
}

/// Runs `attack` against a fresh daemon on each backend.
async fn on_each_backend(attack: impl AsyncFn(&Target)) {
    for (backend, database) in backends().await {
        let target = Target::start(backend, database).await;
        attack(&target).await;
    }
}

/// Fires `n` requests at once and returns their statuses.
async fn burst<F, Fut>(n: usize, request: F) -> Vec<u16>
where
    F: Fn(usize) -> Fut,
    Fut: std::future::Future<Output = u16> + Send + 'static,
{
    let tasks: Vec<_> = (0..n).map(|i| tokio::spawn(request(i))).collect();
    let mut statuses = Vec::new();
    for task in tasks {
        statuses.push(task.await.unwrap());
    }
    statuses
}

fn count(statuses: &[u16], status: u16) -> usize {
    statuses.iter().filter(|s| **s == status).count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_holder_cannot_undo_an_issuers_revocation() {
    on_each_backend(async |t: &Target| {
        let token = t.login(ALICE, "10.0.0.1").await;
        let (_, wallet) = t.get("/api/v1/me/wallet", "10.0.0.1", Some(&token)).await;
        let licence = wallet["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["type"] == "driving_licence")
            .expect("the demo driving licence")
            .clone();
        let id = licence["id"].as_str().unwrap();
        // A presentation made before the revocation.
        let (status, shown) = t
            .post(
                &format!("/api/v1/me/wallet/{id}/present"),
                "10.0.0.1",
                Some(&token),
                json!({"disclose": ["vehicle_class"]}),
            )
            .await;
        assert_eq!(status, 200, "{shown}");
        // The issuer revokes it (the number comes from the issuer's records).
        let number = yuesou_wallet_number(t).await;
        let (status, done) = t
            .post(
                "/api/v1/operator/licences/revoke",
                "10.0.0.9",
                Some(OPERATOR),
                json!({"type": "driving_licence", "number": number, "reason": "吊销"}),
            )
            .await;
        assert_eq!(
            (status, done["presentations"].as_u64()),
            (200, Some(1)),
            "{done}"
        );
        // The holder deletes it and adds it again: refused, with the reason.
        let (status, _, _) = t
            .call(
                reqwest::Method::DELETE,
                &format!("/api/v1/me/wallet/{id}"),
                "10.0.0.1",
                Some(&token),
                None,
            )
            .await;
        assert_eq!(status, 204);
        let (status, added) = t
            .post("/api/v1/me/wallet", "10.0.0.1", Some(&token), json!({}))
            .await;
        assert_eq!(status, 200, "{added}");
        assert_eq!(added["refused"][0]["type"], "driving_licence", "{added}");
        assert_eq!(added["refused"][0]["reason"], "revoked");
        assert!(
            !added["items"]
                .as_array()
                .unwrap()
                .iter()
                .any(|i| i["type"] == "driving_licence")
        );
        // The old presentation neither redeems nor verifies.
        let (status, body) = t
            .post(
                "/api/v1/wallet/redeem",
                "10.0.0.7",
                None,
                json!({"code": shown["code"]}),
            )
            .await;
        assert_eq!(
            (status, slug(&body)),
            (422, "presentation-revoked"),
            "{body}"
        );
    })
    .await;
}

/// The demo driving licence's number, as the operator knows it.
async fn yuesou_wallet_number(_t: &Target) -> String {
    let path = yuesou::bundled_root().join("data/demo/licences.jsonl");
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .find(|l| l["type"] == "driving_licence" && l["holder"] == "44010419880520123X")
        .and_then(|l| l["number"].as_str().map(str::to_string))
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn bursts_get_exactly_each_limit_through_and_memory_stays_bounded() {
    on_each_backend(async |t: &Target| {
        let rss_before = t.daemon.peak_rss_kib().unwrap_or(0);
        // 150 wrong passwords at once from one address: 5 are tried.
        let statuses = burst(150, |_| {
            let (http, url) = (t.http.clone(), t.url("/api/v1/auth/login"));
            async move {
                http.post(url)
                    .header("x-forwarded-for", "10.1.0.1")
                    .json(&json!({"phone": ALICE, "password": "wrong-guess-1"}))
                    .send()
                    .await
                    .unwrap()
                    .status()
                    .as_u16()
            }
        })
        .await;
        assert_eq!(
            (count(&statuses, 401), count(&statuses, 429)),
            (5, 145),
            "{}: {statuses:?}",
            t.backend
        );
        // argon2 runs a few at a time: the burst did not balloon memory.
        let rss_after = t.daemon.peak_rss_kib().unwrap_or(0);
        assert!(
            rss_after < rss_before + 200 * 1024,
            "{}: peak memory grew from {rss_before} to {rss_after} KiB",
            t.backend
        );

        // 100 code requests at once for one phone: one code is sent.
        let statuses = burst(100, |i| {
            let (http, url) = (t.http.clone(), t.url("/api/v1/auth/sms-codes"));
            async move {
                http.post(url)
                    .header("x-forwarded-for", format!("10.2.0.{}", i % 200))
                    .json(&json!({"phone": "13800000002", "purpose": "login"}))
                    .send()
                    .await
                    .unwrap()
                    .status()
                    .as_u16()
            }
        })
        .await;
        assert_eq!((count(&statuses, 202), count(&statuses, 429)), (1, 99));
        assert_eq!(t.codes_sent("13800000002"), 1);

        // 100 complaints at once from one account (one without feedback
        // this hour): 20 are stored.
        let token = t.login("13800000002", "10.3.0.1").await;
        let statuses = burst(100, |i| {
            let (http, url, token) = (t.http.clone(), t.url("/api/v1/me/feedback"), token.clone());
            async move {
                http.post(url)
                    .bearer_auth(token)
                    .json(&json!({"kind": "complaint", "title": format!("建议 {i}"), "content": "窗口排队太久"}))
                    .send()
                    .await
                    .unwrap()
                    .status()
                    .as_u16()
            }
        })
        .await;
        assert_eq!(
            (count(&statuses, 201), count(&statuses, 429)),
            (20, 80),
            "{}: {statuses:?}",
            t.backend
        );

        // 300 verifications at once from one address: 120 are checked.
        let statuses = burst(300, |_| {
            let (http, url) = (t.http.clone(), t.url("/api/v1/wallet/verify"));
            async move {
                http.post(url)
                    .header("x-forwarded-for", "10.4.0.1")
                    .json(&json!({"token": "not~a~token"}))
                    .send()
                    .await
                    .unwrap()
                    .status()
                    .as_u16()
            }
        })
        .await;
        assert_eq!(count(&statuses, 429), 180, "{statuses:?}");
        assert_eq!(statuses.len() - count(&statuses, 429), 120);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn nobody_can_lock_the_holder_out() {
    on_each_backend(async |t: &Target| {
        for _ in 0..5 {
            let (status, _) = t
                .post(
                    "/api/v1/auth/login",
                    "10.5.0.1",
                    None,
                    json!({"phone": ALICE, "password": "wrong-guess-1"}),
                )
                .await;
            assert_eq!(status, 401);
        }
        // The attacker's address is throttled…
        let (status, body) = t
            .post(
                "/api/v1/auth/login",
                "10.5.0.1",
                None,
                json!({"phone": ALICE, "password": PASSWORD}),
            )
            .await;
        assert_eq!((status, slug(&body)), (429, "rate-limited"));
        // …the holder elsewhere is not: password, and SMS code.
        t.login(ALICE, "10.5.0.2").await;
        let (status, _) = t
            .post(
                "/api/v1/auth/sms-codes",
                "10.5.0.2",
                None,
                json!({"phone": ALICE, "purpose": "login"}),
            )
            .await;
        assert_eq!(status, 202);
        let code = t.last_code(ALICE).unwrap();
        let (status, body) = t
            .post(
                "/api/v1/auth/login",
                "10.5.0.2",
                None,
                json!({"phone": ALICE, "sms_code": code}),
            )
            .await;
        assert_eq!(status, 200, "{body}");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn organisation_sessions_end_with_the_person() {
    on_each_backend(async |t: &Target| {
        let person = t.login(ALICE, "10.6.0.1").await;
        let (_, orgs) = t
            .get("/api/v1/me/organisations", "10.6.0.1", Some(&person))
            .await;
        let org = orgs[0]["id"].as_str().expect("the demo organisation");
        let (status, acting) = t
            .post(
                &format!("/api/v1/me/organisations/{org}/act"),
                "10.6.0.1",
                Some(&person),
                json!({}),
            )
            .await;
        assert_eq!(status, 200, "{acting}");
        let org_token = acting["token"].as_str().unwrap();
        // Listed under the person's session, and revocable there.
        let (_, sessions) = t
            .get("/api/v1/me/sessions", "10.6.0.1", Some(&person))
            .await;
        assert!(
            sessions
                .as_array()
                .unwrap()
                .iter()
                .any(|s| s["parent"].is_string() && s["acting_for"].is_string()),
            "{sessions}"
        );
        // The person logs out: the organisation token dies with it.
        let (status, _) = t
            .post("/api/v1/auth/logout", "10.6.0.1", Some(&person), json!({}))
            .await;
        assert_eq!(status, 204);
        let (status, _) = t
            .get("/api/v1/me/profile", "10.6.0.1", Some(org_token))
            .await;
        assert_eq!(status, 401);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn files_are_private_and_sms_codes_are_not_reversible_from_the_database() {
    use std::os::unix::fs::PermissionsExt;
    on_each_backend(async |t: &Target| {
        let (status, _) = t
            .post(
                "/api/v1/auth/sms-codes",
                "10.7.0.1",
                None,
                json!({"phone": ALICE, "purpose": "login"}),
            )
            .await;
        assert_eq!(status, 202);
        let data = t.dir.path().join("data");
        let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&data), 0o700);
        // The secret came from the environment: it is not on disk at all.
        assert!(!data.join("secrets/centre.key").exists());
        if t.backend == "sqlite" {
            for name in ["centre.db", "centre.db-wal", "centre.db-shm"] {
                assert_eq!(mode(&data.join(name)), 0o600, "{name}");
            }
            // Every six-digit code's plain SHA-256 is not what is stored.
            let code = t.last_code(ALICE).unwrap();
            let url = format!("sqlite://{}?mode=ro", data.join("centre.db").display());
            sqlx::any::install_default_drivers();
            let pool = sqlx::AnyPool::connect(&url).await.unwrap();
            let (stored,): (String,) =
                sqlx::query_as("SELECT code_hash FROM sms_codes WHERE phone = $1")
                    .bind(ALICE)
                    .fetch_one(&pool)
                    .await
                    .unwrap();
            use sha2::Digest;
            let plain = hex_of(&sha2::Sha256::digest(code.as_bytes()));
            assert_ne!(stored, plain, "the code hash is keyed");
            pool.close().await;
        }
    })
    .await;
}

fn hex_of(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn presentations_cannot_be_replayed_or_used_elsewhere() {
    on_each_backend(async |t: &Target| {
        let token = t.login(ALICE, "10.8.0.1").await;
        let (_, wallet) = t.get("/api/v1/me/wallet", "10.8.0.1", Some(&token)).await;
        let id = wallet["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["type"] == "driving_licence")
            .and_then(|i| i["id"].as_str())
            .unwrap()
            .to_string();
        let present = async |body: Value| {
            t.post(
                &format!("/api/v1/me/wallet/{id}/present"),
                "10.8.0.1",
                Some(&token),
                body,
            )
            .await
        };
        // A one-time QR code: short, redeemed once.
        let (status, shown) = present(json!({"disclose": []})).await;
        assert_eq!(status, 200, "{shown}");
        assert!(shown["link"].as_str().unwrap().len() < 100);
        let code = json!({"code": shown["code"]});
        let (status, _) = t.post("/api/v1/wallet/redeem", "10.8.0.7", None, code.clone()).await;
        assert_eq!(status, 200);
        let (status, body) = t.post("/api/v1/wallet/redeem", "10.8.0.8", None, code).await;
        assert_eq!((status, slug(&body)), (422, "presentation-replayed"));
        // Its token at another verifier: refused for its audience.
        let (status, body) = t
            .post(
                "/api/v1/wallet/verify",
                "10.8.0.7",
                None,
                json!({"token": shown["token"], "audience": "https://car-rental.example"}),
            )
            .await;
        assert_eq!((status, slug(&body)), (422, "presentation-not-for-verifier"));
        // A verifier's request, answered, fetched once; the token carries
        // no licence reference.
        let (status, request) = t
            .post(
                "/api/v1/wallet/requests",
                "10.8.0.9",
                None,
                json!({"verifier": "某酒店前台", "audience": "https://hotel.example", "fields": ["vehicle_class"]}),
            )
            .await;
        assert_eq!(status, 201, "{request}");
        let (status, body) = present(json!({"disclose": [], "request": request["code"]})).await;
        assert_eq!(status, 200, "{body}");
        let result = format!("/api/v1/wallet/requests/{}/result", request["code"].as_str().unwrap());
        let secret = request["secret"].as_str().unwrap();
        let (status, got) = t.get(&result, "10.8.0.9", Some(secret)).await;
        assert_eq!(status, 200, "{got}");
        let payload = got["token"].as_str().unwrap().split('.').nth(1).unwrap().to_string();
        use base64::Engine;
        let claims: Value = serde_json::from_slice(
            &base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(payload)
                .unwrap(),
        )
        .unwrap();
        assert!(claims.get("licence_ref").is_none(), "{claims}");
        assert!(claims["status"]["status_list"]["idx"].is_u64());
        let (status, body) = t.get(&result, "10.8.0.9", Some(secret)).await;
        assert_eq!((status, slug(&body)), (422, "presentation-replayed"));
        let (status, body) = t
            .post(
                "/api/v1/wallet/verify",
                "10.8.0.9",
                None,
                json!({"token": got["token"], "audience": "https://hotel.example", "nonce": request["nonce"]}),
            )
            .await;
        assert_eq!((status, slug(&body)), (422, "presentation-replayed"));
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_smaller_holes_are_closed() {
    on_each_backend(async |t: &Target| {
        let token = t.login(ALICE, "10.9.0.1").await;
        // With password login off, a right and a wrong password answer alike.
        let (status, _, _) = t
            .call(
                reqwest::Method::PUT,
                "/api/v1/me/settings",
                "10.9.0.1",
                Some(&token),
                Some(json!({"login_validity_hours": 24, "login_methods": ["sms"]})),
            )
            .await;
        assert_eq!(status, 200);
        let (right, r) = t
            .post(
                "/api/v1/auth/login",
                "10.9.0.2",
                None,
                json!({"phone": ALICE, "password": PASSWORD}),
            )
            .await;
        let (wrong, w) = t
            .post(
                "/api/v1/auth/login",
                "10.9.0.3",
                None,
                json!({"phone": ALICE, "password": "wrong-guess-1"}),
            )
            .await;
        assert_eq!((right, slug(&r)), (wrong, slug(&w)));
        assert_eq!(r["detail"], w["detail"]);
        // A bidi override in feedback is refused.
        let (status, body) = t
            .post(
                "/api/v1/me/feedback",
                "10.9.0.1",
                Some(&token),
                json!({"kind": "complaint", "title": "窗口", "content": "态度\u{202E}差很"}),
            )
            .await;
        assert_eq!(status, 400, "{body}");
        // API answers are neither cached nor sniffed.
        let (_, _, headers) = t
            .call(
                reqwest::Method::GET,
                "/api/v1/me/profile",
                "10.9.0.1",
                Some(&token),
                None,
            )
            .await;
        assert_eq!(headers["cache-control"], "no-store");
        assert_eq!(headers["x-content-type-options"], "nosniff");
        // A 1 MB header gets a problem document.
        let big = "a".repeat(1_000_000);
        let response = t
            .http
            .get(t.url("/api/v1/search?q=社保"))
            .header("x-padding", big)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 431);
        assert_eq!(
            response.headers()["content-type"],
            "application/problem+json"
        );
        let body: Value = response.json().await.unwrap();
        assert_eq!(slug(&body), "request-header-fields-too-large");
        // Personal numbers, however written, never reach the history.
        for query in [
            "138.0000.0001",
            "138/0000/0001",
            "1\u{200B}38\u{200B}0000\u{200B}0001",
            "一三八零零零零零零零一",
            "name(at)example.cn",
        ] {
            let (status, _) = t
                .get(
                    &format!("/api/v1/search?q={}", urlencode(query)),
                    "10.9.0.1",
                    Some(&token),
                )
                .await;
            assert_eq!(status, 200);
        }
        let started = Instant::now();
        loop {
            let (_, history) = t.get("/api/v1/me/history", "10.9.0.1", Some(&token)).await;
            let entries = history["entries"].as_array().cloned().unwrap_or_default();
            assert!(
                entries
                    .iter()
                    .all(|e| !e["query"].as_str().unwrap_or("").contains("0001")
                        && !e["query"].as_str().unwrap_or("").contains("零一")
                        && !e["query"].as_str().unwrap_or("").contains("(at)")),
                "{history}"
            );
            if started.elapsed() > Duration::from_secs(3) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
    })
    .await;
}

fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

//! The real HttpGateway against the reference department server over TCP
//! on loopback: signatures, timeouts, retries, breaker, concurrency,
//! size cap, strict parsing, idempotent settlement and isolation between
//! departments. No mock objects.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use time::macros::{date, datetime};
use yuesou_gateway::signing::{SigningKey, Verifier, new_nonce, sign_request};
use yuesou_gateway::testing::ReferenceServer;
use yuesou_gateway::{
    Algorithm, BillStatus, BillsRequest, BreakerState, CertificateRequest, DepartmentConfig,
    DepartmentGateway, DevGateway, GatewayConfig, GatewayError, HttpGateway, ManualClock,
    RecordsRequest, ServiceRef, SettleRequest, SettleTarget, SkewedClock, SubjectRef,
};

const SEED: [u8; 32] = [7; 32];
const CHEN: (&str, &str) = ("44010419880520123X", "陈嘉明");

/// The development gateway over the project's data/ (the real record
/// kinds, certificate families, words and bill kinds).
fn dev() -> Arc<DevGateway> {
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data");
    let dev = DevGateway::from_data_dir(&data);
    let Ok(dev) = dev else {
        panic!("data/: {dev:?}")
    };
    Arc::new(dev.with_clock(Arc::new(ManualClock::at_date(date!(2026 - 10 - 15)))))
}

fn verifier() -> Arc<Verifier> {
    let v = Verifier::new();
    v.add_key(
        "platform-1",
        SigningKey::ed25519_from_seed(&SEED).verifying_key(),
    );
    Arc::new(v)
}

async fn server(dev: &Arc<DevGateway>, prefix: &str) -> ReferenceServer {
    match ReferenceServer::start(
        dev.clone(),
        verifier(),
        "广东省人力资源和社会保障厅",
        prefix,
    )
    .await
    {
        Ok(s) => s,
        Err(e) => panic!("cannot start the reference server: {e}"),
    }
}

/// A department with fast test-friendly limits; `tweak` changes them.
fn department(base_url: &str, tweak: impl FnOnce(&mut DepartmentConfig)) -> DepartmentConfig {
    let mut d = DepartmentConfig::new(
        base_url,
        "platform-1",
        Algorithm::Ed25519,
        &STANDARD.encode(SEED),
    );
    d.names = vec!["广东省人力资源和社会保障厅".into()];
    d.timeout_ms = 2000;
    d.retries = 0;
    d.backoff_base_ms = 100;
    d.backoff_max_ms = 1000;
    tweak(&mut d);
    d
}

fn gateway(departments: Vec<(&str, DepartmentConfig)>) -> HttpGateway {
    let mut config = GatewayConfig::default();
    for (code, d) in departments {
        config.departments.insert(code.into(), d);
    }
    match HttpGateway::new(&config) {
        Ok(g) => g,
        Err(e) => panic!("{e}"),
    }
}

fn records(department: &str) -> RecordsRequest {
    RecordsRequest {
        department: department.into(),
        kind: "social_insurance_contributions".into(),
        service: Some(ServiceRef::new(
            "sb-ylcx-440100",
            "440100",
            "养老保险缴费查询",
            "社保",
        )),
        subject: SubjectRef::person(CHEN.0, CHEN.1),
        filters: [("month".to_owned(), "2026-01/2026-06".to_owned())].into(),
        page: 2,
        size: 4,
    }
}

fn bills(department: &str) -> BillsRequest {
    BillsRequest {
        department: department.into(),
        subject: SubjectRef::person(CHEN.0, CHEN.1),
        kinds: vec!["electricity".into(), "gas".into()],
        account: None,
    }
}

#[tokio::test]
async fn answers_over_http_equal_the_backend_s() {
    let dev = dev();
    let srv = server(&dev, "/gw/rst/").await;
    let gw = gateway(vec![("rst", department(&srv.base_url(), |_| {}))]);

    let direct = dev.records(&records("x")).await;
    let remote = gw.records(&records("广东省人力资源和社会保障厅")).await;
    assert!(direct.is_ok());
    assert_eq!(remote, direct, "records survive the round trip exactly");

    let direct = dev.bills(&bills("x")).await;
    assert_eq!(gw.bills(&bills("rst")).await, direct);

    let cert = CertificateRequest {
        department: "rst".into(),
        family: "gafw-wfzm".into(),
        service: Some(ServiceRef::new(
            "gafw-wfzm-440100",
            "440100",
            "无犯罪记录证明开具",
            "公安服务",
        )),
        subject: SubjectRef::person(CHEN.0, CHEN.1),
        purpose: Some("就业".into()),
        request_id: "cert-1".into(),
    };
    let facts = gw.certificate(&cert).await;
    assert_eq!(facts, dev.certificate(&cert).await);
    assert!(facts.is_ok());

    let refused = gw
        .certificate(&CertificateRequest {
            purpose: None,
            ..cert
        })
        .await;
    assert!(
        matches!(refused, Err(GatewayError::BadRequest(_))),
        "{refused:?}"
    );
    let unknown = gw
        .records(&RecordsRequest {
            kind: "nope_kind".into(),
            ..records("rst")
        })
        .await;
    assert!(
        matches!(unknown, Err(GatewayError::NotFound { .. })),
        "{unknown:?}"
    );

    dev.revoke("广东省人力资源和社会保障厅", "ZM2026", Some("重复开具"));
    let revoked = gw
        .revoked_certificates("rst", datetime!(2026-01-01 0:00 +8))
        .await;
    let Ok(revoked) = revoked else {
        panic!("{revoked:?}")
    };
    assert_eq!(revoked.revoked.len(), 1);
    assert_eq!(revoked.revoked[0].reason.as_deref(), Some("重复开具"));

    let not_connected = gw.records(&records("广州市住房公积金管理中心")).await;
    assert!(matches!(
        not_connected,
        Err(GatewayError::NotConnected { .. })
    ));
    assert!(
        srv.requests()
            .iter()
            .all(|r| r.refused.is_none() && r.path.starts_with("/gw/rst/v1/"))
    );
}

#[tokio::test]
async fn hmac_keys_work_end_to_end() {
    let dev = dev();
    let secret = STANDARD.encode([42u8; 32]);
    let v = Verifier::new();
    let key = SigningKey::hmac_sha256_from_base64(&secret).unwrap_or_else(|e| panic!("{e}"));
    v.add_key("hmac-1", key.verifying_key());
    let srv = ReferenceServer::start(dev.clone(), Arc::new(v), "rst", "/")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let gw = gateway(vec![(
        "rst",
        DepartmentConfig::new(&srv.base_url(), "hmac-1", Algorithm::HmacSha256, &secret),
    )]);
    assert!(gw.bills(&bills("rst")).await.is_ok());
}

#[tokio::test]
async fn forged_unknown_stale_unsigned_and_replayed_requests_are_refused() {
    let dev = dev();
    let srv = server(&dev, "/").await;

    let forged = gateway(vec![(
        "rst",
        department(&srv.base_url(), |d| {
            d.signing_key = Some(yuesou_gateway::Secret::new(&STANDARD.encode([8u8; 32])));
        }),
    )]);
    let result = forged.bills(&bills("rst")).await;
    assert!(
        matches!(result, Err(GatewayError::Internal(_))),
        "{result:?}"
    );
    assert_eq!(
        srv.requests().last().and_then(|r| r.refused),
        Some("bad_signature")
    );

    let unknown = gateway(vec![(
        "rst",
        department(&srv.base_url(), |d| d.key_id = "other-key".into()),
    )]);
    assert!(unknown.bills(&bills("rst")).await.is_err());
    assert_eq!(
        srv.requests().last().and_then(|r| r.refused),
        Some("unknown_key")
    );

    let stale = gateway(vec![("rst", department(&srv.base_url(), |_| {}))])
        .with_clock(Arc::new(SkewedClock(-400)));
    assert!(stale.bills(&bills("rst")).await.is_err());
    assert_eq!(
        srv.requests().last().and_then(|r| r.refused),
        Some("timestamp_out_of_window")
    );
    let slightly = gateway(vec![("rst", department(&srv.base_url(), |_| {}))])
        .with_clock(Arc::new(SkewedClock(-200)));
    assert!(
        slightly.bills(&bills("rst")).await.is_ok(),
        "inside the ±300 s window"
    );

    // By hand: unsigned, tampered and replayed requests.
    let client = reqwest::Client::new();
    let url = format!("{}v1/bills/query", srv.base_url());
    let body =
        serde_json::json!({"subject": {"type": "person", "id_number": CHEN.0, "name": CHEN.1}})
            .to_string();
    let unsigned = client
        .post(&url)
        .body(body.clone())
        .send()
        .await
        .map(|r| r.status().as_u16())
        .ok();
    assert_eq!(unsigned, Some(401));
    assert_eq!(
        srv.requests().last().and_then(|r| r.refused),
        Some("signature_missing")
    );

    let key = SigningKey::ed25519_from_seed(&SEED);
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let signed = sign_request(
        "platform-1",
        &key,
        "POST",
        "/v1/bills/query",
        body.as_bytes(),
        now,
        &new_nonce(),
    );
    let send = |payload: String| {
        let mut request = client
            .post(&url)
            .header("content-type", "application/json")
            .body(payload);
        for (name, value) in signed.pairs() {
            request = request.header(name, value);
        }
        request.send()
    };
    let tampered = send(body.replace("陈嘉明", "林晓彤"))
        .await
        .map(|r| r.status().as_u16())
        .ok();
    assert_eq!(tampered, Some(401));
    assert_eq!(
        srv.requests().last().and_then(|r| r.refused),
        Some("digest_mismatch")
    );
    let first = send(body.clone()).await.map(|r| r.status().as_u16()).ok();
    assert_eq!(first, Some(200));
    let replay = send(body.clone()).await;
    let Ok(replay) = replay else {
        panic!("{replay:?}")
    };
    assert_eq!(replay.status().as_u16(), 401);
    assert_eq!(
        replay
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok()),
        Some("application/problem+json")
    );
    let bytes = replay.bytes().await.unwrap_or_default();
    let problem: serde_json::Value = serde_json::from_slice(&bytes).unwrap_or_default();
    assert_eq!(problem["code"], "replayed_nonce");
}

#[tokio::test]
async fn a_slow_department_times_out() {
    let dev = dev();
    let srv = server(&dev, "/").await;
    srv.knobs().set_delay(Duration::from_millis(1500));
    let gw = gateway(vec![(
        "rst",
        department(&srv.base_url(), |d| d.timeout_ms = 200),
    )]);
    let started = Instant::now();
    let result = gw.bills(&bills("rst")).await;
    assert!(
        matches!(result, Err(GatewayError::Unavailable { .. })),
        "{result:?}"
    );
    assert!(
        started.elapsed() < Duration::from_millis(1200),
        "gave up at the timeout: {:?}",
        started.elapsed()
    );
    let stats = gw.stats();
    let rst = stats.department("rst");
    assert_eq!(
        rst.map(|d| d.errors.get("unavailable").copied()),
        Some(Some(1))
    );
}

#[tokio::test]
async fn transient_failures_are_retried_with_backoff() {
    let dev = dev();
    let srv = server(&dev, "/").await;
    let gw = gateway(vec![(
        "rst",
        department(&srv.base_url(), |d| d.retries = 2),
    )]);
    srv.knobs().fail_next(2, 503);
    let result = gw.records(&records("rst")).await;
    assert!(result.is_ok(), "{result:?}");
    let seen = srv.requests();
    assert_eq!(seen.len(), 3, "two failures and a success");
    let gaps: Vec<Duration> = seen.windows(2).map(|w| w[1].at - w[0].at).collect();
    // Equal jitter: at least half of 100 ms, then of 200 ms.
    assert!(gaps[0] >= Duration::from_millis(50), "{gaps:?}");
    assert!(gaps[1] >= Duration::from_millis(100), "{gaps:?}");
    let stats = gw.stats();
    let rst = stats
        .department("rst")
        .map(|d| (d.attempts, d.retries, d.calls["records"], d.latency.count));
    assert_eq!(rst, Some((3, 2, 1, 3)));

    // More failures than retries: Unavailable after 1 + 2 attempts.
    srv.knobs().fail_next(5, 502);
    assert!(matches!(
        gw.records(&records("rst")).await,
        Err(GatewayError::Unavailable { .. })
    ));
    assert_eq!(srv.request_count(), 6);
    srv.knobs().reset();

    // A Retry-After longer than the longest backoff ends the retries.
    srv.knobs()
        .retry_after_secs
        .store(5, std::sync::atomic::Ordering::SeqCst);
    srv.knobs().fail_next(1, 503);
    let result = gw.records(&records("rst")).await;
    assert_eq!(
        result.err(),
        Some(GatewayError::Unavailable {
            department: "rst".into(),
            retry_after_secs: Some(5)
        })
    );
    assert_eq!(srv.request_count(), 7);
}

#[tokio::test]
async fn refusals_and_contract_violations_are_not_retried() {
    let dev = dev();
    let srv = server(&dev, "/").await;
    let gw = gateway(vec![(
        "rst",
        department(&srv.base_url(), |d| d.retries = 3),
    )]);

    srv.knobs().fail_next(1, 409);
    assert!(matches!(
        gw.bills(&bills("rst")).await,
        Err(GatewayError::Refused { .. })
    ));
    assert_eq!(srv.request_count(), 1);

    srv.knobs()
        .malformed_json
        .store(true, std::sync::atomic::Ordering::SeqCst);
    let result = gw.bills(&bills("rst")).await;
    let Err(GatewayError::Contract { reason, .. }) = &result else {
        panic!("{result:?}")
    };
    assert!(
        !reason.contains("4401") && !format!("{result:?}").contains("123X"),
        "no personal data: {reason}"
    );
    assert_eq!(srv.request_count(), 2);
    srv.knobs().reset();

    srv.knobs()
        .wrong_content_type
        .store(true, std::sync::atomic::Ordering::SeqCst);
    let result = gw.bills(&bills("rst")).await;
    assert!(
        matches!(&result, Err(GatewayError::Contract { reason, .. }) if reason.contains("content type")),
        "{result:?}"
    );
    assert_eq!(srv.request_count(), 3);
    srv.knobs().reset();

    srv.knobs()
        .huge_body_bytes
        .store(3 * 1024 * 1024, std::sync::atomic::Ordering::SeqCst);
    let result = gw.bills(&bills("rst")).await;
    assert!(
        matches!(&result, Err(GatewayError::Contract { reason, .. }) if reason.contains("larger than 2097152")),
        "{result:?}"
    );
    assert_eq!(srv.request_count(), 4);
    srv.knobs().reset();

    // Requests the platform can tell are wrong never leave it.
    let bad = gw
        .records(&RecordsRequest {
            size: 500,
            ..records("rst")
        })
        .await;
    assert!(matches!(bad, Err(GatewayError::BadRequest(_))));
    assert_eq!(srv.request_count(), 4);
}

#[tokio::test]
async fn responses_are_checked_against_the_request() {
    let dev = dev();
    let srv = server(&dev, "/").await;
    // The cap applies before parsing: a tiny cap refuses a normal answer.
    let gw = gateway(vec![(
        "rst",
        department(&srv.base_url(), |d| d.max_response_bytes = 1024),
    )]);
    let result = gw.bills(&bills("rst")).await;
    assert!(
        matches!(&result, Err(GatewayError::Contract { reason, .. }) if reason.contains("larger than 1024")),
        "{result:?}"
    );
}

#[tokio::test]
async fn settle_is_retried_safely_and_idempotent() {
    let dev = dev();
    let srv = server(&dev, "/").await;
    let gw = gateway(vec![(
        "rst",
        department(&srv.base_url(), |d| d.retries = 2),
    )]);
    // 林晓彤's September electricity is still unpaid on 2026-10-15.
    let lin = BillsRequest {
        subject: SubjectRef::person("440305199208083329", "林晓彤"),
        ..bills("rst")
    };
    let listed = gw.bills(&lin).await.unwrap_or_default();
    let Some(bill) = listed.bills.iter().find(|b| b.status == BillStatus::Unpaid) else {
        panic!("no unpaid bill: {listed:?}")
    };
    let settle = |payment: &str, amount: i64| SettleRequest {
        department: "rst".into(),
        target: SettleTarget::Bill(bill.bill_id.clone()),
        payment_id: payment.into(),
        amount_fen: amount,
        paid_at: datetime!(2026-10-15 10:00 +8),
    };
    let before = srv.request_count();
    srv.knobs().fail_next(1, 503);
    let first = gw.settle(&settle("pay-9", bill.amount_fen)).await;
    let Ok(first) = first else {
        panic!("{first:?}")
    };
    assert_eq!(
        srv.request_count() - before,
        2,
        "retried once with the same payment id"
    );
    assert_eq!(
        gw.settle(&settle("pay-9", bill.amount_fen)).await.ok(),
        Some(first)
    );
    let mismatch = gw.settle(&settle("pay-10", bill.amount_fen + 100)).await;
    assert!(
        matches!(&mismatch, Err(GatewayError::Refused { code, .. }) if code == "amount_mismatch"),
        "{mismatch:?}"
    );
    let again = gw.settle(&settle("pay-11", bill.amount_fen)).await;
    assert!(
        matches!(&again, Err(GatewayError::Refused { code, .. }) if code == "already_paid"),
        "{again:?}"
    );
    let top_up = &listed.top_ups[0];
    let gas = gw
        .settle(&SettleRequest {
            target: SettleTarget::TopUp(top_up.top_up_id.clone()),
            ..settle("gas-1", 5000)
        })
        .await;
    assert!(gas.is_ok(), "{gas:?}");
    assert!(
        srv.requests()
            .iter()
            .any(|r| r.path.starts_with("/v1/topups/") && r.status == 200)
    );
}

#[tokio::test]
async fn the_breaker_opens_half_opens_and_closes() {
    let dev = dev();
    let srv = server(&dev, "/").await;
    let gw = gateway(vec![(
        "rst",
        department(&srv.base_url(), |d| {
            d.breaker.consecutive_failures = 3;
            d.breaker.cooldown_ms = 300;
        }),
    )]);
    let state = |gw: &HttpGateway| gw.stats().department("rst").map(|d| d.breaker);
    srv.knobs().fail_next(1000, 503);
    for _ in 0..3 {
        assert!(matches!(
            gw.bills(&bills("rst")).await,
            Err(GatewayError::Unavailable { .. })
        ));
    }
    assert_eq!(srv.request_count(), 3);
    assert_eq!(state(&gw), Some(BreakerState::Open));
    let rejected = gw.bills(&bills("rst")).await;
    assert!(
        matches!(
            rejected,
            Err(GatewayError::Unavailable {
                retry_after_secs: Some(1),
                ..
            })
        ),
        "{rejected:?}"
    );
    assert_eq!(srv.request_count(), 3, "an open breaker sends nothing");

    tokio::time::sleep(Duration::from_millis(350)).await;
    assert_eq!(state(&gw), Some(BreakerState::HalfOpen));
    assert!(gw.bills(&bills("rst")).await.is_err(), "the probe fails");
    assert_eq!(srv.request_count(), 4, "exactly one probe");
    assert_eq!(state(&gw), Some(BreakerState::Open));

    srv.knobs().reset();
    tokio::time::sleep(Duration::from_millis(350)).await;
    assert!(gw.bills(&bills("rst")).await.is_ok(), "the probe succeeds");
    assert_eq!(state(&gw), Some(BreakerState::Closed));
    assert!(gw.bills(&bills("rst")).await.is_ok());
}

#[tokio::test]
async fn the_concurrency_limit_answers_busy() {
    let dev = dev();
    let srv = server(&dev, "/").await;
    srv.knobs().set_delay(Duration::from_millis(800));
    let gw = Arc::new(gateway(vec![(
        "rst",
        department(&srv.base_url(), |d| {
            d.max_concurrency = 2;
            d.queue_timeout_ms = 100;
        }),
    )]));
    let calls: Vec<_> = (0..4)
        .map(|_| {
            let gw = gw.clone();
            tokio::spawn(async move { gw.bills(&bills("rst")).await })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(gw.stats().department("rst").map(|d| d.in_flight), Some(2));
    let mut ok = 0;
    let mut busy = 0;
    for call in calls {
        match call.await {
            Ok(Ok(_)) => ok += 1,
            Ok(Err(GatewayError::Busy { .. })) => busy += 1,
            other => panic!("{other:?}"),
        }
    }
    assert_eq!((ok, busy), (2, 2));
    assert_eq!(srv.request_count(), 2, "busy calls sent nothing");
    assert_eq!(gw.stats().department("rst").map(|d| d.in_flight), Some(0));
}

#[tokio::test]
async fn one_slow_department_does_not_slow_another() {
    let dev = dev();
    let slow = server(&dev, "/").await;
    let fast = server(&dev, "/").await;
    slow.knobs().set_delay(Duration::from_secs(2));
    let gw = Arc::new(gateway(vec![
        (
            "slow",
            department(&slow.base_url(), |d| {
                d.names.clear();
                d.timeout_ms = 10_000;
            }),
        ),
        // Room for all twenty at once: what is tested is that the slow
        // department's call holds nothing of this one's, not its limit.
        (
            "fast",
            department(&fast.base_url(), |d| {
                d.names.clear();
                d.max_concurrency = 32;
            }),
        ),
    ]));
    let pending = {
        let gw = gw.clone();
        tokio::spawn(async move { gw.bills(&bills("slow")).await })
    };
    tokio::time::sleep(Duration::from_millis(50)).await;
    let fast_calls: Vec<_> = (0..20)
        .map(|_| {
            let gw = gw.clone();
            tokio::spawn(async move { gw.records(&records("fast")).await })
        })
        .collect();
    for call in fast_calls {
        assert!(matches!(call.await, Ok(Ok(_))));
    }
    assert!(
        !pending.is_finished(),
        "all 20 fast calls finished while the slow one was pending"
    );
    assert!(matches!(pending.await, Ok(Ok(_))));
}

#[test]
fn configuration_reads_from_toml() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let key_file = dir.path().join("gat.seed");
    std::fs::write(&key_file, STANDARD.encode(SEED)).unwrap_or_else(|e| panic!("{e}"));
    let text = format!(
        r#"
[client]
connect_timeout_ms = 1500

[departments.gat]
names = ["广东省公安厅", "省公安厅交通管理局"]
base_url = "https://exchange.gd.example/gat"
key_id = "yuesou-2026-01"
algorithm = "ed25519"
signing_key_file = "{}"
timeout_ms = 3000
max_concurrency = 8

[departments.gat.breaker]
consecutive_failures = 4
cooldown_ms = 10000

[departments.water]
base_url = "https://water.example/api/"
key_id = "w1"
algorithm = "hmac-sha256"
signing_key = "{}"
"#,
        key_file.display(),
        STANDARD.encode([3u8; 32])
    );
    let config: GatewayConfig = toml::from_str(&text).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(config.departments["gat"].breaker.consecutive_failures, 4);
    assert_eq!(
        config.departments["gat"].breaker.window, 20,
        "defaults fill the rest"
    );
    assert!(
        !format!("{config:?}").contains(&STANDARD.encode([3u8; 32])),
        "secrets are redacted in Debug"
    );
    let gw = HttpGateway::new(&config).unwrap_or_else(|e| panic!("{e}"));
    assert!(gw.is_connected("省公安厅交通管理局") && gw.is_connected("water"));
    assert_eq!(gw.departments().collect::<Vec<_>>(), vec!["gat", "water"]);

    let typo = text.replace("timeout_ms = 3000", "timeout = 3000");
    assert!(
        toml::from_str::<GatewayConfig>(&typo).is_err(),
        "unknown keys are errors"
    );
}

/// A department whose answers parse as JSON but break the contract's rules.
struct Sloppy;

#[async_trait::async_trait]
impl DepartmentGateway for Sloppy {
    async fn records(
        &self,
        req: &RecordsRequest,
    ) -> Result<yuesou_gateway::RecordsPage, GatewayError> {
        let row = |amount: serde_json::Value| {
            [("amount".to_owned(), amount)]
                .into_iter()
                .collect::<std::collections::BTreeMap<_, _>>()
        };
        let columns = vec![yuesou_gateway::Column {
            name: "amount".into(),
            label: "金额".into(),
            kind: yuesou_gateway::ColumnType::Money,
        }];
        // Page 1: money as a float. Page 2: more rows than asked for.
        let rows = if req.page == 1 {
            vec![row(serde_json::json!(12.5))]
        } else {
            (0..=req.size).map(|i| row(serde_json::json!(i))).collect()
        };
        Ok(yuesou_gateway::RecordsPage {
            columns,
            rows,
            total: 100,
            summary: Default::default(),
        })
    }
    async fn certificate(
        &self,
        _: &CertificateRequest,
    ) -> Result<yuesou_gateway::CertificateFacts, GatewayError> {
        Err(GatewayError::NotFound {
            what: "certificate".into(),
        })
    }
    async fn bills(&self, _: &BillsRequest) -> Result<yuesou_gateway::Bills, GatewayError> {
        Ok(yuesou_gateway::Bills {
            bills: vec![yuesou_gateway::Bill {
                bill_id: "has spaces".into(),
                kind: "electricity".into(),
                title: "电费".into(),
                payee: "供电局".into(),
                account: "01****1234".into(),
                amount_fen: 100,
                due: date!(2026 - 10 - 25),
                period: None,
                description: String::new(),
                status: BillStatus::Unpaid,
            }],
            top_ups: vec![],
        })
    }
    async fn settle(&self, _: &SettleRequest) -> Result<yuesou_gateway::Settlement, GatewayError> {
        Err(GatewayError::Internal("no".into()))
    }
    async fn revoked_certificates(
        &self,
        _: &str,
        _: time::OffsetDateTime,
    ) -> Result<yuesou_gateway::Revocations, GatewayError> {
        Err(GatewayError::Internal("no".into()))
    }
}

#[tokio::test]
async fn answers_that_break_the_contract_are_refused() {
    let srv = ReferenceServer::start(Arc::new(Sloppy), verifier(), "rst", "/")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let gw = gateway(vec![(
        "rst",
        department(&srv.base_url(), |d| d.retries = 2),
    )]);
    let float = gw
        .records(&RecordsRequest {
            page: 1,
            ..records("rst")
        })
        .await;
    assert!(
        matches!(&float, Err(GatewayError::Contract { reason, .. }) if reason.contains("Money")),
        "{float:?}"
    );
    let too_many = gw
        .records(&RecordsRequest {
            page: 2,
            ..records("rst")
        })
        .await;
    assert!(
        matches!(&too_many, Err(GatewayError::Contract { reason, .. }) if reason.contains("rows on a page")),
        "{too_many:?}"
    );
    let bad_id = gw.bills(&bills("rst")).await;
    assert!(
        matches!(&bad_id, Err(GatewayError::Contract { reason, .. }) if reason.contains("bill_id")),
        "{bad_id:?}"
    );
    assert_eq!(
        srv.request_count(),
        3,
        "contract violations are not retried"
    );
    let stats = gw.stats();
    assert_eq!(
        stats
            .department("rst")
            .and_then(|d| d.errors.get("contract").copied()),
        Some(3)
    );
}

/// A department behind TLS with a private CA: trusted once the CA is
/// configured (even as the only root), refused without it.
#[tokio::test]
async fn https_with_a_private_ca() {
    use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair};
    let ca_key = KeyPair::generate().unwrap_or_else(|e| panic!("{e}"));
    let mut ca_params =
        CertificateParams::new(Vec::<String>::new()).unwrap_or_else(|e| panic!("{e}"));
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(DnType::CommonName, "粤搜测试政务数据交换 CA");
    let ca = CertifiedIssuer::self_signed(ca_params, ca_key).unwrap_or_else(|e| panic!("{e}"));
    let leaf_key = KeyPair::generate().unwrap_or_else(|e| panic!("{e}"));
    let leaf = CertificateParams::new(vec!["127.0.0.1".to_owned(), "localhost".to_owned()])
        .and_then(|p| p.signed_by(&leaf_key, &ca))
        .unwrap_or_else(|e| panic!("{e}"));
    let identity = yuesou_gateway::testing::TlsIdentity {
        cert_chain_pem: leaf.pem(),
        key_pem: leaf_key.serialize_pem(),
    };
    let dev = dev();
    let srv = ReferenceServer::start_tls(dev.clone(), verifier(), "rst", "/gd/", &identity)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(srv.base_url().starts_with("https://127.0.0.1:"));

    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let ca_file = dir.path().join("ca.pem");
    std::fs::write(&ca_file, ca.pem()).unwrap_or_else(|e| panic!("{e}"));
    let mut config = GatewayConfig::default();
    config.client.extra_root_certificates = vec![ca_file];
    config.client.only_extra_roots = true;
    config
        .departments
        .insert("rst".into(), department(&srv.base_url(), |_| {}));
    let trusting = HttpGateway::new(&config).unwrap_or_else(|e| panic!("{e}"));
    let answer = trusting.bills(&bills("rst")).await;
    assert_eq!(answer, dev.bills(&bills("x")).await);

    let untrusting = gateway(vec![("rst", department(&srv.base_url(), |_| {}))]);
    let refused = untrusting.bills(&bills("rst")).await;
    assert!(
        matches!(refused, Err(GatewayError::Unavailable { .. })),
        "{refused:?}"
    );
    assert_eq!(
        srv.request_count(),
        1,
        "the untrusted handshake never reached HTTP"
    );
}

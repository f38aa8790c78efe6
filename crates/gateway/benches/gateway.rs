//! Cost of one department call, with and without the HTTP gateway:
//! `cargo bench -p yuesou-gateway --bench gateway`.
//!
//! - `records/dev_direct`: the development gateway answering in process
//!   (what the daemon does with demo data on);
//! - `records/http_ed25519`, `records/http_hmac`: the same request through
//!   [`HttpGateway`] to a [`ReferenceServer`] on loopback (plain HTTP, one
//!   pooled keep-alive connection) that verifies the signature and answers
//!   from the same development gateway. The difference from `dev_direct` is
//!   the gateway's overhead per call: JSON both ways, signing, verification
//!   with the replay check, the contract check of the answer, and the
//!   loopback round trip;
//! - `certificate/…`: the same three ways for the facts of a certificate
//!   (户籍证明);
//! - `sign/…`, `verify/…`: the signature alone, to attribute the overhead.
//!
//! The calls run back to back on one task (no concurrency): per-call
//! latency, not throughput. Client and server share the process and the
//! machine's cores.

use std::hint::black_box;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use time::OffsetDateTime;
use time::macros::date;
use tokio::runtime::Runtime;
use yuesou_gateway::signing::{SigningKey, Verifier, new_nonce, sign_request};
use yuesou_gateway::testing::ReferenceServer;
use yuesou_gateway::wire::RecordsQuery;
use yuesou_gateway::{
    Algorithm, CertificateRequest, DepartmentConfig, DepartmentGateway, DevGateway, GatewayConfig,
    HttpGateway, ManualClock, RecordsRequest, ServiceRef, SubjectRef,
};

/// The department as the catalogue names it (广州 公积金).
const DEPARTMENT: &str = "广州住房公积金管理中心";
const KEY_ID: &str = "bench-1";
const ED25519_SEED: [u8; 32] = [7; 32];
const HMAC_SECRET: [u8; 32] = [9; 32];

fn dev() -> Arc<DevGateway> {
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data");
    let dev = DevGateway::from_data_dir(&data).expect("data/records loads");
    Arc::new(dev.with_clock(Arc::new(ManualClock::at_date(date!(2026 - 10 - 15)))))
}

/// The page the daemon asks for when a person opens 住房公积金缴存明细查询
/// (gjj-jcmx-440100): the kind's default page size, no filters.
fn records_request() -> RecordsRequest {
    RecordsRequest {
        department: DEPARTMENT.into(),
        kind: "housing_fund_deposits".into(),
        service: Some(ServiceRef::new(
            "gjj-jcmx-440100",
            "440100",
            "住房公积金缴存明细查询",
            "公积金",
        )),
        subject: SubjectRef::person("44010419880520123X", "陈嘉明"),
        filters: Default::default(),
        page: 1,
        size: 12,
    }
}

/// 户籍证明开具 (hz-hjzm-440100); one request id, so every call asks for the
/// same certificate (the development gateway stores nothing).
fn certificate_request() -> CertificateRequest {
    CertificateRequest {
        department: DEPARTMENT.into(),
        family: "hz-hjzm".into(),
        service: Some(ServiceRef::new(
            "hz-hjzm-440100",
            "440100",
            "户籍证明开具",
            "户政（治安）",
        )),
        subject: SubjectRef::person("44010419880520123X", "陈嘉明"),
        purpose: None,
        request_id: "bench-certificate-1".into(),
    }
}

fn signing_key(algorithm: Algorithm) -> (SigningKey, String) {
    match algorithm {
        Algorithm::Ed25519 => (
            SigningKey::ed25519_from_seed(&ED25519_SEED),
            STANDARD.encode(ED25519_SEED),
        ),
        Algorithm::HmacSha256 => {
            let text = STANDARD.encode(HMAC_SECRET);
            (
                SigningKey::hmac_sha256_from_base64(&text).expect("hmac key"),
                text,
            )
        }
    }
}

/// A reference department answering from `dev`, and an HTTP gateway
/// configured for it with the defaults of docs/INTEGRATION.md.
async fn remote(dev: &Arc<DevGateway>, algorithm: Algorithm) -> (ReferenceServer, HttpGateway) {
    let (key, text) = signing_key(algorithm);
    // Criterion makes a few hundred thousand calls inside the replay window.
    let verifier = Verifier::new().with_max_nonces(20_000_000);
    verifier.add_key(KEY_ID, key.verifying_key());
    let server = ReferenceServer::start(dev.clone(), Arc::new(verifier), DEPARTMENT, "/gjj/")
        .await
        .expect("reference server starts");
    let mut department = DepartmentConfig::new(&server.base_url(), KEY_ID, algorithm, &text);
    department.names = vec![DEPARTMENT.into()];
    let mut config = GatewayConfig::default();
    config.departments.insert("gjj".into(), department);
    let gateway = HttpGateway::new(&config).expect("gateway configuration");
    (server, gateway)
}

/// `iters` calls back to back inside the runtime, timed there (no
/// `block_on` per call).
fn timed<F, Fut>(rt: &Runtime, iters: u64, call: F) -> Duration
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    rt.block_on(async {
        let start = Instant::now();
        for _ in 0..iters {
            call().await;
        }
        start.elapsed()
    })
}

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let dev = dev();
    let records = records_request();
    let certificate = certificate_request();
    let (ed_server, ed) = rt.block_on(remote(&dev, Algorithm::Ed25519));
    let (hmac_server, hmac) = rt.block_on(remote(&dev, Algorithm::HmacSha256));

    // The answers over HTTP are the development gateway's own.
    let direct = rt.block_on(dev.records(&records)).expect("dev records");
    let body = serde_json::to_vec(&direct).expect("encode");
    for gateway in [&ed, &hmac] {
        let page = rt
            .block_on(gateway.records(&records))
            .expect("records over HTTP");
        assert_eq!(page, direct, "the HTTP gateway changes nothing");
        let facts = rt
            .block_on(gateway.certificate(&certificate))
            .expect("certificate over HTTP");
        assert_eq!(
            facts,
            rt.block_on(dev.certificate(&certificate))
                .expect("dev facts")
        );
    }
    println!(
        "records page: {} of {} rows, {} bytes of JSON",
        direct.rows.len(),
        direct.total,
        body.len()
    );

    let mut group = c.benchmark_group("records");
    group.bench_function("dev_direct", |b| {
        b.iter_custom(|iters| {
            timed(&rt, iters, || async {
                black_box(dev.records(black_box(&records)).await.expect("records"));
            })
        })
    });
    for (name, gateway) in [("http_ed25519", &ed), ("http_hmac", &hmac)] {
        group.bench_function(name, |b| {
            b.iter_custom(|iters| {
                timed(&rt, iters, || async {
                    black_box(gateway.records(black_box(&records)).await.expect("records"));
                })
            })
        });
    }
    group.finish();

    let mut group = c.benchmark_group("certificate");
    group.bench_function("dev_direct", |b| {
        b.iter_custom(|iters| {
            timed(&rt, iters, || async {
                black_box(
                    dev.certificate(black_box(&certificate))
                        .await
                        .expect("facts"),
                );
            })
        })
    });
    for (name, gateway) in [("http_ed25519", &ed), ("http_hmac", &hmac)] {
        group.bench_function(name, |b| {
            b.iter_custom(|iters| {
                timed(&rt, iters, || async {
                    black_box(
                        gateway
                            .certificate(black_box(&certificate))
                            .await
                            .expect("facts"),
                    );
                })
            })
        });
    }
    group.finish();

    // The signature alone, over a records query's body (the request side:
    // the query, not the page).
    let query = serde_json::to_vec(&RecordsQuery {
        kind: records.kind.clone(),
        service: records.service.clone(),
        subject: records.subject.clone(),
        filters: records.filters.clone(),
        page: records.page,
        size: records.size,
    })
    .expect("encode");
    let query = query.as_slice();
    let path = "/gjj/v1/records/query";
    for (name, algorithm) in [
        ("ed25519", Algorithm::Ed25519),
        ("hmac", Algorithm::HmacSha256),
    ] {
        let (key, _) = signing_key(algorithm);
        let verifier = Verifier::new().with_max_nonces(20_000_000);
        verifier.add_key(KEY_ID, key.verifying_key());
        c.bench_function(&format!("sign/{name}"), |b| {
            b.iter(|| {
                let now = OffsetDateTime::now_utc().unix_timestamp();
                sign_request(
                    KEY_ID,
                    &key,
                    "POST",
                    path,
                    black_box(query),
                    now,
                    &new_nonce(),
                )
            })
        });
        c.bench_function(&format!("verify/{name}"), |b| {
            b.iter_batched(
                || {
                    let now = OffsetDateTime::now_utc().unix_timestamp();
                    let headers =
                        sign_request(KEY_ID, &key, "POST", path, query, now, &new_nonce());
                    (headers.to_header_map(), now)
                },
                |(headers, now)| {
                    verifier
                        .verify("POST", path, &headers, black_box(query), now)
                        .expect("verifies")
                },
                BatchSize::SmallInput,
            )
        });
    }

    let calls = ed_server.request_count() + hmac_server.request_count();
    println!("reference servers answered {calls} calls");
}

criterion_group!(benches, bench);
criterion_main!(benches);

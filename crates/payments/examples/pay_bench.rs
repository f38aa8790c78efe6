//! End-to-end payments per second with the development provider: create →
//! the person confirms → signed notification → paid → settled with the
//! (development) department → receipt. Prints throughput, order-creation
//! latency (p50/p99) and created→settled latency (p50/p99).
//!
//! ```text
//! cargo run --release -p yuesou-payments --example pay_bench -- \
//!     [--postgres | --url <database url>] [--payments 2000] [--concurrency 16] [--data data]
//! ```
//!
//! By default it runs on a fresh SQLite database in a temporary directory;
//! `--postgres` makes a fresh schema on the test server
//! (`YUESOU_TEST_POSTGRES`, default `postgres://postgres@127.0.0.1:5432/test`). Notifications go through the provider's in-process sink (no
//! HTTP), so the numbers are the platform's, not the network's.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use tokio::sync::Mutex;
use yuesou_gateway::{BillStatus, BillsRequest, DepartmentGateway, DevGateway, SystemClock};
use yuesou_payments::{
    Delivery, DevProvider, DevProviderConfig, PayableItem, PayableItems, Payer, PaymentStatus,
    PaymentTarget, Payments, Settings,
};

fn arg(args: &[String], name: &str) -> Option<String> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let n: usize = arg(&args, "--payments").map_or(Ok(2000), |v| v.parse())?;
    let concurrency: usize = arg(&args, "--concurrency").map_or(Ok(16), |v| v.parse())?;
    let data = PathBuf::from(arg(&args, "--data").unwrap_or_else(|| "data".into()));
    let temp = tempfile::tempdir()?;
    let db = match arg(&args, "--url") {
        Some(url) => yuesou_store::Db::connect(&url).await?,
        None if args.iter().any(|a| a == "--postgres") => {
            let url = yuesou_store::testing::postgres_schema()
                .await
                .ok_or("PostgreSQL unreachable")?;
            yuesou_store::Db::connect(&url).await?
        }
        None => yuesou_store::Db::open_sqlite(temp.path()).await?,
    };
    let clock = Arc::new(SystemClock);
    let gateway = Arc::new(DevGateway::from_data_dir(&data)?.with_clock(clock.clone()));
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let provider = Arc::new(DevProvider::new(
        DevProviderConfig::new("http://127.0.0.1:8080"),
        clock.clone(),
        Delivery::Sink(tx),
    )?);
    let item = |id: &str, title: &str, department: &str, kind: &str| PayableItem {
        id: id.into(),
        title: title.into(),
        department: department.into(),
        region_name: Some("广州市".into()),
        kinds: vec![kind.into()],
        for_persons: true,
        for_organisations: true,
    };
    let items = PayableItems::from_items([
        item("shjf-dfjf-440100", "电费缴费", "广州供电局", "electricity"),
        item(
            "shjf-rqjf-440100",
            "燃气缴费充值",
            "广州燃气集团有限公司",
            "gas",
        ),
    ]);
    let settings = Settings::new(
        "http://127.0.0.1:8080/api/v1/payments/notify/dev",
        "http://127.0.0.1:8080",
    );
    let payments = Payments::new(
        db,
        gateway.clone(),
        provider.clone(),
        items,
        settings,
        clock,
    );

    // What each payer pays: this month's electricity bill when unpaid, else
    // a gas top-up (prepared before the clock starts).
    let run = std::process::id();
    let mut work: Vec<(Payer, PaymentTarget)> = Vec::with_capacity(n);
    for i in 0..n {
        let payer = Payer {
            account_id: format!("bench-{run}-{i}"),
            actor_id: format!("bench-{run}-{i}"),
            id_number: Some(format!(
                "440104{:011}X",
                u64::from(run) * 1_000_000 + i as u64
            )),
            uscc: None,
            name: "测试".into(),
        };
        let subject = payer.subject()?;
        let bills = gateway
            .bills(&BillsRequest {
                department: "广州供电局".into(),
                subject,
                kinds: vec!["electricity".into()],
                account: None,
            })
            .await?;
        let today = time::OffsetDateTime::now_utc()
            .to_offset(yuesou_gateway::clock::CHINA)
            .date();
        let target = match bills
            .bills
            .iter()
            .find(|b| b.status == BillStatus::Unpaid && b.due >= today)
        {
            Some(bill) => PaymentTarget::bill(&format!("shjf-dfjf-440100:{}", bill.bill_id)),
            None => {
                let offers = payments
                    .bills(
                        &payer,
                        &yuesou_payments::BillQuery {
                            item_id: Some("shjf-rqjf-440100".into()),
                            customer_number: None,
                        },
                    )
                    .await?;
                let offer = offers.top_ups.first().ok_or("no gas offer")?;
                PaymentTarget::top_up(&offer.id, 10_000)
            }
        };
        work.push((payer, target));
    }

    let started: Arc<Mutex<HashMap<String, Instant>>> = Arc::new(Mutex::new(HashMap::new()));
    let settled_latency: Arc<Mutex<Vec<Duration>>> = Arc::new(Mutex::new(Vec::with_capacity(n)));
    let settled = Arc::new(AtomicUsize::new(0));
    // The callback side: every notification handled as it comes.
    let dispatcher = {
        let payments = payments.clone();
        let started = started.clone();
        let settled_latency = settled_latency.clone();
        let settled = settled.clone();
        tokio::spawn(async move {
            let mut tasks = tokio::task::JoinSet::new();
            while let Some(n) = rx.recv().await {
                let payments = payments.clone();
                let started = started.clone();
                let settled_latency = settled_latency.clone();
                let settled = settled.clone();
                tasks.spawn(async move {
                    if let Ok(outcome) = payments.on_notification(&n.body, &n.headers).await
                        && outcome.status == PaymentStatus::Settled
                    {
                        settled.fetch_add(1, Ordering::SeqCst);
                        if let Some(t0) = started.lock().await.get(&outcome.payment_id) {
                            settled_latency.lock().await.push(t0.elapsed());
                        }
                    }
                });
                while tasks.try_join_next().is_some() {}
            }
            while tasks.join_next().await.is_some() {}
        })
    };

    let work = Arc::new(work);
    let next = Arc::new(AtomicUsize::new(0));
    let create_latency: Arc<Mutex<Vec<Duration>>> = Arc::new(Mutex::new(Vec::with_capacity(n)));
    let failures = Arc::new(AtomicUsize::new(0));
    let wall = Instant::now();
    let mut workers = Vec::new();
    for _ in 0..concurrency {
        let (payments, provider, work, next) = (
            payments.clone(),
            provider.clone(),
            work.clone(),
            next.clone(),
        );
        let (started, create_latency, failures) =
            (started.clone(), create_latency.clone(), failures.clone());
        workers.push(tokio::spawn(async move {
            loop {
                let i = next.fetch_add(1, Ordering::SeqCst);
                let Some((payer, target)) = work.get(i) else {
                    break;
                };
                let t0 = Instant::now();
                match payments.create(payer, target, &format!("bench-{i}")).await {
                    Ok(created) => {
                        create_latency.lock().await.push(t0.elapsed());
                        started.lock().await.insert(created.payment.id.clone(), t0);
                        if provider.pay(&created.payment.id).is_err() {
                            failures.fetch_add(1, Ordering::SeqCst);
                        }
                    }
                    Err(e) => {
                        eprintln!("create failed: {}", e.code());
                        failures.fetch_add(1, Ordering::SeqCst);
                    }
                }
            }
        }));
    }
    for w in workers {
        w.await?;
    }
    let expected = n - failures.load(Ordering::SeqCst);
    while settled.load(Ordering::SeqCst) < expected && wall.elapsed() < Duration::from_secs(600) {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let elapsed = wall.elapsed();
    drop(payments);
    dispatcher.abort();
    let mut create = create_latency.lock().await.clone();
    create.sort();
    let mut e2e = settled_latency.lock().await.clone();
    e2e.sort();
    let done = settled.load(Ordering::SeqCst);
    println!(
        "payments: {n}, concurrency: {concurrency}, settled: {done}, failures: {}",
        failures.load(Ordering::SeqCst)
    );
    println!(
        "wall: {:.2} s, throughput: {:.0} payments/s (created → settled)",
        elapsed.as_secs_f64(),
        done as f64 / elapsed.as_secs_f64()
    );
    println!(
        "order creation: p50 {:.2} ms, p99 {:.2} ms",
        percentile(&create, 0.5).as_secs_f64() * 1e3,
        percentile(&create, 0.99).as_secs_f64() * 1e3
    );
    println!(
        "created → settled: p50 {:.2} ms, p99 {:.2} ms",
        percentile(&e2e, 0.5).as_secs_f64() * 1e3,
        percentile(&e2e, 0.99).as_secs_f64() * 1e3
    );
    Ok(())
}

//! 缴费 exactly once across a crash and across replicas, over HTTP. The
//! department (广州供电局) is a reference department in this test process,
//! speaking the signed contract to the daemon's HTTP gateway, so that it
//! outlives the daemon as a real one would; the daemons are child
//! processes.
//!
//! - Killed with -9 after the provider's notification and while the
//!   department is settling: after the restart the payment ends settled
//!   once, with the department's one settlement and one receipt in the
//!   wallet; the bill cannot be paid again.
//! - Two daemons on one PostgreSQL: two devices pay the same bill at the
//!   same moment, one through each; one payment is made, settled once,
//!   with one receipt, and both daemons show the same.

use crate::centre_process;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use base64::Engine as _;
use centre_process::{Daemon, backends, workdir};
use reqwest::Method;
use serde_json::{Value, json};
use time::OffsetDateTime;
use yuesou_gateway::signing::{SigningKey, Verifier};
use yuesou_gateway::testing::ReferenceServer;
use yuesou_gateway::{
    Bills, BillsRequest, CertificateFacts, CertificateRequest, DepartmentGateway, DevGateway,
    GatewayError, MemoryLedger, RecordsPage, RecordsRequest, Revocations, SettleRequest,
    SettleTarget, Settlement, SettlementLedger,
};

const ALICE: &str = "13800000001";
/// The electricity bills' item in 广州, and its department.
const ITEM: &str = "shjf-dfjf-440100";

/// The development department, with settlements counted and, on demand,
/// held for a while after they arrive (the window a crash falls into).
struct Department {
    inner: Arc<DevGateway>,
    settles: AtomicUsize,
    settle_delay_ms: AtomicU64,
    arrived: tokio::sync::Notify,
}

#[async_trait]
impl DepartmentGateway for Department {
    async fn records(&self, req: &RecordsRequest) -> Result<RecordsPage, GatewayError> {
        self.inner.records(req).await
    }

    async fn certificate(
        &self,
        req: &CertificateRequest,
    ) -> Result<CertificateFacts, GatewayError> {
        self.inner.certificate(req).await
    }

    async fn bills(&self, req: &BillsRequest) -> Result<Bills, GatewayError> {
        self.inner.bills(req).await
    }

    async fn settle(&self, req: &SettleRequest) -> Result<Settlement, GatewayError> {
        self.settles.fetch_add(1, Ordering::SeqCst);
        self.arrived.notify_one();
        let delay = self.settle_delay_ms.load(Ordering::SeqCst);
        // A department finishes what it started when its caller hangs up.
        let (inner, req) = (self.inner.clone(), req.clone());
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(delay)).await;
            inner.settle(&req).await
        })
        .await
        .map_err(|e| GatewayError::Internal(e.to_string()))?
    }

    async fn revoked_certificates(
        &self,
        department: &str,
        since: OffsetDateTime,
    ) -> Result<Revocations, GatewayError> {
        self.inner.revoked_certificates(department, since).await
    }
}

/// The department of [`ITEM`], as the bundled catalogue names it.
fn department_name() -> String {
    let catalogue =
        std::fs::read_to_string(yuesou::bundled_root().join("data/catalogue.jsonl")).unwrap();
    catalogue
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .find(|item| item["id"] == ITEM)
        .and_then(|item| item["department"].as_str().map(str::to_string))
        .expect("the item in the catalogue")
}

/// The department served on loopback, its ledger, and the daemon's gateway
/// file for it (in `dir`).
async fn serve_department(
    dir: &std::path::Path,
) -> (Arc<Department>, Arc<MemoryLedger>, ReferenceServer, String) {
    let ledger = Arc::new(MemoryLedger::new());
    let inner = Arc::new(
        DevGateway::from_data_dir(&yuesou::bundled_root().join("data"))
            .unwrap()
            .with_ledger(ledger.clone() as Arc<dyn SettlementLedger>),
    );
    let department = Arc::new(Department {
        inner,
        settles: AtomicUsize::new(0),
        settle_delay_ms: AtomicU64::new(0),
        arrived: tokio::sync::Notify::new(),
    });
    let seed = [11u8; 32];
    let verifier = Verifier::new();
    verifier.add_key(
        "platform-1",
        SigningKey::ed25519_from_seed(&seed).verifying_key(),
    );
    let name = department_name();
    let server = ReferenceServer::start(
        department.clone() as Arc<dyn DepartmentGateway>,
        Arc::new(verifier),
        &name,
        "/power/",
    )
    .await
    .unwrap();
    let config = format!(
        r#"
[departments.power]
names = ["{name}"]
base_url = "{}"
key_id = "platform-1"
algorithm = "ed25519"
signing_key = "{}"
timeout_ms = 10000
"#,
        server.base_url(),
        base64::engine::general_purpose::STANDARD.encode(seed)
    );
    let file = dir.join("gateway.toml");
    std::fs::write(&file, config).unwrap();
    (
        department,
        ledger,
        server,
        file.to_str().unwrap().to_string(),
    )
}

/// A request that must be answered.
async fn call(
    method: Method,
    url: &str,
    token: Option<&str>,
    key: Option<&str>,
    body: Option<Value>,
) -> (u16, Value) {
    centre_process::request(method, url, token, key, body)
        .await
        .expect("an answer")
}

async fn login(base: &str) -> String {
    let (status, body) = call(
        Method::POST,
        &format!("{base}/api/v1/auth/login"),
        None,
        None,
        Some(json!({"phone": ALICE, "password": "yuesou-demo"})),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    body["token"].as_str().unwrap().to_string()
}

/// Alice's first unpaid bill of [`ITEM`].
async fn unpaid_bill(base: &str, token: &str) -> Value {
    let (status, bills) = call(
        Method::GET,
        &format!("{base}/api/v1/me/bills"),
        Some(token),
        None,
        None,
    )
    .await;
    assert_eq!(status, 200, "{bills}");
    bills["bills"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["status"] == "unpaid" && b["item_id"] == ITEM)
        .unwrap_or_else(|| panic!("an unpaid electricity bill: {bills}"))
        .clone()
}

/// Confirms a payment on the development provider's page of the daemon at
/// `base` that made it.
async fn confirm(base: &str, payment: &Value) {
    let order = payment["pay_url"]
        .as_str()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap();
    let confirmed = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .post(format!("{base}/dev-pay/{order}/confirm"))
        .send()
        .await
        .unwrap();
    assert_eq!(confirmed.status().as_u16(), 303);
}

/// Polls the payment until it is settled with its receipt in the wallet.
async fn settled(base: &str, token: &str, id: &str) -> Value {
    let mut last = Value::Null;
    for _ in 0..120 {
        let (_, payment) = call(
            Method::GET,
            &format!("{base}/api/v1/me/payments/{id}"),
            Some(token),
            None,
            None,
        )
        .await;
        if payment["status"] == "settled" && payment["wallet_entry_id"].is_string() {
            return payment;
        }
        last = payment;
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    panic!("not settled: {last}");
}

/// Alice's receipts in the wallet for payment `id`, and her settled
/// payments.
async fn receipts_and_settled(base: &str, token: &str, id: &str) -> (usize, usize) {
    let (_, wallet) = call(
        Method::GET,
        &format!("{base}/api/v1/me/wallet"),
        Some(token),
        None,
        None,
    )
    .await;
    let receipts = wallet["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["type"] == "payment_receipt")
        .count();
    let (_, list) = call(
        Method::GET,
        &format!("{base}/api/v1/me/payments"),
        Some(token),
        None,
        None,
    )
    .await;
    let settled = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["status"] == "settled" && p["id"] == id)
        .count();
    (receipts, settled)
}

/// The department's one settlement of the bill, which the platform shows.
async fn check_department(ledger: &MemoryLedger, bill: &Value, payment: &Value) {
    let entry = ledger
        .find_payment(payment["id"].as_str().unwrap())
        .await
        .unwrap()
        .expect("the department settled the payment");
    let SettleTarget::Bill(settled_bill) = &entry.target else {
        panic!("a bill was paid, not a top-up: {entry:?}");
    };
    assert!(
        bill["id"]
            .as_str()
            .unwrap()
            .ends_with(settled_bill.as_str()),
        "the bill paid: {settled_bill} for {}",
        bill["id"]
    );
    let by_bill = ledger.find_target(&entry.target).await.unwrap();
    assert_eq!(
        by_bill.map(|e| e.payment_id),
        Some(entry.payment_id.clone()),
        "one settlement of the bill"
    );
    assert_eq!(
        Some(entry.settlement.receipt_number.as_str()),
        payment["receipt_number"].as_str(),
        "the platform shows the department's receipt"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_while_the_department_settles_ends_in_one_settlement() {
    for (backend, database) in backends().await {
        let (dir, log) = workdir();
        let data = dir.path().join("data");
        let (department, ledger, _server, gateway) = serve_department(dir.path()).await;
        let extra = ["--demo", "true", "--gateway", gateway.as_str()];
        let daemon = Daemon::start(&data, database.as_deref(), &log, &extra).await;
        let base = daemon.base.clone();
        let token = login(&base).await;
        let bill = unpaid_bill(&base, &token).await;
        let (status, payment) = call(
            Method::POST,
            &format!("{base}/api/v1/me/payments"),
            Some(&token),
            Some("crash-1"),
            Some(json!({"bill_id": bill["id"]})),
        )
        .await;
        assert_eq!(status, 201, "{backend}: {payment}");
        let id = payment["id"].as_str().unwrap().to_string();

        // The department holds the settlement 1.5 s; the daemon dies as it
        // arrives — after the provider's notification made the payment
        // paid, before the department's answer.
        department.settle_delay_ms.store(1500, Ordering::SeqCst);
        confirm(&base, &payment).await;
        tokio::time::timeout(Duration::from_secs(30), department.arrived.notified())
            .await
            .unwrap_or_else(|_| panic!("{backend}: no settlement reached the department"));
        daemon.kill();
        // The department finishes its side while the daemon is down.
        let mut settled_while_down = false;
        for _ in 0..100 {
            if ledger.find_payment(&id).await.unwrap().is_some() {
                settled_while_down = true;
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert!(
            settled_while_down,
            "{backend}: the department settled while the platform was down"
        );
        department.settle_delay_ms.store(0, Ordering::SeqCst);

        let daemon = Daemon::start(&data, database.as_deref(), &log, &extra).await;
        let base = daemon.base.clone();
        let payment = settled(&base, &token, &id).await;
        check_department(&ledger, &bill, &payment).await;
        assert_eq!(
            receipts_and_settled(&base, &token, &id).await,
            (1, 1),
            "{backend}: one receipt, one settled payment"
        );
        assert!(
            department.settles.load(Ordering::SeqCst) >= 2,
            "{backend}: the settlement was asked again after the restart"
        );
        let (status, again) = call(
            Method::POST,
            &format!("{base}/api/v1/me/payments"),
            Some(&token),
            Some("crash-2"),
            Some(json!({"bill_id": bill["id"]})),
        )
        .await;
        assert_eq!(status, 409, "{backend}: the bill is paid: {again}");
        daemon.stop();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_daemons_on_one_postgresql_take_one_payment_per_bill() {
    let Some(url) = yuesou::centre::testing::postgres_schema().await else {
        eprintln!("PostgreSQL is not reachable: two daemons on one database not tested");
        return;
    };
    let (dir, log) = workdir();
    let (department, ledger, _server, gateway) = serve_department(dir.path()).await;
    let extra = ["--demo", "true", "--gateway", gateway.as_str()];
    let one = Daemon::start(&dir.path().join("one"), Some(&url), &log, &extra).await;
    let two = Daemon::start(&dir.path().join("two"), Some(&url), &log, &extra).await;
    let token = login(&one.base).await;
    let bill = unpaid_bill(&two.base, &token).await;
    // Two devices, one through each daemon, at the same moment.
    let pay = |base: String, key: &'static str| {
        let (token, bill_id) = (token.clone(), bill["id"].clone());
        async move {
            let answer = call(
                Method::POST,
                &format!("{base}/api/v1/me/payments"),
                Some(&token),
                Some(key),
                Some(json!({"bill_id": bill_id})),
            )
            .await;
            (base, answer)
        }
    };
    let (first, second) = tokio::join!(
        pay(one.base.clone(), "device-1"),
        pay(two.base.clone(), "device-2")
    );
    let mut answers = [first.1.0, second.1.0];
    answers.sort_unstable();
    assert_eq!(
        answers,
        [201, 409],
        "one payment: {} / {}",
        first.1.1,
        second.1.1
    );
    let (maker, payment) = if first.1.0 == 201 {
        (first.0, first.1.1)
    } else {
        (second.0, second.1.1)
    };
    let id = payment["id"].as_str().unwrap().to_string();
    confirm(&maker, &payment).await;
    let settled_one = settled(&one.base, &token, &id).await;
    let settled_two = settled(&two.base, &token, &id).await;
    assert_eq!(settled_one["receipt_number"], settled_two["receipt_number"]);
    check_department(&ledger, &bill, &settled_one).await;
    // Both daemons' recovery passes have run by now (every few seconds).
    tokio::time::sleep(Duration::from_secs(6)).await;
    for base in [&one.base, &two.base] {
        assert_eq!(
            receipts_and_settled(base, &token, &id).await,
            (1, 1),
            "one receipt and one settled payment, seen from {base}"
        );
    }
    assert!(department.settles.load(Ordering::SeqCst) >= 1);
    one.stop();
    two.stop();
}

//! The test world: the development gateway (from the repository's data),
//! the development provider delivering into a channel, a fixed clock, and
//! payers who have bills.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU8, AtomicU64, Ordering};

use async_trait::async_trait;
use time::OffsetDateTime;
use time::macros::datetime;
use tokio::sync::Mutex;
use tokio::sync::mpsc::{UnboundedReceiver, unbounded_channel};
use yuesou_gateway::{
    BillStatus, Bills, BillsRequest, CertificateFacts, CertificateRequest, Clock,
    DepartmentGateway, DevGateway, GatewayError, ManualClock, MemoryLedger, RecordsPage,
    RecordsRequest, Revocations, SettleRequest, SettleTarget, Settlement, SettlementLedger,
    SubjectRef,
};
use yuesou_payments::{
    Chaos, Delivery, DevProvider, DevProviderConfig, NotificationOutcome, Outgoing, PayableItem,
    PayableItems, Payer, PaymentError, Payments, Settings,
};
use yuesou_store::Db;

/// Noon in Guangzhou on 2026-10-15: September's electricity bill is due on
/// 2026-10-25.
pub const NOW: OffsetDateTime = datetime!(2026-10-15 04:00 UTC);

pub const ELECTRICITY_GZ: &str = "shjf-dfjf-440100";
pub const ELECTRICITY_SZ: &str = "shjf-dfjf-440300";
pub const GAS_GZ: &str = "shjf-rqjf-440100";
pub const FINES: &str = "xsjs-wfjk-440000";

pub fn data_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../data")
}

pub fn items() -> PayableItems {
    let item = |id: &str, title: &str, department: &str, region: &str, kind: &str| PayableItem {
        id: id.into(),
        title: title.into(),
        department: department.into(),
        region_name: Some(region.into()),
        kinds: vec![kind.into()],
        for_persons: true,
        for_organisations: true,
    };
    PayableItems::from_items([
        item(
            ELECTRICITY_GZ,
            "电费缴费",
            "广州供电局",
            "广州市",
            "electricity",
        ),
        item(
            ELECTRICITY_SZ,
            "电费缴费",
            "深圳供电局",
            "深圳市",
            "electricity",
        ),
        item(
            GAS_GZ,
            "燃气缴费充值",
            "广州燃气集团有限公司",
            "广州市",
            "gas",
        ),
        item(
            FINES,
            "交通违法缴款",
            "广东省公安厅交通管理局",
            "广东省",
            "traffic_fine",
        ),
    ])
}

/// A gateway in front of the development one whose settlement can be made
/// to fail (`down`) or to lose its answer after the department recorded
/// it (`lose_answer`), and that counts settlement calls.
#[derive(Debug)]
pub struct Flaky {
    pub inner: Arc<DevGateway>,
    mode: AtomicU8,
    pub settle_calls: AtomicU64,
}

pub const NORMAL: u8 = 0;
pub const DOWN: u8 = 1;
pub const LOSE_ANSWER: u8 = 2;

impl Flaky {
    pub fn new(inner: Arc<DevGateway>) -> Flaky {
        Flaky {
            inner,
            mode: AtomicU8::new(NORMAL),
            settle_calls: AtomicU64::new(0),
        }
    }

    pub fn set(&self, mode: u8) {
        self.mode.store(mode, Ordering::SeqCst);
    }
}

#[async_trait]
impl DepartmentGateway for Flaky {
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
        self.settle_calls.fetch_add(1, Ordering::SeqCst);
        let down = || GatewayError::Unavailable {
            department: req.department.clone(),
            retry_after_secs: None,
        };
        match self.mode.load(Ordering::SeqCst) {
            DOWN => Err(down()),
            LOSE_ANSWER => {
                self.inner.settle(req).await?;
                Err(down())
            }
            _ => self.inner.settle(req).await,
        }
    }
    async fn revoked_certificates(
        &self,
        department: &str,
        since: OffsetDateTime,
    ) -> Result<Revocations, GatewayError> {
        self.inner.revoked_certificates(department, since).await
    }
}

pub struct World {
    pub db: Db,
    pub clock: Arc<ManualClock>,
    pub gateway: Arc<Flaky>,
    pub ledger: Arc<MemoryLedger>,
    pub provider: Arc<DevProvider>,
    pub payments: Payments,
    inbox: Mutex<UnboundedReceiver<Outgoing>>,
}

pub fn settings() -> Settings {
    let mut settings = Settings::new(
        "http://127.0.0.1:1/api/v1/payments/notify/dev",
        "http://127.0.0.1:1",
    );
    settings.settle_timeout = std::time::Duration::from_secs(10);
    settings
}

impl World {
    pub async fn new(db: Db) -> World {
        World::with_chaos(db, Chaos::default()).await
    }

    pub async fn with_chaos(db: Db, chaos: Chaos) -> World {
        let clock = Arc::new(ManualClock::new(NOW));
        let ledger = Arc::new(MemoryLedger::new());
        let dev = DevGateway::from_data_dir(&data_dir())
            .unwrap_or_else(|e| panic!("the development gateway's data: {e}"))
            .with_clock(clock.clone())
            .with_ledger(ledger.clone());
        let gateway = Arc::new(Flaky::new(Arc::new(dev)));
        let (tx, rx) = unbounded_channel();
        let mut config = DevProviderConfig::new("http://127.0.0.1:1");
        config.chaos = chaos;
        let provider = Arc::new(
            DevProvider::new(config, clock.clone(), Delivery::Sink(tx))
                .unwrap_or_else(|e| panic!("dev provider: {e}")),
        );
        let payments = Payments::new(
            db.clone(),
            gateway.clone(),
            provider.clone(),
            items(),
            settings(),
            clock.clone(),
        );
        World {
            db,
            clock,
            gateway,
            ledger,
            provider,
            payments,
            inbox: Mutex::new(rx),
        }
    }

    /// Another instance of the platform on the same database, gateway and
    /// provider (a restarted daemon, or a second replica).
    pub fn another_instance(&self) -> Payments {
        Payments::new(
            self.db.clone(),
            self.gateway.clone(),
            self.provider.clone(),
            items(),
            settings(),
            self.clock.clone(),
        )
    }

    /// The payment the department settled a bill (listed id) with.
    pub async fn settled_by(&self, listed_bill_id: &str) -> Option<String> {
        let bill = listed_bill_id.split_once(':')?.1.to_owned();
        let entry = self
            .ledger
            .find_target(&SettleTarget::Bill(bill))
            .await
            .ok()??;
        Some(entry.payment_id)
    }

    /// Notifications sent so far and not yet handed over.
    pub async fn take_notifications(&self) -> Vec<Outgoing> {
        let mut inbox = self.inbox.lock().await;
        let mut out = Vec::new();
        while let Ok(n) = inbox.try_recv() {
            out.push(n);
        }
        out
    }

    /// Hands every pending notification to the platform, in order.
    pub async fn deliver(&self) -> Vec<Result<NotificationOutcome, PaymentError>> {
        let mut outcomes = Vec::new();
        for n in self.take_notifications().await {
            outcomes.push(self.payments.on_notification(&n.body, &n.headers).await);
        }
        outcomes
    }
}

/// A person of Guangzhou (ID numbers 440104…).
pub fn payer(n: u32) -> Payer {
    Payer {
        account_id: format!("acct-{n}"),
        actor_id: format!("acct-{n}"),
        id_number: Some(format!("44010419880520{:03}X", n % 1000)),
        uscc: None,
        name: "陈嘉明".into(),
    }
}

/// A payer with an unpaid, payable electricity bill in Guangzhou, found by
/// trying ID numbers from `from`: the payer and the bill's listed id.
pub async fn payer_with_bill(world: &World, from: u32) -> (Payer, String, i64) {
    let today = world.clock.today();
    for n in from..from + 200 {
        let p = payer(n);
        let Ok(subject) = p.subject() else { continue };
        let req = BillsRequest {
            department: "广州供电局".into(),
            subject: subject.clone(),
            kinds: vec!["electricity".into()],
            account: None,
        };
        if let Ok(bills) = world.gateway.inner.bills(&req).await
            && let Some(bill) = bills
                .bills
                .iter()
                .find(|b| b.status == BillStatus::Unpaid && b.due >= today)
        {
            let _: &SubjectRef = &subject;
            return (
                p,
                format!("{ELECTRICITY_GZ}:{}", bill.bill_id),
                bill.amount_fen,
            );
        }
    }
    panic!("no payer with an unpaid electricity bill");
}

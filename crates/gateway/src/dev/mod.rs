//! The development gateway: plausible, deterministic department data for
//! any person, so the whole platform runs on one machine.
//!
//! Everything it answers is defined by the data under `data/`, whose
//! format and semantics `data/records/README.md` defines: records from the
//! record kinds' dev hints (`records/kinds.json`), certificate facts from
//! the certificate families' (`records/certificates.json`), words from
//! `records/dev_words.json` and the gazetteer, bills from
//! `records/bills.json`. The same request on the same day always gives the
//! same answer; different subjects get different data. "Today" comes from
//! an injectable [`Clock`]; nothing is random across runs.
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use std::collections::BTreeMap;
//! use yuesou_gateway::{DepartmentGateway, DevGateway, RecordsRequest, ServiceRef, SubjectRef};
//! let dev = DevGateway::from_data_dir(std::path::Path::new("data"))?;
//! let page = dev.records(&RecordsRequest {
//!     department: "广州住房公积金管理中心".into(),
//!     kind: "housing_fund_deposits".into(),
//!     service: Some(ServiceRef::new("gjj-jcmx-440100", "440100", "住房公积金缴存明细查询", "公积金")),
//!     subject: SubjectRef::person("44010419880520123X", "陈嘉明"),
//!     filters: BTreeMap::new(), page: 1, size: 12,
//! }).await?;
//! assert!(page.rows.len() <= 12);
//! # Ok(()) }
//! ```

mod bills;
pub(crate) mod filters;
mod ledger;
mod records;
mod rng;
mod summary;
mod values;
mod words;

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use async_trait::async_trait;
use serde_json::Value;
use time::OffsetDateTime;

pub use bills::DevBillKinds;
pub use ledger::{LedgerEntry, MemoryLedger, Recorded, SettlementLedger};
pub use words::DevWords;

use crate::certificates::Certificates;
use crate::clock::{Clock, SystemClock, format_date};
use crate::hints::Gen;
use crate::kinds::{LoadError, RecordKinds};
use crate::model::{
    Bills, BillsRequest, CertificateFacts, CertificateRequest, ColumnType, RecordsPage,
    RecordsRequest, Revocation, Revocations, SettleRequest, SettleTarget, Settlement, SubjectRef,
    is_token,
};
use crate::stats::{BreakerState, Metrics, Operation};
use crate::{DepartmentGateway, GatewayError, GatewayStats};
use bills::{Payable, Payer};
use filters::looks_like_plate;
use rng::hash_hex;
use values::{Env, Row};
use words::City;

/// The kind whose `plate` column lists a person's vehicles.
const VEHICLES_KIND: &str = "vehicles";

/// Fault knobs of one department (tests, demos of failure handling).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct DevKnobs {
    /// Added to every call.
    pub latency: Duration,
    /// Share of calls (0–1) that fail with [`GatewayError::Unavailable`].
    pub failure_rate: f64,
}

/// The development gateway.
#[derive(Debug)]
pub struct DevGateway {
    kinds: Arc<RecordKinds>,
    certificates: Arc<Certificates>,
    words: Arc<DevWords>,
    bills: Arc<DevBillKinds>,
    clock: Arc<dyn Clock>,
    ledger: Arc<dyn SettlementLedger>,
    knobs: RwLock<HashMap<String, DevKnobs>>,
    revoked: Mutex<Vec<(String, Revocation)>>,
    calls: AtomicU64,
    metrics: Mutex<BTreeMap<String, Arc<Metrics>>>,
}

impl DevGateway {
    /// A development gateway over these kinds, certificate families and
    /// words, with no bill kinds ([`DevGateway::with_bill_kinds`]), the
    /// system clock and a memory ledger.
    pub fn new(kinds: RecordKinds, certificates: Certificates, words: DevWords) -> DevGateway {
        DevGateway {
            kinds: Arc::new(kinds),
            certificates: Arc::new(certificates),
            words: Arc::new(words),
            bills: Arc::new(DevBillKinds::default()),
            clock: Arc::new(SystemClock),
            ledger: Arc::new(MemoryLedger::new()),
            knobs: RwLock::new(HashMap::new()),
            revoked: Mutex::new(Vec::new()),
            calls: AtomicU64::new(0),
            metrics: Mutex::new(BTreeMap::new()),
        }
    }

    /// Loads everything from a data directory (the repository's `data/`):
    /// `records/kinds.json`, `records/certificates.json`,
    /// `records/dev_words.json`, `records/bills.json`, `divisions.jsonl`
    /// and `towns.jsonl`.
    pub fn from_data_dir(data: &Path) -> Result<DevGateway, LoadError> {
        let records = data.join("records");
        let kinds = RecordKinds::load(&records.join("kinds.json"))?;
        let certificates = Certificates::load(&records.join("certificates.json"))?;
        let words = DevWords::from_data_dir(data)?;
        let bills = DevBillKinds::load(&records.join("bills.json"))?;
        Ok(DevGateway::new(kinds, certificates, words).with_bill_kinds(bills))
    }

    /// Uses this clock for "today" and for settlement times.
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> DevGateway {
        self.clock = clock;
        self
    }

    /// Keeps settlements in this ledger (e.g. the daemon's database).
    pub fn with_ledger(mut self, ledger: Arc<dyn SettlementLedger>) -> DevGateway {
        self.ledger = ledger;
        self
    }

    /// Uses these bill kinds (`data/records/bills.json`).
    pub fn with_bill_kinds(mut self, bills: DevBillKinds) -> DevGateway {
        self.bills = Arc::new(bills);
        self
    }

    /// The record kinds it answers from.
    pub fn kinds(&self) -> &RecordKinds {
        &self.kinds
    }

    /// The certificate families it answers from.
    pub fn certificates(&self) -> &Certificates {
        &self.certificates
    }

    /// Sets latency and failure rate for a department (as named in requests).
    pub fn set_knobs(&self, department: &str, knobs: DevKnobs) {
        self.knobs
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .insert(department.to_owned(), knobs);
    }

    /// Revokes a certificate number as if the department had (demos of
    /// revocation; it shows in [`DepartmentGateway::revoked_certificates`]).
    pub fn revoke(&self, department: &str, number: &str, reason: Option<&str>) {
        self.revoked
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push((
                department.to_owned(),
                Revocation {
                    number: number.to_owned(),
                    revoked_at: self.clock.now(),
                    reason: reason.map(str::to_owned),
                },
            ));
    }

    /// The subject's vehicles: the `plate` values of the `vehicles` kind
    /// for the subject (region 440000), as the README defines them. None
    /// without a `vehicles` kind.
    pub fn vehicles(&self, subject: &SubjectRef) -> Vec<String> {
        let Some(kind) = self.kinds.get(VEHICLES_KIND) else {
            return Vec::new();
        };
        if matches!(subject, SubjectRef::None) || kind.column("plate").is_none() {
            return Vec::new();
        }
        let request = records::Request {
            family: None,
            region_code: "440000",
            subject_key: subject.seed_key(),
        };
        let given = BTreeMap::new();
        let env = Env {
            words: &self.words,
            today: self.clock.today(),
            department: "",
            theme: &kind.title,
            item: &kind.title,
            city: None,
            filters: &given,
            seed: records::seed(kind, &request, &BTreeMap::new()),
        };
        let mut plates: Vec<String> = records::generate(kind, None, &env)
            .unwrap_or_default()
            .into_iter()
            .filter_map(|row| row.get("plate").and_then(Value::as_str).map(str::to_owned))
            .collect();
        plates.dedup();
        plates
    }

    fn home(&self, subject: &SubjectRef) -> &City {
        match subject {
            SubjectRef::Person { id_number, .. } => {
                self.words.home_city(id_number, &subject.seed_key())
            }
            // USCC characters 3–8 are the registering authority's division code.
            SubjectRef::Organisation { uscc, .. } => self
                .words
                .home_city(uscc.get(2..).unwrap_or(""), &subject.seed_key()),
            SubjectRef::None => &self.words.cities[0],
        }
    }

    fn metrics(&self, department: &str) -> Arc<Metrics> {
        let mut map = self.metrics.lock().unwrap_or_else(|e| e.into_inner());
        map.entry(department.to_owned()).or_default().clone()
    }

    /// Applies the department's knobs; counts the call.
    async fn enter(&self, department: &str, op: Operation) -> Result<Arc<Metrics>, GatewayError> {
        let metrics = self.metrics(department);
        metrics.call(op);
        metrics.attempt(false);
        let knobs = self
            .knobs
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(department)
            .copied()
            .unwrap_or_default();
        if !knobs.latency.is_zero() {
            tokio::time::sleep(knobs.latency).await;
        }
        if knobs.failure_rate > 0.0 {
            let n = self.calls.fetch_add(1, Ordering::Relaxed).to_string();
            if rng::Rng::new(&["failure", department, &n]).chance(knobs.failure_rate) {
                let error = GatewayError::Unavailable {
                    department: department.to_owned(),
                    retry_after_secs: Some(1),
                };
                metrics.error(&error);
                return Err(error);
            }
        }
        Ok(metrics)
    }

    async fn records_inner(&self, req: &RecordsRequest) -> Result<RecordsPage, GatewayError> {
        req.validate().map_err(GatewayError::BadRequest)?;
        let kind = self
            .kinds
            .get(&req.kind)
            .ok_or_else(|| GatewayError::not_found("record kind"))?;
        let ctx = records::Context {
            words: &self.words,
            today: self.clock.today(),
        };
        records::query(kind, req, &ctx)
    }

    async fn certificate_inner(
        &self,
        req: &CertificateRequest,
    ) -> Result<CertificateFacts, GatewayError> {
        req.validate().map_err(GatewayError::BadRequest)?;
        let def = self
            .certificates
            .get(&req.family)
            .ok_or_else(|| GatewayError::not_found("certificate kind"))?;
        let purpose = req
            .purpose
            .as_deref()
            .map(str::trim)
            .filter(|p| !p.is_empty());
        match purpose {
            None if def.purpose_required => {
                return Err(GatewayError::BadRequest("purpose is required".into()));
            }
            Some(_) if !def.purpose_required => {
                return Err(GatewayError::BadRequest(
                    "this certificate takes no purpose".into(),
                ));
            }
            Some(p) if !def.purposes.iter().any(|q| q == p) => {
                return Err(GatewayError::BadRequest(
                    "purpose is not one of the family's purposes".into(),
                ));
            }
            _ => {}
        }
        let today = self.clock.today();
        let region_code = req
            .service
            .as_ref()
            .map_or("440000", |s| s.region_code.as_str());
        let title = req.service.as_ref().map_or("", |s| s.title.as_str());
        let given = BTreeMap::new();
        let env = Env {
            words: &self.words,
            today,
            department: &req.department,
            theme: req.service.as_ref().map_or("", |s| s.theme.as_str()),
            item: words::item_name(title),
            city: self.words.city_of(region_code),
            filters: &given,
            seed: vec![
                "certificate".to_owned(),
                req.family.clone(),
                req.subject.seed_key(),
                region_code.to_owned(),
            ],
        };
        let order = def
            .generation_order()
            .map_err(|e| GatewayError::Internal(format!("certificate {}: {e}", req.family)))?;
        let mut facts = Row::new();
        for name in order {
            let Some(hint) = def.dev.get(name) else {
                continue;
            };
            let city = env.city_for(&["fact", name]);
            let place = env.place(city);
            // The number is new for each request id; the facts are the subject's.
            let mut rng = if name == "number" {
                env.rng(&["fact", name, &req.request_id])
            } else {
                env.rng(&["fact", name])
            };
            let value = values::value(hint, ColumnType::Text, &mut rng, &env, &place, &facts, 0);
            facts.insert(name.to_owned(), value);
        }
        let mut fields = BTreeMap::new();
        for (name, value) in facts {
            let money = matches!(
                def.dev.get(&name).map(|h| &h.generator),
                Some(Gen::Money { .. })
            );
            fields.insert(name, fact_text(value, money));
        }
        let number = match fields.remove("number") {
            Some(Value::String(n)) if !n.is_empty() => n,
            _ => format!("ZM{}", format_date(today).replace('-', "")),
        };
        Ok(CertificateFacts {
            number,
            issued_on: today,
            valid_until: def
                .valid_days
                .map(|days| today + time::Duration::days(i64::from(days))),
            fields,
        })
    }

    async fn bills_inner(&self, req: &BillsRequest) -> Result<Bills, GatewayError> {
        req.subject
            .validate()
            .map_err(|e| GatewayError::BadRequest(e.to_owned()))?;
        if matches!(req.subject, SubjectRef::None) {
            return Err(GatewayError::BadRequest("bills need a subject".into()));
        }
        let typed = req
            .account
            .as_deref()
            .map(str::trim)
            .filter(|a| !a.is_empty());
        if let Some(account) = typed
            && !(looks_like_plate(account) || (is_token(account) && account.len() <= 32))
        {
            return Err(GatewayError::BadRequest(
                "account is not a customer number or plate".into(),
            ));
        }
        let codes: Vec<&str> = if req.kinds.is_empty() {
            self.bills.codes_for_department(&req.department)
        } else {
            for code in &req.kinds {
                if !self.bills.contains(code) {
                    return Err(GatewayError::not_found("bill kind"));
                }
            }
            req.kinds.iter().map(String::as_str).collect()
        };
        let plates = self.vehicles(&req.subject);
        let payer = Payer {
            subject: &req.subject,
            home: self.home(&req.subject),
            plates: &plates,
            today: self.clock.today(),
        };
        let mut bills = bills::bills_for(&self.bills, &codes, &payer, typed);
        for bill in &mut bills.bills {
            let target = SettleTarget::Bill(bill.bill_id.clone());
            if self.ledger.find_target(&target).await?.is_some() {
                bill.status = crate::BillStatus::Paid;
            }
        }
        Ok(bills)
    }

    async fn settle_inner(&self, req: &SettleRequest) -> Result<Settlement, GatewayError> {
        if !is_token(&req.payment_id) || !is_token(req.target.id()) {
            return Err(GatewayError::BadRequest(
                "payment_id and the bill id must be 1–128 of [A-Za-z0-9._:-]".into(),
            ));
        }
        if req.amount_fen <= 0 {
            return Err(GatewayError::BadRequest(
                "amount_fen must be positive".into(),
            ));
        }
        if let Some(existing) = self.ledger.find_payment(&req.payment_id).await? {
            return same_payment(existing, req);
        }
        let today = self.clock.today();
        let is_top_up = matches!(req.target, SettleTarget::TopUp(_));
        let what = if is_top_up { "top-up" } else { "bill" };
        match bills::payable(&self.bills, req.target.id(), is_top_up, today) {
            None => return Err(GatewayError::not_found(what)),
            Some(Payable::Bill { amount_fen, paid }) => {
                if amount_fen != req.amount_fen {
                    return Err(GatewayError::refused(
                        "amount_mismatch",
                        "支付金额与账单金额不一致",
                    ));
                }
                if paid {
                    return Err(GatewayError::refused("already_paid", "该账单已缴费"));
                }
            }
            Some(Payable::TopUp {
                min_fen,
                max_fen,
                step_fen,
            }) => {
                if req.amount_fen < min_fen
                    || req.amount_fen > max_fen
                    || req.amount_fen % step_fen != 0
                {
                    return Err(GatewayError::refused(
                        "amount_out_of_range",
                        "充值金额不在允许范围内",
                    ));
                }
            }
        }
        let now = self.clock.now();
        let id_hash = hash_hex(&["settlement", &req.payment_id], 8).to_uppercase();
        let receipt_digits: String = hash_hex(&["receipt", &req.payment_id], 8)
            .bytes()
            .map(|b| char::from(b'0' + b % 10))
            .take(10)
            .collect();
        let entry = LedgerEntry {
            payment_id: req.payment_id.clone(),
            target: req.target.clone(),
            amount_fen: req.amount_fen,
            paid_at: req.paid_at,
            settlement: Settlement {
                settlement_id: format!("STL{id_hash}"),
                receipt_number: format!(
                    "GD{}{receipt_digits}",
                    format_date(today).replace('-', "")
                ),
                settled_at: now,
            },
        };
        match self.ledger.record(entry, !is_top_up).await? {
            Recorded::New(entry) => Ok(entry.settlement),
            Recorded::SamePayment(existing) => same_payment(existing, req),
            Recorded::TargetSettled(_) => {
                Err(GatewayError::refused("already_paid", "该账单已缴费"))
            }
        }
    }
}

/// A fact as a certificate prints it: text, money as yuan with two decimals.
fn fact_text(value: Value, money: bool) -> Value {
    match value {
        Value::Number(n) if money => n.as_i64().map_or(Value::Null, |fen| {
            let sign = if fen < 0 { "-" } else { "" };
            let fen = fen.unsigned_abs();
            Value::String(format!("{sign}{}.{:02}", fen / 100, fen % 100))
        }),
        Value::Number(n) => Value::String(n.to_string()),
        other => other,
    }
}

/// A payment id seen before: the same settlement when the request is the
/// same, a refusal when the id is reused for something else.
fn same_payment(existing: LedgerEntry, req: &SettleRequest) -> Result<Settlement, GatewayError> {
    if existing.target == req.target && existing.amount_fen == req.amount_fen {
        Ok(existing.settlement)
    } else {
        Err(GatewayError::refused(
            "idempotency_conflict",
            "payment_id was already used for another bill or amount",
        ))
    }
}

#[async_trait]
impl DepartmentGateway for DevGateway {
    async fn records(&self, req: &RecordsRequest) -> Result<RecordsPage, GatewayError> {
        let metrics = self.enter(&req.department, Operation::Records).await?;
        self.records_inner(req)
            .await
            .inspect_err(|e| metrics.error(e))
    }

    async fn certificate(
        &self,
        req: &CertificateRequest,
    ) -> Result<CertificateFacts, GatewayError> {
        let metrics = self.enter(&req.department, Operation::Certificate).await?;
        self.certificate_inner(req)
            .await
            .inspect_err(|e| metrics.error(e))
    }

    async fn bills(&self, req: &BillsRequest) -> Result<Bills, GatewayError> {
        let metrics = self.enter(&req.department, Operation::Bills).await?;
        self.bills_inner(req)
            .await
            .inspect_err(|e| metrics.error(e))
    }

    async fn settle(&self, req: &SettleRequest) -> Result<Settlement, GatewayError> {
        let metrics = self.enter(&req.department, Operation::Settle).await?;
        self.settle_inner(req)
            .await
            .inspect_err(|e| metrics.error(e))
    }

    async fn revoked_certificates(
        &self,
        department: &str,
        since: OffsetDateTime,
    ) -> Result<Revocations, GatewayError> {
        self.enter(department, Operation::Revoked).await?;
        let as_of = self.clock.now();
        let revoked = self
            .revoked
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
            .filter(|(d, r)| d == department && r.revoked_at > since)
            .map(|(_, r)| r.clone())
            .collect();
        Ok(Revocations { revoked, as_of })
    }

    fn stats(&self) -> GatewayStats {
        let map = self.metrics.lock().unwrap_or_else(|e| e.into_inner());
        GatewayStats {
            departments: map
                .iter()
                .map(|(name, m)| m.snapshot(name, BreakerState::Closed))
                .collect(),
        }
    }
}

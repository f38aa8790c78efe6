//! The development gateway: plausible, deterministic department data for
//! any person, so the whole platform runs on one machine.
//!
//! Records come from the record kinds' `dev` generators, certificates from
//! the certificate families' `dev` generators, bills from this crate's
//! data/dev-bills.json. The same subject, kind, filters and day always give
//! the same answer; different subjects get different data. "Today" comes
//! from an injectable [`Clock`]; nothing is random across runs.
//!
//! ```
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use std::collections::BTreeMap;
//! use yuesou_gateway::{Certificates, DepartmentGateway, DevGateway, RecordKinds, RecordsRequest, SubjectRef};
//! let kinds = RecordKinds::parse("kinds.json", r#"{"format":1,"kinds":[{"code":"water_usage","title":"用水记录",
//!   "scope":"personal","level":null,"subject":"person","columns":[
//!   {"name":"month","label":"月份","type":"month","dev":{"gen":"sequence_month","step":-1}},
//!   {"name":"amount","label":"水费","type":"money","dev":{"gen":"money","min_fen":1500,"max_fen":9000}}],
//!   "sort":{"column":"month","order":"desc"},"page_size":12,"history_months":12,"empty_text":"暂无记录"}]}"#)?;
//! let dev = DevGateway::new(kinds, Certificates::default());
//! let page = dev.records(&RecordsRequest {
//!     department: "自来水公司".into(), kind: "water_usage".into(),
//!     subject: SubjectRef::person("44010419880520123X", "陈嘉明"),
//!     filters: BTreeMap::new(), page: 1, size: 10,
//! }).await?;
//! assert_eq!(page.total, 12);
//! # Ok(()) }
//! ```

mod bills;
mod ledger;
mod records;
mod rng;
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

use crate::certificates::Certificates;
use crate::clock::{Clock, SystemClock, format_date};
use crate::kinds::{LoadError, RecordKinds};
use crate::model::{
    Bills, BillsRequest, CertificateFacts, CertificateRequest, RecordsPage, RecordsRequest,
    Revocation, Revocations, SettleRequest, SettleTarget, Settlement, SubjectRef, is_token,
};
use crate::stats::{BreakerState, Metrics, Operation};
use crate::{DepartmentGateway, GatewayError, GatewayStats};
use bills::{Payable, Payer};
use records::looks_like_plate;
use rng::{Rng, hash_hex};
use words::{City, Words};

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
    bills: Arc<DevBillKinds>,
    words: &'static Words,
    clock: Arc<dyn Clock>,
    ledger: Arc<dyn SettlementLedger>,
    knobs: RwLock<HashMap<String, DevKnobs>>,
    revoked: Mutex<Vec<(String, Revocation)>>,
    calls: AtomicU64,
    metrics: Mutex<BTreeMap<String, Arc<Metrics>>>,
}

impl DevGateway {
    /// A development gateway over these kinds and certificate families,
    /// with the built-in bill kinds, the system clock and a memory ledger.
    pub fn new(kinds: RecordKinds, certificates: Certificates) -> DevGateway {
        DevGateway {
            kinds: Arc::new(kinds),
            certificates: Arc::new(certificates),
            bills: Arc::new(DevBillKinds::builtin()),
            words: Words::builtin(),
            clock: Arc::new(SystemClock),
            ledger: Arc::new(MemoryLedger::new()),
            knobs: RwLock::new(HashMap::new()),
            revoked: Mutex::new(Vec::new()),
            calls: AtomicU64::new(0),
            metrics: Mutex::new(BTreeMap::new()),
        }
    }

    /// Loads `data/records/kinds.json` and, when given and present,
    /// `data/records/certificates.json`.
    pub fn from_files(kinds: &Path, certificates: Option<&Path>) -> Result<DevGateway, LoadError> {
        let kinds = RecordKinds::load(kinds)?;
        let certificates = match certificates {
            Some(path) => Certificates::load(path)?,
            None => Certificates::default(),
        };
        Ok(DevGateway::new(kinds, certificates))
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

    /// Uses these bill kinds instead of the built-in ones.
    pub fn with_bill_kinds(mut self, bills: DevBillKinds) -> DevGateway {
        self.bills = Arc::new(bills);
        self
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

    /// The subject's vehicles: one or two plates of the home city.
    pub fn vehicles(&self, subject: &SubjectRef) -> Vec<String> {
        if matches!(subject, SubjectRef::None) {
            return Vec::new();
        }
        let seed = subject.seed_key();
        let home = self.home(subject);
        let mut rng = Rng::new(&["vehicles", &seed]);
        let n = rng.range(1, 2);
        let mut plates: Vec<String> = Vec::new();
        while plates.len() < n as usize {
            let plate = self.words.plate(&mut rng, home);
            if !plates.contains(&plate) {
                plates.push(plate);
            }
        }
        plates
    }

    fn home(&self, subject: &SubjectRef) -> &'static City {
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
            if Rng::new(&["failure", department, &n]).chance(knobs.failure_rate) {
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
            words: self.words,
            today: self.clock.today(),
            plates: self.vehicles(&req.subject),
            home: self.home(&req.subject),
        };
        records::query(kind, req, &ctx)
    }

    async fn certificate_inner(
        &self,
        req: &CertificateRequest,
    ) -> Result<CertificateFacts, GatewayError> {
        req.subject
            .validate()
            .map_err(|e| GatewayError::BadRequest(e.to_owned()))?;
        if !is_token(&req.request_id) {
            return Err(GatewayError::BadRequest(
                "request_id must be 1–128 of [A-Za-z0-9._:-]".into(),
            ));
        }
        let def = self
            .certificates
            .get(&req.family)
            .ok_or_else(|| GatewayError::not_found("certificate kind"))?;
        let (holder, holder_name) = match &req.subject {
            SubjectRef::Person { id_number, name } => (id_number, name),
            SubjectRef::Organisation { uscc, name } => (uscc, name),
            SubjectRef::None => {
                return Err(GatewayError::BadRequest(
                    "a certificate needs a subject".into(),
                ));
            }
        };
        let purpose = req
            .purpose
            .as_deref()
            .map(str::trim)
            .filter(|p| !p.is_empty());
        match purpose {
            None if def.purpose_required => {
                return Err(GatewayError::BadRequest("purpose is required".into()));
            }
            Some(p) if !def.purposes.is_empty() && !def.purposes.iter().any(|q| q == p) => {
                return Err(GatewayError::BadRequest(
                    "purpose is not one of the family's purposes".into(),
                ));
            }
            _ => {}
        }
        let today = self.clock.today();
        let seed = req.subject.seed_key();
        let digits: String = hash_hex(&["certificate", &req.family, &seed, &req.request_id], 8)
            .bytes()
            .map(|b| char::from(b'0' + b % 10))
            .take(10)
            .collect();
        let ctx = records::Context {
            words: self.words,
            today,
            plates: self.vehicles(&req.subject),
            home: self.home(&req.subject),
        };
        let mut fields = BTreeMap::new();
        for fact in &def.facts {
            let value = match (def.dev.get(fact), fact.as_str()) {
                (Some(dev), _) => {
                    let mut rng = Rng::new(&["fact", &req.family, &seed, fact]);
                    records::value_of(dev, &mut rng, &ctx, None)
                }
                (None, "holder_name") => Value::String(holder_name.clone()),
                (None, "holder") => Value::String(holder.clone()),
                (None, "purpose") => purpose.map_or(Value::Null, |p| Value::String(p.to_owned())),
                _ => Value::Null,
            };
            fields.insert(fact.clone(), value);
        }
        Ok(CertificateFacts {
            number: format!("ZM{}{digits}", format_date(today).replace('-', "")),
            issued_on: today,
            valid_until: (def.valid_days > 0)
                .then(|| today + time::Duration::days(i64::from(def.valid_days) - 1)),
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

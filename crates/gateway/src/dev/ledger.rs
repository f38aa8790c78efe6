//! The development gateway's memory of settlements, behind a trait so the
//! daemon can keep it in its database when demo payments must survive a
//! restart. The in-memory [`MemoryLedger`] is the default.

use std::collections::HashMap;
use std::sync::Mutex;

use async_trait::async_trait;
use time::OffsetDateTime;

use crate::GatewayError;
use crate::model::{SettleTarget, Settlement};

/// One settled payment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LedgerEntry {
    /// The platform's payment id (idempotency key).
    pub payment_id: String,
    /// What was paid.
    pub target: SettleTarget,
    /// Amount in fen.
    pub amount_fen: i64,
    /// When the payment was confirmed.
    pub paid_at: OffsetDateTime,
    /// What the department answered.
    pub settlement: Settlement,
}

/// What [`SettlementLedger::record`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Recorded {
    /// Stored; this is the new entry.
    New(LedgerEntry),
    /// The payment id was already stored: the entry stored then.
    SamePayment(LedgerEntry),
    /// The target (a bill) was already settled by another payment.
    TargetSettled(LedgerEntry),
}

/// Stores settlements, atomically.
#[async_trait]
pub trait SettlementLedger: Send + Sync + std::fmt::Debug {
    /// The entry of a payment id, if any.
    async fn find_payment(&self, payment_id: &str) -> Result<Option<LedgerEntry>, GatewayError>;

    /// The entry that settled a target, if any (bills: at most one).
    async fn find_target(&self, target: &SettleTarget)
    -> Result<Option<LedgerEntry>, GatewayError>;

    /// Stores `entry` unless its payment id is stored already, or (when
    /// `unique_target`) its target was settled by another payment — all in
    /// one atomic step.
    async fn record(
        &self,
        entry: LedgerEntry,
        unique_target: bool,
    ) -> Result<Recorded, GatewayError>;
}

#[derive(Debug, Default)]
struct Inner {
    by_payment: HashMap<String, LedgerEntry>,
    by_target: HashMap<SettleTarget, String>,
}

/// A ledger in memory (forgotten at restart).
#[derive(Debug, Default)]
pub struct MemoryLedger(Mutex<Inner>);

impl MemoryLedger {
    /// An empty ledger.
    pub fn new() -> MemoryLedger {
        MemoryLedger::default()
    }
}

#[async_trait]
impl SettlementLedger for MemoryLedger {
    async fn find_payment(&self, payment_id: &str) -> Result<Option<LedgerEntry>, GatewayError> {
        let inner = self.0.lock().unwrap_or_else(|e| e.into_inner());
        Ok(inner.by_payment.get(payment_id).cloned())
    }

    async fn find_target(
        &self,
        target: &SettleTarget,
    ) -> Result<Option<LedgerEntry>, GatewayError> {
        let inner = self.0.lock().unwrap_or_else(|e| e.into_inner());
        Ok(inner
            .by_target
            .get(target)
            .and_then(|payment| inner.by_payment.get(payment))
            .cloned())
    }

    async fn record(
        &self,
        entry: LedgerEntry,
        unique_target: bool,
    ) -> Result<Recorded, GatewayError> {
        let mut inner = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(existing) = inner.by_payment.get(&entry.payment_id) {
            return Ok(Recorded::SamePayment(existing.clone()));
        }
        if unique_target {
            if let Some(other) = inner
                .by_target
                .get(&entry.target)
                .and_then(|payment| inner.by_payment.get(payment))
            {
                return Ok(Recorded::TargetSettled(other.clone()));
            }
            inner
                .by_target
                .insert(entry.target.clone(), entry.payment_id.clone());
        }
        inner
            .by_payment
            .insert(entry.payment_id.clone(), entry.clone());
        Ok(Recorded::New(entry))
    }
}

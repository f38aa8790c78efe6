//! Counters for the metrics endpoint. No personal data; label values are
//! fixed tokens (statuses, error codes, mismatch kinds) — bounded
//! cardinality.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use serde::Serialize;

use crate::model::PaymentStatus;

/// A snapshot of the counters since start.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct PaymentStats {
    /// Payments made (`yuesou_payments_created_total`).
    pub created: u64,
    /// Creations answered from an idempotency key used before.
    pub replayed: u64,
    /// Transitions by the status entered
    /// (`yuesou_payments_transitions_total{to}`).
    pub transitions: BTreeMap<String, u64>,
    /// Notifications by outcome: `applied`, `duplicate`, `ignored`,
    /// `bad_signature`, `stale`, `malformed`, `unknown_order`, `mismatch`
    /// (`yuesou_payments_notifications_total{outcome}`).
    pub notifications: BTreeMap<String, u64>,
    /// Refusals and failures of calls, by error code
    /// (`yuesou_payments_errors_total{code}`).
    pub errors: BTreeMap<String, u64>,
    /// Failed settlement attempts by the gateway's code
    /// (`yuesou_payments_settle_failures_total{code}`).
    pub settle_failures: BTreeMap<String, u64>,
    /// The last reconciliation's day and mismatches by kind
    /// (`yuesou_payments_reconciliation_mismatches{kind}`).
    pub last_reconciliation: Option<(String, BTreeMap<String, u64>)>,
}

#[derive(Debug, Default)]
pub(crate) struct Metrics {
    created: AtomicU64,
    replayed: AtomicU64,
    transitions: [AtomicU64; 8],
    maps: Mutex<Maps>,
}

#[derive(Debug, Default)]
struct Maps {
    notifications: BTreeMap<String, u64>,
    errors: BTreeMap<String, u64>,
    settle_failures: BTreeMap<String, u64>,
    last_reconciliation: Option<(String, BTreeMap<String, u64>)>,
}

impl Metrics {
    fn maps(&self) -> std::sync::MutexGuard<'_, Maps> {
        self.maps.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(crate) fn created(&self) {
        self.created.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn replayed(&self) {
        self.replayed.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn transition(&self, to: PaymentStatus) {
        if let Some(i) = PaymentStatus::ALL.iter().position(|s| *s == to) {
            self.transitions[i].fetch_add(1, Ordering::Relaxed);
        }
    }

    pub(crate) fn notification(&self, outcome: &str) {
        *self
            .maps()
            .notifications
            .entry(outcome.to_owned())
            .or_default() += 1;
    }

    pub(crate) fn error(&self, code: &str) {
        *self.maps().errors.entry(code.to_owned()).or_default() += 1;
    }

    pub(crate) fn settle_failure(&self, code: &str) {
        *self
            .maps()
            .settle_failures
            .entry(code.to_owned())
            .or_default() += 1;
    }

    pub(crate) fn reconciliation(&self, day: String, kinds: BTreeMap<String, u64>) {
        self.maps().last_reconciliation = Some((day, kinds));
    }

    pub(crate) fn snapshot(&self) -> PaymentStats {
        let maps = self.maps();
        PaymentStats {
            created: self.created.load(Ordering::Relaxed),
            replayed: self.replayed.load(Ordering::Relaxed),
            transitions: PaymentStatus::ALL
                .iter()
                .zip(&self.transitions)
                .map(|(s, n)| (s.as_str().to_owned(), n.load(Ordering::Relaxed)))
                .collect(),
            notifications: maps.notifications.clone(),
            errors: maps.errors.clone(),
            settle_failures: maps.settle_failures.clone(),
            last_reconciliation: maps.last_reconciliation.clone(),
        }
    }
}

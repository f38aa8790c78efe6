//! Metrics without personal data: per department, calls by operation,
//! attempts, retries, errors by code, a latency histogram, the breaker's
//! state and calls in flight. [`GatewayStats`] is a snapshot the daemon
//! renders into Prometheus text; this crate has no metrics dependency.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};

use serde::Serialize;

use crate::GatewayError;

/// Upper bounds of the latency buckets, in milliseconds (`+Inf` is implied).
pub const LATENCY_BUCKETS_MS: [u64; 12] =
    [5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000];

/// The operations of the interface.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Operation {
    /// `records`.
    Records,
    /// `certificate`.
    Certificate,
    /// `bills`.
    Bills,
    /// `settle`.
    Settle,
    /// `revoked_certificates`.
    Revoked,
}

impl Operation {
    /// All operations.
    pub const ALL: [Operation; 5] = [
        Operation::Records,
        Operation::Certificate,
        Operation::Bills,
        Operation::Settle,
        Operation::Revoked,
    ];

    /// A stable label.
    pub fn as_str(self) -> &'static str {
        match self {
            Operation::Records => "records",
            Operation::Certificate => "certificate",
            Operation::Bills => "bills",
            Operation::Settle => "settle",
            Operation::Revoked => "revoked",
        }
    }
}

/// A circuit breaker's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BreakerState {
    /// Calls go through.
    Closed,
    /// Calls are refused until the cooldown ends.
    Open,
    /// One probe call decides.
    HalfOpen,
}

impl BreakerState {
    /// 0 closed, 1 half-open, 2 open (a gauge value).
    pub fn as_gauge(self) -> u8 {
        match self {
            BreakerState::Closed => 0,
            BreakerState::HalfOpen => 1,
            BreakerState::Open => 2,
        }
    }
}

/// A latency histogram in Prometheus' shape.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Histogram {
    /// Bucket upper bounds in ms ([`LATENCY_BUCKETS_MS`]).
    pub bounds_ms: Vec<u64>,
    /// Observations ≤ each bound (cumulative), one per bound.
    pub cumulative: Vec<u64>,
    /// All observations (the `+Inf` bucket).
    pub count: u64,
    /// Sum of observations in ms.
    pub sum_ms: u64,
}

/// One department's numbers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DepartmentStats {
    /// The department's configured code.
    pub department: String,
    /// Calls by operation (one per interface call, however many attempts).
    pub calls: BTreeMap<&'static str, u64>,
    /// Requests sent (attempts, retries included).
    pub attempts: u64,
    /// Attempts that were retries.
    pub retries: u64,
    /// Failed calls by [`GatewayError::code`].
    pub errors: BTreeMap<&'static str, u64>,
    /// Latency of attempts.
    pub latency: Histogram,
    /// The breaker's state now.
    pub breaker: BreakerState,
    /// Attempts in flight now.
    pub in_flight: u64,
}

/// A snapshot of a gateway's numbers.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct GatewayStats {
    /// One entry per department, by code.
    pub departments: Vec<DepartmentStats>,
}

impl GatewayStats {
    /// One department's numbers.
    pub fn department(&self, code: &str) -> Option<&DepartmentStats> {
        self.departments.iter().find(|d| d.department == code)
    }
}

/// Lock-free counters of one department.
#[derive(Debug, Default)]
pub(crate) struct Metrics {
    calls: [AtomicU64; 5],
    attempts: AtomicU64,
    retries: AtomicU64,
    errors: [AtomicU64; 8],
    buckets: [AtomicU64; LATENCY_BUCKETS_MS.len()],
    count: AtomicU64,
    sum_ms: AtomicU64,
    in_flight: AtomicU64,
}

impl Metrics {
    pub(crate) fn call(&self, op: Operation) {
        let i = Operation::ALL.iter().position(|o| *o == op).unwrap_or(0);
        self.calls[i].fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn attempt(&self, retry: bool) {
        self.attempts.fetch_add(1, Ordering::Relaxed);
        if retry {
            self.retries.fetch_add(1, Ordering::Relaxed);
        }
    }

    pub(crate) fn error(&self, error: &GatewayError) {
        let i = GatewayError::CODES
            .iter()
            .position(|c| *c == error.code())
            .unwrap_or(7);
        self.errors[i].fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn latency(&self, ms: u64) {
        for (bound, bucket) in LATENCY_BUCKETS_MS.iter().zip(&self.buckets) {
            if ms <= *bound {
                bucket.fetch_add(1, Ordering::Relaxed);
            }
        }
        self.count.fetch_add(1, Ordering::Relaxed);
        self.sum_ms.fetch_add(ms, Ordering::Relaxed);
    }

    pub(crate) fn enter(&self) -> InFlight<'_> {
        self.in_flight.fetch_add(1, Ordering::Relaxed);
        InFlight(&self.in_flight)
    }

    pub(crate) fn snapshot(&self, department: &str, breaker: BreakerState) -> DepartmentStats {
        let load = |a: &AtomicU64| a.load(Ordering::Relaxed);
        DepartmentStats {
            department: department.to_owned(),
            calls: Operation::ALL
                .iter()
                .zip(&self.calls)
                .map(|(op, n)| (op.as_str(), load(n)))
                .collect(),
            attempts: load(&self.attempts),
            retries: load(&self.retries),
            errors: GatewayError::CODES
                .iter()
                .zip(&self.errors)
                .filter(|(_, n)| load(n) > 0)
                .map(|(code, n)| (*code, load(n)))
                .collect(),
            latency: Histogram {
                bounds_ms: LATENCY_BUCKETS_MS.to_vec(),
                cumulative: self.buckets.iter().map(load).collect(),
                count: load(&self.count),
                sum_ms: load(&self.sum_ms),
            },
            breaker,
            in_flight: load(&self.in_flight),
        }
    }
}

/// Decrements the in-flight gauge when dropped.
pub(crate) struct InFlight<'a>(&'a AtomicU64);

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histogram_is_cumulative() {
        let m = Metrics::default();
        m.latency(3);
        m.latency(70);
        m.latency(60_000);
        m.call(Operation::Bills);
        m.error(&GatewayError::Busy {
            department: "x".into(),
        });
        {
            let _guard = m.enter();
            assert_eq!(m.snapshot("x", BreakerState::Closed).in_flight, 1);
        }
        let s = m.snapshot("x", BreakerState::Open);
        assert_eq!(s.latency.cumulative[0], 1);
        assert_eq!(s.latency.cumulative[4], 2);
        assert_eq!(s.latency.cumulative.last().copied(), Some(2));
        assert_eq!(s.latency.count, 3);
        assert_eq!(s.calls.get("bills"), Some(&1));
        assert_eq!(s.errors.get("busy"), Some(&1));
        assert_eq!(s.in_flight, 0);
    }
}

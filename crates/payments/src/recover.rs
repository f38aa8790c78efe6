//! Recovery: what the daemon runs at start and every few seconds, on any
//! number of instances at once. Each pass
//!
//! 1. settles `paid` payments (the crash between the provider's
//!    confirmation and the department's settlement ends here);
//! 2. drives `refunding` payments to `refunded`;
//! 3. asks the provider about `paying` payments without news for
//!    [`crate::Settings::query_after`] (a lost notification ends here), and
//!    closes those past their lifetime (`expired`);
//! 4. closes `created` payments past their lifetime (their order was never
//!    made, or its answer was lost).
//!
//! Every step is a conditional transition: two instances racing do each
//! thing once.

use serde::Serialize;
use time::OffsetDateTime;

use crate::model::PaymentStatus;
use crate::provider::{OrderStatus, ProviderError};
use crate::settle::Settled;
use crate::store::{self, Row, ms};
use crate::{PaymentError, Payments, Result};

/// What one recovery pass did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct RecoveryReport {
    /// Payments settled with their department.
    pub settled: u64,
    /// Payments found paid by asking the provider.
    pub found_paid: u64,
    /// Payments that expired or were found closed.
    pub closed: u64,
    /// Refunds completed or started.
    pub refunds: u64,
    /// Payments still waiting (the department or provider did not answer,
    /// or the person has time left to pay).
    pub waiting: u64,
    /// Calls that failed (logged).
    pub errors: u64,
}

impl Payments {
    /// One recovery pass at `now` (see the module docs).
    pub async fn recover(&self, now: OffsetDateTime) -> Result<RecoveryReport> {
        let mut report = RecoveryReport::default();
        let db = &self.inner.db;
        let batch = self.inner.settings.batch;
        let now_ms = ms(now);
        let query_after = i64::try_from(self.inner.settings.query_after.as_millis()).unwrap_or(0);
        let lifetime = i64::try_from(self.inner.settings.order_lifetime.as_millis()).unwrap_or(0);

        for row in store::due(
            db,
            PaymentStatus::Paying,
            now_ms,
            now_ms - query_after,
            batch,
        )
        .await?
        {
            match self.check_order(&row, now).await {
                Ok(Checked::Paid) => report.found_paid += 1,
                Ok(Checked::Closed) => report.closed += 1,
                Ok(Checked::Waiting) => report.waiting += 1,
                Err(e) => {
                    report.errors += 1;
                    tracing::warn!(payment = %row.id, code = e.code(), "recovery: order query failed");
                }
            }
        }
        for row in store::due(db, PaymentStatus::Created, now_ms, now_ms - lifetime, batch).await? {
            match self.close_created(&row, now).await {
                Ok(Checked::Paid) => report.found_paid += 1,
                Ok(Checked::Closed) => report.closed += 1,
                Ok(Checked::Waiting) => report.waiting += 1,
                Err(e) => {
                    report.errors += 1;
                    tracing::warn!(payment = %row.id, code = e.code(), "recovery: closing failed");
                }
            }
        }
        for row in store::due(db, PaymentStatus::Paid, now_ms, now_ms, batch).await? {
            match self.settle_one(&row.id).await {
                Ok(Settled::Now) => report.settled += 1,
                Ok(Settled::Refunding) => report.refunds += 1,
                Ok(Settled::Later) => report.waiting += 1,
                Ok(Settled::NotNeeded) => {}
                Err(e) => {
                    report.errors += 1;
                    tracing::warn!(payment = %row.id, code = e.code(), "recovery: settlement failed");
                }
            }
        }
        for row in store::due(db, PaymentStatus::Refunding, now_ms, now_ms, batch).await? {
            match self.drive_refund(&row.id).await {
                Ok(()) => report.refunds += 1,
                Err(e) => {
                    report.errors += 1;
                    tracing::warn!(payment = %row.id, code = e.code(), "recovery: refund failed");
                }
            }
        }
        Ok(report)
    }

    /// Asks the provider about a `paying` payment and applies the answer;
    /// past its lifetime an unpaid order is closed at the provider first,
    /// so it can no longer be paid, then expired here.
    pub(crate) async fn check_order(&self, row: &Row, now: OffsetDateTime) -> Result<Checked> {
        let expired = ms(now) >= row.expires_at;
        let state = match self.inner.provider.query_order(&row.id).await {
            Ok(state) => state,
            Err(ProviderError::NotFound) if expired => {
                self.apply_closed(row, "query", now).await?;
                return Ok(Checked::Closed);
            }
            Err(e) => return self.postpone(row, now, &e).await,
        };
        if state.amount_fen != row.amount_fen {
            tracing::error!(payment = %row.id, "the provider's order has another amount: left for reconciliation");
            let error = ProviderError::Refused {
                code: "amount_differs".into(),
            };
            return self.postpone(row, now, &error).await;
        }
        match state.status {
            OrderStatus::Paid { paid_at } | OrderStatus::Refunded { paid_at, .. } => {
                self.apply_paid(row, paid_at, &state.order_id, "query", now)
                    .await?;
                if let Err(e) = self.settle_one(&row.id).await {
                    tracing::warn!(payment = %row.id, code = e.code(), "settlement after query failed");
                }
                Ok(Checked::Paid)
            }
            OrderStatus::Closed => {
                self.apply_closed(row, "query", now).await?;
                Ok(Checked::Closed)
            }
            OrderStatus::Pending if expired => self.close_at_provider(row, now).await,
            OrderStatus::Pending => {
                // Ask again later, but close it on time.
                let next =
                    (ms(now) + self.inner.settings.backoff_ms(row.attempts)).min(row.expires_at);
                store::postpone(
                    &self.inner.db,
                    &row.id,
                    PaymentStatus::Paying,
                    next,
                    "pending",
                )
                .await?;
                Ok(Checked::Waiting)
            }
        }
    }

    /// A `created` payment past its lifetime: the provider may have made
    /// its order without our hearing, so it is closed there first.
    async fn close_created(&self, row: &Row, now: OffsetDateTime) -> Result<Checked> {
        self.close_at_provider(row, now).await
    }

    async fn close_at_provider(&self, row: &Row, now: OffsetDateTime) -> Result<Checked> {
        match self.inner.provider.close_order(&row.id).await {
            Ok(state) => match state.status {
                OrderStatus::Paid { paid_at } | OrderStatus::Refunded { paid_at, .. }
                    if state.amount_fen == row.amount_fen =>
                {
                    self.apply_paid(row, paid_at, &state.order_id, "query", now)
                        .await?;
                    if let Err(e) = self.settle_one(&row.id).await {
                        tracing::warn!(payment = %row.id, code = e.code(), "settlement after close failed");
                    }
                    Ok(Checked::Paid)
                }
                OrderStatus::Closed => {
                    self.apply_closed(row, "expiry", now).await?;
                    Ok(Checked::Closed)
                }
                _ => {
                    let error = ProviderError::Refused {
                        code: "close_refused".into(),
                    };
                    self.postpone(row, now, &error).await
                }
            },
            Err(ProviderError::NotFound) => {
                self.apply_closed(row, "expiry", now).await?;
                Ok(Checked::Closed)
            }
            Err(e) => self.postpone(row, now, &e).await,
        }
    }

    async fn postpone(
        &self,
        row: &Row,
        now: OffsetDateTime,
        error: &ProviderError,
    ) -> Result<Checked> {
        let status = row.status()?;
        let next = ms(now) + self.inner.settings.backoff_ms(row.attempts);
        store::postpone(
            &self.inner.db,
            &row.id,
            status,
            next,
            &format!("provider:{}", error.code()),
        )
        .await?;
        if error.is_transient() {
            Ok(Checked::Waiting)
        } else {
            Err(PaymentError::from(error.clone()))
        }
    }
}

/// What asking about an order found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Checked {
    Paid,
    Closed,
    Waiting,
}

//! Refunds (退款): by an operator, with a reason, of a settled payment; or
//! by the platform itself when the department refused the settlement, or
//! money arrived for a payment whose bill another payment holds.
//!
//! One full refund per payment (`payment_refunds` is keyed by payment): the
//! `→ refunding` transition, the refund's row (who, why) and the receipt's
//! voiding commit together; the provider's refund is idempotent by refund
//! id, so recovery calls it again until it completes.

use time::OffsetDateTime;

use crate::ids::refund_id;
use crate::model::{Operator, Payment, PaymentStatus};
use crate::provider::{RefundRequest, RefundState};
use crate::store::{self, Change, Row, ms};
use crate::{PaymentError, Payments, Result};

/// The longest reason, in characters.
const MAX_REASON: usize = 500;

impl Payments {
    /// An operator refunds a settled payment in full, with a reason (1–500
    /// characters, kept in the audit trail). The receipt is voided (the
    /// daemon withdraws its wallet entry: [`Payments::receipts_to_withdraw`])
    /// and the department must be told outside the contract: the day's
    /// reconciliation lists it under `department_follow_up`.
    pub async fn refund(&self, operator: &Operator, id: &str, reason: &str) -> Result<Payment> {
        let reason = reason.trim();
        if reason.is_empty() || reason.chars().count() > MAX_REASON || operator.id.is_empty() {
            return Err(PaymentError::RefundReasonRequired);
        }
        let row = store::get(&self.inner.db, id)
            .await?
            .ok_or(PaymentError::PaymentNotFound)?;
        match row.status()? {
            PaymentStatus::Settled => {}
            PaymentStatus::Refunding | PaymentStatus::Refunded => {
                return Err(PaymentError::AlreadyRefunded);
            }
            status => return Err(PaymentError::NotRefundable { status }),
        }
        let actor = format!("operator:{}", operator.id);
        let change = Change::new(PaymentStatus::Refunding, "operator_refund", &actor)
            .text("failure", Some("refunded_by_operator".into()));
        let now = self.now();
        if !self
            .start_refund(
                &row,
                &[PaymentStatus::Settled],
                change,
                &operator.id,
                reason,
                now,
            )
            .await?
        {
            // Another operator (or instance) got there first.
            return Err(PaymentError::AlreadyRefunded);
        }
        tracing::info!(payment = %row.id, operator = %operator.id, "refund by operator");
        let row = store::get(&self.inner.db, id)
            .await?
            .ok_or(PaymentError::PaymentNotFound)?;
        self.view(&row).await
    }

    /// Moves `row` from one of `from` to `refunding` (with `change`),
    /// records the refund and voids the receipt, then asks the provider.
    /// `false` when the payment had moved on.
    pub(crate) async fn start_refund(
        &self,
        row: &Row,
        from: &[PaymentStatus],
        change: Change,
        operator_id: &str,
        reason: &str,
        now: OffsetDateTime,
    ) -> Result<bool> {
        let mut moved = false;
        for status in from {
            let mut tx = self.inner.db.begin().await?;
            if store::transition_tx(&mut tx, &row.id, *status, &change, ms(now))
                .await?
                .is_none()
            {
                tx.rollback().await?;
                continue;
            }
            sqlx::query(
                "INSERT INTO payment_refunds \
                 (payment_id, refund_id, amount_fen, reason, operator_id, requested_at) \
                 VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (payment_id) DO NOTHING",
            )
            .bind(&row.id)
            .bind(refund_id(&row.id))
            .bind(row.amount_fen)
            .bind(reason)
            .bind(operator_id)
            .bind(ms(now))
            .execute(&mut *tx)
            .await?;
            sqlx::query(
                "UPDATE payment_receipts SET voided_at = $1 WHERE payment_id = $2 AND voided_at IS NULL",
            )
            .bind(ms(now))
            .bind(&row.id)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            moved = true;
            break;
        }
        if !moved {
            return Ok(false);
        }
        self.inner.metrics.transition(PaymentStatus::Refunding);
        if let Err(e) = self.drive_refund(&row.id).await {
            tracing::warn!(payment = %row.id, code = e.code(), "refund not completed yet");
        }
        Ok(true)
    }

    /// Asks the provider to refund a `refunding` payment (again: the call
    /// is idempotent by refund id) and completes it when the provider says
    /// so.
    pub(crate) async fn drive_refund(&self, id: &str) -> Result<()> {
        let Some(row) = store::get(&self.inner.db, id).await? else {
            return Err(PaymentError::PaymentNotFound);
        };
        if row.status()? != PaymentStatus::Refunding {
            return Ok(());
        }
        let (refund, reason): (String, String) =
            sqlx::query_as("SELECT refund_id, reason FROM payment_refunds WHERE payment_id = $1")
                .bind(id)
                .fetch_optional(self.inner.db.pool())
                .await?
                .ok_or_else(|| {
                    PaymentError::Internal(format!("payment {id} is refunding without a refund"))
                })?;
        let request = RefundRequest {
            out_trade_no: row.id.clone(),
            refund_id: refund.clone(),
            amount_fen: row.amount_fen,
            // The provider sees a code, never an operator's free text
            // (it may name the person).
            reason: if reason.starts_with("settle_refused") || reason == "paid_after_close" {
                reason
            } else {
                "operator_refund".into()
            },
            notify_url: self.inner.settings.callback_url.clone(),
        };
        let now = self.now();
        match self.inner.provider.refund(&request).await {
            Ok(RefundState::Succeeded {
                provider_refund_id,
                at,
            }) => {
                self.complete_refund(id, &refund, &provider_refund_id, at, now)
                    .await?;
                Ok(())
            }
            Ok(RefundState::Processing) => {
                let next = ms(now) + self.inner.settings.backoff_ms(row.attempts);
                store::postpone(
                    &self.inner.db,
                    id,
                    PaymentStatus::Refunding,
                    next,
                    "refund:processing",
                )
                .await?;
                Ok(())
            }
            Err(e) => {
                let next = ms(now) + self.inner.settings.backoff_ms(row.attempts);
                store::postpone(
                    &self.inner.db,
                    id,
                    PaymentStatus::Refunding,
                    next,
                    &format!("refund:{}", e.code()),
                )
                .await?;
                if !e.is_transient() {
                    tracing::error!(payment = %id, code = e.code(), "the provider refused a refund: an operator must look");
                }
                Err(e.into())
            }
        }
    }

    /// `refunding → refunded` and the refund's completion, together:
    /// `false` when it was not refunding (done before, or not asked).
    pub(crate) async fn complete_refund(
        &self,
        id: &str,
        refund: &str,
        provider_refund_id: &str,
        at: OffsetDateTime,
        now: OffsetDateTime,
    ) -> Result<bool> {
        let mut tx = self.inner.db.begin().await?;
        let change = Change::new(PaymentStatus::Refunded, "refund_completed", "provider")
            .int("refunded_at", Some(ms(at)));
        if store::transition_tx(&mut tx, id, PaymentStatus::Refunding, &change, ms(now))
            .await?
            .is_none()
        {
            tx.rollback().await?;
            return Ok(false);
        }
        sqlx::query(
            "UPDATE payment_refunds SET completed_at = $1, provider_refund_id = $2 \
             WHERE payment_id = $3 AND refund_id = $4",
        )
        .bind(ms(at))
        .bind(provider_refund_id)
        .bind(id)
        .bind(refund)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        self.inner.metrics.transition(PaymentStatus::Refunded);
        Ok(true)
    }
}

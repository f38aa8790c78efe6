//! Telling the department (销账), exactly once.
//!
//! `settle` is idempotent by payment id at the department, so it is called
//! as often as needed: after the notification, by `refresh`, by every
//! recovery pass until it answers. Its answer is recorded in one
//! transaction with the `paid → settled` transition and the receipt: of
//! two instances racing, one commits and the other's conditional update
//! finds nothing to move. A crash anywhere in between leaves the payment
//! `paid`, and the next call gets the same settlement again.

use yuesou_gateway::{GatewayError, SettleRequest, SettleTarget, Settlement};

use crate::model::{PaymentStatus, Receipt};
use crate::store::{self, Change, Row, instant, ms};
use crate::{PaymentError, Payments, Result};

/// What one settlement attempt did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Settled {
    /// Settled now (the receipt is issued).
    Now,
    /// Not `paid` (settled before, by another instance, or refunded).
    NotNeeded,
    /// The department could not answer; recovery tries again later.
    Later,
    /// The department refused; the payment is being refunded.
    Refunding,
}

/// Department codes that mean "this payment will never settle".
const REFUSALS: [&str; 4] = [
    "already_paid",
    "amount_mismatch",
    "amount_out_of_range",
    "idempotency_conflict",
];

impl Payments {
    /// Settles a `paid` payment with its department.
    pub(crate) async fn settle_one(&self, id: &str) -> Result<Settled> {
        let Some(row) = store::get(&self.inner.db, id).await? else {
            return Err(PaymentError::PaymentNotFound);
        };
        if row.status()? != PaymentStatus::Paid {
            return Ok(Settled::NotNeeded);
        }
        let Some(paid_at) = row.paid_at else {
            return Err(PaymentError::Internal(format!(
                "payment {id} is paid without paid_at"
            )));
        };
        let target = if row.target_type == "bill" {
            SettleTarget::Bill(row.target_id.clone())
        } else {
            SettleTarget::TopUp(row.target_id.clone())
        };
        let request = SettleRequest {
            department: row.department.clone(),
            target,
            payment_id: row.id.clone(),
            amount_fen: row.amount_fen,
            paid_at: instant(paid_at),
        };
        match self.inner.gateway.settle(&request).await {
            Ok(settlement) => self.record_settlement(&row, &settlement).await,
            Err(e) => {
                let refused = match &e {
                    GatewayError::Refused { code, .. } if REFUSALS.contains(&code.as_str()) => {
                        Some(code.clone())
                    }
                    GatewayError::NotFound { .. } => Some("not_found".to_owned()),
                    _ => None,
                };
                let now = self.now();
                self.inner.metrics.settle_failure(e.code());
                if let Some(code) = refused {
                    tracing::warn!(payment = %row.id, code = %code, "the department refused the settlement: refunding");
                    let cause = format!("settle_refused:{code}");
                    let change = Change::new(PaymentStatus::Refunding, &cause, "system")
                        .text("failure", Some(cause.clone()));
                    self.start_refund(&row, &[PaymentStatus::Paid], change, "system", &cause, now)
                        .await?;
                    return Ok(Settled::Refunding);
                }
                tracing::warn!(payment = %row.id, code = e.code(), "settlement failed; retrying later");
                let next = ms(now) + self.inner.settings.backoff_ms(row.attempts);
                store::postpone(
                    &self.inner.db,
                    &row.id,
                    PaymentStatus::Paid,
                    next,
                    &format!("settle:{}", e.code()),
                )
                .await?;
                Ok(Settled::Later)
            }
        }
    }

    /// `paid → settled`, the settlement and the receipt, in one
    /// transaction.
    async fn record_settlement(&self, row: &Row, settlement: &Settlement) -> Result<Settled> {
        let now = self.now();
        let settled_at = ms(settlement.settled_at);
        let mut tx = self.inner.db.begin().await?;
        let change = Change::new(PaymentStatus::Settled, "settlement", "department")
            .int("settled_at", Some(settled_at))
            .text("failure", None);
        if store::transition_tx(&mut tx, &row.id, PaymentStatus::Paid, &change, ms(now))
            .await?
            .is_none()
        {
            tx.rollback().await?;
            return Ok(Settled::NotNeeded);
        }
        sqlx::query(
            "INSERT INTO payment_settlements \
             (payment_id, settlement_id, receipt_number, amount_fen, settled_at, recorded_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&row.id)
        .bind(&settlement.settlement_id)
        .bind(&settlement.receipt_number)
        .bind(row.amount_fen)
        .bind(settled_at)
        .bind(ms(now))
        .execute(&mut *tx)
        .await?;
        let receipt = Receipt {
            number: settlement.receipt_number.clone(),
            payment_id: row.id.clone(),
            account_id: row.account_id.clone(),
            payer_name: row.payer_name.clone(),
            payer_id_masked: row.payer_id_masked.clone(),
            payee: row.payee.clone(),
            item_id: row.item_id.clone(),
            item_title: row.item_title.clone(),
            title: row.title.clone(),
            kind: row.kind.clone(),
            account: row.account_masked.clone(),
            period: row.period.clone(),
            amount_fen: row.amount_fen,
            paid_at: instant(row.paid_at.unwrap_or(row.updated_at)),
            settled_at: settlement.settled_at,
            settlement_id: settlement.settlement_id.clone(),
            provider: row.provider.clone(),
            provider_order_id: row.provider_order_id.clone().unwrap_or_default(),
            issued_at: now,
            wallet_entry_id: None,
            voided_at: None,
        };
        let facts = serde_json::to_string(&receipt)
            .map_err(|e| PaymentError::Internal(format!("receipt: {e}")))?;
        sqlx::query(
            "INSERT INTO payment_receipts (payment_id, number, account_id, facts, issued_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(&row.id)
        .bind(&receipt.number)
        .bind(&row.account_id)
        .bind(facts)
        .bind(ms(now))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        self.inner.metrics.transition(PaymentStatus::Settled);
        Ok(Settled::Now)
    }
}

//! Electronic receipts (电子票据) and the daemon's wallet work.
//!
//! A receipt is written once, with its settlement, in the same
//! transaction as `paid → settled` (a primary key on the payment makes a
//! second one impossible). The daemon issues each into the person's wallet
//! and writes the entry's id back ([`Payments::attach_wallet_entry`], once:
//! a conditional update); a refund voids the receipt and the daemon
//! withdraws the entry ([`Payments::receipts_to_withdraw`],
//! [`Payments::mark_withdrawn`]).

use sqlx::Any;

use crate::model::{Payer, Receipt};
use crate::store::instant;
use crate::{PaymentError, Payments, Result};

#[derive(sqlx::FromRow)]
struct ReceiptRow {
    facts: String,
    wallet_entry_id: Option<String>,
    voided_at: Option<i64>,
}

fn receipt(row: ReceiptRow) -> Result<Receipt> {
    let mut receipt: Receipt = serde_json::from_str(&row.facts)
        .map_err(|e| PaymentError::Internal(format!("stored receipt: {e}")))?;
    receipt.wallet_entry_id = row.wallet_entry_id;
    receipt.voided_at = row.voided_at.map(instant);
    Ok(receipt)
}

impl Payments {
    /// The receipt of one of the payer's payments, once settled.
    pub async fn receipt(&self, payer: &Payer, payment_id: &str) -> Result<Receipt> {
        let row = sqlx::query_as::<Any, ReceiptRow>(
            "SELECT facts, wallet_entry_id, voided_at FROM payment_receipts \
             WHERE payment_id = $1 AND account_id = $2",
        )
        .bind(payment_id)
        .bind(&payer.account_id)
        .fetch_optional(self.inner.db.pool())
        .await?
        .ok_or(PaymentError::PaymentNotFound)?;
        receipt(row)
    }

    /// Receipts not yet in a wallet (and not voided), oldest first: the
    /// daemon issues each (idempotently, keyed by payment id) and calls
    /// [`Payments::attach_wallet_entry`].
    pub async fn receipts_to_issue(&self, limit: i64) -> Result<Vec<Receipt>> {
        let rows = sqlx::query_as::<Any, ReceiptRow>(
            "SELECT facts, wallet_entry_id, voided_at FROM payment_receipts \
             WHERE wallet_entry_id IS NULL AND voided_at IS NULL \
             ORDER BY issued_at, payment_id LIMIT $1",
        )
        .bind(limit)
        .fetch_all(self.inner.db.pool())
        .await?;
        rows.into_iter().map(receipt).collect()
    }

    /// Records the wallet entry holding a receipt: `true` the first time,
    /// `false` when an entry was recorded already (another instance won:
    /// the daemon should then remove its own duplicate entry).
    pub async fn attach_wallet_entry(&self, payment_id: &str, entry_id: &str) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE payment_receipts SET wallet_entry_id = $1 \
             WHERE payment_id = $2 AND wallet_entry_id IS NULL",
        )
        .bind(entry_id)
        .bind(payment_id)
        .execute(self.inner.db.pool())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Voided receipts whose wallet entry is still there: the daemon
    /// withdraws each and calls [`Payments::mark_withdrawn`].
    pub async fn receipts_to_withdraw(&self, limit: i64) -> Result<Vec<Receipt>> {
        let rows = sqlx::query_as::<Any, ReceiptRow>(
            "SELECT facts, wallet_entry_id, voided_at FROM payment_receipts \
             WHERE voided_at IS NOT NULL AND wallet_entry_id IS NOT NULL AND withdrawn_at IS NULL \
             ORDER BY voided_at, payment_id LIMIT $1",
        )
        .bind(limit)
        .fetch_all(self.inner.db.pool())
        .await?;
        rows.into_iter().map(receipt).collect()
    }

    /// Records that a voided receipt's wallet entry was withdrawn.
    pub async fn mark_withdrawn(&self, payment_id: &str) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE payment_receipts SET withdrawn_at = $1 \
             WHERE payment_id = $2 AND voided_at IS NOT NULL AND withdrawn_at IS NULL",
        )
        .bind(crate::store::ms(self.now()))
        .bind(payment_id)
        .execute(self.inner.db.pool())
        .await?;
        Ok(done.rows_affected() == 1)
    }
}

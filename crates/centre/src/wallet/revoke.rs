//! 吊销 — the issuer revokes a licence. Revocation is keyed to the licence
//! itself (type and number), not to a wallet entry: every entry of it is
//! marked, every live presentation of it is voided (its status-list bit
//! set), and it can neither be added again (deleting it and adding it back
//! changes nothing), presented nor verified.

use crate::error::{CentreError, Result};
use crate::{Centre, text_field};
use yuesou_messages::Text;

/// What a revocation did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Revocation {
    /// Whether the licence was newly revoked (false: it already was).
    pub new: bool,
    /// Wallet entries of it marked revoked.
    pub entries: u64,
    /// Live presentations of it voided.
    pub presentations: u64,
}

impl Centre {
    /// The issuer revokes the licence `(type_code, number)` for `reason`
    /// (operators only). Idempotent.
    pub async fn wallet_revoke(
        &self,
        type_code: &str,
        number: &str,
        reason: &str,
    ) -> Result<Revocation> {
        let wallet = self.wallet()?;
        if wallet.types.get(type_code).is_none() {
            return Err(CentreError::invalid(
                "type",
                Text::new("err-unknown-licence-type").arg("type", type_code),
            ));
        }
        let number = text_field("number", number, 64)?;
        let reason = text_field("reason", reason, 200)?;
        let now = self.now();
        let mut tx = self.db.begin().await?;
        let inserted = sqlx::query(
            "INSERT INTO licence_revocations (type_code, number, reason, revoked_at) \
             VALUES ($1, $2, $3, $4) ON CONFLICT (type_code, number) DO NOTHING",
        )
        .bind(type_code)
        .bind(&number)
        .bind(&reason)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        let entries = sqlx::query(
            "UPDATE wallet_entries SET revoked_at = $1 WHERE type_code = $2 AND number = $3 \
             AND revoked_at IS NULL",
        )
        .bind(now)
        .bind(type_code)
        .bind(&number)
        .execute(&mut *tx)
        .await?;
        let presentations = sqlx::query(
            "UPDATE presentations SET voided_at = $1 WHERE type_code = $2 AND number = $3 \
             AND voided_at IS NULL AND expires_at > $1",
        )
        .bind(now)
        .bind(type_code)
        .bind(&number)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        wallet.forget_status_list();
        tracing::info!(licence_type = type_code, "licence revoked by its issuer");
        Ok(Revocation {
            new: inserted.rows_affected() > 0,
            entries: entries.rows_affected(),
            presentations: presentations.rows_affected(),
        })
    }
}

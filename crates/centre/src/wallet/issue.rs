//! 证照签发 — a licence a department issued through the platform (a 证明
//! from a gateway, a 办理 result, a payment receipt) goes straight into the
//! holder's wallet: the same entry as an added licence, presented and
//! verified like any other.

use yuesou_wallet::Licence;

use super::{WalletItem, new_id, view};
use crate::error::{CentreError, Result};
use crate::{AccountKind, Centre, Level, Subject, Text, audit};

impl Centre {
    /// Puts `licence` (issued to the subject's verified identity) into the
    /// subject's wallet and returns its entry. The same licence again is
    /// the same entry; a licence its issuer revoked is refused.
    pub async fn wallet_issue(&self, subject: &Subject, licence: &Licence) -> Result<WalletItem> {
        let wallet = self.wallet()?;
        let ty = wallet.types.get(&licence.type_code).ok_or_else(|| {
            CentreError::invalid(
                "type",
                Text::new("err-unknown-licence-type").arg("type", licence.type_code.as_str()),
            )
        })?;
        if self.holder(subject).await? != licence.holder {
            return Err(CentreError::Internal(
                "a licence issued to another holder".into(),
            ));
        }
        if self
            .licence_revoked(&licence.type_code, &licence.number)
            .await?
        {
            return Err(CentreError::LicenceRevoked);
        }
        let json = serde_json::to_string(licence)
            .map_err(|e| CentreError::Internal(format!("licence record: {e}")))?;
        let now = self.now();
        let mut tx = self.db.begin().await?;
        sqlx::query(
            "INSERT INTO wallet_entries (id, account_id, type_code, number, licence_json, added_at) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (account_id, type_code, number) DO NOTHING",
        )
        .bind(new_id("lic")?)
        .bind(&subject.account_id)
        .bind(&licence.type_code)
        .bind(&licence.number)
        .bind(json)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        let (id, added_at): (String, i64) = sqlx::query_as(
            "SELECT id, added_at FROM wallet_entries \
             WHERE account_id = $1 AND type_code = $2 AND number = $3",
        )
        .bind(&subject.account_id)
        .bind(&licence.type_code)
        .bind(&licence.number)
        .fetch_one(&mut *tx)
        .await?;
        audit(&mut tx, subject, "wallet.issue", &licence.type_code, now).await?;
        tx.commit().await?;
        Ok(view(id, licence, ty, false, false, added_at, now))
    }

    /// Puts `licence` into the wallet of `account_id` outside a request —
    /// a department issuing on its own (a payment's receipt once settled).
    /// The holder is the account's verified identity (its ID number, or an
    /// organisation's credit code); without one nothing is issued
    /// ([`CentreError::StepUpRequired`]). The same licence again is the same
    /// entry.
    pub async fn wallet_issue_to(
        &self,
        account_id: &str,
        mut licence: Licence,
    ) -> Result<WalletItem> {
        let row: Option<(String, Option<String>, Option<String>)> =
            sqlx::query_as("SELECT kind, id_number, uscc FROM accounts WHERE id = $1")
                .bind(account_id)
                .fetch_optional(self.db.pool())
                .await?;
        let Some((kind, id_number, uscc)) = row else {
            return Err(CentreError::NotFound("account"));
        };
        let kind = AccountKind::parse(&kind);
        let holder = match kind {
            AccountKind::Person => id_number,
            AccountKind::Organisation => uscc,
        };
        let Some(holder) = holder else {
            return Err(CentreError::StepUpRequired {
                required: Level::L2,
                current: Level::L1,
            });
        };
        licence.holder = holder;
        let subject = Subject {
            account_id: account_id.to_owned(),
            actor_id: account_id.to_owned(),
            kind,
            session_id: "platform".to_owned(),
            level: Level::L2,
        };
        self.wallet_issue(&subject, &licence).await
    }
}

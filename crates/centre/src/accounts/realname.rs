//! 实名认证 (L2, name + ID number checked with the identity provider) and
//! 人脸核验 (L3 for a short while, a face matched to that identity).

use super::StepUp;
use crate::error::{CentreError, Result};
use crate::identity::IdNumber;
use crate::{AccountKind, Centre, Level, Subject, audit, rfc3339, text_field};
use yuesou_messages::Text;

impl Centre {
    /// 实名认证 — raises the person to L2 when the name and ID number match
    /// the identity provider.
    pub async fn verify_real_name(
        &self,
        subject: &Subject,
        name: &str,
        id_number: &str,
    ) -> Result<StepUp> {
        if subject.kind != AccountKind::Person {
            return Err(CentreError::Forbidden(Text::new(
                "err-org-verified-by-agents",
            )));
        }
        let name = text_field("name", name, 30)?;
        let id = IdNumber::parse(id_number)?;
        // One answer for a pair that does not match and for a pair bound to
        // another account: otherwise anyone could learn who has an account
        // here by trying a name and ID number they know.
        let refused = || CentreError::invalid("id_number", Text::new("err-identity-mismatch"));
        let Some(identity) = self.providers.identities.verify(&name, &id)? else {
            return Err(refused());
        };
        let now = self.now();
        let mut tx = self.db.begin().await?;
        let result = sqlx::query(
            "UPDATE accounts SET level = CASE WHEN level < 2 THEN 2 ELSE level END, real_name = $1, \
             id_number = $2, updated_at = $3 WHERE id = $4 AND (id_number IS NULL OR id_number = $2)",
        )
        .bind(&identity.name)
        .bind(identity.id_number.as_str())
        .bind(now)
        .bind(&subject.account_id)
        .execute(&mut *tx)
        .await;
        let result = match result {
            Err(sqlx::Error::Database(d)) if d.is_unique_violation() => {
                drop(tx);
                tracing::warn!(
                    "a real-name verification named an identity bound to another account"
                );
                let mut tx = self.db.begin().await?;
                audit(
                    &mut tx,
                    subject,
                    "verify.real_name.refused",
                    &subject.account_id,
                    now,
                )
                .await?;
                tx.commit().await?;
                return Err(refused());
            }
            other => other?,
        };
        if result.rows_affected() == 0 {
            return Err(CentreError::conflict(Text::new(
                "err-account-bound-elsewhere",
            )));
        }
        audit(
            &mut tx,
            subject,
            "verify.real_name",
            &subject.account_id,
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(StepUp {
            level: subject.level.max(Level::L2),
            until: None,
        })
    }

    /// 人脸核验 — raises the session to L3 for a short while when the face
    /// sample matches the person's verified identity (needs L2 first).
    pub async fn verify_face(&self, subject: &Subject, sample: &str) -> Result<StepUp> {
        let id_number: (Option<String>,) =
            sqlx::query_as("SELECT id_number FROM accounts WHERE id = $1")
                .bind(&subject.actor_id)
                .fetch_one(self.db.pool())
                .await?;
        let Some(id_number) = id_number.0 else {
            return Err(CentreError::StepUpRequired {
                required: Level::L2,
                current: subject.level,
            });
        };
        let id = IdNumber::parse(&id_number)?;
        if sample.is_empty() || sample.chars().count() > 4_000 {
            return Err(CentreError::invalid(
                "sample",
                Text::new("err-face-sample").arg("max", 4000),
            ));
        }
        if !self.providers.faces.verify(&id, sample)? {
            return Err(CentreError::invalid(
                "sample",
                Text::new("err-face-mismatch"),
            ));
        }
        let now = self.now();
        let until = now + self.policy.step_up_secs * 1000;
        let mut tx = self.db.begin().await?;
        sqlx::query("UPDATE sessions SET elevated_until = $1 WHERE id = $2")
            .bind(until)
            .bind(&subject.session_id)
            .execute(&mut *tx)
            .await?;
        audit(&mut tx, subject, "verify.face", &subject.session_id, now).await?;
        tx.commit().await?;
        Ok(StepUp {
            level: Level::L3,
            until: Some(rfc3339(until)),
        })
    }
}

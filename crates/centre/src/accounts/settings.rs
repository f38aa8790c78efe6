//! 登录设置 — an account's login validity (登录有效期), login methods
//! (登录方式) and whether its search history is paused.

use super::{LoginMethod, Settings};
use crate::error::{CentreError, Result};
use crate::{Centre, Subject, Text, audit};

impl Centre {
    /// The actor's login settings.
    pub async fn settings(&self, subject: &Subject) -> Result<Settings> {
        let (validity, pw, sms, paused): (i64, i64, i64, i64) = sqlx::query_as(
            "SELECT login_validity_secs, allow_password, allow_sms, history_paused \
             FROM accounts WHERE id = $1",
        )
        .bind(&subject.actor_id)
        .fetch_one(self.db.pool())
        .await?;
        let mut methods = Vec::new();
        if pw != 0 {
            methods.push(LoginMethod::Password);
        }
        if sms != 0 {
            methods.push(LoginMethod::Sms);
        }
        Ok(Settings {
            login_validity_hours: validity / 3600,
            login_methods: methods,
            history_paused: paused != 0,
        })
    }

    /// Changes the actor's 登录有效期 and 登录方式 (new sessions follow them).
    pub async fn update_settings(
        &self,
        subject: &Subject,
        settings: &Settings,
    ) -> Result<Settings> {
        if !(1..=720).contains(&settings.login_validity_hours) {
            return Err(CentreError::invalid(
                "login_validity_hours",
                Text::new("err-login-validity")
                    .arg("min", 1)
                    .arg("max", 720),
            ));
        }
        if settings.login_methods.is_empty() {
            return Err(CentreError::invalid("login_methods", "err-login-methods"));
        }
        let pw = settings.login_methods.contains(&LoginMethod::Password);
        let sms = settings.login_methods.contains(&LoginMethod::Sms);
        let now = self.now();
        let mut tx = self.db.begin().await?;
        sqlx::query(
            "UPDATE accounts SET login_validity_secs = $1, allow_password = $2, allow_sms = $3, \
             history_paused = $4, updated_at = $5 WHERE id = $6",
        )
        .bind(settings.login_validity_hours * 3600)
        .bind(i64::from(pw))
        .bind(i64::from(sms))
        .bind(i64::from(settings.history_paused))
        .bind(now)
        .bind(&subject.actor_id)
        .execute(&mut *tx)
        .await?;
        audit(&mut tx, subject, "settings.update", &subject.actor_id, now).await?;
        tx.commit().await?;
        self.settings(subject).await
    }
}

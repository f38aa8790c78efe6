//! One-time SMS codes (短信验证码) for registration and login: six digits,
//! stored as a keyed hash (HMAC under the server's [`CentreKey`]
//! (crate::CentreKey), not in the database), valid for a few minutes, used
//! once, void after [`Policy::code_attempts`](crate::Policy) wrong tries
//! from all addresses together. At most one code per phone per
//! [`Policy::code_interval_secs`](crate::Policy) and a few per address per
//! hour, reserved before the code is made so a burst sends one.

use crate::error::{CentreError, Result};
use crate::identity::parse_phone;
use crate::ratelimit::{self, Limit};
use crate::secret::{digest, new_code};
use crate::{Centre, Client};
use yuesou_messages::Text;

/// Codes one client address may ask for per hour.
const CODES_PER_ADDRESS_PER_HOUR: usize = 20;

/// What a code is for.
fn purpose_ok(purpose: &str) -> bool {
    matches!(purpose, "login" | "register")
}

impl Centre {
    /// Sends a one-time code to `phone` for `purpose` (`login` or
    /// `register`). Answers the same whether or not the phone is
    /// registered; a code is only sent where it can be used.
    pub async fn send_code(&self, phone: &str, purpose: &str, client: &Client) -> Result<()> {
        let phone = parse_phone(phone)?;
        if !purpose_ok(purpose) {
            return Err(CentreError::invalid(
                "purpose",
                Text::new("err-code-purpose"),
            ));
        }
        let now = self.now();
        let limits = [
            Limit::new(
                format!("code:phone:{}", digest(&phone)),
                1,
                self.policy.code_interval_secs * 1000,
            ),
            Limit::new(
                format!("code:addr:{}", client.address),
                CODES_PER_ADDRESS_PER_HOUR,
                3_600_000,
            ),
        ];
        // Kept whether or not a code is sent: the answer is the same.
        let _reserved = ratelimit::reserve(&self.db, &limits, now).await?;
        let registered = self.account_by_phone(&phone).await?.is_some();
        if registered != (purpose == "login") {
            return Ok(());
        }
        let code = new_code()?;
        sqlx::query(
            "INSERT INTO sms_codes (phone, purpose, code_hash, attempts, created_at, expires_at, keyed) \
             VALUES ($1, $2, $3, 0, $4, $5, 1) \
             ON CONFLICT (phone, purpose) DO UPDATE SET code_hash = excluded.code_hash, \
             attempts = 0, created_at = excluded.created_at, expires_at = excluded.expires_at, \
             keyed = 1",
        )
        .bind(&phone)
        .bind(purpose)
        .bind(self.code_hash(&phone, purpose, &code))
        .bind(now)
        .bind(now + self.policy.code_ttl_secs * 1000)
        .execute(self.db.pool())
        .await?;
        self.providers.sms.send_code(&phone, &code, purpose)
    }

    /// The keyed hash a code is stored as.
    fn code_hash(&self, phone: &str, purpose: &str, code: &str) -> String {
        self.key.hash(&["sms", phone, purpose, code.trim()])
    }

    /// Consumes a code: true when it matches (it can then not be used
    /// again). A wrong try counts against the code; past the limit it is
    /// void. One transaction, so two tries of one code cannot both pass.
    pub(super) async fn take_code(&self, phone: &str, purpose: &str, code: &str) -> Result<bool> {
        let now = self.now();
        let mut tx = self.db.begin().await?;
        // Lock the row (PostgreSQL) before reading it.
        sqlx::query("UPDATE sms_codes SET attempts = attempts WHERE phone = $1 AND purpose = $2")
            .bind(phone)
            .bind(purpose)
            .execute(&mut *tx)
            .await?;
        let row: Option<(String, i64, i64, i64)> = sqlx::query_as(
            "SELECT code_hash, attempts, expires_at, keyed FROM sms_codes \
             WHERE phone = $1 AND purpose = $2",
        )
        .bind(phone)
        .bind(purpose)
        .fetch_optional(&mut *tx)
        .await?;
        let Some((hash, attempts, expires_at, keyed)) = row else {
            return Ok(false);
        };
        let allowed = i64::try_from(self.policy.code_attempts).unwrap_or(i64::MAX);
        let ok = keyed == 1
            && expires_at > now
            && attempts < allowed
            && hash == self.code_hash(phone, purpose, code);
        let statement = if ok {
            "DELETE FROM sms_codes WHERE phone = $1 AND purpose = $2"
        } else {
            "UPDATE sms_codes SET attempts = attempts + 1 WHERE phone = $1 AND purpose = $2"
        };
        sqlx::query(statement)
            .bind(phone)
            .bind(purpose)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(ok)
    }
}

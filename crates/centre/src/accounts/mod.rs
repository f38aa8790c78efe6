//! 认证和登录 — registration, login by password or SMS code, sessions,
//! login settings, real-name levels and step-up, organisations and their
//! agents (经办人), one module each:
//!
//! - `codes` — one-time SMS codes (keyed hashes, single use, expiring);
//! - `login` — registration and login, with limits reserved before the
//!   attempt and password hashing a few at a time;
//! - `sessions` — sessions: open, authenticate, list, revoke;
//! - `settings` — 登录有效期 and 登录方式;
//! - `realname` — 实名认证 (L2) and 人脸核验 (L3);
//! - `organisations` — 法人 and their 经办人.
//!
//! Tokens are 256 random bits; the database keeps only their SHA-256.
//! Passwords are hashed with argon2id. Every login failure answers the same
//! [`CentreError::BadCredentials`], so nobody learns which phones are
//! registered.

mod codes;
mod login;
mod organisations;
mod preferences;
mod realname;
mod sessions;
mod settings;

pub use preferences::{Preferences, UiLang};

use serde::{Deserialize, Serialize};

use crate::error::{CentreError, Result};
use crate::secret::new_id;
use crate::{Centre, Level};
use yuesou_messages::Text;

/// A login that succeeded.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LoginResult {
    /// The bearer token (`Authorization: Bearer …`). Shown once.
    pub token: String,
    /// When the session expires (RFC 3339).
    pub expires_at: String,
    /// The session's level.
    pub level: Level,
}

/// 登录方式 — how an account may log in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum LoginMethod {
    /// Phone and password.
    Password,
    /// Phone and SMS code.
    Sms,
}

impl LoginMethod {
    fn as_str(self) -> &'static str {
        match self {
            LoginMethod::Password => "password",
            LoginMethod::Sms => "sms",
        }
    }
}

/// One session of the account, as its owner sees it (the sessions it opened
/// for organisations, 经办, listed with `parent` set to it).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SessionInfo {
    /// Opaque id (revoke with it).
    pub id: String,
    /// The device that logged in.
    pub device: String,
    /// The network address it logged in from.
    pub address: String,
    /// `password`, `sms` or `agent` (acting for an organisation).
    pub method: String,
    /// When (RFC 3339).
    pub created_at: String,
    /// Last request (RFC 3339, to the minute).
    pub last_seen_at: String,
    /// When it expires (RFC 3339).
    pub expires_at: String,
    /// Whether this is the session asking.
    pub current: bool,
    /// For a session acting for an organisation (经办): the person's
    /// session it belongs to (it ends with it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
    /// For a session acting for an organisation: the organisation's name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub acting_for: Option<String>,
}

/// A whole number sent as JSON `51` or `51.0` (both are integers to JSON
/// Schema).
fn whole_number<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<i64, D::Error> {
    let value = <f64 as serde::Deserialize>::deserialize(deserializer)?;
    if value.fract() == 0.0 && value.abs() < 1e15 {
        Ok(value as i64)
    } else {
        Err(serde::de::Error::custom("err-whole-number"))
    }
}

/// Login settings of an account.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Settings {
    /// 登录有效期 — how long a login lasts, in hours (1 to 720).
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 720))]
    #[serde(deserialize_with = "whole_number")]
    pub login_validity_hours: i64,
    /// 登录方式 — the methods allowed (at least one).
    #[cfg_attr(feature = "openapi", schema(min_items = 1))]
    pub login_methods: Vec<LoginMethod>,
    /// Whether search history is paused (no new entries are recorded).
    #[serde(default)]
    pub history_paused: bool,
}

/// The level after a step-up.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StepUp {
    /// The session's level now.
    pub level: Level,
    /// Until when an L3 level lasts (RFC 3339), for face checks.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub until: Option<String>,
}

/// An organisation a person acts for.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Organisation {
    /// Account id of the organisation.
    pub id: String,
    /// 名称
    pub name: String,
    /// 统一社会信用代码 (public, not masked).
    pub uscc: String,
    /// The person's role (`legal_representative`, `agent`).
    pub role: String,
}

const MIN_PASSWORD: usize = 8;
const MAX_PASSWORD: usize = 64;
const MAX_DEVICE: usize = 120;
/// How often `last_seen_at` is written (not on every request).
const SEEN_RESOLUTION_MS: i64 = 60_000;

fn check_password_policy(password: &str) -> Result<()> {
    // Length is what makes a password strong (NIST SP 800-63B): no
    // composition rules.
    let n = password.chars().count();
    if !(MIN_PASSWORD..=MAX_PASSWORD).contains(&n) {
        return Err(CentreError::invalid(
            "password",
            Text::new("err-password-length")
                .arg("min", MIN_PASSWORD)
                .arg("max", MAX_PASSWORD),
        ));
    }
    Ok(())
}

fn short(text: &str, max: usize) -> String {
    text.chars().filter(|c| !c.is_control()).take(max).collect()
}

/// What a login needs of an account.
#[derive(Debug, sqlx::FromRow)]
struct AccountRow {
    id: String,
    password_hash: Option<String>,
    level: i64,
    allow_password: i64,
    allow_sms: i64,
}

impl Centre {
    async fn account_by_phone(&self, phone: &str) -> Result<Option<AccountRow>> {
        Ok(sqlx::query_as(
            "SELECT id, password_hash, level, allow_password, allow_sms \
             FROM accounts WHERE phone = $1",
        )
        .bind(phone)
        .fetch_optional(self.db.pool())
        .await?)
    }

    /// Creates a person account (used by registration and the demo seed).
    pub(crate) async fn create_person(
        &self,
        phone: &str,
        password_hash: Option<&str>,
        level: Level,
        identity: Option<(&str, &str)>,
        demo: bool,
    ) -> Result<String> {
        let now = self.now();
        let id = new_id("acc")?;
        sqlx::query(
            "INSERT INTO accounts (id, kind, phone, password_hash, level, real_name, id_number, \
             login_validity_secs, allow_password, allow_sms, demo, created_at, updated_at) \
             VALUES ($1, 'person', $2, $3, $4, $5, $6, $7, 1, 1, $8, $9, $9)",
        )
        .bind(&id)
        .bind(phone)
        .bind(password_hash)
        .bind(level.as_i64())
        .bind(identity.map(|i| i.0))
        .bind(identity.map(|i| i.1))
        .bind(self.policy.default_login_validity_secs)
        .bind(i64::from(demo))
        .bind(now)
        .execute(self.db.pool())
        .await
        .map_err(|e| match &e {
            sqlx::Error::Database(d) if d.is_unique_violation() => {
                CentreError::conflict(Text::new("err-already-registered"))
            }
            _ => e.into(),
        })?;
        Ok(id)
    }
}

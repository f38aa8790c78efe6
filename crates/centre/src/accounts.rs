//! 认证和登录 — registration, login by password or SMS code, sessions,
//! login settings, real-name levels and step-up, organisations and their
//! agents (经办人).
//!
//! Tokens are 256 random bits; the database keeps only their SHA-256.
//! Passwords are hashed with argon2id. Failed logins are limited per account
//! and per client address; every failure answers the same
//! [`CentreError::BadCredentials`], so nobody learns which phones are
//! registered.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::{CentreError, Result};
use crate::identity::{IdNumber, parse_phone, parse_uscc};
use crate::secret::{digest, hash_password, new_code, new_id, new_token, verify_password};
use crate::{AccountKind, Centre, Client, Level, Subject, audit, ratelimit, rfc3339, text_field};

/// A login that succeeded.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LoginResult {
    /// The bearer token (`Authorization: Bearer …`). Shown once.
    pub token: String,
    /// When the session expires (RFC 3339).
    pub expires_at: String,
    /// The session's level.
    pub level: Level,
}

/// 登录方式 — how an account may log in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
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

/// One session of the account, as its owner sees it.
#[derive(Debug, Clone, Serialize, ToSchema)]
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
}

/// A whole number sent as JSON `51` or `51.0` (both are integers to JSON
/// Schema).
fn whole_number<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<i64, D::Error> {
    let value = <f64 as serde::Deserialize>::deserialize(deserializer)?;
    if value.fract() == 0.0 && value.abs() < 1e15 {
        Ok(value as i64)
    } else {
        Err(serde::de::Error::custom("must be a whole number"))
    }
}

/// Login settings of an account.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Settings {
    /// 登录有效期 — how long a login lasts, in hours (1 to 720).
    #[schema(minimum = 1, maximum = 720)]
    #[serde(deserialize_with = "whole_number")]
    pub login_validity_hours: i64,
    /// 登录方式 — the methods allowed (at least one).
    #[schema(min_items = 1)]
    pub login_methods: Vec<LoginMethod>,
    /// Whether search history is paused (no new entries are recorded).
    #[serde(default)]
    pub history_paused: bool,
}

/// The level after a step-up.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct StepUp {
    /// The session's level now.
    pub level: Level,
    /// Until when an L3 level lasts (RFC 3339), for face checks.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub until: Option<String>,
}

/// An organisation a person acts for.
#[derive(Debug, Clone, Serialize, ToSchema)]
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

/// Session id, account, actor, account kind, expiry, L3 until, revoked,
/// last seen, actor's level.
type SessionRow = (
    String,
    String,
    String,
    String,
    i64,
    i64,
    Option<i64>,
    i64,
    i64,
);

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
            format!("must be {MIN_PASSWORD}–{MAX_PASSWORD} characters"),
        ));
    }
    Ok(())
}

fn short(text: &str, max: usize) -> String {
    text.chars().filter(|c| !c.is_control()).take(max).collect()
}

struct AccountRow {
    id: String,
    kind: String,
    password_hash: Option<String>,
    level: i64,
    allow_password: i64,
    allow_sms: i64,
}

impl Centre {
    /// Sends a one-time code to `phone` for `purpose` (`login` or
    /// `register`). Answers the same whether or not the phone is
    /// registered; a code is only sent where it can be used. Limited to one
    /// code per phone per minute and a few per address per hour.
    pub async fn send_code(&self, phone: &str, purpose: &str, client: &Client) -> Result<()> {
        let phone = parse_phone(phone)?;
        if !matches!(purpose, "login" | "register") {
            return Err(CentreError::invalid("purpose", "must be login or register"));
        }
        let now = self.now();
        let policy = &self.policy;
        let phone_bucket = format!("code:phone:{}", digest(&phone));
        let addr_bucket = format!("code:addr:{}", client.address);
        ratelimit::check(
            &self.db,
            &phone_bucket,
            1,
            policy.code_interval_secs * 1000,
            now,
        )
        .await?;
        ratelimit::check(&self.db, &addr_bucket, 20, 3_600_000, now).await?;
        ratelimit::record(
            &self.db,
            &phone_bucket,
            policy.code_interval_secs * 1000,
            now,
        )
        .await?;
        ratelimit::record(&self.db, &addr_bucket, 3_600_000, now).await?;
        let registered = self.account_by_phone(&phone).await?.is_some();
        if registered != (purpose == "login") {
            return Ok(());
        }
        let code = new_code()?;
        sqlx::query(
            "INSERT INTO sms_codes (phone, purpose, code_hash, attempts, created_at, expires_at) \
             VALUES ($1, $2, $3, 0, $4, $5) \
             ON CONFLICT (phone, purpose) DO UPDATE SET code_hash = excluded.code_hash, \
             attempts = 0, created_at = excluded.created_at, expires_at = excluded.expires_at",
        )
        .bind(&phone)
        .bind(purpose)
        .bind(digest(&code))
        .bind(now)
        .bind(now + policy.code_ttl_secs * 1000)
        .execute(self.db.pool())
        .await?;
        self.providers.sms.send_code(&phone, &code, purpose)
    }

    /// Consumes a code: true when it matches (it can then not be used
    /// again); five wrong tries void it.
    async fn take_code(&self, phone: &str, purpose: &str, code: &str) -> Result<bool> {
        let now = self.now();
        let mut tx = self.db.begin().await?;
        let row: Option<(String, i64, i64)> = sqlx::query_as(
            "SELECT code_hash, attempts, expires_at FROM sms_codes WHERE phone = $1 AND purpose = $2",
        )
        .bind(phone)
        .bind(purpose)
        .fetch_optional(&mut *tx)
        .await?;
        let Some((hash, attempts, expires_at)) = row else {
            return Ok(false);
        };
        let ok = expires_at > now && attempts < 5 && hash == digest(code.trim());
        if ok {
            sqlx::query("DELETE FROM sms_codes WHERE phone = $1 AND purpose = $2")
                .bind(phone)
                .bind(purpose)
                .execute(&mut *tx)
                .await?;
        } else {
            sqlx::query(
                "UPDATE sms_codes SET attempts = attempts + 1 WHERE phone = $1 AND purpose = $2",
            )
            .bind(phone)
            .bind(purpose)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(ok)
    }

    async fn account_by_phone(&self, phone: &str) -> Result<Option<AccountRow>> {
        let row: Option<(String, String, Option<String>, i64, i64, i64)> = sqlx::query_as(
            "SELECT id, kind, password_hash, level, allow_password, allow_sms \
             FROM accounts WHERE phone = $1",
        )
        .bind(phone)
        .fetch_optional(self.db.pool())
        .await?;
        Ok(row.map(
            |(id, kind, password_hash, level, allow_password, allow_sms)| AccountRow {
                id,
                kind,
                password_hash,
                level,
                allow_password,
                allow_sms,
            },
        ))
    }

    /// 注册 — registers a natural person (L1) with a phone proved by a
    /// `register` code and a password, and logs them in.
    pub async fn register(
        &self,
        phone: &str,
        sms_code: &str,
        password: &str,
        client: &Client,
    ) -> Result<LoginResult> {
        let phone = parse_phone(phone)?;
        check_password_policy(password)?;
        if !self.take_code(&phone, "register", sms_code).await? {
            return Err(CentreError::BadCredentials);
        }
        if self.account_by_phone(&phone).await?.is_some() {
            return Err(CentreError::Conflict(
                "this phone number is already registered; log in instead".into(),
            ));
        }
        let hash = hash_password(password)?;
        let id = self
            .create_person(&phone, Some(&hash), Level::L1, None, false)
            .await?;
        self.open_session(&id, &id, AccountKind::Person, "sms", client, Level::L1)
            .await
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
                CentreError::Conflict("this phone number or identity is already registered".into())
            }
            _ => e.into(),
        })?;
        Ok(id)
    }

    async fn login_guard(&self, phone: &str, client: &Client) -> Result<(String, String)> {
        let now = self.now();
        let window = self.policy.rate_window_secs * 1000;
        let acct = format!("login:acct:{}", digest(phone));
        let addr = format!("login:addr:{}", client.address);
        ratelimit::check(
            &self.db,
            &acct,
            self.policy.login_failures_per_account,
            window,
            now,
        )
        .await?;
        ratelimit::check(
            &self.db,
            &addr,
            self.policy.login_failures_per_address,
            window,
            now,
        )
        .await?;
        Ok((acct, addr))
    }

    async fn login_failed(&self, buckets: &(String, String)) -> Result<CentreError> {
        let now = self.now();
        let window = self.policy.rate_window_secs * 1000;
        ratelimit::record(&self.db, &buckets.0, window, now).await?;
        ratelimit::record(&self.db, &buckets.1, window, now).await?;
        Ok(CentreError::BadCredentials)
    }

    /// 密码登录 — logs in with phone and password.
    pub async fn login_password(
        &self,
        phone: &str,
        password: &str,
        client: &Client,
    ) -> Result<LoginResult> {
        let phone = parse_phone(phone).map_err(|_| CentreError::BadCredentials)?;
        let buckets = self.login_guard(&phone, client).await?;
        let account = self.account_by_phone(&phone).await?;
        // Unknown phones cost the same hash as known ones.
        const DUMMY: &str = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$2Mgm0EM0E2aVqvMIVg0ubkVW6trn/1PGZ2EeZbfrxCM";
        let hash = account
            .as_ref()
            .and_then(|a| a.password_hash.clone())
            .unwrap_or_else(|| DUMMY.to_string());
        let password = password.to_string();
        let matches = tokio::task::spawn_blocking(move || verify_password(&password, &hash))
            .await
            .unwrap_or(false);
        let Some(account) = account.filter(|_| matches) else {
            return Err(self.login_failed(&buckets).await?);
        };
        if account.allow_password == 0 {
            return Err(CentreError::MethodNotAllowed);
        }
        ratelimit::clear(&self.db, &buckets.0).await?;
        self.open_session(
            &account.id,
            &account.id,
            AccountKind::parse(&account.kind),
            LoginMethod::Password.as_str(),
            client,
            Level::from_i64(account.level),
        )
        .await
    }

    /// 短信登录 — logs in with phone and a `login` SMS code.
    pub async fn login_sms(&self, phone: &str, code: &str, client: &Client) -> Result<LoginResult> {
        let phone = parse_phone(phone).map_err(|_| CentreError::BadCredentials)?;
        let buckets = self.login_guard(&phone, client).await?;
        let account = self.account_by_phone(&phone).await?;
        let ok = self.take_code(&phone, "login", code).await?;
        let Some(account) = account.filter(|_| ok) else {
            return Err(self.login_failed(&buckets).await?);
        };
        if account.allow_sms == 0 {
            return Err(CentreError::MethodNotAllowed);
        }
        ratelimit::clear(&self.db, &buckets.0).await?;
        self.open_session(
            &account.id,
            &account.id,
            AccountKind::parse(&account.kind),
            LoginMethod::Sms.as_str(),
            client,
            Level::from_i64(account.level),
        )
        .await
    }

    async fn open_session(
        &self,
        account_id: &str,
        actor_id: &str,
        _kind: AccountKind,
        method: &str,
        client: &Client,
        level: Level,
    ) -> Result<LoginResult> {
        let now = self.now();
        let validity: (i64,) =
            sqlx::query_as("SELECT login_validity_secs FROM accounts WHERE id = $1")
                .bind(actor_id)
                .fetch_one(self.db.pool())
                .await?;
        let expires_at = now + validity.0 * 1000;
        let token = new_token()?;
        sqlx::query(
            "INSERT INTO sessions (id, token_hash, account_id, actor_id, method, device, address, \
             created_at, last_seen_at, expires_at, elevated_until) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, $9, 0)",
        )
        .bind(new_id("ses")?)
        .bind(digest(&token))
        .bind(account_id)
        .bind(actor_id)
        .bind(method)
        .bind(short(&client.device, MAX_DEVICE))
        .bind(short(&client.address, 64))
        .bind(now)
        .bind(expires_at)
        .execute(self.db.pool())
        .await?;
        Ok(LoginResult {
            token,
            expires_at: rfc3339(expires_at),
            level,
        })
    }

    /// The subject of a bearer token, or [`CentreError::Unauthenticated`].
    pub async fn authenticate(&self, token: &str) -> Result<Subject> {
        if !token.starts_with("ys_") || token.len() != 67 {
            return Err(CentreError::Unauthenticated);
        }
        let now = self.now();
        let row: Option<SessionRow> = sqlx::query_as(
            "SELECT s.id, s.account_id, s.actor_id, a.kind, s.expires_at, s.elevated_until, \
                 s.revoked_at, s.last_seen_at, actor.level \
                 FROM sessions s JOIN accounts a ON a.id = s.account_id \
                 JOIN accounts actor ON actor.id = s.actor_id WHERE s.token_hash = $1",
        )
        .bind(digest(token))
        .fetch_optional(self.db.pool())
        .await?;
        let Some((
            session_id,
            account_id,
            actor_id,
            kind,
            expires_at,
            elevated,
            revoked,
            seen,
            level,
        )) = row
        else {
            return Err(CentreError::Unauthenticated);
        };
        if revoked.is_some() || expires_at <= now {
            return Err(CentreError::Unauthenticated);
        }
        if now - seen >= SEEN_RESOLUTION_MS {
            sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE id = $2")
                .bind(now)
                .bind(&session_id)
                .execute(self.db.pool())
                .await?;
        }
        let level = if elevated > now {
            Level::L3
        } else {
            Level::from_i64(level)
        };
        Ok(Subject {
            account_id,
            actor_id,
            kind: AccountKind::parse(&kind),
            session_id,
            level,
        })
    }

    /// 退出登录 — ends the subject's session.
    pub async fn logout(&self, subject: &Subject) -> Result<()> {
        self.revoke_session(subject, &subject.session_id).await
    }

    /// The account's live sessions, newest first.
    pub async fn sessions(&self, subject: &Subject) -> Result<Vec<SessionInfo>> {
        let now = self.now();
        let rows: Vec<(String, String, String, String, i64, i64, i64)> = sqlx::query_as(
            "SELECT id, device, address, method, created_at, last_seen_at, expires_at \
             FROM sessions WHERE account_id = $1 AND actor_id = $2 AND revoked_at IS NULL \
             AND expires_at > $3 ORDER BY created_at DESC, id",
        )
        .bind(&subject.account_id)
        .bind(&subject.actor_id)
        .bind(now)
        .fetch_all(self.db.pool())
        .await?;
        Ok(rows
            .into_iter()
            .map(
                |(id, device, address, method, created, seen, expires)| SessionInfo {
                    current: id == subject.session_id,
                    id,
                    device,
                    address,
                    method,
                    created_at: rfc3339(created),
                    last_seen_at: rfc3339(seen),
                    expires_at: rfc3339(expires),
                },
            )
            .collect())
    }

    /// Revokes one of the subject's own sessions (another's id: not found).
    pub async fn revoke_session(&self, subject: &Subject, session_id: &str) -> Result<()> {
        let now = self.now();
        let done = sqlx::query(
            "UPDATE sessions SET revoked_at = $1 WHERE id = $2 AND account_id = $3 \
             AND actor_id = $4 AND revoked_at IS NULL",
        )
        .bind(now)
        .bind(session_id)
        .bind(&subject.account_id)
        .bind(&subject.actor_id)
        .execute(self.db.pool())
        .await?;
        if done.rows_affected() == 0 {
            return Err(CentreError::NotFound("session"));
        }
        Ok(())
    }

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
                "must be from 1 to 720 hours",
            ));
        }
        if settings.login_methods.is_empty() {
            return Err(CentreError::invalid(
                "login_methods",
                "at least one login method must stay allowed",
            ));
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

    /// 实名认证 — raises the person to L2 when the name and ID number match
    /// the identity provider.
    pub async fn verify_real_name(
        &self,
        subject: &Subject,
        name: &str,
        id_number: &str,
    ) -> Result<StepUp> {
        if subject.kind != AccountKind::Person {
            return Err(CentreError::Forbidden(
                "organisations are verified through their agents".into(),
            ));
        }
        let name = text_field("name", name, 30)?;
        let id = IdNumber::parse(id_number)?;
        let Some(identity) = self.providers.identities.verify(&name, &id)? else {
            return Err(CentreError::invalid(
                "id_number",
                "the name and ID number do not match the identity record",
            ));
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
        .await
        .map_err(|e| match &e {
            sqlx::Error::Database(d) if d.is_unique_violation() => CentreError::Conflict(
                "this identity is already bound to another account".into(),
            ),
            _ => e.into(),
        })?;
        if result.rows_affected() == 0 {
            return Err(CentreError::Conflict(
                "the account is already bound to another identity".into(),
            ));
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
                "must be a face sample of at most 4,000 characters",
            ));
        }
        if !self.providers.faces.verify(&id, sample)? {
            return Err(CentreError::invalid(
                "sample",
                "the face does not match; try again",
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

    /// Registers an organisation (法人) by its unified social credit code;
    /// the L2 person registering it becomes its first agent (经办人).
    pub async fn register_organisation(
        &self,
        subject: &Subject,
        uscc: &str,
        name: &str,
    ) -> Result<Organisation> {
        if subject.kind != AccountKind::Person {
            return Err(CentreError::Forbidden(
                "only persons register organisations".into(),
            ));
        }
        if subject.level < Level::L2 {
            return Err(CentreError::StepUpRequired {
                required: Level::L2,
                current: subject.level,
            });
        }
        let uscc = parse_uscc(uscc)?;
        let name = text_field("name", name, 100)?;
        let now = self.now();
        let id = new_id("org")?;
        let mut tx = self.db.begin().await?;
        sqlx::query(
            "INSERT INTO accounts (id, kind, level, uscc, org_name, login_validity_secs, \
             allow_password, allow_sms, demo, created_at, updated_at) \
             VALUES ($1, 'organisation', 2, $2, $3, $4, 0, 0, 0, $5, $5)",
        )
        .bind(&id)
        .bind(&uscc)
        .bind(&name)
        .bind(self.policy.default_login_validity_secs)
        .bind(now)
        .execute(&mut *tx)
        .await
        .map_err(|e| match &e {
            sqlx::Error::Database(d) if d.is_unique_violation() => {
                CentreError::Conflict("this organisation is already registered".into())
            }
            _ => e.into(),
        })?;
        sqlx::query(
            "INSERT INTO org_agents (org_id, person_id, role, created_at) VALUES ($1, $2, 'agent', $3)",
        )
        .bind(&id)
        .bind(&subject.actor_id)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        audit(&mut tx, subject, "organisation.register", &id, now).await?;
        tx.commit().await?;
        Ok(Organisation {
            id,
            name,
            uscc,
            role: "agent".into(),
        })
    }

    /// The organisations the acting person is an agent of.
    pub async fn organisations(&self, subject: &Subject) -> Result<Vec<Organisation>> {
        let rows: Vec<(String, Option<String>, Option<String>, String)> = sqlx::query_as(
            "SELECT a.id, a.org_name, a.uscc, g.role FROM org_agents g \
             JOIN accounts a ON a.id = g.org_id WHERE g.person_id = $1 ORDER BY a.org_name",
        )
        .bind(&subject.actor_id)
        .fetch_all(self.db.pool())
        .await?;
        Ok(rows
            .into_iter()
            .map(|(id, name, uscc, role)| Organisation {
                id,
                name: name.unwrap_or_default(),
                uscc: uscc.unwrap_or_default(),
                role,
            })
            .collect())
    }

    /// 经办 — opens a session acting for an organisation the person is an
    /// agent of (another's or unknown id: not found).
    pub async fn act_for(
        &self,
        subject: &Subject,
        org_id: &str,
        client: &Client,
    ) -> Result<LoginResult> {
        if subject.kind != AccountKind::Person {
            return Err(CentreError::Forbidden(
                "log in as a person to act for an organisation".into(),
            ));
        }
        let agent: Option<(String,)> =
            sqlx::query_as("SELECT role FROM org_agents WHERE org_id = $1 AND person_id = $2")
                .bind(org_id)
                .bind(&subject.actor_id)
                .fetch_optional(self.db.pool())
                .await?;
        if agent.is_none() {
            return Err(CentreError::NotFound("organisation"));
        }
        let level = subject.level.min(Level::L2);
        self.open_session(
            org_id,
            &subject.actor_id,
            AccountKind::Organisation,
            "agent",
            client,
            level,
        )
        .await
    }

    /// Adds the demo organisation's agent link (demo seed).
    pub(crate) async fn link_agent(&self, org_id: &str, person_id: &str, role: &str) -> Result<()> {
        sqlx::query(
            "INSERT INTO org_agents (org_id, person_id, role, created_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (org_id, person_id) DO NOTHING",
        )
        .bind(org_id)
        .bind(person_id)
        .bind(role)
        .bind(self.now())
        .execute(self.db.pool())
        .await?;
        Ok(())
    }
}

//! 注册 and 登录 — registration with an SMS code, login by password or by SMS
//! code.
//!
//! How guessing is stopped without letting anyone lock anyone out:
//!
//! - **Reserved before the attempt.** Each attempt first reserves a place in
//!   two limits in one transaction: failures per (account, client address)
//!   ([`Policy::login_failures_per_pair`](crate::Policy)) and per client
//!   address ([`Policy::login_failures_per_address`](crate::Policy)). A
//!   burst of concurrent attempts queues on the buckets' row locks, and
//!   only as many as the limit are tried at all. A successful login gives
//!   its reservation back.
//! - **Per address, not per account.** Wrong passwords from one address
//!   throttle that address (for that account, and overall), never the
//!   account: its holder on a clean device still logs in.
//! - **An account under attack asks for more.** When an account collects
//!   [`Policy::account_attack_threshold`](crate::Policy) failures from any
//!   addresses in the window, a password login to it also needs a `login`
//!   SMS code ([`CentreError::SecondFactorRequired`], said for unknown
//!   phones too); SMS login keeps working.
//! - **Hashing a few at a time.** argon2id takes ~19 MiB and tens of
//!   milliseconds per hash: at most [`Policy::hashing_permits`](crate::Policy)
//!   run at once; others wait up to [`Policy::hashing_wait_ms`](crate::Policy)
//!   and then get [`CentreError::Busy`], so memory stays bounded.

use std::time::Duration;

use super::sessions::NewSession;
use super::{AccountRow, LoginMethod, LoginResult, check_password_policy};
use crate::error::{CentreError, Result};
use crate::identity::parse_phone;
use crate::ratelimit::{self, Limit, Reservation};
use crate::secret::{digest, hash_password, verify_password};
use crate::{Centre, Client, Level};

/// A hash of an unknown phone's "password": unknown phones cost the same
/// hash as known ones.
const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$2Mgm0EM0E2aVqvMIVg0ubkVW6trn/1PGZ2EeZbfrxCM";

/// The rate-limit buckets of a login attempt.
struct Attempt {
    /// Failures of this phone from any address.
    account: String,
    /// The reservation in the per-pair and per-address limits.
    reservation: Reservation,
}

impl Centre {
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
        let attempt = self.begin_attempt(&phone, client).await?;
        if !self.take_code(&phone, "register", sms_code).await? {
            return Err(self.failed(attempt).await);
        }
        ratelimit::release(&self.db, attempt.reservation).await?;
        if self.account_by_phone(&phone).await?.is_some() {
            return Err(CentreError::Conflict("err-already-registered".into()));
        }
        let hash = self.hash_password(password).await?;
        let id = self
            .create_person(&phone, Some(&hash), Level::L1, None, false)
            .await?;
        self.open_session(NewSession {
            account_id: &id,
            actor_id: &id,
            method: LoginMethod::Sms.as_str(),
            client,
            level: Level::L1,
            parent: None,
        })
        .await
    }

    /// 密码登录 — logs in with phone and password; `sms_code` is needed too
    /// while the account is under attack.
    pub async fn login_password(
        &self,
        phone: &str,
        password: &str,
        sms_code: Option<&str>,
        client: &Client,
    ) -> Result<LoginResult> {
        let phone = parse_phone(phone).map_err(|_| CentreError::BadCredentials)?;
        let attempt = self.begin_attempt(&phone, client).await?;
        let under_attack = self.under_attack(&attempt).await?;
        let account = self.account_by_phone(&phone).await?;
        let hash = account
            .as_ref()
            .and_then(|a| a.password_hash.clone())
            .unwrap_or_else(|| DUMMY_HASH.to_string());
        let matches = match self.check_password(password, hash).await {
            Ok(matches) => matches,
            Err(busy) => {
                ratelimit::release(&self.db, attempt.reservation).await?;
                return Err(busy);
            }
        };
        let Some(account) = account.filter(|_| matches) else {
            return Err(self.failed(attempt).await);
        };
        if under_attack {
            match sms_code {
                None => {
                    // Not a failure: the password was right.
                    ratelimit::release(&self.db, attempt.reservation).await?;
                    return Err(CentreError::SecondFactorRequired);
                }
                Some(code) if !self.take_code(&phone, "login", code).await? => {
                    return Err(self.failed(attempt).await);
                }
                Some(_) => {}
            }
        }
        self.finish_login(attempt, account, LoginMethod::Password, client)
            .await
    }

    /// 短信登录 — logs in with phone and a `login` SMS code.
    pub async fn login_sms(&self, phone: &str, code: &str, client: &Client) -> Result<LoginResult> {
        let phone = parse_phone(phone).map_err(|_| CentreError::BadCredentials)?;
        let attempt = self.begin_attempt(&phone, client).await?;
        let account = self.account_by_phone(&phone).await?;
        let ok = self.take_code(&phone, "login", code).await?;
        let Some(account) = account.filter(|_| ok) else {
            return Err(self.failed(attempt).await);
        };
        self.finish_login(attempt, account, LoginMethod::Sms, client)
            .await
    }

    /// Reserves the attempt's place in the per-(phone, address) and
    /// per-address limits, or answers 429.
    async fn begin_attempt(&self, phone: &str, client: &Client) -> Result<Attempt> {
        let now = self.now();
        let window = self.policy.rate_window_secs * 1000;
        let phone_key = digest(phone);
        let limits = [
            Limit::new(
                format!("login:pair:{phone_key}:{}", client.address),
                self.policy.login_failures_per_pair,
                window,
            ),
            Limit::new(
                format!("login:addr:{}", client.address),
                self.policy.login_failures_per_address,
                window,
            ),
        ];
        let reservation = ratelimit::reserve(&self.db, &limits, now).await?;
        Ok(Attempt {
            account: format!("login:acct:{phone_key}"),
            reservation,
        })
    }

    /// Whether the account (by phone, registered or not) collected enough
    /// failures from anywhere to count as under attack.
    async fn under_attack(&self, attempt: &Attempt) -> Result<bool> {
        let window = self.policy.rate_window_secs * 1000;
        let failures = ratelimit::count(&self.db, &attempt.account, window, self.now()).await?;
        Ok(failures >= self.policy.account_attack_threshold)
    }

    /// A failed attempt: its reservation stays (it was a failure) and the
    /// account's failure count grows. The answer is always
    /// [`CentreError::BadCredentials`] unless the database fails.
    async fn failed(&self, attempt: Attempt) -> CentreError {
        let window = self.policy.rate_window_secs * 1000;
        match ratelimit::record(&self.db, &attempt.account, window, self.now()).await {
            Ok(()) => CentreError::BadCredentials,
            Err(e) => e,
        }
    }

    /// The end of every successful login: the account must allow the method
    /// (else the same answer as a wrong password: no oracle), the
    /// reservation is given back, and a session opens.
    async fn finish_login(
        &self,
        attempt: Attempt,
        account: AccountRow,
        method: LoginMethod,
        client: &Client,
    ) -> Result<LoginResult> {
        let allowed = match method {
            LoginMethod::Password => account.allow_password != 0,
            LoginMethod::Sms => account.allow_sms != 0,
        };
        ratelimit::release(&self.db, attempt.reservation).await?;
        if !allowed {
            return Err(CentreError::BadCredentials);
        }
        self.open_session(NewSession {
            account_id: &account.id,
            actor_id: &account.id,
            method: method.as_str(),
            client,
            level: Level::from_i64(account.level),
            parent: None,
        })
        .await
    }

    /// Waits for a hashing slot (at most [`Policy::hashing_wait_ms`](crate::Policy)).
    async fn hashing_slot(&self) -> Result<tokio::sync::OwnedSemaphorePermit> {
        let wait = Duration::from_millis(self.policy.hashing_wait_ms);
        match tokio::time::timeout(wait, self.hashing.clone().acquire_owned()).await {
            Ok(Ok(permit)) => Ok(permit),
            _ => Err(CentreError::Busy {
                retry_after_secs: 1,
            }),
        }
    }

    /// Whether `password` matches `hash`, computed in a hashing slot off the
    /// async workers.
    async fn check_password(&self, password: &str, hash: String) -> Result<bool> {
        let permit = self.hashing_slot().await?;
        let password = password.to_string();
        let matches = tokio::task::spawn_blocking(move || verify_password(&password, &hash))
            .await
            .unwrap_or(false);
        drop(permit);
        Ok(matches)
    }

    /// argon2id of a new password, in a hashing slot.
    pub(crate) async fn hash_password(&self, password: &str) -> Result<String> {
        let permit = self.hashing_slot().await?;
        let password = password.to_string();
        let hash = tokio::task::spawn_blocking(move || hash_password(&password))
            .await
            .map_err(|e| CentreError::Internal(format!("hashing task: {e}")))?;
        drop(permit);
        hash
    }
}

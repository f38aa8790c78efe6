//! # yuesou-centre — the personal centre (个人中心)
//!
//! Accounts, sessions and real-name levels (认证和登录), applications with
//! flows that pause and resume (办件查询), help and feedback (帮助与反馈),
//! messages (消息提醒) and the profile (个人信息) — rules and storage, no
//! HTTP. The daemon (`yuesou-server`) turns each call into a route.
//!
//! Storage is one SQL database behind [`Db`]: an SQLite file by default,
//! PostgreSQL to share state between many daemons. Both run the same
//! migrations and the same test suite.
//!
//! ```no_run
//! # async fn demo() -> Result<(), yuesou_centre::CentreError> {
//! use std::sync::Arc;
//! use yuesou_centre::{Centre, Db, Providers, Client};
//!
//! let db = Db::open_sqlite(std::path::Path::new("yuesou-data")).await?;
//! let centre = Centre::new(db, Providers::development(
//!     std::path::Path::new("data/demo/identities.jsonl"),
//!     std::path::Path::new("yuesou-data/outbox"),
//! )?);
//! let client = Client { device: "curl".into(), address: "127.0.0.1".into() };
//! let login = centre.login_password("13800000001", "yuesou-demo", None, &client).await?;
//! let subject = centre.authenticate(&login.token).await?;
//! let profile = centre.profile(&subject).await?;
//! # let _ = profile; Ok(()) }
//! ```
//!
//! Every call that reads or changes personal data takes the authenticated
//! [`Subject`] and only ever touches rows of that subject: an id of someone
//! else's row answers [`CentreError::NotFound`], exactly like an id that
//! does not exist.

#![warn(missing_docs)]

mod accounts;
mod applications;
mod clock;
mod demo;
mod error;
mod feedback;
mod history;
mod hot;
pub mod identity;
mod messages;
pub mod notify;
mod profile;
mod ratelimit;
mod real_identity;
mod secret;
pub mod testing;
mod wallet;

use std::path::Path;
use std::sync::Arc;

pub use accounts::{
    LoginMethod, LoginResult, Organisation, Preferences, SessionInfo, Settings, StepUp, UiLang,
};
pub use applications::{
    Application, ApplicationGroup, ApplicationStatus, ApplicationSummary, ItemInfo, Progress,
    StepAnswers, TimelineEvent,
};
pub use clock::{Clock, ManualClock, SystemClock, rfc3339};
pub use demo::DemoData;
pub use error::{CentreError, Result};
pub use feedback::{Feedback, FeedbackKind, NewFeedback, Reply};
pub use history::{HISTORY_CAP, History, HistoryEntry, SearchRecord};
pub use hot::{DAY_MS, HOUR_MS, HotAction, HotBucket, HotRule, HotSighting};
pub use identity::{DemoFaces, DemoIdentities, FaceProvider, IdentityProvider};
pub use messages::{Delivery, Message, MessageList, NewBroadcast};
pub use notify::{Outbox, PushChannel, SmsProvider};
pub use profile::{ContactUpdate, PersonFacts, Profile};
pub use real_identity::{Applicant, RealIdentity};
pub use secret::{CentreKey, KEY_FILE};
pub use wallet::{
    AcceptedLicence, AddOutcome, Checked, DEFAULT_ISSUER_NAME, DEFAULT_PUBLIC_BASE, LicenceField,
    PresentOptions, PresentationView, Refusal, RefusedLicence, RequestInfo, Revocation, Validity,
    VerifiedField, VerifiedView, VerifierRequest, Wallet, WalletItem,
};
pub use yuesou_messages::Text;
pub use yuesou_store::{Backend, Db, StorageFault};

/// 登录级别 — how sure we are of who a session is: L1 registered (phone
/// bound), L2 real-name verified, L3 face-verified (for a short while after
/// the check).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Level {
    /// L1 — registered.
    L1,
    /// L2 — real-name verified (name + ID number).
    L2,
    /// L3 — face verified.
    L3,
}

impl Level {
    /// From the catalogue's `login_level` (`L1` / `L2` / `L3`).
    pub fn parse(text: &str) -> Option<Level> {
        match text {
            "L1" => Some(Level::L1),
            "L2" => Some(Level::L2),
            "L3" => Some(Level::L3),
            _ => None,
        }
    }

    fn from_i64(n: i64) -> Level {
        match n {
            3 => Level::L3,
            2 => Level::L2,
            _ => Level::L1,
        }
    }

    fn as_i64(self) -> i64 {
        match self {
            Level::L1 => 1,
            Level::L2 => 2,
            Level::L3 => 3,
        }
    }
}

impl std::fmt::Display for Level {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Level::L1 => "L1",
            Level::L2 => "L2",
            Level::L3 => "L3",
        })
    }
}

/// 自然人 or 法人和其他组织.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum AccountKind {
    /// 自然人 — a natural person.
    Person,
    /// 法人和其他组织 — an organisation, operated by its agents (经办人).
    Organisation,
}

impl AccountKind {
    fn parse(text: &str) -> AccountKind {
        if text == "organisation" {
            AccountKind::Organisation
        } else {
            AccountKind::Person
        }
    }
}

/// Who is asking: the account whose data is addressed (a person, or an
/// organisation) and the person acting (the same person, or an agent of the
/// organisation), through which session, at which level.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subject {
    /// The account whose data this session sees.
    pub account_id: String,
    /// The person acting (经办人 for an organisation).
    pub actor_id: String,
    /// Person or organisation.
    pub kind: AccountKind,
    /// The session.
    pub session_id: String,
    /// The session's level now (L3 only while a face check is fresh).
    pub level: Level,
}

/// Where a request comes from, recorded with a session.
#[derive(Debug, Clone, Default)]
pub struct Client {
    /// The device (`User-Agent`, shortened).
    pub device: String,
    /// The client's network address.
    pub address: String,
}

/// The outside services the centre uses.
#[derive(Debug, Clone)]
pub struct Providers {
    /// Sends SMS codes.
    pub sms: Arc<dyn SmsProvider>,
    /// Pushes messages (SMS / 公众号).
    pub push: Arc<dyn PushChannel>,
    /// Real-name verification.
    pub identities: Arc<dyn IdentityProvider>,
    /// Face verification.
    pub faces: Arc<dyn FaceProvider>,
    /// The time.
    pub clock: Arc<dyn Clock>,
}

impl Providers {
    /// The development providers: demo identities from `identities`, SMS
    /// and pushes into the outbox directory `outbox`, deterministic face
    /// checks, the system clock.
    pub fn development(identities: &Path, outbox: &Path) -> Result<Providers> {
        Ok(Providers {
            identities: Arc::new(DemoIdentities::load(identities)?),
            ..Providers::development_without_identities(outbox)
        })
    }

    /// The development providers with an identity provider that knows
    /// nobody.
    pub fn development_without_identities(outbox: &Path) -> Providers {
        let outbox = Arc::new(Outbox::new(outbox));
        Providers {
            sms: outbox.clone(),
            push: outbox,
            identities: Arc::new(DemoIdentities::default()),
            faces: Arc::new(DemoFaces),
            clock: Arc::new(SystemClock),
        }
    }
}

/// Limits and lifetimes of the centre's rules.
#[derive(Debug, Clone)]
pub struct Policy {
    /// Default login validity (登录有效期) of new accounts, in seconds.
    pub default_login_validity_secs: i64,
    /// How long a face check (L3) lasts, in seconds.
    pub step_up_secs: i64,
    /// How long an SMS code is valid, in seconds.
    pub code_ttl_secs: i64,
    /// Failed logins allowed per (account, client address) in the window:
    /// past it, that address is throttled for that account only — the
    /// account holder elsewhere is not locked out.
    pub login_failures_per_pair: usize,
    /// Failed logins allowed per client address in the window (over every
    /// account it tries).
    pub login_failures_per_address: usize,
    /// Failed logins per account in the window, from any address, past
    /// which the account counts as under attack: a password login then also
    /// needs an SMS code.
    pub account_attack_threshold: usize,
    /// Wrong tries of one SMS code, from every address together, before it
    /// is void.
    pub code_attempts: usize,
    /// Password hashes computed at once (argon2id takes ~19 MiB each);
    /// more wait in a queue.
    pub hashing_permits: usize,
    /// How long a login waits for a hashing slot before answering busy.
    pub hashing_wait_ms: u64,
    /// The rate-limit window, in seconds.
    pub rate_window_secs: i64,
    /// Seconds between two codes sent to one phone.
    pub code_interval_secs: i64,
    /// Questions and complaints (帮助与反馈) one account may submit per hour.
    pub feedback_per_hour: usize,
    /// Presentations (核验) one client address may have verified per minute.
    pub verify_per_minute: usize,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            default_login_validity_secs: 7 * 24 * 3600,
            step_up_secs: 15 * 60,
            code_ttl_secs: 5 * 60,
            login_failures_per_pair: 5,
            login_failures_per_address: 30,
            account_attack_threshold: 20,
            code_attempts: 20,
            hashing_permits: std::thread::available_parallelism()
                .map_or(2, usize::from)
                .clamp(1, 8),
            hashing_wait_ms: 3_000,
            rate_window_secs: 15 * 60,
            code_interval_secs: 60,
            feedback_per_hour: 20,
            verify_per_minute: 120,
        }
    }
}

/// The personal centre: storage plus providers. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Centre {
    db: Db,
    providers: Providers,
    policy: Arc<Policy>,
    wallet: Option<wallet::Wallet>,
    hot_secret: Arc<SharedSecret>,
    key: CentreKey,
    hashing: Arc<tokio::sync::Semaphore>,
}

/// A secret read once from the database; never printed.
#[derive(Default)]
struct SharedSecret(tokio::sync::OnceCell<String>);

impl std::fmt::Debug for SharedSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SharedSecret(..)")
    }
}

impl std::ops::Deref for SharedSecret {
    type Target = tokio::sync::OnceCell<String>;

    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl Centre {
    /// A centre over `db` with `providers` and the default [`Policy`].
    pub fn new(db: Db, providers: Providers) -> Centre {
        Centre::with_policy(db, providers, Policy::default())
    }

    /// A centre with its own policy. Short secrets are keyed with a random
    /// key of this process until [`Centre::with_key`] sets the server's.
    pub fn with_policy(db: Db, providers: Providers, policy: Policy) -> Centre {
        // Without the operating system's randomness nothing here is secure
        // (tokens, codes, ids all need it): fail loudly at construction.
        #[allow(clippy::expect_used)]
        let key = CentreKey::random().expect("the operating system's random source");
        Centre {
            db,
            providers,
            hashing: Arc::new(tokio::sync::Semaphore::new(policy.hashing_permits.max(1))),
            policy: Arc::new(policy),
            wallet: None,
            hot_secret: Arc::default(),
            key,
        }
    }

    /// This centre with the server secret `key` (every replica sharing the
    /// database must have the same: [`Centre::check_key`]).
    pub fn with_key(mut self, key: CentreKey) -> Centre {
        self.key = key;
        self
    }

    /// Checks that this centre's key is the one the database was first
    /// used with (recorded as a keyed check value on first use): replicas
    /// with different keys could not verify each other's codes. Fails with
    /// [`CentreError::Internal`] naming the fix.
    pub async fn check_key(&self) -> Result<()> {
        let check = self.key.hash(&["centre-key-check"]);
        sqlx::query(
            "INSERT INTO centre_secrets (name, value) VALUES ('centre_key_check', $1) \
             ON CONFLICT (name) DO NOTHING",
        )
        .bind(&check)
        .execute(self.db.pool())
        .await?;
        let (stored,): (String,) =
            sqlx::query_as("SELECT value FROM centre_secrets WHERE name = 'centre_key_check'")
                .fetch_one(self.db.pool())
                .await?;
        if stored != check {
            return Err(CentreError::Internal(
                "this daemon's centre secret differs from the one this database was set up \
                 with: give every replica the same YUESOU_CENTRE_SECRET (or the same \
                 secrets/centre.key)"
                    .into(),
            ));
        }
        Ok(())
    }

    /// Forgets what is no longer needed: rate-limit events and buckets past
    /// every window, presentations' tokens waiting for a verifier once they
    /// expired. Run hourly (with the hot-search pruning).
    pub async fn housekeeping(&self, now_ms: i64) -> Result<()> {
        ratelimit::prune(&self.db, now_ms).await?;
        if self.wallet.is_some() {
            self.sweep_challenges(now_ms).await?;
        }
        Ok(())
    }

    /// A 32-byte key for another purpose (`label`: `booking-check-in` …),
    /// derived from the server's key, so that replicas sharing the centre's
    /// secret agree on it and nothing else needs keeping.
    pub fn derived_key(&self, label: &str) -> [u8; 32] {
        let hex_text = self.key.hash(&["derived-key", label]);
        let mut out = [0u8; 32];
        // The hash is 64 hex digits: always decodes to 32 bytes.
        if hex::decode_to_slice(&hex_text, &mut out).is_err() {
            tracing::error!("derived key: the keyed hash was not 64 hex digits");
        }
        out
    }

    /// The database.
    pub fn db(&self) -> &Db {
        &self.db
    }

    /// The policy in force.
    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    fn now(&self) -> i64 {
        self.providers.clock.now_ms()
    }
}

/// Words stored for a person to read later: a platform message (its id
/// and arguments, rendered in each reader's language when read), or text
/// someone wrote (a department's note, an operator's notice), shown as
/// written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Said {
    /// A platform message.
    Text(Text),
    /// Text a person or department wrote.
    Written(String),
}

impl Said {
    /// The two columns it is stored in: the written text (empty for a
    /// message) and the message as JSON (none for written text).
    pub(crate) fn columns(&self) -> (&str, Option<String>) {
        match self {
            Said::Text(text) => ("", Some(text.to_json())),
            Said::Written(words) => (words.as_str(), None),
        }
    }

    /// From its two columns.
    pub(crate) fn from_columns(written: String, text: Option<&str>) -> Said {
        match text.and_then(Text::from_json) {
            Some(text) => Said::Text(text),
            None => Said::Written(written),
        }
    }

    /// The written words, or the message's Chinese when no catalogue renders
    /// it (empty: the daemon renders every message).
    pub fn written(&self) -> &str {
        match self {
            Said::Text(_) => "",
            Said::Written(words) => words,
        }
    }

    /// The message, when it is one.
    pub fn text(&self) -> Option<&Text> {
        match self {
            Said::Text(text) => Some(text),
            Said::Written(_) => None,
        }
    }
}

impl From<Text> for Said {
    fn from(text: Text) -> Said {
        Said::Text(text)
    }
}

/// Length of `text` in characters.
fn char_len(text: &str) -> usize {
    text.chars().count()
}

/// Checks a free-text field: trimmed, 1..=max characters, no control
/// characters but newlines and tabs.
fn text_field(field: &'static str, text: &str, max: usize) -> Result<String> {
    // The length as sent (what the OpenAPI document's maxLength says), then
    // the text without surrounding white space.
    let (raw, sent) = (text, char_len(text));
    let text = text.trim();
    if text.is_empty() {
        return Err(CentreError::invalid(field, Text::new("err-empty")));
    }
    if sent > max {
        return Err(CentreError::invalid(
            field,
            Text::new("err-too-long").arg("max", max),
        ));
    }
    if raw
        .chars()
        .any(|c| (c.is_control() && c != '\n' && c != '\t') || is_bidi_control(c))
    {
        return Err(CentreError::invalid(
            field,
            Text::new("err-control-characters"),
        ));
    }
    Ok(text.to_string())
}

/// Unicode's bidirectional controls (embeddings, overrides, isolates,
/// marks): text holding them can display in another order than it is
/// stored — a reversed banned word shown as the word itself.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}')
}

/// Records who did what for an account (the 经办人 of an organisation
/// included).
async fn audit(
    tx: &mut yuesou_store::Tx,
    subject: &Subject,
    action: &str,
    target: &str,
    at: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO audit_log (id, account_id, actor_id, action, target, at) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(secret::new_id("aud")?)
    .bind(&subject.account_id)
    .bind(&subject.actor_id)
    .bind(action)
    .bind(target)
    .bind(at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

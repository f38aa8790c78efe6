//! 我的证照 — the wallet's rules and storage: licences are added only from
//! the issuer, by the account's own verified identity (a person's ID
//! number at L2, an organisation's credit code), listed masked with their
//! validity, shown in full only at L3, deleted, and presented as SD-JWTs
//! (RFC 9901) that verifiers check offline against the published keys and
//! status list — and online here.
//!
//! - this module — the wallet's set-up, listing, adding, viewing, deleting;
//! - `present` — presentations: to a verifier's request (its audience and
//!   nonce), or as a one-time QR code a verifier redeems; each gets its own
//!   index in the status list;
//! - `verify` — checking presentations online (audience, nonce used once,
//!   status), redeeming QR codes, verifiers' requests and their answers,
//!   the signed status list;
//! - `revoke` — the issuer's revocation, keyed to the licence itself.
//!
//! Licence types, issuers, keys and the token format live in
//! `yuesou-wallet`; this module is what ties them to a person.

mod issue;
mod present;
mod revoke;
mod verify;

pub use present::{PresentOptions, PresentationView, RequestInfo, VerifierRequest};
pub use revoke::Revocation;
pub use verify::{Checked, Refusal, VerifiedField, VerifiedView};

use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use serde::Serialize;
use yuesou_wallet::time::{Date, OffsetDateTime};
use yuesou_wallet::{
    Issuer, Jwks, KeyStore, Licence, LicenceKind, LicenceStatus, LicenceType, LicenceTypes,
};

use crate::error::{CentreError, Result};
pub(crate) use crate::secret::new_id;
use crate::{AccountKind, Centre, Level, Subject, audit, rfc3339};
use yuesou_messages::Text;

/// What the wallet needs: the licence types, the issuer, the signing keys,
/// and where it is published.
#[derive(Clone)]
pub struct Wallet {
    types: Arc<LicenceTypes>,
    issuer: Arc<dyn Issuer>,
    keys: Arc<RwLock<KeyStore>>,
    /// When the key files were last re-read (see [`Wallet::reload_keys`]).
    reloaded: Arc<Mutex<Option<Instant>>>,
    /// The public address of the API (status list URI, QR links, the
    /// audience of redeemed presentations), without a trailing `/`.
    public_base: Arc<str>,
    /// The issuer's name people read (发证平台).
    issuer_name: Arc<str>,
    /// The signed status list, cached for a few seconds.
    status_cache: Arc<Mutex<Option<(Instant, String)>>>,
}

/// Default public address of the API.
pub const DEFAULT_PUBLIC_BASE: &str = "http://127.0.0.1:8700";
/// Default name of the issuing platform, as people read it.
pub const DEFAULT_ISSUER_NAME: &str = "广东省电子证照平台（粤搜）";

/// Least time between two re-reads of the key files prompted by tokens
/// with an unknown key id (a forger cannot make every request read disk).
const KEY_RELOAD_INTERVAL: Duration = Duration::from_secs(5);

impl std::fmt::Debug for Wallet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Wallet")
            .field("types", &self.types.len())
            .field("issuer", &self.issuer.name())
            .finish_non_exhaustive()
    }
}

impl Wallet {
    /// A wallet of `types`, fed by `issuer`, signing with `keys`, published
    /// at [`DEFAULT_PUBLIC_BASE`].
    pub fn new(types: LicenceTypes, issuer: Arc<dyn Issuer>, keys: KeyStore) -> Wallet {
        Wallet {
            types: Arc::new(types),
            issuer,
            keys: Arc::new(RwLock::new(keys)),
            reloaded: Arc::new(Mutex::new(None)),
            public_base: Arc::from(DEFAULT_PUBLIC_BASE),
            issuer_name: Arc::from(DEFAULT_ISSUER_NAME),
            status_cache: Arc::new(Mutex::new(None)),
        }
    }

    /// This wallet published at `base` (`https://gd.example`): the status
    /// list's URI and the links in QR codes start with it.
    pub fn with_public_base(mut self, base: &str) -> Wallet {
        self.public_base = Arc::from(base.trim_end_matches('/'));
        self
    }

    /// This wallet's issuer named `name` for people (shown by verifiers).
    pub fn with_issuer_name(mut self, name: &str) -> Wallet {
        self.issuer_name = Arc::from(name);
        self
    }

    /// The URI of the status list.
    pub fn status_list_uri(&self) -> String {
        format!("{}/api/v1/wallet/status-list", self.public_base)
    }

    /// The audience of presentations shown as a one-time QR code and
    /// redeemed online.
    pub fn redeem_audience(&self) -> String {
        format!("{}/api/v1/wallet/redeem", self.public_base)
    }

    /// The licence types.
    pub fn types(&self) -> &LicenceTypes {
        &self.types
    }

    /// The issuer's published keys (current and retained).
    pub fn jwks(&self) -> Jwks {
        self.keys.read().unwrap_or_else(|p| p.into_inner()).jwks()
    }

    /// Re-reads the key files when a token names a key this process does
    /// not know — a replica sharing the key directory may have rotated —
    /// at most once per [`KEY_RELOAD_INTERVAL`]. Returns whether it did.
    fn reload_keys(&self) -> bool {
        {
            let mut last = self.reloaded.lock().unwrap_or_else(|p| p.into_inner());
            if last.is_some_and(|at| at.elapsed() < KEY_RELOAD_INTERVAL) {
                return false;
            }
            *last = Some(Instant::now());
        }
        let mut keys = self.keys.write().unwrap_or_else(|p| p.into_inner());
        match keys.reload() {
            Ok(()) => true,
            Err(e) => {
                tracing::warn!(error = %e, "cannot re-read the wallet keys");
                false
            }
        }
    }

    /// Drops the cached status list (a presentation was voided).
    fn forget_status_list(&self) {
        *self.status_cache.lock().unwrap_or_else(|p| p.into_inner()) = None;
    }

    /// Rotates the signing key (old keys stay for verification until their
    /// tokens expire); returns the new key id.
    pub fn rotate_key(&self) -> Result<String> {
        self.keys
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .rotate()
            .map_err(|e| CentreError::Internal(format!("key rotation: {e}")))
    }
}

/// Validity of a licence today, for display.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Validity {
    /// 长期有效
    NoExpiry,
    /// 有效
    Valid,
    /// 即将到期 — show the renewal service.
    Expiring,
    /// 已过期
    Expired,
}

/// A field of a licence as shown.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LicenceField {
    /// Claim name (use it in `disclose`).
    pub name: String,
    /// Chinese label.
    pub label: String,
    /// The value (masked when `masked`).
    pub value: String,
    /// Whether the field is sensitive.
    pub sensitive: bool,
    /// Whether the value is masked in this view.
    pub masked: bool,
}

/// A licence in the wallet.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WalletItem {
    /// Opaque id of the wallet entry (present, view, delete with it).
    pub id: String,
    /// Licence type code (`driving_licence` …).
    #[serde(rename = "type")]
    pub type_code: String,
    /// Its Chinese name (驾驶证 …).
    pub type_name: String,
    /// `card` (卡证类), `certificate` (证明类) or `organisation` (法人证照).
    pub kind: String,
    /// Licence number, masked in lists.
    pub number: String,
    /// 发证机关
    pub authority: String,
    /// 签发日期 (`YYYY-MM-DD`).
    pub issued_on: String,
    /// 有效期至 (`YYYY-MM-DD`), absent when it does not expire.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires_on: Option<String>,
    /// Validity today.
    pub validity: Validity,
    /// Days until expiry (negative once expired), when it expires.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub days_left: Option<i64>,
    /// The catalogue item for renewing it, when it is expiring or expired.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub renewal_service: Option<String>,
    /// Catalogue items this licence is for (相关服务).
    pub related_services: Vec<String>,
    /// Fields (masked unless the full view was asked for at L3).
    pub fields: Vec<LicenceField>,
    /// Whether the issuer revoked it (presentations then fail).
    pub revoked: bool,
    /// When it was added (RFC 3339).
    pub added_at: String,
}

fn to_date(d: Date) -> String {
    d.to_string()
}

fn kind_name(kind: LicenceKind) -> &'static str {
    match kind {
        LicenceKind::Card => "card",
        LicenceKind::Certificate => "certificate",
        LicenceKind::Organisation => "organisation",
    }
}

fn today(now_ms: i64) -> Date {
    crate::clock::date_of(now_ms)
}

fn now_time(now_ms: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(now_ms) * 1_000_000)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

fn view(
    id: String,
    licence: &Licence,
    ty: &LicenceType,
    full: bool,
    revoked: bool,
    added_at: i64,
    now_ms: i64,
) -> WalletItem {
    let today = today(now_ms);
    let (validity, days_left) = match licence.status(today, ty) {
        LicenceStatus::NoExpiry => (Validity::NoExpiry, None),
        LicenceStatus::Valid { days_left } => (Validity::Valid, Some(days_left)),
        LicenceStatus::Expiring { days_left } => (Validity::Expiring, Some(days_left)),
        LicenceStatus::Expired { days_ago } => (Validity::Expired, Some(-days_ago)),
    };
    let fields = if full {
        licence.full_fields(ty)
    } else {
        licence.masked_fields(ty)
    };
    WalletItem {
        id,
        type_code: ty.code.clone(),
        type_name: ty.name.clone(),
        kind: kind_name(ty.kind).into(),
        number: if full {
            licence.number.clone()
        } else {
            yuesou_wallet::mask(&licence.number)
        },
        authority: licence.authority.clone(),
        issued_on: to_date(licence.issued_on),
        expires_on: licence.expires_on.map(to_date),
        validity,
        days_left,
        renewal_service: matches!(validity, Validity::Expiring | Validity::Expired)
            .then(|| ty.renewal_service.clone())
            .flatten(),
        related_services: ty.related_services.clone(),
        fields: fields
            .into_iter()
            .map(|f| LicenceField {
                name: f.name,
                label: f.label,
                value: f.value,
                sensitive: f.sensitive,
                masked: f.masked,
            })
            .collect(),
        revoked,
        added_at: rfc3339(added_at),
    }
}

/// A wallet entry as stored.
#[derive(Debug, sqlx::FromRow)]
struct EntryRow {
    id: String,
    type_code: String,
    number: String,
    licence_json: String,
    added_at: i64,
    /// Whether the issuer revoked the licence (from `licence_revocations`).
    revoked: i64,
}

/// The columns of [`EntryRow`], with the licence's revocation joined in.
const ENTRY_COLUMNS: &str = "e.id, e.type_code, e.number, e.licence_json, e.added_at, \
     CASE WHEN r.number IS NULL THEN 0 ELSE 1 END AS revoked \
     FROM wallet_entries e LEFT JOIN licence_revocations r \
     ON r.type_code = e.type_code AND r.number = e.number";

/// What adding licences did.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AddOutcome {
    /// The wallet after adding.
    pub items: Vec<WalletItem>,
    /// How many licences were added now.
    pub added: usize,
    /// Licences the issuer holds that were not added, and why.
    pub refused: Vec<RefusedLicence>,
}

/// A licence that could not be added.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RefusedLicence {
    /// Licence type code.
    #[serde(rename = "type")]
    pub type_code: String,
    /// Its Chinese name.
    pub type_name: String,
    /// Why: `revoked` (the issuer revoked it).
    pub reason: String,
}

impl Centre {
    /// This centre with a wallet.
    pub fn with_wallet(mut self, wallet: Wallet) -> Centre {
        self.wallet = Some(wallet);
        self
    }

    /// The wallet, if configured.
    pub fn wallet(&self) -> Result<&Wallet> {
        self.wallet.as_ref().ok_or(CentreError::WalletDisabled)
    }

    /// Whose licences the subject may add: a person's verified ID number
    /// (L2 needed), an organisation's credit code.
    async fn holder(&self, subject: &Subject) -> Result<String> {
        let (id_number, uscc): (Option<String>, Option<String>) =
            sqlx::query_as("SELECT id_number, uscc FROM accounts WHERE id = $1")
                .bind(&subject.account_id)
                .fetch_one(self.db.pool())
                .await?;
        let holder = match subject.kind {
            AccountKind::Person => id_number,
            AccountKind::Organisation => uscc,
        };
        match holder {
            Some(h) if subject.level >= Level::L2 => Ok(h),
            _ => Err(CentreError::StepUpRequired {
                required: Level::L2,
                current: subject.level,
            }),
        }
    }

    /// Whether the issuer revoked the licence `(type_code, number)`.
    pub(crate) async fn licence_revoked(&self, type_code: &str, number: &str) -> Result<bool> {
        let row: Option<(String,)> = sqlx::query_as(
            "SELECT number FROM licence_revocations WHERE type_code = $1 AND number = $2",
        )
        .bind(type_code)
        .bind(number)
        .fetch_optional(self.db.pool())
        .await?;
        Ok(row.is_some())
    }

    /// Licences the issuer holds for the subject that are not in the wallet
    /// yet (masked), revoked ones flagged (they cannot be added).
    pub async fn wallet_available(&self, subject: &Subject) -> Result<Vec<WalletItem>> {
        let wallet = self.wallet()?;
        let holder = self.holder(subject).await?;
        let have: Vec<(String, String)> =
            sqlx::query_as("SELECT type_code, number FROM wallet_entries WHERE account_id = $1")
                .bind(&subject.account_id)
                .fetch_all(self.db.pool())
                .await?;
        let now = self.now();
        let licences = wallet
            .issuer
            .licences_for(&holder)
            .map_err(|e| CentreError::Provider(format!("issuer: {e}")))?;
        let mut items = Vec::new();
        for l in licences
            .iter()
            .filter(|l| !have.contains(&(l.type_code.clone(), l.number.clone())))
        {
            let Some(ty) = wallet.types.get(&l.type_code) else {
                continue;
            };
            let revoked = self.licence_revoked(&l.type_code, &l.number).await?;
            items.push(view(String::new(), l, ty, false, revoked, now, now));
        }
        Ok(items)
    }

    /// 添加证照 — adds the subject's licences from the issuer (all of them,
    /// or those of `types`); licences already there stay as they are, and
    /// licences the issuer revoked are refused (deleting a revoked licence
    /// and adding it again does not bring it back).
    pub async fn wallet_add(
        &self,
        subject: &Subject,
        types: Option<&[String]>,
    ) -> Result<AddOutcome> {
        let wallet = self.wallet()?;
        if let Some(unknown) = types
            .into_iter()
            .flatten()
            .find(|t| wallet.types.get(t).is_none())
        {
            return Err(CentreError::invalid(
                "types",
                Text::new("err-unknown-licence-type").arg("type", unknown.as_str()),
            ));
        }
        let holder = self.holder(subject).await?;
        let licences = wallet
            .issuer
            .licences_for(&holder)
            .map_err(|e| CentreError::Provider(format!("issuer: {e}")))?;
        let now = self.now();
        let mut added = 0;
        let mut refused = Vec::new();
        // Revocations are read before the transaction: SQLite's one
        // connection is the transaction's while it is open.
        let mut wanted = Vec::new();
        for licence in licences
            .iter()
            .filter(|l| types.is_none_or(|t| t.contains(&l.type_code)))
        {
            let revoked = self
                .licence_revoked(&licence.type_code, &licence.number)
                .await?;
            wanted.push((licence, revoked));
        }
        let mut tx = self.db.begin().await?;
        for (licence, revoked) in wanted {
            if revoked {
                refused.push(RefusedLicence {
                    type_code: licence.type_code.clone(),
                    type_name: wallet
                        .types
                        .get(&licence.type_code)
                        .map(|t| t.name.clone())
                        .unwrap_or_default(),
                    reason: "revoked".into(),
                });
                continue;
            }
            let json = serde_json::to_string(licence)
                .map_err(|e| CentreError::Internal(format!("licence record: {e}")))?;
            let done = sqlx::query(
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
            added += usize::try_from(done.rows_affected()).unwrap_or(0);
        }
        audit(&mut tx, subject, "wallet.add", &holder_kind(subject), now).await?;
        tx.commit().await?;
        Ok(AddOutcome {
            items: self.wallet_list(subject).await?,
            added,
            refused,
        })
    }

    async fn entries(&self, subject: &Subject, id: Option<&str>) -> Result<Vec<EntryRow>> {
        let rows = match id {
            Some(id) => {
                sqlx::query_as(&format!(
                    "SELECT {ENTRY_COLUMNS} WHERE e.account_id = $1 AND e.id = $2"
                ))
                .bind(&subject.account_id)
                .bind(id)
                .fetch_all(self.db.pool())
                .await?
            }
            None => {
                sqlx::query_as(&format!(
                    "SELECT {ENTRY_COLUMNS} WHERE e.account_id = $1 ORDER BY e.added_at, e.id"
                ))
                .bind(&subject.account_id)
                .fetch_all(self.db.pool())
                .await?
            }
        };
        Ok(rows)
    }

    /// One entry of the subject's, or not found.
    async fn entry(&self, subject: &Subject, id: &str) -> Result<EntryRow> {
        self.entries(subject, Some(id))
            .await?
            .into_iter()
            .next()
            .ok_or(CentreError::NotFound("licence"))
    }

    fn parse_entry<'w>(wallet: &'w Wallet, row: &EntryRow) -> Result<(Licence, &'w LicenceType)> {
        let licence: Licence = serde_json::from_str(&row.licence_json)
            .map_err(|e| CentreError::Internal(format!("stored licence: {e}")))?;
        let ty = wallet.types.get(&row.type_code).ok_or_else(|| {
            CentreError::Internal(format!("unknown licence type {}", row.type_code))
        })?;
        Ok((licence, ty))
    }

    /// The subject's wallet: cards first, then certificates, each masked,
    /// expiring ones flagged.
    pub async fn wallet_list(&self, subject: &Subject) -> Result<Vec<WalletItem>> {
        let wallet = self.wallet()?;
        let now = self.now();
        let mut items = Vec::new();
        for row in self.entries(subject, None).await? {
            let (licence, ty) = Self::parse_entry(wallet, &row)?;
            items.push(view(
                row.id.clone(),
                &licence,
                ty,
                false,
                row.revoked != 0,
                row.added_at,
                now,
            ));
        }
        items.sort_by_key(|i| match i.kind.as_str() {
            "card" => 0,
            "organisation" => 1,
            _ => 2,
        });
        Ok(items)
    }

    /// One licence: masked, or in full (needs L3: a fresh face check).
    pub async fn wallet_item(&self, subject: &Subject, id: &str, full: bool) -> Result<WalletItem> {
        let wallet = self.wallet()?;
        let row = self.entry(subject, id).await?;
        if full && subject.level < Level::L3 {
            return Err(CentreError::StepUpRequired {
                required: Level::L3,
                current: subject.level,
            });
        }
        let (licence, ty) = Self::parse_entry(wallet, &row)?;
        Ok(view(
            row.id.clone(),
            &licence,
            ty,
            full,
            row.revoked != 0,
            row.added_at,
            self.now(),
        ))
    }

    /// Removes a licence from the wallet; its live presentations are voided
    /// (their status-list bits set), so they stop verifying.
    pub async fn wallet_delete(&self, subject: &Subject, id: &str) -> Result<()> {
        let now = self.now();
        let mut tx = self.db.begin().await?;
        let done = sqlx::query("DELETE FROM wallet_entries WHERE id = $1 AND account_id = $2")
            .bind(id)
            .bind(&subject.account_id)
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() == 0 {
            return Err(CentreError::NotFound("licence"));
        }
        sqlx::query(
            "UPDATE presentations SET voided_at = $1 WHERE entry_id = $2 AND voided_at IS NULL",
        )
        .bind(now)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        audit(&mut tx, subject, "wallet.delete", id, now).await?;
        tx.commit().await?;
        if let Ok(wallet) = self.wallet() {
            wallet.forget_status_list();
        }
        Ok(())
    }

    /// Licence types whose related services include `item_id` or a city
    /// variant of it (same id up to the region suffix): the licences a
    /// service item accepts.
    pub fn licences_for_item(&self, item_id: &str) -> Vec<AcceptedLicence> {
        let Ok(wallet) = self.wallet() else {
            return Vec::new();
        };
        let family = |id: &str| {
            id.rsplit_once('-')
                .map(|(f, _)| f.to_string())
                .unwrap_or_default()
        };
        let wanted = family(item_id);
        let same = |s: &String| s == item_id || (!wanted.is_empty() && family(s) == wanted);
        wallet
            .types
            .iter()
            .filter_map(|t| {
                let renewal = t.renewal_service.iter().any(same);
                (renewal || t.related_services.iter().any(same)).then(|| AcceptedLicence {
                    type_code: t.code.clone(),
                    name: t.name.clone(),
                    kind: format!("{:?}", t.kind).to_lowercase(),
                    renewal,
                })
            })
            .collect()
    }
}

/// A licence type a service item accepts or renews (相关证照).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AcceptedLicence {
    /// Licence type code (`driving_licence` …).
    #[serde(rename = "type")]
    pub type_code: String,
    /// Its Chinese name (驾驶证 …).
    pub name: String,
    /// `card`, `certificate` or `organisation`.
    pub kind: String,
    /// Whether the item is this licence's renewal (换证) service.
    pub renewal: bool,
}

fn holder_kind(subject: &Subject) -> String {
    match subject.kind {
        AccountKind::Person => "person".into(),
        AccountKind::Organisation => "organisation".into(),
    }
}

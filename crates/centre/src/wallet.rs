//! 我的证照 — the wallet's rules and storage: licences are added only from
//! the issuer, by the account's own verified identity (a person's ID
//! number at L2, an organisation's credit code), listed masked with their
//! validity, shown in full only at L3, deleted, and presented as SD-JWTs
//! (RFC 9901) that verifiers check offline against the published keys — and
//! online here, where a presentation of a deleted or revoked licence fails.
//!
//! Licence types, issuers, keys and the token format live in
//! `yuesou-wallet`; this module is what ties them to a person.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use serde::Serialize;
use utoipa::ToSchema;
use yuesou_wallet::time::{Date, OffsetDateTime};
use yuesou_wallet::{
    Issuer, Jwks, KeyStore, Licence, LicenceKind, LicenceStatus, LicenceType, LicenceTypes,
    PresentRequest, VerifyError, WalletError,
};

use crate::error::{CentreError, Result};
use crate::secret::new_id;
use crate::{AccountKind, Centre, Client, Level, Subject, audit, ratelimit, rfc3339};

/// What the wallet needs: the licence types, the issuer, the signing keys.
#[derive(Clone)]
pub struct Wallet {
    types: Arc<LicenceTypes>,
    issuer: Arc<dyn Issuer>,
    keys: Arc<RwLock<KeyStore>>,
    /// When the key files were last re-read (see [`Wallet::reload_keys`]).
    reloaded: Arc<Mutex<Option<Instant>>>,
}

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
    /// A wallet of `types`, fed by `issuer`, signing with `keys`.
    pub fn new(types: LicenceTypes, issuer: Arc<dyn Issuer>, keys: KeyStore) -> Wallet {
        Wallet {
            types: Arc::new(types),
            issuer,
            keys: Arc::new(RwLock::new(keys)),
            reloaded: Arc::new(Mutex::new(None)),
        }
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
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
#[derive(Debug, Clone, Serialize, ToSchema)]
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
#[derive(Debug, Clone, Serialize, ToSchema)]
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

/// A presentation (出示码): the token, its expiry and its QR code.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PresentationView {
    /// The SD-JWT with key binding (RFC 9901), `~`-separated.
    pub token: String,
    /// When it expires (RFC 3339); refresh the QR code before.
    pub expires_at: String,
    /// The token as a QR code (SVG).
    pub qr_svg: String,
    /// The fields disclosed.
    pub disclosed: Vec<String>,
}

/// What a verifier learns from a valid presentation.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct VerifiedView {
    /// Always true in a success answer.
    pub valid: bool,
    /// Licence type code.
    #[serde(rename = "type")]
    pub type_code: String,
    /// Its Chinese name.
    pub type_name: String,
    /// The issuer (`iss`).
    pub issuer: String,
    /// The key that signed it.
    pub kid: String,
    /// Whether the licence itself was unexpired when presented.
    pub licence_valid: bool,
    /// Only the disclosed fields.
    pub fields: BTreeMap<String, String>,
    /// When the presentation expires (RFC 3339).
    pub expires_at: String,
}

/// Why a presentation was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// Not a presentation at all, or too large.
    Malformed(String),
    /// Past its expiry.
    Expired(String),
    /// Forged, changed, signed by an unknown key or with a broken key binding.
    Invalid(String),
    /// The licence was deleted from the wallet or revoked by its issuer.
    Revoked,
    /// A field the verifier requires was not disclosed.
    NotDisclosed(String),
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

type EntryRow = (String, String, String, i64, Option<i64>);

impl Centre {
    /// This centre with a wallet.
    pub fn with_wallet(mut self, wallet: Wallet) -> Centre {
        self.wallet = Some(wallet);
        self
    }

    /// The wallet, if configured.
    pub fn wallet(&self) -> Result<&Wallet> {
        self.wallet
            .as_ref()
            .ok_or_else(|| CentreError::Provider("this daemon runs without the wallet".into()))
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

    /// Licences the issuer holds for the subject that are not in the wallet
    /// yet (masked).
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
        Ok(licences
            .iter()
            .filter(|l| !have.contains(&(l.type_code.clone(), l.number.clone())))
            .filter_map(|l| {
                let ty = wallet.types.get(&l.type_code)?;
                Some(view(String::new(), l, ty, false, false, now, now))
            })
            .collect())
    }

    /// 添加证照 — adds the subject's licences from the issuer (all of them,
    /// or those of `types`); licences already there stay as they are.
    /// Returns the wallet after adding.
    pub async fn wallet_add(
        &self,
        subject: &Subject,
        types: Option<&[String]>,
    ) -> Result<Vec<WalletItem>> {
        let wallet = self.wallet()?;
        if let Some(unknown) = types
            .into_iter()
            .flatten()
            .find(|t| wallet.types.get(t).is_none())
        {
            return Err(CentreError::invalid(
                "types",
                format!("no licence type {unknown:?}"),
            ));
        }
        let holder = self.holder(subject).await?;
        let licences = wallet
            .issuer
            .licences_for(&holder)
            .map_err(|e| CentreError::Provider(format!("issuer: {e}")))?;
        let now = self.now();
        let mut tx = self.db.begin().await?;
        for licence in licences
            .iter()
            .filter(|l| types.is_none_or(|t| t.contains(&l.type_code)))
        {
            let json = serde_json::to_string(licence)
                .map_err(|e| CentreError::Internal(format!("licence record: {e}")))?;
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
        }
        audit(&mut tx, subject, "wallet.add", &holder_kind(subject), now).await?;
        tx.commit().await?;
        self.wallet_list(subject).await
    }

    async fn entries(&self, subject: &Subject, id: Option<&str>) -> Result<Vec<EntryRow>> {
        let rows: Vec<EntryRow> =
            match id {
                Some(id) => sqlx::query_as(
                    "SELECT id, type_code, licence_json, added_at, revoked_at FROM wallet_entries \
                     WHERE account_id = $1 AND id = $2",
                )
                .bind(&subject.account_id)
                .bind(id)
                .fetch_all(self.db.pool())
                .await?,
                None => sqlx::query_as(
                    "SELECT id, type_code, licence_json, added_at, revoked_at FROM wallet_entries \
                     WHERE account_id = $1 ORDER BY added_at, id",
                )
                .bind(&subject.account_id)
                .fetch_all(self.db.pool())
                .await?,
            };
        Ok(rows)
    }

    fn parse_entry<'w>(wallet: &'w Wallet, row: &EntryRow) -> Result<(Licence, &'w LicenceType)> {
        let licence: Licence = serde_json::from_str(&row.2)
            .map_err(|e| CentreError::Internal(format!("stored licence: {e}")))?;
        let ty = wallet
            .types
            .get(&row.1)
            .ok_or_else(|| CentreError::Internal(format!("unknown licence type {}", row.1)))?;
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
                row.0.clone(),
                &licence,
                ty,
                false,
                row.4.is_some(),
                row.3,
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
        let rows = self.entries(subject, Some(id)).await?;
        let row = rows.first().ok_or(CentreError::NotFound("licence"))?;
        if full && subject.level < Level::L3 {
            return Err(CentreError::StepUpRequired {
                required: Level::L3,
                current: subject.level,
            });
        }
        let (licence, ty) = Self::parse_entry(wallet, row)?;
        Ok(view(
            row.0.clone(),
            &licence,
            ty,
            full,
            row.4.is_some(),
            row.3,
            self.now(),
        ))
    }

    /// Removes a licence from the wallet; its presentations stop verifying.
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
        audit(&mut tx, subject, "wallet.delete", id, now).await?;
        tx.commit().await?;
        Ok(())
    }

    /// 出示 — a presentation of one licence disclosing only `disclose`.
    pub async fn wallet_present(
        &self,
        subject: &Subject,
        id: &str,
        disclose: &[String],
    ) -> Result<PresentationView> {
        let wallet = self.wallet()?;
        let rows = self.entries(subject, Some(id)).await?;
        let row = rows.first().ok_or(CentreError::NotFound("licence"))?;
        if row.4.is_some() {
            return Err(CentreError::Conflict(
                "the issuer revoked this licence; it cannot be presented".into(),
            ));
        }
        if disclose.len() > 32 {
            return Err(CentreError::invalid("disclose", "at most 32 fields"));
        }
        let (licence, ty) = Self::parse_entry(wallet, row)?;
        let request = PresentRequest::new(
            row.0.clone(),
            disclose.iter().cloned(),
            now_time(self.now()),
        );
        let keys = wallet.keys.read().unwrap_or_else(|p| p.into_inner());
        let presentation =
            yuesou_wallet::present(&keys, &licence, ty, &request).map_err(|e| match e {
                WalletError::UnknownField { field, .. } => {
                    CentreError::invalid("disclose", format!("this licence has no field {field:?}"))
                }
                WalletError::InvalidRequest(m) => CentreError::invalid("disclose", m),
                other => CentreError::Internal(format!("presentation: {other}")),
            })?;
        Ok(PresentationView {
            token: presentation.token,
            expires_at: presentation
                .expires_at
                .format(&yuesou_wallet::time::format_description::well_known::Rfc3339)
                .unwrap_or_default(),
            qr_svg: presentation.qr_svg,
            disclosed: presentation.disclosed,
        })
    }

    /// 核验 — checks a presentation: signature by a published key, expiry,
    /// disclosures, key binding, the `require`d fields — and that the
    /// licence is still in its holder's wallet and not revoked. At most
    /// [`Policy::verify_per_minute`](crate::Policy) checks per client
    /// address per minute ([`CentreError::RateLimited`] beyond), counted
    /// before the signature is checked.
    pub async fn wallet_verify(
        &self,
        token: &str,
        require: &[String],
        client: &Client,
    ) -> Result<std::result::Result<VerifiedView, Refusal>> {
        let wallet = self.wallet()?;
        let now = self.now();
        let bucket = format!("verify:addr:{}", client.address);
        let limit = self.policy.verify_per_minute;
        ratelimit::check(&self.db, &bucket, limit, 60_000, now).await?;
        ratelimit::record(&self.db, &bucket, 60_000, now).await?;
        let check = || {
            let keys = wallet.keys.read().unwrap_or_else(|p| p.into_inner());
            yuesou_wallet::verify(token, &*keys, now_time(self.now()), require)
        };
        let mut verified = check();
        if matches!(verified, Err(VerifyError::UnknownKey { .. })) && wallet.reload_keys() {
            verified = check();
        }
        let verified = match verified {
            Ok(v) => v,
            Err(e) => {
                let reason = e.to_string();
                return Ok(Err(match e {
                    VerifyError::TooLarge { .. } | VerifyError::Malformed { .. } => {
                        Refusal::Malformed(reason)
                    }
                    VerifyError::Expired { .. } | VerifyError::NotYetValid { .. } => {
                        Refusal::Expired(reason)
                    }
                    VerifyError::NotDisclosed { field } => Refusal::NotDisclosed(field),
                    _ => Refusal::Invalid(reason),
                }));
            }
        };
        let entry: Option<(Option<i64>,)> =
            sqlx::query_as("SELECT revoked_at FROM wallet_entries WHERE id = $1")
                .bind(&verified.licence_ref)
                .fetch_optional(self.db.pool())
                .await?;
        if !matches!(entry, Some((None,))) {
            return Ok(Err(Refusal::Revoked));
        }
        let type_name = wallet
            .types
            .get(&verified.type_code)
            .map(|t| t.name.clone())
            .unwrap_or_default();
        Ok(Ok(VerifiedView {
            valid: true,
            type_name,
            type_code: verified.type_code,
            issuer: verified.issuer,
            kid: verified.kid,
            licence_valid: verified.licence_valid,
            fields: verified.fields,
            expires_at: verified
                .expires_at
                .format(&yuesou_wallet::time::format_description::well_known::Rfc3339)
                .unwrap_or_default(),
        }))
    }

    /// The issuer revokes a licence (operators only): every wallet entry of
    /// it is marked revoked and its presentations stop verifying. Returns
    /// the number of entries marked.
    pub async fn wallet_revoke(&self, type_code: &str, number: &str) -> Result<u64> {
        let done = sqlx::query(
            "UPDATE wallet_entries SET revoked_at = $1 WHERE type_code = $2 AND number = $3 \
             AND revoked_at IS NULL",
        )
        .bind(self.now())
        .bind(type_code)
        .bind(number)
        .execute(self.db.pool())
        .await?;
        Ok(done.rows_affected())
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
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

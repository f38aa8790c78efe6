//! 出示 — presentations, always bound to a challenge that the platform
//! issued, so that none can be replayed:
//!
//! - **to a verifier's request** (OpenID4VP-style): the verifier creates a
//!   request ([`Centre::wallet_request`]: its name, its audience, the
//!   fields it needs, a fresh nonce) and shows its code as a QR code; the
//!   holder's app reads the request ([`Centre::wallet_request_info`]) and
//!   answers it ([`Centre::wallet_present`] with `request`); the verifier
//!   fetches the answer once with its secret;
//! - **as a one-time QR code**: without a request, the presentation is
//!   bound to the platform's redemption audience and a fresh nonce, and the
//!   QR code carries only a short reference (a link of ~60 characters,
//!   small enough to scan at arm's length) that a verifier redeems online
//!   once ([`Centre::wallet_redeem`]). The full token is also returned, for
//!   verifiers that check offline.
//!
//! Each presentation gets its own index in the status list, so that two
//! presentations of one licence share nothing that links them.

use serde::Serialize;
use yuesou_wallet::PresentRequest;

use super::{Wallet, now_time};
use crate::error::{CentreError, Result};
use crate::ratelimit::{self, Limit};
use crate::secret::{canonical_short_code, new_id, new_short_code, new_token, random_bytes};
use crate::{Centre, Client, Level, Subject, audit, rfc3339, text_field};
use yuesou_messages::Text;

/// Characters of a verifier request's code (40 bits; people may type it).
pub const REQUEST_CODE_LEN: usize = 8;
/// Characters of a one-time presentation reference (60 bits).
pub const REDEEM_CODE_LEN: usize = 12;
/// How long a verifier's request stays open.
const REQUEST_TTL_MS: i64 = 5 * 60 * 1000;
/// Entries of the status list: a presentation's index is reused only after
/// this many more presentations (it has long expired by then).
pub const STATUS_LIST_LEN: u64 = 1 << 20;
/// Verifier requests one client address may open per minute.
const REQUESTS_PER_MINUTE: usize = 30;
/// Longest verifier name and audience.
const MAX_VERIFIER_NAME: usize = 60;
const MAX_AUDIENCE: usize = 200;

/// How to present a licence.
#[derive(Debug, Clone, Default)]
pub struct PresentOptions {
    /// Fields to disclose (选择性出示). For a request: at least the fields it
    /// asks for (they are added when missing).
    pub disclose: Vec<String>,
    /// The code of a verifier's request to answer; `None` makes a one-time
    /// QR code to be redeemed.
    pub request: Option<String>,
}

/// A presentation (出示码).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PresentationView {
    /// The SD-JWT with key binding (RFC 9901), `~`-separated: for
    /// verifiers that check offline (paste it at `/verify`).
    pub token: String,
    /// When it expires (RFC 3339); refresh the QR code before.
    pub expires_at: String,
    /// The fields disclosed, in the licence type's order.
    pub disclosed: Vec<String>,
    /// Which of them are sensitive (ID and licence numbers, full name).
    pub sensitive: Vec<String>,
    /// `qr` (a one-time QR code) or `request` (sent to a verifier).
    pub mode: String,
    /// For a QR code: the short reference it carries, redeemed once.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// For a QR code: the link it carries.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub link: Option<String>,
    /// For a QR code: the QR code (SVG), version ≤ 5 at level M.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub qr_svg: Option<String>,
    /// For a request: the verifier it was sent to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verifier: Option<String>,
}

/// A verifier's request, as created (the secret is shown once).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VerifierRequest {
    /// The request's code (8 characters; the holder types or scans it).
    pub code: String,
    /// The verifier's name people see.
    pub verifier: String,
    /// The audience presentations must be bound to.
    pub audience: String,
    /// The fresh nonce presentations must answer.
    pub nonce: String,
    /// The fields asked for.
    pub fields: Vec<String>,
    /// When the request closes (RFC 3339).
    pub expires_at: String,
    /// The secret to fetch the answer with (`Authorization: Bearer …`).
    pub secret: String,
    /// The link the QR code carries (opens the holder's wallet on it).
    pub link: String,
    /// The QR code (SVG).
    pub qr_svg: String,
}

/// A verifier's request as the holder's app sees it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RequestInfo {
    /// The request's code.
    pub code: String,
    /// Who asks.
    pub verifier: String,
    /// The fields asked for.
    pub fields: Vec<String>,
    /// When the request closes (RFC 3339).
    pub expires_at: String,
    /// Whether it was answered already.
    pub answered: bool,
}

/// A challenge a presentation answers.
#[derive(Debug, sqlx::FromRow)]
struct Challenge {
    id: String,
    audience: String,
    nonce: String,
    verifier_name: String,
    fields_json: String,
    expires_at: i64,
    presentation_id: Option<String>,
}

fn fields_of(json: &str) -> Vec<String> {
    serde_json::from_str(json).unwrap_or_default()
}

/// A fresh nonce: 128 random bits, base64url.
fn new_nonce() -> Result<String> {
    use std::fmt::Write;
    let bytes = random_bytes::<16>()?;
    Ok(bytes.iter().fold(String::from("n-"), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    }))
}

impl Centre {
    /// Opens a verifier's request (public; a few per client address per
    /// minute): the verifier named `verifier` (people see it) asks for
    /// `fields`; presentations must be bound to `audience` (its own
    /// identifier, e.g. its URL) and the fresh nonce returned.
    pub async fn wallet_request(
        &self,
        verifier: &str,
        audience: &str,
        fields: &[String],
        client: &Client,
    ) -> Result<VerifierRequest> {
        let wallet = self.wallet()?;
        let verifier = text_field("verifier", verifier, MAX_VERIFIER_NAME)?;
        if audience.is_empty()
            || audience.len() > MAX_AUDIENCE
            || !audience.bytes().all(|b| b.is_ascii_graphic())
        {
            return Err(CentreError::invalid(
                "audience",
                Text::new("err-ascii-token").arg("max", MAX_AUDIENCE),
            ));
        }
        if fields.len() > 16
            || fields
                .iter()
                .any(|f| f.is_empty() || f.len() > 32 || !f.bytes().all(|b| b.is_ascii_graphic()))
        {
            return Err(CentreError::invalid(
                "fields",
                Text::new("err-field-names").arg("max", 16),
            ));
        }
        let now = self.now();
        let limit = Limit::new(
            format!("wallet:request:{}", client.address),
            REQUESTS_PER_MINUTE,
            60_000,
        );
        let _reserved = ratelimit::reserve(&self.db, &[limit], now).await?;
        let code = new_short_code(REQUEST_CODE_LEN)?;
        let secret = new_token()?;
        let nonce = new_nonce()?;
        let expires_at = now + REQUEST_TTL_MS;
        sqlx::query(
            "INSERT INTO presentation_challenges (id, kind, code_hash, audience, nonce, \
             verifier_name, fields_json, secret_hash, created_at, expires_at) \
             VALUES ($1, 'request', $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(new_id("chl")?)
        .bind(self.challenge_hash("request", &code))
        .bind(audience)
        .bind(&nonce)
        .bind(&verifier)
        .bind(serde_json::to_string(fields).unwrap_or_else(|_| "[]".into()))
        .bind(self.challenge_hash("secret", &secret))
        .bind(now)
        .bind(expires_at)
        .execute(self.db.pool())
        .await?;
        let link = format!("{}/wallet?request={code}", wallet.public_base);
        let qr_svg = yuesou_wallet::qr_svg(&link)
            .map_err(|e| CentreError::Internal(format!("QR code: {e}")))?;
        Ok(VerifierRequest {
            code,
            verifier,
            audience: audience.to_string(),
            nonce,
            fields: fields.to_vec(),
            expires_at: rfc3339(expires_at),
            secret,
            link,
            qr_svg,
        })
    }

    /// The keyed hash a challenge's code or secret is stored as.
    pub(super) fn challenge_hash(&self, what: &str, code: &str) -> String {
        self.key.hash(&["presentation", what, code])
    }

    /// An open request by its code (as typed), for the holder's app.
    pub async fn wallet_request_info(&self, code: &str) -> Result<RequestInfo> {
        let challenge = self.open_request(code).await?;
        Ok(RequestInfo {
            code: canonical_short_code(code, REQUEST_CODE_LEN).unwrap_or_default(),
            verifier: challenge.verifier_name,
            fields: fields_of(&challenge.fields_json),
            expires_at: rfc3339(challenge.expires_at),
            answered: challenge.presentation_id.is_some(),
        })
    }

    async fn open_request(&self, code: &str) -> Result<Challenge> {
        let code =
            canonical_short_code(code, REQUEST_CODE_LEN).ok_or(CentreError::NotFound("request"))?;
        let row: Option<Challenge> = sqlx::query_as(
            "SELECT id, audience, nonce, verifier_name, fields_json, expires_at, presentation_id \
             FROM presentation_challenges WHERE code_hash = $1 AND kind = 'request' \
             AND used_at IS NULL AND expires_at > $2",
        )
        .bind(self.challenge_hash("request", &code))
        .bind(self.now())
        .fetch_optional(self.db.pool())
        .await?;
        row.ok_or(CentreError::NotFound("request"))
    }

    /// 出示 — a presentation of one of the subject's licences, disclosing
    /// only the chosen fields: sent to a verifier's request, or as a
    /// one-time QR code. Sensitive fields (ID and licence numbers, full
    /// name) need L3 (a face check within the last 15 minutes), like
    /// viewing them in full; a licence the issuer revoked cannot be shown.
    pub async fn wallet_present(
        &self,
        subject: &Subject,
        id: &str,
        options: &PresentOptions,
    ) -> Result<PresentationView> {
        let wallet = self.wallet()?;
        let row = self.entry(subject, id).await?;
        if row.revoked != 0 {
            return Err(CentreError::LicenceRevoked);
        }
        let (licence, ty) = Self::parse_entry(wallet, &row)?;
        // A code that names no open request is a bad value in the body (the
        // request expired, was answered, or never was): 400 on `request`.
        let request = match &options.request {
            Some(code) => Some(self.open_request(code).await.map_err(|e| match e {
                CentreError::NotFound(_) => {
                    CentreError::invalid("request", Text::new("err-request-not-open"))
                }
                other => other,
            })?),
            None => None,
        };
        let mut disclose = options.disclose.clone();
        if let Some(r) = &request {
            for field in fields_of(&r.fields_json) {
                if !disclose.contains(&field) {
                    disclose.push(field);
                }
            }
        }
        if disclose.len() > 32 {
            return Err(CentreError::invalid(
                "disclose",
                Text::new("err-too-many-fields").arg("max", 32),
            ));
        }
        let sensitive: Vec<String> = disclose
            .iter()
            .filter(|f| ty.field(f).is_some_and(|d| d.sensitive))
            .cloned()
            .collect();
        if !sensitive.is_empty() && subject.level < Level::L3 {
            return Err(CentreError::StepUpRequired {
                required: Level::L3,
                current: subject.level,
            });
        }
        let now = self.now();
        self.sweep_challenges(now).await?;
        let idx = self.next_status_index().await?;
        let presentation_id = new_id("prs")?;
        let mut tx = self.db.begin().await?;
        let (challenge_id, audience, nonce, code) = match &request {
            Some(r) => {
                let taken = sqlx::query(
                    "UPDATE presentation_challenges SET presentation_id = $1 \
                     WHERE id = $2 AND presentation_id IS NULL AND used_at IS NULL",
                )
                .bind(&presentation_id)
                .bind(&r.id)
                .execute(&mut *tx)
                .await?;
                if taken.rows_affected() == 0 {
                    return Err(CentreError::conflict(Text::new("err-request-answered")));
                }
                (r.id.clone(), r.audience.clone(), r.nonce.clone(), None)
            }
            None => {
                let code = new_short_code(REDEEM_CODE_LEN)?;
                let challenge_id = new_id("chl")?;
                let nonce = new_nonce()?;
                sqlx::query(
                    "INSERT INTO presentation_challenges (id, kind, code_hash, audience, nonce, \
                     verifier_name, fields_json, created_at, expires_at, presentation_id) \
                     VALUES ($1, 'redeem', $2, $3, $4, '', '[]', $5, $6, $7)",
                )
                .bind(&challenge_id)
                .bind(self.challenge_hash("redeem", &code))
                .bind(wallet.redeem_audience())
                .bind(&nonce)
                .bind(now)
                .bind(now + yuesou_wallet::DEFAULT_TTL.whole_milliseconds() as i64)
                .bind(&presentation_id)
                .execute(&mut *tx)
                .await?;
                (challenge_id, wallet.redeem_audience(), nonce, Some(code))
            }
        };
        let presentation = {
            let request =
                PresentRequest::new(disclose.iter().cloned(), now_time(now), audience, nonce)
                    .issuer(wallet.issuer_iss())
                    .status(idx, wallet.status_list_uri());
            let keys = wallet.keys.read().unwrap_or_else(|p| p.into_inner());
            yuesou_wallet::present(&keys, &licence, ty, &request).map_err(present_error)?
        };
        let expires_at = presentation.expires_at.unix_timestamp() * 1000;
        self.record_presentation(
            &mut tx,
            &presentation_id,
            idx,
            subject,
            &row,
            &challenge_id,
            (now, expires_at),
        )
        .await?;
        sqlx::query("UPDATE presentation_challenges SET token = $1, expires_at = $2 WHERE id = $3")
            .bind(&presentation.token)
            .bind(expires_at)
            .bind(&challenge_id)
            .execute(&mut *tx)
            .await?;
        audit(&mut tx, subject, "wallet.present", id, now).await?;
        tx.commit().await?;
        let (link, qr_svg) = match &code {
            Some(code) => {
                let link = format!("{}/verify?code={code}", wallet.public_base);
                let svg = yuesou_wallet::qr_svg(&link)
                    .map_err(|e| CentreError::Internal(format!("QR code: {e}")))?;
                (Some(link), Some(svg))
            }
            None => (None, None),
        };
        Ok(PresentationView {
            token: presentation.token,
            expires_at: rfc3339(expires_at),
            disclosed: presentation.disclosed,
            sensitive,
            mode: if request.is_some() { "request" } else { "qr" }.into(),
            code,
            link,
            qr_svg,
            verifier: request.map(|r| r.verifier_name),
        })
    }

    /// The next index of the status list (a shared counter, so replicas
    /// never hand out the same one), wrapping after [`STATUS_LIST_LEN`].
    async fn next_status_index(&self) -> Result<u64> {
        let value = self.db.next_counter("status_list_index").await?;
        Ok(u64::try_from(value - 1).unwrap_or(0) % STATUS_LIST_LEN)
    }

    /// Records a presentation under its status index, taking the index
    /// over from an expired presentation if one still holds it.
    #[allow(clippy::too_many_arguments)]
    async fn record_presentation(
        &self,
        tx: &mut yuesou_store::Tx,
        id: &str,
        idx: u64,
        subject: &Subject,
        entry: &super::EntryRow,
        challenge_id: &str,
        (now, expires_at): (i64, i64),
    ) -> Result<()> {
        let idx = i64::try_from(idx).unwrap_or(0);
        let live: Option<(i64,)> =
            sqlx::query_as("SELECT expires_at FROM presentations WHERE status_idx = $1")
                .bind(idx)
                .fetch_optional(&mut **tx)
                .await?;
        if live.is_some_and(|(e,)| e > now) {
            // A million presentations within one presentation's lifetime.
            return Err(CentreError::Busy {
                retry_after_secs: 60,
            });
        }
        sqlx::query("DELETE FROM presentations WHERE status_idx = $1")
            .bind(idx)
            .execute(&mut **tx)
            .await?;
        sqlx::query(
            "INSERT INTO presentations (id, status_idx, account_id, entry_id, type_code, number, \
             challenge_id, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(id)
        .bind(idx)
        .bind(&subject.account_id)
        .bind(&entry.id)
        .bind(&entry.type_code)
        .bind(&entry.number)
        .bind(challenge_id)
        .bind(now)
        .bind(expires_at)
        .execute(&mut **tx)
        .await?;
        Ok(())
    }

    /// Forgets presentations waiting for their verifier once they expire
    /// (the token is personal data), and challenges a day after.
    pub(crate) async fn sweep_challenges(&self, now: i64) -> Result<()> {
        sqlx::query(
            "UPDATE presentation_challenges SET token = NULL \
             WHERE token IS NOT NULL AND expires_at <= $1",
        )
        .bind(now)
        .execute(self.db.pool())
        .await?;
        sqlx::query("DELETE FROM presentation_challenges WHERE expires_at <= $1")
            .bind(now - 24 * 3_600_000)
            .execute(self.db.pool())
            .await?;
        Ok(())
    }
}

impl Wallet {
    /// The `iss` of presentations: the platform's public address.
    pub(super) fn issuer_iss(&self) -> String {
        self.public_base.to_string()
    }
}

fn present_error(e: yuesou_wallet::WalletError) -> CentreError {
    use yuesou_wallet::WalletError;
    match e {
        WalletError::UnknownField { field, .. } => CentreError::invalid(
            "disclose",
            Text::new("err-licence-has-no-field").arg("field", field),
        ),
        WalletError::InvalidRequest(_) => {
            CentreError::invalid("disclose", Text::new("err-presentation-request"))
        }
        other => CentreError::Internal(format!("presentation: {other}")),
    }
}

//! 核验 — checking presentations online: the signature by a published key,
//! expiry, disclosures, key binding, the verifier's audience and nonce, the
//! challenge used once (a second use of a nonce or a QR reference is a
//! replay), and the presentation's status (voided when its licence is
//! revoked or deleted). Also the signed status list that offline verifiers
//! cache.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use serde::Serialize;
use yuesou_wallet::{Expected, StatusList, Verified, VerifyError};

use super::present::{REDEEM_CODE_LEN, REQUEST_CODE_LEN, STATUS_LIST_LEN};
use super::{Wallet, now_time};
use crate::error::{CentreError, Result};
use crate::ratelimit::{self, Limit};
use crate::secret::canonical_short_code;
use crate::{Centre, Client, Text, rfc3339};

/// How long verifiers may cache the status list, in seconds.
pub const STATUS_LIST_TTL_SECS: i64 = 60;
/// How long this process reuses a signed status list.
const STATUS_LIST_REUSE: Duration = Duration::from_secs(5);

/// A disclosed field, in the licence type's order.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VerifiedField {
    /// Claim name.
    pub name: String,
    /// Chinese label.
    pub label: String,
    /// The value.
    pub value: String,
}

/// What a verifier learns from a valid presentation.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
    /// The issuing platform, as people read it (发证平台).
    pub issuer_name: String,
    /// The key that signed it.
    pub kid: String,
    /// Whether the licence itself was unexpired when presented.
    pub licence_valid: bool,
    /// Only the disclosed fields, by name.
    pub fields: BTreeMap<String, String>,
    /// The disclosed fields with their labels, in the licence type's order.
    pub shown: Vec<VerifiedField>,
    /// When the presentation expires (RFC 3339).
    pub expires_at: String,
    /// The presentation itself, when it was redeemed or fetched (keep it as
    /// proof, or check it offline).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
}

/// Why a presentation was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// Not a presentation at all, or too large.
    Malformed(Text),
    /// Past its expiry.
    Expired(Text),
    /// Forged, changed, signed by an unknown key or with a broken key binding.
    Invalid(Text),
    /// Made for another verifier or another challenge.
    NotForThisVerifier,
    /// Its challenge was used already (a replay), or this platform never
    /// issued it.
    Replayed,
    /// The licence was deleted from the wallet or revoked by its issuer.
    Revoked,
    /// A field the verifier requires was not disclosed.
    NotDisclosed(String),
}

impl From<VerifyError> for Refusal {
    fn from(e: VerifyError) -> Refusal {
        // `err-presentation-<code>`; the English reasons stay in logs.
        let mut reason = Text::new(format!("err-presentation-{}", e.code().replace('_', "-")));
        if let VerifyError::TooLarge { limit, .. } = &e {
            reason = reason.arg("max", *limit);
        }
        match e {
            VerifyError::TooLarge { .. } | VerifyError::Malformed { .. } => {
                Refusal::Malformed(reason)
            }
            VerifyError::Expired { .. } | VerifyError::NotYetValid { .. } => {
                Refusal::Expired(reason)
            }
            VerifyError::NotDisclosed { field } => Refusal::NotDisclosed(field),
            VerifyError::WrongAudience | VerifyError::WrongNonce => Refusal::NotForThisVerifier,
            _ => Refusal::Invalid(reason),
        }
    }
}

/// A presentation handed over by its challenge.
#[derive(Debug, sqlx::FromRow)]
struct Taken {
    token: String,
    presentation_id: String,
    audience: String,
    nonce: String,
}

/// A check's outcome: the view, or why it was refused.
pub type Checked = std::result::Result<VerifiedView, Refusal>;

impl Centre {
    /// 核验 — checks a presentation for the verifier `audience` (and, when
    /// given, its challenge's `nonce`): cryptography, audience and nonce,
    /// the `require`d fields, the challenge used once (this use consumes
    /// it), and the presentation's status. At most
    /// [`Policy::verify_per_minute`](crate::Policy) checks per client
    /// address per minute ([`CentreError::RateLimited`] beyond), reserved
    /// before the signature is checked.
    pub async fn wallet_verify(
        &self,
        token: &str,
        audience: &str,
        nonce: Option<&str>,
        require: &[String],
        client: &Client,
    ) -> Result<Checked> {
        let wallet = self.wallet()?;
        self.reserve_check(client).await?;
        let mut expected = Expected::new(now_time(self.now()), audience).require(require.to_vec());
        if let Some(nonce) = nonce {
            expected = expected.nonce(nonce);
        }
        let verified = match self.check_token(wallet, token, &expected) {
            Ok(v) => v,
            Err(refusal) => return Ok(Err(refusal)),
        };
        let consumed: Option<(String,)> = sqlx::query_as(
            "UPDATE presentation_challenges SET used_at = $1, token = NULL \
             WHERE nonce = $2 AND audience = $3 AND used_at IS NULL \
             AND presentation_id IS NOT NULL RETURNING presentation_id",
        )
        .bind(self.now())
        .bind(&verified.nonce)
        .bind(&verified.audience)
        .fetch_optional(self.db.pool())
        .await?;
        let Some((presentation_id,)) = consumed else {
            return Ok(Err(Refusal::Replayed));
        };
        self.finish_check(wallet, verified, &presentation_id, None)
            .await
    }

    /// Redeems a one-time QR code (the short reference it carries): once;
    /// a second redemption is a replay. Limited like [`Centre::wallet_verify`].
    pub async fn wallet_redeem(&self, code: &str, client: &Client) -> Result<Checked> {
        let wallet = self.wallet()?;
        self.reserve_check(client).await?;
        let Some(code) = canonical_short_code(code, REDEEM_CODE_LEN) else {
            return Ok(Err(Refusal::Malformed("err-presentation-code".into())));
        };
        let taken = self
            .take_challenge(
                "code_hash = $2 AND kind = 'redeem' AND expires_at > $1",
                &self.challenge_hash("redeem", &code),
            )
            .await?;
        let Some(Taken {
            token,
            presentation_id,
            ..
        }) = taken
        else {
            return Ok(Err(self.unusable(&code, "redeem").await?));
        };
        let expected = Expected::new(now_time(self.now()), wallet.redeem_audience());
        let verified = match self.check_token(wallet, &token, &expected) {
            Ok(v) => v,
            Err(refusal) => return Ok(Err(refusal)),
        };
        self.finish_check(wallet, verified, &presentation_id, Some(token))
            .await
    }

    /// The answer to a verifier's request, fetched once with the request's
    /// secret: `None` while the holder has not answered.
    pub async fn wallet_request_result(
        &self,
        code: &str,
        secret: &str,
        client: &Client,
    ) -> Result<Option<Checked>> {
        let wallet = self.wallet()?;
        self.reserve_check(client).await?;
        let code =
            canonical_short_code(code, REQUEST_CODE_LEN).ok_or(CentreError::NotFound("request"))?;
        let row: Option<(String, Option<String>, Option<i64>)> = sqlx::query_as(
            "SELECT id, presentation_id, used_at FROM presentation_challenges \
             WHERE code_hash = $1 AND kind = 'request' AND secret_hash = $2",
        )
        .bind(self.challenge_hash("request", &code))
        .bind(self.challenge_hash("secret", secret.trim()))
        .fetch_optional(self.db.pool())
        .await?;
        let Some((id, answered, used)) = row else {
            return Err(CentreError::NotFound("request"));
        };
        if used.is_some() {
            return Ok(Some(Err(Refusal::Replayed)));
        }
        if answered.is_none() {
            return Ok(None);
        }
        let taken = self.take_challenge("id = $2", &id).await?;
        let Some(Taken {
            token,
            presentation_id,
            audience,
            nonce,
        }) = taken
        else {
            return Ok(Some(Err(Refusal::Replayed)));
        };
        let expected = Expected::new(now_time(self.now()), audience).nonce(nonce);
        let verified = match self.check_token(wallet, &token, &expected) {
            Ok(v) => v,
            Err(refusal) => return Ok(Some(Err(refusal))),
        };
        Ok(Some(
            self.finish_check(wallet, verified, &presentation_id, Some(token))
                .await?,
        ))
    }

    /// Marks the challenge matching `condition` (`$1` is now, `$2` the
    /// value) used, once, and hands over the presentation waiting in it —
    /// forgotten in the same transaction.
    async fn take_challenge(&self, condition: &str, value: &str) -> Result<Option<Taken>> {
        let mut tx = self.db.begin().await?;
        let taken: Option<Taken> = sqlx::query_as(&format!(
            "UPDATE presentation_challenges SET used_at = $1 WHERE {condition} \
             AND used_at IS NULL AND token IS NOT NULL \
             RETURNING token, presentation_id, audience, nonce"
        ))
        .bind(self.now())
        .bind(value)
        .fetch_optional(&mut *tx)
        .await?;
        if taken.is_some() {
            sqlx::query(&format!(
                "UPDATE presentation_challenges SET token = NULL WHERE {condition}"
            ))
            .bind(self.now())
            .bind(value)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(taken)
    }

    /// Why a code could not be used: it was used (or expired), or never
    /// existed.
    async fn unusable(&self, code: &str, kind: &str) -> Result<Refusal> {
        let known: Option<(String,)> =
            sqlx::query_as("SELECT id FROM presentation_challenges WHERE code_hash = $1")
                .bind(self.challenge_hash(kind, code))
                .fetch_optional(self.db.pool())
                .await?;
        Ok(if known.is_some() {
            Refusal::Replayed
        } else {
            Refusal::Invalid("err-presentation-unknown-code".into())
        })
    }

    /// Reserves one check in the client address's limit.
    async fn reserve_check(&self, client: &Client) -> Result<()> {
        let limit = Limit::new(
            format!("verify:addr:{}", client.address),
            self.policy.verify_per_minute,
            60_000,
        );
        let _reserved = ratelimit::reserve(&self.db, &[limit], self.now()).await?;
        Ok(())
    }

    /// The token's cryptography, audience, nonce and fields; a token signed
    /// by a key this process does not know makes it re-read the key files
    /// once (another replica may have rotated).
    fn check_token(
        &self,
        wallet: &Wallet,
        token: &str,
        expected: &Expected,
    ) -> std::result::Result<Verified, Refusal> {
        let check = || {
            let keys = wallet.keys.read().unwrap_or_else(|p| p.into_inner());
            yuesou_wallet::verify(token, &*keys, expected)
        };
        let mut verified = check();
        if matches!(verified, Err(VerifyError::UnknownKey { .. })) && wallet.reload_keys() {
            verified = check();
        }
        verified.map_err(Refusal::from)
    }

    /// The presentation's status (not voided, licence not revoked), then
    /// the view.
    async fn finish_check(
        &self,
        wallet: &Wallet,
        verified: Verified,
        presentation_id: &str,
        token: Option<String>,
    ) -> Result<Checked> {
        let row: Option<(Option<i64>, String, String)> =
            sqlx::query_as("SELECT voided_at, type_code, number FROM presentations WHERE id = $1")
                .bind(presentation_id)
                .fetch_optional(self.db.pool())
                .await?;
        let Some((voided, type_code, number)) = row else {
            return Ok(Err(Refusal::Revoked));
        };
        if voided.is_some() || self.licence_revoked(&type_code, &number).await? {
            return Ok(Err(Refusal::Revoked));
        }
        Ok(Ok(view_of(wallet, verified, token)))
    }

    /// The signed status list (`application/statuslist+jwt`): one bit per
    /// presentation index, set for presentations voided before they expire.
    pub async fn wallet_status_list(&self) -> Result<String> {
        let wallet = self.wallet()?;
        {
            let cache = wallet
                .status_cache
                .lock()
                .unwrap_or_else(|p| p.into_inner());
            if let Some((at, jwt)) = cache.as_ref()
                && at.elapsed() < STATUS_LIST_REUSE
            {
                return Ok(jwt.clone());
            }
        }
        let now = self.now();
        let voided: Vec<(i64,)> = sqlx::query_as(
            "SELECT status_idx FROM presentations WHERE voided_at IS NOT NULL AND expires_at > $1",
        )
        .bind(now)
        .fetch_all(self.db.pool())
        .await?;
        let mut list = StatusList::new(usize::try_from(STATUS_LIST_LEN).unwrap_or(1 << 20));
        for (idx,) in voided {
            list.set(u64::try_from(idx).unwrap_or(u64::MAX), true);
        }
        let jwt = {
            let keys = wallet.keys.read().unwrap_or_else(|p| p.into_inner());
            yuesou_wallet::sign_status_list(
                &keys,
                &list,
                &wallet.status_list_uri(),
                now_time(now),
                STATUS_LIST_TTL_SECS,
            )
            .map_err(|e| CentreError::Internal(format!("status list: {e}")))?
        };
        *wallet
            .status_cache
            .lock()
            .unwrap_or_else(|p| p.into_inner()) = Some((Instant::now(), jwt.clone()));
        Ok(jwt)
    }
}

/// What the verifier is shown: the disclosed fields with their labels in
/// the licence type's order, and the issuing platform's name.
fn view_of(wallet: &Wallet, verified: Verified, token: Option<String>) -> VerifiedView {
    let ty = wallet.types.get(&verified.type_code);
    let shown = ty
        .map(|t| {
            t.fields
                .iter()
                .filter_map(|f| {
                    verified.fields.get(&f.name).map(|value| VerifiedField {
                        name: f.name.clone(),
                        label: f.label.clone(),
                        value: value.clone(),
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    VerifiedView {
        valid: true,
        type_name: ty.map(|t| t.name.clone()).unwrap_or_default(),
        type_code: verified.type_code,
        issuer: verified.issuer,
        issuer_name: wallet.issuer_name.to_string(),
        kid: verified.kid,
        licence_valid: verified.licence_valid,
        fields: verified.fields,
        shown,
        expires_at: rfc3339(verified.expires_at.unix_timestamp() * 1000),
        token,
    }
}

//! The development provider's notification format, both ends: the provider
//! signs ([`Signer`]), the platform verifies ([`Verifier`]) with the public
//! key configured. Modelled on the real providers' (WeChat Pay v3 signs
//! `timestamp\nnonce\nbody\n` with its platform key; the platform verifies
//! with the provider's public key); Ed25519 here.
//!
//! A notification is a `POST` of a JSON body ([`NotificationBody`]) with
//! four headers:
//!
//! | header | value |
//! | --- | --- |
//! | `X-DevPay-Key-Id` | the key's id |
//! | `X-DevPay-Timestamp` | Unix seconds when it was signed |
//! | `X-DevPay-Nonce` | 16–64 of `A–Z a–z 0–9 - _` |
//! | `X-DevPay-Signature` | standard base64 of the Ed25519 signature |
//!
//! The signed text is five lines joined by `\n`: `DEVPAY-NOTIFY-1`, the key
//! id, the timestamp, the nonce and the standard base64 of SHA-256 of the
//! exact body bytes.
//!
//! ```
//! use yuesou_payments::provider::wire::{Signer, Verifier};
//! let signer = Signer::from_seed("dev-1", [7u8; 32]);
//! let mut verifier = Verifier::new(300);
//! verifier.add_key("dev-1", &signer.public_key_base64()).map_err(|e| e.to_string())?;
//! let body = br#"{"id":"N1","event":"payment.closed","out_trade_no":"PAY-1","order_id":"D1","amount_fen":100,"at":"2026-10-15T10:00:00+08:00"}"#;
//! let now = time::macros::datetime!(2026-10-15 02:00 UTC);
//! let headers = signer.sign(body, now.unix_timestamp(), "bm9uY2Utbm9uY2UtMTIz");
//! assert!(verifier.verify(body, &headers, now).is_ok());
//! assert!(verifier.verify(b"{}", &headers, now).is_err()); // body changed
//! # Ok::<(), String>(())
//! ```

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use ed25519_dalek::{Signature, Signer as _, SigningKey, VerifyingKey};
use http::{HeaderMap, HeaderValue};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

use super::{Notification, NotificationEvent, ProviderError};

/// The key id header.
pub const KEY_ID: &str = "x-devpay-key-id";
/// The timestamp header.
pub const TIMESTAMP: &str = "x-devpay-timestamp";
/// The nonce header.
pub const NONCE: &str = "x-devpay-nonce";
/// The signature header.
pub const SIGNATURE: &str = "x-devpay-signature";
/// The first line of the signed text.
const LABEL: &str = "DEVPAY-NOTIFY-1";

/// A notification's JSON body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotificationBody {
    /// The notification id (the same on every re-delivery).
    pub id: String,
    /// `payment.succeeded`, `payment.closed` or `refund.succeeded`.
    pub event: String,
    /// The platform's payment id.
    pub out_trade_no: String,
    /// The provider's order id.
    pub order_id: String,
    /// Amount in fen (integer; a decimal does not parse).
    pub amount_fen: i64,
    /// When it happened.
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    /// The platform's refund id (refunds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refund_id: Option<String>,
    /// The provider's refund id (refunds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider_refund_id: Option<String>,
}

impl NotificationBody {
    /// The parsed notification, or why not.
    pub fn into_notification(self) -> Result<Notification, ProviderError> {
        let token_ok = |t: &str| {
            (1..=128).contains(&t.len())
                && t.bytes()
                    .all(|c| c.is_ascii_alphanumeric() || b"._:-".contains(&c))
        };
        if !token_ok(&self.id) || !token_ok(&self.out_trade_no) || !token_ok(&self.order_id) {
            return Err(ProviderError::Malformed(
                "id, out_trade_no and order_id must be 1–128 of [A-Za-z0-9._:-]".into(),
            ));
        }
        if self.amount_fen <= 0 {
            return Err(ProviderError::Malformed(
                "amount_fen must be positive".into(),
            ));
        }
        let event = match self.event.as_str() {
            "payment.succeeded" => NotificationEvent::Paid { paid_at: self.at },
            "payment.closed" => NotificationEvent::Closed,
            "refund.succeeded" => match (self.refund_id, self.provider_refund_id) {
                (Some(refund_id), Some(provider_refund_id)) => NotificationEvent::Refunded {
                    refund_id,
                    provider_refund_id,
                    at: self.at,
                },
                _ => {
                    return Err(ProviderError::Malformed(
                        "a refund needs refund_id and provider_refund_id".into(),
                    ));
                }
            },
            _ => return Err(ProviderError::Malformed("unknown event".into())),
        };
        Ok(Notification {
            id: self.id,
            out_trade_no: self.out_trade_no,
            order_id: self.order_id,
            amount_fen: self.amount_fen,
            event,
        })
    }
}

fn signed_text(key_id: &str, timestamp: &str, nonce: &str, body: &[u8]) -> String {
    let digest = STANDARD.encode(Sha256::digest(body));
    format!("{LABEL}\n{key_id}\n{timestamp}\n{nonce}\n{digest}")
}

/// Signs notifications (the provider's end).
#[derive(Clone)]
pub struct Signer {
    key_id: String,
    key: SigningKey,
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Signer")
            .field("key_id", &self.key_id)
            .field("key", &"[redacted]")
            .finish()
    }
}

impl Signer {
    /// A signer with the Ed25519 key of this 32-byte seed.
    pub fn from_seed(key_id: &str, seed: [u8; 32]) -> Signer {
        Signer {
            key_id: key_id.to_owned(),
            key: SigningKey::from_bytes(&seed),
        }
    }

    /// The key id.
    pub fn key_id(&self) -> &str {
        &self.key_id
    }

    /// The public key, standard base64 of its 32 bytes (what the platform
    /// configures).
    pub fn public_key_base64(&self) -> String {
        STANDARD.encode(self.key.verifying_key().as_bytes())
    }

    /// The four headers of a notification with this body.
    pub fn sign(&self, body: &[u8], timestamp: i64, nonce: &str) -> HeaderMap {
        let ts = timestamp.to_string();
        let signature = self
            .key
            .sign(signed_text(&self.key_id, &ts, nonce, body).as_bytes());
        let mut headers = HeaderMap::new();
        let mut put = |name: &'static str, value: &str| {
            if let Ok(v) = HeaderValue::from_str(value) {
                headers.insert(name, v);
            }
        };
        put(KEY_ID, &self.key_id);
        put(TIMESTAMP, &ts);
        put(NONCE, nonce);
        put(SIGNATURE, &STANDARD.encode(signature.to_bytes()));
        put("content-type", "application/json");
        headers
    }
}

/// Verifies notifications (the platform's end), with the provider's public
/// keys by id and a time window.
#[derive(Debug, Clone)]
pub struct Verifier {
    keys: Vec<(String, VerifyingKey)>,
    window_secs: i64,
}

impl Verifier {
    /// A verifier with no keys yet and this window (seconds either side).
    pub fn new(window_secs: i64) -> Verifier {
        Verifier {
            keys: Vec::new(),
            window_secs,
        }
    }

    /// Trusts a public key (standard base64 of 32 bytes) under `key_id`.
    pub fn add_key(&mut self, key_id: &str, public_base64: &str) -> Result<(), ProviderError> {
        let bytes = STANDARD
            .decode(public_base64.trim())
            .map_err(|_| ProviderError::Internal("public key is not base64".into()))?;
        let array: [u8; 32] = bytes
            .try_into()
            .map_err(|_| ProviderError::Internal("public key is not 32 bytes".into()))?;
        let key = VerifyingKey::from_bytes(&array)
            .map_err(|_| ProviderError::Internal("public key is not an Ed25519 point".into()))?;
        self.keys.retain(|(id, _)| id != key_id);
        self.keys.push((key_id.to_owned(), key));
        Ok(())
    }

    /// Checks, in order: headers present and well-formed, timestamp within
    /// the window, key known, signature (strict) over the signed text; then
    /// parses the body.
    pub fn verify(
        &self,
        body: &[u8],
        headers: &HeaderMap,
        now: OffsetDateTime,
    ) -> Result<Notification, ProviderError> {
        let get = |name: &str| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::trim)
                .filter(|v| !v.is_empty())
        };
        let (Some(key_id), Some(ts), Some(nonce), Some(signature)) =
            (get(KEY_ID), get(TIMESTAMP), get(NONCE), get(SIGNATURE))
        else {
            return Err(ProviderError::Signature("signature headers missing"));
        };
        let nonce_ok = (16..=64).contains(&nonce.len())
            && nonce
                .bytes()
                .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_');
        let timestamp: Option<i64> = if ts.bytes().all(|c| c.is_ascii_digit()) && ts.len() <= 12 {
            ts.parse().ok()
        } else {
            None
        };
        let (Some(timestamp), true) = (timestamp, nonce_ok) else {
            return Err(ProviderError::Signature("signature headers malformed"));
        };
        if (timestamp - now.unix_timestamp()).abs() > self.window_secs {
            return Err(ProviderError::Stale);
        }
        let Some((_, key)) = self.keys.iter().find(|(id, _)| id == key_id) else {
            return Err(ProviderError::Signature("unknown key"));
        };
        let signature = STANDARD
            .decode(signature)
            .ok()
            .and_then(|b| <[u8; 64]>::try_from(b).ok())
            .map(|b| Signature::from_bytes(&b))
            .ok_or(ProviderError::Signature("signature malformed"))?;
        key.verify_strict(signed_text(key_id, ts, nonce, body).as_bytes(), &signature)
            .map_err(|_| ProviderError::Signature("bad signature"))?;
        let parsed: NotificationBody = serde_json::from_slice(body).map_err(|e| {
            // serde's message names the field and the type, never the value
            // for these shapes; keep only its category and position.
            ProviderError::Malformed(format!("body is not a notification ({:?})", e.classify()))
        })?;
        parsed.into_notification()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    const NOW: OffsetDateTime = datetime!(2026-10-15 02:00 UTC);

    fn body(amount: &str) -> Vec<u8> {
        format!(
            r#"{{"id":"N1","event":"payment.succeeded","out_trade_no":"PAY-1","order_id":"D1","amount_fen":{amount},"at":"2026-10-15T10:00:00+08:00"}}"#
        )
        .into_bytes()
    }

    fn verifier(signer: &Signer) -> Verifier {
        let mut v = Verifier::new(300);
        assert!(
            v.add_key(signer.key_id(), &signer.public_key_base64())
                .is_ok()
        );
        v
    }

    #[test]
    fn signed_notifications_verify_and_parse() {
        let signer = Signer::from_seed("k1", [1; 32]);
        let b = body("19695");
        let headers = signer.sign(&b, NOW.unix_timestamp(), "abcdefghijklmnop");
        let n = verifier(&signer).verify(&b, &headers, NOW);
        assert!(
            matches!(n, Ok(ref n) if n.amount_fen == 19695 && matches!(n.event, NotificationEvent::Paid { .. })),
            "{n:?}"
        );
    }

    #[test]
    fn forged_stale_and_unsigned_notifications_are_refused() {
        let signer = Signer::from_seed("k1", [1; 32]);
        let forger = Signer::from_seed("k1", [2; 32]);
        let v = verifier(&signer);
        let b = body("19695");
        let forged = forger.sign(&b, NOW.unix_timestamp(), "abcdefghijklmnop");
        assert_eq!(
            v.verify(&b, &forged, NOW),
            Err(ProviderError::Signature("bad signature"))
        );
        assert_eq!(
            v.verify(&b, &HeaderMap::new(), NOW),
            Err(ProviderError::Signature("signature headers missing"))
        );
        let old = signer.sign(&b, NOW.unix_timestamp() - 301, "abcdefghijklmnop");
        assert_eq!(v.verify(&b, &old, NOW), Err(ProviderError::Stale));
        let other_key =
            Signer::from_seed("k2", [1; 32]).sign(&b, NOW.unix_timestamp(), "abcdefghijklmnop");
        assert_eq!(
            v.verify(&b, &other_key, NOW),
            Err(ProviderError::Signature("unknown key"))
        );
        let mut short_nonce = signer.sign(&b, NOW.unix_timestamp(), "short");
        short_nonce.remove("content-type");
        assert_eq!(
            v.verify(&b, &short_nonce, NOW),
            Err(ProviderError::Signature("signature headers malformed"))
        );
    }

    #[test]
    fn signed_but_bad_bodies_are_malformed() {
        let signer = Signer::from_seed("k1", [1; 32]);
        let v = verifier(&signer);
        for amount in ["196.95", "\"19695\"", "0", "-1"] {
            let b = body(amount);
            let headers = signer.sign(&b, NOW.unix_timestamp(), "abcdefghijklmnop");
            assert!(
                matches!(
                    v.verify(&b, &headers, NOW),
                    Err(ProviderError::Malformed(_))
                ),
                "{amount}"
            );
        }
    }
}

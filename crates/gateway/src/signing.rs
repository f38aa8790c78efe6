//! Request signatures: the platform signs every request to a department,
//! the department verifies it. Both ends are here ([`sign_request`] and
//! [`Verifier`]) so a department written in Rust uses the same code, and
//! docs/INTEGRATION.md describes the same bytes for everyone else.
//!
//! The signed text (UTF-8, lines joined by `\n`, no trailing newline):
//!
//! ```text
//! YUESOU-SIG-1
//! <key id>
//! <METHOD>
//! <path?query, exactly as in the request line>
//! <Content-Digest header value: sha-256=:BASE64:>
//! <timestamp, Unix seconds>
//! <nonce>
//! ```
//!
//! ```
//! use yuesou_gateway::signing::{sign_request, SigningKey, Verifier};
//! let key = SigningKey::ed25519_from_seed(&[7; 32]);
//! let headers = sign_request("platform-2026", &key, "POST", "/v1/bills/query", b"{}", 1_767_225_600, "n0nce-n0nce-n0nce");
//! let verifier = Verifier::new();
//! verifier.add_key("platform-2026", key.verifying_key());
//! let map = headers.to_header_map();
//! assert_eq!(verifier.verify("POST", "/v1/bills/query", &map, b"{}", 1_767_225_610).as_deref(), Ok("platform-2026"));
//! // The same request again is a replay.
//! assert!(verifier.verify("POST", "/v1/bills/query", &map, b"{}", 1_767_225_611).is_err());
//! ```

use std::collections::HashMap;
use std::fmt;
use std::sync::{Mutex, RwLock};

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use ed25519_dalek::Signer as _;
use hmac::{KeyInit, Mac};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

/// Header carrying the key id.
pub const HEADER_KEY_ID: &str = "x-yuesou-key-id";
/// Header carrying the Unix timestamp in seconds.
pub const HEADER_TIMESTAMP: &str = "x-yuesou-timestamp";
/// Header carrying the nonce.
pub const HEADER_NONCE: &str = "x-yuesou-nonce";
/// RFC 9530 digest of the body.
pub const HEADER_CONTENT_DIGEST: &str = "content-digest";
/// Header carrying the base64 signature.
pub const HEADER_SIGNATURE: &str = "x-yuesou-signature";
/// First line of the signed text (domain separation and version).
pub const SIGNATURE_LABEL: &str = "YUESOU-SIG-1";
/// How far a timestamp may be from the verifier's clock, in seconds.
pub const REPLAY_WINDOW_SECS: i64 = 300;

type HmacSha256 = hmac::Hmac<Sha256>;

/// The `Content-Digest` value of a body: `sha-256=:BASE64:`.
pub fn content_digest(body: &[u8]) -> String {
    format!("sha-256=:{}:", STANDARD.encode(Sha256::digest(body)))
}

/// The exact text that is signed.
pub fn canonical_string(
    key_id: &str,
    method: &str,
    path_and_query: &str,
    content_digest: &str,
    timestamp: i64,
    nonce: &str,
) -> String {
    format!(
        "{SIGNATURE_LABEL}\n{key_id}\n{method}\n{path_and_query}\n{content_digest}\n{timestamp}\n{nonce}"
    )
}

/// A signing key could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct KeyError(pub &'static str);

/// The platform's signing key for one department.
#[derive(Clone)]
pub enum SigningKey {
    /// Ed25519 (recommended): the department holds only the public key.
    Ed25519(ed25519_dalek::SigningKey),
    /// HMAC-SHA-256 with a shared secret of at least 32 bytes.
    HmacSha256(Zeroizing<Vec<u8>>),
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SigningKey::Ed25519(_) => f.write_str("SigningKey::Ed25519(**)"),
            SigningKey::HmacSha256(_) => f.write_str("SigningKey::HmacSha256(**)"),
        }
    }
}

impl SigningKey {
    /// An Ed25519 key from its 32-byte seed.
    pub fn ed25519_from_seed(seed: &[u8; 32]) -> SigningKey {
        SigningKey::Ed25519(ed25519_dalek::SigningKey::from_bytes(seed))
    }

    /// An Ed25519 key from its base64 32-byte seed.
    pub fn ed25519_from_base64(seed: &str) -> Result<SigningKey, KeyError> {
        let bytes =
            Zeroizing::new(decode_base64(seed).ok_or(KeyError("the Ed25519 seed is not base64"))?);
        let seed: &[u8; 32] = bytes
            .as_slice()
            .try_into()
            .map_err(|_| KeyError("an Ed25519 seed is 32 bytes"))?;
        Ok(SigningKey::ed25519_from_seed(seed))
    }

    /// An HMAC-SHA-256 key from its base64 secret (at least 32 bytes).
    pub fn hmac_sha256_from_base64(secret: &str) -> Result<SigningKey, KeyError> {
        let bytes =
            Zeroizing::new(decode_base64(secret).ok_or(KeyError("the HMAC secret is not base64"))?);
        if bytes.len() < 32 {
            return Err(KeyError("an HMAC secret has at least 32 bytes"));
        }
        Ok(SigningKey::HmacSha256(bytes))
    }

    /// What a department registers to verify this key's signatures.
    pub fn verifying_key(&self) -> VerifyingKey {
        match self {
            SigningKey::Ed25519(key) => VerifyingKey::Ed25519(key.verifying_key()),
            SigningKey::HmacSha256(secret) => VerifyingKey::HmacSha256(secret.clone()),
        }
    }

    /// Signs `message`: the base64 (standard, padded) signature.
    pub fn sign(&self, message: &[u8]) -> String {
        match self {
            SigningKey::Ed25519(key) => STANDARD.encode(key.sign(message).to_bytes()),
            SigningKey::HmacSha256(secret) => {
                // HMAC takes keys of any length: `new_from_slice` cannot fail.
                match <HmacSha256 as KeyInit>::new_from_slice(secret) {
                    Ok(mut mac) => {
                        mac.update(message);
                        STANDARD.encode(mac.finalize().into_bytes())
                    }
                    Err(_) => String::new(),
                }
            }
        }
    }
}

/// What verifies one key id's signatures. The algorithm belongs to the
/// key, never to the request.
#[derive(Clone)]
pub enum VerifyingKey {
    /// An Ed25519 public key.
    Ed25519(ed25519_dalek::VerifyingKey),
    /// The shared HMAC-SHA-256 secret.
    HmacSha256(Zeroizing<Vec<u8>>),
}

impl fmt::Debug for VerifyingKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            VerifyingKey::Ed25519(key) => write!(
                f,
                "VerifyingKey::Ed25519({})",
                STANDARD.encode(key.as_bytes())
            ),
            VerifyingKey::HmacSha256(_) => f.write_str("VerifyingKey::HmacSha256(**)"),
        }
    }
}

impl VerifyingKey {
    /// An Ed25519 public key from base64 (32 bytes).
    pub fn ed25519_from_base64(public: &str) -> Result<VerifyingKey, KeyError> {
        let bytes =
            decode_base64(public).ok_or(KeyError("the Ed25519 public key is not base64"))?;
        let bytes: [u8; 32] = bytes
            .as_slice()
            .try_into()
            .map_err(|_| KeyError("an Ed25519 public key is 32 bytes"))?;
        ed25519_dalek::VerifyingKey::from_bytes(&bytes)
            .map(VerifyingKey::Ed25519)
            .map_err(|_| KeyError("not an Ed25519 public key"))
    }

    /// The base64 of an Ed25519 public key (to hand to a department).
    pub fn to_base64(&self) -> Option<String> {
        match self {
            VerifyingKey::Ed25519(key) => Some(STANDARD.encode(key.as_bytes())),
            VerifyingKey::HmacSha256(_) => None,
        }
    }

    /// Whether `signature` (base64) signs `message`. Constant-time for HMAC;
    /// strict (no malleable signatures) for Ed25519.
    pub fn verify(&self, message: &[u8], signature: &str) -> bool {
        let Some(bytes) = decode_base64(signature) else {
            return false;
        };
        match self {
            VerifyingKey::Ed25519(key) => match ed25519_dalek::Signature::from_slice(&bytes) {
                Ok(sig) => key.verify_strict(message, &sig).is_ok(),
                Err(_) => false,
            },
            VerifyingKey::HmacSha256(secret) => {
                match <HmacSha256 as KeyInit>::new_from_slice(secret) {
                    Ok(mut mac) => {
                        mac.update(message);
                        mac.verify_slice(&bytes).is_ok()
                    }
                    Err(_) => false,
                }
            }
        }
    }
}

fn decode_base64(text: &str) -> Option<Vec<u8>> {
    let text = text.trim();
    STANDARD
        .decode(text)
        .ok()
        .or_else(|| URL_SAFE_NO_PAD.decode(text.trim_end_matches('=')).ok())
}

/// The five signature headers of one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedHeaders {
    /// `X-Yuesou-Key-Id`.
    pub key_id: String,
    /// `X-Yuesou-Timestamp`.
    pub timestamp: i64,
    /// `X-Yuesou-Nonce`.
    pub nonce: String,
    /// `Content-Digest`.
    pub content_digest: String,
    /// `X-Yuesou-Signature`.
    pub signature: String,
}

impl SignedHeaders {
    /// Header names and values.
    pub fn pairs(&self) -> [(&'static str, String); 5] {
        [
            (HEADER_KEY_ID, self.key_id.clone()),
            (HEADER_TIMESTAMP, self.timestamp.to_string()),
            (HEADER_NONCE, self.nonce.clone()),
            (HEADER_CONTENT_DIGEST, self.content_digest.clone()),
            (HEADER_SIGNATURE, self.signature.clone()),
        ]
    }

    /// The headers as an [`http::HeaderMap`].
    pub fn to_header_map(&self) -> http::HeaderMap {
        let mut map = http::HeaderMap::new();
        for (name, value) in self.pairs() {
            if let Ok(value) = http::HeaderValue::from_str(&value) {
                map.insert(name, value);
            }
        }
        map
    }
}

/// Signs one request. `path_and_query` is exactly what the request line
/// carries (with the base URL's path prefix, percent-encoded as sent).
pub fn sign_request(
    key_id: &str,
    key: &SigningKey,
    method: &str,
    path_and_query: &str,
    body: &[u8],
    timestamp: i64,
    nonce: &str,
) -> SignedHeaders {
    let digest = content_digest(body);
    let text = canonical_string(key_id, method, path_and_query, &digest, timestamp, nonce);
    SignedHeaders {
        key_id: key_id.to_owned(),
        timestamp,
        nonce: nonce.to_owned(),
        content_digest: digest,
        signature: key.sign(text.as_bytes()),
    }
}

/// A fresh nonce: 16 random bytes, base64url without padding (22 characters).
pub fn new_nonce() -> String {
    let mut bytes = [0u8; 16];
    if getrandom::fill(&mut bytes).is_err() {
        // No system randomness: fall back on time and a counter, still unique per process.
        static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let t = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        bytes[..8].copy_from_slice(&n.to_le_bytes());
        bytes[8..].copy_from_slice(&(t as u64).to_le_bytes());
    }
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Why a request's signature was refused. [`VerifyError::code`] goes into
/// the problem body's `code`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    /// A signature header is missing.
    #[error("missing header {0}")]
    Missing(&'static str),
    /// A signature header is malformed.
    #[error("malformed header {0}")]
    Malformed(&'static str),
    /// The timestamp is outside the replay window.
    #[error("timestamp outside the allowed window")]
    StaleTimestamp,
    /// The key id is not registered.
    #[error("unknown key id")]
    UnknownKey,
    /// `Content-Digest` does not match the body.
    #[error("content digest does not match the body")]
    DigestMismatch,
    /// The signature does not verify.
    #[error("signature does not verify")]
    BadSignature,
    /// The nonce was already used within the window.
    #[error("nonce already used")]
    Replayed,
    /// Too many nonces remembered; refusing rather than forgetting.
    #[error("replay cache full")]
    ReplayCacheFull,
}

impl VerifyError {
    /// A stable code.
    pub fn code(&self) -> &'static str {
        match self {
            VerifyError::Missing(_) => "signature_missing",
            VerifyError::Malformed(_) => "signature_malformed",
            VerifyError::StaleTimestamp => "timestamp_out_of_window",
            VerifyError::UnknownKey => "unknown_key",
            VerifyError::DigestMismatch => "digest_mismatch",
            VerifyError::BadSignature => "bad_signature",
            VerifyError::Replayed => "replayed_nonce",
            VerifyError::ReplayCacheFull => "replay_cache_full",
        }
    }
}

#[derive(Debug, Default)]
struct NonceCache {
    seen: HashMap<(String, String), i64>,
    inserts_since_prune: usize,
}

/// The department's side: verifies signatures and refuses replays.
///
/// Keys are registered by key id (several at once during a rotation).
/// Nonces are remembered per key id until their timestamp leaves the
/// window, so a captured request cannot be sent again.
#[derive(Debug)]
pub struct Verifier {
    keys: RwLock<HashMap<String, VerifyingKey>>,
    window_secs: i64,
    max_nonces: usize,
    nonces: Mutex<NonceCache>,
}

impl Default for Verifier {
    fn default() -> Verifier {
        Verifier::new()
    }
}

impl Verifier {
    /// A verifier with the standard ±300 s window and no keys.
    pub fn new() -> Verifier {
        Verifier {
            keys: RwLock::new(HashMap::new()),
            window_secs: REPLAY_WINDOW_SECS,
            max_nonces: 1_000_000,
            nonces: Mutex::new(NonceCache::default()),
        }
    }

    /// Caps the remembered nonces (default one million).
    pub fn with_max_nonces(mut self, max: usize) -> Verifier {
        self.max_nonces = max.max(1);
        self
    }

    /// Registers (or replaces) a key.
    pub fn add_key(&self, key_id: &str, key: VerifyingKey) {
        self.keys
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .insert(key_id.to_owned(), key);
    }

    /// Withdraws a key (end of a rotation).
    pub fn remove_key(&self, key_id: &str) {
        self.keys
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .remove(key_id);
    }

    /// Verifies a request: the five headers, the body's digest, the
    /// signature, then remembers the nonce. `now_unix` is the verifier's
    /// clock. On success, the key id that signed.
    pub fn verify(
        &self,
        method: &str,
        path_and_query: &str,
        headers: &http::HeaderMap,
        body: &[u8],
        now_unix: i64,
    ) -> Result<String, VerifyError> {
        let get = |name: &'static str| -> Result<&str, VerifyError> {
            headers
                .get(name)
                .ok_or(VerifyError::Missing(name))?
                .to_str()
                .map_err(|_| VerifyError::Malformed(name))
        };
        let key_id = get(HEADER_KEY_ID)?;
        let timestamp_text = get(HEADER_TIMESTAMP)?;
        let nonce = get(HEADER_NONCE)?;
        let digest = get(HEADER_CONTENT_DIGEST)?;
        let signature = get(HEADER_SIGNATURE)?;
        if key_id.is_empty() || key_id.len() > 64 || !key_id.bytes().all(|c| c.is_ascii_graphic()) {
            return Err(VerifyError::Malformed(HEADER_KEY_ID));
        }
        if timestamp_text.is_empty()
            || timestamp_text.len() > 12
            || !timestamp_text.bytes().all(|c| c.is_ascii_digit())
        {
            return Err(VerifyError::Malformed(HEADER_TIMESTAMP));
        }
        let timestamp: i64 = timestamp_text
            .parse()
            .map_err(|_| VerifyError::Malformed(HEADER_TIMESTAMP))?;
        if !(16..=64).contains(&nonce.len())
            || !nonce
                .bytes()
                .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_')
        {
            return Err(VerifyError::Malformed(HEADER_NONCE));
        }
        if (timestamp - now_unix).abs() > self.window_secs {
            return Err(VerifyError::StaleTimestamp);
        }
        let key = self
            .keys
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(key_id)
            .cloned()
            .ok_or(VerifyError::UnknownKey)?;
        let expected_digest = content_digest(body);
        let sent_digest = digest
            .split(',')
            .map(str::trim)
            .find(|member| member.starts_with("sha-256="))
            .ok_or(VerifyError::Malformed(HEADER_CONTENT_DIGEST))?;
        if sent_digest != expected_digest {
            return Err(VerifyError::DigestMismatch);
        }
        let text = canonical_string(key_id, method, path_and_query, digest, timestamp, nonce);
        if !key.verify(text.as_bytes(), signature) {
            return Err(VerifyError::BadSignature);
        }
        self.remember(
            key_id,
            nonce,
            timestamp.max(now_unix) + self.window_secs,
            now_unix,
        )?;
        Ok(key_id.to_owned())
    }

    fn remember(&self, key_id: &str, nonce: &str, until: i64, now: i64) -> Result<(), VerifyError> {
        let mut cache = self.nonces.lock().unwrap_or_else(|e| e.into_inner());
        let slot = (key_id.to_owned(), nonce.to_owned());
        if cache.seen.get(&slot).is_some_and(|&expiry| expiry >= now) {
            return Err(VerifyError::Replayed);
        }
        if cache.seen.len() >= self.max_nonces || cache.inserts_since_prune >= 4096 {
            cache.seen.retain(|_, expiry| *expiry >= now);
            cache.inserts_since_prune = 0;
            if cache.seen.len() >= self.max_nonces {
                return Err(VerifyError::ReplayCacheFull);
            }
        }
        cache.seen.insert(slot, until);
        cache.inserts_since_prune += 1;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_767_225_600;
    const NONCE: &str = "AAAAAAAAAAAAAAAAAAAAAA";

    fn verifier(key: &SigningKey) -> Verifier {
        let v = Verifier::new();
        v.add_key("k1", key.verifying_key());
        v
    }

    #[test]
    fn canonical_text_is_exact() {
        assert_eq!(
            content_digest(b""),
            "sha-256=:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=:"
        );
        assert_eq!(
            canonical_string(
                "k1",
                "GET",
                "/v1/certificates/revoked?since=x",
                "sha-256=:A=:",
                5,
                "n"
            ),
            "YUESOU-SIG-1\nk1\nGET\n/v1/certificates/revoked?since=x\nsha-256=:A=:\n5\nn"
        );
    }

    /// The worked example of docs/INTEGRATION.md § "Test vector" (the HMAC
    /// value was checked independently with Python's hmac module).
    #[test]
    fn the_documented_test_vector_holds() {
        let body = r#"{"subject":{"type":"person","id_number":"44010419880520123X","name":"陈嘉明"},"kinds":["electricity"]}"#;
        let (key_id, path, ts, nonce) = (
            "yuesou-2026-01",
            "/gd/v1/bills/query",
            1_767_225_600,
            "q0VnT1pC3Tq8wHq9n0m7yA",
        );
        let ed = SigningKey::ed25519_from_seed(&[7; 32]);
        assert_eq!(
            ed.verifying_key().to_base64().as_deref(),
            Some("6kpsY+KcUgq+9VB7Ey7F+ZVHdq6+vnuSQh7qaRRG0iw=")
        );
        let h = sign_request(key_id, &ed, "POST", path, body.as_bytes(), ts, nonce);
        assert_eq!(
            h.content_digest,
            "sha-256=:cXqE8iqf3uhR3sIlZl75GfmT430oWfG2X05UiGok7Xo=:"
        );
        assert_eq!(
            h.signature,
            "QrhB7yavPF5p8ycdmPVnMHofYTYxNQwCR+hIEzPZ27rSrWjPr7pbiGBpP1282l7aKxo6ZgKYrt9dAjemEP8WAg=="
        );
        let hmac =
            SigningKey::hmac_sha256_from_base64("KioqKioqKioqKioqKioqKioqKioqKioqKioqKioqKio=");
        let Ok(hmac) = hmac else { panic!("secret") };
        let h = sign_request(key_id, &hmac, "POST", path, body.as_bytes(), ts, nonce);
        assert_eq!(h.signature, "LwOLJrs60atcTBqFHuUaKV3nnxp+WdtWZ17re0gApjQ=");
    }

    #[test]
    fn both_algorithms_verify() {
        let keys = [
            SigningKey::ed25519_from_seed(&[1; 32]),
            SigningKey::hmac_sha256_from_base64(&STANDARD.encode([9u8; 32]))
                .unwrap_or_else(|_| SigningKey::ed25519_from_seed(&[2; 32])),
        ];
        for key in keys {
            let v = verifier(&key);
            let h = sign_request("k1", &key, "POST", "/p", b"{}", NOW, NONCE);
            assert_eq!(
                v.verify("POST", "/p", &h.to_header_map(), b"{}", NOW + 299),
                Ok("k1".to_owned())
            );
        }
    }

    #[test]
    fn refusals() {
        let key = SigningKey::ed25519_from_seed(&[1; 32]);
        let other = SigningKey::ed25519_from_seed(&[2; 32]);
        let v = verifier(&key);
        let good = sign_request("k1", &key, "POST", "/p", b"{}", NOW, NONCE).to_header_map();
        assert_eq!(
            v.verify("POST", "/p", &good, b"{}", NOW + 301),
            Err(VerifyError::StaleTimestamp)
        );
        assert_eq!(
            v.verify("POST", "/p", &good, b"{}", NOW - 301),
            Err(VerifyError::StaleTimestamp)
        );
        assert_eq!(
            v.verify("POST", "/p", &good, b"{ }", NOW),
            Err(VerifyError::DigestMismatch)
        );
        assert_eq!(
            v.verify("POST", "/q", &good, b"{}", NOW),
            Err(VerifyError::BadSignature)
        );
        assert_eq!(
            v.verify("GET", "/p", &good, b"{}", NOW),
            Err(VerifyError::BadSignature)
        );
        let forged = sign_request("k1", &other, "POST", "/p", b"{}", NOW, NONCE).to_header_map();
        assert_eq!(
            v.verify("POST", "/p", &forged, b"{}", NOW),
            Err(VerifyError::BadSignature)
        );
        let unknown = sign_request("k2", &key, "POST", "/p", b"{}", NOW, NONCE).to_header_map();
        assert_eq!(
            v.verify("POST", "/p", &unknown, b"{}", NOW),
            Err(VerifyError::UnknownKey)
        );
        let mut missing = good.clone();
        missing.remove(HEADER_NONCE);
        assert_eq!(
            v.verify("POST", "/p", &missing, b"{}", NOW),
            Err(VerifyError::Missing(HEADER_NONCE))
        );
        // Failed attempts did not burn the nonce; the good one passes once.
        assert!(v.verify("POST", "/p", &good, b"{}", NOW).is_ok());
        assert_eq!(
            v.verify("POST", "/p", &good, b"{}", NOW + 1),
            Err(VerifyError::Replayed)
        );
    }

    #[test]
    fn rotation_accepts_both_keys_until_removed() {
        let old = SigningKey::ed25519_from_seed(&[1; 32]);
        let new = SigningKey::ed25519_from_seed(&[3; 32]);
        let v = verifier(&old);
        v.add_key("k2", new.verifying_key());
        let a = sign_request("k1", &old, "GET", "/p", b"", NOW, "nonce-aaaaaaaaaaaaaaaa");
        let b = sign_request("k2", &new, "GET", "/p", b"", NOW, "nonce-aaaaaaaaaaaaaaaa");
        assert!(v.verify("GET", "/p", &a.to_header_map(), b"", NOW).is_ok());
        assert!(
            v.verify("GET", "/p", &b.to_header_map(), b"", NOW).is_ok(),
            "nonces are per key id"
        );
        v.remove_key("k1");
        let c = sign_request("k1", &old, "GET", "/p", b"", NOW, "nonce-bbbbbbbbbbbbbbbb");
        assert_eq!(
            v.verify("GET", "/p", &c.to_header_map(), b"", NOW),
            Err(VerifyError::UnknownKey)
        );
    }

    #[test]
    fn full_cache_refuses() {
        let key = SigningKey::ed25519_from_seed(&[1; 32]);
        let v = Verifier::new().with_max_nonces(2);
        v.add_key("k1", key.verifying_key());
        for (i, expected) in [(0, true), (1, true), (2, false)] {
            let nonce = format!("nonce-{i:020}");
            let h = sign_request("k1", &key, "GET", "/p", b"", NOW, &nonce);
            assert_eq!(
                v.verify("GET", "/p", &h.to_header_map(), b"", NOW).is_ok(),
                expected
            );
        }
    }

    #[test]
    fn keys_from_base64() {
        let seed = STANDARD.encode([5u8; 32]);
        let key = SigningKey::ed25519_from_base64(&seed);
        assert!(key.is_ok());
        assert!(SigningKey::ed25519_from_base64("AAAA").is_err());
        assert!(SigningKey::hmac_sha256_from_base64(&STANDARD.encode([1u8; 16])).is_err());
        let public = key
            .map(|k| k.verifying_key().to_base64().unwrap_or_default())
            .unwrap_or_default();
        assert!(VerifyingKey::ed25519_from_base64(&public).is_ok());
        assert_eq!(
            format!("{:?}", SigningKey::ed25519_from_seed(&[5; 32])),
            "SigningKey::Ed25519(**)"
        );
    }
}

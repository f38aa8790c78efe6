//! The issuer's status list: which presentations are revoked, published so
//! that verifiers can check a presentation's status offline from a cached
//! copy (IETF OAuth Token Status List, one bit per entry).
//!
//! Every presentation gets its own index in the list (its `status` claim:
//! `{"status_list": {"idx", "uri"}}`), so presentations of one licence
//! carry nothing that links them. When a licence is revoked or deleted, the
//! bits of its live presentations are set to 1 (`INVALID`).
//!
//! The list is published as a JWT (`typ: statuslist+jwt`), signed by the
//! issuer's current key: claims `sub` (the list's URI), `iat`, `exp`, `ttl`
//! (seconds a verifier may cache it) and `status_list: {"bits": 1, "lst"}`
//! where `lst` is the bit array (entry `i` in byte `i / 8`, bit `i % 8`
//! counted from the least significant) compressed with ZLIB (RFC 1950) and
//! encoded base64url without padding.
//!
//! ```
//! use yuesou_wallet::{KeyStore, StatusList, sign_status_list, verify_status_list};
//! use time::macros::datetime;
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let dir = tempfile::tempdir()?;
//! let keys = KeyStore::open(dir.path())?;
//! let mut list = StatusList::new(1 << 16);
//! list.set(42, true);
//! let now = datetime!(2026-12-07 09:00 UTC);
//! let uri = "https://gd.example/api/v1/wallet/status-list";
//! let jwt = sign_status_list(&keys, &list, uri, now, 300)?;
//! let cached = verify_status_list(&jwt, &keys.jwks(), uri, now)?;
//! assert_eq!(cached.is_revoked(42), Some(true));
//! assert_eq!(cached.is_revoked(41), Some(false));
//! # Ok(())
//! # }
//! ```

use std::io::{Read, Write};

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::b64;
use crate::error::WalletError;
use crate::keys::{KeyStore, VerificationKeys, verify_ed25519};
use crate::sdjwt::{ALG, Header, check_header, parse_jws, signed_jws};

/// `typ` header of a status list token.
pub const STATUS_LIST_TYP: &str = "statuslist+jwt";
/// Largest list [`StatusList::decode`] accepts, in entries (a list of this
/// size is 2 MiB uncompressed).
pub const MAX_STATUS_ENTRIES: usize = 1 << 24;

/// A list of one-bit statuses: 0 valid, 1 revoked (`INVALID`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusList {
    bytes: Vec<u8>,
}

impl StatusList {
    /// A list of `len` entries, all valid (rounded up to whole bytes).
    pub fn new(len: usize) -> Self {
        StatusList {
            bytes: vec![0; len.div_ceil(8)],
        }
    }

    /// How many entries the list holds.
    pub fn len(&self) -> usize {
        self.bytes.len() * 8
    }

    /// Whether the list holds no entries.
    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    /// Marks entry `idx` revoked (or valid again). Indices past the end are
    /// ignored.
    pub fn set(&mut self, idx: u64, revoked: bool) {
        let Some((byte, bit)) = self.position(idx) else {
            return;
        };
        if revoked {
            self.bytes[byte] |= 1 << bit;
        } else {
            self.bytes[byte] &= !(1 << bit);
        }
    }

    /// Whether entry `idx` is revoked; `None` past the end of the list.
    pub fn is_revoked(&self, idx: u64) -> Option<bool> {
        let (byte, bit) = self.position(idx)?;
        Some(self.bytes[byte] & (1 << bit) != 0)
    }

    fn position(&self, idx: u64) -> Option<(usize, u32)> {
        let byte = usize::try_from(idx / 8).ok()?;
        (byte < self.bytes.len()).then_some((byte, (idx % 8) as u32))
    }

    /// The `lst` member: ZLIB-compressed bits, base64url.
    pub fn encode(&self) -> Result<String, WalletError> {
        let mut encoder = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
        encoder
            .write_all(&self.bytes)
            .and_then(|()| encoder.finish())
            .map(b64::encode)
            .map_err(|e| WalletError::InvalidRequest(format!("status list: {e}")))
    }

    /// A list from its `lst` member (at most [`MAX_STATUS_ENTRIES`]).
    pub fn decode(lst: &str) -> Result<Self, StatusListError> {
        let compressed = b64::decode(lst).map_err(|_| StatusListError::Malformed {
            reason: "lst is not base64url".into(),
        })?;
        let mut bytes = Vec::new();
        flate2::read::ZlibDecoder::new(compressed.as_slice())
            .take((MAX_STATUS_ENTRIES / 8 + 1) as u64)
            .read_to_end(&mut bytes)
            .map_err(|_| StatusListError::Malformed {
                reason: "lst is not ZLIB data".into(),
            })?;
        if bytes.len() > MAX_STATUS_ENTRIES / 8 {
            return Err(StatusListError::Malformed {
                reason: "the list is too large".into(),
            });
        }
        Ok(StatusList { bytes })
    }
}

#[derive(Serialize, Deserialize)]
struct ListClaim {
    bits: u8,
    lst: String,
}

#[derive(Serialize, Deserialize)]
struct ListClaims {
    sub: String,
    iat: i64,
    exp: i64,
    ttl: i64,
    status_list: ListClaim,
}

/// Why a status list token was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StatusListError {
    /// Not a status list token of this issuer's format.
    #[error("malformed status list: {reason}")]
    Malformed {
        /// What is wrong.
        reason: String,
    },
    /// Signed by a key the verifier does not know.
    #[error("status list signed by an unknown key")]
    UnknownKey,
    /// The signature does not verify.
    #[error("status list signature does not verify")]
    BadSignature,
    /// Another list than the one asked for (`sub`).
    #[error("status list for another URI")]
    WrongUri,
    /// Past its `exp`: fetch a fresh one.
    #[error("status list expired")]
    Expired,
}

/// Signs `list` as a status list token for `uri`, valid for `ttl_secs`
/// (also the `ttl` verifiers may cache it for).
pub fn sign_status_list(
    keys: &KeyStore,
    list: &StatusList,
    uri: &str,
    now: OffsetDateTime,
    ttl_secs: i64,
) -> Result<String, WalletError> {
    let iat = now.unix_timestamp();
    let claims = ListClaims {
        sub: uri.to_owned(),
        iat,
        exp: iat + ttl_secs.max(1),
        ttl: ttl_secs.max(1),
        status_list: ListClaim {
            bits: 1,
            lst: list.encode()?,
        },
    };
    let header = Header {
        alg: ALG,
        typ: STATUS_LIST_TYP,
        kid: Some(keys.current_kid()),
    };
    signed_jws(&header, &claims, |input| Ok(keys.sign(input)?.1.to_bytes()))
}

/// Checks a status list token for `uri` against the issuer's keys at
/// `now` and returns the list.
pub fn verify_status_list<K: VerificationKeys + ?Sized>(
    jwt: &str,
    keys: &K,
    uri: &str,
    now: OffsetDateTime,
) -> Result<StatusList, StatusListError> {
    let malformed = |reason: String| StatusListError::Malformed { reason };
    let jws = parse_jws(jwt.trim()).map_err(malformed)?;
    check_header(&jws.header, STATUS_LIST_TYP).map_err(malformed)?;
    let kid = jws
        .header
        .get("kid")
        .and_then(serde_json::Value::as_str)
        .ok_or_else(|| malformed("no kid".into()))?;
    let public = keys.public_key(kid).ok_or(StatusListError::UnknownKey)?;
    if !verify_ed25519(&public, jws.signing_input.as_bytes(), &jws.signature) {
        return Err(StatusListError::BadSignature);
    }
    let claims: ListClaims =
        serde_json::from_value(jws.payload).map_err(|e| malformed(format!("claims: {e}")))?;
    if claims.sub != uri {
        return Err(StatusListError::WrongUri);
    }
    if claims.exp <= now.unix_timestamp() {
        return Err(StatusListError::Expired);
    }
    if claims.status_list.bits != 1 {
        return Err(malformed("only one bit per entry is supported".into()));
    }
    StatusList::decode(&claims.status_list.lst)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bits_are_numbered_from_the_least_significant_bit_of_each_byte() {
        let mut list = StatusList::new(16);
        list.set(0, true);
        list.set(9, true);
        assert_eq!(list.bytes, vec![0b0000_0001, 0b0000_0010]);
        list.set(0, false);
        assert_eq!(list.is_revoked(0), Some(false));
        assert_eq!(list.is_revoked(9), Some(true));
        assert_eq!(list.is_revoked(16), None);
        list.set(1_000, true); // past the end: ignored
        assert_eq!(list.len(), 16);
    }

    #[test]
    fn a_list_survives_encoding_and_a_large_empty_list_is_small() {
        let mut list = StatusList::new(1 << 20);
        for idx in [3, 77, 1 << 19, (1 << 20) - 1] {
            list.set(idx, true);
        }
        let lst = list.encode().unwrap();
        assert!(lst.len() < 2_000, "{} bytes", lst.len());
        assert_eq!(StatusList::decode(&lst).unwrap(), list);
        assert!(StatusList::decode("not base64!").is_err());
        assert!(StatusList::decode(&b64::encode(b"not zlib")).is_err());
    }
}

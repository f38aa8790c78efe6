//! base64url (no padding) and SHA-256 helpers.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};

/// base64url without padding.
pub(crate) fn encode(bytes: impl AsRef<[u8]>) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Decodes base64url without padding (padding and other alphabets are
/// refused).
pub(crate) fn decode(text: &str) -> Result<Vec<u8>, base64::DecodeError> {
    URL_SAFE_NO_PAD.decode(text)
}

/// base64url of the SHA-256 digest of `bytes`.
pub(crate) fn sha256(bytes: &[u8]) -> String {
    encode(Sha256::digest(bytes))
}

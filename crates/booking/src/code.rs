//! Check-in codes: eight characters of Crockford's base32 (no I, L, O or
//! U), shown as text and as a QR code, typed or scanned at the hall.
//!
//! The code is never stored. It is derived from the booking's id and a
//! random salt under a [`CheckInKey`] kept outside the database (so the
//! holder can be shown it again), and the database keeps only its keyed
//! hash (HMAC-SHA256) for the hall's look-up — like the centre does for
//! SMS codes and presentation codes. Someone who reads the database learns
//! no code.

use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::error::BookingError;

/// Length of a check-in code.
pub const CODE_LEN: usize = 8;

/// What a check-in QR code says: this prefix and the code
/// (`YUESOU-BK:7XK2M9QD`). The hall's scanner may pass the whole text to
/// [`crate::Booking::check_in`].
pub const QR_PREFIX: &str = "YUESOU-BK:";

/// Crockford's base32 alphabet.
const CROCKFORD: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// The secret that derives check-in codes and keys their hashes. Never
/// printed; keep it in a private file, never in the database.
#[derive(Clone)]
pub struct CheckInKey([u8; 32]);

impl std::fmt::Debug for CheckInKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CheckInKey(..)")
    }
}

impl CheckInKey {
    /// A key of these bytes.
    pub fn new(bytes: [u8; 32]) -> CheckInKey {
        CheckInKey(bytes)
    }

    /// A fresh random key.
    pub fn random() -> Result<CheckInKey, BookingError> {
        Ok(CheckInKey(random_bytes::<32>()?))
    }

    /// A key from 64 hexadecimal digits.
    pub fn from_hex(text: &str) -> Option<CheckInKey> {
        let bytes = hex::decode(text.trim()).ok()?;
        Some(CheckInKey(<[u8; 32]>::try_from(bytes).ok()?))
    }

    /// HMAC-SHA256 of `parts`, each prefixed by its length so that the
    /// split cannot be moved.
    fn mac(&self, parts: &[&str]) -> [u8; 32] {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.0)
            .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
        for part in parts {
            mac.update(&(part.len() as u64).to_be_bytes());
            mac.update(part.as_bytes());
        }
        mac.finalize().into_bytes().into()
    }

    /// The check-in code of a booking with this id and salt.
    pub(crate) fn code(&self, booking_id: &str, salt: &str) -> String {
        let mac = self.mac(&["yuesou-booking check-in code", booking_id, salt]);
        // 40 bits, five per character.
        let bits = mac[..5]
            .iter()
            .fold(0u64, |acc, b| (acc << 8) | u64::from(*b));
        (0..CODE_LEN)
            .map(|i| CROCKFORD[((bits >> (35 - 5 * i)) & 31) as usize] as char)
            .collect()
    }

    /// The keyed hash of a code, as the database stores it.
    pub(crate) fn code_hash(&self, code: &str) -> String {
        hex::encode(self.mac(&["yuesou-booking check-in hash", code]))
    }

    /// A keyed hash of a request's fields (idempotency).
    pub(crate) fn request_hash(&self, parts: &[&str]) -> String {
        let mut all = vec!["yuesou-booking request"];
        all.extend_from_slice(parts);
        hex::encode(self.mac(&all))
    }
}

pub(crate) fn random_bytes<const N: usize>() -> Result<[u8; N], BookingError> {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes)
        .map_err(|e| BookingError::Internal(format!("no randomness: {e}")))?;
    Ok(bytes)
}

/// A fresh opaque id with a readable prefix (`bk_3f9c…`, 96 random bits).
pub(crate) fn new_id(prefix: &str) -> Result<String, BookingError> {
    Ok(format!("{prefix}_{}", hex::encode(random_bytes::<12>()?)))
}

/// A code as typed or scanned, in its canonical form: the QR prefix and
/// spaces and hyphens dropped, upper case, `O` read as `0` and `I`/`L` as
/// `1`; `None` unless that leaves eight characters of the alphabet.
pub fn canonical_code(text: &str) -> Option<String> {
    let text = text.trim();
    let text = text.strip_prefix(QR_PREFIX).unwrap_or(text);
    let code: String = text
        .chars()
        .filter(|c| !matches!(c, ' ' | '-'))
        .map(|c| match c.to_ascii_uppercase() {
            'O' => '0',
            'I' | 'L' => '1',
            other => other,
        })
        .collect();
    (code.len() == CODE_LEN && code.bytes().all(|b| CROCKFORD.contains(&b))).then_some(code)
}

/// What the QR code of `code` says.
pub fn qr_text(code: &str) -> String {
    format!("{QR_PREFIX}{code}")
}

/// The QR code of `code` as an SVG image (black on white, with its quiet
/// zone).
pub fn qr_svg(code: &str) -> Result<String, BookingError> {
    let qr =
        qrcode::QrCode::with_error_correction_level(qr_text(code).as_bytes(), qrcode::EcLevel::M)
            .map_err(|e| BookingError::Internal(format!("QR code: {e}")))?;
    Ok(qr
        .render::<qrcode::render::svg::Color<'_>>()
        .min_dimensions(160, 160)
        .build())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_eight_crockford_characters_derived_under_the_key() {
        let key = CheckInKey::new([7; 32]);
        let code = key.code("bk_1", "s1");
        assert_eq!(code.len(), CODE_LEN);
        assert!(code.bytes().all(|b| CROCKFORD.contains(&b)));
        assert_eq!(code, key.code("bk_1", "s1"));
        assert_ne!(code, key.code("bk_1", "s2"));
        assert_ne!(code, CheckInKey::new([8; 32]).code("bk_1", "s1"));
        assert_ne!(
            key.code_hash(&code),
            CheckInKey::new([8; 32]).code_hash(&code)
        );
        assert!(!key.code_hash(&code).contains(&code));
    }

    #[test]
    fn typed_and_scanned_codes_are_read_alike() {
        assert_eq!(canonical_code("abcd-efgh").as_deref(), Some("ABCDEFGH"));
        assert_eq!(canonical_code(" 0il1 2345 ").as_deref(), Some("01112345"));
        assert_eq!(
            canonical_code(&qr_text("7XK2M9QD")).as_deref(),
            Some("7XK2M9QD")
        );
        assert_eq!(canonical_code("ABCDEFGU"), None);
        assert_eq!(canonical_code("ABCDEFG"), None);
        assert_eq!(canonical_code("ABCDEFGHJ"), None);
        assert!(CheckInKey::from_hex(&"ab".repeat(32)).is_some());
        assert!(CheckInKey::from_hex("abcd").is_none());
    }

    #[test]
    fn the_qr_code_is_an_svg() {
        let svg = qr_svg("7XK2M9QD").unwrap();
        assert!(svg.starts_with("<?xml") && svg.contains("<svg"), "{svg}");
    }
}

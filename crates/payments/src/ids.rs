//! Identifiers made by the platform: payment ids (`PAY-20261015-8F3K2QX7MB`,
//! the provider's `out_trade_no` and the department's `payment_id`, within
//! the contract's `[A-Za-z0-9._:-]{1,128}`), refund ids, nonces.

use time::OffsetDateTime;
use yuesou_gateway::clock::CHINA;

/// Crockford's base32 alphabet (no I, L, O, U).
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// `n` random characters of Crockford's base32 (5 bits each).
pub(crate) fn random_code(n: usize) -> String {
    let mut bytes = vec![0u8; n];
    // The operating system's generator; failing it is unrecoverable.
    #[allow(clippy::expect_used)]
    getrandom::fill(&mut bytes).expect("the system random generator");
    bytes
        .iter()
        .map(|b| char::from(ALPHABET[usize::from(b & 31)]))
        .collect()
}

/// A new payment id: `PAY-` + the China date + 12 random characters (60
/// bits).
pub(crate) fn payment_id(now: OffsetDateTime) -> String {
    let d = now.to_offset(CHINA).date();
    format!(
        "PAY-{:04}{:02}{:02}-{}",
        d.year(),
        u8::from(d.month()),
        d.day(),
        random_code(12)
    )
}

/// The refund id of a payment (one full refund per payment).
pub(crate) fn refund_id(payment_id: &str) -> String {
    format!("RF-{payment_id}")
}

/// Whether `text` is a valid `Idempotency-Key`: 1–128 visible ASCII
/// characters.
pub(crate) fn is_idempotency_key(text: &str) -> bool {
    (1..=128).contains(&text.len()) && text.bytes().all(|c| c.is_ascii_graphic())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payment_ids_have_the_contract_alphabet() {
        let id = payment_id(OffsetDateTime::UNIX_EPOCH);
        assert!(id.starts_with("PAY-19700101-"), "{id}");
        assert_eq!(id.len(), 25);
        assert!(id.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-'));
        assert_ne!(payment_id(OffsetDateTime::UNIX_EPOCH), id);
    }

    #[test]
    fn idempotency_keys() {
        assert!(is_idempotency_key("0b7c8a4e-1f6d-4a55-9d1e-2f6b7c8d9e0f"));
        assert!(!is_idempotency_key(""));
        assert!(!is_idempotency_key("有 空格"));
        assert!(!is_idempotency_key(&"a".repeat(129)));
    }
}

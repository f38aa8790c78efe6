//! Amounts: whole fen, positive, within the platform's limit. A JSON
//! amount that is a decimal (`12.5`), a string or an exponent form is
//! refused rather than rounded.

use serde_json::Value;

use crate::error::{AmountProblem, PaymentError};

/// The platform's default limit for one payment: ¥50,000.00.
pub const DEFAULT_MAX_FEN: i64 = 5_000_000;

/// Checks an amount in fen: positive and at most `max_fen`.
pub fn check_amount(amount_fen: i64, max_fen: i64) -> Result<i64, PaymentError> {
    if amount_fen <= 0 {
        return Err(PaymentError::AmountInvalid(AmountProblem::NotPositive));
    }
    if amount_fen > max_fen {
        return Err(PaymentError::AmountInvalid(AmountProblem::TooLarge {
            max_fen,
        }));
    }
    Ok(amount_fen)
}

/// Reads an amount in fen from a JSON value: an integer only (`100`, not
/// `100.0`, `"100"` or `1e2`), then [`check_amount`].
///
/// ```
/// use serde_json::json;
/// use yuesou_payments::money::parse_amount_fen;
/// assert_eq!(parse_amount_fen(&json!(19695), 5_000_000).ok(), Some(19695));
/// assert_eq!(parse_amount_fen(&json!(196.95), 5_000_000).map_err(|e| e.code()), Err("amount_invalid"));
/// assert_eq!(parse_amount_fen(&json!(0), 5_000_000).map_err(|e| e.code()), Err("amount_invalid"));
/// ```
pub fn parse_amount_fen(value: &Value, max_fen: i64) -> Result<i64, PaymentError> {
    let Value::Number(n) = value else {
        return Err(PaymentError::AmountInvalid(AmountProblem::NotWholeFen));
    };
    if let Some(fen) = n.as_i64() {
        return check_amount(fen, max_fen);
    }
    if n.as_u64().is_some() {
        // Above i64::MAX: absurd.
        return Err(PaymentError::AmountInvalid(AmountProblem::TooLarge {
            max_fen,
        }));
    }
    if n.as_f64().is_some_and(|f| f <= 0.0) {
        return Err(PaymentError::AmountInvalid(AmountProblem::NotPositive));
    }
    Err(PaymentError::AmountInvalid(AmountProblem::NotWholeFen))
}

/// Yuan with two decimals (`19695` → `196.95`), for receipts and pages.
pub fn yuan(fen: i64) -> String {
    let sign = if fen < 0 { "-" } else { "" };
    let abs = fen.unsigned_abs();
    format!("{sign}{}.{:02}", abs / 100, abs % 100)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn amounts() {
        let max = DEFAULT_MAX_FEN;
        assert_eq!(parse_amount_fen(&json!(1), max).ok(), Some(1));
        for bad in [
            json!(-5),
            json!(0),
            json!(0.5),
            json!(10.01),
            json!("100"),
            json!(null),
            json!(1e30),
            json!(u64::MAX),
            json!(max + 1),
        ] {
            assert_eq!(
                parse_amount_fen(&bad, max).map_err(|e| e.code()),
                Err("amount_invalid"),
                "{bad}"
            );
        }
        assert_eq!(yuan(19695), "196.95");
        assert_eq!(yuan(5), "0.05");
        assert_eq!(yuan(-120), "-1.20");
    }
}

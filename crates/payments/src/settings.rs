//! The platform's payment settings.

use std::time::Duration;

use crate::money::DEFAULT_MAX_FEN;

/// How payments behave. [`Settings::new`] gives the defaults.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// How long an order may wait for the person to pay (the provider's
    /// order closes then) [15 min].
    pub order_lifetime: Duration,
    /// Where providers send notifications: the daemon's callback route,
    /// e.g. `https://yuesou.example/api/v1/payments/notify/dev`.
    pub callback_url: String,
    /// The daemon's public base URL; the provider sends the person back to
    /// `{public_base_url}/me/payments/{id}` after paying.
    pub public_base_url: String,
    /// The most one payment may be, in fen [¥50,000.00].
    pub max_amount_fen: i64,
    /// How long a notification waits for the department's settlement
    /// before answering the provider (recovery finishes the rest) [3 s].
    pub settle_timeout: Duration,
    /// A paying order without news for this long is queried at the
    /// provider by recovery [60 s].
    pub query_after: Duration,
    /// After a failed settlement, query or refund, recovery waits 1 s,
    /// 2 s, 4 s … up to this [10 min].
    pub max_backoff: Duration,
    /// Payments handled per kind per recovery pass [200].
    pub batch: i64,
    /// A payment paid this long ago without a settlement is reported by
    /// reconciliation as `settlement_missing` [1 h].
    pub settlement_grace: Duration,
}

impl Settings {
    /// Defaults with these URLs.
    pub fn new(callback_url: &str, public_base_url: &str) -> Settings {
        Settings {
            order_lifetime: Duration::from_secs(15 * 60),
            callback_url: callback_url.to_owned(),
            public_base_url: public_base_url.trim_end_matches('/').to_owned(),
            max_amount_fen: DEFAULT_MAX_FEN,
            settle_timeout: Duration::from_secs(3),
            query_after: Duration::from_secs(60),
            max_backoff: Duration::from_secs(600),
            batch: 200,
            settlement_grace: Duration::from_secs(3600),
        }
    }

    /// Where the person returns to after paying.
    pub(crate) fn return_url(&self, payment_id: &str) -> String {
        format!("{}/me/payments/{payment_id}", self.public_base_url)
    }

    /// The pause before attempt `attempts + 1` (milliseconds).
    pub(crate) fn backoff_ms(&self, attempts: i64) -> i64 {
        let max = i64::try_from(self.max_backoff.as_millis()).unwrap_or(i64::MAX);
        let shift = attempts.clamp(0, 30) as u32;
        1000i64.saturating_mul(1i64 << shift).min(max)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_to_a_cap() {
        let s = Settings::new("http://x/cb", "http://x/");
        assert_eq!(s.backoff_ms(0), 1000);
        assert_eq!(s.backoff_ms(3), 8000);
        assert_eq!(s.backoff_ms(40), 600_000);
        assert_eq!(s.return_url("P1"), "http://x/me/payments/P1");
    }
}

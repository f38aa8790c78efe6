//! What can go wrong when asking a department, in terms a caller can act on.
//!
//! Every message is safe to log: it names departments, operations and
//! contract fields, never a person's data and never a response body.

/// A gateway error. [`GatewayError::code`] is a stable machine token.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum GatewayError {
    /// The department cannot answer now: down, timed out, 5xx, throttling
    /// us, or its circuit breaker is open. Retrying later may work.
    #[error("department {department} is unavailable")]
    Unavailable {
        /// The department's configured code.
        department: String,
        /// When to try again, if known (a `Retry-After` or the breaker's
        /// remaining cooldown).
        retry_after_secs: Option<u64>,
    },
    /// Too many calls to this department are in flight and the queue wait
    /// ran out. Nothing was sent.
    #[error("department {department} is busy: too many calls in flight")]
    Busy {
        /// The department's configured code.
        department: String,
    },
    /// The department answered something the contract does not allow
    /// (wrong status, content type, JSON shape, types, sizes).
    #[error("department {department} broke the contract: {reason}")]
    Contract {
        /// The department's configured code.
        department: String,
        /// What was wrong, naming fields, never values.
        reason: String,
    },
    /// The department understood and says no (subject unknown, not
    /// eligible, bill already paid, amount mismatch …).
    #[error("the department refused ({code}): {reason}")]
    Refused {
        /// The department's stable code, e.g. `already_paid`.
        code: String,
        /// A short reason (personal numbers masked).
        reason: String,
    },
    /// The addressed thing does not exist (record kind, certificate kind,
    /// bill, top-up).
    #[error("{what} not found")]
    NotFound {
        /// What was looked for, e.g. `bill`.
        what: String,
    },
    /// The request is invalid (a filter, a page, an identifier).
    #[error("bad request: {0}")]
    BadRequest(String),
    /// No gateway is configured for this department (不支持在线办理).
    #[error("department {department} is not connected")]
    NotConnected {
        /// The department name or code as asked.
        department: String,
    },
    /// A fault on our side (configuration, a key the department does not
    /// accept, a ledger failure).
    #[error("gateway internal error: {0}")]
    Internal(String),
}

impl GatewayError {
    /// A stable token for the variant (metrics labels, problem `code`s).
    pub fn code(&self) -> &'static str {
        match self {
            GatewayError::Unavailable { .. } => "unavailable",
            GatewayError::Busy { .. } => "busy",
            GatewayError::Contract { .. } => "contract",
            GatewayError::Refused { .. } => "refused",
            GatewayError::NotFound { .. } => "not_found",
            GatewayError::BadRequest(_) => "bad_request",
            GatewayError::NotConnected { .. } => "not_connected",
            GatewayError::Internal(_) => "internal",
        }
    }

    /// All codes [`GatewayError::code`] can return, in a fixed order.
    pub const CODES: [&'static str; 8] = [
        "unavailable",
        "busy",
        "contract",
        "refused",
        "not_found",
        "bad_request",
        "not_connected",
        "internal",
    ];

    /// Whether trying the same call again later may succeed.
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            GatewayError::Unavailable { .. } | GatewayError::Busy { .. }
        )
    }

    pub(crate) fn not_found(what: &str) -> GatewayError {
        GatewayError::NotFound {
            what: what.to_owned(),
        }
    }

    pub(crate) fn refused(code: &str, reason: &str) -> GatewayError {
        GatewayError::Refused {
            code: code.to_owned(),
            reason: reason.to_owned(),
        }
    }
}

/// Masks what looks like a personal number in a department's free text:
/// runs of six or more digits (ID, phone, account numbers), keeping the
/// first two and last two. Text is cut to 200 characters.
pub(crate) fn mask_personal(text: &str) -> String {
    let chars: Vec<char> = text.chars().take(200).collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        let is_run = |c: char| c.is_ascii_digit() || c == 'X' || c == 'x';
        if chars[i].is_ascii_digit() {
            let mut j = i;
            while j < chars.len() && is_run(chars[j]) {
                j += 1;
            }
            if j - i >= 6 {
                for (k, c) in chars[i..j].iter().enumerate() {
                    out.push(if k < 2 || k >= j - i - 2 { *c } else { '*' });
                }
            } else {
                out.extend(&chars[i..j]);
            }
            i = j;
        } else {
            out.push(chars[i]);
            i += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_listed() {
        let all = [
            GatewayError::Unavailable {
                department: "a".into(),
                retry_after_secs: None,
            },
            GatewayError::Busy {
                department: "a".into(),
            },
            GatewayError::Contract {
                department: "a".into(),
                reason: "r".into(),
            },
            GatewayError::refused("x", "y"),
            GatewayError::not_found("bill"),
            GatewayError::BadRequest("b".into()),
            GatewayError::NotConnected {
                department: "a".into(),
            },
            GatewayError::Internal("i".into()),
        ];
        let codes: Vec<_> = all.iter().map(GatewayError::code).collect();
        assert_eq!(codes, GatewayError::CODES);
    }

    #[test]
    fn personal_numbers_are_masked() {
        assert_eq!(
            mask_personal("身份证 44010419880520123X 不存在, 电话 13800138000, 第 3 项"),
            "身份证 44**************3X 不存在, 电话 13*******00, 第 3 项"
        );
    }
}

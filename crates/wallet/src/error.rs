//! Errors of the wallet domain.
//!
//! [`WalletError`] covers loading data, the key store and making a
//! presentation; [`VerifyError`] is what [`crate::verify`] returns, with a
//! stable machine name ([`VerifyError::code`]) and a Chinese + English
//! message for problem+json bodies.

use std::path::PathBuf;

/// An error while loading wallet data, using the key store or making a
/// presentation (出示).
#[derive(Debug, thiserror::Error)]
pub enum WalletError {
    /// A file or directory could not be read or written.
    #[error("I/O error on {path}: {source}")]
    Io {
        /// The file or directory concerned.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// A data file (licence types, dev issuer licences, JWKS) is invalid.
    #[error("invalid data in {path}{}: {message}", line.map(|l| format!(" line {l}")).unwrap_or_default())]
    Data {
        /// The file concerned (empty for in-memory input).
        path: PathBuf,
        /// 1-based line number for JSON Lines files.
        line: Option<usize>,
        /// What is wrong.
        message: String,
    },
    /// No licence type (证照类型) with this code.
    #[error("unknown licence type `{0}`")]
    UnknownType(String),
    /// A field name is not a field of the licence type, or the licence has no
    /// value for it.
    #[error("licence type `{type_code}` has no field `{field}`")]
    UnknownField {
        /// The licence type code.
        type_code: String,
        /// The field name that was asked for.
        field: String,
    },
    /// The licence given to [`crate::present`] is not of the licence type given.
    #[error("licence is of type `{licence}`, not `{given}`")]
    TypeMismatch {
        /// The licence's type code.
        licence: String,
        /// The type code of the [`crate::LicenceType`] passed alongside.
        given: String,
    },
    /// A presentation request is invalid (for example a TTL out of range).
    #[error("invalid presentation request: {0}")]
    InvalidRequest(String),
    /// The key store is corrupt or unsafe (for example a key file readable by
    /// others).
    #[error("key store: {0}")]
    KeyStore(String),
    /// The operating system's random number generator failed.
    #[error("random number generator failed: {0}")]
    Random(String),
    /// The token does not fit in a QR code, even at the lowest error
    /// correction level.
    #[error("token of {len} bytes does not fit in a QR code")]
    QrTooLarge {
        /// Token length in bytes.
        len: usize,
    },
    /// An issuer back end failed (for pluggable [`crate::Issuer`]s).
    #[error("issuer `{issuer}` failed: {message}")]
    Issuer {
        /// The issuer's name.
        issuer: String,
        /// What went wrong.
        message: String,
    },
}

impl WalletError {
    /// Stable machine-readable name, e.g. `unknown_field`, for problem+json.
    /// `unknown_type`, `unknown_field`, `type_mismatch` and `invalid_request`
    /// are the caller's mistakes; the others are server-side failures.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Io { .. } => "io",
            Self::Data { .. } => "data",
            Self::UnknownType(_) => "unknown_type",
            Self::UnknownField { .. } => "unknown_field",
            Self::TypeMismatch { .. } => "type_mismatch",
            Self::InvalidRequest(_) => "invalid_request",
            Self::KeyStore(_) => "key_store",
            Self::Random(_) => "random",
            Self::QrTooLarge { .. } => "qr_too_large",
            Self::Issuer { .. } => "issuer",
        }
    }
}

/// Why a presented token was refused by [`crate::verify`].
///
/// Each variant has a stable machine name ([`code`](Self::code)) for
/// problem+json `type`/`code` members and a bilingual message
/// ([`message_zh`](Self::message_zh), [`message_en`](Self::message_en)).
/// `Display` prints `中文 (English)`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum VerifyError {
    /// The token is longer than [`crate::MAX_TOKEN_LEN`].
    #[error("{} ({})", self.message_zh(), self.message_en())]
    TooLarge {
        /// Token length in bytes.
        size: usize,
        /// The limit in bytes.
        limit: usize,
    },
    /// The token is not a well-formed SD-JWT with key binding of this wallet.
    #[error("{} ({})", self.message_zh(), self.message_en())]
    Malformed {
        /// What is wrong (English, for logs).
        reason: String,
    },
    /// The issuer key named by the header's `kid` is not known (never
    /// existed, or retired past its retention period).
    #[error("{} ({})", self.message_zh(), self.message_en())]
    UnknownKey {
        /// The `kid` in the token header.
        kid: String,
    },
    /// The issuer signature does not verify (forged or altered token).
    #[error("{} ({})", self.message_zh(), self.message_en())]
    BadSignature,
    /// The presentation has expired (`exp` is not after now).
    #[error("{} ({})", self.message_zh(), self.message_en())]
    Expired {
        /// The `exp` claim, seconds since the Unix epoch.
        expired_at: i64,
    },
    /// The presentation was issued in the future (beyond the allowed clock
    /// skew).
    #[error("{} ({})", self.message_zh(), self.message_en())]
    NotYetValid {
        /// The `iat` claim, seconds since the Unix epoch.
        issued_at: i64,
    },
    /// A disclosure does not match any digest signed by the issuer, or is
    /// repeated.
    #[error("{} ({})", self.message_zh(), self.message_en())]
    Tampered {
        /// What is wrong (English, for logs).
        reason: String,
    },
    /// The key binding JWT (KB-JWT) is missing, not signed by the key in
    /// `cnf`, or does not cover exactly the presented disclosures.
    #[error("{} ({})", self.message_zh(), self.message_en())]
    KeyBinding {
        /// What is wrong (English, for logs).
        reason: String,
    },
    /// A field the verifier requires was not disclosed.
    #[error("{} ({})", self.message_zh(), self.message_en())]
    NotDisclosed {
        /// The required field name.
        field: String,
    },
    /// The presentation was made for another verifier (its KB-JWT `aud`
    /// is not this verifier's): a token shown to one verifier does not
    /// work at another.
    #[error("{} ({})", self.message_zh(), self.message_en())]
    WrongAudience,
    /// The presentation answers another challenge (its KB-JWT `nonce` is
    /// not the one this verifier issued).
    #[error("{} ({})", self.message_zh(), self.message_en())]
    WrongNonce,
}

impl VerifyError {
    /// Stable machine-readable name, e.g. `expired`, `tampered`.
    pub fn code(&self) -> &'static str {
        match self {
            Self::TooLarge { .. } => "too_large",
            Self::Malformed { .. } => "malformed",
            Self::UnknownKey { .. } => "unknown_key",
            Self::BadSignature => "bad_signature",
            Self::Expired { .. } => "expired",
            Self::NotYetValid { .. } => "not_yet_valid",
            Self::Tampered { .. } => "tampered",
            Self::KeyBinding { .. } => "key_binding",
            Self::NotDisclosed { .. } => "not_disclosed",
            Self::WrongAudience => "wrong_audience",
            Self::WrongNonce => "wrong_nonce",
        }
    }

    /// Message for people, in Chinese.
    pub fn message_zh(&self) -> String {
        match self {
            Self::TooLarge { size, limit } => {
                format!("凭证过长（{size} 字节，上限 {limit} 字节）")
            }
            Self::Malformed { .. } => "凭证格式不正确".to_owned(),
            Self::UnknownKey { .. } => "无法识别签发密钥，凭证可能已失效".to_owned(),
            Self::BadSignature => "签名校验失败，凭证可能被伪造或篡改".to_owned(),
            Self::Expired { .. } => "出示码已过期，请让持证人重新出示".to_owned(),
            Self::NotYetValid { .. } => "出示码的签发时间晚于当前时间".to_owned(),
            Self::Tampered { .. } => "证照信息与签发内容不符，可能被篡改".to_owned(),
            Self::KeyBinding { .. } => "持有人绑定校验失败".to_owned(),
            Self::NotDisclosed { field } => format!("持证人未出示所需信息：{field}"),
            Self::WrongAudience => "该出示码不是出示给本核验方的".to_owned(),
            Self::WrongNonce => "该出示码不是对本次核验请求的应答".to_owned(),
        }
    }

    /// Message for people, in English.
    pub fn message_en(&self) -> String {
        match self {
            Self::TooLarge { size, limit } => {
                format!("token too large ({size} bytes, limit {limit})")
            }
            Self::Malformed { reason } => format!("malformed token: {reason}"),
            Self::UnknownKey { kid } => format!("unknown issuer key `{kid}`"),
            Self::BadSignature => "issuer signature does not verify".to_owned(),
            Self::Expired { .. } => "presentation has expired".to_owned(),
            Self::NotYetValid { .. } => "presentation is not yet valid".to_owned(),
            Self::Tampered { reason } => format!("disclosures tampered with: {reason}"),
            Self::KeyBinding { reason } => format!("key binding failed: {reason}"),
            Self::NotDisclosed { field } => format!("required field `{field}` not disclosed"),
            Self::WrongAudience => "presented to another verifier (aud)".to_owned(),
            Self::WrongNonce => "answers another challenge (nonce)".to_owned(),
        }
    }
}

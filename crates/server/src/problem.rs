//! RFC 9457 problem details: every error the API returns, each kind with a
//! stable `type` URI (see [`ProblemKind`]).

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// Base of the stable `type` URIs of our problems.
pub const TYPE_BASE: &str = "https://yuesou.dev/problems/";

/// Media type of problem responses.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// Every kind of problem the API reports. The slug is the last segment of the
/// problem's `type` URI and never changes once published.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ProblemKind {
    /// A query or path parameter is unknown, malformed, repeated or out of
    /// range (400).
    InvalidParameter,
    /// The request as a whole is invalid, e.g. an unknown filter value (400).
    InvalidRequest,
    /// The admin endpoints need `Authorization: Bearer <token>` (401).
    Unauthorized,
    /// The admin endpoints are disabled: no token is configured (403).
    AdminDisabled,
    /// The addressed resource (a service item) does not exist (404).
    NotFound,
    /// No endpoint has this path (404).
    NoSuchEndpoint,
    /// The endpoint does not accept this method (405, with `Allow`).
    MethodNotAllowed,
    /// The request body is larger than the daemon accepts (413).
    PayloadTooLarge,
    /// The request's headers are larger than the daemon accepts (431).
    HeadersTooLarge,
    /// The engine could not be (re)built from the data files (500).
    ReloadFailed,
    /// An unexpected server fault, never caused by input (500).
    Internal,
    /// The index is still loading (503, with `Retry-After`).
    NotReady,
    /// The request took longer than the configured timeout (503).
    Timeout,
    /// A personal route without a valid session: no token, or an unknown,
    /// expired or revoked one (401).
    Unauthenticated,
    /// Login failed: the phone, password or code is not correct — one
    /// answer for all three, so nobody learns who is registered (401).
    BadCredentials,
    /// The account is under attack: a password login also needs a `login`
    /// SMS code (401).
    SecondFactorRequired,
    /// Too many logins at once (password hashing is limited); see
    /// `Retry-After` (503).
    Busy,
    /// The action needs a higher login level; `level` names it (403).
    StepUpRequired,
    /// The caller may not do this (403).
    Forbidden,
    /// The operator endpoints are disabled: no operator token is
    /// configured (403).
    OperatorDisabled,
    /// The request conflicts with the current state (409).
    Conflict,
    /// Text contains a banned word and was not stored (422).
    BannedWord,
    /// Too many attempts; see `Retry-After` (429).
    RateLimited,
    /// The personal-centre database is unavailable; see `Retry-After` (503).
    Unavailable,
    /// The daemon runs without the personal centre (503).
    CentreDisabled,
    /// Not a presentation: malformed or oversized token (400).
    PresentationMalformed,
    /// The presentation has expired (422).
    PresentationExpired,
    /// Forged, changed, signed by an unknown key or with a broken key
    /// binding (422).
    PresentationInvalid,
    /// The licence was deleted from the wallet or revoked (422).
    PresentationRevoked,
    /// A field the verifier requires was not disclosed (422).
    FieldNotDisclosed,
    /// The presentation was made for another verifier or another request
    /// (its audience or nonce) (422).
    PresentationNotForVerifier,
    /// The presentation's challenge was used already: a replay (422).
    PresentationReplayed,
    /// The issuer revoked this licence: it cannot be added or presented
    /// (409).
    LicenceRevoked,
}

impl ProblemKind {
    /// Every kind, for documentation and tests.
    pub const ALL: [ProblemKind; 33] = [
        ProblemKind::InvalidParameter,
        ProblemKind::InvalidRequest,
        ProblemKind::Unauthorized,
        ProblemKind::AdminDisabled,
        ProblemKind::NotFound,
        ProblemKind::NoSuchEndpoint,
        ProblemKind::MethodNotAllowed,
        ProblemKind::PayloadTooLarge,
        ProblemKind::HeadersTooLarge,
        ProblemKind::ReloadFailed,
        ProblemKind::Internal,
        ProblemKind::NotReady,
        ProblemKind::Timeout,
        ProblemKind::Unauthenticated,
        ProblemKind::BadCredentials,
        ProblemKind::SecondFactorRequired,
        ProblemKind::Busy,
        ProblemKind::StepUpRequired,
        ProblemKind::Forbidden,
        ProblemKind::OperatorDisabled,
        ProblemKind::Conflict,
        ProblemKind::BannedWord,
        ProblemKind::RateLimited,
        ProblemKind::Unavailable,
        ProblemKind::CentreDisabled,
        ProblemKind::PresentationMalformed,
        ProblemKind::PresentationExpired,
        ProblemKind::PresentationInvalid,
        ProblemKind::PresentationRevoked,
        ProblemKind::FieldNotDisclosed,
        ProblemKind::PresentationNotForVerifier,
        ProblemKind::PresentationReplayed,
        ProblemKind::LicenceRevoked,
    ];

    /// The stable slug (last segment of the `type` URI).
    pub fn slug(self) -> &'static str {
        match self {
            ProblemKind::InvalidParameter => "invalid-parameter",
            ProblemKind::InvalidRequest => "invalid-request",
            ProblemKind::Unauthorized => "unauthorized",
            ProblemKind::AdminDisabled => "admin-disabled",
            ProblemKind::NotFound => "not-found",
            ProblemKind::NoSuchEndpoint => "no-such-endpoint",
            ProblemKind::MethodNotAllowed => "method-not-allowed",
            ProblemKind::PayloadTooLarge => "payload-too-large",
            ProblemKind::HeadersTooLarge => "request-header-fields-too-large",
            ProblemKind::ReloadFailed => "reload-failed",
            ProblemKind::Internal => "internal",
            ProblemKind::NotReady => "not-ready",
            ProblemKind::Timeout => "timeout",
            ProblemKind::Unauthenticated => "unauthenticated",
            ProblemKind::BadCredentials => "bad-credentials",
            ProblemKind::SecondFactorRequired => "second-factor-required",
            ProblemKind::Busy => "busy",
            ProblemKind::StepUpRequired => "step-up-required",
            ProblemKind::Forbidden => "forbidden",
            ProblemKind::OperatorDisabled => "operator-disabled",
            ProblemKind::Conflict => "conflict",
            ProblemKind::BannedWord => "banned-word",
            ProblemKind::RateLimited => "rate-limited",
            ProblemKind::Unavailable => "unavailable",
            ProblemKind::CentreDisabled => "centre-disabled",
            ProblemKind::PresentationMalformed => "presentation-malformed",
            ProblemKind::PresentationExpired => "presentation-expired",
            ProblemKind::PresentationInvalid => "presentation-invalid",
            ProblemKind::PresentationRevoked => "presentation-revoked",
            ProblemKind::FieldNotDisclosed => "field-not-disclosed",
            ProblemKind::PresentationNotForVerifier => "presentation-not-for-verifier",
            ProblemKind::PresentationReplayed => "presentation-replayed",
            ProblemKind::LicenceRevoked => "licence-revoked",
        }
    }

    /// The HTTP status of this kind.
    pub fn status(self) -> StatusCode {
        match self {
            ProblemKind::InvalidParameter
            | ProblemKind::InvalidRequest
            | ProblemKind::PresentationMalformed => StatusCode::BAD_REQUEST,
            ProblemKind::PresentationExpired
            | ProblemKind::PresentationInvalid
            | ProblemKind::PresentationRevoked
            | ProblemKind::FieldNotDisclosed
            | ProblemKind::PresentationNotForVerifier
            | ProblemKind::PresentationReplayed => StatusCode::UNPROCESSABLE_ENTITY,
            ProblemKind::Unauthorized
            | ProblemKind::Unauthenticated
            | ProblemKind::BadCredentials
            | ProblemKind::SecondFactorRequired => StatusCode::UNAUTHORIZED,
            ProblemKind::AdminDisabled
            | ProblemKind::StepUpRequired
            | ProblemKind::Forbidden
            | ProblemKind::OperatorDisabled => StatusCode::FORBIDDEN,
            ProblemKind::Conflict | ProblemKind::LicenceRevoked => StatusCode::CONFLICT,
            ProblemKind::BannedWord => StatusCode::UNPROCESSABLE_ENTITY,
            ProblemKind::RateLimited => StatusCode::TOO_MANY_REQUESTS,
            ProblemKind::Unavailable | ProblemKind::CentreDisabled | ProblemKind::Busy => {
                StatusCode::SERVICE_UNAVAILABLE
            }
            ProblemKind::NotFound | ProblemKind::NoSuchEndpoint => StatusCode::NOT_FOUND,
            ProblemKind::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            ProblemKind::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ProblemKind::HeadersTooLarge => StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            ProblemKind::ReloadFailed | ProblemKind::Internal => StatusCode::INTERNAL_SERVER_ERROR,
            ProblemKind::NotReady | ProblemKind::Timeout => StatusCode::SERVICE_UNAVAILABLE,
        }
    }

    /// The short human-readable summary of this kind (`title`).
    pub fn title(self) -> &'static str {
        match self {
            ProblemKind::InvalidParameter => "Invalid parameter",
            ProblemKind::InvalidRequest => "Invalid request",
            ProblemKind::Unauthorized => "Unauthorized",
            ProblemKind::AdminDisabled => "Admin endpoints disabled",
            ProblemKind::NotFound => "Not found",
            ProblemKind::NoSuchEndpoint => "No such endpoint",
            ProblemKind::MethodNotAllowed => "Method not allowed",
            ProblemKind::PayloadTooLarge => "Payload too large",
            ProblemKind::HeadersTooLarge => "Request headers too large",
            ProblemKind::ReloadFailed => "Reload failed",
            ProblemKind::Internal => "Internal error",
            ProblemKind::NotReady => "Not ready",
            ProblemKind::Timeout => "Timeout",
            ProblemKind::Unauthenticated => "Not logged in",
            ProblemKind::BadCredentials => "Wrong credentials",
            ProblemKind::SecondFactorRequired => "SMS code needed too",
            ProblemKind::Busy => "Server busy",
            ProblemKind::StepUpRequired => "Higher login level required",
            ProblemKind::Forbidden => "Forbidden",
            ProblemKind::OperatorDisabled => "Operator endpoints disabled",
            ProblemKind::Conflict => "Conflict",
            ProblemKind::BannedWord => "Banned word",
            ProblemKind::RateLimited => "Too many attempts",
            ProblemKind::Unavailable => "Temporarily unavailable",
            ProblemKind::CentreDisabled => "Personal centre disabled",
            ProblemKind::PresentationMalformed => "Not a presentation",
            ProblemKind::PresentationExpired => "Presentation expired",
            ProblemKind::PresentationInvalid => "Presentation invalid",
            ProblemKind::PresentationRevoked => "Licence deleted or revoked",
            ProblemKind::FieldNotDisclosed => "Field not disclosed",
            ProblemKind::PresentationNotForVerifier => "Presentation for another verifier",
            ProblemKind::PresentationReplayed => "Presentation used already",
            ProblemKind::LicenceRevoked => "Licence revoked",
        }
    }

    /// The full `type` URI.
    pub fn type_uri(self) -> String {
        format!("{TYPE_BASE}{}", self.slug())
    }

    /// The kind a bare error status maps to, for error responses produced
    /// outside our handlers (framework rejections, layers).
    pub fn for_status(status: StatusCode) -> ProblemKind {
        match status {
            StatusCode::UNAUTHORIZED => ProblemKind::Unauthorized,
            StatusCode::FORBIDDEN => ProblemKind::Forbidden,
            StatusCode::CONFLICT => ProblemKind::Conflict,
            StatusCode::TOO_MANY_REQUESTS => ProblemKind::RateLimited,
            StatusCode::NOT_FOUND => ProblemKind::NoSuchEndpoint,
            StatusCode::METHOD_NOT_ALLOWED => ProblemKind::MethodNotAllowed,
            StatusCode::PAYLOAD_TOO_LARGE => ProblemKind::PayloadTooLarge,
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE => ProblemKind::HeadersTooLarge,
            StatusCode::SERVICE_UNAVAILABLE | StatusCode::REQUEST_TIMEOUT => ProblemKind::Timeout,
            s if s.is_client_error() => ProblemKind::InvalidRequest,
            _ => ProblemKind::Internal,
        }
    }
}

/// An error response (`application/problem+json`, RFC 9457).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[schema(example = json!({
    "type": "https://yuesou.dev/problems/invalid-parameter",
    "title": "Invalid parameter",
    "status": 400,
    "detail": "must be an integer from 1 to 100, got \"1000\"",
    "parameter": "size"
}))]
pub struct Problem {
    /// Stable URI identifying the kind of problem
    /// (`https://yuesou.dev/problems/<slug>`).
    #[serde(rename = "type")]
    #[schema(rename = "type")]
    pub kind: String,
    /// Short summary of the kind.
    pub title: &'static str,
    /// HTTP status.
    pub status: u16,
    /// What went wrong with this request.
    pub detail: String,
    /// The offending parameter or body field, if one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parameter: Option<String>,
    /// For `step-up-required`: the login level needed (`L2`, `L3`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub level: Option<&'static str>,
    /// For `rate-limited` and `unavailable`: seconds to wait (also in
    /// `Retry-After`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<u32>,
}

impl Problem {
    /// A problem of this kind.
    pub fn new(kind: ProblemKind, detail: impl Into<String>) -> Self {
        Problem {
            kind: kind.type_uri(),
            title: kind.title(),
            status: kind.status().as_u16(),
            detail: detail.into(),
            parameter: None,
            level: None,
            retry_after: None,
        }
    }

    /// A query or path parameter is missing, unknown, malformed or out of range.
    pub fn invalid_parameter(parameter: &str, detail: impl Into<String>) -> Self {
        Problem {
            parameter: Some(parameter.to_string()),
            ..Self::new(ProblemKind::InvalidParameter, detail)
        }
    }

    /// The request as a whole is invalid.
    pub fn invalid_request(detail: impl Into<String>) -> Self {
        Self::new(ProblemKind::InvalidRequest, detail)
    }

    /// The addressed resource does not exist.
    pub fn not_found(detail: impl Into<String>) -> Self {
        Self::new(ProblemKind::NotFound, detail)
    }

    /// No endpoint has this path.
    pub fn no_such_endpoint() -> Self {
        Self::new(
            ProblemKind::NoSuchEndpoint,
            "no such endpoint; see /api/v1/openapi.json",
        )
    }

    /// The method is not allowed on this route.
    pub fn method_not_allowed() -> Self {
        Self::new(
            ProblemKind::MethodNotAllowed,
            "this endpoint does not accept that HTTP method; see the Allow header",
        )
    }

    /// The index is not loaded yet.
    pub fn not_ready() -> Self {
        Self::new(
            ProblemKind::NotReady,
            "the index is still loading; retry shortly",
        )
    }

    /// An unexpected server fault (never caused by input).
    pub fn internal(detail: impl Into<String>) -> Self {
        Self::new(ProblemKind::Internal, detail)
    }

    /// The kind of this problem, recovered from its `type`.
    pub fn problem_kind(&self) -> Option<ProblemKind> {
        let slug = self.kind.strip_prefix(TYPE_BASE)?;
        ProblemKind::ALL.into_iter().find(|k| k.slug() == slug)
    }
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({}): {}", self.title, self.status, self.detail)
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let kind = self.problem_kind();
        let body = serde_json::to_vec(&self).unwrap_or_default();
        let mut response = (status, body).into_response();
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
        match kind {
            Some(ProblemKind::NotReady) => {
                headers.insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
            }
            Some(ProblemKind::Unauthorized) => {
                headers.insert(
                    header::WWW_AUTHENTICATE,
                    HeaderValue::from_static("Bearer realm=\"yuesou-admin\""),
                );
            }
            Some(ProblemKind::Unauthenticated) => {
                headers.insert(
                    header::WWW_AUTHENTICATE,
                    HeaderValue::from_static("Bearer realm=\"yuesou\""),
                );
            }
            _ => {}
        }
        if let Some(seconds) = self.retry_after {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}

impl From<yuesou_centre::CentreError> for Problem {
    fn from(error: yuesou_centre::CentreError) -> Self {
        use yuesou_centre::CentreError as E;
        let detail = error.to_string();
        match error {
            E::Unauthenticated => Problem::new(ProblemKind::Unauthenticated, detail),
            E::BadCredentials => Problem::new(ProblemKind::BadCredentials, detail),
            E::SecondFactorRequired => Problem::new(ProblemKind::SecondFactorRequired, detail),
            E::Busy { retry_after_secs } => Problem {
                retry_after: Some(u32::try_from(retry_after_secs).unwrap_or(u32::MAX)),
                ..Problem::new(ProblemKind::Busy, detail)
            },
            E::LicenceRevoked => Problem::new(ProblemKind::LicenceRevoked, detail),
            E::WalletDisabled => Problem::new(ProblemKind::CentreDisabled, detail),
            E::NotFound(_) => Problem::new(ProblemKind::NotFound, detail),
            E::Invalid { field, .. } => Problem {
                parameter: Some(field.to_string()),
                ..Problem::new(ProblemKind::InvalidRequest, detail)
            },
            E::Conflict(_) => Problem::new(ProblemKind::Conflict, detail),
            E::StepUpRequired { required, .. } => Problem {
                level: Some(match required {
                    yuesou_centre::Level::L1 => "L1",
                    yuesou_centre::Level::L2 => "L2",
                    yuesou_centre::Level::L3 => "L3",
                }),
                ..Problem::new(ProblemKind::StepUpRequired, detail)
            },
            E::Forbidden(_) => Problem::new(ProblemKind::Forbidden, detail),
            E::BannedWord { .. } => Problem::new(ProblemKind::BannedWord, detail),
            E::RateLimited { retry_after_secs } => Problem {
                retry_after: Some(u32::try_from(retry_after_secs).unwrap_or(u32::MAX)),
                ..Problem::new(ProblemKind::RateLimited, detail)
            },
            E::Unavailable => Problem {
                retry_after: Some(2),
                ..Problem::new(ProblemKind::Unavailable, detail)
            },
            E::StorageUnavailable(_) => Problem {
                retry_after: Some(30),
                ..Problem::new(ProblemKind::Unavailable, detail)
            },
            E::Provider(_) | E::Internal(_) => {
                tracing::error!(error = %detail, "personal centre fault");
                Problem::internal("an unexpected fault; it has been logged")
            }
        }
    }
}

impl From<yuesou_core::Error> for Problem {
    fn from(error: yuesou_core::Error) -> Self {
        match error {
            yuesou_core::Error::InvalidRequest(detail) => Problem::invalid_request(detail),
            yuesou_core::Error::UnknownItem(id) => {
                Problem::not_found(format!("no service item with id {id:?}"))
            }
            other => Problem::internal(other.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_round_trips_through_its_type_uri() {
        for kind in ProblemKind::ALL {
            let problem = Problem::new(kind, "x");
            assert_eq!(problem.problem_kind(), Some(kind));
            assert_eq!(problem.status, kind.status().as_u16());
        }
        let slugs: std::collections::HashSet<_> =
            ProblemKind::ALL.iter().map(|k| k.slug()).collect();
        assert_eq!(slugs.len(), ProblemKind::ALL.len(), "slugs are unique");
    }

    #[test]
    fn responses_carry_the_media_type_and_hint_headers() {
        let response = Problem::not_ready().into_response();
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(response.headers()[header::CONTENT_TYPE], PROBLEM_JSON);
        assert_eq!(response.headers()[header::RETRY_AFTER], "1");
        let response = Problem::new(ProblemKind::Unauthorized, "no token").into_response();
        assert!(response.headers().contains_key(header::WWW_AUTHENTICATE));
    }
}

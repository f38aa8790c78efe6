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
    /// The engine could not be (re)built from the data files (500).
    ReloadFailed,
    /// An unexpected server fault, never caused by input (500).
    Internal,
    /// The index is still loading (503, with `Retry-After`).
    NotReady,
    /// The request took longer than the configured timeout (503).
    Timeout,
}

impl ProblemKind {
    /// Every kind, for documentation and tests.
    pub const ALL: [ProblemKind; 12] = [
        ProblemKind::InvalidParameter,
        ProblemKind::InvalidRequest,
        ProblemKind::Unauthorized,
        ProblemKind::AdminDisabled,
        ProblemKind::NotFound,
        ProblemKind::NoSuchEndpoint,
        ProblemKind::MethodNotAllowed,
        ProblemKind::PayloadTooLarge,
        ProblemKind::ReloadFailed,
        ProblemKind::Internal,
        ProblemKind::NotReady,
        ProblemKind::Timeout,
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
            ProblemKind::ReloadFailed => "reload-failed",
            ProblemKind::Internal => "internal",
            ProblemKind::NotReady => "not-ready",
            ProblemKind::Timeout => "timeout",
        }
    }

    /// The HTTP status of this kind.
    pub fn status(self) -> StatusCode {
        match self {
            ProblemKind::InvalidParameter | ProblemKind::InvalidRequest => StatusCode::BAD_REQUEST,
            ProblemKind::Unauthorized => StatusCode::UNAUTHORIZED,
            ProblemKind::AdminDisabled => StatusCode::FORBIDDEN,
            ProblemKind::NotFound | ProblemKind::NoSuchEndpoint => StatusCode::NOT_FOUND,
            ProblemKind::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            ProblemKind::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
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
            ProblemKind::ReloadFailed => "Reload failed",
            ProblemKind::Internal => "Internal error",
            ProblemKind::NotReady => "Not ready",
            ProblemKind::Timeout => "Timeout",
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
            StatusCode::FORBIDDEN => ProblemKind::AdminDisabled,
            StatusCode::NOT_FOUND => ProblemKind::NoSuchEndpoint,
            StatusCode::METHOD_NOT_ALLOWED => ProblemKind::MethodNotAllowed,
            StatusCode::PAYLOAD_TOO_LARGE => ProblemKind::PayloadTooLarge,
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
    pub title: String,
    /// HTTP status.
    pub status: u16,
    /// What went wrong with this request.
    pub detail: String,
    /// The offending parameter, if one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parameter: Option<String>,
}

impl Problem {
    /// A problem of this kind.
    pub fn new(kind: ProblemKind, detail: impl Into<String>) -> Self {
        Problem {
            kind: kind.type_uri(),
            title: kind.title().to_string(),
            status: kind.status().as_u16(),
            detail: detail.into(),
            parameter: None,
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
            _ => {}
        }
        response
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

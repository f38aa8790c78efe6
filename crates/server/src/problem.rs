//! RFC 9457 problem details: every error the API returns, each kind with a
//! stable `type` URI (see [`ProblemKind`]).

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::i18n::{Lang, Messages, Text};

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
    /// A department cannot answer now — down, slow, throttling, or not
    /// connected; see `Retry-After` when known (503). Other services keep
    /// working.
    DepartmentUnavailable,
    /// A department's answer broke the contract (502).
    DepartmentError,
    /// 预约: no place is left in this slot (409).
    SlotFull,
    /// 预约: the hall closed this slot (409).
    SlotClosed,
    /// 预约: the account holds an active booking of this service (409).
    AlreadyBooked,
    /// 预约: booking is suspended after no-shows; the detail says until
    /// when (403).
    BookingSuspended,
    /// 预约: too late to cancel or move the booking (409).
    TooLateToChange,
    /// 缴费: the payment cannot be made as asked — an amount outside the
    /// payee's range, a department's refusal, an idempotency key of
    /// another payment (422).
    PaymentRejected,
    /// 缴费: the item's department takes no payments online (501).
    NotPayableOnline,
    /// 办理: answers of a form step were refused, field by field (`errors`)
    /// (422).
    InvalidAnswers,
    /// 办理 materials: the file is of a kind not accepted — read from its
    /// bytes, whatever its name or `Content-Type` say (HEIC, an executable
    /// …), or the request is not `multipart/form-data` (415).
    UnsupportedMediaType,
    /// 办理 materials: the file cannot be taken as it is — an image that
    /// does not decode (truncated) or has too many pixels, a PDF without
    /// its header, a bad file name, a slot the flow does not have (422).
    InvalidMaterial,
}

impl ProblemKind {
    /// Every kind, for documentation and tests.
    pub const ALL: [ProblemKind; 45] = [
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
        ProblemKind::DepartmentUnavailable,
        ProblemKind::DepartmentError,
        ProblemKind::SlotFull,
        ProblemKind::SlotClosed,
        ProblemKind::AlreadyBooked,
        ProblemKind::BookingSuspended,
        ProblemKind::TooLateToChange,
        ProblemKind::PaymentRejected,
        ProblemKind::NotPayableOnline,
        ProblemKind::InvalidAnswers,
        ProblemKind::UnsupportedMediaType,
        ProblemKind::InvalidMaterial,
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
            ProblemKind::DepartmentUnavailable => "department-unavailable",
            ProblemKind::DepartmentError => "department-error",
            ProblemKind::SlotFull => "slot-full",
            ProblemKind::SlotClosed => "slot-closed",
            ProblemKind::AlreadyBooked => "already-booked",
            ProblemKind::BookingSuspended => "booking-suspended",
            ProblemKind::TooLateToChange => "too-late-to-change",
            ProblemKind::PaymentRejected => "payment-rejected",
            ProblemKind::NotPayableOnline => "not-payable-online",
            ProblemKind::InvalidAnswers => "invalid-answers",
            ProblemKind::UnsupportedMediaType => "unsupported-media-type",
            ProblemKind::InvalidMaterial => "invalid-material",
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
            ProblemKind::NotReady | ProblemKind::Timeout | ProblemKind::DepartmentUnavailable => {
                StatusCode::SERVICE_UNAVAILABLE
            }
            ProblemKind::DepartmentError => StatusCode::BAD_GATEWAY,
            ProblemKind::SlotFull
            | ProblemKind::SlotClosed
            | ProblemKind::AlreadyBooked
            | ProblemKind::TooLateToChange => StatusCode::CONFLICT,
            ProblemKind::BookingSuspended => StatusCode::FORBIDDEN,
            ProblemKind::PaymentRejected
            | ProblemKind::InvalidAnswers
            | ProblemKind::InvalidMaterial => StatusCode::UNPROCESSABLE_ENTITY,
            ProblemKind::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ProblemKind::NotPayableOnline => StatusCode::NOT_IMPLEMENTED,
        }
    }

    /// The message id of this kind's title (`problem-<slug>`).
    pub fn title_id(self) -> String {
        format!("problem-{}", self.slug())
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

/// An error response (`application/problem+json`, RFC 9457), its title and
/// detail in the reader's language (`Accept-Language`; zh-CN by default).
///
/// Handlers build it from a message id ([`Text`]); the middleware renders
/// it ([`Problem::body`]) once the reader's language is known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The kind (its `type` URI and title).
    pub kind: ProblemKind,
    /// HTTP status (the kind's, unless a framework rejection said another).
    pub status: u16,
    /// What went wrong with this request, as a message.
    pub text: Text,
    /// The offending parameter or body field, if one.
    pub parameter: Option<String>,
    /// For `step-up-required`: the login level needed (`L2`, `L3`).
    pub level: Option<&'static str>,
    /// For `rate-limited` and `unavailable`: seconds to wait.
    pub retry_after: Option<u32>,
    /// For `invalid-answers`: each refused field, its code and message
    /// (boxed: most problems have none, and a problem travels in every
    /// `Result` of a handler).
    pub errors: Option<Box<FieldProblems>>,
}

/// The refused fields of an `invalid-answers` problem, in field order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldProblems(pub Vec<FieldProblem>);

/// One refused field of a problem: which, a stable code, and the message
/// (rendered in the reader's language with the problem).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldProblem {
    /// The field's name.
    pub field: String,
    /// The stable code (`required`, `too_long` …).
    pub code: &'static str,
    /// What is wrong, as a message.
    pub text: Text,
}

/// A refused field as the reader receives it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct FieldErrorBody {
    /// The field's name (the answer's key; `?` for a key that is no field
    /// name and may hold personal data).
    pub field: String,
    /// What is wrong, stable across languages: `required`,
    /// `unknown_field`, `wrong_type`, `too_short`, `too_long`, `pattern`,
    /// `not_a_number`, `too_small`, `too_large`, `too_many_decimals`,
    /// `not_a_date`, `too_early`, `too_late`, `not_an_option`,
    /// `bad_id_number`, `bad_uscc`, `bad_phone`, `bad_address`,
    /// `control_characters`, `read_only`.
    #[schema(value_type = yuesou_flows::ErrorCode)]
    pub code: String,
    /// What is wrong, in the reader's language (zh-CN by default).
    pub message: String,
}

/// A problem as the reader receives it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[schema(as = Problem, example = json!({
    "type": "https://yuesou.dev/problems/invalid-parameter",
    "title": "参数有误",
    "status": 400,
    "detail": "应为 1 到 100 之间的整数。",
    "code": "err-param-integer",
    "parameter": "size"
}))]
pub struct ProblemBody {
    /// Stable URI identifying the kind of problem
    /// (`https://yuesou.dev/problems/<slug>`).
    #[serde(rename = "type")]
    #[schema(rename = "type")]
    pub kind: String,
    /// Short summary of the kind, in the reader's language.
    pub title: String,
    /// HTTP status.
    pub status: u16,
    /// What went wrong with this request, in the reader's language.
    pub detail: String,
    /// The message id of `detail`: stable across languages, for programs
    /// that show their own text.
    pub code: String,
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
    /// For `invalid-answers`: every refused field, in field order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldErrorBody>,
}

impl utoipa::PartialSchema for Problem {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        <ProblemBody as utoipa::PartialSchema>::schema()
    }
}

impl utoipa::ToSchema for Problem {
    fn name() -> std::borrow::Cow<'static, str> {
        std::borrow::Cow::Borrowed("Problem")
    }
}

impl Problem {
    /// A problem of this kind, its detail the message `detail`.
    pub fn new(kind: ProblemKind, detail: impl Into<Text>) -> Self {
        Problem {
            kind,
            status: kind.status().as_u16(),
            text: detail.into(),
            parameter: None,
            level: None,
            retry_after: None,
            errors: None,
        }
    }

    /// A query or path parameter is missing, unknown, malformed or out of range.
    pub fn invalid_parameter(parameter: &str, detail: impl Into<Text>) -> Self {
        Problem {
            parameter: Some(parameter.to_string()),
            ..Self::new(ProblemKind::InvalidParameter, detail)
        }
    }

    /// The request as a whole is invalid.
    pub fn invalid_request(detail: impl Into<Text>) -> Self {
        Self::new(ProblemKind::InvalidRequest, detail)
    }

    /// The addressed resource does not exist.
    pub fn not_found(detail: impl Into<Text>) -> Self {
        Self::new(ProblemKind::NotFound, detail)
    }

    /// No endpoint has this path.
    pub fn no_such_endpoint() -> Self {
        Self::new(ProblemKind::NoSuchEndpoint, "err-no-such-endpoint")
    }

    /// The method is not allowed on this route.
    pub fn method_not_allowed() -> Self {
        Self::new(ProblemKind::MethodNotAllowed, "err-method-not-allowed")
    }

    /// The index is not loaded yet.
    pub fn not_ready() -> Self {
        Self::new(ProblemKind::NotReady, "err-not-ready")
    }

    /// An unexpected server fault (never caused by input). `fault` is
    /// logged, never shown.
    pub fn internal(fault: impl std::fmt::Display) -> Self {
        tracing::error!(error = %fault, "internal fault");
        Self::new(ProblemKind::Internal, "err-internal")
    }

    /// The message id of the detail.
    pub fn code(&self) -> &str {
        self.text.id()
    }

    /// The problem as the reader of `lang` receives it (message ids
    /// without a catalogue).
    pub fn body(&self, messages: Option<&Messages>, lang: Lang) -> ProblemBody {
        let say = |text: &Text| crate::i18n::render(messages, lang, text);
        ProblemBody {
            kind: self.kind.type_uri(),
            title: say(&Text::new(self.kind.title_id())),
            status: self.status,
            detail: say(&self.text),
            code: self.text.id().to_owned(),
            parameter: self.parameter.clone(),
            level: self.level,
            retry_after: self.retry_after,
            errors: self
                .errors
                .iter()
                .flat_map(|e| e.0.iter())
                .map(|e| FieldErrorBody {
                    field: e.field.clone(),
                    code: e.code.to_owned(),
                    message: say(&e.text),
                })
                .collect(),
        }
    }

    /// The JSON of [`Problem::body`].
    pub fn json(&self, messages: Option<&Messages>, lang: Lang) -> Vec<u8> {
        serde_json::to_vec(&self.body(messages, lang)).unwrap_or_default()
    }
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({}): {}", self.kind.slug(), self.status, self.text)
    }
}

/// A response carries its problem (as an extension) until the middleware
/// renders it in the reader's language; the body set here, in message ids,
/// is what a router without the middleware answers.
impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let kind = Some(self.kind);
        let body = self.json(None, Lang::ZhCn);
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
        response.extensions_mut().insert(self);
        response
    }
}

impl From<yuesou_centre::CentreError> for Problem {
    fn from(error: yuesou_centre::CentreError) -> Self {
        use yuesou_centre::CentreError as E;
        let detail = error.text();
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
            E::Provider(fault) | E::Internal(fault) => Problem::internal(fault),
        }
    }
}

impl From<yuesou_core::Error> for Problem {
    fn from(error: yuesou_core::Error) -> Self {
        match error {
            yuesou_core::Error::InvalidRequest(detail) => Problem::invalid_request(detail),
            yuesou_core::Error::UnknownItem(_) => Problem::not_found("err-not-found-item"),
            other => Problem::internal(other),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_round_trips_through_its_type_uri() {
        for kind in ProblemKind::ALL {
            let problem = Problem::new(kind, "err-internal");
            let body = problem.body(None, Lang::ZhCn);
            let slug = body.kind.strip_prefix(TYPE_BASE).unwrap_or_default();
            assert_eq!(
                ProblemKind::ALL.iter().find(|k| k.slug() == slug),
                Some(&kind)
            );
            assert_eq!(body.status, kind.status().as_u16());
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
        let response = Problem::new(ProblemKind::Unauthorized, "err-admin-token").into_response();
        assert!(response.headers().contains_key(header::WWW_AUTHENTICATE));
    }
}

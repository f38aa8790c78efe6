//! Who is calling: the extractors of the personal routes.
//!
//! - [`Authed`] — a person's (or an organisation agent's) session from
//!   `Authorization: Bearer ys_…`; without one, a 401 `unauthenticated`
//!   problem. Operator tokens are not sessions and never pass.
//! - [`Operator`] — the operator token (`YUESOU_OPERATOR_TOKEN`), compared
//!   in constant time; user tokens never pass. Without a configured token
//!   the operator routes answer 403 `operator-disabled`.
//! - [`Searcher`] — the session of a search, if any (never fails, never
//!   waits on the database more than a moment).
//! - [`Caller`] — device and network address, recorded with a login.
//! - [`JsonBody`] — a JSON body whose errors become 400 problems that never
//!   repeat the values sent (they may be personal data).

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Request};
use axum::http::header;
use axum::http::request::Parts;
use subtle::ConstantTimeEq;
use yuesou_centre::{Centre, Client, Subject};

use crate::i18n::Text;
use crate::problem::{Problem, ProblemKind};
use crate::state::AppState;

/// The bearer token of a request, if any.
fn bearer(parts: &Parts) -> Option<&str> {
    parts
        .headers
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
        .map(str::trim)
}

/// The personal centre of the state, or a 503.
pub(crate) fn centre(state: &AppState) -> Result<&Centre, Problem> {
    state
        .centre
        .as_ref()
        .ok_or_else(|| Problem::new(ProblemKind::CentreDisabled, "err-centre-disabled"))
}

/// The authenticated subject of a personal route.
#[derive(Debug, Clone)]
pub(crate) struct Authed(pub Subject);

impl FromRequestParts<AppState> for Authed {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Problem> {
        let centre = centre(state)?;
        let Some(token) = bearer(parts) else {
            return Err(Problem::new(
                ProblemKind::Unauthenticated,
                "err-unauthenticated",
            ));
        };
        Ok(Authed(centre.authenticate(token).await?))
    }
}

/// The subject when a valid token is sent, else nobody (for routes that
/// anyone may call but that personalise for people logged in).
#[derive(Debug, Clone)]
pub(crate) struct MaybeAuthed(pub Option<Subject>);

impl FromRequestParts<AppState> for MaybeAuthed {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Problem> {
        let (Some(centre), Some(token)) = (state.centre.as_ref(), bearer(parts)) else {
            return Ok(MaybeAuthed(None));
        };
        match centre.authenticate(token).await {
            Ok(subject) => Ok(MaybeAuthed(Some(subject))),
            Err(yuesou_centre::CentreError::Unauthenticated) => Ok(MaybeAuthed(None)),
            Err(other) => Err(other.into()),
        }
    }
}

/// How long a search waits for its token to be checked before it goes on
/// as anonymous: a search never waits on the database.
const SEARCHER_DEADLINE: std::time::Duration = std::time::Duration::from_millis(100);

/// The subject of a search sent with a valid token, else nobody. Unlike
/// [`MaybeAuthed`] it never fails and never waits long: when the session
/// cannot be checked within [`SEARCHER_DEADLINE`] (the database is slow or
/// away), the search goes on as anonymous and is not remembered at all
/// (`remember` is false), neither in a history nor in the hot counts.
#[derive(Debug, Clone)]
pub(crate) struct Searcher {
    /// The person searching, when known.
    pub person: Option<Subject>,
    /// Whether the search may be remembered.
    pub remember: bool,
}

impl FromRequestParts<AppState> for Searcher {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let (Some(centre), Some(token)) = (state.centre.as_ref(), bearer(parts)) else {
            return Ok(Searcher {
                person: None,
                remember: true,
            });
        };
        match tokio::time::timeout(SEARCHER_DEADLINE, centre.authenticate(token)).await {
            Ok(Ok(subject)) => Ok(Searcher {
                person: Some(subject),
                remember: true,
            }),
            Ok(Err(yuesou_centre::CentreError::Unauthenticated)) => Ok(Searcher {
                person: None,
                remember: true,
            }),
            Ok(Err(_)) | Err(_) => {
                tracing::warn!("cannot check a searcher's session in time; searching anonymously");
                Ok(Searcher {
                    person: None,
                    remember: false,
                })
            }
        }
    }
}

/// An operator (a department's system) calling the operator routes.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Operator;

impl FromRequestParts<AppState> for Operator {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Problem> {
        let Some(given) = bearer(parts) else {
            return Err(Problem::new(
                ProblemKind::Unauthenticated,
                "err-operator-token",
            ));
        };
        let Some(expected) = &state.settings.operator_token else {
            return Err(Problem::new(
                ProblemKind::OperatorDisabled,
                "err-operator-disabled",
            ));
        };
        if bool::from(given.as_bytes().ct_eq(expected.as_bytes())) {
            Ok(Operator)
        } else {
            Err(Problem::new(
                ProblemKind::Unauthenticated,
                "err-operator-token",
            ))
        }
    }
}

/// Where a request comes from.
#[derive(Debug, Clone)]
pub(crate) struct Caller(pub Client);

impl FromRequestParts<AppState> for Caller {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let device = parts
            .headers
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("unknown")
            .chars()
            .take(120)
            .collect();
        // Behind a trusted load balancer the client is the first address it
        // recorded; otherwise the peer.
        let forwarded = state
            .settings
            .trust_forwarded_for
            .then(|| parts.headers.get("x-forwarded-for"))
            .flatten()
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
            .and_then(|v| v.trim().parse::<std::net::IpAddr>().ok());
        let address = forwarded
            .or_else(|| {
                parts
                    .extensions
                    .get::<ConnectInfo<SocketAddr>>()
                    .map(|c| c.0.ip())
            })
            .map_or_else(|| "unknown".into(), |ip| ip.to_string());
        Ok(Caller(Client { device, address }))
    }
}

/// A JSON request body.
#[derive(Debug)]
pub(crate) struct JsonBody<T>(pub T);

impl<T, S> FromRequest<S> for JsonBody<T>
where
    T: serde::de::DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = Problem;

    async fn from_request(request: Request, state: &S) -> Result<Self, Problem> {
        if !is_json(request.headers()) {
            return Err(Problem::invalid_request("err-json-content-type"));
        }
        let bytes = axum::body::Bytes::from_request(request, state)
            .await
            .map_err(|rejection| {
                if rejection.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                    Problem::new(ProblemKind::PayloadTooLarge, "err-body-over-limit")
                } else {
                    Problem::invalid_request("err-body-unreadable")
                }
            })?;
        parse_body(&bytes).map(JsonBody)
    }
}

/// Whether the `Content-Type` is JSON (`application/json` or
/// `application/…+json`, parameters allowed).
fn is_json(headers: &axum::http::HeaderMap) -> bool {
    let Some(value) = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let essence = value
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    essence == "application/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"))
}

/// Parses a request body exactly as the [`JsonBody`] extractor does once
/// the `Content-Type` is known to be JSON: the same deserialiser and the
/// same `invalid-request` problem, naming the field (`parameter`, a path
/// such as `answers.name`) and never repeating the values sent. For fuzzing
/// and property tests.
///
/// Every body of the API is a JSON object: anything else (an array, which
/// serde would read into a struct field by field, a string, a number) is
/// refused before it is read.
pub fn parse_body<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T, Problem> {
    if bytes.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
        return Err(Problem::invalid_request("err-json-not-object"));
    }
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize::<_, T>(&mut deserializer).map_err(|e| {
        let path = e.path().to_string();
        body_problem(&path, e.inner())
    })?;
    deserializer.end().map_err(|e| body_problem(".", &e))?;
    Ok(value)
}

/// The 400 problem of a body that was refused: what kind of mistake, at
/// which field — never the values sent (they may be personal data).
fn body_problem(path: &str, error: &serde_json::Error) -> Problem {
    use serde_json::error::Category;
    let at = |field: &str| -> Option<String> {
        let joined = match (path, field) {
            (".", "") | ("", "") => return None,
            (".", f) | ("", f) => f.to_owned(),
            (p, "") => p.to_owned(),
            (p, f) => format!("{p}.{f}"),
        };
        Some(joined)
    };
    let (text, field) = match error.classify() {
        Category::Syntax | Category::Io => (
            Text::new("err-json-syntax")
                .arg("line", error.line())
                .arg("column", error.column()),
            None,
        ),
        Category::Eof => (Text::new("err-json-eof"), None),
        Category::Data => {
            let message = error.to_string();
            let message = message
                .rsplit_once(" at line ")
                .map_or(message.as_str(), |(m, _)| m);
            data_problem(message, &at)
        }
    };
    // The path is what the client wrote: one holding a run of four digits
    // or more (a phone or ID number sent as a key) is not repeated.
    let field = field.filter(|f| {
        let mut run = 0;
        !f.chars().any(|c| {
            run = if c.is_ascii_digit() { run + 1 } else { 0 };
            run >= 4
        })
    });
    Problem {
        parameter: field,
        ..Problem::invalid_request(text)
    }
}

/// The text and field of a data error (`missing field `x``, `invalid
/// type: …`, a message id from a custom check …).
fn data_problem(message: &str, at: &dyn Fn(&str) -> Option<String>) -> (Text, Option<String>) {
    let quoted = |m: &str| -> Option<String> {
        let start = m.find('`')? + 1;
        let end = start + m[start..].find('`')?;
        Some(m[start..end].to_owned())
    };
    if let Some(rest) = message.strip_prefix("missing field ") {
        let name = quoted(rest).unwrap_or_default();
        return (Text::new("err-json-missing-field"), at(&name));
    }
    if message.starts_with("unknown field ") {
        // The path names the unknown field already.
        return (Text::new("err-json-unknown-field"), at(""));
    }
    if message.starts_with("unknown variant ") {
        let choices: Vec<String> = message
            .split_once("expected ")
            .map(|(_, expected)| {
                expected
                    .split('`')
                    .skip(1)
                    .step_by(2)
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default();
        return (
            Text::new("err-param-choice").arg("choices", choices.join(", ")),
            at(""),
        );
    }
    if message.starts_with("invalid type") {
        return (Text::new("err-json-invalid-type"), at(""));
    }
    if message.starts_with("duplicate field") {
        return (Text::new("err-json-duplicate-field"), at(""));
    }
    // A check of ours names its message (`err-…`).
    if is_message_id(message) {
        return (Text::new(message.to_owned()), at(""));
    }
    (Text::new("err-json-invalid-value"), at(""))
}

/// Whether `s` is a message id of ours (`err-` and lowercase words).
fn is_message_id(s: &str) -> bool {
    s.strip_prefix("err-").is_some_and(|rest| {
        !rest.is_empty()
            && rest
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Body {
        phone: String,
        inner: Option<Inner>,
    }

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Inner {
        kind: Kind,
        count: u8,
    }

    #[derive(Debug, serde::Deserialize)]
    #[serde(rename_all = "snake_case")]
    enum Kind {
        Consultation,
        Complaint,
    }

    fn refused(body: &str) -> Problem {
        match parse_body::<Body>(body.as_bytes()) {
            Ok(b) => panic!("accepted {b:?}"),
            Err(p) => p,
        }
    }

    #[test]
    fn a_refused_body_names_the_mistake_and_the_field_never_the_value() {
        let p = refused(r#"{"phone": 13800000001}"#);
        assert_eq!(
            (p.code(), p.parameter.as_deref()),
            ("err-json-invalid-type", Some("phone"))
        );
        assert!(!p.to_string().contains("13800000001"));
        let p = refused(r#"{"inner": {"kind": "complaint", "count": 1}}"#);
        assert_eq!(
            (p.code(), p.parameter.as_deref()),
            ("err-json-missing-field", Some("phone"))
        );
        let p = refused(r#"{"phone": "1", "inner": {"kind": "44010419880520123X", "count": 1}}"#);
        assert_eq!(p.code(), "err-param-choice");
        assert_eq!(p.parameter.as_deref(), Some("inner.kind"));
        assert!(
            p.text.to_string().contains("consultation, complaint"),
            "{}",
            p.text
        );
        assert!(!p.text.to_string().contains("4401041988"));
        let p = refused(r#"{"phone": "1", "inner": {"kind": "complaint", "count": 300}}"#);
        assert_eq!(
            (p.code(), p.parameter.as_deref()),
            ("err-json-invalid-value", Some("inner.count"))
        );
        let p = refused(r#"{"phone": "1", "extra": 2}"#);
        assert_eq!(
            (p.code(), p.parameter.as_deref()),
            ("err-json-unknown-field", Some("extra"))
        );
        let p = refused(r#"{"phone": "1",}"#);
        assert_eq!(p.code(), "err-json-syntax");
        assert_eq!(p.parameter, None);
        assert_eq!(refused(r#"{"phone": "1"} x"#).code(), "err-json-syntax");
        assert_eq!(refused(r#"{"phone": "1""#).code(), "err-json-eof");
        assert_eq!(refused("[1]").code(), "err-json-not-object");
    }

    #[test]
    fn only_our_ids_pass_as_messages() {
        assert!(is_message_id("err-whole-number"));
        assert!(!is_message_id("err-"));
        assert!(!is_message_id("must be a whole number"));
        assert!(!is_message_id("err-Has Space"));
    }
}

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
    state.centre.as_ref().ok_or_else(|| {
        Problem::new(
            ProblemKind::CentreDisabled,
            "this daemon runs without the personal centre",
        )
    })
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
                "log in first: send Authorization: Bearer <token> from POST /api/v1/auth/login",
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
                "the operator endpoints need Authorization: Bearer <operator token>",
            ));
        };
        let Some(expected) = &state.settings.operator_token else {
            return Err(Problem::new(
                ProblemKind::OperatorDisabled,
                "the operator endpoints are disabled: set YUESOU_OPERATOR_TOKEN",
            ));
        };
        if bool::from(given.as_bytes().ct_eq(expected.as_bytes())) {
            Ok(Operator)
        } else {
            Err(Problem::new(
                ProblemKind::Unauthenticated,
                "the operator endpoints need Authorization: Bearer <operator token>",
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
            return Err(Problem::invalid_request(
                "the body must be sent with Content-Type: application/json",
            ));
        }
        let bytes = axum::body::Bytes::from_request(request, state)
            .await
            .map_err(|rejection| {
                if rejection.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                    Problem::new(
                        ProblemKind::PayloadTooLarge,
                        "the request body exceeds the configured limit",
                    )
                } else {
                    Problem::invalid_request("the request body could not be read")
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

/// The 400 problem of a body that was refused (never quoting its values).
fn body_problem(rejection: &axum::extract::rejection::JsonRejection) -> Problem {
    Problem::invalid_request(format!(
        "the JSON body is not valid: {}",
        without_values(&rejection.body_text())
    ))
}

/// Parses a request body exactly as the [`JsonBody`] extractor does once
/// the `Content-Type` is known to be JSON: the same deserialiser
/// (`axum::Json::from_bytes`) and the same `invalid-request` problem, whose
/// detail never repeats the values sent. For fuzzing and property tests.
///
/// Every body of the API is a JSON object: anything else (an array, which
/// serde would read into a struct field by field, a string, a number) is
/// refused before it is read.
pub fn parse_body<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T, Problem> {
    if bytes.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
        return Err(Problem::invalid_request(
            "the JSON body is not valid: it must be an object ({…})",
        ));
    }
    axum::Json::<T>::from_bytes(bytes)
        .map(|axum::Json(value)| value)
        .map_err(|rejection| body_problem(&rejection))
}

/// A parser's message without the values it quotes: `invalid type: string
/// "13800000001"` becomes `invalid type: string "…"`. Field names (in
/// backticks) stay.
fn without_values(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut quoted = false;
    for c in message.chars() {
        if c == '"' {
            if quoted {
                out.push('…');
            }
            quoted = !quoted;
            out.push(c);
        } else if !quoted {
            out.push(c);
        }
    }
    // Numbers outside quotes (`invalid type: integer 13800000001`) go too.
    let mut clean = String::with_capacity(out.len());
    let mut digits = 0;
    for c in out.chars() {
        if c.is_ascii_digit() {
            digits += 1;
            if digits == 4 {
                clean.push('…');
            }
            if digits < 4 {
                clean.push(c);
            }
        } else {
            digits = 0;
            clean.push(c);
        }
    }
    clean
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parser_messages_lose_the_values_they_quote() {
        let m = without_values(
            "Failed to deserialize the JSON body into the target type: phone: invalid type: \
             integer `13800000001`, expected a string at line 1 column 22",
        );
        assert!(!m.contains("13800000001"), "{m}");
        assert!(m.contains("line 1 column 22"));
        let m = without_values("unknown variant \"44010419880520123X\", expected `consultation`");
        assert!(!m.contains("4401041988"), "{m}");
        assert!(m.contains("`consultation`"));
    }
}

//! The one middleware every request passes through, in this order:
//!
//! 1. **request id** — `x-request-id` from the client when it is short and
//!    plain (`[A-Za-z0-9._-]{1,64}`), else a fresh one; echoed back and
//!    carried by the request's tracing span;
//! 2. **limits** — headers over [`crate::MAX_HEADER_BYTES`] are a 431
//!    problem, a declared body over the limit a 413 problem;
//! 3. **timeout** — a request over the configured time is a 503 `timeout`
//!    problem (except a forced reload, which waits for its engine build);
//! 4. **problems only** — any error response that is not already
//!    `application/problem+json` (framework rejections) becomes one, and
//!    every problem's title and detail are rendered in the reader's
//!    language (`Accept-Language`, see [`crate::i18n`]) with
//!    `Content-Language`;
//! 5. **OPTIONS** — outside a CORS preflight, answers 204 (axum's method
//!    router adds the route's `Allow`);
//! 6. **caching and sniffing** — every `/api/` answer says
//!    `X-Content-Type-Options: nosniff` and `Vary: Accept-Language`, and
//!    `Cache-Control: no-store`
//!    unless the route chose its own (personal data must not sit in a
//!    shared or browser cache);
//! 7. **metrics and access log** — by route *template*, with method, status
//!    and latency; never the query string, a position or a token.

use std::sync::LazyLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderName, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tracing::Instrument;

use crate::i18n::{ReaderLang, Text};
use crate::problem::{PROBLEM_JSON, Problem, ProblemKind};
use crate::state::AppState;

/// The route exempt from the request timeout: a forced reload answers when
/// its engine is built.
const UNTIMED_ROUTE: &str = "/api/v1/admin/reload";
/// Its own (generous) limit.
const UNTIMED: std::time::Duration = std::time::Duration::from_secs(600);

/// The upload route: its body limit is the materials' per-file limit (plus
/// the multipart envelope), its timeout [`UPLOAD_TIMEOUT`] (a 10 MB photo
/// over a slow mobile link).
const UPLOAD_ROUTE: &str = "/api/v1/me/applications/{id}/materials";
/// The upload route's timeout.
const UPLOAD_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(300);

/// The request id header.
pub static REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Runs the steps above around the router.
pub async fn observe(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let request_id = request
        .headers()
        .get(&REQUEST_ID)
        .filter(|v| acceptable_id(v.as_bytes()))
        .cloned()
        .unwrap_or_else(new_request_id);
    let method = method_label(request.method());
    let is_options = request.method() == Method::OPTIONS;
    let lang = ReaderLang::of(request.headers());
    let route = request.extensions().get::<MatchedPath>().cloned();
    let metrics = state.metrics();
    metrics.request_started();

    let settings = &state.settings;
    let upload = request.method() == Method::POST
        && route.as_ref().map(MatchedPath::as_str) == Some(UPLOAD_ROUTE);
    let api = request.uri().path().starts_with("/api/");
    let header_bytes: usize = request
        .headers()
        .iter()
        .map(|(name, value)| name.as_str().len() + value.len() + 4)
        .sum();
    let declared_length = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    let mut response = if header_bytes > crate::MAX_HEADER_BYTES {
        Problem::new(
            ProblemKind::HeadersTooLarge,
            Text::new("err-headers-too-large").arg("max", crate::MAX_HEADER_BYTES),
        )
        .into_response()
    } else if upload
        && declared_length.is_some_and(|n| {
            n > settings
                .material_max_bytes
                .saturating_add(crate::features::materials::ENVELOPE_BYTES)
        })
    {
        Problem::new(
            ProblemKind::PayloadTooLarge,
            Text::new("err-material-too-large").arg(
                "max",
                crate::features::materials::size_text(settings.material_max_bytes),
            ),
        )
        .into_response()
    } else if !upload && declared_length.is_some_and(|n| n > settings.max_body_bytes as u64) {
        Problem::new(
            ProblemKind::PayloadTooLarge,
            Text::new("err-body-too-large").arg("max", settings.max_body_bytes),
        )
        .into_response()
    } else {
        let span = tracing::info_span!("request", id = ?request_id);
        let timeout = if route.as_ref().map(MatchedPath::as_str) == Some(UNTIMED_ROUTE) {
            UNTIMED
        } else if upload {
            UPLOAD_TIMEOUT
        } else {
            settings.request_timeout
        };
        match tokio::time::timeout(timeout, next.run(request).instrument(span)).await {
            Ok(response) => response,
            Err(_) => Problem::new(
                ProblemKind::Timeout,
                Text::new("err-timeout").arg(
                    "ms",
                    u64::try_from(settings.request_timeout.as_millis()).unwrap_or(u64::MAX),
                ),
            )
            .into_response(),
        }
    };
    if is_options && response.status() == StatusCode::METHOD_NOT_ALLOWED {
        response = StatusCode::NO_CONTENT.into_response();
    }
    if response.status().as_u16() >= 400 && !is_problem(&response) {
        response = as_problem(response);
    }
    if let Some(problem) = response.extensions_mut().remove::<Problem>() {
        localize(&mut response, &problem, &state, lang);
    }
    let headers = response.headers_mut();
    headers.insert(&REQUEST_ID, request_id.clone());
    if api {
        headers.insert(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        );
        headers.append(header::VARY, HeaderValue::from_static("accept-language"));
        if !headers.contains_key(header::CACHE_CONTROL) {
            headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        }
    }

    let status = response.status().as_u16();
    let elapsed = started.elapsed();
    let route = route.as_ref().map(MatchedPath::as_str);
    metrics.request_finished(route, method, status, elapsed);
    if settings.access_log {
        tracing::info!(
            target: "yuesou::access",
            request_id = ?request_id,
            method,
            route = route.unwrap_or(crate::metrics::UNMATCHED_ROUTE),
            status,
            latency_us = elapsed.as_micros() as u64,
        );
    }
    response
}

/// Renders a problem's title and detail in the reader's language.
fn localize(response: &mut Response, problem: &Problem, state: &AppState, lang: ReaderLang) {
    let body = problem.json(state.messages().as_deref(), lang.0);
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_LANGUAGE,
        HeaderValue::from_static(lang.0.tag()),
    );
    headers.remove(header::CONTENT_LENGTH);
    *response.body_mut() = axum::body::Body::from(body);
}

fn is_problem(response: &Response) -> bool {
    response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes() == PROBLEM_JSON.as_bytes())
}

/// Replaces a non-problem error response (a framework rejection) by a
/// problem of the matching kind, keeping its headers (such as `Allow`).
fn as_problem(response: Response) -> Response {
    let status = response.status();
    let kind = ProblemKind::for_status(status);
    let detail = match kind {
        ProblemKind::MethodNotAllowed => Text::new("err-method-not-allowed"),
        ProblemKind::NoSuchEndpoint => Text::new("err-no-such-endpoint"),
        _ => Text::new("err-rejected").arg("status", i64::from(status.as_u16())),
    };
    let mut problem = Problem::new(kind, detail);
    problem.status = status.as_u16();
    let (parts, _) = response.into_parts();
    let mut fresh = problem.into_response();
    for name in [header::ALLOW, header::RETRY_AFTER, header::WWW_AUTHENTICATE] {
        if let Some(v) = parts.headers.get(&name) {
            fresh.headers_mut().insert(name, v.clone());
        }
    }
    fresh
}

fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::DELETE => "DELETE",
        Method::PATCH => "PATCH",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}

fn acceptable_id(id: &[u8]) -> bool {
    (1..=64).contains(&id.len())
        && id
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

/// A fresh 16-hex-digit id: a per-process random seed mixed with a counter
/// (unique within the process, unguessable across restarts).
fn new_request_id() -> HeaderValue {
    static SEED: LazyLock<u64> = LazyLock::new(|| {
        use std::hash::{BuildHasher, Hasher};
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_u128(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos())
                .unwrap_or(0),
        );
        h.finish()
    });
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let id = splitmix64(*SEED ^ n.wrapping_mul(0x9E37_79B9_7F4A_7C15));
    HeaderValue::from_str(&format!("{id:016x}")).unwrap_or(HeaderValue::from_static("0"))
}

fn splitmix64(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_ids_are_validated_and_fresh_ones_unique() {
        assert!(acceptable_id(b"abc-123_x.y"));
        assert!(!acceptable_id(b""));
        assert!(!acceptable_id(b"has space"));
        assert!(!acceptable_id("中文".as_bytes()));
        assert!(!acceptable_id(&[b'a'; 65]));
        let ids: std::collections::HashSet<_> = (0..1000).map(|_| new_request_id()).collect();
        assert_eq!(ids.len(), 1000);
        assert!(ids.iter().all(|id| acceptable_id(id.as_bytes())));
    }

    #[test]
    fn framework_errors_become_problems_keeping_allow() {
        let mut plain = (StatusCode::METHOD_NOT_ALLOWED, "nope").into_response();
        plain
            .headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("GET,HEAD"));
        let problem = as_problem(plain);
        assert_eq!(problem.status(), StatusCode::METHOD_NOT_ALLOWED);
        assert!(is_problem(&problem));
        assert_eq!(problem.headers()[header::ALLOW], "GET,HEAD");
    }
}

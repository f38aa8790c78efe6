//! The HTTP handlers, one module per resource. Handlers are thin: parse the
//! parameters strictly, ask the engine of the current generation, serialise.

pub(crate) mod admin;
pub(crate) mod applications;
pub(crate) mod auth;
pub(crate) mod categories;
pub(crate) mod feedback;
pub(crate) mod halls;
pub(crate) mod health;
pub(crate) mod history;
pub(crate) mod hot;
pub(crate) mod items;
pub(crate) mod me;
pub(crate) mod messages;
pub(crate) mod meta;
pub(crate) mod operator;
pub(crate) mod recommend;
pub(crate) mod search;
pub(crate) mod suggest;
pub(crate) mod wallet;
pub(crate) mod web;

use axum::body::{Body, Bytes};
use axum::http::{HeaderValue, header};
use axum::response::Response;
use serde::Serialize;

use crate::generation::Generation;
use crate::problem::Problem;
use crate::state::AppState;

/// The `x-cache` response header: whether a cacheable answer came from the
/// response cache.
pub const X_CACHE: &str = "x-cache";

/// A 200 response with a JSON body.
pub(crate) fn json_response(body: Bytes) -> Response {
    let mut response = Response::new(Body::from(body));
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

/// Serialises `value` to JSON bytes.
pub(crate) fn to_json<T: Serialize>(value: &T) -> Result<Bytes, Problem> {
    to_json_sized(value, 1024)
}

/// [`to_json`] into a buffer that starts at `capacity` bytes: a page of
/// search hits is about 6 KB, and growing to it from a few bytes copies the
/// body at every doubling.
pub(crate) fn to_json_sized<T: Serialize>(value: &T, capacity: usize) -> Result<Bytes, Problem> {
    let mut body = Vec::with_capacity(capacity);
    serde_json::to_writer(&mut body, value)
        .map_err(|e| Problem::internal(format!("cannot serialise the response: {e}")))?;
    Ok(Bytes::from(body))
}

/// Answers from the generation's response cache, or computes the answer with
/// `compute`, caches and returns it. Sets `x-cache: hit|miss` when the cache
/// is on.
pub(crate) async fn cached<F>(
    state: &AppState,
    generation: &Generation,
    route: &'static str,
    key: Option<String>,
    compute: F,
) -> Result<Response, Problem>
where
    F: std::future::Future<Output = Result<Bytes, Problem>>,
{
    let Some(key) = key.filter(|_| generation.cache.enabled()) else {
        return compute.await.map(json_response);
    };
    let metrics = state.metrics();
    if let Some(body) = generation.cache.get(&key) {
        metrics.cache_lookup(route, true);
        let mut response = json_response(body);
        response
            .headers_mut()
            .insert(X_CACHE, HeaderValue::from_static("hit"));
        return Ok(response);
    }
    metrics.cache_lookup(route, false);
    let body = compute.await?;
    generation.cache.insert(key, body.clone());
    let mut response = json_response(body);
    response
        .headers_mut()
        .insert(X_CACHE, HeaderValue::from_static("miss"));
    Ok(response)
}

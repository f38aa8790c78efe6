//! The HTTP handlers, one module per resource, and the one list of routes
//! ([`api`]) that builds both the router and the OpenAPI document. Handlers
//! are thin: parse the parameters strictly, ask the engine of the current
//! generation or the personal centre, serialise.

pub(crate) mod admin;
pub(crate) mod applications;
pub(crate) mod appointments;
pub(crate) mod auth;
pub(crate) mod categories;
pub(crate) mod feedback;
pub(crate) mod flows;
pub(crate) mod halls;
pub(crate) mod health;
pub(crate) mod history;
pub(crate) mod hot;
pub(crate) mod i18n;
pub(crate) mod items;
pub(crate) mod materials;
pub(crate) mod me;
pub(crate) mod messages;
pub(crate) mod meta;
pub(crate) mod operator;
pub(crate) mod payments;
pub(crate) mod recommend;
pub(crate) mod records;
pub(crate) mod search;
pub(crate) mod suggest;
pub(crate) mod wallet;
pub(crate) mod web;

use std::sync::LazyLock;

use axum::body::{Body, Bytes};
use axum::http::{HeaderValue, header};
use axum::response::Response;
use serde::Serialize;
use utoipa::openapi::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::generation::Generation;
use crate::problem::Problem;
use crate::state::AppState;

/// Every route, registered with the router and the document at once.
pub(crate) fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(crate::openapi::base())
        .routes(routes!(search::search))
        .routes(routes!(suggest::suggest))
        .routes(routes!(items::item))
        .routes(routes!(flows::flow))
        .routes(routes!(flows::check_step))
        .routes(routes!(categories::categories))
        .routes(routes!(halls::halls))
        .routes(routes!(health::healthz))
        .routes(routes!(health::readyz))
        .routes(routes!(admin::status))
        .routes(routes!(admin::reload))
        .routes(routes!(meta::openapi))
        .routes(routes!(meta::metrics))
        .routes(routes!(i18n::web_messages))
        .routes(routes!(auth::send_code))
        .routes(routes!(auth::register))
        .routes(routes!(auth::login))
        .routes(routes!(auth::logout))
        .routes(routes!(me::profile, me::update_profile))
        .routes(routes!(me::sessions))
        .routes(routes!(me::revoke_session))
        .routes(routes!(me::settings, me::update_settings))
        .routes(routes!(me::preferences, me::update_preferences))
        .routes(routes!(me::verify_real_name))
        .routes(routes!(me::verify_face))
        .routes(routes!(me::organisations, me::register_organisation))
        .routes(routes!(me::act_for))
        .routes(routes!(applications::list, applications::start))
        .routes(routes!(applications::get, applications::withdraw))
        .routes(routes!(applications::save_step))
        .routes(routes!(applications::submit))
        .routes(routes!(materials::list, materials::upload))
        .routes(routes!(materials::download, materials::delete))
        .routes(routes!(feedback::list, feedback::create))
        .routes(routes!(feedback::get))
        .routes(routes!(messages::list))
        .routes(routes!(messages::read))
        .routes(routes!(messages::read_all))
        .routes(routes!(messages::dismiss))
        .routes(routes!(messages::notice))
        .routes(routes!(operator::applications))
        .routes(routes!(operator::progress))
        .routes(routes!(operator::feedback))
        .routes(routes!(operator::reply))
        .routes(routes!(operator::broadcast))
        .routes(routes!(wallet::list, wallet::add))
        .routes(routes!(wallet::available))
        .routes(routes!(wallet::get, wallet::delete))
        .routes(routes!(wallet::present))
        .routes(routes!(wallet::verify))
        .routes(routes!(wallet::redeem))
        .routes(routes!(wallet::create_request))
        .routes(routes!(wallet::request_info))
        .routes(routes!(wallet::request_result))
        .routes(routes!(wallet::status_list))
        .routes(routes!(wallet::jwks))
        .routes(routes!(wallet::types))
        .routes(routes!(wallet::revoke))
        .routes(routes!(wallet::item_licences))
        .routes(routes!(wallet::rotate_key))
        .routes(routes!(history::list, history::clear))
        .routes(routes!(history::delete))
        .routes(routes!(hot::hot))
        .routes(routes!(hot::report))
        .routes(routes!(hot::set_rule))
        .routes(routes!(hot::delete_rule))
        .routes(routes!(recommend::anonymous))
        .routes(routes!(recommend::personal))
        .routes(routes!(records::record_kind))
        .routes(routes!(records::records))
        .routes(routes!(records::item_certificate))
        .routes(routes!(records::issue_certificate))
        .routes(routes!(appointments::slots))
        .routes(routes!(appointments::list, appointments::book))
        .routes(routes!(appointments::get, appointments::cancel))
        .routes(routes!(appointments::reschedule))
        .routes(routes!(appointments::hall_day))
        .routes(routes!(appointments::check_in))
        .routes(routes!(appointments::no_show))
        .routes(routes!(appointments::close))
        .routes(routes!(appointments::reopen))
        .routes(routes!(payments::bills))
        .routes(routes!(payments::list, payments::pay))
        .routes(routes!(payments::get))
        .routes(routes!(payments::notify))
        .routes(routes!(payments::refund))
        .routes(routes!(payments::audit))
        .routes(routes!(
            payments::reconciliation_report,
            payments::reconcile_day
        ))
}

/// The OpenAPI document of the API.
pub fn document() -> OpenApi {
    crate::openapi::finish(api().into_openapi())
}

static DOCUMENT_JSON: LazyLock<Bytes> = LazyLock::new(|| {
    Bytes::from(serde_json::to_vec(&document()).unwrap_or_else(|_| b"{}".to_vec()))
});

static TEMPLATES: LazyLock<Vec<String>> =
    LazyLock::new(|| document().paths.paths.keys().cloned().collect());

/// The document as JSON (built once).
pub(crate) fn document_json() -> Bytes {
    DOCUMENT_JSON.clone()
}

/// The route templates of the API (`/api/v1/items/{id}` …).
pub fn route_templates() -> &'static [String] {
    &TEMPLATES
}

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

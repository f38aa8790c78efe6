//! `GET /api/v1/openapi.json` (this API, described) and `GET /metrics`
//! (Prometheus).

use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

use crate::routes::json_response;
use crate::state::AppState;
use yuesou_gateway::DepartmentGateway;

/// The OpenAPI 3.1 document of this API, generated from the handlers.
#[utoipa::path(
    get,
    path = "/api/v1/openapi.json",
    tag = "operations",
    operation_id = "openapi",
    responses((status = 200, description = "The OpenAPI document", content_type = "application/json",
        body = Object))
)]
pub(crate) async fn openapi() -> Response {
    json_response(crate::routes::document_json())
}

/// Metrics in the OpenMetrics text format, for Prometheus: requests and
/// latency per route template, index size, engine generation and
/// fingerprint, reloads and reload failures, cache hits; each department
/// gateway's calls, errors, latency and breaker; payments by transition,
/// notification outcome and error code, and the last reconciliation.
#[utoipa::path(
    get,
    path = "/metrics",
    tag = "operations",
    operation_id = "metrics",
    responses((status = 200, description = "OpenMetrics text",
        content_type = "application/openmetrics-text; version=1.0.0; charset=utf-8", body = String))
)]
pub(crate) async fn metrics(State(state): State<AppState>) -> Response {
    let current = state.shared.slot.current();
    let mut body = state.metrics().encode(current.as_deref());
    // OpenMetrics ends with `# EOF`: the gateways' and payments' families
    // go before it.
    let mut extra = String::new();
    if let Some(departments) = state.departments.as_deref() {
        extra.push_str(&crate::features::departments::render_metrics(
            &departments.stats(),
        ));
    }
    if let Some(payments) = state.payments.as_deref().and_then(|d| d.payments().ok()) {
        extra.push_str(&crate::features::payments::render_metrics(
            &payments.stats(),
        ));
    }
    let end = body.rfind("# EOF").unwrap_or(body.len());
    body.insert_str(end, &extra);
    let mut response = body.into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/openmetrics-text; version=1.0.0; charset=utf-8"),
    );
    response
}

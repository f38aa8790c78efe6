//! # yuesou-server — the Yuesou HTTP daemon
//!
//! JSON over HTTP under `/api/v1`, errors as RFC 9457
//! `application/problem+json`. Handlers are thin: they parse parameters into
//! an engine request and serialise the engine's answer.
//!
//! | route | what |
//! | --- | --- |
//! | `GET /healthz` | the process is alive |
//! | `GET /api/v1/search?q=&category=&theme=&department=&region=&audience=&service_type=&online=&page=&size=&explain=&correct=` | search |
//! | `GET /api/v1/suggest?q=&size=` | autocomplete (Chinese, pinyin, initials, mixed) |
//! | `GET /api/v1/items/{id}` | one service item |

mod params;
mod problem;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::extract::{Path, RawQuery, State};
use axum::response::{IntoResponse, Json, Response};
use axum::routing::get;
use yuesou_core::{Engine, Filters, LocationInput, MAX_PAGE_SIZE, MAX_QUERY_CHARS, SearchRequest};

pub use params::Params;
pub use problem::Problem;

/// Largest accepted request body (the API takes no bodies yet).
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// Shared state of the handlers.
#[derive(Clone, Debug)]
pub struct AppState {
    engine: Arc<Engine>,
}

impl AppState {
    /// State serving this engine.
    pub fn new(engine: Arc<Engine>) -> Self {
        AppState { engine }
    }
}

/// The API router.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/api/v1/search", get(search))
        .route("/api/v1/suggest", get(suggest))
        .route("/api/v1/items/{id}", get(item))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(tower_http::limit::RequestBodyLimitLayer::new(
            MAX_BODY_BYTES,
        ))
        .with_state(state)
}

/// Serves the router on `listener` until `shutdown` completes, then drains
/// requests in flight.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let app = router(state).into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await
}

async fn healthz() -> impl IntoResponse {
    Json(serde_json::json!({ "status": "ok" }))
}

const SEARCH_PARAMS: [&str; 15] = [
    "q",
    "category",
    "theme",
    "department",
    "region",
    "audience",
    "service_type",
    "online",
    "page",
    "size",
    "explain",
    "correct",
    "lat",
    "lng",
    "city",
];

async fn search(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Response, Problem> {
    let params = Params::parse(raw.as_deref(), &SEARCH_PARAMS)?;
    let query = params.text("q").unwrap_or("").to_string();
    if query.chars().count() > MAX_QUERY_CHARS {
        return Err(Problem::invalid_parameter(
            "q",
            format!("must be at most {MAX_QUERY_CHARS} characters"),
        ));
    }
    let filters = Filters {
        category: params.text("category").map(str::to_string),
        theme: params.text("theme").map(str::to_string),
        department: params.text("department").map(str::to_string),
        region: params.text("region").map(str::to_string),
        audience: params.text("audience").map(str::to_string),
        service_type: params.text("service_type").map(str::to_string),
        online: params.boolean("online")?,
    };
    let size = params.integer("size", 10, 1, MAX_PAGE_SIZE)?;
    let page = params.integer("page", 1, 1, yuesou_core::MAX_RESULT_WINDOW / size)?;
    let location = match (
        params.float("lat")?,
        params.float("lng")?,
        params.text("city"),
    ) {
        (Some(_), Some(_), Some(_)) => {
            return Err(Problem::invalid_parameter(
                "city",
                "give either lat and lng or city, not both",
            ));
        }
        (Some(lat), Some(lng), None) => Some(LocationInput::Position { lat, lng }),
        (None, None, Some(city)) => Some(LocationInput::Region(city.to_string())),
        (None, None, None) => None,
        (Some(_), None, _) => return Err(Problem::invalid_parameter("lng", "lat needs lng")),
        (None, Some(_), _) => return Err(Problem::invalid_parameter("lat", "lng needs lat")),
    };
    let request = SearchRequest {
        query,
        filters,
        page,
        size,
        explain: params.boolean("explain")?.unwrap_or(false),
        correct: params.boolean("correct")?.unwrap_or(true),
        location,
    };
    let engine = state.engine.clone();
    let response = tokio::task::spawn_blocking(move || engine.search(&request))
        .await
        .map_err(|e| Problem::internal(e.to_string()))??;
    Ok(Json(response).into_response())
}

async fn suggest(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Response, Problem> {
    let params = Params::parse(raw.as_deref(), &["q", "size"])?;
    let prefix = params.text("q").unwrap_or("");
    if prefix.chars().count() > yuesou_core::MAX_PREFIX_CHARS {
        return Err(Problem::invalid_parameter(
            "q",
            format!(
                "must be at most {} characters",
                yuesou_core::MAX_PREFIX_CHARS
            ),
        ));
    }
    let size = params.integer("size", 10, 1, yuesou_core::MAX_SUGGESTIONS)?;
    let suggestions = state.engine.suggest(prefix, size);
    Ok(Json(serde_json::json!({ "query": prefix, "suggestions": suggestions })).into_response())
}

async fn item(State(state): State<AppState>, Path(id): Path<String>) -> Result<Response, Problem> {
    match state.engine.item(&id) {
        Some(item) => Ok(Json(item).into_response()),
        None => Err(Problem::not_found(format!(
            "no service item with id {id:?}"
        ))),
    }
}

async fn not_found() -> Problem {
    Problem::not_found("no such endpoint")
}

async fn method_not_allowed() -> Problem {
    Problem::method_not_allowed()
}

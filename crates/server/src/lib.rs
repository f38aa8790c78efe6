//! # yuesou-server — the Yuesou HTTP daemon
//!
//! JSON over HTTP under `/api/v1`, errors as RFC 9457
//! `application/problem+json`, an OpenAPI document generated from the
//! handlers, Prometheus metrics, and live reload of the data files.
//!
//! | route | what |
//! | --- | --- |
//! | `GET /api/v1/search` | search (filters, location, paging, explain) |
//! | `GET /api/v1/suggest` | autocomplete (Chinese, pinyin, initials, mixed) |
//! | `GET /api/v1/items/{id}` | one service item |
//! | `GET /api/v1/categories` | the category → theme → service tree |
//! | `GET /api/v1/halls` | service halls nearest to a position |
//! | `GET /api/v1/admin/status`, `POST /api/v1/admin/reload` | reload status, forced reload (bearer token) |
//! | `POST /api/v1/auth/{sms-codes,register,login,logout}` | 认证和登录 |
//! | `/api/v1/me/{profile,sessions,settings,verification/*,organisations}` | 个人信息 and login settings (session token) |
//! | `/api/v1/me/applications*` | 办件: start or resume, save steps, submit, withdraw, timeline |
//! | `/api/v1/me/feedback*`, `/api/v1/me/messages*`, `GET /api/v1/notice` | 帮助与反馈, 消息提醒 |
//! | `/api/v1/operator/*` | department operations (operator token) |
//! | `GET /api/v1/openapi.json` | this API, described |
//! | `GET /healthz`, `GET /readyz`, `GET /metrics` | liveness, readiness, Prometheus |
//! | `GET /`, `GET /assets/…` | the web app (embedded; not in the OpenAPI document) |
//!
//! Embedding with a fixed engine:
//!
//! ```no_run
//! # async fn run(engine: std::sync::Arc<yuesou_core::Engine>) -> std::io::Result<()> {
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:8700").await?;
//! yuesou_server::serve(listener, yuesou_server::AppState::new(engine), std::future::pending()).await
//! # }
//! ```
//!
//! The full daemon (start-up load, live reload, graceful shutdown) is
//! [`Daemon`].
//!
//! Modules, one job each: [`config`] (settings and their precedence),
//! `params` (strict query strings), `problem` (errors), `routes` (handlers),
//! `middleware` (request id, limits, timeouts, metrics, access log),
//! `generation` (the engine being served), `reload` (building and swapping
//! engines), `watch` (file events), `cache` (responses), `metrics`,
//! `openapi`, `daemon` (life cycle).

pub mod activity;
mod cache;
mod centre_setup;
mod clock;
pub mod config;
mod daemon;
mod generation;
mod metrics;
mod middleware;
mod openapi;
mod params;
mod problem;
mod recommend;
mod reload;
mod routes;
mod serve;
mod session;
mod state;
mod watch;

use std::time::Duration;

use axum::Router;
use axum::http::{HeaderName, HeaderValue, Method, header};
use tower_http::cors::{AllowOrigin, CorsLayer};

pub use cache::ResponseCache;
pub use config::{Config, ConfigError, ConfigLayer, LogFormat, SearchPool, redact_url};
pub use daemon::{Daemon, DaemonError};
pub use metrics::Metrics;
pub use middleware::REQUEST_ID;
pub use openapi::{document as openapi_document, route_templates};
pub use params::Params;
pub use problem::{PROBLEM_JSON, Problem, ProblemKind, TYPE_BASE};
pub use reload::{ReloadOutcome, ReloadReport, ReloadTrigger, Reloader};
pub use routes::X_CACHE;
pub use routes::web::{CONTENT_SECURITY_POLICY, asset_paths as web_asset_paths};
pub use serve::{HEADER_BUFFER_BYTES, MAX_HEADER_BYTES, serve};
pub use state::AppState;
pub use watch::FileWatcher;

/// The request bodies of the JSON API and the parser the daemon uses for
/// them ([`bodies::parse_body`], what every JSON-body route does), with the
/// checks that need no database. For the fuzz targets (`fuzz/`) and the
/// property tests; not a stable API.
#[doc(hidden)]
pub mod bodies {
    pub use crate::routes::applications::{StartRequest, StepAnswers};
    pub use crate::routes::auth::{CodePurpose, CodeRequest, LoginRequest, RegisterRequest};
    pub use crate::routes::hot::{RuleRequest, checked_rule_query};
    pub use crate::routes::me::{FaceRequest, OrganisationRequest, RealNameRequest};
    pub use crate::routes::operator::ReplyRequest;
    pub use crate::routes::wallet::{
        AddRequest, FieldNameText, NewVerifierRequest, PresentRequest, RedeemRequest,
        RevokeRequest, VerifyRequest,
    };
    pub use crate::session::parse_body;
    pub use yuesou_centre::{ContactUpdate, NewBroadcast, NewFeedback, Progress, Settings};
}

/// Default largest accepted request body.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// The API router over `state`, with its middleware and CORS, and the web
/// app at `/` (outside the OpenAPI document; unrouted paths the app's
/// client router draws fall back to its `index.html`, the rest answer the
/// `no-such-endpoint` problem).
pub fn router(state: AppState) -> Router {
    let (api, _) = openapi::api_router().split_for_parts();
    let mut router = api
        .merge(routes::web::router())
        .layer(axum::extract::DefaultBodyLimit::max(
            state.settings.max_body_bytes,
        ))
        .fallback(routes::web::fallback)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            middleware::observe,
        ));
    if let Some(cors) = cors_layer(&state.settings.cors_origins) {
        router = router.layer(cors);
    }
    router.with_state(state)
}

fn cors_layer(origins: &[String]) -> Option<CorsLayer> {
    if origins.is_empty() {
        return None;
    }
    let allow = if origins.iter().any(|o| o == "*") {
        AllowOrigin::any()
    } else {
        AllowOrigin::list(origins.iter().filter_map(|o| HeaderValue::from_str(o).ok()))
    };
    Some(
        CorsLayer::new()
            .allow_origin(allow)
            .allow_methods([
                Method::GET,
                Method::HEAD,
                Method::POST,
                Method::PUT,
                Method::PATCH,
                Method::DELETE,
                Method::OPTIONS,
            ])
            .allow_headers([
                header::AUTHORIZATION,
                header::CONTENT_TYPE,
                REQUEST_ID.clone(),
            ])
            .expose_headers([REQUEST_ID.clone(), HeaderName::from_static(X_CACHE)])
            .max_age(Duration::from_secs(600)),
    )
}

async fn method_not_allowed() -> Problem {
    Problem::method_not_allowed()
}

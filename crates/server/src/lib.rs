//! # yuesou-server — the Yuesou HTTP daemon
//!
//! JSON over HTTP under `/api/v1`, errors as RFC 9457
//! `application/problem+json`, an OpenAPI document generated from the
//! handlers, Prometheus metrics, and live reload of the data files.
//!
//! | route | what |
//! | --- | --- |
//! | `GET /api/v1/search`, `GET /api/v1/suggest` | search (filters, location, paging, explain) and autocomplete |
//! | `GET /api/v1/items/{id}`, `/items/{id}/licences`, `GET /api/v1/categories`, `GET /api/v1/halls` | the catalogue, the licences an item accepts, the category tree, nearby halls |
//! | `GET /api/v1/items/{id}/record-kind`, `GET /api/v1/items/{id}/slots` | what a 查询 item shows; a 预约 item's slots at a hall |
//! | `GET /api/v1/hot`, `GET /api/v1/recommendations`, `GET /api/v1/notice`, `GET /api/v1/i18n/{lang}` | hot searches, recommendations, the pinned notice, the web app's messages |
//! | `POST /api/v1/auth/{sms-codes,register,login,logout}` | 认证和登录 |
//! | `/api/v1/me/{profile,sessions,settings,verification/*,organisations}` | 个人信息, sessions (经办 ones under the person's), login settings, step-up |
//! | `/api/v1/me/applications*`, `/me/feedback*`, `/me/messages*`, `/me/history*`, `/me/recommendations` | 办件, 帮助与反馈, 消息提醒, 搜索历史, personal recommendations |
//! | `/api/v1/me/wallet*`, `POST /api/v1/me/certificates` | 我的证照: add, list, view, delete, present; 证明 issued into it |
//! | `GET /api/v1/me/records`, `/api/v1/me/preferences` | 查询: one's records from the departments; the reader's language and 长辈版 |
//! | `/api/v1/me/appointments*` | 预约: book, list, cancel, reschedule |
//! | `GET /api/v1/me/bills`, `/api/v1/me/payments*`, `POST /api/v1/payments/notify/{provider}` | 缴费: bills, payments, the provider's callback |
//! | `/api/v1/wallet/{verify,redeem,requests*,status-list,jwks.json,types}` | the verifier's side of the wallet |
//! | `/api/v1/operator/*` | departments' and halls' operations: progress, broadcasts, feedback replies, hot-search rules, revocations, key rotation, a hall's day and closures, refunds (operator token) |
//! | `GET /api/v1/admin/status`, `POST /api/v1/admin/reload` | reload status, forced reload (admin token) |
//! | `GET /api/v1/openapi.json`, `GET /healthz`, `GET /readyz`, `GET /metrics` | this API described; liveness, readiness, Prometheus |
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
//! Modules, one job each, from the top down:
//!
//! - `daemon` (life cycle), `serve` (the accept loop), `routes` (the route
//!   list that builds router and document; one handler module per
//!   resource), `openapi` (the document's fixed parts);
//! - `middleware` (request id, limits, timeouts, caching headers, metrics,
//!   access log), `extract` (who calls: sessions, operator, client, JSON
//!   bodies), `params` (strict query strings and path ids), `problem`
//!   (errors as problem documents);
//! - `features` (what is not HTTP: search activity and hot searches,
//!   recommendations, the departments, the booking and payments desks and
//!   their loops), `centre_setup` and `catalogue` (the personal centre's
//!   set-up and what it knows of an item), `i18n` (the reader's language
//!   and the message catalogue);
//! - `state` and `shared` (what handlers and tasks share), `reload` and
//!   `watch` (building and swapping engines on file changes), `generation`
//!   (the engine being served), `cache`, `metrics`, [`config`], `clock`.

mod cache;
mod catalogue;
mod centre_setup;
mod clock;
pub mod config;
mod daemon;
mod extract;
mod features;
mod generation;
pub mod i18n;
mod metrics;
mod middleware;
mod openapi;
mod params;
mod problem;
mod reload;
mod routes;
mod serve;
mod shared;
mod state;
mod watch;

/// What people search, remembered (history and hot searches): for the
/// benchmarks.
pub mod activity {
    pub use crate::features::activity::{Activity, HotSettings};
    pub use crate::features::reading::Reading;
}

use std::time::Duration;

use axum::Router;
use axum::http::{HeaderName, HeaderValue, Method, header};
use tower_http::cors::{AllowOrigin, CorsLayer};

pub use cache::ResponseCache;
pub use config::{Config, ConfigError, ConfigLayer, LogFormat, SearchPool, redact_url};
pub use daemon::{Daemon, DaemonError};
pub use metrics::Metrics;
pub use middleware::REQUEST_ID;
pub use params::Params;
pub use problem::{PROBLEM_JSON, Problem, ProblemKind, TYPE_BASE};
pub use reload::{ReloadOutcome, ReloadReport, ReloadTrigger, Reloader};
pub use routes::X_CACHE;
pub use routes::web::{CONTENT_SECURITY_POLICY, asset_paths as web_asset_paths};
pub use routes::{document as openapi_document, route_templates};
pub use serve::{HEADER_BUFFER_BYTES, MAX_HEADER_BYTES, serve};
pub use state::AppState;
pub use watch::FileWatcher;

/// The request bodies of the JSON API and the parser the daemon uses for
/// them ([`bodies::parse_body`], what every JSON-body route does), with the
/// checks that need no database. For the fuzz targets (`fuzz/`) and the
/// property tests; not a stable API.
#[doc(hidden)]
pub mod bodies {
    pub use crate::extract::parse_body;
    pub use crate::routes::applications::{StartRequest, StepAnswers};
    pub use crate::routes::auth::{CodePurpose, CodeRequest, LoginRequest, RegisterRequest};
    pub use crate::routes::hot::{RuleRequest, checked_rule_query};
    pub use crate::routes::me::{FaceRequest, OrganisationRequest, RealNameRequest};
    pub use crate::routes::operator::ReplyRequest;
    pub use crate::routes::wallet::{
        AddRequest, FieldNameText, NewVerifierRequest, PresentRequest, RedeemRequest,
        RevokeRequest, VerifyRequest,
    };
    pub use yuesou_centre::{ContactUpdate, NewBroadcast, NewFeedback, Progress, Settings};
}

/// Default largest accepted request body.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// The API router over `state`, with its middleware and CORS, and the web
/// app at `/` (outside the OpenAPI document; unrouted paths the app's
/// client router draws fall back to its `index.html`, the rest answer the
/// `no-such-endpoint` problem).
pub fn router(state: AppState) -> Router {
    let (api, _) = routes::api().split_for_parts();
    state
        .metrics()
        .register_routes(route_templates().iter().map(String::as_str));
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
    // The development payment provider's confirmation page (demo mode).
    let dev_pay = state
        .payments
        .as_ref()
        .and_then(|p| p.dev().cloned())
        .map(yuesou_payments::provider::page::router);
    let router = router.with_state(state);
    match dev_pay {
        Some(page) => router.merge(page),
        None => router,
    }
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

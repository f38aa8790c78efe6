//! `/api/v1/admin/*`: reload status and forced reloads, behind a bearer
//! token. Without a configured token the endpoints are disabled (403).

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, header};
use serde::Serialize;
use subtle::ConstantTimeEq;
use utoipa::ToSchema;

use crate::clock::rfc3339;
use crate::i18n::Text;
use crate::problem::{Problem, ProblemKind};
use crate::reload::{ReloadOutcome, ReloadReport, ReloadTrigger};
use crate::state::AppState;

/// Overall state of the daemon.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DaemonState {
    /// The index is loading; nothing is served yet.
    Loading,
    /// Serving the data files as they were at the latest reload.
    Ok,
    /// The latest reload failed: an older engine is serving (see
    /// `last_error`).
    Degraded,
}

/// The response cache of the serving generation.
#[derive(Debug, Serialize, ToSchema)]
pub struct CacheStatus {
    /// Whether the cache is on.
    pub enabled: bool,
    /// Responses cached.
    pub entries: usize,
    /// Bytes held.
    pub bytes: u64,
}

/// What the daemon is serving and how its reloads went.
#[derive(Debug, Serialize, ToSchema)]
pub struct AdminStatus {
    /// Loading, ok or degraded.
    pub state: DaemonState,
    /// Whether an engine is serving.
    pub ready: bool,
    /// Generation serving (0 before the first load).
    pub generation: u64,
    /// Fingerprint of the serving engine's input files.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fingerprint: Option<String>,
    /// Service items served.
    pub items: usize,
    /// Documents in the serving index.
    pub index_docs: u64,
    /// When the serving engine was swapped in (RFC 3339).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub loaded_at: Option<String>,
    /// Directories watched for changes (empty when watching is off).
    pub watching: Vec<String>,
    /// Reload attempts, the start-up load included.
    pub reload_attempts: u64,
    /// Failed reload attempts.
    pub reload_failures: u64,
    /// The latest reload attempt.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_reload: Option<ReloadReport>,
    /// The latest failed attempt, with the error (`file:line: reason` per bad
    /// row).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_error: Option<ReloadReport>,
    /// The response cache.
    pub cache: CacheStatus,
}

/// Checks `Authorization: Bearer <token>` in constant time.
fn authorize(state: &AppState, headers: &HeaderMap) -> Result<(), Problem> {
    let Some(expected) = &state.settings.admin_token else {
        return Err(Problem::new(
            ProblemKind::AdminDisabled,
            "err-admin-disabled",
        ));
    };
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .unwrap_or("");
    if bool::from(given.as_bytes().ct_eq(expected.as_bytes())) {
        Ok(())
    } else {
        Err(Problem::new(ProblemKind::Unauthorized, "err-admin-token"))
    }
}

/// The serving engine and the reload history.
#[utoipa::path(
    get,
    path = "/api/v1/admin/status",
    tag = "admin",
    operation_id = "admin_status",
    security(("admin_token" = [])),
    responses(
        (status = 200, description = "Status", body = AdminStatus),
        (status = 401, description = "`unauthorized`: missing or wrong bearer token",
            body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`admin-disabled`: no admin token is configured",
            body = Problem, content_type = "application/problem+json"),
    )
)]
pub(crate) async fn status(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Json<AdminStatus>, Problem> {
    authorize(&state, &headers)?;
    let current = state.shared.slot.current();
    let (attempts, failures, last, last_error) = match state.shared.history.lock() {
        Ok(h) => (
            h.attempts(),
            h.failures(),
            h.last().cloned(),
            h.last_failure().cloned(),
        ),
        Err(_) => (0, 0, None, None),
    };
    let daemon_state = match (&current, &last) {
        (None, _) => DaemonState::Loading,
        (Some(_), Some(r)) if r.outcome == ReloadOutcome::Failed => DaemonState::Degraded,
        (Some(_), _) => DaemonState::Ok,
    };
    Ok(Json(AdminStatus {
        state: daemon_state,
        ready: current.is_some(),
        generation: current.as_ref().map_or(0, |g| g.number),
        fingerprint: current.as_ref().map(|g| g.engine.fingerprint().to_string()),
        items: current.as_ref().map_or(0, |g| g.engine.catalogue().len()),
        index_docs: current.as_ref().map_or(0, |g| g.engine.index_size()),
        loaded_at: current.as_ref().map(|g| rfc3339(g.loaded_at)),
        watching: state.shared.watching.get().cloned().unwrap_or_default(),
        reload_attempts: attempts,
        reload_failures: failures,
        last_reload: last,
        last_error,
        cache: CacheStatus {
            enabled: current.as_ref().is_some_and(|g| g.cache.enabled()),
            entries: current.as_ref().map_or(0, |g| g.cache.len()),
            bytes: current.as_ref().map_or(0, |g| g.cache.weight()),
        },
    }))
}

/// Rebuilds the engine from the files now and swaps it in; waits for the
/// outcome. Reloads are serialised: one requested while another runs is
/// coalesced into the next. A failure keeps the previous engine serving.
#[utoipa::path(
    post,
    path = "/api/v1/admin/reload",
    tag = "admin",
    operation_id = "admin_reload",
    security(("admin_token" = [])),
    responses(
        (status = 200, description = "The new engine is serving", body = ReloadReport),
        (status = 401, description = "`unauthorized`: missing or wrong bearer token",
            body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`admin-disabled`: no admin token is configured, or this server \
            serves a fixed engine", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "`reload-failed`: the files have errors (detail: `file:line: reason`); \
            the previous engine keeps serving", body = Problem, content_type = "application/problem+json"),
    )
)]
pub(crate) async fn reload(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Json<ReloadReport>, Problem> {
    authorize(&state, &headers)?;
    let Some(reloader) = &state.reloader else {
        return Err(Problem::new(ProblemKind::AdminDisabled, "err-fixed-engine"));
    };
    let report = reloader
        .reload(ReloadTrigger::Admin, true)
        .await
        .ok_or_else(|| Problem::internal("the reload task has stopped"))?;
    match &report.error {
        Some(error) => Err(Problem::new(
            ProblemKind::ReloadFailed,
            Text::new("err-reload-failed").arg("reason", error.clone()),
        )),
        None => Ok(Json(report)),
    }
}

//! `GET /healthz` (the process is alive) and `GET /readyz` (an engine is
//! loaded and serving).

use axum::Json;
use axum::extract::State;
use serde::Serialize;
use utoipa::ToSchema;

use crate::problem::Problem;
use crate::state::AppState;

/// Liveness.
#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    /// Always `ok`.
    #[schema(example = "ok")]
    pub status: &'static str,
}

/// Readiness.
#[derive(Debug, Serialize, ToSchema)]
pub struct Ready {
    /// Always `ready`.
    #[schema(example = "ready")]
    pub status: &'static str,
    /// Generation of the engine serving (1 at start, +1 per reload).
    pub generation: u64,
    /// Fingerprint of its input files.
    pub fingerprint: String,
    /// Service items it serves.
    pub items: usize,
}

/// Liveness: the process answers HTTP (200 even while the index loads).
#[utoipa::path(
    get,
    path = "/healthz",
    tag = "operations",
    operation_id = "healthz",
    responses((status = 200, description = "Alive", body = Health))
)]
pub(crate) async fn healthz() -> Json<Health> {
    Json(Health { status: "ok" })
}

/// Readiness: 200 only once an engine is loaded and the personal centre
/// (with its demo accounts, when on) is set up (a failed reload keeps the
/// previous engine, so the daemon stays ready).
#[utoipa::path(
    get,
    path = "/readyz",
    tag = "operations",
    operation_id = "readyz",
    responses(
        (status = 200, description = "An engine is loaded", body = Ready),
        (status = 503, description = "`not-ready`: the index is still loading (with `Retry-After`)",
            body = Problem, content_type = "application/problem+json"),
    )
)]
pub(crate) async fn readyz(State(state): State<AppState>) -> Result<Json<Ready>, Problem> {
    let generation = state.generation()?;
    if !state.centre_ready() {
        return Err(Problem::not_ready());
    }
    Ok(Json(Ready {
        status: "ready",
        generation: generation.number,
        fingerprint: generation.engine.fingerprint().to_string(),
        items: generation.engine.catalogue().len(),
    }))
}

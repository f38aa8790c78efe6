//! `/api/v1/me/history*` — 搜索历史: the person's own searches, newest
//! first; delete one or all. Searches sent with the person's token are
//! recorded (unless paused in `/api/v1/me/settings`).

use axum::Json;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use utoipa::IntoParams;
use yuesou_centre::{HISTORY_CAP, History};

use crate::extract::{Authed, centre};
use crate::params::path_id;
use crate::params::{Params, names_of};
use crate::problem::Problem;
use crate::state::AppState;

/// Query parameters of the history.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct HistoryParams {
    /// Entries to list, 1–50 (default 20).
    #[param(minimum = 1, maximum = 50)]
    pub limit: Option<usize>,
}

/// Writes the searches not yet stored, so the person sees their latest.
async fn settle(state: &AppState) -> Result<(), Problem> {
    if let Some(activity) = state.activity() {
        activity.flush().await?;
    }
    Ok(())
}

/// The person's search history, newest first (the same query searched
/// again moves up; at most 50 are kept).
#[utoipa::path(get, path = "/api/v1/me/history", tag = "history", operation_id = "list_history",
    security(("session" = [])), params(HistoryParams),
    responses(
        (status = 200, description = "History", body = History),
        (status = 400, description = "`invalid-parameter`", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "`unauthenticated`", body = Problem, content_type = "application/problem+json"),
    ))]
pub(crate) async fn list(
    State(state): State<AppState>,
    Authed(s): Authed,
    RawQuery(query): RawQuery,
) -> Result<Json<History>, Problem> {
    let params = Params::parse(query.as_deref(), &names_of::<HistoryParams>())?;
    let p = HistoryParams {
        limit: Some(params.integer("limit", 20, 1, HISTORY_CAP)?),
    };
    settle(&state).await?;
    Ok(Json(
        centre(&state)?.history(&s, p.limit.unwrap_or(20)).await?,
    ))
}

/// Clears the person's whole search history.
#[utoipa::path(delete, path = "/api/v1/me/history", tag = "history", operation_id = "clear_history",
    security(("session" = [])),
    responses(
        (status = 204, description = "Cleared"),
        (status = 401, description = "`unauthenticated`", body = Problem, content_type = "application/problem+json"),
    ))]
pub(crate) async fn clear(
    State(state): State<AppState>,
    Authed(s): Authed,
) -> Result<StatusCode, Problem> {
    settle(&state).await?;
    centre(&state)?.clear_history(&s).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Deletes one entry of the person's search history.
#[utoipa::path(delete, path = "/api/v1/me/history/{id}", tag = "history", operation_id = "delete_history_entry",
    security(("session" = [])),
    params(("id" = String, Path, description = "History entry id", min_length = 1, max_length = 64)),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, description = "`unauthenticated`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`not-found`", body = Problem, content_type = "application/problem+json"),
    ))]
pub(crate) async fn delete(
    State(state): State<AppState>,
    Authed(s): Authed,
    Path(id): Path<String>,
) -> Result<StatusCode, Problem> {
    settle(&state).await?;
    centre(&state)?
        .delete_history_entry(&s, path_id(&id)?)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

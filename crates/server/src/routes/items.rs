//! `GET /api/v1/items/{id}`: one service item.

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::response::Response;
use yuesou_core::ServiceItem;

use crate::params::checked_item_id;
use crate::problem::Problem;
use crate::routes::{json_response, to_json};
use crate::state::AppState;

/// One service item with everything the catalogue knows about it.
#[utoipa::path(
    get,
    path = "/api/v1/items/{id}",
    tag = "catalogue",
    operation_id = "item",
    params(("id" = String, Path, description = "The item's opaque id (from a hit or suggestion)",
        min_length = 1, max_length = 128, pattern = r"^[^\x00-\x1F\x7F-\x9F]*$")),
    responses(
        (status = 200, description = "The item", body = ServiceItem),
        (status = 400, description = "`invalid-parameter`: an id that is over-long, not UTF-8 or \
            contains control characters", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`not-found`: no item has this id",
            body = Problem, content_type = "application/problem+json"),
    )
)]
pub(crate) async fn item(
    State(state): State<AppState>,
    id: Result<Path<String>, PathRejection>,
) -> Result<Response, Problem> {
    let Path(id) = id.map_err(|_| Problem::invalid_parameter("id", "err-param-utf8"))?;
    checked_item_id(&id)?;
    let generation = state.generation()?;
    match generation.engine.item(&id) {
        Some(item) => Ok(json_response(to_json(item)?)),
        None => Err(Problem::not_found("err-not-found-item")),
    }
}

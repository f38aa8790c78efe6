//! `GET /api/v1/halls`: the service halls (办事大厅) nearest to a position.

use std::sync::LazyLock;

use axum::extract::{RawQuery, State};
use axum::response::Response;
use serde::Serialize;
use utoipa::{IntoParams, ToSchema};
use yuesou_core::{HallQuery, MAX_HALLS, NearbyHall};

use crate::params::{Params, names_of};
use crate::problem::Problem;
use crate::routes::{json_response, to_json};
use crate::state::AppState;

/// Query parameters of `GET /api/v1/halls`. Unknown names are rejected.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct HallsParams {
    /// The person's latitude (WGS-84 degrees, as phones report it).
    #[param(minimum = -90.0, maximum = 90.0, example = 23.129)]
    pub lat: f64,
    /// The person's longitude (WGS-84 degrees).
    #[param(minimum = -180.0, maximum = 180.0, example = 113.264)]
    pub lng: f64,
    /// Only halls that handle this item (its id).
    #[param(max_length = 128, pattern = r"^[^\x00-\x1F\x7F-\x9F]*$")]
    pub item: Option<String>,
    /// How many halls.
    #[param(default = 10, minimum = 1, maximum = 50)]
    pub size: Option<usize>,
}

static NAMES: LazyLock<Vec<String>> = LazyLock::new(names_of::<HallsParams>);

impl HallsParams {
    /// Parses and validates a raw query string.
    pub fn parse(raw: Option<&str>) -> Result<Self, Problem> {
        let params = Params::parse(raw, &NAMES)?;
        let required = |name: &str, value: Option<f64>| {
            value.ok_or_else(|| Problem::invalid_parameter(name, "err-required"))
        };
        Ok(HallsParams {
            lat: required("lat", params.latitude("lat")?)?,
            lng: required("lng", params.longitude("lng")?)?,
            item: params.text_max("item", 128)?.map(str::to_string),
            size: Some(params.integer("size", 10, 1, MAX_HALLS)?),
        })
    }
}

/// Nearby service halls.
#[derive(Debug, Serialize, ToSchema)]
pub struct HallsResponse {
    /// Halls, nearest first, with their distance.
    pub halls: Vec<NearbyHall>,
}

/// The service halls nearest to a position, nearest first.
#[utoipa::path(
    get,
    path = "/api/v1/halls",
    tag = "catalogue",
    operation_id = "halls",
    params(HallsParams),
    responses(
        (status = 200, description = "Halls, nearest first", body = HallsResponse),
        (status = 400, description = "`invalid-parameter`: a missing or out-of-range coordinate, an \
            unknown parameter, a size out of range", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`not-found`: `item` names no service item",
            body = Problem, content_type = "application/problem+json"),
    )
)]
pub(crate) async fn halls(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Response, Problem> {
    let params = HallsParams::parse(raw.as_deref())?;
    let generation = state.generation()?;
    let query = HallQuery {
        lat: params.lat,
        lng: params.lng,
        item: params.item,
        size: params.size.unwrap_or(10),
    };
    let halls = generation.engine.nearest_halls(&query)?;
    Ok(json_response(to_json(&HallsResponse { halls })?))
}

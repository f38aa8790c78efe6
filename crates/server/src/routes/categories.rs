//! `GET /api/v1/categories`: the category → theme → service tree of a home
//! screen.

use std::sync::LazyLock;

use axum::extract::{RawQuery, State};
use axum::response::Response;
use serde::Serialize;
use utoipa::{IntoParams, ToSchema};
use yuesou_core::{CategoryNode, LocationInput, ResolvedLocation};

use crate::cache::KeyBuilder;
use crate::i18n::{ReaderLang, Text};
use crate::params::{Params, names_of};
use crate::problem::Problem;
use crate::routes::{cached, json_response, to_json};
use crate::state::AppState;

/// Query parameters of `GET /api/v1/categories`. Unknown names are rejected.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CategoriesParams {
    /// The person's city or district (code or name): each service is shown
    /// in the variant offered there, and services not offered there are left
    /// out. Without it, the province-wide or most popular variant is shown.
    #[param(
        max_length = 256,
        example = "深圳",
        pattern = r"^[^\x00-\x1F\x7F-\x9F]*$"
    )]
    pub region: Option<String>,
}

static NAMES: LazyLock<Vec<String>> = LazyLock::new(names_of::<CategoriesParams>);

impl CategoriesParams {
    /// Parses and validates a raw query string.
    pub fn parse(raw: Option<&str>) -> Result<Self, Problem> {
        let params = Params::parse(raw, &NAMES)?;
        Ok(CategoriesParams {
            region: params.text("region").map(str::to_string),
        })
    }
}

/// The service tree.
#[derive(Debug, Serialize, ToSchema)]
pub struct CategoriesResponse {
    /// The region the tree was built for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<ResolvedLocation>,
    /// Categories, most popular first, each with its themes and services.
    pub categories: Vec<CategoryNode>,
    /// Why the tree is empty: `region` names no place in Guangdong.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

/// The catalogue as a category → theme → service tree.
#[utoipa::path(
    get,
    path = "/api/v1/categories",
    tag = "catalogue",
    operation_id = "categories",
    params(CategoriesParams),
    responses(
        (status = 200, description = "The tree", body = CategoriesResponse,
            headers(("x-cache" = String, description = "`hit` or `miss` when the response cache is on"))),
        (status = 400, description = "`invalid-parameter`: an unknown parameter, an over-long value, \
            invalid UTF-8 or control characters", body = Problem, content_type = "application/problem+json"),
    )
)]
pub(crate) async fn categories(
    State(state): State<AppState>,
    lang: ReaderLang,
    RawQuery(raw): RawQuery,
) -> Result<Response, Problem> {
    let CategoriesParams { region } = CategoriesParams::parse(raw.as_deref())?;
    let generation = state.generation()?;
    let engine = &generation.engine;
    let location = match &region {
        Some(r) => match engine.resolve_location(&LocationInput::Region(r.clone())) {
            Ok(location) => Some(location),
            // A region that names no place offers nothing: an answer, not an
            // error (the gazetteer is data, and reloads).
            Err(_) => {
                return Ok(json_response(to_json(&CategoriesResponse {
                    region: None,
                    categories: Vec::new(),
                    message: Some(state.say(
                        lang,
                        &Text::new("categories-unknown-region").arg("region", r.as_str()),
                    )),
                })?));
            }
        },
        None => None,
    };
    let key = KeyBuilder::new("categories")
        .opt(location.as_ref().map(|l| l.code.as_str()))
        .build();
    cached(&state, &generation, "categories", Some(key), async {
        let categories = engine.categories(location.as_ref().map(|l| l.code.as_str()))?;
        to_json(&CategoriesResponse {
            region: location.clone(),
            categories,
            message: None,
        })
    })
    .await
}

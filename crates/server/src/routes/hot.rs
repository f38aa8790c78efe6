//! `GET /api/v1/hot` — 热门搜索: what people search most in the sliding
//! window (time decay; each person or client once per query and day; a
//! minimum of distinct people; never banned words, personal data or queries
//! that found nothing). Operators see why each entry is there, and pin or
//! block entries under `/api/v1/operator/hot*`.

use axum::Json;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use yuesou_centre::{HotAction, HotRule};

use crate::extract::{JsonBody, Operator, centre};
use crate::features::activity::{HOT_LIST_LEN, HotEntry, HotExplanation, key_of};
use crate::params::{Params, names_of};
use crate::problem::Problem;
use crate::state::AppState;

/// Query parameters of the hot list.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct HotParams {
    /// Entries, 1–50 (default 10).
    #[param(minimum = 1, maximum = 50)]
    pub limit: Option<usize>,
    /// With `true`, an empty live list is replaced by the curated popular
    /// queries (`dictionaries/hot_queries.tsv`), marked `curated`: a new
    /// platform shows 热门搜索 before enough people have searched.
    pub curated: Option<bool>,
}

/// The hot searches.
#[derive(Debug, Serialize, ToSchema)]
pub struct HotResponse {
    /// Pinned entries first, then by weight.
    pub entries: Vec<HotEntry>,
    /// Whether the entries are the curated list (no live entries yet).
    pub curated: bool,
}

fn activity(
    state: &AppState,
) -> Result<&std::sync::Arc<crate::features::activity::Activity>, Problem> {
    centre(state)?;
    state
        .activity()
        .ok_or_else(|| Problem::internal("the activity recorder is missing"))
}

/// 热门搜索 — what people search most now.
#[utoipa::path(get, path = "/api/v1/hot", tag = "search", operation_id = "hot_searches",
    params(HotParams),
    responses(
        (status = 200, description = "Hot searches", body = HotResponse),
        (status = 400, description = "`invalid-parameter`", body = Problem, content_type = "application/problem+json"),
    ))]
pub(crate) async fn hot(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
) -> Result<Json<HotResponse>, Problem> {
    let params = Params::parse(query.as_deref(), &names_of::<HotParams>())?;
    let p = HotParams {
        limit: Some(params.integer("limit", 10, 1, HOT_LIST_LEN)?),
        curated: params.boolean("curated")?,
    };
    let limit = p.limit.unwrap_or(10);
    let engine = state.generation().ok().map(|g| g.engine.clone());
    let list = activity(&state)?.hot_list(engine.as_deref()).await;
    let entries: Vec<HotEntry> = list.entries.iter().take(limit).cloned().collect();
    if entries.is_empty()
        && p.curated == Some(true)
        && let Some(engine) = engine
    {
        let guard = engine.analyzer().guard();
        let curated = engine
            .dictionaries()
            .hot_queries
            .iter()
            .filter(|(query, _)| !guard.is_banned(query))
            .take(limit)
            .map(|(query, _)| HotEntry {
                query: query.clone(),
                score: 0.0,
                pinned: false,
                pinyin: String::new(),
                initials: String::new(),
            })
            .collect();
        return Ok(Json(HotResponse {
            entries: curated,
            curated: true,
        }));
    }
    Ok(Json(HotResponse {
        entries,
        curated: false,
    }))
}

/// The hot list with the reasons behind it.
#[derive(Debug, Serialize, ToSchema)]
pub struct HotReport {
    /// What people see.
    pub entries: Vec<HotEntry>,
    /// Every query with enough people in the window, with its counts and
    /// why it is listed or not.
    pub candidates: Vec<HotExplanation>,
    /// The rules in force.
    pub rules: Vec<HotRule>,
}

/// The hot list as computed now, each candidate with its counts per hour
/// and why it is listed, pinned or left out.
#[utoipa::path(get, path = "/api/v1/operator/hot", tag = "operator", operation_id = "operator_hot",
    security(("operator_token" = [])),
    responses(
        (status = 200, description = "The hot list explained", body = HotReport),
        (status = 401, description = "`unauthenticated`: not the operator token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`operator-disabled`", body = Problem, content_type = "application/problem+json"),
    ))]
pub(crate) async fn report(
    State(state): State<AppState>,
    _: Operator,
) -> Result<Json<HotReport>, Problem> {
    let engine = state.generation().ok().map(|g| g.engine.clone());
    let activity = activity(&state)?;
    activity.refresh(engine.as_deref()).await?;
    let list = activity.current_hot();
    Ok(Json(HotReport {
        entries: list.entries.clone(),
        candidates: list.explained.clone(),
        rules: list.rules.clone(),
    }))
}

/// An operator's rule.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RuleRequest {
    /// The query (as people would search it).
    #[schema(
        min_length = 1,
        max_length = 30,
        pattern = "^[^\\u0000-\\u001f\\u007f-\\u009f]*[^\\s\\u0000-\\u001f\\u007f-\\u009f][^\\u0000-\\u001f\\u007f-\\u009f]*$"
    )]
    pub query: String,
    /// `pin` (置顶) or `block` (屏蔽).
    pub action: HotAction,
}

/// An operator rule's query, trimmed: at most 30 characters as sent, not
/// blank, without control characters, else an `invalid-request` problem on
/// `query`.
pub fn checked_rule_query(query: &str) -> Result<&str, Problem> {
    let chars = query.chars().count();
    let control = query.chars().any(char::is_control);
    let query = query.trim();
    if query.is_empty() || chars > 30 || control {
        return Err(Problem {
            parameter: Some("query".to_string()),
            ..Problem::invalid_request("err-hot-rule-query")
        });
    }
    Ok(query)
}

/// The key of an operator's query, as searches count it.
fn rule_key(state: &AppState, query: &str) -> Result<(String, String), Problem> {
    let query = checked_rule_query(query)?;
    let generation = state.generation()?;
    let normalised = generation.engine.analyzer().normalizer().normalize(query);
    let display = normalised.split_whitespace().collect::<Vec<_>>().join(" ");
    Ok((key_of(&display), display))
}

/// Pins a query to the hot list or blocks it (replacing a rule on it).
#[utoipa::path(post, path = "/api/v1/operator/hot/rules", tag = "operator", operation_id = "operator_set_hot_rule",
    security(("operator_token" = [])), request_body = RuleRequest,
    responses(
        (status = 200, description = "The rule", body = HotRule),
        (status = 400, description = "`invalid-request`", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "`unauthenticated`: not the operator token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`operator-disabled`", body = Problem, content_type = "application/problem+json"),
    ))]
pub(crate) async fn set_rule(
    State(state): State<AppState>,
    _: Operator,
    JsonBody(body): JsonBody<RuleRequest>,
) -> Result<Json<HotRule>, Problem> {
    let (key, display) = rule_key(&state, &body.query)?;
    let rule = centre(&state)?
        .set_hot_rule(&key, &display, body.action)
        .await?;
    let engine = state.generation().ok().map(|g| g.engine.clone());
    activity(&state)?.refresh(engine.as_deref()).await?;
    Ok(Json(rule))
}

/// Removes the rule on a query.
#[utoipa::path(delete, path = "/api/v1/operator/hot/rules/{query}", tag = "operator", operation_id = "operator_delete_hot_rule",
    security(("operator_token" = [])),
    params(("query" = String, Path, description = "The query of the rule", min_length = 1, max_length = 30, pattern = "^[^\\u0000-\\u001f\\u007f-\\u009f]*[^\\s\\u0000-\\u001f\\u007f-\\u009f][^\\u0000-\\u001f\\u007f-\\u009f]*$")),
    responses(
        (status = 204, description = "Removed"),
        (status = 400, description = "`invalid-parameter`", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "`unauthenticated`: not the operator token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`operator-disabled`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`not-found`", body = Problem, content_type = "application/problem+json"),
    ))]
pub(crate) async fn delete_rule(
    State(state): State<AppState>,
    _: Operator,
    Path(query): Path<String>,
) -> Result<StatusCode, Problem> {
    // In the path the same rule is a parameter's.
    let (key, _) = rule_key(&state, &query).map_err(|problem| match problem.parameter {
        Some(_) => Problem::invalid_parameter("query", problem.text),
        None => problem,
    })?;
    centre(&state)?.delete_hot_rule(&key).await?;
    let engine = state.generation().ok().map(|g| g.engine.clone());
    activity(&state)?.refresh(engine.as_deref()).await?;
    Ok(StatusCode::NO_CONTENT)
}

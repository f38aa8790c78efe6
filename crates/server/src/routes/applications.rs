//! `/api/v1/me/applications*` — 办件查询: start or resume an application
//! for a catalogue item, save it step by step, submit, withdraw; lists by
//! status group and a detail with the timeline.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use yuesou_centre::{Application, ApplicationGroup, ApplicationSummary};

use crate::catalogue::item_info;
use crate::extract::{Authed, JsonBody, centre};
use crate::i18n::{Localize, ReaderLang};
use crate::params::path_id;
use crate::params::{Params, names_of};
use crate::problem::Problem;
use crate::state::AppState;

/// Query parameters of the application list.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// 待处理 (`pending`: drafts and waiting for you), 处理中 (`processing`),
    /// 已办结 (`done`); all when absent.
    pub group: Option<ApplicationGroup>,
    /// Page, from 1.
    #[param(minimum = 1, maximum = 1000)]
    pub page: Option<usize>,
    /// Per page, 1–50 (default 20).
    #[param(minimum = 1, maximum = 50)]
    pub size: Option<usize>,
}

impl ListParams {
    fn parse(raw: Option<&str>) -> Result<ListParams, Problem> {
        let params = Params::parse(raw, &names_of::<ListParams>())?;
        Ok(ListParams {
            group: params.one_of(
                "group",
                &[
                    ApplicationGroup::Pending,
                    ApplicationGroup::Processing,
                    ApplicationGroup::Done,
                ],
                |g| match g {
                    ApplicationGroup::Pending => "pending",
                    ApplicationGroup::Processing => "processing",
                    ApplicationGroup::Done => "done",
                },
            )?,
            page: Some(params.integer("page", 1, 1, 1000)?),
            size: Some(params.integer("size", 20, 1, 50)?),
        })
    }
}

/// A page of applications.
#[derive(Debug, Serialize, ToSchema)]
pub struct ApplicationPage {
    /// Applications matching.
    pub total: usize,
    /// This page.
    pub page: usize,
    /// Per page.
    pub size: usize,
    /// The applications, most recently changed first.
    pub items: Vec<ApplicationSummary>,
}

/// Start (or resume) an application.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StartRequest {
    /// The catalogue item's id.
    #[schema(example = "gjj-ydzy-440100", max_length = 64)]
    pub item_id: String,
}

/// The answers of one step.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StepAnswers {
    /// Field → answer (at most 30; names ≤ 40, answers ≤ 500 characters).
    pub answers: BTreeMap<String, String>,
}

/// The subject's applications, by status group.
#[utoipa::path(get, path = "/api/v1/me/applications", tag = "applications", operation_id = "list_applications",
    security(("session" = [])), params(ListParams),
    responses(
        (status = 200, description = "A page of applications", body = ApplicationPage),
        (status = 400, description = "`invalid-parameter`", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "`unauthenticated`", body = Problem, content_type = "application/problem+json"),
    ))]
pub(crate) async fn list(
    State(state): State<AppState>,
    lang: ReaderLang,
    Authed(s): Authed,
    RawQuery(query): RawQuery,
) -> Result<Json<ApplicationPage>, Problem> {
    let ListParams { group, page, size } = ListParams::parse(query.as_deref())?;
    let (page, size) = (page.unwrap_or(1), size.unwrap_or(20));
    let (items, total) = centre(&state)?.applications(&s, group, page, size).await?;
    Ok(Json(ApplicationPage {
        total,
        page,
        size,
        items: items.localized(&state.speaker(lang)),
    }))
}

/// Starts an application for a catalogue item, or resumes the open draft
/// for it (200). Needs the item's login level.
#[utoipa::path(post, path = "/api/v1/me/applications", tag = "applications", operation_id = "start_application",
    security(("session" = [])), request_body = StartRequest,
    responses(
        (status = 201, description = "A new draft", body = Application),
        (status = 200, description = "The open draft, resumed", body = Application),
        (status = 400, description = "`invalid-request`", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "`unauthenticated`", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`step-up-required`: `level` names the login level the item needs", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`not-found`: no such catalogue item", body = Problem, content_type = "application/problem+json"),
    ))]
pub(crate) async fn start(
    State(state): State<AppState>,
    lang: ReaderLang,
    Authed(s): Authed,
    JsonBody(body): JsonBody<StartRequest>,
) -> Result<(StatusCode, Json<Application>), Problem> {
    let generation = state.generation()?;
    let item = generation
        .engine
        .item(path_id(&body.item_id)?)
        .ok_or_else(|| Problem::not_found("err-not-found-item"))?;
    let (application, resumed) = centre(&state)?
        .start_application(&s, &item_info(item))
        .await?;
    let status = if resumed {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    Ok((status, Json(application.localized(&state.speaker(lang)))))
}

/// One application with its steps, saved answers, result and timeline.
#[utoipa::path(get, path = "/api/v1/me/applications/{id}", tag = "applications", operation_id = "get_application",
    security(("session" = [])),
    params(("id" = String, Path, description = "Application id", min_length = 1, max_length = 64)),
    responses(
        (status = 200, description = "The application", body = Application),
        (status = 401, description = "`unauthenticated`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`not-found`: no such application of this account", body = Problem, content_type = "application/problem+json"),
    ))]
pub(crate) async fn get(
    State(state): State<AppState>,
    lang: ReaderLang,
    Authed(s): Authed,
    Path(id): Path<String>,
) -> Result<Json<Application>, Problem> {
    let application = centre(&state)?.application(&s, path_id(&id)?).await?;
    Ok(Json(application.localized(&state.speaker(lang))))
}

/// Saves the answers of step `step` (0-based) and moves on; a draft can be
/// left after any step and resumed later.
#[utoipa::path(put, path = "/api/v1/me/applications/{id}/steps/{step}", tag = "applications", operation_id = "save_application_step",
    security(("session" = [])), request_body = StepAnswers,
    params(("id" = String, Path, description = "Application id", min_length = 1, max_length = 64),
           ("step" = usize, Path, description = "Step index, from 0", maximum = 100)),
    responses(
        (status = 200, description = "The application after saving", body = Application),
        (status = 400, description = "`invalid-request`: no such step, or bad answers", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "`unauthenticated`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`not-found`", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`conflict`: submitted already, or a step ahead of the current one", body = Problem, content_type = "application/problem+json"),
    ))]
pub(crate) async fn save_step(
    State(state): State<AppState>,
    lang: ReaderLang,
    Authed(s): Authed,
    Path((id, step)): Path<(String, String)>,
    JsonBody(body): JsonBody<StepAnswers>,
) -> Result<Json<Application>, Problem> {
    let step: usize = step
        .parse()
        .map_err(|_| Problem::invalid_parameter("step", "err-step-index"))?;
    let application = centre(&state)?
        .save_step(&s, path_id(&id)?, step, &body.answers)
        .await?;
    Ok(Json(application.localized(&state.speaker(lang))))
}

/// Submits a draft whose every step is saved.
#[utoipa::path(post, path = "/api/v1/me/applications/{id}/submit", tag = "applications", operation_id = "submit_application",
    security(("session" = [])),
    params(("id" = String, Path, description = "Application id", min_length = 1, max_length = 64)),
    responses(
        (status = 200, description = "Submitted", body = Application),
        (status = 401, description = "`unauthenticated`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`not-found`", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`conflict`: steps left, or submitted already", body = Problem, content_type = "application/problem+json"),
    ))]
pub(crate) async fn submit(
    State(state): State<AppState>,
    lang: ReaderLang,
    Authed(s): Authed,
    Path(id): Path<String>,
) -> Result<Json<Application>, Problem> {
    let application = centre(&state)?
        .submit_application(&s, path_id(&id)?)
        .await?;
    Ok(Json(application.localized(&state.speaker(lang))))
}

/// Deletes a draft, or withdraws a submitted application.
#[utoipa::path(delete, path = "/api/v1/me/applications/{id}", tag = "applications", operation_id = "withdraw_application",
    security(("session" = [])),
    params(("id" = String, Path, description = "Application id", min_length = 1, max_length = 64)),
    responses(
        (status = 204, description = "Deleted or withdrawn"),
        (status = 401, description = "`unauthenticated`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`not-found`", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`conflict`: already being handled or done", body = Problem, content_type = "application/problem+json"),
    ))]
pub(crate) async fn withdraw(
    State(state): State<AppState>,
    Authed(s): Authed,
    Path(id): Path<String>,
) -> Result<StatusCode, Problem> {
    centre(&state)?
        .withdraw_application(&s, path_id(&id)?)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

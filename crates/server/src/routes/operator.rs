//! `/api/v1/operator/*` — what departments do (operator token only, never
//! a user's): push application progress, answer feedback, broadcast.

use axum::Json;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use yuesou_centre::{
    Application, ApplicationStatus, ApplicationSummary, Feedback, Message, NewBroadcast, Progress,
    Reply,
};

use crate::extract::{JsonBody, Operator, centre};
use crate::params::path_id;
use crate::params::{Params, names_of};
use crate::problem::Problem;
use crate::state::AppState;

/// Query parameters of the operator's application list.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct QueueParams {
    /// Status to list (default `submitted`).
    pub status: Option<ApplicationStatus>,
    /// At most this many (1–200, default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<usize>,
}

/// Query parameters of the operator's feedback list.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FeedbackParams {
    /// Only unanswered ones (default true).
    pub open: Option<bool>,
    /// At most this many (1–200, default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<usize>,
}

/// An operator's reply.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReplyRequest {
    /// Who answers (a department).
    #[schema(
        min_length = 1,
        max_length = 60,
        pattern = "^[^\\u0000-\\u0008\\u000b-\\u001f\\u007f-\\u009f]*[^\\s\\u0000-\\u001f\\u007f-\\u009f][^\\u0000-\\u0008\\u000b-\\u001f\\u007f-\\u009f]*$"
    )]
    pub author: String,
    /// The answer.
    #[schema(
        min_length = 1,
        max_length = 2000,
        pattern = "^[^\\u0000-\\u0008\\u000b-\\u001f\\u007f-\\u009f]*[^\\s\\u0000-\\u001f\\u007f-\\u009f][^\\u0000-\\u0008\\u000b-\\u001f\\u007f-\\u009f]*$"
    )]
    pub content: String,
}

/// Applications in a status, oldest change first.
#[utoipa::path(get, path = "/api/v1/operator/applications", tag = "operator", operation_id = "operator_list_applications",
    security(("operator_token" = [])), params(QueueParams),
    responses(
        (status = 200, description = "Applications", body = [ApplicationSummary]),
        (status = 400, description = "`invalid-parameter`", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "`unauthenticated`: not the operator token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`operator-disabled`", body = Problem, content_type = "application/problem+json"),
    ))]
pub(crate) async fn applications(
    State(state): State<AppState>,
    _: Operator,
    RawQuery(query): RawQuery,
) -> Result<Json<Vec<ApplicationSummary>>, Problem> {
    let params = Params::parse(query.as_deref(), &names_of::<QueueParams>())?;
    let p = QueueParams {
        status: params.one_of("status", &ApplicationStatus::ALL, ApplicationStatus::as_str)?,
        limit: Some(params.integer("limit", 50, 1, 200)?),
    };
    let list = centre(&state)?
        .applications_for_operator(
            p.status.unwrap_or(ApplicationStatus::Submitted),
            p.limit.unwrap_or(50),
        )
        .await?;
    Ok(Json(list))
}

/// 办件进度推送 — moves an application on; the person gets a message.
#[utoipa::path(post, path = "/api/v1/operator/applications/{id}/progress", tag = "operator", operation_id = "operator_push_progress",
    security(("operator_token" = [])), request_body = Progress,
    params(("id" = String, Path, description = "Application id", min_length = 1, max_length = 64)),
    responses(
        (status = 200, description = "The application after the change", body = Application),
        (status = 400, description = "`invalid-request`", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "`unauthenticated`: not the operator token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`operator-disabled`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`not-found`", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`conflict`: not a move departments make from this status", body = Problem, content_type = "application/problem+json"),
    ))]
pub(crate) async fn progress(
    State(state): State<AppState>,
    _: Operator,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<Progress>,
) -> Result<Json<Application>, Problem> {
    Ok(Json(
        centre(&state)?.push_progress(path_id(&id)?, &body).await?,
    ))
}

/// Questions and complaints to answer.
#[utoipa::path(get, path = "/api/v1/operator/feedback", tag = "operator", operation_id = "operator_list_feedback",
    security(("operator_token" = [])), params(FeedbackParams),
    responses(
        (status = 200, description = "Feedback", body = [Feedback]),
        (status = 400, description = "`invalid-parameter`", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "`unauthenticated`: not the operator token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`operator-disabled`", body = Problem, content_type = "application/problem+json"),
    ))]
pub(crate) async fn feedback(
    State(state): State<AppState>,
    _: Operator,
    RawQuery(query): RawQuery,
) -> Result<Json<Vec<Feedback>>, Problem> {
    let params = Params::parse(query.as_deref(), &names_of::<FeedbackParams>())?;
    let p = FeedbackParams {
        open: params.boolean("open")?,
        limit: Some(params.integer("limit", 50, 1, 200)?),
    };
    let list = centre(&state)?
        .feedback_for_operator(p.open.unwrap_or(true), p.limit.unwrap_or(50))
        .await?;
    Ok(Json(list))
}

/// Replies to a question or complaint; the person gets a message.
#[utoipa::path(post, path = "/api/v1/operator/feedback/{id}/replies", tag = "operator", operation_id = "operator_reply_feedback",
    security(("operator_token" = [])), request_body = ReplyRequest,
    params(("id" = String, Path, description = "Feedback id", min_length = 1, max_length = 64)),
    responses(
        (status = 201, description = "Replied", body = Reply),
        (status = 400, description = "`invalid-request`", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "`unauthenticated`: not the operator token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`operator-disabled`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`not-found`", body = Problem, content_type = "application/problem+json"),
    ))]
pub(crate) async fn reply(
    State(state): State<AppState>,
    _: Operator,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<ReplyRequest>,
) -> Result<(StatusCode, Json<Reply>), Problem> {
    let reply = centre(&state)?
        .reply_feedback(path_id(&id)?, &body.author, &body.content)
        .await?;
    Ok((StatusCode::CREATED, Json(reply)))
}

/// Sends a broadcast to everyone (optionally the pinned top notice).
#[utoipa::path(post, path = "/api/v1/operator/broadcasts", tag = "operator", operation_id = "operator_broadcast",
    security(("operator_token" = [])), request_body = NewBroadcast,
    responses(
        (status = 201, description = "Sent", body = Message),
        (status = 400, description = "`invalid-request`", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "`unauthenticated`: not the operator token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`operator-disabled`", body = Problem, content_type = "application/problem+json"),
    ))]
pub(crate) async fn broadcast(
    State(state): State<AppState>,
    _: Operator,
    JsonBody(body): JsonBody<NewBroadcast>,
) -> Result<(StatusCode, Json<Message>), Problem> {
    Ok((
        StatusCode::CREATED,
        Json(centre(&state)?.broadcast(&body).await?),
    ))
}

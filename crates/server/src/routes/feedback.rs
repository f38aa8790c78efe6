//! `/api/v1/me/feedback*` — 帮助与反馈: a person's questions (问题咨询) and
//! suggestions or complaints (建议投诉) with the replies.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use yuesou_centre::{Feedback, NewFeedback};

use crate::extract::{Authed, JsonBody, centre};
use crate::params::path_id;
use crate::problem::Problem;
use crate::state::AppState;

/// The subject's questions and complaints with replies, newest first.
#[utoipa::path(get, path = "/api/v1/me/feedback", tag = "feedback", operation_id = "list_feedback",
    security(("session" = [])),
    responses(
        (status = 200, description = "Feedback with replies", body = [Feedback]),
        (status = 401, description = "`unauthenticated`", body = Problem, content_type = "application/problem+json"),
    ))]
pub(crate) async fn list(
    State(state): State<AppState>,
    Authed(s): Authed,
) -> Result<Json<Vec<Feedback>>, Problem> {
    Ok(Json(centre(&state)?.feedback(&s).await?))
}

/// Asks a question or makes a suggestion or complaint. Text with a banned
/// word is refused (422) and not stored; an account may send a limited
/// number per hour (429).
#[utoipa::path(post, path = "/api/v1/me/feedback", tag = "feedback", operation_id = "create_feedback",
    security(("session" = [])), request_body = NewFeedback,
    responses(
        (status = 201, description = "Stored", body = Feedback),
        (status = 400, description = "`invalid-request`: empty or too long", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "`unauthenticated`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`banned-word`: the text contains a banned word", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "`rate-limited`: too many questions and complaints this hour; wait `Retry-After` seconds", body = Problem, content_type = "application/problem+json"),
    ))]
pub(crate) async fn create(
    State(state): State<AppState>,
    Authed(s): Authed,
    JsonBody(body): JsonBody<NewFeedback>,
) -> Result<(StatusCode, Json<Feedback>), Problem> {
    let generation = state.generation()?;
    let engine = &generation.engine;
    // Feedback refuses the search guard's words and the feedback list's
    // profanity, matched on the normalised text (case, width, 繁體).
    let dictionaries = engine.dictionaries();
    let words: Vec<String> = dictionaries
        .banned
        .iter()
        .chain(&dictionaries.feedback_banned)
        .cloned()
        .collect();
    let guard = yuesou_core::BannedWords::new(&words);
    let normalizer = engine.analyzer().normalizer();
    let created = centre(&state)?
        .create_feedback(&s, &body, &|text| guard.find(&normalizer.normalize(text)))
        .await?;
    Ok((StatusCode::CREATED, Json(created)))
}

/// One question or complaint with its replies.
#[utoipa::path(get, path = "/api/v1/me/feedback/{id}", tag = "feedback", operation_id = "get_feedback",
    security(("session" = [])),
    params(("id" = String, Path, description = "Feedback id", min_length = 1, max_length = 64)),
    responses(
        (status = 200, description = "The feedback", body = Feedback),
        (status = 401, description = "`unauthenticated`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`not-found`", body = Problem, content_type = "application/problem+json"),
    ))]
pub(crate) async fn get(
    State(state): State<AppState>,
    Authed(s): Authed,
    Path(id): Path<String>,
) -> Result<Json<Feedback>, Problem> {
    Ok(Json(
        centre(&state)?.feedback_item(&s, path_id(&id)?).await?,
    ))
}

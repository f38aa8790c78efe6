//! `/api/v1/me/messages*` and `/api/v1/notice` — 消息提醒: one inbox of
//! broadcasts and personal messages, unread counts, mark as read, and the
//! pinned top notice each person can dismiss.

use axum::Json;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use serde::Serialize;
use utoipa::{IntoParams, ToSchema};
use yuesou_centre::{Message, MessageList};

use crate::extract::{Authed, MaybeAuthed, centre};
use crate::i18n::{Localize, ReaderLang};
use crate::params::path_id;
use crate::params::{Params, names_of};
use crate::problem::Problem;
use crate::state::AppState;

/// Query parameters of the inbox.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct InboxParams {
    /// Only unread messages.
    pub unread: Option<bool>,
    /// Page, from 1.
    #[param(minimum = 1, maximum = 1000)]
    pub page: Option<usize>,
    /// Per page, 1–50 (default 20).
    #[param(minimum = 1, maximum = 50)]
    pub size: Option<usize>,
}

/// How many messages were marked.
#[derive(Debug, Serialize, ToSchema)]
pub struct Marked {
    /// Messages that were unread.
    pub marked: usize,
}

/// The pinned top notice, if any.
#[derive(Debug, Serialize, ToSchema)]
pub struct Notice {
    /// The notice (absent when there is none, or it was dismissed).
    pub notice: Option<Message>,
}

/// The inbox, newest first, with the unread count.
#[utoipa::path(get, path = "/api/v1/me/messages", tag = "messages", operation_id = "list_messages",
    security(("session" = [])), params(InboxParams),
    responses(
        (status = 200, description = "A page of the inbox", body = MessageList),
        (status = 400, description = "`invalid-parameter`", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "`unauthenticated`", body = Problem, content_type = "application/problem+json"),
    ))]
pub(crate) async fn list(
    State(state): State<AppState>,
    lang: ReaderLang,
    Authed(s): Authed,
    RawQuery(query): RawQuery,
) -> Result<Json<MessageList>, Problem> {
    let params = Params::parse(query.as_deref(), &names_of::<InboxParams>())?;
    let p = InboxParams {
        unread: params.boolean("unread")?,
        page: Some(params.integer("page", 1, 1, 1000)?),
        size: Some(params.integer("size", 20, 1, 50)?),
    };
    let inbox = centre(&state)?
        .messages(
            &s,
            p.unread.unwrap_or(false),
            p.page.unwrap_or(1),
            p.size.unwrap_or(20),
        )
        .await?;
    Ok(Json(inbox.localized(&state.speaker(lang))))
}

/// Marks one message read.
#[utoipa::path(post, path = "/api/v1/me/messages/{id}/read", tag = "messages", operation_id = "mark_message_read",
    security(("session" = [])),
    params(("id" = String, Path, description = "Message id", min_length = 1, max_length = 64)),
    responses(
        (status = 204, description = "Marked"),
        (status = 401, description = "`unauthenticated`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`not-found`", body = Problem, content_type = "application/problem+json"),
    ))]
pub(crate) async fn read(
    State(state): State<AppState>,
    Authed(s): Authed,
    Path(id): Path<String>,
) -> Result<StatusCode, Problem> {
    centre(&state)?.mark_read(&s, path_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Marks every message read.
#[utoipa::path(post, path = "/api/v1/me/messages/read-all", tag = "messages", operation_id = "mark_all_messages_read",
    security(("session" = [])),
    responses(
        (status = 200, description = "Marked", body = Marked),
        (status = 401, description = "`unauthenticated`", body = Problem, content_type = "application/problem+json"),
    ))]
pub(crate) async fn read_all(
    State(state): State<AppState>,
    Authed(s): Authed,
) -> Result<Json<Marked>, Problem> {
    let marked = centre(&state)?.mark_all_read(&s).await?;
    Ok(Json(Marked { marked }))
}

/// Dismisses the pinned notice for this person.
#[utoipa::path(post, path = "/api/v1/me/messages/{id}/dismiss", tag = "messages", operation_id = "dismiss_notice",
    security(("session" = [])),
    params(("id" = String, Path, description = "Message id of the notice", min_length = 1, max_length = 64)),
    responses(
        (status = 204, description = "Dismissed"),
        (status = 401, description = "`unauthenticated`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`not-found`", body = Problem, content_type = "application/problem+json"),
    ))]
pub(crate) async fn dismiss(
    State(state): State<AppState>,
    Authed(s): Authed,
    Path(id): Path<String>,
) -> Result<StatusCode, Problem> {
    centre(&state)?.dismiss_notice(&s, path_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The pinned top notice (置顶公告): for a person logged in, unless they
/// dismissed it.
#[utoipa::path(get, path = "/api/v1/notice", tag = "messages", operation_id = "get_notice",
    responses(
        (status = 200, description = "The notice, if any", body = Notice),
    ))]
pub(crate) async fn notice(
    State(state): State<AppState>,
    lang: ReaderLang,
    MaybeAuthed(s): MaybeAuthed,
) -> Result<Json<Notice>, Problem> {
    let notice = centre(&state)?.notice(s.as_ref()).await?;
    Ok(Json(Notice {
        notice: notice.localized(&state.speaker(lang)),
    }))
}

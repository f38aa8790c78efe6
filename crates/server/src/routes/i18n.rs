//! `GET /api/v1/i18n/{lang}` — the web app's texts in one language (the
//! `web.ftl` messages of `data/messages/<lang>/`), as templates with
//! `{$name}` where a value goes. The app loads them at start and when the
//! person switches language.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

use crate::i18n::Lang;
use crate::problem::Problem;
use crate::state::AppState;

/// The web app's texts in one language.
#[derive(Debug, Serialize, ToSchema)]
pub struct WebMessages {
    /// The language (`zh-CN`, `zh-HK`, `en`).
    pub lang: String,
    /// Message id → template (`{$name}` where a value goes).
    pub messages: BTreeMap<String, String>,
    /// Whether demo data is on: the login page then names the demo
    /// accounts and the development SMS outbox, labelled 演示 (never in
    /// production).
    pub demo: bool,
}

/// The web app's texts in `lang`.
#[utoipa::path(get, path = "/api/v1/i18n/{lang}", tag = "meta", operation_id = "web_messages",
    params(("lang" = String, Path, description = "`zh-CN`, `zh-HK` or `en` (also `zh-TW`, `zh-Hant`, `en-GB` …)",
        min_length = 2, max_length = 35, pattern = "^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$")),
    responses(
        (status = 200, description = "The texts", body = WebMessages),
        (status = 404, description = "`not-found`: no such language", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "`not-ready`: the daemon has no message files", body = Problem, content_type = "application/problem+json"),
    ))]
pub(crate) async fn web_messages(
    State(state): State<AppState>,
    Path(tag): Path<String>,
) -> Result<Response, Problem> {
    let lang = Lang::from_tag(&tag).ok_or_else(|| Problem::not_found("err-unknown-lang"))?;
    let messages = state.messages().ok_or_else(Problem::not_ready)?;
    let mut response = Json(WebMessages {
        lang: lang.tag().to_owned(),
        messages: messages.web(lang).clone(),
        demo: state.settings.demo,
    })
    .into_response();
    // Texts change only with the files: a minute in caches is fine.
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=60"),
    );
    Ok(response)
}

//! `/api/v1/me/*` (account part) — 个人信息 and login settings: profile,
//! sessions, settings, real-name and face step-up, organisations (经办).
//! Every route sees only the authenticated subject's data.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::ToSchema;
use yuesou_centre::{
    ContactUpdate, LoginResult, Organisation, Preferences, Profile, SessionInfo, Settings, StepUp,
};

use crate::extract::{Authed, Caller, JsonBody, centre};
use crate::params::path_id;
use crate::problem::Problem;
use crate::state::AppState;

/// 实名认证 — name and resident ID number.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RealNameRequest {
    /// 姓名
    #[schema(
        min_length = 1,
        max_length = 30,
        pattern = "^[^\\u0000-\\u0008\\u000b-\\u001f\\u007f-\\u009f]*[^\\s\\u0000-\\u001f\\u007f-\\u009f][^\\u0000-\\u0008\\u000b-\\u001f\\u007f-\\u009f]*$"
    )]
    pub name: String,
    /// 居民身份号码 (GB 11643, with its check character).
    #[schema(min_length = 18, max_length = 18)]
    pub id_number: String,
}

/// 人脸核验 — a face sample from the app's camera.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FaceRequest {
    /// The sample (the development provider passes samples that start with
    /// `live`).
    #[schema(max_length = 4000)]
    pub sample: String,
}

/// A new organisation.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrganisationRequest {
    /// 统一社会信用代码 (GB 32100).
    #[schema(min_length = 18, max_length = 18)]
    pub uscc: String,
    /// 名称
    #[schema(
        min_length = 1,
        max_length = 100,
        pattern = "^[^\\u0000-\\u0008\\u000b-\\u001f\\u007f-\\u009f]*[^\\s\\u0000-\\u001f\\u007f-\\u009f][^\\u0000-\\u0008\\u000b-\\u001f\\u007f-\\u009f]*$"
    )]
    pub name: String,
}

/// The profile: basic information from real-name data (ID and phone
/// numbers masked) and contact information.
#[utoipa::path(get, path = "/api/v1/me/profile", tag = "me", operation_id = "get_profile",
    security(("session" = [])),
    responses(
        (status = 200, description = "The profile", body = Profile),
        (status = 401, description = "`unauthenticated`", body = Problem, content_type = "application/problem+json"),
    ))]
pub(crate) async fn profile(
    State(state): State<AppState>,
    Authed(s): Authed,
) -> Result<Json<Profile>, Problem> {
    Ok(Json(centre(&state)?.profile(&s).await?))
}

/// Changes the contact information (absent fields stay; `""` clears).
#[utoipa::path(patch, path = "/api/v1/me/profile", tag = "me", operation_id = "update_profile",
    security(("session" = [])), request_body = ContactUpdate,
    responses(
        (status = 200, description = "The new profile", body = Profile),
        (status = 400, description = "`invalid-request`: a field fails validation (`parameter` names it)", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "`unauthenticated`", body = Problem, content_type = "application/problem+json"),
    ))]
pub(crate) async fn update_profile(
    State(state): State<AppState>,
    Authed(s): Authed,
    JsonBody(update): JsonBody<ContactUpdate>,
) -> Result<Json<Profile>, Problem> {
    Ok(Json(centre(&state)?.update_contact(&s, &update).await?))
}

/// The account's live sessions (device, address, times).
#[utoipa::path(get, path = "/api/v1/me/sessions", tag = "me", operation_id = "list_sessions",
    security(("session" = [])),
    responses(
        (status = 200, description = "Sessions, newest first", body = [SessionInfo]),
        (status = 401, description = "`unauthenticated`", body = Problem, content_type = "application/problem+json"),
    ))]
pub(crate) async fn sessions(
    State(state): State<AppState>,
    Authed(s): Authed,
) -> Result<Json<Vec<SessionInfo>>, Problem> {
    Ok(Json(centre(&state)?.sessions(&s).await?))
}

/// Revokes one of the account's sessions.
#[utoipa::path(delete, path = "/api/v1/me/sessions/{id}", tag = "me", operation_id = "revoke_session",
    security(("session" = [])),
    params(("id" = String, Path, description = "Session id", min_length = 1, max_length = 64)),
    responses(
        (status = 204, description = "Revoked"),
        (status = 401, description = "`unauthenticated`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`not-found`: no such session of this account", body = Problem, content_type = "application/problem+json"),
    ))]
pub(crate) async fn revoke_session(
    State(state): State<AppState>,
    Authed(s): Authed,
    Path(id): Path<String>,
) -> Result<StatusCode, Problem> {
    centre(&state)?.revoke_session(&s, path_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// 登录有效期 and 登录方式.
#[utoipa::path(get, path = "/api/v1/me/settings", tag = "me", operation_id = "get_settings",
    security(("session" = [])),
    responses(
        (status = 200, description = "Login settings", body = Settings),
        (status = 401, description = "`unauthenticated`", body = Problem, content_type = "application/problem+json"),
    ))]
pub(crate) async fn settings(
    State(state): State<AppState>,
    Authed(s): Authed,
) -> Result<Json<Settings>, Problem> {
    Ok(Json(centre(&state)?.settings(&s).await?))
}

/// Changes 登录有效期 (1–720 hours) and 登录方式 (at least one).
#[utoipa::path(put, path = "/api/v1/me/settings", tag = "me", operation_id = "update_settings",
    security(("session" = [])), request_body = Settings,
    responses(
        (status = 200, description = "The new settings", body = Settings),
        (status = 400, description = "`invalid-request`", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "`unauthenticated`", body = Problem, content_type = "application/problem+json"),
    ))]
pub(crate) async fn update_settings(
    State(state): State<AppState>,
    Authed(s): Authed,
    JsonBody(settings): JsonBody<Settings>,
) -> Result<Json<Settings>, Problem> {
    Ok(Json(centre(&state)?.update_settings(&s, &settings).await?))
}

/// 显示设置 — the language chosen and 长辈版.
#[utoipa::path(get, path = "/api/v1/me/preferences", tag = "me", operation_id = "get_preferences",
    security(("session" = [])),
    responses(
        (status = 200, description = "Display preferences", body = Preferences),
        (status = 401, description = "`unauthenticated`", body = Problem, content_type = "application/problem+json"),
    ))]
pub(crate) async fn preferences(
    State(state): State<AppState>,
    Authed(s): Authed,
) -> Result<Json<Preferences>, Problem> {
    Ok(Json(centre(&state)?.preferences(&s).await?))
}

/// Changes 显示设置 (the app's language and 长辈版), on every device of
/// the account.
#[utoipa::path(put, path = "/api/v1/me/preferences", tag = "me", operation_id = "update_preferences",
    security(("session" = [])), request_body = Preferences,
    responses(
        (status = 200, description = "The new preferences", body = Preferences),
        (status = 400, description = "`invalid-request`", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "`unauthenticated`", body = Problem, content_type = "application/problem+json"),
    ))]
pub(crate) async fn update_preferences(
    State(state): State<AppState>,
    Authed(s): Authed,
    JsonBody(preferences): JsonBody<Preferences>,
) -> Result<Json<Preferences>, Problem> {
    Ok(Json(
        centre(&state)?.update_preferences(&s, &preferences).await?,
    ))
}

/// 实名认证 — raises the account to L2 when name and ID number match.
#[utoipa::path(post, path = "/api/v1/me/verification/real-name", tag = "me", operation_id = "verify_real_name",
    security(("session" = [])), request_body = RealNameRequest,
    responses(
        (status = 200, description = "Verified", body = StepUp),
        (status = 400, description = "`invalid-request`: malformed or not matching", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "`unauthenticated`", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`conflict`: bound to another account", body = Problem, content_type = "application/problem+json"),
    ))]
pub(crate) async fn verify_real_name(
    State(state): State<AppState>,
    Authed(s): Authed,
    JsonBody(body): JsonBody<RealNameRequest>,
) -> Result<Json<StepUp>, Problem> {
    Ok(Json(
        centre(&state)?
            .verify_real_name(&s, &body.name, &body.id_number)
            .await?,
    ))
}

/// 人脸核验 — raises this session to L3 for a short while.
#[utoipa::path(post, path = "/api/v1/me/verification/face", tag = "me", operation_id = "verify_face",
    security(("session" = [])), request_body = FaceRequest,
    responses(
        (status = 200, description = "The session is L3 until `until`", body = StepUp),
        (status = 400, description = "`invalid-request`: the face does not match", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "`unauthenticated`", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`step-up-required`: real-name verification (L2) first", body = Problem, content_type = "application/problem+json"),
    ))]
pub(crate) async fn verify_face(
    State(state): State<AppState>,
    Authed(s): Authed,
    JsonBody(body): JsonBody<FaceRequest>,
) -> Result<Json<StepUp>, Problem> {
    Ok(Json(centre(&state)?.verify_face(&s, &body.sample).await?))
}

/// The organisations this person acts for (经办人).
#[utoipa::path(get, path = "/api/v1/me/organisations", tag = "me", operation_id = "list_organisations",
    security(("session" = [])),
    responses(
        (status = 200, description = "Organisations", body = [Organisation]),
        (status = 401, description = "`unauthenticated`", body = Problem, content_type = "application/problem+json"),
    ))]
pub(crate) async fn organisations(
    State(state): State<AppState>,
    Authed(s): Authed,
) -> Result<Json<Vec<Organisation>>, Problem> {
    Ok(Json(centre(&state)?.organisations(&s).await?))
}

/// Registers an organisation by its credit code; the caller (L2) becomes
/// its agent.
#[utoipa::path(post, path = "/api/v1/me/organisations", tag = "me", operation_id = "register_organisation",
    security(("session" = [])), request_body = OrganisationRequest,
    responses(
        (status = 201, description = "Registered", body = Organisation),
        (status = 400, description = "`invalid-request`: the credit code is malformed", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "`unauthenticated`", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`step-up-required` (L2) or `forbidden`", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`conflict`: registered already", body = Problem, content_type = "application/problem+json"),
    ))]
pub(crate) async fn register_organisation(
    State(state): State<AppState>,
    Authed(s): Authed,
    JsonBody(body): JsonBody<OrganisationRequest>,
) -> Result<(StatusCode, Json<Organisation>), Problem> {
    let org = centre(&state)?
        .register_organisation(&s, &body.uscc, &body.name)
        .await?;
    Ok((StatusCode::CREATED, Json(org)))
}

/// 经办 — a session acting for one of the person's organisations.
#[utoipa::path(post, path = "/api/v1/me/organisations/{id}/act", tag = "me", operation_id = "act_for_organisation",
    security(("session" = [])),
    params(("id" = String, Path, description = "Organisation account id", min_length = 1, max_length = 64)),
    responses(
        (status = 200, description = "A token for the organisation, acting as this person", body = LoginResult),
        (status = 401, description = "`unauthenticated`", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`forbidden`: an organisation session cannot act for another", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`not-found`: not an organisation of this person", body = Problem, content_type = "application/problem+json"),
    ))]
pub(crate) async fn act_for(
    State(state): State<AppState>,
    Authed(s): Authed,
    Caller(client): Caller,
    Path(id): Path<String>,
) -> Result<Json<LoginResult>, Problem> {
    Ok(Json(
        centre(&state)?.act_for(&s, path_id(&id)?, &client).await?,
    ))
}

//! `/api/v1/auth/*` — 认证和登录: SMS codes, registration, login and logout.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use yuesou_centre::LoginResult;

use crate::problem::Problem;
use crate::session::{Authed, Caller, JsonBody, centre};
use crate::state::AppState;

/// Ask for an SMS code.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CodeRequest {
    /// Mainland mobile number.
    #[schema(example = "13800000001", max_length = 20)]
    pub phone: String,
    /// `login` or `register`.
    #[schema(example = "login")]
    pub purpose: CodePurpose,
}

/// What a code is for.
#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CodePurpose {
    /// 短信登录
    Login,
    /// 注册
    Register,
}

/// The code request was taken.
#[derive(Debug, Serialize, ToSchema)]
pub struct CodeSent {
    /// Always `accepted`: the answer is the same whether or not the phone is
    /// registered.
    pub status: &'static str,
}

/// 注册 — a new natural person.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegisterRequest {
    /// Mainland mobile number.
    #[schema(max_length = 20)]
    pub phone: String,
    /// The `register` code sent by SMS.
    #[schema(max_length = 10)]
    pub sms_code: String,
    /// 8–64 characters with letters and digits or symbols.
    #[schema(min_length = 8, max_length = 64)]
    pub password: String,
}

/// 登录 — with a password or an SMS code (exactly one).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    /// Mainland mobile number.
    #[schema(example = "13800000001", max_length = 20)]
    pub phone: String,
    /// The password.
    #[serde(default)]
    #[schema(example = "yuesou-demo", max_length = 64)]
    pub password: Option<String>,
    /// A `login` code sent by SMS.
    #[serde(default)]
    #[schema(max_length = 10)]
    pub sms_code: Option<String>,
}

/// Sends a one-time SMS code (at most one a minute per phone). The
/// development provider writes it to `<data-dir>/outbox/sms.jsonl`.
#[utoipa::path(
    post,
    path = "/api/v1/auth/sms-codes",
    tag = "auth",
    operation_id = "send_sms_code",
    request_body = CodeRequest,
    responses(
        (status = 202, description = "Taken (whether or not a code could be sent)", body = CodeSent),
        (status = 400, description = "`invalid-request`: not a mobile number", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "`rate-limited`: wait `Retry-After` seconds", body = Problem, content_type = "application/problem+json"),
    )
)]
pub(crate) async fn send_code(
    State(state): State<AppState>,
    Caller(client): Caller,
    JsonBody(body): JsonBody<CodeRequest>,
) -> Result<(StatusCode, Json<CodeSent>), Problem> {
    let purpose = match body.purpose {
        CodePurpose::Login => "login",
        CodePurpose::Register => "register",
    };
    centre(&state)?
        .send_code(&body.phone, purpose, &client)
        .await?;
    Ok((StatusCode::ACCEPTED, Json(CodeSent { status: "accepted" })))
}

/// Registers a natural person (L1) and logs them in.
#[utoipa::path(
    post,
    path = "/api/v1/auth/register",
    tag = "auth",
    operation_id = "register",
    request_body = RegisterRequest,
    responses(
        (status = 201, description = "Registered and logged in", body = LoginResult),
        (status = 400, description = "`invalid-request`: phone or password rules", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "`bad-credentials`: the code is wrong or expired", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`conflict`: the phone is registered already", body = Problem, content_type = "application/problem+json"),
    )
)]
pub(crate) async fn register(
    State(state): State<AppState>,
    Caller(client): Caller,
    JsonBody(body): JsonBody<RegisterRequest>,
) -> Result<(StatusCode, Json<LoginResult>), Problem> {
    let result = centre(&state)?
        .register(&body.phone, &body.sms_code, &body.password, &client)
        .await?;
    Ok((StatusCode::CREATED, Json(result)))
}

/// Logs in with `{phone, password}` or `{phone, sms_code}`.
#[utoipa::path(
    post,
    path = "/api/v1/auth/login",
    tag = "auth",
    operation_id = "login",
    request_body = LoginRequest,
    responses(
        (status = 200, description = "Logged in", body = LoginResult),
        (status = 400, description = "`invalid-request`: neither or both of password and sms_code", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "`bad-credentials`: one answer for an unknown phone, a wrong password and a wrong code", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`login-method-disabled`", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "`rate-limited`: too many failures for the account or address", body = Problem, content_type = "application/problem+json"),
    )
)]
pub(crate) async fn login(
    State(state): State<AppState>,
    Caller(client): Caller,
    JsonBody(body): JsonBody<LoginRequest>,
) -> Result<Json<LoginResult>, Problem> {
    let centre = centre(&state)?;
    let result = match (&body.password, &body.sms_code) {
        (Some(password), None) => {
            centre
                .login_password(&body.phone, password, &client)
                .await?
        }
        (None, Some(code)) => centre.login_sms(&body.phone, code, &client).await?,
        _ => {
            return Err(Problem::invalid_request(
                "send exactly one of password and sms_code",
            ));
        }
    };
    Ok(Json(result))
}

/// Ends this session.
#[utoipa::path(
    post,
    path = "/api/v1/auth/logout",
    tag = "auth",
    operation_id = "logout",
    security(("session" = [])),
    responses(
        (status = 204, description = "Logged out"),
        (status = 401, description = "`unauthenticated`", body = Problem, content_type = "application/problem+json"),
    )
)]
pub(crate) async fn logout(
    State(state): State<AppState>,
    Authed(subject): Authed,
) -> Result<StatusCode, Problem> {
    centre(&state)?.logout(&subject).await?;
    Ok(StatusCode::NO_CONTENT)
}

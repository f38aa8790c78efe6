//! `/api/v1/auth/*` — 认证和登录: SMS codes, registration, login and logout.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use yuesou_centre::LoginResult;

use crate::extract::{Authed, Caller, JsonBody, centre};
use crate::i18n::Text;
use crate::problem::Problem;
use crate::state::AppState;

/// Ask for an SMS code.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CodeRequest {
    /// Mainland mobile number.
    #[schema(example = "13800000001", pattern = "^1[3-9][0-9]{9}$")]
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
    #[schema(example = "13800000003", pattern = "^1[3-9][0-9]{9}$")]
    pub phone: String,
    /// The `register` code sent by SMS.
    #[schema(pattern = "^[0-9]{6}$")]
    pub sms_code: String,
    /// 8–64 characters.
    #[schema(min_length = 8, max_length = 64)]
    pub password: String,
}

/// 登录 — with a password or an SMS code.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    /// Mainland mobile number.
    #[schema(example = "13800000001", pattern = "^1[3-9][0-9]{9}$")]
    pub phone: String,
    /// The password (with a code too: the code is the second factor).
    #[serde(default)]
    #[schema(example = "yuesou-demo", max_length = 64)]
    pub password: Option<String>,
    /// A `login` code sent by SMS.
    #[serde(default)]
    #[schema(pattern = "^[0-9]{6}$")]
    pub sms_code: Option<String>,
}

impl LoginRequest {
    /// The checks of the body before any credential is tried: an SMS code,
    /// when sent, is six ASCII digits; a password is at most 64 characters.
    /// The problem names the parameter and never repeats its value.
    pub fn check(&self) -> Result<(), Problem> {
        if let Some(code) = &self.sms_code
            && !(code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit()))
        {
            return Err(Problem {
                parameter: Some("sms_code".into()),
                ..Problem::invalid_request("err-sms-code-format")
            });
        }
        if self
            .password
            .as_ref()
            .is_some_and(|p| p.chars().count() > 64)
        {
            return Err(Problem {
                parameter: Some("password".into()),
                ..Problem::invalid_request(Text::new("err-password-too-long").arg("max", 64))
            });
        }
        Ok(())
    }
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
        (status = 429, description = "`rate-limited`: too many wrong codes from this address", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "`busy`: too many password hashes at once; retry after `Retry-After` seconds", body = Problem, content_type = "application/problem+json"),
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

/// Logs in with `{phone, password}` or `{phone, sms_code}`. While an account
/// is under attack (many failures from many addresses), a password login
/// to it needs both: the answer `401 second-factor-required` says so (for
/// unknown phones too); ask for a `login` code and send it with the
/// password. Wrong tries are limited per (phone, address) and per address,
/// never per account alone, so nobody can lock the holder out.
#[utoipa::path(
    post,
    path = "/api/v1/auth/login",
    tag = "auth",
    operation_id = "login",
    request_body = LoginRequest,
    responses(
        (status = 200, description = "Logged in", body = LoginResult),
        (status = 400, description = "`invalid-request`: a malformed body, a code that is not six digits, a password over 64 characters", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "`bad-credentials`: one answer for an unknown phone, a wrong or missing password, a wrong or missing code and a login method the account turned off; `second-factor-required`: the account is under attack, send a `login` SMS code with the password", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "`rate-limited`: too many failures from this address (for this phone, or overall)", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "`busy`: too many logins at once; retry after `Retry-After` seconds", body = Problem, content_type = "application/problem+json"),
    )
)]
pub(crate) async fn login(
    State(state): State<AppState>,
    Caller(client): Caller,
    JsonBody(body): JsonBody<LoginRequest>,
) -> Result<Json<LoginResult>, Problem> {
    let centre = centre(&state)?;
    body.check()?;
    let given = |v: &Option<String>| v.clone().filter(|v| !v.is_empty());
    let result = match (given(&body.password), given(&body.sms_code)) {
        (Some(password), code) => {
            centre
                .login_password(&body.phone, &password, code.as_deref(), &client)
                .await?
        }
        (None, Some(code)) => centre.login_sms(&body.phone, &code, &client).await?,
        // No credential at all: the same answer as wrong ones.
        (None, None) => return Err(yuesou_centre::CentreError::BadCredentials.into()),
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

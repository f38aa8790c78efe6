//! `/api/v1/me/wallet*` — 我的证照: add licences from the issuer, list, view
//! (masked; in full at L3), delete, present (to a verifier's request, or as
//! a one-time QR code) — and the public verifier side: `/api/v1/wallet/
//! requests` (a verifier asks), `/redeem` (a QR code is redeemed once),
//! `/verify` (a token is checked for its audience, once), `/status-list`,
//! `/jwks.json` and `/types`.

use axum::Json;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use yuesou_centre::{
    AcceptedLicence, Checked, PresentOptions, PresentationView, Refusal, RefusedLicence,
    RequestInfo, VerifiedView, VerifierRequest, WalletItem,
};

use crate::extract::{Authed, Caller, JsonBody, Operator, centre};
use crate::i18n::{Localize, ReaderLang, Text, licence_field_id, licence_type_id};
use crate::params::path_id;
use crate::params::{Params, names_of};
use crate::problem::{Problem, ProblemKind};
use crate::state::AppState;

/// The wallet.
#[derive(Debug, Serialize, ToSchema)]
pub struct WalletList {
    /// Licences: cards first, then organisation licences, then certificates.
    pub items: Vec<WalletItem>,
    /// How many are expiring or expired (show their renewal service).
    pub expiring: usize,
}

/// The wallet after adding licences from the issuer.
#[derive(Debug, Serialize, ToSchema)]
pub struct AddedList {
    /// Licences: cards first, then organisation licences, then certificates.
    pub items: Vec<WalletItem>,
    /// How many are expiring or expired.
    pub expiring: usize,
    /// How many licences were added now (0: nothing new at the issuer).
    pub added: usize,
    /// Licences the issuer holds that could not be added, and why.
    pub refused: Vec<RefusedLicence>,
}

/// Which licences to add.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AddRequest {
    /// Licence type codes to add (all the issuer holds when absent).
    #[serde(default)]
    #[schema(max_items = 32)]
    pub types: Option<Vec<String>>,
}

/// What to disclose, and to whom.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PresentRequest {
    /// Field names to disclose (the licence's `fields[].name`). Sensitive
    /// ones (ID and licence numbers, full name) need L3.
    #[schema(max_items = 32)]
    pub disclose: Vec<String>,
    /// The code of a verifier's request to answer (its fields are added);
    /// without it, a one-time QR code is made.
    #[serde(default)]
    #[schema(min_length = 8, max_length = 16)]
    pub request: Option<String>,
}

/// A presentation to check.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VerifyRequest {
    /// The SD-JWT presentation (`~`-separated).
    #[schema(max_length = 4500)]
    pub token: String,
    /// The verifier's own audience: the presentation must have been made
    /// for it. Without it, this platform's own verifier (its `/verify`
    /// page) is meant: the audience of one-time QR codes,
    /// `<public url>/api/v1/wallet/redeem`.
    #[serde(default)]
    #[schema(min_length = 1, max_length = 256)]
    pub audience: Option<String>,
    /// The nonce of the verifier's request, when it made one.
    #[serde(default)]
    #[schema(min_length = 1, max_length = 256)]
    pub nonce: Option<String>,
    /// Fields the verifier needs disclosed.
    #[serde(default)]
    #[schema(max_items = 16, inline)]
    pub require: Vec<FieldNameText>,
}

/// A one-time QR code to redeem.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RedeemRequest {
    /// The code the QR code carries (12 characters; `-` and spaces ignored).
    #[schema(min_length = 1, max_length = 32)]
    pub code: String,
}

/// A verifier asks for a presentation.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewVerifierRequest {
    /// The verifier's name, as the holder will see it (e.g. 某某酒店前台).
    #[schema(
        min_length = 1,
        max_length = 60,
        pattern = "^[^\\u0000-\\u001f\\u007f-\\u009f\\u200e\\u200f\\u202a-\\u202e\\u2066-\\u2069]*[^\\s\\u0000-\\u001f\\u007f-\\u009f\\u200e\\u200f\\u202a-\\u202e\\u2066-\\u2069][^\\u0000-\\u001f\\u007f-\\u009f\\u200e\\u200f\\u202a-\\u202e\\u2066-\\u2069]*$"
    )]
    pub verifier: String,
    /// The verifier's own identifier (its URL or client id): the
    /// presentation is bound to it. Printable ASCII without spaces.
    #[schema(min_length = 1, max_length = 200, pattern = "^[!-~]+$")]
    pub audience: String,
    /// The fields it needs.
    #[serde(default)]
    #[schema(max_items = 16, inline)]
    pub fields: Vec<FieldNameText>,
}

/// The holder has not answered yet.
#[derive(Debug, Serialize, ToSchema)]
pub struct Pending {
    /// Always `pending`.
    pub status: &'static str,
}

/// A field name (1–32 characters).
#[derive(Debug, Deserialize, ToSchema)]
#[schema(min_length = 1, max_length = 32, pattern = "^[!-~]+$")]
pub struct FieldNameText(pub String);

/// Query parameters of one licence.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ItemParams {
    /// The full view (needs L3: a fresh face check).
    pub full: Option<bool>,
}

fn list_of(items: Vec<WalletItem>) -> WalletList {
    let expiring = items
        .iter()
        .filter(|i| {
            matches!(
                i.validity,
                yuesou_centre::Validity::Expiring | yuesou_centre::Validity::Expired
            )
        })
        .count();
    WalletList { items, expiring }
}

/// The wallet: cards and certificates, masked, expiring ones flagged.
#[utoipa::path(get, path = "/api/v1/me/wallet", tag = "wallet", operation_id = "list_wallet",
    security(("session" = [])),
    responses(
        (status = 200, description = "The wallet", body = WalletList),
        (status = 401, description = "`unauthenticated`", body = Problem, content_type = "application/problem+json"),
    ))]
pub(crate) async fn list(
    State(state): State<AppState>,
    lang: ReaderLang,
    Authed(s): Authed,
) -> Result<Json<WalletList>, Problem> {
    let items = centre(&state)?.wallet_list(&s).await?;
    Ok(Json(list_of(items.localized(&state.speaker(lang)))))
}

/// Adds the account's own licences from the issuer (by its verified
/// identity: needs L2).
#[utoipa::path(post, path = "/api/v1/me/wallet", tag = "wallet", operation_id = "add_to_wallet",
    security(("session" = [])), request_body = AddRequest,
    responses(
        (status = 200, description = "The wallet after adding, with how many were added and which were refused (revoked by the issuer)", body = AddedList),
        (status = 400, description = "`invalid-request`: an unknown licence type", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "`unauthenticated`", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`step-up-required`: real-name verification (L2) first", body = Problem, content_type = "application/problem+json"),
    ))]
pub(crate) async fn add(
    State(state): State<AppState>,
    lang: ReaderLang,
    Authed(s): Authed,
    JsonBody(body): JsonBody<AddRequest>,
) -> Result<Json<AddedList>, Problem> {
    let outcome = centre(&state)?
        .wallet_add(&s, body.types.as_deref())
        .await?
        .localized(&state.speaker(lang));
    let list = list_of(outcome.items);
    Ok(Json(AddedList {
        items: list.items,
        expiring: list.expiring,
        added: outcome.added,
        refused: outcome.refused,
    }))
}

/// Licences the issuer holds for the account that are not in the wallet.
#[utoipa::path(get, path = "/api/v1/me/wallet/available", tag = "wallet", operation_id = "wallet_available",
    security(("session" = [])),
    responses(
        (status = 200, description = "Licences that can be added (masked; no ids yet)", body = [WalletItem]),
        (status = 401, description = "`unauthenticated`", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`step-up-required`: real-name verification (L2) first", body = Problem, content_type = "application/problem+json"),
    ))]
pub(crate) async fn available(
    State(state): State<AppState>,
    lang: ReaderLang,
    Authed(s): Authed,
) -> Result<Json<Vec<WalletItem>>, Problem> {
    let items = centre(&state)?.wallet_available(&s).await?;
    Ok(Json(items.localized(&state.speaker(lang))))
}

/// One licence, masked; `full=true` shows every field (L3).
#[utoipa::path(get, path = "/api/v1/me/wallet/{id}", tag = "wallet", operation_id = "get_licence",
    security(("session" = [])),
    params(("id" = String, Path, description = "Wallet entry id", min_length = 1, max_length = 64), ItemParams),
    responses(
        (status = 200, description = "The licence", body = WalletItem),
        (status = 400, description = "`invalid-parameter`", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "`unauthenticated`", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`step-up-required`: the full view needs L3", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`not-found`", body = Problem, content_type = "application/problem+json"),
    ))]
pub(crate) async fn get(
    State(state): State<AppState>,
    lang: ReaderLang,
    Authed(s): Authed,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Json<WalletItem>, Problem> {
    let params = Params::parse(query.as_deref(), &names_of::<ItemParams>())?;
    let p = ItemParams {
        full: params.boolean("full")?,
    };
    let item = centre(&state)?
        .wallet_item(&s, path_id(&id)?, p.full.unwrap_or(false))
        .await?;
    Ok(Json(item.localized(&state.speaker(lang))))
}

/// Removes a licence from the wallet; its presentations stop verifying.
#[utoipa::path(delete, path = "/api/v1/me/wallet/{id}", tag = "wallet", operation_id = "delete_licence",
    security(("session" = [])),
    params(("id" = String, Path, description = "Wallet entry id", min_length = 1, max_length = 64)),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, description = "`unauthenticated`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`not-found`", body = Problem, content_type = "application/problem+json"),
    ))]
pub(crate) async fn delete(
    State(state): State<AppState>,
    Authed(s): Authed,
    Path(id): Path<String>,
) -> Result<StatusCode, Problem> {
    centre(&state)?.wallet_delete(&s, path_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// 出示 — a presentation disclosing only the chosen fields, valid for five
/// minutes: sent to a verifier's request (`request`), or a one-time QR code
/// carrying a short link that a verifier redeems once online (the token is
/// also returned, for verifiers that check offline). Sensitive fields need
/// L3 (a face check in the last 15 minutes).
#[utoipa::path(post, path = "/api/v1/me/wallet/{id}/present", tag = "wallet", operation_id = "present_licence",
    security(("session" = [])), request_body = PresentRequest,
    params(("id" = String, Path, description = "Wallet entry id", min_length = 1, max_length = 64)),
    responses(
        (status = 200, description = "The presentation", body = PresentationView),
        (status = 400, description = "`invalid-request`: a field the licence does not have", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "`unauthenticated`", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`step-up-required`: sensitive fields need L3", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`not-found`: no such licence, or no open request with this code", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`licence-revoked`: the issuer revoked it; `conflict`: the request was answered already", body = Problem, content_type = "application/problem+json"),
    ))]
pub(crate) async fn present(
    State(state): State<AppState>,
    Authed(s): Authed,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<PresentRequest>,
) -> Result<Json<PresentationView>, Problem> {
    let options = PresentOptions {
        disclose: body.disclose,
        request: body.request,
    };
    Ok(Json(
        centre(&state)?
            .wallet_present(&s, path_id(&id)?, &options)
            .await?,
    ))
}

/// The problem of a refused presentation.
fn refusal_problem(refusal: Refusal) -> Problem {
    match refusal {
        Refusal::Malformed(m) => Problem::new(ProblemKind::PresentationMalformed, m),
        Refusal::Expired(m) => Problem::new(ProblemKind::PresentationExpired, m),
        Refusal::Invalid(m) => Problem::new(ProblemKind::PresentationInvalid, m),
        Refusal::NotForThisVerifier => Problem::new(
            ProblemKind::PresentationNotForVerifier,
            "err-presentation-not-for-verifier",
        ),
        Refusal::Replayed => Problem::new(
            ProblemKind::PresentationReplayed,
            "err-presentation-replayed",
        ),
        Refusal::Revoked => {
            Problem::new(ProblemKind::PresentationRevoked, "err-presentation-revoked")
        }
        Refusal::NotDisclosed(field) => Problem {
            parameter: Some(field.clone()),
            ..Problem::new(
                ProblemKind::FieldNotDisclosed,
                Text::new("err-presentation-not-disclosed").arg("field", field.as_str()),
            )
        },
    }
}

fn answer(
    state: &AppState,
    lang: ReaderLang,
    checked: Checked,
) -> Result<Json<VerifiedView>, Problem> {
    checked
        .map(|view| Json(view.localized(&state.speaker(lang))))
        .map_err(refusal_problem)
}

/// 核验 — checks a presentation made for this verifier (`audience`, and
/// the request's `nonce` when it made one) and answers only the disclosed
/// fields. Each presentation verifies once: a second check is a replay.
#[utoipa::path(post, path = "/api/v1/wallet/verify", tag = "wallet", operation_id = "verify_presentation",
    request_body = VerifyRequest,
    responses(
        (status = 200, description = "Valid: the disclosed fields", body = VerifiedView),
        (status = 400, description = "`presentation-malformed`: not a presentation", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`presentation-expired`, `presentation-invalid` (forged, changed, unknown key, broken key binding), `presentation-not-for-verifier` (another audience or nonce), `presentation-replayed` (used already), `presentation-revoked` (deleted or revoked licence), `field-not-disclosed`", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "`rate-limited`: too many checks from this address; wait `Retry-After` seconds", body = Problem, content_type = "application/problem+json"),
    ))]
pub(crate) async fn verify(
    State(state): State<AppState>,
    lang: ReaderLang,
    Caller(client): Caller,
    JsonBody(body): JsonBody<VerifyRequest>,
) -> Result<Json<VerifiedView>, Problem> {
    let require: Vec<String> = body.require.into_iter().map(|f| f.0).collect();
    let centre = centre(&state)?;
    let audience = match body.audience {
        Some(audience) => audience,
        None => centre.wallet()?.redeem_audience(),
    };
    answer(
        &state,
        lang,
        centre
            .wallet_verify(
                &body.token,
                &audience,
                body.nonce.as_deref(),
                &require,
                &client,
            )
            .await?,
    )
}

/// Redeems a one-time QR code: once. A second redemption is a replay.
#[utoipa::path(post, path = "/api/v1/wallet/redeem", tag = "wallet", operation_id = "redeem_presentation",
    request_body = RedeemRequest,
    responses(
        (status = 200, description = "Valid: the disclosed fields, and the token as proof", body = VerifiedView),
        (status = 400, description = "`presentation-malformed`: not a code", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`presentation-replayed` (redeemed already or expired), `presentation-invalid` (no such code), `presentation-revoked`", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "`rate-limited`", body = Problem, content_type = "application/problem+json"),
    ))]
pub(crate) async fn redeem(
    State(state): State<AppState>,
    lang: ReaderLang,
    Caller(client): Caller,
    JsonBody(body): JsonBody<RedeemRequest>,
) -> Result<Json<VerifiedView>, Problem> {
    let checked = centre(&state)?.wallet_redeem(&body.code, &client).await?;
    answer(&state, lang, checked)
}

/// A verifier asks for a presentation (OpenID4VP-style): the answer holds
/// the request's code and QR code (for the holder to scan), the audience
/// and fresh nonce presentations will be bound to, and a secret to fetch
/// the answer with. Open for five minutes.
#[utoipa::path(post, path = "/api/v1/wallet/requests", tag = "wallet", operation_id = "create_verifier_request",
    request_body = NewVerifierRequest,
    responses(
        (status = 201, description = "The request (its secret is shown once)", body = VerifierRequest),
        (status = 400, description = "`invalid-request`", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "`rate-limited`", body = Problem, content_type = "application/problem+json"),
    ))]
pub(crate) async fn create_request(
    State(state): State<AppState>,
    Caller(client): Caller,
    JsonBody(body): JsonBody<NewVerifierRequest>,
) -> Result<(StatusCode, Json<VerifierRequest>), Problem> {
    let fields: Vec<String> = body.fields.into_iter().map(|f| f.0).collect();
    let request = centre(&state)?
        .wallet_request(&body.verifier, &body.audience, &fields, &client)
        .await?;
    Ok((StatusCode::CREATED, Json(request)))
}

/// An open verifier's request, for the holder's app: who asks, for what.
#[utoipa::path(get, path = "/api/v1/wallet/requests/{code}", tag = "wallet", operation_id = "get_verifier_request",
    params(("code" = String, Path, description = "The request's code", min_length = 1, max_length = 16)),
    responses(
        (status = 200, description = "The request", body = RequestInfo),
        (status = 404, description = "`not-found`: no open request has this code", body = Problem, content_type = "application/problem+json"),
    ))]
pub(crate) async fn request_info(
    State(state): State<AppState>,
    Path(code): Path<String>,
) -> Result<Json<RequestInfo>, Problem> {
    Ok(Json(
        centre(&state)?.wallet_request_info(path_id(&code)?).await?,
    ))
}

/// The holder's answer to a verifier's request, fetched once with the
/// request's secret (`Authorization: Bearer <secret>`): `202` while it is
/// not answered yet.
#[utoipa::path(get, path = "/api/v1/wallet/requests/{code}/result", tag = "wallet", operation_id = "verifier_request_result",
    params(("code" = String, Path, description = "The request's code", min_length = 1, max_length = 16)),
    security(("request_secret" = [])),
    responses(
        (status = 200, description = "Answered and valid: the disclosed fields and the token", body = VerifiedView),
        (status = 202, description = "Not answered yet", body = Pending),
        (status = 401, description = "`unauthenticated`: no secret sent", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`not-found`: no request has this code and secret", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`presentation-replayed` (fetched already), `presentation-revoked`, `presentation-expired`", body = Problem, content_type = "application/problem+json"),
    ))]
pub(crate) async fn request_result(
    State(state): State<AppState>,
    lang: ReaderLang,
    Caller(client): Caller,
    Path(code): Path<String>,
    headers: axum::http::HeaderMap,
) -> Result<Response, Problem> {
    let Some(secret) = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
    else {
        return Err(Problem::new(
            ProblemKind::Unauthenticated,
            "err-request-secret",
        ));
    };
    match centre(&state)?
        .wallet_request_result(path_id(&code)?, secret, &client)
        .await?
    {
        None => Ok((StatusCode::ACCEPTED, Json(Pending { status: "pending" })).into_response()),
        Some(checked) => Ok(answer(&state, lang, checked)?.into_response()),
    }
}

/// The issuer's status list (IETF Token Status List, a signed JWT): one bit
/// per presentation, set when its licence was revoked or deleted. Verifiers
/// cache it for its `ttl` and check the `status` claim of presentations
/// offline.
#[utoipa::path(get, path = "/api/v1/wallet/status-list", tag = "wallet", operation_id = "wallet_status_list",
    responses((status = 200, description = "The status list token", body = String,
        content_type = "application/statuslist+jwt")))]
pub(crate) async fn status_list(State(state): State<AppState>) -> Result<Response, Problem> {
    let jwt = centre(&state)?.wallet_status_list().await?;
    let mut response = jwt.into_response();
    response.headers_mut().insert(
        axum::http::header::CONTENT_TYPE,
        axum::http::HeaderValue::from_static("application/statuslist+jwt"),
    );
    response.headers_mut().insert(
        axum::http::header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("public, max-age=60"),
    );
    Ok(response)
}

/// The issuer's public keys (JWKS), for verifying presentations offline.
#[utoipa::path(get, path = "/api/v1/wallet/jwks.json", tag = "wallet", operation_id = "wallet_jwks",
    responses((status = 200, description = "JWKS (Ed25519 keys, current and retained)", body = Object,
        content_type = "application/jwk-set+json")))]
pub(crate) async fn jwks(State(state): State<AppState>) -> Result<Response, Problem> {
    let wallet = centre(&state)?.wallet()?;
    let mut response = wallet.jwks().to_json().into_response();
    response.headers_mut().insert(
        axum::http::header::CONTENT_TYPE,
        axum::http::HeaderValue::from_static("application/jwk-set+json"),
    );
    Ok(response)
}

/// A licence type, as published.
#[derive(Debug, Serialize, ToSchema)]
pub struct LicenceTypeView {
    /// Code (the `vct` of presentations).
    pub code: String,
    /// Chinese name.
    pub name: String,
    /// `card`, `certificate` or `organisation`.
    pub kind: String,
    /// Field names and labels.
    pub fields: Vec<FieldName>,
    /// Related catalogue items.
    pub related_services: Vec<String>,
    /// The renewal item, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub renewal_service: Option<String>,
}

/// A field of a licence type.
#[derive(Debug, Serialize, ToSchema)]
pub struct FieldName {
    /// Claim name.
    pub name: String,
    /// Chinese label.
    pub label: String,
    /// Masked in list views.
    pub sensitive: bool,
}

/// The licence types the wallet knows.
#[utoipa::path(get, path = "/api/v1/wallet/types", tag = "wallet", operation_id = "wallet_types",
    responses((status = 200, description = "Licence types", body = [LicenceTypeView])))]
pub(crate) async fn types(
    State(state): State<AppState>,
    lang: ReaderLang,
) -> Result<Json<Vec<LicenceTypeView>>, Problem> {
    let wallet = centre(&state)?.wallet()?;
    let speaker = state.speaker(lang);
    Ok(Json(
        wallet
            .types()
            .iter()
            .map(|t| LicenceTypeView {
                code: t.code.clone(),
                name: speaker.name(&licence_type_id(&t.code), &t.name),
                kind: format!("{:?}", t.kind).to_lowercase(),
                fields: t
                    .fields
                    .iter()
                    .map(|f| FieldName {
                        name: f.name.clone(),
                        label: speaker.name(&licence_field_id(&t.code, &f.name), &f.label),
                        sensitive: f.sensitive,
                    })
                    .collect(),
                related_services: t.related_services.clone(),
                renewal_service: t.renewal_service.clone(),
            })
            .collect(),
    ))
}

/// A licence the issuer revokes.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RevokeRequest {
    /// Licence type code.
    #[serde(rename = "type")]
    #[schema(max_length = 64)]
    pub type_code: String,
    /// Licence number.
    #[schema(max_length = 64)]
    pub number: String,
    /// Why (kept with the revocation).
    #[schema(min_length = 1, max_length = 200)]
    pub reason: String,
}

/// What a revocation did.
#[derive(Debug, Serialize, ToSchema)]
pub struct Revoked {
    /// Whether the licence was newly revoked (false: it already was).
    pub new: bool,
    /// Wallet entries of it marked revoked.
    pub revoked: u64,
    /// Live presentations of it voided (their status-list bits set).
    pub presentations: u64,
}

/// The issuer revokes a licence (keyed to the licence itself): its
/// presentations stop verifying and it cannot be added again.
#[utoipa::path(post, path = "/api/v1/operator/licences/revoke", tag = "operator", operation_id = "operator_revoke_licence",
    security(("operator_token" = [])), request_body = RevokeRequest,
    responses(
        (status = 200, description = "Revoked", body = Revoked),
        (status = 400, description = "`invalid-request`", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "`unauthenticated`: not the operator token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`operator-disabled`", body = Problem, content_type = "application/problem+json"),
    ))]
pub(crate) async fn revoke(
    State(state): State<AppState>,
    _: Operator,
    JsonBody(body): JsonBody<RevokeRequest>,
) -> Result<Json<Revoked>, Problem> {
    for (name, value) in [("type", &body.type_code), ("number", &body.number)] {
        if value.chars().count() > 64 {
            return Err(Problem {
                parameter: Some(name.to_string()),
                ..Problem::new(
                    ProblemKind::InvalidRequest,
                    Text::new("err-too-long").arg("max", 64),
                )
            });
        }
    }
    let done = centre(&state)?
        .wallet_revoke(&body.type_code, &body.number, &body.reason)
        .await?;
    Ok(Json(Revoked {
        new: done.new,
        revoked: done.entries,
        presentations: done.presentations,
    }))
}

/// The licences a service item accepts.
#[derive(Debug, Serialize, ToSchema)]
pub struct ItemLicences {
    /// The item asked about.
    pub item: String,
    /// Licence types it accepts or renews (empty when it needs none).
    pub licences: Vec<AcceptedLicence>,
}

/// The licences a service item accepts (相关证照): what to bring, or what a
/// wallet can present for it.
#[utoipa::path(get, path = "/api/v1/items/{id}/licences", tag = "wallet", operation_id = "item_licences",
    params(("id" = String, Path, description = "The item's id", min_length = 1, max_length = 128,
        pattern = r"^[^\x00-\x1F\x7F-\x9F]*$")),
    responses(
        (status = 200, description = "Licence types", body = ItemLicences),
        (status = 400, description = "`invalid-parameter`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`not-found`: no item has this id", body = Problem, content_type = "application/problem+json"),
    ))]
pub(crate) async fn item_licences(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<ItemLicences>, Problem> {
    crate::params::checked_item_id(&id)?;
    let generation = state.generation()?;
    if generation.engine.item(&id).is_none() {
        return Err(Problem::not_found("err-not-found-item"));
    }
    let licences = centre(&state)?.licences_for_item(&id);
    Ok(Json(ItemLicences { item: id, licences }))
}

/// The signing key after a rotation.
#[derive(Debug, Serialize, ToSchema)]
pub struct Rotated {
    /// Id of the new signing key (`kid`).
    pub kid: String,
    /// Key ids published in the JWKS now (the new one and those retained
    /// until the presentations they signed have expired).
    pub published: Vec<String>,
}

/// Rotates the wallet's signing key: new presentations are signed with a
/// fresh Ed25519 key; old keys stay in the JWKS until their tokens expire.
#[utoipa::path(post, path = "/api/v1/operator/wallet/keys/rotate", tag = "operator", operation_id = "operator_rotate_wallet_key",
    security(("operator_token" = [])),
    responses(
        (status = 200, description = "Rotated", body = Rotated),
        (status = 401, description = "`unauthenticated`: not the operator token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`operator-disabled`", body = Problem, content_type = "application/problem+json"),
    ))]
pub(crate) async fn rotate_key(
    State(state): State<AppState>,
    _: Operator,
) -> Result<Json<Rotated>, Problem> {
    let wallet = centre(&state)?.wallet()?;
    let kid = wallet.rotate_key()?;
    let published = wallet
        .jwks()
        .keys
        .iter()
        .filter_map(|k| k.kid.clone())
        .collect();
    tracing::info!(kid = %kid, "wallet signing key rotated");
    Ok(Json(Rotated { kid, published }))
}

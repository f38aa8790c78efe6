//! 缴费 — bills and payments, exactly once.
//!
//! - `GET /api/v1/me/bills` — the person's bills and top-up offers from
//!   the departments (real-name, L2);
//! - `POST /api/v1/me/payments` (`Idempotency-Key` required) — pays a bill
//!   or tops an account up: the provider's page to confirm on;
//! - `GET /api/v1/me/payments`, `GET …/{id}` — the payments, each asked
//!   again of the provider while it is open (the page's poll);
//! - `POST /api/v1/payments/notify/{provider}` — the provider's signed
//!   notification (no session);
//! - `POST /api/v1/operator/payments/{id}/refund`, `GET …/{id}/audit` —
//!   operators.
//!
//! The state machine and its guarantees are in `yuesou-payments`
//! (docs/PAYMENTS.md).

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use yuesou_payments::{
    BillQuery, BillState, BillView, Operator as PaymentOperator, Payment, PaymentStatus,
    PaymentTarget, TopUpView, money,
};

use crate::extract::{Authed, JsonBody, Operator, centre};
use crate::features::payments::{PaymentsDesk, payer_of, problem};
use crate::i18n::{ReaderLang, Speaker, Text};
use crate::params::{Params, path_id};
use crate::problem::{Problem, ProblemKind};
use crate::state::AppState;

/// A bill.
#[derive(Debug, Serialize, ToSchema)]
pub struct BillItem {
    /// The id to pay it by (opaque).
    pub id: String,
    /// The catalogue item.
    pub item_id: String,
    /// Bill kind (`electricity`, `traffic_fine` …).
    pub kind: String,
    /// What it is for (电费).
    pub title: String,
    /// Who is paid (收款单位).
    pub payee: String,
    /// Customer number or plate, masked.
    pub account: String,
    /// Amount due in fen.
    pub amount_fen: i64,
    /// The amount in yuan, as shown (`128.50`).
    pub amount: String,
    /// Last day to pay (`YYYY-MM-DD`).
    pub due: String,
    /// Billing period.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub period: Option<String>,
    /// One line from the department.
    pub description: String,
    /// `unpaid`, `paying`, `paid` or `expired`.
    pub status: String,
    /// The status in the reader's language.
    pub status_label: String,
    /// This account's live or successful payment of it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub payment_id: Option<String>,
}

/// A top-up offer (燃气, 粤通卡).
#[derive(Debug, Serialize, ToSchema)]
pub struct TopUpItem {
    /// The id to top up by.
    pub id: String,
    /// The catalogue item.
    pub item_id: String,
    /// Kind (`gas`, `etc`).
    pub kind: String,
    /// What it is for.
    pub title: String,
    /// Who is paid.
    pub payee: String,
    /// Account or card, masked.
    pub account: String,
    /// Smallest amount in fen.
    pub min_fen: i64,
    /// Largest amount in fen.
    pub max_fen: i64,
    /// Amounts are multiples of this (fen).
    pub step_fen: i64,
    /// One line from the department.
    pub description: String,
}

/// The person's bills.
#[derive(Debug, Serialize, ToSchema)]
pub struct Bills {
    /// Bills, unpaid first, then by due date.
    pub bills: Vec<BillItem>,
    /// Top-up offers.
    pub top_ups: Vec<TopUpItem>,
    /// Items whose department cannot answer now (暂时无法查询).
    pub unavailable: Vec<String>,
}

/// A payment as its owner sees it.
#[derive(Debug, Serialize, ToSchema)]
pub struct PaymentView {
    /// Id.
    pub id: String,
    /// `created`, `paying`, `paid`, `settled`, `failed`, `expired`,
    /// `refunding` or `refunded`.
    pub status: String,
    /// The status in the reader's language.
    pub status_label: String,
    /// `bill` or `top_up`.
    pub target_type: String,
    /// The bill's or offer's id.
    pub target_id: String,
    /// The catalogue item.
    pub item_id: String,
    /// The item's title.
    pub item_title: String,
    /// What is paid.
    pub title: String,
    /// Who is paid.
    pub payee: String,
    /// Account, masked.
    pub account: String,
    /// Billing period.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub period: Option<String>,
    /// Amount in fen.
    pub amount_fen: i64,
    /// The amount in yuan, as shown.
    pub amount: String,
    /// Where to confirm the payment (while `paying`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pay_url: Option<String>,
    /// The provider.
    pub provider: String,
    /// Why it failed, expired or was refunded (a code).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failure: Option<String>,
    /// Made at (RFC 3339).
    pub created_at: String,
    /// The order lapses unpaid at.
    pub expires_at: String,
    /// Paid at.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub paid_at: Option<String>,
    /// Settled with the department at.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub settled_at: Option<String>,
    /// Refunded at.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refunded_at: Option<String>,
    /// The receipt's number (票据号), once settled.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub receipt_number: Option<String>,
    /// The receipt in the wallet, once there.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub wallet_entry_id: Option<String>,
}

/// The person's payments.
#[derive(Debug, Serialize, ToSchema)]
pub struct PaymentList {
    /// Newest first (at most 200).
    pub items: Vec<PaymentView>,
}

/// A top-up to make.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TopUpRequest {
    /// The offer's id.
    #[schema(min_length = 1, max_length = 200, pattern = r"^[!-~]+$")]
    pub account: String,
    /// The amount in fen (an integer: never a decimal).
    #[schema(minimum = 1, maximum = 5_000_000)]
    pub amount_fen: i64,
}

/// What to pay: `bill_id`, or `top_up`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPayment {
    /// A bill's id as listed.
    #[serde(default)]
    #[schema(min_length = 1, max_length = 200, pattern = r"^[!-~]+$")]
    pub bill_id: Option<String>,
    /// A top-up.
    #[serde(default)]
    pub top_up: Option<TopUpRequest>,
    /// The customer number the bills were asked with (paying for a
    /// parent's account).
    #[serde(default)]
    #[schema(min_length = 1, max_length = 40, pattern = r"^[!-~]+$")]
    pub customer_number: Option<String>,
}

/// Query parameters of the bill listing.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)] // documents the parameters; `Params` parses them
pub struct BillsParams {
    /// One 缴费 item; all payable items without it (empty counts as
    /// absent).
    #[param(max_length = 128, pattern = r"^[!-~]*$")]
    pub item_id: Option<String>,
    /// A customer number or plate typed by the person (needs `item_id`;
    /// empty counts as absent).
    #[param(max_length = 40, pattern = r"^[!-~]*$")]
    pub customer_number: Option<String>,
}

/// An operator's refund.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefundRequest {
    /// Why (1–500 characters; kept in the audit trail, never sent to the
    /// provider).
    #[schema(min_length = 1, max_length = 500)]
    pub reason: String,
}

/// One recorded change of a payment.
#[derive(Debug, Serialize, ToSchema)]
pub struct TransitionView {
    /// Sequence number.
    pub version: i64,
    /// From (none for the first).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    /// To.
    pub to: String,
    /// When (RFC 3339).
    pub at: String,
    /// Why (a code).
    pub cause: String,
    /// Who (`provider`, `recovery`, an operator …).
    pub actor: String,
}

/// A payment's audit trail.
#[derive(Debug, Serialize, ToSchema)]
pub struct PaymentAudit {
    /// The payment.
    pub payment: PaymentView,
    /// Every change, oldest first.
    pub transitions: Vec<TransitionView>,
}

fn desk(state: &AppState) -> Result<&PaymentsDesk, Problem> {
    state.payments.as_deref().ok_or_else(|| Problem {
        retry_after: Some(5),
        ..Problem::new(ProblemKind::Unavailable, "err-payment-not-configured")
    })
}

fn rfc3339(t: time::OffsetDateTime) -> String {
    yuesou_booking::cst::rfc3339(t)
}

fn status_label(speaker: &Speaker, status: PaymentStatus) -> String {
    speaker.say(&Text::new(format!(
        "payment-status-{}",
        status.as_str().replace('_', "-")
    )))
}

pub(crate) fn payment_view(payment: Payment, speaker: &Speaker) -> PaymentView {
    PaymentView {
        status: payment.status.as_str().to_owned(),
        status_label: status_label(speaker, payment.status),
        amount: money::yuan(payment.amount_fen),
        id: payment.id,
        target_type: payment.target_type,
        target_id: payment.target_id,
        item_id: payment.item_id,
        item_title: payment.item_title,
        title: payment.title,
        payee: payment.payee,
        account: payment.account,
        period: payment.period,
        amount_fen: payment.amount_fen,
        pay_url: payment.pay_url,
        provider: payment.provider,
        failure: payment.failure,
        created_at: rfc3339(payment.created_at),
        expires_at: rfc3339(payment.expires_at),
        paid_at: payment.paid_at.map(rfc3339),
        settled_at: payment.settled_at.map(rfc3339),
        refunded_at: payment.refunded_at.map(rfc3339),
        receipt_number: payment.receipt_number,
        wallet_entry_id: payment.wallet_entry_id,
    }
}

fn bill_view(bill: BillView, speaker: &Speaker) -> BillItem {
    let status = match bill.status {
        BillState::Unpaid => "unpaid",
        BillState::Paying => "paying",
        BillState::Paid => "paid",
        BillState::Expired => "expired",
    };
    BillItem {
        status_label: speaker.say(&Text::new(format!("bill-status-{status}"))),
        status: status.to_owned(),
        amount: money::yuan(bill.amount_fen),
        due: bill.due.to_string(),
        id: bill.id,
        item_id: bill.item_id,
        kind: bill.kind,
        title: bill.title,
        payee: bill.payee,
        account: bill.account,
        amount_fen: bill.amount_fen,
        period: bill.period,
        description: bill.description,
        payment_id: bill.payment_id,
    }
}

fn top_up_view(offer: TopUpView) -> TopUpItem {
    TopUpItem {
        id: offer.id,
        item_id: offer.item_id,
        kind: offer.kind,
        title: offer.title,
        payee: offer.payee,
        account: offer.account,
        min_fen: offer.min_fen,
        max_fen: offer.max_fen,
        step_fen: offer.step_fen,
        description: offer.description,
    }
}

fn needs_real_name(subject: &yuesou_centre::Subject) -> Result<(), Problem> {
    if subject.level >= yuesou_centre::Level::L2 {
        return Ok(());
    }
    Err(yuesou_centre::CentreError::StepUpRequired {
        required: yuesou_centre::Level::L2,
        current: subject.level,
    }
    .into())
}

/// The person's bills and top-up offers, asked of the departments with
/// their verified identity (L2).
#[utoipa::path(get, path = "/api/v1/me/bills", tag = "payments", operation_id = "bills",
    security(("session" = [])), params(BillsParams),
    responses(
        (status = 200, description = "Bills and offers; `unavailable` lists items whose department cannot answer now", body = Bills),
        (status = 400, description = "`invalid-parameter`", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "`unauthenticated`", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`step-up-required`: real-name (L2)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`not-found`: not a payable item", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "`unavailable`: payments are not configured", body = Problem, content_type = "application/problem+json"),
    ))]
pub(crate) async fn bills(
    State(state): State<AppState>,
    lang: ReaderLang,
    Authed(subject): Authed,
    RawQuery(raw): RawQuery,
) -> Result<Json<Bills>, Problem> {
    let params = Params::parse(raw.as_deref(), &["item_id", "customer_number"])?;
    let item_id = params.text_max("item_id", 128)?.map(str::to_owned);
    let customer_number = params.text_max("customer_number", 40)?.map(str::to_owned);
    for (name, value) in [("item_id", &item_id), ("customer_number", &customer_number)] {
        if value
            .as_deref()
            .is_some_and(|v| !v.bytes().all(|b| b.is_ascii_graphic()))
        {
            return Err(Problem::invalid_parameter(name, "err-booking-id-format"));
        }
    }
    if customer_number.is_some() && item_id.is_none() {
        return Err(Problem::invalid_parameter("item_id", "err-required"));
    }
    if let Some(id) = &item_id
        && desk(&state)?.payments()?.items().get(id).is_none()
    {
        return Err(Problem::not_found("err-payment-not-payable"));
    }
    needs_real_name(&subject)?;
    let payments = desk(&state)?.payments()?;
    let payer = payer_of(centre(&state)?, &subject).await?;
    let view = payments
        .bills(
            &payer,
            &BillQuery {
                item_id,
                customer_number,
            },
        )
        .await
        .map_err(problem)?;
    let speaker = state.speaker(lang);
    Ok(Json(Bills {
        bills: view
            .bills
            .into_iter()
            .map(|b| bill_view(b, &speaker))
            .collect(),
        top_ups: view.top_ups.into_iter().map(top_up_view).collect(),
        unavailable: view.unavailable,
    }))
}

/// Pays a bill or tops an account up (L2). `Idempotency-Key` is required:
/// the same key is the same payment (a retry after a lost answer pays
/// once); a bill has at most one live or successful payment. The answer's
/// `pay_url` is the provider's page to confirm on.
#[utoipa::path(post, path = "/api/v1/me/payments", tag = "payments", operation_id = "pay",
    security(("session" = [])), request_body = NewPayment,
    params(("Idempotency-Key" = String, Header, description = "1–128 visible ASCII characters: the same key is the same payment",
        min_length = 1, max_length = 128, pattern = r"^[!-~]+$")),
    responses(
        (status = 201, description = "The payment (`paying`, with `pay_url`)", body = PaymentView),
        (status = 200, description = "The same key again: the payment it made", body = PaymentView),
        (status = 400, description = "`invalid-parameter`: no or a malformed key, an amount that is not whole fen; `invalid-request`: neither or both of `bill_id` and `top_up`", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "`unauthenticated`", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`step-up-required`: real-name (L2)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`not-found`: no such bill of this person's", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`conflict`: paid already, overdue, or a payment in progress", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`payment-rejected`: an amount outside the payee's range, a key of another payment, the department's refusal", body = Problem, content_type = "application/problem+json"),
        (status = 501, description = "`not-payable-online`", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "`department-unavailable` or `unavailable`: retry with the same key", body = Problem, content_type = "application/problem+json"),
    ))]
pub(crate) async fn pay(
    State(state): State<AppState>,
    lang: ReaderLang,
    Authed(subject): Authed,
    headers: HeaderMap,
    JsonBody(body): JsonBody<NewPayment>,
) -> Result<(StatusCode, Json<PaymentView>), Problem> {
    let key = headers
        .get("idempotency-key")
        .map(|v| v.to_str().unwrap_or_default().to_owned())
        .unwrap_or_default();
    if key.is_empty() || key.len() > 128 || !key.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(Problem::invalid_parameter(
            "Idempotency-Key",
            "err-payment-invalid-idempotency-key",
        ));
    }
    let target = match (body.bill_id, body.top_up) {
        (Some(bill_id), None) => PaymentTarget::Bill {
            bill_id,
            customer_number: body.customer_number,
        },
        (None, Some(top_up)) => PaymentTarget::TopUp {
            account: top_up.account,
            amount_fen: top_up.amount_fen,
            customer_number: body.customer_number,
        },
        _ => return Err(Problem::invalid_request("err-payment-target")),
    };
    needs_real_name(&subject)?;
    let payments = desk(&state)?.payments()?;
    let payer = payer_of(centre(&state)?, &subject).await?;
    let created = payments
        .create(&payer, &target, &key)
        .await
        .map_err(problem)?;
    let status = if created.replayed {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    Ok((
        status,
        Json(payment_view(created.payment, &state.speaker(lang))),
    ))
}

/// The person's payments, newest first.
#[utoipa::path(get, path = "/api/v1/me/payments", tag = "payments", operation_id = "list_payments",
    security(("session" = [])),
    responses(
        (status = 200, description = "The payments", body = PaymentList),
        (status = 401, description = "`unauthenticated`", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "`unavailable`: payments are not configured", body = Problem, content_type = "application/problem+json"),
    ))]
pub(crate) async fn list(
    State(state): State<AppState>,
    lang: ReaderLang,
    Authed(subject): Authed,
) -> Result<Json<PaymentList>, Problem> {
    let payments = desk(&state)?.payments()?;
    let payer = payer_of(centre(&state)?, &subject).await?;
    let items = payments.list(&payer).await.map_err(problem)?;
    let speaker = state.speaker(lang);
    Ok(Json(PaymentList {
        items: items
            .into_iter()
            .map(|p| payment_view(p, &speaker))
            .collect(),
    }))
}

/// One payment; while it is open the provider is asked and a paid one is
/// settled first (the page polls this after the person returns).
#[utoipa::path(get, path = "/api/v1/me/payments/{id}", tag = "payments", operation_id = "get_payment",
    security(("session" = [])),
    params(("id" = String, Path, description = "The payment", min_length = 1, max_length = 64)),
    responses(
        (status = 200, description = "The payment", body = PaymentView),
        (status = 401, description = "`unauthenticated`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`not-found`: no such payment of the caller's", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "`unavailable`", body = Problem, content_type = "application/problem+json"),
    ))]
pub(crate) async fn get(
    State(state): State<AppState>,
    lang: ReaderLang,
    Authed(subject): Authed,
    Path(id): Path<String>,
) -> Result<Json<PaymentView>, Problem> {
    let id = path_id(&id)?;
    let payments = desk(&state)?.payments()?;
    let payer = payer_of(centre(&state)?, &subject).await?;
    let payment = payments.refresh(&payer, id).await.map_err(problem)?;
    Ok(Json(payment_view(payment, &state.speaker(lang))))
}

/// The provider's signed notification of a payment or refund (no
/// session). A verified one is acknowledged in the provider's own format;
/// an unsigned or badly signed one changes nothing (403), and is logged.
#[utoipa::path(post, path = "/api/v1/payments/notify/{provider}", tag = "payments", operation_id = "payment_notification",
    params(("provider" = String, Path, description = "The provider (`dev`)", min_length = 1, max_length = 16)),
    request_body(content = Object, description = "The provider's notification, signed in its headers", content_type = "application/json"),
    responses(
        (status = 200, description = "Processed (or processed before): the provider's acknowledgement", body = Object),
        (status = 400, description = "`invalid-request`: signed, but not the provider's format", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`forbidden`: unsigned, badly signed or stale — nothing changes", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`not-found`: an unknown order, or another provider", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`payment-rejected`: the amount or order differs from the payment's", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "`unavailable`: not processed; send again", body = Problem, content_type = "application/problem+json"),
    ))]
pub(crate) async fn notify(
    State(state): State<AppState>,
    Path(provider): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, Problem> {
    let payments = desk(&state)?.payments()?;
    if provider != payments.provider().name() {
        return Err(Problem::not_found("err-payment-unknown-order"));
    }
    payments
        .on_notification(&body, &headers)
        .await
        .map_err(problem)?;
    let ack = payments.provider().acknowledgement(true);
    let mut response = (
        StatusCode::from_u16(ack.status).unwrap_or(StatusCode::OK),
        ack.body,
    )
        .into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(ack.content_type),
    );
    Ok(response)
}

/// Refunds a settled payment (operator token); the receipt is withdrawn
/// from the wallet once the money is back.
#[utoipa::path(post, path = "/api/v1/operator/payments/{id}/refund", tag = "operator", operation_id = "refund_payment",
    security(("operator_token" = [])), request_body = RefundRequest,
    params(("id" = String, Path, description = "The payment", min_length = 1, max_length = 64)),
    responses(
        (status = 200, description = "Refunding", body = PaymentView),
        (status = 400, description = "`invalid-request`: no reason", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "`unauthorized`", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`operator-disabled`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`not-found`", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`conflict`: not settled, or refunded already", body = Problem, content_type = "application/problem+json"),
    ))]
pub(crate) async fn refund(
    State(state): State<AppState>,
    lang: ReaderLang,
    _operator: Operator,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<RefundRequest>,
) -> Result<Json<PaymentView>, Problem> {
    let id = path_id(&id)?;
    let payments = desk(&state)?.payments()?;
    let payment = payments
        .refund(
            &PaymentOperator {
                id: "operator".to_owned(),
            },
            id,
            &body.reason,
        )
        .await
        .map_err(problem)?;
    Ok(Json(payment_view(payment, &state.speaker(lang))))
}

/// A payment's every recorded change (operator token).
#[utoipa::path(get, path = "/api/v1/operator/payments/{id}/audit", tag = "operator", operation_id = "payment_audit",
    security(("operator_token" = [])),
    params(("id" = String, Path, description = "The payment", min_length = 1, max_length = 64)),
    responses(
        (status = 200, description = "The payment and its changes", body = PaymentAudit),
        (status = 401, description = "`unauthorized`", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`operator-disabled`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`not-found`", body = Problem, content_type = "application/problem+json"),
    ))]
pub(crate) async fn audit(
    State(state): State<AppState>,
    lang: ReaderLang,
    _operator: Operator,
    Path(id): Path<String>,
) -> Result<Json<PaymentAudit>, Problem> {
    let id = path_id(&id)?;
    let payments = desk(&state)?.payments()?;
    let (payment, transitions) = payments.audit(id).await.map_err(problem)?;
    Ok(Json(PaymentAudit {
        payment: payment_view(payment, &state.speaker(lang)),
        transitions: transitions
            .into_iter()
            .map(|t| TransitionView {
                version: t.version,
                from: t.from.map(|s| s.as_str().to_owned()),
                to: t.to.as_str().to_owned(),
                at: rfc3339(t.at),
                cause: t.cause,
                actor: t.actor,
            })
            .collect(),
    }))
}

/// A day's reconciliation (对账) as operators read it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReconciliationView {
    /// The China day, `YYYY-MM-DD`.
    pub day: String,
    /// When it ran (RFC 3339).
    pub ran_at: String,
    /// Lines in the provider's statement.
    pub provider_lines: u64,
    /// The statement's payments, in fen.
    pub provider_payments_fen: i64,
    /// The platform's payments paid that day.
    pub platform_payments: u64,
    /// Their amounts, in fen.
    pub platform_payments_fen: i64,
    /// Payments that matched in every respect.
    pub matched: u64,
    /// Mismatches by kind (complete).
    pub counts: std::collections::BTreeMap<String, u64>,
    /// The mismatches (the first 10,000).
    pub mismatches: Vec<MismatchView>,
    /// Payments refunded that day after their department had settled them.
    pub department_follow_up: Vec<String>,
    /// How long it took, in milliseconds.
    pub elapsed_ms: u64,
}

/// One difference between the provider, the platform and the department.
#[derive(Debug, Serialize, ToSchema)]
pub struct MismatchView {
    /// `provider_only`, `status_mismatch`, `platform_only`,
    /// `amount_mismatch`, `settlement_missing`, `refund_provider_only`,
    /// `refund_platform_only` or `refund_amount_mismatch`.
    pub kind: String,
    /// The payment id (the provider's `out_trade_no`).
    pub payment_id: String,
    /// The provider's order id, if the provider has it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub provider_order_id: Option<String>,
    /// The platform's amount in fen, if it has the payment.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub platform_amount_fen: Option<i64>,
    /// The provider's amount in fen, if it has the payment.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub provider_amount_fen: Option<i64>,
    /// The platform's status, if it has the payment.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub platform_status: Option<String>,
}

fn reconciliation_view(report: yuesou_payments::ReconciliationReport) -> ReconciliationView {
    ReconciliationView {
        day: report.day,
        ran_at: rfc3339(report.ran_at),
        provider_lines: report.provider_lines,
        provider_payments_fen: report.provider_payments_fen,
        platform_payments: report.platform_payments,
        platform_payments_fen: report.platform_payments_fen,
        matched: report.matched,
        counts: report.counts,
        mismatches: report
            .mismatches
            .into_iter()
            .map(|m| MismatchView {
                kind: m.kind.as_str().to_owned(),
                payment_id: m.payment_id,
                provider_order_id: m.provider_order_id,
                platform_amount_fen: m.platform_amount_fen,
                provider_amount_fen: m.provider_amount_fen,
                platform_status: m.platform_status,
            })
            .collect(),
        department_follow_up: report.department_follow_up,
        elapsed_ms: report.elapsed_ms,
    }
}

/// `YYYY-MM-DD`, a China day.
fn reconciliation_day(text: &str) -> Result<time::Date, Problem> {
    time::Date::parse(text, &time::format_description::well_known::Iso8601::DATE)
        .ok()
        .filter(|_| text.len() == 10)
        .ok_or_else(|| Problem::invalid_parameter("day", "err-booking-date-format"))
}

/// The stored reconciliation of a China day (operator token): the daily
/// job's, or the last one an operator ran.
#[utoipa::path(get, path = "/api/v1/operator/payments/reconciliations/{day}", tag = "operator", operation_id = "reconciliation_report",
    security(("operator_token" = [])),
    params(("day" = String, Path, description = "The China day, YYYY-MM-DD", min_length = 10, max_length = 10, pattern = r"^\d{4}-\d{2}-\d{2}$")),
    responses(
        (status = 200, description = "The day's report", body = ReconciliationView),
        (status = 400, description = "`invalid-parameter`: not a day", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "`unauthorized`", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`operator-disabled`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`not-found`: that day was not reconciled", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "`unavailable`: no payment provider is configured", body = Problem, content_type = "application/problem+json"),
    ))]
pub(crate) async fn reconciliation_report(
    State(state): State<AppState>,
    _operator: Operator,
    Path(day): Path<String>,
) -> Result<Json<ReconciliationView>, Problem> {
    let day = reconciliation_day(&day)?;
    let payments = desk(&state)?.payments()?;
    let report = payments
        .reconciliation_report(day)
        .await
        .map_err(problem)?
        .ok_or_else(|| Problem::not_found("err-not-found-reconciliation"))?;
    Ok(Json(reconciliation_view(report)))
}

/// Reconciles a China day now (operator token): the provider's statement
/// against the platform's payments and the departments' settlements; the
/// report replaces the day's stored one.
#[utoipa::path(post, path = "/api/v1/operator/payments/reconciliations/{day}", tag = "operator", operation_id = "reconcile_day",
    security(("operator_token" = [])),
    params(("day" = String, Path, description = "The China day, YYYY-MM-DD", min_length = 10, max_length = 10, pattern = r"^\d{4}-\d{2}-\d{2}$")),
    responses(
        (status = 200, description = "The day's report", body = ReconciliationView),
        (status = 400, description = "`invalid-parameter`: not a day", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "`unauthorized`", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`operator-disabled`", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "`unavailable`: no payment provider, or the provider's statement could not be fetched", body = Problem, content_type = "application/problem+json"),
    ))]
pub(crate) async fn reconcile_day(
    State(state): State<AppState>,
    _operator: Operator,
    Path(day): Path<String>,
) -> Result<Json<ReconciliationView>, Problem> {
    let day = reconciliation_day(&day)?;
    let payments = desk(&state)?.payments()?;
    let report = payments.reconcile(day).await.map_err(problem)?;
    Ok(Json(reconciliation_view(report)))
}

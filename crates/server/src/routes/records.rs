//! 查询 and 证明: a person's own records from the departments, public
//! records anyone may look up, and certificates issued into the wallet.
//!
//! - `GET /api/v1/items/{id}/record-kind` — what a 查询 item shows: its
//!   columns, filters and the level it needs (for the app to draw the page);
//! - `GET /api/v1/items/{id}/certificate` — what a 证明 item issues: the
//!   licence type, the level, and the purposes (用途) to choose from;
//! - `GET /api/v1/me/records?item=…` — one page of records (public kinds
//!   answer without a token too);
//! - `POST /api/v1/me/certificates` — 证明开具: the department's facts,
//!   signed into the wallet as a 证明类 licence.
//!
//! Every look-up that shows records is audited (the item, never the
//! records) before they are shown; one the department refused or could
//! not answer showed nothing and writes nothing. Records are never stored.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};
use yuesou_centre::{Level, RealIdentity, Subject, WalletItem};
use yuesou_core::ServiceItem;
use yuesou_gateway::kinds::{Scope, SubjectKind};
use yuesou_gateway::{
    CertificateRequest, FilterProblem, GatewayError, RecordKind, RecordsRequest, SubjectRef,
    check_filter_values,
};
use yuesou_wallet::Licence;

use crate::extract::{Authed, JsonBody, MaybeAuthed, centre};
use crate::features::departments::{Departments, Loaded, service_ref};
use crate::features::platform_records;
use crate::i18n::{Localize, ReaderLang, Text};
use crate::params::{Params, checked_item_id};
use crate::problem::{Problem, ProblemKind};
use crate::state::AppState;

/// A column of a records page.
#[derive(Debug, Serialize, ToSchema)]
pub struct ColumnView {
    /// Key of the column in each row.
    pub name: String,
    /// Heading.
    pub label: String,
    /// `text`, `date`, `month`, `year`, `money` (integer fen), `number`,
    /// `points`, `status` or `datetime`.
    #[serde(rename = "type")]
    pub kind: String,
}

/// A filter of a records page.
#[derive(Debug, Serialize, ToSchema)]
pub struct FilterView {
    /// Query parameter name.
    pub name: String,
    /// Label.
    pub label: String,
    /// `month_range` (`YYYY-MM/YYYY-MM`), `date_range`
    /// (`YYYY-MM-DD/YYYY-MM-DD`), `year`, `choice`, `text` or `plate`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Whether a look-up must give it.
    pub required: bool,
    /// The choices (`choice`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<String>,
    /// Longest range, in months (ranges).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_span_months: Option<u32>,
}

/// A key figure above the table.
#[derive(Debug, Serialize, ToSchema)]
pub struct SummaryView {
    /// Key in `summary`.
    pub name: String,
    /// Label.
    pub label: String,
    /// `money` (integer fen), `number`, `points`, `text`, `date` or `month`.
    #[serde(rename = "type")]
    pub kind: String,
}

/// What a 查询 item shows.
#[derive(Debug, Serialize, ToSchema)]
pub struct RecordKindView {
    /// The record kind's code.
    pub kind: String,
    /// The table's title.
    pub title: String,
    /// `personal` (the person's own, login needed) or `public`.
    pub scope: String,
    /// The login level a personal look-up needs (`L2`, `L3`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub level: Option<String>,
    /// Columns in display order.
    pub columns: Vec<ColumnView>,
    /// Filters.
    pub filters: Vec<FilterView>,
    /// Key figures.
    pub summary: Vec<SummaryView>,
    /// Rows per page by default.
    pub page_size: u32,
    /// What to show when there are no rows.
    pub empty_text: String,
    /// A note under the table.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// One page of records.
#[derive(Debug, Serialize, ToSchema)]
pub struct RecordsAnswer {
    /// The record kind's code.
    pub kind: String,
    /// The table's title.
    pub title: String,
    /// Columns in display order.
    pub columns: Vec<ColumnView>,
    /// The rows: column name → value (`null` when unknown; money in fen).
    #[schema(value_type = Vec<Object>)]
    pub rows: Vec<BTreeMap<String, Value>>,
    /// Rows matching the filters over all pages.
    pub total: u64,
    /// This page (from 1).
    pub page: u32,
    /// Rows per page.
    pub size: u32,
    /// Key figures over all matching rows (balance, months paid …).
    #[schema(value_type = Object)]
    pub summary: BTreeMap<String, Value>,
    /// The key figures' labels, in display order.
    pub summary_labels: Vec<SummaryView>,
    /// What to show when there are no rows.
    pub empty_text: String,
    /// A note under the table.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// Query parameters of a look-up. Besides these, each filter of the item's
/// record kind is a parameter of its name (see
/// `GET /api/v1/items/{id}/record-kind`).
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RecordsParams {
    /// The 查询 item.
    #[param(
        min_length = 1,
        max_length = 128,
        pattern = r"^[^\x00-\x1F\x7F-\x9F]*$"
    )]
    pub item: String,
    /// Page, from 1 (default 1).
    #[param(minimum = 1, maximum = 1000)]
    pub page: Option<usize>,
    /// Rows per page, 1–50 (default the kind's).
    #[param(minimum = 1, maximum = 50)]
    pub size: Option<usize>,
}

/// What a 证明 item issues.
#[derive(Debug, Serialize, ToSchema)]
pub struct CertificateView {
    /// The wallet licence type it is issued as.
    pub licence_type: String,
    /// The login level issuing needs (`L2`, `L3`).
    pub level: String,
    /// Days from issue to expiry; absent for certificates that do not expire.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub valid_days: Option<u32>,
    /// Whether a purpose (用途) must be chosen.
    pub purpose_required: bool,
    /// The purposes to choose from (Chinese, as the department names them;
    /// empty when none is asked).
    pub purposes: Vec<String>,
}

/// A certificate to issue.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CertificateBody {
    /// The 证明 item.
    #[schema(min_length = 1, max_length = 128)]
    pub item_id: String,
    /// What it is for (用途): one of the family's purposes, when it asks.
    #[schema(max_length = 40)]
    #[serde(default)]
    pub purpose: Option<String>,
}

fn departments(state: &AppState) -> Result<&Departments, Problem> {
    state.departments.as_deref().ok_or_else(|| {
        Problem::new(
            ProblemKind::DepartmentUnavailable,
            "err-department-not-connected",
        )
    })
}

fn item(state: &AppState, id: &str) -> Result<ServiceItem, Problem> {
    checked_item_id(id)?;
    let generation = state.generation()?;
    generation
        .engine
        .item(id)
        .cloned()
        .ok_or_else(|| Problem::not_found("err-not-found-item"))
}

fn kind_of<'a>(loaded: &'a Loaded, item: &ServiceItem) -> Result<&'a RecordKind, Problem> {
    loaded
        .kind_for(item)
        .ok_or_else(|| Problem::not_found("err-not-a-records-item"))
}

fn kind_view(kind: &RecordKind, item: &ServiceItem) -> RecordKindView {
    RecordKindView {
        kind: kind.code.clone(),
        title: kind.title.clone(),
        scope: match kind.scope {
            Scope::Personal => "personal".into(),
            Scope::Public => "public".into(),
        },
        level: (kind.scope == Scope::Personal)
            .then(|| format!("{:?}", kind.page_level(gateway_level(item_level(item))))),
        columns: columns(kind),
        filters: kind
            .filters
            .iter()
            .map(|f| FilterView {
                name: f.name.clone(),
                label: f.label.clone(),
                kind: snake(&format!("{:?}", f.kind)),
                required: f.required,
                options: f.options().to_vec(),
                max_span_months: f.max_span_months,
            })
            .collect(),
        summary: summary_labels(kind),
        page_size: kind.page_size,
        empty_text: kind.empty_text.clone(),
        note: kind.note.clone(),
    }
}

fn columns(kind: &RecordKind) -> Vec<ColumnView> {
    kind.columns
        .iter()
        .map(|c| ColumnView {
            name: c.name.clone(),
            label: c.label.clone(),
            kind: snake(&format!("{:?}", c.kind)),
        })
        .collect()
}

fn summary_labels(kind: &RecordKind) -> Vec<SummaryView> {
    kind.summary
        .iter()
        .map(|s| SummaryView {
            name: s.name.clone(),
            label: s.label.clone(),
            kind: snake(&format!("{:?}", s.kind)),
        })
        .collect()
}

/// `MonthRange` → `month_range`.
fn snake(name: &str) -> String {
    let mut out = String::new();
    for (i, c) in name.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

fn item_level(item: &ServiceItem) -> Level {
    item.login_level
        .as_deref()
        .and_then(Level::parse)
        .unwrap_or(Level::L1)
}

fn gateway_level(level: Level) -> yuesou_gateway::Level {
    match level {
        Level::L1 => yuesou_gateway::Level::L1,
        Level::L2 => yuesou_gateway::Level::L2,
        Level::L3 => yuesou_gateway::Level::L3,
    }
}

fn centre_level(level: yuesou_gateway::Level) -> Level {
    match level {
        yuesou_gateway::Level::L1 => Level::L1,
        yuesou_gateway::Level::L2 => Level::L2,
        yuesou_gateway::Level::L3 => Level::L3,
    }
}

/// The step-up problem unless `subject` has `needed`.
fn needs(subject: &Subject, needed: Level) -> Result<(), Problem> {
    if subject.level >= needed {
        return Ok(());
    }
    Err(yuesou_centre::CentreError::StepUpRequired {
        required: needed,
        current: subject.level,
    }
    .into())
}

/// The subject as a department knows it.
async fn subject_ref(state: &AppState, subject: &Subject) -> Result<SubjectRef, Problem> {
    match centre(state)?.real_identity(subject).await? {
        Some(RealIdentity::Person { name, id_number }) => Ok(SubjectRef::person(&id_number, &name)),
        Some(RealIdentity::Organisation { name, uscc }) => {
            Ok(SubjectRef::organisation(&uscc, &name))
        }
        None => Err(yuesou_centre::CentreError::StepUpRequired {
            required: Level::L2,
            current: subject.level,
        }
        .into()),
    }
}

/// The person-facing text of a refused filter.
fn filter_problem(filter: &str, problem: FilterProblem) -> Problem {
    let text = match problem {
        FilterProblem::Unknown => Text::new("err-param-unknown-filter"),
        FilterProblem::Required => Text::new("err-required"),
        FilterProblem::Pattern => Text::new("err-filter-pattern"),
        FilterProblem::MonthRange => Text::new("err-filter-month-range"),
        FilterProblem::DateRange => Text::new("err-filter-date-range"),
        FilterProblem::Year => Text::new("err-filter-year"),
        FilterProblem::Choice => Text::new("err-filter-choice"),
        FilterProblem::Plate => Text::new("err-filter-plate"),
        FilterProblem::Order => Text::new("err-filter-order"),
        FilterProblem::Span { months } => Text::new("err-filter-span").arg("months", months),
    };
    Problem::invalid_parameter(filter, text)
}

/// Whether `value` looks like a personal identifier (an ID number or a
/// mainland mobile number).
fn identifier_like(value: &str) -> bool {
    let v = value.trim();
    let digits = v.chars().filter(char::is_ascii_digit).count();
    (v.len() == 18 && digits >= 17) || (v.len() == 11 && digits == 11 && v.starts_with('1'))
}

/// What a 查询 item shows: columns, filters, the level it needs.
#[utoipa::path(get, path = "/api/v1/items/{id}/record-kind", tag = "records", operation_id = "item_record_kind",
    params(("id" = String, Path, description = "The 查询 item's id", min_length = 1, max_length = 128,
        pattern = r"^[^\x00-\x1F\x7F-\x9F]*$")),
    responses(
        (status = 200, description = "The record kind", body = RecordKindView),
        (status = 400, description = "`invalid-parameter`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`not-found`: no such item, or it is not a 查询 item", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "`department-unavailable`: no department is connected", body = Problem, content_type = "application/problem+json"),
    ))]
pub(crate) async fn record_kind(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<RecordKindView>, Problem> {
    let item = item(&state, &id)?;
    let loaded = departments(&state)?.current();
    Ok(Json(kind_view(kind_of(&loaded, &item)?, &item)))
}

/// What a 证明 item issues: the licence type, the level it needs and the
/// purposes to choose from (for the app to ask before issuing).
#[utoipa::path(get, path = "/api/v1/items/{id}/certificate", tag = "records", operation_id = "item_certificate",
    params(("id" = String, Path, description = "The 证明 item's id", min_length = 1, max_length = 128,
        pattern = r"^[^\x00-\x1F\x7F-\x9F]*$")),
    responses(
        (status = 200, description = "The certificate it issues", body = CertificateView),
        (status = 400, description = "`invalid-parameter`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`not-found`: no such item, or it issues no certificate", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "`department-unavailable`: no department is connected", body = Problem, content_type = "application/problem+json"),
    ))]
pub(crate) async fn item_certificate(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<CertificateView>, Problem> {
    let item = item(&state, &id)?;
    let loaded = departments(&state)?.current();
    let (_, def) = loaded
        .certificate_for(&item)
        .ok_or_else(|| Problem::not_found("err-not-a-certificate-item"))?;
    Ok(Json(CertificateView {
        licence_type: def.licence_type.clone(),
        level: format!("{:?}", centre_level(def.level).max(item_level(&item))),
        valid_days: def.valid_days,
        purpose_required: def.purpose_required,
        purposes: def.purposes.clone(),
    }))
}

/// One page of records of a 查询 item: the person's own (L2 or L3, as the
/// kind needs), or public records (no login needed). Filters are
/// parameters named after the kind's filters.
#[utoipa::path(get, path = "/api/v1/me/records", tag = "records", operation_id = "records",
    params(RecordsParams),
    responses(
        (status = 200, description = "A page of records", body = RecordsAnswer),
        (status = 400, description = "`invalid-parameter`: an unknown parameter or filter, a malformed filter value, a page out of range", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "`unauthenticated`: a personal kind needs a login", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`step-up-required` (`level` names it), or `forbidden`: another person's identifier in a filter", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`not-found`: no such item, or it is not a 查询 item", body = Problem, content_type = "application/problem+json"),
        (status = 502, description = "`department-error`: the department's answer broke the contract", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "`department-unavailable`: the department cannot answer now (`retry_after`)", body = Problem, content_type = "application/problem+json"),
    ))]
pub(crate) async fn records(
    State(state): State<AppState>,
    lang: ReaderLang,
    MaybeAuthed(subject): MaybeAuthed,
    RawQuery(raw): RawQuery,
) -> Result<Json<RecordsAnswer>, Problem> {
    let params = Params::parse_any(raw.as_deref())?;
    let item_id = params
        .text("item")
        .ok_or_else(|| Problem::invalid_parameter("item", "err-required"))?
        .to_owned();
    let item = item(&state, &item_id)?;
    let loaded = departments(&state)?.current();
    let kind = kind_of(&loaded, &item)?;
    let mut allowed = vec!["item".to_owned(), "page".to_owned(), "size".to_owned()];
    allowed.extend(kind.filters.iter().map(|f| f.name.clone()));
    params.only(&allowed)?;
    let p = RecordsParams {
        item: item_id,
        page: Some(params.integer("page", 1, 1, 1000)?),
        size: Some(params.integer("size", kind.page_size as usize, 1, 50)?),
    };
    let (page, size) = (p.page.unwrap_or(1), p.size.unwrap_or(20));
    let filters: BTreeMap<String, String> = kind
        .filters
        .iter()
        .filter_map(|f| params.text(&f.name).map(|v| (f.name.clone(), v.to_owned())))
        .collect();
    check_filter_values(kind, &filters).map_err(|e| filter_problem(&e.filter, e.problem))?;

    let (subject_ref, subject) = match kind.scope {
        Scope::Public => (SubjectRef::None, subject),
        Scope::Personal => {
            let Some(subject) = subject else {
                return Err(yuesou_centre::CentreError::Unauthenticated.into());
            };
            needs(
                &subject,
                centre_level(kind.page_level(gateway_level(item_level(&item)))),
            )?;
            let reference = subject_ref(&state, &subject).await?;
            check_identifiers(&state, &subject, &reference, kind, &filters).await?;
            (reference, Some(subject))
        }
    };
    let page_u32 = u32::try_from(page).unwrap_or(1);
    let size_u32 = u32::try_from(size).unwrap_or(20);
    let answer = match &subject {
        Some(subject) if platform_records::answers(kind) => {
            platform_records::page(
                &state.speaker(lang),
                centre(&state)?,
                subject,
                kind,
                &filters,
                page_u32,
                size_u32,
            )
            .await?
        }
        _ => loaded
            .gateway()
            .records(&RecordsRequest {
                department: item.department.clone(),
                kind: kind.code.clone(),
                service: Some(service_ref(&item)),
                subject: subject_ref,
                filters,
                page: page_u32,
                size: size_u32,
            })
            .await
            .map_err(|e| gateway_problem(e, &item.department))?,
    };
    // Audited once there is something to show, before it is shown: a
    // look-up the department refused or could not answer disclosed
    // nothing, and costs the shared database no write (a slow or busy
    // department's callers must not slow everyone else's look-ups).
    if let Some(subject) = &subject {
        centre(&state)?
            .audit(subject, "records.lookup", &p.item)
            .await?;
    }
    Ok(Json(RecordsAnswer {
        kind: kind.code.clone(),
        title: kind.title.clone(),
        columns: columns(kind),
        rows: answer.rows,
        total: answer.total,
        page: page_u32,
        size: size_u32,
        summary: answer.summary,
        summary_labels: summary_labels(kind),
        empty_text: kind.empty_text.clone(),
        note: kind.note.clone(),
    }))
}

/// Refuses (and audits) a filter that names someone else: an ID number or
/// phone that is not the person's own in a text filter, a plate that is
/// not one of their vehicles.
async fn check_identifiers(
    state: &AppState,
    subject: &Subject,
    reference: &SubjectRef,
    kind: &RecordKind,
    filters: &BTreeMap<String, String>,
) -> Result<(), Problem> {
    let own_id = match reference {
        SubjectRef::Person { id_number, .. } => Some(id_number.as_str()),
        SubjectRef::Organisation { uscc, .. } => Some(uscc.as_str()),
        SubjectRef::None => None,
    };
    let centre = centre(state)?;
    for (name, value) in filters {
        let Some(filter) = kind.filter(name) else {
            continue;
        };
        let foreign = match filter.kind {
            yuesou_gateway::kinds::FilterType::Plate => {
                kind.subject == SubjectKind::Vehicle
                    && !own_plates(state, subject, reference).await?.contains(value)
            }
            yuesou_gateway::kinds::FilterType::Text => {
                identifier_like(value) && Some(value.trim()) != own_id
            }
            _ => false,
        };
        if foreign {
            centre
                .audit(subject, "records.foreign-identifier", &kind.code)
                .await?;
            return Err(Problem {
                parameter: Some(name.clone()),
                ..Problem::new(ProblemKind::Forbidden, "err-records-foreign-identifier")
            });
        }
    }
    Ok(())
}

/// The plates of the subject's vehicles: those of the 行驶证 in their
/// wallet, and those the development gateway gives them.
async fn own_plates(
    state: &AppState,
    subject: &Subject,
    reference: &SubjectRef,
) -> Result<Vec<String>, Problem> {
    let centre = centre(state)?;
    let mut plates = Vec::new();
    if centre.wallet().is_ok() {
        for licence in centre.wallet_list(subject).await? {
            plates.extend(
                licence
                    .fields
                    .iter()
                    .filter(|f| f.name == "plate" && !f.masked)
                    .map(|f| f.value.clone()),
            );
        }
    }
    if let Some(departments) = state.departments.as_deref() {
        plates.extend(departments.current().dev_vehicles(reference));
    }
    Ok(plates)
}

/// 证明开具: the department's facts about the person, signed into their
/// wallet as a 证明类 licence (presented and verified like any licence).
/// The same request on the same day (or with the same `Idempotency-Key`)
/// gives the same certificate.
#[utoipa::path(post, path = "/api/v1/me/certificates", tag = "records", operation_id = "issue_certificate",
    security(("session" = [])), request_body = CertificateBody,
    params(("Idempotency-Key" = Option<String>, Header, description = "The same key gives the same certificate",
        max_length = 64, pattern = "^[A-Za-z0-9._:-]{1,64}$")),
    responses(
        (status = 201, description = "The certificate in the wallet", body = WalletItem),
        (status = 400, description = "`invalid-request`: a purpose missing or not offered", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "`unauthenticated`", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`step-up-required`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`not-found`: no such item, or it issues no certificate", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`conflict`: the department refused; `licence-revoked`", body = Problem, content_type = "application/problem+json"),
        (status = 502, description = "`department-error`", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "`department-unavailable`", body = Problem, content_type = "application/problem+json"),
    ))]
pub(crate) async fn issue_certificate(
    State(state): State<AppState>,
    lang: ReaderLang,
    Authed(subject): Authed,
    headers: HeaderMap,
    JsonBody(body): JsonBody<CertificateBody>,
) -> Result<(StatusCode, Json<WalletItem>), Problem> {
    let item = item(&state, &body.item_id)?;
    let loaded = departments(&state)?.current();
    let (family, def) = loaded
        .certificate_for(&item)
        .ok_or_else(|| Problem::not_found("err-not-a-certificate-item"))?;
    needs(&subject, centre_level(def.level).max(item_level(&item)))?;
    let purpose = body
        .purpose
        .map(|p| p.trim().to_owned())
        .filter(|p| !p.is_empty());
    match &purpose {
        None if def.purpose_required => {
            return Err(Problem {
                parameter: Some("purpose".into()),
                ..Problem::invalid_request(
                    Text::new("err-certificate-purpose").arg("choices", def.purposes.join("、")),
                )
            });
        }
        Some(p) if !def.purposes.iter().any(|o| o == p) => {
            return Err(Problem {
                parameter: Some("purpose".into()),
                ..Problem::invalid_request(
                    Text::new("err-certificate-purpose").arg("choices", def.purposes.join("、")),
                )
            });
        }
        _ => {}
    }
    let reference = subject_ref(&state, &subject).await?;
    let (holder, holder_name) = match &reference {
        SubjectRef::Person { id_number, name } => (id_number.clone(), name.clone()),
        SubjectRef::Organisation { uscc, name } => (uscc.clone(), name.clone()),
        SubjectRef::None => return Err(Problem::internal("a certificate without a subject")),
    };
    let centre = centre(&state)?;
    let request_id = request_id(
        &headers,
        &subject,
        &item.id,
        purpose.as_deref(),
        centre.now_ms(),
    )?;
    let facts = loaded
        .gateway()
        .certificate(&CertificateRequest {
            department: item.department.clone(),
            family: family.to_owned(),
            service: Some(service_ref(&item)),
            subject: reference,
            purpose: purpose.clone(),
            request_id,
        })
        .await
        .map_err(|e| gateway_problem(e, &item.department))?;
    let mut fields: BTreeMap<String, String> = facts
        .fields
        .into_iter()
        .map(|(name, value)| {
            let text = match value {
                Value::String(s) => s,
                other => other.to_string(),
            };
            (name, text)
        })
        .collect();
    if let Some(purpose) = purpose {
        fields.insert("purpose".into(), purpose);
    }
    let licence = Licence {
        number: facts.number,
        type_code: def.licence_type.clone(),
        holder,
        holder_name,
        authority: item.department.clone(),
        issued_on: facts.issued_on,
        expires_on: facts.valid_until,
        fields,
    };
    let entry = centre.wallet_issue(&subject, &licence).await?;
    centre
        .audit(&subject, "certificate.issue", &item.id)
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(entry.localized(&state.speaker(lang))),
    ))
}

/// The gateway's idempotency key: the client's `Idempotency-Key`, else one
/// per account, item, purpose and day (a double tap gets one certificate).
fn request_id(
    headers: &HeaderMap,
    subject: &Subject,
    item: &str,
    purpose: Option<&str>,
    now_ms: i64,
) -> Result<String, Problem> {
    use sha2::{Digest, Sha256};
    let key = match headers.get("idempotency-key") {
        Some(value) => {
            let key = value.to_str().unwrap_or_default();
            let ok = (1..=64).contains(&key.len())
                && key
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b':' | b'-'));
            if !ok {
                return Err(Problem::invalid_parameter(
                    "Idempotency-Key",
                    "err-idempotency-key",
                ));
            }
            key.to_owned()
        }
        None => format!("day-{}", now_ms.div_euclid(86_400_000)),
    };
    let digest = Sha256::digest(
        format!(
            "{}\u{1f}{item}\u{1f}{}\u{1f}{key}",
            subject.account_id,
            purpose.unwrap_or("")
        )
        .as_bytes(),
    );
    Ok(format!("cert-{}", hex(&digest[..16])))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A department's failure as the person reads it; the cause is logged
/// (department code and error kind, never personal data). A department
/// that is down or busy is logged by the gateway (at most once a second);
/// here only at debug level, so that an outage does not write a warning
/// per request.
pub(crate) fn gateway_problem(error: GatewayError, department: &str) -> Problem {
    if matches!(
        error,
        GatewayError::Busy { .. } | GatewayError::Unavailable { .. }
    ) {
        tracing::debug!(department, error = %error, "department call failed");
    } else {
        tracing::warn!(department, error = %error, "department call failed");
    }
    match error {
        GatewayError::Unavailable {
            retry_after_secs, ..
        } => Problem {
            retry_after: Some(
                retry_after_secs
                    .and_then(|s| u32::try_from(s).ok())
                    .unwrap_or(30),
            ),
            ..Problem::new(
                ProblemKind::DepartmentUnavailable,
                "err-department-unavailable",
            )
        },
        GatewayError::Busy { .. } => Problem {
            retry_after: Some(5),
            ..Problem::new(ProblemKind::DepartmentUnavailable, "err-department-busy")
        },
        GatewayError::NotConnected { .. } => Problem::new(
            ProblemKind::DepartmentUnavailable,
            "err-department-not-connected",
        ),
        GatewayError::Contract { .. } => {
            Problem::new(ProblemKind::DepartmentError, "err-department-error")
        }
        GatewayError::Refused { .. } => {
            Problem::new(ProblemKind::Conflict, "err-department-refused")
        }
        GatewayError::NotFound { .. } => Problem::not_found("err-department-not-found"),
        GatewayError::BadRequest(_) => Problem::invalid_request("err-department-bad-request"),
        other => Problem::internal(other),
    }
}

//! `/api/v1/me/applications*` — 办件查询: start or resume an application
//! for a catalogue item, save it step by step, submit, withdraw; lists by
//! status group and a detail with the timeline.
//!
//! A draft started now stores the item's typed flow (as
//! `GET /api/v1/items/{id}/flow` serves it) and takes typed answers: each
//! save is checked here against that flow (masked prefill values count as
//! the real ones, read-only identity fields take the identity's value),
//! the cleaned answers go to the centre, and submitting checks every form
//! step again with today's date. Drafts started before typed flows keep
//! their textual answers. Responses show ID and phone numbers masked.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::{IntoParams, ToSchema};
use yuesou_centre::StepAnswers as Answers;
use yuesou_centre::{Application, ApplicationGroup, ApplicationSummary, Subject};
use yuesou_flows::{CheckContext, FieldError, Flow, Step};

use crate::catalogue::item_info;
use crate::extract::{Authed, JsonBody, centre};
use crate::features::flows::{self as flows, ApplicantIdentity, Checks};
use crate::i18n::{Localize, ReaderLang, Text};
use crate::params::path_id;
use crate::params::{Params, names_of};
use crate::problem::{Problem, ProblemKind};
use crate::state::AppState;

/// Query parameters of the application list.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// 待处理 (`pending`: drafts and waiting for you), 处理中 (`processing`),
    /// 已办结 (`done`); all when absent.
    pub group: Option<ApplicationGroup>,
    /// Page, from 1.
    #[param(minimum = 1, maximum = 1000)]
    pub page: Option<usize>,
    /// Per page, 1–50 (default 20).
    #[param(minimum = 1, maximum = 50)]
    pub size: Option<usize>,
}

impl ListParams {
    fn parse(raw: Option<&str>) -> Result<ListParams, Problem> {
        let params = Params::parse(raw, &names_of::<ListParams>())?;
        Ok(ListParams {
            group: params.one_of(
                "group",
                &[
                    ApplicationGroup::Pending,
                    ApplicationGroup::Processing,
                    ApplicationGroup::Done,
                ],
                |g| match g {
                    ApplicationGroup::Pending => "pending",
                    ApplicationGroup::Processing => "processing",
                    ApplicationGroup::Done => "done",
                },
            )?,
            page: Some(params.integer("page", 1, 1, 1000)?),
            size: Some(params.integer("size", 20, 1, 50)?),
        })
    }
}

/// A page of applications.
#[derive(Debug, Serialize, ToSchema)]
pub struct ApplicationPage {
    /// Applications matching.
    pub total: usize,
    /// This page.
    pub page: usize,
    /// Per page.
    pub size: usize,
    /// The applications, most recently changed first.
    pub items: Vec<ApplicationSummary>,
}

/// Start (or resume) an application.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StartRequest {
    /// The catalogue item's id.
    #[schema(example = "gjj-ydzy-440100", max_length = 64)]
    pub item_id: String,
}

/// The answers of one step.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StepAnswers {
    /// Field → answer. A draft with a `flow`: typed as its fields take them
    /// (text, ID, phone, date and choice fields a string, number fields a
    /// number, yes/no fields a boolean, address fields `{"code",
    /// "detail"}`; `null` and blank strings are no answer); materials and
    /// confirm steps take `{}`. A draft without a flow: text only (at most
    /// 30; names ≤ 40, answers ≤ 500 characters).
    #[schema(value_type = Object)]
    pub answers: Map<String, Value>,
}

/// An application as its owner sees it: ID and phone numbers in the answers
/// masked; a typed draft with the person's prefill and read-only fields.
#[derive(Debug, Serialize, ToSchema)]
pub struct ApplicationView {
    /// The application.
    #[serde(flatten)]
    pub application: Application,
    /// Typed applications the person may still change: answers filled in
    /// from the person's identity, by field name (ID and phone numbers
    /// masked; sent back unchanged, the server uses the real values).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub prefill: Option<Map<String, Value>>,
    /// Typed applications the person may still change: the prefilled fields
    /// they may not change (the verified identity at L2 and above); left out
    /// of the answers, they take the identity's value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub read_only: Option<Vec<String>>,
}

/// The most answers a step takes (a form step has at most 20 fields).
const MAX_ANSWERS: usize = 100;

/// `application` as its owner sees it, in the reader's language.
async fn view(
    state: &AppState,
    subject: &Subject,
    lang: ReaderLang,
    application: Application,
) -> Result<ApplicationView, Problem> {
    let mut application = application.localized(&state.speaker(lang));
    let Some(json) = &application.flow else {
        return Ok(ApplicationView {
            application,
            prefill: None,
            read_only: None,
        });
    };
    let flow = flows::stored_flow(json)?;
    for answers in application.answers.values_mut() {
        flows::mask_answers(&flow, answers);
    }
    let editable = application.summary.group == ApplicationGroup::Pending;
    let who = if editable {
        flows::identity(state, Some(subject)).await?
    } else {
        None
    };
    let (prefill, read_only) = match who {
        Some(who) => {
            let prefill = flow.prefill(&who.shown);
            let read_only = flow
                .read_only(who.level)
                .into_iter()
                .filter(|name| prefill.contains_key(*name))
                .map(str::to_owned)
                .collect();
            (Some(prefill), Some(read_only))
        }
        _ => (None, None),
    };
    Ok(ApplicationView {
        application,
        prefill,
        read_only,
    })
}

/// A step index from the path: digits only, at most 100.
fn step_index(step: &str) -> Result<usize, Problem> {
    match step.parse() {
        Ok(n) if step.bytes().all(|b| b.is_ascii_digit()) && n <= 100 => Ok(n),
        _ => Err(Problem::invalid_parameter("step", "err-step-index")),
    }
}

/// The cleaned answers of the steps before `index`, as one map (what `when`
/// conditions on an earlier step read).
fn earlier_answers(application: &Application, index: usize) -> Map<String, Value> {
    let mut earlier = Map::new();
    for (step, answers) in &application.answers {
        if step.parse::<usize>().is_ok_and(|n| n < index) {
            earlier.extend(answers.iter().map(|(k, v)| (k.clone(), v.clone())));
        }
    }
    earlier
}

/// Checks step `index` of a typed application: its answers as the person
/// sent them (masked prefill values and unanswered read-only fields take
/// the identity's values), the earlier steps' stored answers for `when`.
fn check_typed(
    flow: &Flow,
    index: usize,
    mut answers: Map<String, Value>,
    application: &Application,
    who: Option<&ApplicantIdentity>,
    checks: &Checks<'_>,
) -> Result<Map<String, Value>, Vec<FieldError>> {
    if let Some(who) = who {
        who.substitute(flow, index, &mut answers);
    }
    let earlier = earlier_answers(application, index);
    let context = CheckContext {
        checks,
        today: flows::today(),
        earlier: &earlier,
        identity: who.map(|w| (&w.real, w.level)),
    };
    flow.check_step(index, &answers, &context)
}

/// The subject's applications, by status group.
#[utoipa::path(get, path = "/api/v1/me/applications", tag = "applications", operation_id = "list_applications",
    security(("session" = [])), params(ListParams),
    responses(
        (status = 200, description = "A page of applications", body = ApplicationPage),
        (status = 400, description = "`invalid-parameter`", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "`unauthenticated`", body = Problem, content_type = "application/problem+json"),
    ))]
pub(crate) async fn list(
    State(state): State<AppState>,
    lang: ReaderLang,
    Authed(s): Authed,
    RawQuery(query): RawQuery,
) -> Result<Json<ApplicationPage>, Problem> {
    let ListParams { group, page, size } = ListParams::parse(query.as_deref())?;
    let (page, size) = (page.unwrap_or(1), size.unwrap_or(20));
    let (items, total) = centre(&state)?.applications(&s, group, page, size).await?;
    Ok(Json(ApplicationPage {
        total,
        page,
        size,
        items: items.localized(&state.speaker(lang)),
    }))
}

/// Starts an application for a catalogue item, or resumes the open draft
/// for it (200). Needs the item's login level.
#[utoipa::path(post, path = "/api/v1/me/applications", tag = "applications", operation_id = "start_application",
    security(("session" = [])), request_body = StartRequest,
    responses(
        (status = 201, description = "A new draft (with the item's typed flow when it is a 办理 item)", body = ApplicationView),
        (status = 200, description = "The open draft, resumed", body = ApplicationView),
        (status = 400, description = "`invalid-request`", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "`unauthenticated`", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`step-up-required`: `level` names the login level the item needs", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`not-found`: no such catalogue item", body = Problem, content_type = "application/problem+json"),
    ))]
pub(crate) async fn start(
    State(state): State<AppState>,
    lang: ReaderLang,
    Authed(s): Authed,
    JsonBody(body): JsonBody<StartRequest>,
) -> Result<(StatusCode, Json<ApplicationView>), Problem> {
    let generation = state.generation()?;
    let item = generation
        .engine
        .item(path_id(&body.item_id)?)
        .ok_or_else(|| Problem::not_found("err-not-found-item"))?;
    let mut info = item_info(item);
    // The flow as served now is the draft's for good; the steps it
    // stores are the person's (the department's come after them).
    // (A state without flows — only ever a test's — starts textual drafts.)
    let all = state.flows().ok();
    if let Some(flow) = all.as_ref().and_then(|f| f.for_item(&flows::facts(item))) {
        info.steps = flow
            .steps
            .iter()
            .filter(|s| !matches!(s, Step::Department { .. }))
            .map(|s| s.title().to_owned())
            .collect();
        info.flow = Some(serde_json::to_string(&*flow).map_err(Problem::internal)?);
    }
    let (application, resumed) = centre(&state)?.start_application(&s, &info).await?;
    let status = if resumed {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    Ok((status, Json(view(&state, &s, lang, application).await?)))
}

/// One application with its steps, saved answers, result and timeline.
#[utoipa::path(get, path = "/api/v1/me/applications/{id}", tag = "applications", operation_id = "get_application",
    security(("session" = [])),
    params(("id" = String, Path, description = "Application id", min_length = 1, max_length = 64)),
    responses(
        (status = 200, description = "The application", body = ApplicationView),
        (status = 401, description = "`unauthenticated`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`not-found`: no such application of this account", body = Problem, content_type = "application/problem+json"),
    ))]
pub(crate) async fn get(
    State(state): State<AppState>,
    lang: ReaderLang,
    Authed(s): Authed,
    Path(id): Path<String>,
) -> Result<Json<ApplicationView>, Problem> {
    let application = centre(&state)?.application(&s, path_id(&id)?).await?;
    Ok(Json(view(&state, &s, lang, application).await?))
}

/// Saves the answers of step `step` (0-based) and moves on; a draft can be
/// left after any step and resumed later. A typed draft checks the answers
/// against its stored flow first, field by field.
#[utoipa::path(put, path = "/api/v1/me/applications/{id}/steps/{step}", tag = "applications", operation_id = "save_application_step",
    security(("session" = [])), request_body = StepAnswers,
    params(("id" = String, Path, description = "Application id", min_length = 1, max_length = 64),
           ("step" = usize, Path, description = "Step index, from 0", maximum = 100)),
    responses(
        (status = 200, description = "The application after saving", body = ApplicationView),
        (status = 400, description = "`invalid-parameter`: a bad step index; `invalid-request`: no such step, too many answers, or (a draft without a flow) answers that are not text", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "`unauthenticated`", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`step-up-required`: the item needs a higher login level", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`not-found`: no such application of this account", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`conflict`: submitted already, a step ahead of the current one, or a step the department performs", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`invalid-answers`: `errors` lists each refused field with its `code` and `message` (typed drafts)", body = Problem, content_type = "application/problem+json"),
    ))]
pub(crate) async fn save_step(
    State(state): State<AppState>,
    lang: ReaderLang,
    Authed(s): Authed,
    Path((id, step)): Path<(String, String)>,
    JsonBody(body): JsonBody<StepAnswers>,
) -> Result<Json<ApplicationView>, Problem> {
    let index = step_index(&step)?;
    let id = path_id(&id)?;
    if body.answers.len() > MAX_ANSWERS {
        return Err(Problem::invalid_request(
            Text::new("err-too-many-answers").arg("max", MAX_ANSWERS),
        ));
    }
    let centre = centre(&state)?;
    // Ownership, level and status first: another person's application is
    // 404 before anything of the answers is looked at.
    let application = centre.editable_application(&s, id).await?;
    let answers = match &application.flow {
        None => Answers::Text(text_answers(body.answers)?),
        Some(json) => {
            let flow = flows::stored_flow(json)?;
            let ahead = index > application.summary.current_step;
            match flow.steps.get(index) {
                Some(Step::Department { title, .. }) => {
                    return Err(Problem::new(
                        ProblemKind::Conflict,
                        Text::new("err-step-department").arg("title", title.as_str()),
                    ));
                }
                // The centre's step rules answer (out of range, ahead).
                None => Answers::Checked(Map::new()),
                Some(_) if ahead => Answers::Checked(Map::new()),
                Some(_) => {
                    let generation = state.generation()?;
                    let checks = Checks {
                        gazetteer: generation.engine.gazetteer(),
                    };
                    let who = flows::identity(&state, Some(&s)).await?;
                    let cleaned = check_typed(
                        &flow,
                        index,
                        body.answers,
                        &application,
                        who.as_ref(),
                        &checks,
                    )
                    .map_err(|errors| {
                        let count = errors.len();
                        flows::invalid_answers(
                            &errors,
                            Text::new("err-invalid-answers").arg("count", count),
                        )
                    })?;
                    Answers::Checked(cleaned)
                }
            }
        }
    };
    let application = centre.save_step(&s, id, index, &answers).await?;
    Ok(Json(view(&state, &s, lang, application).await?))
}

/// The answers of a draft without a flow: text only.
fn text_answers(answers: Map<String, Value>) -> Result<BTreeMap<String, String>, Problem> {
    answers
        .into_iter()
        .map(|(k, v)| match v {
            Value::String(s) => Ok((k, s)),
            Value::Null => Ok((k, String::new())),
            _ => Err(Problem::invalid_request("err-answers-text")),
        })
        .collect()
}

/// Checks every form step of a typed application again, as submitting it
/// now would take it (relative date bounds move with the day): the first
/// step with refused fields as a `422 invalid-answers` naming it.
async fn recheck(state: &AppState, s: &Subject, application: &Application) -> Result<(), Problem> {
    let Some(json) = &application.flow else {
        return Ok(());
    };
    let flow = flows::stored_flow(json)?;
    let generation = state.generation()?;
    let checks = Checks {
        gazetteer: generation.engine.gazetteer(),
    };
    let who = flows::identity(state, Some(s)).await?;
    for (index, step) in flow.steps.iter().enumerate() {
        if !matches!(step, Step::Form { .. }) {
            continue;
        }
        let stored = application
            .answers
            .get(&index.to_string())
            .cloned()
            .unwrap_or_default();
        if let Err(errors) = check_typed(&flow, index, stored, application, who.as_ref(), &checks) {
            let detail = Text::new("err-submit-invalid-answers")
                .arg("step", index + 1)
                .arg("title", step.title())
                .arg("count", errors.len());
            return Err(Problem {
                parameter: Some(format!("steps/{index}")),
                ..flows::invalid_answers(&errors, detail)
            });
        }
    }
    Ok(())
}

/// Submits a draft whose every step is saved.
#[utoipa::path(post, path = "/api/v1/me/applications/{id}/submit", tag = "applications", operation_id = "submit_application",
    security(("session" = [])),
    params(("id" = String, Path, description = "Application id", min_length = 1, max_length = 64)),
    responses(
        (status = 200, description = "Submitted", body = ApplicationView),
        (status = 401, description = "`unauthenticated`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`not-found`", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`step-up-required`: the item needs a higher login level", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`conflict`: steps left, or submitted already", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`invalid-answers`: a saved form step no longer passes its check (a date past its relative bound); `parameter` is `steps/<index>`, `errors` lists the fields", body = Problem, content_type = "application/problem+json"),
    ))]
pub(crate) async fn submit(
    State(state): State<AppState>,
    lang: ReaderLang,
    Authed(s): Authed,
    Path(id): Path<String>,
) -> Result<Json<ApplicationView>, Problem> {
    let id = path_id(&id)?;
    let centre = centre(&state)?;
    let application = centre.editable_application(&s, id).await?;
    // Steps left are the centre's conflict, before any re-check.
    if application.summary.current_step >= application.steps.len() {
        recheck(&state, &s, &application).await?;
    }
    let application = centre.submit_application(&s, id).await?;
    Ok(Json(view(&state, &s, lang, application).await?))
}

/// Deletes a draft, or withdraws a submitted application.
#[utoipa::path(delete, path = "/api/v1/me/applications/{id}", tag = "applications", operation_id = "withdraw_application",
    security(("session" = [])),
    params(("id" = String, Path, description = "Application id", min_length = 1, max_length = 64)),
    responses(
        (status = 204, description = "Deleted or withdrawn"),
        (status = 401, description = "`unauthenticated`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`not-found`", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`conflict`: already being handled or done", body = Problem, content_type = "application/problem+json"),
    ))]
pub(crate) async fn withdraw(
    State(state): State<AppState>,
    Authed(s): Authed,
    Path(id): Path<String>,
) -> Result<StatusCode, Problem> {
    centre(&state)?
        .withdraw_application(&s, path_id(&id)?)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

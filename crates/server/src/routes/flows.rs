//! 办理 flows: the typed flow of a service item and the server's check of a
//! form step's answers.
//!
//! - `GET /api/v1/items/{id}/flow` — the steps (form fields, materials,
//!   the confirm step, the department's steps), each form step with the
//!   JSON Schema of its answers, and the result; with a session, the
//!   `prefill` from the person's identity (ID and phone numbers masked) and
//!   the `read_only` fields (identity fields at L2 and above);
//! - `POST /api/v1/items/{id}/flow/steps/{step}/check` — checks one form
//!   step's answers field by field: the cleaned answers, or a 422
//!   `invalid-answers` problem with a message per field.
//!
//! Both are public; a session only adds the person's identity. Nothing is
//! stored.

use std::sync::Arc;

use axum::Json;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::ToSchema;
use yuesou_flows::{Audience, CheckContext, Flow, FlowResult, Step};

use crate::extract::{JsonBody, MaybeAuthed};
use crate::features::flows::{self as flows, Checks};
use crate::generation::Generation;
use crate::i18n::Text;
use crate::params::checked_item_id;
use crate::problem::Problem;
use crate::state::AppState;

/// The most answers a check takes (a form step has at most 20 fields).
const MAX_ANSWERS: usize = 100;

/// One step of a flow, with the JSON Schema of its answers (form steps).
#[derive(Debug, Serialize, ToSchema)]
pub struct StepView {
    /// The step.
    #[serde(flatten)]
    pub step: Step,
    /// Form steps: the answers of this step as a JSON Schema (2020-12):
    /// types, lengths, patterns, options, ranges, `format: date`, required
    /// fields and conditions within the step. Decimal places and relative
    /// date bounds are the annotations `x-decimals`, `x-min-date` and
    /// `x-max-date`; check digits, division codes and conditions on
    /// earlier steps are checked by the server only.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub schema: Option<Value>,
}

/// The typed flow of a 办理 item.
#[derive(Debug, Serialize, ToSchema)]
pub struct FlowView {
    /// The service family (the item id without its last `-<region>` part).
    #[schema(example = "gjj-zftq")]
    pub service: String,
    /// The service's title.
    pub title: String,
    /// Who applies.
    pub audience: Audience,
    /// Citizen steps (`form`, `materials`), one `confirm` step, then the
    /// department's steps; answers are checked by step index, from 0.
    pub steps: Vec<StepView>,
    /// What the person gets at the end.
    pub result: FlowResult,
    /// With a session: answers filled in from the person's identity and
    /// profile, by field name (organisation sessions: the organisation's
    /// name and credit code). 公民身份号码 and phone numbers are masked
    /// (`4401**********123X`, `138****0001`); sent back unchanged, the
    /// server uses the real values.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub prefill: Option<Map<String, Value>>,
    /// With a session: the prefilled fields the person may not change (the
    /// verified identity at L2 and above). Left out of the answers, they take the
    /// identity's value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub read_only: Option<Vec<String>>,
}

/// The answers of one step to check.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckRequest {
    /// Field name → answer: text, ID, phone, date and choice fields take a
    /// string, number fields a number, yes/no fields a boolean, address
    /// fields `{"code", "detail"}`. `null` and blank strings are no answer.
    #[schema(value_type = Object)]
    pub answers: Map<String, Value>,
    /// The answers of earlier steps, when a field of this step applies only
    /// for an earlier answer (`when`); read for those conditions only.
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    pub earlier: Option<Map<String, Value>>,
}

/// The answers as the server keeps them.
#[derive(Debug, Serialize, ToSchema)]
pub struct CheckAnswer {
    /// The answers cleaned: text trimmed, numbers in their normal form,
    /// whole numbers as integers, an address with its division's `name`,
    /// fields that do not apply left out; 公民身份号码 and phone numbers
    /// masked.
    #[schema(value_type = Object)]
    pub answers: Map<String, Value>,
}

/// The flow of item `id`: 404 for no such item, or one that is not 办理.
fn flow_of(state: &AppState, id: &str) -> Result<(Flow, Arc<Generation>), Problem> {
    let generation = state.generation()?;
    let item = generation
        .engine
        .item(id)
        .ok_or_else(|| Problem::not_found("err-not-found-item"))?;
    let facts = flows::facts(item);
    let all = state.flows()?;
    let flow = all
        .for_item(&facts)
        .ok_or_else(|| Problem::not_found("err-not-found-flow"))?
        .into_owned();
    Ok((flow, generation))
}

/// The typed flow of a 办理 item: form steps with typed fields (and the
/// JSON Schema of their answers), materials (with the wallet licences that
/// can stand in for an upload), the confirm step, the department's steps
/// with their expected durations, and the result. With a session, the
/// person's prefilled answers and read-only fields.
#[utoipa::path(
    get,
    path = "/api/v1/items/{id}/flow",
    tag = "flows",
    operation_id = "item_flow",
    security((), ("session" = [])),
    params(("id" = String, Path, description = "The item's id",
        min_length = 1, max_length = 128, pattern = r"^[^\x00-\x1F\x7F-\x9F]*$")),
    responses(
        (status = 200, description = "The flow", body = FlowView),
        (status = 400, description = "`invalid-parameter`: an id that is over-long, not UTF-8 or \
            contains control characters", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`not-found`: no item has this id, or it is not a 办理 item \
            (no flow)", body = Problem, content_type = "application/problem+json"),
    )
)]
pub(crate) async fn flow(
    State(state): State<AppState>,
    MaybeAuthed(subject): MaybeAuthed,
    id: Result<Path<String>, PathRejection>,
) -> Result<Json<FlowView>, Problem> {
    let Path(id) = id.map_err(|_| Problem::invalid_parameter("id", "err-param-utf8"))?;
    checked_item_id(&id)?;
    let (flow, _) = flow_of(&state, &id)?;
    let who = flows::identity(&state, subject.as_ref()).await?;
    let steps = flow
        .steps
        .iter()
        .enumerate()
        .map(|(i, step)| StepView {
            schema: matches!(step, Step::Form { .. }).then(|| flow.step_schema(i)),
            step: step.clone(),
        })
        .collect();
    let (prefill, read_only) = match &who {
        Some(who) => {
            let prefill = flow.prefill(&who.shown);
            // Locked only with a value to lock: an organisation session
            // fills a person's name and ID number in itself.
            let read_only = flow
                .read_only(who.level)
                .into_iter()
                .filter(|name| prefill.contains_key(*name))
                .map(str::to_owned)
                .collect();
            (Some(prefill), Some(read_only))
        }
        None => (None, None),
    };
    Ok(Json(FlowView {
        service: flow.service,
        title: flow.title,
        audience: flow.audience,
        steps,
        result: flow.result,
        prefill,
        read_only,
    }))
}

/// Checks the answers of one form step of an item's flow, field by field,
/// as the server will when the application is saved: the cleaned answers,
/// or every refused field with a stable code and a message in the reader's
/// language. With a session, masked prefilled values count as the real
/// ones and identity fields are read-only at L2 and above. Nothing is
/// stored.
#[utoipa::path(
    post,
    path = "/api/v1/items/{id}/flow/steps/{step}/check",
    tag = "flows",
    operation_id = "check_flow_step",
    security((), ("session" = [])),
    request_body = CheckRequest,
    params(("id" = String, Path, description = "The item's id",
        min_length = 1, max_length = 128, pattern = r"^[^\x00-\x1F\x7F-\x9F]*$"),
        ("step" = usize, Path, description = "Step index, from 0", maximum = 100)),
    responses(
        (status = 200, description = "The answers, cleaned", body = CheckAnswer),
        (status = 400, description = "`invalid-parameter`: a bad id or step index; \
            `invalid-request`: a body that is not `{\"answers\": {…}}`, or too many answers",
            body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`not-found`: no such item, not a 办理 item, or no such step",
            body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`invalid-answers`: `errors` lists each refused field with \
            its `code` and `message`", body = Problem, content_type = "application/problem+json"),
    )
)]
pub(crate) async fn check_step(
    State(state): State<AppState>,
    MaybeAuthed(subject): MaybeAuthed,
    path: Result<Path<(String, String)>, PathRejection>,
    JsonBody(body): JsonBody<CheckRequest>,
) -> Result<Json<CheckAnswer>, Problem> {
    let Path((id, step)) = path.map_err(|_| Problem::invalid_parameter("id", "err-param-utf8"))?;
    checked_item_id(&id)?;
    let index: usize = match step.parse() {
        Ok(n) if step.bytes().all(|b| b.is_ascii_digit()) && n <= 100 => n,
        _ => return Err(Problem::invalid_parameter("step", "err-step-index")),
    };
    let earlier = body.earlier.unwrap_or_default();
    if body.answers.len() > MAX_ANSWERS || earlier.len() > MAX_ANSWERS {
        return Err(Problem::invalid_request(
            Text::new("err-flow-too-many-answers").arg("max", MAX_ANSWERS),
        ));
    }
    let (flow, generation) = flow_of(&state, &id)?;
    if index >= flow.steps.len() {
        return Err(Problem::not_found("err-not-found-flow-step"));
    }
    let who = flows::identity(&state, subject.as_ref()).await?;
    let mut answers = body.answers;
    if let Some(who) = &who {
        who.substitute(&flow, index, &mut answers);
    }
    let checks = Checks {
        gazetteer: generation.engine.gazetteer(),
    };
    let context = CheckContext {
        checks: &checks,
        today: flows::today(),
        earlier: &earlier,
        identity: who.as_ref().map(|w| (&w.real, w.level)),
    };
    match flow.check_step(index, &answers, &context) {
        Ok(mut cleaned) => {
            flows::mask_answers(&flow, &mut cleaned);
            Ok(Json(CheckAnswer { answers: cleaned }))
        }
        Err(errors) => {
            let count = errors.len();
            Err(flows::invalid_answers(
                &errors,
                Text::new("err-invalid-answers").arg("count", count),
            ))
        }
    }
}

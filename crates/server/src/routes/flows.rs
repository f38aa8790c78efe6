//! 办理 flows: the typed flow of a service item.
//!
//! - `GET /api/v1/items/{id}/flow` — the steps (form fields, materials,
//!   the confirm step, the department's steps), each form step with the
//!   JSON Schema of its answers, and the result; with a session, the
//!   `prefill` from the person's identity (ID and phone numbers masked) and
//!   the `read_only` fields (identity fields at L2 and above).
//!
//! Public; a session only adds the person's identity.

use std::sync::Arc;

use axum::Json;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use serde::Serialize;
use serde_json::{Map, Value};
use utoipa::ToSchema;
use yuesou_flows::{Audience, Flow, FlowResult, Step};

use crate::extract::MaybeAuthed;
use crate::features::flows::{self as flows, ApplicantIdentity};
use crate::generation::Generation;
use crate::params::checked_item_id;
use crate::problem::Problem;
use crate::state::AppState;

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
    /// (`4401**********123X`, `138****0001`).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub prefill: Option<Map<String, Value>>,
    /// With a session: the fields the person may not change (the verified
    /// identity at L2 and above).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub read_only: Option<Vec<String>>,
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

/// The identity of the session, if any.
async fn identity(
    state: &AppState,
    subject: Option<&yuesou_centre::Subject>,
) -> Result<Option<ApplicantIdentity>, Problem> {
    let (Some(subject), Some(centre)) = (subject, state.centre()) else {
        return Ok(None);
    };
    let applicant = centre.applicant(subject).await?;
    Ok(Some(ApplicantIdentity::new(applicant, subject.level)))
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
    let who = identity(&state, subject.as_ref()).await?;
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
        Some(who) => (
            Some(flow.prefill(&who.shown)),
            Some(
                flow.read_only(who.level)
                    .into_iter()
                    .map(str::to_owned)
                    .collect(),
            ),
        ),
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

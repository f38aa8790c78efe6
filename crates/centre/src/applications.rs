//! 办件 — applications: a draft that follows the service item's steps, saved
//! step by step so that it can be left at any step and resumed later (from
//! any device), then submitted; departments push progress, each change
//! appending to the timeline and sending the person a message.
//!
//! Status groups as the app lists them: 待处理 (drafts and applications
//! waiting for the person), 处理中, 已办结.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::error::{CentreError, Result};
use crate::messages::Note;
use crate::secret::new_id;
use crate::{Centre, Level, Said, Subject, audit, rfc3339, text_field};
use yuesou_messages::Text;
use yuesou_store::Tx;

/// What the centre needs to know of a catalogue item to start an
/// application (the server takes it from the engine's catalogue).
#[derive(Debug, Clone)]
pub struct ItemInfo {
    /// Item id.
    pub id: String,
    /// 事项名称
    pub title: String,
    /// Region offering it.
    pub region_code: String,
    /// 实施部门
    pub department: String,
    /// Level needed to apply.
    pub login_level: Level,
    /// 办理流程 — the steps a draft follows: with a `flow`, the titles of
    /// its steps the person fills in (form, materials, confirm — the
    /// department's steps come after them and are never saved).
    pub steps: Vec<String>,
    /// The typed flow as served (JSON), stored with the draft: its answers
    /// are then typed values the caller checked against it
    /// ([`StepAnswers::Checked`]). `None` keeps the textual answers.
    pub flow: Option<String>,
}

/// The answers of one step, as [`Centre::save_step`] takes them.
#[derive(Debug, Clone)]
pub enum StepAnswers {
    /// A draft without a stored flow (started before typed flows): field
    /// → text, checked here (at most 30; keys ≤ 40, values ≤ 500
    /// characters, no control characters).
    Text(BTreeMap<String, String>),
    /// A draft with a stored flow: the answers the caller checked against
    /// that flow (`Flow::check_step`), cleaned, stored as given.
    Checked(serde_json::Map<String, serde_json::Value>),
}

/// The status of an application.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ApplicationStatus {
    /// 草稿 — being filled in.
    Draft,
    /// 待补正 — the department asks the person for more.
    Waiting,
    /// 已提交 — submitted, not yet taken up.
    Submitted,
    /// 办理中 — being handled.
    Processing,
    /// 已办结 — done, with a result.
    Completed,
    /// 不予受理 — refused (done).
    Rejected,
    /// 已撤回 — withdrawn by the person (done).
    Withdrawn,
}

impl ApplicationStatus {
    /// Every status.
    pub const ALL: [ApplicationStatus; 7] = [
        ApplicationStatus::Draft,
        ApplicationStatus::Waiting,
        ApplicationStatus::Submitted,
        ApplicationStatus::Processing,
        ApplicationStatus::Completed,
        ApplicationStatus::Rejected,
        ApplicationStatus::Withdrawn,
    ];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            ApplicationStatus::Draft => "draft",
            ApplicationStatus::Waiting => "waiting",
            ApplicationStatus::Submitted => "submitted",
            ApplicationStatus::Processing => "processing",
            ApplicationStatus::Completed => "completed",
            ApplicationStatus::Rejected => "rejected",
            ApplicationStatus::Withdrawn => "withdrawn",
        }
    }

    /// From the stored name.
    pub fn parse(text: &str) -> Option<ApplicationStatus> {
        ApplicationStatus::ALL
            .into_iter()
            .find(|s| s.as_str() == text)
    }

    /// Its label as a message (`status-draft` …) in the reader's language.
    pub fn text(self) -> Text {
        Text::new(format!("status-{}", self.as_str()))
    }

    /// The Chinese label the app shows.
    pub fn label(self) -> &'static str {
        match self {
            ApplicationStatus::Draft => "草稿",
            ApplicationStatus::Waiting => "待补正",
            ApplicationStatus::Submitted => "已提交",
            ApplicationStatus::Processing => "办理中",
            ApplicationStatus::Completed => "已办结",
            ApplicationStatus::Rejected => "不予受理",
            ApplicationStatus::Withdrawn => "已撤回",
        }
    }

    /// The list group it falls in.
    pub fn group(self) -> ApplicationGroup {
        match self {
            ApplicationStatus::Draft | ApplicationStatus::Waiting => ApplicationGroup::Pending,
            ApplicationStatus::Submitted | ApplicationStatus::Processing => {
                ApplicationGroup::Processing
            }
            _ => ApplicationGroup::Done,
        }
    }

    /// Whether the person may still change the answers.
    fn editable(self) -> bool {
        matches!(self, ApplicationStatus::Draft | ApplicationStatus::Waiting)
    }

    /// Whether a department may move an application from `self` to `next`.
    fn department_may(self, next: ApplicationStatus) -> bool {
        use ApplicationStatus::*;
        matches!(
            (self, next),
            (Submitted, Processing | Waiting | Completed | Rejected)
                | (Processing, Waiting | Completed | Rejected)
        )
    }
}

/// 待处理 / 处理中 / 已办结.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ApplicationGroup {
    /// 待处理 — drafts and applications waiting for the person.
    Pending,
    /// 处理中 — with the department.
    Processing,
    /// 已办结 — finished.
    Done,
}

impl ApplicationGroup {
    fn statuses(self) -> Vec<&'static str> {
        ApplicationStatus::ALL
            .into_iter()
            .filter(|s| s.group() == self)
            .map(ApplicationStatus::as_str)
            .collect()
    }
}

/// One entry of an application's timeline.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TimelineEvent {
    /// When (RFC 3339).
    pub at: String,
    /// The status from then on.
    pub status: ApplicationStatus,
    /// Its label (the daemon renders it in the reader's language).
    pub status_label: String,
    /// What happened (the daemon renders platform messages in the reader's
    /// language; a department's note stays as written).
    pub note: String,
    /// Who: the person (本人), an agent, or the department.
    pub actor: String,
    /// What happened, as stored.
    #[serde(skip)]
    pub said: Said,
    /// Who, as stored.
    #[serde(skip)]
    pub by: Said,
}

/// An application in a list.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ApplicationSummary {
    /// Opaque id.
    pub id: String,
    /// The service item applied for.
    pub item_id: String,
    /// Its title.
    pub item_title: String,
    /// Status.
    pub status: ApplicationStatus,
    /// 草稿 / 办理中 …
    pub status_label: String,
    /// 待处理 / 处理中 / 已办结.
    pub group: ApplicationGroup,
    /// Next step to fill in (drafts), 0-based.
    pub current_step: usize,
    /// Number of steps.
    pub step_count: usize,
    /// Last change (RFC 3339).
    pub updated_at: String,
    /// When it was submitted (RFC 3339), once it was.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub submitted_at: Option<String>,
}

/// An application in full: steps with their saved answers, the result and
/// the timeline.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Application {
    /// The summary fields.
    #[serde(flatten)]
    pub summary: ApplicationSummary,
    /// 实施部门
    pub department: String,
    /// Region of the item.
    pub region_code: String,
    /// The steps the person fills in, in order.
    pub steps: Vec<String>,
    /// The typed flow stored when the draft started (as `GET
    /// /api/v1/items/{id}/flow` served it, without the step schemas and
    /// prefill); absent for drafts started before typed flows, whose
    /// answers are text.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub flow: Option<serde_json::Value>,
    /// Saved answers per step index (`"0"`, `"1"` …): field → answer, typed
    /// values as the flow's field types take them (text without a flow).
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub answers: BTreeMap<String, serde_json::Map<String, serde_json::Value>>,
    /// 办理结果 — the department's result in a standard form, once done.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub result: Option<BTreeMap<String, String>>,
    /// Created (RFC 3339).
    pub created_at: String,
    /// Timeline, oldest first.
    pub timeline: Vec<TimelineEvent>,
}

/// A department's progress update.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Progress {
    /// The new status (`processing`, `waiting`, `completed`, `rejected`).
    pub status: ApplicationStatus,
    /// What to tell the person.
    #[cfg_attr(
        feature = "openapi",
        schema(
            min_length = 1,
            max_length = 500,
            pattern = "^[^\\u0000-\\u0008\\u000b-\\u001f\\u007f-\\u009f]*[^\\s\\u0000-\\u001f\\u007f-\\u009f][^\\u0000-\\u0008\\u000b-\\u001f\\u007f-\\u009f]*$"
        )
    )]
    pub note: String,
    /// The department acting.
    #[serde(default)]
    #[cfg_attr(
        feature = "openapi",
        schema(
            min_length = 1,
            max_length = 60,
            pattern = "^[^\\u0000-\\u0008\\u000b-\\u001f\\u007f-\\u009f]*[^\\s\\u0000-\\u001f\\u007f-\\u009f][^\\u0000-\\u0008\\u000b-\\u001f\\u007f-\\u009f]*$"
        )
    )]
    pub department: Option<String>,
    /// The result, for `completed` (e.g. 结果名称, 文书编号, 领取方式).
    #[serde(default)]
    pub result: Option<BTreeMap<String, String>>,
}

const MAX_ANSWERS: usize = 30;
const MAX_KEY: usize = 40;
const MAX_VALUE: usize = 500;

/// An application as stored.
#[derive(Debug, sqlx::FromRow)]
struct Row {
    id: String,
    item_id: String,
    item_title: String,
    region_code: String,
    department: String,
    status: String,
    steps_json: String,
    answers_json: String,
    current_step: i64,
    result_json: Option<String>,
    created_at: i64,
    updated_at: i64,
    submitted_at: Option<i64>,
    flow_json: Option<String>,
}

const COLUMNS: &str = "id, item_id, item_title, region_code, department, status, steps_json, \
     answers_json, current_step, result_json, created_at, updated_at, submitted_at, flow_json";

impl Row {
    fn status(&self) -> Result<ApplicationStatus> {
        ApplicationStatus::parse(&self.status)
            .ok_or_else(|| CentreError::Internal("unknown application status".into()))
    }

    fn steps(&self) -> Vec<String> {
        serde_json::from_str(&self.steps_json).unwrap_or_default()
    }

    fn summary(&self) -> Result<ApplicationSummary> {
        let status = self.status()?;
        Ok(ApplicationSummary {
            id: self.id.clone(),
            item_id: self.item_id.clone(),
            item_title: self.item_title.clone(),
            status,
            status_label: status.label().into(),
            group: status.group(),
            current_step: usize::try_from(self.current_step).unwrap_or(0),
            step_count: self.steps().len(),
            updated_at: rfc3339(self.updated_at),
            submitted_at: self.submitted_at.map(rfc3339),
        })
    }
}

/// What changing an application needs to know of it.
#[derive(Debug, sqlx::FromRow)]
struct Editable {
    status: String,
    steps_json: String,
    answers_json: String,
    current_step: i64,
    login_level: i64,
    item_title: String,
    flow_json: Option<String>,
}

impl Editable {
    fn steps(&self) -> Vec<String> {
        serde_json::from_str(&self.steps_json).unwrap_or_default()
    }

    fn current_step(&self) -> usize {
        usize::try_from(self.current_step).unwrap_or(0)
    }
}

/// Who acted for the timeline: the person themself (本人), or an agent
/// (经办人) of the organisation.
fn actor_label(subject: &Subject) -> Said {
    if subject.account_id == subject.actor_id {
        Said::Text(Text::new("actor-self"))
    } else {
        Said::Text(Text::new("actor-agent").arg("id", subject.actor_id.as_str()))
    }
}

/// Changing an application needs the level its item needs (a draft of an
/// L3 item resumed on another device needs a fresh face check there).
fn require_level(subject: &Subject, level: i64) -> Result<()> {
    let required = Level::from_i64(level);
    if subject.level < required {
        return Err(CentreError::StepUpRequired {
            required,
            current: subject.level,
        });
    }
    Ok(())
}

pub(crate) async fn append_event(
    tx: &mut Tx,
    application_id: &str,
    at: i64,
    status: ApplicationStatus,
    note: &Said,
    actor: &Said,
) -> Result<()> {
    let event = Event {
        id: &new_id("evt")?,
        application_id,
        at,
        status,
    };
    append_event_as(tx, event, note, actor).await
}

/// Where and when an event goes on a timeline.
struct Event<'a> {
    /// Its id: an event whose id is already there is not added again.
    id: &'a str,
    application_id: &'a str,
    at: i64,
    status: ApplicationStatus,
}

async fn append_event_as(tx: &mut Tx, event: Event<'_>, note: &Said, actor: &Said) -> Result<()> {
    let Event {
        id,
        application_id,
        at,
        status,
    } = event;
    let (note, note_text) = note.columns();
    let (actor, actor_text) = actor.columns();
    let seq: (i64,) = sqlx::query_as(
        "SELECT COALESCE(MAX(seq), 0) + 1 FROM application_events WHERE application_id = $1",
    )
    .bind(application_id)
    .fetch_one(&mut **tx)
    .await?;
    sqlx::query(
        "INSERT INTO application_events (id, application_id, seq, at, status, note, actor, \
         note_text, actor_text) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
         ON CONFLICT (id) DO NOTHING",
    )
    .bind(id)
    .bind(application_id)
    .bind(seq.0)
    .bind(at)
    .bind(status.as_str())
    .bind(note)
    .bind(actor)
    .bind(note_text)
    .bind(actor_text)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

impl Centre {
    /// Starts an application for `item`, or resumes the subject's open draft
    /// for it. The session needs the item's login level (else
    /// [`CentreError::StepUpRequired`]). Returns the application and whether
    /// it was resumed.
    pub async fn start_application(
        &self,
        subject: &Subject,
        item: &ItemInfo,
    ) -> Result<(Application, bool)> {
        if subject.level < item.login_level {
            return Err(CentreError::StepUpRequired {
                required: item.login_level,
                current: subject.level,
            });
        }
        let existing: Option<(String,)> = sqlx::query_as(
            "SELECT id FROM applications WHERE account_id = $1 AND item_id = $2 AND status = 'draft' \
             ORDER BY updated_at DESC LIMIT 1",
        )
        .bind(&subject.account_id)
        .bind(&item.id)
        .fetch_optional(self.db.pool())
        .await?;
        if let Some((id,)) = existing {
            return Ok((self.application(subject, &id).await?, true));
        }
        let steps = if item.steps.is_empty() {
            vec!["填写申请".to_string()]
        } else {
            item.steps.clone()
        };
        let now = self.now();
        let id = new_id("app")?;
        let mut tx = self.db.begin().await?;
        sqlx::query(
            "INSERT INTO applications (id, account_id, item_id, item_title, region_code, department, \
             login_level, status, steps_json, answers_json, current_step, created_at, updated_at, \
             flow_json) VALUES ($1, $2, $3, $4, $5, $6, $9, 'draft', $7, '{}', 0, $8, $8, $10)",
        )
        .bind(&id)
        .bind(&subject.account_id)
        .bind(&item.id)
        .bind(&item.title)
        .bind(&item.region_code)
        .bind(&item.department)
        .bind(serde_json::to_string(&steps).unwrap_or_else(|_| "[]".into()))
        .bind(now)
        .bind(item.login_level.as_i64())
        .bind(item.flow.as_deref())
        .execute(&mut *tx)
        .await?;
        append_event(
            &mut tx,
            &id,
            now,
            ApplicationStatus::Draft,
            &Said::Text(Text::new("event-started")),
            &actor_label(subject),
        )
        .await?;
        audit(&mut tx, subject, "application.start", &id, now).await?;
        tx.commit().await?;
        Ok((self.application(subject, &id).await?, false))
    }

    async fn application_row(&self, subject: &Subject, id: &str) -> Result<Row> {
        sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM applications WHERE id = $1 AND account_id = $2"
        ))
        .bind(id)
        .bind(&subject.account_id)
        .fetch_optional(self.db.pool())
        .await?
        .ok_or(CentreError::NotFound("application"))
    }

    /// Adds `note` to the timeline of one of the subject's applications
    /// (its status unchanged), e.g. a booking made for its in-person step.
    /// `key` names the event: noting the same key again adds nothing (a
    /// retried request). Another person's application is
    /// [`CentreError::NotFound`].
    pub async fn note_on_application(
        &self,
        subject: &Subject,
        id: &str,
        key: &str,
        note: Text,
    ) -> Result<()> {
        let now = self.now();
        let mut tx = self.db.begin().await?;
        let row: Option<(String,)> =
            sqlx::query_as("SELECT status FROM applications WHERE id = $1 AND account_id = $2")
                .bind(id)
                .bind(&subject.account_id)
                .fetch_optional(&mut *tx)
                .await?;
        let status = row
            .and_then(|(s,)| ApplicationStatus::parse(&s))
            .ok_or(CentreError::NotFound("application"))?;
        let event = Event {
            id: &format!("evt_{id}_{key}"),
            application_id: id,
            at: now,
            status,
        };
        append_event_as(&mut tx, event, &Said::Text(note), &actor_label(subject)).await?;
        audit(&mut tx, subject, "application.note", id, now).await?;
        tx.commit().await?;
        Ok(())
    }

    /// One of the subject's applications, in full.
    pub async fn application(&self, subject: &Subject, id: &str) -> Result<Application> {
        let row = self.application_row(subject, id).await?;
        self.full_application(row).await
    }

    async fn full_application(&self, row: Row) -> Result<Application> {
        let summary = row.summary()?;
        type EventRow = (i64, String, String, String, Option<String>, Option<String>);
        let events: Vec<EventRow> = sqlx::query_as(
            "SELECT at, status, note, actor, note_text, actor_text FROM application_events \
             WHERE application_id = $1 ORDER BY seq",
        )
        .bind(&row.id)
        .fetch_all(self.db.pool())
        .await?;
        let timeline = events
            .into_iter()
            .filter_map(|(at, status, note, actor, note_text, actor_text)| {
                let status = ApplicationStatus::parse(&status)?;
                let said = Said::from_columns(note, note_text.as_deref());
                let by = Said::from_columns(actor, actor_text.as_deref());
                Some(TimelineEvent {
                    at: rfc3339(at),
                    status,
                    status_label: status.label().into(),
                    note: said.written().to_string(),
                    actor: by.written().to_string(),
                    said,
                    by,
                })
            })
            .collect();
        Ok(Application {
            summary,
            steps: row.steps(),
            flow: row
                .flow_json
                .as_deref()
                .and_then(|f| serde_json::from_str(f).ok()),
            answers: serde_json::from_str(&row.answers_json).unwrap_or_default(),
            result: row
                .result_json
                .as_deref()
                .and_then(|r| serde_json::from_str(r).ok()),
            department: row.department,
            region_code: row.region_code,
            created_at: rfc3339(row.created_at),
            timeline,
        })
    }

    /// Loads one of the subject's applications that they may still change
    /// (a draft, or one waiting for 补正), checking the item's level: the
    /// shared first step of saving and submitting.
    async fn load_editable(
        &self,
        tx: &mut Tx,
        subject: &Subject,
        id: &str,
    ) -> Result<(Editable, ApplicationStatus)> {
        let row: Option<Editable> = sqlx::query_as(
            "SELECT status, steps_json, answers_json, current_step, login_level, item_title, \
             flow_json FROM applications WHERE id = $1 AND account_id = $2",
        )
        .bind(id)
        .bind(&subject.account_id)
        .fetch_optional(&mut **tx)
        .await?;
        let row = row.ok_or(CentreError::NotFound("application"))?;
        require_level(subject, row.login_level)?;
        let status = ApplicationStatus::parse(&row.status)
            .ok_or_else(|| CentreError::Internal("unknown application status".into()))?;
        if !status.editable() {
            return Err(CentreError::conflict(
                Text::new("err-application-not-editable").arg("status", status.text()),
            ));
        }
        Ok((row, status))
    }

    /// The subject's applications in `group` (all when `None`), most
    /// recently changed first; `(page of summaries, total)`.
    pub async fn applications(
        &self,
        subject: &Subject,
        group: Option<ApplicationGroup>,
        page: usize,
        size: usize,
    ) -> Result<(Vec<ApplicationSummary>, usize)> {
        let statuses = group
            .map(ApplicationGroup::statuses)
            .unwrap_or_else(|| ApplicationStatus::ALL.iter().map(|s| s.as_str()).collect());
        // Statuses are our own constants, not input.
        let list = statuses
            .iter()
            .map(|s| format!("'{s}'"))
            .collect::<Vec<_>>()
            .join(", ");
        let rows: Vec<Row> = sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM applications WHERE account_id = $1 AND status IN ({list}) \
             ORDER BY updated_at DESC, id"
        ))
        .bind(&subject.account_id)
        .fetch_all(self.db.pool())
        .await?;
        let total = rows.len();
        let page = rows
            .iter()
            .skip(page.saturating_sub(1) * size)
            .take(size)
            .map(Row::summary)
            .collect::<Result<Vec<_>>>()?;
        Ok((page, total))
    }

    /// One of the subject's applications that they may change now (a
    /// draft, or one waiting for 补正, at the item's level): what a caller
    /// reads to check answers against its stored flow before
    /// [`Centre::save_step`] or [`Centre::submit_application`], which check
    /// the same again in their transaction. Another person's application
    /// is [`CentreError::NotFound`].
    pub async fn editable_application(&self, subject: &Subject, id: &str) -> Result<Application> {
        let mut tx = self.db.begin().await?;
        self.load_editable(&mut tx, subject, id).await?;
        tx.commit().await?;
        self.application(subject, id).await
    }

    /// Saves the answers of step `step` (0-based) of a draft (or of an
    /// application waiting for the person) and moves the draft on to the
    /// next step. Steps already done can be changed; steps ahead of the
    /// current one cannot be skipped to. A draft with a stored flow takes
    /// [`StepAnswers::Checked`], one without [`StepAnswers::Text`]; the
    /// other kind is a conflict.
    pub async fn save_step(
        &self,
        subject: &Subject,
        id: &str,
        step: usize,
        answers: &StepAnswers,
    ) -> Result<Application> {
        let count = match answers {
            StepAnswers::Text(a) => a.len(),
            StepAnswers::Checked(a) => a.len(),
        };
        if count > MAX_ANSWERS {
            return Err(CentreError::invalid(
                "answers",
                Text::new("err-too-many-answers").arg("max", MAX_ANSWERS),
            ));
        }
        let clean: serde_json::Map<String, serde_json::Value> = match answers {
            StepAnswers::Checked(a) => a.clone(),
            StepAnswers::Text(a) => {
                let mut clean = serde_json::Map::new();
                for (key, value) in a {
                    let key = text_field("answers", key, MAX_KEY)?;
                    let value = if value.trim().is_empty() {
                        String::new()
                    } else {
                        text_field("answers", value, MAX_VALUE)?
                    };
                    clean.insert(key, serde_json::Value::String(value));
                }
                clean
            }
        };
        let now = self.now();
        let mut tx = self.db.begin().await?;
        let (row, _) = self.load_editable(&mut tx, subject, id).await?;
        if row.flow_json.is_some() != matches!(answers, StepAnswers::Checked(_)) {
            return Err(CentreError::conflict(Text::new(
                "err-application-answers-kind",
            )));
        }
        let steps = row.steps();
        let current = row.current_step();
        if step >= steps.len() {
            return Err(CentreError::invalid(
                "step",
                Text::new("err-step-out-of-range").arg("count", steps.len()),
            ));
        }
        if step > current {
            return Err(CentreError::conflict(
                Text::new("err-step-ahead").arg("current", current + 1),
            ));
        }
        let mut all: BTreeMap<String, serde_json::Map<String, serde_json::Value>> =
            serde_json::from_str(&row.answers_json).unwrap_or_default();
        all.insert(step.to_string(), clean);
        let next = current.max(step + 1).min(steps.len());
        sqlx::query(
            "UPDATE applications SET answers_json = $1, current_step = $2, updated_at = $3 \
             WHERE id = $4 AND account_id = $5",
        )
        .bind(serde_json::to_string(&all).unwrap_or_else(|_| "{}".into()))
        .bind(next as i64)
        .bind(now)
        .bind(id)
        .bind(&subject.account_id)
        .execute(&mut *tx)
        .await?;
        audit(&mut tx, subject, "application.save_step", id, now).await?;
        tx.commit().await?;
        self.application(subject, id).await
    }

    /// Submits a draft whose every step is saved (or re-submits an
    /// application the department asked to complete).
    pub async fn submit_application(&self, subject: &Subject, id: &str) -> Result<Application> {
        let now = self.now();
        let mut tx = self.db.begin().await?;
        let (row, status) = self.load_editable(&mut tx, subject, id).await?;
        let (steps, current, title) = (row.steps(), row.current_step(), row.item_title);
        if current < steps.len() {
            return Err(CentreError::conflict(
                Text::new("err-steps-not-done")
                    .arg("current", current + 1)
                    .arg("count", steps.len()),
            ));
        }
        sqlx::query(
            "UPDATE applications SET status = 'submitted', submitted_at = $1, updated_at = $1 \
             WHERE id = $2 AND account_id = $3",
        )
        .bind(now)
        .bind(id)
        .bind(&subject.account_id)
        .execute(&mut *tx)
        .await?;
        let note = Text::new(if status == ApplicationStatus::Waiting {
            "event-resubmitted"
        } else {
            "event-submitted"
        });
        append_event(
            &mut tx,
            id,
            now,
            ApplicationStatus::Submitted,
            &Said::Text(note),
            &actor_label(subject),
        )
        .await?;
        let headline = Text::new("message-application-status")
            .arg("title", title.as_str())
            .arg("status", ApplicationStatus::Submitted.text());
        self.send_message_tx(
            &mut tx,
            Note {
                account_id: &subject.account_id,
                kind: "application",
                title: Said::Text(headline.clone()),
                body: Said::Text(Text::new("message-application-submitted")),
                link: Some(format!("/me/applications/{id}")),
            },
            now,
        )
        .await?;
        audit(&mut tx, subject, "application.submit", id, now).await?;
        tx.commit().await?;
        self.providers.push.push(&subject.account_id, &headline)?;
        self.application(subject, id).await
    }

    /// Withdraws a submitted application or deletes a draft.
    pub async fn withdraw_application(&self, subject: &Subject, id: &str) -> Result<()> {
        let now = self.now();
        let mut tx = self.db.begin().await?;
        let row: Option<(String, i64)> = sqlx::query_as(
            "SELECT status, login_level FROM applications WHERE id = $1 AND account_id = $2",
        )
        .bind(id)
        .bind(&subject.account_id)
        .fetch_optional(&mut *tx)
        .await?;
        let Some((status, level)) = row else {
            return Err(CentreError::NotFound("application"));
        };
        // Withdrawing is a change like any other: it needs the item's level.
        require_level(subject, level)?;
        match ApplicationStatus::parse(&status) {
            Some(ApplicationStatus::Draft) => {
                sqlx::query("DELETE FROM applications WHERE id = $1 AND account_id = $2")
                    .bind(id)
                    .bind(&subject.account_id)
                    .execute(&mut *tx)
                    .await?;
            }
            Some(ApplicationStatus::Submitted | ApplicationStatus::Waiting) => {
                sqlx::query(
                    "UPDATE applications SET status = 'withdrawn', updated_at = $1 WHERE id = $2",
                )
                .bind(now)
                .bind(id)
                .execute(&mut *tx)
                .await?;
                append_event(
                    &mut tx,
                    id,
                    now,
                    ApplicationStatus::Withdrawn,
                    &Said::Text(Text::new("event-withdrawn")),
                    &actor_label(subject),
                )
                .await?;
            }
            Some(other) => {
                return Err(CentreError::conflict(
                    Text::new("err-cannot-withdraw").arg("status", other.text()),
                ));
            }
            None => return Err(CentreError::Internal("unknown application status".into())),
        }
        audit(&mut tx, subject, "application.withdraw", id, now).await?;
        tx.commit().await?;
        Ok(())
    }

    /// 办件进度推送 — a department moves an application on (operators only):
    /// appends to the timeline, stores the result and messages the person.
    pub async fn push_progress(&self, id: &str, progress: &Progress) -> Result<Application> {
        let note = text_field("note", &progress.note, 500)?;
        let department = match &progress.department {
            Some(d) => Some(text_field("department", d, 60)?),
            None => None,
        };
        if let Some(result) = &progress.result
            && (result.len() > MAX_ANSWERS
                || result
                    .iter()
                    .any(|(k, v)| k.chars().count() > MAX_KEY || v.chars().count() > MAX_VALUE))
        {
            return Err(CentreError::invalid(
                "result",
                Text::new("err-result-too-long"),
            ));
        }
        let now = self.now();
        let mut tx = self.db.begin().await?;
        let row: Option<(String, String, String, String)> = sqlx::query_as(
            "SELECT status, account_id, item_title, department FROM applications WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?;
        let Some((status, account_id, title, item_department)) = row else {
            return Err(CentreError::NotFound("application"));
        };
        let status = ApplicationStatus::parse(&status)
            .ok_or_else(|| CentreError::Internal("unknown application status".into()))?;
        if !status.department_may(progress.status) {
            return Err(CentreError::conflict(
                Text::new("err-cannot-move")
                    .arg("from", status.text())
                    .arg("to", progress.status.text()),
            ));
        }
        let result_json = progress
            .result
            .as_ref()
            .and_then(|r| serde_json::to_string(r).ok());
        sqlx::query(
            "UPDATE applications SET status = $1, result_json = COALESCE($2, result_json), \
             updated_at = $3 WHERE id = $4",
        )
        .bind(progress.status.as_str())
        .bind(result_json)
        .bind(now)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        let actor = Said::Written(department.unwrap_or(item_department));
        let note = Said::Written(note);
        append_event(&mut tx, id, now, progress.status, &note, &actor).await?;
        let headline = Text::new("message-application-status")
            .arg("title", title.as_str())
            .arg("status", progress.status.text());
        self.send_message_tx(
            &mut tx,
            Note {
                account_id: &account_id,
                kind: "application",
                title: Said::Text(headline.clone()),
                body: note,
                link: Some(format!("/me/applications/{id}")),
            },
            now,
        )
        .await?;
        tx.commit().await?;
        self.providers.push.push(&account_id, &headline)?;
        let row: Row = sqlx::query_as(&format!("SELECT {COLUMNS} FROM applications WHERE id = $1"))
            .bind(id)
            .fetch_one(self.db.pool())
            .await?;
        self.full_application(row).await
    }

    /// Applications of every account in `status` (operators only), oldest
    /// change first, at most `limit`.
    pub async fn applications_for_operator(
        &self,
        status: ApplicationStatus,
        limit: usize,
    ) -> Result<Vec<ApplicationSummary>> {
        let rows: Vec<Row> = sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM applications WHERE status = $1 ORDER BY updated_at, id LIMIT $2"
        ))
        .bind(status.as_str())
        .bind(limit as i64)
        .fetch_all(self.db.pool())
        .await?;
        rows.iter().map(Row::summary).collect()
    }
}

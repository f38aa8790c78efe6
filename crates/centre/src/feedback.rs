//! 帮助与反馈 — 问题咨询 (questions) and 建议投诉 (suggestions and
//! complaints): a person lists their own with the replies and creates new
//! ones; operators list them and reply, which messages the person. Text with
//! a banned word is refused and not stored.

use serde::{Deserialize, Serialize};

use crate::error::{CentreError, Result};
use crate::messages::Note;
use crate::secret::new_id;
use crate::{Centre, Said, Subject, audit, ratelimit, rfc3339, text_field};
use yuesou_messages::Text;

/// 问题咨询 or 建议投诉.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum FeedbackKind {
    /// 问题咨询 — a question.
    Consultation,
    /// 建议投诉 — a suggestion or complaint.
    Complaint,
}

impl FeedbackKind {
    fn as_str(self) -> &'static str {
        match self {
            FeedbackKind::Consultation => "consultation",
            FeedbackKind::Complaint => "complaint",
        }
    }

    fn parse(text: &str) -> FeedbackKind {
        if text == "complaint" {
            FeedbackKind::Complaint
        } else {
            FeedbackKind::Consultation
        }
    }
}

/// A new question or complaint.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewFeedback {
    /// 问题咨询 or 建议投诉.
    pub kind: FeedbackKind,
    /// 标题, 1–50 characters.
    #[cfg_attr(
        feature = "openapi",
        schema(
            min_length = 1,
            max_length = 50,
            pattern = "^[^\\u0000-\\u0008\\u000b-\\u001f\\u007f-\\u009f]*[^\\s\\u0000-\\u001f\\u007f-\\u009f][^\\u0000-\\u0008\\u000b-\\u001f\\u007f-\\u009f]*$"
        )
    )]
    pub title: String,
    /// 内容, 1–2000 characters.
    #[cfg_attr(
        feature = "openapi",
        schema(
            min_length = 1,
            max_length = 2000,
            pattern = "^[^\\u0000-\\u0008\\u000b-\\u001f\\u007f-\\u009f]*[^\\s\\u0000-\\u001f\\u007f-\\u009f][^\\u0000-\\u0008\\u000b-\\u001f\\u007f-\\u009f]*$"
        )
    )]
    pub content: String,
    /// The service item it is about, if any.
    #[serde(default)]
    #[cfg_attr(
        feature = "openapi",
        schema(
            min_length = 1,
            max_length = 64,
            pattern = "^[^\\u0000-\\u0008\\u000b-\\u001f\\u007f-\\u009f]*[^\\s\\u0000-\\u001f\\u007f-\\u009f][^\\u0000-\\u0008\\u000b-\\u001f\\u007f-\\u009f]*$"
        )
    )]
    pub item_id: Option<String>,
}

/// A reply.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Reply {
    /// Who replied (a department or 客服).
    pub author: String,
    /// The reply.
    pub content: String,
    /// When (RFC 3339).
    pub created_at: String,
}

/// A question or complaint with its replies.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Feedback {
    /// Opaque id.
    pub id: String,
    /// Kind.
    pub kind: FeedbackKind,
    /// Title.
    pub title: String,
    /// Content.
    pub content: String,
    /// Item it is about.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub item_id: Option<String>,
    /// `open` or `answered`.
    pub status: String,
    /// Created (RFC 3339).
    pub created_at: String,
    /// Replies, oldest first.
    pub replies: Vec<Reply>,
}

type Row = (String, String, String, String, Option<String>, String, i64);

impl Centre {
    /// Stores a question or complaint of the subject. `banned` finds a
    /// banned word in a text (the engine's guard). At most
    /// [`Policy::feedback_per_hour`](crate::Policy) per account per hour
    /// ([`CentreError::RateLimited`] beyond).
    pub async fn create_feedback(
        &self,
        subject: &Subject,
        new: &NewFeedback,
        banned: &(dyn Fn(&str) -> Option<String> + Sync),
    ) -> Result<Feedback> {
        let title = text_field("title", &new.title, 50)?;
        let content = text_field("content", &new.content, 2000)?;
        let item_id = match &new.item_id {
            Some(i) => Some(text_field("item_id", i, 64)?),
            None => None,
        };
        for text in [&title, &content] {
            if let Some(word) = banned(text) {
                return Err(CentreError::BannedWord { word });
            }
        }
        let now = self.now();
        // Limited per account (not per actor): an agent cannot multiply a
        // person's allowance.
        // Reserved in the transaction that stores the feedback: a burst
        // stores exactly the allowance.
        let limit = ratelimit::Limit::new(
            format!("feedback:acct:{}", subject.account_id),
            self.policy.feedback_per_hour,
            3_600_000,
        );
        let id = new_id("fb")?;
        let mut tx = self.db.begin().await?;
        let _reserved = ratelimit::reserve_in(&mut tx, &[limit], now).await?;
        sqlx::query(
            "INSERT INTO feedback (id, account_id, actor_id, kind, title, content, item_id, status, \
             created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, 'open', $8, $8)",
        )
        .bind(&id)
        .bind(&subject.account_id)
        .bind(&subject.actor_id)
        .bind(new.kind.as_str())
        .bind(&title)
        .bind(&content)
        .bind(&item_id)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        audit(&mut tx, subject, "feedback.create", &id, now).await?;
        tx.commit().await?;
        self.feedback_item(subject, &id).await
    }

    async fn with_replies(&self, rows: Vec<Row>) -> Result<Vec<Feedback>> {
        let mut out = Vec::with_capacity(rows.len());
        for (id, kind, title, content, item_id, status, created) in rows {
            let replies: Vec<(String, String, i64)> = sqlx::query_as(
                "SELECT author, content, created_at FROM feedback_replies WHERE feedback_id = $1 \
                 ORDER BY created_at, id",
            )
            .bind(&id)
            .fetch_all(self.db.pool())
            .await?;
            out.push(Feedback {
                id,
                kind: FeedbackKind::parse(&kind),
                title,
                content,
                item_id,
                status,
                created_at: rfc3339(created),
                replies: replies
                    .into_iter()
                    .map(|(author, content, at)| Reply {
                        author,
                        content,
                        created_at: rfc3339(at),
                    })
                    .collect(),
            });
        }
        Ok(out)
    }

    /// The subject's questions and complaints, newest first, with replies.
    pub async fn feedback(&self, subject: &Subject) -> Result<Vec<Feedback>> {
        let rows: Vec<Row> = sqlx::query_as(
            "SELECT id, kind, title, content, item_id, status, created_at FROM feedback \
             WHERE account_id = $1 ORDER BY created_at DESC, id",
        )
        .bind(&subject.account_id)
        .fetch_all(self.db.pool())
        .await?;
        self.with_replies(rows).await
    }

    /// One of the subject's questions or complaints.
    pub async fn feedback_item(&self, subject: &Subject, id: &str) -> Result<Feedback> {
        let rows: Vec<Row> = sqlx::query_as(
            "SELECT id, kind, title, content, item_id, status, created_at FROM feedback \
             WHERE id = $1 AND account_id = $2",
        )
        .bind(id)
        .bind(&subject.account_id)
        .fetch_all(self.db.pool())
        .await?;
        self.with_replies(rows)
            .await?
            .pop()
            .ok_or(CentreError::NotFound("feedback"))
    }

    /// Every open (or every) question and complaint, for operators, oldest
    /// first, at most `limit`.
    pub async fn feedback_for_operator(
        &self,
        only_open: bool,
        limit: usize,
    ) -> Result<Vec<Feedback>> {
        let rows: Vec<Row> = sqlx::query_as(
            "SELECT id, kind, title, content, item_id, status, created_at FROM feedback \
             WHERE ($1 = 0 OR status = 'open') ORDER BY created_at, id LIMIT $2",
        )
        .bind(i64::from(only_open))
        .bind(limit as i64)
        .fetch_all(self.db.pool())
        .await?;
        self.with_replies(rows).await
    }

    /// An operator's reply: stored, the item marked answered, the person
    /// messaged.
    pub async fn reply_feedback(&self, id: &str, author: &str, content: &str) -> Result<Reply> {
        let author = text_field("author", author, 60)?;
        let content = text_field("content", content, 2000)?;
        let now = self.now();
        let mut tx = self.db.begin().await?;
        let row: Option<(String, String)> =
            sqlx::query_as("SELECT account_id, title FROM feedback WHERE id = $1")
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?;
        let Some((account_id, title)) = row else {
            return Err(CentreError::NotFound("feedback"));
        };
        sqlx::query(
            "INSERT INTO feedback_replies (id, feedback_id, author, content, created_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(new_id("rep")?)
        .bind(id)
        .bind(&author)
        .bind(&content)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        sqlx::query("UPDATE feedback SET status = 'answered', updated_at = $1 WHERE id = $2")
            .bind(now)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let headline = Text::new("message-feedback-replied").arg("title", title.as_str());
        self.send_message_tx(
            &mut tx,
            Note {
                account_id: &account_id,
                kind: "feedback",
                title: Said::Text(headline.clone()),
                body: Said::Written(content.clone()),
                link: Some(format!("/me/feedback/{id}")),
            },
            now,
        )
        .await?;
        tx.commit().await?;
        self.providers.push.push(&account_id, &headline)?;
        Ok(Reply {
            author,
            content,
            created_at: rfc3339(now),
        })
    }
}

//! 消息提醒 — one inbox of public broadcasts and personal messages
//! (application progress, replies), with unread counts, mark-as-read (one
//! or all) and a pinned top notice each person can dismiss for themselves.

use serde::{Deserialize, Serialize};

use crate::error::{CentreError, Result};
use crate::secret::new_id;
use crate::{Centre, Said, Subject, Text, rfc3339, text_field};
use yuesou_store::Tx;

/// A message as its reader sees it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Message {
    /// Opaque id.
    pub id: String,
    /// `broadcast`, `application`, `feedback` …
    pub kind: String,
    /// Headline (the daemon renders platform messages in the reader's
    /// language).
    pub title: String,
    /// Text.
    pub body: String,
    /// Where it leads in the app.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub link: Option<String>,
    /// A pinned top notice (置顶公告).
    pub pinned: bool,
    /// Whether this reader has read it.
    pub read: bool,
    /// When (RFC 3339).
    pub created_at: String,
    /// The headline as stored.
    #[serde(skip)]
    pub title_said: Said,
    /// The text as stored.
    #[serde(skip)]
    pub body_said: Said,
}

/// A page of the inbox.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MessageList {
    /// Unread messages in the whole inbox.
    pub unread: usize,
    /// Messages in the inbox (or matching `unread_only`).
    pub total: usize,
    /// This page, newest first.
    pub items: Vec<Message>,
}

/// A broadcast an operator sends to everyone.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewBroadcast {
    /// Headline, 1–60 characters.
    #[cfg_attr(
        feature = "openapi",
        schema(
            min_length = 1,
            max_length = 60,
            pattern = "^[^\\u0000-\\u0008\\u000b-\\u001f\\u007f-\\u009f]*[^\\s\\u0000-\\u001f\\u007f-\\u009f][^\\u0000-\\u0008\\u000b-\\u001f\\u007f-\\u009f]*$"
        )
    )]
    pub title: String,
    /// Text, 1–2000 characters.
    #[cfg_attr(
        feature = "openapi",
        schema(
            min_length = 1,
            max_length = 2000,
            pattern = "^[^\\u0000-\\u0008\\u000b-\\u001f\\u007f-\\u009f]*[^\\s\\u0000-\\u001f\\u007f-\\u009f][^\\u0000-\\u0008\\u000b-\\u001f\\u007f-\\u009f]*$"
        )
    )]
    pub body: String,
    /// Pin as the top notice.
    #[serde(default)]
    pub pinned: bool,
    /// Where it leads.
    #[serde(default)]
    #[cfg_attr(
        feature = "openapi",
        schema(
            min_length = 1,
            max_length = 200,
            pattern = "^[^\\u0000-\\u0008\\u000b-\\u001f\\u007f-\\u009f]*[^\\s\\u0000-\\u001f\\u007f-\\u009f][^\\u0000-\\u0008\\u000b-\\u001f\\u007f-\\u009f]*$"
        )
    )]
    pub link: Option<String>,
}

/// A message with the reader's state of it.
#[derive(Debug, sqlx::FromRow)]
struct Row {
    id: String,
    kind: String,
    title: String,
    body: String,
    link: Option<String>,
    pinned: i64,
    created_at: i64,
    read_at: Option<i64>,
    dismissed_at: Option<i64>,
    title_text: Option<String>,
    body_text: Option<String>,
}

const SELECT: &str = "SELECT m.id, m.kind, m.title, m.body, m.link, m.pinned, m.created_at, \
     s.read_at, s.dismissed_at, m.title_text, m.body_text FROM messages m \
     LEFT JOIN message_states s ON s.message_id = m.id AND s.account_id = $1 \
     WHERE (m.account_id = $1 OR m.account_id IS NULL)";

fn message_of(row: Row) -> Message {
    let title_said = Said::from_columns(row.title, row.title_text.as_deref());
    let body_said = Said::from_columns(row.body, row.body_text.as_deref());
    Message {
        id: row.id,
        kind: row.kind,
        title: title_said.written().to_string(),
        body: body_said.written().to_string(),
        link: row.link,
        pinned: row.pinned != 0,
        read: row.read_at.is_some(),
        created_at: rfc3339(row.created_at),
        title_said,
        body_said,
    }
}

/// A personal message delivered under its own id
/// ([`Centre::deliver_message`]).
#[derive(Debug, Clone)]
pub struct Delivery<'a> {
    /// The message's id (at most 64 bytes): the same id twice is one message.
    pub id: &'a str,
    /// The account it goes to.
    pub account_id: &'a str,
    /// `booking`, `payment` …
    pub kind: &'a str,
    /// Headline (also pushed).
    pub title: Text,
    /// Text.
    pub body: Text,
    /// Where it leads in the app.
    pub link: Option<String>,
}

/// A personal message to store.
pub(crate) struct Note<'a> {
    pub account_id: &'a str,
    pub kind: &'a str,
    pub title: Said,
    pub body: Said,
    pub link: Option<String>,
}

impl Centre {
    pub(crate) async fn send_message_tx(
        &self,
        tx: &mut Tx,
        note: Note<'_>,
        at: i64,
    ) -> Result<String> {
        let Note {
            account_id,
            kind,
            title,
            body,
            link,
        } = note;
        let id = new_id("msg")?;
        let (title, title_text) = title.columns();
        let (body, body_text) = body.columns();
        sqlx::query(
            "INSERT INTO messages (id, account_id, kind, title, body, link, pinned, created_at, \
             title_text, body_text) VALUES ($1, $2, $3, $4, $5, $6, 0, $7, $8, $9)",
        )
        .bind(&id)
        .bind(account_id)
        .bind(kind)
        .bind(title)
        .bind(body)
        .bind(link)
        .bind(at)
        .bind(title_text)
        .bind(body_text)
        .execute(&mut **tx)
        .await?;
        Ok(id)
    }

    /// Writes a personal message under a caller-chosen id (a reminder's,
    /// a payment event's) and pushes its headline — once: when a message
    /// with this id exists already, nothing is written or pushed and the
    /// answer is `false`. Deliveries that may run twice (a dispatcher whose
    /// lease expired) stay harmless.
    pub async fn deliver_message(&self, delivery: Delivery<'_>) -> Result<bool> {
        let Delivery {
            id,
            account_id,
            kind,
            title,
            body,
            link,
        } = delivery;
        if id.is_empty() || id.len() > 64 {
            return Err(CentreError::Internal(format!(
                "message id of {} bytes",
                id.len()
            )));
        }
        let title_json = title.to_json();
        let body_json = body.to_json();
        let written = sqlx::query(
            "INSERT INTO messages (id, account_id, kind, title, body, link, pinned, created_at, \
             title_text, body_text) VALUES ($1, $2, $3, '', '', $4, 0, $5, $6, $7) \
             ON CONFLICT (id) DO NOTHING",
        )
        .bind(id)
        .bind(account_id)
        .bind(kind)
        .bind(link)
        .bind(self.now())
        .bind(title_json)
        .bind(body_json)
        .execute(self.db.pool())
        .await?
        .rows_affected();
        if written == 0 {
            return Ok(false);
        }
        self.providers.push.push(account_id, &title)?;
        Ok(true)
    }

    /// The subject's inbox, newest first: `(page, …)` with unread counts.
    pub async fn messages(
        &self,
        subject: &Subject,
        unread_only: bool,
        page: usize,
        size: usize,
    ) -> Result<MessageList> {
        let rows: Vec<Row> = sqlx::query_as(&format!("{SELECT} ORDER BY m.created_at DESC, m.id"))
            .bind(&subject.account_id)
            .fetch_all(self.db.pool())
            .await?;
        let unread = rows.iter().filter(|r| r.read_at.is_none()).count();
        let matching: Vec<Row> = rows
            .into_iter()
            .filter(|r| !unread_only || r.read_at.is_none())
            .collect();
        let total = matching.len();
        let items = matching
            .into_iter()
            .skip(page.saturating_sub(1) * size)
            .take(size)
            .map(message_of)
            .collect();
        Ok(MessageList {
            unread,
            total,
            items,
        })
    }

    /// The pinned top notice this subject has not dismissed (the newest), or
    /// for anonymous readers (`None`) the newest pinned notice.
    pub async fn notice(&self, subject: Option<&Subject>) -> Result<Option<Message>> {
        let account = subject.map(|s| s.account_id.as_str()).unwrap_or("");
        let rows: Vec<Row> = sqlx::query_as(&format!(
            "{SELECT} AND m.account_id IS NULL AND m.pinned = 1 ORDER BY m.created_at DESC, m.id"
        ))
        .bind(account)
        .fetch_all(self.db.pool())
        .await?;
        Ok(rows
            .into_iter()
            .find(|r| r.dismissed_at.is_none())
            .map(message_of))
    }

    async fn visible(&self, subject: &Subject, id: &str) -> Result<()> {
        let found: Option<(String,)> = sqlx::query_as(
            "SELECT id FROM messages WHERE id = $1 AND (account_id = $2 OR account_id IS NULL)",
        )
        .bind(id)
        .bind(&subject.account_id)
        .fetch_optional(self.db.pool())
        .await?;
        found.map(|_| ()).ok_or(CentreError::NotFound("message"))
    }

    /// Marks one message read (another's id: not found).
    pub async fn mark_read(&self, subject: &Subject, id: &str) -> Result<()> {
        self.visible(subject, id).await?;
        sqlx::query(
            "INSERT INTO message_states (message_id, account_id, read_at) VALUES ($1, $2, $3) \
             ON CONFLICT (message_id, account_id) DO UPDATE SET \
             read_at = COALESCE(message_states.read_at, excluded.read_at)",
        )
        .bind(id)
        .bind(&subject.account_id)
        .bind(self.now())
        .execute(self.db.pool())
        .await?;
        Ok(())
    }

    /// Marks every message of the inbox read; returns how many were unread.
    pub async fn mark_all_read(&self, subject: &Subject) -> Result<usize> {
        let now = self.now();
        let mut tx = self.db.begin().await?;
        let done = sqlx::query(
            "INSERT INTO message_states (message_id, account_id, read_at) \
             SELECT m.id, $1, $2 FROM messages m \
             WHERE (m.account_id = $1 OR m.account_id IS NULL) AND NOT EXISTS \
             (SELECT 1 FROM message_states s WHERE s.message_id = m.id AND s.account_id = $1 \
              AND s.read_at IS NOT NULL) \
             ON CONFLICT (message_id, account_id) DO UPDATE SET read_at = excluded.read_at",
        )
        .bind(&subject.account_id)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(done.rows_affected() as usize)
    }

    /// Dismisses a pinned notice for this subject only.
    pub async fn dismiss_notice(&self, subject: &Subject, id: &str) -> Result<()> {
        self.visible(subject, id).await?;
        let now = self.now();
        sqlx::query(
            "INSERT INTO message_states (message_id, account_id, read_at, dismissed_at) \
             VALUES ($1, $2, $3, $3) ON CONFLICT (message_id, account_id) DO UPDATE SET \
             read_at = COALESCE(message_states.read_at, excluded.read_at), \
             dismissed_at = excluded.dismissed_at",
        )
        .bind(id)
        .bind(&subject.account_id)
        .bind(now)
        .execute(self.db.pool())
        .await?;
        Ok(())
    }

    /// Sends a broadcast to everyone (operators only).
    pub async fn broadcast(&self, new: &NewBroadcast) -> Result<Message> {
        let title = text_field("title", &new.title, 60)?;
        let body = text_field("body", &new.body, 2000)?;
        let link = match &new.link {
            Some(l) => Some(text_field("link", l, 200)?),
            None => None,
        };
        let now = self.now();
        let id = new_id("msg")?;
        sqlx::query(
            "INSERT INTO messages (id, account_id, kind, title, body, link, pinned, created_at) \
             VALUES ($1, NULL, 'broadcast', $2, $3, $4, $5, $6)",
        )
        .bind(&id)
        .bind(&title)
        .bind(&body)
        .bind(&link)
        .bind(i64::from(new.pinned))
        .bind(now)
        .execute(self.db.pool())
        .await?;
        Ok(Message {
            id,
            kind: "broadcast".into(),
            title_said: Said::Written(title.clone()),
            body_said: Said::Written(body.clone()),
            title,
            body,
            link,
            pinned: new.pinned,
            read: false,
            created_at: rfc3339(now),
        })
    }
}

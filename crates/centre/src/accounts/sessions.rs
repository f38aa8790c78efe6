//! 会话 — a login on one device: opened by a login (or by a person acting
//! for an organisation: a *child* of their own session), authenticated by
//! its bearer token, listed, revoked. Only the token's SHA-256 is stored.
//!
//! A child session (经办) lives only as long as its parent: logging out or
//! revoking the person's session ends it, its expiry is never later than
//! the parent's, and it is listed under the parent in `/me/sessions`.

use super::{LoginResult, MAX_DEVICE, SEEN_RESOLUTION_MS, SessionInfo, short};
use crate::error::{CentreError, Result};
use crate::secret::{digest, new_id, new_token};
use crate::{AccountKind, Centre, Client, Level, Subject, rfc3339};

/// A session to open.
pub(super) struct NewSession<'a> {
    /// The account whose data the session sees.
    pub account_id: &'a str,
    /// The person acting.
    pub actor_id: &'a str,
    /// `password`, `sms` or `agent`.
    pub method: &'a str,
    /// Where the login comes from.
    pub client: &'a Client,
    /// The session's level.
    pub level: Level,
    /// The person's session a 经办 session belongs to.
    pub parent: Option<&'a str>,
}

/// What authenticating a token reads.
#[derive(Debug, sqlx::FromRow)]
struct SessionRow {
    id: String,
    account_id: String,
    actor_id: String,
    kind: String,
    expires_at: i64,
    elevated_until: i64,
    revoked_at: Option<i64>,
    last_seen_at: i64,
    actor_level: i64,
    parent_id: Option<String>,
    parent_revoked_at: Option<i64>,
    parent_expires_at: Option<i64>,
}

impl SessionRow {
    /// Whether the session (and its parent, for a child) is live at `now`.
    fn live(&self, now: i64) -> bool {
        let own = self.revoked_at.is_none() && self.expires_at > now;
        let parent = self.parent_id.is_none()
            || (self.parent_revoked_at.is_none()
                && self.parent_expires_at.is_some_and(|e| e > now));
        own && parent
    }
}

/// A session as listed.
#[derive(Debug, sqlx::FromRow)]
struct ListedRow {
    id: String,
    device: String,
    address: String,
    method: String,
    created_at: i64,
    last_seen_at: i64,
    expires_at: i64,
    parent_id: Option<String>,
    org_name: Option<String>,
}

impl Centre {
    /// Opens a session and returns its token (shown once).
    pub(super) async fn open_session(&self, new: NewSession<'_>) -> Result<LoginResult> {
        let now = self.now();
        let (validity,): (i64,) =
            sqlx::query_as("SELECT login_validity_secs FROM accounts WHERE id = $1")
                .bind(new.actor_id)
                .fetch_one(self.db.pool())
                .await?;
        let mut expires_at = now + validity * 1000;
        if let Some(parent) = new.parent {
            let (parent_expiry,): (i64,) =
                sqlx::query_as("SELECT expires_at FROM sessions WHERE id = $1")
                    .bind(parent)
                    .fetch_one(self.db.pool())
                    .await?;
            expires_at = expires_at.min(parent_expiry);
        }
        let token = new_token()?;
        sqlx::query(
            "INSERT INTO sessions (id, token_hash, account_id, actor_id, method, device, address, \
             created_at, last_seen_at, expires_at, elevated_until, parent_id) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, $9, 0, $10)",
        )
        .bind(new_id("ses")?)
        .bind(digest(&token))
        .bind(new.account_id)
        .bind(new.actor_id)
        .bind(new.method)
        .bind(short(&new.client.device, MAX_DEVICE))
        .bind(short(&new.client.address, 64))
        .bind(now)
        .bind(expires_at)
        .bind(new.parent)
        .execute(self.db.pool())
        .await?;
        Ok(LoginResult {
            token,
            expires_at: rfc3339(expires_at),
            level: new.level,
        })
    }

    /// The subject of a bearer token, or [`CentreError::Unauthenticated`]
    /// (unknown, expired or revoked — or a child of a session that is).
    pub async fn authenticate(&self, token: &str) -> Result<Subject> {
        if !token.starts_with("ys_") || token.len() != 67 {
            return Err(CentreError::Unauthenticated);
        }
        let now = self.now();
        let row: Option<SessionRow> = sqlx::query_as(
            "SELECT s.id, s.account_id, s.actor_id, a.kind, s.expires_at, s.elevated_until, \
                 s.revoked_at, s.last_seen_at, actor.level AS actor_level, s.parent_id, \
                 p.revoked_at AS parent_revoked_at, p.expires_at AS parent_expires_at \
                 FROM sessions s JOIN accounts a ON a.id = s.account_id \
                 JOIN accounts actor ON actor.id = s.actor_id \
                 LEFT JOIN sessions p ON p.id = s.parent_id WHERE s.token_hash = $1",
        )
        .bind(digest(token))
        .fetch_optional(self.db.pool())
        .await?;
        let Some(row) = row.filter(|r| r.live(now)) else {
            return Err(CentreError::Unauthenticated);
        };
        if now - row.last_seen_at >= SEEN_RESOLUTION_MS {
            sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE id = $2")
                .bind(now)
                .bind(&row.id)
                .execute(self.db.pool())
                .await?;
        }
        let level = if row.elevated_until > now {
            Level::L3
        } else {
            Level::from_i64(row.actor_level)
        };
        Ok(Subject {
            account_id: row.account_id,
            actor_id: row.actor_id,
            kind: AccountKind::parse(&row.kind),
            session_id: row.id,
            level,
        })
    }

    /// 退出登录 — ends the subject's session and the sessions it opened for
    /// organisations.
    pub async fn logout(&self, subject: &Subject) -> Result<()> {
        self.revoke_session(subject, &subject.session_id).await
    }

    /// The live sessions the subject may see and revoke, newest first: a
    /// person's own sessions and, under each, the sessions it opened for
    /// organisations; an organisation session sees the sessions its person
    /// opened for that organisation.
    pub async fn sessions(&self, subject: &Subject) -> Result<Vec<SessionInfo>> {
        let now = self.now();
        let rows: Vec<ListedRow> = sqlx::query_as(
            "SELECT s.id, s.device, s.address, s.method, s.created_at, s.last_seen_at, \
             s.expires_at, s.parent_id, o.org_name FROM sessions s \
             JOIN accounts o ON o.id = s.account_id \
             LEFT JOIN sessions p ON p.id = s.parent_id \
             WHERE s.actor_id = $1 AND (s.account_id = $2 OR ($3 = 1 AND s.parent_id IS NOT NULL)) \
             AND s.revoked_at IS NULL AND s.expires_at > $4 \
             AND (s.parent_id IS NULL OR (p.revoked_at IS NULL AND p.expires_at > $4)) \
             ORDER BY s.created_at DESC, s.id",
        )
        .bind(&subject.actor_id)
        .bind(&subject.account_id)
        .bind(i64::from(subject.kind == AccountKind::Person))
        .bind(now)
        .fetch_all(self.db.pool())
        .await?;
        Ok(rows
            .into_iter()
            .map(|r| SessionInfo {
                current: r.id == subject.session_id,
                acting_for: r.parent_id.as_ref().and(r.org_name),
                parent: r.parent_id,
                id: r.id,
                device: r.device,
                address: r.address,
                method: r.method,
                created_at: rfc3339(r.created_at),
                last_seen_at: rfc3339(r.last_seen_at),
                expires_at: rfc3339(r.expires_at),
            })
            .collect())
    }

    /// Revokes one session the subject may see (see [`Centre::sessions`];
    /// another's id: not found) and the sessions it opened for
    /// organisations.
    pub async fn revoke_session(&self, subject: &Subject, session_id: &str) -> Result<()> {
        let now = self.now();
        let mut tx = self.db.begin().await?;
        let done = sqlx::query(
            "UPDATE sessions SET revoked_at = $1 WHERE id = $2 AND actor_id = $3 \
             AND (account_id = $4 OR ($5 = 1 AND parent_id IS NOT NULL)) AND revoked_at IS NULL",
        )
        .bind(now)
        .bind(session_id)
        .bind(&subject.actor_id)
        .bind(&subject.account_id)
        .bind(i64::from(subject.kind == AccountKind::Person))
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(CentreError::NotFound("session"));
        }
        sqlx::query(
            "UPDATE sessions SET revoked_at = $1 WHERE parent_id = $2 AND revoked_at IS NULL",
        )
        .bind(now)
        .bind(session_id)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

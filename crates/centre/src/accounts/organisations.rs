//! 法人 — organisations registered by their credit code, the persons who
//! act for them (经办人), and the sessions those persons open for them:
//! children of the person's own session, ending with it.

use super::sessions::NewSession;
use super::{LoginResult, Organisation};
use crate::error::{CentreError, Result};
use crate::identity::parse_uscc;
use crate::secret::new_id;
use crate::{AccountKind, Centre, Client, Level, Subject, audit, text_field};

impl Centre {
    /// Registers an organisation (法人) by its unified social credit code;
    /// the L2 person registering it becomes its first agent (经办人).
    pub async fn register_organisation(
        &self,
        subject: &Subject,
        uscc: &str,
        name: &str,
    ) -> Result<Organisation> {
        if subject.kind != AccountKind::Person {
            return Err(CentreError::Forbidden(
                "err-only-persons-register-orgs".into(),
            ));
        }
        if subject.level < Level::L2 {
            return Err(CentreError::StepUpRequired {
                required: Level::L2,
                current: subject.level,
            });
        }
        let uscc = parse_uscc(uscc)?;
        let name = text_field("name", name, 100)?;
        let now = self.now();
        let id = new_id("org")?;
        let mut tx = self.db.begin().await?;
        sqlx::query(
            "INSERT INTO accounts (id, kind, level, uscc, org_name, login_validity_secs, \
             allow_password, allow_sms, demo, created_at, updated_at) \
             VALUES ($1, 'organisation', 2, $2, $3, $4, 0, 0, 0, $5, $5)",
        )
        .bind(&id)
        .bind(&uscc)
        .bind(&name)
        .bind(self.policy.default_login_validity_secs)
        .bind(now)
        .execute(&mut *tx)
        .await
        .map_err(|e| match &e {
            sqlx::Error::Database(d) if d.is_unique_violation() => {
                CentreError::Conflict("err-org-registered".into())
            }
            _ => e.into(),
        })?;
        sqlx::query(
            "INSERT INTO org_agents (org_id, person_id, role, created_at) VALUES ($1, $2, 'agent', $3)",
        )
        .bind(&id)
        .bind(&subject.actor_id)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        audit(&mut tx, subject, "organisation.register", &id, now).await?;
        tx.commit().await?;
        Ok(Organisation {
            id,
            name,
            uscc,
            role: "agent".into(),
        })
    }

    /// The organisations the acting person is an agent of.
    pub async fn organisations(&self, subject: &Subject) -> Result<Vec<Organisation>> {
        let rows: Vec<(String, Option<String>, Option<String>, String)> = sqlx::query_as(
            "SELECT a.id, a.org_name, a.uscc, g.role FROM org_agents g \
             JOIN accounts a ON a.id = g.org_id WHERE g.person_id = $1 ORDER BY a.org_name",
        )
        .bind(&subject.actor_id)
        .fetch_all(self.db.pool())
        .await?;
        Ok(rows
            .into_iter()
            .map(|(id, name, uscc, role)| Organisation {
                id,
                name: name.unwrap_or_default(),
                uscc: uscc.unwrap_or_default(),
                role,
            })
            .collect())
    }

    /// 经办 — opens a session acting for an organisation the person is an
    /// agent of (another's or unknown id: not found). It is a child of the
    /// person's session: it ends when that session ends (logout, revocation,
    /// expiry), is listed under it and can be revoked from it.
    pub async fn act_for(
        &self,
        subject: &Subject,
        org_id: &str,
        client: &Client,
    ) -> Result<LoginResult> {
        if subject.kind != AccountKind::Person {
            return Err(CentreError::Forbidden("err-act-as-person".into()));
        }
        let agent: Option<(String,)> =
            sqlx::query_as("SELECT role FROM org_agents WHERE org_id = $1 AND person_id = $2")
                .bind(org_id)
                .bind(&subject.actor_id)
                .fetch_optional(self.db.pool())
                .await?;
        if agent.is_none() {
            return Err(CentreError::NotFound("organisation"));
        }
        let level = subject.level.min(Level::L2);
        self.open_session(NewSession {
            account_id: org_id,
            actor_id: &subject.actor_id,
            method: "agent",
            client,
            level,
            parent: Some(&subject.session_id),
        })
        .await
    }

    /// Adds the demo organisation's agent link (demo seed).
    pub(crate) async fn link_agent(&self, org_id: &str, person_id: &str, role: &str) -> Result<()> {
        sqlx::query(
            "INSERT INTO org_agents (org_id, person_id, role, created_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (org_id, person_id) DO NOTHING",
        )
        .bind(org_id)
        .bind(person_id)
        .bind(role)
        .bind(self.now())
        .execute(self.db.pool())
        .await?;
        Ok(())
    }
}

//! Demo data: fictitious accounts that let anyone try the whole centre
//! right after `cargo run --release -- serve` (phones, applications in every
//! status, feedback with replies, messages, an organisation). Read from
//! `data/demo/centre.json`; seeded through the centre's own flows, so the
//! demo follows the same rules as real use; removed when demo data is off.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use crate::applications::{ApplicationStatus, ItemInfo, Progress, StepAnswers};
use crate::error::{CentreError, Result};
use crate::feedback::{FeedbackKind, NewFeedback};
use crate::identity::IdNumber;
use crate::{AccountKind, Centre, Level, Subject};

/// The demo data file.
#[derive(Debug, Clone, Deserialize)]
pub struct DemoData {
    password: String,
    people: Vec<DemoPerson>,
    #[serde(default)]
    organisations: Vec<DemoOrganisation>,
    #[serde(default)]
    broadcasts: Vec<DemoBroadcast>,
}

#[derive(Debug, Clone, Deserialize)]
struct DemoPerson {
    phone: String,
    #[serde(default)]
    id_number: Option<String>,
    #[serde(default)]
    postal_address: Option<String>,
    #[serde(default)]
    email: Option<String>,
    #[serde(default)]
    applications: Vec<DemoApplication>,
    #[serde(default)]
    feedback: Vec<DemoFeedback>,
}

#[derive(Debug, Clone, Deserialize)]
struct DemoOrganisation {
    uscc: String,
    name: String,
    agents: Vec<String>,
    #[serde(default)]
    applications: Vec<DemoApplication>,
}

#[derive(Debug, Clone, Deserialize)]
struct DemoApplication {
    item_id: String,
    status: ApplicationStatus,
    #[serde(default)]
    steps_done: Option<usize>,
    #[serde(default)]
    answers: Vec<BTreeMap<String, String>>,
    #[serde(default)]
    progress: Vec<Progress>,
}

#[derive(Debug, Clone, Deserialize)]
struct DemoFeedback {
    kind: FeedbackKind,
    title: String,
    content: String,
    #[serde(default)]
    replies: Vec<DemoReply>,
}

#[derive(Debug, Clone, Deserialize)]
struct DemoReply {
    author: String,
    content: String,
}

#[derive(Debug, Clone, Deserialize)]
struct DemoBroadcast {
    id: String,
    title: String,
    body: String,
    #[serde(default)]
    pinned: bool,
}

impl DemoData {
    /// Reads the demo data file.
    pub fn load(path: &Path) -> Result<DemoData> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| CentreError::Provider(format!("cannot read {}: {e}", path.display())))?;
        serde_json::from_str(&text)
            .map_err(|e| CentreError::Provider(format!("{}: {e}", path.display())))
    }

    /// Phones of the demo people.
    pub fn phones(&self) -> Vec<String> {
        self.people.iter().map(|p| p.phone.clone()).collect()
    }
}

fn seed_subject(account_id: &str, actor_id: &str, kind: AccountKind) -> Subject {
    Subject {
        account_id: account_id.to_string(),
        actor_id: actor_id.to_string(),
        kind,
        session_id: String::new(),
        level: Level::L3,
    }
}

impl Centre {
    /// Seeds the demo accounts unless they exist (idempotent). `item` finds
    /// a catalogue item; applications of unknown items are skipped with a
    /// warning. Returns whether anything was seeded.
    pub async fn seed_demo(
        &self,
        data: &DemoData,
        item: &(dyn Fn(&str) -> Option<ItemInfo> + Sync),
    ) -> Result<bool> {
        let exists: Option<(String,)> =
            sqlx::query_as("SELECT id FROM accounts WHERE demo = 1 LIMIT 1")
                .fetch_optional(self.db.pool())
                .await?;
        if exists.is_some() {
            return Ok(false);
        }
        let hash = self.hash_password(&data.password).await?;
        let mut by_phone = BTreeMap::new();
        for person in &data.people {
            let id = self.seed_person(person, &hash, item).await?;
            by_phone.insert(person.phone.clone(), id);
        }
        for org in &data.organisations {
            self.seed_organisation(org, &by_phone, item).await?;
        }
        for broadcast in &data.broadcasts {
            self.seed_broadcast(broadcast).await?;
        }
        Ok(true)
    }

    /// One demo person: the account (L2 when the demo identities know the
    /// ID number), contact details, applications, licences and feedback.
    async fn seed_person(
        &self,
        person: &DemoPerson,
        hash: &str,
        item: &(dyn Fn(&str) -> Option<ItemInfo> + Sync),
    ) -> Result<String> {
        let identity = match &person.id_number {
            Some(n) => {
                let id = IdNumber::parse(n)?;
                let name = self
                    .providers
                    .identities
                    .record(&id)
                    .map(|r| r.name)
                    .ok_or_else(|| CentreError::Provider("demo identity missing".into()))?;
                Some((name, id.as_str().to_string()))
            }
            None => None,
        };
        let level = if identity.is_some() {
            Level::L2
        } else {
            Level::L1
        };
        let id = self
            .create_person(
                &person.phone,
                Some(hash),
                level,
                identity.as_ref().map(|(n, i)| (n.as_str(), i.as_str())),
                true,
            )
            .await?;
        let subject = seed_subject(&id, &id, AccountKind::Person);
        self.update_contact(
            &subject,
            &crate::ContactUpdate {
                postal_address: person.postal_address.clone(),
                contact_phone: None,
                email: person.email.clone(),
            },
        )
        .await?;
        self.seed_applications(&subject, &person.applications, item)
            .await?;
        if self.wallet.is_some() && level >= Level::L2 {
            self.wallet_add(&subject, None).await?;
        }
        self.seed_feedback(&subject, &person.feedback).await?;
        Ok(id)
    }

    /// A demo person's questions and complaints with their replies.
    async fn seed_feedback(&self, subject: &Subject, feedback: &[DemoFeedback]) -> Result<()> {
        for fb in feedback {
            let created = self
                .create_feedback(
                    subject,
                    &NewFeedback {
                        kind: fb.kind,
                        title: fb.title.clone(),
                        content: fb.content.clone(),
                        item_id: None,
                    },
                    &|_| None,
                )
                .await?;
            for reply in &fb.replies {
                self.reply_feedback(&created.id, &reply.author, &reply.content)
                    .await?;
            }
        }
        Ok(())
    }

    /// A demo organisation, registered by its first agent, with its other
    /// agents, applications and licences.
    async fn seed_organisation(
        &self,
        org: &DemoOrganisation,
        by_phone: &BTreeMap<String, String>,
        item: &(dyn Fn(&str) -> Option<ItemInfo> + Sync),
    ) -> Result<()> {
        let Some(first) = org.agents.first().and_then(|p| by_phone.get(p)) else {
            return Ok(());
        };
        let person = seed_subject(first, first, AccountKind::Person);
        let created = self
            .register_organisation(&person, &org.uscc, &org.name)
            .await?;
        sqlx::query("UPDATE accounts SET demo = 1 WHERE id = $1")
            .bind(&created.id)
            .execute(self.db.pool())
            .await?;
        for phone in org.agents.iter().skip(1) {
            if let Some(agent) = by_phone.get(phone) {
                self.link_agent(&created.id, agent, "agent").await?;
            }
        }
        let subject = seed_subject(&created.id, first, AccountKind::Organisation);
        self.seed_applications(&subject, &org.applications, item)
            .await?;
        if self.wallet.is_some() {
            self.wallet_add(&subject, None).await?;
        }
        Ok(())
    }

    /// A public broadcast (kept if it is there already).
    async fn seed_broadcast(&self, b: &DemoBroadcast) -> Result<()> {
        sqlx::query(
            "INSERT INTO messages (id, account_id, kind, title, body, link, pinned, created_at) \
             VALUES ($1, NULL, 'broadcast', $2, $3, NULL, $4, $5) ON CONFLICT (id) DO NOTHING",
        )
        .bind(&b.id)
        .bind(&b.title)
        .bind(&b.body)
        .bind(i64::from(b.pinned))
        .bind(self.now())
        .execute(self.db.pool())
        .await?;
        Ok(())
    }

    async fn seed_applications(
        &self,
        subject: &Subject,
        applications: &[DemoApplication],
        item: &(dyn Fn(&str) -> Option<ItemInfo> + Sync),
    ) -> Result<()> {
        for app in applications {
            let Some(info) = item(&app.item_id) else {
                tracing::warn!(item = %app.item_id, "demo application for an unknown item skipped");
                continue;
            };
            let (created, _) = self.start_application(subject, &info).await?;
            let id = created.summary.id;
            let steps = created.steps.len();
            let done = if app.status == ApplicationStatus::Draft {
                app.steps_done.unwrap_or(0).min(steps.saturating_sub(1))
            } else {
                steps
            };
            for step in 0..done {
                let answers = app.answers.get(step).cloned().unwrap_or_else(|| {
                    BTreeMap::from([("确认".to_string(), "已完成".to_string())])
                });
                self.save_step(subject, &id, step, &StepAnswers::Text(answers))
                    .await?;
            }
            if app.status != ApplicationStatus::Draft {
                self.submit_application(subject, &id).await?;
            }
            for progress in &app.progress {
                self.push_progress(&id, progress).await?;
            }
        }
        Ok(())
    }

    /// The ids of the demo accounts (to release what they hold elsewhere,
    /// e.g. their booked places, before [`Centre::remove_demo`]).
    pub async fn demo_account_ids(&self) -> Result<Vec<String>> {
        Ok(
            sqlx::query_scalar("SELECT id FROM accounts WHERE demo = 1 ORDER BY id")
                .fetch_all(self.db.pool())
                .await?,
        )
    }

    /// Removes every demo account and demo broadcast (demo data off).
    /// Returns the number of accounts removed.
    pub async fn remove_demo(&self) -> Result<u64> {
        let mut tx = self.db.begin().await?;
        let done = sqlx::query("DELETE FROM accounts WHERE demo = 1")
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM messages WHERE id LIKE 'demo-%'")
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(done.rows_affected())
    }
}

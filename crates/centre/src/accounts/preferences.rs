//! 显示设置 — how a person reads the app: the language they chose and
//! 长辈版 (elder mode). Kept with the account so every device shows the
//! same; the browser keeps a copy for before login.

use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::{Centre, Subject, audit};

/// A language of the app.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum UiLang {
    /// 简体中文.
    #[serde(rename = "zh-CN")]
    ZhCn,
    /// 繁體中文（香港）.
    #[serde(rename = "zh-HK")]
    ZhHk,
    /// English.
    #[serde(rename = "en")]
    En,
}

impl UiLang {
    /// Its tag.
    pub fn tag(self) -> &'static str {
        match self {
            UiLang::ZhCn => "zh-CN",
            UiLang::ZhHk => "zh-HK",
            UiLang::En => "en",
        }
    }

    fn from_tag(tag: &str) -> Option<UiLang> {
        [UiLang::ZhCn, UiLang::ZhHk, UiLang::En]
            .into_iter()
            .find(|l| l.tag() == tag)
    }
}

/// 显示设置 of an account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Preferences {
    /// The language chosen (none: follow the browser).
    #[serde(default)]
    pub lang: Option<UiLang>,
    /// 长辈版: larger text and targets, a simpler home.
    #[serde(default)]
    pub elder_mode: bool,
}

impl Centre {
    /// The actor's 显示设置.
    pub async fn preferences(&self, subject: &Subject) -> Result<Preferences> {
        let (lang, elder): (Option<String>, i64) =
            sqlx::query_as("SELECT ui_lang, elder_mode FROM accounts WHERE id = $1")
                .bind(&subject.actor_id)
                .fetch_one(self.db.pool())
                .await?;
        Ok(Preferences {
            lang: lang.as_deref().and_then(UiLang::from_tag),
            elder_mode: elder != 0,
        })
    }

    /// Changes the actor's 显示设置.
    pub async fn update_preferences(
        &self,
        subject: &Subject,
        preferences: &Preferences,
    ) -> Result<Preferences> {
        let now = self.now();
        let mut tx = self.db.begin().await?;
        sqlx::query(
            "UPDATE accounts SET ui_lang = $1, elder_mode = $2, updated_at = $3 WHERE id = $4",
        )
        .bind(preferences.lang.map(UiLang::tag))
        .bind(i64::from(preferences.elder_mode))
        .bind(now)
        .bind(&subject.actor_id)
        .execute(&mut *tx)
        .await?;
        audit(
            &mut tx,
            subject,
            "preferences.update",
            &subject.actor_id,
            now,
        )
        .await?;
        tx.commit().await?;
        self.preferences(subject).await
    }
}

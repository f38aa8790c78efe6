//! 个人信息 — the basic information read from real-name data (name, and
//! gender and birth date derived from the ID number, which is shown
//! masked), and contact information the person edits.

use serde::{Deserialize, Serialize};

use crate::error::{CentreError, Result};
use crate::identity::{Gender, IdNumber, mask_phone, parse_phone};
use crate::{AccountKind, Centre, Level, Subject, audit, text_field};
use yuesou_messages::Text;

/// The profile as its owner sees it. ID and phone numbers are masked.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Profile {
    /// Account id.
    pub id: String,
    /// Person or organisation.
    pub kind: AccountKind,
    /// The session's level.
    pub level: Level,
    /// The account's verified level (L1 or L2; L3 is per session).
    pub account_level: Level,
    /// Login phone, masked (`138****0001`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// 姓名 (from real-name data), or the organisation's name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// 身份号码, masked (`4401**********123X`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id_number: Option<String>,
    /// 性别 (from the ID number).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gender: Option<Gender>,
    /// 出生日期 (from the ID number, `YYYY-MM-DD`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub birth_date: Option<String>,
    /// 统一社会信用代码 (organisations).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uscc: Option<String>,
    /// 通讯地址 (editable).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub postal_address: Option<String>,
    /// 联系电话 (editable), masked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contact_phone: Option<String>,
    /// 电子邮箱 (editable).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
}

/// Changes to the contact information; absent fields stay, an empty string
/// clears one.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ContactUpdate {
    /// 通讯地址, at most 120 characters.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_length = 120))]
    pub postal_address: Option<String>,
    /// 联系电话: a mainland mobile number.
    #[serde(default)]
    pub contact_phone: Option<String>,
    /// 电子邮箱.
    #[serde(default)]
    pub email: Option<String>,
}

fn check_email(text: &str) -> Result<String> {
    let text = text.trim();
    let valid = text.len() <= 120
        && text.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !text.chars().any(|c| c.is_whitespace() || c.is_control())
                && text.matches('@').count() == 1
        });
    if valid {
        Ok(text.to_string())
    } else {
        Err(CentreError::invalid("email", Text::new("err-email")))
    }
}

type Row = (
    String,
    String,
    i64,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
);

/// What real-name data says about a person, for recommendations: never
/// the number itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonFacts {
    /// Age in whole years today.
    pub age: i32,
    /// 性别
    pub gender: Gender,
    /// 户籍地 — the region code of registration (first six digits of the
    /// ID number).
    pub household_region: String,
}

impl Centre {
    /// Age, gender and household region of a real-name verified person
    /// (none for organisations and unverified people).
    pub async fn person_facts(&self, subject: &Subject) -> Result<Option<PersonFacts>> {
        let row: Option<(Option<String>,)> =
            sqlx::query_as("SELECT id_number FROM accounts WHERE id = $1 AND kind = 'person'")
                .bind(&subject.account_id)
                .fetch_optional(self.db.pool())
                .await?;
        let Some(id) = row
            .and_then(|(n,)| n)
            .and_then(|n| IdNumber::parse(&n).ok())
        else {
            return Ok(None);
        };
        let Some(birth) = id.birth_date() else {
            return Ok(None);
        };
        let today = crate::clock::date_of(self.now());
        let mut age = today.year() - birth.year();
        if (today.month() as u8, today.day()) < (birth.month() as u8, birth.day()) {
            age -= 1;
        }
        Ok(Some(PersonFacts {
            age,
            gender: id.gender(),
            household_region: id.region_code().to_string(),
        }))
    }

    /// The subject's profile.
    pub async fn profile(&self, subject: &Subject) -> Result<Profile> {
        let row: Row = sqlx::query_as(
            "SELECT id, kind, level, phone, real_name, id_number, uscc, org_name, postal_address, \
             contact_phone, email FROM accounts WHERE id = $1",
        )
        .bind(&subject.account_id)
        .fetch_optional(self.db.pool())
        .await?
        .ok_or(CentreError::Unauthenticated)?;
        let (id, kind, level, phone, real_name, id_number, uscc, org_name, address, contact, email) =
            row;
        let kind = AccountKind::parse(&kind);
        let parsed = id_number.as_deref().and_then(|n| IdNumber::parse(n).ok());
        Ok(Profile {
            id,
            kind,
            level: subject.level,
            account_level: Level::from_i64(level),
            phone: phone.as_deref().map(mask_phone),
            name: if kind == AccountKind::Organisation {
                org_name
            } else {
                real_name
            },
            id_number: parsed.as_ref().map(IdNumber::masked),
            gender: parsed.as_ref().map(IdNumber::gender),
            birth_date: parsed
                .as_ref()
                .and_then(IdNumber::birth_date)
                .map(|d| d.to_string()),
            uscc,
            postal_address: address,
            contact_phone: contact.as_deref().map(mask_phone),
            email,
        })
    }

    /// Updates the subject's contact information (validated), returns the
    /// new profile.
    pub async fn update_contact(
        &self,
        subject: &Subject,
        update: &ContactUpdate,
    ) -> Result<Profile> {
        let clean = |field, value: &Option<String>, check: &dyn Fn(&str) -> Result<String>| {
            value
                .as_ref()
                .map(|v| {
                    if v.trim().is_empty() {
                        Ok(None)
                    } else {
                        check(v).map(Some)
                    }
                })
                .transpose()
                .map_err(|e| match e {
                    CentreError::Invalid { reason, .. } => CentreError::Invalid { field, reason },
                    other => other,
                })
        };
        let address = clean("postal_address", &update.postal_address, &|v| {
            text_field("postal_address", v, 120)
        })?;
        let phone = clean("contact_phone", &update.contact_phone, &parse_phone)?;
        let email = clean("email", &update.email, &check_email)?;
        let now = self.now();
        let mut tx = self.db.begin().await?;
        // `Some(None)` clears a field, `None` keeps it.
        sqlx::query(
            "UPDATE accounts SET \
             postal_address = CASE WHEN $1 = 1 THEN $2 ELSE postal_address END, \
             contact_phone = CASE WHEN $3 = 1 THEN $4 ELSE contact_phone END, \
             email = CASE WHEN $5 = 1 THEN $6 ELSE email END, updated_at = $7 WHERE id = $8",
        )
        .bind(i64::from(address.is_some()))
        .bind(address.flatten())
        .bind(i64::from(phone.is_some()))
        .bind(phone.flatten())
        .bind(i64::from(email.is_some()))
        .bind(email.flatten())
        .bind(now)
        .bind(&subject.account_id)
        .execute(&mut *tx)
        .await?;
        audit(&mut tx, subject, "profile.update", &subject.account_id, now).await?;
        tx.commit().await?;
        self.profile(subject).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_checked() {
        assert!(check_email("chen@example.cn").is_ok());
        for bad in [
            "chen",
            "chen@",
            "@example.cn",
            "a b@example.cn",
            "a@b@c.cn",
            "a@cn",
            "a@.cn",
        ] {
            assert!(check_email(bad).is_err(), "{bad}");
        }
    }
}

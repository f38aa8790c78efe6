//! 实名身份 — who an account is to a department: the verified person's
//! name and ID number, or the organisation's name and credit code. The
//! daemon hands it to the department gateways (查询, 证明, 缴费); it is never
//! shown or logged (`Debug` hides it).

use crate::error::Result;
use crate::{Centre, Subject, audit};

/// The verified identity of an account.
#[derive(Clone, PartialEq, Eq)]
pub enum RealIdentity {
    /// A real-name verified person.
    Person {
        /// 姓名
        name: String,
        /// 公民身份号码
        id_number: String,
    },
    /// An organisation (verified through its 经办人).
    Organisation {
        /// 名称
        name: String,
        /// 统一社会信用代码
        uscc: String,
    },
}

impl std::fmt::Debug for RealIdentity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RealIdentity::Person { .. } => f.write_str("RealIdentity::Person(**)"),
            RealIdentity::Organisation { .. } => f.write_str("RealIdentity::Organisation(**)"),
        }
    }
}

/// What an application form may fill in for the subject in advance: the
/// verified person's name and ID number (person sessions), the
/// organisation's name and credit code (organisation sessions), and the
/// acting person's phone (the contact phone when set, else the login
/// phone). Personal data: `Debug` hides it, and the daemon shows the
/// numbers masked.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Applicant {
    /// 姓名 (real-name verified people only).
    pub name: Option<String>,
    /// 公民身份号码 (real-name verified people only).
    pub id_number: Option<String>,
    /// The acting person's mobile number.
    pub phone: Option<String>,
    /// 单位名称 (organisation sessions).
    pub org_name: Option<String>,
    /// 统一社会信用代码 (organisation sessions).
    pub uscc: Option<String>,
}

impl std::fmt::Debug for Applicant {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Applicant(**)")
    }
}

/// An account's kind, real name, ID number, organisation name and credit
/// code, as stored.
type IdentityRow = (
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
);

impl Centre {
    /// The account's verified identity (none before real-name
    /// verification).
    pub async fn real_identity(&self, subject: &Subject) -> Result<Option<RealIdentity>> {
        let row: Option<IdentityRow> = sqlx::query_as(
            "SELECT kind, real_name, id_number, org_name, uscc FROM accounts WHERE id = $1",
        )
        .bind(&subject.account_id)
        .fetch_optional(self.db.pool())
        .await?;
        Ok(match row {
            Some((kind, Some(name), Some(id_number), _, _)) if kind == "person" => {
                Some(RealIdentity::Person { name, id_number })
            }
            Some((kind, _, _, Some(name), Some(uscc))) if kind == "organisation" => {
                Some(RealIdentity::Organisation { name, uscc })
            }
            _ => None,
        })
    }

    /// What a form may prefill for `subject` (see [`Applicant`]).
    pub async fn applicant(&self, subject: &Subject) -> Result<Applicant> {
        let mut applicant = Applicant::default();
        match self.real_identity(subject).await? {
            Some(RealIdentity::Person { name, id_number }) => {
                applicant.name = Some(name);
                applicant.id_number = Some(id_number);
            }
            Some(RealIdentity::Organisation { name, uscc }) => {
                applicant.org_name = Some(name);
                applicant.uscc = Some(uscc);
            }
            None => {}
        }
        let phones: Option<(Option<String>, Option<String>)> =
            sqlx::query_as("SELECT contact_phone, phone FROM accounts WHERE id = $1")
                .bind(&subject.actor_id)
                .fetch_optional(self.db.pool())
                .await?;
        applicant.phone = phones.and_then(|(contact, login)| contact.or(login));
        Ok(applicant)
    }

    /// Records in the audit log that `subject` did `action` on `target`
    /// (a look-up of records, a download …) — never the data itself.
    pub async fn audit(&self, subject: &Subject, action: &str, target: &str) -> Result<()> {
        let now = self.now();
        let mut tx = self.db.begin().await?;
        audit(&mut tx, subject, action, target, now).await?;
        tx.commit().await?;
        Ok(())
    }
}

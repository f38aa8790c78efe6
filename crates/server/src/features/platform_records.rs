//! The record kinds the platform answers itself (`"source": "platform"` in
//! `data/records/kinds.json`): 我的办件 from the person's applications and
//! 我的电子证照 from their wallet. They never reach a department.

use std::collections::BTreeMap;

use serde_json::{Value, json};
use yuesou_centre::{Centre, CentreError, Subject, Validity};
use yuesou_gateway::{RecordKind, RecordsPage};

use crate::i18n::{Speaker, Text};

/// Kinds this module answers.
pub const KINDS: [&str; 2] = ["applications", "e_licences"];

/// Whether the platform answers `kind` itself.
pub fn answers(kind: &RecordKind) -> bool {
    KINDS.contains(&kind.code.as_str())
}

/// One page of the platform's own records of `kind` for `subject`, its
/// words in the reader's language.
pub async fn page(
    speaker: &Speaker,
    centre: &Centre,
    subject: &Subject,
    kind: &RecordKind,
    filters: &BTreeMap<String, String>,
    page: u32,
    size: u32,
) -> Result<RecordsPage, CentreError> {
    let (rows, summary) = match kind.code.as_str() {
        "applications" => applications(speaker, centre, subject, filters).await?,
        _ => licences(speaker, centre, subject).await?,
    };
    let total = rows.len() as u64;
    let start = (page.saturating_sub(1) as usize).saturating_mul(size as usize);
    Ok(RecordsPage {
        columns: kind.page_columns(),
        rows: rows.into_iter().skip(start).take(size as usize).collect(),
        total,
        summary,
    })
}

type Rows = Vec<BTreeMap<String, Value>>;

async fn applications(
    speaker: &Speaker,
    centre: &Centre,
    subject: &Subject,
    filters: &BTreeMap<String, String>,
) -> Result<(Rows, BTreeMap<String, Value>), CentreError> {
    let mut all = Vec::new();
    for page in 1.. {
        let (items, total) = centre.applications(subject, None, page, 100).await?;
        let done = items.is_empty() || all.len() + items.len() >= total;
        all.extend(items);
        if done || page >= 50 {
            break;
        }
    }
    let pending = all
        .iter()
        .filter(|a| a.group == yuesou_centre::ApplicationGroup::Pending)
        .count();
    let processing = all
        .iter()
        .filter(|a| a.group == yuesou_centre::ApplicationGroup::Processing)
        .count();
    let (from, to) = date_range(filters.get("submitted_at"));
    let mut rows: Rows = all
        .into_iter()
        .filter(|a| filters.get("status").is_none_or(|s| *s == a.status.label()))
        .filter(|a| {
            let day = a.submitted_at.as_deref().map(|s| &s[..s.len().min(10)]);
            match (from.as_deref(), to.as_deref(), day) {
                (None, None, _) => true,
                (_, _, None) => false,
                (f, t, Some(d)) => f.is_none_or(|f| d >= f) && t.is_none_or(|t| d <= t),
            }
        })
        .map(|a| {
            BTreeMap::from([
                ("submitted_at".to_owned(), json!(a.submitted_at)),
                ("matter".to_owned(), json!(a.item_title)),
                ("number".to_owned(), json!(a.id)),
                ("status".to_owned(), json!(speaker.say(&a.status.text()))),
                ("updated_at".to_owned(), json!(a.updated_at)),
            ])
        })
        .collect();
    rows.sort_by(|a, b| {
        let key = |r: &BTreeMap<String, Value>| r["updated_at"].as_str().unwrap_or("").to_owned();
        key(b).cmp(&key(a))
    });
    let summary = BTreeMap::from([
        ("pending".to_owned(), json!(pending)),
        ("processing".to_owned(), json!(processing)),
    ]);
    Ok((rows, summary))
}

async fn licences(
    speaker: &Speaker,
    centre: &Centre,
    subject: &Subject,
) -> Result<(Rows, BTreeMap<String, Value>), CentreError> {
    let items = match centre.wallet() {
        Ok(_) => centre.wallet_list(subject).await?,
        Err(_) => Vec::new(),
    };
    let expiring = items
        .iter()
        .filter(|i| i.validity == Validity::Expiring)
        .count();
    let mut rows: Rows = items
        .iter()
        .map(|i| {
            BTreeMap::from([
                ("name".to_owned(), json!(i.type_name)),
                ("number".to_owned(), json!(i.number)),
                ("authority".to_owned(), json!(i.authority)),
                ("issued_on".to_owned(), json!(i.issued_on)),
                (
                    "expires_on".to_owned(),
                    json!(
                        i.expires_on
                            .clone()
                            .unwrap_or_else(|| speaker.say(&Text::new("licence-no-expiry")))
                    ),
                ),
                (
                    "status".to_owned(),
                    json!(speaker.say(&validity_label(i.validity, i.revoked))),
                ),
            ])
        })
        .collect();
    rows.sort_by(|a, b| {
        let key = |r: &BTreeMap<String, Value>| r["issued_on"].as_str().unwrap_or("").to_owned();
        key(b).cmp(&key(a))
    });
    let summary = BTreeMap::from([
        ("count".to_owned(), json!(items.len())),
        ("expiring".to_owned(), json!(expiring)),
    ]);
    Ok((rows, summary))
}

fn validity_label(validity: Validity, revoked: bool) -> Text {
    Text::new(if revoked {
        "licence-revoked"
    } else {
        match validity {
            Validity::Valid | Validity::NoExpiry => "licence-valid",
            Validity::Expiring => "licence-expiring",
            Validity::Expired => "licence-expired",
        }
    })
}

/// `from/to` of a date range filter (either end may be empty).
fn date_range(value: Option<&String>) -> (Option<String>, Option<String>) {
    let Some(value) = value else {
        return (None, None);
    };
    let (a, b) = value.split_once('/').unwrap_or((value, value));
    let end = |s: &str| {
        let s = s.trim();
        (!s.is_empty()).then(|| s.to_owned())
    };
    (end(a), end(b))
}

//! 办理 materials in the daemon: the `yuesou-materials` crate over the
//! centre's database and the configured blob store, the slots an
//! application's flow offers, the periodic sweep of blobs without a row,
//! and how a refusal reaches the person (a problem in their language).

use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;
use tokio::sync::watch;
use utoipa::ToSchema;
use yuesou_centre::{ApplicationStatus, Subject};
use yuesou_flows::Accept;
use yuesou_materials::{Material, MaterialError, Materials, Owner};

use crate::i18n::Text;
use crate::problem::{Problem, ProblemKind};
use crate::state::AppState;

/// How often every replica sweeps blobs without a row.
pub const SWEEP_EVERY: Duration = Duration::from_secs(3600);

/// Bytes of the multipart envelope allowed beyond the file (boundaries,
/// part headers, the `slot` field).
pub const ENVELOPE_BYTES: u64 = 16 * 1024;

/// A stored material as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct MaterialView {
    /// Opaque id.
    #[schema(example = "mat_4f1c0d9e2b7a43f8a1d6c5b4e3f2a190")]
    pub id: String,
    /// The flow's material slot.
    #[schema(example = "id_card")]
    pub slot: String,
    /// sha256 of the stored bytes (lowercase hexadecimal): a re-encoded
    /// image's, not the upload's.
    pub sha256: String,
    /// Media type of the stored bytes: `image/jpeg` (JPEG and WebP
    /// uploads), `image/png` or `application/pdf`.
    #[schema(example = "image/jpeg")]
    pub content_type: String,
    /// Size of the stored bytes.
    pub size: u64,
    /// Width of an image, in pixels.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub width: Option<u64>,
    /// Height of an image, in pixels.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub height: Option<u64>,
    /// Pages of a PDF, when counted from its raw bytes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pages: Option<u64>,
    /// The file name the client gave (shown back only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// When it was uploaded (RFC 3339).
    pub created_at: String,
}

impl From<Material> for MaterialView {
    fn from(m: Material) -> Self {
        let unsigned = |v: Option<i64>| v.and_then(|v| u64::try_from(v).ok());
        MaterialView {
            id: m.id,
            slot: m.slot,
            sha256: m.sha256,
            content_type: m.content_type,
            size: u64::try_from(m.size).unwrap_or(0),
            width: unsigned(m.width),
            height: unsigned(m.height),
            pages: unsigned(m.pages),
            name: m.display_name,
            created_at: yuesou_centre::rfc3339(m.created_at),
        }
    }
}

/// The materials of the daemon, or a 503.
pub(crate) fn desk(state: &AppState) -> Result<&Arc<Materials>, Problem> {
    state.materials.as_ref().ok_or_else(|| Problem {
        retry_after: Some(30),
        ..Problem::new(ProblemKind::Unavailable, "err-material-unavailable")
    })
}

/// Whose materials a session sees.
pub(crate) fn owner(subject: &Subject) -> Owner<'_> {
    Owner {
        account_id: &subject.account_id,
        actor_id: &subject.actor_id,
    }
}

/// A material slot of an application's flow.
#[derive(Debug, Clone)]
pub(crate) struct FlowSlot {
    pub name: String,
    pub max_files: u8,
    pub images: bool,
    pub pdf: bool,
}

/// The material slots of the flow of the application `id` (the
/// subject's): a 409 when the flow takes no uploads.
pub(crate) async fn slots(
    state: &AppState,
    subject: &Subject,
    id: &str,
) -> Result<Vec<FlowSlot>, Problem> {
    let application = crate::extract::centre(state)?
        .application(subject, id)
        .await?;
    let no_uploads = || Problem::new(ProblemKind::Conflict, "err-material-no-uploads");
    // A typed draft keeps the flow it started with (an edit of
    // `data/flows/` never moves its slots); an older draft takes today's.
    let flow = match &application.flow {
        Some(stored) => crate::features::flows::stored_flow(stored)?,
        None => {
            let generation = state.generation()?;
            let item = generation
                .engine
                .item(&application.summary.item_id)
                .ok_or_else(no_uploads)?;
            state
                .flows()?
                .for_item(&crate::features::flows::facts(item))
                .ok_or_else(no_uploads)?
                .into_owned()
        }
    };
    let slots: Vec<FlowSlot> = flow
        .steps
        .iter()
        .flat_map(|step| step.materials())
        .map(|m| FlowSlot {
            name: m.slot.clone(),
            max_files: m.max_files,
            images: m.accept.contains(&Accept::Image),
            pdf: m.accept.contains(&Accept::Pdf),
        })
        .collect();
    if slots.is_empty() {
        return Err(no_uploads());
    }
    Ok(slots)
}

/// Sizes as people read them (`10 MB`, `512 KB`).
pub fn size_text(bytes: u64) -> String {
    const MB: u64 = 1024 * 1024;
    if bytes >= MB && bytes.is_multiple_of(MB) {
        format!("{} MB", bytes / MB)
    } else if bytes >= MB {
        format!("{:.1} MB", bytes as f64 / MB as f64)
    } else {
        format!("{} KB", bytes.div_ceil(1024))
    }
}

/// A materials refusal as the person reads it.
pub fn problem(error: MaterialError) -> Problem {
    use MaterialError as E;
    match error {
        E::NotFound => Problem::not_found("err-material-not-found"),
        E::NotEditable { status } => {
            let status = ApplicationStatus::parse(&status)
                .map(ApplicationStatus::text)
                .unwrap_or_else(|| Text::new("status-submitted"));
            Problem::new(
                ProblemKind::Conflict,
                Text::new("err-material-not-editable").arg("status", status),
            )
        }
        E::TooLarge { max } => Problem::new(
            ProblemKind::PayloadTooLarge,
            Text::new("err-material-too-large").arg("max", size_text(max)),
        ),
        E::QuotaExceeded { max } => Problem::new(
            ProblemKind::PayloadTooLarge,
            Text::new("err-material-quota-exceeded").arg("max", size_text(max)),
        ),
        E::SlotFull { max } => Problem::new(
            ProblemKind::Conflict,
            Text::new("err-material-slot-full").arg("max", u64::from(max)),
        ),
        E::UnsupportedType { .. } => Problem::new(
            ProblemKind::UnsupportedMediaType,
            "err-material-unsupported-type",
        ),
        E::Heic => Problem::new(ProblemKind::UnsupportedMediaType, "err-material-heic"),
        E::NotAccepted { kind } => Problem::new(
            ProblemKind::UnsupportedMediaType,
            if kind == "pdf" {
                "err-material-images-only"
            } else {
                "err-material-pdf-only"
            },
        ),
        E::BadImage => Problem::new(ProblemKind::InvalidMaterial, "err-material-bad-image"),
        E::TooManyPixels {
            width,
            height,
            max_pixels,
        } => Problem::new(
            ProblemKind::InvalidMaterial,
            Text::new("err-material-too-many-pixels")
                .arg("width", u64::from(width))
                .arg("height", u64::from(height))
                .arg("max", max_pixels / 1_000_000),
        ),
        E::BadPdf => Problem::new(ProblemKind::InvalidMaterial, "err-material-bad-pdf"),
        E::BadName { .. } => Problem {
            parameter: Some("file".into()),
            ..Problem::new(ProblemKind::InvalidMaterial, "err-material-bad-name")
        },
        E::Blobs(fault) => {
            tracing::error!(error = %fault, "the blob store failed");
            Problem {
                retry_after: Some(5),
                ..Problem::new(ProblemKind::Unavailable, "err-material-unavailable")
            }
        }
        E::Unavailable | E::StorageUnavailable(_) => Problem {
            retry_after: Some(2),
            ..Problem::new(ProblemKind::Unavailable, "err-material-unavailable")
        },
        E::Internal(fault) => Problem::internal(fault),
    }
}

/// Sweeps blobs without a row at start and every [`SWEEP_EVERY`] until
/// `stop` says so (every replica may: removing twice is harmless).
pub async fn run_sweeps(materials: Arc<Materials>, mut stop: watch::Receiver<bool>) {
    loop {
        if let Err(e) = materials.sweep().await {
            tracing::warn!(error = %e, "sweeping the material blobs failed; retried later");
        }
        tokio::select! {
            _ = tokio::time::sleep(SWEEP_EVERY) => {}
            _ = stop.changed() => return,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_as_people_say_them() {
        assert_eq!(size_text(10 * 1024 * 1024), "10 MB");
        assert_eq!(size_text(1536 * 1024), "1.5 MB");
        assert_eq!(size_text(1000), "1 KB");
    }
}

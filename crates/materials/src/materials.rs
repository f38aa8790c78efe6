//! [`Materials`]: an application's uploads — received, checked, stored
//! (blob first, then the row), listed, downloaded (each download audited)
//! and deleted — and the sweep of blobs no row names.
//!
//! Order of an upload, so that an acknowledged one survives a crash and a
//! crash leaves nothing half-written that anyone sees:
//!
//! 1. the body streams into a temporary file ([`Incoming`]), counted
//!    against the per-file limit and what is left of the quota;
//! 2. the file is prepared on the blocking pool, behind a small semaphore
//!    (images decoded and re-encoded, PDFs checked) — at most
//!    [`DECODES_AT_ONCE`] decodes run at once, whatever the number of
//!    uploads;
//! 3. the blob is written and synced ([`Blobs::put`]);
//! 4. one transaction locks the application's row (still a draft or
//!    待补正?), checks the quota and the slot's file count against the rows
//!    committed, and inserts the row; the caller answers `201` after the
//!    commit.
//!
//! A crash between 3 and 4 leaves a blob without a row: the sweep removes
//! it once older than the grace period (an upload rewrites its blob, which
//! renews its age, so a blob an upload is about to name is never swept).

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use futures_util::stream::BoxStream;
use yuesou_store::Db;

use crate::blobs::Blobs;
use crate::error::{MaterialError, Result};
use crate::incoming::{Incoming, Received};
use crate::prepare::{DEFAULT_MAX_PIXELS, prepare};

/// Decodes running at once (each may hold an image's pixels: ~120 MB for
/// 40 megapixels).
pub const DECODES_AT_ONCE: usize = 2;

/// How old a blob without a row must be before the sweep removes it.
pub const DEFAULT_GRACE: Duration = Duration::from_secs(3600);

/// The size limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The largest file, in bytes (default 10 MB).
    pub max_file_bytes: u64,
    /// The most bytes of one application's materials (default 50 MB).
    pub max_application_bytes: u64,
    /// The most pixels of an image (default 40 megapixels).
    pub max_pixels: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_file_bytes: 10 * 1024 * 1024,
            max_application_bytes: 50 * 1024 * 1024,
            max_pixels: DEFAULT_MAX_PIXELS,
        }
    }
}

/// Whose materials: the account (a person or an organisation) and the
/// person acting.
#[derive(Debug, Clone, Copy)]
pub struct Owner<'a> {
    /// The account.
    pub account_id: &'a str,
    /// The person acting (the 经办人 for an organisation).
    pub actor_id: &'a str,
}

/// What the flow says of the slot an upload is for.
#[derive(Debug, Clone, Copy)]
pub struct Slot<'a> {
    /// The slot's name.
    pub name: &'a str,
    /// The most files it takes.
    pub max_files: u8,
    /// Whether it takes images.
    pub images: bool,
    /// Whether it takes PDFs.
    pub pdf: bool,
}

/// A stored material.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Material {
    /// Opaque id (`mat_…`).
    pub id: String,
    /// The application.
    pub application_id: String,
    /// The flow's slot.
    pub slot: String,
    /// sha256 of the stored bytes, lowercase hexadecimal.
    pub sha256: String,
    /// Media type of the stored bytes.
    pub content_type: String,
    /// Size of the stored bytes.
    pub size: i64,
    /// Width of an image.
    pub width: Option<i64>,
    /// Height of an image.
    pub height: Option<i64>,
    /// Pages of a PDF, when counted.
    pub pages: Option<i64>,
    /// The sanitised file name the client gave.
    pub display_name: Option<String>,
    /// When it was uploaded (Unix ms).
    pub created_at: i64,
}

const COLUMNS: &str = "id, application_id, slot, sha256, content_type, size, width, height, \
     pages, display_name, created_at";

/// What a sweep did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SweepReport {
    /// Blobs looked at.
    pub seen: usize,
    /// Blobs removed (no row, older than the grace period).
    pub removed: usize,
    /// Temporary files of interrupted uploads removed.
    pub temporary: usize,
}

/// An application's materials.
#[derive(Debug, Clone)]
pub struct Materials {
    db: Db,
    blobs: Blobs,
    limits: Limits,
    work_dir: PathBuf,
    decoding: Arc<tokio::sync::Semaphore>,
    grace: Duration,
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

fn new_id() -> Result<String> {
    let mut random = [0u8; 16];
    getrandom::fill(&mut random).map_err(|e| MaterialError::Internal(e.to_string()))?;
    Ok(format!("mat_{}", hex::encode(random)))
}

fn size_i64(size: u64) -> i64 {
    i64::try_from(size).unwrap_or(i64::MAX)
}

impl Materials {
    /// Materials in `db`, their blobs in `blobs`, uploads received in
    /// `work_dir` (best on the blobs' file system: a blob is then renamed
    /// into place, not copied).
    pub fn new(db: Db, blobs: Blobs, limits: Limits, work_dir: &Path) -> Materials {
        Materials {
            db,
            blobs,
            limits,
            work_dir: work_dir.to_path_buf(),
            decoding: Arc::new(tokio::sync::Semaphore::new(DECODES_AT_ONCE)),
            grace: DEFAULT_GRACE,
        }
    }

    /// These materials sweeping blobs older than `grace` (tests: zero).
    pub fn with_grace(mut self, grace: Duration) -> Materials {
        self.grace = grace;
        self
    }

    /// The limits.
    pub fn limits(&self) -> Limits {
        self.limits
    }

    /// The blob store.
    pub fn blobs(&self) -> &Blobs {
        &self.blobs
    }

    /// The status of the application `application_id` of `owner`'s
    /// account ([`MaterialError::NotFound`] for another's).
    async fn status<'c, E: sqlx::Executor<'c, Database = sqlx::Any>>(
        e: E,
        owner: Owner<'_>,
        application_id: &str,
    ) -> Result<String> {
        let status: Option<String> =
            sqlx::query_scalar("SELECT status FROM applications WHERE id = $1 AND account_id = $2")
                .bind(application_id)
                .bind(owner.account_id)
                .fetch_optional(e)
                .await?;
        status.ok_or(MaterialError::NotFound)
    }

    fn editable(status: String) -> Result<()> {
        if matches!(status.as_str(), "draft" | "waiting") {
            Ok(())
        } else {
            Err(MaterialError::NotEditable { status })
        }
    }

    /// Locks the row of `owner`'s application `application_id` for the
    /// rest of transaction `tx` (both backends), touching `updated_at`:
    /// [`MaterialError::NotFound`] for another's, `NotEditable` once it is
    /// neither a draft nor 待补正.
    async fn lock_editable(
        tx: &mut sqlx::Transaction<'_, sqlx::Any>,
        owner: Owner<'_>,
        application_id: &str,
        now: i64,
    ) -> Result<()> {
        let locked = sqlx::query(
            "UPDATE applications SET updated_at = $1 \
             WHERE id = $2 AND account_id = $3 AND status IN ('draft', 'waiting')",
        )
        .bind(now)
        .bind(application_id)
        .bind(owner.account_id)
        .execute(&mut **tx)
        .await?;
        if locked.rows_affected() == 0 {
            Self::editable(Self::status(&mut **tx, owner, application_id).await?)?;
            return Err(MaterialError::NotFound);
        }
        Ok(())
    }

    /// Bytes the application's materials use now.
    async fn used<'c, E: sqlx::Executor<'c, Database = sqlx::Any>>(
        e: E,
        application_id: &str,
    ) -> Result<u64> {
        // SUM of a BIGINT is NUMERIC on PostgreSQL: cast back.
        let used: i64 = sqlx::query_scalar(
            "SELECT CAST(COALESCE(SUM(size), 0) AS BIGINT) FROM materials WHERE application_id = $1",
        )
        .bind(application_id)
        .fetch_one(e)
        .await?;
        Ok(u64::try_from(used).unwrap_or(0))
    }

    /// Checks that the application is `owner`'s and takes uploads (a draft
    /// or 待补正), and returns how many bytes of its quota are left.
    pub async fn room(&self, owner: Owner<'_>, application_id: &str) -> Result<u64> {
        Self::editable(Self::status(self.db.pool(), owner, application_id).await?)?;
        let used = Self::used(self.db.pool(), application_id).await?;
        Ok(self.limits.max_application_bytes.saturating_sub(used))
    }

    /// A temporary file to receive an upload into, taking at most the
    /// per-file limit and `room` bytes.
    pub fn receive(&self, room: u64) -> Result<Incoming> {
        Incoming::create(
            &self.work_dir,
            self.limits.max_file_bytes,
            room,
            self.limits.max_application_bytes,
        )
    }

    /// Stores `received` as a material of `slot` of the application:
    /// prepared, its blob written durably, then its row committed (see the
    /// module's documentation). Nothing is stored when any step refuses.
    pub async fn store(
        &self,
        owner: Owner<'_>,
        application_id: &str,
        slot: Slot<'_>,
        received: Received,
        display_name: Option<String>,
    ) -> Result<Material> {
        let accepted = if received.kind.is_image() {
            slot.images
        } else {
            slot.pdf
        };
        if !accepted {
            return Err(MaterialError::NotAccepted {
                kind: received.kind.accept_name(),
            });
        }
        let prepared = {
            let _permit = self
                .decoding
                .acquire()
                .await
                .map_err(|e| MaterialError::Internal(e.to_string()))?;
            let max_pixels = self.limits.max_pixels;
            tokio::task::spawn_blocking(move || prepare(received, max_pixels))
                .await
                .map_err(|e| MaterialError::Internal(format!("a blocking task failed: {e}")))??
        };
        // Checked before the blob is written (it is again, under the lock).
        let room = self.room(owner, application_id).await?;
        if prepared.size > room {
            return Err(MaterialError::QuotaExceeded {
                max: self.limits.max_application_bytes,
            });
        }
        self.blobs.put(&prepared.sha256, &prepared.path).await?;

        let now = now_ms();
        let mut tx = self.db.begin().await?;
        // The application's row stays locked for the checks below.
        Self::lock_editable(&mut tx, owner, application_id, now).await?;
        let used = Self::used(&mut *tx, application_id).await?;
        if used.saturating_add(prepared.size) > self.limits.max_application_bytes {
            return Err(MaterialError::QuotaExceeded {
                max: self.limits.max_application_bytes,
            });
        }
        let in_slot: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM materials WHERE application_id = $1 AND slot = $2",
        )
        .bind(application_id)
        .bind(slot.name)
        .fetch_one(&mut *tx)
        .await?;
        if in_slot >= i64::from(slot.max_files) {
            return Err(MaterialError::SlotFull {
                max: slot.max_files,
            });
        }
        let (width, height) = match prepared.pixels {
            Some((w, h)) => (Some(i64::from(w)), Some(i64::from(h))),
            None => (None, None),
        };
        let material = Material {
            id: new_id()?,
            application_id: application_id.to_owned(),
            slot: slot.name.to_owned(),
            sha256: prepared.sha256.clone(),
            content_type: prepared.content_type.to_owned(),
            size: size_i64(prepared.size),
            width,
            height,
            pages: prepared.pages.map(i64::from),
            display_name,
            created_at: now,
        };
        sqlx::query(
            "INSERT INTO materials (id, account_id, application_id, actor_id, slot, sha256, \
             content_type, size, width, height, pages, display_name, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
        )
        .bind(&material.id)
        .bind(owner.account_id)
        .bind(application_id)
        .bind(owner.actor_id)
        .bind(&material.slot)
        .bind(&material.sha256)
        .bind(&material.content_type)
        .bind(material.size)
        .bind(material.width)
        .bind(material.height)
        .bind(material.pages)
        .bind(&material.display_name)
        .bind(material.created_at)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(material)
    }

    /// The materials of `owner`'s application, oldest first.
    pub async fn list(&self, owner: Owner<'_>, application_id: &str) -> Result<Vec<Material>> {
        Self::status(self.db.pool(), owner, application_id).await?;
        Ok(sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM materials WHERE application_id = $1 AND account_id = $2 \
             ORDER BY created_at, id"
        ))
        .bind(application_id)
        .bind(owner.account_id)
        .fetch_all(self.db.pool())
        .await?)
    }

    /// One material of `owner`'s application.
    pub async fn get(
        &self,
        owner: Owner<'_>,
        application_id: &str,
        material_id: &str,
    ) -> Result<Material> {
        let row: Option<Material> = sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM materials \
             WHERE id = $1 AND application_id = $2 AND account_id = $3"
        ))
        .bind(material_id)
        .bind(application_id)
        .bind(owner.account_id)
        .fetch_optional(self.db.pool())
        .await?;
        row.ok_or(MaterialError::NotFound)
    }

    /// The material and its content, streamed; the download is recorded
    /// in the account's audit log (`material.download`, by the person
    /// acting) before any byte is sent.
    pub async fn download(
        &self,
        owner: Owner<'_>,
        application_id: &str,
        material_id: &str,
    ) -> Result<(Material, BoxStream<'static, Result<Bytes>>)> {
        let material = self.get(owner, application_id, material_id).await?;
        sqlx::query(
            "INSERT INTO audit_log (id, account_id, actor_id, action, target, at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(new_id()?.replacen("mat_", "aud_", 1))
        .bind(owner.account_id)
        .bind(owner.actor_id)
        .bind("material.download")
        .bind(&material.id)
        .bind(now_ms())
        .execute(self.db.pool())
        .await?;
        let stream = self.blobs.get(&material.sha256).await?;
        Ok((material, stream))
    }

    /// Deletes a material of `owner`'s application (a draft or 待补正);
    /// its blob goes when no other row names it and it is older than the
    /// grace period (else at a later sweep).
    pub async fn delete(
        &self,
        owner: Owner<'_>,
        application_id: &str,
        material_id: &str,
    ) -> Result<()> {
        let mut tx = self.db.begin().await?;
        Self::lock_editable(&mut tx, owner, application_id, now_ms()).await?;
        let sha256: Option<String> = sqlx::query_scalar(
            "DELETE FROM materials WHERE id = $1 AND application_id = $2 AND account_id = $3 \
             RETURNING sha256",
        )
        .bind(material_id)
        .bind(application_id)
        .bind(owner.account_id)
        .fetch_optional(&mut *tx)
        .await?;
        let sha256 = sha256.ok_or(MaterialError::NotFound)?;
        tx.commit().await?;
        if let Err(e) = self.collect(&sha256).await {
            tracing::warn!(error = %e, "a deleted material's blob stays until the next sweep");
        }
        Ok(())
    }

    /// Removes the blob `sha256` if no row names it and it is older than
    /// the grace period; whether it was removed.
    async fn collect(&self, sha256: &str) -> Result<bool> {
        let named: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM materials WHERE sha256 = $1")
            .bind(sha256)
            .fetch_one(self.db.pool())
            .await?;
        if named > 0 {
            return Ok(false);
        }
        let grace = i64::try_from(self.grace.as_millis()).unwrap_or(i64::MAX);
        // Looked at again just before: an upload rewriting it renews it.
        match self.blobs.modified(sha256).await? {
            Some(modified) if now_ms().saturating_sub(modified) >= grace => {
                self.blobs.delete(sha256).await?;
                Ok(true)
            }
            _ => Ok(false),
        }
    }

    /// Removes temporary files of uploads older than the grace period (a
    /// crash mid-upload leaves them behind); how many.
    fn sweep_work_dir(&self) -> usize {
        let Ok(entries) = std::fs::read_dir(&self.work_dir) else {
            return 0;
        };
        let mut removed = 0;
        for entry in entries.flatten() {
            let old = entry
                .metadata()
                .and_then(|m| m.modified())
                .ok()
                .and_then(|modified| modified.elapsed().ok())
                .is_some_and(|age| age >= self.grace);
            let ours = entry
                .file_name()
                .to_str()
                .is_some_and(|n| n.starts_with("upload-") || n.starts_with("encoded-"));
            if old && ours && std::fs::remove_file(entry.path()).is_ok() {
                removed += 1;
            }
        }
        removed
    }

    /// Removes every blob no row names that is older than the grace
    /// period, and temporary files of uploads as old (run at start and
    /// periodically, on any replica).
    pub async fn sweep(&self) -> Result<SweepReport> {
        let grace = i64::try_from(self.grace.as_millis()).unwrap_or(i64::MAX);
        let now = now_ms();
        let mut report = SweepReport {
            temporary: self.sweep_work_dir(),
            ..SweepReport::default()
        };
        for blob in self.blobs.list().await? {
            report.seen += 1;
            if now.saturating_sub(blob.modified_ms) >= grace && self.collect(&blob.sha256).await? {
                report.removed += 1;
            }
        }
        if report.removed > 0 || report.temporary > 0 {
            tracing::info!(
                removed = report.removed,
                seen = report.seen,
                temporary = report.temporary,
                "swept blobs without a material and interrupted uploads"
            );
        }
        Ok(report)
    }
}

//! Blobs: the stored files, named by the sha256 of their content (so that
//! identical content is kept once), through the `object_store` crate — a
//! directory on the local file system by default, an S3-compatible bucket
//! when configured (`s3://bucket/prefix`, credentials, region and endpoint
//! from the usual `AWS_*` environment variables) so that replicas share
//! them.
//!
//! A blob is durable when [`Blobs::put`] returns: on the local file system
//! the file is synced, renamed into place and its directory synced; on S3
//! a completed PUT is durable. Keys are `sha256/<first two hex digits>/<hex>`
//! under the prefix.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use bytes::Bytes;
use futures_util::stream::BoxStream;
use futures_util::{StreamExt, TryStreamExt};
use object_store::ObjectStore;
use object_store::aws::AmazonS3Builder;
use object_store::local::LocalFileSystem;
use object_store::memory::InMemory;
use object_store::path::Path as Key;

use crate::error::{MaterialError, Result};

/// Bytes of a part when streaming a file to S3 (S3's smallest part).
const PART_BYTES: usize = 5 * 1024 * 1024;

/// The blob store.
#[derive(Debug, Clone)]
pub struct Blobs {
    store: Arc<dyn ObjectStore>,
    /// The local store's root directory, when local.
    local: Option<Arc<LocalFileSystem>>,
    prefix: String,
    described: String,
}

/// A stored blob, as listed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlobInfo {
    /// Its sha256 (lowercase hexadecimal).
    pub sha256: String,
    /// When it was last written (Unix milliseconds).
    pub modified_ms: i64,
    /// Its size in bytes.
    pub size: u64,
}

fn is_sha256(text: &str) -> bool {
    text.len() == 64
        && text
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

impl Blobs {
    /// The blobs of `objects`: `None` → `<data_dir>/objects`;
    /// `s3://bucket[/prefix]` → that bucket; anything else → that
    /// directory.
    pub fn open(objects: Option<&str>, data_dir: &Path) -> Result<Blobs> {
        match objects {
            None => Blobs::local(&data_dir.join("objects")),
            Some(url) if url.starts_with("s3://") => Blobs::s3(url),
            Some(dir) => Blobs::local(Path::new(dir)),
        }
    }

    /// Blobs in the directory `root` (created, private to its owner).
    pub fn local(root: &Path) -> Result<Blobs> {
        yuesou_store::private_dir(root)
            .map_err(|e| MaterialError::Blobs(format!("cannot create the blob directory: {e}")))?;
        let fs = Arc::new(LocalFileSystem::new_with_prefix(root)?);
        Ok(Blobs {
            store: fs.clone(),
            local: Some(fs),
            prefix: String::new(),
            described: format!("local directory {}", root.display()),
        })
    }

    /// Blobs in the S3-compatible bucket of `url` (`s3://bucket[/prefix]`),
    /// configured from the environment (`AWS_ACCESS_KEY_ID`,
    /// `AWS_SECRET_ACCESS_KEY`, `AWS_REGION`, `AWS_ENDPOINT`,
    /// `AWS_ALLOW_HTTP` …).
    pub fn s3(url: &str) -> Result<Blobs> {
        let rest = url.strip_prefix("s3://").unwrap_or(url);
        let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
        if bucket.is_empty() {
            return Err(MaterialError::Blobs(
                "expected s3://bucket[/prefix]".to_owned(),
            ));
        }
        Blobs::s3_with(AmazonS3Builder::from_env().with_bucket_name(bucket), prefix)
    }

    /// Blobs in the S3-compatible bucket `builder` is configured for, under
    /// `prefix` (for tests and embedders that configure S3 in code).
    pub fn s3_with(builder: AmazonS3Builder, prefix: &str) -> Result<Blobs> {
        let bucket = builder
            .get_config_value(&object_store::aws::AmazonS3ConfigKey::Bucket)
            .unwrap_or_default();
        let store = builder.build()?;
        Ok(Blobs {
            store: Arc::new(store),
            local: None,
            prefix: prefix.trim_matches('/').to_owned(),
            described: format!("S3 bucket {bucket}"),
        })
    }

    /// Blobs in memory (tests).
    pub fn in_memory() -> Blobs {
        Blobs {
            store: Arc::new(InMemory::new()),
            local: None,
            prefix: String::new(),
            described: "memory".to_owned(),
        }
    }

    /// Where the blobs are (for the start-up log; no credentials).
    pub fn describe(&self) -> &str {
        &self.described
    }

    fn root(&self) -> String {
        if self.prefix.is_empty() {
            "sha256".to_owned()
        } else {
            format!("{}/sha256", self.prefix)
        }
    }

    fn key(&self, sha256: &str) -> Result<Key> {
        if !is_sha256(sha256) {
            return Err(MaterialError::Internal("not a sha256".to_owned()));
        }
        Ok(Key::from(format!(
            "{}/{}/{sha256}",
            self.root(),
            &sha256[..2]
        )))
    }

    /// Stores the file at `file` as the blob `sha256` (replacing an equal
    /// one, which renews its age for the sweep), durably.
    pub async fn put(&self, sha256: &str, file: &Path) -> Result<()> {
        let key = self.key(sha256)?;
        match &self.local {
            Some(fs) => {
                let target = fs.path_to_filesystem(&key)?;
                let file = file.to_path_buf();
                tokio::task::spawn_blocking(move || place_durably(&file, &target))
                    .await
                    .map_err(|e| MaterialError::Internal(format!("a blocking task failed: {e}")))?
            }
            None => {
                let mut source = tokio::fs::File::open(file).await?;
                let mut writer = object_store::buffered::BufWriter::with_capacity(
                    self.store.clone(),
                    key,
                    PART_BYTES,
                );
                tokio::io::copy(&mut source, &mut writer)
                    .await
                    .map_err(|e| MaterialError::Blobs(format!("writing a blob: {e}")))?;
                tokio::io::AsyncWriteExt::shutdown(&mut writer)
                    .await
                    .map_err(|e| MaterialError::Blobs(format!("writing a blob: {e}")))?;
                Ok(())
            }
        }
    }

    /// The content of the blob `sha256`, streamed.
    pub async fn get(&self, sha256: &str) -> Result<BoxStream<'static, Result<Bytes>>> {
        let key = self.key(sha256)?;
        let stream = self.store.get(&key).await?.into_stream();
        Ok(stream.map_err(MaterialError::from).boxed())
    }

    /// When the blob `sha256` was last written (Unix ms), `None` if absent.
    pub async fn modified(&self, sha256: &str) -> Result<Option<i64>> {
        match self.store.head(&self.key(sha256)?).await {
            Ok(meta) => Ok(Some(meta.last_modified.timestamp_millis())),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// Removes the blob `sha256` (absent is fine).
    pub async fn delete(&self, sha256: &str) -> Result<()> {
        match self.store.delete(&self.key(sha256)?).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }

    /// Every blob (objects under the prefix that are not blobs are left
    /// out).
    pub async fn list(&self) -> Result<Vec<BlobInfo>> {
        let root = Key::from(self.root());
        let mut listing = self.store.list(Some(&root));
        let mut blobs = Vec::new();
        while let Some(meta) = listing.next().await {
            let meta = match meta {
                Ok(meta) => meta,
                // A directory that vanished under the listing.
                Err(object_store::Error::NotFound { .. }) => continue,
                Err(e) => return Err(e.into()),
            };
            let Some(name) = meta.location.filename() else {
                continue;
            };
            if is_sha256(name) {
                blobs.push(BlobInfo {
                    sha256: name.to_owned(),
                    modified_ms: meta.last_modified.timestamp_millis(),
                    size: meta.size,
                });
            }
        }
        Ok(blobs)
    }
}

/// Syncs `file`, renames it to `target` (copying when they are on
/// different file systems) and syncs `target`'s directory.
fn place_durably(file: &Path, target: &Path) -> Result<()> {
    let dir = target
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."));
    std::fs::create_dir_all(&dir)?;
    std::fs::File::open(file)?.sync_all()?;
    if std::fs::rename(file, target).is_err() {
        // Another file system: copy beside the target, sync, rename.
        let (copy, copy_path) = tempfile::Builder::new()
            .prefix("#incoming-")
            .tempfile_in(&dir)?
            .into_parts();
        drop(copy);
        std::fs::copy(file, &copy_path)?;
        std::fs::File::open(&copy_path)?.sync_all()?;
        copy_path
            .persist(target)
            .map_err(|e| MaterialError::Blobs(format!("placing a blob: {e}")))?;
    }
    std::fs::File::open(&dir)?.sync_all()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_local_blob_is_placed_listed_read_and_deleted() {
        let dir = tempfile::tempdir().unwrap();
        let blobs = Blobs::local(&dir.path().join("objects")).unwrap();
        let sha = "ab".repeat(32);
        let file = dir.path().join("upload");
        std::fs::write(&file, b"content").unwrap();
        blobs.put(&sha, &file).await.unwrap();
        assert!(!file.exists(), "moved into place");
        assert!(
            dir.path()
                .join(format!("objects/sha256/ab/{sha}"))
                .is_file()
        );
        let listed = blobs.list().await.unwrap();
        assert_eq!(listed.len(), 1);
        assert_eq!(listed[0].sha256, sha);
        let bytes: Vec<Bytes> = blobs.get(&sha).await.unwrap().try_collect().await.unwrap();
        assert_eq!(bytes.concat(), b"content");
        assert!(blobs.modified(&sha).await.unwrap().is_some());
        blobs.delete(&sha).await.unwrap();
        blobs.delete(&sha).await.unwrap();
        assert!(blobs.list().await.unwrap().is_empty());
        assert!(blobs.put("../../etc/passwd", &file).await.is_err());
    }
}

//! An upload being received: written chunk by chunk to a temporary file
//! under the data directory while its sha256 is computed and its size
//! counted against a limit — memory holds one chunk, whatever the file's
//! size. The kind is sniffed as soon as the first bytes are in, so that a
//! renamed executable is refused before the rest is read. Dropped
//! unfinished, the temporary file is removed.

use std::path::Path;

use sha2::{Digest, Sha256};
use tempfile::TempPath;
use tokio::io::AsyncWriteExt;

use crate::error::{MaterialError, Result};
use crate::sniff::{Kind, SNIFF_BYTES, sniff};

/// The most bytes of one write handed to the blocking pool.
const WRITE_BUFFER: usize = 128 * 1024;

/// An upload being written to a temporary file.
#[derive(Debug)]
pub struct Incoming {
    file: tokio::fs::File,
    path: TempPath,
    hasher: Sha256,
    size: u64,
    limit: u64,
    /// The per-file limit the person is told about when `limit` is hit
    /// (`limit` may be lower: what is left of the quota).
    file_limit: u64,
    quota: u64,
    head: Vec<u8>,
    kind: Option<Kind>,
}

/// An upload received whole: its temporary file, kind, size and sha256.
#[derive(Debug)]
pub struct Received {
    /// The temporary file (removed when dropped).
    pub path: TempPath,
    /// What the bytes are.
    pub kind: Kind,
    /// Bytes received.
    pub size: u64,
    /// Their sha256, lowercase hexadecimal.
    pub sha256: String,
}

impl Incoming {
    /// A new temporary file in `dir` taking at most `max_file` bytes, and
    /// at most `room` (what is left of the application's quota `quota`).
    pub fn create(dir: &Path, max_file: u64, room: u64, quota: u64) -> Result<Incoming> {
        std::fs::create_dir_all(dir)?;
        let (file, path) = tempfile::Builder::new()
            .prefix("upload-")
            .tempfile_in(dir)?
            .into_parts();
        let mut file = tokio::fs::File::from_std(file);
        // tokio copies each write into a buffer of up to 2 MiB for the
        // blocking pool; 8 uploads would hold 16 MiB of copies.
        file.set_max_buf_size(WRITE_BUFFER);
        Ok(Incoming {
            file,
            path,
            hasher: Sha256::new(),
            size: 0,
            limit: max_file.min(room),
            file_limit: max_file,
            quota,
            head: Vec::with_capacity(SNIFF_BYTES),
            kind: None,
        })
    }

    fn over_limit(&self) -> MaterialError {
        if self.size > self.file_limit {
            MaterialError::TooLarge {
                max: self.file_limit,
            }
        } else {
            MaterialError::QuotaExceeded { max: self.quota }
        }
    }

    /// Appends `chunk`: [`MaterialError::TooLarge`] or
    /// [`MaterialError::QuotaExceeded`] past the limit, a sniffing error
    /// once the first bytes say the file is of no accepted kind.
    pub async fn write(&mut self, chunk: &[u8]) -> Result<()> {
        self.size += chunk.len() as u64;
        if self.size > self.limit {
            return Err(self.over_limit());
        }
        if self.kind.is_none() {
            let wanted = SNIFF_BYTES - self.head.len();
            self.head
                .extend_from_slice(&chunk[..wanted.min(chunk.len())]);
            if self.head.len() >= SNIFF_BYTES {
                self.kind = Some(sniff(&self.head)?);
            }
        }
        self.hasher.update(chunk);
        self.file.write_all(chunk).await?;
        Ok(())
    }

    /// The file received whole (flushed; the blob store syncs what it
    /// keeps).
    pub async fn finish(mut self) -> Result<Received> {
        let kind = match self.kind {
            Some(kind) => kind,
            None => sniff(&self.head)?,
        };
        self.file.flush().await?;
        Ok(Received {
            path: self.path,
            kind,
            size: self.size,
            sha256: hex::encode(self.hasher.finalize()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_file_is_hashed_counted_and_limited_while_written() {
        let dir = tempfile::tempdir().unwrap();
        let mut incoming = Incoming::create(dir.path(), 100, 1000, 5000).unwrap();
        incoming.write(b"%PDF-1.4\n").await.unwrap();
        incoming.write(b"%%EOF\n").await.unwrap();
        let received = incoming.finish().await.unwrap();
        assert_eq!(received.kind, Kind::Pdf);
        assert_eq!(received.size, 15);
        assert_eq!(
            received.sha256,
            hex::encode(Sha256::digest(b"%PDF-1.4\n%%EOF\n"))
        );
        assert_eq!(std::fs::read(&received.path).unwrap(), b"%PDF-1.4\n%%EOF\n");

        let mut big = Incoming::create(dir.path(), 10, 1000, 5000).unwrap();
        assert!(matches!(
            big.write(&[b'%'; 11]).await,
            Err(MaterialError::TooLarge { max: 10 })
        ));
        let mut quota = Incoming::create(dir.path(), 100, 10, 5000).unwrap();
        assert!(matches!(
            quota.write(&[b'%'; 11]).await,
            Err(MaterialError::QuotaExceeded { max: 5000 })
        ));
        // An executable is refused at its first 64 bytes.
        let mut exe = Incoming::create(dir.path(), 1000, 1000, 5000).unwrap();
        let mut elf = b"\x7fELF\x02\x01\x01\0".to_vec();
        elf.resize(64, 0);
        assert!(matches!(
            exe.write(&elf).await,
            Err(MaterialError::UnsupportedType { .. })
        ));
        drop((received, big, quota, exe));
        // Nothing is left behind.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }
}

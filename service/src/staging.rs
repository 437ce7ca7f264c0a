//! Receiving an upload: bytes stream to a temporary file while being hashed and counted, so a
//! 50 MB photo never sits in memory and an oversized one is refused as soon as it crosses the
//! limit.

use crate::ServiceError;
use sha2::{Digest, Sha256};
use std::path::Path;
use tempfile::TempPath;
use tokio::io::AsyncWriteExt;

/// How many leading bytes are kept to identify the format.
const HEAD_LEN: usize = 64;
/// File names are for display only; this keeps them displayable.
const MAX_FILENAME_CHARS: usize = 255;

/// A file being received. Dropping it removes the temporary file.
pub struct StagedUpload {
    file: tokio::fs::File,
    path: TempPath,
    filename: String,
    hasher: Sha256,
    size: u64,
    limit: u64,
    head: Vec<u8>,
}

/// A completely received file.
pub(crate) struct ReceivedFile {
    pub path: TempPath,
    pub filename: String,
    pub sha256: String,
    pub size: u64,
    pub head: Vec<u8>,
}

impl StagedUpload {
    pub(crate) async fn create(
        dir: &Path,
        filename: &str,
        limit: u64,
    ) -> Result<StagedUpload, ServiceError> {
        tokio::fs::create_dir_all(dir).await?;
        let dir = dir.to_path_buf();
        let (std_file, path) =
            tokio::task::spawn_blocking(move || tempfile::NamedTempFile::new_in(dir))
                .await
                .map_err(|e| ServiceError::internal_because("staging task failed", e))??
                .into_parts();
        Ok(StagedUpload {
            file: tokio::fs::File::from_std(std_file),
            path,
            filename: display_filename(filename),
            hasher: Sha256::new(),
            size: 0,
            limit,
            head: Vec::with_capacity(HEAD_LEN),
        })
    }

    pub fn filename(&self) -> &str {
        &self.filename
    }

    /// Appends a chunk; fails with `TooLarge` as soon as the limit is crossed.
    pub async fn write(&mut self, chunk: &[u8]) -> Result<(), ServiceError> {
        self.size += chunk.len() as u64;
        if self.size > self.limit {
            return Err(ServiceError::TooLarge {
                limit_bytes: self.limit,
            });
        }
        if self.head.len() < HEAD_LEN {
            let wanted = (HEAD_LEN - self.head.len()).min(chunk.len());
            self.head.extend_from_slice(&chunk[..wanted]);
        }
        self.hasher.update(chunk);
        self.file.write_all(chunk).await?;
        Ok(())
    }

    pub(crate) async fn finish(mut self) -> Result<ReceivedFile, ServiceError> {
        if self.size == 0 {
            return Err(ServiceError::Empty);
        }
        self.file.flush().await?;
        Ok(ReceivedFile {
            path: self.path,
            filename: self.filename,
            sha256: hex::encode(self.hasher.finalize()),
            size: self.size,
            head: self.head,
        })
    }
}

/// The name as shown to people: the last path component of whatever the browser sent (some send
/// full paths), without control characters, at most 255 characters. Never used as a path.
fn display_filename(raw: &str) -> String {
    let last = raw.rsplit(['/', '\\']).next().unwrap_or(raw);
    let cleaned: String = last
        .chars()
        .filter(|c| !c.is_control())
        .take(MAX_FILENAME_CHARS)
        .collect();
    let trimmed = cleaned.trim();
    if trimmed.is_empty() || trimmed == "." || trimmed == ".." {
        "untitled".to_owned()
    } else {
        trimmed.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_names_drop_paths_and_control_characters() {
        assert_eq!(display_filename("../../etc/passwd"), "passwd");
        assert_eq!(display_filename("C:\\Users\\me\\cat.jpg"), "cat.jpg");
        assert_eq!(display_filename("a\u{0}b\n.png"), "ab.png");
        assert_eq!(display_filename(".."), "untitled");
        assert_eq!(display_filename(""), "untitled");
        assert_eq!(display_filename(&"x".repeat(400)).chars().count(), 255);
    }

    #[tokio::test]
    async fn the_limit_is_enforced_while_streaming() {
        let dir = tempfile::tempdir().unwrap();
        let mut upload = StagedUpload::create(dir.path(), "big.jpg", 10)
            .await
            .unwrap();
        upload.write(&[0; 8]).await.unwrap();
        let error = upload.write(&[0; 8]).await.unwrap_err();
        assert!(matches!(error, ServiceError::TooLarge { limit_bytes: 10 }));
    }

    #[tokio::test]
    async fn hash_and_size_cover_every_chunk() {
        let dir = tempfile::tempdir().unwrap();
        let mut upload = StagedUpload::create(dir.path(), "a.bin", 1000)
            .await
            .unwrap();
        upload.write(b"hello ").await.unwrap();
        upload.write(b"world").await.unwrap();
        let received = upload.finish().await.unwrap();
        assert_eq!(received.size, 11);
        assert_eq!(
            received.sha256,
            "b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9"
        );
        assert_eq!(std::fs::read(&received.path).unwrap(), b"hello world");
    }

    #[tokio::test]
    async fn an_empty_file_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let upload = StagedUpload::create(dir.path(), "empty.jpg", 1000)
            .await
            .unwrap();
        assert!(matches!(upload.finish().await, Err(ServiceError::Empty)));
    }
}

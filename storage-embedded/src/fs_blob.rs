//! Blobs as files under a root directory: key `a/b/c` is the file `root/a/b/c`.
//!
//! Atomicity comes from rename: every object is written completely to a temporary file in
//! `root/.tmp` (the same filesystem, so the rename cannot turn into a copy), flushed to disk, and
//! only then renamed over its final path. A reader that opened the old file keeps reading it.

mod batch;

use crate::blocking;
use async_trait::async_trait;
use bytes::Bytes;
use gaillery_storage::{BlobKey, BlobListing, BlobReader, BlobStore, NewBlob, StorageError};
use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};
use tempfile::NamedTempFile;

/// The directory under the root for files being written; reserved, so no key may start with it.
const TEMP_DIR: &str = ".tmp";
/// Temp files older than this were left by a crash: no write takes that long without touching
/// its file.
const STALE_AFTER: Duration = Duration::from_secs(60 * 60);

/// The embedded blob store: plain files on a local disk.
#[derive(Clone, Debug)]
pub struct FsBlobStore {
    root: PathBuf,
    temp: PathBuf,
}

impl FsBlobStore {
    /// Creates the root and its temp directory if needed and removes temp files that a crash
    /// left behind. Does blocking I/O: meant for startup.
    pub fn new(root: PathBuf) -> Result<FsBlobStore, StorageError> {
        let temp = root.join(TEMP_DIR);
        fs::create_dir_all(&temp)?;
        remove_stale_temp_files(&temp, STALE_AFTER);
        Ok(FsBlobStore { root, temp })
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// A directory on the same filesystem as the blobs: a file written here (an upload being
    /// streamed to disk) can be handed to [`BlobStore::put_file`] without a copy.
    pub fn temp_dir(&self) -> &Path {
        &self.temp
    }

    /// Removes the directories a deleted key leaves empty (`photos/{id}/` once its last file is
    /// gone), so deleting many photos does not leave as many empty folders. The top-level
    /// folder of the key stays: a concurrent put may be about to create a sibling in it.
    async fn prune_empty_parents(&self, key: &BlobKey, path: &Path) {
        let depth = key.segments().count();
        let mut dir = path.parent();
        for _ in 2..depth {
            let Some(current) = dir else { break };
            // Fails (and stops) on the first directory that is not empty.
            if tokio::fs::remove_dir(current).await.is_err() {
                break;
            }
            dir = current.parent();
        }
    }

    fn path_of(&self, key: &BlobKey) -> Result<PathBuf, StorageError> {
        let mut path = self.root.clone();
        for (index, segment) in key.segments().enumerate() {
            if index == 0 && segment == TEMP_DIR {
                return Err(StorageError::InvalidKey(format!(
                    "{key} is in the reserved {TEMP_DIR} directory"
                )));
            }
            path.push(segment);
        }
        Ok(path)
    }
}

#[async_trait]
impl BlobStore for FsBlobStore {
    async fn put_file(
        &self,
        key: &BlobKey,
        source: &Path,
        _content_type: &str,
    ) -> Result<(), StorageError> {
        let destination = self.path_of(key)?;
        let temp = self.temp.clone();
        let source = source.to_owned();
        blocking(move || move_into_place(&source, &destination, &temp)).await
    }

    async fn put_bytes(
        &self,
        key: &BlobKey,
        bytes: Bytes,
        _content_type: &str,
    ) -> Result<(), StorageError> {
        let destination = self.path_of(key)?;
        let temp = self.temp.clone();
        blocking(move || {
            let mut file = temp_file_in(&temp)?;
            file.write_all(&bytes)?;
            persist(file, &destination)
        })
        .await
    }

    async fn put_many(&self, objects: Vec<NewBlob>) -> Result<(), StorageError> {
        batch::put_many(self, objects).await
    }

    async fn open(&self, key: &BlobKey) -> Result<BlobReader, StorageError> {
        let path = self.path_of(key)?;
        let file = tokio::fs::File::open(&path).await?;
        let metadata = file.metadata().await?;
        // A directory exists at `a` when `a/b` is stored; it is no object.
        if !metadata.is_file() {
            return Err(StorageError::NotFound);
        }
        Ok(BlobReader {
            len: metadata.len(),
            reader: Box::pin(file),
        })
    }

    async fn delete(&self, key: &BlobKey) -> Result<(), StorageError> {
        let path = self.path_of(key)?;
        match tokio::fs::remove_file(&path).await {
            Ok(()) => {
                self.prune_empty_parents(key, &path).await;
                Ok(())
            }
            Err(err) if is_missing(&err) => Ok(()),
            Err(err) => match tokio::fs::metadata(&path).await {
                Ok(metadata) if metadata.is_dir() => Ok(()),
                _ => Err(err.into()),
            },
        }
    }

    async fn exists(&self, key: &BlobKey) -> Result<bool, StorageError> {
        let path = self.path_of(key)?;
        match tokio::fs::metadata(&path).await {
            Ok(metadata) => Ok(metadata.is_file()),
            Err(err) if is_missing(&err) => Ok(false),
            Err(err) => Err(err.into()),
        }
    }

    fn list<'a>(&'a self, prefix: &'a str) -> BlobListing<'a> {
        crate::fs_listing::list(self.root.clone(), TEMP_DIR, prefix)
    }
}

/// Renames `source` to `destination`, or copies it through a temp file when they are on
/// different filesystems; either way `source` is gone afterwards.
fn move_into_place(source: &Path, destination: &Path, temp: &Path) -> Result<(), StorageError> {
    // Renaming a directory or a symlink would store something that is not an object.
    if !fs::symlink_metadata(source)?.is_file() {
        return Err(StorageError::Backend(format!(
            "{} is not a regular file",
            source.display()
        )));
    }
    // The caller wrote the file; make its bytes durable before they become visible as the object.
    File::open(source)?.sync_all()?;
    let parent = create_parent(destination)?;
    match fs::rename(source, destination) {
        Ok(()) => sync_dir(parent),
        Err(err) if err.kind() == io::ErrorKind::CrossesDevices => {
            let mut copy = temp_file_in(temp)?;
            io::copy(&mut File::open(source)?, copy.as_file_mut())?;
            persist(copy, destination)?;
            fs::remove_file(source)?;
            Ok(())
        }
        Err(err) => Err(err.into()),
    }
}

fn temp_file_in(temp: &Path) -> Result<NamedTempFile, StorageError> {
    // Recreated if someone cleaned the data directory while the server ran.
    fs::create_dir_all(temp)?;
    Ok(tempfile::Builder::new().prefix("blob-").tempfile_in(temp)?)
}

/// Flushes a complete temp file and renames it over `destination`. On error the temp file is
/// removed when `file` drops.
fn persist(file: NamedTempFile, destination: &Path) -> Result<(), StorageError> {
    file.as_file().sync_all()?;
    let parent = create_parent(destination)?;
    file.persist(destination)
        .map_err(|err| StorageError::from(err.error))?;
    sync_dir(parent)
}

fn create_parent(path: &Path) -> Result<&Path, StorageError> {
    let parent = path.parent().ok_or_else(|| {
        StorageError::Backend(format!("{} has no parent directory", path.display()))
    })?;
    fs::create_dir_all(parent)?;
    Ok(parent)
}

/// A rename is only durable once the directory that holds the new name is flushed too.
#[cfg(unix)]
fn sync_dir(dir: &Path) -> Result<(), StorageError> {
    File::open(dir)?.sync_all()?;
    Ok(())
}

#[cfg(not(unix))]
fn sync_dir(_dir: &Path) -> Result<(), StorageError> {
    Ok(())
}

/// A path component that is a file, not a directory, also means "no such object".
fn is_missing(err: &io::Error) -> bool {
    matches!(
        err.kind(),
        io::ErrorKind::NotFound | io::ErrorKind::NotADirectory
    )
}

/// Best effort: a temp file that can't be removed now is retried at the next start.
fn remove_stale_temp_files(temp: &Path, max_age: Duration) {
    let entries = match fs::read_dir(temp) {
        Ok(entries) => entries,
        Err(err) => {
            tracing::warn!(dir = %temp.display(), error = %err, "cannot list temp files");
            return;
        }
    };
    let now = SystemTime::now();
    for entry in entries.flatten() {
        let Ok(metadata) = entry.metadata() else {
            continue;
        };
        let age = metadata
            .modified()
            .ok()
            .and_then(|modified| now.duration_since(modified).ok())
            .unwrap_or_default();
        if metadata.is_file() && age > max_age {
            if let Err(err) = fs::remove_file(entry.path()) {
                tracing::warn!(file = %entry.path().display(), error = %err, "cannot remove stale temp file");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store() -> (tempfile::TempDir, FsBlobStore) {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = FsBlobStore::new(dir.path().join("blobs")).expect("store");
        (dir, store)
    }

    #[tokio::test]
    async fn keys_map_to_paths_under_the_root() {
        let (_dir, store) = store();
        let key = BlobKey::new("photos/abc/thumbnail").unwrap();
        store
            .put_bytes(&key, Bytes::from_static(b"x"), "image/webp")
            .await
            .unwrap();
        let path = store.root().join("photos").join("abc").join("thumbnail");
        assert_eq!(fs::read(path).unwrap(), b"x");
    }

    #[tokio::test]
    async fn deleting_the_last_file_of_a_folder_removes_the_folder_but_not_the_top_level() {
        let (_dir, store) = store();
        let first = BlobKey::new("photos/abc/original").unwrap();
        let second = BlobKey::new("photos/abc/preview").unwrap();
        for key in [&first, &second] {
            store
                .put_bytes(key, Bytes::from_static(b"x"), "image/jpeg")
                .await
                .unwrap();
        }
        store.delete(&first).await.unwrap();
        assert!(
            store.root().join("photos/abc").is_dir(),
            "still holds the preview"
        );
        store.delete(&second).await.unwrap();
        assert!(!store.root().join("photos/abc").exists());
        assert!(store.root().join("photos").is_dir());
    }

    #[tokio::test]
    async fn the_temp_directory_is_not_addressable_by_keys() {
        let (_dir, store) = store();
        let key = BlobKey::new(".tmp/blob-x").unwrap();
        let put = store
            .put_bytes(&key, Bytes::from_static(b"x"), "text/plain")
            .await;
        assert!(matches!(put, Err(StorageError::InvalidKey(_))), "{put:?}");
        assert!(matches!(
            store.open(&key).await,
            Err(StorageError::InvalidKey(_))
        ));
        assert!(matches!(
            store.delete(&key).await,
            Err(StorageError::InvalidKey(_))
        ));
    }

    #[tokio::test]
    async fn put_many_checks_every_key_first_and_leaves_no_temp_files() {
        let (_dir, store) = store();
        let object = |raw: &str| NewBlob {
            key: BlobKey::new(raw).unwrap(),
            bytes: Bytes::from_static(b"x"),
            content_type: "image/jpeg".to_owned(),
        };
        let refused = store
            .put_many(vec![object("photos/a/original"), object(".tmp/blob-x")])
            .await;
        assert!(
            matches!(refused, Err(StorageError::InvalidKey(_))),
            "{refused:?}"
        );
        assert!(!store.root().join("photos").exists(), "nothing written");
        store
            .put_many(vec![
                object("photos/a/original"),
                object("o/b/photos/c/preview"),
            ])
            .await
            .unwrap();
        assert_eq!(
            fs::read(store.root().join("o/b/photos/c/preview")).unwrap(),
            b"x"
        );
        assert_eq!(fs::read_dir(store.temp_dir()).unwrap().count(), 0);
    }

    #[tokio::test]
    async fn a_directory_is_not_an_object() {
        let (_dir, store) = store();
        let nested = BlobKey::new("a/b").unwrap();
        store
            .put_bytes(&nested, Bytes::from_static(b"x"), "text/plain")
            .await
            .unwrap();
        let parent = BlobKey::new("a").unwrap();
        assert!(!store.exists(&parent).await.unwrap());
        assert!(matches!(
            store.open(&parent).await,
            Err(StorageError::NotFound)
        ));
        store.delete(&parent).await.unwrap();
        assert!(
            store.exists(&nested).await.unwrap(),
            "deleting `a` must not touch `a/b`"
        );
        // A file where a directory is expected: `a/b/c` can't exist while `a/b` is an object.
        let below_file = BlobKey::new("a/b/c").unwrap();
        assert!(!store.exists(&below_file).await.unwrap());
        assert!(matches!(
            store.open(&below_file).await,
            Err(StorageError::NotFound)
        ));
    }

    #[tokio::test]
    async fn put_file_refuses_a_directory_as_source() {
        let (dir, store) = store();
        let source = dir.path().join("not-a-file");
        fs::create_dir(&source).unwrap();
        let key = BlobKey::new("x").unwrap();
        let put = store.put_file(&key, &source, "image/jpeg").await;
        assert!(matches!(put, Err(StorageError::Backend(_))), "{put:?}");
        assert!(!store.exists(&key).await.unwrap());
    }

    #[test]
    fn startup_removes_only_stale_temp_files() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("blobs");
        let temp = root.join(TEMP_DIR);
        fs::create_dir_all(&temp).unwrap();
        let stale = temp.join("blob-stale");
        let fresh = temp.join("upload-fresh");
        fs::write(&stale, b"left by a crash").unwrap();
        fs::write(&fresh, b"being uploaded").unwrap();
        let two_hours_ago = SystemTime::now() - Duration::from_secs(2 * 60 * 60);
        File::options()
            .write(true)
            .open(&stale)
            .unwrap()
            .set_modified(two_hours_ago)
            .unwrap();

        let store = FsBlobStore::new(root).unwrap();
        assert_eq!(store.temp_dir(), temp);
        assert!(!stale.exists(), "a temp file older than an hour is removed");
        assert!(fresh.exists(), "a recent temp file may still be in use");
    }
}

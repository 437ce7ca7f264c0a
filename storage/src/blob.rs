//! The blob store: whole objects (originals, thumbnails, previews) under validated keys.

use crate::StorageError;
use async_trait::async_trait;
use bytes::Bytes;
use futures::stream::BoxStream;
use futures::{StreamExt, TryStreamExt};
use std::fmt;
use std::path::Path;
use std::pin::Pin;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncReadExt};

/// The longest key, in bytes. S3 allows 1024; half leaves room for a bucket prefix.
pub const MAX_KEY_LEN: usize = 512;

/// A key that is safe as an S3 object key and as a relative path on every filesystem:
/// `/`-separated segments of `[a-z0-9._-]`, none empty, none `.` or `..`, no leading `/`, at
/// most [`MAX_KEY_LEN`] bytes. Being a type, an unchecked string can never reach a backend.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct BlobKey(String);

impl BlobKey {
    pub fn new(raw: &str) -> Result<BlobKey, StorageError> {
        let invalid = |why: &str| Err(StorageError::InvalidKey(format!("{why}: {raw:?}")));
        if raw.is_empty() {
            return invalid("empty key");
        }
        if raw.len() > MAX_KEY_LEN {
            return invalid("key longer than 512 bytes");
        }
        for segment in raw.split('/') {
            // A leading, trailing or doubled `/` shows up as an empty segment.
            if segment.is_empty() {
                return invalid("empty segment");
            }
            if segment == "." || segment == ".." {
                return invalid("relative segment");
            }
            let allowed =
                |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b);
            if !segment.bytes().all(allowed) {
                return invalid("character outside [a-z0-9._-]");
            }
        }
        Ok(BlobKey(raw.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The key's segments, in order.
    pub fn segments(&self) -> impl Iterator<Item = &str> {
        self.0.split('/')
    }
}

impl fmt::Display for BlobKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// An object being read: its length up front (for `Content-Length`), then its bytes as a stream,
/// so large originals never have to sit in memory.
pub struct BlobReader {
    pub len: u64,
    pub reader: Pin<Box<dyn AsyncRead + Send>>,
}

impl fmt::Debug for BlobReader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BlobReader")
            .field("len", &self.len)
            .finish_non_exhaustive()
    }
}

/// One object as listed: its key, and when it was last written, in milliseconds since the
/// Unix epoch.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredBlob {
    pub key: BlobKey,
    pub modified_ms: i64,
}

/// The objects a [`BlobStore::list`] names, as they come.
pub type BlobListing<'a> = BoxStream<'a, Result<StoredBlob, StorageError>>;

/// One object of a [`BlobStore::put_many`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewBlob {
    pub key: BlobKey,
    pub bytes: Bytes,
    pub content_type: String,
}

/// How many objects the default [`BlobStore::put_many`] writes at once.
const PUT_MANY_AT_ONCE: usize = 16;

/// Whole objects under [`BlobKey`]s. Writes are atomic: a reader sees the old object, the new
/// one, or nothing, never part of one.
#[async_trait]
pub trait BlobStore: Send + Sync + 'static {
    /// Stores the file at `source` under `key`, taking ownership of it: it may be moved away, and
    /// once this returns `Ok` the path no longer exists. Atomic: readers see the whole object or
    /// nothing. `NotFound` if `source` does not exist.
    async fn put_file(
        &self,
        key: &BlobKey,
        source: &Path,
        content_type: &str,
    ) -> Result<(), StorageError>;

    /// Stores `bytes` under `key`, replacing any object there. Atomic like `put_file`.
    async fn put_bytes(
        &self,
        key: &BlobKey,
        bytes: Bytes,
        content_type: &str,
    ) -> Result<(), StorageError>;

    /// Stores each object like `put_bytes`, for bulk loads (seeding, imports): once this returns
    /// `Ok`, every one is stored and as durable as `put_bytes` would have made it. A store may
    /// write them together, which is far faster than one call each. On an error some may be
    /// stored and others not; a key given twice gets either object.
    async fn put_many(&self, objects: Vec<NewBlob>) -> Result<(), StorageError> {
        futures::stream::iter(objects)
            .map(|object| async move {
                self.put_bytes(&object.key, object.bytes, &object.content_type)
                    .await
            })
            .buffer_unordered(PUT_MANY_AT_ONCE)
            .try_collect()
            .await
    }

    /// Opens the object for streaming. `NotFound` if there is none.
    async fn open(&self, key: &BlobKey) -> Result<BlobReader, StorageError>;

    /// The whole object in memory; for small objects (thumbnails, model inputs).
    async fn read_all(&self, key: &BlobKey) -> Result<Bytes, StorageError> {
        let mut blob = self.open(key).await?;
        // The length is only a hint for the allocation: a lying backend must not make us
        // reserve gigabytes up front.
        let hint = usize::try_from(blob.len).unwrap_or(0).min(64 << 20);
        let mut buffer = Vec::with_capacity(hint);
        blob.reader.read_to_end(&mut buffer).await?;
        Ok(Bytes::from(buffer))
    }

    /// Removes the object. Idempotent: `Ok` if there was none.
    async fn delete(&self, key: &BlobKey) -> Result<(), StorageError>;

    async fn exists(&self, key: &BlobKey) -> Result<bool, StorageError>;

    /// Every object whose key starts with `prefix`, once each, in an order of the store's
    /// choosing, streamed (a store may hold millions). For the sweep that removes what no
    /// catalog entry names; objects put or deleted while the listing runs may or may not be
    /// in it.
    fn list<'a>(&'a self, prefix: &'a str) -> BlobListing<'a>;

    /// A URL from which anyone holding it may GET the object directly, without this server,
    /// until `expires_in` has passed; its response carries `content_type` and `cache_control`.
    /// `None` when the store cannot serve objects itself (files on this server's disk).
    async fn direct_url(
        &self,
        _key: &BlobKey,
        _expires_in: Duration,
        _content_type: &str,
        _cache_control: &str,
    ) -> Result<Option<String>, StorageError> {
        Ok(None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_of_the_allowed_shape_are_accepted() {
        for good in [
            "a",
            "photos/01hx3k9v7g8m2q/original",
            "photos/01hx/thumbnail-2x.webp",
            "x_y/.hidden/z..z",
            "...",
            &"a".repeat(MAX_KEY_LEN),
        ] {
            let key =
                BlobKey::new(good).unwrap_or_else(|e| panic!("{good:?} must be accepted: {e}"));
            assert_eq!(key.as_str(), good);
        }
    }

    #[test]
    fn keys_that_could_escape_or_be_ambiguous_are_refused() {
        for bad in [
            "",
            "/",
            "/etc/passwd",
            "a/",
            "a//b",
            ".",
            "..",
            "a/../b",
            "a/./b",
            "A",
            "a b",
            "a\\b",
            "a\0b",
            "café",
            "a?b",
            &"a".repeat(MAX_KEY_LEN + 1),
        ] {
            assert!(
                matches!(BlobKey::new(bad), Err(StorageError::InvalidKey(_))),
                "{bad:?} must be refused"
            );
        }
    }

    #[test]
    fn segments_split_on_slashes() {
        let key = BlobKey::new("photos/abc/original").unwrap();
        assert_eq!(
            key.segments().collect::<Vec<_>>(),
            ["photos", "abc", "original"]
        );
    }
}

//! An in-memory blob store.

use super::*;

/// Objects in memory, with when each was written (milliseconds since the Unix epoch).
#[derive(Default)]
pub struct MemoryBlobStore {
    objects: Mutex<HashMap<BlobKey, (Bytes, i64)>>,
}

impl MemoryBlobStore {
    pub fn new() -> MemoryBlobStore {
        MemoryBlobStore::default()
    }

    /// The keys stored, sorted, for tests to check what is left.
    pub fn keys(&self) -> Vec<String> {
        let mut keys: Vec<String> = self.lock().keys().map(|k| k.as_str().to_owned()).collect();
        keys.sort();
        keys
    }

    /// Makes every object look `age_ms` older, as if written that much earlier.
    pub fn age_all(&self, age_ms: i64) {
        for (_, modified_ms) in self.lock().values_mut() {
            *modified_ms -= age_ms;
        }
    }

    fn insert(&self, key: &BlobKey, bytes: Bytes) {
        self.lock().insert(key.clone(), (bytes, now_ms()));
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<BlobKey, (Bytes, i64)>> {
        self.objects.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[async_trait]
impl BlobStore for MemoryBlobStore {
    async fn put_file(
        &self,
        key: &BlobKey,
        source: &Path,
        _content_type: &str,
    ) -> Result<(), StorageError> {
        let bytes = tokio::fs::read(source).await?;
        // Taken over, as the file store's rename does.
        tokio::fs::remove_file(source).await?;
        self.insert(key, Bytes::from(bytes));
        Ok(())
    }

    async fn put_bytes(
        &self,
        key: &BlobKey,
        bytes: Bytes,
        _content_type: &str,
    ) -> Result<(), StorageError> {
        self.insert(key, bytes);
        Ok(())
    }

    async fn open(&self, key: &BlobKey) -> Result<BlobReader, StorageError> {
        let bytes = self
            .lock()
            .get(key)
            .map(|(bytes, _)| bytes.clone())
            .ok_or(StorageError::NotFound)?;
        Ok(BlobReader {
            len: bytes.len() as u64,
            reader: Box::pin(std::io::Cursor::new(bytes)),
        })
    }

    async fn delete(&self, key: &BlobKey) -> Result<(), StorageError> {
        self.lock().remove(key);
        Ok(())
    }

    async fn exists(&self, key: &BlobKey) -> Result<bool, StorageError> {
        Ok(self.lock().contains_key(key))
    }

    fn list<'a>(&'a self, prefix: &'a str) -> BlobListing<'a> {
        let listed: Vec<Result<StoredBlob, StorageError>> = self
            .lock()
            .iter()
            .filter(|(key, _)| key.as_str().starts_with(prefix))
            .map(|(key, (_, modified_ms))| {
                Ok(StoredBlob {
                    key: key.clone(),
                    modified_ms: *modified_ms,
                })
            })
            .collect();
        Box::pin(futures::stream::iter(listed))
    }
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

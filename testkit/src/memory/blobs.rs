//! An in-memory blob store.

use super::*;

/// Objects in memory.
#[derive(Default)]
pub struct MemoryBlobStore {
    objects: Mutex<HashMap<BlobKey, Bytes>>,
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

    fn lock(&self) -> MutexGuard<'_, HashMap<BlobKey, Bytes>> {
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
        self.lock().insert(key.clone(), Bytes::from(bytes));
        Ok(())
    }

    async fn put_bytes(
        &self,
        key: &BlobKey,
        bytes: Bytes,
        _content_type: &str,
    ) -> Result<(), StorageError> {
        self.lock().insert(key.clone(), bytes);
        Ok(())
    }

    async fn open(&self, key: &BlobKey) -> Result<BlobReader, StorageError> {
        let bytes = self
            .lock()
            .get(key)
            .cloned()
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
}

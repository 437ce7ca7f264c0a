//! The embedded catalog: one SQLite file in WAL mode.
//!
//! SQLite calls block, so each runs in `spawn_blocking`, never on the async runtime. Writes go
//! through one connection behind an async mutex (SQLite allows one writer at a time anyway, and
//! waiting on the mutex costs no thread); reads use a small pool of their own connections, which
//! in WAL mode never wait for the writer.

//!
//! One module per concern: `schema` (migrations, connection settings), `photos`, `tags` (labels
//! and their index), `timeline` (month counts and a month's photos), `jobs` (the classification queue), `accounts` (accounts, sessions, API
//! tokens, sign-in throttling), `albums` (albums and the order of their photos), `shares` (share
//! links), `error` (normalising SQLite's errors).

/// The columns `photo_from_row` reads, in its order.
macro_rules! photo_columns {
    () => {
        "id, filename, width, height, taken_at, created_at_ms, status, status_reason, labels, \
         placeholder, format, size_bytes, sha256"
    };
}

mod accounts;
mod albums;
mod error;
mod jobs;
mod photos;
mod schema;
mod shares;
mod tags;
#[cfg(test)]
mod tests;
mod timeline;

use crate::blocking;
use async_trait::async_trait;
use error::SqlError;
use gaillery_core::api::{PhotoPage, TagCount};
use gaillery_core::{Label, Month, OwnerId, Photo, PhotoId, PhotoStatus, TimelineOrder};
use gaillery_storage::{
    Catalog, InsertOutcome, Job, JobOutcome, MonthCount, NewPhoto, PhotoTotals, StorageError,
};
use rusqlite::{Connection, TransactionBehavior};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::Semaphore;

/// How many reads run at once; more would only queue for the two CPU cores.
const READERS: usize = 4;
/// How long a statement waits for a lock held by another process before giving up with
/// `Unavailable`.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// The catalog in a SQLite file.
pub struct SqliteCatalog {
    writer: Arc<tokio::sync::Mutex<Connection>>,
    readers: Arc<ReaderPool>,
}

impl SqliteCatalog {
    /// Opens the catalog at `path`, creating it and migrating its schema as needed. Does blocking
    /// I/O: meant for startup.
    pub fn open(path: &Path) -> Result<SqliteCatalog, StorageError> {
        Ok(SqliteCatalog::open_with_busy_timeout(path, BUSY_TIMEOUT)?)
    }

    fn open_with_busy_timeout(
        path: &Path,
        busy_timeout: Duration,
    ) -> Result<SqliteCatalog, SqlError> {
        let mut writer = Connection::open(path)?;
        schema::configure(&writer, busy_timeout)?;
        // WAL lets readers go on while a write is in progress; the setting is stored in the file.
        let mode: String =
            writer.pragma_update_and_check(None, "journal_mode", "wal", |row| row.get(0))?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(
                StorageError::Backend(format!("SQLite refused WAL mode (got {mode})")).into(),
            );
        }
        schema::migrate(&mut writer)?;
        Ok(SqliteCatalog {
            writer: Arc::new(tokio::sync::Mutex::new(writer)),
            readers: Arc::new(ReaderPool {
                path: path.to_owned(),
                busy_timeout,
                idle: Mutex::new(Vec::new()),
                permits: Arc::new(Semaphore::new(READERS)),
            }),
        })
    }

    /// Inserts many photos in one transaction, for bulk loads (imports, benchmarks): far faster
    /// than one `insert_photo` each. Photos whose owner already has their hash are skipped.
    /// Returns how many were inserted.
    pub async fn insert_many(&self, photos: Vec<NewPhoto>) -> Result<usize, StorageError> {
        self.write(move |conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let mut inserted = 0;
            for photo in &photos {
                inserted += photos::insert_row(&tx, photo)?;
            }
            tx.commit()?;
            Ok(inserted)
        })
        .await
    }

    /// Runs `work` on the writer connection, off the runtime, one writer at a time.
    async fn write<T, F>(&self, work: F) -> Result<T, StorageError>
    where
        F: FnOnce(&mut Connection) -> Result<T, SqlError> + Send + 'static,
        T: Send + 'static,
    {
        let mut writer = Arc::clone(&self.writer).lock_owned().await;
        blocking(move || Ok(work(&mut writer)?)).await
    }

    /// Runs `work` on a reader connection, off the runtime.
    async fn read<T, F>(&self, work: F) -> Result<T, StorageError>
    where
        F: FnOnce(&Connection) -> Result<T, SqlError> + Send + 'static,
        T: Send + 'static,
    {
        let permit = Arc::clone(&self.readers.permits)
            .acquire_owned()
            .await
            .map_err(|_| StorageError::Backend("reader pool closed".into()))?;
        let pool = Arc::clone(&self.readers);
        blocking(move || {
            let _permit = permit;
            let conn = pool.take()?;
            let result = work(&conn);
            pool.give_back(conn);
            Ok(result?)
        })
        .await
    }
}

impl std::fmt::Debug for SqliteCatalog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteCatalog")
            .field("path", &self.readers.path)
            .finish_non_exhaustive()
    }
}

/// Reader connections, opened on first need. The semaphore bounds how many are in use, so the
/// pool never holds more than `READERS`; a connection lost to a panic is simply reopened.
struct ReaderPool {
    path: PathBuf,
    busy_timeout: Duration,
    idle: Mutex<Vec<Connection>>,
    permits: Arc<Semaphore>,
}

impl ReaderPool {
    fn take(&self) -> Result<Connection, SqlError> {
        // A panic while the lock was held leaves a Vec that is still valid: ignore the poison.
        let idle = self
            .idle
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .pop();
        match idle {
            Some(conn) => Ok(conn),
            None => {
                let conn = Connection::open(&self.path)?;
                schema::configure(&conn, self.busy_timeout)?;
                conn.pragma_update(None, "query_only", true)?;
                Ok(conn)
            }
        }
    }

    fn give_back(&self, conn: Connection) {
        self.idle
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .push(conn);
    }
}

#[async_trait]
impl Catalog for SqliteCatalog {
    async fn insert_photo(&self, photo: NewPhoto) -> Result<InsertOutcome, StorageError> {
        self.insert(photo).await
    }

    async fn insert_photos(
        &self,
        photos: Vec<(NewPhoto, Vec<Label>)>,
    ) -> Result<Vec<InsertOutcome>, StorageError> {
        self.insert_labelled(photos).await
    }

    async fn photo(&self, owner: &OwnerId, id: &PhotoId) -> Result<Option<Photo>, StorageError> {
        self.photo_by_id(owner, id).await
    }

    async fn photos_by_ids(
        &self,
        owner: &OwnerId,
        ids: &[PhotoId],
    ) -> Result<Vec<Photo>, StorageError> {
        self.photos_by_id(owner, ids).await
    }

    async fn photo_by_hash(
        &self,
        owner: &OwnerId,
        sha256: &str,
    ) -> Result<Option<Photo>, StorageError> {
        self.find_by_hash(owner, sha256).await
    }

    async fn list_photos(
        &self,
        owner: &OwnerId,
        cursor: Option<&str>,
        limit: usize,
    ) -> Result<PhotoPage, StorageError> {
        self.list(owner, &[], cursor, limit).await
    }

    async fn delete_photo(&self, owner: &OwnerId, id: &PhotoId) -> Result<bool, StorageError> {
        self.delete_one(owner, id).await
    }

    async fn delete_all_photos(&self, owner: &OwnerId) -> Result<Vec<PhotoId>, StorageError> {
        self.delete_all(owner).await
    }

    async fn photo_totals(&self, owner: &OwnerId) -> Result<PhotoTotals, StorageError> {
        self.totals(owner).await
    }

    async fn set_status(
        &self,
        owner: &OwnerId,
        id: &PhotoId,
        status: PhotoStatus,
        reason: Option<String>,
    ) -> Result<bool, StorageError> {
        self.update_status(owner, id, status, reason).await
    }

    async fn set_labels(
        &self,
        owner: &OwnerId,
        id: &PhotoId,
        labels: Vec<Label>,
    ) -> Result<bool, StorageError> {
        self.relabel(owner, id, labels).await
    }

    async fn list_photos_tagged(
        &self,
        owner: &OwnerId,
        tags: &[Vec<String>],
        cursor: Option<&str>,
        limit: usize,
    ) -> Result<PhotoPage, StorageError> {
        self.list(owner, tags, cursor, limit).await
    }

    async fn timeline(
        &self,
        owner: &OwnerId,
        order: TimelineOrder,
        tags: &[Vec<String>],
    ) -> Result<Vec<MonthCount>, StorageError> {
        self.months(owner, order, tags).await
    }

    async fn list_month(
        &self,
        owner: &OwnerId,
        order: TimelineOrder,
        month: Month,
        tags: &[Vec<String>],
        cursor: Option<&str>,
        limit: usize,
    ) -> Result<PhotoPage, StorageError> {
        self.month_page(owner, order, month, tags, cursor, limit)
            .await
    }

    async fn tag_counts(&self, owner: &OwnerId) -> Result<Vec<TagCount>, StorageError> {
        self.count_tags(owner).await
    }

    async fn enqueue_job(
        &self,
        owner: &OwnerId,
        id: &PhotoId,
        model: &str,
        now_ms: i64,
    ) -> Result<bool, StorageError> {
        self.enqueue(owner, id, model, now_ms).await
    }

    async fn claim_jobs(
        &self,
        worker: &str,
        limit: usize,
        lease_ms: i64,
        now_ms: i64,
    ) -> Result<Vec<Job>, StorageError> {
        self.claim(worker, limit, lease_ms, now_ms).await
    }

    async fn finish_job(
        &self,
        job: &Job,
        worker: &str,
        outcome: JobOutcome,
    ) -> Result<bool, StorageError> {
        self.finish(job, worker, outcome).await
    }

    async fn release_jobs(&self, instance: &str) -> Result<u64, StorageError> {
        self.release(instance).await
    }

    async fn photos_without_jobs(&self, owner: &OwnerId) -> Result<Vec<PhotoId>, StorageError> {
        self.unqueued_photos(owner).await
    }
}

//! Storage that fails on purpose: wrappers around another adapter that make chosen operations
//! fail a given number of times (or for good) with a chosen error, and count every call.
//!
//! A fault either keeps the request from landing ([`Faults::fail`]) or lets it land and loses
//! the answer ([`Faults::fail_after_applying`]), the two ways a request to a remote store
//! fails: the second is why a failed insert must be looked up before its images are removed.

use async_trait::async_trait;
use bytes::Bytes;
use gaillery_core::api::{PhotoEvent, PhotoPage, TagCount};
use gaillery_core::{Label, Month, OwnerId, Photo, PhotoId, PhotoStatus, TimelineOrder};
use gaillery_storage::{
    BlobKey, BlobListing, BlobReader, BlobStore, Catalog, EventLog, InsertOutcome, Job, JobOutcome,
    LoggedEvent, MonthCount, NewPhoto, PhotoTotals, StorageError,
};
use std::collections::HashMap;
use std::future::Future;
use std::hash::Hash;
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

/// The operations of a [`Catalog`] and an [`EventLog`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CatalogOp {
    InsertPhoto,
    Photo,
    PhotoByHash,
    ListPhotos,
    DeletePhoto,
    DeleteAllPhotos,
    PhotoTotals,
    SetStatus,
    SetLabels,
    ListPhotosTagged,
    Timeline,
    ListMonth,
    TagCounts,
    EnqueueJob,
    ClaimJobs,
    FinishJob,
    ReleaseJobs,
    PhotosWithoutJobs,
    AppendEvent,
    EventsSince,
}

/// The operations of a [`BlobStore`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BlobOp {
    PutFile,
    PutBytes,
    Open,
    ReadAll,
    Delete,
    Exists,
    DirectUrl,
    /// The listing fails as it starts.
    List,
}

/// A storage outage, as the adapters report one.
pub fn outage() -> StorageError {
    StorageError::Unavailable("injected outage".to_owned())
}

/// Which operations fail, how often, and how many calls each got.
pub struct Faults<Op> {
    state: Mutex<FaultState<Op>>,
}

struct FaultState<Op> {
    planned: HashMap<Op, Fault>,
    calls: HashMap<Op, u32>,
}

struct Fault {
    /// Failures still to come; `u32::MAX` fails for good.
    remaining: u32,
    error: StorageError,
    after_applying: bool,
}

impl<Op: Copy + Eq + Hash> Default for Faults<Op> {
    fn default() -> Self {
        Faults {
            state: Mutex::new(FaultState {
                planned: HashMap::new(),
                calls: HashMap::new(),
            }),
        }
    }
}

impl<Op: Copy + Eq + Hash> Faults<Op> {
    /// The next `times` calls of `op` fail with `error` without reaching the inner adapter.
    pub fn fail(&self, op: Op, times: u32, error: StorageError) {
        self.plan(op, times, error, false);
    }

    /// Every call of `op` fails with `error` from now on, until [`Faults::heal`].
    pub fn fail_always(&self, op: Op, error: StorageError) {
        self.plan(op, u32::MAX, error, false);
    }

    /// The next `times` calls of `op` reach the inner adapter and take effect there, but fail
    /// with `error`: a request that landed and whose answer was lost.
    pub fn fail_after_applying(&self, op: Op, times: u32, error: StorageError) {
        self.plan(op, times, error, true);
    }

    /// `op` works again.
    pub fn heal(&self, op: Op) {
        self.lock().planned.remove(&op);
    }

    /// How many times `op` was called, failed or not.
    pub fn calls(&self, op: Op) -> u32 {
        self.lock().calls.get(&op).copied().unwrap_or(0)
    }

    fn plan(&self, op: Op, times: u32, error: StorageError, after_applying: bool) {
        let fault = Fault {
            remaining: times,
            error,
            after_applying,
        };
        self.lock().planned.insert(op, fault);
    }

    /// Counts a call of `op`, and runs it unless a fault is due.
    async fn run<T>(
        &self,
        op: Op,
        call: impl Future<Output = Result<T, StorageError>>,
    ) -> Result<T, StorageError> {
        match self.due(op) {
            None => call.await,
            Some((error, false)) => Err(error),
            Some((error, true)) => {
                call.await?;
                Err(error)
            }
        }
    }

    /// Counts a call of `op`; the fault it meets, if one is due, and whether it applies first.
    fn due(&self, op: Op) -> Option<(StorageError, bool)> {
        let mut state = self.lock();
        *state.calls.entry(op).or_default() += 1;
        match state.planned.get_mut(&op) {
            Some(fault) if fault.remaining > 0 => {
                if fault.remaining != u32::MAX {
                    fault.remaining -= 1;
                }
                Some((fault.error.clone(), fault.after_applying))
            }
            _ => None,
        }
    }

    fn lock(&self) -> MutexGuard<'_, FaultState<Op>> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// A catalog (and event log) that fails the operations its [`Faults`] name.
pub struct FailingCatalog<C> {
    inner: Arc<C>,
    pub faults: Faults<CatalogOp>,
}

impl<C> FailingCatalog<C> {
    pub fn new(inner: Arc<C>) -> FailingCatalog<C> {
        FailingCatalog {
            inner,
            faults: Faults::default(),
        }
    }
}

#[async_trait]
impl<C: Catalog> Catalog for FailingCatalog<C> {
    async fn insert_photo(&self, photo: NewPhoto) -> Result<InsertOutcome, StorageError> {
        let call = self.inner.insert_photo(photo);
        self.faults.run(CatalogOp::InsertPhoto, call).await
    }

    async fn photo(&self, owner: &OwnerId, id: &PhotoId) -> Result<Option<Photo>, StorageError> {
        let call = self.inner.photo(owner, id);
        self.faults.run(CatalogOp::Photo, call).await
    }

    async fn photo_by_hash(
        &self,
        owner: &OwnerId,
        sha256: &str,
    ) -> Result<Option<Photo>, StorageError> {
        let call = self.inner.photo_by_hash(owner, sha256);
        self.faults.run(CatalogOp::PhotoByHash, call).await
    }

    async fn list_photos(
        &self,
        owner: &OwnerId,
        cursor: Option<&str>,
        limit: usize,
    ) -> Result<PhotoPage, StorageError> {
        let call = self.inner.list_photos(owner, cursor, limit);
        self.faults.run(CatalogOp::ListPhotos, call).await
    }

    async fn delete_photo(&self, owner: &OwnerId, id: &PhotoId) -> Result<bool, StorageError> {
        let call = self.inner.delete_photo(owner, id);
        self.faults.run(CatalogOp::DeletePhoto, call).await
    }

    async fn delete_all_photos(&self, owner: &OwnerId) -> Result<Vec<PhotoId>, StorageError> {
        let call = self.inner.delete_all_photos(owner);
        self.faults.run(CatalogOp::DeleteAllPhotos, call).await
    }

    async fn photo_totals(&self, owner: &OwnerId) -> Result<PhotoTotals, StorageError> {
        let call = self.inner.photo_totals(owner);
        self.faults.run(CatalogOp::PhotoTotals, call).await
    }

    async fn set_status(
        &self,
        owner: &OwnerId,
        id: &PhotoId,
        status: PhotoStatus,
        reason: Option<String>,
    ) -> Result<bool, StorageError> {
        let call = self.inner.set_status(owner, id, status, reason);
        self.faults.run(CatalogOp::SetStatus, call).await
    }

    async fn set_labels(
        &self,
        owner: &OwnerId,
        id: &PhotoId,
        labels: Vec<Label>,
    ) -> Result<bool, StorageError> {
        let call = self.inner.set_labels(owner, id, labels);
        self.faults.run(CatalogOp::SetLabels, call).await
    }

    async fn list_photos_tagged(
        &self,
        owner: &OwnerId,
        tags: &[Vec<String>],
        cursor: Option<&str>,
        limit: usize,
    ) -> Result<PhotoPage, StorageError> {
        let call = self.inner.list_photos_tagged(owner, tags, cursor, limit);
        self.faults.run(CatalogOp::ListPhotosTagged, call).await
    }

    async fn timeline(
        &self,
        owner: &OwnerId,
        order: TimelineOrder,
        tags: &[Vec<String>],
    ) -> Result<Vec<MonthCount>, StorageError> {
        let call = self.inner.timeline(owner, order, tags);
        self.faults.run(CatalogOp::Timeline, call).await
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
        let call = self
            .inner
            .list_month(owner, order, month, tags, cursor, limit);
        self.faults.run(CatalogOp::ListMonth, call).await
    }

    async fn tag_counts(&self, owner: &OwnerId) -> Result<Vec<TagCount>, StorageError> {
        let call = self.inner.tag_counts(owner);
        self.faults.run(CatalogOp::TagCounts, call).await
    }

    async fn enqueue_job(
        &self,
        owner: &OwnerId,
        id: &PhotoId,
        model: &str,
        now_ms: i64,
    ) -> Result<bool, StorageError> {
        let call = self.inner.enqueue_job(owner, id, model, now_ms);
        self.faults.run(CatalogOp::EnqueueJob, call).await
    }

    async fn claim_jobs(
        &self,
        worker: &str,
        limit: usize,
        lease_ms: i64,
        now_ms: i64,
    ) -> Result<Vec<Job>, StorageError> {
        let call = self.inner.claim_jobs(worker, limit, lease_ms, now_ms);
        self.faults.run(CatalogOp::ClaimJobs, call).await
    }

    async fn finish_job(
        &self,
        job: &Job,
        worker: &str,
        outcome: JobOutcome,
    ) -> Result<bool, StorageError> {
        let call = self.inner.finish_job(job, worker, outcome);
        self.faults.run(CatalogOp::FinishJob, call).await
    }

    async fn release_jobs(&self, instance: &str) -> Result<u64, StorageError> {
        let call = self.inner.release_jobs(instance);
        self.faults.run(CatalogOp::ReleaseJobs, call).await
    }

    async fn photos_without_jobs(&self, owner: &OwnerId) -> Result<Vec<PhotoId>, StorageError> {
        let call = self.inner.photos_without_jobs(owner);
        self.faults.run(CatalogOp::PhotosWithoutJobs, call).await
    }
}

#[async_trait]
impl<C: EventLog> EventLog for FailingCatalog<C> {
    async fn append_event(
        &self,
        owner: &OwnerId,
        origin: &str,
        event: &PhotoEvent,
        now_ms: i64,
    ) -> Result<(), StorageError> {
        let call = self.inner.append_event(owner, origin, event, now_ms);
        self.faults.run(CatalogOp::AppendEvent, call).await
    }

    async fn events_since(
        &self,
        owner: &OwnerId,
        since_ms: i64,
        limit: usize,
    ) -> Result<Vec<LoggedEvent>, StorageError> {
        let call = self.inner.events_since(owner, since_ms, limit);
        self.faults.run(CatalogOp::EventsSince, call).await
    }
}

/// A blob store that fails the operations its [`Faults`] name.
pub struct FailingBlobStore<B> {
    inner: Arc<B>,
    pub faults: Faults<BlobOp>,
}

impl<B> FailingBlobStore<B> {
    pub fn new(inner: Arc<B>) -> FailingBlobStore<B> {
        FailingBlobStore {
            inner,
            faults: Faults::default(),
        }
    }
}

#[async_trait]
impl<B: BlobStore> BlobStore for FailingBlobStore<B> {
    async fn put_file(
        &self,
        key: &BlobKey,
        source: &Path,
        content_type: &str,
    ) -> Result<(), StorageError> {
        let call = self.inner.put_file(key, source, content_type);
        self.faults.run(BlobOp::PutFile, call).await
    }

    async fn put_bytes(
        &self,
        key: &BlobKey,
        bytes: Bytes,
        content_type: &str,
    ) -> Result<(), StorageError> {
        let call = self.inner.put_bytes(key, bytes, content_type);
        self.faults.run(BlobOp::PutBytes, call).await
    }

    async fn open(&self, key: &BlobKey) -> Result<BlobReader, StorageError> {
        self.faults.run(BlobOp::Open, self.inner.open(key)).await
    }

    async fn read_all(&self, key: &BlobKey) -> Result<Bytes, StorageError> {
        self.faults
            .run(BlobOp::ReadAll, self.inner.read_all(key))
            .await
    }

    async fn delete(&self, key: &BlobKey) -> Result<(), StorageError> {
        self.faults
            .run(BlobOp::Delete, self.inner.delete(key))
            .await
    }

    async fn exists(&self, key: &BlobKey) -> Result<bool, StorageError> {
        self.faults
            .run(BlobOp::Exists, self.inner.exists(key))
            .await
    }

    async fn direct_url(
        &self,
        key: &BlobKey,
        expires_in: Duration,
        content_type: &str,
        cache_control: &str,
    ) -> Result<Option<String>, StorageError> {
        let call = self
            .inner
            .direct_url(key, expires_in, content_type, cache_control);
        self.faults.run(BlobOp::DirectUrl, call).await
    }

    fn list<'a>(&'a self, prefix: &'a str) -> BlobListing<'a> {
        match self.faults.due(BlobOp::List) {
            Some((error, _)) => Box::pin(futures::stream::once(async move { Err(error) })),
            None => self.inner.list(prefix),
        }
    }
}

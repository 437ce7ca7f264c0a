//! Storage in memory: a [`Catalog`] (with its job queue, [`EventLog`],
//! [`AccountStore`](gaillery_storage::AccountStore) and
//! [`AlbumStore`](gaillery_storage::AlbumStore)) and a [`BlobStore`] that keep everything in
//! maps behind a mutex, for tests of the layers above storage.
//!
//! They follow the SQLite and file adapters rule for rule and pass the same contract suite
//! (`tests/memory_contract.rs`), so a test that runs on them shows what the gallery does on
//! real storage, only without disks, processes or sleeps.

mod accounts;
mod albums;
mod blobs;
mod events;
mod timeline;

use async_trait::async_trait;
pub use blobs::MemoryBlobStore;
use bytes::Bytes;
use gaillery_core::api::{PhotoEvent, PhotoPage, TagCount};
use gaillery_core::{
    searchable_labels, Label, Month, OwnerId, Photo, PhotoId, PhotoStatus, TimelineOrder,
};
use gaillery_storage::catalog::page_limit;
use gaillery_storage::{
    BlobKey, BlobListing, BlobReader, BlobStore, Catalog, EventLog, InsertOutcome, Job, JobOutcome,
    LoggedEvent, MonthCount, NewPhoto, PageCursor, PhotoTotals, StorageError, StoredBlob,
};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;
use std::sync::{Mutex, MutexGuard, PoisonError};

/// The catalog, job queue, event log, accounts and albums in memory.
#[derive(Default)]
pub struct MemoryCatalog {
    state: Mutex<CatalogState>,
    accounts: Mutex<accounts::AccountsState>,
    albums: Mutex<albums::AlbumsState>,
}

#[derive(Default)]
struct CatalogState {
    /// By id: ids are unique across owners, as blob keys are made from them alone.
    photos: BTreeMap<PhotoId, StoredPhoto>,
    jobs: BTreeMap<PhotoId, StoredJob>,
    /// Per owner, by key (which sorts like the time).
    events: HashMap<OwnerId, BTreeMap<String, LoggedEvent>>,
    /// Makes event keys of one millisecond unique.
    event_seq: u64,
}

struct StoredPhoto {
    owner: OwnerId,
    created_at_ms: i64,
    photo: Photo,
}

struct StoredJob {
    owner: OwnerId,
    model: String,
    attempts: u32,
    run_after_ms: i64,
    created_at_ms: i64,
    claimed_by: Option<String>,
    lease_expires_ms: i64,
}

impl MemoryCatalog {
    pub fn new() -> MemoryCatalog {
        MemoryCatalog::default()
    }

    /// How many jobs are queued or claimed, for tests to check that one exists.
    pub fn job_count(&self) -> usize {
        self.lock().jobs.len()
    }

    /// Whether the photo has a job (queued or claimed).
    pub fn has_job(&self, id: &PhotoId) -> bool {
        self.lock().jobs.contains_key(id)
    }

    fn lock(&self) -> MutexGuard<'_, CatalogState> {
        // A test that panicked while holding the lock left consistent maps: every change
        // below is made after all its checks.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl CatalogState {
    fn owned(&self, owner: &OwnerId, id: &PhotoId) -> Option<&StoredPhoto> {
        self.photos.get(id).filter(|stored| &stored.owner == owner)
    }

    fn owned_mut(&mut self, owner: &OwnerId, id: &PhotoId) -> Option<&mut StoredPhoto> {
        self.photos
            .get_mut(id)
            .filter(|stored| &stored.owner == owner)
    }

    fn by_hash(&self, owner: &OwnerId, sha256: &str) -> Option<&Photo> {
        self.photos
            .values()
            .find(|stored| &stored.owner == owner && stored.photo.sha256 == sha256)
            .map(|stored| &stored.photo)
    }

    fn remove_photo(&mut self, id: &PhotoId) {
        self.photos.remove(id);
        // As the SQLite schema's ON DELETE CASCADE.
        self.jobs.remove(id);
    }
}

fn refuse_non_finite(labels: &[Label]) -> Result<(), StorageError> {
    match labels.iter().find(|label| !label.probability.is_finite()) {
        Some(label) => Err(StorageError::Backend(format!(
            "label {:?} has a non-finite probability",
            label.label
        ))),
        None => Ok(()),
    }
}

#[async_trait]
impl Catalog for MemoryCatalog {
    async fn insert_photo(&self, photo: NewPhoto) -> Result<InsertOutcome, StorageError> {
        let mut state = self.lock();
        if let Some(existing) = state.by_hash(&photo.owner, &photo.sha256) {
            return Ok(InsertOutcome::Duplicate(existing.clone()));
        }
        if state.photos.contains_key(&photo.id) {
            return Err(StorageError::Backend(format!(
                "photo id {} is taken",
                photo.id
            )));
        }
        let created = photo.to_photo();
        state.photos.insert(
            photo.id.clone(),
            StoredPhoto {
                owner: photo.owner,
                created_at_ms: photo.created_at_ms,
                photo: created.clone(),
            },
        );
        Ok(InsertOutcome::Created(created))
    }

    async fn photo(&self, owner: &OwnerId, id: &PhotoId) -> Result<Option<Photo>, StorageError> {
        Ok(self
            .lock()
            .owned(owner, id)
            .map(|stored| stored.photo.clone()))
    }

    async fn photo_by_hash(
        &self,
        owner: &OwnerId,
        sha256: &str,
    ) -> Result<Option<Photo>, StorageError> {
        Ok(self.lock().by_hash(owner, sha256).cloned())
    }

    async fn list_photos(
        &self,
        owner: &OwnerId,
        cursor: Option<&str>,
        limit: usize,
    ) -> Result<PhotoPage, StorageError> {
        self.list_photos_tagged(owner, &[], cursor, limit).await
    }

    async fn delete_photo(&self, owner: &OwnerId, id: &PhotoId) -> Result<bool, StorageError> {
        let mut state = self.lock();
        if state.owned(owner, id).is_none() {
            return Ok(false);
        }
        state.remove_photo(id);
        Ok(true)
    }

    async fn delete_all_photos(&self, owner: &OwnerId) -> Result<Vec<PhotoId>, StorageError> {
        let mut state = self.lock();
        let ids: Vec<PhotoId> = state
            .photos
            .iter()
            .filter(|(_, stored)| &stored.owner == owner)
            .map(|(id, _)| id.clone())
            .collect();
        for id in &ids {
            state.remove_photo(id);
        }
        Ok(ids)
    }

    async fn photo_totals(&self, owner: &OwnerId) -> Result<PhotoTotals, StorageError> {
        let state = self.lock();
        let owned = state.photos.values().filter(|s| &s.owner == owner);
        Ok(
            owned.fold(PhotoTotals::default(), |totals, stored| PhotoTotals {
                photos: totals.photos + 1,
                bytes: totals.bytes + stored.photo.size_bytes,
            }),
        )
    }

    async fn set_status(
        &self,
        owner: &OwnerId,
        id: &PhotoId,
        status: PhotoStatus,
        reason: Option<String>,
    ) -> Result<bool, StorageError> {
        let mut state = self.lock();
        let Some(stored) = state.owned_mut(owner, id) else {
            return Ok(false);
        };
        stored.photo.status = status;
        stored.photo.status_reason = reason;
        Ok(true)
    }

    async fn set_labels(
        &self,
        owner: &OwnerId,
        id: &PhotoId,
        labels: Vec<Label>,
    ) -> Result<bool, StorageError> {
        refuse_non_finite(&labels)?;
        let mut state = self.lock();
        let Some(stored) = state.owned_mut(owner, id) else {
            return Ok(false);
        };
        stored.photo.labels = labels;
        Ok(true)
    }

    async fn list_photos_tagged(
        &self,
        owner: &OwnerId,
        tags: &[Vec<String>],
        cursor: Option<&str>,
        limit: usize,
    ) -> Result<PhotoPage, StorageError> {
        let limit = page_limit(limit);
        let after = cursor.map(PageCursor::decode).transpose()?;
        let state = self.lock();
        let mut matching: Vec<&StoredPhoto> = state
            .photos
            .values()
            .filter(|stored| &stored.owner == owner)
            .filter(|stored| {
                after.as_ref().is_none_or(|after| {
                    (stored.created_at_ms, &stored.photo.id) < (after.key, &after.id)
                })
            })
            .filter(|stored| timeline::matches(stored, tags))
            .collect();
        // Newest first, ties broken by id, as the cursor's order.
        matching
            .sort_by(|a, b| (b.created_at_ms, &b.photo.id).cmp(&(a.created_at_ms, &a.photo.id)));
        let next_cursor = (matching.len() > limit).then(|| {
            let last = matching[limit - 1];
            PageCursor::after(last.created_at_ms, &last.photo.id).encode()
        });
        let photos = matching
            .into_iter()
            .take(limit)
            .map(|stored| stored.photo.clone())
            .collect();
        Ok(PhotoPage {
            photos,
            next_cursor,
        })
    }

    async fn timeline(
        &self,
        owner: &OwnerId,
        order: TimelineOrder,
        tags: &[Vec<String>],
    ) -> Result<Vec<MonthCount>, StorageError> {
        Ok(self.lock().timeline(owner, order, tags))
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
        let after = cursor.map(PageCursor::decode).transpose()?;
        Ok(self
            .lock()
            .month_page(owner, order, month, tags, after.as_ref(), limit))
    }

    async fn tag_counts(&self, owner: &OwnerId) -> Result<Vec<TagCount>, StorageError> {
        let state = self.lock();
        let mut counts: BTreeMap<&str, u64> = BTreeMap::new();
        for stored in state.photos.values().filter(|s| &s.owner == owner) {
            // A label a photo carries twice counts once, as the label index has it.
            let labels: BTreeSet<&str> = searchable_labels(&stored.photo.labels)
                .map(|label| label.label.as_str())
                .collect();
            for label in labels {
                *counts.entry(label).or_default() += 1;
            }
        }
        let mut tags: Vec<TagCount> = counts
            .into_iter()
            .map(|(tag, count)| TagCount {
                tag: tag.to_owned(),
                count,
            })
            .collect();
        // Most common first; the map already ordered equal counts by label.
        tags.sort_by_key(|tag| std::cmp::Reverse(tag.count));
        Ok(tags)
    }

    async fn enqueue_job(
        &self,
        owner: &OwnerId,
        id: &PhotoId,
        model: &str,
        now_ms: i64,
    ) -> Result<bool, StorageError> {
        let mut state = self.lock();
        let Some(stored) = state.owned_mut(owner, id) else {
            return Ok(false);
        };
        stored.photo.status = PhotoStatus::Queued;
        stored.photo.status_reason = None;
        state.jobs.insert(
            id.clone(),
            StoredJob {
                owner: owner.clone(),
                model: model.to_owned(),
                attempts: 0,
                run_after_ms: now_ms,
                created_at_ms: now_ms,
                claimed_by: None,
                lease_expires_ms: 0,
            },
        );
        Ok(true)
    }

    async fn claim_jobs(
        &self,
        worker: &str,
        limit: usize,
        lease_ms: i64,
        now_ms: i64,
    ) -> Result<Vec<Job>, StorageError> {
        let mut state = self.lock();
        let mut due: Vec<(i64, PhotoId)> = state
            .jobs
            .iter()
            .filter(|(_, job)| {
                job.run_after_ms <= now_ms
                    && (job.claimed_by.is_none() || job.lease_expires_ms <= now_ms)
            })
            .map(|(id, job)| (job.created_at_ms, id.clone()))
            .collect();
        due.sort();
        let mut claimed = Vec::new();
        for (_, id) in due.into_iter().take(limit) {
            if let Some(job) = state.jobs.get_mut(&id) {
                job.claimed_by = Some(worker.to_owned());
                job.lease_expires_ms = now_ms.saturating_add(lease_ms);
                job.attempts = job.attempts.saturating_add(1);
                claimed.push(Job {
                    owner: job.owner.clone(),
                    photo_id: id,
                    model: job.model.clone(),
                    attempt: job.attempts,
                });
            }
        }
        Ok(claimed)
    }

    async fn finish_job(
        &self,
        job: &Job,
        worker: &str,
        outcome: JobOutcome,
    ) -> Result<bool, StorageError> {
        let mut state = self.lock();
        let holds = state
            .jobs
            .get(&job.photo_id)
            .is_some_and(|held| held.claimed_by.as_deref() == Some(worker));
        if !holds {
            return Ok(false);
        }
        let id = &job.photo_id;
        match outcome {
            JobOutcome::Done(labels) => {
                if let Some(stored) = state.photos.get_mut(id) {
                    stored.photo.labels = labels;
                    stored.photo.status = PhotoStatus::Done;
                    stored.photo.status_reason = None;
                }
                state.jobs.remove(id);
            }
            JobOutcome::Failed(reason) => {
                if let Some(stored) = state.photos.get_mut(id) {
                    stored.photo.status = PhotoStatus::Failed;
                    stored.photo.status_reason = Some(reason);
                }
                state.jobs.remove(id);
            }
            JobOutcome::Retry {
                reason,
                run_after_ms,
            } => {
                if let Some(stored) = state.photos.get_mut(id) {
                    stored.photo.status = PhotoStatus::Queued;
                    stored.photo.status_reason = Some(reason);
                }
                if let Some(held) = state.jobs.get_mut(id) {
                    held.claimed_by = None;
                    held.run_after_ms = run_after_ms;
                }
            }
        }
        Ok(true)
    }

    async fn release_jobs(&self, instance: &str) -> Result<u64, StorageError> {
        let prefix = format!("{instance}/");
        let mut state = self.lock();
        let held: Vec<PhotoId> = state
            .jobs
            .iter()
            .filter(|(_, job)| {
                job.claimed_by
                    .as_deref()
                    .is_some_and(|worker| worker.starts_with(&prefix))
            })
            .map(|(id, _)| id.clone())
            .collect();
        for id in &held {
            if let Some(stored) = state.photos.get_mut(id) {
                stored.photo.status = PhotoStatus::Queued;
            }
            if let Some(job) = state.jobs.get_mut(id) {
                job.claimed_by = None;
            }
        }
        Ok(held.len() as u64)
    }

    async fn photos_without_jobs(&self, owner: &OwnerId) -> Result<Vec<PhotoId>, StorageError> {
        let state = self.lock();
        Ok(state
            .photos
            .iter()
            .filter(|(id, stored)| {
                &stored.owner == owner
                    && !matches!(stored.photo.status, PhotoStatus::Done | PhotoStatus::Failed)
                    && !state.jobs.contains_key(*id)
            })
            .map(|(id, _)| id.clone())
            .collect())
    }
}

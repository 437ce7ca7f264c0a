//! The gallery's service layer: what GAiLLERY does, independent of HTTP.
//!
//! The JSON API and the Leptos server functions both call this layer, so they behave the same.
//! It owns the storage handles (`BlobStore`, `Catalog`) and runs image work off the async
//! runtime, with at most one decode per core at a time.

mod error;
mod ids;
mod image_sources;
pub mod pipeline;
mod relay;
mod staging;

pub use error::ServiceError;
pub use image_sources::ImageSource;
pub use relay::{Relay, RelayTasks};
pub use staging::StagedUpload;

use gaillery_core::api::{PhotoEvent, PhotoPage, TagCount, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE};
use gaillery_core::voice::TagVocabulary;
use gaillery_core::{OwnerId, Photo, PhotoId, PhotoStatus, Variant};
use gaillery_imaging::{EncodedImage, Limits, ProcessedImage};
use gaillery_storage::{BlobReader, BlobStore, Catalog, InsertOutcome, NewPhoto};
use std::path::PathBuf;
use std::sync::Arc;
use tokio::sync::{broadcast, Notify, Semaphore};

/// How many stage changes a slow event subscriber may fall behind before it misses some (it
/// then reloads what it shows).
const EVENT_BUFFER: usize = 1024;

/// Retries of queueing a new photo's classification while storage is down: about ten
/// minutes, the first after a second, then at most 15 s apart.
const ENQUEUE_RETRIES: u32 = 45;
const ENQUEUE_FIRST_RETRY: std::time::Duration = std::time::Duration::from_secs(1);
const ENQUEUE_MAX_RETRY: std::time::Duration = std::time::Duration::from_secs(15);

/// How long after a failed insert the catalog is asked whether it landed after all: past any
/// request of it still queued at the storage service. Then, while the catalog cannot answer,
/// 20 more asks at most 15 s apart.
const SETTLE_AFTER: std::time::Duration = std::time::Duration::from_secs(30);
const SETTLE_RETRY: std::time::Duration = std::time::Duration::from_secs(15);
const SETTLE_TRIES: u32 = 21;

/// Limits and places the service works with.
#[derive(Clone, Debug)]
pub struct GalleryConfig {
    /// Largest accepted file, in bytes.
    pub max_upload_bytes: u64,
    /// Pixel and dimension limits checked before decoding.
    pub image_limits: Limits,
    /// Where uploads are staged while they stream in; on the same filesystem as the blob store
    /// when that is local, so storing an original is a rename.
    pub staging_dir: PathBuf,
    /// How many images may be decoded at once (memory and cores).
    pub processing_slots: usize,
    /// The models photos may be classified with, the one for new uploads first; empty when
    /// classification is off, and photos are done as soon as they are stored.
    pub models: Vec<String>,
}

impl GalleryConfig {
    /// The model new uploads are classified with.
    pub fn default_model(&self) -> Option<&str> {
        self.models.first().map(String::as_str)
    }
}

/// What happened to one uploaded file.
#[derive(Clone, Debug, PartialEq)]
pub enum IngestOutcome {
    /// A new photo was stored.
    Created(Photo),
    /// The owner already had these exact bytes; nothing new was stored.
    Duplicate(Photo),
}

impl IngestOutcome {
    pub fn photo(&self) -> &Photo {
        match self {
            IngestOutcome::Created(photo) | IngestOutcome::Duplicate(photo) => photo,
        }
    }

    pub fn into_photo(self) -> Photo {
        match self {
            IngestOutcome::Created(photo) | IngestOutcome::Duplicate(photo) => photo,
        }
    }
}

/// The gallery service. Cheap to clone; share one per process.
#[derive(Clone)]
pub struct Gallery {
    blobs: Arc<dyn BlobStore>,
    catalog: Arc<dyn Catalog>,
    config: Arc<GalleryConfig>,
    processing: Arc<Semaphore>,
    /// Stage changes, for the live view.
    events: broadcast::Sender<PhotoEvent>,
    /// Woken when a job is queued, so idle workers start at once instead of at their next poll.
    jobs_queued: Arc<Notify>,
    /// Shares stage changes with other servers on the same catalog, when there are any.
    relay: Option<Relay>,
    /// What image responses need from the catalog, so a page of thumbnails costs no read each.
    image_sources: Arc<image_sources::ImageSources>,
}

impl Gallery {
    pub fn new(
        blobs: Arc<dyn BlobStore>,
        catalog: Arc<dyn Catalog>,
        config: GalleryConfig,
    ) -> Gallery {
        let processing = Arc::new(Semaphore::new(config.processing_slots.max(1)));
        Gallery {
            blobs,
            catalog,
            config: Arc::new(config),
            processing,
            events: broadcast::channel(EVENT_BUFFER).0,
            jobs_queued: Arc::new(Notify::new()),
            relay: None,
            image_sources: Arc::default(),
        }
    }

    /// Every photo's stage changes from now on, as they happen on this server and, with a
    /// [`Relay`], on the others sharing its catalog.
    pub fn subscribe(&self) -> broadcast::Receiver<PhotoEvent> {
        self.events.subscribe()
    }

    /// A change made here: to this server's subscribers and to the other servers.
    pub(crate) fn publish(&self, event: PhotoEvent) {
        if let Some(relay) = &self.relay {
            relay.send(&event);
        }
        self.broadcast(event);
    }

    /// To this server's subscribers only.
    pub(crate) fn broadcast(&self, event: PhotoEvent) {
        // No subscriber is not an error: nobody is watching.
        let _ = self.events.send(event);
    }

    pub fn config(&self) -> &GalleryConfig {
        &self.config
    }

    /// Starts receiving one file; feed it with [`StagedUpload::write`].
    pub async fn begin_upload(&self, filename: &str) -> Result<StagedUpload, ServiceError> {
        StagedUpload::create(
            &self.config.staging_dir,
            filename,
            self.config.max_upload_bytes,
        )
        .await
    }

    /// Turns a fully received file into a photo: identifies and checks it, makes the derived
    /// images, stores everything, and catalogues it. Uploading bytes the owner already has
    /// returns the existing photo.
    pub async fn ingest(
        &self,
        owner: &OwnerId,
        upload: StagedUpload,
    ) -> Result<IngestOutcome, ServiceError> {
        let received = upload.finish().await?;
        if let Some(existing) = self.catalog.photo_by_hash(owner, &received.sha256).await? {
            return Ok(IngestOutcome::Duplicate(existing));
        }
        if gaillery_imaging::sniff(&received.head).is_none() {
            return Err(ServiceError::Image(
                gaillery_imaging::ImagingError::Unsupported,
            ));
        }

        let ProcessedImage {
            format,
            width,
            height,
            taken_at,
            placeholder,
            thumbnail,
            thumbnail_2x,
            preview,
        } = self.process(received.path.to_path_buf()).await?;
        let id = ids::new_photo_id();
        let keys = ids::keys_for(&id)?;
        let derived = [
            (Variant::Thumbnail, thumbnail),
            (Variant::Thumbnail2x, thumbnail_2x),
            (Variant::Preview, preview),
        ];
        let stored = self
            .store_blobs(&keys, derived, &received, format.mime())
            .await;
        if let Err(error) = stored {
            self.remove_blobs(&keys).await;
            return Err(error);
        }

        let new_photo = NewPhoto {
            id: id.clone(),
            owner: owner.clone(),
            filename: received.filename.clone(),
            width,
            height,
            taken_at,
            format: format.as_str().to_owned(),
            size_bytes: received.size,
            sha256: received.sha256.clone(),
            placeholder,
            // With classification on, the photo waits for its job; otherwise it is complete.
            status: if self.config.default_model().is_some() {
                PhotoStatus::Queued
            } else {
                PhotoStatus::Done
            },
            created_at_ms: ids::now_ms(),
        };
        match self.catalog.insert_photo(new_photo).await {
            Ok(InsertOutcome::Created(photo)) => {
                if let Some(model) = self.config.default_model() {
                    self.queue_new_photo(owner, &photo.id, model).await;
                }
                Ok(IngestOutcome::Created(photo))
            }
            Ok(InsertOutcome::Duplicate(existing)) => {
                // Another upload of the same bytes won the race; ours is surplus.
                self.remove_blobs(&keys).await;
                Ok(IngestOutcome::Duplicate(existing))
            }
            Err(error) => {
                // A failed insert may still have been applied: a request that timed out or
                // lost its answer can have reached the catalog. Removing the images now could
                // leave a catalogued photo pointing at nothing, so look first (later).
                self.settle_failed_insert(owner, &id, keys);
                Err(error.into())
            }
        }
    }

    /// After an insert failed: once any request still in flight has had time to land, looks
    /// the photo up. Catalogued after all, it gets its classification job; otherwise its
    /// images go. While the catalog cannot answer, the images stay: never listed, and never
    /// a catalogued photo without them.
    fn settle_failed_insert(&self, owner: &OwnerId, id: &PhotoId, keys: ids::PhotoKeys) {
        let (gallery, owner, id) = (self.clone(), owner.clone(), id.clone());
        tokio::spawn(async move {
            let looked_up = keep_trying(SETTLE_AFTER, SETTLE_RETRY, SETTLE_TRIES, || {
                gallery.catalog.photo(&owner, &id)
            })
            .await;
            match looked_up {
                Some(Some(photo)) => {
                    tracing::info!(%id, "a photo whose insert failed was catalogued after all");
                    if let Some(model) = gallery.config.default_model() {
                        gallery.queue_new_photo(&owner, &id, model).await;
                    }
                    gallery.publish(PhotoEvent::current(&photo));
                }
                Some(None) => gallery.remove_blobs(&keys).await,
                None => {
                    tracing::warn!(%id, "cannot tell whether a failed insert landed; its images stay")
                }
            }
        });
    }

    /// Queues the classification of a photo just catalogued. When storage fails right then,
    /// the photo is listed `queued` without a job: this keeps trying in the background, so an
    /// outage delays the job instead of losing it. Should the server stop first, its next start
    /// queues the photo (`Catalog::photos_without_jobs`).
    async fn queue_new_photo(&self, owner: &OwnerId, id: &PhotoId, model: &str) {
        let first = self
            .catalog
            .enqueue_job(owner, id, model, ids::now_ms())
            .await;
        let Err(error) = first else {
            self.jobs_queued.notify_waiters();
            return;
        };
        tracing::warn!(%error, %id, "could not queue classification; retrying");
        let (gallery, owner, id, model) =
            (self.clone(), owner.clone(), id.clone(), model.to_owned());
        tokio::spawn(async move {
            let queued = keep_trying(
                ENQUEUE_FIRST_RETRY,
                ENQUEUE_MAX_RETRY,
                ENQUEUE_RETRIES,
                || {
                    gallery
                        .catalog
                        .enqueue_job(&owner, &id, &model, ids::now_ms())
                },
            )
            .await;
            match queued {
                Some(_) => gallery.jobs_queued.notify_waiters(),
                None => {
                    tracing::warn!(%id, "gave up queueing classification; the next start queues it")
                }
            }
        });
    }

    /// Decodes and derives off the async runtime, a bounded number at a time.
    async fn process(&self, path: PathBuf) -> Result<ProcessedImage, ServiceError> {
        let _slot = self
            .processing
            .acquire()
            .await
            .map_err(|_| ServiceError::Internal("image processing pool closed".into()))?;
        let limits = self.config.image_limits;
        let task = tokio::task::spawn_blocking(move || {
            let bytes = std::fs::read(&path)?;
            Ok::<_, ServiceError>(gaillery_imaging::process(&bytes, &limits)?)
        });
        task.await.map_err(|join| {
            ServiceError::Internal(format!("image processing task failed: {join}"))
        })?
    }

    async fn store_blobs(
        &self,
        keys: &ids::PhotoKeys,
        derived: [(Variant, EncodedImage); 3],
        received: &staging::ReceivedFile,
        original_type: &str,
    ) -> Result<(), ServiceError> {
        for (variant, image) in derived {
            let bytes = bytes::Bytes::from(image.bytes);
            self.blobs
                .put_bytes(keys.get(variant), bytes, image.content_type)
                .await?;
        }
        // The original goes last: it is moved, not copied, when staging shares the filesystem.
        self.blobs
            .put_file(keys.get(Variant::Original), &received.path, original_type)
            .await?;
        Ok(())
    }

    /// Best effort: a blob left behind is invisible (no catalog entry points to it).
    async fn remove_blobs(&self, keys: &ids::PhotoKeys) {
        for key in keys.all() {
            if let Err(error) = self.blobs.delete(key).await {
                tracing::warn!(%error, key = key.as_str(), "could not remove blob");
            }
        }
    }

    pub async fn photo(&self, owner: &OwnerId, id: &PhotoId) -> Result<Photo, ServiceError> {
        self.catalog
            .photo(owner, id)
            .await?
            .ok_or(ServiceError::NotFound)
    }

    /// One page of the owner's photos, newest first; with `tags`, only those matching every
    /// search word (through the label hierarchy: "dog" matches every breed; case and plurals
    /// do not matter).
    pub async fn list_tagged(
        &self,
        owner: &OwnerId,
        tags: &[String],
        cursor: Option<&str>,
        limit: Option<usize>,
    ) -> Result<PhotoPage, ServiceError> {
        let limit = limit.unwrap_or(DEFAULT_PAGE_SIZE).clamp(1, MAX_PAGE_SIZE);
        let cursor = cursor.filter(|c| !c.is_empty());
        let groups: Vec<Vec<String>> = tags
            .iter()
            .filter(|tag| !tag.trim().is_empty())
            .map(|tag| labels_for_search(tag))
            .collect();
        if groups.iter().any(Vec::is_empty) {
            // A word that covers no label matches no photo.
            return Ok(PhotoPage {
                photos: Vec::new(),
                next_cursor: None,
            });
        }
        Ok(self
            .catalog
            .list_photos_tagged(owner, &groups, cursor, limit)
            .await?)
    }

    /// The labels the owner's photos carry, with counts, most common first.
    pub async fn tags(&self, owner: &OwnerId) -> Result<Vec<TagCount>, ServiceError> {
        Ok(self.catalog.tag_counts(owner).await?)
    }

    /// Classifies a photo again: after a failure, or with another of the loaded models.
    /// `model` defaults to the one for new uploads.
    pub async fn reclassify(
        &self,
        owner: &OwnerId,
        id: &PhotoId,
        model: Option<&str>,
    ) -> Result<Photo, ServiceError> {
        let model = model
            .or(self.config.default_model())
            .ok_or_else(|| ServiceError::Conflict("classification is off on this server".into()))?;
        if !self.config.models.iter().any(|loaded| loaded == model) {
            return Err(ServiceError::UnknownModel {
                model: model.to_owned(),
                known: self.config.models.clone(),
            });
        }
        let before = self.photo(owner, id).await?;
        // Announced before the job exists: from then on a worker may finish it at any moment,
        // and its `done` must reach watchers after this `queued`, not before.
        self.publish(PhotoEvent::queued(id.clone()));
        let queued = self
            .catalog
            .enqueue_job(owner, id, model, ids::now_ms())
            .await;
        if !matches!(queued, Ok(true)) {
            // Nothing changed after all: watchers get the photo's state back.
            self.publish(PhotoEvent::current(&before));
            return Err(queued
                .err()
                .map_or(ServiceError::NotFound, ServiceError::from));
        }
        self.jobs_queued.notify_waiters();
        self.photo(owner, id).await
    }

    /// What serving one of the owner's photos' images needs, from memory when it was looked
    /// up in the last few minutes (see `image_sources`).
    pub async fn image_source(
        &self,
        owner: &OwnerId,
        id: &PhotoId,
    ) -> Result<ImageSource, ServiceError> {
        if let Some(source) = self.image_sources.get(owner, id) {
            return Ok(source);
        }
        let source = ImageSource::of(&self.photo(owner, id).await?);
        self.image_sources.remember(owner, source.clone());
        Ok(source)
    }

    /// Opens one of a photo's images for streaming, with its content type. Takes the source
    /// as returned by [`Gallery::image_source`], which checked that it is the owner's.
    pub async fn open_image(
        &self,
        source: &ImageSource,
        variant: Variant,
    ) -> Result<(BlobReader, &'static str), ServiceError> {
        let keys = ids::keys_for(&source.id)?;
        let reader = self.blobs.open(keys.get(variant)).await?;
        Ok((reader, source.content_type(variant)))
    }

    /// A URL that serves one of a photo's images straight from storage for `expires_in`, when
    /// the store can do that (S3's presigned URLs); `None` otherwise. Takes the source as
    /// returned by [`Gallery::image_source`], which checked that it is the owner's.
    pub async fn direct_image_url(
        &self,
        source: &ImageSource,
        variant: Variant,
        expires_in: std::time::Duration,
        cache_control: &str,
    ) -> Result<Option<String>, ServiceError> {
        let keys = ids::keys_for(&source.id)?;
        let content_type = source.content_type(variant);
        Ok(self
            .blobs
            .direct_url(keys.get(variant), expires_in, content_type, cache_control)
            .await?)
    }

    /// Deletes a photo and its images. The catalog entry goes first, so the photo disappears
    /// at once even if removing a file fails.
    pub async fn delete(&self, owner: &OwnerId, id: &PhotoId) -> Result<(), ServiceError> {
        if !self.catalog.delete_photo(owner, id).await? {
            return Err(ServiceError::NotFound);
        }
        self.image_sources.forget(owner, id);
        self.remove_blobs(&ids::keys_for(id)?).await;
        Ok(())
    }

    /// Deletes several photos; returns how many existed.
    pub async fn delete_many(
        &self,
        owner: &OwnerId,
        ids: &[PhotoId],
    ) -> Result<usize, ServiceError> {
        let mut deleted = 0;
        for id in ids {
            match self.delete(owner, id).await {
                Ok(()) => deleted += 1,
                Err(ServiceError::NotFound) => {}
                Err(other) => return Err(other),
            }
        }
        Ok(deleted)
    }

    /// Deletes every photo of the owner; returns how many.
    pub async fn delete_all(&self, owner: &OwnerId) -> Result<usize, ServiceError> {
        let ids = self.catalog.delete_all_photos(owner).await?;
        self.image_sources.forget_owner(owner);
        for id in &ids {
            self.remove_blobs(&ids::keys_for(id)?).await;
        }
        Ok(ids.len())
    }

    pub async fn count(&self, owner: &OwnerId) -> Result<u64, ServiceError> {
        Ok(self.catalog.count_photos(owner).await?)
    }

    /// How many of the owner's photos match every word of `tags` (as [`Gallery::list_tagged`]
    /// matches them). Walks the listing a full page at a time: galleries are personal, and a
    /// spoken filter asks once.
    pub async fn count_tagged(
        &self,
        owner: &OwnerId,
        tags: &[String],
    ) -> Result<u64, ServiceError> {
        let mut count = 0;
        let mut cursor: Option<String> = None;
        loop {
            let page = self
                .list_tagged(owner, tags, cursor.as_deref(), Some(MAX_PAGE_SIZE))
                .await?;
            count += page.photos.len() as u64;
            match page.next_cursor {
                Some(next) => cursor = Some(next),
                None => return Ok(count),
            }
        }
    }

    /// The words a spoken tag request can name: every ImageNet term (classes, synonyms and
    /// the broader terms above them) and the labels the owner's photos carry.
    pub async fn tag_vocabulary(&self, owner: &OwnerId) -> Result<TagVocabulary, ServiceError> {
        let labels = self.tags(owner).await?;
        let mut vocabulary = TagVocabulary::new(gaillery_imagenet::search_terms());
        vocabulary.extend(labels.iter().map(|tag| &tag.tag));
        Ok(vocabulary)
    }
}

/// Calls `attempt` up to `tries` times, waiting `delay` before each, doubled after each failure
/// up to `max_delay`; the first success, or `None` when every try failed.
async fn keep_trying<T, E, Attempt, Fut>(
    mut delay: std::time::Duration,
    max_delay: std::time::Duration,
    tries: u32,
    mut attempt: Attempt,
) -> Option<T>
where
    Attempt: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, E>>,
    E: std::fmt::Display,
{
    for _ in 0..tries {
        tokio::time::sleep(delay).await;
        match attempt().await {
            Ok(value) => return Some(value),
            Err(error) => {
                tracing::debug!(%error, "storage still failing; trying again");
                delay = (delay * 2).min(max_delay);
            }
        }
    }
    None
}

/// The labels a search word covers: the ImageNet classes it names or is a broader term of,
/// and, for labels that are no ImageNet class, the word itself.
fn labels_for_search(word: &str) -> Vec<String> {
    let mut labels: Vec<String> = gaillery_imagenet::names_matching(word)
        .into_iter()
        .map(str::to_owned)
        .collect();
    if labels.is_empty() {
        labels.push(gaillery_imagenet::normalize(word));
    }
    labels
}

//! The gallery service: its storage, its configuration, and the stage changes it announces.

use crate::decoding::DecodeBudget;
use crate::image_sources::ImageSources;
use crate::relay::Relay;
use crate::watching::{OwnedEvent, Watchers};
use gaillery_imaging::Limits;
use gaillery_storage::{AlbumStore, BlobStore, Catalog};
use std::path::PathBuf;
use std::sync::Arc;
use tokio::sync::{broadcast, Notify, Semaphore};
use tokio_util::task::TaskTracker;

/// How many stage changes a slow event subscriber may fall behind before it misses some (it
/// then reloads what it shows).
const EVENT_BUFFER: usize = 1024;

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
    /// How many uploads may be decoded at once (cores).
    pub processing_slots: usize,
    /// Bytes every decode at once may take together, uploads and classification alike.
    pub decode_memory_bytes: u64,
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

/// The gallery service. Cheap to clone (one reference count: requests clone it for every
/// handler and page); share one per process.
#[derive(Clone)]
pub struct Gallery(Arc<GalleryParts>);

/// What a [`Gallery`] holds; its methods reach these fields through `Deref`.
#[derive(Clone)]
pub struct GalleryParts {
    pub(crate) blobs: Arc<dyn BlobStore>,
    pub(crate) catalog: Arc<dyn Catalog>,
    pub(crate) config: GalleryConfig,
    pub(crate) processing: Arc<Semaphore>,
    pub(crate) decode_budget: DecodeBudget,
    /// Work a request started and does not wait for (removing deleted photos' images).
    pub(crate) background: TaskTracker,
    /// Stage changes, for the live view.
    pub(crate) events: broadcast::Sender<OwnedEvent>,
    /// Who has a subscription open here, for the relay.
    pub(crate) watchers: Watchers,
    /// Woken when a job is queued, so idle workers start at once instead of at their next poll.
    pub(crate) jobs_queued: Arc<Notify>,
    /// Shares stage changes with other servers on the same catalog, when there are any.
    pub(crate) relay: Option<Relay>,
    /// What image responses need from the catalog, so a page of thumbnails costs no read each.
    pub(crate) image_sources: Arc<ImageSources>,
    /// The albums photos may be in: a deleted photo leaves them.
    pub(crate) albums: Option<Arc<dyn AlbumStore>>,
}

impl std::ops::Deref for Gallery {
    type Target = GalleryParts;

    fn deref(&self) -> &GalleryParts {
        &self.0
    }
}

impl Gallery {
    pub fn new(
        blobs: Arc<dyn BlobStore>,
        catalog: Arc<dyn Catalog>,
        config: GalleryConfig,
    ) -> Gallery {
        let processing = Arc::new(Semaphore::new(config.processing_slots.max(1)));
        Gallery(Arc::new(GalleryParts {
            blobs,
            catalog,
            decode_budget: DecodeBudget::new(config.decode_memory_bytes),
            background: TaskTracker::new(),
            config,
            processing,
            events: broadcast::channel(EVENT_BUFFER).0,
            watchers: Watchers::default(),
            jobs_queued: Arc::new(Notify::new()),
            relay: None,
            image_sources: Arc::default(),
            albums: None,
        }))
    }

    /// The gallery, with deleted photos taken out of the albums in `store`.
    pub fn with_albums(mut self, store: Arc<dyn AlbumStore>) -> Gallery {
        self.parts_mut().albums = Some(store);
        self
    }

    /// The parts, to set up before the gallery is shared (copied if it already is).
    pub(crate) fn parts_mut(&mut self) -> &mut GalleryParts {
        Arc::make_mut(&mut self.0)
    }

    pub fn config(&self) -> &GalleryConfig {
        &self.config
    }
}

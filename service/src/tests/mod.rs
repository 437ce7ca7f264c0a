//! Tests of the gallery over in-memory storage that fails on purpose, on tokio's paused clock:
//! the waits of the background retries (seconds to minutes) pass at once, and each test says
//! exactly when a retry happens. Accounts are tested over the in-memory store too.

mod accounts;
mod albums;
mod pipeline;
mod queueing;
mod relay;
mod retry;
mod seeding;
mod settle;
mod sign_in;
mod sweep;

use crate::{EventSubscription, Gallery, GalleryConfig, IngestOutcome, ServiceError};
use gaillery_core::api::PhotoEvent;
use gaillery_core::{OwnerId, Photo};
use gaillery_testkit::failing::{FailingBlobStore, FailingCatalog};
use gaillery_testkit::memory::{MemoryBlobStore, MemoryCatalog};
use std::sync::Arc;
use std::time::Duration;

/// A gallery on in-memory storage, with handles on both the failing wrappers (to plan faults
/// and count calls) and the storage behind them (to look at what is really stored).
struct Harness {
    gallery: Gallery,
    catalog: Arc<FailingCatalog<MemoryCatalog>>,
    stored_catalog: Arc<MemoryCatalog>,
    blobs: Arc<FailingBlobStore<MemoryBlobStore>>,
    stored_blobs: Arc<MemoryBlobStore>,
    _staging: tempfile::TempDir,
}

impl Harness {
    /// Classification with `models` (none: photos are done once stored).
    fn new(models: &[&str]) -> Harness {
        let stored_catalog = Arc::new(MemoryCatalog::new());
        let catalog = Arc::new(FailingCatalog::new(Arc::clone(&stored_catalog)));
        let stored_blobs = Arc::new(MemoryBlobStore::new());
        let blobs = Arc::new(FailingBlobStore::new(Arc::clone(&stored_blobs)));
        let staging = tempfile::tempdir().expect("staging directory");
        let config = GalleryConfig {
            max_upload_bytes: 10_000_000,
            image_limits: Default::default(),
            staging_dir: staging.path().to_path_buf(),
            processing_slots: 1,
            decode_memory_bytes: 1 << 30,
            models: models.iter().map(|m| (*m).to_owned()).collect(),
        };
        let gallery = Gallery::new(Arc::clone(&blobs) as _, Arc::clone(&catalog) as _, config);
        Harness {
            gallery,
            catalog,
            stored_catalog,
            blobs,
            stored_blobs,
            _staging: staging,
        }
    }

    /// Uploads a small JPEG, distinct per `seed`.
    async fn upload(&self, seed: u32) -> Result<IngestOutcome, ServiceError> {
        let bytes = gaillery_testkit::photo_jpeg(64, 48, seed);
        let mut upload = self.gallery.begin_upload("photo.jpg").await?;
        upload.write(&bytes).await?;
        self.gallery.ingest(&OwnerId::local(), upload).await
    }

    /// Every photo actually catalogued.
    async fn catalogued(&self) -> Vec<Photo> {
        use gaillery_storage::Catalog;
        self.stored_catalog
            .list_photos(&OwnerId::local(), None, 100)
            .await
            .expect("the memory catalog lists")
            .photos
    }
}

/// The next event, failing the test if none comes within five (paused-clock) minutes: longer
/// than any lease or backoff of the tests.
async fn next_event(events: &mut EventSubscription) -> PhotoEvent {
    tokio::time::timeout(Duration::from_secs(300), events.recv())
        .await
        .expect("an event within five minutes")
        .expect("the event channel is open")
}

/// Lets the paused clock run `seconds` forward, running every task due meanwhile.
async fn pass(seconds: u64) {
    tokio::time::sleep(Duration::from_secs(seconds)).await;
}

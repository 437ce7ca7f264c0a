//! The sweep: removing what no catalog entry names. An upload killed between storing its
//! images and cataloguing them, a delete whose images were still being removed when the
//! server stopped, an account removed halfway: each leaves images behind that nothing points
//! to, and staged uploads that nothing will finish.
//!
//! Only what is older than a given age is touched, so an upload still on its way (its images
//! stored, its catalog entry about to be written) is never mistaken for a leftover. The
//! catalog is asked about each photo the images belong to, a batch at a time; when the
//! catalog cannot answer, the sweep stops and removes nothing more.

use crate::{ids, Gallery, ServiceError};
use futures::StreamExt;
use gaillery_core::{OwnerId, PhotoId};
use gaillery_storage::BlobKey;
use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::time::{Duration, SystemTime};
use tokio_util::sync::CancellationToken;

/// Photos looked up in the catalog at once.
const BATCH: usize = 100;

/// Leftovers are only what is at least this old: no upload takes an hour from storing its
/// images to cataloguing them.
pub const SWEEP_MIN_AGE: Duration = Duration::from_secs(60 * 60);

/// Sweeps at once, then every `interval`, until `stop` is cancelled. A sweep that fails is
/// logged and tried again at the next interval.
pub async fn keep_swept(gallery: Gallery, interval: Duration, stop: CancellationToken) {
    loop {
        match gallery.sweep(SWEEP_MIN_AGE).await {
            Ok(report) => tracing::info!(?report, "swept"),
            Err(error) => tracing::warn!(%error, "the sweep stopped"),
        }
        tokio::select! {
            () = stop.cancelled() => return,
            () = tokio::time::sleep(interval) => {}
        }
    }
}

/// What one sweep found and did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SweepReport {
    /// Objects in the blob store, of any age.
    pub objects_seen: usize,
    /// Objects removed because no catalog entry names them.
    pub objects_removed: usize,
    /// Objects whose key is none of a photo's, left alone.
    pub objects_unknown: usize,
    /// Staged uploads removed (left by a crash or a hang-up mid-upload).
    pub staged_removed: usize,
}

/// Leftover candidates of one batch: each photo's objects, by owner.
#[derive(Default)]
struct Batch {
    photos: HashMap<(OwnerId, PhotoId), Vec<BlobKey>>,
}

impl Gallery {
    /// Removes every object and staged upload older than `older_than` that no catalog entry
    /// names. Stops at the first error, having removed only what it had checked.
    pub async fn sweep(&self, older_than: Duration) -> Result<SweepReport, ServiceError> {
        let cutoff_ms = ids::now_ms() - i64::try_from(older_than.as_millis()).unwrap_or(i64::MAX);
        let mut report = SweepReport::default();
        let mut batch = Batch::default();
        let mut listing = self.blobs.list("");
        while let Some(blob) = listing.next().await {
            let blob = blob?;
            report.objects_seen += 1;
            if blob.modified_ms > cutoff_ms {
                continue;
            }
            let Some(photo) = ids::photo_of_key(&blob.key) else {
                report.objects_unknown += 1;
                continue;
            };
            batch.photos.entry(photo).or_default().push(blob.key);
            if batch.photos.len() >= BATCH {
                report.objects_removed += self.remove_uncatalogued(&mut batch).await?;
            }
        }
        report.objects_removed += self.remove_uncatalogued(&mut batch).await?;
        report.staged_removed = remove_stale_staged(&self.config.staging_dir, older_than).await;
        Ok(report)
    }

    /// Removes the objects of the batch's photos that the catalog does not have, and empties
    /// the batch. Returns how many objects went.
    async fn remove_uncatalogued(&self, batch: &mut Batch) -> Result<usize, ServiceError> {
        let photos = std::mem::take(&mut batch.photos);
        let mut by_owner: HashMap<&OwnerId, Vec<PhotoId>> = HashMap::new();
        for (owner, id) in photos.keys() {
            by_owner.entry(owner).or_default().push(id.clone());
        }
        let mut catalogued = HashSet::new();
        for (owner, ids) in by_owner {
            for photo in self.catalog.photos_by_ids(owner, &ids).await? {
                catalogued.insert((owner.clone(), photo.id));
            }
        }
        let mut removed = 0;
        for (photo, keys) in &photos {
            if catalogued.contains(photo) {
                continue;
            }
            for key in keys {
                self.blobs.delete(key).await?;
                removed += 1;
            }
            tracing::info!(owner = %photo.0 .0, id = %photo.1, objects = keys.len(), "swept images no photo names");
        }
        Ok(removed)
    }
}

/// Removes the files in the staging folder that nothing wrote to for `older_than`: a file
/// being received is written at least every body-idle timeout. Best effort: what cannot be
/// removed now is tried at the next sweep.
async fn remove_stale_staged(dir: &Path, older_than: Duration) -> usize {
    let dir = dir.to_path_buf();
    let removing = tokio::task::spawn_blocking(move || {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            return 0;
        };
        let now = SystemTime::now();
        let mut removed = 0;
        for entry in entries.flatten() {
            let Ok(metadata) = entry.metadata() else {
                continue;
            };
            let idle = metadata
                .modified()
                .ok()
                .and_then(|modified| now.duration_since(modified).ok())
                .unwrap_or_default();
            if metadata.is_file() && idle >= older_than {
                match std::fs::remove_file(entry.path()) {
                    Ok(()) => removed += 1,
                    Err(error) => {
                        tracing::warn!(%error, file = %entry.path().display(), "could not remove a stale staged upload");
                    }
                }
            }
        }
        removed
    });
    removing.await.unwrap_or(0)
}

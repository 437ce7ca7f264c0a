//! Turning a received file into a photo: identify and check it, make the derived images, store
//! everything, and only then catalogue it, so the catalog never points to a missing image.

use crate::decoding::run_holding;
use crate::{ids, Gallery, ServiceError, StagedUpload};
use gaillery_core::{OwnerId, Photo, PhotoStatus, Variant};
use gaillery_imaging::{DecodePurpose, ProcessedImage};
use gaillery_storage::{InsertOutcome, NewPhoto};
use std::path::PathBuf;
use std::sync::Arc;

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

impl Gallery {
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
        } = self
            .process(received.path.to_path_buf(), received.size)
            .await?;
        let id = ids::new_photo_id();
        let keys = ids::keys_for(owner, &id)?;
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

    /// Decodes and derives off the async runtime, one per processing slot and within the
    /// decode budget. The header says how much memory the decode takes; reading it takes the
    /// file's size. Each reservation is held by the blocking work, which runs to its end even
    /// if the client hangs up meanwhile.
    async fn process(&self, path: PathBuf, size: u64) -> Result<ProcessedImage, ServiceError> {
        let limits = self.config.image_limits;
        let reading = self.decode_budget.reserve(size).await?;
        let header_path = path.clone();
        let peak = run_holding(reading, move || {
            let bytes = std::fs::read(&header_path)?;
            let purpose = DecodePurpose::DerivedImages;
            Ok::<_, ServiceError>(gaillery_imaging::peak_memory(&bytes, &limits, purpose)?)
        })
        .await??;

        let memory = self.decode_budget.reserve(peak).await?;
        let slot = Arc::clone(&self.processing)
            .acquire_owned()
            .await
            .map_err(|closed| {
                ServiceError::internal_because("image processing pool closed", closed)
            })?;
        run_holding((memory, slot), move || {
            let bytes = std::fs::read(&path)?;
            Ok::<_, ServiceError>(gaillery_imaging::process(&bytes, &limits)?)
        })
        .await?
    }
}

//! Putting photos in the classification queue: a new upload's first job, which an outage only
//! delays, and a person's request to classify a photo again.

use crate::retry::{keep_trying, QUEUEING};
use crate::{ids, Gallery, ServiceError};
use gaillery_core::api::PhotoEvent;
use gaillery_core::{OwnerId, Photo, PhotoId};

impl Gallery {
    /// Queues the classification of a photo just catalogued. When storage fails right then,
    /// the photo is listed `queued` without a job: this keeps trying in the background, so an
    /// outage delays the job instead of losing it. Should the server stop first, its next start
    /// queues the photo (`Catalog::photos_without_jobs`).
    pub(crate) async fn queue_new_photo(&self, owner: &OwnerId, id: &PhotoId, model: &str) {
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
            let queued = keep_trying(QUEUEING, || {
                gallery
                    .catalog
                    .enqueue_job(&owner, &id, &model, ids::now_ms())
            })
            .await;
            match queued {
                Some(_) => gallery.jobs_queued.notify_waiters(),
                None => {
                    tracing::warn!(%id, "gave up queueing classification; the next start queues it")
                }
            }
        });
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
        self.publish(owner, PhotoEvent::queued(id.clone()));
        let queued = self
            .catalog
            .enqueue_job(owner, id, model, ids::now_ms())
            .await;
        if !matches!(queued, Ok(true)) {
            // Nothing changed after all: watchers get the photo's state back.
            self.publish(owner, PhotoEvent::current(&before));
            return Err(queued
                .err()
                .map_or(ServiceError::NotFound, ServiceError::from));
        }
        self.jobs_queued.notify_waiters();
        self.photo(owner, id).await
    }
}

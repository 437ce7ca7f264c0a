//! After an insert failed: did it land after all? A request that timed out or lost its answer
//! may have reached the catalog, so a failed insert's images are only removed once the catalog
//! says the photo is not there.

use crate::retry::{keep_trying, SETTLING};
use crate::{ids, Gallery};
use gaillery_core::api::PhotoEvent;
use gaillery_core::{OwnerId, PhotoId};

impl Gallery {
    /// Once any request still in flight has had time to land, looks the photo up. Catalogued
    /// after all, it gets its classification job; otherwise its images go. While the catalog
    /// cannot answer, the images stay: never listed, and never a catalogued photo without
    /// them.
    pub(crate) fn settle_failed_insert(&self, owner: &OwnerId, id: &PhotoId, keys: ids::PhotoKeys) {
        let (gallery, owner, id) = (self.clone(), owner.clone(), id.clone());
        tokio::spawn(async move {
            let looked_up = keep_trying(SETTLING, || gallery.catalog.photo(&owner, &id)).await;
            match looked_up {
                Some(Some(photo)) => {
                    tracing::info!(%id, "a photo whose insert failed was catalogued after all");
                    if let Some(model) = gallery.config.default_model() {
                        gallery.queue_new_photo(&owner, &id, model).await;
                    }
                    gallery.publish(&owner, PhotoEvent::current(&photo));
                }
                Some(None) => gallery.remove_blobs(&keys).await,
                None => {
                    tracing::warn!(%id, "cannot tell whether a failed insert landed; its images stay")
                }
            }
        });
    }
}

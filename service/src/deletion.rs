//! Deleting photos: the catalog entry first, so a photo disappears at once, then its places in
//! albums; its images are removed in the background. A request that hangs up, or a server that
//! stops, can leave images behind that no entry names any more: the sweep removes those.

use crate::{ids, Gallery, ServiceError};
use gaillery_core::api::MAX_DELETE_IDS;
use gaillery_core::{OwnerId, PhotoId};

impl Gallery {
    /// Deletes a photo; its images follow in the background. The catalog entry goes first,
    /// so the photo disappears at once even if removing a file fails.
    pub async fn delete(&self, owner: &OwnerId, id: &PhotoId) -> Result<(), ServiceError> {
        if !self.catalog.delete_photo(owner, id).await? {
            return Err(ServiceError::NotFound);
        }
        self.image_sources.forget(owner, id);
        self.leave_albums(owner, id).await;
        self.remove_images_later(owner, vec![id.clone()]);
        Ok(())
    }

    /// Removes deleted photos' images in the background: neither a request that hangs up nor
    /// one waiting for a thousand files holds it up.
    fn remove_images_later(&self, owner: &OwnerId, ids: Vec<PhotoId>) {
        let (gallery, owner) = (self.clone(), owner.clone());
        self.background.spawn(async move {
            for id in &ids {
                match ids::keys_for(&owner, id) {
                    Ok(keys) => gallery.remove_blobs(&keys).await,
                    Err(error) => tracing::error!(%error, %id, "no keys for a deleted photo"),
                }
            }
        });
    }

    /// Waits until the work started in the background (removing deleted photos' images) is
    /// done: at shutdown, and in tests.
    pub async fn background_settled(&self) {
        self.background.close();
        self.background.wait().await;
        self.background.reopen();
    }

    /// Takes a deleted photo out of its albums. A failure leaves an entry that lists nothing
    /// (album pages skip photos that are gone); it is logged, not answered.
    async fn leave_albums(&self, owner: &OwnerId, id: &PhotoId) {
        let Some(albums) = &self.albums else {
            return;
        };
        if let Err(error) = albums.remove_photo_from_albums(owner, id).await {
            tracing::warn!(%error, %id, "a deleted photo stays listed in its albums");
        }
    }

    /// Deletes several photos; returns how many existed.
    pub async fn delete_many(
        &self,
        owner: &OwnerId,
        ids: &[PhotoId],
    ) -> Result<usize, ServiceError> {
        ServiceError::check_count("photos", ids.len(), MAX_DELETE_IDS)?;
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

    /// Deletes every photo of the owner; returns how many. Their images follow in the
    /// background.
    pub async fn delete_all(&self, owner: &OwnerId) -> Result<usize, ServiceError> {
        let ids = self.catalog.delete_all_photos(owner).await?;
        self.image_sources.forget_owner(owner);
        for id in &ids {
            self.leave_albums(owner, id).await;
        }
        let deleted = ids.len();
        self.remove_images_later(owner, ids);
        Ok(deleted)
    }
}

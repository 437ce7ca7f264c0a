//! A photo's images in the blob store: storing them at ingest, serving them, removing them.

use crate::image_sources::ImageSource;
use crate::{ids, staging, Gallery, ServiceError};
use gaillery_core::{OwnerId, PhotoId, Variant};
use gaillery_imaging::EncodedImage;
use gaillery_storage::BlobReader;

impl Gallery {
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
        let source = ImageSource::of(owner, &self.photo(owner, id).await?);
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
        let keys = ids::keys_for(&source.owner, &source.id)?;
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
        let keys = ids::keys_for(&source.owner, &source.id)?;
        let content_type = source.content_type(variant);
        Ok(self
            .blobs
            .direct_url(keys.get(variant), expires_in, content_type, cache_control)
            .await?)
    }

    pub(crate) async fn store_blobs(
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
    pub(crate) async fn remove_blobs(&self, keys: &ids::PhotoKeys) {
        for key in keys.all() {
            if let Err(error) = self.blobs.delete(key).await {
                tracing::warn!(%error, key = key.as_str(), "could not remove blob");
            }
        }
    }
}

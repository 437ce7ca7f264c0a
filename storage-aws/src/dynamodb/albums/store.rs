//! `AlbumStore` for the DynamoDB catalog: each call is one of the albums' or links' methods.

use crate::dynamodb::DynamoCatalog;
use async_trait::async_trait;
use gaillery_core::{OwnerId, PhotoId};
use gaillery_storage::albums::AlbumCursor;
use gaillery_storage::catalog::page_limit;
use gaillery_storage::{Album, AlbumPage, AlbumStore, Share, StorageError};

#[async_trait]
impl AlbumStore for DynamoCatalog {
    async fn create_album(&self, album: Album) -> Result<(), StorageError> {
        self.create_album_item(album).await
    }

    async fn album(&self, owner: &OwnerId, id: &str) -> Result<Option<Album>, StorageError> {
        self.find_album(owner, id).await
    }

    async fn albums_of(&self, owner: &OwnerId) -> Result<Vec<Album>, StorageError> {
        self.albums_of_owner(owner).await
    }

    async fn rename_album(
        &self,
        owner: &OwnerId,
        id: &str,
        title: &str,
        now_ms: i64,
    ) -> Result<bool, StorageError> {
        self.retitle_album(owner, id, title, now_ms).await
    }

    async fn set_album_cover(
        &self,
        owner: &OwnerId,
        id: &str,
        cover: Option<&PhotoId>,
        now_ms: i64,
    ) -> Result<bool, StorageError> {
        self.cover_album(owner, id, cover, now_ms).await
    }

    async fn delete_album(&self, owner: &OwnerId, id: &str) -> Result<bool, StorageError> {
        self.delete_album_items(owner, id).await
    }

    async fn add_to_album(
        &self,
        owner: &OwnerId,
        id: &str,
        photos: &[PhotoId],
        now_ms: i64,
    ) -> Result<Option<u64>, StorageError> {
        self.add_photos(owner, id, photos, now_ms).await
    }

    async fn remove_from_album(
        &self,
        owner: &OwnerId,
        id: &str,
        photo: &PhotoId,
        now_ms: i64,
    ) -> Result<bool, StorageError> {
        self.remove_photo(owner, id, photo, Some(now_ms)).await
    }

    async fn move_in_album(
        &self,
        owner: &OwnerId,
        id: &str,
        photo: &PhotoId,
        before: Option<&PhotoId>,
        now_ms: i64,
    ) -> Result<bool, StorageError> {
        self.move_photo(owner, id, photo, before, now_ms).await
    }

    async fn album_photo_ids(
        &self,
        owner: &OwnerId,
        id: &str,
        cursor: Option<&str>,
        limit: usize,
    ) -> Result<AlbumPage, StorageError> {
        let after = cursor.map(AlbumCursor::decode).transpose()?;
        self.album_page(owner, id, after.as_ref(), page_limit(limit))
            .await
    }

    async fn remove_photo_from_albums(
        &self,
        owner: &OwnerId,
        photo: &PhotoId,
    ) -> Result<(), StorageError> {
        self.remove_from_every_album(owner, photo).await
    }

    async fn albums_of_photo(
        &self,
        owner: &OwnerId,
        photo: &PhotoId,
    ) -> Result<Vec<String>, StorageError> {
        self.albums_holding(owner, photo).await
    }

    async fn delete_albums_of(&self, owner: &OwnerId) -> Result<u64, StorageError> {
        self.delete_all_albums(owner).await
    }

    async fn create_share(&self, share: Share) -> Result<bool, StorageError> {
        self.put_link(share).await
    }

    async fn share(&self, token: &str, now_ms: i64) -> Result<Option<Share>, StorageError> {
        self.live_link(token, now_ms).await
    }

    async fn shares_of(&self, owner: &OwnerId, now_ms: i64) -> Result<Vec<Share>, StorageError> {
        self.live_links_of(owner, now_ms).await
    }

    async fn delete_share(&self, owner: &OwnerId, token: &str) -> Result<bool, StorageError> {
        self.remove_link(owner, token).await
    }
}

//! Albums: an owner's named, ordered selections of their photos, and the share links that
//! show one album (or one photo) to anyone holding the link, read-only.
//!
//! | module | what it does |
//! | --- | --- |
//! | this one | [`Albums`]: making, renaming, filling, ordering and deleting albums |
//! | `links` | share links: making, listing and revoking them, and what a visitor may see |
//! | `views` | albums and links in the JSON shapes their owner sees |
//!
//! Albums hold photo ids only. Deleting an album never deletes a photo; deleting a photo takes
//! it out of every album (see `deletion`).

mod links;
mod views;

use crate::accounts::Accounts;
use crate::{ids, Gallery, ServiceError};
use gaillery_core::api::{PhotoPage, DEFAULT_PAGE_SIZE, MAX_DELETE_IDS, MAX_PAGE_SIZE};
use gaillery_core::{OwnerId, PhotoId};
use gaillery_storage::{Album, AlbumStore};
use std::sync::Arc;

pub use links::{proof_cookie_name, LinkTarget, OpenedLink, MAX_LINK_DAYS};
pub use views::{album_info, link_info, link_path, shared_info};

/// The longest album title, in characters.
pub const MAX_ALBUM_TITLE_CHARS: usize = 200;

/// The albums service. Cheap to clone.
#[derive(Clone)]
pub struct Albums {
    store: Arc<dyn AlbumStore>,
    gallery: Gallery,
    /// Hashes and checks share links' passwords, throttled like sign-ins.
    accounts: Accounts,
}

impl Albums {
    pub fn new(store: Arc<dyn AlbumStore>, gallery: Gallery, accounts: Accounts) -> Albums {
        Albums {
            store,
            gallery,
            accounts,
        }
    }

    pub async fn create(&self, owner: &OwnerId, title: &str) -> Result<Album, ServiceError> {
        let title = checked_title(title)?;
        let now = ids::now_ms();
        let album = Album {
            id: crate::accounts::random_id(),
            owner: owner.clone(),
            title: title.to_owned(),
            cover: None,
            photo_count: 0,
            created_at_ms: now,
            updated_at_ms: now,
        };
        self.store.create_album(album.clone()).await?;
        tracing::info!(owner = %owner.0, album = %album.id, "album created");
        Ok(album)
    }

    /// The owner's albums, newest first.
    pub async fn list(&self, owner: &OwnerId) -> Result<Vec<Album>, ServiceError> {
        Ok(self.store.albums_of(owner).await?)
    }

    /// One of the owner's albums; `NoSuch("album")` for anyone else's.
    pub async fn get(&self, owner: &OwnerId, id: &str) -> Result<Album, ServiceError> {
        self.store
            .album(owner, id)
            .await?
            .ok_or(ServiceError::NoSuch("album"))
    }

    pub async fn rename(
        &self,
        owner: &OwnerId,
        id: &str,
        title: &str,
    ) -> Result<Album, ServiceError> {
        let title = checked_title(title)?;
        if !self
            .store
            .rename_album(owner, id, title, ids::now_ms())
            .await?
        {
            return Err(ServiceError::NoSuch("album"));
        }
        self.get(owner, id).await
    }

    /// Deletes the album and its links; its photos stay in the gallery.
    pub async fn delete(&self, owner: &OwnerId, id: &str) -> Result<(), ServiceError> {
        if !self.store.delete_album(owner, id).await? {
            return Err(ServiceError::NoSuch("album"));
        }
        tracing::info!(owner = %owner.0, album = id, "album deleted");
        Ok(())
    }

    /// For a removed account: all its albums and links.
    pub async fn delete_all_of(&self, owner: &OwnerId) -> Result<u64, ServiceError> {
        Ok(self.store.delete_albums_of(owner).await?)
    }

    /// Adds the owner's photos to the album, in order, after its last one; photos already in
    /// it stay where they are. Any photo that is not the owner's refuses the whole request
    /// (`NotFound`, as for a photo that does not exist). Returns how many were added.
    pub async fn add(
        &self,
        owner: &OwnerId,
        id: &str,
        photos: &[PhotoId],
    ) -> Result<u64, ServiceError> {
        ServiceError::check_count("photos", photos.len(), MAX_DELETE_IDS)?;
        self.get(owner, id).await?;
        for photo in photos {
            self.gallery.photo(owner, photo).await?;
        }
        self.store
            .add_to_album(owner, id, photos, ids::now_ms())
            .await?
            .ok_or(ServiceError::NoSuch("album"))
    }

    /// Takes a photo out of the album (it stays in the gallery).
    pub async fn remove(
        &self,
        owner: &OwnerId,
        id: &str,
        photo: &PhotoId,
    ) -> Result<(), ServiceError> {
        if !self
            .store
            .remove_from_album(owner, id, photo, ids::now_ms())
            .await?
        {
            return Err(ServiceError::NotFound);
        }
        Ok(())
    }

    /// Moves a photo to just before `before`, or to the end.
    pub async fn reorder(
        &self,
        owner: &OwnerId,
        id: &str,
        photo: &PhotoId,
        before: Option<&PhotoId>,
    ) -> Result<(), ServiceError> {
        if !self
            .store
            .move_in_album(owner, id, photo, before, ids::now_ms())
            .await?
        {
            return Err(ServiceError::NotFound);
        }
        Ok(())
    }

    /// Makes one of the album's photos its cover (`None`: the first photo).
    pub async fn set_cover(
        &self,
        owner: &OwnerId,
        id: &str,
        cover: Option<&PhotoId>,
    ) -> Result<(), ServiceError> {
        if !self
            .store
            .set_album_cover(owner, id, cover, ids::now_ms())
            .await?
        {
            return Err(ServiceError::NotFound);
        }
        Ok(())
    }

    /// A page of the album's photos, in album order.
    pub async fn photos(
        &self,
        owner: &OwnerId,
        id: &str,
        cursor: Option<&str>,
        limit: Option<usize>,
    ) -> Result<PhotoPage, ServiceError> {
        self.get(owner, id).await?;
        self.page_of(owner, id, cursor, limit).await
    }

    /// A page of an album's photos, whoever asks (the caller checked who may).
    async fn page_of(
        &self,
        owner: &OwnerId,
        id: &str,
        cursor: Option<&str>,
        limit: Option<usize>,
    ) -> Result<PhotoPage, ServiceError> {
        let limit = limit.unwrap_or(DEFAULT_PAGE_SIZE).clamp(1, MAX_PAGE_SIZE);
        let page = self.store.album_photo_ids(owner, id, cursor, limit).await?;
        // One read for the page. A photo deleted while the page was read is left out: it
        // leaves the album with its deletion.
        let photos = self.gallery.photos_by_ids(owner, &page.photo_ids).await?;
        Ok(PhotoPage {
            photos,
            next_cursor: page.next_cursor,
        })
    }
}

fn checked_title(title: &str) -> Result<&str, ServiceError> {
    let title = title.trim();
    if title.is_empty() {
        return Err(ServiceError::Invalid("an album needs a title".to_owned()));
    }
    if title.chars().count() > MAX_ALBUM_TITLE_CHARS || title.chars().any(char::is_control) {
        return Err(ServiceError::Invalid(format!(
            "an album title is at most {MAX_ALBUM_TITLE_CHARS} characters, on one line"
        )));
    }
    Ok(title)
}

//! Albums, for their owner: make, list, rename, delete; add and remove photos; a cover. Their
//! share links are in `links`.

use crate::error::AppError;
use gaillery_core::api::albums::AlbumInfo;
use gaillery_core::api::PhotoPage;
use gaillery_core::Photo;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use super::ssr;

/// An album on the albums page: with the photo that stands for it, the cover or else the first.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AlbumCard {
    pub album: AlbumInfo,
    pub cover: Option<Photo>,
}

/// The caller's albums with their covers, for the albums page.
#[server(prefix = "/_fn", endpoint = "album_cards")]
pub async fn album_cards() -> Result<Vec<AlbumCard>, AppError> {
    let caller = ssr::caller()?;
    let (albums, gallery) = (ssr::albums()?, ssr::gallery()?);
    let mut cards = Vec::new();
    for album in albums.list(&caller.owner).await? {
        let cover = match &album.cover {
            Some(cover) => gallery.photo(&caller.owner, cover).await.ok(),
            None => albums
                .photos(&caller.owner, &album.id, None, Some(1))
                .await?
                .photos
                .into_iter()
                .next(),
        };
        cards.push(AlbumCard {
            album: gaillery_service::albums::album_info(album),
            cover,
        });
    }
    Ok(cards)
}

/// The caller's albums, newest first.
#[server(prefix = "/_fn", endpoint = "list_albums")]
pub async fn list_albums() -> Result<Vec<AlbumInfo>, AppError> {
    let caller = ssr::caller()?;
    let albums = ssr::albums()?.list(&caller.owner).await?;
    Ok(albums
        .into_iter()
        .map(gaillery_service::albums::album_info)
        .collect())
}

#[server(prefix = "/_fn", endpoint = "create_album")]
pub async fn create_album(title: String) -> Result<AlbumInfo, AppError> {
    let caller = ssr::caller()?;
    let album = ssr::albums()?.create(&caller.owner, &title).await?;
    Ok(gaillery_service::albums::album_info(album))
}

#[server(prefix = "/_fn", endpoint = "get_album")]
pub async fn get_album(id: String) -> Result<AlbumInfo, AppError> {
    let caller = ssr::caller()?;
    let album = ssr::albums()?.get(&caller.owner, &id).await?;
    Ok(gaillery_service::albums::album_info(album))
}

#[server(prefix = "/_fn", endpoint = "rename_album")]
pub async fn rename_album(id: String, title: String) -> Result<AlbumInfo, AppError> {
    let caller = ssr::caller()?;
    let album = ssr::albums()?.rename(&caller.owner, &id, &title).await?;
    Ok(gaillery_service::albums::album_info(album))
}

/// Deletes the album and its links; its photos stay in the library.
#[server(prefix = "/_fn", endpoint = "delete_album")]
pub async fn delete_album(id: String) -> Result<(), AppError> {
    let caller = ssr::caller()?;
    Ok(ssr::albums()?.delete(&caller.owner, &id).await?)
}

/// One page of the album's photos, in album order.
#[server(prefix = "/_fn", endpoint = "list_album_photos")]
pub async fn list_album_photos(id: String, cursor: Option<String>) -> Result<PhotoPage, AppError> {
    let caller = ssr::caller()?;
    Ok(ssr::albums()?
        .photos(&caller.owner, &id, cursor.as_deref(), None)
        .await?)
}

/// Adds photos to the album; returns how many were not in it yet.
#[server(prefix = "/_fn", endpoint = "add_to_album")]
pub async fn add_to_album(id: String, photo_ids: Vec<String>) -> Result<u64, AppError> {
    let caller = ssr::caller()?;
    let photos = ssr::parse_ids(&photo_ids)?;
    Ok(ssr::albums()?.add(&caller.owner, &id, &photos).await?)
}

/// Takes photos out of the album; they stay in the library. Returns how many.
#[server(prefix = "/_fn", endpoint = "remove_from_album")]
pub async fn remove_from_album(id: String, photo_ids: Vec<String>) -> Result<usize, AppError> {
    let caller = ssr::caller()?;
    let photos = ssr::parse_ids(&photo_ids)?;
    let albums = ssr::albums()?;
    for photo in &photos {
        albums.remove(&caller.owner, &id, photo).await?;
    }
    Ok(photos.len())
}

/// Moves a photo of the album to just before `before`, or last.
#[server(prefix = "/_fn", endpoint = "move_in_album")]
pub async fn move_in_album(
    id: String,
    photo_id: String,
    #[server(default)] before: Option<String>,
) -> Result<(), AppError> {
    let caller = ssr::caller()?;
    let photo = ssr::parse_id(&photo_id)?;
    let before = before.as_deref().map(ssr::parse_id).transpose()?;
    Ok(ssr::albums()?
        .reorder(&caller.owner, &id, &photo, before.as_ref())
        .await?)
}

/// Makes a photo of the album its cover.
#[server(prefix = "/_fn", endpoint = "set_album_cover")]
pub async fn set_album_cover(id: String, photo_id: String) -> Result<(), AppError> {
    let caller = ssr::caller()?;
    let photo = ssr::parse_id(&photo_id)?;
    Ok(ssr::albums()?
        .set_cover(&caller.owner, &id, Some(&photo))
        .await?)
}

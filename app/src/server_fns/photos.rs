//! The photos: list, search, count, delete, classify again.

use crate::error::AppError;
use gaillery_core::api::{PhotoPage, TagCount};
use gaillery_core::Photo;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use super::ssr;

/// One page of photos, newest first; with `tags`, only photos matching every one of them
/// (through the label hierarchy).
#[server(prefix = "/_fn", endpoint = "list_photos")]
pub async fn list_photos(
    cursor: Option<String>,
    // An empty list is left out of the form encoding altogether.
    #[server(default)] tags: Vec<String>,
) -> Result<PhotoPage, AppError> {
    let (gallery, owner) = ssr::gallery_of_caller()?;
    Ok(gallery
        .list_tagged(&owner, &tags, cursor.as_deref(), None)
        .await?)
}

/// The labels photos carry, with counts: the search box's suggestions.
#[server(prefix = "/_fn", endpoint = "list_tags")]
pub async fn list_tags() -> Result<Vec<TagCount>, AppError> {
    let (gallery, owner) = ssr::gallery_of_caller()?;
    Ok(gallery.tags(&owner).await?)
}

/// The words a spoken tag request can name (ImageNet's terms and the gallery's labels), for
/// correcting what the speech recogniser misheard. Fetched once, when voice is turned on.
#[server(prefix = "/_fn", endpoint = "voice_vocabulary")]
pub async fn voice_vocabulary() -> Result<Vec<String>, AppError> {
    let (gallery, owner) = ssr::gallery_of_caller()?;
    let vocabulary = gallery.tag_vocabulary(&owner).await?;
    Ok(vocabulary.terms().map(str::to_owned).collect())
}

/// How many photos a tag filter shows, for the spoken reply ("Showing 12 dog photos").
#[server(prefix = "/_fn", endpoint = "count_tagged")]
pub async fn count_tagged(tag: String) -> Result<u64, AppError> {
    let (gallery, owner) = ssr::gallery_of_caller()?;
    Ok(gallery.count_tagged(&owner, &[tag]).await?)
}

/// One photo, for deep links to photos not yet loaded in the grid.
#[server(prefix = "/_fn", endpoint = "get_photo")]
pub async fn get_photo(id: String) -> Result<Photo, AppError> {
    let (gallery, owner) = ssr::gallery_of_caller()?;
    Ok(gallery.photo(&owner, &ssr::parse_id(&id)?).await?)
}

/// Deletes the given photos; returns how many existed.
#[server(prefix = "/_fn", endpoint = "delete_photos")]
pub async fn delete_photos(ids: Vec<String>) -> Result<usize, AppError> {
    let (gallery, owner) = ssr::gallery_of_caller()?;
    let ids = ssr::parse_ids(&ids)?;
    let deleted = gallery.delete_many(&owner, &ids).await?;
    ssr::audit_deletion(deleted);
    Ok(deleted)
}

/// Deletes every photo; returns how many.
#[server(prefix = "/_fn", endpoint = "delete_all_photos")]
pub async fn delete_all_photos() -> Result<usize, AppError> {
    let (gallery, owner) = ssr::gallery_of_caller()?;
    let deleted = gallery.delete_all(&owner).await?;
    ssr::audit_deletion(deleted);
    Ok(deleted)
}

/// Classifies a photo again, after a failure or with another loaded model (`None`: the one
/// for new uploads); returns it, queued.
#[server(prefix = "/_fn", endpoint = "reclassify_photo")]
pub async fn reclassify_photo(id: String, model: Option<String>) -> Result<Photo, AppError> {
    let (gallery, owner) = ssr::gallery_of_caller()?;
    Ok(gallery
        .reclassify(&owner, &ssr::parse_id(&id)?, model.as_deref())
        .await?)
}

/// The models photos can be classified with, the one for new uploads first; empty when
/// classification is off.
#[server(prefix = "/_fn", endpoint = "classification_models")]
pub async fn classification_models() -> Result<Vec<String>, AppError> {
    let (gallery, _) = ssr::gallery_of_caller()?;
    Ok(gallery.config().models.clone())
}

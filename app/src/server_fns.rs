//! Server functions: what the pages ask the server for. Each is a thin call into the gallery
//! service, the same one the JSON API uses.

use crate::error::AppError;
use gaillery_core::api::{PhotoPage, TagCount};
use gaillery_core::Photo;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
mod ssr {
    use crate::error::AppError;
    use gaillery_core::PhotoId;
    use gaillery_service::Gallery;
    use leptos::prelude::use_context;

    pub fn gallery() -> Result<Gallery, AppError> {
        use_context::<Gallery>()
            .ok_or_else(|| AppError::Refused("the gallery service is not configured".to_owned()))
    }

    pub fn parse_id(raw: &str) -> Result<PhotoId, AppError> {
        PhotoId::parse(raw).ok_or_else(|| AppError::Refused("no such photo".to_owned()))
    }
}

/// One page of photos, newest first; with `tags`, only photos matching every one of them
/// (through the label hierarchy).
#[server(prefix = "/_fn", endpoint = "list_photos")]
pub async fn list_photos(
    cursor: Option<String>,
    // An empty list is left out of the form encoding altogether.
    #[server(default)] tags: Vec<String>,
) -> Result<PhotoPage, AppError> {
    let gallery = ssr::gallery()?;
    Ok(gallery
        .list_tagged(
            &gaillery_service::request_owner(),
            &tags,
            cursor.as_deref(),
            None,
        )
        .await?)
}

/// The labels photos carry, with counts: the search box's suggestions.
#[server(prefix = "/_fn", endpoint = "list_tags")]
pub async fn list_tags() -> Result<Vec<TagCount>, AppError> {
    let gallery = ssr::gallery()?;
    Ok(gallery.tags(&gaillery_service::request_owner()).await?)
}

/// The words a spoken tag request can name (ImageNet's terms and the gallery's labels), for
/// correcting what the speech recogniser misheard. Fetched once, when voice is turned on.
#[server(prefix = "/_fn", endpoint = "voice_vocabulary")]
pub async fn voice_vocabulary() -> Result<Vec<String>, AppError> {
    let gallery = ssr::gallery()?;
    let vocabulary = gallery
        .tag_vocabulary(&gaillery_service::request_owner())
        .await?;
    Ok(vocabulary.terms().map(str::to_owned).collect())
}

/// How many photos a tag filter shows, for the spoken reply ("Showing 12 dog photos").
#[server(prefix = "/_fn", endpoint = "count_tagged")]
pub async fn count_tagged(tag: String) -> Result<u64, AppError> {
    let gallery = ssr::gallery()?;
    Ok(gallery
        .count_tagged(&gaillery_service::request_owner(), &[tag])
        .await?)
}

/// One photo, for deep links to photos not yet loaded in the grid.
#[server(prefix = "/_fn", endpoint = "get_photo")]
pub async fn get_photo(id: String) -> Result<Photo, AppError> {
    let gallery = ssr::gallery()?;
    Ok(gallery
        .photo(&gaillery_service::request_owner(), &ssr::parse_id(&id)?)
        .await?)
}

/// Deletes the given photos; returns how many existed.
#[server(prefix = "/_fn", endpoint = "delete_photos")]
pub async fn delete_photos(ids: Vec<String>) -> Result<usize, AppError> {
    let gallery = ssr::gallery()?;
    let ids = ids
        .iter()
        .map(|id| ssr::parse_id(id))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(gallery
        .delete_many(&gaillery_service::request_owner(), &ids)
        .await?)
}

/// Deletes every photo; returns how many.
#[server(prefix = "/_fn", endpoint = "delete_all_photos")]
pub async fn delete_all_photos() -> Result<usize, AppError> {
    let gallery = ssr::gallery()?;
    Ok(gallery
        .delete_all(&gaillery_service::request_owner())
        .await?)
}

/// Classifies a photo again, after a failure or with another loaded model (`None`: the one
/// for new uploads); returns it, queued.
#[server(prefix = "/_fn", endpoint = "reclassify_photo")]
pub async fn reclassify_photo(id: String, model: Option<String>) -> Result<Photo, AppError> {
    let gallery = ssr::gallery()?;
    Ok(gallery
        .reclassify(
            &gaillery_service::request_owner(),
            &ssr::parse_id(&id)?,
            model.as_deref(),
        )
        .await?)
}

/// The models photos can be classified with, the one for new uploads first; empty when
/// classification is off.
#[server(prefix = "/_fn", endpoint = "classification_models")]
pub async fn classification_models() -> Result<Vec<String>, AppError> {
    Ok(ssr::gallery()?.config().models.clone())
}

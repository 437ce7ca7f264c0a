//! Share links, for their owner: to an album or to a single photo, each listed with the live
//! links of what it shares, and revoked.

use crate::error::AppError;
use gaillery_core::api::albums::LinkInfo;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use super::ssr;

/// A form's expiry and password as the service takes them: `expires_in_days` 0 lasts until
/// revoked, and an empty `password` is none (a form's fields are never absent).
#[cfg(feature = "ssr")]
fn link_terms(expires_in_days: u32, password: String) -> (Option<u32>, Option<String>) {
    let expires_in_days = (expires_in_days > 0).then_some(expires_in_days);
    (expires_in_days, Some(password).filter(|p| !p.is_empty()))
}

/// A new share link to the album.
#[server(prefix = "/_fn", endpoint = "share_album")]
pub async fn share_album(
    id: String,
    #[server(default)] expires_in_days: u32,
    #[server(default)] password: String,
) -> Result<LinkInfo, AppError> {
    let caller = ssr::caller()?;
    let (expires_in_days, password) = link_terms(expires_in_days, password);
    let link = ssr::albums()?
        .share_album(&caller.owner, &id, expires_in_days, password.as_deref())
        .await?;
    ssr::audit_link("album shared from the page");
    Ok(gaillery_service::albums::link_info(link))
}

/// A new share link to one photo.
#[server(prefix = "/_fn", endpoint = "share_photo")]
pub async fn share_photo(
    id: String,
    #[server(default)] expires_in_days: u32,
    #[server(default)] password: String,
) -> Result<LinkInfo, AppError> {
    let caller = ssr::caller()?;
    let photo = ssr::parse_id(&id)?;
    let (expires_in_days, password) = link_terms(expires_in_days, password);
    let link = ssr::albums()?
        .share_photo(&caller.owner, &photo, expires_in_days, password.as_deref())
        .await?;
    ssr::audit_link("photo shared from the page");
    Ok(gaillery_service::albums::link_info(link))
}

/// The album's live links, newest first.
#[server(prefix = "/_fn", endpoint = "album_links")]
pub async fn album_links(id: String) -> Result<Vec<LinkInfo>, AppError> {
    let caller = ssr::caller()?;
    let albums = ssr::albums()?;
    albums.get(&caller.owner, &id).await?;
    let links = albums.links(&caller.owner).await?;
    Ok(links
        .into_iter()
        .filter(|link| link.album_id.as_deref() == Some(id.as_str()))
        .map(gaillery_service::albums::link_info)
        .collect())
}

/// The photo's live links, newest first.
#[server(prefix = "/_fn", endpoint = "photo_links")]
pub async fn photo_links(id: String) -> Result<Vec<LinkInfo>, AppError> {
    let caller = ssr::caller()?;
    let photo = ssr::parse_id(&id)?;
    ssr::gallery()?.photo(&caller.owner, &photo).await?;
    let links = ssr::albums()?.links(&caller.owner).await?;
    Ok(links
        .into_iter()
        .filter(|link| link.photo_id.as_ref() == Some(&photo))
        .map(gaillery_service::albums::link_info)
        .collect())
}

/// Ends one of the caller's links at once.
#[server(prefix = "/_fn", endpoint = "revoke_link")]
pub async fn revoke_link(token: String) -> Result<(), AppError> {
    let caller = ssr::caller()?;
    ssr::albums()?.revoke_link(&caller.owner, &token).await?;
    ssr::audit_link("share link revoked from the page");
    Ok(())
}

//! The timeline: its months with their counts, and a month's photos.

use crate::error::AppError;
use gaillery_core::api::{PhotoPage, Timeline};
use gaillery_core::TimelineOrder;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use super::ssr;

/// The months that hold the owner's photos (those matching every word of `tags`), newest
/// first, with their counts.
#[server(prefix = "/_fn", endpoint = "timeline_months")]
pub async fn timeline_months(
    #[server(default)] tags: Vec<String>,
    #[server(default)] order: TimelineOrder,
) -> Result<Timeline, AppError> {
    let (gallery, owner) = ssr::gallery_of_caller()?;
    Ok(gallery.timeline(&owner, order, &tags).await?)
}

/// One page of a month's photos (`YYYY-MM`), newest first in `order`; `limit` photos, or as
/// many as a page holds.
#[server(prefix = "/_fn", endpoint = "list_month")]
pub async fn list_month(
    month: String,
    cursor: Option<String>,
    #[server(default)] tags: Vec<String>,
    #[server(default)] order: TimelineOrder,
    limit: Option<usize>,
) -> Result<PhotoPage, AppError> {
    let (gallery, owner) = ssr::gallery_of_caller()?;
    let month = gaillery_core::Month::parse(&month).ok_or_else(|| {
        gaillery_service::ServiceError::Invalid("month must be YYYY-MM".to_owned())
    })?;
    Ok(gallery
        .list_month(
            &owner,
            order,
            month,
            &tags,
            cursor.as_deref(),
            Some(limit.unwrap_or(gaillery_core::api::MAX_PAGE_SIZE)),
        )
        .await?)
}

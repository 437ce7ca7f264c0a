//! Reading the catalog: one photo, pages of photos (optionally by tag), tags and counts.

use crate::vocabulary::labels_for_search;
use crate::{Gallery, ServiceError};
use gaillery_core::api::{PhotoPage, TagCount, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, MAX_SEARCH_TAGS};
use gaillery_core::{OwnerId, Photo, PhotoId};
use gaillery_storage::PhotoTotals;

impl Gallery {
    pub async fn photo(&self, owner: &OwnerId, id: &PhotoId) -> Result<Photo, ServiceError> {
        self.catalog
            .photo(owner, id)
            .await?
            .ok_or(ServiceError::NotFound)
    }

    /// The owner's photos among `ids`, in that order; the others are left out.
    pub async fn photos_by_ids(
        &self,
        owner: &OwnerId,
        ids: &[PhotoId],
    ) -> Result<Vec<Photo>, ServiceError> {
        Ok(self.catalog.photos_by_ids(owner, ids).await?)
    }

    /// One page of the owner's photos, newest first; with `tags`, only those matching every
    /// search word (through the label hierarchy: "dog" matches every breed; case and plurals
    /// do not matter).
    pub async fn list_tagged(
        &self,
        owner: &OwnerId,
        tags: &[String],
        cursor: Option<&str>,
        limit: Option<usize>,
    ) -> Result<PhotoPage, ServiceError> {
        let limit = page_size(limit);
        let cursor = cursor.filter(|c| !c.is_empty());
        let Some(groups) = search_groups(tags)? else {
            return Ok(PhotoPage::default());
        };
        Ok(self
            .catalog
            .list_photos_tagged(owner, &groups, cursor, limit)
            .await?)
    }

    /// The labels the owner's photos carry, with counts, most common first.
    pub async fn tags(&self, owner: &OwnerId) -> Result<Vec<TagCount>, ServiceError> {
        Ok(self.catalog.tag_counts(owner).await?)
    }

    /// How many photos the owner has, and the bytes of their originals.
    pub async fn totals(&self, owner: &OwnerId) -> Result<PhotoTotals, ServiceError> {
        Ok(self.catalog.photo_totals(owner).await?)
    }
}

/// The page size for a requested `limit`.
pub(crate) fn page_size(limit: Option<usize>) -> usize {
    limit.unwrap_or(DEFAULT_PAGE_SIZE).clamp(1, MAX_PAGE_SIZE)
}

/// The label groups a search asks for, one per word (blank words ignored); `None` when a word
/// covers no label, so nothing can match.
pub(crate) fn search_groups(tags: &[String]) -> Result<Option<Vec<Vec<String>>>, ServiceError> {
    // Each word is a join over the labels: a bounded number keeps one query bounded.
    ServiceError::check_count("search words", tags.len(), MAX_SEARCH_TAGS)?;
    let groups: Vec<Vec<String>> = tags
        .iter()
        .filter(|tag| !tag.trim().is_empty())
        .map(|tag| labels_for_search(tag))
        .collect();
    Ok((!groups.iter().any(Vec::is_empty)).then_some(groups))
}

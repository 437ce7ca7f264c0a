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
        // Each word is a join over the labels: a bounded number keeps one query bounded.
        ServiceError::check_count("search words", tags.len(), MAX_SEARCH_TAGS)?;
        let limit = limit.unwrap_or(DEFAULT_PAGE_SIZE).clamp(1, MAX_PAGE_SIZE);
        let cursor = cursor.filter(|c| !c.is_empty());
        let groups: Vec<Vec<String>> = tags
            .iter()
            .filter(|tag| !tag.trim().is_empty())
            .map(|tag| labels_for_search(tag))
            .collect();
        if groups.iter().any(Vec::is_empty) {
            // A word that covers no label matches no photo.
            return Ok(PhotoPage {
                photos: Vec::new(),
                next_cursor: None,
            });
        }
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

    /// How many of the owner's photos match every word of `tags` (as [`Gallery::list_tagged`]
    /// matches them). Walks the listing a full page at a time: galleries are personal, and a
    /// spoken filter asks once.
    pub async fn count_tagged(
        &self,
        owner: &OwnerId,
        tags: &[String],
    ) -> Result<u64, ServiceError> {
        let mut count = 0;
        let mut cursor: Option<String> = None;
        loop {
            let page = self
                .list_tagged(owner, tags, cursor.as_deref(), Some(MAX_PAGE_SIZE))
                .await?;
            count += page.photos.len() as u64;
            match page.next_cursor {
                Some(next) => cursor = Some(next),
                None => return Ok(count),
            }
        }
    }
}

//! The timeline: the months that hold photos with their counts, and a month's photos.

use crate::listing::{page_size, search_groups};
use crate::{Gallery, ServiceError};
use gaillery_core::api::{PhotoPage, Timeline, TimelineSection};
use gaillery_core::{Month, OwnerId, TimelineOrder};

impl Gallery {
    /// The owner's months, newest first, with how many photos each holds; with `tags`, counting
    /// only photos that match every word (as [`Gallery::list_tagged`] matches them).
    pub async fn timeline(
        &self,
        owner: &OwnerId,
        order: TimelineOrder,
        tags: &[String],
    ) -> Result<Timeline, ServiceError> {
        let Some(groups) = search_groups(tags)? else {
            return Ok(Timeline::default());
        };
        let months = self.catalog.timeline(owner, order, &groups).await?;
        Ok(Timeline {
            sections: months
                .into_iter()
                .map(|month| TimelineSection {
                    month: month.month.to_string(),
                    count: month.count,
                })
                .collect(),
        })
    }

    /// One page of the photos of `month`, newest first in `order`, matching every word of
    /// `tags`.
    pub async fn list_month(
        &self,
        owner: &OwnerId,
        order: TimelineOrder,
        month: Month,
        tags: &[String],
        cursor: Option<&str>,
        limit: Option<usize>,
    ) -> Result<PhotoPage, ServiceError> {
        let Some(groups) = search_groups(tags)? else {
            return Ok(PhotoPage::default());
        };
        let cursor = cursor.filter(|c| !c.is_empty());
        Ok(self
            .catalog
            .list_month(owner, order, month, &groups, cursor, page_size(limit))
            .await?)
    }

    /// How many of the owner's photos match every word of `tags`: the sum of their months'
    /// counts, so a spoken filter never walks the photos themselves.
    pub async fn count_tagged(
        &self,
        owner: &OwnerId,
        tags: &[String],
    ) -> Result<u64, ServiceError> {
        let timeline = self.timeline(owner, TimelineOrder::Taken, tags).await?;
        Ok(timeline.sections.iter().map(|section| section.count).sum())
    }
}

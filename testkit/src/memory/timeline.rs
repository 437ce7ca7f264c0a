//! The timeline in memory: months counted and listed by going through every photo, which is
//! what a test's few photos allow and what the real adapters' counters must agree with.

use super::{CatalogState, StoredPhoto};
use gaillery_core::api::PhotoPage;
use gaillery_core::{searchable_labels, Month, OwnerId, TimelineOrder};
use gaillery_storage::catalog::page_limit;
use gaillery_storage::{MonthCount, PageCursor};
use std::collections::BTreeMap;

/// Whether the photo carries a searchable label of every group.
pub(super) fn matches(stored: &StoredPhoto, groups: &[Vec<String>]) -> bool {
    groups.iter().all(|group| {
        searchable_labels(&stored.photo.labels).any(|label| group.contains(&label.label))
    })
}

fn key(stored: &StoredPhoto, order: TimelineOrder) -> i64 {
    order.key(stored.photo.taken_at.as_deref(), stored.created_at_ms)
}

impl CatalogState {
    pub(super) fn timeline(
        &self,
        owner: &OwnerId,
        order: TimelineOrder,
        groups: &[Vec<String>],
    ) -> Vec<MonthCount> {
        let mut counts: BTreeMap<Month, u64> = BTreeMap::new();
        for stored in self.photos.values() {
            if &stored.owner == owner && matches(stored, groups) {
                *counts
                    .entry(order.month_of(key(stored, order)))
                    .or_default() += 1;
            }
        }
        counts
            .into_iter()
            .rev()
            .map(|(month, count)| MonthCount { month, count })
            .collect()
    }

    pub(super) fn month_page(
        &self,
        owner: &OwnerId,
        order: TimelineOrder,
        month: Month,
        groups: &[Vec<String>],
        after: Option<&PageCursor>,
        limit: usize,
    ) -> PhotoPage {
        let limit = page_limit(limit);
        let mut matching: Vec<(i64, &StoredPhoto)> = self
            .photos
            .values()
            .filter(|stored| &stored.owner == owner && matches(stored, groups))
            .map(|stored| (key(stored, order), stored))
            .filter(|(key, _)| order.bounds(month).contains(key))
            .filter(|(key, stored)| {
                after.is_none_or(|after| (*key, &stored.photo.id) < (after.key, &after.id))
            })
            .collect();
        matching.sort_by(|(a_key, a), (b_key, b)| (b_key, &b.photo.id).cmp(&(a_key, &a.photo.id)));
        let next_cursor = (matching.len() > limit).then(|| {
            let (key, last) = matching[limit - 1];
            PageCursor::after(key, &last.photo.id).encode()
        });
        PhotoPage {
            photos: matching
                .into_iter()
                .take(limit)
                .map(|(_, stored)| stored.photo.clone())
                .collect(),
            next_cursor,
        }
    }
}

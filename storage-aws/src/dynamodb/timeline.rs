//! The timeline: the months of an owner's photos with their counts, and a month's photos a page
//! at a time, by date taken or by upload, filtered by tags or not. The items it reads are
//! described in the `months` module.
//!
//! - **Months, unfiltered**: one Query of the month counts.
//! - **Months, filtered by tags**: counted from the photos themselves, which decide whether
//!   they are findable: the memberships of the most selective group (keys only) name the
//!   candidates, a BatchGetItem reads them, and those findable by every group count in the
//!   month of their key. Cost grows with the photos carrying a label of that group.
//! - **A month by date taken**: its membership partition between the month's bounds, newest
//!   first from the cursor; a BatchGetItem of the photos named, those matching the tags kept,
//!   until the page is full.
//! - **A month by upload**: the index `by_created` (the photos themselves, by upload time and
//!   id) between the month's bounds, newest first from the cursor, until the page is full.
//!
//! Photos whose key lies beyond years 1 to 9999 count in the first or last month, but are
//! outside its bounds, so its listing leaves them out, as the other storages do.

use super::findable::matches_groups;
use super::items::{decode_photo, key, s, Fields, Item, StoredPhoto};
use super::months::{month_pk, order_key};
use super::request::{Expr, QuerySpec};
use super::table::{
    check_owner, created_key, owner_pk, parse_created_key, photo_sk, tag_pk, time_key, BY_CREATED,
    LSK, PK, SK,
};
use super::tags::{FETCH_BATCH, QUERY_CONCURRENCY};
use super::DynamoCatalog;
use futures::{StreamExt, TryStreamExt};
use gaillery_core::api::PhotoPage;
use gaillery_core::{Month, OwnerId, PhotoId, TimelineOrder};
use gaillery_storage::{MonthCount, PageCursor, StorageError};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// Photos read per BatchGetItem round when counting a tagged timeline, to bound the memory.
const COUNT_BATCH: usize = 1000;
/// The most index items read at a time when tags filter a month by upload.
const SCAN_PAGE: usize = 200;

/// A page of photos with their keys in the order listed, fetched with one more than `limit`.
fn month_page(mut photos: Vec<(i64, StoredPhoto)>, limit: usize) -> PhotoPage {
    let next_cursor = if photos.len() > limit {
        photos.truncate(limit);
        photos
            .last()
            .map(|(key, last)| PageCursor::after(*key, &last.photo.id).encode())
    } else {
        None
    };
    PhotoPage {
        photos: photos.into_iter().map(|(_, stored)| stored.photo).collect(),
        next_cursor,
    }
}

impl DynamoCatalog {
    /// The months with photos in `order`, newest first, counting only photos findable by
    /// every group.
    pub(super) async fn months(
        &self,
        owner: &OwnerId,
        order: TimelineOrder,
        groups: &[Vec<String>],
    ) -> Result<Vec<MonthCount>, StorageError> {
        check_owner(owner)?;
        if groups.is_empty() {
            return self.month_counts(owner, order).await;
        }
        let driver = self.driving_labels(owner, groups).await?;
        let specs: Vec<QuerySpec> = driver
            .iter()
            .map(|label| {
                let mut spec = QuerySpec::partition(tag_pk(owner, label), None);
                spec.projection = Some(spec.expr.name(SK));
                spec
            })
            .collect();
        let reads: Vec<_> = specs.iter().map(|spec| self.query_all(spec)).collect();
        let memberships: Vec<Vec<_>> = futures::stream::iter(reads)
            .buffered(QUERY_CONCURRENCY)
            .try_collect()
            .await?;
        // A photo with several labels of the group is a candidate once.
        let mut candidates: BTreeSet<PhotoId> = BTreeSet::new();
        for item in memberships.iter().flatten() {
            candidates.insert(position(item, SK)?.1);
        }
        let candidates: Vec<PhotoId> = candidates.into_iter().collect();
        let mut counts: BTreeMap<Month, u64> = BTreeMap::new();
        for chunk in candidates.chunks(COUNT_BATCH) {
            let keys = chunk
                .iter()
                .map(|id| key(owner_pk(owner), photo_sk(id)))
                .collect();
            // Missing photos were deleted since their membership was read.
            for item in self.batch_get(keys).await? {
                let stored = decode_photo(item)?;
                if matches_groups(&stored.photo, groups) {
                    *counts
                        .entry(order.month_of(order_key(order, &stored)))
                        .or_default() += 1;
                }
            }
        }
        Ok(counts
            .into_iter()
            .rev()
            .map(|(month, count)| MonthCount { month, count })
            .collect())
    }

    /// A page of the photos of `month` in `order` findable by every group, newest first.
    pub(super) async fn month_photos(
        &self,
        owner: &OwnerId,
        order: TimelineOrder,
        month: Month,
        groups: &[Vec<String>],
        after: Option<&PageCursor>,
        limit: usize,
    ) -> Result<PhotoPage, StorageError> {
        check_owner(owner)?;
        match order {
            TimelineOrder::Taken => self.taken_in(owner, month, groups, after, limit).await,
            TimelineOrder::Uploaded => self.uploaded_in(owner, month, groups, after, limit).await,
        }
    }

    /// A month by date taken, from its memberships.
    async fn taken_in(
        &self,
        owner: &OwnerId,
        month: Month,
        groups: &[Vec<String>],
        after: Option<&PageCursor>,
        limit: usize,
    ) -> Result<PhotoPage, StorageError> {
        self.count_months_once(owner).await?;
        let partition = month_pk(owner, month);
        let Some(mut spec) = newest_first(TimelineOrder::Taken, partition, SK, month, after) else {
            return Ok(month_page(Vec::new(), limit));
        };
        spec.projection = Some(spec.expr.name(SK));
        let wanted = limit + 1;
        let pk = owner_pk(owner);
        let mut matched: Vec<(i64, StoredPhoto)> = Vec::with_capacity(wanted);
        let mut start = None;
        loop {
            let missing = wanted - matched.len();
            let round = if groups.is_empty() {
                missing
            } else {
                missing * 2
            }
            .min(FETCH_BATCH);
            let page = self.query_page(&spec, Some(round), start).await?;
            let mut positions = Vec::with_capacity(page.items.len());
            for item in &page.items {
                let (key, id) = position(item, SK)?;
                if !is_cursor(after, key, &id) {
                    positions.push((key, id));
                }
            }
            let keys = positions
                .iter()
                .map(|(_, id)| key(pk.clone(), photo_sk(id)))
                .collect();
            let mut fetched: HashMap<PhotoId, StoredPhoto> = HashMap::new();
            for item in self.batch_get(keys).await? {
                let stored = decode_photo(item)?;
                fetched.insert(stored.photo.id.clone(), stored);
            }
            for (key, id) in positions {
                // Missing: deleted since its membership was read.
                let Some(stored) = fetched.remove(&id) else {
                    continue;
                };
                if matches_groups(&stored.photo, groups) {
                    matched.push((key, stored));
                    if matched.len() == wanted {
                        return Ok(month_page(matched, limit));
                    }
                }
            }
            match page.next {
                Some(next) => start = Some(next),
                None => return Ok(month_page(matched, limit)),
            }
        }
    }

    /// A month by upload, from the index `by_created`, whose items are the photos.
    async fn uploaded_in(
        &self,
        owner: &OwnerId,
        month: Month,
        groups: &[Vec<String>],
        after: Option<&PageCursor>,
        limit: usize,
    ) -> Result<PhotoPage, StorageError> {
        let partition = owner_pk(owner);
        let Some(mut spec) = newest_first(TimelineOrder::Uploaded, partition, LSK, month, after)
        else {
            return Ok(month_page(Vec::new(), limit));
        };
        spec.index = Some(BY_CREATED);
        let wanted = limit + 1;
        let mut matched: Vec<(i64, StoredPhoto)> = Vec::with_capacity(wanted);
        let mut start = None;
        loop {
            let missing = wanted - matched.len();
            let round = if groups.is_empty() {
                missing
            } else {
                (missing * 2).min(SCAN_PAGE)
            };
            let page = self.query_page(&spec, Some(round), start).await?;
            for item in page.items {
                let (key, id) = position(&item, LSK)?;
                if is_cursor(after, key, &id) {
                    continue;
                }
                let stored = decode_photo(item)?;
                if matches_groups(&stored.photo, groups) {
                    matched.push((key, stored));
                    if matched.len() == wanted {
                        return Ok(month_page(matched, limit));
                    }
                }
            }
            match page.next {
                Some(next) => start = Some(next),
                None => return Ok(month_page(matched, limit)),
            }
        }
    }
}

/// The key and id of a position `{key}#{id}` in the attribute `name` of `item`.
fn position(item: &Item, name: &str) -> Result<(i64, PhotoId), StorageError> {
    let fields = Fields(item);
    parse_created_key(fields.s(name)?)
        .ok_or_else(|| fields.damaged(&format!("{name} is not a position")))
}

/// A query of `partition`, descending on `sort` (positions `{key}#{id}` in `order`), over
/// `month` up to the cursor, which it includes (the caller skips it); `None` if the cursor is
/// before the month.
fn newest_first(
    order: TimelineOrder,
    partition: String,
    sort: &str,
    month: Month,
    after: Option<&PageCursor>,
) -> Option<QuerySpec> {
    // Bare times: the start sorts before every position at it, the end after every one
    // before it.
    let bounds = order.bounds(month);
    let (first, end) = (time_key(bounds.start), time_key(bounds.end));
    let last = match after {
        Some(cursor) => created_key(cursor.key, &cursor.id).min(end),
        None => end,
    };
    if last < first {
        return None;
    }
    let mut expr = Expr::new();
    let condition = format!(
        "{} = {} AND {} BETWEEN {} AND {}",
        expr.name(PK),
        expr.value(s(partition)),
        expr.name(sort),
        expr.value(s(first)),
        expr.value(s(last))
    );
    let mut spec = QuerySpec::new(condition, expr);
    spec.forward = false;
    Some(spec)
}

/// Whether a position is the cursor's own.
fn is_cursor(after: Option<&PageCursor>, key: i64, id: &PhotoId) -> bool {
    after.is_some_and(|cursor| cursor.key == key && &cursor.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_before_the_month_lists_nothing() {
        let may = Month::parse("2019-05").unwrap();
        let id = PhotoId::parse("p1").unwrap();
        for order in [TimelineOrder::Taken, TimelineOrder::Uploaded] {
            let bounds = order.bounds(may);
            let query = |key: i64| {
                let cursor = PageCursor::after(key, &id);
                newest_first(order, "pk".into(), SK, may, Some(&cursor))
            };
            assert!(query(bounds.start - 1).is_none(), "{order:?}");
            assert!(query(bounds.start).is_some(), "{order:?}");
            assert!(query(bounds.end + 1).is_some(), "{order:?}");
            assert!(newest_first(order, "pk".into(), SK, may, None).is_some());
        }
    }

    #[test]
    fn the_cursor_is_the_last_photo_listed() {
        let new = gaillery_storage::NewPhoto {
            id: PhotoId::parse("p1").unwrap(),
            owner: OwnerId::local(),
            filename: "a.jpg".into(),
            width: 1,
            height: 1,
            taken_at: None,
            format: "jpeg".into(),
            size_bytes: 1,
            sha256: "0".repeat(64),
            placeholder: String::new(),
            status: gaillery_core::PhotoStatus::Done,
            created_at_ms: 0,
        };
        let stored = decode_photo(super::super::items::new_photo_item(&new)).unwrap();
        let photos: Vec<(i64, StoredPhoto)> = (0..3).rev().map(|k| (k, stored.clone())).collect();
        let page = month_page(photos.clone(), 2);
        assert_eq!(page.photos.len(), 2);
        assert_eq!(page.next_cursor.as_deref(), Some("1.p1"));
        assert_eq!(month_page(photos, 3).next_cursor, None);
    }
}

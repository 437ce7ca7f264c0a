//! Listing checks: newest first, a page at a time, every photo exactly once.

use super::helpers::clear;
use super::run::{Run, T0};
use crate::catalog::{Catalog, NewPhoto};
use crate::StorageError;
use gaillery_core::api::{PhotoPage, MAX_PAGE_SIZE};
use gaillery_core::PhotoId;
use std::collections::HashSet;

/// Runs every check of this module.
pub async fn all_checks(catalog: &dyn Catalog) {
    crate::__contract_checks!(listing => __contract_run_each!((catalog)));
}

pub async fn empty_listing_has_no_next_page(catalog: &dyn Catalog) {
    const CHECK: &str = "empty_listing_has_no_next_page";
    let run = &Run::new();
    let owner = run.owner("empty");
    let page = catalog.list_photos(&owner, None, 60).await.expect("list");
    assert_eq!(
        page,
        PhotoPage {
            photos: vec![],
            next_cursor: None
        },
        "{CHECK}"
    );
}

pub async fn listing_is_newest_first_with_ties_broken_by_id(catalog: &dyn Catalog) {
    const CHECK: &str = "listing_is_newest_first_with_ties_broken_by_id";
    let run = &Run::new();
    let owner = run.owner("order");
    // Inserted out of order, with three photos sharing one instant.
    let mut inserted = Vec::new();
    for offset in [5_000, 0, 9_000, 5_000, 1, 5_000, -3_000] {
        let new = run.new_photo(&owner, T0 + offset);
        catalog.insert_photo(new.clone()).await.expect("insert");
        inserted.push(new);
    }
    let page = catalog.list_photos(&owner, None, 60).await.expect("list");
    assert_eq!(
        page.next_cursor, None,
        "{CHECK}: everything fits on one page"
    );
    let listed: Vec<&PhotoId> = page.photos.iter().map(|p| &p.id).collect();
    assert_eq!(
        listed,
        expected_order(&inserted),
        "{CHECK}: created_at DESC, then id DESC"
    );
    clear(catalog, &owner).await;
}

pub async fn pagination_visits_every_photo_exactly_once(catalog: &dyn Catalog) {
    const CHECK: &str = "pagination_visits_every_photo_exactly_once";
    let run = &Run::new();
    let owner = run.owner("pagination");
    let mut inserted = Vec::new();
    for i in 0..137 {
        // Runs of up to five photos share an instant, and runs straddle the page boundaries.
        let new = run.new_photo(&owner, T0 + (i / 5) * 1_000);
        catalog.insert_photo(new.clone()).await.expect("insert");
        inserted.push(new);
    }
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    let mut pages = 0;
    loop {
        let page = catalog
            .list_photos(&owner, cursor.as_deref(), 20)
            .await
            .expect("list");
        pages += 1;
        assert!(
            pages <= 7,
            "{CHECK}: 137 photos by 20 take 7 pages, the listing goes on"
        );
        let expected_len = if pages < 7 { 20 } else { 17 };
        assert_eq!(
            page.photos.len(),
            expected_len,
            "{CHECK}: length of page {pages}"
        );
        seen.extend(page.photos.into_iter().map(|p| p.id));
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    assert_eq!(pages, 7, "{CHECK}: no next_cursor before the last page");
    let unique: HashSet<&PhotoId> = seen.iter().collect();
    assert_eq!(
        unique.len(),
        seen.len(),
        "{CHECK}: no photo appears on two pages"
    );
    assert_eq!(
        seen.iter().collect::<Vec<_>>(),
        expected_order(&inserted),
        "{CHECK}: pages concatenate to the full order"
    );
    clear(catalog, &owner).await;
}

pub async fn pages_stay_stable_when_newer_photos_arrive(catalog: &dyn Catalog) {
    const CHECK: &str = "pages_stay_stable_when_newer_photos_arrive";
    let run = &Run::new();
    let owner = run.owner("stable");
    let mut inserted = Vec::new();
    for i in 0..10 {
        let new = run.new_photo(&owner, T0 + i);
        catalog.insert_photo(new.clone()).await.expect("insert");
        inserted.push(new);
    }
    let first = catalog.list_photos(&owner, None, 4).await.expect("list");
    let cursor = first.next_cursor.clone().expect("a next page");
    // An upload lands between two page loads: the next page neither repeats nor skips a photo.
    catalog
        .insert_photo(run.new_photo(&owner, T0 + 1_000))
        .await
        .expect("insert");
    let second = catalog
        .list_photos(&owner, Some(&cursor), 4)
        .await
        .expect("list");
    let order = expected_order(&inserted);
    let ids: Vec<&PhotoId> = second.photos.iter().map(|p| &p.id).collect();
    assert_eq!(
        ids,
        order[4..8].to_vec(),
        "{CHECK}: the second page continues where the first ended"
    );
    clear(catalog, &owner).await;
}

pub async fn limit_is_clamped(catalog: &dyn Catalog) {
    const CHECK: &str = "limit_is_clamped";
    let run = &Run::new();
    let owner = run.owner("clamp");
    let photos: Vec<NewPhoto> = (0..MAX_PAGE_SIZE as i64 + 1)
        .map(|i| run.new_photo(&owner, T0 + i))
        .collect();
    for photo in &photos {
        catalog.insert_photo(photo.clone()).await.expect("insert");
    }
    let zero = catalog.list_photos(&owner, None, 0).await.expect("list");
    assert_eq!(zero.photos.len(), 1, "{CHECK}: limit 0 gives one photo");
    assert!(zero.next_cursor.is_some(), "{CHECK}: limit 0 still pages");
    let huge = catalog
        .list_photos(&owner, None, usize::MAX)
        .await
        .expect("list");
    assert_eq!(
        huge.photos.len(),
        MAX_PAGE_SIZE,
        "{CHECK}: a huge limit gives MAX_PAGE_SIZE photos"
    );
    let rest = catalog
        .list_photos(&owner, huge.next_cursor.as_deref(), usize::MAX)
        .await
        .expect("list");
    assert_eq!(
        rest.photos.len(),
        1,
        "{CHECK}: the photo beyond MAX_PAGE_SIZE is on the next page"
    );
    assert_eq!(rest.next_cursor, None, "{CHECK}: and that is the last page");
    clear(catalog, &owner).await;
}

pub async fn malformed_cursors_are_invalid(catalog: &dyn Catalog) {
    const CHECK: &str = "malformed_cursors_are_invalid";
    let run = &Run::new();
    let owner = run.owner("cursor");
    catalog
        .insert_photo(run.new_photo(&owner, T0))
        .await
        .expect("insert");
    // Nothing any adapter's encoding could produce.
    for bad in [
        "",
        " ",
        "not a cursor",
        "!!!",
        "\0",
        "../../etc/passwd",
        "%ZZ",
    ] {
        let listed = catalog.list_photos(&owner, Some(bad), 20).await;
        assert_eq!(
            listed,
            Err(StorageError::InvalidCursor),
            "{CHECK}: cursor {bad:?}"
        );
    }
    clear(catalog, &owner).await;
}

/// The listing order, computed independently of any adapter.
fn expected_order(photos: &[NewPhoto]) -> Vec<&PhotoId> {
    let mut sorted: Vec<&NewPhoto> = photos.iter().collect();
    sorted.sort_by(|a, b| (b.created_at_ms, &b.id).cmp(&(a.created_at_ms, &a.id)));
    sorted.into_iter().map(|p| &p.id).collect()
}

pub async fn photos_by_ids_come_in_the_order_asked_and_only_the_owners(catalog: &dyn Catalog) {
    const CHECK: &str = "photos_by_ids_come_in_the_order_asked_and_only_the_owners";
    let run = &Run::new();
    let (owner, other) = (run.owner("batch"), run.owner("batch-other"));
    let mut mine = Vec::new();
    for offset in 0..3 {
        let new = run.new_photo(&owner, T0 + offset);
        catalog.insert_photo(new.clone()).await.expect("insert");
        mine.push(new.id);
    }
    let theirs = run.new_photo(&other, T0);
    catalog.insert_photo(theirs.clone()).await.expect("insert");
    let asked = [
        mine[2].clone(),
        run.photo_id(),
        theirs.id.clone(),
        mine[0].clone(),
    ];
    let found: Vec<PhotoId> = catalog
        .photos_by_ids(&owner, &asked)
        .await
        .expect("photos_by_ids")
        .into_iter()
        .map(|photo| photo.id)
        .collect();
    assert_eq!(found, [mine[2].clone(), mine[0].clone()], "{CHECK}");
    let none = catalog.photos_by_ids(&owner, &[]).await.expect("no ids");
    assert!(none.is_empty(), "{CHECK}: no ids, no photos");
    // More ids than one round of a batched read takes.
    let many: Vec<PhotoId> = (0..150)
        .map(|_| run.photo_id())
        .chain(mine.clone())
        .collect();
    let found = catalog
        .photos_by_ids(&owner, &many)
        .await
        .expect("many ids");
    assert_eq!(found.len(), 3, "{CHECK}: 153 ids, 3 of them photos");
}

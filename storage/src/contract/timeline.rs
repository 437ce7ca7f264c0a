//! Timeline checks: month counts by date taken (or upload), kept exact through inserts,
//! deletes and relabelling, and a month's photos a page at a time.

use super::helpers::{clear, labels};
use super::run::{Run, T0};
use crate::catalog::{Catalog, MonthCount, NewPhoto};
use crate::StorageError;
use gaillery_core::{Month, OwnerId, PhotoId, TimelineOrder};
use std::collections::BTreeMap;

/// Runs every check of this module.
pub async fn all_checks(catalog: &dyn Catalog) {
    crate::__contract_checks!(timeline => __contract_run_each!((catalog)));
}

fn month(raw: &str) -> Month {
    Month::parse(raw).unwrap_or_else(|| panic!("month {raw:?}"))
}

/// A photo taken at `taken_at` (none: only its upload time, `created_at_ms`, dates it).
fn photo_taken(run: &Run, owner: &OwnerId, taken_at: Option<&str>, created_at_ms: i64) -> NewPhoto {
    let mut new = run.new_photo(owner, created_at_ms);
    new.taken_at = taken_at.map(str::to_owned);
    new
}

/// The timeline as `(month, count)` pairs.
async fn sections(
    catalog: &dyn Catalog,
    owner: &OwnerId,
    order: TimelineOrder,
    tags: &[Vec<String>],
) -> Vec<(String, u64)> {
    catalog
        .timeline(owner, order, tags)
        .await
        .expect("timeline")
        .into_iter()
        .map(|MonthCount { month, count }| (month.to_string(), count))
        .collect()
}

/// Every photo of the month, following the cursors, in the order listed.
async fn whole_month(
    catalog: &dyn Catalog,
    owner: &OwnerId,
    order: TimelineOrder,
    month: Month,
    tags: &[Vec<String>],
    page: usize,
) -> Vec<PhotoId> {
    let mut ids = Vec::new();
    let mut cursor: Option<String> = None;
    for _ in 0..1000 {
        let listed = catalog
            .list_month(owner, order, month, tags, cursor.as_deref(), page)
            .await
            .expect("month page");
        assert!(
            listed.photos.len() <= page,
            "a page holds at most its limit"
        );
        ids.extend(listed.photos.into_iter().map(|p| p.id));
        match listed.next_cursor {
            Some(next) => cursor = Some(next),
            None => return ids,
        }
    }
    panic!("the month's listing never ended");
}

fn groups(words: &[&[&str]]) -> Vec<Vec<String>> {
    words
        .iter()
        .map(|group| group.iter().map(|&label| label.to_owned()).collect())
        .collect()
}

pub async fn months_follow_the_date_taken_or_else_the_upload(catalog: &dyn Catalog) {
    const CHECK: &str = "months_follow_the_date_taken_or_else_the_upload";
    let run = &Run::new();
    let owner = run.owner("months");
    assert!(
        sections(catalog, &owner, TimelineOrder::Taken, &[])
            .await
            .is_empty(),
        "{CHECK}: an empty library has no months"
    );
    // T0 is 2026-11-26 (UTC).
    for (taken_at, created_at_ms) in [
        (Some("2019-05-04T10:00:00"), T0),
        (Some("2019-05-31T23:59:59"), T0 + 1),
        (Some("2019-06-01T00:00:00"), T0 + 2),
        (Some("2019-04-30T23:59:59"), T0 + 3),
        // No date, and a date nobody can read: the upload month.
        (None, T0 + 4),
        (Some("0000:00:00 00:00:00"), T0 + 5),
        // A camera's impossible day stays in its month.
        (Some("2023-02-31T08:00:00"), T0 + 6),
        (Some("1969-12-31T23:59:59"), T0 + 7),
        // Uploaded a month earlier.
        (None, T0 - 40 * 86_400_000),
    ] {
        let new = photo_taken(run, &owner, taken_at, created_at_ms);
        catalog.insert_photo(new).await.expect("insert");
    }
    let expected: Vec<(String, u64)> = [
        ("2026-11", 2),
        ("2026-10", 1),
        ("2023-02", 1),
        ("2019-06", 1),
        ("2019-05", 2),
        ("2019-04", 1),
        ("1969-12", 1),
    ]
    .into_iter()
    .map(|(m, n)| (m.to_owned(), n))
    .collect();
    assert_eq!(
        sections(catalog, &owner, TimelineOrder::Taken, &[]).await,
        expected,
        "{CHECK}: by date taken, newest month first"
    );
    assert_eq!(
        sections(catalog, &owner, TimelineOrder::Uploaded, &[]).await,
        vec![("2026-11".to_owned(), 8), ("2026-10".to_owned(), 1)],
        "{CHECK}: by upload"
    );
    clear(catalog, &owner).await;
}

pub async fn a_months_photos_come_newest_first_a_page_at_a_time(catalog: &dyn Catalog) {
    const CHECK: &str = "a_months_photos_come_newest_first_a_page_at_a_time";
    let run = &Run::new();
    let owner = run.owner("month-pages");
    let mut inserted: Vec<(i64, PhotoId)> = Vec::new();
    for i in 0..47i64 {
        // Runs of three photos share a second; the upload order is the reverse of the taken
        // order, so an adapter that sorts by upload fails.
        let day = 1 + (i / 3) % 28;
        let taken = format!("2021-03-{day:02}T12:00:{:02}", i / 3 % 60);
        let new = photo_taken(run, &owner, Some(&taken), T0 - i * 1000);
        let key = TimelineOrder::Taken.key(new.taken_at.as_deref(), new.created_at_ms);
        inserted.push((key, new.id.clone()));
        catalog.insert_photo(new).await.expect("insert");
    }
    // Neighbours at the month's edges stay out of it.
    for taken in ["2021-02-28T23:59:59", "2021-04-01T00:00:00"] {
        let new = photo_taken(run, &owner, Some(taken), T0);
        catalog.insert_photo(new).await.expect("insert");
    }
    inserted.sort_by(|a, b| b.cmp(a));
    let expected: Vec<PhotoId> = inserted.into_iter().map(|(_, id)| id).collect();
    let march = month("2021-03");
    for page in [1, 10, 47, 200] {
        assert_eq!(
            whole_month(catalog, &owner, TimelineOrder::Taken, march, &[], page).await,
            expected,
            "{CHECK}: pages of {page}, by date taken then id, descending"
        );
    }
    let empty = catalog
        .list_month(
            &owner,
            TimelineOrder::Taken,
            month("2021-05"),
            &[],
            None,
            60,
        )
        .await
        .expect("empty month");
    assert!(
        empty.photos.is_empty() && empty.next_cursor.is_none(),
        "{CHECK}: empty month"
    );
    // By upload, the whole library is in November 2026 (T0), newest upload first.
    let uploaded = whole_month(
        catalog,
        &owner,
        TimelineOrder::Uploaded,
        month("2026-11"),
        &[],
        20,
    )
    .await;
    assert_eq!(uploaded.len(), 49, "{CHECK}: every photo by upload month");
    let bad = catalog
        .list_month(
            &owner,
            TimelineOrder::Taken,
            march,
            &[],
            Some("not-a-cursor"),
            10,
        )
        .await;
    assert_eq!(
        bad.err(),
        Some(StorageError::InvalidCursor),
        "{CHECK}: malformed cursor"
    );
    clear(catalog, &owner).await;
}

pub async fn month_counts_follow_deletes(catalog: &dyn Catalog) {
    const CHECK: &str = "month_counts_follow_deletes";
    let run = &Run::new();
    let owner = run.owner("month-deletes");
    let mut ids = Vec::new();
    for taken in [
        "2018-07-01T09:00:00",
        "2018-07-02T09:00:00",
        "2018-08-01T09:00:00",
    ] {
        let new = photo_taken(run, &owner, Some(taken), T0);
        ids.push(new.id.clone());
        catalog.insert_photo(new).await.expect("insert");
    }
    // A duplicate adds nothing.
    let mut again = photo_taken(run, &owner, Some("2018-08-01T09:00:00"), T0);
    again.sha256 = catalog
        .photo(&owner, &ids[2])
        .await
        .expect("read")
        .expect("photo")
        .sha256;
    assert!(!catalog.insert_photo(again).await.expect("dup").is_created());
    assert!(catalog.delete_photo(&owner, &ids[2]).await.expect("delete"));
    assert!(!catalog.delete_photo(&owner, &ids[2]).await.expect("again"));
    assert!(catalog.delete_photo(&owner, &ids[0]).await.expect("delete"));
    assert_eq!(
        sections(catalog, &owner, TimelineOrder::Taken, &[]).await,
        vec![("2018-07".to_owned(), 1)],
        "{CHECK}: an emptied month is gone"
    );
    clear(catalog, &owner).await;
    assert!(
        sections(catalog, &owner, TimelineOrder::Taken, &[])
            .await
            .is_empty(),
        "{CHECK}: nothing after deleting everything"
    );
    assert!(
        sections(catalog, &owner, TimelineOrder::Uploaded, &[])
            .await
            .is_empty(),
        "{CHECK}: nothing by upload either"
    );
}

pub async fn month_counts_stay_exact_under_concurrent_writes(catalog: &dyn Catalog) {
    const CHECK: &str = "month_counts_stay_exact_under_concurrent_writes";
    let run = &Run::new();
    let owner = run.owner("month-race");
    // Some photos to delete while others arrive.
    let mut doomed = Vec::new();
    for i in 0..12 {
        let new = photo_taken(
            run,
            &owner,
            Some(&format!("2020-0{}-10T10:00:00", 1 + i % 3)),
            T0,
        );
        doomed.push(new.id.clone());
        catalog.insert_photo(new).await.expect("insert");
    }
    let inserts = (0..36).map(|i| {
        let new = photo_taken(
            run,
            &owner,
            Some(&format!("2020-0{}-11T10:00:00", 1 + i % 3)),
            T0,
        );
        async move { catalog.insert_photo(new).await.map(|_| ()) }
    });
    let deletes = doomed[..8].iter().map(|id| {
        let owner = owner.clone();
        async move { catalog.delete_photo(&owner, id).await.map(|_| ()) }
    });
    let relabels = doomed[8..].iter().map(|id| {
        let owner = owner.clone();
        async move {
            catalog
                .set_labels(&owner, id, labels(&["lighthouse"]))
                .await
                .map(|_| ())
        }
    });
    let (a, b, c) = futures::join!(
        futures::future::join_all(inserts),
        futures::future::join_all(deletes),
        futures::future::join_all(relabels)
    );
    for result in a.into_iter().chain(b).chain(c) {
        result.unwrap_or_else(|e| panic!("{CHECK}: a concurrent write failed: {e}"));
    }
    // What the listing holds is what the counts must say.
    let mut listed: BTreeMap<String, u64> = BTreeMap::new();
    for m in ["2020-01", "2020-02", "2020-03"] {
        let ids = whole_month(catalog, &owner, TimelineOrder::Taken, month(m), &[], 200).await;
        listed.insert(m.to_owned(), ids.len() as u64);
    }
    let mut expected: Vec<(String, u64)> = listed.into_iter().collect();
    expected.reverse();
    assert_eq!(
        expected.iter().map(|(_, n)| n).sum::<u64>(),
        40,
        "{CHECK}: 12 + 36 - 8 photos"
    );
    assert_eq!(
        sections(catalog, &owner, TimelineOrder::Taken, &[]).await,
        expected,
        "{CHECK}: counts equal the listing"
    );
    assert_eq!(
        sections(
            catalog,
            &owner,
            TimelineOrder::Taken,
            &groups(&[&["lighthouse"]])
        )
        .await,
        vec![
            ("2020-03".to_owned(), 2),
            ("2020-02".to_owned(), 1),
            ("2020-01".to_owned(), 1)
        ],
        "{CHECK}: the relabelled ones"
    );
    clear(catalog, &owner).await;
}

pub async fn tags_filter_the_timeline_and_its_months(catalog: &dyn Catalog) {
    const CHECK: &str = "tags_filter_the_timeline_and_its_months";
    let run = &Run::new();
    let owner = run.owner("month-tags");
    let other = run.owner("month-tags-other");
    let mut ids = Vec::new();
    for (taken, names) in [
        ("2022-09-03T10:00:00", &["tabby", "tiger cat"][..]),
        ("2022-09-04T10:00:00", &["golden retriever"][..]),
        ("2022-09-05T10:00:00", &["tabby", "golden retriever"][..]),
        ("2022-10-01T10:00:00", &["tabby"][..]),
        ("2022-10-02T10:00:00", &[][..]),
    ] {
        let new = photo_taken(run, &owner, Some(taken), T0);
        let id = new.id.clone();
        catalog.insert_photo(new).await.expect("insert");
        assert!(catalog
            .set_labels(&owner, &id, labels(names))
            .await
            .expect("labels"));
        ids.push(id);
    }
    // Another owner's tabby counts nowhere here.
    let theirs = photo_taken(run, &other, Some("2022-09-03T10:00:00"), T0);
    let their_id = theirs.id.clone();
    catalog.insert_photo(theirs).await.expect("insert");
    catalog
        .set_labels(&other, &their_id, labels(&["tabby"]))
        .await
        .expect("labels");

    let cats = groups(&[&["tabby", "tiger cat"]]);
    assert_eq!(
        sections(catalog, &owner, TimelineOrder::Taken, &cats).await,
        vec![("2022-10".to_owned(), 1), ("2022-09".to_owned(), 2)],
        "{CHECK}: a photo with two labels of a group counts once"
    );
    let both = groups(&[&["tabby"], &["golden retriever"]]);
    assert_eq!(
        sections(catalog, &owner, TimelineOrder::Taken, &both).await,
        vec![("2022-09".to_owned(), 1)],
        "{CHECK}: every group must match"
    );
    assert!(
        sections(
            catalog,
            &owner,
            TimelineOrder::Taken,
            &groups(&[&["unicorn"]])
        )
        .await
        .is_empty(),
        "{CHECK}: no match, no months"
    );
    let september = month("2022-09");
    assert_eq!(
        whole_month(catalog, &owner, TimelineOrder::Taken, september, &cats, 1).await,
        vec![ids[2].clone(), ids[0].clone()],
        "{CHECK}: the month's tabbies, a page of one at a time"
    );
    // Relabelling moves a photo in and out of the filtered counts.
    catalog
        .set_labels(&owner, &ids[0], labels(&["espresso"]))
        .await
        .expect("relabel");
    catalog
        .set_labels(&owner, &ids[4], labels(&["tabby"]))
        .await
        .expect("relabel");
    assert_eq!(
        sections(catalog, &owner, TimelineOrder::Taken, &cats).await,
        vec![("2022-10".to_owned(), 2), ("2022-09".to_owned(), 1)],
        "{CHECK}: after relabelling"
    );
    assert_eq!(
        sections(catalog, &other, TimelineOrder::Taken, &[]).await,
        vec![("2022-09".to_owned(), 1)],
        "{CHECK}: the other owner's own timeline"
    );
    clear(catalog, &owner).await;
    clear(catalog, &other).await;
}

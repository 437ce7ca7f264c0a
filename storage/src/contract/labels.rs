//! Checks of what classification writes: statuses, labels, and the tags they make searchable.

use super::helpers::{clear, label, labels, now_ms};
use super::run::{Run, T0};
use crate::catalog::Catalog;
use gaillery_core::{Label, PhotoStatus, TimelineOrder};

/// Runs every check of this module.
pub async fn all_checks(catalog: &dyn Catalog) {
    crate::__contract_checks!(labels => __contract_run_each!((catalog)));
}

pub async fn status_round_trips(catalog: &dyn Catalog) {
    const CHECK: &str = "status_round_trips";
    let run = &Run::new();
    let owner = run.owner("status");
    let new = run.new_photo(&owner, T0);
    catalog.insert_photo(new.clone()).await.expect("insert");
    for status in PhotoStatus::ALL {
        let reason = (status == PhotoStatus::Failed).then(|| "decoder: truncated JPEG".to_owned());
        let set = catalog
            .set_status(&owner, &new.id, status, reason.clone())
            .await;
        assert_eq!(set, Ok(true), "{CHECK}: set {status:?}");
        let photo = catalog
            .photo(&owner, &new.id)
            .await
            .expect("photo")
            .expect("present");
        assert_eq!(
            (photo.status, photo.status_reason),
            (status, reason),
            "{CHECK}: read back {status:?}"
        );
    }
    // The reason of a failure is cleared when the photo is retried.
    catalog
        .set_status(&owner, &new.id, PhotoStatus::Queued, None)
        .await
        .expect("set");
    let listed = catalog.list_photos(&owner, None, 10).await.expect("list");
    assert_eq!(
        listed.photos[0].status,
        PhotoStatus::Queued,
        "{CHECK}: listing shows the status"
    );
    assert_eq!(
        listed.photos[0].status_reason, None,
        "{CHECK}: reason cleared"
    );
    clear(catalog, &owner).await;
}

pub async fn labels_round_trip_in_the_order_given(catalog: &dyn Catalog) {
    const CHECK: &str = "labels_round_trip_in_the_order_given";
    let run = &Run::new();
    let owner = run.owner("labels");
    let new = run.new_photo(&owner, T0);
    catalog.insert_photo(new.clone()).await.expect("insert");
    // Deliberately not sorted by probability: the catalog keeps the order it is given.
    let given = vec![
        Label {
            label: "tabby, tabby cat".into(),
            probability: 0.412_345_67,
        },
        Label {
            label: "Egyptian cat".into(),
            probability: 0.5,
        },
        Label {
            label: "lynx \"catamount\"".into(),
            probability: 1e-7,
        },
    ];
    assert_eq!(
        catalog.set_labels(&owner, &new.id, given.clone()).await,
        Ok(true),
        "{CHECK}: set"
    );
    let photo = catalog
        .photo(&owner, &new.id)
        .await
        .expect("photo")
        .expect("present");
    assert_eq!(
        photo.labels, given,
        "{CHECK}: photo() returns the labels exactly, in order"
    );
    let listed = catalog.list_photos(&owner, None, 10).await.expect("list");
    assert_eq!(
        listed.photos[0].labels, given,
        "{CHECK}: so does list_photos()"
    );
    assert_eq!(
        catalog.set_labels(&owner, &new.id, vec![]).await,
        Ok(true),
        "{CHECK}: clear"
    );
    let photo = catalog
        .photo(&owner, &new.id)
        .await
        .expect("photo")
        .expect("present");
    assert!(
        photo.labels.is_empty(),
        "{CHECK}: labels replaced, not merged"
    );
    clear(catalog, &owner).await;
}

pub async fn insert_photos_catalogues_each_with_its_labels(catalog: &dyn Catalog) {
    const CHECK: &str = "insert_photos_catalogues_each_with_its_labels";
    let run = &Run::new();
    let owner = run.owner("batch");
    let first = run.new_photo(&owner, T0);
    catalog.insert_photo(first.clone()).await.expect("insert");
    // A copy of a photo already there, and two copies of one photo in the same batch.
    let mut again = run.new_photo(&owner, T0 + 1);
    again.sha256 = first.sha256.clone();
    let cat = run.new_photo(&owner, T0 + 2);
    let mut twin = run.new_photo(&owner, T0 + 3);
    twin.sha256 = cat.sha256.clone();
    let plain = run.new_photo(&owner, T0 + 4);
    let cat_labels = vec![label("tabby", 0.6), label("tiger cat", 0.3)];
    let outcomes = catalog
        .insert_photos(vec![
            (again, labels(&["espresso"])),
            (cat.clone(), cat_labels.clone()),
            (twin, labels(&["espresso"])),
            (plain.clone(), Vec::new()),
        ])
        .await
        .unwrap_or_else(|e| panic!("{CHECK}: insert_photos failed: {e}"));
    let summary: Vec<_> = outcomes
        .iter()
        .map(|outcome| (outcome.is_created(), outcome.photo().id.clone()))
        .collect();
    assert_eq!(
        summary,
        vec![
            (false, first.id.clone()),
            (true, cat.id.clone()),
            (false, cat.id.clone()),
            (true, plain.id.clone()),
        ],
        "{CHECK}: outcomes in order, each duplicate naming the photo kept"
    );
    assert_eq!(
        outcomes[1].photo().labels,
        cat_labels,
        "{CHECK}: created with its labels"
    );
    for (id, expected) in [
        (&first.id, vec![]),
        (&cat.id, cat_labels),
        (&plain.id, vec![]),
    ] {
        let stored = catalog
            .photo(&owner, id)
            .await
            .expect("photo")
            .unwrap_or_else(|| panic!("{CHECK}: {id} catalogued"));
        assert_eq!(stored.labels, expected, "{CHECK}: labels of {id} as stored");
    }
    let counts = catalog.tag_counts(&owner).await.expect("counts");
    let counts: Vec<(&str, u64)> = counts.iter().map(|c| (c.tag.as_str(), c.count)).collect();
    assert_eq!(
        counts,
        vec![("tabby", 1), ("tiger cat", 1)],
        "{CHECK}: a duplicate's labels go nowhere"
    );
    for order in [TimelineOrder::Taken, TimelineOrder::Uploaded] {
        let months = catalog
            .timeline(&owner, order, &[])
            .await
            .expect("timeline");
        assert_eq!(
            months.iter().map(|m| m.count).sum::<u64>(),
            3,
            "{CHECK}: {order:?} months count each photo once"
        );
    }
    clear(catalog, &owner).await;
}

pub async fn non_finite_probabilities_are_refused(catalog: &dyn Catalog) {
    const CHECK: &str = "non_finite_probabilities_are_refused";
    let run = &Run::new();
    let owner = run.owner("nan");
    let new = run.new_photo(&owner, T0);
    catalog.insert_photo(new.clone()).await.expect("insert");
    catalog
        .set_labels(&owner, &new.id, labels(&["cat"]))
        .await
        .expect("set");
    for probability in [f32::NAN, f32::INFINITY] {
        let bad = vec![Label {
            label: "dog".into(),
            probability,
        }];
        let set = catalog.set_labels(&owner, &new.id, bad).await;
        assert!(
            set.is_err(),
            "{CHECK}: probability {probability} must be refused, got {set:?}"
        );
    }
    let photo = catalog
        .photo(&owner, &new.id)
        .await
        .expect("still readable")
        .expect("present");
    assert_eq!(
        photo.labels,
        labels(&["cat"]),
        "{CHECK}: the stored labels are unchanged"
    );
    clear(catalog, &owner).await;
}

pub async fn tags_filter_and_count(catalog: &dyn Catalog) {
    let run = &Run::new();
    let owner = run.owner("tags");
    let now = now_ms();
    let mut ids = Vec::new();
    for labels in [
        vec![label("tabby", 0.6), label("tiger cat", 0.3)],
        vec![label("golden retriever", 0.9)],
        vec![label("tabby", 0.5), label("golden retriever", 0.2)],
        vec![],
    ] {
        let photo = run.new_photo(&owner, now + ids.len() as i64);
        ids.push(photo.id.clone());
        catalog.insert_photo(photo).await.expect("insert");
        assert!(catalog
            .set_labels(&owner, ids.last().expect("id"), labels)
            .await
            .expect("labels"));
    }
    let listed = |groups: Vec<Vec<&str>>| {
        let groups: Vec<Vec<String>> = groups
            .into_iter()
            .map(|g| g.into_iter().map(str::to_owned).collect())
            .collect();
        let owner = owner.clone();
        async move {
            let page = catalog
                .list_photos_tagged(&owner, &groups, None, 60)
                .await
                .expect("list");
            page.photos.into_iter().map(|p| p.id).collect::<Vec<_>>()
        }
    };
    // Newest first, as the plain listing.
    assert_eq!(
        listed(vec![vec!["tabby"]]).await,
        vec![ids[2].clone(), ids[0].clone()]
    );
    assert_eq!(
        listed(vec![vec!["tabby", "golden retriever"]]).await.len(),
        3
    );
    assert_eq!(
        listed(vec![vec!["tabby"], vec!["golden retriever"]]).await,
        vec![ids[2].clone()]
    );
    assert!(listed(vec![vec!["unicorn"]]).await.is_empty());
    assert_eq!(listed(vec![]).await.len(), 4);
    // Paging through a filtered listing.
    let groups = vec![vec!["tabby".to_owned(), "golden retriever".to_owned()]];
    let first = catalog
        .list_photos_tagged(&owner, &groups, None, 2)
        .await
        .expect("page 1");
    let cursor = first.next_cursor.expect("a second page");
    let second = catalog
        .list_photos_tagged(&owner, &groups, Some(&cursor), 2)
        .await
        .expect("page 2");
    assert_eq!(
        (first.photos.len(), second.photos.len(), second.next_cursor),
        (2, 1, None)
    );

    let counts = catalog.tag_counts(&owner).await.expect("counts");
    let counts: Vec<(&str, u64)> = counts.iter().map(|c| (c.tag.as_str(), c.count)).collect();
    assert_eq!(
        counts,
        vec![("golden retriever", 2), ("tabby", 2), ("tiger cat", 1)]
    );
    // Relabelling replaces, deleting forgets.
    catalog
        .set_labels(&owner, &ids[0], vec![label("espresso", 0.9)])
        .await
        .expect("relabel");
    catalog.delete_photo(&owner, &ids[1]).await.expect("delete");
    let counts = catalog.tag_counts(&owner).await.expect("counts");
    let counts: Vec<(&str, u64)> = counts.iter().map(|c| (c.tag.as_str(), c.count)).collect();
    assert_eq!(
        counts,
        vec![("espresso", 1), ("golden retriever", 1), ("tabby", 1)]
    );
    clear(catalog, &owner).await;
}

pub async fn unsure_labels_do_not_make_a_photo_findable(catalog: &dyn Catalog) {
    const CHECK: &str = "unsure_labels_do_not_make_a_photo_findable";
    let run = &Run::new();
    let owner = run.owner("unsure");
    // A squirrel the classifier was unsure of: its first label counts however low, the second
    // is sure enough, the third (a monkey at 0.5 %) is not.
    let squirrel = run.new_photo(&owner, T0);
    catalog
        .insert_photo(squirrel.clone())
        .await
        .expect("insert");
    let guesses = vec![
        label("fox squirrel", 0.04),
        label("marmot", 0.1),
        label("titi monkey", 0.005),
    ];
    catalog
        .set_labels(&owner, &squirrel.id, guesses.clone())
        .await
        .expect("labels");
    let found = |word: &str| {
        let groups = vec![vec![word.to_owned()]];
        let owner = owner.clone();
        async move {
            let page = catalog
                .list_photos_tagged(&owner, &groups, None, 60)
                .await
                .expect("search");
            page.photos.len()
        }
    };
    assert_eq!(found("fox squirrel").await, 1, "{CHECK}: the first label");
    assert_eq!(found("marmot").await, 1, "{CHECK}: a label at 10 %");
    assert_eq!(found("titi monkey").await, 0, "{CHECK}: a label at 0.5 %");
    let counts = catalog.tag_counts(&owner).await.expect("counts");
    let tags: Vec<&str> = counts.iter().map(|c| c.tag.as_str()).collect();
    assert_eq!(tags, ["fox squirrel", "marmot"], "{CHECK}: tag counts");
    let monkeys = catalog
        .timeline(
            &owner,
            gaillery_core::TimelineOrder::Taken,
            &[vec!["titi monkey".to_owned()]],
        )
        .await
        .expect("timeline");
    assert!(monkeys.is_empty(), "{CHECK}: the timeline of monkeys");
    // The photo itself keeps every label, for the lightbox.
    let photo = catalog.photo(&owner, &squirrel.id).await.expect("read");
    assert_eq!(
        photo.map(|p| p.labels),
        Some(guesses),
        "{CHECK}: all three kept"
    );
    // A relabel that makes the monkey sure makes it findable.
    catalog
        .set_labels(&owner, &squirrel.id, vec![label("titi monkey", 0.7)])
        .await
        .expect("relabel");
    assert_eq!(found("titi monkey").await, 1, "{CHECK}: relabelled");
    assert_eq!(found("marmot").await, 0, "{CHECK}: the old label is gone");
    clear(catalog, &owner).await;
}

//! Catalog checks on single photos: storing, finding, duplicates, owners and deletion.

use super::helpers::{clear, labels};
use super::run::{Run, T0};
use crate::catalog::{Catalog, InsertOutcome, NewPhoto, PhotoTotals};
use gaillery_core::{OwnerId, Photo, PhotoStatus};

/// Runs every check of this module.
pub async fn all_checks(catalog: &dyn Catalog) {
    crate::__contract_checks!(catalog => __contract_run_each!((catalog)));
}

pub async fn insert_then_get(catalog: &dyn Catalog) {
    const CHECK: &str = "insert_then_get";
    let run = &Run::new();
    let owner = run.owner("insert");
    let new = run.new_photo(&owner, T0);
    let created = match catalog.insert_photo(new.clone()).await {
        Ok(InsertOutcome::Created(photo)) => photo,
        other => panic!("{CHECK}: first insert must be Created, got {other:?}"),
    };
    assert_eq!(
        created,
        new.to_photo(),
        "{CHECK}: Created carries the photo as inserted"
    );
    let fetched = catalog.photo(&owner, &new.id).await.expect("photo");
    assert_eq!(
        fetched.as_ref(),
        Some(&created),
        "{CHECK}: photo() returns every field as inserted"
    );
    let by_hash = catalog
        .photo_by_hash(&owner, &new.sha256)
        .await
        .expect("photo_by_hash");
    assert_eq!(
        by_hash.as_ref(),
        Some(&created),
        "{CHECK}: photo_by_hash finds it"
    );
    clear(catalog, &owner).await;
}

pub async fn created_at_is_rfc3339_utc_with_millis(catalog: &dyn Catalog) {
    const CHECK: &str = "created_at_is_rfc3339_utc_with_millis";
    let run = &Run::new();
    let owner = run.owner("created-at");
    for (millis, expected) in [
        (T0, "2026-11-26T15:04:05.123Z"),
        (951_782_400_000, "2000-02-29T00:00:00.000Z"),
        (0, "1970-01-01T00:00:00.000Z"),
    ] {
        let new = run.new_photo(&owner, millis);
        let inserted = catalog.insert_photo(new.clone()).await.expect("insert");
        assert_eq!(
            inserted.photo().created_at,
            expected,
            "{CHECK}: insert result for {millis}"
        );
        let fetched = catalog
            .photo(&owner, &new.id)
            .await
            .expect("photo")
            .expect("present");
        assert_eq!(
            fetched.created_at, expected,
            "{CHECK}: stored value for {millis}"
        );
    }
    clear(catalog, &owner).await;
}

pub async fn missing_photos_are_none(catalog: &dyn Catalog) {
    const CHECK: &str = "missing_photos_are_none";
    let run = &Run::new();
    let owner = run.owner("missing");
    let id = run.photo_id();
    assert_eq!(catalog.photo(&owner, &id).await, Ok(None), "{CHECK}: photo");
    assert_eq!(
        catalog.photo_by_hash(&owner, &run.sha256()).await,
        Ok(None),
        "{CHECK}: photo_by_hash"
    );
    assert_eq!(
        catalog.delete_photo(&owner, &id).await,
        Ok(false),
        "{CHECK}: delete_photo"
    );
    let status = catalog
        .set_status(&owner, &id, PhotoStatus::Done, None)
        .await;
    assert_eq!(status, Ok(false), "{CHECK}: set_status");
    assert_eq!(
        catalog.set_labels(&owner, &id, labels(&["cat"])).await,
        Ok(false),
        "{CHECK}: set_labels"
    );
    assert_eq!(
        catalog.delete_all_photos(&owner).await,
        Ok(vec![]),
        "{CHECK}: delete_all_photos"
    );
    assert_eq!(
        catalog
            .photo_totals(&owner)
            .await
            .map(|totals| totals.photos),
        Ok(0),
        "{CHECK}: photo_totals"
    );
}

pub async fn duplicate_hash_returns_the_first_photo(catalog: &dyn Catalog) {
    const CHECK: &str = "duplicate_hash_returns_the_first_photo";
    let run = &Run::new();
    let owner = run.owner("duplicate");
    let first = run.new_photo(&owner, T0);
    catalog.insert_photo(first.clone()).await.expect("insert");
    // Same bytes uploaded again later, under another name and a fresh id.
    let again = NewPhoto {
        sha256: first.sha256.clone(),
        filename: "copy.jpg".to_owned(),
        created_at_ms: T0 + 60_000,
        ..run.new_photo(&owner, T0)
    };
    match catalog.insert_photo(again.clone()).await {
        Ok(InsertOutcome::Duplicate(existing)) => {
            assert_eq!(
                existing,
                first.to_photo(),
                "{CHECK}: Duplicate carries the first photo"
            )
        }
        other => panic!("{CHECK}: second insert of the hash must be Duplicate, got {other:?}"),
    }
    assert_eq!(
        catalog.photo(&owner, &again.id).await,
        Ok(None),
        "{CHECK}: the duplicate was not inserted"
    );
    assert_eq!(
        catalog
            .photo_totals(&owner)
            .await
            .map(|totals| totals.photos),
        Ok(1),
        "{CHECK}: still one photo"
    );
    clear(catalog, &owner).await;
}

pub async fn same_hash_for_another_owner_is_allowed(catalog: &dyn Catalog) {
    const CHECK: &str = "same_hash_for_another_owner_is_allowed";
    let run = &Run::new();
    let (alice, bob) = (run.owner("hash-alice"), run.owner("hash-bob"));
    let for_alice = run.new_photo(&alice, T0);
    let for_bob = NewPhoto {
        sha256: for_alice.sha256.clone(),
        ..run.new_photo(&bob, T0)
    };
    assert!(
        catalog
            .insert_photo(for_alice.clone())
            .await
            .expect("insert")
            .is_created(),
        "{CHECK}: alice's"
    );
    let outcome = catalog.insert_photo(for_bob.clone()).await.expect("insert");
    assert!(
        outcome.is_created(),
        "{CHECK}: bob's copy is his own photo, got {outcome:?}"
    );
    let bobs = catalog
        .photo_by_hash(&bob, &for_bob.sha256)
        .await
        .expect("by hash")
        .map(|p| p.id);
    assert_eq!(
        bobs,
        Some(for_bob.id.clone()),
        "{CHECK}: bob's hash look-up finds his photo"
    );
    let alices = catalog
        .photo_by_hash(&alice, &for_alice.sha256)
        .await
        .expect("by hash")
        .map(|p| p.id);
    assert_eq!(
        alices,
        Some(for_alice.id.clone()),
        "{CHECK}: alice's hash look-up finds hers"
    );
    clear(catalog, &alice).await;
    clear(catalog, &bob).await;
}

pub async fn owners_are_isolated(catalog: &dyn Catalog) {
    const CHECK: &str = "owners_are_isolated";
    let run = &Run::new();
    let (alice, mallory) = (run.owner("isolated-alice"), run.owner("isolated-mallory"));
    let photo = run.new_photo(&alice, T0);
    catalog.insert_photo(photo.clone()).await.expect("insert");
    catalog
        .insert_photo(run.new_photo(&mallory, T0 + 1))
        .await
        .expect("insert");

    assert_eq!(
        catalog.photo(&mallory, &photo.id).await,
        Ok(None),
        "{CHECK}: photo()"
    );
    assert_eq!(
        catalog.photo_by_hash(&mallory, &photo.sha256).await,
        Ok(None),
        "{CHECK}: photo_by_hash()"
    );
    let listed = all_pages(catalog, &mallory, 50).await;
    assert!(
        !listed.iter().any(|p| p.id == photo.id),
        "{CHECK}: list_photos() shows only the owner's photos"
    );
    assert_eq!(
        catalog
            .photo_totals(&mallory)
            .await
            .map(|totals| totals.photos),
        Ok(1),
        "{CHECK}: photo_totals()"
    );
    assert_eq!(
        catalog.delete_photo(&mallory, &photo.id).await,
        Ok(false),
        "{CHECK}: delete_photo()"
    );
    let status = catalog
        .set_status(&mallory, &photo.id, PhotoStatus::Failed, Some("x".into()))
        .await;
    assert_eq!(status, Ok(false), "{CHECK}: set_status()");
    let labelled = catalog
        .set_labels(&mallory, &photo.id, labels(&["pwned"]))
        .await;
    assert_eq!(labelled, Ok(false), "{CHECK}: set_labels()");
    let removed = catalog
        .delete_all_photos(&mallory)
        .await
        .expect("delete_all");
    assert!(
        !removed.contains(&photo.id),
        "{CHECK}: delete_all_photos() removes only the owner's photos"
    );

    let untouched = catalog.photo(&alice, &photo.id).await.expect("photo");
    assert_eq!(
        untouched,
        Some(photo.to_photo()),
        "{CHECK}: alice's photo is untouched by all of the above"
    );
    clear(catalog, &alice).await;
}

pub async fn delete_removes_one_photo(catalog: &dyn Catalog) {
    const CHECK: &str = "delete_removes_one_photo";
    let run = &Run::new();
    let owner = run.owner("delete");
    let (keep, remove) = (run.new_photo(&owner, T0), run.new_photo(&owner, T0 + 1));
    catalog.insert_photo(keep.clone()).await.expect("insert");
    catalog.insert_photo(remove.clone()).await.expect("insert");
    assert_eq!(
        catalog.delete_photo(&owner, &remove.id).await,
        Ok(true),
        "{CHECK}: first delete"
    );
    assert_eq!(
        catalog.delete_photo(&owner, &remove.id).await,
        Ok(false),
        "{CHECK}: second delete"
    );
    assert_eq!(
        catalog.photo(&owner, &remove.id).await,
        Ok(None),
        "{CHECK}: gone"
    );
    assert_eq!(
        catalog.photo_by_hash(&owner, &remove.sha256).await,
        Ok(None),
        "{CHECK}: gone by hash"
    );
    assert!(
        catalog
            .photo(&owner, &keep.id)
            .await
            .expect("photo")
            .is_some(),
        "{CHECK}: the other stays"
    );
    // With the photo gone, the same bytes may be uploaded again.
    let again = NewPhoto {
        id: run.photo_id(),
        ..remove
    };
    assert!(
        catalog
            .insert_photo(again)
            .await
            .expect("insert")
            .is_created(),
        "{CHECK}: re-upload after delete"
    );
    clear(catalog, &owner).await;
}

pub async fn delete_all_returns_the_removed_ids(catalog: &dyn Catalog) {
    const CHECK: &str = "delete_all_returns_the_removed_ids";
    let run = &Run::new();
    let owner = run.owner("delete-all");
    let mut ids = Vec::new();
    for i in 0..25 {
        let new = run.new_photo(&owner, T0 + i);
        ids.push(new.id.clone());
        catalog.insert_photo(new).await.expect("insert");
    }
    let mut removed = catalog.delete_all_photos(&owner).await.expect("delete_all");
    removed.sort();
    assert_eq!(removed, ids, "{CHECK}: every id, each once");
    assert_eq!(
        catalog
            .photo_totals(&owner)
            .await
            .map(|totals| totals.photos),
        Ok(0),
        "{CHECK}: none left"
    );
    assert_eq!(
        catalog.delete_all_photos(&owner).await,
        Ok(vec![]),
        "{CHECK}: again removes nothing"
    );
}

pub async fn totals_follow_inserts_and_deletes(catalog: &dyn Catalog) {
    const CHECK: &str = "totals_follow_inserts_and_deletes";
    let run = &Run::new();
    let owner = run.owner("count");
    let mut ids = Vec::new();
    for i in 0..7 {
        let new = NewPhoto {
            size_bytes: 1_000 * (i + 1),
            ..run.new_photo(&owner, T0 + i64::try_from(i).expect("small"))
        };
        ids.push(new.id.clone());
        catalog.insert_photo(new).await.expect("insert");
    }
    let totals = |photos, bytes| Ok(PhotoTotals { photos, bytes });
    assert_eq!(
        catalog.photo_totals(&owner).await,
        totals(7, 28_000),
        "{CHECK}: after inserts"
    );
    catalog.delete_photo(&owner, &ids[3]).await.expect("delete");
    assert_eq!(
        catalog.photo_totals(&owner).await,
        totals(6, 24_000),
        "{CHECK}: after a delete"
    );
    catalog.delete_all_photos(&owner).await.expect("delete all");
    assert_eq!(
        catalog.photo_totals(&owner).await,
        totals(0, 0),
        "{CHECK}: after deleting them all"
    );
}

pub async fn concurrent_duplicate_inserts_create_exactly_one(catalog: &dyn Catalog) {
    const CHECK: &str = "concurrent_duplicate_inserts_create_exactly_one";
    let run = &Run::new();
    let owner = run.owner("race");
    let sha256 = run.sha256();
    // Eight uploads of the same file at once, as a double-clicking user or a retrying client
    // would send them; all in flight together.
    let attempts: Vec<NewPhoto> = (0..8)
        .map(|_| NewPhoto {
            sha256: sha256.clone(),
            ..run.new_photo(&owner, T0)
        })
        .collect();
    let outcomes = futures::future::join_all(
        attempts
            .into_iter()
            .map(|photo| catalog.insert_photo(photo)),
    )
    .await;
    let outcomes: Vec<InsertOutcome> = outcomes
        .into_iter()
        .map(|outcome| outcome.unwrap_or_else(|e| panic!("{CHECK}: an insert failed: {e}")))
        .collect();
    let created: Vec<&Photo> = outcomes
        .iter()
        .filter(|o| o.is_created())
        .map(InsertOutcome::photo)
        .collect();
    assert_eq!(
        created.len(),
        1,
        "{CHECK}: exactly one Created among {outcomes:?}"
    );
    for outcome in &outcomes {
        assert_eq!(
            outcome.photo().id,
            created[0].id,
            "{CHECK}: every Duplicate names the one created"
        );
    }
    assert_eq!(
        catalog
            .photo_totals(&owner)
            .await
            .map(|totals| totals.photos),
        Ok(1),
        "{CHECK}: one photo catalogued"
    );
    clear(catalog, &owner).await;
}

async fn all_pages(catalog: &dyn Catalog, owner: &OwnerId, limit: usize) -> Vec<Photo> {
    let mut photos = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let page = catalog
            .list_photos(owner, cursor.as_deref(), limit)
            .await
            .expect("list");
        photos.extend(page.photos);
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => return photos,
        }
    }
}

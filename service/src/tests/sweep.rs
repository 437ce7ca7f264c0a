//! The sweep and background deletes: images no photo names go, images of catalogued photos
//! and anything too young stay, and a catalog that cannot answer stops the sweep.

use super::Harness;
use bytes::Bytes;
use gaillery_core::OwnerId;
use gaillery_storage::{BlobKey, BlobStore};
use gaillery_testkit::failing::{outage, CatalogOp};
use std::time::Duration;

const HOUR: Duration = Duration::from_secs(3600);
const TWO_HOURS_MS: i64 = 2 * 3_600_000;

/// Objects of a photo that was never catalogued, as an upload killed before its insert leaves
/// them, for the owner from before accounts and for another account.
async fn put_leftovers(harness: &Harness) -> Vec<String> {
    let keys = [
        "photos/0190aaaaaaaa00000000000001/original",
        "photos/0190aaaaaaaa00000000000001/thumbnail",
        "o/u0123abcd/photos/0190aaaaaaaa00000000000002/preview",
    ];
    for raw in keys {
        let key = BlobKey::new(raw).unwrap();
        harness
            .stored_blobs
            .put_bytes(&key, Bytes::from_static(b"left"), "image/jpeg")
            .await
            .unwrap();
    }
    keys.map(str::to_owned).to_vec()
}

#[tokio::test(start_paused = true)]
async fn old_images_that_no_photo_names_are_swept_and_the_rest_stays() {
    let harness = Harness::new(&[]);
    harness.upload(1).await.unwrap();
    harness.upload(2).await.unwrap();
    let catalogued = harness.stored_blobs.keys();
    assert_eq!(catalogued.len(), 8, "two photos of four images each");
    let leftovers = put_leftovers(&harness).await;
    // Not a photo's image at all: left alone, whatever its age.
    let unknown = BlobKey::new("exports/2026/list.json").unwrap();
    harness
        .stored_blobs
        .put_bytes(&unknown, Bytes::from_static(b"{}"), "application/json")
        .await
        .unwrap();

    // Young leftovers may be an upload on its way: kept.
    let report = harness.gallery.sweep(HOUR).await.unwrap();
    assert_eq!(report.objects_seen, 12);
    assert_eq!(report.objects_removed, 0);
    assert_eq!(harness.stored_blobs.keys().len(), 12);

    harness.stored_blobs.age_all(TWO_HOURS_MS);
    let report = harness.gallery.sweep(HOUR).await.unwrap();
    assert_eq!(report.objects_removed, leftovers.len());
    assert_eq!(report.objects_unknown, 1);
    let mut expected = catalogued;
    expected.push(unknown.to_string());
    expected.sort();
    assert_eq!(harness.stored_blobs.keys(), expected);
}

#[tokio::test(start_paused = true)]
async fn a_catalog_that_cannot_answer_stops_the_sweep_before_anything_goes() {
    let harness = Harness::new(&[]);
    harness.upload(1).await.unwrap();
    put_leftovers(&harness).await;
    harness.stored_blobs.age_all(TWO_HOURS_MS);
    let before = harness.stored_blobs.keys();
    harness
        .catalog
        .faults
        .fail_always(CatalogOp::Photo, outage());
    assert!(harness.gallery.sweep(HOUR).await.is_err());
    assert_eq!(
        harness.stored_blobs.keys(),
        before,
        "nothing removed on doubt"
    );
    harness.catalog.faults.heal(CatalogOp::Photo);
    let report = harness.gallery.sweep(HOUR).await.unwrap();
    assert_eq!(report.objects_removed, 3);
}

#[tokio::test(start_paused = true)]
async fn deletes_answer_at_once_and_their_images_follow() {
    let harness = Harness::new(&[]);
    let first = harness.upload(1).await.unwrap().into_photo();
    for seed in 2..6 {
        harness.upload(seed).await.unwrap();
    }
    let owner = OwnerId::local();
    harness.gallery.delete(&owner, &first.id).await.unwrap();
    assert_eq!(
        harness.catalogued().await.len(),
        4,
        "gone from the catalog at once"
    );
    assert_eq!(harness.gallery.delete_all(&owner).await.unwrap(), 4);
    assert!(harness.catalogued().await.is_empty());
    harness.gallery.background_settled().await;
    assert!(
        harness.stored_blobs.keys().is_empty(),
        "every image removed"
    );
}

#[tokio::test(start_paused = true)]
async fn staged_uploads_nothing_wrote_to_for_an_hour_are_removed() {
    let harness = Harness::new(&[]);
    let staging = harness.gallery.config().staging_dir.clone();
    let stale = staging.join("upload-stale");
    let fresh = staging.join("upload-fresh");
    std::fs::write(&stale, b"half an upload").unwrap();
    std::fs::write(&fresh, b"being received").unwrap();
    let two_hours_ago = std::time::SystemTime::now() - 2 * HOUR;
    std::fs::File::options()
        .write(true)
        .open(&stale)
        .unwrap()
        .set_modified(two_hours_ago)
        .unwrap();
    let report = harness.gallery.sweep(HOUR).await.unwrap();
    assert_eq!(report.staged_removed, 1);
    assert!(!stale.exists());
    assert!(fresh.exists());
}

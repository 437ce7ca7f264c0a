//! After an insert fails, the images stay until the catalog says whether it landed.

use super::{next_event, pass, Harness};
use crate::ServiceError;
use gaillery_core::OwnerId;
use gaillery_core::PhotoStatus;
use gaillery_testkit::failing::{outage, CatalogOp};

/// The original and its three derived images.
const IMAGES_OF_ONE_PHOTO: usize = 4;

#[tokio::test(start_paused = true)]
async fn an_insert_that_never_landed_loses_its_images_once_the_catalog_says_so() {
    let harness = Harness::new(&[]);
    harness
        .catalog
        .faults
        .fail(CatalogOp::InsertPhoto, 1, outage());
    let ingested = harness.upload(1).await;
    assert!(
        matches!(ingested, Err(ServiceError::Unavailable(_))),
        "{ingested:?}"
    );
    assert_eq!(harness.stored_blobs.keys().len(), IMAGES_OF_ONE_PHOTO);

    // Nothing is decided while a request of the insert could still be on its way.
    pass(29).await;
    assert_eq!(harness.catalog.faults.calls(CatalogOp::Photo), 0);
    assert_eq!(harness.stored_blobs.keys().len(), IMAGES_OF_ONE_PHOTO);

    pass(2).await;
    assert_eq!(harness.catalog.faults.calls(CatalogOp::Photo), 1);
    assert!(harness.stored_blobs.keys().is_empty());
    assert!(harness.catalogued().await.is_empty());
}

#[tokio::test(start_paused = true)]
async fn an_insert_that_landed_unanswered_keeps_its_images_and_gets_its_job() {
    let harness = Harness::new(&["model-a"]);
    let mut events = harness.gallery.subscribe(&OwnerId::local());
    harness
        .catalog
        .faults
        .fail_after_applying(CatalogOp::InsertPhoto, 1, outage());
    let ingested = harness.upload(2).await;
    assert!(
        matches!(ingested, Err(ServiceError::Unavailable(_))),
        "{ingested:?}"
    );
    let catalogued = harness.catalogued().await;
    assert_eq!(catalogued.len(), 1, "the insert landed");
    let id = catalogued[0].id.clone();
    assert!(!harness.stored_catalog.has_job(&id), "not queued yet");

    let event = next_event(&mut events).await;
    assert_eq!((event.id, event.status), (id.clone(), PhotoStatus::Queued));
    assert!(harness.stored_catalog.has_job(&id), "queued once found");
    assert_eq!(harness.stored_blobs.keys().len(), IMAGES_OF_ONE_PHOTO);
}

#[tokio::test(start_paused = true)]
async fn the_catalog_is_asked_again_every_fifteen_seconds_while_it_cannot_answer() {
    let harness = Harness::new(&[]);
    harness
        .catalog
        .faults
        .fail(CatalogOp::InsertPhoto, 1, outage());
    harness.catalog.faults.fail(CatalogOp::Photo, 3, outage());
    assert!(harness.upload(3).await.is_err());

    // Asks at 30, 45 and 60 s fail; the one at 75 s is answered.
    pass(74).await;
    assert_eq!(harness.catalog.faults.calls(CatalogOp::Photo), 3);
    assert_eq!(harness.stored_blobs.keys().len(), IMAGES_OF_ONE_PHOTO);
    pass(2).await;
    assert_eq!(harness.catalog.faults.calls(CatalogOp::Photo), 4);
    assert!(harness.stored_blobs.keys().is_empty());
}

#[tokio::test(start_paused = true)]
async fn images_stay_when_the_catalog_never_answers() {
    let harness = Harness::new(&[]);
    harness
        .catalog
        .faults
        .fail(CatalogOp::InsertPhoto, 1, outage());
    harness
        .catalog
        .faults
        .fail_always(CatalogOp::Photo, outage());
    assert!(harness.upload(4).await.is_err());

    pass(30 + 20 * 15 + 1).await;
    assert_eq!(harness.catalog.faults.calls(CatalogOp::Photo), 21);
    // Given up: asking stops, and the images are never removed blindly.
    harness.catalog.faults.heal(CatalogOp::Photo);
    pass(600).await;
    assert_eq!(harness.catalog.faults.calls(CatalogOp::Photo), 21);
    assert_eq!(harness.stored_blobs.keys().len(), IMAGES_OF_ONE_PHOTO);
}

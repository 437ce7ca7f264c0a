//! A new photo's job survives an outage of the job queue; a re-classification that cannot be
//! queued leaves the photo as it was.

use super::{next_event, pass, Harness};
use crate::{IngestOutcome, ServiceError};
use gaillery_core::{OwnerId, PhotoStatus};
use gaillery_testkit::failing::{outage, CatalogOp};

#[tokio::test(start_paused = true)]
async fn a_new_photo_is_queued_with_its_insert() {
    let harness = Harness::new(&["model-a"]);
    let Ok(IngestOutcome::Created(photo)) = harness.upload(1).await else {
        panic!("the upload is stored");
    };
    assert_eq!(photo.status, PhotoStatus::Queued);
    assert!(harness.stored_catalog.has_job(&photo.id));
}

#[tokio::test(start_paused = true)]
async fn without_models_a_photo_is_done_once_stored() {
    let harness = Harness::new(&[]);
    let Ok(IngestOutcome::Created(photo)) = harness.upload(1).await else {
        panic!("the upload is stored");
    };
    assert_eq!(photo.status, PhotoStatus::Done);
    assert_eq!(harness.stored_catalog.job_count(), 0);
}

#[tokio::test(start_paused = true)]
async fn queueing_that_fails_is_retried_until_the_queue_is_back() {
    let harness = Harness::new(&["model-a"]);
    // The try with the upload and the next three fail.
    harness
        .catalog
        .faults
        .fail(CatalogOp::EnqueueJob, 4, outage());
    let Ok(IngestOutcome::Created(photo)) = harness.upload(2).await else {
        panic!("the photo is stored even though its job is not queued yet");
    };
    assert!(!harness.stored_catalog.has_job(&photo.id));
    // Retries after 1, 2, 4 and 8 more seconds: the fourth, at 15 s, gets through.
    pass(14).await;
    assert!(!harness.stored_catalog.has_job(&photo.id));
    pass(2).await;
    assert!(harness.stored_catalog.has_job(&photo.id));
    assert_eq!(harness.catalog.faults.calls(CatalogOp::EnqueueJob), 5);
}

#[tokio::test(start_paused = true)]
async fn queueing_gives_up_after_about_ten_minutes() {
    let harness = Harness::new(&["model-a"]);
    harness
        .catalog
        .faults
        .fail_always(CatalogOp::EnqueueJob, outage());
    let Ok(IngestOutcome::Created(photo)) = harness.upload(3).await else {
        panic!("the photo is stored");
    };
    pass(700).await;
    assert_eq!(harness.catalog.faults.calls(CatalogOp::EnqueueJob), 1 + 45);
    // Left for the next start to queue (`Catalog::photos_without_jobs`).
    assert!(!harness.stored_catalog.has_job(&photo.id));
}

#[tokio::test(start_paused = true)]
async fn a_reclassification_that_cannot_be_queued_gives_watchers_the_photo_back() {
    let harness = Harness::new(&["model-a", "model-b"]);
    let Ok(IngestOutcome::Created(photo)) = harness.upload(4).await else {
        panic!("the photo is stored");
    };
    let mut events = harness.gallery.subscribe(&OwnerId::local());
    harness
        .catalog
        .faults
        .fail(CatalogOp::EnqueueJob, 1, outage());
    let reclassified = harness
        .gallery
        .reclassify(&OwnerId::local(), &photo.id, Some("model-b"))
        .await;
    assert!(
        matches!(reclassified, Err(ServiceError::Unavailable(_))),
        "{reclassified:?}"
    );
    assert_eq!(next_event(&mut events).await.status, PhotoStatus::Queued);
    let restored = next_event(&mut events).await;
    assert_eq!((restored.id, restored.status), (photo.id, photo.status));
}

#[tokio::test(start_paused = true)]
async fn only_loaded_models_can_classify_again() {
    let harness = Harness::new(&["model-a"]);
    let Ok(IngestOutcome::Created(photo)) = harness.upload(5).await else {
        panic!("the photo is stored");
    };
    let refused = harness
        .gallery
        .reclassify(&OwnerId::local(), &photo.id, Some("model-z"))
        .await;
    assert!(
        matches!(refused, Err(ServiceError::UnknownModel { .. })),
        "{refused:?}"
    );
}

//! The classification pipeline's stages, retries and failures, with a model double that labels
//! each image with its own text (the real models are tested in `gaillery-classify`).

use super::{next_event, Harness};
use crate::ids;
use crate::pipeline::{ImageModel, Pipeline, PipelineOptions};
use gaillery_classify::ClassifyError;
use gaillery_core::api::PhotoEvent;
use gaillery_core::{Label, OwnerId, PhotoId, PhotoStatus, Variant};
use gaillery_imaging::{ImagingError, Limits};
use gaillery_storage::{BlobStore, Catalog, NewPhoto, StorageError};
use gaillery_testkit::failing::{outage, BlobOp, CatalogOp};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

const MODEL: &str = "text-model";

/// Reads an image as text, and labels it with that text. A text starting with "damaged" cannot
/// be read; the first `failing_predictions` batches fail as an inference error would.
#[derive(Default)]
struct TextModel {
    failing_predictions: AtomicU32,
    batch_sizes: Mutex<Vec<usize>>,
}

impl ImageModel for TextModel {
    type Input = String;

    fn input_memory(&self, image: &[u8], _limits: &Limits) -> Result<u64, ClassifyError> {
        Ok(image.len() as u64)
    }

    fn input(&self, image: &[u8], _limits: &Limits) -> Result<String, ClassifyError> {
        match std::str::from_utf8(image) {
            Ok(text) if !text.starts_with("damaged") => Ok(text.to_owned()),
            _ => Err(ClassifyError::Image(ImagingError::Corrupt(
                "truncated".into(),
            ))),
        }
    }

    fn predict(&self, inputs: &[String]) -> Result<Vec<Vec<Label>>, ClassifyError> {
        if let Ok(mut sizes) = self.batch_sizes.lock() {
            sizes.push(inputs.len());
        }
        let failing =
            self.failing_predictions
                .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1));
        if failing.is_ok() {
            let error = candle_core::Error::Msg("out of memory".into());
            return Err(ClassifyError::Inference(error));
        }
        Ok(inputs
            .iter()
            .map(|text| {
                vec![Label {
                    label: text.clone(),
                    probability: 1.0,
                }]
            })
            .collect())
    }
}

fn options(max_attempts: u32) -> PipelineOptions {
    PipelineOptions {
        instance: "test".into(),
        workers: 1,
        batch: 8,
        lease: Duration::from_secs(60),
        poll: Duration::from_secs(2),
        max_attempts,
    }
}

async fn start(harness: &Harness, model: Arc<TextModel>, max_attempts: u32) -> Pipeline {
    let classifiers = Arc::new(HashMap::from([(MODEL.to_owned(), model)]));
    Pipeline::start(harness.gallery.clone(), classifiers, options(max_attempts))
        .await
        .expect("the pipeline starts")
}

/// Catalogues a photo whose original holds `original` (none: missing), without a job.
async fn catalogued_photo(harness: &Harness, original: Option<&str>) -> PhotoId {
    let id = ids::new_photo_id();
    if let Some(text) = original {
        let keys = ids::keys_for(&OwnerId::local(), &id).expect("keys");
        let bytes = bytes::Bytes::from(text.to_owned());
        harness
            .stored_blobs
            .put_bytes(keys.get(Variant::Original), bytes, "image/jpeg")
            .await
            .expect("stored");
    }
    let photo = NewPhoto {
        id: id.clone(),
        owner: OwnerId::local(),
        filename: "photo.jpg".into(),
        width: 4,
        height: 3,
        taken_at: None,
        format: "jpeg".into(),
        size_bytes: 10,
        sha256: id.as_str().to_owned(),
        placeholder: String::new(),
        status: PhotoStatus::Queued,
        created_at_ms: ids::now_ms(),
    };
    let inserted = harness.stored_catalog.insert_photo(photo).await;
    assert!(inserted.is_ok_and(|outcome| outcome.is_created()));
    id
}

/// Like [`catalogued_photo`], queued for `model`.
async fn queued_photo(harness: &Harness, original: Option<&str>, model: &str) -> PhotoId {
    let id = catalogued_photo(harness, original).await;
    let queued = harness
        .stored_catalog
        .enqueue_job(&OwnerId::local(), &id, model, ids::now_ms())
        .await;
    assert_eq!(queued, Ok(true));
    id
}

/// The events of each of `ids` up to and including its `done` or `failed`.
async fn until_all_settled(
    events: &mut crate::EventSubscription,
    ids: &[&PhotoId],
) -> HashMap<PhotoId, Vec<PhotoEvent>> {
    let mut seen: HashMap<PhotoId, Vec<PhotoEvent>> = HashMap::new();
    let mut unsettled = ids.len();
    while unsettled > 0 {
        let event = next_event(events).await;
        if !ids.contains(&&event.id) {
            continue;
        }
        if matches!(event.status, PhotoStatus::Done | PhotoStatus::Failed) {
            unsettled -= 1;
        }
        seen.entry(event.id.clone()).or_default().push(event);
    }
    seen
}

/// The photo's events up to and including its `done` or `failed`.
async fn until_settled(events: &mut crate::EventSubscription, id: &PhotoId) -> Vec<PhotoEvent> {
    let mut seen = until_all_settled(events, &[id]).await;
    seen.remove(id).unwrap_or_default()
}

fn statuses(events: &[PhotoEvent]) -> Vec<PhotoStatus> {
    events.iter().map(|event| event.status).collect()
}

async fn stored(harness: &Harness, id: &PhotoId) -> gaillery_core::Photo {
    harness
        .stored_catalog
        .photo(&OwnerId::local(), id)
        .await
        .expect("readable")
        .expect("catalogued")
}

use PhotoStatus::{Done, Failed, Fetching, Predicting, Preprocessing, Queued, Storing};

#[tokio::test(start_paused = true)]
async fn a_job_goes_through_every_stage_to_done() {
    let harness = Harness::new(&[MODEL]);
    let mut events = harness.gallery.subscribe(&OwnerId::local());
    let id = queued_photo(&harness, Some("tabby"), MODEL).await;
    let pipeline = start(&harness, Arc::default(), 5).await;

    let seen = until_settled(&mut events, &id).await;
    assert_eq!(
        statuses(&seen),
        [Fetching, Preprocessing, Predicting, Storing, Done]
    );
    let labels = vec![Label {
        label: "tabby".into(),
        probability: 1.0,
    }];
    assert_eq!(seen[4].labels, labels);
    let photo = stored(&harness, &id).await;
    assert_eq!((photo.status, photo.labels), (Done, labels));
    assert!(!harness.stored_catalog.has_job(&id));
    pipeline.stop().await;
}

#[tokio::test(start_paused = true)]
async fn a_storage_outage_delays_a_job_without_using_up_its_attempts() {
    let harness = Harness::new(&[MODEL]);
    let mut events = harness.gallery.subscribe(&OwnerId::local());
    // What the SDK says of an outage names the service's internals.
    let internals = "dispatch failure: https://s3.eu-west-1.amazonaws.com/family-photos-prod \
                     (arn:aws:iam::123456789012:role/gaillery)";
    let outage = StorageError::Unavailable(internals.to_owned());
    harness.blobs.faults.fail(BlobOp::ReadAll, 3, outage);
    let id = queued_photo(&harness, Some("tabby"), MODEL).await;
    // Fewer attempts than the outage lasts.
    let pipeline = start(&harness, Arc::default(), 2).await;

    let seen = until_settled(&mut events, &id).await;
    assert_eq!(
        statuses(&seen),
        [
            Fetching,
            Queued,
            Fetching,
            Queued,
            Fetching,
            Queued,
            Fetching,
            Preprocessing,
            Predicting,
            Storing,
            Done
        ]
    );
    // The owner reads a sentence; the internals stay in the log.
    assert_eq!(
        seen[1].status_reason.as_deref(),
        Some("storage was unavailable; retrying")
    );
    pipeline.stop().await;
}

#[tokio::test(start_paused = true)]
async fn a_failing_inference_is_retried_then_fails_for_good() {
    let harness = Harness::new(&[MODEL]);
    let mut events = harness.gallery.subscribe(&OwnerId::local());
    let id = queued_photo(&harness, Some("tabby"), MODEL).await;
    let model = Arc::new(TextModel {
        failing_predictions: AtomicU32::new(u32::MAX),
        ..TextModel::default()
    });
    let pipeline = start(&harness, model, 3).await;

    let seen = until_settled(&mut events, &id).await;
    let retries = seen.iter().filter(|e| e.status == Queued).count();
    assert_eq!(retries, 2);
    let reason = seen.last().and_then(|e| e.status_reason.clone());
    let reason = reason.expect("a failure says why");
    assert_eq!(
        reason,
        "gave up after 3 attempts: classification failed on the server"
    );
    let photo = stored(&harness, &id).await;
    assert_eq!((photo.status, photo.status_reason), (Failed, Some(reason)));
    pipeline.stop().await;
}

#[tokio::test(start_paused = true)]
async fn an_inference_that_fails_once_succeeds_on_the_next_attempt() {
    let harness = Harness::new(&[MODEL]);
    let mut events = harness.gallery.subscribe(&OwnerId::local());
    let id = queued_photo(&harness, Some("tabby"), MODEL).await;
    let model = Arc::new(TextModel {
        failing_predictions: AtomicU32::new(1),
        ..TextModel::default()
    });
    let pipeline = start(&harness, model, 3).await;

    let seen = until_settled(&mut events, &id).await;
    assert_eq!(seen.iter().filter(|e| e.status == Queued).count(), 1);
    assert_eq!(seen.last().map(|e| e.status), Some(Done));
    pipeline.stop().await;
}

#[tokio::test(start_paused = true)]
async fn an_unreadable_file_fails_alone_and_its_batch_goes_on() {
    let harness = Harness::new(&[MODEL]);
    let mut events = harness.gallery.subscribe(&OwnerId::local());
    let damaged = queued_photo(&harness, Some("damaged bytes"), MODEL).await;
    let good = queued_photo(&harness, Some("espresso"), MODEL).await;
    let model = Arc::new(TextModel::default());
    let pipeline = start(&harness, Arc::clone(&model), 5).await;

    let seen = until_all_settled(&mut events, &[&damaged, &good]).await;
    let failed = &seen[&damaged];
    assert_eq!(statuses(failed), [Fetching, Preprocessing, Failed]);
    assert_eq!(
        failed[2].status_reason.as_deref(),
        Some("cannot read the image: the image file is damaged or incomplete: truncated")
    );
    assert_eq!(statuses(&seen[&good]).last(), Some(&Done));
    // One pass, for the one readable image.
    assert_eq!(*model.batch_sizes.lock().expect("sizes"), [1]);
    pipeline.stop().await;
}

#[tokio::test(start_paused = true)]
async fn a_missing_original_or_model_fails_the_job_with_the_reason() {
    let harness = Harness::new(&[MODEL]);
    let mut events = harness.gallery.subscribe(&OwnerId::local());
    let missing = queued_photo(&harness, None, MODEL).await;
    let unknown = queued_photo(&harness, Some("tabby"), "model-z").await;
    let pipeline = start(&harness, Arc::default(), 5).await;

    let seen = until_all_settled(&mut events, &[&missing, &unknown]).await;
    assert_eq!(
        seen[&missing]
            .last()
            .and_then(|e| e.status_reason.as_deref()),
        Some("the original file is missing")
    );
    let photo = stored(&harness, &unknown).await;
    assert_eq!(
        (photo.status, photo.status_reason.as_deref()),
        (
            Failed,
            Some("the model model-z is not loaded on this server")
        )
    );
    pipeline.stop().await;
}

#[tokio::test(start_paused = true)]
async fn stages_that_cannot_be_recorded_do_not_stop_the_job() {
    let harness = Harness::new(&[MODEL]);
    let mut events = harness.gallery.subscribe(&OwnerId::local());
    harness
        .catalog
        .faults
        .fail_always(CatalogOp::SetStatus, outage());
    let id = queued_photo(&harness, Some("tabby"), MODEL).await;
    let pipeline = start(&harness, Arc::default(), 5).await;

    let seen = until_settled(&mut events, &id).await;
    assert_eq!(statuses(&seen).last(), Some(&Done));
    assert_eq!(stored(&harness, &id).await.status, Done);
    pipeline.stop().await;
}

#[tokio::test(start_paused = true)]
async fn a_result_that_cannot_be_recorded_is_redone_when_the_lease_runs_out() {
    let harness = Harness::new(&[MODEL]);
    let mut events = harness.gallery.subscribe(&OwnerId::local());
    harness
        .catalog
        .faults
        .fail(CatalogOp::FinishJob, 1, outage());
    let id = queued_photo(&harness, Some("tabby"), MODEL).await;
    let pipeline = start(&harness, Arc::default(), 5).await;

    let seen = until_settled(&mut events, &id).await;
    assert_eq!(
        statuses(&seen),
        [
            Fetching,
            Preprocessing,
            Predicting,
            Storing,
            Fetching,
            Preprocessing,
            Predicting,
            Storing,
            Done
        ]
    );
    pipeline.stop().await;
}

#[tokio::test(start_paused = true)]
async fn a_restart_resumes_its_own_jobs_and_queues_photos_left_without_one() {
    let harness = Harness::new(&[MODEL]);
    let held = queued_photo(&harness, Some("held"), MODEL).await;
    // Claimed by this instance's worker before it stopped, with a lease of ten minutes.
    let claimed = harness
        .stored_catalog
        .claim_jobs("test/0", 8, 600_000, ids::now_ms())
        .await
        .expect("claimed");
    assert_eq!(claimed.len(), 1);
    let orphan = catalogued_photo(&harness, Some("orphan")).await;
    let mut events = harness.gallery.subscribe(&OwnerId::local());
    let pipeline = start(&harness, Arc::default(), 5).await;

    // Well before the lease would have run out.
    let seen = tokio::time::timeout(
        Duration::from_secs(30),
        until_all_settled(&mut events, &[&held, &orphan]),
    )
    .await
    .expect("both done at once");
    assert_eq!(statuses(&seen[&held]).last(), Some(&Done));
    assert_eq!(statuses(&seen[&orphan]).last(), Some(&Done));
    pipeline.stop().await;
}

//! Job queue checks: leases, retries, failures and restarts. Jobs are claimed across owners, so
//! each check wants a catalog that no other job check is using at the same time.

use super::helpers::{clear, label, now_ms};
use super::run::Run;
use crate::catalog::Catalog;
use crate::jobs::{Job, JobOutcome};
use gaillery_core::{OwnerId, Photo, PhotoId, PhotoStatus};

/// Runs every job queue check, one after the other on `catalog`.
pub async fn all_checks(catalog: &dyn Catalog) {
    crate::__contract_checks!(jobs => __contract_run_each!((catalog)));
}

pub async fn jobs_go_to_one_claimer_and_only_the_holder_finishes(catalog: &dyn Catalog) {
    let run = &Run::new();
    let owner = run.owner("claims");
    let now = now_ms();
    let ids = queued_photos(catalog, &owner, run, 5, now).await;
    // Two claimers at once, asking for more than there is between them.
    let (a, b) = tokio::join!(
        catalog.claim_jobs("a/0", 4, 60_000, now + 10),
        catalog.claim_jobs("b/0", 4, 60_000, now + 10)
    );
    let (a, b) = (a.expect("claim a"), b.expect("claim b"));
    let mut claimed: Vec<&PhotoId> = a.iter().chain(&b).map(|job| &job.photo_id).collect();
    claimed.sort();
    let mut expected: Vec<&PhotoId> = ids.iter().collect();
    expected.sort();
    assert_eq!(claimed, expected, "every job claimed exactly once");
    assert!(a
        .iter()
        .chain(&b)
        .all(|job| job.attempt == 1 && job.model == "model-a" && job.owner == owner));
    assert!(catalog
        .claim_jobs("c/0", 10, 60_000, now + 20)
        .await
        .expect("claim")
        .is_empty());

    let (job_a, job_b) = match (a.first(), b.first()) {
        (Some(x), Some(y)) => (x.clone(), y.clone()),
        // One claimer may have won everything: then take two of its jobs.
        _ => {
            let all: Vec<&Job> = a.iter().chain(&b).collect();
            (all[0].clone(), all[1].clone())
        }
    };
    let holder_of = |job: &Job| if a.contains(job) { "a/0" } else { "b/0" };
    let labels = vec![label("tabby", 0.7), label("tiger cat", 0.2)];
    assert!(!catalog
        .finish_job(&job_a, "c/0", JobOutcome::Done(labels.clone()))
        .await
        .expect("finish by a stranger"));
    assert_eq!(
        status_of(catalog, &owner, &job_a.photo_id).await.status,
        PhotoStatus::Queued
    );
    assert!(catalog
        .finish_job(&job_a, holder_of(&job_a), JobOutcome::Done(labels.clone()))
        .await
        .expect("finish"));
    let done = status_of(catalog, &owner, &job_a.photo_id).await;
    assert_eq!((done.status, done.labels), (PhotoStatus::Done, labels));
    // Finished is finished: not again, not by anyone.
    assert!(!catalog
        .finish_job(&job_a, holder_of(&job_a), JobOutcome::Failed("late".into()))
        .await
        .expect("finish twice"));

    catalog
        .set_status(&owner, &job_b.photo_id, PhotoStatus::Predicting, None)
        .await
        .expect("stage");
    assert_eq!(
        status_of(catalog, &owner, &job_b.photo_id).await.status,
        PhotoStatus::Predicting
    );
    clear(catalog, &owner).await;
    assert!(
        catalog
            .claim_jobs("c/0", 10, 60_000, now + 100_000)
            .await
            .expect("claim")
            .is_empty(),
        "deleting a photo removes its job"
    );
}

pub async fn expired_leases_are_claimed_again(catalog: &dyn Catalog) {
    let run = &Run::new();
    let owner = run.owner("leases");
    let now = now_ms();
    let ids = queued_photos(catalog, &owner, run, 1, now).await;
    let first = catalog
        .claim_jobs("dead/0", 1, 1_000, now)
        .await
        .expect("claim");
    assert_eq!(first.len(), 1);
    assert!(
        catalog
            .claim_jobs("alive/0", 1, 1_000, now + 999)
            .await
            .expect("claim")
            .is_empty(),
        "lease still held"
    );
    let again = catalog
        .claim_jobs("alive/0", 1, 1_000, now + 1_000)
        .await
        .expect("claim");
    assert_eq!(again.len(), 1);
    assert_eq!((&again[0].photo_id, again[0].attempt), (&ids[0], 2));
    // The worker whose lease ran out comes back too late.
    assert!(!catalog
        .finish_job(&first[0], "dead/0", JobOutcome::Done(vec![label("x", 1.0)]))
        .await
        .expect("finish"));
    assert!(catalog
        .finish_job(
            &again[0],
            "alive/0",
            JobOutcome::Done(vec![label("y", 1.0)])
        )
        .await
        .expect("finish"));
    assert_eq!(
        status_of(catalog, &owner, &ids[0]).await.labels,
        vec![label("y", 1.0)]
    );
    clear(catalog, &owner).await;
}

pub async fn retries_wait_for_their_time_and_failures_end_the_job(catalog: &dyn Catalog) {
    let run = &Run::new();
    let owner = run.owner("retries");
    let now = now_ms();
    let ids = queued_photos(catalog, &owner, run, 1, now).await;
    let job = catalog
        .claim_jobs("w/0", 1, 60_000, now)
        .await
        .expect("claim")
        .remove(0);
    let retry = JobOutcome::Retry {
        reason: "storage unavailable".into(),
        run_after_ms: now + 5_000,
    };
    assert!(catalog.finish_job(&job, "w/0", retry).await.expect("retry"));
    let photo = status_of(catalog, &owner, &ids[0]).await;
    assert_eq!(
        (photo.status, photo.status_reason.as_deref()),
        (PhotoStatus::Queued, Some("storage unavailable"))
    );
    assert!(catalog
        .claim_jobs("w/0", 1, 60_000, now + 4_999)
        .await
        .expect("claim")
        .is_empty());
    let job = catalog
        .claim_jobs("w/0", 1, 60_000, now + 5_000)
        .await
        .expect("claim")
        .remove(0);
    assert_eq!(job.attempt, 2);
    assert!(catalog
        .finish_job(
            &job,
            "w/0",
            JobOutcome::Failed("the file is not an image".into())
        )
        .await
        .expect("fail"));
    let photo = status_of(catalog, &owner, &ids[0]).await;
    assert_eq!(
        (photo.status, photo.status_reason.as_deref()),
        (PhotoStatus::Failed, Some("the file is not an image"))
    );
    assert!(catalog
        .claim_jobs("w/0", 1, 60_000, now + 100_000)
        .await
        .expect("claim")
        .is_empty());
    // A person's retry queues it again, reason cleared.
    assert!(catalog
        .enqueue_job(&owner, &ids[0], "model-b", now + 6_000)
        .await
        .expect("retry"));
    let photo = status_of(catalog, &owner, &ids[0]).await;
    assert_eq!(
        (photo.status, photo.status_reason),
        (PhotoStatus::Queued, None)
    );
    let job = catalog
        .claim_jobs("w/0", 1, 60_000, now + 6_000)
        .await
        .expect("claim")
        .remove(0);
    assert_eq!((job.model.as_str(), job.attempt), ("model-b", 1));
    assert!(!catalog
        .enqueue_job(&owner, &run.photo_id(), "model-a", now)
        .await
        .expect("missing photo"));
    clear(catalog, &owner).await;
}

pub async fn a_restarted_instance_gets_its_jobs_back_at_once(catalog: &dyn Catalog) {
    let run = &Run::new();
    let owner = run.owner("restart");
    let now = now_ms();
    let ids = queued_photos(catalog, &owner, run, 2, now).await;
    let held = catalog
        .claim_jobs("server-1/0", 2, 600_000, now + 5)
        .await
        .expect("claim");
    assert_eq!(held.len(), 2);
    catalog
        .set_status(&owner, &ids[0], PhotoStatus::Predicting, None)
        .await
        .expect("stage");
    // Another instance's name that merely starts the same way keeps its jobs.
    assert_eq!(catalog.release_jobs("server-10").await.expect("release"), 0);
    assert_eq!(catalog.release_jobs("server-1").await.expect("release"), 2);
    assert_eq!(
        status_of(catalog, &owner, &ids[0]).await.status,
        PhotoStatus::Queued
    );
    let resumed = catalog
        .claim_jobs("server-1/0", 2, 600_000, now + 10)
        .await
        .expect("claim");
    assert_eq!(resumed.len(), 2);
    assert!(catalog
        .photos_without_jobs(&owner)
        .await
        .expect("orphans")
        .is_empty());
    let orphan = run.new_photo(&owner, now);
    let orphan_id = orphan.id.clone();
    catalog.insert_photo(orphan).await.expect("insert");
    assert_eq!(
        catalog.photos_without_jobs(&owner).await.expect("orphans"),
        vec![orphan_id]
    );
    clear(catalog, &owner).await;
}

async fn queued_photos(
    catalog: &dyn Catalog,
    owner: &OwnerId,
    run: &Run,
    count: usize,
    now: i64,
) -> Vec<PhotoId> {
    let mut ids = Vec::new();
    for i in 0..count {
        let photo = run.new_photo(owner, now + i as i64);
        let id = photo.id.clone();
        catalog.insert_photo(photo).await.expect("insert");
        assert!(catalog
            .enqueue_job(owner, &id, "model-a", now + i as i64)
            .await
            .expect("enqueue"));
        ids.push(id);
    }
    ids
}

async fn status_of(catalog: &dyn Catalog, owner: &OwnerId, id: &PhotoId) -> Photo {
    catalog
        .photo(owner, id)
        .await
        .expect("get")
        .expect("photo exists")
}

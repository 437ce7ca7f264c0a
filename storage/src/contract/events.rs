//! Event log checks: what servers sharing a catalog tell each other, oldest first.

use super::helpers::{label, now_ms};
use super::run::Run;
use crate::events::EventLog;
use gaillery_core::api::PhotoEvent;
use gaillery_core::{Label, OwnerId, PhotoId, PhotoStatus};
use std::collections::HashSet;

/// Runs every event log check.
pub async fn all_checks(log: &dyn EventLog) {
    crate::__contract_checks!(events => __contract_run_each!((log)));
}

pub async fn events_read_back_oldest_first(log: &dyn EventLog) {
    const CHECK: &str = "events_read_back_oldest_first";
    let run = &Run::new();
    let owner = run.owner("events");
    let now = now_ms();
    let appended = [
        (
            now + 2,
            "server-b",
            event(run, PhotoStatus::Done, vec![label("tabby", 0.7)]),
        ),
        (now, "server-a", event(run, PhotoStatus::Queued, vec![])),
        (now + 1, "server-a", event(run, PhotoStatus::Failed, vec![])),
    ];
    for (at_ms, origin, event) in &appended {
        append(log, &owner, origin, event, *at_ms).await;
    }
    let read = log
        .events_since(&owner, now, 10)
        .await
        .expect("events_since");
    let got: Vec<(i64, &str, &PhotoEvent)> = read
        .iter()
        .map(|entry| (entry.at_ms, entry.origin.as_str(), &entry.event))
        .collect();
    let mut expected: Vec<(i64, &str, &PhotoEvent)> = appended
        .iter()
        .map(|(at_ms, origin, event)| (*at_ms, *origin, event))
        .collect();
    expected.sort_by_key(|(at_ms, _, _)| *at_ms);
    assert_eq!(
        got, expected,
        "{CHECK}: every field round-trips, oldest first"
    );
    let keys: HashSet<&str> = read.iter().map(|entry| entry.key.as_str()).collect();
    assert_eq!(keys.len(), 3, "{CHECK}: keys are unique");
}

pub async fn events_since_excludes_older_ones(log: &dyn EventLog) {
    const CHECK: &str = "events_since_excludes_older_ones";
    let run = &Run::new();
    let owner = run.owner("events-since");
    let now = now_ms();
    for offset in [0, 1_000, 2_000] {
        append(
            log,
            &owner,
            "a",
            &event(run, PhotoStatus::Queued, vec![]),
            now + offset,
        )
        .await;
    }
    let read = log
        .events_since(&owner, now + 1_000, 10)
        .await
        .expect("events_since");
    let times: Vec<i64> = read.iter().map(|entry| entry.at_ms).collect();
    assert_eq!(
        times,
        vec![now + 1_000, now + 2_000],
        "{CHECK}: since is inclusive"
    );
    let none = log
        .events_since(&owner, now + 2_001, 10)
        .await
        .expect("events_since");
    assert!(none.is_empty(), "{CHECK}: nothing after the newest");
}

pub async fn events_limit_keeps_the_oldest(log: &dyn EventLog) {
    const CHECK: &str = "events_limit_keeps_the_oldest";
    let run = &Run::new();
    let owner = run.owner("events-limit");
    let now = now_ms();
    for offset in 0..5 {
        append(
            log,
            &owner,
            "a",
            &event(run, PhotoStatus::Queued, vec![]),
            now + offset,
        )
        .await;
    }
    let read = log
        .events_since(&owner, now, 2)
        .await
        .expect("events_since");
    let times: Vec<i64> = read.iter().map(|entry| entry.at_ms).collect();
    assert_eq!(
        times,
        vec![now, now + 1],
        "{CHECK}: at most `limit`, oldest first"
    );
}

pub async fn events_of_one_millisecond_all_get_through(log: &dyn EventLog) {
    const CHECK: &str = "events_of_one_millisecond_all_get_through";
    let run = &Run::new();
    let owner = run.owner("events-same-ms");
    let now = now_ms();
    let mut ids = Vec::new();
    // Two servers, each appending a burst within one millisecond.
    for origin in ["a", "a", "b", "a", "b", "a"] {
        let event = event(run, PhotoStatus::Predicting, vec![]);
        ids.push(event.id.clone());
        append(log, &owner, origin, &event, now).await;
    }
    let all = log
        .events_since(&owner, now, 100)
        .await
        .expect("events_since");
    let keys: HashSet<&str> = all.iter().map(|entry| entry.key.as_str()).collect();
    assert_eq!(
        keys.len(),
        ids.len(),
        "{CHECK}: each entry has a key of its own"
    );
    let mut read: Vec<PhotoId> = all.into_iter().map(|entry| entry.event.id).collect();
    read.sort();
    ids.sort();
    assert_eq!(read, ids, "{CHECK}: no entry overwrites another");
    let batch = log
        .events_since(&owner, now, 4)
        .await
        .expect("events_since");
    assert_eq!(
        batch.len(),
        4,
        "{CHECK}: the limit applies within a millisecond too"
    );
}

pub async fn events_are_per_owner(log: &dyn EventLog) {
    const CHECK: &str = "events_are_per_owner";
    let run = &Run::new();
    let (alice, bob) = (run.owner("events-alice"), run.owner("events-bob"));
    let now = now_ms();
    append(
        log,
        &alice,
        "a",
        &event(run, PhotoStatus::Done, vec![]),
        now,
    )
    .await;
    let bobs = log
        .events_since(&bob, now - 60_000, 10)
        .await
        .expect("events_since");
    assert!(bobs.is_empty(), "{CHECK}: bob sees none of alice's entries");
}

pub async fn events_are_kept_for_the_retention_time(log: &dyn EventLog) {
    const CHECK: &str = "events_are_kept_for_the_retention_time";
    let run = &Run::new();
    let owner = run.owner("events-retention");
    // Appended by a clock that is almost the retention time behind.
    let then = now_ms() - crate::events::EVENT_RETENTION_MS + 60_000;
    append(
        log,
        &owner,
        "a",
        &event(run, PhotoStatus::Queued, vec![]),
        then,
    )
    .await;
    let read = log
        .events_since(&owner, then, 10)
        .await
        .expect("events_since");
    assert_eq!(read.len(), 1, "{CHECK}: still readable");
    assert_eq!(read[0].at_ms, then, "{CHECK}: with its time");
}

fn event(run: &Run, status: PhotoStatus, labels: Vec<Label>) -> PhotoEvent {
    PhotoEvent {
        id: run.photo_id(),
        status,
        status_reason: (status == PhotoStatus::Failed).then(|| "decoder: truncated".to_owned()),
        labels,
    }
}

async fn append(log: &dyn EventLog, owner: &OwnerId, origin: &str, event: &PhotoEvent, at_ms: i64) {
    log.append_event(owner, origin, event, at_ms)
        .await
        .unwrap_or_else(|e| panic!("append_event at {at_ms}: {e}"));
}

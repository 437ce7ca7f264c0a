//! Stage changes cross between two servers that share one event log.

use super::{next_event, pass, Harness};
use crate::ids;
use crate::relay::{Relay, RelayTasks};
use crate::Gallery;
use gaillery_core::api::PhotoEvent;
use gaillery_core::OwnerId;
use gaillery_core::PhotoStatus;
use gaillery_storage::EventLog;
use gaillery_testkit::failing::{outage, CatalogOp, FailingCatalog};
use gaillery_testkit::memory::MemoryCatalog;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::broadcast::error::TryRecvError;

/// Two servers, "a" and "b", on one event log that can fail.
struct Pair {
    a: Gallery,
    b: Gallery,
    log: Arc<FailingCatalog<MemoryCatalog>>,
    tasks: Vec<RelayTasks>,
    // The harnesses own the servers' staging directories.
    _servers: [Harness; 2],
}

fn pair() -> Pair {
    let log = Arc::new(FailingCatalog::new(Arc::new(MemoryCatalog::new())));
    let servers = [Harness::new(&[]), Harness::new(&[])];
    let (mut a, mut b) = (servers[0].gallery.clone(), servers[1].gallery.clone());
    let tasks = vec![
        Relay::start(&mut a, Arc::clone(&log) as Arc<dyn EventLog>, "a".into()),
        Relay::start(&mut b, Arc::clone(&log) as Arc<dyn EventLog>, "b".into()),
    ];
    Pair {
        a,
        b,
        log,
        tasks,
        _servers: servers,
    }
}

impl Pair {
    async fn stop(self) {
        for tasks in self.tasks {
            tasks.stop().await;
        }
    }
}

fn event(status: PhotoStatus) -> PhotoEvent {
    PhotoEvent {
        id: ids::new_photo_id(),
        status,
        status_reason: None,
        labels: Vec::new(),
    }
}

#[tokio::test(start_paused = true)]
async fn changes_on_one_server_reach_the_watchers_of_the_other_in_order() {
    let pair = pair();
    let mut on_a = pair.a.subscribe(&OwnerId::local());
    let mut on_b = pair.b.subscribe(&OwnerId::local());
    let sent: Vec<PhotoEvent> = [
        PhotoStatus::Fetching,
        PhotoStatus::Predicting,
        PhotoStatus::Done,
    ]
    .into_iter()
    .map(event)
    .collect();
    for change in &sent {
        pair.a.publish(&OwnerId::local(), change.clone());
    }
    for change in &sent {
        assert_eq!(&next_event(&mut on_b).await, change);
    }
    // Each change reaches a's own watchers once: not again through the log.
    for change in &sent {
        assert_eq!(&next_event(&mut on_a).await, change);
    }
    pass(5).await;
    assert!(matches!(on_a.try_recv(), Err(TryRecvError::Empty)));
    assert!(matches!(on_b.try_recv(), Err(TryRecvError::Empty)));
    pair.stop().await;
}

#[tokio::test(start_paused = true)]
async fn changes_logged_while_the_log_could_not_be_read_arrive_once_it_can() {
    let pair = pair();
    let mut on_b = pair.b.subscribe(&OwnerId::local());
    pair.log.faults.fail(CatalogOp::EventsSince, 4, outage());
    let change = event(PhotoStatus::Done);
    pair.a.publish(&OwnerId::local(), change.clone());
    assert_eq!(next_event(&mut on_b).await, change);
    assert!(pair.log.faults.calls(CatalogOp::EventsSince) > 4);
    pair.stop().await;
}

#[tokio::test(start_paused = true)]
async fn a_change_that_could_not_be_logged_is_skipped_and_the_next_ones_get_through() {
    let pair = pair();
    let mut on_b = pair.b.subscribe(&OwnerId::local());
    pair.log.faults.fail(CatalogOp::AppendEvent, 1, outage());
    let (lost, next) = (event(PhotoStatus::Fetching), event(PhotoStatus::Done));
    pair.a.publish(&OwnerId::local(), lost);
    pair.a.publish(&OwnerId::local(), next.clone());
    assert_eq!(next_event(&mut on_b).await, next);
    pair.stop().await;
}

#[tokio::test(start_paused = true)]
async fn a_server_nobody_watches_does_not_read_the_log() {
    let pair = pair();
    pair.a.publish(&OwnerId::local(), event(PhotoStatus::Done));
    tokio::time::sleep(Duration::from_secs(10)).await;
    assert_eq!(pair.log.faults.calls(CatalogOp::EventsSince), 0);
    assert_eq!(pair.log.faults.calls(CatalogOp::AppendEvent), 1);
    pair.stop().await;
}

#[tokio::test(start_paused = true)]
async fn an_owner_sees_only_their_own_changes_on_either_server() {
    let pair = pair();
    let (alice, bob) = (OwnerId("alice".into()), OwnerId("bob".into()));
    let mut alice_on_a = pair.a.subscribe(&alice);
    let mut alice_on_b = pair.b.subscribe(&alice);
    let mut bob_on_b = pair.b.subscribe(&bob);
    let (for_bob, for_alice) = (event(PhotoStatus::Fetching), event(PhotoStatus::Done));
    pair.a.publish(&bob, for_bob.clone());
    pair.a.publish(&alice, for_alice.clone());
    assert_eq!(next_event(&mut alice_on_b).await, for_alice);
    assert_eq!(next_event(&mut alice_on_a).await, for_alice);
    assert_eq!(next_event(&mut bob_on_b).await, for_bob);
    pass(5).await;
    assert!(matches!(alice_on_a.try_recv(), Err(TryRecvError::Empty)));
    assert!(matches!(alice_on_b.try_recv(), Err(TryRecvError::Empty)));
    assert!(matches!(bob_on_b.try_recv(), Err(TryRecvError::Empty)));
    pair.stop().await;
}

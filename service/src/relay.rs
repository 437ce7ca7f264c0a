//! Stage changes between servers that share one catalog: each server appends the changes its
//! own workers make to the shared [`EventLog`], and reads back the others' to tell the browsers
//! connected to it. A browser therefore sees a photo move on whichever server classifies it.
//!
//! Appends go through one task, in order, so a reader never sees `done` before `predicting`.
//! Readers poll (twice a second, for each owner a browser watches here) from a little before
//! the newest entry they saw, because the servers' clocks differ, and skip the keys they have
//! already passed on.

use crate::watching::OwnedEvent;
use crate::{ids, Gallery};
use gaillery_core::OwnerId;
use gaillery_storage::EventLog;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;

/// How often a server with watching browsers asks for the others' changes.
const POLL_EVERY: Duration = Duration::from_millis(500);
/// How far back each read starts before the newest entry seen: the clock difference between
/// servers that is tolerated without missing an entry.
const CLOCK_SLACK_MS: i64 = 5_000;
/// Most entries read per request; more are read at once if this many came back.
const READ_BATCH: usize = 200;
/// Changes waiting to be appended; beyond this (the log is down), the oldest are dropped and
/// remote browsers reload instead.
const APPEND_QUEUE: usize = 4_096;

/// The link of one server to the shared event log.
#[derive(Clone)]
pub struct Relay {
    log: Arc<dyn EventLog>,
    /// This server's name, written as each entry's origin so the server skips its own.
    instance: String,
    outbox: mpsc::Sender<OwnedEvent>,
}

/// The relay's tasks; [`RelayTasks::stop`] ends them.
pub struct RelayTasks {
    stop: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
}

impl RelayTasks {
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        for task in self.tasks {
            let _ = task.await;
        }
    }
}

impl Relay {
    /// Connects `gallery` to `log`: its changes are appended from now on, and the other
    /// servers' changes reach its subscribers.
    pub fn start(gallery: &mut Gallery, log: Arc<dyn EventLog>, instance: String) -> RelayTasks {
        let (outbox, inbox) = mpsc::channel(APPEND_QUEUE);
        let relay = Relay {
            log,
            instance,
            outbox,
        };
        gallery.parts_mut().relay = Some(relay.clone());
        let (stop, stopped) = watch::channel(false);
        let tasks = vec![
            tokio::spawn(relay.clone().append_all(inbox, stopped.clone())),
            tokio::spawn(relay.read_others(gallery.clone(), stopped)),
        ];
        RelayTasks { stop, tasks }
    }

    /// Queues a local change for the other servers; never waits.
    pub(crate) fn send(&self, owned: &OwnedEvent) {
        if self.outbox.try_send(owned.clone()).is_err() {
            tracing::warn!(id = %owned.event.id, "event log is behind; a change was not shared");
        }
    }

    async fn append_all(
        self,
        mut inbox: mpsc::Receiver<OwnedEvent>,
        mut stopped: watch::Receiver<bool>,
    ) {
        loop {
            let owned = tokio::select! {
                owned = inbox.recv() => match owned {
                    Some(owned) => owned,
                    None => return,
                },
                _ = stopped.changed() => return,
            };
            if let Err(error) = self
                .log
                .append_event(&owned.owner, &self.instance, &owned.event, ids::now_ms())
                .await
            {
                // Remote browsers miss this change; they catch up on their next reload.
                tracing::warn!(%error, id = %owned.event.id, "could not share a photo event");
            }
        }
    }

    /// Polls the log for each owner someone watches on this server.
    async fn read_others(self, gallery: Gallery, mut stopped: watch::Receiver<bool>) {
        let mut positions: HashMap<OwnerId, Position> = HashMap::new();
        loop {
            tokio::select! {
                _ = tokio::time::sleep(POLL_EVERY) => {}
                _ = stopped.changed() => return,
            }
            let watched = gallery.watchers.owners();
            // An owner nobody watches any more starts from "now" when someone does again.
            positions.retain(|owner, _| watched.contains(owner));
            for owner in watched {
                let position = positions.entry(owner.clone()).or_insert_with(Position::now);
                self.read_owner(&gallery, &owner, position).await;
            }
        }
    }

    /// Passes on the other servers' entries for `owner` since `position`, and moves it on.
    async fn read_owner(&self, gallery: &Gallery, owner: &OwnerId, position: &mut Position) {
        let mut since = position.newest_ms.saturating_sub(CLOCK_SLACK_MS);
        loop {
            let entries = match self.log.events_since(owner, since, READ_BATCH).await {
                Ok(entries) => entries,
                Err(error) => {
                    tracing::warn!(%error, "cannot read the shared event log");
                    break;
                }
            };
            let full = entries.len() == READ_BATCH;
            let last_ms = entries.last().map_or(since, |entry| entry.at_ms);
            for entry in entries {
                if position.seen.contains_key(&entry.key) {
                    continue;
                }
                position.newest_ms = position.newest_ms.max(entry.at_ms);
                position.seen.insert(entry.key, entry.at_ms);
                if entry.origin != self.instance {
                    gallery.broadcast(OwnedEvent {
                        owner: owner.clone(),
                        event: entry.event,
                    });
                }
            }
            if !full {
                break;
            }
            // More may follow: go on from the last entry's time (its own millisecond is read
            // again and deduplicated), or past it when a whole batch shares it.
            since = if last_ms > since { last_ms } else { since + 1 };
        }
        let horizon = position.newest_ms.saturating_sub(2 * CLOCK_SLACK_MS);
        position.seen.retain(|_, at_ms| *at_ms >= horizon);
    }
}

/// How far one owner's entries have been read.
struct Position {
    newest_ms: i64,
    /// The keys passed on (or skipped) within the slack window, with their times.
    seen: HashMap<String, i64>,
}

impl Position {
    /// Entries from before someone started watching are history: the page loads the listing.
    fn now() -> Position {
        Position {
            newest_ms: ids::now_ms(),
            seen: HashMap::new(),
        }
    }
}

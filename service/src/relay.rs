//! Stage changes between servers that share one catalog: each server appends the changes its
//! own workers make to the shared [`EventLog`], and reads back the others' to tell the browsers
//! connected to it. A browser therefore sees a photo move on whichever server classifies it.
//!
//! Appends go through one task, in order, so a reader never sees `done` before `predicting`.
//! Readers poll (twice a second, and only while a browser is watching) from a little before
//! the newest entry they saw, because the servers' clocks differ, and skip the keys they have
//! already passed on.

use crate::{ids, Gallery};
use gaillery_core::api::PhotoEvent;
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
    outbox: mpsc::Sender<PhotoEvent>,
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
        gallery.relay = Some(relay.clone());
        let (stop, stopped) = watch::channel(false);
        let tasks = vec![
            tokio::spawn(relay.clone().append_all(inbox, stopped.clone())),
            tokio::spawn(relay.read_others(gallery.clone(), stopped)),
        ];
        RelayTasks { stop, tasks }
    }

    /// Queues a local change for the other servers; never waits.
    pub(crate) fn send(&self, event: &PhotoEvent) {
        if self.outbox.try_send(event.clone()).is_err() {
            tracing::warn!(id = %event.id, "event log is behind; a change was not shared");
        }
    }

    async fn append_all(
        self,
        mut inbox: mpsc::Receiver<PhotoEvent>,
        mut stopped: watch::Receiver<bool>,
    ) {
        let owner = OwnerId::local();
        loop {
            let event = tokio::select! {
                event = inbox.recv() => match event {
                    Some(event) => event,
                    None => return,
                },
                _ = stopped.changed() => return,
            };
            if let Err(error) = self
                .log
                .append_event(&owner, &self.instance, &event, ids::now_ms())
                .await
            {
                // Remote browsers miss this change; they catch up on their next reload.
                tracing::warn!(%error, id = %event.id, "could not share a photo event");
            }
        }
    }

    async fn read_others(self, gallery: Gallery, mut stopped: watch::Receiver<bool>) {
        let owner = OwnerId::local();
        // Entries from before this server started are history: its browsers load the listing.
        let mut newest_ms = ids::now_ms();
        // The keys passed on (or skipped) within the slack window, with their times.
        let mut seen: HashMap<String, i64> = HashMap::new();
        loop {
            tokio::select! {
                _ = tokio::time::sleep(POLL_EVERY) => {}
                _ = stopped.changed() => return,
            }
            if gallery.events.receiver_count() == 0 {
                // Nobody watches here: skip the reads, and start from now when someone does.
                newest_ms = ids::now_ms();
                seen.clear();
                continue;
            }
            let mut since = newest_ms.saturating_sub(CLOCK_SLACK_MS);
            loop {
                let entries = match self.log.events_since(&owner, since, READ_BATCH).await {
                    Ok(entries) => entries,
                    Err(error) => {
                        tracing::warn!(%error, "cannot read the shared event log");
                        break;
                    }
                };
                let full = entries.len() == READ_BATCH;
                let last_ms = entries.last().map_or(since, |entry| entry.at_ms);
                for entry in entries {
                    if seen.contains_key(&entry.key) {
                        continue;
                    }
                    newest_ms = newest_ms.max(entry.at_ms);
                    seen.insert(entry.key, entry.at_ms);
                    if entry.origin != self.instance {
                        gallery.broadcast(entry.event);
                    }
                }
                if !full {
                    break;
                }
                // More may follow: go on from the last entry's time (its own millisecond is
                // read again and deduplicated), or past it when a whole batch shares it.
                since = if last_ms > since { last_ms } else { since + 1 };
            }
            let horizon = newest_ms.saturating_sub(2 * CLOCK_SLACK_MS);
            seen.retain(|_, at_ms| *at_ms >= horizon);
        }
    }
}

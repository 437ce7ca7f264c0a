//! Stage changes by owner: every change carries whose photo moved, and a subscription passes on
//! only its owner's. The gallery also counts who is watching, so the relay reads the shared log
//! only for the owners someone watches on this server.

use crate::Gallery;
use gaillery_core::api::PhotoEvent;
use gaillery_core::OwnerId;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use tokio::sync::broadcast::{self, error::RecvError, error::TryRecvError};

/// A stage change and whose photo it is.
#[derive(Clone, Debug)]
pub(crate) struct OwnedEvent {
    pub owner: OwnerId,
    pub event: PhotoEvent,
}

/// How many subscriptions each owner has open on this server.
#[derive(Clone, Default)]
pub(crate) struct Watchers(Arc<Mutex<HashMap<OwnerId, usize>>>);

impl Watchers {
    fn add(&self, owner: &OwnerId) {
        let mut counts = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        *counts.entry(owner.clone()).or_default() += 1;
    }

    fn remove(&self, owner: &OwnerId) {
        let mut counts = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(count) = counts.get_mut(owner) {
            *count -= 1;
            if *count == 0 {
                counts.remove(owner);
            }
        }
    }

    /// The owners with at least one open subscription.
    pub(crate) fn owners(&self) -> Vec<OwnerId> {
        let counts = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        counts.keys().cloned().collect()
    }
}

/// One owner's stage changes from the moment it was made; see [`Gallery::subscribe`].
pub struct EventSubscription {
    owner: OwnerId,
    receiver: broadcast::Receiver<OwnedEvent>,
    watchers: Watchers,
}

impl EventSubscription {
    /// The owner's next change. `Lagged` means changes were dropped (reload what is shown);
    /// `Closed` that the gallery is gone.
    pub async fn recv(&mut self) -> Result<PhotoEvent, RecvError> {
        loop {
            let owned = self.receiver.recv().await?;
            if owned.owner == self.owner {
                return Ok(owned.event);
            }
        }
    }

    /// The owner's next change if one is waiting.
    pub fn try_recv(&mut self) -> Result<PhotoEvent, TryRecvError> {
        loop {
            let owned = self.receiver.try_recv()?;
            if owned.owner == self.owner {
                return Ok(owned.event);
            }
        }
    }
}

impl Drop for EventSubscription {
    fn drop(&mut self) {
        self.watchers.remove(&self.owner);
    }
}

impl Gallery {
    /// The owner's stage changes from now on, as they happen on this server and, with a
    /// [`crate::Relay`], on the others sharing its catalog. Nobody else's reach it.
    pub fn subscribe(&self, owner: &OwnerId) -> EventSubscription {
        self.watchers.add(owner);
        EventSubscription {
            owner: owner.clone(),
            receiver: self.events.subscribe(),
            watchers: self.watchers.clone(),
        }
    }

    /// A change made here: to this server's subscribers and to the other servers.
    pub(crate) fn publish(&self, owner: &OwnerId, event: PhotoEvent) {
        let owned = OwnedEvent {
            owner: owner.clone(),
            event,
        };
        if let Some(relay) = &self.relay {
            relay.send(&owned);
        }
        self.broadcast(owned);
    }

    /// To this server's subscribers only.
    pub(crate) fn broadcast(&self, owned: OwnedEvent) {
        // No subscriber is not an error: nobody is watching.
        let _ = self.events.send(owned);
    }
}

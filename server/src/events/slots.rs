//! How many event streams may be open: each holds a connection and a subscription for as long
//! as a page is open, so one person's many tabs, or a client opening streams in a loop, must not
//! take every connection the server has.

use gaillery_core::OwnerId;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// Most event streams one owner may have open at once: a tab each, with room to spare.
pub const STREAMS_PER_OWNER: usize = 16;

/// The slots of open event streams: at most `total`, and [`STREAMS_PER_OWNER`] per owner.
#[derive(Clone, Debug)]
pub struct EventStreamSlots {
    total: Arc<Semaphore>,
    per_owner: Arc<Mutex<HashMap<OwnerId, usize>>>,
}

/// Why a stream was not opened.
#[derive(Debug, PartialEq, Eq)]
pub enum NoSlot {
    /// This owner has [`STREAMS_PER_OWNER`] open already.
    OwnerFull,
    /// The server has as many open as it takes.
    ServerFull,
}

impl EventStreamSlots {
    pub fn new(total: usize) -> EventStreamSlots {
        EventStreamSlots {
            total: Arc::new(Semaphore::new(total)),
            per_owner: Arc::default(),
        }
    }

    /// A slot for one more stream of `owner`, given back when the slot is dropped.
    pub fn take(&self, owner: &OwnerId) -> Result<EventStreamSlot, NoSlot> {
        let mut per_owner = self
            .per_owner
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let open = per_owner.entry(owner.clone()).or_default();
        if *open >= STREAMS_PER_OWNER {
            return Err(NoSlot::OwnerFull);
        }
        let total = self
            .total
            .clone()
            .try_acquire_owned()
            .map_err(|_| NoSlot::ServerFull)?;
        *open += 1;
        Ok(EventStreamSlot {
            _total: total,
            owner: owner.clone(),
            per_owner: self.per_owner.clone(),
        })
    }
}

/// One open stream's place; the stream owns it, so it is given back whenever the stream ends.
#[derive(Debug)]
pub struct EventStreamSlot {
    _total: OwnedSemaphorePermit,
    owner: OwnerId,
    per_owner: Arc<Mutex<HashMap<OwnerId, usize>>>,
}

impl Drop for EventStreamSlot {
    fn drop(&mut self) {
        let mut per_owner = self
            .per_owner
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if let Some(open) = per_owner.get_mut(&self.owner) {
            *open = open.saturating_sub(1);
            if *open == 0 {
                per_owner.remove(&self.owner);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_owner_and_the_server_have_a_cap_and_slots_come_back() {
        let slots = EventStreamSlots::new(STREAMS_PER_OWNER + 2);
        let alice = OwnerId("alice".into());
        let bob = OwnerId("bob".into());
        let mut alices: Vec<_> = (0..STREAMS_PER_OWNER)
            .map(|_| slots.take(&alice).expect("a slot"))
            .collect();
        assert_eq!(slots.take(&alice).err(), Some(NoSlot::OwnerFull));
        let bobs = [
            slots.take(&bob).expect("a slot"),
            slots.take(&bob).expect("a slot"),
        ];
        assert_eq!(slots.take(&bob).err(), Some(NoSlot::ServerFull));
        alices.pop();
        assert!(
            slots.take(&alice).is_ok(),
            "a closed stream gives its slot back"
        );
        drop(bobs);
        drop(alices);
        assert_eq!(slots.per_owner.lock().expect("lock").len(), 0);
        assert_eq!(slots.total.available_permits(), STREAMS_PER_OWNER + 2);
    }
}

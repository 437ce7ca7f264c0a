//! The event log of the in-memory catalog.

use super::*;

#[async_trait]
impl EventLog for MemoryCatalog {
    async fn append_event(
        &self,
        owner: &OwnerId,
        origin: &str,
        event: &PhotoEvent,
        now_ms: i64,
    ) -> Result<(), StorageError> {
        let mut state = self.lock();
        state.event_seq += 1;
        // Fixed width and sign-flipped, so the keys sort like the (signed) times.
        let key = format!(
            "{:020}#{origin}#{:012}",
            (now_ms as u64) ^ (1 << 63),
            state.event_seq
        );
        let entry = LoggedEvent {
            key: key.clone(),
            origin: origin.to_owned(),
            at_ms: now_ms,
            event: event.clone(),
        };
        state
            .events
            .entry(owner.clone())
            .or_default()
            .insert(key, entry);
        Ok(())
    }

    async fn events_since(
        &self,
        owner: &OwnerId,
        since_ms: i64,
        limit: usize,
    ) -> Result<Vec<LoggedEvent>, StorageError> {
        let state = self.lock();
        let Some(events) = state.events.get(owner) else {
            return Ok(Vec::new());
        };
        Ok(events
            .values()
            .filter(|entry| entry.at_ms >= since_ms)
            .take(limit)
            .cloned()
            .collect())
    }
}

//! A shared log of photo stage changes, so that servers sharing one catalog can tell each
//! other's browsers what happened: each server appends the changes its workers make, and reads
//! back those the others made.
//!
//! Entries are short-lived (a browser that was away reloads the listing instead), so a backend
//! may drop them after [`EVENT_RETENTION_MS`].

use crate::StorageError;
use async_trait::async_trait;
use gaillery_core::api::PhotoEvent;
use gaillery_core::OwnerId;

/// How long an entry must stay readable.
pub const EVENT_RETENTION_MS: i64 = 10 * 60 * 1000;

/// One entry of the log.
#[derive(Clone, Debug, PartialEq)]
pub struct LoggedEvent {
    /// Unique across the log, and ordered like `at_ms` (then arbitrarily among equal times).
    pub key: String,
    /// The server that appended it (its instance name), so it can skip its own.
    pub origin: String,
    /// When it was appended, by the appending server's clock.
    pub at_ms: i64,
    pub event: PhotoEvent,
}

#[async_trait]
pub trait EventLog: Send + Sync + 'static {
    async fn append_event(
        &self,
        owner: &OwnerId,
        origin: &str,
        event: &PhotoEvent,
        now_ms: i64,
    ) -> Result<(), StorageError>;

    /// The owner's entries appended at `since_ms` or later, oldest first, at most `limit`.
    /// Readers ask again from a little before their last entry, since servers' clocks differ,
    /// and skip the keys they have seen.
    async fn events_since(
        &self,
        owner: &OwnerId,
        since_ms: i64,
        limit: usize,
    ) -> Result<Vec<LoggedEvent>, StorageError>;
}

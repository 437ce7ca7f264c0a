//! Where GAiLLERY keeps photos: the bytes behind [`BlobStore`], what is known about them behind
//! [`Catalog`], what servers sharing a catalog tell each other behind [`EventLog`], who may sign
//! in behind [`AccountStore`], albums and share links behind [`AlbumStore`]. The rest of the
//! program only sees these traits, so backends plug in without touching it: the embedded
//! default (files on disk, SQLite) in `gaillery-storage-embedded`, S3 and DynamoDB in
//! `gaillery-storage-aws`.
//!
//! Every adapter normalises its own errors into [`StorageError`] at the trait boundary, and every
//! adapter must pass the same test suite, the `contract` module (cargo feature `contract`).

pub mod accounts;
pub mod albums;
pub mod blob;
pub mod catalog;
#[cfg(feature = "contract")]
pub mod contract;
pub mod events;
pub mod jobs;

pub use accounts::{
    Account, AccountCreated, AccountDeleted, AccountStore, ApiToken, LastAdministrator, Session,
};
pub use albums::{Album, AlbumPage, AlbumStore, Share};
pub use blob::{BlobKey, BlobListing, BlobReader, BlobStore, NewBlob, StoredBlob};
pub use catalog::{Catalog, InsertOutcome, MonthCount, NewPhoto, PageCursor, PhotoTotals};
pub use events::{EventLog, LoggedEvent};
pub use jobs::{Job, JobOutcome};

use std::io;

/// The one error type of the storage layer, whatever the backend.
///
/// The messages of `Unavailable` and `Backend` are for logs, never for end users: they may name
/// paths, tables or SQL.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum StorageError {
    /// The object or row asked for does not exist.
    #[error("not found")]
    NotFound,
    /// A pagination cursor that no listing of this backend produced.
    #[error("invalid cursor")]
    InvalidCursor,
    /// A blob key that breaks the key rules (see [`BlobKey`]).
    #[error("invalid key: {0}")]
    InvalidKey(String),
    /// Transient: the backend can't be reached, is locked or throttles. Worth retrying later; a
    /// server answers 503.
    #[error("storage unavailable: {0}")]
    Unavailable(String),
    /// The disk (or quota) is full: nothing more can be written until space is freed. A
    /// server answers 507.
    #[error("storage is full: {0}")]
    Full(String),
    /// Anything else the backend reported.
    #[error("storage backend error: {0}")]
    Backend(String),
}

impl From<io::Error> for StorageError {
    fn from(err: io::Error) -> StorageError {
        match err.kind() {
            io::ErrorKind::NotFound | io::ErrorKind::NotADirectory => StorageError::NotFound,
            io::ErrorKind::TimedOut
            | io::ErrorKind::WouldBlock
            | io::ErrorKind::Interrupted
            | io::ErrorKind::ResourceBusy => StorageError::Unavailable(err.to_string()),
            io::ErrorKind::StorageFull | io::ErrorKind::QuotaExceeded => {
                StorageError::Full(err.to_string())
            }
            _ => StorageError::Backend(err.to_string()),
        }
    }
}

impl From<tokio::task::JoinError> for StorageError {
    fn from(err: tokio::task::JoinError) -> StorageError {
        // A panic or a cancelled blocking task: a bug or a shutdown, not the caller's fault.
        StorageError::Backend(format!("storage task failed: {err}"))
    }
}

impl From<serde_json::Error> for StorageError {
    fn from(err: serde_json::Error) -> StorageError {
        StorageError::Backend(format!("malformed stored JSON: {err}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn io_errors_are_normalised_by_kind() {
        let missing = io::Error::new(io::ErrorKind::NotFound, "gone");
        assert_eq!(StorageError::from(missing), StorageError::NotFound);
        let busy = io::Error::new(io::ErrorKind::TimedOut, "slow disk");
        assert!(matches!(
            StorageError::from(busy),
            StorageError::Unavailable(_)
        ));
        let denied = io::Error::new(io::ErrorKind::PermissionDenied, "nope");
        assert!(
            matches!(StorageError::from(denied), StorageError::Backend(m) if m.contains("nope"))
        );
    }
}

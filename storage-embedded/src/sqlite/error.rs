//! SQLite's errors, normalised into [`StorageError`] on their way out: a busy or locked database
//! is `Unavailable` (worth retrying), a missing row `NotFound`, a full disk `Full`, anything else
//! `Backend`.

use gaillery_storage::StorageError;
use rusqlite::ErrorCode;

/// The error of work on a connection: already a [`StorageError`], so `?` works on SQLite's
/// errors and the storage layer's alike, and the trait methods return it unchanged.
#[derive(Debug)]
pub(super) struct SqlError(pub(super) StorageError);

impl From<rusqlite::Error> for SqlError {
    fn from(err: rusqlite::Error) -> SqlError {
        SqlError(match &err {
            rusqlite::Error::QueryReturnedNoRows => StorageError::NotFound,
            rusqlite::Error::SqliteFailure(failure, _)
                if matches!(
                    failure.code,
                    ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked
                ) =>
            {
                StorageError::Unavailable(err.to_string())
            }
            rusqlite::Error::SqliteFailure(failure, _) if failure.code == ErrorCode::DiskFull => {
                StorageError::Full(err.to_string())
            }
            _ => StorageError::Backend(err.to_string()),
        })
    }
}

impl From<StorageError> for SqlError {
    fn from(err: StorageError) -> SqlError {
        SqlError(err)
    }
}

impl From<serde_json::Error> for SqlError {
    fn from(err: serde_json::Error) -> SqlError {
        SqlError(err.into())
    }
}

impl From<SqlError> for StorageError {
    fn from(err: SqlError) -> StorageError {
        err.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn normalised(err: rusqlite::Error) -> StorageError {
        SqlError::from(err).into()
    }

    #[test]
    fn sqlite_errors_are_normalised() {
        let busy = rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_BUSY),
            None,
        );
        assert!(matches!(normalised(busy), StorageError::Unavailable(_)));
        let locked = rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_LOCKED),
            None,
        );
        assert!(matches!(normalised(locked), StorageError::Unavailable(_)));
        assert_eq!(
            normalised(rusqlite::Error::QueryReturnedNoRows),
            StorageError::NotFound
        );
        let corrupt = rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_CORRUPT),
            None,
        );
        assert!(matches!(normalised(corrupt), StorageError::Backend(_)));
        let full = rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_FULL),
            None,
        );
        assert!(matches!(normalised(full), StorageError::Full(_)));
    }
}

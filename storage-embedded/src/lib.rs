//! GAiLLERY's storage on one machine, the default: photos as files on a local disk
//! ([`FsBlobStore`]) and the catalog, with its job queue, in one SQLite file
//! ([`SqliteCatalog`]). Both implement the traits of `gaillery-storage` and pass its contract
//! suite; several server processes may share the directory and the file.

pub mod fs_blob;
mod fs_listing;
pub mod sqlite;

pub use fs_blob::FsBlobStore;
pub use sqlite::SqliteCatalog;

use gaillery_storage::StorageError;

/// Runs blocking I/O off the async runtime and flattens the two layers of errors.
async fn blocking<T, F>(work: F) -> Result<T, StorageError>
where
    F: FnOnce() -> Result<T, StorageError> + Send + 'static,
    T: Send + 'static,
{
    tokio::task::spawn_blocking(work).await?
}

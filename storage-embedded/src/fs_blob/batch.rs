//! Many objects at once (`BlobStore::put_many`), as safe as one `put_bytes` each but much
//! faster: every object is still written to a temp file and flushed before it is renamed into
//! place, but the flushes run side by side, and each directory that gains names is flushed
//! once for the batch instead of once per name.

use super::{create_parent, sync_dir, temp_file_in, FsBlobStore};
use crate::blocking;
use gaillery_storage::{NewBlob, StorageError};
use std::collections::BTreeSet;
use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;

/// Threads that write and flush at once. A flush mostly waits for the disk, so many run side
/// by side even on two cores; more threads measured no faster.
const FLUSHERS: usize = 16;

pub(super) async fn put_many(
    store: &FsBlobStore,
    objects: Vec<NewBlob>,
) -> Result<(), StorageError> {
    // Every key is checked before anything is written.
    let writes = objects
        .into_iter()
        .map(|object| Ok((store.path_of(&object.key)?, object.bytes)))
        .collect::<Result<Vec<_>, StorageError>>()?;
    if writes.is_empty() {
        return Ok(());
    }
    let temp = store.temp.clone();
    // Durable in temp files first, so that no object is ever visible half written.
    let written = in_parallel(writes, move |(destination, bytes)| {
        let mut file = temp_file_in(&temp)?;
        file.write_all(&bytes)?;
        file.as_file().sync_all()?;
        Ok((file.into_temp_path(), destination))
    })
    .await?;
    let parents = blocking(move || {
        let mut parents = BTreeSet::new();
        for (file, destination) in written {
            parents.insert(create_parent(&destination)?.to_owned());
            file.persist(&destination)
                .map_err(|err| StorageError::from(err.error))?;
        }
        Ok(parents)
    })
    .await?;
    // The new names, and the names of directories made for them, up to the root.
    let mut dirs = BTreeSet::new();
    for parent in parents {
        for dir in parent
            .ancestors()
            .take_while(|dir| dir.starts_with(&store.root))
        {
            if !dirs.insert(dir.to_owned()) {
                break;
            }
        }
    }
    in_parallel(dirs.into_iter().collect(), |dir: PathBuf| sync_dir(&dir)).await?;
    Ok(())
}

/// `work` on every item, spread over up to [`FLUSHERS`] blocking threads; the results in the
/// order of the items.
async fn in_parallel<T, R, F>(items: Vec<T>, work: F) -> Result<Vec<R>, StorageError>
where
    T: Send + 'static,
    R: Send + 'static,
    F: Fn(T) -> Result<R, StorageError> + Send + Sync + 'static,
{
    let work = Arc::new(work);
    let per_thread = items.len().div_ceil(FLUSHERS).max(1);
    let mut items = items.into_iter();
    let mut tasks = Vec::with_capacity(FLUSHERS);
    loop {
        let share: Vec<T> = items.by_ref().take(per_thread).collect();
        if share.is_empty() {
            break;
        }
        let work = Arc::clone(&work);
        tasks.push(blocking(move || {
            share.into_iter().map(|item| work(item)).collect()
        }));
    }
    let shares: Vec<Vec<R>> = futures::future::try_join_all(tasks).await?;
    Ok(shares.into_iter().flatten().collect())
}

//! Listing the file store: a walk of the directory tree on a blocking thread, streamed through
//! a bounded channel, so millions of files never sit in memory at once and the walk pauses
//! while the consumer is busy.

use futures::stream;
use gaillery_storage::{BlobKey, BlobListing, StorageError, StoredBlob};
use std::fs;
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;
use tokio::sync::mpsc;

/// How far the walk may run ahead of the consumer.
const AHEAD: usize = 256;

/// Every file under `root` (except the `skip` directory at its top) whose key starts with
/// `prefix`.
pub(crate) fn list(root: PathBuf, skip: &'static str, prefix: &str) -> BlobListing<'static> {
    let (sender, receiver) = mpsc::channel(AHEAD);
    let prefix = prefix.to_owned();
    tokio::task::spawn_blocking(move || {
        let walk = Walk {
            skip,
            prefix: &prefix,
            sender: &sender,
        };
        if let Err(error) = walk.directory(&root, "") {
            // The consumer may be gone already; then nobody needs the error either.
            let _ = sender.blocking_send(Err(error));
        }
    });
    Box::pin(stream::unfold(receiver, |mut receiver| async move {
        receiver.recv().await.map(|item| (item, receiver))
    }))
}

struct Walk<'a> {
    skip: &'static str,
    prefix: &'a str,
    sender: &'a mpsc::Sender<Result<StoredBlob, StorageError>>,
}

/// Whether the walk goes on: it ends when the consumer stops listening.
#[derive(PartialEq)]
enum Flow {
    Continue,
    Stop,
}

impl Walk<'_> {
    /// Walks `dir`, whose key prefix is `path` (`""` at the root, else ending in `/`).
    fn directory(&self, dir: &Path, path: &str) -> Result<Flow, StorageError> {
        let entries = match fs::read_dir(dir) {
            Ok(entries) => entries,
            // Removed meanwhile (a delete prunes empty folders): nothing to list there.
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                return Ok(Flow::Continue)
            }
            Err(error) => return Err(error.into()),
        };
        for entry in entries {
            let entry = entry?;
            let Some(name) = entry.file_name().to_str().map(str::to_owned) else {
                continue;
            };
            if path.is_empty() && name == self.skip {
                continue;
            }
            let key = format!("{path}{name}");
            let Ok(file_type) = entry.file_type() else {
                continue;
            };
            let flow = if file_type.is_dir() {
                let below = format!("{key}/");
                // Only where the prefix can still match, one way or the other.
                if below.starts_with(self.prefix) || self.prefix.starts_with(&below) {
                    self.directory(&entry.path(), &below)?
                } else {
                    Flow::Continue
                }
            } else if file_type.is_file() && key.starts_with(self.prefix) {
                self.send(&entry.path(), &key)
            } else {
                Flow::Continue
            };
            if flow == Flow::Stop {
                return Ok(Flow::Stop);
            }
        }
        Ok(Flow::Continue)
    }

    fn send(&self, file: &Path, key: &str) -> Flow {
        // A file whose name is no valid key (put there by hand) is not an object.
        let Ok(key) = BlobKey::new(key) else {
            return Flow::Continue;
        };
        let modified_ms = fs::metadata(file)
            .and_then(|metadata| metadata.modified())
            .ok()
            .and_then(|time| time.duration_since(UNIX_EPOCH).ok())
            .map_or(0, |age| i64::try_from(age.as_millis()).unwrap_or(i64::MAX));
        let blob = StoredBlob { key, modified_ms };
        match self.sender.blocking_send(Ok(blob)) {
            Ok(()) => Flow::Continue,
            Err(_) => Flow::Stop,
        }
    }
}

//! The in-memory adapters pass the contract suite every storage adapter passes, so tests built
//! on them exercise the same behaviour as the real ones.

use gaillery_storage::contract;
use gaillery_testkit::memory::{MemoryBlobStore, MemoryCatalog};

#[tokio::test]
async fn the_memory_catalog_keeps_the_catalog_contract() {
    contract::catalog_contract(&MemoryCatalog::new()).await;
}

#[tokio::test]
async fn the_memory_catalog_keeps_the_job_queue_contract() {
    contract::job_queue_contract(&MemoryCatalog::new()).await;
}

#[tokio::test]
async fn the_memory_catalog_keeps_the_event_log_contract() {
    contract::event_log_contract(&MemoryCatalog::new()).await;
}

#[tokio::test]
async fn the_memory_blob_store_keeps_the_blob_store_contract() {
    let scratch = tempfile::tempdir().expect("scratch directory");
    contract::blob_store_contract(&MemoryBlobStore::new(), scratch.path()).await;
}

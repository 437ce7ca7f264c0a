//! The in-memory adapters pass the contract suite every storage adapter passes, so tests built
//! on them exercise the same behaviour as the real ones: one test per check.

use gaillery_testkit::memory::{MemoryBlobStore, MemoryCatalog};

gaillery_storage::contract_tests!(catalog, listing, labels, timeline, jobs, events, accounts, albums => |check| {
    check(&MemoryCatalog::new()).await;
});

gaillery_storage::contract_tests!(blob => |check| {
    let scratch = tempfile::tempdir().expect("scratch directory");
    check(&MemoryBlobStore::new(), scratch.path()).await;
});

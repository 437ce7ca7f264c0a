//! The embedded backends (files on disk, SQLite) against the shared contract, plus what only
//! they promise: the catalog survives a restart, runs in WAL mode, and the blob store cleans up
//! its temp files.

use gaillery_core::{Label, OwnerId, PhotoId, PhotoStatus};
use gaillery_storage::{
    contract, Account, AccountCreated, AccountStore, BlobKey, BlobStore, Catalog, InsertOutcome,
    NewPhoto,
};
use gaillery_storage_embedded::{FsBlobStore, SqliteCatalog};
use std::path::Path;
use std::sync::Arc;

// One test per check: a store in a temporary directory of its own.
gaillery_storage::contract_tests!(blob => |check| {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = FsBlobStore::new(dir.path().join("blobs")).expect("store");
    let scratch = dir.path().join("scratch");
    std::fs::create_dir(&scratch).expect("scratch dir");
    check(&store, &scratch).await;
});

// One test per check: a catalog in a file of its own (the job and first-account checks want one
// to themselves).
gaillery_storage::contract_tests!(catalog, listing, labels, timeline, jobs, accounts, albums => |check| {
    let dir = tempfile::tempdir().expect("temp dir");
    let catalog = SqliteCatalog::open(&dir.path().join("catalog.sqlite")).expect("catalog");
    check(&catalog).await;
});

/// Every catalog check that tolerates other users of the catalog, one after the other.
async fn shared_catalog_checks(catalog: &SqliteCatalog) {
    contract::catalog::all_checks(catalog).await;
    contract::listing::all_checks(catalog).await;
    contract::labels::all_checks(catalog).await;
    contract::albums::all_checks(catalog).await;
}

fn new_photo(id: &str, owner: &OwnerId, sha256: &str, created_at_ms: i64) -> NewPhoto {
    NewPhoto {
        id: PhotoId::parse(id).expect("valid id"),
        owner: owner.clone(),
        filename: format!("{id}.jpg"),
        width: 3000,
        height: 2000,
        taken_at: None,
        format: "jpeg".into(),
        size_bytes: 1_234_567,
        sha256: sha256.into(),
        placeholder: "3OcRJYB4d3h/iIeHeEh3eIhw+j2w".into(),
        status: PhotoStatus::Queued,
        created_at_ms,
    }
}

fn files_in(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .expect("readable dir")
        .map(|entry| {
            entry
                .expect("entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn uploads_streamed_into_the_temp_dir_are_moved_not_copied() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = FsBlobStore::new(dir.path().join("blobs")).expect("store");
    let upload = store.temp_dir().join("upload-1");
    std::fs::write(&upload, b"original bytes").expect("write upload");
    let inode_before = inode(&upload);

    let key = BlobKey::new("photos/abc/original").expect("key");
    store
        .put_file(&key, &upload, "image/jpeg")
        .await
        .expect("put_file");
    let stored = store.root().join("photos/abc/original");
    assert_eq!(
        std::fs::read(&stored).expect("stored file"),
        b"original bytes"
    );
    assert_eq!(
        inode(&stored),
        inode_before,
        "a same-filesystem put_file is a rename"
    );
}

#[cfg(unix)]
fn inode(path: &Path) -> u64 {
    std::os::unix::fs::MetadataExt::ino(&std::fs::metadata(path).expect("metadata"))
}

#[cfg(not(unix))]
fn inode(_path: &Path) -> u64 {
    0
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn blob_puts_leave_no_temp_files() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = FsBlobStore::new(dir.path().join("blobs")).expect("store");
    let scratch = dir.path().join("scratch");
    std::fs::create_dir(&scratch).expect("scratch dir");
    contract::blob::all_checks(&store, &scratch).await;
    for i in 0..20 {
        let key = BlobKey::new(&format!("photos/p{i}/thumbnail")).expect("key");
        store
            .put_bytes(&key, vec![i as u8; 1000].into(), "image/webp")
            .await
            .expect("put");
    }
    // A put that fails halfway (its destination is taken by a directory) must clean up too.
    let blocked = BlobKey::new("photos/p0").expect("key");
    assert!(store
        .put_bytes(&blocked, "x".into(), "text/plain")
        .await
        .is_err());

    assert_eq!(
        files_in(store.temp_dir()),
        Vec::<String>::new(),
        "temp files left behind"
    );
    assert_eq!(
        files_in(&scratch),
        Vec::<String>::new(),
        "put_file sources left behind"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_processes_sharing_the_file_never_claim_one_job_twice() {
    // Two catalogs on one file stand for two servers: SQLite's file lock is what separates them.
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("catalog.sqlite");
    let first = SqliteCatalog::open(&path).expect("catalog");
    let second = SqliteCatalog::open(&path).expect("catalog");
    let owner = OwnerId::local();
    let mut ids = Vec::new();
    for i in 0..40 {
        let photo = new_photo(&format!("job{i}"), &owner, &format!("{i:064}"), 1_000 + i);
        ids.push(photo.id.clone());
        first.insert_photo(photo).await.expect("insert");
        first
            .enqueue_job(&owner, ids.last().expect("id"), "m", 1_000)
            .await
            .expect("enqueue");
    }
    let (mut a, mut b) = (Vec::new(), Vec::new());
    for round in 0..20 {
        let (x, y) = tokio::join!(
            first.claim_jobs("one/0", 3, 60_000, 2_000 + round),
            second.claim_jobs("two/0", 3, 60_000, 2_000 + round)
        );
        a.extend(x.expect("claim"));
        b.extend(y.expect("claim"));
    }
    let mut all: Vec<_> = a.iter().chain(&b).map(|job| job.photo_id.clone()).collect();
    all.sort();
    ids.sort();
    assert_eq!(all, ids, "each job claimed once, none lost");
    assert!(!a.is_empty() && !b.is_empty(), "both servers got work");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_contract_can_run_twice_on_one_database() {
    // As it will on a shared DynamoDB table: runs must not see each other's data.
    let dir = tempfile::tempdir().expect("temp dir");
    let catalog = SqliteCatalog::open(&dir.path().join("catalog.sqlite")).expect("catalog");
    shared_catalog_checks(&catalog).await;
    shared_catalog_checks(&catalog).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn catalog_survives_a_restart() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("catalog.sqlite");
    let owner = OwnerId::local();
    let labels = vec![Label {
        label: "golden retriever".into(),
        probability: 0.87,
    }];
    let before = {
        let catalog = SqliteCatalog::open(&path).expect("open");
        let photo = new_photo("p1", &owner, "aa", 1_000);
        catalog.insert_photo(photo.clone()).await.expect("insert");
        catalog
            .insert_photo(new_photo("p2", &owner, "bb", 2_000))
            .await
            .expect("insert");
        catalog
            .set_labels(&owner, &photo.id, labels.clone())
            .await
            .expect("labels");
        catalog
            .set_status(&owner, &photo.id, PhotoStatus::Done, None)
            .await
            .expect("status");
        catalog.list_photos(&owner, None, 60).await.expect("list")
    };

    let catalog = SqliteCatalog::open(&path).expect("reopen");
    let after = catalog.list_photos(&owner, None, 60).await.expect("list");
    assert_eq!(after, before, "the reopened catalog lists the same photos");
    assert_eq!(after.photos[1].labels, labels);
    assert_eq!(after.photos[1].status, PhotoStatus::Done);
    // The uniqueness constraint survives too.
    let again = catalog
        .insert_photo(new_photo("p3", &owner, "aa", 3_000))
        .await
        .expect("insert");
    assert!(
        matches!(again, InsertOutcome::Duplicate(ref p) if p.id.as_str() == "p1"),
        "{again:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn catalog_runs_in_wal_mode() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("catalog.sqlite");
    let catalog = SqliteCatalog::open(&path).expect("open");
    catalog
        .insert_photo(new_photo("p1", &OwnerId::local(), "aa", 1))
        .await
        .expect("insert");
    // The journal mode is stored in the file, so a fresh connection reports it.
    let conn = rusqlite::Connection::open(&path).expect("raw connection");
    let mode: String = conn
        .query_row("PRAGMA journal_mode", [], |row| row.get(0))
        .expect("pragma");
    assert_eq!(mode, "wal");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_processes_inserting_the_same_file_create_it_once() {
    // Two catalogs on one file stand in for two server processes: their writer mutexes are
    // separate, so only SQLite's own locking keeps the insert race-free.
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("catalog.sqlite");
    let first = Arc::new(SqliteCatalog::open(&path).expect("open"));
    let second = Arc::new(SqliteCatalog::open(&path).expect("open again"));
    let owner = OwnerId::local();
    let mut tasks = Vec::new();
    for i in 0..16 {
        let catalog = if i % 2 == 0 {
            Arc::clone(&first)
        } else {
            Arc::clone(&second)
        };
        let photo = new_photo(&format!("race{i}"), &owner, "same-bytes", 1_000 + i);
        tasks.push(tokio::spawn(
            async move { catalog.insert_photo(photo).await },
        ));
    }
    let mut created = 0;
    for task in tasks {
        if task.await.expect("task").expect("insert").is_created() {
            created += 1;
        }
    }
    assert_eq!(created, 1, "exactly one insert wins");
    assert_eq!(
        first.photo_totals(&owner).await.map(|totals| totals.photos),
        Ok(1)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_processes_setting_up_at_once_create_one_first_account() {
    // Two catalogs on one file stand for two servers on their first run: only SQLite's write
    // lock keeps the "no account yet" check and the insert together.
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("catalog.sqlite");
    let first = Arc::new(SqliteCatalog::open(&path).expect("open"));
    let second = Arc::new(SqliteCatalog::open(&path).expect("open again"));
    let mut tasks = Vec::new();
    for i in 0..8 {
        let catalog = Arc::clone(if i % 2 == 0 { &first } else { &second });
        let account = Account {
            id: OwnerId(format!("admin-{i}")),
            username: format!("admin{i}"),
            password_hash: "hash".into(),
            admin: true,
            created_at_ms: 1_000,
        };
        tasks.push(tokio::spawn(async move {
            catalog.create_account(account, true).await
        }));
    }
    let mut created = 0;
    for task in tasks {
        if task.await.expect("task").expect("create") == AccountCreated::Created {
            created += 1;
        }
    }
    assert_eq!(created, 1, "exactly one first account");
    assert_eq!(second.count_accounts().await, Ok(1));
}

//! The behaviour every adapter must show, written once against the traits so it runs unchanged
//! on each of them: the embedded ones in this crate's tests, S3 and DynamoDB in theirs.
//!
//! Each check uses keys and owners of its own, unique to the run, and removes what it made, so
//! the suite can run against a shared bucket or table. A failing check panics with its name.

use crate::blob::{BlobKey, BlobStore};
use crate::catalog::{Catalog, InsertOutcome, NewPhoto};
use crate::jobs::{Job, JobOutcome};
use crate::StorageError;
use bytes::Bytes;
use gaillery_core::api::{PhotoPage, MAX_PAGE_SIZE};
use gaillery_core::{Label, OwnerId, Photo, PhotoId, PhotoStatus};
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};
use tokio::io::AsyncReadExt;

/// Runs every blob store check. `scratch` is a writable directory for the source files of
/// `put_file`; ideally on the filesystem the uploads will come from.
pub async fn blob_store_contract(store: &dyn BlobStore, scratch: &Path) {
    let run = Run::new();
    put_then_read_round_trips(store, &run).await;
    empty_objects_round_trip(store, &run).await;
    put_overwrites(store, &run).await;
    missing_keys_are_not_found(store, &run).await;
    delete_is_idempotent(store, &run).await;
    neighbouring_keys_are_independent(store, &run).await;
    invalid_keys_are_rejected();
    put_file_consumes_its_source(store, scratch, &run).await;
    put_file_of_a_missing_source_is_not_found(store, scratch, &run).await;
    large_objects_stream_whole(store, scratch, &run).await;
}

/// Runs every catalog check.
pub async fn catalog_contract(catalog: &dyn Catalog) {
    let run = Run::new();
    insert_then_get(catalog, &run).await;
    created_at_is_rfc3339_utc_with_millis(catalog, &run).await;
    missing_photos_are_none(catalog, &run).await;
    duplicate_hash_returns_the_first_photo(catalog, &run).await;
    same_hash_for_another_owner_is_allowed(catalog, &run).await;
    owners_are_isolated(catalog, &run).await;
    empty_listing_has_no_next_page(catalog, &run).await;
    listing_is_newest_first_with_ties_broken_by_id(catalog, &run).await;
    pagination_visits_every_photo_exactly_once(catalog, &run).await;
    pages_stay_stable_when_newer_photos_arrive(catalog, &run).await;
    limit_is_clamped(catalog, &run).await;
    malformed_cursors_are_invalid(catalog, &run).await;
    delete_removes_one_photo(catalog, &run).await;
    delete_all_returns_the_removed_ids(catalog, &run).await;
    count_follows_inserts_and_deletes(catalog, &run).await;
    status_round_trips(catalog, &run).await;
    labels_round_trip_in_the_order_given(catalog, &run).await;
    non_finite_probabilities_are_refused(catalog, &run).await;
    concurrent_duplicate_inserts_create_exactly_one(catalog, &run).await;
    tags_filter_and_count(catalog, &run).await;
}

/// Runs every job-queue check. Jobs are claimed across owners, so this wants a catalog that no
/// other job queue is using at the same time.
pub async fn job_queue_contract(catalog: &dyn Catalog) {
    let run = Run::new();
    jobs_go_to_one_claimer_and_only_the_holder_finishes(catalog, &run).await;
    expired_leases_are_claimed_again(catalog, &run).await;
    retries_wait_for_their_time_and_failures_end_the_job(catalog, &run).await;
    a_restarted_instance_gets_its_jobs_back_at_once(catalog, &run).await;
}

/// Names unique to one run of the suite, so runs never meet in a shared backend.
struct Run {
    tag: String,
    counter: AtomicU64,
}

impl Run {
    fn new() -> Run {
        static RUNS: AtomicU64 = AtomicU64::new(0);
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let salt =
            u128::from(std::process::id()) << 64 | u128::from(RUNS.fetch_add(1, Ordering::Relaxed));
        Run {
            tag: base36(nanos ^ salt.rotate_left(17)),
            counter: AtomicU64::new(0),
        }
    }

    fn next(&self) -> u64 {
        self.counter.fetch_add(1, Ordering::Relaxed)
    }

    fn key(&self, check: &str, name: &str) -> BlobKey {
        let raw = format!("contract/{}/{check}/{name}", self.tag);
        BlobKey::new(&raw).unwrap_or_else(|e| panic!("contract key {raw:?}: {e}"))
    }

    fn owner(&self, check: &str) -> OwnerId {
        OwnerId(format!("contract-{}-{check}-{}", self.tag, self.next()))
    }

    /// Ids in creation order sort ascending, like the server's.
    fn photo_id(&self) -> PhotoId {
        let raw = format!("c{}{:08}", self.tag, self.next());
        PhotoId::parse(&raw).unwrap_or_else(|| panic!("contract id {raw:?} must be valid"))
    }

    fn sha256(&self) -> String {
        format!("{:0>48}{:016x}", self.tag, self.next())
    }

    fn new_photo(&self, owner: &OwnerId, created_at_ms: i64) -> NewPhoto {
        let n = self.next();
        NewPhoto {
            id: self.photo_id(),
            owner: owner.clone(),
            filename: format!("IMG_{n:04} été 📷.jpg"),
            width: 4032,
            height: 3024,
            taken_at: n
                .is_multiple_of(2)
                .then(|| "2026-08-14T18:30:00".to_owned()),
            format: "jpeg".to_owned(),
            size_bytes: 3_000_000 + n,
            sha256: self.sha256(),
            placeholder: "1QcSHQRnh493V4dIh4eXh1h4kJUI".to_owned(),
            status: PhotoStatus::Queued,
            created_at_ms,
        }
    }
}

fn base36(mut value: u128) -> String {
    let mut digits = Vec::new();
    loop {
        digits.push(b"0123456789abcdefghijklmnopqrstuvwxyz"[(value % 36) as usize]);
        value /= 36;
        if value == 0 {
            break;
        }
    }
    digits.reverse();
    String::from_utf8_lossy(&digits).into_owned()
}

const T0: i64 = 1_795_705_445_123; // 2026-11-26T15:04:05.123Z

// ---------------------------------------------------------------------------------------------
// Blob store checks

async fn put_then_read_round_trips(store: &dyn BlobStore, run: &Run) {
    const CHECK: &str = "put_then_read_round_trips";
    let key = run.key("round-trip", "thumbnail.webp");
    let content = Bytes::from((0..=255u8).cycle().take(10_000).collect::<Vec<_>>());
    store
        .put_bytes(&key, content.clone(), "image/webp")
        .await
        .unwrap_or_else(|e| panic!("{CHECK}: put_bytes failed: {e}"));
    assert!(
        store.exists(&key).await.expect("exists"),
        "{CHECK}: exists after put"
    );
    let read = store
        .read_all(&key)
        .await
        .unwrap_or_else(|e| panic!("{CHECK}: read_all failed: {e}"));
    assert_eq!(read, content, "{CHECK}: read_all returns the bytes put");
    let mut blob = store
        .open(&key)
        .await
        .unwrap_or_else(|e| panic!("{CHECK}: open failed: {e}"));
    assert_eq!(
        blob.len,
        content.len() as u64,
        "{CHECK}: open reports the length"
    );
    let mut streamed = Vec::new();
    blob.reader
        .read_to_end(&mut streamed)
        .await
        .expect("stream");
    assert_eq!(
        streamed, content,
        "{CHECK}: the reader yields the bytes put"
    );
    cleanup(store, &[key]).await;
}

async fn empty_objects_round_trip(store: &dyn BlobStore, run: &Run) {
    const CHECK: &str = "empty_objects_round_trip";
    let key = run.key("empty", "object");
    store
        .put_bytes(&key, Bytes::new(), "application/octet-stream")
        .await
        .expect("put");
    assert!(
        store.exists(&key).await.expect("exists"),
        "{CHECK}: an empty object exists"
    );
    assert_eq!(
        store.open(&key).await.expect("open").len,
        0,
        "{CHECK}: length 0"
    );
    assert!(
        store.read_all(&key).await.expect("read").is_empty(),
        "{CHECK}: no bytes"
    );
    cleanup(store, &[key]).await;
}

async fn put_overwrites(store: &dyn BlobStore, run: &Run) {
    const CHECK: &str = "put_overwrites";
    let key = run.key("overwrite", "preview");
    store
        .put_bytes(
            &key,
            Bytes::from_static(b"a much longer first version"),
            "text/plain",
        )
        .await
        .expect("put");
    store
        .put_bytes(&key, Bytes::from_static(b"second"), "text/plain")
        .await
        .expect("put again");
    let read = store.read_all(&key).await.expect("read");
    assert_eq!(
        read,
        Bytes::from_static(b"second"),
        "{CHECK}: the second put replaces the first entirely"
    );
    cleanup(store, &[key]).await;
}

async fn missing_keys_are_not_found(store: &dyn BlobStore, run: &Run) {
    const CHECK: &str = "missing_keys_are_not_found";
    let key = run.key("missing", "never-put");
    assert!(
        !store.exists(&key).await.expect("exists"),
        "{CHECK}: exists is false"
    );
    let opened = store.open(&key).await.map(|blob| blob.len);
    assert_eq!(opened, Err(StorageError::NotFound), "{CHECK}: open");
    assert_eq!(
        store.read_all(&key).await,
        Err(StorageError::NotFound),
        "{CHECK}: read_all"
    );
}

async fn delete_is_idempotent(store: &dyn BlobStore, run: &Run) {
    const CHECK: &str = "delete_is_idempotent";
    let key = run.key("delete", "original");
    store
        .put_bytes(&key, Bytes::from_static(b"bytes"), "image/jpeg")
        .await
        .expect("put");
    store
        .delete(&key)
        .await
        .unwrap_or_else(|e| panic!("{CHECK}: delete failed: {e}"));
    assert!(
        !store.exists(&key).await.expect("exists"),
        "{CHECK}: gone after delete"
    );
    assert_eq!(
        store.read_all(&key).await,
        Err(StorageError::NotFound),
        "{CHECK}: unreadable after delete"
    );
    assert_eq!(
        store.delete(&key).await,
        Ok(()),
        "{CHECK}: deleting again is Ok"
    );
    let never = run.key("delete", "never-put");
    assert_eq!(
        store.delete(&never).await,
        Ok(()),
        "{CHECK}: deleting a key never put is Ok"
    );
}

async fn neighbouring_keys_are_independent(store: &dyn BlobStore, run: &Run) {
    const CHECK: &str = "neighbouring_keys_are_independent";
    let keys = [
        run.key("neighbours", "photo/original"),
        run.key("neighbours", "photo/thumbnail"),
        run.key("neighbours", "photo/thumbnail-2x"),
        run.key("neighbours", "other/original"),
    ];
    for key in &keys {
        store
            .put_bytes(key, Bytes::from(key.as_str().to_owned()), "text/plain")
            .await
            .expect("put");
    }
    store.delete(&keys[1]).await.expect("delete");
    assert!(
        !store.exists(&keys[1]).await.expect("exists"),
        "{CHECK}: the deleted key is gone"
    );
    for key in [&keys[0], &keys[2], &keys[3]] {
        let read = store
            .read_all(key)
            .await
            .unwrap_or_else(|e| panic!("{CHECK}: {key} unreadable: {e}"));
        assert_eq!(
            read,
            key.as_str().as_bytes(),
            "{CHECK}: {key} keeps its own bytes"
        );
    }
    cleanup(store, &keys).await;
}

fn invalid_keys_are_rejected() {
    const CHECK: &str = "invalid_keys_are_rejected";
    let too_long = "a".repeat(513);
    for bad in [
        "",
        "/a",
        "a/",
        "a//b",
        "..",
        "a/../b",
        "./a",
        "A/b",
        "a b",
        "a\\b",
        too_long.as_str(),
    ] {
        assert!(
            matches!(BlobKey::new(bad), Err(StorageError::InvalidKey(_))),
            "{CHECK}: {bad:?} must be refused"
        );
    }
}

async fn put_file_consumes_its_source(store: &dyn BlobStore, scratch: &Path, run: &Run) {
    const CHECK: &str = "put_file_consumes_its_source";
    let key = run.key("put-file", "original");
    let content = b"\xff\xd8\xff\xe0 pretend this is a JPEG".repeat(100);
    let source = scratch_file(scratch, run, &content);
    store
        .put_file(&key, &source, "image/jpeg")
        .await
        .unwrap_or_else(|e| panic!("{CHECK}: put_file failed: {e}"));
    assert!(
        !source.exists(),
        "{CHECK}: the source file is gone once put_file returns"
    );
    assert_eq!(
        store.read_all(&key).await.expect("read"),
        content,
        "{CHECK}: the object has the file's bytes"
    );
    // Overwriting through put_file works like put_bytes.
    let replacement = scratch_file(scratch, run, b"replacement");
    store
        .put_file(&key, &replacement, "image/jpeg")
        .await
        .expect("put_file again");
    assert_eq!(
        store.read_all(&key).await.expect("read"),
        &b"replacement"[..],
        "{CHECK}: overwrite"
    );
    assert!(
        !replacement.exists(),
        "{CHECK}: the second source is gone too"
    );
    cleanup(store, &[key]).await;
}

async fn put_file_of_a_missing_source_is_not_found(
    store: &dyn BlobStore,
    scratch: &Path,
    run: &Run,
) {
    const CHECK: &str = "put_file_of_a_missing_source_is_not_found";
    let key = run.key("put-file", "missing-source");
    let source = scratch.join(format!("contract-{}-{}-missing", run.tag, run.next()));
    let put = store.put_file(&key, &source, "image/jpeg").await;
    assert_eq!(put, Err(StorageError::NotFound), "{CHECK}");
    assert!(
        !store.exists(&key).await.expect("exists"),
        "{CHECK}: nothing was stored"
    );
}

async fn large_objects_stream_whole(store: &dyn BlobStore, scratch: &Path, run: &Run) {
    const CHECK: &str = "large_objects_stream_whole";
    // Larger than any single read buffer, and not a multiple of a power of two.
    let content: Vec<u8> = (0..5 * 1024 * 1024 + 7)
        .map(|i: u32| (i.wrapping_mul(2_654_435_761) >> 24) as u8)
        .collect();
    let key = run.key("large", "original");
    store
        .put_file(&key, &scratch_file(scratch, run, &content), "image/jpeg")
        .await
        .expect("put_file");
    let mut blob = store.open(&key).await.expect("open");
    assert_eq!(blob.len, content.len() as u64, "{CHECK}: length");
    let mut streamed = Vec::new();
    blob.reader
        .read_to_end(&mut streamed)
        .await
        .expect("stream");
    assert!(
        streamed == content,
        "{CHECK}: streamed bytes differ from the file put ({} bytes read)",
        streamed.len()
    );
    cleanup(store, &[key]).await;
}

fn scratch_file(scratch: &Path, run: &Run, content: &[u8]) -> PathBuf {
    let path = scratch.join(format!("contract-{}-{}", run.tag, run.next()));
    std::fs::write(&path, content)
        .unwrap_or_else(|e| panic!("cannot write scratch file {}: {e}", path.display()));
    path
}

async fn cleanup(store: &dyn BlobStore, keys: &[BlobKey]) {
    for key in keys {
        store
            .delete(key)
            .await
            .unwrap_or_else(|e| panic!("cleanup: delete {key}: {e}"));
    }
}

// ---------------------------------------------------------------------------------------------
// Catalog checks

async fn insert_then_get(catalog: &dyn Catalog, run: &Run) {
    const CHECK: &str = "insert_then_get";
    let owner = run.owner("insert");
    let new = run.new_photo(&owner, T0);
    let created = match catalog.insert_photo(new.clone()).await {
        Ok(InsertOutcome::Created(photo)) => photo,
        other => panic!("{CHECK}: first insert must be Created, got {other:?}"),
    };
    assert_eq!(
        created,
        new.to_photo(),
        "{CHECK}: Created carries the photo as inserted"
    );
    let fetched = catalog.photo(&owner, &new.id).await.expect("photo");
    assert_eq!(
        fetched.as_ref(),
        Some(&created),
        "{CHECK}: photo() returns every field as inserted"
    );
    let by_hash = catalog
        .photo_by_hash(&owner, &new.sha256)
        .await
        .expect("photo_by_hash");
    assert_eq!(
        by_hash.as_ref(),
        Some(&created),
        "{CHECK}: photo_by_hash finds it"
    );
    clear(catalog, &owner).await;
}

async fn created_at_is_rfc3339_utc_with_millis(catalog: &dyn Catalog, run: &Run) {
    const CHECK: &str = "created_at_is_rfc3339_utc_with_millis";
    let owner = run.owner("created-at");
    for (millis, expected) in [
        (T0, "2026-11-26T15:04:05.123Z"),
        (951_782_400_000, "2000-02-29T00:00:00.000Z"),
        (0, "1970-01-01T00:00:00.000Z"),
    ] {
        let new = run.new_photo(&owner, millis);
        let inserted = catalog.insert_photo(new.clone()).await.expect("insert");
        assert_eq!(
            inserted.photo().created_at,
            expected,
            "{CHECK}: insert result for {millis}"
        );
        let fetched = catalog
            .photo(&owner, &new.id)
            .await
            .expect("photo")
            .expect("present");
        assert_eq!(
            fetched.created_at, expected,
            "{CHECK}: stored value for {millis}"
        );
    }
    clear(catalog, &owner).await;
}

async fn missing_photos_are_none(catalog: &dyn Catalog, run: &Run) {
    const CHECK: &str = "missing_photos_are_none";
    let owner = run.owner("missing");
    let id = run.photo_id();
    assert_eq!(catalog.photo(&owner, &id).await, Ok(None), "{CHECK}: photo");
    assert_eq!(
        catalog.photo_by_hash(&owner, &run.sha256()).await,
        Ok(None),
        "{CHECK}: photo_by_hash"
    );
    assert_eq!(
        catalog.delete_photo(&owner, &id).await,
        Ok(false),
        "{CHECK}: delete_photo"
    );
    let status = catalog
        .set_status(&owner, &id, PhotoStatus::Done, None)
        .await;
    assert_eq!(status, Ok(false), "{CHECK}: set_status");
    assert_eq!(
        catalog.set_labels(&owner, &id, labels(&["cat"])).await,
        Ok(false),
        "{CHECK}: set_labels"
    );
    assert_eq!(
        catalog.delete_all_photos(&owner).await,
        Ok(vec![]),
        "{CHECK}: delete_all_photos"
    );
    assert_eq!(
        catalog.count_photos(&owner).await,
        Ok(0),
        "{CHECK}: count_photos"
    );
}

async fn duplicate_hash_returns_the_first_photo(catalog: &dyn Catalog, run: &Run) {
    const CHECK: &str = "duplicate_hash_returns_the_first_photo";
    let owner = run.owner("duplicate");
    let first = run.new_photo(&owner, T0);
    catalog.insert_photo(first.clone()).await.expect("insert");
    // Same bytes uploaded again later, under another name and a fresh id.
    let again = NewPhoto {
        sha256: first.sha256.clone(),
        filename: "copy.jpg".to_owned(),
        created_at_ms: T0 + 60_000,
        ..run.new_photo(&owner, T0)
    };
    match catalog.insert_photo(again.clone()).await {
        Ok(InsertOutcome::Duplicate(existing)) => {
            assert_eq!(
                existing,
                first.to_photo(),
                "{CHECK}: Duplicate carries the first photo"
            )
        }
        other => panic!("{CHECK}: second insert of the hash must be Duplicate, got {other:?}"),
    }
    assert_eq!(
        catalog.photo(&owner, &again.id).await,
        Ok(None),
        "{CHECK}: the duplicate was not inserted"
    );
    assert_eq!(
        catalog.count_photos(&owner).await,
        Ok(1),
        "{CHECK}: still one photo"
    );
    clear(catalog, &owner).await;
}

async fn same_hash_for_another_owner_is_allowed(catalog: &dyn Catalog, run: &Run) {
    const CHECK: &str = "same_hash_for_another_owner_is_allowed";
    let (alice, bob) = (run.owner("hash-alice"), run.owner("hash-bob"));
    let for_alice = run.new_photo(&alice, T0);
    let for_bob = NewPhoto {
        sha256: for_alice.sha256.clone(),
        ..run.new_photo(&bob, T0)
    };
    assert!(
        catalog
            .insert_photo(for_alice.clone())
            .await
            .expect("insert")
            .is_created(),
        "{CHECK}: alice's"
    );
    let outcome = catalog.insert_photo(for_bob.clone()).await.expect("insert");
    assert!(
        outcome.is_created(),
        "{CHECK}: bob's copy is his own photo, got {outcome:?}"
    );
    let bobs = catalog
        .photo_by_hash(&bob, &for_bob.sha256)
        .await
        .expect("by hash")
        .map(|p| p.id);
    assert_eq!(
        bobs,
        Some(for_bob.id.clone()),
        "{CHECK}: bob's hash look-up finds his photo"
    );
    let alices = catalog
        .photo_by_hash(&alice, &for_alice.sha256)
        .await
        .expect("by hash")
        .map(|p| p.id);
    assert_eq!(
        alices,
        Some(for_alice.id.clone()),
        "{CHECK}: alice's hash look-up finds hers"
    );
    clear(catalog, &alice).await;
    clear(catalog, &bob).await;
}

async fn owners_are_isolated(catalog: &dyn Catalog, run: &Run) {
    const CHECK: &str = "owners_are_isolated";
    let (alice, mallory) = (run.owner("isolated-alice"), run.owner("isolated-mallory"));
    let photo = run.new_photo(&alice, T0);
    catalog.insert_photo(photo.clone()).await.expect("insert");
    catalog
        .insert_photo(run.new_photo(&mallory, T0 + 1))
        .await
        .expect("insert");

    assert_eq!(
        catalog.photo(&mallory, &photo.id).await,
        Ok(None),
        "{CHECK}: photo()"
    );
    assert_eq!(
        catalog.photo_by_hash(&mallory, &photo.sha256).await,
        Ok(None),
        "{CHECK}: photo_by_hash()"
    );
    let listed = all_pages(catalog, &mallory, 50).await;
    assert!(
        !listed.iter().any(|p| p.id == photo.id),
        "{CHECK}: list_photos() shows only the owner's photos"
    );
    assert_eq!(
        catalog.count_photos(&mallory).await,
        Ok(1),
        "{CHECK}: count_photos()"
    );
    assert_eq!(
        catalog.delete_photo(&mallory, &photo.id).await,
        Ok(false),
        "{CHECK}: delete_photo()"
    );
    let status = catalog
        .set_status(&mallory, &photo.id, PhotoStatus::Failed, Some("x".into()))
        .await;
    assert_eq!(status, Ok(false), "{CHECK}: set_status()");
    let labelled = catalog
        .set_labels(&mallory, &photo.id, labels(&["pwned"]))
        .await;
    assert_eq!(labelled, Ok(false), "{CHECK}: set_labels()");
    let removed = catalog
        .delete_all_photos(&mallory)
        .await
        .expect("delete_all");
    assert!(
        !removed.contains(&photo.id),
        "{CHECK}: delete_all_photos() removes only the owner's photos"
    );

    let untouched = catalog.photo(&alice, &photo.id).await.expect("photo");
    assert_eq!(
        untouched,
        Some(photo.to_photo()),
        "{CHECK}: alice's photo is untouched by all of the above"
    );
    clear(catalog, &alice).await;
}

async fn empty_listing_has_no_next_page(catalog: &dyn Catalog, run: &Run) {
    const CHECK: &str = "empty_listing_has_no_next_page";
    let owner = run.owner("empty");
    let page = catalog.list_photos(&owner, None, 60).await.expect("list");
    assert_eq!(
        page,
        PhotoPage {
            photos: vec![],
            next_cursor: None
        },
        "{CHECK}"
    );
}

async fn listing_is_newest_first_with_ties_broken_by_id(catalog: &dyn Catalog, run: &Run) {
    const CHECK: &str = "listing_is_newest_first_with_ties_broken_by_id";
    let owner = run.owner("order");
    // Inserted out of order, with three photos sharing one instant.
    let mut inserted = Vec::new();
    for offset in [5_000, 0, 9_000, 5_000, 1, 5_000, -3_000] {
        let new = run.new_photo(&owner, T0 + offset);
        catalog.insert_photo(new.clone()).await.expect("insert");
        inserted.push(new);
    }
    let page = catalog.list_photos(&owner, None, 60).await.expect("list");
    assert_eq!(
        page.next_cursor, None,
        "{CHECK}: everything fits on one page"
    );
    let listed: Vec<&PhotoId> = page.photos.iter().map(|p| &p.id).collect();
    assert_eq!(
        listed,
        expected_order(&inserted),
        "{CHECK}: created_at DESC, then id DESC"
    );
    clear(catalog, &owner).await;
}

async fn pagination_visits_every_photo_exactly_once(catalog: &dyn Catalog, run: &Run) {
    const CHECK: &str = "pagination_visits_every_photo_exactly_once";
    let owner = run.owner("pagination");
    let mut inserted = Vec::new();
    for i in 0..137 {
        // Runs of up to five photos share an instant, and runs straddle the page boundaries.
        let new = run.new_photo(&owner, T0 + (i / 5) * 1_000);
        catalog.insert_photo(new.clone()).await.expect("insert");
        inserted.push(new);
    }
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    let mut pages = 0;
    loop {
        let page = catalog
            .list_photos(&owner, cursor.as_deref(), 20)
            .await
            .expect("list");
        pages += 1;
        assert!(
            pages <= 7,
            "{CHECK}: 137 photos by 20 take 7 pages, the listing goes on"
        );
        let expected_len = if pages < 7 { 20 } else { 17 };
        assert_eq!(
            page.photos.len(),
            expected_len,
            "{CHECK}: length of page {pages}"
        );
        seen.extend(page.photos.into_iter().map(|p| p.id));
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    assert_eq!(pages, 7, "{CHECK}: no next_cursor before the last page");
    let unique: HashSet<&PhotoId> = seen.iter().collect();
    assert_eq!(
        unique.len(),
        seen.len(),
        "{CHECK}: no photo appears on two pages"
    );
    assert_eq!(
        seen.iter().collect::<Vec<_>>(),
        expected_order(&inserted),
        "{CHECK}: pages concatenate to the full order"
    );
    clear(catalog, &owner).await;
}

async fn pages_stay_stable_when_newer_photos_arrive(catalog: &dyn Catalog, run: &Run) {
    const CHECK: &str = "pages_stay_stable_when_newer_photos_arrive";
    let owner = run.owner("stable");
    let mut inserted = Vec::new();
    for i in 0..10 {
        let new = run.new_photo(&owner, T0 + i);
        catalog.insert_photo(new.clone()).await.expect("insert");
        inserted.push(new);
    }
    let first = catalog.list_photos(&owner, None, 4).await.expect("list");
    let cursor = first.next_cursor.clone().expect("a next page");
    // An upload lands between two page loads: the next page neither repeats nor skips a photo.
    catalog
        .insert_photo(run.new_photo(&owner, T0 + 1_000))
        .await
        .expect("insert");
    let second = catalog
        .list_photos(&owner, Some(&cursor), 4)
        .await
        .expect("list");
    let order = expected_order(&inserted);
    let ids: Vec<&PhotoId> = second.photos.iter().map(|p| &p.id).collect();
    assert_eq!(
        ids,
        order[4..8].to_vec(),
        "{CHECK}: the second page continues where the first ended"
    );
    clear(catalog, &owner).await;
}

async fn limit_is_clamped(catalog: &dyn Catalog, run: &Run) {
    const CHECK: &str = "limit_is_clamped";
    let owner = run.owner("clamp");
    let photos: Vec<NewPhoto> = (0..MAX_PAGE_SIZE as i64 + 1)
        .map(|i| run.new_photo(&owner, T0 + i))
        .collect();
    for photo in &photos {
        catalog.insert_photo(photo.clone()).await.expect("insert");
    }
    let zero = catalog.list_photos(&owner, None, 0).await.expect("list");
    assert_eq!(zero.photos.len(), 1, "{CHECK}: limit 0 gives one photo");
    assert!(zero.next_cursor.is_some(), "{CHECK}: limit 0 still pages");
    let huge = catalog
        .list_photos(&owner, None, usize::MAX)
        .await
        .expect("list");
    assert_eq!(
        huge.photos.len(),
        MAX_PAGE_SIZE,
        "{CHECK}: a huge limit gives MAX_PAGE_SIZE photos"
    );
    let rest = catalog
        .list_photos(&owner, huge.next_cursor.as_deref(), usize::MAX)
        .await
        .expect("list");
    assert_eq!(
        rest.photos.len(),
        1,
        "{CHECK}: the photo beyond MAX_PAGE_SIZE is on the next page"
    );
    assert_eq!(rest.next_cursor, None, "{CHECK}: and that is the last page");
    clear(catalog, &owner).await;
}

async fn malformed_cursors_are_invalid(catalog: &dyn Catalog, run: &Run) {
    const CHECK: &str = "malformed_cursors_are_invalid";
    let owner = run.owner("cursor");
    catalog
        .insert_photo(run.new_photo(&owner, T0))
        .await
        .expect("insert");
    // Nothing any adapter's encoding could produce.
    for bad in [
        "",
        " ",
        "not a cursor",
        "!!!",
        "\0",
        "../../etc/passwd",
        "%ZZ",
    ] {
        let listed = catalog.list_photos(&owner, Some(bad), 20).await;
        assert_eq!(
            listed,
            Err(StorageError::InvalidCursor),
            "{CHECK}: cursor {bad:?}"
        );
    }
    clear(catalog, &owner).await;
}

async fn delete_removes_one_photo(catalog: &dyn Catalog, run: &Run) {
    const CHECK: &str = "delete_removes_one_photo";
    let owner = run.owner("delete");
    let (keep, remove) = (run.new_photo(&owner, T0), run.new_photo(&owner, T0 + 1));
    catalog.insert_photo(keep.clone()).await.expect("insert");
    catalog.insert_photo(remove.clone()).await.expect("insert");
    assert_eq!(
        catalog.delete_photo(&owner, &remove.id).await,
        Ok(true),
        "{CHECK}: first delete"
    );
    assert_eq!(
        catalog.delete_photo(&owner, &remove.id).await,
        Ok(false),
        "{CHECK}: second delete"
    );
    assert_eq!(
        catalog.photo(&owner, &remove.id).await,
        Ok(None),
        "{CHECK}: gone"
    );
    assert_eq!(
        catalog.photo_by_hash(&owner, &remove.sha256).await,
        Ok(None),
        "{CHECK}: gone by hash"
    );
    assert!(
        catalog
            .photo(&owner, &keep.id)
            .await
            .expect("photo")
            .is_some(),
        "{CHECK}: the other stays"
    );
    // With the photo gone, the same bytes may be uploaded again.
    let again = NewPhoto {
        id: run.photo_id(),
        ..remove
    };
    assert!(
        catalog
            .insert_photo(again)
            .await
            .expect("insert")
            .is_created(),
        "{CHECK}: re-upload after delete"
    );
    clear(catalog, &owner).await;
}

async fn delete_all_returns_the_removed_ids(catalog: &dyn Catalog, run: &Run) {
    const CHECK: &str = "delete_all_returns_the_removed_ids";
    let owner = run.owner("delete-all");
    let mut ids = Vec::new();
    for i in 0..25 {
        let new = run.new_photo(&owner, T0 + i);
        ids.push(new.id.clone());
        catalog.insert_photo(new).await.expect("insert");
    }
    let mut removed = catalog.delete_all_photos(&owner).await.expect("delete_all");
    removed.sort();
    assert_eq!(removed, ids, "{CHECK}: every id, each once");
    assert_eq!(
        catalog.count_photos(&owner).await,
        Ok(0),
        "{CHECK}: none left"
    );
    assert_eq!(
        catalog.delete_all_photos(&owner).await,
        Ok(vec![]),
        "{CHECK}: again removes nothing"
    );
}

async fn count_follows_inserts_and_deletes(catalog: &dyn Catalog, run: &Run) {
    const CHECK: &str = "count_follows_inserts_and_deletes";
    let owner = run.owner("count");
    let mut ids = Vec::new();
    for i in 0..7 {
        let new = run.new_photo(&owner, T0 + i);
        ids.push(new.id.clone());
        catalog.insert_photo(new).await.expect("insert");
    }
    assert_eq!(
        catalog.count_photos(&owner).await,
        Ok(7),
        "{CHECK}: after inserts"
    );
    catalog.delete_photo(&owner, &ids[3]).await.expect("delete");
    assert_eq!(
        catalog.count_photos(&owner).await,
        Ok(6),
        "{CHECK}: after a delete"
    );
    clear(catalog, &owner).await;
}

async fn status_round_trips(catalog: &dyn Catalog, run: &Run) {
    const CHECK: &str = "status_round_trips";
    let owner = run.owner("status");
    let new = run.new_photo(&owner, T0);
    catalog.insert_photo(new.clone()).await.expect("insert");
    for status in PhotoStatus::ALL {
        let reason = (status == PhotoStatus::Failed).then(|| "decoder: truncated JPEG".to_owned());
        let set = catalog
            .set_status(&owner, &new.id, status, reason.clone())
            .await;
        assert_eq!(set, Ok(true), "{CHECK}: set {status:?}");
        let photo = catalog
            .photo(&owner, &new.id)
            .await
            .expect("photo")
            .expect("present");
        assert_eq!(
            (photo.status, photo.status_reason),
            (status, reason),
            "{CHECK}: read back {status:?}"
        );
    }
    // The reason of a failure is cleared when the photo is retried.
    catalog
        .set_status(&owner, &new.id, PhotoStatus::Queued, None)
        .await
        .expect("set");
    let listed = catalog.list_photos(&owner, None, 10).await.expect("list");
    assert_eq!(
        listed.photos[0].status,
        PhotoStatus::Queued,
        "{CHECK}: listing shows the status"
    );
    assert_eq!(
        listed.photos[0].status_reason, None,
        "{CHECK}: reason cleared"
    );
    clear(catalog, &owner).await;
}

async fn labels_round_trip_in_the_order_given(catalog: &dyn Catalog, run: &Run) {
    const CHECK: &str = "labels_round_trip_in_the_order_given";
    let owner = run.owner("labels");
    let new = run.new_photo(&owner, T0);
    catalog.insert_photo(new.clone()).await.expect("insert");
    // Deliberately not sorted by probability: the catalog keeps the order it is given.
    let given = vec![
        Label {
            label: "tabby, tabby cat".into(),
            probability: 0.412_345_67,
        },
        Label {
            label: "Egyptian cat".into(),
            probability: 0.5,
        },
        Label {
            label: "lynx \"catamount\"".into(),
            probability: 1e-7,
        },
    ];
    assert_eq!(
        catalog.set_labels(&owner, &new.id, given.clone()).await,
        Ok(true),
        "{CHECK}: set"
    );
    let photo = catalog
        .photo(&owner, &new.id)
        .await
        .expect("photo")
        .expect("present");
    assert_eq!(
        photo.labels, given,
        "{CHECK}: photo() returns the labels exactly, in order"
    );
    let listed = catalog.list_photos(&owner, None, 10).await.expect("list");
    assert_eq!(
        listed.photos[0].labels, given,
        "{CHECK}: so does list_photos()"
    );
    assert_eq!(
        catalog.set_labels(&owner, &new.id, vec![]).await,
        Ok(true),
        "{CHECK}: clear"
    );
    let photo = catalog
        .photo(&owner, &new.id)
        .await
        .expect("photo")
        .expect("present");
    assert!(
        photo.labels.is_empty(),
        "{CHECK}: labels replaced, not merged"
    );
    clear(catalog, &owner).await;
}

async fn non_finite_probabilities_are_refused(catalog: &dyn Catalog, run: &Run) {
    const CHECK: &str = "non_finite_probabilities_are_refused";
    let owner = run.owner("nan");
    let new = run.new_photo(&owner, T0);
    catalog.insert_photo(new.clone()).await.expect("insert");
    catalog
        .set_labels(&owner, &new.id, labels(&["cat"]))
        .await
        .expect("set");
    for probability in [f32::NAN, f32::INFINITY] {
        let bad = vec![Label {
            label: "dog".into(),
            probability,
        }];
        let set = catalog.set_labels(&owner, &new.id, bad).await;
        assert!(
            set.is_err(),
            "{CHECK}: probability {probability} must be refused, got {set:?}"
        );
    }
    let photo = catalog
        .photo(&owner, &new.id)
        .await
        .expect("still readable")
        .expect("present");
    assert_eq!(
        photo.labels,
        labels(&["cat"]),
        "{CHECK}: the stored labels are unchanged"
    );
    clear(catalog, &owner).await;
}

async fn concurrent_duplicate_inserts_create_exactly_one(catalog: &dyn Catalog, run: &Run) {
    const CHECK: &str = "concurrent_duplicate_inserts_create_exactly_one";
    let owner = run.owner("race");
    let sha256 = run.sha256();
    // Eight uploads of the same file at once, as a double-clicking user or a retrying client
    // would send them; all in flight together.
    let attempts: Vec<NewPhoto> = (0..8)
        .map(|_| NewPhoto {
            sha256: sha256.clone(),
            ..run.new_photo(&owner, T0)
        })
        .collect();
    let outcomes = futures::future::join_all(
        attempts
            .into_iter()
            .map(|photo| catalog.insert_photo(photo)),
    )
    .await;
    let outcomes: Vec<InsertOutcome> = outcomes
        .into_iter()
        .map(|outcome| outcome.unwrap_or_else(|e| panic!("{CHECK}: an insert failed: {e}")))
        .collect();
    let created: Vec<&Photo> = outcomes
        .iter()
        .filter(|o| o.is_created())
        .map(InsertOutcome::photo)
        .collect();
    assert_eq!(
        created.len(),
        1,
        "{CHECK}: exactly one Created among {outcomes:?}"
    );
    for outcome in &outcomes {
        assert_eq!(
            outcome.photo().id,
            created[0].id,
            "{CHECK}: every Duplicate names the one created"
        );
    }
    assert_eq!(
        catalog.count_photos(&owner).await,
        Ok(1),
        "{CHECK}: one photo catalogued"
    );
    clear(catalog, &owner).await;
}

fn labels(names: &[&str]) -> Vec<Label> {
    names
        .iter()
        .map(|name| Label {
            label: (*name).to_owned(),
            probability: 0.9,
        })
        .collect()
}

/// The listing order, computed independently of any adapter.
fn expected_order(photos: &[NewPhoto]) -> Vec<&PhotoId> {
    let mut sorted: Vec<&NewPhoto> = photos.iter().collect();
    sorted.sort_by(|a, b| (b.created_at_ms, &b.id).cmp(&(a.created_at_ms, &a.id)));
    sorted.into_iter().map(|p| &p.id).collect()
}

async fn all_pages(catalog: &dyn Catalog, owner: &OwnerId, limit: usize) -> Vec<Photo> {
    let mut photos = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let page = catalog
            .list_photos(owner, cursor.as_deref(), limit)
            .await
            .expect("list");
        photos.extend(page.photos);
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => return photos,
        }
    }
}

async fn clear(catalog: &dyn Catalog, owner: &OwnerId) {
    catalog
        .delete_all_photos(owner)
        .await
        .unwrap_or_else(|e| panic!("cleanup of {owner:?}: {e}"));
}

fn label(name: &str, probability: f32) -> Label {
    Label {
        label: name.to_owned(),
        probability,
    }
}

async fn queued_photos(
    catalog: &dyn Catalog,
    owner: &OwnerId,
    run: &Run,
    count: usize,
    now: i64,
) -> Vec<PhotoId> {
    let mut ids = Vec::new();
    for i in 0..count {
        let photo = run.new_photo(owner, now + i as i64);
        let id = photo.id.clone();
        catalog.insert_photo(photo).await.expect("insert");
        assert!(catalog
            .enqueue_job(owner, &id, "model-a", now + i as i64)
            .await
            .expect("enqueue"));
        ids.push(id);
    }
    ids
}

async fn status_of(catalog: &dyn Catalog, owner: &OwnerId, id: &PhotoId) -> Photo {
    catalog
        .photo(owner, id)
        .await
        .expect("get")
        .expect("photo exists")
}

async fn tags_filter_and_count(catalog: &dyn Catalog, run: &Run) {
    let owner = run.owner("tags");
    let now = now_ms();
    let mut ids = Vec::new();
    for labels in [
        vec![label("tabby", 0.6), label("tiger cat", 0.3)],
        vec![label("golden retriever", 0.9)],
        vec![label("tabby", 0.5), label("golden retriever", 0.2)],
        vec![],
    ] {
        let photo = run.new_photo(&owner, now + ids.len() as i64);
        ids.push(photo.id.clone());
        catalog.insert_photo(photo).await.expect("insert");
        assert!(catalog
            .set_labels(&owner, ids.last().expect("id"), labels)
            .await
            .expect("labels"));
    }
    let listed = |groups: Vec<Vec<&str>>| {
        let groups: Vec<Vec<String>> = groups
            .into_iter()
            .map(|g| g.into_iter().map(str::to_owned).collect())
            .collect();
        let owner = owner.clone();
        async move {
            let page = catalog
                .list_photos_tagged(&owner, &groups, None, 60)
                .await
                .expect("list");
            page.photos.into_iter().map(|p| p.id).collect::<Vec<_>>()
        }
    };
    // Newest first, as the plain listing.
    assert_eq!(
        listed(vec![vec!["tabby"]]).await,
        vec![ids[2].clone(), ids[0].clone()]
    );
    assert_eq!(
        listed(vec![vec!["tabby", "golden retriever"]]).await.len(),
        3
    );
    assert_eq!(
        listed(vec![vec!["tabby"], vec!["golden retriever"]]).await,
        vec![ids[2].clone()]
    );
    assert!(listed(vec![vec!["unicorn"]]).await.is_empty());
    assert_eq!(listed(vec![]).await.len(), 4);
    // Paging through a filtered listing.
    let groups = vec![vec!["tabby".to_owned(), "golden retriever".to_owned()]];
    let first = catalog
        .list_photos_tagged(&owner, &groups, None, 2)
        .await
        .expect("page 1");
    let cursor = first.next_cursor.expect("a second page");
    let second = catalog
        .list_photos_tagged(&owner, &groups, Some(&cursor), 2)
        .await
        .expect("page 2");
    assert_eq!(
        (first.photos.len(), second.photos.len(), second.next_cursor),
        (2, 1, None)
    );

    let counts = catalog.tag_counts(&owner).await.expect("counts");
    let counts: Vec<(&str, u64)> = counts.iter().map(|c| (c.tag.as_str(), c.count)).collect();
    assert_eq!(
        counts,
        vec![("golden retriever", 2), ("tabby", 2), ("tiger cat", 1)]
    );
    // Relabelling replaces, deleting forgets.
    catalog
        .set_labels(&owner, &ids[0], vec![label("espresso", 0.9)])
        .await
        .expect("relabel");
    catalog.delete_photo(&owner, &ids[1]).await.expect("delete");
    let counts = catalog.tag_counts(&owner).await.expect("counts");
    let counts: Vec<(&str, u64)> = counts.iter().map(|c| (c.tag.as_str(), c.count)).collect();
    assert_eq!(
        counts,
        vec![("espresso", 1), ("golden retriever", 1), ("tabby", 1)]
    );
    clear(catalog, &owner).await;
}

async fn jobs_go_to_one_claimer_and_only_the_holder_finishes(catalog: &dyn Catalog, run: &Run) {
    let owner = run.owner("claims");
    let now = now_ms();
    let ids = queued_photos(catalog, &owner, run, 5, now).await;
    // Two claimers at once, asking for more than there is between them.
    let (a, b) = tokio::join!(
        catalog.claim_jobs("a/0", 4, 60_000, now + 10),
        catalog.claim_jobs("b/0", 4, 60_000, now + 10)
    );
    let (a, b) = (a.expect("claim a"), b.expect("claim b"));
    let mut claimed: Vec<&PhotoId> = a.iter().chain(&b).map(|job| &job.photo_id).collect();
    claimed.sort();
    let mut expected: Vec<&PhotoId> = ids.iter().collect();
    expected.sort();
    assert_eq!(claimed, expected, "every job claimed exactly once");
    assert!(a
        .iter()
        .chain(&b)
        .all(|job| job.attempt == 1 && job.model == "model-a" && job.owner == owner));
    assert!(catalog
        .claim_jobs("c/0", 10, 60_000, now + 20)
        .await
        .expect("claim")
        .is_empty());

    let (job_a, job_b) = match (a.first(), b.first()) {
        (Some(x), Some(y)) => (x.clone(), y.clone()),
        // One claimer may have won everything: then take two of its jobs.
        _ => {
            let all: Vec<&Job> = a.iter().chain(&b).collect();
            (all[0].clone(), all[1].clone())
        }
    };
    let holder_of = |job: &Job| if a.contains(job) { "a/0" } else { "b/0" };
    let labels = vec![label("tabby", 0.7), label("tiger cat", 0.2)];
    assert!(!catalog
        .finish_job(&job_a, "c/0", JobOutcome::Done(labels.clone()))
        .await
        .expect("finish by a stranger"));
    assert_eq!(
        status_of(catalog, &owner, &job_a.photo_id).await.status,
        PhotoStatus::Queued
    );
    assert!(catalog
        .finish_job(&job_a, holder_of(&job_a), JobOutcome::Done(labels.clone()))
        .await
        .expect("finish"));
    let done = status_of(catalog, &owner, &job_a.photo_id).await;
    assert_eq!((done.status, done.labels), (PhotoStatus::Done, labels));
    // Finished is finished: not again, not by anyone.
    assert!(!catalog
        .finish_job(&job_a, holder_of(&job_a), JobOutcome::Failed("late".into()))
        .await
        .expect("finish twice"));

    catalog
        .set_status(&owner, &job_b.photo_id, PhotoStatus::Predicting, None)
        .await
        .expect("stage");
    assert_eq!(
        status_of(catalog, &owner, &job_b.photo_id).await.status,
        PhotoStatus::Predicting
    );
    clear(catalog, &owner).await;
    assert!(
        catalog
            .claim_jobs("c/0", 10, 60_000, now + 100_000)
            .await
            .expect("claim")
            .is_empty(),
        "deleting a photo removes its job"
    );
}

async fn expired_leases_are_claimed_again(catalog: &dyn Catalog, run: &Run) {
    let owner = run.owner("leases");
    let now = now_ms();
    let ids = queued_photos(catalog, &owner, run, 1, now).await;
    let first = catalog
        .claim_jobs("dead/0", 1, 1_000, now)
        .await
        .expect("claim");
    assert_eq!(first.len(), 1);
    assert!(
        catalog
            .claim_jobs("alive/0", 1, 1_000, now + 999)
            .await
            .expect("claim")
            .is_empty(),
        "lease still held"
    );
    let again = catalog
        .claim_jobs("alive/0", 1, 1_000, now + 1_000)
        .await
        .expect("claim");
    assert_eq!(again.len(), 1);
    assert_eq!((&again[0].photo_id, again[0].attempt), (&ids[0], 2));
    // The worker whose lease ran out comes back too late.
    assert!(!catalog
        .finish_job(&first[0], "dead/0", JobOutcome::Done(vec![label("x", 1.0)]))
        .await
        .expect("finish"));
    assert!(catalog
        .finish_job(
            &again[0],
            "alive/0",
            JobOutcome::Done(vec![label("y", 1.0)])
        )
        .await
        .expect("finish"));
    assert_eq!(
        status_of(catalog, &owner, &ids[0]).await.labels,
        vec![label("y", 1.0)]
    );
    clear(catalog, &owner).await;
}

async fn retries_wait_for_their_time_and_failures_end_the_job(catalog: &dyn Catalog, run: &Run) {
    let owner = run.owner("retries");
    let now = now_ms();
    let ids = queued_photos(catalog, &owner, run, 1, now).await;
    let job = catalog
        .claim_jobs("w/0", 1, 60_000, now)
        .await
        .expect("claim")
        .remove(0);
    let retry = JobOutcome::Retry {
        reason: "storage unavailable".into(),
        run_after_ms: now + 5_000,
    };
    assert!(catalog.finish_job(&job, "w/0", retry).await.expect("retry"));
    let photo = status_of(catalog, &owner, &ids[0]).await;
    assert_eq!(
        (photo.status, photo.status_reason.as_deref()),
        (PhotoStatus::Queued, Some("storage unavailable"))
    );
    assert!(catalog
        .claim_jobs("w/0", 1, 60_000, now + 4_999)
        .await
        .expect("claim")
        .is_empty());
    let job = catalog
        .claim_jobs("w/0", 1, 60_000, now + 5_000)
        .await
        .expect("claim")
        .remove(0);
    assert_eq!(job.attempt, 2);
    assert!(catalog
        .finish_job(
            &job,
            "w/0",
            JobOutcome::Failed("the file is not an image".into())
        )
        .await
        .expect("fail"));
    let photo = status_of(catalog, &owner, &ids[0]).await;
    assert_eq!(
        (photo.status, photo.status_reason.as_deref()),
        (PhotoStatus::Failed, Some("the file is not an image"))
    );
    assert!(catalog
        .claim_jobs("w/0", 1, 60_000, now + 100_000)
        .await
        .expect("claim")
        .is_empty());
    // A person's retry queues it again, reason cleared.
    assert!(catalog
        .enqueue_job(&owner, &ids[0], "model-b", now + 6_000)
        .await
        .expect("retry"));
    let photo = status_of(catalog, &owner, &ids[0]).await;
    assert_eq!(
        (photo.status, photo.status_reason),
        (PhotoStatus::Queued, None)
    );
    let job = catalog
        .claim_jobs("w/0", 1, 60_000, now + 6_000)
        .await
        .expect("claim")
        .remove(0);
    assert_eq!((job.model.as_str(), job.attempt), ("model-b", 1));
    assert!(!catalog
        .enqueue_job(&owner, &run.photo_id(), "model-a", now)
        .await
        .expect("missing photo"));
    clear(catalog, &owner).await;
}

async fn a_restarted_instance_gets_its_jobs_back_at_once(catalog: &dyn Catalog, run: &Run) {
    let owner = run.owner("restart");
    let now = now_ms();
    let ids = queued_photos(catalog, &owner, run, 2, now).await;
    let held = catalog
        .claim_jobs("server-1/0", 2, 600_000, now + 5)
        .await
        .expect("claim");
    assert_eq!(held.len(), 2);
    catalog
        .set_status(&owner, &ids[0], PhotoStatus::Predicting, None)
        .await
        .expect("stage");
    // Another instance's name that merely starts the same way keeps its jobs.
    assert_eq!(catalog.release_jobs("server-10").await.expect("release"), 0);
    assert_eq!(catalog.release_jobs("server-1").await.expect("release"), 2);
    assert_eq!(
        status_of(catalog, &owner, &ids[0]).await.status,
        PhotoStatus::Queued
    );
    let resumed = catalog
        .claim_jobs("server-1/0", 2, 600_000, now + 10)
        .await
        .expect("claim");
    assert_eq!(resumed.len(), 2);
    assert!(catalog
        .photos_without_jobs(&owner)
        .await
        .expect("orphans")
        .is_empty());
    let orphan = run.new_photo(&owner, now);
    let orphan_id = orphan.id.clone();
    catalog.insert_photo(orphan).await.expect("insert");
    assert_eq!(
        catalog.photos_without_jobs(&owner).await.expect("orphans"),
        vec![orphan_id]
    );
    clear(catalog, &owner).await;
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

// ---------------------------------------------------------------------------------------------
// Event log checks

/// Runs every event log check.
pub async fn event_log_contract(log: &dyn crate::events::EventLog) {
    let run = Run::new();
    events_read_back_oldest_first(log, &run).await;
    events_since_excludes_older_ones(log, &run).await;
    events_limit_keeps_the_oldest(log, &run).await;
    events_of_one_millisecond_all_get_through(log, &run).await;
    events_are_per_owner(log, &run).await;
    events_are_kept_for_the_retention_time(log, &run).await;
}

fn event(run: &Run, status: PhotoStatus, labels: Vec<Label>) -> gaillery_core::api::PhotoEvent {
    gaillery_core::api::PhotoEvent {
        id: run.photo_id(),
        status,
        status_reason: (status == PhotoStatus::Failed).then(|| "decoder: truncated".to_owned()),
        labels,
    }
}

async fn append(
    log: &dyn crate::events::EventLog,
    owner: &OwnerId,
    origin: &str,
    event: &gaillery_core::api::PhotoEvent,
    at_ms: i64,
) {
    log.append_event(owner, origin, event, at_ms)
        .await
        .unwrap_or_else(|e| panic!("append_event at {at_ms}: {e}"));
}

async fn events_read_back_oldest_first(log: &dyn crate::events::EventLog, run: &Run) {
    const CHECK: &str = "events_read_back_oldest_first";
    let owner = run.owner("events");
    let now = now_ms();
    let appended = [
        (
            now + 2,
            "server-b",
            event(run, PhotoStatus::Done, vec![label("tabby", 0.7)]),
        ),
        (now, "server-a", event(run, PhotoStatus::Queued, vec![])),
        (now + 1, "server-a", event(run, PhotoStatus::Failed, vec![])),
    ];
    for (at_ms, origin, event) in &appended {
        append(log, &owner, origin, event, *at_ms).await;
    }
    let read = log
        .events_since(&owner, now, 10)
        .await
        .expect("events_since");
    let got: Vec<(i64, &str, &gaillery_core::api::PhotoEvent)> = read
        .iter()
        .map(|entry| (entry.at_ms, entry.origin.as_str(), &entry.event))
        .collect();
    let mut expected: Vec<(i64, &str, &gaillery_core::api::PhotoEvent)> = appended
        .iter()
        .map(|(at_ms, origin, event)| (*at_ms, *origin, event))
        .collect();
    expected.sort_by_key(|(at_ms, _, _)| *at_ms);
    assert_eq!(
        got, expected,
        "{CHECK}: every field round-trips, oldest first"
    );
    let keys: HashSet<&str> = read.iter().map(|entry| entry.key.as_str()).collect();
    assert_eq!(keys.len(), 3, "{CHECK}: keys are unique");
}

async fn events_since_excludes_older_ones(log: &dyn crate::events::EventLog, run: &Run) {
    const CHECK: &str = "events_since_excludes_older_ones";
    let owner = run.owner("events-since");
    let now = now_ms();
    for offset in [0, 1_000, 2_000] {
        append(
            log,
            &owner,
            "a",
            &event(run, PhotoStatus::Queued, vec![]),
            now + offset,
        )
        .await;
    }
    let read = log
        .events_since(&owner, now + 1_000, 10)
        .await
        .expect("events_since");
    let times: Vec<i64> = read.iter().map(|entry| entry.at_ms).collect();
    assert_eq!(
        times,
        vec![now + 1_000, now + 2_000],
        "{CHECK}: since is inclusive"
    );
    let none = log
        .events_since(&owner, now + 2_001, 10)
        .await
        .expect("events_since");
    assert!(none.is_empty(), "{CHECK}: nothing after the newest");
}

async fn events_limit_keeps_the_oldest(log: &dyn crate::events::EventLog, run: &Run) {
    const CHECK: &str = "events_limit_keeps_the_oldest";
    let owner = run.owner("events-limit");
    let now = now_ms();
    for offset in 0..5 {
        append(
            log,
            &owner,
            "a",
            &event(run, PhotoStatus::Queued, vec![]),
            now + offset,
        )
        .await;
    }
    let read = log
        .events_since(&owner, now, 2)
        .await
        .expect("events_since");
    let times: Vec<i64> = read.iter().map(|entry| entry.at_ms).collect();
    assert_eq!(
        times,
        vec![now, now + 1],
        "{CHECK}: at most `limit`, oldest first"
    );
}

async fn events_of_one_millisecond_all_get_through(log: &dyn crate::events::EventLog, run: &Run) {
    const CHECK: &str = "events_of_one_millisecond_all_get_through";
    let owner = run.owner("events-same-ms");
    let now = now_ms();
    let mut ids = Vec::new();
    // Two servers, each appending a burst within one millisecond.
    for origin in ["a", "a", "b", "a", "b", "a"] {
        let event = event(run, PhotoStatus::Predicting, vec![]);
        ids.push(event.id.clone());
        append(log, &owner, origin, &event, now).await;
    }
    let all = log
        .events_since(&owner, now, 100)
        .await
        .expect("events_since");
    let keys: HashSet<&str> = all.iter().map(|entry| entry.key.as_str()).collect();
    assert_eq!(
        keys.len(),
        ids.len(),
        "{CHECK}: each entry has a key of its own"
    );
    let mut read: Vec<PhotoId> = all.into_iter().map(|entry| entry.event.id).collect();
    read.sort();
    ids.sort();
    assert_eq!(read, ids, "{CHECK}: no entry overwrites another");
    let batch = log
        .events_since(&owner, now, 4)
        .await
        .expect("events_since");
    assert_eq!(
        batch.len(),
        4,
        "{CHECK}: the limit applies within a millisecond too"
    );
}

async fn events_are_per_owner(log: &dyn crate::events::EventLog, run: &Run) {
    const CHECK: &str = "events_are_per_owner";
    let (alice, bob) = (run.owner("events-alice"), run.owner("events-bob"));
    let now = now_ms();
    append(
        log,
        &alice,
        "a",
        &event(run, PhotoStatus::Done, vec![]),
        now,
    )
    .await;
    let bobs = log
        .events_since(&bob, now - 60_000, 10)
        .await
        .expect("events_since");
    assert!(bobs.is_empty(), "{CHECK}: bob sees none of alice's entries");
}

async fn events_are_kept_for_the_retention_time(log: &dyn crate::events::EventLog, run: &Run) {
    const CHECK: &str = "events_are_kept_for_the_retention_time";
    let owner = run.owner("events-retention");
    // Appended by a clock that is almost the retention time behind.
    let then = now_ms() - crate::events::EVENT_RETENTION_MS + 60_000;
    append(
        log,
        &owner,
        "a",
        &event(run, PhotoStatus::Queued, vec![]),
        then,
    )
    .await;
    let read = log
        .events_since(&owner, then, 10)
        .await
        .expect("events_since");
    assert_eq!(read.len(), 1, "{CHECK}: still readable");
    assert_eq!(read[0].at_ms, then, "{CHECK}: with its time");
}

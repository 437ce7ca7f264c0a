//! Blob store checks: bytes and files in, the same bytes out, keys independent of each other.

use super::run::Run;
use crate::blob::{BlobKey, BlobStore, NewBlob, StoredBlob};
use crate::StorageError;
use bytes::Bytes;
use futures::StreamExt;
use std::path::{Path, PathBuf};
use tokio::io::AsyncReadExt;

/// Runs every blob store check. `scratch` is a writable directory for the source files of
/// `put_file`; ideally on the filesystem the uploads will come from.
pub async fn all_checks(store: &dyn BlobStore, scratch: &Path) {
    crate::__contract_checks!(blob => __contract_run_each!((store, scratch)));
}

pub async fn put_then_read_round_trips(store: &dyn BlobStore, _scratch: &Path) {
    const CHECK: &str = "put_then_read_round_trips";
    let run = &Run::new();
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

pub async fn empty_objects_round_trip(store: &dyn BlobStore, _scratch: &Path) {
    const CHECK: &str = "empty_objects_round_trip";
    let run = &Run::new();
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

pub async fn put_overwrites(store: &dyn BlobStore, _scratch: &Path) {
    const CHECK: &str = "put_overwrites";
    let run = &Run::new();
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

pub async fn missing_keys_are_not_found(store: &dyn BlobStore, _scratch: &Path) {
    const CHECK: &str = "missing_keys_are_not_found";
    let run = &Run::new();
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

pub async fn delete_is_idempotent(store: &dyn BlobStore, _scratch: &Path) {
    const CHECK: &str = "delete_is_idempotent";
    let run = &Run::new();
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

pub async fn neighbouring_keys_are_independent(store: &dyn BlobStore, _scratch: &Path) {
    const CHECK: &str = "neighbouring_keys_are_independent";
    let run = &Run::new();
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

pub async fn put_many_stores_each_object(store: &dyn BlobStore, _scratch: &Path) {
    const CHECK: &str = "put_many_stores_each_object";
    let run = &Run::new();
    let replaced = run.key("many", "a/original");
    store
        .put_bytes(
            &replaced,
            Bytes::from_static(b"an older, longer version"),
            "image/jpeg",
        )
        .await
        .expect("put");
    let keys = [
        replaced,
        run.key("many", "a/thumbnail"),
        run.key("many", "b/original"),
        run.key("many", "c/d/preview"),
    ];
    let content = |i: usize| Bytes::from(format!("object {i}"));
    let objects = keys
        .iter()
        .enumerate()
        .map(|(i, key)| NewBlob {
            key: key.clone(),
            bytes: content(i),
            content_type: "image/jpeg".to_owned(),
        })
        .collect();
    store
        .put_many(objects)
        .await
        .unwrap_or_else(|e| panic!("{CHECK}: put_many failed: {e}"));
    for (i, key) in keys.iter().enumerate() {
        let read = store
            .read_all(key)
            .await
            .unwrap_or_else(|e| panic!("{CHECK}: {key} unreadable: {e}"));
        assert_eq!(read, content(i), "{CHECK}: {key} holds its own bytes");
    }
    assert_eq!(
        store.put_many(Vec::new()).await,
        Ok(()),
        "{CHECK}: nothing to store"
    );
    cleanup(store, &keys).await;
}

/// Adapter-independent (the key rules are `BlobKey`'s), but part of what every store promises.
pub async fn invalid_keys_are_rejected(_store: &dyn BlobStore, _scratch: &Path) {
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

pub async fn put_file_consumes_its_source(store: &dyn BlobStore, scratch: &Path) {
    const CHECK: &str = "put_file_consumes_its_source";
    let run = &Run::new();
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

pub async fn put_file_of_a_missing_source_is_not_found(store: &dyn BlobStore, scratch: &Path) {
    const CHECK: &str = "put_file_of_a_missing_source_is_not_found";
    let run = &Run::new();
    let key = run.key("put-file", "missing-source");
    let source = scratch.join(format!("contract-{}-{}-missing", run.tag, run.next()));
    let put = store.put_file(&key, &source, "image/jpeg").await;
    assert_eq!(put, Err(StorageError::NotFound), "{CHECK}");
    assert!(
        !store.exists(&key).await.expect("exists"),
        "{CHECK}: nothing was stored"
    );
}

pub async fn large_objects_stream_whole(store: &dyn BlobStore, scratch: &Path) {
    const CHECK: &str = "large_objects_stream_whole";
    let run = &Run::new();
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

pub async fn list_names_each_object_once_with_its_time(store: &dyn BlobStore, _scratch: &Path) {
    const CHECK: &str = "list_names_each_object_once_with_its_time";
    let run = &Run::new();
    let prefix = format!("contract/{}/{CHECK}/", run.tag);
    let mut keys: Vec<BlobKey> = ["a/original", "a/preview", "b-c/original", "b/deep/x"]
        .into_iter()
        .map(|name| run.key(CHECK, name))
        .collect();
    // Another run's object beside ours shares no prefix and must not be listed.
    let neighbour = Run::new().key(CHECK, "a/original");
    let before = now_ms();
    for key in keys.iter().chain([&neighbour]) {
        store
            .put_bytes(key, Bytes::from_static(b"listed"), "image/jpeg")
            .await
            .unwrap_or_else(|e| panic!("{CHECK}: put {key}: {e}"));
    }
    let after = now_ms();

    let mut listed: Vec<StoredBlob> = store
        .list(&prefix)
        .map(|item| item.unwrap_or_else(|e| panic!("{CHECK}: list failed: {e}")))
        .collect()
        .await;
    listed.sort_by(|a, b| a.key.cmp(&b.key));
    let names: Vec<&BlobKey> = listed.iter().map(|blob| &blob.key).collect();
    keys.sort();
    assert_eq!(
        names,
        keys.iter().collect::<Vec<_>>(),
        "{CHECK}: each object once"
    );
    for blob in &listed {
        // Stores keep whole seconds (S3's Last-Modified) or milliseconds; allow both.
        assert!(
            blob.modified_ms >= before - 1_000 && blob.modified_ms <= after + 1_000,
            "{CHECK}: {} written between {before} and {after}, listed at {}",
            blob.key,
            blob.modified_ms
        );
    }

    let nothing: Vec<_> = store
        .list(&format!("contract/{}/nothing-here/", run.tag))
        .collect()
        .await;
    assert!(
        nothing.is_empty(),
        "{CHECK}: an unused prefix lists nothing"
    );
    keys.push(neighbour);
    cleanup(store, &keys).await;
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

async fn cleanup(store: &dyn BlobStore, keys: &[BlobKey]) {
    for key in keys {
        store
            .delete(key)
            .await
            .unwrap_or_else(|e| panic!("cleanup: delete {key}: {e}"));
    }
}

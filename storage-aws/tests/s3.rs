//! The S3 blob store against a real S3-compatible server (`s3s-fs`, which checks SigV4
//! signatures, presigned URLs included): the shared contract, plus what only S3 has: buckets,
//! presigned URLs, Cache-Control, and how failures of the network and of credentials surface.

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_s3::config::Credentials;
use bytes::Bytes;
use gaillery_storage::{BlobKey, BlobStore, StorageError};
use gaillery_storage_aws::S3BlobStore;
use gaillery_testkit::proxy::FaultProxy;
use gaillery_testkit::servers::{
    shared_s3, start_s3, ServerProcess, ACCESS_KEY, REGION, SECRET_KEY,
};
use std::future::Future;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};
use tempfile::TempDir;

const BUCKET: &str = "gaillery-test";
const CACHE_CONTROL: &str = "private, max-age=31536000, immutable";
/// Not a speed test: only long enough that a hang fails the test instead of blocking it.
const HANG_GUARD: Duration = Duration::from_secs(20);

/// An s3s-fs process of the test's own, serving a temp directory.
struct S3 {
    dir: TempDir,
    server: ServerProcess,
}

impl S3 {
    fn start() -> S3 {
        let dir = tempfile::tempdir().expect("temp dir");
        let server = start_s3(&dir.path().join("s3"));
        S3 { dir, server }
    }

    /// A writable directory for `put_file` sources.
    fn scratch(&self) -> PathBuf {
        let scratch = self.dir.path().join("scratch");
        std::fs::create_dir_all(&scratch).expect("scratch dir");
        scratch
    }
}

/// How hard the SDK tries: the defaults of `AwsStorageSettings`, or short ones for tests that
/// make the service unreachable.
#[derive(Clone, Copy)]
struct Patience {
    max_attempts: u32,
    connect_timeout: Duration,
    attempt_timeout: Duration,
}

const NORMAL: Patience = Patience {
    max_attempts: 3,
    connect_timeout: Duration::from_secs(2),
    attempt_timeout: Duration::from_secs(10),
};

const SHORT: Patience = Patience {
    max_attempts: 2,
    connect_timeout: Duration::from_millis(500),
    attempt_timeout: Duration::from_secs(2),
};

/// The configuration `load_sdk_config` would build, but explicit: tests run in parallel and
/// must not share process environment variables.
async fn sdk_config(endpoint: &str, secret: &str, patience: Patience) -> SdkConfig {
    let timeouts = TimeoutConfig::builder()
        .connect_timeout(patience.connect_timeout)
        .operation_attempt_timeout(patience.attempt_timeout)
        .build();
    let retries = RetryConfig::standard()
        .with_max_attempts(patience.max_attempts)
        .with_initial_backoff(Duration::from_millis(100))
        .with_max_backoff(Duration::from_secs(2));
    aws_config::defaults(BehaviorVersion::latest())
        .endpoint_url(endpoint)
        .region(Region::new(REGION))
        .credentials_provider(Credentials::new(ACCESS_KEY, secret, None, None, "test"))
        .timeout_config(timeouts)
        .retry_config(retries)
        .load()
        .await
}

/// A store on `BUCKET` of `s3`, the bucket created.
async fn store_on(s3: &S3) -> S3BlobStore {
    let sdk = sdk_config(&s3.server.endpoint(), SECRET_KEY, NORMAL).await;
    let store = S3BlobStore::new(&sdk, BUCKET).with_cache_control(CACHE_CONTROL);
    store.create_bucket_if_missing().await.expect("bucket");
    store
}

fn key(raw: &str) -> BlobKey {
    BlobKey::new(raw).expect("valid key")
}

/// `future`, or a panic naming `what` if it takes longer than `HANG_GUARD`.
async fn guarded<T>(what: &str, future: impl Future<Output = T>) -> T {
    tokio::time::timeout(HANG_GUARD, future)
        .await
        .unwrap_or_else(|_| panic!("{what} hung for more than {HANG_GUARD:?}"))
}

fn is_unavailable<T>(result: &Result<T, StorageError>) -> bool {
    matches!(result, Err(StorageError::Unavailable(_)))
}

// One test per check, each on a bucket of its own in the s3s-fs this test binary shares.
gaillery_storage::contract_tests!(blob => |check| {
    let (store, scratch) = store_on_a_fresh_bucket().await;
    check(&store, scratch.path()).await;
});

/// A store on a new bucket of the shared s3s-fs, and a directory for `put_file` sources.
async fn store_on_a_fresh_bucket() -> (S3BlobStore, TempDir) {
    static BUCKETS: AtomicU64 = AtomicU64::new(0);
    let server = tokio::task::spawn_blocking(shared_s3)
        .await
        .expect("s3s-fs starts");
    let sdk = sdk_config(&server.endpoint(), SECRET_KEY, NORMAL).await;
    let bucket = format!("contract-{}", BUCKETS.fetch_add(1, Ordering::Relaxed));
    let store = S3BlobStore::new(&sdk, bucket).with_cache_control(CACHE_CONTROL);
    store.create_bucket_if_missing().await.expect("bucket");
    (store, tempfile::tempdir().expect("scratch dir"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn buckets_are_created_once_and_a_missing_one_fails_the_check() {
    let s3 = S3::start();
    let sdk = sdk_config(&s3.server.endpoint(), SECRET_KEY, NORMAL).await;
    let store = S3BlobStore::new(&sdk, "photos");

    let check = store.check().await;
    match &check {
        Err(StorageError::Backend(message)) => assert!(
            message.contains("photos") && message.contains("does not exist"),
            "the message names the bucket and the problem: {message}"
        ),
        other => panic!("check of a missing bucket: {other:?}"),
    }
    assert_eq!(store.create_bucket_if_missing().await, Ok(true));
    assert_eq!(store.create_bucket_if_missing().await, Ok(false));
    assert_eq!(store.check().await, Ok(()));
    // The bucket is usable, and another store on it sees the same objects.
    let other = S3BlobStore::new(&sdk, "photos");
    assert_eq!(other.create_bucket_if_missing().await, Ok(false));
    store
        .put_bytes(&key("a/b"), Bytes::from_static(b"x"), "text/plain")
        .await
        .expect("put");
    assert_eq!(other.exists(&key("a/b")).await, Ok(true));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn presigned_urls_serve_the_object_with_overridden_headers_and_refuse_tampering() {
    let s3 = S3::start();
    let store = store_on(&s3).await;
    let key = key("photos/p1/thumbnail");
    let content = Bytes::from_static(b"RIFF\0\0\0\0WEBPVP8 pretend thumbnail");
    store
        .put_bytes(&key, content.clone(), "application/octet-stream")
        .await
        .expect("put");
    let url = store
        .presigned_get(
            &key,
            Duration::from_secs(300),
            Some("private, max-age=3600"),
            Some("image/webp"),
        )
        .await
        .expect("presign");
    assert!(
        url.starts_with(&format!("{}/{BUCKET}/", s3.server.endpoint())),
        "path-style URL on the configured endpoint: {url}"
    );

    let http = reqwest::Client::new();
    let response = http.get(&url).send().await.expect("GET");
    assert_eq!(response.status(), 200, "{:?}", response.text().await);
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|value| value.to_str().ok())
            .map(str::to_owned)
    };
    assert_eq!(
        header("cache-control").as_deref(),
        Some("private, max-age=3600")
    );
    assert_eq!(header("content-type").as_deref(), Some("image/webp"));
    assert_eq!(response.bytes().await.expect("body"), content);

    // A changed signature, or a changed override, no longer matches what was signed.
    let signature_at = url.find("X-Amz-Signature=").expect("signed URL") + 16;
    let mut tampered = url.clone();
    let flipped = if url[signature_at..].starts_with('0') {
        "1"
    } else {
        "0"
    };
    tampered.replace_range(signature_at..=signature_at, flipped);
    let response = http.get(&tampered).send().await.expect("GET");
    assert_eq!(response.status(), 403, "tampered signature");
    let other_override = url.replace("image%2Fwebp", "text%2Fhtml");
    assert_ne!(other_override, url, "the override is in the URL: {url}");
    let response = http.get(&other_override).send().await.expect("GET");
    assert_eq!(response.status(), 403, "tampered override");

    // The trait's way to the same URL, as the server asks for it.
    let dyn_store: &dyn BlobStore = &store;
    let direct = dyn_store
        .direct_url(
            &key,
            Duration::from_secs(300),
            "image/webp",
            "private, max-age=60",
        )
        .await
        .expect("direct_url")
        .expect("S3 serves objects directly");
    let response = http.get(&direct).send().await.expect("GET");
    assert_eq!(response.status(), 200);
    assert_eq!(
        response
            .headers()
            .get("cache-control")
            .and_then(|v| v.to_str().ok()),
        Some("private, max-age=60")
    );
    assert_eq!(response.bytes().await.expect("body"), content);

    // And it expires.
    let short = store
        .presigned_get(&key, Duration::from_secs(1), None, None)
        .await
        .expect("presign");
    assert_eq!(http.get(&short).send().await.expect("GET").status(), 200);
    tokio::time::sleep(Duration::from_millis(2_100)).await;
    assert_eq!(
        http.get(&short).send().await.expect("GET").status(),
        403,
        "an expired URL"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn objects_carry_the_configured_cache_control() {
    let s3 = S3::start();
    let store = store_on(&s3).await;
    let from_bytes = key("photos/p1/preview");
    store
        .put_bytes(&from_bytes, Bytes::from_static(b"preview"), "image/webp")
        .await
        .expect("put_bytes");
    let from_file = key("photos/p1/original");
    let source = s3.scratch().join("upload");
    std::fs::write(&source, b"\xff\xd8\xff original").expect("write source");
    store
        .put_file(&from_file, &source, "image/jpeg")
        .await
        .expect("put_file");

    // What the SDK sees...
    let sdk = sdk_config(&s3.server.endpoint(), SECRET_KEY, NORMAL).await;
    let client = aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::config::Builder::from(&sdk)
            .force_path_style(true)
            .build(),
    );
    for (key, content_type) in [(&from_bytes, "image/webp"), (&from_file, "image/jpeg")] {
        let head = client
            .head_object()
            .bucket(BUCKET)
            .key(key.as_str())
            .send()
            .await
            .expect("head");
        assert_eq!(head.cache_control(), Some(CACHE_CONTROL), "{key}");
        assert_eq!(head.content_type(), Some(content_type), "{key}");
    }
    // ...and what a browser given a presigned URL without overrides gets.
    let url = store
        .presigned_get(&from_file, Duration::from_secs(60), None, None)
        .await
        .expect("presign");
    let response = reqwest::get(&url).await.expect("GET");
    assert_eq!(response.status(), 200);
    assert_eq!(
        response
            .headers()
            .get("cache-control")
            .and_then(|v| v.to_str().ok()),
        Some(CACHE_CONTROL)
    );

    // Without the setting, no Cache-Control is stored.
    let plain = S3BlobStore::new(&sdk, BUCKET);
    let bare = key("photos/p2/preview");
    plain
        .put_bytes(&bare, Bytes::from_static(b"x"), "image/webp")
        .await
        .expect("put");
    let head = client
        .head_object()
        .bucket(BUCKET)
        .key(bare.as_str())
        .send()
        .await
        .expect("head");
    assert_eq!(head.cache_control(), None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_service_is_unavailable_within_seconds_and_nothing_is_lost() {
    let s3 = S3::start();
    store_on(&s3).await;
    let proxy = FaultProxy::start(s3.server.port()).await;
    let sdk = sdk_config(&proxy.endpoint(), SECRET_KEY, SHORT).await;
    let store = S3BlobStore::new(&sdk, BUCKET);
    let stored = key("photos/p1/original");
    store
        .put_bytes(&stored, Bytes::from_static(b"stored before"), "image/jpeg")
        .await
        .expect("put through the proxy");

    proxy.cut();
    let started = Instant::now();
    let fresh = key("photos/p2/original");
    let put = guarded(
        "put_bytes",
        store.put_bytes(&fresh, "new".into(), "image/jpeg"),
    )
    .await;
    assert!(is_unavailable(&put), "put_bytes: {put:?}");
    let opened = guarded("open", store.open(&stored))
        .await
        .map(|blob| blob.len);
    assert!(is_unavailable(&opened), "open: {opened:?}");
    let exists = guarded("exists", store.exists(&stored)).await;
    assert!(is_unavailable(&exists), "exists: {exists:?}");
    let deleted = guarded("delete", store.delete(&stored)).await;
    assert!(is_unavailable(&deleted), "delete: {deleted:?}");
    let source = s3.scratch().join("upload");
    std::fs::write(&source, b"uploaded while cut").expect("write source");
    let put_file = guarded("put_file", store.put_file(&fresh, &source, "image/jpeg")).await;
    assert!(is_unavailable(&put_file), "put_file: {put_file:?}");
    assert!(
        source.exists(),
        "a failed put_file keeps its source for a retry"
    );
    assert!(
        started.elapsed() < HANG_GUARD,
        "all five failures took {:?}",
        started.elapsed()
    );

    proxy.restore().await;
    assert_eq!(
        guarded("read_all", store.read_all(&stored)).await,
        Ok(Bytes::from_static(b"stored before")),
        "the object put before the cut is intact"
    );
    guarded("put_file", store.put_file(&fresh, &source, "image/jpeg"))
        .await
        .expect("put_file after restore");
    assert!(!source.exists());
    assert_eq!(
        store.read_all(&fresh).await,
        Ok(Bytes::from_static(b"uploaded while cut"))
    );
    assert_eq!(store.exists(&fresh).await, Ok(true));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_that_never_answers_times_out() {
    // Accepted by the kernel's backlog, never read or answered: a hung server, not a dead one.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("port");
    let endpoint = format!("http://{}", listener.local_addr().expect("address"));
    let sdk = sdk_config(&endpoint, SECRET_KEY, SHORT).await;
    let store = S3BlobStore::new(&sdk, BUCKET);
    let key = key("photos/p1/original");
    let started = Instant::now();
    let exists = guarded("exists", store.exists(&key)).await;
    assert!(is_unavailable(&exists), "exists: {exists:?}");
    let put = guarded("put_bytes", store.put_bytes(&key, "x".into(), "image/jpeg")).await;
    assert!(is_unavailable(&put), "put_bytes: {put:?}");
    assert!(
        started.elapsed() < HANG_GUARD,
        "took {:?}",
        started.elapsed()
    );
    drop(listener);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_credentials_are_a_backend_error_naming_the_service_code() {
    let s3 = S3::start();
    let good = store_on(&s3).await;
    let stored = key("photos/p1/original");
    good.put_bytes(&stored, Bytes::from_static(b"x"), "image/jpeg")
        .await
        .expect("put");
    let sdk = sdk_config(&s3.server.endpoint(), "not-the-secret", NORMAL).await;
    let store = S3BlobStore::new(&sdk, BUCKET);

    let put = store
        .put_bytes(&key("photos/p2/original"), "x".into(), "image/jpeg")
        .await;
    let opened = store.open(&stored).await.map(|blob| blob.len);
    for (operation, result) in [("put_bytes", put), ("open", opened.map(|_| ()))] {
        match result {
            Err(StorageError::Backend(message)) => assert!(
                message.contains("403") && message.contains("SignatureDoesNotMatch"),
                "{operation}: the status and the service's code are in the message: {message}"
            ),
            other => panic!("{operation} with a wrong secret: {other:?}"),
        }
    }
    // HEAD responses have no body, hence no code: the status says enough.
    let exists = store.exists(&stored).await;
    assert!(
        matches!(&exists, Err(StorageError::Backend(message)) if message.contains("403")),
        "exists: {exists:?}"
    );
    let check = store.check().await;
    assert!(
        matches!(&check, Err(StorageError::Backend(message)) if message.contains("access denied")),
        "check: {check:?}"
    );
}

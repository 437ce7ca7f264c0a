//! The DynamoDB catalog against a real DynamoDB-compatible server (moto): the shared contract,
//! each check on a table of its own in one moto for the whole test binary, plus what only a
//! shared, networked catalog must show: several clients racing for jobs, labels, the first
//! account and one album, an unreachable service, and DynamoDB's limits checked before anything
//! is sent.
//!
//! moto applies concurrent requests without any lock: a conditional update checks its
//! condition, parses, then writes, while other threads write in between; a transaction that is
//! cancelled restores a copy of the whole table taken when it started, erasing what others
//! wrote meanwhile. DynamoDB applies every write, and every transaction, atomically. So the
//! clients reach moto through [`SerialProxy`], which passes one request at a time: clients
//! still race between their requests (a claimer reads the queue, another claims, the first's
//! conditional write then fails), and each request is atomic, as on DynamoDB.

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, SdkConfig};
use aws_sdk_dynamodb::config::{Credentials, Region};
use aws_sdk_dynamodb::types::AttributeValue;
use gaillery_core::api::PhotoEvent;
use gaillery_core::{Label, Month, OwnerId, PhotoId, PhotoStatus, TimelineOrder};
use gaillery_storage::{
    Account, AccountCreated, AccountDeleted, AccountStore, Album, AlbumStore, ApiToken, Catalog,
    EventLog, JobOutcome, LastAdministrator, NewPhoto, PhotoTotals, Session, StorageError,
};
use gaillery_storage_aws::DynamoCatalog;
use gaillery_testkit::proxy::{FaultProxy, SerialProxy};
use gaillery_testkit::servers::{free_port, shared_dynamodb, start_dynamodb, ServerProcess};
use std::collections::{BTreeSet, HashMap, HashSet};
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

const TABLE: &str = "gaillery-test";
/// The longest any call may take while the service is unreachable.
const HANG_GUARD: Duration = Duration::from_secs(20);

/// moto on a port of its own, with its log in a temporary directory, behind a
/// [`SerialProxy`].
struct Moto {
    serial: SerialProxy,
    _server: ServerProcess,
    _dir: tempfile::TempDir,
}

impl Moto {
    /// Where clients reach moto, one request at a time.
    fn endpoint(&self) -> String {
        self.serial.endpoint()
    }
}

async fn moto() -> Moto {
    let dir = tempfile::tempdir().expect("temp dir");
    let log = dir.path().join("moto.log");
    let server = tokio::task::spawn_blocking(move || start_dynamodb(&log))
        .await
        .expect("moto starts");
    let serial = SerialProxy::start(server.port()).await;
    Moto {
        serial,
        _server: server,
        _dir: dir,
    }
}

/// An SDK configuration for `endpoint`, built explicitly (tests run in parallel, so nothing
/// comes from the environment).
async fn sdk(endpoint: &str, attempts: u32, attempt_timeout: Duration) -> SdkConfig {
    aws_config::defaults(BehaviorVersion::latest())
        .endpoint_url(endpoint)
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new("k", "s", None, None, "test"))
        .timeout_config(
            TimeoutConfig::builder()
                .connect_timeout(Duration::from_millis(500))
                .operation_attempt_timeout(attempt_timeout)
                .build(),
        )
        .retry_config(
            RetryConfig::standard()
                .with_max_attempts(attempts)
                .with_initial_backoff(Duration::from_millis(50))
                .with_max_backoff(Duration::from_millis(500)),
        )
        .load()
        .await
}

async fn catalog_at(endpoint: &str) -> DynamoCatalog {
    DynamoCatalog::new(&sdk(endpoint, 3, Duration::from_secs(10)).await, TABLE)
}

/// A catalog on a fresh moto with the table created.
async fn ready() -> (Moto, DynamoCatalog) {
    let moto = moto().await;
    let catalog = catalog_at(&moto.endpoint()).await;
    assert_eq!(catalog.create_table_if_missing().await, Ok(true));
    (moto, catalog)
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

fn new_photo(n: usize, owner: &OwnerId, created_at_ms: i64) -> NewPhoto {
    NewPhoto {
        id: PhotoId::parse(&format!("p{n:04}")).expect("id"),
        owner: owner.clone(),
        filename: format!("IMG_{n:04}.jpg"),
        width: 3000,
        height: 2000,
        taken_at: None,
        format: "jpeg".into(),
        size_bytes: 1_234_567,
        sha256: format!("{n:064x}"),
        placeholder: "3OcRJYB4d3h/iIeHeEh3eIhw+j2w".into(),
        status: PhotoStatus::Queued,
        created_at_ms,
    }
}

fn labels(names: &[&str]) -> Vec<Label> {
    names
        .iter()
        .map(|name| Label {
            label: (*name).to_owned(),
            probability: 0.5,
        })
        .collect()
}

// One test per check, each on a table of its own in the moto this test binary shares.
gaillery_storage::contract_tests!(catalog, listing, labels, timeline, jobs, events, accounts, albums => |check| {
    let catalog = catalog_on_a_fresh_table().await;
    check(&catalog).await;
});

/// Where clients reach the shared moto, through a [`SerialProxy`] that, like the server, lives
/// as long as the test process: so it runs on a thread and runtime of its own, not on a test's.
fn shared_moto_endpoint() -> &'static str {
    static ENDPOINT: OnceLock<String> = OnceLock::new();
    ENDPOINT.get_or_init(|| {
        let moto_port = shared_dynamodb().port();
        let (sender, receiver) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("proxy runtime");
            runtime.block_on(async move {
                let proxy = SerialProxy::start(moto_port).await;
                let _ = sender.send(proxy.endpoint());
                std::future::pending::<()>().await
            })
        });
        receiver.recv().expect("the serial proxy starts")
    })
}

/// A catalog on a new table of the shared moto, the table created.
async fn catalog_on_a_fresh_table() -> DynamoCatalog {
    static TABLES: AtomicU64 = AtomicU64::new(0);
    let endpoint = tokio::task::spawn_blocking(shared_moto_endpoint)
        .await
        .expect("moto starts");
    let table = format!("contract-{}", TABLES.fetch_add(1, Ordering::Relaxed));
    let catalog = DynamoCatalog::new(&sdk(endpoint, 3, Duration::from_secs(10)).await, table);
    assert_eq!(catalog.create_table_if_missing().await, Ok(true));
    catalog
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_table_is_created_once_and_then_checks_out() {
    let catalog = catalog_on_a_fresh_table().await;
    assert_eq!(
        catalog.create_table_if_missing().await,
        Ok(false),
        "creating again finds the table"
    );
    assert_eq!(catalog.check().await, Ok(()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_table_is_reported_with_the_way_out() {
    let moto = moto().await;
    let catalog = catalog_at(&moto.endpoint()).await;
    match catalog.check().await {
        Err(StorageError::Backend(message)) => {
            assert!(message.contains(TABLE), "{message}");
            assert!(message.contains("--create-resources"), "{message}");
        }
        other => panic!("expected a Backend error, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn racing_claimers_on_two_clients_get_each_job_once() {
    let (moto, first) = ready().await;
    let second = catalog_at(&moto.endpoint()).await;
    let owner = OwnerId::local();
    let now = now_ms();
    let mut ids = Vec::new();
    for n in 0..30 {
        let photo = new_photo(n, &owner, now + n as i64);
        ids.push(photo.id.clone());
        first.insert_photo(photo).await.expect("insert");
        assert!(first
            .enqueue_job(&owner, &ids[n], "m", now - 1_000 + n as i64)
            .await
            .expect("enqueue"));
    }
    let (first, second) = (Arc::new(first), Arc::new(second));
    let claimers = [
        (Arc::clone(&first), "one/0"),
        (Arc::clone(&first), "one/1"),
        (Arc::clone(&second), "two/0"),
        (Arc::clone(&second), "two/1"),
    ];
    let tasks: Vec<_> = claimers
        .into_iter()
        .map(|(catalog, worker)| {
            tokio::spawn(async move {
                let mut mine = Vec::new();
                loop {
                    let jobs = catalog
                        .claim_jobs(worker, 3, 60_000, now)
                        .await
                        .expect("claim");
                    if jobs.is_empty() {
                        return mine;
                    }
                    mine.extend(jobs);
                }
            })
        })
        .collect();
    let mut claimed = Vec::new();
    let mut claimers_with_work = 0;
    for task in tasks {
        let mine = task.await.expect("claimer");
        claimers_with_work += usize::from(!mine.is_empty());
        claimed.extend(mine);
    }
    assert!(
        claimed.iter().all(|job| job.attempt == 1),
        "a job was claimed twice: {claimed:?}"
    );
    let mut got: Vec<PhotoId> = claimed.iter().map(|job| job.photo_id.clone()).collect();
    got.sort();
    ids.sort();
    assert_eq!(got, ids, "every job claimed exactly once");
    assert!(claimers_with_work >= 2, "the claimers raced");
    assert!(first
        .claim_jobs("late/0", 10, 60_000, now)
        .await
        .expect("claim")
        .is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_lease_cannot_be_finished_even_when_regained() {
    let (_moto, catalog) = ready().await;
    let owner = OwnerId::local();
    let now = now_ms();
    let photo = new_photo(1, &owner, now);
    let id = photo.id.clone();
    catalog.insert_photo(photo).await.expect("insert");
    assert!(catalog
        .enqueue_job(&owner, &id, "m", now)
        .await
        .expect("enqueue"));
    let old = catalog
        .claim_jobs("w/0", 1, 1_000, now)
        .await
        .expect("claim")
        .remove(0);
    // The lease runs out while the worker is stuck; the same worker name claims it again.
    let new = catalog
        .claim_jobs("w/0", 1, 1_000, now + 1_000)
        .await
        .expect("claim")
        .remove(0);
    assert_eq!((old.attempt, new.attempt), (1, 2));
    let done = |job| {
        let catalog = &catalog;
        async move {
            catalog
                .finish_job(job, "w/0", JobOutcome::Done(labels(&["tabby"])))
                .await
                .expect("finish")
        }
    };
    assert!(!done(&old).await, "the first claim is over");
    assert!(done(&new).await, "the second claim finishes");
    let photo = catalog
        .photo(&owner, &id)
        .await
        .expect("photo")
        .expect("present");
    assert_eq!(
        (photo.status, photo.labels),
        (PhotoStatus::Done, labels(&["tabby"]))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_relabelling_keeps_tags_equal_to_labels() {
    let (moto, first) = ready().await;
    let second = catalog_at(&moto.endpoint()).await;
    let owner = OwnerId::local();
    let photo = new_photo(1, &owner, now_ms());
    let id = photo.id.clone();
    first.insert_photo(photo).await.expect("insert");
    let all: Vec<String> = (0..8).map(|i| format!("label {i}")).collect();
    let writes = (0..8).map(|i| {
        let catalog = if i % 2 == 0 { &first } else { &second };
        let set = labels(&[all[i].as_str(), all[(i + 1) % 8].as_str(), "common"]);
        catalog.set_labels(&owner, &id, set)
    });
    for written in futures::future::join_all(writes).await {
        assert_eq!(written, Ok(true));
    }
    let photo = first
        .photo(&owner, &id)
        .await
        .expect("photo")
        .expect("present");
    let expected: Vec<(String, u64)> = photo
        .labels
        .iter()
        .map(|label| (label.label.clone(), 1))
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let counts: Vec<(String, u64)> = first
        .tag_counts(&owner)
        .await
        .expect("counts")
        .into_iter()
        .map(|count| (count.tag, count.count))
        .collect();
    assert_eq!(counts, expected, "one count per label of the last write");
    for label in all.iter().chain([&"common".to_owned()]) {
        let found = first
            .list_photos_tagged(&owner, &[vec![label.clone()]], None, 10)
            .await
            .expect("search")
            .photos
            .len();
        let carried = photo.labels.iter().any(|l| &l.label == label);
        assert_eq!(found, usize::from(carried), "search for {label:?}");
    }

    // A deletion racing a relabelling: either way, no tag outlives the photo.
    let (deleted, relabelled) = tokio::join!(
        second.delete_photo(&owner, &id),
        first.set_labels(&owner, &id, labels(&["late"]))
    );
    assert_eq!(deleted, Ok(true));
    assert!(relabelled.is_ok(), "{relabelled:?}");
    assert_eq!(first.tag_counts(&owner).await, Ok(vec![]));
    assert_eq!(
        first.photo_totals(&owner).await.map(|totals| totals.photos),
        Ok(0)
    );
}

/// Every page of a tag search, concatenated.
async fn search_all(
    catalog: &DynamoCatalog,
    owner: &OwnerId,
    groups: &[Vec<String>],
    limit: usize,
) -> Vec<PhotoId> {
    let mut ids = Vec::new();
    let mut cursor: Option<String> = None;
    for _ in 0..100 {
        let page = catalog
            .list_photos_tagged(owner, groups, cursor.as_deref(), limit)
            .await
            .expect("search");
        assert!(page.photos.len() <= limit);
        ids.extend(page.photos.into_iter().map(|photo| photo.id));
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => return ids,
        }
    }
    panic!("the search does not end");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tag_searches_merge_labels_newest_first_across_pages() {
    let (_moto, catalog) = ready().await;
    let owner = OwnerId("searcher".into());
    let base = 1_795_705_445_123;
    let mut photos = Vec::new();
    for n in 0..40 {
        // Runs of three photos share an instant; some predate 1970.
        let created = base - 3_000_000_000_000 * i64::from(n % 4 == 0) + (n as i64 / 3) * 1_000;
        let mut names = Vec::new();
        for (label, every) in [("tabby", 2), ("tiger cat", 3), ("sand", 5), ("sea", 7)] {
            if n % every == 0 {
                names.push(label);
            }
        }
        let photo = new_photo(n, &owner, created);
        catalog.insert_photo(photo.clone()).await.expect("insert");
        catalog
            .set_labels(&owner, &photo.id, labels(&names))
            .await
            .expect("labels");
        photos.push((photo, names));
    }
    let expected = |groups: &[&[&str]]| -> Vec<PhotoId> {
        let mut matching: Vec<&NewPhoto> = photos
            .iter()
            .filter(|(_, names)| {
                groups
                    .iter()
                    .all(|group| group.iter().any(|wanted| names.contains(wanted)))
            })
            .map(|(photo, _)| photo)
            .collect();
        matching.sort_by(|a, b| (b.created_at_ms, &b.id).cmp(&(a.created_at_ms, &a.id)));
        matching.into_iter().map(|photo| photo.id.clone()).collect()
    };
    let owned = |groups: &[&[&str]]| -> Vec<Vec<String>> {
        groups
            .iter()
            .map(|group| group.iter().map(|l| (*l).to_owned()).collect())
            .collect()
    };
    for groups in [
        &[&["tabby", "tiger cat", "lynx"][..]][..],
        &[&["tabby", "tiger cat"][..], &["sand", "sea"][..]][..],
        &[&["sea"][..], &["tabby"][..]][..],
        &[&["unicorn"][..], &["tabby"][..]][..],
    ] {
        for limit in [1, 4, 7, 60] {
            assert_eq!(
                search_all(&catalog, &owner, &owned(groups), limit).await,
                expected(groups),
                "groups {groups:?} by {limit}"
            );
        }
    }
}

/// Runs `call`, which must fail as `Unavailable` within the hang guard.
async fn unavailable<T: std::fmt::Debug>(
    what: &str,
    call: impl Future<Output = Result<T, StorageError>>,
) {
    let started = Instant::now();
    match tokio::time::timeout(HANG_GUARD, call).await {
        Ok(Err(StorageError::Unavailable(_))) => {}
        Ok(other) => panic!("{what}: expected Unavailable, got {other:?}"),
        Err(_) => panic!("{what}: still hanging after {HANG_GUARD:?}"),
    }
    assert!(started.elapsed() < HANG_GUARD, "{what}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_service_is_unavailable_and_nothing_is_lost() {
    let (moto, _direct) = ready().await;
    let proxy = FaultProxy::start(moto.serial.port()).await;
    let catalog = DynamoCatalog::new(
        &sdk(&proxy.endpoint(), 2, Duration::from_secs(2)).await,
        TABLE,
    );
    let owner = OwnerId::local();
    let now = now_ms();
    let first = new_photo(1, &owner, now);
    catalog.insert_photo(first.clone()).await.expect("insert");
    assert!(catalog
        .enqueue_job(&owner, &first.id, "m", now)
        .await
        .expect("enqueue"));

    proxy.cut();
    let second = new_photo(2, &owner, now + 1);
    unavailable("insert", catalog.insert_photo(second.clone())).await;
    unavailable("photo", catalog.photo(&owner, &first.id)).await;
    unavailable("list", catalog.list_photos(&owner, None, 10)).await;
    unavailable("count", catalog.photo_totals(&owner)).await;
    unavailable("claim", catalog.claim_jobs("w/0", 1, 60_000, now)).await;
    unavailable(
        "labels",
        catalog.set_labels(&owner, &first.id, labels(&["tabby"])),
    )
    .await;
    unavailable(
        "append",
        catalog.append_event(&owner, "a", &PhotoEvent::queued(first.id.clone()), now),
    )
    .await;
    unavailable("check", catalog.check()).await;

    proxy.restore().await;
    assert!(
        catalog
            .insert_photo(second.clone())
            .await
            .expect("insert")
            .is_created(),
        "the insert that failed was not half-done"
    );
    let listed: Vec<PhotoId> = catalog
        .list_photos(&owner, None, 10)
        .await
        .expect("list")
        .photos
        .into_iter()
        .map(|photo| photo.id)
        .collect();
    assert_eq!(listed, vec![second.id.clone(), first.id.clone()]);
    assert_eq!(
        catalog
            .photo_totals(&owner)
            .await
            .map(|totals| totals.photos),
        Ok(2)
    );
    let job = catalog
        .claim_jobs("w/0", 5, 60_000, now)
        .await
        .expect("claim");
    assert_eq!(job.len(), 1, "the queued job survived");
    assert_eq!(job[0].photo_id, first.id);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oversize_items_and_keys_are_refused_without_being_sent() {
    // Nothing listens here: any request that went out would come back Unavailable.
    let endpoint = format!("http://127.0.0.1:{}", free_port());
    let catalog = DynamoCatalog::new(&sdk(&endpoint, 1, Duration::from_secs(2)).await, TABLE);
    let owner = OwnerId::local();
    let refused = |result: Result<_, StorageError>, limit: &str| match result {
        Err(StorageError::Backend(message)) => {
            assert!(message.contains(limit), "{message} should name {limit}")
        }
        other => panic!("expected a Backend error naming {limit}, got {other:?}"),
    };

    let huge = NewPhoto {
        filename: "x".repeat(400_000),
        ..new_photo(1, &owner, 0)
    };
    refused(catalog.insert_photo(huge).await.map(|_| ()), "400 KB");
    // Fits DynamoDB's limit alone, but leaves no room for labels and a status reason.
    let nearly = NewPhoto {
        filename: "x".repeat(390_000),
        ..new_photo(1, &owner, 0)
    };
    refused(catalog.insert_photo(nearly).await.map(|_| ()), "400 KB");
    let long_owner = OwnerId("o".repeat(3_000));
    refused(
        catalog
            .insert_photo(new_photo(1, &long_owner, 0))
            .await
            .map(|_| ()),
        "2048",
    );
    refused(
        catalog
            .photo_totals(&long_owner)
            .await
            .map(|totals| totals.photos)
            .map(|_| ()),
        "2048",
    );
    let long_label = "l".repeat(2_000);
    refused(
        catalog
            .set_labels(&owner, &new_photo(1, &owner, 0).id, labels(&[&long_label]))
            .await
            .map(|_| ()),
        "1024",
    );
    refused(
        catalog
            .append_event(
                &owner,
                &"origin".repeat(200),
                &PhotoEvent::queued(new_photo(1, &owner, 0).id),
                0,
            )
            .await,
        "1024",
    );
    // The same catalog does try the network for a request within the limits.
    assert!(matches!(
        catalog
            .photo_totals(&owner)
            .await
            .map(|totals| totals.photos),
        Err(StorageError::Unavailable(_))
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn large_items_within_the_limits_are_stored() {
    let (_moto, catalog) = ready().await;
    let owner = OwnerId("o".repeat(1_500));
    let photo = NewPhoto {
        filename: "é".repeat(150_000),
        ..new_photo(1, &owner, -1)
    };
    assert!(catalog
        .insert_photo(photo.clone())
        .await
        .expect("insert")
        .is_created());
    let names: Vec<String> = (0..24)
        .map(|i| format!("{i} {}", "l".repeat(400)))
        .collect();
    let many = labels(&names.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(
        catalog.set_labels(&owner, &photo.id, many.clone()).await,
        Ok(true)
    );
    let long_reason = "why ".repeat(10_000);
    assert_eq!(
        catalog
            .set_status(&owner, &photo.id, PhotoStatus::Failed, Some(long_reason))
            .await,
        Ok(true)
    );
    let stored = catalog
        .photo(&owner, &photo.id)
        .await
        .expect("photo")
        .expect("present");
    assert_eq!(stored.labels, many);
    let reason = stored.status_reason.expect("a reason");
    assert!(
        reason.len() <= 4096 && reason.starts_with("why why"),
        "clipped: {}",
        reason.len()
    );
    let ids: HashSet<PhotoId> = catalog
        .delete_all_photos(&owner)
        .await
        .expect("delete all")
        .into_iter()
        .collect();
    assert_eq!(ids, HashSet::from([photo.id]));
    assert_eq!(catalog.tag_counts(&owner).await, Ok(vec![]));
}

fn account(n: usize) -> Account {
    Account {
        id: OwnerId(format!("account-{n}")),
        username: format!("Person {n}"),
        password_hash: "hash".into(),
        admin: n == 0,
        created_at_ms: 1_000,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_clients_setting_up_at_once_create_one_first_account() {
    let (moto, first) = ready().await;
    let second = catalog_at(&moto.endpoint()).await;
    let attempts = (0..8).map(|n| {
        let catalog = if n % 2 == 0 { &first } else { &second };
        catalog.create_account(account(n), true)
    });
    let outcomes = futures::future::join_all(attempts).await;
    let created = outcomes
        .iter()
        .filter(|outcome| **outcome == Ok(AccountCreated::Created))
        .count();
    assert_eq!(created, 1, "{outcomes:?}");
    assert_eq!(second.count_accounts().await, Ok(1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_account_with_more_than_one_transaction_of_sessions_is_deleted_whole() {
    let (_moto, catalog) = ready().await;
    let (gone, kept) = (account(1), account(2));
    for person in [&gone, &kept] {
        assert_eq!(
            catalog.create_account(person.clone(), false).await,
            Ok(AccountCreated::Created)
        );
    }
    let now = now_ms();
    // 80 sessions and tokens, two items each: more than one transaction holds.
    let mut hashes = Vec::new();
    for n in 0..70 {
        let session = Session {
            token_hash: format!("{n:064x}"),
            owner: gone.id.clone(),
            created_at_ms: now,
            expires_at_ms: now + 60_000,
        };
        assert_eq!(catalog.create_session(session).await, Ok(true));
        hashes.push(format!("{n:064x}"));
    }
    for n in 0..10 {
        let token = ApiToken {
            id: format!("t{n}"),
            owner: gone.id.clone(),
            name: "script".into(),
            token_hash: format!("{:064x}", 1_000 + n),
            created_at_ms: now,
        };
        assert_eq!(catalog.create_api_token(token).await, Ok(true));
    }
    let survivor = Session {
        token_hash: "f".repeat(64),
        owner: kept.id.clone(),
        created_at_ms: now,
        expires_at_ms: now + 60_000,
    };
    assert_eq!(catalog.create_session(survivor.clone()).await, Ok(true));

    assert_eq!(
        catalog
            .delete_account(&gone.id, LastAdministrator::MayGo)
            .await,
        Ok(AccountDeleted::Deleted)
    );
    assert_eq!(catalog.account(&gone.id).await, Ok(None));
    for hash in &hashes {
        assert_eq!(catalog.session(hash, now).await, Ok(None));
    }
    assert_eq!(catalog.api_tokens_of(&gone.id).await, Ok(vec![]));
    assert_eq!(catalog.sessions_of(&gone.id, now).await, Ok(vec![]));
    assert_eq!(
        catalog.session(&survivor.token_hash, now).await,
        Ok(Some(survivor))
    );
    assert_eq!(catalog.list_accounts().await, Ok(vec![kept]));
    assert_eq!(catalog.count_accounts().await, Ok(1));
}

fn album(id: &str, now: i64) -> Album {
    Album {
        id: id.into(),
        owner: OwnerId::local(),
        title: format!("album {id}"),
        cover: None,
        photo_count: 0,
        created_at_ms: now,
        updated_at_ms: now,
    }
}

/// Every photo of the album, in album order.
async fn album_photos(catalog: &DynamoCatalog, id: &str) -> Vec<PhotoId> {
    let page = catalog
        .album_photo_ids(&OwnerId::local(), id, None, 200)
        .await
        .expect("album photos");
    assert_eq!(page.next_cursor, None, "the album fits one page");
    page.photo_ids
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_clients_filling_and_reordering_one_album_agree_on_it() {
    let (moto, first) = ready().await;
    let second = catalog_at(&moto.endpoint()).await;
    let owner = OwnerId::local();
    let now = now_ms();
    first.create_album(album("a", now)).await.expect("create");
    let photos: Vec<PhotoId> = (0..40)
        .map(|n| PhotoId::parse(&format!("p{n:04}")).expect("id"))
        .collect();
    // Four overlapping halves, each photo in two of them.
    let adds = (0..4).map(|k| {
        let catalog = if k % 2 == 0 { &first } else { &second };
        let mine: Vec<PhotoId> = (0..20).map(|i| photos[(k * 10 + i) % 40].clone()).collect();
        let owner = &owner;
        async move { catalog.add_to_album(owner, "a", &mine, now).await }
    });
    let added: Vec<_> = futures::future::join_all(adds).await;
    let total: u64 = added
        .iter()
        .map(|a| a.clone().expect("add").expect("album"))
        .sum();
    assert_eq!(total, 40, "each photo added once: {added:?}");
    let listed = album_photos(&first, "a").await;
    assert_eq!(
        listed.iter().collect::<BTreeSet<_>>(),
        photos.iter().collect::<BTreeSet<_>>()
    );
    assert_eq!(listed.len(), 40, "no photo twice");

    // Racing moves: every one lands, and the album stays a permutation of its photos.
    let moves = (0..4).map(|k| {
        let catalog = if k % 2 == 0 { &first } else { &second };
        let photos = &photos;
        async move {
            for round in 0..6 {
                let photo = &photos[(k * 7 + round * 3) % 40];
                let before = (round % 3 != 0).then(|| &photos[(k + round * 5) % 40]);
                let moved = catalog
                    .move_in_album(&OwnerId::local(), "a", photo, before, now + 1)
                    .await;
                assert_eq!(moved, Ok(true), "move {photo} before {before:?}");
            }
        }
    });
    futures::future::join_all(moves).await;
    let reordered = album_photos(&second, "a").await;
    assert_eq!(reordered.len(), 40);
    assert_eq!(
        reordered.iter().collect::<BTreeSet<_>>(),
        photos.iter().collect::<BTreeSet<_>>()
    );
    let stored = first
        .album(&owner, "a")
        .await
        .expect("album")
        .expect("present");
    assert_eq!(stored.photo_count, 40);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_album_deleted_while_photos_are_added_leaves_nothing_behind() {
    let (moto, first) = ready().await;
    let second = catalog_at(&moto.endpoint()).await;
    let owner = OwnerId::local();
    let now = now_ms();
    first.create_album(album("a", now)).await.expect("create");
    let photos: Vec<PhotoId> = (0..150)
        .map(|n| PhotoId::parse(&format!("p{n:04}")).expect("id"))
        .collect();
    // Added in several transactions, while the other client deletes the album.
    first
        .add_to_album(&owner, "a", &photos[..30], now)
        .await
        .expect("add");
    let (added, deleted) = tokio::join!(
        first.add_to_album(&owner, "a", &photos[30..], now),
        second.delete_album(&owner, "a")
    );
    assert!(added.is_ok(), "{added:?}");
    assert_eq!(deleted, Ok(true));
    assert_eq!(first.album(&owner, "a").await, Ok(None));
    assert_eq!(album_photos(&first, "a").await, Vec::<PhotoId>::new());
    for photo in &photos {
        assert_eq!(
            first.albums_of_photo(&owner, photo).await,
            Ok(vec![]),
            "{photo} left an entry behind"
        );
    }
}

/// A photo count item written before bytes were counted holds `n` alone; photos added since
/// add their bytes to nothing. The first read sums the sizes once, and from then on the
/// totals follow inserts and deletions.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn photo_bytes_from_before_they_were_counted_are_summed_once() {
    let endpoint = tokio::task::spawn_blocking(shared_moto_endpoint)
        .await
        .expect("moto starts");
    let config = sdk(endpoint, 3, Duration::from_secs(10)).await;
    let table = "bytes-from-before";
    let catalog = DynamoCatalog::new(&config, table);
    assert_eq!(catalog.create_table_if_missing().await, Ok(true));
    let owner = OwnerId("older".into());
    let size = new_photo(0, &owner, 0).size_bytes;
    for n in 0..3 {
        catalog
            .insert_photo(new_photo(n, &owner, 1_000 + n as i64))
            .await
            .expect("insert");
    }
    // What a release before bytes were counted left: the count alone.
    let count_key = [
        ("pk".to_owned(), AttributeValue::S("O#older".into())),
        ("sk".to_owned(), AttributeValue::S("N".into())),
    ];
    let raw = aws_sdk_dynamodb::Client::new(&config);
    raw.update_item()
        .table_name(table)
        .set_key(Some(count_key.clone().into()))
        .update_expression("REMOVE b, w, bc")
        .send()
        .await
        .expect("back to the old shape");
    // A photo uploaded after the upgrade counts its own bytes only.
    catalog
        .insert_photo(new_photo(3, &owner, 1_003))
        .await
        .expect("insert");
    let totals = |photos: u64| PhotoTotals {
        photos,
        bytes: photos * size,
    };
    assert_eq!(catalog.photo_totals(&owner).await, Ok(totals(4)));
    let item = raw
        .get_item()
        .table_name(table)
        .set_key(Some(count_key.into()))
        .consistent_read(true)
        .send()
        .await
        .expect("read")
        .item
        .expect("the count item");
    assert_eq!(item.get("bc"), Some(&AttributeValue::Bool(true)));
    assert_eq!(
        item.get("b"),
        Some(&AttributeValue::N((4 * size).to_string()))
    );

    catalog
        .delete_photo(&owner, &new_photo(1, &owner, 0).id)
        .await
        .expect("delete");
    assert_eq!(catalog.photo_totals(&owner).await, Ok(totals(3)));
    catalog.delete_all_photos(&owner).await.expect("delete all");
    assert_eq!(catalog.photo_totals(&owner).await, Ok(totals(0)));
}

/// A photo item as a release before the timeline wrote it (see `new_photo_item`): no
/// `ls`, so its tag memberships are those of every label.
fn legacy_photo_item(new: &NewPhoto, labels: &[Label]) -> HashMap<String, AttributeValue> {
    let s = |value: &str| AttributeValue::S(value.to_owned());
    let n = |value: i64| AttributeValue::N(value.to_string());
    let mut item = HashMap::from([
        ("pk".to_owned(), s(&format!("O#{}", new.owner.0))),
        ("sk".to_owned(), s(&format!("P#{}", new.id))),
        ("lsk".to_owned(), s(&position(new.created_at_ms, &new.id))),
        ("id".to_owned(), s(new.id.as_str())),
        ("filename".to_owned(), s(&new.filename)),
        ("width".to_owned(), n(new.width.into())),
        ("height".to_owned(), n(new.height.into())),
        ("format".to_owned(), s(&new.format)),
        ("size_bytes".to_owned(), n(new.size_bytes as i64)),
        ("sha256".to_owned(), s(&new.sha256)),
        ("placeholder".to_owned(), s(&new.placeholder)),
        ("status".to_owned(), s(new.status.as_str())),
        (
            "labels".to_owned(),
            s(&serde_json::to_string(labels).expect("json")),
        ),
        ("created_at_ms".to_owned(), n(new.created_at_ms)),
        ("version".to_owned(), n(1)),
    ]);
    if let Some(taken_at) = &new.taken_at {
        item.insert("taken_at".to_owned(), s(taken_at));
    }
    item
}

/// `{time}#{id}` as the table writes positions.
fn position(time: i64, id: &PhotoId) -> String {
    format!("{:020}#{id}", (time as u64) ^ (1 << 63))
}

/// Every item of a table whose `pk` starts with `prefix`.
async fn items_under(
    raw: &aws_sdk_dynamodb::Client,
    table: &str,
    prefix: &str,
) -> Vec<HashMap<String, AttributeValue>> {
    raw.scan()
        .table_name(table)
        .filter_expression("begins_with(pk, :prefix)")
        .expression_attribute_values(":prefix", AttributeValue::S(prefix.to_owned()))
        .consistent_read(true)
        .send()
        .await
        .expect("scan")
        .items
        .unwrap_or_default()
}

/// Photos written before the timeline had month items: an older release wrote the photo, its
/// claim, the count and a membership and count per label, unsure ones included. The first
/// timeline read counts their months once (after new photos came and old ones went); then
/// writes keep the counts, and unsure legacy labels never find a photo nor outlive it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn photos_from_before_the_timeline_are_counted_once() {
    let endpoint = tokio::task::spawn_blocking(shared_moto_endpoint)
        .await
        .expect("moto starts");
    let config = sdk(endpoint, 3, Duration::from_secs(10)).await;
    let table = "months-from-before";
    let catalog = DynamoCatalog::new(&config, table);
    assert_eq!(catalog.create_table_if_missing().await, Ok(true));
    let raw = aws_sdk_dynamodb::Client::new(&config);
    let owner = OwnerId("older".into());
    let put = |item: HashMap<String, AttributeValue>| {
        raw.put_item().table_name(table).set_item(Some(item)).send()
    };
    // 2023-06-01 and 2023-07-01, in milliseconds.
    let (june, july) = (1_685_577_600_000, 1_688_169_600_000);
    let sure_and_unsure = vec![
        Label {
            label: "tabby".into(),
            probability: 0.9,
        },
        Label {
            label: "lynx".into(),
            probability: 0.01,
        },
    ];
    let mut old = Vec::new();
    for (n, taken_at, created_at_ms) in [
        (0, Some("2019-05-04T10:00:00"), june),
        (1, Some("2019-05-20T10:00:00"), june + 1),
        (2, Some("2019-06-01T00:00:00"), june + 2),
        (3, None, july),
        (4, Some("2019-05-20T10:00:00"), july + 1),
    ] {
        let mut photo = new_photo(n, &owner, created_at_ms);
        photo.taken_at = taken_at.map(str::to_owned);
        let names = if n == 1 {
            &sure_and_unsure[..]
        } else {
            &[][..]
        };
        put(legacy_photo_item(&photo, names)).await.expect("photo");
        let claim = HashMap::from([
            ("pk".to_owned(), AttributeValue::S("O#older".into())),
            (
                "sk".to_owned(),
                AttributeValue::S(format!("H#{}", photo.sha256)),
            ),
            (
                "photo_id".to_owned(),
                AttributeValue::S(photo.id.to_string()),
            ),
        ]);
        put(claim).await.expect("claim");
        for label in names {
            let member = HashMap::from([
                (
                    "pk".to_owned(),
                    AttributeValue::S(format!("T#5#older#{}", label.label)),
                ),
                (
                    "sk".to_owned(),
                    AttributeValue::S(position(created_at_ms, &photo.id)),
                ),
            ]);
            put(member).await.expect("membership");
            let count = HashMap::from([
                ("pk".to_owned(), AttributeValue::S("O#older".into())),
                (
                    "sk".to_owned(),
                    AttributeValue::S(format!("C#{}", label.label)),
                ),
                ("n".to_owned(), AttributeValue::N("1".into())),
            ]);
            put(count).await.expect("tag count");
        }
        old.push(photo);
    }
    let size = old[0].size_bytes;
    let count = HashMap::from([
        ("pk".to_owned(), AttributeValue::S("O#older".into())),
        ("sk".to_owned(), AttributeValue::S("N".into())),
        ("n".to_owned(), AttributeValue::N("5".into())),
        ("b".to_owned(), AttributeValue::N((5 * size).to_string())),
        ("w".to_owned(), AttributeValue::N("5".into())),
        ("bc".to_owned(), AttributeValue::Bool(true)),
    ]);
    put(count).await.expect("count");

    // After the upgrade, before any timeline read: one photo comes, one goes (its counts
    // fall below zero, since it was never counted).
    let mut new = new_photo(10, &owner, july + 10);
    new.taken_at = Some("2019-05-10T10:00:00".into());
    catalog.insert_photo(new.clone()).await.expect("insert");
    assert_eq!(catalog.delete_photo(&owner, &old[2].id).await, Ok(true));

    let months = |order: TimelineOrder| {
        let catalog = &catalog;
        let owner = &owner;
        async move {
            catalog
                .timeline(owner, order, &[])
                .await
                .expect("timeline")
                .into_iter()
                .map(|c| (c.month.to_string(), c.count))
                .collect::<Vec<_>>()
        }
    };
    let month_ids = |order: TimelineOrder, month: &str, limit: usize| {
        let catalog = &catalog;
        let owner = &owner;
        let month = Month::parse(month).expect("month");
        async move {
            let mut ids = Vec::new();
            let mut cursor: Option<String> = None;
            loop {
                let page = catalog
                    .list_month(owner, order, month, &[], cursor.as_deref(), limit)
                    .await
                    .expect("month");
                ids.extend(page.photos.into_iter().map(|p| p.id));
                match page.next_cursor {
                    Some(next) => cursor = Some(next),
                    None => return ids,
                }
            }
        }
    };
    let pairs = |raw: &[(&str, u64)]| -> Vec<(String, u64)> {
        raw.iter().map(|(m, n)| ((*m).to_owned(), *n)).collect()
    };
    assert_eq!(
        months(TimelineOrder::Taken).await,
        pairs(&[("2023-07", 1), ("2019-05", 4)])
    );
    assert_eq!(
        months(TimelineOrder::Uploaded).await,
        pairs(&[("2023-07", 3), ("2023-06", 2)])
    );
    // 2019-05 by date taken: the 20th twice (by id, descending), the 10th, the 4th.
    let may = vec![
        old[4].id.clone(),
        old[1].id.clone(),
        new.id.clone(),
        old[0].id.clone(),
    ];
    for limit in [1, 3, 10] {
        assert_eq!(month_ids(TimelineOrder::Taken, "2019-05", limit).await, may);
    }
    assert_eq!(
        month_ids(TimelineOrder::Uploaded, "2023-06", 1).await,
        vec![old[1].id.clone(), old[0].id.clone()]
    );
    let count_item = raw
        .get_item()
        .table_name(table)
        .key("pk", AttributeValue::S("O#older".into()))
        .key("sk", AttributeValue::S("N".into()))
        .consistent_read(true)
        .send()
        .await
        .expect("read")
        .item
        .expect("the count item");
    assert_eq!(count_item.get("mc"), Some(&AttributeValue::Bool(true)));

    // Counted once: from now on writes keep the counts.
    let mut newer = new_photo(11, &owner, july + 11);
    newer.taken_at = Some("2019-06-15T10:00:00".into());
    catalog.insert_photo(newer).await.expect("insert");
    assert_eq!(catalog.delete_photo(&owner, &old[0].id).await, Ok(true));
    assert_eq!(
        months(TimelineOrder::Taken).await,
        pairs(&[("2023-07", 1), ("2019-06", 1), ("2019-05", 3)])
    );

    // The legacy membership of an unsure label finds nothing; its count stays until the
    // photo is relabelled, which removes both without going below zero.
    let lynx = vec![vec!["lynx".to_owned()]];
    let found = catalog
        .list_photos_tagged(&owner, &lynx, None, 10)
        .await
        .expect("search");
    assert!(
        found.photos.is_empty(),
        "an unsure legacy label finds nothing"
    );
    let tagged = catalog.timeline(&owner, TimelineOrder::Taken, &lynx).await;
    assert_eq!(tagged, Ok(vec![]));
    assert_eq!(
        catalog
            .set_labels(&owner, &old[1].id, sure_and_unsure.clone())
            .await,
        Ok(true)
    );
    let counts: Vec<(String, u64)> = catalog
        .tag_counts(&owner)
        .await
        .expect("counts")
        .into_iter()
        .map(|c| (c.tag, c.count))
        .collect();
    assert_eq!(counts, vec![("tabby".to_owned(), 1)]);
    assert_eq!(items_under(&raw, table, "T#5#older#lynx").await.len(), 0);

    // Deleting everything leaves no membership, and every count at zero.
    catalog.delete_all_photos(&owner).await.expect("delete all");
    assert_eq!(months(TimelineOrder::Taken).await, vec![]);
    assert_eq!(months(TimelineOrder::Uploaded).await, vec![]);
    for prefix in ["T#", "D#"] {
        assert_eq!(items_under(&raw, table, prefix).await, vec![], "{prefix}");
    }
    for counter in items_under(&raw, table, "O#older").await {
        if let Some(n) = counter.get("n") {
            assert_eq!(n, &AttributeValue::N("0".into()), "{counter:?}");
        }
    }
}

/// The months of photos from before are counted while other clients insert and delete: the
/// counts come out equal to the listing however the writes fall.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn months_counted_during_writes_stay_exact() {
    let endpoint = tokio::task::spawn_blocking(shared_moto_endpoint)
        .await
        .expect("moto starts");
    let config = sdk(endpoint, 3, Duration::from_secs(10)).await;
    let table = "months-during-writes";
    let catalog = DynamoCatalog::new(&config, table);
    assert_eq!(catalog.create_table_if_missing().await, Ok(true));
    let writer = DynamoCatalog::new(&config, table);
    let raw = aws_sdk_dynamodb::Client::new(&config);
    let owner = OwnerId("racer".into());
    let taken = |n: usize| format!("2020-0{}-1{}T10:00:00", 1 + n % 3, n % 10);
    let mut old = Vec::new();
    for n in 0..30 {
        let mut photo = new_photo(n, &owner, 1_000 + n as i64);
        photo.taken_at = Some(taken(n));
        raw.put_item()
            .table_name(table)
            .set_item(Some(legacy_photo_item(&photo, &[])))
            .send()
            .await
            .expect("photo");
        old.push(photo.id);
    }
    raw.put_item()
        .table_name(table)
        .item("pk", AttributeValue::S("O#racer".into()))
        .item("sk", AttributeValue::S("N".into()))
        .item("n", AttributeValue::N("30".into()))
        .item("w", AttributeValue::N("30".into()))
        .send()
        .await
        .expect("count");

    let writes = async {
        for n in 100..120 {
            let mut photo = new_photo(n, &owner, 2_000 + n as i64);
            photo.taken_at = Some(taken(n));
            writer.insert_photo(photo).await.expect("insert");
            let gone = &old[n - 100];
            assert_eq!(writer.delete_photo(&owner, gone).await, Ok(true));
        }
    };
    let reads = async {
        for _ in 0..5 {
            match catalog.timeline(&owner, TimelineOrder::Taken, &[]).await {
                Ok(_) | Err(StorageError::Unavailable(_)) => {}
                Err(other) => panic!("timeline: {other}"),
            }
        }
    };
    tokio::join!(writes, reads);

    let mut listed = Vec::new();
    for month in ["2020-03", "2020-02", "2020-01"] {
        let page = catalog
            .list_month(
                &owner,
                TimelineOrder::Taken,
                Month::parse(month).expect("month"),
                &[],
                None,
                100,
            )
            .await
            .expect("month");
        listed.push((month.to_owned(), page.photos.len() as u64));
    }
    assert_eq!(listed.iter().map(|(_, n)| n).sum::<u64>(), 30);
    let counted: Vec<(String, u64)> = catalog
        .timeline(&owner, TimelineOrder::Taken, &[])
        .await
        .expect("timeline")
        .into_iter()
        .map(|c| (c.month.to_string(), c.count))
        .collect();
    assert_eq!(counted, listed);
}

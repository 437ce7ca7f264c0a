//! Several servers on one S3 bucket and one DynamoDB table: each server a real `gaillery`
//! process, the bucket in `s3s-fs` and the table in `moto_server`, all on 127.0.0.1 and started
//! here. Between the servers and the storage services sit proxies that a test can cut, which to
//! the servers is the same as the service going away.
//!
//! What is checked: photos uploaded through one server are listed, served and watched live
//! through another; the jobs of a server killed mid-batch are finished by another once their
//! lease runs out, and no job's outcome is recorded twice; storage outages give clear 503s,
//! leave nothing half-visible, and work resumes by itself when the service is back.

use crate::classification::Events;
use crate::support::{model_dir, signed_in_client, upload_to, ADMIN};
use gaillery_core::api::UploadResponse;
use gaillery_core::{Photo, PhotoStatus};
use gaillery_testkit::proxy::{FaultProxy, SerialProxy};
use gaillery_testkit::servers::{self, ServerProcess, ACCESS_KEY, REGION, SECRET_KEY};
use std::collections::HashMap;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub(crate) const BUCKET: &str = "gaillery-cluster";
const TABLE: &str = "gaillery-cluster";

/// The storage services and the proxies in front of them. moto is also behind a
/// `SerialProxy`, which makes each of its requests atomic as on DynamoDB (see testkit).
pub(crate) struct Backends {
    pub(crate) dir: tempfile::TempDir,
    _s3: ServerProcess,
    _dynamodb: ServerProcess,
    dynamodb_serial: SerialProxy,
    s3_proxy: FaultProxy,
    dynamodb_proxy: FaultProxy,
}

impl Backends {
    /// `gaillery SUBCOMMAND` on the shared bucket and table, through the proxies, with the
    /// test servers' credentials and nothing else of the machine's AWS configuration.
    pub(crate) fn command(&self, subcommand: &[&str], data_dir: &std::path::Path) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_gaillery"));
        command
            .args(subcommand)
            .args(["--storage", "aws", "--create-resources"])
            .args(["--s3-bucket", BUCKET, "--dynamodb-table", TABLE])
            .arg("--data-dir")
            .arg(data_dir)
            .env("AWS_ACCESS_KEY_ID", ACCESS_KEY)
            .env("AWS_SECRET_ACCESS_KEY", SECRET_KEY)
            .env("AWS_REGION", REGION)
            .env("AWS_ENDPOINT_URL_S3", self.s3_proxy.endpoint())
            .env("AWS_ENDPOINT_URL_DYNAMODB", self.dynamodb_proxy.endpoint())
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .env("AWS_CONFIG_FILE", "/nonexistent")
            .env("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent");
        command
    }

    pub(crate) async fn start() -> Backends {
        let dir = tempfile::tempdir().expect("temp dir");
        let (s3_dir, moto_log) = (dir.path().join("s3"), dir.path().join("moto.log"));
        let (s3, dynamodb) = tokio::task::spawn_blocking(move || {
            (
                servers::start_s3(&s3_dir),
                servers::start_dynamodb(&moto_log),
            )
        })
        .await
        .expect("storage servers start");
        let dynamodb_serial = SerialProxy::start(dynamodb.port()).await;
        let s3_proxy = FaultProxy::start(s3.port()).await;
        let dynamodb_proxy = FaultProxy::start(dynamodb_serial.port()).await;
        Backends {
            dir,
            _s3: s3,
            _dynamodb: dynamodb,
            dynamodb_serial,
            s3_proxy,
            dynamodb_proxy,
        }
    }
}

/// One `gaillery serve --storage aws` process; killed when dropped.
pub(crate) struct Node {
    pub(crate) base: String,
    log: PathBuf,
    child: Child,
    pub(crate) client: reqwest::Client,
}

impl Node {
    /// Starts a server on the shared bucket and table and waits until it answers.
    pub(crate) async fn start(backends: &Backends, name: &str, extra: &[&str]) -> Node {
        let port = servers::free_port();
        let data_dir = backends.dir.path().join(name);
        let log = backends.dir.path().join(format!("{name}.log"));
        let log_file = std::fs::File::create(&log).expect("log file");
        let child = backends
            .command(&["serve"], &data_dir)
            .args(["--addr", &format!("127.0.0.1:{port}")])
            .args(["--instance", name, "--model", "efficientnet-lite0"])
            .arg("--model-dir")
            .arg(model_dir())
            .arg("--site-root")
            .arg(data_dir.join("no-site"))
            .arg("--leptos-config")
            .arg(data_dir.join("no-leptos.toml"))
            .args(extra)
            .env("RUST_LOG", "info")
            .stdin(Stdio::null())
            .stdout(log_file.try_clone().expect("log handle"))
            .stderr(log_file)
            .spawn()
            .expect("gaillery starts");
        let mut node = Node {
            base: format!("http://127.0.0.1:{port}"),
            log,
            child,
            client: reqwest::Client::builder()
                .timeout(Duration::from_secs(60))
                .no_proxy()
                .build()
                .expect("HTTP client"),
        };
        node.wait_until_ready().await;
        // The first node's first run makes the administrator; the others share its catalog,
        // so the same account signs in on every node.
        node.client = signed_in_client(&node.base, ADMIN).await;
        node
    }

    async fn wait_until_ready(&self) {
        let deadline = Instant::now() + Duration::from_secs(90);
        while Instant::now() < deadline {
            if let Ok(response) = self.client.get(self.url("/healthz")).send().await {
                if response.status().is_success() {
                    return;
                }
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("server did not start; its log:\n{}", self.log_text());
    }

    pub(crate) fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Freezes the process at once: it holds whatever jobs it had claimed, mid-batch.
    fn freeze(&self) {
        let pid = libc::pid_t::try_from(self.child.id()).expect("pid");
        // SAFETY: sending a signal to our own child process; no memory is involved.
        let sent = unsafe { libc::kill(pid, libc::SIGSTOP) };
        assert_eq!(sent, 0, "SIGSTOP reaches the server");
    }

    /// SIGKILL: no shutdown, no goodbye to the catalog.
    fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    async fn upload(&self, files: Vec<(String, Vec<u8>)>) -> (u16, UploadResponse) {
        upload_to(&self.client, &self.url("/api/photos"), files).await
    }

    /// Every photo, through the listing's pages.
    pub(crate) async fn all_photos(&self) -> Vec<Photo> {
        crate::support::all_photos(&self.client, &self.base, 7).await
    }

    /// Waits until every photo listed is done or failed, and returns them.
    async fn until_settled(&self, expected: usize, within: Duration) -> Vec<Photo> {
        let deadline = Instant::now() + within;
        loop {
            let photos = self.all_photos().await;
            let settled = photos
                .iter()
                .all(|p| matches!(p.status, PhotoStatus::Done | PhotoStatus::Failed));
            if photos.len() == expected && settled {
                return photos;
            }
            assert!(
                Instant::now() < deadline,
                "photos still in progress after {within:?}: {:?}\nserver log:\n{}",
                photos.iter().map(|p| (&p.id, p.status)).collect::<Vec<_>>(),
                self.log_text()
            );
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        self.kill();
    }
}

/// `count` distinct photo-like JPEGs.
fn photos(count: u32, first_seed: u32) -> Vec<(String, Vec<u8>)> {
    (0..count)
        .map(|n| {
            let seed = first_seed + n;
            (
                format!("photo-{seed}.jpg"),
                gaillery_testkit::photo_jpeg(1600, 1200, seed),
            )
        })
        .collect()
}

/// The outcomes a server's log says it recorded: photo id → attempts.
fn recorded_outcomes(log: &str) -> Vec<(String, u32)> {
    log.lines()
        .filter(|line| line.contains("job outcome recorded"))
        .map(|line| {
            let field = |name: &str| {
                line.split_whitespace()
                    .find_map(|word| word.strip_prefix(name))
                    .unwrap_or_else(|| panic!("{name} in {line:?}"))
                    .to_owned()
            };
            let attempt = field("attempt=").parse().expect("attempt number");
            (field("id="), attempt)
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn servers_share_photos_and_a_killed_servers_jobs_are_finished_once_by_another() {
    let backends = Backends::start().await;
    // The web server only queues: every classification happens on the workers.
    let web = Node::start(&backends, "web", &["--classify-workers", "0"]).await;
    let lease = ["--classify-workers", "1", "--job-lease-secs", "5"];
    let mut doomed = Node::start(&backends, "doomed", &lease).await;
    let mut doomed_events = Events::at(&doomed.client, &doomed.base).await;
    let mut web_events = Events::at(&web.client, &web.base).await;

    // The doomed worker picks the jobs up while they are uploaded; the moment it says it is on
    // one, it is frozen and killed, holding its claims mid-batch. Its events are read while
    // the upload runs: read afterwards, they would be history.
    let upload = {
        let (client, url) = (web.client.clone(), web.url("/api/photos"));
        tokio::spawn(async move { upload_to(&client, &url, photos(12, 1)).await })
    };
    loop {
        let event = doomed_events.next().await;
        if event.status == PhotoStatus::Fetching {
            doomed.freeze();
            break;
        }
    }
    doomed.kill();
    let survivor = Node::start(&backends, "survivor", &lease).await;
    let (status, uploaded) = upload.await.expect("upload task");
    assert!(
        uploaded.errors.is_empty(),
        "{status}: {:?}",
        uploaded.errors
    );
    assert_eq!(uploaded.photos.len(), 12);

    // The web server's browsers see every photo finish, though the web server classified none.
    let ids: Vec<&str> = uploaded.photos.iter().map(|p| p.id.as_str()).collect();
    let stages = web_events.until_finished(&ids).await;
    for (id, stages) in ids.iter().zip(&stages) {
        let last = stages.last().expect("a stage");
        assert_eq!(last.status, PhotoStatus::Done, "{id}: {stages:?}");
        assert!(!last.labels.is_empty(), "{id} has labels");
    }

    // The listing through the web server agrees, and serves the images the workers read.
    let listed = web.until_settled(12, Duration::from_secs(60)).await;
    assert!(listed
        .iter()
        .all(|p| p.status == PhotoStatus::Done && !p.labels.is_empty()));
    for photo in &listed {
        let url = web.url(&format!("/api/photos/{}/thumbnail", photo.id));
        let response = web.client.get(url).send().await.expect("thumbnail");
        assert_eq!(response.status(), 200);
        assert!(!response.bytes().await.expect("thumbnail bytes").is_empty());
    }

    // No job's outcome was recorded twice, and the survivor took over at least one job the
    // doomed server had claimed (its second attempt).
    let doomed_outcomes = recorded_outcomes(&doomed.log_text());
    let survivor_outcomes = recorded_outcomes(&survivor.log_text());
    let mut per_photo: HashMap<&str, usize> = HashMap::new();
    for (id, _) in doomed_outcomes.iter().chain(&survivor_outcomes) {
        *per_photo.entry(id.as_str()).or_default() += 1;
    }
    for id in &ids {
        assert_eq!(per_photo.get(id), Some(&1), "{id}: outcomes recorded");
    }
    assert!(
        survivor_outcomes.iter().any(|(_, attempt)| *attempt >= 2),
        "the survivor finished a job the doomed server held: {survivor_outcomes:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn storage_outages_fail_fast_lose_nothing_and_work_resumes() {
    let backends = Backends::start().await;
    let lease = ["--classify-workers", "1", "--job-lease-secs", "5"];
    let node = Node::start(&backends, "node", &lease).await;

    let (_, first) = node.upload(photos(2, 100)).await;
    assert!(first.errors.is_empty(), "{:?}", first.errors);
    node.until_settled(2, Duration::from_secs(60)).await;

    // S3 away: uploads fail with a clear 503, quickly; the catalog still lists what it has.
    backends.s3_proxy.cut();
    let started = Instant::now();
    let (status, refused) = node.upload(photos(2, 200)).await;
    assert_eq!(status, 503, "{refused:?}");
    assert_eq!(refused.errors.len(), 2);
    assert!(refused
        .errors
        .iter()
        .all(|e| e.error.contains("unavailable")));
    assert!(started.elapsed() < Duration::from_secs(30), "failed fast");
    assert_eq!(node.all_photos().await.len(), 2, "nothing half-visible");
    backends.s3_proxy.restore().await;

    // DynamoDB away: the listing and uploads answer 503 with Retry-After; the server lives.
    backends.dynamodb_proxy.cut();
    let listing = node
        .client
        .get(node.url("/api/photos"))
        .send()
        .await
        .expect("listing");
    assert_eq!(listing.status(), 503);
    assert!(listing.headers().contains_key("retry-after"));
    let (status, _) = node.upload(photos(1, 300)).await;
    assert_eq!(status, 503);
    let health = node
        .client
        .get(node.url("/healthz"))
        .send()
        .await
        .expect("health");
    assert_eq!(health.status(), 200);
    backends.dynamodb_proxy.restore().await;

    // S3 goes away in the middle of an upload and of the classification that follows: the
    // files stored before the cut are listed whole, the rest are refused, and every listed
    // photo is classified once S3 is back.
    let upload = {
        let (client, url) = (node.client.clone(), node.url("/api/photos"));
        tokio::spawn(async move { upload_to(&client, &url, photos(6, 400)).await.1 })
    };
    tokio::time::sleep(Duration::from_millis(300)).await;
    backends.s3_proxy.cut();
    let during = upload.await.expect("upload task");
    assert_eq!(during.photos.len() + during.errors.len(), 6);
    tokio::time::sleep(Duration::from_secs(2)).await;
    backends.s3_proxy.restore().await;

    // DynamoDB goes away while those are classified: results that cannot be recorded are
    // recorded by a later run, after the lease.
    backends.dynamodb_proxy.cut();
    tokio::time::sleep(Duration::from_secs(2)).await;
    backends.dynamodb_proxy.restore().await;

    let expected = 2 + during.photos.len();
    let settled = node.until_settled(expected, Duration::from_secs(120)).await;
    assert_classified_and_whole(&node, &settled).await;
    let stored: Vec<&str> = during.photos.iter().map(|p| p.id.as_str()).collect();
    assert!(stored
        .iter()
        .all(|id| settled.iter().any(|p| p.id.as_str() == *id)));
}

/// A write can reach DynamoDB and still fail at the server: its answer is lost, the client
/// times out. The photo must then be whole (catalogued with its images) or absent, never a
/// listing entry without images, and a catalogued one must still be classified.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_insert_whose_answer_is_lost_leaves_the_photo_whole_and_classified() {
    let backends = Backends::start().await;
    let node = Node::start(&backends, "node", &["--classify-workers", "1"]).await;

    // The first answer lost: the SDK sends the insert again, which finds the photo its first
    // try stored, and the upload succeeds.
    backends
        .dynamodb_serial
        .lose_answers("TransactWriteItems", 1);
    let (status, first) = node.upload(photos(1, 500)).await;
    assert_eq!(status, 201, "{first:?}");
    assert_eq!(first.photos.len(), 1);
    assert_classified_and_whole(&node, &node.until_settled(1, Duration::from_secs(60)).await).await;

    // Every answer lost: the upload fails with a 503, yet the insert was applied. The photo is
    // listed with all its images, and is classified once the server has settled the insert.
    backends
        .dynamodb_serial
        .lose_answers("TransactWriteItems", usize::MAX);
    let (status, refused) = node.upload(photos(1, 600)).await;
    backends
        .dynamodb_serial
        .lose_answers("TransactWriteItems", 0);
    assert_eq!(status, 503, "{refused:?}");
    assert_eq!(refused.errors.len(), 1);
    let listed = node.all_photos().await;
    assert_eq!(listed.len(), 2, "the insert was applied");
    assert_classified_and_whole(
        &node,
        &node.until_settled(2, Duration::from_secs(120)).await,
    )
    .await;
}

/// Every photo is `done`, and each of its images is served: a catalogued photo never points
/// to a missing object.
async fn assert_classified_and_whole(node: &Node, photos: &[Photo]) {
    for photo in photos {
        let reason = &photo.status_reason;
        assert_eq!(photo.status, PhotoStatus::Done, "{}: {reason:?}", photo.id);
        for variant in ["thumbnail", "preview", "original"] {
            let url = node.url(&format!("/api/photos/{}/{variant}", photo.id));
            let response = node.client.get(url).send().await.expect("image");
            assert_eq!(response.status(), 200, "{} {variant}", photo.id);
        }
    }
}

//! Classification end to end: a real server with the real EfficientNet-Lite0 weights (fetched
//! by scripts/fetch-models.sh) classifying real photos, with stages streamed as server-sent
//! events, failures with reasons, resumption after a restart, and tag search.

use crate::support::{args, model_dir, TestServer};
use futures::StreamExt;
use gaillery_core::api::{PhotoEvent, PhotoPage, TagCount};
use gaillery_core::{Photo, PhotoStatus};
use gaillery_server::cli::ServeArgs;
use std::time::Duration;

fn with_model(data_dir: &std::path::Path) -> ServeArgs {
    let mut args = args(data_dir);
    args.models.model = vec!["efficientnet-lite0".into()];
    args
}

fn photo(name: &str) -> Vec<u8> {
    let path = model_dir().join("testdata").join(name);
    std::fs::read(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (run scripts/fetch-models.sh)", path.display()))
}

/// Server-sent events of one server, parsed.
pub(crate) struct Events {
    stream: std::pin::Pin<Box<dyn futures::Stream<Item = reqwest::Result<bytes::Bytes>> + Send>>,
    buffer: String,
}

impl Events {
    async fn open(server: &TestServer) -> Events {
        Events::at(&server.client, &server.base).await
    }

    /// The event stream of the server at `base` (`http://127.0.0.1:PORT`).
    pub(crate) async fn at(client: &reqwest::Client, base: &str) -> Events {
        let response = client
            .get(format!("{base}/api/events"))
            .send()
            .await
            .expect("events");
        assert_eq!(response.status(), 200);
        assert_eq!(
            response.headers()["content-type"].to_str().unwrap(),
            "text/event-stream"
        );
        Events {
            stream: Box::pin(response.bytes_stream()),
            buffer: String::new(),
        }
    }

    /// The next `photo` event, within 60 s.
    pub(crate) async fn next(&mut self) -> PhotoEvent {
        tokio::time::timeout(Duration::from_secs(60), async {
            loop {
                if let Some(end) = self.buffer.find("\n\n") {
                    let block: String = self.buffer.drain(..end + 2).collect();
                    let is_photo = block.lines().any(|l| l == "event: photo");
                    let data = block.lines().find_map(|l| l.strip_prefix("data: "));
                    if let (true, Some(data)) = (is_photo, data) {
                        return serde_json::from_str(data).expect("event JSON");
                    }
                    continue;
                }
                let chunk = self
                    .stream
                    .next()
                    .await
                    .expect("stream open")
                    .expect("chunk");
                self.buffer.push_str(&String::from_utf8_lossy(&chunk));
            }
        })
        .await
        .expect("an event within 60 s")
    }

    /// Events until every id in `ids` is done or failed; returns each id's stages in order.
    pub(crate) async fn until_finished(&mut self, ids: &[&str]) -> Vec<Vec<PhotoEvent>> {
        let mut seen: Vec<Vec<PhotoEvent>> = vec![Vec::new(); ids.len()];
        let finished = |seen: &Vec<Vec<PhotoEvent>>| {
            seen.iter().all(|events| {
                events
                    .last()
                    .is_some_and(|e| matches!(e.status, PhotoStatus::Done | PhotoStatus::Failed))
            })
        };
        while !finished(&seen) {
            let event = self.next().await;
            if let Some(i) = ids.iter().position(|id| *id == event.id.as_str()) {
                seen[i].push(event);
            }
        }
        seen
    }
}

async fn photo_of(server: &TestServer, id: &str) -> Photo {
    server
        .get(&format!("/api/photos/{id}"))
        .await
        .json()
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn uploads_are_classified_and_every_stage_is_streamed_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start_with(with_model(dir.path())).await;
    let mut events = Events::open(&server).await;

    let (status, uploaded) = server
        .upload(&[
            ("chelsea.png", photo("chelsea.png")),
            ("coffee.png", photo("coffee.png")),
        ])
        .await;
    assert_eq!(status, 201);
    assert!(uploaded
        .photos
        .iter()
        .all(|p| p.status == PhotoStatus::Queued));
    let ids: Vec<&str> = uploaded.photos.iter().map(|p| p.id.as_str()).collect();

    let order = [
        PhotoStatus::Fetching,
        PhotoStatus::Preprocessing,
        PhotoStatus::Predicting,
        PhotoStatus::Storing,
        PhotoStatus::Done,
    ];
    for stages in events.until_finished(&ids).await {
        let statuses: Vec<PhotoStatus> = stages.iter().map(|e| e.status).collect();
        assert_eq!(statuses, order, "stages in order");
        let done = stages.last().unwrap();
        assert_eq!(done.labels.len(), 3);
    }

    // The API shows the same: top 3, sorted, readable names.
    let cat = photo_of(&server, ids[0]).await;
    assert_eq!(cat.status, PhotoStatus::Done);
    assert!(cat
        .labels
        .windows(2)
        .all(|w| w[0].probability >= w[1].probability));
    assert!(
        cat.labels
            .iter()
            .any(|l| ["tabby", "tiger cat", "Egyptian cat"].contains(&l.label.as_str())),
        "{:?}",
        cat.labels
    );
    assert_eq!(photo_of(&server, ids[1]).await.labels[0].label, "espresso");

    // Tags: counts of the labels the classifier was sure enough of, and search through the
    // hierarchy, any case, plurals.
    let tags: Vec<TagCount> = server.get("/api/tags").await.json().await.unwrap();
    let mut searchable = std::collections::BTreeSet::new();
    for id in &ids {
        let photo = photo_of(&server, id).await;
        searchable.extend(gaillery_core::searchable_labels(&photo.labels).map(|l| l.label.clone()));
    }
    let tagged: std::collections::BTreeSet<String> = tags.iter().map(|t| t.tag.clone()).collect();
    assert_eq!(tagged, searchable, "{tags:?}");
    assert!(tags.iter().any(|t| t.tag == "espresso" && t.count == 1));
    for (query, expected) in [
        ("tag=cat", vec![ids[0]]),
        ("tag=Cats", vec![ids[0]]),
        ("tag=animal", vec![ids[0]]),
        ("tag=espresso", vec![ids[1]]),
        ("tag=dog", vec![]),
        ("tag=cat&tag=espresso", vec![]),
    ] {
        let page: PhotoPage = server
            .get(&format!("/api/photos?{query}"))
            .await
            .json()
            .await
            .unwrap();
        let found: Vec<&str> = page.photos.iter().map(|p| p.id.as_str()).collect();
        assert_eq!(found, expected, "{query}");
    }
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_broken_original_fails_with_a_reason_and_the_others_go_on() {
    let dir = tempfile::tempdir().unwrap();
    // Stored without classification, then one original is damaged on disk.
    let server = TestServer::start(dir.path()).await;
    let (_, uploaded) = server
        .upload(&[
            ("coffee.png", photo("coffee.png")),
            ("rocket.jpg", photo("rocket.jpg")),
        ])
        .await;
    server.stop().await;
    let ids: Vec<String> = uploaded.photos.iter().map(|p| p.id.to_string()).collect();
    let original = dir.path().join(format!("blobs/photos/{}/original", ids[0]));
    std::fs::write(&original, b"\x89PNG\r\n\x1a\nthis is not the rest of a PNG").unwrap();

    let server = TestServer::start_with(with_model(dir.path())).await;
    let mut events = Events::open(&server).await;
    let client = server.client.clone();
    for id in &ids {
        let response = client
            .post(server.url(&format!("/api/photos/{id}/classify")))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 202);
    }
    let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
    events.until_finished(&refs).await;
    let broken = photo_of(&server, &ids[0]).await;
    assert_eq!(broken.status, PhotoStatus::Failed);
    let reason = broken.status_reason.unwrap_or_default();
    assert!(reason.starts_with("cannot read the image"), "{reason}");
    let rocket = photo_of(&server, &ids[1]).await;
    assert_eq!(rocket.status, PhotoStatus::Done);
    assert!(rocket
        .labels
        .iter()
        .any(|l| l.label == "missile" || l.label == "projectile"));

    // Unknown models and photos are clear errors.
    let response = client
        .post(server.url(&format!("/api/photos/{}/classify?model=vgg", ids[1])))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    let response = client
        .post(server.url("/api/photos/nosuchphoto/classify"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 404);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn queued_jobs_survive_until_a_server_runs_them() {
    let dir = tempfile::tempdir().unwrap();
    // Photos queued while no server runs (as `gaillery import` does): the jobs are in the
    // catalog only.
    let (gallery, _) = gaillery_server::startup::open_gallery(
        dir.path(),
        Some(1),
        50,
        100,
        vec!["efficientnet-lite0".into()],
    )
    .unwrap();
    let owner = gaillery_core::OwnerId::local();
    let mut ids = Vec::new();
    for name in ["chelsea.png", "motorcycle_left.png"] {
        let mut upload = gallery.begin_upload(name).await.unwrap();
        upload.write(&photo(name)).await.unwrap();
        let photo = gallery.ingest(&owner, upload).await.unwrap().into_photo();
        assert_eq!(photo.status, PhotoStatus::Queued);
        ids.push(photo.id.to_string());
    }
    drop(gallery);

    let server = TestServer::start_with(with_model(dir.path())).await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(120);
    for id in &ids {
        loop {
            let photo = photo_of(&server, id).await;
            if photo.status == PhotoStatus::Done {
                assert_eq!(photo.labels.len(), 3);
                break;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "{id} still {:?}",
                photo.status
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
    server.stop().await;
}

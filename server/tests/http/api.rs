//! The JSON API against a real server on 127.0.0.1 with real storage (files and SQLite):
//! awkward images, batches with broken files, bombs, limits, duplicates, deletes, caching,
//! pagination and restarts.

use crate::support::{args, files_under, TestServer};
use gaillery_core::api::PhotoPage;
use gaillery_core::Photo;
use gaillery_testkit as kit;
use kit::image::{self, ImageFormat};
use std::time::{Duration, Instant};

fn decode(bytes: &[u8]) -> image::DynamicImage {
    image::load_from_memory(bytes).expect("served image decodes")
}

async fn list_all(server: &TestServer) -> Vec<Photo> {
    let page: PhotoPage = server
        .get("/api/photos?limit=200")
        .await
        .json()
        .await
        .expect("page");
    page.photos
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn real_and_awkward_images_are_stored_and_served() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(dir.path()).await;
    let big = kit::photo_jpeg(4000, 3000, 1);
    let rotated = kit::with_exif(&kit::photo_jpeg(600, 400, 2), 6, "2024:05:17 14:03:22");
    let files = vec![
        ("big-12mp.jpg", big.clone()),
        ("rotated.jpg", rotated),
        ("cmyk.jpg", kit::cmyk_jpeg(300, 200, [0, 255, 255, 0])),
        ("sixteen.png", kit::png_16_bit(320, 240)),
        ("alpha.png", kit::png_with_alpha(200, 200)),
        ("photo.webp", kit::webp(400, 300)),
        ("animated.gif", kit::gif_two_frames(120, 80)),
    ];
    let (status, response) = server.upload(&files).await;
    assert_eq!(status, 201, "errors: {:?}", response.errors);
    assert!(response.errors.is_empty(), "{:?}", response.errors);
    assert_eq!(response.photos.len(), files.len());

    let by_name = |name: &str| {
        response
            .photos
            .iter()
            .find(|p| p.filename == name)
            .expect(name)
            .clone()
    };
    let expected = [
        ("big-12mp.jpg", 4000, 3000, "jpeg"),
        // EXIF orientation 6 turns a 600×400 sensor image into a 400×600 portrait.
        ("rotated.jpg", 400, 600, "jpeg"),
        ("cmyk.jpg", 300, 200, "jpeg"),
        ("sixteen.png", 320, 240, "png"),
        ("alpha.png", 200, 200, "png"),
        ("photo.webp", 400, 300, "webp"),
        ("animated.gif", 120, 80, "gif"),
    ];
    for (name, width, height, format) in expected {
        let photo = by_name(name);
        assert_eq!(
            (photo.width, photo.height),
            (width, height),
            "{name} dimensions"
        );
        assert_eq!(photo.format, format, "{name} format");
        assert_eq!(photo.status.as_str(), "done");
        assert!(!photo.placeholder.is_empty(), "{name} has a placeholder");
        assert_eq!(photo.sha256.len(), 64);

        for variant in ["thumbnail", "thumbnail-2x", "preview"] {
            let response = server
                .get(&format!("/api/photos/{}/{variant}", photo.id))
                .await;
            assert_eq!(response.status(), 200, "{name} {variant}");
            assert_eq!(response.headers()["content-type"], "image/jpeg");
            let image = decode(&response.bytes().await.unwrap());
            // Derived images keep the displayed orientation.
            let (w, h) = (f64::from(image.width()), f64::from(image.height()));
            let ratio = f64::from(width) / f64::from(height);
            assert!(
                (w / h - ratio).abs() / ratio < 0.03,
                "{name} {variant} is {w}x{h}"
            );
        }
    }
    assert_eq!(
        by_name("rotated.jpg").taken_at.as_deref(),
        Some("2024-05-17T14:03:22")
    );

    // The 12 MP original comes back byte for byte, with its type; the preview is ~2048 px.
    let big_photo = by_name("big-12mp.jpg");
    let original = server
        .get(&format!("/api/photos/{}/original", big_photo.id))
        .await;
    assert_eq!(original.headers()["content-type"], "image/jpeg");
    assert!(original.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .contains("big-12mp.jpg"));
    assert_eq!(original.bytes().await.unwrap().as_ref(), big.as_slice());
    let preview = decode(
        &server
            .get(&format!("/api/photos/{}/preview", big_photo.id))
            .await
            .bytes()
            .await
            .unwrap(),
    );
    assert_eq!(preview.width().max(preview.height()), 2048);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_broken_file_fails_alone_and_the_rest_of_the_batch_is_stored() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(dir.path()).await;
    let good_jpeg = kit::photo_jpeg(320, 240, 10);
    let mut truncated = kit::photo_jpeg(320, 240, 11);
    truncated.truncate(300);
    let files = vec![
        ("first.jpg", good_jpeg),
        ("broken.jpg", truncated),
        ("notes.txt", b"these are not pixels".to_vec()),
        ("empty.png", Vec::new()),
        (
            "second.png",
            kit::encode(
                &image::DynamicImage::ImageRgb8(kit::photo_like(200, 100)),
                ImageFormat::Png,
            ),
        ),
    ];
    let (status, response) = server.upload(&files).await;
    assert_eq!(status, 201);
    let stored: Vec<&str> = response
        .photos
        .iter()
        .map(|p| p.filename.as_str())
        .collect();
    assert_eq!(stored, ["first.jpg", "second.png"]);
    let refused: Vec<&str> = response
        .errors
        .iter()
        .map(|e| e.filename.as_str())
        .collect();
    assert_eq!(refused, ["broken.jpg", "notes.txt", "empty.png"]);
    for error in &response.errors {
        assert!(
            !error.error.is_empty() && !error.error.contains("internal"),
            "{error:?}"
        );
    }
    assert!(
        response.errors[1].error.contains("JPEG"),
        "says what is accepted: {}",
        response.errors[1].error
    );
    assert_eq!(list_all(&server).await.len(), 2);

    // The server keeps serving after refusing files.
    assert_eq!(server.get("/healthz").await.status(), 200);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refusals_carry_the_right_status_codes() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(dir.path()).await;

    let (status, response) = server.upload(&[("notes.txt", b"hello".to_vec())]).await;
    assert_eq!(status, 415, "{response:?}");

    let mut corrupt = kit::photo_jpeg(320, 240, 20);
    corrupt.truncate(200);
    let (status, _) = server.upload(&[("corrupt.jpg", corrupt)]).await;
    assert_eq!(status, 422);

    // A decompression bomb: a 300-byte PNG that claims 2.5 gigapixels. It is refused from its
    // header, fast, without decoding.
    let started = Instant::now();
    let (status, response) = server
        .upload(&[("bomb.png", kit::png_declaring(50_000, 50_000))])
        .await;
    assert_eq!(status, 422, "{response:?}");
    assert!(
        response.errors[0].error.contains("megapixels"),
        "{}",
        response.errors[0].error
    );
    assert!(started.elapsed() < Duration::from_secs(5));

    let response = server
        .client
        .post(server.url("/api/photos"))
        .send()
        .await
        .unwrap();
    assert!(response.status().is_client_error());
    assert!(list_all(&server).await.is_empty());
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oversized_files_are_refused_while_streaming_and_leave_nothing_behind() {
    let dir = tempfile::tempdir().unwrap();
    let mut settings = args(dir.path());
    settings.max_upload_mb = 1;
    let server = TestServer::start_with(settings).await;
    let too_big = kit::photo_jpeg(2500, 2000, 30);
    assert!(
        too_big.len() > 1_000_000,
        "the fixture must exceed 1 MB, is {}",
        too_big.len()
    );
    let small = kit::photo_jpeg(100, 100, 31);
    let (status, response) = server
        .upload(&[("huge.jpg", too_big), ("small.jpg", small)])
        .await;
    assert_eq!(status, 201);
    assert_eq!(response.photos.len(), 1);
    assert_eq!(response.errors[0].filename, "huge.jpg");
    assert!(
        response.errors[0].error.contains("1 MB"),
        "{}",
        response.errors[0].error
    );

    let (status, _) = server
        .upload(&[("huge.jpg", kit::photo_jpeg(2500, 2000, 32))])
        .await;
    assert_eq!(status, 413);
    // Only the small photo's four files remain: no staged leftovers.
    let stored = files_under(&dir.path().join("blobs"));
    assert_eq!(stored.len(), 4, "{stored:?}");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn file_names_are_for_display_only() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(dir.path()).await;
    let (status, response) = server
        .upload(&[("../../../etc/evil.jpg", kit::photo_jpeg(64, 64, 40))])
        .await;
    assert_eq!(status, 201);
    let photo = &response.photos[0];
    assert_eq!(photo.filename, "evil.jpg");
    // Everything the upload wrote is inside the data directory, under the photo's id.
    for path in files_under(dir.path()) {
        let relative = path
            .strip_prefix(dir.path())
            .unwrap()
            .to_string_lossy()
            .into_owned();
        assert!(!relative.contains("evil"), "{relative}");
    }
    assert!(dir
        .path()
        .join("blobs/photos")
        .join(photo.id.as_str())
        .join("original")
        .exists());
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn uploading_the_same_bytes_again_returns_the_existing_photo() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(dir.path()).await;
    let bytes = kit::photo_jpeg(300, 200, 50);
    let (first_status, first) = server.upload(&[("a.jpg", bytes.clone())]).await;
    let (second_status, second) = server.upload(&[("copy-of-a.jpg", bytes.clone())]).await;
    assert_eq!((first_status, second_status), (201, 200));
    assert_eq!(first.photos[0].id, second.photos[0].id);
    assert_eq!(second.photos[0].filename, "a.jpg");

    // Even when both copies arrive in one batch.
    let other = kit::photo_jpeg(300, 200, 51);
    let (_, batch) = server
        .upload(&[("b.jpg", other.clone()), ("b-again.jpg", other)])
        .await;
    assert_eq!(batch.photos[0].id, batch.photos[1].id);
    assert_eq!(list_all(&server).await.len(), 2);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deleting_removes_the_photo_and_its_files() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(dir.path()).await;
    let (_, response) = server
        .upload(&[
            ("keep.jpg", kit::photo_jpeg(100, 80, 60)),
            ("drop.jpg", kit::photo_jpeg(100, 80, 61)),
        ])
        .await;
    let drop = response
        .photos
        .iter()
        .find(|p| p.filename == "drop.jpg")
        .unwrap();
    // Served once first, so the server has the photo's image facts in memory.
    let thumbnail = server
        .get(&format!("/api/photos/{}/thumbnail", drop.id))
        .await;
    assert_eq!(thumbnail.status(), 200);
    let etag = thumbnail.headers()["etag"].clone();

    let deleted = server
        .client
        .delete(server.url(&format!("/api/photos/{}", drop.id)))
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), 204);
    assert_eq!(
        server
            .get(&format!("/api/photos/{}", drop.id))
            .await
            .status(),
        404
    );
    assert_eq!(
        server
            .get(&format!("/api/photos/{}/thumbnail", drop.id))
            .await
            .status(),
        404
    );
    let revalidated = server
        .client
        .get(server.url(&format!("/api/photos/{}/thumbnail", drop.id)))
        .header("if-none-match", etag)
        .send()
        .await
        .unwrap();
    assert_eq!(revalidated.status(), 404, "not 304: the photo is gone");
    // All four files go, in the background, and so does the folder they were in.
    let folder = dir.path().join("blobs/photos").join(drop.id.as_str());
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while folder.exists() && std::time::Instant::now() < deadline {
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert!(!folder.exists(), "the images were removed");
    let again = server
        .client
        .delete(server.url(&format!("/api/photos/{}", drop.id)))
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 404);
    let body: serde_json::Value = again.json().await.unwrap();
    assert!(body["error"].is_string());

    let remaining = list_all(&server).await;
    assert_eq!(remaining.len(), 1);
    assert_eq!(remaining[0].filename, "keep.jpg");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn photos_survive_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(dir.path()).await;
    let (_, response) = server
        .upload(&[("persist.jpg", kit::photo_jpeg(500, 300, 70))])
        .await;
    let id = response.photos[0].id.clone();
    server.stop().await;

    let restarted = TestServer::start(dir.path()).await;
    let photos = list_all(&restarted).await;
    assert_eq!(photos.len(), 1);
    assert_eq!(photos[0].id, id);
    assert_eq!(photos[0].filename, "persist.jpg");
    let thumbnail = restarted.get(&format!("/api/photos/{id}/thumbnail")).await;
    assert_eq!(thumbnail.status(), 200);
    decode(&thumbnail.bytes().await.unwrap());
    restarted.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn listing_pages_newest_first_with_cursors() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(dir.path()).await;
    let mut uploaded = Vec::new();
    for seed in 0..5 {
        let (_, response) = server
            .upload(&[(&format!("p{seed}.jpg"), kit::photo_jpeg(64, 48, 100 + seed))])
            .await;
        uploaded.push(response.photos[0].id.clone());
    }
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/api/photos?limit=2&cursor={c}"),
            None => "/api/photos?limit=2".to_owned(),
        };
        let page: PhotoPage = server.get(&path).await.json().await.unwrap();
        assert!(page.photos.len() <= 2);
        seen.extend(page.photos.into_iter().map(|p| p.id));
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    uploaded.reverse();
    assert_eq!(seen, uploaded, "every photo once, newest first");
    assert_eq!(server.get("/api/photos?cursor=garbage").await.status(), 400);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn images_are_cached_as_immutable_with_etags() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(dir.path()).await;
    let (_, response) = server
        .upload(&[("c.jpg", kit::photo_jpeg(200, 100, 80))])
        .await;
    let url = format!("/api/photos/{}/thumbnail", response.photos[0].id);
    let first = server.get(&url).await;
    assert!(first.headers()["cache-control"]
        .to_str()
        .unwrap()
        .contains("immutable"));
    let etag = first.headers()["etag"].clone();
    let revalidated = server
        .client
        .get(server.url(&url))
        .header("if-none-match", etag)
        .send()
        .await
        .unwrap();
    assert_eq!(revalidated.status(), 304);
    assert_eq!(
        server
            .get(&format!("/api/photos/{}/nope", response.photos[0].id))
            .await
            .status(),
        404
    );
    assert_eq!(
        server
            .get("/api/photos/..%2F..%2Fetc/original")
            .await
            .status(),
        404
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_openapi_and_the_server_rendered_page() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(dir.path()).await;
    assert_eq!(server.get("/healthz").await.status(), 200);
    let spec: serde_json::Value = server.get("/api/openapi.json").await.json().await.unwrap();
    assert_eq!(spec["openapi"], "3.1.0");
    for path in [
        "/api/photos",
        "/api/photos/{id}",
        "/api/photos/{id}/{variant}",
        "/api/photos/{id}/classify",
        "/api/tags",
        "/api/events",
    ] {
        assert!(spec["paths"][path].is_object(), "{path} documented");
    }

    // Empty gallery: the page invites a first upload.
    let html = server.get("/").await.text().await.unwrap();
    assert!(html.contains("No photos yet"), "{html}");
    assert!(html.contains(r#"aria-label="Upload photos""#));

    // With a photo, the server renders the grid with the photo in it.
    server
        .upload(&[("rendered.jpg", kit::photo_jpeg(300, 200, 90))])
        .await;
    let html = server.get("/").await.text().await.unwrap();
    assert!(html.contains(r#"aria-label="Gallery""#));
    assert!(html.contains(r#"alt="Photo rendered.jpg""#), "{html}");
    server.stop().await;
}

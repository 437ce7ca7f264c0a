//! SIGKILL at random points of an upload batch, of a classification and of a delete-all, 20
//! runs each (seeded; `GAILLERY_KILL_RUNS` sets another count), on embedded storage. After
//! each kill the server is started again on the same data, and:
//! - every upload that was answered is listed, with all four of its images;
//! - every photo listed has all four images (nothing half-stored, nothing half-deleted);
//! - with classification on, every job finishes;
//! - after `gaillery sweep --older-than-mins 0`, no file is left in the image store or in
//!   staging that the catalog does not name.

use crate::process::{command, GailleryProcess};
use crate::support::{signed_in_client, upload_to, ADMIN};
use gaillery_core::{Photo, PhotoStatus};
use gaillery_testkit::Noise;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const VARIANTS: [&str; 4] = ["original", "preview", "thumbnail", "thumbnail-2x"];

fn runs() -> u32 {
    std::env::var("GAILLERY_KILL_RUNS")
        .ok()
        .and_then(|runs| runs.parse().ok())
        .unwrap_or(20)
}

/// A server on `dir`, and a client signed in to it.
async fn start(dir: &Path, extra: &[&str]) -> (GailleryProcess, reqwest::Client) {
    let mut args = vec!["--instance", "kill-test"];
    args.extend_from_slice(extra);
    let server = GailleryProcess::start(dir, &args).await;
    let client = signed_in_client(&server.base, ADMIN).await;
    (server, client)
}

/// Uploads one generated photo in a request of its own; its id once the server answered.
async fn upload(server_base: &str, client: &reqwest::Client, seed: u32) -> Option<String> {
    let photo = gaillery_testkit::photo_jpeg(640, 480, seed);
    let url = format!("{server_base}/api/photos");
    let mut form = reqwest::multipart::Form::new();
    let part = reqwest::multipart::Part::bytes(photo)
        .file_name(format!("photo-{seed}.jpg"))
        .mime_str("image/jpeg")
        .ok()?;
    form = form.part("file", part);
    let response = client.post(url).multipart(form).send().await.ok()?;
    if response.status() != 201 {
        return None;
    }
    let body: serde_json::Value = response.json().await.ok()?;
    body["photos"][0]["id"].as_str().map(str::to_owned)
}

/// The images in the store, by photo id: `…/photos/{id}/{variant}`.
fn stored_images(dir: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let blobs = dir.join("data/blobs");
    let mut images: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in crate::support::files_under(&blobs) {
        let relative = file.strip_prefix(&blobs).expect("under the store");
        if relative.starts_with(".tmp") {
            continue;
        }
        let segments: Vec<String> = relative
            .iter()
            .map(|s| s.to_string_lossy().into_owned())
            .collect();
        match segments.as_slice() {
            [.., photos, id, variant] if photos == "photos" => {
                images
                    .entry(id.clone())
                    .or_default()
                    .insert(variant.clone());
            }
            _ => panic!("a file that is no photo's image: {}", file.display()),
        }
    }
    images
}

fn staged_files(dir: &Path) -> usize {
    crate::support::files_under(&dir.join("data/blobs/.tmp")).len()
}

/// The checks after a restart: what was acknowledged is there, whole; then the sweep leaves
/// exactly what the catalog names.
async fn check_after_restart(
    dir: &Path,
    server: &GailleryProcess,
    client: &reqwest::Client,
    acknowledged: &BTreeSet<String>,
    what: &str,
) -> Vec<Photo> {
    let photos = crate::support::all_photos(client, &server.base, 100).await;
    let ids: BTreeSet<String> = photos.iter().map(|p| p.id.to_string()).collect();
    let missing: Vec<_> = acknowledged.difference(&ids).collect();
    assert!(
        missing.is_empty(),
        "{what}: acknowledged but not listed: {missing:?}"
    );
    let whole: BTreeSet<String> = VARIANTS.map(str::to_owned).into();
    let images = stored_images(dir);
    for id in &ids {
        assert_eq!(images.get(id), Some(&whole), "{what}: the images of {id}");
    }

    let swept = command(dir, &["sweep", "--older-than-mins", "0"])
        .output()
        .expect("gaillery sweep runs");
    assert!(swept.status.success(), "{what}: sweep: {swept:?}");
    println!("{what}: {}", String::from_utf8_lossy(&swept.stdout).trim());
    let left: BTreeSet<String> = stored_images(dir).into_keys().collect();
    assert_eq!(
        left, ids,
        "{what}: after the sweep, only the catalog's photos"
    );
    assert_eq!(staged_files(dir), 0, "{what}: nothing staged is left");
    photos
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_upload_batch_loses_nothing_acknowledged_and_leaves_nothing() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut noise = Noise(0x0b5e55ed);
    let mut acknowledged = BTreeSet::new();
    let (mut server, mut client) = start(dir.path(), &["--model", "none"]).await;
    for run in 0..runs() {
        let answered = Arc::new(Mutex::new(Vec::new()));
        let mut uploads = Vec::new();
        for photo in 0..8 {
            let (base, client, answered) = (server.base.clone(), client.clone(), answered.clone());
            let seed = run * 100 + photo;
            uploads.push(tokio::spawn(async move {
                if let Some(id) = upload(&base, &client, seed).await {
                    answered.lock().expect("ids").push(id);
                }
            }));
        }
        // Anywhere in the batch, which takes one to three seconds on the test build.
        let kill_after = Duration::from_millis(u64::from(noise.next_u32() % 2500));
        tokio::time::sleep(kill_after).await;
        server.kill();
        for upload in uploads {
            upload.await.expect("upload task");
        }
        acknowledged.extend(answered.lock().expect("ids").drain(..));
        (server, client) = start(dir.path(), &["--model", "none"]).await;
        let what = format!("run {run}, killed after {kill_after:?}");
        check_after_restart(dir.path(), &server, &client, &acknowledged, &what).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_classification_finishes_every_job_after_the_restart() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut noise = Noise(0xc1a55);
    let mut acknowledged = BTreeSet::new();
    let model = ["--model", "efficientnet-lite0", "--classify-workers", "1"];
    let (mut server, mut client) = start(dir.path(), &model).await;
    for run in 0..runs() {
        for photo in 0..4 {
            let id = upload(&server.base, &client, 10_000 + run * 100 + photo).await;
            acknowledged.insert(id.expect("an upload to a running server is answered"));
        }
        let kill_after = Duration::from_millis(u64::from(noise.next_u32() % 1000));
        tokio::time::sleep(kill_after).await;
        server.kill();
        (server, client) = start(dir.path(), &model).await;
        let what = format!("run {run}, killed {kill_after:?} into classifying");
        let deadline = Instant::now() + Duration::from_secs(120);
        loop {
            let photos = crate::support::all_photos(&client, &server.base, 100).await;
            if photos.iter().all(|p| p.status == PhotoStatus::Done) {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "{what}: jobs left unfinished: {:?}",
                photos
                    .iter()
                    .filter(|p| p.status != PhotoStatus::Done)
                    .map(|p| (&p.id, p.status, &p.status_reason))
                    .collect::<Vec<_>>()
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        check_after_restart(dir.path(), &server, &client, &acknowledged, &what).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_delete_all_leaves_no_photo_half_deleted_and_no_image_behind() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut noise = Noise(0xde1e7e);
    let (mut server, mut client) = start(dir.path(), &["--model", "none"]).await;
    for run in 0..runs() {
        let photos = (0..30).map(|photo| {
            let photo_jpeg = gaillery_testkit::photo_jpeg(64, 48, 20_000 + run * 100 + photo);
            (format!("photo-{photo}.jpg"), photo_jpeg)
        });
        let (status, _) = upload_to(&client, &server.url("/api/photos"), photos).await;
        assert_eq!(status, 201);
        let deleting = {
            let (url, client) = (server.url("/_fn/delete_all_photos"), client.clone());
            tokio::spawn(async move {
                let response = client
                    .post(url)
                    .header("content-type", "application/x-www-form-urlencoded")
                    .send()
                    .await;
                matches!(response, Ok(response) if response.status().is_success())
            })
        };
        // Half the runs are killed anywhere in the request, half just after its answer,
        // while the images are being removed in the background.
        let kill_after = Duration::from_millis(u64::from(noise.next_u32() % 150));
        let (acknowledged, when) = if run % 2 == 0 {
            tokio::time::sleep(kill_after).await;
            server.kill();
            (deleting.await.expect("delete task"), "after the request")
        } else {
            let answered = deleting.await.expect("delete task");
            tokio::time::sleep(kill_after / 15).await;
            server.kill();
            (answered, "after the answer")
        };
        (server, client) = start(dir.path(), &["--model", "none"]).await;
        let after = if run % 2 == 0 {
            kill_after
        } else {
            kill_after / 15
        };
        let what = format!("run {run}, killed {after:?} {when}");
        let photos =
            check_after_restart(dir.path(), &server, &client, &BTreeSet::new(), &what).await;
        if acknowledged {
            assert!(
                photos.is_empty(),
                "{what}: an answered delete-all deleted all"
            );
        }
    }
}

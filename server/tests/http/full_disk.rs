//! A full disk, on a small tmpfs the test mounts as the data directory (which needs root, as CI
//! has): the upload that meets it answers 507 saying storage is full, leaves no partial file,
//! and the server goes on serving what it has; once space is freed, uploads work again. And a
//! server function's body over its limit answers 413.

use crate::support::{files_under, upload_one, upload_to, TestServer};
use reqwest::StatusCode;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

/// A tmpfs mounted on a temporary directory, unmounted when dropped.
struct Tmpfs {
    dir: tempfile::TempDir,
}

impl Tmpfs {
    /// `None` when not running as root, where mounting is not allowed.
    fn mount(size: &str) -> Option<Tmpfs> {
        let uid = Command::new("id").arg("-u").output().expect("id runs");
        if String::from_utf8_lossy(&uid.stdout).trim() != "0" {
            return None;
        }
        let dir = tempfile::tempdir().expect("mount point");
        let mounted = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(dir.path())
            .status()
            .expect("mount runs");
        assert!(mounted.success(), "mounting a tmpfs as root failed");
        Some(Tmpfs { dir })
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount")
            .arg("-l")
            .arg(self.dir.path())
            .status();
    }
}

/// Writes `path` until the filesystem has no room left; returns how many bytes went in.
fn fill(path: &Path) -> u64 {
    let mut file = std::fs::File::create(path).expect("ballast");
    let chunk = vec![0x5a_u8; 16 * 1024];
    let mut written = 0;
    loop {
        match file.write(&chunk) {
            Ok(0) => break,
            Ok(n) => written += n as u64,
            Err(error) if error.kind() == std::io::ErrorKind::StorageFull => break,
            Err(error) => panic!("filling the disk: {error}"),
        }
    }
    let _ = file.sync_all();
    written
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_upload_that_meets_a_full_disk_answers_507_and_loses_nothing() {
    let Some(disk) = Tmpfs::mount("16m") else {
        eprintln!("skipped: mounting a tmpfs needs root");
        return;
    };
    let server = TestServer::start(disk.path()).await;
    let kept = upload_one(&server, &server.client, 1).await;
    let blobs_before = files_under(&disk.path().join("blobs"));

    let ballast = disk.path().join("ballast");
    assert!(fill(&ballast) > 0);
    let photo = gaillery_testkit::photo_jpeg(640, 480, 2);
    let url = server.url("/api/photos");
    let (status, answer) = upload_to(
        &server.client,
        &url,
        [("full.jpg".to_owned(), photo.clone())],
    )
    .await;
    assert_eq!(status, 507, "{answer:?}");
    assert_eq!(answer.errors.len(), 1, "{answer:?}");
    assert_eq!(answer.errors[0].error, gaillery_service::FULL_MESSAGE);

    // Nothing half-stored: staging is empty and the images are those of the first photo.
    assert_eq!(
        files_under(&disk.path().join("staging")),
        Vec::<PathBuf>::new()
    );
    assert_eq!(files_under(&disk.path().join("blobs")), blobs_before);
    // Reads go on while the disk is full.
    let listed = server.client.get(&url).send().await.expect("listing");
    assert_eq!(listed.status(), StatusCode::OK);
    let thumbnail = server
        .client
        .get(server.url(&format!("/api/photos/{kept}/thumbnail")))
        .send()
        .await
        .expect("thumbnail");
    assert_eq!(thumbnail.status(), StatusCode::OK);

    // Space again: the same upload goes through.
    std::fs::remove_file(&ballast).expect("ballast removed");
    let (status, answer) = upload_to(&server.client, &url, [("full.jpg".to_owned(), photo)]).await;
    assert_eq!(status, 201, "{answer:?}");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_function_body_over_its_limit_answers_413() {
    let dir = tempfile::tempdir().expect("temp dir");
    let server = TestServer::start(dir.path()).await;
    let body = format!("id={}", "a".repeat(2 * 1024 * 1024));
    let answer = server
        .client
        .post(server.url("/_fn/get_photo"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .expect("POST");
    assert_eq!(answer.status(), StatusCode::PAYLOAD_TOO_LARGE);
    server.stop().await;
}

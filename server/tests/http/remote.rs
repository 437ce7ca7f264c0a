//! `gaillery import` against a running server (`--server URL --token-file F`): the binary
//! uploads for the token's account, as any script would, and a wrong token stops it before
//! any file is sent.

use crate::support::TestServer;
use gaillery_core::api::PhotoPage;
use gaillery_testkit as kit;
use std::process::Command;

async fn new_token(server: &TestServer) -> String {
    let created: serde_json::Value = server
        .client
        .post(server.url("/api/tokens"))
        .json(&serde_json::json!({ "name": "import" }))
        .send()
        .await
        .expect("token")
        .json()
        .await
        .expect("token JSON");
    created["token"].as_str().expect("token").to_owned()
}

fn import(dir: &std::path::Path, base: &str, token_file: &std::path::Path) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_gaillery"))
        .arg("import")
        .arg(dir)
        .args(["--server", base])
        .arg("--token-file")
        .arg(token_file)
        .env("RUST_LOG", "warn")
        .output()
        .expect("gaillery runs")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn import_uploads_a_folder_to_a_server_for_the_tokens_account() {
    let dir = tempfile::tempdir().expect("temp dir");
    let server = TestServer::start(&dir.path().join("server")).await;
    let photos = dir.path().join("photos");
    std::fs::create_dir_all(photos.join("nested")).expect("folders");
    std::fs::write(photos.join("a.jpg"), kit::photo_jpeg(320, 240, 1)).expect("write");
    std::fs::write(photos.join("nested/b.jpg"), kit::photo_jpeg(320, 240, 2)).expect("write");
    std::fs::write(photos.join("notes.txt"), b"not a photo").expect("write");
    let token_file = dir.path().join("token");
    std::fs::write(&token_file, format!("{}\n", new_token(&server).await)).expect("write");

    let base = server.base.clone();
    let (photos_dir, file) = (photos.clone(), token_file.clone());
    let output = tokio::task::spawn_blocking(move || import(&photos_dir, &base, &file))
        .await
        .expect("import");
    let log = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{log}");
    assert!(
        log.contains("imported 2 for admin, 0 already there, 1 skipped"),
        "{log}"
    );
    let page: PhotoPage = server.get("/api/photos").await.json().await.expect("page");
    assert_eq!(page.photos.len(), 2);

    // A revoked or wrong token: refused before anything is sent.
    std::fs::write(&token_file, "gly_not_a_token").expect("write");
    let base = server.base.clone();
    let output = tokio::task::spawn_blocking(move || import(&photos, &base, &token_file))
        .await
        .expect("import");
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("401"));
    server.stop().await;
}

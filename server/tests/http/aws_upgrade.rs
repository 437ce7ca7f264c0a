//! Upgrading a many-servers gallery made before accounts: photos that `gaillery import` put in
//! S3 and DynamoDB for the one built-in owner (what every release before accounts wrote) are
//! the first account's once it is made, where they always were, with nothing copied: listed,
//! served, counted on the command line; a second account starts empty.

use crate::cluster::{Backends, Node, BUCKET};
use crate::support::add_user_on;
use gaillery_testkit as kit;
use reqwest::StatusCode;
use std::path::Path;
use std::process::Output;

fn succeeded(output: Output, what: &str) -> String {
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(output.status.success(), "{what} failed:\n{text}");
    text
}

/// The keys in a bucket, as `s3s-fs` keeps them (one file per object).
fn object_keys(bucket: &Path) -> Vec<String> {
    let mut keys = Vec::new();
    let mut folders = vec![bucket.to_path_buf()];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).expect("bucket folder").flatten() {
            let path = entry.path();
            if path.is_dir() {
                folders.push(path);
            } else if let Ok(key) = path.strip_prefix(bucket) {
                keys.push(key.to_string_lossy().into_owned());
            }
        }
    }
    keys
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_first_account_takes_over_an_s3_and_dynamodb_gallery_made_before_accounts() {
    let backends = Backends::start().await;
    let photos = backends.dir.path().join("holiday photos");
    std::fs::create_dir_all(&photos).expect("photo folder");
    for seed in 1..=2 {
        std::fs::write(
            photos.join(format!("old-{seed}.jpg")),
            kit::photo_jpeg(320, 240, seed),
        )
        .expect("photo");
    }
    let import_dir = backends.dir.path().join("import");
    let imported = backends
        .command(&["import"], &import_dir)
        .arg(&photos)
        .args(["--model", "none"])
        .output()
        .expect("gaillery import runs");
    let log = succeeded(imported, "import");
    assert!(log.contains("imported 2"), "{log}");
    // The built-in owner's images are where releases before accounts put them.
    let keys = object_keys(&backends.dir.path().join("s3").join(BUCKET));
    assert!(
        keys.iter().any(|key| key.starts_with("photos/"))
            && !keys.iter().any(|key| key.starts_with("o/")),
        "{keys:?}"
    );

    // The server's first run makes the administrator, who owns them at once.
    let node = Node::start(&backends, "upgraded", &[]).await;
    let listed = node.all_photos().await;
    let mut names: Vec<&str> = listed.iter().map(|p| p.filename.as_str()).collect();
    names.sort();
    assert_eq!(names, ["old-1.jpg", "old-2.jpg"]);
    for photo in &listed {
        let thumbnail = node
            .client
            .get(node.url(&format!("/api/photos/{}/thumbnail", photo.id)))
            .send()
            .await
            .expect("thumbnail");
        assert_eq!(thumbnail.status(), StatusCode::OK, "{}", photo.filename);
    }
    let listed_users = backends
        .command(&["user", "list"], &import_dir)
        .output()
        .expect("gaillery user list runs");
    let users = succeeded(listed_users, "user list");
    let bytes: usize = (1..=2)
        .map(|seed| kit::photo_jpeg(320, 240, seed).len())
        .sum();
    let size = gaillery_core::size::human_size(bytes as u64);
    assert!(
        users.contains(&format!("admin\tadmin\t2 photos\t{size}")),
        "{users}"
    );

    // Another account starts with nothing.
    let bob = add_user_on(&node.base, &node.client, "bob").await;
    let bobs: gaillery_core::api::PhotoPage = bob
        .get(node.url("/api/photos"))
        .send()
        .await
        .expect("listing")
        .json()
        .await
        .expect("page");
    assert!(bobs.photos.is_empty());
}

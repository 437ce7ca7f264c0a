//! `gaillery seed-library` on embedded storage, run as the release binary's command is: the
//! photos it adds are served like uploads, to their owner only.

use crate::process::{command, GailleryProcess};
use crate::support::{signed_in_client, ADMIN, PASSWORD};
use gaillery_core::api::TagCount;
use gaillery_core::{PhotoStatus, Variant};
use sha2::{Digest, Sha256};
use std::io::Write;
use std::path::Path;
use std::process::{Output, Stdio};

const COUNT: usize = 600;

/// `gaillery user add NAME` with the tests' password on standard input.
fn add_user(dir: &Path, name: &str, admin: bool) {
    let mut args = vec!["user", "add", name];
    if admin {
        args.push("--admin");
    }
    let mut child = command(dir, &args)
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("gaillery user add starts");
    let mut stdin = child.stdin.take().expect("stdin");
    writeln!(stdin, "{PASSWORD}").expect("password written");
    drop(stdin);
    let output = child.wait_with_output().expect("user add ends");
    assert!(output.status.success(), "user add {name}: {output:?}");
}

fn seed(dir: &Path, args: &[&str]) -> Output {
    let mut all = vec!["seed-library"];
    all.extend_from_slice(args);
    command(dir, &all).output().expect("seed-library runs")
}

#[tokio::test]
async fn seeded_photos_are_served_like_uploads_to_their_owner_only() {
    let dir = tempfile::tempdir().expect("temp dir");
    add_user(dir.path(), ADMIN, true);
    add_user(dir.path(), "bob", false);

    let refused = seed(dir.path(), &["--count", "10"]);
    assert!(!refused.status.success(), "two accounts: whose library?");
    let said = String::from_utf8_lossy(&refused.stderr);
    assert!(said.contains("--user NAME"), "{said}");
    let refused = seed(dir.path(), &["--count", "10", "--user", "nobody"]);
    assert!(!refused.status.success(), "no such account");
    let refused = seed(dir.path(), &["--count", "0", "--user", ADMIN]);
    assert!(!refused.status.success(), "nothing to add");

    let count = COUNT.to_string();
    let seeded = seed(dir.path(), &["--count", &count, "--user", ADMIN]);
    assert!(seeded.status.success(), "{seeded:?}");
    let said = String::from_utf8_lossy(&seeded.stdout);
    assert!(
        said.starts_with(&format!("added {COUNT} photos in ")),
        "{said}"
    );

    let server = GailleryProcess::start(dir.path(), &["--model", "none"]).await;
    let admin = signed_in_client(&server.base, ADMIN).await;
    let photos = crate::support::all_photos(&admin, &server.base, 100).await;
    assert_eq!(photos.len(), COUNT);
    assert!(photos.iter().all(|p| p.status == PhotoStatus::Done));
    assert!(photos.iter().all(|p| p.labels.len() == 3));
    for photo in photos.iter().step_by(149) {
        for variant in Variant::ALL {
            let response = admin
                .get(server.url(&photo.url(variant)))
                .send()
                .await
                .expect("image request");
            assert_eq!(response.status(), 200, "{variant:?} of {}", photo.id);
            let bytes = response.bytes().await.expect("image bytes");
            assert_eq!(&bytes[..2], &[0xff, 0xd8], "a JPEG");
            if variant == Variant::Original {
                assert_eq!(hex::encode(Sha256::digest(&bytes)), photo.sha256);
            }
        }
    }
    let tags: Vec<TagCount> = admin
        .get(server.url("/api/tags"))
        .send()
        .await
        .expect("tags request")
        .json()
        .await
        .expect("tags JSON");
    assert_eq!(tags.iter().map(|t| t.count).sum::<u64>(), 3 * COUNT as u64);

    let bob = signed_in_client(&server.base, "bob").await;
    assert!(crate::support::all_photos(&bob, &server.base, 100)
        .await
        .is_empty());
    let theirs = bob
        .get(server.url(&photos[0].url(Variant::Thumbnail)))
        .send()
        .await
        .expect("image request");
    assert_eq!(theirs.status(), 404, "another account's photo is not there");
}

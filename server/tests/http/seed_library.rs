//! `gaillery seed-library` on embedded storage, run as the release binary's command is: the
//! photos it adds are served like uploads, to their owner only.

use crate::process::{command, GailleryProcess};
use crate::support::{signed_in_client, ADMIN, PASSWORD};
use gaillery_core::api::{PhotoPage, TagCount, Timeline};
use gaillery_core::timeline::millis_of_created_at;
use gaillery_core::{Photo, PhotoStatus, TimelineOrder, Variant};
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
    // Only the labels the classifier was sure enough of make a photo findable.
    let searchable: usize = photos
        .iter()
        .map(|photo| gaillery_core::searchable_labels(&photo.labels).count())
        .sum();
    assert!(searchable < 3 * COUNT, "some seeded labels are unsure");
    assert_eq!(tags.iter().map(|t| t.count).sum::<u64>(), searchable as u64);

    check_timeline(&admin, &server.base, &photos).await;

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
    let timeline: Timeline = get_json(&bob, &server.url("/api/timeline")).await;
    assert!(timeline.sections.is_empty(), "bob's timeline is his own");
}

async fn get_json<T: serde::de::DeserializeOwned>(client: &reqwest::Client, url: &str) -> T {
    let response = client.get(url).send().await.expect("request");
    assert_eq!(response.status(), 200, "{url}");
    response.json().await.expect("JSON")
}

/// The timeline of the seeded library: months by date taken spread over the years, each
/// month's count equal to what its listing holds, and the listing in date order.
async fn check_timeline(client: &reqwest::Client, base: &str, photos: &[Photo]) {
    let url = |path: &str| format!("{base}{path}");
    let timeline: Timeline = get_json(client, &url("/api/timeline")).await;
    let total: u64 = timeline.sections.iter().map(|s| s.count).sum();
    assert_eq!(total, photos.len() as u64);
    let months: Vec<&str> = timeline.sections.iter().map(|s| s.month.as_str()).collect();
    assert!(months.windows(2).all(|w| w[0] > w[1]), "newest month first");
    let years: std::collections::BTreeSet<&str> = months.iter().map(|m| &m[..4]).collect();
    assert!(years.len() >= 10, "20 years of photos: {years:?}");
    // Every photo's month, as the timeline computes it, matches the sections.
    let mut expected: std::collections::BTreeMap<String, u64> = Default::default();
    for photo in photos {
        let created_ms = millis_of_created_at(&photo.created_at).expect("created_at");
        let key = TimelineOrder::Taken.key(photo.taken_at.as_deref(), created_ms);
        *expected
            .entry(TimelineOrder::Taken.month_of(key).to_string())
            .or_default() += 1;
    }
    let listed: std::collections::BTreeMap<String, u64> = timeline
        .sections
        .iter()
        .map(|s| (s.month.clone(), s.count))
        .collect();
    assert_eq!(listed, expected);
    // The busiest month, page by page.
    let busiest = timeline
        .sections
        .iter()
        .max_by_key(|s| s.count)
        .expect("a month");
    let mut seen = Vec::new();
    let mut cursor = String::new();
    loop {
        let page: PhotoPage = get_json(
            client,
            &url(&format!(
                "/api/photos?month={}&limit=7&cursor={cursor}",
                busiest.month
            )),
        )
        .await;
        seen.extend(page.photos);
        match page.next_cursor {
            Some(next) => cursor = next,
            None => break,
        }
    }
    assert_eq!(seen.len() as u64, busiest.count);
    let keys: Vec<i64> = seen
        .iter()
        .map(|p| {
            TimelineOrder::Taken.key(
                p.taken_at.as_deref(),
                millis_of_created_at(&p.created_at).expect("created_at"),
            )
        })
        .collect();
    assert!(keys.windows(2).all(|w| w[0] >= w[1]), "newest taken first");
    // By upload, the months differ but the photos are the same.
    let uploaded: Timeline = get_json(client, &url("/api/timeline?sort=uploaded")).await;
    assert_eq!(
        uploaded.sections.iter().map(|s| s.count).sum::<u64>(),
        total
    );
    assert_ne!(
        uploaded, timeline,
        "scanned and late photos move between months"
    );
    // A search narrows the counts.
    let subject = &photos[0].labels[0].label;
    let tagged: Timeline = get_json(
        client,
        &url(&format!("/api/timeline?tag={}", subject.replace(' ', "+"))),
    )
    .await;
    let tagged_total: u64 = tagged.sections.iter().map(|s| s.count).sum();
    assert!(
        tagged_total >= 1 && tagged_total < total,
        "{subject}: {tagged_total}"
    );
    for (query, expected_error) in [
        ("/api/photos?month=2025-13", "month must be"),
        ("/api/photos?month=May", "month must be"),
        ("/api/timeline?sort=newest", "sort must be"),
        ("/api/photos?month=2025-05&sort=size", "sort must be"),
    ] {
        let response = client.get(url(query)).send().await.expect("request");
        assert_eq!(response.status(), 400, "{query}");
        let body = response.text().await.expect("body");
        assert!(body.contains(expected_error), "{query}: {body}");
    }
}

//! The seeded library: what `gaillery seed-library` writes is what an upload would have.

use super::Harness;
use gaillery_core::{OwnerId, Photo, PhotoStatus, Variant};
use gaillery_storage::{BlobKey, BlobStore, Catalog};
use sha2::{Digest, Sha256};
use std::collections::BTreeSet;
use std::sync::Mutex;

const COUNT: u64 = 1_000;

async fn every_photo(harness: &Harness, owner: &OwnerId) -> Vec<Photo> {
    let mut photos = Vec::new();
    let mut cursor = None;
    loop {
        let page = harness
            .stored_catalog
            .list_photos(owner, cursor.as_deref(), 100)
            .await
            .expect("the memory catalog lists");
        photos.extend(page.photos);
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => return photos,
        }
    }
}

#[tokio::test]
async fn seeds_whole_photos_over_twenty_years() {
    let harness = Harness::new(&[]);
    let owner = OwnerId::local();
    let reported = Mutex::new(Vec::new());
    let added = harness
        .gallery
        .seed_library(&owner, COUNT, |done| {
            reported.lock().expect("not poisoned").push(done)
        })
        .await
        .expect("seeding succeeds");
    assert_eq!(added, COUNT);
    let reported = reported.into_inner().expect("not poisoned");
    assert_eq!(reported.len(), 10, "progress every hundred: {reported:?}");
    assert_eq!(reported.last(), Some(&COUNT));

    let photos = every_photo(&harness, &owner).await;
    assert_eq!(photos.len() as u64, COUNT);
    let ids: BTreeSet<_> = photos.iter().map(|p| p.id.clone()).collect();
    assert_eq!(ids.len(), photos.len(), "ids are unique");
    let hashes: BTreeSet<_> = photos.iter().map(|p| p.sha256.clone()).collect();
    assert_eq!(hashes.len(), photos.len(), "originals differ");

    let known = |label: &str| gaillery_imagenet::classes().iter().any(|c| c.name == label);
    for photo in &photos {
        assert_eq!(photo.status, PhotoStatus::Done);
        let labels: BTreeSet<_> = photo.labels.iter().map(|l| l.label.as_str()).collect();
        assert_eq!(labels.len(), 3, "three distinct labels: {:?}", photo.labels);
        assert!(labels.iter().all(|label| known(label)), "{labels:?}");
        let probabilities: Vec<f32> = photo.labels.iter().map(|l| l.probability).collect();
        assert!(
            probabilities.is_sorted_by(|a, b| a >= b),
            "{probabilities:?}"
        );
        assert!(probabilities.iter().sum::<f32>() <= 1.0);
        assert!(photo.width >= 120 && photo.height >= 120, "{photo:?}");
        assert!(!photo.placeholder.is_empty());
    }

    // Dates: most photos have one, spread over about twenty years, and uploads follow.
    let years: BTreeSet<&str> = photos
        .iter()
        .filter_map(|p| p.taken_at.as_deref())
        .map(|taken| &taken[..4])
        .collect();
    let dated = photos.iter().filter(|p| p.taken_at.is_some()).count();
    assert!((750..=950).contains(&dated), "{dated} of {COUNT} dated");
    assert!(years.len() >= 12, "years {years:?}");
    let uploaded: BTreeSet<&str> = photos.iter().map(|p| &p.created_at[..4]).collect();
    assert!(uploaded.len() >= 12, "upload years {uploaded:?}");
    let months: BTreeSet<&str> = photos.iter().map(|p| &p.created_at[..7]).collect();
    assert!(months.len() >= 40, "{} months", months.len());

    // Every photo has its four images, and the original is what its hash says.
    assert_eq!(harness.stored_blobs.keys().len() as u64, 4 * COUNT);
    for photo in photos.iter().step_by(97) {
        for variant in Variant::ALL {
            let key = BlobKey::new(&format!("photos/{}/{}", photo.id, variant.path_segment()))
                .expect("key");
            let bytes = harness.stored_blobs.read_all(&key).await.expect("stored");
            assert_eq!(&bytes[..2], &[0xff, 0xd8], "{key} is a JPEG");
            if variant == Variant::Original {
                assert_eq!(hex::encode(Sha256::digest(&bytes)), photo.sha256);
                let image = gaillery_imaging::process(&bytes, &Default::default())
                    .expect("the original decodes");
                assert_eq!((image.width, image.height), (photo.width, photo.height));
            }
        }
    }
}

#[tokio::test]
async fn a_second_run_adds_as_many_again() {
    let harness = Harness::new(&[]);
    let owner = OwnerId::local();
    for _ in 0..2 {
        harness
            .gallery
            .seed_library(&owner, 150, |_| {})
            .await
            .expect("seeding succeeds");
    }
    assert_eq!(every_photo(&harness, &owner).await.len(), 300);
}

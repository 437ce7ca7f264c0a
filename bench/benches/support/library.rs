//! A library of photos as uploads would catalogue them, for the benchmarks: about three years
//! of photos, some in bursts, most with an EXIF date, each with three labels.

use gaillery_core::{Label, OwnerId, PhotoId, PhotoStatus};
use gaillery_storage::{Catalog, NewPhoto};
use gaillery_storage_embedded::SqliteCatalog;

/// The library's size in the benchmarks.
pub const PHOTOS: u64 = 100_000;

/// Catalogues `count` photos for `owner`, labelled as the classifier would.
pub async fn fill(catalog: &SqliteCatalog, owner: &OwnerId, count: u64) {
    let photos: Vec<NewPhoto> = (0..count).map(|i| photo(owner, i)).collect();
    let ids: Vec<PhotoId> = photos.iter().map(|p| p.id.clone()).collect();
    let inserted = catalog.insert_many(photos).await.expect("bulk insert");
    assert_eq!(inserted as u64, count, "every photo is new");
    for (i, id) in ids.iter().enumerate() {
        let labelled = catalog
            .set_labels(owner, id, labels(i as u64))
            .await
            .expect("labels");
        assert!(labelled);
    }
}

/// A photo as an upload would catalogue it, varied deterministically: about three years of
/// photos, three at a time in the same millisecond (bursts), most with an EXIF date.
fn photo(owner: &OwnerId, i: u64) -> NewPhoto {
    let created_at_ms = 1_480_000_000_000 + (i / 3) as i64 * 3_150_000;
    let portrait = i.is_multiple_of(4);
    let hash = [mix(i), mix(i ^ 0xa5a5), mix(i ^ 0x5a5a_5a5a), mix(!i)];
    NewPhoto {
        // Like the server's ids: time first, so they sort by creation.
        id: PhotoId::parse(&format!("{created_at_ms:013}{i:06}")).expect("id"),
        owner: owner.clone(),
        filename: format!("IMG_{:04}.JPG", i % 10_000),
        width: if portrait { 3024 } else { 4032 },
        height: if portrait { 4032 } else { 3024 },
        taken_at: (!i.is_multiple_of(5)).then(|| {
            format!(
                "20{:02}-{:02}-{:02}T{:02}:{:02}:00",
                16 + i % 10,
                1 + i % 12,
                1 + i % 28,
                i % 24,
                i % 60
            )
        }),
        format: "jpeg".to_owned(),
        size_bytes: 1_500_000 + hash[1] % 6_500_000,
        sha256: hash.iter().map(|h| format!("{h:016x}")).collect(),
        placeholder: format!("{:016x}{:012x}", hash[2], hash[3] >> 16),
        status: PhotoStatus::Done,
        created_at_ms,
    }
}

fn labels(i: u64) -> Vec<Label> {
    const NAMES: [&str; 8] = [
        "golden retriever",
        "tabby, tabby cat",
        "seashore, coast, seacoast, sea-coast",
        "alp",
        "espresso",
        "mountain bike, all-terrain bike, off-roader",
        "lakeside, lakeshore",
        "pizza, pizza pie",
    ];
    let top = 0.35 + (mix(i) % 600) as f32 / 1_000.0;
    [(0, top), (3, (1.0 - top) * 0.6), (5, (1.0 - top) * 0.2)]
        .into_iter()
        .map(|(offset, probability)| Label {
            label: NAMES[(i as usize + offset) % NAMES.len()].to_owned(),
            probability,
        })
        .collect()
}

/// SplitMix64: cheap, deterministic pseudo-random fields.
fn mix(seed: u64) -> u64 {
    let mut z = seed.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

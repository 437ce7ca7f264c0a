//! A library made up without decoding anything, for benchmarks and tests of large galleries
//! (`gaillery seed-library`): photos spread over twenty years in bursts, as people take them,
//! each with small images, a placeholder and three labels, written through the storage traits
//! like an upload's, but a batch at a time (`put_many`, `insert_photos`): one by one, the
//! flushes and commits took most of the time.

use crate::ids::{keys_for, photo_id_at, PhotoKeys};
use crate::{Gallery, ServiceError};
use bytes::Bytes;
use futures::{StreamExt, TryStreamExt};
use gaillery_core::{Label, OwnerId, PhotoId, PhotoStatus, Variant};
use gaillery_imaging::{Limits, ProcessedImage, DERIVED_CONTENT_TYPE};
use gaillery_storage::catalog::rfc3339_from_millis;
use gaillery_storage::{NewBlob, NewPhoto};
use sha2::{Digest, Sha256};
use std::sync::Arc;

/// How far back a seeded library reaches.
const YEARS: i64 = 20;
const DAY_MS: i64 = 86_400_000;
/// Photos stored together: their images in one `put_many`, their entries in one
/// `insert_photos` (one commit). Larger batches measured no faster.
const BATCH: usize = 100;
/// Batches in flight, so that one is catalogued while others' images are written.
const BATCHES_AT_ONCE: usize = 3;

/// What people photograph most, as the classifier names it: each burst has one of these as
/// its top label.
const SUBJECTS: [&str; 16] = [
    "golden retriever",
    "tabby",
    "seashore",
    "alp",
    "lakeside",
    "espresso",
    "pizza",
    "mountain bike",
    "sandbar",
    "valley",
    "volcano",
    "church",
    "daisy",
    "jack-o'-lantern",
    "convertible",
    "Labrador retriever",
];

/// One photo of the seeded library, before its images are written.
#[derive(Clone)]
struct SeededPhoto {
    photo: NewPhoto,
    labels: Vec<Label>,
    look: usize,
}

/// One of the images seeded photos share, its derived images as `Bytes` so that every photo
/// stores them without a copy.
struct Look {
    width: u32,
    height: u32,
    placeholder: String,
    thumbnail: Bytes,
    thumbnail_2x: Bytes,
    preview: Bytes,
}

impl From<ProcessedImage> for Look {
    fn from(image: ProcessedImage) -> Look {
        Look {
            width: image.width,
            height: image.height,
            placeholder: image.placeholder,
            thumbnail: image.thumbnail.bytes.into(),
            thumbnail_2x: image.thumbnail_2x.bytes.into(),
            preview: image.preview.bytes.into(),
        }
    }
}

/// The images every seeded photo shares one of: a few gradients in the aspect ratios cameras
/// and phones make, through the same processing as an upload's.
struct Looks(Vec<Look>);

impl Looks {
    fn make() -> Result<Looks, ServiceError> {
        const SIZES: [(u32, u32); 6] = [
            (240, 180),
            (180, 240),
            (256, 144),
            (200, 200),
            (360, 120),
            (240, 160),
        ];
        let looks = (0..24)
            .map(|i| {
                let (width, height) = SIZES[i % SIZES.len()];
                let bmp = gradient_bmp(width, height, i as u32 * 15);
                gaillery_imaging::process(&bmp, &Limits::default())
                    .map(Look::from)
                    .map_err(|e| ServiceError::internal_because("making the seeded images", e))
            })
            .collect::<Result<_, _>>()?;
        Ok(Looks(looks))
    }
}

impl Gallery {
    /// Adds `count` made-up photos to `owner`'s library, oldest first, calling `progress` with
    /// how many are done after every hundred. Each run's photos are new (their originals carry
    /// a random salt of the run's), so running it twice doubles the library.
    pub async fn seed_library(
        &self,
        owner: &OwnerId,
        count: u64,
        progress: impl Fn(u64) + Send + Sync,
    ) -> Result<u64, ServiceError> {
        let looks = tokio::task::spawn_blocking(Looks::make)
            .await
            .map_err(|e| ServiceError::internal_because("making the seeded images", e))??;
        let looks = Arc::new(looks);
        let plan = Plan::new(owner, count, crate::ids::now_ms());
        let salt: u64 = rand::random();
        let mut done: u64 = 0;
        futures::stream::iter(plan)
            .chunks(BATCH)
            .map(|batch| self.seed_batch(batch, Arc::clone(&looks), salt))
            .buffer_unordered(BATCHES_AT_ONCE)
            .try_for_each(|seeded| {
                let before = done;
                done += seeded;
                // Every hundred passed, as if the photos had come one at a time.
                for hundreds in before / 100 + 1..=done / 100 {
                    progress(hundreds * 100);
                }
                if done == count && !count.is_multiple_of(100) {
                    progress(done);
                }
                futures::future::ready(Ok(()))
            })
            .await?;
        Ok(done)
    }

    /// Stores a batch's images, then catalogues its photos, so that no photo is catalogued
    /// before its images are durable. Returns how many photos the batch held.
    async fn seed_batch(
        &self,
        batch: Vec<SeededPhoto>,
        looks: Arc<Looks>,
        salt: u64,
    ) -> Result<u64, ServiceError> {
        let count = batch.len() as u64;
        let made = tokio::task::spawn_blocking(move || make_batch(batch, &looks, salt))
            .await
            .map_err(|e| ServiceError::internal_because("making the seeded photos", e))??;
        self.blobs.put_many(made.blobs).await?;
        let outcomes = self.catalog.insert_photos(made.photos).await?;
        for ((id, keys), outcome) in made.keys.iter().zip(&outcomes) {
            // Same bytes as a photo already there (only a run with the same salt could make
            // them): these images are no photo's, unless they are that very photo's.
            if !outcome.is_created() && outcome.photo().id != *id {
                for key in keys.all() {
                    self.blobs.delete(key).await?;
                }
            }
        }
        Ok(count)
    }
}

/// A batch of seeded photos ready to store: their images, their catalog entries with labels,
/// and each photo's id and keys, in the same order.
struct MadeBatch {
    blobs: Vec<NewBlob>,
    photos: Vec<(NewPhoto, Vec<Label>)>,
    keys: Vec<(PhotoId, PhotoKeys)>,
}

/// Gives each photo of the batch its original (the look's preview, made unique by a comment)
/// and its four images.
fn make_batch(
    batch: Vec<SeededPhoto>,
    looks: &Looks,
    salt: u64,
) -> Result<MadeBatch, ServiceError> {
    let mut made = MadeBatch {
        blobs: Vec::with_capacity(4 * batch.len()),
        photos: Vec::with_capacity(batch.len()),
        keys: Vec::with_capacity(batch.len()),
    };
    for seeded in batch {
        let SeededPhoto {
            mut photo,
            labels,
            look,
        } = seeded;
        let image = &looks.0[look];
        let original = Bytes::from(with_comment(
            &image.preview,
            &format!("gaillery seed {salt} {}", photo.id),
        ));
        photo.width = image.width;
        photo.height = image.height;
        photo.placeholder = image.placeholder.clone();
        photo.size_bytes = original.len() as u64;
        photo.sha256 = hex::encode(Sha256::digest(&original));
        let keys = keys_for(&photo.owner, &photo.id)?;
        for variant in Variant::ALL {
            let bytes = match variant {
                Variant::Original => original.clone(),
                Variant::Thumbnail => image.thumbnail.clone(),
                Variant::Thumbnail2x => image.thumbnail_2x.clone(),
                Variant::Preview => image.preview.clone(),
            };
            made.blobs.push(NewBlob {
                key: keys.get(variant).clone(),
                bytes,
                content_type: DERIVED_CONTENT_TYPE.to_owned(),
            });
        }
        made.keys.push((photo.id.clone(), keys));
        made.photos.push((photo, labels));
    }
    Ok(made)
}

/// The seeded photos in upload order: bursts of 1 to 40 photos on one day, the days spread
/// over [`YEARS`] and closer together in recent years, as phones made photos cheaper.
struct Plan {
    owner: OwnerId,
    count: u64,
    next: u64,
    now_ms: i64,
    burst_left: u64,
    burst_ms: i64,
    burst_subject: usize,
}

impl Plan {
    fn new(owner: &OwnerId, count: u64, now_ms: i64) -> Plan {
        Plan {
            owner: owner.clone(),
            count,
            next: 0,
            now_ms,
            burst_left: 0,
            burst_ms: 0,
            burst_subject: 0,
        }
    }

    fn start_burst(&mut self) {
        let i = self.next;
        let span = YEARS * 365 * DAY_MS;
        // Square root: half the photos fall in the last quarter of the span.
        let position = (i as f64 / self.count.max(1) as f64).sqrt();
        let day_start = self.now_ms - span + (position * span as f64) as i64;
        let day_start = day_start - day_start.rem_euclid(DAY_MS);
        // Daytime, 08:00 to 20:00.
        self.burst_ms = day_start + 8 * 3_600_000 + (mix(i) % (12 * 3_600_000)) as i64;
        self.burst_left = 1 + mix(i ^ 0xb0) % 40;
        self.burst_subject = (mix(i ^ 0x5b) % SUBJECTS.len() as u64) as usize;
    }
}

impl Iterator for Plan {
    type Item = SeededPhoto;

    fn next(&mut self) -> Option<SeededPhoto> {
        if self.next >= self.count {
            return None;
        }
        if self.burst_left == 0 {
            self.start_burst();
        }
        let i = self.next;
        self.next += 1;
        self.burst_left -= 1;
        self.burst_ms += 20_000 + (mix(i ^ 0x71) % 300_000) as i64;
        let taken_ms = self.burst_ms.min(self.now_ms);
        // Uploaded within a month of being taken, never in the future.
        let created_at_ms = (taken_ms + (mix(i ^ 0xc4) % (30 * DAY_MS as u64)) as i64)
            .min(self.now_ms - (self.count - i) as i64);
        let taken_at = match mix(i ^ 0xe1) % 100 {
            // Screenshots, scans and edited copies: no EXIF date.
            0..15 => None,
            // Old photos scanned or imported late: taken years before their upload.
            15..18 => Some(naive_time(
                taken_ms - (1 + mix(i) % 15) as i64 * 365 * DAY_MS,
            )),
            _ => Some(naive_time(taken_ms)),
        };
        let photo = NewPhoto {
            id: photo_id_at(created_at_ms),
            owner: self.owner.clone(),
            filename: format!("IMG_{:04}.JPG", i % 10_000),
            width: 0,
            height: 0,
            taken_at,
            format: "jpeg".to_owned(),
            size_bytes: 0,
            sha256: String::new(),
            placeholder: String::new(),
            status: PhotoStatus::Done,
            created_at_ms,
        };
        Some(SeededPhoto {
            photo,
            labels: labels(self.burst_subject, i),
            look: (self.burst_subject * 3 + (i % 3) as usize) % 24,
        })
    }
}

/// Three labels as the classifier gives them: the burst's subject first, surer or less so.
fn labels(subject: usize, i: u64) -> Vec<Label> {
    // 0.40 to 0.95: always above the second label, which takes 60 % of the rest.
    let top = 0.4 + (mix(i ^ 0x9d) % 550) as f32 / 1_000.0;
    // Two other subjects, different from it and from each other.
    let second = 1 + mix(i ^ 0x11) % 15;
    let third = 1 + (second + mix(i ^ 0x22) % 14) % 15;
    let subject_after = |offset: u64| SUBJECTS[(subject + offset as usize) % SUBJECTS.len()];
    [
        (SUBJECTS[subject], top),
        (subject_after(second), (1.0 - top) * 0.6),
        (subject_after(third), (1.0 - top) * 0.2),
    ]
    .into_iter()
    .map(|(label, probability)| Label {
        label: label.to_owned(),
        probability,
    })
    .collect()
}

/// `YYYY-MM-DDTHH:MM:SS`, as EXIF dates are stored (the camera's local time; UTC here).
fn naive_time(ms: i64) -> String {
    rfc3339_from_millis(ms).chars().take(19).collect()
}

/// `jpeg` with a comment segment after its start marker: the same picture in other bytes.
fn with_comment(jpeg: &[u8], comment: &str) -> Vec<u8> {
    let payload = comment.as_bytes();
    let length = (payload.len() + 2) as u16;
    let mut out = Vec::with_capacity(jpeg.len() + payload.len() + 4);
    out.extend_from_slice(&jpeg[..2]);
    out.extend_from_slice(&[0xff, 0xfe]);
    out.extend_from_slice(&length.to_be_bytes());
    out.extend_from_slice(payload);
    out.extend_from_slice(&jpeg[2..]);
    out
}

/// A 24-bit BMP of a diagonal gradient between two colours `hue` degrees around the wheel.
fn gradient_bmp(width: u32, height: u32, hue: u32) -> Vec<u8> {
    let row_bytes = (width * 3).div_ceil(4) * 4;
    let pixel_bytes = row_bytes * height;
    let mut bmp = Vec::with_capacity(54 + pixel_bytes as usize);
    bmp.extend_from_slice(b"BM");
    for value in [54 + pixel_bytes, 0, 54, 40] {
        bmp.extend_from_slice(&value.to_le_bytes());
    }
    bmp.extend_from_slice(&(width as i32).to_le_bytes());
    bmp.extend_from_slice(&(height as i32).to_le_bytes());
    bmp.extend_from_slice(&1u16.to_le_bytes());
    bmp.extend_from_slice(&24u16.to_le_bytes());
    for value in [0, pixel_bytes, 2835, 2835, 0, 0] {
        bmp.extend_from_slice(&value.to_le_bytes());
    }
    let (from, to) = (rgb_of_hue(hue), rgb_of_hue(hue + 140));
    for y in 0..height {
        for x in 0..width {
            let t = (x + y) as f32 / (width + height) as f32;
            let [r, g, b] = [0, 1, 2].map(|c| (from[c] * (1.0 - t) + to[c] * t) as u8);
            bmp.extend_from_slice(&[b, g, r]);
        }
        bmp.resize(bmp.len() + (row_bytes - width * 3) as usize, 0);
    }
    bmp
}

/// A soft, saturated colour: the wheel at `hue` degrees.
fn rgb_of_hue(hue: u32) -> [f32; 3] {
    [0.0f32, 120.0, 240.0].map(|offset| {
        let angle = (hue as f32 - offset).to_radians();
        110.0 + 90.0 * angle.cos()
    })
}

/// SplitMix64: cheap, deterministic variety.
fn mix(seed: u64) -> u64 {
    let mut z = seed.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::GalleryConfig;
    use gaillery_storage::{BlobStore, Catalog};
    use gaillery_testkit::memory::{MemoryBlobStore, MemoryCatalog};

    const SALT: u64 = 7;

    #[tokio::test]
    async fn a_copy_of_a_catalogued_photo_leaves_no_images_and_takes_none_away() {
        let blobs = Arc::new(MemoryBlobStore::new());
        let catalog = Arc::new(MemoryCatalog::new());
        let staging = tempfile::tempdir().expect("staging directory");
        let config = GalleryConfig {
            max_upload_bytes: 1 << 20,
            image_limits: Limits::default(),
            staging_dir: staging.path().to_path_buf(),
            processing_slots: 1,
            decode_memory_bytes: 1 << 30,
            models: Vec::new(),
        };
        let gallery = Gallery::new(Arc::clone(&blobs) as _, Arc::clone(&catalog) as _, config);
        let owner = OwnerId::local();
        let looks = Arc::new(Looks::make().expect("looks"));
        let batch: Vec<SeededPhoto> = Plan::new(&owner, 3, 1_795_705_445_123).collect();
        // The first photo's bytes are already catalogued, under another id.
        let made = make_batch(batch.clone(), &looks, SALT).expect("made");
        let mut copy = made.photos[0].0.clone();
        copy.id = PhotoId::parse("copy1").expect("id");
        catalog.insert_photo(copy).await.expect("insert");

        for _ in 0..2 {
            // The second time every photo is its own duplicate: its images must stay.
            let seeded = gallery.seed_batch(batch.clone(), Arc::clone(&looks), SALT);
            assert_eq!(seeded.await.expect("seeded"), 3);
            assert_eq!(blobs.keys().len(), 8, "the copy's images are removed");
        }
        for (id, keys) in &made.keys[1..] {
            for key in keys.all() {
                assert!(blobs.exists(key).await.expect("exists"), "{key}");
            }
            let photo = catalog.photo(&owner, id).await.expect("photo");
            assert_eq!(photo.map(|p| p.labels.len()), Some(3), "{id}");
        }
        let totals = catalog.photo_totals(&owner).await.expect("totals");
        assert_eq!(totals.photos, 3);
    }
}

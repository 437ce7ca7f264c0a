//! `Catalog::timeline` on the SQLite catalog of a large library (issue #16: `/api/timeline` p50
//! under 10 ms at 1,000,000 photos): the month counts of the whole library, and those of a tag
//! search, at 100,000 and 1,000,000 photos, to show how each scales.
//!
//! The catalog alone: a seeded library of a million photos with its images would take ~20 GB
//! of disk. The photos are made as `gaillery seed-library` makes them (service/src/seeding.rs):
//! twenty years, half of them in the last five, in bursts of 1 to 40 on one day, 15 % without
//! an EXIF date, three labels each with the burst's subject first. They go in through
//! `SqliteCatalog::insert_many` (one transaction per 50,000) and `Catalog::set_labels`.
//!
//! Run: `cargo bench -p gaillery-storage-embedded --bench timeline`
//! (`GAILLERY_BENCH_SIZES=100000` for one size; the catalogs are in a temporary directory.)

use criterion::{criterion_group, criterion_main, Criterion};
use gaillery_core::{Label, OwnerId, PhotoId, PhotoStatus, TimelineOrder};
use gaillery_storage::catalog::rfc3339_from_millis;
use gaillery_storage::{Catalog, NewPhoto};
use gaillery_storage_embedded::SqliteCatalog;
use std::hint::black_box;
use std::time::{Duration, Instant};

const DEFAULT_SIZES: [u64; 2] = [100_000, 1_000_000];
/// Photos per `insert_many` transaction.
const BATCH: usize = 50_000;
const YEARS: i64 = 20;
const DAY_MS: i64 = 86_400_000;
/// The library ends here (7 December 2026), whenever the benchmark runs.
const NOW_MS: i64 = 1_796_601_600_000;
/// The searched tag: the top label of one burst in sixteen, and a lesser one of others.
const TAG: &str = "golden retriever";
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

fn timeline(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio runtime");
    let owner = OwnerId::local();
    let tagged = vec![vec![TAG.to_owned()]];
    for size in sizes() {
        let dir = tempfile::tempdir().expect("temp dir");
        let catalog =
            SqliteCatalog::open(&dir.path().join("catalog.sqlite")).expect("open catalog");
        let started = Instant::now();
        runtime.block_on(fill(&catalog, &owner, size));
        eprintln!(
            "catalog of {size} photos with 3 labels each built in {:.1?} ({:.0} MB)",
            started.elapsed(),
            file_megabytes(dir.path())
        );

        let months = |order, tags: &[Vec<String>]| {
            runtime
                .block_on(catalog.timeline(&owner, order, tags))
                .expect("timeline")
        };
        let all = months(TimelineOrder::Taken, &[]);
        assert_eq!(all.iter().map(|m| m.count).sum::<u64>(), size);
        let with_tag: u64 = months(TimelineOrder::Taken, &tagged)
            .iter()
            .map(|m| m.count)
            .sum();
        eprintln!(
            "{} months; {with_tag} photos ({:.1} %) are found by {TAG:?}",
            all.len(),
            with_tag as f64 * 100.0 / size as f64
        );

        let mut group = c.benchmark_group(format!("timeline_{size}"));
        group.sample_size(10);
        group.measurement_time(Duration::from_secs(5));
        group.bench_function("taken", |b| {
            b.iter(|| black_box(months(TimelineOrder::Taken, &[])))
        });
        group.bench_function("uploaded", |b| {
            b.iter(|| black_box(months(TimelineOrder::Uploaded, &[])))
        });
        group.bench_function("taken_one_tag", |b| {
            b.iter(|| black_box(months(TimelineOrder::Taken, &tagged)))
        });
        group.finish();

        // Criterion reports means; the target is a median, so measure that directly too.
        for (name, order, tags) in [
            ("taken", TimelineOrder::Taken, &[][..]),
            ("uploaded", TimelineOrder::Uploaded, &[][..]),
            ("taken, one tag", TimelineOrder::Taken, &tagged[..]),
        ] {
            let (runs, p50, p99) = percentiles(|| drop(black_box(months(order, tags))));
            eprintln!(
                "timeline {name} at {size} photos: p50 {p50:.2?}, p99 {p99:.2?} over {runs} calls"
            );
        }
        drop(catalog);
    }
}

/// The sizes to measure: `GAILLERY_BENCH_SIZES` (comma-separated) or 100,000 and 1,000,000.
fn sizes() -> Vec<u64> {
    match std::env::var("GAILLERY_BENCH_SIZES") {
        Ok(raw) => raw
            .split(',')
            .map(|size| size.trim().parse().expect("GAILLERY_BENCH_SIZES: numbers"))
            .collect(),
        Err(_) => DEFAULT_SIZES.to_vec(),
    }
}

/// Catalogues `count` photos for `owner`, oldest first, labelled as the seeding labels them.
async fn fill(catalog: &SqliteCatalog, owner: &OwnerId, count: u64) {
    let mut plan = Plan::new(count);
    let mut done = 0;
    while done < count {
        let batch: Vec<(NewPhoto, Vec<Label>)> = plan
            .by_ref()
            .take(BATCH)
            .map(|(i, taken_ms, created_at_ms, subject)| {
                (
                    photo(owner, i, count, taken_ms, created_at_ms),
                    labels(subject, i),
                )
            })
            .collect();
        let ids: Vec<(PhotoId, Vec<Label>)> = batch
            .iter()
            .map(|(photo, labels)| (photo.id.clone(), labels.clone()))
            .collect();
        let photos = batch.into_iter().map(|(photo, _)| photo).collect();
        let inserted = catalog.insert_many(photos).await.expect("bulk insert");
        assert_eq!(inserted, ids.len(), "every photo is new");
        for (id, labels) in ids {
            assert!(catalog
                .set_labels(owner, &id, labels)
                .await
                .expect("labels"));
        }
        done += inserted as u64;
    }
}

/// When each photo was taken and uploaded, and its burst's subject, as the seeding plans them:
/// bursts on one day, the days spread over [`YEARS`], denser in recent years.
struct Plan {
    count: u64,
    next: u64,
    burst_left: u64,
    burst_ms: i64,
    subject: usize,
}

impl Plan {
    fn new(count: u64) -> Plan {
        Plan {
            count,
            next: 0,
            burst_left: 0,
            burst_ms: 0,
            subject: 0,
        }
    }
}

impl Iterator for Plan {
    /// (index, taken at, uploaded at, subject)
    type Item = (u64, i64, i64, usize);

    fn next(&mut self) -> Option<Self::Item> {
        let i = self.next;
        if i >= self.count {
            return None;
        }
        if self.burst_left == 0 {
            let span = YEARS * 365 * DAY_MS;
            // Square root: half the photos fall in the last quarter of the span.
            let position = (i as f64 / self.count as f64).sqrt();
            let day = NOW_MS - span + (position * span as f64) as i64;
            let day = day - day.rem_euclid(DAY_MS);
            self.burst_ms = day + 8 * 3_600_000 + (mix(i) % (12 * 3_600_000)) as i64;
            self.burst_left = 1 + mix(i ^ 0xb0) % 40;
            self.subject = (mix(i ^ 0x5b) % SUBJECTS.len() as u64) as usize;
        }
        self.next += 1;
        self.burst_left -= 1;
        self.burst_ms += 20_000 + (mix(i ^ 0x71) % 300_000) as i64;
        let taken_ms = self.burst_ms.min(NOW_MS);
        let created_at_ms = (taken_ms + (mix(i ^ 0xc4) % (30 * DAY_MS as u64)) as i64)
            .min(NOW_MS - (self.count - i) as i64);
        Some((i, taken_ms, created_at_ms, self.subject))
    }
}

fn photo(owner: &OwnerId, i: u64, count: u64, taken_ms: i64, created_at_ms: i64) -> NewPhoto {
    let naive = |ms: i64| rfc3339_from_millis(ms).chars().take(19).collect::<String>();
    let taken_at = match mix(i ^ 0xe1) % 100 {
        // Screenshots, scans and edited copies: no EXIF date.
        0..15 => None,
        // Old photos scanned or imported late: taken years before their upload.
        15..18 => Some(naive(taken_ms - (1 + mix(i) % 15) as i64 * 365 * DAY_MS)),
        _ => Some(naive(taken_ms)),
    };
    let portrait = i.is_multiple_of(4);
    NewPhoto {
        // Time first, like the server's ids; the index keeps them unique.
        id: PhotoId::parse(&format!("{created_at_ms:013}{i:07}")).expect("id"),
        owner: owner.clone(),
        filename: format!("IMG_{:04}.JPG", i % 10_000),
        width: if portrait { 180 } else { 240 },
        height: if portrait { 240 } else { 180 },
        taken_at,
        format: "jpeg".to_owned(),
        size_bytes: 20_000 + mix(i ^ 0x33) % 10_000,
        sha256: format!("{:016x}{:016x}{:016x}{i:016x}", mix(i), mix(!i), count),
        placeholder: format!("{:016x}{:012x}", mix(i ^ 0x44), mix(i ^ 0x55) >> 16),
        status: PhotoStatus::Done,
        created_at_ms,
    }
}

/// Three labels as the classifier gives them: the burst's subject first, surer or less so.
fn labels(subject: usize, i: u64) -> Vec<Label> {
    let top = 0.4 + (mix(i ^ 0x9d) % 550) as f32 / 1_000.0;
    let second = 1 + mix(i ^ 0x11) % 15;
    let third = 1 + (second + mix(i ^ 0x22) % 14) % 15;
    let after = |offset: u64| SUBJECTS[(subject + offset as usize) % SUBJECTS.len()];
    [
        (SUBJECTS[subject], top),
        (after(second), (1.0 - top) * 0.6),
        (after(third), (1.0 - top) * 0.2),
    ]
    .into_iter()
    .map(|(label, probability)| Label {
        label: label.to_owned(),
        probability,
    })
    .collect()
}

/// Median and 99th percentile of `call`, over up to 1,000 calls or 10 seconds.
fn percentiles(mut call: impl FnMut()) -> (usize, Duration, Duration) {
    let started = Instant::now();
    let mut times = Vec::new();
    while times.len() < 1_000 && (times.len() < 10 || started.elapsed() < Duration::from_secs(10)) {
        let at = Instant::now();
        call();
        times.push(at.elapsed());
    }
    times.sort();
    let runs = times.len();
    (
        runs,
        times[runs / 2],
        times[(runs * 99 / 100).min(runs - 1)],
    )
}

fn file_megabytes(dir: &std::path::Path) -> f64 {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(|entry| entry.ok()?.metadata().ok())
                .map(|metadata| metadata.len())
                .sum::<u64>()
        })
        .unwrap_or(0) as f64
        / 1e6
}

/// SplitMix64: cheap, deterministic pseudo-random fields.
fn mix(seed: u64) -> u64 {
    let mut z = seed.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

criterion_group!(benches, timeline);
criterion_main!(benches);

//! What accounts cost, on the embedded SQLite catalog: a sign-in's server time (one Argon2id
//! verification at the production parameters, and the session written), the session check
//! every request makes (from the catalog, and within 30 s from the checked-credentials cache),
//! and the listing's first page of a 100,000-photo library alone and after a session check, as
//! a signed-in visitor's listing costs. The targets: a sign-in between 50 and 100 ms on one
//! core, and a session check adding under 0.2 ms to the listing.
//!
//! Run: `cargo bench -p gaillery-bench --bench accounts`

use criterion::{criterion_group, criterion_main, Criterion};
use gaillery_core::OwnerId;
use gaillery_service::Accounts;
use gaillery_storage::Catalog;
use gaillery_storage_embedded::SqliteCatalog;
use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};

#[path = "support/library.rs"]
mod library;

const USERNAME: &str = "alice";
const PASSWORD: &str = "correct horse battery";
const PAGE: usize = 60;

fn accounts(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio runtime");
    let dir = tempfile::tempdir().expect("temp dir");
    let catalog =
        Arc::new(SqliteCatalog::open(&dir.path().join("catalog.sqlite")).expect("open catalog"));
    let owner = OwnerId::local();
    runtime.block_on(library::fill(&catalog, &owner, library::PHOTOS));
    let accounts = Accounts::new(catalog.clone());
    runtime
        .block_on(accounts.set_up(USERNAME, PASSWORD))
        .expect("first account");
    let sign_in = || {
        runtime
            .block_on(accounts.sign_in(USERNAME, PASSWORD, None))
            .expect("sign-in")
    };
    let token = sign_in().token;
    // A server that has not seen the session within 30 s: a new `Accounts` has no cache.
    let check_from_catalog = || {
        let fresh = Accounts::new(catalog.clone());
        runtime
            .block_on(fresh.session(&token))
            .expect("session check")
            .expect("a live session")
    };
    let check_cached = || {
        runtime
            .block_on(accounts.session(&token))
            .expect("session check")
            .expect("a live session")
    };
    let list = || {
        runtime
            .block_on(catalog.list_photos(&owner, None, PAGE))
            .expect("first page")
    };
    assert_eq!(list().photos.len(), PAGE);
    assert_eq!(check_from_catalog().owner, owner);

    let mut group = c.benchmark_group("accounts");
    group.measurement_time(Duration::from_secs(5));
    group.sample_size(20);
    group.bench_function("sign_in", |b| b.iter(|| black_box(sign_in())));
    group.sample_size(100);
    group.bench_function("session_check_from_catalog", |b| {
        b.iter(|| black_box(check_from_catalog()))
    });
    group.bench_function("session_check_cached", |b| {
        b.iter(|| black_box(check_cached()))
    });
    group.finish();

    // Criterion reports means; the targets are medians, measured here side by side: the
    // listing alone and after each kind of check alternate call by call, so both see the same
    // machine.
    let (p50, p99) = percentiles(|| drop(black_box(sign_in())), 30);
    eprintln!("sign-in (Argon2id m=36 MiB t=2 p=1, session written): p50 {p50:.2?}, p99 {p99:.2?} over 30");
    let mut alone = Vec::new();
    let mut after_catalog_check = Vec::new();
    let mut after_cached_check = Vec::new();
    for _ in 0..1_000 {
        alone.push(timed(|| drop(black_box(list()))));
        after_catalog_check.push(timed(|| {
            black_box(check_from_catalog());
            drop(black_box(list()));
        }));
        after_cached_check.push(timed(|| {
            black_box(check_cached());
            drop(black_box(list()));
        }));
    }
    let (alone, catalog_checked, cached) = (
        median(alone),
        median(after_catalog_check),
        median(after_cached_check),
    );
    eprintln!(
        "first page of {} photos, p50 over 1000 each: alone {alone:.2?}; after a session check from the catalog {catalog_checked:.2?} (+{:.3} ms); after a cached one {cached:.2?} (+{:.3} ms)",
        library::PHOTOS,
        millis_between(alone, catalog_checked),
        millis_between(alone, cached),
    );
}

fn timed(call: impl FnOnce()) -> Duration {
    let started = Instant::now();
    call();
    started.elapsed()
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn millis_between(base: Duration, other: Duration) -> f64 {
    (other.as_secs_f64() - base.as_secs_f64()) * 1000.0
}

fn percentiles(mut call: impl FnMut(), runs: usize) -> (Duration, Duration) {
    let times: Vec<Duration> = (0..runs).map(|_| timed(&mut call)).collect();
    let mut sorted = times.clone();
    sorted.sort();
    (sorted[runs / 2], sorted[runs * 99 / 100])
}

criterion_group!(benches, accounts);
criterion_main!(benches);

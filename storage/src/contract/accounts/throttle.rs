//! Sign-in throttling checks: failures counted within their window, per key, and none lost to
//! concurrent recorders.

use crate::accounts::AccountStore;
use crate::contract::helpers::now_ms;
use crate::contract::run::Run;

pub async fn sign_in_failures_count_within_the_window(store: &dyn AccountStore) {
    const CHECK: &str = "sign_in_failures_count_within_the_window";
    let run = &Run::new();
    let key = format!("u#{}", run.username("mike"));
    let (now, window) = (now_ms(), 60_000);
    assert_eq!(store.sign_in_failures(&key, now, window).await, Ok(0));
    for (n, at) in [now, now + 10_000, now + 20_000].into_iter().enumerate() {
        assert_eq!(
            store.record_sign_in_failure(&key, at, window).await,
            Ok(n as u32 + 1),
            "{CHECK}: this one included"
        );
    }
    let count_at = |at| store.sign_in_failures(&key, at, window);
    assert_eq!(
        count_at(now + 20_000).await,
        Ok(3),
        "{CHECK}: reading records nothing"
    );
    assert_eq!(count_at(now + 59_999).await, Ok(3));
    assert_eq!(
        count_at(now + 60_000).await,
        Ok(2),
        "{CHECK}: the window is half-open"
    );
    assert_eq!(count_at(now + 80_000).await, Ok(0));
    assert_eq!(
        store
            .record_sign_in_failure(&key, now + 75_000, window)
            .await,
        Ok(2),
        "{CHECK}: older failures are forgotten"
    );
    assert_eq!(count_at(now + 75_000).await, Ok(2));
}

pub async fn sign_in_failure_keys_are_independent(store: &dyn AccountStore) {
    const CHECK: &str = "sign_in_failure_keys_are_independent";
    let run = &Run::new();
    let name = run.username("nina");
    let keys = [
        format!("u#{name}"),
        format!("u#{name}#"),
        format!("u#{name}/x y"),
        format!("a#203.0.113.9#{name}"),
        format!("a#2001:db8::1#{name}"),
    ];
    let (now, window) = (now_ms(), 60_000);
    for (n, key) in keys.iter().enumerate() {
        for _ in 0..=n {
            store
                .record_sign_in_failure(key, now, window)
                .await
                .expect("record");
        }
    }
    for (n, key) in keys.iter().enumerate() {
        assert_eq!(
            store.sign_in_failures(key, now, window).await,
            Ok(n as u32 + 1),
            "{CHECK}: {key:?}"
        );
    }
}

pub async fn concurrent_sign_in_failures_all_count(store: &dyn AccountStore) {
    const CHECK: &str = "concurrent_sign_in_failures_all_count";
    let run = &Run::new();
    let key = format!("a#198.51.100.7#{}", run.tag);
    let (now, window) = (now_ms(), 60_000);
    let record = || store.record_sign_in_failure(&key, now, window);
    let (a, b) = tokio::join!(
        futures::future::join_all((0..5).map(|_| record())),
        futures::future::join_all((0..5).map(|_| record()))
    );
    let counts: Vec<u32> = a
        .into_iter()
        .chain(b)
        .map(|count| count.expect("record"))
        .collect();
    assert!(
        counts.iter().all(|&count| (1..=10).contains(&count)) && counts.contains(&10),
        "{CHECK}: {counts:?}"
    );
    assert_eq!(
        store.sign_in_failures(&key, now, window).await,
        Ok(10),
        "{CHECK}"
    );
}

use crate::retry::{keep_trying, Backoff, QUEUEING, SETTLING};
use std::time::Duration;
use tokio::time::Instant;

const BACKOFF: Backoff = Backoff {
    first: Duration::from_secs(1),
    max: Duration::from_secs(5),
    tries: 10,
};

#[tokio::test(start_paused = true)]
async fn waits_double_up_to_the_ceiling_and_stop_at_the_first_success() {
    let start = Instant::now();
    let mut tried_at = Vec::new();
    let result = keep_trying(BACKOFF, || {
        tried_at.push(start.elapsed().as_secs());
        let tries = tried_at.len();
        async move {
            if tries < 6 {
                Err("storage down")
            } else {
                Ok(tries)
            }
        }
    })
    .await;
    assert_eq!(result, Some(6));
    // Waits of 1, 2, 4, then the ceiling of 5.
    assert_eq!(tried_at, [1, 3, 7, 12, 17, 22]);
}

#[tokio::test(start_paused = true)]
async fn gives_up_after_the_last_try() {
    let start = Instant::now();
    let mut tries = 0;
    let result: Option<()> = keep_trying(
        Backoff {
            tries: 3,
            ..BACKOFF
        },
        || {
            tries += 1;
            async { Err("storage down") }
        },
    )
    .await;
    assert_eq!((result, tries), (None, 3));
    assert_eq!(start.elapsed(), Duration::from_secs(1 + 2 + 4));
}

/// The sum of the waits when every try fails.
fn longest(backoff: Backoff) -> Duration {
    let mut delay = backoff.first;
    let mut total = Duration::ZERO;
    for _ in 0..backoff.tries {
        total += delay;
        delay = (delay * 2).min(backoff.max);
    }
    total
}

#[test]
fn queueing_keeps_trying_for_about_ten_minutes() {
    let total = longest(QUEUEING);
    assert!(
        (Duration::from_secs(540)..=Duration::from_secs(660)).contains(&total),
        "{total:?}"
    );
}

#[test]
fn settling_asks_first_after_thirty_seconds_then_every_fifteen() {
    assert_eq!(SETTLING.first, Duration::from_secs(30));
    assert_eq!(longest(SETTLING), Duration::from_secs(30 + 20 * 15));
}

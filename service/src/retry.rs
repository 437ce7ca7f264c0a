//! Trying a storage call again in the background while storage is down: after a first wait,
//! with waits that double up to a ceiling, a bounded number of times.

use std::future::Future;
use std::time::Duration;

/// How a background retry waits and when it gives up.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Backoff {
    /// The wait before the first try.
    pub first: Duration,
    /// The longest wait between two tries.
    pub max: Duration,
    pub tries: u32,
}

/// Queueing a new photo's classification while storage is down: about ten minutes, the first
/// try after a second, then at most 15 s apart.
pub(crate) const QUEUEING: Backoff = Backoff {
    first: Duration::from_secs(1),
    max: Duration::from_secs(15),
    tries: 45,
};

/// Asking whether a failed insert landed: first once any request of it still queued at the
/// storage service is past (30 s), then, while the catalog cannot answer, 20 more asks at most
/// 15 s apart.
pub(crate) const SETTLING: Backoff = Backoff {
    first: Duration::from_secs(30),
    max: Duration::from_secs(15),
    tries: 21,
};

/// Calls `attempt` up to `backoff.tries` times, waiting before each: `backoff.first`, then
/// twice the last wait after each failure, up to `backoff.max`. The first success, or `None`
/// when every try failed.
pub(crate) async fn keep_trying<T, E, Attempt, Fut>(
    backoff: Backoff,
    mut attempt: Attempt,
) -> Option<T>
where
    Attempt: FnMut() -> Fut,
    Fut: Future<Output = Result<T, E>>,
    E: std::fmt::Display,
{
    let mut delay = backoff.first;
    for _ in 0..backoff.tries {
        tokio::time::sleep(delay).await;
        match attempt().await {
            Ok(value) => return Some(value),
            Err(error) => {
                tracing::debug!(%error, "storage still failing; trying again");
                delay = (delay * 2).min(backoff.max);
            }
        }
    }
    None
}

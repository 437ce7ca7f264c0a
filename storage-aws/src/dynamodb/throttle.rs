//! Sign-in failures: an item each in a partition per throttling key, expired by TTL at the end
//! of its window. Counting is a query of the window, so concurrent recorders on several servers
//! never overwrite each other's counts (the design is in the `table` module).

use super::items::{check_item, expires_at, key, s};
use super::request::{random_u64, Expr, QuerySpec};
use super::table::{time_key, EXPIRES_AT, PK, SK};
use super::DynamoCatalog;
use gaillery_storage::accounts::failure_count;
use gaillery_storage::StorageError;

/// The partition of one throttling key's sign-in failures.
fn failures_pk(throttle_key: &str) -> String {
    format!("F#{throttle_key}")
}

impl DynamoCatalog {
    pub(super) async fn record_failure(
        &self,
        throttle_key: &str,
        now_ms: i64,
        window_ms: i64,
    ) -> Result<u32, StorageError> {
        // A random suffix keeps failures of one millisecond apart: two collide with odds of
        // 2^-64, and then one failure goes uncounted, which no throttle notices.
        let sk = format!("{}#{:016x}", time_key(now_ms), random_u64());
        let mut item = key(failures_pk(throttle_key), sk);
        item.insert(
            EXPIRES_AT.into(),
            expires_at(now_ms.saturating_add(window_ms)),
        );
        check_item(&item, 0)?;
        self.client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .send()
            .await
            .map_err(|e| self.sdk_error("PutItem", e))?;
        self.count_failures(throttle_key, now_ms, window_ms).await
    }

    /// Failures of the key in `(now_ms - window_ms, now_ms]`: their keys only, read
    /// consistently, so a failure recorded before this call is counted.
    pub(super) async fn count_failures(
        &self,
        throttle_key: &str,
        now_ms: i64,
        window_ms: i64,
    ) -> Result<u32, StorageError> {
        if window_ms <= 0 {
            // An empty window; DynamoDB would refuse its reversed bounds.
            return Ok(0);
        }
        let first = now_ms.saturating_sub(window_ms).saturating_add(1);
        let mut expr = Expr::new();
        let sk = expr.name(SK);
        // `$` sorts right after `#`, so the bound is past every suffix of `now_ms`.
        let condition = format!(
            "{} = {} AND {sk} BETWEEN {} AND {}",
            expr.name(PK),
            expr.value(s(failures_pk(throttle_key))),
            expr.value(s(time_key(first))),
            expr.value(s(format!("{}$", time_key(now_ms))))
        );
        let mut spec = QuerySpec::new(condition, expr);
        spec.projection = Some(sk);
        Ok(failure_count(self.query_all(&spec).await?.len()))
    }
}

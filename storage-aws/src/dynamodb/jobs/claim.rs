//! Claiming jobs: a conditional write on each job item that the `jobs_by_due` index offers, since
//! the index is eventually consistent and may offer a job another worker took a moment ago.

use super::*;

impl DynamoCatalog {
    pub(in crate::dynamodb) async fn claim(
        &self,
        worker: &str,
        limit: usize,
        lease_ms: i64,
        now_ms: i64,
    ) -> Result<Vec<Job>, StorageError> {
        if limit == 0 {
            return Ok(Vec::new());
        }
        if worker.len() > MAX_WORKER_BYTES {
            return Err(StorageError::Backend(format!(
                "worker name of {} bytes exceeds the limit of {MAX_WORKER_BYTES}",
                worker.len()
            )));
        }
        let expires = now_ms.saturating_add(lease_ms.max(0));
        // Due jobs and expired leases: everything whose due time is at most now.
        let mut expr = Expr::new();
        let condition = format!(
            "{} = {} AND {} < {}",
            expr.name(QPK),
            expr.value(s(QUEUE)),
            expr.name(QSK),
            expr.value(s(time_key(now_ms.saturating_add(1))))
        );
        let mut spec = QuerySpec::new(condition, expr);
        spec.index = Some(JOBS_BY_DUE);
        // Global indexes are only eventually consistent; the claim's condition re-checks.
        spec.consistent = false;
        // More candidates than asked: other workers may win some of them.
        let page_size = (limit.saturating_mul(2)).clamp(10, 100);
        let mut claimed = Vec::new();
        let mut start = None;
        for _ in 0..CLAIM_PAGES {
            let page = self.query_page(&spec, Some(page_size), start).await?;
            let mut candidates = page.items.into_iter();
            loop {
                let batch: Vec<Item> = candidates.by_ref().take(limit - claimed.len()).collect();
                if batch.is_empty() {
                    break;
                }
                let tries = batch
                    .iter()
                    .map(|candidate| self.try_claim(candidate, worker, expires, now_ms));
                for result in futures::future::join_all(tries).await {
                    match result {
                        Ok(Some(job)) => claimed.push(job),
                        Ok(None) => {}
                        // Jobs already claimed stay claimed: hand them out rather than leave
                        // them to wait out their lease.
                        Err(error) if !claimed.is_empty() => {
                            tracing::warn!(%error, "a claim failed; keeping the jobs claimed so far");
                            return Ok(claimed);
                        }
                        Err(error) => return Err(error),
                    }
                }
                if claimed.len() == limit {
                    return Ok(claimed);
                }
            }
            match page.next {
                Some(next) => start = Some(next),
                None => break,
            }
        }
        Ok(claimed)
    }

    /// Claims one candidate from the index, if it is still as the index showed it and
    /// claimable. `None` when another worker got there first.
    async fn try_claim(
        &self,
        candidate: &Item,
        worker: &str,
        expires: i64,
        now_ms: i64,
    ) -> Result<Option<Job>, StorageError> {
        let fields = Fields(candidate);
        let id = fields.id("id")?;
        let seen = fields.s(QSK)?;
        let created: i64 = fields.num(CREATED)?;
        let moved = job_qsk(expires, created, &id);
        let mut expr = Expr::new();
        let update = format!(
            "SET {} = {}, {} = {}, {} = {} ADD {} {}",
            expr.name(CLAIMED_BY),
            expr.value(s(worker)),
            expr.name(LEASE),
            expr.value(n(expires)),
            expr.name(QSK),
            expr.value(s(&moved)),
            expr.name(ATTEMPTS),
            expr.value(n(1))
        );
        let now = expr.value(n(now_ms));
        let condition = format!(
            "{qsk} = {seen} AND {run_after} <= {now} AND \
             (attribute_not_exists({claimed_by}) OR {lease} <= {now})",
            qsk = expr.name(QSK),
            seen = expr.value(s(seen)),
            run_after = expr.name(RUN_AFTER),
            claimed_by = expr.name(CLAIMED_BY),
            lease = expr.name(LEASE),
        );
        let (names, values) = expr.into_parts();
        let sent = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key(
                fields.s(PK)?.to_owned(),
                fields.s(SK)?.to_owned(),
            )))
            .update_expression(update)
            .condition_expression(condition)
            .set_expression_attribute_names(names)
            .set_expression_attribute_values(values)
            .return_values(ReturnValue::AllNew)
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
            .send()
            .await;
        match sent {
            Ok(output) => {
                let item = output.attributes.unwrap_or_default();
                job_from_item(&item).map(Some)
            }
            Err(error) => match error.as_service_error() {
                Some(UpdateItemError::ConditionalCheckFailedException(failed)) => {
                    // The SDK may have retried a claim whose first answer was lost: then the
                    // job is ours already, exactly as this claim would have left it.
                    let ours = failed.item().is_some_and(|old| {
                        let old = Fields(old);
                        old.opt_s(CLAIMED_BY).ok().flatten() == Some(worker)
                            && old.opt_s(QSK).ok().flatten() == Some(moved.as_str())
                            && old.opt_num::<i64>(LEASE).ok().flatten() == Some(expires)
                    });
                    match failed.item() {
                        Some(old) if ours => job_from_item(old).map(Some),
                        _ => Ok(None),
                    }
                }
                _ => Err(self.sdk_error("UpdateItem", error)),
            },
        }
    }
}

//! The classification queue: job items with leases, claimed through the sparse `jobs_by_due`
//! index and conditional writes.

use super::items::{check_item, clip_reason, key, n, s, Fields, Item};
use super::photos::exists;
use super::request::{Expr, Outcome, QuerySpec};
use super::table::{
    check_owner, job_qsk, job_sk, owner_pk, photo_sk, time_key, JOBS_BY_DUE, PK, QPK, QSK, QUEUE,
    SK,
};
use super::tags::Relabel;
use super::DynamoCatalog;
use aws_sdk_dynamodb::operation::delete_item::DeleteItemError;
use aws_sdk_dynamodb::operation::update_item::UpdateItemError;
use aws_sdk_dynamodb::types::{
    ReturnValue, ReturnValuesOnConditionCheckFailure, TransactWriteItem,
};
use gaillery_core::{OwnerId, PhotoId, PhotoStatus};
use gaillery_storage::{Job, JobOutcome, StorageError};
use std::collections::HashSet;

/// Index pages read by one `claim_jobs` before it settles for fewer jobs than asked.
const CLAIM_PAGES: usize = 4;
/// Tries to release one job whose index entry was stale.
const RELEASE_TRIES: usize = 3;
/// The longest worker name: it is stored in every job it claims.
const MAX_WORKER_BYTES: usize = 1024;

const CLAIMED_BY: &str = "claimed_by";
const LEASE: &str = "lease_expires_ms";
const RUN_AFTER: &str = "run_after_ms";
const ATTEMPTS: &str = "attempts";
const CREATED: &str = "created_at_ms";

/// The job of a claim, read from its item.
fn job_from_item(item: &Item) -> Result<Job, StorageError> {
    let fields = Fields(item);
    Ok(Job {
        owner: OwnerId(fields.s("owner")?.to_owned()),
        photo_id: fields.id("id")?,
        model: fields.s("model")?.to_owned(),
        attempt: fields.num(ATTEMPTS)?,
    })
}

/// `claimed_by = worker AND attempts = attempt`: the worker still holds this claim of the job
/// (not merely some later claim under the same name).
fn held(expr: &mut Expr, job: &Job, worker: &str) -> String {
    format!(
        "{} = {} AND {} = {}",
        expr.name(CLAIMED_BY),
        expr.value(s(worker)),
        expr.name(ATTEMPTS),
        expr.value(n(job.attempt))
    )
}

fn job_key(owner: &OwnerId, id: &PhotoId) -> Item {
    key(owner_pk(owner), job_sk(id))
}

/// How releasing one job went.
enum Release {
    Done,
    /// The job changed since it was read (or its index entry was stale).
    Stale,
    /// The job or its photo is gone.
    Gone,
}

impl DynamoCatalog {
    pub(super) async fn enqueue(
        &self,
        owner: &OwnerId,
        id: &PhotoId,
        model: &str,
        now_ms: i64,
    ) -> Result<bool, StorageError> {
        check_owner(owner)?;
        let mut job = job_key(owner, id);
        for (name, value) in [
            ("owner", s(&owner.0)),
            ("id", s(id.as_str())),
            ("model", s(model)),
            (ATTEMPTS, n(0)),
            (RUN_AFTER, n(now_ms)),
            (CREATED, n(now_ms)),
            (QPK, s(QUEUE)),
            (QSK, s(job_qsk(now_ms, now_ms, id))),
        ] {
            job.insert(name.to_owned(), value);
        }
        // Room for the claim: the worker's name and the lease.
        check_item(&job, MAX_WORKER_BYTES + 64)?;
        let mut expr = Expr::new();
        let update = format!(
            "SET {} = {} REMOVE {}",
            expr.name("status"),
            expr.value(s(PhotoStatus::Queued.as_str())),
            expr.name("status_reason")
        );
        let condition = exists(&mut expr);
        let ops = vec![
            self.update_op(
                key(owner_pk(owner), photo_sk(id)),
                update,
                Some(condition),
                expr,
            )?,
            // Replaces any job the photo had: a retry or re-classification starts afresh.
            self.put_op(job, None, Expr::new())?,
        ];
        match self.transact("enqueue job", ops).await? {
            Outcome::Committed => Ok(true),
            outcome if outcome.failed_at(0) => Ok(false),
            outcome => Err(StorageError::Backend(format!(
                "enqueue of photo {id} was refused: {outcome:?}"
            ))),
        }
    }

    pub(super) async fn claim(
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

    /// A Delete of the job, if `worker` still holds this claim of it.
    pub(super) fn held_job_delete_op(
        &self,
        job: &Job,
        worker: &str,
    ) -> Result<TransactWriteItem, StorageError> {
        let mut expr = Expr::new();
        let condition = held(&mut expr, job, worker);
        self.delete_op(job_key(&job.owner, &job.photo_id), Some(condition), expr)
    }

    pub(super) async fn finish(
        &self,
        job: &Job,
        worker: &str,
        outcome: JobOutcome,
    ) -> Result<bool, StorageError> {
        check_owner(&job.owner)?;
        let (owner, id) = (&job.owner, &job.photo_id);
        let (photo_status, reason, requeue_at) = match outcome {
            JobOutcome::Done(labels) => {
                return match self
                    .relabel(owner, id, &labels, Some((job, worker)))
                    .await?
                {
                    Relabel::Written => Ok(true),
                    Relabel::NotHeld => Ok(false),
                    Relabel::NoPhoto => {
                        self.drop_orphan_job(job, worker).await?;
                        Ok(false)
                    }
                };
            }
            JobOutcome::Failed(reason) => (PhotoStatus::Failed, reason, None),
            JobOutcome::Retry {
                reason,
                run_after_ms,
            } => (PhotoStatus::Queued, reason, Some(run_after_ms)),
        };
        let mut expr = Expr::new();
        let update = format!(
            "SET {} = {}, {} = {}",
            expr.name("status"),
            expr.value(s(photo_status.as_str())),
            expr.name("status_reason"),
            expr.value(s(clip_reason(reason)))
        );
        let condition = exists(&mut expr);
        let photo_op = self.update_op(
            key(owner_pk(owner), photo_sk(id)),
            update,
            Some(condition),
            expr,
        )?;
        let job_op = match requeue_at {
            None => self.held_job_delete_op(job, worker)?,
            Some(run_after_ms) => {
                // The job's new place in the queue depends on when it was created.
                let Some(item) = self.get(job_key(owner, id)).await? else {
                    return Ok(false);
                };
                let created: i64 = Fields(&item).num(CREATED)?;
                let mut expr = Expr::new();
                let update = format!(
                    "SET {} = {}, {} = {} REMOVE {}, {}",
                    expr.name(RUN_AFTER),
                    expr.value(n(run_after_ms)),
                    expr.name(QSK),
                    expr.value(s(job_qsk(run_after_ms, created, id))),
                    expr.name(CLAIMED_BY),
                    expr.name(LEASE)
                );
                let condition = format!(
                    "{} AND {} = {}",
                    held(&mut expr, job, worker),
                    expr.name(CREATED),
                    expr.value(n(created))
                );
                self.update_op(job_key(owner, id), update, Some(condition), expr)?
            }
        };
        match self.transact("finish job", vec![photo_op, job_op]).await? {
            Outcome::Committed => Ok(true),
            outcome if outcome.failed_at(1) => Ok(false),
            outcome if outcome.failed_at(0) => {
                self.drop_orphan_job(job, worker).await?;
                Ok(false)
            }
            outcome => Err(StorageError::Backend(format!(
                "finishing the job of photo {id} was refused: {outcome:?}"
            ))),
        }
    }

    /// Deletes a job whose photo is gone, if `worker` holds it; it could never be finished.
    /// (Deleting a photo deletes its job in the same transaction; this only guards against
    /// tables written otherwise.)
    async fn drop_orphan_job(&self, job: &Job, worker: &str) -> Result<(), StorageError> {
        let mut expr = Expr::new();
        let condition = held(&mut expr, job, worker);
        let (names, values) = expr.into_parts();
        let sent = self
            .client
            .delete_item()
            .table_name(&self.table)
            .set_key(Some(job_key(&job.owner, &job.photo_id)))
            .condition_expression(condition)
            .set_expression_attribute_names(names)
            .set_expression_attribute_values(values)
            .send()
            .await;
        match sent {
            Ok(_) => {
                tracing::warn!(photo = %job.photo_id, "dropped a job whose photo is gone");
                Ok(())
            }
            Err(error)
                if error
                    .as_service_error()
                    .is_some_and(DeleteItemError::is_conditional_check_failed_exception) =>
            {
                Ok(())
            }
            Err(error) => Err(self.sdk_error("DeleteItem", error)),
        }
    }

    pub(super) async fn release(&self, instance: &str) -> Result<u64, StorageError> {
        let prefix = format!("{instance}/");
        let mut expr = Expr::new();
        let condition = format!("{} = {}", expr.name(QPK), expr.value(s(QUEUE)));
        let filter = format!(
            "begins_with({}, {})",
            expr.name(CLAIMED_BY),
            expr.value(s(&prefix))
        );
        let mut spec = QuerySpec::new(condition, expr);
        spec.index = Some(JOBS_BY_DUE);
        spec.consistent = false;
        spec.filter = Some(filter);
        let mut released = 0;
        for item in self.query_all(&spec).await? {
            let mut current = item;
            for _ in 0..RELEASE_TRIES {
                match self.release_one(&current).await? {
                    Release::Done => {
                        released += 1;
                        break;
                    }
                    Release::Gone => break,
                    Release::Stale => {
                        let fields = Fields(&current);
                        let job = key(fields.s(PK)?.to_owned(), fields.s(SK)?.to_owned());
                        match self.get(job).await? {
                            Some(fresh)
                                if Fields(&fresh)
                                    .opt_s(CLAIMED_BY)?
                                    .is_some_and(|holder| holder.starts_with(&prefix)) =>
                            {
                                current = fresh
                            }
                            _ => break,
                        }
                    }
                }
            }
        }
        Ok(released)
    }

    /// Clears the claim of one job, as read, and puts its photo back to `queued`.
    async fn release_one(&self, item: &Item) -> Result<Release, StorageError> {
        let fields = Fields(item);
        let owner = OwnerId(fields.s("owner")?.to_owned());
        let id = fields.id("id")?;
        let holder = fields.s(CLAIMED_BY)?;
        let run_after: i64 = fields.num(RUN_AFTER)?;
        let created: i64 = fields.num(CREATED)?;
        let attempt: u32 = fields.num(ATTEMPTS)?;
        let mut expr = Expr::new();
        let update = format!(
            "SET {} = {} REMOVE {}, {}",
            expr.name(QSK),
            expr.value(s(job_qsk(run_after, created, &id))),
            expr.name(CLAIMED_BY),
            expr.name(LEASE)
        );
        let condition = format!(
            "{} = {} AND {} = {} AND {} = {}",
            expr.name(CLAIMED_BY),
            expr.value(s(holder)),
            expr.name(ATTEMPTS),
            expr.value(n(attempt)),
            expr.name(QSK),
            expr.value(s(fields.s(QSK)?))
        );
        let job_op = self.update_op(job_key(&owner, &id), update, Some(condition), expr)?;
        let mut expr = Expr::new();
        let update = format!(
            "SET {} = {}",
            expr.name("status"),
            expr.value(s(PhotoStatus::Queued.as_str()))
        );
        let condition = exists(&mut expr);
        let photo_op = self.update_op(
            key(owner_pk(&owner), photo_sk(&id)),
            update,
            Some(condition),
            expr,
        )?;
        match self.transact("release job", vec![job_op, photo_op]).await? {
            Outcome::Committed => Ok(Release::Done),
            outcome if outcome.failed_at(0) => Ok(Release::Stale),
            outcome if outcome.failed_at(1) => {
                let job = Job {
                    owner,
                    photo_id: id,
                    model: String::new(),
                    attempt,
                };
                self.drop_orphan_job(&job, holder).await?;
                Ok(Release::Gone)
            }
            outcome => Err(StorageError::Backend(format!(
                "release of the job of photo {id} was refused: {outcome:?}"
            ))),
        }
    }

    pub(super) async fn unqueued_photos(
        &self,
        owner: &OwnerId,
    ) -> Result<Vec<PhotoId>, StorageError> {
        check_owner(owner)?;
        let prefixed = |prefix: &str, projection: &[&str]| {
            let mut expr = Expr::new();
            let condition = format!(
                "{} = {} AND begins_with({}, {})",
                expr.name(PK),
                expr.value(s(owner_pk(owner))),
                expr.name(SK),
                expr.value(s(prefix))
            );
            let projection = projection
                .iter()
                .map(|name| expr.name(name))
                .collect::<Vec<_>>()
                .join(", ");
            let mut spec = QuerySpec::new(condition, expr);
            spec.projection = Some(projection);
            spec
        };
        // Jobs first: a job finishing between the two reads then leaves its photo done, not
        // an orphan; a photo queued between them is at worst queued again, which is harmless.
        let mut with_jobs = HashSet::new();
        for item in self.query_all(&prefixed("J#", &[SK])).await? {
            let fields = Fields(&item);
            let id = fields
                .s(SK)?
                .strip_prefix("J#")
                .and_then(PhotoId::parse)
                .ok_or_else(|| fields.damaged("a job key without a photo id"))?;
            with_jobs.insert(id);
        }
        let mut orphans = Vec::new();
        for item in self.query_all(&prefixed("P#", &["id", "status"])).await? {
            let fields = Fields(&item);
            let id = fields.id("id")?;
            let status = fields.s("status")?;
            let status = PhotoStatus::parse(status)
                .ok_or_else(|| fields.damaged(&format!("status {status:?} is unknown")))?;
            if !status.is_final() && !with_jobs.contains(&id) {
                orphans.push(id);
            }
        }
        orphans.sort();
        Ok(orphans)
    }
}

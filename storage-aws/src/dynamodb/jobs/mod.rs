//! The classification queue: job items with leases, claimed through the sparse `jobs_by_due`
//! index and conditional writes: queueing here, then claiming (`claim`), finishing (`finish`), and
//! giving jobs back after a restart (`recovery`).

mod claim;
mod finish;
mod recovery;

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

impl DynamoCatalog {
    pub(in crate::dynamodb) async fn enqueue(
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

    /// A Delete of the job, if `worker` still holds this claim of it.
    pub(in crate::dynamodb) fn held_job_delete_op(
        &self,
        job: &Job,
        worker: &str,
    ) -> Result<TransactWriteItem, StorageError> {
        let mut expr = Expr::new();
        let condition = held(&mut expr, job, worker);
        self.delete_op(job_key(&job.owner, &job.photo_id), Some(condition), expr)
    }
}

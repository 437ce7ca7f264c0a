//! Recording a job's outcome in one transaction that requires the worker to still hold its claim.

use super::*;

impl DynamoCatalog {
    pub(in crate::dynamodb) async fn finish(
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
    pub(super) async fn drop_orphan_job(
        &self,
        job: &Job,
        worker: &str,
    ) -> Result<(), StorageError> {
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
}

//! The classification queue: a job per photo, claimed with a lease, so servers sharing the file
//! never run one job twice and a dead server's jobs are taken over when its leases run out.

use super::tags::write_labels;
use super::SqliteCatalog;
use gaillery_core::{OwnerId, PhotoId};
use gaillery_storage::{Job, JobOutcome, StorageError};
use rusqlite::{params, TransactionBehavior};

impl SqliteCatalog {
    pub(super) async fn enqueue(
        &self,
        owner: &OwnerId,
        id: &PhotoId,
        model: &str,
        now_ms: i64,
    ) -> Result<bool, StorageError> {
        let (owner, id, model) = (owner.0.clone(), id.clone(), model.to_owned());
        self.write(move |conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let updated = tx
                .prepare_cached(
                    "UPDATE photos SET status = 'queued', status_reason = NULL
                     WHERE id = ?1 AND owner = ?2",
                )?
                .execute(params![id.as_str(), owner])?;
            if updated > 0 {
                tx.prepare_cached(
                    "INSERT OR REPLACE INTO jobs (photo_id, owner, model, run_after_ms, created_at_ms)
                     VALUES (?1, ?2, ?3, ?4, ?4)",
                )?
                .execute(params![id.as_str(), owner, model, now_ms])?;
            }
            tx.commit()?;
            Ok(updated > 0)
        })
        .await
    }

    pub(super) async fn claim(
        &self,
        worker: &str,
        limit: usize,
        lease_ms: i64,
        now_ms: i64,
    ) -> Result<Vec<Job>, StorageError> {
        let worker = worker.to_owned();
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        self.write(move |conn| {
            // One statement under SQLite's single writer lock: no two claimers get one job,
            // whether they share this process or only the file.
            let mut claim = conn.prepare_cached(
                "UPDATE jobs SET claimed_by = ?1, lease_expires_ms = ?2 + ?3, attempts = attempts + 1
                 WHERE photo_id IN (
                     SELECT photo_id FROM jobs
                     WHERE run_after_ms <= ?2 AND (claimed_by IS NULL OR lease_expires_ms <= ?2)
                     ORDER BY created_at_ms, photo_id LIMIT ?4)
                 RETURNING owner, photo_id, model, attempts",
            )?;
            let rows = claim.query_map(params![worker, now_ms, lease_ms, limit], |row| {
                Ok((
                    row.get::<_, String>(0)?,
                    row.get::<_, String>(1)?,
                    row.get::<_, String>(2)?,
                    row.get::<_, i64>(3)?,
                ))
            })?;
            let mut jobs = Vec::new();
            for row in rows {
                let (owner, photo_id, model, attempts) = row?;
                jobs.push(Job {
                    owner: OwnerId(owner),
                    photo_id: PhotoId::parse(&photo_id).ok_or_else(|| {
                        StorageError::Backend(format!("catalog holds an invalid id: {photo_id:?}"))
                    })?,
                    model,
                    attempt: u32::try_from(attempts).unwrap_or(u32::MAX),
                });
            }
            Ok(jobs)
        })
        .await
    }

    pub(super) async fn finish(
        &self,
        job: &Job,
        worker: &str,
        outcome: JobOutcome,
    ) -> Result<bool, StorageError> {
        let (job, worker) = (job.clone(), worker.to_owned());
        self.write(move |conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let holds: bool = tx
                .prepare_cached("SELECT COUNT(*) FROM jobs WHERE photo_id = ?1 AND claimed_by = ?2")?
                .query_row(params![job.photo_id.as_str(), worker], |row| row.get::<_, i64>(0))?
                > 0;
            if !holds {
                return Ok(false);
            }
            let id = job.photo_id.as_str();
            match outcome {
                JobOutcome::Done(labels) => {
                    write_labels(&tx, &job.owner.0, &job.photo_id, &labels)?;
                    tx.execute(
                        "UPDATE photos SET status = 'done', status_reason = NULL WHERE id = ?1",
                        params![id],
                    )?;
                    tx.execute("DELETE FROM jobs WHERE photo_id = ?1", params![id])?;
                }
                JobOutcome::Failed(reason) => {
                    tx.execute(
                        "UPDATE photos SET status = 'failed', status_reason = ?2 WHERE id = ?1",
                        params![id, reason],
                    )?;
                    tx.execute("DELETE FROM jobs WHERE photo_id = ?1", params![id])?;
                }
                JobOutcome::Retry {
                    reason,
                    run_after_ms,
                } => {
                    tx.execute(
                        "UPDATE photos SET status = 'queued', status_reason = ?2 WHERE id = ?1",
                        params![id, reason],
                    )?;
                    tx.execute(
                        "UPDATE jobs SET claimed_by = NULL, lease_expires_ms = NULL, run_after_ms = ?2
                         WHERE photo_id = ?1",
                        params![id, run_after_ms],
                    )?;
                }
            }
            tx.commit()?;
            Ok(true)
        })
        .await
    }

    pub(super) async fn release(&self, instance: &str) -> Result<u64, StorageError> {
        let prefix = format!("{instance}/");
        self.write(move |conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let held = "SELECT photo_id FROM jobs WHERE substr(claimed_by, 1, length(?1)) = ?1";
            tx.execute(
                &format!("UPDATE photos SET status = 'queued' WHERE id IN ({held})"),
                params![prefix],
            )?;
            let released = tx.execute(
                "UPDATE jobs SET claimed_by = NULL, lease_expires_ms = NULL
                 WHERE substr(claimed_by, 1, length(?1)) = ?1",
                params![prefix],
            )?;
            tx.commit()?;
            Ok(released as u64)
        })
        .await
    }

    pub(super) async fn unqueued_photos(
        &self,
        owner: &OwnerId,
    ) -> Result<Vec<PhotoId>, StorageError> {
        let owner = owner.0.clone();
        self.read(move |conn| {
            let mut select = conn.prepare_cached(
                "SELECT id FROM photos WHERE owner = ?1
                   AND status NOT IN ('done', 'failed')
                   AND id NOT IN (SELECT photo_id FROM jobs)",
            )?;
            let ids = select.query_map(params![owner], |row| row.get::<_, String>(0))?;
            let mut parsed = Vec::new();
            for id in ids {
                let id = id?;
                parsed.push(PhotoId::parse(&id).ok_or_else(|| {
                    StorageError::Backend(format!("catalog holds an invalid id: {id:?}"))
                })?);
            }
            Ok(parsed)
        })
        .await
    }
}

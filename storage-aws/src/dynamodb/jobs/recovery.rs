//! Jobs after a restart: a server's own claims given back at once, and photos left `queued`
//! without a job queued again.

use super::*;

/// How releasing one job went.
enum Release {
    Done,
    /// The job changed since it was read (or its index entry was stale).
    Stale,
    /// The job or its photo is gone.
    Gone,
}

impl DynamoCatalog {
    pub(in crate::dynamodb) async fn release(&self, instance: &str) -> Result<u64, StorageError> {
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

    pub(in crate::dynamodb) async fn unqueued_photos(
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

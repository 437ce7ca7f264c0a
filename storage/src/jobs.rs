//! Classification jobs, kept in the catalog so that none is lost to a crash or a restart.
//!
//! A job is claimed with a lease: the claiming worker's name and an expiry. Only the holder of an
//! unexpired lease may finish the job, and a job whose lease ran out (its worker or its whole
//! server died) can be claimed again by anyone. So several servers sharing one catalog never
//! both finish a job, and the jobs of a dead one still get done.

use gaillery_core::{Label, OwnerId, PhotoId};

/// A claimed job.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Job {
    pub owner: OwnerId,
    pub photo_id: PhotoId,
    /// The model to classify with, by name.
    pub model: String,
    /// 1 on the first claim, then one more per retry.
    pub attempt: u32,
}

/// How a job ended.
#[derive(Clone, Debug, PartialEq)]
pub enum JobOutcome {
    /// Classified: the photo becomes `done` with these labels.
    Done(Vec<Label>),
    /// For good: the photo becomes `failed` with this reason, for people to read.
    Failed(String),
    /// Transient trouble: the job goes back to the queue, to be claimed again no earlier than
    /// `run_after_ms`.
    Retry { reason: String, run_after_ms: i64 },
}

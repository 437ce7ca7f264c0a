//! The classification pipeline: workers that take queued jobs from the catalog and move each
//! photo through `fetching`, `preprocessing`, `predicting` and `storing` to `done` or
//! `failed`, publishing every stage as it happens.
//!
//! Jobs live in the catalog and are claimed with a lease (see `gaillery_storage::jobs`), so a
//! crash loses nothing: at start a server takes back the jobs its own workers held, and any
//! server takes over the jobs of one whose leases ran out. Decoding and inference run on
//! blocking threads, never on the async runtime; when several jobs wait, one forward pass
//! classifies a batch of them.

use crate::decoding::run_holding;
use crate::{ids, reasons, Gallery, ServiceError};
use gaillery_classify::{Classifier, ClassifyError};
use gaillery_core::api::PhotoEvent;
use gaillery_core::{Label, OwnerId, PhotoStatus, Variant};
use gaillery_imaging::Limits;
use gaillery_storage::{Job, JobOutcome, StorageError};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// How the workers run.
#[derive(Clone, Debug)]
pub struct PipelineOptions {
    /// This server's name among those sharing the catalog; workers are `{instance}/{n}`.
    pub instance: String,
    pub workers: usize,
    /// Most jobs one forward pass takes.
    pub batch: usize,
    /// How long a claim holds before another server may take the job over.
    pub lease: Duration,
    /// How often an idle worker looks for jobs whose leases ran out elsewhere.
    pub poll: Duration,
    /// Tries before a job that keeps hitting transient errors fails for good.
    pub max_attempts: u32,
}

impl Default for PipelineOptions {
    fn default() -> Self {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        PipelineOptions {
            instance: "gaillery".into(),
            // Inference already uses every core; more workers than half of them only queue.
            workers: (cores / 2).max(1),
            batch: 8,
            lease: Duration::from_secs(60),
            poll: Duration::from_secs(2),
            max_attempts: 5,
        }
    }
}

/// The longest wait between tries of a job that storage could not serve: an outage ends with
/// its photos classified within this long.
const MAX_OUTAGE_BACKOFF_MS: i64 = 15_000;

/// What the pipeline needs of a model: one image made ready for it, then labels for a batch
/// of ready images. Both block (decoding, inference), so the pipeline calls them on blocking
/// threads. The candle [`Classifier`] is the model of the server; tests use doubles.
pub trait ImageModel: Send + Sync + 'static {
    /// One image, decoded and preprocessed for this model.
    type Input: Send + 'static;

    /// The most memory [`ImageModel::input`] takes for this image, from its header alone.
    fn input_memory(&self, image: &[u8], limits: &Limits) -> Result<u64, ClassifyError>;

    /// Decodes and preprocesses one image; an `Image` error means the file cannot be read.
    fn input(&self, image: &[u8], limits: &Limits) -> Result<Self::Input, ClassifyError>;

    /// The top labels of each input, in the inputs' order.
    fn predict(&self, inputs: &[Self::Input]) -> Result<Vec<Vec<Label>>, ClassifyError>;
}

impl ImageModel for Classifier {
    type Input = candle_core::Tensor;

    fn input_memory(&self, image: &[u8], limits: &Limits) -> Result<u64, ClassifyError> {
        Classifier::input_memory(self, image, limits)
    }

    fn input(&self, image: &[u8], limits: &Limits) -> Result<Self::Input, ClassifyError> {
        Classifier::input(self, image, limits)
    }

    fn predict(&self, inputs: &[Self::Input]) -> Result<Vec<Vec<Label>>, ClassifyError> {
        Classifier::predict(self, inputs)
    }
}

/// The models loaded on this server, by name.
pub type Classifiers<M = Classifier> = Arc<HashMap<String, Arc<M>>>;

/// Running workers; [`Pipeline::stop`] ends them.
pub struct Pipeline {
    stop: watch::Sender<bool>,
    workers: Vec<JoinHandle<()>>,
}

impl Pipeline {
    /// Resumes interrupted jobs and starts the workers.
    pub async fn start<M: ImageModel>(
        gallery: Gallery,
        classifiers: Classifiers<M>,
        options: PipelineOptions,
    ) -> Result<Pipeline, StorageError> {
        let released = gallery.catalog.release_jobs(&options.instance).await?;
        let owner = OwnerId::local();
        let orphans = gallery.catalog.photos_without_jobs(&owner).await?;
        if let Some(model) = gallery.config.default_model() {
            for id in &orphans {
                gallery
                    .catalog
                    .enqueue_job(&owner, id, model, ids::now_ms())
                    .await?;
            }
        }
        if released + orphans.len() as u64 > 0 {
            tracing::info!(
                released,
                requeued = orphans.len(),
                "resuming interrupted jobs"
            );
        }
        let (stop, stopped) = watch::channel(false);
        let workers = (0..options.workers.max(1))
            .map(|n| {
                let worker = Worker {
                    name: format!("{}/{n}", options.instance),
                    gallery: gallery.clone(),
                    classifiers: Arc::clone(&classifiers),
                    options: options.clone(),
                    stopped: stopped.clone(),
                };
                tokio::spawn(worker.run())
            })
            .collect();
        Ok(Pipeline { stop, workers })
    }

    /// Asks the workers to stop after their current batch and waits for them. A batch cut
    /// short by a crash instead is resumed at the next start.
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        for worker in self.workers {
            let _ = worker.await;
        }
    }
}

struct Worker<M> {
    name: String,
    gallery: Gallery,
    classifiers: Classifiers<M>,
    options: PipelineOptions,
    stopped: watch::Receiver<bool>,
}

impl<M: ImageModel> Worker<M> {
    async fn run(mut self) {
        let lease_ms = i64::try_from(self.options.lease.as_millis()).unwrap_or(i64::MAX);
        while !*self.stopped.borrow() {
            // Register for wake-ups before looking, so a job queued in between is not missed.
            let queued = Arc::clone(&self.gallery.jobs_queued);
            let notified = queued.notified();
            let claimed = self
                .gallery
                .catalog
                .claim_jobs(&self.name, self.options.batch, lease_ms, ids::now_ms())
                .await;
            match claimed {
                Ok(jobs) if !jobs.is_empty() => self.run_batch(jobs).await,
                Ok(_) => {
                    tokio::select! {
                        _ = notified => {}
                        _ = tokio::time::sleep(self.options.poll) => {}
                        _ = self.stopped.changed() => {}
                    }
                }
                Err(error) => {
                    tracing::warn!(%error, worker = %self.name, "cannot claim jobs");
                    tokio::select! {
                        _ = tokio::time::sleep(self.options.poll) => {}
                        _ = self.stopped.changed() => {}
                    }
                }
            }
        }
    }

    async fn run_batch(&self, jobs: Vec<Job>) {
        // Jobs of one batch may name different models: each model gets its own pass.
        let mut by_model: HashMap<String, Vec<Job>> = HashMap::new();
        for job in jobs {
            by_model.entry(job.model.clone()).or_default().push(job);
        }
        for (model, jobs) in by_model {
            match self.classifiers.get(&model) {
                Some(classifier) => self.classify(Arc::clone(classifier), jobs).await,
                None => {
                    for job in jobs {
                        let reason = format!("the model {model} is not loaded on this server");
                        self.finish(&job, JobOutcome::Failed(reason)).await;
                    }
                }
            }
        }
    }

    async fn classify(&self, classifier: Arc<M>, jobs: Vec<Job>) {
        // The jobs whose images were read and preprocessed, and their inputs, in step.
        let mut ready = Vec::with_capacity(jobs.len());
        let mut inputs = Vec::with_capacity(jobs.len());
        for job in jobs {
            self.stage(&job, PhotoStatus::Fetching).await;
            let original = match ids::keys_for(&job.owner, &job.photo_id) {
                Ok(keys) => {
                    self.gallery
                        .blobs
                        .read_all(keys.get(Variant::Original))
                        .await
                }
                Err(error) => Err(StorageError::Backend(error.to_string())),
            };
            let bytes = match original {
                Ok(bytes) => bytes,
                Err(StorageError::NotFound) => {
                    let reason = reasons::ORIGINAL_MISSING.to_owned();
                    self.finish(&job, JobOutcome::Failed(reason)).await;
                    continue;
                }
                // Storage is down or throttling: no fault of the photo's, so it waits for as
                // long as the outage lasts instead of using up its attempts.
                Err(error @ StorageError::Unavailable(_)) => {
                    tracing::warn!(%error, id = %job.photo_id, "could not read the original");
                    self.retry_later(&job, reasons::STORAGE_UNAVAILABLE).await;
                    continue;
                }
                Err(error) => {
                    tracing::warn!(%error, id = %job.photo_id, "could not read the original");
                    self.retry_or_fail(&job, reasons::STORAGE_FAILED).await;
                    continue;
                }
            };

            self.stage(&job, PhotoStatus::Preprocessing).await;
            match self.prepare(&classifier, bytes).await {
                Ok(Ok(input)) => {
                    ready.push(job);
                    inputs.push(input);
                }
                // A file that cannot be read fails alone, with the reason the decoder gave.
                Ok(Err(error)) => {
                    tracing::info!(%error, id = %job.photo_id, "could not prepare the image");
                    let reason = reasons::classify_failure(&error);
                    self.finish(&job, JobOutcome::Failed(reason)).await;
                }
                Err(error) => {
                    tracing::error!(%error, id = %job.photo_id, "preparing the image crashed");
                    let reason = reasons::PREPARATION_FAILED.to_owned();
                    self.finish(&job, JobOutcome::Failed(reason)).await;
                }
            }
        }
        if ready.is_empty() {
            return;
        }

        for job in &ready {
            self.stage(job, PhotoStatus::Predicting).await;
        }
        let predicted = tokio::task::spawn_blocking(move || classifier.predict(&inputs)).await;
        let labels: Vec<Vec<Label>> = match predicted {
            Ok(Ok(labels)) if labels.len() == ready.len() => labels,
            failed => {
                let (detail, why) = match failed {
                    Ok(Ok(_)) => (
                        "inference returned the wrong number of results".to_owned(),
                        reasons::INFERENCE_FAILED.to_owned(),
                    ),
                    Ok(Err(error)) => (error.to_string(), reasons::classify_failure(&error)),
                    Err(join) => (
                        format!("inference crashed: {join}"),
                        reasons::INFERENCE_FAILED.to_owned(),
                    ),
                };
                tracing::error!(error = %detail, photos = ready.len(), "classification failed");
                for job in &ready {
                    self.retry_or_fail(job, &why).await;
                }
                return;
            }
        };

        for (job, labels) in ready.iter().zip(labels) {
            self.stage(job, PhotoStatus::Storing).await;
            self.finish(job, JobOutcome::Done(labels)).await;
        }
    }

    /// Decodes and preprocesses one image within the decode budget, which uploads share: the
    /// header says how much memory the decode takes, and that much is reserved first.
    async fn prepare(
        &self,
        classifier: &Arc<M>,
        bytes: bytes::Bytes,
    ) -> Result<Result<M::Input, ClassifyError>, ServiceError> {
        let limits = self.gallery.config.image_limits;
        let model = Arc::clone(classifier);
        let (bytes, peak) = run_holding((), move || {
            let peak = model.input_memory(&bytes, &limits);
            (bytes, peak)
        })
        .await?;
        let peak = match peak {
            Ok(peak) => peak,
            Err(error) => return Ok(Err(error)),
        };
        let memory = self.gallery.decode_budget.reserve(peak).await?;
        let model = Arc::clone(classifier);
        run_holding(memory, move || model.input(&bytes, &limits)).await
    }

    /// Records and announces a stage.
    async fn stage(&self, job: &Job, status: PhotoStatus) {
        let catalog = &self.gallery.catalog;
        if let Err(error) = catalog
            .set_status(&job.owner, &job.photo_id, status, None)
            .await
        {
            // The stage is for show; the job itself goes on.
            tracing::warn!(%error, id = %job.photo_id, "could not record stage");
        }
        self.gallery.publish(
            &job.owner,
            PhotoEvent {
                id: job.photo_id.clone(),
                status,
                status_reason: None,
                labels: Vec::new(),
            },
        );
    }

    /// Transient trouble: back to the queue with exponential backoff, until the attempts run
    /// out.
    async fn retry_or_fail(&self, job: &Job, why: &str) {
        let outcome = if job.attempt >= self.options.max_attempts {
            JobOutcome::Failed(reasons::gave_up(job.attempt, why))
        } else {
            let backoff_ms = 1_000i64 << job.attempt.min(8);
            JobOutcome::Retry {
                reason: reasons::retrying(why),
                run_after_ms: ids::now_ms() + backoff_ms,
            }
        };
        self.finish(job, outcome).await;
    }

    /// Back to the queue whatever the attempt, with a backoff that grows to at most
    /// [`MAX_OUTAGE_BACKOFF_MS`]: for outages of the storage, which end by themselves.
    async fn retry_later(&self, job: &Job, why: &str) {
        let backoff_ms = (1_000i64 << job.attempt.min(8)).min(MAX_OUTAGE_BACKOFF_MS);
        let outcome = JobOutcome::Retry {
            reason: reasons::retrying(why),
            run_after_ms: ids::now_ms() + backoff_ms,
        };
        self.finish(job, outcome).await;
    }

    async fn finish(&self, job: &Job, outcome: JobOutcome) {
        let event = match &outcome {
            JobOutcome::Done(labels) => (PhotoStatus::Done, None, labels.clone()),
            JobOutcome::Failed(reason) => (PhotoStatus::Failed, Some(reason.clone()), Vec::new()),
            JobOutcome::Retry { reason, .. } => {
                (PhotoStatus::Queued, Some(reason.clone()), Vec::new())
            }
        };
        match self
            .gallery
            .catalog
            .finish_job(job, &self.name, outcome)
            .await
        {
            Ok(true) => {
                let (status, status_reason, labels) = event;
                // One line per job outcome that took effect: operators (and the multi-server
                // tests) count these to check that no job ends twice.
                tracing::info!(
                    id = %job.photo_id,
                    worker = %self.name,
                    attempt = job.attempt,
                    status = status.as_str(),
                    "job outcome recorded"
                );
                self.gallery.publish(
                    &job.owner,
                    PhotoEvent {
                        id: job.photo_id.clone(),
                        status,
                        status_reason,
                        labels,
                    },
                );
            }
            // The lease ran out and another worker has the job now: its result will count.
            Ok(false) => tracing::info!(id = %job.photo_id, "job taken over; result dropped"),
            // The lease will run out and the job will run again.
            Err(error) => tracing::warn!(%error, id = %job.photo_id, "could not finish job"),
        }
    }
}

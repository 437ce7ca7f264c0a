//! The embedded catalog: one SQLite file in WAL mode.
//!
//! SQLite calls block, so each runs in `spawn_blocking`, never on the async runtime. Writes go
//! through one connection behind an async mutex (SQLite allows one writer at a time anyway, and
//! waiting on the mutex costs no thread); reads use a small pool of their own connections, which
//! in WAL mode never wait for the writer.

use crate::catalog::{page_limit, Catalog, InsertOutcome, NewPhoto, PageCursor};
use crate::jobs::{Job, JobOutcome};
use crate::{blocking, StorageError};
use async_trait::async_trait;
use gaillery_core::api::{PhotoPage, TagCount};
use gaillery_core::{Label, OwnerId, Photo, PhotoId, PhotoStatus};
use rusqlite::{params, Connection, ErrorCode, Row, TransactionBehavior};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::Semaphore;

/// How many reads run at once; more would only queue for the two CPU cores.
const READERS: usize = 4;
/// How long a statement waits for a lock held by another process before giving up with
/// `Unavailable`.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// The schema, one step per version; `PRAGMA user_version` counts the steps applied. Append new
/// steps, never edit old ones: databases in the field have already run them.
const MIGRATIONS: &[&str] = &[
    // 1: photos. `id` is unique across owners because blob keys are made from it alone.
    "CREATE TABLE photos (
        id            TEXT PRIMARY KEY NOT NULL,
        owner         TEXT NOT NULL,
        filename      TEXT NOT NULL,
        width         INTEGER NOT NULL,
        height        INTEGER NOT NULL,
        taken_at      TEXT,
        format        TEXT NOT NULL,
        size_bytes    INTEGER NOT NULL,
        sha256        TEXT NOT NULL,
        placeholder   TEXT NOT NULL,
        status        TEXT NOT NULL,
        status_reason TEXT,
        labels        TEXT NOT NULL DEFAULT '[]',
        created_at_ms INTEGER NOT NULL,
        UNIQUE (owner, sha256)
    ) STRICT;
    CREATE INDEX photos_by_owner_newest ON photos (owner, created_at_ms DESC, id DESC);",
    // 2: classification jobs (see `jobs`), and labels in a table of their own so that tag
    // search and tag counts use an index instead of parsing every photo's JSON.
    "CREATE TABLE jobs (
        photo_id         TEXT PRIMARY KEY NOT NULL REFERENCES photos (id) ON DELETE CASCADE,
        owner            TEXT NOT NULL,
        model            TEXT NOT NULL,
        attempts         INTEGER NOT NULL DEFAULT 0,
        run_after_ms     INTEGER NOT NULL,
        claimed_by       TEXT,
        lease_expires_ms INTEGER,
        created_at_ms    INTEGER NOT NULL
    ) STRICT;
    CREATE INDEX jobs_due ON jobs (run_after_ms, created_at_ms);
    CREATE TABLE photo_labels (
        photo_id TEXT NOT NULL REFERENCES photos (id) ON DELETE CASCADE,
        owner    TEXT NOT NULL,
        label    TEXT NOT NULL,
        PRIMARY KEY (photo_id, label)
    ) STRICT, WITHOUT ROWID;
    CREATE INDEX photo_labels_by_label ON photo_labels (owner, label);
    INSERT OR IGNORE INTO photo_labels (photo_id, owner, label)
        SELECT photos.id, photos.owner, json_extract(each.value, '$.label')
        FROM photos, json_each(photos.labels) AS each;",
];

/// The columns `photo_from_row` reads, in its order.
macro_rules! photo_columns {
    () => {
        "id, filename, width, height, taken_at, created_at_ms, status, status_reason, labels, \
         placeholder, format, size_bytes, sha256"
    };
}

/// The catalog in a SQLite file.
pub struct SqliteCatalog {
    writer: Arc<tokio::sync::Mutex<Connection>>,
    readers: Arc<ReaderPool>,
}

impl SqliteCatalog {
    /// Opens the catalog at `path`, creating it and migrating its schema as needed. Does blocking
    /// I/O: meant for startup.
    pub fn open(path: &Path) -> Result<SqliteCatalog, StorageError> {
        SqliteCatalog::open_with_busy_timeout(path, BUSY_TIMEOUT)
    }

    fn open_with_busy_timeout(
        path: &Path,
        busy_timeout: Duration,
    ) -> Result<SqliteCatalog, StorageError> {
        let mut writer = Connection::open(path)?;
        configure(&writer, busy_timeout)?;
        // WAL lets readers go on while a write is in progress; the setting is stored in the file.
        let mode: String =
            writer.pragma_update_and_check(None, "journal_mode", "wal", |row| row.get(0))?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(StorageError::Backend(format!(
                "SQLite refused WAL mode (got {mode})"
            )));
        }
        migrate(&mut writer)?;
        Ok(SqliteCatalog {
            writer: Arc::new(tokio::sync::Mutex::new(writer)),
            readers: Arc::new(ReaderPool {
                path: path.to_owned(),
                busy_timeout,
                idle: Mutex::new(Vec::new()),
                permits: Arc::new(Semaphore::new(READERS)),
            }),
        })
    }

    /// Inserts many photos in one transaction, for bulk loads (imports, benchmarks): far faster
    /// than one `insert_photo` each. Photos whose owner already has their hash are skipped.
    /// Returns how many were inserted.
    pub async fn insert_many(&self, photos: Vec<NewPhoto>) -> Result<usize, StorageError> {
        self.write(move |conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let mut inserted = 0;
            for photo in &photos {
                inserted += insert_row(&tx, photo)?;
            }
            tx.commit()?;
            Ok(inserted)
        })
        .await
    }

    /// Runs `work` on the writer connection, off the runtime, one writer at a time.
    async fn write<T, F>(&self, work: F) -> Result<T, StorageError>
    where
        F: FnOnce(&mut Connection) -> Result<T, StorageError> + Send + 'static,
        T: Send + 'static,
    {
        let mut writer = Arc::clone(&self.writer).lock_owned().await;
        blocking(move || work(&mut writer)).await
    }

    /// Runs `work` on a reader connection, off the runtime.
    async fn read<T, F>(&self, work: F) -> Result<T, StorageError>
    where
        F: FnOnce(&Connection) -> Result<T, StorageError> + Send + 'static,
        T: Send + 'static,
    {
        let permit = Arc::clone(&self.readers.permits)
            .acquire_owned()
            .await
            .map_err(|_| StorageError::Backend("reader pool closed".into()))?;
        let pool = Arc::clone(&self.readers);
        blocking(move || {
            let _permit = permit;
            let conn = pool.take()?;
            let result = work(&conn);
            pool.give_back(conn);
            result
        })
        .await
    }
}

impl std::fmt::Debug for SqliteCatalog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteCatalog")
            .field("path", &self.readers.path)
            .finish_non_exhaustive()
    }
}

/// Reader connections, opened on first need. The semaphore bounds how many are in use, so the
/// pool never holds more than `READERS`; a connection lost to a panic is simply reopened.
struct ReaderPool {
    path: PathBuf,
    busy_timeout: Duration,
    idle: Mutex<Vec<Connection>>,
    permits: Arc<Semaphore>,
}

impl ReaderPool {
    fn take(&self) -> Result<Connection, StorageError> {
        // A panic while the lock was held leaves a Vec that is still valid: ignore the poison.
        let idle = self
            .idle
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .pop();
        match idle {
            Some(conn) => Ok(conn),
            None => {
                let conn = Connection::open(&self.path)?;
                configure(&conn, self.busy_timeout)?;
                conn.pragma_update(None, "query_only", true)?;
                Ok(conn)
            }
        }
    }

    fn give_back(&self, conn: Connection) {
        self.idle
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .push(conn);
    }
}

/// Settings that live on each connection rather than in the file.
fn configure(conn: &Connection, busy_timeout: Duration) -> Result<(), StorageError> {
    conn.busy_timeout(busy_timeout)?;
    conn.pragma_update(None, "foreign_keys", true)?;
    // In WAL mode NORMAL is still safe against corruption; a power cut may lose only the last
    // commits, and commits skip an fsync each.
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    Ok(())
}

fn migrate(conn: &mut Connection) -> Result<(), StorageError> {
    // Immediate: two processes starting at once must not both run a step.
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let version: i64 = tx.pragma_query_value(None, "user_version", |row| row.get(0))?;
    let applied = usize::try_from(version)
        .ok()
        .filter(|&applied| applied <= MIGRATIONS.len())
        .ok_or_else(|| {
            StorageError::Backend(format!(
                "catalog schema version {version} is not one this build knows (up to {}); refusing to use it",
                MIGRATIONS.len()
            ))
        })?;
    for (step, sql) in MIGRATIONS.iter().enumerate().skip(applied) {
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", step as i64 + 1)?;
    }
    tx.commit()?;
    Ok(())
}

impl From<rusqlite::Error> for StorageError {
    fn from(err: rusqlite::Error) -> StorageError {
        match &err {
            rusqlite::Error::QueryReturnedNoRows => StorageError::NotFound,
            rusqlite::Error::SqliteFailure(failure, _)
                if matches!(
                    failure.code,
                    ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked
                ) =>
            {
                StorageError::Unavailable(err.to_string())
            }
            _ => StorageError::Backend(err.to_string()),
        }
    }
}

/// Inserts unless the owner already has the hash; returns how many rows were inserted (0 or 1).
fn insert_row(conn: &Connection, photo: &NewPhoto) -> Result<usize, StorageError> {
    let size_bytes = i64::try_from(photo.size_bytes).map_err(|_| {
        StorageError::Backend(format!(
            "size {} does not fit the catalog",
            photo.size_bytes
        ))
    })?;
    let mut insert = conn.prepare_cached(
        "INSERT INTO photos (id, owner, filename, width, height, taken_at, format, size_bytes, sha256,
                             placeholder, status, created_at_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)
         ON CONFLICT (owner, sha256) DO NOTHING",
    )?;
    let inserted = insert.execute(params![
        photo.id.as_str(),
        photo.owner.0,
        photo.filename,
        photo.width,
        photo.height,
        photo.taken_at,
        photo.format,
        size_bytes,
        photo.sha256,
        photo.placeholder,
        photo.status.as_str(),
        photo.created_at_ms,
    ])?;
    Ok(inserted)
}

fn photo_by_hash(
    conn: &Connection,
    owner: &str,
    sha256: &str,
) -> Result<Option<Photo>, StorageError> {
    let mut select = conn.prepare_cached(concat!(
        "SELECT ",
        photo_columns!(),
        " FROM photos WHERE owner = ?1 AND sha256 = ?2"
    ))?;
    let mut rows = select.query(params![owner, sha256])?;
    match rows.next()? {
        Some(row) => Ok(Some(photo_from_row(row)?.0)),
        None => Ok(None),
    }
}

/// Reads a row selected with `photo_columns!()`, returning its `created_at_ms` beside it for
/// cursors. Values that don't parse mean a damaged file, reported as `Backend`.
fn photo_from_row(row: &Row<'_>) -> Result<(Photo, i64), StorageError> {
    let damaged = |column: &str, value: &dyn std::fmt::Debug| {
        StorageError::Backend(format!("catalog holds an invalid {column}: {value:?}"))
    };
    let id: String = row.get(0)?;
    let created_at_ms: i64 = row.get(5)?;
    let status: String = row.get(6)?;
    let labels: String = row.get(8)?;
    let size_bytes: i64 = row.get(11)?;
    let photo = Photo {
        id: PhotoId::parse(&id).ok_or_else(|| damaged("id", &id))?,
        filename: row.get(1)?,
        width: row.get(2)?,
        height: row.get(3)?,
        taken_at: row.get(4)?,
        created_at: crate::catalog::rfc3339_from_millis(created_at_ms),
        status: PhotoStatus::parse(&status).ok_or_else(|| damaged("status", &status))?,
        status_reason: row.get(7)?,
        labels: serde_json::from_str(&labels)?,
        placeholder: row.get(9)?,
        format: row.get(10)?,
        size_bytes: u64::try_from(size_bytes).map_err(|_| damaged("size", &size_bytes))?,
        sha256: row.get(12)?,
    };
    Ok((photo, created_at_ms))
}

#[async_trait]
impl Catalog for SqliteCatalog {
    async fn insert_photo(&self, photo: NewPhoto) -> Result<InsertOutcome, StorageError> {
        self.write(move |conn| {
            // The insert and the look-up of the winner share one transaction, so the photo
            // reported as the duplicate is the one that stays.
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let outcome = if insert_row(&tx, &photo)? == 1 {
                InsertOutcome::Created(photo.to_photo())
            } else {
                let existing =
                    photo_by_hash(&tx, &photo.owner.0, &photo.sha256)?.ok_or_else(|| {
                        StorageError::Backend(
                            "insert conflicted on a hash that is not catalogued".into(),
                        )
                    })?;
                InsertOutcome::Duplicate(existing)
            };
            tx.commit()?;
            Ok(outcome)
        })
        .await
    }

    async fn photo(&self, owner: &OwnerId, id: &PhotoId) -> Result<Option<Photo>, StorageError> {
        let (owner, id) = (owner.0.clone(), id.clone());
        self.read(move |conn| {
            let mut select = conn.prepare_cached(concat!(
                "SELECT ",
                photo_columns!(),
                " FROM photos WHERE id = ?1 AND owner = ?2"
            ))?;
            let mut rows = select.query(params![id.as_str(), owner])?;
            match rows.next()? {
                Some(row) => Ok(Some(photo_from_row(row)?.0)),
                None => Ok(None),
            }
        })
        .await
    }

    async fn photo_by_hash(
        &self,
        owner: &OwnerId,
        sha256: &str,
    ) -> Result<Option<Photo>, StorageError> {
        let (owner, sha256) = (owner.0.clone(), sha256.to_owned());
        self.read(move |conn| photo_by_hash(conn, &owner, &sha256))
            .await
    }

    async fn list_photos(
        &self,
        owner: &OwnerId,
        cursor: Option<&str>,
        limit: usize,
    ) -> Result<PhotoPage, StorageError> {
        self.list_photos_tagged(owner, &[], cursor, limit).await
    }

    async fn delete_photo(&self, owner: &OwnerId, id: &PhotoId) -> Result<bool, StorageError> {
        let (owner, id) = (owner.0.clone(), id.clone());
        self.write(move |conn| {
            let deleted = conn
                .prepare_cached("DELETE FROM photos WHERE id = ?1 AND owner = ?2")?
                .execute(params![id.as_str(), owner])?;
            Ok(deleted > 0)
        })
        .await
    }

    async fn delete_all_photos(&self, owner: &OwnerId) -> Result<Vec<PhotoId>, StorageError> {
        let owner = owner.0.clone();
        self.write(move |conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let raw_ids = {
                let mut delete =
                    tx.prepare_cached("DELETE FROM photos WHERE owner = ?1 RETURNING id")?;
                let raw_ids = delete.query_map(params![owner], |row| row.get::<_, String>(0))?;
                raw_ids.collect::<Result<Vec<_>, _>>()?
            };
            // Parse before committing: if an id is damaged, nothing is deleted rather than rows
            // whose blobs the caller could not find.
            let ids = raw_ids
                .iter()
                .map(|raw| {
                    PhotoId::parse(raw).ok_or_else(|| {
                        StorageError::Backend(format!("catalog holds an invalid id: {raw:?}"))
                    })
                })
                .collect::<Result<Vec<_>, _>>()?;
            tx.commit()?;
            Ok(ids)
        })
        .await
    }

    async fn count_photos(&self, owner: &OwnerId) -> Result<u64, StorageError> {
        let owner = owner.0.clone();
        self.read(move |conn| {
            let count: i64 = conn
                .prepare_cached("SELECT COUNT(*) FROM photos WHERE owner = ?1")?
                .query_row(params![owner], |row| row.get(0))?;
            u64::try_from(count)
                .map_err(|_| StorageError::Backend(format!("negative count {count}")))
        })
        .await
    }

    async fn set_status(
        &self,
        owner: &OwnerId,
        id: &PhotoId,
        status: PhotoStatus,
        reason: Option<String>,
    ) -> Result<bool, StorageError> {
        let (owner, id) = (owner.0.clone(), id.clone());
        self.write(move |conn| {
            let updated = conn
                .prepare_cached("UPDATE photos SET status = ?3, status_reason = ?4 WHERE id = ?1 AND owner = ?2")?
                .execute(params![id.as_str(), owner, status.as_str(), reason])?;
            Ok(updated > 0)
        })
        .await
    }

    async fn set_labels(
        &self,
        owner: &OwnerId,
        id: &PhotoId,
        labels: Vec<Label>,
    ) -> Result<bool, StorageError> {
        // JSON has no NaN or infinity: serde_json would write `null`, and the photo could never
        // be read back.
        if let Some(label) = labels.iter().find(|label| !label.probability.is_finite()) {
            return Err(StorageError::Backend(format!(
                "label {:?} has a non-finite probability",
                label.label
            )));
        }
        let (owner, id) = (owner.0.clone(), id.clone());
        self.write(move |conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let updated = write_labels(&tx, &owner, &id, &labels)?;
            tx.commit()?;
            Ok(updated)
        })
        .await
    }

    async fn list_photos_tagged(
        &self,
        owner: &OwnerId,
        tags: &[Vec<String>],
        cursor: Option<&str>,
        limit: usize,
    ) -> Result<PhotoPage, StorageError> {
        let limit = page_limit(limit);
        let after = cursor.map(PageCursor::decode).transpose()?;
        let owner = owner.0.clone();
        let groups = tags
            .iter()
            .map(serde_json::to_string)
            .collect::<Result<Vec<_>, _>>()?;
        self.read(move |conn| list_page(conn, &owner, &groups, after.as_ref(), limit))
            .await
    }

    async fn tag_counts(&self, owner: &OwnerId) -> Result<Vec<TagCount>, StorageError> {
        let owner = owner.0.clone();
        self.read(move |conn| {
            let mut select = conn.prepare_cached(
                "SELECT label, COUNT(*) AS n FROM photo_labels WHERE owner = ?1
                 GROUP BY label ORDER BY n DESC, label",
            )?;
            let rows = select.query_map(params![owner], |row| {
                Ok(TagCount {
                    tag: row.get(0)?,
                    count: row.get::<_, i64>(1)?.max(0) as u64,
                })
            })?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })
        .await
    }

    async fn enqueue_job(
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

    async fn claim_jobs(
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

    async fn finish_job(
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

    async fn release_jobs(&self, instance: &str) -> Result<u64, StorageError> {
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

    async fn photos_without_jobs(&self, owner: &OwnerId) -> Result<Vec<PhotoId>, StorageError> {
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

/// Replaces a photo's labels, in the JSON column the listing reads and in the label index.
fn write_labels(
    tx: &Connection,
    owner: &str,
    id: &PhotoId,
    labels: &[Label],
) -> Result<bool, StorageError> {
    let json = serde_json::to_string(labels)?;
    let updated = tx
        .prepare_cached("UPDATE photos SET labels = ?3 WHERE id = ?1 AND owner = ?2")?
        .execute(params![id.as_str(), owner, json])?;
    if updated == 0 {
        return Ok(false);
    }
    tx.prepare_cached("DELETE FROM photo_labels WHERE photo_id = ?1")?
        .execute(params![id.as_str()])?;
    let mut insert = tx.prepare_cached(
        "INSERT OR IGNORE INTO photo_labels (photo_id, owner, label) VALUES (?1, ?2, ?3)",
    )?;
    for label in labels {
        insert.execute(params![id.as_str(), owner, label.label])?;
    }
    Ok(true)
}

/// One page of the owner's photos, newest first, after `after`, keeping only photos with a
/// label in each group (`groups` are JSON arrays of label names).
fn list_page(
    conn: &Connection,
    owner: &str,
    groups: &[String],
    after: Option<&PageCursor>,
    limit: usize,
) -> Result<PhotoPage, StorageError> {
    let mut sql = String::from(concat!(
        "SELECT ",
        photo_columns!(),
        " FROM photos WHERE owner = ?1"
    ));
    let mut values: Vec<rusqlite::types::Value> = vec![owner.to_owned().into()];
    if let Some(after) = after {
        // A row-value comparison, so SQLite seeks straight to the cursor in the index.
        sql.push_str(&format!(
            " AND (created_at_ms, id) < (?{}, ?{})",
            values.len() + 1,
            values.len() + 2
        ));
        values.push(after.created_at_ms.into());
        values.push(after.id.as_str().to_owned().into());
    }
    for group in groups {
        sql.push_str(&format!(
            " AND id IN (SELECT photo_id FROM photo_labels WHERE owner = ?1
                         AND label IN (SELECT value FROM json_each(?{})))",
            values.len() + 1
        ));
        values.push(group.clone().into());
    }
    // One row more than the page tells whether another page follows.
    sql.push_str(&format!(
        " ORDER BY created_at_ms DESC, id DESC LIMIT {}",
        limit + 1
    ));
    let mut select = conn.prepare_cached(&sql)?;
    let mut rows = select.query(rusqlite::params_from_iter(values))?;
    let mut photos = Vec::with_capacity(limit + 1);
    let mut last_key = None;
    while let Some(row) = rows.next()? {
        if photos.len() == limit {
            // The extra row: there is a next page, starting after the last one kept.
            let next_cursor = last_key.map(|(millis, id)| PageCursor::after(millis, &id).encode());
            return Ok(PhotoPage {
                photos,
                next_cursor,
            });
        }
        let (photo, created_at_ms) = photo_from_row(row)?;
        last_key = Some((created_at_ms, photo.id.clone()));
        photos.push(photo);
    }
    Ok(PhotoPage {
        photos,
        next_cursor: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn catalog() -> (tempfile::TempDir, PathBuf, SqliteCatalog) {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("catalog.sqlite");
        let catalog = SqliteCatalog::open(&path).expect("open");
        (dir, path, catalog)
    }

    fn new_photo(id: &str, created_at_ms: i64) -> NewPhoto {
        NewPhoto {
            id: PhotoId::parse(id).expect("id"),
            owner: OwnerId::local(),
            filename: format!("{id}.jpg"),
            width: 10,
            height: 10,
            taken_at: None,
            format: "jpeg".into(),
            size_bytes: 1,
            sha256: format!("sha-{id}"),
            placeholder: String::new(),
            status: PhotoStatus::Queued,
            created_at_ms,
        }
    }

    #[test]
    fn migrations_run_once_and_record_the_version() {
        let (_dir, path, catalog) = catalog();
        drop(catalog);
        // Reopening must not rerun step 1 (it would fail: the table exists).
        drop(SqliteCatalog::open(&path).expect("reopen"));
        let conn = Connection::open(&path).unwrap();
        let version: i64 = conn
            .pragma_query_value(None, "user_version", |row| row.get(0))
            .unwrap();
        assert_eq!(version, MIGRATIONS.len() as i64);
    }

    #[test]
    fn a_schema_from_a_newer_build_is_refused() {
        let (_dir, path, catalog) = catalog();
        drop(catalog);
        let conn = Connection::open(&path).unwrap();
        conn.pragma_update(None, "user_version", 99).unwrap();
        drop(conn);
        match SqliteCatalog::open(&path) {
            Err(StorageError::Backend(message)) => assert!(message.contains("99"), "{message}"),
            Err(other) => panic!("expected Backend, got {other:?}"),
            Ok(_) => panic!("a newer schema must be refused"),
        }
    }

    #[test]
    fn deep_pages_seek_in_the_index_instead_of_scanning() {
        let (_dir, path, _catalog) = catalog();
        let conn = Connection::open(&path).unwrap();
        let plan: Vec<String> = conn
            .prepare(concat!(
                "EXPLAIN QUERY PLAN SELECT ",
                photo_columns!(),
                " FROM photos WHERE owner = ?1 AND (created_at_ms, id) < (?2, ?3)
                  ORDER BY created_at_ms DESC, id DESC LIMIT ?4"
            ))
            .unwrap()
            .query_map(params!["local", 5, "abc", 61], |row| {
                row.get::<_, String>(3)
            })
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        let plan = plan.join("\n");
        assert!(plan.contains("photos_by_owner_newest"), "{plan}");
        assert!(
            plan.contains("(owner=? AND (created_at_ms,id)<(?,?))"),
            "the cursor must bound the index range: {plan}"
        );
        assert!(
            !plan.contains("TEMP B-TREE"),
            "the index must give the order: {plan}"
        );
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_locked_database_is_unavailable_not_a_backend_error() {
        let (_dir, path, _catalog) = catalog();
        let catalog =
            SqliteCatalog::open_with_busy_timeout(&path, Duration::from_millis(50)).expect("open");
        // Another process holds the write lock for longer than the busy timeout.
        let other = Connection::open(&path).unwrap();
        other.execute_batch("BEGIN IMMEDIATE").unwrap();
        let insert = catalog.insert_photo(new_photo("p1", 1)).await;
        assert!(
            matches!(insert, Err(StorageError::Unavailable(_))),
            "{insert:?}"
        );
        other.execute_batch("ROLLBACK").unwrap();
        assert!(catalog
            .insert_photo(new_photo("p1", 1))
            .await
            .expect("insert")
            .is_created());
    }

    #[test]
    fn sqlite_errors_are_normalised() {
        let busy = rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_BUSY),
            None,
        );
        assert!(matches!(
            StorageError::from(busy),
            StorageError::Unavailable(_)
        ));
        let locked = rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_LOCKED),
            None,
        );
        assert!(matches!(
            StorageError::from(locked),
            StorageError::Unavailable(_)
        ));
        assert_eq!(
            StorageError::from(rusqlite::Error::QueryReturnedNoRows),
            StorageError::NotFound
        );
        let corrupt = rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_CORRUPT),
            None,
        );
        assert!(matches!(
            StorageError::from(corrupt),
            StorageError::Backend(_)
        ));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_damaged_row_is_a_backend_error_not_a_panic() {
        let (_dir, path, catalog) = catalog();
        catalog
            .insert_photo(new_photo("p1", 1))
            .await
            .expect("insert");
        let conn = Connection::open(&path).unwrap();
        conn.execute("UPDATE photos SET status = 'exploded'", [])
            .unwrap();
        let listed = catalog.list_photos(&OwnerId::local(), None, 10).await;
        assert!(
            matches!(listed, Err(StorageError::Backend(ref m)) if m.contains("exploded")),
            "{listed:?}"
        );
        conn.execute("UPDATE photos SET status = 'done', labels = 'not json'", [])
            .unwrap();
        let fetched = catalog
            .photo(&OwnerId::local(), &PhotoId::parse("p1").unwrap())
            .await;
        assert!(
            matches!(fetched, Err(StorageError::Backend(_))),
            "{fetched:?}"
        );
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn insert_many_loads_in_bulk_and_skips_duplicates() {
        let (_dir, _path, catalog) = catalog();
        let mut photos: Vec<NewPhoto> = (0..500).map(|i| new_photo(&format!("p{i}"), i)).collect();
        // Same bytes as p0 under another id: skipped, like insert_photo would.
        photos.push(NewPhoto {
            sha256: "sha-p0".into(),
            ..new_photo("copy", 999)
        });
        assert_eq!(catalog.insert_many(photos).await, Ok(500));
        assert_eq!(catalog.count_photos(&OwnerId::local()).await, Ok(500));
        let first = catalog
            .list_photos(&OwnerId::local(), None, 3)
            .await
            .expect("list");
        let ids: Vec<&str> = first.photos.iter().map(|p| p.id.as_str()).collect();
        assert_eq!(ids, ["p499", "p498", "p497"]);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn an_id_taken_by_another_owner_is_refused() {
        let (_dir, _path, catalog) = catalog();
        catalog
            .insert_photo(new_photo("p1", 1))
            .await
            .expect("insert");
        let other = NewPhoto {
            owner: OwnerId("someone-else".into()),
            sha256: "different".into(),
            ..new_photo("p1", 2)
        };
        let insert = catalog.insert_photo(other).await;
        assert!(
            matches!(insert, Err(StorageError::Backend(_))),
            "{insert:?}"
        );
    }
}

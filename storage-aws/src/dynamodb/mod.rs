//! The catalog, the classification queue, the shared event log, the accounts and the albums
//! in one DynamoDB table ([`DynamoCatalog`]), for several servers at once. The table's design,
//! with its access patterns and the reasons for them, is described in the `table` module.
//!
//! Every write that must not be lost to a race is a conditional write or a transaction:
//! duplicate uploads, label changes against deletions, leases on jobs, usernames, the first
//! account, sessions or tokens against the deletion of their account, and the photos, order
//! and links of an album against each other and its deletion. Every SDK error is
//! normalised by `from_sdk` (unreachable, throttled, 5xx: `Unavailable`); a stored item that
//! does not decode is a `Backend` error naming the item and the attribute.

mod accounts;
mod albums;
mod events;
mod findable;
mod items;
mod jobs;
mod months;
mod photos;
mod request;
mod sessions;
mod shares;
mod table;
mod tags;
mod throttle;
mod timeline;
mod totals;

use async_trait::async_trait;
use aws_config::SdkConfig;
use aws_sdk_dynamodb::Client;
use gaillery_core::api::{PhotoEvent, PhotoPage, TagCount};
use gaillery_core::{Label, Month, OwnerId, Photo, PhotoId, PhotoStatus, TimelineOrder};
use gaillery_storage::catalog::page_limit;
use gaillery_storage::{
    Account, AccountCreated, AccountDeleted, AccountStore, ApiToken, Catalog, EventLog,
    InsertOutcome, Job, JobOutcome, LastAdministrator, LoggedEvent, MonthCount, NewPhoto,
    PageCursor, PhotoTotals, Session, StorageError,
};
use std::sync::atomic::AtomicU64;
use std::sync::Arc;

/// Tries of a read-modify-write whose item changed between the read and the write. Each
/// failed try means another writer committed in between, so this many writers on one photo at
/// once all get through.
const VERSION_TRIES: u32 = 8;

/// The catalog in a DynamoDB table. Cheap to clone; clones share the client.
#[derive(Clone)]
pub struct DynamoCatalog {
    client: Client,
    table: String,
    /// The sequence numbers of appended events, from a random start per process.
    event_seq: Arc<AtomicU64>,
}

impl DynamoCatalog {
    /// The catalog in `table`, reached with the SDK configuration `sdk` (its region,
    /// credentials, endpoint, timeouts and retries). Sends nothing: see
    /// [`DynamoCatalog::check`] and [`DynamoCatalog::create_table_if_missing`].
    pub fn new(sdk: &SdkConfig, table: impl Into<String>) -> DynamoCatalog {
        DynamoCatalog {
            client: Client::new(sdk),
            table: table.into(),
            // Half the range, so the sequence never wraps.
            event_seq: Arc::new(AtomicU64::new(request::random_u64() >> 1)),
        }
    }

    pub fn table(&self) -> &str {
        &self.table
    }
}

impl std::fmt::Debug for DynamoCatalog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DynamoCatalog")
            .field("table", &self.table)
            .finish_non_exhaustive()
    }
}

#[async_trait]
impl Catalog for DynamoCatalog {
    async fn insert_photo(&self, photo: NewPhoto) -> Result<InsertOutcome, StorageError> {
        self.insert(photo).await
    }

    async fn photo(&self, owner: &OwnerId, id: &PhotoId) -> Result<Option<Photo>, StorageError> {
        Ok(self
            .stored_photo(owner, id)
            .await?
            .map(|stored| stored.photo))
    }

    async fn photos_by_ids(
        &self,
        owner: &OwnerId,
        ids: &[PhotoId],
    ) -> Result<Vec<Photo>, StorageError> {
        self.photos_in_order(owner, ids).await
    }

    async fn photo_by_hash(
        &self,
        owner: &OwnerId,
        sha256: &str,
    ) -> Result<Option<Photo>, StorageError> {
        self.find_by_hash(owner, sha256).await
    }

    async fn list_photos(
        &self,
        owner: &OwnerId,
        cursor: Option<&str>,
        limit: usize,
    ) -> Result<PhotoPage, StorageError> {
        let after = cursor.map(PageCursor::decode).transpose()?;
        self.list(owner, after.as_ref(), page_limit(limit)).await
    }

    async fn delete_photo(&self, owner: &OwnerId, id: &PhotoId) -> Result<bool, StorageError> {
        self.delete_one(owner, id).await
    }

    async fn delete_all_photos(&self, owner: &OwnerId) -> Result<Vec<PhotoId>, StorageError> {
        self.delete_all(owner).await
    }

    async fn photo_totals(&self, owner: &OwnerId) -> Result<PhotoTotals, StorageError> {
        self.totals(owner).await
    }

    async fn set_status(
        &self,
        owner: &OwnerId,
        id: &PhotoId,
        status: PhotoStatus,
        reason: Option<String>,
    ) -> Result<bool, StorageError> {
        self.update_status(owner, id, status, reason).await
    }

    async fn set_labels(
        &self,
        owner: &OwnerId,
        id: &PhotoId,
        labels: Vec<Label>,
    ) -> Result<bool, StorageError> {
        Ok(matches!(
            self.relabel(owner, id, &labels, None).await?,
            tags::Relabel::Written
        ))
    }

    async fn list_photos_tagged(
        &self,
        owner: &OwnerId,
        tags: &[Vec<String>],
        cursor: Option<&str>,
        limit: usize,
    ) -> Result<PhotoPage, StorageError> {
        let after = cursor.map(PageCursor::decode).transpose()?;
        self.list_tagged(owner, tags, after.as_ref(), page_limit(limit))
            .await
    }

    async fn timeline(
        &self,
        owner: &OwnerId,
        order: TimelineOrder,
        tags: &[Vec<String>],
    ) -> Result<Vec<MonthCount>, StorageError> {
        self.months(owner, order, tags).await
    }

    async fn list_month(
        &self,
        owner: &OwnerId,
        order: TimelineOrder,
        month: Month,
        tags: &[Vec<String>],
        cursor: Option<&str>,
        limit: usize,
    ) -> Result<PhotoPage, StorageError> {
        let after = cursor.map(PageCursor::decode).transpose()?;
        self.month_photos(owner, order, month, tags, after.as_ref(), page_limit(limit))
            .await
    }

    async fn tag_counts(&self, owner: &OwnerId) -> Result<Vec<TagCount>, StorageError> {
        self.count_tags(owner).await
    }

    async fn enqueue_job(
        &self,
        owner: &OwnerId,
        id: &PhotoId,
        model: &str,
        now_ms: i64,
    ) -> Result<bool, StorageError> {
        self.enqueue(owner, id, model, now_ms).await
    }

    async fn claim_jobs(
        &self,
        worker: &str,
        limit: usize,
        lease_ms: i64,
        now_ms: i64,
    ) -> Result<Vec<Job>, StorageError> {
        self.claim(worker, limit, lease_ms, now_ms).await
    }

    async fn finish_job(
        &self,
        job: &Job,
        worker: &str,
        outcome: JobOutcome,
    ) -> Result<bool, StorageError> {
        self.finish(job, worker, outcome).await
    }

    async fn release_jobs(&self, instance: &str) -> Result<u64, StorageError> {
        self.release(instance).await
    }

    async fn photos_without_jobs(&self, owner: &OwnerId) -> Result<Vec<PhotoId>, StorageError> {
        self.unqueued_photos(owner).await
    }
}

#[async_trait]
impl EventLog for DynamoCatalog {
    async fn append_event(
        &self,
        owner: &OwnerId,
        origin: &str,
        event: &PhotoEvent,
        now_ms: i64,
    ) -> Result<(), StorageError> {
        self.append(owner, origin, event, now_ms).await
    }

    async fn events_since(
        &self,
        owner: &OwnerId,
        since_ms: i64,
        limit: usize,
    ) -> Result<Vec<LoggedEvent>, StorageError> {
        self.read_events(owner, since_ms, limit).await
    }
}

#[async_trait]
impl AccountStore for DynamoCatalog {
    async fn create_account(
        &self,
        account: Account,
        only_if_first: bool,
    ) -> Result<AccountCreated, StorageError> {
        self.create_account_item(account, only_if_first).await
    }

    async fn account(&self, id: &OwnerId) -> Result<Option<Account>, StorageError> {
        self.find_account(id).await
    }

    async fn account_by_name(&self, username: &str) -> Result<Option<Account>, StorageError> {
        self.find_account_named(username).await
    }

    async fn list_accounts(&self) -> Result<Vec<Account>, StorageError> {
        self.all_accounts().await
    }

    async fn count_accounts(&self) -> Result<u64, StorageError> {
        self.account_count().await
    }

    async fn set_password_hash(
        &self,
        id: &OwnerId,
        password_hash: &str,
    ) -> Result<bool, StorageError> {
        self.set_account_password(id, password_hash).await
    }

    async fn delete_account(
        &self,
        id: &OwnerId,
        last_administrator: LastAdministrator,
    ) -> Result<AccountDeleted, StorageError> {
        self.delete_account_items(id, last_administrator).await
    }

    async fn create_session(&self, session: Session) -> Result<bool, StorageError> {
        self.put_session(session).await
    }

    async fn session(
        &self,
        token_hash: &str,
        now_ms: i64,
    ) -> Result<Option<Session>, StorageError> {
        self.live_session(token_hash, now_ms).await
    }

    async fn extend_session(
        &self,
        token_hash: &str,
        expires_at_ms: i64,
        now_ms: i64,
    ) -> Result<bool, StorageError> {
        self.slide_session(token_hash, expires_at_ms, now_ms).await
    }

    async fn delete_session(&self, token_hash: &str) -> Result<bool, StorageError> {
        self.remove_session(token_hash).await
    }

    async fn delete_sessions_of(&self, owner: &OwnerId) -> Result<u64, StorageError> {
        self.remove_sessions_of(owner).await
    }

    async fn sessions_of(
        &self,
        owner: &OwnerId,
        now_ms: i64,
    ) -> Result<Vec<Session>, StorageError> {
        self.live_sessions_of(owner, now_ms).await
    }

    async fn create_api_token(&self, token: ApiToken) -> Result<bool, StorageError> {
        self.put_api_token(token).await
    }

    async fn api_token_by_hash(&self, token_hash: &str) -> Result<Option<ApiToken>, StorageError> {
        self.find_api_token(token_hash).await
    }

    async fn api_tokens_of(&self, owner: &OwnerId) -> Result<Vec<ApiToken>, StorageError> {
        self.api_tokens(owner).await
    }

    async fn delete_api_token(&self, owner: &OwnerId, id: &str) -> Result<bool, StorageError> {
        self.remove_api_token(owner, id).await
    }

    async fn record_sign_in_failure(
        &self,
        key: &str,
        now_ms: i64,
        window_ms: i64,
    ) -> Result<u32, StorageError> {
        self.record_failure(key, now_ms, window_ms).await
    }

    async fn sign_in_failures(
        &self,
        key: &str,
        now_ms: i64,
        window_ms: i64,
    ) -> Result<u32, StorageError> {
        self.count_failures(key, now_ms, window_ms).await
    }
}

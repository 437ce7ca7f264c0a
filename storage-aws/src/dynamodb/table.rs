//! The table: its design, the keys of its items, and its creation.
//!
//! # One table, keyed by owner
//!
//! Everything lives in one table with a string partition key `pk` and a string sort key `sk`,
//! billed on demand (`PAY_PER_REQUEST`). Most items of an owner share the partition
//! `O#{owner}`, so that a photo, its duplicate-detection claim, the counters it changes and its
//! job are written together in one transaction, and an owner's listing is one query.
//!
//! | Item | `pk` | `sk` | Index keys | Other attributes | Size |
//! |---|---|---|---|---|---|
//! | Photo | `O#{owner}` | `P#{id}` | `lsk` = `{created}#{id}` | `id`, `filename`, `width`, `height`, `taken_at`?, `format`, `size_bytes`, `sha256`, `placeholder`, `status`, `status_reason`?, `labels` (JSON), `created_at_ms`, `version`, `ls`? | ~0.5–1 KB |
//! | Hash claim | `O#{owner}` | `H#{sha256}` | | `photo_id` | ~110 B |
//! | Photo count | `O#{owner}` | `N` | | `n`, `b`, `w`, `bc`?, `mc`? (see `totals`, `months`) | ~30 B |
//! | Tag count | `O#{owner}` | `C#{label}` | | `n` | ~40 B |
//! | Month count | `O#{owner}` | `D#{order}#{YYYY-MM}` (`taken`, `uploaded`) | | `n` | ~40 B |
//! | Job | `O#{owner}` | `J#{id}` | `qpk` = `Q`, `qsk` = `{due}#{created}#{id}` | `owner`, `id`, `model`, `attempts`, `run_after_ms`, `created_at_ms`, `claimed_by`?, `lease_expires_ms`? | ~250 B |
//! | Tag membership | `T#{len(owner)}#{owner}#{label}` | `{created}#{id}` | | | ~80 B |
//! | Month membership (by date taken) | `D#{len(owner)}#{owner}#{YYYY-MM}` | `{key}#{id}` | | | ~80 B |
//! | Event | `E#{owner}` | `{at}#{origin}#{seq}` | | `origin`, `at_ms`, `event` (JSON), `expires_at` (TTL) | ~300 B |
//! | Account | `A#{id}` | `A` | | `id`, `username`, `password_hash`, `admin`, `created_at_ms`, `v` | ~200 B |
//! | Session entry | `A#{id}` | `S#{token hash}` | | `token_hash`, `created_at_ms`, `expires_at_ms`, `expires_at` (TTL) | ~150 B |
//! | API token entry | `A#{id}` | `K#{token id}` | | `id`, `name`, `token_hash`, `created_at_ms` | ~150 B |
//! | Username claim | `U` | `N#{username_key}` | | `id` | ~60 B |
//! | Account count | `U` | `N` | | `n` | ~10 B |
//! | Session | `S#{token hash}` | `S` | | `owner`, `created_at_ms`, `expires_at_ms`, `expires_at` (TTL) | ~150 B |
//! | API token | `K#{token hash}` | `K` | | `id`, `owner`, `name`, `created_at_ms` | ~150 B |
//! | Sign-in failure | `F#{key}` | `{at}#{random}` | | `expires_at` (TTL) | ~80 B |
//! | Album | `O#{owner}` | `A#{album id}` | | `id`, `title`, `cover`?, `n`, `created_at_ms`, `updated_at_ms`, `v` | ~150 B |
//! | Album member | `B#{len(owner)}#{owner}#{album id}` | `P#{photo id}` | `lsk` = `{position}#{photo id}` | `photo`, `pos` | ~150 B |
//! | Album entry of a photo | `O#{owner}` | `M#{photo id}#{album id}` | | `album` | ~80 B |
//! | Share link, and its entry | `L#{token}`; `O#{owner}` | `L`; `L#{token}` | | `token`, `owner`, `album_id`? or `photo_id`?, `password_hash`?, `expires_at_ms`?, `created_at_ms`, `expires_at`? (TTL) | ~250 B |
//!
//! `{created}`, `{due}` and `{at}` are times in milliseconds, `{key}` a timeline key in seconds
//! (`TimelineOrder::key`), and `{position}` a photo's place in its album, written as 20 decimal digits of `(value as u64) ^ 2^63`: fixed width, so the
//! strings sort like the signed values (photos from before 1970 exist). `{seq}` is 16 hex digits, increasing within a process. `?` marks an
//! attribute that is absent when empty.
//!
//! Indexes:
//! - **LSI `by_created`** on (`pk`, `lsk`), projection ALL. Photos and album members have
//!   `lsk`, in partitions of their own: an owner's partition in the index holds exactly the
//!   photos, newest last, and an album's its members in album order.
//! - **GSI `jobs_by_due`** on (`qpk`, `qsk`), projection ALL. Sparse: only jobs have `qpk`.
//!   `{due}` is `run_after_ms` while a job waits and its lease expiry while it is claimed, so
//!   "claimable now" is one key range: due jobs and expired leases alike, the longest due
//!   first.
//!
//! # Access patterns
//!
//! | Operation | Requests |
//! |---|---|
//! | `insert_photo` | TransactWriteItems: Put hash claim if absent, Put photo if absent, ADD 1 to the photo count and its size to the bytes, Put its month membership, ADD 1 to its two month counts. A failed claim condition means a duplicate: GetItem the claim, then the photo it names. |
//! | `photo` | GetItem (consistent) |
//! | `photo_by_hash` | GetItem of the claim, GetItem of the photo |
//! | `list_photos` | Query `by_created`: `pk = O#{owner} AND lsk < {cursor}`, descending, consistent, `Limit` = page + 1 (the extra item tells whether a next page exists) |
//! | `photo_totals` | GetItem of the photo count item (its photos and bytes); once for an item from before bytes were counted, a Query of the owner's photo sizes and a conditional UpdateItem (see the `totals` module) |
//! | `set_status` | UpdateItem on the photo, if it exists |
//! | `set_labels` | GetItem of the photo, then TransactWriteItems: update the photo if its `version` is unchanged (else read and try again), Delete/Put only the tag memberships that change (of searchable labels, see the `findable` module), ADD −1/+1 to their tag counts |
//! | `delete_photo` | GetItem, then TransactWriteItems: Delete photo (same `version` condition), its claim, its job, its tag and month memberships; ADD −1 to the counts |
//! | `delete_all_photos` | Query `P#` pages; the same deletes, many photos per transaction (at most 100 items each; each count once, by the sum of its photos) |
//! | `tag_counts` | Query `pk = O#{owner} AND begins_with(sk, "C#")`, filter `n > 0` |
//! | `list_photos_tagged` | Query the tag counts to drop labels no photo has (a search word expands to ~120 labels); per label of the most selective group, Query its membership partition descending from the cursor (8 at a time), merge them newest first, BatchGetItem the photos (consistent) and keep those findable by every group, until the page is full |
//! | `timeline` | GetItem of the photo count (once per owner, it builds the month items of older photos: see the `months` module); Query `pk = O#{owner} AND begins_with(sk, "D#{order}#")`, descending, filter `n > 0`. With tags: Query the tag counts, the memberships (keys only) of every label of the most selective group, BatchGetItem the photos named, count those findable by every group: O(photos with a label of that group) |
//! | `list_month` by date taken | GetItem of the photo count (as above); Query `pk = D#…#{month} AND sk BETWEEN {month start} AND {cursor or month end}`, descending, consistent; BatchGetItem the photos (consistent), keep those findable by every group, until the page is full |
//! | `list_month` by upload | Query `by_created`: `pk = O#{owner} AND lsk BETWEEN {month start} AND {cursor or month end}`, descending, consistent, until the page is full (filtered by tags as the photos come: O(photos of the month) at worst) |
//! | `enqueue_job` | TransactWriteItems: set the photo `queued` if it exists, Put the job (replacing any) |
//! | `claim_jobs` | Query `jobs_by_due`: `qpk = Q AND qsk < {now + 1}`, ascending; for each candidate a conditional UpdateItem (same `qsk` as seen, unclaimed or lease expired, due) that claims it. The index is eventually consistent; the condition is what gives a job to one claimer. |
//! | `finish_job` | TransactWriteItems: update the photo, delete (or requeue) the job if `claimed_by` and `attempts` still match the claim |
//! | `release_jobs` | Query `jobs_by_due` filtered on `begins_with(claimed_by, "{instance}/")`; per job a transaction that clears the claim and sets the photo `queued` |
//! | `photos_without_jobs` | Query `J#` keys, then `P#` items not done or failed |
//! | `append_event` | PutItem if absent |
//! | `events_since` | Query `pk = E#{owner} AND sk >= {since}`, ascending |
//! | accounts, sessions, API tokens, sign-in failures | see the `accounts` module |
//!
//! # Why this shape
//!
//! - **Duplicates are refused by the database**, not by a read before the write: the hash
//!   claim's `attribute_not_exists` condition in the insert transaction lets exactly one of
//!   concurrent uploads of the same bytes through, whichever server they reach.
//! - **The listing is an LSI, not a GSI**, because an LSI can be read with strong consistency:
//!   a photo shows up in the listing as soon as its upload returns. The price is DynamoDB's
//!   10 GB limit per item collection (all items and LSI entries of one `pk`): with photos of
//!   about 1 KB stored twice (item and index) and their claims, counters and jobs, that is
//!   roughly four million photos per owner. Tag memberships and events are in partitions of
//!   their own for that reason, and to spread the load.
//! - **Counters instead of counting**: `photo_totals` and `tag_counts` read a few small items
//!   instead of every photo; they change in the same transactions as the photos, so they never
//!   drift. A tag count that reaches 0 stays as an item with `n = 0` and is filtered out.
//!   Every upload of an owner touches the photo count, so concurrent uploads may cancel each
//!   other's transactions (`TransactionConflict`): these are retried with jittered backoff (6
//!   tries) before the caller gets `Unavailable`.
//! - **Only label differences are written**: a transaction cannot touch an item twice, and
//!   unchanged memberships cost nothing. A photo carries at most 24 distinct labels, so every
//!   transaction stays under DynamoDB's limit of 100 items.
//! - **Optimistic concurrency** on the photo's `version` (incremented on every label change)
//!   keeps the tag items equal to the photo's labels when two writers relabel or delete one
//!   photo at once; the loser reads again and retries.
//! - **Leases are conditional writes**: `claimed_by`, `lease_expires_ms` and `attempts` on the
//!   job item, checked by every write that claims, finishes or releases it. A worker that lost
//!   its lease (and perhaps got the job back later under the same name) cannot finish it,
//!   because the `attempts` of its claim no longer match.
//! - **One queue partition** (`qpk = Q`) keeps claims to one query. It bounds the queue's
//!   write rate to what one index partition takes (about 1000 writes per second), far above
//!   what classification produces; sharding `qpk` would lift it.
//! - **Events expire** through DynamoDB's TTL on `expires_at`, a little after
//!   `EVENT_RETENTION_MS`; readers never need older ones.
//! - **The timeline is counted, not computed**: month counts beside the photo count, changed in
//!   the photos' transactions, and a month's photos by date taken in a partition of their own
//!   (an LSI, consistent like the listing's, cannot be added to an existing table; a GSI could
//!   not be read consistently). By upload the listing index serves, since its order is the
//!   timeline's. Items, and the one-time build for older photos: the `months` module.
//! - **Only searchable labels are indexed**: tag memberships and counts exist for the labels a
//!   photo is found by, and reads decide by the photo; older photos' memberships of unsure
//!   labels are removed exactly when they are relabelled or deleted (the `findable` module).
//! - **Tag partitions are length-prefixed** (`T#{len(owner)}#{owner}#{label}`) so that no
//!   owner name and label can combine into another owner's partition.
//! - **Accounts, sessions, API tokens, sign-in failures, albums, share links**: why their items
//!   are shaped as above is the doc comment of the `accounts`, `albums` and `shares` modules.
//! - **Limits are checked before sending**: items over 400 KB, partition keys over 2048 bytes
//!   and sort keys over 1024 bytes are refused with an error naming the limit. A photo is
//!   checked at insert with room reserved for its labels (at most 32 KiB of JSON) and a status
//!   reason (clipped to 4 KiB), so later updates always fit.

use super::items::MAX_PARTITION_KEY_BYTES;
use super::DynamoCatalog;
use aws_sdk_dynamodb::operation::describe_table::DescribeTableError;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, GlobalSecondaryIndex, IndexStatus, KeySchemaElement, KeyType,
    LocalSecondaryIndex, Projection, ProjectionType, ScalarAttributeType, TableDescription,
    TableStatus, TimeToLiveSpecification, TimeToLiveStatus,
};
use gaillery_core::{OwnerId, PhotoId};
use gaillery_storage::StorageError;
use std::time::{Duration, Instant};

/// Partition key of the table.
pub(super) const PK: &str = "pk";
/// Sort key of the table.
pub(super) const SK: &str = "sk";
/// Sort key of the listing index: `{created}#{id}`, on photos only.
pub(super) const LSK: &str = "lsk";
/// Partition key of the queue index, on jobs only.
pub(super) const QPK: &str = "qpk";
/// Sort key of the queue index: `{due}#{created}#{id}`.
pub(super) const QSK: &str = "qsk";
/// The listing index (local).
pub(super) const BY_CREATED: &str = "by_created";
/// The queue index (global).
pub(super) const JOBS_BY_DUE: &str = "jobs_by_due";
/// The one partition of the queue index.
pub(super) const QUEUE: &str = "Q";
/// The TTL attribute of events, in seconds since the epoch.
pub(super) const EXPIRES_AT: &str = "expires_at";

/// How long `create_table_if_missing` waits for a new table to become usable.
const CREATE_TIMEOUT: Duration = Duration::from_secs(120);
const CREATE_POLL: Duration = Duration::from_millis(250);

/// A time in milliseconds as a fixed-width string that sorts like the time, negative ones
/// included.
pub(super) fn time_key(ms: i64) -> String {
    format!("{:020}", (ms as u64) ^ (1 << 63))
}

/// The inverse of [`time_key`]; `None` for anything it could not have written.
pub(super) fn parse_time_key(key: &str) -> Option<i64> {
    if key.len() != 20 || !key.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    key.parse::<u64>().ok().map(|raw| (raw ^ (1 << 63)) as i64)
}

/// The partition of an owner's photos, claims, counters and jobs.
pub(super) fn owner_pk(owner: &OwnerId) -> String {
    format!("O#{}", owner.0)
}

pub(super) fn photo_sk(id: &PhotoId) -> String {
    format!("P#{id}")
}

pub(super) fn hash_sk(sha256: &str) -> String {
    format!("H#{sha256}")
}

/// The owner's photo count.
pub(super) const COUNT_SK: &str = "N";

pub(super) fn counter_sk(label: &str) -> String {
    format!("C#{label}")
}

pub(super) fn job_sk(id: &PhotoId) -> String {
    format!("J#{id}")
}

/// The listing position of a photo: the `lsk` of its item and the `sk` of its tag
/// memberships.
pub(super) fn created_key(created_at_ms: i64, id: &PhotoId) -> String {
    format!("{}#{id}", time_key(created_at_ms))
}

/// Splits a [`created_key`] back into its time and id.
pub(super) fn parse_created_key(key: &str) -> Option<(i64, PhotoId)> {
    let (time, id) = key.split_once('#')?;
    Some((parse_time_key(time)?, PhotoId::parse(id)?))
}

/// The partition of the photos carrying `label`. The owner's length comes first so that no
/// (owner, label) pair can spell another's.
pub(super) fn tag_pk(owner: &OwnerId, label: &str) -> String {
    format!("T#{}#{}#{label}", owner.0.len(), owner.0)
}

/// The position of a job in the queue index.
pub(super) fn job_qsk(due_ms: i64, created_at_ms: i64, id: &PhotoId) -> String {
    format!("{}#{}#{id}", time_key(due_ms), time_key(created_at_ms))
}

pub(super) fn events_pk(owner: &OwnerId) -> String {
    format!("E#{}", owner.0)
}

/// Refuses an owner whose partition keys would be too long, before anything is sent.
pub(super) fn check_owner(owner: &OwnerId) -> Result<(), StorageError> {
    // `T#{len}#{owner}#` is the longest prefix an owner gets; labels are checked on their own.
    let longest = tag_pk(owner, "").len();
    if longest > MAX_PARTITION_KEY_BYTES - 64 {
        return Err(StorageError::Backend(format!(
            "owner name of {} bytes is too long for DynamoDB's partition key limit of \
             {MAX_PARTITION_KEY_BYTES} bytes",
            owner.0.len()
        )));
    }
    Ok(())
}

impl DynamoCatalog {
    /// Creates the table with its indexes and turns on the expiry of events, unless the table
    /// exists. Waits until the table is usable. `true` if this call created it. Safe to call
    /// from several servers at once.
    pub async fn create_table_if_missing(&self) -> Result<bool, StorageError> {
        let created = match self.describe().await? {
            Some(table) => {
                check_indexes(&self.table, &table)?;
                false
            }
            None => self.create_table().await?,
        };
        self.wait_until_active().await?;
        self.enable_ttl().await;
        Ok(created)
    }

    /// Checks that the table exists with the indexes this adapter needs, and is usable.
    pub async fn check(&self) -> Result<(), StorageError> {
        let table = self.describe().await?.ok_or_else(|| {
            StorageError::Backend(format!(
                "DynamoDB table {} does not exist; create it or pass --create-resources",
                self.table
            ))
        })?;
        check_indexes(&self.table, &table)?;
        if table.table_status() != Some(&TableStatus::Active) {
            return Err(StorageError::Unavailable(format!(
                "DynamoDB table {} is not active yet (status {:?})",
                self.table,
                table.table_status()
            )));
        }
        Ok(())
    }

    /// The table's description, `None` if there is no such table.
    async fn describe(&self) -> Result<Option<TableDescription>, StorageError> {
        match self
            .client
            .describe_table()
            .table_name(&self.table)
            .send()
            .await
        {
            Ok(output) => Ok(output.table),
            Err(error)
                if error
                    .as_service_error()
                    .is_some_and(DescribeTableError::is_resource_not_found_exception) =>
            {
                Ok(None)
            }
            Err(error) => Err(self.sdk_error("DescribeTable", error)),
        }
    }

    async fn create_table(&self) -> Result<bool, StorageError> {
        let attribute = |name: &str| {
            AttributeDefinition::builder()
                .attribute_name(name)
                .attribute_type(ScalarAttributeType::S)
                .build()
                .map_err(built)
        };
        let key = |name: &str, kind: KeyType| {
            KeySchemaElement::builder()
                .attribute_name(name)
                .key_type(kind)
                .build()
                .map_err(built)
        };
        let all = || {
            Projection::builder()
                .projection_type(ProjectionType::All)
                .build()
        };
        let by_created = LocalSecondaryIndex::builder()
            .index_name(BY_CREATED)
            .key_schema(key(PK, KeyType::Hash)?)
            .key_schema(key(LSK, KeyType::Range)?)
            .projection(all())
            .build()
            .map_err(built)?;
        let jobs_by_due = GlobalSecondaryIndex::builder()
            .index_name(JOBS_BY_DUE)
            .key_schema(key(QPK, KeyType::Hash)?)
            .key_schema(key(QSK, KeyType::Range)?)
            .projection(all())
            .build()
            .map_err(built)?;
        let request = self
            .client
            .create_table()
            .table_name(&self.table)
            .billing_mode(BillingMode::PayPerRequest)
            .attribute_definitions(attribute(PK)?)
            .attribute_definitions(attribute(SK)?)
            .attribute_definitions(attribute(LSK)?)
            .attribute_definitions(attribute(QPK)?)
            .attribute_definitions(attribute(QSK)?)
            .key_schema(key(PK, KeyType::Hash)?)
            .key_schema(key(SK, KeyType::Range)?)
            .local_secondary_indexes(by_created)
            .global_secondary_indexes(jobs_by_due);
        match request.send().await {
            Ok(_) => Ok(true),
            // Another server created it between our look and our request.
            Err(error)
                if error
                    .as_service_error()
                    .is_some_and(|e| e.is_resource_in_use_exception()) =>
            {
                Ok(false)
            }
            Err(error) => Err(self.sdk_error("CreateTable", error)),
        }
    }

    async fn wait_until_active(&self) -> Result<(), StorageError> {
        let deadline = Instant::now() + CREATE_TIMEOUT;
        loop {
            if let Some(table) = self.describe().await? {
                let indexes_ready = table.global_secondary_indexes().iter().all(|index| {
                    index
                        .index_status()
                        .is_none_or(|s| s == &IndexStatus::Active)
                });
                if table.table_status() == Some(&TableStatus::Active) && indexes_ready {
                    return Ok(());
                }
            }
            if Instant::now() >= deadline {
                return Err(StorageError::Unavailable(format!(
                    "DynamoDB table {} did not become active within {CREATE_TIMEOUT:?}",
                    self.table
                )));
            }
            tokio::time::sleep(CREATE_POLL).await;
        }
    }

    /// Turns on the expiry of events. Not fatal when it fails: events are then kept, which
    /// costs storage but breaks nothing.
    async fn enable_ttl(&self) {
        let status = self
            .client
            .describe_time_to_live()
            .table_name(&self.table)
            .send()
            .await
            .ok()
            .and_then(|output| output.time_to_live_description)
            .and_then(|description| description.time_to_live_status);
        if matches!(
            status,
            Some(TimeToLiveStatus::Enabled | TimeToLiveStatus::Enabling)
        ) {
            return;
        }
        let specification = match TimeToLiveSpecification::builder()
            .enabled(true)
            .attribute_name(EXPIRES_AT)
            .build()
        {
            Ok(specification) => specification,
            Err(error) => {
                tracing::warn!(%error, "cannot describe the TTL setting");
                return;
            }
        };
        if let Err(error) = self
            .client
            .update_time_to_live()
            .table_name(&self.table)
            .time_to_live_specification(specification)
            .send()
            .await
        {
            let error = self.sdk_error("UpdateTimeToLive", error);
            tracing::warn!(
                table = %self.table,
                %error,
                "cannot turn on the expiry of events; they will be kept until deleted by hand"
            );
        }
    }
}

/// A table made by someone else, or by an older version, may lack an index we query.
fn check_indexes(table_name: &str, table: &TableDescription) -> Result<(), StorageError> {
    let has_lsi = table
        .local_secondary_indexes()
        .iter()
        .any(|index| index.index_name() == Some(BY_CREATED));
    let has_gsi = table
        .global_secondary_indexes()
        .iter()
        .any(|index| index.index_name() == Some(JOBS_BY_DUE));
    for (present, index) in [(has_lsi, BY_CREATED), (has_gsi, JOBS_BY_DUE)] {
        if !present {
            return Err(StorageError::Backend(format!(
                "DynamoDB table {table_name} has no index {index}: it was not created by \
                 GAiLLERY (use another table name, or delete it and pass --create-resources)"
            )));
        }
    }
    Ok(())
}

/// A request the SDK refused to build: a bug here, not the service's doing.
pub(super) fn built(error: aws_smithy_types::error::operation::BuildError) -> StorageError {
    StorageError::Backend(format!("DynamoDB request could not be built: {error}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_keys_sort_like_times() {
        let times = [
            i64::MIN,
            -11_676_096_000_000,
            -1,
            0,
            1,
            999,
            1_795_705_445_123,
            i64::MAX,
        ];
        for pair in times.windows(2) {
            assert!(time_key(pair[0]) < time_key(pair[1]), "{pair:?}");
        }
        for time in times {
            assert_eq!(time_key(time).len(), 20);
            assert_eq!(parse_time_key(&time_key(time)), Some(time));
        }
        assert_eq!(parse_time_key("123"), None);
        assert_eq!(parse_time_key("1234567890123456789x"), None);
    }

    #[test]
    fn created_keys_sort_by_time_then_id() {
        let id = |raw: &str| PhotoId::parse(raw).unwrap();
        let ordered = [
            created_key(-5, &id("zz")),
            created_key(5, &id("a")),
            created_key(5, &id("ab")),
            created_key(5, &id("b")),
            created_key(6, &id("0")),
        ];
        for pair in ordered.windows(2) {
            assert!(pair[0] < pair[1], "{pair:?}");
        }
        assert_eq!(parse_created_key(&ordered[1]), Some((5, id("a"))));
        assert_eq!(parse_created_key("nonsense"), None);
    }

    #[test]
    fn tag_partitions_of_different_owners_never_meet() {
        let a = tag_pk(&OwnerId("a#b".into()), "c");
        let b = tag_pk(&OwnerId("a".into()), "b#c");
        assert_ne!(a, b);
    }

    #[test]
    fn overlong_owners_are_refused() {
        assert!(check_owner(&OwnerId("x".repeat(100))).is_ok());
        assert!(matches!(
            check_owner(&OwnerId("x".repeat(2000))),
            Err(StorageError::Backend(message)) if message.contains("2048")
        ));
    }
}

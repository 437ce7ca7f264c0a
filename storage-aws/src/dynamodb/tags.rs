//! Labels: writing them with their tag memberships and counts, the tag-filtered listing, and
//! the tag counts.

use super::findable::{indexed_names, matches_groups, searchable_names, SEARCHABLE_ONLY};
use super::items::{
    check_item, decode_photo, key, n, s, Fields, Item, StoredPhoto, MAX_LABELS_JSON_BYTES,
    MAX_PARTITION_KEY_BYTES, MAX_REASON_BYTES, MAX_SORT_KEY_BYTES,
};
use super::photos::into_page;
use super::request::{backoff, Expr, Outcome, QuerySpec};
use super::table::{
    check_owner, counter_sk, created_key, owner_pk, parse_created_key, photo_sk, tag_pk, PK, SK,
};
use super::{DynamoCatalog, VERSION_TRIES};
use aws_sdk_dynamodb::types::{AttributeValue, TransactWriteItem};
use futures::{StreamExt, TryStreamExt};
use gaillery_core::api::{PhotoPage, TagCount};
use gaillery_core::{Label, OwnerId, PhotoId, PhotoStatus};
use gaillery_storage::{Job, PageCursor, StorageError};
use std::collections::{BTreeSet, HashMap, VecDeque};

/// The most distinct labels a photo carries. Relabelling touches at most twice this many
/// memberships and counters, so every transaction stays under DynamoDB's 100 items.
pub(super) const MAX_LABELS: usize = 24;
/// Membership queries of one tag search in flight at once.
pub(super) const QUERY_CONCURRENCY: usize = 8;
/// The most photos fetched in one round of a tag search (BatchGetItem's limit).
pub(super) const FETCH_BATCH: usize = 100;

/// How a label write ended, short of an error.
pub(super) enum Relabel {
    Written,
    NoPhoto,
    /// Finishing a job: the worker no longer holds it.
    NotHeld,
}

/// Refuses labels this adapter cannot store, before anything is sent; returns their JSON.
fn check_labels(owner: &OwnerId, labels: &[Label]) -> Result<String, StorageError> {
    // JSON has no NaN or infinity: serde_json would write `null`, and the photo could never be
    // read back.
    if let Some(label) = labels.iter().find(|label| !label.probability.is_finite()) {
        return Err(StorageError::Backend(format!(
            "label {:?} has a non-finite probability",
            label.label
        )));
    }
    let names: BTreeSet<&str> = labels.iter().map(|l| l.label.as_str()).collect();
    if names.len() > MAX_LABELS {
        return Err(StorageError::Backend(format!(
            "{} distinct labels exceed the limit of {MAX_LABELS} per photo",
            names.len()
        )));
    }
    for name in names {
        let (partition, counter) = (tag_pk(owner, name).len(), counter_sk(name).len());
        if partition > MAX_PARTITION_KEY_BYTES || counter > MAX_SORT_KEY_BYTES {
            return Err(StorageError::Backend(format!(
                "label of {} bytes is too long for DynamoDB's key limits \
                 ({MAX_PARTITION_KEY_BYTES}-byte partition keys, {MAX_SORT_KEY_BYTES}-byte sort keys)",
                name.len()
            )));
        }
    }
    let json = serde_json::to_string(labels)?;
    if json.len() > MAX_LABELS_JSON_BYTES {
        return Err(StorageError::Backend(format!(
            "labels of {} bytes exceed the limit of {MAX_LABELS_JSON_BYTES} bytes per photo",
            json.len()
        )));
    }
    Ok(json)
}

/// One label's memberships, read newest first a page at a time.
struct Members {
    spec: QuerySpec,
    /// Positions (`{created}#{id}`) read but not merged yet, newest first.
    buffer: VecDeque<String>,
    next: Option<Item>,
    exhausted: bool,
}

impl Members {
    fn waiting(&self) -> bool {
        self.buffer.is_empty() && !self.exhausted
    }
}

impl DynamoCatalog {
    /// Replaces a photo's labels: the photo item, the tag memberships that change and their
    /// counts, in one transaction that holds only if the photo's `version` is the one read
    /// (else it reads again). With `finishing`, the same transaction marks the photo `done`
    /// and deletes the job, if the worker still holds it.
    pub(super) async fn relabel(
        &self,
        owner: &OwnerId,
        id: &PhotoId,
        labels: &[Label],
        finishing: Option<(&Job, &str)>,
    ) -> Result<Relabel, StorageError> {
        check_owner(owner)?;
        let json = check_labels(owner, labels)?;
        for attempt in 0..VERSION_TRIES {
            if attempt > 0 {
                backoff(attempt - 1).await;
            }
            let Some(stored) = self.stored_photo(owner, id).await? else {
                return Ok(Relabel::NoPhoto);
            };
            let version = stored.version + 1;
            let mut expr = Expr::new();
            let mut update = format!(
                "SET {} = {}, {} = {}, {} = {}",
                expr.name("labels"),
                expr.value(s(&json)),
                expr.name("version"),
                expr.value(n(version)),
                expr.name(SEARCHABLE_ONLY),
                expr.value(AttributeValue::Bool(true))
            );
            let mut after = stored.item.clone();
            after.insert("labels".into(), s(&json));
            after.insert("version".into(), n(version));
            after.insert(SEARCHABLE_ONLY.into(), AttributeValue::Bool(true));
            if finishing.is_some() {
                update += &format!(
                    ", {} = {} REMOVE {}",
                    expr.name("status"),
                    expr.value(s(PhotoStatus::Done.as_str())),
                    expr.name("status_reason")
                );
                after.insert("status".into(), s(PhotoStatus::Done.as_str()));
                after.remove("status_reason");
            }
            check_item(&after, MAX_REASON_BYTES)?;
            let unchanged = format!(
                "{} = {}",
                expr.name("version"),
                expr.value(n(stored.version))
            );
            let mut ops = vec![self.update_op(
                key(owner_pk(owner), photo_sk(id)),
                update,
                Some(unchanged),
                expr,
            )?];
            if let Some((job, worker)) = finishing {
                ops.push(self.held_job_delete_op(job, worker)?);
            }
            ops.extend(self.membership_ops(owner, &stored, labels)?);
            let outcome = self.transact("write labels", ops).await?;
            match outcome {
                Outcome::Committed => return Ok(Relabel::Written),
                _ if finishing.is_some() && outcome.failed_at(1) => return Ok(Relabel::NotHeld),
                // Relabelled or deleted meanwhile: read again.
                _ if outcome.failed_at(0) => continue,
                _ => {
                    return Err(StorageError::Backend(format!(
                        "label write of photo {id} was refused: {outcome:?}"
                    )))
                }
            }
        }
        Err(StorageError::Unavailable(format!(
            "photo {id} kept changing while its labels were written"
        )))
    }

    /// The tag memberships and counts that change from those the stored photo has to those of
    /// the searchable `labels`; only the difference, since one transaction cannot touch an
    /// item twice.
    fn membership_ops(
        &self,
        owner: &OwnerId,
        stored: &StoredPhoto,
        labels: &[Label],
    ) -> Result<Vec<TransactWriteItem>, StorageError> {
        let old = indexed_names(stored);
        let new = searchable_names(labels);
        let position = created_key(stored.created_at_ms, &stored.photo.id);
        let mut ops = Vec::new();
        for label in old.difference(&new) {
            ops.push(self.delete_op(
                key(tag_pk(owner, label), position.clone()),
                None,
                Expr::new(),
            )?);
            ops.push(self.tag_count_op(owner, label, -1)?);
        }
        for label in new.difference(&old) {
            ops.push(self.put_op(
                key(tag_pk(owner, label), position.clone()),
                None,
                Expr::new(),
            )?);
            ops.push(self.tag_count_op(owner, label, 1)?);
        }
        Ok(ops)
    }

    /// `ADD n delta` on the count of a label.
    pub(super) fn tag_count_op(
        &self,
        owner: &OwnerId,
        label: &str,
        delta: i64,
    ) -> Result<TransactWriteItem, StorageError> {
        self.add_op(key(owner_pk(owner), counter_sk(label)), delta)
    }

    /// Every label the owner's photos carry, with how many carry it, in no particular order.
    async fn tag_counters(&self, owner: &OwnerId) -> Result<Vec<(String, u64)>, StorageError> {
        check_owner(owner)?;
        let mut expr = Expr::new();
        let condition = format!(
            "{} = {} AND begins_with({}, {})",
            expr.name(PK),
            expr.value(s(owner_pk(owner))),
            expr.name(SK),
            expr.value(s("C#"))
        );
        let positive = format!("{} > {}", expr.name("n"), expr.value(n(0)));
        let mut spec = QuerySpec::new(condition, expr);
        spec.filter = Some(positive);
        let mut counts = Vec::new();
        for item in self.query_all(&spec).await? {
            let fields = Fields(&item);
            let label = fields
                .s(SK)?
                .strip_prefix("C#")
                .ok_or_else(|| fields.damaged("a tag count without the C# prefix"))?;
            counts.push((label.to_owned(), fields.num("n")?));
        }
        Ok(counts)
    }

    pub(super) async fn count_tags(&self, owner: &OwnerId) -> Result<Vec<TagCount>, StorageError> {
        let mut counts: Vec<TagCount> = self
            .tag_counters(owner)
            .await?
            .into_iter()
            .map(|(tag, count)| TagCount { tag, count })
            .collect();
        // Like the embedded catalog: most common first, then by name (bytewise).
        counts.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.tag.cmp(&b.tag)));
        Ok(counts)
    }

    /// The labels of the most selective group that some photo has (by the tag counts), whose
    /// memberships hold every photo matching all `groups`; none if no photo can match. A
    /// search word expands to ~120 labels, most of which no photo has: only those with photos
    /// are worth a query.
    pub(super) async fn driving_labels(
        &self,
        owner: &OwnerId,
        groups: &[Vec<String>],
    ) -> Result<Vec<String>, StorageError> {
        let counts: HashMap<String, u64> = self.tag_counters(owner).await?.into_iter().collect();
        let present = groups.iter().map(|group| {
            let labels: BTreeSet<&String> = group
                .iter()
                .filter(|label| counts.contains_key(*label))
                .collect();
            let total: u64 = labels.iter().map(|label| counts[*label]).sum();
            (labels, total)
        });
        Ok(present
            .min_by_key(|(_, total)| *total)
            .map(|(labels, _)| labels.into_iter().cloned().collect())
            .unwrap_or_default())
    }

    /// The listing restricted to photos with a label of every group. Reads the memberships of
    /// the most selective group, newest first from the cursor, merged across its labels; then
    /// the photos themselves, which decide (their labels are the truth; a membership read
    /// just before a relabelling may be stale).
    pub(super) async fn list_tagged(
        &self,
        owner: &OwnerId,
        groups: &[Vec<String>],
        after: Option<&PageCursor>,
        limit: usize,
    ) -> Result<PhotoPage, StorageError> {
        if groups.is_empty() {
            return self.list(owner, after, limit).await;
        }
        let empty = PhotoPage {
            photos: Vec::new(),
            next_cursor: None,
        };
        let driver = self.driving_labels(owner, groups).await?;
        if driver.is_empty() {
            return Ok(empty);
        }
        let bound = after.map(|cursor| created_key(cursor.key, &cursor.id));
        let mut members: Vec<Members> = driver
            .iter()
            .map(|label| {
                let mut expr = Expr::new();
                let mut condition = format!(
                    "{} = {}",
                    expr.name(PK),
                    expr.value(s(tag_pk(owner, label)))
                );
                if let Some(bound) = &bound {
                    condition += &format!(" AND {} < {}", expr.name(SK), expr.value(s(bound)));
                }
                let mut spec = QuerySpec::new(condition, expr);
                spec.forward = false;
                Members {
                    spec,
                    buffer: VecDeque::new(),
                    next: None,
                    exhausted: false,
                }
            })
            .collect();

        let wanted = limit + 1;
        let pk = owner_pk(owner);
        let mut matched: Vec<StoredPhoto> = Vec::with_capacity(wanted);
        let mut last: Option<String> = None;
        loop {
            self.read_members(&mut members, wanted).await?;
            // Merge newest first while every label that may have more has some read: the
            // newest of all is then among the heads.
            let round = if groups.len() > 1 {
                (wanted - matched.len()) * 2
            } else {
                wanted - matched.len()
            }
            .min(FETCH_BATCH);
            let mut batch = Vec::new();
            while batch.len() < round && !members.iter().any(Members::waiting) {
                let Some(newest) = members
                    .iter_mut()
                    .filter(|m| !m.buffer.is_empty())
                    .max_by(|a, b| a.buffer[0].cmp(&b.buffer[0]))
                else {
                    break;
                };
                let Some(position) = newest.buffer.pop_front() else {
                    break;
                };
                // A photo with several labels of the group comes once per label, in a row.
                if last.as_ref() == Some(&position) {
                    continue;
                }
                last = Some(position.clone());
                batch.push(position);
            }
            if batch.is_empty() {
                if members.iter().all(|m| m.buffer.is_empty() && m.exhausted) {
                    break;
                }
                continue;
            }
            let ids = batch
                .iter()
                .map(|position| {
                    parse_created_key(position)
                        .map(|(_, id)| id)
                        .ok_or_else(|| {
                            StorageError::Backend(format!(
                                "DynamoDB tag membership {position:?} is malformed"
                            ))
                        })
                })
                .collect::<Result<Vec<_>, _>>()?;
            let keys = ids.iter().map(|id| key(pk.clone(), photo_sk(id))).collect();
            let mut fetched: HashMap<PhotoId, StoredPhoto> = HashMap::new();
            for item in self.batch_get(keys).await? {
                let stored = decode_photo(item)?;
                fetched.insert(stored.photo.id.clone(), stored);
            }
            for id in ids {
                // Missing: deleted since its membership was read.
                let Some(stored) = fetched.remove(&id) else {
                    continue;
                };
                if matches_groups(&stored.photo, groups) {
                    matched.push(stored);
                    if matched.len() == wanted {
                        return Ok(into_page(matched, limit));
                    }
                }
            }
        }
        Ok(into_page(matched, limit))
    }

    /// Reads the next page of every label whose buffer ran dry, several at once.
    async fn read_members(&self, members: &mut [Members], page: usize) -> Result<(), StorageError> {
        let dry: Vec<usize> = (0..members.len())
            .filter(|&i| members[i].waiting())
            .collect();
        if dry.is_empty() {
            return Ok(());
        }
        let pages: Vec<_> = {
            let members = &*members;
            let reads: Vec<_> = dry
                .iter()
                .map(|&i| self.query_page(&members[i].spec, Some(page), members[i].next.clone()))
                .collect();
            futures::stream::iter(reads)
                .buffered(QUERY_CONCURRENCY)
                .try_collect()
                .await?
        };
        for (i, page) in dry.into_iter().zip(pages) {
            let member = &mut members[i];
            for item in &page.items {
                member.buffer.push_back(Fields(item).s(SK)?.to_owned());
            }
            member.exhausted = page.next.is_none();
            member.next = page.next;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn label(name: &str, probability: f32) -> Label {
        Label {
            label: name.into(),
            probability,
        }
    }

    #[test]
    fn labels_that_cannot_be_stored_are_refused_before_sending() {
        let owner = OwnerId::local();
        assert!(check_labels(&owner, &[label("cat", 0.5)]).is_ok());
        assert!(check_labels(&owner, &[label("cat", f32::NAN)]).is_err());
        let many: Vec<Label> = (0..=MAX_LABELS)
            .map(|i| label(&format!("l{i}"), 0.1))
            .collect();
        assert!(check_labels(&owner, &many).is_err());
        // The same name twice counts once.
        let repeated: Vec<Label> = (0..=MAX_LABELS).map(|_| label("same", 0.1)).collect();
        assert!(check_labels(&owner, &repeated).is_ok());
        let long = check_labels(&owner, &[label(&"x".repeat(MAX_SORT_KEY_BYTES), 0.5)]);
        assert!(
            matches!(&long, Err(StorageError::Backend(m)) if m.contains("1024")),
            "{long:?}"
        );
    }
}

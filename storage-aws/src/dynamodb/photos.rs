//! Photos: insert with duplicate detection, reads, the listing, status and deletion.

use super::findable::indexed_names;
use super::items::{
    check_item, clip_reason, decode_photo, key, n, new_photo_item, s, Fields, Item, StoredPhoto,
    PHOTO_GROWTH_BYTES,
};
use super::months::photo_counts;
use super::request::{backoff, Expr, Outcome, QuerySpec, MAX_TRANSACTION_ITEMS};
use super::table::{
    check_owner, created_key, hash_sk, job_sk, owner_pk, photo_sk, tag_pk, BY_CREATED, LSK, PK, SK,
};
use super::{DynamoCatalog, VERSION_TRIES};
use aws_sdk_dynamodb::types::TransactWriteItem;
use gaillery_core::api::PhotoPage;
use gaillery_core::{OwnerId, Photo, PhotoId, PhotoStatus};
use gaillery_storage::{InsertOutcome, NewPhoto, PageCursor, StorageError};
use std::collections::BTreeMap;

/// Photos read per round of `delete_all_photos`.
const DELETE_PAGE: usize = 50;

/// `attribute_not_exists(pk)`: the item must be new.
pub(super) fn if_absent() -> (Option<String>, Expr) {
    let mut expr = Expr::new();
    let condition = format!("attribute_not_exists({})", expr.name(PK));
    (Some(condition), expr)
}

/// `attribute_exists(pk)`, added to `expr`: the item must be there (an update would otherwise
/// create it).
pub(super) fn exists(expr: &mut Expr) -> String {
    format!("attribute_exists({})", expr.name(PK))
}

/// A page of photos fetched with one more than `limit`: the extra one only says that a next
/// page exists.
pub(super) fn into_page(mut photos: Vec<StoredPhoto>, limit: usize) -> PhotoPage {
    let next_cursor = if photos.len() > limit {
        photos.truncate(limit);
        photos
            .last()
            .map(|last| PageCursor::after(last.created_at_ms, &last.photo.id).encode())
    } else {
        None
    };
    PhotoPage {
        photos: photos.into_iter().map(|stored| stored.photo).collect(),
        next_cursor,
    }
}

impl DynamoCatalog {
    pub(super) async fn insert(&self, new: NewPhoto) -> Result<InsertOutcome, StorageError> {
        check_owner(&new.owner)?;
        let photo_item = new_photo_item(&new);
        check_item(&photo_item, PHOTO_GROWTH_BYTES)?;
        let pk = owner_pk(&new.owner);
        let mut claim = key(pk.clone(), hash_sk(&new.sha256));
        claim.insert("photo_id".into(), s(new.id.as_str()));
        check_item(&claim, 0)?;
        for _ in 0..VERSION_TRIES {
            let (claim_if, claim_expr) = if_absent();
            let (photo_if, photo_expr) = if_absent();
            let mut ops = vec![
                self.put_op(claim.clone(), claim_if, claim_expr)?,
                self.put_op(photo_item.clone(), photo_if, photo_expr)?,
                self.photo_count_op(&new.owner, 1, size_delta(new.size_bytes))?,
            ];
            ops.extend(self.month_insert_ops(
                &new.owner,
                &new.id,
                new.taken_at.as_deref(),
                new.created_at_ms,
            )?);
            let outcome = self.transact("insert photo", ops).await?;
            if matches!(outcome, Outcome::Committed) {
                return Ok(InsertOutcome::Created(new.to_photo()));
            }
            if outcome.failed_at(0) {
                match self.find_by_hash(&new.owner, &new.sha256).await? {
                    // Our own earlier attempt: it was applied, but its answer was lost and the
                    // SDK sent it again (moto ignores the idempotency token DynamoDB honours).
                    Some(existing) if existing.id == new.id => {
                        return Ok(InsertOutcome::Created(existing))
                    }
                    Some(existing) => return Ok(InsertOutcome::Duplicate(existing)),
                    // The first copy was deleted in the meantime: try again.
                    None => continue,
                }
            }
            if outcome.failed_at(1) {
                return Err(StorageError::Backend(format!(
                    "photo id {} is already catalogued",
                    new.id
                )));
            }
            return Err(StorageError::Backend(format!(
                "insert of photo {} was refused: {outcome:?}",
                new.id
            )));
        }
        Err(StorageError::Unavailable(format!(
            "the photo with hash {} kept appearing and disappearing during an insert",
            new.sha256
        )))
    }

    /// The photo item, read consistently.
    pub(super) async fn stored_photo(
        &self,
        owner: &OwnerId,
        id: &PhotoId,
    ) -> Result<Option<StoredPhoto>, StorageError> {
        check_owner(owner)?;
        self.get(key(owner_pk(owner), photo_sk(id)))
            .await?
            .map(decode_photo)
            .transpose()
    }

    /// Many photos in BatchGetItem rounds (100 keys each), put back in the order asked.
    pub(super) async fn photos_in_order(
        &self,
        owner: &OwnerId,
        ids: &[PhotoId],
    ) -> Result<Vec<Photo>, StorageError> {
        check_owner(owner)?;
        // BatchGetItem refuses a key twice.
        let unique: std::collections::BTreeSet<&PhotoId> = ids.iter().collect();
        let keys = unique
            .into_iter()
            .map(|id| key(owner_pk(owner), photo_sk(id)))
            .collect();
        let mut found: BTreeMap<PhotoId, Photo> = BTreeMap::new();
        for item in self.batch_get(keys).await? {
            let photo = decode_photo(item)?.photo;
            found.insert(photo.id.clone(), photo);
        }
        Ok(ids.iter().filter_map(|id| found.get(id).cloned()).collect())
    }

    pub(super) async fn find_by_hash(
        &self,
        owner: &OwnerId,
        sha256: &str,
    ) -> Result<Option<Photo>, StorageError> {
        check_owner(owner)?;
        let Some(claim) = self.get(key(owner_pk(owner), hash_sk(sha256))).await? else {
            return Ok(None);
        };
        let id = Fields(&claim).id("photo_id")?;
        Ok(self
            .stored_photo(owner, &id)
            .await?
            .map(|stored| stored.photo))
    }

    pub(super) async fn list(
        &self,
        owner: &OwnerId,
        after: Option<&PageCursor>,
        limit: usize,
    ) -> Result<PhotoPage, StorageError> {
        check_owner(owner)?;
        let mut expr = Expr::new();
        let mut condition = format!("{} = {}", expr.name(PK), expr.value(s(owner_pk(owner))));
        if let Some(after) = after {
            let bound = created_key(after.key, &after.id);
            condition += &format!(" AND {} < {}", expr.name(LSK), expr.value(s(bound)));
        }
        let mut spec = QuerySpec::new(condition, expr);
        spec.index = Some(BY_CREATED);
        spec.forward = false;
        let wanted = limit + 1;
        let mut photos = Vec::with_capacity(wanted);
        let mut start = None;
        // A page may stop short of `Limit` at 1 MB of data: go on until the page is full.
        while photos.len() < wanted {
            let page = self
                .query_page(&spec, Some(wanted - photos.len()), start)
                .await?;
            for item in page.items {
                photos.push(decode_photo(item)?);
            }
            match page.next {
                Some(next) => start = Some(next),
                None => break,
            }
        }
        Ok(into_page(photos, limit))
    }

    pub(super) async fn delete_one(
        &self,
        owner: &OwnerId,
        id: &PhotoId,
    ) -> Result<bool, StorageError> {
        for attempt in 0..VERSION_TRIES {
            if attempt > 0 {
                backoff(attempt - 1).await;
            }
            let Some(stored) = self.stored_photo(owner, id).await? else {
                return Ok(false);
            };
            let ops = self.deletion_ops(owner, std::slice::from_ref(&stored))?;
            match self.transact("delete photo", ops).await? {
                Outcome::Committed => return Ok(true),
                // Relabelled or deleted meanwhile: look again.
                outcome if outcome.failed_at(0) => continue,
                outcome => {
                    return Err(StorageError::Backend(format!(
                        "delete of photo {id} was refused: {outcome:?}"
                    )))
                }
            }
        }
        Err(StorageError::Unavailable(format!(
            "photo {id} kept changing while being deleted"
        )))
    }

    pub(super) async fn delete_all(&self, owner: &OwnerId) -> Result<Vec<PhotoId>, StorageError> {
        check_owner(owner)?;
        let mut expr = Expr::new();
        let condition = format!(
            "{} = {} AND begins_with({}, {})",
            expr.name(PK),
            expr.value(s(owner_pk(owner))),
            expr.name(SK),
            expr.value(s("P#"))
        );
        let spec = QuerySpec::new(condition, expr);
        let mut removed = Vec::new();
        let mut refusals = 0;
        loop {
            // Always from the start: what was deleted is gone, what remains comes first.
            let page = self.query_page(&spec, Some(DELETE_PAGE), None).await?;
            if page.items.is_empty() {
                return Ok(removed);
            }
            let photos = page
                .items
                .into_iter()
                .map(decode_photo)
                .collect::<Result<Vec<_>, _>>()?;
            for group in deletion_groups(&photos) {
                let ops = self.deletion_ops(owner, group)?;
                match self.transact("delete photos", ops).await? {
                    Outcome::Committed => {
                        refusals = 0;
                        removed.extend(group.iter().map(|stored| stored.photo.id.clone()))
                    }
                    outcome => {
                        // A photo of the group changed meanwhile: read again. Only refusals in
                        // a row count, so a long deletion beside busy workers goes through.
                        refusals += 1;
                        if refusals >= VERSION_TRIES {
                            return Err(StorageError::Unavailable(format!(
                                "photos kept changing while being deleted: {outcome:?}"
                            )));
                        }
                        backoff(refusals - 1).await;
                        break;
                    }
                }
            }
        }
    }

    /// Deletes photos with everything that hangs on them: their hash claims, jobs, tag and
    /// month memberships, and their share of the counts. Each photo only if its `version` is
    /// the one read, so labels written meanwhile are never left behind in the tag items.
    fn deletion_ops(
        &self,
        owner: &OwnerId,
        photos: &[StoredPhoto],
    ) -> Result<Vec<TransactWriteItem>, StorageError> {
        let pk = owner_pk(owner);
        let mut ops = Vec::new();
        let mut tag_deltas: BTreeMap<&str, i64> = BTreeMap::new();
        for stored in photos {
            let photo = &stored.photo;
            let mut expr = Expr::new();
            let unchanged = format!(
                "{} = {}",
                expr.name("version"),
                expr.value(n(stored.version))
            );
            ops.push(self.delete_op(
                key(pk.clone(), photo_sk(&photo.id)),
                Some(unchanged),
                expr,
            )?);
            ops.push(self.delete_op(key(pk.clone(), hash_sk(&photo.sha256)), None, Expr::new())?);
            ops.push(self.delete_op(key(pk.clone(), job_sk(&photo.id)), None, Expr::new())?);
            let position = created_key(stored.created_at_ms, &photo.id);
            for label in indexed_names(stored) {
                ops.push(self.delete_op(
                    key(tag_pk(owner, label), position.clone()),
                    None,
                    Expr::new(),
                )?);
                *tag_deltas.entry(label).or_default() -= 1;
            }
        }
        for (label, delta) in tag_deltas {
            ops.push(self.tag_count_op(owner, label, delta)?);
        }
        ops.extend(self.month_deletion_ops(owner, photos)?);
        let removed = i64::try_from(photos.len()).unwrap_or(i64::MAX);
        let bytes = photos
            .iter()
            .map(|stored| size_delta(stored.photo.size_bytes))
            .fold(0i64, i64::saturating_add);
        ops.push(self.photo_count_op(owner, -removed, -bytes)?);
        Ok(ops)
    }

    /// `ADD n delta` on a counter item, created at 0 if missing.
    pub(super) fn add_op(
        &self,
        counter: Item,
        delta: i64,
    ) -> Result<TransactWriteItem, StorageError> {
        let mut expr = Expr::new();
        let update = format!("ADD {} {}", expr.name("n"), expr.value(n(delta)));
        self.update_op(counter, update, None, expr)
    }

    pub(super) async fn update_status(
        &self,
        owner: &OwnerId,
        id: &PhotoId,
        status: PhotoStatus,
        reason: Option<String>,
    ) -> Result<bool, StorageError> {
        check_owner(owner)?;
        let mut expr = Expr::new();
        let mut update = format!(
            "SET {} = {}",
            expr.name("status"),
            expr.value(s(status.as_str()))
        );
        match reason {
            Some(reason) => {
                update += &format!(
                    ", {} = {}",
                    expr.name("status_reason"),
                    expr.value(s(clip_reason(reason)))
                )
            }
            None => update += &format!(" REMOVE {}", expr.name("status_reason")),
        }
        self.update_existing(key(owner_pk(owner), photo_sk(id)), update, None, expr)
            .await
    }
}

/// Splits photos into groups whose deletion fits one transaction each.
fn deletion_groups(photos: &[StoredPhoto]) -> Vec<&[StoredPhoto]> {
    let mut groups = Vec::new();
    let mut start = 0;
    while start < photos.len() {
        let mut end = start;
        let mut labels = std::collections::BTreeSet::new();
        let mut months = std::collections::BTreeSet::new();
        let mut items = 1; // The photo count.
        while end < photos.len() {
            let names = indexed_names(&photos[end]);
            let counts = photo_counts(&photos[end]);
            let new_counters = names.iter().filter(|name| !labels.contains(*name)).count()
                + counts.iter().filter(|sk| !months.contains(*sk)).count();
            // The photo, its claim, its job, its month membership and its tag memberships.
            let more = 4 + names.len() + new_counters;
            if items + more > MAX_TRANSACTION_ITEMS && end > start {
                break;
            }
            items += more;
            labels.extend(names);
            months.extend(counts);
            end += 1;
        }
        groups.push(&photos[start..end]);
        start = end;
    }
    groups
}

/// A photo's size as a counter delta (sizes are far below `i64::MAX`).
fn size_delta(size_bytes: u64) -> i64 {
    i64::try_from(size_bytes).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dynamodb::items::decode_photo;
    use gaillery_core::Label;

    fn stored(i: usize, labels: &[&str]) -> StoredPhoto {
        let new = NewPhoto {
            id: PhotoId::parse(&format!("p{i}")).unwrap(),
            owner: OwnerId::local(),
            filename: "a.jpg".into(),
            width: 1,
            height: 1,
            taken_at: None,
            format: "jpeg".into(),
            size_bytes: 1,
            sha256: format!("{i:064}"),
            placeholder: String::new(),
            status: PhotoStatus::Done,
            created_at_ms: i as i64,
        };
        let mut stored = decode_photo(new_photo_item(&new)).unwrap();
        stored.photo.labels = labels
            .iter()
            .map(|l| Label {
                label: (*l).into(),
                probability: 0.5,
            })
            .collect();
        stored
    }

    #[test]
    fn deletions_are_grouped_under_the_transaction_limit() {
        let photos: Vec<StoredPhoto> = (0..50)
            .map(|i| stored(i, &["tabby", "tiger cat", &format!("own{i}")]))
            .collect();
        let groups = deletion_groups(&photos);
        assert_eq!(groups.iter().map(|g| g.len()).sum::<usize>(), 50);
        for group in &groups {
            let mut labels = std::collections::BTreeSet::new();
            let mut months = std::collections::BTreeSet::new();
            let mut items = 1;
            for photo in group.iter() {
                items += 4 + photo.photo.labels.len();
                labels.extend(indexed_names(photo));
                months.extend(photo_counts(photo));
            }
            items += labels.len() + months.len();
            assert!(items <= MAX_TRANSACTION_ITEMS, "{items} items");
        }
        assert!(groups.len() <= 6, "{} groups", groups.len());
    }

    #[test]
    fn pages_keep_the_extra_photo_only_as_a_cursor() {
        let photos: Vec<StoredPhoto> = (0..3).rev().map(|i| stored(i, &[])).collect();
        let page = into_page(photos.clone(), 2);
        assert_eq!(page.photos.len(), 2);
        assert_eq!(page.next_cursor.as_deref(), Some("1.p1"));
        let page = into_page(photos, 3);
        assert_eq!((page.photos.len(), page.next_cursor), (3, None));
    }
}

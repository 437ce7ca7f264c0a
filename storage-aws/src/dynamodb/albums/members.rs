//! The photos of an album: adding, removing and listing them (moving them is in `order`);
//! which albums hold a photo.

use super::{
    decode_member, member_key, members_pk, photo_entries, photo_entry_key, position_key,
    AlbumChange,
};
use crate::dynamodb::items::{n, s, Fields, Item};
use crate::dynamodb::photos::{exists, if_absent};
use crate::dynamodb::request::{backoff, Expr, Outcome, QuerySpec, MAX_TRANSACTION_ITEMS};
use crate::dynamodb::table::{check_owner, owner_pk, BY_CREATED, LSK, PK};
use crate::dynamodb::{DynamoCatalog, VERSION_TRIES};
use aws_sdk_dynamodb::types::TransactWriteItem;
use gaillery_core::{OwnerId, PhotoId};
use gaillery_storage::albums::{album_page, position_between, AlbumCursor};
use gaillery_storage::{AlbumPage, StorageError};
use std::collections::HashSet;

/// Photos added per transaction: each takes a member and an entry, besides the album.
const ADD_CHUNK: usize = (MAX_TRANSACTION_ITEMS - 1) / 2;

/// Where a listing of an album's members starts or ends.
pub(super) enum Bound<'a> {
    After(&'a str),
    Before(&'a str),
    Whole,
}

impl DynamoCatalog {
    /// Members of the album from the listing index in album order (or reversed), at most
    /// `limit` of them (all if `None`).
    pub(super) async fn members(
        &self,
        owner: &OwnerId,
        id: &str,
        bound: Bound<'_>,
        forward: bool,
        limit: Option<usize>,
    ) -> Result<Vec<(i64, PhotoId)>, StorageError> {
        let mut expr = Expr::new();
        let mut condition = format!(
            "{} = {}",
            expr.name(PK),
            expr.value(s(members_pk(owner, id)))
        );
        match bound {
            Bound::After(after) => {
                condition += &format!(" AND {} > {}", expr.name(LSK), expr.value(s(after)))
            }
            Bound::Before(before) => {
                condition += &format!(" AND {} < {}", expr.name(LSK), expr.value(s(before)))
            }
            Bound::Whole => {}
        }
        let mut spec = QuerySpec::new(condition, expr);
        spec.index = Some(BY_CREATED);
        spec.forward = forward;
        let mut members = Vec::new();
        let mut start = None;
        // A page may stop short of `Limit` at 1 MB of data: go on until there are enough.
        while limit.is_none_or(|limit| members.len() < limit) {
            let wanted = limit.map(|limit| limit - members.len());
            let page = self.query_page(&spec, wanted, start).await?;
            for item in &page.items {
                members.push(decode_member(item)?);
            }
            match page.next {
                Some(next) => start = Some(next),
                None => break,
            }
        }
        Ok(members)
    }

    /// The member of `photo`: its position, if the album holds it.
    pub(super) async fn position_in(
        &self,
        owner: &OwnerId,
        id: &str,
        photo: &PhotoId,
    ) -> Result<Option<i64>, StorageError> {
        self.get(member_key(owner, id, photo))
            .await?
            .map(|item| Ok(decode_member(&item)?.0))
            .transpose()
    }

    /// The album's last photo: its position.
    async fn last_position(&self, owner: &OwnerId, id: &str) -> Result<Option<i64>, StorageError> {
        let last = self
            .members(owner, id, Bound::Whole, false, Some(1))
            .await?;
        Ok(last.first().map(|(position, _)| *position))
    }

    pub(in crate::dynamodb) async fn add_photos(
        &self,
        owner: &OwnerId,
        id: &str,
        photos: &[PhotoId],
        now_ms: i64,
    ) -> Result<Option<u64>, StorageError> {
        check_owner(owner)?;
        let mut seen = HashSet::new();
        let distinct: Vec<&PhotoId> = photos.iter().filter(|p| seen.insert(*p)).collect();
        let mut pending = distinct.as_slice();
        let mut added = 0;
        let mut refusals = 0;
        loop {
            let Some(stored) = self.stored_album(owner, id).await? else {
                return Ok(None);
            };
            let chunk = &pending[..pending.len().min(ADD_CHUNK)];
            let keys = chunk.iter().map(|p| member_key(owner, id, p)).collect();
            let present = self
                .batch_get(keys)
                .await?
                .iter()
                .map(|item| Ok(decode_member(item)?.1))
                .collect::<Result<HashSet<PhotoId>, StorageError>>()?;
            let new: Vec<&PhotoId> = chunk
                .iter()
                .copied()
                .filter(|p| !present.contains(*p))
                .collect();
            if new.is_empty() {
                pending = &pending[chunk.len()..];
                if pending.is_empty() {
                    return Ok(Some(added));
                }
                continue;
            }
            let mut last = self.last_position(owner, id).await?;
            let mut ops = Vec::with_capacity(1 + 2 * new.len());
            let change = AlbumChange {
                count_delta: new.len() as i64,
                updated_at_ms: Some(now_ms),
                remove_cover: false,
            };
            ops.push(self.album_version_op(owner, id, stored.version, change)?);
            for photo in &new {
                let Some(position) = position_between(last, None) else {
                    break;
                };
                last = Some(position);
                ops.extend(self.album_member_ops(owner, id, photo, position)?);
            }
            if ops.len() < 1 + 2 * new.len() {
                // The end of the range is reached: renumber, then look again.
                let outcome = self.renumber(owner, id, &stored).await?;
                self.unless_committed(&mut refusals, "renumber album", outcome)
                    .await?;
                continue;
            }
            match self.transact("add to album", ops).await? {
                Outcome::Committed => {
                    added += new.len() as u64;
                    refusals = 0;
                    pending = &pending[chunk.len()..];
                    if pending.is_empty() {
                        return Ok(Some(added));
                    }
                }
                outcome => {
                    self.unless_committed(&mut refusals, "add to album", outcome)
                        .await?
                }
            }
        }
    }

    /// Puts of a new member at `position` and of its entry.
    fn album_member_ops(
        &self,
        owner: &OwnerId,
        id: &str,
        photo: &PhotoId,
        position: i64,
    ) -> Result<[TransactWriteItem; 2], StorageError> {
        let mut member = member_key(owner, id, photo);
        member.insert(LSK.into(), s(position_key(position, photo)));
        member.insert("photo".into(), s(photo.as_str()));
        member.insert("pos".into(), n(position));
        let mut entry = photo_entry_key(owner, id, photo);
        entry.insert("album".into(), s(id));
        let (member_if, member_expr) = if_absent();
        let (entry_if, entry_expr) = if_absent();
        Ok([
            self.put_op(member, member_if, member_expr)?,
            self.put_op(entry, entry_if, entry_expr)?,
        ])
    }

    /// Deletes of a member and its entry.
    pub(super) fn album_member_deletion_ops(
        &self,
        owner: &OwnerId,
        id: &str,
        photo: &PhotoId,
    ) -> Result<[TransactWriteItem; 2], StorageError> {
        let mut expr = Expr::new();
        let present = exists(&mut expr);
        Ok([
            self.delete_op(member_key(owner, id, photo), Some(present), expr)?,
            self.delete_op(photo_entry_key(owner, id, photo), None, Expr::new())?,
        ])
    }

    /// Removes `photo` from the album; `now_ms` becomes its `updated_at_ms` if given.
    pub(in crate::dynamodb) async fn remove_photo(
        &self,
        owner: &OwnerId,
        id: &str,
        photo: &PhotoId,
        now_ms: Option<i64>,
    ) -> Result<bool, StorageError> {
        check_owner(owner)?;
        let mut refusals = 0;
        loop {
            let Some(stored) = self.stored_album(owner, id).await? else {
                return Ok(false);
            };
            if self.position_in(owner, id, photo).await?.is_none() {
                return Ok(false);
            }
            let change = AlbumChange {
                count_delta: -1,
                updated_at_ms: now_ms,
                remove_cover: stored.album.cover.as_ref() == Some(photo),
            };
            let mut ops = vec![self.album_version_op(owner, id, stored.version, change)?];
            ops.extend(self.album_member_deletion_ops(owner, id, photo)?);
            match self.transact("remove from album", ops).await? {
                Outcome::Committed => return Ok(true),
                outcome => {
                    self.unless_committed(&mut refusals, "remove from album", outcome)
                        .await?
                }
            }
        }
    }

    /// Counts a refused transaction of `operation` (a committed one counts nothing): waits
    /// before the next try, or gives up with `Unavailable` after `VERSION_TRIES` in a row.
    pub(super) async fn unless_committed(
        &self,
        refusals: &mut u32,
        operation: &str,
        outcome: Outcome,
    ) -> Result<(), StorageError> {
        if matches!(outcome, Outcome::Committed) {
            return Ok(());
        }
        *refusals += 1;
        if *refusals >= VERSION_TRIES {
            return Err(StorageError::Unavailable(format!(
                "{operation}: the album kept changing: {outcome:?}"
            )));
        }
        backoff(*refusals - 1).await;
        Ok(())
    }

    pub(in crate::dynamodb) async fn album_page(
        &self,
        owner: &OwnerId,
        id: &str,
        after: Option<&AlbumCursor>,
        limit: usize,
    ) -> Result<AlbumPage, StorageError> {
        check_owner(owner)?;
        let bound = after.map(|after| position_key(after.position, &after.photo));
        let bound = bound.as_deref().map_or(Bound::Whole, Bound::After);
        let rows = self
            .members(owner, id, bound, true, Some(limit + 1))
            .await?;
        Ok(album_page(rows, limit))
    }

    pub(in crate::dynamodb) async fn albums_holding(
        &self,
        owner: &OwnerId,
        photo: &PhotoId,
    ) -> Result<Vec<String>, StorageError> {
        check_owner(owner)?;
        let spec = QuerySpec::partition(owner_pk(owner), Some(&photo_entries(photo)));
        let mut ids = self
            .query_all(&spec)
            .await?
            .iter()
            .map(|entry: &Item| Ok(Fields(entry).s("album")?.to_owned()))
            .collect::<Result<Vec<String>, StorageError>>()?;
        ids.sort();
        Ok(ids)
    }

    pub(in crate::dynamodb) async fn remove_from_every_album(
        &self,
        owner: &OwnerId,
        photo: &PhotoId,
    ) -> Result<(), StorageError> {
        for id in self.albums_holding(owner, photo).await? {
            self.remove_photo(owner, &id, photo, None).await?;
        }
        self.delete_links_where(owner, |share| share.photo_id.as_ref() == Some(photo))
            .await
    }
}

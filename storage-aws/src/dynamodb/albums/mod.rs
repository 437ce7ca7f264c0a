//! Albums: their items, the photos in them (`members`: adding, removing, listing; `order`:
//! moving, renumbering), their deletion (`deletion`), and the `AlbumStore` they make
//! (`store`). Share links are in the `shares` module. The items are listed in
//! the `table` module; why they are shaped so:
//!
//! - **An album is an item in its owner's partition** (`O#{owner}`, `A#{id}`), so `albums_of`
//!   is one query and ids are per owner. It holds the photo count `n`, kept by the same
//!   transactions that add and remove photos, and a version `v` that every write to the album
//!   adds 1 to.
//! - **An album's photos have a partition of their own** (`B#{len(owner)}#{owner}#{id}`, the
//!   owner's length first so no owner and id spell another pair), a member item per photo
//!   (`P#{photo}`, so membership is a GetItem). Its `lsk` is `{position}#{photo}`: the existing
//!   local index `by_created` then lists the album in order, strongly consistent, a page from a
//!   cursor at a time; photos and members never share a partition, so neither listing sees the
//!   other. No new index, so tables made before albums work as they are.
//! - **Each membership has an entry in the owner's partition** (`M#{photo}#{album id}`), written
//!   and deleted with the member item: `albums_of_photo` (and so `remove_photo_from_albums`) is a
//!   query of the prefix `M#{photo}#` (ids are `[0-9a-z]`, so no photo's prefix is another's).
//! - **Positions are gapped** (see `gaillery_storage::albums`): a move writes the member (and
//!   the album's `updated_at_ms`), nothing else. Adding and removing photos require the
//!   album's `v` as read (optimistic concurrency: read, compute, write if unchanged, else read
//!   again), so counts never drift and two appends never take one position. A move instead
//!   requires the positions it read (the photo's and its new neighbours') unchanged, so moves
//!   in different parts of an album never hold each other up; two photos moved into one gap at
//!   once may share a position, which their ids order. When a gap is used up the album is
//!   renumbered into fresh positions beyond its last (or before its first), from the far end
//!   inward, in transactions of up to 99 members that each require their member's position and
//!   the album's `v` unchanged: between any two of them the order is already right, so readers
//!   never see it scrambled.
//! - **Deleting an album** reads its members a page at a time and deletes them with their
//!   entries (and their share of `n`), then deletes the album with the last members and its
//!   links in one transaction that requires `v` unchanged: a photo or link added meanwhile makes
//!   it read again, so nothing outlives the album. Every member exists only while its album
//!   does, so listings need no look at the album item.
//!
//! | operation | requests |
//! |---|---|
//! | `create_album` | TransactWriteItems: Put the album if absent |
//! | `album`, `albums_of` | GetItem; Query `pk = O#{owner} AND begins_with(sk, "A#")` |
//! | `rename_album`, `set_album_cover(None)` | UpdateItem of the album, if it exists |
//! | `set_album_cover(Some)` | TransactWriteItems: update the album if it exists, ConditionCheck the member exists |
//! | `add_to_album` | GetItem the album, BatchGetItem the members (to skip those there), Query `by_created` for the last position; TransactWriteItems: update the album (`v` unchanged, ADD to `n`), Put member and entry per photo; 49 photos a transaction |
//! | `remove_from_album` | GetItem the album and the member; TransactWriteItems: update the album (`v` unchanged, ADD −1 to `n`, REMOVE the cover if it was the photo), Delete the member and its entry |
//! | `move_in_album` | GetItem both members, Query `by_created` for the new neighbour; TransactWriteItems: the album's `updated_at_ms`, the member's `lsk` and `pos` (if unchanged), ConditionCheck the neighbours' `pos` unchanged |
//! | `album_photo_ids` | Query `by_created`: `pk = B#… AND lsk > {cursor}`, consistent, `Limit` = page + 1 |
//! | `albums_of_photo` | Query `pk = O#{owner} AND begins_with(sk, "M#{photo}#")` |
//! | `remove_photo_from_albums` | `albums_of_photo`, then the removal from each; the links to the photo as `delete_share` |
//! | `delete_album`, `delete_albums_of` | Query the members 48 at a time and the owner's link entries; TransactWriteItems as above |

mod deletion;
mod members;
mod order;
mod store;

use super::items::{key, n, s, Fields, Item};
use super::photos::{exists, if_absent};
use super::request::{Expr, Outcome, QuerySpec};
use super::table::{check_owner, owner_pk, photo_sk, time_key};
use super::DynamoCatalog;
use aws_sdk_dynamodb::types::TransactWriteItem;
use gaillery_core::{OwnerId, PhotoId};
use gaillery_storage::albums::check_new_album;
use gaillery_storage::{Album, StorageError};

/// The attribute every write to an album adds 1 to, and every change of its photos requires
/// unchanged.
const VERSION: &str = "v";
/// The album's photo count.
const COUNT: &str = "n";
const COVER: &str = "cover";
const UPDATED: &str = "updated_at_ms";

/// The album item's sort key in its owner's partition.
fn album_key(owner: &OwnerId, id: &str) -> Item {
    key(owner_pk(owner), format!("A#{id}"))
}

/// The partition of an album's members.
fn members_pk(owner: &OwnerId, id: &str) -> String {
    format!("B#{}#{}#{id}", owner.0.len(), owner.0)
}

fn member_key(owner: &OwnerId, id: &str, photo: &PhotoId) -> Item {
    key(members_pk(owner, id), photo_sk(photo))
}

/// A member's place in the listing index: its position, then its id for a total order.
fn position_key(position: i64, photo: &PhotoId) -> String {
    format!("{}#{photo}", time_key(position))
}

/// The prefix of a photo's entries in its owner's partition, one per album holding it.
fn photo_entries(photo: &PhotoId) -> String {
    format!("M#{photo}#")
}

fn photo_entry_key(owner: &OwnerId, id: &str, photo: &PhotoId) -> Item {
    key(owner_pk(owner), format!("{}{id}", photo_entries(photo)))
}

/// An album as read, with its version.
struct StoredAlbum {
    album: Album,
    version: u64,
}

fn new_album_item(album: &Album) -> Item {
    let mut item = album_key(&album.owner, &album.id);
    item.insert("id".into(), s(&album.id));
    item.insert("title".into(), s(&album.title));
    item.insert(COUNT.into(), n(0));
    item.insert("created_at_ms".into(), n(album.created_at_ms));
    item.insert(UPDATED.into(), n(album.updated_at_ms));
    item.insert(VERSION.into(), n(0));
    item
}

fn decode_album(owner: &OwnerId, item: &Item) -> Result<StoredAlbum, StorageError> {
    let fields = Fields(item);
    let count: i64 = fields.num(COUNT)?;
    let cover = match fields.opt_s(COVER)? {
        Some(_) => Some(fields.id(COVER)?),
        None => None,
    };
    Ok(StoredAlbum {
        album: Album {
            id: fields.s("id")?.to_owned(),
            owner: owner.clone(),
            title: fields.s("title")?.to_owned(),
            cover,
            photo_count: u64::try_from(count)
                .map_err(|_| fields.damaged(&format!("negative photo count {count}")))?,
            created_at_ms: fields.num("created_at_ms")?,
            updated_at_ms: fields.num(UPDATED)?,
        },
        version: fields.num(VERSION)?,
    })
}

/// A member: its position and photo.
fn decode_member(item: &Item) -> Result<(i64, PhotoId), StorageError> {
    let fields = Fields(item);
    Ok((fields.num("pos")?, fields.id("photo")?))
}

impl DynamoCatalog {
    pub(super) async fn create_album_item(&self, album: Album) -> Result<(), StorageError> {
        check_new_album(&album)?;
        check_owner(&album.owner)?;
        let (absent, expr) = if_absent();
        let put = self.put_op(new_album_item(&album), absent, expr)?;
        if let Outcome::Committed = self.transact("create album", vec![put]).await? {
            return Ok(());
        }
        // Our own earlier attempt, applied but its answer lost and sent again by the SDK?
        let stored = self.stored_album(&album.owner, &album.id).await?;
        match stored {
            Some(stored)
                if stored.version == 0
                    && stored.album
                        == (Album {
                            photo_count: 0,
                            ..album.clone()
                        }) =>
            {
                Ok(())
            }
            _ => Err(StorageError::Backend(format!(
                "album id {:?} is taken",
                album.id
            ))),
        }
    }

    async fn stored_album(
        &self,
        owner: &OwnerId,
        id: &str,
    ) -> Result<Option<StoredAlbum>, StorageError> {
        check_owner(owner)?;
        self.get(album_key(owner, id))
            .await?
            .map(|item| decode_album(owner, &item))
            .transpose()
    }

    pub(super) async fn find_album(
        &self,
        owner: &OwnerId,
        id: &str,
    ) -> Result<Option<Album>, StorageError> {
        Ok(self
            .stored_album(owner, id)
            .await?
            .map(|stored| stored.album))
    }

    pub(super) async fn albums_of_owner(
        &self,
        owner: &OwnerId,
    ) -> Result<Vec<Album>, StorageError> {
        check_owner(owner)?;
        let spec = QuerySpec::partition(owner_pk(owner), Some("A#"));
        let mut albums = self
            .query_all(&spec)
            .await?
            .iter()
            .map(|item| Ok(decode_album(owner, item)?.album))
            .collect::<Result<Vec<_>, StorageError>>()?;
        albums.sort_by(|a, b| (b.created_at_ms, &b.id).cmp(&(a.created_at_ms, &a.id)));
        Ok(albums)
    }

    pub(super) async fn retitle_album(
        &self,
        owner: &OwnerId,
        id: &str,
        title: &str,
        now_ms: i64,
    ) -> Result<bool, StorageError> {
        check_owner(owner)?;
        let mut expr = Expr::new();
        let update = format!(
            "SET {} = {}, {} = {} ADD {} {}",
            expr.name("title"),
            expr.value(s(title)),
            expr.name(UPDATED),
            expr.value(n(now_ms)),
            expr.name(VERSION),
            expr.value(n(1))
        );
        self.update_existing(album_key(owner, id), update, None, expr)
            .await
    }

    pub(super) async fn cover_album(
        &self,
        owner: &OwnerId,
        id: &str,
        cover: Option<&PhotoId>,
        now_ms: i64,
    ) -> Result<bool, StorageError> {
        check_owner(owner)?;
        let mut expr = Expr::new();
        let mut update = format!("SET {} = {}", expr.name(UPDATED), expr.value(n(now_ms)));
        if let Some(cover) = cover {
            update += &format!(", {} = {}", expr.name(COVER), expr.value(s(cover.as_str())));
        }
        update += &format!(" ADD {} {}", expr.name(VERSION), expr.value(n(1)));
        let Some(cover) = cover else {
            update += &format!(" REMOVE {}", expr.name(COVER));
            return self
                .update_existing(album_key(owner, id), update, None, expr)
                .await;
        };
        // Removals add 1 to `v` too and require it unchanged: a removal racing this write either
        // sees the new cover and clears it, or makes the member check below fail.
        let present = exists(&mut expr);
        let mut member_expr = Expr::new();
        let member = exists(&mut member_expr);
        let ops = vec![
            self.update_op(album_key(owner, id), update, Some(present), expr)?,
            self.check_op(member_key(owner, id, cover), member, member_expr)?,
        ];
        Ok(matches!(
            self.transact("set album cover", ops).await?,
            Outcome::Committed
        ))
    }

    /// `ADD v 1` on the album, if it exists: the first item of a transaction that writes a
    /// link to it.
    pub(super) fn bump_album_op(
        &self,
        owner: &OwnerId,
        id: &str,
    ) -> Result<TransactWriteItem, StorageError> {
        let mut expr = Expr::new();
        let update = format!("ADD {} {}", expr.name(VERSION), expr.value(n(1)));
        let present = exists(&mut expr);
        self.update_op(album_key(owner, id), update, Some(present), expr)
    }

    /// Sets the album's `updated_at_ms`, if it exists, leaving its version alone.
    fn touch_album_op(
        &self,
        owner: &OwnerId,
        id: &str,
        now_ms: i64,
    ) -> Result<TransactWriteItem, StorageError> {
        let mut expr = Expr::new();
        let update = format!("SET {} = {}", expr.name(UPDATED), expr.value(n(now_ms)));
        let present = exists(&mut expr);
        self.update_op(album_key(owner, id), update, Some(present), expr)
    }

    /// An update of the album that requires its version to be `version` and adds 1 to it,
    /// with `change` besides.
    fn album_version_op(
        &self,
        owner: &OwnerId,
        id: &str,
        version: u64,
        change: AlbumChange,
    ) -> Result<TransactWriteItem, StorageError> {
        let mut expr = Expr::new();
        let unchanged = format!("{} = {}", expr.name(VERSION), expr.value(n(version)));
        let mut update = format!("ADD {} {}", expr.name(VERSION), expr.value(n(1)));
        if change.count_delta != 0 {
            update += &format!(
                ", {} {}",
                expr.name(COUNT),
                expr.value(n(change.count_delta))
            );
        }
        if let Some(now_ms) = change.updated_at_ms {
            update += &format!(" SET {} = {}", expr.name(UPDATED), expr.value(n(now_ms)));
        }
        if change.remove_cover {
            update += &format!(" REMOVE {}", expr.name(COVER));
        }
        self.update_op(album_key(owner, id), update, Some(unchanged), expr)
    }
}

/// What a change of an album's photos does to the album item, besides its version.
#[derive(Clone, Copy, Debug, Default)]
struct AlbumChange {
    /// Added to the photo count.
    count_delta: i64,
    /// The new `updated_at_ms`, if it changes.
    updated_at_ms: Option<i64>,
    remove_cover: bool,
}

//! Share links: an item each, found by its token (`L#{token}`), and an entry in the owner's
//! partition (`O#{owner}`, `L#{token}`) with the same attributes, written and deleted together
//! in one transaction. A link to an album is written in a transaction that adds 1 to the
//! album's `v` and requires the album: so it is never stored for a missing album, and the
//! deletion of the album (which requires `v` unchanged) never misses it. Links with an expiry
//! carry the TTL attribute, so DynamoDB drops them in its own time; reads filter on
//! `expires_at_ms`, since TTL deletes late.
//!
//! | operation | requests |
//! |---|---|
//! | `create_share` | TransactWriteItems: (for an album) ADD 1 to the album's `v` if it exists, Put the link and its entry if absent |
//! | `share` | GetItem |
//! | `shares_of` | Query `pk = O#{owner} AND begins_with(sk, "L#")` |
//! | `delete_share` | TransactWriteItems: Delete the entry if it exists, and the link |

use super::items::{expires_at, key, n, s, Fields, Item};
use super::photos::{exists, if_absent};
use super::request::{Expr, Outcome, QuerySpec, MAX_TRANSACTION_ITEMS};
use super::table::{check_owner, owner_pk, EXPIRES_AT};
use super::DynamoCatalog;
use aws_sdk_dynamodb::types::TransactWriteItem;
use gaillery_core::OwnerId;
use gaillery_storage::albums::check_share;
use gaillery_storage::{Share, StorageError};

/// The sort-key prefix of link entries in an owner's partition.
const LINK_ENTRIES: &str = "L#";
/// The sort key of a link, found by token.
const LINK_SK: &str = "L";

fn link_key(token: &str) -> Item {
    key(format!("L#{token}"), LINK_SK.to_owned())
}

fn link_entry_key(owner: &OwnerId, token: &str) -> Item {
    key(owner_pk(owner), format!("{LINK_ENTRIES}{token}"))
}

/// `item` (the key of the link or of its entry) with the link's attributes.
fn link_item(mut item: Item, share: &Share) -> Item {
    item.insert("token".into(), s(&share.token));
    item.insert("owner".into(), s(&share.owner.0));
    if let Some(album_id) = &share.album_id {
        item.insert("album_id".into(), s(album_id));
    }
    if let Some(photo_id) = &share.photo_id {
        item.insert("photo_id".into(), s(photo_id.as_str()));
    }
    if let Some(password_hash) = &share.password_hash {
        item.insert("password_hash".into(), s(password_hash));
    }
    if let Some(expires_at_ms) = share.expires_at_ms {
        item.insert("expires_at_ms".into(), n(expires_at_ms));
        item.insert(EXPIRES_AT.into(), expires_at(expires_at_ms));
    }
    item.insert("created_at_ms".into(), n(share.created_at_ms));
    item
}

fn decode_link(item: &Item) -> Result<Share, StorageError> {
    let fields = Fields(item);
    let photo_id = match fields.opt_s("photo_id")? {
        Some(_) => Some(fields.id("photo_id")?),
        None => None,
    };
    Ok(Share {
        token: fields.s("token")?.to_owned(),
        owner: OwnerId(fields.s("owner")?.to_owned()),
        album_id: fields.opt_s("album_id")?.map(str::to_owned),
        photo_id,
        password_hash: fields.opt_s("password_hash")?.map(str::to_owned),
        expires_at_ms: fields.opt_num("expires_at_ms")?,
        created_at_ms: fields.num("created_at_ms")?,
    })
}

impl DynamoCatalog {
    pub(super) async fn put_link(&self, share: Share) -> Result<bool, StorageError> {
        check_share(&share)?;
        check_owner(&share.owner)?;
        let mut ops = Vec::with_capacity(3);
        if let Some(album_id) = &share.album_id {
            ops.push(self.bump_album_op(&share.owner, album_id)?);
        }
        let (link_if, link_expr) = if_absent();
        let (entry_if, entry_expr) = if_absent();
        let link = link_item(link_key(&share.token), &share);
        let entry = link_item(link_entry_key(&share.owner, &share.token), &share);
        ops.push(self.put_op(link, link_if, link_expr)?);
        ops.push(self.put_op(entry, entry_if, entry_expr)?);
        let outcome = self.transact("create share", ops).await?;
        if matches!(outcome, Outcome::Committed) {
            return Ok(true);
        }
        if share.album_id.is_some() && outcome.failed_at(0) {
            return Ok(false);
        }
        // Our own earlier attempt, applied but its answer lost and sent again by the SDK?
        let stored = self.get(link_key(&share.token)).await?;
        if stored.map(|item| decode_link(&item)).transpose()? == Some(share) {
            return Ok(true);
        }
        Err(StorageError::Backend(format!(
            "create share was refused, its token is taken: {outcome:?}"
        )))
    }

    pub(super) async fn live_link(
        &self,
        token: &str,
        now_ms: i64,
    ) -> Result<Option<Share>, StorageError> {
        let Some(item) = self.get(link_key(token)).await? else {
            return Ok(None);
        };
        let share = decode_link(&item)?;
        Ok((!share.is_expired(now_ms)).then_some(share))
    }

    pub(super) async fn live_links_of(
        &self,
        owner: &OwnerId,
        now_ms: i64,
    ) -> Result<Vec<Share>, StorageError> {
        let mut links = self
            .links_where(owner, |share| !share.is_expired(now_ms))
            .await?;
        links.sort_by(|a, b| (b.created_at_ms, &b.token).cmp(&(a.created_at_ms, &a.token)));
        Ok(links)
    }

    pub(super) async fn remove_link(
        &self,
        owner: &OwnerId,
        token: &str,
    ) -> Result<bool, StorageError> {
        check_owner(owner)?;
        // The entry is in the owner's partition: another owner's link is not found there.
        let mut expr = Expr::new();
        let present = exists(&mut expr);
        let ops = vec![
            self.delete_op(link_entry_key(owner, token), Some(present), expr)?,
            self.delete_op(link_key(token), None, Expr::new())?,
        ];
        Ok(matches!(
            self.transact("delete share", ops).await?,
            Outcome::Committed
        ))
    }

    /// The owner's links (expired ones included, until TTL drops them) that `wanted` keeps.
    pub(super) async fn links_where(
        &self,
        owner: &OwnerId,
        wanted: impl Fn(&Share) -> bool,
    ) -> Result<Vec<Share>, StorageError> {
        check_owner(owner)?;
        let spec = QuerySpec::partition(owner_pk(owner), Some(LINK_ENTRIES));
        let mut links = Vec::new();
        for entry in self.query_all(&spec).await? {
            let share = decode_link(&entry)?;
            if wanted(&share) {
                links.push(share);
            }
        }
        Ok(links)
    }

    /// Deletes of links with their entries, pair after pair, so that transactions cut at an
    /// even length leave no entry without its link or the reverse.
    pub(super) fn link_deletion_ops(
        &self,
        links: &[Share],
    ) -> Result<Vec<TransactWriteItem>, StorageError> {
        let mut ops = Vec::with_capacity(2 * links.len());
        for share in links {
            ops.push(self.delete_op(
                link_entry_key(&share.owner, &share.token),
                None,
                Expr::new(),
            )?);
            ops.push(self.delete_op(link_key(&share.token), None, Expr::new())?);
        }
        Ok(ops)
    }

    /// Deletes the owner's links that `wanted` keeps.
    pub(super) async fn delete_links_where(
        &self,
        owner: &OwnerId,
        wanted: impl Fn(&Share) -> bool,
    ) -> Result<(), StorageError> {
        let links = self.links_where(owner, wanted).await?;
        let ops = self.link_deletion_ops(&links)?;
        for chunk in ops.chunks(MAX_TRANSACTION_ITEMS / 2 * 2) {
            self.transact("delete shares", chunk.to_vec()).await?;
        }
        Ok(())
    }
}

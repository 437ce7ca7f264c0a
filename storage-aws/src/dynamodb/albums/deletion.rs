//! Deleting an album with its members, their entries and its links, a transaction at a time,
//! the album itself last; and every album and link of an owner.

use super::{album_key, decode_member, members_pk, AlbumChange, VERSION};
use crate::dynamodb::items::n;
use crate::dynamodb::request::{Expr, Outcome, QuerySpec, MAX_TRANSACTION_ITEMS};
use crate::dynamodb::table::check_owner;
use crate::dynamodb::DynamoCatalog;
use gaillery_core::OwnerId;
use gaillery_storage::StorageError;

/// Members read, and deleted, per transaction before the last: two items each, besides the
/// album.
const DELETE_PAGE: usize = (MAX_TRANSACTION_ITEMS - 2) / 2;

impl DynamoCatalog {
    /// Deletes the album's members a page at a time (each page with its share of the count),
    /// then the album with the last page and its links, if nothing changed since it was read
    /// (else reads again).
    pub(in crate::dynamodb) async fn delete_album_items(
        &self,
        owner: &OwnerId,
        id: &str,
    ) -> Result<bool, StorageError> {
        check_owner(owner)?;
        let members_spec = QuerySpec::partition(members_pk(owner, id), None);
        let mut refusals = 0;
        loop {
            let Some(stored) = self.stored_album(owner, id).await? else {
                return Ok(false);
            };
            let page = self
                .query_page(&members_spec, Some(DELETE_PAGE), None)
                .await?;
            let mut member_ops = Vec::with_capacity(2 * page.items.len());
            for item in &page.items {
                let (_, photo) = decode_member(item)?;
                member_ops.extend(self.album_member_deletion_ops(owner, id, &photo)?);
            }
            let links = self
                .links_where(owner, |share| share.album_id.as_deref() == Some(id))
                .await?;
            let mut link_ops = self.link_deletion_ops(&links)?;
            let last_page = page.next.is_none() && page.items.len() < DELETE_PAGE;
            let outcome = if last_page
                && 1 + member_ops.len() + link_ops.len() <= MAX_TRANSACTION_ITEMS
            {
                let mut expr = Expr::new();
                let unchanged =
                    format!("{} = {}", expr.name(VERSION), expr.value(n(stored.version)));
                let mut ops = vec![self.delete_op(album_key(owner, id), Some(unchanged), expr)?];
                ops.extend(member_ops);
                ops.extend(link_ops);
                match self.transact("delete album", ops).await? {
                    Outcome::Committed => return Ok(true),
                    outcome => outcome,
                }
            } else if !member_ops.is_empty() {
                let change = AlbumChange {
                    count_delta: -(page.items.len() as i64),
                    ..AlbumChange::default()
                };
                let mut ops = vec![self.album_version_op(owner, id, stored.version, change)?];
                ops.extend(member_ops);
                self.transact("delete album photos", ops).await?
            } else {
                // Only links are left, more than one transaction holds.
                link_ops.truncate(MAX_TRANSACTION_ITEMS / 2 * 2);
                self.transact("delete album links", link_ops).await?
            };
            if matches!(outcome, Outcome::Committed) {
                refusals = 0;
            } else {
                self.unless_committed(&mut refusals, "delete album", outcome)
                    .await?;
            }
        }
    }

    /// Deletes every album of the owner, then every link left (those to photos).
    pub(in crate::dynamodb) async fn delete_all_albums(
        &self,
        owner: &OwnerId,
    ) -> Result<u64, StorageError> {
        let mut deleted = 0;
        for album in self.albums_of_owner(owner).await? {
            if self.delete_album_items(owner, &album.id).await? {
                deleted += 1;
            }
        }
        self.delete_links_where(owner, |_| true).await?;
        Ok(deleted)
    }
}

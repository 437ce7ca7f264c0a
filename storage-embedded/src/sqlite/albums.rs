//! Albums and the order of their photos; share links are in `shares`.
//!
//! An album's photos are rows of `album_photos` with a gapped `position` (see
//! `gaillery_storage::albums`): appending reads the largest position through the index
//! `album_photos_in_order`, a move updates one row, and a renumbering (when a gap is used up)
//! rewrites the album's rows in the same transaction as the move that needed it. Every change
//! of memberships runs in one immediate transaction, so the count (`COUNT(*)` of the rows, never
//! stored apart) and the cover always agree with the memberships. Deleting an album is one
//! statement: its memberships and links go with it by `ON DELETE CASCADE`.

use super::accounts::{count, row, rows};
use super::error::SqlError;
use super::SqliteCatalog;
use async_trait::async_trait;
use gaillery_core::{OwnerId, PhotoId};
use gaillery_storage::albums::{
    album_page, check_new_album, position_between, renumbered, AlbumCursor,
};
use gaillery_storage::catalog::page_limit;
use gaillery_storage::{Album, AlbumPage, AlbumStore, Share, StorageError};
use rusqlite::types::Type;
use rusqlite::{params, Connection, OptionalExtension, Row, TransactionBehavior};

const ALBUM_COLUMNS: &str = "id, owner, title, cover, created_at_ms, updated_at_ms,
    (SELECT COUNT(*) FROM album_photos AS m WHERE m.owner = albums.owner AND m.album_id = albums.id)";

fn album_from_row(row: &Row<'_>) -> rusqlite::Result<Album> {
    let count: i64 = row.get(6)?;
    Ok(Album {
        id: row.get(0)?,
        owner: OwnerId(row.get(1)?),
        title: row.get(2)?,
        cover: row
            .get::<_, Option<String>>(3)?
            .map(|raw| parse_id(3, &raw))
            .transpose()?,
        created_at_ms: row.get(4)?,
        updated_at_ms: row.get(5)?,
        photo_count: u64::try_from(count).unwrap_or(0),
    })
}

/// A stored photo id, or the error of a damaged row (a `Backend` error naming the value).
pub(super) fn parse_id(column: usize, raw: &str) -> rusqlite::Result<PhotoId> {
    PhotoId::parse(raw).ok_or_else(|| {
        let message = format!("catalog holds an invalid photo id: {raw:?}");
        rusqlite::Error::FromSqlConversionFailure(column, Type::Text, message.into())
    })
}

/// A photo's position and id, from columns 0 and 1.
fn placed_from_row(row: &Row<'_>) -> rusqlite::Result<(i64, PhotoId)> {
    let raw: String = row.get(1)?;
    Ok((row.get(0)?, parse_id(1, &raw)?))
}

fn album_exists(conn: &Connection, owner: &str, id: &str) -> Result<bool, SqlError> {
    let sql = "SELECT COUNT(*) FROM albums WHERE owner = ?1 AND id = ?2";
    Ok(count(conn, sql, params![owner, id])? > 0)
}

fn position_of(
    conn: &Connection,
    owner: &str,
    id: &str,
    photo: &PhotoId,
) -> Result<Option<i64>, SqlError> {
    Ok(conn
        .prepare_cached(
            "SELECT position FROM album_photos
             WHERE owner = ?1 AND album_id = ?2 AND photo_id = ?3",
        )?
        .query_row(params![owner, id, photo.as_str()], |row| row.get(0))
        .optional()?)
}

/// The photo just before `(position, photo)` in album order, or the album's last photo when
/// `before` is `None`.
fn previous(
    conn: &Connection,
    owner: &str,
    id: &str,
    before: Option<(i64, &PhotoId)>,
) -> Result<Option<(i64, PhotoId)>, SqlError> {
    let (position, photo) = before.map_or((i64::MAX, "~"), |(position, photo)| {
        (position, photo.as_str())
    });
    // `~` sorts after every id (`[0-9a-z]`), so without `before` the bound excludes nothing.
    let sql = "SELECT position, photo_id FROM album_photos
               WHERE owner = ?1 AND album_id = ?2 AND (position, photo_id) < (?3, ?4)
               ORDER BY position DESC, photo_id DESC LIMIT 1";
    row(
        conn,
        sql,
        params![owner, id, position, photo],
        placed_from_row,
    )
}

/// Spaces the album's photos `POSITION_GAP` apart again, in the same order.
fn renumber(conn: &Connection, owner: &str, id: &str) -> Result<(), SqlError> {
    let sql = "SELECT position, photo_id FROM album_photos WHERE owner = ?1 AND album_id = ?2
               ORDER BY position, photo_id";
    let placed = rows(conn, sql, params![owner, id], placed_from_row)?;
    let mut update = conn.prepare_cached(
        "UPDATE album_photos SET position = ?4
         WHERE owner = ?1 AND album_id = ?2 AND photo_id = ?3",
    )?;
    for ((_, photo), position) in placed.iter().zip(renumbered(placed.len())) {
        update.execute(params![owner, id, photo.as_str(), position])?;
    }
    Ok(())
}

/// The position after the album's last photo, renumbering first if the range has run out.
fn next_position(conn: &Connection, owner: &str, id: &str) -> Result<i64, SqlError> {
    let last = |conn: &Connection| previous(conn, owner, id, None);
    if let Some(position) = position_between(last(conn)?.map(|(p, _)| p), None) {
        return Ok(position);
    }
    renumber(conn, owner, id)?;
    position_between(last(conn)?.map(|(p, _)| p), None)
        .ok_or_else(|| StorageError::Backend(format!("album {id:?} has no room at its end")).into())
}

fn touch(conn: &Connection, owner: &str, id: &str, now_ms: i64) -> Result<(), SqlError> {
    conn.prepare_cached("UPDATE albums SET updated_at_ms = ?3 WHERE owner = ?1 AND id = ?2")?
        .execute(params![owner, id, now_ms])?;
    Ok(())
}

/// Puts `photo` just before `before` (at the end if `None`). `Ok(None)` if either is not in the
/// album, `Ok(Some(false))` if it already was there.
fn place(
    conn: &Connection,
    owner: &str,
    id: &str,
    photo: &PhotoId,
    before: Option<&PhotoId>,
) -> Result<Option<bool>, SqlError> {
    if position_of(conn, owner, id, photo)?.is_none() {
        return Ok(None);
    }
    // Twice at most: a renumbering leaves room between every two photos.
    for _ in 0..2 {
        let target = match before {
            Some(before) => match position_of(conn, owner, id, before)? {
                Some(position) => Some((position, before)),
                None => return Ok(None),
            },
            None => None,
        };
        if before == Some(photo) {
            return Ok(Some(false));
        }
        let prev = previous(conn, owner, id, target)?;
        if prev.as_ref().is_some_and(|(_, p)| p == photo) {
            return Ok(Some(false));
        }
        let next = target.map(|(position, _)| position);
        if let Some(position) = position_between(prev.map(|(p, _)| p), next) {
            conn.prepare_cached(
                "UPDATE album_photos SET position = ?4
                 WHERE owner = ?1 AND album_id = ?2 AND photo_id = ?3",
            )?
            .execute(params![owner, id, photo.as_str(), position])?;
            return Ok(Some(true));
        }
        renumber(conn, owner, id)?;
    }
    Err(StorageError::Backend(format!("album {id:?} has no room after renumbering")).into())
}

#[async_trait]
impl AlbumStore for SqliteCatalog {
    async fn create_album(&self, album: Album) -> Result<(), StorageError> {
        check_new_album(&album)?;
        let values = (
            album.owner.0,
            album.id,
            album.title,
            album.created_at_ms,
            album.updated_at_ms,
        );
        // A taken id breaks the primary key: a `Backend` error.
        let sql = "INSERT INTO albums (owner, id, title, cover, created_at_ms, updated_at_ms)
                   VALUES (?1, ?2, ?3, NULL, ?4, ?5)";
        self.execute(sql, values).await?;
        Ok(())
    }

    async fn album(&self, owner: &OwnerId, id: &str) -> Result<Option<Album>, StorageError> {
        let (owner, id) = (owner.0.clone(), id.to_owned());
        self.read(move |conn| {
            let sql = format!("SELECT {ALBUM_COLUMNS} FROM albums WHERE owner = ?1 AND id = ?2");
            row(conn, &sql, params![owner, id], album_from_row)
        })
        .await
    }

    async fn albums_of(&self, owner: &OwnerId) -> Result<Vec<Album>, StorageError> {
        let owner = owner.0.clone();
        self.read(move |conn| {
            let sql = format!(
                "SELECT {ALBUM_COLUMNS} FROM albums WHERE owner = ?1
                 ORDER BY created_at_ms DESC, id DESC"
            );
            rows(conn, &sql, params![owner], album_from_row)
        })
        .await
    }

    async fn rename_album(
        &self,
        owner: &OwnerId,
        id: &str,
        title: &str,
        now_ms: i64,
    ) -> Result<bool, StorageError> {
        let values = (owner.0.clone(), id.to_owned(), title.to_owned(), now_ms);
        let sql = "UPDATE albums SET title = ?3, updated_at_ms = ?4 WHERE owner = ?1 AND id = ?2";
        Ok(self.execute(sql, values).await? > 0)
    }

    async fn set_album_cover(
        &self,
        owner: &OwnerId,
        id: &str,
        cover: Option<&PhotoId>,
        now_ms: i64,
    ) -> Result<bool, StorageError> {
        let cover = cover.map(|photo| photo.as_str().to_owned());
        let values = (owner.0.clone(), id.to_owned(), cover, now_ms);
        let sql = "UPDATE albums SET cover = ?3, updated_at_ms = ?4
                   WHERE owner = ?1 AND id = ?2 AND (?3 IS NULL OR EXISTS (
                       SELECT 1 FROM album_photos
                       WHERE owner = ?1 AND album_id = ?2 AND photo_id = ?3))";
        Ok(self.execute(sql, values).await? > 0)
    }

    async fn delete_album(&self, owner: &OwnerId, id: &str) -> Result<bool, StorageError> {
        // Its memberships and links go with it (ON DELETE CASCADE), in the same statement.
        let sql = "DELETE FROM albums WHERE owner = ?1 AND id = ?2";
        Ok(self.execute(sql, (owner.0.clone(), id.to_owned())).await? > 0)
    }

    async fn add_to_album(
        &self,
        owner: &OwnerId,
        id: &str,
        photos: &[PhotoId],
        now_ms: i64,
    ) -> Result<Option<u64>, StorageError> {
        let (owner, id, photos) = (owner.0.clone(), id.to_owned(), photos.to_vec());
        self.write(move |conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            if !album_exists(&tx, &owner, &id)? {
                return Ok(None);
            }
            let mut added = 0;
            for photo in &photos {
                if position_of(&tx, &owner, &id, photo)?.is_some() {
                    continue;
                }
                let position = next_position(&tx, &owner, &id)?;
                tx.prepare_cached(
                    "INSERT INTO album_photos (owner, album_id, photo_id, position)
                     VALUES (?1, ?2, ?3, ?4)",
                )?
                .execute(params![owner, id, photo.as_str(), position])?;
                added += 1;
            }
            if added > 0 {
                touch(&tx, &owner, &id, now_ms)?;
            }
            tx.commit()?;
            Ok(Some(added))
        })
        .await
    }

    async fn remove_from_album(
        &self,
        owner: &OwnerId,
        id: &str,
        photo: &PhotoId,
        now_ms: i64,
    ) -> Result<bool, StorageError> {
        let (owner, id, photo) = (owner.0.clone(), id.to_owned(), photo.clone());
        self.write(move |conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let removed = tx
                .prepare_cached(
                    "DELETE FROM album_photos WHERE owner = ?1 AND album_id = ?2 AND photo_id = ?3",
                )?
                .execute(params![owner, id, photo.as_str()])?;
            if removed == 0 {
                return Ok(false);
            }
            tx.prepare_cached(
                "UPDATE albums SET updated_at_ms = ?4,
                     cover = CASE WHEN cover = ?3 THEN NULL ELSE cover END
                 WHERE owner = ?1 AND id = ?2",
            )?
            .execute(params![owner, id, photo.as_str(), now_ms])?;
            tx.commit()?;
            Ok(true)
        })
        .await
    }

    async fn move_in_album(
        &self,
        owner: &OwnerId,
        id: &str,
        photo: &PhotoId,
        before: Option<&PhotoId>,
        now_ms: i64,
    ) -> Result<bool, StorageError> {
        let (owner, id, photo) = (owner.0.clone(), id.to_owned(), photo.clone());
        let before = before.cloned();
        self.write(move |conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let placed = place(&tx, &owner, &id, &photo, before.as_ref())?;
            if placed == Some(true) {
                touch(&tx, &owner, &id, now_ms)?;
                tx.commit()?;
            }
            Ok(placed.is_some())
        })
        .await
    }

    async fn album_photo_ids(
        &self,
        owner: &OwnerId,
        id: &str,
        cursor: Option<&str>,
        limit: usize,
    ) -> Result<AlbumPage, StorageError> {
        let after = cursor.map(AlbumCursor::decode).transpose()?;
        let limit = page_limit(limit);
        let (owner, id) = (owner.0.clone(), id.to_owned());
        self.read(move |conn| {
            // Without a cursor, from before the first: ids are never empty.
            let (position, photo) = after.as_ref().map_or((i64::MIN, ""), |after| {
                (after.position, after.photo.as_str())
            });
            let sql = "SELECT position, photo_id FROM album_photos
                       WHERE owner = ?1 AND album_id = ?2 AND (position, photo_id) > (?3, ?4)
                       ORDER BY position, photo_id LIMIT ?5";
            let values = params![owner, id, position, photo, limit as i64 + 1];
            Ok(album_page(rows(conn, sql, values, placed_from_row)?, limit))
        })
        .await
    }

    async fn remove_photo_from_albums(
        &self,
        owner: &OwnerId,
        photo: &PhotoId,
    ) -> Result<(), StorageError> {
        let (owner, photo) = (owner.0.clone(), photo.as_str().to_owned());
        self.write(move |conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            for sql in [
                "UPDATE albums SET cover = NULL WHERE owner = ?1 AND cover = ?2",
                "DELETE FROM album_photos WHERE owner = ?1 AND photo_id = ?2",
                "DELETE FROM shares WHERE owner = ?1 AND photo_id = ?2",
            ] {
                tx.prepare_cached(sql)?.execute(params![owner, photo])?;
            }
            tx.commit()?;
            Ok(())
        })
        .await
    }

    async fn albums_of_photo(
        &self,
        owner: &OwnerId,
        photo: &PhotoId,
    ) -> Result<Vec<String>, StorageError> {
        let (owner, photo) = (owner.0.clone(), photo.as_str().to_owned());
        self.read(move |conn| {
            let sql = "SELECT album_id FROM album_photos WHERE owner = ?1 AND photo_id = ?2
                       ORDER BY album_id";
            rows(conn, sql, params![owner, photo], |row| row.get(0))
        })
        .await
    }

    async fn delete_albums_of(&self, owner: &OwnerId) -> Result<u64, StorageError> {
        let owner = owner.0.clone();
        self.write(move |conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let albums = tx
                .prepare_cached("DELETE FROM albums WHERE owner = ?1")?
                .execute(params![owner])?;
            tx.prepare_cached("DELETE FROM shares WHERE owner = ?1")?
                .execute(params![owner])?;
            tx.commit()?;
            Ok(albums as u64)
        })
        .await
    }

    async fn create_share(&self, share: Share) -> Result<bool, StorageError> {
        self.insert_share(share).await
    }

    async fn share(&self, token: &str, now_ms: i64) -> Result<Option<Share>, StorageError> {
        self.live_share(token, now_ms).await
    }

    async fn shares_of(&self, owner: &OwnerId, now_ms: i64) -> Result<Vec<Share>, StorageError> {
        self.live_shares_of(owner, now_ms).await
    }

    async fn delete_share(&self, owner: &OwnerId, token: &str) -> Result<bool, StorageError> {
        let sql = "DELETE FROM shares WHERE owner = ?1 AND token = ?2";
        Ok(self
            .execute(sql, (owner.0.clone(), token.to_owned()))
            .await?
            > 0)
    }
}

//! Photos: inserting them (a hash once per owner), finding, listing a page at a time, deleting.

use super::error::SqlError;
use super::tags::{check_finite, write_labels};
use super::SqliteCatalog;
use gaillery_core::api::PhotoPage;
use gaillery_core::timeline::timeline_key;
use gaillery_core::{Label, OwnerId, Photo, PhotoId, PhotoStatus};
use gaillery_storage::catalog::{page_limit, rfc3339_from_millis};
use gaillery_storage::{InsertOutcome, NewPhoto, PageCursor, PhotoTotals, StorageError};
use rusqlite::{params, Connection, Row, TransactionBehavior};

impl SqliteCatalog {
    pub(super) async fn insert(&self, photo: NewPhoto) -> Result<InsertOutcome, StorageError> {
        self.write(move |conn| {
            // The insert and the look-up of the winner share one transaction, so the photo
            // reported as the duplicate is the one that stays.
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let outcome = if insert_row(&tx, &photo)? == 1 {
                InsertOutcome::Created(photo.to_photo())
            } else {
                InsertOutcome::Duplicate(winner(&tx, &photo)?)
            };
            tx.commit()?;
            Ok(outcome)
        })
        .await
    }

    /// Inserts and labels every photo in one transaction: a commit each would cost more than
    /// the rows. The triggers keep the month counts exact as for single inserts.
    pub(super) async fn insert_labelled(
        &self,
        photos: Vec<(NewPhoto, Vec<Label>)>,
    ) -> Result<Vec<InsertOutcome>, StorageError> {
        // Before writing anything: a bad label must not leave half a batch behind.
        for (_, labels) in &photos {
            check_finite(labels)?;
        }
        self.write(move |conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let mut outcomes = Vec::with_capacity(photos.len());
            for (photo, labels) in photos {
                let outcome = if insert_row(&tx, &photo)? == 1 {
                    write_labels(&tx, &photo.owner.0, &photo.id, &labels)?;
                    let mut created = photo.to_photo();
                    created.labels = labels;
                    InsertOutcome::Created(created)
                } else {
                    InsertOutcome::Duplicate(winner(&tx, &photo)?)
                };
                outcomes.push(outcome);
            }
            tx.commit()?;
            Ok(outcomes)
        })
        .await
    }

    pub(super) async fn photo_by_id(
        &self,
        owner: &OwnerId,
        id: &PhotoId,
    ) -> Result<Option<Photo>, StorageError> {
        Ok(self
            .photos_by_id(owner, std::slice::from_ref(id))
            .await?
            .pop())
    }

    /// Many photos in one call on one connection: an indexed lookup each.
    pub(super) async fn photos_by_id(
        &self,
        owner: &OwnerId,
        ids: &[PhotoId],
    ) -> Result<Vec<Photo>, StorageError> {
        let (owner, ids) = (owner.0.clone(), ids.to_vec());
        self.read(move |conn| {
            let mut select = conn.prepare_cached(concat!(
                "SELECT ",
                photo_columns!(),
                " FROM photos WHERE id = ?1 AND owner = ?2"
            ))?;
            let mut photos = Vec::with_capacity(ids.len());
            for id in &ids {
                if let Some(row) = select.query(params![id.as_str(), owner])?.next()? {
                    photos.push(photo_from_row(row)?);
                }
            }
            Ok(photos)
        })
        .await
    }

    pub(super) async fn find_by_hash(
        &self,
        owner: &OwnerId,
        sha256: &str,
    ) -> Result<Option<Photo>, StorageError> {
        let (owner, sha256) = (owner.0.clone(), sha256.to_owned());
        self.read(move |conn| photo_by_hash(conn, &owner, &sha256))
            .await
    }

    pub(super) async fn list(
        &self,
        owner: &OwnerId,
        tags: &[Vec<String>],
        cursor: Option<&str>,
        limit: usize,
    ) -> Result<PhotoPage, StorageError> {
        let listing = Listing {
            owner: owner.0.clone(),
            key_column: "created_at_ms",
            keys: None,
            groups: label_groups(tags)?,
            after: cursor.map(PageCursor::decode).transpose()?,
            limit: page_limit(limit),
        };
        self.read(move |conn| list_page(conn, &listing)).await
    }

    pub(super) async fn delete_one(
        &self,
        owner: &OwnerId,
        id: &PhotoId,
    ) -> Result<bool, StorageError> {
        let (owner, id) = (owner.0.clone(), id.clone());
        self.write(move |conn| {
            let deleted = conn
                .prepare_cached("DELETE FROM photos WHERE id = ?1 AND owner = ?2")?
                .execute(params![id.as_str(), owner])?;
            Ok(deleted > 0)
        })
        .await
    }

    pub(super) async fn delete_all(&self, owner: &OwnerId) -> Result<Vec<PhotoId>, StorageError> {
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

    pub(super) async fn totals(&self, owner: &OwnerId) -> Result<PhotoTotals, StorageError> {
        let owner = owner.0.clone();
        self.read(move |conn| {
            let sql = "SELECT COUNT(*), COALESCE(SUM(size_bytes), 0) FROM photos WHERE owner = ?1";
            let (photos, bytes): (i64, i64) = conn
                .prepare_cached(sql)?
                .query_row(params![owner], |row| Ok((row.get(0)?, row.get(1)?)))?;
            let negative = |_| StorageError::Backend(format!("negative totals {photos} {bytes}"));
            Ok(PhotoTotals {
                photos: u64::try_from(photos).map_err(negative)?,
                bytes: u64::try_from(bytes).map_err(negative)?,
            })
        })
        .await
    }

    pub(super) async fn update_status(
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
}

/// Search groups as the JSON arrays `list_page` binds.
pub(super) fn label_groups(tags: &[Vec<String>]) -> Result<Vec<String>, SqlError> {
    Ok(tags
        .iter()
        .map(serde_json::to_string)
        .collect::<Result<Vec<_>, _>>()?)
}

/// Inserts unless the owner already has the hash; returns how many rows were inserted (0 or 1).
pub(super) fn insert_row(conn: &Connection, photo: &NewPhoto) -> Result<usize, SqlError> {
    let size_bytes = i64::try_from(photo.size_bytes).map_err(|_| {
        StorageError::Backend(format!(
            "size {} does not fit the catalog",
            photo.size_bytes
        ))
    })?;
    let mut insert = conn.prepare_cached(
        "INSERT INTO photos (id, owner, filename, width, height, taken_at, format, size_bytes, sha256,
                             placeholder, status, created_at_ms, taken_key)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)
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
        timeline_key(photo.taken_at.as_deref(), photo.created_at_ms),
    ])?;
    Ok(inserted)
}

/// The photo an insert of `photo` conflicted with, in the same transaction.
fn winner(tx: &Connection, photo: &NewPhoto) -> Result<Photo, SqlError> {
    photo_by_hash(tx, &photo.owner.0, &photo.sha256)?.ok_or_else(|| {
        StorageError::Backend("insert conflicted on a hash that is not catalogued".into()).into()
    })
}

fn photo_by_hash(conn: &Connection, owner: &str, sha256: &str) -> Result<Option<Photo>, SqlError> {
    let mut select = conn.prepare_cached(concat!(
        "SELECT ",
        photo_columns!(),
        " FROM photos WHERE owner = ?1 AND sha256 = ?2"
    ))?;
    let mut rows = select.query(params![owner, sha256])?;
    match rows.next()? {
        Some(row) => Ok(Some(photo_from_row(row)?)),
        None => Ok(None),
    }
}

/// Reads a row selected with `photo_columns!()`. Values that don't parse mean a damaged file,
/// reported as `Backend`.
pub(super) fn photo_from_row(row: &Row<'_>) -> Result<Photo, SqlError> {
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
        created_at: rfc3339_from_millis(created_at_ms),
        status: PhotoStatus::parse(&status).ok_or_else(|| damaged("status", &status))?,
        status_reason: row.get(7)?,
        labels: serde_json::from_str(&labels)?,
        placeholder: row.get(9)?,
        format: row.get(10)?,
        size_bytes: u64::try_from(size_bytes).map_err(|_| damaged("size", &size_bytes))?,
        sha256: row.get(12)?,
    };
    Ok(photo)
}

/// What a page of photos is cut from: the owner's photos, by a key column, descending.
pub(super) struct Listing {
    pub(super) owner: String,
    /// `created_at_ms` or `taken_key`: a column indexed with the owner and the id.
    pub(super) key_column: &'static str,
    /// Keys of the photos wanted (a month); `None`: every photo.
    pub(super) keys: Option<std::ops::Range<i64>>,
    /// JSON arrays of label names; a photo needs a label of each.
    pub(super) groups: Vec<String>,
    pub(super) after: Option<PageCursor>,
    pub(super) limit: usize,
}

/// One page of a listing, after its cursor.
pub(super) fn list_page(conn: &Connection, listing: &Listing) -> Result<PhotoPage, SqlError> {
    let key = listing.key_column;
    let mut sql = format!(
        "SELECT {}, {key} FROM photos WHERE owner = ?1",
        photo_columns!()
    );
    let mut values: Vec<rusqlite::types::Value> = vec![listing.owner.clone().into()];
    // Appends `clause` with its `?#` numbered as the parameter `value` becomes.
    let mut bind = |sql: &mut String, clause: &str, value: rusqlite::types::Value| {
        values.push(value);
        sql.push_str(&clause.replace("?#", &format!("?{}", values.len())));
    };
    if let Some(keys) = &listing.keys {
        bind(&mut sql, &format!(" AND {key} >= ?#"), keys.start.into());
        bind(&mut sql, &format!(" AND {key} < ?#"), keys.end.into());
    }
    if let Some(after) = &listing.after {
        // A row-value comparison, so SQLite seeks straight to the cursor in the index.
        bind(
            &mut sql,
            &format!(" AND ({key}, id) < (?"),
            after.key.into(),
        );
        bind(&mut sql, ", ?)", after.id.as_str().to_owned().into());
    }
    for group in &listing.groups {
        bind(
            &mut sql,
            " AND id IN (SELECT photo_id FROM photo_labels WHERE owner = ?1
                         AND label IN (SELECT value FROM json_each(?#)))",
            group.clone().into(),
        );
    }
    // One row more than the page tells whether another page follows.
    let limit = listing.limit;
    sql.push_str(&format!(
        " ORDER BY {key} DESC, id DESC LIMIT {}",
        limit + 1
    ));
    let mut select = conn.prepare_cached(&sql)?;
    let mut rows = select.query(rusqlite::params_from_iter(values))?;
    let mut photos = Vec::with_capacity(limit + 1);
    let mut last_key = None;
    while let Some(row) = rows.next()? {
        if photos.len() == limit {
            // The extra row: there is a next page, starting after the last one kept.
            let next_cursor = last_key.map(|(key, id)| PageCursor::after(key, &id).encode());
            return Ok(PhotoPage {
                photos,
                next_cursor,
            });
        }
        let photo = photo_from_row(row)?;
        let key: i64 = row.get(13)?;
        last_key = Some((key, photo.id.clone()));
        photos.push(photo);
    }
    Ok(PhotoPage {
        photos,
        next_cursor: None,
    })
}

//! Labels: written by classification into the photo's JSON column and into the label index
//! that tag search and tag counts read.

use super::error::SqlError;
use super::SqliteCatalog;
use gaillery_core::api::TagCount;
use gaillery_core::{searchable_labels, Label, OwnerId, PhotoId};
use gaillery_storage::StorageError;
use rusqlite::{params, Connection, TransactionBehavior};

impl SqliteCatalog {
    pub(super) async fn relabel(
        &self,
        owner: &OwnerId,
        id: &PhotoId,
        labels: Vec<Label>,
    ) -> Result<bool, StorageError> {
        check_finite(&labels)?;
        let (owner, id) = (owner.0.clone(), id.clone());
        self.write(move |conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let updated = write_labels(&tx, &owner, &id, &labels)?;
            tx.commit()?;
            Ok(updated)
        })
        .await
    }

    pub(super) async fn count_tags(&self, owner: &OwnerId) -> Result<Vec<TagCount>, StorageError> {
        let owner = owner.0.clone();
        self.read(move |conn| {
            let mut select = conn.prepare_cached(
                "SELECT label, COUNT(*) AS n FROM photo_labels WHERE owner = ?1
                 GROUP BY label ORDER BY n DESC, label",
            )?;
            let rows = select.query_map(params![owner], |row| {
                Ok(TagCount {
                    tag: row.get(0)?,
                    count: row.get::<_, i64>(1)?.max(0) as u64,
                })
            })?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })
        .await
    }
}

/// JSON has no NaN or infinity: serde_json would write `null`, and the photo could never be read
/// back.
pub(super) fn check_finite(labels: &[Label]) -> Result<(), StorageError> {
    match labels.iter().find(|label| !label.probability.is_finite()) {
        Some(label) => Err(StorageError::Backend(format!(
            "label {:?} has a non-finite probability",
            label.label
        ))),
        None => Ok(()),
    }
}

/// Replaces a photo's labels, in the JSON column the listing reads and in the label index
/// (searchable ones only).
pub(super) fn write_labels(
    tx: &Connection,
    owner: &str,
    id: &PhotoId,
    labels: &[Label],
) -> Result<bool, SqlError> {
    let json = serde_json::to_string(labels)?;
    let updated = tx
        .prepare_cached("UPDATE photos SET labels = ?3 WHERE id = ?1 AND owner = ?2")?
        .execute(params![id.as_str(), owner, json])?;
    if updated == 0 {
        return Ok(false);
    }
    tx.prepare_cached("DELETE FROM photo_labels WHERE photo_id = ?1")?
        .execute(params![id.as_str()])?;
    let mut insert = tx.prepare_cached(
        "INSERT OR IGNORE INTO photo_labels (photo_id, owner, label) VALUES (?1, ?2, ?3)",
    )?;
    // Only what the photo is found by; the JSON above keeps every label for the lightbox.
    for label in searchable_labels(labels) {
        insert.execute(params![id.as_str(), owner, label.label])?;
    }
    Ok(true)
}

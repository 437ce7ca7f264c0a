//! Share links: a row each, by token. A link to an album references it with `ON DELETE
//! CASCADE` and is only inserted while the album exists, in the same statement; expired links
//! are swept out by each new one, as sessions are.

use super::accounts::{row, rows};
use super::albums::parse_id;
use super::SqliteCatalog;
use gaillery_core::OwnerId;
use gaillery_storage::albums::check_share;
use gaillery_storage::{Share, StorageError};
use rusqlite::{params, Row, TransactionBehavior};

const SHARE_COLUMNS: &str =
    "token, owner, album_id, photo_id, password_hash, expires_at_ms, created_at_ms";

fn share_from_row(row: &Row<'_>) -> rusqlite::Result<Share> {
    Ok(Share {
        token: row.get(0)?,
        owner: OwnerId(row.get(1)?),
        album_id: row.get(2)?,
        photo_id: row
            .get::<_, Option<String>>(3)?
            .map(|raw| parse_id(3, &raw))
            .transpose()?,
        password_hash: row.get(4)?,
        expires_at_ms: row.get(5)?,
        created_at_ms: row.get(6)?,
    })
}

impl SqliteCatalog {
    pub(super) async fn insert_share(&self, share: Share) -> Result<bool, StorageError> {
        check_share(&share)?;
        self.write(move |conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            tx.prepare_cached("DELETE FROM shares WHERE expires_at_ms <= ?1")?
                .execute(params![share.created_at_ms])?;
            // A taken token breaks the primary key: a `Backend` error.
            let inserted = tx
                .prepare_cached(
                    "INSERT INTO shares (token, owner, album_id, photo_id, password_hash,
                                         expires_at_ms, created_at_ms)
                     SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7
                     WHERE ?3 IS NULL OR EXISTS (SELECT 1 FROM albums WHERE owner = ?2 AND id = ?3)",
                )?
                .execute(params![
                    share.token,
                    share.owner.0,
                    share.album_id,
                    share.photo_id.as_ref().map(|photo| photo.as_str()),
                    share.password_hash,
                    share.expires_at_ms,
                    share.created_at_ms,
                ])?;
            tx.commit()?;
            Ok(inserted == 1)
        })
        .await
    }

    pub(super) async fn live_share(
        &self,
        token: &str,
        now_ms: i64,
    ) -> Result<Option<Share>, StorageError> {
        let token = token.to_owned();
        self.read(move |conn| {
            let sql = format!(
                "SELECT {SHARE_COLUMNS} FROM shares
                 WHERE token = ?1 AND (expires_at_ms IS NULL OR expires_at_ms > ?2)"
            );
            row(conn, &sql, params![token, now_ms], share_from_row)
        })
        .await
    }

    pub(super) async fn live_shares_of(
        &self,
        owner: &OwnerId,
        now_ms: i64,
    ) -> Result<Vec<Share>, StorageError> {
        let owner = owner.0.clone();
        self.read(move |conn| {
            let sql = format!(
                "SELECT {SHARE_COLUMNS} FROM shares
                 WHERE owner = ?1 AND (expires_at_ms IS NULL OR expires_at_ms > ?2)
                 ORDER BY created_at_ms DESC, token DESC"
            );
            rows(conn, &sql, params![owner, now_ms], share_from_row)
        })
        .await
    }
}

//! The schema and the settings of each connection.

use super::error::SqlError;
use gaillery_storage::StorageError;
use rusqlite::{Connection, TransactionBehavior};
use std::time::Duration;

/// The schema, one step per version; `PRAGMA user_version` counts the steps applied. Append new
/// steps, never edit old ones: databases in the field have already run them.
pub(super) const MIGRATIONS: &[&str] = &[
    // 1: photos. `id` is unique across owners because blob keys are made from it alone.
    "CREATE TABLE photos (
        id            TEXT PRIMARY KEY NOT NULL,
        owner         TEXT NOT NULL,
        filename      TEXT NOT NULL,
        width         INTEGER NOT NULL,
        height        INTEGER NOT NULL,
        taken_at      TEXT,
        format        TEXT NOT NULL,
        size_bytes    INTEGER NOT NULL,
        sha256        TEXT NOT NULL,
        placeholder   TEXT NOT NULL,
        status        TEXT NOT NULL,
        status_reason TEXT,
        labels        TEXT NOT NULL DEFAULT '[]',
        created_at_ms INTEGER NOT NULL,
        UNIQUE (owner, sha256)
    ) STRICT;
    CREATE INDEX photos_by_owner_newest ON photos (owner, created_at_ms DESC, id DESC);",
    // 2: classification jobs (see `jobs`), and labels in a table of their own so that tag
    // search and tag counts use an index instead of parsing every photo's JSON.
    "CREATE TABLE jobs (
        photo_id         TEXT PRIMARY KEY NOT NULL REFERENCES photos (id) ON DELETE CASCADE,
        owner            TEXT NOT NULL,
        model            TEXT NOT NULL,
        attempts         INTEGER NOT NULL DEFAULT 0,
        run_after_ms     INTEGER NOT NULL,
        claimed_by       TEXT,
        lease_expires_ms INTEGER,
        created_at_ms    INTEGER NOT NULL
    ) STRICT;
    CREATE INDEX jobs_due ON jobs (run_after_ms, created_at_ms);
    CREATE TABLE photo_labels (
        photo_id TEXT NOT NULL REFERENCES photos (id) ON DELETE CASCADE,
        owner    TEXT NOT NULL,
        label    TEXT NOT NULL,
        PRIMARY KEY (photo_id, label)
    ) STRICT, WITHOUT ROWID;
    CREATE INDEX photo_labels_by_label ON photo_labels (owner, label);
    INSERT OR IGNORE INTO photo_labels (photo_id, owner, label)
        SELECT photos.id, photos.owner, json_extract(each.value, '$.label')
        FROM photos, json_each(photos.labels) AS each;",
    // 3: accounts (see `accounts`). `name_key` is the username folded by `username_key` in
    // Rust, since SQLite's `lower()` only folds ASCII. Sessions and API tokens go with their
    // account. Sign-in failures carry their own expiry so that one purge drops each after its
    // window, whatever window its kind of key uses.
    "CREATE TABLE accounts (
        id            TEXT PRIMARY KEY NOT NULL,
        username      TEXT NOT NULL,
        name_key      TEXT NOT NULL UNIQUE,
        password_hash TEXT NOT NULL,
        admin         INTEGER NOT NULL,
        created_at_ms INTEGER NOT NULL
    ) STRICT;
    CREATE TABLE sessions (
        token_hash    TEXT PRIMARY KEY NOT NULL,
        owner         TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
        created_at_ms INTEGER NOT NULL,
        expires_at_ms INTEGER NOT NULL
    ) STRICT;
    CREATE INDEX sessions_by_owner ON sessions (owner, created_at_ms);
    CREATE INDEX sessions_by_expiry ON sessions (expires_at_ms);
    CREATE TABLE api_tokens (
        token_hash    TEXT PRIMARY KEY NOT NULL,
        id            TEXT NOT NULL,
        owner         TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
        name          TEXT NOT NULL,
        created_at_ms INTEGER NOT NULL,
        UNIQUE (owner, id)
    ) STRICT;
    CREATE TABLE sign_in_failures (
        key           TEXT NOT NULL,
        at_ms         INTEGER NOT NULL,
        expires_at_ms INTEGER NOT NULL
    ) STRICT;
    CREATE INDEX sign_in_failures_by_key ON sign_in_failures (key, at_ms);
    CREATE INDEX sign_in_failures_by_expiry ON sign_in_failures (expires_at_ms);",
    // 4: albums and share links (see `albums`). Album ids are unique per owner. Memberships and
    // the links to an album go with it (ON DELETE CASCADE); memberships and links to a photo do
    // not reference `photos`, since the service removes a deleted photo from every album
    // (`remove_photo_from_albums`). A photo's place in its album is `position`, gapped.
    "CREATE TABLE albums (
        owner         TEXT NOT NULL,
        id            TEXT NOT NULL,
        title         TEXT NOT NULL,
        cover         TEXT,
        created_at_ms INTEGER NOT NULL,
        updated_at_ms INTEGER NOT NULL,
        PRIMARY KEY (owner, id)
    ) STRICT;
    CREATE INDEX albums_by_owner_newest ON albums (owner, created_at_ms DESC, id DESC);
    CREATE TABLE album_photos (
        owner    TEXT NOT NULL,
        album_id TEXT NOT NULL,
        photo_id TEXT NOT NULL,
        position INTEGER NOT NULL,
        PRIMARY KEY (owner, album_id, photo_id),
        FOREIGN KEY (owner, album_id) REFERENCES albums (owner, id) ON DELETE CASCADE
    ) STRICT, WITHOUT ROWID;
    CREATE INDEX album_photos_in_order ON album_photos (owner, album_id, position, photo_id);
    CREATE INDEX album_photos_by_photo ON album_photos (owner, photo_id);
    CREATE TABLE shares (
        token         TEXT PRIMARY KEY NOT NULL,
        owner         TEXT NOT NULL,
        album_id      TEXT,
        photo_id      TEXT,
        password_hash TEXT,
        expires_at_ms INTEGER,
        created_at_ms INTEGER NOT NULL,
        CHECK ((album_id IS NULL) <> (photo_id IS NULL)),
        FOREIGN KEY (owner, album_id) REFERENCES albums (owner, id) ON DELETE CASCADE
    ) STRICT;
    CREATE INDEX shares_by_owner ON shares (owner, created_at_ms);
    CREATE INDEX shares_by_album ON shares (owner, album_id);
    CREATE INDEX shares_by_photo ON shares (owner, photo_id);
    CREATE INDEX shares_by_expiry ON shares (expires_at_ms);",
    // 5: the timeline (see `timeline`). `taken_key` is the photo's timeline key, computed in
    // Rust (`gaillery_core::timeline`); `timeline::backfill` fills it for older rows right after
    // this step. `photo_months` counts photos per owner, order and month; triggers keep it, so
    // every statement that inserts, deletes or re-dates a photo keeps it exact.
    "ALTER TABLE photos ADD COLUMN taken_key INTEGER;
    CREATE INDEX photos_by_taken ON photos (owner, taken_key DESC, id DESC);
    CREATE TABLE photo_months (
        owner TEXT NOT NULL,
        sort  TEXT NOT NULL,
        month TEXT NOT NULL,
        n     INTEGER NOT NULL,
        PRIMARY KEY (owner, sort, month)
    ) STRICT, WITHOUT ROWID;
    CREATE TRIGGER photo_months_insert AFTER INSERT ON photos BEGIN
        INSERT INTO photo_months (owner, sort, month, n) VALUES
            (NEW.owner, 'taken', strftime('%Y-%m', NEW.taken_key, 'unixepoch'), 1),
            (NEW.owner, 'uploaded', strftime('%Y-%m', NEW.created_at_ms / 1000.0, 'unixepoch'), 1)
        ON CONFLICT (owner, sort, month) DO UPDATE SET n = n + 1;
    END;
    CREATE TRIGGER photo_months_delete AFTER DELETE ON photos BEGIN
        UPDATE photo_months SET n = n - 1 WHERE owner = OLD.owner AND (
            (sort = 'taken' AND month = strftime('%Y-%m', OLD.taken_key, 'unixepoch'))
            OR (sort = 'uploaded'
                AND month = strftime('%Y-%m', OLD.created_at_ms / 1000.0, 'unixepoch')));
        DELETE FROM photo_months WHERE owner = OLD.owner AND n <= 0 AND (
            (sort = 'taken' AND month = strftime('%Y-%m', OLD.taken_key, 'unixepoch'))
            OR (sort = 'uploaded'
                AND month = strftime('%Y-%m', OLD.created_at_ms / 1000.0, 'unixepoch')));
    END;
    CREATE TRIGGER photo_months_redate AFTER UPDATE OF taken_key ON photos BEGIN
        UPDATE photo_months SET n = n - 1 WHERE owner = OLD.owner AND sort = 'taken'
            AND month = strftime('%Y-%m', OLD.taken_key, 'unixepoch');
        INSERT INTO photo_months (owner, sort, month, n)
            VALUES (NEW.owner, 'taken', strftime('%Y-%m', NEW.taken_key, 'unixepoch'), 1)
        ON CONFLICT (owner, sort, month) DO UPDATE SET n = n + 1;
        DELETE FROM photo_months WHERE owner = OLD.owner AND sort = 'taken' AND n <= 0
            AND month = strftime('%Y-%m', OLD.taken_key, 'unixepoch');
    END;",
];

/// The step after which rows from before the timeline get their keys and counts.
const TIMELINE_STEP: usize = 5;

/// Settings that live on each connection rather than in the file.
pub(super) fn configure(conn: &Connection, busy_timeout: Duration) -> Result<(), SqlError> {
    conn.busy_timeout(busy_timeout)?;
    conn.pragma_update(None, "foreign_keys", true)?;
    // In WAL mode NORMAL is still safe against corruption; a power cut may lose only the last
    // commits, and commits skip an fsync each.
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    Ok(())
}

pub(super) fn migrate(conn: &mut Connection) -> Result<(), SqlError> {
    // Immediate: two processes starting at once must not both run a step.
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let version: i64 = tx.pragma_query_value(None, "user_version", |row| row.get(0))?;
    let applied = usize::try_from(version)
        .ok()
        .filter(|&applied| applied <= MIGRATIONS.len())
        .ok_or_else(|| {
            StorageError::Backend(format!(
                "catalog schema version {version} is not one this build knows (up to {}); refusing to use it",
                MIGRATIONS.len()
            ))
        })?;
    for (step, sql) in MIGRATIONS.iter().enumerate().skip(applied) {
        tx.execute_batch(sql)?;
        if step + 1 == TIMELINE_STEP {
            super::timeline::backfill(&tx)?;
        }
        tx.pragma_update(None, "user_version", step as i64 + 1)?;
    }
    tx.commit()?;
    Ok(())
}
